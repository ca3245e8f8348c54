"""Peer benchmarking: peer groups, standing, rank uncertainty, movers, frontier and partners.

Where does a region stand among regions like it, did it move, which domain holds it back, and
whom should it visit to learn it? Each question is one call:

>>> from living_lab import peers
>>> peers.standing("3211", group="province").table.loc["index", "rank"]       # doctest: +SKIP
>>> peers.rank_uncertainty(peers.group_scores("3211", "province"))            # doctest: +SKIP
>>> peers.movers(2023, 2024, group="jawa-barat", n=5)                          # doctest: +SKIP
>>> peers.frontier_gap("3211", group="province").iloc[0]                      # doctest: +SKIP
>>> peers.study_partners("3211", domain=4).table                              # doctest: +SKIP

Definitions and their sources are in each module's docstring: :mod:`.groups` (who is a peer),
:mod:`.standing` (ranks, percentiles, ties), :mod:`.uncertainty` (Monte Carlo after the
OECD/JRC handbook, bands), :mod:`.movers` (change decomposition), :mod:`.frontier` (gap to the
frontier) and :mod:`.partners` (study-visit partners).
"""

from living_lab.peers.data import evaluation_years, latest_year
from living_lab.peers.frontier import frontier_gap
from living_lab.peers.groups import PeerGroup, available_groups, peer_group, resolve_group
from living_lab.peers.movers import movers
from living_lab.peers.partners import PartnerResult, study_partners
from living_lab.peers.standing import Standing, measure_label, rank_table, standing
from living_lab.peers.uncertainty import rank_uncertainty, rounding_halfwidths


def group_scores(region_code: str | int | None, group: str = "all", *, year: int | None = None):
    """Domain scores and index of a peer group, indexed by region_code (input of
    :func:`rank_uncertainty`)."""
    from living_lab.peers import data

    grp = resolve_group(region_code, group, year=year)
    return data.scores(grp.year).loc[list(grp.members)]


__all__ = [
    "PartnerResult",
    "PeerGroup",
    "Standing",
    "available_groups",
    "evaluation_years",
    "frontier_gap",
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
