"""Execute a notebook's cells in this process, for a runner on the other end of a socket.

The report runner forks one child per report from a warm fork server
(:mod:`living_lab.report.forkserver`); the child calls :func:`serve`, which runs each cell it is
sent in an IPython shell of ipykernel's own class (``ZMQInteractiveShell``, the shell a Jupyter
kernel runs) and answers with the cell's outputs as a kernel would have published them. The
runner's papermill engine (:mod:`living_lab.report.pool`) turns the answers into notebook
outputs with nbformat's ``output_from_msg``, so an executed notebook is the same as a
``papermill`` run's; what is saved is the kernel's messaging: no ZeroMQ sockets, no I/O,
heartbeat and control threads, no per-message session signing (about 0.15 s of CPU per
report, a quarter of its cost).

Protocol: one JSON object per line, each way. The runner sends ``{"code": source}``; the
child answers ``{"status", "execution_count", "outputs", ...}`` where each output is
``{"msg_type": ..., "content": ...}`` (``stream``, ``display_data``, ``update_display_data``,
``execute_result``, ``error``, ``clear_output``) and, on an error, ``ename``, ``evalue`` and
``traceback`` as in a kernel's ``execute_reply``. End of input ends the child.

Differences from a kernel, none of which the report notebooks use: no stdin (``input()``
raises ``StdinNotImplementedError``, as in a kernel run by papermill), no comms or widgets,
no output written below Python to file descriptors 1 and 2 (it goes to the runner's stderr).
"""

from __future__ import annotations

import builtins
import io
import json
import socket
import sys
from typing import Any

from ipykernel.compiler import XCachingCompiler
from ipykernel.jsonutil import json_clean
from ipykernel.zmqshell import ZMQInteractiveShell
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import StdinNotImplementedError
from jupyter_client.jsonutil import json_default
from traitlets import Type
from traitlets.config import Config


class _Cell:
    """Outputs of the running cell, as kernel messages (``msg_type`` and ``content``)."""

    outputs: list[dict[str, Any]] = []
    clear_on_next = False

    @classmethod
    def add(cls, msg_type: str, content: dict[str, Any]) -> None:
        if cls.clear_on_next:
            cls.clear_on_next = False
            cls.outputs.append({"msg_type": "clear_output", "content": {"wait": False}})
        last = cls.outputs[-1] if cls.outputs else None
        if (
            msg_type == "stream"
            and last is not None
            and last["msg_type"] == "stream"
            and last["content"]["name"] == content["name"]
        ):
            last["content"]["text"] += content["text"]
        else:
            cls.outputs.append({"msg_type": msg_type, "content": content})


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` of the shell: text becomes the cell's stream output."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            _Cell.add("stream", {"name": self._name, "text": text})
        return len(text)


class _Publisher(DisplayPublisher):
    """``display()``: a ``display_data`` (or ``update_display_data``) output of the cell."""

    def publish(  # type: ignore[override]
        self,
        data: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        transient: dict[str, Any] | None = None,
        update: bool = False,
        **kwargs: Any,
    ) -> None:
        content = {"data": data, "metadata": metadata or {}, "transient": transient or {}}
        _Cell.add("update_display_data" if update else "display_data", json_clean(content))

    def clear_output(self, wait: bool = False) -> None:
        if wait:
            _Cell.clear_on_next = True
        else:
            _Cell.add("clear_output", {"wait": False})


class _DisplayHook(DisplayHook):
    """A cell's last expression: its ``execute_result`` output."""

    msg: dict[str, Any] | None = None

    def start_displayhook(self) -> None:
        self.msg = {"data": {}, "metadata": {}, "execution_count": self.prompt_count}

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(
        self, format_dict: dict[str, Any], md_dict: dict[str, Any] | None = None
    ) -> None:
        assert self.msg is not None
        self.msg["data"] = format_dict
        self.msg["metadata"] = md_dict or {}

    def finish_displayhook(self) -> None:
        if self.msg is not None and self.msg["data"]:
            _Cell.add("execute_result", json_clean(self.msg))
        self.msg = None


class ReportShell(ZMQInteractiveShell):
    """ipykernel's shell, with its outputs collected for the runner instead of published."""

    displayhook_class = Type(_DisplayHook)  # type: ignore[assignment]
    display_pub_class = Type(_Publisher)  # type: ignore[assignment]

    def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
        if getattr(self.displayhook, "msg", None) is not None:
            self._last_traceback_during_displayhook = True
        _Cell.add("error", {"traceback": stb, "ename": etype.__name__, "evalue": str(evalue)})
        self._last_traceback = stb


def _no_input(*args: Any, **kwargs: Any) -> str:
    raise StdinNotImplementedError(
        "raw_input was called, but this frontend does not support input requests."
    )


def make_shell() -> ReportShell:
    """The shell cells run in (with the kernel's compiler: cells get its file names).

    One per process (``instance()``): the fork server makes it before forking (about 30 ms a
    report saved), so every child starts with the same shell that has run nothing.
    """
    # In-memory history: a history file shared by many report processes only slows them down.
    config = Config({"HistoryManager": {"enabled": False}})
    shell = ReportShell.instance(compiler_class=XCachingCompiler, config=config)
    return shell


def execute(shell: ReportShell, code: str) -> dict[str, Any]:
    """Run one cell; its outputs and status as a kernel's messages would give them."""
    _Cell.outputs, _Cell.clear_on_next = [], False
    result = shell.run_cell(code, store_history=True, silent=False)
    failed = not result.success or getattr(shell, "_last_traceback_during_displayhook", False)
    reply: dict[str, Any] = {
        "status": "error" if failed else "ok",
        "execution_count": shell.execution_count - 1,
        "outputs": _Cell.outputs,
    }
    if failed:
        err = result.error_before_exec or result.error_in_exec
        reply.update(
            traceback=shell._last_traceback or [],
            ename=type(err).__name__,
            evalue=str(err),
        )
    return reply


def serve(path: str) -> None:
    """Connect to the runner at ``path`` and execute the cells it sends until it hangs up."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    rfile, wfile = sock.makefile("rb"), sock.makefile("wb")
    shell = make_shell()  # usually made by the fork server already: then only its environment
    shell.init_environment()  # variables are set again, as the child's environment is new
    builtins.input = _no_input
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    for line in rfile:
        reply = execute(shell, json.loads(line)["code"])
        wfile.write(json.dumps(reply, default=json_default).encode("ascii") + b"\n")
        wfile.flush()
