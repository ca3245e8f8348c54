"""The report notebooks, executed with papermill, say what the published data say.

Golden values and where they come from:

* Kabupaten Sumedang 2024: SPBE index 4.51, predicate "Memuaskan"; 2023: 4.14 (KemenPANRB,
  Laporan Pelaksanaan Evaluasi SPBE 2024 and Laporan Evaluasi SPBE 2023). Stunting 17.0 % (SSGI
  2024, confirmed by news, see shared/data/README.md); poverty 8.81 % (BPS P0 March 2025; news
  round it to 8.8).
* Kota Bandung 2024: 4.59 "Memuaskan" (same report), poverty 3.78 % (BPS P0 March 2025).
* Kabupaten Paniai: evaluated in 2023 (1.00, "Kurang") but not in 2024; its SSGI 2024 stunting
  figure is low-confidence (Papua Tengah) and therefore not used.

Ranks are recomputed here from ``data/spbe_index.csv`` with the csv module (an independent
path from the library's pandas code).
"""

from __future__ import annotations

import base64
import csv
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from living_lab import paths
from living_lab.results import context

pytestmark = [pytest.mark.kernel, pytest.mark.integration]

KERNEL = "python3"
PNG = b"\x89PNG\r\n\x1a\n"


def _published(code: str, year: int) -> dict[str, str]:
    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["region_code"] == code and int(row["year"]) == year:
                return row
    raise AssertionError(f"no published row for {code} {year}")


def _rank_in_west_java(code: str, year: int) -> tuple[int, int]:
    """Competition rank (1 = highest) among Jawa Barat (BPS 32xx) regions, from the CSV."""
    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        values = {
            r["region_code"]: float(r["index"])
            for r in csv.DictReader(fh)
            if r["region_code"].startswith("32") and int(r["year"]) == year
        }
    return 1 + sum(v > values[code] for v in values.values()), len(values)


def _run(nb_name: str, out: Path, **parameters) -> nbformat.NotebookNode:
    pm.execute_notebook(
        str(paths.NOTEBOOKS / nb_name),
        str(out),
        parameters=parameters,
        kernel_name=KERNEL,
        progress_bar=False,
        cwd=str(out.parent),
    )
    return nbformat.read(out, as_version=4)


def _html(nb: nbformat.NotebookNode) -> str:
    return "\n".join(
        "".join(o["data"]["text/html"])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/html" in o.get("data", {})
    )


def _pngs(nb: nbformat.NotebookNode) -> list[bytes]:
    return [
        base64.b64decode(o["data"]["image/png"])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]


def _stderr_and_errors(nb: nbformat.NotebookNode) -> list[str]:
    return [
        str(o)
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error" or o.get("name") == "stderr"
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Execute the notebooks once: two regions from a saved context, one built in the kernel."""
    tmp = tmp_path_factory.mktemp("notebooks")
    ctx_path = tmp / "results" / "jawa-barat-2024"
    context.save_context(context.build_context("jawa-barat", 2024, 3.5, 2025), ctx_path)
    papua = tmp / "papua.yaml"
    papua.write_text(
        "title: Kabupaten/kota di Papua (BPS 94)\nsource: data/regions.csv\n"
        'filter:\n  province_code: "94"\n',
        encoding="utf-8",
    )
    return {
        "sumedang": _run(
            "region_report.ipynb", tmp / "3211.ipynb", region="3211", context_path=str(ctx_path)
        ),
        "bandung_en": _run(
            "region_report.ipynb",
            tmp / "3273.ipynb",
            region="Kota Bandung",
            lang="en",
            context_path=str(ctx_path),
        ),
        # No context_path: a plain papermill run computes the context inside the kernel.
        "paniai": _run(
            "region_report.ipynb", tmp / "9410.ipynb", region="Paniai", cohort=str(papua)
        ),
        "cohort": _run("cohort_overview.ipynb", tmp / "cohort.ipynb", context_path=str(ctx_path)),
        # The same report without maps (``living-lab reports --no-maps``).
        "sumedang_nomaps": _run(
            "region_report.ipynb",
            tmp / "3211-nomaps.ipynb",
            region="3211",
            context_path=str(ctx_path),
            maps=False,
        ),
    }


def test_sumedang_report_shows_the_published_index_and_predicate(runs):
    html = _html(runs["sumedang"])
    pub = _published("3211", 2024)
    assert (pub["index"], pub["predicate"]) == ("4.51", "Memuaskan")
    assert "Laporan Pelaksanaan Evaluasi SPBE 2024" in pub["source"]
    assert "4,51" in html and "Memuaskan" in html  # Bahasa Indonesia: decimal comma
    rank, n = _rank_in_west_java("3211", 2024)
    assert (rank, n) == (2, 27)
    assert f"{rank} dari {n}" in html
    prev = float(_published("3211", 2023)["index"])
    assert f"+{4.51 - prev:.2f}".replace(".", ",") in html  # +0,37 since 2023
    assert "17,0" in html and "8,81" in html  # stunting SSGI 2024, poverty March 2025
    assert "Laporan Pelaksanaan Evaluasi SPBE 2024" in html  # the source is cited in the notes
    assert "Perpres 18/2020" in html  # national target with its regulation


def test_region_report_has_its_figures_and_no_errors(runs):
    # Trajectory, locator map, domains, outcomes, relation; Paniai has no 2024 domain scores.
    for key, n_figures in (("sumedang", 5), ("bandung_en", 5), ("paniai", 4)):
        nb = runs[key]
        pngs = _pngs(nb)
        assert len(pngs) == n_figures, f"{key}: {len(pngs)} figures"
        assert all(p.startswith(PNG) and len(p) > 5_000 for p in pngs)
        assert _stderr_and_errors(nb) == [], f"{key} printed warnings or errors"
        assert nb.metadata.papermill.parameters["region"]


def test_sumedang_report_names_one_focus_or_none(runs):
    html = _html(runs["sumedang"])
    assert "4. Belajar dari daerah lain" in html
    assert "Patokan kelompok dan fokus perbaikan" in html
    # Level with the West Java benchmark in every domain (checked against the CSV in
    # tests/test_report_peers.py): the summary, domain and learning sections all say nothing
    # stands out, and no partners are proposed.
    assert html.count("Tidak ada domain yang menonjol") >= 3
    assert "tidak ada mitra studi banding yang diusulkan" in html
    assert "Kelompok pembanding:" in html
    section = html.split("Mitra studi banding")[-1]
    assert re.findall(r'<td class="nw">[^<]+ \((\d{4})\)</td>', section) == []
    # The methods note explains the focus, the pace limit and the partner rule.
    for needle in (
        "Fokus perbaikan: untuk tiap domain",
        "Batas laju:",
        "Mitra studi banding: daerah",
    ):
        assert needle in html


def test_english_variant(runs):
    html = _html(runs["bandung_en"])
    pub = _published("3273", 2024)
    assert (pub["index"], pub["predicate"]) == ("4.59", "Memuaskan")
    assert "4.59" in html and "Memuaskan" in html
    rank, n = _rank_in_west_java("3273", 2024)
    assert f"{rank} of {n}" in html and rank == 1
    assert "3.78" in html  # poverty March 2025
    assert "Summary" in html and "Ringkasan" not in html
    assert "4,59" not in html
    assert "Study-visit partners" in html and "No domain stands out" in html
    assert "Pace limit:" in html and "Peer group:" in html


def test_missing_data_is_said_not_invented(runs):
    html = _html(runs["paniai"])
    assert _published("9410", 2023)["index"] == "1.0"
    assert "tidak dievaluasi pada 2024" in html
    assert "1,00 (Kurang)" in html  # its latest evaluation, 2023
    assert "tidak tersedia" in html
    assert "berkeyakinan rendah" in html  # why stunting is missing: a low-confidence figure
    assert "Tidak ada skor domain untuk 2024" in html
    assert (
        "mitra studi banding tidak dapat dihitung: wilayah ini tidak dievaluasi pada 2024" in html
    )
    # No rank or change is shown for a year the region was not evaluated.
    assert "peringkat <b>" not in html


def test_cohort_overview_ranks_every_region(runs):
    nb = runs["cohort"]
    html = _html(nb)
    assert len(_pngs(nb)) >= 6  # with the four cohort maps in one figure
    assert _stderr_and_errors(nb) == []
    assert "Peta kohort" in html and "CC BY 3.0 IGO" in html  # the maps and their licence
    for code in ("3211", "3273", "3210"):
        name = context.CohortContext.table_name(code)
        assert name in html
    assert "4,59" in html and "2,94" in html  # highest (Kota Bandung) and lowest (Majalengka)


def test_bad_parameter_stops_with_one_clear_line(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run("region_report.ipynb", tmp_path / "bad.ipynb", region="3211", lang="fr")
    assert info.value.ename == "ParameterError"
    assert "lang: 'fr' is not supported" in info.value.evalue


#: The West Java kota (BPS 3271-3279), Kota Bandung first: cohorts of 1 to 9 regions.
KOTA = ("3273", "3277", "3271", "3272", "3274", "3275", "3276", "3278", "3279")


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2, 3, 9])
def test_cohort_overview_works_for_small_cohorts(tmp_path, n):
    """Issue 15: cohorts of 2, 3, 6 and 9 regions failed ("'yerr' must not contain negative
    values": in a small cohort the expected share can lie outside its 80% interval)."""
    cohort = tmp_path / f"kota-{n}.yaml"
    cohort.write_text(f"title: Kota ({n})\nregions: [{', '.join(KOTA[:n])}]\n", encoding="utf-8")
    folder = context.results_folder(tmp_path, str(cohort), 2024)
    context.save_context(context.build_context(str(cohort), 2024, 3.5, 2025), folder)
    nb = _run(
        "cohort_overview.ipynb",
        tmp_path / "cohort.ipynb",
        cohort=str(cohort),
        context_path=str(folder),
    )
    assert _stderr_and_errors(nb) == []
    html = _html(nb)
    for code in KOTA[:n]:
        assert context.CohortContext.table_name(code) in html
    assert "4,59" in html  # Kota Bandung's published 2024 index (KemenPANRB), in every cohort


def test_maps_false_leaves_out_the_locator_map_and_nothing_else(runs):
    """``maps=False`` (the runner's ``--no-maps``): the locator cell shows nothing, one figure
    fewer, every other cell's output is the same as with maps."""
    with_maps, without = runs["sumedang"], runs["sumedang_nomaps"]
    cells = [(a, b) for a, b in zip(with_maps.cells, without.cells, strict=True)]
    locator = [i for i, (a, _) in enumerate(cells) if "report.locator()" in a.source]
    assert len(locator) == 1
    for i, (a, b) in enumerate(cells):
        if a.cell_type != "code" or "injected-parameters" in a.metadata.get("tags", []):
            continue
        if i == locator[0]:
            assert a.outputs and not b.outputs
        else:
            assert a.outputs == b.outputs, a.source
    assert len(_pngs(without)) == len(_pngs(with_maps)) - 1
