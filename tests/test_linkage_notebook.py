"""``notebooks/linkage_study.ipynb`` runs end to end with papermill and says what the library says.

The recorded outputs are compared with the library's own results for the same parameters (the
main estimates and their intervals, n, the panel decision) in both languages, and the rendered
HTML hides the code.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest

from living_lab import linkage, paths
from living_lab.linkage import fmt

pytestmark = [pytest.mark.kernel, pytest.mark.integration, pytest.mark.slow]

NOTEBOOK = paths.NOTEBOOKS / "linkage_study.ipynb"


def _run(tmp: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp / f"linkage_{parameters.get('lang', 'id')}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK), str(out), parameters=parameters, kernel_name="python3",
        progress_bar=False, cwd=str(tmp),
    )  # fmt: skip
    return nbformat.read(out, as_version=4)


def _markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(
        "".join(o["data"]["text/markdown"])
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    )


def _count(nb: nbformat.NotebookNode, mime: str) -> int:
    return sum(
        mime in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


@pytest.fixture(scope="module")
def results() -> list[linkage.LinkageResult]:
    return [linkage.fit(s, bootstrap=199, seed=11) for s in linkage.default_specs()]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("id", ["Estimasi utama", "asosiasi", "tidak dipakai", "DATA SINTETIS"]),
        ("en", ["Main estimates", "association", "not used", "SYNTHETIC DATA"]),
    ],
)
def test_notebook_runs_and_reports_the_main_estimates(tmp_path, results, lang, words):
    nb = _run(
        tmp_path, lang=lang, cohort="jawa-barat", bootstrap=199, seed=11, validation_replications=20
    )
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    text = _markdown(nb)
    for word in words:
        assert word in text, word
    for r in results:
        assert fmt.interval(r.ci_low, r.ci_high, lang) in text
        assert f"n = {r.n}" in text
        assert fmt.interval(r.wild.ci_low, r.wild.ci_high, lang) in text
    # Robustness (3 coefficient plots) and data (3 scatter plots) figures; tables as HTML.
    assert _count(nb, "image/png") == 6
    assert _count(nb, "text/html") >= 8

    from living_lab.report.render import render_html

    html = render_html(nb, title="linkage")
    assert "check_study_params" not in html and "<img" in html


def test_notebook_refuses_bad_parameters(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="min_confidence"):
        _run(tmp_path, min_confidence="high", validation_replications=0)
