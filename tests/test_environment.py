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
