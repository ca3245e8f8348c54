"""Model specifications of the linkage study, as typed options read from ``params/linkage``.

A :class:`LinkageSpec` says, in data, which regression is run: the outcome and its year(s), the
SPBE measure (index or a domain; level or change) and its year, the controls, whether province
effects are included, the sample filters, which low-confidence figures are admitted and how the
standard errors are computed. The main model of each outcome and the rows of each robustness
table live in ``params/linkage/specs.yaml``; this module only reads and checks them (models
``living_lab/schemas/linkage_specs.json`` and ``linkage_filters.json``; the literal types below
name the same values, and a test checks that they agree).

Examples
--------
>>> spec = main_spec("stunting_prevalence_pct")
>>> spec.spbe_year, spec.outcome_year, spec.controls
(2023, 2024, ('log_grdp_pc', 'kota'))
>>> [s.key for s in robustness_specs("stunting_prevalence_pct")][:3]
['main', 'no_province_effects', 'no_controls']
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from living_lab import paths, schema
from living_lab.errors import InputError, ParameterError

Outcome = Literal["stunting_prevalence_pct", "poverty_rate_pct"]
Design = Literal["cross_section", "change", "twfe"]
SpbeMeasure = Literal["index", "d1", "d2", "d3", "d4"]
SpbeForm = Literal["level", "change"]
Control = Literal["log_grdp_pc", "log_population", "kota", "baseline_outcome"]
SeType = Literal["cluster", "hc1", "hc3", "wild"]
Confidence = Literal["high", "medium", "low"]
#: Variables whose low-confidence figures a spec may admit one by one (``admit_low``).
LowConfidenceVariable = Literal["population", "grdp_per_capita", "outcome"]

OUTCOMES: tuple[str, ...] = get_args(Outcome)
DESIGNS: tuple[str, ...] = get_args(Design)

SPECS_FILE: Path = paths.PARAMS / "linkage" / "specs.yaml"
FILTERS_FILE: Path = paths.PARAMS / "linkage" / "sample_filters.yaml"


@dataclass(frozen=True)
class LinkageSpec:
    """One regression of an outcome on an SPBE measure.

    Parameters
    ----------
    outcome : outcome indicator (column stem of :func:`living_lab.datasets.load_cross_section`).
    design : ``cross_section`` (outcome level in ``outcome_year``), ``change`` (outcome change
        from ``base_year`` to ``outcome_year`` regressed on the SPBE level and baseline
        controls) or ``twfe`` (region and year fixed effects on a panel; SPBE of year t - ``lag``
        with the outcome of year t).
    outcome_year, base_year : outcome year; ``base_year`` is the start of a change.
    spbe_measure : ``index`` or a domain ``d1``..``d4`` (``d4`` is domain 4, Layanan).
    spbe_form : ``level`` (value in ``spbe_year``) or ``change`` (``spbe_year`` minus
        ``spbe_base_year``).
    controls : ``log_grdp_pc`` (log real GRDP per capita in ``control_year``), ``log_population``
        (log population 2025, low confidence: needs ``admit_low=("population",)`` or
        ``min_confidence="low"``), ``kota`` (1 for a city), ``baseline_outcome`` (the outcome in
        ``base_year``; change design only).
    control_year : year of GRDP per capita; default the SPBE year (level) or base year (change).
    population_year : year of the population figure (only 2025 exists for every region).
    province_effects : include a dummy per province (compare regions within a province).
    sample_filters : names of filters in ``params/linkage/sample_filters.yaml``.
    min_confidence : lowest confidence flag of the figures used (``medium`` by default).
    admit_low : variables whose low-confidence figures are admitted although ``min_confidence``
        is stricter (e.g. ``("population",)``: the only nationwide population figure is low).
    se_type : ``cluster`` (province-clustered CR1 with t(G-1) critical values), ``hc1``,
        ``hc3`` (heteroskedasticity-robust), or ``wild`` (CR1 standard error with wild cluster
        restricted bootstrap p-value and interval).
    lag : panel design: SPBE of year t - lag goes with the outcome of year t.
    key : name of the robustness row this spec is (``main`` for a main model).
    """

    outcome: Outcome = "stunting_prevalence_pct"
    design: Design = "cross_section"
    outcome_year: int = 2024
    base_year: int | None = None
    spbe_measure: SpbeMeasure = "index"
    spbe_form: SpbeForm = "level"
    spbe_year: int = 2023
    spbe_base_year: int | None = None
    controls: tuple[Control, ...] = ("log_grdp_pc", "kota")
    control_year: int | None = None
    population_year: int = 2025
    province_effects: bool = True
    sample_filters: tuple[str, ...] = ()
    min_confidence: Confidence = "medium"
    admit_low: tuple[LowConfidenceVariable, ...] = ()
    se_type: SeType = "cluster"
    lag: int = 1
    key: str = "custom"

    def __post_init__(self) -> None:
        # Lists from YAML become tuples so a spec stays hashable (results are cached by spec).
        for name in ("controls", "sample_filters", "admit_low"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(value))
        _check_spec(self)

    @property
    def grdp_year(self) -> int:
        """Year of the GRDP per capita control."""
        if self.control_year is not None:
            return self.control_year
        if self.design == "change" and self.base_year is not None:
            return self.base_year
        return self.spbe_year

    def replace(self, **changes: Any) -> LinkageSpec:
        """A copy with some fields changed (checked like a new spec)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ParameterError(
                f"unknown LinkageSpec field(s) {sorted(unknown)}; expected some of {spec_fields()}"
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (for manifests and tables)."""
        return dataclasses.asdict(self)


def spec_fields() -> list[str]:
    """Names of the fields of :class:`LinkageSpec`."""
    return [f.name for f in dataclasses.fields(LinkageSpec)]


def _literal_check(name: str, value: Any, literal: Any) -> None:
    allowed = get_args(literal)
    if value not in allowed:
        raise ParameterError(f"{name}: {value!r}; expected one of {list(allowed)}")


def _check_spec(spec: LinkageSpec) -> None:
    _literal_check("outcome", spec.outcome, Outcome)
    _literal_check("design", spec.design, Design)
    _literal_check("spbe_measure", spec.spbe_measure, SpbeMeasure)
    _literal_check("spbe_form", spec.spbe_form, SpbeForm)
    _literal_check("se_type", spec.se_type, SeType)
    _literal_check("min_confidence", spec.min_confidence, Confidence)
    for c in spec.controls:
        _literal_check("controls", c, Control)
    for v in spec.admit_low:
        _literal_check("admit_low", v, LowConfidenceVariable)
    if len(set(spec.controls)) != len(spec.controls):
        raise ParameterError(f"controls: {list(spec.controls)} lists a control twice")
    for name in ("outcome_year", "spbe_year", "population_year", "lag"):
        value = getattr(spec, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(f"{name}: {value!r}; expected an integer year")
    for name in ("base_year", "spbe_base_year", "control_year"):
        value = getattr(spec, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ParameterError(f"{name}: {value!r}; expected an integer year or None")
    if not isinstance(spec.province_effects, bool):
        raise ParameterError(f"province_effects: {spec.province_effects!r}; expected true or false")
    if spec.design == "change":
        if spec.base_year is None or spec.base_year >= spec.outcome_year:
            raise ParameterError(
                f"base_year: {spec.base_year!r}; a change design needs a base year before "
                f"outcome_year {spec.outcome_year}"
            )
    elif "baseline_outcome" in spec.controls:
        raise ParameterError(
            "controls: 'baseline_outcome' is only meaningful in the 'change' design"
        )
    if spec.spbe_form == "change" and (
        spec.spbe_base_year is None or spec.spbe_base_year >= spec.spbe_year
    ):
        raise ParameterError(
            f"spbe_base_year: {spec.spbe_base_year!r}; an SPBE change needs a base year before "
            f"spbe_year {spec.spbe_year}"
        )
    if spec.design == "twfe":
        if spec.spbe_form != "level":
            raise ParameterError(
                "spbe_form: the twfe design uses SPBE levels (it differences itself)"
            )
        if spec.lag < 0:
            raise ParameterError(f"lag: {spec.lag}; expected 0 or more years")
        if "kota" in spec.controls:
            raise ParameterError(
                "controls: 'kota' does not vary over time and is absorbed by region effects in twfe"
            )
    known = set(sample_filters())
    for name in spec.sample_filters:
        if name not in known:
            raise ParameterError(
                f"sample_filters: unknown filter {name!r}; expected one of {sorted(known)} "
                f"(defined in {FILTERS_FILE})"
            )


@cache
def sample_filters() -> dict[str, dict[str, Any]]:
    """Named sample filters: ``{name: {"column": ..., "exclude": [...], "description": ...}}``.

    Read from ``params/linkage/sample_filters.yaml`` and checked against its model
    (``living_lab/schemas/linkage_filters.json``); a filter's column must be a column of
    ``data/regions.csv``.
    """
    from living_lab.datasets import load_regions

    columns = list(load_regions().columns)

    def rules(raw: dict[str, Any], bad: schema.Bad) -> list[schema.Problem]:
        filters = raw.get("filters")
        return [
            (
                f"filters.{name}.column",
                f"expected a column of data/regions.csv ({', '.join(columns)}), "
                f"got {flt['column']!r}",
            )
            for name, flt in (filters.items() if isinstance(filters, dict) else ())
            if not bad.under(f"filters.{name}") and flt["column"] not in columns
        ]

    raw, _ = schema.read_file(FILTERS_FILE, "linkage_filters", rules)
    return {
        str(name): {
            "column": flt["column"],
            "exclude": tuple(str(v) for v in flt["exclude"]),
            "description": str(flt.get("description", "")),
        }
        for name, flt in raw["filters"].items()
    }


@cache
def _specs_file() -> dict[str, Any]:
    """``params/linkage/specs.yaml``, checked against its model and the rules of a spec."""
    return schema.read_file(SPECS_FILE, "linkage_specs", _spec_rules)[0]


def _spec_rules(raw: dict[str, Any], bad: schema.Bad) -> list[schema.Problem]:
    """Every main model and robustness row the model accepted, built once as a
    :class:`LinkageSpec`: a rule across fields broken anywhere (a change design without a base
    year, ...) is named with the file's other problems when it is first read, not when that
    row is first used; and each robustness table must name an outcome/design with a main model."""
    found: list[schema.Problem] = []
    main = raw.get("main")
    if not isinstance(main, dict):
        return found
    models = {
        (o, d): fields
        for o, designs in main.items()
        if isinstance(designs, dict)
        for d, fields in designs.items()
    }
    for (outcome, design), fields in models.items():
        where = f"main.{outcome}.{design}"
        if not bad.under(where):
            found += _spec_problems({"outcome": outcome, "design": design, **fields}, where)
    tables = raw.get("robustness") or {}
    for table, rows in tables.items() if isinstance(tables, dict) else ():
        outcome, _, design = str(table).partition("/")
        if (outcome, design) not in models:
            named = ", ".join(f"{o}/{d}" for o, d in models)
            found.append(
                (f"robustness.{table}", f"expected an outcome/design with a main model ({named})")
            )
            continue
        if bad.under(f"main.{outcome}.{design}") or not isinstance(rows, list):
            continue
        base = {"outcome": outcome, "design": design, **models[(outcome, design)]}
        for i, row in enumerate(rows):
            where = f"robustness.{table}[{i}]"
            if not bad.under(where):
                changes = {**(row.get("set") or {}), "key": row["key"]}
                found += _spec_problems({**base, **changes}, where)
    return found


def _spec_problems(fields: dict[str, Any], where: str) -> list[schema.Problem]:
    try:
        LinkageSpec(**fields)
    except ParameterError as exc:
        return [(where, str(exc))]
    return []


def _make(fields: dict[str, Any], *, where: str) -> LinkageSpec:
    try:
        return LinkageSpec(**fields)
    except ParameterError as exc:
        raise InputError(str(exc), file=SPECS_FILE, field=where) from None


def _main_fields(outcome: str, design: str) -> dict[str, Any]:
    _literal_check("outcome", outcome, Outcome)
    _literal_check("design", design, Design)
    main = _specs_file().get("main", {})
    fields = (main.get(outcome) or {}).get(design)
    if fields is None:
        available = sorted((main.get(outcome) or {}).keys())
        raise ParameterError(
            f"design: no {design!r} model is defined for {outcome!r} in {SPECS_FILE}; "
            f"expected one of {available}"
        )
    return {"outcome": outcome, "design": design, "key": "main", **fields}


def main_spec(
    outcome: Outcome = "stunting_prevalence_pct",
    design: Design = "cross_section",
    *,
    min_confidence: Confidence | None = None,
) -> LinkageSpec:
    """The main model of ``outcome`` in ``design`` (from ``params/linkage/specs.yaml``).

    ``min_confidence`` overrides the file's confidence threshold (e.g. ``"low"`` to include
    every low-confidence figure).
    """
    fields = _main_fields(outcome, design)
    if min_confidence is not None:
        fields["min_confidence"] = min_confidence
    return _make(fields, where=f"main.{outcome}.{design}")


def designs_of(outcome: Outcome) -> list[str]:
    """Designs with a main model for ``outcome`` (in the order of the specs file)."""
    _literal_check("outcome", outcome, Outcome)
    return list((_specs_file().get("main", {}).get(outcome) or {}).keys())


def robustness_specs(
    outcome: Outcome = "stunting_prevalence_pct",
    design: Design = "cross_section",
    *,
    min_confidence: Confidence | None = None,
) -> list[LinkageSpec]:
    """The specs of the robustness table of ``outcome`` in ``design``, main model first.

    Rows that set their own ``min_confidence`` (the low-confidence rows) keep it; the others
    take ``min_confidence`` when given.
    """
    base = _main_fields(outcome, design)
    if min_confidence is not None:
        base["min_confidence"] = min_confidence
    rows = (_specs_file().get("robustness") or {}).get(f"{outcome}/{design}")
    if not rows:
        return [_make(base, where=f"main.{outcome}.{design}")]
    specs = []
    for i, row in enumerate(rows):
        where = f"robustness.{outcome}/{design}[{i}]"
        changes = row.get("set") or {}
        specs.append(_make({**base, **changes, "key": str(row["key"])}, where=where))
    return specs


def panel_rule() -> dict[str, int]:
    """Minimum regions and clusters with two or more periods before panel methods are used."""
    rule = _specs_file()["panel_rule"]
    return {"min_regions": rule["min_regions"], "min_clusters": rule["min_clusters"]}
