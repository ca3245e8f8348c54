"""Figures of the linkage study: coefficients across specifications, and outcome against SPBE.

Both return a :class:`matplotlib.figure.Figure` drawn in the house style, with Indonesian labels
by default (``lang="en"`` for English), axis units, a reference line and a caption saying that
the figure shows an association. Figures of synthetic data carry the synthetic label.

Examples
--------
>>> from living_lab import linkage
>>> fig = plot_coefficients(linkage.robustness_table("stunting_prevalence_pct", bootstrap=99))
>>> fig.axes[0].get_xlabel().startswith("Koefisien")
True
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from living_lab.errors import ParameterError
from living_lab.plots import style
from living_lab.text import Lang, t

if TYPE_CHECKING:
    from living_lab.linkage.region import RegionView
    from living_lab.linkage.results import LinkageResult


@dataclass(frozen=True)
class ScatterModel:
    """What the scatter plot shows of a model, as plain values (from a fitted result or from the
    stored results): its regions' SPBE and outcome (``points``: columns ``region_code``,
    ``spbe``, ``y``, in the sample's order), the SPBE coefficient, the design and the words."""

    points: pd.DataFrame
    coef: float
    n: int
    design: str
    spbe_form: str
    outcome_text: str
    spbe_text: str
    synthetic: bool


@dataclass(frozen=True)
class ScatterFocus:
    """One region marked on the scatter plot: its values (``ok`` when the model has them) and
    its comparable regions (``peers``: ``name``, ``spbe``, ``actual``; may be empty)."""

    name: str
    ok: bool
    spbe: float | None
    actual: float | None
    expected: float | None
    lo: float | None
    hi: float | None
    peers: pd.DataFrame | None


def _short(name: str) -> str:
    return str(name).replace("Kabupaten ", "Kab. ").replace("Kota Administrasi ", "Kota ")


def _caption(fig: Figure, lang: Lang, synthetic: bool) -> None:
    text = t("linkage.plot.caption", lang)
    if synthetic:
        text = f"{t('synthetic_label', lang)}. {text}"
    fig.text(0.01, 0.005, text, fontsize=8, color=style.NATIONAL, ha="left", va="bottom", wrap=True)


def plot_coefficients(table: pd.DataFrame, lang: Lang = "id") -> Figure:
    """Coefficient of SPBE with its 95% intervals for every row of a robustness table.

    Thick bars are the CR1 intervals with t(G-1) critical values, thin bars the wild cluster
    bootstrap intervals; the main model is drawn in the focus colour; rows that could not be
    estimated are marked so. The vertical line at 0 is "no association".
    """
    if table.empty or "coef" not in table.columns:
        raise ParameterError("table: expected a robustness_table() with a 'coef' column")
    outcome = table.attrs.get("outcome", "stunting_prevalence_pct")
    design = table.attrs.get("design", "cross_section")
    unit = t(f"linkage.outcome_unit.{outcome}", lang)
    rows = table.reset_index(drop=True)
    k = len(rows)
    height = 2.0 + 0.6 * k
    with style.apply():
        fig, ax = plt.subplots(figsize=(10, height))
        y = np.arange(k)[::-1]
        labels = []
        for i, row in rows.iterrows():
            yi = y[i]
            main = row.get("key") == "main"
            color = style.FOCUS if main else style.NATIONAL
            n = row.get("n")
            label = str(row["label"]) + (f" (n={int(n)})" if pd.notna(n) else "")
            if row.get("sample") == "changed":
                label = f"{label} – {t('linkage.plot.changed_sample', lang)}"
            if pd.isna(row.get("coef")):
                label = f"{label} – {t('linkage.plot.not_estimated', lang)}"
            labels.append(textwrap.fill(label, 44))
            if pd.isna(row.get("coef")):
                continue
            ax.plot(
                [row["ci_low"], row["ci_high"]], [yi, yi],
                color=color, linewidth=4, alpha=0.55, solid_capstyle="butt",
            )  # fmt: skip
            if pd.notna(row.get("wild_ci_low")):
                ax.plot(
                    [row["wild_ci_low"], row["wild_ci_high"]], [yi - 0.22, yi - 0.22],
                    color=color, linewidth=1.2,
                )  # fmt: skip
            ax.plot(row["coef"], yi, "o", color=color, markersize=7, zorder=3)
        ax.axvline(0, color=style.TARGET, linestyle="--", linewidth=1.5, zorder=1)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=9)
        for tick, (_, row) in zip(ax.get_yticklabels(), rows.iterrows(), strict=True):
            if row.get("key") == "main":
                tick.set_fontweight("bold")
        ax.set_ylim(-0.8, k - 0.4)
        model = t(f"linkage.model.{outcome}.{design}", lang)
        ax.set_title(textwrap.fill(t("linkage.plot.coef_title", lang, outcome=model), 60))
        ax.set_xlabel(t("linkage.plot.coef_xlabel", lang, unit=unit))
        ax.grid(axis="y", visible=False)
        handles = [
            plt.Line2D(
                [],
                [],
                color=style.NATIONAL,
                linewidth=4,
                alpha=0.55,
                label=t("linkage.plot.ci_cr1", lang),
            ),
            plt.Line2D(
                [], [], color=style.NATIONAL, linewidth=1.2, label=t("linkage.plot.ci_wild", lang)
            ),
            plt.Line2D(
                [], [], color=style.TARGET, linestyle="--", label=t("linkage.plot.zero", lang)
            ),
        ]
        # Margins in inches, so the layout holds for any number of rows.
        fig.subplots_adjust(left=0.40, right=0.97, top=1 - 0.75 / height, bottom=1.35 / height)
        fig.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.68, 0.3 / height),
            ncol=3,
            fontsize=8.5,
        )
        _caption(fig, lang, bool(table.attrs.get("synthetic")))
    return fig


def plot_region_scatter(
    view_or_result: RegionView | LinkageResult,
    region_code: str | None = None,
    lang: Lang = "id",
    *,
    highlight: Iterable[str] = (),
    annotate_peers: bool = True,
) -> Figure:
    """Outcome against the SPBE measure for every region of a model, with the fitted relation.

    The line is the model's SPBE coefficient drawn through the sample means (other factors held
    at their average). With a region (a :class:`RegionView`, or ``region_code`` with a result),
    its actual value is marked, its expected value is drawn with the 95% prediction interval,
    and its comparable regions are labelled. ``highlight`` outlines other regions (e.g. a cohort).
    """
    from living_lab.linkage.region import RegionView, region_view
    from living_lab.linkage.results import LinkageResult

    if isinstance(view_or_result, RegionView):
        view: RegionView | None = view_or_result
        res = view_or_result.result
    elif isinstance(view_or_result, LinkageResult):
        res = view_or_result
        view = region_view(region_code, result=res) if region_code else None
    else:
        raise ParameterError(
            f"view_or_result: expected a RegionView or LinkageResult, got {type(view_or_result).__name__}"
        )
    model = ScatterModel(
        points=res.sample.frame[["region_code", "spbe", "y"]],
        coef=res.coef,
        n=res.n,
        design=res.spec.design,
        spbe_form=res.spec.spbe_form,
        outcome_text=res.outcome_text(lang),
        spbe_text=res.spbe_text(lang),
        synthetic=res.synthetic,
    )
    focus = None
    if view is not None:
        focus = ScatterFocus(
            name=view.name,
            ok=view.ok,
            spbe=view.spbe,
            actual=view.actual,
            expected=view.expected,
            lo=view.lo,
            hi=view.hi,
            peers=view.peers,
        )
    return plot_scatter(model, focus, lang, highlight=highlight, annotate_peers=annotate_peers)


def plot_scatter(
    model: ScatterModel,
    view: ScatterFocus | None = None,
    lang: Lang = "id",
    *,
    highlight: Iterable[str] = (),
    annotate_peers: bool = True,
) -> Figure:
    """The figure of :func:`plot_region_scatter` drawn from plain values (``model``, and
    ``view`` for a marked region), e.g. from stored results."""
    frame = model.points
    x = frame["spbe"].to_numpy(dtype=float)
    y = frame["y"].to_numpy(dtype=float)
    change_y = model.design == "change"
    change_x = model.spbe_form == "change"
    with style.apply():
        fig, ax = plt.subplots(figsize=(8, 5.2))
        ax.scatter(
            x,
            y,
            s=14,
            color=style.PEER,
            alpha=0.45,
            linewidths=0,
            label=t("linkage.plot.regions", lang, n=model.n),
        )
        hl = frame["region_code"].isin(list(highlight)).to_numpy()
        if hl.any():
            ax.scatter(
                x[hl],
                y[hl],
                s=30,
                facecolors="none",
                edgecolors=style.NATIONAL,
                linewidths=1.0,
                label=t("linkage.plot.highlight", lang),
            )
        grid = np.linspace(np.nanmin(x), np.nanmax(x), 50)
        ax.plot(
            grid,
            y.mean() + model.coef * (grid - x.mean()),
            color=style.NATIONAL,
            linewidth=2,
            label=t("linkage.plot.fitted", lang),
        )
        if view is not None and view.peers is not None and len(view.peers):
            p = view.peers
            ax.scatter(
                p["spbe"],
                p["actual"],
                s=40,
                color=style.PEER,
                edgecolors=style.NATIONAL,
                linewidths=0.8,
                zorder=3,
                label=t("linkage.plot.peers", lang),
            )
            if annotate_peers:
                for _, row in p.iterrows():
                    ax.annotate(
                        _short(row["name"]),
                        (row["spbe"], row["actual"]),
                        xytext=(4, 3),
                        textcoords="offset points",
                        fontsize=8,
                        color=style.NATIONAL,
                    )
        if view is not None and view.ok:
            ax.errorbar(
                [view.spbe], [view.expected],
                yerr=[[view.expected - view.lo], [view.hi - view.expected]],
                fmt="D", color=style.FOCUS, mfc="white", capsize=4, zorder=4,
                label=t("linkage.plot.expected", lang, name=_short(view.name)),
            )  # fmt: skip
            ax.scatter(
                [view.spbe],
                [view.actual],
                s=80,
                color=style.FOCUS,
                zorder=5,
                label=t("linkage.plot.region", lang, name=_short(view.name)),
            )
        if change_y:
            ax.axhline(0, color=style.TARGET, linestyle="--", linewidth=1.2, zorder=1)
        outcome = model.outcome_text
        spbe = model.spbe_text
        ax.set_title(
            t(
                "linkage.plot.scatter_title",
                lang,
                outcome=outcome[:1].upper() + outcome[1:],
                spbe=spbe,
            )
        )
        ax.set_xlabel(
            t(
                "linkage.plot.scatter_xlabel_change" if change_x else "linkage.plot.scatter_xlabel",
                lang,
                spbe=spbe,
            )
        )
        ax.set_ylabel(
            t(
                "linkage.plot.scatter_ylabel_change" if change_y else "linkage.plot.scatter_ylabel",
                lang,
                outcome=outcome,
            )
        )
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
        _caption(fig, lang, model.synthetic)
    return fig
