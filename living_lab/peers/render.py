"""Display tables and sentences of peer results, in the reader's language.

The command line prints these; notebooks show them (``render.standing_table(s, lang)`` is a
DataFrame with localised column names). No number is computed here, only formatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from living_lab.peers.partners import PartnerResult
from living_lab.peers.standing import Standing, measure_label
from living_lab.text import Lang, fewest_decimals, number, t


def _num(v: Any, fmt: str = "{:.2f}", signed: bool = False, *, lang: str = "id") -> str:
    """A number of a peers table in the language's format (:func:`living_lab.text.number`)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return "-"
    spec = fmt[2:-1]  # "{:.2f}" -> ".2f"
    digits = int(spec.rsplit(".", 1)[-1][:-1]) if "." in spec else 0
    return number(float(v), lang, digits, group="," in spec, sign=signed)


def _int(v: Any, signed: bool = False) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return f"{int(v):+d}" if signed and int(v) != 0 else f"{int(v):d}"


def settings_text(settings: dict, lang: Lang = "id") -> str:
    """One sentence describing a Monte Carlo run (from ``rank_uncertainty(...).attrs``)."""
    half = settings["rounding_halfwidths"]
    parts = []
    exact = [c.upper() for c, h in half.items() if h == 0]
    by_half: dict[float, list[str]] = {}
    for c, h in half.items():
        if h > 0:
            by_half.setdefault(h, []).append(c.upper())
    for h, cols in by_half.items():
        parts.append(
            t(
                "peers_rounding_pm",
                lang,
                half=number(h, lang, fewest_decimals(h)),
                cols=", ".join(cols),
            )
        )
    if exact:
        parts.append(t("peers_rounding_exact", lang, cols=", ".join(exact)))
    schemes = list(settings["schemes"])
    if len(schemes) == 1:
        sch = t("peers_schemes_official", lang, framework=schemes[0])
    else:
        sch = t(
            "peers_schemes_alternatives", lang, framework=schemes[0], alts=", ".join(schemes[1:])
        )
    conc = settings["concentration"]
    text = t(
        "peers_mc_settings",
        lang,
        n_draws=settings["n_draws"],
        concentration=t("peers_fixed_weights", lang)
        if conc is None
        else number(conc, lang, fewest_decimals(conc)),
        schemes=sch,
        rounding="; ".join(parts),
        seed=settings["seed"],
        conf=round(100 * settings["band_confidence"]),
    )
    return varied_text(settings, lang) + " " + text


def varied_text(settings: dict, lang: Lang = "id") -> str:
    """One sentence naming what the rank simulation varied (``settings["varied"]``).

    A run without measurement noise is a sensitivity analysis, not an uncertainty analysis,
    and the sentence says so.
    """
    varied = list(settings.get("varied", []))
    sd = number(settings.get("noise_sd", 0.0), lang, 2)
    names = [t(f"peers_varied_{v}", lang, sd=sd) for v in varied]
    if not names:
        return t("peers_varied_nothing", lang)
    key = "peers_varied_uncertainty" if "noise" in varied else "peers_varied_sensitivity"
    return t(key, lang, what=", ".join(names))


def standing_table(s: Standing, lang: Lang = "id") -> pd.DataFrame:
    """The standing of every measure as display strings (one row per measure)."""
    rows = []
    since = t("peers_since", lang, year=s.previous_year) if s.previous_year else ""
    for m, r in s.table.iterrows():
        interval = (
            f"{number(r['median_rank'], lang, fewest_decimals(r['median_rank']))} [{_int(r['rank_p05'])}-{_int(r['rank_p95'])}]"
            if pd.notna(r["median_rank"])
            else "-"
        )
        rows.append(
            {
                t("peers_col_measure", lang): measure_label(str(m), lang),
                t("peers_col_value", lang): _num(r["value"], lang=lang),
                t("peers_col_rank", lang): f"{_int(r['rank'])}/{_int(r['n'])}"
                + ("=" if pd.notna(r["tied"]) and r["tied"] > 0 else ""),
                t("peers_col_percentile", lang): _num(r["percentile"], "{:.0f}", lang=lang),
                t("peers_col_predicate", lang): r["predicate"] or "-",
                f"{t('peers_col_change', lang)} {since}".strip(): _num(
                    r["change"], signed=True, lang=lang
                ),
                t("peers_col_rank_change", lang): _int(r["rank_change"], signed=True),
                t("peers_col_interval", lang): interval,
                t("peers_col_band", lang): _int(r["band"]),
            }
        )
    return pd.DataFrame(rows)


def interval_lines(
    s: Standing, lang: Lang = "id", names: dict[str, str] | None = None
) -> list[str]:
    """Sentences on the index's rank interval and band."""
    r = s.table.loc["index"]
    if pd.isna(r["median_rank"]):
        return []
    lines = [
        t(
            "peers_interval_line",
            lang,
            median=float(r["median_rank"]),
            lo=int(r["rank_p05"]),
            hi=int(r["rank_p95"]),
            n=int(r["n"]),
            band=int(r["band"]),
            size=int(r["band_size"]),
        )
    ]
    others = s.band_members()
    if others:
        names = names or {}
        lines.append(t("peers_band_with", lang, names=", ".join(names.get(c, c) for c in others)))
    else:
        lines.append(t("peers_band_alone", lang))
    if s.uncertainty is not None:
        lines.append(settings_text(s.uncertainty.attrs["settings"], lang))
    return lines


def benchmark_table(
    bench: pd.DataFrame, lang: Lang = "id", names: dict[str, str] | None = None
) -> pd.DataFrame:
    """A region's benchmark (:attr:`living_lab.improvement.RegionPlan.benchmark`) as display
    strings, focus first: the gap to the group's benchmark, whether it is beyond rounding and
    noise, one round's pace limit and the realistic index gain."""
    names = names or {}
    return pd.DataFrame(
        {
            t("peers_col_measure", lang): [
                measure_label(f"d{int(d)}", lang) + (" *" if f else "")
                for d, f in zip(bench["domain"], bench["focus"], strict=True)
            ],
            t("peers_col_value", lang): [_num(v, lang=lang) for v in bench["value"]],
            t("peers_col_frontier", lang): [_num(v, lang=lang) for v in bench["frontier"]],
            t("peers_col_gap", lang): [_num(v, lang=lang) for v in bench["gap"]],
            t("peers_col_clear", lang): [
                t("peers_yes" if c else "peers_no", lang) for c in bench["clear"]
            ],
            t("peers_col_pace", lang): [_num(v, lang=lang) for v in bench["bound"]],
            t("peers_col_index_gain", lang): [
                _num(v, "{:.3f}", signed=True, lang=lang) for v in bench["realistic_gain"]
            ],
            t("peers_col_best_peer", lang): [
                f"{names.get(c, c)} ({_num(v, lang=lang)})"
                for c, v in zip(bench["best_peer"], bench["best_value"], strict=True)
            ],
        }
    )


def focus_line(plan: Any, lang: Lang = "id") -> str:
    """The focus of a region's improvement plan (:class:`living_lab.improvement.RegionPlan`)."""
    if not plan.focus_domains:
        return t("peers_focus_none", lang)
    top = plan.benchmark.iloc[0]
    return t(
        "peers_focus_line",
        lang,
        domains=", ".join(measure_label(f"d{d}", lang) for d in plan.focus_domains),
        gain=float(top["realistic_gain"]),
        margin=float(top["margin"]),
    )


def partners_line(r: PartnerResult, lang: Lang = "id") -> str:
    return t(
        "peers_partners_line",
        lang,
        domain=measure_label(f"d{r.domain}", lang),
        reason=t(f"peers_reason_{r.domain_reason}", lang),
        value=r.value,
        group=r.group.label(lang),
        lead=r.min_lead,
        n_ahead=r.n_ahead,
        features=", ".join(
            t(f"peers_feature_{f}", lang)
            + (f" {r.feature_years[f]}" if f in r.feature_years else "")
            for f in r.features_used
        ),
    )


def partners_table(r: PartnerResult, lang: Lang = "id") -> pd.DataFrame:
    """Study-visit partners as display strings (empty when none were found)."""
    tb = r.table
    out = {
        t("peers_col_region", lang): [
            f"{n} ({c})" for n, c in zip(tb["name"], tb["region_code"], strict=True)
        ],
        t("peers_col_value", lang): [_num(v, lang=lang) for v in tb["value"]],
        t("peers_col_lead", lang): [_num(v, signed=True, lang=lang) for v in tb["lead"]],
        t("peers_col_change_since", lang): [
            f"{_num(c, signed=True, lang=lang)} ({_int(y)})" if pd.notna(y) else "-"
            for c, y in zip(tb["change"], tb["previous_year"], strict=True)
        ],
        t("peers_col_index_change", lang): [
            f"{_num(i, lang=lang)} ({_num(c, signed=True, lang=lang)})"
            for i, c in zip(tb["index"], tb["index_change"], strict=True)
        ],
        t("peers_col_distance", lang): [
            _num(v, lang=lang) if pd.notna(v) else t("peers_similarity_unknown", lang)
            for v in tb["distance"]
        ],
    }
    if "grdp" in tb.columns:
        out[t("peers_col_grdp", lang)] = [_num(v, "{:,.0f}", lang=lang) for v in tb["grdp"]]
    if "population" in tb.columns:
        out[t("peers_col_population", lang)] = [
            _num(v, "{:,.0f}", lang=lang) for v in tb["population"]
        ]
    return pd.DataFrame(out)


def text_table(df: pd.DataFrame, indent: str = "  ") -> str:
    """A plain fixed-width table (no index), for terminals and logs."""
    cols = [str(c) for c in df.columns]
    cells = [[str(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def fmt(values: Sequence[str]) -> str:
        out = []
        for i, v in enumerate(values):
            out.append(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i]))
        return indent + "  ".join(out).rstrip()

    lines = [fmt(cols), indent + "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells]
    return "\n".join(lines)
