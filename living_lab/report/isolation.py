"""Kernel-side state reset, so a warm kernel runs each notebook as a fresh kernel would.

The report runner keeps a few IPython kernels alive and runs many notebooks in each one. After
the heavy libraries are imported (once per kernel), :func:`snapshot` records the state a fresh
kernel would have at that point; before every notebook, :func:`reset` puts it back:

- the user namespace, ``In``/``Out`` history and the execution counter (``reset(new_session=True)``,
  so the first cell is ``[1]`` again, as in a fresh kernel);
- open matplotlib figures, ``rcParams``, unit converters and the inline backend's figure formats;
- pandas options, numpy print options and floating-point error handling;
- the global random generators of ``random`` and ``numpy.random``, reseeded from the operating
  system as a fresh interpreter does (a notebook that wants reproducible draws seeds them itself);
- warning filters *and* the "already shown once" registries, so a warning printed in one region
  is printed again in the next, as it would be in a fresh kernel;
- ``os.environ``, the working directory, ``sys.path`` and the root logger's handlers and level.

Modules imported by a notebook stay imported (importing is what we want to save); a library that
keeps mutable module-level state a notebook changes would leak between regions, which the
isolation test of the runner (warm output == fresh papermill output) is there to catch.

This module runs inside the kernel: it imports only the standard library at module level and
touches numpy, pandas and matplotlib only if they are already loaded.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import sys
import warnings
from dataclasses import dataclass
from typing import Any


@dataclass
class _Baseline:
    cwd: str
    environ: dict[str, str]
    sys_path: list[str]
    warning_filters: list[Any]
    showwarning: Any
    root_level: int
    root_handlers: list[logging.Handler]
    rc: dict[str, Any] | None = None
    units: dict[Any, Any] | None = None
    inline: dict[str, Any] | None = None
    pandas_options: dict[str, Any] | None = None
    numpy_print: dict[str, Any] | None = None
    numpy_err: dict[str, str] | None = None


_BASELINE: _Baseline | None = None


def _pandas_option_keys(pd: Any) -> list[str]:
    """Names of pandas' current options, through its public ``pd.options`` tree.

    Deprecated options (reading them warns) are left out: a notebook that sets one gets the
    warning, and pandas maps it to its replacement, which is restored.
    """
    group = type(pd.options)

    def walk(node: Any, prefix: str) -> list[str]:
        found = []
        for name in dir(node):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = getattr(node, name)
            if isinstance(value, group):
                found += walk(value, f"{prefix}{name}.")
            elif not any(
                issubclass(w.category, DeprecationWarning | FutureWarning) for w in caught
            ):
                found.append(f"{prefix}{name}")
        return found

    return sorted(walk(pd.options, ""))


def _inline_backend() -> Any | None:
    if "matplotlib_inline.backend_inline" not in sys.modules:
        return None
    from matplotlib_inline.config import InlineBackend

    return InlineBackend.instance() if InlineBackend.initialized() else None


def snapshot() -> None:
    """Record the current interpreter state as the baseline :func:`reset` restores."""
    global _BASELINE
    root = logging.getLogger()
    base = _Baseline(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        sys_path=list(sys.path),
        warning_filters=list(warnings.filters),
        showwarning=warnings.showwarning,
        root_level=root.level,
        root_handlers=list(root.handlers),
    )
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        base.rc = copy.deepcopy(dict(mpl.rcParams))
        units = sys.modules.get("matplotlib.units")
        if units is not None:
            base.units = dict(units.registry)
    inline = _inline_backend()
    if inline is not None:
        base.inline = {
            "figure_formats": set(inline.figure_formats),
            "print_figure_kwargs": dict(inline.print_figure_kwargs),
            "close_figures": inline.close_figures,
        }
    pd = sys.modules.get("pandas")
    if pd is not None:
        base.pandas_options = {}
        for key in _pandas_option_keys(pd):
            try:
                base.pandas_options[key] = copy.deepcopy(pd.get_option(key))
            except Exception:  # an option that cannot be read cannot be restored either
                continue
    np = sys.modules.get("numpy")
    if np is not None:
        base.numpy_print = np.get_printoptions()
        base.numpy_err = np.geterr()
    _BASELINE = base


def _restore_matplotlib(base: _Baseline) -> None:
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
    if base.rc is not None and dict(mpl.rcParams) != base.rc:
        # dict.update skips RcParams validation (and its deprecation warnings): the baseline
        # values were validated when they were first set.
        dict.update(mpl.rcParams, copy.deepcopy(base.rc))
    units = sys.modules.get("matplotlib.units")
    if units is not None and base.units is not None and dict(units.registry) != base.units:
        units.registry.clear()
        units.registry.update(base.units)
    inline = _inline_backend()
    if inline is not None and base.inline is not None:
        changed = False
        for name, value in base.inline.items():
            if getattr(inline, name) != value:
                setattr(inline, name, copy.copy(value))
                changed = True
        if changed:
            from matplotlib_inline.backend_inline import select_figure_formats

            ip = _ipython()
            if ip is not None:
                select_figure_formats(
                    ip, base.inline["figure_formats"], **base.inline["print_figure_kwargs"]
                )


def _restore_numeric(base: _Baseline) -> None:
    pd = sys.modules.get("pandas")
    if pd is not None and base.pandas_options is not None:
        for key, value in base.pandas_options.items():
            try:
                if pd.get_option(key) != value:
                    pd.set_option(key, copy.deepcopy(value))
            except Exception:  # noqa: S112 - an option pandas refuses to reset stays as is
                continue
    np = sys.modules.get("numpy")
    if np is not None:
        if base.numpy_print is not None and np.get_printoptions() != base.numpy_print:
            np.set_printoptions(**base.numpy_print)
        if base.numpy_err is not None:
            np.seterr(**base.numpy_err)
        # A fresh interpreter seeds the legacy global generator from the OS.
        np.random.seed(None)
    random.seed()


def _restore_process(base: _Baseline) -> None:
    if os.getcwd() != base.cwd:
        os.chdir(base.cwd)
    if dict(os.environ) != base.environ:
        os.environ.clear()
        os.environ.update(base.environ)
    if sys.path != base.sys_path:
        sys.path[:] = base.sys_path
    # resetwarnings() marks the filters as changed, so every module's __warningregistry__ ("this
    # warning was already shown") is dropped at its next warning and "default"-action warnings
    # repeat per region; then the baseline filters go back in place.
    warnings.resetwarnings()
    warnings.filters[:] = base.warning_filters
    warnings.showwarning = base.showwarning
    root = logging.getLogger()
    root.setLevel(base.root_level)
    root.handlers[:] = base.root_handlers
    logging.disable(logging.NOTSET)


def _ipython() -> Any | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def reset() -> None:
    """Return the kernel to the :func:`snapshot` state (call before each notebook)."""
    if _BASELINE is None:
        raise RuntimeError("isolation.reset() called before isolation.snapshot()")
    base = _BASELINE
    ip = _ipython()
    if ip is not None:
        # new_session=True resets the execution counter to 1 as in a fresh kernel.
        ip.reset(new_session=True)
    _restore_matplotlib(base)
    _restore_numeric(base)
    _restore_process(base)


def state_digest() -> dict[str, Any]:
    """A summary of the state :func:`reset` manages (used by tests to show nothing leaks)."""
    out: dict[str, Any] = {
        "cwd": os.getcwd(),
        "n_environ": len(os.environ),
        "sys_path": list(sys.path),
        "n_warning_filters": len(warnings.filters),
    }
    ip = _ipython()
    if ip is not None:
        hidden = set(ip.user_ns_hidden)
        out["user_names"] = sorted(
            k for k in ip.user_ns if k not in hidden and not k.startswith("_")
        )
        out["execution_count"] = ip.execution_count
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        out["rc_font_size"] = mpl.rcParams["font.size"]
        plt = sys.modules.get("matplotlib.pyplot")
        out["open_figures"] = len(plt.get_fignums()) if plt is not None else 0
    pd = sys.modules.get("pandas")
    if pd is not None:
        out["pandas_max_rows"] = pd.get_option("display.max_rows")
    return out
