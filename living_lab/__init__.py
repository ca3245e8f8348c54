"""Living Lab: benchmark SPBE scores of Indonesian regions and link them to outcomes.

The package is organised along the data flow::

    data in      paths, datasets, regions, validate, build, framework
    analysis     scoring, planner, trends, linkage, peers
    out          figures, text, report/ (runner and rendering), cli
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("living_lab")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

# Errors print their message keys through the text catalogue, which registers itself with
# living_lab.errors when imported (errors cannot import text: text raises them).
from living_lab import text as _text  # noqa: E402, F401
