"""One improvement plan per region: peer group, benchmark, focus, feasible path and partners.

Every consumer (the region report's sections 1-4, the cohort overview, ``living-lab plan
--region``, ``living-lab peers``, the explore notebook) reads this model; none re-derives a
part of it. One definition each:

Peer group
    The group the caller names (a report: its cohort; the commands: ``--peers``/``--group``,
    default the region's province). Never the regions that happen to share a batch.
Benchmark
    In each domain, the frontier of the peer group: the 90th percentile of the other members'
    scores (``params/peer_groups.yaml``, :func:`living_lab.peers.frontier_gap`). "Ahead" always
    means ahead of this frontier; the peer named beside it is the best-scoring peer of the domain.
Clear margin
    A gap or a lead counts only beyond :func:`living_lab.peers.partners.clear_lead_margin`: the
    rounding of two published scores plus the measurement noise of two evaluations.
Focus domain(s)
    For each domain, the *realistic index gain* of one round: ``weight * min(gap to the
    frontier, feasibility bound)``, counted only where the gap is beyond the clear margin. The
    focus is the domain with the largest realistic gain; a second domain is named when its gain is
    at least ``second_within`` (0.8) of the first's. No clear gap anywhere: no focus, and every
    section says nothing stands out.
Feasible path
    :func:`~living_lab.improvement.path.feasible_path` to the target and to the next predicate,
    with the focus first, each domain and the index within the bounds the data show
    (:mod:`~living_lab.improvement.feasibility`), caps optional.
Study partners
    :func:`living_lab.peers.study_partners` in the focus domain: peers ahead by more than the
    clear margin, similar on the context both regions have.
Regions with one evaluation
    No trend of their own; ``experience`` is what regions starting at a similar index achieved
    in one round, to be shown as the group's experience.

Examples
--------
>>> p = improvement_plan("3210", group="province", target=3.5, year=2024)
>>> p.focus_domains == tuple(p.benchmark.loc[p.benchmark["focus"], "domain"])
True
>>> p.path.first_domain in (p.focus_domains or (p.path.first_domain,))
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.improvement.feasibility import GainBounds, gain_bounds
from living_lab.improvement.path import FeasiblePath, feasible_path
from living_lab.improvement.settings import load_settings
from living_lab.peers import data, resolve_group
from living_lab.peers.config import FrontierMethod
from living_lab.peers.frontier import domain_rows
from living_lab.peers.groups import PeerGroup
from living_lab.peers.partners import PartnerResult, clear_lead_margin, study_partners
from living_lab.planner import Target

FocusReason = Literal["largest_realistic_gain", "nothing_stands_out"]
#: Partners are searched among every evaluated kabupaten/kota, this many listed.
PARTNER_GROUP = "all"
PARTNER_COUNT = 5


@dataclass(frozen=True, eq=False)
class RegionPlan:
    """The improvement plan of one region (see the module docstring for each definition).

    Attributes
    ----------
    region_code, name, year : the region and the evaluation year planned from.
    group : the resolved peer group.
    published_index : the published index of ``year``; ``path.current_index`` is the index
        recomputed from the (rounded) published domains and may differ by up to 0.008.
    n_evaluations : evaluations of the region up to ``year``.
    benchmark : one row per domain: domain, weight, value, frontier, gap, margin, clear, bound
        (one round's feasibility bound at the current level), realistic_gain, best_peer,
        best_value, n_peers, focus (bool), focus_rank (1, 2 or NA); focus domains first, then
        by realistic gain.
    focus_domains, focus_reason : the focus (domain numbers; empty when nothing stands out).
    path, next_path : feasible paths to the target and to the next predicate band.
    partners : study partners in the first focus domain (None when there is no focus).
    experience : for a region with a single evaluation, what regions starting at a similar index
        achieved in one round (``n``, ``median``, ``p10``, ``p90``, band ``lo``-``hi``).
    bounds : the feasibility bounds used.
    """

    region_code: str
    name: str
    year: int
    group: PeerGroup
    published_index: float
    n_evaluations: int
    benchmark: pd.DataFrame
    focus_domains: tuple[int, ...]
    focus_reason: FocusReason
    path: FeasiblePath
    next_path: FeasiblePath
    partners: PartnerResult | None
    experience: pd.Series | None
    bounds: GainBounds

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        """Plain-Python form for JSON output."""
        return {
            "region_code": self.region_code,
            "name": self.name,
            "year": self.year,
            "peer_group": self.group.name,
            "peer_group_label": self.group.label(lang),  # type: ignore[arg-type]
            "published_index": self.published_index,
            "recomputed_index": self.path.current_index,
            "n_evaluations": self.n_evaluations,
            "focus_domains": list(self.focus_domains),
            "focus_reason": self.focus_reason,
            "benchmark": [
                {k: data.plain(v) for k, v in row.items()}
                for row in self.benchmark.to_dict("records")
            ],
            **self.path.to_dict(),
            "next_predicate": self.next_path.to_dict(),
            "feasibility": {
                "from_year": self.bounds.from_year,
                "to_year": self.bounds.to_year,
                "quantile": self.bounds.quantile,
                "n_regions": self.bounds.n_regions,
            },
            "experience": None
            if self.experience is None
            else {k: data.plain(v) for k, v in self.experience.items()},
        }


@cache
def _clear_margins() -> dict[int, float]:
    """:func:`clear_lead_margin` of each domain, once per process (it depends only on the
    cached framework and the trend model's noise constant)."""
    return {d.number: clear_lead_margin(d.number) for d in load_framework().domains}


def benchmark_table(
    code: str, group: str, year: int, bounds: GainBounds, frontier: FrontierMethod | None = None
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """The benchmark of each domain and the focus domain(s) (see the module docstring);
    ``frontier`` overrides the benchmark rule of ``params/peer_groups.yaml``."""
    fw = load_framework()
    # The frontier rows in domain order, computed on plain values: a cohort plans every region,
    # and a handful of small pandas operations per region used to dominate the cohort's cost.
    rows, _, method, _, _ = domain_rows(code, group=group, year=year, frontier=frontier)
    rows = sorted(rows, key=lambda r: r["domain"])
    margins = _clear_margins()
    domain = np.array([r["domain"] for r in rows], dtype=np.int64)
    weight = np.array([r["weight"] for r in rows], dtype=float)
    value = np.array([r["value"] for r in rows], dtype=float)
    gap = np.array([r["gap"] for r in rows], dtype=float)
    margin = np.array([margins[int(d)] for d in domain], dtype=float)
    clear = gap > margin + 1e-9
    bound = np.array([bounds.bound(int(d), float(v)) for d, v in zip(domain, value, strict=True)])
    realistic_gain = np.where(clear, weight * np.minimum(gap, bound), 0.0)
    # Focus: clear gaps with a positive realistic gain, by gain (ties: lower score, then domain).
    ranked = sorted(
        (k for k in range(len(rows)) if clear[k] and realistic_gain[k] > 0),
        key=lambda k: (-realistic_gain[k], value[k], domain[k]),
    )
    focus: list[int] = []
    if ranked:
        focus.append(int(domain[ranked[0]]))
        within = load_settings().second_within
        if len(ranked) > 1 and realistic_gain[ranked[1]] >= within * realistic_gain[ranked[0]]:
            focus.append(int(domain[ranked[1]]))
    is_focus = np.isin(domain, focus)

    def order_key(k: int) -> tuple[Any, ...]:
        # Focus domains first in focus order, then by realistic gain (missing last), then domain.
        rg = realistic_gain[k]
        gain = (1, 0.0) if np.isnan(rg) else (0, -rg)
        return (not is_focus[k], focus.index(domain[k]) if is_focus[k] else 0, gain, domain[k])

    order = sorted(range(len(rows)), key=order_key)
    out = pd.DataFrame(
        {
            "domain": domain[order],
            "weight": weight[order],
            "value": value[order],
            "frontier": np.array([rows[k]["frontier"] for k in order], dtype=float),
            "gap": gap[order],
            "margin": margin[order],
            "clear": clear[order],
            "bound": bound[order],
            "realistic_gain": realistic_gain[order],
            "best_peer": [rows[k]["best_peer"] for k in order],
            "best_value": np.array([rows[k]["best_value"] for k in order], dtype=float),
            "n_peers": np.array([rows[k]["n_peers"] for k in order], dtype=np.int64),
            "focus": is_focus[order],
            "focus_rank": pd.array(
                [focus.index(domain[k]) + 1 if is_focus[k] else pd.NA for k in order],
                dtype="Int64",
            ),
        }
    )
    out.attrs = {
        "frontier": method,
        "group": group,
        "year": year,
        "framework": fw.id,
    }
    return out, tuple(focus)


def improvement_plan(
    region: str | int,
    *,
    group: str = "province",
    target: Target = 3.5,
    year: int | None = None,
    caps: Mapping[Any, Any] | Sequence[Any] | pd.Series | None = None,
    partners: bool = True,
    bounds: GainBounds | None = None,
    frontier: FrontierMethod | None = None,
) -> RegionPlan:
    """The improvement plan of ``region`` among ``group`` towards ``target``.

    Parameters
    ----------
    region : BPS code or name, evaluated in ``year``.
    group : peer group (:func:`living_lab.peers.available_groups`; a cohort as ``cohort:<name>``).
    target : a number 1-5, ``"next"`` or a predicate name.
    year : evaluation year planned from (default: the latest).
    caps : highest score per domain for the path (e.g. ``--caps``).
    partners : search study partners (the slowest part; off for a path-only question).
    bounds : feasibility bounds (default: from the bundled data).
    frontier : benchmark rule (``"p90"``, ``"top3"``, ``"max"``; default ``params/peer_groups.yaml``).
    """
    year = data.check_year(year)
    code = data.evaluated_region(region, year)
    grp = resolve_group(code, group, year=year)
    if len(grp.members) < 2:
        raise ParameterError(
            f"group: {code}'s group {group!r} has no other region evaluated in {year}; "
            "choose a wider group"
        )
    bounds = bounds or gain_bounds()
    fw = load_framework()
    sc = data.scores(year).loc[code]
    scores = [float(sc[c]) for c in fw.domain_columns]
    bench, focus = benchmark_table(code, group, year, bounds, frontier)
    path = feasible_path(
        scores, target, bounds=bounds, first_year=year + 1, caps=caps, priority=focus
    )
    next_path = feasible_path(
        scores, "next", bounds=bounds, first_year=year + 1, caps=caps, priority=focus
    )
    pr = None
    if partners and focus:
        pr = study_partners(code, domain=focus[0], group=PARTNER_GROUP, year=year, n=PARTNER_COUNT)
    n_eval = len([y for y in data.region_years(code) if y <= year])
    experience = bounds.experience(float(sc["index"])) if n_eval == 1 else None
    return RegionPlan(
        region_code=code,
        name=str(sc["name"]),
        year=year,
        group=grp,
        published_index=float(sc["index"]),
        n_evaluations=n_eval,
        benchmark=bench,
        focus_domains=focus,
        focus_reason="largest_realistic_gain" if focus else "nothing_stands_out",
        path=path,
        next_path=next_path,
        partners=pr,
        experience=experience,
        bounds=bounds,
    )
