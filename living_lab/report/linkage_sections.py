"""Sections of ``notebooks/linkage_study.ipynb``: each returns what one notebook cell displays.

The notebook stays thin (parameters, validation, one call per section); every table, figure
and sentence comes from here, in the language of the run. Nothing is computed here: the
numbers, the positions of the cohort's regions, the points of the scatter plots and the
sentences worded from a fitted model are read from the study's stored results
(:class:`living_lab.results.linkage.LinkageStudyResults`, computed once per set of inputs);
this module selects and formats them. Text lives in ``living_lab/locales/{id,en}/linkage.yml``.

Examples
--------
>>> from living_lab.report.linkage_params import check_study_params
>>> from living_lab.results import linkage as linkage_results
>>> params = check_study_params(lang="en", cohort="jawa-barat", validation_replications=0)
>>> stored = linkage_results.study(validation_replications=0)    # doctest: +SKIP
>>> study = LinkageStudy.run(params, stored)                      # doctest: +SKIP
>>> [type(x).__name__ for x in study.header()][:1]                # doctest: +SKIP
['Markdown']
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, Markdown

from living_lab import datasets, fmt
from living_lab.errors import ParameterError
from living_lab.escape import markdown_text
from living_lab.plots.linkage import ScatterFocus, ScatterModel, plot_coefficients, plot_scatter
from living_lab.report.linkage_params import StudyParams
from living_lab.text import Lang, t

if TYPE_CHECKING:
    from living_lab.results.linkage import LinkageStudyResults

#: Cohorts larger than this show only the regions furthest from expectation.
MAX_POSITION_ROWS = 40
#: Rows shown at each end when a cohort is too large to list in full.
EXTREME_ROWS = 10


def _md(key: str, lang: str, **kw: Any) -> Markdown:
    return Markdown(t(key, lang, **kw))  # type: ignore[arg-type]


def _table(df: pd.DataFrame) -> Any:
    """A table without the row index (the index means nothing to a reader)."""
    return df.style.hide(axis="index")


def _shown(fig: Any, alt: str) -> Image:
    """The figure as an embedded PNG (whatever the kernel's matplotlib backend), closed; ``alt``
    states its finding (not its title)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Image(data=buf.getvalue(), format="png", alt=alt)


@dataclass
class LinkageStudy:
    """Every section of the study for one run of the notebook, formatted from ``stored``
    (:mod:`living_lab.results.linkage`: computed once, read back; nothing is fitted here)."""

    params: StudyParams
    robustness: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    stored: LinkageStudyResults | None = None

    @classmethod
    def run(cls, params: StudyParams, stored: LinkageStudyResults) -> LinkageStudy:
        """The sections of ``stored`` (the results of these parameters) in ``params.lang``."""
        wanted = (params.min_confidence, params.bootstrap, params.seed)
        held = (stored.min_confidence, stored.bootstrap, stored.seed)
        if held != wanted or stored.validation_replications != params.validation_replications:
            raise ParameterError(
                f"stored: results of min_confidence, bootstrap, seed {held} for parameters "
                f"{wanted}; use living_lab.results.linkage.study() with these parameters"
            )
        robustness = {
            _key(m): _labelled(stored.robustness_table(*_key(m)), m, params.lang)
            for _, m in stored.models.iterrows()
        }
        return cls(params=params, robustness=robustness, stored=stored)

    def _stored(self) -> LinkageStudyResults:
        if self.stored is None:
            raise ParameterError("stored: this section needs the study's stored results")
        return self.stored

    @property
    def lang(self) -> str:
        return self.params.lang

    def _model(self, m: pd.Series) -> str:
        outcome, design = _key(m)
        return t(f"linkage.model.{outcome}.{design}", self.lang)  # type: ignore[arg-type]

    def _models(self) -> list[pd.Series]:
        """The stored main models, one row each, in the study's order."""
        return [row for _, row in self._stored().models.iterrows()]

    def _placed_models(self) -> list[pd.Series]:
        """The main models that place single regions (cross-section and change, not panel)."""
        return [m for m in self._models() if m["design"] != "twfe"]

    def _text(self, row: pd.Series, name: str) -> Any:
        """A stored sentence (or list of sentences) of a main model in the page's language."""
        return row[f"{name}_{self.lang}"]

    # ----- sections ------------------------------------------------------------------------
    def header(self) -> list[Any]:
        lang = self.lang
        cohort = self.params.cohort
        title = cohort.title if lang == "id" else cohort.title_en
        return [
            _md("linkage.nb.title", lang),
            _md(
                "linkage.nb.subtitle",
                lang,
                version=datasets.data_version(),
                date=dt.date.today().isoformat(),
                cohort=markdown_text(title),
            ),
            _md("linkage.nb.intro", lang),
            _md(
                "linkage.nb.params",
                lang,
                language=t("lang_name", lang),  # type: ignore[arg-type]
                confidence=t(f"linkage.confidence_level.{self.params.min_confidence}", lang),  # type: ignore[arg-type]
                draws=self.params.bootstrap,
                seed=self.params.seed,
            ),
        ]

    def data(self) -> list[Any]:
        lang = self.lang
        out: list[Any] = [_md("linkage.nb.data_heading", lang), _md("linkage.nb.data_text", lang)]
        items = [f"- **{self._model(m)}**: {self._text(m, 'dropped')}" for m in self._models()]
        out.append(Markdown("\n".join(items)))
        out += [_md("linkage.nb.timing_heading", lang), _md("linkage.nb.timing_text", lang)]
        return out

    def methods(self) -> list[Any]:
        return [
            _md("linkage.nb.methods_heading", self.lang),
            _md("linkage.nb.methods_text", self.lang),
        ]

    def design(self) -> list[Any]:
        lang = self.lang
        items = [f"- {m}" for m in self._stored().designs[f"message_{lang}"]]
        return [_md("linkage.nb.design_heading", lang), Markdown("\n".join(items))]

    def main(self) -> list[Any]:
        lang = self.lang
        out: list[Any] = [
            _md("linkage.nb.main_heading", lang),
            _md("linkage.nb.main_text", lang),
            _table(main_table(self._stored().models, lang)),  # type: ignore[arg-type]
        ]
        for m in self._models():
            L = lang  # noqa: N806 - short alias keeps the lines below readable
            notes = "\n".join(f"- {n}" for n in self._text(m, "notes"))
            sources = "\n".join(f"- {s}" for s in self._text(m, "sources"))
            block = "\n\n".join(
                [
                    t("linkage.nb.model_heading", L, model=self._model(m)),  # type: ignore[arg-type]
                    f"{t('linkage.nb.estimate_label', L)} {self._text(m, 'summary')}",  # type: ignore[arg-type]
                    f"{t('linkage.nb.spec_label', L)} {self._text(m, 'spec_text')}",  # type: ignore[arg-type]
                    f"{t('linkage.nb.notes_label', L)}\n\n{notes}",  # type: ignore[arg-type]
                    f"{t('linkage.nb.sources_label', L)}\n\n{sources}",  # type: ignore[arg-type]
                    f"{t('linkage.nb.caveat_label', L)} {self._text(m, 'caveat')}",  # type: ignore[arg-type]
                ]
            )
            out.append(Markdown(block))
        return out

    def robustness_section(self) -> list[Any]:
        lang = self.lang
        out: list[Any] = [
            _md("linkage.nb.robustness_heading", lang),
            _md("linkage.nb.robustness_text", lang),
        ]
        for m in self._models():
            table = self.robustness[_key(m)]
            out.append(_md("linkage.nb.robustness_model", lang, model=self._model(m)))
            out.append(_table(format_robustness(table, lang)))  # type: ignore[arg-type]
            coef = table["coef"].dropna() if "coef" in table else pd.Series(dtype=float)
            alt = t(  # type: ignore[arg-type]
                "linkage.alt.robustness",
                lang,  # type: ignore[arg-type]
                model=self._model(m),
                k=len(coef),
                lo=fmt.num(coef.min(), lang, 2, signed=True),  # type: ignore[arg-type]
                hi=fmt.num(coef.max(), lang, 2, signed=True),  # type: ignore[arg-type]
            )
            out.append(_shown(plot_coefficients(table, lang), alt))  # type: ignore[arg-type]
            if m["design"] != "twfe":
                lopo = self._stored().influence_table(*_key(m))
                out.append(_md("linkage.lopo.heading", lang))
                out.append(Markdown(influence_text(lopo, lang)))  # type: ignore[arg-type]
                out.append(_table(format_influence(lopo, lang)))  # type: ignore[arg-type]
        return out

    def inference(self) -> list[Any]:
        lang = self.lang
        main = self._models()[0]
        tab = self._stored().inference
        level = int(round(float(main["level"]) * 100))
        shown = pd.DataFrame(
            {
                t("linkage.col.method", lang): [
                    t(f"linkage.method.{m}", lang, draws=self.params.bootstrap)  # type: ignore[arg-type]
                    for m in tab["method"]
                ],
                t("linkage.col.coef", lang): [
                    fmt.num(v, lang, 2, signed=True) for v in tab["coef"]
                ],  # type: ignore[arg-type]
                t("linkage.col.se", lang): [fmt.num(v, lang, 3) for v in tab["se"]],  # type: ignore[arg-type]
                f"{level}%": [
                    fmt.interval(lo, hi, lang)
                    for lo, hi in zip(tab["ci_low"], tab["ci_high"], strict=True)
                ],  # type: ignore[arg-type]
                "p": [fmt.pval(p, lang) for p in tab["p"]],  # type: ignore[arg-type]
            }
        )
        return [
            _md("linkage.nb.inference_heading", lang),
            _md("linkage.nb.model_heading", lang, model=self._model(main)),
            _md("linkage.nb.inference_text", lang),
            _table(shown),
        ]

    def scatter(self) -> list[Any]:
        lang = self.lang
        regions = self.params.cohort.regions
        out: list[Any] = [_md("linkage.nb.scatter_heading", lang)]
        for m in self._placed_models():
            alt = t(
                "linkage.alt.scatter", lang, model=self._model(m), summary=self._text(m, "summary")
            )  # type: ignore[arg-type]
            model = self._scatter_model(m)
            if len(regions) == 1:
                focus = self._focus(m, regions[0])
                out.append(_shown(plot_scatter(model, focus, lang), alt))  # type: ignore[arg-type]
            else:
                # Outlining every region of the "all" cohort would outline nothing in particular.
                hl = () if self.params.cohort.name == "all" else regions
                out.append(_shown(plot_scatter(model, None, lang, highlight=hl), alt))  # type: ignore[arg-type]
        return out

    def _scatter_model(self, m: pd.Series) -> ScatterModel:
        return ScatterModel(
            points=self._stored().rows("scatter", *_key(m)),
            coef=float(m["coef"]),
            n=int(m["n"]),
            design=str(m["design"]),
            spbe_form=str(m["spbe_form"]),
            outcome_text=self._text(m, "outcome_text"),
            spbe_text=self._text(m, "spbe_text"),
            synthetic=bool(m["synthetic"]),
        )

    def _focus(self, m: pd.Series, code: str) -> ScatterFocus:
        """A region marked on the scatter plot with its ``n_peers`` nearest comparable regions."""
        stored = self._stored()
        places = stored.rows("positions", *_key(m)).set_index("region_code")
        points = stored.rows("scatter", *_key(m)).set_index("region_code")
        near = stored.rows("peers", *_key(m))
        near = near[(near["region_code"] == code).to_numpy()].head(self.params.n_peers)
        codes = list(near["peer_code"])
        peers = pd.DataFrame(
            {
                "region_code": codes,
                "name": places.loc[codes, "name"].to_numpy(),
                "spbe": points.loc[codes, "spbe"].to_numpy(),
                "actual": points.loc[codes, "y"].to_numpy(),
            }
        )
        pos = places.loc[code]
        ok = pos["status"] == "ok"
        return ScatterFocus(
            name=str(pos["name"]),
            ok=bool(ok),
            spbe=float(points.loc[code, "spbe"]) if code in points.index else None,
            actual=float(pos["actual"]) if ok else None,
            expected=float(pos["expected"]) if ok else None,
            lo=float(pos["lo"]) if ok else None,
            hi=float(pos["hi"]) if ok else None,
            peers=peers,
        )

    def positions_section(self) -> list[Any]:
        lang = self.lang
        regions = list(self.params.cohort.regions)
        out: list[Any] = [
            _md("linkage.nb.positions_heading", lang),
            _md("linkage.nb.positions_text", lang),
        ]
        for m in self._placed_models():
            stored = self._stored().rows("positions", *_key(m)).set_index("region_code")
            pos = stored.loc[regions].reset_index()
            pos["note"] = pos[f"note_{lang}"]
            ok = pos[pos["status"] == "ok"].sort_values("residual")
            missing = pos[pos["status"] != "ok"]
            out.append(_md("linkage.nb.model_heading", lang, model=self._model(m)))
            out.append(_md("linkage.nb.positions_counts", lang, ok=len(ok), missing=len(missing)))
            if len(pos) > MAX_POSITION_ROWS:
                out.append(_md("linkage.nb.positions_limited", lang, n=len(pos), k=EXTREME_ROWS))
                shown = pd.concat([ok.head(EXTREME_ROWS), ok.tail(EXTREME_ROWS)])
            else:
                shown = pd.concat([ok, missing])
            heading = self._text(m, "outcome_text")
            out.append(_table(format_positions(shown, heading, lang)))  # type: ignore[arg-type]
            out.append(_md("linkage.nb.coverage_text", lang))
            coverage = self._stored().rows("coverage", *_key(m))
            out.append(_table(format_coverage(coverage, lang)))  # type: ignore[arg-type]
        return out

    def validation(self) -> list[Any]:
        lang = self.lang
        reps = self.params.validation_replications
        if reps == 0:
            return []
        table = self._stored().validation
        shown = pd.DataFrame(
            {
                t("linkage.sim.col.estimator", lang): [
                    t(f"linkage.sim.{e}", lang) for e in table["estimator"]
                ],  # type: ignore[arg-type]
                t("linkage.sim.col.truth", lang): [fmt.num(v, lang, 2) for v in table["truth"]],  # type: ignore[arg-type]
                t("linkage.sim.col.mean_estimate", lang): [
                    fmt.num(v, lang, 2) for v in table["mean_estimate"]
                ],  # type: ignore[arg-type]
                t("linkage.sim.col.bias_over_se", lang): [
                    fmt.num(v, lang, 2, signed=True) for v in table["bias_over_se"]
                ],  # type: ignore[arg-type]
                t("linkage.sim.col.coverage", lang): [
                    f"{fmt.num(100 * v, lang, 1)}%" for v in table["coverage"]
                ],  # type: ignore[arg-type]
                t("linkage.sim.col.expected", lang): [
                    t("linkage.sim.yes" if w else "linkage.sim.no", lang)
                    for w in table["expected_to_work"]
                ],  # type: ignore[arg-type]
            }
        )
        return [
            _md("linkage.nb.validation_heading", lang),
            _md("linkage.nb.validation_text", lang, reps=reps),
            _table(shown),
        ]

    def closing(self) -> list[Any]:
        lang = self.lang
        return [
            _md("linkage.nb.closing_heading", lang),
            Markdown(closing_note(self._stored().models, lang, self.robustness)),  # type: ignore[arg-type]
        ]


def _key(model: pd.Series) -> tuple[str, str]:
    """(outcome, design) of a stored model row."""
    return str(model["outcome"]), str(model["design"])


def _labelled(table: pd.DataFrame, model: pd.Series, lang: str) -> pd.DataFrame:
    """A stored robustness table with each row's label in ``lang`` and the attributes
    :func:`~living_lab.plots.linkage.plot_coefficients` reads (as ``robustness_table`` gives)."""
    outcome, design = _key(model)
    labels = table[f"label_{lang}"]
    table = table.drop(columns=[c for c in table.columns if c.startswith("label_")])
    table.insert(1, "label", labels)
    table.attrs.update(
        outcome=outcome,
        design=design,
        lang=lang,
        level=0.95,
        unit=t(f"linkage.outcome_unit.{outcome}", lang),  # type: ignore[arg-type]
        measure=t(f"linkage.measure.{model['spbe_measure']}", lang),  # type: ignore[arg-type]
        synthetic=False,
    )
    return table


def main_table(models: pd.DataFrame, lang: Lang = "id") -> pd.DataFrame:
    """The stored main models (:attr:`LinkageStudyResults.models`) side by side, with their
    words, intervals, n and years."""
    rows = []
    for _, m in models.iterrows():
        wild = int(m["wild_draws"]) > 0
        rows.append(
            {
                t("linkage.col.model", lang): t(
                    f"linkage.model.{m['outcome']}.{m['design']}", lang
                ),
                t("linkage.col.spbe", lang): m[f"spbe_text_{lang}"],
                t("linkage.col.coef", lang): fmt.num(m["coef"], lang, 2, signed=True),
                t("linkage.col.ci", lang, level=int(round(m["level"] * 100))): fmt.interval(
                    m["ci_low"], m["ci_high"], lang
                ),
                t("linkage.col.p", lang): fmt.pval(m["p"], lang),
                t("linkage.col.wild_ci", lang): fmt.interval(
                    m["wild_ci_low"], m["wild_ci_high"], lang
                )
                if wild
                else "–",
                t("linkage.col.wild_p", lang): fmt.pval(m["wild_p"], lang) if wild else "–",
                "n": int(m["n"]),
                t("linkage.col.clusters", lang): int(m["n_clusters"])
                if m["n_clusters"] >= 0
                else None,
                "R²": fmt.num(m["r2"], lang, 2),
                t("linkage.col.years", lang): m[f"years_text_{lang}"],
            }
        )
    return pd.DataFrame(rows)


def closing_note(
    models: pd.DataFrame,
    lang: Lang = "id",
    robustness: dict[tuple[str, str], pd.DataFrame] | None = None,
) -> str:
    """Markdown paragraph quoting each stored main estimate (its summary sentence, with the
    interval and n) and the caveat.

    With the robustness tables, each estimate is followed by the same model without province
    effects, so the reader sees how much of the association lies between provinces.
    """
    lines = [t("linkage.closing.lead", lang)]
    for _, m in models.iterrows():
        key = (str(m["outcome"]), str(m["design"]))
        model = t(f"linkage.model.{key[0]}.{key[1]}", lang)
        line = f"- **{model}**: {m[f'summary_{lang}']}"
        table = (robustness or {}).get(key)
        if table is not None and "no_province_effects" in set(table["key"]):
            row = table.set_index("key").loc["no_province_effects"]
            if pd.notna(row.get("coef")):
                line += " " + t(
                    "linkage.closing.between",
                    lang,
                    coef=fmt.num(row["coef"], lang, 2, signed=True),
                    ci=fmt.interval(row["ci_low"], row["ci_high"], lang),
                    n=int(row["n"]),
                )
        lines.append(line)
    lines.append("")
    lines.append(t("linkage.closing.caveat", lang))
    return "\n".join(lines)


def format_robustness(table: pd.DataFrame, lang: Lang = "id") -> pd.DataFrame:
    """A robustness table as reader-facing text columns (numbers formatted for ``lang``)."""
    level = int(round(table.attrs.get("level", 0.95) * 100))
    out = pd.DataFrame(
        {
            t("linkage.col.spec", lang): table["label"],
            t("linkage.col.sample", lang): [
                _sample_text(r, lang) for r in table.to_dict("records")
            ],
            t("linkage.col.coef", lang): [
                fmt.num(x, lang, 2, signed=True) for x in table.get("coef", np.nan)
            ],
            t("linkage.col.ci", lang, level=level): [
                fmt.interval(lo, hi, lang) if pd.notna(lo) else "–"
                for lo, hi in zip(
                    table.get("ci_low", np.nan), table.get("ci_high", np.nan), strict=True
                )
            ],
            t("linkage.col.wild_ci", lang): [
                fmt.interval(lo, hi, lang) if pd.notna(lo) else "–"
                for lo, hi in zip(
                    table.get("wild_ci_low", np.nan), table.get("wild_ci_high", np.nan), strict=True
                )
            ],
            "n": [int(x) if pd.notna(x) else "–" for x in table.get("n", np.nan)],
            t("linkage.col.clusters", lang): [
                int(x) if pd.notna(x) else "–" for x in table.get("n_clusters", np.nan)
            ],
            "R²": [fmt.num(x, lang, 2) for x in table.get("r2", np.nan)],
            t("linkage.col.note", lang): table.get("note", ""),
        }
    )
    return out


def _sample_text(row: dict[str, Any], lang: Lang) -> str:
    """``main sample`` or ``changed: +23 / -0 regions`` for a robustness row."""
    if row.get("sample", "main") == "main":
        return t("linkage.sample.main", lang)
    return t(
        "linkage.sample.changed",
        lang,
        added=int(row.get("n_added", 0) or 0),
        removed=int(row.get("n_removed", 0) or 0),
    )


def influence_text(table: pd.DataFrame, lang: Lang = "id") -> str:
    """One sentence (Markdown; province names HTML-escaped, they may come from user data): the
    range of the estimate over left-out provinces, the largest mover, and whether any single
    province flips its sign."""
    if table.empty:
        return t("linkage.lopo.none", lang)
    top = table.iloc[0]
    full = float(table.attrs["coef"])
    flips = table[(table["coef"] > 0) != (full > 0)]
    text = t(
        "linkage.lopo.summary",
        lang,
        n=len(table),
        lo=fmt.num(float(table["coef"].min()), lang, 2, signed=True),
        hi=fmt.num(float(table["coef"].max()), lang, 2, signed=True),
        full=fmt.num(full, lang, 2, signed=True),
        province=html.escape(str(top["province"])),
        coef=fmt.num(float(top["coef"]), lang, 2, signed=True),
    )
    if len(flips):
        text += " " + t(
            "linkage.lopo.flips",
            lang,
            provinces=fmt.join([html.escape(str(p)) for p in flips["province"]], lang),
        )
    return text


def format_influence(table: pd.DataFrame, lang: Lang = "id", rows: int = 5) -> pd.DataFrame:
    """The ``rows`` provinces that move the estimate most, as reader-facing text."""
    top = table.head(rows)
    level = t("linkage.col.ci", lang, level=round(100 * table.attrs.get("level", 0.95)))
    return pd.DataFrame(
        {
            t("linkage.lopo.col.province", lang): [html.escape(str(p)) for p in top["province"]],
            t("linkage.lopo.col.n_dropped", lang): top["n_dropped"].astype(int).astype(str),
            t("linkage.col.coef", lang): [fmt.num(v, lang, 2, signed=True) for v in top["coef"]],
            level: [
                fmt.interval(a, b, lang) for a, b in zip(top["ci_low"], top["ci_high"], strict=True)
            ],
            t("linkage.lopo.col.shift", lang): [
                fmt.num(v, lang, 2, signed=True) for v in top["shift"]
            ],
        }
    )


def format_coverage(table: pd.DataFrame, lang: Lang = "id") -> pd.DataFrame:
    """A :func:`living_lab.linkage.intervals.coverage_by_fitted` table with reader-facing headings and formatted numbers."""

    def pct(v: float) -> str:
        return f"{fmt.num(100 * v, lang, 1)}%"

    return pd.DataFrame(
        {
            t("linkage.cov.col.group", lang): [
                t("linkage.cov.all", lang) if g == 0 else str(g) for g in table["group"]
            ],
            t("linkage.cov.col.fitted", lang): [
                fmt.interval(a, b, lang, 1)
                for a, b in zip(table["fitted_min"], table["fitted_max"], strict=True)
            ],
            "n": table["n"].astype(int).astype(str),
            t("linkage.cov.col.coverage", lang): [pct(v) for v in table["coverage"]],
            t("linkage.cov.col.classical", lang): [pct(v) for v in table["coverage_classical"]],
            t("linkage.cov.col.clipped", lang): table["clipped"].astype(int).astype(str),
        }
    )


def format_positions(table: pd.DataFrame, outcome_text: str, lang: Lang = "id") -> pd.DataFrame:
    """Rows of a stored ``positions`` table (see :func:`living_lab.linkage.region.positions`)
    with reader-facing headings and formatted numbers; ``outcome_text`` heads the outcome."""
    return pd.DataFrame(
        {
            t("linkage.peer_col.name", lang): table["name"],
            outcome_text: [fmt.num(v, lang, 1) for v in table["actual"]],
            t("linkage.peer_col.expected", lang): [fmt.num(v, lang, 1) for v in table["expected"]],
            t("linkage.peer_col.interval", lang): [
                fmt.interval(lo, hi, lang, 1) if pd.notna(lo) else "–"
                for lo, hi in zip(table["lo"], table["hi"], strict=True)
            ],
            t("linkage.peer_col.residual", lang): [
                fmt.num(v, lang, 1, signed=True) if pd.notna(v) else "–" for v in table["residual"]
            ],
            t("linkage.peer_col.rank", lang): [
                f"{int(r)}/{n}" if pd.notna(r) else "–"
                for r, n in zip(table["residual_rank"], table["n"], strict=True)
            ],
            t("linkage.col.note", lang): table["note"],
        }
    )
