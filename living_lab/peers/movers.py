"""Movers: who gained or fell between two evaluations, and which domains did it.

The SPBE index is linear in its domains, ``I = sum_k w_k d_k``, so a change splits exactly into
domain contributions ``w_k (d_k,to - d_k,from)`` that sum to the change of the *recomputed*
index. The *published* index is rounded to two decimals from unrounded domains, so the published
change differs from the sum of contributions by a ``rounding`` term, shown separately so that
contributions + rounding = published change. Its size is bounded: per year, the published index
is within ``0.005 + sum_k w_k h_k`` of the recomputed one (``h_k`` the rounding half-widths of
the domains, see :func:`~living_lab.peers.rounding_halfwidths`), i.e. 0.0081 under PermenPANRB
59/2020, so ``|rounding| <= 0.0162``. (On the 479 regions evaluated in 2023 and 2024 it is at
most 0.0135 and within 0.01 for all but 10.)

Ranks are within the regions compared (evaluated in both years and in the group), so that entries
and exits between years do not move anyone's rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.peers import data
from living_lab.peers.groups import is_relative, resolve_group
from living_lab.peers.uncertainty import rounding_halfwidths


def rounding_bound() -> float:
    """Largest possible |published change - sum of contributions| between two years."""
    fw = load_framework()
    per_year = 0.5 * 10.0 ** (-fw.rounding_decimals) + float(
        fw.domain_weights @ rounding_halfwidths(fw)
    )
    return 2 * per_year


def _default_years(year_from: int | None, year_to: int | None) -> tuple[int, int]:
    year_to = data.check_year(year_to)
    if year_from is None:
        counts = data._all_scores().groupby("year").size()
        earlier = [int(y) for y in counts.index if y < year_to and counts[y] > 1]
        if not earlier:
            raise ParameterError(f"year_from: no evaluation with several regions before {year_to}")
        year_from = earlier[-1]
    year_from = data.check_year(year_from)
    if year_from >= year_to:
        raise ParameterError(f"year_from: {year_from} must be before year_to {year_to}")
    return year_from, year_to


def movers(
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    group: str | None = None,
    region: str | int | None = None,
    n: int | None = None,
) -> pd.DataFrame:
    """Index change of every compared region between two evaluations, split by domain.

    Parameters
    ----------
    year_from, year_to : evaluation years (default: the last two nationwide evaluations).
    group : None or ``"all"`` (every region), a cohort (``"jawa-barat"``,
        ``"cohort:<name>"``), or a region-relative group (``"province"``, ...) with ``region``.
    region : the focal region of a region-relative group.
    n : if given, only the ``n`` largest gains and the ``n`` largest falls.

    Returns
    -------
    DataFrame sorted by change (largest gain first): region_code, name, province, index_from,
    index_to, change (published), rank_from, rank_to, rank_change (positive = moved up),
    contrib_d1..contrib_dK (weighted domain changes), recomputed_change (their sum),
    rounding (change - recomputed_change) and below_scale (a published domain score under the
    scale minimum in either year, as Kab. Banyuasin's 2023 D4 of 0.30). ``.attrs`` holds years, weights, n_compared, the
    regions left out for missing domain scores and the rounding bound.

    Examples
    --------
    >>> m = movers(2023, 2024, group="jawa-barat")
    >>> bool(((m.filter(like="contrib_").sum(axis=1) - m.recomputed_change).abs() < 1e-12).all())
    True
    """
    year_from, year_to = _default_years(year_from, year_to)
    fw = load_framework()
    cols = fw.domain_columns
    w = fw.domain_weights
    group = group or "all"
    if is_relative(group) and region is None:
        raise ParameterError(f"group: {group!r} depends on a region; pass region= or use a cohort")
    grp = resolve_group(region, group, year=year_to)
    a = data.scores(year_from)
    b = data.scores(year_to)
    both = sorted(set(a.index) & set(b.index) & set(grp.members))
    a, b = a.loc[both], b.loc[both]
    complete = a[cols].notna().all(axis=1) & b[cols].notna().all(axis=1)
    left_out = sorted(complete.index[~complete])
    a, b = a[complete], b[complete]
    if len(a) == 0:
        raise ParameterError(
            f"group: no region of {group!r} has complete results in both {year_from} and {year_to}"
        )
    out = pd.DataFrame(index=a.index)
    out["name"] = b["name"]
    out["province"] = b["province"]
    out["index_from"] = a["index"]
    out["index_to"] = b["index"]
    out["change"] = b["index"] - a["index"]
    out["rank_from"] = a["index"].rank(ascending=False, method="min").astype(int)
    out["rank_to"] = b["index"].rank(ascending=False, method="min").astype(int)
    out["rank_change"] = out["rank_from"] - out["rank_to"]
    delta = b[cols].to_numpy(float) - a[cols].to_numpy(float)
    contrib = delta * w
    for k, c in enumerate(cols):
        out[f"contrib_{c}"] = contrib[:, k]
    out["recomputed_change"] = contrib.sum(axis=1)
    out["rounding"] = out["change"] - out["recomputed_change"]
    # Flag published domain scores below the level scale (Kab. Banyuasin 2023: D4 printed
    # 0.30), so a large "gain" from such a value is read with care.
    below = (a[cols] < fw.scale_min).any(axis=1) | (b[cols] < fw.scale_min).any(axis=1)
    out["below_scale"] = below
    out = out.reset_index().sort_values(
        ["change", "recomputed_change", "region_code"],
        ascending=[False, False, True],
        ignore_index=True,
    )
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ParameterError(f"n: {n!r}; expected a positive integer")
        if 2 * n < len(out):
            out = pd.concat([out.head(n), out.tail(n)], ignore_index=True)
    out.attrs.update(
        {
            "year_from": year_from,
            "year_to": year_to,
            "group": group,
            "weights": dict(zip(cols, w.round(4).tolist(), strict=True)),
            "n_compared": int(complete.sum()),
            "left_out": left_out,
            "rounding_bound": rounding_bound(),
        }
    )
    return out
