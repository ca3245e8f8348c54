"""Figures of peer benchmarking: rank intervals with bands, domain profile, movers.

Every function returns a :class:`matplotlib.figure.Figure` drawn in the house style, labelled in
Bahasa Indonesia by default (``lang="en"`` for English), and takes its numbers from
:mod:`living_lab.peers`, so a figure never computes anything a table does not also show.

Examples
--------
>>> from living_lab import peers
>>> from living_lab.plots import peers as peer_plots
>>> ru = peers.rank_uncertainty(peers.group_scores("3211", "province"))      # doctest: +SKIP
>>> fig = peer_plots.rank_intervals(ru, highlight="3211")                      # doctest: +SKIP
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from living_lab.framework import load_framework
from living_lab.peers import data
from living_lab.peers.frontier import frontier_gap
from living_lab.peers.groups import resolve_group
from living_lab.peers.standing import measure_label
from living_lab.plots import style
from living_lab.text import Lang, t

#: One colour per domain (D1..D4), for stacked contributions.
DOMAIN_COLOURS = ("#8e44ad", "#2980b9", "#16a085", "#d35400")
_BAND_SHADES = ("#f2f2f2", "#ffffff")


def _names(codes: list[str], year: int) -> dict[str, str]:
    sc = data.scores(year)
    return {c: str(sc.at[c, "name"]) if c in sc.index else c for c in codes}


def rank_intervals(
    ru: pd.DataFrame,
    *,
    highlight: str | None = None,
    year: int | None = None,
    lang: Lang = "id",
    max_regions: int = 40,
    synthetic: bool = False,
) -> Figure:
    """Median rank and 5-95 % interval of each region, bands shaded.

    Parameters
    ----------
    ru : output of :func:`living_lab.peers.rank_uncertainty`.
    highlight : region code drawn in the focus colour; when the table has more than
        ``max_regions`` rows, the window shown is centred on it (else the top rows are shown).
    year : evaluation year, for region names and the title (default: the latest).
    synthetic : label the figure as synthetic data (simulated scores).
    """
    year = data.check_year(year)
    df = ru.sort_values(["official_rank", "median_rank"], ignore_index=True)
    n_total = len(df)
    if n_total > max_regions:
        centre = (
            int(df.index[df["region_code"] == highlight][0])
            if highlight in set(df["region_code"])
            else 0
        )
        start = min(max(0, centre - max_regions // 2), n_total - max_regions)
        df = df.iloc[start : start + max_regions]
    names = (
        {c: c for c in df["region_code"]} if synthetic else _names(list(df["region_code"]), year)
    )
    with style.apply():
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.28 * len(df) + 1.5)))
        y = np.arange(len(df))[::-1]
        # Shade bands alternately so that members of one band read as a block.
        for i, (_band, rows) in enumerate(df.groupby("band", sort=False)):
            ys = y[[df.index.get_loc(k) for k in rows.index]]
            ax.axhspan(ys.min() - 0.5, ys.max() + 0.5, color=_BAND_SHADES[i % 2], zorder=0)
            ax.text(
                1.0,
                ys.mean(),
                f"{t('peers_col_band', lang)} {int(_band)}",
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=8,
                color=style.PEER,
            )
        colours = [style.FOCUS if c == highlight else style.NATIONAL for c in df["region_code"]]
        ax.hlines(
            y,
            df["rank_p05"],
            df["rank_p95"],
            color=colours,
            linewidth=2.5,
            label=t("peers_plot_interval", lang),
            zorder=2,
        )
        ax.scatter(
            df["median_rank"], y, color=colours, s=25, zorder=3, label=t("peers_plot_median", lang)
        )
        ax.scatter(
            df["official_rank"],
            y,
            marker="|",
            color=style.PEER,
            s=80,
            zorder=4,
            label=t("peers_plot_official", lang),
        )
        ax.set_yticks(y, [names[c] for c in df["region_code"]], fontsize=8)
        ax.set_xlabel(t("peers_plot_rank_x", lang))
        ax.set_ylim(-0.7, len(df) - 0.3)
        ax.grid(axis="y", visible=False)
        lo = max(0.5, df["rank_p05"].min() - 1)
        ax.set_xlim(lo, df["rank_p95"].max() + 1)
        title = t("peers_plot_rank_title", lang, year=year)
        if synthetic:
            title = f"{title}\n{t('peers_note_synthetic', lang)}"
        ax.set_title(title)
        _legend_below(fig, ax, ncol=3)
    return fig


def _legend_below(fig: Figure, ax, *, ncol: int) -> None:
    """Legend under the axes, so it never hides a data point."""
    handles, labels = ax.get_legend_handles_labels()
    height = fig.get_size_inches()[1]
    rows = int(np.ceil(len(handles) / ncol))
    bottom = (0.15 + 0.22 * rows) / height
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8)
    fig.tight_layout(rect=(0, bottom, 1, 1))


def domain_profile(
    region_code: str,
    *,
    group: str = "province",
    year: int | None = None,
    lang: Lang = "id",
) -> Figure:
    """The region's domain scores against the peer median, the frontier and the best peer.

    Predicate bands are shaded behind the points; the frontier is the one of
    :func:`living_lab.peers.frontier_gap` (default: the peers' 90th percentile).
    """
    year = data.check_year(year)
    fg = frontier_gap(region_code, group=group, year=year).sort_values("domain")
    code = fg.attrs["region_code"]
    grp = resolve_group(code, group, year=year)
    sc = data.scores(year)
    peers_only = sc.loc[[c for c in grp.members if c != code]]
    fw = load_framework()
    x = np.arange(len(fg))
    with style.apply():
        fig, ax = plt.subplots()
        for band, colour in zip(fw.predicates, style.BANDS, strict=False):
            top = band.max_exclusive if band.max_exclusive is not None else fw.scale_max
            ax.axhspan(band.min, top, color=colour, alpha=0.6, zorder=0)
            ax.text(
                len(fg) - 0.45,
                (band.min + top) / 2,
                band.name,
                fontsize=7,
                va="center",
                ha="right",
                color=style.PEER,
            )
        medians = [float(peers_only[m].median()) for m in fg["measure"]]
        ax.scatter(
            x,
            medians,
            marker="s",
            color=style.PEER,
            s=45,
            zorder=3,
            label=t("peers_plot_peer_median", lang),
        )
        ax.scatter(
            x,
            fg["best_value"],
            marker="^",
            color=style.NATIONAL,
            s=50,
            zorder=3,
            label=t("peers_plot_best_peer", lang),
        )
        for xi, f in zip(x, fg["frontier"], strict=True):
            ax.hlines(
                f, xi - 0.3, xi + 0.3, color=style.TARGET, linestyle="--", linewidth=1.8, zorder=2
            )
        ax.plot([], [], color=style.TARGET, linestyle="--", label=t("peers_plot_frontier", lang))
        ax.scatter(
            x, fg["value"], color=style.FOCUS, s=70, zorder=4, label=str(sc.at[code, "name"])
        )
        ax.set_xticks(x, [measure_label(m, lang) for m in fg["measure"]])
        ax.set_ylim(fw.scale_min - 0.05 if fg["value"].min() >= fw.scale_min else 0, fw.scale_max)
        ax.set_xlim(-0.5, len(fg) - 0.4)
        ax.set_ylabel(t("peers_plot_profile_y", lang))
        ax.set_title(
            t("peers_plot_profile_title", lang, name=sc.at[code, "name"], year=year)
            + f"\n({grp.label(lang)}, n = {grp.n})",
            fontsize=11,
        )
        ax.legend(loc="lower left", fontsize=8, ncol=2)
        fig.tight_layout()
    return fig


def movers_chart(
    mv: pd.DataFrame,
    *,
    n: int = 8,
    highlight: str | None = None,
    lang: Lang = "id",
) -> Figure:
    """Largest gains and falls, each bar split into weighted domain contributions.

    Parameters
    ----------
    mv : output of :func:`living_lab.peers.movers` (sorted by change).
    n : gains and falls shown (at most ``n`` of each).
    highlight : region code drawn with its label in the focus colour; it is shown even when it
        is not among the largest gains and falls.
    """
    df = mv.sort_values("change", ascending=False, ignore_index=True)
    if len(df) > 2 * n:
        keep = set(df.index[:n]) | set(df.index[-n:])
        keep |= set(df.index[df["region_code"] == highlight])
        df = df.loc[sorted(keep)].reset_index(drop=True)
    contrib_cols = [c for c in df.columns if c.startswith("contrib_")]
    with style.apply():
        fig, ax = plt.subplots(figsize=(8, max(3.0, 0.32 * len(df) + 1.5)))
        y = np.arange(len(df))[::-1]
        pos = np.zeros(len(df))
        neg = np.zeros(len(df))
        for k, col in enumerate(contrib_cols):
            v = df[col].to_numpy(float)
            left = np.where(v >= 0, pos, neg)
            ax.barh(
                y,
                v,
                left=left,
                color=DOMAIN_COLOURS[k % len(DOMAIN_COLOURS)],
                height=0.7,
                label=measure_label(col.removeprefix("contrib_"), lang),
                zorder=2,
            )
            pos += np.where(v >= 0, v, 0)
            neg += np.where(v < 0, v, 0)
        ax.scatter(
            df["change"], y, color="black", s=18, zorder=3, label=t("peers_plot_total", lang)
        )
        ax.axvline(0, color=style.PEER, linewidth=1, label=t("peers_plot_zero", lang), zorder=1)
        flagged = df.get("below_scale", pd.Series(False, index=df.index)).astype(bool)
        ax.set_yticks(
            y, [f"{n} *" if f else n for n, f in zip(df["name"], flagged, strict=True)], fontsize=8
        )
        for tick, code in zip(ax.get_yticklabels(), df["region_code"], strict=True):
            if code == highlight:
                tick.set_color(style.FOCUS)
        ax.set_xlabel(t("peers_plot_movers_x", lang))
        ax.grid(axis="y", visible=False)
        ax.set_title(
            t(
                "peers_plot_movers_title",
                lang,
                year_from=mv.attrs.get("year_from", ""),
                year_to=mv.attrs.get("year_to", ""),
            )
        )
        if flagged.any():
            # A legend entry without a symbol carries the footnote of the starred names.
            ax.plot([], [], " ", label=t("peers_plot_below_scale", lang))
        _legend_below(fig, ax, ncol=3)
    return fig
