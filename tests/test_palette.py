"""Status colours and predicate bands stay distinguishable under colour-vision deficiency.

Each colour is passed through the simulation matrices of Machado, Oliveira & Fernandes (2009,
"A physiologically-based model for simulation of color vision deficiency", IEEE TVCG 15(6),
severity 1.0; applied to linear RGB) and compared in CIELAB (D65). Neighbouring predicate bands
must stay at least ``MIN_BAND`` apart (a CIE76 distance of about 2.3 is one just-noticeable
difference), the good/bad and focus/target pairs far more. The matrices' own known truth is
checked first: a deuteranope cannot tell pure red from a specific green-brown that the matrix
maps to the same colour, and grey stays grey.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np
import pytest

from living_lab.framework import load_framework
from living_lab.plots import maps, style
from living_lab.report import index_page, sections

#: Machado et al. (2009), Table 1, severity 1.0.
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
NORMAL = np.eye(3)
VISIONS = {"normal": NORMAL, "deuteranopia": DEUTERANOPIA, "protanopia": PROTANOPIA}
#: Smallest CIELAB distance between neighbouring predicate bands, under every vision above.
MIN_BAND = 10.0
#: Smallest distance between the favourable and unfavourable text colours, and focus vs target.
MIN_PAIR = 40.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    m = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    )
    t = (m @ linear_rgb) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(hex_colour: str, vision: np.ndarray) -> np.ndarray:
    """CIELAB of a colour as seen with ``vision`` (a Machado matrix on linear RGB)."""
    return _lab(np.clip(vision @ _linear(hex_colour), 0.0, 1.0))


def distance(a: str, b: str, vision: np.ndarray) -> float:
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def contrast(fg: str, bg: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio."""

    def lum(h: str) -> float:
        return float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(h))

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_simulation_reproduces_known_truths():
    # Grey is unchanged by every matrix (rows sum to 1).
    for vision in VISIONS.values():
        assert distance("#808080", "#808080", vision) == 0
        assert np.allclose(vision.sum(axis=1), 1.0, atol=1e-5)
        assert np.linalg.norm(seen("#808080", vision) - seen("#808080", NORMAL)) < 1e-3
    # The classic confusion: the old red/green status pair, far apart in normal vision,
    # collapses by more than four fifths for a deuteranope.
    normal = distance("#b03a2e", "#1e7e45", NORMAL)
    deut = distance("#b03a2e", "#1e7e45", DEUTERANOPIA)
    assert normal > 80 and deut < normal / 4
    # Blue against yellow (the axis deuteranopes keep) stays far apart.
    assert distance("#0000ff", "#ffff00", DEUTERANOPIA) > 100


def test_old_bands_merged_and_new_bands_stay_apart():
    old = ("#f4d6d6", "#f8e7c9", "#f3f1c4", "#d9efd3", "#c9e4f2")
    assert min(distance(a, b, DEUTERANOPIA) for a, b in pairwise(old)) < 6  # Cukup vs Baik
    assert len(style.BANDS) == len(load_framework().predicates)
    for name, vision in VISIONS.items():
        gaps = [distance(a, b, vision) for a, b in pairwise(style.BANDS)]
        assert min(gaps) >= MIN_BAND, (name, gaps)
        every = [
            distance(a, b, vision) for i, a in enumerate(style.BANDS) for b in style.BANDS[i + 1 :]
        ]
        assert min(every) >= MIN_BAND, (name, every)


def test_band_lightness_falls_away_from_the_middle_band():
    """Order is readable without hue: the middle band (Baik) is lightest, the ends darkest."""
    for vision in VISIONS.values():
        light = [seen(c, vision)[0] for c in style.BANDS]
        assert light[0] < light[1] < light[2] and light[2] > light[3] > light[4]
        # Dark text on every band keeps WCAG AA contrast.
        assert all(contrast("#222222", c) >= 7 for c in style.BANDS)


@pytest.mark.parametrize("vision", ["deuteranopia", "protanopia"])
def test_status_and_line_colours_stay_apart(vision):
    m = VISIONS[vision]
    assert distance(style.GOOD, style.BAD, m) >= MIN_PAIR
    assert distance(style.FOCUS, style.TARGET, m) >= MIN_PAIR
    assert distance(style.FOCUS, style.PEER, m) >= MIN_PAIR


def test_status_text_colours_are_readable_and_used_by_the_pages():
    assert contrast(style.GOOD) >= 4.5 and contrast(style.BAD) >= 4.5
    for css, good, bad in (
        (sections.FRAGMENT_CSS, r"\.ll-good\{color:(#\w+)", r"\.ll-bad\{color:(#\w+)"),
        (index_page.INDEX_CSS, r"\.good\{color:(#\w+)", r"\.bad\{color:(#\w+)"),
    ):
        assert re.search(good, css).group(1) == style.GOOD
        assert re.search(bad, css).group(1) == style.BAD


def test_map_predicate_colours_stay_apart():
    """The maps' own predicate scale (a sequential yellow-blue ramp) passes the same check."""
    for name, vision in VISIONS.items():
        gaps = [distance(a, b, vision) for a, b in pairwise(maps.PREDICATE_COLOURS)]
        assert min(gaps) >= MIN_BAND, (name, gaps)
