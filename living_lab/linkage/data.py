"""Estimation samples of the linkage study: which regions, which variables, and what was dropped.

:func:`analysis_frame` turns a :class:`~living_lab.linkage.specs.LinkageSpec` and the bundled
cross-section (or a user's / a simulated table of the same shape) into one row per region with
the outcome ``y``, the SPBE measure ``spbe`` and the controls, and records how many regions each
missing variable or filter removed. :func:`panel_frame` does the same for region-year panels, and
:func:`panel_check` says whether enough regions have two or more periods for panel methods.

Nothing is filled in: a region missing any variable of the model is left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from living_lab import datasets, paths
from living_lab.errors import InputError, LivingLabError, ParameterError
from living_lab.linkage.specs import LinkageSpec, panel_rule, sample_filters
from living_lab.text import Lang, t
from living_lab.validate import read_yaml

#: Region attributes every analysis frame carries.
ATTRIBUTES = ("region_code", "name", "kind", "province", "province_code")
#: Column stems of the variables a spec may admit at low confidence.
_LOW_STEMS = {
    "population": "population",
    "grdp_per_capita": "grdp_per_capita_thousand_idr",
}
_SPBE_STEMS = ("index", "d1", "d2", "d3", "d4")


class NotEnoughDataError(LivingLabError):
    """Too few regions (or periods) have the data a model needs."""


@dataclass(frozen=True)
class AnalysisFrame:
    """The estimation sample of one spec.

    Attributes
    ----------
    frame : one row per region (per region-year for panels): :data:`ATTRIBUTES`, ``y``,
        ``spbe`` and one column per control (``year`` too for panels).
    columns : which source column(s) each model variable was built from.
    n_candidates : regions (or region-years) before filters and missing values.
    dropped : ``{reason: count}`` in the order applied (a filter name or a model variable).
    excluded : ``{region_code: reason}`` for every region left out (reason as in ``dropped``).
    low_confidence : the subset of ``excluded`` whose missing figure exists but is flagged low
        confidence (left out at the spec's ``min_confidence``).
    figures : ``(indicator, year)`` of every published figure used (``"spbe"`` for SPBE; year
        ``None`` in panels, where the years are those of ``frame``).
    origin : ``bundled``, ``user`` or ``synthetic`` (simulated data carry ``attrs["synthetic"]``).
    """

    spec: LinkageSpec
    frame: pd.DataFrame
    columns: dict[str, tuple[str, ...]]
    n_candidates: int
    dropped: dict[str, int] = field(default_factory=dict)
    figures: tuple[tuple[str, int | None], ...] = ()
    excluded: dict[str, str] = field(default_factory=dict)
    low_confidence: dict[str, str] = field(default_factory=dict)
    origin: Literal["bundled", "user", "synthetic"] = "bundled"

    @property
    def n(self) -> int:
        return len(self.frame)


#: First word of the columns that hold numbers (SPBE scores and outcome figures).
_NUMERIC_PREFIXES = frozenset(
    {"index", "d1", "d2", "d3", "d4", "stunting", "poverty", "grdp", "population", "poor"}
)


def _numeric(df: pd.DataFrame) -> pd.DataFrame:
    """SPBE and outcome columns as floats (the loaders keep some as object for missing values)."""
    out = df.copy()
    for col in out.columns:
        if str(col).split("_")[0] in _NUMERIC_PREFIXES:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


@cache
def _bundled_cross_section(min_confidence: str) -> pd.DataFrame:
    return _numeric(datasets.load_cross_section(min_confidence=min_confidence))  # type: ignore[arg-type]


@cache
def _bundled_panel(min_confidence: str) -> pd.DataFrame:
    return _numeric(datasets.load_panel(min_confidence=min_confidence))  # type: ignore[arg-type]


def _admit(
    base: pd.DataFrame, low: pd.DataFrame, spec: LinkageSpec, keys: list[str]
) -> pd.DataFrame:
    """Replace the columns of admitted variables by their low-confidence versions."""
    stems = [_LOW_STEMS.get(v, spec.outcome) for v in spec.admit_low]
    base = base.set_index(keys)
    low = low.set_index(keys)
    for col in low.columns:
        if any(col == s or col.startswith(f"{s}_") for s in stems):
            base[col] = low[col].reindex(base.index)
    return base.reset_index()


def bundled_cross_section(spec: LinkageSpec) -> pd.DataFrame:
    """The bundled cross-section at the spec's confidence, with admitted low-confidence columns."""
    base = _bundled_cross_section(spec.min_confidence).copy()
    if spec.admit_low and spec.min_confidence != "low":
        base = _admit(base, _bundled_cross_section("low"), spec, ["region_code"])
    return base


def bundled_panel(spec: LinkageSpec) -> pd.DataFrame:
    """The bundled region-year panel at the spec's confidence, with admitted columns."""
    base = _bundled_panel(spec.min_confidence).copy()
    if spec.admit_low and spec.min_confidence != "low":
        keys = ["region_code", "year"]
        low = _bundled_panel("low")
        merged = base.merge(low[keys], on=keys, how="outer")
        base = _admit(merged, low, spec, keys)
    return base


def _plain_copy(data: pd.DataFrame) -> pd.DataFrame:
    # pandas deep-copies ``attrs`` on every operation; the origin has been read, so drop them.
    df = data.copy()
    df.attrs = {}
    return df


def _origin(data: pd.DataFrame | None) -> Literal["bundled", "user", "synthetic"]:
    if data is None:
        return "bundled"
    return "synthetic" if data.attrs.get("synthetic") else "user"


def _need(df: pd.DataFrame, col: str, *, what: str, origin: str) -> pd.Series:
    if col not in df.columns:
        if origin == "bundled":
            stem = col.rsplit("_", 1)[0]
            years = sorted(c.rsplit("_", 1)[1] for c in df.columns if c.rsplit("_", 1)[0] == stem)
            raise ParameterError(
                f"{what}: the data have no column {col!r}; years available for {stem}: {years}"
            )
        raise InputError(f"missing column {col!r} ({what})", field=col)
    return pd.to_numeric(df[col], errors="coerce").astype(float)


def _log(values: pd.Series, col: str) -> pd.Series:
    bad = values.notna() & (values <= 0)
    if bad.any():
        raise InputError(
            f"{int(bad.sum())} value(s) <= 0 cannot be logged; expected positive figures", field=col
        )
    return np.log(values)


def _apply_filters(
    df: pd.DataFrame, spec: LinkageSpec, dropped: dict[str, int], excluded: dict[str, str]
) -> pd.DataFrame:
    filters = sample_filters()
    for name in spec.sample_filters:
        flt = filters[name]
        if flt["column"] not in df.columns:
            raise InputError(
                f"missing column {flt['column']!r} (sample filter {name})", field=flt["column"]
            )
        out = df[flt["column"]].astype(str).isin(flt["exclude"])
        dropped[f"filter:{name}"] = int(out.sum())
        excluded.update(dict.fromkeys(df.loc[out, "region_code"], f"filter:{name}"))
        df = df[~out]
    return df


def _drop_missing(
    df: pd.DataFrame, variables: list[str], dropped: dict[str, int], excluded: dict[str, str]
) -> pd.DataFrame:
    # Attribute each dropped region to the first missing variable, in model order, so the counts
    # add up to the regions lost.
    for var in variables:
        miss = df[var].isna()
        if miss.any():
            dropped[var] = int(miss.sum())
            excluded.update(dict.fromkeys(df.loc[miss, "region_code"], var))
            df = df[~miss]
    return df


def _check_attributes(df: pd.DataFrame, origin: str) -> None:
    for col in ("region_code", "kind", "province_code"):
        if col not in df.columns:
            raise InputError(f"missing column {col!r}; expected region attributes", field=col)
    if origin != "bundled" and "name" not in df.columns:
        df["name"] = df["region_code"]
    if "province" not in df.columns:
        df["province"] = df["province_code"]


def _cross_variables(
    df: pd.DataFrame, spec: LinkageSpec, origin: str
) -> tuple[pd.DataFrame, dict[str, tuple[str, ...]]]:
    """The model variables of a cross-section spec, one row per region (missing kept)."""
    columns: dict[str, tuple[str, ...]] = {}
    out = df[list(ATTRIBUTES)].copy()

    y_col = f"{spec.outcome}_{spec.outcome_year}"
    y = _need(df, y_col, what="outcome_year", origin=origin)
    if spec.design == "change":
        base_col = f"{spec.outcome}_{spec.base_year}"
        out["y"] = y - _need(df, base_col, what="base_year", origin=origin)
        columns["y"] = (y_col, base_col)
    else:
        out["y"] = y
        columns["y"] = (y_col,)

    s_col = f"{spec.spbe_measure}_{spec.spbe_year}"
    spbe = _need(df, s_col, what="spbe_year", origin=origin)
    if spec.spbe_form == "change":
        s_base = f"{spec.spbe_measure}_{spec.spbe_base_year}"
        out["spbe"] = spbe - _need(df, s_base, what="spbe_base_year", origin=origin)
        columns["spbe"] = (s_col, s_base)
    else:
        out["spbe"] = spbe
        columns["spbe"] = (s_col,)

    for control in spec.controls:
        if control == "log_grdp_pc":
            col = f"grdp_per_capita_thousand_idr_{spec.grdp_year}"
            out[control] = _log(_need(df, col, what="control_year", origin=origin), col)
        elif control == "log_population":
            col = f"population_{spec.population_year}"
            out[control] = _log(_need(df, col, what="population_year", origin=origin), col)
        elif control == "kota":
            col = "kind"
            out[control] = (df["kind"].astype(str) == "kota").astype(float)
        else:  # baseline_outcome
            col = f"{spec.outcome}_{spec.base_year}"
            out[control] = _need(df, col, what="base_year", origin=origin)
        columns[control] = (col,)

    return out, columns


def analysis_frame(spec: LinkageSpec, data: pd.DataFrame | None = None) -> AnalysisFrame:
    """Build the estimation sample of a cross-section or change spec.

    Parameters
    ----------
    spec : the model (its design must be ``cross_section`` or ``change``).
    data : a table shaped like :func:`living_lab.datasets.load_cross_section` (one row per
        region); default the bundled data at the spec's confidence. With user data the
        confidence settings of the spec are not applied (the table carries no flags).

    Examples
    --------
    >>> from living_lab.linkage.specs import main_spec
    >>> af = analysis_frame(main_spec("stunting_prevalence_pct"))
    >>> af.n > 400, list(af.frame.columns[-4:])
    (True, ['y', 'spbe', 'log_grdp_pc', 'kota'])
    """
    if spec.design == "twfe":
        raise ParameterError("design: 'twfe' needs a panel; use panel_frame()")
    origin = _origin(data)
    df = bundled_cross_section(spec) if data is None else _plain_copy(data)
    _check_attributes(df, origin)
    out, columns = _cross_variables(df, spec, origin)

    figures: list[tuple[str, int | None]] = []
    for var, cols in columns.items():
        for col in cols:
            if col == "kind":
                continue
            stem, _, year = col.rpartition("_")
            figures.append(("spbe" if var == "spbe" else stem, int(year)))

    dropped: dict[str, int] = {}
    excluded: dict[str, str] = {}
    n_candidates = len(out)
    out = _apply_filters(out, spec, dropped, excluded)
    out = _drop_missing(out, ["y", "spbe", *spec.controls], dropped, excluded)
    low_confidence: dict[str, str] = {}
    if origin == "bundled" and spec.min_confidence != "low" and excluded:
        # Tell "not published" from "published but low confidence, left out" (e.g. Papua GRDP).
        low_vars, _ = _cross_variables(
            bundled_cross_section(spec.replace(min_confidence="low")), spec, origin
        )
        low_vars = low_vars.set_index("region_code")
        for code, reason in excluded.items():
            if reason in low_vars.columns and pd.notna(low_vars.at[code, reason]):
                low_confidence[code] = reason
    return AnalysisFrame(
        spec=spec,
        frame=out.reset_index(drop=True),
        low_confidence=low_confidence,
        columns=columns,
        n_candidates=n_candidates,
        dropped=dropped,
        excluded=excluded,
        figures=tuple(dict.fromkeys(figures)),
        origin=origin,
    )


def panel_frame(spec: LinkageSpec, data: pd.DataFrame | None = None) -> AnalysisFrame:
    """Build the region-year sample of a ``twfe`` spec.

    ``data`` is a long table shaped like :func:`living_lab.datasets.load_panel` (``region_code``,
    ``year``, ``kind``, ``province_code``, SPBE columns ``index``/``d1``..``d4``, outcome columns
    such as ``stunting_prevalence_pct`` and ``grdp_per_capita_thousand_idr``). The outcome of
    year t is paired with the SPBE measure (and GRDP) of year t - ``spec.lag``. Regions with a
    single usable period carry no within-region information and are dropped (counted as
    ``single_period``).
    """
    if spec.design != "twfe":
        raise ParameterError(f"design: panel_frame() needs 'twfe', got {spec.design!r}")
    origin = _origin(data)
    df = bundled_panel(spec) if data is None else _plain_copy(data)
    _check_attributes(df, origin)
    for col in ("year", spec.outcome, spec.spbe_measure):
        if col not in df.columns:
            raise InputError(f"missing panel column {col!r}", field=col)
    df["year"] = pd.to_numeric(df["year"], errors="raise").astype(int)
    attrs = df[list(ATTRIBUTES)].drop_duplicates("region_code")
    left = df[["region_code", "year", spec.outcome]].rename(columns={spec.outcome: "y"})
    lagged_cols = [spec.spbe_measure]
    if "log_grdp_pc" in spec.controls:
        lagged_cols.append("grdp_per_capita_thousand_idr")
    if "log_population" in spec.controls:
        lagged_cols.append("population")
    for col in lagged_cols:
        if col not in df.columns:
            raise InputError(f"missing panel column {col!r}", field=col)
    right = df[["region_code", "year", *lagged_cols]].copy()
    right["year"] = right["year"] + spec.lag
    merged = left.merge(right, on=["region_code", "year"], how="inner")
    merged = merged.merge(attrs, on="region_code", how="left")
    out = merged[[*ATTRIBUTES, "year", "y"]].copy()
    out["y"] = pd.to_numeric(out["y"], errors="coerce").astype(float)
    out["spbe"] = pd.to_numeric(merged[spec.spbe_measure], errors="coerce").astype(float)
    columns: dict[str, tuple[str, ...]] = {
        "y": (spec.outcome,),
        "spbe": (f"{spec.spbe_measure} (t-{spec.lag})",),
    }
    for control in spec.controls:
        if control == "log_grdp_pc":
            src = pd.to_numeric(merged["grdp_per_capita_thousand_idr"], errors="coerce")
            out[control] = _log(src.astype(float), "grdp_per_capita_thousand_idr")
            columns[control] = (f"grdp_per_capita_thousand_idr (t-{spec.lag})",)
        elif control == "log_population":
            src = pd.to_numeric(merged["population"], errors="coerce")
            out[control] = _log(src.astype(float), "population")
            columns[control] = (f"population (t-{spec.lag})",)
    dropped: dict[str, int] = {}
    excluded: dict[str, str] = {}
    n_candidates = len(out)
    out = _apply_filters(out, spec, dropped, excluded)
    out = _drop_missing(out, ["y", "spbe", *spec.controls], dropped, excluded)
    periods = out.groupby("region_code")["year"].transform("size")
    single = periods < 2
    if single.any():
        dropped["single_period"] = int(single.sum())
        excluded.update(dict.fromkeys(out.loc[single, "region_code"], "single_period"))
        out = out[~single]
    out = out.sort_values(["region_code", "year"]).reset_index(drop=True)
    figures = [(spec.outcome, None), ("spbe", None)]
    figures += [(c, None) for c in lagged_cols if c != spec.spbe_measure]
    return AnalysisFrame(
        spec=spec,
        frame=out,
        columns=columns,
        n_candidates=n_candidates,
        dropped=dropped,
        excluded=excluded,
        figures=tuple(figures),
        origin=origin,
    )


@dataclass(frozen=True)
class PanelCheck:
    """Whether panel (two-way fixed effects) methods can be used for an outcome.

    Attributes
    ----------
    n_regions, n_clusters : regions with two or more usable periods, and their provinces.
    periods : the outcome years that occur among them (each paired with SPBE of year - lag).
    rule : the thresholds from ``params/linkage/specs.yaml`` (``panel_rule``).
    """

    outcome: str
    lag: int
    available: bool
    n_regions: int
    n_clusters: int
    periods: tuple[int, ...]
    rule: dict[str, int]
    example_regions: tuple[str, ...] = ()

    def message(self, lang: Lang = "id") -> str:
        """One sentence: is the panel design used, and why (not)."""
        outcome = t(f"linkage.outcome.{self.outcome}", lang)
        years = ", ".join(str(y) for y in self.periods) or "-"
        key = "linkage.panel.available" if self.available else "linkage.panel.unavailable"
        return t(
            key,
            lang,
            outcome=outcome,
            n_regions=self.n_regions,
            n_clusters=self.n_clusters,
            years=years,
            lag=self.lag,
            min_regions=self.rule["min_regions"],
            min_clusters=self.rule["min_clusters"],
        )


def panel_check(
    spec: LinkageSpec, data: pd.DataFrame | None = None, *, frame: AnalysisFrame | None = None
) -> PanelCheck:
    """Count the regions with two or more periods of both the outcome and the lagged SPBE.

    Panel methods are used only when at least ``panel_rule()["min_regions"]`` such regions in
    at least ``panel_rule()["min_clusters"]`` provinces exist. On the bundled data they do not:
    only Sumedang (stunting) or the 27 Jawa Barat regions (poverty 2024-2025) have two periods.
    ``frame`` is the already built :func:`panel_frame` of ``spec`` (saves building it again).
    """
    rule = panel_rule()
    af = frame if frame is not None else panel_frame(spec, data)
    frame = af.frame
    names = frame.drop_duplicates("region_code")["name"].astype(str).tolist()
    n_regions = int(frame["region_code"].nunique())
    n_clusters = int(frame["province_code"].nunique())
    return PanelCheck(
        outcome=spec.outcome,
        lag=spec.lag,
        available=n_regions >= rule["min_regions"] and n_clusters >= rule["min_clusters"],
        n_regions=n_regions,
        n_clusters=n_clusters,
        periods=tuple(sorted(int(y) for y in frame["year"].unique())),
        rule=rule,
        example_regions=tuple(names[:3]),
    )


@cache
def _outcome_meta() -> dict:
    return read_yaml(paths.metadata("outcomes"))


def better_direction(outcome: str) -> Literal["lower", "higher"]:
    """Whether lower or higher values of an outcome are better (``data/outcomes.meta.yml``)."""
    better = (_outcome_meta().get("indicators", {}).get(outcome) or {}).get("better")
    return "higher" if better == "higher" else "lower"


@cache
def _outcome_sources() -> pd.DataFrame:
    """Indicator, region, year and source of every bundled outcome figure, read once (like the
    bundled samples above); :func:`sources_of` only filters it."""
    return datasets.load_outcomes(min_confidence="low")[
        ["indicator", "region_code", "year", "source"]
    ]


def sources_of(af: AnalysisFrame) -> tuple[str, ...]:
    """Publications behind the figures of a sample: ``"ID: description"`` per source.

    Read from the bundled long tables for exactly the regions and years used, so a source is
    listed only when one of its figures entered the estimate.
    """
    if af.origin == "synthetic":
        return (t("linkage.source.synthetic", "en"),)
    if af.origin == "user":
        return ("user-supplied data",)
    spec = af.spec
    codes = set(af.frame["region_code"])
    is_panel = "year" in af.frame.columns
    years_of = {
        "outcome": set(af.frame["year"]) if is_panel else set(),
        "lagged": {int(y) - spec.lag for y in af.frame["year"]} if is_panel else set(),
    }
    meta_sources = _outcome_meta().get("sources", {})
    outcomes = _outcome_sources()
    listed: list[str] = []
    spbe_years: set[int] = set()
    for indicator, year in af.figures:
        if indicator == "spbe":
            spbe_years |= {year} if year is not None else years_of["lagged"]
            continue
        if year is not None:
            years = {year}
        elif indicator == spec.outcome:
            years = years_of["outcome"]
        else:
            years = years_of["lagged"]
        sel = outcomes[
            (outcomes["indicator"] == indicator)
            & outcomes["region_code"].isin(codes)
            & outcomes["year"].isin(years)
        ]
        listed.extend(sel["source"].unique().tolist())
    spbe = datasets.load_spbe()
    spbe_sources = spbe[spbe["region_code"].isin(codes) & spbe["year"].isin(spbe_years)]
    out = [f"{s}: {meta_sources.get(s, '')}".rstrip(": ") for s in dict.fromkeys(listed)]
    return ("; ".join(sorted(spbe_sources["source"].unique())), *out)
