"""Shared fixtures. Matplotlib is forced to a non-interactive backend for every test."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from living_lab import paths  # noqa: E402


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The raw source folder; tests that need it are skipped (with the reason) when it is absent."""
    folder = paths.shared_data()
    if not (folder / "spbe" / "spbe_results_2023_2024.csv").exists():
        pytest.skip(f"raw source data not found at {folder} (set LIVING_LAB_SHARED)")
    return folder
