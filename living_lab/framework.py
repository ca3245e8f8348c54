"""SPBE evaluation frameworks, loaded from ``data/frameworks/*.yaml``.

A framework file lists domains, aspects and indicators with their weights (percent of the
index), the level names of each capability type and the predicate bands. Adding a framework is
adding a file; nothing here names a specific regulation except the default id.

Examples
--------
>>> fw = load_framework()
>>> fw.domain_weights.round(3).tolist()
[0.13, 0.25, 0.165, 0.455]
>>> fw.predicate(3.5)
'Sangat Baik'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml

from living_lab import paths
from living_lab.errors import InputError, ParameterError

DEFAULT_FRAMEWORK = "permenpanrb-59-2020"
Capability = Literal["process", "service"]


@dataclass(frozen=True)
class Indicator:
    number: int
    name: str
    weight_pct: float
    capability: Capability
    aspect: int
    domain: int


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
        you have. :func:`living_lab.validate.check_spbe_consistency` accepts either reading.
        """
        x = np.asarray(index, dtype=float)
        bounds = np.array([p.min for p in self.predicates[1:]])
        names = np.array([p.name for p in self.predicates], dtype=object)
        out = names[np.searchsorted(bounds, x, side="right")]
        out[np.isnan(x)] = None
        return out

    def next_predicate_threshold(self, index: float) -> float | None:
        """Lowest index of the next predicate band above ``index`` (None at the top band)."""
        for band in self.predicates:
            if band.min > index:
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
        raise ParameterError(
            f"framework: unknown framework {framework_id!r}; expected one of {available_frameworks()}"
        )
    return parse_framework(path)


def parse_framework(path: Path) -> Framework:
    """Parse a framework YAML file, checking that weights add up and numbers are unique."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read framework file: {exc}", file=path) from exc
    if not isinstance(raw, dict):
        raise InputError("expected a YAML mapping at the top level", file=path)
    try:
        domains = []
        for d in raw["domains"]:
            aspects = []
            for a in d["aspects"]:
                inds = tuple(
                    Indicator(
                        number=int(i["number"]),
                        name=str(i["name"]),
                        weight_pct=float(i["weight_pct"]),
                        capability=i["capability"],
                        aspect=int(a["number"]),
                        domain=int(d["number"]),
                    )
                    for i in a["indicators"]
                )
                aspects.append(
                    Aspect(
                        int(a["number"]),
                        str(a["name"]),
                        float(a["weight_pct"]),
                        int(d["number"]),
                        inds,
                    )
                )
            domains.append(
                Domain(int(d["number"]), str(d["name"]), float(d["weight_pct"]), tuple(aspects))
            )
        fw = Framework(
            id=str(raw["id"]),
            name=str(raw["name"]),
            source=str(raw.get("source", "")),
            valid_from_year=int(raw["valid_from_year"]),
            scale_min=float(raw["scale"]["min"]),
            scale_max=float(raw["scale"]["max"]),
            rounding_decimals=int(raw.get("rounding_decimals", 2)),
            domains=tuple(domains),
            predicates=tuple(
                PredicateBand(str(p["name"]), float(p["min"]), p.get("max_exclusive"))
                for p in raw["predicates"]
            ),
            level_names={
                k: {int(n): str(v) for n, v in m.items()} for k, m in raw["level_names"].items()
            },
            worked_example=raw.get("worked_example"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"malformed framework definition ({exc!r})", file=path) from exc
    _check(fw, path)
    return fw


def _check(fw: Framework, path: Path) -> None:
    tol = 1e-6
    total = sum(d.weight_pct for d in fw.domains)
    if abs(total - 100) > tol:
        raise InputError(f"domain weights sum to {total}, expected 100", file=path)
    for d in fw.domains:
        s = sum(a.weight_pct for a in d.aspects)
        if abs(s - d.weight_pct) > tol:
            raise InputError(
                f"aspects of domain {d.number} sum to {s}, expected {d.weight_pct}", file=path
            )
        for a in d.aspects:
            s = sum(i.weight_pct for i in a.indicators)
            if abs(s - a.weight_pct) > tol:
                raise InputError(
                    f"indicators of aspect {a.number} sum to {s}, expected {a.weight_pct}",
                    file=path,
                )
    numbers = [i.number for i in fw.indicators]
    if len(numbers) != len(set(numbers)):
        raise InputError("indicator numbers are not unique", file=path)
    aspects = [a.number for a in fw.aspects]
    if len(aspects) != len(set(aspects)):
        raise InputError("aspect numbers are not unique", file=path)
    for i in fw.indicators:
        if i.capability not in fw.level_names:
            raise InputError(
                f"indicator {i.number}: capability {i.capability!r} has no level names", file=path
            )
    mins = [p.min for p in fw.predicates]
    if mins != sorted(mins):
        raise InputError("predicate bands must be listed from lowest to highest", file=path)
