"""Kabupaten/kota boundaries and the maps drawn from them.

The boundary table is built from the geoBoundaries IDN ADM2 file in ``../shared/data/boundaries``
(see ``data/boundaries.meta.yml``); the known truths checked here come from the registry
(``data/regions.csv``), the SPBE table and the BPS area of Kota Bandung (167,31 km2) and
Kabupaten Bandung (1.767,96 km2) in "Kota/Kabupaten Bandung Dalam Angka".
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from living_lab import build, datasets, paths
from living_lab.errors import InputError

NON_REGION_NAMES = {"Danau Toba", "Waduk Cirata", "Wadung Kedungombo", "Hutan", "Danau"}


# -- data layer -----------------------------------------------------------------------------


def test_every_evaluated_region_has_exactly_one_geometry():
    table = datasets.load_table("boundaries")
    regions = datasets.load_regions()
    spbe = datasets.load_spbe()
    assert table["region_code"].is_unique
    assert set(table["region_code"]) == set(regions["region_code"])  # all 514, nothing else
    evaluated = set(spbe["region_code"])
    assert len(evaluated) >= 485
    counts = table["region_code"].value_counts()
    assert all(counts.get(code, 0) == 1 for code in evaluated)


def test_no_non_region_unit_survives():
    table = datasets.load_table("boundaries")
    assert not set(table["source_name"]) & NON_REGION_NAMES
    assert not table["source_code"].str.endswith((".88", ".99")).any()
    meta = datasets.validate.load_schema("boundaries")
    assert {u["name"] for u in meta["dropped_units"]} == NON_REGION_NAMES


def test_kota_and_kabupaten_bandung_are_told_apart():
    from living_lab.boundaries import load_boundaries

    gdf = load_boundaries()
    kota, kab = gdf.loc["3273"], gdf.loc["3204"]
    assert kota["source_name"] == "Kota Bandung" and kab["source_name"] == "Bandung"
    assert not kota.geometry.equals(kab.geometry)
    # Equal-area projection: areas in km2. BPS: Kota 167,31 km2, Kabupaten 1.767,96 km2; the
    # simplified shapes (about 2 km tolerance) are coarse, so within 15%.
    assert kota["area_km2"] == pytest.approx(167.31, rel=0.15)
    assert kab["area_km2"] == pytest.approx(1767.96, rel=0.15)
    assert kab["area_km2"] > 5 * kota["area_km2"]
    lonlat = load_boundaries(projected=False)
    centre = lonlat.loc["3273"].geometry.centroid  # Kota Bandung: about 107.6 E, 6.9 S
    assert 107.5 < centre.x < 107.75 and -7.0 < centre.y < -6.8
    # Neighbours, not copies: the shapes overlap only in simplification slivers (under 5%).
    overlap = gdf.loc["3204"].geometry.intersection(gdf.loc["3273"].geometry).area / 1e6
    assert overlap < 0.05 * kota["area_km2"]


def _shared_copy(tmp_path: Path, shared: Path, edit) -> Path:
    """A copy of the shared folder whose boundary file ``edit`` changed (other folders linked)."""
    root = tmp_path / "shared"
    root.mkdir()
    for sub in shared.iterdir():
        if sub.name != "boundaries":
            (root / sub.name).symlink_to(sub)
    (root / "boundaries").mkdir()
    src = shared / "boundaries" / "idn_adm2_simplified.geojson"
    data = json.loads(src.read_text(encoding="utf-8"))
    edit(data["features"])
    (root / "boundaries" / src.name).write_text(json.dumps(data), encoding="utf-8")
    return root


def _index_of(features, name):
    return next(i for i, f in enumerate(features) if f["properties"]["region_name"] == name)


CASES = {
    "removed": (
        lambda fs: fs.pop(_index_of(fs, "Kota Bandung")),
        "no feature for 3273 Kota Bandung; expected one geometry per registry region",
    ),
    "duplicated": (
        lambda fs: fs.append(fs[_index_of(fs, "Sumedang")]),
        "both match 3211 'Kabupaten Sumedang'; expected one feature per region",
    ),
    "unknown": (
        lambda fs: fs[_index_of(fs, "Sumedang")]["properties"].update(
            official_code="", region_name="Atlantis", alternative_names=""
        ),
        "('Atlantis', code empty) matches no kabupaten/kota of the registry",
    ),
    "swapped": (
        lambda fs: fs[_index_of(fs, "Sumedang")]["properties"].update(official_code="32.73"),
        "('Sumedang') has code 32.73, but the registry names 3273 'Kota Bandung'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_build_refuses_a_bad_boundary_file(case, shared_data, tmp_path, monkeypatch):
    edit, expected = CASES[case]
    root = _shared_copy(tmp_path, shared_data, edit)
    monkeypatch.setenv("LIVING_LAB_SHARED", str(root))
    with pytest.raises(InputError) as err:
        build.build_boundaries()
    message = str(err.value)
    assert expected in message, message
    assert "\n" not in message and "idn_adm2_simplified.geojson" in message


def test_build_command_refuses_a_removed_feature_with_one_line(shared_data, tmp_path):
    root = _shared_copy(tmp_path, shared_data, CASES["removed"][0])
    committed = paths.dataset("boundaries").read_bytes()
    env = {**os.environ, "LIVING_LAB_SHARED": str(root)}
    cli = shutil.which("living-lab", path=str(Path(sys.executable).parent))
    proc = subprocess.run(
        [cli, "data", "build"], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no feature for 3273 Kota Bandung" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert paths.dataset("boundaries").read_bytes() == committed  # nothing written
