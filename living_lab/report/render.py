"""Executed notebook -> one self-contained HTML page (code hidden, figures embedded, offline).

One configured :class:`nbconvert.HTMLExporter` (the small ``basic`` template: no CDN scripts, no
MathJax, no require.js) is built per thread and reused, so a render costs milliseconds. The
page shell is the autoescaping template ``templates/report.html.j2`` (:mod:`.pages`), which
wraps the exported cells in a short inline stylesheet; images stay ``data:`` URIs, and no
``src``/``href`` points outside the file.

Cells tagged ``remove-cell`` (notes for notebook users) and empty code cells are dropped;
``stderr`` streams (warnings) stay in the ``.ipynb`` but are not shown to reviewers. Errors are
shown as their one-line message (no traceback), so a failed report says why.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
>>> nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"})]
>>> page = render_html(nb, title="<b>x</b>")
>>> "<title>&lt;b&gt;x&lt;/b&gt;</title>" in page and "1 + 1" not in page
True
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Mapping
from datetime import date
from typing import Any

import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from living_lab.report.pages import render_page
from living_lab.text import Lang, t

#: MIME type of a download output (as :data:`living_lab.report.executive.CSV_MIME`).
CSV_MIME = "text/csv"

#: Tags whose cells never reach the rendered page.
REMOVE_TAGS = frozenset({"remove-cell", "remove_cell"})

PAGE_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f6f6f4;color:#222;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:980px;margin:0 auto;background:#fff;padding:28px 36px 48px;min-height:100vh;box-shadow:0 0 0 1px #e8e8e4}
img{max-width:100%;height:auto;display:block;margin:10px 0}
.output_area pre,.output_text pre{white-space:pre-wrap;font-size:.85em;background:#f7f7f7;padding:8px;border-radius:4px}
.output_error pre,.output_stderr pre{background:#fdecea;color:#7a1f16}
.prompt,.input_prompt,.output_prompt{display:none}
.rendered_html table{border-collapse:collapse}
a{color:#1d5fa7}
footer{max-width:980px;margin:0 auto;padding:10px 36px;color:#777;font-size:.8em}
.ll-head{color:#555;font-size:.85em;margin:0 0 .6em}
nav.ll-nav{font-size:.9em;margin:0 0 1em;padding:.4em 0;border-bottom:1px solid #e3e3e3;display:flex;flex-wrap:wrap;gap:.3em 1.2em}
.ll-exec table.ll-exec-t{width:100%}.ll-exec table.ll-exec-t th{width:34%;text-align:left;vertical-align:top}
.rendered_html table{display:block;overflow-x:auto;max-width:100%}
.ll-scroll{overflow-x:auto;max-width:100%}
p,li,dd,dt,h1,h2,h3,summary{overflow-wrap:anywhere}
@media (max-width:600px){main{padding:14px 12px 32px}body{font-size:15px}.ll .ll-card{flex:1 1 120px}.ll h1{font-size:1.35em}}
@page{size:A4;margin:14mm 12mm}
@media print{
body{background:#fff;font-size:10.5pt}main{box-shadow:none;padding:0;max-width:none;min-height:0}
nav.ll-nav{display:none}
.ll-scroll{overflow:visible!important;max-width:100%}
.rendered_html table{display:table!important;overflow:visible!important}
table{width:100%!important;table-layout:auto;font-size:8.5pt;word-break:break-word;overflow-wrap:anywhere}
td,th{white-space:normal!important}
img{max-width:100%!important;height:auto!important;break-inside:avoid}
tr,.ll-card{break-inside:avoid}
h2,h3{break-after:avoid}
pre{white-space:pre-wrap!important;overflow:visible!important}
details>summary{list-style:none}
details::details-content{content-visibility:visible!important;display:block!important;height:auto!important}
.ll-exec{break-after:page;font-size:10pt}
.ll-exec table.ll-exec-t{font-size:10pt}
}
"""

#: Opens every details element for printing (the methods notes are folded on screen).
PRINT_SCRIPT = (
    'addEventListener("beforeprint",function(){'
    'document.querySelectorAll("details").forEach(function(d){d.open=true})})'
)


def _is_download(output: Any) -> bool:
    """A display output that carries only a download (``text/csv``), not page content."""
    data = output.get("data") or {}
    return (
        output.get("output_type") == "display_data"
        and CSV_MIME in data
        and set(data) <= {CSV_MIME, "text/plain"}
    )


def downloads(nb: nbformat.NotebookNode) -> list[str]:
    """The ``text/csv`` outputs of an executed notebook, in cell order."""
    found = []
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if _is_download(o):
                text = o["data"][CSV_MIME]
                found.append("".join(text) if isinstance(text, list) else str(text))
    return found


def partner_codes(csv_text: str) -> list[str]:
    """Region codes of the partners named in a region report's numbers (``regions/<code>.csv``)."""
    codes = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        if row.get("section") == "partners":
            code = (row.get("text") or "").split(" ", 1)[0]
            if re.fullmatch(r"\d{4}", code) and code not in codes:
                codes.append(code)
    return codes


class _ReportCells(Preprocessor):
    """Drop what a reviewer should not see: tagged cells, empty code cells, stderr streams."""

    def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
        kept = []
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if tags & REMOVE_TAGS:
                continue
            if cell.cell_type == "code":
                cell.outputs = [
                    o
                    for o in cell.get("outputs", [])
                    if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
                    and not _is_download(o)
                ]
                for o in cell.outputs:
                    if o.get("output_type") == "error":
                        # Reviewers get the one-line message, never a Python traceback.
                        o["traceback"] = [f"{o.get('ename', 'Error')}: {o.get('evalue', '')}"]
                if not cell.outputs:
                    continue
            kept.append(cell)
        nb.cells = kept
        return nb, resources


#: Elements that have no end tag in HTML; any other element written as ``<x ... />`` is open.
_VOID = "area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr"
_SELF_CLOSED = re.compile(rf"<(?!(?:{_VOID})\b)([a-zA-Z][\w-]*)(\s[^<>]*?)?\s*/>")


def _close_elements(html: str) -> str:
    """``<a href="#x" />`` -> ``<a href="#x"></a>`` for every element that is not void (as an
    HTML parser, and BeautifulSoup's re-serialisation, would read the XML-style form)."""
    return _SELF_CLOSED.sub(lambda m: f"<{m.group(1)}{m.group(2) or ''}></{m.group(1)}>", html)


class _Exporter(HTMLExporter):  # type: ignore[misc]
    """nbconvert's HTML exporter without its final BeautifulSoup pass.

    After rendering its template, ``HTMLExporter.from_notebook_node`` parses the whole page with
    BeautifulSoup to give images without alt text a placeholder and to make JupyterLab-template
    cells focusable, then serialises it again: about 30 ms of a 40 ms render (the figures'
    base64 text is parsed too). Report figures carry their own alt text and the ``basic``
    template has no such cells. The pass also repairs one fault of nbconvert's own: a Markdown
    heading's anchor is serialised by ElementTree as ``<a ... />``, which browsers read as an
    open link; :func:`_close_elements` makes that repair here. ``tests/test_render.py`` checks
    that re-serialising the page gives the stock exporter's page, and parses the page itself for
    elements left open.
    """

    def from_notebook_node(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        resources = self._init_resources(resources)
        self.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
        )
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        html, out = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _close_elements(html), out


_LOCAL = threading.local()


def _exporter() -> _Exporter:
    """The exporter of this thread (built once; HTMLExporter is not documented as thread-safe)."""
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is None:
        config = Config()
        config.HTMLExporter.exclude_input = True
        config.HTMLExporter.exclude_input_prompt = True
        config.HTMLExporter.exclude_output_prompt = True
        config.HTMLExporter.anchor_link_text = ""
        # Check the notebook once after all preprocessors instead of after each of them (13
        # schema validations per page were about a third of its render time); same page.
        config.HTMLExporter.optimistic_validation = True
        exporter = _Exporter(config=config, template_name="basic")
        exporter.register_preprocessor(_ReportCells(), enabled=True)
        _LOCAL.exporter = exporter
    return exporter


def _lang(nb: nbformat.NotebookNode) -> Lang:
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {}) or {}
    return "en" if params.get("lang", "id") == "en" else "id"


def _long_date(day: date, lang: Lang) -> str:
    """``2 Desember 2026`` / ``2 December 2026``."""
    from babel.dates import format_date

    return format_date(day, format="long", locale="id_ID" if lang == "id" else "en_GB")


def _facts(nb: nbformat.NotebookNode, page: Mapping[str, Any], lang: Lang) -> str:
    """Evaluation year, data version and generation date (empty without a data version)."""
    version = page.get("data_version")
    if not version:
        return ""
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {}) or {}
    year = params.get("year", page.get("year", ""))
    return t(
        "print.head.facts", lang, year=year, version=version, date=_long_date(date.today(), lang)
    )


def _nav(nb: nbformat.NotebookNode, page: Mapping[str, Any], lang: Lang) -> list[dict[str, str]]:
    """Links of a report's navigation bar: index, cohort overview, downloads, partners.

    ``page`` (from the runner) says which files exist or will exist in the batch:
    ``index`` (href of the index), ``cohort`` (href of the cohort overview or None),
    ``csv``/``xlsx`` (hrefs of this report's downloads), ``regions`` (codes whose reports are in
    the batch, linked as ``<code>.html`` beside this report when they are partners).
    """
    links = []
    if page.get("index"):
        links.append({"href": page["index"], "text": t("print.nav.index", lang)})
    if page.get("cohort"):
        links.append({"href": page["cohort"], "text": t("print.nav.cohort", lang)})
    found = downloads(nb)
    if page.get("csv") and found:
        links.append({"href": page["csv"], "text": t("print.nav.csv", lang)})
    if page.get("xlsx") and found:
        links.append({"href": page["xlsx"], "text": t("print.nav.xlsx", lang)})
    in_batch = set(page.get("regions") or ())
    partners = [c for c in (partner_codes(found[0]) if found else []) if c in in_batch]
    if partners:
        from living_lab.regions import region_name

        links.append({"href": "", "text": t("print.nav.partners", lang)})
        links.extend({"href": f"{c}.html", "text": region_name(c)} for c in partners)
    return links


def render_html(
    nb: nbformat.NotebookNode, *, title: str | None = None, page: Mapping[str, Any] | None = None
) -> str:
    """A complete, self-contained HTML page of an executed notebook, with inputs hidden.

    Parameters
    ----------
    nb : the executed notebook (not modified).
    title : the page title (escaped by the template); default: the notebook's ``metadata.title`` or
        "Living Lab".
    page : what the runner knows about the batch (see :func:`_nav`) and ``data_version``; with
        it the page gets a header line (evaluation year, data version, generation date) and a
        navigation bar with relative links. Without it (a notebook rendered on its own) neither.
    """
    body, _ = _exporter().from_notebook_node(nbformat.from_dict(nb))
    page_title = title if title is not None else nb.get("metadata", {}).get("title", "Living Lab")
    return render_page(
        "report.html.j2",
        lang=_lang(nb),
        title=str(page_title),
        css=Markup(PAGE_CSS),
        script=Markup(PRINT_SCRIPT),
        facts=_facts(nb, page or {}, _lang(nb)),
        nav=_nav(nb, page or {}, _lang(nb)),
        nav_label=t("print.nav.label", _lang(nb)),
        body=Markup(body),  # nbconvert's output: cell outputs already escaped by nbconvert
    )
