"""Fitting a linkage spec and reporting it honestly: estimate, interval, n, years, sources, caveat.

:func:`fit` builds the sample of a :class:`LinkageSpec`, runs the estimator it asks for and
returns a :class:`LinkageResult` that carries everything a reader needs: the coefficient of the
SPBE measure with its confidence interval (province-clustered CR1 with t(G-1) critical values,
plus a wild cluster bootstrap interval), n, the number of clusters, R-squared, the years and
publications used, the specification in words and a plain-language caveat.

Examples
--------
>>> res = fit("stunting_prevalence_pct", bootstrap=0)
>>> res.n > 400 and res.n_clusters > 25
True
>>> res.ci_low < res.coef < res.ci_high
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from living_lab import fmt
from living_lab.errors import ParameterError
from living_lab.linkage import estimators, intervals
from living_lab.linkage._threads import single_threaded_blas
from living_lab.linkage.data import (
    AnalysisFrame,
    NotEnoughDataError,
    PanelCheck,
    _outcome_meta,
    analysis_frame,
    better_direction,
    panel_check,
    panel_frame,
    sources_of,
)
from living_lab.linkage.specs import (
    Confidence,
    Design,
    LinkageSpec,
    Outcome,
    designs_of,
    main_spec,
    robustness_specs,
)
from living_lab.text import Lang, t

#: Default seed of the wild bootstrap (any fixed value; results are reproducible with it).
DEFAULT_SEED = 20250314
DEFAULT_DRAWS = 9999
#: Fewer observations than this many per parameter and a model is not fitted.
MIN_DF_RESID = 10
_CONTROL_LABELS = ("log_grdp_pc", "log_population", "kota", "baseline_outcome")


@dataclass(frozen=True)
class DesignMatrix:
    """Design matrix of a sample: regressors, outcome, cluster labels, df convention."""

    X: np.ndarray
    y: np.ndarray
    names: tuple[str, ...]
    clusters: np.ndarray
    k_df: int | None
    has_intercept: bool


def design_matrix(af: AnalysisFrame) -> DesignMatrix:
    """Columns: ``const``, ``spbe``, the controls, and one dummy per province but the first
    (cross-section), or the within-transformed regressors (twfe)."""
    spec = af.spec
    df = af.frame
    regressors = ["spbe", *spec.controls]
    if spec.design == "twfe":
        years = df["year"].to_numpy()
        units = df["region_code"].to_numpy()
        M = df[["y", *regressors]].to_numpy(dtype=float)
        W = estimators.demean(M, [units, years])
        # Year effects are absorbed too; demeaning handles them, but they still use degrees of
        # freedom. Region effects are nested in the province clusters and do not count.
        k_df = len(regressors) + (len(np.unique(years)) - 1)
        return DesignMatrix(
            X=W[:, 1:],
            y=W[:, 0],
            names=tuple(regressors),
            clusters=df["province_code"].astype(str).to_numpy(),
            k_df=k_df,
            has_intercept=False,
        )
    cols = [np.ones(len(df)), *(df[r].to_numpy(dtype=float) for r in regressors)]
    names = ["const", *regressors]
    if spec.province_effects:
        provinces = sorted(df["province_code"].astype(str).unique())
        for p in provinces[1:]:
            cols.append((df["province_code"].astype(str) == p).to_numpy(dtype=float))
            names.append(f"province[{p}]")
    return DesignMatrix(
        X=np.column_stack(cols),
        y=df["y"].to_numpy(dtype=float),
        names=tuple(names),
        clusters=df["province_code"].astype(str).to_numpy(),
        k_df=None,
        has_intercept=True,
    )


@dataclass(frozen=True)
class LinkageResult:
    """The SPBE coefficient of one spec with everything needed to read it.

    Attributes
    ----------
    coef, se, ci_low, ci_high, p : coefficient of the SPBE measure (outcome units per SPBE
        point), its standard error, ``level`` confidence interval and two-sided p-value. With
        ``se_type="wild"`` the interval and p-value are the wild bootstrap's.
    n, n_clusters, r2 : regions (region-years in panels), provinces, R-squared (within-R2 for
        twfe).
    se_type : ``cluster`` (CR1, t(G-1)), ``hc1``, ``hc3`` or ``wild``.
    wild : the wild cluster bootstrap result (``None`` when not computed).
    years : years of each figure used (``outcome``, ``spbe``, ``grdp_per_capita``, ...).
    sources : publications behind the figures used.
    sample : the estimation sample (:class:`~living_lab.linkage.data.AnalysisFrame`).
    coefficients : every non-fixed-effect term with its estimate and interval.
    """

    spec: LinkageSpec
    coef: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    r2: float
    n_clusters: int | None
    se_type: str
    df_inference: int
    level: float
    wild: estimators.WildBootstrap | None
    years: dict[str, tuple[int, ...]]
    sources: tuple[str, ...]
    sample: AnalysisFrame
    coefficients: pd.DataFrame
    ols_fit: estimators.OLSFit = field(repr=False)
    design: DesignMatrix = field(repr=False)
    #: Memo of derived tables (leave-one-out table, peer pool); not part of the result's value.
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ----- text -------------------------------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        return self.sample.origin == "synthetic"

    def spbe_text(self, lang: Lang = "id") -> str:
        """The SPBE measure in words: ``Indeks SPBE 2023`` or ``perubahan Domain 4 ...``."""
        s = self.spec
        measure = t(f"linkage.measure.{s.spbe_measure}", lang)
        if s.design == "twfe":
            return t("linkage.spbe.lagged", lang, measure=measure, lag=s.lag)
        if s.spbe_form == "change":
            return t(
                "linkage.spbe.change",
                lang,
                measure=measure,
                base=s.spbe_base_year,
                year=s.spbe_year,
            )
        return t("linkage.spbe.level", lang, measure=measure, year=s.spbe_year)

    def outcome_text(self, lang: Lang = "id") -> str:
        s = self.spec
        outcome = t(f"linkage.outcome.{s.outcome}", lang)
        if s.design == "change":
            return t(
                "linkage.outcome_change",
                lang,
                outcome=outcome,
                base=s.base_year,
                year=s.outcome_year,
            )
        if s.design == "twfe":
            years = fmt.join([str(y) for y in self.years.get("outcome", ())], lang)
            return t("linkage.outcome_panel", lang, outcome=outcome, years=years)
        return t("linkage.outcome_level", lang, outcome=outcome, year=s.outcome_year)

    def controls_text(self, lang: Lang = "id") -> str:
        s = self.spec
        items = []
        for c in s.controls:
            year = {
                "log_grdp_pc": s.grdp_year,
                "log_population": s.population_year,
                "baseline_outcome": s.base_year,
            }.get(c)
            if s.design == "twfe":
                items.append(t(f"linkage.control.{c}.panel", lang, lag=s.lag))
            else:
                items.append(t(f"linkage.control.{c}", lang, year=year))
        return fmt.join(items, lang) if items else t("linkage.control.none", lang)

    def se_text(self, lang: Lang = "id") -> str:
        key = f"linkage.se.{self.se_type}"
        wild = self.wild
        return t(
            key,
            lang,
            G=self.n_clusters or 0,
            df=self.df_inference,
            draws=wild.draws if wild else 0,
            weights=wild.weights if wild else "",
        )

    def spec_text(self, lang: Lang = "id") -> str:
        """The specification in words (outcome, SPBE measure, controls, effects, errors, sample)."""
        s = self.spec
        parts = [
            t(
                f"linkage.spec.{s.design}",
                lang,
                outcome=self.outcome_text(lang),
                spbe=self.spbe_text(lang),
                controls=self.controls_text(lang),
            )
        ]
        if s.design == "twfe":
            parts.append(t("linkage.spec.twfe_effects", lang))
        elif s.province_effects:
            parts.append(t("linkage.spec.province_effects", lang))
        else:
            parts.append(t("linkage.spec.no_province_effects", lang))
        parts.append(self.se_text(lang))
        parts.append(self.sample_text(lang))
        text = " ".join(p.rstrip() for p in parts)
        if self.synthetic:
            text = f"[{t('synthetic_label', lang)}] {text}"
        return text

    def sample_text(self, lang: Lang = "id") -> str:
        s = self.spec
        unit = "linkage.sample.panel" if s.design == "twfe" else "linkage.sample.cross_section"
        filters = [t(f"linkage.filter.{f}", lang) for f in s.sample_filters]
        if self.sample.origin != "bundled":
            conf = t(f"linkage.confidence.{self.sample.origin}", lang)
        elif s.min_confidence == "low":
            conf = t("linkage.confidence.low", lang)
        elif s.admit_low:
            conf = t(
                "linkage.confidence.admitted",
                lang,
                level=t(f"linkage.confidence_level.{s.min_confidence}", lang),
                variables=fmt.join([t(f"linkage.lowvar.{v}", lang) for v in s.admit_low], lang),
            )
        else:
            conf = t(
                "linkage.confidence.threshold",
                lang,
                level=t(f"linkage.confidence_level.{s.min_confidence}", lang),
            )
        regions = int(self.sample.frame["region_code"].nunique())
        return t(
            unit,
            lang,
            n=self.n,
            regions=regions,
            G=self.n_clusters or int(self.sample.frame["province_code"].nunique()),
            filters=(" " + fmt.join(filters, lang)) if filters else "",
            confidence=conf,
        )

    def notes(self, lang: Lang = "id") -> list[str]:
        """Data notes: what was left out and why, low-confidence figures, timing."""
        s = self.spec
        out = []
        if self.synthetic:
            out.append(t("linkage.note.synthetic", lang))
        dropped = self.dropped_text(lang)
        if dropped:
            out.append(dropped)
        if "log_population" not in s.controls and self.sample.origin == "bundled":
            out.append(t("linkage.note.population_left_out", lang))
        if "log_population" in s.controls and self.sample.origin == "bundled":
            out.append(t("linkage.note.population_low", lang))
        if s.min_confidence == "low" and self.sample.origin == "bundled":
            out.append(t("linkage.note.low_included", lang))
        if "log_grdp_pc" in s.controls and s.grdp_year >= 2023 and s.design != "twfe":
            out.append(t("linkage.note.grdp_preliminary", lang, year=s.grdp_year))
        out.append(t(f"linkage.timing.{s.outcome}.{s.design}", lang))
        return out

    def dropped_text(self, lang: Lang = "id") -> str:
        af = self.sample
        if not af.dropped:
            return ""
        s = self.spec
        parts = []
        for reason, count in af.dropped.items():
            if reason.startswith("filter:"):
                label = t(f"linkage.filter.{reason.split(':', 1)[1]}", lang)
            elif reason == "single_period":
                label = t("linkage.dropped.single_period", lang)
            elif reason == "y":
                label = t("linkage.dropped.missing", lang, what=self.outcome_text(lang))
            elif reason == "spbe":
                label = t("linkage.dropped.missing", lang, what=self.spbe_text(lang))
            else:
                year = {
                    "log_grdp_pc": s.grdp_year,
                    "log_population": s.population_year,
                    "baseline_outcome": s.base_year,
                }.get(reason)
                what = t(f"linkage.variable.{reason}", lang, year=year)
                label = t("linkage.dropped.missing", lang, what=what)
            n_low = sum(1 for r in af.low_confidence.values() if r == reason)
            if n_low:
                label += " " + t("linkage.dropped.low_part", lang, n=n_low)
            parts.append(f"{count} {label}")
        unit = "linkage.dropped.lead_panel" if s.design == "twfe" else "linkage.dropped.lead"
        return t(unit, lang, total=af.n_candidates, n=af.n, parts=fmt.join(parts, lang))

    def effect_unit(self, lang: Lang = "id") -> str:
        """Unit of the coefficient, e.g. ``poin persen per 1 poin Indeks SPBE``."""
        change = "change" if self.spec.spbe_form == "change" else "level"
        return t(
            f"linkage.unit.{change}",
            lang,
            outcome_unit=t(f"linkage.outcome_unit.{self.spec.outcome}", lang),
            measure=t(f"linkage.measure.{self.spec.spbe_measure}", lang),
        )

    def summary(self, lang: Lang = "id") -> str:
        """One sentence with the estimate, its interval, p, n, clusters and R-squared."""
        text = t(
            "linkage.summary",
            lang,
            spbe=self.spbe_text(lang),
            outcome=self.outcome_text(lang),
            coef=fmt.num(self.coef, lang, 2, signed=True),
            unit=t(f"linkage.outcome_unit.{self.spec.outcome}", lang),
            level=int(round(self.level * 100)),
            ci=fmt.interval(self.ci_low, self.ci_high, lang),
            p=fmt.pval(self.p, lang),
            n=self.n,
            G=self.n_clusters or "–",
            r2=fmt.num(self.r2, lang, 2),
        )
        if self.wild is not None and self.se_type != "wild":
            text += " " + t(
                "linkage.summary_wild",
                lang,
                ci=fmt.interval(self.wild.ci_low, self.wild.ci_high, lang),
                p=fmt.pval(self.wild.p, lang),
            )
            mc = max(self.wild.mc_se_low, self.wild.mc_se_high)
            if np.isfinite(mc):
                text += " " + t(
                    "linkage.summary_wild_mc",
                    lang,
                    draws=fmt.num(self.wild.draws, lang, 0),
                    mc=fmt.num(mc, lang, 3),
                )
        if self.synthetic:
            text = f"[{t('synthetic_label', lang)}] {text}"
        return text

    def direction(self) -> Literal["better", "worse", "unclear"]:
        """Whether higher SPBE goes with a better outcome, a worse one, or the interval spans 0."""
        lo, hi = (self.wild.ci_low, self.wild.ci_high) if self.wild else (self.ci_low, self.ci_high)
        lo, hi = min(lo, self.ci_low), max(hi, self.ci_high)
        if lo <= 0 <= hi:
            return "unclear"
        lower_better = better_direction(self.spec.outcome) == "lower"
        return "better" if (hi < 0) == lower_better else "worse"

    def caveat(self, lang: Lang = "id") -> str:
        """Plain-language caveat: association, not causation, and why."""
        parts = [t("linkage.caveat.association", lang)]
        parts.append(t(f"linkage.caveat.{self.spec.design}", lang))
        parts.append(t(f"linkage.caveat.direction.{self.direction()}", lang))
        if self.synthetic:
            parts.insert(0, t("linkage.note.synthetic", lang))
        return " ".join(parts)

    def to_row(self, lang: Lang = "id") -> dict[str, Any]:
        """One row of a results table (numbers, not text)."""
        w = self.wild
        return {
            "coef": self.coef,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p": self.p,
            "wild_ci_low": w.ci_low if w else np.nan,
            "wild_ci_high": w.ci_high if w else np.nan,
            "wild_p": w.p if w else np.nan,
            "n": self.n,
            "n_clusters": self.n_clusters,
            "r2": self.r2,
            "se_type": self.se_type,
            "spbe": self.spbe_text(lang),
            "years": self.years_text(lang),
        }

    def years_text(self, lang: Lang = "id") -> str:
        parts = []
        for role, years in self.years.items():
            label = t(f"linkage.role.{role}", lang)
            parts.append(
                f"{label} {'–'.join(str(y) for y in years) if len(years) <= 2 else ', '.join(map(str, years))}"
            )
        return "; ".join(parts)

    # ----- prediction --------------------------------------------------------------------------
    def loo(self) -> pd.DataFrame:
        """Leave-one-out expected values and 95% prediction intervals for every sample region.

        The expected value of region i comes from the model fitted without region i, so a region
        never pulls its own benchmark towards itself: ``expected = y - e_i / (1 - h_i)``. The
        interval ``lo, hi`` follows the spread of the residuals at the region's expected level
        and is cross-validated (:func:`living_lab.linkage.intervals.scaled_interval`; for outcome
        levels the lower end is cut at 0 %, the smallest possible rate, and ``clipped`` says
        where). ``lo_classical, hi_classical`` is the classical interval of one width for all
        (externally studentised residual, t(n - k - 1)), kept for comparison. ``tail_share``
        is the share of regions at least as far from expectation on the same side (small =
        extreme). A region whose leverage is 1 (e.g. the only sample region of its province
        with province effects) has no leave-one-out prediction (NaN).
        """
        if "loo" not in self.cache:
            self.cache["loo"] = _loo_table(self)
        return self.cache["loo"].copy()


def _loo_table(res: LinkageResult, level: float = 0.95) -> pd.DataFrame:
    if res.spec.design == "twfe":
        raise ParameterError("the leave-one-out region view needs a cross-section or change model")
    f = res.ols_fit
    e, h = f.resid, f.leverage
    n, k = res.design.X.shape
    df = n - k - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        one_minus_h = np.where(h < 1 - 1e-8, 1 - h, np.nan)
        s2_i = (f.ssr - e**2 / one_minus_h) / df
        loo_resid = e / one_minus_h
        half = stats.t.ppf(0.5 + level / 2, df) * np.sqrt(s2_i / one_minus_h)
    frame = res.sample.frame
    expected = frame["y"].to_numpy() - loo_resid
    # Prevalences and rates cannot fall below 0 %; a symmetric interval can.
    floor = 0.0 if res.spec.design == "cross_section" else None
    lo_classical = expected - half
    if floor is not None:
        lo_classical = np.where(np.isnan(lo_classical), lo_classical, np.maximum(lo_classical, 0))
    lo_raw, hi, scale = intervals.scaled_interval(expected, loo_resid, level=level)
    lo = lo_raw if floor is None else np.where(np.isnan(lo_raw), lo_raw, np.maximum(lo_raw, floor))
    out = pd.DataFrame(
        {
            "region_code": frame["region_code"].to_numpy(),
            "name": frame["name"].to_numpy(),
            "actual": frame["y"].to_numpy(),
            "expected": expected,
            "lo": lo,
            "hi": hi,
            "residual": loo_resid,
            "leverage": h,
            "scale": scale,
            "clipped": lo_raw < lo,
            "lo_classical": lo_classical,
            "hi_classical": expected + half,
        }
    )
    ascending = better_direction(res.spec.outcome) == "lower"
    out["residual_rank"] = out["residual"].rank(ascending=ascending, method="min").astype("Int64")
    r = out["residual"]
    n_ok = int(r.notna().sum())
    above = r.rank(ascending=False, method="max")  # regions at least as far above
    below = r.rank(ascending=True, method="max")
    out["tail_share"] = np.where(r >= r.median(), above, below) / n_ok
    out.attrs["level"] = level
    return out


def _years(af: AnalysisFrame) -> dict[str, tuple[int, ...]]:
    spec = af.spec
    years: dict[str, tuple[int, ...]] = {}
    if spec.design == "twfe":
        outcome_years = tuple(sorted(int(y) for y in af.frame["year"].unique()))
        years["outcome"] = outcome_years
        years["spbe"] = tuple(y - spec.lag for y in outcome_years)
        if "log_grdp_pc" in spec.controls:
            years["grdp_per_capita"] = years["spbe"]
        return years
    years["outcome"] = (
        (spec.base_year, spec.outcome_year) if spec.design == "change" else (spec.outcome_year,)
    )  # type: ignore[assignment]
    years["spbe"] = (
        (spec.spbe_base_year, spec.spbe_year) if spec.spbe_form == "change" else (spec.spbe_year,)
    )  # type: ignore[assignment]
    if "log_grdp_pc" in spec.controls:
        years["grdp_per_capita"] = (spec.grdp_year,)
    if "log_population" in spec.controls:
        years["population"] = (spec.population_year,)
    return years


def _as_spec(spec: LinkageSpec | str | None) -> LinkageSpec:
    if spec is None:
        return main_spec()
    if isinstance(spec, str):
        return main_spec(spec)  # type: ignore[arg-type]
    if not isinstance(spec, LinkageSpec):
        raise ParameterError(
            f"spec: expected a LinkageSpec or an outcome name, got {type(spec).__name__}"
        )
    return spec


def fit(
    spec: LinkageSpec | str | None = None,
    data: pd.DataFrame | None = None,
    *,
    level: float = 0.95,
    bootstrap: int = DEFAULT_DRAWS,
    weights: estimators.WeightType = "auto",
    seed: int = DEFAULT_SEED,
    regions: Collection[str] | None = None,
) -> LinkageResult:
    """Estimate one spec.

    Parameters
    ----------
    spec : a :class:`LinkageSpec`, an outcome name (its main cross-section model), or ``None``
        (the main stunting model).
    data : a cross-section (or, for ``twfe``, a panel) shaped like the bundled loaders' output;
        default the bundled data.
    level : confidence level of the intervals.
    bootstrap : wild cluster bootstrap draws (0 = none). The bootstrap interval is reported next
        to the CR1 one for clustered specs, and replaces it for ``se_type="wild"``.
    weights, seed : bootstrap weight distribution (``auto``: Webb below 12 clusters, else
        Rademacher) and random seed (results are reproducible).
    regions : keep only these region codes of the spec's sample (to hold a sample fixed across
        specifications, or to leave a province out); the others are counted in
        ``sample.dropped["other_sample"]``.

    Raises
    ------
    NotEnoughDataError
        When fewer than ``MIN_DF_RESID`` residual degrees of freedom remain, or a ``twfe`` spec
        has too few regions with two periods (see :func:`panel_check`).

    Examples
    --------
    >>> res = fit("poverty_rate_pct", bootstrap=0)
    >>> res.years["outcome"], res.years["spbe"]
    ((2025,), (2024,))
    """
    with single_threaded_blas():
        return _fit(
            _as_spec(spec),
            data,
            level=level,
            bootstrap=bootstrap,
            weights=weights,
            seed=seed,
            regions=regions,
        )


def _fit(
    spec: LinkageSpec,
    data: pd.DataFrame | None,
    *,
    level: float,
    bootstrap: int,
    weights: estimators.WeightType,
    seed: int,
    regions: Collection[str] | None = None,
) -> LinkageResult:
    if not 0 < level < 1:
        raise ParameterError(f"level: {level!r}; expected a probability such as 0.95")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or bootstrap < 0:
        raise ParameterError(
            f"bootstrap: {bootstrap!r}; expected a whole number of draws (0 for none)"
        )
    if spec.se_type == "wild" and bootstrap < 99:
        raise ParameterError("bootstrap: se_type 'wild' needs at least 99 draws (9999 recommended)")
    if spec.design == "twfe":
        af = panel_frame(spec, data)
        check = panel_check(spec, frame=af)
        if not check.available:
            raise NotEnoughDataError(check.message("en"))
    else:
        af = analysis_frame(spec, data)
    if regions is not None:
        af = _restrict(af, regions)
    des = design_matrix(af)
    n, k = des.X.shape
    if n - (des.k_df or k) < MIN_DF_RESID:
        raise NotEnoughDataError(
            f"{spec.outcome} ({spec.key}): {n} observations for {des.k_df or k} parameters; "
            f"at least {MIN_DF_RESID} more observations than parameters are needed"
        )
    cov = "cluster" if spec.se_type in ("cluster", "wild") else spec.se_type
    f = estimators.ols(
        des.X,
        des.y,
        des.names,
        cov_type=cov,  # type: ignore[arg-type]
        clusters=des.clusters,
        k_df=des.k_df,
        has_intercept=des.has_intercept,
    )
    j = f.index("spbe")
    coef = float(f.beta[j])
    se = f.se("spbe")
    ci_low, ci_high = f.ci("spbe", level)
    p = f.pvalue("spbe")
    wild = None
    if bootstrap and cov == "cluster":
        wild = estimators.wild_cluster_bootstrap(
            des.X, des.y, des.clusters, j, draws=bootstrap, weights=weights, seed=seed,
            level=level, k_df=des.k_df,
        )  # fmt: skip
        if spec.se_type == "wild":
            ci_low, ci_high, p = wild.ci_low, wild.ci_high, wild.p
    terms = [nm for nm in f.names if not nm.startswith("province[")]
    rows = []
    for nm in terms:
        lo, hi = f.ci(nm, level)
        rows.append(
            {
                "term": nm,
                "coef": float(f.beta[f.index(nm)]),
                "se": f.se(nm),
                "ci_low": lo,
                "ci_high": hi,
                "p": f.pvalue(nm),
            }
        )
    return LinkageResult(
        spec=spec,
        coef=coef,
        se=se,
        ci_low=ci_low,
        ci_high=ci_high,
        p=p,
        n=n,
        r2=f.r2,
        n_clusters=f.n_clusters if cov == "cluster" else int(np.unique(des.clusters).size),
        se_type=spec.se_type,
        df_inference=f.df_inference,
        level=level,
        wild=wild,
        years=_years(af),
        sources=sources_of(af),
        sample=af,
        coefficients=pd.DataFrame(rows),
        ols_fit=f,
        design=des,
    )


def fit_arrays(
    X: np.ndarray,
    y: np.ndarray,
    column: int,
    clusters: np.ndarray,
    *,
    se_type: str,
    k_df: int | None = None,
    level: float = 0.95,
    bootstrap: int = 0,
    seed: int = 0,
) -> tuple[float, float, float, float, float]:
    """Coefficient, standard error, ``level`` interval and p-value of column ``column``, as
    :func:`fit` computes them for ``se_type`` (CR1 with t(G-1), HC1 or HC3 with t(n - k), or
    the wild cluster bootstrap's interval and p-value), from a design matrix.

    The shortcut for repeated fits (leave-one-province-out, the method check): no sample
    building, no statsmodels; numbers equal :func:`fit`'s to rounding (tested). Raises
    :class:`NotEnoughDataError` and :class:`ParameterError` where :func:`fit` does.
    """
    if se_type == "wild" and bootstrap < 99:
        raise ParameterError("bootstrap: se_type 'wild' needs at least 99 draws (9999 recommended)")
    n, k = X.shape
    kk = k if k_df is None else k_df
    if n - kk < MIN_DF_RESID:
        raise NotEnoughDataError(f"{n} observations for {kk} parameters")
    xtx_inv = estimators._xtx_inverse(X)
    a = X @ xtx_inv[:, column]  # beta_j = a'y
    beta = xtx_inv @ (X.T @ y)
    e = y - X @ beta
    if se_type in ("cluster", "wild"):
        codes, G = estimators._cluster_codes(clusters)
        c = (G / (G - 1)) * ((n - 1) / (n - kk))
        var = c * float((np.bincount(codes, weights=a * e, minlength=G) ** 2).sum())
        df = G - 1
    elif se_type == "hc1":
        var = n / (n - k) * float((a * a * e * e).sum()) * (n - k) / (n - kk)
        df = n - kk
    elif se_type == "hc3":
        h = np.einsum("ij,ij->i", X @ xtx_inv, X)
        var = float((a * a * e * e / (1 - h) ** 2).sum())
        df = n - kk
    else:
        raise ParameterError(f"se_type: {se_type!r}; expected cluster, hc1, hc3 or wild")
    coef, se = float(beta[column]), float(np.sqrt(var))
    half = _t_quantile(level, df) * se
    lo, hi = coef - half, coef + half
    p = float(2 * stats.t.sf(abs(coef / se), df))
    if se_type == "wild":
        wb = estimators.wild_cluster_bootstrap(
            X, y, clusters, column, draws=bootstrap, seed=seed, level=level, k_df=k_df
        )
        lo, hi, p = wb.ci_low, wb.ci_high, wb.p
    return coef, se, lo, hi, p


@cache
def _t_quantile(level: float, df: int) -> float:
    return float(stats.t.ppf(0.5 + level / 2, df))


def _restrict(af: AnalysisFrame, regions: Collection[str]) -> AnalysisFrame:
    """The sample reduced to ``regions`` (the others recorded as ``other_sample``)."""
    keep = af.frame["region_code"].astype(str).isin({str(r) for r in regions})
    left_out = af.frame.loc[~keep, "region_code"].astype(str)
    return dataclasses.replace(
        af,
        frame=af.frame[keep.to_numpy()].reset_index(drop=True),
        dropped={**af.dropped, "other_sample": int((~keep).sum())},
        excluded={**af.excluded, **dict.fromkeys(left_out, "other_sample")},
    )


@lru_cache(maxsize=32)
def fit_cached(spec: LinkageSpec, bootstrap: int = 0, seed: int = DEFAULT_SEED) -> LinkageResult:
    """:func:`fit` on the bundled data, memoised per spec (region reports call it repeatedly)."""
    return fit(spec, bootstrap=bootstrap, seed=seed)


# ----- design choice ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DesignChoice:
    """Which design an outcome's main model uses, and why."""

    outcome: str
    design: str
    panel: PanelCheck | None

    def message(self, lang: Lang = "id") -> str:
        if self.panel is None:
            return t(
                "linkage.panel.not_defined",
                lang,
                outcome=t(f"linkage.outcome.{self.outcome}", lang),
            )
        return self.panel.message(lang)


def choose_design(
    outcome: Outcome,
    *,
    panel_data: pd.DataFrame | None = None,
    min_confidence: Confidence | None = None,
) -> DesignChoice:
    """``twfe`` when enough regions have two or more periods of the outcome and lagged SPBE
    (see ``panel_rule`` in ``params/linkage/specs.yaml``), else ``cross_section``.

    Adding later years (to the bundled data or as ``panel_data``) switches the main model to
    the panel design without code changes.
    """
    if "twfe" not in designs_of(outcome):
        return DesignChoice(outcome, "cross_section", None)
    check = panel_check(main_spec(outcome, "twfe", min_confidence=min_confidence), panel_data)
    return DesignChoice(outcome, "twfe" if check.available else "cross_section", check)


def default_specs(
    *, min_confidence: Confidence | None = None, panel_data: pd.DataFrame | None = None
) -> list[LinkageSpec]:
    """The main models of the study: per outcome the panel model when the data allow it, the
    cross-section model, and (poverty) the change-on-level model 2021 -> 2025.

    Examples
    --------
    >>> [(s.outcome, s.design) for s in default_specs()]  # doctest: +NORMALIZE_WHITESPACE
    [('stunting_prevalence_pct', 'cross_section'), ('poverty_rate_pct', 'change'),
     ('poverty_rate_pct', 'cross_section')]
    """
    specs = []
    for outcome in ("stunting_prevalence_pct", "poverty_rate_pct"):
        choice = choose_design(outcome, panel_data=panel_data, min_confidence=min_confidence)  # type: ignore[arg-type]
        if choice.design == "twfe":
            specs.append(main_spec(outcome, "twfe", min_confidence=min_confidence))  # type: ignore[arg-type]
        if "change" in designs_of(outcome):  # type: ignore[arg-type]
            specs.append(main_spec(outcome, "change", min_confidence=min_confidence))  # type: ignore[arg-type]
        specs.append(main_spec(outcome, "cross_section", min_confidence=min_confidence))  # type: ignore[arg-type]
    return specs


def _resolve_design(outcome: Outcome, design: Design | Literal["auto"] | None, **kw: Any) -> str:
    if design in (None, "auto"):
        return choose_design(outcome, **kw).design
    return design  # type: ignore[return-value]


# ----- tables ----------------------------------------------------------------------------------
def robustness_label(spec: LinkageSpec, lang: Lang = "id") -> str:
    """The words of one robustness row (a variant of the main specification) in ``lang``."""
    return t(f"linkage.row.{spec.key}", lang, **spec.to_dict())


def robustness_table(
    outcome: Outcome = "stunting_prevalence_pct",
    design: Design | Literal["auto"] = "auto",
    *,
    lang: Lang = "id",
    min_confidence: Confidence | None = None,
    data: pd.DataFrame | None = None,
    bootstrap: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> pd.DataFrame:
    """The main estimate across specifications, one row per spec of ``params/linkage/specs.yaml``,
    with the sample held fixed.

    A specification can change the sample as well as the model (dropping a control brings in
    regions that lack it). Each row is therefore estimated on the main model's regions
    (``sample="main"``), so a row differs from the main model by the one choice it names; when
    the specification's own sample differs, it is shown as well, in a separate row
    (``sample="changed"``, key ``<key>:own_sample``, after all main-sample rows) with how many
    regions it adds and removes. A row whose choice *is* the sample (its confidence level or
    sample filters differ from the main model's) has only its changed-sample row; so has a row
    whose own sample lacks some of the main regions.

    Columns: ``key``, ``label`` (in ``lang``), ``sample``, ``n_added``, ``n_removed`` (regions
    relative to the main sample), ``coef``, ``se``, ``ci_low``, ``ci_high``, ``p`` (CR1,
    t(G-1)), ``wild_ci_low``, ``wild_ci_high``, ``wild_p`` (wild cluster bootstrap), ``n``,
    ``n_clusters``, ``r2``, ``spbe``, ``years``, ``note`` (why a row could not be estimated).
    ``table.attrs`` carries the outcome, design, unit and language for :func:`plot_coefficients`.
    """
    design = _resolve_design(outcome, design, min_confidence=min_confidence)  # type: ignore[arg-type]
    specs = robustness_specs(outcome, design, min_confidence=min_confidence)  # type: ignore[arg-type]
    main_codes: set[str] | None = None
    fixed, changed = [], []
    for spec in specs:
        label = robustness_label(spec, lang)
        try:
            res = fit(spec, data, bootstrap=bootstrap, seed=seed, level=level)
        except (NotEnoughDataError, ParameterError) as exc:
            fixed.append({"key": spec.key, "label": label, "sample": "main", "note": str(exc)})
            continue
        codes = set(res.sample.frame["region_code"].astype(str))
        if main_codes is None:
            main_codes = codes
        added, removed = len(codes - main_codes), len(main_codes - codes)
        own = {"n_added": added, "n_removed": removed, "note": ""}
        if not added and not removed:
            fixed.append(
                {"key": spec.key, "label": label, "sample": "main", **res.to_row(lang), **own}
            )
            continue
        # A row whose choice is the sample itself (confidence level, filters) has no
        # held-fixed version: on the main regions it would not be that choice.
        sample_choice = (spec.min_confidence, spec.sample_filters) != (
            specs[0].min_confidence,
            specs[0].sample_filters,
        )
        if not removed and not sample_choice:
            held = fit(spec, data, bootstrap=bootstrap, seed=seed, level=level, regions=main_codes)
            fixed.append(
                {"key": spec.key, "label": label, "sample": "main", **held.to_row(lang),
                 "n_added": 0, "n_removed": 0, "note": ""}
            )  # fmt: skip
        changed.append(
            {
                "key": f"{spec.key}:own_sample",
                "label": label,
                "sample": "changed",
                **res.to_row(lang),
                **own,
            }
        )
    table = pd.DataFrame(fixed + changed)
    main = robustness_specs(outcome, design, min_confidence=min_confidence)[0]  # type: ignore[arg-type]
    table.attrs.update(
        outcome=outcome,
        design=design,
        lang=lang,
        level=level,
        unit=t(f"linkage.outcome_unit.{outcome}", lang),
        measure=t(f"linkage.measure.{main.spbe_measure}", lang),
        synthetic=bool(data is not None and data.attrs.get("synthetic")),
    )
    return table


def inference_table(
    spec: LinkageSpec | str | None = None,
    *,
    lang: Lang = "id",
    data: pd.DataFrame | None = None,
    bootstrap: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> pd.DataFrame:
    """The same coefficient under each way of computing its uncertainty.

    Rows: HC1, HC3 (ignoring clusters), CR1 by province with t(G-1), wild cluster bootstrap
    with Rademacher and with Webb weights. Columns: ``method``, ``se``, ``ci_low``, ``ci_high``,
    ``p``.
    """
    spec = _as_spec(spec)
    rows = []
    for se_type in ("hc1", "hc3", "cluster"):
        res = fit(spec.replace(se_type=se_type), data, bootstrap=0, level=level)
        rows.append(
            {
                "method": t(f"linkage.method.{se_type}", lang),
                "coef": res.coef,
                "se": res.se,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "p": res.p,
            }
        )
    base = fit(spec.replace(se_type="cluster"), data, bootstrap=0, level=level)
    for w in ("rademacher", "webb"):
        with single_threaded_blas():
            wb = estimators.wild_cluster_bootstrap(
            base.design.X, base.design.y, base.design.clusters, base.ols_fit.index("spbe"),
            draws=bootstrap, weights=w, seed=seed, level=level, k_df=base.design.k_df,
        )  # fmt: skip
        rows.append(
            {
                "method": t(f"linkage.method.wild_{w}", lang, draws=bootstrap),
                "coef": base.coef,
                "se": np.nan,
                "ci_low": wb.ci_low,
                "ci_high": wb.ci_high,
                "p": wb.p,
            }
        )
    return pd.DataFrame(rows)


def main_results(
    *,
    min_confidence: Confidence | None = None,
    bootstrap: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    panel_data: pd.DataFrame | None = None,
) -> list[LinkageResult]:
    """Fit every spec of :func:`default_specs` on the bundled data."""
    return [
        fit(s, bootstrap=bootstrap, seed=seed)
        for s in default_specs(min_confidence=min_confidence, panel_data=panel_data)
    ]


def source_text(source: str, lang: Lang) -> str:
    """A source note (``"KEY: text"``) in the page's language: the Indonesian text of the
    outcome source from ``data/outcomes.meta.yml`` (its ``id:`` block) where one exists."""
    key, sep, _ = source.partition(":")
    if lang == "id" and sep:
        own = (_outcome_meta().get("id") or {}).get("sources") or {}
        if key in own:
            return f"{key}: {' '.join(str(own[key]).split())}"
    return source
