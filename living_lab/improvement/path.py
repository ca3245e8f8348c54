"""A feasible path to a target: domain gains per evaluation round, within the data's bounds.

In each round (one evaluation a year) a domain may rise at most by its feasibility bound at its
current level, the index at most by the index bound at its current level (:mod:`.feasibility`),
and no domain above its cap (``--caps``, default the top of the scale). Domains are raised in
``priority`` order (the focus domain(s) first, then the heaviest domain first, which needs the
fewest domain points), each as far as its bound allows, until the round's index bound or the
target is reached. Scores move
in steps of 0.01 (the published precision) and the target is reached when the unrounded index is
at least the target, as KemenPANRB judges predicates. The number of rounds is the fewest at this
pace; a target out of reach within ``max_rounds`` rounds (or the caps) is reported as such, with
the index the path gets to.

Examples
--------
>>> from living_lab.improvement.feasibility import gain_bounds
>>> p = feasible_path([3.70, 3.40, 3.00, 3.20], 3.5, bounds=gain_bounds(), first_year=2025)
>>> p.reached, p.n_rounds, p.rounds[0].domains[0].domain
(True, 1, 4)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from living_lab.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from living_lab.improvement.feasibility import RESOLUTION, GainBounds
from living_lab.improvement.settings import load_settings
from living_lab.planner import ResolvedTarget, Target, _domain_vector, _frac, resolve_target


@dataclass(frozen=True)
class DomainStep:
    """One domain's move in one round (only domains that rise are listed)."""

    domain: int
    current: float
    proposed: float
    bound: float

    @property
    def increase(self) -> float:
        return round(self.proposed - self.current, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "current": self.current,
            "proposed": self.proposed,
            "increase": self.increase,
            "bound": self.bound,
        }


@dataclass(frozen=True)
class Round:
    """One evaluation round of a path: its year, the domains that rise (in order) and the index."""

    number: int
    year: int
    domains: tuple[DomainStep, ...]
    index: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "year": self.year,
            "domains": [d.to_dict() for d in self.domains],
            "index": self.index,
        }


@dataclass(frozen=True, eq=False)
class FeasiblePath:
    """Rounds of domain gains from the current scores towards a target.

    Attributes
    ----------
    target : the resolved target (``value`` None: no band above the current one).
    current : the four current domain scores; ``current_index`` the index they give (unrounded).
    rounds : the rounds, first first; empty when the target is already reached.
    reached : the last round's index reaches the target (true when already reached).
    already_reached, new_index, priority : as named; ``priority`` is the domain order used.
    max_rounds : the longest path considered.
    """

    target: ResolvedTarget
    current: tuple[float, ...]
    current_index: float
    rounds: tuple[Round, ...]
    reached: bool
    already_reached: bool
    new_index: float
    priority: tuple[int, ...]
    max_rounds: int

    @property
    def n_rounds(self) -> int:
        return len(self.rounds)

    @property
    def first_domain(self) -> int | None:
        """The domain that moves first (None when nothing moves)."""
        return self.rounds[0].domains[0].domain if self.rounds and self.rounds[0].domains else None

    def table(self) -> pd.DataFrame:
        """One row per round and rising domain: round, year, domain, current, proposed, increase,
        bound, index (after the round)."""
        rows = [
            {"round": r.number, "year": r.year, **d.to_dict(), "index": r.index}
            for r in self.rounds
            for d in r.domains
        ]
        dtypes = {"round": "int64", "year": "int64", "domain": "int64", "current": "float64",
                  "proposed": "float64", "increase": "float64", "bound": "float64",
                  "index": "float64"}  # fmt: skip
        return pd.DataFrame({c: np.array([r[c] for r in rows], dtype=t) for c, t in dtypes.items()})

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.value,
            "target_label": self.target.label,
            "reached": self.reached,
            "already_reached": self.already_reached,
            "n_rounds": self.n_rounds,
            "new_index": self.new_index,
            "first_domain": self.first_domain,
            "rounds": [r.to_dict() for r in self.rounds],
        }


def _fill(
    order: Sequence[int],
    numbers: list[int],
    w: list[Fraction],
    step: Fraction,
    room: list[int],
    budget: Fraction,
    rounding: Any,
) -> list[int]:
    """Steps per domain raising the index by ``budget``, in ``order``, within ``room``.

    ``math.ceil`` reaches the budget (possibly passing it by less than one step of the last
    domain); ``math.floor`` never passes it.
    """
    add = [0] * len(numbers)
    remaining = budget
    for d in order:
        if remaining <= 0:
            break
        k = numbers.index(d)
        take = min(room[k], max(0, rounding(remaining / (w[k] * step))))
        add[k] = take
        remaining -= w[k] * step * take
    return add


def feasible_path(
    domain_scores: Mapping[Any, Any] | Sequence[Any] | pd.Series | np.ndarray,
    target: Target,
    *,
    bounds: GainBounds,
    first_year: int,
    caps: Mapping[Any, Any] | Sequence[Any] | pd.Series | None = None,
    priority: Sequence[int] = (),
    max_rounds: int | None = None,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> FeasiblePath:
    """The path of fewest rounds to ``target`` at a pace the data show is realistic.

    Parameters
    ----------
    domain_scores : the four current domain scores.
    target : a number 1-5, ``"next"`` or a predicate name (see :func:`~living_lab.planner.resolve_target`).
    bounds : feasibility bounds (:func:`~living_lab.improvement.feasibility.gain_bounds`).
    first_year : year of the first round's evaluation.
    caps : highest score per domain (missing: the top of the scale).
    priority : domains raised first in the round that reaches the target (e.g. the focus).
    max_rounds : longest path considered (default ``params/improvement.yaml``).
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    cur = _domain_vector(domain_scores, fw, "domain_scores", allow_missing=False)
    cap = np.full(len(cur), fw.scale_max)
    if caps is not None:
        c = _domain_vector(caps, fw, "caps", allow_missing=True)
        cap = np.where(np.isnan(c), fw.scale_max, c)
    numbers = [d.number for d in fw.domains]
    total = sum(_frac(d.weight_pct) for d in fw.domains)
    w = [_frac(d.weight_pct) / total for d in fw.domains]
    step = _frac(RESOLUTION)
    units = [round(_frac(v) / step) for v in cur]  # hundredths
    cap_units = [math.floor(round(_frac(c) / step, 9)) for c in cap]

    def index_of(u: list[int]) -> Fraction:
        return sum((wi * ui * step for wi, ui in zip(w, u, strict=True)), Fraction(0))

    start = index_of(units)
    rt = resolve_target(target, float(start), framework=fw)
    goal = None if rt.value is None else _frac(rt.value)
    order = [d for d in priority if d in numbers]
    order += [
        numbers[k]
        for k in sorted(range(len(w)), key=lambda k: (-w[k], k))
        if numbers[k] not in order
    ]
    n_max = max_rounds or load_settings().max_rounds
    rounds: list[Round] = []
    u = list(units)
    while goal is not None and index_of(u) < goal and len(rounds) < n_max:
        room = []
        for k, d in enumerate(numbers):
            b = bounds.bound(d, u[k] * float(step))
            room.append(max(0, min(math.floor(round(b / float(step), 6)), cap_units[k] - u[k])))
        if not any(room):
            break
        need = goal - index_of(u)
        allowed = _frac(bounds.index_bound(float(index_of(u))))
        add = _fill(order, numbers, w, step, room, min(need, allowed), math.ceil)
        if sum(wi * a * step for wi, a in zip(w, add, strict=True)) > allowed:
            add = _fill(order, numbers, w, step, room, allowed, math.floor)
        if not any(add):
            break
        new = [a + b for a, b in zip(u, add, strict=True)]
        steps = tuple(
            DomainStep(
                domain=d,
                current=round(u[numbers.index(d)] * float(step), 2),
                proposed=round(new[numbers.index(d)] * float(step), 2),
                bound=round(bounds.bound(d, u[numbers.index(d)] * float(step)), 2),
            )
            for d in order
            if add[numbers.index(d)] > 0
        )
        rounds.append(Round(len(rounds) + 1, first_year + len(rounds), steps, float(index_of(new))))
        u = new
    end = index_of(u)
    return FeasiblePath(
        target=rt,
        current=tuple(float(x) for x in cur),
        current_index=float(start),
        rounds=tuple(rounds),
        reached=goal is None or end >= goal,
        already_reached=goal is None or start >= goal,
        new_index=float(end),
        priority=tuple(order),
        max_rounds=n_max,
    )
