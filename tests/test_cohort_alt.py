"""Alt text of the cohort overview's figures states the finding, not the figure's title.

A screen reader's user should hear what a sighted reader sees. Each figure's alt text is checked
against the cohort context it comes from (the West Java cohort, 2024, target 3.5: 25 of its 27
regions were at or above 3.5 in 2024, data/spbe_index.csv) and scanned for words of the other
language.
"""

from __future__ import annotations

import pytest
from _language_scan import offences
from IPython.display import Image

from living_lab.report import sections
from living_lab.text import number, t


def _alt(items) -> str:
    """The alt text of the one figure among a section's items."""
    (alt,) = [item.alt for item in items if isinstance(item, Image)]
    return alt


@pytest.mark.parametrize("lang", ["id", "en"])
def test_cohort_figures_state_their_finding(west_java_context, lang):
    ctx = west_java_context
    report = sections.CohortReport.of(ctx, lang)
    ev = ctx.table[ctx.table["index"].notna()]
    top = ev.sort_values(["index", "name"], ascending=[False, True]).iloc[0]
    past = int((ev["index"] >= 3.5).sum())
    figures = {
        "ranking": (_alt(report.ranking()), t("report.cohort.rank_title", lang, year=2024)),
        "distribution": (
            _alt(report.distribution()),
            t("report.cohort.dist_title", lang, year=2024),
        ),
        "movers": (_alt(report.movers()), None),
        "share": (
            _alt(report.share_past_target()),
            t("report.cohort.share_title", lang, target=number(3.5, lang, 1)),
        ),
        "domains": (_alt(report.domain_gaps()), t("report.cohort.domain_title", lang, year=2024)),
    }
    for name, (alt, title) in figures.items():
        assert alt and alt != title, name
        assert not offences(alt, lang), (name, alt)
    ranking = figures["ranking"][0]
    assert past == 25 and len(ev) == 27
    of = "dari" if lang == "id" else "of"
    assert f"{past} {of} 27" in ranking and top["name"] in ranking
    assert number(top["index"], lang) in ranking
    median = number(ev["index"].median(), lang)
    assert median in figures["distribution"][0] and "n = 27" in figures["distribution"][0]
    mv = ctx.table.dropna(subset=["change"]).sort_values("change", ascending=False)
    assert mv["name"].iloc[0] in figures["movers"][0]
    # No West Java region fell from 2023 to 2024: the text must not call the last one a fall.
    none_fell = "tidak ada yang turun" if lang == "id" else "none fell"
    assert (mv["change"].min() >= 0) == (none_fell in figures["movers"][0])
    assert "n = 27" in figures["share"][0]
