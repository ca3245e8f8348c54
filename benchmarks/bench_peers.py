"""Speed of peer benchmarking: the Monte Carlo over every region, and a region's full answer.

``run()`` times, on the bundled 2024 results (485 kab/kota):

* ``rank_uncertainty`` over all regions with 1000 draws (quick: 200), best of three;
* ``standing`` of Sumedang among all regions (index and four domains, each with its Monte Carlo);
* the whole ``living-lab peers`` answer (standing in the province, frontier gap, partners
  nationwide) for every region of the West Java cohort (full run: every evaluated region).

Run: ``python -c "from benchmarks import bench_peers; bench_peers.run()"`` (or ``make bench``).
"""

from __future__ import annotations

import time

from benchmarks._timing import best_of
from living_lab import peers
from living_lab.peers import data


def run(quick: bool = False) -> dict:
    """Time the peer computations; print and return the figures (seconds)."""
    year = data.latest_year()
    scores = data.scores(year)
    n_draws = 200 if quick else 1000
    mc = best_of(lambda: peers.rank_uncertainty(scores, n_draws=n_draws, seed=0))
    standing_all = best_of(
        lambda: peers.standing("3211", group="all", year=year, n_draws=n_draws), repeat=2
    )
    regions = list(peers.peer_group("3211", "province", year=year)) if quick else list(scores.index)
    t0 = time.perf_counter()
    for code in regions:
        peers.standing(code, group="province", year=year, n_draws=n_draws)
        peers.frontier_gap(code, group="province", year=year)
        peers.study_partners(code, group="all", year=year, lever_group="province")
    per_region = (time.perf_counter() - t0) / len(regions)
    figures = {
        "n_regions": int(len(scores)),
        "n_draws": n_draws,
        "rank_uncertainty_all_s": round(mc, 4),
        "draws_per_s": round(n_draws / mc),
        "standing_all_groups_s": round(standing_all, 4),
        "answer_regions": len(regions),
        "answer_per_region_s": round(per_region, 4),
    }
    for k, v in figures.items():
        print(f"peers  {k:26s} {v}")
    return figures


if __name__ == "__main__":
    run()
