"""Peer-group definitions and benchmarking defaults, read from ``params/peer_groups.yaml``.

The file is data: adding a ``same``-type group (e.g. a new column of ``data/regions.csv``) or a
quantile group of another outcome is adding a few lines there, not code. Its model is
``living_lab/schemas/peer_groups.json``; the literal types below name the same values (a test
checks that they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from living_lab import paths, schema

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


def parse_config(path: Path) -> PeerConfig:
    """Parse and check a peer-group params file.

    The file is read by the strict YAML reader and checked against its model
    (``living_lab/schemas/peer_groups.json``); every problem is named at once, one line each,
    with its line in the file.
    """
    raw, _ = schema.read_file(path, "peer_groups", _group_rules)
    groups = {
        str(name): GroupSpec(
            name=str(name),
            type=spec["type"],
            description=str(spec.get("description", "")),
            column=spec.get("column"),
            indicator=spec.get("indicator"),
            classes=spec.get("classes"),
        )
        for name, spec in raw["groups"].items()
    }
    p = raw["partners"]
    partners = PartnerDefaults(
        min_lead=float(p["min_lead"]),
        match_on=tuple(p["match_on"]),
        weights={k: float(v) for k, v in p["weights"].items()},
        min_shared_numeric=int(p["min_shared_numeric"]),
        min_coverage=float(p["min_coverage"]),
        indicators=dict(p["indicators"]),
    )
    return PeerConfig(
        groups=groups,
        frontier=raw.get("frontier", {}).get("default", "p90"),
        partners=partners,
        source=str(raw.get("source", "")),
    )


def _group_rules(raw: dict[str, Any], bad: schema.Bad) -> list[schema.Problem]:
    """What a group of each type needs besides its type (JSON Schema says the shapes)."""
    found: list[schema.Problem] = []
    groups = raw.get("groups")
    for name, spec in groups.items() if isinstance(groups, dict) else ():
        where = f"groups.{name}"
        if bad.under(where):
            continue
        if spec["type"] == "same" and "column" not in spec:
            found.append((where, "a 'same' group needs 'column' (a column of data/regions.csv)"))
        if spec["type"] == "quantile":
            lacking = [k for k in ("indicator", "classes") if k not in spec]
            if lacking:
                found.append((where, f"a 'quantile' group needs {' and '.join(lacking)}"))
    return found


@cache
def load_config() -> PeerConfig:
    """The peer-group configuration of ``params/peer_groups.yaml`` (cached)."""
    return parse_config(CONFIG_FILE)
