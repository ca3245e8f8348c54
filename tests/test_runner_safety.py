"""The runner and an untrusted output folder: links, foreign files, environment faults, reruns.

Everything in ``--out`` that the running batch did not just write is untrusted. These tests plant
symbolic links, folders and foreign temporary files where the runner writes, simulate a full
disk, damage finished reports, and check that the runner writes only regular files inside the
folder, deletes only its own temporary files, goes on after a failed write and says how many
reports were not written, and reruns a report whose files are not complete.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import nbformat
import pytest

from living_lab import cli, paths
from living_lab.report import outdir
from living_lab.report.executors import LocalExecutor
from living_lab.report.outdir import OutputFolder, OutputFolderError
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.runner import host_options, run_batch

FIXTURES = paths.ROOT / "tests" / "fixtures" / "runner"
CONFIG = load_notebook_config(FIXTURES / "notebooks.yaml")


@pytest.fixture(scope="module")
def executor(tmp_path_factory):
    """Two warm kernels in worker processes, shared by the tests of this module."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LIVING_LAB_TEST_MARKERS", str(tmp_path_factory.mktemp("markers")))
    ex = LocalExecutor(2, host_options(CONFIG))
    ex.start()
    yield ex
    ex.close()
    patch.undo()


def batch(executor, out: Path, config=CONFIG, **cli_values):
    messages: list[str] = []
    # The executed notebooks are opt-in; these tests read them.
    params = validate(
        {"out": str(out), "cohort_reports": False, "formats": "html,ipynb", **cli_values},
        config=config,
    )
    summary = run_batch(
        params, config=config, executor=executor, progress=False, echo=messages.append
    )
    return summary, messages


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# --------------------------------------------------------------------------------------------
# The output folder on its own (no kernels)


def test_a_symlinked_subfolder_is_refused_and_nothing_lands_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "regions").symlink_to(outside)
    with OutputFolder(out) as folder:
        with pytest.raises(OutputFolderError, match=r"regions is a symbolic link; refusing"):
            folder.check()
        # Even unchecked, a write refuses to go through the link.
        with pytest.raises(OutputFolderError, match=r"regions is a symbolic link or not a folder"):
            folder.write_text("regions/3211.html", "<p>x")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("kind", ["folder", "symlink", "fifo"])
def test_only_regular_files_are_replaced(tmp_path, kind):
    out = tmp_path / "out"
    (out / "regions").mkdir(parents=True)
    target = out / "regions" / "3211.html"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    if kind == "folder":
        target.mkdir()
    elif kind == "symlink":
        target.symlink_to(victim)
    else:
        os.mkfifo(target)
    with OutputFolder(out) as folder, pytest.raises(OutputFolderError, match="refusing to replace"):
        folder.write_text("regions/3211.html", "<p>new")
    assert victim.read_text() == "keep me"
    assert not target.is_file() or target.is_symlink()


def test_only_the_previous_batchs_temporary_files_are_deleted(tmp_path):
    out = tmp_path / "out"
    (out / "regions").mkdir(parents=True)
    users = [out / ".notes.tmp", out / "regions" / ".draft.html.tmp", out / "keep.tmp"]
    for path in users:
        path.write_text("the user's")
    ours = out / "regions" / ".3211.html.0123456789ab.tmp"
    ours.write_text("half a report")
    other_run = out / "regions" / ".3211.html.ba9876543210.tmp"
    other_run.write_text("not the previous batch")
    with OutputFolder(out) as folder:
        assert folder.remove_temp(["0123456789ab"]) == 1
        assert folder.remove_temp(["../../etc", ".*"]) == 0  # ids are checked, never patterns
    assert not ours.exists()
    assert all(p.read_text() == "the user's" for p in users) and other_run.exists()


def test_the_lock_is_on_the_folder_so_deleting_a_lock_file_changes_nothing(tmp_path):
    first = OutputFolder(tmp_path)
    first.lock()
    try:
        for stale in tmp_path.glob(".lock"):
            stale.unlink()
        second = OutputFolder(tmp_path)
        with pytest.raises(OutputFolderError, match="being written by another"):
            second.lock()
        second.close()
        assert not (tmp_path / ".lock").exists()  # no lock file to delete or to plant a link as
    finally:
        first.close()
    again = OutputFolder(tmp_path)
    again.lock()  # released with the first run
    again.close()


def test_a_dangling_out_link_is_one_line(tmp_path):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "gone")
    with pytest.raises(OutputFolderError, match=r"^out: .*out is a symbolic link to a folder that"):
        OutputFolder(link)
    assert not (tmp_path / "gone").exists()


def test_is_complete_needs_the_recorded_size_and_checksum(tmp_path):
    with OutputFolder(tmp_path) as folder:
        record = folder.write_text("regions/3211.html", "<p>complete report</p>")
        assert folder.is_complete("regions/3211.html", record)
        (tmp_path / "regions" / "3211.html").write_text("")
        assert not folder.is_complete("regions/3211.html", record)
        (tmp_path / "regions" / "3211.html").write_text("<p>complete report</P>")  # same size
        assert not folder.is_complete("regions/3211.html", record)
        assert not folder.is_complete("regions/3211.html", None)


# --------------------------------------------------------------------------------------------
# Batches into a hostile or failing folder


@pytest.mark.kernel
def test_a_lock_file_link_creates_nothing_outside(executor, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside-lock"
    (out / ".lock").symlink_to(outside)
    summary, _ = batch(executor, out, regions="3211")
    assert summary.ok == 1 and summary.exit_code == 0
    assert not outside.exists()


@pytest.mark.kernel
def test_foreign_tmp_files_survive_a_batch(executor, tmp_path):
    out = tmp_path / "out"
    (out / "regions").mkdir(parents=True)
    mine = out / "regions" / ".my-notes.tmp"
    mine.write_text("draft")
    summary, _ = batch(executor, out, regions="3211")
    assert summary.ok == 1
    assert mine.read_text() == "draft"
    assert manifest(out)["batch"]["run_id"]


@pytest.mark.kernel
def test_a_folder_where_a_report_belongs_is_not_written_and_the_batch_goes_on(executor, tmp_path):
    out = tmp_path / "out"
    (out / "regions" / "3273.html").mkdir(parents=True)
    summary, messages = batch(executor, out, regions="3211,3273,3201")
    assert summary.ok == 2 and summary.not_written == 1 and summary.exit_code == 2
    assert "3273.html is a folder; refusing to replace it" in summary.write_error
    m = manifest(out)
    assert m["regions"]["3273"]["status"] == "failed"
    # In the reports' language (Bahasa Indonesia by default).
    assert m["regions"]["3273"]["error"].startswith("tidak dapat ditulis: ")
    assert m["batch"]["counts"]["not_written"] == 1
    for code in ("3211", "3201"):
        nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
    assert (out / "regions" / "3273.html").is_dir()  # left as it was


@pytest.mark.kernel
def test_a_full_disk_does_not_stop_the_batch_and_says_how_many(executor, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write = OutputFolder.write_bytes
    written: list[str] = []

    def full_after_two_reports(self, rel, data, **kw):
        if rel.startswith("regions/") and len(written) >= 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        record = write(self, rel, data, **kw)
        if rel.startswith("regions/"):
            written.append(rel)
        return record

    monkeypatch.setattr(OutputFolder, "write_bytes", full_after_two_reports)
    summary, _ = batch(executor, out, regions="3211,3273,3201,3202,3203")
    assert summary.ok == 2 and summary.not_written == 3
    assert "disk full" in summary.write_error and summary.exit_code == 2
    m = manifest(out)  # still valid, and it lists every report
    assert len(m["regions"]) == 5
    assert sum(e["status"] == "ok" for e in m["regions"].values()) == 2
    assert not list(out.rglob(".*.tmp"))  # the failed writes left no temporary file


@pytest.mark.slow  # builds a whole cohort context in-process
def test_the_command_says_how_many_were_not_written(monkeypatch, capsys, tmp_path):
    from living_lab.report import runner
    from living_lab.report.runner import BatchSummary

    def fake_run_batch(params, *, config, progress, on_start):
        on_start()
        return BatchSummary(
            out=params.out,
            manifest=params.out / "manifest.json",
            index=None,
            ok=20,
            failed=7,
            not_written=7,
            write_error=f"{params.out}/regions/3211.html: disk full",
            write_fault=(params.out / "regions/3211.html", OSError(errno.ENOSPC, "No space")),
        )

    monkeypatch.setattr(runner, "run_batch", fake_run_batch)
    status = cli.main(["reports", "--out", str(tmp_path / "out"), "--no-progress"])
    out, err = capsys.readouterr()
    assert status == 2
    last = err.splitlines()[-1]
    # In the command line's language (Bahasa Indonesia by default), the fault too.
    assert last.startswith(
        "living-lab reports: galat: --out: 7 laporan yang sudah selesai tidak dapat ditulis ("
    )
    assert "3211.html: disk penuh); 20 laporan tertulis dan tetap disimpan di" in last
    assert "Traceback" not in err


@pytest.mark.kernel
def test_damaged_reports_are_rerun(executor, tmp_path, monkeypatch):
    from living_lab import datasets
    from living_lab.results import context

    monkeypatch.setattr(context, "library_fingerprint", lambda: "0.1.0+test")
    monkeypatch.setattr(datasets, "data_version", lambda: "data-test")
    out = tmp_path / "out"
    first, _ = batch(executor, out, regions="3211,3273,3201")
    assert first.ok == 3
    (out / "regions" / "3211.html").write_text("")  # emptied
    nb = out / "regions" / "3273.ipynb"
    nb.write_bytes(nb.read_bytes()[:-200])  # truncated
    again, _ = batch(executor, out, regions="3211,3273,3201")
    assert (again.ok, again.skipped) == (2, 1)
    regions = manifest(out)["regions"]
    assert regions["3201"]["status"] == "skipped"
    assert regions["3211"]["status"] == regions["3273"]["status"] == "ok"
    assert (out / "regions" / "3211.html").stat().st_size > 1000
    nbformat.read(nb, as_version=4)


@pytest.mark.kernel
def test_a_notebook_set_without_a_year_still_gets_its_index(executor, tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('region = "3211"', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell('print("summary of", region)'),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, folder / "plain.ipynb")
    (folder / "notebooks.yaml").write_text(
        "notebook_dir: .\nkernel: python3\nregion_notebook: plain.ipynb\ntimeout: 60\n"
    )
    config = load_notebook_config(folder / "notebooks.yaml")
    out = tmp_path / "out"
    summary, _ = batch(executor, out, config=config, regions="3211,3273")
    assert (summary.ok, summary.exit_code, summary.index_error) == (2, 0, None)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="regions/3273.html"' in page and "None" not in page


def test_jobs_are_capped_by_the_number_of_reports():
    params = validate({"regions": "3211", "jobs": "8", "cohort_reports": False}, config=CONFIG)
    assert params.jobs == 1
    params = validate({"regions": "3211,3273", "jobs": "8"}, config=CONFIG)
    assert params.jobs == 3  # two regions and one cohort notebook


@pytest.mark.parametrize("value", ["1e300", "inf", "nan", "86401"])
def test_timeouts_are_bounded(value):
    from living_lab.errors import ParameterError

    with pytest.raises(
        ParameterError, match=r"^timeout: expected (seconds above 0 and at most 86400|a number)"
    ):
        validate({"regions": "3211", "timeout": value}, config=CONFIG)


def test_outdir_docstring_example():
    import doctest

    assert doctest.testmod(outdir).failed == 0


@pytest.mark.kernel
def test_formats_html_writes_no_notebook_and_asking_for_it_reruns(executor, tmp_path, monkeypatch):
    from living_lab import datasets
    from living_lab.results import context

    monkeypatch.setattr(context, "library_fingerprint", lambda: "0.1.0+test")
    monkeypatch.setattr(datasets, "data_version", lambda: "data-test")
    out = tmp_path / "out"
    both, _ = batch(executor, out, regions="3211,3273")
    sizes = {p.name: p.stat().st_size for p in (out / "regions").iterdir()}
    html_only, _ = batch(executor, out, regions="3211,3273", formats="html", force=True)
    assert (both.ok, html_only.ok) == (2, 2)
    assert sorted(p.name for p in (out / "regions").iterdir()) == ["3211.html", "3273.html"]
    m = manifest(out)
    assert m["batch"]["formats"] == ["html"] and m["regions"]["3211"]["ipynb"] is None
    assert set(m["regions"]["3211"]["files"]) == {"html"}
    # The HTML alone is about half of the folder (the figures are in each file).
    assert sum(v for k, v in sizes.items() if k.endswith(".html")) < 0.6 * sum(sizes.values())
    skipped, _ = batch(executor, out, regions="3211", formats="html")
    assert skipped.skipped == 1
    again, _ = batch(executor, out, regions="3211", formats="html,ipynb")
    assert again.ok == 1  # the notebook was asked for and is missing: run again
    nbformat.read(out / "regions" / "3211.ipynb", as_version=4)


def test_a_default_batch_writes_html_only_and_notebooks_on_request():
    assert validate({"regions": "3211"}, config=CONFIG).formats == ("html",)
    both = validate({"regions": "3211", "formats": "html,ipynb"}, config=CONFIG)
    assert both.formats == ("html", "ipynb")


@pytest.mark.parametrize("value", ["ipynb", "html,pdf", "html,html"])
def test_formats_must_include_html_once(value):
    from living_lab.errors import ParameterError

    with pytest.raises(ParameterError, match=r"^formats: expected 'html' or 'html,ipynb'"):
        validate({"regions": "3211", "formats": value}, config=CONFIG)


def test_terminal_escapes_in_a_cohort_title_never_reach_the_terminal(monkeypatch, capsys, tmp_path):
    from living_lab.report import runner
    from living_lab.report.runner import BatchSummary

    (tmp_path / "cohort.yaml").write_text(
        'title: "\\e[2J\\e[31mJawa Barat\\e[0m"\nregions: [3211, 3273]\n', encoding="utf-8"
    )

    def fake_run_batch(params, *, config, progress, on_start):
        on_start()
        return BatchSummary(out=params.out, manifest=params.out / "manifest.json", index=None)

    monkeypatch.setattr(runner, "run_batch", fake_run_batch)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["reports", "--cohort", "cohort.yaml", "--out", "out", "--no-progress"])
    err = capsys.readouterr().err
    assert status == 0
    # Escape sequences are stripped (living_lab.escape.terminal_text), the title's text stays.
    assert "\x1b" not in err and "Jawa Barat" in err and "[31m" not in err


class _HostileExecutor:
    """Every task fails with an error text full of terminal control sequences."""

    def start(self) -> None: ...

    def set_context(self, path) -> None: ...

    def run(self, tasks, on_result, *, should_stop) -> None:
        from living_lab.report.pool import TaskResult

        for task in tasks:
            error = "cell 3: ValueError: \x1b[2J\x1b]0;owned\x07"
            on_result(
                TaskResult(id=task.id, status="failed", attempts=1, duration_s=0.1, error=error)
            )

    def interrupt(self) -> None: ...

    def close(self) -> None: ...


@pytest.mark.slow  # builds a whole cohort context in-process
def test_failure_lines_carry_no_terminal_escapes(tmp_path):
    summary, messages = batch(_HostileExecutor(), tmp_path / "out", regions="3204")
    assert summary.failed == 1 and len(messages) == 1
    assert "\x1b" not in messages[0] and "\x07" not in messages[0]
    # The sequences are stripped, not shown: nothing of them reaches the terminal.
    assert messages[0].endswith("ValueError:") and "owned" not in messages[0]
    # The manifest keeps the error as it was (JSON escapes it); the index escapes it for HTML.
    assert manifest(tmp_path / "out")["regions"]["3204"]["error"].endswith("\x07")


def test_an_interrupted_context_save_is_cleaned_but_nothing_else(tmp_path):
    import re

    (tmp_path / "_context").mkdir()
    ours = tmp_path / "_context" / ".jawa-barat-2024-abc.pkl.k2j4_9xq.tmp"
    theirs = [tmp_path / "_context" / ".other.pkl.k2j4_9xq.tmp", tmp_path / "_context" / "x.tmp"]
    for path in (ours, *theirs):
        path.write_text("partial")
    name = re.escape("jawa-barat-2024-abc.pkl")
    with OutputFolder(tmp_path) as folder:
        n = folder.remove_matching("_context", re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}\.tmp$"))
    assert n == 1 and not ours.exists() and all(p.exists() for p in theirs)


def test_a_library_batch_gives_the_signal_handlers_back(tmp_path):
    import signal

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    batch(_HostileExecutor(), tmp_path / "out", regions="3204")
    assert {s: signal.getsignal(s) for s in before} == before
