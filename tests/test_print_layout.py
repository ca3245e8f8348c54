"""Print, phone layout, navigation and downloads of a real batch, checked in headless Chromium.

A small batch (Kabupaten Bogor, whose study partners include Kabupaten Sumedang, and Sumedang;
plus the cohort overview) is run by ``living-lab reports`` in each language. Then:

- each region report's CSV round-trips: every number in it is shown on the page, written with
  the page's decimals and decimal mark (the test formats the number itself);
- every link of every report resolves to a file of the batch (index, cohort overview, partners'
  reports, downloads), and the cohort overview's XLSX holds the same table as its CSV;
- printed to PDF (A4): the report has a bounded page count; the executive summary alone prints
  on exactly one page in both languages;
- with the print styles applied at the A4 text width, no table, figure or box is wider than the
  page, nothing scrolls, and the folded methods notes are open;
- at 390 px the page body does not overflow horizontally (region report, cohort overview, index).
"""

from __future__ import annotations

import csv
import html
import io
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

from _chromium import CHROMIUM, FLAGS  # noqa: E402
from conftest import require  # noqa: E402

REGIONS = ("3201", "3211")  # Bogor's partners include Sumedang
#: A4 width minus the @page margins (210 - 2 x 12 mm) in CSS px (96 per inch).
A4_TEXT_PX = round((210 - 24) / 25.4 * 96)
#: A4 page size in PDF points.
A4_PT = (595.0, 842.0)


def _chromium(args: list[str], tmp: Path) -> str:
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'chromium-profile'}", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Sizes of the pages of a PDF written by Chromium (its page objects are not compressed)."""
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    n = len(re.findall(rb"/Type /Page\b", data))
    assert n == len(boxes), (n, len(boxes))
    return [(float(w), float(h)) for w, h in boxes]


def _print_pdf(page: Path, tmp: Path) -> list[tuple[float, float]]:
    pdf = tmp / f"{page.stem}.pdf"
    _chromium(
        [
            "--no-pdf-header-footer",
            "--virtual-time-budget=5000",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        tmp,
    )
    return _pdf_pages(pdf)


@pytest.fixture(scope="module", params=["id", "en"])
def batch(request, tmp_path_factory) -> tuple[Path, str]:
    require(CHROMIUM is not None, "chromium not installed (/usr/bin/chromium absent)")
    lang = request.param
    tmp = tmp_path_factory.mktemp(f"batch-{lang}")
    notebooks = tmp / "notebooks.yaml"
    from living_lab import paths

    notebooks.write_text(
        f"notebook_dir: {paths.NOTEBOOKS}\n"
        "region_notebook: region_report.ipynb\n"
        "cohort_notebooks: [cohort_overview.ipynb]\n",
        encoding="utf-8",
    )
    out = tmp / "out"
    cli = Path(sys.executable).with_name("living-lab")
    proc = subprocess.run(
        [
            str(cli),
            "reports",
            "--regions",
            ",".join(REGIONS),
            "--out",
            str(out),
            "--lang",
            lang,
            "--notebooks",
            str(notebooks),
            "--jobs",
            "2",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, lang


def _text(page: Path) -> str:
    """The visible text of a page, tags dropped and entities decoded, whitespace collapsed."""
    raw = page.read_text(encoding="utf-8")
    raw = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", raw)
    raw = re.sub(r"<img\b[^>]*>", " ", raw)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _shown(value: str, lang: str) -> str:
    return value.replace(".", ",") if lang == "id" else value


def test_region_csv_round_trips(batch):
    out, lang = batch
    for code in REGIONS:
        rows = list(csv.DictReader((out / "regions" / f"{code}.csv").open(encoding="utf-8")))
        assert [r["section"] for r in rows[:1]] == ["index"]
        text = _text(out / "regions" / f"{code}.html")
        sections = {r["section"] for r in rows if r["value"] or r["text"]}
        assert {"index", "rank", "change", "forecast", "outcomes"} <= sections, sections
        for r in rows:
            if r["value"]:
                assert re.fullmatch(r"-?\d+(\.\d+)?", r["value"]), r
                shown = _shown(r["value"].lstrip("-"), lang)
                assert re.search(rf"(?<![\d,.]){re.escape(shown)}(?![\d])", text), (code, r)
            if r["text"]:
                label = r["text"].split(" ", 1)[1] if r["section"] == "partners" else r["text"]
                assert label in text, (code, r)
        index = next(r for r in rows if r["item"] == "index")
        if code == "3211":  # Sumedang 2024, published in the SPBE 2024 results (data README)
            assert index["value"] == "4.51"


def test_links_resolve_and_cohort_downloads_agree(batch):
    out, lang = batch
    bogor = (out / "regions" / "3201.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="ll-nav".*?</nav>', bogor, re.S)
    assert nav, "no navigation bar"
    hrefs = re.findall(r'href="([^"]+)"', nav.group(0))
    assert hrefs[:2] == ["../index.html", "../cohort/cohort_overview.html"]
    assert "3201.csv" in hrefs and "3211.html" in hrefs  # its partner Sumedang is in the batch
    facts = re.search(r'<p class="ll-head">([^<]+)</p>', bogor).group(1)
    assert "2024" in facts and re.search(r"\b[0-9a-f]{16}\b", facts)
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["data_version"] in facts
    for page in [*(out / "regions").glob("*.html"), *(out / "cohort").glob("*.html")]:
        for href in re.findall(r'<a href="([^"#][^"]*)"', page.read_text(encoding="utf-8")):
            assert not re.match(r"(?i)^[a-z]+:", href), href
            assert (page.parent / href).resolve().is_file(), f"{page.name}: broken link {href}"
    table = pd.read_csv(out / "cohort" / "cohort_overview.csv", dtype={"region_code": str})
    sheet = pd.read_excel(out / "cohort" / "cohort_overview.xlsx", dtype={"region_code": str})
    pd.testing.assert_frame_equal(table, sheet, check_dtype=False)
    assert len(table) == 27 and set(REGIONS) <= set(table["region_code"])
    overview = _text(out / "cohort" / "cohort_overview.html")
    for _, r in table.iterrows():
        assert r["name"] in overview
        if pd.notna(r["index_2024"]):
            assert _shown(f"{r['index_2024']:.2f}", lang) in overview


def test_pdf_page_count_and_one_page_summary(batch, tmp_path):
    out, lang = batch
    page = out / "regions" / "3201.html"
    pages = _print_pdf(page, tmp_path)
    assert all(abs(w - A4_PT[0]) < 2 and abs(h - A4_PT[1]) < 2 for w, h in pages), pages[:1]
    assert 3 <= len(pages) <= 16, len(pages)
    # The executive summary alone (header, title, summary) prints on exactly one page.
    raw = page.read_text(encoding="utf-8")
    start = raw.index('<div class="ll ll-exec">')
    end = raw.index("</div>", raw.index("</table>", start)) + len("</div>")
    head = raw[: raw.index("<main>") + len("<main>")]
    before = raw[raw.index("<main>") + len("<main>") : start]
    alone = tmp_path / "summary.html"
    alone.write_text(head + before + raw[start:end] + "</main></body></html>", encoding="utf-8")
    assert ("Ringkasan eksekutif" if lang == "id" else "Executive summary") in alone.read_text()
    assert len(_print_pdf(alone, tmp_path)) == 1


# Appended to a copy of a page whose print rules are made the screen rules: measure, at the A4
# text width, what would be clipped or scroll on paper.
PRINT_PROBE = """
<script>
window.addEventListener("load", function () {
  var W = document.documentElement.clientWidth, bad = [];
  document.querySelectorAll("table, img, pre, .ll-scroll, .ll-cards, svg").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.width === 0) return;
    if (r.right > W + 1 || e.scrollWidth > e.clientWidth + 1) bad.push(e.tagName + "." + e.className);
  });
  var closed = 0;
  document.querySelectorAll("details").forEach(function (d) {
    var inner = d.querySelector(":scope > :not(summary)");
    if (inner && inner.getBoundingClientRect().height === 0) closed++;
  });
  document.body.setAttribute("data-wide", bad.join(" "));
  document.body.setAttribute("data-details", document.querySelectorAll("details").length);
  document.body.setAttribute("data-closed", closed);
  document.body.setAttribute("data-overflow", document.body.scrollWidth - W);
  document.body.setAttribute("data-break",
    getComputedStyle(document.querySelector(".ll-exec") || document.body).breakAfter);
});
</script>
"""


def _attr(dom: str, name: str) -> str:
    m = re.search(rf'<body[^>]*\b{name}="([^"]*)"', dom)
    assert m, f"probe did not run ({name})"
    return m.group(1)


def test_print_styles_clip_nothing_and_open_the_methods(batch, tmp_path):
    out, _ = batch
    for page in (out / "regions" / "3201.html", out / "cohort" / "cohort_overview.html"):
        raw = page.read_text(encoding="utf-8")
        assert "@media print{" in raw and "size:A4" in raw
        copy = page.with_name(f"_print_{page.name}")
        copy.write_text(
            raw.replace("@media print{", "@media all{").replace("</body>", PRINT_PROBE + "</body>"),
            encoding="utf-8",
        )
        dom = _chromium(
            [
                f"--window-size={A4_TEXT_PX},1200",
                "--virtual-time-budget=5000",
                "--dump-dom",
                copy.as_uri(),
            ],
            tmp_path,
        )
        assert _attr(dom, "data-wide") == "", (page.name, _attr(dom, "data-wide"))
        assert int(_attr(dom, "data-overflow")) <= 0
        assert _attr(dom, "data-closed") == "0"
        if page.parent.name == "regions":
            assert int(_attr(dom, "data-details")) >= 1  # the methods notes are folded on screen
            assert _attr(dom, "data-break") == "page"


# A 390 px wide frame holding the page (headless Chromium's windows are at least 500 px wide):
# the page's media queries see a 390 px viewport. After load, measure inside the frame.
PHONE_FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="{src}" style="width:390px;height:844px;border:0"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {
  var w = this.contentWindow, d = this.contentDocument, W = w.innerWidth, bad = [];
  d.querySelectorAll("main img, main table, main .ll-scroll, main svg").forEach(function (e) {
    var r = e.getBoundingClientRect();
    var boxed = e.tagName === "TABLE" && e.closest(".ll-scroll, .table-box");
    if (r.width > 0 && r.right > W + 1 && !boxed) bad.push(e.tagName + "." + e.className);
  });
  document.body.setAttribute("data-inner", W);
  document.body.setAttribute("data-scroll", d.body.scrollWidth);
  document.body.setAttribute("data-wide", bad.join(" "));
});
</script></body></html>
"""


def test_phone_width_has_no_horizontal_overflow(batch, tmp_path):
    out, _ = batch
    for page in (
        out / "regions" / "3201.html",
        out / "cohort" / "cohort_overview.html",
        out / "index.html",
    ):
        frame = page.with_name(f"_phone_{page.name}")
        frame.write_text(PHONE_FRAME.replace("{src}", page.name), encoding="utf-8")
        dom = _chromium(
            [
                "--allow-file-access-from-files",
                "--window-size=500,900",
                "--virtual-time-budget=8000",
                "--dump-dom",
                frame.as_uri(),
            ],
            tmp_path,
        )
        assert int(_attr(dom, "data-inner")) == 390
        assert int(_attr(dom, "data-scroll")) <= 390, (page.name, _attr(dom, "data-scroll"))
        assert _attr(dom, "data-wide") == "", (page.name, _attr(dom, "data-wide"))
    shot = tmp_path / "phone.png"
    _chromium(
        ["--window-size=500,900", f"--screenshot={shot}", frame.as_uri()],
        tmp_path,
    )
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[:, :390]
    assert img.std() > 0.05  # the index is drawn in the 390 px frame, not blank


def test_region_numbers_are_read_not_computed():
    """The CSV of a report reads the context: Sumedang's numbers equal the context's own."""
    from living_lab.report.downloads import region_numbers
    from living_lab.report.sections import RegionReport
    from living_lab.results.context import build_context

    ctx = build_context("jawa-barat", 2024, 3.5, 2025)
    report = RegionReport.of(ctx, "3211", "en")
    table = region_numbers(report).set_index("item")
    row = ctx.table.loc["3211"]
    assert table.loc["index", "value"] == f"{row['index']:.2f}" == "4.51"
    assert table.loc["rank", "value"] == str(int(row["rank"]))
    assert table.loc["stunting_pct", "value"] == f"{row['stunting']:.1f}"
    buf = io.StringIO()
    region_numbers(report).to_csv(buf, index=False)
    assert buf.getvalue().splitlines()[0] == "section,item,year,value,text"
