"""Synthetic data with a known SPBE effect, to check that the estimators recover it.

Every table made here is SYNTHETIC: region names say so, ``attrs["synthetic"]`` is set (results
and figures built from it carry the synthetic label) and nothing here is a published figure.

The data-generating process mimics the real problem: regions nested in ~34 provinces; log GRDP
per capita raises SPBE and lowers stunting and poverty (so leaving it out biases the SPBE
coefficient: confounding); provinces shift outcomes together (clustering); errors are
heteroskedastic. :func:`simulation_study` fits the library's own specs with :func:`fit` on many
seeded replications and reports bias, bias relative to the standard error, and the coverage of
the 95% intervals.

Examples
--------
>>> df = simulate_cross_section(1)
>>> df.attrs["synthetic"], df["name"].iloc[0]
(True, 'Synthetic region 0001')
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from living_lab.linkage import estimators
from living_lab.linkage._threads import single_threaded_blas
from living_lab.linkage.results import fit, fit_arrays
from living_lab.linkage.specs import LinkageSpec

#: The real data's regime for :func:`simulate_cross_section`: provinces of unequal size and
#: province-specific SPBE slopes, so that the clustered SE is about 1.5 times HC1 even with
#: province effects (1.53 on the bundled stunting model).
DATA_REGIME: dict[str, bool | float] = {"unequal_clusters": True, "effect_sd_by_province": 2.5}

#: True effects used by the simulations (outcome units per SPBE point).
TRUE_EFFECT_STUNTING = -1.5
TRUE_EFFECT_POVERTY_CHANGE = -0.4
TRUE_EFFECT_PANEL = -1.0


def _clusters(
    rng: np.random.Generator, n_clusters: int, mean_size: float, unequal: bool = False
) -> np.ndarray:
    if unequal:
        # Skewed like Indonesia's provinces (5 to 38 kabupaten/kota; a few large ones carry
        # much of the sample): lognormal sizes with the given mean, at least 3.
        raw = rng.lognormal(0.0, 0.7, size=n_clusters)
        sizes = np.maximum(3, np.round(raw / raw.mean() * mean_size)).astype(int)
    else:
        sizes = 5 + rng.poisson(max(mean_size - 5, 0.1), size=n_clusters)
    return np.repeat(np.arange(n_clusters), sizes)


def _attrs(df: pd.DataFrame, **truth: float) -> pd.DataFrame:
    df.attrs["synthetic"] = True
    df.attrs["truth"] = truth
    return df


#: Numeric columns of :func:`simulate_cross_section`, in its column order.
CROSS_SECTION_FIGURES = (
    "index_2023",
    "d4_2023",
    "grdp_per_capita_thousand_idr_2021",
    "grdp_per_capita_thousand_idr_2023",
    "stunting_prevalence_pct_2024",
    "poverty_rate_pct_2021",
    "poverty_rate_pct_2025",
)


def _cross_section_arrays(
    seed: int,
    *,
    n_clusters: int,
    mean_cluster_size: float,
    effect: float,
    change_effect: float,
    province_confounding: float,
    unequal_clusters: bool,
    effect_sd_by_province: float,
) -> dict[str, np.ndarray]:
    """The draws of :func:`simulate_cross_section` as arrays: ``province`` (0-based index per
    region), ``kota`` (0/1) and the columns of :data:`CROSS_SECTION_FIGURES`."""
    rng = np.random.default_rng(seed)
    g = _clusters(rng, n_clusters, mean_cluster_size, unequal_clusters)
    n = g.size
    c_g = rng.normal(0, 0.35, n_clusters)  # province economy
    s_g = rng.normal(0, 0.30, n_clusters)  # province SPBE push
    a_g = rng.normal(0, 2.5, n_clusters) + province_confounding * 10 * s_g
    p_g = rng.normal(0, 3.0, n_clusters)
    b_g = rng.normal(0, 0.5, n_clusters)
    kota = (rng.random(n) < 0.2).astype(float)
    lg21 = 10 + c_g[g] + 0.6 * kota + rng.normal(0, 0.45, n)
    lg23 = lg21 + rng.normal(0.04, 0.02, n)
    spbe = 2.6 + 0.6 * (lg23 - 10) + 0.2 * kota + s_g[g] + rng.normal(0, 0.45, n)
    d4 = spbe + rng.normal(0, 0.3, n)
    sigma = 2.5 * (1 + 0.5 * np.abs(spbe - 2.6))
    slope = effect
    if effect_sd_by_province > 0:
        slope = effect + rng.normal(0, effect_sd_by_province, n_clusters)[g]
    stunting = 28 + slope * spbe - 5 * (lg23 - 10) - 3 * kota + a_g[g] + rng.normal(0, 1, n) * sigma
    p21 = 12 - 4 * (lg21 - 10) - 2 * kota + p_g[g] + rng.normal(0, 3, n)
    dp = (
        -1.7
        + change_effect * (spbe - 2.6)
        - 0.1 * (p21 - 12)
        + 0.3 * (lg21 - 10)
        + b_g[g]
        + rng.normal(0, 0.8, n) * (1 + 0.3 * kota)
    )
    return {
        "province": g,
        "kota": kota,
        "index_2023": spbe,
        "d4_2023": d4,
        "grdp_per_capita_thousand_idr_2021": np.exp(lg21),
        "grdp_per_capita_thousand_idr_2023": np.exp(lg23),
        "stunting_prevalence_pct_2024": stunting,
        "poverty_rate_pct_2021": p21,
        "poverty_rate_pct_2025": p21 + dp,
    }


def simulate_cross_section(
    seed: int,
    *,
    n_clusters: int = 34,
    mean_cluster_size: float = 14.0,
    effect: float = TRUE_EFFECT_STUNTING,
    change_effect: float = TRUE_EFFECT_POVERTY_CHANGE,
    province_confounding: float = 0.0,
    unequal_clusters: bool = False,
    effect_sd_by_province: float = 0.0,
) -> pd.DataFrame:
    """One synthetic cross-section shaped like :func:`living_lab.datasets.load_cross_section`.

    Columns: ``region_code``, ``name``, ``kind``, ``province``, ``province_code``,
    ``index_2023``, ``d4_2023``, ``grdp_per_capita_thousand_idr_2021``/``_2023``,
    ``stunting_prevalence_pct_2024``, ``poverty_rate_pct_2021``/``_2025``.

    Stunting 2024 = 28 + ``effect`` * SPBE - 5 * (log GRDP - 10) - 3 * kota + province shock
    + heteroskedastic noise. The poverty change 2021 -> 2025 = -1.7 + ``change_effect`` * (SPBE
    - 2.6) - 0.1 * (P0 2021 - 12) + 0.3 * (log GRDP - 10) + province shock + noise.
    ``province_confounding`` > 0 makes the provinces' stunting shocks move with their SPBE
    shocks, which only province effects remove.

    Clustering that province effects do *not* remove (what makes the real data's clustered SE
    1.5 times the HC1 one): ``effect_sd_by_province`` > 0 gives each province its own SPBE slope
    of stunting, ``effect + N(0, effect_sd_by_province^2)`` (mean ``effect``), so the errors of a
    province's regions move with their SPBE; ``unequal_clusters`` draws skewed province sizes.
    """
    a = _cross_section_arrays(
        seed,
        n_clusters=n_clusters,
        mean_cluster_size=mean_cluster_size,
        effect=effect,
        change_effect=change_effect,
        province_confounding=province_confounding,
        unequal_clusters=unequal_clusters,
        effect_sd_by_province=effect_sd_by_province,
    )
    g = a["province"]
    n = g.size
    codes = [f"S{i:04d}" for i in range(1, n + 1)]
    df = pd.DataFrame(
        {
            "region_code": codes,
            "name": [f"Synthetic region {i:04d}" for i in range(1, n + 1)],
            "kind": np.where(a["kota"] == 1, "kota", "kabupaten"),
            "province": [f"Synthetic province {p + 1:02d}" for p in g],
            "province_code": [f"{p + 1:02d}" for p in g],
            **{c: a[c] for c in CROSS_SECTION_FIGURES},
        }
    )
    return _attrs(df, stunting=effect, poverty_change=change_effect)


def _panel_arrays(
    seed: int,
    n_clusters: int,
    mean_cluster_size: float,
    outcome_years: tuple[int, ...],
    lag: int,
    effect: float,
) -> dict[str, np.ndarray]:
    """The draws of :func:`simulate_panel` as arrays: ``province``, ``kota`` (per region),
    ``years``, and regions x years ``spbe``, ``d4``, ``log_grdp`` and ``outcome`` (NaN outside
    ``outcome_years``)."""
    rng = np.random.default_rng(seed)
    g = _clusters(rng, n_clusters, mean_cluster_size)
    n = g.size
    years = np.arange(min(outcome_years) - lag, max(outcome_years) + 1)
    alpha = rng.normal(0, 4, n) + rng.normal(0, 2, n_clusters)[g]
    kota = (rng.random(n) < 0.2).astype(float)
    lg0 = 10 + 0.05 * alpha + 0.6 * kota + rng.normal(0, 0.4, n)
    year_fx = {int(y): rng.normal(0, 1) for y in years}
    prov_year = rng.normal(0, 1.0, (n_clusters, years.size))
    spbe = np.zeros((n, years.size))
    lg = np.zeros((n, years.size))
    for j in range(years.size):
        lg[:, j] = lg0 + 0.03 * j + rng.normal(0, 0.03, n)
        spbe[:, j] = (
            2.4
            + 0.12 * alpha
            + 0.25 * j
            + rng.normal(0, 0.3, n_clusters)[g]
            + rng.normal(0, 0.35, n)
        )
    outcome = np.full((n, years.size), np.nan)
    d4 = np.zeros((n, years.size))
    for j, y in enumerate(years):  # the draws in the order the data frame used to make them
        if int(y) in outcome_years:
            outcome[:, j] = (
                25
                + alpha
                + year_fx[int(y)]
                + effect * spbe[:, j - lag]
                - 3 * (lg[:, j - lag] - 10)
                + prov_year[g, j]
                + rng.normal(0, 1.5, n)
            )
        d4[:, j] = spbe[:, j] + rng.normal(0, 0.3, n)
    return {
        "province": g,
        "kota": kota,
        "years": years,
        "spbe": spbe,
        "d4": d4,
        "log_grdp": lg,
        "outcome": outcome,
    }


def simulate_panel(
    seed: int,
    *,
    n_clusters: int = 34,
    mean_cluster_size: float = 14.0,
    outcome_years: tuple[int, ...] = (2022, 2023, 2024),
    lag: int = 1,
    effect: float = TRUE_EFFECT_PANEL,
) -> pd.DataFrame:
    """A synthetic region-year panel shaped like :func:`living_lab.datasets.load_panel`.

    Regions differ permanently (region effects) in ways that also raise their SPBE, so a pooled
    regression is biased while two-way fixed effects are not. Outcome of year t = region effect
    + year effect + ``effect`` * SPBE(t - lag) - 3 * (log GRDP(t - lag) - 10) + province-year
    shock + noise. SPBE and GRDP exist for every year from min(outcome_years) - lag.
    """
    a = _panel_arrays(seed, n_clusters, mean_cluster_size, outcome_years, lag, effect)
    g, kota, years = a["province"], a["kota"], a["years"]
    n = g.size
    rows = [
        pd.DataFrame(
            {
                "region_code": [f"S{i:04d}" for i in range(1, n + 1)],
                "year": int(y),
                "name": [f"Synthetic region {i:04d}" for i in range(1, n + 1)],
                "kind": np.where(kota == 1, "kota", "kabupaten"),
                "province": [f"Synthetic province {p + 1:02d}" for p in g],
                "province_code": [f"{p + 1:02d}" for p in g],
                "index": a["spbe"][:, j],
                "d4": a["d4"][:, j],
                "grdp_per_capita_thousand_idr": np.exp(a["log_grdp"][:, j]),
                "stunting_prevalence_pct": a["outcome"][:, j],
                "poverty_rate_pct": np.nan,
            }
        )
        for j, y in enumerate(years)
    ]
    df = pd.concat(rows, ignore_index=True)
    return _attrs(df, stunting=effect)


Estimator = Literal[
    "ols_fe_hc1",
    "ols_cluster",
    "ols_fe_cluster",
    "wild_cluster",
    "change_on_level",
    "twfe",
    "naive_no_controls",
    "hc1_ignoring_clusters",
]
#: What each estimator of the validation is, which data it uses, and whether it should work.
ESTIMATORS: dict[str, tuple[str, LinkageSpec, bool]] = {
    "ols_fe_hc1": (
        "cross_section",
        LinkageSpec(province_effects=True, se_type="hc1", key="ols_fe_hc1"),
        True,
    ),
    "ols_cluster": (
        "cross_section",
        LinkageSpec(province_effects=False, se_type="cluster", key="ols_cluster"),
        True,
    ),
    "ols_fe_cluster": (
        "cross_section",
        LinkageSpec(province_effects=True, se_type="cluster", key="ols_fe_cluster"),
        True,
    ),
    "wild_cluster": (
        "cross_section",
        LinkageSpec(province_effects=False, se_type="wild", key="wild_cluster"),
        True,
    ),
    "change_on_level": (
        "cross_section",
        LinkageSpec(
            outcome="poverty_rate_pct",
            design="change",
            outcome_year=2025,
            base_year=2021,
            spbe_year=2023,
            control_year=2021,
            controls=("baseline_outcome", "log_grdp_pc", "kota"),
            province_effects=True,
            key="change_on_level",
        ),
        True,
    ),
    "twfe": (
        "panel",
        LinkageSpec(design="twfe", controls=("log_grdp_pc",), lag=1, key="twfe"),
        True,
    ),
    "naive_no_controls": (
        "cross_section",
        LinkageSpec(controls=(), province_effects=False, key="naive_no_controls"),
        False,
    ),
    "hc1_ignoring_clusters": (
        "cross_section",
        LinkageSpec(province_effects=False, se_type="hc1", key="hc1_ignoring_clusters"),
        False,
    ),
}


@dataclass(frozen=True)
class Replications:
    """Estimates, standard errors and interval hits of one estimator over replications."""

    estimator: str
    truth: float
    estimates: np.ndarray
    ses: np.ndarray
    covered: np.ndarray

    def summary(self) -> dict[str, float | int | str]:
        r = self.estimates.size
        bias = float(self.estimates.mean() - self.truth)
        mean_se = float(self.ses.mean())
        sd = float(self.estimates.std(ddof=1))
        return {
            "estimator": self.estimator,
            "truth": self.truth,
            "replications": r,
            "mean_estimate": float(self.estimates.mean()),
            "bias": bias,
            "mean_se": mean_se,
            "sd_estimate": sd,
            "bias_over_se": bias / mean_se,
            "mc_se_of_bias": sd / np.sqrt(r),
            "coverage": float(self.covered.mean()),
        }


def replicate(
    estimators: tuple[str, ...] = tuple(ESTIMATORS),
    *,
    replications: int = 200,
    seed: int = 20250314,
    bootstrap: int = 199,
    province_confounding: float = 0.0,
    level: float = 0.95,
    unequal_clusters: bool = False,
    effect_sd_by_province: float = 0.0,
    fast: bool = True,
) -> dict[str, Replications]:
    """Fit each estimator on ``replications`` seeded synthetic datasets.

    The same synthetic cross-section of a replication is shared by all cross-section
    estimators; the panel estimator gets its own synthetic panel. The wild bootstrap uses
    ``bootstrap`` draws per replication. ``unequal_clusters`` and ``effect_sd_by_province``
    are passed to :func:`simulate_cross_section` (the real data's regime: clustering that
    province effects do not remove).

    ``fast`` (default) builds each replication's design matrices from the simulated arrays and
    fits them with :func:`fit_arrays`; ``fast=False`` runs the straightforward path (a data
    frame per replication through :func:`~living_lab.linkage.results.fit`). Both give the same
    estimates, standard errors and interval hits (to rounding; tested).
    """
    unknown = set(estimators) - set(ESTIMATORS)
    if unknown:
        from living_lab.errors import ParameterError

        raise ParameterError(
            f"estimators: unknown {sorted(unknown)}; expected some of {list(ESTIMATORS)}"
        )
    draws: dict[str, list[tuple[float, float, bool]]] = {e: [] for e in estimators}
    truths: dict[str, float] = {}
    seeds = np.random.SeedSequence(seed).generate_state(replications)
    with single_threaded_blas():
        (_run_fast if fast else _run)(
            estimators,
            seeds,
            draws,
            truths,
            bootstrap,
            level,
            {
                "province_confounding": province_confounding,
                "unequal_clusters": unequal_clusters,
                "effect_sd_by_province": effect_sd_by_province,
            },
        )
    out = {}
    for name, rows in draws.items():
        arr = np.array(rows, dtype=float)
        out[name] = Replications(name, truths[name], arr[:, 0], arr[:, 1], arr[:, 2].astype(bool))
    return out


def _run(
    estimators: tuple[str, ...],
    seeds: np.ndarray,
    draws: dict[str, list[tuple[float, float, bool]]],
    truths: dict[str, float],
    bootstrap: int,
    level: float,
    cross_section_options: dict[str, float | bool],
) -> None:
    for r in range(seeds.size):
        cs = None
        panel = None
        for name in estimators:
            kind, spec, _ = ESTIMATORS[name]
            if kind == "cross_section":
                if cs is None:
                    cs = simulate_cross_section(int(seeds[r]), **cross_section_options)  # type: ignore[arg-type]
                data = cs
            else:
                if panel is None:
                    panel = simulate_panel(int(seeds[r]))
                data = panel
            truth_key = "poverty_change" if spec.design == "change" else "stunting"
            truths[name] = float(data.attrs["truth"][truth_key])
            res = fit(
                spec,
                data,
                bootstrap=bootstrap if spec.se_type == "wild" else 0,
                seed=int(seeds[r]) % 2**31,
                level=level,
            )
            draws[name].append((res.coef, res.se, res.ci_low <= truths[name] <= res.ci_high))


def _cross_section_design(
    spec: LinkageSpec, arrays: dict[str, np.ndarray], provinces: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """``X, y`` and the SPBE column of a cross-section spec on simulated arrays, built as
    :func:`~living_lab.linkage.data.analysis_frame` and
    :func:`~living_lab.linkage.results.design_matrix` build them from the data frame; ``None``
    when the spec needs what this shortcut does not do (filters, missing or unloggable
    figures), so that the caller takes the data frame path and its errors."""
    if spec.sample_filters or spec.design == "twfe":
        return None

    def col(stem: str, year: int | None) -> np.ndarray | None:
        return arrays.get(f"{stem}_{year}")

    y = col(spec.outcome, spec.outcome_year)
    if spec.design == "change":
        base = col(spec.outcome, spec.base_year)
        y = None if y is None or base is None else y - base
    x = col(spec.spbe_measure, spec.spbe_year)
    if spec.spbe_form == "change":
        x_base = col(spec.spbe_measure, spec.spbe_base_year)
        x = None if x is None or x_base is None else x - x_base
    columns = [y, np.ones(provinces.size), x]
    for control in spec.controls:
        if control == "log_grdp_pc":
            v = col("grdp_per_capita_thousand_idr", spec.grdp_year)
            if v is not None and not (v > 0).all():
                return None
            columns.append(None if v is None else np.log(v))
        elif control == "kota":
            columns.append(arrays["kota"])
        elif control == "baseline_outcome":
            columns.append(col(spec.outcome, spec.base_year))
        else:
            return None
    present = [c for c in columns if c is not None]
    if len(present) < len(columns):
        return None
    if spec.province_effects:
        labels, codes = np.unique(provinces, return_inverse=True)
        present += [(codes == p).astype(float) for p in range(1, labels.size)]
    M = np.column_stack(present)
    if np.isnan(M).any():
        return None
    return M[:, 1:], M[:, 0], 1


def _panel_design(
    spec: LinkageSpec, a: dict[str, np.ndarray], provinces: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """Within-transformed ``X, y``, cluster labels and ``k_df`` of a ``twfe`` spec on a
    simulated panel, built as :func:`~living_lab.linkage.data.panel_frame` and
    :func:`~living_lab.linkage.results.design_matrix` build them (rows by region, then
    year); ``None`` when the shortcut does not apply."""
    if (
        spec.sample_filters
        or spec.spbe_measure != "index"
        or spec.outcome != "stunting_prevalence_pct"
    ):
        return None
    if set(spec.controls) - {"log_grdp_pc"}:
        return None
    years = a["years"]
    lag = spec.lag
    # the outcome of year t with SPBE (and GRDP) of year t - lag, where both exist
    js = [j for j in range(years.size) if j - lag >= 0 and not np.isnan(a["outcome"][:, j]).all()]
    if len(js) < 2 or any(np.isnan(a["outcome"][:, j]).any() for j in js):
        return None
    n = provinces.size
    cols = [a["outcome"][:, js], a["spbe"][:, [j - lag for j in js]]]
    if "log_grdp_pc" in spec.controls:
        cols.append(np.log(np.exp(a["log_grdp"][:, [j - lag for j in js]])))
    M = np.column_stack([c.reshape(-1) for c in cols])  # row-major: region, then year
    units = np.repeat(np.arange(n), len(js))
    year_codes = np.tile(np.arange(len(js)), n)
    W = estimators.demean(M, [units, year_codes])
    k_df = (M.shape[1] - 1) + (len(js) - 1)
    return W[:, 1:], W[:, 0], np.repeat(provinces, len(js)), k_df


def _run_fast(
    estimators_: tuple[str, ...],
    seeds: np.ndarray,
    draws: dict[str, list[tuple[float, float, bool]]],
    truths: dict[str, float],
    bootstrap: int,
    level: float,
    cross_section_options: dict[str, float | bool],
) -> None:
    """:func:`_run` on arrays: no data frame per replication, one design per model shared by
    the estimators that differ only in their standard errors; any spec the array shortcut
    does not cover goes through :func:`fit` on the data frame as before."""
    for r in range(seeds.size):
        s = int(seeds[r])
        cs = panel = None
        designs: dict[LinkageSpec, Any] = {}
        for name in estimators_:
            kind, spec, _ = ESTIMATORS[name]
            truth_key = "poverty_change" if spec.design == "change" else "stunting"
            if kind == "cross_section":
                if cs is None:
                    cs = _cross_section_arrays(
                        s,
                        n_clusters=34,
                        mean_cluster_size=14.0,
                        effect=TRUE_EFFECT_STUNTING,
                        change_effect=TRUE_EFFECT_POVERTY_CHANGE,
                        **cross_section_options,  # type: ignore[arg-type]
                    )
                    cs_provinces = np.array([f"{p + 1:02d}" for p in cs["province"]])
                truth = (
                    TRUE_EFFECT_POVERTY_CHANGE
                    if truth_key == "poverty_change"
                    else TRUE_EFFECT_STUNTING
                )
            else:
                if panel is None:
                    panel = _panel_arrays(s, 34, 14.0, (2022, 2023, 2024), 1, TRUE_EFFECT_PANEL)
                    panel_provinces = np.array([f"{p + 1:02d}" for p in panel["province"]])
                truth = TRUE_EFFECT_PANEL
            truths[name] = float(truth)
            model = dataclasses.replace(spec, se_type="cluster", key="")
            if model not in designs:
                if kind == "cross_section":
                    built = _cross_section_design(spec, cs, cs_provinces)  # type: ignore[arg-type]
                    designs[model] = None if built is None else (*built[:2], cs_provinces, None)
                else:
                    designs[model] = _panel_design(spec, panel, panel_provinces)  # type: ignore[arg-type]
            design = designs[model]
            if design is None:  # not covered by the shortcut: the data frame path
                data = (
                    simulate_cross_section(s, **cross_section_options)  # type: ignore[arg-type]
                    if kind == "cross_section"
                    else simulate_panel(s)
                )
                res = fit(
                    spec,
                    data,
                    bootstrap=bootstrap if spec.se_type == "wild" else 0,
                    seed=s % 2**31,
                    level=level,
                )
                coef, se, lo, hi = res.coef, res.se, res.ci_low, res.ci_high
            else:
                X, y, clusters, k_df = design
                coef, se, lo, hi, _ = fit_arrays(
                    X, y, 1 if kind == "cross_section" else 0, clusters,
                    se_type=spec.se_type, k_df=k_df, level=level,
                    bootstrap=bootstrap if spec.se_type == "wild" else 0, seed=s % 2**31,
                )  # fmt: skip
            draws[name].append((coef, se, lo <= truth <= hi))


def simulation_study(
    estimators: tuple[str, ...] = tuple(ESTIMATORS),
    *,
    replications: int = 200,
    seed: int = 20250314,
    bootstrap: int = 199,
    province_confounding: float = 0.0,
    unequal_clusters: bool = False,
    effect_sd_by_province: float = 0.0,
) -> pd.DataFrame:
    """Summary table of :func:`replicate`: one row per estimator with ``bias``, ``mean_se``,
    ``bias_over_se``, ``mc_se_of_bias``, ``coverage`` and ``expected_to_work``.

    With ``effect_sd_by_province`` > 0 (the data's regime, :data:`DATA_REGIME`) province
    effects no longer remove the clustering, so HC1 with province effects is not expected to
    work. ``attrs["synthetic"]`` is set: these are properties of the methods on SYNTHETIC data.
    """
    reps = replicate(
        estimators,
        replications=replications,
        seed=seed,
        bootstrap=bootstrap,
        province_confounding=province_confounding,
        unequal_clusters=unequal_clusters,
        effect_sd_by_province=effect_sd_by_province,
    )
    table = pd.DataFrame([r.summary() for r in reps.values()])
    table["expected_to_work"] = [
        ESTIMATORS[e][2] and not (effect_sd_by_province > 0 and ESTIMATORS[e][1].se_type == "hc1")
        for e in table["estimator"]
    ]
    table.attrs["synthetic"] = True
    table.attrs["seed"] = seed
    return table
