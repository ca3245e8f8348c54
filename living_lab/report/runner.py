"""Run a batch of region and cohort reports: plan, share the cohort context, execute, write.

:func:`run_batch` is what ``living-lab reports`` does:

1. with ``--executor dask``, connect to the scheduler first (an address error ends the run
   before anything is written); open the output folder (:mod:`living_lab.report.outdir`: no
   links followed, only regular files replaced), lock it, and delete the temporary files the
   previous batch left behind (only those: their names carry its run id);
2. plan: for each report, the parameters its notebook declares and an input hash
   (:func:`living_lab.report.manifest.input_hash`); a report whose hash is unchanged and whose
   files are complete (size and SHA-256 as recorded) is ``skipped`` unless ``force``;
3. start the fork servers (they warm up in the background) and meanwhile build the cohort context
   once (``context.build_context``) and save it as the results folder
   ``results/<cohort>-<year>/`` (CSV tables and ``meta.json``; reused when it is intact and of
   the same inputs, rebuilt when damaged, foreign or ``force``);
4. execute the notebooks (cohort-level ones first: they take longest; the linkage study computes
   its numbers through the results layer inside its own task, in parallel with the region
   reports, and stores them in ``results/linkage-study/``) and, as each finishes,
   write its ``.ipynb`` and ``.html`` atomically, update ``manifest.json`` (atomically) and,
   every few seconds, ``index.html``;
5. on Ctrl-C or SIGTERM (any burst of them, :mod:`living_lab.report.interrupts`): kill the
   report processes, keep every finished report, leave a valid manifest marked ``interrupted`` and
   re-raise (the command exits 130); a re-run finishes only what is missing.

A report whose files cannot be written (disk full, read-only, a folder where its file belongs)
is recorded as not written and the batch goes on; :attr:`BatchSummary.write_error` says why and
the command exits 2 naming how many were not written.

Output folder::

    index.html  manifest.json  regions/<code>.ipynb|.html|.csv  cohort/<stem>.ipynb|.html
    results/<cohort>-<year>/  results/linkage-study/
    _failed/<code or stem>.ipynb (executed notebook of a failed report)

File names come from validated region codes and notebook stems only.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from living_lab.cli import one_line
from living_lab.errors import LivingLabError
from living_lab.report.interrupts import INTERRUPTS
from living_lab.report.manifest import Manifest, input_hash, now_iso
from living_lab.report.outdir import FileRecord, OutputFolder, OutputFolderError, describe, reason
from living_lab.report.params import NotebookConfig, ReportParams
from living_lab.report.pool import HostOptions, PoolError, Task, TaskResult, notebook_imports
from living_lab.text import LANGS, t


def _cohort_page_title(cohort: Any, stem: str, lang: str) -> str:
    """The browser tab title of a cohort page, in the report's language ("Jawa Barat: Ikhtisar kohort")."""
    lang = lang if lang in LANGS else "id"
    try:
        kind = t(f"report.index.cohort.{stem}", lang)  # type: ignore[arg-type]
    except KeyError:
        kind = stem.replace("_", " ")
    return f"{cohort.title_en if lang == 'en' else cohort.title}: {kind}"


#: Stem of the cohort notebook every region report links back to.
COHORT_OVERVIEW = "cohort_overview"
#: Seconds between index.html rewrites during a batch (it is always written at the end).
INDEX_EVERY_S = 5.0


#: The progress bar's layout without tqdm's own rate ("1.23nb/s": a decimal point and a unit
#: in English whatever the language): the rate is in the reports' words (:func:`progress_text`).
BAR_FORMAT = (
    "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
)


def progress_text(lang: str, *, ok: int, failed: int, left: int, done: int, elapsed: float) -> str:
    """The progress bar's words after its counts, in ``lang``: succeeded, failed and left, and
    reports per second once one is done (the language's number format).

    Examples
    --------
    >>> progress_text("id", ok=3, failed=1, left=2, done=4, elapsed=3.2)
    'berhasil 3 gagal 1 sisa 2, 1,2 laporan/detik'
    >>> progress_text("en", ok=3, failed=1, left=2, done=0, elapsed=3.2)
    'ok 3 failed 1 left 2'
    """
    text = t("cli.reports.bar_counts", lang, ok=ok, failed=failed, left=left)  # type: ignore[arg-type]
    if done and elapsed > 0:
        text += t("cli.reports.bar_rate", lang, rate=done / elapsed)  # type: ignore[arg-type]
    return text


class BatchError(LivingLabError):
    """The batch could not run at all (e.g. no fork server would start); exit status 1."""

    exit_code = 1


@dataclass
class BatchSummary:
    """Outcome of :func:`run_batch`."""

    out: Path
    manifest: Path
    index: Path | None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: bool = False
    duration_s: float = 0.0
    failures: list[tuple[str, str]] = field(default_factory=list)
    index_error: str | None = None
    #: Reports executed but not written (environment fault), and the first fault.
    not_written: int = 0
    write_error: str | None = None
    #: Where the first fault was met and the error itself (to say it in the user's language).
    write_fault: tuple[Path, BaseException] | None = None

    @property
    def exit_code(self) -> int:
        """2 when files could not be written; 1 when a report failed (or the index); else 0."""
        if self.write_error:
            return 2
        return 1 if self.failed or self.index_error else 0

    def line(self, lang: str = "en") -> str:
        """The closing line of ``living-lab reports`` in ``lang``: counts, seconds, where."""
        values = dict(ok=self.ok, skipped=self.skipped, failed=self.failed, seconds=self.duration_s)
        text = t("cli.reports.summary", lang, out=self.out, **values)  # type: ignore[arg-type]
        if self.index is not None:
            text += t("cli.reports.summary_index", lang, index=self.index)  # type: ignore[arg-type]
        return text


@dataclass
class _Planned:
    task: Task
    entry: dict[str, Any]


def _outputs_complete(
    out: OutputFolder, folder: str, key: str, entry: dict[str, Any], formats: tuple[str, ...]
) -> bool:
    """Whether a previous entry's files in ``formats`` are there and complete (size, checksum)."""
    files = entry.get("files")
    if not isinstance(files, dict):
        return False
    return all(
        out.is_complete(f"{folder}/{key}.{ext}", FileRecord.from_dict(files.get(ext)))
        for ext in formats
    )


def host_options(config: NotebookConfig) -> HostOptions:
    """Report-process options of a batch: its kernelspec, and every module the notebooks import."""
    preload = list(config.preload)
    for nb in (config.region, *config.cohort):
        if nb.exists():
            preload += notebook_imports(nb.read_text(encoding="utf-8"))
    return HostOptions(
        kernel_name=config.kernel_name,
        preload=tuple(dict.fromkeys(preload)),
        # Fork servers load the batch's results and pay first-use costs once; every report
        # process forked afterwards inherits them.
        prepare="living_lab.report.warmup:warm_up",
    )


def run_batch(
    params: ReportParams,
    *,
    config: NotebookConfig,
    executor: Any | None = None,
    progress: bool | None = None,
    echo: Callable[[str], None] | None = None,
    on_start: Callable[[], None] | None = None,
) -> BatchSummary:
    """Run the reports of ``params`` into ``params.out``.

    Parameters
    ----------
    params : validated parameters (:func:`living_lab.report.params.validate`).
    config : the notebooks to run (:func:`living_lab.report.params.load_notebook_config`).
    executor : an executor to use (and leave open), e.g. a pool shared by tests; by default one
        is made from ``params`` and closed at the end.
    progress : show a progress bar on stderr (default: when stderr is a terminal).
    echo : where to print failures (default: stderr).
    on_start : called once the folder is checked and locked, before any report runs.
    """
    t0 = time.monotonic()
    previous = INTERRUPTS.install()
    try:
        return _run_batch(params, config, executor, progress, echo, on_start, t0)
    finally:
        INTERRUPTS.restore(previous)


def _run_batch(
    params: ReportParams,
    config: NotebookConfig,
    executor: Any | None,
    progress: bool | None,
    echo: Callable[[str], None] | None,
    on_start: Callable[[], None] | None,
    t0: float,
) -> BatchSummary:
    own = executor is None
    if own and params.executor == "dask":
        # Connect before anything is written: a bad address leaves no folder behind.
        from living_lab.report.executors import make_executor

        executor = make_executor(
            "dask", jobs=params.jobs, options=host_options(config), scheduler=params.scheduler
        )
        executor.start()
    try:
        with OutputFolder(Path(params.out)) as out:
            out.check()
            out.lock()
            if on_start is not None:
                on_start()
            return _Batch(params, config, out, executor, own, progress, echo, t0).run()
    except BaseException:
        if own and executor is not None:
            executor.close()
        raise


class _Batch:
    def __init__(
        self,
        params: ReportParams,
        config: NotebookConfig,
        folder: OutputFolder,
        executor: Any | None,
        own_executor: bool,
        progress: bool | None,
        echo: Callable[[str], None] | None,
        t0: float,
    ) -> None:
        self.params = params
        self.config = config
        self.folder = folder
        self.out = folder.path
        self.own_executor = own_executor
        self.executor = executor
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.echo = echo or (lambda s: print(s, file=sys.stderr))
        self.t0 = t0
        self.planned: dict[str, _Planned] = {}
        self.summary = BatchSummary(out=self.out, manifest=self.out / "manifest.json", index=None)
        self._last_index = 0.0
        self._bar: Any = None
        #: Seconds from the start of the batch to the end of each phase (in the manifest).
        self.phases: dict[str, float] = {}

    def _phase(self, name: str) -> None:
        self.phases[name] = round(time.monotonic() - self.t0, 3)

    # -- planning ---------------------------------------------------------------------------

    def run(self) -> BatchSummary:
        from living_lab import __version__, datasets
        from living_lab.cohorts import load_cohort
        from living_lab.results.context import context_key, library_fingerprint, results_folder

        p = self.params
        cohort = load_cohort(p.cohort)
        self.cohort = cohort
        self.data_version = datasets.data_version()
        self.library = library_fingerprint()
        values = p.notebook_values
        self.manifest = Manifest(
            self.folder,
            {
                # The cohort as given (a name, or the path of a cohort file), so that
                # load_cohort(manifest["cohort"]) finds it again.
                "cohort": p.cohort,
                "cohort_name": cohort.name,
                "cohort_title": cohort.title,
                "cohort_title_en": cohort.title_en,
                "year": values.get("year"),
                "lang": values.get("lang"),
                "maps": values.get("maps", True),
                "target": values.get("target"),
                "target_year": values.get("target_year"),
                "library_version": __version__,
                "library_fingerprint": self.library,
                "data_version": self.data_version,
                "batch": {
                    "status": "running",
                    "run_id": self.folder.run_id,
                    "started": now_iso(),
                    "regions": list(p.regions),
                    "executor": p.executor,
                    "formats": list(p.formats),
                    "jobs": p.jobs,
                },
            },
        )
        # Only the previous batch's temporary files: nothing else in the folder is ours.
        self.folder.remove_temp([self.manifest.previous_batch.get("run_id")])
        self.context_path: Path | None = None
        ctx_args = (p.cohort, values.get("year"), values.get("target"), values.get("target_year"))
        self.context_args = ctx_args
        # One context per cohort compared with: the batch's, and the default cohort of regions
        # whose peer group is not the batch's (see ReportParams.region_cohorts).
        self.contexts: dict[str, tuple[Path, tuple[Any, ...]]] = {}
        if all(a is not None for a in ctx_args):
            for name in dict.fromkeys([p.cohort, *(p.cohort_of(c) for c in p.regions)]):
                args = (name, *ctx_args[1:])
                folder = results_folder(self.out.resolve(), name, ctx_args[1])
                if any(folder == other for other, _ in self.contexts.values()):
                    # Two cohort files with the same name: the input hash tells them apart.
                    folder = folder.with_name(
                        f"{folder.name}-{context_key(*args, include=self._include(name))[-16:]}"
                    )
                self.contexts[name] = (folder, args)
            self.context_path = self.contexts[p.cohort][0]
        try:
            self._plan()
            self.manifest.save()
            self._phase("planned")
            if self.planned:
                self._execute()
        except KeyboardInterrupt:
            self.summary.interrupted = True
            self.manifest.data["batch"]["status"] = "interrupted"
            self._close(interrupt=True)
            self._finish()
            raise
        except BaseException:
            self._close(interrupt=True)
            self.manifest.data["batch"]["status"] = "aborted"
            self._save_manifest()
            raise
        self._close(interrupt=False)
        return self._finish()

    def _task(
        self,
        kind: str,
        key: str,
        notebook: Path,
        parameters: dict[str, Any],
        output: Path,
        title: str,
        page: dict[str, Any] | None = None,
    ) -> Task:
        return Task(
            id=f"{kind}/{key}",
            kind=kind,  # type: ignore[arg-type]
            key=key,
            notebook=notebook.read_text(encoding="utf-8"),
            input_path=str(notebook),
            output_path=str(output),
            parameters=parameters,
            title=title,
            timeout=self.params.timeout,
            page={"data_version": self.data_version, "index": "../index.html", **(page or {})},
        )

    def _cohort_overview_href(self, code: str) -> str | None:
        """Relative link from a region report to the batch's cohort overview, when the batch
        runs it and the region's peer group is the batch's cohort."""
        p = self.params
        runs = p.cohort_reports and any(
            nb.stem == COHORT_OVERVIEW and nb.exists() for nb in self.config.cohort
        )
        return (
            f"../cohort/{COHORT_OVERVIEW}.html" if runs and p.cohort_of(code) == p.cohort else None
        )

    def _input_hash(self, notebook: bytes, parameters: dict[str, Any]) -> str:
        """Hash of everything a report depends on (see :func:`input_hash`)."""
        from living_lab.cohorts import load_cohort

        cohort = parameters.get("cohort", self.params.cohort)
        cohort_regions = (
            self.cohort.regions if cohort == self.params.cohort else load_cohort(cohort).regions
        )
        return input_hash(
            notebook=notebook,
            parameters=parameters,
            cohort_regions=cohort_regions,
            data_version=self.data_version,
            library_version=self.library,
        )

    def _reuse_previous(
        self, done: dict[str, Any], key: str, prev: dict[str, Any] | None, h: str
    ) -> bool:
        """Record ``key`` as skipped in ``done`` when its previous run still stands.

        It stands when it succeeded (or was itself skipped), had the same input hash ``h`` and
        its files are still complete, unless ``--force`` asks for a rerun.
        """
        folder = "regions" if done is self.manifest.regions else "cohort"
        stands = (
            not self.params.force
            and prev
            and prev.get("status") in {"ok", "skipped"}
            and prev.get("input_hash") == h
            and _outputs_complete(self.folder, folder, key, prev, self.params.formats)
        )
        if not stands:
            return False
        done[key] = {**prev, "status": "skipped", "checked": now_iso()}
        self.summary.skipped += 1
        return True

    def _plan(self) -> None:
        from living_lab.regions import region_name

        p, m = self.params, self.manifest
        ctx = str(self.context_path) if self.context_path else ""
        nb_bytes = self.config.region.read_bytes()
        declared = self.config.declared(self.config.region)
        for code in p.regions:
            own = self.contexts.get(p.cohort_of(code))
            params = p.parameters_for(
                declared, region=code, context_path=str(own[0]) if own else ctx
            )
            h = self._input_hash(nb_bytes, params)
            name = region_name(code)
            prev = m.previous_regions.get(code)
            if self._reuse_previous(m.regions, code, prev, h):
                continue
            entry = {"name": name, "parameters": params, "input_hash": h}
            out_nb = self.out / "regions" / f"{code}.ipynb"
            page = {
                "cohort": self._cohort_overview_href(code),
                "csv": f"{code}.csv",
                "regions": list(p.regions),
            }
            task = self._task("region", code, self.config.region, params, out_nb, name, page)
            self.planned[task.id] = _Planned(task, entry)

        if not p.cohort_reports:
            return
        for nb in self.config.cohort:
            stem = nb.stem
            if not nb.exists():
                m.cohort_reports[stem] = {
                    "status": "failed",
                    "error": self._text("notebook_missing", path=nb),
                    "html": None,
                    "ipynb": None,
                    "finished": now_iso(),
                }
                self.summary.failed += 1
                self.summary.failures.append((stem, self._text("notebook_missing", path=nb)))
                continue
            declared = self.config.declared(nb)
            params = p.parameters_for(declared, context_path=ctx)
            h = self._input_hash(nb.read_bytes(), params)
            prev = m.previous_cohort.get(stem)
            if self._reuse_previous(m.cohort_reports, stem, prev, h):
                continue
            entry = {"name": stem, "parameters": params, "input_hash": h}
            title = _cohort_page_title(self.cohort, stem, str(p.notebook_values.get("lang", "id")))
            task = self._task(
                "cohort",
                stem,
                nb,
                params,
                self.out / "cohort" / f"{stem}.ipynb",
                title,
                {"csv": f"{stem}.csv", "xlsx": f"{stem}.xlsx"},
            )
            self.planned[task.id] = _Planned(task, entry)

    # -- executing --------------------------------------------------------------------------

    def _execute(self) -> None:
        from living_lab.report.executors import make_executor

        p = self.params
        if self.executor is None:
            # No more workers than reports to run.
            self.executor = make_executor(
                p.executor,
                jobs=max(1, min(p.jobs, len(self.planned))),
                options=host_options(self.config),
                scheduler=p.scheduler,
            )
        # Fork servers warm up while the context is built.
        self.executor.start()
        self._phase("executor_started")
        if p.force:
            from living_lab.results.linkage import FOLDER
            from living_lab.results.store import META

            # The linkage study stores its own results from its task; without their metadata
            # the folder is not reused, so --force recomputes them too.
            self.folder.unlink(f"results/{FOLDER}/{META}")
        needs_context = any("context_path" in pl.task.parameters for pl in self.planned.values())
        if needs_context and self.context_path is not None:
            self._build_context()
            self._phase("context_ready")
            self.executor.set_context(self.context_path)
        else:
            self.executor.set_context(None)

        # Cohort notebooks first: they are the longest, and would otherwise finish last alone.
        tasks = sorted(
            (pl.task for pl in self.planned.values()), key=lambda t: 0 if t.kind == "cohort" else 1
        )
        self.remaining = len(tasks)
        if self.progress:
            from tqdm import tqdm

            self._bar = tqdm(
                total=len(tasks),
                desc=self._text("bar"),
                bar_format=BAR_FORMAT,
                file=sys.stderr,
                dynamic_ncols=True,
            )
            self._bar_postfix()
        try:
            self.executor.run(tasks, self._on_result, should_stop=lambda: False)
        except PoolError as exc:
            # The pool's own words ("could not start the fork server: ...") become the sentence's; what
            # follows is the machine's error as Python gives it.
            detail = one_line(exc).removeprefix("could not start the fork server: ")
            raise BatchError.keyed("err.batch.no_kernel", error=detail) from None
        finally:
            if self._bar is not None:
                self._bar.close()
        self._phase("last_result")

    def _build_context(self) -> None:
        from living_lab.results.context import (
            build_context,
            context_key,
            load_context,
            save_context,
        )
        from living_lab.results.store import ResultsError

        assert self.context_path is not None
        self.folder.ensure_folder("results")  # inside --out, no links on the way
        for path, args in self.contexts.values():
            include = self._include(args[0])
            if not self.params.force:
                # Reused only if every file checks out and the key (arguments, data, code)
                # matches; a damaged, foreign or outdated folder is rebuilt, never trusted.
                with contextlib.suppress(ResultsError):
                    load_context(path, key=context_key(*args, include=include))
                    continue
            save_context(build_context(*args, include=include), path)

    def _include(self, cohort: str) -> tuple[str, ...]:
        """Regions never evaluated that the context of ``cohort`` must hold (their
        "belum dievaluasi" reports compare with the batch's cohort)."""
        p = self.params
        return tuple(c for c in p.unevaluated if p.cohort_of(c) == cohort)

    @property
    def _lang(self) -> str:
        """The reports' language (that of the command line's messages about them)."""
        lang = self.params.notebook_values.get("lang")
        return lang if lang in LANGS else "id"  # type: ignore[return-value]

    def _text(self, key: str, **values: object) -> str:
        """The command-line text ``cli.reports.<key>`` in the reports' language."""
        return t(f"cli.reports.{key}", self._lang, **values)  # type: ignore[arg-type]

    def _bar_postfix(self) -> None:
        if self._bar is not None:
            s, bar = self.summary, self._bar
            self._bar.set_postfix_str(
                progress_text(
                    self._lang,
                    ok=s.ok,
                    failed=s.failed,
                    left=self.remaining,
                    done=bar.n,
                    elapsed=bar.format_dict["elapsed"],
                )
            )

    def _on_result(self, result: TaskResult) -> None:
        if "first_result" not in self.phases:
            self._phase("first_result")
        with INTERRUPTS.hold():
            self._commit(result)
        if self._bar is not None:
            self._bar.update(1)
            self._bar_postfix()
        if time.monotonic() - self._last_index > INDEX_EVERY_S:
            self._write_index()

    def _commit(self, result: TaskResult) -> None:
        planned = self.planned[result.id]
        task = planned.task
        folder = "regions" if task.kind == "region" else "cohort"
        rel_nb = f"{folder}/{task.key}.ipynb"
        rel_html = f"{folder}/{task.key}.html"
        rel_failed = f"_failed/{task.key}.ipynb"
        status, error = result.status, result.error
        # What the reader sees: the failure in the reports' language (the English ``error``
        # stays in the manifest for logs).
        said = result.failure.text(self._lang) if result.failure is not None else error
        entry = {
            **planned.entry,
            "duration_s": round(result.duration_s, 3),
            "attempts": result.attempts,
            "finished": now_iso(),
        }
        if status == "ok":
            rel = rel_nb
            files: dict[str, Any] = {}
            keep_nb = "ipynb" in self.params.formats
            try:
                # The notebook first: a report's HTML never exists without its notebook.
                if keep_nb:
                    files["ipynb"] = self.folder.write_text(rel_nb, result.nb_json or "").to_dict()
                # The numbers before the page that links them.
                rel = f"{folder}/{task.key}.csv"
                files.update(self._write_downloads(folder, task, result))
                rel = rel_html
                files["html"] = self.folder.write_text(rel_html, result.html or "").to_dict()
                self.folder.unlink(rel_failed)
                if not keep_nb:
                    self.folder.unlink(rel_nb)  # an older run's notebook would not match
            except (OSError, OutputFolderError) as exc:
                status, error = "failed", self._not_written(rel, exc)
                said = error
            else:
                entry.update(html=rel_html, ipynb=rel_nb if keep_nb else None, files=files)
                self.summary.ok += 1
        entry.update(status=status, error=error)
        if status != "ok" and result.failure is not None:
            entry.update(result.failure.manifest_fields())
        if status != "ok":
            # A failed run never replaces a good report: its notebook goes to _failed/.
            entry.update(html=None, ipynb=None)
            if result.nb_json and result.status != "ok":
                try:
                    self.folder.write_text(rel_failed, result.nb_json)
                    entry["failed_ipynb"] = rel_failed
                except (OSError, OutputFolderError):
                    pass  # its error is in the manifest all the same
            self.summary.failed += 1
            self.summary.failures.append((task.key, said or "failed"))
            label = f"{task.key} {task.title}" if task.kind == "region" else task.key
            # Region names and errors come from data and notebooks: no control characters
            # (terminal escape sequences) reach the terminal.
            msg = one_line(self._text("failed_one", label=label, error=said))
            if self._bar is not None:
                self._bar.write(msg, file=sys.stderr)
            else:
                self.echo(msg)
        if result.worker:
            entry["worker"] = result.worker
        if result.timings:
            entry["timings"] = {k: round(v, 3) for k, v in result.timings.items()}
        if task.kind == "region":
            self.manifest.regions[task.key] = entry
        else:
            self.manifest.cohort_reports[task.key] = entry
        self.remaining -= 1
        self._save_manifest()

    def _write_downloads(self, folder: str, task: Task, result: TaskResult) -> dict[str, Any]:
        """Write a report's ``text/csv`` output as ``<folder>/<key>.csv`` (a cohort report's also
        as ``.xlsx``); their file records."""
        import nbformat

        from living_lab.report.downloads import csv_to_xlsx
        from living_lab.report.render import downloads

        if not result.nb_json:
            return {}
        found = downloads(nbformat.reads(result.nb_json, as_version=4))
        if not found:
            return {}
        files = {"csv": self.folder.write_text(f"{folder}/{task.key}.csv", found[0]).to_dict()}
        if task.page.get("xlsx"):
            data = csv_to_xlsx(found[0])
            files["xlsx"] = self.folder.write_bytes(f"{folder}/{task.key}.xlsx", data).to_dict()
        return files

    def _not_written(self, rel: str, exc: BaseException) -> str:
        """Count a finished report whose files could not be written; return its error text."""
        self.summary.not_written += 1
        if isinstance(exc, OutputFolderError):
            text = str(exc).removeprefix("out: ")
        else:
            text = f"{self.out / rel}: {reason(exc)}"  # type: ignore[arg-type]
        if self.summary.write_error is None:
            self.summary.write_error = text
            self.summary.write_fault = (self.out / rel, exc)
        return self._text("not_written", detail=describe(self.out / rel, exc, self._lang))

    def _save_manifest(self) -> None:
        """Save the manifest; if the folder refuses, the previous complete version stays."""
        try:
            self.manifest.save()
        except (OSError, OutputFolderError) as exc:
            if self.summary.write_error is None:
                self.summary.write_fault = (self.out / "manifest.json", exc)
                self.summary.write_error = (
                    str(exc)
                    if isinstance(exc, OutputFolderError)
                    else f"manifest.json: {reason(exc)}"
                )

    def _close(self, *, interrupt: bool) -> None:
        if self.executor is None or not self.own_executor:
            if interrupt and self.executor is not None:
                self.executor.interrupt()
            return
        try:
            if interrupt:
                self.executor.interrupt()
        finally:
            self.executor.close()

    # -- finishing --------------------------------------------------------------------------

    def _write_index(self) -> None:
        """Rewrite index.html; a failure is reported but never stops the reports."""
        self._last_index = time.monotonic()
        try:
            from living_lab.report.index_page import write_index

            self.summary.index = write_index(self.manifest.data, self.folder)
            self.summary.index_error = None
        except Exception as exc:
            if isinstance(exc, (OSError, OutputFolderError)):
                detail = describe(self.out / "index.html", exc, self._lang)
            elif isinstance(exc, LivingLabError):
                detail = exc.localized(self._lang)
            else:  # not the environment: a fault of the page itself, named as Python names it
                detail = f"{exc.__class__.__name__}: {exc}"
            message = one_line(self._text("index_not_written", error=detail.splitlines()[0]))
            if self.summary.index_error != message:
                self.echo(message)
            self.summary.index_error = message

    def _finish(self) -> BatchSummary:
        batch = self.manifest.data["batch"]
        if batch["status"] == "running":
            batch["status"] = "finished"
        batch["finished"] = now_iso()
        batch["counts"] = {
            "ok": self.summary.ok,
            "failed": self.summary.failed,
            "skipped": self.summary.skipped,
            "not_written": self.summary.not_written,
        }
        self._phase("finished")
        batch["phases_s"] = self.phases
        self._save_manifest()
        self._write_index()
        self.summary.duration_s = time.monotonic() - self.t0
        return self.summary
