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

from living_lab import fmt, linkage, paths

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


def test_notebook_reads_stored_results_and_computes_when_they_do_not_match(tmp_path):
    """In a batch (``context_path`` set) the study's numbers are stored beside the cohort
    results and read back; a run whose parameters differ from the stored ones computes its own
    (through the results layer) instead of showing the stored numbers."""
    from living_lab.results import linkage as linkage_results

    context = tmp_path / "out" / "results" / "jawa-barat-2024"
    folder = linkage_results.folder_of(context)
    small = {"cohort": "jawa-barat", "lang": "en", "bootstrap": 199, "validation_replications": 0}
    _run(tmp_path, seed=11, context_path=str(context), **small)
    stored = linkage_results.load(
        folder,
        key=linkage_results.study_key(
            min_confidence="medium", bootstrap=199, seed=11, validation_replications=0
        ),
    )
    # Another seed with the same folder: its own wild bootstrap intervals, not the stored ones.
    nb = _run(tmp_path, seed=12, context_path=str(context), **small)
    text = _markdown(nb)
    own = linkage.fit(linkage.default_specs()[0], bootstrap=199, seed=12)
    row = stored.models.iloc[0]
    assert fmt.interval(own.wild.ci_low, own.wild.ci_high, "en") in text
    assert (row["wild_ci_low"], row["wild_ci_high"]) != (own.wild.ci_low, own.wild.ci_high)
    assert fmt.interval(row["wild_ci_low"], row["wild_ci_high"], "en") not in text
    # The folder now holds the latest run's results (seed 12), intact.
    assert linkage_results.load(folder).seed == 12
