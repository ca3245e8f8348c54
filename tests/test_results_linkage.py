"""The linkage study in the results layer: computed once, stored as tidy tables, read back.

The stored numbers must be the library's own (each table against a direct call of the function
that makes it), round trip exactly, be loadable by a researcher without a notebook, be reused
only for the same inputs (other parameters, or a damaged folder, are recomputed, never used),
and give the study's sections exactly the tables they showed when they computed them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from living_lab.linkage import default_specs, fit, simulate
from living_lab.linkage.influence import leave_one_province_out
from living_lab.linkage.results import (
    choose_design,
    inference_table,
    robustness_table,
    source_text,
)
from living_lab.results import linkage as linkage_results
from living_lab.results.store import META, ResultsError

#: Small but real: every table is computed (few bootstrap draws, a short method check).
ARGS = {"min_confidence": "medium", "bootstrap": 199, "seed": 11, "validation_replications": 8}


@pytest.fixture(scope="module")
def stored() -> linkage_results.LinkageStudyResults:
    return linkage_results.compute(**ARGS)


@pytest.fixture(scope="module")
def folder(stored, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "results" / linkage_results.FOLDER
    linkage_results.save(stored, path)
    return path


def test_stored_numbers_are_the_library_s_own(stored):
    specs = default_specs()
    fits = [fit(s, bootstrap=199, seed=11) for s in specs]
    models = stored.models
    assert list(zip(models["outcome"], models["design"], strict=True)) == [
        (s.outcome, s.design) for s in specs
    ]
    for (_, row), r in zip(models.iterrows(), fits, strict=True):
        assert (row["coef"], row["ci_low"], row["ci_high"], row["n"]) == (
            r.coef,
            r.ci_low,
            r.ci_high,
            r.n,
        )
        assert (row["wild_ci_low"], row["wild_ci_high"], row["wild_p"]) == (
            r.wild.ci_low,
            r.wild.ci_high,
            r.wild.p,
        )
        direct = robustness_table(r.spec.outcome, r.spec.design, bootstrap=199, seed=11)
        got = stored.robustness_table(r.spec.outcome, r.spec.design)
        assert list(got["key"]) == list(direct["key"])
        for col in ("coef", "ci_low", "ci_high", "wild_ci_low", "wild_ci_high", "n"):
            np.testing.assert_array_equal(
                got[col].to_numpy(float), pd.to_numeric(direct[col]).to_numpy(float)
            )
        if r.spec.design != "twfe":
            lopo = leave_one_province_out(r)
            mine = stored.influence_table(r.spec.outcome, r.spec.design)
            pd.testing.assert_frame_equal(mine, lopo, check_exact=True)
            assert mine.attrs == lopo.attrs
    inf = inference_table(specs[0], lang="en", bootstrap=199, seed=11)
    np.testing.assert_array_equal(stored.inference["ci_low"], inf["ci_low"])
    assert list(stored.inference["method"]) == list(linkage_results.INFERENCE_METHODS)
    sim = simulate.simulation_study(replications=8, seed=11, bootstrap=199, **simulate.DATA_REGIME)
    pd.testing.assert_frame_equal(stored.validation, sim, check_exact=True)


def test_stored_sentences_are_the_library_s_own_in_each_language(stored):
    fits = [fit(s, bootstrap=199, seed=11) for s in default_specs()]
    for (_, row), r in zip(stored.models.iterrows(), fits, strict=True):
        for lang in ("id", "en"):
            assert row[f"summary_{lang}"] == r.summary(lang)
            assert row[f"spec_text_{lang}"] == r.spec_text(lang)
            assert row[f"caveat_{lang}"] == r.caveat(lang)
            assert row[f"dropped_{lang}"] == r.dropped_text(lang)
            assert row[f"notes_{lang}"] == r.notes(lang) and len(r.notes(lang)) > 0
            assert row[f"sources_{lang}"] == [source_text(x, lang) for x in r.sources]
    # Sources in Bahasa Indonesia where data/outcomes.meta.yml gives an Indonesian text.
    assert stored.models["sources_id"].iloc[0] != stored.models["sources_en"].iloc[0]
    for o in ("stunting_prevalence_pct", "poverty_rate_pct"):
        d = choose_design(o)
        got = stored.designs.set_index("outcome").loc[o]
        assert got["design"] == d.design
        assert (got["message_id"], got["message_en"]) == (d.message("id"), d.message("en"))


def test_closing_note_quotes_every_stored_main_estimate(stored):
    from living_lab import fmt
    from living_lab.report.linkage_sections import closing_note, main_table

    note = closing_note(stored.models, "en")
    for _, m in stored.models.iterrows():
        assert m["summary_en"] in note
        assert fmt.interval(m["ci_low"], m["ci_high"], "en") in note and f"n = {m['n']}" in note
    table = main_table(stored.models, "id")
    assert len(table) == 3 and list(table["n"]) == list(stored.models["n"])
    assert list(table["R²"]) == [fmt.num(v, "id", 2) for v in stored.models["r2"]]


@pytest.mark.slow  # computes the study again, or starts an interpreter
def test_round_trip_is_exact_and_a_researcher_loads_it_without_a_notebook(stored, folder):
    back = linkage_results.load(folder, key=stored.key)
    for name in ("models", "robustness", "influence", "inference", "validation", "designs"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(stored, name), check_exact=True)
    assert (back.key, back.bootstrap, back.seed) == (stored.key, 199, 11)
    # A fresh interpreter, only the public API (as the module docstring shows).
    code = (
        "from living_lab.results import linkage; import sys\n"
        f"r = linkage.load({str(folder)!r})\n"
        "m = r.models.set_index(['outcome', 'design'])\n"
        "print(round(float(m.loc[('stunting_prevalence_pct', 'cross_section'), 'coef']), 6))\n"
        "print(len(r.robustness_table('stunting_prevalence_pct', 'cross_section')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    coef = stored.models.set_index(["outcome", "design"]).loc[
        ("stunting_prevalence_pct", "cross_section"), "coef"
    ]
    assert float(out[0]) == round(float(coef), 6)
    assert int(out[1]) == len(stored.robustness_table("stunting_prevalence_pct", "cross_section"))
    # Plain CSV too: pandas alone reads a table.
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    assert meta["key"] == stored.key and meta["type"] == "LinkageStudyResults"
    assert len(pd.read_csv(folder / "models.csv")) == len(stored.models)


@pytest.mark.slow  # computes the study again, or starts an interpreter
def test_study_reuses_only_results_of_the_same_inputs(stored, folder, monkeypatch):
    calls = []
    real = linkage_results.compute

    def counting(**kw):
        calls.append(kw)
        return real(**kw)

    monkeypatch.setattr(linkage_results, "compute", counting)
    same = linkage_results.study(**ARGS, folder=folder)
    assert calls == [] and same.key == stored.key
    # Other parameters: computed here, not taken from the folder.
    other = {**ARGS, "seed": 12, "validation_replications": 0}
    got = linkage_results.study(**other, folder="")
    assert len(calls) == 1 and got.seed == 12 and got.validation.empty
    assert got.key != stored.key


@pytest.mark.slow  # computes the study again, or starts an interpreter
def test_a_damaged_folder_is_recomputed_not_used(stored, tmp_path):
    path = tmp_path / "results" / linkage_results.FOLDER
    linkage_results.save(stored, path)
    csv = path / "models.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("stunting", "stuntinG"), "utf-8")
    with pytest.raises(ResultsError):
        linkage_results.load(path, key=stored.key)
    again = linkage_results.study(**ARGS, folder=path)
    pd.testing.assert_frame_equal(again.models, stored.models, check_exact=True)
    linkage_results.load(path, key=stored.key)  # rewritten, intact


def test_folder_sits_beside_the_batch_results():
    got = linkage_results.folder_of("/out/results/jawa-barat-2024")
    assert got is not None and got.as_posix() == "/out/results/linkage-study"
    assert linkage_results.folder_of("") is None


@pytest.mark.slow  # renders every section in both languages (figures included)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_sections_show_the_stored_tables(stored, lang):
    from IPython.display import Markdown

    from living_lab.report.linkage_params import check_study_params
    from living_lab.report.linkage_sections import LinkageStudy

    params = check_study_params(cohort="jawa-barat", lang=lang, bootstrap=199, seed=11)
    with pytest.raises(Exception, match="stored"):
        LinkageStudy.run(params, stored)  # 200 replications asked, 8 stored
    params = check_study_params(
        cohort="jawa-barat", lang=lang, bootstrap=199, seed=11, validation_replications=8
    )
    study = LinkageStudy.run(params, stored)
    for r in (fit(s, bootstrap=199, seed=11) for s in default_specs()):
        direct = robustness_table(r.spec.outcome, r.spec.design, lang=lang, bootstrap=199, seed=11)
        shown = study.robustness[(r.spec.outcome, r.spec.design)]
        assert list(shown["label"]) == list(direct["label"])
        assert shown.attrs == direct.attrs
    validation = study.validation()
    assert isinstance(validation[1], Markdown) and "8" in validation[1].data
    assert len(validation[2].data) == len(stored.validation)


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(linkage_results, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def _png(fig) -> bytes:
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    plt.close(fig)
    return buf.getvalue()


@pytest.mark.slow  # draws the scatter plots twice, from the fitted models and from the tables
@pytest.mark.parametrize("lang", ["id", "en"])
def test_scatter_and_positions_from_the_tables_are_those_of_the_fitted_models(stored, lang):
    """The sections draw and place regions from stored tables only; each figure and table must
    be the one drawn from the fitted model (the path before the tables were stored)."""
    from living_lab.linkage import positions, region_view
    from living_lab.linkage.intervals import coverage_by_fitted
    from living_lab.plots.linkage import plot_region_scatter, plot_scatter
    from living_lab.report.linkage_params import check_study_params
    from living_lab.report.linkage_sections import LinkageStudy, format_positions

    params = check_study_params(
        cohort="jawa-barat", lang=lang, bootstrap=199, seed=11, validation_replications=8
    )
    study = LinkageStudy.run(params, stored)
    cohort = list(params.cohort.regions)
    fits = {(s.outcome, s.design): fit(s, bootstrap=199, seed=11) for s in default_specs()}
    placed = [m for _, m in stored.models.iterrows() if m["design"] != "twfe"]
    assert len(placed) == 3  # no panel model: every main model places regions
    for m in placed:
        key = (m["outcome"], m["design"])
        r = fits[key]
        model = study._scatter_model(m)
        assert _png(plot_scatter(model, None, lang, highlight=cohort)) == _png(
            plot_region_scatter(r, None, lang, highlight=cohort)
        )
        pos = stored.rows("positions", *key)
        missing = pos.loc[pos["status"] != "ok", "region_code"]
        assert len(missing) > 0  # a region without the model's figures is shown too
        for code in ("3211", str(missing.iloc[0])):
            view = region_view(code, result=r, n_peers=7)
            mine = LinkageStudy.run(
                check_study_params(
                    cohort="jawa-barat",
                    lang=lang,
                    bootstrap=199,
                    seed=11,
                    validation_replications=8,
                    n_peers=7,
                ),
                stored,
            )._focus(m, code)
            assert len(mine.peers) == len(view.peers) == 7
            assert _png(plot_scatter(model, mine, lang)) == _png(
                plot_region_scatter(view, lang=lang)
            )
        direct = positions(cohort, m["outcome"], r, lang=lang)
        shown = pos.set_index("region_code").loc[cohort].reset_index()
        shown["note"] = shown[f"note_{lang}"]
        pd.testing.assert_frame_equal(
            format_positions(shown, r.outcome_text(lang), lang),
            format_positions(direct, r.outcome_text(lang), lang),
        )
        pd.testing.assert_frame_equal(
            stored.rows("coverage", *key), coverage_by_fitted(r.loo()), check_exact=True
        )
