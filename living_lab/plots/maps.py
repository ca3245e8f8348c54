"""Maps of kabupaten/kota: choropleths, the region locator map and the clickable index map.

Geometry comes from :mod:`living_lab.boundaries` (projected once per process); the matplotlib
path of every region is built once and reused by every map, and the locator map's province
layer is drawn once per province and language (the cached static layer of
:mod:`living_lab.plots.report`). Every map marks regions "not evaluated" (no SPBE result in the
year) and "no data" (a missing figure) with hatching, never with a colour of the scale, and
states its source and licence under the map. Palettes are colour-blind safe: ColorBrewer YlGnBu
for the ordered predicates, cividis for the index, PuOr (diverging at zero) for changes and
YlOrBr for rates where higher is worse.

Functions take plain tables and already translated labels where a report section formats
them; :func:`plot_column_map` (explore notebook) and :func:`index_map_html` (index page) build
their own labels from the locale files.

Examples
--------
>>> import pandas as pd
>>> fig = plot_map(pd.Series({"3211": 4.51, "3204": 3.1}), scale=continuous("index"),
...                focus=["3211", "3204", "3273"], not_evaluated=["3273"], title="t", lang="en")
>>> len(fig.axes) >= 2
True
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize, TwoSlopeNorm, to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter

from living_lab import boundaries
from living_lab.framework import load_framework
from living_lab.plots import style
from living_lab.text import Lang, number, t

#: Ordered predicate colours, lowest (Kurang) first: ColorBrewer YlGnBu, 5 classes
#: (colour-blind safe, prints in grey as a ramp).
PREDICATE_COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
#: Colour maps by kind of measure (all colour-blind safe).
CMAPS = {"index": "cividis", "change": "PuOr", "rate": "YlOrBr"}
#: Fills that are not values: hatched, so they never read as a low value.
NOT_EVALUATED = {"facecolor": "#ffffff", "hatch": "////", "hatch_colour": "#6b6b6b"}
NO_DATA = {"facecolor": "#ffffff", "hatch": "...", "hatch_colour": "#8a8a8a"}
CONTEXT = "#e9e9e9"
REGION_EDGE = "#ffffff"
PROVINCE_EDGE = "#1f1f1f"
#: Report map resolution (dots per inch); maps are small, so PNGs stay small.
DPI = 96
#: Width of the index page's SVG map (viewBox units = CSS pixels at full width).
SVG_WIDTH = 960
#: Layout of a map panel (inches): title above, colour bar and legend below, attribution.
TITLE_IN, LEGEND_IN, ATTRIBUTION_IN = 0.3, 0.95, 0.3
_CODE = r"^\d{4}$"


# -- geometry ------------------------------------------------------------------------------


def _to_path(geom: shapely.Geometry) -> MplPath:
    """A (multi)polygon as one matplotlib path, holes kept (exterior CCW, holes CW)."""
    geom = shapely.orient_polygons(geom)
    verts, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            c = np.full(len(xy), MplPath.LINETO, dtype=MplPath.code_type)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


@cache
def _region_paths() -> dict[str, MplPath]:
    """Matplotlib path of every region in the map projection (built once per process)."""
    gdf = boundaries._frame(True)
    return {code: _to_path(geom) for code, geom in gdf.geometry.items()}


@cache
def _province_path(province_code: str) -> MplPath:
    return _to_path(boundaries.province_outline(province_code))


def _extent(codes: Collection[str], pad: float = 0.04) -> tuple[float, float, float, float]:
    """Bounding box (minx, miny, maxx, maxy) of ``codes`` with a margin, in map units."""
    gdf = boundaries._frame(True)
    minx, miny, maxx, maxy = gdf.loc[list(codes)].total_bounds
    dx, dy = (maxx - minx) * pad or 5000.0, (maxy - miny) * pad or 5000.0
    return minx - dx, miny - dy, maxx + dx, maxy + dy


def _within(extent: tuple[float, float, float, float]) -> list[str]:
    """Regions whose bounding box meets ``extent`` (drawn as context around the focus)."""
    b = boundaries._frame(True).bounds
    minx, miny, maxx, maxy = extent
    hit = (b["maxx"] >= minx) & (b["minx"] <= maxx) & (b["maxy"] >= miny) & (b["miny"] <= maxy)
    return list(b.index[hit.to_numpy()])


# -- colour scales ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How values become colours: ordered categories, or a continuous colour map.

    Attributes
    ----------
    kind : ``"categories"`` or ``"continuous"``.
    categories, colours : the categories in order and their colours (``"categories"``).
    cmap : matplotlib colour map name; ``vmin``/``vmax`` fix its range (else the data's),
        ``centre`` makes it diverging around that value (``"continuous"``).
    decimals : decimals of the colour bar's numbers.
    """

    kind: Literal["categories", "continuous"]
    categories: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    cmap: str = "cividis"
    vmin: float | None = None
    vmax: float | None = None
    centre: float | None = None
    decimals: int = 1

    def norm(self, values: pd.Series) -> Normalize:
        v = pd.to_numeric(values, errors="coerce").dropna()
        lo = self.vmin if self.vmin is not None else (float(v.min()) if len(v) else 0.0)
        hi = self.vmax if self.vmax is not None else (float(v.max()) if len(v) else 1.0)
        if self.centre is not None:
            span = max(abs(lo - self.centre), abs(hi - self.centre)) or 1.0
            return TwoSlopeNorm(self.centre, self.centre - span, self.centre + span)
        return Normalize(lo, hi if hi > lo else lo + 1.0)

    def colours_of(self, values: pd.Series) -> pd.Series:
        """Hex colour of each non-missing value (index kept); missing values dropped."""
        present = values.dropna()
        if self.kind == "categories":
            table = dict(zip(self.categories, self.colours, strict=True))
            return present.astype(str).map(table).dropna()
        norm, cmap = self.norm(values), colormaps[self.cmap]
        nums = pd.to_numeric(present, errors="coerce").dropna()
        return pd.Series([to_hex(cmap(norm(v))) for v in nums], index=nums.index, dtype=object)


def predicates() -> Scale:
    """The five SPBE predicates, lowest first (PermenPANRB 59/2020)."""
    names = tuple(p.name for p in load_framework().predicates)
    return Scale("categories", categories=names, colours=PREDICATE_COLOURS[: len(names)])


def continuous(measure: Literal["index", "change", "rate"], decimals: int = 1) -> Scale:
    """A colour-blind-safe continuous scale: index (1-5), change (0 centred) or a rate."""
    if measure == "index":
        fw = load_framework()
        return Scale("continuous", cmap=CMAPS["index"], vmin=1.0, vmax=fw.scale_max, decimals=1)
    if measure == "change":
        return Scale("continuous", cmap=CMAPS["change"], centre=0.0, decimals=2)
    return Scale("continuous", cmap=CMAPS["rate"], decimals=decimals)


# -- matplotlib maps -----------------------------------------------------------------------


def _fmt(value: float, lang: str, decimals: int) -> str:
    return number(value, lang, decimals)


def draw_regions(
    ax: Axes,
    values: pd.Series,
    *,
    scale: Scale,
    focus: Sequence[str],
    not_evaluated: Collection[str] = (),
    extent: tuple[float, float, float, float] | None = None,
    outline: bool = True,
) -> dict[str, bool]:
    """Fill the ``focus`` regions by ``values`` on ``ax``; context around them in grey.

    Regions of ``focus`` in ``not_evaluated`` are hatched "not evaluated"; other focus
    regions without a value are hatched "no data"; regions outside ``focus`` but inside the
    map's extent are drawn plain grey. Province outlines of the focus are drawn on top.
    Returns which of the non-value fills were used (for the legend).
    """
    paths = _region_paths()
    extent = extent or _extent(focus)
    focus_set = set(focus)
    ne = [c for c in focus if c in set(not_evaluated)]
    colours = scale.colours_of(values.reindex([c for c in focus if c not in set(ne)]))
    nd = [c for c in focus if c not in set(ne) and c not in colours.index]
    context = [c for c in _within(extent) if c not in focus_set]
    if context:
        ax.add_collection(
            PathCollection(
                [paths[c] for c in context],
                facecolors=CONTEXT,
                edgecolors=REGION_EDGE,
                linewidths=0.3,
                zorder=1,
            )
        )
    if len(colours):
        ax.add_collection(
            PathCollection(
                [paths[c] for c in colours.index],
                facecolors=list(colours),
                edgecolors=REGION_EDGE,
                linewidths=0.35,
                zorder=2,
            )
        )
    for codes, spec in ((ne, NOT_EVALUATED), (nd, NO_DATA)):
        if codes:
            ax.add_collection(
                PathCollection(
                    [paths[c] for c in codes],
                    facecolors=spec["facecolor"],
                    edgecolors=spec["hatch_colour"],
                    linewidths=0.35,
                    hatch=spec["hatch"],
                    zorder=2,
                )
            )
    if outline:
        provinces = sorted(set(boundaries._frame(True).loc[list(focus), "province_code"]))
        ax.add_collection(
            PathCollection(
                [_province_path(p) for p in provinces],
                facecolors="none",
                edgecolors=PROVINCE_EDGE,
                linewidths=0.9,
                zorder=3,
            )
        )
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return {"not_evaluated": bool(ne), "no_data": bool(nd), "context": bool(context)}


def _legend(
    fig: Figure,
    ax: Axes,
    values: pd.Series,
    scale: Scale,
    used: Mapping[str, bool],
    labels: Mapping[str, str],
    lang: str,
) -> None:
    """Categories (or a colour bar) and the non-value fills, under the map axes."""
    handles = []
    if scale.kind == "categories":
        handles += [
            Patch(facecolor=c, edgecolor="#999", label=k)
            for k, c in zip(scale.categories, scale.colours, strict=True)
        ]
    else:
        box = ax.get_position()
        fig_h = fig.get_figheight()
        cax = fig.add_axes(
            (box.x0 + box.width * 0.15, box.y0 - 0.3 / fig_h, box.width * 0.7, 0.12 / fig_h)
        )
        from matplotlib.cm import ScalarMappable

        sm = ScalarMappable(norm=scale.norm(values), cmap=colormaps[scale.cmap])
        bar = fig.colorbar(sm, cax=cax, orientation="horizontal")
        bar.ax.tick_params(labelsize=7, length=2)
        bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: _fmt(v, lang, scale.decimals)))
        bar.outline.set_linewidth(0.4)
    for key, spec in (("not_evaluated", NOT_EVALUATED), ("no_data", NO_DATA)):
        if used.get(key):
            handles.append(
                Patch(
                    facecolor=spec["facecolor"],
                    edgecolor=spec["hatch_colour"],
                    hatch=spec["hatch"],
                    label=labels[key],
                )
            )
    if used.get("context") and labels.get("context"):
        handles.append(Patch(facecolor=CONTEXT, edgecolor="#bbb", label=labels["context"]))
    if handles:
        box = ax.get_position()
        y = box.y0 - (0.52 if scale.kind == "continuous" else 0.08) / fig.get_figheight()
        fig.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(box.x0 + box.width / 2, y),
            ncol=min(3, len(handles)),
            fontsize=7,
            frameon=False,
            handlelength=1.6,
            columnspacing=1.0,
        )


def map_labels(lang: Lang, year: int | str = "") -> dict[str, str]:
    """The legend and attribution texts of a map in ``lang``."""
    return {
        "not_evaluated": t("maps.not_evaluated", lang, year=year),
        "no_data": t("maps.no_data", lang),
        "context": t("maps.context", lang),
        "attribution": t("maps.attribution", lang),
    }


def _attribution(fig: Figure, text: str, source: str = "") -> None:
    line = f"{source} · {text}" if source else text
    fig.text(0.01, 0.008, line, fontsize=6.5, color="#444", ha="left", va="bottom", wrap=True)


def plot_maps(
    panels: Sequence[Mapping[str, Any]],
    *,
    focus: Sequence[str],
    labels: Mapping[str, str],
    lang: str,
    source: str = "",
    ncols: int = 2,
    panel_size: tuple[float, float] = (4.6, 4.0),
) -> Figure:
    """Maps side by side, one per panel, with one attribution line under them.

    Parameters
    ----------
    panels : each a mapping with ``values`` (Series by region code), ``scale``
        (:class:`Scale`), ``title`` and optional ``not_evaluated`` (codes).
    focus : the regions filled (the cohort); others in the extent are grey context.
    labels : :func:`map_labels`.
    source : where the values come from (stated before the boundaries' attribution).
    """
    n = len(panels)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    extent = _extent(focus)
    aspect = (extent[2] - extent[0]) / (extent[3] - extent[1])
    width = panel_size[0]
    map_h = min(width * 0.96 / aspect, panel_size[1])
    panel_h = TITLE_IN + map_h + LEGEND_IN
    fig_w, fig_h = width * ncols, panel_h * nrows + ATTRIBUTION_IN
    fig = Figure(figsize=(fig_w, fig_h))
    FigureCanvasAgg(fig)
    with style.apply():
        for i, panel in enumerate(panels):
            r, c = divmod(i, ncols)
            top = fig_h - r * panel_h - TITLE_IN
            ax = fig.add_axes(
                (
                    (c * width + 0.02 * width) / fig_w,
                    (top - map_h) / fig_h,
                    0.96 * width / fig_w,
                    map_h / fig_h,
                )
            )
            values = panel["values"]
            used = draw_regions(
                ax,
                values,
                scale=panel["scale"],
                focus=focus,
                not_evaluated=panel.get("not_evaluated", ()),
                extent=extent,
            )
            ax.set_title(str(panel["title"]), fontsize=10, loc="left")
            _legend(fig, ax, values, panel["scale"], used, labels, lang)
        _attribution(fig, labels["attribution"], source)
    return fig


def plot_map(
    values: pd.Series,
    *,
    scale: Scale,
    focus: Sequence[str] | None = None,
    not_evaluated: Collection[str] = (),
    title: str = "",
    lang: Lang = "id",
    labels: Mapping[str, str] | None = None,
    source: str = "",
    size: tuple[float, float] = (7.0, 4.6),
) -> Figure:
    """One map of ``values`` (Series by region code); every region when ``focus`` is None."""
    focus = list(focus) if focus is not None else list(_region_paths())
    panel = {"values": values, "scale": scale, "title": title, "not_evaluated": not_evaluated}
    return plot_maps(
        [panel],
        focus=focus,
        labels=labels or map_labels(lang),
        lang=lang,
        source=source,
        ncols=1,
        panel_size=size,
    )


def plot_column_map(
    panel: pd.DataFrame,
    column: str,
    *,
    year: int | None = None,
    regions: Sequence[str] | None = None,
    lang: Lang = "id",
) -> Figure:
    """A map of any column of :func:`living_lab.datasets.load_panel` in one year.

    ``year`` defaults to the latest year in which the column has a value; ``regions`` (codes)
    limits the map, e.g. to a cohort. Text columns (``predicate``) get categories, numbers a
    continuous scale (PuOr centred at zero for columns named ``*change*``).
    """
    if column not in panel.columns:
        from living_lab.errors import ParameterError

        raise ParameterError(
            f"column: {column!r} is not in the panel; expected one of {list(panel.columns)}"
        )
    have = panel.dropna(subset=[column])
    year = int(year if year is not None else have["year"].max())
    rows = panel[panel["year"] == year].set_index("region_code")[column]
    rows = rows[~rows.index.duplicated()]
    if column == "predicate":
        scale = predicates()
    elif pd.api.types.is_numeric_dtype(panel[column]):
        scale = continuous("change" if "change" in column else "rate", decimals=1)
        if column in ("index", "d1", "d2", "d3", "d4"):
            scale = continuous("index")
    else:
        cats = tuple(sorted(rows.dropna().astype(str).unique()))
        cmap = colormaps["tab10"]
        scale = Scale(
            "categories",
            categories=cats,
            colours=tuple(to_hex(cmap(i % 10)) for i in range(len(cats))),
        )
    focus = list(regions) if regions is not None else list(_region_paths())
    return plot_map(
        rows,
        scale=scale,
        focus=focus,
        title=t("maps.explore.title", lang, column=column, year=year, n=int(rows.notna().sum())),
        lang=lang,
    )


# -- region locator (cached province layer) --------------------------------------------------


def _locator_static(*, province_code: str, attribution: str) -> tuple[Figure, dict[str, Any]]:
    gdf = boundaries._frame(True)
    members = list(gdf.index[gdf["province_code"] == province_code])
    fig = Figure(figsize=(4.4, 3.9))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.16, 0.96, 0.74))
    extent = _extent(members, pad=0.06)
    paths = _region_paths()
    context = [c for c in _within(extent) if c not in set(members)]
    if context:
        ax.add_collection(
            PathCollection(
                [paths[c] for c in context],
                facecolors=CONTEXT,
                edgecolors=REGION_EDGE,
                linewidths=0.3,
                zorder=1,
            )
        )
    ax.add_collection(
        PathCollection(
            [paths[c] for c in members],
            facecolors="#cfd6dc",
            edgecolors=REGION_EDGE,
            linewidths=0.5,
            zorder=2,
        )
    )
    ax.add_collection(
        PathCollection(
            [_province_path(province_code)],
            facecolors="none",
            edgecolors=PROVINCE_EDGE,
            linewidths=1.0,
            zorder=4,
        )
    )
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.text(0.01, 0.008, attribution, fontsize=6, color="#444", ha="left", va="bottom", wrap=True)
    return fig, {"ax": ax}


def _locator_region(
    fig: Figure,
    base: dict[str, Any],
    *,
    code: str,
    partners: Sequence[str],
    labels: Mapping[str, str],
) -> None:
    ax = base["ax"]
    paths = _region_paths()
    ax.add_collection(
        PathCollection(
            [paths[code]], facecolors=style.FOCUS, edgecolors="#ffffff", linewidths=0.6, zorder=3
        )
    )
    handles = [Patch(facecolor=style.FOCUS, edgecolor="#fff", label=labels["region"])]
    if partners:
        pts = shapely.point_on_surface(boundaries._frame(True).loc[list(partners)].geometry.values)
        xy = shapely.get_coordinates(pts)
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=46,
            marker="^",
            facecolor="#ffd21f",
            edgecolor="#111",
            linewidth=0.9,
            zorder=5,
            label=labels["partner"],
        )
        from matplotlib.lines import Line2D

        handles.append(
            Line2D(
                [],
                [],
                marker="^",
                linestyle="",
                markersize=7,
                markerfacecolor="#ffd21f",
                markeredgecolor="#111",
                label=labels["partner"],
            )
        )
    ax.text(0.0, 1.02, labels["title"], transform=ax.transAxes, fontsize=10, ha="left", va="bottom")
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.055),
        ncol=2,
        fontsize=7.5,
        frameon=False,
    )


def prime_locators(region_codes: Iterable[str], *, attribution: str) -> int:
    """Draw and cache the province layer of the locator map for every province among
    ``region_codes`` (with that ``attribution`` line); return how many were drawn.

    A fork server calls this once so that the reports it forks find every layer drawn.
    """
    from living_lab.plots.report import prime_layer

    gdf = boundaries._frame(True)
    codes = [c for c in region_codes if c in gdf.index]
    provinces = sorted({str(p) for p in gdf.loc[codes, "province_code"]})
    for province in provinces:
        prime_layer(
            "locator",
            _locator_static,
            {"province_code": province, "attribution": attribution},
            dpi=DPI,
        )
    return len(provinces)


def locator_png(
    code: str, partners: Sequence[str], *, labels: Mapping[str, str], attribution: str
) -> bytes:
    """PNG of ``code`` highlighted within its province, ``partners`` (codes) marked.

    ``labels``: ``title``, ``region``, ``partner``. Partners outside the province are the
    caller's to mention in text; only codes in the same province are drawn.
    """
    from living_lab.plots.report import _layered_png

    gdf = boundaries._frame(True)
    province = str(gdf.loc[code, "province_code"])
    same = [p for p in partners if p in gdf.index and gdf.loc[p, "province_code"] == province]
    return _layered_png(
        "locator",
        _locator_static,
        {"province_code": province, "attribution": attribution},
        _locator_region,
        {"code": code, "partners": same, "labels": dict(labels)},
        dpi=DPI,
    )


# -- index page SVG -----------------------------------------------------------------------


def _svg_path(geom: shapely.Geometry, tx: Any) -> str:
    parts = []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty:
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = tx(np.asarray(ring.coords))
            pts = " ".join(f"{x:.1f} {y:.1f}" for x, y in xy[:-1])
            parts.append(f"M{pts}Z")
    return "".join(parts)


def index_map_svg(
    table: pd.DataFrame,
    links: Mapping[str, str],
    *,
    year: int | str,
    lang: Lang = "id",
) -> str:
    """The index page's map of the SPBE predicate as inline SVG (a ``<figure>``), offline.

    Parameters
    ----------
    table : one row per region in the output (index ``region_code``) with ``name``,
        ``index`` and ``predicate`` of ``year`` (NaN when not evaluated).
    links : region code -> relative link of its report, only for reports in the output.

    Every region of ``table`` is filled by its predicate (hatched when not evaluated) and, when
    it has a link, wrapped in ``<a href>``; neighbouring regions are drawn grey without links;
    province outlines are drawn on top without catching clicks. Every data-derived string is
    escaped; links are made only from codes of four digits.
    """
    import re

    gdf = boundaries._frame(True)
    focus = [str(c) for c in table.index if re.match(_CODE, str(c)) and str(c) in gdf.index]
    if not focus:
        return ""
    minx, miny, maxx, maxy = _extent(focus, pad=0.03)
    scale_px = SVG_WIDTH / (maxx - minx)
    height = (maxy - miny) * scale_px
    tol = 0.6 / scale_px  # simplify to about half a pixel

    def tx(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(((xy[:, 0] - minx) * scale_px, (maxy - xy[:, 1]) * scale_px))

    def shape(code: str) -> str:
        return _svg_path(shapely.simplify(gdf.loc[code, "geometry"], tol), tx)

    scale = predicates()
    colours = scale.colours_of(table.loc[focus, "predicate"])
    esc = html.escape
    context = [c for c in _within((minx, miny, maxx, maxy)) if c not in set(focus)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_WIDTH} {height:.0f}" '
        f'class="ll-map" role="img" aria-label="{esc(t("maps.index.title", lang, year=year))}">',
        '<defs><pattern id="ll-ne" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NOT_EVALUATED["hatch_colour"]}" '
        'stroke-width="1.6"/></pattern></defs>',
        "<style>.ll-map a:hover path,.ll-map a:focus path{stroke:#000;stroke-width:2}</style>",
        f'<g fill="{CONTEXT}" stroke="#fff" stroke-width="0.6">',
    ]
    parts += [f'<path d="{shape(c)}"/>' for c in context]
    parts.append('</g><g stroke="#fff" stroke-width="0.7">')
    for code in focus:
        row = table.loc[code]
        name = str(row.get("name", code))
        pred = row.get("predicate")
        index = row.get("index")
        if pd.notna(index):
            # A published index always has a predicate; one outside the five is drawn blank.
            fill = colours.get(code, NO_DATA["facecolor"])
            tip = f"{name}: {_fmt(float(index), lang, 2)} ({pred})"
        else:
            fill = "url(#ll-ne)"
            tip = f"{name}: {t('maps.not_evaluated', lang, year=year)}"
        path = (
            f'<path d="{shape(code)}" fill="{fill}" data-code="{esc(code)}">'
            f"<title>{esc(tip)}</title></path>"
        )
        href = links.get(code)
        if href:
            parts.append(f'<a href="{esc(href)}" data-code="{esc(code)}">{path}</a>')
        else:
            parts.append(path)
    parts.append(
        f'</g><g fill="none" stroke="{PROVINCE_EDGE}" stroke-width="1.2" '
        'stroke-linejoin="round" pointer-events="none">'
    )
    provinces = sorted(set(gdf.loc[focus, "province_code"]))
    for p in provinces:
        outline = shapely.simplify(boundaries.province_outline(p), tol)
        parts.append(f'<path d="{_svg_path(outline, tx)}"/>')
    parts.append("</g></svg>")
    swatches = [
        (f"background:{c}", k) for k, c in zip(scale.categories, scale.colours, strict=True)
    ]
    swatches.append(
        (
            "background:repeating-linear-gradient(45deg,#fff 0 3px,"
            f"{NOT_EVALUATED['hatch_colour']} 3px 4.5px)",
            t("maps.not_evaluated", lang, year=year),
        )
    )
    if context:
        swatches.append((f"background:{CONTEXT}", t("maps.context", lang)))
    legend = "".join(
        f'<span class="ll-key"><i style="{css}"></i>{esc(label)}</span>' for css, label in swatches
    )
    caption = (
        f'<figcaption><div class="ll-legend">{legend}</div>'
        f'<div class="ll-attr">{esc(t("maps.source.spbe", lang, year=year))} · '
        f"{esc(t('maps.attribution', lang))}</div></figcaption>"
    )
    return f'<figure class="ll-mapfig">{"".join(parts)}{caption}</figure>'


INDEX_MAP_CSS = (
    ".ll-mapfig{margin:.6em 0 1.2em}.ll-mapfig svg{width:100%;max-width:720px;height:auto;"
    "display:block;background:#fbfbfa;border:1px solid #eee}"
    ".ll-legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:.85em;margin:.4em 0}"
    ".ll-key i{display:inline-block;width:14px;height:11px;border:1px solid #999;"
    "margin-right:5px;vertical-align:-1px}.ll-attr{color:#666;font-size:.78em}"
)


def index_map_html(
    numbers: pd.DataFrame,
    regions: Mapping[str, Any],
    out_dir: Path,
    *,
    year: int | str,
    lang: Lang = "id",
) -> str:
    """Heading, hint and SVG map for the index page (empty when no region can be drawn).

    A region links to ``regions/<code>.html`` only when its status is ok or skipped and that
    file exists inside ``out_dir`` (the index table's rule).
    """
    import re

    out_dir = Path(out_dir)
    links = {}
    for code, entry in regions.items():
        code = str(code)
        status = str(entry.get("status", "")) if isinstance(entry, Mapping) else ""
        if not re.match(_CODE, code) or status not in ("ok", "skipped"):
            continue
        target = (out_dir / "regions" / f"{code}.html").resolve()
        if out_dir.resolve() in target.parents and target.is_file():
            links[code] = f"regions/{code}.html"
    if numbers.empty or not {"name", "index", "predicate"} <= set(numbers.columns):
        return ""  # no region of the manifest is in the data: the table says so already
    wanted = {str(k) for k in regions}
    table = numbers.loc[[c for c in numbers.index if str(c) in wanted]]
    svg = index_map_svg(table, links, year=year, lang=lang)
    if not svg:
        return ""
    esc = html.escape
    return (
        f"<style>{INDEX_MAP_CSS}</style>"
        f"<h2>{esc(t('maps.index.title', lang, year=year))}</h2>"
        f'<p class="meta">{esc(t("maps.index.hint", lang))}</p>{svg}'
    )
