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

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """The batch's signal handler (see the module docstring)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._holding = 0
        self._pending = False

    def install(self) -> bool:
        """Handle SIGINT and SIGTERM from now on; False when not in the main thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for sig in SIGNALS:
            signal.signal(sig, self._handle)
        return True

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
