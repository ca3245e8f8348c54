"""A fork server: import the heavy libraries once, then fork one fresh IPython kernel per report.

Starting a kernel and importing pandas, statsmodels and matplotlib costs seconds; a report costs
well under one. Instead of reusing a kernel (and resetting its state between reports), each
report gets a kernel process that has run no other report: :class:`ForkServer` starts a small
single-threaded Python process that imports the notebooks' modules and ``ipykernel``, then, per
request, calls ``fork()`` for a child that becomes an IPython kernel on the given connection file. The
child shares nothing with other reports but the already imported code (copy-on-write).

:class:`ForkProvisioner` is a jupyter_client kernel provisioner that launches kernels through
the server, so a normal ``AsyncKernelManager`` (and papermill/nbclient on top of it) drives them.

Fork safety: the server process runs no thread (checked before every fork: a fork with a second
thread alive is refused), creates no zmq context and draws no figure through pyplot; the child
resets signal handlers, reseeds ``numpy``'s global generator from the OS (``random`` reseeds
itself after a fork) and only then creates its zmq sockets.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any, cast

from jupyter_client.provisioning import LocalProvisioner

#: Modules every kernel imports while it starts (the debugger alone costs about 0.3 s); imported
#: by the server in addition to the notebooks' modules. ``matplotlib_inline`` is left out on
#: purpose: importing it inside the kernel is what hooks inline figures into the shell.
KERNEL_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "IPython",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
)

#: Seconds the server waits for a forked kernel to bind its sockets before answering anyway.
BIND_TIMEOUT = 30.0


class ForkServerError(RuntimeError):
    """The fork server could not start or answer."""


class ForkServer:
    """Client side of one fork-server process (owned by one pool worker).

    Parameters
    ----------
    preload : modules to import once in the server (a failing import is reported, not fatal).
    env : environment of the server and of every kernel it forks.
    cwd : working directory of the server and its kernels.
    """

    def __init__(self, preload: Sequence[str], env: dict[str, str], cwd: str) -> None:
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(  # noqa: S603 - our own module, our own interpreter
            [sys.executable, "-m", "living_lab.report.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=cwd,
            text=True,
            bufsize=1,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are PIPEs
        self._stdin: IO[str] = self.proc.stdin
        self._stdout: IO[str] = self.proc.stdout
        self._stdin.write(json.dumps({"preload": list(preload)}) + "\n")
        self._stdin.flush()
        ready = self._read()
        self.preload_failed: list[str] = ready.get("failed", [])

    def _read(self) -> dict[str, Any]:
        line = self._stdout.readline()
        if not line:
            code = self.proc.poll()
            raise ForkServerError(f"fork server stopped (exit status {code})")
        return json.loads(line)

    def request(self, **req: Any) -> dict[str, Any]:
        """Send one request and return the answer (thread-safe)."""
        with self._lock:
            try:
                self._stdin.write(json.dumps(req) + "\n")
                self._stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ForkServerError(f"fork server stopped: {exc}") from None
            answer = self._read()
        if "error" in answer:
            raise ForkServerError(answer["error"])
        return answer

    def fork(self, connection_file: str, cwd: str, env: dict[str, str], argv: list[str]) -> int:
        """Fork a kernel on ``connection_file``; return its process id."""
        return int(self.request(op="fork", cf=connection_file, cwd=cwd, env=env, argv=argv)["pid"])

    def prepare(self, target: str, parameters: dict[str, Any]) -> None:
        """Have the server call ``target`` (``"module:function"``) with the ``parameters`` it
        accepts, once per distinct call; kernels forked afterwards inherit what it loaded.
        A failing call is ignored: the notebook meets, and reports, the same error itself."""
        self.request(op="prepare", target=target, parameters=parameters)

    def reap(self, pid: int) -> int | None:
        """Wait for a kernel that was sent SIGKILL to be gone; return its exit code."""
        return self.request(op="reap", pid=pid)["code"]

    def exit_code(self, pid: int) -> int | None:
        """The kernel's exit code (negative: killed by that signal), or None while it runs."""
        return self.request(op="poll", pid=pid)["code"]

    def close(self) -> None:
        """Stop the server (kernels it forked are killed by their owners)."""
        if self.proc.poll() is None:
            try:
                self._stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class _ForkedProcess:
    """The ``Popen`` subset :class:`LocalProvisioner` uses, for a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server, self.pid = server, pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.exit_code(self.pid)
            except ForkServerError:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL the kernel's process group and wait (milliseconds) until it is gone."""
        for kill in (os.killpg, os.kill):
            try:
                kill(self.pid, signal.SIGKILL)
                break
            except (ProcessLookupError, PermissionError):
                continue
        if self.returncode is None:
            try:
                self.returncode = self.server.reap(self.pid)
            except ForkServerError:
                self.returncode = -signal.SIGKILL

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Kernel provisioner launching kernels through a :class:`ForkServer`.

    Set it on an ``AsyncKernelManager`` before ``start_kernel`` (``km.provisioner = ...``);
    jupyter_client keeps a provisioner already set. Everything else (connection file, ports,
    shutdown, signals) is :class:`LocalProvisioner`'s.
    """

    server: ForkServer | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        assert self.server is not None
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        manager = self.parent
        assert manager is not None  # jupyter_client sets the kernel manager before launching
        pid = self.server.fork(manager.connection_file, cwd, env, cmd)
        # LocalProvisioner only polls, signals and waits on its process: the fork server's
        # handle does the same for a child that is not ours to wait on.
        self.process = cast(Any, _ForkedProcess(self.server, pid))
        self.pid = self.pgid = pid  # the child leads its own session, hence its own group
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        # SIGKILL and reap at once: LocalProvisioner's wait() would otherwise poll in 0.1 s steps.
        if self.process is not None:
            self.process.kill()


# --------------------------------------------------------------------------------------------
# Server side (runs in its own process: python -m living_lab.report.forkserver)


def _os_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _warm(preload: Sequence[str]) -> list[str]:
    import importlib

    failed = []
    for name in [*preload, *KERNEL_MODULES]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the notebook reports the real error when it runs
            failed.append(f"{name}: {exc.__class__.__name__}")
    if "matplotlib" in sys.modules:
        # Load fonts once (a figure drawn without pyplot leaves no pyplot state behind).
        import io

        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure()
        fig.gca().set_title("warm-up")
        FigureCanvasAgg(fig).print_png(io.BytesIO())
    return failed


def _prepare(target: str, parameters: dict[str, Any], done: set[str]) -> None:
    """Call ``target`` with the ``parameters`` it accepts, unless already called with them."""
    import importlib
    import inspect

    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    accepted = inspect.signature(func).parameters
    args = {k: v for k, v in parameters.items() if k in accepted}
    key = json.dumps([target, args], sort_keys=True, default=str)
    if key not in done:
        done.add(key)
        func(**args)


def _kernel(req: dict[str, Any], server_fds: Sequence[int], bound: int) -> None:
    """Body of a forked child: become an IPython kernel on ``req['cf']`` (never returns).

    Once its sockets are bound it writes one byte to the pipe ``bound``: clients that connect
    after that are connected at once (not on zmq's next reconnection attempt).
    """
    code = 1
    try:
        os.setsid()
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        for fd in server_fds:
            os.close(fd)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        np = sys.modules.get("numpy")
        if np is not None:
            np.random.seed(None)  # from the OS, as in a fresh interpreter
        from ipykernel.kernelapp import IPKernelApp

        argv = req["argv"]
        sys.argv = [argv[2] if len(argv) > 2 and argv[1] == "-m" else argv[0]]
        app = IPKernelApp.instance()
        app.initialize(["-f", req["cf"], *[a for a in argv[1:] if a.startswith("--")]])
        os.write(bound, b"1")
        os.close(bound)
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def serve() -> None:
    """Read JSON requests on stdin, answer on stdout (one line each)."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the answers
    first = json.loads(sys.stdin.readline())
    # ipykernel reads its parent's pid at import: kernels then exit when the server is gone (and
    # print no "connect another client" banner).
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    failed = _warm(first.get("preload", []))
    codes: dict[int, int] = {}
    prepared: set[str] = set()

    def reap(*_: Any) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            codes[pid] = os.waitstatus_to_exitcode(status)

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides what stops
    out.write(json.dumps({"ready": True, "failed": failed}) + "\n")
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "poll":
            reap()
            answer: dict[str, Any] = {"code": codes.get(int(req["pid"]))}
        elif req["op"] == "reap":  # only for a child that was sent SIGKILL: waits milliseconds
            pid = int(req["pid"])
            if pid not in codes:
                try:
                    codes[pid] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                except ChildProcessError:  # the SIGCHLD handler reaped it meanwhile
                    pass
            answer = {"code": codes.get(pid)}
        elif req["op"] == "prepare":
            try:
                _prepare(req["target"], req["parameters"], prepared)
            except Exception:  # noqa: S110 - the notebook reports the error itself
                pass
            answer = {"ok": True}
        elif req["op"] == "fork":
            if _os_threads() != 1:
                answer = {"error": f"fork refused: {_os_threads()} threads in the fork server"}
            else:
                # Everything loaded so far is shared, read-mostly state: keep the collector off
                # it, so kernels neither scan it nor copy its pages by touching their headers.
                gc.freeze()
                bound_r, bound_w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    _kernel(req, [out.fileno(), bound_r], bound_w)
                os.close(bound_w)
                # Answer once the kernel is listening (or has died: the pipe then closes).
                select.select([bound_r], [], [], BIND_TIMEOUT)
                os.close(bound_r)
                answer = {"pid": pid}
        else:
            answer = {"error": f"unknown request {req['op']!r}"}
        out.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    serve()
