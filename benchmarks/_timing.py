"""Timing helper shared by the ``bench_<topic>.py`` benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn``.

    The minimum, not the mean: on a shared machine the slower runs measure the neighbours.

    >>> best_of(lambda: None, repeat=2) >= 0
    True
    """
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
