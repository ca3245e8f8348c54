"""Gap to the frontier: which domain holds the index back most (the largest lever).

For each domain the *frontier* is a high score reached by the region's peers (the other members
of its peer group in that year; the region itself does not set its own frontier):

* ``p90`` (default, ``params/peer_groups.yaml``): the 90th percentile of the peers' scores
  (linear interpolation), a level a tenth of the peers reach; robust to a single outlier;
* ``top3``: the mean of the three best peers (all peers if fewer than three);
* ``max``: the best peer.

``gap = max(frontier - value, 0)`` and ``index_gain = weight * gap``: how much the index would
rise if the region closed that domain's gap with the others unchanged (the index is linear in
the domains, so gains add up). A gap is ``clear`` when it exceeds the rounding margin of two
published scores of that domain (0.01 for D3-D4, 0 for D1-D2, whose scores print exactly): a
gap of 0.01 in D4 may be rounding alone. The table lists clear gaps first, each part sorted by
``index_gain``, so the first row is the largest lever; when no gap is clear the region is at
the frontier within rounding.
"""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pandas as pd

from living_lab.datasets import Confidence
from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.peers import data
from living_lab.peers.config import FrontierMethod, load_config
from living_lab.peers.groups import resolve_group
from living_lab.peers.uncertainty import rounding_halfwidths


def frontier_value(values: pd.Series | np.ndarray, method: FrontierMethod) -> float:
    """Frontier of a set of peer scores (NaN ignored; NaN when there is none)."""
    v = np.asarray(values, dtype=float)
    v = np.sort(v[~np.isnan(v)])
    if len(v) == 0:
        return float("nan")
    if method == "p90":
        return float(np.quantile(v, 0.9))
    if method == "top3":
        return float(v[-3:].mean())
    if method == "max":
        return float(v[-1])
    raise ParameterError(f"frontier: {method!r}; expected one of {list(get_args(FrontierMethod))}")


def domain_rows(
    region_code: str | int,
    *,
    group: str = "province",
    year: int | None = None,
    frontier: FrontierMethod | None = None,
    min_confidence: Confidence = "medium",
) -> tuple[list[dict[str, Any]], pd.Series, FrontierMethod, int, str]:
    """The rows of :func:`frontier_gap` in domain order, with the region's scores row, the
    frontier method, the year and the region's code (for callers that use the rows without
    building the table)."""
    method = frontier or load_config().frontier
    if method not in get_args(FrontierMethod):
        raise ParameterError(
            f"frontier: {method!r}; expected one of {list(get_args(FrontierMethod))}"
        )
    year = data.check_year(year)
    code = data.evaluated_region(region_code, year)
    grp = resolve_group(code, group, year=year, min_confidence=min_confidence)
    peer_pos = data.member_rows(year, grp.members, exclude=code)
    if not len(peer_pos):
        raise ParameterError(
            f"group: {code}'s group {group!r} has no other region evaluated in {year}; "
            "choose a wider group"
        )
    fw = load_framework()
    margins = 2 * rounding_halfwidths(fw)
    # The cached table itself (read only here), and the peers' rows picked once: per-domain
    # pandas lookups cost more than the arithmetic in a cohort-wide loop.
    sc = data.scores_view(year)
    own = sc.iloc[data.row_positions(year)[code]]
    peer_codes = sc.index.to_numpy(dtype=object)[peer_pos]
    rows = []
    for d, w, margin in zip(fw.domains, fw.domain_weights, margins, strict=True):
        m = f"d{d.number}"
        col = sc[m].to_numpy(dtype=float)[peer_pos]
        ok = ~np.isnan(col)
        peer_values = col[ok]
        value = float(own[m]) if pd.notna(own[m]) else float("nan")
        front = frontier_value(peer_values, method)
        gap = max(front - value, 0.0) if np.isfinite(value) and np.isfinite(front) else np.nan
        # The best peer: the highest score, the first in member order among ties.
        best = int(np.argmax(peer_values)) if len(peer_values) else -1
        rows.append(
            {
                "domain": d.number,
                "measure": m,
                "weight": float(w),
                "value": value,
                "frontier": front,
                "gap": gap,
                "index_gain": float(w) * gap,
                # The 1e-9 keeps a printed 0.01 gap (0.0099999...) on the rounding side.
                "clear": bool(np.isfinite(gap) and gap > margin + 1e-9),
                "best_peer": peer_codes[ok][best] if best >= 0 else None,
                "best_value": float(peer_values[best]) if best >= 0 else np.nan,
                "n_peers": int(len(peer_values)),
            }
        )
    return rows, own, method, year, code


def frontier_gap(
    region_code: str | int,
    *,
    group: str = "province",
    year: int | None = None,
    frontier: FrontierMethod | None = None,
    min_confidence: Confidence = "medium",
) -> pd.DataFrame:
    """Gap between a region and its peers' frontier in each domain, largest lever first.

    Parameters
    ----------
    region_code : BPS code or name.
    group : peer group (see :func:`~living_lab.peers.available_groups`).
    year : evaluation year (default: the latest).
    frontier : ``"p90"``, ``"top3"`` or ``"max"`` (default from ``params/peer_groups.yaml``).
    min_confidence : lowest confidence of outcome data for economic-class groups.

    Returns
    -------
    DataFrame with domain (number), measure (``d1``..), weight, value, frontier, gap,
    index_gain, clear (gap beyond rounding), best_peer (code of the peer with the highest
    score), best_value, n_peers; clear gaps first, then by index_gain (ties: lower value first). ``.attrs``: index, potential_index (the
    index with every gap closed), frontier method, group, year.

    Examples
    --------
    >>> fg = frontier_gap("3211", group="province", year=2024)
    >>> bool((fg["index_gain"] == fg["weight"] * fg["gap"]).all())
    True
    >>> bool(fg.loc[0, "clear"])  # Sumedang is at the frontier of Jawa Barat within rounding
    False
    """
    rows, own, method, year, code = domain_rows(
        region_code, group=group, year=year, frontier=frontier, min_confidence=min_confidence
    )
    fw = load_framework()
    out = pd.DataFrame(rows).sort_values(
        ["clear", "index_gain", "value", "domain"],
        ascending=[False, False, True, True],
        ignore_index=True,
    )
    index = float(own["index"])
    out.attrs.update(
        {
            "region_code": code,
            "index": index,
            "potential_index": float(own[fw.domain_columns].astype(float) @ fw.domain_weights)
            + float(out["index_gain"].sum()),
            "frontier": method,
            "group": group,
            "year": year,
        }
    )
    return out
