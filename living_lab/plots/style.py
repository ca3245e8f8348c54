"""Shared look of every figure: readable fonts, one palette, the target line.

Call :func:`apply` at the start of a figure function (it uses a context, so it never changes
global matplotlib state between regions run in the same kernel).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
from matplotlib.axes import Axes

#: Colours: the focus region, peers, the target, and the predicate bands (low to high).
FOCUS = "#c0392b"
PEER = "#7f8c8d"
NATIONAL = "#2c3e50"
TARGET = "#27ae60"
BANDS = ("#f4d6d6", "#f8e7c9", "#f3f1c4", "#d9efd3", "#c9e4f2")

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "figure.figsize": (8, 4.5),
}


@contextmanager
def apply() -> Iterator[None]:
    """Context in which figures get the house style."""
    with mpl.rc_context(RC):
        yield


def target_line(ax: Axes, target: float, label: str) -> None:
    """Horizontal dashed line at the target index, labelled."""
    ax.axhline(target, color=TARGET, linestyle="--", linewidth=1.5, label=label, zorder=1)
