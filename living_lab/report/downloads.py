"""A report's numbers as tidy tables, published by the notebook for download.

:func:`numbers_csv` wraps a table as a ``text/csv`` display output: the rendered page does not
show it (:mod:`living_lab.report.render` drops it), and the runner writes it beside the report
(``regions/<code>.csv``; for the cohort overview ``cohort/<stem>.csv`` and ``.xlsx``) and links it
from the page. The tables read the report's context slices and compute nothing.

Every value is rounded to the decimals the page shows it with, so the downloaded numbers equal
the numbers on the page.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import DisplayObject

from living_lab.report.executive import forecast_row
from living_lab.report.sections import domain_names, missing

if TYPE_CHECKING:
    from living_lab.report.sections import CohortReport, RegionReport

#: MIME type of the notebook output that carries a report's downloadable numbers.
CSV_MIME = "text/csv"
#: Columns of :func:`region_numbers` (and of ``regions/<code>.csv``).
COLUMNS = ("section", "item", "year", "value", "text")


class CsvOutput(DisplayObject):
    """A ``text/csv`` display output (kept in the notebook, not shown on the page)."""

    def _repr_mimebundle_(self, include=None, exclude=None):  # noqa: ANN001
        rows = max(0, str(self.data).count("\n") - 1)
        return {CSV_MIME: self.data, "text/plain": f"CSV, {rows} rows"}


def spreadsheet_safe(text: object) -> str:
    """Text for a CSV/XLSX cell that a spreadsheet will not run as a formula.

    Names come from data; one starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
    return) would be a formula in Excel or LibreOffice, so it gets a leading apostrophe.

    >>> spreadsheet_safe("=1+2"), spreadsheet_safe("Kabupaten Bogor")
    ("'=1+2", 'Kabupaten Bogor')
    """
    value = "" if missing(text) else str(text)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _row(section: str, item: str, value: object, decimals: int, year: object = "") -> dict:
    """One row; the value written with the page's decimals (``4.10``, ``.`` as decimal mark)."""
    v = "" if missing(value) else f"{float(value):.{decimals}f}"  # type: ignore[arg-type]
    return {"section": section, "item": item, "year": year, "value": v, "text": ""}


def region_numbers(report: RegionReport) -> pd.DataFrame:
    """The numbers of a region report as tidy rows (``COLUMNS``), rounded as the page shows them.

    Sections: ``index`` (index, predicate, domains), ``rank`` (rank, interval), ``change``,
    ``forecast`` (target year: mean and interval), ``plan`` (focus, rounds of the path to the
    target), ``partners`` (the focus partners), ``outcomes`` (stunting, poverty).
    """
    ctx, r = report.ctx, report.row
    rows: list[dict] = []
    rows.append(_row("index", "index", r["index"], 2, ctx.year))
    rows.append(
        {**_row("index", "predicate", None, 0, ctx.year), "text": spreadsheet_safe(r["predicate"])}
    )
    for d in (1, 2, 3, 4):
        rows.append(_row("index", f"d{d}", r[f"d{d}"], 2, ctx.year))
    if report.evaluated:
        rows.append(_row("rank", "rank", r["rank"], 0, ctx.year))
        rows.append(_row("rank", "n_ranked", r["n_ranked"], 0, ctx.year))
        interval = report.rank_interval
        if interval is not None:
            rows.append(_row("rank", "rank_p05", interval[0], 0, ctx.year))
            rows.append(_row("rank", "rank_p95", interval[1], 0, ctx.year))
        if not missing(r["change"]):
            rows.append(_row("change", "change", r["change"], 2, ctx.year))
            rows.append(_row("change", "previous_index", r["prev_index"], 2, int(r["prev_year"])))
    f = forecast_row(report)
    if f is not None:
        for item, key in (("forecast", "forecast"), ("forecast_lo", "lo"), ("forecast_hi", "hi")):
            rows.append(_row("forecast", item, f.get(key), 2, ctx.target_year))
    for d in report.focus_domains:
        rows.append(
            {
                **_row("plan", "focus_domain", d, 0),
                "text": spreadsheet_safe(domain_names(report.lang)[d - 1]),
            }
        )
    plans = ctx.plans
    if plans is not None and not plans.empty:
        path = plans[(plans["region_code"] == report.code) & (plans["goal"] == "target")]
        for _, s in path.sort_values(["round", "domain"]).iterrows():
            tag = f"round{int(s['round'])}_d{int(s['domain'])}"
            rows.append(_row("plan", f"{tag}_proposed", s["proposed"], 2, int(s["year"])))
            rows.append(_row("plan", f"{tag}_index", s["index"], 3, int(s["year"])))
    p = report.plan
    if p is not None and not missing(p["next_target"]) and p["next_predicate"]:
        rows.append(
            {
                **_row("plan", "next_target", p["next_target"], 2),
                "text": spreadsheet_safe(p["next_predicate"]),
            }
        )
        if bool(p["next_reached"]):
            rows.append(_row("plan", "next_n_rounds", p["next_n_rounds"], 0))
    partners = report.partners
    if partners is not None:
        for _, p in partners.iterrows():
            rows.append(
                {
                    **_row("partners", f"partner{int(p['rank'])}_value", p["value"], 2, ctx.year),
                    "text": f"{p['region_code']} {spreadsheet_safe(p['name'])}",
                }
            )
    sy = ctx.outcome_years["stunting_prevalence_pct"]
    py = ctx.outcome_years["poverty_rate_pct"]
    rows.append(_row("outcomes", "stunting_pct", r["stunting"], 1, sy))
    rows.append(_row("outcomes", "poverty_pct", r["poverty"], 2, py))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def cohort_numbers(report: CohortReport) -> pd.DataFrame:
    """The cohort overview's ranking table (one row per region, as the page shows it)."""
    ctx = report.ctx
    ru = ctx.rank_uncertainty
    table = ctx.table.sort_values(["rank", "name"], na_position="last")
    out = pd.DataFrame(
        {
            "region_code": table.index.astype(str),
            "name": table["name"].map(spreadsheet_safe),
            "rank": table["rank"].astype("Int64"),
            "rank_p05": (ru["rank_p05"].reindex(table.index) if ru is not None else pd.NA),
            "rank_p95": (ru["rank_p95"].reindex(table.index) if ru is not None else pd.NA),
            f"index_{ctx.year}": table["index"].astype(float).round(2),
            "predicate": table["predicate"].map(spreadsheet_safe),
            "change": table["change"].astype(float).round(2),
            **{f"d{d}": table[f"d{d}"].astype(float).round(2) for d in (1, 2, 3, 4)},
            f"stunting_pct_{ctx.outcome_years['stunting_prevalence_pct']}": table["stunting"]
            .astype(float)
            .round(1),
            f"poverty_pct_{ctx.outcome_years['poverty_rate_pct']}": table["poverty"]
            .astype(float)
            .round(2),
        }
    )
    for col in ("rank_p05", "rank_p95"):
        out[col] = out[col].astype("Int64")
    return out.reset_index(drop=True)


def numbers_csv(table: pd.DataFrame) -> CsvOutput:
    """A table as a CSV display output (UTF-8 text, ``.`` as decimal mark, no index)."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n")
    return CsvOutput(data=buf.getvalue())


def csv_to_xlsx(text: str) -> bytes:
    """The same table as an Excel workbook (one sheet; numbers stay numbers)."""
    table = pd.read_csv(io.StringIO(text), dtype={"region_code": str})
    buf = io.BytesIO()
    table.to_excel(buf, index=False, sheet_name="data", engine="openpyxl")
    return buf.getvalue()


__all__ = [
    "COLUMNS",
    "CSV_MIME",
    "cohort_numbers",
    "csv_to_xlsx",
    "numbers_csv",
    "region_numbers",
    "spreadsheet_safe",
]
