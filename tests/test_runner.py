"""The report runner on small purpose-built notebooks (``tests/fixtures/runner/``).

One pool of two workers (each with a fork server) is shared by the module. The fixture report
notebook raises, hangs or kills its kernel for some regions, probes every kind of state a reused
kernel could leak, and then changes all of it, so that leaks would show in the next run.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import papermill
import pytest
from _nbcompare import merge_streams

from living_lab import paths
from living_lab.report import index_page
from living_lab.report import manifest as mf
from living_lab.report.engine import register_engine
from living_lab.report.executors import LocalExecutor
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.pool import HostOptions, ReportHost, Task
from living_lab.report.runner import host_options, run_batch

FIXTURES = paths.ROOT / "tests" / "fixtures" / "runner"
CONFIG = load_notebook_config(FIXTURES / "notebooks.yaml")
REPORT = FIXTURES / "report.ipynb"
INLINE = "module://matplotlib_inline.backend_inline"


@pytest.fixture(scope="module")
def markers(tmp_path_factory):
    return tmp_path_factory.mktemp("markers")


@pytest.fixture(scope="module")
def executor(markers):
    """Two worker processes with fork servers, shared by the tests of this module."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LIVING_LAB_TEST_MARKERS", str(markers))
    ex = LocalExecutor(2, host_options(CONFIG))
    ex.start()
    yield ex
    ex.close()
    patch.undo()


@pytest.fixture
def stable_versions(monkeypatch):
    """Pin the library fingerprint and data version (other work may edit files meanwhile)."""
    from living_lab import datasets
    from living_lab.results import context

    monkeypatch.setattr(context, "library_fingerprint", lambda: "0.1.0+test")
    monkeypatch.setattr(datasets, "data_version", lambda: "data-test")
    return monkeypatch


def batch(executor, out: Path, config=CONFIG, **cli):
    # The executed notebooks are opt-in; these tests read them.
    params = validate({"out": str(out), "formats": "html,ipynb", **cli}, config=config)
    return run_batch(params, config=config, executor=executor, progress=False, echo=lambda s: None)


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# A normal batch


@pytest.mark.kernel
def test_small_batch_writes_notebooks_html_manifest_and_index(executor, tmp_path):
    out = tmp_path / "out"
    summary = batch(executor, out, regions="3211,Kota Bandung,3201", lang="en")
    assert (summary.ok, summary.failed, summary.skipped) == (4, 0, 0)
    assert summary.exit_code == 0

    for code in ("3211", "3273", "3201"):
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        # A normal papermill output: parameters recorded, injected cell after the parameters cell.
        assert nb.metadata.papermill.parameters == {
            "region": code,
            "year": 2024,
            "cohort": "jawa-barat",
            "target": 3.5,
            "target_year": 2025,
            "lang": "en",
        }
        assert nb.cells[1].metadata.tags == ["injected-parameters"]
        assert f'region = "{code}"' in nb.cells[1].source
        assert all(c.metadata.papermill.status == "completed" for c in nb.cells)
        assert nb.metadata.papermill.exception is None
        last = nb.cells[-1].outputs[0]["text"]
        assert last == f"report {code} 2024 jawa-barat 3.5 2025 en\n"
        page = (out / "regions" / f"{code}.html").read_text(encoding="utf-8")
        assert f"report {code} 2024 jawa-barat 3.5 2025 en" in page
        assert "data:image/png;base64," in page  # the figure, embedded
        assert "mpl.rcParams" not in page  # inputs hidden

    cohort_nb = nbformat.read(out / "cohort" / "cohort.ipynb", as_version=4)
    # Only the parameters the cohort notebook declares; shade is its own.
    assert cohort_nb.metadata.papermill.parameters == {
        "cohort": "jawa-barat",
        "year": 2024,
        "lang": "en",
        "shade": "light",
    }
    assert (
        "cohort jawa-barat: 27 regions, 2024, en, light" in cohort_nb.cells[-1].outputs[0]["text"]
    )

    m = manifest(out)
    assert m["schema"] == 1 and m["cohort"] == "jawa-barat" and m["lang"] == "en"
    assert m["batch"]["status"] == "finished"
    assert set(m["regions"]) == {"3211", "3273", "3201"}
    entry = m["regions"]["3273"]
    assert entry["name"] == "Kota Bandung" and entry["status"] == "ok"
    assert entry["html"] == "regions/3273.html" and entry["ipynb"] == "regions/3273.ipynb"
    assert entry["input_hash"].startswith("sha256:") and entry["error"] is None
    assert entry["attempts"] == 1 and entry["duration_s"] > 0
    assert m["cohort_reports"]["cohort"]["status"] == "ok"

    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="regions/3211.html"' in index and "Kota Bandung" in index
    assert not list(out.rglob(".*.tmp"))


# --------------------------------------------------------------------------------------------
# Forked kernels give what a fresh papermill run gives


def normalised(nb: nbformat.NotebookNode) -> list:
    """Cell sources, execution counts and outputs; no timings; kernel PIDs in file names masked."""
    cells = []
    for cell in nb.cells:
        outputs = []
        for out in merge_streams(cell.get("outputs", [])):
            out = dict(out)
            if "text" in out:
                out["text"] = re.sub(r"ipykernel_\d+", "ipykernel_PID", out["text"])
            outputs.append(json.dumps(out, sort_keys=True))
        cells.append(
            (
                cell.cell_type,
                cell.source,
                cell.get("execution_count"),
                cell.metadata.get("tags"),
                outputs,
            )
        )
    return cells


@pytest.mark.kernel
def test_forked_kernel_output_is_identical_to_a_fresh_papermill_run(monkeypatch, tmp_path):
    # Fresh papermill kernels inherit this environment: show figures inline as pool kernels do.
    monkeypatch.setenv("MPLBACKEND", INLINE)
    register_engine()
    host = ReportHost(HostOptions(preload=CONFIG.preload))
    host.start()
    # A sample of regions in random order, with repeats (state from itself too).
    rnd = random.Random()
    order = rnd.sample(["3273", "3211", "3201", "3202", "3271"], 3)
    order += [order[0], order[1]]
    rnd.shuffle(order)
    pids = []
    try:
        runs = []
        for i, code in enumerate(order):
            params = {"region": code, "lang": "en" if i % 2 else "id"}
            task = Task(
                id=f"t{i}",
                kind="region",
                key=code,
                notebook=REPORT.read_text(encoding="utf-8"),
                input_path=str(REPORT),
                output_path=str(tmp_path / f"{code}.ipynb"),
                parameters=params,
                title=code,
                timeout=60,
            )
            runs.append((params, host.run(task)))
            pids.append(host.last_pid)
    finally:
        host.shutdown()
    # Every notebook ran in its own kernel process.
    assert len(set(pids)) == len(order) and host.runs == len(order)

    fresh_cache: dict[str, nbformat.NotebookNode] = {}
    for params, forked_nb in runs:
        key = json.dumps(params, sort_keys=True)
        if key not in fresh_cache:
            fresh_cache[key] = papermill.execute_notebook(
                str(REPORT), None, parameters=params, kernel_name="python3", progress_bar=False
            )
        fresh = fresh_cache[key]
        assert forked_nb.metadata.papermill.parameters == fresh.metadata.papermill.parameters
        assert normalised(forked_nb) == normalised(fresh)

    # The probes printed a pristine state every time, although every run changed all of it.
    for _, nb in runs:
        probes = nb.cells[3].outputs[0]["text"]
        assert probes.startswith("leaked globals: []\nfont.size: 10.0\n")
        assert "environment leak: None\ncwd changed: False\nsys.path leak: False" in probes
        stderr = [o for o in nb.cells[3].outputs if o.get("name") == "stderr"]
        assert stderr and "deliberate warning: shown in every run" in stderr[0]["text"]
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == list(range(1, 9))
        assert any("image/png" in o.get("data", {}) for o in nb.cells[5].outputs)


WRITER = """\
# Set every kind of state a previous report could leave behind.
import json
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd

LEAK = "writer"
json.LEAK = "writer"  # state in an imported module
pd.set_option("display.max_rows", 3)
mpl.rcParams["font.size"] = 23
warnings.simplefilter("ignore")
np.random.seed(1234)
print("wrote", pd.get_option("display.max_rows"), mpl.rcParams["font.size"], warnings.filters[0][0])"""

READER = """\
# Read it back: a report that ran after the writer must see none of its state.
import json
import warnings

import matplotlib as mpl
import numpy as np
import pandas as pd

print("global:", "LEAK" in globals())
print("module:", getattr(json, "LEAK", None))
print("max_rows:", pd.get_option("display.max_rows"))
print("font.size:", mpl.rcParams["font.size"])
print("draw:", np.random.random())
warnings.warn("reader warning: shown unless a filter leaked", stacklevel=1)"""


def _isolation_set(folder: Path, order: tuple[str, str]) -> object:
    """A notebook set whose cohort notebooks are the writer and the reader in ``order`` (the
    region notebook is the reader too, so it runs after both)."""
    folder.mkdir()
    for name, body in (("writer", WRITER), ("reader", READER)):
        params = nbformat.v4.new_code_cell('cohort: str = "jawa-barat"  # peer cohort')
        params.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(body)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.write(nb, folder / f"{name}.ipynb")
    (folder / "notebooks.yaml").write_text(
        "notebook_dir: .\nkernel: python3\nregion_notebook: reader.ipynb\n"
        f"cohort_notebooks: [{order[0]}.ipynb, {order[1]}.ipynb]\n"
        "preload: [numpy, pandas, matplotlib.pyplot]\ntimeout: 60\n",
        encoding="utf-8",
    )
    return load_notebook_config(folder / "notebooks.yaml")


@pytest.mark.kernel
@pytest.mark.parametrize("order", [("writer", "reader"), ("reader", "writer")])
def test_a_report_never_sees_the_state_another_report_set(tmp_path, order):
    """Isolation by construction: in one batch on one worker (jobs=1), a notebook that sets a
    global, a module attribute, a pandas option, an rcParam, a warnings filter and numpy's seed
    runs before or after a notebook that reads them; the reader always sees a fresh process."""
    config = _isolation_set(tmp_path / "nb", order)
    out = tmp_path / "out"
    params = validate(
        {"out": str(out), "regions": "3211", "jobs": "1", "formats": "html,ipynb"}, config=config
    )
    summary = run_batch(params, config=config, progress=False, echo=lambda s: None)
    assert (summary.ok, summary.failed) == (3, 0), summary.failures

    writer = nbformat.read(out / "cohort" / "writer.ipynb", as_version=4)
    assert writer.cells[-1].outputs[0]["text"] == "wrote 3 23.0 ignore\n"  # it did write
    seeded = np.random.RandomState(1234).random_sample()
    for path in (out / "cohort" / "reader.ipynb", out / "regions" / "3211.ipynb"):
        outputs = nbformat.read(path, as_version=4).cells[-1].outputs
        text = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
        assert "global: False\nmodule: None\nmax_rows: 60\nfont.size: 10.0\n" in text, path
        draw = float(re.search(r"draw: ([0-9.e-]+)", text).group(1))
        assert draw != seeded, path
        stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
        assert "reader warning: shown unless a filter leaked" in stderr, path


@pytest.mark.kernel
def test_a_regions_report_does_not_depend_on_the_batch(executor, tmp_path):
    """Sumedang run alone and in a batch with a region of another province: the same cohort
    (its default, Jawa Barat) and the same notebook output; Surabaya is compared with all."""
    batch(executor, tmp_path / "alone", regions="3211", cohort_reports="false")
    mixed = tmp_path / "mixed"
    batch(executor, mixed, regions="Kota Surabaya,3211", cohort_reports="false")

    def last(out: Path, code: str) -> str:
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        return nb.cells[-1].outputs[0]["text"]

    assert last(tmp_path / "alone", "3211") == last(mixed, "3211")
    assert "3211 2024 jawa-barat" in last(mixed, "3211")
    assert "3578 2024 all" in last(mixed, "3578")
    m = manifest(mixed)
    assert m["regions"]["3211"]["parameters"]["cohort"] == "jawa-barat"


@pytest.mark.kernel
def test_pool_output_matches_in_any_order(executor, tmp_path):
    """The same report from two batches with different orders (and kernels) is identical."""
    a, b = tmp_path / "a", tmp_path / "b"
    batch(executor, a, regions="3201,3211,3273,3202", cohort_reports="false")
    batch(executor, b, regions="3273,3202,3211,3201", cohort_reports="false")
    for code in ("3201", "3211", "3273", "3202"):
        nb_a = nbformat.read(a / "regions" / f"{code}.ipynb", as_version=4)
        nb_b = nbformat.read(b / "regions" / f"{code}.ipynb", as_version=4)
        assert normalised(nb_a) == normalised(nb_b)


# --------------------------------------------------------------------------------------------
# Re-runs


@pytest.mark.kernel
def test_unchanged_reports_are_skipped_unless_forced(executor, tmp_path, stable_versions):
    out = tmp_path / "out"
    first = batch(executor, out, regions="3211,3273")
    assert (first.ok, first.skipped) == (3, 0)
    manifest_first = manifest(out)
    html = out / "regions" / "3211.html"
    stamp = html.stat().st_mtime_ns

    again = batch(executor, out, regions="3211,3273")
    assert (again.ok, again.skipped, again.failed) == (0, 3, 0)
    assert html.stat().st_mtime_ns == stamp
    m = manifest(out)
    assert m["regions"]["3211"]["status"] == "skipped"
    assert m["regions"]["3211"]["html"] == "regions/3211.html"
    # The index says the reports are current and when they were made, not "selesai: 0".
    made = index_page.made_date(m["regions"]["3211"]["finished"], "id")
    assert (
        made and m["regions"]["3211"]["finished"] == manifest_first["regions"]["3211"]["finished"]
    )
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Semua 2 laporan sudah mutakhir" in index and f"dibuat pada {made}" in index
    assert f"mutakhir (dibuat {made})" in index and "selesai: 0" not in index

    other_params = batch(executor, out, regions="3211,3273", lang="en")
    assert (other_params.ok, other_params.skipped) == (3, 0)

    # The linkage study's stored results (written by its own task) are kept between batches
    # and invalidated by --force, so that its notebook recomputes them.
    linkage_meta = out / "results" / "linkage-study" / "meta.json"
    linkage_meta.parent.mkdir(parents=True)
    linkage_meta.write_text("{}", encoding="utf-8")
    batch(executor, out, regions="3211,3273", lang="en")
    assert linkage_meta.exists()

    forced = batch(executor, out, regions="3211,3273", lang="en", force="true")
    assert (forced.ok, forced.skipped) == (3, 0)
    assert html.stat().st_mtime_ns != stamp
    assert not linkage_meta.exists()

    # New data or new library code: everything runs again.
    from living_lab import datasets
    from living_lab.results import context

    stable_versions.setattr(datasets, "data_version", lambda: "data-test-2")
    assert batch(executor, out, regions="3211,3273", lang="en").ok == 3
    stable_versions.setattr(context, "library_fingerprint", lambda: "0.1.0+test-2")
    assert batch(executor, out, regions="3211,3273", lang="en").ok == 3

    # A report whose file was deleted is made again; the others stay skipped.
    (out / "regions" / "3273.html").unlink()
    partial = batch(executor, out, regions="3211,3273", lang="en")
    assert (partial.ok, partial.skipped) == (1, 2)
    assert (out / "regions" / "3273.html").exists()


# --------------------------------------------------------------------------------------------
# Faults


@pytest.mark.kernel
def test_failing_regions_are_recorded_and_the_batch_goes_on(executor, tmp_path, markers):
    out = tmp_path / "out"
    # 3204 raises, 3205 hangs, 3206 kills its kernel every time, 3207 kills it once.
    summary = batch(executor, out, regions="3204,3205,3206,3207,3211", timeout="4")
    assert (summary.ok, summary.failed) == (3, 3)  # 3207, 3211 and the cohort notebook
    assert summary.exit_code == 1
    regions = manifest(out)["regions"]

    raised = regions["3204"]
    assert raised["status"] == "failed" and raised["attempts"] == 1  # a cell error is not retried
    assert raised["error"] == "cell 3: ValueError: deliberate failure for region 3204"
    # Its structured form, which the index and the command line say in their language.
    assert raised["error_key"] == "failure.cell"
    assert raised["error_fields"] == {
        "cell": 3,
        "ename": "ValueError",
        "evalue": "deliberate failure for region 3204",
    }
    assert raised["html"] is None and raised["failed_ipynb"] == "_failed/3204.ipynb"
    failed_nb = nbformat.read(out / "_failed" / "3204.ipynb", as_version=4)
    assert "papermill-error-cell-tag" in failed_nb.cells[0].metadata.tags  # papermill's banner
    assert not (out / "regions" / "3204.html").exists()

    hung = regions["3205"]
    assert hung["status"] == "failed" and hung["attempts"] == 2
    assert re.fullmatch(
        r"timed out after \d+ s in cell 3 \(limit 4 s\); process killed \(after 2 attempts\)",
        hung["error"],
    )
    assert hung["error_key"] == "failure.timeout"
    assert {k: hung["error_fields"][k] for k in ("cell", "limit", "attempts")} == {
        "cell": 3,
        "limit": 4,
        "attempts": 2,
    }
    assert hung["error_fields"]["seconds"] >= 4

    died = regions["3206"]
    assert died["status"] == "failed" and died["attempts"] == 2
    assert died["error"] == "report process died in cell 3 (exit status 1) (after 2 attempts)"
    assert died["error_key"] == "failure.died"
    assert died["error_fields"] == {"cell": 3, "exit_status": 1, "attempts": 2}

    once = regions["3207"]
    assert once["status"] == "ok" and once["attempts"] == 2
    assert (markers / "died-3207").exists()
    assert (out / "regions" / "3207.html").exists()

    assert regions["3211"]["status"] == "ok"
    index = (out / "index.html").read_text(encoding="utf-8")
    # The index speaks the batch's language (Bahasa Indonesia by default) around the
    # notebook's own words.
    assert "sel 3 gagal: ValueError: deliberate failure for region 3204" in index
    assert re.search(
        r"waktu habis setelah \d+ detik di sel 3 \(batas 4 detik\); proses dihentikan "
        r"\(setelah 2 kali percobaan\)",
        index,
    )
    assert "proses laporan berhenti tiba-tiba di sel 3 (kode keluar 1)" in index
    assert "cell 3" not in index and "attempts" not in index
    assert regions["3207"].get("error_key") is None  # a success after a retry has no failure

    # The pool recovered: its kernels run the next batch normally.
    after = batch(executor, tmp_path / "after", regions="3201,3202", cohort_reports="false")
    assert (after.ok, after.failed) == (2, 0)


class _BrokenSlot:
    """A host slot whose fork server never starts."""

    def __init__(self) -> None:
        self.discarded = 0

    def get(self):
        raise RuntimeError("fork server stopped (exit status 1)")

    def discard(self) -> None:
        self.discarded += 1


def _fixture_task(**kw) -> Task:
    values = dict(
        id="region/3211",
        kind="region",
        key="3211",
        notebook=REPORT.read_text(encoding="utf-8"),
        input_path=str(REPORT),
        output_path="out.ipynb",
        parameters={"region": "3211"},
        title="Kabupaten Sumedang",
        timeout=5,
    )
    return Task(**{**values, **kw})


def test_a_host_that_never_starts_is_a_failure_said_in_both_languages():
    from living_lab.report.pool import run_task

    slot = _BrokenSlot()
    result = run_task(slot, _fixture_task())  # type: ignore[arg-type]
    assert result.status == "failed" and result.attempts == 2 and slot.discarded == 2
    assert result.failure is not None and result.failure.kind == "host"
    detail = "RuntimeError: fork server stopped (exit status 1)"
    assert result.error == f"could not run the report: {detail} (after 2 attempts)"
    assert result.failure.text("id") == (
        f"laporan tidak dapat dijalankan: {detail} (setelah 2 kali percobaan)"
    )


def test_a_page_that_cannot_be_rendered_is_a_failure(monkeypatch):
    from living_lab.report import pool

    class Host:
        def run(self, task):
            return nbformat.v4.new_notebook()

    class Slot:
        def get(self):
            return Host()

    def broken(*args, **kwargs):
        raise KeyError("page")

    monkeypatch.setattr(pool, "render", broken)
    result = pool.run_task(Slot(), _fixture_task())  # type: ignore[arg-type]
    assert result.status == "failed" and result.attempts == 1 and result.html is None
    assert result.error == "rendering failed: KeyError: 'page'"
    assert result.failure.manifest_fields() == {
        "error_key": "failure.render",
        "error_fields": {"detail": "KeyError: 'page'"},
    }
    assert result.failure.text("id") == "halaman laporan tidak dapat dibuat: KeyError: 'page'"


def test_a_process_exit_code_becomes_failure_fields():
    from living_lab.report.pool import exit_fields

    assert exit_fields(None) == {}
    assert exit_fields(1) == {"exit_status": 1}
    assert exit_fields(-signal.SIGKILL) == {"signal": "SIGKILL"}
    assert exit_fields(-200) == {"signal": "200"}


@pytest.mark.kernel
def test_a_failed_run_never_replaces_a_good_report(executor, tmp_path):
    out = tmp_path / "out"
    assert batch(executor, out, regions="3211", cohort_reports="false").ok == 1
    good_html = (out / "regions" / "3211.html").read_bytes()
    good_nb = (out / "regions" / "3211.ipynb").read_bytes()

    # The same folder, now with a report notebook that fails for every region.
    broken = nbformat.read(REPORT, as_version=4)
    broken.cells.insert(2, nbformat.v4.new_code_cell('raise RuntimeError("broken notebook")'))
    folder = tmp_path / "broken"
    folder.mkdir()
    nbformat.write(broken, folder / "report.ipynb")
    (folder / "set.yaml").write_text("notebook_dir: .\nregion_notebook: report.ipynb\n")
    cfg = load_notebook_config(folder / "set.yaml")
    summary = batch(executor, out, config=cfg, regions="3211")
    assert summary.failed == 1
    assert (out / "regions" / "3211.html").read_bytes() == good_html
    assert (out / "regions" / "3211.ipynb").read_bytes() == good_nb
    entry = manifest(out)["regions"]["3211"]
    assert entry["status"] == "failed" and "RuntimeError: broken notebook" in entry["error"]
    assert (out / "_failed" / "3211.ipynb").exists()


# --------------------------------------------------------------------------------------------
# Atomic writes


def test_atomic_write_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    mf.atomic_write_text(path, "good")

    def fail(src, dst, **dir_fds):
        raise OSError("disk full")

    monkeypatch.setattr(mf.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        mf.atomic_write_text(path, "half written")
    assert path.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_manifest_is_valid_json_at_every_moment(tmp_path):
    m = mf.Manifest(tmp_path, {"cohort": "jawa-barat"})
    m.save()
    stop = threading.Event()
    seen: list[int] = []
    errors: list[Exception] = []

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(len(json.loads((tmp_path / "manifest.json").read_text())["regions"]))
            except Exception as exc:  # a partial file would land here
                errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(300):
            m.regions[f"{i:04d}"] = {"status": "ok", "error": "x" * 500}
            m.save()
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert len(seen) > 10 and seen == sorted(seen)


def test_an_unreadable_manifest_means_everything_runs_again(tmp_path):
    (tmp_path / "manifest.json").write_text('{"schema": 1, "regions": {"3211": ')
    assert mf.read_manifest(tmp_path / "manifest.json") is None
    m = mf.Manifest(tmp_path, {"cohort": "x"})
    assert m.previous_regions == {}


def test_stale_temporary_files_of_the_previous_batch_are_removed(tmp_path):
    from living_lab.report.outdir import OutputFolder

    (tmp_path / "regions").mkdir()
    stale = tmp_path / "regions" / ".3211.html.abcdef012345.tmp"
    stale.write_text("partial")
    keep = tmp_path / "regions" / "3211.html"
    keep.write_text("good")
    with OutputFolder(tmp_path) as folder:
        assert folder.remove_temp(["abcdef012345"]) == 1
    assert not stale.exists() and keep.read_text() == "good"


def test_two_runs_cannot_write_one_folder(tmp_path):
    from living_lab.report.outdir import OutputFolder, OutputFolderError

    with OutputFolder(tmp_path) as first, OutputFolder(tmp_path) as second:
        first.lock()
        with pytest.raises(OutputFolderError, match="is being written by another"):
            second.lock()


# --------------------------------------------------------------------------------------------
# Interrupting a batch from the command line


def descendants(pid: int) -> set[int]:
    table = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    children: dict[int, list[int]] = {}
    for line in table.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state  # a zombie has exited


def start_slow_batch(tmp_path: Path) -> tuple[subprocess.Popen, list[str], dict, set[int]]:
    """Start a 10-region batch of 1.5 s reports from the command line; return once two are done."""
    out = tmp_path / "out"
    regions = "3201,3202,3203,3204,3211,3273,3208,3209,3210,3212"
    argv = [
        sys.executable,
        "-m",
        "living_lab.cli",
        "reports",
        "--notebooks",
        str(FIXTURES / "notebooks.yaml"),
        "--regions",
        regions,
        "--out",
        str(out),
        "--jobs",
        "2",
        "--no-cohort-reports",
        "--no-progress",
        "--formats",
        "html,ipynb",
    ]
    env = {**os.environ, "LIVING_LAB_TEST_SLEEP": "1.5", "LIVING_LAB_TEST_MARKERS": str(tmp_path)}
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and done < 2:
        time.sleep(0.3)
        m = mf.read_manifest(out / "manifest.json")
        done = sum(e.get("status") == "ok" for e in (m or {}).get("regions", {}).values())
    if done < 2:
        proc.kill()
        pytest.fail("the batch did not get going")
    family = descendants(proc.pid)
    assert len(family) >= 4  # two workers, two kernels
    return proc, argv, env, family


def check_rerun_finishes_only_the_rest(
    out: Path, argv: list[str], env: dict, finished: set[str]
) -> None:
    env = {k: v for k, v in env.items() if k != "LIVING_LAB_TEST_SLEEP"}
    rerun = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 1  # 3204 fails on purpose
    m = mf.read_manifest(out / "manifest.json")
    statuses = {code: e["status"] for code, e in m["regions"].items()}
    assert len(statuses) == 10 and statuses["3204"] == "failed"
    assert sum(s == "skipped" for s in statuses.values()) == len(finished - {"3204"})
    assert all(s in {"ok", "skipped"} for code, s in statuses.items() if code != "3204")


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_keeps_finished_reports_and_a_valid_manifest(tmp_path, sig):
    out = tmp_path / "out"
    proc, argv, env, family = start_slow_batch(tmp_path)
    try:
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "dihentikan" in err  # the CLI speaks Indonesian by default ("interrupted" in English)
    m = mf.read_manifest(out / "manifest.json")
    assert m is not None and m["batch"]["status"] == "interrupted"
    finished = {code for code, e in m["regions"].items() if e["status"] == "ok"}
    assert 2 <= len(finished) < 10
    for code in finished:
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["region"] == code
        assert (out / "regions" / f"{code}.html").stat().st_size > 0
    assert not list(out.rglob(".*.tmp"))
    # No worker process or kernel outlived the run.
    time.sleep(2)
    assert [pid for pid in family if running(pid)] == []
    # The re-run finishes only what is missing.
    check_rerun_finishes_only_the_rest(out, argv, env, finished)


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    "burst",
    [[signal.SIGINT] * 6, [signal.SIGTERM, signal.SIGINT, signal.SIGTERM, signal.SIGINT]],
    ids=["six-SIGINT", "TERM-INT-TERM-INT"],
)
def test_a_burst_of_signals_stops_the_batch_once_and_cleanly(tmp_path, burst):
    out = tmp_path / "out"
    proc, argv, env, family = start_slow_batch(tmp_path)
    try:
        for sig in burst:
            proc.send_signal(sig)
            time.sleep(0.02)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.splitlines()[-1] == "living-lab reports: dihentikan"
    m = mf.read_manifest(out / "manifest.json")
    assert m is not None and m["batch"]["status"] == "interrupted"
    finished = {code for code, e in m["regions"].items() if e["status"] == "ok"}
    assert len(finished) >= 2
    time.sleep(2)
    assert [pid for pid in family if running(pid)] == []
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.kernel
def test_sigkill_of_the_runner_loses_nothing_finished(tmp_path):
    out = tmp_path / "out"
    proc, argv, env, family = start_slow_batch(tmp_path)
    proc.kill()  # SIGKILL: no cleanup code runs in the runner
    proc.communicate(timeout=30)
    # Workers notice their parent is gone and take their kernels with them.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(running(pid) for pid in family):
        time.sleep(0.5)
    assert [pid for pid in family if running(pid)] == []
    m = mf.read_manifest(out / "manifest.json")
    assert m is not None and m["batch"]["status"] == "running"  # it never got to say otherwise
    finished = {code for code, e in m["regions"].items() if e["status"] == "ok"}
    assert len(finished) >= 2
    for code in finished:
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["region"] == code
    # Every report file present is complete (a killed write leaves only a hidden .tmp file).
    for path in (out / "regions").glob("*.ipynb"):
        nbformat.read(path, as_version=4)
    check_rerun_finishes_only_the_rest(out, argv, env, finished)
    assert not list(out.rglob(".*.tmp"))  # the re-run removed any leftovers


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.integration
def test_a_killed_pool_worker_loses_no_report(tmp_path):
    out = tmp_path / "out"
    proc, argv, env, family = start_slow_batch(tmp_path)
    # A pool worker: a spawned child of the runner (the other child is the resource tracker).
    workers = [pid for pid in _direct_children(proc.pid) if b"spawn_main" in _cmdline(pid)]
    assert len(workers) == 2
    victim = workers[0]
    kernel_of_victim = set(_direct_children(victim))
    assert kernel_of_victim
    os.kill(victim, signal.SIGKILL)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 1, err  # 3204 fails on purpose; every other report is written
    assert "Traceback" not in err
    m = mf.read_manifest(out / "manifest.json")
    assert m["batch"]["status"] == "finished"
    statuses = {code: e["status"] for code, e in m["regions"].items()}
    assert statuses.pop("3204") == "failed"
    assert set(statuses.values()) == {"ok"} and len(statuses) == 9
    for code in statuses:
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["region"] == code
    # The killed worker's kernel did not outlive it.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(running(pid) for pid in kernel_of_victim):
        time.sleep(0.5)
    assert [pid for pid in kernel_of_victim if running(pid)] == []
    assert not list(out.rglob(".*.tmp"))


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _direct_children(pid: int) -> list[int]:
    table = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    return [c for c, p in (map(int, line.split()) for line in table.splitlines()) if p == pid]


@pytest.mark.kernel
def test_progress_bar_shows_done_failed_and_left(executor, tmp_path, capsys):
    out = tmp_path / "out"
    params = validate(
        {"out": str(out), "regions": "3211,3204", "cohort_reports": "false"}, config=CONFIG
    )
    summary = run_batch(
        params, config=CONFIG, executor=executor, progress=True, echo=lambda s: None
    )
    assert (summary.ok, summary.failed) == (1, 1)
    err = capsys.readouterr().err
    # In the reports' language (Bahasa Indonesia by default).
    assert "laporan: 100%" in err and "2/2" in err
    assert "berhasil 1 gagal 1 sisa 0" in err
    # The failure's sentence too; the notebook's own words (the exception) are quoted as they are.
    assert "gagal: 3204 Kabupaten Bandung: sel 3 gagal: ValueError: deliberate failure" in err


@pytest.mark.parametrize(
    "module",
    [
        "living_lab.report.manifest",
        "living_lab.report.pool",
        "living_lab.report.runner",
        "living_lab.report.failures",
    ],
)
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
