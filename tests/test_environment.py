"""The pinned lock, pyproject and environment.yml name the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib

import yaml

from living_lab import paths


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name).strip().lower())


def _lock() -> dict[str, str]:
    pins = {}
    for line in (paths.ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not pinned with =="
            pins[_norm(name)] = version
    return pins


def _conda() -> dict[str, str]:
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "==" in dep:
            name, version = dep.split("==")
            pins[_norm(name)] = version
    return pins


def _direct() -> list[str]:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    extras = [d for group in project["optional-dependencies"].values() for d in group]
    names = [_norm(d) for d in project["dependencies"] + extras]
    if any(d.startswith("dask[") and "distributed" in d for d in project["dependencies"] + extras):
        names.append("distributed")
    return names


def test_every_direct_dependency_is_locked_and_in_environment_yml():
    lock, conda = _lock(), _conda()
    for name in _direct():
        assert name in lock, (
            f"{name} is a dependency in pyproject.toml but not pinned in requirements.lock"
        )
        assert name in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert conda[name] == lock[name], (
            f"{name}: environment.yml {conda[name]} != requirements.lock {lock[name]}"
        )


def test_environment_yml_lists_nothing_extra():
    extra = set(_conda()) - set(_direct())
    assert not extra, f"environment.yml lists packages pyproject.toml does not: {sorted(extra)}"


def test_python_version_agrees():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"].startswith(">=3.11")


def _imported_top_level(folder) -> set[str]:
    """Top-level names of every absolute import in the package's modules."""
    import ast

    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_third_party_import_of_the_library_is_a_declared_dependency():
    """A package the library imports but pyproject.toml does not declare is missing from a
    fresh install (babel and jsonschema were: JupyterLab brought them in here)."""
    import importlib.metadata
    import sys

    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    declared = {_norm(d) for d in project["dependencies"]}
    # Optional features import their extra's package only when used (guarded imports).
    optional = {_norm(d) for group in project["optional-dependencies"].values() for d in group}
    optional |= {"distributed"}
    owners = importlib.metadata.packages_distributions()
    missing = []
    for name in sorted(_imported_top_level(paths.PACKAGE_DIR)):
        if name in sys.stdlib_module_names or name in {"living_lab", "__future__"}:
            continue
        dists = {_norm(d) for d in owners.get(name, [name])}
        if not dists & (declared | optional):
            missing.append(f"{name} ({', '.join(sorted(dists))})")
    assert missing == []
