"""Path to a target: the cheapest level increases that lift the SPBE index to a target.

Indicator level (:func:`plan_levels`)
    The index is linear in the levels: ``index = sum_i BI_i / 100 * level_i``. Raising indicator
    ``i`` by one level adds ``BI_i / 100``. Each level step is therefore an item with a gain and
    a cost, and the plan is a minimum-cost cover: the cheapest set of steps whose gains reach
    ``target - index``, within each indicator's cap.

    * Unit costs (the default: every level step counts as one unit of effort). The ``k`` steps
      with the largest gains give the largest index any ``k`` steps can give, so taking steps in
      order of decreasing weight and stopping as soon as the target is reached uses the fewest
      steps possible: greedy is exact here.
    * Per-indicator (and per-level) costs. Greedy is no longer optimal (a cheap small step can
      beat an expensive large one, and the last step may overshoot). Weights are multiples of
      0.05 percentage points, so the gain needed is a whole number of "weight units" (at most
      8 000) and a dynamic programme over gain units (a multiple-choice knapsack: for each
      indicator choose how many levels to add) finds the exact minimum cost. Ties are broken
      by fewer level steps.

    Reaching the target means the *unrounded* index is at least the target, the basis on which
    KemenPANRB's 2024 predicates are judged (Kab. Pacitan's 3.4985, printed 3.50, is "Baik").

Domain level (:func:`plan_domains`)
    For regions with only published domain scores: the smallest total increase of domain scores
    (in steps of 0.01, the published precision) that reaches the target, each domain optionally
    capped (e.g. at what the best peer achieved, :func:`peer_caps`). Every 0.01 step costs the
    same, so filling the domain of largest weight first is exact (same argument as above).

A target is a number in 1-5, ``"next"`` (the lower bound of the next predicate band) or a
predicate name. A target already reached is a plan with no steps, not an error.

Examples
--------
>>> plan = plan_domains([3.70, 3.40, 3.00, 3.20], 3.5)
>>> plan.table[["domain", "current", "proposed"]].round(2).to_dict("list")
{'domain': [1, 2, 3, 4], 'current': [3.7, 3.4, 3.0, 3.2], 'proposed': [3.7, 3.4, 3.0, 3.68]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from living_lab.scoring import Levels, levels_series, round_half_up
from living_lab.text import Lang, t

Target = float | str
Method = Literal["greedy", "dp"]
PeerGroup = Literal["province", "island_group", "all"]
CapsHow = Literal["best", "frontier"]
#: A note for the reader: a text key of ``locales/*/scoring.yml`` and its values.
Note = tuple[str, dict[str, Any]]


def _framework(framework: str | Framework) -> Framework:
    return framework if isinstance(framework, Framework) else load_framework(framework)


def _frac(x: float) -> Fraction:
    """Exact decimal value of a float as a user typed it (3.5 -> 7/2, 3.94 -> 197/50)."""
    return Fraction(repr(float(x)))


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedTarget:
    """A target as a number, with how the user asked for it."""

    value: float | None  # None: "next" from the top band (nothing above)
    label: str
    kind: Literal["number", "next", "predicate"]
    predicate: str | None  # the band the target is the lower bound of, if any


def resolve_target(
    target: Target, current_index: float, *, framework: str | Framework = DEFAULT_FRAMEWORK
) -> ResolvedTarget:
    """Turn ``3.5``, ``"3.5"``, ``"next"`` or ``"Sangat Baik"`` into an index value.

    >>> resolve_target("next", 3.12).value
    3.5
    >>> resolve_target("Memuaskan", 3.12).value
    4.2
    """
    fw = _framework(framework)
    bands = {p.name.lower(): p for p in fw.predicates}
    if isinstance(target, str):
        text = target.strip()
        if text.lower() in {"next", "next predicate", "berikutnya"}:
            value = fw.next_predicate_threshold(current_index)
            name = None if value is None else fw.predicate(value)
            label = f"next predicate ({name})" if name else "next predicate (none: top band)"
            return ResolvedTarget(value, label, "next", name)
        if text.lower() in bands:
            band = bands[text.lower()]
            return ResolvedTarget(band.min, band.name, "predicate", band.name)
        try:
            target = float(text.replace(",", "."))
        except ValueError:
            raise ParameterError.keyed(
                "err.target.not_target",
                target=target,
                low=fw.scale_min,
                high=fw.scale_max,
                names=", ".join(p.name for p in fw.predicates),
            ) from None
    try:
        value = float(target)
    except (TypeError, ValueError):
        raise ParameterError.keyed("err.target.not_number", target=target) from None
    if not (fw.scale_min <= value <= fw.scale_max) or math.isnan(value):
        raise ParameterError.keyed(
            "err.target.range",
            value=value if math.isfinite(value) else str(value),
            low=fw.scale_min,
            high=fw.scale_max,
        )
    band = next((p.name for p in fw.predicates if p.min == value), None)
    return ResolvedTarget(value, f"{value:g}", "number", band)


# --------------------------------------------------------------------------------------------
# Indicator-level plans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Plan:
    """The cheapest set of level increases reaching a target.

    Attributes
    ----------
    target, target_label : the target index and how it was asked for.
    current_index, new_index : unrounded index before and after the plan.
    current_predicate, new_predicate : predicates (on the unrounded index).
    reached : the plan's index reaches the target (also true when it already did).
    already_reached : the current levels already reach the target (no steps).
    feasible : the target can be reached within the caps. If not, ``table`` raises every
        indicator to its cap and ``new_index`` is the most that is possible.
    max_index : the index with every indicator at its cap.
    steps, cost : number of level steps and their total cost (= steps with unit costs).
    method : ``"greedy"`` (unit costs) or ``"dp"`` (given costs); both are exact.
    table : one row per raised indicator: indicator, name, aspect, domain, current,
        proposed, steps, cost, index_gain.
    levels : proposed level of every indicator.
    notes : what a reader should know (caps below current levels, cost basis), as
        ``(text key, values)`` pairs; :meth:`notes_text` renders them in a language.
    """

    target: float | None
    target_label: str
    current_index: float
    new_index: float
    current_predicate: str
    new_predicate: str
    reached: bool
    already_reached: bool
    feasible: bool
    max_index: float
    steps: int
    cost: float
    method: Method
    table: pd.DataFrame
    levels: pd.Series
    framework: str
    notes: tuple[Note, ...] = ()

    def notes_text(self, lang: Lang = "id") -> list[str]:
        """The notes as sentences in ``lang``."""
        return [t(key, lang, **values) for key, values in self.notes]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; indices rounded as published plus their unrounded values."""
        return {
            **_outcome_summary(self),
            "steps": self.steps,
            "cost": self.cost,
            "method": self.method,
            "plan": [
                {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
            "notes": self.notes_text("en"),
        }


def _outcome_summary(plan: Plan | DomainPlan) -> dict[str, Any]:
    """The keys :meth:`Plan.to_dict` and :meth:`DomainPlan.to_dict` share, in their order.

    Indices are rounded as published, with their unrounded values alongside.
    """
    r = round_half_up
    return {
        "framework": plan.framework,
        "target": plan.target,
        "target_label": plan.target_label,
        "current_index": r(plan.current_index),
        "current_index_unrounded": plan.current_index,
        "current_predicate": plan.current_predicate,
        "new_index": r(plan.new_index),
        "new_index_unrounded": plan.new_index,
        "new_predicate": plan.new_predicate,
        "reached": plan.reached,
        "already_reached": plan.already_reached,
        "feasible": plan.feasible,
        "max_index": r(plan.max_index),
    }


@dataclass(frozen=True)
class _IntegerWeights:
    """Indicator weights as integers: ``index = units * unit_value`` exactly."""

    units: np.ndarray  # int64, one per indicator
    unit_value: Fraction  # index value of one unit


def _integer_weights(fw: Framework) -> _IntegerWeights:
    fr = [_frac(i.weight_pct) for i in fw.indicators]
    den = math.lcm(*(f.denominator for f in fr))
    ints = [int(f * den) for f in fr]
    g = math.gcd(*ints)
    total = sum(_frac(d.weight_pct) for d in fw.domains)
    return _IntegerWeights(
        units=np.array([v // g for v in ints], dtype=np.int64),
        unit_value=Fraction(g, den) / total,
    )


def step_costs(
    costs: Mapping[Any, Any] | pd.Series | pd.DataFrame | None,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> np.ndarray:
    """Costs of each level step as an ``(n_indicators, scale_max - scale_min)`` array.

    Column ``k`` is the cost of reaching level ``scale_min + k + 1`` from the level below.

    Parameters
    ----------
    costs : ``None`` (every step costs 1); a mapping or Series indicator -> cost per level step;
        a mapping indicator -> sequence of the costs of reaching levels 2, 3, 4, 5; or a
        DataFrame with an ``indicator`` column and either ``cost`` (per step) or
        ``cost_to_2`` .. ``cost_to_5``. Every indicator needs a cost (cap an indicator to keep
        it out of a plan); costs must be finite and not negative.
    """
    fw = _framework(framework)
    numbers = [i.number for i in fw.indicators]
    n_steps = int(fw.scale_max - fw.scale_min)
    if costs is None:
        return np.ones((len(numbers), n_steps))
    step_cols = [f"cost_to_{int(fw.scale_min) + k + 1}" for k in range(n_steps)]
    if isinstance(costs, pd.DataFrame):
        if "indicator" not in costs.columns:
            raise ParameterError("costs: expected a column 'indicator'")
        if all(c in costs.columns for c in step_cols):
            values = costs[step_cols].to_numpy(dtype=object).tolist()
        elif "cost" in costs.columns:
            values = costs["cost"].tolist()
        else:
            raise ParameterError(
                f"costs: expected a column 'cost' (per level step) or columns {step_cols}"
            )
        mapping: dict[Any, Any] = {}
        for ind, v in zip(costs["indicator"].tolist(), values, strict=True):
            key = _as_indicator(ind, numbers, "costs")
            if key in mapping:
                raise ParameterError(f"costs: indicator {key} appears twice")
            mapping[key] = v
    else:
        mapping = {_as_indicator(k, numbers, "costs"): v for k, v in dict(costs).items()}
    absent = [n for n in numbers if n not in mapping]
    if absent:
        raise ParameterError(
            f"costs: no cost for indicator(s) {_short(absent)}; give every indicator a cost "
            "(cap an indicator at its current level to leave it out)"
        )
    out = np.empty((len(numbers), n_steps))
    for row, n in enumerate(numbers):
        v = mapping[n]
        seq = list(v) if isinstance(v, Sequence | np.ndarray) and not isinstance(v, str) else [v]
        if len(seq) == 1:
            seq = seq * n_steps
        if len(seq) != n_steps:
            raise ParameterError(
                f"costs: indicator {n}: expected 1 cost per step or {n_steps} (to levels "
                f"{int(fw.scale_min) + 1}-{int(fw.scale_max)}), got {len(seq)}"
            )
        for k, c in enumerate(seq):
            try:
                c = float(c)
            except (TypeError, ValueError):
                c = float("nan")
            if not math.isfinite(c) or c < 0:
                raise ParameterError(
                    f"costs: indicator {n}: {seq[k]!r} is not a cost; expected a number >= 0"
                )
            out[row, k] = c
    return out


def level_caps(
    caps: Mapping[Any, Any] | pd.Series | None,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> np.ndarray:
    """Highest level allowed for each indicator (default: the top of the scale).

    ``caps`` maps indicator number -> level (whole number 1-5); unlisted indicators are not
    capped.
    """
    fw = _framework(framework)
    numbers = [i.number for i in fw.indicators]
    out = np.full(len(numbers), fw.scale_max)
    if caps is None:
        return out
    for k, v in dict(caps).items():
        n = _as_indicator(k, numbers, "caps")
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        try:
            c = float(v)
        except (TypeError, ValueError):
            c = float("nan")
        if not (fw.scale_min <= c <= fw.scale_max) or c != round(c):
            raise ParameterError.keyed(
                "err.caps.bad_level", n=n, value=v, low=fw.scale_min, high=fw.scale_max
            )
        out[numbers.index(n)] = c
    return out


def _as_indicator(key: Any, numbers: list[int], what: str) -> int:
    try:
        n = int(str(key).strip().lstrip("iI"))
    except ValueError:
        n = None
    if n is None or n not in numbers:
        raise ParameterError.keyed(
            "err.caps.unknown_indicator", what=what, key=key, first=numbers[0], last=numbers[-1]
        )
    return n


def plan_levels(
    levels: Levels,
    target: Target,
    costs: Mapping[Any, Any] | pd.Series | pd.DataFrame | None = None,
    caps: Mapping[Any, Any] | pd.Series | None = None,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> Plan:
    """The cheapest level increases that bring the index to ``target``.

    Parameters
    ----------
    levels : current level of every indicator (mapping number -> level, or 47 in order).
    target : a number in 1-5, ``"next"`` (next predicate band) or a predicate name.
    costs : ``None`` for unit costs (fewest level steps; exact greedy), otherwise costs per
        indicator or per indicator and level (see :func:`step_costs`; exact DP).
    caps : highest level allowed per indicator (see :func:`level_caps`).

    Examples
    --------
    >>> lv = {i: 3 for i in range(1, 48)}
    >>> p = plan_levels(lv, 3.05)
    >>> p.steps, p.table["indicator"].tolist(), round_half_up(p.new_index)
    (2, [42, 43], 3.06)
    """
    fw = _framework(framework)
    current = levels_series(levels, framework=fw)
    if current.isna().any():
        missing = [int(n) for n in current.index[current.isna()]]
        raise ParameterError(
            f"levels: no level for indicator(s) {_short(missing)}; a plan needs every level"
        )
    lv = current.to_numpy(dtype=float).astype(np.int64)
    iw = _integer_weights(fw)
    cap = level_caps(caps, framework=fw).astype(np.int64)
    room = np.maximum(cap - lv, 0)
    notes: list[Note] = []
    below = [int(n) for n in current.index[cap < lv]]
    if below:
        notes.append(("plan_note_caps_below", {"items": _short(below)}))
    unit_costs = costs is None
    sc = step_costs(costs, framework=fw)
    if unit_costs:
        notes.append(("plan_note_unit_costs", {}))

    current_units = int(iw.units @ lv)
    current_index = float(current_units * iw.unit_value)
    rt = resolve_target(target, current_index, framework=fw)
    if rt.value is None:
        need = 0
        notes.append(("plan_note_top_band", {}))
    else:
        need = max(0, math.ceil(_frac(rt.value) / iw.unit_value) - current_units)
    max_units = int(iw.units @ room)
    feasible = need <= max_units
    if need == 0:
        add = np.zeros_like(lv)
    elif not feasible:
        add = room.copy()
    elif unit_costs:
        add = _greedy(iw.units, lv, room, need)
    else:
        add = _min_cost_dp(iw.units, lv, room, sc, need, fw)
    return _build_plan(fw, current, lv, add, sc, iw, rt, need, feasible, room, unit_costs, notes)


def _greedy(units: np.ndarray, lv: np.ndarray, room: np.ndarray, need: int) -> np.ndarray:
    """Fewest steps: take steps by decreasing gain (ties: lower starting level, lower number)."""
    steps = [(-int(units[i]), int(lv[i]) + k, i) for i in range(len(units)) for k in range(room[i])]
    steps.sort()
    add = np.zeros_like(lv)
    got = 0
    for neg_gain, _, i in steps:
        if got >= need:
            break
        add[i] += 1
        got += -neg_gain
    return add


def _min_cost_dp(
    units: np.ndarray,
    lv: np.ndarray,
    room: np.ndarray,
    sc: np.ndarray,
    need: int,
    fw: Framework,
) -> np.ndarray:
    """Exact minimum-cost plan: multiple-choice knapsack over gain units, capped at ``need``.

    State ``s`` = gain achieved so far (gains beyond ``need`` are folded into ``need``). For
    each indicator, choose ``k`` extra levels (0..room) at cost ``sum of its next k step
    costs``. Lexicographic objective: (cost, number of steps).
    """
    n_states = need + 1
    cost = np.full(n_states, np.inf)
    cost[0] = 0.0
    nsteps = np.zeros(n_states, dtype=np.int64)
    choice = np.zeros((len(units), n_states), dtype=np.int8)
    prev = np.zeros((len(units), n_states), dtype=np.int64)
    states = np.arange(n_states)
    base = int(fw.scale_min)
    for i in range(len(units)):
        best_c, best_n = cost.copy(), nsteps.copy()
        best_k = np.zeros(n_states, dtype=np.int8)
        best_p = states.copy()
        for k in range(1, int(room[i]) + 1):
            g = k * int(units[i])
            c_k = float(sc[i, lv[i] - base : lv[i] - base + k].sum())
            cand_c = np.full(n_states, np.inf)
            cand_n = np.zeros(n_states, dtype=np.int64)
            cand_p = states.copy()
            if g < need:
                cand_c[g:need] = cost[: need - g] + c_k
                cand_n[g:need] = nsteps[: need - g] + k
                cand_p[g:need] = states[: need - g]
            # Every state within g of the goal reaches it: take the best of them.
            lo = max(0, need - g)
            window = np.lexsort((nsteps[lo:], cost[lo:]))[0] + lo
            cand_c[need] = cost[window] + c_k
            cand_n[need] = nsteps[window] + k
            cand_p[need] = window
            finite = np.isfinite(best_c)
            b = np.where(finite, best_c, 0.0)
            tol = 1e-9 * np.maximum(1.0, np.abs(b))
            better = np.isfinite(cand_c) & (
                ~finite | (cand_c < b - tol) | ((np.abs(cand_c - b) <= tol) & (cand_n < best_n))
            )
            best_c = np.where(better, cand_c, best_c)
            best_n = np.where(better, cand_n, best_n)
            best_k = np.where(better, k, best_k).astype(np.int8)
            best_p = np.where(better, cand_p, best_p)
        cost, nsteps = best_c, best_n
        choice[i], prev[i] = best_k, best_p
    add = np.zeros_like(lv)
    s = need
    for i in range(len(units) - 1, -1, -1):
        add[i] = choice[i, s]
        s = int(prev[i, s])
    return add


def _build_plan(
    fw: Framework,
    current: pd.Series,
    lv: np.ndarray,
    add: np.ndarray,
    sc: np.ndarray,
    iw: _IntegerWeights,
    rt: ResolvedTarget,
    need: int,
    feasible: bool,
    room: np.ndarray,
    unit_costs: bool,
    notes: list[Note],
) -> Plan:
    base = int(fw.scale_min)
    new = lv + add
    inds = fw.indicators
    external = [inds[i].number for i in np.flatnonzero(add) if inds[i].external]
    if external:
        # The plan cannot be carried out by the region alone for these: another agency assesses them.
        notes = [*notes, ("plan_note_external", {"items": _short(external)})]
    rows = []
    total_cost = 0.0
    for i in np.flatnonzero(add):
        c = float(sc[i, lv[i] - base : new[i] - base].sum())
        total_cost += c
        ind = inds[i]
        rows.append(
            {
                "indicator": ind.number,
                "name": ind.name,
                "aspect": ind.aspect,
                "domain": ind.domain,
                "current": int(lv[i]),
                "proposed": int(new[i]),
                "steps": int(add[i]),
                "cost": c,
                "index_gain": float(int(add[i]) * int(iw.units[i]) * iw.unit_value),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "indicator",
            "name",
            "aspect",
            "domain",
            "current",
            "proposed",
            "steps",
            "cost",
            "index_gain",
        ],
    )
    current_index = float(int(iw.units @ lv) * iw.unit_value)
    new_units = int(iw.units @ new)
    new_index = float(new_units * iw.unit_value)
    target_units = None if rt.value is None else math.ceil(_frac(rt.value) / iw.unit_value)
    reached = target_units is None or new_units >= target_units
    return Plan(
        target=rt.value,
        target_label=rt.label,
        current_index=current_index,
        new_index=new_index,
        current_predicate=fw.predicate(current_index),
        new_predicate=fw.predicate(new_index),
        reached=reached,
        already_reached=need == 0,
        feasible=feasible,
        max_index=float(int(iw.units @ (lv + room)) * iw.unit_value),
        steps=int(add.sum()),
        cost=total_cost,
        method="greedy" if unit_costs else "dp",
        table=table,
        levels=pd.Series(new, index=current.index, name="level"),
        framework=fw.id,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Domain-level plans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DomainPlan:
    """The smallest domain increases that reach a target, for regions with domain scores only.

    Attributes
    ----------
    table : one row per domain: domain, name, weight_pct, current, cap, proposed, increase,
        index_gain (``weight * increase``).
    target, target_label, current_index, new_index, reached, already_reached, feasible,
    max_index, notes : as in :class:`Plan` (indices unrounded, computed from the domains
        given; a published index may differ from the recomputed one by up to 0.008 because
        the published domains are rounded).
    resolution : size of one increase step (0.01, the precision of published domain scores).
    """

    target: float | None
    target_label: str
    current_index: float
    new_index: float
    current_predicate: str
    new_predicate: str
    reached: bool
    already_reached: bool
    feasible: bool
    max_index: float
    table: pd.DataFrame
    framework: str
    resolution: float
    notes: tuple[Note, ...] = ()

    def notes_text(self, lang: Lang = "id") -> list[str]:
        """The notes as sentences in ``lang``."""
        return [t(key, lang, **values) for key, values in self.notes]

    @property
    def total_increase(self) -> float:
        return float(self.table["increase"].sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (indices rounded as published plus their unrounded values)."""
        return {
            **_outcome_summary(self),
            "resolution": self.resolution,
            "domains": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
            "notes": self.notes_text("en"),
        }


def _domain_vector(
    values: Mapping[Any, Any] | Sequence[Any] | pd.Series | np.ndarray,
    fw: Framework,
    what: str,
    *,
    allow_missing: bool,
) -> np.ndarray:
    numbers = [d.number for d in fw.domains]
    if isinstance(values, Mapping | pd.Series):
        out = np.full(len(numbers), np.nan)
        for k, v in dict(values).items():
            key = str(k).strip().lower().lstrip("d")
            if not key.isdigit() or int(key) not in numbers:
                raise ParameterError.keyed("err.caps.unknown_domain", what=what, key=k)
            out[numbers.index(int(key))] = np.nan if v is None else float(v)
    else:
        seq = list(values)
        if len(seq) != len(numbers):
            raise ParameterError(
                f"{what}: got {len(seq)} values; expected {len(numbers)} (one per domain)"
            )
        try:
            out = np.array([np.nan if v is None else float(v) for v in seq])
        except (TypeError, ValueError):
            raise ParameterError(f"{what}: expected numbers, got {seq!r}") from None
    bad = ~np.isnan(out) & ((out < 0) | (out > fw.scale_max))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ParameterError.keyed(
            "err.caps.domain_range", what=what, n=numbers[k], value=out[k], high=fw.scale_max
        )
    if not allow_missing and np.isnan(out).any():
        k = int(np.flatnonzero(np.isnan(out))[0])
        raise ParameterError(f"{what}: no score for domain {numbers[k]}; every domain needs one")
    return out


def plan_domains(
    domain_scores: Mapping[Any, Any] | Sequence[Any] | pd.Series | np.ndarray,
    target: Target,
    caps: Mapping[Any, Any] | Sequence[Any] | pd.Series | None = None,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    resolution: float = 0.01,
) -> DomainPlan:
    """The smallest total domain increase (in steps of ``resolution``) that reaches ``target``.

    Parameters
    ----------
    domain_scores : the four domain scores (sequence in domain order, or a mapping keyed
        1-4 / "d1"-"d4").
    target : a number in 1-5, ``"next"`` or a predicate name.
    caps : highest score allowed per domain, e.g. the best peer's domain scores (see
        :func:`peer_caps`); a missing or NaN cap means the top of the scale. A cap below the
        current score means that domain is not raised.
    resolution : increase step; 0.01 matches published precision.

    Examples
    --------
    >>> p = plan_domains({"d1": 3.7, "d2": 3.4, "d3": 3.0, "d4": 3.2}, "next", caps=[5, 5, 5, 3.5])
    >>> p.table["increase"].round(2).tolist(), p.reached
    ([0.0, 0.33, 0.0, 0.3], True)
    """
    fw = _framework(framework)
    cur = _domain_vector(domain_scores, fw, "domain_scores", allow_missing=False)
    cap = np.full(len(cur), fw.scale_max)
    if caps is not None:
        c = _domain_vector(caps, fw, "caps", allow_missing=True)
        cap = np.where(np.isnan(c), fw.scale_max, c)
    if not (0 < resolution <= 1):
        raise ParameterError(f"resolution: {resolution:g}; expected a step in (0, 1]")
    notes: list[Note] = []
    below = [d.number for d, cu, ca in zip(fw.domains, cur, cap, strict=True) if ca < cu]
    if below:
        notes.append(("plan_note_domain_caps_below", {"items": ", ".join(map(str, below))}))
    w = [_frac(d.weight_pct) / sum(_frac(x.weight_pct) for x in fw.domains) for d in fw.domains]
    cur_f = [_frac(v) for v in cur]
    step = _frac(resolution)
    room = [max(0, math.floor((_frac(ca) - cu) / step)) for ca, cu in zip(cap, cur_f, strict=True)]
    current_index = sum(wi * ci for wi, ci in zip(w, cur_f, strict=True))
    rt = resolve_target(target, float(current_index), framework=fw)
    add = [0] * len(cur)
    if rt.value is None:
        gap = Fraction(0)
        notes.append(("plan_note_top_band", {}))
    else:
        gap = max(Fraction(0), _frac(rt.value) - current_index)
    max_index = current_index + sum(wi * r * step for wi, r in zip(w, room, strict=True))
    feasible = gap == 0 or max_index >= current_index + gap
    if gap > 0:
        # Every step costs the same: fill the heaviest domain first (exact, see module doc).
        order = sorted(range(len(cur)), key=lambda k: (-w[k], k))
        remaining = gap
        for k in order:
            if remaining <= 0:
                break
            take = min(room[k], math.ceil(remaining / (w[k] * step)))
            add[k] = take
            remaining -= w[k] * step * take
    proposed = [c + a * step for c, a in zip(cur_f, add, strict=True)]
    new_index = sum(wi * p for wi, p in zip(w, proposed, strict=True))
    table = pd.DataFrame(
        {
            "domain": [d.number for d in fw.domains],
            "name": [d.name for d in fw.domains],
            "weight_pct": [d.weight_pct for d in fw.domains],
            "current": cur,
            "cap": cap,
            "proposed": [float(p) for p in proposed],
            "increase": [float(a * step) for a in add],
            "index_gain": [float(wi * a * step) for wi, a in zip(w, add, strict=True)],
        }
    )
    return DomainPlan(
        target=rt.value,
        target_label=rt.label,
        current_index=float(current_index),
        new_index=float(new_index),
        current_predicate=fw.predicate(float(current_index)),
        new_predicate=fw.predicate(float(new_index)),
        reached=rt.value is None or new_index >= _frac(rt.value),
        already_reached=gap == 0,
        feasible=feasible,
        max_index=float(max_index),
        table=table,
        framework=fw.id,
        resolution=resolution,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# Peer caps
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PeerCaps:
    """Domain caps taken from peers' published scores."""

    caps: pd.Series  # d1..d4
    how: CapsHow
    peers: PeerGroup | str
    n_peers: int
    best_peer: str | None  # region code of the best peer ("best" only)
    year: int


def peer_caps(
    region: str,
    *,
    year: int = 2024,
    peers: PeerGroup | Sequence[str] = "province",
    how: CapsHow = "best",
) -> PeerCaps:
    """Domain caps from what peers achieved in ``year`` (published scores).

    Parameters
    ----------
    region : the region planned for (name or code); it is not its own peer.
    peers : ``"province"``, ``"island_group"`` (regions sharing that attribute), ``"all"`` or
        an explicit list of region names/codes.
    how : ``"best"`` = the domain scores of the peer with the highest index; ``"frontier"`` =
        the highest score of any peer in each domain separately.
    """
    from living_lab import datasets
    from living_lab.regions import resolve_region, resolve_regions

    code = resolve_region(region)
    spbe = datasets.load_spbe()
    spbe = spbe[(spbe["year"] == year) & spbe[["d1", "d2", "d3", "d4"]].notna().all(axis=1)]
    if isinstance(peers, str):
        if peers not in ("province", "island_group", "all"):
            raise ParameterError(
                f"peers: {peers!r}; expected 'province', 'island_group', 'all' or a list of regions"
            )
        regions = datasets.load_regions().set_index("region_code")
        if peers == "all":
            pool = spbe
        else:
            same = regions.index[regions[peers] == regions.loc[code, peers]]
            pool = spbe[spbe["region_code"].isin(same)]
    else:
        pool = spbe[spbe["region_code"].isin(resolve_regions(list(peers)))]
    pool = pool[pool["region_code"] != code]
    if pool.empty:
        raise ParameterError(f"peers: no peer of region {code} has published {year} domain scores")
    cols = ["d1", "d2", "d3", "d4"]
    if how == "best":
        best = pool.sort_values(["index", "region_code"], ascending=[False, True]).iloc[0]
        caps = best[cols].astype(float)
        best_code = str(best["region_code"])
    elif how == "frontier":
        caps = pool[cols].astype(float).max()
        best_code = None
    else:
        raise ParameterError(f"how: {how!r}; expected 'best' or 'frontier'")
    return PeerCaps(
        caps=pd.Series(caps.to_numpy(dtype=float), index=cols, name="cap"),
        how=how,
        peers=peers if isinstance(peers, str) else "list",
        n_peers=len(pool),
        best_peer=best_code,
        year=year,
    )


def _short(numbers: Sequence[int]) -> str:
    from living_lab.scoring import _ranges

    return _ranges(numbers)
