"""Settings of the improvement-plan model, read from ``params/improvement.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from living_lab import paths, schema
from living_lab.errors import InputError
from living_lab.validate import read_yaml


@dataclass(frozen=True)
class Settings:
    """The numbers the model needs (see ``params/improvement.yaml`` for their meaning)."""

    quantile: float
    level_edges: tuple[float, ...]
    min_regions: int
    max_rounds: int
    second_within: float


def parse_settings(path: Path) -> Settings:
    """Read and check a settings file; a bad value names the file and the field."""
    raw: Any = read_yaml(path)
    schema.check("improvement", raw, file=path)
    f, fo = raw["feasibility"], raw["focus"]
    s = Settings(
        quantile=float(f["quantile"]),
        level_edges=tuple(float(x) for x in f["level_edges"]),
        min_regions=int(f["min_regions"]),
        max_rounds=int(f["max_rounds"]),
        second_within=float(fo["second_within"]),
    )
    _check_level_edges(s.level_edges, path)
    return s


def _check_level_edges(edges: tuple[float, ...], path: Path) -> None:
    """Refuse level edges that do not increase (JSON Schema cannot say it)."""
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise InputError("expected increasing edges", file=path, field="feasibility.level_edges")


@cache
def load_settings() -> Settings:
    """The bundled settings (``params/improvement.yaml``)."""
    return parse_settings(paths.PARAMS / "improvement.yaml")
