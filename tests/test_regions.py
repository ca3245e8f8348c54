"""Name resolution: what users type and what sources print map to one BPS code."""

from __future__ import annotations

import pandas as pd
import pytest

from living_lab import datasets
from living_lab.errors import UnknownRegionError
from living_lab.regions import resolve_region, resolve_regions, split_name


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Kab. Sumedang", "3211"),
        ("KABUPATEN SUMEDANG", "3211"),
        ("Sumedang", "3211"),
        ("sumedang ", "3211"),
        ("Pemerintah Kab. Sumedang", "3211"),
        ("3211", "3211"),
        ("32.11", "3211"),  # Kemendagri code, looked up (its digits match here)
        ("Kota Bandung", "3273"),
        ("Kab. Bandung", "3204"),
        ("Kabupaten Bandung", "3204"),
        ("Bandung", "3204"),  # a bare name means the kabupaten, as in BPS tables
        ("Kab Bandung Barat", "3217"),
        ("Kota Administrasi Jakarta Selatan", "3171"),
        ("Jakarta Selatan", "3171"),
    ],
)
def test_resolves_common_forms(query, code):
    assert resolve_region(query) == code


def test_kemendagri_codes_are_looked_up_not_read_as_bps_codes():
    regions = datasets.load_regions()
    differing = regions[
        regions["kemendagri_code"].str.replace(".", "", regex=False) != regions["region_code"]
    ]
    assert len(differing) == 199
    for _, row in differing.head(20).iterrows():
        assert resolve_region(row["kemendagri_code"]) == row["region_code"]


def test_every_spbe_name_of_2023_and_2024_resolves_to_its_mapped_code(shared_data):
    mapping = pd.read_csv(
        shared_data / "regions" / "spbe_name_mapping.csv", dtype={"bps_code": str}
    )
    exceptions = [
        (row.nama_instansi, row.bps_code, resolve_region(row.nama_instansi))
        for row in mapping.itertuples()
        if resolve_region(row.nama_instansi) != row.bps_code
    ]
    assert exceptions == [], f"names resolving to the wrong code: {exceptions}"


def test_every_official_and_source_name_resolves():
    regions = datasets.load_regions()
    aliases = datasets.load_region_aliases()
    for name, code in zip(regions["name"], regions["region_code"], strict=True):
        assert resolve_region(name) == code
        assert resolve_region(name.upper()) == code
    wrong = [
        (a, c)
        for a, c in zip(aliases["alias"], aliases["region_code"], strict=True)
        if resolve_region(a) != c
    ]
    assert wrong == []


def test_unknown_name_lists_closest_matches():
    with pytest.raises(UnknownRegionError) as err:
        resolve_region("Sumedangg")
    assert "Kabupaten Sumedang" in err.value.suggestions
    assert "closest matches" in str(err.value) and "\n" not in str(err.value)


def test_unknown_code_and_empty():
    with pytest.raises(UnknownRegionError, match="unknown BPS code"):
        resolve_region("3299")
    with pytest.raises(UnknownRegionError, match="empty"):
        resolve_region("   ")


def test_resolve_regions_keeps_order_and_drops_repeats():
    assert resolve_regions(["Kota Bandung", "3211", "Sumedang"]) == ["3273", "3211"]


def test_split_name():
    assert split_name("Pemerintah Kota Bandung") == ("kota", "bandung")
    assert split_name("KAB. ACEH BESAR") == ("kabupaten", "aceh besar")
    assert split_name("Bandung") == (None, "bandung")
