"""Per-region least-squares building blocks, vectorised over regions with ``np.bincount``.

Each region's rows are centred within their framework (regime), so the level of each regime
and the shared slope are estimated independently of each other: the level of the current
regime is its (weighted) mean at its (weighted) mean year, the slope comes from the deviations.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from living_lab.trends._data import Scale, dmodel_dindex, noise_factor, to_model

Weights = Literal["none", "delta"]


def region_stats(
    obs: pd.DataFrame,
    *,
    framework: str,
    scale: Scale,
    weights: Weights = "none",
    weight_at: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per region with the least-squares pieces every trend fit needs.

    ``weights="delta"`` weights each row by ``1 / (dz/dy)^2``: noise of constant variance on
    the index scale has, to first order, that variance times ``(dz/dy)^2`` on the model scale,
    so rows near the bounds of the scale (a printed 1.00) carry little weight on the logit scale.
    The derivative is taken at ``weight_at`` (index values, one per row; default the observed
    values). Weights taken at the observed values correlate with the noise and pull the fitted
    level toward the middle of the scale, so the pooled fit re-weights at fitted values.

    The frame's ``attrs["cell_t"]`` and ``attrs["cell_z"]`` hold, per row, the mean year and
    mean model-scale value of the row's region and framework (for fitted values).

    Columns: ``region_code, n_points, n_regimes, first_year, last_year, last_index, tbar, level,
    W, W_pred, Sxx, slope_hat, rss, resid_df, n_cur, tbar_unw, Sxx_unw``; ``level`` and ``tbar``
    belong to the current framework; ``Sxx`` and ``rss`` are weighted; ``*_unw`` are unweighted.
    ``W_pred`` is ``W`` with the derivative taken no closer than ``DELTA_MARGIN`` to an asymptote
    (see :func:`~living_lab.trends._data.noise_factor`), for the uncertainty of the level.
    """
    codes, region = np.unique(obs["region_code"].to_numpy(dtype=str), return_inverse=True)
    cell_key = pd.MultiIndex.from_arrays([region, obs["regime"].to_numpy(dtype=str)])
    cell, cells = pd.factorize(cell_key)
    n_regions, n_cells = len(codes), len(cells)
    cell_region = cells.get_level_values(0).to_numpy()
    cell_current = cells.get_level_values(1).to_numpy() == framework

    t = obs["year"].to_numpy(dtype=float)
    y = obs["value"].to_numpy(dtype=float)
    z = to_model(y, scale)
    at = y if weight_at is None else np.asarray(weight_at, dtype=float)
    if weights == "none":
        w = w_pred = np.ones_like(z)
    else:
        w = 1.0 / dmodel_dindex(at, scale) ** 2
        w_pred = 1.0 / noise_factor(at, scale) ** 2

    def per_cell(values: np.ndarray) -> np.ndarray:
        return np.bincount(cell, values, minlength=n_cells)

    def per_region(values: np.ndarray) -> np.ndarray:
        return np.bincount(region, values, minlength=n_regions)

    w_cell = per_cell(w)
    t_cell = per_cell(w * t) / w_cell
    z_cell = per_cell(w * z) / w_cell
    dt = t - t_cell[cell]
    dz = z - z_cell[cell]
    sxx = per_region(w * dt * dt)
    sxy = per_region(w * dt * dz)
    szz = per_region(w * dz * dz)
    has_slope = sxx > 1e-12 * np.maximum(per_region(w), 1.0)
    slope = np.where(has_slope, sxy / np.where(has_slope, sxx, 1.0), np.nan)
    rss = np.maximum(np.where(has_slope, szz - np.nan_to_num(slope) * sxy, szz), 0.0)
    n = np.bincount(region, minlength=n_regions)
    regimes = np.bincount(cell_region, minlength=n_regions)
    resid_df = n - regimes - has_slope.astype(int)

    # The current-framework cell of each region (prepare() guarantees there is one).
    cur = np.full(n_regions, -1)
    cur[cell_region[cell_current]] = np.flatnonzero(cell_current)

    # Unweighted design quantities (used for the common year-shock term).
    ones = np.ones_like(t)
    n_cell_unw = per_cell(ones)
    t_cell_unw = per_cell(t) / n_cell_unw
    dt_unw = t - t_cell_unw[cell]
    sxx_unw = per_region(dt_unw * dt_unw)

    order = np.lexsort((t, region))
    last_pos = order[np.r_[np.flatnonzero(np.diff(region[order])), len(order) - 1]]
    first_pos = order[np.r_[0, np.flatnonzero(np.diff(region[order])) + 1]]
    out = pd.DataFrame(
        {
            "region_code": codes.astype(object),
            "n_points": n,
            "n_regimes": regimes,
            "first_year": obs["year"].to_numpy()[first_pos],
            "last_year": obs["year"].to_numpy()[last_pos],
            "last_index": obs["index"].to_numpy(dtype=float)[last_pos],
            "tbar": t_cell[cur],
            "level": z_cell[cur],
            "W": w_cell[cur],
            "W_pred": per_cell(w_pred)[cur],
            "Sxx": np.where(has_slope, sxx, 0.0),
            "slope_hat": slope,
            "rss": rss,
            "resid_df": resid_df,
            "n_cur": n_cell_unw[cur],
            "tbar_unw": t_cell_unw[cur],
            "Sxx_unw": sxx_unw,
        }
    )
    out.attrs["row_region"] = region
    out.attrs["cell_t"] = t_cell[cell]
    out.attrs["cell_z"] = z_cell[cell]
    return out
