"""Parameterised notebooks executed as papermill would, each in a fresh process, but fast.

Starting Python and importing pandas, statsmodels and matplotlib costs seconds; a report costs
well under one. So each :class:`ReportHost` starts a fork server once
(:mod:`living_lab.report.forkserver`, which imports the heavy libraries) and, per notebook, forks
a fresh process that has run no other report, executes the notebook in it through papermill's
own machinery (``parameterize_notebook``, its execution manager, and the papermill engine
``living-lab-forked`` registered here, whose cell loop follows ``PapermillNotebookClient``) and
kills it. The forked process runs the cells in ipykernel's shell and answers with the kernel's
messages (:mod:`living_lab.report.cellshell`), so the result is a normal papermill output
notebook (``metadata.papermill.parameters``, per-cell timings, papermill's error cells on
failure), equal to a fresh ``papermill`` run's; nothing is ever reset or reused.

Faults, per :func:`run_task`:

- a cell raises -> the task fails with that error (no retry: the same input fails again);
- the process dies (``os._exit``, a crash, out of memory) -> the task is retried once in a new
  process;
- the task runs past its wall-clock ``timeout`` -> the process group is killed and the task
  retried once in a new process.

:class:`ReportPool` runs tasks on N worker processes (spawned, so they share no state with the
caller), each owning one host and rendering the HTML next to it; the caller only receives
finished :class:`TaskResult` objects and writes them. The Dask executor
(:mod:`living_lab.report.executors`) runs the same :func:`run_task` on cluster workers.
"""

from __future__ import annotations

import ast
import logging
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from living_lab.report.engine import ENGINE_NAME, CellChannel, ChildGone, register_engine
from living_lab.report.failures import Failure, exception_detail, shortened
from living_lab.report.forkserver import ForkServer, ForkServerError
from living_lab.schema import avoid_slow_imports

log = logging.getLogger(__name__)

#: Seconds a report process has to connect (papermill's default kernel start timeout).
STARTUP_TIMEOUT = 60.0
#: Seconds a pool worker may run past a task's timeout before the pool replaces it.
KILL_GRACE = 30.0

TaskKind = Literal["region", "cohort"]
Status = Literal["ok", "failed"]


class ProcessFault(Exception):
    """The report process died or hung while running a notebook (the task may be retried).

    ``str()`` is the failure in English; ``failure`` is its structured form.
    """

    def __init__(self, failure: Failure, nb: Any = None) -> None:
        super().__init__(failure.text("en"))
        self.failure = failure
        self.nb = nb


class NotebookFailed(Exception):
    """A cell of the notebook raised (papermill's error cells are in ``nb``)."""

    def __init__(self, failure: Failure, nb: Any) -> None:
        super().__init__(failure.text("en"))
        self.failure = failure
        self.nb = nb


@dataclass(frozen=True)
class HostOptions:
    """How report processes are started.

    Attributes
    ----------
    kernel_name : the notebooks' ``kernelspec`` name, recorded by papermill (cells always run in
        this interpreter, the fork server's).
    preload : modules the fork server imports once (see :func:`notebook_imports`).
    cwd : working directory of the report processes (papermill runs notebooks in the caller's).
    env : extra environment variables for the report processes.
    startup_timeout : seconds a forked report process has to connect.
    prepare : ``"module:function"`` the fork server calls (once per distinct arguments) with
        the task parameters it accepts before forking a region task's process, when the task has
        a ``context_path`` (:func:`living_lab.report.warmup.warm_up`): it loads the batch's
        results and pays first-use costs in the server, so every forked process starts with them.
        Cohort tasks (few and long) are not held up by it.
    """

    kernel_name: str = "python3"
    preload: tuple[str, ...] = ()
    cwd: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    startup_timeout: float = STARTUP_TIMEOUT
    prepare: str | None = None


@dataclass(frozen=True)
class Task:
    """One notebook to execute and render.

    ``notebook`` is the source notebook's JSON text (so a remote worker needs no checkout);
    ``input_path`` and ``output_path`` are what papermill records in the output's metadata.
    """

    id: str
    kind: TaskKind
    key: str
    notebook: str
    input_path: str
    output_path: str
    parameters: dict[str, Any]
    title: str
    timeout: float
    retries: int = 1
    #: What the page shell needs from the batch: navigation links, downloads, data version
    #: (:func:`living_lab.report.render.render_html`'s ``page``).
    page: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskResult:
    """What a worker sends back: the executed notebook and its HTML (or the error).

    ``error`` is the failure in English (for logs); ``failure`` is its structured form, which
    the runner records and says in the reader's language.
    """

    id: str
    status: Status
    attempts: int
    duration_s: float
    nb_json: str | None = None
    html: str | None = None
    error: str | None = None
    worker: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    failure: Failure | None = None


# --------------------------------------------------------------------------------------------
# A fresh process per notebook


def notebook_imports(nb_json: str) -> list[str]:
    """Top-level modules a notebook imports (``import x.y``, ``from x.y import z`` -> ``x.y``).

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import numpy as np")])
    >>> notebook_imports(nbformat.writes(nb))
    ['numpy']
    """
    import nbformat

    nb = nbformat.reads(nb_json, as_version=4)
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # Magics and shell escapes are not Python; drop them before parsing.
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append(node.module)
    return list(dict.fromkeys(found))


def child_env(extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """Environment of the fork server and its report processes.

    Figures must show inline even when the caller sets ``MPLBACKEND=Agg`` (CI does): ipykernel
    only selects the inline backend when ``MPLBACKEND`` is unset. BLAS threads are limited to one
    because the pool already runs one report process per core.
    """
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.update(dict(extra))
    return env


class ReportHost:
    """Runs each notebook in a fresh process forked from a warm :class:`ForkServer`.

    The fork server imports the heavy libraries once; every :meth:`run` forks a new process,
    executes one notebook in it (:mod:`living_lab.report.cellshell`) and kills it, so no report
    sees another report's state and nothing needs resetting. :meth:`run` is synchronous and
    :meth:`kill` may be called from any thread (a signal handler's, a watchdog's).

    Examples
    --------
    >>> host = ReportHost(HostOptions(preload=("numpy",)))   # doctest: +SKIP
    >>> host.start()                                           # doctest: +SKIP
    >>> nb = host.run(task)                                    # doctest: +SKIP
    >>> host.shutdown()                                        # doctest: +SKIP
    """

    def __init__(self, options: HostOptions) -> None:
        self.options = options
        self.server: ForkServer | None = None
        #: Process id of the running report process, if any.
        self.pid: int | None = None
        #: Process id of the last report process forked (kept after it is gone).
        self.last_pid: int | None = None
        #: Report processes forked so far (one per notebook run).
        self.runs = 0
        self.preload_failed: list[str] = []
        self._killed = threading.Event()
        self._sockets: str | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the fork server and let it import the preload modules (blocking)."""
        self._env = child_env(self.options.env)
        # A private folder (mode 0700) for the sockets report processes connect to.
        self._sockets = tempfile.mkdtemp(prefix="living-lab-")
        self.server = ForkServer(self.options.preload, self._env, self.options.cwd or os.getcwd())
        self.preload_failed = self.server.preload_failed

    def _fork(self, connect_by: float, deadline: float) -> CellChannel:
        """Fork a report process; the connection to it (cells must finish by ``deadline``)."""
        assert self.server is not None and self._sockets is not None
        path = os.path.join(self._sockets, f"{self.runs}.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(path)
            listener.listen(1)
            self.pid = self.last_pid = self.server.fork(
                path, self.options.cwd or os.getcwd(), self._env
            )
            self.runs += 1
            while True:  # wait for the child to connect, or to die trying
                listener.settimeout(min(1.0, max(connect_by - time.monotonic(), 0.001)))
                try:
                    conn, _ = listener.accept()
                    break
                except TimeoutError:
                    if not self.alive:
                        raise ProcessFault(Failure("died_starting", self._exit_fields())) from None
                    if time.monotonic() >= connect_by:
                        raise
        finally:
            listener.close()
            os.unlink(path)
        conn.settimeout(None)
        return CellChannel(conn, deadline)

    @property
    def server_alive(self) -> bool:
        """Whether the fork server is still running."""
        return self.server is not None and self.server.proc.poll() is None

    @property
    def alive(self) -> bool:
        """Whether the current report process is still running."""
        if self.pid is None or self._killed.is_set() or self.server is None:
            return False
        try:
            return self.server.exit_code(self.pid) is None
        except ForkServerError:
            return False

    def _exit_fields(self, wait: float = 0.0) -> dict[str, Any]:
        """How the report process ended, as failure fields (``exit_status`` or ``signal``; none
        while it runs, or when we killed it); waits up to ``wait`` seconds for the fork server
        to collect its exit status."""
        if self.pid is None or self._killed.is_set() or self.server is None:
            return {}
        deadline = time.monotonic() + wait
        while True:
            try:
                code = self.server.exit_code(self.pid)
            except ForkServerError:
                return {}
            if code is not None or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        return exit_fields(code)

    def kill(self) -> None:
        """Kill the current report process's group now (safe from any thread)."""
        self._killed.set()
        pid = self.pid
        if pid is None:
            return
        # The child leads its own session (the fork server starts it so), hence its own group.
        for kill in (os.killpg, os.kill):
            try:
                kill(pid, signal.SIGKILL)
                return
            except (ProcessLookupError, PermissionError):
                continue

    def _reap(self) -> None:
        pid, self.pid = self.pid, None
        if pid is not None and self.server is not None:
            try:
                self.server.reap(pid)
            except ForkServerError:
                pass

    def shutdown(self) -> None:
        """Stop the current report process (if any) and the fork server."""
        self.kill()
        self._reap()
        if self.server is not None:
            self.server.close()
            self.server = None
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    # -- running notebooks ----------------------------------------------------------------

    def run(self, task: Task) -> Any:
        """Execute ``task``'s notebook with its parameters; return the executed notebook.

        Raises
        ------
        NotebookFailed : a cell raised (``exc.nb`` carries papermill's error cells).
        ProcessFault : the process died, or ran past ``task.timeout`` and was killed.
        """
        started = time.monotonic()
        deadline = started + task.timeout
        self._killed.clear()
        if (
            self.options.prepare
            and task.kind == "region"
            and task.parameters.get("context_path")
            and self.server
        ):
            self.server.prepare(self.options.prepare, task.parameters)
        try:
            channel = self._fork(min(deadline, started + self.options.startup_timeout), deadline)
        except ProcessFault:
            self.kill()
            self._reap()
            raise
        except Exception as exc:
            self.kill()
            self._reap()
            raise ProcessFault(Failure("not_started", {"detail": exception_detail(exc)})) from None
        nb = None
        try:
            nb = self._parameterized(task)
            return self._execute_notebook(task, nb, channel)
        except TimeoutError:
            cell = _running_cell(nb) if nb is not None else None
            seconds = round(time.monotonic() - started, 1)
            fields = {"seconds": seconds, "cell": cell, "limit": task.timeout}
            raise ProcessFault(Failure("timeout", _present(fields)), nb) from None
        finally:
            channel.close()
            self.kill()
            self._reap()

    def _parameterized(self, task: Task) -> Any:
        import nbformat
        from papermill.execute import prepare_notebook_metadata, remove_error_markers
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        # The same steps, in the same order, as papermill.execute_notebook.
        nb = load_notebook_node(nbformat.reads(task.notebook, as_version=4))
        nb = parameterize_notebook(
            nb,
            task.parameters,
            False,
            kernel_name=self.options.kernel_name,
            engine_name=ENGINE_NAME,
        )
        nb = prepare_notebook_metadata(nb, task.input_path, task.output_path, False)
        return remove_error_markers(nb)

    def _execute_notebook(self, task: Task, nb: Any, channel: CellChannel) -> Any:
        from papermill.engines import papermill_engines
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import raise_for_execution_errors

        try:
            papermill_engines.execute_notebook_with_engine(
                ENGINE_NAME,
                nb,
                kernel_name=self.options.kernel_name,
                input_path=task.input_path,
                output_path=None,
                progress_bar=False,
                log_output=False,
                channel=channel,
            )
        except TimeoutError:
            raise
        except Exception as exc:
            where = _present({"cell": _running_cell(nb)})
            if isinstance(exc, ChildGone) or not self.alive:
                fields = {**where, **self._exit_fields(wait=1.0)}
                raise ProcessFault(Failure("died", fields), nb) from None
            fields = {**where, "detail": exception_detail(exc)}
            raise ProcessFault(Failure("unexpected", fields), nb) from None
        try:
            raise_for_execution_errors(nb, None)
        except PapermillExecutionError as exc:
            fields = {"cell": exc.exec_count, "ename": exc.ename, "evalue": shortened(exc.evalue)}
            raise NotebookFailed(Failure("cell", fields), nb) from None
        return nb


def _running_cell(nb: Any) -> int | None:
    """Execution number (as in ``In [n]``) of the last cell papermill started: the one running
    when the process died or the time ran out."""
    count, last = 0, None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        if cell.metadata.get("papermill", {}).get("start_time"):
            last = count
    return last


def exit_fields(code: int | None) -> dict[str, Any]:
    """Failure fields of a process's exit code (negative: the signal that killed it)."""
    if code is None:
        return {}
    if code < 0:
        try:
            return {"signal": signal.Signals(-code).name}
        except ValueError:
            return {"signal": str(-code)}
    return {"exit_status": code}


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without those that are None (not known)."""
    return {k: v for k, v in fields.items() if v is not None}


# --------------------------------------------------------------------------------------------
# Running one task with retries, then rendering


class HostSlot:
    """Holds at most one host, starting a new one when its fork server was lost."""

    def __init__(self, options: HostOptions) -> None:
        self.options = options
        self.host: ReportHost | None = None
        self.started = 0

    def get(self) -> ReportHost:
        if self.host is None or not self.host.server_alive:
            self.discard()
            host = ReportHost(self.options)
            try:
                host.start()
            except BaseException:
                host.shutdown()
                raise
            self.host = host
            self.started += 1
        return self.host

    def discard(self) -> None:
        if self.host is not None:
            self.host.shutdown()
            self.host = None


def render(nb: Any, title: str, page: dict[str, Any] | None = None) -> str:
    """HTML of an executed notebook (``living_lab.report.render.render_html``)."""
    from living_lab.report.render import render_html

    return render_html(nb, title=title, page=page)


def _warm_renderer() -> None:
    """Render an empty notebook once: the exporter and its templates load now, not in the
    first report (about a second)."""
    import nbformat

    try:
        render(nbformat.v4.new_notebook(), "warm-up")
    except Exception as exc:  # a broken renderer shows up, with its error, in the first report
        log.debug("renderer warm-up: %s", exc)


def run_task(slot: HostSlot, task: Task) -> TaskResult:
    """Execute and render one task on the slot's host, retrying once after a process fault."""
    import nbformat

    t0 = time.monotonic()
    timings: dict[str, float] = {}
    nb = None
    failure: Failure | None = None
    attempts = 0
    while attempts <= task.retries:
        attempts += 1
        try:
            t_start = time.monotonic()
            host = slot.get()
            timings["start_s"] = timings.get("start_s", 0.0) + (time.monotonic() - t_start)
            t_exec = time.monotonic()
            nb = host.run(task)
            timings["execute_s"] = time.monotonic() - t_exec
            failure = None
            break
        except NotebookFailed as exc:
            nb, failure = exc.nb, exc.failure
            break
        except ProcessFault as exc:
            # The process is gone; the next attempt forks a new one (a new host only if the
            # fork server was lost too).
            nb, failure = exc.nb, exc.failure
        except Exception as exc:  # the fork server would not start, or an unexpected error
            nb, failure = None, Failure("host", {"detail": exception_detail(exc)})
            slot.discard()
    if failure is not None and attempts > 1:
        failure = failure.retried(attempts)
    nb_json = nbformat.writes(nb) if nb is not None else None
    html = None
    if failure is None:
        t_render = time.monotonic()
        try:
            html = render(nb, task.title, task.page)
        except Exception as exc:
            failure = Failure("render", {"detail": exception_detail(exc)})
        timings["render_s"] = time.monotonic() - t_render
    error = failure.text("en") if failure is not None else None
    return TaskResult(
        id=task.id,
        status="ok" if error is None else "failed",
        attempts=attempts,
        duration_s=time.monotonic() - t0,
        nb_json=nb_json,
        html=html,
        error=error,
        worker=f"{os.uname().nodename}:{os.getpid()}",
        timings=timings,
        failure=failure,
    )


# --------------------------------------------------------------------------------------------
# Worker processes


def _worker_main(conn: mpc.Connection, options: HostOptions, parent_pid: int) -> None:
    """Body of a pool worker process: start a report host, then run tasks until told to stop."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    avoid_slow_imports()

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    slot = HostSlot(options)

    def watch_parent() -> None:
        # If the parent is killed (SIGKILL), take our report process down with us.
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                if slot.host is not None:
                    slot.host.kill()
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    # Failures reach the caller in TaskResult.error; nbclient's own log lines would only
    # repeat them on the terminal.
    for name in ("papermill", "nbclient", "traitlets"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    register_engine()
    try:
        try:
            slot.get()
            _warm_renderer()
            conn.send(("ready", {"pid": os.getpid(), "preload_failed": slot.host.preload_failed}))
        except Exception as exc:
            conn.send(("fatal", Failure("fork_server", {"detail": exception_detail(exc)})))
            return
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                return
            if msg[0] == "stop":
                return
            conn.send(("result", run_task(slot, msg[1])))
    finally:
        slot.discard()


@dataclass
class _Worker:
    process: Any
    conn: mpc.Connection
    ready: bool = False
    task: Task | None = None
    attempts: int = 0
    started: float = 0.0


class PoolError(Exception):
    """The pool cannot run tasks at all (e.g. no fork server could be started)."""


class ReportPool:
    """N worker processes, each with one report host (a fork server).

    Start it early (:meth:`start` returns at once; fork servers warm up in the background) and then
    :meth:`run` tasks; results come back, in completion order, through a callback in the
    calling thread.

    Examples
    --------
    >>> with ReportPool(2, HostOptions(preload=("pandas",))) as pool:   # doctest: +SKIP
    ...     pool.run(tasks, on_result=print)
    """

    def __init__(self, n: int, options: HostOptions) -> None:
        if n < 1:
            raise ValueError("a pool needs at least one worker")
        self.n = n
        self.options = options
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self._failed_starts = 0
        self.workers_started = 0

    def __enter__(self) -> ReportPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Spawn the worker processes (non-blocking)."""
        while len(self._workers) < self.n:
            self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main,
            args=(child_conn, self.options, os.getpid()),
            name="living-lab-report-worker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        self.workers_started += 1
        return _Worker(process=process, conn=parent_conn)

    def _replace(self, worker: _Worker) -> None:
        self._terminate(worker)
        self._workers[self._workers.index(worker)] = self._spawn()

    @staticmethod
    def _terminate(worker: _Worker) -> None:
        try:
            worker.conn.close()
        except OSError:
            pass
        if worker.process.is_alive():
            worker.process.terminate()
            worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(5)

    def run(
        self,
        tasks: Iterable[Task],
        on_result: Callable[[TaskResult], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Run every task; call ``on_result`` (in this thread) as each finishes.

        A worker that dies or stops answering is replaced; its task is retried once (counting
        the attempts already made inside the worker) or recorded as failed.
        """
        self.start()
        queue: deque[tuple[Task, int]] = deque((t, 0) for t in tasks)
        while queue or any(w.task is not None for w in self._workers):
            if should_stop():
                return
            for w in self._workers:
                if w.ready and w.task is None and queue:
                    task, done = queue.popleft()
                    w.task, w.attempts, w.started = task, done, time.monotonic()
                    try:
                        w.conn.send(("task", task))
                    except OSError:
                        pass  # noticed below as a dead worker
            waitables = [w.conn for w in self._workers] + [
                w.process.sentinel for w in self._workers
            ]
            ready = set(mpc.wait(waitables, timeout=0.5))
            for w in list(self._workers):
                lost: Failure | None = None
                if w.conn in ready:
                    try:
                        kind, payload = w.conn.recv()
                    except (EOFError, OSError):
                        kind, payload = "died", None
                    if kind == "ready":
                        w.ready = True
                        self._failed_starts = 0
                        continue
                    if kind == "result":
                        w.task = None
                        on_result(payload)
                        continue
                    if kind == "fatal":
                        self._failed_starts += 1
                        if self._failed_starts >= 2 * self.n:
                            raise PoolError(payload.text("en"))
                        lost = payload
                    else:
                        lost = Failure("worker_died")
                elif w.process.sentinel in ready:
                    lost = Failure("worker_died", exit_fields(w.process.exitcode))
                elif w.task is not None:
                    limit = w.task.timeout * (w.task.retries + 1) + 2 * self.options.startup_timeout
                    if time.monotonic() - w.started > limit + KILL_GRACE:
                        lost = Failure("worker_silent", {"seconds": limit + KILL_GRACE})
                if lost is None:
                    continue
                task, done = w.task, w.attempts
                self._replace(w)
                if task is None:
                    continue
                done += task.retries + 1 if lost.kind == "worker_silent" else 1
                if done <= task.retries:
                    queue.appendleft((task, done))
                else:
                    on_result(
                        TaskResult(
                            id=task.id,
                            status="failed",
                            attempts=done,
                            duration_s=time.monotonic() - w.started,
                            error=lost.text("en"),
                            failure=lost,
                        )
                    )

    def kill(self) -> None:
        """Stop every worker and its kernel now (used on interrupt)."""
        for w in self._workers:
            self._terminate(w)
        self._workers = []

    def close(self) -> None:
        """Ask workers to stop (they shut their kernels down), then make sure they did."""
        for w in self._workers:
            try:
                w.conn.send(("stop", None))
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for w in self._workers:
            w.process.join(max(0.0, deadline - time.monotonic()))
            self._terminate(w)
        self._workers = []


__all__ = [
    "ProcessFault",
    "HostOptions",
    "ReportPool",
    "HostSlot",
    "NotebookFailed",
    "PoolError",
    "Task",
    "TaskResult",
    "ReportHost",
    "notebook_imports",
    "run_task",
]
