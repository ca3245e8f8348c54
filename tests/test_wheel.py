"""The wheel works outside the checkout: data, params, notebooks and texts ship inside it.

The wheel is built once from this checkout and installed into fresh virtual environments in a
temporary folder:

- on this interpreter (Python 3.11, the lock's), without downloading the dependencies again:
  the new environment sees this environment's installed packages (the pinned lock) through a
  ``.pth`` file that lists a folder of links to every one of them except ``living_lab`` itself
  (and links their data files under ``share/jupyter``), so the only ``living_lab`` it can
  import is the installed wheel. A region report runs from it.
- on every newer Python found on the machine (``python3.12``... on the PATH or under
  ``~/.pyenv/versions``): pip installs the wheel with ``requirements.lock`` as constraints
  (the runtime dependencies only, at the locked versions, wheels only: a pin without a wheel
  for that Python fails the install and names the package). ``living-lab score`` and
  ``datasets.load_spbe()`` run there. With pip's cache, each interpreter adds about a minute.

Commands run with a temporary folder as working directory.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from living_lab import paths

pytestmark = [pytest.mark.slow, pytest.mark.kernel, pytest.mark.integration]

#: Oldest Python the package supports (pyproject.toml: requires-python = ">=3.11").
OLDEST = (3, 11)


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = (int(v) for v in out.stdout.split()) if out.returncode == 0 else (0, 0)
    return (major, minor) if (major, minor) >= OLDEST else None


def interpreters() -> dict[str, str]:
    """One interpreter per Python version from 3.11 on: this one first, then the PATH, then pyenv."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = {here: sys.executable}
    names = [shutil.which(f"python3.{m}") for m in range(OLDEST[1], 20)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    names += sorted((str(p) for p in pyenv.glob("3.*/bin/python3")), reverse=True)
    for name in names:
        version = _version_of(name) if name else None
        if version is not None:
            found.setdefault(f"{version[0]}.{version[1]}", name)
    return dict(sorted(found.items(), key=lambda kv: tuple(int(v) for v in kv[0].split("."))))


INTERPRETERS = interpreters()


def _run(argv: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "LIVING_LAB_SHARED"}}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built once from a clean copy of the checkout."""
    tmp = tmp_path_factory.mktemp("build")
    # Build from a clean copy: a checkout's own build/ folder may hold files of older commits.
    source = tmp / "source"
    skip_top = {".git", ".venv", ".lock-venv", "build", "dist", "reports", ".hypothesis"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == paths.CHECKOUT
        return {
            n
            for n in names
            if (top and n in skip_top) or n == "__pycache__" or n.endswith((".egg-info", "_cache"))
        }

    shutil.copytree(paths.CHECKOUT, source, ignore=ignore)
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = (tmp / "dist").glob("living_lab-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> tuple[Path, Path]:
    """(bin folder of the fresh environment, a working folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    env_dir = tmp / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    # This environment's packages, without living_lab (editable install) or its .pth hooks.
    deps = tmp / "deps"
    deps.mkdir()
    for sp in site.getsitepackages():
        for entry in Path(sp).iterdir():
            name = entry.name.lower()
            if name.startswith(("living_lab", "__editable__", "_distutils_hack")) or (
                entry.suffix == ".pth"
            ):
                continue
            if not (deps / entry.name).exists():
                (deps / entry.name).symlink_to(entry)
    # ...and their data files (nbconvert's templates), which pip puts under the prefix.
    shared = Path(sys.prefix) / "share" / "jupyter"
    (env_dir / "share" / "jupyter").mkdir(parents=True)
    for entry in shared.iterdir() if shared.is_dir() else []:
        (env_dir / "share" / "jupyter" / entry.name).symlink_to(entry)
    (new_sp,) = (env_dir / "lib").glob("python3*/site-packages")
    (new_sp / "_lock_packages.pth").write_text(f"{deps}\n", encoding="utf-8")

    bin_dir = env_dir / "bin"
    # pip from this environment installs into the new one, offline: every dependency the wheel
    # declares must already be satisfied by the linked packages.
    install = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(bin_dir / "python"),
            "install",
            "-q",
            "--no-index",
            str(wheel),
        ],
        cwd=tmp,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    work = tmp / "work"
    work.mkdir()
    return bin_dir, work


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    bin_dir, work = installed
    probe = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import living_lab, living_lab.paths as p; print(living_lab.__file__); "
            "print(p.IN_CHECKOUT); print(p.DATA)",
        ],
        cwd=work,
    )
    assert probe.returncode == 0, probe.stderr
    module, in_checkout, data = probe.stdout.splitlines()
    assert Path(module).is_relative_to(bin_dir.parent)
    assert not Path(module).is_relative_to(paths.CHECKOUT)
    assert in_checkout == "False"
    assert Path(data).is_relative_to(bin_dir.parent) and Path(data, "spbe_index.csv").is_file()


@pytest.fixture(scope="module", params=list(INTERPRETERS), ids=lambda v: f"py{v}")
def on_python(request, tmp_path_factory, wheel) -> tuple[str, Path, Path]:
    """(Python version, bin folder, working folder) of the wheel installed on that version."""
    version = request.param
    if INTERPRETERS[version] == sys.executable:
        return (version, *request.getfixturevalue("installed"))
    tmp = tmp_path_factory.mktemp(f"py{version}")
    made = _run([INTERPRETERS[version], "-m", "venv", str(tmp / "env")], cwd=tmp)
    assert made.returncode == 0, made.stderr[-3000:]
    bin_dir = tmp / "env" / "bin"
    # The runtime dependencies at the locked versions, as wheels only (no compiling).
    install = _run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--only-binary=:all:",
            "-c",
            str(paths.CHECKOUT / "requirements.lock"),
            str(wheel),
        ],
        cwd=tmp,
        timeout=1800,
    )
    assert install.returncode == 0, f"Python {version}: " + install.stderr[-3000:]
    work = tmp / "work"
    work.mkdir()
    return version, bin_dir, work


def test_the_interpreters_include_this_one_and_are_all_supported():
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert INTERPRETERS[here] == sys.executable
    assert all(tuple(int(v) for v in k.split(".")) >= OLDEST for k in INTERPRETERS)


def test_score_prints_the_index_and_predicate(on_python):
    version, bin_dir, work = on_python
    probe = _run([str(bin_dir / "python"), "-c", "import sys; print(*sys.version_info[:2])"], work)
    assert probe.stdout.split() == version.split(".")
    proc = _run([str(bin_dir / "living-lab"), "score", "--domains", "3.70,3.40,3.00,3.20"], work)
    assert proc.returncode == 0, proc.stderr
    # PermenPANRB 59/2020 weights 13/25/16.5/45.5 %: 0.481 + 0.85 + 0.495 + 1.456 = 3.282,
    # published to two decimals; 3.282 lies in the "Baik" band (2.6 to under 3.5).
    first = proc.stdout.splitlines()[0]
    assert re.fullmatch(r"Indeks SPBE: 3[.,]28\s+Baik", first), first


def test_load_spbe_reads_the_bundled_table(on_python):
    from living_lab import datasets

    _, bin_dir, work = on_python
    code = (
        "import living_lab; from living_lab import datasets; s = datasets.load_spbe(); "
        "r = s[(s.region_code == '3211') & (s.year == 2024)].iloc[0]; "
        "print(len(s), r['index'], living_lab.__file__)"
    )
    proc = _run([str(bin_dir / "python"), "-c", code], work)
    assert proc.returncode == 0, proc.stderr
    n, index, module = proc.stdout.split()
    assert Path(module).is_relative_to(bin_dir.parent), module
    here = datasets.load_spbe()
    assert int(n) == len(here) > 0
    assert float(index) == here.query("region_code == '3211' and year == 2024")["index"].iloc[0]


def test_one_region_report_from_the_wheel(installed):
    bin_dir, work = installed
    proc = _run(
        [
            str(bin_dir / "living-lab"),
            "reports",
            "--regions",
            "3211",
            "--no-cohort-reports",
            "--no-progress",
            "--jobs",
            "1",
            "--out",
            "out",
        ],
        work,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = work / "out" / "regions" / "3211.html"
    html = page.read_text(encoding="utf-8")
    assert "Kabupaten Sumedang" in html and "data:image/png;base64," in html
    assert (work / "out" / "index.html").is_file()
