"""Backtest: hide each series' last observed year, forecast it, compare.

Two ways to hide (``cutoff``):

``"time"`` (default, an honest pseudo-forecast)
    every row of the hidden year (and later) is removed for *all* regions before fitting, so
    nothing published in that year informs the forecast; the pooled model's common year shock
    is then taken from the national series before the hidden year too (unless ``common_sd`` is
    given). With the bundled data this leaves the
    pooled model with one region that has a slope (Sumedang, 2021-2023): use ``method="ols"``.
``"region"``
    only the backtested regions' last rows are hidden; other regions keep theirs. For the pooled
    model this lets the group's mean slope use the same year's change of the other regions
    (a nowcast, not a forecast); the result says so.

With the bundled data only the national series (2021-2024, or 2018-2024 with the older framework
as its own level) and Sumedang (2021-2024) have three or more points under one framework: one or
two hidden years cannot establish a coverage rate (a single hidden point is inside a 95%
interval or not). The simulation tests are where coverage is checked.

Examples
--------
>>> from living_lab.datasets import load_spbe_national
>>> result = backtest(load_spbe_national(), method="ols")
>>> result.table[["region_code", "year", "observed"]].to_dict("records")
[{'region_code': 'national', 'year': 2024, 'observed': 3.12}]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK
from living_lab.text import Lang, t
from living_lab.trends._data import NATIONAL, check_choice, prepare
from living_lab.trends.pooled import fit_pooled, national_common_sd
from living_lab.trends.region import fit_ols, fit_theil_sen

Method = Literal["pooled", "ols", "theil-sen"]
Cutoff = Literal["time", "region"]
METHODS: tuple[str, ...] = get_args(Method)
CUTOFFS: tuple[str, ...] = get_args(Cutoff)


@dataclass(frozen=True)
class BacktestResult:
    """Hidden points, their forecasts and the summary.

    Attributes
    ----------
    table : ``region_code, year, observed, mean, median, lo80, hi80, lo95, hi95, error``
        (observed - median), ``in80, in95`` (NA without an interval), ``n_train``.
    summary : ``n, n_with_interval, mean_error, mae, rmse, coverage80, coverage95``.
    method, cutoff : as run.
    """

    table: pd.DataFrame
    summary: dict[str, float | int]
    method: str
    cutoff: str

    def note(self, lang: Lang = "id") -> str:
        """One honest sentence on what this backtest can and cannot show."""
        key = "trends_backtest_note_few" if self.summary["n"] < 30 else "trends_backtest_note"
        text = t(key, lang, n=self.summary["n"])
        if self.cutoff == "region" and self.method == "pooled":
            text += " " + t("trends_backtest_note_nowcast", lang)
        return text


def backtest(
    spbe: pd.DataFrame,
    *,
    method: Method = "pooled",
    cutoff: Cutoff = "time",
    min_points: int = 3,
    framework: str = DEFAULT_FRAMEWORK,
    **fit_options: Any,
) -> BacktestResult:
    """Hide the last year of every series with at least ``min_points`` points and forecast it.

    Parameters
    ----------
    spbe : SPBE rows (``region_code`` optional: a table without it, such as
        :func:`~living_lab.datasets.load_spbe_national`, is one series).
    method : ``"pooled"`` (:func:`fit_pooled`), ``"ols"`` or ``"theil-sen"`` (no interval).
    cutoff : ``"time"`` or ``"region"`` (see the module docstring).
    min_points : series with fewer usable points (after framework handling) are not tested.
    fit_options : passed to the fitting function (``scale``, ``other_frameworks``,
        ``noise_sd``, ``group``, ...).
    """
    check_choice("method", method, METHODS)
    check_choice("cutoff", cutoff, CUTOFFS)
    if not isinstance(min_points, int) or min_points < 2:
        raise ParameterError(f"min_points: {min_points!r}; expected a whole number >= 2")
    prep_opts = {
        k: fit_options[k] for k in ("other_frameworks", "framework_offset") if k in fit_options
    }
    data = prepare(spbe, framework=framework, **prep_opts)
    counts = data.obs.groupby("region_code")["year"].agg(["size", "max"])
    eligible = counts[counts["size"] >= min_points]
    if eligible.empty:
        raise ParameterError(
            f"min_points: no series has {min_points} or more usable points; nothing to backtest"
        )
    codes = (
        spbe["region_code"].astype(str)
        if "region_code" in spbe.columns
        else pd.Series(NATIONAL, index=spbe.index)
    )
    fitter = {"pooled": fit_pooled, "ols": fit_ols, "theil-sen": fit_theil_sen}[method]
    tables = []
    if cutoff == "time":
        batches = [
            (int(year), list(grp.index), spbe[spbe["year"].astype(int) < year])
            for year, grp in eligible.groupby("max")
        ]
    else:
        hidden = pd.MultiIndex.from_arrays([codes, spbe["year"].astype(int)])
        drop = hidden.isin(list(zip(eligible.index, eligible["max"], strict=True)))
        batches = [(None, list(eligible.index), spbe[~drop])]
    for year, regions, train in batches:
        options = dict(fit_options)
        if method == "pooled" and year is not None and "common_sd" not in options:
            # The default takes the common shock from the national series; only its years
            # before the hidden one may inform the forecast.
            options["common_sd"] = national_common_sd(framework, before=year)[0]
        fit = fitter(train, framework=framework, **options)
        fitted = fit.table if hasattr(fit, "table") else fit.regions
        have = set(fitted["region_code"])
        kept = [c for c in regions if c in have]
        hidden_years = eligible.loc[kept, "max"] if year is None else pd.Series(year, index=kept)
        n_train = fit.data.obs.groupby("region_code").size()
        for hidden_year, codes_of_year in hidden_years.groupby(hidden_years):
            fc = fit.forecast([int(hidden_year)], region_codes=list(codes_of_year.index))
            fc["n_train"] = n_train.loc[fc["region_code"]].to_numpy()
            tables.append(fc)
    if not tables:
        raise ParameterError("spbe: no backtested series kept a usable point after hiding")
    table = pd.concat(tables, ignore_index=True)
    obs = data.obs.set_index(["region_code", "year"])["index"]
    table["observed"] = obs.loc[
        list(zip(table["region_code"], table["year"], strict=True))
    ].to_numpy()
    table["error"] = table["observed"] - table["median"]
    for level in ("80", "95"):
        has = table[f"lo{level}"].notna()
        inside = (table["observed"] >= table[f"lo{level}"]) & (
            table["observed"] <= table[f"hi{level}"]
        )
        table[f"in{level}"] = pd.array(np.where(has, inside, False), dtype="boolean")
        table.loc[~has, f"in{level}"] = pd.NA
    cols = ["region_code", "year", "observed", "mean", "median", "lo80", "hi80", "lo95", "hi95"]
    table = table[cols + ["error", "in80", "in95", "n_train"]]
    err = table["error"].to_numpy(dtype=float)
    summary: dict[str, float | int] = {
        "n": len(table),
        "n_with_interval": int(table["lo95"].notna().sum()),
        "mean_error": float(np.mean(err)),
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "coverage80": float(table["in80"].dropna().astype(float).mean())
        if table["in80"].notna().any()
        else float("nan"),
        "coverage95": float(table["in95"].dropna().astype(float).mean())
        if table["in95"].notna().any()
        else float("nan"),
    }
    return BacktestResult(table=table, summary=summary, method=method, cutoff=cutoff)
