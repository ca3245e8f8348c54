"""Region reports on awkward data: never-evaluated regions, outcome series, alt text.

Known truths used (see ../shared/data/README.md and data/outcomes.csv):

* Kabupaten Intan Jaya (9435, Papua Tengah) has no published SPBE result in any year.
* Kabupaten Sumedang's stunting by national survey: SSGI 2021 22.0, SSGI 2022 27.6, SKI 2023
  14.4, SSGI 2024 17.0; by the district's e-PPGBM census 12.05 / 10.99 / 8.27 (2020-2022): two
  series that must never be joined.
* Kabupaten Bandung (3204) poverty, BPS P0 March: 2021 7.15, 2024 6.19, 2025 6.04.
* Sumedang 2024: index 4.51 "Memuaskan", rank 2 of the 27 Jawa Barat regions.
"""

from __future__ import annotations

import re

import pytest
from IPython.display import HTML, Image

from living_lab import datasets
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.sections import RegionReport
from living_lab.results import context

INTAN_JAYA = "9435"


@pytest.fixture(scope="module")
def ctx() -> context.CohortContext:
    # The Jawa Barat context plus one never-evaluated region, as a batch holds it.
    return context.build_context("jawa-barat", 2024, 3.5, 2025, include=(INTAN_JAYA,))


def _html(parts) -> str:
    return "\n".join(p.data for p in parts if isinstance(p, HTML))


def _alts(parts) -> list[str]:
    return [p.alt or "" for p in parts if isinstance(p, Image)]


def test_intan_jaya_has_no_published_result_in_any_year():
    spbe = datasets.load_spbe(framework=None)
    assert INTAN_JAYA not in set(spbe["region_code"])
    assert context.never_evaluated(INTAN_JAYA) and not context.never_evaluated("3211")


def test_never_evaluated_region_is_a_table_row_that_changes_no_rank(ctx, west_java_context):
    plain = west_java_context
    assert ctx.unevaluated == (INTAN_JAYA,) and INTAN_JAYA not in ctx.regions
    row = ctx.table.loc[INTAN_JAYA]
    assert row["name"] == "Kabupaten Intan Jaya"
    assert row[["index", "latest_index", "d1", "d2", "d3", "d4"]].isna().all()
    assert row["rank"] is None or str(row["rank"]) == "<NA>"
    others = ctx.table.drop(INTAN_JAYA)
    assert others["rank"].tolist() == plain.table["rank"].tolist()
    assert int(ctx.table.loc["3211", "n_ranked"]) == 27
    # Its own key: a context with the extra row never stands in for the plain one.
    assert ctx.key != plain.key
    # An evaluated region outside the cohort is still refused.
    with pytest.raises(Exception, match="not in cohort"):
        context.build_context(
            "jawa-barat", 2024, 3.5, 2025, include=("3578",)
        )  # Kota Surabaya, evaluated


@pytest.mark.parametrize("lang", ["id", "en"])
def test_never_evaluated_region_gets_a_belum_dievaluasi_report(ctx, lang):
    report = RegionReport.of(ctx, INTAN_JAYA, lang)
    parts = [*report.header(), *report.summary(), *report.trajectory(), *report.domains()]
    parts += [*report.learning(), *report.outcomes(), *report.relation(), *report.notes()]
    html = _html(parts)
    if lang == "id":
        assert "belum dievaluasi" in html
        assert "Kabupaten Intan Jaya belum memiliki hasil evaluasi SPBE yang dipublikasikan" in html
    else:
        assert "not yet evaluated" in html
    # Nothing is invented: no index value, no rank for it.
    assert not re.search(r"peringkat <b>|rank <b>", html)
    alts = _alts(parts)
    assert alts and all("Intan Jaya" in alt for alt in alts), alts


def test_batch_naming_a_never_evaluated_region_keeps_it(tmp_path):
    """`--regions Sumedang,"Intan Jaya"` is a batch with a report for each, not exit 2."""
    params = validate(
        {"out": str(tmp_path / "out"), "regions": "Sumedang,Intan Jaya"},
        config=load_notebook_config(),
    )
    assert params.regions == ("3211", "9435") and params.unevaluated == ("9435",)
    assert params.cohort == "all" and params.cohort_of("3211") == "jawa-barat"
    with_all = validate(
        {"out": str(tmp_path / "out"), "regions": "Intan Jaya", "cohort": "all"},
        config=load_notebook_config(),
    )
    assert with_all.unevaluated == ("9435",)


def test_outcome_series_keep_survey_and_census_apart():
    tr = context.outcome_trends(("3211", "3204"), datasets.load_outcomes())
    sumedang = tr[tr["region_code"] == "3211"]
    survey = sumedang[sumedang["indicator"] == "stunting_prevalence_pct"]
    assert survey[["year", "value", "measure"]].values.tolist() == [
        [2021, 22.0, "SSGI"],
        [2022, 27.6, "SSGI"],
        [2023, 14.4, "SKI"],
        [2024, 17.0, "SSGI"],
    ]
    census = sumedang[sumedang["indicator"] == "stunting_eppgbm_pct"]
    assert census[["year", "value"]].values.tolist() == [[2020, 12.05], [2021, 10.99], [2022, 8.27]]
    assert set(census["measure"]) == {"e-PPGBM"}
    bandung = tr[(tr["region_code"] == "3204") & (tr["indicator"] == "poverty_rate_pct")]
    assert bandung[["year", "value"]].values.tolist() == [[2021, 7.15], [2024, 6.19], [2025, 6.04]]
    # Kabupaten Bandung has a single stunting figure (SSGI 2024): no series, nothing drawn.
    assert tr[(tr["region_code"] == "3204") & tr["indicator"].str.startswith("stunting")].empty


@pytest.mark.parametrize("lang", ["id", "en"])
def test_region_report_shows_its_outcome_series(ctx, lang):
    html = _html(RegionReport.of(ctx, "3211", lang).outcomes())
    assert "<h3>" in html and "2021 SSGI" in html, "the series table is in section 5"
    dec = "," if lang == "id" else "."
    assert f"2021 SSGI: 22{dec}0%" in html and f"2023 SKI: 14{dec}4%" in html
    assert f"2024 SSGI: 17{dec}0%" in html
    # The census is its own row: no row mixes e-PPGBM years with survey years.
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    survey_rows = [r for r in rows if "SSGI" in r and "%" in r and "2021 SSGI" in r]
    census_rows = [r for r in rows if f"2020: 12{dec}1%" in r]
    assert len(survey_rows) == 1 and len(census_rows) == 1
    assert "2020" not in survey_rows[0] and "SSGI" not in census_rows[0].split("</td>", 1)[1]
    # Sumedang poverty, BPS P0 March: 2021, 2024 and 2025 (values from data/outcomes.csv).
    pov = datasets.load_outcomes()
    pov = pov[(pov["region_code"] == "3211") & (pov["indicator"] == "poverty_rate_pct")]
    for y, v in zip(pov["year"], pov["value"], strict=True):
        assert f"{int(y)}: {v:.2f}".replace(".", dec) + "%" in html


def test_figure_alt_text_states_the_finding(ctx):
    report = RegionReport.of(ctx, "3211", "id")
    assert report.alt_headline() == (
        "Indeks SPBE Kabupaten Sumedang 2024: 4,51 (Memuaskan), peringkat 2 dari 27 di kohort"
    )
    parts = [*report.trajectory(), *report.domains(), *report.outcomes(), *report.relation()]
    alts = _alts(parts)
    assert len(alts) >= 4
    titles = re.findall(r"<h2>(.*?)</h2>", _html(parts))
    for alt in alts:
        assert re.search(r"\d,\d", alt), alt  # a number: the finding, not just a title
        assert alt not in titles
    assert any("Stunting Kabupaten Sumedang 17,0% (2024" in a for a in alts)
    en = RegionReport.of(ctx, "3211", "en").alt_headline()
    assert (
        en == "SPBE index of Kabupaten Sumedang 2024: 4.51 (Memuaskan), rank 2 of 27 in the cohort"
    )
