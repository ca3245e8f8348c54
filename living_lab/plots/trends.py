"""Figures of trends: one region's trajectory with its forecast fan, and a cohort's share.

Both functions return a :class:`matplotlib.figure.Figure` built without pyplot (nothing is
shown twice in a notebook, nothing leaks between regions run in one kernel). Labels are in
Bahasa Indonesia by default (``lang="en"`` for English), numbers use the language's decimal
mark, and figures made from synthetic data say so on the figure.

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> from living_lab.trends import fit_pooled, share_reaching
>>> fit = fit_pooled(load_spbe(framework=None))
>>> fig = plot_trajectory(fit, "3211", target=3.5, target_year=2025)
>>> fig = plot_share_reaching(share_reaching(fit, 3.5), target=3.5, lang="en")
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from living_lab.errors import ParameterError, UnknownRegionError
from living_lab.plots import style
from living_lab.text import Lang, number, probability, t, tick_formatter
from living_lab.trends._data import prepare
from living_lab.trends.pooled import PooledTrendFit
from living_lab.trends.region import RegionTrendFit

TrendInput = PooledTrendFit | RegionTrendFit | pd.DataFrame


def _num(value: float, lang: Lang, decimals: int = 2) -> str:
    return number(value, lang, decimals)


def _decimal_ticks(ax: Axes, lang: Lang) -> None:
    ax.yaxis.set_major_formatter(tick_formatter(lang))  # type: ignore[arg-type]


#: Size of a new figure (inches) and the room kept below the axes for legend and caption.
FIGSIZE = (8.0, 5.6)
BOTTOM = 0.30


def _new_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=FIGSIZE)
    FigureCanvasAgg(fig)
    # Fixed margins instead of a layout engine: the legend and the caption sit below the axes.
    fig.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=BOTTOM)
    return fig, fig.add_subplot()


def _legend_and_caption(ax: Axes, caption: str) -> None:
    """Legend under the axes (it never hides data), caption under the legend."""
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.13), ncols=3, fontsize=8)
    ax.text(
        0.0,
        -0.36,
        caption,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=8,
        color="#555555",
    )


def _synthetic_watermark(ax: Axes, lang: Lang) -> None:
    """The "synthetic" label across the middle of the axes, so no one reads the data as real."""
    ax.text(
        0.5,
        0.5,
        t("synthetic_label", lang),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=12,
        color="grey",
        alpha=0.6,
        rotation=20,
    )


def _region_label(code: str) -> str:
    from living_lab.regions import region_name

    try:
        return region_name(code)
    except (UnknownRegionError, KeyError):
        return code


def _resolve_code(region_code: str, known: pd.Series) -> str:
    code = str(region_code)
    if code in set(known):
        return code
    from living_lab.regions import resolve_region

    try:
        resolved = resolve_region(code)
    except UnknownRegionError:
        resolved = None
    if resolved is None or resolved not in set(known):
        raise ParameterError(
            f"region_code: {region_code!r} has no usable SPBE rows here; expected one of the "
            "regions of the fit or table (a BPS code such as '3211' or a name)"
        )
    return resolved


def plot_trajectory(
    fit_or_history: TrendInput,
    region_code: str,
    *,
    target: float = 3.5,
    target_year: int = 2025,
    lang: Lang = "id",
    ax: Axes | None = None,
    horizon: int | None = None,
    title: str | None = None,
) -> Figure:
    """A region's published scores, its forecast with 80% and 95% fans, and the target line.

    Parameters
    ----------
    fit_or_history : a :class:`~living_lab.trends.PooledTrendFit` or
        :class:`~living_lab.trends.RegionTrendFit` (scores and forecast), or an SPBE table
        (scores only), e.g. ``load_spbe(framework=None)``. Scores under an older framework are
        drawn hollow and labelled as not used.
    region_code : BPS code or name of the region.
    target, target_year : the target line and the year whose probability is printed.
    lang : ``"id"`` (default) or ``"en"``.
    ax : draw into these axes instead of a new figure.
    horizon : last forecast year (default: two years past the target year, at least three
        past the last score).
    title : replaces the default title.
    """
    with style.apply():
        fit = fit_or_history if not isinstance(fit_or_history, pd.DataFrame) else None
        data = fit.data if fit is not None else prepare(fit_or_history)
        every = pd.concat([data.obs, data.excluded], ignore_index=True)
        code = _resolve_code(region_code, every["region_code"])
        used = data.obs[data.obs["region_code"] == code].sort_values("year")
        older = data.excluded[
            (data.excluded["region_code"] == code) & data.excluded["index"].notna()
        ].sort_values("year")

        fig, ax = _new_axes(ax)
        ax.set_ylim(1.0, 5.0)
        style.target_line(ax, target, t("trends_target_label", lang, target=_num(target, lang, 1)))
        last_year = int(used["year"].max()) if len(used) else int(older["year"].max())
        end = horizon if horizon is not None else max(target_year + 2, last_year + 3)
        model = None
        if fit is not None and len(used):
            years = list(range(last_year + 1, end + 1))
            fc = fit.forecast(years, region_codes=[code])
            if fc["lo95"].notna().any():
                ax.fill_between(
                    fc["year"],
                    fc["lo95"],
                    fc["hi95"],
                    color=style.FOCUS,
                    alpha=0.12,
                    linewidth=0,
                    label=t("trends_pi95", lang),
                )
                ax.fill_between(
                    fc["year"],
                    fc["lo80"],
                    fc["hi80"],
                    color=style.FOCUS,
                    alpha=0.25,
                    linewidth=0,
                    label=t("trends_pi80", lang),
                )
            last = used.iloc[-1]
            ax.plot(
                [last["year"], *fc["year"]],
                [last["index"], *fc["median"]],
                color=style.FOCUS,
                linestyle="--",
                linewidth=1.8,
                label=t("trends_forecast", lang),
            )
            model = t(
                "trends_model_pooled"
                if isinstance(fit, PooledTrendFit)
                else f"trends_model_{fit.method}",
                lang,
            )
            if isinstance(fit, PooledTrendFit):
                p = fit.prob_at_least(target, [target_year], region_codes=[code])["p"].iloc[0]
                ax.text(
                    0.01,
                    0.97,
                    t(
                        "trends_prob_annotation",
                        lang,
                        target=_num(target, lang, 1),
                        year=target_year,
                        p=probability(p),
                    ),
                    transform=ax.transAxes,
                    va="top",
                    fontsize=10,
                )
        ax.plot(
            used["year"],
            used["index"],
            color=style.FOCUS,
            marker="o",
            linewidth=2,
            label=t("trends_observed", lang),
        )
        if len(older):
            ax.plot(
                older["year"],
                older["index"],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor=style.PEER,
                label=t("trends_older_framework", lang),
            )
        ax.axvline(target_year, color=style.TARGET, linestyle=":", linewidth=1, zorder=1)
        ax.set_title(title or t("trends_title_trajectory", lang, region=_region_label(code)))
        ax.set_xlabel(t("trends_axis_year", lang))
        ax.set_ylabel(t("trends_axis_index", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _decimal_ticks(ax, lang)
        caption = t("trends_caption", lang, n=len(used), model=model or "-")
        if data.synthetic:
            _synthetic_watermark(ax, lang)
        _legend_and_caption(ax, caption)
        return fig


def plot_share_reaching(
    table: pd.DataFrame,
    *,
    target: float = 3.5,
    lang: Lang = "id",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The expected share of a cohort at or above the target per year, with 80%/95% intervals.

    Parameters
    ----------
    table : the output of :func:`living_lab.trends.share_reaching`.
    target : the target index (for the title).
    lang : ``"id"`` (default) or ``"en"``.
    ax : draw into these axes instead of a new figure.
    title : replaces the default title (e.g. to name the cohort).
    """
    needed = {"year", "share", "lo80", "hi80", "lo95", "hi95", "n"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise ParameterError(
            f"table: expected the output of share_reaching() with columns {sorted(needed)}"
        )
    with style.apply():
        fig, ax = _new_axes(ax)
        x = table["year"].to_numpy()
        y = 100 * table["share"].to_numpy()
        ax.vlines(
            x,
            100 * table["lo95"],
            100 * table["hi95"],
            color=style.FOCUS,
            linewidth=1.2,
            label=t("trends_pi95", lang),
        )
        ax.vlines(
            x,
            100 * table["lo80"],
            100 * table["hi80"],
            color=style.FOCUS,
            linewidth=5,
            alpha=0.45,
            label=t("trends_pi80", lang),
        )
        ax.plot(
            x,
            y,
            marker="o",
            color=style.FOCUS,
            linestyle="-",
            linewidth=1,
            label=t("trends_share_expected", lang),
        )
        for xi, yi in zip(x, y, strict=True):
            ax.annotate(
                f"{yi:.0f}%", (xi, yi), textcoords="offset points", xytext=(8, -3), fontsize=8
            )
        style.target_line(ax, 100.0, t("trends_share_goal", lang))
        ax.set_ylim(0, 105)
        ax.set_title(title or t("trends_share_title", lang, target=_num(target, lang, 1)))
        ax.set_xlabel(t("trends_axis_year", lang))
        ax.set_ylabel(t("trends_share_axis", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        caption = t("trends_share_caption", lang, n=int(table["n"].max()))
        if "method" in table.columns and (table["method"] == "independent").any():
            caption += " " + t("trends_share_independent", lang)
        if table.attrs.get("synthetic"):
            _synthetic_watermark(ax, lang)
        _legend_and_caption(ax, caption)
        return fig
