"""Speed of the maps: geometry loading, and the drawing time of each kind of map.

``run()`` times, on the bundled boundaries (514 kab/kota) and the West Java context:

* the first load of the geometry (import geopandas, parse WKT, project, build the matplotlib
  paths): paid once per process;
* a region locator map (PNG): the first one of a province (draws the cached province layer)
  and then the cost per further region (the layer reused), over the 27 West Java regions;
* the cohort overview's four maps (one PNG);
* the index page's SVG map (West Java, and every region: its first call also builds the 34
  province outlines, cached afterwards);
* a national map of a panel column (explore notebook).

Run: ``python -c "from benchmarks import bench_maps; bench_maps.run()"`` (or ``make bench``).
"""

from __future__ import annotations

import time

from benchmarks._timing import best_of


def run(quick: bool = False) -> dict:
    """Time the maps; print and return the figures (seconds; PNG/SVG sizes in kB)."""
    from living_lab import boundaries, datasets
    from living_lab.plots import maps
    from living_lab.plots.report import to_png
    from living_lab.report.sections import CohortReport
    from living_lab.results.context import build_context

    t0 = time.perf_counter()
    boundaries._frame(True)  # imports geopandas, parses, projects
    maps._region_paths()
    load = time.perf_counter() - t0

    ctx = build_context("jawa-barat", 2024, 3.5, 2025)
    codes = [str(c) for c in ctx.table.index]
    labels = {"title": "t", "region": "r", "partner": "p"}
    attribution = maps.map_labels("id")["attribution"]
    t0 = time.perf_counter()
    first_png = maps.locator_png(codes[0], codes[1:3], labels=labels, attribution=attribution)
    first = time.perf_counter() - t0
    regions = codes[:8] if quick else codes
    t0 = time.perf_counter()
    for i, code in enumerate(regions):
        maps.locator_png(code, codes[i % 5 : i % 5 + 2], labels=labels, attribution=attribution)
    per_region = (time.perf_counter() - t0) / len(regions)

    report = CohortReport.of(ctx, "id")
    cohort = best_of(lambda: report.maps(), repeat=1 if quick else 2)
    cohort_png = report.maps()[1].data

    svg = maps.index_map_svg(ctx.table, {}, year=2024)
    svg_cohort = best_of(lambda: maps.index_map_svg(ctx.table, {}, year=2024))
    everyone = (
        datasets.load_regions().set_index("region_code").assign(index=float("nan"), predicate=None)
    )
    svg_all = best_of(lambda: maps.index_map_svg(everyone, {}, year=2024), repeat=1)
    svg_all_kb = len(maps.index_map_svg(everyone, {}, year=2024)) / 1024

    panel = datasets.load_panel()
    national = best_of(
        lambda: to_png(maps.plot_column_map(panel, "stunting_prevalence_pct")),
        repeat=1 if quick else 2,
    )
    figures = {
        "geometry_load_s": round(load, 3),
        "locator_first_s": round(first, 3),
        "locator_per_region_s": round(per_region, 4),
        "locator_png_kb": round(len(first_png) / 1024, 1),
        "cohort_maps_s": round(cohort, 3),
        "cohort_maps_png_kb": round(len(cohort_png) / 1024, 1),
        "index_svg_cohort_s": round(svg_cohort, 4),
        "index_svg_cohort_kb": round(len(svg) / 1024, 1),
        "index_svg_all_s": round(svg_all, 3),
        "index_svg_all_kb": round(svg_all_kb, 1),
        "national_map_s": round(national, 3),
    }
    for k, v in figures.items():
        print(f"maps  {k:24s} {v}")
    return figures


if __name__ == "__main__":
    run()
