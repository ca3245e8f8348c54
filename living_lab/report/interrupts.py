"""Ctrl-C and SIGTERM during a batch: stop once, cleanly, whatever the burst of signals.

The first SIGINT or SIGTERM raises :class:`KeyboardInterrupt` in the main thread (or, while a
report's files and the manifest are being written, right after that write); every later signal
is ignored, so a burst (several Ctrl-C 20 ms apart, TERM then INT) cannot interrupt the cleanup
that marks the manifest ``interrupted``. The command then exits with status 130 for either
signal (documented in ``living-lab reports --help``).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """The batch's signal handler (see the module docstring)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._holding = 0
        self._pending = False

    def install(self) -> dict[int, Any]:
        """Handle SIGINT and SIGTERM from now on; return the handlers replaced (none when not
        in the main thread, where signals cannot be handled)."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, self._handle) for sig in SIGNALS}

    def restore(self, previous: dict[int, Any]) -> None:
        """Put back ``previous`` handlers, unless a signal came: then later ones stay ignored
        (the process is on its way out and must not be interrupted in its cleanup)."""
        if self.received is not None:
            return
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            return  # a burst: the first signal is already being handled
        self.received = signum
        if self._holding:
            self._pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        """Delay an interrupt until the block (a few ms of writing) is done."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1
            if not self._holding and self._pending:
                self._pending = False
                raise KeyboardInterrupt


#: The process's handler (one per process: signals are per process).
INTERRUPTS = Interrupts()
