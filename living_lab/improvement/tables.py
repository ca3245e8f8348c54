"""The improvement plans of many regions as tidy tables (what a cohort context carries).

:func:`plan_tables` runs :func:`~living_lab.improvement.model.improvement_plan` once per region
and stacks its parts, so every report of a batch slices the same plans instead of computing
its own. :func:`region_plan_rows` turns one plan into the same rows, which is how a test
checks that a report, ``living-lab plan --region`` and the library agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from living_lab import datasets
from living_lab.improvement.feasibility import GainBounds, gain_bounds
from living_lab.improvement.model import RegionPlan, improvement_plan
from living_lab.peers.partners import PartnerResult
from living_lab.planner import Target
from living_lab.text import Lang

#: Columns of :attr:`PlanTables.summary` (index ``region_code``).
SUMMARY_COLUMNS = (
    "focus_1",
    "focus_2",
    "focus_reason",
    "published_index",
    "recomputed_index",
    "n_evaluations",
    "target",
    "n_rounds",
    "reached",
    "new_index",
    "first_domain",
    "next_target",
    "next_predicate",
    "next_n_rounds",
    "next_reached",
    "partners_status",
    "partners_domain",
    "partners_n_ahead",
    "partners_min_lead",
    "partners_value",
    "partners_features",
    "partners_notes_id",
    "partners_notes_en",
    "experience_n",
    "experience_median",
    "experience_p10",
    "experience_p90",
    "experience_lo",
    "experience_hi",
)


@dataclass(frozen=True)
class PlanTables:
    """Plans of many regions, stacked.

    Attributes
    ----------
    summary : one row per region (index ``region_code``), :data:`SUMMARY_COLUMNS`.
    benchmark : :attr:`RegionPlan.benchmark` rows with ``region_code``, ``order`` (0 first) and
        ``best_peer_name``.
    paths : path rows (:meth:`FeasiblePath.table`) with ``region_code`` and ``goal``
        (``"target"`` or ``"next"``).
    partners : partner rows (:attr:`PartnerResult.table`, the partner's code as
        ``partner_code``) with the planned region's ``region_code`` and ``rank``.
    bounds : the feasibility bounds used (domain rows, then index rows with ``domain`` 0), with
        the years compared (``from_year``, ``to_year``) and the ``quantile``.
    """

    summary: pd.DataFrame
    benchmark: pd.DataFrame
    paths: pd.DataFrame
    partners: pd.DataFrame
    bounds: pd.DataFrame


def _region_names() -> pd.Series:
    return datasets.load_regions().set_index("region_code")["name"]


def _notes(pr: PartnerResult, lang: Lang) -> str:
    """The partner search's caveats in ``lang``, one per line."""
    return "\n".join(dict.fromkeys(n.text(lang) for n in (*pr.group.notes, *pr.notes)))


def _summary_row(p: RegionPlan) -> dict[str, object]:
    focus = list(p.focus_domains) + [pd.NA, pd.NA]
    exp = p.experience
    pr = p.partners
    return {
        "region_code": p.region_code,
        "focus_1": focus[0],
        "focus_2": focus[1],
        "focus_reason": p.focus_reason,
        "published_index": p.published_index,
        "recomputed_index": p.path.current_index,
        "n_evaluations": p.n_evaluations,
        "target": p.path.target.value,
        "n_rounds": p.path.n_rounds,
        "reached": p.path.reached,
        "new_index": p.path.new_index,
        "first_domain": p.path.first_domain if p.path.first_domain is not None else pd.NA,
        "next_target": p.next_path.target.value,
        "next_predicate": p.next_path.target.predicate or "",
        "next_n_rounds": p.next_path.n_rounds,
        "next_reached": p.next_path.reached,
        "partners_status": pr.status if pr is not None else "no_focus",
        "partners_domain": pr.domain if pr is not None else pd.NA,
        "partners_n_ahead": pr.n_ahead if pr is not None else 0,
        "partners_min_lead": pr.min_lead if pr is not None else float("nan"),
        "partners_value": pr.value if pr is not None else float("nan"),
        # Features as "name" or "name:year", comma-separated (tidy, and round-trips as text).
        "partners_features": ""
        if pr is None
        else ",".join(
            f + (f":{pr.feature_years[f]}" if f in pr.feature_years else "")
            for f in pr.features_used
        ),
        "partners_notes_id": "" if pr is None else _notes(pr, "id"),
        "partners_notes_en": "" if pr is None else _notes(pr, "en"),
        "experience_n": int(exp["n"]) if exp is not None else pd.NA,
        "experience_median": float(exp["median"]) if exp is not None else float("nan"),
        "experience_p10": float(exp["p10"]) if exp is not None else float("nan"),
        "experience_p90": float(exp["p90"]) if exp is not None else float("nan"),
        "experience_lo": float(exp["lo"]) if exp is not None else float("nan"),
        "experience_hi": float(exp["hi"]) if exp is not None else float("nan"),
    }


def region_plan_rows(
    p: RegionPlan, names: pd.Series | None = None
) -> tuple[dict[str, object], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One plan as its summary row and its benchmark, path and partner rows (``names``: region
    names by code, read from the registry when not given)."""
    if names is None:
        names = _region_names()
    bench = p.benchmark.copy()
    bench.insert(0, "region_code", p.region_code)
    bench.insert(1, "order", range(len(bench)))
    bench["best_peer_name"] = bench["best_peer"].map(names)
    paths = []
    for goal, path in (("target", p.path), ("next", p.next_path)):
        t = path.table()
        t.insert(0, "region_code", p.region_code)
        t.insert(1, "goal", goal)
        paths.append(t)
    partners = pd.DataFrame()
    if p.partners is not None and len(p.partners.table):
        partners = p.partners.table.rename(columns={"region_code": "partner_code"})
        partners.insert(0, "region_code", p.region_code)
        partners.insert(1, "rank", range(1, len(partners) + 1))
    return _summary_row(p), bench, pd.concat(paths, ignore_index=True), partners


def bounds_table(bounds: GainBounds) -> pd.DataFrame:
    """Domain and index bounds in one table (index rows have ``domain`` 0)."""
    out = pd.concat([bounds.table, bounds.index_table], ignore_index=True)
    out["from_year"] = bounds.from_year
    out["to_year"] = bounds.to_year
    out["quantile"] = bounds.quantile
    out.attrs = {
        "from_year": bounds.from_year,
        "to_year": bounds.to_year,
        "n_regions": bounds.n_regions,
        "quantile": bounds.quantile,
    }
    return out


def plan_tables(codes: Sequence[str], *, group: str, year: int, target: Target) -> PlanTables:
    """The plans of ``codes`` (each evaluated in ``year``) among ``group``, stacked."""
    bounds = gain_bounds()
    names = _region_names()
    rows, benches, paths, partners = [], [], [], []
    for code in codes:
        p = improvement_plan(code, group=group, target=target, year=year, bounds=bounds)
        row, b, pa, pr = region_plan_rows(p, names)
        rows.append(row)
        benches.append(b)
        paths.append(pa)
        if len(pr):
            partners.append(pr)
    summary = pd.DataFrame(rows, columns=["region_code", *SUMMARY_COLUMNS]).set_index("region_code")
    for col in ("focus_1", "focus_2", "first_domain", "partners_domain", "experience_n"):
        summary[col] = summary[col].astype("Int64")
    bench = pd.concat(benches, ignore_index=True) if benches else pd.DataFrame()
    bench.attrs = {"group": group, "year": year}
    return PlanTables(
        summary=summary,
        benchmark=bench,
        paths=pd.concat([p for p in paths if len(p)], ignore_index=True)
        if any(len(p) for p in paths)
        else paths[0]
        if paths
        else pd.DataFrame(),
        partners=pd.concat(partners, ignore_index=True) if partners else pd.DataFrame(),
        bounds=bounds_table(bounds),
    )
