"""Build the bundled tidy tables in ``data/`` from the raw published files in ``../shared/data``.

``living-lab data build`` (or ``make data``) runs :func:`build_all`. Each step follows the same
skeleton: load inputs, process, check, save. Tables are written atomically (temporary file,
then rename) and only after every check passed, so a failed build never leaves a half-written
table behind. The metadata files (``*.meta.yml``) are curated by hand and read, not written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from living_lab import paths, validate
from living_lab.errors import DataMissingError, InputError
from living_lab.framework import load_framework

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
        raise DataMissingError(
            f"raw source file not found: {path} (set LIVING_LAB_SHARED to the shared/data folder)"
        )
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
        raise InputError(
            f"missing column(s) {missing}; expected the columns {list(columns)} (and others)",
            file=path,
            row=1,
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


# --- orchestration -------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], pd.DataFrame]] = {
    "regions": build_regions,
    "region_aliases": build_region_aliases,
    "spbe_index": build_spbe_index,
    "spbe_instansi": build_spbe_instansi,
    "spbe_national": build_spbe_national,
    "outcomes": build_outcomes,
}


def build_all(out_dir: Path | None = None) -> dict[str, Path]:
    """Build every table, check each against its schema, then write them all.

    Nothing is written unless every table passed its checks. Returns the written paths.
    """
    out_dir = out_dir or paths.DATA
    tables = {name: builder() for name, builder in BUILDERS.items()}
    for name, df in tables.items():
        validate.check_table(df, name, file=f"{name}.csv (built)")
    validate.check_spbe_consistency(tables["spbe_index"], file="spbe_index.csv (built)")
    written = {}
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        write_csv_atomic(df, path)
        written[name] = path
    return written
