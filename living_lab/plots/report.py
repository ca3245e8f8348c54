"""Figures of the region and cohort reports.

Every function takes plain tables (slices of :class:`living_lab.report.context.CohortContext`)
and already translated labels, and returns a :class:`matplotlib.figure.Figure` built without
pyplot, so nothing is shown twice, nothing leaks into global state between regions run in one
kernel, and figures can be made from threads. :func:`to_png` turns a figure into PNG bytes.

Examples
--------
>>> import pandas as pd
>>> fig = plot_distribution(pd.Series([2.1, 3.4, 3.9, 4.5]), None, target=3.5,
...                         labels=dict(title="t", x="x", y="y", target="target",
...                                     current="2024", previous="2023"), lang="en")
>>> to_png(fig)[:4] == b"\\x89PNG"
True
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from living_lab.framework import load_framework
from living_lab.plots import style

#: Resolution of report figures: sharp enough on screen, small and fast to encode.
DPI = 96


def fmt_number(value: float, lang: str, decimals: int = 2) -> str:
    """A number as the report prints it: decimal comma in Bahasa Indonesia."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "id" else text


def _axis_numbers(ax: Axes, lang: str, axis: str = "y") -> None:
    """Tick labels with the language's decimal mark."""
    if lang != "id":
        return
    fmt = FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", ","))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _figure(
    width: float,
    height: float,
    ncols: int = 1,
    nrows: int = 1,
    *,
    left: float = 0.9,
    right: float = 0.3,
    top: float = 0.45,
    bottom: float = 0.6,
    wspace: float = 0.25,
    hspace: float = 0.6,
) -> tuple[Figure, list[Axes]]:
    """A figure with fixed margins in inches (a layout engine would cost a third of the time)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wspace,
        hspace=hspace,
    )
    return fig, list(axes)


def _legend_below(fig: Figure, ax: Axes, ncols: int = 4) -> None:
    """One legend under the plot area, so it never hides data."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=ncols, fontsize=8
    )


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig`` (no timestamp in the file, so reruns give identical bytes)."""
    buf = io.BytesIO()
    with style.apply():
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _predicate_bands(ax: Axes, *, horizontal: bool = True, labels: bool = True) -> None:
    """Light background bands of the predicate ranges, named at the edge."""
    fw = load_framework()
    for band, colour in zip(fw.predicates, style.BANDS, strict=True):
        lo = band.min
        hi = band.max_exclusive if band.max_exclusive is not None else fw.scale_max
        if horizontal:
            ax.axhspan(lo, hi, color=colour, alpha=0.55, lw=0, zorder=0)
            if labels:
                ax.text(
                    1.005,
                    (lo + hi) / 2,
                    band.name,
                    transform=ax.get_yaxis_transform(),
                    fontsize=8,
                    color="#555",
                    va="center",
                    ha="left",
                )
        else:
            ax.axvspan(lo, hi, color=colour, alpha=0.55, lw=0, zorder=0)
            if labels:
                ax.text(
                    (lo + hi) / 2,
                    1.01,
                    band.name,
                    transform=ax.get_xaxis_transform(),
                    fontsize=8,
                    color="#555",
                    va="bottom",
                    ha="center",
                )


def plot_trajectory(
    series: pd.DataFrame,
    *,
    cohort_median: pd.DataFrame | None,
    national: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    target: float,
    target_year: int,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """The region's SPBE index by year with the cohort median, the national index, the forecast
    (mean and interval, if any) and the target.

    Parameters
    ----------
    series : ``year``, ``index`` of the region.
    cohort_median, national : ``year``, ``index`` (optional lines for context).
    forecast : ``year``, ``mean``, ``lo``, ``hi`` (optional).
    labels : ``title``, ``x``, ``y``, ``region``, ``median``, ``national``, ``forecast``,
        ``interval``, ``target``.
    """
    with style.apply():
        fig, (ax,) = _figure(8.0, 4.6, left=0.7, right=1.0, bottom=1.15)
        _predicate_bands(ax)
        if national is not None and len(national):
            ax.plot(
                national["year"],
                national["index"],
                color=style.NATIONAL,
                lw=1.3,
                ls=":",
                marker="s",
                ms=4,
                label=labels["national"],
            )
        if cohort_median is not None and len(cohort_median):
            ax.plot(
                cohort_median["year"],
                cohort_median["index"],
                color=style.PEER,
                lw=1.6,
                marker="o",
                ms=4,
                label=labels["median"],
            )
        if forecast is not None and len(forecast):
            # The fan opens at the last published score (no uncertainty there).
            last = series.dropna().tail(1)
            fx = np.concatenate([last["year"].to_numpy(), forecast["year"].to_numpy()])
            fy = np.concatenate([last["index"].to_numpy(), forecast["mean"].to_numpy()])
            flo = np.concatenate([last["index"].to_numpy(), forecast["lo"].to_numpy()])
            fhi = np.concatenate([last["index"].to_numpy(), forecast["hi"].to_numpy()])
            ax.fill_between(
                fx, flo, fhi, color=style.FOCUS, alpha=0.15, lw=0, label=labels["interval"]
            )
            ax.plot(fx, fy, color=style.FOCUS, lw=1.8, ls="--", label=labels["forecast"])
            ax.errorbar(
                forecast["year"],
                forecast["mean"],
                yerr=[forecast["mean"] - forecast["lo"], forecast["hi"] - forecast["mean"]],
                fmt="o",
                mfc="white",
                color=style.FOCUS,
                ms=6,
                capsize=4,
                lw=1.2,
                zorder=5,
            )
            end = forecast.iloc[-1]
            ax.annotate(
                fmt_number(float(end["mean"]), lang),
                (end["year"], end["mean"]),
                textcoords="offset points",
                xytext=(8, 0),
                va="center",
                fontsize=9,
                color=style.FOCUS,
            )
        ax.plot(
            series["year"],
            series["index"],
            color=style.FOCUS,
            lw=2.4,
            marker="o",
            ms=7,
            label=labels["region"],
            zorder=5,
        )
        for x, y in zip(series["year"], series["index"], strict=True):
            if pd.notna(y):
                ax.annotate(
                    fmt_number(y, lang),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    fontsize=9,
                    color=style.FOCUS,
                    fontweight="bold",
                )
        style.target_line(ax, target, labels["target"])
        ax.axvline(target_year, color=style.TARGET, lw=0.8, alpha=0.6)
        years = list(series["year"]) + [target_year]
        if national is not None and len(national):
            years += list(national["year"])
        ax.set_xlim(min(years) - 0.4, max(years) + 0.4)
        ax.set_ylim(1, 5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _axis_numbers(ax, lang)
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        _legend_below(fig, ax, ncols=3)
    return fig


def plot_domain_profile(
    domains: pd.DataFrame,
    *,
    target: float,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Each domain's score: the region, the cohort median and the best peer, on the 0-5 scale.

    ``domains`` has one row per domain (top to bottom) with ``label``, ``region``, ``median``,
    ``best``. ``labels``: ``title``, ``x``, ``region``, ``median``, ``best``, ``target``.
    """
    with style.apply():
        fig, (ax,) = _figure(8.0, 3.6, left=2.3, bottom=1.0)
        y = np.arange(len(domains))[::-1]
        for yi, (_, row) in zip(y, domains.iterrows(), strict=True):
            vals = [v for v in (row["region"], row["median"], row["best"]) if pd.notna(v)]
            if vals:
                ax.plot([min(vals), max(vals)], [yi, yi], color="#bbb", lw=2, zorder=1)
        ax.scatter(domains["median"], y, s=70, color=style.PEER, label=labels["median"], zorder=3)
        ax.scatter(
            domains["best"],
            y,
            s=70,
            marker="D",
            color=style.NATIONAL,
            label=labels["best"],
            zorder=3,
        )
        ax.scatter(domains["region"], y, s=120, color=style.FOCUS, label=labels["region"], zorder=4)
        for yi, v in zip(y, domains["region"], strict=True):
            if pd.notna(v):
                ax.annotate(
                    fmt_number(v, lang),
                    (v, yi),
                    textcoords="offset points",
                    xytext=(0, 9),
                    ha="center",
                    fontsize=9,
                    color=style.FOCUS,
                    fontweight="bold",
                )
        ax.axvline(target, color=style.TARGET, ls="--", lw=1.5, label=labels["target"], zorder=2)
        ax.set_yticks(y, domains["label"])
        ax.set_xlim(0, 5.2)
        ax.set_ylim(-0.6, len(domains) - 0.3)
        _axis_numbers(ax, lang, "x")
        ax.grid(axis="y", visible=False)
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        _legend_below(fig, ax, ncols=4)
    return fig


def _strip(
    ax: Axes,
    values: pd.Series,
    focus: float | None,
    *,
    targets: Sequence[tuple[float, str]],
    labels: Mapping[str, str],
    lang: str,
    rng: np.random.Generator,
) -> None:
    vals = values.dropna().to_numpy(float)
    jitter = rng.uniform(-0.25, 0.25, len(vals))
    ax.scatter(vals, jitter, s=22, color=style.PEER, alpha=0.6, label=labels["peers"], zorder=2)
    if len(vals):
        med = float(np.median(vals))
        ax.axvline(med, color=style.PEER, lw=1.5, label=labels["median"], zorder=1)
    for i, (value, text) in enumerate(targets):
        ax.axvline(
            value,
            color=style.TARGET,
            ls="--" if i == 0 else "-.",
            lw=1.5,
            label=text,
            zorder=1,
        )
    if focus is not None and np.isfinite(focus):
        ax.scatter([focus], [0], s=160, color=style.FOCUS, zorder=4, label=labels["region"])
        ax.annotate(
            fmt_number(focus, lang, 1),
            (focus, 0),
            textcoords="offset points",
            xytext=(0, 12),
            ha="center",
            fontsize=10,
            color=style.FOCUS,
            fontweight="bold",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
            zorder=6,
        )
    else:
        ax.text(
            0.99,
            0.9,
            labels["missing"],
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=9,
            color=style.FOCUS,
        )
    ax.set_yticks([])
    ax.set_ylim(-0.6, 0.6)
    ax.grid(axis="y", visible=False)
    _axis_numbers(ax, lang, "x")


def plot_outcomes(
    panels: Sequence[Mapping[str, object]],
    *,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """One strip per outcome: every peer as a dot, the region highlighted, the cohort median
    and the national targets.

    Each panel mapping has ``values`` (Series of the cohort), ``focus`` (the region's value or
    None), ``targets`` (list of (value, label)), ``title`` and ``x`` (axis label with unit).
    ``labels``: ``title``, ``peers``, ``median``, ``region``, ``missing``.
    """
    rng = np.random.default_rng(0)  # fixed jitter: the same figure on every run
    with style.apply():
        fig, axes = _figure(
            8.0,
            2.0 * len(panels) + 0.8,
            nrows=len(panels),
            left=0.2,
            right=2.6,
            top=0.75,
            bottom=0.5,
            hspace=0.9,
        )
        for ax, panel in zip(axes, panels, strict=True):
            _strip(
                ax,
                panel["values"],  # type: ignore[arg-type]
                panel["focus"],  # type: ignore[arg-type]
                targets=panel["targets"],  # type: ignore[arg-type]
                labels=labels,
                lang=lang,
                rng=rng,
            )
            ax.set_title(str(panel["title"]), loc="left", fontsize=11)
            ax.set_xlabel(str(panel["x"]))
            ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
        fig.suptitle(labels["title"], x=0.02, y=0.985, ha="left", va="top", fontsize=13)
    return fig


def plot_relation(
    panels: Sequence[Mapping[str, object]],
    *,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Outcome against the SPBE index across regions, with the fitted line and the region.

    Each panel has ``data`` (DataFrame ``index``, ``value``, ``in_cohort``), ``focus`` ((x, y)
    or None), ``line`` (DataFrame ``x``, ``fit``, ``lo``, ``hi``, or None), ``title``, ``y`` and
    optionally ``x`` (else ``labels["x"]``).
    ``labels``: ``title``, ``x``, ``others``, ``cohort``, ``region``, ``fit``, ``target``.
    """
    with style.apply():
        fig, axes = _figure(8.6, 4.5, ncols=len(panels), left=0.7, top=0.75, bottom=1.2)
        for ax, panel in zip(axes, panels, strict=True):
            data: pd.DataFrame = panel["data"]  # type: ignore[assignment]
            others = data[~data["in_cohort"]]
            peers = data[data["in_cohort"]]
            ax.scatter(
                others["index"], others["value"], s=9, color="#c8c8c8", label=labels["others"]
            )
            ax.scatter(
                peers["index"], peers["value"], s=22, color=style.PEER, label=labels["cohort"]
            )
            line = panel.get("line")
            if isinstance(line, pd.DataFrame):
                ax.fill_between(line["x"], line["lo"], line["hi"], color=style.NATIONAL, alpha=0.15)
                ax.plot(line["x"], line["fit"], color=style.NATIONAL, lw=1.5, label=labels["fit"])
            focus = panel.get("focus")
            if focus is not None:
                fx, fy = focus  # type: ignore[misc]
                ax.scatter([fx], [fy], s=140, color=style.FOCUS, zorder=5, label=labels["region"])
            ax.axvline(panel["target"], color=style.TARGET, ls="--", lw=1.2, label=labels["target"])  # type: ignore[arg-type]
            ax.set_title(str(panel["title"]), loc="left", fontsize=11)
            ax.set_xlabel(str(panel.get("x", labels["x"])))
            ax.set_ylabel(str(panel["y"]))
            _axis_numbers(ax, lang, "x")
            _axis_numbers(ax, lang, "y")
        _legend_below(fig, axes[0], ncols=3)
        fig.suptitle(labels["title"], x=0.02, y=0.985, ha="left", va="top", fontsize=13)
    return fig


def plot_ranking(
    names: pd.Series,
    values: pd.Series,
    *,
    target: float,
    highlight: Sequence[str] = (),
    labels: Mapping[str, str],
    lang: str,
    max_rows: int = 40,
) -> Figure:
    """Horizontal bars of the index, best at the top, coloured by predicate band.

    With more than ``max_rows`` regions only the top and bottom ``max_rows // 2`` are drawn (the
    full list is in the table). ``labels``: ``title``, ``x``, ``target``, ``omitted``.
    """
    fw = load_framework()
    order = values.sort_values(ascending=False).dropna()
    omitted = 0
    if len(order) > max_rows:
        half = max_rows // 2
        omitted = len(order) - 2 * half
        order = pd.concat([order.head(half), order.tail(half)])
    preds = fw.predicates_of(order.to_numpy(float))
    names_of = {p.name: c for p, c in zip(fw.predicates, style.BANDS, strict=True)}
    colours = ["#9e9e9e" if p is None else _darker(names_of[p]) for p in preds]
    with style.apply():
        fig, (ax,) = _figure(8.0, max(3.0, 0.24 * len(order) + 1.2), left=2.6, bottom=0.55)
        y = np.arange(len(order))[::-1]
        bars = ax.barh(y, order.to_numpy(float), color=colours, height=0.75)
        for bar, code in zip(bars, order.index, strict=True):
            if code in highlight:
                bar.set_edgecolor(style.FOCUS)
                bar.set_linewidth(2)
        for yi, v in zip(y, order.to_numpy(float), strict=True):
            ax.text(v + 0.03, yi, fmt_number(v, lang), va="center", fontsize=7)
        ax.set_yticks(y, [str(names.get(c, c)) for c in order.index], fontsize=8)
        ax.axvline(target, color=style.TARGET, ls="--", lw=1.5, label=labels["target"])
        if omitted:
            ax.axhline(y[len(order) // 2] + 0.5, color="#555", lw=0.8, ls=":")
            ax.text(
                4.98,
                y[len(order) // 2] + 0.5,
                labels["omitted"].format(n=omitted),
                ha="right",
                va="bottom",
                fontsize=8,
                color="#555",
            )
        ax.set_xlim(1, 5)
        ax.set_ylim(-0.7, len(order) - 0.3)
        ax.grid(axis="y", visible=False)
        _axis_numbers(ax, lang, "x")
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        ax.legend(loc="lower right", fontsize=8)
    return fig


def _darker(hex_colour: str, factor: float = 0.72) -> str:
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(c * factor):02x}" for c in rgb)


def plot_distribution(
    current: pd.Series,
    previous: pd.Series | None,
    *,
    target: float,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Histogram of the cohort's index this year (and the previous evaluation, outlined), with
    the predicate bands and the target. ``labels``: ``title``, ``x``, ``y``, ``target``,
    ``current``, ``previous``."""
    bins = np.arange(1.0, 5.01, 0.2)
    with style.apply():
        fig, (ax,) = _figure(8.0, 3.8, left=0.7, top=0.75)
        _predicate_bands(ax, horizontal=False)
        ax.hist(
            current.dropna(),
            bins=bins,
            color=style.FOCUS,
            alpha=0.75,
            label=labels["current"],
            zorder=2,
        )
        if previous is not None and previous.notna().any():
            ax.hist(
                previous.dropna(),
                bins=bins,
                histtype="step",
                color=style.NATIONAL,
                lw=1.8,
                label=labels["previous"],
                zorder=3,
            )
        ax.axvline(target, color=style.TARGET, ls="--", lw=1.8, label=labels["target"], zorder=4)
        ax.set_xlim(1, 5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _axis_numbers(ax, lang, "x")
        ax.set_title(labels["title"], loc="left", pad=18)
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_movers(
    movers: pd.DataFrame,
    *,
    target: float,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Dumbbells from the previous to the current index, one row per region (biggest risers at
    the top). ``movers``: ``name``, ``prev_index``, ``index``. ``labels``: ``title``, ``x``,
    ``previous``, ``current``, ``target``."""
    with style.apply():
        fig, (ax,) = _figure(8.0, max(3.0, 0.26 * len(movers) + 1.3), left=2.6)
        y = np.arange(len(movers))[::-1]
        for yi, (_, r) in zip(y, movers.iterrows(), strict=True):
            up = r["index"] >= r["prev_index"]
            ax.annotate(
                "",
                xy=(r["index"], yi),
                xytext=(r["prev_index"], yi),
                arrowprops=dict(arrowstyle="->", color=style.TARGET if up else style.FOCUS, lw=1.6),
            )
        ax.scatter(movers["prev_index"], y, s=25, color=style.PEER, label=labels["previous"])
        ax.scatter(movers["index"], y, s=35, color=style.NATIONAL, label=labels["current"])
        ax.axvline(target, color=style.TARGET, ls="--", lw=1.2, label=labels["target"])
        ax.set_yticks(y, movers["name"].astype(str), fontsize=8)
        ax.set_xlim(1, 5)
        ax.grid(axis="y", visible=False)
        _axis_numbers(ax, lang, "x")
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_share_past_target(
    shares: pd.DataFrame,
    *,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Share of the cohort at or past the target by year: observed bars, projected bars hatched.

    ``shares``: ``year``, ``share`` (0-1), ``n`` (regions evaluated), ``projected`` (bool),
    optional ``lo``/``hi`` for projections. ``labels``: ``title``, ``x``, ``y``, ``observed``,
    ``projected``.
    """
    with style.apply():
        fig, (ax,) = _figure(8.0, 3.4, left=0.8)
        obs = shares[~shares["projected"]]
        proj = shares[shares["projected"]]
        ax.bar(obs["year"], 100 * obs["share"], color=style.TARGET, label=labels["observed"])
        if len(proj):
            ax.bar(
                proj["year"],
                100 * proj["share"],
                color="white",
                edgecolor=style.TARGET,
                hatch="//",
                label=labels["projected"],
            )
            if {"lo", "hi"} <= set(proj.columns):
                ax.errorbar(
                    proj["year"],
                    100 * proj["share"],
                    yerr=[100 * (proj["share"] - proj["lo"]), 100 * (proj["hi"] - proj["share"])],
                    fmt="none",
                    ecolor=style.NATIONAL,
                    capsize=4,
                )
        for _, r in shares.iterrows():
            top = max(r["share"], r.get("hi", r["share"]) if pd.notna(r.get("hi")) else 0)
            ax.text(
                r["year"] + 0.12 if r["projected"] else r["year"],
                100 * top + 2,
                fmt_number(100 * r["share"], lang, 0) + "%",
                ha="center",
                fontsize=9,
            )
        ax.set_ylim(0, 115)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        ax.set_ylabel(labels["y"])
        ax.legend(loc="upper left", fontsize=8)
    return fig


def plot_domain_gaps(
    scores: pd.DataFrame,
    *,
    domain_labels: Sequence[str],
    target: float,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Box plot of each domain's scores across the cohort, with the target for reference.

    ``scores``: columns ``d1``..``d4`` (one row per region). ``labels``: ``title``, ``x``,
    ``target``.
    """
    cols = [c for c in ["d1", "d2", "d3", "d4"] if c in scores.columns]
    with style.apply():
        fig, (ax,) = _figure(8.0, 3.4, left=1.6)
        data = [scores[c].dropna().to_numpy(float) for c in cols]
        y = np.arange(len(cols))[::-1]
        ax.boxplot(
            data,
            positions=y,
            orientation="horizontal",
            widths=0.5,
            patch_artist=True,
            boxprops=dict(facecolor="#e8e8e8", color=style.PEER),
            medianprops=dict(color=style.FOCUS, lw=2),
            whiskerprops=dict(color=style.PEER),
            capprops=dict(color=style.PEER),
            flierprops=dict(markerfacecolor=style.PEER, markersize=3, markeredgecolor="none"),
        )
        for yi, d in zip(y, data, strict=True):
            if len(d):
                ax.text(
                    float(np.median(d)),
                    yi + 0.32,
                    fmt_number(float(np.median(d)), lang),
                    ha="center",
                    fontsize=8,
                    color=style.FOCUS,
                )
        ax.axvline(target, color=style.TARGET, ls="--", lw=1.5, label=labels["target"])
        ax.set_yticks(y, list(domain_labels))
        ax.set_xlim(0, 5.2)
        ax.grid(axis="y", visible=False)
        _axis_numbers(ax, lang, "x")
        ax.set_title(labels["title"], loc="left")
        ax.set_xlabel(labels["x"])
        ax.legend(loc="lower right", fontsize=8)
    return fig
