"""Parameterised notebooks executed as papermill would, each in a fresh kernel, but fast.

Starting a kernel and importing pandas, statsmodels and matplotlib costs seconds; a report costs
well under one. So each :class:`KernelHost` starts a fork server once
(:mod:`living_lab.report.forkserver`, which imports the heavy libraries) and, per notebook, forks
a fresh IPython kernel that has run no other report, executes the notebook in it through
papermill's own machinery (``parameterize_notebook``, its execution manager and
``PapermillNotebookClient``, registered as the papermill engine ``living-lab-warm``) and kills it.
The result is a normal papermill output notebook (``metadata.papermill.parameters``, per-cell
timings, papermill's error cells on failure); no kernel state is ever reset or reused.

Faults, per :func:`run_task`:

- a cell raises -> the task fails with that error (no retry: the same input fails again);
- the kernel dies (``os._exit``, a crash, out of memory) -> the task is retried once in a new
  kernel;
- the task runs past its wall-clock ``timeout`` -> the kernel's process group is killed and the
  task retried once in a new kernel.

:class:`KernelPool` runs tasks on N worker processes (spawned, so they share no state with the
caller), each owning one kernel host and rendering the HTML next to it; the caller only receives
finished :class:`TaskResult` objects and writes them. The Dask executor
(:mod:`living_lab.report.executors`) runs the same :func:`run_task` on cluster workers.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import logging
import multiprocessing as mp
import multiprocessing.connection as mpc
import os
import queue
import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from living_lab.report.forkserver import ForkProvisioner, ForkServer
from living_lab.schema import avoid_slow_imports

log = logging.getLogger(__name__)

ENGINE_NAME = "living-lab-warm"
#: Seconds a kernel has to come up (papermill's default start timeout).
STARTUP_TIMEOUT = 60.0
#: Seconds nbclient waits for a cell's last output after its reply; papermill's 4 s default is
#: too tight on a loaded 2-core machine and a miss would fail a correct report.
IOPUB_TIMEOUT = 30.0
#: Seconds we wait, after killing a hung kernel, for nbclient to notice and return.
KILL_GRACE = 30.0

TaskKind = Literal["region", "cohort"]
Status = Literal["ok", "failed"]


class KernelFault(Exception):
    """The kernel died or hung while running a notebook (the task may be retried)."""

    def __init__(self, message: str, nb: Any = None) -> None:
        super().__init__(message)
        self.nb = nb


class NotebookFailed(Exception):
    """A cell of the notebook raised (papermill's error cells are in ``nb``)."""

    def __init__(self, message: str, nb: Any) -> None:
        super().__init__(message)
        self.nb = nb


@dataclass(frozen=True)
class KernelOptions:
    """How pool kernels are started.

    Attributes
    ----------
    kernel_name : Jupyter kernel spec to start (the notebooks' ``kernelspec``).
    preload : modules imported once when the kernel starts (see :func:`notebook_imports`).
    cwd : working directory of the kernel (papermill runs notebooks in the caller's directory).
    env : extra environment variables for the kernel.
    startup_timeout : seconds a kernel has to start and import ``preload``.
    prepare : ``"module:function"`` the fork server calls (once per distinct arguments) with
        the task parameters it accepts before forking a region task's kernel, when the task has
        a ``context_path`` (:func:`living_lab.report.warmup.warm_up`): it loads the batch's
        results and pays first-use costs in the server, so every forked kernel starts with them.
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
    """What a worker sends back: the executed notebook and its HTML (or the error)."""

    id: str
    status: Status
    attempts: int
    duration_s: float
    nb_json: str | None = None
    html: str | None = None
    error: str | None = None
    worker: str = ""
    timings: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# papermill engine running on an already started kernel


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine, papermill_engines
    from papermill.log import logger

    class WarmKernelEngine(Engine):
        """papermill engine executing on a given (warm) kernel manager and client."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            *,
            km: Any,
            kc: Any,
            execution_timeout: float | None = None,
            log_output: bool = False,
            **kwargs: Any,
        ) -> Any:
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                kernel_name=kernel_name,
                timeout=execution_timeout,
                iopub_timeout=IOPUB_TIMEOUT,
                log=logger,
                log_output=log_output,
            )
            client.kc = kc
            return client.execute()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


# --------------------------------------------------------------------------------------------
# Kernels forked per notebook


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


def kernel_env(extra: Sequence[tuple[str, str]] = ()) -> dict[str, str]:
    """Environment of a pool kernel.

    Figures must show inline even when the caller sets ``MPLBACKEND=Agg`` (CI does): ipykernel
    only selects the inline backend when ``MPLBACKEND`` is unset. BLAS threads are limited to one
    because the pool already runs one kernel per core.
    """
    env = dict(os.environ)
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.update(dict(extra))
    return env


class KernelHost:
    """Runs each notebook in a fresh IPython kernel forked from a warm :class:`ForkServer`.

    The fork server imports the heavy libraries once; every :meth:`run` forks a new kernel,
    executes one notebook in it and kills it, so no report sees another report's state and
    nothing needs resetting. All kernel I/O happens on one private thread (jupyter_client's
    asyncio objects are bound to the event loop of the thread that created them), so a host can
    be driven from any thread, e.g. a Dask worker's task threads.

    Examples
    --------
    >>> host = KernelHost(KernelOptions(preload=("numpy",)))   # doctest: +SKIP
    >>> host.start()                                           # doctest: +SKIP
    >>> nb = host.run(task)                                    # doctest: +SKIP
    >>> host.shutdown()                                        # doctest: +SKIP
    """

    def __init__(self, options: KernelOptions) -> None:
        self.options = options
        self._io = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="kernel-io")
        self.server: ForkServer | None = None
        self.km: Any = None
        self.kc: Any = None
        self.pid: int | None = None
        #: Process id of the last kernel forked (kept after it is gone).
        self.last_pid: int | None = None
        #: Kernels forked so far (one per notebook run).
        self.runs = 0
        self.preload_failed: list[str] = []
        self._killed = threading.Event()
        #: The notebook being executed (read by the timeout watchdog to name the cell).
        self._running_nb: Any = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start the fork server and let it import the preload modules (blocking)."""
        self._env = kernel_env(self.options.env)
        self.server = ForkServer(self.options.preload, self._env, self.options.cwd or os.getcwd())
        self.preload_failed = self.server.preload_failed

    async def _start_kernel(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.paths import jupyter_runtime_dir

        # IPC (unix sockets): local, faster than TCP, no open ports. Each kernel needs its own
        # socket path (the default, "kernel-ipc" in the cwd, is shared by all kernels).
        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True)
        km = AsyncKernelManager(
            kernel_name=self.options.kernel_name,
            transport="ipc",
            ip=str(runtime / f"living-lab-{uuid.uuid4().hex[:12]}-ipc"),
        )
        km.kernel_id = str(uuid.uuid4())
        provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
        provisioner.server = self.server
        km.provisioner = provisioner  # jupyter_client keeps a provisioner already set
        self.km = km
        await km.start_kernel(
            cwd=self.options.cwd or os.getcwd(),
            env=self._env,
            # In-memory history: many kernels sharing one sqlite file only slows them down.
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        self.pid = self.last_pid = provisioner.pid
        self.runs += 1
        kc = km.client()
        kc.start_channels()
        kc.allow_stdin = False
        self.kc = kc
        await self._wait_for_ready(self.options.startup_timeout)

    async def _wait_for_ready(self, timeout: float) -> None:
        """Return once the kernel answers ``kernel_info`` and its IOPub messages reach us.

        Event-driven: the fork server answers only once the kernel's sockets are bound, and
        ipykernel announces our IOPub subscription with an ``iopub_welcome`` message, after
        which no output can be lost. (jupyter_client's ``wait_for_ready`` instead polls, and
        drains IOPub for 0.2 s.) A kernel that sends no welcome proves IOPub with the idle
        status of our request; the request is repeated if that status was missed.
        """
        kc, deadline = self.kc, time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise KernelFault(f"kernel died while starting{self._exit_text()}")
            msg_id = kc.kernel_info()
            try:
                while True:
                    msg = await kc.get_iopub_msg(timeout=0.5)
                    if msg["msg_type"] == "iopub_welcome" or (
                        msg["parent_header"].get("msg_id") == msg_id
                        and msg["msg_type"] == "status"
                        and msg["content"]["execution_state"] == "idle"
                    ):
                        break
            except queue.Empty:
                continue
            while True:
                reply = await kc.get_shell_msg(timeout=max(1.0, deadline - time.monotonic()))
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
        raise TimeoutError(f"kernel did not answer within {timeout:g} s")

    async def _stop_kernel(self) -> None:
        self.kill()
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception:  # already gone: only the connection file is left to remove
                self.km.cleanup_resources()
        self.km = self.kc = None
        self.pid = None

    @property
    def server_alive(self) -> bool:
        """Whether the fork server is still running."""
        return self.server is not None and self.server.proc.poll() is None

    @property
    def alive(self) -> bool:
        """Whether the current kernel process is still running."""
        if self.km is None or self._killed.is_set():
            return False
        process = getattr(self.km.provisioner, "process", None)
        return process is not None and process.poll() is None

    def _exit_text(self) -> str:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None or self._killed.is_set():
            return ""
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = " (out of memory?)" if -code == signal.SIGKILL else ""
            return f" (killed by {name}{hint})"
        return f" (exit status {code})"

    def kill(self) -> None:
        """Kill the current kernel's process group now (safe from any thread)."""
        self._killed.set()
        if self.pid is None:
            return
        # The kernel leads its own session (the fork server starts it so), hence its own group.
        for kill in (os.killpg, os.kill):
            try:
                kill(self.pid, signal.SIGKILL)
                return
            except (ProcessLookupError, PermissionError):
                continue

    def shutdown(self) -> None:
        """Stop the current kernel (if any) and the fork server."""
        self.kill()
        from jupyter_core.utils import run_sync

        try:
            self._io.submit(run_sync(self._stop_kernel)).result(timeout=15)
        except Exception as exc:  # never let cleanup hide the real outcome
            log.debug("kernel shutdown: %s", exc)
        self._io.shutdown(wait=False, cancel_futures=True)
        if self.server is not None:
            self.server.close()
            self.server = None

    # -- running notebooks ----------------------------------------------------------------

    def run(self, task: Task) -> Any:
        """Execute ``task``'s notebook with its parameters; return the executed notebook.

        Raises
        ------
        NotebookFailed : a cell raised (``exc.nb`` carries papermill's error cells).
        KernelFault : the kernel died, or ran past ``task.timeout`` and was killed.
        """
        started = time.monotonic()
        future = self._io.submit(self._run, task)
        try:
            return future.result(timeout=task.timeout)
        except cf.TimeoutError:
            running = self._running_nb
            cell = _running_cell(running) if running is not None else None
            self.kill()
            try:
                future.result(timeout=KILL_GRACE)
            except Exception:  # the kill makes the run fail; that failure is the timeout
                pass
            where = f" in cell {cell}" if cell is not None else ""
            raise KernelFault(
                f"timed out after {time.monotonic() - started:.0f} s{where} "
                f"(limit {task.timeout:g} s); kernel killed",
                self._running_nb,
            ) from None

    def _run(self, task: Task) -> Any:
        from jupyter_core.utils import run_sync

        self._running_nb = None
        self._killed.clear()
        if (
            self.options.prepare
            and task.kind == "region"
            and task.parameters.get("context_path")
            and self.server
        ):
            self.server.prepare(self.options.prepare, task.parameters)
        try:
            run_sync(self._start_kernel)()
        except Exception as exc:
            run_sync(self._stop_kernel)()
            raise KernelFault(
                f"kernel did not start: {exc.__class__.__name__}: {_one_line(exc)}"
            ) from None
        try:
            return self._execute_notebook(task)
        finally:
            run_sync(self._stop_kernel)()

    def _execute_notebook(self, task: Task) -> Any:
        import nbformat
        from papermill.engines import papermill_engines
        from papermill.exceptions import PapermillExecutionError
        from papermill.execute import (
            prepare_notebook_metadata,
            raise_for_execution_errors,
            remove_error_markers,
        )
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
        nb = remove_error_markers(nb)
        self._running_nb = nb
        try:
            papermill_engines.execute_notebook_with_engine(
                ENGINE_NAME,
                nb,
                kernel_name=self.options.kernel_name,
                input_path=task.input_path,
                output_path=None,
                progress_bar=False,
                log_output=False,
                km=self.km,
                kc=self.kc,
            )
        except Exception as exc:
            cell = _running_cell(nb)
            where = f" in cell {cell}" if cell is not None else ""
            if not self.alive:
                raise KernelFault(f"kernel died{where}{self._exit_text()}", nb) from None
            raise KernelFault(f"{exc.__class__.__name__}{where}: {_one_line(exc)}", nb) from None
        try:
            raise_for_execution_errors(nb, None)
        except PapermillExecutionError as exc:
            raise NotebookFailed(
                f"cell {exc.exec_count}: {exc.ename}: {_one_line(exc.evalue)}", nb
            ) from None
        return nb


def _running_cell(nb: Any) -> int | None:
    """Execution number (as in ``In [n]``) of the last cell papermill started: the one running
    when the kernel died or the time ran out."""
    count, last = 0, None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        if cell.metadata.get("papermill", {}).get("start_time"):
            last = count
    return last


def _one_line(value: object, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# Running one task with retries, then rendering


class KernelSlot:
    """Holds at most one kernel host, starting a new one when its fork server was lost."""

    def __init__(self, options: KernelOptions) -> None:
        self.options = options
        self.kernel: KernelHost | None = None
        self.started = 0

    def get(self) -> KernelHost:
        if self.kernel is None or not self.kernel.server_alive:
            self.discard()
            kernel = KernelHost(self.options)
            try:
                kernel.start()
            except BaseException:
                kernel.shutdown()
                raise
            self.kernel = kernel
            self.started += 1
        return self.kernel

    def discard(self) -> None:
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None


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


def run_task(slot: KernelSlot, task: Task) -> TaskResult:
    """Execute and render one task on the slot's kernel, retrying once after a kernel fault."""
    import nbformat

    t0 = time.monotonic()
    timings: dict[str, float] = {}
    nb = None
    error: str | None = None
    attempts = 0
    while attempts <= task.retries:
        attempts += 1
        try:
            t_start = time.monotonic()
            kernel = slot.get()
            timings["kernel_start_s"] = timings.get("kernel_start_s", 0.0) + (
                time.monotonic() - t_start
            )
            t_exec = time.monotonic()
            nb = kernel.run(task)
            timings["execute_s"] = time.monotonic() - t_exec
            error = None
            break
        except NotebookFailed as exc:
            nb, error = exc.nb, str(exc)
            break
        except KernelFault as exc:
            # The kernel is gone; the next attempt forks a new one (a new host only if the
            # fork server was lost too).
            nb, error = exc.nb, str(exc)
        except Exception as exc:  # kernel would not start, or an unexpected client error
            nb, error = None, f"{exc.__class__.__name__}: {_one_line(exc)}"
            slot.discard()
    if error is not None and attempts > 1:
        error = f"{error} (after {attempts} attempts)"
    nb_json = nbformat.writes(nb) if nb is not None else None
    html = None
    if error is None:
        t_render = time.monotonic()
        try:
            html = render(nb, task.title, task.page)
        except Exception as exc:
            error = f"rendering failed: {exc.__class__.__name__}: {_one_line(exc)}"
        timings["render_s"] = time.monotonic() - t_render
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
    )


# --------------------------------------------------------------------------------------------
# Worker processes


def _worker_main(conn: mpc.Connection, options: KernelOptions, parent_pid: int) -> None:
    """Body of a pool worker process: start a kernel host, then run tasks until told to stop."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    avoid_slow_imports()

    def on_term(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    slot = KernelSlot(options)

    def watch_parent() -> None:
        # If the parent is killed (SIGKILL), take our kernel down with us.
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                if slot.kernel is not None:
                    slot.kernel.kill()
                os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    # Failures reach the caller in TaskResult.error; nbclient's own log lines would only
    # repeat them on the terminal.
    for name in ("papermill", "nbclient", "traitlets"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    _register_engine()
    try:
        try:
            slot.get()
            _warm_renderer()
            conn.send(("ready", {"pid": os.getpid(), "preload_failed": slot.kernel.preload_failed}))
        except Exception as exc:
            conn.send(
                ("fatal", f"could not start a kernel: {exc.__class__.__name__}: {_one_line(exc)}")
            )
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
    """The pool cannot run tasks at all (e.g. no kernel could be started)."""


class KernelPool:
    """N worker processes, each with one kernel host (a fork server).

    Start it early (:meth:`start` returns at once; kernels warm up in the background) and then
    :meth:`run` tasks; results come back, in completion order, through a callback in the
    calling thread.

    Examples
    --------
    >>> with KernelPool(2, KernelOptions(preload=("pandas",))) as pool:   # doctest: +SKIP
    ...     pool.run(tasks, on_result=print)
    """

    def __init__(self, n: int, options: KernelOptions) -> None:
        if n < 1:
            raise ValueError("a pool needs at least one kernel")
        self.n = n
        self.options = options
        self._ctx = mp.get_context("spawn")
        self._workers: list[_Worker] = []
        self._failed_starts = 0
        self.kernels_started = 0

    def __enter__(self) -> KernelPool:
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
            name="living-lab-kernel-worker",
            daemon=True,
        )
        process.start()
        child_conn.close()
        self.kernels_started += 1
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
                lost: str | None = None
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
                            raise PoolError(payload)
                        lost = payload
                    else:
                        lost = "worker process died"
                elif w.process.sentinel in ready:
                    lost = f"worker process died (exit code {w.process.exitcode})"
                elif w.task is not None:
                    limit = w.task.timeout * (w.task.retries + 1) + 2 * self.options.startup_timeout
                    if time.monotonic() - w.started > limit + KILL_GRACE:
                        lost = f"worker did not answer within {limit + KILL_GRACE:.0f} s"
                if lost is None:
                    continue
                task, done = w.task, w.attempts
                self._replace(w)
                if task is None:
                    continue
                done += task.retries + 1 if "did not answer" in lost else 1
                if done <= task.retries:
                    queue.appendleft((task, done))
                else:
                    on_result(
                        TaskResult(
                            id=task.id,
                            status="failed",
                            attempts=done,
                            duration_s=time.monotonic() - w.started,
                            error=lost,
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
    "KernelFault",
    "KernelOptions",
    "KernelPool",
    "KernelSlot",
    "NotebookFailed",
    "PoolError",
    "Task",
    "TaskResult",
    "KernelHost",
    "notebook_imports",
    "run_task",
]
