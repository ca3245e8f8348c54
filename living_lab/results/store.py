"""A safe on-disk format for result objects: one CSV per table and one JSON metadata file.

A result object is a (frozen) dataclass whose fields are tables (``pandas.DataFrame`` or
``Series``), scalars (``str``, ``int``, ``float``, ``bool``, ``None``), tuples, lists, dicts and
nested dataclasses of the same kinds. :func:`write` stores it in a folder::

    <folder>/meta.json      format, version, type, key, and every field: scalars inline, tables
                            by file name with their schema (columns, dtypes, index, attrs),
                            row count, byte size and SHA-256
    <folder>/<field>.csv    one table per file, floats written with repr precision

Nothing in the folder can run code when read: :func:`read` parses JSON and CSV text only,
accepts only the dataclass types reachable from the type it is asked for, and checks every
file's kind (a regular file, not a link), byte size, checksum, header, row count and dtypes
against ``meta.json``. Anything that does not match raises :class:`ResultsError` naming the
file and what was wrong, so a caller can rebuild the folder instead of using it.

Round trips are exact: float64 (repr precision, ``nan``/``inf`` kept), integer, bool, nullable
``Int64``/``boolean``, categorical, string and object columns of strings (missing values of each
kind kept), index names and levels, ``DataFrame.attrs``.

Examples
--------
>>> import dataclasses, tempfile, pathlib
>>> import pandas as pd
>>> @dataclasses.dataclass(frozen=True)
... class R:
...     n: int
...     t: pd.DataFrame
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "r"
>>> _ = write(R(3, pd.DataFrame({"x": [0.1, float("nan")]})), folder, key="k")
>>> r = read(folder, R, key="k")
>>> r.n, r.t["x"].iloc[0]
(3, 0.1)
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import math
import os
import re
import shutil
import stat
import tempfile
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from living_lab.errors import InputError

FORMAT = "living-lab-results"
#: Bump when the folder layout (not a result type's fields) changes.
VERSION = 1
META = "meta.json"
#: Upper bounds on what :func:`read` accepts (a foreign folder cannot exhaust memory).
MAX_META_BYTES = 64 * 2**20
MAX_TABLE_BYTES = 512 * 2**20
MAX_TABLES = 500
MAX_DEPTH = 20
_FILE_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,100}\.csv")
_DTYPE_RE = re.compile(r"[A-Za-z0-9\[\], /_:+-]{1,80}")

T = TypeVar("T")


class ResultsError(InputError):
    """A results folder is missing, damaged, foreign or of another version."""


# --------------------------------------------------------------------------------------------
# Writing


def write(obj: Any, folder: str | Path, *, key: str, extra: dict[str, str] | None = None) -> Path:
    """Store the dataclass ``obj`` in ``folder`` (replaced as a whole; readers see old or new).

    Parameters
    ----------
    obj : a dataclass instance whose fields are of the kinds listed in the module docstring.
    folder : the results folder; its parent is created if needed.
    key : the input hash the contents depend on; :func:`read` can require it.
    extra : further strings recorded in ``meta.json`` (e.g. the library version).

    Raises
    ------
    TypeError
        A field holds a kind of value this format cannot store exactly.
    """
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        raise TypeError(f"expected a dataclass instance, got {type(obj).__name__}")
    folder = Path(folder)
    if folder.parent.is_symlink():
        raise ResultsError(
            "is a symbolic link; results are written only to a real folder", file=folder.parent
        )
    writer = _Writer()
    value = writer.value(obj, "", 0)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "type": type(obj).__name__,
        "key": str(key),
        **{k: str(v) for k, v in (extra or {}).items()},
        "value": value,
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, data in writer.files.items():
            _write_file(tmp / name, data)
        _write_file(tmp / META, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_leftovers(folder)
    return folder


def _remove_leftovers(folder: Path) -> None:
    """Delete the temporary folders an interrupted :func:`write` of ``folder`` left beside it."""
    for pattern in (f".{folder.name}.*.tmp", f".{folder.name}.*.old"):
        for left in folder.parent.glob(pattern):
            if left.is_dir() and not left.is_symlink():
                shutil.rmtree(left, ignore_errors=True)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o644)


def _replace_folder(new: Path, folder: Path) -> None:
    """Move ``new`` to ``folder``; whatever was at ``folder`` (folder, file or link) goes."""
    os.chmod(new, 0o755)
    old = None
    if folder.is_symlink() or folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".old", dir=folder.parent))
        old.rmdir()
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        if old.is_symlink() or not old.is_dir():
            old.unlink()
        else:
            shutil.rmtree(old, ignore_errors=True)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "_", str(name).lower()).strip("_.-") or "table"


class _Writer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def _file_name(self, name: str) -> str:
        base = _slug(name)[:90]
        stem, i = base, 1
        while f"{stem}.csv" in self.files:
            i += 1
            stem = f"{base}-{i}"
        return f"{stem}.csv"

    def value(self, v: Any, name: str, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise TypeError(f"{name}: nested deeper than {MAX_DEPTH} levels")
        if v is None:
            return {"t": "none"}
        if v is pd.NA:
            return {"t": "na"}
        if v is pd.NaT:
            return {"t": "nat"}
        if isinstance(v, pd.Timestamp):
            return {"t": "timestamp", "v": v.isoformat()}
        if isinstance(v, bool | np.bool_):
            return {"t": "bool", "v": bool(v)}
        if isinstance(v, int | np.integer):
            return {"t": "int", "v": int(v)}
        if isinstance(v, float | np.floating):
            return {"t": "float", "v": repr(float(v))}
        if isinstance(v, str):
            return {"t": "str", "v": v}
        if isinstance(v, pd.DataFrame):
            return {"t": "frame", **self.frame(v, name)}
        if isinstance(v, pd.Series):
            spec = self.frame(v.to_frame(name="value"), name)
            return {"t": "series", "name": self.value(v.name, name, depth + 1), **spec}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            fields = {
                f.name: self.value(getattr(v, f.name), f"{name}.{f.name}".lstrip("."), depth + 1)
                for f in dataclasses.fields(v)
            }
            return {"t": "dataclass", "type": type(v).__name__, "fields": fields}
        if isinstance(v, tuple | list):
            items = [self.value(x, f"{name}.{i}", depth + 1) for i, x in enumerate(v)]
            return {"t": "tuple" if isinstance(v, tuple) else "list", "items": items}
        if isinstance(v, dict):
            pairs: list[list[dict[str, Any]]] = [
                [self.value(k, name, depth + 1), self.value(x, f"{name}.{k}", depth + 1)]
                for k, x in v.items()
            ]
            return {"t": "dict", "items": pairs}
        raise TypeError(f"{name}: cannot store a value of type {type(v).__name__}")

    def frame(self, df: pd.DataFrame, name: str) -> dict[str, Any]:
        if isinstance(df.columns, pd.MultiIndex):
            raise TypeError(f"{name}: tables with multi-level columns cannot be stored")
        series: list[pd.Series] = []
        header: list[str] = []
        idx = df.index
        if isinstance(idx, pd.RangeIndex):
            index: dict[str, Any] = {
                "range": [idx.start, idx.stop, idx.step],
                "names": [self.value(idx.name, name, 1)],
            }
        else:
            index = {"levels": idx.nlevels, "names": [self.value(n, name, 1) for n in idx.names]}
            for i in range(idx.nlevels):
                series.append(pd.Series(idx.get_level_values(i)))
                header.append("" if idx.names[i] is None else str(idx.names[i]))
        labels = []
        for j, label in enumerate(df.columns):
            series.append(df.iloc[:, j])
            header.append(str(label))
            labels.append(self.value(label, name, 1))
        columns, cells = [], []
        for s in series:
            spec, col = _encode_column(s, name)
            columns.append(spec)
            cells.append(col)
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(zip(*cells, strict=True) if cells else [[] for _ in range(len(df))])
        data = buf.getvalue().encode("utf-8")
        file = self._file_name(name)
        self.files[file] = data
        return {
            "file": file,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": len(df),
            "index": index,
            "labels": labels,
            "columns_name": self.value(df.columns.name, name, 1),
            "columns_dtype": str(df.columns.dtype),
            "columns": columns,
            "attrs": self.value(dict(df.attrs), f"{name}.attrs", 1),
        }


def _is_null(v: Any) -> str | None:
    """Which kind of missing value ``v`` is ("none", "nan", "na", "nat"), or None."""
    if v is None:
        return "none"
    if v is pd.NA:
        return "na"
    if v is pd.NaT:
        return "nat"
    if isinstance(v, float | np.floating) and math.isnan(v):
        return "nan"
    return None


def _encode_column(s: pd.Series, name: str) -> tuple[dict[str, Any], list[str]]:
    dt = s.dtype
    spec: dict[str, Any] = {"dtype": str(dt)}
    if isinstance(dt, pd.CategoricalDtype):
        cats = [str(c) for c in dt.categories]
        if len(set(cats)) != len(cats):
            raise TypeError(f"{name}: categories that print alike cannot be stored")
        spec["categories"] = [_Writer().value(c, name, 1) for c in dt.categories]
        spec["categories_dtype"] = str(dt.categories.dtype)
        spec["ordered"] = bool(dt.ordered)
        spec["dtype"] = "category"
        codes = s.cat.codes.to_numpy()
        spec["na"] = {"na": [int(i) for i in np.flatnonzero(codes < 0)]}
        return spec, ["" if c < 0 else cats[c] for c in codes]
    if isinstance(dt, pd.StringDtype) or dt is np.dtype(object):
        values = s.tolist()
        nulls: dict[str, list[int]] = {}
        cells = []
        plain = True
        for i, v in enumerate(values):
            kind = _is_null(v)
            if kind is not None:
                nulls.setdefault(kind, []).append(i)
                cells.append("")
            elif isinstance(v, str):
                cells.append(v)
            else:
                plain = False
                break
        if plain:
            spec["na"] = nulls
            return spec, cells
        if isinstance(dt, pd.StringDtype):
            raise TypeError(f"{name}: unexpected value in a string column")
        spec["dtype"] = "object-json"
        w = _Writer()
        return spec, [json.dumps(w.value(v, name, 1), ensure_ascii=False) for v in values]
    if isinstance(dt, pd.DatetimeTZDtype) or dt.kind == "M":
        return spec, ["" if pd.isna(v) else pd.Timestamp(v).isoformat() for v in s.tolist()]
    if dt.kind == "b" or str(dt) == "boolean":
        return spec, ["" if _is_null(v) else str(bool(v)) for v in s.tolist()]
    if dt.kind in "iu":
        return spec, ["" if _is_null(v) else str(int(v)) for v in s.tolist()]
    if dt.kind == "f":
        if isinstance(dt, pd.api.extensions.ExtensionDtype):
            return spec, ["" if v is pd.NA else repr(float(v)) for v in s.tolist()]
        return spec, [repr(float(v)) for v in s.tolist()]
    raise TypeError(f"{name}: cannot store a column of dtype {dt}")


# --------------------------------------------------------------------------------------------
# Reading


def read(folder: str | Path, cls: type[T], *, key: str | None = None) -> T:
    """Load a folder written by :func:`write` as an instance of ``cls``, checking everything.

    Parameters
    ----------
    folder : the results folder.
    cls : the dataclass expected; nested dataclasses must be types its fields name.
    key : if given, the key recorded at writing must equal it.

    Raises
    ------
    ResultsError
        The folder is missing, not a folder, or its contents do not match ``meta.json``, the
        expected type, this format version or ``key``; the message says which.
    """
    folder = Path(folder)
    meta = read_meta(folder)
    if meta.get("type") != cls.__name__:
        raise ResultsError(f"holds a {meta.get('type')!r}, expected {cls.__name__}", file=folder)
    if key is not None and meta.get("key") != key:
        raise ResultsError(
            "was computed from other inputs (cohort, parameters, data or library version)",
            file=folder,
        )
    reader = _Reader(folder, _types_of(cls))
    try:
        obj = reader.value(meta.get("value"), cls.__name__, 0)
    except ResultsError:
        raise
    except Exception as exc:  # anything a foreign meta.json provokes: refused, never trusted
        raise ResultsError(
            f"meta.json does not describe a valid {cls.__name__} ({exc.__class__.__name__}: "
            f"{str(exc)[:200]})",
            file=folder,
        ) from None
    if type(obj) is not cls:
        raise ResultsError(f"holds a {type(obj).__name__}, expected {cls.__name__}", file=folder)
    return obj


def read_meta(folder: Path) -> dict[str, Any]:
    """``meta.json`` of a results folder, after checking it is a regular file of this format."""
    folder = Path(folder)
    try:
        st = os.lstat(folder)
    except OSError:
        raise ResultsError("no results folder here", file=folder) from None
    if not stat.S_ISDIR(st.st_mode):
        raise ResultsError("is not a folder (a file or a symbolic link)", file=folder)
    raw = _read_regular(folder / META, MAX_META_BYTES)
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ResultsError(
            f"not valid JSON ({exc.__class__.__name__})", file=folder / META
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ResultsError(f"not a {FORMAT} metadata file", file=folder / META)
    if meta.get("version") != VERSION:
        raise ResultsError(
            f"format version {meta.get('version')!r}, this library reads version {VERSION}",
            file=folder / META,
        )
    return meta


def _read_regular(path: Path, limit: int, *, size: int | None = None) -> bytes:
    """Bytes of ``path`` if it is a regular file (not a link) within ``limit`` bytes."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        reason = "is missing" if isinstance(exc, FileNotFoundError) else "cannot be opened"
        raise ResultsError(f"{reason} ({exc.strerror})", file=path) from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ResultsError("is not a regular file", file=path)
        if st.st_size > limit:
            raise ResultsError(f"is larger than {limit} bytes", file=path)
        if size is not None and st.st_size != size:
            raise ResultsError(
                f"has {st.st_size} bytes, meta.json recorded {size} (changed after writing)",
                file=path,
            )
        data = fh.read(limit + 1)
    if len(data) > limit or (size is not None and len(data) != size):
        raise ResultsError("changed size while being read", file=path)
    return data


def _types_of(cls: type) -> dict[str, type]:
    """Every dataclass type reachable from ``cls``'s field annotations, by name."""
    found: dict[str, type] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if tp.__name__ in found:
                return
            found[tp.__name__] = tp
            for hint in typing.get_type_hints(tp).values():
                visit(hint)
            return
        for arg in typing.get_args(tp):
            visit(arg)

    visit(cls)
    return found


def _check_type(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits a simple annotation (unknown annotations are not checked)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_check_type(value, a) for a in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, float | int) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    if origin in (tuple, list, dict):
        return isinstance(value, origin)
    return True


class _Reader:
    def __init__(self, folder: Path, types_: dict[str, type]) -> None:
        self.folder = folder
        self.types = types_
        self.seen: set[str] = set()

    def value(self, spec: Any, name: str, depth: int) -> Any:
        if depth > MAX_DEPTH or not isinstance(spec, dict):
            raise ResultsError(f"{name}: not a stored value", file=self.folder / META)
        t = spec["t"]
        if t == "none":
            return None
        if t == "na":
            return pd.NA
        if t == "nat":
            return pd.NaT
        if t == "timestamp":
            return pd.Timestamp(_expect(spec["v"], str, name))
        if t == "bool":
            return _expect(spec["v"], bool, name)
        if t == "int":
            v = spec["v"]
            if not isinstance(v, int) or isinstance(v, bool):
                raise TypeError(f"{name}: expected an integer")
            return v
        if t == "float":
            return float(_expect(spec["v"], str, name))
        if t == "str":
            return _expect(spec["v"], str, name)
        if t in ("tuple", "list"):
            items = [self.value(x, name, depth + 1) for x in _expect(spec["items"], list, name)]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            out = {}
            for pair in _expect(spec["items"], list, name):
                k, v = _expect(pair, list, name)
                out[self.value(k, name, depth + 1)] = self.value(v, name, depth + 1)
            return out
        if t == "frame":
            return self.frame(spec, name)
        if t == "series":
            s = self.frame(spec, name).iloc[:, 0]
            return s.rename(self.value(spec["name"], name, depth + 1))
        if t == "dataclass":
            cls = self.types.get(spec["type"])
            if cls is None:
                raise ResultsError(
                    f"{name}: type {str(spec['type'])[:80]!r} is not part of this result",
                    file=self.folder / META,
                )
            fields = _expect(spec["fields"], dict, name)
            wanted = [f.name for f in dataclasses.fields(cls)]
            if sorted(fields) != sorted(wanted):
                raise ResultsError(
                    f"{name}: fields differ from {cls.__name__} of this library version "
                    f"(missing {sorted(set(wanted) - set(fields))[:5]}, "
                    f"unknown {sorted(set(fields) - set(wanted))[:5]})",
                    file=self.folder / META,
                )
            hints = typing.get_type_hints(cls)
            values = {}
            for f in wanted:
                values[f] = self.value(fields[f], f"{name}.{f}", depth + 1)
                if not _check_type(values[f], hints.get(f, Any)):
                    raise ResultsError(
                        f"{name}.{f}: a {type(values[f]).__name__} does not fit {hints[f]}",
                        file=self.folder / META,
                    )
            return cls(**values)
        raise ResultsError(f"{name}: unknown value kind {str(t)[:40]!r}", file=self.folder / META)

    def frame(self, spec: dict[str, Any], name: str) -> pd.DataFrame:
        file = _expect(spec["file"], str, name)
        if not _FILE_RE.fullmatch(file) or file in self.seen:
            raise ResultsError(f"{name}: bad or repeated table file name", file=self.folder / META)
        self.seen.add(file)
        if len(self.seen) > MAX_TABLES:
            raise ResultsError(f"more than {MAX_TABLES} tables", file=self.folder / META)
        path = self.folder / file
        data = _read_regular(path, MAX_TABLE_BYTES, size=_expect(spec["bytes"], int, name))
        if hashlib.sha256(data).hexdigest() != spec["sha256"]:
            raise ResultsError(
                "checksum differs from meta.json (the file changed after it was written)",
                file=path,
            )
        try:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ResultsError(
                f"not a valid CSV file ({exc.__class__.__name__})", file=path
            ) from None
        n = _expect(spec["rows"], int, name)
        columns = _expect(spec["columns"], list, name)
        index = _expect(spec["index"], dict, name)
        labels = [self.value(x, name, 1) for x in _expect(spec["labels"], list, name)]
        nidx = 0 if "range" in index else _expect(index["levels"], int, name)
        if len(columns) != nidx + len(labels) or not rows or len(rows) - 1 != n:
            raise ResultsError(f"has {max(len(rows) - 1, 0)} rows, expected {n}", file=path)
        header, body = rows[0], rows[1:]
        names = [self.value(x, name, 1) for x in _expect(index["names"], list, name)]
        expected = ["" if x is None else str(x) for x in names[:nidx]] + [str(x) for x in labels]
        if header != expected and not (not expected and header == []):
            raise ResultsError("header differs from meta.json", file=path)
        width = len(expected)
        for i, row in enumerate(body, start=2):
            if len(row) != width:
                raise ResultsError(f"line {i} has {len(row)} fields, expected {width}", file=path)
        cols = list(zip(*body, strict=True)) if body and width else [()] * width
        decoded = [
            _decode_column(list(c), s, f"{file}:{j}", self)
            for j, (c, s) in enumerate(zip(cols, columns, strict=True))
        ]
        if "range" in index:
            start, stop, step = (_expect(x, int, name) for x in index["range"])
            idx: pd.Index = pd.RangeIndex(start, stop, step, name=names[0])
            if len(idx) != n:
                raise ResultsError("row index range does not match the row count", file=path)
        elif nidx == 1:
            idx = pd.Index(decoded[0], name=names[0])
        else:
            idx = pd.MultiIndex.from_arrays(decoded[:nidx], names=names)
        data_cols = decoded[nidx:]
        df = pd.DataFrame({j: s.reset_index(drop=True) for j, s in enumerate(data_cols)})
        if not data_cols:
            df = pd.DataFrame(index=range(n))
        df.index = idx
        cdt = _expect(spec["columns_dtype"], str, name)
        if not _DTYPE_RE.fullmatch(cdt):
            raise TypeError(f"{name}: bad column dtype")
        df.columns = pd.Index(
            labels,
            dtype=pd.api.types.pandas_dtype(cdt),
            name=self.value(spec["columns_name"], name, 1),
        )
        attrs = self.value(spec["attrs"], name, 1)
        if not isinstance(attrs, dict):
            raise ResultsError(f"{name}: attrs is not a mapping", file=self.folder / META)
        df.attrs = attrs
        return df


def _expect(v: Any, tp: type, name: str) -> Any:
    if not isinstance(v, tp) or (tp is int and isinstance(v, bool)):
        raise TypeError(f"{name}: expected {tp.__name__}, got {type(v).__name__}")
    return v


def _positions(spec: dict[str, Any], n: int) -> Iterator[tuple[str, int]]:
    na = spec.get("na", {})
    if not isinstance(na, dict):
        raise TypeError("na is not a mapping")
    for kind, pos in na.items():
        if kind not in ("none", "nan", "na", "nat") or not isinstance(pos, list):
            raise TypeError(f"bad missing-value kind {str(kind)[:20]!r}")
        for i in pos:
            if not isinstance(i, int) or not 0 <= i < n:
                raise TypeError("missing-value position out of range")
            yield kind, i


_NULLS = {"none": None, "nan": np.nan, "na": pd.NA, "nat": pd.NaT}


def _decode_column(cells: list[str], spec: dict[str, Any], name: str, reader: _Reader) -> pd.Series:
    dtype_s = _expect(spec["dtype"], str, name)
    if not _DTYPE_RE.fullmatch(dtype_s):
        raise TypeError(f"{name}: bad dtype")
    n = len(cells)
    if dtype_s == "category":
        cats = [reader.value(c, name, 1) for c in _expect(spec["categories"], list, name)]
        cat_index = pd.Index(cats, dtype=pd.api.types.pandas_dtype(spec["categories_dtype"]))
        lookup = {str(c): i for i, c in enumerate(cat_index)}
        codes = np.array([lookup.get(c, -1) for c in cells], dtype=np.int64)
        nulls = {i for _, i in _positions(spec, n)}
        if any((codes[i] < 0) != (i in nulls) for i in range(n)):
            raise ValueError(f"{name}: a value is not one of the categories")
        dt = pd.CategoricalDtype(cat_index, ordered=_expect(spec["ordered"], bool, name))
        return pd.Series(pd.Categorical.from_codes(codes, dtype=dt))
    if dtype_s == "object-json":
        return pd.Series([reader.value(json.loads(c), name, 1) for c in cells], dtype=object)
    dt = pd.api.types.pandas_dtype(dtype_s)
    if isinstance(dt, pd.StringDtype) or dt is np.dtype(object):
        values: list[Any] = list(cells)
        for kind, i in _positions(spec, n):
            if values[i] != "":
                raise ValueError(f"{name}: a missing value has text")
            values[i] = _NULLS[kind]
        return pd.Series(values, dtype=dt)
    if isinstance(dt, pd.DatetimeTZDtype) or dt.kind == "M":
        return pd.Series(pd.to_datetime([c or None for c in cells], format="ISO8601")).astype(dt)
    if dt.kind == "b" or str(dt) == "boolean":
        table = {"True": True, "False": False, "": None}
        vals = [table[c] for c in cells]
        if isinstance(dt, np.dtype) and None in vals:
            raise ValueError(f"{name}: missing value in a bool column")
        return pd.Series(vals, dtype=dt)
    if dt.kind in "iu":
        return pd.Series([int(c) if c != "" else None for c in cells], dtype=dt)
    if dt.kind == "f":
        if isinstance(dt, pd.api.extensions.ExtensionDtype):
            return pd.Series([float(c) if c != "" else None for c in cells], dtype=dt)
        return pd.Series(np.array([float(c) for c in cells], dtype=dt))
    raise TypeError(f"{name}: unsupported dtype {dtype_s}")


# --------------------------------------------------------------------------------------------
# Moving a folder as one message (e.g. to cluster workers)


def pack(folder: str | Path) -> bytes:
    """The files of a results folder as one JSON document (checked with :func:`read` later)."""
    folder = Path(folder)
    meta = read_meta(folder)
    files = {META: _read_regular(folder / META, MAX_META_BYTES).decode("utf-8")}

    def walk(spec: Any) -> None:
        if isinstance(spec, dict):
            file = spec.get("file")
            if (
                spec.get("t") in ("frame", "series")
                and isinstance(file, str)
                and _FILE_RE.fullmatch(file)
            ):
                files[file] = _read_regular(folder / file, MAX_TABLE_BYTES).decode("utf-8")
            for v in spec.values():
                walk(v)
        elif isinstance(spec, list):
            for v in spec:
                walk(v)

    walk(meta.get("value"))
    return json.dumps(files, ensure_ascii=False).encode("utf-8")


def unpack(data: bytes, folder: str | Path) -> Path:
    """Write what :func:`pack` produced to ``folder`` (replaced as a whole)."""
    folder = Path(folder)
    try:
        files = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ResultsError(
            f"packed results are not valid JSON ({exc.__class__.__name__})"
        ) from None
    if not isinstance(files, dict) or META not in files:
        raise ResultsError("packed results have no meta.json")
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        for name, text in files.items():
            if not isinstance(text, str) or not (name == META or _FILE_RE.fullmatch(name)):
                raise ResultsError(f"packed results hold a bad file name {str(name)[:60]!r}")
            _write_file(tmp / name, text.encode("utf-8"))
        _replace_folder(tmp, folder)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
