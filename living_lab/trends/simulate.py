"""Synthetic SPBE panels with known trends, for validating the trend methods and for demos.

Everything here is SYNTHETIC: region codes start with ``S``, the ``source`` column says
"synthetic", and the table's ``attrs["synthetic"]`` is True, so fits and figures made from it
carry the synthetic label.

Examples
--------
>>> sim = simulate_panel(200, seed=1)
>>> sim.panel.attrs["synthetic"], bool(sim.panel["region_code"].str.startswith("S").all())
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK
from living_lab.trends._data import SCALES, Scale, check_choice, from_model, to_model

SOURCE = "synthetic (living_lab.trends.simulate)"


@dataclass(frozen=True)
class SimulatedPanel:
    """A synthetic panel and the truth behind it.

    Attributes
    ----------
    panel : ``region_code, year, framework, index, source`` (the observed scores).
    truth : one row per region: ``region_code, group, level, slope`` (model scale; level at
        ``ref_year``), ``holdout_year``, ``holdout_index`` (the score that would be published in
        the held-out year) and ``holdout_trend`` (its trend value on the index scale).
    """

    panel: pd.DataFrame
    truth: pd.DataFrame
    ref_year: int


def simulate_panel(
    n_regions: int,
    *,
    years: Sequence[int] = (2021, 2022, 2023, 2024),
    points: tuple[int, int] = (2, 4),
    holdout_year: int = 2025,
    scale: Scale = "index",
    group_means: Mapping[str, float] | None = None,
    mean_slope: float = 0.30,
    slope_sd: float = 0.15,
    noise_sd: float = 0.15,
    level_mean: float = 2.6,
    level_sd: float = 0.5,
    common_sd: float = 0.0,
    round_to: float | None = 0.01,
    seed: int = 0,
) -> SimulatedPanel:
    """Simulate ``n_regions`` regions observed on ``points[0]``-``points[1]`` of ``years``.

    The generating model is the one :func:`living_lab.trends.fit_pooled` assumes: on the model
    ``scale`` the trend is ``level_i + slope_i * (t - ref_year)`` with ``slope_i ~ N(mean, slope_sd)``
    (``mean`` per group when ``group_means`` is given: regions are split evenly between the
    groups); the published score is ``clip(h(trend) + e + d_t, 1, 5)`` with noise
    ``e ~ N(0, noise_sd)`` and a common year shock ``d_t ~ N(0, common_sd)``, rounded to
    ``round_to`` as published. Years are drawn without replacement, so gaps occur. ``level_mean``
    and ``level_sd`` are on the index scale (levels are drawn there and transformed).
    """
    check_choice("scale", scale, SCALES)
    lo, hi = points
    if not (1 <= lo <= hi <= len(years)):
        raise ParameterError(f"points: {points!r}; expected 1 <= low <= high <= {len(years)}")
    rng = np.random.default_rng(seed)
    years_arr = np.asarray(sorted(years), dtype=int)
    ref_year = int(years_arr[-1])
    if group_means:
        names = list(group_means)
        group = np.array(names, dtype=object)[np.arange(n_regions) % len(names)]
        means = np.array([group_means[g] for g in group], dtype=float)
    else:
        group = np.full(n_regions, "all", dtype=object)
        means = np.full(n_regions, mean_slope)
    level_index = np.clip(rng.normal(level_mean, level_sd, n_regions), 1.2, 4.8)
    level = to_model(level_index, scale)
    slope = rng.normal(means, slope_sd)
    all_years = np.r_[years_arr, holdout_year]
    shocks = dict(zip(all_years.tolist(), rng.normal(0.0, common_sd, len(all_years)), strict=True))

    def score(region: np.ndarray, year: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        trend = from_model(level[region] + slope[region] * (year - ref_year), scale)
        noisy = trend + rng.normal(0.0, noise_sd, len(region)) + np.array([shocks[y] for y in year])
        noisy = np.clip(noisy, 1.0, 5.0)
        if round_to:
            noisy = np.clip(np.round(noisy / round_to) * round_to, 1.0, 5.0)
        return noisy, trend

    k = rng.integers(lo, hi + 1, n_regions)
    region_idx, year_obs = [], []
    for i in range(n_regions):
        chosen = np.sort(rng.choice(years_arr, size=k[i], replace=False))
        region_idx.append(np.full(k[i], i))
        year_obs.append(chosen)
    region_idx = np.concatenate(region_idx)
    year_obs = np.concatenate(year_obs)
    values, _ = score(region_idx, year_obs)
    codes = np.array([f"S{i:05d}" for i in range(n_regions)], dtype=object)
    panel = pd.DataFrame(
        {
            "region_code": codes[region_idx],
            "year": year_obs,
            "framework": DEFAULT_FRAMEWORK,
            "index": values,
            "source": SOURCE,
        }
    )
    panel.attrs["synthetic"] = True
    everyone = np.arange(n_regions)
    hold, hold_trend = score(everyone, np.full(n_regions, holdout_year))
    truth = pd.DataFrame(
        {
            "region_code": codes,
            "group": group,
            "level": level,
            "slope": slope,
            "holdout_year": holdout_year,
            "holdout_index": hold,
            "holdout_trend": hold_trend,
        }
    )
    truth.attrs["synthetic"] = True
    return SimulatedPanel(panel=panel, truth=truth, ref_year=ref_year)
