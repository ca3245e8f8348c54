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
