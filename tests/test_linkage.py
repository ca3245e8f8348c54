"""Linkage study: specifications, samples, estimators against statsmodels, text, region view.

Reference computations and where they come from:

* statsmodels 0.15 ``OLS`` / ``smf.ols`` (``cov_type="HC1"``, ``"HC3"``, ``"cluster"`` with
  ``use_t=True``: CR1 factor G/(G-1)(n-1)/(n-k), t(G-1) critical values) is the reference for
  every coefficient, standard error, interval and p-value, on the bundled data and on random
  data (tolerance 1e-8 relative).
* The wild cluster restricted bootstrap is checked against a brute-force loop that re-fits the
  restricted model and every bootstrap sample with statsmodels, using the same weights.
* Published figures (KemenPANRB Laporan Evaluasi SPBE 2023; SSGI 2024, see shared/data/README.md):
  Kabupaten Sumedang SPBE 2023 = 4.14, stunting 2024 = 17.0 %; Kota Bandung poverty March 2025
  = 3.78 %.
"""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
import yaml

from living_lab import datasets, fmt, linkage, paths
from living_lab.errors import ParameterError, UnknownRegionError
from living_lab.linkage import estimators, simulate
from living_lab.linkage.data import analysis_frame, bundled_cross_section
from living_lab.linkage.specs import LinkageSpec, main_spec, robustness_specs
from living_lab.report.linkage_params import check_study_params
from living_lab.report.linkage_sections import format_positions, format_robustness

PAPUA = {"91", "94"}  # BPS 2018 province codes of Papua Barat and Papua


# ----- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cs() -> pd.DataFrame:
    """The bundled cross-section with numeric columns (independent of the linkage module)."""
    df = datasets.load_cross_section(min_confidence="medium")
    for col in df.columns:
        if col.split("_")[0] in {"index", "d1", "d2", "d3", "d4", "stunting", "poverty", "grdp"}:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


@pytest.fixture(scope="module")
def stunting() -> linkage.LinkageResult:
    return linkage.fit("stunting_prevalence_pct", bootstrap=0)


# ----- specifications ------------------------------------------------------------------------
def test_main_specs_follow_the_specs_file():
    raw = yaml.safe_load((paths.PARAMS / "linkage" / "specs.yaml").read_text(encoding="utf-8"))
    for outcome, designs in raw["main"].items():
        for design, fields in designs.items():
            spec = main_spec(outcome, design)
            for name, value in fields.items():
                got = getattr(spec, name)
                assert (list(got) if isinstance(got, tuple) else got) == value, (
                    outcome,
                    design,
                    name,
                )


@pytest.mark.parametrize(
    ("outcome", "design"),
    [
        ("stunting_prevalence_pct", "cross_section"),
        ("poverty_rate_pct", "change"),
        ("poverty_rate_pct", "cross_section"),
    ],
)
def test_each_robustness_row_changes_only_what_it_says(outcome, design):
    raw = yaml.safe_load((paths.PARAMS / "linkage" / "specs.yaml").read_text(encoding="utf-8"))
    rows = raw["robustness"][f"{outcome}/{design}"]
    specs = robustness_specs(outcome, design)
    main = specs[0]
    assert main.key == "main" and main == main_spec(outcome, design).replace(key="main")
    for row, spec in zip(rows, specs, strict=True):
        changed = {k for k, v in spec.to_dict().items() if k != "key" and v != main.to_dict()[k]}
        assert changed <= set(row.get("set", {})), (spec.key, changed)
    keys = [s.key for s in specs]
    # The robustness list: province effects, Papua, domain 4, low-confidence data.
    assert {"no_province_effects", "domain4", "low_confidence", "low_confidence_no_papua"} <= set(
        keys
    )


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"outcome": "ipm"}, "outcome"),
        ({"design": "change"}, "base_year"),
        ({"controls": ("baseline_outcome",)}, "baseline_outcome"),
        ({"spbe_form": "change"}, "spbe_base_year"),
        ({"sample_filters": ("exclude_jawa",)}, "sample_filters"),
        ({"se_type": "robust"}, "se_type"),
        ({"controls": ("kota", "kota")}, "twice"),
        ({"design": "twfe", "controls": ("kota",)}, "absorbed"),
        ({"spbe_year": "2023"}, "spbe_year"),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(changes, fragment):
    with pytest.raises(ParameterError, match=fragment):
        LinkageSpec(**changes)


def test_replace_refuses_unknown_fields():
    with pytest.raises(ParameterError, match="unknown LinkageSpec field"):
        main_spec().replace(province_effect=False)


# ----- samples -------------------------------------------------------------------------------
def test_sample_counts_add_up_and_nothing_is_filled(cs):
    af = analysis_frame(main_spec("stunting_prevalence_pct"))
    assert af.n + sum(af.dropped.values()) == af.n_candidates == len(cs) == 514
    merged = af.frame.merge(cs, on="region_code")
    np.testing.assert_array_equal(merged["y"], merged["stunting_prevalence_pct_2024"])
    np.testing.assert_array_equal(merged["spbe"], merged["index_2023"])
    np.testing.assert_allclose(
        merged["log_grdp_pc"], np.log(merged["grdp_per_capita_thousand_idr_2023"])
    )
    assert not af.frame[["y", "spbe", "log_grdp_pc", "kota"]].isna().any().any()
    sumedang = af.frame.set_index("region_code").loc["3211"]
    assert sumedang["spbe"] == 4.14 and sumedang["y"] == 17.0  # published (module docstring)


def test_papua_is_out_by_default_and_in_with_low_confidence_data():
    medium = analysis_frame(main_spec("stunting_prevalence_pct"))
    low = analysis_frame(main_spec("stunting_prevalence_pct", min_confidence="low"))
    assert not set(medium.frame["province_code"]) & PAPUA
    assert set(low.frame["province_code"]) & PAPUA
    # Each Papua region was left out for a low-confidence figure (or has no SPBE result at all),
    # and the frame says which.
    papua_out = {c: r for c, r in medium.excluded.items() if c[:2] in PAPUA}
    flagged = {c for c in papua_out if c in medium.low_confidence}
    assert flagged and all(r == "spbe" for c, r in papua_out.items() if c not in flagged)
    filtered = analysis_frame(
        main_spec("stunting_prevalence_pct", min_confidence="low").replace(
            sample_filters=("exclude_papua",)
        )
    )
    assert not set(filtered.frame["province_code"]) & PAPUA
    assert filtered.dropped["filter:exclude_papua"] == 42


def test_population_is_low_confidence_and_only_admitted_on_request(cs):
    assert "population_2025" not in cs.columns  # the loader leaves it out at medium confidence
    spec = main_spec("stunting_prevalence_pct").replace(
        controls=("log_grdp_pc", "kota", "log_population")
    )
    with pytest.raises(ParameterError, match="population_year"):
        analysis_frame(spec)
    admitted = analysis_frame(spec.replace(admit_low=("population",)))
    main = analysis_frame(main_spec("stunting_prevalence_pct"))
    assert admitted.n == main.n  # population 2025 exists for all regions
    assert set(admitted.frame["province_code"]) == set(main.frame["province_code"])


def test_unknown_year_is_a_parameter_error_naming_available_years():
    with pytest.raises(ParameterError, match=r"spbe_year.*\['2021', '2022', '2023', '2024'\]"):
        analysis_frame(main_spec().replace(spbe_year=2019))


def test_user_data_missing_column_is_an_input_error():
    df = simulate.simulate_cross_section(1).drop(columns=["grdp_per_capita_thousand_idr_2023"])
    with pytest.raises(linkage.data.InputError, match="grdp_per_capita_thousand_idr_2023"):
        linkage.fit(main_spec(), df, bootstrap=0)


# ----- estimators against statsmodels --------------------------------------------------------
@pytest.fixture(scope="module")
def random_cluster_data():
    rng = np.random.default_rng(42)
    g = np.repeat(np.arange(25), rng.integers(4, 20, 25))
    n = g.size
    x = rng.normal(size=n) + rng.normal(size=25)[g]
    z = rng.normal(10, 2, size=n)
    y = 1 + 0.3 * x - 0.2 * z + rng.normal(size=n) * (1 + np.abs(x)) + rng.normal(size=25)[g]
    return np.column_stack([np.ones(n), x, z]), y, g


@pytest.mark.parametrize("cov_type", ["hc1", "hc3", "cluster"])
def test_ols_matches_statsmodels(random_cluster_data, cov_type):
    X, y, g = random_cluster_data
    ours = estimators.ols(X, y, ["const", "x", "z"], cov_type=cov_type, clusters=g)
    kw = (
        {"cov_type": "cluster", "cov_kwds": {"groups": g}}
        if cov_type == "cluster"
        else {"cov_type": cov_type.upper()}
    )
    ref = sm.OLS(y, X).fit(use_t=True, **kw)
    np.testing.assert_allclose(ours.beta, ref.params, rtol=1e-10)
    np.testing.assert_allclose(np.sqrt(np.diag(ours.vcov)), ref.bse, rtol=1e-8)
    np.testing.assert_allclose(ours.ci("x"), ref.conf_int()[1], rtol=1e-8)
    assert ours.pvalue("x") == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert ours.r2 == pytest.approx(ref.rsquared, rel=1e-10)


def test_collinear_design_is_refused():
    X = np.column_stack([np.ones(50), np.arange(50.0), 2 * np.arange(50.0)])
    with pytest.raises(ParameterError, match="collinear"):
        estimators.ols(X, np.arange(50.0), ["c", "a", "b"], cov_type="hc1")


_FORMULAS = {
    "stunting": (
        main_spec("stunting_prevalence_pct"),
        "stunting_prevalence_pct_2024 ~ index_2023 + np.log(grdp_per_capita_thousand_idr_2023)"
        " + kota + C(province_code)",
        "index_2023",
    ),
    "stunting_no_fe": (
        main_spec("stunting_prevalence_pct").replace(province_effects=False),
        "stunting_prevalence_pct_2024 ~ index_2023 + np.log(grdp_per_capita_thousand_idr_2023) + kota",
        "index_2023",
    ),
    "poverty_change": (
        main_spec("poverty_rate_pct", "change"),
        "I(poverty_rate_pct_2025 - poverty_rate_pct_2021) ~ index_2023 + poverty_rate_pct_2021"
        " + np.log(grdp_per_capita_thousand_idr_2021) + kota + C(province_code)",
        "index_2023",
    ),
    "poverty_level": (
        main_spec("poverty_rate_pct"),
        "poverty_rate_pct_2025 ~ index_2024 + np.log(grdp_per_capita_thousand_idr_2024)"
        " + kota + C(province_code)",
        "index_2024",
    ),
    "domain4_hc1": (
        main_spec("stunting_prevalence_pct").replace(spbe_measure="d4", se_type="hc1"),
        "stunting_prevalence_pct_2024 ~ d4_2023 + np.log(grdp_per_capita_thousand_idr_2023)"
        " + kota + C(province_code)",
        "d4_2023",
    ),
}


@pytest.mark.parametrize("name", list(_FORMULAS))
def test_bundled_estimates_match_a_direct_statsmodels_formula_fit(cs, name):
    spec, formula, term = _FORMULAS[name]
    ours = linkage.fit(spec, bootstrap=0)
    df = cs.assign(kota=(cs["kind"] == "kota").astype(float))
    used = [c for c in df.columns if c in formula] + ["province_code"]
    df = df.dropna(subset=used)
    if spec.se_type == "cluster":
        ref = smf.ols(formula, df).fit(
            cov_type="cluster", cov_kwds={"groups": df["province_code"]}, use_t=True
        )
    else:
        ref = smf.ols(formula, df).fit(cov_type="HC1", use_t=True)
    assert ours.n == int(ref.nobs)
    assert ours.coef == pytest.approx(ref.params[term], rel=1e-9)
    assert ours.se == pytest.approx(ref.bse[term], rel=1e-7)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ref.conf_int().loc[term]), rel=1e-7)
    assert ours.p == pytest.approx(ref.pvalues[term], rel=1e-6)
    assert ours.r2 == pytest.approx(ref.rsquared, rel=1e-9)


def _brute_force_wild_p(X, y, g, j, b0, W):
    """Restricted fit, then each bootstrap sample re-fitted with statsmodels (slow, obvious)."""
    Z = np.delete(X, j, axis=1)
    x = X[:, j]
    restricted = sm.OLS(y - b0 * x, Z).fit()
    u = restricted.resid
    ref = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": g})
    t_obs = abs(ref.params[j] - b0) / ref.bse[j]
    codes = np.unique(g, return_inverse=True)[1]
    hits = 0
    for w in W:
        ystar = restricted.fittedvalues + b0 * x + u * w[codes]
        fit = sm.OLS(ystar, X).fit(cov_type="cluster", cov_kwds={"groups": g})
        hits += abs(fit.params[j] - b0) / fit.bse[j] >= t_obs - 1e-12
    return hits / len(W)


def test_wild_bootstrap_equals_brute_force(random_cluster_data):
    X, y, g = random_cluster_data
    res = estimators.wild_cluster_bootstrap(X, y, g, 1, draws=199, seed=7, weights="rademacher")
    W, _ = estimators.draw_weights(199, 25, "rademacher", np.random.default_rng(7))
    assert res.p == pytest.approx(_brute_force_wild_p(X, y, g, 1, 0.0, W))
    # The interval ends are where the bootstrap p-value crosses 5 %.
    inside = _brute_force_wild_p(X, y, g, 1, res.ci_low + 1e-4, W)
    outside = _brute_force_wild_p(X, y, g, 1, res.ci_low - 1e-3, W)
    assert inside > 0.05 >= outside


def test_wild_bootstrap_uses_webb_weights_with_few_clusters():
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(8), 10)
    x = rng.normal(size=80)
    y = x + rng.normal(size=80)
    res = estimators.wild_cluster_bootstrap(np.column_stack([np.ones(80), x]), y, g, 1, draws=199)
    assert res.weights == "webb" and res.ci_low < 1 < res.ci_high


def test_twfe_equals_dummy_regression():
    panel = simulate.simulate_panel(5, n_clusters=12, mean_cluster_size=6)
    spec = LinkageSpec(design="twfe", controls=("log_grdp_pc",), lag=1)
    ours = linkage.fit(spec, panel, bootstrap=0)
    frame = ours.sample.frame
    ref = smf.ols("y ~ spbe + log_grdp_pc + C(region_code) + C(year)", frame).fit(
        cov_type="cluster", cov_kwds={"groups": frame["province_code"]}, use_t=True
    )
    assert ours.coef == pytest.approx(ref.params["spbe"], rel=1e-8)
    # statsmodels counts the region dummies in the small-sample factor; region effects are
    # nested in the province clusters, so they are not counted here (the fixest convention).
    n, k_full = int(ref.nobs), len(ref.params)
    k_ours = 2 + frame["year"].nunique() - 1
    factor = np.sqrt((n - k_full) / (n - k_ours))
    assert ours.se == pytest.approx(ref.bse["spbe"] * factor, rel=1e-6)


# ----- panel detection -----------------------------------------------------------------------
def test_bundled_data_have_no_panel_and_say_so():
    stunting = linkage.choose_design("stunting_prevalence_pct")
    poverty = linkage.choose_design("poverty_rate_pct")
    assert stunting.design == poverty.design == "cross_section"
    assert stunting.panel.n_regions == 1 and stunting.panel.example_regions == (
        "Kabupaten Sumedang",
    )
    assert poverty.panel.n_regions == 27 and poverty.panel.n_clusters == 1  # Jawa Barat 2024-2025
    assert poverty.panel.periods == (2024, 2025)
    assert "27" in poverty.message("en") and "not used" in poverty.message("en")
    assert "tidak dipakai" in poverty.message("id")
    with pytest.raises(linkage.NotEnoughDataError, match="only 1 region"):
        linkage.fit(main_spec("stunting_prevalence_pct", "twfe"))


def test_panel_methods_take_over_when_the_data_allow():
    panel = simulate.simulate_panel(11)
    choice = linkage.choose_design("stunting_prevalence_pct", panel_data=panel)
    assert choice.design == "twfe" and choice.panel.available
    specs = linkage.default_specs(panel_data=panel)
    assert specs[0].design == "twfe" and specs[0].outcome == "stunting_prevalence_pct"
    res = linkage.fit(specs[0], panel, bootstrap=199)
    truth = panel.attrs["truth"]["stunting"]
    assert abs(res.coef - truth) < 3 * res.se
    assert res.years["outcome"] == (2022, 2023, 2024) and res.years["spbe"] == (2021, 2022, 2023)
    assert "SINTETIS" in res.spec_text("id") and "SYNTHETIC" in res.summary("en")


# ----- results: text, years, sources ---------------------------------------------------------
def test_result_carries_n_years_sources_and_caveat(stunting):
    r = stunting
    assert r.years == {"outcome": (2024,), "spbe": (2023,), "grdp_per_capita": (2023,)}
    text = " ".join(r.sources)
    assert "Laporan Evaluasi SPBE 2023" in text and "SPPG_RAWANPANGAN_STUNTING" in text
    assert "QUARCS_INDONESIA514_GDPPC" in text and "POVERTY" not in text
    for lang, word in (("en", "association"), ("id", "asosiasi")):
        assert word in r.caveat(lang).lower()
        summary = r.summary(lang)
        assert f"n = {r.n}" in summary and str(r.n_clusters) in summary
        assert fmt.interval(r.ci_low, r.ci_high, lang) in summary
    assert "province" in r.spec_text("en") and "provinsi" in r.spec_text("id")
    notes = " ".join(r.notes("en"))
    assert "Population is not a control" in notes and "low confidence" in notes
    assert f"Of 514 regencies/cities, {r.n} are in the model" in notes


def test_low_confidence_rows_say_so():
    spec = robustness_specs("stunting_prevalence_pct")[-2]
    assert spec.key == "low_confidence"
    res = linkage.fit(spec, bootstrap=0)
    assert "INCLUDED" in res.spec_text("en") and "DIIKUTKAN" in res.spec_text("id")
    assert any("Low-confidence figures are included" in n for n in res.notes("en"))
    assert res.years["population"] == (2025,)


def test_change_model_is_the_change_on_level_design():
    res = linkage.fit(main_spec("poverty_rate_pct", "change"), bootstrap=0)
    assert res.years["outcome"] == (2021, 2025) and res.years["spbe"] == (2023,)
    terms = set(res.coefficients["term"])
    assert {"spbe", "baseline_outcome", "log_grdp_pc", "kota"} <= terms
    assert "not strictly measured before" in " ".join(res.notes("en"))


# ----- robustness and inference tables -------------------------------------------------------
@pytest.fixture(scope="module")
def rob():
    return linkage.robustness_table("stunting_prevalence_pct", lang="en", bootstrap=199)


def test_robustness_table_rows_are_the_specs(rob):
    specs = robustness_specs("stunting_prevalence_pct")
    keys = [s.key for s in specs]
    # Every spec appears once, on the main sample or (when its sample differs) on its own.
    shown = [k.removesuffix(":own_sample") for k in rob["key"]]
    assert set(shown) == set(keys)
    assert list(rob["sample"]) == sorted(rob["sample"], key=lambda v: v != "main")
    main = linkage.fit(specs[0], bootstrap=0)
    row = rob.set_index("key").loc["main"]
    assert row["coef"] == pytest.approx(main.coef) and row["n"] == main.n
    assert row["wild_ci_low"] < row["coef"] < row["wild_ci_high"]
    by = rob.set_index("key")
    assert by.loc["no_province_effects", "n"] == main.n
    assert by.loc["low_confidence:own_sample", "n"] > main.n  # the Papua regions come in
    assert "low_confidence" not in by.index  # its choice is the sample: no held-fixed row
    assert by.loc["low_confidence_no_papua", "n"] == main.n
    assert (
        rob.attrs["outcome"] == "stunting_prevalence_pct" and rob.attrs["design"] == "cross_section"
    )
    text = format_robustness(rob, "en")
    assert text.shape[0] == len(rob) and "Main model" in text.iloc[0, 0]
    assert text.iloc[-1, 1].startswith("changed: +")


def test_robustness_rows_hold_the_sample_fixed():
    # Issue #13: poverty "no controls" is -3.78 on its own 485 regions but -2.41 on the main
    # model's 462; the table must show the held-fixed row as the comparison and the other apart.
    rob = linkage.robustness_table("poverty_rate_pct", "cross_section", bootstrap=0)
    by = rob.set_index("key")
    main = linkage.fit(robustness_specs("poverty_rate_pct")[0], bootstrap=0)
    main_codes = set(main.sample.frame["region_code"])
    spec = next(s for s in robustness_specs("poverty_rate_pct") if s.key == "no_controls")
    held = linkage.fit(spec, bootstrap=0, regions=main_codes)
    assert set(held.sample.frame["region_code"]) == main_codes
    assert by.loc["no_controls", "coef"] == pytest.approx(held.coef)
    assert by.loc["no_controls", "n"] == main.n == 462
    assert by.loc["no_controls", "coef"] == pytest.approx(-2.41, abs=0.01)
    own = by.loc["no_controls:own_sample"]
    assert own["sample"] == "changed" and own["n"] == 485 and own["n_added"] == 23
    assert own["coef"] == pytest.approx(-3.78, abs=0.01)
    assert (rob.loc[rob["sample"] == "main", "n"].dropna() == main.n).all()


def test_inference_table_orders_clustered_wider_than_unclustered():
    tab = linkage.inference_table(bootstrap=199, lang="en")
    assert list(tab["method"].str.split().str[0]) == ["HC1", "HC3", "CR1", "Wild", "Wild"]
    assert tab["coef"].nunique() == 1
    width = tab["ci_high"] - tab["ci_low"]
    assert width.iloc[2] > width.iloc[0]  # regions of a province move together


# ----- region view ---------------------------------------------------------------------------
@pytest.mark.slow  # every region of the country, twice
@pytest.mark.parametrize("outcome", ["stunting_prevalence_pct", "poverty_rate_pct"])
def test_region_view_for_every_region(outcome):
    res = linkage.fit(outcome, bootstrap=0)
    in_model = set(res.sample.frame["region_code"])
    statuses = {}
    for code in datasets.load_regions()["region_code"]:
        view = linkage.region_view(code, outcome, res)
        statuses[code] = view.status
        if code in in_model:
            assert view.ok, code
            assert view.lo <= view.expected <= view.hi
            assert view.residual == pytest.approx(view.actual - view.expected)
            assert 1 <= view.residual_rank <= view.n == res.n
            assert len(view.peers) == 5 and code not in set(view.peers["region_code"])
            assert set(view.peers["region_code"]) <= in_model
        else:
            assert view.status == "not_enough_data" and view.expected is None and view.missing
            assert view.message("en").startswith("Not enough data")
            assert view.message("id").startswith("Data tidak cukup")
    assert sum(s == "ok" for s in statuses.values()) == res.n


def test_region_view_expectation_is_the_leave_one_out_prediction(cs, stunting):
    view = linkage.region_view("Sumedang", "stunting_prevalence_pct", stunting)
    frame = stunting.sample.frame
    rest = frame[frame["region_code"] != "3211"]
    ref = smf.ols("y ~ spbe + log_grdp_pc + kota + C(province_code)", rest).fit()
    me = frame[frame["region_code"] == "3211"]
    assert view.expected == pytest.approx(float(ref.predict(me).iloc[0]), rel=1e-9)
    pred = ref.get_prediction(me).summary_frame(alpha=0.05)
    # The classical interval (one width for all) is kept for comparison and matches statsmodels;
    # the view's own interval follows the spread at the region's expected level (issue #13).
    loo = stunting.loo().set_index("region_code").loc["3211"]
    assert loo["lo_classical"] == pytest.approx(float(pred["obs_ci_lower"].iloc[0]), rel=1e-8)
    assert loo["hi_classical"] == pytest.approx(float(pred["obs_ci_upper"].iloc[0]), rel=1e-8)
    assert (view.lo, view.hi) == (loo["lo"], loo["hi"])
    assert view.lo < view.expected < view.hi
    assert view.actual == 17.0 and view.spbe == 4.14
    ranks = stunting.loo()["residual_rank"]
    assert sorted(ranks)[0] == 1 and ranks.max() <= stunting.n
    best = stunting.loo().sort_values("residual").iloc[0]
    assert best["residual_rank"] == 1  # 1 = furthest below expectation (lower stunting is better)


def test_region_view_peers_are_of_the_same_kind_and_optionally_province(stunting):
    view = linkage.region_view("Kota Bandung", result=stunting, same_province=True, n_peers=3)
    assert set(view.peers["kind"]) == {"kota"} and set(view.peers["province"]) == {"Jawa Barat"}
    assert view.peers["distance"].is_monotonic_increasing
    assert "same province" in view.peers_text("en") and "low-confidence" in view.peers_text("en")
    no_pop = linkage.region_view("Kota Bandung", result=stunting, peer_population=False)
    assert no_pop.peer_features == ("grdp",) and no_pop.peers["population"].isna().all()


def test_region_without_spbe_gets_not_enough_data_and_peers():
    view = linkage.region_view("3171")  # Jakarta Selatan: no SPBE result (administrative city)
    assert view.status == "not_enough_data" and view.missing == ("spbe",)
    assert "no SPBE index 2023" in view.message("en")
    assert len(view.peers) == 5  # its GRDP and population still find comparable cities


def test_region_left_out_for_a_low_confidence_figure_says_so():
    view = linkage.region_view("9471")  # Kota Jayapura: GRDP flagged low confidence
    assert view.status == "not_enough_data" and view.missing[0].startswith("low:")
    assert "low confidence" in view.message("en") and "berkeyakinan rendah" in view.message("id")


def test_region_alone_in_its_province_has_no_expectation():
    df = simulate.simulate_cross_section(2)
    lone = df.index[df["province_code"] == "01"]
    df = df.drop(lone[1:])  # province 01 keeps a single region
    res = linkage.fit(main_spec(), df, bootstrap=0)
    view = linkage.region_view(df.loc[lone[0], "region_code"], result=res)
    assert view.status == "not_enough_data" and view.missing == ("alone_in_province",)
    assert "only region of its province" in view.message("en")


def test_region_view_errors():
    with pytest.raises(UnknownRegionError):
        linkage.region_view("Atlantis")
    panel = simulate.simulate_panel(1)
    twfe = linkage.fit(LinkageSpec(design="twfe", controls=("log_grdp_pc",)), panel, bootstrap=0)
    with pytest.raises(ParameterError, match="cross-section"):
        linkage.region_view("S0001", result=twfe)
    with pytest.raises(ParameterError, match="n_peers"):
        linkage.region_view("3211", n_peers=-1)


def test_prediction_intervals_cover_on_synthetic_data():
    df = simulate.simulate_cross_section(8, effect=-1.5)
    res = linkage.fit(main_spec().replace(se_type="hc1"), df, bootstrap=0)
    loo = res.loo()
    covered = ((loo["actual"] >= loo["lo"]) & (loo["actual"] <= loo["hi"])).mean()
    assert 0.90 <= covered <= 0.99


def test_positions_table_for_a_cohort(stunting):
    from living_lab.cohorts import load_cohort

    regions = load_cohort("jawa-barat").regions
    pos = linkage.positions(regions, "stunting_prevalence_pct", stunting, lang="en")
    assert len(pos) == 27 and set(pos["status"]) == {"ok"}
    row = pos.set_index("region_code").loc["3211"]
    view = linkage.region_view("3211", result=stunting)
    assert (
        row["expected"] == pytest.approx(view.expected)
        and row["residual_rank"] == view.residual_rank
    )
    shown = format_positions(pos, stunting.outcome_text("id"), "id")
    assert shown.shape == (27, 7)


# ----- notebook parameters and text ----------------------------------------------------------
def test_study_params():
    p = check_study_params(lang="en", cohort="jawa-barat", bootstrap=199)
    assert p.lang == "en" and len(p.cohort.regions) == 27 and p.min_confidence == "medium"
    for bad, fragment in [
        ({"lang": "fr"}, "lang"),
        ({"min_confidence": "high"}, "too few regions"),
        ({"cohort": "nowhere"}, "cohort"),
        ({"bootstrap": 10}, "bootstrap"),
        ({"seeds": 1}, "unknown parameter"),
        ({"n_peers": True}, "n_peers"),
    ]:
        with pytest.raises(ParameterError, match=fragment):
            check_study_params(**bad)


def test_locale_files_have_the_same_keys():
    en = yaml.safe_load(
        (paths.PACKAGE_DIR / "locales" / "en" / "linkage.yml").read_text(encoding="utf-8")
    )
    idn = yaml.safe_load(
        (paths.PACKAGE_DIR / "locales" / "id" / "linkage.yml").read_text(encoding="utf-8")
    )
    assert set(en) == set(idn)
    assert all(k.startswith("linkage.") for k in en)


def test_number_format():
    # True minus sign (U+2212) in both languages, as every other number of the reports.
    assert fmt.num(-1234.567, "id", 1) == "\u22121.234,6"
    assert fmt.num(-1234.567, "en", 1) == "\u22121,234.6"
    assert fmt.pval(0.0001, "en") == "p < 0.001" and fmt.pval(0.456, "id") == "p = 0,46"
    assert fmt.num(float("nan")) == "–"


def test_bundled_cross_section_admits_only_requested_variables():
    spec = main_spec().replace(admit_low=("population",))
    df = bundled_cross_section(spec)
    assert df["population_2025"].notna().sum() == 514
    # GRDP of Papua stays out: only population was admitted.
    assert df.loc[df["province_code"].isin(PAPUA), "grdp_per_capita_thousand_idr_2023"].isna().all()


@pytest.mark.parametrize(
    "module",
    [
        "linkage.specs",
        "linkage.data",
        "linkage.estimators",
        "linkage.results",
        "linkage.region",
        "fmt",
        "report.linkage_params",
        "linkage.simulate",
        "report.linkage_sections",
        "linkage.intervals",
        "linkage.influence",
        "linkage.partial",
    ],
)
def test_docstring_examples_run(module):
    mod = importlib.import_module(f"living_lab.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
