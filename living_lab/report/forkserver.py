"""A fork server: import the heavy libraries once, then fork one fresh process per report.

Starting Python and importing pandas, statsmodels and matplotlib costs seconds; a report costs
well under one. Instead of reusing a process (and resetting its state between reports), each
report gets a process that has run no other report: :class:`ForkServer` starts a small
single-threaded Python process that imports the notebooks' modules and IPython, then, per
request, calls ``fork()`` for a child that connects to the runner's socket and executes the
cells it is sent in an IPython shell (:mod:`living_lab.report.cellshell`). The child shares
nothing with other reports but what the server loaded before it (copy-on-write).

Fork safety: the server process runs no thread (checked before every fork: a fork with a second
thread alive is refused) and draws no figure through pyplot; the child resets signal handlers
and reseeds ``numpy``'s global generator from the OS (``random`` reseeds itself after a fork).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import IO, Any

#: Modules every report process needs on top of the notebooks' own: the cell shell.
CHILD_MODULES = ("living_lab.report.cellshell",)


class ForkServerError(RuntimeError):
    """The fork server could not start or answer."""


class ForkServer:
    """Client side of one fork-server process (owned by one pool worker).

    Parameters
    ----------
    preload : modules to import once in the server (a failing import is reported, not fatal).
    env : environment of the server and of every child it forks.
    cwd : working directory of the server and its children.
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

    def fork(self, sock: str, cwd: str, env: dict[str, str]) -> int:
        """Fork a report process that connects to the Unix socket ``sock``; return its pid."""
        return int(self.request(op="fork", sock=sock, cwd=cwd, env=env)["pid"])

    def prepare(self, target: str, parameters: dict[str, Any]) -> None:
        """Have the server call ``target`` (``"module:function"``) with the ``parameters`` it
        accepts, once per distinct call; children forked afterwards inherit what it loaded.
        A failing call is ignored: the notebook meets, and reports, the same error itself."""
        self.request(op="prepare", target=target, parameters=parameters)

    def reap(self, pid: int) -> int | None:
        """Wait for a child that was sent SIGKILL to be gone; return its exit code."""
        return self.request(op="reap", pid=pid)["code"]

    def exit_code(self, pid: int) -> int | None:
        """The child's exit code (negative: killed by that signal), or None while it runs."""
        return self.request(op="poll", pid=pid)["code"]

    def close(self) -> None:
        """Stop the server (children it forked are killed by their owners)."""
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
    for name in [*preload, *CHILD_MODULES]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the notebook reports the real error when it runs
            failed.append(f"{name}: {exc.__class__.__name__}")
    if "living_lab.report.cellshell" in sys.modules:
        from living_lab.report.cellshell import make_shell

        make_shell()  # a shell that has run nothing, for every child
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


def _child(req: dict[str, Any], server_fds: Sequence[int]) -> None:
    """Body of a forked child: run the cells the runner sends on ``req['sock']`` (never returns)."""
    code = 1
    try:
        os.setsid()
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        for fd in server_fds:
            os.close(fd)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        np = sys.modules.get("numpy")
        if np is not None:
            np.random.seed(None)  # from the OS, as in a fresh interpreter
        from living_lab.report.cellshell import serve

        serve(req["sock"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc(file=sys.__stderr__)
    finally:
        os._exit(code)


def serve() -> None:
    """Read JSON requests on stdin, answer on stdout (one line each)."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the answers
    first = json.loads(sys.stdin.readline())
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
                # it, so children neither scan it nor copy its pages by touching their headers.
                gc.freeze()
                pid = os.fork()
                if pid == 0:
                    _child(req, [out.fileno()])
                answer = {"pid": pid}
        else:
            answer = {"error": f"unknown request {req['op']!r}"}
        out.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    serve()
