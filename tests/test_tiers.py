"""No test can skip in CI: every skip goes through ``conftest.require``, which fails when CI=true.

Outside CI a test may still skip when a tool or the raw data is missing (Chromium, dask's
``distributed``, ``../shared/data``); the list is in README.md (Make targets).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import require

TESTS = Path(__file__).parent
#: Calls and decorators that skip without asking whether this is CI (a strict xfail is not a
#: skip: it fails when the test passes).
SKIPPING = {"skip", "importorskip", "skipif"}


def _skips(path: Path) -> list[str]:
    """``file:line name`` of every skipping call or marker in a test file, but ``require``'s."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name == "require"
            and path.name == "conftest.py"
        ):
            allowed |= {id(sub) for sub in ast.walk(node)}
    for node in ast.walk(tree):
        # pytest.skip.Exception names the exception (to expect it), it does not skip.
        if isinstance(node, ast.Attribute) and node.attr == "Exception":
            allowed.add(id(node.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SKIPPING and id(node) not in allowed:
            found.append(f"{path.name}:{node.lineno} {node.attr}")
    return found


def test_every_skip_goes_through_require():
    found = [hit for path in sorted(TESTS.glob("*.py")) for hit in _skips(path)]
    assert found == []


def test_the_scan_sees_a_skip(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import pytest\n\n@pytest.mark.skipif(True, reason='x')\ndef test_a():\n"
        "    pytest.importorskip('nothing')\n"
    )
    assert _skips(sample) == ["test_sample.py:3 skipif", "test_sample.py:5 importorskip"]


def test_require_skips_outside_ci_and_fails_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="tool missing"):
        require(False, "tool missing")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"tool missing; CI must provide it"):
        require(False, "tool missing")
    require(True, "never said")  # present: neither
