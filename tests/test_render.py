"""HTML rendering of reports and the index page: self-contained, offline, escaped.

Reports are built in-process from the real report sections (the same objects the notebooks
display), so these tests run in seconds; tests/test_notebooks.py covers executed notebooks.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from IPython.display import HTML, Image

from living_lab.report import index_page, render, sections
from living_lab.results import context

HOSTILE = '<script>alert(1)</script> "quotes" & $x^2$'
PNG = b"\x89PNG\r\n\x1a\n"


def _outputs(parts) -> list:
    outs = []
    for p in parts:
        if isinstance(p, Image):
            data, meta = p._repr_mimebundle_()
            outs.append(nbformat.v4.new_output("display_data", data=data, metadata=meta))
        elif isinstance(p, HTML):
            outs.append(nbformat.v4.new_output("display_data", data={"text/html": p.data}))
        else:  # pragma: no cover - sections only return these two
            raise TypeError(type(p))
    return outs


def report_notebook(report: sections.RegionReport) -> nbformat.NotebookNode:
    """A notebook shaped like an executed region_report.ipynb, built in-process."""
    cells = [
        nbformat.v4.new_markdown_cell("notebook-only note", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell(
            'region: str = "3211"  # region', metadata={"tags": ["parameters"]}
        ),
    ]
    for name in ("header", "summary", "trajectory", "domains", "outcomes", "relation", "notes"):
        cell = nbformat.v4.new_code_cell(f"display(*report.{name}())")
        cell.outputs = _outputs(getattr(report, name)())
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["papermill"] = {"parameters": {"region": report.code, "lang": report.lang}}
    return nb


@pytest.fixture(scope="module")
def ctx(west_java_context) -> context.CohortContext:
    return west_java_context


@pytest.fixture(scope="module")
def page(ctx) -> str:
    nb = report_notebook(sections.RegionReport.of(ctx, "3211", "id"))
    return render.render_html(nb, title="Laporan SPBE: Kabupaten Sumedang")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self.scripts_with_src = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append((tag, key, a[key]))
        if tag == "script" and a.get("src"):
            self.scripts_with_src += 1


def _links(page: str) -> _Links:
    p = _Links()
    p.feed(page)
    return p


def test_report_page_is_self_contained(page):
    links = _links(page)
    assert links.scripts_with_src == 0
    imgs = [u for t, k, u in links.urls if t == "img"]
    assert len(imgs) == 4
    for tag, key, url in links.urls:
        assert not re.match(r"(?i)^(https?:|//|javascript:)", url), (tag, key, url)
    for url in imgs:
        assert url.startswith("data:image/png;base64,")
        assert base64.b64decode(url.split(",", 1)[1]).startswith(PNG)
    assert "<!DOCTYPE html>" in page and '<html lang="id">' in page


def test_report_page_hides_code_and_notebook_notes(page):
    assert "display(*report" not in page
    assert 'region: str = "3211"' not in page
    assert "notebook-only note" not in page
    assert "<title>Laporan SPBE: Kabupaten Sumedang</title>" in page
    assert "4,51" in page and "Memuaskan" in page
    # Alt text of figures (escaped by nbconvert) makes them readable without images.
    assert 'alt="Indeks SPBE Kabupaten Sumedang' in page


def test_title_is_escaped_and_default_title():
    nb = nbformat.v4.new_notebook(cells=[])
    page = render.render_html(nb, title=HOSTILE)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quotes&#34;" in page  # markupsafe: &#34;
    assert "<title>Living Lab</title>" in render.render_html(nb)


def test_stderr_hidden_errors_shown():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning: noise\n"),
        nbformat.v4.new_output(
            "error",
            ename="ParameterError",
            evalue="lang: '<script>fr' is not supported",
            traceback=["\x1b[0;31mTraceback (most recent call last)\x1b[0m", "  File x.py"],
        ),
    ]
    page = render.render_html(nbformat.v4.new_notebook(cells=[cell]))
    assert "DeprecationWarning" not in page
    assert "ParameterError: lang: &#39;&lt;script&gt;fr&#39; is not supported" in page
    assert "Traceback" not in page


def test_exporter_is_reused_and_output_is_deterministic(ctx):
    nb = report_notebook(sections.RegionReport.of(ctx, "3273", "en"))
    first = render.render_html(nb)
    exporter = render._exporter()
    second = render.render_html(nb)
    assert render._exporter() is exporter
    assert first == second
    assert '<html lang="en">' in first and "4.59" in first


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def test_markdown_headings_leave_no_element_open():
    """nbconvert writes a heading's empty anchor as ``<a ... />``, which browsers read as an
    open link (the rest of the page then becomes one link); its BeautifulSoup pass writes it as
    ``<a ...></a>``, so that pass must stay."""

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.self_closed: list[str] = []

        def handle_startendtag(self, tag, attrs):
            if tag not in VOID:
                self.self_closed.append(tag)

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    nb.cells[0].outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": "# Heading\n\nText after it."})
    ]
    page = render.render_html(nb)
    tags = Tags()
    tags.feed(page)
    assert 'class="anchor-link"' in page
    assert tags.self_closed == []
    assert page.count("<a ") == page.count("</a>")


def test_exporter_gives_the_stock_exporters_page_without_its_reserialisation(ctx):
    """The exporter skips nbconvert's BeautifulSoup pass (alt placeholders, lab-cell tab stops,
    and the re-serialisation that also closes ``<a ... />``, done here by ``_close_elements``):
    parsing and serialising its output gives exactly the stock HTMLExporter's output."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    ours = render._exporter()
    stock = HTMLExporter(config=ours.config, template_name="basic")
    for pre in ours._preprocessors:
        if isinstance(pre, render._ReportCells):
            stock.register_preprocessor(pre, enabled=True)
    heading = nbformat.v4.new_code_cell("x")
    heading.outputs = [nbformat.v4.new_output("display_data", {"text/markdown": "# A *title*"})]
    for code, lang in (("3211", "id"), ("3273", "en")):
        nb = report_notebook(sections.RegionReport.of(ctx, code, lang))
        nb.cells.append(heading)
        mine, _ = ours.from_notebook_node(nbformat.from_dict(nb))
        theirs, _ = stock.from_notebook_node(nbformat.from_dict(nb))
        assert "<img" in mine and 'alt="No description' not in theirs  # every figure has alt text
        assert 'class="anchor-link"' in mine
        assert str(BeautifulSoup(mine, features="html.parser")) == theirs


def test_hostile_region_name_is_escaped_everywhere(ctx, tmp_path):
    table = ctx.table.copy()
    table.loc["3211", "name"] = HOSTILE
    relation = ctx.relation.copy()
    relation.loc["3211", "name"] = HOSTILE
    hostile_ctx = dataclasses.replace(ctx, table=table, relation=relation)
    report = sections.RegionReport.of(hostile_ctx, "3211", "id")
    nb = report_notebook(report)  # figures with "$...$" in labels must still draw
    page = render.render_html(nb, title=f"Laporan SPBE: {report.name}")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert len([u for t, _, u in _links(page).urls if t == "img"]) == 4


def test_index_escapes_names_and_errors_and_links_only_existing_files(monkeypatch, tmp_path):
    from living_lab import datasets

    real = datasets.load_regions

    def hostile_regions():
        df = real()
        df.loc[df["region_code"] == "3211", "name"] = HOSTILE
        return df

    monkeypatch.setattr(datasets, "load_regions", hostile_regions)
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "3211.html").write_text("<html></html>", encoding="utf-8")
    manifest = {
        "cohort": "jawa-barat",
        "cohort_title": HOSTILE,
        "year": 2024,
        "lang": "id",
        "target": 3.5,
        "target_year": 2025,
        "regions": {
            "3211": {"status": "ok", "html": "regions/3211.html"},
            "3273": {"status": "failed", "error": f"Traceback\nValueError: {HOSTILE}"},
            "3204": {"status": "ok", "html": "javascript:alert(1)"},  # file missing: no link
            "../../etc": {"status": "ok", "name": HOSTILE},
        },
        "cohort_reports": {"../evil": {"status": "ok"}, "cohort_overview": {"status": "ok"}},
    }
    path = index_page.write_index(manifest, tmp_path)
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # name, title, error
    hrefs = [u for t, k, u in _links(page).urls if k == "href"]
    # Sumedang on the map, its name and "buka" in the table.
    assert hrefs == ["regions/3211.html"] * 3
    assert "javascript:" not in page
    # Numbers come from the data, not the manifest: Sumedang 4,51, rank 2 of 27.
    assert "4,51" in page and "2 / 27" in page
    # The failed region shows its error (first line in the table, full text below).
    assert "ValueError" in page and "gagal" in page
    assert not list(tmp_path.glob(".index.html.*"))  # atomic write leaves no temp file


def test_index_rewrite_is_atomic(tmp_path):
    manifest = {"cohort": "jawa-barat", "year": 2024, "lang": "en", "regions": {}}
    first = index_page.write_index(manifest, tmp_path)
    before = first.read_text(encoding="utf-8")
    manifest["regions"] = {"3211": {"status": "skipped"}}
    second = index_page.write_index(manifest, tmp_path)
    assert first == second == Path(tmp_path) / "index.html"
    assert second.read_text(encoding="utf-8") != before
    assert "Kabupaten Sumedang" in second.read_text(encoding="utf-8")


@pytest.mark.slow  # full tier: draws every figure twice in two orders (about 2 s)
def test_region_figures_are_identical_whatever_ran_before(ctx):
    """The cohort layer is drawn once per process and reused: a region's figures must not
    depend on which regions were drawn before (warm kernel) or on none (fresh kernel)."""
    from living_lab.plots import report as plots

    def figures(code: str, lang: str = "id") -> list[bytes]:
        report = sections.RegionReport.of(ctx, code, lang)
        parts = [*report.trajectory(), *report.domains(), *report.outcomes(), *report.relation()]
        return [p.data for p in parts if isinstance(p, Image)]

    plots._LAYERS.clear()
    fresh = figures("3211")
    assert len(fresh) == 4
    for other in ("3273", "3210", "3217"):  # Bandung is Sumedang's best peer: another layer
        assert figures(other) != fresh
    figures("3273", "en")
    assert figures("3211") == fresh
    assert len(plots._LAYERS) <= plots.MAX_LAYERS


def test_a_failing_region_layer_is_dropped(ctx, monkeypatch):
    from living_lab.plots import report as plots

    report = sections.RegionReport.of(ctx, "3211", "id")
    good = [p.data for p in report.relation() if isinstance(p, Image)]
    n_layers = len(plots._LAYERS)

    def broken(fig, base, **kwargs):
        fig.axes[0].scatter([3], [20])  # an artist is added, then the drawing fails
        raise RuntimeError("boom")

    monkeypatch.setattr(plots, "_relation_region", broken)
    with pytest.raises(RuntimeError):
        report.relation()
    assert len(plots._LAYERS) == n_layers - 1  # the possibly dirty layer is gone
    monkeypatch.undo()
    assert [p.data for p in report.relation() if isinstance(p, Image)] == good


@pytest.mark.parametrize(
    "module",
    [
        "living_lab.results.context",
        "living_lab.report.sections",
        "living_lab.report.render",
        "living_lab.report.index_page",
        "living_lab.plots.report",
    ],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
