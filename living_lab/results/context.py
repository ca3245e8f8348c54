"""The cohort context: everything cohort-wide that reports need, computed once per batch.

A batch of region reports shares one :class:`CohortContext`: the cohort's table (index,
predicate, rank, change, gap to target, outcomes), the SPBE series, the trend fit and forecasts,
peer ranks and their uncertainty, the SPBE-outcome relation, the domain plans, the national
targets and the data sources. The runner builds it once (:func:`build_context`), saves it as a
results folder (:func:`save_context`: one CSV per table and a ``meta.json`` with the schema, the
scalars, the input hash and the library version; see :mod:`living_lab.results.store`) and passes
its path to every region notebook, which loads it (:func:`get_context`, checking every file) and
only slices it, so a region report costs well under a second. Nothing in the folder can run
code; a damaged or foreign folder is refused with the reason, and the runner rebuilds it.

Analyses come from the library modules ``trends``, ``peers``, ``linkage`` and ``planner``;
``ctx.modules`` says per module whether it gave a result ("used") or had too little data
("missing").

Examples
--------
>>> ctx = build_context("jawa-barat", 2024, 3.5, 2025)
>>> row = ctx.table.loc["3211"]
>>> float(row["index"]), row["predicate"], int(row["rank"]), int(row["n_ranked"])
(4.51, 'Memuaskan', 2, 27)
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from living_lab import __version__, datasets, paths, schema
from living_lab.cohorts import Cohort, load_cohort
from living_lab.errors import InputError, LivingLabError, ParameterError
from living_lab.framework import load_framework
from living_lab.linkage.specs import Outcome
from living_lab.regions import resolve_region
from living_lab.results import store as resultstore
from living_lab.results.rules import check_target, check_target_year, check_year
from living_lab.text import LANGS
from living_lab.validate import read_yaml

#: Outcome indicators the reports show, in the order they show them.
OUTCOMES: tuple[Outcome, ...] = ("stunting_prevalence_pct", "poverty_rate_pct")
#: Bump when the meaning of a :class:`CohortContext` field changes (added or removed fields are
#: detected by the results reader without it).
SCHEMA = 4


@dataclass(frozen=True)
class LinkFit:
    """A straight-line association of one outcome with the SPBE index across regions.

    ``slope`` is outcome units per index point; ``slope_lo``/``slope_hi`` its 95% interval;
    ``n`` the regions used; ``method`` says which code produced it.
    """

    outcome: str
    outcome_year: int
    spbe_year: int
    intercept: float
    slope: float
    slope_lo: float
    slope_hi: float
    r: float
    n: int
    method: str
    #: Line of the fit with its 95% band: x, fit, lo, hi.
    line: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class LinkModel:
    """The linkage study's adjusted model of one outcome, reduced to what reports show.

    ``summary``/``caveat`` are the study's own sentences per language; ``positions`` has one row
    per cohort region (index ``region_code``): ``status`` ("ok" or "not_enough_data"),
    ``actual``, ``expected`` (leave-one-out), ``lo``/``hi`` (prediction interval), ``residual``,
    ``residual_rank``, ``n`` and ``note_<lang>`` (why a region cannot be placed).
    """

    outcome: str
    outcome_year: int
    spbe_year: int
    coef: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    level: float
    summary: dict[str, str]
    caveat: dict[str, str]
    positions: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class CohortContext:
    """Everything cohort-wide that the region and cohort reports slice (read-only by convention).

    Attributes
    ----------
    table : one row per cohort region (index ``region_code``): ``name``, ``kind``, ``province``,
        ``index``, ``predicate``, ``d1``-``d4`` of ``year`` (NaN when not evaluated that year),
        ``latest_year``/``latest_index``/``latest_predicate`` (last evaluation up to ``year``),
        ``prev_year``, ``prev_index``, ``change``, ``rank``/``n_ranked`` (1 = highest index in the
        cohort that year), ``prev_rank``, ``gap`` (target minus index), ``past_target``, and the
        outcomes ``stunting``, ``poverty``, ``poverty_base``, ``poverty_change``.
    spbe : SPBE rows (all years, default framework) of the cohort's regions.
    national_spbe : the national index by year.
    relation : every region with an SPBE result: ``index_<year>`` per evaluation year, its
        outcomes and ``in_cohort`` (the SPBE-outcome relation is drawn nationwide).
    links : :class:`LinkFit` per outcome (the plain line of the scatter plot).
    models : :class:`LinkModel` per outcome (the linkage study's adjusted model), if installed.
    forecasts : ``region_code, year, mean, lo, hi`` (predictive median and 80% interval) up to
        ``target_year`` (None without ``trends``).
    trend_summary : per region (index ``region_code``): ``forecast``, ``lo``, ``hi``, ``level``,
        ``p_reach`` (P(published index of target_year >= target)), ``expected_year``, ``status``,
        ``note_<lang>`` and the trend columns of ``PooledTrendFit.summary``.
    share_reaching : projected share of the cohort at or above the target: ``year, share, lo,
        hi, n``.
    trend_methods : the trend model's methods paragraph per language.
    partial_relation : the adjusted SPBE-outcome relation of each model in ``models`` as
        added-variable coordinates (:func:`living_lab.linkage.partial.added_variable`):
        ``outcome, region_code, x, y`` (SPBE and outcome net of the model's controls and
        province effects, plus their means; the least-squares slope is the model's coefficient).
    partial_lines : its line and band (the coefficient's interval): ``outcome, x, fit, lo, hi``.
    trend_sensitivity : each cohort region's forecast for ``target_year`` under a stated grid of
        noise and common-shock SDs (:func:`living_lab.trends.sensitivity`): ``noise_sd,
        common_sd, region_code, forecast, lo, hi`` (80%), ``p_reach`` (None without trends).
    share_sensitivity : the cohort share at or above the target in ``target_year`` under the
        same grid: ``noise_sd, common_sd, year, share, lo, hi`` (80% joint interval), ``n``.
    trend_assumptions : the two assumptions of the main forecast, one row each (``name``
        ``noise_sd`` / ``common_sd``): ``value`` used, ``lo95, hi95`` (chi-square interval of
        the national common-shock SD; NaN for the noise, which is a stated prior), ``df``.
    rank_uncertainty : per region rank interval, from ``peers`` (None without it):
        ``official_rank, median_rank, rank_p05, rank_p95, band, band_size``, and the settings
        of the simulation as columns (the same in every row): ``noise_sd`` (index points) and
        ``varied`` (comma-separated: noise, weights, weighting_schemes, aggregation, rounding).
    lever_group : the peer group of every region's improvement plan (``living_lab.peers``
        group name): the cohort (``"all"`` or ``"cohort:<name or path>"``), or ``"all"`` when
        fewer than two cohort regions were evaluated in ``year``; never the regions of a batch.
    frontier : the benchmark of every evaluated cohort region
        (:attr:`living_lab.improvement.RegionPlan.benchmark`), stacked: ``region_code``,
        ``order`` (focus first), domain, weight, value, frontier, gap, margin, clear, bound,
        realistic_gain, best_peer, best_value, best_peer_name, n_peers, focus, focus_rank;
        ``.attrs``: ``frontier`` (the rule) and ``group``.
    plans : the feasible paths by round (:meth:`living_lab.improvement.FeasiblePath.table`
        with ``region_code`` and ``goal``: ``"target"`` or ``"next"`` predicate).
    focus : one row per evaluated region (``living_lab.improvement.tables.SUMMARY_COLUMNS``):
        focus domains and reason, rounds needed, partners status, the group's experience for
        regions with one evaluation.
    partners : study partners in each region's focus domain (``region_code``, ``rank``,
        ``partner_code`` and the columns of :class:`living_lab.peers.PartnerResult`).
    feasibility : the feasibility bounds used (domain rows; index rows have ``domain`` 0);
        ``.attrs``: from_year, to_year, n_regions, quantile.
    modules : library module -> "used" or why it was not.
    cohort_stats : per measure of ``table`` (index ``measure``: ``index``, ``d1``-``d4``,
        ``change``, ``stunting``, ``poverty``, ``poverty_change``): ``median``, ``min``, ``max``
        over the cohort's regions with a value and their number ``n`` (:func:`cohort_stats`).
    share_observed : published share of the cohort at or above the target per evaluation year:
        ``year, share, n`` (:func:`share_observed`).
    """

    key: str
    schema: int
    created: str
    cohort: str
    cohort_title: str
    cohort_title_en: str
    regions: tuple[str, ...]
    year: int
    target: float
    target_year: int
    data_version: str
    library_version: str
    outcome_years: dict[str, int]
    poverty_base_year: int
    table: pd.DataFrame
    spbe: pd.DataFrame
    national_spbe: pd.DataFrame
    relation: pd.DataFrame
    links: dict[str, LinkFit]
    national_targets: pd.DataFrame
    sources: list[dict[str, str]]
    plans: pd.DataFrame
    models: dict[str, LinkModel] = field(default_factory=dict)
    focus: pd.DataFrame | None = None
    partners: pd.DataFrame | None = None
    feasibility: pd.DataFrame | None = None
    forecasts: pd.DataFrame | None = None
    trend_summary: pd.DataFrame | None = None
    rank_uncertainty: pd.DataFrame | None = None
    movers: pd.DataFrame | None = None
    lever_group: str = ""
    frontier: pd.DataFrame | None = None
    share_reaching: pd.DataFrame | None = None
    trend_methods: dict[str, str] = field(default_factory=dict)
    partial_relation: pd.DataFrame | None = None
    partial_lines: pd.DataFrame | None = None
    trend_sensitivity: pd.DataFrame | None = None
    share_sensitivity: pd.DataFrame | None = None
    trend_assumptions: pd.DataFrame | None = None
    modules: dict[str, str] = field(default_factory=dict)
    cohort_stats: pd.DataFrame | None = None
    share_observed: pd.DataFrame | None = None
    #: Regions with no published SPBE result at all that the batch reports on: rows of
    #: ``table`` (NaN SPBE columns, outcomes as published) outside ``regions``, never ranked.
    unevaluated: tuple[str, ...] = ()
    #: Outcome series of more than one year per region (:func:`outcome_trends`).
    outcome_trends: pd.DataFrame | None = None
    #: Display labels of the peer groups, per language: ``lever:<lang>`` (the improvement
    #: plan's group, ``lever_group``) and ``partner:<lang>`` (where study partners are sought).
    group_labels: dict[str, str] = field(default_factory=dict)
    #: What the rank simulation varied, one sentence per language ("" without rank intervals).
    rank_varied: dict[str, str] = field(default_factory=dict)
    #: Shares of the linkage model's residual distribution that mark a region's position
    #: "extreme" and "notable" (``living_lab.linkage.region``).
    linkage_shares: dict[str, float] = field(default_factory=dict)

    def title(self, lang: str) -> str:
        """Cohort title in ``lang``."""
        return self.cohort_title_en if lang == "en" else self.cohort_title

    def require_region(self, region: str | int) -> str:
        """Resolve ``region`` and check it belongs to the cohort; return its code."""
        code = resolve_region(region)
        if code not in self.table.index:
            raise ParameterError(
                f"region: {code} ({self.table_name(code)}) is not in cohort {self.cohort!r}; "
                f"pass a cohort that contains it (e.g. cohort='all')"
            )
        return code

    @staticmethod
    def table_name(code: str) -> str:
        from living_lab.regions import region_name

        return region_name(code)


# --------------------------------------------------------------------------------------------
# Validation and keys


def validate_args(
    cohort: str, year: int, target: float, target_year: int, *, lang: str | None = None
) -> None:
    """Refuse parameters of the wrong type or out of range with one clear line.

    Types come from the notebook parameters' model (``schemas/notebook_parameters.json``), the
    year and target rules from :mod:`living_lab.results.rules`: the same as the runner's.
    Every wrong type is named, separated by ``; ``.
    """
    values: dict[str, Any] = {
        "cohort": cohort,
        "year": year,
        "target": target,
        "target_year": target_year,
    }
    if lang is not None:
        values["lang"] = lang
    values = {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}
    found = schema.problems("notebook_parameters", values)
    if found:
        raise ParameterError("; ".join(f"{name}: {msg}" for name, msg in found))
    check_target(float(values["target"]))
    check_year(int(values["year"]))
    check_target_year(int(values["year"]), int(values["target_year"]))
    if lang is not None and lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not supported; expected one of {list(LANGS)}")


@cache
def library_fingerprint() -> str:
    """Version plus a hash of the package's code and text files (changes whenever they do)."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(paths.PACKAGE_DIR.rglob("*")):
        if path.suffix in {".py", ".yml", ".yaml"} and "__pycache__" not in path.parts:
            h.update(path.relative_to(paths.PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def _slug(cohort: str) -> str:
    """A file-name-safe short name of a cohort (its file stem for a cohort YAML path)."""
    stem = Path(str(cohort)).stem if str(cohort).endswith((".yaml", ".yml")) else str(cohort)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "cohort"


def never_evaluated(code: str) -> bool:
    """True when the region has no published SPBE result in any year (e.g. Kab. Intan Jaya)."""
    return code not in set(datasets.load_spbe()["region_code"])


def context_key(
    cohort: str, year: int, target: float, target_year: int, *, include: tuple[str, ...] = ()
) -> str:
    """File stem of a saved context: readable prefix plus a hash of everything it depends on.

    The hash covers the arguments, the data version and the library fingerprint, so a context
    built from other data or other code is never reused.

    >>> context_key("jawa-barat", 2024, 3.5, 2025).startswith("jawa-barat-2024-")
    True
    """
    slug = _slug(cohort)
    cohort_id = str(cohort)
    if cohort_id.endswith((".yaml", ".yml")) and Path(cohort_id).exists():
        cohort_id += hashlib.sha256(Path(cohort_id).read_bytes()).hexdigest()
    h = hashlib.sha256(
        "|".join(
            [
                str(SCHEMA),
                cohort_id,
                str(int(year)),
                repr(float(target)),
                str(int(target_year)),
                datasets.data_version(),
                library_fingerprint(),
                *([",".join(sorted(include))] if include else []),
            ]
        ).encode()
    )
    return f"{slug}-{int(year)}-{h.hexdigest()[:16]}"


# --------------------------------------------------------------------------------------------
# Data pieces


def load_national_targets() -> pd.DataFrame:
    """National outcome targets from ``params/national_targets.yaml`` (with their regulation)."""
    path = paths.PARAMS / "national_targets.yaml"
    raw = read_yaml(path)
    schema.check("national_targets", raw, file=path)
    _check_target_bands(raw["targets"], path)
    rows = [{"low": np.nan, "verified": "", **item} for item in raw["targets"]]
    df = pd.DataFrame(rows)
    df["value"] = df["value"].astype(float)
    df["low"] = df["low"].astype(float)
    df["year"] = df["year"].astype(int)
    return df


def _check_target_bands(targets: list[dict[str, Any]], path: Path) -> None:
    """Refuse a target band whose ``low`` lies above its ``value`` (JSON Schema cannot say it)."""
    for i, item in enumerate(targets):
        if "low" in item and item["low"] > item["value"]:
            raise InputError(
                f"low ({item['low']:g}) must not exceed value ({item['value']:g})",
                file=path,
                field=f"targets[{i}].low",
            )


def broad_years(outcomes: pd.DataFrame, indicator: str) -> list[int]:
    """Years in which ``indicator`` was published for at least half as many regions as its best year.

    Region-specific series (e.g. Sumedang's stunting 2021-2023) are thereby never compared with
    peers who have no figure for that year.
    """
    counts = outcomes.loc[outcomes["indicator"] == indicator].groupby("year").size()
    if counts.empty:
        return []
    return sorted(int(y) for y, n in counts.items() if n >= 0.5 * counts.max())


def _rank_desc(values: pd.Series) -> pd.Series:
    """1 = highest; ties share the best rank; missing stays missing."""
    return values.rank(ascending=False, method="min")


def cohort_table(
    regions: tuple[str, ...], year: int, target: float, *, outcomes: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict[str, int], int]:
    """The per-region table of a cohort (see :class:`CohortContext`), the outcome years used and
    the poverty base year."""
    spbe = datasets.load_spbe()
    spbe = spbe[spbe["region_code"].isin(regions) & (spbe["year"] <= year)]
    reg = datasets.load_regions().set_index("region_code").loc[list(regions)]
    table = reg[["name", "kind", "province", "province_code"]].copy()
    table.index.name = "region_code"

    cur = spbe[spbe["year"] == year].set_index("region_code")
    for col in ["index", "predicate", "d1", "d2", "d3", "d4", "source"]:
        table[col] = cur[col].reindex(table.index)
    for col in ["index", "d1", "d2", "d3", "d4"]:
        table[col] = table[col].astype(float)

    latest = spbe.sort_values("year").groupby("region_code").tail(1).set_index("region_code")
    table["latest_year"] = latest["year"].reindex(table.index).astype("Int64")
    table["latest_index"] = latest["index"].reindex(table.index).astype(float)
    table["latest_predicate"] = latest["predicate"].reindex(table.index)

    before = spbe[spbe["year"] < year].sort_values("year").groupby("region_code").tail(1)
    before = before.set_index("region_code")
    table["prev_year"] = before["year"].reindex(table.index).astype("Int64")
    table["prev_index"] = before["index"].reindex(table.index).astype(float)
    table["change"] = table["index"] - table["prev_index"]

    table["rank"] = _rank_desc(table["index"]).astype("Int64")
    table["n_ranked"] = int(table["index"].notna().sum())
    prev_years = sorted(spbe.loc[spbe["year"] < year, "year"].unique())
    prev_year = int(prev_years[-1]) if prev_years else None
    if prev_year is not None:
        prev = spbe[spbe["year"] == prev_year].set_index("region_code")["index"].astype(float)
        table["prev_rank"] = _rank_desc(prev.reindex(table.index)).astype("Int64")
        table["prev_rank_year"] = prev_year
    else:
        table["prev_rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["prev_rank_year"] = pd.NA
    table["gap"] = float(target) - table["index"]
    table["past_target"] = (table["index"] >= float(target)).where(table["index"].notna())

    if outcomes is None:
        outcomes = datasets.load_outcomes()
    years: dict[str, int] = {}
    stunting_years = broad_years(outcomes, "stunting_prevalence_pct")
    poverty_years = broad_years(outcomes, "poverty_rate_pct")
    years["stunting_prevalence_pct"] = stunting_years[-1]
    years["poverty_rate_pct"] = poverty_years[-1]
    base_year = poverty_years[0]

    def values(indicator: str, y: int) -> pd.Series:
        sel = outcomes[(outcomes["indicator"] == indicator) & (outcomes["year"] == y)]
        return sel.set_index("region_code")["value"].astype(float).reindex(table.index)

    table["stunting"] = values("stunting_prevalence_pct", years["stunting_prevalence_pct"])
    table["poverty"] = values("poverty_rate_pct", years["poverty_rate_pct"])
    table["poverty_base"] = values("poverty_rate_pct", base_year)
    table["poverty_change"] = table["poverty"] - table["poverty_base"]
    # A figure left out for low confidence is "not available" with that reason, not a silent gap.
    low = datasets.load_outcomes(min_confidence="low")
    low = low[
        (low["indicator"] == "stunting_prevalence_pct")
        & (low["year"] == years["stunting_prevalence_pct"])
        & (low["confidence"] == "low")
    ]
    table["stunting_low_conf"] = table.index.isin(low["region_code"]) & table["stunting"].isna()
    return table, years, base_year


#: Measures (columns of :attr:`CohortContext.table`) summarised in ``cohort_stats``.
STAT_MEASURES = ("index", "d1", "d2", "d3", "d4", "change", "stunting", "poverty", "poverty_change")


def cohort_stats(table: pd.DataFrame) -> pd.DataFrame:
    """Median, minimum, maximum and count of each measure over the regions that have it.

    >>> t = pd.DataFrame({m: [1.0, 2.0, float("nan"), 4.0] for m in STAT_MEASURES})
    >>> cohort_stats(t).loc["index"].tolist()
    [2.0, 1.0, 4.0, 3.0]
    """
    rows = {
        m: {
            "median": float(table[m].median()),
            "min": float(table[m].min()),
            "max": float(table[m].max()),
            "n": int(table[m].notna().sum()),
        }
        for m in STAT_MEASURES
    }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "measure"
    return out


def share_observed(spbe: pd.DataFrame, n_regions: int, target: float) -> pd.DataFrame:
    """Published share of a cohort's regions at or above ``target`` per evaluation year.

    Years in which fewer than half the cohort was evaluated are left out (their share would
    describe another group of regions). ``spbe`` holds the cohort's SPBE rows.
    """
    s = spbe.assign(past=spbe["index"] >= target)
    g = s.groupby("year").agg(share=("past", "mean"), n=("index", "count")).reset_index()
    return g[g["n"] >= 0.5 * n_regions].reset_index(drop=True)


#: Outcome series shown over time, each measured one way (survey and census stunting figures
#: are separate indicators in ``data/outcomes.csv`` and never joined).
TREND_INDICATORS = ("poverty_rate_pct", "stunting_prevalence_pct", "stunting_eppgbm_pct")
_MEASURE = re.compile(r"^(SSGI|SKI|e-PPGBM|BPS P0)\b")


def outcome_trends(regions: tuple[str, ...], outcomes: pd.DataFrame) -> pd.DataFrame:
    """Every region's outcome series with more than one year, one row per figure.

    Columns ``region_code, indicator, year, value, source, measure``; ``measure`` is the survey
    or statistic the figure comes from as its source note states it (``SSGI``, ``SKI``,
    ``e-PPGBM``, ``BPS P0``). A series is one indicator, so the e-PPGBM census never joins
    the SSGI/SKI surveys. Nothing is interpolated: the years are those published.

    >>> tr = outcome_trends(("3211",), datasets.load_outcomes())
    >>> tr[tr["indicator"] == "stunting_prevalence_pct"][["year", "value", "measure"]].values.tolist()
    [[2021, 22.0, 'SSGI'], [2022, 27.6, 'SSGI'], [2023, 14.4, 'SKI'], [2024, 17.0, 'SSGI']]
    """
    sel = outcomes[
        outcomes["region_code"].isin(regions) & outcomes["indicator"].isin(TREND_INDICATORS)
    ]
    sel = sel.dropna(subset=["value"])
    counts = sel.groupby(["region_code", "indicator"])["year"].transform("nunique")
    sel = sel[counts > 1].copy()
    sel["measure"] = sel["note"].astype(str).str.extract(_MEASURE, expand=False)
    sel["year"] = sel["year"].astype(int)
    sel["value"] = sel["value"].astype(float)
    cols = ["region_code", "indicator", "year", "value", "source", "measure"]
    return sel.sort_values(["region_code", "indicator", "year"])[cols].reset_index(drop=True)


#: Fields of a source note that a metadata file may give in Indonesian too (its ``id:`` block).
SOURCE_TEXT_FIELDS = ("title", "producer", "publication", "date_published", "licence")


def _sources(outcome_sources: set[str]) -> list[dict[str, str]]:
    """Source notes of the tables a report uses, from their metadata files.

    Each text field is in English; its Indonesian text, where the metadata file gives one (the
    ``id:`` block), is under the same name with ``_id`` appended (``title_id``, ``sources_id``),
    and an English text for reviewer pages (the ``en:`` block, without working-file names)
    with ``_en`` appended.
    """
    out = []
    fw = load_framework()
    for name in ["spbe_index", "spbe_national", "outcomes", "regions"]:
        meta = read_yaml(paths.metadata(name))
        item = {
            "table": f"data/{name}.csv",
            "title": str(meta.get("title", "")),
            "producer": str(meta.get("producer", "")),
            "publication": " ".join(str(meta.get("publication", "")).split()),
            "date_published": str(meta.get("date_published", "")),
            "licence": str(meta.get("licence", "")),
            "known_issues": [str(x) for x in meta.get("known_issues", [])],
        }
        for lang in ("id", "en"):
            own_text = meta.get(lang) or {}
            for key in SOURCE_TEXT_FIELDS:
                if own_text.get(key):
                    item[f"{key}_{lang}"] = " ".join(str(own_text[key]).split())
        own = meta.get("id") or {}
        if name == "outcomes":
            item["sources"] = {k: v for k, v in meta["sources"].items() if k in outcome_sources}
            item["sources_id"] = {
                k: v for k, v in (own.get("sources") or {}).items() if k in outcome_sources
            }
        out.append(item)
    targets = read_yaml(paths.PARAMS / "national_targets.yaml")
    out.append(
        {
            "table": "params/national_targets.yaml",
            "title": str(targets.get("title", "")),
            "title_id": str(targets.get("title_id", "")),
            "producer": "Pemerintah Republik Indonesia (Bappenas)",
            "publication": str(targets.get("source", "")),
            "date_published": "",
            "licence": "",
            "known_issues": [],
        }
    )
    regulation = " ".join(
        str(read_yaml(paths.FRAMEWORKS / f"{fw.id}.yaml").get("regulation", "")).split()
    )
    out.append(
        {
            "table": "data/frameworks/permenpanrb-59-2020.yaml",
            "title": fw.name,
            "producer": "KemenPANRB",
            "publication": fw.source,
            # The regulation's own title (a proper noun in both languages), from the framework file.
            "publication_en": regulation,
            "publication_id": regulation,
            "date_published": "2020",
            "licence": "",
            "known_issues": [],
        }
    )
    return out


# --------------------------------------------------------------------------------------------
# Analyses


def ols_link(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, float, int, Any]:
    """Least-squares line of ``y`` on ``x`` with a 95% interval for the slope and the mean line.

    Returns intercept, slope, slope_lo, slope_hi, r, n and a function x -> (fit, lo, hi).
    """
    from scipy import stats

    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    if n < 3:
        raise ValueError("need at least 3 regions")
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xm)
    resid = y - intercept - slope * x
    s2 = float((resid**2).sum() / (n - 2))
    tq = float(stats.t.ppf(0.975, n - 2))
    se = (s2 / sxx) ** 0.5
    r = float(np.corrcoef(x, y)[0, 1])

    def band(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fit = intercept + slope * xs
        half = tq * np.sqrt(s2 * (1 / n + (xs - xm) ** 2 / sxx))
        return fit, fit - half, fit + half

    return intercept, slope, slope - tq * se, slope + tq * se, r, n, band


def _relation(coh: Cohort, outcome_years: dict[str, int]) -> pd.DataFrame:
    """Every region with an SPBE result: its index by year and its outcomes (nationwide)."""
    cs = datasets.load_cross_section().set_index("region_code")
    index_cols = [c for c in cs.columns if re.fullmatch(r"index_\d{4}", c)]
    rel = cs.loc[cs[index_cols].notna().any(axis=1), ["name", "province", *index_cols]].copy()
    for col in index_cols:
        rel[col] = rel[col].astype(float)
    rel["stunting"] = cs[f"stunting_prevalence_pct_{outcome_years['stunting_prevalence_pct']}"]
    rel["poverty"] = cs[f"poverty_rate_pct_{outcome_years['poverty_rate_pct']}"]
    rel["stunting"] = rel["stunting"].astype(float)
    rel["poverty"] = rel["poverty"].astype(float)
    rel["in_cohort"] = rel.index.isin(coh.regions)
    return rel


def _links(
    relation: pd.DataFrame, years: dict[str, int], spbe_years: Mapping[str, int]
) -> dict[str, LinkFit]:
    """The plain straight line of each outcome on the SPBE index, for the scatter plot.

    The adjusted model (controls, clustered errors) is ``living_lab.linkage``'s (see
    :func:`_models`); this line shows the raw association the reader sees in the cloud.
    """
    links = {}
    for outcome, col in [("stunting_prevalence_pct", "stunting"), ("poverty_rate_pct", "poverty")]:
        x = relation[f"index_{spbe_years[outcome]}"].to_numpy(float)
        y = relation[col].to_numpy(float)
        try:
            a, b, lo, hi, r, n, band = ols_link(x, y)
        except ValueError:
            continue
        xs = np.linspace(np.nanmin(x), np.nanmax(x), 40)
        fit, flo, fhi = band(xs)
        links[outcome] = LinkFit(
            outcome=outcome,
            outcome_year=years[outcome],
            spbe_year=spbe_years[outcome],
            intercept=a,
            slope=b,
            slope_lo=lo,
            slope_hi=hi,
            r=r,
            n=n,
            method="ols",
            line=pd.DataFrame({"x": xs, "fit": fit, "lo": flo, "hi": fhi}),
        )
    return links


def _models(regions: tuple[str, ...]) -> dict[str, LinkModel]:
    """The linkage study's main model per outcome and every cohort region's position in it."""
    from living_lab import linkage

    models = {}
    for outcome in OUTCOMES:
        try:
            res = linkage.fit(outcome)
        except LivingLabError:
            continue
        pos = {lang: linkage.positions(list(regions), outcome, res, lang=lang) for lang in LANGS}
        table = pos["id"].set_index("region_code")
        for lang in LANGS:
            table[f"note_{lang}"] = pos[lang].set_index("region_code")["note"]
        table = table.drop(columns=["note"])
        models[outcome] = LinkModel(
            outcome=outcome,
            outcome_year=int(res.years["outcome"][-1]),
            spbe_year=int(res.years["spbe"][-1]),
            coef=float(res.coef),
            ci_low=float(res.ci_low),
            ci_high=float(res.ci_high),
            p=float(res.p),
            n=int(res.n),
            level=float(res.level),
            summary={lang: res.summary(lang) for lang in LANGS},
            caveat={lang: res.caveat(lang) for lang in LANGS},
            positions=table,
        )
    return models


def _partial(models: dict[str, LinkModel]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Added-variable coordinates and line of each installed model (the section 6 scatter)."""
    if not models:
        return None, None
    from living_lab.linkage.partial import added_variable
    from living_lab.linkage.results import fit_cached
    from living_lab.linkage.specs import main_spec

    points, lines = [], []
    for outcome in models:
        res = fit_cached(main_spec(outcome, "cross_section"))  # type: ignore[arg-type]
        pts, line = added_variable(res)
        points.append(pts.assign(outcome=outcome))
        lines.append(line.assign(outcome=outcome))
    return (
        pd.concat(points, ignore_index=True)[["outcome", "region_code", "x", "y"]],
        pd.concat(lines, ignore_index=True)[["outcome", "x", "fit", "lo", "hi"]],
    )


def _peers(
    cohort_arg: str, coh: Cohort, table: pd.DataFrame, year: int
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Rank intervals (Monte Carlo over noise, weights, aggregation and rounding) and movers, via ``living_lab.peers``.

    Rank intervals are over the cohort regions with all four domain scores in ``year``; movers
    between the cohort's previous evaluation year and ``year``.
    """
    from living_lab import peers

    cols = ["d1", "d2", "d3", "d4"]
    scored = table[table["index"].notna() & table[cols].notna().all(axis=1)][cols]
    rank_unc = None
    if len(scored) >= 2:
        ru = peers.rank_uncertainty(scored.astype(float))
        rank_unc = ru.set_index("region_code")
        rank_unc["noise_sd"] = ru.attrs["settings"]["noise_sd"]
        rank_unc["varied"] = ",".join(ru.attrs["settings"]["varied"])
    movers = None
    prev_years = table["prev_rank_year"].dropna()
    if len(prev_years):
        group = _peer_group(cohort_arg, coh)
        try:
            movers = peers.movers(int(prev_years.iloc[0]), year, group=group)
        except ParameterError:
            movers = None
    return rank_unc, movers


def _group_labels(lever_group: str, year: int) -> dict[str, str]:
    """Display labels of the plan's peer group and the partners' group, per language."""
    from living_lab.improvement.model import PARTNER_GROUP
    from living_lab.peers import resolve_group

    out: dict[str, str] = {}
    for kind, name in (("lever", lever_group), ("partner", PARTNER_GROUP)):
        if not name:
            continue
        group = resolve_group(None, name, year=year)
        for lang in LANGS:
            out[f"{kind}:{lang}"] = group.label(lang)
    return out


def _rank_varied(rank_unc: pd.DataFrame | None) -> dict[str, str]:
    """The sentence naming what the rank simulation varied, per language."""
    if rank_unc is None or rank_unc.empty:
        return {}
    from living_lab.peers.render import varied_text

    first = rank_unc.iloc[0]
    settings = {
        "varied": [v for v in str(first["varied"]).split(",") if v],
        "noise_sd": float(first["noise_sd"]),
    }
    return {lang: varied_text(settings, lang) for lang in LANGS}


def _linkage_shares() -> dict[str, float]:
    """The residual shares behind the linkage positions "extreme" and "notable"."""
    from living_lab.linkage.region import EXTREME_SHARE, NOTABLE_SHARE

    return {"extreme": float(EXTREME_SHARE), "notable": float(NOTABLE_SHARE)}


def _peer_group(cohort_arg: str, coh: Cohort) -> str:
    """The ``living_lab.peers`` group name of a cohort (as given, so a YAML path works too)."""
    return "all" if coh.name == "all" else f"cohort:{cohort_arg}"


def _advice(
    cohort_arg: str, coh: Cohort, table: pd.DataFrame, year: int, target: float
) -> tuple[str, Any | None]:
    """Every evaluated region's improvement plan, via ``living_lab.improvement.plan_tables``.

    The peer group is the cohort, the peers the whole report compares a region with (rank,
    median, benchmark), whichever regions a batch runs; a cohort with a single evaluated region
    has no peers of its own, so every evaluated kabupaten/kota is used instead and the returned
    group name says so. Computed once here, so every report slices the same plans.
    """
    from living_lab import improvement

    evaluated = list(table.index[table["index"].notna()])
    group = _peer_group(cohort_arg, coh) if len(evaluated) >= 2 else "all"
    if not evaluated:
        return group, None
    return group, improvement.plan_tables(evaluated, group=group, year=year, target=target)


def _frontier_rule() -> str:
    from living_lab.peers.config import load_config

    return load_config().frontier


def _trends(
    coh: Cohort, year: int, target: float, target_year: int
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None, dict[str, str]]:
    """Forecasts, per-region trend summary, cohort share past the target and the methods note,
    from ``living_lab.trends``' partial-pooling model fitted on every region (slopes pooled
    within kabupaten and kota)."""
    from living_lab import trends

    fit = trends.fit_pooled(datasets.load_spbe(framework=None), group="kind")
    known = set(fit.regions["region_code"])
    codes = [c for c in coh.regions if c in known]
    if not codes:
        return None, None, None, {}
    fc = fit.forecast(list(range(year, target_year + 1)), region_codes=codes)
    forecasts = fc.rename(columns={"lo80": "lo", "hi80": "hi"})[
        ["region_code", "year", "median", "lo", "hi"]
    ].rename(columns={"median": "mean"})
    summaries = {
        lang: fit.summary(
            target=target,
            target_year=target_year,
            horizon=target_year + 10,
            region_codes=codes,
            lang=lang,
        )
        for lang in LANGS
    }
    summary = summaries["id"].set_index("region_code")
    summary = summary.rename(
        columns={
            "pred_target_year": "forecast",
            "lo80": "lo",
            "hi80": "hi",
            "p_reach_target": "p_reach",
            "note": "note_id",
        }
    )
    summary["note_en"] = summaries["en"].set_index("region_code")["note"]
    summary["level"] = 0.8
    summary["horizon"] = target_year + 10
    share = trends.share_reaching(
        fit,
        target,
        years=range(year + 1, max(target_year, year + 1) + SHARE_YEARS_AFTER_TARGET + 1),
        regions=codes,
    )
    share = share.rename(columns={"lo80": "lo", "hi80": "hi"})[["year", "share", "lo", "hi", "n"]]
    methods = {lang: fit.methods_note(lang) for lang in LANGS}
    return forecasts, summary, share, methods


def _trend_sensitivity(
    coh: Cohort, target: float, target_year: int
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, pd.DataFrame | None]:
    """The forecast and cohort share of ``target_year`` under a stated grid of the two
    assumptions two-point data cannot pin down, and those assumptions with their intervals."""
    from living_lab import trends

    spbe = datasets.load_spbe(framework=None)
    fit = trends.fit_pooled(spbe, group="kind")
    codes = [c for c in coh.regions if c in set(fit.regions["region_code"])]
    if not codes:
        return None, None, None
    regions, share = trends.sensitivity(
        spbe, target=target, target_year=target_year, region_codes=codes, group="kind"
    )
    sd, lo, hi, df = trends.common_sd_interval()
    assumptions = pd.DataFrame(
        {
            "name": ["noise_sd", "common_sd"],
            "value": [fit.noise_sd, fit.common_sd],
            "lo95": [float("nan"), lo],
            "hi95": [float("nan"), hi],
            "df": [fit.noise_df, df],
        }
    )
    return regions, share, assumptions


#: The cohort share past the target is projected this many years beyond the target year.
SHARE_YEARS_AFTER_TARGET = 5


def build_context(
    cohort: str, year: int, target: float, target_year: int, *, include: tuple[str, ...] = ()
) -> CohortContext:
    """Compute everything cohort-wide once (see :class:`CohortContext`).

    Parameters
    ----------
    cohort : cohort name (``params/cohorts/<name>.yaml``, or ``"all"``) or a cohort YAML path.
    year : evaluation year the reports are about.
    target : SPBE index target (e.g. 3.5, the "Sangat Baik" threshold).
    target_year : year by which the target should be reached (forecast horizon).
    include : regions outside the cohort with no published SPBE result at all that the batch
        reports on ("belum dievaluasi"): they get a row of the table (never ranked, no
        analysis) and nothing else.
    """
    validate_args(cohort, year, target, target_year)
    year, target, target_year = int(year), float(target), int(target_year)
    coh: Cohort = load_cohort(cohort)
    extra = tuple(c for c in dict.fromkeys(include) if c not in coh.regions)
    for code in extra:
        if not never_evaluated(code):
            raise ParameterError(
                f"region: {code} ({CohortContext.table_name(code)}) is not in cohort "
                f"{coh.name!r}; pass a cohort that contains it (e.g. cohort='all')"
            )
    outcomes = datasets.load_outcomes()
    table, outcome_years, base_year = cohort_table(
        coh.regions + extra, year, target, outcomes=outcomes
    )
    if table["index"].notna().sum() == 0:
        raise ParameterError(f"cohort: no region of cohort {coh.name!r} was evaluated in {year}")

    spbe_all = datasets.load_spbe()
    spbe = spbe_all[spbe_all["region_code"].isin(coh.regions)].reset_index(drop=True)
    national = datasets.load_spbe_national()
    national = national[national["framework"] == "permenpanrb-59-2020"].reset_index(drop=True)

    relation = _relation(coh, outcome_years)
    modules: dict[str, str] = {}
    models = _models(coh.regions)
    modules["linkage"] = "used" if models else "missing"
    partial_relation, partial_lines = _partial(models)
    spbe_years: dict[str, int] = {
        o: (models[o].spbe_year if o in models else year) for o in OUTCOMES
    }
    links = _links(relation, outcome_years, spbe_years)

    forecasts, trend_summary, share, trend_methods = _trends(coh, year, target, target_year)
    modules["trends"] = "used" if trend_summary is not None else "missing"
    trend_sens, share_sens, trend_assumptions = _trend_sensitivity(coh, target, target_year)
    rank_unc, movers = _peers(cohort, coh, table, year)
    modules["peers"] = "used" if rank_unc is not None else "missing"
    lever_group, advice = _advice(cohort, coh, table, year, target)
    modules["improvement"] = "used" if advice is not None else "missing"
    frontier = advice.benchmark if advice is not None else None
    if frontier is not None:
        frontier.attrs = {"frontier": _frontier_rule(), "group": lever_group}

    used_sources = set(
        outcomes.loc[
            outcomes["region_code"].isin(coh.regions)
            & (
                (
                    (outcomes["indicator"] == "stunting_prevalence_pct")
                    & (outcomes["year"] == outcome_years["stunting_prevalence_pct"])
                )
                | (
                    (outcomes["indicator"] == "poverty_rate_pct")
                    & outcomes["year"].isin([outcome_years["poverty_rate_pct"], base_year])
                )
            ),
            "source",
        ]
    )
    trend_rows = outcome_trends(tuple(table.index), outcomes)
    used_sources |= set(trend_rows["source"])
    return CohortContext(
        key=context_key(cohort, year, target, target_year, include=extra),
        schema=SCHEMA,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        cohort=coh.name,
        cohort_title=coh.title,
        cohort_title_en=coh.title_en,
        regions=coh.regions,
        year=year,
        target=target,
        target_year=target_year,
        data_version=datasets.data_version(),
        library_version=library_fingerprint(),
        outcome_years=outcome_years,
        poverty_base_year=base_year,
        table=table,
        spbe=spbe,
        national_spbe=national,
        relation=relation,
        links=links,
        models=models,
        national_targets=load_national_targets(),
        sources=_sources(used_sources),
        plans=advice.paths if advice is not None else pd.DataFrame(),
        focus=advice.summary if advice is not None else None,
        partners=advice.partners if advice is not None else None,
        feasibility=advice.bounds if advice is not None else None,
        rank_uncertainty=rank_unc,
        movers=movers,
        lever_group=lever_group,
        frontier=frontier,
        forecasts=forecasts,
        trend_summary=trend_summary,
        share_reaching=share,
        cohort_stats=cohort_stats(table),
        share_observed=share_observed(spbe, len(coh.regions), target),
        trend_methods=trend_methods,
        partial_relation=partial_relation,
        partial_lines=partial_lines,
        trend_sensitivity=trend_sens,
        share_sensitivity=share_sens,
        trend_assumptions=trend_assumptions,
        modules=modules,
        unevaluated=extra,
        group_labels=_group_labels(lever_group, year),
        rank_varied=_rank_varied(rank_unc),
        linkage_shares=_linkage_shares(),
        outcome_trends=trend_rows,
    )


# --------------------------------------------------------------------------------------------
# Saving and loading


def results_folder(out: str | Path, cohort: str, year: int) -> Path:
    """Where a batch writing to ``out`` keeps the results of ``cohort`` and ``year``.

    >>> results_folder("reports", "jawa-barat", 2024).as_posix()
    'reports/results/jawa-barat-2024'
    """
    return Path(out) / "results" / f"{_slug(cohort)}-{int(year)}"


def save_context(ctx: CohortContext, path: Path) -> None:
    """Write ``ctx`` as a results folder at ``path``, replaced as a whole (never half-written)."""
    resultstore.write(
        ctx,
        Path(path),
        key=ctx.key,
        extra={"library_version": __version__, "schema": str(SCHEMA), "created": ctx.created},
    )


_LOADED: dict[tuple[str, int, int, str | None], CohortContext] = {}


def load_context(path: Path, *, key: str | None = None) -> CohortContext:
    """Read a results folder written by :func:`save_context`, checking every file.

    Parameters
    ----------
    path : the results folder.
    key : if given, the folder must hold the results of these inputs (:func:`context_key`).

    Loaded contexts are kept per (folder, ``meta.json`` mtime and size), so a warm kernel running
    many regions reads the folder once; the context is never modified by the reports.

    Raises
    ------
    living_lab.results.store.ResultsError
        The folder is missing, damaged, foreign or of another library version (the message
        says which); nothing in it is used.
    """
    path = Path(path)
    try:
        st = os.lstat(path / resultstore.META)
    except OSError:
        st = None
    cache_key = (str(path.resolve()), st.st_mtime_ns, st.st_size, key) if st else None
    if cache_key is not None and cache_key in _LOADED:
        return _LOADED[cache_key]
    ctx = resultstore.read(path, CohortContext, key=key)
    if ctx.schema != SCHEMA:
        raise resultstore.ResultsError(
            f"holds results of schema {ctx.schema}, this library writes schema {SCHEMA}", file=path
        )
    _LOADED.clear()  # one batch at a time: keep memory flat in long-lived kernels
    if cache_key is not None:
        _LOADED[cache_key] = ctx
    return ctx


def get_context(
    cohort: str,
    year: int,
    target: float,
    target_year: int,
    context_path: str | Path = "",
    *,
    region: str | int | None = None,
    lang: str | None = None,
) -> CohortContext:
    """The context for these arguments: loaded from the results folder ``context_path`` if
    given, else built.

    Arguments are validated first (and ``region``/``lang`` too when given), so a plain papermill
    run with a bad value stops with one clear :class:`~living_lab.errors.ParameterError` line. A
    loaded context must match the arguments and the current data: a context of another cohort,
    year, target or data version is refused rather than silently used. (The library version is
    part of :func:`context_key`, which the runner checks before the batch; it is not re-checked
    here, where a file edited mid-batch would otherwise fail every region.)
    """
    validate_args(cohort, year, target, target_year, lang=lang)
    if context_path:
        try:
            ctx = load_context(Path(context_path))
        except resultstore.ResultsError as exc:
            raise ParameterError(
                f"context_path: {exc}; run `living-lab reports` again (it rebuilds the results "
                "folder) or leave context_path empty to compute the results here"
            ) from None
        coh = load_cohort(cohort)
        wanted = (coh.name, coh.regions, int(year), float(target), int(target_year))
        held = (ctx.cohort, ctx.regions, ctx.year, ctx.target, ctx.target_year)
        if held != wanted:
            raise ParameterError(
                f"context_path: {context_path} holds the context of cohort {ctx.cohort!r}, "
                f"year {ctx.year}, target {ctx.target:g} by {ctx.target_year}; these parameters "
                f"ask for cohort {coh.name!r}, year {year}, target {float(target):g} by {target_year}"
            )
        if ctx.data_version != datasets.data_version():
            raise ParameterError(
                f"context_path: {context_path} was built from data version {ctx.data_version}, "
                f"the data now is {datasets.data_version()}; run `living-lab reports` again "
                "(it rebuilds the results)"
            )
    else:
        include: tuple[str, ...] = ()
        if region is not None:
            code = resolve_region(region)
            coh = load_cohort(cohort)
            if coh.name == "all" and code not in coh.regions and never_evaluated(code):
                include = (code,)  # its "belum dievaluasi" report, compared with every region
        ctx = build_context(cohort, year, target, target_year, include=include)
    if region is not None:
        ctx.require_region(region)
    return ctx
