"""Peer-group definitions and benchmarking defaults, read from ``params/peer_groups.yaml``.

The file is data: adding a ``same``-type group (e.g. a new column of ``data/regions.csv``) or a
quantile group of another outcome is adding a few lines there, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from living_lab import paths
from living_lab.errors import InputError
from living_lab.validate import read_yaml

GroupType = Literal["all", "same", "quantile"]
FrontierMethod = Literal["p90", "top3", "max"]
ContextFeature = Literal["kind", "grdp", "population", "province", "island"]
NUMERIC_FEATURES: tuple[str, ...] = ("grdp", "population")

CONFIG_FILE = paths.PARAMS / "peer_groups.yaml"


@dataclass(frozen=True)
class GroupSpec:
    """One named peer group of the params file."""

    name: str
    type: GroupType
    description: str
    column: str | None = None
    indicator: str | None = None
    classes: int | None = None


@dataclass(frozen=True)
class PartnerDefaults:
    min_lead: float
    match_on: tuple[str, ...]
    weights: dict[str, float]
    min_shared_numeric: int
    min_coverage: float
    indicators: dict[str, str]


@dataclass(frozen=True)
class PeerConfig:
    groups: dict[str, GroupSpec]
    frontier: FrontierMethod
    partners: PartnerDefaults
    source: str


def _need(raw: dict[str, Any], key: str, path: Path, where: str) -> Any:
    if key not in raw:
        raise InputError(f"missing key {key!r}", file=path, field=where)
    return raw[key]


def parse_config(path: Path) -> PeerConfig:
    """Parse and check a peer-group params file."""
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise InputError("expected a YAML mapping with 'groups'", file=path)
    groups_raw = _need(raw, "groups", path, "groups")
    if not isinstance(groups_raw, dict) or not groups_raw:
        raise InputError("'groups' must be a non-empty mapping", file=path, field="groups")
    groups: dict[str, GroupSpec] = {}
    for name, spec in groups_raw.items():
        where = f"groups.{name}"
        if not isinstance(spec, dict):
            raise InputError("expected a mapping", file=path, field=where)
        gtype = spec.get("type")
        if gtype not in get_args(GroupType):
            raise InputError(
                f"type {gtype!r}; expected one of {list(get_args(GroupType))}",
                file=path,
                field=where,
            )
        if ":" in str(name):
            raise InputError("group names may not contain ':'", file=path, field=where)
        if gtype == "same" and not spec.get("column"):
            raise InputError("a 'same' group needs 'column'", file=path, field=where)
        if gtype == "quantile":
            classes = spec.get("classes")
            if not spec.get("indicator") or not isinstance(classes, int) or classes < 2:
                raise InputError(
                    "a 'quantile' group needs 'indicator' and integer 'classes' >= 2",
                    file=path,
                    field=where,
                )
        groups[str(name)] = GroupSpec(
            name=str(name),
            type=gtype,
            description=str(spec.get("description", "")),
            column=spec.get("column"),
            indicator=spec.get("indicator"),
            classes=spec.get("classes"),
        )
    frontier = (raw.get("frontier") or {}).get("default", "p90")
    if frontier not in get_args(FrontierMethod):
        raise InputError(
            f"{frontier!r}; expected one of {list(get_args(FrontierMethod))}",
            file=path,
            field="frontier.default",
        )
    p = _need(raw, "partners", path, "partners")
    try:
        match_on = tuple(str(f) for f in p["match_on"])
        weights = {str(k): float(v) for k, v in p["weights"].items()}
        partners = PartnerDefaults(
            min_lead=float(p["min_lead"]),
            match_on=match_on,
            weights=weights,
            min_shared_numeric=int(p["min_shared_numeric"]),
            min_coverage=float(p["min_coverage"]),
            indicators={str(k): str(v) for k, v in p["indicators"].items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"malformed partners section ({exc!r})", file=path, field="partners"
        ) from None
    for feature in (*partners.match_on, *partners.weights):
        if feature not in get_args(ContextFeature):
            raise InputError(
                f"unknown context feature {feature!r}; expected one of {list(get_args(ContextFeature))}",
                file=path,
                field="partners",
            )
    missing_w = [f for f in get_args(ContextFeature) if f not in partners.weights]
    if missing_w:
        raise InputError(f"no weight for {missing_w}", file=path, field="partners.weights")
    for f in NUMERIC_FEATURES:
        if f not in partners.indicators:
            raise InputError(
                f"no indicator for feature {f!r}", file=path, field="partners.indicators"
            )
    if partners.min_lead < 0 or not 0 < partners.min_coverage <= 1:
        raise InputError(
            "min_lead must be >= 0 and min_coverage in (0, 1]", file=path, field="partners"
        )
    return PeerConfig(
        groups=groups, frontier=frontier, partners=partners, source=str(raw.get("source", ""))
    )


@cache
def load_config() -> PeerConfig:
    """The peer-group configuration of ``params/peer_groups.yaml`` (cached)."""
    return parse_config(CONFIG_FILE)
