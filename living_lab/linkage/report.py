"""Sections of ``notebooks/linkage_study.ipynb``: each returns what one notebook cell displays.

The notebook stays thin (parameters, validation, one call per section); every table, figure
and sentence comes from here, in the language of the run. The study's numbers (robustness,
leave-one-province-out, inference methods, the synthetic method check) are read from the
results layer (:mod:`living_lab.results.linkage`, computed once per set of inputs); the three
main models are refitted here for their sentences, the cohort's positions and the scatter
plots. Text lives in ``living_lab/locales/{id,en}/linkage.yml``.

Examples
--------
>>> from living_lab.linkage.params import check_study_params
>>> from living_lab.results import linkage as linkage_results
>>> params = check_study_params(lang="en", cohort="jawa-barat", validation_replications=0)
>>> stored = linkage_results.study(validation_replications=0)    # doctest: +SKIP
>>> study = LinkageStudy.run(params, stored)                      # doctest: +SKIP
>>> [type(x).__name__ for x in study.header()][:1]                # doctest: +SKIP
['Markdown']
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown

from living_lab import datasets
from living_lab.errors import ParameterError
from living_lab.escape import markdown_text
from living_lab.linkage import fmt
from living_lab.linkage.influence import format_influence, influence_text
from living_lab.linkage.intervals import coverage_by_fitted, format_coverage
from living_lab.linkage.params import StudyParams
from living_lab.linkage.region import format_positions, positions, region_view
from living_lab.linkage.results import LinkageResult, default_specs, fit, format_robustness
from living_lab.linkage.specs import LinkageSpec, robustness_specs
from living_lab.plots.linkage import plot_coefficients, plot_region_scatter
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
    """Every result of the study for one run of the notebook.

    The study's numbers come from ``stored`` (:mod:`living_lab.results.linkage`: computed once,
    read back); only the main models are fitted here again (a fraction of a second), for
    their sentences, the positions of the cohort's regions and the scatter plots.
    """

    params: StudyParams
    results: list[LinkageResult]
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
        conf = params.min_confidence
        specs = default_specs(min_confidence=conf)
        results = [fit(s, bootstrap=params.bootstrap, seed=params.seed) for s in specs]
        robustness = {
            (s.outcome, s.design): _labelled(
                stored.robustness_table(s.outcome, s.design), s, params.lang
            )
            for s in specs
        }
        return cls(params=params, results=results, robustness=robustness, stored=stored)

    def _stored(self) -> LinkageStudyResults:
        if self.stored is None:
            raise ParameterError("stored: this section needs the study's stored results")
        return self.stored

    @property
    def lang(self) -> str:
        return self.params.lang

    def _model(self, r: LinkageResult | pd.Series) -> str:
        outcome, design = _key(r)
        return t(f"linkage.model.{outcome}.{design}", self.lang)  # type: ignore[arg-type]

    def _models(self) -> list[pd.Series]:
        """The stored main models, one row each, in the study's order."""
        return [row for _, row in self._stored().models.iterrows()]

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
        for r in self.results:
            table = self.robustness[(r.spec.outcome, r.spec.design)]
            out.append(_md("linkage.nb.robustness_model", lang, model=self._model(r)))
            out.append(_table(format_robustness(table, lang)))  # type: ignore[arg-type]
            coef = table["coef"].dropna() if "coef" in table else pd.Series(dtype=float)
            alt = t(  # type: ignore[arg-type]
                "linkage.alt.robustness",
                lang,  # type: ignore[arg-type]
                model=self._model(r),
                k=len(coef),
                lo=fmt.num(coef.min(), lang, 2, signed=True),  # type: ignore[arg-type]
                hi=fmt.num(coef.max(), lang, 2, signed=True),  # type: ignore[arg-type]
            )
            out.append(_shown(plot_coefficients(table, lang), alt))  # type: ignore[arg-type]
            if r.spec.design != "twfe":
                lopo = self._stored().influence_table(r.spec.outcome, r.spec.design)
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
        for r in self.results:
            if r.spec.design == "twfe":
                continue
            alt = t("linkage.alt.scatter", lang, model=self._model(r), summary=r.summary(lang))  # type: ignore[arg-type]
            if len(regions) == 1:
                view = region_view(regions[0], result=r, n_peers=self.params.n_peers)
                out.append(_shown(plot_region_scatter(view, lang=lang), alt))  # type: ignore[arg-type]
            else:
                # Outlining every region of the "all" cohort would outline nothing in particular.
                hl = () if self.params.cohort.name == "all" else regions
                out.append(_shown(plot_region_scatter(r, None, lang, highlight=hl), alt))  # type: ignore[arg-type]
        return out

    def positions_section(self) -> list[Any]:
        lang = self.lang
        regions = list(self.params.cohort.regions)
        out: list[Any] = [
            _md("linkage.nb.positions_heading", lang),
            _md("linkage.nb.positions_text", lang),
        ]
        for r in self.results:
            if r.spec.design == "twfe":
                continue
            pos = positions(regions, r.spec.outcome, r, lang=lang)  # type: ignore[arg-type]
            ok = pos[pos["status"] == "ok"].sort_values("residual")
            missing = pos[pos["status"] != "ok"]
            out.append(_md("linkage.nb.model_heading", lang, model=self._model(r)))
            out.append(_md("linkage.nb.positions_counts", lang, ok=len(ok), missing=len(missing)))
            if len(pos) > MAX_POSITION_ROWS:
                out.append(_md("linkage.nb.positions_limited", lang, n=len(pos), k=EXTREME_ROWS))
                shown = pd.concat([ok.head(EXTREME_ROWS), ok.tail(EXTREME_ROWS)])
            else:
                shown = pd.concat([ok, missing])
            out.append(_table(format_positions(shown, r, lang)))  # type: ignore[arg-type]
            out.append(_md("linkage.nb.coverage_text", lang))
            out.append(_table(format_coverage(coverage_by_fitted(r.loo()), lang)))  # type: ignore[arg-type]
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


def _labelled(table: pd.DataFrame, main: LinkageSpec, lang: str) -> pd.DataFrame:
    """A stored robustness table with each row's label in ``lang`` and the attributes
    :func:`~living_lab.plots.linkage.plot_coefficients` reads (as ``robustness_table`` gives)."""
    specs = {
        s.key: s
        for s in robustness_specs(main.outcome, main.design, min_confidence=main.min_confidence)  # type: ignore[arg-type]
    }
    table = table.copy()
    labels = []
    for key in table["key"]:
        spec = specs[str(key).split(":", 1)[0]]
        labels.append(t(f"linkage.row.{spec.key}", lang, **spec.to_dict()))  # type: ignore[arg-type]
    table.insert(1, "label", labels)
    first = next(iter(specs.values()))
    table.attrs.update(
        outcome=main.outcome,
        design=main.design,
        lang=lang,
        level=0.95,
        unit=t(f"linkage.outcome_unit.{main.outcome}", lang),  # type: ignore[arg-type]
        measure=t(f"linkage.measure.{first.spbe_measure}", lang),  # type: ignore[arg-type]
        synthetic=False,
    )
    return table


def _key(model: LinkageResult | pd.Series) -> tuple[str, str]:
    """(outcome, design) of a fitted result or a stored model row."""
    if isinstance(model, LinkageResult):
        return model.spec.outcome, model.spec.design
    return str(model["outcome"]), str(model["design"])


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
