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


@pytest.mark.slow  # an interpreter start-up; test_build_refuses_a_bad_boundary_file runs it in-process
@pytest.mark.integration
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


# -- projection and caches ------------------------------------------------------------------


def test_projection_is_equal_area_over_indonesia():
    """Projected areas of 1-degree cells equal their geodesic areas (WGS 84) at 6 N to 11 S."""
    import shapely
    from pyproj import Geod

    from living_lab.boundaries import CRS, GEO_CRS

    geod = Geod(ellps="WGS84")
    import geopandas as gpd

    for lon, lat in [(96.0, 5.0), (118.0, -1.0), (140.0, -10.0)]:
        cell = shapely.box(lon, lat, lon + 1, lat + 1)
        geodesic = abs(geod.geometry_area_perimeter(cell)[0])
        projected = gpd.GeoSeries([cell], crs=GEO_CRS).to_crs(CRS).area.iloc[0]
        assert projected == pytest.approx(geodesic, rel=0.002)


def test_geometry_is_parsed_projected_and_turned_into_paths_once():
    from living_lab import boundaries
    from living_lab.plots import maps

    first = maps._region_paths()
    assert maps._region_paths() is first and len(first) == 514
    before = boundaries._frame.cache_info()
    boundaries.load_boundaries()
    boundaries.load_boundaries()
    after = boundaries._frame.cache_info()
    assert after.misses == before.misses and after.hits >= before.hits + 2


# -- maps ----------------------------------------------------------------------------------


def _texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))


def test_attribution_is_the_licensed_line_in_both_languages():
    from living_lab.boundaries import attribution
    from living_lab.text import t

    assert t("maps.attribution", "en") == attribution()
    assert "geoBoundaries IDN ADM2" in t("maps.attribution", "id")
    assert "CC BY 3.0 IGO" in t("maps.attribution", "id")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_map_states_source_and_licence(lang):
    import pandas as pd

    from living_lab.plots import maps
    from living_lab.text import t

    values = pd.Series({"3211": 4.51, "3204": 3.10})
    fig = maps.plot_map(values, scale=maps.continuous("index"), focus=["3211", "3204"], lang=lang)
    assert t("maps.attribution", lang) in _texts(fig)
    static, _ = maps._locator_static(province_code="32", attribution=t("maps.attribution", lang))
    assert t("maps.attribution", lang) in _texts(static)
    svg = maps.index_map_svg(
        pd.DataFrame(
            {"name": ["Kabupaten Sumedang"], "index": [4.51], "predicate": ["Memuaskan"]},
            index=["3211"],
        ),
        {},
        year=2024,
        lang=lang,
    )
    assert "geoBoundaries IDN ADM2" in svg and "CC BY 3.0 IGO" in svg


def test_not_evaluated_and_no_data_are_hatched_not_coloured_as_low_values():
    import numpy as np
    import pandas as pd
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba

    from living_lab.plots import maps

    # 3211 has the lowest possible index, 3204 no value, 3273 was not evaluated.
    values = pd.Series({"3211": 1.0, "3204": np.nan, "3273": np.nan})
    fig = maps.plot_map(
        values,
        scale=maps.continuous("index"),
        focus=["3211", "3204", "3273"],
        not_evaluated=["3273"],
        lang="en",
    )
    ax = fig.axes[0]
    by_hatch = {c.get_hatch(): c for c in ax.collections}
    assert set(by_hatch) >= {None, "////", "..."}
    low = [c for c in ax.collections if c.get_hatch() is None and len(c.get_paths()) == 1]
    assert any(
        np.allclose(c.get_facecolor()[0], to_rgba(colormaps["cividis"](0.0)), atol=0.01)
        for c in low
    )
    for hatch in ("////", "..."):
        assert len(by_hatch[hatch].get_paths()) == 1
        assert np.allclose(by_hatch[hatch].get_facecolor()[0], to_rgba("#ffffff"))
    legend = " ".join(t.get_text() for t in fig.legends[0].get_texts())
    assert "Not evaluated in" in legend and "No data" in legend


def test_predicate_colours_darken_in_order():
    """Lightness falls from Kurang to Memuaskan, so the order survives colour-vision deficiency
    and grey printing (ColorBrewer YlGnBu)."""
    from matplotlib.colors import to_rgb

    from living_lab.plots import maps

    def luminance(hex_colour):
        r, g, b = to_rgb(hex_colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lum = [luminance(c) for c in maps.predicates().colours]
    assert all(a > b + 0.08 for a, b in zip(lum, lum[1:], strict=False))
    assert maps.predicates().categories[0] == "Kurang"


def test_index_map_escapes_data_and_links_only_existing_reports(tmp_path):
    import pandas as pd

    from living_lab.plots import maps

    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "3211.html").write_text("report", encoding="utf-8")
    numbers = pd.DataFrame(
        {
            "name": ["<script>alert(1)</script>", "Kota Bandung", "Kab. Bandung"],
            "index": [4.51, float("nan"), 3.0],
            "predicate": ['"><img src=x onerror=alert(1)>', None, "Baik"],
        },
        index=["3211", "3273", "3204"],
    )
    regions = {
        "3211": {"status": "ok"},
        "3273": {"status": "ok"},  # no file written: no link
        "3204": {"status": "failed"},
        "../x": {"status": "ok"},
    }
    page = maps.index_map_html(numbers, regions, tmp_path, year=2024, lang="id")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x" in page  # in the tooltip, escaped
    assert page.count("<a href=") == 1 and '<a href="regions/3211.html" data-code="3211">' in page
    assert page.count("<path d=") >= 3 + 1  # three regions and the province outline
    assert "Tidak dievaluasi 2024" in page  # Kota Bandung: hatched and named in the legend


def test_column_map_of_the_panel():
    from living_lab.errors import ParameterError
    from living_lab.plots import maps

    panel = datasets.load_panel()
    fig = maps.plot_column_map(panel, "index", lang="id")
    n = int(panel.loc[panel["year"] == 2024, "index"].notna().sum())
    assert f"index, 2024 (n = {n} kabupaten/kota)" in _texts(fig)
    assert n == 485  # the 2024 report's kabupaten/kota
    with pytest.raises(ParameterError, match="column: 'nope' is not in the panel"):
        maps.plot_column_map(panel, "nope")


def test_build_refuses_a_file_that_is_not_geojson(shared_data, tmp_path, monkeypatch):
    root = _shared_copy(tmp_path, shared_data, lambda fs: None)
    (root / "boundaries" / "idn_adm2_simplified.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("LIVING_LAB_SHARED", str(root))
    with pytest.raises(InputError, match=r"idn_adm2_simplified.geojson: cannot read as GeoJSON"):
        build.build_boundaries()


def test_locator_map_reuses_its_province_layer_without_changing_the_picture():
    """The cached province layer gives the same bytes as the first drawing (warm = fresh)."""
    from living_lab.plots import maps
    from living_lab.plots import report as figures

    labels = {"title": "Kabupaten Sumedang", "region": "Kabupaten Sumedang", "partner": "Mitra"}
    attribution = maps.map_labels("id")["attribution"]
    figures._LAYERS.clear()
    first = maps.locator_png("3211", ["3204"], labels=labels, attribution=attribution)
    layers = len(figures._LAYERS)
    maps.locator_png("3273", ["3201", "3202"], labels=labels, attribution=attribution)
    assert len(figures._LAYERS) == layers  # same province: the layer is reused
    maps.locator_png("1101", [], labels=labels, attribution=attribution)  # another province
    again = maps.locator_png("3211", ["3204"], labels=labels, attribution=attribution)
    assert again == first and first.startswith(b"\x89PNG")


def test_primed_province_layers_draw_the_same_locator_maps():
    """The fork server primes every province's layer once; a locator drawn on a primed layer
    is byte-identical to one drawn from nothing, and priming draws one layer per province."""
    from living_lab.plots import maps
    from living_lab.plots import report as figures

    labels = {"title": "Kota Bandung", "region": "Kota Bandung", "partner": "Mitra"}
    attribution = maps.map_labels("id")["attribution"]
    figures._LAYERS.clear()
    cold = {c: maps.locator_png(c, [], labels=labels, attribution=attribution) for c in ("3273",)}
    figures._LAYERS.clear()
    cold["1101"] = maps.locator_png("1101", [], labels=labels, attribution=attribution)
    figures._LAYERS.clear()
    drawn = maps.prime_locators(["3273", "3211", "1101", "9999"], attribution=attribution)
    assert drawn == 2 and len(figures._LAYERS) == 2  # West Java and Aceh; 9999 is unknown
    for code, png in cold.items():
        assert maps.locator_png(code, [], labels=labels, attribution=attribution) == png
    assert len(figures._LAYERS) == 2  # nothing was drawn again
