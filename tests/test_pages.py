"""Pages through autoescaping Jinja2 templates: hostile text stays text on every page kind."""

from __future__ import annotations

import ast
import inspect
import re

import nbformat

from living_lab import paths
from living_lab.report import index_page, pages, render

HOSTILE = "<script>alert(1)</script>\"'&"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_templates_are_package_data_with_autoescape():
    folder = paths.ROOT / "living_lab" / "report" / "templates"
    assert {p.name for p in folder.glob("*.j2")} >= {"index.html.j2", "report.html.j2"}
    assert pages.environment().autoescape is True
    # Shipped in the wheel (setup.py lists the package data; tests/test_wheel.py renders from it).
    setup = (paths.ROOT / "setup.py").read_text(encoding="utf-8")
    assert 'package_data["living_lab.report"] = ["templates/*.j2"]' in setup


def test_no_hand_escaping_in_the_page_modules():
    for module in (index_page, render, pages):
        tree = ast.parse(inspect.getsource(module))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert "esc" not in names and "escape" not in attrs, module.__name__


def test_every_manifest_string_on_the_index_is_escaped(tmp_path):
    manifest = {
        "cohort": HOSTILE,
        "cohort_title": HOSTILE,
        "year": 2024,
        "lang": "en",
        "target": 3.5,
        "target_year": 2025,
        "updated": HOSTILE,
        "data_version": HOSTILE,
        "library_version": HOSTILE,
        "regions": {
            "3211": {"status": "failed", "error": HOSTILE},
            HOSTILE: {"status": HOSTILE, "name": HOSTILE, "error": HOSTILE},
        },
        "cohort_reports": {HOSTILE: {"status": "failed", "error": HOSTILE}},
    }
    page = index_page.render_index(manifest, tmp_path)
    assert "<script>alert" not in page
    assert page.count(ESCAPED) >= 8
    assert page.count("<script>") == 1  # the page's own sorting script


def test_index_says_a_recorded_failure_in_its_language_and_trusts_no_other_key(tmp_path):
    """A failure recorded as data (``error_key``, ``error_fields``) reads in the page's language,
    its quoted words escaped; a key that is not a failure sentence, or fields of another shape,
    fall back to the recorded ``error`` text (the manifest is read back from disk)."""
    cell = {"cell": 3, "ename": "ValueError", "evalue": HOSTILE}
    regions = {
        "3211": {"status": "failed", "error": "E1", "error_key": "failure.cell", "error_fields": cell},
        "3204": {
            "status": "failed",
            "error": "E2",
            "error_key": "failure.died",
            "error_fields": {"cell": 2, "signal": "SIGKILL", "attempts": 2},
        },
        # Not failures this package writes: the recorded text shows instead.
        "3205": {"status": "failed", "error": "E3", "error_key": "err.seed_negative",
                 "error_fields": {"seed": -1}},
        "3206": {"status": "failed", "error": "E4", "error_key": "failure.where",
                 "error_fields": {"cell": 1}},
        "3207": {"status": "failed", "error": "E5", "error_key": "failure.cell",
                 "error_fields": {"cell": 3}},
        "3208": {"status": "failed", "error": "E6", "error_key": "failure.cell",
                 "error_fields": [HOSTILE]},
        "3209": {"status": "failed", "error": "E7", "error_key": "failure.cell",
                 "error_fields": {**cell, "cell": {"x": 1}}},
    }  # fmt: skip
    manifest = {"cohort": "jawa-barat", "year": 2024, "lang": "id", "regions": regions}
    manifest["cohort_reports"] = {
        "cohort_overview": {
            "status": "failed",
            "error": "E8",
            "error_key": "failure.render",
            "error_fields": {"detail": "KeyError: 'x'"},
        }
    }
    page = index_page.render_index(manifest, tmp_path)
    assert "<script>alert" not in page
    assert f"sel 3 gagal: ValueError: {ESCAPED}" in page
    assert (
        "proses laporan berhenti tiba-tiba di sel 2 (dihentikan oleh sinyal SIGKILL; memori"
        " mungkin habis) (setelah 2 kali percobaan)" in page
    )
    assert "halaman laporan tidak dapat dibuat: KeyError: &#39;x&#39;" in page
    for recorded in ("E3", "E4", "E5", "E6", "E7"):
        assert f"<pre>{recorded}</pre>" in page, recorded
    assert "E1" not in page and "E2" not in page and "E8" not in page
    english = index_page.render_index({**manifest, "lang": "en"}, tmp_path)
    assert f"cell 3: ValueError: {ESCAPED}" in english
    assert "report process died in cell 2 (killed by SIGKILL (out of memory?))" in english


def test_report_shell_escapes_title_and_keeps_nbconvert_cells(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text=HOSTILE)]
    page = render.render_html(nb, title=HOSTILE)
    assert f"<title>{ESCAPED}&#34;&#39;&amp;</title>" in page
    assert "<script>alert" not in page  # nbconvert escaped the output text itself
    assert page.startswith('<!DOCTYPE html>\n<html lang="id">')


def _rerun_manifest(lang: str, statuses: dict[str, str]) -> dict:
    return {
        "cohort": "jawa-barat",
        "year": 2024,
        "lang": lang,
        "target": 3.5,
        "target_year": 2025,
        "updated": "2026-12-03T09:00:00+00:00",
        "regions": {
            code: {"status": status, "name": code, "finished": "2026-12-02T07:10:00+00:00"}
            for code, status in statuses.items()
        },
        "cohort_reports": {},
    }


def _report_files(out, codes):
    (out / "regions").mkdir()
    for code in codes:
        (out / "regions" / f"{code}.html").write_text("x", encoding="utf-8")


def test_index_after_a_rerun_that_changed_nothing_says_the_reports_are_current(tmp_path):
    """Nothing re-made: the index says every report is current and when it was made, instead of
    "selesai: 0" and "tidak berubah" on every row."""
    _report_files(tmp_path, ["3211", "3273"])
    page = index_page.render_index(
        _rerun_manifest("id", {"3211": "skipped", "3273": "skipped"}), tmp_path
    )
    assert (
        "Semua 2 laporan sudah mutakhir: data, parameter, dan perangkat lunaknya tidak berubah "
        "sejak laporan dibuat pada 2 Desember 2026. Diperiksa 3 Desember 2026." in page
    )
    assert page.count("mutakhir (dibuat 2 Desember 2026)") == 2  # one per row
    assert "selesai: 0" not in page and "tidak berubah<" not in page
    en = index_page.render_index(
        _rerun_manifest("en", {"3211": "skipped", "3273": "skipped"}), tmp_path
    )
    assert "All 2 reports are current" in en and "were made on 2 December 2026" in en
    assert en.count("current (made 2 December 2026)") == 2


def test_index_of_a_batch_that_made_reports_counts_them_with_dates(tmp_path):
    _report_files(tmp_path, ["3211", "3273"])
    manifest = _rerun_manifest("id", {"3211": "ok", "3273": "skipped"})
    manifest["regions"]["3211"]["finished"] = "2026-12-03T08:59:00+00:00"
    page = index_page.render_index(manifest, tmp_path)
    assert "sudah mutakhir: 1" in page and "dibuat dalam proses ini: 1" in page
    assert "dibuat 3 Desember 2026" in page and "mutakhir (dibuat 2 Desember 2026)" in page
    assert "Semua" not in page.split("<table")[0]  # no all-current sentence: one was re-made
    # A failed report is never called current.
    manifest["regions"]["3211"] = {"status": "failed", "error": "boom"}
    page = index_page.render_index(manifest, tmp_path)
    assert (
        "gagal: 1" in page and "sudah mutakhir" in page and "Semua" not in page.split("<table")[0]
    )


def test_index_ranks_within_the_cohort_and_marks_a_never_evaluated_region(tmp_path):
    _report_files(tmp_path, ["3211", "9435"])
    manifest = _rerun_manifest("id", {"3211": "ok", "9435": "ok"})
    manifest["cohort"] = "all"
    page = index_page.render_index(manifest, tmp_path)
    row = page[page.index('<td data-v="Kabupaten Intan Jaya">') :].split("</tr>")[0]
    assert "belum dievaluasi" in row and "tidak dievaluasi" not in row
    sumedang = page[page.index('<td data-v="Kabupaten Sumedang">') :].split("</tr>")[0]
    # Ranked among every evaluated kabupaten/kota of 2024, not among the two listed.
    assert re.search(r"\d+ / (\d+)", sumedang).group(1) == "485"


def test_a_batch_without_maps_has_no_map_on_its_index(tmp_path):
    """``--no-maps`` is recorded in the manifest (``"maps": false``); its index has the table
    and no map, while the same manifest with maps draws the linked map."""
    _report_files(tmp_path, ["3211", "3273"])
    manifest = _rerun_manifest("id", {"3211": "ok", "3273": "ok"})
    with_maps = index_page.render_index(manifest, tmp_path)
    assert "<svg" in with_maps and '<a href="regions/3211.html" data-code="3211">' in with_maps
    without = index_page.render_index({**manifest, "maps": False}, tmp_path)
    assert "<svg" not in without
    assert 'href="regions/3211.html"' in without  # the table still links the report


def test_no_maps_option_reaches_the_notebooks_as_a_parameter():
    from living_lab import cli
    from living_lab.commands.reports import PARAMETER_OPTIONS
    from living_lab.report.params import load_notebook_config, validate

    config = load_notebook_config()
    assert validate({"regions": "3211"}, config=config).notebook_values["maps"] is True
    args = cli.build_parser().parse_args(["reports", "--regions", "3211", "--no-maps"])
    given = {name: getattr(args, name, None) for name in PARAMETER_OPTIONS}
    params = validate(given, config=config)
    assert params.notebook_values["maps"] is False
    for notebook in (config.region, *config.cohort):
        declared = config.declared(notebook)
        if "maps" in declared:
            assert params.parameters_for(declared, region="3211")["maps"] is False
