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
#: Chosen to stay apart under colour-vision deficiency (no red/green pairs): hues from the
#: Okabe-Ito set; the bands run orange (Kurang) through a pale neutral (Baik) to blue
#: (Memuaskan), with lightness falling away from the middle, so neighbouring bands differ by a
#: CIELAB distance above 10 under a deuteranopia or protanopia simulation (Machado et al.
#: 2009; checked in ``tests/test_palette.py``). Text never relies on colour alone: changes carry
#: their sign and predicates their name.
FOCUS = "#d55e00"
PEER = "#7f8c8d"
NATIONAL = "#2c3e50"
TARGET = "#0072b2"
BANDS = ("#f4b183", "#fbdcb9", "#f5f5f0", "#c5dcef", "#92bfe3")
#: Text colours of a favourable and an unfavourable change (contrast >= 4.5:1 on white).
GOOD = "#0072b2"
BAD = "#b34700"

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
