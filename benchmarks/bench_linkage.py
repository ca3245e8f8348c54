"""Speed of the linkage study, and the properties of its estimators on SYNTHETIC data.

``run()`` times, on the bundled data:

* one main fit with the wild cluster bootstrap (999 draws) and without it;
* the wild bootstrap alone, against a brute-force loop of statsmodels re-fits (199 draws);
* a full robustness table (nine specifications, 999 draws each);
* the region view of every region (stunting model);
* the whole study as the notebook gets it (``living_lab.results.linkage.compute``), and the
  method check's replications on the array path against the data frame path;

and runs the synthetic validation (seeded; 300 replications, quick: 60) through the library's
own ``fit``, printing bias, bias / SE and 95% interval coverage per estimator.

Run: ``python -c "from benchmarks import bench_linkage; bench_linkage.run()"`` (or ``make bench``).
"""

from __future__ import annotations

import time

import numpy as np
import statsmodels.api as sm

from benchmarks._timing import best_of
from living_lab import datasets, linkage
from living_lab.linkage import estimators, simulate


def _brute_force_wild(res: linkage.LinkageResult, draws: int) -> None:
    X, y, g = res.design.X, res.design.y, res.design.clusters
    j = res.ols_fit.index("spbe")
    Z = np.delete(X, j, axis=1)
    restricted = sm.OLS(y, Z).fit()
    codes = np.unique(g, return_inverse=True)[1]
    W, _ = estimators.draw_weights(draws, codes.max() + 1, "rademacher", np.random.default_rng(0))
    for w in W:
        ystar = restricted.fittedvalues + restricted.resid * w[codes]
        sm.OLS(ystar, X).fit(cov_type="cluster", cov_kwds={"groups": g})


def run(quick: bool = False) -> dict:
    """Time the study and run the synthetic validation; print and return the figures."""
    repeat = 1 if quick else 3
    out: dict[str, float | int | dict] = {}
    linkage.fit("stunting_prevalence_pct", bootstrap=0)  # warm the data caches
    out["fit_no_bootstrap_s"] = best_of(
        lambda: linkage.fit("stunting_prevalence_pct", bootstrap=0), repeat
    )
    out["fit_wild_999_s"] = best_of(
        lambda: linkage.fit("stunting_prevalence_pct", bootstrap=999), repeat
    )
    res = linkage.fit("stunting_prevalence_pct", bootstrap=0)
    j = res.ols_fit.index("spbe")
    out["wild_199_vectorised_s"] = best_of(
        lambda: estimators.wild_cluster_bootstrap(
            res.design.X, res.design.y, res.design.clusters, j, draws=199
        ),
        repeat,
    )
    out["wild_199_brute_force_s"] = best_of(lambda: _brute_force_wild(res, 199), 1)
    out["robustness_table_s"] = best_of(
        lambda: linkage.robustness_table("stunting_prevalence_pct", bootstrap=999), 1
    )
    codes = list(datasets.load_regions()["region_code"])
    t0 = time.perf_counter()
    statuses = [linkage.region_view(c, result=res).status for c in codes]
    out["region_view_per_region_ms"] = 1000 * (time.perf_counter() - t0) / len(codes)
    out["regions_ok"] = statuses.count("ok")
    out["regions_not_enough_data"] = statuses.count("not_enough_data")

    reps = 60 if quick else 300
    t0 = time.perf_counter()
    table = simulate.simulation_study(replications=reps, seed=20250314, bootstrap=199)
    out["simulation_s"] = time.perf_counter() - t0
    out["simulation_replications"] = reps
    out["simulation"] = {
        row.estimator: {
            "bias": round(row.bias, 4),
            "bias_over_se": round(row.bias_over_se, 3),
            "coverage": round(row.coverage, 3),
        }
        for row in table.itertuples()
    }
    # The study as the notebook computes it (results layer), and the method check on both
    # replication paths (the default one on arrays, the straightforward one per data frame).
    from living_lab.results import linkage as linkage_results

    out["study_compute_s"] = best_of(linkage_results.compute, 1)
    check = {"replications": 40, "seed": 20250314, "bootstrap": 199, **simulate.DATA_REGIME}
    out["method_check_40_fast_s"] = best_of(lambda: simulate.replicate(fast=True, **check), 1)
    out["method_check_40_frames_s"] = best_of(lambda: simulate.replicate(fast=False, **check), 1)
    for key, value in out.items():
        if key != "simulation":
            print(f"{key:28s} {value:.4g}" if isinstance(value, float) else f"{key:28s} {value}")
    print(
        f"SYNTHETIC validation, {reps} replications (truth: stunting -1.5, change -0.4, panel -1.0):"
    )
    print(
        table[["estimator", "truth", "mean_estimate", "bias", "bias_over_se", "coverage"]]
        .round(3)
        .to_string(index=False)
    )
    return out
