"""The bundled tidy tables, read and checked against their schema (the base of every loader).

:mod:`living_lab.datasets` builds its loaders on these and re-exports them; they live here so
that :mod:`living_lab.regions` (which resolves names against the registry) and
:mod:`living_lab.datasets` (which resolves names in user files) need not import each other.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import pandas as pd

from living_lab import paths, validate
from living_lab.errors import DataMissingError, InputError


@cache
def _read_bundled(name: str) -> pd.DataFrame:
    path = paths.dataset(name)
    if not path.exists():
        raise DataMissingError.keyed("err.data.table_missing", path=path)
    raw = read_csv_text(path)
    raw = raw.astype(object).where(raw.notna(), None)
    return validate.check_table(raw, name, file=path)


def read_csv_text(path: Path) -> pd.DataFrame:
    """A bundled or raw source CSV as text columns (empty cells missing), or one clear line.

    Unlike :func:`living_lab.validate.read_user_csv` (user files: any delimiter, cells
    stripped), this reads the project's own comma-separated UTF-8 tables exactly as written.
    """
    validate.check_file(path, kind="CSV", limit=validate.MAX_USER_FILE_BYTES * 4)
    text = validate.read_text(path, kind="CSV", limit=validate.MAX_USER_FILE_BYTES * 4)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise InputError("has no header line; expected a CSV table", file=path, row=1) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise InputError(f"malformed CSV ({detail})", file=path) from None


def load_table(name: str) -> pd.DataFrame:
    """Any bundled table by name (``regions``, ``spbe_index``, ``outcomes``, ...), checked."""
    df = _read_bundled(name).copy()
    for col in df.columns:
        if str(df[col].dtype) == "Int64" and not df[col].isna().any():
            df[col] = df[col].astype(int)
    return df


def load_regions() -> pd.DataFrame:
    """The kabupaten/kota registry: code, names, kind, province, island group."""
    return load_table("regions")


def load_region_aliases() -> pd.DataFrame:
    """Spellings of region names in the sources, with their codes."""
    return load_table("region_aliases")
