"""Bundled tables: rebuilt identically from the raw sources, schema-valid, and true to the publications."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from living_lab import build, datasets, paths, validate
from living_lab.framework import load_framework

TABLES = list(build.BUILDERS)


def test_rebuild_reproduces_committed_files(shared_data, tmp_path):
    written = build.build_all(out_dir=tmp_path)
    assert set(written) == set(TABLES)
    for name, path in written.items():
        committed = paths.dataset(name)
        assert filecmp.cmp(path, committed, shallow=False), (
            f"{name}: rebuilt file differs from {committed}"
        )


@pytest.mark.parametrize("name", TABLES)
def test_bundled_tables_pass_their_schema(name):
    df = datasets.load_table(name)
    assert len(df) > 0
    meta = validate.load_schema(name)
    assert list(df.columns) == list(meta["columns"]), f"{name}: columns differ from its metadata"


def test_spbe_rows_reproduce_every_published_kabkota_row(shared_data):
    """Every kabupaten/kota row of the 2023 and 2024 report tables is in data/spbe_index.csv, unchanged."""
    raw = pd.read_csv(shared_data / "spbe" / "spbe_results_2023_2024.csv")
    mapping = pd.read_csv(
        shared_data / "regions" / "spbe_name_mapping.csv", dtype={"bps_code": str}
    )
    local = raw[raw["jenis"].isin(["kabupaten", "kota"])].merge(
        mapping, on=["tahun_evaluasi", "nama_instansi", "provinsi"], how="left"
    )
    assert local["bps_code"].notna().all()
    assert (local.groupby("tahun_evaluasi").size().to_dict()) == {2023: 491, 2024: 485}
    spbe = datasets.load_spbe().set_index(["region_code", "year"])
    for _, row in local.iterrows():
        ours = spbe.loc[(row["bps_code"], row["tahun_evaluasi"])]
        for raw_col, col in build.SPBE_DOMAIN_COLUMNS.items():
            assert ours[col] == pytest.approx(row[raw_col], nan_ok=True), (
                row["nama_instansi"],
                col,
            )
        assert ours["index"] == row["indeks_spbe"]
        assert ours["predicate"] == row["predikat"]


def test_published_examples_with_their_source():
    """Spot values read off the reports (Laporan Evaluasi SPBE 2023 Tabel 27; 2024 Jawa Barat table)."""
    spbe = datasets.load_spbe().set_index(["region_code", "year"])
    sumedang_2023 = spbe.loc[("3211", 2023)]
    assert sumedang_2023[["d1", "d2", "d3", "d4", "index"]].tolist() == [
        5.00,
        3.60,
        2.55,
        4.76,
        4.14,
    ]
    sumedang_2024 = spbe.loc[("3211", 2024)]
    assert sumedang_2024[["d1", "d2", "d3", "d4", "index"]].tolist() == [
        5.00,
        4.30,
        3.91,
        4.69,
        4.51,
    ]
    assert sumedang_2024["predicate"] == "Memuaskan"
    # Kab. Banyuasin 2023 is printed with D4 = 0,30 and index 1,05 (Sumatera Selatan table).
    assert spbe.loc[("1607", 2023), ["d4", "index"]].tolist() == [0.30, 1.05]


def test_index_agrees_with_domains_under_the_regulation_weights():
    fw = load_framework()
    spbe = datasets.load_spbe()
    complete = spbe.dropna(subset=fw.domain_columns)
    recomputed = complete[fw.domain_columns].to_numpy() @ fw.domain_weights
    gap = np.abs(recomputed - complete["index"].to_numpy())
    assert len(complete) == 491 + 485
    assert gap.max() <= 0.01, f"largest gap {gap.max():.4f}"


def test_older_framework_rows_are_marked_and_excluded_by_default():
    every = datasets.load_spbe(framework=None)
    older = every[every["framework"] != "permenpanrb-59-2020"]
    assert older[["region_code", "year", "index"]].values.tolist() == [["3211", 2020, 3.81]]
    assert older["predicate"].isna().all(), (
        "the 2020 predicate was not published and must stay empty"
    )
    assert 2020 not in set(datasets.load_spbe()["year"])


def test_national_series_marks_the_framework_break():
    nat = datasets.load_spbe_national().set_index("year")
    assert nat.loc[2024, "index"] == 3.12
    assert (nat.loc[2018:2020, "framework"] == "permenpanrb-5-2018").all()
    assert nat.loc[2018:2020, "d3"].isna().all()


def test_outcomes_low_confidence_excluded_by_default():
    default = datasets.load_outcomes()
    every = datasets.load_outcomes(min_confidence="low")
    assert "low" not in set(default["confidence"])
    assert (every["confidence"] == "low").sum() == 630 + 514 + 16
    stunting = every[every["indicator"] == "stunting_prevalence_pct"]
    assert stunting.set_index(["region_code", "year"]).loc[("3211", 2024), "value"] == 17.0
    # Survey and census stunting are separate indicators (never one series).
    assert set(every.loc[every["source"].str.contains("PPGBM"), "indicator"]) == {
        "stunting_eppgbm_pct"
    }


def test_outcome_rates_are_percentages_and_keys_unique():
    out = datasets.load_outcomes(min_confidence="low")
    rates = out[out["indicator"].str.endswith("_pct")]
    assert rates["value"].between(0, 100).all()
    assert not out.duplicated(["region_code", "indicator", "year"]).any()
    assert set(out["region_code"]) <= set(datasets.load_regions()["region_code"])


def test_panel_joins_spbe_and_outcomes_without_inventing_values():
    panel = datasets.load_panel()
    assert not panel.duplicated(["region_code", "year"]).any()
    row = panel.set_index(["region_code", "year"]).loc[("3211", 2024)]
    assert row["index"] == 4.51 and row["stunting_prevalence_pct"] == 17.0
    # No SPBE value is published for 2025: it stays missing.
    assert np.isnan(panel.set_index(["region_code", "year"]).loc[("3211", 2025), "index"])


def test_cross_section_has_one_row_per_region():
    cs = datasets.load_cross_section()
    assert len(cs) == 514 and cs["region_code"].is_unique
    s = cs.set_index("region_code").loc["3211"]
    assert s["index_2024"] == 4.51 and s["poverty_rate_pct_2025"] == pytest.approx(8.81)
