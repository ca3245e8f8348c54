"""Schema test over every metadata file and every params file (owid/etl style)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from living_lab import paths
from living_lab.cohorts import available_cohorts, load_cohort

REQUIRED_META = {
    "title",
    "producer",
    "publication",
    "url",
    "date_published",
    "date_accessed",
    "licence",
    "columns",
}
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
    required = (
        REQUIRED_META
        if name != "island_groups"
        else {"title", "producer", "source", "licence", "columns"}
    )
    assert required <= set(meta), f"{meta_path.name} lacks {sorted(required - set(meta))}"
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


@pytest.mark.parametrize(
    "path", sorted(paths.PARAMS.rglob("*.yaml")), ids=lambda p: str(p.relative_to(paths.PARAMS))
)
def test_params_files_are_yaml_mappings(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data, f"{path} is not a non-empty mapping"


@pytest.mark.parametrize("name", available_cohorts())
def test_every_cohort_loads(name):
    cohort = load_cohort(name)
    assert cohort.regions and len(set(cohort.regions)) == len(cohort.regions)


def test_west_java_cohort_has_its_27_regions():
    cohort = load_cohort("jawa-barat")
    assert len(cohort.regions) == 27 and all(c.startswith("32") for c in cohort.regions)
