"""The tables peer benchmarking works on: evaluated regions per year, and context features.

Everything here reads the bundled tables through :mod:`living_lab.datasets`; nothing is filled
in. A region-year without a published SPBE result is simply not in :func:`scores`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from living_lab import datasets
from living_lab.datasets import Confidence
from living_lab.errors import ParameterError
from living_lab.framework import Framework, load_framework
from living_lab.regions import resolve_region

#: Region attributes carried along with the scores.
ATTRIBUTES = ("name", "kind", "province", "province_code", "island_group")


@cache
def _all_scores() -> pd.DataFrame:
    spbe = datasets.load_spbe()
    regions = datasets.load_regions()[["region_code", *ATTRIBUTES]]
    df = spbe.merge(regions, on="region_code", how="left", validate="many_to_one")
    return df[df["index"].notna()].reset_index(drop=True)


def evaluation_years() -> list[int]:
    """Years with published SPBE results under the current framework (any number of regions)."""
    return sorted(int(y) for y in _all_scores()["year"].unique())


def latest_year() -> int:
    """The most recent evaluation year with results for more than one region."""
    counts = _all_scores().groupby("year").size()
    return int(counts[counts > 1].index.max())


def check_year(year: int | None) -> int:
    """Resolve ``None`` to the latest year and refuse a year without results."""
    if year is None:
        return latest_year()
    years = evaluation_years()
    if isinstance(year, bool) or not isinstance(year, int | np.integer) or int(year) not in years:
        raise ParameterError.keyed("err.peers.year", year=year, years=str(years))
    return int(year)


def scores(year: int) -> pd.DataFrame:
    """Every region evaluated in ``year``, indexed by region_code.

    Columns: name, kind, province, province_code, island_group, d1..d4, index (as published),
    predicate (as published), source.
    """
    return _scores(int(year)).copy()


def scores_view(year: int) -> pd.DataFrame:
    """:func:`scores` without the copy, for loops over many regions; the caller must not
    modify it (it is the cached table every later call returns)."""
    return _scores(int(year))


@cache
def _scores(year: int) -> pd.DataFrame:
    df = _all_scores()
    df = df[df["year"] == year].set_index("region_code")
    df.index.name = "region_code"
    return df.drop(columns=["year", "framework"])


@cache
def row_positions(year: int) -> dict[str, int]:
    """Row of each region in :func:`scores_view` of ``year`` (for array lookups in loops)."""
    return {str(c): i for i, c in enumerate(_scores(int(year)).index)}


@cache
def _member_rows(year: int, members: tuple[str, ...]) -> np.ndarray:
    at = row_positions(year)
    return np.array([at[c] for c in members], dtype=np.intp)


def member_rows(year: int, members: tuple[str, ...], *, exclude: str | None = None) -> np.ndarray:
    """Rows of :func:`scores_view` of ``year`` holding ``members`` (every one evaluated that
    year), in member order, without ``exclude``. A group's members are the same tuple for many
    regions, so they are looked up once."""
    pos = _member_rows(int(year), tuple(members))
    if exclude is None:
        return pos
    return pos[pos != row_positions(int(year))[exclude]]


def region_years(region_code: str) -> list[int]:
    """Evaluation years in which ``region_code`` has a published index."""
    return list(_years_by_region().get(region_code, ()))


@cache
def _years_by_region() -> dict[str, tuple[int, ...]]:
    df = _all_scores()
    return {str(c): tuple(sorted(int(y) for y in g)) for c, g in df.groupby("region_code")["year"]}


def previous_year(region_code: str, year: int) -> int | None:
    """The region's latest evaluation year before ``year`` (None if there is none)."""
    earlier = [y for y in region_years(region_code) if y < year]
    return earlier[-1] if earlier else None


def evaluated_region(region: str | int, year: int) -> str:
    """Resolve a region and check it was evaluated in ``year``."""
    code = resolve_region(region)
    years = region_years(code)
    if year not in years:
        from living_lab.regions import region_name

        raise ParameterError(
            f"year: {region_name(code)} ({code}) has no SPBE result for {year}; "
            f"its evaluated years are {years or 'none'}"
        )
    return code


def domain_columns(framework: Framework | None = None) -> list[str]:
    """``d1``..``dK`` of the framework."""
    return (framework or load_framework()).domain_columns


@dataclass(frozen=True)
class Feature:
    """A numeric context feature chosen for one pool of regions.

    ``values`` holds the pool's values (NaN where missing); ``year`` is the single data year
    used, ``coverage`` the share of the pool that has it (0 when no year qualifies).
    """

    indicator: str
    year: int | None
    coverage: float
    confidence: str
    values: pd.Series


def outcome_feature(
    indicator: str,
    pool: pd.Index,
    *,
    year: int,
    min_confidence: Confidence = "medium",
    min_coverage: float = 0.0,
) -> Feature:
    """Values of an outcome indicator for the regions in ``pool``, from one common year.

    The year is the latest at or before ``year`` whose coverage of the pool reaches
    ``min_coverage``; failing that, the earliest later one; failing both, no year (all NaN).
    One year for everybody keeps the comparison like-for-like.
    """
    by_year, confidence = _indicator_by_year(indicator, min_confidence)
    empty = pd.Series(np.nan, index=pool, dtype=float)
    best: tuple[int, float] | None = None
    before = sorted((y for y in by_year if y <= year), reverse=True)
    after = sorted(y for y in by_year if y > year)
    coverage_seen = 0.0
    for y in [*before, *after]:
        have = by_year[y].index[by_year[y].notna().to_numpy()]
        cov = float(pool.isin(have).mean()) if len(pool) else 0.0
        coverage_seen = max(coverage_seen, cov)
        if cov >= min_coverage and cov > 0:
            best = (y, cov)
            break
    if best is None:
        return Feature(indicator, None, coverage_seen, min_confidence, empty)
    y, cov = best
    values = by_year[y].reindex(pool).astype(float)
    return Feature(indicator, y, cov, confidence[y], values)


@cache
def _indicator_by_year(
    indicator: str, min_confidence: Confidence
) -> tuple[dict[int, pd.Series], dict[int, str]]:
    """An outcome indicator's values per year (by region_code) and the confidence levels of each
    year, read once per process (the bundled tables do not change while it runs)."""
    out = datasets.load_outcomes(min_confidence=min_confidence)
    out = out[out["indicator"] == indicator]
    by_year = {int(y): g.set_index("region_code")["value"] for y, g in out.groupby("year")}
    confidence = {int(y): "/".join(sorted(set(g["confidence"]))) for y, g in out.groupby("year")}
    return by_year, confidence


def plain(v: Any) -> Any:
    """A table cell as plain Python for JSON: numpy scalars unwrapped, NaN/NA as None."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v
