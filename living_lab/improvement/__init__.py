"""The improvement-plan model: one coherent plan per region.

:mod:`.model` (peer group, benchmark, focus, path, partners; :func:`improvement_plan`),
:mod:`.feasibility` (how fast a domain can realistically rise, from the data) and :mod:`.path`
(the path by evaluation round). Settings in ``params/improvement.yaml``.
"""

from __future__ import annotations

from living_lab.improvement.feasibility import GainBounds, gain_bounds
from living_lab.improvement.model import RegionPlan, benchmark_table, improvement_plan
from living_lab.improvement.path import FeasiblePath, feasible_path
from living_lab.improvement.tables import PlanTables, plan_tables

__all__ = [
    "FeasiblePath",
    "GainBounds",
    "PlanTables",
    "RegionPlan",
    "benchmark_table",
    "feasible_path",
    "gain_bounds",
    "improvement_plan",
    "plan_tables",
]
