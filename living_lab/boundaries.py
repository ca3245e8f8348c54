"""Kabupaten/kota geometry for maps, loaded and projected once per process.

The bundled ``data/boundaries.csv`` (built by :func:`living_lab.build.build_boundaries` from
geoBoundaries IDN ADM2) holds one WKT geometry per registry region in longitude/latitude. Maps
use it in :data:`CRS`, a Lambert cylindrical equal-area projection centred on Indonesia:

- Indonesia is long east-west (95-141 E) and narrow north-south (6 N-11 S) around the equator,
  where a cylinder tangent at the equator fits best: at 11 S scale errors are under 2% and
  shapes are stretched by under 4%, less than any conic or azimuthal choice over that extent;
- equal-area, so a region's share of the ink equals its share of the land: a choropleth does
  not make large Papuan kabupaten look bigger than they are (Mercator inflates by up to 4% at
  11 S, and its web variant is not meant for thematic maps).

Examples
--------
>>> gdf = load_boundaries()
>>> round(float(gdf.loc["3273", "area_km2"]) / float(gdf.loc["3204", "area_km2"]), 2) < 0.2
True
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

import shapely

from living_lab import datasets, validate

if TYPE_CHECKING:  # geopandas is imported when geometry is first needed (0.5 s)
    import geopandas as gpd

#: Lambert cylindrical equal-area, standard parallel the equator, central meridian 118 E.
CRS = "+proj=cea +lon_0=118 +lat_ts=0 +datum=WGS84 +units=m +no_defs"
#: Longitude/latitude of the bundled table.
GEO_CRS = "OGC:CRS84"
#: Smallest part of a province outline kept (km2).
MIN_PART_KM2 = 1.0
#: Half the width of the gaps between simplified neighbours closed in outlines (metres).
SLIVER_M = 400.0


@cache
def _frame(projected: bool) -> gpd.GeoDataFrame:
    import geopandas as gpd

    table = datasets.load_table("boundaries")
    regions = datasets.load_regions().set_index("region_code")
    geom = gpd.GeoSeries.from_wkt(table["geometry"].to_list(), crs=GEO_CRS)
    gdf = gpd.GeoDataFrame(
        table[["region_code", "source_name"]].assign(geometry=geom.values),
        geometry="geometry",
        crs=GEO_CRS,
    ).set_index("region_code")
    gdf = gdf.join(regions[["name", "kind", "province", "province_code", "island_group"]])
    equal_area = gdf.geometry.to_crs(CRS)
    gdf["area_km2"] = shapely.area(equal_area.values) / 1e6
    if projected:
        gdf = gdf.set_geometry(equal_area)
    return gdf


def load_boundaries(*, projected: bool = True) -> gpd.GeoDataFrame:
    """One row per registry kabupaten/kota, indexed by ``region_code``.

    Parameters
    ----------
    projected : geometry in :data:`CRS` (metres; default) or in longitude/latitude.

    Returns
    -------
    GeoDataFrame with ``source_name``, ``name``, ``kind``, ``province``, ``province_code``,
    ``island_group``, ``area_km2`` (equal-area, of the simplified shape) and ``geometry``;
    a fresh copy (the parsed and projected table is cached per process).
    """
    return _frame(projected).copy()


@cache
def province_outline(province_code: str) -> shapely.Geometry:
    """Outline of one province (pre-2022, as in the registry) in :data:`CRS`, cached.

    The union of its kabupaten/kota with the sliver gaps that independently simplified
    neighbours leave between them closed (:data:`SLIVER_M`), every hole dropped (no province
    encloses another) and parts under :data:`MIN_PART_KM2` dropped.
    """
    gdf = _frame(True)
    members = gdf.loc[gdf["province_code"] == str(province_code), "geometry"]
    # Close the sliver gaps (up to 2 * SLIVER_M wide) that reach the coast, then shrink back.
    grown = shapely.buffer(members.values, SLIVER_M, quad_segs=2)
    union = shapely.buffer(shapely.union_all(grown), -SLIVER_M, quad_segs=2)
    parts = [
        shapely.Polygon(poly.exterior)
        for poly in getattr(union, "geoms", [union])
        if isinstance(poly, shapely.Polygon) and poly.area >= MIN_PART_KM2 * 1e6
    ]
    return shapely.MultiPolygon(parts) if len(parts) != 1 else parts[0]


def province_outlines(province_codes: Iterable[str]) -> gpd.GeoSeries:
    """Outlines of the given provinces in :data:`CRS`, indexed by province code."""
    import geopandas as gpd

    codes = sorted({str(c) for c in province_codes})
    return gpd.GeoSeries([province_outline(c) for c in codes], index=codes, crs=CRS)


def attribution() -> str:
    """The attribution line the licence asks for (from ``data/boundaries.meta.yml``)."""
    return str(validate.load_schema("boundaries")["attribution"])
