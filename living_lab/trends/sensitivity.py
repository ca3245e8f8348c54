"""How forecasts and cohort shares depend on the two assumptions the data cannot pin down.

With two published years per region the trends model (:mod:`living_lab.trends.pooled`) cannot
tell noise from real differences in growth, so the noise SD is a stated prior (0.15 index points);
and the common year shock is estimated from four national points (2 degrees of freedom), so its
SD (about 0.11) has a 95% interval of roughly 0.06-0.69. Rather than hide either behind one
number, :func:`sensitivity` refits the model on a grid of stated values and reports, side by side,
each region's forecast for the target year (median, 80% interval, P(at or above the target)) and
the cohort's share at or above the target with its joint 80% interval.

:func:`common_sd_interval` gives the chi-square interval of the shock SD, which the reports print
next to the grid so a reader sees that even the grid's largest value is not an upper bound.

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> regions, share = sensitivity(load_spbe(), region_codes=["3211", "3273"], target_year=2025)
>>> sorted(share["common_sd"].unique().round(2).tolist())
[0.0, 0.11, 0.2]
>>> len(regions) == 2 * len(share)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK
from living_lab.trends.pooled import NOISE_PRIOR_SD, fit_pooled, national_common_sd
from living_lab.trends.share import share_reaching

#: Noise SDs of the grid (index points): below, at and above the model's prior.
NOISE_SDS: tuple[float, ...] = (0.10, NOISE_PRIOR_SD, 0.20)
#: Common-shock SDs of the grid: none, the national estimate and a larger stated value.
COMMON_SDS: tuple[float | str, ...] = (0.0, "national", 0.20)

REGION_COLUMNS = ["noise_sd", "common_sd", "region_code", "forecast", "lo", "hi", "p_reach"]
SHARE_COLUMNS = ["noise_sd", "common_sd", "year", "share", "lo", "hi", "n"]


def common_sd_interval(
    framework: str = DEFAULT_FRAMEWORK, level: float = 0.95
) -> tuple[float, float, float, int]:
    """The national shock SD and its chi-square interval: ``(sd, lo, hi, df)``.

    ``sd^2 * df / sigma^2`` is chi-square with ``df`` degrees of freedom if the national series'
    residuals are normal; with 2 df the interval is wide (0.11 gives about 0.06-0.69). Without
    residual df the interval is ``(nan, nan)``.
    """
    sd, df = national_common_sd(framework)
    if df < 1:
        return sd, float("nan"), float("nan"), df
    a = (1.0 - level) / 2.0
    lo = sd * np.sqrt(df / stats.chi2.ppf(1.0 - a, df))
    hi = sd * np.sqrt(df / stats.chi2.ppf(a, df))
    return sd, float(lo), float(hi), df


def sensitivity(
    spbe: pd.DataFrame,
    *,
    target: float = 3.5,
    target_year: int = 2025,
    region_codes: Sequence[str] | None = None,
    noise_sds: Sequence[float] = NOISE_SDS,
    common_sds: Sequence[float | str] = COMMON_SDS,
    n_draws: int = 4000,
    **fit_options: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecasts and cohort share for ``target_year`` under each pair of stated assumptions.

    Parameters
    ----------
    spbe : SPBE rows, as for :func:`~living_lab.trends.fit_pooled`.
    target, target_year : the index to reach and the year of the forecast.
    region_codes : the regions (a cohort); default every region of the fit.
    noise_sds : noise SDs (index points) to state.
    common_sds : common-shock SDs to state; ``"national"`` is the national estimate.
    n_draws : draws of the joint share interval (:func:`~living_lab.trends.share_reaching`).
    fit_options : passed to :func:`~living_lab.trends.fit_pooled` (``group``, ``scale``, ...).

    Returns
    -------
    regions : ``noise_sd, common_sd, region_code, forecast`` (predictive median), ``lo, hi``
        (80% prediction interval), ``p_reach`` (P(published index >= target)).
    share : ``noise_sd, common_sd, year, share`` (expected share at or above the target),
        ``lo, hi`` (80% joint interval of the share that will be published), ``n``.
        ``common_sd`` holds the number used (the national estimate resolved).
    """
    if "noise_sd" in fit_options or "common_sd" in fit_options:
        raise ParameterError(
            "fit_options: noise_sd and common_sd are set by the grid; use "
            "noise_sds= and common_sds="
        )
    if not noise_sds or not common_sds:
        raise ParameterError("noise_sds, common_sds: expected at least one value each")
    region_rows, share_rows = [], []
    for noise in noise_sds:
        for common in common_sds:
            fit = fit_pooled(spbe, noise_sd=float(noise), common_sd=common, **fit_options)
            known = set(fit.regions["region_code"])
            codes = (
                sorted(known)
                if region_codes is None
                else [c for c in dict.fromkeys(region_codes) if c in known]
            )
            if not codes:
                raise ParameterError("region_codes: none of the regions has usable SPBE rows")
            fc = fit.forecast([int(target_year)], region_codes=codes)
            p = fit.prob_at_least(target, [int(target_year)], region_codes=codes)
            region_rows.append(
                pd.DataFrame(
                    {
                        "noise_sd": float(noise),
                        "common_sd": fit.common_sd,
                        "region_code": fc["region_code"].to_numpy(),
                        "forecast": fc["median"].to_numpy(),
                        "lo": fc["lo80"].to_numpy(),
                        "hi": fc["hi80"].to_numpy(),
                        "p_reach": p["p"].to_numpy(),
                    }
                )
            )
            sh = share_reaching(
                fit, target, years=[int(target_year)], regions=codes, n_draws=n_draws
            )
            r = sh.iloc[0]
            share_rows.append(
                {
                    "noise_sd": float(noise),
                    "common_sd": fit.common_sd,
                    "year": int(r["year"]),
                    "share": float(r["share"]),
                    "lo": float(r["lo80"]),
                    "hi": float(r["hi80"]),
                    "n": int(r["n"]),
                }
            )
    regions = pd.concat(region_rows, ignore_index=True)[REGION_COLUMNS]
    return regions, pd.DataFrame(share_rows, columns=SHARE_COLUMNS)
