"""Schema test over every metadata file and every params file (owid/etl style)."""

from __future__ import annotations

import typing

import pandas as pd
import pytest
import yaml

from living_lab import paths
from living_lab.cohorts import available_cohorts, load_cohort
from living_lab.improvement import settings as improvement_settings
from living_lab.linkage import specs as linkage_specs
from living_lab.peers import config as peers_config
from living_lab.report import params as report_params
from living_lab.results import context as report_context

#: Every table documents these.
REQUIRED_META = {"title", "producer", "licence", "columns"}
#: A table transcribed from a publication says where and when it was published and read...
PUBLISHED_META = {"publication", "url", "date_published", "date_accessed"}
#: ...and a lookup table the project made says what it was made from and when.
PROJECT_META = {"source", "date_created"}
COLUMN_TYPES = {"string", "integer", "number"}
META_FILES = sorted(paths.DATA.glob("*.meta.yml"))


def test_every_bundled_csv_has_metadata():
    for csv in paths.DATA.glob("*.csv"):
        assert (csv.with_suffix("").with_suffix(".meta.yml")).exists() or paths.metadata(
            csv.stem
        ).exists(), csv


@pytest.mark.parametrize("meta_path", META_FILES, ids=lambda p: p.name)
def test_metadata_schema(meta_path):
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    name = meta_path.name.removesuffix(".meta.yml")
    assert REQUIRED_META <= set(meta), f"{meta_path.name} lacks {sorted(REQUIRED_META - set(meta))}"
    # Either from a publication or a lookup table made by the project; never neither.
    assert PUBLISHED_META <= set(meta) or PROJECT_META <= set(meta), (
        f"{meta_path.name} names neither its publication ({sorted(PUBLISHED_META)}) "
        f"nor its making ({sorted(PROJECT_META)})"
    )
    for col, spec in meta["columns"].items():
        assert isinstance(spec, dict) and spec.get("description"), (
            f"{meta_path.name}: column {col} undocumented"
        )
        assert spec.get("type", "string") in COLUMN_TYPES, (
            f"{meta_path.name}: column {col} has an unknown type"
        )
    header = list(pd.read_csv(paths.DATA / f"{name}.csv", nrows=0).columns)
    assert header == list(meta["columns"]), f"{name}.csv header differs from its metadata"
    if "primary_key" in meta:
        assert set(meta["primary_key"]) <= set(meta["columns"])


def test_outcome_indicators_and_sources_are_documented():
    meta = yaml.safe_load(paths.metadata("outcomes").read_text(encoding="utf-8"))
    data = pd.read_csv(paths.dataset("outcomes"), usecols=["indicator", "source", "unit"])
    assert set(data["indicator"]) <= set(meta["indicators"])
    assert set(data["source"]) <= set(meta["sources"])
    for ind, spec in meta["indicators"].items():
        assert spec["unit"] and spec["description"], ind


def _load_linkage_specs(path):
    assert path == linkage_specs.SPECS_FILE
    for outcome in typing.get_args(linkage_specs.Outcome):
        designs = linkage_specs.designs_of(outcome)
        assert designs, f"{path}: no main model for {outcome}"
        for design in designs:
            linkage_specs.main_spec(outcome, design)
            linkage_specs.robustness_specs(outcome, design)
    linkage_specs.panel_rule()


def _load_filters(path):
    assert path == linkage_specs.FILTERS_FILE
    assert linkage_specs.sample_filters()


def _load_targets(path):
    assert path == paths.PARAMS / "national_targets.yaml"
    assert len(report_context.load_national_targets()) > 0


def _load_example(path):
    config = report_params.load_notebook_config()
    report_params.validate({}, config=config, params_file=path)


#: Each params file and the code that reads it (the reader's own checks are the schema).
PARAMS_READERS = {
    "notebooks.yaml": report_params.load_notebook_config,
    "improvement.yaml": improvement_settings.parse_settings,
    "peer_groups.yaml": peers_config.parse_config,
    "national_targets.yaml": _load_targets,
    "linkage/specs.yaml": _load_linkage_specs,
    "linkage/sample_filters.yaml": _load_filters,
    "cohorts/*.yaml": load_cohort,
    "examples/*.yaml": _load_example,
}
PARAMS_FILES = sorted(paths.PARAMS.rglob("*.yaml"))


def _reader(path):
    rel = path.relative_to(paths.PARAMS)
    return next((r for pat, r in PARAMS_READERS.items() if rel.match(pat)), None)


def test_every_params_file_has_a_reader():
    unread = [str(p.relative_to(paths.PARAMS)) for p in PARAMS_FILES if _reader(p) is None]
    assert unread == [], f"params files no code reads (add them to PARAMS_READERS): {unread}"


@pytest.mark.parametrize("path", PARAMS_FILES, ids=lambda p: str(p.relative_to(paths.PARAMS)))
def test_params_file_is_accepted_by_its_reader(path):
    """The reader raises a LivingLabError naming the file and field for anything it refuses."""
    _reader(path)(path)


@pytest.mark.parametrize("name", available_cohorts())
def test_every_cohort_loads(name):
    cohort = load_cohort(name)
    assert cohort.regions and len(set(cohort.regions)) == len(cohort.regions)


def test_west_java_cohort_has_its_27_regions():
    cohort = load_cohort("jawa-barat")
    assert len(cohort.regions) == 27 and all(c.startswith("32") for c in cohort.regions)
