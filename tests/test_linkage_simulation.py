"""The linkage estimators recover a known SPBE effect on SYNTHETIC data (seeded).

The data-generating process (``living_lab.linkage.simulate``): regions in ~34 provinces; log
GRDP per capita raises SPBE and lowers stunting and poverty (confounding); provinces shift
outcomes together (clustering); heteroskedastic errors. True effects: stunting -1.5 points per
SPBE point, poverty change -0.4, panel -1.0.

Criteria (from the issue): an estimator that should work has |bias| small relative to its
standard error (< 0.2 SE, and within 3.5 Monte Carlo standard errors of zero) and its 95%
intervals cover the truth in 90-98% of replications. The naive regression without the
confounder is biased (|bias| > 3 SE); HC1 intervals that ignore the provinces cover too rarely.
Replications run on the fast array path by default; a test below holds it to the straightforward
path, where every replication goes through the library's own ``fit`` (sample, design, estimator).
"""

from __future__ import annotations

import pytest

from living_lab.linkage import simulate

REPLICATIONS = 300


def _check_works(row) -> None:
    assert abs(row["bias_over_se"]) < 0.2, row.to_dict()
    assert abs(row["bias"]) < 3.5 * row["mc_se_of_bias"], row.to_dict()
    assert 0.90 <= row["coverage"] <= 0.98, row.to_dict()


def test_controls_recover_the_effect_and_the_naive_model_is_biased():
    """Fast check (100 replications): controls matter."""
    table = simulate.simulation_study(
        ("ols_cluster", "naive_no_controls"), replications=100, seed=1
    ).set_index("estimator")
    assert table.attrs["synthetic"]
    good, naive = table.loc["ols_cluster"], table.loc["naive_no_controls"]
    assert abs(good["bias_over_se"]) < 0.25
    # Richer regions have higher SPBE and lower stunting: leaving GRDP out makes SPBE look
    # far more protective than it is.
    assert naive["bias"] < 0 and abs(naive["bias_over_se"]) > 3
    assert naive["coverage"] < 0.2


@pytest.mark.slow
def test_every_estimator_recovers_the_effect_and_covers():
    table = simulate.simulation_study(replications=REPLICATIONS, seed=20250314, bootstrap=199)
    table = table.set_index("estimator")
    for name in (
        "ols_fe_hc1",
        "ols_cluster",
        "ols_fe_cluster",
        "wild_cluster",
        "change_on_level",
        "twfe",
    ):
        _check_works(table.loc[name])
    naive = table.loc["naive_no_controls"]
    assert abs(naive["bias_over_se"]) > 3 and naive["coverage"] < 0.2
    # Unbiased, but its intervals ignore that a province's regions move together.
    hc1 = table.loc["hc1_ignoring_clusters"]
    assert abs(hc1["bias_over_se"]) < 0.2 and hc1["coverage"] < 0.9


@pytest.mark.slow
def test_province_effects_remove_province_level_confounding():
    table = simulate.simulation_study(
        ("ols_cluster", "ols_fe_cluster"), replications=150, seed=5, province_confounding=0.5
    ).set_index("estimator")
    assert abs(table.loc["ols_fe_cluster", "bias_over_se"]) < 0.2
    assert 0.90 <= table.loc["ols_fe_cluster", "coverage"] <= 0.98
    assert abs(table.loc["ols_cluster", "bias_over_se"]) > 1.5


def test_simulated_tables_are_labelled_synthetic():
    cs = simulate.simulate_cross_section(3)
    panel = simulate.simulate_panel(3)
    for df in (cs, panel):
        assert df.attrs["synthetic"] is True
        assert df["name"].str.startswith("Synthetic region").all()


def _hits(rep, level: float, n_clusters: int, sd_scale: float = 1.0):
    """Interval hits of ``rep`` at ``level`` with the standard errors scaled by ``sd_scale``
    (CR1 uses t(G - 1) critical values)."""
    import numpy as np
    from scipy import stats

    crit = stats.t.ppf(0.5 + level / 2, n_clusters - 1)
    return np.abs(rep.estimates - rep.truth) <= crit * sd_scale * rep.ses


def _within(hits, level: float, n_se: float = 3.0) -> bool:
    import numpy as np

    se = np.sqrt(level * (1 - level) / hits.size)
    return bool(abs(hits.mean() - level) <= n_se * se)


def test_regime_clustering_survives_province_effects():
    """Fast check (20 replications): in the data's regime (unequal provinces, province-specific
    slopes) the clustered SE is well above HC1 even with province effects, as in the real data
    (1.53 times); with province intercepts only it is not."""
    import numpy as np

    from living_lab import linkage
    from living_lab.linkage.specs import main_spec

    ratios, plain = [], []
    for seed in range(20):
        for regime, out in ((True, ratios), (False, plain)):
            df = simulate.simulate_cross_section(
                500 + seed, unequal_clusters=regime, effect_sd_by_province=2.5 if regime else 0.0
            )
            c = linkage.fit(main_spec(), df, bootstrap=0)
            h = linkage.fit(main_spec().replace(se_type="hc1"), df, bootstrap=0)
            out.append(c.se / h.se)
    assert np.mean(ratios) > 1.35 and np.mean(plain) < 1.15


@pytest.mark.slow
def test_clustered_intervals_cover_in_the_data_regime_and_catch_a_mis_scaled_se():
    # 1,000 replications of the data's regime: 34 provinces of unequal size, province effects,
    # province-specific SPBE slopes (clustering that fixed effects do not remove). CR1 with
    # t(G-1) must cover within 3 Monte Carlo SEs of 80% and 95% (measured: 77.4% and 94.9%);
    # with its SE scaled by 0.9 the same test must fail (72.1% / 92.1%), and so must HC1, which
    # ignores the provinces. Scaling by 1.1 gives 81.8% / 96.0%, inside the tolerance: CR1 runs
    # slightly narrow at 80% with 34 unequal clusters, so 1,000 replications cannot tell 1.1
    # from 1.0 (the trends coverage test catches both mutations). SYNTHETIC.
    reps = simulate.replicate(
        ("ols_fe_cluster", "ols_fe_hc1"),
        replications=1000,
        seed=7,
        unequal_clusters=True,
        effect_sd_by_province=2.5,
    )
    cr1 = reps["ols_fe_cluster"]
    assert (_hits(cr1, 0.95, 34) == cr1.covered).all()
    assert _within(_hits(cr1, 0.80, 34), 0.80) and _within(_hits(cr1, 0.95, 34), 0.95)
    assert not (
        _within(_hits(cr1, 0.80, 34, 0.9), 0.80) and _within(_hits(cr1, 0.95, 34, 0.9), 0.95)
    )
    hc1 = reps["ols_fe_hc1"]
    assert not _within(hc1.covered, 0.95) and hc1.covered.mean() < 0.92


@pytest.mark.parametrize(
    ("seed", "options"),
    [
        (20250314, simulate.DATA_REGIME),
        (7, {}),
        (11, {"province_confounding": 0.5}),
    ],
)
def test_the_fast_path_gives_the_numbers_of_the_straightforward_one(seed, options):
    """Arrays and shared designs (the default) against a data frame and ``fit`` per
    replication: same truths, interval hits, and estimates and SEs to 1e-10."""
    kw = {"replications": 6, "seed": seed, "bootstrap": 199, **options}
    slow = simulate.replicate(fast=False, **kw)
    fast = simulate.replicate(fast=True, **kw)
    assert slow.keys() == fast.keys() == set(simulate.ESTIMATORS)
    for name, ref in slow.items():
        got = fast[name]
        assert got.truth == ref.truth
        assert (got.covered == ref.covered).all(), name
        assert abs(got.estimates - ref.estimates).max() < 1e-10, name
        assert abs(got.ses - ref.ses).max() < 1e-10, name
        # not trivially equal: the estimates vary across replications
        assert ref.estimates.std() > 0.01


def test_the_fast_path_falls_back_for_specs_it_does_not_cover():
    """A filtered spec is not built from arrays; the data frame path fits it (same numbers)."""
    spec = simulate.ESTIMATORS["ols_cluster"][1]
    arrays = simulate._cross_section_arrays(
        3,
        n_clusters=34,
        mean_cluster_size=14.0,
        effect=simulate.TRUE_EFFECT_STUNTING,
        change_effect=simulate.TRUE_EFFECT_POVERTY_CHANGE,
        province_confounding=0.0,
        unequal_clusters=False,
        effect_sd_by_province=0.0,
    )
    provinces = arrays["province"].astype(str)
    assert simulate._cross_section_design(spec, arrays, provinces) is not None
    assert (
        simulate._cross_section_design(
            spec.replace(sample_filters=("exclude_papua",)), arrays, provinces
        )
        is None
    )
    assert (
        simulate._cross_section_design(
            spec.replace(controls=("log_population",)), arrays, provinces
        )
        is None
    )
