"""Peer benchmarking: peer groups, standing, rank uncertainty, movers, frontier and partners.

Where does a region stand among regions like it, did it move, which domain holds it back, and
whom should it visit to learn it? Each question is one call:

>>> from living_lab import peers
>>> peers.standing("3211", group="province").table.loc["index", "rank"]       # doctest: +SKIP
>>> peers.group_ranking("jawa-barat")                                        # doctest: +SKIP
>>> peers.movers(2023, 2024, group="jawa-barat", n=5)                          # doctest: +SKIP
>>> peers.frontier_gap("3211", group="province").iloc[0]                      # doctest: +SKIP
>>> peers.study_partners("3211", domain=4).table                              # doctest: +SKIP

Definitions and their sources are in each module's docstring: :mod:`.groups` (who is a peer),
:mod:`.standing` (ranks, percentiles, ties), :mod:`.uncertainty` (Monte Carlo after the
OECD/JRC handbook, bands), :mod:`.movers` (change decomposition), :mod:`.frontier` (gap to the
frontier) and :mod:`.partners` (study-visit partners).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from living_lab.peers import data
from living_lab.peers.data import evaluation_years, latest_year
from living_lab.peers.frontier import frontier_gap
from living_lab.peers.groups import PeerGroup, available_groups, peer_group, resolve_group
from living_lab.peers.movers import movers
from living_lab.peers.partners import PartnerResult, study_partners
from living_lab.peers.standing import Standing, measure_label, rank_table, standing
from living_lab.peers.uncertainty import rank_uncertainty, rounding_halfwidths


def group_scores(
    region_code: str | int | None, group: str = "all", *, year: int | None = None
) -> pd.DataFrame:
    """Published scores of a peer group, indexed by region_code (the input of
    :func:`rank_uncertainty`). ``region_code`` may be None for ``all`` and cohorts."""
    grp = resolve_group(region_code, group, year=year)
    return data.scores(grp.year).loc[list(grp.members)]


def group_ranking(
    group: str = "all", *, region: str | int | None = None, year: int | None = None, **mc: Any
) -> pd.DataFrame:
    """Rank intervals and bands of a whole group, with names and published index.

    One call for a cohort overview: ``peers.group_ranking("jawa-barat")``. ``mc`` is passed to
    :func:`rank_uncertainty` (n_draws, concentration, seed, ...); ``.attrs`` keeps its settings.

    >>> r = group_ranking("jawa-barat", year=2024, n_draws=200)
    >>> len(r), list(r.columns[:4])
    (27, ['region_code', 'name', 'index', 'predicate'])
    """
    scores = group_scores(region, group, year=year)
    ru = rank_uncertainty(scores, **mc)
    info = scores[["name", "index", "predicate"]].reset_index()
    out = info.merge(ru, on="region_code", how="right")
    out.attrs = ru.attrs
    return out


__all__ = [
    "PartnerResult",
    "PeerGroup",
    "Standing",
    "available_groups",
    "evaluation_years",
    "frontier_gap",
    "group_ranking",
    "group_scores",
    "latest_year",
    "measure_label",
    "movers",
    "peer_group",
    "rank_table",
    "rank_uncertainty",
    "resolve_group",
    "rounding_halfwidths",
    "standing",
    "study_partners",
]
