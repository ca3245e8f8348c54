"""Peer benchmarking: groups, standing, rank uncertainty, movers, frontier, partners, figures.

Reference figures and where they come from:

* Sumedang's SPBE index 4.14 (2023) and 4.51 (2024), predicate 2024 "Memuaskan": KemenPANRB,
  Laporan Evaluasi SPBE 2023 and Laporan Pelaksanaan Evaluasi SPBE 2024 (data/spbe_index.csv,
  shared/data/README.md).
* Domain weights 13 / 25 / 16.5 / 45.5 % and indicator counts per domain (10, 10, 11, 16):
  Lampiran PermenPANRB 59/2020, Tabel 3-9.

Ranks, percentiles and frontiers are checked against direct pandas/numpy computations on the
bundled data; the Monte Carlo against known truths on seeded simulated scores (labelled
synthetic in the figure test).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml

from living_lab import datasets, peers
from living_lab.errors import InputError, ParameterError, UnknownRegionError
from living_lab.framework import load_framework
from living_lab.peers import config as peer_config
from living_lab.peers import data as peer_data
from living_lab.peers.uncertainty import assign_bands, simulate_ranks
from living_lab.text import strings

W = load_framework().domain_weights
DOMAINS = ["d1", "d2", "d3", "d4"]
SUMEDANG = "3211"


@pytest.fixture(scope="module")
def spbe() -> pd.DataFrame:
    """Bundled SPBE results joined to the registry, straight from the loaders (no peers code)."""
    s = datasets.load_spbe()
    r = datasets.load_regions()
    return s.merge(r, on="region_code")


def _year(spbe: pd.DataFrame, year: int) -> pd.DataFrame:
    return spbe[spbe["year"] == year].set_index("region_code")


def _simulated(n: int = 60, seed: int = 1, ties: int = 0) -> pd.DataFrame:
    """SYNTHETIC domain scores (seeded): a common level per region plus domain noise."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(2, 4, size=(n, 1))
    x = np.clip(base + rng.normal(0, 0.5, size=(n, 4)), 1, 5).round(2)
    if ties:
        x[-ties:] = x[0]
    idx = pd.Index([f"S{i:03d}" for i in range(n)], name="region_code")
    return pd.DataFrame(x, columns=DOMAINS, index=idx)


# --- peer groups ----------------------------------------------------------------------------


def test_available_groups_cover_the_issue():
    groups = peers.available_groups()
    for name in ["all", "kind", "province", "island", "grdp_tertile", "grdp_quintile"]:
        assert name in groups
    assert "cohort:jawa-barat" in groups


@pytest.mark.parametrize(
    ("group", "column"),
    [("province", "province_code"), ("kind", "kind"), ("island", "island_group")],
)
def test_same_attribute_groups_match_pandas(spbe, group, column):
    y = _year(spbe, 2024)
    for code in [SUMEDANG, "3273", "1101" if "1101" in y.index else y.index[0], y.index[-1]]:
        expected = sorted(y.index[y[column] == y.at[code, column]])
        assert peers.peer_group(code, group, year=2024) == expected


def test_all_group_is_every_evaluated_region(spbe):
    assert peers.peer_group(SUMEDANG, "all", year=2023) == sorted(_year(spbe, 2023).index)
    assert len(peers.peer_group(SUMEDANG, "all", year=2024)) == 485  # 2024 report: 485 kab/kota


def test_province_group_of_sumedang_is_west_java():
    members = peers.peer_group("Kab. Sumedang", "province", year=2024)
    assert len(members) == 27 and all(c.startswith("32") for c in members)


def test_grdp_classes_are_tertiles_of_evaluated_regions(spbe):
    y = _year(spbe, 2024)
    out = datasets.load_outcomes()
    g = out[(out["indicator"] == "grdp_per_capita_thousand_idr") & (out["year"] == 2024)]
    grdp = g.set_index("region_code")["value"].reindex(y.index).dropna()
    classes = pd.qcut(grdp, 3, labels=False)
    seen = set()
    for cls in range(3):
        code = classes.index[classes == cls][0]
        members = peers.peer_group(code, "grdp_tertile", year=2024)
        assert members == sorted(classes.index[classes == cls])
        seen |= set(members)
    assert seen == set(grdp.index)
    grp = peers.resolve_group(SUMEDANG, "grdp_tertile", year=2024)
    lo, hi = grp.detail["lo"], grp.detail["hi"]
    assert all(lo <= grdp[c] <= hi for c in grp.members)
    assert grp.detail["data_year"] == 2024


def test_region_without_grdp_has_no_economic_class(spbe):
    # Papua GRDP rows are low confidence (misaligned in the source) and excluded by default.
    papua = [c for c in _year(spbe, 2024).index if c[:2] in {"91", "94"}][0]
    with pytest.raises(ParameterError, match="grdp_per_capita"):
        peers.peer_group(papua, "grdp_tertile", year=2024)


def test_cohort_groups(spbe):
    a = peers.peer_group(SUMEDANG, "jawa-barat", year=2024)
    b = peers.peer_group(SUMEDANG, "cohort:jawa-barat", year=2024)
    assert a == b == peers.peer_group(SUMEDANG, "province", year=2024)
    # A region outside the cohort is compared with the cohort plus itself.
    outside = peers.peer_group("3510", "cohort:jawa-barat", year=2024)
    assert "3510" in outside and len(outside) == 28


def test_group_errors():
    with pytest.raises(ParameterError, match="unknown peer group"):
        peers.peer_group(SUMEDANG, "neighbours", year=2024)
    with pytest.raises(ParameterError, match="year"):
        peers.peer_group(SUMEDANG, "all", year=2019)
    with pytest.raises(ParameterError, match="depends on a region"):
        peers.resolve_group(None, "province", year=2024)
    with pytest.raises(UnknownRegionError):
        peers.peer_group("Atlantis", "all", year=2024)
    # 2022: only Sumedang's index is known, too few regions for GRDP tertiles.
    with pytest.raises(ParameterError, match="needs at least 3"):
        peers.peer_group(SUMEDANG, "grdp_tertile", year=2022)


def test_params_file_parses_and_bad_files_name_themselves(tmp_path: Path):
    cfg = peer_config.load_config()
    assert cfg.frontier == "p90" and cfg.partners.min_lead == pytest.approx(0.10)
    raw = yaml.safe_load(peer_config.CONFIG_FILE.read_text(encoding="utf-8"))
    assert {"title", "source", "groups", "partners"} <= set(raw)
    raw["groups"]["bad"] = {"type": "quantile", "indicator": "x", "classes": 1}
    bad = tmp_path / "peer_groups.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(InputError, match=r"peer_groups.yaml.*groups.bad"):
        peer_config.parse_config(bad)


# --- standing -------------------------------------------------------------------------------


def _direct(values: pd.Series, code: str) -> tuple[int, float, int]:
    """Rank, percentile and ties by counting, the definitions in living_lab.peers.standing."""
    v = values.dropna()
    own = v[code]
    rank = 1 + int((v > own).sum())
    pct = 100.0 * (v < own).sum() / (len(v) - 1)
    return rank, pct, int((v == own).sum()) - 1


@pytest.mark.parametrize(("group", "year"), [("province", 2024), ("province", 2023)])
def test_standing_agrees_with_direct_computation_for_every_west_java_region(spbe, group, year):
    y = _year(spbe, year)
    members = y.index[y["province_code"] == "32"]
    for code in members:
        st = peers.standing(code, group=group, year=year, uncertainty=False)
        assert st.n == len(members)
        for m in ["index", *DOMAINS]:
            rank, pct, tied = _direct(y.loc[members, m], code)
            row = st.table.loc[m]
            assert row["rank"] == rank, (code, m)
            assert row["percentile"] == pytest.approx(pct), (code, m)
            assert row["tied"] == tied, (code, m)


def test_national_ranks_and_ties_use_competition_ranking(spbe):
    y = _year(spbe, 2024)
    counts = y["index"].value_counts()
    tied_value = counts.index[counts >= 3][0]
    tied = y.index[y["index"] == tied_value]
    ranks = {
        peers.standing(c, group="all", year=2024, uncertainty=False).table.loc["index", "rank"]
        for c in tied
    }
    expected_rank = 1 + int((y["index"] > tied_value).sum())
    assert ranks == {expected_rank}
    # The next lower value skips the tied places (1, 2, 2, 2, 5 ...).
    below = y["index"][y["index"] < tied_value].max()
    nxt = y.index[y["index"] == below][0]
    st = peers.standing(nxt, group="all", year=2024, uncertainty=False)
    assert st.table.loc["index", "rank"] == expected_rank + len(tied)


def test_rank_table_single_region_has_no_percentile():
    out = peers.rank_table(pd.Series([3.2], index=["A"]))
    assert out.loc["A", "rank"] == 1 and np.isnan(out.loc["A", "percentile"])


def test_sumedang_standing_published_values():
    st = peers.standing(SUMEDANG, group="province", year=2024, n_draws=300)
    idx = st.table.loc["index"]
    assert idx["value"] == pytest.approx(4.51)  # KemenPANRB 2024 report
    assert idx["predicate"] == "Memuaskan"
    assert st.previous_year == 2023
    assert idx["previous_value"] == pytest.approx(4.14)  # KemenPANRB 2023 report
    assert idx["change"] == pytest.approx(0.37)
    assert idx["rank_change"] == idx["previous_rank"] - idx["rank"]
    assert idx["rank_p05"] <= idx["median_rank"] <= idx["rank_p95"]
    d = st.to_dict("en")
    assert d["n"] == 27 and len(d["measures"]) == 5


def test_standing_2023_has_no_previous_rank_from_a_single_region_year():
    # Sumedang's 2022 index (3.84, from news reports) is the only 2022 value: no 2022 rank.
    st = peers.standing(SUMEDANG, group="province", year=2023, uncertainty=False)
    assert st.previous_year == 2022
    assert st.table.loc["index", "previous_value"] == pytest.approx(3.84)
    assert pd.isna(st.table.loc["index", "previous_rank"])
    assert pd.isna(st.table.loc["d1", "previous_value"])
    assert any(n.key == "peers_note_no_previous_rank" for n in st.notes)


def test_standing_refuses_a_region_not_evaluated():
    with pytest.raises(ParameterError, match="no SPBE result for 2024"):
        peers.standing("3101", year=2024)  # Kepulauan Seribu: no SPBE row (DKI admin unit)


# --- rank uncertainty -----------------------------------------------------------------------


def test_rounding_halfwidths_follow_the_framework(spbe):
    half = peers.rounding_halfwidths()
    assert half.tolist() == [0.0, 0.0, 0.005, 0.005]
    # Consistent with the published tables: D1 and D2 (means of ten levels) are always whole
    # tenths, D3 (eleven levels) and D4 (unequal weights) are not.
    y = spbe[spbe["year"].isin([2023, 2024])]
    tenths = {c: np.allclose(y[c] * 10, np.round(y[c] * 10)) for c in DOMAINS}
    assert tenths == {"d1": True, "d2": True, "d3": False, "d4": False}


#: Every source of variation switched off: each draw is the official ranking.
_FIXED = {
    "concentration": None,
    "rounding": None,
    "alternative_weights": None,
    "noise_sd": None,
    "aggregations": ("arithmetic",),
}


def test_monte_carlo_collapses_to_official_ranks_without_noise(spbe):
    scores = _year(spbe, 2024)
    ru = peers.rank_uncertainty(scores, n_draws=50, **_FIXED)
    recomputed = (scores[DOMAINS] @ W).round(10)
    direct = recomputed.rank(ascending=False, method="min").astype(int)
    ru = ru.set_index("region_code")
    assert (ru["official_rank"] == direct[ru.index]).all()
    assert (ru["median_rank"] == ru["official_rank"]).all()
    assert (ru["rank_p05"] == ru["official_rank"]).all()
    assert (ru["rank_p95"] == ru["official_rank"]).all()
    # Without noise only exact ties share a band.
    assert ru["band"].nunique() == recomputed.nunique()


def test_collapse_with_ties_on_simulated_scores():
    s = _simulated(ties=3)  # SYNTHETIC
    ru = peers.rank_uncertainty(s, n_draws=20, **_FIXED).set_index("region_code")
    tied = ["S000", "S057", "S058", "S059"]
    assert ru.loc[tied, "official_rank"].nunique() == 1
    assert ru.loc[tied, "band"].nunique() == 1
    assert (ru["rank_p95"] == ru["official_rank"]).all()


def test_wider_weight_spread_widens_intervals_monotonically():
    s = _simulated()  # SYNTHETIC, seeded
    widths, bands = [], []
    for c in [5000, 1000, 200, 50, 10, 2]:
        ru = peers.rank_uncertainty(
            s,
            concentration=c,
            rounding=None,
            alternative_weights=None,
            noise_sd=None,
            aggregations=("arithmetic",),
            n_draws=1000,
            seed=3,
        )
        widths.append(float((ru["rank_p95"] - ru["rank_p05"]).mean()))
        bands.append(ru["band"].nunique())
    assert all(a < b for a, b in zip(widths, widths[1:], strict=False)), widths
    assert all(a >= b for a, b in zip(bands, bands[1:], strict=False)), bands


def test_monte_carlo_is_seeded_and_reproducible():
    s = _simulated()
    a = peers.rank_uncertainty(s, n_draws=300, seed=7)
    b = peers.rank_uncertainty(s, n_draws=300, seed=7)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["settings"]["seed"] == 7


def test_alternative_scheme_spans_both_rankings():
    s = _simulated()
    equal = [0.25, 0.25, 0.25, 0.25]
    ru = peers.rank_uncertainty(
        s,
        n_draws=400,
        concentration=None,
        rounding=None,
        alternative_weights={"equal": equal},
        noise_sd=None,
        aggregations=("arithmetic",),
        seed=0,
    ).set_index("region_code")
    r_off = (s[DOMAINS] @ W).round(10).rank(ascending=False, method="min")
    r_eq = (s[DOMAINS] @ np.array(equal)).round(10).rank(ascending=False, method="min")
    # Half the draws use each fixed scheme: the 5-95 % interval spans exactly the two ranks.
    assert (ru["rank_p05"] == np.minimum(r_off, r_eq)[ru.index]).all()
    assert (ru["rank_p95"] == np.maximum(r_off, r_eq)[ru.index]).all()
    assert list(ru.attrs["settings"]["schemes"]) == ["permenpanrb-59-2020", "equal"]


def test_bands_separate_clearly_different_clusters():
    rng = np.random.default_rng(5)
    x = np.vstack([np.full((5, 4), 2.0), np.full((5, 4), 4.0)])
    x[:, 2:] += rng.uniform(-0.002, 0.002, size=(10, 2))  # SYNTHETIC near-ties in D3-D4
    s = pd.DataFrame(x, columns=DOMAINS, index=pd.Index([f"C{i}" for i in range(10)]))
    ru = peers.rank_uncertainty(s, n_draws=500, seed=1).set_index("region_code")
    assert ru["band"].nunique() == 2
    assert set(ru.loc[[f"C{i}" for i in range(5, 10)], "band"]) == {1}
    assert (ru["band_size"] == 5).all()


def test_band_rule_every_member_indistinguishable_from_its_leader():
    s = _simulated(n=40, seed=2)
    official, ranks, _ = simulate_ranks(s, n_draws=500, seed=4)
    bands = assign_bands(official, ranks, band_confidence=0.95)
    median = np.median(ranks, axis=0)
    for b in np.unique(bands):
        members = np.flatnonzero(bands == b)
        leader = members[np.lexsort((members, median[members], official[members]))[0]]
        for j in members:
            assert np.mean(ranks[:, leader] < ranks[:, j]) < 0.95
    # The leader of each later band is clearly behind the previous band's leader.
    leaders = [np.flatnonzero(bands == b)[0] for b in np.unique(bands)]
    assert len(leaders) == bands.max()


def test_noise_alone_recovers_the_normal_probability_of_being_ahead():
    # Known truth: with only index noise e ~ N(0, sd^2) per region, A (index a) ranks ahead of
    # B (index b) with probability Phi((a - b) / (sd * sqrt(2))). SYNTHETIC scores.
    from scipy.stats import norm

    sd, n_draws = 0.15, 20000
    s = pd.DataFrame(
        {c: [3.10, 3.00, 2.00] for c in DOMAINS},
        index=pd.Index(["A", "B", "C"], name="region_code"),
    )
    only_noise = {**_FIXED, "noise_sd": sd}
    official, ranks, settings = simulate_ranks(s, n_draws=n_draws, seed=11, **only_noise)
    p_hat = float(np.mean(ranks[:, 0] < ranks[:, 1]))
    p_true = float(norm.cdf(0.10 / (sd * np.sqrt(2))))
    mc_se = np.sqrt(p_true * (1 - p_true) / n_draws)
    assert abs(p_hat - p_true) < 3 * mc_se, (p_hat, p_true, mc_se)
    assert settings["varied"] == ["noise"]
    assert settings["noise_sd"] == sd


def test_rank_noise_is_the_trends_model_noise():
    from living_lab.trends.pooled import NOISE_PRIOR_SD

    _, _, settings = simulate_ranks(_simulated(n=5), n_draws=10)
    assert settings["noise_sd"] == NOISE_PRIOR_SD
    assert settings["varied"] == ["noise", "weights", "aggregation", "rounding"]
    # A domain measure cannot carry index noise: only rounding varies (a sensitivity).
    _, _, d4 = simulate_ranks(_simulated(n=5), measure="d4", n_draws=10)
    assert d4["varied"] == ["rounding"] and d4["noise_sd"] == 0.0


def test_geometric_aggregation_ranks_by_weighted_geometric_mean():
    s = _simulated(n=40, seed=8)  # SYNTHETIC
    geo_only = {**_FIXED, "aggregations": ("geometric",)}
    ru = peers.rank_uncertainty(s, n_draws=5, **geo_only).set_index("region_code")
    direct = np.exp(np.log(s[DOMAINS].clip(lower=1.0)) @ W).round(10)
    expected = direct.rank(ascending=False, method="min").astype(int)
    assert (ru["rank_p05"] == expected[ru.index]).all()
    assert (ru["rank_p95"] == expected[ru.index]).all()
    # It is a real alternative: some region moves.
    arith = (s[DOMAINS] @ W).round(10).rank(ascending=False, method="min")
    assert (arith != expected).sum() > 0


def test_west_java_rank_intervals_widen_with_noise(spbe):
    # Issue #13: weights and rounding alone give Sumedang (4.51, 2024) the interval [2, 2] among
    # the 27 regions of West Java; the trends model's noise (0.15) widens it.
    jb = _year(spbe, 2024)
    jb = jb[jb["province"] == "Jawa Barat"][DOMAINS].astype(float)
    assert len(jb) == 27
    old = peers.rank_uncertainty(jb, noise_sd=None, aggregations=("arithmetic",), seed=0)
    new = peers.rank_uncertainty(jb, seed=0)
    o, n = old.set_index("region_code"), new.set_index("region_code")
    assert (o.loc[SUMEDANG, "rank_p05"], o.loc[SUMEDANG, "rank_p95"]) == (2, 2)
    assert n.loc[SUMEDANG, "rank_p95"] - n.loc[SUMEDANG, "rank_p05"] >= 2
    w_old = float((old["rank_p95"] - old["rank_p05"]).median())
    w_new = float((new["rank_p95"] - new["rank_p05"]).median())
    assert w_new >= w_old + 4, (w_old, w_new)
    assert new["band"].nunique() < old["band"].nunique()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_draws": 0}, "n_draws"),
        ({"concentration": -1.0}, "concentration"),
        ({"rounding": "nearest"}, "rounding"),
        ({"alternative_weights": {"x": [1, 2]}}, "alternative_weights"),
        ({"band_confidence": 1.5}, "band_confidence"),
        ({"noise_sd": -0.1}, "noise_sd"),
        ({"aggregations": ("harmonic",)}, "aggregations"),
    ],
)
def test_rank_uncertainty_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        peers.rank_uncertainty(_simulated(n=5), **kwargs)


def test_rank_uncertainty_refuses_missing_scores():
    s = _simulated(n=5)
    s.iloc[2, 3] = np.nan
    with pytest.raises(ParameterError, match="S002.*d4"):
        peers.rank_uncertainty(s)
    with pytest.raises(ParameterError, match="missing column"):
        peers.rank_uncertainty(s.drop(columns="d1"))


# --- movers ---------------------------------------------------------------------------------


def test_change_decomposition_sums_to_the_change(spbe):
    mv = peers.movers(2023, 2024)
    contrib = mv[[f"contrib_{c}" for c in DOMAINS]]
    # Exactly, on the index recomputed from the published domains.
    a, b = _year(spbe, 2023), _year(spbe, 2024)
    codes = mv["region_code"]
    recomputed = (b.loc[codes, DOMAINS] @ W).to_numpy() - (a.loc[codes, DOMAINS] @ W).to_numpy()
    assert np.allclose(contrib.sum(axis=1), recomputed, atol=1e-12)
    assert np.allclose(contrib.sum(axis=1), mv["recomputed_change"], atol=1e-12)
    # On the published (rounded) index: contributions + rounding term = published change ...
    published = b.loc[codes, "index"].to_numpy() - a.loc[codes, "index"].to_numpy()
    assert np.allclose(contrib.sum(axis=1) + mv["rounding"], published, atol=1e-12)
    # ... and the rounding term stays within its derived bound (2 x (0.005 + 0.0031)).
    bound = mv.attrs["rounding_bound"]
    assert bound == pytest.approx(2 * (0.005 + 0.165 * 0.005 + 0.455 * 0.005))
    assert mv["rounding"].abs().max() <= bound
    assert (mv["rounding"].abs() <= 0.01 + 1e-9).mean() >= 0.95
    assert mv.attrs["n_compared"] == len(set(a.index) & set(b.index))


def test_movers_sumedang_and_ranks(spbe):
    mv = peers.movers(2023, 2024, group="jawa-barat").set_index("region_code")
    assert mv.loc[SUMEDANG, "change"] == pytest.approx(4.51 - 4.14)
    assert len(mv) == 27
    a = _year(spbe, 2023).loc[mv.index, "index"]
    assert (mv["rank_from"] == a.rank(ascending=False, method="min").astype(int)).all()
    assert (mv["rank_change"] == mv["rank_from"] - mv["rank_to"]).all()
    assert mv["change"].is_monotonic_decreasing


def test_movers_top_n_and_group_rules():
    mv = peers.movers(group="province", region=SUMEDANG, n=3)
    assert len(mv) == 6 and mv["region_code"].str.startswith("32").all()
    full = peers.movers(group="province", region=SUMEDANG)
    assert mv["change"].iloc[0] == full["change"].max()
    assert mv["change"].iloc[-1] == full["change"].min()
    with pytest.raises(ParameterError, match="depends on a region"):
        peers.movers(2023, 2024, group="province")
    with pytest.raises(ParameterError, match="before"):
        peers.movers(2024, 2023)


def test_movers_flag_published_scores_below_the_scale():
    # Kab. Banyuasin 2023: D4 printed as 0.30 (KemenPANRB 2023 report; data/spbe_index.meta.yml).
    mv = peers.movers(2023, 2024).set_index("region_code")
    assert mv.loc["1607", "below_scale"]
    assert mv["below_scale"].sum() == 1


def test_group_ranking_for_a_cohort(spbe):
    r = peers.group_ranking("jawa-barat", year=2024, n_draws=200)
    y = _year(spbe, 2024)
    assert len(r) == 27 and set(r["region_code"]) == set(y.index[y["province_code"] == "32"])
    assert (r["index"].to_numpy() == y.loc[r["region_code"], "index"].to_numpy()).all()
    assert r["band"].is_monotonic_increasing and r.attrs["settings"]["n_draws"] == 200


# --- frontier -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["p90", "top3", "max"])
def test_frontier_gap_against_direct_computation(spbe, method):
    y = _year(spbe, 2024)
    jb = y[y["province_code"] == "32"]
    code = "3204"  # Kabupaten Bandung
    fg = peers.frontier_gap(code, group="province", year=2024, frontier=method)
    for _, row in fg.iterrows():
        others = jb.drop(index=code)[row["measure"]].to_numpy()
        expected = {
            "p90": np.quantile(others, 0.9),
            "top3": np.sort(others)[-3:].mean(),
            "max": others.max(),
        }[method]
        assert row["frontier"] == pytest.approx(expected)
        assert row["gap"] == pytest.approx(max(expected - jb.at[code, row["measure"]], 0))
        assert row["index_gain"] == pytest.approx(row["weight"] * row["gap"])
    clear = fg[fg["clear"]]
    # Largest lever first: clear gaps sorted by index gain come before the rest.
    assert list(fg["clear"]) == sorted(fg["clear"], reverse=True)
    assert clear["index_gain"].is_monotonic_decreasing


def test_frontier_of_the_group_leader_has_no_clear_gap():
    # Kabupaten Banyuwangi has the highest published 2024 index of all kabupaten/kota (4.77).
    fg = peers.frontier_gap("3510", group="all", year=2024, frontier="p90")
    assert not fg["clear"].any()


# --- study-visit partners -------------------------------------------------------------------


@pytest.mark.slow  # 81 partner searches
def test_partners_are_peers_ahead_in_the_domain(spbe):
    y = _year(spbe, 2024)
    rng = np.random.default_rng(0)
    sample = list(rng.choice(sorted(y.index), size=8, replace=False)) + [SUMEDANG]
    for code in sample:
        for group in ["all", "province", "kind"]:
            for domain in [None, 2, 4]:
                r = peers.study_partners(code, domain=domain, group=group, year=2024, n=5)
                members = set(peers.peer_group(code, group, year=2024))
                m = f"d{r.domain}"
                assert len(r.table) <= 5
                if r.status == "none_found":
                    ahead = y.loc[list(members - {code}), m] - y.at[code, m]
                    assert (ahead < r.min_lead - 1e-9).all()
                    assert r.table.empty
                    continue
                assert set(r.table["region_code"]) <= members - {code}
                assert (y.loc[r.table["region_code"], m].to_numpy() > y.at[code, m]).all()
                assert (r.table["lead"] >= r.min_lead - 1e-9).all()
                assert r.table["distance"].is_monotonic_increasing
                assert r.n_ahead >= len(r.table)


def test_top_region_in_a_domain_gets_none_found(spbe):
    y = _year(spbe, 2024)
    top = y["d4"].idxmax()
    r = peers.study_partners(top, domain=4, group="all", year=2024)
    assert r.status == "none_found" and r.table.empty and r.n_ahead == 0
    assert r.to_dict("id")["partners"] == []
    # Within its province, Sumedang's D1 (5.00, the scale maximum) cannot be beaten.
    r = peers.study_partners(SUMEDANG, domain=1, group="province", year=2024)
    assert r.status == "none_found"


def test_partner_distance_is_recomputable(spbe):
    r = peers.study_partners(SUMEDANG, domain=4, group="all", year=2024, n=3)
    assert r.features_used == ("kind", "grdp")
    out = datasets.load_outcomes()
    g = out[(out["indicator"] == "grdp_per_capita_thousand_idr") & (out["year"] == 2024)]
    logs = np.log(g.set_index("region_code")["value"])
    sd = logs.std(ddof=1)
    regions = datasets.load_regions().set_index("region_code")
    for _, row in r.table.iterrows():
        c = row["region_code"]
        kind = float(regions.at[c, "kind"] != regions.at[SUMEDANG, "kind"])
        z = (logs[c] - logs[SUMEDANG]) / sd
        assert row["distance"] == pytest.approx(np.sqrt(kind + z**2))


def test_population_use_follows_confidence():
    r = peers.study_partners(SUMEDANG, domain=4, year=2024)
    assert "population" not in r.features_used
    assert any(n.key == "peers_note_feature_unused_population" for n in r.notes)
    low = peers.study_partners(SUMEDANG, domain=4, year=2024, min_confidence="low")
    assert "population" in low.features_used and low.feature_years["population"] == 2025
    assert any(n.key == "peers_note_feature_low_confidence" for n in low.notes)
    assert any("population figures of 2025" in n.text("en") for n in low.notes)
    # Within Jawa Barat a medium-confidence population series (2020) covers every candidate.
    jb = peers.study_partners(SUMEDANG, domain=4, group="province", year=2024)
    assert jb.feature_years.get("population") == 2020


def test_default_domain_is_the_largest_clear_lever():
    fg = peers.frontier_gap("3204", group="province", year=2024)
    r = peers.study_partners("3204", group="province", year=2024)
    if fg["clear"].iloc[0]:
        assert r.domain_reason == "largest_lever" and r.domain == fg["domain"].iloc[0]
    else:
        assert r.domain_reason == "lowest_score"


def test_partner_parameter_errors():
    with pytest.raises(ParameterError, match="domain"):
        peers.study_partners(SUMEDANG, domain=5)
    with pytest.raises(ParameterError, match="match_on"):
        peers.study_partners(SUMEDANG, domain=4, match_on=["religion"])
    with pytest.raises(ParameterError, match="n:"):
        peers.study_partners(SUMEDANG, domain=4, n=0)


# --- text and figures -----------------------------------------------------------------------


def test_locales_have_the_same_keys_and_cover_the_code():
    base = Path(peers.__file__).parent
    ids = yaml.safe_load((base.parent / "locales/id/peers.yml").read_text(encoding="utf-8"))
    ens = yaml.safe_load((base.parent / "locales/en/peers.yml").read_text(encoding="utf-8"))
    assert set(ids) == set(ens)
    sources = [
        *base.glob("*.py"),
        base.parent / "plots/peers.py",
        base.parent / "commands/peers.py",
    ]
    used = set()
    for src in sources:
        used |= set(re.findall(r"\"(peers_[a-z0-9_]+)\"", src.read_text(encoding="utf-8")))
    dynamic = {k for k in used if k.endswith("_")}
    assert (used - dynamic) <= set(strings("id"))
    for prefix in ["peers_group_", "peers_domain_", "peers_reason_", "peers_frontier_method_"]:
        assert any(k.startswith(prefix) for k in ids)


def test_figures_have_titles_labels_and_language():
    ru = peers.rank_uncertainty(peers.group_scores(SUMEDANG, "province", year=2024), n_draws=200)
    from living_lab.plots import peers as peer_plots

    fig = peer_plots.rank_intervals(ru, highlight=SUMEDANG, year=2024)
    ax = fig.axes[0]
    assert "Peringkat" in ax.get_title() and ax.get_xlabel()
    assert "Kabupaten Sumedang" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    fig = peer_plots.domain_profile(SUMEDANG, group="province", year=2024, lang="en")
    ax = fig.axes[0]
    assert "domain profile" in ax.get_title() and "scale 1-5" in ax.get_ylabel()
    plt.close(fig)
    fig = peer_plots.movers_chart(peers.movers(2023, 2024), n=5, highlight=SUMEDANG)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 11 and "Kabupaten Sumedang" in labels
    plt.close(fig)
    fig = peer_plots.rank_intervals(
        peers.rank_uncertainty(_simulated(n=12), n_draws=100), synthetic=True, year=2024
    )
    assert "SINTETIS" in fig.axes[0].get_title()
    plt.close(fig)


def test_latest_year_and_years():
    assert peer_data.latest_year() == 2024
    assert {2023, 2024} <= set(peers.evaluation_years())


@pytest.mark.parametrize(
    "module",
    ["", ".groups", ".standing", ".uncertainty", ".movers", ".frontier", ".partners"],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"living_lab.peers{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
