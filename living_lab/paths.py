"""The one place that knows where things live.

Every other module, notebook and test asks this module for a path; none hard-codes one.

Two layouts, one set of names:

- **checkout** (development, ``pip install -e .``): the repository's own top-level ``data/``,
  ``params/`` and ``notebooks/`` folders, so an edit there takes effect at once;
- **installed wheel**: the same folders, copied at build time into the package as
  ``living_lab/_bundle/{data,params,notebooks}`` (see ``setup.py``) and found through
  :mod:`importlib.resources`, so ``pip install living_lab`` works anywhere.

``LIVING_LAB_SHARED`` overrides where the raw source files are (default: ``../shared/data``
beside the repository).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: The installed package (a plain folder: the package is never imported from a zip).
PACKAGE_DIR = Path(str(resources.files("living_lab"))).resolve()
#: Where the package's build copies the top-level folders (``setup.py`` maps them here).
BUNDLE = PACKAGE_DIR / "_bundle"
#: The repository this package was imported from, if it was imported from one.
CHECKOUT = PACKAGE_DIR.parent
IN_CHECKOUT = all(
    (CHECKOUT / name).exists() for name in ("pyproject.toml", "data", "params", "notebooks")
)
#: Folder holding ``data/``, ``params/`` and ``notebooks/``: the checkout, else the bundle.
ROOT = CHECKOUT if IN_CHECKOUT else BUNDLE
DATA = ROOT / "data"
FRAMEWORKS = DATA / "frameworks"
PARAMS = ROOT / "params"
COHORTS = PARAMS / "cohorts"
NOTEBOOKS = ROOT / "notebooks"
LOCALES = PACKAGE_DIR / "locales"
#: Default ``--out`` of ``living-lab reports``: ``reports/`` in the checkout, else in the
#: current folder (never inside an installed package).
DEFAULT_REPORTS = CHECKOUT / "reports" if IN_CHECKOUT else Path("reports")


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
