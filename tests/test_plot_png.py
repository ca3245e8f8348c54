"""Region figures are stored as palette PNGs that look like the full-colour figure.

The report's region figures are encoded with at most 256 colours (Pillow's fast octree), which
cuts their bytes to about a third. These tests check the embedded PNG's format and compare
the palette encoding of a full-colour domain profile with that figure pixel by pixel.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import PIL.Image

from living_lab.plots import report as plots

LABELS = {
    "x": "Domain index (scale 0-5)",
    "median": "Cohort median",
    "target": "Index target 3.50",
    "best": "Group benchmark (90th percentile)",
    "region": "This region",
    "title": "Domain scores 2024: Kabupaten Sumedang",
}


def _domains() -> pd.DataFrame:
    # Kab. Sumedang's published 2024 domain scores (KemenPANRB, Laporan Evaluasi SPBE 2024);
    # median and benchmark values are only drawn, any numbers do.
    return pd.DataFrame(
        {
            "label": ["Kebijakan Internal", "Tata Kelola", "Manajemen", "Layanan"],
            "region": [5.0, 4.3, 3.91, 4.69],
            "median": [4.4, 3.5, 2.73, 4.5],
            "best": [5.0, 4.2, 3.37, 4.69],
        }
    )


def _full_colour() -> np.ndarray:
    fig = plots.plot_domain_profile(_domains(), target=3.5, labels=LABELS, lang="en")
    png = plots.to_png(fig)  # full colour, in the report's style and resolution
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_region_figure_is_a_palette_png() -> None:
    png = plots.domain_profile_png(_domains(), target=3.5, labels=LABELS, lang="en")
    image = PIL.Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "P"
    assert len(image.getcolors(maxcolors=257) or []) <= plots.PALETTE_COLOURS
    assert round(image.info["dpi"][0]) == plots.DPI
    assert image.size == (int(8.0 * plots.DPI), int(3.6 * plots.DPI))


def test_palette_png_is_close_to_the_full_colour_figure_and_smaller() -> None:
    full = _full_colour()
    png = plots.palette_png(PIL.Image.fromarray(full.astype(np.uint8)), plots.DPI)
    stored = np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    assert stored.shape == full.shape
    err = np.abs(stored - full).max(axis=2)
    # The full-colour figure has hundreds of anti-aliasing shades; the palette keeps every
    # pixel within 16 of 255 per channel (not visible) and on average within a few levels.
    assert len(np.unique(full.reshape(-1, 3), axis=0)) > plots.PALETTE_COLOURS
    assert err.max() <= 16
    assert err.mean() < 3
    full_png = io.BytesIO()
    PIL.Image.fromarray(full.astype(np.uint8)).save(full_png, format="png")
    assert len(png) < 0.6 * len(full_png.getvalue())


def test_region_figure_bytes_are_reproducible() -> None:
    first = plots.domain_profile_png(_domains(), target=3.5, labels=LABELS, lang="en")
    again = plots.domain_profile_png(_domains(), target=3.5, labels=LABELS, lang="en")
    assert first == again


def test_palette_png_keeps_transparency_of_a_transparent_image() -> None:
    rgba = np.zeros((20, 30, 4), dtype=np.uint8)
    rgba[5:15, 5:25] = (200, 40, 30, 255)
    out = PIL.Image.open(io.BytesIO(plots.palette_png(PIL.Image.fromarray(rgba), 96)))
    back = np.asarray(out.convert("RGBA"))
    assert back[0, 0, 3] == 0
    assert tuple(back[10, 10]) == (200, 40, 30, 255)
