"""The import graph of ``living_lab``, read statically (ast): no cycles, and a report layer that
only presents.

Every import counts, wherever it is written (a function-level import that closes a cycle is a
cycle all the same); only ``if TYPE_CHECKING:`` blocks, which never run, are left out. Importing
``a.b.c`` also runs the packages ``a.b`` and ``a``, so those count as imported too (except a
module's own packages, which are already running when it is imported).
"""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path

import yaml

from living_lab import paths

PKG = paths.PACKAGE_DIR
#: Modules that compute results (analysis); the report layer reads their results instead.
ANALYSIS = (
    "living_lab.trends",
    "living_lab.peers",
    "living_lab.linkage",
    "living_lab.planner",
    "living_lab.scoring",
    "living_lab.audit",
    "living_lab.selfassessment",
    "living_lab.improvement",
)
#: The results layer (``living_lab.results``) computes every region's results once per batch
#: and reads them back; it may import analysis modules, the report layer only reads it.
RESULTS = "living_lab.results"
#: Modules that drive the report layer (the command line) and so may import it.
REPORT_CALLERS = ("living_lab.cli", "living_lab.commands")
def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _targets(names: set[str], importer: str) -> set[str]:
    """Modules of the package that importing ``names`` runs (the module and its packages)."""
    found = set()
    for name in names:
        if not name.startswith("living_lab"):
            continue
        while name not in MODULES and "." in name:
            name = name.rpartition(".")[0]
        parts = name.split(".")
        for i in range(2, len(parts) + 1):
            mod = ".".join(parts[:i])
            if mod in MODULES and not (importer == mod or importer.startswith(mod + ".")):
                found.add(mod)
    return found


def _imported_names(tree: ast.AST, base: str) -> set[str]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pkg = base
                for _ in range(node.level - 1):
                    pkg = pkg.rpartition(".")[0]
                mod = f"{pkg}.{node.module}" if node.module else pkg
            else:
                mod = node.module or ""
            names.add(mod)
            names.update(f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in MODULES)
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("importlib.import_module", "import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


@functools.cache
def graph() -> dict[str, set[str]]:
    out = {}
    for mod, path in MODULES.items():
        base = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out[mod] = _targets(_imported_names(tree, base), mod) - {mod}
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def test_the_cycle_finder_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(g) == [["a", "b", "c"]]


def test_the_graph_sees_function_level_imports():
    g = graph()
    # A function-level import (report.runner imports results.context inside a method).
    assert "living_lab.results.context" in g["living_lab.report.runner"]
    assert "living_lab.tables" in g["living_lab.regions"]


def test_no_import_cycles():
    found = cycles(graph())
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def _report_notebooks() -> list[Path]:
    config = yaml.safe_load((paths.PARAMS / "notebooks.yaml").read_text(encoding="utf-8"))
    names = [config["region_notebook"], *config["cohort_notebooks"]]
    return [paths.NOTEBOOKS / n for n in names]


def _report_layer_imports(
    g: dict[str, set[str]] | None = None, notebooks: list[Path] | None = None
) -> set[tuple[str, str]]:
    """(report-layer module or notebook, analysis module it imports) pairs (of the package and
    the report notebooks unless ``g`` and ``notebooks`` are given)."""
    g = graph() if g is None else g
    pairs = set()
    for mod, targets in g.items():
        if mod == "living_lab.report" or mod.startswith("living_lab.report."):
            pairs.update((mod, t) for t in targets if t.startswith(ANALYSIS))
    for nb in _report_notebooks() if notebooks is None else notebooks:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        names = set(re.findall(r"^\s*(?:from|import)\s+(living_lab[\w.]*)", src, flags=re.M))
        key = f"notebooks/{nb.name}"
        pairs.update((key, t) for t in _targets(names, "") if t.startswith(ANALYSIS))
    return pairs


def test_report_layer_imports_no_analysis_module():
    """No exception: every report notebook (the linkage study's too) and every report-layer
    module reads results and formats them."""
    found = sorted(_report_layer_imports())
    assert found == [], f"report-layer modules import analysis modules: {found}"


def test_the_report_layer_check_sees_an_analysis_import(tmp_path):
    """The check above is not vacuous: a report-layer module or a report notebook importing
    the analysis package (as the linkage study's sections and notebook did) is caught."""
    g = {**graph(), "living_lab.report.old_sections": {"living_lab.linkage.results"}}
    nb = tmp_path / "linkage_study.ipynb"
    code = "from living_lab.linkage import check_study_params\nfrom living_lab.results import linkage"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": [code]}]}), "utf-8")
    assert _report_layer_imports(g, [nb]) == {
        ("living_lab.report.old_sections", "living_lab.linkage.results"),
        ("notebooks/linkage_study.ipynb", "living_lab.linkage"),
    }


def test_only_the_command_line_imports_the_report_layer():
    """Results and analysis never import the report layer (the data flow runs one way:
    data -> analysis -> results -> report), so a researcher's ``living_lab.results`` does
    not pull in the runner, and the layer below cannot depend on presentation."""
    g = graph()
    wrong = sorted(
        (mod, target)
        for mod, targets in g.items()
        if not (
            mod == "living_lab.report" or mod.startswith(("living_lab.report.", *REPORT_CALLERS))
        )
        for target in targets
        if target == "living_lab.report" or target.startswith("living_lab.report.")
    )
    assert wrong == [], f"modules outside the report layer import it: {wrong}"


def test_the_report_layer_reads_results_through_the_results_package():
    g = graph()
    readers = {
        m
        for m, ts in g.items()
        if m.startswith("living_lab.report.") and RESULTS + ".context" in ts
    }
    assert {"living_lab.report.sections", "living_lab.report.runner"} <= readers
