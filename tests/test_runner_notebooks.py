"""The runner on the project's real notebooks (``params/notebooks.yaml``).

Batch reports (each in a fresh forked kernel), which load the cohort context the runner built
once, must be identical in content to a plain ``papermill`` run of the same notebook, which builds
the context itself; checked for Sumedang plus a random sample of West Java regions, in random order.
"""

from __future__ import annotations

import json
import random
import re

import nbformat
import papermill
import pytest
from _nbcompare import merge_streams

from living_lab import paths
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.runner import run_batch

pytestmark = [pytest.mark.kernel, pytest.mark.slow, pytest.mark.integration]

INLINE = "module://matplotlib_inline.backend_inline"
#: BPS codes of the 27 regions of Jawa Barat (regencies 3201-3218, cities 3271-3279).
JAWA_BARAT = [str(c) for c in [*range(3201, 3219), *range(3271, 3280)]]
SAMPLE = ["3211", *random.sample([c for c in JAWA_BARAT if c != "3211"], 2)]
random.shuffle(SAMPLE)


def outputs(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(source, outputs) of every code cell but the injected parameters (context_path differs)."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        text = json.dumps(merge_streams(cell.outputs), sort_keys=True)
        cells.append((cell.source, re.sub(r"ipykernel_\d+", "ipykernel_PID", text)))
    return cells


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    config = load_notebook_config()
    out = tmp_path_factory.mktemp("reports")
    params = validate(
        {
            "out": str(out),
            "regions": ",".join(SAMPLE),
            "cohort_reports": "false",
            "jobs": "2",
            "formats": "html,ipynb",
        },
        config=config,
    )
    summary = run_batch(params, config=config, progress=False, echo=lambda s: None)
    return out, summary


def test_region_reports_run_in_fresh_kernels(batch):
    out, summary = batch
    assert (summary.ok, summary.failed) == (3, 0), summary.failures
    m = json.loads((out / "manifest.json").read_text())
    assert m["cohort"] == "jawa-barat" and set(m["regions"]) == set(SAMPLE)
    nb = nbformat.read(out / "regions" / "3211.ipynb", as_version=4)
    params = nb.metadata.papermill.parameters
    assert params["region"] == "3211" and params["context_path"].startswith(str(out / "results"))
    page = (out / "regions" / "3211.html").read_text(encoding="utf-8")
    # Sumedang's published 2024 index (KemenPANRB) and its predicate, as the report prints them.
    assert "4,51" in page and "Memuaskan" in page
    assert page.count("data:image/png;base64,") >= 3
    assert not re.search(r'(src|href)="(https?:)?//', page)  # self-contained


def test_batch_reports_are_identical_to_fresh_papermill_runs(batch, monkeypatch):
    out, _ = batch
    monkeypatch.setenv("MPLBACKEND", INLINE)
    for code in random.sample(SAMPLE, len(SAMPLE)):
        fresh = papermill.execute_notebook(
            str(paths.NOTEBOOKS / "region_report.ipynb"),
            None,
            parameters={"region": code},
            kernel_name="python3",
            progress_bar=False,
        )
        batched = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        assert outputs(batched) == outputs(fresh), f"region {code} (sample {SAMPLE})"


def test_a_region_never_evaluated_gets_its_report_in_the_batch(tmp_path):
    """Kab. Intan Jaya has no published SPBE result in any year: the batch writes its
    "belum dievaluasi" report (compared with every kabupaten/kota) instead of stopping."""
    config = load_notebook_config()
    out = tmp_path / "out"
    params = validate(
        {
            "out": str(out),
            "regions": "Intan Jaya",
            "cohort_reports": "false",
            "jobs": "1",
            "formats": "html",
        },
        config=config,
    )
    summary = run_batch(params, config=config, progress=False, echo=lambda s: None)
    assert (summary.ok, summary.failed) == (1, 0), summary.failures
    assert summary.exit_code == 0
    page = (out / "regions" / "9435.html").read_text(encoding="utf-8")
    assert "Kabupaten Intan Jaya belum memiliki hasil evaluasi SPBE yang dipublikasikan" in page
    assert "belum dievaluasi" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="regions/9435.html"' in index and "belum dievaluasi" in index


def test_the_fork_servers_warm_up_fills_caches_and_changes_no_observable_state(tmp_path):
    """What the fork server runs before forking report kernels (warmup.warm_up) leaves the
    options, filters, rcParams and random state a notebook could read as it found them, and
    does fill the cohort-wide figure layers every report would otherwise draw."""
    import warnings

    import matplotlib as mpl
    import numpy as np
    import pandas as pd

    from living_lab.plots import report as plots
    from living_lab.report.warmup import warm_up
    from living_lab.results.context import build_context, results_folder, save_context

    folder = results_folder(tmp_path, "jawa-barat", 2024)
    save_context(build_context("jawa-barat", 2024, 3.5, 2025), folder)
    plots._LAYERS.clear()

    def state() -> tuple:
        return (
            {k: pd.get_option(k) for k in ("display.max_rows", "display.precision")},
            dict(mpl.rcParams),
            list(warnings.filters),
            np.random.get_state()[1].tolist(),  # noqa: NPY002 - the legacy global state notebooks share
            np.get_printoptions(),
        )

    before = state()
    region = warm_up("jawa-barat", 2024, 3.5, 2025, str(folder), lang="id")
    assert state() == before
    assert region in JAWA_BARAT
    assert {kind for kind, _ in plots._LAYERS} >= {"trajectory", "domains", "outcomes", "relation"}
