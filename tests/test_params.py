"""Report parameters are refused before any kernel starts: one line, exit status 2.

Uses the small notebook set in ``tests/fixtures/runner/`` (its report notebook declares the
same parameters as ``notebooks/region_report.ipynb``; its cohort notebook adds ``shade``).
"""

from __future__ import annotations

import json

import nbformat
import pytest

from living_lab import cli, paths
from living_lab.cohorts import load_cohort
from living_lab.errors import InputError, LivingLabError, ParameterError
from living_lab.report import params as rp
from living_lab.report.params import load_notebook_config, validate

FIXTURES = paths.ROOT / "tests" / "fixtures" / "runner"


@pytest.fixture(scope="module")
def config():
    return load_notebook_config(FIXTURES / "notebooks.yaml")


def test_defaults_come_from_the_notebooks_declarations(config):
    p = validate({}, config=config)
    assert p.regions == load_cohort("jawa-barat").regions
    assert len(p.regions) == 27 and "3211" in p.regions
    # The fixture report declares year 2024, target 3.5, target_year 2025, lang "id".
    assert p.notebook_values == {
        "year": 2024,
        "target": 3.5,
        "target_year": 2025,
        "lang": "id",
        "shade": "light",
    }
    assert p.cohort == "jawa-barat" and p.executor == "local" and p.jobs >= 1
    assert p.timeout == 60  # from the fixture notebook set
    assert p.cohort_reports is True and p.force is False


def test_command_line_text_is_converted_to_the_declared_types(config):
    p = validate(
        {
            "year": "2023",
            "target": "4",
            "target_year": "2030",
            "lang": "en",
            "jobs": "3",
            "timeout": "9.5",
        },
        config=config,
    )
    assert p.notebook_values["year"] == 2023 and isinstance(p.notebook_values["year"], int)
    assert p.notebook_values["target"] == 4.0 and isinstance(p.notebook_values["target"], float)
    assert p.notebook_values["target_year"] == 2030
    assert (p.notebook_values["lang"], p.jobs, p.timeout) == ("en", 3, 9.5)


def test_regions_by_name_or_code_keep_their_order(config):
    p = validate({"regions": "Sumedang, Kota Bandung,3201,3211"}, config=config)
    assert p.regions == ("3211", "3273", "3201")
    assert p.cohort == "jawa-barat"  # all three are West Javan: the default cohort stays


def test_regions_outside_the_default_cohort_compare_with_all(config):
    p = validate({"regions": "Kota Surabaya,3211"}, config=config)
    assert p.regions == ("3578", "3211") and p.cohort == "all"
    # ... but a region's peer group is never the batch: Sumedang keeps the default cohort.
    assert p.cohort_of("3578") == "all" and p.cohort_of("3211") == "jawa-barat"


def test_a_regions_notebook_parameters_do_not_depend_on_the_batch(config):
    """Sumedang alone, with its cohort, and in a batch with regions of other provinces gets the
    same notebook parameters (cohort included), hence the same context and the same report."""
    declared = config.declared(config.region)
    runs = [
        validate({"regions": "3211"}, config=config),
        validate({"cohort": "jawa-barat"}, config=config),
        validate({"regions": "Kota Surabaya,3211,Kab. Tolikara"}, config=config),
    ]
    params = [r.parameters_for(declared, region="3211", context_path="ctx") for r in runs]
    assert params[0] == params[1] == params[2]
    assert params[0].get("cohort", "jawa-barat") == "jawa-barat"


def test_regions_outside_an_explicit_cohort_are_refused(config):
    with pytest.raises(
        ParameterError, match=r"regions: 3578 \(Kota Surabaya\) is not in cohort 'jawa-barat'"
    ):
        validate({"regions": "Kota Surabaya", "cohort": "jawa-barat"}, config=config)


@pytest.mark.parametrize(
    ("cli", "message"),
    [
        ({"year": "abc"}, r"^year: expected an integer, got 'abc'$"),
        ({"year": "2019"}, r"^year: no SPBE evaluation in 2019; expected one of \[.*2023, 2024\]$"),
        ({"year": "2024.5"}, r"^year: expected an integer"),
        (
            {"target": "7"},
            r"^target: 7 is outside the SPBE scale; expected a number above 1 and at most 5$",
        ),
        ({"target": "0.5"}, r"^target: 0.5 is outside the SPBE scale"),
        ({"target": "abc"}, r"^target: expected a number, got 'abc'$"),
        ({"target": "nan"}, r"^target: expected a number, got 'nan'$"),
        ({"target_year": "2040"}, r"^target_year: 2040 must be between year \(2024\) and 2034$"),
        ({"target_year": "2020"}, r"^target_year: 2020 must be between year"),
        ({"lang": "fr"}, r"^lang: 'fr' is not supported; expected one of \['id', 'en'\]$"),
        ({"jobs": "0"}, r"^jobs: expected 1 to 256 parallel processes, got 0$"),
        ({"jobs": "two"}, r"^jobs: expected an integer, got 'two'$"),
        ({"timeout": "-1"}, r"^timeout: expected seconds above 0 and at most 86400"),
        (
            {"executor": "spark"},
            r"^executor: 'spark' is not supported; expected one of \['local', 'dask'\]$",
        ),
        ({"executor": "dask"}, r"^scheduler: --executor dask needs --scheduler ADDRESS"),
        ({"scheduler": "tcp://x:1"}, r"^scheduler: only used with --executor dask$"),
        ({"regions": "Atlantis"}, r"^regions\[0\]: unknown region 'Atlantis'"),
        ({"regions": "3211,9999"}, r"^regions\[1\]: unknown BPS code '9999'"),
        ({"regions": " , "}, r"^regions: expected at least one region"),
        (
            {"cohort": "mars"},
            r"^cohort: unknown cohort 'mars'; expected one of \['all', 'jawa-barat'",
        ),
        (
            {"yeer": "2024"},
            r"^unknown parameter 'yeer' \(did you mean 'year'\?\); expected one of ",
        ),
        ({"region": "3211"}, r"^unknown parameter 'region' \(did you mean 'regions'\?\)"),
        ({"lang": "id\nimport os"}, r"^lang: expected a text value on one line"),
    ],
)
def test_bad_values_are_refused_in_one_line(config, cli, message):
    with pytest.raises(LivingLabError, match=message) as info:
        validate(cli, config=config)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


# --------------------------------------------------------------------------------------------
# Parameter files


def write(tmp_path, text: str | bytes, name: str = "p.yaml"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_params_file_sets_values_and_the_command_line_wins(config, tmp_path):
    path = write(
        tmp_path,
        "year: 2023\nlang: en\ntarget-year: 2028\nregions: [Sumedang, '3273']\nshade: dark\n",
    )
    p = validate({"lang": "id"}, config=config, params_file=path)
    assert p.notebook_values["year"] == 2023
    assert p.notebook_values["target_year"] == 2028
    assert p.notebook_values["lang"] == "id"  # command line wins
    assert p.notebook_values["shade"] == "dark"
    assert p.regions == ("3211", "3273")


def test_params_file_with_a_bom_is_read(config, tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfyear: 2023\n")
    assert validate({}, config=config, params_file=path).notebook_values["year"] == 2023


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "- year\n- 2024\n",
            r"p\.yaml: expected a mapping of parameter names to values .*got a list$",
        ),
        ("2024\n", r"p\.yaml: expected a mapping .*got a int$"),
        ("", r"p\.yaml: file is empty; expected a mapping"),
        ("# only a comment\n", r"p\.yaml: file is empty"),
        (
            "year: 2024\nyear: 2023\n",
            r"p\.yaml, line 2: key 'year' appears twice \(first on line 1\); expected each key once$",
        ),
        ("year: [2024\n", r"p\.yaml, line \d+: not valid YAML"),
        (
            "yeer: 2024\n",
            r"p\.yaml, field 'yeer': unknown parameter 'yeer' \(did you mean 'year'\?\)",
        ),
        ("zzz: red\n", r"p\.yaml, field 'zzz': unknown parameter 'zzz'; expected one of"),
        (
            "yeer: 2024\nzzz: red\n",
            r"p\.yaml: unknown parameters 'yeer' \(did you mean 'year'\?\) and 'zzz'; expected one of",
        ),
        ('year: "2024"\n', r"p\.yaml, field 'year': expected an integer, got '2024'$"),
        ("year: true\n", r"p\.yaml, field 'year': expected an integer, got True$"),
        ("target: high\n", r"p\.yaml, field 'target': expected a number, got 'high'$"),
        ("force: 'yes'\n", r"p\.yaml, field 'force': expected true or false, got 'yes'$"),
        ("regions: {a: 1}\n", r"p\.yaml, field 'regions': expected a list"),
        ("lang: fr\n", r"^lang: 'fr' is not supported"),
        ("target: 9\n", r"^target: 9 is outside the SPBE scale"),
        ("1: 2\n", r"p\.yaml: parameter names must be text"),
        (
            "year: 2024\ntarget_year: 2025\ntarget-year: 2026\n",
            r"parameter 'target_year' given twice",
        ),
    ],
)
def test_bad_params_files_are_refused_in_one_line(config, tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(LivingLabError, match=message) as info:
        validate({}, config=config, params_file=path)
    assert "\n" not in str(info.value)


def test_params_file_in_latin1_is_refused(config, tmp_path):
    path = write(
        tmp_path, "cohort: jawa-barat # Kab. Garut, Jawa Barat – é\n".encode("latin-1", "replace")
    )
    with pytest.raises(
        InputError, match=r"p\.yaml, line 1: not UTF-8 text \(byte 0x..\); save the file as UTF-8$"
    ):
        validate({}, config=config, params_file=path)


def test_missing_folder_and_huge_params_files_are_refused(config, tmp_path):
    with pytest.raises(InputError, match=r"nope\.yaml: file not found"):
        validate({}, config=config, params_file=tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a folder"):
        validate({}, config=config, params_file=tmp_path)
    big = write(tmp_path, "year: 2024\n" + "#" * (rp.MAX_PARAMS_BYTES + 10) + "\n")
    with pytest.raises(
        InputError,
        match=r"p\.yaml: file is 1,000,022 bytes; expected at most 1,000,000 bytes for a YAML file$",
    ):
        validate({}, config=config, params_file=big)


# --------------------------------------------------------------------------------------------
# Declared parameters drive what is accepted


def test_a_parameter_only_one_notebook_declares_reaches_only_that_notebook(config):
    p = validate({}, config=config, params_file=None)
    region_declared = config.declared(config.region)
    cohort_declared = config.declared(config.cohort[0])
    to_region = p.parameters_for(region_declared, region="3211")
    to_cohort = p.parameters_for(cohort_declared)
    assert "shade" not in to_region and to_cohort["shade"] == "light"
    assert to_region == {
        "region": "3211",
        "year": 2024,
        "cohort": "jawa-barat",
        "target": 3.5,
        "target_year": 2025,
        "lang": "id",
    }
    assert "region" not in to_cohort and "context_path" not in to_cohort


def test_a_parameter_no_notebook_declares_is_unknown(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('region: str = "3211"  # code\nyear: int = 2024  # year')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "only_year.ipynb")
    (tmp_path / "set.yaml").write_text("notebook_dir: .\nregion_notebook: only_year.ipynb\n")
    cfg = load_notebook_config(tmp_path / "set.yaml")
    assert validate({"year": "2023"}, config=cfg).notebook_values == {"year": 2023}
    with pytest.raises(ParameterError, match=r"^unknown parameter 'lang'; expected one of "):
        validate({"lang": "en"}, config=cfg)
    # Without a declared cohort the batch compares with every kab/kota.
    assert validate({}, config=cfg).cohort == "all"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("region_notebook: r.ipynb\nextra: 1\n", r"field 'extra': unknown parameter 'extra'"),
        (
            "cohort_notebooks: [a.ipynb]\n",
            r"field 'region_notebook': expected a notebook file name",
        ),
        (
            "region_notebook: r.txt\n",
            r"field 'region_notebook': expected a notebook file name ending in \.ipynb",
        ),
        (
            "region_notebook: r.ipynb\ntimeout: -5\n",
            r"field 'timeout': expected a number of seconds above 0 and at most 86400",
        ),
        (
            "region_notebook: r.ipynb\npreload: numpy\n",
            r"field 'preload': expected a list of module names",
        ),
    ],
)
def test_bad_notebook_sets_are_refused(tmp_path, content, message):
    path = write(tmp_path, content, "set.yaml")
    with pytest.raises(InputError, match=message):
        load_notebook_config(path)


def test_the_project_notebook_set_and_examples_are_valid():
    cfg = load_notebook_config()
    assert cfg.region == paths.NOTEBOOKS / "region_report.ipynb"
    assert [nb.stem for nb in cfg.cohort] == ["cohort_overview", "linkage_study"]
    examples = sorted((paths.PARAMS / "examples").glob("*.yaml"))
    assert len(examples) >= 3
    for path in examples:
        p = validate({}, config=cfg, params_file=path)
        assert p.regions, path


# --------------------------------------------------------------------------------------------
# Through the command line: one line on stderr, exit 2, no kernel started


def run_cli(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse's own errors
        return int(exc.code or 0)


@pytest.fixture
def no_kernels(monkeypatch):
    from living_lab.report import pool, runner

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel or a batch was started despite invalid parameters")

    monkeypatch.setattr(pool.ReportPool, "start", refuse)
    monkeypatch.setattr(pool.ReportHost, "start", refuse)
    monkeypatch.setattr(runner, "run_batch", refuse)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--year", "abc"], "year: expected an integer, got 'abc'"),
        (["--lang", "fr"], "lang: 'fr' is not supported"),
        (["--target", "6"], "target: 6 is outside the SPBE scale"),
        (["--regions", "Atlantis"], "regions[0]: unknown region 'Atlantis'"),
        (["--cohort", "mars"], "cohort: unknown cohort 'mars'"),
        (["--jobs", "-2"], "jobs: expected 1 to 256 parallel processes, got -2"),
        (["--executor", "dask"], "scheduler: --executor dask needs --scheduler ADDRESS"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_command_line_errors_are_one_line_and_exit_2(
    no_kernels, capsys, tmp_path, monkeypatch, argv, message
):
    monkeypatch.setenv("LIVING_LAB_LANG", "en")  # the messages below are the English ones
    code = run_cli(
        [
            "reports",
            "--notebooks",
            str(FIXTURES / "notebooks.yaml"),
            "--out",
            str(tmp_path / "out"),
            *argv,
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert message in lines[0]
    assert not (tmp_path / "out").exists()


def test_params_file_that_is_not_a_mapping_exits_2(no_kernels, capsys, tmp_path):
    path = write(tmp_path, json.dumps(["year", 2024]))
    code = run_cli(
        ["reports", "--notebooks", str(FIXTURES / "notebooks.yaml"), "--params", str(path)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        f"living-lab reports: galat: {path}: seharusnya berisi pasangan nama parameter dan "
        "nilainya (mis. 'year: 2024'), bukan daftar atau nilai tunggal"
    )
    code = run_cli(
        ["--lang", "en", "reports", "--notebooks", str(FIXTURES / "notebooks.yaml")]
        + ["--params", str(path)]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        f"living-lab reports: error: {path}: expected a mapping of parameter names to values "
        "(e.g. 'year: 2024'), got a list"
    )


@pytest.mark.parametrize(
    ("year", "target", "target_year"),
    [
        (2019, 3.5, 2025),
        (2024, 6.0, 2025),
        (2024, 3.5, 2020),
        (2024, 3.5, 2040),
    ],
)
def test_runner_and_notebooks_apply_one_year_and_target_rule(config, year, target, target_year):
    """``living-lab reports`` and a notebook run directly refuse the same values, identically."""
    from living_lab.results import context

    with pytest.raises(ParameterError) as by_notebook:
        context.validate_args("jawa-barat", year, target, target_year)
    cli = {"year": str(year), "target": str(target), "target_year": str(target_year)}
    with pytest.raises(ParameterError) as by_runner:
        validate(cli, config=config)
    assert str(by_notebook.value) == str(by_runner.value)
