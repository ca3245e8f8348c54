"""Where a batch's notebooks run: local worker processes (default) or a Dask cluster.

Both run :func:`living_lab.report.pool.run_task` (one fresh forked process per notebook) and hand back
:class:`~living_lab.report.pool.TaskResult` objects (executed notebook JSON and HTML); the
runner, in the calling process, is the only writer of the output folder.

- :class:`LocalExecutor`: a :class:`~living_lab.report.pool.ReportPool` of N worker processes.
- :class:`DaskExecutor`: ``--executor dask --scheduler ADDRESS``. Each Dask worker thread keeps
  its own fork server between tasks (and between batches, until :meth:`DaskExecutor.close`).
  The cohort context is sent once to every worker (``scatter(broadcast=True)``) and saved in the
  worker's temporary folder, so workers need the ``living_lab`` package but not the report
  folder or a checkout of the notebooks.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from living_lab.report.engine import register_engine
from living_lab.report.failures import Failure, exception_detail
from living_lab.report.pool import (
    HostOptions,
    HostSlot,
    ReportPool,
    Task,
    TaskResult,
    run_task,
)
from living_lab.schema import avoid_slow_imports


class Executor(Protocol):
    """What the runner needs from an executor."""

    def start(self) -> None:
        """Begin warming the fork servers (must not block for long)."""

    def set_context(self, path: Path | None) -> None:
        """The shared cohort context file the tasks' ``context_path`` points to."""

    def run(
        self,
        tasks: Iterable[Task],
        on_result: Callable[[TaskResult], None],
        *,
        should_stop: Callable[[], bool],
    ) -> None:
        """Run every task, calling ``on_result`` in the calling thread as each finishes."""

    def interrupt(self) -> None:
        """Stop now: kill running report processes, drop queued tasks."""

    def close(self) -> None:
        """Release fork servers and connections."""


class LocalExecutor:
    """Run tasks on ``jobs`` local worker processes, each with one fork server."""

    def __init__(self, jobs: int, options: HostOptions) -> None:
        self.pool = ReportPool(jobs, options)

    def start(self) -> None:
        self.pool.start()

    def set_context(self, path: Path | None) -> None:
        """Local workers read the context file where the runner saved it."""

    def run(
        self,
        tasks: Iterable[Task],
        on_result: Callable[[TaskResult], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.pool.run(tasks, on_result, should_stop=should_stop)

    def interrupt(self) -> None:
        self.pool.kill()

    def close(self) -> None:
        self.pool.close()


# --------------------------------------------------------------------------------------------
# Dask: functions that run on the workers


_SLOTS: dict[int, HostSlot] = {}
_SLOTS_LOCK = threading.Lock()
_ENGINE_READY = threading.Event()


def _slot(options: HostOptions) -> HostSlot:
    ident = threading.get_ident()
    with _SLOTS_LOCK:
        slot = _SLOTS.get(ident)
        if slot is None or slot.options != options:
            if slot is not None:
                slot.discard()
            slot = _SLOTS[ident] = HostSlot(options)
    return slot


def _context_file(name: str, data: bytes) -> str:
    """Save the scattered results folder once per worker host (atomically); return its path."""
    folder = Path(tempfile.gettempdir()) / f"living-lab-context-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    digest = hashlib.sha256(data).hexdigest()
    marker = folder / f"{name}.sha256"
    with contextlib.suppress(OSError):
        if path.exists() and marker.read_text() == digest:
            return str(path)
    from living_lab.report.manifest import atomic_write_text
    from living_lab.results.store import unpack

    unpack(data, path)
    atomic_write_text(marker, digest)
    return str(path)


def dask_run_task(
    task: Task, options: HostOptions, context: bytes | None, context_name: str | None
) -> TaskResult:
    """Run one task on a Dask worker, in a process forked by this worker thread's server."""
    if not _ENGINE_READY.is_set():
        avoid_slow_imports()
        register_engine()
        _ENGINE_READY.set()
    if context is not None and context_name and task.parameters.get("context_path"):
        local = _context_file(context_name, context)
        task = replace(task, parameters={**task.parameters, "context_path": local})
    return run_task(_slot(options), task)


def dask_kill_reports() -> int:
    """Kill every running report process of this worker (on interrupt); return how many."""
    with _SLOTS_LOCK:
        slots = list(_SLOTS.values())
    for slot in slots:
        if slot.host is not None:
            slot.host.kill()
    return len(slots)


def dask_shutdown_hosts() -> int:
    """Shut down every report process and fork server of this worker; return how many."""
    with _SLOTS_LOCK:
        slots = list(_SLOTS.values())
        _SLOTS.clear()
    for slot in slots:
        slot.discard()
    return len(slots)


atexit.register(dask_shutdown_hosts)


# --------------------------------------------------------------------------------------------
# Dask: the client side


class DaskExecutor:
    """Run tasks on a Dask distributed cluster at ``scheduler`` (e.g. ``tcp://host:8786``)."""

    def __init__(self, scheduler: str | Any, options: HostOptions, *, timeout: float = 30) -> None:
        self.scheduler = scheduler
        self.options = options
        self.timeout = timeout
        self.client: Any = None
        self._context: Any = None
        self._context_name: str | None = None
        self._context_data: bytes | None = None
        self._futures: list[Any] = []

    def start(self) -> None:
        from distributed import Client

        from living_lab.errors import ParameterError

        if isinstance(self.scheduler, str):
            _check_address(self.scheduler, min(5.0, self.timeout))
        try:
            self.client = Client(self.scheduler, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError.keyed(
                "err.scheduler.connect",
                address=self.scheduler,
                detail=f"{exc.__class__.__name__}: {_first_line(exc)}",
            ) from None

    def set_context(self, path: Path | None) -> None:
        if path is None:
            self._context = self._context_name = self._context_data = None
            return
        from living_lab.results.store import pack

        self._context_data = pack(path)
        self._context_name = Path(path).name
        self._scatter()

    def _scatter(self) -> None:
        """Send the context to every worker (again after a worker was lost: a restarted worker
        has none, and a fresh key never refers to data the scheduler already forgot)."""
        if self._context_data is not None:
            self._context = self.client.scatter(self._context_data, broadcast=True, hash=False)

    def run(
        self,
        tasks: Iterable[Task],
        on_result: Callable[[TaskResult], None],
        *,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        from distributed import as_completed

        batch = uuid.uuid4().hex[:8]
        by_key: dict[str, tuple[Task, int]] = {}
        self._futures = []

        def submit(task: Task, attempt: int) -> Any:
            key = f"living-lab-report-{task.id.replace('/', '-')}-{batch}-{attempt}"
            by_key[key] = (task, attempt)
            future = self.client.submit(
                dask_run_task,
                task,
                self.options,
                self._context,
                self._context_name,
                key=key,
                pure=False,
                retries=0,
            )
            self._futures.append(future)
            return future

        pending = as_completed([submit(t, 1) for t in tasks], loop=self.client.loop)
        for future in pending:
            if should_stop():
                self.interrupt()
                return
            task, attempt = by_key.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # the worker was lost (killed, out of memory) or the task
                failure = Failure("dask", {"detail": exception_detail(exc)}).retried(attempt)
                if attempt <= task.retries:
                    # Once more on the remaining (or restarted) workers, with the context sent
                    # again in case it was lost with the worker.
                    with contextlib.suppress(Exception):
                        self._scatter()
                    pending.add(submit(task, attempt + 1))
                    continue
                result = TaskResult(
                    id=task.id,
                    status="failed",
                    attempts=attempt,
                    duration_s=0.0,
                    error=failure.text("en"),
                    failure=failure,
                )
            else:
                if attempt > 1:
                    result.attempts += attempt - 1
            on_result(result)
        self._futures = []

    def interrupt(self) -> None:
        if self.client is None:
            return
        with contextlib.suppress(Exception):
            self.client.cancel(self._futures, force=True)
        with contextlib.suppress(Exception):
            self.client.run(dask_kill_reports)
        self._futures = []

    def close(self) -> None:
        if self.client is None:
            return
        with contextlib.suppress(Exception):
            self.client.run(dask_shutdown_hosts)
        with contextlib.suppress(Exception):
            self.client.close()
        self.client = None


def _check_address(address: str, timeout: float) -> None:
    """Refuse a scheduler address that is malformed or not listening, in ``timeout`` seconds.

    Raises
    ------
    ParameterError : one line naming the address.
    """
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import get_backend

    from living_lab.errors import ParameterError

    try:
        scheme, location = parse_address(address)
        get_backend(scheme)
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError) as exc:
        raise ParameterError.keyed(
            "err.scheduler.address", address=address, detail=_first_line(exc)
        ) from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise ParameterError.keyed(
            "err.scheduler.connect",
            address=address,
            detail=f"{exc.__class__.__name__}: {_first_line(exc)}",
        ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [exc.__class__.__name__])[0]


def make_executor(
    kind: str, *, jobs: int, options: HostOptions, scheduler: str | None = None
) -> Executor:
    """The executor for ``--executor`` (``local`` or ``dask``)."""
    if kind == "dask":
        if not scheduler:
            raise ValueError("the dask executor needs a scheduler address")
        return DaskExecutor(scheduler, options)
    return LocalExecutor(jobs, options)
