"""The fork server's warm-up leaves every region's domain-profile layer drawn.

The domain profile's cohort-wide layer holds the domain labels, and a focus domain's label
carries the focus mark, so regions whose focus domains differ need different layers. Each
report runs in a kernel forked from the warmed server: a layer the server did not draw is drawn
again by every such report and lost when its kernel exits.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest

from living_lab.plots import report as plots
from living_lab.report.sections import RegionReport
from living_lab.report.warmup import warm_up
from living_lab.results.context import build_context, get_context, results_folder, save_context

pytestmark = pytest.mark.slow  # builds the West Java context in-process

ARGS = ("jawa-barat", 2024, 3.5, 2025)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = results_folder(tmp_path_factory.mktemp("results"), "jawa-barat", 2024)
    save_context(build_context(*ARGS), folder)
    return folder


@pytest.mark.parametrize("lang", ["id", "en"])
def test_after_the_warm_up_no_region_draws_its_domain_layer(folder, lang, monkeypatch):
    plots._LAYERS.clear()
    warm_up(*ARGS, str(folder), lang=lang, maps=False)
    ctx = get_context(*ARGS, str(folder), lang=lang)
    # What every forked report kernel starts with.
    primed = OrderedDict(plots._LAYERS)
    scored = ctx.table["index"].dropna().index
    by_focus: dict[frozenset[int], str] = {}
    for code in ctx.regions:
        if code in scored:
            by_focus.setdefault(frozenset(RegionReport(ctx, code, lang).focus_domains), code)
    # The sample: one region of each set of focus domains (West Java has several, and the
    # warm-up region's own set is only one of them).
    assert len(by_focus) >= 4, by_focus

    drawn: list[list[str]] = []
    static = plots._domains_static

    def counting(**kwargs):
        drawn.append(kwargs["domain_labels"])
        return static(**kwargs)

    monkeypatch.setattr(plots, "_domains_static", counting)
    warm: dict[str, bytes] = {}
    for focus, code in by_focus.items():
        plots._LAYERS.clear()
        plots._LAYERS.update(primed)  # a fresh fork of the server
        report = RegionReport(ctx, code, lang)
        figure = report.domains()[1]
        warm[code] = figure.data
        # The focus mark is on this region's focus domains, and only there.
        dom, _ = report.domain_profile()
        mark = {"id": "· fokus", "en": "· focus"}[lang]
        marked = {i + 1 for i, label in enumerate(dom["label"]) if label.endswith(mark)}
        assert marked == set(focus), (code, list(dom["label"]))
    assert drawn == [], f"domain layers drawn again after the warm-up: {drawn}"

    # A layer drawn on demand (cold, as before the warm-up drew them all) gives the same PNG.
    for code in list(by_focus.values())[:3]:
        plots._LAYERS.clear()
        assert RegionReport(ctx, code, lang).domains()[1].data == warm[code], code
    assert len(drawn) == 3  # ... and those were really drawn again
