"""Cohorts: named sets of regions defined in ``params/cohorts/<name>.yaml``.

A cohort file has a ``title`` (and optionally ``title_en``), a ``description``, a ``source``
and either ``regions`` (names or codes, resolved like user input) or ``filter`` (column ->
value or list of values of ``data/regions.csv``, e.g. ``province: Jawa Barat``). The reserved
name ``all`` means every kabupaten/kota with a published SPBE result.

Examples
--------
>>> cohort = load_cohort("jawa-barat")
>>> len(cohort.regions), "3211" in cohort.regions
(27, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from living_lab import datasets, paths, validate
from living_lab.errors import InputError, ParameterError
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
    raw = validate.read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError.keyed("err.cohort.not_mapping", file=path)
    unknown = set(raw) - {"title", "title_en", "description", "source", "regions", "filter"}
    if unknown:
        raise InputError.keyed("err.cohort.unknown_keys", file=path, keys=str(sorted(unknown)))
    for key in ("title", "title_en", "description", "source"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str | int | float):
            kind = "list" if isinstance(value, list) else "mapping"
            raise InputError.keyed(f"err.cohort.not_text.{kind}", file=path, field=key)
    if ("regions" in raw) == ("filter" in raw):
        raise InputError.keyed("err.cohort.regions_or_filter", file=path)
    if "regions" in raw:
        if not isinstance(raw["regions"], list) or not raw["regions"]:
            raise InputError.keyed("err.cohort.regions_list", file=path, field="regions")
        codes = []
        for i, item in enumerate(raw["regions"]):
            try:
                code = resolve_region(str(item))
            except Exception as exc:
                raise InputError.at(exc, file=path, field=f"regions[{i}]") from None
            if code not in codes:
                codes.append(code)
    else:
        flt = raw["filter"]
        if not isinstance(flt, dict) or not flt:
            raise InputError.keyed("err.cohort.filter_mapping", file=path, field="filter")
        regions = datasets.load_regions()
        mask = regions["region_code"].notna()
        for col, value in flt.items():
            if col not in regions.columns:
                raise InputError.keyed(
                    "err.cohort.filter_column",
                    column=col,
                    columns=str(list(regions.columns)),
                    file=path,
                    field="filter",
                )
            values = value if isinstance(value, list) else [value]
            mask &= regions[col].isin([str(v) for v in values])
        codes = sorted(regions.loc[mask, "region_code"])
        if not codes:
            raise InputError.keyed(
                "err.cohort.filter_empty", filter=str(flt), file=path, field="filter"
            )
    title = str(raw.get("title", path.stem))
    return Cohort(
        name=path.stem,
        title=title,
        title_en=str(raw.get("title_en", title)),
        description=str(raw.get("description", "")),
        source=str(raw.get("source", "")),
        regions=tuple(codes),
    )
