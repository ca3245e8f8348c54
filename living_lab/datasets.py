"""Loaders of the bundled tidy tables and of user-supplied SPBE files.

Each loader reads ``data/<name>.csv``, checks it against its schema (``data/<name>.meta.yml``)
and returns a fresh DataFrame (callers may modify it). Region codes are strings.

Examples
--------
>>> spbe = load_spbe()
>>> spbe.loc[(spbe.region_code == "3211") & (spbe.year == 2024), "index"].item()
4.51
>>> panel = load_panel()
>>> sorted(panel.columns)[:4]
['d1', 'd2', 'd3', 'd4']
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from living_lab import paths, validate
from living_lab.errors import InputError, ParameterError
from living_lab.framework import (
    DEFAULT_FRAMEWORK,
    available_frameworks,
    check_spbe_consistency,
    load_framework,
)
from living_lab.regions import resolve_column
from living_lab.tables import (  # noqa: F401 - part of this module's interface
    _read_bundled,
    load_region_aliases,
    load_regions,
    load_table,
    read_csv_text,
)

Confidence = Literal["high", "medium", "low"]
_CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}
#: Outcome indicators that become columns of the panel and the cross-section.
PANEL_INDICATORS = (
    "stunting_prevalence_pct",
    "poverty_rate_pct",
    "grdp_per_capita_thousand_idr",
    "population",
)


def load_spbe(
    *,
    framework: str | None = "permenpanrb-59-2020",
    extra: str | Path | Sequence[str | Path] = (),
) -> pd.DataFrame:
    """SPBE results per region and year.

    Parameters
    ----------
    framework : keep only rows scored under this framework (default: PermenPANRB 59/2020, from
        2021). ``None`` keeps every row, including Sumedang's 2020 value under the older framework;
        the ``framework`` column says which is which, so the two are never silently mixed.
    extra : user-supplied SPBE files (same columns as ``data/spbe_index.csv``, with ``region``
        names or ``region_code``), e.g. a newly published evaluation year; one path or a list.
        They are validated and their rows replace bundled rows of the same region and year; a
        region and year given by two of them is refused. Published Pemdi results (PermenPANRB
        8/2026, from the 2026 round) go in with ``framework`` ``pemdi-2026`` and no d1-d4: they
        are their own series, returned only with ``framework="pemdi-2026"`` (or ``None``,
        where the ``framework`` column keeps them apart), never joined onto the SPBE index.
    """
    frameworks = validate.load_schema("spbe_index")["columns"]["framework"]["values"]
    if framework is not None and framework not in frameworks:
        raise ParameterError(
            f"framework: unknown framework {framework!r}; expected one of "
            f"{sorted(frameworks)} or None"
        )
    if isinstance(extra, str | Path):
        extra = [extra]
    df = load_table("spbe_index")
    if extra:
        files = [read_spbe_file(p).assign(_file=str(p)) for p in extra]
        user = pd.concat(files, ignore_index=True)
        dup = user.duplicated(["region_code", "year"])
        if dup.any():
            row = user[dup].iloc[0]
            first = user[
                (user["region_code"] == row["region_code"]) & (user["year"] == row["year"])
            ].iloc[0]
            raise InputError(
                f"region {row['region_code']} year {row['year']} is also in {first['_file']}; "
                "expected each region and year in one extra file",
                file=row["_file"],
                field="region_code",
            )
        user = user.drop(columns="_file")
        keep = ~df.set_index(["region_code", "year"]).index.isin(
            user.set_index(["region_code", "year"]).index
        )
        df = pd.concat([df[keep], user], ignore_index=True)
    if framework is not None:
        df = df[df["framework"] == framework]
    return df.sort_values(["region_code", "year"], ignore_index=True)


def read_spbe_file(path: str | Path) -> pd.DataFrame:
    """Read and check a user-supplied SPBE results file.

    Columns: ``region`` (name or code) or ``region_code``; ``year``; ``index``; optionally
    ``d1``-``d4``, ``predicate``, ``framework`` (default PermenPANRB 59/2020) and ``source``
    (default: the file name). Wrong columns, non-numeric scores, duplicate region-years,
    unknown regions and scores outside 1-5 are refused with the file, line and field.
    """
    path = Path(path)
    raw = validate.read_user_csv(path)
    if "region" in raw.columns and "region_code" not in raw.columns:
        raw["region_code"] = resolve_column(raw, "region", file=str(path))
        raw = raw.drop(columns="region")
    elif "region_code" in raw.columns:
        raw["region_code"] = resolve_column(raw, "region_code", file=str(path))
    else:
        raise InputError(
            "missing column 'region' (a name or BPS code) or 'region_code'", file=path, row=1
        )
    raw["framework"] = raw["framework"] if "framework" in raw.columns else DEFAULT_FRAMEWORK
    raw["framework"] = raw["framework"].fillna(DEFAULT_FRAMEWORK)
    raw["source"] = raw["source"].fillna(path.name) if "source" in raw.columns else path.name
    df = validate.check_table(raw, "spbe_index", file=path)
    for col in ["d1", "d2", "d3", "d4", "predicate"]:
        if col not in df.columns:
            df[col] = None
    _check_frameworks(df, path)
    check_spbe_consistency(df, file=path)
    if df["predicate"].isna().any():
        for framework_id, rows in df[df["predicate"].isna()].groupby("framework", sort=False):
            df.loc[rows.index, "predicate"] = load_framework(str(framework_id)).predicates_of(
                rows["index"]
            )
    df["year"] = df["year"].astype(int)
    return df.drop(columns="_line")[list(validate.load_schema("spbe_index")["columns"])]


def _check_frameworks(df: pd.DataFrame, path: Path) -> None:
    """Each row's framework must apply to its year and have the bundled table's domains.

    A framework whose top-level groups are not the four SPBE domains (Pemdi's seven aspects)
    has no d1-d4: its rows carry the index (and predicate) only, as their own series.
    """
    known = set(available_frameworks())
    for pos, (framework_id, year) in enumerate(zip(df["framework"], df["year"], strict=True)):
        if framework_id not in known:
            continue  # an older framework without a definition file
        fw = load_framework(str(framework_id))
        line = int(df["_line"].iloc[pos]) if "_line" in df.columns else None
        if not fw.applies_to(int(year)):
            until = f"-{fw.valid_to_year}" if fw.valid_to_year is not None else " onward"
            others = [f for f in sorted(known - {fw.id}) if load_framework(f).applies_to(int(year))]
            hint = f"; give framework {others[0]} for {year}" if others else ""
            raise InputError(
                f"year {year}: {fw.name} applies to evaluation years {fw.valid_from_year}{until}"
                f"{hint} (a separate series; scores are never converted between frameworks)",
                file=path,
                row=line,
                field="framework",
            )
        if fw.domain_columns != ["d1", "d2", "d3", "d4"]:
            filled = [c for c in ("d1", "d2", "d3", "d4") if pd.notna(df[c].iloc[pos])]
            if filled:
                raise InputError(
                    f"{filled[0]} is given, but {fw.name} has no SPBE domains; leave d1-d4 "
                    "empty for its rows (index and predicate only)",
                    file=path,
                    row=line,
                    field=filled[0],
                )


def load_spbe_national() -> pd.DataFrame:
    """National SPBE index and domains, 2018-2024 (``framework`` marks the 2018-2020 regime)."""
    return load_table("spbe_national")


def load_spbe_instansi() -> pd.DataFrame:
    """SPBE results of central agencies and provinces."""
    return load_table("spbe_instansi")


def load_outcomes(*, min_confidence: Confidence = "medium") -> pd.DataFrame:
    """Outcome figures in long format, keeping those at or above ``min_confidence``.

    Low-confidence figures (Papua GRDP, 16 Papua stunting values, population 2025) are left out
    by default; pass ``min_confidence="low"`` to include them, and say so in any output.
    """
    if min_confidence not in _CONFIDENCE_RANK:
        from living_lab.errors import ParameterError

        raise ParameterError(
            f"min_confidence: {min_confidence!r}; expected one of {list(_CONFIDENCE_RANK)}"
        )
    df = load_table("outcomes")
    validate.check_outcome_ranges(df, file=paths.dataset("outcomes"))
    keep = df["confidence"].map(_CONFIDENCE_RANK) >= _CONFIDENCE_RANK[min_confidence]
    return df[keep].reset_index(drop=True)


def load_panel(
    *, min_confidence: Confidence = "medium", include_older_frameworks: bool = False
) -> pd.DataFrame:
    """One row per region and year with SPBE scores and outcomes side by side.

    Rows exist for every region-year with an SPBE result or any panel outcome; a value that
    was not published for that year is missing (NaN), never filled. Outcome years differ from
    SPBE years (stunting 2024, poverty 2021/2025), so most cross-year analyses want
    :func:`load_cross_section` instead.
    """
    spbe = load_spbe(framework=None if include_older_frameworks else "permenpanrb-59-2020")
    spbe = spbe.drop(columns=["source"])
    out = load_outcomes(min_confidence=min_confidence)
    out = out[out["indicator"].isin(PANEL_INDICATORS)]
    wide = out.pivot(
        index=["region_code", "year"], columns="indicator", values="value"
    ).reset_index()
    wide.columns.name = None
    panel = spbe.merge(wide, on=["region_code", "year"], how="outer")
    regions = load_regions()[
        ["region_code", "name", "kind", "province", "province_code", "island_group"]
    ]
    panel = panel.merge(regions, on="region_code", how="left", validate="many_to_one")
    for ind in PANEL_INDICATORS:
        if ind not in panel.columns:
            panel[ind] = float("nan")
    return panel.sort_values(["region_code", "year"], ignore_index=True)


def load_cross_section(*, min_confidence: Confidence = "medium") -> pd.DataFrame:
    """One row per region (all 514) with each year's SPBE and outcomes as columns.

    Columns: region attributes; ``index_<year>``, ``d1_<year>`` ... for each SPBE year;
    ``<indicator>_<year>`` for each outcome figure (e.g. ``stunting_prevalence_pct_2024``,
    ``poverty_rate_pct_2021``, ``grdp_per_capita_thousand_idr_2023``). Missing stays missing.
    """
    regions = load_regions()
    spbe = load_spbe()
    spbe_wide = spbe.pivot(
        index="region_code", columns="year", values=["index", "d1", "d2", "d3", "d4", "predicate"]
    )
    spbe_wide.columns = [f"{name}_{year}" for name, year in spbe_wide.columns]
    out = load_outcomes(min_confidence=min_confidence)
    out_wide = out.pivot(index="region_code", columns=["indicator", "year"], values="value")
    out_wide.columns = [f"{ind}_{year}" for ind, year in out_wide.columns]
    cs = regions.merge(spbe_wide.reset_index(), on="region_code", how="left")
    cs = cs.merge(out_wide.reset_index(), on="region_code", how="left")
    return cs


def data_version() -> str:
    """A short hash of every bundled table and metadata file (for report manifests)."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted(paths.DATA.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".yml", ".yaml"}:
            h.update(path.relative_to(paths.DATA).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
