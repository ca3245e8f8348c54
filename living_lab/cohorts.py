"""Cohorts: named sets of regions defined in ``params/cohorts/<name>.yaml``.

A cohort file has a ``title`` (and optionally ``title_en``), a ``description``, a ``source``
and either ``regions`` (names or codes, resolved like user input) or ``filter`` (column ->
value or list of values of ``data/regions.csv``, e.g. ``province: Jawa Barat``). The reserved
name ``all`` means every kabupaten/kota with a published SPBE result. The file's model is
``living_lab/schemas/cohort.json``; every problem of a file is named at once, with its line.

Examples
--------
>>> cohort = load_cohort("jawa-barat")
>>> len(cohort.regions), "3211" in cohort.regions
(27, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from living_lab import datasets, paths, schema
from living_lab.errors import LivingLabError, ParameterError
from living_lab.regions import resolve_region

ALL = "all"


@dataclass(frozen=True)
class Cohort:
    name: str
    title: str
    title_en: str
    description: str
    source: str
    regions: tuple[str, ...]


def available_cohorts() -> list[str]:
    """Names of every cohort file, plus ``all``."""
    return [ALL, *sorted(p.stem for p in paths.COHORTS.glob("*.yaml"))]


def load_cohort(name_or_path: str | Path) -> Cohort:
    """Load a cohort by name (a file in ``params/cohorts``) or by path to a YAML file."""
    name = str(name_or_path)
    if name == ALL:
        spbe = datasets.load_spbe()
        return Cohort(
            name=ALL,
            title="Semua kabupaten/kota",
            title_en="All kabupaten/kota",
            description="Every kabupaten/kota with a published SPBE result (PermenPANRB 59/2020).",
            source="data/spbe_index.csv",
            regions=tuple(sorted(spbe["region_code"].unique())),
        )
    is_file = name.endswith((".yaml", ".yml"))
    path = Path(name) if is_file else paths.COHORTS / f"{name}.yaml"
    if not is_file and (not path.exists() or Path(name).name != name):
        # A name is a file of params/cohorts; it never reaches outside that folder.
        raise ParameterError.keyed("err.cohort.unknown", name=name, names=str(available_cohorts()))
    try:
        st = path.stat()
    except OSError:
        return _load_file(path)  # the reader names the problem
    # Read once per version of the file: peer groups resolve a cohort for every region.
    return _load_file_cached(str(path), os.getcwd(), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _load_file_cached(path: str, cwd: str, mtime_ns: int, size: int) -> Cohort:
    return _load_file(Path(path))


def _load_file(path: Path) -> Cohort:
    """A cohort file, checked (see the module docstring)."""
    codes: list[str] = []

    def rules(raw: dict[str, Any], bad: schema.Bad) -> list[schema.Problem]:
        found: list[schema.Problem] = []
        if ("regions" in raw) == ("filter" in raw):
            found.append((None, schema.say("err.cohort.regions_or_filter")))
        elif "regions" in raw and not bad.under("regions"):
            for i, item in enumerate(raw["regions"]):
                try:
                    code = resolve_region(str(item))
                except LivingLabError as exc:
                    found.append((f"regions[{i}]", schema.said(exc)))
                    continue
                if code not in codes:
                    codes.append(code)
        elif "filter" in raw and not bad.under("filter"):
            codes.extend(_filtered(raw["filter"], found))
        return found

    raw, _ = schema.read_file(path, "cohort", rules)
    title = str(raw.get("title", path.stem))
    return Cohort(
        name=path.stem,
        title=title,
        title_en=str(raw.get("title_en", title)),
        description=str(raw.get("description", "")),
        source=str(raw.get("source", "")),
        regions=tuple(codes),
    )


def _filtered(flt: dict[str, Any], found: list[schema.Problem]) -> list[str]:
    """Codes of the regions matching every column of ``flt``; problems go to ``found``."""
    regions = datasets.load_regions()
    mask = regions["region_code"].notna()
    for col, value in flt.items():
        if col not in regions.columns:
            found.append(
                (
                    f"filter.{col}",
                    schema.say(
                        "err.cohort.filter_column", column=col, columns=list(regions.columns)
                    ),
                )
            )
            continue
        values = value if isinstance(value, list) else [value]
        mask &= regions[col].isin([str(v) for v in values])
    codes = sorted(regions.loc[mask, "region_code"])
    if not codes and not found:
        found.append(("filter", schema.say("err.cohort.filter_empty", filter=flt)))
    return codes
