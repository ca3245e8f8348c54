"""Building blocks of the reports: headings, summary cards, narrative sentences, tables, figures.

A notebook cell shows one section: ``display(*report.summary())``. Each section returns a list
of displayable objects (HTML fragments and PNG images), so the executed notebook keeps figures
as ``image/png`` outputs and the text as ``text/html``. Every value that comes from data (names,
sources, notes) is HTML-escaped here; every string shown to the reader comes from
``living_lab/locales/<lang>/report.yml``. Numbers use the decimal comma in Bahasa Indonesia.

Examples
--------
>>> from living_lab.results.context import build_context
>>> report = RegionReport.of(build_context("jawa-barat", 2024, 3.5, 2025), "Sumedang", "en")
>>> "4.51" in report.summary()[1].data
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML, Image

from living_lab.escape import html_text
from living_lab.framework import load_framework
from living_lab.plots import report as plots
from living_lab.plots import style
from living_lab.results.context import TREND_INDICATORS, CohortContext, LinkFit, LinkModel
from living_lab.text import Lang, number, probability, t

Displayable = HTML | Image


#: Scoped styles of the report fragments; shown once, in the header, so the fragments also look
#: right inside JupyterLab (the rendered HTML page adds its own page styles around them).
FRAGMENT_CSS = """
<style>
.ll{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#222;line-height:1.5}
.ll h1{font-size:1.7em;margin:.2em 0 .1em}.ll h2{font-size:1.3em;margin:1.2em 0 .4em;border-bottom:2px solid #eee;padding-bottom:.2em}
.ll .ll-sub{color:#555;margin:0 0 .6em}.ll .ll-cards{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0}
.ll .ll-card{flex:1 1 150px;border:1px solid #ddd;border-radius:8px;padding:10px 12px;background:#fafafa}
.ll .ll-card .k{font-size:.8em;color:#555;text-transform:uppercase;letter-spacing:.03em}
.ll .ll-card .v{font-size:1.7em;font-weight:700;margin:.1em 0}.ll .ll-card .s{font-size:.85em;color:#444}
.ll .ll-good{color:#0072b2}.ll .ll-bad{color:#b34700}.ll .ll-lede{font-size:1.08em;max-width:60em}
.ll table.ll-t{border-collapse:collapse;margin:.5em 0;font-size:.92em}
.ll table.ll-t th,.ll table.ll-t td{border-bottom:1px solid #e3e3e3;padding:4px 10px;text-align:left;vertical-align:top}
.ll table.ll-t th{background:#f3f3f3}.ll table.ll-t td.n{text-align:right;font-variant-numeric:tabular-nums}
.ll .ll-note{color:#555;font-size:.88em;max-width:60em}.ll .ll-na{color:#b03a2e;font-style:italic}
.ll .ll-pred{display:inline-block;padding:0 .5em;border-radius:4px;font-weight:600;white-space:nowrap}
.ll .ll-scroll{overflow-x:auto;max-width:100%}.ll td.nw{white-space:nowrap}
.ll details summary{cursor:pointer;color:#1d5fa7;margin:.4em 0}
</style>
"""


# --------------------------------------------------------------------------------------------
# Formatting helpers


def esc(value: object) -> str:
    """HTML-escape any value (quotes too); see :func:`living_lab.escape.html_text`."""
    return html_text(value)


def mpl_text(value: object) -> str:
    """Text safe for matplotlib labels (a ``$`` in a name must not start math mode)."""
    return str(value).replace("$", r"\$")


def missing(value: object) -> bool:
    """True for None, NaN and pandas NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def num(value: object, lang: Lang, decimals: int = 2) -> str:
    """A number in the language's format, or the "not available" text."""
    if missing(value):
        return t("not_available", lang)
    return number(float(value), lang, decimals)  # type: ignore[arg-type]


def signed(value: object, lang: Lang, decimals: int = 2) -> str:
    """A change with its sign (+0,37 / −0,12)."""
    if missing(value):
        return t("not_available", lang)
    return number(float(value), lang, decimals, sign=True)  # type: ignore[arg-type]


def _predicate_badge(predicate: object) -> str:
    if missing(predicate):
        return ""
    fw = load_framework()
    colours = {p.name: c for p, c in zip(fw.predicates, style.BANDS, strict=True)}
    bg = colours.get(str(predicate), "#eee")
    return f'<span class="ll-pred" style="background:{bg}">{esc(predicate)}</span>'


def _html(body: str) -> HTML:
    return HTML(f'<div class="ll">{body}</div>')


def _heading(key: str, lang: Lang) -> HTML:
    return _html(f"<h2>{esc(t(key, lang))}</h2>")


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{text}</p>' if cls else f"<p>{text}</p>"


def _figure(png: bytes, alt: str) -> Image:
    return Image(data=png, format="png", alt=alt)


def _table(headers: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """An HTML table; each cell is (html, css class). Headers are escaped here."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in row) + "</tr>" for row in rows
    )
    return (
        f'<div class="ll-scroll"><table class="ll-t"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def sensitivity_html(
    cells: pd.DataFrame, assumptions: pd.DataFrame | None, intro: str, lang: Lang
) -> str:
    """A noise x common-shock grid (rows x columns) of pre-formatted ``text`` cells, with the
    note on the two assumptions (the main figures' values and the shock SD's 95% interval)."""
    commons = sorted(cells["common_sd"].unique())
    noises = sorted(cells["noise_sd"].unique())
    by = cells.set_index(["noise_sd", "common_sd"])["text"]
    headers = [t("report.sens.corner", lang), *[num(c, lang) for c in commons]]
    rows = [
        [(esc(num(nz, lang)), "n"), *[(esc(by.get((nz, c), "–")), "n") for c in commons]]
        for nz in noises
    ]
    note = ""
    if assumptions is not None and len(assumptions):
        a = assumptions.set_index("name")
        note = t(
            "report.sens.note",
            lang,
            noise=num(a.loc["noise_sd", "value"], lang),
            common=num(a.loc["common_sd", "value"], lang),
            lo=num(a.loc["common_sd", "lo95"], lang),
            hi=num(a.loc["common_sd", "hi95"], lang),
            n_nat=int(a.loc["common_sd", "df"]) + 2,
        )
    return (
        f"<h3>{esc(t('report.sens.h', lang))}</h3>"
        + _p(esc(intro))
        + _table(headers, rows)
        + (_p(esc(note), "ll-note") if note else "")
    )


def thousands(value: object, lang: Lang) -> str:
    """A whole number with the language's thousands separator (19.994 / 19,994)."""
    if missing(value):
        return t("not_available", lang)
    return number(float(value), lang, 0, group=True)  # type: ignore[arg-type]


def domain_names(lang: Lang) -> list[str]:
    """Domain names in ``lang`` (from the locale file, numbered as in the framework)."""
    return [t(f"report.domain.{d.number}", lang) for d in load_framework().domains]


# --------------------------------------------------------------------------------------------
# Region report


class _Localised:
    """Text and number formatting in the report's language (shared by both report types)."""

    lang: Lang

    def _t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def _n(self, value: object, decimals: int = 2) -> str:
        return num(value, self.lang, decimals)


@dataclass(frozen=True)
class RegionReport(_Localised):
    """The sections of one region's report, sliced from a cohort context."""

    ctx: CohortContext
    code: str
    lang: Lang

    @classmethod
    def of(cls, ctx: CohortContext, region: str | int, lang: Lang = "id") -> RegionReport:
        """Resolve ``region`` (name or code) within the context's cohort."""
        from living_lab.results.context import validate_args

        validate_args(ctx.cohort, ctx.year, ctx.target, ctx.target_year, lang=lang)
        return cls(ctx, ctx.require_region(region), lang)

    # -- data slices ---------------------------------------------------------------------

    @cached_property
    def row(self) -> pd.Series:
        return self.ctx.table.loc[self.code]

    @property
    def name(self) -> str:
        return str(self.row["name"])

    @property
    def evaluated(self) -> bool:
        return not missing(self.row["index"])

    @cached_property
    def series(self) -> pd.DataFrame:
        s = self.ctx.spbe[self.ctx.spbe["region_code"] == self.code]
        s = s[s["year"] <= self.ctx.year]
        return s[["year", "index", "d1", "d2", "d3", "d4", "predicate"]].reset_index(drop=True)

    @property
    def rank_interval(self) -> tuple[int, int] | None:
        """5-95 % rank interval from the Monte Carlo of ``living_lab.peers`` (None without it)."""
        ru = self.ctx.rank_uncertainty
        if ru is None or self.code not in ru.index:
            return None
        r = ru.loc[self.code]
        return int(r["rank_p05"]), int(r["rank_p95"])

    @cached_property
    def plan(self) -> pd.Series | None:
        """The region's improvement plan summary (``ctx.focus`` row; None when not evaluated)."""
        f = self.ctx.focus
        return f.loc[self.code] if f is not None and self.code in f.index else None

    @property
    def focus_domains(self) -> tuple[int, ...]:
        """The plan's focus domain(s), the one focus every section is about (may be empty)."""
        p = self.plan
        if p is None:
            return ()
        return tuple(int(p[c]) for c in ("focus_1", "focus_2") if not missing(p[c]))

    @cached_property
    def benchmark(self) -> pd.DataFrame | None:
        """The region's benchmark rows (``ctx.frontier``), focus first."""
        fr = self.ctx.frontier
        if fr is None or fr.empty:
            return None
        rows = fr[fr["region_code"] == self.code]
        return rows.sort_values("order").reset_index(drop=True) if len(rows) else None

    def _peer_group_label(self) -> str:
        return self.ctx.group_labels.get(f"lever:{self.lang}", "")

    def _domain_list(self, domains: Sequence[int]) -> str:
        names = domain_names(self.lang)
        return self._t("report.focus.and").join(names[d - 1] for d in domains)

    def focus_text(self) -> str:
        """One sentence naming the focus and why (or that nothing stands out); every section
        that speaks of a focus uses it, so they cannot disagree."""
        bench = self.benchmark
        if self.plan is None or bench is None:
            return ""
        if not self.focus_domains:
            return self._t("report.focus.none", name=esc(self.name))
        top = bench[bench["domain"] == self.focus_domains[0]].iloc[0]
        return self._t(
            "report.focus.named" if len(self.focus_domains) == 1 else "report.focus.named_two",
            domains=f"<b>{esc(self._domain_list(self.focus_domains))}</b>",
            n=len(self.focus_domains),
            gain=signed(top["realistic_gain"], self.lang, 3),
            value=self._n(top["value"]),
            frontier=self._n(top["frontier"]),
        )

    # -- sections ------------------------------------------------------------------------

    def header(self) -> list[Displayable]:
        """Title, what the report covers, and the page styles."""
        ctx = self.ctx
        sub = self._t(
            "report.subtitle",
            year=ctx.year,
            cohort=esc(ctx.title(self.lang)),
            n=len(ctx.regions),
            target=self._n(ctx.target),
            target_year=ctx.target_year,
        )
        group = ""
        if self.benchmark is not None:
            group = (
                '<p class="ll-sub">'
                + esc(
                    self._t(
                        "report.peer_group",
                        group=self._peer_group_label(),
                        n=int(self.benchmark["n_peers"].max()),
                        year=ctx.year,
                    )
                )
                + "</p>"
            )
        return [
            HTML(
                FRAGMENT_CSS
                + '<div class="ll">'
                + f"<h1>{esc(self._t('report.title', name=self.name))}</h1>"
                + f'<p class="ll-sub">{sub}</p>{group}</div>'
            )
        ]

    def summary(self) -> list[Displayable]:
        """Section 1: the numbers a reviewer reads in 30 seconds."""
        return [
            _heading("report.h.summary", self.lang),
            _html(self._cards() + self._lede()),
            _html(self._outcome_table()),
        ]

    def _cards(self) -> str:
        ctx, r = self.ctx, self.row
        cards = []
        if self.evaluated:
            cards.append(
                (
                    self._t("report.card.index", year=ctx.year),
                    self._n(r["index"]),
                    _predicate_badge(r["predicate"]),
                )
            )
            prev = ""
            if not missing(r["prev_rank"]):
                prev = esc(
                    self._t(
                        "report.card.rank_prev", year=r["prev_rank_year"], rank=int(r["prev_rank"])
                    )
                )
            interval = self.rank_interval
            if interval is not None:
                span = (
                    str(interval[0])
                    if interval[0] == interval[1]
                    else f"{interval[0]}\u2013{interval[1]}"
                )
                prev = esc(self._t("report.card.rank_interval", span=span)) + (
                    "<br>" + prev if prev else ""
                )
            cards.append(
                (
                    self._t("report.card.rank"),
                    esc(
                        self._t("report.card.rank_value", rank=int(r["rank"]), n=int(r["n_ranked"]))
                    ),
                    prev,
                )
            )
            if missing(r["change"]):
                cards.append(
                    (
                        self._t("report.card.change_label"),
                        "\u2013",
                        esc(self._t("report.card.change_none")),
                    )
                )
            else:
                cls = "ll-good" if r["change"] > 0 else "ll-bad" if r["change"] < 0 else ""
                cards.append(
                    (
                        self._t("report.card.change", year=int(r["prev_year"])),
                        f'<span class="{cls}">{signed(r["change"], self.lang)}</span>',
                        esc(
                            self._t(
                                "report.card.change_from",
                                year=int(r["prev_year"]),
                                index=self._n(r["prev_index"]),
                            )
                        ),
                    )
                )
            gap = float(r["gap"])
            if gap <= 0:
                value = f'<span class="ll-good">\u2713 {esc(self._t("report.card.reached"))}</span>'
                sub = esc(self._t("report.card.gap_past", gap=self._n(-gap)))
            else:
                value = f'<span class="ll-bad">{self._n(gap)}</span>'
                sub = esc(
                    self._t("report.card.gap_short", gap=self._n(gap), target_year=ctx.target_year)
                )
            cards.append((self._t("report.card.gap", target=self._n(ctx.target)), value, sub))
        else:
            latest = ""
            if not missing(r["latest_year"]):
                latest = esc(
                    self._t(
                        "report.card.latest",
                        year=int(r["latest_year"]),
                        index=self._n(r["latest_index"]),
                        predicate=r["latest_predicate"],
                    )
                )
            cards.append(
                (
                    self._t("report.card.index", year=ctx.year),
                    f'<span class="ll-na">{esc(self._t("not_available"))}</span>',
                    esc(self._t("report.card.not_evaluated", year=ctx.year)) + "<br>" + latest
                    if latest
                    else esc(self._t("report.card.never")),
                )
            )
        body = "".join(
            f'<div class="ll-card"><div class="k">{esc(k)}</div><div class="v">{v}</div>'
            f'<div class="s">{s}</div></div>'
            for k, v, s in cards
        )
        return f'<div class="ll-cards">{body}</div>'

    def _lede(self) -> str:
        ctx, r = self.ctx, self.row
        name = esc(self.name)
        parts = []
        if self.evaluated:
            parts.append(
                self._t(
                    "report.lede.main",
                    name=name,
                    index=self._n(r["index"]),
                    predicate=esc(r["predicate"]),
                    year=ctx.year,
                    rank=int(r["rank"]),
                    n=int(r["n_ranked"]),
                    cohort=esc(ctx.title(self.lang)),
                )
            )
            interval = self.rank_interval
            if interval is not None and interval[0] != interval[1]:
                parts.append(
                    self._t(
                        "report.lede.rank_interval",
                        lo=interval[0],
                        hi=interval[1],
                        varied=esc(self.ctx.rank_varied.get(self.lang, "")),
                    )
                )
            if not missing(r["change"]):
                key = (
                    "report.lede.up"
                    if r["change"] > 0
                    else "report.lede.down"
                    if r["change"] < 0
                    else "report.lede.flat"
                )
                parts.append(
                    self._t(key, change=self._n(abs(r["change"])), prev_year=int(r["prev_year"]))
                )
            if r["gap"] <= 0:
                parts.append(self._t("report.lede.past", target=self._n(ctx.target)))
            else:
                parts.append(
                    self._t(
                        "report.lede.short",
                        gap=self._n(r["gap"]),
                        target=self._n(ctx.target),
                        target_year=ctx.target_year,
                    )
                )
            parts.append(self.focus_text())
        elif not missing(r["latest_year"]):
            parts.append(
                self._t(
                    "report.lede.not_evaluated",
                    name=name,
                    year=ctx.year,
                    latest_year=int(r["latest_year"]),
                    index=self._n(r["latest_index"]),
                    predicate=esc(r["latest_predicate"]),
                )
            )
        else:
            parts.append(self._t("report.lede.never", name=name))
        return _p(" ".join(parts), "ll-lede")

    def _targets_text(self, indicator: str) -> str:
        nt = self.ctx.national_targets
        items = []
        for _, tr in nt[nt["indicator"] == indicator].sort_values("year").iterrows():
            value = (
                f"{self._n(tr['low'], 1)}\u2013{self._n(tr['value'], 1)}"
                if not missing(tr["low"])
                else self._n(tr["value"], 1)
            )
            items.append(
                self._t(
                    "report.out.target_item",
                    value=value,
                    year=int(tr["year"]),
                    regulation=esc(tr["regulation"].split(";")[0]),
                )
            )
        return "<br>".join(items) if items else esc(self._t("not_available"))

    def _value_or_na(self, value: object, decimals: int, note: str = "") -> tuple[str, str]:
        if missing(value):
            text = esc(self._t("not_available")) + (f" ({esc(note)})" if note else "")
            return f'<span class="ll-na">{text}</span>', ""
        return self._n(value, decimals), "n"

    def _outcome_table(self) -> str:
        ctx, r, tab = self.ctx, self.row, self.ctx.table
        sy = ctx.outcome_years["stunting_prevalence_pct"]
        py = ctx.outcome_years["poverty_rate_pct"]
        stunting_note = self._t("report.out.low_conf") if r.get("stunting_low_conf") else ""
        rows = [
            [
                (esc(self._t("report.out.stunting", year=sy)), ""),
                self._value_or_na(r["stunting"], 1, stunting_note),
                (self._n(tab["stunting"].median(), 1), "n"),
                (self._targets_text("stunting_prevalence_pct"), ""),
            ],
            [
                (esc(self._t("report.out.poverty", year=py)), ""),
                self._value_or_na(r["poverty"], 2),
                (self._n(tab["poverty"].median(), 2), "n"),
                (self._targets_text("poverty_rate_pct"), ""),
            ],
            [
                (
                    esc(self._t("report.out.poverty_change", base=ctx.poverty_base_year, year=py)),
                    "",
                ),
                (signed(r["poverty_change"], self.lang), "n")
                if not missing(r["poverty_change"])
                else self._value_or_na(None, 2),
                (signed(tab["poverty_change"].median(), self.lang), "n"),
                ("", ""),
            ],
        ]
        headers = [
            self._t("report.out.indicator"),
            self.name,
            self._t("report.out.median"),
            self._t("report.out.national_target"),
        ]
        caption = _p(esc(self._t("report.out.caption")), "ll-note")
        return f"<h3>{esc(self._t('report.out.heading'))}</h3>" + _table(headers, rows) + caption

    # -- section 2 ------------------------------------------------------------------------

    def trajectory(self) -> list[Displayable]:
        """Section 2: the index by year, the cohort median, the forecast and the target."""
        ctx = self.ctx
        out: list[Displayable] = [_heading("report.h.trajectory", self.lang)]
        series = self.series[["year", "index"]]
        counts = ctx.spbe.groupby("year")["index"].agg(["median", "count"])
        counts = counts[counts["count"] >= 0.5 * len(ctx.regions)]
        median = counts["median"].rename("index").reset_index()
        forecast = None
        # One evaluation is no trend: the pooled model's line would be the group's slope shown
        # as the region's own, so none is drawn (the text gives the group's experience instead).
        if ctx.forecasts is not None and self.n_evaluations >= 2:
            forecast = ctx.forecasts[ctx.forecasts["region_code"] == self.code]
            forecast = forecast[forecast["year"] > (series["year"].max() if len(series) else 0)]
        first = int(series["year"].min()) if len(series) else ctx.year
        labels = {
            "title": mpl_text(
                self._t("report.traj.title", name=self.name, first=first, last=ctx.target_year)
            ),
            "x": self._t("report.traj.x"),
            "y": self._t("report.traj.y"),
            "region": self._t("report.fig.this_region"),
            "median": self._t("report.traj.median"),
            "national": self._t("report.traj.national"),
            "forecast": self._t("report.traj.forecast"),
            "interval": self._t("report.traj.interval"),
            "target": self._t("report.traj.target", target=self._n(ctx.target)),
        }
        if len(series):
            png = plots.trajectory_png(
                series,
                cohort_median=median,
                national=ctx.national_spbe[["year", "index"]],
                forecast=forecast if forecast is not None and len(forecast) else None,
                target=ctx.target,
                target_year=ctx.target_year,
                years=sorted({int(y) for y in ctx.spbe["year"]}),
                labels=labels,
                lang=self.lang,
            )
            out.append(_figure(png, self.alt_headline()))
        out.append(_html(self._trajectory_text(series, forecast)))
        sens = self._forecast_sensitivity()
        if sens:
            out.append(_html(sens))
        return out

    def _forecast_sensitivity(self) -> str:
        """The region's target-year forecast under the grid of noise and common-shock SDs."""
        ctx = self.ctx
        ts = ctx.trend_sensitivity
        if ts is None or self.code not in set(ts["region_code"]):
            return ""
        cells = ts[ts["region_code"] == self.code].copy()
        cells["text"] = [
            f"{self._n(r.forecast)} ({self._n(r.lo)}\u2013{self._n(r.hi)}); {probability(r.p_reach)}"
            for r in cells.itertuples()
        ]
        intro = self._t(
            "report.sens.region_intro", year=ctx.target_year, target=self._n(ctx.target)
        )
        return sensitivity_html(cells, ctx.trend_assumptions, intro, self.lang)

    def _trajectory_text(self, series: pd.DataFrame, forecast: pd.DataFrame | None) -> str:
        ctx = self.ctx
        s = series.dropna()
        parts = []
        if len(s) >= 2:
            a, b = s.iloc[0], s.iloc[-1]
            key = "report.traj.rise" if b["index"] > a["index"] else "report.traj.fall"
            if b["index"] == a["index"]:
                key = "report.traj.same"
            parts.append(
                self._t(
                    key,
                    first=self._n(a["index"]),
                    first_year=int(a["year"]),
                    last=self._n(b["index"]),
                    last_year=int(b["year"]),
                    n=len(s),
                )
            )
        elif len(s) == 1:
            parts.append(self._t("report.traj.one", year=int(s.iloc[0]["year"])))
            parts.append(self._experience_text(float(s.iloc[0]["index"])))
            return _p(" ".join(p for p in parts if p))
        else:
            parts.append(self._t("report.traj.none"))
        summary = ctx.trend_summary
        if (
            forecast is not None
            and len(forecast)
            and summary is not None
            and self.code in summary.index
        ):
            parts.append(self._forecast_sentence(summary.loc[self.code]))
        else:
            parts.append(self._t("report.traj.no_forecast"))
        return _p(" ".join(parts))

    @property
    def n_evaluations(self) -> int:
        """Evaluations of the region up to the report's year."""
        return int(self.series["index"].notna().sum())

    def _experience_text(self, index: float) -> str:
        """What regions starting at a similar index achieved in one round, labelled as the
        group's experience (a region with one evaluation has no trend of its own)."""
        fe = self.ctx.feasibility
        if fe is None or fe.empty:
            return self._t("report.traj.no_forecast")
        rows = fe[fe["domain"] == 0].sort_values("band")
        k = int(np.searchsorted(rows["lo"].to_numpy(float), index, side="right")) - 1
        r = rows.iloc[min(max(k, 0), len(rows) - 1)]
        return self._t(
            "report.traj.experience",
            name=esc(self.name),
            n=int(r["n"]),
            lo=self._n(r["lo"], 0),
            hi=self._n(r["hi"], 0),
            from_year=int(r["from_year"]),
            to_year=int(r["to_year"]),
            median=signed(r["median"], self.lang),
            p10=signed(r["p10"], self.lang),
            p90=signed(r["p90"], self.lang),
        )

    def _forecast_sentence(self, srow: pd.Series) -> str:
        ctx = self.ctx
        p = srow.get("p_reach")
        text = self._t(
            "report.traj.forecast_text",
            target_year=ctx.target_year,
            mean=self._n(srow.get("forecast")),
            lo=self._n(srow.get("lo")),
            hi=self._n(srow.get("hi")),
            level=int(round(100 * float(srow.get("level", 0.8)))),
            target=self._n(ctx.target),
            p=probability(float(p)) if not missing(p) else self._t("not_available"),
        )
        status = str(srow.get("status", ""))
        if status in ("by_target_year", "after_target_year") and not missing(
            srow.get("expected_year")
        ):
            text += " " + self._t(
                "report.traj.expected_year",
                target=self._n(ctx.target),
                year=int(srow["expected_year"]),
            )
        elif status == "beyond_horizon":
            text += " " + self._t(
                "report.traj.beyond", target=self._n(ctx.target), horizon=int(srow["horizon"])
            )
        return text

    # -- section 3 ------------------------------------------------------------------------

    def domains(self) -> list[Displayable]:
        """Section 3: domain scores against the cohort median and the benchmark; the feasible
        path to the target, focus first."""
        ctx = self.ctx
        out: list[Displayable] = [_heading("report.h.domains", self.lang)]
        if not self.evaluated:
            out.append(
                _html(
                    _p(
                        f'<span class="ll-na">{esc(self._t("report.dom.none", year=ctx.year))}</span>'
                    )
                )
            )
            return out
        dom, labels = self.domain_profile()
        png = plots.domain_profile_png(dom, target=ctx.target, labels=labels, lang=self.lang)
        out.append(_figure(png, self._alt_domains(dom)))
        text = _p(self.focus_text() + " " + esc(self._t("report.dom.benchmark_note")))
        out.append(_html(text + self._plan_html()))
        return out

    def domain_profile(
        self, focus: Collection[int] | None = None
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        """The domain profile figure's rows (``label``, ``region``, ``median``, ``best``, one per
        domain) and texts.

        A domain's label carries the focus mark when it is one of ``focus`` (default: this
        region's focus domains). The labels belong to the figure's cohort-wide layer, so each set
        of focus domains has a layer of its own (the fork server draws them all:
        :func:`living_lab.report.warmup.warm_up`).
        """
        ctx, r = self.ctx, self.row
        bench = self.benchmark
        frontier = (
            bench.set_index("domain")["frontier"] if bench is not None else pd.Series(dtype=float)
        )
        names = domain_names(self.lang)
        marked = set(self.focus_domains if focus is None else focus)
        rows = []
        for d, label in zip(load_framework().domains, names, strict=True):
            col = f"d{d.number}"
            mark = " " + self._t("report.dom.focus_mark") if d.number in marked else ""
            rows.append(
                {
                    "label": f"{label} ({self._n(d.weight_pct, 1)}%){mark}",
                    "region": r[col],
                    "median": ctx.table[col].median(),
                    "best": frontier.get(d.number, np.nan),
                }
            )
        labels = {
            "title": mpl_text(self._t("report.dom.title", name=self.name, year=ctx.year)),
            "x": self._t("report.dom.x"),
            "region": self._t("report.fig.this_region"),
            "median": self._t("report.dom.median"),
            "best": mpl_text(self._t("report.dom.benchmark")),
            "target": self._t("report.dom.target", target=self._n(ctx.target)),
        }
        return pd.DataFrame(rows), labels

    def _path(self, goal: str) -> pd.DataFrame:
        plans = self.ctx.plans
        if plans is None or plans.empty:
            return pd.DataFrame()
        sel = plans[(plans["region_code"] == self.code) & (plans["goal"] == goal)]
        return sel.reset_index(drop=True)

    def _plan_html(self) -> str:
        """The feasible path by evaluation round (from ``ctx.plans``), and the next predicate."""
        ctx, p = self.ctx, self.plan
        head = f"<h3>{esc(self._t('report.plan.heading', target=self._n(ctx.target)))}</h3>"
        if p is None:
            return head + _p(f'<span class="ll-na">{esc(self._t("not_available"))}</span>')
        names = domain_names(self.lang)
        parts = []
        path = self._path("target")
        if self.row["gap"] <= 0 or path.empty and bool(p["reached"]):
            parts.append(_p(esc(self._t("report.plan.reached", target=self._n(ctx.target)))))
        else:
            first, last = int(path["year"].min()), int(path["year"].max())
            period = str(first) if first == last else f"{first}\u2013{last}"
            key = "report.plan.rounds" if bool(p["reached"]) else "report.plan.rounds_short"
            parts.append(
                _p(
                    self._t(
                        key,
                        n=int(p["n_rounds"]),
                        period=period,
                        target=self._n(ctx.target),
                        domain=esc(names[int(p["first_domain"]) - 1]),
                        new_index=self._n(p["new_index"]),
                    )
                )
            )
            parts.append(self._path_table(path))
        if not missing(p["next_target"]) and p["next_predicate"]:
            nxt = self._path("next")
            parts.append(
                _p(
                    esc(
                        self._t(
                            "report.plan.next",
                            predicate=p["next_predicate"],
                            target=self._n(p["next_target"]),
                            n=int(p["next_n_rounds"]),
                        )
                        if bool(p["next_reached"]) and len(nxt)
                        else self._t(
                            "report.plan.next_short",
                            predicate=p["next_predicate"],
                            target=self._n(p["next_target"]),
                        )
                    )
                )
            )
        parts.append(_p(esc(self._feasibility_note()), "ll-note"))
        return head + "".join(parts)

    def _path_table(self, path: pd.DataFrame) -> str:
        names = domain_names(self.lang)
        focus = set(self.focus_domains)
        rows = []
        for _, s in path.iterrows():
            label = esc(names[int(s["domain"]) - 1])
            rows.append(
                [
                    (f"{int(s['round'])} ({int(s['year'])})", "nw"),
                    (f"<b>{label}</b>" if int(s["domain"]) in focus else label, ""),
                    (self._n(s["current"]), "n"),
                    (self._n(s["proposed"]), "n"),
                    (signed(s["increase"], self.lang), "n"),
                    (self._n(s["bound"]), "n"),
                    (self._n(s["index"], 3), "n"),
                ]
            )
        headers = [
            self._t("report.plan.round"),
            self._t("report.plan.domain"),
            self._t("report.plan.current"),
            self._t("report.plan.new"),
            self._t("report.plan.raise"),
            self._t("report.plan.bound"),
            self._t("report.plan.index_after"),
        ]
        return _table(headers, rows)

    def _feasibility_note(self) -> str:
        fe = self.ctx.feasibility
        if fe is None or fe.empty:
            return ""
        r = fe.iloc[0]
        return self._t(
            "report.plan.feasibility_note",
            q=int(round(100 * float(r["quantile"]))),
            from_year=int(r["from_year"]),
            to_year=int(r["to_year"]),
        )

    # -- section 4 ------------------------------------------------------------------------

    def learning(self) -> list[Displayable]:
        """Section 4: the benchmark per domain, the focus and study-visit partners in it."""
        out: list[Displayable] = [_heading("report.h.learning", self.lang)]
        if not self.evaluated:
            text = self._t("report.learn.not_evaluated", year=self.ctx.year)
            out.append(_html(_p(f'<span class="ll-na">{esc(text)}</span>')))
            return out
        if self.benchmark is None or self.plan is None:
            text = self._t("report.learn.no_module")
            out.append(_html(_p(f'<span class="ll-na">{esc(text)}</span>')))
            return out
        out.append(_html(self._lever_html() + self._partners_html()))
        return out

    def _lever_html(self) -> str:
        fg = self.benchmark
        assert fg is not None  # learning() checks
        names = domain_names(self.lang)
        method = self._t(f"peers_frontier_method_{self.ctx.frontier.attrs.get('frontier', 'p90')}")
        rows = []
        for _, r in fg.iterrows():
            label = esc(names[int(r["domain"]) - 1])
            rows.append(
                [
                    (f"<b>{label}</b>" if bool(r["focus"]) else label, ""),
                    (self._n(100 * r["weight"], 1) + "%", "n"),
                    (self._n(r["value"]), "n"),
                    (self._n(r["frontier"]), "n"),
                    (self._n(r["gap"]), "n"),
                    (
                        esc(
                            self._t(
                                "report.learn.clear_yes" if r["clear"] else "report.learn.clear_no"
                            )
                        ),
                        "",
                    ),
                    (self._n(r["bound"]), "n"),
                    (
                        signed(r["realistic_gain"], self.lang, 3)
                        if r["realistic_gain"] > 0
                        else "\u2013",
                        "n",
                    ),
                    (
                        f"{esc(r['best_peer_name'])} ({self._n(r['best_value'])})"
                        if not missing(r["best_peer"])
                        else esc(self._t("not_available")),
                        "",
                    ),
                ]
            )
        headers = [
            self._t("report.plan.domain"),
            self._t("report.plan.weight"),
            self._t("report.learn.col_value", year=self.ctx.year),
            self._t("report.learn.col_frontier"),
            self._t("report.learn.col_gap"),
            self._t("report.learn.col_clear"),
            self._t("report.plan.bound"),
            self._t("report.learn.col_gain"),
            self._t("report.learn.col_best"),
        ]
        note = self._t(
            "report.learn.lever_note",
            method=method,
            group=self._peer_group_label(),
            year=self.ctx.year,
            n=int(fg["n_peers"].max()),
            margin=self._n(float(fg["margin"].min())),
        )
        return (
            f"<h3>{esc(self._t('report.learn.lever_heading'))}</h3>"
            + _p(self.focus_text())
            + _table(headers, rows)
            + _p(esc(note), "ll-note")
        )

    @cached_property
    def partners(self) -> pd.DataFrame | None:
        """Study-visit partners of the plan's focus (``ctx.partners`` rows, the partner's code as
        ``region_code``; empty when none leads clearly); None when there is no plan or focus."""
        p = self.plan
        if p is None or p["partners_status"] == "no_focus":
            return None
        pa = self.ctx.partners
        if pa is None or pa.empty:
            return pd.DataFrame(columns=["region_code", "name", "province"])
        table = pa[pa["region_code"] == self.code].sort_values("rank")
        return table.drop(columns=["region_code"]).rename(columns={"partner_code": "region_code"})

    def _partners_html(self) -> str:
        """Study-visit partners in the focus domain, read from ``ctx.partners``."""
        p = self.plan
        assert p is not None
        heading = f"<h3>{esc(self._t('report.learn.partners_heading'))}</h3>"
        if p["partners_status"] == "no_focus":
            return heading + _p(esc(self._t("report.learn.no_focus", name=self.name)))
        table = self.partners
        assert table is not None
        features = [f.partition(":") for f in str(p["partners_features"]).split(",") if f]
        return partners_fragment(
            table,
            lang=self.lang,
            code=self.code,
            name=self.name,
            domain=int(p["partners_domain"]),
            value=float(p["partners_value"]),
            min_lead=float(p["partners_min_lead"]),
            n_ahead=int(p["partners_n_ahead"]),
            year=self.ctx.year,
            group_label=self.ctx.group_labels.get(f"partner:{self.lang}", ""),
            features=[(f, int(y) if y else None) for f, _, y in features],
            notes=[n for n in str(p[f"partners_notes_{self.lang}"]).split("\n") if n],
        )

    # -- section 5 ------------------------------------------------------------------------

    def alt_headline(self) -> str:
        """The region's finding in one line, the alt text of its figures (not their title):
        "Indeks Kabupaten Sumedang 4,51 (Memuaskan), peringkat 2 dari 27"."""
        ctx, r = self.ctx, self.row
        if missing(r["index"]):
            if missing(r["latest_year"]):
                return self._t("report.alt.never", name=self.name)
            return self._t(
                "report.alt.not_evaluated",
                name=self.name,
                year=ctx.year,
                latest_year=int(r["latest_year"]),
                index=self._n(r["latest_index"]),
                predicate=r["latest_predicate"],
            )
        return self._t(
            "report.alt.headline",
            name=self.name,
            year=ctx.year,
            index=self._n(r["index"]),
            predicate=r["predicate"],
            rank=int(r["rank"]),
            n=int(r["n_ranked"]),
        )

    def _alt_domains(self, dom: pd.DataFrame) -> str:
        """Alt text of the domain profile: the lowest and the highest domain against the median."""
        known = dom.dropna(subset=["region"])
        if known.empty:
            return self.alt_headline()
        low = known.loc[known["region"].astype(float).idxmin()]
        high = known.loc[known["region"].astype(float).idxmax()]
        return self._t(
            "report.alt.domains",
            name=self.name,
            low=low["label"],
            low_value=self._n(low["region"]),
            low_median=self._n(low["median"]),
            high=high["label"],
            high_value=self._n(high["region"]),
        )

    def _alt_outcomes(self, stunting_year: int, poverty_year: int) -> str:
        """Alt text of the outcomes figure: the region's two values and the cohort medians."""
        r, tab = self.row, self.ctx.table
        na = self._t("not_available")

        def pct(value: object, decimals: int = 1) -> str:
            return na if missing(value) else f"{self._n(value, decimals)}%"

        return self._t(
            "report.alt.outcomes",
            name=self.name,
            stunting=pct(r["stunting"]),
            stunting_median=pct(tab["stunting"].median()),
            stunting_year=stunting_year,
            poverty=pct(r["poverty"], 2),
            poverty_median=pct(tab["poverty"].median(), 2),
            poverty_year=poverty_year,
        )

    def outcomes(self) -> list[Displayable]:
        """Section 5: stunting and poverty against the cohort and the national targets."""
        ctx, r, tab = self.ctx, self.row, self.ctx.table
        out: list[Displayable] = [_heading("report.h.outcomes", self.lang)]
        sy = ctx.outcome_years["stunting_prevalence_pct"]
        py = ctx.outcome_years["poverty_rate_pct"]
        nt = ctx.national_targets

        def targets(indicator: str) -> list[tuple[float, str]]:
            sel = nt[nt["indicator"] == indicator].sort_values("year")
            return [
                (
                    float(x["value"]),
                    self._t(
                        "report.outc.target",
                        value=(
                            f"{self._n(x['low'], 1)}\u2013{self._n(x['value'], 1)}"
                            if not missing(x["low"])
                            else self._n(x["value"], 1)
                        ),
                        year=int(x["year"]),
                    ),
                )
                for _, x in sel.iterrows()
            ]

        panels = [
            {
                "values": tab["stunting"],
                "focus": None if missing(r["stunting"]) else float(r["stunting"]),
                "targets": targets("stunting_prevalence_pct"),
                "title": self._t("report.outc.stunting_title", year=sy),
                "x": self._t("report.outc.stunting_x"),
                "decimals": 1,
            },
            {
                "values": tab["poverty"],
                "focus": None if missing(r["poverty"]) else float(r["poverty"]),
                "targets": targets("poverty_rate_pct"),
                "title": self._t("report.outc.poverty_title", year=py),
                "x": self._t("report.outc.poverty_x"),
                "decimals": 2,
            },
        ]
        labels = {
            "title": mpl_text(
                self._t("report.outc.title", name=self.name, cohort=ctx.title(self.lang))
            ),
            "peers": self._t("report.outc.peers", n=len(ctx.regions)),
            "median": self._t("report.outc.median"),
            "region": self._t("report.fig.this_region"),
            "missing": mpl_text(self._t("report.outc.missing", name=self.name)),
        }
        png = plots.outcomes_png(panels, labels=labels, lang=self.lang)
        out.append(_figure(png, self._alt_outcomes(sy, py)))
        out.append(_html(self._outcome_text(sy, py)))
        trends = self.outcome_trends_html()
        if trends:
            out.append(_html(trends))
        return out

    def outcome_trends_html(self) -> str:
        """The region's outcome series over time (from ``ctx.outcome_trends``; '' if none).

        One row per series, each measured one way: poverty (BPS P0, March), stunting from the
        national surveys (each year names its survey: SSGI or SKI) and, separately, the
        district's e-PPGBM census, which is never joined to the survey figures.
        """
        tr = self.ctx.outcome_trends
        if tr is None or tr.empty:
            return ""
        mine = tr[tr["region_code"] == self.code]
        if mine.empty:
            return ""
        rows = []
        for indicator in TREND_INDICATORS:
            g = mine[mine["indicator"] == indicator].sort_values("year")
            if g.empty:
                continue
            decimals = 2 if indicator == "poverty_rate_pct" else 1
            # Survey stunting names its survey per year (SSGI or SKI); the others are one kind.
            named = indicator == "stunting_prevalence_pct"
            points = " \u00b7 ".join(
                esc(f"{int(y)}{f' {m}' if named and isinstance(m, str) else ''}: ")
                + esc(self._n(v, decimals))
                + "%"
                for y, v, m in zip(g["year"], g["value"], g["measure"], strict=True)
            )
            change = self._t(
                "report.trend.change",
                change=signed(float(g["value"].iloc[-1] - g["value"].iloc[0]), self.lang, decimals),
                first=int(g["year"].iloc[0]),
                last=int(g["year"].iloc[-1]),
            )
            label = self._t(f"report.trend.{indicator}")
            rows.append([(esc(label), ""), (points, ""), (esc(change), "nw")])
        notes = ["report.trend.note"]
        if mine["indicator"].str.startswith("stunting").any():
            notes.append("report.trend.note_stunting")
        headers = [
            self._t("report.trend.col_series"),
            self._t("report.trend.col_values"),
            self._t("report.trend.col_change"),
        ]
        return (
            f"<h3>{esc(self._t('report.trend.heading', name=self.name))}</h3>"
            + _table(headers, rows)
            + _p(esc(" ".join(self._t(k) for k in notes)), "ll-note")
        )

    def _compare(self, value: float, ref: float) -> str:
        if value > ref:
            return self._t("report.cmp.above")
        if value < ref:
            return self._t("report.cmp.below")
        return self._t("report.cmp.equal")

    def _outcome_text(self, sy: int, py: int) -> str:
        ctx, r = self.ctx, self.row
        name = esc(self.name)
        parts = []
        nt = ctx.national_targets
        st = nt[(nt["indicator"] == "stunting_prevalence_pct")].sort_values("year")
        if missing(r["stunting"]):
            parts.append(self._t("report.outc.stunting_na", name=name, year=sy))
        else:
            med = float(ctx.cohort_stats.loc["stunting", "median"])
            text = self._t(
                "report.outc.stunting_text",
                name=name,
                value=self._n(r["stunting"], 1),
                year=sy,
                cmp=self._compare(float(r["stunting"]), med),
                median=self._n(med, 1),
            )
            if len(st):
                tgt = st.iloc[0]
                text += " " + self._t(
                    "report.outc.vs_target",
                    cmp=self._compare(float(r["stunting"]), float(tgt["value"])),
                    target=self._n(tgt["value"], 1),
                    target_year=int(tgt["year"]),
                    regulation=esc(str(tgt["regulation"]).split(";")[0]),
                )
            parts.append(text)
        if missing(r["poverty"]):
            parts.append(self._t("report.outc.poverty_na", name=name, year=py))
        else:
            med = float(ctx.cohort_stats.loc["poverty", "median"])
            text = self._t(
                "report.outc.poverty_text",
                value=self._n(r["poverty"], 2),
                year=py,
                cmp=self._compare(float(r["poverty"]), med),
                median=self._n(med, 2),
            )
            if not missing(r["poverty_change"]):
                text += " " + self._t(
                    "report.outc.poverty_change",
                    change=signed(r["poverty_change"], self.lang),
                    base_year=ctx.poverty_base_year,
                    median_change=signed(
                        ctx.cohort_stats.loc["poverty_change", "median"], self.lang
                    ),
                )
            parts.append(text)
        return _p(" ".join(parts)) + _p(esc(self._t("report.outc.note")), "ll-note")

    # -- section 6 ------------------------------------------------------------------------

    def relation(self) -> list[Displayable]:
        """Section 6: where the region sits in the nationwide SPBE-outcome relation."""
        ctx = self.ctx
        out: list[Displayable] = [_heading("report.h.relation", self.lang)]
        rel = ctx.relation
        panels = []
        texts = []
        adjusted_any = False
        for outcome, col in [
            ("stunting_prevalence_pct", "stunting"),
            ("poverty_rate_pct", "poverty"),
        ]:
            link = ctx.links.get(outcome)
            spbe_year = link.spbe_year if link else ctx.year
            xcol = f"index_{spbe_year}"
            data = rel[[xcol, col, "in_cohort"]].rename(columns={xcol: "index", col: "value"})
            data = data.dropna()
            focus = None
            if self.code in data.index:
                focus = (float(data.loc[self.code, "index"]), float(data.loc[self.code, "value"]))
            panels.append(
                {
                    "data": data,
                    "focus": focus,
                    "line": link.line if link else None,
                    "target": ctx.target,
                    "title": self._t(
                        f"report.rel.{col}_title",
                        year=ctx.outcome_years[outcome],
                        spbe_year=spbe_year,
                    ),
                    "x": self._t("report.rel.x", year=spbe_year),
                    "y": self._t(f"report.rel.{col}_y"),
                }
            )
            texts.append(self._relation_text(outcome, col, link, focus, spbe_year))
            adjusted = self._adjusted_panel(outcome, col, data["in_cohort"])
            if adjusted is not None:  # the adjusted relation is the one the text reports
                panels[-1].update(adjusted)
                adjusted_any = True
        labels = {
            "title": self._t("report.rel.title"),
            "x": self._t("report.rel.x", year=ctx.year),
            "others": self._t("report.rel.others"),
            "cohort": mpl_text(self._t("report.rel.cohort", cohort=ctx.title(self.lang))),
            "region": self._t("report.fig.this_region"),
            "fit": self._t("report.rel.fit_adjusted" if adjusted_any else "report.rel.fit"),
            "target": self._t("report.traj.target", target=self._n(ctx.target)),
        }
        png = plots.relation_png(panels, labels=labels, lang=self.lang)
        out.append(_figure(png, self._t("report.alt.relation", headline=self.alt_headline())))
        caveats = [m.caveat[self.lang] for m in ctx.models.values()]
        caveat = caveats[0] if caveats else self._t("report.rel.caveat")
        out.append(
            _html(
                "".join(texts)
                + _p(esc(caveat), "ll-note")
                + _p(esc(self._t("report.rel.not_rating")), "ll-note")
            )
        )
        return out

    def _adjusted_panel(
        self, outcome: str, col: str, in_cohort: pd.Series
    ) -> dict[str, object] | None:
        """The panel's data, line and axis labels in added-variable coordinates (the adjusted
        relation the text reports), or None without the linkage model."""
        ctx = self.ctx
        pr, pl = ctx.partial_relation, ctx.partial_lines
        if pr is None or pl is None or outcome not in set(pr["outcome"]):
            return None
        pts = pr[pr["outcome"] == outcome].set_index("region_code")
        data = pd.DataFrame(
            {
                "index": pts["x"],
                "value": pts["y"],
                "in_cohort": in_cohort.reindex(pts.index).fillna(False).astype(bool),
            }
        )
        focus = None
        if self.code in data.index:
            focus = (float(data.loc[self.code, "index"]), float(data.loc[self.code, "value"]))
        line = pl[pl["outcome"] == outcome][["x", "fit", "lo", "hi"]].reset_index(drop=True)
        return {
            "data": data,
            "focus": focus,
            "line": line,
            "target": None,
            "x": self._t("report.rel.x_adjusted", year=ctx.models[outcome].spbe_year),
            "y": self._t(f"report.rel.{col}_y_adjusted"),
        }

    def _relation_text(
        self,
        outcome: str,
        col: str,
        link: LinkFit | None,
        focus: tuple[float, float] | None,
        spbe_year: int,
    ) -> str:
        name = esc(self.name)
        what = self._t(f"report.rel.{col}_name")
        head = f"<b>{esc(self._t(f'report.rel.{col}_head'))}.</b> "
        model = self.ctx.models.get(outcome)
        parts = []
        if model is not None:
            parts.append(esc(model.summary[self.lang]))
            parts.append(self._model_position(model, name))
        if link is None:
            parts.append(self._t("report.rel.no_fit", what=what))
            return _p(head + " ".join(parts))
        parts.append(
            self._t(
                "report.rel.slope" if model is None else "report.rel.line_adjusted",
                coef=signed(model.coef, self.lang) if model is not None else "",
                ci_lo=self._n(model.ci_low) if model is not None else "",
                ci_hi=self._n(model.ci_high) if model is not None else "",
                n=link.n,
                what=what,
                year=spbe_year,
                slope=signed(link.slope, self.lang),
                lo=self._n(link.slope_lo),
                hi=self._n(link.slope_hi),
                r=self._n(link.r),
            )
        )
        if model is None:
            if focus is None:
                parts.append(self._t("report.rel.not_placed", name=name, what=what, year=spbe_year))
            else:
                fit = link.intercept + link.slope * focus[0]
                diff = focus[1] - fit
                parts.append(
                    self._t(
                        "report.rel.above" if diff > 0 else "report.rel.below",
                        name=name,
                        value=self._n(focus[1], 1),
                        diff=self._n(abs(diff), 1),
                        fit=self._n(fit, 1),
                    )
                )
        return _p(head + " ".join(parts))

    def _model_position(self, model: LinkModel, name: str) -> str:
        """The region's actual value against the model's expectation (leave-one-out)."""
        pos = model.positions
        if self.code not in pos.index or pos.loc[self.code, "status"] != "ok":
            note = pos.loc[self.code, f"note_{self.lang}"] if self.code in pos.index else ""
            return self._t("report.rel.model_na", name=name, reason=esc(note))
        r = pos.loc[self.code]
        inside = float(r["lo"]) <= float(r["actual"]) <= float(r["hi"])
        return (
            self._t(
                "report.rel.model_position",
                name=name,
                actual=self._n(r["actual"], 1),
                expected=self._n(r["expected"], 1),
                level=int(round(100 * model.level)),
                lo=self._n(r["lo"], 1),
                hi=self._n(r["hi"], 1),
                residual=signed(r["residual"], self.lang, 1),
                rank=int(r["residual_rank"]),
                n=int(r["n"]),
            )
            + " "
            + self._position_sentence(str(r.get("position") or ""), inside)
        )

    def _position_sentence(self, where: str, inside: bool) -> str:
        """The sentence for ``position`` of ``linkage.positions`` (outside, extreme, notable,
        ordinary); a table without it falls back to inside/outside the interval."""
        where = where or ("ordinary" if inside else "outside")
        pct = 0
        if where in ("extreme", "notable"):
            pct = round(100 * self.ctx.linkage_shares[where])
        return self._t(_REL_POSITION_KEYS[where], pct=pct)

    # -- section 7 ------------------------------------------------------------------------

    def notes(self) -> list[Displayable]:
        """Section 7: sources, method and limits."""
        return [_heading("report.h.notes", self.lang), _html(notes_html(self.ctx, self.lang))]

    # -- locator map (living_lab.plots.maps) ---------------------------------------------

    def locator(self) -> list[Displayable]:
        """Locator map: the region within its province, its study-visit partners there marked.

        Partners are this report's :attr:`partners` (the same ones section 4 lists); those in
        other provinces are named under the map.
        """
        from living_lab.plots import maps

        pr = self.partners
        table = pr if pr is not None else pd.DataFrame()
        codes = [str(c) for c in table.get("region_code", [])]
        province = str(self.row["province"])
        labels = {
            "title": mpl_text(self._t("maps.locator.title", name=self.name, province=province)),
            "region": mpl_text(self._t("maps.locator.region", name=self.name)),
            "partner": self._t("maps.locator.partner"),
        }
        png = maps.locator_png(
            self.code, codes, labels=labels, attribution=self._t("maps.attribution")
        )
        out: list[Displayable] = [_figure(png, self._t("maps.locator.alt", name=self.name))]
        if len(table):
            elsewhere = table.loc[table["province"].astype(str) != province, "name"]
            if len(elsewhere):
                names = ", ".join(str(n) for n in elsewhere)
                text = self._t("maps.locator.partners_elsewhere", names=names)
                out.append(_html(_p(esc(text), "ll-note")))
        elif pr is not None:
            out.append(_html(_p(esc(self._t("maps.locator.no_partners")), "ll-note")))
        return out


#: Sentence on where a region falls in the adjusted model (``position`` of linkage.positions).
_REL_POSITION_KEYS = {
    "outside": "report.rel.outside",
    "extreme": "report.rel.inside_extreme",
    "notable": "report.rel.inside_notable",
    "ordinary": "report.rel.inside",
}


def partners_fragment(
    tb: pd.DataFrame,
    *,
    lang: Lang,
    code: str,
    name: str,
    domain: int,
    value: float,
    min_lead: float,
    n_ahead: int,
    year: int,
    group_label: str,
    features: Sequence[tuple[str, int | None]],
    notes: Sequence[str],
) -> str:
    """Study-visit partners as an HTML fragment: heading, the rule, the partners table (how far
    ahead each is, and its context distance or "similarity unknown" with the reason) or an
    explicit "none found", and the search's caveats. Every value from the data is escaped."""

    def tr(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    domain_name = domain_names(lang)[domain - 1]
    feature_text = ", ".join(tr(f"peers_feature_{f}") + (f" {y}" if y else "") for f, y in features)
    intro = tr(
        "report.learn.partners_intro",
        domain=esc(domain_name),
        name=esc(name),
        value=num(value, lang),
        lead=num(min_lead, lang),
        group=esc(group_label),
        features=esc(feature_text),
    )
    body = _p(intro)
    if tb.empty:
        text = tr(
            "report.learn.none_found",
            domain=domain_name,
            group=group_label,
            lead=num(min_lead, lang),
            year=year,
        )
        hint = tr("report.learn.none_found_hint", code=code)
        body += _p(f'<span class="ll-na">{esc(text)}</span> {esc(hint)}')
    else:
        body += _p(esc(tr("report.learn.partners_count", n_ahead=n_ahead, k=len(tb))))
        rows = []
        for _, r in tb.iterrows():
            if missing(r["previous_year"]):
                change = (esc(tr("report.learn.no_previous")), "")
            else:
                change = (
                    esc(
                        tr(
                            "report.learn.change_since",
                            change=signed(r["change"], lang),
                            year=int(r["previous_year"]),
                        )
                    ),
                    "n",
                )
            index_change = (
                f" ({signed(r['index_change'], lang)})" if not missing(r["index_change"]) else ""
            )
            if missing(r["distance"]):
                reason = str(r.get("unknown_reason", "")) or "candidate_missing"
                distance = (f'<span class="ll-na">{esc(tr(f"peers_unknown_{reason}"))}</span>', "")
            else:
                distance = (num(r["distance"], lang), "n")
            row = [
                (f"{esc(r['name'])} ({esc(r['region_code'])})", "nw"),
                (esc(r["province"]), ""),
                (num(r["value"], lang), "n"),
                (signed(r["lead"], lang), "n"),
                change,
                (num(r["index"], lang) + index_change, "n nw"),
                distance,
            ]
            if "grdp" in tb.columns:
                row.append((thousands(r["grdp"], lang), "n"))
            if "population" in tb.columns:
                row.append((thousands(r["population"], lang), "n"))
            rows.append(row)
        years = dict(features)
        headers = [
            tr("report.learn.col_region"),
            tr("report.learn.col_province"),
            tr("report.learn.col_score", domain=f"D{domain}", year=year),
            tr("report.learn.col_lead"),
            tr("report.learn.col_change"),
            tr("report.learn.col_index", year=year),
            tr("report.learn.col_distance"),
        ]
        if "grdp" in tb.columns:
            headers.append(tr("report.learn.col_grdp", year=years.get("grdp") or ""))
        if "population" in tb.columns:
            headers.append(tr("report.learn.col_population", year=years.get("population") or ""))
        body += _table(headers, rows)
    items_list = [*notes, tr("report.learn.distance_note"), tr("report.learn.not_causal")]
    items = "".join(f"<li>{esc(n)}</li>" for n in dict.fromkeys(items_list))
    return (
        f"<h3>{esc(tr('report.learn.partners_heading'))}</h3>"
        + body
        + f'<ul class="ll-note">{items}</ul>'
    )


def notes_html(ctx: CohortContext, lang: Lang) -> str:
    """Sources (from the metadata files), method notes and limits, shared by every report."""

    def tr(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    def field(s: dict, key: str) -> Any:
        # The field in the page's language where the metadata gives one (``title_id``), else English.
        return s.get(f"{key}_{lang}") or s.get(key)

    src_items = []
    for s in ctx.sources:
        bits = [f"<b>{esc(field(s, 'title'))}</b>"]
        for k in ("producer", "publication", "date_published", "licence"):
            if field(s, k):
                bits.append(esc(field(s, k)))
        item = " \u2014 ".join(bits)
        extra = field(s, "sources") or {}
        if extra:
            item += (
                "<ul>" + "".join(f"<li>{esc(k)}: {esc(v)}</li>" for k, v in extra.items()) + "</ul>"
            )
        src_items.append(f"<li>{item}</li>")
    heads = {
        "stunting_prevalence_pct": "report.rel.stunting_head",
        "poverty_rate_pct": "report.rel.poverty_head",
    }
    nt_items = "".join(
        "<li>"
        + esc(
            tr(
                "report.notes.target_item",
                what=tr(heads[r["indicator"]]) if r["indicator"] in heads else r["indicator"],
                year=int(r["year"]),
                value=(
                    f"{num(r['low'], lang, 1)}\u2013{num(r['value'], lang, 1)}"
                    if not missing(r["low"])
                    else num(r["value"], lang, 1)
                ),
                regulation=r["regulation"],
            )
        )
        + "</li>"
        for _, r in ctx.national_targets.sort_values(["year", "indicator"]).iterrows()
    )
    method = [
        tr("report.notes.m_rank", n=int(ctx.table["n_ranked"].iloc[0]), year=ctx.year),
        tr("report.notes.m_change"),
        tr(
            "report.notes.m_outcomes",
            stunting_year=ctx.outcome_years["stunting_prevalence_pct"],
            poverty_year=ctx.outcome_years["poverty_rate_pct"],
            base=ctx.poverty_base_year,
        ),
        tr("report.notes.m_relation"),
        tr("report.notes.m_focus"),
        tr("report.notes.m_feasibility"),
        tr("report.notes.m_partners"),
    ]
    for module in ("trends", "peers", "linkage", "improvement"):
        status = ctx.modules.get(module, "missing")
        method.append(tr(f"report.module.{module}.{status}"))
    limits = [
        tr("report.notes.l_years"),
        tr("report.notes.l_confidence"),
        tr("report.notes.l_rounding"),
        tr("report.notes.l_causal"),
        tr("report.notes.l_pemdi"),  # the 2026 round uses another framework
    ]
    trend_details = ""
    if ctx.trend_methods.get(lang):
        paras = "".join(
            _p(esc(x.strip())) for x in ctx.trend_methods[lang].split("\n\n") if x.strip()
        )
        trend_details = (
            f"<details><summary>{esc(tr('report.notes.trend_methods'))}</summary>"
            f'<div class="ll-note">{paras}</div></details>'
        )
    versions = tr(
        "report.notes.versions", data=ctx.data_version, library=ctx.library_version, context=ctx.key
    )
    return (
        f"<h3>{esc(tr('report.notes.sources'))}</h3><ul>{''.join(src_items)}</ul>"
        f"<h3>{esc(tr('report.notes.targets'))}</h3><ul>{nt_items}</ul>"
        f"<h3>{esc(tr('report.notes.method'))}</h3><ul>"
        + "".join(f"<li>{esc(m)}</li>" for m in method)
        + f"</ul><h3>{esc(tr('report.notes.limits'))}</h3><ul>"
        + "".join(f"<li>{esc(m)}</li>" for m in limits)
        + "</ul>"
        + trend_details
        + glossary_html(lang)
        + _p(esc(versions), "ll-note")
    )


def glossary_html(lang: Lang) -> str:
    """The short glossary of section 7 (anchor ``#glosarium``): each term with its equivalent
    in the other language; the predicates in their order, from the framework."""
    fw = load_framework()
    preds = list(fw.predicates)
    order = []
    for i, pr in enumerate(preds):
        key = "report.glossary.pred_last" if i == len(preds) - 1 else "report.glossary.pred_item"
        order.append(
            t(
                key,
                lang,
                name=pr.name,
                gloss=t(f"report.glossary.gloss.{pr.name}", lang),
                lo=num(pr.min, lang, 1),
                hi=num(preds[i + 1].min, lang, 1) if i + 1 < len(preds) else "",
            )
        )
    domains = "; ".join(f"D{i} {name}" for i, name in enumerate(domain_names(lang), start=1))
    keys = ("ci", "pi", "bootstrap", "r2", "p", "reml", "percentile", "distance")
    items = [t(f"report.glossary.{k}", lang) for k in keys]
    items.append(t("report.glossary.domains", lang, domains=domains))
    items.append(t("report.glossary.predicates", lang, order=" < ".join(order)))
    return (
        f'<h3 id="glosarium">{esc(t("report.glossary.title", lang))}</h3>'
        + _p(esc(t("report.glossary.intro", lang)), "ll-note")
        + '<ul class="ll-note">'
        + "".join(f"<li>{_foreign(esc(x), lang)}</li>" for x in items)
        + "</ul>"
    )


def _foreign(text: str, lang: Lang) -> str:
    """``[[term]]`` of a glossary entry as a term of the other language (italic, ``lang`` set)."""
    other = "en" if lang == "id" else "id"
    return re.sub(r"\[\[(.+?)\]\]", lambda m: f'<i lang="{other}">{m.group(1)}</i>', text)


# --------------------------------------------------------------------------------------------
# Cohort overview


@dataclass(frozen=True)
class CohortReport(_Localised):
    """The sections of the cohort overview."""

    ctx: CohortContext
    lang: Lang

    @classmethod
    def of(cls, ctx: CohortContext, lang: Lang = "id") -> CohortReport:
        from living_lab.results.context import validate_args

        validate_args(ctx.cohort, ctx.year, ctx.target, ctx.target_year, lang=lang)
        return cls(ctx, lang)

    @property
    def evaluated(self) -> pd.DataFrame:
        return self.ctx.table[self.ctx.table["index"].notna()]

    def header(self) -> list[Displayable]:
        ctx = self.ctx
        ev = self.evaluated
        sub = self._t(
            "report.cohort.subtitle",
            year=ctx.year,
            n=len(ctx.regions),
            n_eval=len(ev),
            target=self._n(ctx.target),
            target_year=ctx.target_year,
        )
        return [
            HTML(
                FRAGMENT_CSS
                + '<div class="ll">'
                + f"<h1>{esc(self._t('report.cohort.title', cohort=ctx.title(self.lang)))}</h1>"
                + f'<p class="ll-sub">{sub}</p></div>'
            )
        ]

    def summary(self) -> list[Displayable]:
        ctx, ev = self.ctx, self.evaluated
        stats = ctx.cohort_stats
        past = int((ev["index"] >= ctx.target).sum())
        top = ev.sort_values(["index", "name"], ascending=[False, True]).iloc[0]
        n_change = int(stats.loc["change", "n"])
        cards = [
            (
                self._t("report.cohort.card_median", year=ctx.year),
                self._n(stats.loc["index", "median"]),
                esc(
                    self._t(
                        "report.cohort.card_range",
                        lo=self._n(stats.loc["index", "min"]),
                        hi=self._n(stats.loc["index", "max"]),
                    )
                ),
            ),
            (
                self._t("report.cohort.card_past", target=self._n(ctx.target)),
                f"{past} / {len(ev)}",
                self._n(100 * past / len(ev), 0) + "%",
            ),
            (self._t("report.cohort.card_top"), self._n(top["index"]), esc(top["name"])),
            (
                self._t("report.cohort.card_change"),
                signed(stats.loc["change", "median"], self.lang)
                if n_change
                else esc(self._t("not_available")),
                esc(self._t("report.cohort.card_change_n", n=n_change)),
            ),
        ]
        body = "".join(
            f'<div class="ll-card"><div class="k">{esc(k)}</div><div class="v">{v}</div>'
            f'<div class="s">{s}</div></div>'
            for k, v, s in cards
        )
        return [
            _heading("report.cohort.h.summary", self.lang),
            _html(f'<div class="ll-cards">{body}</div>'),
        ]

    def ranking(self) -> list[Displayable]:
        ctx, ev = self.ctx, self.evaluated
        labels = {
            "title": self._t("report.cohort.rank_title", year=ctx.year),
            "x": self._t("report.traj.y"),
            "target": self._t("report.traj.target", target=self._n(ctx.target)),
            "omitted": self._t("report.cohort.omitted"),
        }
        names = ctx.table["name"].map(mpl_text)
        fig = plots.plot_ranking(
            names, ev["index"], target=ctx.target, labels=labels, lang=self.lang
        )
        out: list[Displayable] = [
            _heading("report.cohort.h.ranking", self.lang),
            _figure(plots.to_png(fig), self._alt_ranking()),
        ]
        ordered = ctx.table.sort_values(["rank", "name"], na_position="last")
        ru = ctx.rank_uncertainty
        rows = []
        for code, r in ordered.iterrows():
            span = "\u2013"
            if ru is not None and code in ru.index:
                lo, hi = int(ru.loc[code, "rank_p05"]), int(ru.loc[code, "rank_p95"])
                span = str(lo) if lo == hi else f"{lo}\u2013{hi}"
            rows.append(
                [
                    (str(int(r["rank"])) if not missing(r["rank"]) else "\u2013", "n"),
                    (span, "n nw"),
                    (esc(r["name"]), "nw"),
                    (self._n(r["index"]), "n"),
                    (_predicate_badge(r["predicate"]) or esc(self._t("not_available")), ""),
                    (signed(r["change"], self.lang) if not missing(r["change"]) else "\u2013", "n"),
                    (self._n(r["d1"]), "n"),
                    (self._n(r["d2"]), "n"),
                    (self._n(r["d3"]), "n"),
                    (self._n(r["d4"]), "n"),
                    (self._n(r["stunting"], 1), "n"),
                    (self._n(r["poverty"], 2), "n"),
                ]
            )
        headers = [
            self._t("report.cohort.col_rank"),
            self._t("report.cohort.col_rank_interval"),
            self._t("report.cohort.col_region"),
            self._t("report.cohort.col_index", year=ctx.year),
            self._t("predicate"),
            self._t("report.cohort.col_change"),
            "D1",
            "D2",
            "D3",
            "D4",
            self._t(
                "report.cohort.col_stunting", year=ctx.outcome_years["stunting_prevalence_pct"]
            ),
            self._t("report.cohort.col_poverty", year=ctx.outcome_years["poverty_rate_pct"]),
        ]
        table = _table(headers, rows)
        if ru is not None:
            table += _p(esc(self.ctx.rank_varied.get(self.lang, "")), "ll-note")
        if len(rows) > 40:  # a long ranking stays one click away, below the figure
            summary = esc(self._t("report.cohort.full_table", n=len(rows)))
            table = f"<details><summary>{summary}</summary>{table}</details>"
        out.append(_html(table))
        return out

    def distribution(self) -> list[Displayable]:
        ctx = self.ctx
        prev_year = ctx.table["prev_rank_year"].dropna()
        py = int(prev_year.iloc[0]) if len(prev_year) else None
        prev = None
        if py is not None:
            s = ctx.spbe[ctx.spbe["year"] == py]
            prev = s["index"].astype(float)
        labels = {
            "title": self._t("report.cohort.dist_title", year=ctx.year),
            "x": self._t("report.traj.y"),
            "y": self._t("report.cohort.dist_y"),
            "target": self._t("report.traj.target", target=self._n(ctx.target)),
            "current": str(ctx.year),
            "previous": str(py) if py else "",
        }
        fig = plots.plot_distribution(
            self.evaluated["index"], prev, target=ctx.target, labels=labels, lang=self.lang
        )
        return [
            _heading("report.cohort.h.distribution", self.lang),
            _figure(plots.to_png(fig), self._alt_distribution(prev, py)),
        ]

    def movers(self, n: int = 10) -> list[Displayable]:
        ctx = self.ctx
        out: list[Displayable] = [_heading("report.cohort.h.movers", self.lang)]
        if ctx.movers is not None:
            mv = ctx.movers.rename(columns={"index_from": "prev_index", "index_to": "index"})
        else:
            mv = ctx.table[ctx.table["change"].notna()][["name", "prev_index", "index", "change"]]

        mv = mv.sort_values("change", ascending=False)
        if mv.empty:
            out.append(_html(_p(esc(self._t("report.cohort.no_movers")))))
            return out
        if len(mv) > 2 * n:
            mv = pd.concat([mv.head(n), mv.tail(n)])
        mv = mv.assign(name=mv["name"].map(mpl_text))
        labels = {
            "title": self._t(
                "report.cohort.movers_title",
                prev=int(ctx.table["prev_rank_year"].dropna().iloc[0]),
                year=ctx.year,
            ),
            "x": self._t("report.traj.y"),
            "previous": self._t("report.cohort.previous"),
            "current": str(ctx.year),
            "target": self._t("report.traj.target", target=self._n(ctx.target)),
        }
        fig = plots.plot_movers(mv, target=ctx.target, labels=labels, lang=self.lang)
        out.append(_figure(plots.to_png(fig), self._alt_movers(mv, labels["title"])))
        if ctx.movers is not None:
            out.append(_html(self._movers_table(ctx.movers, n=5)))
        return out

    # Alt text of the cohort figures: the finding each shows (a screen reader's user hears what
    # a sighted reader sees), never the figure's title again.

    def _alt_ranking(self) -> str:
        ev = self.evaluated.sort_values(["index", "name"], ascending=[False, True])
        return self._t(
            "report.cohort.alt.ranking",
            year=self.ctx.year,
            n=len(ev),
            top=ev["name"].iloc[0],
            top_index=self._n(ev["index"].iloc[0]),
            bottom=ev["name"].iloc[-1],
            bottom_index=self._n(ev["index"].iloc[-1]),
            past=int((ev["index"] >= self.ctx.target).sum()),
            target=self._n(self.ctx.target),
        )

    def _alt_distribution(self, prev: pd.Series | None, prev_year: int | None) -> str:
        idx = self.evaluated["index"].astype(float)
        text = self._t(
            "report.cohort.alt.distribution",
            year=self.ctx.year,
            median=self._n(idx.median()),
            lo=self._n(idx.min()),
            hi=self._n(idx.max()),
            n=len(idx),
        )
        if prev is not None and prev_year is not None and prev.notna().any():
            text += self._t(
                "report.cohort.alt.distribution_prev",
                year=prev_year,
                median=self._n(prev.median()),
                n=int(prev.notna().sum()),
            )
        return text

    def _alt_movers(self, mv: pd.DataFrame, title: str) -> str:
        up, down = mv.iloc[0], mv.iloc[-1]
        # No region fell: the last is the smallest rise, and the text says so.
        key = (
            "report.cohort.alt.movers" if down["change"] < 0 else "report.cohort.alt.movers_no_fall"
        )
        return self._t(
            key,
            period=title,
            up=up["name"],
            up_change=signed(up["change"], self.lang),
            down=down["name"],
            down_change=signed(down["change"], self.lang),
            n=len(self.ctx.table["change"].dropna()),
        )

    def _alt_share(self, g: pd.DataFrame) -> str:
        observed = g[~g["projected"]].sort_values("year")
        if observed.empty:
            return self._t("report.cohort.share_title", target=self._n(self.ctx.target))
        last = observed.iloc[-1]
        text = self._t(
            "report.cohort.alt.share",
            target=self._n(self.ctx.target),
            year=int(last["year"]),
            share=self._n(100 * float(last["share"]), 0) + "%",
            n=int(last["n"]),
        )
        projected = g[g["projected"]].sort_values("year")
        if len(projected):
            # The target year's projection (the question the page asks), else the last one.
            at_target = projected[projected["year"] == self.ctx.target_year]
            p = (at_target if len(at_target) else projected).iloc[-1]
            text += self._t(
                "report.cohort.alt.share_projected",
                year=int(p["year"]),
                share=probability(p["share"]),
            )
        return text

    def _alt_domains(self, med: pd.Series, names: list[str]) -> str:
        if not med.notna().any():
            return self._t("report.cohort.domain_title", year=self.ctx.year)
        values = med.to_numpy(dtype=float)
        low, high = int(np.nanargmin(values)), int(np.nanargmax(values))
        return self._t(
            "report.cohort.alt.domains",
            year=self.ctx.year,
            low=names[low],
            low_median=self._n(values[low]),
            high=names[high],
            high_median=self._n(values[high]),
        )

    def _movers_table(self, movers: pd.DataFrame, n: int) -> str:
        """Largest rises and falls split into domain contributions (``living_lab.peers``)."""
        mv = movers.sort_values("change", ascending=False)
        mv = pd.concat([mv.head(n), mv.tail(n)]) if len(mv) > 2 * n else mv
        contrib = [c for c in mv.columns if c.startswith("contrib_d")]
        rows = []
        for _, r in mv.iterrows():
            rows.append(
                [
                    (esc(r["name"]), ""),
                    (self._n(r["index_from"]), "n"),
                    (self._n(r["index_to"]), "n"),
                    (signed(r["change"], self.lang), "n"),
                    (f"{int(r['rank_change']):+d}" if not missing(r["rank_change"]) else "", "n"),
                    *[(signed(r[c], self.lang, 3), "n") for c in contrib],
                ]
            )
        names = domain_names(self.lang)
        headers = [
            self._t("report.cohort.col_region"),
            str(int(self.ctx.table["prev_rank_year"].dropna().iloc[0])),
            str(self.ctx.year),
            self._t("report.cohort.col_change"),
            self._t("report.cohort.col_rank_change"),
            *[names[int(c[-1]) - 1] for c in contrib],
        ]
        return _table(headers, rows) + _p(esc(self._t("report.cohort.movers_note")), "ll-note")

    def share_past_target(self) -> list[Displayable]:
        ctx = self.ctx
        g = ctx.share_observed.assign(projected=False)
        if ctx.share_reaching is not None and len(ctx.share_reaching):
            proj = ctx.share_reaching.copy()
            proj["projected"] = True
            g = pd.concat([g, proj[proj["year"] > g["year"].max()]], ignore_index=True)
        labels = {
            "title": self._t("report.cohort.share_title", target=self._n(ctx.target)),
            "x": self._t("report.traj.x"),
            "y": self._t("report.cohort.share_y"),
            "observed": self._t("report.cohort.observed"),
            "projected": self._t("report.cohort.projected"),
        }
        fig = plots.plot_share_past_target(g, labels=labels, lang=self.lang)
        out: list[Displayable] = [
            _heading("report.cohort.h.share", self.lang),
            _figure(plots.to_png(fig), self._alt_share(g)),
        ]
        if ctx.share_reaching is not None and len(ctx.share_reaching):
            rows = [
                [
                    (str(int(r["year"])), ""),
                    # An expected share is a mean of probabilities: never printed as certain.
                    (probability(r["share"]), "n"),
                    (f"{self._n(100 * r['lo'], 0)}–{self._n(100 * r['hi'], 0)} %", "n"),
                    (str(int(r["n"])), "n"),
                ]
                for _, r in ctx.share_reaching.iterrows()
            ]
            headers = [
                self._t(f"report.cohort.share_col.{k}") for k in ("year", "share", "interval", "n")
            ]
            out.append(
                _html(
                    _table(headers, rows)
                    + _p(esc(self._t("report.cohort.share_note")), "note")
                    + self._share_sensitivity()
                )
            )
        return out

    def _share_sensitivity(self) -> str:
        """The target-year cohort share under the grid of noise and common-shock SDs."""
        ctx = self.ctx
        ss = ctx.share_sensitivity
        if ss is not None and len(ss):
            cells = ss.copy()
            cells["text"] = [
                f"{probability(r.share)} ({self._n(100 * r.lo, 0)}\u2013{self._n(100 * r.hi, 0)}%)"
                for r in cells.itertuples()
            ]
            intro = self._t(
                "report.sens.share_intro",
                year=int(cells["year"].iloc[0]),
                target=self._n(ctx.target),
            )
            return sensitivity_html(cells, ctx.trend_assumptions, intro, self.lang)
        return ""

    def domain_gaps(self) -> list[Displayable]:
        ctx, ev = self.ctx, self.evaluated
        names = domain_names(self.lang)
        labels = {
            "title": self._t("report.cohort.domain_title", year=ctx.year),
            "x": self._t("report.dom.x"),
            "target": self._t("report.dom.target", target=self._n(ctx.target)),
        }
        fig = plots.plot_domain_gaps(
            ev[["d1", "d2", "d3", "d4"]],
            domain_labels=names,
            target=ctx.target,
            labels=labels,
            lang=self.lang,
        )
        med = ctx.cohort_stats.loc[["d1", "d2", "d3", "d4"], "median"]
        weakest = int(np.argmin(med.to_numpy())) if med.notna().any() else None
        text = ""
        if weakest is not None:
            text = _p(
                self._t(
                    "report.cohort.domain_text",
                    domain=esc(names[weakest]),
                    median=self._n(med.iloc[weakest]),
                )
            )
        return [
            _heading("report.cohort.h.domains", self.lang),
            _figure(plots.to_png(fig), self._alt_domains(med, names)),
            _html(text + self._levers_html()),
        ]

    def _levers_html(self) -> str:
        """Each evaluated region's focus domain (its plan's first focus), from the context."""
        fr = self.ctx.frontier
        if fr is None or fr.empty:
            return ""
        names = domain_names(self.lang)
        top = fr[fr["order"] == 0].copy()
        top["lever"] = top["focus"].astype(bool)
        top["name"] = top["region_code"].map(self.ctx.table["name"])
        levers = top[top["lever"]]
        counts = levers["domain"].value_counts()
        summary = self._t(
            "report.cohort.levers_text",
            method=esc(self._t(f"peers_frontier_method_{fr.attrs.get('frontier', 'p90')}")),
            counts=", ".join(
                f"{esc(names[int(d) - 1])} {int(k)}"
                for d, k in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
            )
            or "\u2013",
            at_frontier=int((~top["lever"]).sum()),
            n=len(top),
        )
        top = top.sort_values(["lever", "realistic_gain", "name"], ascending=[False, False, True])
        rows = []
        for _, r in top.iterrows():
            lever = bool(r["lever"])
            rows.append(
                [
                    (esc(r["name"]), "nw"),
                    (
                        esc(names[int(r["domain"]) - 1])
                        if lever
                        else esc(self._t("report.cohort.at_frontier")),
                        "",
                    ),
                    (self._n(r["value"]) if lever else "", "n"),
                    (self._n(r["frontier"]) if lever else "", "n"),
                    (self._n(r["gap"]) if lever else "", "n"),
                    (signed(r["realistic_gain"], self.lang, 3) if lever else "", "n"),
                ]
            )
        headers = [
            self._t("report.cohort.col_region"),
            self._t("report.cohort.col_lever"),
            self._t("report.learn.col_value", year=self.ctx.year),
            self._t("report.learn.col_frontier"),
            self._t("report.learn.col_gap"),
            self._t("report.learn.col_gain"),
        ]
        table = _table(headers, rows)
        if len(rows) > 40:  # a long table stays one click away
            label = esc(self._t("report.cohort.levers_full", n=len(rows)))
            table = f"<details><summary>{label}</summary>{table}</details>"
        return f"<h3>{esc(self._t('report.cohort.levers_heading'))}</h3>" + _p(summary) + table

    def notes(self) -> list[Displayable]:
        return [
            _heading("report.cohort.h.notes", self.lang),
            _html(notes_html(self.ctx, self.lang)),
        ]

    def maps(self) -> list[Displayable]:
        """The index, its change, stunting and poverty on maps of the cohort, side by side."""
        from living_lab.plots import maps

        ctx, table = self.ctx, self.ctx.table
        focus = [str(c) for c in table.index]
        not_evaluated = [c for c in focus if missing(table.loc[c, "index"])]
        prev = table["prev_year"].dropna()
        prev_year = int(prev.max()) if len(prev) else ctx.year - 1
        years = ctx.outcome_years
        panels = [
            {
                "values": table["index"],
                "scale": maps.continuous("index"),
                "title": self._t("maps.cohort.index", year=ctx.year),
                "not_evaluated": not_evaluated,
            },
            {
                "values": table["change"],
                "scale": maps.continuous("change"),
                "title": self._t("maps.cohort.change", year=ctx.year, prev_year=prev_year),
                "not_evaluated": not_evaluated,
            },
            {
                "values": table["stunting"],
                "scale": maps.continuous("rate"),
                "title": self._t("maps.cohort.stunting", year=years["stunting_prevalence_pct"]),
            },
            {
                "values": table["poverty"],
                "scale": maps.continuous("rate"),
                "title": self._t("maps.cohort.poverty", year=years["poverty_rate_pct"]),
            },
        ]
        source = self._t(
            "maps.source.cohort",
            year=ctx.year,
            prev_year=prev_year,
            stunting_year=years["stunting_prevalence_pct"],
            poverty_year=years["poverty_rate_pct"],
        )
        fig = maps.plot_maps(
            panels,
            focus=focus,
            labels=maps.map_labels(self.lang, ctx.year),
            lang=self.lang,
            source=source,
        )
        return [
            _heading("maps.cohort.heading", self.lang),
            _figure(
                plots.to_png(fig, dpi=maps.DPI),
                f"{self._t('maps.cohort.alt')}. {self._alt_ranking()}",
            ),
            _html(
                _p(
                    esc(self._t("maps.cohort.note", year=ctx.year))
                    + "<br>"
                    + esc(f"{source} · {self._t('maps.attribution')}"),
                    "ll-note",
                )
            ),
        ]


def show(sections: Sequence[Displayable], display: Callable[..., Any] | None = None) -> None:
    """Display a section's parts (``IPython.display.display`` by default)."""
    if display is None:
        from IPython.display import display as _display

        display = _display
    display(*sections)
