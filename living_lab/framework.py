"""SPBE evaluation frameworks, loaded from ``data/frameworks/*.yaml``.

A framework file lists domains, aspects and indicators with their weights (percent of the
index), the level names of each capability type and the predicate bands. Adding a framework is
adding a file; nothing here names a specific regulation except the default id.

A framework without domains lists its aspects at the top (``aspects:`` instead of
``domains:``, as PermenPANRB 8/2026 does). Its top-level groups are then the aspects: each
aspect is also its own group in :attr:`Framework.domains` (same number, name and weight), so
every consumer of "domains" works unchanged, and :attr:`Framework.top_level` says ``"aspect"``.
Optional keys: ``confidence`` (of the transcription), ``formula`` (``weighted_mean``, the only
formula known), ``valid_to_year``, ``index_name`` and ``level_names_en`` (English texts), and
per indicator ``external`` (who assesses it outside the self-assessment, in id and en).

Examples
--------
>>> fw = load_framework()
>>> fw.domain_weights.round(3).tolist()
[0.13, 0.25, 0.165, 0.455]
>>> fw.predicate(3.5)
'Sangat Baik'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from living_lab import paths, validate
from living_lab.errors import InputError, ParameterError
from living_lab.validate import read_yaml

DEFAULT_FRAMEWORK = "permenpanrb-59-2020"
#: A capability type: a key of the framework's ``level_names`` (e.g. process, service).
Capability = str
#: Formulas the scorer implements: nested weighted means of levels (indicator -> aspect ->
#: domain -> index), the formula of PermenPANRB 59/2020 and 8/2026.
FORMULAS = ("weighted_mean",)
TopLevel = Literal["domain", "aspect"]


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    weight_pct: float
    capability: Capability
    aspect: int
    domain: int
    external: dict[str, str] | None = None


@dataclass(frozen=True)
class Aspect:
    number: int
    name: str
    weight_pct: float
    domain: int
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Domain:
    number: int
    name: str
    weight_pct: float
    aspects: tuple[Aspect, ...]


@dataclass(frozen=True)
class PredicateBand:
    name: str
    min: float
    max_exclusive: float | None


@dataclass(frozen=True)
class Framework:
    """One evaluation framework: its tree of weights, level names and predicate bands."""

    id: str
    name: str
    source: str
    valid_from_year: int
    scale_min: float
    scale_max: float
    rounding_decimals: int
    domains: tuple[Domain, ...]
    predicates: tuple[PredicateBand, ...]
    level_names: dict[str, dict[int, str]] = field(repr=False)
    worked_example: dict | None = field(default=None, repr=False)
    confidence: str | None = None
    formula: str = "weighted_mean"
    valid_to_year: int | None = None
    top_level: TopLevel = "domain"
    index_name: dict[str, str] | None = field(default=None, repr=False)
    level_names_en: dict[str, dict[int, str]] | None = field(default=None, repr=False)

    def levels_named(self, lang: str = "id") -> dict[str, dict[int, str]]:
        """Level names of each capability type in ``lang`` (Indonesian names if no English)."""
        return self.level_names_en if lang == "en" and self.level_names_en else self.level_names

    @property
    def external_indicators(self) -> tuple[Indicator, ...]:
        """Indicators whose level comes from an assessment outside the self-assessment."""
        return tuple(i for i in self.indicators if i.external)

    def applies_to(self, year: int) -> bool:
        """Whether evaluation rounds of ``year`` were scored under this framework."""
        return year >= self.valid_from_year and (
            self.valid_to_year is None or year <= self.valid_to_year
        )

    @property
    def aspects(self) -> tuple[Aspect, ...]:
        return tuple(a for d in self.domains for a in d.aspects)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for a in self.aspects for i in a.indicators)

    @property
    def domain_weights(self) -> np.ndarray:
        """Domain weights as fractions summing to 1, in domain order."""
        w = np.array([d.weight_pct for d in self.domains], dtype=float)
        return w / w.sum()

    @property
    def domain_columns(self) -> list[str]:
        """Column names of domain scores in the bundled tables: d1, d2, ..."""
        return [f"d{d.number}" for d in self.domains]

    def indicator_table(self) -> pd.DataFrame:
        """One row per indicator: number, name, aspect, domain, weights and capability type."""
        rows = []
        for d in self.domains:
            for a in d.aspects:
                for i in a.indicators:
                    rows.append(
                        {
                            "indicator": i.number,
                            "indicator_name": i.name,
                            "aspect": a.number,
                            "aspect_name": a.name,
                            "domain": d.number,
                            "domain_name": d.name,
                            "weight_pct": i.weight_pct,
                            "aspect_weight_pct": a.weight_pct,
                            "domain_weight_pct": d.weight_pct,
                            "capability": i.capability,
                        }
                    )
        return pd.DataFrame(rows)

    def predicate(self, index: float) -> str:
        """Predicate of one index value (see :meth:`predicates_of`)."""
        return str(self.predicates_of([index])[0])

    def predicates_of(self, index: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
        """Vectorised predicate of index values as given; NaN gives None.

        The value is not rounded first. KemenPANRB's 2024 tables judge the unrounded index
        (Kab. Pacitan 3.499, printed 3.50, is "Baik"), while some 2023 rows judge the printed
        value (Kab. Nias Barat 1.796, printed 1.80, is "Cukup"); pass the most precise index
        you have. :func:`check_spbe_consistency` accepts either reading.

        Values are compared at 9 decimals: a weighted mean computed in floating point can land
        a hair below a band edge it equals exactly (Pemdi levels giving exactly 1.50 are
        computed as 1.4999999999999998), and no published index has that many decimals.
        """
        x = np.asarray(index, dtype=float)
        bounds = np.array([p.min for p in self.predicates[1:]])
        names = np.array([p.name for p in self.predicates], dtype=object)
        out = names[np.searchsorted(bounds, np.round(x, 9), side="right")]
        out[np.isnan(x)] = None
        return out

    def next_predicate_threshold(self, index: float) -> float | None:
        """Lowest index of the next predicate band above ``index`` (None at the top band).

        Compared at 9 decimals, like :meth:`predicates_of`.
        """
        for band in self.predicates:
            if band.min > round(float(index), 9):
                return band.min
        return None


def available_frameworks() -> list[str]:
    """Ids of every framework file in ``data/frameworks``."""
    return sorted(p.stem for p in paths.FRAMEWORKS.glob("*.yaml"))


@cache
def load_framework(framework_id: str = DEFAULT_FRAMEWORK) -> Framework:
    """Load and check a framework file by id (its file name without ``.yaml``)."""
    path = paths.FRAMEWORKS / f"{framework_id}.yaml"
    if not path.exists():
        raise ParameterError.keyed(
            "err.framework.unknown", id=framework_id, ids=str(available_frameworks())
        )
    return parse_framework(path)


def check_target(target: Any) -> float:
    """The one rule for a report's index ``target``: above the scale's floor, at most its top.

    The scale is the framework's (PermenPANRB 59/2020: 1 to 5). Every region's index is at
    least 1, so a target of 1 says nothing, and the trend model's logit scale has no finite
    value there. The runner, ``living-lab reports``, a direct notebook run and
    :mod:`living_lab.trends` all call this (the planner's target may be any value of the
    scale: a plan to 1 is simply already reached).

    >>> check_target(3.5)
    3.5
    """
    fw = load_framework(DEFAULT_FRAMEWORK)
    lo, hi = fw.scale_min, fw.scale_max
    number = isinstance(target, int | float | np.number) and not isinstance(target, bool)
    if not number:
        raise ParameterError(
            f"target: {target!r}; expected a number above {lo:g} and at most {hi:g}"
        )
    if not lo < float(target) <= hi:
        value = float(target)
        raise ParameterError.keyed(
            "err.param.target", target=value if value == value else str(value), low=lo, high=hi
        )
    return float(target)


#: Keys a framework file may have at each level (anything else is a typo, refused).
FRAMEWORK_KEYS = {
    "": (
        "id",
        "name",
        "regulation",
        "source",
        "valid_from_year",
        "scale",
        "rounding_decimals",
        "level_names",
        "predicates",
        "worked_example",
        "domains",
        "aspects",
        "confidence",
        "confidence_note",
        "formula",
        "valid_to_year",
        "index_name",
        "level_names_en",
    ),
    "domain": ("number", "name", "weight_pct", "aspects"),
    "aspect": ("number", "name", "weight_pct", "indicators"),
    "indicator": ("number", "name", "weight_pct", "capability", "external"),
    "predicate": ("name", "min", "max_exclusive"),
    "scale": ("min", "max"),
}
CONFIDENCES = ("high", "medium", "low")
LANG_KEYS = ("id", "en")


class _Reader:
    """Typed access to a parsed framework file; every refusal names the field's path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InputError:
        return InputError(message, file=self.path, field=where or None)

    def mapping(self, node: object, where: str, kind: str) -> dict:
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, got {_kind_of(node)}")
        unknown = [k for k in node if k not in FRAMEWORK_KEYS[kind]]
        if unknown:
            at = f"{where}.{unknown[0]}" if where else str(unknown[0])
            raise self.fail(at, f"unknown key; expected one of {list(FRAMEWORK_KEYS[kind])}")
        return node

    def items(self, node: dict, key: str, where: str) -> list:
        value = self.get(node, key, where, "a non-empty list")
        if not isinstance(value, list) or not value:
            raise self.fail(_at(where, key), f"expected a non-empty list, got {_kind_of(value)}")
        return value

    def get(self, node: dict, key: str, where: str, expected: str) -> object:
        if key not in node:
            raise self.fail(_at(where, key), f"missing; expected {expected}")
        return node[key]

    def number(self, node: dict, key: str, where: str, *, positive: bool = False) -> float:
        value = self.get(node, key, where, "a number")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(_at(where, key), f"{value!r} is not a number")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer too large for a float
            finite = False
        if not finite or (positive and value <= 0):
            raise self.fail(
                _at(where, key),
                f"{value!r} is out of range; expected "
                + ("a weight above 0" if positive else "a finite number"),
            )
        return float(value)

    def integer(self, node: dict, key: str, where: str) -> int:
        value = self.get(node, key, where, "a whole number")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(_at(where, key), f"{value!r} is not a whole number")
        return value

    def text(self, node: dict, key: str, where: str) -> str:
        value = self.get(node, key, where, "text")
        if not isinstance(value, str | int | float) or isinstance(value, bool) or value == "":
            raise self.fail(_at(where, key), f"expected text, got {_kind_of(value)}")
        return str(value)


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind_of(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse_framework(path: Path) -> Framework:
    """Parse a framework YAML file, checking its keys, types, weights and numbers.

    Every refusal is one :class:`~living_lab.errors.InputError` line naming the file and the
    field (``domains[1].aspects[0].weight_pct``) and what was expected.
    """
    path = Path(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError("expected a YAML mapping at the top level", file=path)
    r = _Reader(path)
    r.mapping(raw, "", "")
    level_names = _level_names(r, raw, "level_names", required=True)
    level_names_en = _level_names(r, raw, "level_names_en", required=False)
    if "domains" in raw and "aspects" in raw:
        raise r.fail("aspects", "give either 'domains' or top-level 'aspects', not both")
    domains = []
    if "aspects" in raw and "domains" not in raw:
        top_level = "aspect"
        for ai, a in enumerate(r.items(raw, "aspects", "")):
            aw = f"aspects[{ai}]"
            r.mapping(a, aw, "aspect")
            number = r.integer(a, "number", aw)
            aspect = _aspect(r, a, aw, number, level_names)
            domains.append(Domain(number, aspect.name, aspect.weight_pct, (aspect,)))
    else:
        top_level = "domain"
        for di, d in enumerate(r.items(raw, "domains", "")):
            dw = f"domains[{di}]"
            r.mapping(d, dw, "domain")
            d_number = r.integer(d, "number", dw)
            aspects = []
            for ai, a in enumerate(r.items(d, "aspects", dw)):
                aw = f"{dw}.aspects[{ai}]"
                r.mapping(a, aw, "aspect")
                aspects.append(_aspect(r, a, aw, d_number, level_names))
            domains.append(
                Domain(
                    d_number,
                    r.text(d, "name", dw),
                    r.number(d, "weight_pct", dw, positive=True),
                    tuple(aspects),
                )
            )
    scale = r.mapping(r.get(raw, "scale", "", "a mapping with min and max"), "scale", "scale")
    predicates = []
    for pi, p in enumerate(r.items(raw, "predicates", "")):
        pw = f"predicates[{pi}]"
        r.mapping(p, pw, "predicate")
        upper = p.get("max_exclusive")
        predicates.append(
            PredicateBand(
                r.text(p, "name", pw),
                r.number(p, "min", pw),
                None if upper is None else r.number(p, "max_exclusive", pw),
            )
        )
    worked_example = raw.get("worked_example")
    if worked_example is not None and not isinstance(worked_example, dict):
        raise r.fail("worked_example", f"expected a mapping, got {_kind_of(worked_example)}")
    fw = Framework(
        id=r.text(raw, "id", ""),
        name=r.text(raw, "name", ""),
        source=str(raw.get("source", "")),
        valid_from_year=r.integer(raw, "valid_from_year", ""),
        scale_min=r.number(scale, "min", "scale"),
        scale_max=r.number(scale, "max", "scale"),
        rounding_decimals=r.integer(raw, "rounding_decimals", "")
        if "rounding_decimals" in raw
        else 2,
        domains=tuple(domains),
        predicates=tuple(predicates),
        level_names=level_names,
        worked_example=worked_example,
        confidence=_choice(r, raw, "confidence", CONFIDENCES),
        formula=_choice(r, raw, "formula", FORMULAS) or FORMULAS[0],
        valid_to_year=r.integer(raw, "valid_to_year", "") if "valid_to_year" in raw else None,
        top_level=top_level,
        index_name=_texts(r, raw.get("index_name"), "index_name"),
        level_names_en=level_names_en,
    )
    if fw.scale_min >= fw.scale_max:
        raise r.fail("scale", f"min {fw.scale_min:g} is not below max {fw.scale_max:g}")
    _check(fw, path)
    return fw


def _aspect(r: _Reader, a: dict, aw: str, domain: int, level_names: dict) -> Aspect:
    """One aspect node (already checked to be a mapping) with its indicators."""
    a_number = r.integer(a, "number", aw)
    inds = []
    for ii, i in enumerate(r.items(a, "indicators", aw)):
        iw = f"{aw}.indicators[{ii}]"
        r.mapping(i, iw, "indicator")
        capability = r.get(i, "capability", iw, f"one of {list(level_names)}")
        if not isinstance(capability, str) or capability not in level_names:
            raise r.fail(
                f"{iw}.capability",
                f"{capability!r} is not allowed; expected one of {list(level_names)}",
            )
        inds.append(
            Indicator(
                number=r.integer(i, "number", iw),
                name=r.text(i, "name", iw),
                weight_pct=r.number(i, "weight_pct", iw, positive=True),
                capability=capability,
                aspect=a_number,
                domain=domain,
                external=_texts(r, i.get("external"), f"{iw}.external"),
            )
        )
    return Aspect(
        a_number,
        r.text(a, "name", aw),
        r.number(a, "weight_pct", aw, positive=True),
        domain,
        tuple(inds),
    )


def _level_names(
    r: _Reader, raw: dict, key: str, *, required: bool
) -> dict[str, dict[int, str]] | None:
    if not required and key not in raw:
        return None
    names = r.get(raw, key, "", "a mapping of capability to level names")
    if not isinstance(names, dict) or not all(
        isinstance(m, dict) and all(isinstance(n, int) for n in m) for m in names.values()
    ):
        raise r.fail(key, "expected a mapping of capability type to {level number: name}")
    return {str(k): {n: str(v) for n, v in m.items()} for k, m in names.items()}


def _choice(r: _Reader, raw: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    if key not in raw:
        return None
    value = raw[key]
    if not isinstance(value, str) or value not in allowed:
        raise r.fail(key, f"{value!r} is not allowed; expected one of {list(allowed)}")
    return str(value)


def _texts(r: _Reader, node: object, where: str) -> dict[str, str] | None:
    """An optional ``{id: ..., en: ...}`` pair of texts."""
    if node is None:
        return None
    if not isinstance(node, dict) or set(node) != set(LANG_KEYS):
        raise r.fail(where, f"expected a mapping with the keys {list(LANG_KEYS)}")
    return {lang: r.text(node, lang, where) for lang in LANG_KEYS}


def _check(fw: Framework, path: Path) -> None:
    tol = 1e-6
    total = sum(d.weight_pct for d in fw.domains)
    if abs(total - 100) > tol:
        raise InputError(f"domain weights sum to {total:.6g}, expected 100", file=path)
    for d in fw.domains:
        s = sum(a.weight_pct for a in d.aspects)
        if abs(s - d.weight_pct) > tol:
            raise InputError(
                f"aspects of domain {d.number} sum to {s:.6g}, expected {d.weight_pct:g}",
                file=path,
            )
        for a in d.aspects:
            s = sum(i.weight_pct for i in a.indicators)
            if abs(s - a.weight_pct) > tol:
                raise InputError(
                    f"indicators of aspect {a.number} sum to {s:.6g}, expected {a.weight_pct:g}",
                    file=path,
                )
    for what, numbers in (
        ("domain", [d.number for d in fw.domains]),
        ("aspect", [a.number for a in fw.aspects]),
        ("indicator", [i.number for i in fw.indicators]),
    ):
        dup = next((n for n in numbers if numbers.count(n) > 1), None)
        if dup is not None:
            raise InputError(
                f"{what} number {dup} appears twice; expected unique numbers", file=path
            )
    for i in fw.indicators:
        if i.capability not in fw.level_names:
            raise InputError(
                f"indicator {i.number}: capability {i.capability!r} has no level names", file=path
            )
    if fw.level_names_en is not None and sorted(fw.level_names_en) != sorted(fw.level_names):
        raise InputError(
            f"level_names_en has the capability types {sorted(fw.level_names_en)}; expected "
            f"those of level_names, {sorted(fw.level_names)}",
            file=path,
        )
    if fw.valid_to_year is not None and fw.valid_to_year < fw.valid_from_year:
        raise InputError(
            f"valid_to_year {fw.valid_to_year} is before valid_from_year {fw.valid_from_year}",
            file=path,
        )
    mins = [p.min for p in fw.predicates]
    if mins != sorted(mins):
        raise InputError("predicate bands must be listed from lowest to highest", file=path)


def check_spbe_consistency(
    df: pd.DataFrame, *, file: str | Path, tolerance: float = validate.INDEX_TOLERANCE
) -> None:
    """The index must agree with its domains (where all are known) and its predicate with its index."""
    for framework_id, rows in df.groupby("framework", sort=False):
        try:
            fw = load_framework(str(framework_id))
        except ParameterError:  # an older framework without a definition file: no weights to check
            continue
        cols = fw.domain_columns
        rows = rows.reindex(columns=[*rows.columns, *[c for c in cols if c not in rows.columns]])
        complete = rows[cols].notna().all(axis=1)
        recomputed = rows.loc[complete, cols].to_numpy(float) @ fw.domain_weights
        gap = np.abs(recomputed - rows.loc[complete, "index"].to_numpy(float))
        if (gap > tolerance).any():
            i = int(np.argmax(gap))
            pos = df.index.get_loc(rows.index[complete][i])
            raise InputError(
                f"index {rows.loc[complete, 'index'].iloc[i]} disagrees with its domains "
                f"(weighted {recomputed[i]:.3f}); expected agreement within {tolerance}",
                file=file,
                row=validate._line(df, pos),
                field="index",
            )
        if "predicate" in rows.columns:
            # A printed predicate may be judged on the printed index or on the unrounded one
            # (recomputed from the domains); accept either, flag anything else.
            has = rows["predicate"].notna()
            printed = fw.predicates_of(rows.loc[has, "index"].to_numpy(float))
            unrounded = fw.predicates_of(
                rows.loc[has, cols].to_numpy(float) @ fw.domain_weights
            )  # NaN -> None
            given = rows.loc[has, "predicate"].to_numpy(object)
            wrong = (given != printed) & (given != unrounded)
            if wrong.any():
                i = int(np.flatnonzero(wrong)[0])
                pos = df.index.get_loc(rows.index[has][i])
                raise InputError(
                    f"predicate {given[i]!r} does not match index "
                    f"{rows.loc[has, 'index'].iloc[i]}; expected {printed[i]!r}",
                    file=file,
                    row=validate._line(df, pos),
                    field="predicate",
                )
