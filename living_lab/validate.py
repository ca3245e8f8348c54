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
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from living_lab import paths
from living_lab.errors import InputError, ParameterError

#: A user file larger than this is refused before parsing (bytes).
MAX_USER_FILE_BYTES = 50 * 1024 * 1024
#: Largest allowed gap between a published index and the index recomputed from its rounded domains.
INDEX_TOLERANCE = 0.01


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The metadata/schema mapping of bundled table ``name``."""
    path = paths.metadata(name)
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError("metadata file missing", file=path) from exc
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
        raise InputError(
            f"missing required column(s) {missing}; expected columns {list(columns)}",
            file=file,
            row=1,
        )
    extra = [c for c in present if c not in columns]
    if extra and not allow_extra:
        raise InputError(
            f"unexpected column(s) {extra}; expected columns {list(columns)}", file=file, row=1
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
            raise InputError(
                f"duplicate key ({values}); each {'/'.join(key)} may appear once",
                file=file,
                row=_line(out, pos),
            )
    return out


def _coerce(df: pd.DataFrame, col: str, spec: dict[str, Any], file: str | Path) -> pd.Series:
    kind = spec.get("type", "string")
    s = df[col]
    if kind == "string":
        return s.astype("string").str.strip().astype(object).where(s.notna(), None)
    numeric = pd.to_numeric(s, errors="coerce")
    bad = numeric.isna() & s.notna() & (s.astype(str).str.strip() != "")
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{s.iloc[pos]!r} is not a number; expected a {'whole number' if kind == 'integer' else 'number'}",
            file=file,
            row=_line(df, pos),
            field=col,
        )
    if kind == "integer":
        frac = numeric.notna() & (numeric != np.round(numeric))
        if frac.any():
            pos = int(np.flatnonzero(frac.to_numpy())[0])
            raise InputError(
                f"{s.iloc[pos]!r} is not a whole number", file=file, row=_line(df, pos), field=col
            )
        return numeric.astype("Int64")
    return numeric.astype(float)


def _check_values(df: pd.DataFrame, col: str, spec: dict[str, Any], file: str | Path) -> None:
    s = df[col]
    if spec.get("required"):
        empty = s.isna()
        if empty.any():
            pos = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(
                "empty value; this field is required", file=file, row=_line(df, pos), field=col
            )
    present = s.notna()
    if "min" in spec or "max" in spec:
        lo, hi = spec.get("min", -np.inf), spec.get("max", np.inf)
        values = s.astype(float)
        out = present & ((values < lo) | (values > hi))
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError(
                f"{s.iloc[pos]} is out of range; expected {lo} to {hi}",
                file=file,
                row=_line(df, pos),
                field=col,
            )
    if "values" in spec:
        allowed = set(spec["values"])
        out = present & ~s.isin(allowed)
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError(
                f"{s.iloc[pos]!r} is not allowed; expected one of {sorted(allowed)}",
                file=file,
                row=_line(df, pos),
                field=col,
            )
    if "pattern" in spec:
        rx = re.compile(spec["pattern"])
        out = present & ~s.astype(str).map(lambda v: bool(rx.match(v)))
        if out.any():
            pos = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError(
                f"{s.iloc[pos]!r} does not look right; expected the pattern {spec['pattern']}",
                file=file,
                row=_line(df, pos),
                field=col,
            )


def check_outcome_ranges(df: pd.DataFrame, *, file: str | Path) -> None:
    """Rates (indicators ending in ``_pct``) must lie in 0-100."""
    rate = df["indicator"].str.endswith("_pct") & ((df["value"] < 0) | (df["value"] > 100))
    if rate.any():
        pos = int(np.flatnonzero(rate.to_numpy())[0])
        raise InputError(
            f"{df['value'].iloc[pos]} is not a percentage; expected 0 to 100 for {df['indicator'].iloc[pos]}",
            file=file,
            row=_line(df, pos),
            field="value",
        )


def check_spbe_consistency(
    df: pd.DataFrame, *, file: str | Path, tolerance: float = INDEX_TOLERANCE
) -> None:
    """The index must agree with its domains (where all are known) and its predicate with its index."""
    from living_lab.framework import (
        load_framework,  # local: framework imports this module's errors only
    )

    for framework_id, rows in df.groupby("framework", sort=False):
        try:
            fw = load_framework(str(framework_id))
        except ParameterError:  # an older framework without a definition file: no weights to check
            continue
        cols = fw.domain_columns
        rows = rows.reindex(columns=[*rows.columns, *[c for c in cols if c not in rows.columns]])
        complete = rows[cols].notna().all(axis=1)
        recomputed = rows.loc[complete, cols].to_numpy(float) @ fw.domain_weights
        gap = np.abs(recomputed - rows.loc[complete, "index"].to_numpy(float))
        if (gap > tolerance).any():
            i = int(np.argmax(gap))
            pos = df.index.get_loc(rows.index[complete][i])
            raise InputError(
                f"index {rows.loc[complete, 'index'].iloc[i]} disagrees with its domains "
                f"(weighted {recomputed[i]:.3f}); expected agreement within {tolerance}",
                file=file,
                row=_line(df, pos),
                field="index",
            )
        if "predicate" in rows.columns:
            # A printed predicate may be judged on the printed index or on the unrounded one
            # (recomputed from the domains); accept either, flag anything else.
            has = rows["predicate"].notna()
            printed = fw.predicates_of(rows.loc[has, "index"].to_numpy(float))
            unrounded = fw.predicates_of(
                rows.loc[has, cols].to_numpy(float) @ fw.domain_weights
            )  # NaN -> None
            given = rows.loc[has, "predicate"].to_numpy(object)
            wrong = (given != printed) & (given != unrounded)
            if wrong.any():
                i = int(np.flatnonzero(wrong)[0])
                pos = df.index.get_loc(rows.index[has][i])
                raise InputError(
                    f"predicate {given[i]!r} does not match index "
                    f"{rows.loc[has, 'index'].iloc[i]}; expected {printed[i]!r}",
                    file=file,
                    row=_line(df, pos),
                    field="predicate",
                )


def read_user_csv(path: str | Path) -> pd.DataFrame:
    """Read a user-supplied CSV robustly, or refuse it with one clear line.

    Accepts UTF-8 with or without a byte-order mark and a comma, semicolon or tab delimiter
    (spreadsheets in Indonesian locales export with semicolons). Returns every column as text
    plus a ``_line`` column with each row's line number; type checks come after, from a schema.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path)
    if path.is_dir():
        raise InputError("is a folder; expected a CSV file", file=path)
    size = path.stat().st_size
    if size == 0:
        raise InputError("file is empty; expected a header line and rows", file=path)
    if size > MAX_USER_FILE_BYTES:
        raise InputError(
            f"file is {size / 1e6:.0f} MB; expected at most {MAX_USER_FILE_BYTES / 1e6:.0f} MB",
            file=path,
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as CSV UTF-8",
            file=path,
            row=line,
        ) from None
    if "\x00" in text:
        raise InputError(
            "contains NUL bytes; expected a text CSV file (is it a spreadsheet?)", file=path
        )
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise InputError("first line is empty; expected a header line", file=path, row=1)
    delimiter = max([",", ";", "\t"], key=header.count)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", file=path) from None
    names = [h.strip() for h in rows[0]]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"column {dup!r} appears twice in the header", file=path, row=1)
    records, lines = [], []
    line_no = 1
    for row in rows[1:]:
        line_no += 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise InputError(
                f"has {len(row)} fields; expected {len(names)} like the header (delimiter {delimiter!r})",
                file=path,
                row=line_no,
            )
        records.append([cell.strip() if cell.strip() != "" else None for cell in row])
        lines.append(line_no)
    if not records:
        raise InputError("has a header but no data rows", file=path)
    df = pd.DataFrame(records, columns=names, dtype=object)
    df["_line"] = lines
    return df
