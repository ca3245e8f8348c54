"""The typed models (JSON Schema, ``living_lab/schemas``) of the params files and notebook parameters.

Every file under ``params/`` and every notebook's parameter cell is checked against its model;
a file with several problems gets all of them named, one line each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from living_lab import paths, schema
from living_lab.cli import main
from living_lab.errors import InputError, ParameterError
from living_lab.improvement.settings import parse_settings
from living_lab.report import context
from living_lab.report.params import (
    inspect_parameters,
    load_notebook_config,
    load_params_file,
)
from living_lab.validate import read_yaml

#: Each params file (pattern below params/) and the model it is checked against; examples are
#: --params files, checked against the notebook parameters plus the runner settings.
MODELS = {
    "notebooks.yaml": "notebooks",
    "improvement.yaml": "improvement",
    "national_targets.yaml": "national_targets",
    "examples/*.yaml": ("notebook_parameters", "runner_settings"),
}
#: Params files without a JSON Schema model yet; their readers' own checks still apply
#: (tests/test_metadata.py runs each reader on each file).
NO_MODEL_YET = ("peer_groups.yaml", "cohorts/*.yaml", "linkage/*.yaml")
PARAMS_FILES = sorted(paths.PARAMS.rglob("*.yaml"))
NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
#: papermill's inferred type name -> JSON Schema type.
PAPERMILL_TYPES = {"int": "integer", "float": "number", "str": "string", "bool": "boolean"}


def _records(model, where="$"):
    """Every (path, property model) of a schema, nested records included."""
    for key, sub in model.get("properties", {}).items():
        yield f"{where}.{key}", sub
        yield from _records(sub, f"{where}.{key}")
        yield from _records(sub.get("items", {}), f"{where}.{key}[]")


@pytest.mark.parametrize("name", schema.SCHEMAS)
def test_every_model_is_valid_json_schema_and_says_what_it_expects(name):
    model = schema.load(name)
    Draft202012Validator.check_schema(model)
    assert model["additionalProperties"] is False
    missing = [where for where, sub in _records(model) if "x-expected" not in sub]
    # Items of a plain list need no phrase: the list's own phrase names them.
    assert [w for w in missing if not w.endswith("[]") and "[]." not in w] == []


def test_the_models_ship_as_package_data():
    setup = (paths.ROOT / "setup.py").read_text()
    assert '"schemas/*.json"' in setup
    shipped = sorted(p.stem for p in (paths.PACKAGE_DIR / "schemas").glob("*.json"))
    assert shipped == sorted(schema.SCHEMAS)


def _model_of(path: Path):
    rel = path.relative_to(paths.PARAMS)
    return next((m for pat, m in MODELS.items() if rel.match(pat)), None)


def test_every_params_file_has_a_model_or_is_listed_as_pending():
    for path in PARAMS_FILES:
        rel = path.relative_to(paths.PARAMS)
        assert _model_of(path) is not None or any(rel.match(p) for p in NO_MODEL_YET), rel


@pytest.mark.parametrize(
    "path",
    [p for p in PARAMS_FILES if _model_of(p) is not None],
    ids=lambda p: str(p.relative_to(paths.PARAMS)),
)
def test_every_params_file_matches_its_model(path):
    model = _model_of(path)
    raw = read_yaml(path)
    if isinstance(model, tuple):
        # A --params file: the keys the notebooks declare plus the runner settings.
        settable = load_notebook_config().settable()
        assert load_params_file(path, settable) == {k.replace("-", "_"): v for k, v in raw.items()}
        assert schema.problems({"properties": schema.properties(*model)}, raw) == []
    else:
        assert schema.problems(model, raw) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_parameter_cell_matches_the_model(notebook):
    declared = inspect_parameters(notebook)
    assert declared, f"{notebook.name} declares no parameters"
    props = schema.properties("notebook_parameters")
    defaults = {name: context_literal(spec["default"]) for name, spec in declared.items()}
    assert schema.problems("notebook_parameters", defaults) == []
    for name, spec in declared.items():
        # The declared type is the model's type (an int default is an integer, ...).
        assert PAPERMILL_TYPES[spec["inferred_type_name"]] == props[name]["type"], name


def context_literal(source: str):
    import ast

    return ast.literal_eval(source)


def test_a_params_file_with_two_unknown_keys_names_both(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("yeer: 2024\nzzz: red\n")
    settable = load_notebook_config().settable()
    with pytest.raises(InputError) as info:
        load_params_file(p, settable)
    msg = str(info.value)
    assert "'yeer' (did you mean 'year'?)" in msg
    assert "'zzz'" in msg


def test_a_params_file_with_two_bad_values_names_both_one_line_each(tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("jobs: 0\nforce: 'yes'\nyeer: 2024\n")
    settable = load_notebook_config().settable()
    with pytest.raises(schema.SchemaError) as info:
        load_params_file(p, settable)
    assert info.value.lines == [
        f"{p}, field 'yeer': unknown parameter 'yeer' (did you mean 'year'?); expected one of "
        + ", ".join(sorted({*settable, *schema.properties("runner_settings")})),
        f"{p}, field 'jobs': expected an integer from 1 to 256, got 0",
        f"{p}, field 'force': expected true or false, got 'yes'",
    ]
    assert str(info.value).startswith(f"{p}: 3 problems: field 'yeer': unknown parameter")


def test_the_command_line_prints_every_problem_and_exits_2(tmp_path, capsys):
    p = tmp_path / "p.yaml"
    p.write_text("jobs: 0\ntimeout: -1\n")
    assert main(["reports", "--params", str(p), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"living-lab reports: galat: {p}, field 'jobs': expected an integer from 1 to 256, got 0",
        f"living-lab reports: galat: {p}, field 'timeout': expected a number of seconds above 0 "
        "and at most 86400, got -1",
    ]


def test_nested_problems_are_named_by_their_path(tmp_path):
    p = tmp_path / "improvement.yaml"
    raw = read_yaml(paths.PARAMS / "improvement.yaml")
    raw["feasibility"]["quantile"] = 1.5
    raw["feasibility"]["min_regions"] = "many"
    raw["focus"]["extra"] = 1
    p.write_text(json.dumps(raw, default=str))  # JSON is YAML
    with pytest.raises(schema.SchemaError) as info:
        parse_settings(p)
    assert [f for f, _ in info.value.problems] == [
        "feasibility.quantile",
        "feasibility.min_regions",
        "focus.extra",
    ]
    assert "expected a number above 0 and below 1, got 1.5" in info.value.lines[0]
    assert "expected an integer, got 'many'" in info.value.lines[1]
    assert "unknown setting 'extra'" in info.value.lines[2]


def test_custom_rules_stay_python_checks(tmp_path):
    raw = read_yaml(paths.PARAMS / "improvement.yaml")
    raw["feasibility"]["level_edges"] = [1, 3, 2]
    p = tmp_path / "improvement.yaml"
    p.write_text(json.dumps(raw, default=str))
    with pytest.raises(InputError, match=r"field 'feasibility.level_edges': expected increasing"):
        parse_settings(p)


def test_national_targets_list_items_are_checked_one_by_one():
    raw = read_yaml(paths.PARAMS / "national_targets.yaml")
    raw["targets"][1]["year"] = "2024"
    del raw["targets"][2]["unit"]
    found = schema.problems("national_targets", raw)
    assert found == [
        ("targets[1].year", "expected an integer, got '2024'"),
        ("targets[2].unit", "expected a text value (missing)"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("jawa-barat", 2024.0, 3.5, 2025), "year: expected an integer, got 2024.0"),
        (("jawa-barat", True, 3.5, 2025), "year: expected an integer, got True"),
        (("", 2024, 3.5, 2025), "cohort: expected a cohort name or YAML path on one line, got ''"),
        (
            ("jawa-barat", "2024", "high", 2025),
            "year: expected an integer, got '2024'; target: expected a number, got 'high'",
        ),
    ],
)
def test_a_direct_notebook_run_uses_the_same_model(args, message):
    with pytest.raises(ParameterError) as info:
        context.validate_args(*args)
    assert str(info.value) == message


def test_numpy_scalars_pass_the_notebook_model():
    import numpy as np

    context.validate_args("jawa-barat", np.int64(2024), np.float64(3.5), np.int64(2025))
