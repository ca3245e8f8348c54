"""Build the bundled tidy tables in ``data/`` from the raw published files in ``../shared/data``.

``living-lab data build`` (or ``make data``) runs :func:`build_all`. Each step follows the same
skeleton: load inputs, process, check, save. Tables are written atomically (temporary file,
then rename) and only after every check passed, so a failed build never leaves a half-written
table behind. The metadata files (``*.meta.yml``) are curated by hand and read, not written.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from living_lab import paths, validate
from living_lab.errors import DataMissingError, InputError
from living_lab.framework import check_spbe_consistency, load_framework

SPBE_DOMAIN_COLUMNS = {
    "d1_kebijakan": "d1",
    "d2_tata_kelola": "d2",
    "d3_manajemen": "d3",
    "d4_layanan": "d4",
}
SPBE_SOURCE = {
    2023: "KemenPANRB, Laporan Evaluasi SPBE 2023",
    2024: "KemenPANRB, Laporan Pelaksanaan Evaluasi SPBE 2024 (2025-03-13)",
}
OLDER_FRAMEWORK = "permenpanrb-5-2018"


def _shared(*parts: str) -> Path:
    path = paths.shared_data().joinpath(*parts)
    if not path.exists():
        raise DataMissingError.keyed("err.data.raw_missing", path=path)
    return path


_NUMBER = {"type": "number"}
_SCORE = {"type": "number", "min": 0, "max": 5}
_INDEX = {"type": "number", "min": 1, "max": 5}
_YEAR = {"type": "integer", "min": 1990, "max": 2100}
_TEXT: dict[str, str] = {}
#: Columns each raw source file must have, with the types (and ranges) the builders rely on;
#: checked on reading, so a changed or damaged source is refused naming its file, line and
#: column instead of failing deep inside a builder.
RAW_COLUMNS: dict[tuple[str, ...], dict[str, dict]] = {
    ("regions", "region_codes.csv"): {
        c: _TEXT
        for c in (
            "bps_code",
            "bps_code_post2022",
            "kemendagri_code",
            "official_name",
            "type",
            "province",
            "province_code_bps_2018",
            "name_bps_2018",
            "name_quarcs",
            "name_sppg_rawanpangan",
            "spbe_name_variants",
        )
    },
    ("regions", "spbe_name_mapping.csv"): {
        "tahun_evaluasi": _YEAR,
        "nama_instansi": _TEXT,
        "provinsi": _TEXT,
        "bps_code": _TEXT,
    },
    ("spbe", "spbe_results_2023_2024.csv"): {
        "tahun_evaluasi": _YEAR,
        "nama_instansi": _TEXT,
        "jenis": _TEXT,
        "provinsi": _TEXT,
        **dict.fromkeys(("d1_kebijakan", "d2_tata_kelola", "d3_manajemen", "d4_layanan"), _SCORE),
        "indeks_spbe": _INDEX,
        "predikat": _TEXT,
        "qc_note": _TEXT,
    },
    ("spbe", "sumedang_spbe_series.csv"): {
        "tahun_evaluasi": _YEAR,
        "indeks_spbe": _INDEX,
        "predikat": _TEXT,
        "sumber": _TEXT,
    },
    ("spbe", "spbe_national_series.csv"): {
        "year": _YEAR,
        "framework": _TEXT,
        **dict.fromkeys(("d1_kebijakan", "d2_tata_kelola", "d3_manajemen", "d4_layanan"), _SCORE),
        "index": _INDEX,
        "note": _TEXT,
    },
    ("outcomes", "outcomes_panel.csv"): {
        "bps_code": _TEXT,
        "indicator": _TEXT,
        "year": _YEAR,
        "value": _NUMBER,
        "source_id": _TEXT,
        "confidence": _TEXT,
        "note": _TEXT,
    },
    ("outcomes", "sumedang_stunting_series.csv"): {
        "region_code": _TEXT,
        "indicator": _TEXT,
        "year": _YEAR,
        "value": _NUMBER,
        "survey": _TEXT,
        "source": _TEXT,
        "confidence": _TEXT,
    },
}


def _read_raw(*parts: str) -> pd.DataFrame:
    """A raw source file as text columns, after checking its columns and their types."""
    from living_lab.datasets import read_csv_text

    path = _shared(*parts)
    raw = read_csv_text(path)
    columns = RAW_COLUMNS[parts]
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise InputError.keyed(
            "err.data.raw_columns", file=path, row=1, missing=missing, columns=list(columns)
        )
    # Type and range check only; builders convert the text themselves.
    validate.check_table(raw[list(columns)], {"columns": columns}, file=path)
    return raw


def _file_mode(path: Path) -> int:
    """Permissions for a new file: those of the file it replaces, else the umask's default."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` via a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        # mkstemp creates 0600 files; keep the table readable as before.
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- regions -------------------------------------------------------------------------------


def build_regions() -> pd.DataFrame:
    """Registry of kabupaten/kota keyed by the BPS 2018 code."""
    # Load inputs.
    raw = _read_raw("regions", "region_codes.csv")
    from living_lab.datasets import read_csv_text

    islands = read_csv_text(paths.DATA / "island_groups.csv")
    # Process data.
    out = pd.DataFrame(
        {
            "region_code": raw["bps_code"],
            "bps_code_post2022": raw["bps_code_post2022"],
            "kemendagri_code": raw["kemendagri_code"],
            "name": raw["official_name"],
            "kind": raw["type"],
            "province": raw["province"],
            "province_code": raw["province_code_bps_2018"],
        }
    )
    out = out.merge(islands, on="province_code", how="left", validate="many_to_one")
    return out.sort_values("region_code", ignore_index=True)


def build_region_aliases() -> pd.DataFrame:
    """Every spelling under which a region appears in the sources, mapped to its code."""
    raw = _read_raw("regions", "region_codes.csv")
    mapping = _read_raw("regions", "spbe_name_mapping.csv")
    parts = []
    for column, source in [
        ("official_name", "official name (Kepmendagri)"),
        ("name_bps_2018", "BPS master file 2018"),
        ("name_quarcs", "quarcs-lab/indonesia514"),
        ("name_sppg_rawanpangan", "yanuprasetyo/sppg_rawanpangan"),
    ]:
        parts.append(
            pd.DataFrame({"alias": raw[column], "region_code": raw["bps_code"], "source": source})
        )
    spbe = raw[["bps_code", "spbe_name_variants"]].dropna()
    spbe = spbe.assign(alias=spbe["spbe_name_variants"].str.split(";")).explode("alias")
    parts.append(
        pd.DataFrame(
            {
                "alias": spbe["alias"].str.strip(),
                "region_code": spbe["bps_code"],
                "source": "KemenPANRB SPBE reports",
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "alias": mapping["nama_instansi"],
                "region_code": mapping["bps_code"],
                "source": "KemenPANRB SPBE reports",
            }
        )
    )
    out = pd.concat(parts, ignore_index=True)
    out = out[out["alias"].str.len() > 0]
    out = out.drop_duplicates(["alias", "region_code"]).sort_values(
        ["region_code", "alias"], ignore_index=True
    )
    return out


# --- SPBE ----------------------------------------------------------------------------------


def _spbe_raw() -> pd.DataFrame:
    raw = _read_raw("spbe", "spbe_results_2023_2024.csv")
    for col in [*SPBE_DOMAIN_COLUMNS, "indeks_spbe"]:
        raw[col] = pd.to_numeric(raw[col])
    raw["tahun_evaluasi"] = raw["tahun_evaluasi"].astype(int)
    return raw.rename(columns=SPBE_DOMAIN_COLUMNS)


def build_spbe_index() -> pd.DataFrame:
    """SPBE results of every evaluated kabupaten/kota, one row per region and year."""
    # Load inputs.
    raw = _spbe_raw()
    mapping = _read_raw("regions", "spbe_name_mapping.csv")
    mapping["tahun_evaluasi"] = mapping["tahun_evaluasi"].astype(int)
    sumedang = _read_raw("spbe", "sumedang_spbe_series.csv")
    fw = load_framework()
    # Process data.
    local = raw[raw["jenis"].isin(["kabupaten", "kota"])]
    merged = local.merge(
        mapping[["tahun_evaluasi", "nama_instansi", "provinsi", "bps_code"]],
        on=["tahun_evaluasi", "nama_instansi", "provinsi"],
        how="left",
        validate="one_to_one",
    )
    unmapped = merged[merged["bps_code"].isna()]
    if len(unmapped):
        first = unmapped.iloc[0]
        raise InputError(
            f"{len(unmapped)} SPBE rows have no region code, e.g. {first['nama_instansi']!r} ({first['tahun_evaluasi']})",
            file="regions/spbe_name_mapping.csv",
        )
    table = pd.DataFrame(
        {
            "region_code": merged["bps_code"],
            "year": merged["tahun_evaluasi"],
            "framework": fw.id,
            "d1": merged["d1"],
            "d2": merged["d2"],
            "d3": merged["d3"],
            "d4": merged["d4"],
            "index": merged["indeks_spbe"],
            "predicate": merged["predikat"],
            "source": merged["tahun_evaluasi"].map(SPBE_SOURCE),
        }
    )
    # Sumedang's earlier published values (news reports citing the KemenPANRB decrees); the
    # domain scores of those years were not found and stay missing.
    sumedang_code = _resolve_sumedang(mapping)
    older = sumedang.dropna(subset=["indeks_spbe"])
    older = older[~older["tahun_evaluasi"].astype(int).isin(table["year"].unique())]
    extra = pd.DataFrame(
        {
            "region_code": sumedang_code,
            "year": older["tahun_evaluasi"].astype(int),
            "framework": np.where(
                older["tahun_evaluasi"].astype(int) < fw.valid_from_year, OLDER_FRAMEWORK, fw.id
            ),
            "d1": np.nan,
            "d2": np.nan,
            "d3": np.nan,
            "d4": np.nan,
            "index": pd.to_numeric(older["indeks_spbe"]),
            # The 2020 predicate is not stated in the source; a predicate is only kept where printed.
            "predicate": older["predikat"].where(
                older["predikat"].isin([p.name for p in fw.predicates])
            ),
            "source": older["sumber"],
        }
    )
    table = pd.concat([table, extra], ignore_index=True)
    table = table.sort_values(["region_code", "year"], ignore_index=True)
    # Check: the published later values of the Sumedang series agree with the report tables.
    check = sumedang.dropna(subset=["indeks_spbe"]).astype({"tahun_evaluasi": int})
    for _, row in check[check["tahun_evaluasi"].isin(SPBE_SOURCE)].iterrows():
        got = table.loc[
            (table["region_code"] == sumedang_code) & (table["year"] == row["tahun_evaluasi"]),
            "index",
        ]
        if len(got) != 1 or abs(float(got.iloc[0]) - float(row["indeks_spbe"])) > 1e-9:
            raise InputError(
                f"Sumedang {row['tahun_evaluasi']}: series says {row['indeks_spbe']}, report table says {got.tolist()}",
                file="spbe/sumedang_spbe_series.csv",
            )
    return table


def _resolve_sumedang(mapping: pd.DataFrame) -> str:
    codes = mapping.loc[mapping["nama_instansi"] == "Pemerintah Kab. Sumedang", "bps_code"].unique()
    if len(codes) != 1:
        raise InputError(
            "cannot find Kab. Sumedang in the SPBE name mapping",
            file="regions/spbe_name_mapping.csv",
        )
    return str(codes[0])


def build_spbe_instansi() -> pd.DataFrame:
    """SPBE results of central agencies and provinces (peers for context, not regions)."""
    raw = _spbe_raw()
    other = raw[~raw["jenis"].isin(["kabupaten", "kota"])]
    return pd.DataFrame(
        {
            "year": other["tahun_evaluasi"],
            "name": other["nama_instansi"],
            "kind": other["jenis"],
            "province": other["provinsi"],
            "d1": other["d1"],
            "d2": other["d2"],
            "d3": other["d3"],
            "d4": other["d4"],
            "index": other["indeks_spbe"],
            "predicate": other["predikat"],
            "note": other["qc_note"],
            "source": other["tahun_evaluasi"].map(SPBE_SOURCE),
        }
    ).reset_index(drop=True)


def build_spbe_national() -> pd.DataFrame:
    """National SPBE index and domain indices by year."""
    raw = _read_raw("spbe", "spbe_national_series.csv")
    out = pd.DataFrame(
        {
            "year": raw["year"].astype(int),
            "framework": raw["framework"],
            "d1": pd.to_numeric(raw["d1_kebijakan"]),
            "d2": pd.to_numeric(raw["d2_tata_kelola"]),
            "d3": pd.to_numeric(raw["d3_manajemen"]),
            "d4": pd.to_numeric(raw["d4_layanan"]),
            "index": pd.to_numeric(raw["index"]),
            "note": raw["note"],
            "source": "KemenPANRB, Laporan Pelaksanaan Evaluasi SPBE 2024, Tabel 4",
        }
    )
    return out


# --- outcomes ------------------------------------------------------------------------------


def _indicator_units() -> dict[str, str]:
    meta = validate.read_yaml(paths.metadata("outcomes"))
    return {name: spec["unit"] for name, spec in meta["indicators"].items()}


def build_outcomes() -> pd.DataFrame:
    """Outcome indicators (stunting, poverty, economy, population) in long format."""
    # Load inputs.
    panel = _read_raw("outcomes", "outcomes_panel.csv")
    sumedang = _read_raw("outcomes", "sumedang_stunting_series.csv")
    units = _indicator_units()
    # Process data.
    out = pd.DataFrame(
        {
            "region_code": panel["bps_code"],
            "indicator": panel["indicator"],
            "year": panel["year"].astype(int),
            "value": pd.to_numeric(panel["value"]),
            "source": panel["source_id"],
            "confidence": panel["confidence"],
            "note": panel["note"],
        }
    )
    # Sumedang's survey series (SSGI/SKI) extends stunting_prevalence_pct back in time; its
    # e-PPGBM census figures are a different measurement and keep their own indicator.
    extra = pd.DataFrame(
        {
            "region_code": sumedang["region_code"],
            "indicator": sumedang["indicator"],
            "year": sumedang["year"].astype(int),
            "value": pd.to_numeric(sumedang["value"]),
            "source": "SUMEDANG_NEWS_"
            + sumedang["survey"].str.extract(r"^([A-Za-z-]+)", expand=False).str.upper(),
            "confidence": sumedang["confidence"],
            "note": sumedang["survey"] + "; " + sumedang["source"],
        }
    )
    key = ["region_code", "indicator", "year"]
    extra = extra.merge(out[key], on=key, how="left", indicator=True)
    extra = extra[extra.pop("_merge") == "left_only"]
    out = pd.concat([out, extra], ignore_index=True)
    unknown = sorted(set(out["indicator"]) - set(units))
    if unknown:
        raise InputError(
            f"indicators without a unit in outcomes.meta.yml: {unknown}",
            file=paths.metadata("outcomes"),
        )
    out.insert(4, "unit", out["indicator"].map(units))
    return out.sort_values(key, ignore_index=True)


# --- boundaries ----------------------------------------------------------------------------

BOUNDARY_FILE = ("boundaries", "idn_adm2_simplified.geojson")
#: Properties of each boundary feature the build relies on.
BOUNDARY_PROPERTIES = ("official_code", "region_name", "alternative_names")
#: Coordinate rounding of the bundled geometry (degrees; 3 decimals is about 110 m, well under
#: the source's 0.018 degree simplification).
BOUNDARY_DECIMALS = 3
_KIND_PREFIX = re.compile(r"^(kabupaten administrasi|kota administrasi|kabupaten|kab\.?|kota)\s+")


def _base_name(name: str) -> str:
    """A region name without its kind prefix, lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", _KIND_PREFIX.sub("", str(name).strip().lower()))


def _full_name(name: str) -> str:
    """A region name lower case, letters and digits only (kind prefix kept)."""
    return re.sub(r"[^a-z0-9]", "", str(name).strip().lower())


def _feature_code(props: pd.Series) -> str | None:
    """The feature's xx.yy code: its own, or the one alternative_names gives its exact name."""
    code = str(props["official_code"] or "").strip()
    if code:
        return code
    name = str(props["region_name"]).strip()
    hits = []
    for entry in str(props["alternative_names"] or "").split(";"):
        parts = [p.strip() for p in entry.split("|")]
        if len(parts) == 3 and parts[0] == name:
            hits.append(parts[2])
    return hits[0] if len(hits) == 1 else None


def build_boundaries() -> pd.DataFrame:
    """One simplified geometry per registry kabupaten/kota, keyed by its BPS code.

    Features listed under ``dropped_units`` in ``boundaries.meta.yml`` (lakes, reservoirs, a
    forest) are dropped. Every other feature must match exactly one registry region, by the BPS
    code digits of its ``official_code`` (or of the ``alternative_names`` entry that carries
    its own name, for a kabupaten and a kota sharing a base name), with its name and kind
    agreeing with the registry; and every registry region must get exactly one feature.
    Anything else is refused with one line naming the feature.
    """
    import geopandas as gpd
    import shapely

    # Load inputs.
    path = _shared(*BOUNDARY_FILE)
    validate.check_file(path, kind="GeoJSON", limit=validate.MAX_USER_FILE_BYTES)
    try:
        raw = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        detail = " ".join(str(exc).split())[:200]
        raise InputError(f"cannot read as GeoJSON ({detail})", file=path) from None
    missing = [c for c in BOUNDARY_PROPERTIES if c not in raw.columns]
    if missing:
        raise InputError(f"features lack the properties {missing}", file=path)
    meta = validate.read_yaml(paths.metadata("boundaries"))
    dropped = {str(u["name"]) for u in meta.get("dropped_units", [])}
    regions = build_regions().set_index("region_code")
    aliases = build_region_aliases()
    grouped = aliases.groupby("region_code")["alias"]
    spellings = grouped.agg(lambda s: set(map(_full_name, s))).to_dict()
    base_spellings = grouped.agg(lambda s: set(map(_base_name, s))).to_dict()
    # Process data: match each feature to a region.
    rows = []
    owner: dict[str, tuple[int, str]] = {}
    for pos, props in raw.iterrows():
        number = int(pos) + 1  # type: ignore[call-overload]
        name = str(props["region_name"]).strip()
        if name in dropped:
            continue
        code = _feature_code(props)
        region = code.replace(".", "") if code else None
        if region is None or region not in regions.index:
            raise InputError(
                f"feature {number} ({name!r}, code {code or 'empty'}) matches no kabupaten/kota "
                "of the registry; expected a BPS code xx.yy or a non-region unit listed in "
                "boundaries.meta.yml",
                file=path,
            )
        kind = "kota" if name.lower().startswith("kota ") else "kabupaten"
        reg = regions.loc[region]
        same_name = _full_name(name) in spellings.get(region, set()) or (
            kind == reg["kind"] and _base_name(name) in base_spellings.get(region, set())
        )
        if not same_name:
            raise InputError(
                f"feature {number} ({name!r}) has code {code}, but the registry names "
                f"{region} {reg['name']!r}; expected a spelling of the same region",
                file=path,
            )
        if region in owner:
            first, first_name = owner[region]
            raise InputError(
                f"features {first} ({first_name!r}) and {number} ({name!r}) both match "
                f"{region} {reg['name']!r}; expected one feature per region",
                file=path,
            )
        geom = props["geometry"]
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(f"feature {number} ({name!r}) has no polygon geometry", file=path)
        owner[region] = (number, name)
        rows.append((region, name, code, geom))
    absent = [c for c in regions.index if c not in owner]
    if absent:
        names = ", ".join(f"{c} {regions.loc[c, 'name']}" for c in absent[:3])
        more = f" and {len(absent) - 3} more" if len(absent) > 3 else ""
        raise InputError(
            f"no feature for {names}{more}; expected one geometry per registry region",
            file=path,
        )
    out = pd.DataFrame(rows, columns=["region_code", "source_name", "source_code", "geometry"])
    # Repair the shapes simplification left invalid (self-touching rings), then snap to the
    # rounding grid (set_precision keeps the result valid), so maps and areas need no repair.
    geoms = shapely.make_valid(out["geometry"].to_numpy(), method="structure", keep_collapsed=False)
    geoms = shapely.set_precision(geoms, 10.0**-BOUNDARY_DECIMALS)
    out["geometry"] = shapely.to_wkt(geoms, rounding_precision=BOUNDARY_DECIMALS, trim=True)
    return out.sort_values("region_code", ignore_index=True)


# --- orchestration -------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], pd.DataFrame]] = {
    "regions": build_regions,
    "region_aliases": build_region_aliases,
    "spbe_index": build_spbe_index,
    "spbe_instansi": build_spbe_instansi,
    "spbe_national": build_spbe_national,
    "outcomes": build_outcomes,
    "boundaries": build_boundaries,
}


def build_all(out_dir: Path | None = None) -> dict[str, Path]:
    """Build every table, check each against its schema, then write them all.

    Nothing is written unless every table passed its checks. Returns the written paths.
    """
    out_dir = out_dir or paths.DATA
    tables = {name: builder() for name, builder in BUILDERS.items()}
    for name, df in tables.items():
        validate.check_table(df, name, file=f"{name}.csv (built)")
    check_spbe_consistency(tables["spbe_index"], file="spbe_index.csv (built)")
    written = {}
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        write_csv_atomic(df, path)
        written[name] = path
    return written
