"""Build hook: ship the top-level data/, params/ and notebooks/ folders inside the wheel.

The repository keeps them at the top level (that is where people edit them); a wheel carries
them as ``living_lab/_bundle/<folder>/...``, where :mod:`living_lab.paths` finds them through
:mod:`importlib.resources` when the package is not imported from a checkout. Everything else is
configured in pyproject.toml, which must not set package-data itself (setuptools would
then ignore this file's).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
BUNDLED = ("data", "params", "notebooks")
DATA_FILES = ["*.csv", "*.yml", "*.yaml", "*.md", "*.ipynb"]

package_dir = {"": "."}
packages = find_packages(include=["living_lab", "living_lab.*"])
# Text folders without __init__.py, listed so that setuptools ships them as data packages.
package_data = {
    ".".join(p.relative_to(HERE).parts): ["*.yml"]
    for p in [HERE / "living_lab" / "locales", *(HERE / "living_lab" / "locales").iterdir()]
    if p.is_dir()
}
packages += sorted(package_data)
# The report runner's Jinja2 templates.
package_data["living_lab.report"] = ["templates/*.j2"]
# The typed models of the configuration files (living_lab/schema.py).
package_data["living_lab"] = ["schemas/*.json"]
for top in BUNDLED:
    for folder in sorted(p for p in [HERE / top, *(HERE / top).rglob("*")] if p.is_dir()):
        rel = folder.relative_to(HERE)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue  # checkpoints, caches
        name = ".".join(("living_lab", "_bundle", *rel.parts))
        packages.append(name)
        package_dir[name] = rel.as_posix()
        package_data[name] = DATA_FILES

setup(packages=packages, package_dir=package_dir, package_data=package_data)
