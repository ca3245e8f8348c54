"""Per-region trends: ordinary least squares and Theil-Sen, each region on its own.

These are the classical, unpooled fits: a region's slope uses nothing but its own points. With
two points the OLS slope is the difference of the two scores and has no standard error (no
residual degrees of freedom); with one point there is no slope. Use
:func:`living_lab.trends.fit_pooled` for forecasts of such regions.

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> ols = fit_ols(load_spbe())
>>> row = ols.table.set_index("region_code").loc["3211"]
>>> int(row.n_points), round(float(row.slope), 3)
(4, 0.327)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK
from living_lab.trends import predictive
from living_lab.trends._data import (
    SCALES,
    OtherFrameworks,
    Prepared,
    Scale,
    check_choice,
    from_model,
    prepare,
    to_model,
)
from living_lab.trends._stats import region_stats

FORECAST_COLUMNS = ["region_code", "year", "mean", "median", "lo80", "hi80", "lo95", "hi95"]


def _years(years: int | Iterable[int]) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(list(years) if not np.isscalar(years) else [years]))
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.number) or np.any(arr != np.round(arr)):
        raise ParameterError(f"years: expected whole years, got {years!r}")
    return arr.astype(int)


def select_regions(table: pd.DataFrame, region_codes: Sequence[str] | str | None) -> pd.DataFrame:
    """Rows of ``table`` for ``region_codes`` (all when None), in the order asked."""
    if region_codes is None:
        return table
    codes = [region_codes] if isinstance(region_codes, str) else [str(c) for c in region_codes]
    known = table.set_index("region_code")
    missing = [c for c in codes if c not in known.index]
    if missing:
        raise ParameterError(
            f"region_codes: no usable SPBE rows for {missing[:5]}"
            f"{' ...' if len(missing) > 5 else ''} in this fit; "
            "expected codes of regions with at least one score under the forecast framework"
        )
    return known.loc[codes].reset_index()


@dataclass(frozen=True)
class RegionTrendFit:
    """Result of :func:`fit_ols` or :func:`fit_theil_sen`.

    Attributes
    ----------
    method : ``"ols"`` or ``"theil-sen"``.
    scale : ``"index"``, ``"logit"`` or ``"logit-upper"`` (slopes are per year on this scale).
    table : one row per region (see the fitting function).
    data : the prepared observations (rows used and rows excluded, with reasons).
    """

    method: Literal["ols", "theil-sen"]
    scale: Scale
    table: pd.DataFrame
    data: Prepared

    def forecast(
        self, years: int | Iterable[int], *, region_codes: Sequence[str] | str | None = None
    ) -> pd.DataFrame:
        """Forecast each region for ``years``.

        OLS: prediction intervals from the t distribution with the region's residual degrees of
        freedom (NaN when it has none, i.e. two points); on the logit scale the interval is
        computed there and mapped back, and ``mean`` is the normal-approximation mean.
        Theil-Sen: the line only (``mean`` = ``median``), no interval.
        """
        yrs = _years(years)
        tab = select_regions(self.table, region_codes)
        reg = np.repeat(np.arange(len(tab)), len(yrs))
        t = np.tile(yrs, len(tab)).astype(float)
        out = pd.DataFrame(
            {"region_code": tab["region_code"].to_numpy()[reg], "year": t.astype(int)}
        )
        if self.method == "theil-sen":
            line = from_model(
                tab["intercept"].to_numpy()[reg] + tab["slope"].to_numpy()[reg] * t, self.scale
            )
            out["mean"] = out["median"] = np.clip(line, 1.0, 5.0)
            for col in ["lo80", "hi80", "lo95", "hi95"]:
                out[col] = np.nan
            return out[FORECAST_COLUMNS]
        dt = t - tab["tbar"].to_numpy()[reg]
        center = tab["level"].to_numpy()[reg] + tab["slope"].to_numpy()[reg] * dt
        df = tab["resid_df"].to_numpy()[reg].astype(float)
        s = tab["resid_sd"].to_numpy()[reg]
        n_cur = tab["n_cur"].to_numpy()[reg]
        sxx = tab["Sxx"].to_numpy()[reg]
        with np.errstate(divide="ignore", invalid="ignore"):
            se = s * np.sqrt(1.0 + 1.0 / n_cur + dt**2 / sxx)
        ok = (df > 0) & np.isfinite(se)
        se = np.where(ok, se, np.nan)
        out["median"] = np.clip(from_model(center, self.scale), 1.0, 5.0)
        if self.scale != "index":
            # Back on the index scale the mean is not the back-transformed centre; without an
            # interval (no residual df) only the centre is known.
            mean = predictive.mean(
                center, np.nan_to_num(se) ** 2, np.zeros_like(center), self.scale
            )
            out["mean"] = np.where(ok, mean, out["median"])
        else:
            out["mean"] = out["median"]
        for level, lo, hi in [(0.80, "lo80", "hi80"), (0.95, "lo95", "hi95")]:
            tq = np.where(ok, stats.t.ppf(0.5 + level / 2, np.where(ok, df, 1.0)), np.nan)
            out[lo] = np.clip(from_model(center - tq * se, self.scale), 1.0, 5.0)
            out[hi] = np.clip(from_model(center + tq * se, self.scale), 1.0, 5.0)
        return out[FORECAST_COLUMNS]


def _note(n_points: np.ndarray, resid_df: np.ndarray) -> np.ndarray:
    return np.where(
        n_points < 2,
        "one point: no slope",
        np.where(resid_df < 1, "no residual degrees of freedom: no standard error", ""),
    )


def fit_ols(
    spbe: pd.DataFrame,
    *,
    scale: Scale = "index",
    framework: str = DEFAULT_FRAMEWORK,
    other_frameworks: OtherFrameworks = "exclude",
    framework_offset: float | None = None,
) -> RegionTrendFit:
    """Straight-line OLS trend of each region on its own.

    The model for region ``i`` is ``z_it = a_i(regime) + b_i * (t - tbar) + e_it`` with ``z`` the
    index (``scale="index"``) or ``logit((index - 1) / 4)`` (``scale="logit"``, a printed 1.00
    or 5.00 moved 0.005 inside the scale), ``e`` independent with constant variance. The slope
    and its standard error equal those of ``statsmodels.OLS`` on the same rows (with a dummy
    per framework when ``other_frameworks="level-shift"``).

    Parameters
    ----------
    spbe : SPBE rows (``region_code``, ``year``, ``index``, ``framework``), e.g.
        ``load_spbe(framework=None)``. A table without ``region_code`` is one series.
    scale : fit on the index or on the logit scale (forecasts then stay inside [1, 5]).
    framework, other_frameworks, framework_offset : see :mod:`living_lab.trends._data`;
        rows of other frameworks are excluded by default.

    Returns
    -------
    RegionTrendFit with ``table`` columns ``region_code, n_points, n_regimes, first_year,
    last_year, last_index, slope, slope_se, resid_df, resid_sd, level, tbar, note`` (slope
    per year on ``scale``; ``level`` is the fitted value at ``tbar``, the mean year of the
    region's current-framework rows).
    """
    check_choice("scale", scale, SCALES)
    data = prepare(
        spbe,
        framework=framework,
        other_frameworks=other_frameworks,
        framework_offset=framework_offset,
    )
    st = region_stats(data.obs, framework=framework, scale=scale, weights="none")
    df = st["resid_df"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        resid_var = np.where(df > 0, st["rss"] / np.maximum(df, 1), np.nan)
        slope_se = np.sqrt(resid_var / st["Sxx"].to_numpy())
    table = st[
        ["region_code", "n_points", "n_regimes", "first_year", "last_year", "last_index"]
    ].copy()
    table["slope"] = st["slope_hat"]
    table["slope_se"] = np.where(np.isfinite(slope_se), slope_se, np.nan)
    table["resid_df"] = df
    table["resid_sd"] = np.sqrt(resid_var)
    table["level"] = st["level"]
    table["tbar"] = st["tbar"]
    table["n_cur"] = st["n_cur"]
    table["Sxx"] = st["Sxx"]
    table["note"] = _note(st["n_points"].to_numpy(), df)
    return RegionTrendFit(method="ols", scale=scale, table=table, data=data)


def fit_theil_sen(
    spbe: pd.DataFrame,
    *,
    scale: Scale = "index",
    confidence: float = 0.95,
    framework: str = DEFAULT_FRAMEWORK,
    other_frameworks: Literal["exclude", "offset"] = "exclude",
    framework_offset: float | None = None,
) -> RegionTrendFit:
    """Theil-Sen trend of each region: the median of its pairwise slopes.

    Robust to one wild score in a longer series (a re-evaluation, a typo in a source). The
    confidence interval of the slope is Sen's (1968) interval from
    :func:`scipy.stats.theilslopes`; with three or four points it is simply the range of
    the pairwise slopes and is reported with a note. Two points give the difference and no
    interval. The intercept is ``median(z - slope * year)`` (so a wild score moves neither the
    slope nor the line).

    Returns
    -------
    RegionTrendFit whose ``table`` has ``region_code, n_points, first_year, last_year,
    last_index, slope, slope_lo, slope_hi, intercept, note``.
    """
    check_choice("scale", scale, SCALES)
    if other_frameworks == "level-shift":
        raise ParameterError(
            "other_frameworks: 'level-shift' is not available for Theil-Sen; "
            "use 'exclude' or 'offset', or fit_ols"
        )
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence: {confidence!r}; expected a number between 0 and 1")
    data = prepare(
        spbe,
        framework=framework,
        other_frameworks=other_frameworks,
        framework_offset=framework_offset,
    )
    rows = []
    for code, g in data.obs.groupby("region_code", sort=True):
        t = g["year"].to_numpy(dtype=float)
        z = to_model(g["value"].to_numpy(dtype=float), scale)
        n = len(g)
        row = {
            "region_code": code,
            "n_points": n,
            "first_year": int(t.min()),
            "last_year": int(t.max()),
            "last_index": float(g["index"].to_numpy()[np.argmax(t)]),
        }
        if n >= 2:
            res = stats.theilslopes(z, t, alpha=confidence, method="joint")
            row.update(slope=res.slope, intercept=res.intercept)
            if n >= 3:
                row.update(slope_lo=res.low_slope, slope_hi=res.high_slope)
                row["note"] = (
                    "few points: interval is the range of pairwise slopes" if n < 5 else ""
                )
            else:
                row.update(slope_lo=np.nan, slope_hi=np.nan, note="two points: no interval")
        else:
            row.update(
                slope=np.nan,
                intercept=np.nan,
                slope_lo=np.nan,
                slope_hi=np.nan,
                note="one point: no slope",
            )
        rows.append(row)
    cols = ["region_code", "n_points", "first_year", "last_year", "last_index", "slope"]
    cols += ["slope_lo", "slope_hi", "intercept", "note"]
    table = pd.DataFrame(rows, columns=cols)
    return RegionTrendFit(method="theil-sen", scale=scale, table=table, data=data)
