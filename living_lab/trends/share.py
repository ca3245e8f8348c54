"""Share of a cohort expected at or above the target, year by year, with an interval.

The expected share is the average over the cohort of each region's probability that the index
published for that year is at or above the target. Its interval is a prediction interval for
the share that will actually be published: it is simulated jointly over regions, because the
regions are not independent. They share the error of their group's mean slope and the common
year shock (:mod:`living_lab.trends.pooled`), which move every region's forecast together;
treating regions as independent would make the interval far too narrow.

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> from living_lab.cohorts import load_cohort
>>> from living_lab.trends import fit_pooled
>>> fit = fit_pooled(load_spbe())
>>> table = share_reaching(fit, 3.5, years=[2025, 2026], regions=load_cohort("jawa-barat"))
>>> list(table.columns[:4])
['year', 'n', 'n_at_or_above_last', 'share']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.trends import predictive
from living_lab.trends._data import from_model
from living_lab.trends.pooled import PooledTrendFit, _check_target
from living_lab.trends.region import _years

SHARE_COLUMNS = [
    "year",
    "n",
    "n_at_or_above_last",
    "share",
    "lo80",
    "hi80",
    "lo95",
    "hi95",
    "n_without_data",
    "method",
]


def _cohort_codes(
    regions: Sequence[str] | Any | None, available: Sequence[str]
) -> tuple[list[str], int]:
    if regions is None:
        return list(available), 0
    if isinstance(regions, str):
        regions = [regions]
    asked = list(regions.regions) if hasattr(regions, "regions") else [str(r) for r in regions]
    have = set(available)
    codes = [c for c in dict.fromkeys(asked) if c in have]
    return codes, len(dict.fromkeys(asked)) - len(codes)


def share_reaching(
    summary_or_fit: PooledTrendFit | pd.DataFrame,
    target: float = 3.5,
    years: int | Iterable[int] = range(2025, 2031),
    *,
    regions: Sequence[str] | Any | None = None,
    n_draws: int = 4000,
    seed: int = 20250101,
) -> pd.DataFrame:
    """Expected share of a cohort with a published index at or above ``target``, per year.

    Parameters
    ----------
    summary_or_fit : a :class:`PooledTrendFit` (every year, joint interval) or a table from
        ``fit.summary()`` (its ``target_year`` only; the interval then treats regions as
        independent, which understates it, and ``method`` says so).
    target : the index to reach (default 3.5, the Living Lab goal).
    years : evaluation years.
    regions : a cohort (:class:`~living_lab.cohorts.Cohort`) or region codes; default every
        region of the fit. Regions without usable SPBE rows are counted in ``n_without_data``
        and left out of ``n`` and of the share.
    n_draws, seed : Monte Carlo draws for the interval (seeded, so reports are reproducible).

    Returns
    -------
    DataFrame with ``year, n, n_at_or_above_last`` (already at or above in their last
    published year), ``share`` (expected share, 0-1), ``lo80, hi80, lo95, hi95`` (prediction
    interval of the share), ``n_without_data``, ``method``.
    """
    _check_target(target)
    if not isinstance(n_draws, int) or n_draws < 100:
        raise ParameterError(f"n_draws: {n_draws!r}; expected a whole number >= 100")
    yrs = _years(years)
    rng = np.random.default_rng(seed)
    if isinstance(summary_or_fit, pd.DataFrame):
        return _from_summary(summary_or_fit, float(target), yrs, regions, n_draws, rng)
    if not isinstance(summary_or_fit, PooledTrendFit):
        raise ParameterError(
            "summary_or_fit: expected a PooledTrendFit or a table from PooledTrendFit.summary(), "
            f"got {type(summary_or_fit).__name__}"
        )
    fit = summary_or_fit
    codes, n_missing = _cohort_codes(regions, fit.regions["region_code"].tolist())
    if not codes:
        raise ParameterError("regions: none of the regions has usable SPBE rows in this fit")
    last = fit.regions.set_index("region_code").loc[codes, "last_index"].to_numpy()
    groups, gidx = np.unique(
        fit.regions.set_index("region_code").loc[codes, "group"], return_inverse=True
    )
    rows = []
    for year in yrs:
        mo = fit.moments([int(year)], region_codes=codes)
        p = predictive.prob_at_least(float(target), mo.m, mo.v, mo.s2, fit.scale)
        # Joint draws: own part independent per region; group-mean part shared within a group;
        # past and present common shocks shared by all.
        shared = mo.mu_coef**2 + mo.trend_common_coef**2
        own_sd = np.sqrt(np.maximum(mo.v - shared, 0.0))
        z_own = rng.standard_normal((n_draws, len(codes)))
        z_grp = rng.standard_normal((n_draws, len(groups)))[:, gidx]
        z_past = rng.standard_normal((n_draws, 1))
        z_now = rng.standard_normal((n_draws, 1))
        noise = rng.standard_normal((n_draws, len(codes))) * np.sqrt(mo.s2_noise)
        latent = mo.m + own_sd * z_own + mo.mu_coef * z_grp + mo.trend_common_coef * z_past
        score = from_model(latent, fit.scale) + noise + mo.shock_common_sd * z_now
        share = (score >= target).mean(axis=1)
        rows.append(
            _row(
                int(year),
                len(codes),
                int((last >= target).sum()),
                float(p.mean()),
                share,
                n_missing,
                "joint",
            )
        )
    out = pd.DataFrame(rows, columns=SHARE_COLUMNS)
    out.attrs.update(target=float(target), synthetic=fit.data.synthetic)
    return out


def _row(
    year: int, n: int, n_last: int, expected: float, draws: np.ndarray, n_missing: int, method: str
) -> dict[str, Any]:
    lo80, hi80, lo95, hi95 = np.quantile(draws, [0.10, 0.90, 0.025, 0.975])
    return {
        "year": year,
        "n": n,
        "n_at_or_above_last": n_last,
        "share": expected,
        "lo80": float(lo80),
        "hi80": float(hi80),
        "lo95": float(lo95),
        "hi95": float(hi95),
        "n_without_data": n_missing,
        "method": method,
    }


def _from_summary(
    summary: pd.DataFrame,
    target: float,
    yrs: np.ndarray,
    regions: Sequence[str] | Any | None,
    n_draws: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    needed = {"region_code", "p_reach_target", "last_index"}
    if not needed <= set(summary.columns):
        raise ParameterError(
            f"summary_or_fit: the table lacks {sorted(needed - set(summary.columns))}; "
            "expected a table from PooledTrendFit.summary()"
        )
    t_year = summary.attrs.get("target_year")
    t_target = summary.attrs.get("target")
    if t_year is None or t_target is None:
        raise ParameterError(
            "summary_or_fit: the table does not say its target and target year (attrs lost?); "
            "pass the fit instead"
        )
    if not np.isclose(t_target, target):
        raise ParameterError(
            f"target: {target} differs from the summary's target {t_target}; pass the fit or a "
            "summary made with this target"
        )
    if list(yrs) != [int(t_year)]:
        raise ParameterError(
            f"years: a summary only covers its target year {t_year}; pass years=[{t_year}] or "
            "the fit for other years"
        )
    codes, n_missing = _cohort_codes(regions, summary["region_code"].tolist())
    if not codes:
        raise ParameterError("regions: none of the regions is in the summary")
    sub = summary.set_index("region_code").loc[codes]
    p = sub["p_reach_target"].to_numpy(dtype=float)
    share = (rng.random((n_draws, len(p))) < p).mean(axis=1)
    n_last = int((sub["last_index"].to_numpy() >= target).sum())
    out = pd.DataFrame(
        [_row(int(t_year), len(codes), n_last, float(p.mean()), share, n_missing, "independent")],
        columns=SHARE_COLUMNS,
    )
    out.attrs.update(target=target, synthetic=bool(summary.attrs.get("synthetic", False)))
    return out
