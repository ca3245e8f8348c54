"""Speed of trend fitting and forecasting.

``run()`` times, best of several repeats:

* on the bundled data (every kab/kota with a published SPBE result): ``fit_pooled`` alone;
  fit + ``summary`` (forecast for the target year with 80%/95% intervals, P(reach 3.5 by
  2025), expected year up to 2035) — the issue's target is "well under a second";
  ``forecast`` of every region for 2025-2035; ``share_reaching`` of all regions for 2025-2030
  (4 000 joint draws); per-region ``fit_ols`` and ``fit_theil_sen``;
* on a SYNTHETIC panel (``simulate_panel``, seeded; method timing only) of 5 000 regions
  (quick: 1 000): fit + summary, to show how the cost grows with the number of regions.

Run: ``python -c "from benchmarks import bench_trends; bench_trends.run()"`` (or ``make bench``).
"""

from __future__ import annotations

from benchmarks._timing import best_of
from living_lab import datasets
from living_lab.trends import (
    fit_ols,
    fit_pooled,
    fit_theil_sen,
    share_reaching,
    simulate_panel,
)

#: The issue's speed target for fitting and forecasting every kab/kota (seconds).
TARGET_SECONDS = 1.0


def run(quick: bool = False) -> dict:
    """Time the trend functions; print and return the figures (seconds unless named)."""
    repeat = 2 if quick else 5
    spbe = datasets.load_spbe(framework=None)
    fit = fit_pooled(spbe)
    n_regions = len(fit.regions)

    def fit_and_summary(data=spbe) -> None:
        fit_pooled(data).summary(target=3.5, target_year=2025, horizon=2035)

    results = {
        "n_regions": n_regions,
        "fit_pooled": best_of(lambda: fit_pooled(spbe), repeat),
        "fit_and_summary": best_of(fit_and_summary, repeat),
        "forecast_2025_2035": best_of(lambda: fit.forecast(range(2025, 2036)), repeat),
        "share_2025_2030": best_of(lambda: share_reaching(fit, 3.5), repeat),
        "fit_ols": best_of(lambda: fit_ols(spbe), repeat),
        "fit_theil_sen": best_of(lambda: fit_theil_sen(spbe), repeat),
    }
    n_sim = 1_000 if quick else 5_000
    sim = simulate_panel(n_sim, seed=0)
    results["synthetic_regions"] = n_sim
    results["synthetic_fit_and_summary"] = best_of(
        lambda: fit_and_summary(sim.panel), max(1, repeat - 2)
    )
    results["target_seconds"] = TARGET_SECONDS
    results["meets_target"] = results["fit_and_summary"] < TARGET_SECONDS

    print(f"trends: {n_regions} kab/kota (bundled data), best of {repeat}")
    print(f"  fit_pooled                          {results['fit_pooled']:.3f} s")
    print(
        f"  fit + summary (target year, P, expected year)  {results['fit_and_summary']:.3f} s"
        f"  (target < {TARGET_SECONDS:.1f} s: {'met' if results['meets_target'] else 'NOT met'})"
    )
    print(f"  forecast 2025-2035, every region    {results['forecast_2025_2035']:.3f} s")
    print(f"  share_reaching 2025-2030, 4000 draws {results['share_2025_2030']:.3f} s")
    print(f"  fit_ols                             {results['fit_ols']:.3f} s")
    print(f"  fit_theil_sen                       {results['fit_theil_sen']:.3f} s")
    print(
        f"  SYNTHETIC {n_sim} regions: fit + summary  {results['synthetic_fit_and_summary']:.3f} s"
    )
    return results


if __name__ == "__main__":
    run()
