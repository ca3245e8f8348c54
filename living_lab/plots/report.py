r"""Figures of the region and cohort reports.

Every function takes plain tables (slices of :class:`living_lab.results.context.CohortContext`)
and already translated labels, and returns a :class:`matplotlib.figure.Figure` built without
pyplot, so nothing is shown twice, nothing leaks into global state between regions run in one
kernel, and figures can be made from threads. :func:`to_png` turns a figure into PNG bytes.

Examples
--------
>>> import pandas as pd
>>> fig = plot_distribution(pd.Series([2.1, 3.4, 3.9, 4.5]), None, target=3.5,
...                         labels=dict(title="t", x="x", y="y", target="target",
...                                     current="2024", previous="2023"), lang="en")
>>> to_png(fig)[:4] == b"\x89PNG"
True
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import PIL.Image
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from living_lab.framework import load_framework
from living_lab.plots import style
from living_lab.text import number as _number
from living_lab.text import tick_formatter as _tick_formatter

#: Resolution of report figures: sharp enough on screen, small and fast to encode.
DPI = 96
#: Colours of a report figure's PNG palette (:func:`palette_png`).
PALETTE_COLOURS = 256
#: zlib level of report figures' PNGs (lossless at any level): 3 instead of Pillow's 6 encodes a
#: region's five figures in about 25 ms less (measured: 3.6-11.6 ms -> 1.4-4.6 ms a figure) for
#: about 15% more bytes.
PNG_COMPRESS_LEVEL = 3


def _focus_label(
    ax: Axes, text: str, xy: tuple[float, float], *, dy: float, fontsize: float = 9, **kw: Any
) -> None:
    """The focus region's value written just above its marker, in the focus colour."""
    ax.annotate(
        text,
        xy,
        textcoords="offset points",
        xytext=(0, dy),
        ha="center",
        fontsize=fontsize,
        color=style.FOCUS,
        fontweight="bold",
        zorder=6,
        **kw,
    )


def fmt_number(value: float, lang: str, decimals: int = 2) -> str:
    """A number as the report prints it (:func:`living_lab.text.number`)."""
    return _number(value, lang, decimals)


def _axis_numbers(ax: Axes, lang: str, axis: str = "y") -> None:
    """Tick labels in the language's number format, with the true minus sign."""
    fmt = _tick_formatter(lang)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)  # type: ignore[arg-type]


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


def to_png(fig: Figure, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig`` (no timestamp in the file, so reruns give identical bytes).

    Full colour: the cohort pages' figures (one set per batch, a choropleth among them); the
    region figures, one set per region, are palette PNGs (:func:`palette_png`).
    """
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


# --------------------------------------------------------------------------------------------
# Region figures: a static layer (the same for every region of a cohort) and the region's layer.
#
# A batch draws the same cohort background hundreds of times; drawing text and hundreds of
# points is most of a report's cost. Each region figure is therefore split in two functions:
# ``_<name>_static`` (cohort, national and target parts) and ``_<name>_region`` (the region's
# artists, its title and the legend). ``plot_<name>`` draws both into a new Figure (for
# notebooks); ``<name>_png`` draws the static layer once per process and content, keeps its
# pixels, and per region paints only the region's artists over a copy of them (Agg blitting),
# then removes them again. Both paths run the same code for the same inputs, so a warm kernel and
# a fresh one produce identical bytes.


@dataclass
class _Layer:
    fig: Figure
    background: Any
    base: dict[str, Any]


#: Static layers by (figure kind, digest of its inputs), most recently used last.
_LAYERS: OrderedDict[tuple[str, str], _Layer] = OrderedDict()
#: Layers kept per process: a batch needs 4 per language for the cohort figures, one more
#: domain-profile layer per set of focus domains (its labels mark them; at most 10 more), and
#: one locator layer per province it covers (34 in the 2020 boundary file, for every
#: kabupaten/kota).
MAX_LAYERS = 64


def _digest(obj: object) -> str:
    return hashlib.sha256(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


def palette_png(image: PIL.Image.Image, dpi: int) -> bytes:
    """``image`` as a PNG of at most :data:`PALETTE_COLOURS` colours (no timestamp or software
    tag, so reruns give identical bytes).

    Report figures draw a few flat colours plus their anti-aliased edges (500-1,500 distinct
    colours); Pillow's fast octree quantiser keeps them visually identical (on five region
    figures: mean channel error 1.2/255, at most 14/255 for an opaque RGB image) at about 28% of
    the bytes of the full-colour PNG, in about 10-30 ms a figure (median cut: 25-60 ms and
    larger files). Pass an opaque figure as RGB: an RGBA quantisation shifts flat backgrounds
    by up to 24/255.
    """
    buf = io.BytesIO()
    image.quantize(PALETTE_COLOURS, method=PIL.Image.Quantize.FASTOCTREE).save(
        buf, format="png", dpi=(dpi, dpi), compress_level=PNG_COMPRESS_LEVEL
    )
    return buf.getvalue()


def _encode(canvas: FigureCanvasAgg, dpi: int) -> bytes:
    rgba = np.asarray(canvas.buffer_rgba())
    if rgba[..., 3].min() == 255:  # opaque (every report figure): quantise the colours only
        return palette_png(PIL.Image.fromarray(np.ascontiguousarray(rgba[..., :3])), dpi)
    return palette_png(PIL.Image.fromarray(rgba), dpi)


def _title(ax: Axes, text: str, size: float | None = None) -> None:
    """An axes title drawn as an ordinary text artist (so it can belong to the region layer)."""
    fig = ax.get_figure()
    ax.text(
        0,
        1,
        text,
        transform=offset_copy(ax.transAxes, fig=fig, y=6, units="points"),
        ha="left",
        va="bottom",
        fontsize=size if size is not None else mpl.rcParams["axes.titlesize"],
    )


def _layer(
    kind: str,
    static: Callable[..., tuple[Figure, dict[str, Any]]],
    static_args: dict[str, Any],
    dpi: int,
) -> tuple[tuple[str, str], _Layer]:
    """The cached static layer of ``kind`` for ``static_args``, drawn now if it is not cached
    (call inside ``style.apply()``)."""
    key = (kind, _digest((static_args, dpi)))
    layer = _LAYERS.get(key)
    if layer is None:
        fig, base = static(**static_args)
        fig.set_dpi(dpi)
        fig.canvas.draw()
        for ax in fig.axes:  # freeze the view: region artists must not rescale it
            ax.set_xlim(ax.get_xlim())
            ax.set_ylim(ax.get_ylim())
        layer = _Layer(fig, fig.canvas.copy_from_bbox(fig.bbox), base)
        _LAYERS[key] = layer
        while len(_LAYERS) > MAX_LAYERS:
            _LAYERS.popitem(last=False)
    else:
        _LAYERS.move_to_end(key)
    return key, layer


def prime_layer(
    kind: str,
    static: Callable[..., tuple[Figure, dict[str, Any]]],
    static_args: dict[str, Any],
    dpi: int = DPI,
) -> None:
    """Draw and cache the static layer of ``kind`` for ``static_args`` without a region on it.

    The report runner's fork server calls this (through :func:`living_lab.report.warmup.warm_up`)
    so that every report forked from it finds the layer drawn.
    """
    with style.apply():
        _layer(kind, static, static_args, dpi)


def _layered_png(
    kind: str,
    static: Callable[..., tuple[Figure, dict[str, Any]]],
    static_args: dict[str, Any],
    region: Callable[..., None],
    region_args: dict[str, Any],
    dpi: int = DPI,
) -> bytes:
    with style.apply():
        key, layer = _layer(kind, static, static_args, dpi)
        fig, canvas = layer.fig, layer.fig.canvas
        before_fig = set(fig.get_children())
        before = {ax: (set(ax.get_children()), len(ax.containers)) for ax in fig.axes}
        new: list[Any] = []
        try:
            region(fig, layer.base, **region_args)
            for ax in fig.axes:
                new += [a for a in ax.get_children() if a not in before[ax][0]]
            new += [a for a in fig.get_children() if a not in before_fig]
            canvas.restore_region(layer.background)
            renderer = canvas.get_renderer()
            for artist in sorted(new, key=lambda a: a.get_zorder()):
                artist.draw(renderer)
            png = _encode(canvas, dpi)
        except BaseException:
            _LAYERS.pop(key, None)  # never reuse a layer left in an unknown state
            raise
        finally:
            for artist in new:
                try:
                    artist.remove()
                except (NotImplementedError, ValueError):
                    pass
            for ax, (_, n_containers) in before.items():
                del ax.containers[n_containers:]
        return png


def _full(
    static: Callable[..., tuple[Figure, dict[str, Any]]],
    static_args: dict[str, Any],
    region: Callable[..., None],
    region_args: dict[str, Any],
) -> Figure:
    with style.apply():
        fig, base = static(**static_args)
        region(fig, base, **region_args)
    return fig


# -- trajectory ---------------------------------------------------------------------------


def _trajectory_static(
    *,
    cohort_median: pd.DataFrame | None,
    national: pd.DataFrame | None,
    target: float,
    target_year: int,
    years: Sequence[int],
    labels: Mapping[str, str],
    lang: str,
) -> tuple[Figure, dict[str, Any]]:
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
    style.target_line(ax, target, labels["target"])
    ax.axvline(target_year, color=style.TARGET, lw=0.8, alpha=0.6)
    all_years = [*years, target_year]
    if national is not None and len(national):
        all_years += [int(y) for y in national["year"]]
    ax.set_xlim(min(all_years) - 0.4, max(all_years) + 0.4)
    ax.set_ylim(1, 5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _axis_numbers(ax, lang)
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    # The legend is part of the cohort layer (drawing legends is costly): proxies stand for the
    # region's artists, which carry no label of their own.
    handles, names = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], color=style.FOCUS, lw=2.4, marker="o", ms=7),
        Line2D([], [], color=style.FOCUS, lw=1.8, ls="--"),
        Patch(color=style.FOCUS, alpha=0.15, lw=0),
    ]
    names += [labels["region"], labels["forecast"], labels["interval"]]
    fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=8)
    return fig, {"ax": ax}


def _trajectory_region(
    fig: Figure,
    base: dict[str, Any],
    *,
    series: pd.DataFrame,
    forecast: pd.DataFrame | None,
    labels: Mapping[str, str],
    lang: str,
) -> None:
    ax: Axes = base["ax"]
    if forecast is not None and len(forecast):
        # The fan opens at the last published score (no uncertainty there).
        last = series.dropna().tail(1)
        fx = np.concatenate([last["year"].to_numpy(), forecast["year"].to_numpy()])
        fy = np.concatenate([last["index"].to_numpy(), forecast["mean"].to_numpy()])
        flo = np.concatenate([last["index"].to_numpy(), forecast["lo"].to_numpy()])
        fhi = np.concatenate([last["index"].to_numpy(), forecast["hi"].to_numpy()])
        ax.fill_between(fx, flo, fhi, color=style.FOCUS, alpha=0.15, lw=0)
        ax.plot(fx, fy, color=style.FOCUS, lw=1.8, ls="--")
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
        zorder=5,
    )
    for x, y in zip(series["year"], series["index"], strict=True):
        if pd.notna(y):
            _focus_label(ax, fmt_number(y, lang), (x, y), dy=8)
    _title(ax, labels["title"])


def _trajectory_args(
    series: pd.DataFrame,
    cohort_median: pd.DataFrame | None,
    national: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    target: float,
    target_year: int,
    years: Sequence[int] | None,
    labels: Mapping[str, str],
    lang: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    static_keys = ("x", "y", "median", "national", "target", "region", "forecast", "interval")
    return (
        {
            "cohort_median": cohort_median,
            "national": national,
            "target": float(target),
            "target_year": int(target_year),
            "years": sorted({int(y) for y in (years if years is not None else series["year"])}),
            "labels": {k: labels[k] for k in static_keys},
            "lang": lang,
        },
        {"series": series, "forecast": forecast, "labels": dict(labels), "lang": lang},
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
    years: Sequence[int] | None = None,
) -> Figure:
    """The region's SPBE index by year with the cohort median, the national index, the forecast
    (median and interval, if any) and the target.

    Parameters
    ----------
    series : ``year``, ``index`` of the region.
    cohort_median, national : ``year``, ``index`` (optional lines for context).
    forecast : ``year``, ``mean``, ``lo``, ``hi`` (optional).
    years : every year any region of the cohort may show (fixes the x axis for all of them);
        default the region's own years.
    labels : ``title``, ``x``, ``y``, ``region``, ``median``, ``national``, ``forecast``,
        ``interval``, ``target``.
    """
    s, r = _trajectory_args(
        series, cohort_median, national, forecast, target, target_year, years, labels, lang
    )
    return _full(_trajectory_static, s, _trajectory_region, r)


def trajectory_png(series: pd.DataFrame, **kwargs: Any) -> bytes:
    """PNG of :func:`plot_trajectory` (same arguments), reusing the cohort layer."""
    s, r = _trajectory_args(
        series,
        kwargs["cohort_median"],
        kwargs["national"],
        kwargs["forecast"],
        kwargs["target"],
        kwargs["target_year"],
        kwargs.get("years"),
        kwargs["labels"],
        kwargs["lang"],
    )
    return _layered_png("trajectory", _trajectory_static, s, _trajectory_region, r)


# -- domain profile -----------------------------------------------------------------------


def _domains_static(
    *,
    domain_labels: Sequence[str],
    median: Sequence[float],
    target: float,
    labels: Mapping[str, str],
    lang: str,
) -> tuple[Figure, dict[str, Any]]:
    fig, (ax,) = _figure(8.0, 3.6, left=2.3, bottom=1.0)
    y = np.arange(len(domain_labels))[::-1]
    ax.scatter(median, y, s=70, color=style.PEER, label=labels["median"], zorder=3)
    ax.axvline(target, color=style.TARGET, ls="--", lw=1.5, label=labels["target"], zorder=2)
    ax.set_yticks(y, list(domain_labels))
    ax.set_xlim(0, 5.2)
    ax.set_ylim(-0.6, len(domain_labels) - 0.3)
    _axis_numbers(ax, lang, "x")
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(labels["x"])
    handles, names = ax.get_legend_handles_labels()
    handles += [
        Line2D([], [], ls="", marker="D", ms=8, color=style.NATIONAL),
        Line2D([], [], ls="", marker="o", ms=11, color=style.FOCUS),
    ]
    names += [labels["best"], labels["region"]]
    fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=4, fontsize=8)
    return fig, {"ax": ax, "y": y}


def _domains_region(
    fig: Figure,
    base: dict[str, Any],
    *,
    region: Sequence[float],
    median: Sequence[float],
    best: Sequence[float],
    labels: Mapping[str, str],
    lang: str,
) -> None:
    ax: Axes = base["ax"]
    y = base["y"]
    for yi, values in zip(y, zip(region, median, best, strict=True), strict=True):
        vals = [v for v in values if pd.notna(v)]
        if vals:
            ax.plot([min(vals), max(vals)], [yi, yi], color="#bbb", lw=2, zorder=1)
    ax.scatter(best, y, s=70, marker="D", color=style.NATIONAL, zorder=3)
    ax.scatter(region, y, s=120, color=style.FOCUS, zorder=4)
    for yi, v in zip(y, region, strict=True):
        if pd.notna(v):
            _focus_label(ax, fmt_number(v, lang), (v, yi), dy=9)
    _title(ax, labels["title"])


def _domains_args(
    domains: pd.DataFrame, target: float, labels: Mapping[str, str], lang: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    median = [float(v) for v in domains["median"]]
    return (
        {
            "domain_labels": [str(x) for x in domains["label"]],
            "median": median,
            "target": float(target),
            "labels": {k: labels[k] for k in ("x", "median", "target", "best", "region")},
            "lang": lang,
        },
        {
            "region": [float(v) for v in domains["region"]],
            "median": median,
            "best": [float(v) for v in domains["best"]],
            "labels": dict(labels),
            "lang": lang,
        },
    )


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
    s, r = _domains_args(domains, target, labels, lang)
    return _full(_domains_static, s, _domains_region, r)


def domain_profile_png(domains: pd.DataFrame, **kwargs: Any) -> bytes:
    """PNG of :func:`plot_domain_profile` (same arguments), reusing the cohort layer."""
    s, r = _domains_args(domains, kwargs["target"], kwargs["labels"], kwargs["lang"])
    return _layered_png("domains", _domains_static, s, _domains_region, r)


def prime_domain_profile(
    domains: pd.DataFrame, *, target: float, labels: Mapping[str, str], lang: str
) -> None:
    """Draw and cache the cohort layer :func:`domain_profile_png` uses for these arguments (its
    domain labels, the cohort median and the target), without drawing a region on it."""
    s, _ = _domains_args(domains, target, labels, lang)
    prime_layer("domains", _domains_static, s)


# -- outcomes against peers ---------------------------------------------------------------


def _outcomes_static(
    *, panels: Sequence[Mapping[str, Any]], labels: Mapping[str, str], lang: str
) -> tuple[Figure, dict[str, Any]]:
    rng = np.random.default_rng(0)  # fixed jitter: the same figure on every run
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
        vals = np.asarray(panel["values"], dtype=float)
        vals = vals[np.isfinite(vals)]
        jitter = rng.uniform(-0.25, 0.25, len(vals))
        ax.scatter(vals, jitter, s=22, color=style.PEER, alpha=0.6, label=labels["peers"], zorder=2)
        if len(vals):
            ax.axvline(float(np.median(vals)), color=style.PEER, lw=1.5, label=labels["median"])
        for i, (value, text) in enumerate(panel["targets"]):
            ax.axvline(value, color=style.TARGET, ls="--" if i == 0 else "-.", lw=1.5, label=text)
        ax.set_yticks([])
        ax.set_ylim(-0.6, 0.6)
        ax.grid(axis="y", visible=False)
        _axis_numbers(ax, lang, "x")
        _title(ax, str(panel["title"]), size=11)
        ax.set_xlabel(str(panel["x"]))
        handles, names = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], ls="", marker="o", ms=12, color=style.FOCUS))
        names.append(labels["region"])
        ax.legend(handles, names, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return fig, {"axes": axes}


def _outcomes_region(
    fig: Figure,
    base: dict[str, Any],
    *,
    focus: Sequence[float | None],
    decimals: Sequence[int],
    labels: Mapping[str, str],
    lang: str,
) -> None:
    for ax, value, nd in zip(base["axes"], focus, decimals, strict=True):
        if value is not None and np.isfinite(value):
            ax.scatter([value], [0], s=160, color=style.FOCUS, zorder=4)
            _focus_label(
                ax,
                fmt_number(value, lang, nd),
                (value, 0),
                dy=12,
                fontsize=10,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85),
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
    fig.text(0.02, 0.985, labels["title"], ha="left", va="top", fontsize=13)


def _outcomes_args(
    panels: Sequence[Mapping[str, object]], labels: Mapping[str, str], lang: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    static_panels = [
        {
            "values": [float(v) for v in pd.Series(p["values"]).astype(float)],  # type: ignore[arg-type]
            "targets": [(float(v), str(t)) for v, t in p["targets"]],  # type: ignore[attr-defined]
            "title": str(p["title"]),
            "x": str(p["x"]),
        }
        for p in panels
    ]
    focus = [None if p["focus"] is None else float(p["focus"]) for p in panels]  # type: ignore[arg-type]
    decimals = [int(p.get("decimals", 1)) for p in panels]  # type: ignore[call-overload]
    return (
        {
            "panels": static_panels,
            "labels": {k: labels[k] for k in ("peers", "median", "region")},
            "lang": lang,
        },
        {"focus": focus, "decimals": decimals, "labels": dict(labels), "lang": lang},
    )


def plot_outcomes(
    panels: Sequence[Mapping[str, object]],
    *,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """One strip per outcome: every peer as a dot, the region highlighted, the cohort median
    and the national targets.

    Each panel mapping has ``values`` (Series of the cohort), ``focus`` (the region's value or
    None), ``targets`` (list of (value, label)), ``title``, ``x`` (axis label with unit) and
    optionally ``decimals`` (of the region's value label, default 1).
    ``labels``: ``title``, ``peers``, ``median``, ``region``, ``missing``.
    """
    s, r = _outcomes_args(panels, labels, lang)
    return _full(_outcomes_static, s, _outcomes_region, r)


def outcomes_png(panels: Sequence[Mapping[str, object]], **kwargs: Any) -> bytes:
    """PNG of :func:`plot_outcomes` (same arguments), reusing the cohort layer."""
    s, r = _outcomes_args(panels, kwargs["labels"], kwargs["lang"])
    return _layered_png("outcomes", _outcomes_static, s, _outcomes_region, r)


# -- SPBE-outcome relation ----------------------------------------------------------------


def _relation_static(
    *, panels: Sequence[Mapping[str, Any]], labels: Mapping[str, str], lang: str
) -> tuple[Figure, dict[str, Any]]:
    fig, axes = _figure(8.6, 4.5, ncols=len(panels), left=0.7, top=0.75, bottom=1.2)
    for ax, panel in zip(axes, panels, strict=True):
        data: pd.DataFrame = panel["data"]
        others = data[~data["in_cohort"]]
        peers = data[data["in_cohort"]]
        ax.scatter(others["index"], others["value"], s=9, color="#c8c8c8", label=labels["others"])
        ax.scatter(peers["index"], peers["value"], s=22, color=style.PEER, label=labels["cohort"])
        line = panel.get("line")
        if isinstance(line, pd.DataFrame):
            ax.fill_between(line["x"], line["lo"], line["hi"], color=style.NATIONAL, alpha=0.15)
            ax.plot(line["x"], line["fit"], color=style.NATIONAL, lw=1.5, label=labels["fit"])
        if panel.get("target") is not None:  # not on adjusted (added-variable) axes
            ax.axvline(panel["target"], color=style.TARGET, ls="--", lw=1.2, label=labels["target"])
        _title(ax, str(panel["title"]), size=11)
        ax.set_xlabel(str(panel.get("x", labels["x"])))
        ax.set_ylabel(str(panel["y"]))
        _axis_numbers(ax, lang, "x")
        _axis_numbers(ax, lang, "y")
    fig.text(0.02, 0.985, labels["title"], ha="left", va="top", fontsize=13)
    handles, names = axes[0].get_legend_handles_labels()
    handles.append(Line2D([], [], ls="", marker="o", ms=11, color=style.FOCUS))
    names.append(labels["region"])
    fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=8)
    return fig, {"axes": axes}


def _relation_region(
    fig: Figure,
    base: dict[str, Any],
    *,
    focus: Sequence[tuple[float, float] | None],
) -> None:
    axes = base["axes"]
    for ax, point in zip(axes, focus, strict=True):
        if point is not None:
            ax.scatter([point[0]], [point[1]], s=140, color=style.FOCUS, zorder=5)


def _relation_args(
    panels: Sequence[Mapping[str, object]], labels: Mapping[str, str], lang: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    static_panels = [{k: v for k, v in p.items() if k != "focus"} for p in panels]
    focus = [p.get("focus") for p in panels]
    return (
        {
            "panels": static_panels,
            "labels": {
                k: labels[k] for k in ("title", "x", "others", "cohort", "fit", "target", "region")
            },
            "lang": lang,
        },
        {"focus": focus},
    )


def plot_relation(
    panels: Sequence[Mapping[str, object]],
    *,
    labels: Mapping[str, str],
    lang: str,
) -> Figure:
    """Outcome against the SPBE index across regions, with the fitted line and the region.

    Each panel has ``data`` (DataFrame ``index``, ``value``, ``in_cohort``), ``focus`` ((x, y)
    or None), ``line`` (DataFrame ``x``, ``fit``, ``lo``, ``hi``, or None), ``target``,
    ``title``, ``y`` and optionally ``x`` (else ``labels["x"]``).
    ``labels``: ``title``, ``x``, ``others``, ``cohort``, ``region``, ``fit``, ``target``.
    """
    s, r = _relation_args(panels, labels, lang)
    return _full(_relation_static, s, _relation_region, r)


def relation_png(panels: Sequence[Mapping[str, object]], **kwargs: Any) -> bytes:
    """PNG of :func:`plot_relation` (same arguments), reusing the cohort layer."""
    s, r = _relation_args(panels, kwargs["labels"], kwargs["lang"])
    return _layered_png("relation", _relation_static, s, _relation_region, r)


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
        fig, (ax,) = _figure(8.0, max(3.0, 0.26 * len(movers) + 1.7), left=2.6, bottom=1.0)
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
        _title(ax, labels["title"])
        ax.set_xlabel(labels["x"])
        handles, names = ax.get_legend_handles_labels()
        fig.legend(
            handles, names, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=8
        )
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
                # The bar is the expected share; in a small cohort it can lie outside the 80%
                # interval of the (discrete) share, so the interval is drawn on its own.
                ax.errorbar(
                    proj["year"],
                    50 * (proj["lo"] + proj["hi"]),
                    yerr=50 * (proj["hi"] - proj["lo"]).clip(lower=0),
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
