"""Every notebook is stored clean and documents its parameters (papermill --help-notebook).

Clean: no outputs, no execution counts, valid nbformat. Parameters: exactly one cell tagged
``parameters``, the first code cell; every line ``name: type = literal  # comment`` (typed,
commented, nothing derived), and papermill's own inspection finds every name the cell assigns
(papermill silently skips a line it cannot parse, e.g. one whose comment contains "=").
"""

from __future__ import annotations

import ast

import nbformat
import papermill
import pytest

from living_lab import paths
from living_lab.report import params as report_params

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
#: Parameters the report notebooks must declare: the runner fills exactly these (checked below
#: against ``ReportParams.parameters_for`` in living_lab/report/params.py, which builds them).
CONTRACT = {
    "region_report": {
        "region",
        "year",
        "cohort",
        "target",
        "target_year",
        "lang",
        "maps",
        "context_path",
    },
    "cohort_overview": {"cohort", "year", "target", "target_year", "lang", "maps", "context_path"},
}


#: The runner's parameters for a default batch (what ``living-lab reports`` validates).
RUNNER_PARAMS = report_params.validate({}, config=report_params.load_notebook_config())


def _ids(path):
    return path.name


def test_the_report_notebooks_exist():
    names = {p.stem for p in NOTEBOOKS}
    assert {"region_report", "cohort_overview", "explore"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_one_typed_commented_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert code_cells[0] is tagged[0], "the parameters cell must be the first code cell"

    assigned = {}
    for line in tagged[0].source.splitlines():
        if not line.strip():
            continue
        assert "  # " in line, f"{path.name}: parameter line without a comment: {line!r}"
        stmt = ast.parse(line).body
        assert len(stmt) == 1 and isinstance(stmt[0], ast.AnnAssign), (
            f"{path.name}: expected `name: type = value  # comment`, got {line!r}"
        )
        node = stmt[0]
        assert isinstance(node.annotation, ast.Name) and node.annotation.id in {
            "str",
            "int",
            "float",
            "bool",
        }, f"{path.name}: {line!r} needs a simple type"
        # Nothing derived: the value is a literal, not an expression of other parameters.
        value = ast.literal_eval(node.value)
        assert type(value).__name__ == node.annotation.id or (
            node.annotation.id == "float" and isinstance(value, int | float)
        ), f"{path.name}: {line!r} value does not match its type"
        assigned[node.target.id] = value

    inferred = papermill.inspect_notebook(str(path))
    assert set(inferred) == set(assigned), (
        f"{path.name}: papermill sees {sorted(inferred)}, the cell assigns {sorted(assigned)}"
    )
    for name, spec in inferred.items():
        assert spec["help"], f"{path.name}: parameter {name} has no help text"
        assert spec["inferred_type_name"] != "None", f"{path.name}: parameter {name} has no type"
    if path.stem in CONTRACT:
        assert set(assigned) == CONTRACT[path.stem]
        # The runner fills every one of them (none is left at the notebook's default).
        region = "3211" if path.stem == "region_report" else None
        filled = RUNNER_PARAMS.parameters_for(assigned, region=region, context_path="ctx")
        assert set(filled) == CONTRACT[path.stem], (
            f"{path.name}: the runner fills {sorted(filled)}, the contract is "
            f"{sorted(CONTRACT[path.stem])}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebooks_are_thin(path):
    """No function or class definitions in notebooks: logic belongs in the library."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{path.name} defines {[d.name for d in defs]}; move it to living_lab"
