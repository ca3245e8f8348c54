"""Shared fixtures, test tiers and the guard that keeps the quick tier kernel-free.

Matplotlib is forced to a non-interactive backend for every test.

Test tiers (markers declared in pyproject.toml):

- ``kernel``: starts a Jupyter kernel (papermill, nbclient, the report runner, ``living-lab reports``);
- ``browser``: starts headless Chromium;
- ``server``: starts a server (JupyterLab, a Dask cluster);
- ``slow``: long even without any of those (simulations, wheel builds);
- ``integration``: runs the command line in a subprocess or a notebook end to end.

``make test-quick`` runs ``-m "not kernel and not browser and not server and not slow"``. So that
the quick tier stays quick, a test that starts a kernel, a browser, a server or a worker process
without carrying the matching marker fails here with a message naming the marker it needs.
"""

from __future__ import annotations

import multiprocessing.process
import os
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")
# jsonschema (imported by nbformat and living_lab.schema) would import the optional
# rfc3987_syntax, which compiles some forty grammars (about 2 s of CPU) for IRI formats that no
# schema here uses; the report runner's processes and living_lab.schema go without it too.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from living_lab import paths  # noqa: E402

#: Markers that allow a test to start the corresponding kind of process.
HEAVY_MARKERS = ("kernel", "browser", "server")

_current: dict[str, pytest.Item | None] = {"item": None}


def _needed_marker(argv: object) -> str | None:
    """The marker a command line needs, or None if it is light (e.g. ``living-lab score``)."""
    if isinstance(argv, str | bytes | os.PathLike):
        words = [os.fsdecode(argv)]
    else:
        words = [os.fsdecode(a) for a in argv]  # type: ignore[union-attr]
    text = " ".join(words)
    names = {Path(w).name for w in words}
    if (
        "ipykernel_launcher" in text
        or "ipykernel" in names
        or "living_lab.report.forkserver" in words
    ):
        return "kernel"
    if any(n.startswith(("chromium", "chrome", "google-chrome")) for n in names):
        return "browser"
    if "jupyter" in names or "jupyter-lab" in names or "dask" in text:
        return "server"
    runs_cli = "living_lab.cli" in words or "living-lab" in names
    if runs_cli and "reports" in words:
        return "kernel"
    return None


def _check(kind: str, detail: str, accepted: frozenset[str] | None = None) -> None:
    item = _current["item"]
    if item is None:
        return
    marks = {m.name for m in item.iter_markers()}
    if not marks & (accepted or {kind}):
        raise RuntimeError(
            f"{item.nodeid} starts a {kind} process ({detail}) but is not marked "
            f"@pytest.mark.{kind}; mark it so that `make test-quick` stays kernel-free"
        )


_popen_init = subprocess.Popen.__init__
_process_start = multiprocessing.process.BaseProcess.start


def _guarded_popen_init(self, args, *a, **kw):  # type: ignore[no-untyped-def]
    kind = _needed_marker(args)
    if kind:
        _check(kind, str(args)[:120])
    return _popen_init(self, args, *a, **kw)


def _guarded_process_start(self):  # type: ignore[no-untyped-def]
    # Worker processes of the report runner (each holds a kernel) or of a Dask cluster.
    _check("kernel", repr(self), frozenset({"kernel", "server"}))
    return _process_start(self)


def pytest_sessionstart(session: pytest.Session) -> None:
    subprocess.Popen.__init__ = _guarded_popen_init  # type: ignore[method-assign]
    multiprocessing.process.BaseProcess.start = _guarded_process_start  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session) -> None:
    subprocess.Popen.__init__ = _popen_init  # type: ignore[method-assign]
    multiprocessing.process.BaseProcess.start = _process_start  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):  # type: ignore[no-untyped-def]
    _current["item"] = item
    try:
        yield
    finally:
        _current["item"] = None


def examples(default: int) -> int:
    """Hypothesis examples for a property test: ``default``, capped by ``LIVING_LAB_EXAMPLES``.

    ``make test-quick`` sets ``LIVING_LAB_EXAMPLES=20``; the full suite uses each test's own
    count (tests/test_properties.py reads the variable itself and may raise its count).
    """
    cap = os.environ.get("LIVING_LAB_EXAMPLES")
    return min(default, int(cap)) if cap else default


def in_ci() -> bool:
    """True on a continuous-integration run (``CI=true``), where nothing may be skipped."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip the test when a tool is missing, except in CI where a missing tool is a failure."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{reason}; CI must provide it (CI=true)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def west_java_context():
    """The West Java cohort context (2024, target 3.5 by 2025), built once per test session.

    Several modules test the report sections on it; building it costs seconds. Treat it as
    read-only (``dataclasses.replace`` with a copied table for a changed one).
    """
    from living_lab.results import context

    return context.build_context("jawa-barat", 2024, 3.5, 2025)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw source folder; tests that need it are skipped (with the reason) when it is absent,
    and fail in CI."""
    folder = paths.shared_data()
    require(
        (folder / "spbe" / "spbe_results_2023_2024.csv").exists(),
        f"raw source data not found at {folder} (set LIVING_LAB_SHARED)",
    )
    return folder
