"""The one place that knows where things live.

Every other module, notebook and test asks this module for a path; none hard-codes one.
``LIVING_LAB_SHARED`` overrides where the raw source files are (default: ``../shared/data``
beside the repository).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
DATA = ROOT / "data"
FRAMEWORKS = DATA / "frameworks"
PARAMS = ROOT / "params"
COHORTS = PARAMS / "cohorts"
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_REPORTS = ROOT / "reports"


def shared_data() -> Path:
    """Folder of the raw published source files (read-only input of ``make data``)."""
    env = os.environ.get("LIVING_LAB_SHARED")
    return Path(env).resolve() if env else (ROOT.parent / "shared" / "data").resolve()


def dataset(name: str) -> Path:
    """Path of a bundled tidy table, e.g. ``dataset("spbe_index")`` -> data/spbe_index.csv."""
    return DATA / f"{name}.csv"


def metadata(name: str) -> Path:
    """Path of the metadata file beside a bundled table."""
    return DATA / f"{name}.meta.yml"
