"""The fork server's warm-up: load a batch's results and pay every first-use cost once.

The report runner forks one fresh kernel per report from a server process
(:mod:`living_lab.report.forkserver`). Whatever the server has loaded, a forked kernel has too,
for free (copy-on-write); whatever it has not, every report pays again: reading the text
catalogue, loading the results folder and the region boundaries, drawing the cohort-wide layer
of each figure (the part all regions share, cached by :mod:`living_lab.plots.report`), first
calls into pandas, matplotlib and babel. (The modules the sections import lazily are in the
``preload`` list of ``params/notebooks.yaml``, imported when the server starts.)

:func:`warm_up` does all of that once, in the server, by building the report of one fixed
region (the first region of the cohort that has a result, so the same one whatever the batch)
and discarding it, then drawing the layers that differ between regions: the domain profile's
for each set of focus domains in the cohort (:func:`prime_domain_layers`) and the locator map's
for each province. It touches only caches that every report fills with the same content:
warnings are silenced inside it and figure styles come from ``rc_context``, so nothing a notebook
could observe (options, filters, random state, rcParams) differs from a fresh interpreter.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from living_lab.errors import LivingLabError

if TYPE_CHECKING:
    from living_lab.results.context import CohortContext


def warm_up(
    cohort: str,
    year: int,
    target: float,
    target_year: int,
    context_path: str | Path = "",
    lang: str = "id",
    maps: bool = True,
) -> str | None:
    """Load the results at ``context_path`` and run one fixed region's report sections; draw the
    domain profile's layer of every set of focus domains in the cohort and, with ``maps``, the
    locator map's province layer of every province in the cohort.

    Returns the region used, or None when the context has none. Errors are left to the
    notebooks, which report them with their own message.
    """
    from living_lab.report.downloads import numbers_csv, region_numbers
    from living_lab.report.executive import executive_summary
    from living_lab.report.sections import RegionReport
    from living_lab.results.context import get_context

    ctx = get_context(cohort, year, target, target_year, context_path, lang=lang)
    scored = ctx.table["index"].dropna().index
    evaluated = [c for c in ctx.regions if c in scored]
    if not evaluated:
        return None
    region = evaluated[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            report = RegionReport.of(ctx, region, lang)  # type: ignore[arg-type]
            parts = [report.header, report.summary] + ([report.locator] if maps else [])
            for part in (
                *parts,
                report.trajectory,
                report.domains,
                report.learning,
                report.outcomes,
                report.relation,
                report.notes,
            ):
                for item in part():
                    for method in ("_repr_html_", "_repr_png_", "_repr_markdown_"):
                        if hasattr(item, method):
                            getattr(item, method)()
            executive_summary(report)
            numbers_csv(region_numbers(report))
            prime_domain_layers(ctx, evaluated, lang)
            if maps:
                from living_lab.plots import maps as region_maps
                from living_lab.text import t

                region_maps.prime_locators(
                    ctx.regions,
                    attribution=t("maps.attribution", lang),  # type: ignore[arg-type]
                )
        except (LivingLabError, KeyError, ValueError):
            return None
    return region


def prime_domain_layers(ctx: CohortContext, codes: Sequence[str], lang: str) -> int:
    """Draw the domain profile's cohort layer for every set of focus domains among ``codes``.

    A focus domain's label carries the focus mark, and the labels are part of the layer, so
    the regions of each set of focus domains share one layer (with four domains, at most 11
    sets; the warm-up region's is drawn already). Returns the number of sets.
    """
    from living_lab.plots import report as plots
    from living_lab.report.sections import RegionReport

    sets = {frozenset(RegionReport(ctx, code, lang).focus_domains) for code in codes}  # type: ignore[arg-type]
    report = RegionReport(ctx, codes[0], lang)  # type: ignore[arg-type]
    for focus in sorted(sets, key=sorted):
        dom, labels = report.domain_profile(focus)
        plots.prime_domain_profile(dom, target=ctx.target, labels=labels, lang=lang)
    return len(sets)
