"""Trends of SPBE scores and forecasts of when a region reaches a target.

Most regions have two published years (2023, 2024), a few have more, and the framework changed
between 2020 and 2021. The package offers:

- :func:`fit_pooled` -> :class:`PooledTrendFit`: the partial-pooling growth model (region slopes
  shrunk toward their group's mean slope, shrinkage estimated from the data), with
  ``forecast(years)``, ``summary(target=, target_year=, horizon=)`` and ``methods_note(lang)``.
  The model, its assumptions and how the noise is identified are in :mod:`.pooled`.
- :func:`fit_ols`, :func:`fit_theil_sen`: each region on its own (:mod:`.region`).
- :func:`share_reaching`: expected share of a cohort at or above the target per year, with a
  joint interval (:mod:`.share`).
- :func:`sensitivity`: forecasts and cohort share under a stated grid of noise and common-shock
  SDs, the two assumptions two-point data cannot pin down (:mod:`.sensitivity`).
- :func:`backtest`: hide the last year, forecast it, report error and coverage (:mod:`.backtest`).
- :func:`simulate_panel`: synthetic panels with known trends (:mod:`.simulate`).

Older-framework rows are excluded by default and never silently mixed (:mod:`._data`).

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> from living_lab.cohorts import load_cohort
>>> fit = fit_pooled(load_spbe(framework=None))          # 2020 (older framework) is excluded
>>> summary = fit.summary(target=3.5, target_year=2025)  # one row per kab/kota
>>> share = share_reaching(fit, 3.5, years=range(2025, 2031), regions=load_cohort("jawa-barat"))
>>> len(share)
6
"""

from living_lab.trends.backtest import BacktestResult, backtest
from living_lab.trends.pooled import (
    PooledTrendFit,
    fit_pooled,
    national_common_sd,
    noise_sensitivity,
)
from living_lab.trends.region import RegionTrendFit, fit_ols, fit_theil_sen
from living_lab.trends.sensitivity import common_sd_interval, sensitivity
from living_lab.trends.share import share_reaching
from living_lab.trends.simulate import SimulatedPanel, simulate_panel

__all__ = [
    "BacktestResult",
    "PooledTrendFit",
    "RegionTrendFit",
    "SimulatedPanel",
    "backtest",
    "common_sd_interval",
    "fit_ols",
    "fit_pooled",
    "fit_theil_sen",
    "national_common_sd",
    "noise_sensitivity",
    "sensitivity",
    "share_reaching",
    "simulate_panel",
]
