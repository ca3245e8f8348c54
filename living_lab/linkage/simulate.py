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

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from living_lab.linkage._threads import single_threaded_blas
from living_lab.linkage.results import fit
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
    codes = [f"S{i:04d}" for i in range(1, n + 1)]
    df = pd.DataFrame(
        {
            "region_code": codes,
            "name": [f"Synthetic region {i:04d}" for i in range(1, n + 1)],
            "kind": np.where(kota == 1, "kota", "kabupaten"),
            "province": [f"Synthetic province {p + 1:02d}" for p in g],
            "province_code": [f"{p + 1:02d}" for p in g],
            "index_2023": spbe,
            "d4_2023": d4,
            "grdp_per_capita_thousand_idr_2021": np.exp(lg21),
            "grdp_per_capita_thousand_idr_2023": np.exp(lg23),
            "stunting_prevalence_pct_2024": stunting,
            "poverty_rate_pct_2021": p21,
            "poverty_rate_pct_2025": p21 + dp,
        }
    )
    return _attrs(df, stunting=effect, poverty_change=change_effect)


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
    rng = np.random.default_rng(seed)
    g = _clusters(rng, n_clusters, mean_cluster_size)
    n = g.size
    years = np.arange(min(outcome_years) - lag, max(outcome_years) + 1)
    alpha = rng.normal(0, 4, n) + rng.normal(0, 2, n_clusters)[g]
    kota = (rng.random(n) < 0.2).astype(float)
    lg0 = 10 + 0.05 * alpha + 0.6 * kota + rng.normal(0, 0.4, n)
    year_fx = {int(y): rng.normal(0, 1) for y in years}
    prov_year = rng.normal(0, 1.0, (n_clusters, years.size))
    rows = []
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
    for j, y in enumerate(years):
        out = np.full(n, np.nan)
        if int(y) in outcome_years:
            out = (
                25
                + alpha
                + year_fx[int(y)]
                + effect * spbe[:, j - lag]
                - 3 * (lg[:, j - lag] - 10)
                + prov_year[g, j]
                + rng.normal(0, 1.5, n)
            )
        rows.append(
            pd.DataFrame(
                {
                    "region_code": [f"S{i:04d}" for i in range(1, n + 1)],
                    "year": int(y),
                    "name": [f"Synthetic region {i:04d}" for i in range(1, n + 1)],
                    "kind": np.where(kota == 1, "kota", "kabupaten"),
                    "province": [f"Synthetic province {p + 1:02d}" for p in g],
                    "province_code": [f"{p + 1:02d}" for p in g],
                    "index": spbe[:, j],
                    "d4": spbe[:, j] + rng.normal(0, 0.3, n),
                    "grdp_per_capita_thousand_idr": np.exp(lg[:, j]),
                    "stunting_prevalence_pct": out,
                    "poverty_rate_pct": np.nan,
                }
            )
        )
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
) -> dict[str, Replications]:
    """Fit each estimator on ``replications`` seeded synthetic datasets.

    The same synthetic cross-section of a replication is shared by all cross-section
    estimators; the panel estimator gets its own synthetic panel. The wild bootstrap uses
    ``bootstrap`` draws per replication. ``unequal_clusters`` and ``effect_sd_by_province``
    are passed to :func:`simulate_cross_section` (the real data's regime: clustering that
    province effects do not remove).
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
        _run(
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
