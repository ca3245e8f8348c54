"""Speed of the scoring engine and the planners.

``run()`` times, on SYNTHETIC random levels (uniform 1-5, seeded; method timing only):

* ``score_frame`` over 100 000 regions (quick: 10 000), vectorised, against a per-row loop of
  ``score_levels`` over a sample (2 000 rows; quick: 300), extrapolated per region;
* ``score_domains`` over the same number of regions;
* ``plan_levels`` with unit costs (greedy) and with per-indicator costs (exact DP), from all
  levels at 1 to 5.0 (the largest DP: 8 000 gain units) and to 3.5;
* ``plan_domains`` on every bundled 2024 kab/kota row toward 3.5.

Run: ``python -c "from benchmarks import bench_scoring; bench_scoring.run()"`` (or ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmarks._timing import best_of
from living_lab import datasets
from living_lab.framework import load_framework
from living_lab.planner import plan_domains, plan_levels
from living_lab.scoring import score_domains, score_frame, score_levels


def run(quick: bool = False) -> dict:
    """Time scoring and planning; print and return the figures (seconds unless named)."""
    fw = load_framework()
    numbers = [i.number for i in fw.indicators]
    n = 10_000 if quick else 100_000
    n_loop = 300 if quick else 2_000
    rng = np.random.default_rng(0)
    levels = pd.DataFrame(rng.integers(1, 6, size=(n, len(numbers))), columns=numbers)
    domains = rng.uniform(1, 5, size=(n, len(fw.domains)))

    vec = best_of(lambda: score_frame(levels))
    rows = [levels.iloc[k].to_dict() for k in range(n_loop)]
    t0 = time.perf_counter()
    loop_results = [score_levels(r).index for r in rows]
    loop_per_row = (time.perf_counter() - t0) / n_loop
    # The two paths must agree, or the comparison means nothing.
    assert np.allclose(loop_results, score_frame(levels.iloc[:n_loop])["index"])
    dom = best_of(lambda: score_domains(domains))

    low = dict.fromkeys(numbers, 1)
    costs = {k: float(c) for k, c in zip(numbers, rng.uniform(1, 10, len(numbers)), strict=True)}
    greedy_full = best_of(lambda: plan_levels(low, 5.0))
    dp_full = best_of(lambda: plan_levels(low, 5.0, costs=costs))
    dp_35 = best_of(lambda: plan_levels(low, 3.5, costs=costs))

    spbe = datasets.load_spbe()
    rows_2024 = spbe[(spbe["year"] == 2024)][["d1", "d2", "d3", "d4"]].to_numpy()
    t0 = time.perf_counter()
    for r in rows_2024:
        plan_domains(r, 3.5)
    per_domain_plan = (time.perf_counter() - t0) / len(rows_2024)

    figures = {
        "data": "synthetic random levels (seeded), method timing only",
        "n_regions": n,
        "score_frame_s": round(vec, 4),
        "score_frame_regions_per_s": round(n / vec),
        "score_levels_loop_per_region_s": round(loop_per_row, 6),
        "loop_extrapolated_s": round(loop_per_row * n, 2),
        "vectorised_speedup": round(loop_per_row * n / vec, 1),
        "score_domains_s": round(dom, 5),
        "plan_levels_greedy_1_to_5_s": round(greedy_full, 4),
        "plan_levels_dp_1_to_5_s": round(dp_full, 4),
        "plan_levels_dp_1_to_3.5_s": round(dp_35, 4),
        "plan_domains_per_region_s": round(per_domain_plan, 5),
        "plan_domains_regions": len(rows_2024),
    }
    for k, v in figures.items():
        print(f"scoring  {k:34s} {v}")
    return figures


if __name__ == "__main__":
    run()
