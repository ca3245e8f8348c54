"""Name resolution: what users type and what sources print map to one BPS code."""

from __future__ import annotations

import pandas as pd
import pytest

from living_lab import datasets
from living_lab.errors import UnknownRegionError
from living_lab.regions import (
    resolve_region,
    resolve_regions,
    shared_name_candidates,
    split_name,
)


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
    wrong, shared = [], []
    for a, c in zip(aliases["alias"], aliases["region_code"], strict=True):
        kind, core = split_name(a)
        if kind is None and shared_name_candidates(core):
            shared.append((a, c))  # a bare name a kabupaten and a kota share: refused below
        elif resolve_region(a) != c:
            wrong.append((a, c))
    assert wrong == []
    # Every such source spelling is refused, naming its own region among the two candidates.
    assert shared, "the registry has bare names shared by a kabupaten and a kota (Bandung)"
    for a, c in shared:
        with pytest.raises(UnknownRegionError, match="ambiguous") as err:
            resolve_region(a)
        assert f"({c})" in str(err.value)


def test_bare_name_shared_by_kabupaten_and_kota_is_refused_with_both_candidates():
    """ "Bandung" names Kabupaten Bandung (3204) and Kota Bandung (3273): refused, never guessed."""
    regions = datasets.load_regions().set_index("region_code")
    assert regions.loc["3204", "kind"] == "kabupaten" and regions.loc["3273", "kind"] == "kota"
    for query in ("Bandung", "bandung ", "BANDUNG"):
        with pytest.raises(UnknownRegionError) as err:
            resolve_region(query)
        text = str(err.value)
        assert "\n" not in text
        assert "ambiguous" in text
        assert "Kabupaten Bandung (3204)" in text and "Kota Bandung (3273)" in text
        assert sorted(err.value.suggestions) == ["Kabupaten Bandung", "Kota Bandung"]
    # Naming the kind resolves it; a bare name that only a kabupaten has still resolves.
    assert resolve_region("Kab. Bandung") == "3204"
    assert resolve_region("Kota Bandung") == "3273"
    assert resolve_region("Bandung Barat") == "3217"
    # The same holds for every shared name the registry has (e.g. Bogor, Bekasi, Malang).
    cores = {}
    for _code, name, kind in regions[["name", "kind"]].itertuples():
        cores.setdefault(split_name(name)[1], set()).add(kind)
    both = sorted(core for core, kinds in cores.items() if kinds == {"kabupaten", "kota"})
    assert {"bogor", "bekasi", "malang"} <= set(both)
    for core in both:
        assert len(shared_name_candidates(core)) == 2, core
        with pytest.raises(UnknownRegionError, match="ambiguous"):
            resolve_region(core.title())


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
