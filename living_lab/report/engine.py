"""The papermill engine of the report runner: cells executed in a forked report process.

papermill executes a notebook through an engine (``papermill.engines``, its public extension
point); the usual one drives a Jupyter kernel through nbclient. This one drives a report
process forked for the notebook (:mod:`living_lab.report.forkserver`), which runs the cells in
ipykernel's shell and answers each with the messages a kernel would have published
(:mod:`living_lab.report.cellshell`). :func:`execute_cells` follows papermill's cell loop
(``PapermillNotebookClient.papermill_execute_cells``) and nbclient's per-cell steps, and turns
the messages into outputs with nbformat's ``output_from_msg``; papermill's execution manager
keeps its metadata, so the executed notebook is a normal papermill output.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any

ENGINE_NAME = "living-lab-forked"


class ChildGone(Exception):
    """The report process hung up (it died or was killed) before answering."""


class CellChannel:
    """The runner's end of the socket to one report process (:mod:`living_lab.report.cellshell`).

    ``deadline`` (a ``time.monotonic()`` value) bounds every wait: past it,
    :meth:`execute` raises ``TimeoutError``.
    """

    def __init__(self, conn: socket.socket, deadline: float) -> None:
        self.conn, self.deadline = conn, deadline
        self._rfile, self._wfile = conn.makefile("rb"), conn.makefile("wb")

    def execute(self, code: str) -> dict[str, Any]:
        """Run one cell; the child's reply (status, execution count, outputs as messages)."""
        try:
            self._wfile.write(json.dumps({"code": code}).encode("ascii") + b"\n")
            self._wfile.flush()
            self.conn.settimeout(max(self.deadline - time.monotonic(), 0.001))
            line = self._rfile.readline()
        except TimeoutError:
            raise
        except OSError as exc:
            raise ChildGone(str(exc)) from None
        if not line:
            raise ChildGone("no answer")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        for f in (self._wfile, self._rfile, self.conn):
            try:
                f.close()
            except OSError:
                pass


def _add_output(cell: Any, msg: dict[str, Any], displays: dict[str, list[Any]]) -> None:
    """Add one output message to ``cell`` as nbclient does (``display_id`` updates included)."""
    from nbformat.v4 import output_from_msg

    kind, content = msg["msg_type"], msg["content"]
    if kind == "clear_output":
        cell.outputs = []
        return
    display_id = (content.get("transient") or {}).get("display_id")
    if kind == "update_display_data":
        for out in displays.get(display_id or "", []):
            out["data"], out["metadata"] = content["data"], content["metadata"]
        return
    out = output_from_msg({"header": {"msg_type": kind}, "content": content})
    if display_id:
        for old in displays.get(display_id, []):
            old["data"], old["metadata"] = out["data"], out["metadata"]
        displays.setdefault(display_id, []).append(out)
    cell.outputs.append(out)


def execute_cells(nb_man: Any, channel: CellChannel) -> None:
    """Run papermill's cell loop (``PapermillNotebookClient.papermill_execute_cells``) with nbclient's
    per-cell steps, on a report process instead of a kernel: papermill's start, end and status
    metadata for every cell, outputs and execution counts for code cells, the loop stopped by
    the first error (papermill's error cells are added afterwards by ``raise_for_execution_errors``).
    """
    from ipykernel.ipkernel import IPythonKernel
    from nbclient.exceptions import CellExecutionError

    nb = nb_man.nb
    displays: dict[str, list[Any]] = {}
    for index, cell in enumerate(nb.cells):
        try:
            nb_man.cell_start(cell, index)
            tags = cell.metadata.get("tags", [])
            if cell.cell_type != "code" or not cell.source.strip() or "skip-execution" in tags:
                continue
            cell.outputs = []
            reply = channel.execute(cell.source)
            cell.execution_count = reply["execution_count"]
            for msg in reply["outputs"]:
                _add_output(cell, msg, displays)
            if reply["status"] == "error" and "raises-exception" not in tags:
                raise CellExecutionError.from_cell_and_msg(cell, reply)
        except CellExecutionError as exc:
            nb_man.cell_exception(nb.cells[index], cell_index=index, exception=exc)
            break
        finally:
            nb_man.cell_complete(nb.cells[index], cell_index=index)
    nb.metadata["language_info"] = dict(IPythonKernel.language_info)


def register_engine() -> None:
    """Register the papermill engine :data:`ENGINE_NAME` (idempotent)."""
    from papermill.engines import Engine, papermill_engines

    class ForkedProcessEngine(Engine):
        """papermill engine executing the cells in a report process forked for this notebook."""

        @classmethod
        def execute_managed_notebook(
            cls, nb_man: Any, kernel_name: str, *, channel: CellChannel, **kwargs: Any
        ) -> Any:
            execute_cells(nb_man, channel)
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, ForkedProcessEngine)
