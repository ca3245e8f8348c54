"""Partial-pooling growth model: each region's slope is shrunk toward its group's mean slope.

The model
---------
For region ``i`` in group ``g`` and evaluation year ``t`` (current framework only, unless the
caller chose otherwise for older-framework rows)::

    y_it = clip( h(a_i + b_i * (t - tbar_i)) + e_it + d_t , 1, 5 )
    b_i  ~ N(mu_g, tau^2)          slopes of a group scatter around the group's mean slope
    e_it ~ N(0, sigma^2)           a published score's deviation from the region's own trend
    d_t  ~ N(0, sigma_d^2)         a year shock common to every region (see below)

``h`` maps the model scale to the index: the identity (``scale="index"``), ``1 + 4 * expit``
(``scale="logit"``, bounded at 1 and 5) or ``5 * expit`` (``scale="logit-upper"``, the default:
bounded at 5, nearly straight near 1; a trend below 1 is censored to 1.00, the lowest published
score). Noise ``e`` is on the index scale (a score is off by so many index points) and enters a
logit-scale fit through the delta method: a row's weight is ``1 / (sigma * dz/dy)^2``, taken at
the fitted value (iteratively reweighted). For the uncertainty of a level, and for the common
shock, the derivative is taken no closer than 0.25 to an asymptote: next to a bound the delta
method's Gaussian would spread a level known to lie near 1.00 over the whole scale.

Why ``logit-upper`` by default. Between 2023 and 2024 regions whose mean score was above 4
gained less (0.19 on average, n = 23) than regions between 2 and 4 (0.27-0.43): growth levels
off toward 5, as a logit builds in, while a straight line on the index would run past 5 within
a few years for the best regions. Near 1, however, regions moved as much as mid-range ones
(Kab. Mahakam Ulu 1.11 to 2.25, Kota Ternate 1.20 to 1.89), which a logit anchored at 1 cannot
produce: it all but freezes a score near 1.00. Scoring each scale by the log-likelihood of the
479 published 2024 scores given 2023 under this model (noise 0.14, slope mean and spread
fitted) gives -115 for ``logit-upper``, -134 for ``index`` and -147 for ``logit``. In the
range where the 3.5 target is decided (2-4) the three agree closely: the expected share of
kab/kota at or above 3.5 in 2025 is 43-45% on all three.

Estimation (empirical Bayes)
----------------------------
1. Each region's own weighted least-squares line gives ``b_hat_i`` with sampling variance
   ``s_i^2 = sigma^2 / Sxx_i`` and a level ``a_hat_i`` (at its mean year) independent of it.
2. ``sigma^2``: see *identification* below.
3. ``tau^2`` by restricted maximum likelihood (REML, default) or the DerSimonian-Laird method
   of moments in the random-effects meta-regression ``b_hat_i ~ N(mu_g, tau^2 + s_i^2)``; the
   group means ``mu_g`` by generalised least squares. Groups with fewer than
   ``min_group_size`` regions that have a slope are merged into one group ``"other"``.
4. Posterior of each slope: ``b_i | data ~ N(B_i mu_g + (1 - B_i) b_hat_i, (1 - B_i) s_i^2
   + B_i^2 Var(mu_g))`` with shrinkage ``B_i = s_i^2 / (s_i^2 + tau^2)``. A region with one
   point gets ``B_i = 1``: the group's mean slope with variance ``tau^2 + Var(mu_g)``. Levels
   are not pooled (a region's own scores pin its level down far better than its peers could).
   Scores published at exactly 1.00 are fitted as observed values, not as censored ones; they
   are rare (4 of 978 bundled scores).

Identification of the noise
---------------------------
With two points per region (2023 and 2024, almost every kab/kota) the change between them has
variance ``tau^2 + 2 sigma^2``: those regions alone cannot tell persistent differences in growth
(``tau``) from year-to-year noise (``sigma``). ``sigma`` is therefore identified from regions
with three or more points (their residuals around their own line, ``sum(rss) / sum(df)``), and
where those are few, from a stated prior (``noise_sd="auto"``, default): the scaled-inverse-
chi-square combination ``sigma^2 = (nu0 * s0^2 + RSS) / (nu0 + df)`` with ``s0 = noise_prior_sd``
(0.15 index points) worth ``nu0 = noise_prior_df`` (8) residual degrees of freedom. With the
bundled data (only Sumedang has more than two points under PermenPANRB 59/2020: 2 residual df)
the prior dominates and the fit says so (``noise_source``); once a 2025 round is added for
most regions the data dominate. ``noise_sd=<float>`` states sigma outright; ``"estimate"`` uses
the data only and refuses to run with fewer than 10 residual df. The prior value 0.15 is an
assumption, not a measurement: it attributes about 45% of the cross-region variance of the
2023-2024 change (SD 0.32) to noise, lies below the ceiling that variance allows (0.23, where
``tau = 0``) and near the national series' scatter around its own 2021-2024 line (0.11).
Report its influence (:func:`noise_sensitivity`).

Common year shocks
------------------
Every region's slope is estimated from the same few evaluation years, so a year in which all
scores moved together (a stricter or looser evaluation round, a change in the questionnaire)
moves every slope alike, and the next year brings its own shock. Cross-regional spread cannot
reveal this. ``common_sd="national"`` (default) takes ``sigma_d`` from the national index's
scatter around a straight line over the years of the forecast framework
(:func:`living_lab.datasets.load_spbe_national`; 2021-2024: 4 points, 2 df, so a rough value);
a number states it; ``0`` leaves it out. Its contribution to a forecast is
``sigma_d^2 * (1 + 1/n_i + (T - tbar_i)^2 / Sxx_i)``, the prediction variance of a line
through the region's years. It is shared by all regions, which matters for cohort shares
(:func:`living_lab.trends.share_reaching`).

Prediction
----------
The index published in year ``T`` is predicted from ``L = a_i + b_i (T - tbar_i)`` with
``Var(L) = sigma^2 / W_i + (T - tbar_i)^2 Var(b_i | data)`` (parameter uncertainty: level,
region slope, group mean) plus, on the index scale, ``sigma^2`` (noise) and the common shock;
see :mod:`living_lab.trends.predictive`. Not propagated: the uncertainty of ``tau`` and
``sigma`` themselves (plug-in empirical Bayes).

Examples
--------
>>> from living_lab.datasets import load_spbe
>>> fit = fit_pooled(load_spbe(), group="kind")
>>> fit.forecast([2025], region_codes=["3211"]).round(2).to_dict("records")[0]["year"]
2025
>>> table = fit.summary(target=3.5, target_year=2025)
>>> bool(table.set_index("region_code").loc["3211", "p_reach_target"] > 0.9)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import optimize

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK
from living_lab.text import Lang, t
from living_lab.trends import predictive
from living_lab.trends._data import (
    SCALES,
    OtherFrameworks,
    Prepared,
    Scale,
    check_choice,
    dindex_dmodel,
    from_model,
    noise_factor,
    prepare,
)
from living_lab.trends._stats import region_stats
from living_lab.trends.region import FORECAST_COLUMNS, _years, select_regions

TauMethod = Literal["reml", "moments"]
TAU_METHODS: tuple[str, ...] = get_args(TauMethod)

#: Prior guess (index points) of the SD of a published score around its region's trend; see
#: the module docstring for why 0.15 and :func:`noise_sensitivity` for what it changes.
NOISE_PRIOR_SD = 0.15
#: Weight of that guess, in residual degrees of freedom.
NOISE_PRIOR_DF = 8.0
#: ``noise_sd="estimate"`` needs at least this many residual degrees of freedom.
MIN_NOISE_DF = 10
#: Groups with fewer regions that have a slope are merged into one group "other".
MIN_GROUP_SIZE = 5
#: Passes of iteratively reweighted least squares on the logit scale (weights at fitted values).
IRLS_PASSES = 3
#: Fewer regions with a slope than this and tau cannot be estimated sensibly.
MIN_SLOPE_REGIONS = 10
OTHER_GROUP = "other"
ALL_GROUP = "all"

Status = Literal["at_or_above", "by_target_year", "after_target_year", "beyond_horizon"]


@dataclass(frozen=True)
class Moments:
    """Predictive pieces for region-years (flat arrays, one entry per region-year).

    The trend value on the model scale is ``L ~ N(m, v)``; ``v`` includes two parts shared
    between regions: ``mu_coef * Z_group`` (error of the group's mean slope) and
    ``trend_common_coef * Z_past`` (past common shocks that bent every fitted line alike). The
    published score adds, on the index scale, the region's own noise (``s2_noise``) and the
    target year's common shock (``shock_common_sd * Z_now``).
    """

    region_code: np.ndarray
    year: np.ndarray
    group: np.ndarray
    m: np.ndarray
    v: np.ndarray
    mu_coef: np.ndarray
    trend_common_coef: np.ndarray
    s2_noise: np.ndarray
    shock_common_sd: np.ndarray

    @property
    def s2(self) -> np.ndarray:
        """Variance added on the index scale (noise and the year's common shock)."""
        return self.s2_noise + self.shock_common_sd**2


@dataclass(frozen=True)
class PooledTrendFit:
    """A fitted partial-pooling growth model (see :func:`fit_pooled` and the module docstring).

    Attributes
    ----------
    regions : one row per region: ``region_code, group, n_points, first_year, last_year,
        last_index, tbar, level, W, Sxx, slope_hat, s2, shrinkage, slope_post, slope_post_var,
        slope_mu_var, ...`` (model scale).
    groups : one row per group: ``group, n_regions, n_with_slope, mean_slope, mean_slope_se,
        merged_from`` (model scale).
    noise_sd : sigma, index points. ``noise_source`` is ``"stated"``, ``"prior"``,
        ``"prior+data"`` or ``"data"``; ``noise_df`` the residual df from the data.
    slope_sd : tau, per year on the model scale; ``tau_method`` how it was obtained.
    common_sd : sigma_d, index points; ``common_source`` and ``common_df`` say from what.
    """

    scale: Scale
    regions: pd.DataFrame
    groups: pd.DataFrame
    noise_sd: float
    noise_source: str
    noise_df: int
    noise_prior_sd: float
    noise_prior_df: float
    slope_sd: float
    tau_method: str
    common_sd: float
    common_source: str
    common_df: int
    group_by: str
    data: Prepared
    options: dict[str, Any] = field(default_factory=dict)

    # --- predictive pieces ------------------------------------------------------------------

    def moments(
        self, years: int | Iterable[int], *, region_codes: Sequence[str] | str | None = None
    ) -> Moments:
        """Predictive pieces for every (region, year); used by forecasts and cohort shares."""
        yrs = _years(years)
        tab = select_regions(self.regions, region_codes)
        reg = np.repeat(np.arange(len(tab)), len(yrs))
        yr = np.tile(yrs, len(tab)).astype(float)
        col = {c: tab[c].to_numpy()[reg] for c in tab.columns}
        dt = yr - col["tbar"]
        m = col["level"] + col["slope_post"] * dt
        mu_coef = col["shrinkage"] * dt * np.sqrt(col["slope_mu_var"])
        # Past common shocks enter the fitted level and slope of every region alike: the
        # prediction error of a line through the region's years, converted to the model scale at
        # the region's level (the shocks are in index points).
        dtu = yr - col["tbar_unw"]
        k = 1.0 / col["n_cur"] + dtu**2 / col["Sxx_common"]
        level_index = from_model(col["level"], self.scale)
        trend_common = self.common_sd * np.sqrt(k) * noise_factor(level_index, self.scale)
        v = self.noise_sd**2 / col["W_pred"] + dt**2 * col["slope_post_var"] + trend_common**2
        return Moments(
            region_code=col["region_code"],
            year=yr.astype(int),
            group=col["group"],
            m=m,
            v=v,
            mu_coef=mu_coef,
            trend_common_coef=trend_common,
            s2_noise=np.full_like(m, self.noise_sd**2),
            shock_common_sd=np.full_like(m, self.common_sd),
        )

    def forecast(
        self, years: int | Iterable[int], *, region_codes: Sequence[str] | str | None = None
    ) -> pd.DataFrame:
        """Predicted published index per region and year, with 80% and 95% prediction intervals.

        Columns ``region_code, year, mean, median, lo80, hi80, lo95, hi95``; intervals cover
        the score that will be published (trend uncertainty, noise and the common year shock),
        censored to [1, 5]. Any year works; past years give the model's fitted prediction.
        """
        mo = self.moments(years, region_codes=region_codes)
        s2 = mo.s2
        q = np.array([0.5, 0.10, 0.90, 0.025, 0.975])
        qs = predictive.quantiles(q[None, :], mo.m[:, None], mo.v[:, None], s2[:, None], self.scale)
        out = pd.DataFrame({"region_code": mo.region_code, "year": mo.year})
        out["mean"] = predictive.mean(mo.m, mo.v, s2, self.scale)
        for j, name in enumerate(["median", "lo80", "hi80", "lo95", "hi95"]):
            out[name] = qs[:, j]
        return out[FORECAST_COLUMNS]

    def prob_at_least(
        self,
        target: float,
        years: int | Iterable[int],
        *,
        region_codes: Sequence[str] | str | None = None,
    ) -> pd.DataFrame:
        """P(published index >= target) per region and year: ``region_code, year, p``."""
        _check_target(target)
        mo = self.moments(years, region_codes=region_codes)
        p = predictive.prob_at_least(target, mo.m, mo.v, mo.s2, self.scale)
        return pd.DataFrame({"region_code": mo.region_code, "year": mo.year, "p": p})

    # --- the per-region table of reports ----------------------------------------------------

    def summary(
        self,
        *,
        target: float = 3.5,
        target_year: int = 2025,
        horizon: int = 2035,
        region_codes: Sequence[str] | str | None = None,
        lang: Lang = "id",
    ) -> pd.DataFrame:
        """One row per region: trend, forecast for ``target_year`` and when the target is reached.

        Columns: ``region_code, group, n_points, first_year, last_year, last_index, slope,
        slope_se`` (index points per year at the last observed year), ``group_slope,
        p_faster_than_group, pred_target_year`` (predictive median), ``lo80, hi80, lo95,
        hi95, p_reach_target`` (P(index published for target_year >= target)),
        ``expected_year`` (the first year after the last observation in which the published
        index is more likely than not at or above the target; the last observed year if the
        last score already is; missing when not by ``horizon``), ``not_within_horizon``,
        ``status`` (``at_or_above``, ``by_target_year``, ``after_target_year``,
        ``beyond_horizon``) and ``note``.
        """
        _check_target(target)
        target_year, horizon = int(target_year), int(horizon)
        if horizon < target_year:
            raise ParameterError(
                f"horizon: {horizon} is before target_year {target_year}; expected a later year"
            )
        tab = select_regions(self.regions, region_codes)
        codes = tab["region_code"].tolist()
        fc = self.forecast([target_year], region_codes=codes)
        p_t = self.prob_at_least(target, [target_year], region_codes=codes)["p"].to_numpy()

        # Expected year: first future year with P(score >= target) >= 0.5.
        last = tab["last_year"].to_numpy()
        first_future = int(last.min()) + 1
        yrs = np.arange(first_future, max(horizon, first_future) + 1)
        p_grid = self.prob_at_least(target, yrs, region_codes=codes)["p"].to_numpy()
        p_grid = p_grid.reshape(len(codes), len(yrs))
        eligible = (yrs[None, :] > last[:, None]) & (yrs[None, :] <= horizon)
        hit = eligible & (p_grid >= 0.5)
        any_hit = hit.any(axis=1)
        exp_year = np.where(any_hit, yrs[np.argmax(hit, axis=1)], -1)
        reached = tab["last_index"].to_numpy() >= target
        exp_year = np.where(reached, last, exp_year)
        within = reached | any_hit
        status = np.select(
            [reached, within & (exp_year <= target_year), within],
            ["at_or_above", "by_target_year", "after_target_year"],
            "beyond_horizon",
        )

        # Local slope on the index scale at the last observed year.
        m_last = tab["level"].to_numpy() + tab["slope_post"].to_numpy() * (
            last - tab["tbar"].to_numpy()
        )
        d = dindex_dmodel(m_last, self.scale)
        gm = self.groups.set_index("group")
        mu = gm.loc[tab["group"], "mean_slope"].to_numpy()
        mu_var = gm.loc[tab["group"], "mean_slope_se"].to_numpy() ** 2
        from scipy.special import ndtr

        b = tab["shrinkage"].to_numpy()
        diff = tab["slope_post"].to_numpy() - mu
        diff_var = tab["slope_cond_var"].to_numpy() + (1.0 - b) ** 2 * mu_var
        with np.errstate(divide="ignore", invalid="ignore"):
            p_faster = np.where(diff_var > 0, ndtr(diff / np.sqrt(diff_var)), 0.5)

        out = tab[
            ["region_code", "group", "n_points", "first_year", "last_year", "last_index"]
        ].copy()
        out["slope"] = tab["slope_post"].to_numpy() * d
        out["slope_se"] = np.sqrt(tab["slope_post_var"].to_numpy()) * d
        out["group_slope"] = mu * d
        out["p_faster_than_group"] = p_faster
        out["pred_target_year"] = fc["median"].to_numpy()
        for col in ["lo80", "hi80", "lo95", "hi95"]:
            out[col] = fc[col].to_numpy()
        out["p_reach_target"] = p_t
        out["expected_year"] = pd.array(np.where(within, exp_year, 0), dtype="Int64")
        out.loc[~within, "expected_year"] = pd.NA
        out["not_within_horizon"] = ~within
        out["status"] = status
        out["note"] = self._notes(tab, reached, within, target, horizon, lang)
        out.attrs.update(
            target=float(target),
            target_year=target_year,
            horizon=horizon,
            scale=self.scale,
            synthetic=self.data.synthetic,
        )
        return out.reset_index(drop=True)

    def _notes(
        self,
        tab: pd.DataFrame,
        reached: np.ndarray,
        within: np.ndarray,
        target: float,
        horizon: int,
        lang: Lang,
    ) -> list[str]:
        excl = self.data.excluded.groupby("region_code").size()
        adjusted = self.data.obs[self.data.obs["adjusted"]].groupby("region_code").size()
        notes = []
        for i, row in enumerate(tab.itertuples(index=False)):
            parts = []
            if row.n_points == 1:
                parts.append(t("trends_note_one_point", lang))
            elif row.Sxx <= 0:
                parts.append(t("trends_note_no_slope", lang))
            if reached[i]:
                parts.append(t("trends_note_reached", lang, year=row.last_year, target=target))
            elif not within[i]:
                parts.append(t("trends_note_beyond_horizon", lang, horizon=horizon, target=target))
            if row.slope_post < 0:
                parts.append(t("trends_note_declining", lang))
            n_ex = int(excl.get(row.region_code, 0))
            if n_ex:
                parts.append(t("trends_note_excluded", lang, n=n_ex))
            n_adj = int(adjusted.get(row.region_code, 0))
            if n_adj:
                parts.append(
                    t("trends_note_adjusted", lang, n=n_adj, offset=self.data.framework_offset)
                )
            if row.group == OTHER_GROUP and self.group_by != ALL_GROUP:
                parts.append(t("trends_note_group_merged", lang))
            notes.append("; ".join(parts))
        return notes

    # --- documentation of the fit -----------------------------------------------------------

    def assumptions(self) -> dict[str, Any]:
        """Every modelling choice and estimated variance, for a report's methods section."""
        slopes = self.regions["Sxx"] > 0
        return {
            "scale": self.scale,
            "framework": self.data.framework,
            "other_frameworks": self.data.other_frameworks,
            "framework_offset": self.data.framework_offset,
            "n_regions": int(len(self.regions)),
            "n_regions_with_slope": int(slopes.sum()),
            "n_observations": int(len(self.data.obs)),
            "n_excluded_rows": int(len(self.data.excluded)),
            "group_by": self.group_by,
            "n_groups": int(len(self.groups)),
            "noise_sd": self.noise_sd,
            "noise_source": self.noise_source,
            "noise_df": self.noise_df,
            "noise_prior_sd": self.noise_prior_sd,
            "noise_prior_df": self.noise_prior_df,
            "slope_sd": self.slope_sd,
            "tau_method": self.tau_method,
            "common_sd": self.common_sd,
            "common_source": self.common_source,
            "common_df": self.common_df,
            "median_shrinkage": float(np.median(self.regions.loc[slopes, "shrinkage"]))
            if slopes.any()
            else float("nan"),
            "synthetic": self.data.synthetic,
        }

    def methods_note(self, lang: Lang = "id") -> str:
        """The methods paragraph for a report, with this fit's numbers filled in."""
        a = self.assumptions()
        mean_slope = _index_slope_at_center(self)
        parts = [
            t(
                "trends_methods_model",
                lang,
                n_regions=a["n_regions"],
                n_slope=a["n_regions_with_slope"],
                n_obs=a["n_observations"],
                scale=t(f"trends_scale_{self.scale}", lang),
                groups=a["n_groups"],
                group_by=_group_by_text(self.group_by, lang),
            ),
            t(
                "trends_methods_pooling",
                lang,
                tau=self.slope_sd,
                tau_method=self.tau_method.upper(),
                mean_slope=mean_slope,
                shrinkage=a["median_shrinkage"],
            ),
            t(
                f"trends_methods_noise_{self.noise_source.replace('+', '_')}",
                lang,
                sigma=self.noise_sd,
                prior=self.noise_prior_sd,
                prior_df=self.noise_prior_df,
                df=self.noise_df,
            ),
            t(
                "trends_methods_common" if self.common_sd > 0 else "trends_methods_common_none",
                lang,
                sigma_d=self.common_sd,
                source=t(
                    "trends_common_source_national"
                    if self.common_source.startswith("national")
                    else "trends_common_source_stated",
                    lang,
                ),
                df=self.common_df,
            ),
            t(
                f"trends_methods_framework_{self.data.other_frameworks.replace('-', '_')}",
                lang,
                framework=self.data.framework,
                n=a["n_excluded_rows"],
                offset=self.data.framework_offset,
            ),
            t("trends_methods_limits", lang),
        ]
        if self.data.synthetic:
            parts.insert(0, t("synthetic_label", lang))
        return "\n\n".join(parts)


def _index_slope_at_center(fit: PooledTrendFit) -> float:
    """The average group mean slope in index points per year at the regions' median level."""
    mid = float(np.median(fit.regions["level"]))
    mu = float(np.average(fit.groups["mean_slope"], weights=fit.groups["n_regions"]))
    return mu * float(dindex_dmodel(np.array([mid]), fit.scale)[0])


def _check_target(target: float) -> None:
    from living_lab.framework import check_target

    check_target(target)


# --- groups -----------------------------------------------------------------------------------


def _group_labels(
    group: str | pd.Series | Mapping[str, str] | Any | None,
    codes: np.ndarray,
    spbe: pd.DataFrame,
) -> tuple[np.ndarray, str]:
    """A group label for each region code, and a description of the grouping."""
    if group is None:
        return np.full(len(codes), ALL_GROUP, dtype=object), ALL_GROUP
    if hasattr(group, "regions") and hasattr(group, "name"):  # a living_lab Cohort
        members = set(group.regions)
        labels = np.array([group.name if c in members else OTHER_GROUP for c in codes], object)
        return labels, f"cohort:{group.name}"
    if isinstance(group, Mapping):
        group = pd.Series(dict(group))
    if isinstance(group, pd.Series):
        mapping = group.copy()
        mapping.index = mapping.index.astype(str)
        if mapping.index.duplicated().any():
            raise ParameterError("group: the Series has a region code more than once")
        described = str(group.name) if group.name is not None else "series"
    elif isinstance(group, str):
        if group in spbe.columns and "region_code" in spbe.columns:
            per = spbe.groupby(spbe["region_code"].astype(str))[group].nunique(dropna=False)
            if (per > 1).any():
                raise ParameterError(
                    f"group: column {group!r} takes more than one value within region "
                    f"{per[per > 1].index[0]}; expected one value per region"
                )
            mapping = spbe.groupby(spbe["region_code"].astype(str))[group].first()
        else:
            from living_lab.datasets import load_regions

            regions = load_regions()
            if group not in regions.columns or group == "region_code":
                options = [c for c in regions.columns if c not in {"region_code"}]
                raise ParameterError(
                    f"group: unknown column {group!r}; expected a column of the SPBE table or "
                    f"of data/regions.csv ({', '.join(options)}), a Series or a Cohort"
                )
            mapping = regions.set_index("region_code")[group]
        described = group
    else:
        raise ParameterError(
            f"group: expected None, a column name, a Series, a mapping or a Cohort, got "
            f"{type(group).__name__}"
        )
    labels = mapping.reindex(pd.Index(codes)).astype(object)
    missing = labels.isna()
    if missing.any():
        raise ParameterError(
            f"group: no group for region(s) {list(labels.index[missing])[:5]}; "
            "expected a label for every region in the data"
        )
    return labels.astype(str).to_numpy(dtype=object), described


def _merge_small_groups(
    labels: np.ndarray, has_slope: np.ndarray, min_size: int
) -> tuple[np.ndarray, dict[str, str]]:
    counts = pd.Series(has_slope).groupby(labels).sum()
    small = counts.index[counts < min_size]
    if len(small) == 0 or len(counts) == 1:
        return labels, {}
    merged = np.where(np.isin(labels, small), OTHER_GROUP, labels)
    return merged, {str(g): OTHER_GROUP for g in small}


# --- variance components --------------------------------------------------------------------


def _gls_means(
    b: np.ndarray, s2: np.ndarray, g: np.ndarray, n_groups: int, tau2: float
) -> tuple[np.ndarray, np.ndarray]:
    w = 1.0 / (tau2 + s2)
    sw = np.bincount(g, w, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.bincount(g, w * b, minlength=n_groups) / sw
        var = 1.0 / sw
    return mu, var


def _reml_tau2(b: np.ndarray, s2: np.ndarray, g: np.ndarray, n_groups: int) -> float:
    def neg_restricted_loglik(tau2: float) -> float:
        w = 1.0 / (tau2 + s2)
        sw = np.bincount(g, w, minlength=n_groups)
        mu = np.bincount(g, w * b, minlength=n_groups) / sw
        return float(
            np.sum(np.log(tau2 + s2)) + np.sum(np.log(sw[sw > 0])) + np.sum(w * (b - mu[g]) ** 2)
        )

    upper = max(10.0 * float(np.var(b)), 1e-8)
    res = optimize.minimize_scalar(
        neg_restricted_loglik,
        bounds=(0.0, upper),
        method="bounded",
        options={"xatol": upper * 1e-9},
    )
    tau2 = float(res.x)
    return 0.0 if neg_restricted_loglik(0.0) <= neg_restricted_loglik(tau2) else tau2


def _moments_tau2(b: np.ndarray, s2: np.ndarray, g: np.ndarray, n_groups: int) -> float:
    """DerSimonian-Laird estimator, generalised to a mean per group."""
    w = 1.0 / s2
    sw = np.bincount(g, w, minlength=n_groups)
    mu = np.bincount(g, w * b, minlength=n_groups) / sw
    q = float(np.sum(w * (b - mu[g]) ** 2))
    c = float(np.sum(w) - np.sum(np.bincount(g, w * w, minlength=n_groups)[sw > 0] / sw[sw > 0]))
    n_used = int(np.count_nonzero(sw > 0))
    return max(0.0, (q - (len(b) - n_used)) / c) if c > 0 else 0.0


def national_common_sd(
    framework: str = DEFAULT_FRAMEWORK, *, before: int | None = None
) -> tuple[float, int]:
    """SD of the national SPBE index around a straight line over one framework's years.

    Returns ``(sd, residual df)``; ``(0.0, 0)`` when fewer than three years exist. The national
    index averages hundreds of evaluated bodies, so its scatter around a line is (nearly) all
    common year-to-year movement. ``before`` keeps only years before it (a backtest must not
    learn the shock from the year it hides). Examples: 2021-2024 under PermenPANRB 59/2020 give
    0.11 (2 df).
    """
    from living_lab.datasets import load_spbe_national

    nat = load_spbe_national()
    nat = nat[nat["framework"] == framework]
    if before is not None:
        nat = nat[nat["year"] < int(before)]
    if len(nat) < 3:
        return 0.0, 0
    x = nat["year"].to_numpy(dtype=float)
    y = nat["index"].to_numpy(dtype=float)
    coef = np.polyfit(x - x.mean(), y, 1)
    resid = y - np.polyval(coef, x - x.mean())
    df = len(y) - 2
    return float(np.sqrt(np.sum(resid**2) / df)), df


# --- the fit ----------------------------------------------------------------------------------


def fit_pooled(
    spbe: pd.DataFrame,
    *,
    group: str | pd.Series | Mapping[str, str] | Any | None = None,
    scale: Scale = "logit-upper",
    noise_sd: float | Literal["auto", "estimate"] = "auto",
    noise_prior_sd: float = NOISE_PRIOR_SD,
    noise_prior_df: float = NOISE_PRIOR_DF,
    slope_sd: float | None = None,
    tau_method: TauMethod = "reml",
    common_sd: float | Literal["national"] = "national",
    min_group_size: int = MIN_GROUP_SIZE,
    framework: str = DEFAULT_FRAMEWORK,
    other_frameworks: OtherFrameworks = "exclude",
    framework_offset: float | None = None,
) -> PooledTrendFit:
    """Fit the partial-pooling growth model to every region at once.

    See the module docstring for the model, the estimation steps and the assumptions.

    Parameters
    ----------
    spbe : SPBE rows with ``region_code, year, index`` and ``framework``, e.g.
        ``load_spbe(framework=None)`` or ``load_spbe(extra=[...])`` with a newer round.
    group : whose mean slope a region is shrunk toward: ``None`` (all regions), a column of
        the table or of ``data/regions.csv`` (``"kind"``, ``"province"``, ``"island_group"``),
        a Series or mapping region code -> label, or a :class:`~living_lab.cohorts.Cohort`
        (members vs the rest).
    scale : ``"logit-upper"`` (default; straight on ``logit(index / 5)``: levels off toward 5,
        close to a straight line near 1), ``"logit"`` (straight on ``logit((index - 1) / 4)``,
        levels off toward both ends) or ``"index"`` (straight on the index). Forecasts are
        censored to [1, 5] on every scale.
    noise_sd : ``"auto"`` (prior combined with residuals of regions with 3+ points),
        ``"estimate"`` (residuals only) or a number (index points, stated).
    noise_prior_sd, noise_prior_df : the prior of ``"auto"``.
    slope_sd : state tau (per year, model scale) instead of estimating it.
    tau_method : ``"reml"`` or ``"moments"`` (DerSimonian-Laird).
    common_sd : SD of a common year shock (index points), or ``"national"`` to take it from
        the national series (:func:`national_common_sd`); 0 leaves it out.
    min_group_size : groups with fewer regions that have a slope join the group ``"other"``.
    framework, other_frameworks, framework_offset : framework of the forecasts and what to do
        with rows of other frameworks (``"exclude"``, ``"level-shift"``, ``"offset"``).

    Returns
    -------
    PooledTrendFit
    """
    check_choice("scale", scale, SCALES)
    check_choice("tau_method", tau_method, TAU_METHODS)
    if not isinstance(min_group_size, int) or min_group_size < 1:
        raise ParameterError(f"min_group_size: {min_group_size!r}; expected a whole number >= 1")
    if isinstance(noise_sd, str):
        check_choice("noise_sd", noise_sd, ("auto", "estimate"))
        if noise_sd == "auto" and not (noise_prior_sd > 0 and noise_prior_df > 0):
            raise ParameterError(
                "noise_prior_sd, noise_prior_df: expected positive numbers, got "
                f"{noise_prior_sd!r}, {noise_prior_df!r}"
            )
    elif not float(noise_sd) > 0:
        raise ParameterError(f"noise_sd: {noise_sd!r}; expected a positive number of index points")
    if slope_sd is not None and not float(slope_sd) >= 0:
        raise ParameterError(f"slope_sd: {slope_sd!r}; expected a number >= 0")
    if isinstance(common_sd, str):
        check_choice("common_sd", common_sd, ("national",))
    elif not float(common_sd) >= 0:
        raise ParameterError(f"common_sd: {common_sd!r}; expected a number >= 0 or 'national'")
    data = prepare(
        spbe,
        framework=framework,
        other_frameworks=other_frameworks,
        framework_offset=framework_offset,
    )
    if data.obs.empty:
        raise ParameterError(
            f"spbe: no usable rows under framework {framework!r}; expected scores of that framework"
        )

    # On the logit scale the delta-method weights depend on where each row sits on the scale.
    # They start at the observed values and are then recomputed at the fitted trend values
    # (iteratively reweighted least squares), which removes the pull toward the middle of the
    # scale that noise-dependent weights cause.
    weight_at = None
    passes = IRLS_PASSES if scale != "index" else 1
    for _ in range(passes):
        st = region_stats(
            data.obs,
            framework=framework,
            scale=scale,
            weights="delta" if scale != "index" else "none",
            weight_at=weight_at,
        )
        est = _estimate(
            st,
            spbe,
            group=group,
            noise_sd=noise_sd,
            noise_prior_sd=noise_prior_sd,
            noise_prior_df=noise_prior_df,
            slope_sd=slope_sd,
            tau_method=tau_method,
            min_group_size=min_group_size,
        )
        row = st.attrs["row_region"]
        fitted = st.attrs["cell_z"] + est["post"][row] * (
            data.obs["year"].to_numpy(dtype=float) - st.attrs["cell_t"]
        )
        weight_at = from_model(fitted, scale)
    st.attrs.clear()

    if isinstance(common_sd, str):
        sigma_d, common_df = national_common_sd(framework)
        common_source = "national" if common_df > 0 else "national (fewer than 3 years: none)"
    else:
        sigma_d, common_df, common_source = float(common_sd), 0, "stated"
    # Regions with one point take their slope from regions with a slope: use their typical design.
    has_slope = est["has_slope"]
    sxx_unw = st["Sxx_unw"].to_numpy()
    sxx_common = np.where(has_slope, sxx_unw, float(np.median(sxx_unw[has_slope])))

    regions = st.copy()
    regions.insert(1, "group", est["labels"].astype(str))
    regions["s2"] = est["s2"]
    regions["shrinkage"] = est["shrink"]
    regions["slope_post"] = est["post"]
    regions["slope_cond_var"] = est["cond_var"]
    regions["slope_mu_var"] = est["mu_var"][est["g"]]
    regions["slope_post_var"] = est["post_var"]
    regions["Sxx_common"] = sxx_common
    return PooledTrendFit(
        scale=scale,
        regions=regions,
        groups=est["groups"],
        noise_sd=float(np.sqrt(est["sigma2"])),
        noise_source=est["noise_source"],
        noise_df=est["noise_df"],
        noise_prior_sd=float(noise_prior_sd),
        noise_prior_df=float(noise_prior_df),
        slope_sd=float(np.sqrt(est["tau2"])),
        tau_method=est["tau_method"],
        common_sd=float(sigma_d),
        common_source=common_source,
        common_df=int(common_df),
        group_by=est["described"],
        data=data,
        options={"min_group_size": min_group_size},
    )


def _estimate(
    st: pd.DataFrame,
    spbe: pd.DataFrame,
    *,
    group: Any,
    noise_sd: float | str,
    noise_prior_sd: float,
    noise_prior_df: float,
    slope_sd: float | None,
    tau_method: str,
    min_group_size: int,
) -> dict[str, Any]:
    """Noise, slope spread, group means and slope posteriors from per-region statistics."""
    # Noise (sigma, index points).
    with_df = st["resid_df"].to_numpy() > 0
    data_df = int(st.loc[with_df, "resid_df"].sum())
    data_rss = float(st.loc[with_df, "rss"].sum())
    if noise_sd == "estimate":
        if data_df < MIN_NOISE_DF:
            raise ParameterError(
                f"noise_sd: 'estimate' needs at least {MIN_NOISE_DF} residual degrees of "
                f"freedom from regions with 3+ points; the data have {data_df}. Use "
                "noise_sd='auto' (a stated prior) or a number"
            )
        sigma2, source = data_rss / data_df, "data"
    elif noise_sd == "auto":
        sigma2 = (noise_prior_df * noise_prior_sd**2 + data_rss) / (noise_prior_df + data_df)
        source = "prior" if data_df == 0 else "prior+data"
    else:
        sigma2, source = float(noise_sd) ** 2, "stated"

    # Groups.
    codes = st["region_code"].to_numpy(dtype=str)
    labels, described = _group_labels(group, codes, spbe)
    has_slope = st["Sxx"].to_numpy() > 0
    labels, merged = _merge_small_groups(labels, has_slope, min_group_size)
    group_names, g = np.unique(labels.astype(str), return_inverse=True)
    n_groups = len(group_names)

    # Slope heterogeneity (tau^2) and group means.
    sxx = st["Sxx"].to_numpy()
    s2 = np.where(has_slope, sigma2 / np.where(has_slope, sxx, 1.0), np.inf)
    b_hat = st["slope_hat"].to_numpy()
    bs, s2s, gs = b_hat[has_slope], s2[has_slope], g[has_slope]
    n_slope = int(has_slope.sum())
    if n_slope == 0:
        raise ParameterError(
            "spbe: no region has two or more years under the forecast framework, so no growth "
            "can be estimated; expected at least two evaluation years"
        )
    if slope_sd is not None:
        tau2, tau_used = float(slope_sd) ** 2, "stated"
    else:
        needed = max(MIN_SLOPE_REGIONS, n_groups + 2)
        if n_slope < needed:
            raise ParameterError(
                f"spbe: only {n_slope} region(s) with two or more years; the spread of slopes "
                f"(tau) needs at least {needed}. State it with slope_sd=, or use fit_ols for "
                "single series"
            )
        estimator = _reml_tau2 if tau_method == "reml" else _moments_tau2
        tau2, tau_used = estimator(bs, s2s, gs, n_groups), tau_method
    mu_g, mu_var_g = _gls_means(bs, s2s, gs, n_groups, tau2)
    # A group whose regions all have one point borrows the mean of every region with a slope.
    no_slope_group = ~np.isfinite(mu_g)
    if no_slope_group.any():
        w = 1.0 / (tau2 + s2s)
        mu_g[no_slope_group] = float(np.sum(w * bs) / np.sum(w))
        mu_var_g[no_slope_group] = float(1.0 / np.sum(w))

    # Posterior of every slope.
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(has_slope, s2 / (s2 + tau2), 1.0)
        cond_var = np.where(has_slope, tau2 * s2 / (tau2 + s2), tau2)
    cond_var = np.nan_to_num(cond_var)
    post = np.where(has_slope, shrink * mu_g[g] + (1.0 - shrink) * np.nan_to_num(b_hat), mu_g[g])
    post_var = cond_var + shrink**2 * mu_var_g[g]
    groups = pd.DataFrame(
        {
            "group": group_names.astype(object),
            "n_regions": np.bincount(g, minlength=n_groups),
            "n_with_slope": np.bincount(g, has_slope.astype(int), minlength=n_groups),
            "mean_slope": mu_g,
            "mean_slope_se": np.sqrt(mu_var_g),
            "merged_from": [
                ", ".join(sorted(k for k, v in merged.items() if v == name)) for name in group_names
            ],
        }
    )
    return {
        "sigma2": sigma2,
        "noise_source": source,
        "noise_df": data_df,
        "labels": labels,
        "described": described,
        "has_slope": has_slope,
        "g": g,
        "s2": s2,
        "tau2": tau2,
        "tau_method": tau_used,
        "mu_var": mu_var_g,
        "shrink": shrink,
        "cond_var": cond_var,
        "post": post,
        "post_var": post_var,
        "groups": groups,
    }


def noise_sensitivity(
    spbe: pd.DataFrame,
    noise_sds: Iterable[float] = (0.05, 0.10, 0.15, 0.20),
    *,
    target: float = 3.5,
    target_year: int = 2025,
    region_codes: Sequence[str] | None = None,
    **fit_options: Any,
) -> pd.DataFrame:
    """How the results depend on the assumed noise SD (the part two-point data cannot identify).

    Refits with each stated ``noise_sd`` and reports ``noise_sd, slope_sd, median_shrinkage,
    expected_share`` (mean P(index in target_year >= target) over ``region_codes`` or all
    regions) and ``mean_width95`` (mean width of the 95% interval for target_year).
    """
    rows = []
    for sd in noise_sds:
        fit = fit_pooled(spbe, noise_sd=float(sd), **fit_options)
        codes = (
            None
            if region_codes is None
            else [c for c in region_codes if c in set(fit.regions["region_code"])]
        )
        summ = fit.summary(target=target, target_year=target_year, region_codes=codes)
        rows.append(
            {
                "noise_sd": float(sd),
                "slope_sd": fit.slope_sd,
                "median_shrinkage": fit.assumptions()["median_shrinkage"],
                "expected_share": float(summ["p_reach_target"].mean()),
                "mean_width95": float((summ["hi95"] - summ["lo95"]).mean()),
            }
        )
    return pd.DataFrame(rows)


def _group_by_text(column: str, lang: Lang) -> str:
    """The grouping column in words ("jenis daerah"), or its name when the locale has none."""
    try:
        return t(f"trends_group_by_{column}", lang)
    except KeyError:
        return column
