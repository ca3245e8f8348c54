"""Run OpenBLAS on one thread while fitting small models.

The linkage models are small (about 500 x 40). For such sizes OpenBLAS's worker threads cost
more than they save, and on a shared machine their busy-waiting slows every following call
(a 466 x 35 fit measured 20x slower with threads than without). :func:`single_threaded_blas`
sets the thread count of every loaded OpenBLAS (numpy's and scipy's copies) to 1 and restores
it afterwards, like ``threadpoolctl.threadpool_limits(1)`` (not a dependency of this project).
Where the libraries cannot be found (not Linux, another BLAS) it does nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

#: Symbol name stems of OpenBLAS builds: plain, and the scipy-openblas wheels' prefixed names.
_PREFIXES = ("openblas", "scipy_openblas")
_SUFFIXES = ("", "64_")


@cache
def _controls() -> tuple[tuple[ctypes._CFuncPtr, ctypes._CFuncPtr], ...]:
    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                path = line.rsplit(maxsplit=1)[-1]
                if "openblas" in path.lower() and ".so" in path:
                    paths.add(path)
    except OSError:
        return ()
    found = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                get = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype = ctypes.c_int
                    set_.argtypes = [ctypes.c_int]
                    found.append((get, set_))
    return tuple(found)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Context in which OpenBLAS uses one thread (previous counts restored on exit)."""
    controls = _controls()
    before = [get() for get, _ in controls]
    for _, set_ in controls:
        set_(1)
    try:
        yield
    finally:
        for (_, set_), n in zip(controls, before, strict=True):
            set_(n)
