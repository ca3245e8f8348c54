"""Section 4 of the region report ("Belajar dari daerah lain"): benchmark, focus and partners.

The report must show what ``living_lab.improvement`` and ``living_lab.peers`` compute (the
expectation is the library call with the arguments the report documents), and what it shows
must also hold against the published data read independently with the csv module from
``data/spbe_index.csv`` (KemenPANRB, Laporan Pelaksanaan Evaluasi SPBE 2024):

* the benchmark of a domain is the 90th percentile (linear interpolation,
  ``params/peer_groups.yaml`` ``frontier.default``) of the other cohort members' published
  scores; a gap counts beyond the clear margin (rounding of two scores plus sqrt(2) x the trend
  model's noise prior 0.15);
* every study-visit partner leads the region in the focus domain by more than that margin.

Executed-notebook checks of the same section are in tests/test_notebooks.py.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from living_lab import paths, peers
from living_lab.report import sections
from living_lab.results import context

HOSTILE = '<script>alert(1)</script> "quotes" & $x^2$'
YEAR = 2024


def _scores(year: int = YEAR) -> dict[str, dict[str, float]]:
    """Published domain scores and index of ``year`` by region code, from the CSV."""
    out = {}
    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if int(r["year"]) == year and r["index"]:
                out[r["region_code"]] = {
                    k: float(r[k]) for k in ("d1", "d2", "d3", "d4", "index") if r[k]
                }
    return out


def _min_lead() -> float:
    raw = yaml.safe_load((paths.PARAMS / "peer_groups.yaml").read_text(encoding="utf-8"))
    return float(raw["partners"]["min_lead"])


def _id_number(x: float, decimals: int = 2) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


def _html(parts) -> str:
    return "".join(p.data for p in parts)


def _partner_codes(html: str) -> list[str]:
    """Region codes of the partners table rows, in order (cells 'Name (code)')."""
    part = html.split("Mitra studi banding" if "Mitra" in html else "Study-visit partners")[-1]
    return re.findall(r'<td class="nw">[^<]+ \((\d{4})\)</td>', part)


@pytest.fixture(scope="module")
def ctx(west_java_context) -> context.CohortContext:
    return west_java_context


def _margin(domain: str) -> float:
    """Clear margin from its documented parts: rounding half-widths (0 for D1-D2 whose scores
    print exactly, 0.005 for D3-D4) and the noise prior 0.15 of the trend model."""
    h = {"d1": 0.0, "d2": 0.0, "d3": 0.005, "d4": 0.005}[domain]
    return 2 * h + np.sqrt(2) * 0.15


def test_sumedang_has_no_focus_and_every_section_says_so(ctx):
    # Independently, from the CSV: no gap of Sumedang to the West Java benchmark exceeds the
    # clear margin, so nothing stands out.
    own = _scores()["3211"]
    for d in ("d1", "d2", "d3", "d4"):
        assert _jawa_barat_frontier("3211", d) - own[d] <= _margin(d), d
    report = sections.RegionReport.of(ctx, "3211", "id")
    assert report.focus_domains == ()
    learning = _html(report.learning())
    assert "4. Belajar dari daerah lain" in learning
    summary, domains = _html(report.summary()[1:2]), _html(report.domains()[2:])
    for html in (summary, domains, learning):
        assert "Tidak ada domain yang menonjol" in html
    assert "tidak ada mitra studi banding yang diusulkan" in learning
    assert _partner_codes(learning) == []


def test_majalengka_partners_are_the_library_result_and_lead_clearly(ctx):
    report = sections.RegionReport.of(ctx, "3210", "id")
    assert report.focus_domains == (4,)
    html = _html(report.learning())
    expected = peers.study_partners("3210", domain=4, group="all", year=YEAR, n=5)
    assert expected.status == "ok" and len(expected.table) == 5
    shown = _partner_codes(html)
    assert shown == list(expected.table["region_code"])
    data = _scores()
    for code in shown:
        lead = data[code]["d4"] - data["3210"]["d4"]
        assert lead > _margin("d4"), code
        assert _id_number(data[code]["d4"]) in html and f"+{_id_number(lead)}" in html
    assert "Domain fokus: <b>Layanan</b>" in html
    assert "Jumlah penduduk tidak dipakai" in html  # the population caveat


def _jawa_barat_frontier(code: str, domain: str) -> float:
    data = _scores()
    others = [v[domain] for c, v in data.items() if c.startswith("32") and c != code]
    assert len(others) == 26
    return float(np.quantile(others, 0.9))


def test_focus_matches_the_published_scores(ctx):
    # Kabupaten Bandung (3204): the realistic gain of one round is weight x min(gap, pace
    # limit) for gaps beyond the margin; the pace limits come from the library (tested in
    # tests/test_improvement.py against the data).
    from living_lab.improvement import gain_bounds

    bounds = gain_bounds()
    data = _scores()
    weights = {"d1": 0.13, "d2": 0.25, "d3": 0.165, "d4": 0.455}  # PermenPANRB 59/2020
    gains = {}
    for d in ("d1", "d2", "d3", "d4"):
        gap = max(_jawa_barat_frontier("3204", d) - data["3204"][d], 0.0)
        limit = bounds.bound(int(d[1]), data["3204"][d])
        gains[d] = weights[d] * min(gap, limit) if gap > _margin(d) else 0.0
    ranked = sorted(gains, key=lambda d: -gains[d])
    assert ranked[:2] == ["d2", "d3"] and gains["d3"] >= 0.8 * gains["d2"]
    report = sections.RegionReport.of(ctx, "3204", "id")
    assert report.focus_domains == (2, 3)
    html = _html(report.learning())
    assert "Fokus perbaikan: <b>Tata Kelola dan Manajemen</b>" in html
    assert f"+{_id_number(gains['d2'], 3)}" in html
    assert _id_number(_jawa_barat_frontier("3204", "d3")) in html
    assert "Domain fokus: <b>Tata Kelola</b>" in html  # partners are searched in the focus


def test_english_section(ctx):
    html = _html(sections.RegionReport.of(ctx, "Kota Bandung", "en").learning())
    assert "4. Learning from peers" in html and "Study-visit partners" in html
    assert "No domain stands out" in html  # Kota Bandung is the benchmark
    assert "Belajar" not in html and "Tidak ditemukan" not in html
    d4 = _scores()["3273"]["d4"]  # Kota Bandung's D4 2024, in English decimals
    assert f"{d4:.2f}" in html and _id_number(d4) not in html


def _partners_html(pr: peers.PartnerResult, lang: str) -> str:
    """A library ``PartnerResult`` through the report's partners fragment (as section 4 shows it)."""
    return sections.partners_fragment(
        pr.table,
        lang=lang,
        code=pr.region_code,
        name=pr.name,
        domain=pr.domain,
        value=pr.value,
        min_lead=pr.min_lead,
        n_ahead=pr.n_ahead,
        year=pr.year,
        group_label=pr.group.label(lang),
        features=[(f, pr.feature_years.get(f)) for f in pr.features_used],
        notes=[n.text(lang) for n in (*pr.group.notes, *pr.notes)],
    )


def test_no_partner_gets_an_explicit_none_found_sentence():
    # The best D4 score published in 2024 is 5.00, the top of the scale: nobody can lead it.
    data = _scores()
    top = max(sorted(data), key=lambda c: data[c]["d4"])
    assert data[top]["d4"] == 5.0
    result = peers.study_partners(top, domain=4, year=YEAR)
    assert result.status == "none_found"
    html = _partners_html(result, "id")
    assert "Tidak ditemukan: tidak ada daerah di antara semua kabupaten/kota" in html
    assert "<table" not in html
    assert "None found" in _partners_html(result, "en")


@pytest.mark.slow
def test_region_without_partner_in_the_national_cohort():
    """Kabupaten Kediri (3506) in a report on every kab/kota: level with the national benchmark
    everywhere, so no focus and no partners."""
    ctx_all = context.build_context("all", YEAR, 3.5, 2025)
    html = _html(sections.RegionReport.of(ctx_all, "3506", "id").learning())
    data = _scores()
    for d in ("d1", "d2", "d3", "d4"):
        others = [v[d] for c, v in data.items() if c != "3506"]
        assert np.quantile(others, 0.9) - data["3506"][d] <= _margin(d)
    assert "Tidak ada domain yang menonjol" in html
    assert _partner_codes(html) == []


def test_data_strings_are_escaped(ctx):
    table = ctx.table.copy()
    table.loc["3211", "name"] = HOSTILE
    html = _html(
        sections.RegionReport.of(dataclasses.replace(ctx, table=table), "3211", "id").learning()
    )
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    pr = peers.study_partners("3211", domain=3, year=YEAR)
    hostile = dataclasses.replace(
        pr, name=HOSTILE, table=pr.table.assign(name=HOSTILE, province=HOSTILE)
    )
    html = _partners_html(hostile, "en")
    assert "<script>" not in html and html.count("&lt;script&gt;alert(1)") == 1 + 2 * len(pr.table)


def test_cohort_overview_lists_each_regions_focus(ctx):
    html = _html(sections.CohortReport.of(ctx, "id").domain_gaps()[2:])
    assert "Fokus perbaikan tiap wilayah" in html
    rows = re.findall(r'<tr><td class="nw">([^<]+)</td><td class="">([^<]+)</td>', html)
    assert len(rows) == 27
    lever = dict(rows)
    # The overview names the same first focus as each region's own report.
    for code in ("3204", "3210", "3211"):
        report = sections.RegionReport.of(ctx, code, "id")
        names = sections.domain_names("id")
        expected = names[report.focus_domains[0] - 1] if report.focus_domains else None
        assert lever[report.name] == (expected or "tidak ada yang menonjol")


def test_section_text_exists_in_both_languages():
    ids = yaml.safe_load((paths.PACKAGE_DIR / "locales/id/report.yml").read_text(encoding="utf-8"))
    ens = yaml.safe_load((paths.PACKAGE_DIR / "locales/en/report.yml").read_text(encoding="utf-8"))
    learn = {k for k in ids if k.startswith("report.learn.")}
    assert learn == {k for k in ens if k.startswith("report.learn.")}
    used = set(re.findall(r'"(report\.learn\.[a-z_]+)"', Path(sections.__file__).read_text()))
    dynamic = {k for k in used if k.endswith("_")}
    assert used - dynamic <= learn
    assert "report.learn.no_focus" in learn
