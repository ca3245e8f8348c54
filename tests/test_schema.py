"""The typed models (JSON Schema, ``living_lab/schemas``) of the params files and notebook parameters.

Every file under ``params/`` and every notebook's parameter cell is checked against its model;
a file with several problems gets all of them named, one line each.
"""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from living_lab import paths, schema
from living_lab.cli import main
from living_lab.cohorts import load_cohort
from living_lab.errors import InputError, ParameterError
from living_lab.improvement.settings import parse_settings
from living_lab.linkage import specs as linkage_specs
from living_lab.peers import config as peer_config
from living_lab.report.params import (
    inspect_parameters,
    load_notebook_config,
    load_params_file,
)
from living_lab.results import context
from living_lab.validate import read_yaml

#: Each params file (pattern below params/) and the model it is checked against; examples are
#: --params files, checked against the notebook parameters plus the runner settings.
MODELS = {
    "notebooks.yaml": "notebooks",
    "improvement.yaml": "improvement",
    "national_targets.yaml": "national_targets",
    "examples/*.yaml": ("notebook_parameters", "runner_settings"),
    "peer_groups.yaml": "peer_groups",
    "cohorts/*.yaml": "cohort",
    "linkage/specs.yaml": "linkage_specs",
    "linkage/sample_filters.yaml": "linkage_filters",
}
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


def test_every_params_file_has_a_model():
    unmodelled = [str(p.relative_to(paths.PARAMS)) for p in PARAMS_FILES if _model_of(p) is None]
    assert unmodelled == []


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
    p.write_text("jobs: 0\ntimeout: -1\nyeer: 2024\n")
    argv = ["reports", "--params", str(p), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # Bahasa Indonesia by default: the frame, the place and each problem.
    assert err[1:] == [
        f"living-lab reports: galat: {p}, kunci 'jobs': seharusnya bilangan bulat 1 sampai 256, "
        "tertulis 0",
        f"living-lab reports: galat: {p}, kunci 'timeout': seharusnya jumlah detik di atas 0 dan "
        "paling banyak 86400, tertulis -1",
    ]
    assert err[0].startswith(
        f"living-lab reports: galat: {p}, kunci 'yeer': parameter 'yeer' (mungkin maksudnya "
        "'year'?) tidak dikenal; yang dikenal: "
    )
    assert main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[1:] == [
        f"living-lab reports: error: {p}, field 'jobs': expected an integer from 1 to 256, got 0",
        f"living-lab reports: error: {p}, field 'timeout': expected a number of seconds above 0 "
        "and at most 86400, got -1",
    ]
    assert "unknown parameter 'yeer' (did you mean 'year'?); expected one of " in err[0]


def test_every_expected_phrase_of_the_schemas_is_in_indonesian(tmp_path):
    """Each schema's x-expected and x-type phrase has its Indonesian text (schema.yml), so that
    no English phrase reaches an Indonesian error line; and a problem reads in either language."""
    from living_lab.text import strings

    def phrases(model):
        # Every model of the schema: properties, items, entries of a mapping, their names.
        if isinstance(model, dict):
            yield from (model[k] for k in ("x-expected", "x-type") if k in model)
            for value in model.values():
                yield from phrases(value)
                if isinstance(value, dict):
                    for sub in value.values():
                        yield from phrases(sub)

    found = {phrase for name in schema.SCHEMAS for phrase in phrases(schema.load(name))}
    assert len(found) > 20
    missing = sorted(f for f in found if f"schema.expected.{f}" not in strings("id"))
    assert not missing, missing
    with pytest.raises(schema.SchemaError) as info:
        schema.check("improvement", {"focus": {"second_within": 2}}, file=tmp_path / "i.yaml")
    assert info.value.localized("en").endswith(
        "field 'focus.second_within': expected a number above 0 and at most 1, got 2"
    )
    assert info.value.localized("id").endswith(
        "kunci 'focus.second_within': seharusnya angka di atas 0 dan paling besar 1, tertulis 2"
    )


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


# --- peer groups, cohorts and the linkage study: read through the one strict reader ----------

PEER_GROUPS = (paths.PARAMS / "peer_groups.yaml").read_text(encoding="utf-8")


def _peer_file(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "peer_groups.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _line_of(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` that starts with ``needle`` (after indent)."""
    return next(
        i for i, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(needle)
    )


def test_peer_groups_with_two_unknown_keys_names_both_with_their_lines(tmp_path):
    text = PEER_GROUPS.replace("frontier:\n", "frontier:\n  defualt: top3\n").replace(
        "  min_lead: 0.10\n", "  min_lead: 0.10\n  min_leed: 0.2\n"
    )
    p = _peer_file(tmp_path, text)
    with pytest.raises(schema.SchemaError) as info:
        peer_config.parse_config(p)
    assert [f for f, _ in info.value.problems] == ["frontier.defualt", "partners.min_leed"]
    assert info.value.lines[0] == (
        f"{p}, line {_line_of(text, 'defualt')}, field 'frontier.defualt': unknown key 'defualt' "
        "(did you mean 'default'?); expected one of default"
    )
    assert info.value.lines[1].startswith(
        f"{p}, line {_line_of(text, 'min_leed')}, field 'partners.min_leed': unknown key "
        "'min_leed' (did you mean 'min_lead'?)"
    )


def test_peer_groups_with_frontier_given_twice_is_refused_with_its_line(tmp_path):
    text = PEER_GROUPS + "frontier:\n  default: max\n"
    p = _peer_file(tmp_path, text)
    with pytest.raises(InputError) as info:
        peer_config.parse_config(p)
    first = _line_of(text, "frontier:")
    second = len(text.splitlines()) - 1
    assert str(info.value) == (
        f"{p}, line {second}: key 'frontier' appears twice (first on line {first}); "
        "expected each key once"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A list where a mapping of groups belongs.
        (
            "groups:\n  all:",
            "groups: [all, kind]\nx_groups:\n  all:",
            "field 'groups': expected a "
            "non-empty mapping of group names to groups, got ['all', 'kind']",
        ),
        # A scalar where the frontier mapping belongs.
        (
            "frontier:\n  default: p90\n",
            "frontier: p90\n",
            "field 'frontier': expected a mapping with 'default', got 'p90'",
        ),
        (
            "partners:\n",
            "partners: 5\nx_partners:\n",
            "field 'partners': expected a mapping of min_lead, match_on",
        ),
        (
            "  weights:\n",
            "  weights: [1, 2]\n  x_weights:\n",
            "field 'partners.weights': expected "
            "a mapping of each context feature to a weight, got [1, 2]",
        ),
        (
            "    classes: 3\n",
            "    classes: three\n",
            "field 'groups.grdp_tertile.classes': expected an integer, got 'three'",
        ),
        (
            "  match_on: [kind, grdp, population]",
            "  match_on: [kind, gdp]",
            "field 'partners.match_on': expected a list of context features, each once",
        ),
        (
            "  kind:\n    type: same\n    column: kind\n",
            "  kind:\n    type: same\n",
            "field 'groups.kind': a 'same' group needs 'column'",
        ),
    ],
)
def test_a_wrong_shape_in_peer_groups_is_a_clear_line(tmp_path, old, new, expected):
    assert old in PEER_GROUPS
    text = PEER_GROUPS.replace(old, new, 1)
    p = _peer_file(tmp_path, text)
    with pytest.raises(InputError) as info:  # never AttributeError, KeyError or TypeError
        peer_config.parse_config(p)
    lines = getattr(info.value, "lines", [str(info.value)])
    hit = [line for line in lines if expected in line]
    assert hit, lines
    # Every line names the file and the line in it.
    assert all(line.startswith(f"{p}, line ") for line in lines), lines


def test_the_command_line_lists_every_problem_of_a_cohort_file_and_exits_2(tmp_path, capsys):
    p = tmp_path / "cohort.yaml"
    p.write_text("title: [a]\nregions: [Kab. Sumedang, Atlantis]\nsource: x\nregion_codes: 1\n")
    assert main(["peers", "3211", "--group", f"cohort:{p}", "--lang", "en"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"living-lab peers: error: {p}, line 4, field 'region_codes': unknown key "
        "'region_codes' (did you mean 'regions'?); expected one of description, filter, "
        "regions, source, title, title_en",
        f"living-lab peers: error: {p}, line 1, field 'title': expected a text value, got ['a']",
        f"living-lab peers: error: {p}, line 2, field 'regions[1]': unknown region 'Atlantis'; "
        "closest matches: Kota Salatiga",
    ]
    # The same problems in Bahasa Indonesia (the default), the rule's region error too.
    assert main(["peers", "3211", "--group", f"cohort:{p}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"living-lab peers: galat: {p}, baris 4, kunci 'region_codes': kunci 'region_codes' "
        "(mungkin maksudnya 'regions'?) tidak dikenal; yang dikenal: 'description', 'filter', "
        "'regions', 'source', 'title', 'title_en'",
        f"living-lab peers: galat: {p}, baris 1, kunci 'title': seharusnya teks, tertulis ['a']",
        f"living-lab peers: galat: {p}, baris 2, kunci 'regions[1]': kabupaten/kota 'Atlantis' "
        "tidak dikenal; nama yang paling mirip: Kota Salatiga",
    ]


def test_every_unknown_region_of_a_cohort_file_is_named(tmp_path):
    p = tmp_path / "cohort.yaml"
    p.write_text("title: Uji\nregions:\n  - Atlantis\n  - Kab. Sumedang\n  - Lemuria\n")
    with pytest.raises(schema.SchemaError) as info:
        load_cohort(p)
    assert [
        (f, line.split(",")[1].strip())
        for (f, _), line in zip(info.value.problems, info.value.lines, strict=True)
    ] == [("regions[0]", "line 3"), ("regions[2]", "line 5")]


def test_linkage_specs_every_problem_at_once(tmp_path, monkeypatch):
    text = (paths.PARAMS / "linkage" / "specs.yaml").read_text(encoding="utf-8")
    text = text.replace("      spbe_year: 2023\n", "      spbe_yaer: 2023\n", 1)
    text = text.replace("      base_year: 2021\n", "      base_year: 2026\n", 1)
    text = text.replace("  min_clusters: 10", "  min_clusters: ten")
    text = text.replace("  poverty_rate_pct/twfe:", "  poverty_rate_pct/panel:")
    p = tmp_path / "specs.yaml"
    p.write_text(text, encoding="utf-8")
    monkeypatch.setattr(linkage_specs, "SPECS_FILE", p)
    linkage_specs._specs_file.cache_clear()
    try:
        with pytest.raises(schema.SchemaError) as info:
            linkage_specs.main_spec()
    finally:
        linkage_specs._specs_file.cache_clear()
    got = dict(info.value.problems)
    # The model's problems...
    assert got.pop("main.stunting_prevalence_pct.cross_section.spbe_yaer") == (
        "unknown field 'spbe_yaer' (did you mean 'spbe_year'?); expected one of "
        + ", ".join(sorted(linkage_specs.spec_fields()))
    )
    assert got.pop("panel_rule.min_clusters") == "expected an integer, got 'ten'"
    # ...and, in the same error, the rules across fields of every model the schema accepted:
    # the broken change model and each of its eight robustness rows...
    change = "base_year: 2026; a change design needs a base year before outcome_year 2025"
    assert got.pop("main.poverty_rate_pct.change") == change
    rows = [f for f in got if f.startswith("robustness.poverty_rate_pct/change[")]
    assert len(rows) == 8 and all(got.pop(f) == change for f in rows)
    # ...and the table that names no main model.
    assert got.pop("robustness.poverty_rate_pct/panel").startswith(
        "expected an outcome/design with a main model (stunting_prevalence_pct/cross_section,"
    )
    # The rows of the model the schema refused are not built (its problem is named already).
    assert got == {}
    line = next(x for x in info.value.lines if "min_clusters" in x)
    assert line == (
        f"{p}, line {_line_of(text, 'min_clusters')}, field 'panel_rule.min_clusters': "
        "expected an integer, got 'ten'"
    )


def test_a_sample_filter_on_an_unknown_column_is_refused(tmp_path, monkeypatch):
    p = tmp_path / "sample_filters.yaml"
    p.write_text("filters:\n  x:\n    column: provinsi\n    exclude: ['91']\n  y: 3\n")
    monkeypatch.setattr(linkage_specs, "FILTERS_FILE", p)
    linkage_specs.sample_filters.cache_clear()
    try:
        with pytest.raises(schema.SchemaError) as info:
            linkage_specs.sample_filters()
    finally:
        linkage_specs.sample_filters.cache_clear()
    assert info.value.lines[0] == (
        f"{p}, line 5, field 'filters.y': expected a mapping with 'column' and 'exclude', got 3"
    )
    assert re.fullmatch(
        rf"{re.escape(str(p))}, line 3, field 'filters.x.column': expected a column of "
        r"data/regions.csv \(region_code, .*\), got 'provinsi'",
        info.value.lines[1],
    )
    assert len(info.value.lines) == 2


#: Literal types of the code and the enum of the same values in a model (one concept: the
#: schema is what files are checked against, the literals what the type checker sees).
LITERALS = [
    (peer_config.GroupType, "peer_groups", "groups.*.type"),
    (peer_config.FrontierMethod, "peer_groups", "frontier.default"),
    (peer_config.ContextFeature, "peer_groups", "partners.match_on[]"),
    (peer_config.ContextFeature, "peer_groups", "partners.weights:keys"),
    (linkage_specs.Outcome, "linkage_specs", "main:keys"),
    (linkage_specs.Design, "linkage_specs", "main.*:keys"),
    (linkage_specs.Outcome, "linkage_specs", "main.*.*.outcome"),
    (linkage_specs.Design, "linkage_specs", "main.*.*.design"),
    (linkage_specs.SpbeMeasure, "linkage_specs", "main.*.*.spbe_measure"),
    (linkage_specs.SpbeForm, "linkage_specs", "main.*.*.spbe_form"),
    (linkage_specs.Control, "linkage_specs", "main.*.*.controls[]"),
    (linkage_specs.SeType, "linkage_specs", "main.*.*.se_type"),
    (linkage_specs.Confidence, "linkage_specs", "main.*.*.min_confidence"),
    (linkage_specs.LowConfidenceVariable, "linkage_specs", "main.*.*.admit_low[]"),
]


def _enum_at(model, where):
    """The values a model allows at a path (``*`` a free name, ``[]`` items, ``:keys`` names)."""
    path, _, keys = where.partition(":")
    for part in path.split("."):
        if part == "*":
            model = model["additionalProperties"]
            continue
        items = part.endswith("[]")
        model = model["properties"][part.removesuffix("[]")]
        if items:
            model = model["items"]
    if keys:
        return model.get("propertyNames", {}).get("enum") or list(model["properties"])
    return model["enum"]


@pytest.mark.parametrize(("literal", "name", "where"), LITERALS, ids=lambda v: str(v))
def test_the_literal_types_name_the_values_of_the_model(literal, name, where):
    assert sorted(typing.get_args(literal)) == sorted(_enum_at(schema.load(name), where))


def test_line_of_falls_back_to_the_enclosing_key():
    where = {"partners": 3, "partners.weights": 9}
    assert schema.line_of("partners.weights.kind", where) == 9
    assert schema.line_of("partners.x[2].y", where) == 3
    assert schema.line_of("groups", where) is None
    assert schema.line_of(None, where) is None


@pytest.mark.parametrize("target", [1.0, 5.5, float("nan")])
def test_the_target_rule_is_one_rule_for_runner_notebook_and_trends(target):
    """A target the runner accepted once (1.0) failed later inside every report's trend step."""
    from living_lab.report.params import RULES
    from living_lab.trends.pooled import _check_target

    messages = set()
    for check in (
        lambda: RULES["target"]({"target": target}),
        lambda: context.validate_args("jawa-barat", 2024, target, 2025),
        lambda: _check_target(target),
    ):
        with pytest.raises(ParameterError) as info:
            check()
        messages.add(str(info.value))
    assert len(messages) == 1
    assert messages.pop().endswith("expected a number above 1 and at most 5")


def test_the_top_of_the_scale_is_a_valid_target():
    context.validate_args("jawa-barat", 2024, 5.0, 2025)


def test_the_year_rule_of_reports_and_of_the_peers_api_accept_the_same_years():
    """Two checks of an evaluation year remain (the report parameters', and the peers API's,
    which also resolves ``None`` to the latest year); they must accept the same years."""
    from living_lab.peers import data as peer_data
    from living_lab.report.params import _spbe_years, check_year

    years = _spbe_years()
    assert years == peer_data.evaluation_years()
    for year in years:
        check_year(year)
        assert peer_data.check_year(year) == year
    for year in (min(years) - 1, max(years) + 1):
        with pytest.raises(ParameterError, match="year"):
            check_year(year)
        with pytest.raises(ParameterError, match="year"):
            peer_data.check_year(year)


def test_the_runner_and_a_direct_notebook_run_report_a_bad_cohort_file_alike(tmp_path):
    """The runner's parameter check, a notebook run by papermill (get_context) and the library
    read a cohort file through the same reader and model: the same lines, before any work."""
    from living_lab.report.params import validate

    p = tmp_path / "cohort.yaml"
    p.write_text("title: Uji\nregions: [Kab. Sumedang, Atlantis]\nextra: 1\n")
    seen = []
    for call in (
        lambda: load_cohort(str(p)),
        lambda: validate({"cohort": str(p)}, config=load_notebook_config()),
        lambda: context.get_context(str(p), 2024, 3.5, 2025),
    ):
        with pytest.raises(schema.SchemaError) as info:
            call()
        seen.append(info.value.lines)
    assert seen[0] == seen[1] == seen[2]
    # The model's problem and the rule's (an unknown region) in one error.
    assert [line.split(": ", 1)[0] for line in seen[0]] == [
        f"{p}, line 3, field 'extra'",
        f"{p}, line 2, field 'regions[1]'",
    ]


def test_peer_groups_schema_and_rule_problems_in_one_error(tmp_path):
    text = PEER_GROUPS.replace(
        "  kind:\n    type: same\n    column: kind\n", "  kind:\n    type: same\n"
    ).replace("  min_coverage: 0.8", "  min_coverage: 1.5")
    p = _peer_file(tmp_path, text)
    with pytest.raises(schema.SchemaError) as info:
        peer_config.parse_config(p)
    assert info.value.lines == [
        f"{p}, line {_line_of(text, 'min_coverage')}, field 'partners.min_coverage': expected a "
        "number above 0 and at most 1, got 1.5",
        f"{p}, line {_line_of(text, 'kind:')}, field 'groups.kind': a 'same' group needs "
        "'column' (a column of data/regions.csv)",
    ]
