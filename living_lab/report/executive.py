"""The one-page executive summary of a region report ("Ringkasan eksekutif").

It reads a :class:`~living_lab.report.sections.RegionReport` (its context slices: the cohort
table row, rank interval, improvement plan ``focus``/``plans``/``partners``, forecast summary and
national targets) and computes no analysis. It is shown first in the region report and prints on
a page of its own (``.ll-exec`` breaks the page after it, see
:data:`living_lab.report.render.PAGE_CSS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML

from living_lab.report.sections import domain_names, esc, missing, signed

if TYPE_CHECKING:
    from living_lab.report.sections import RegionReport

#: Partners named in the summary.
N_PARTNERS = 2


def _rank_span(interval: tuple[int, int]) -> str:
    lo, hi = interval
    return str(lo) if lo == hi else f"{lo}\u2013{hi}"


def _first_step(report: RegionReport) -> pd.Series | None:
    """The first round's first step of the plan (towards the target, else the next predicate)."""
    plans = report.ctx.plans
    if plans is None or plans.empty:
        return None
    rows = plans[plans["region_code"] == report.code]
    for goal in ("target", "next"):
        sel = rows[rows["goal"] == goal].sort_values(["round", "domain"])
        if len(sel):
            return sel.iloc[0]
    return None


def forecast_row(report: RegionReport) -> pd.Series | None:
    """The region's target-year forecast row (``ctx.trend_summary``; None with fewer than two
    evaluations, as section 2)."""
    s = report.ctx.trend_summary
    if s is None or report.code not in s.index or report.n_evaluations < 2:
        return None
    return s.loc[report.code]


def executive_summary(report: RegionReport) -> list[HTML]:
    """The one-page summary for a Bupati's desk (first in the report, a page of its own)."""
    ctx, r, lang = report.ctx, report.row, report.lang
    tt, n = report._t, report._n
    items: list[tuple[str, str]] = []
    if report.evaluated:
        items.append(
            (
                tt("print.exec.index", year=ctx.year),
                f"<b>{n(r['index'])}</b> ({esc(r['predicate'])})",
            )
        )
        rank = esc(tt("print.exec.rank_value", rank=int(r["rank"]), n=int(r["n_ranked"])))
        interval = report.rank_interval
        if interval is not None:
            rank += " " + esc(tt("print.exec.rank_interval", span=_rank_span(interval)))
        items.append((tt("print.exec.rank"), rank))
        if missing(r["change"]):
            items.append((tt("print.exec.change_label"), esc(tt("report.card.change_none"))))
        else:
            items.append(
                (
                    tt("print.exec.change", year=int(r["prev_year"])),
                    esc(
                        tt(
                            "print.exec.change_value",
                            change=signed(r["change"], lang),
                            index=n(r["prev_index"]),
                            year=int(r["prev_year"]),
                        )
                    ),
                )
            )
        names = domain_names(lang)
        items.append(
            (
                tt("print.exec.domains"),
                " · ".join(f"{esc(names[d - 1])} {n(r[f'd{d}'])}" for d in (1, 2, 3, 4)),
            )
        )
    else:
        items.append(
            (
                tt("print.exec.index", year=ctx.year),
                esc(tt("report.card.not_evaluated", year=ctx.year)),
            )
        )
    f = forecast_row(report)
    if f is not None:
        items.append(
            (
                tt("print.exec.forecast", year=ctx.target_year),
                esc(
                    tt(
                        "print.exec.forecast_value",
                        mean=n(f.get("forecast")),
                        lo=n(f.get("lo")),
                        hi=n(f.get("hi")),
                    )
                ),
            )
        )
    if report.plan is not None:
        focus = report.focus_domains
        focus_text = esc(report._domain_list(focus)) if focus else esc(tt("print.exec.no_focus"))
        items.append((tt("print.exec.focus"), focus_text))
        step = _first_step(report)
        if step is not None:
            items.append(
                (
                    tt("print.exec.first_step"),
                    esc(
                        tt(
                            "print.exec.step",
                            round=int(step["round"]),
                            year=int(step["year"]),
                            domain=domain_names(lang)[int(step["domain"]) - 1],
                            current=n(step["current"]),
                            proposed=n(step["proposed"]),
                        )
                    ),
                )
            )
        partners = report.partners
        if partners is not None and len(partners):
            names_ = [
                f"{esc(p['name'])} ({n(p['value'])})"
                for _, p in partners.head(N_PARTNERS).iterrows()
            ]
            items.append((tt("print.exec.partners"), "; ".join(names_)))
        elif partners is not None:
            items.append((tt("print.exec.partners"), esc(tt("print.exec.no_partners"))))
    sy = ctx.outcome_years["stunting_prevalence_pct"]
    py = ctx.outcome_years["poverty_rate_pct"]
    for key, col, ind, year, dec in (
        ("print.exec.stunting", "stunting", "stunting_prevalence_pct", sy, 1),
        ("print.exec.poverty", "poverty", "poverty_rate_pct", py, 2),
    ):
        value = (
            f'<span class="ll-na">{esc(tt("not_available"))}</span>'
            if missing(r[col])
            else f"<b>{n(r[col], dec)}%</b>"
        )
        items.append(
            (
                tt(key, year=year),
                value + '<br><span class="ll-note">' + report._targets_text(ind) + "</span>",
            )
        )
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in items)
    return [
        HTML(
            '<div class="ll ll-exec">'
            f"<h2>{esc(tt('print.exec.heading'))}</h2>"
            f'<table class="ll-t ll-exec-t"><tbody>{body}</tbody></table>'
            f'<p class="ll-note">{esc(tt("print.exec.note"))}</p></div>'
        )
    ]


__all__ = ["executive_summary"]
