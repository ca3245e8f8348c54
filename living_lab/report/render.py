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

import threading
from typing import Any

import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from living_lab.report.pages import render_page

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
@media print{body{background:#fff}main{box-shadow:none;padding:0}}
"""


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


_LOCAL = threading.local()


def _exporter() -> HTMLExporter:
    """The exporter of this thread (built once; HTMLExporter is not documented as thread-safe)."""
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is None:
        config = Config()
        config.HTMLExporter.exclude_input = True
        config.HTMLExporter.exclude_input_prompt = True
        config.HTMLExporter.exclude_output_prompt = True
        config.HTMLExporter.anchor_link_text = ""
        exporter = HTMLExporter(config=config, template_name="basic")
        exporter.register_preprocessor(_ReportCells(), enabled=True)
        _LOCAL.exporter = exporter
    return exporter


def _lang(nb: nbformat.NotebookNode) -> str:
    params = nb.get("metadata", {}).get("papermill", {}).get("parameters", {}) or {}
    lang = params.get("lang", "id")
    return lang if lang in ("id", "en") else "id"


def render_html(nb: nbformat.NotebookNode, *, title: str | None = None) -> str:
    """A complete, self-contained HTML page of an executed notebook, with inputs hidden.

    Parameters
    ----------
    nb : the executed notebook (not modified).
    title : the page title (escaped by the template); default: the notebook's ``metadata.title`` or
        "Living Lab".
    """
    body, _ = _exporter().from_notebook_node(nbformat.from_dict(nb))
    page_title = title if title is not None else nb.get("metadata", {}).get("title", "Living Lab")
    return render_page(
        "report.html.j2",
        lang=_lang(nb),
        title=str(page_title),
        css=Markup(PAGE_CSS),
        body=Markup(body),  # nbconvert's output: cell outputs already escaped by nbconvert
    )
