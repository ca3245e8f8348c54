"""Schema checks for bundled and user-supplied tables.

The schema of each table is its metadata file (``data/<name>.meta.yml``): column types, allowed
values, ranges, required columns and the primary key. The same checks run in the tests, after
every build step, and on every load of a user-supplied file. A failure raises
:class:`~living_lab.errors.InputError` naming the file, line and field.

Line numbers count as an editor shows them: the header is line 1, the first data row line 2.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from living_lab import paths
from living_lab.errors import InputError

#: A user file larger than this is refused before parsing (bytes).
MAX_USER_FILE_BYTES = 50 * 1024 * 1024
#: Largest allowed gap between a published index and the index recomputed from its rounded domains.
INDEX_TOLERANCE = 0.01


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The metadata/schema mapping of bundled table ``name``."""
    path = paths.metadata(name)
    meta = read_yaml(path)
    if not isinstance(meta, dict) or not isinstance(meta.get("columns"), dict):
        raise InputError("expected a mapping with a 'columns' mapping", file=path)
    return meta


def _line(df: pd.DataFrame, pos: int) -> int:
    """Editor line number of the row at position ``pos`` (header is line 1)."""
    if "_line" in df.columns:
        return int(df["_line"].iloc[pos])
    return pos + 2


def check_table(
    df: pd.DataFrame,
    schema: str | dict[str, Any],
    *,
    file: str | Path,
    allow_extra: bool = False,
) -> pd.DataFrame:
    """Check ``df`` against a table schema and return it with columns coerced to their types.

    Parameters
    ----------
    df : the table; a ``_line`` column, if present, gives each row's line in the file.
    schema : a bundled table name (``"spbe_index"``) or a schema mapping.
    file : how to name the table in errors.
    allow_extra : accept columns the schema does not list (kept as they are).
    """
    meta = load_schema(schema) if isinstance(schema, str) else schema
    columns: dict[str, dict[str, Any]] = meta["columns"]
    present = [c for c in df.columns if c != "_line"]
    missing = [c for c, spec in columns.items() if spec.get("required") and c not in present]
    if missing:
        raise InputError.keyed(
            "err.table.missing_columns",
            missing=str(missing),
            columns=str(list(columns)),
            file=file,
            row=1,
        )
    extra = [c for c in present if c not in columns]
    if extra and not allow_extra:
        raise InputError.keyed(
            "err.table.extra_columns",
            extra=str(extra),
            columns=str(list(columns)),
            file=file,
            row=1,
        )
    out = df.copy()
    for col, spec in columns.items():
        if col not in out.columns:
            continue
        out[col] = _coerce(out, col, spec, file)
        _check_values(out, col, spec, file)
    key = meta.get("primary_key")
    if key and all(k in out.columns for k in key):
        dup = out.duplicated(key, keep="first")
        if dup.any():
            pos = int(np.flatnonzero(dup.to_numpy())[0])
            values = ", ".join(f"{k}={out[k].iloc[pos]}" for k in key)
            raise InputError.keyed(
                "err.table.duplicate_key",
                values=values,
                key="/".join(key),
                file=file,
                row=_line(out, pos),
            )
    return out


def _coerce(df: pd.DataFrame, col: str, spec: dict[str, Any], file: str | Path) -> pd.Series:
    kind = spec.get("type", "string")
    s = df[col]
    if kind == "string":
        return s.astype("string").str.strip().astype(object).where(s.notna(), None)
    if kind == "number":
        # A decimal comma ("4,55", as Indonesian-locale spreadsheets write it) is read as a
        # point; only an unambiguous form is rewritten (digits, one comma, digits).
        s = s.where(
            ~s.astype(str).str.fullmatch(r"\s*[+-]?\d+,\d+\s*").fillna(False),
            s.astype(str).str.replace(",", ".", regex=False),
        )
    numeric = pd.to_numeric(s, errors="coerce")
    bad = numeric.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError.keyed(
            "err.table.not_whole_number" if kind == "integer" else "err.table.not_number",
            value=s.iloc[pos],
            file=file,
            row=_line(df, pos),
            field=col,
        )
    if kind == "integer":
        frac = numeric.notna() & (numeric != np.round(numeric))
        if frac.any():
            pos = int(np.flatnonzero(frac.to_numpy())[0])
            raise InputError.keyed(
                "err.table.fraction", value=s.iloc[pos], file=file, row=_line(df, pos), field=col
            )
        return numeric.astype("Int64")
    return numeric.astype(float)


def _check_values(df: pd.DataFrame, col: str, spec: dict[str, Any], file: str | Path) -> None:
    s = df[col]
    if spec.get("required"):
        empty = s.isna()
        if empty.any():
            pos = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError.keyed("err.table.empty", file=file, row=_line(df, pos), field=col)
    present = s.notna()
    if "min" in spec or "max" in spec:
        lo, hi = spec.get("min", -np.inf), spec.get("max", np.inf)
        values = s.astype(float)
        out = present & ((values < lo) | (values > hi))
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError.keyed(
                "err.table.range",
                value=s.iloc[pos],
                low=lo,
                high=hi,
                file=file,
                row=_line(df, pos),
                field=col,
            )
    if "values" in spec:
        allowed = set(spec["values"])
        out = present & ~s.isin(allowed)
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError.keyed(
                "err.table.not_allowed",
                value=s.iloc[pos],
                allowed=str(sorted(allowed)),
                file=file,
                row=_line(df, pos),
                field=col,
            )
    if "pattern" in spec:
        rx = re.compile(spec["pattern"])
        out = present & ~s.astype(str).map(lambda v: bool(rx.match(v)))
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError.keyed(
                "err.table.pattern",
                value=s.iloc[pos],
                pattern=spec["pattern"],
                file=file,
                row=_line(df, pos),
                field=col,
            )


def check_outcome_ranges(df: pd.DataFrame, *, file: str | Path) -> None:
    """Rates (indicators ending in ``_pct``) must lie in 0-100."""
    rate = df["indicator"].str.endswith("_pct") & ((df["value"] < 0) | (df["value"] > 100))
    if rate.any():
        pos = int(np.flatnonzero(rate.to_numpy())[0])
        raise InputError.keyed(
            "err.table.percentage",
            value=df["value"].iloc[pos],
            indicator=df["indicator"].iloc[pos],
            file=file,
            row=_line(df, pos),
            field="value",
        )


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def _too_big(size: int | None, limit: int, kind: str, path: Path) -> InputError:
    """``file is 6 MB; expected at most 5 MB`` (in bytes when megabytes would read the same)."""
    yaml_ = "_yaml" if kind == "YAML" else ""
    if size is not None and _megabytes(size) != _megabytes(limit):
        return InputError.keyed(
            f"err.file.too_big_mb{yaml_}", file=path, size=size / 2**20, limit=limit / 2**20
        )
    if size is None:
        return InputError.keyed(f"err.file.too_big_over{yaml_}", file=path, limit=limit)
    return InputError.keyed(f"err.file.too_big_bytes{yaml_}", file=path, size=size, limit=limit)


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIOUX' else 'a'} {kind}"


def check_file(path: Path, *, kind: str, limit: int = MAX_USER_FILE_BYTES) -> int:
    """Refuse a missing, unreadable, empty, oversized or non-regular file; return its size.

    The size limit is checked before anything is read, so a huge file costs nothing. A device
    (``/dev/zero``), pipe (FIFO) or socket is refused without being opened: its size says
    nothing and reading it could block or never end.
    """
    try:
        if not path.exists():
            raise InputError.keyed("err.file.not_found", file=path)
        if path.is_dir():
            raise InputError.keyed("err.file.folder", file=path, kind=kind, a_kind=_a(kind))
        info = path.stat()
    except OSError as exc:
        raise InputError.keyed(
            "err.file.unreadable", file=path, reason=exc.strerror or exc
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError.keyed("err.file.not_regular", file=path, kind=kind, a_kind=_a(kind))
    size = info.st_size
    if size == 0:
        if kind == "CSV":
            raise InputError.keyed("err.file.empty_csv", file=path)
        raise InputError.keyed("err.file.empty", file=path, kind=kind, a_kind=_a(kind))
    if size > limit:
        raise _too_big(size, limit, kind, path)
    return size


def read_capped(path: Path, *, kind: str, limit: int = MAX_USER_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or one clear line why not.

    The limit holds whatever the file claims: the file is opened without blocking, checked to
    be a regular file on the open descriptor (not only by name), and read with a cap, so a file
    growing while read, a device or a pipe never makes this read forever.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise InputError.keyed("err.file.folder", file=path, kind=kind, a_kind=_a(kind)) from None
    except FileNotFoundError:
        raise InputError.keyed("err.file.not_found", file=path) from None
    except OSError as exc:
        raise InputError.keyed(
            "err.file.unreadable", file=path, reason=exc.strerror or exc
        ) from None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError.keyed(
                    "err.file.not_regular", file=path, kind=kind, a_kind=_a(kind)
                )
            data = fh.read(limit + 1)
        except OSError as exc:
            raise InputError.keyed(
                "err.file.unreadable", file=path, reason=exc.strerror or exc
            ) from None
    if len(data) > limit:
        raise _too_big(None, limit, kind, path)
    return data


def read_text(path: Path, *, kind: str = "CSV", limit: int = MAX_USER_FILE_BYTES) -> str:
    """The file as text: UTF-8 with or without a byte-order mark, or one clear line why not."""
    raw = read_capped(path, kind=kind, limit=limit)
    save_as = "CSV UTF-8" if kind == "CSV" else "UTF-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export.
        raise InputError.keyed("err.file.utf16", file=path, save_as=save_as)
    if raw.startswith(_ZIP_MAGIC):
        raise InputError.keyed("err.file.zip", file=path, kind=kind, save_as=save_as)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.keyed(
            "err.file.not_utf8",
            file=path,
            row=line,
            byte=f"0x{raw[exc.start]:02x}",
            save_as=save_as,
        ) from None
    if "\x00" in text:
        raise InputError.keyed("err.file.nul", file=path, kind=kind)
    return text


_ZIP_MAGIC = b"PK\x03\x04"
#: Delimiters a user CSV may use (spreadsheets in Indonesian locales export with semicolons).
DELIMITERS = (",", ";", "\t")


def read_user_csv(path: str | Path, *, min_columns: int = 2) -> pd.DataFrame:
    """Read a user-supplied CSV robustly, or refuse it with one clear line.

    Accepts UTF-8 with or without a byte-order mark and a comma, semicolon or tab delimiter
    (spreadsheets in Indonesian locales export with semicolons). Returns every column as text
    plus a ``_line`` column with each row's line number in the file (a quoted cell may span
    lines); type checks come after, from a schema. Refused: a missing, empty or oversized file
    (:data:`MAX_USER_FILE_BYTES`), text that is not UTF-8, a spreadsheet saved under a .csv
    name, a header with fewer than ``min_columns`` columns (another delimiter), a column named
    twice, malformed quoting, and rows with more or fewer fields than the header.
    """
    path = Path(path)
    check_file(path, kind="CSV")
    text = read_text(path, kind="CSV")
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise InputError.keyed("err.csv.first_line_empty", file=path, row=1)
    delimiter = max(DELIMITERS, key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, lines, names = [], [], None
    last = 0  # physical line where the previous record ended
    try:
        for row in reader:
            start, last = last + 1, reader.line_num
            if names is None:
                names = [h.strip() for h in row]
                _check_header(names, header, min_columns, path)
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                raise InputError.keyed(
                    "err.csv.fields",
                    got=len(row),
                    expected=len(names),
                    delimiter=delimiter,
                    file=path,
                    row=start,
                )
            records.append([cell.strip() if cell.strip() != "" else None for cell in row])
            lines.append(start)
    except csv.Error as exc:
        raise InputError.keyed("err.csv.malformed", reason=exc, file=path, row=last + 1) from None
    if not records or names is None:
        raise InputError.keyed("err.csv.no_rows", file=path)
    df = pd.DataFrame(records, columns=names, dtype=object)
    df["_line"] = lines
    return df


def _check_header(names: list[str], header: str, min_columns: int, path: Path) -> None:
    if len(names) < min_columns:
        raise InputError.keyed("err.csv.one_column", header=header.strip(), file=path, row=1)
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError.keyed("err.csv.column_twice", column=dup, file=path, row=1)


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------

#: A YAML file (cohort, framework, parameters) larger than this is refused before parsing.
MAX_YAML_BYTES = 5 * 1024 * 1024
#: Deepest nesting of mappings and lists a YAML file may have (the project's files use 5).
MAX_YAML_DEPTH = 50
#: Most values a YAML file may hold once its aliases (``*name``) are expanded: a few kilobytes
#: of nested aliases ("billion laughs") would otherwise expand to billions of values.
MAX_YAML_VALUES = 200_000


class _Refused(yaml.MarkedYAMLError):
    """A YAML file refused by a rule of ours (not a syntax error); ``problem`` says which."""


class _DuplicateKey(_Refused):
    pass


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loading with limits.

    Refused: a key repeated in one mapping (PyYAML keeps the last), nesting deeper than
    :data:`MAX_YAML_DEPTH` (checked while composing, before Python's recursion limit), and a
    document whose aliases expand to more than :data:`MAX_YAML_VALUES` values or refer to
    themselves.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _refused(
                    _Refused, self.peek_event().start_mark, "err.yaml.depth", most=MAX_YAML_DEPTH
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self):  # type: ignore[no-untyped-def]
        node = super().get_single_node()
        if node is not None:
            _count_values(node, {}, set())
        return node

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except TypeError:
                continue  # unhashable keys are reported by the base class
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _refused(
                    _DuplicateKey,
                    key_node.start_mark,
                    "err.yaml.duplicate_key",
                    key=key,
                    first_line=seen[key],
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _refused(cls: type[_Refused], mark: Any, message_key: str, /, **fields: Any) -> _Refused:
    """A refusal of ours at ``mark``, carrying the message key of the InputError it becomes."""
    error = cls(problem=InputError.keyed(message_key, **fields).message, problem_mark=mark)
    error.key, error.fields = message_key, fields  # type: ignore[attr-defined]
    return error


def _count_values(node: yaml.Node, counted: dict[int, int], open_nodes: set[int]) -> int:
    """Values under ``node`` with every alias expanded; refuses too many and self-reference."""
    key = id(node)
    if key in counted:
        return counted[key]
    if key in open_nodes:
        raise _refused(_Refused, node.start_mark, "err.yaml.self_alias")
    open_nodes.add(key)
    total = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        children = []
    for child in children:
        total += _count_values(child, counted, open_nodes)
        if total > MAX_YAML_VALUES:
            raise _refused(_Refused, node.start_mark, "err.yaml.alias_bomb", most=MAX_YAML_VALUES)
    open_nodes.discard(key)
    counted[key] = total
    return total


def read_yaml(path: str | Path, *, limit: int = MAX_YAML_BYTES) -> Any:
    """Parse a YAML file safely, or refuse it with one line naming the file and line.

    UTF-8 with or without a byte-order mark; refused: a missing or oversized file, other
    encodings, syntax errors (with the line), and a key repeated within one mapping (PyYAML
    would silently keep the last). An empty file gives ``None``; callers check the shape.
    """
    return read_yaml_lines(path, limit=limit)[0]


def read_yaml_lines(path: str | Path, *, limit: int = MAX_YAML_BYTES) -> tuple[Any, dict[str, int]]:
    r""":func:`read_yaml`, plus the line of every key and list item, by key path.

    Key paths are written as :mod:`living_lab.schema` names fields: ``groups.kind.type`` for a
    nested key, ``targets[2].year`` for a key of the third item of a list.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = Path(folder, "f.yaml").write_text("a: 1\nb:\n  c: [x, y]\n")
    ...     read_yaml_lines(Path(folder, "f.yaml"))[1]
    {'a': 1, 'b': 2, 'b.c': 3, 'b.c[0]': 3, 'b.c[1]': 3}
    """
    path = Path(path)
    try:
        check_file(path, kind="YAML", limit=limit)
    except InputError as exc:
        if exc.message.startswith("file is empty"):
            return None, {}
        raise
    text = read_text(path, kind="YAML", limit=limit)
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        return loader.construct_document(node), _key_lines(node)
    except _Refused as exc:
        raise InputError.keyed(
            exc.key,  # type: ignore[attr-defined]
            file=path,
            row=exc.problem_mark.line + 1,
            **exc.fields,  # type: ignore[attr-defined]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        raise InputError.keyed(
            "err.yaml.syntax", file=path, row=mark.line + 1 if mark else None, problem=problem
        ) from None
    except yaml.YAMLError as exc:
        first = (str(exc).splitlines() or ["syntax error"])[0]
        raise InputError.keyed("err.yaml.syntax", file=path, problem=first) from None
    finally:
        loader.dispose()


def _key_lines(
    node: yaml.Node, prefix: str = "", out: dict[str, int] | None = None
) -> dict[str, int]:
    """Line (1-based) of every key and list item under ``node``, by key path."""
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            where = f"{prefix}.{key.value}" if prefix else str(key.value)
            out.setdefault(where, key.start_mark.line + 1)
            _key_lines(value, where, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            where = f"{prefix}[{i}]"
            out.setdefault(where, item.start_mark.line + 1)
            _key_lines(item, where, out)
    return out
