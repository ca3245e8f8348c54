"""Input checks, framework (regime) handling and the bounded scale shared by every trend fit.

An SPBE series crosses a framework break: 2018-2020 were scored under PermenPANRB 5/2018
(3 domains, 35 indicators), 2021 onward under PermenPANRB 59/2020. Rows are never silently
mixed: :func:`prepare` keeps the rows of the framework the forecast is made in and treats every
other framework as one of three explicit choices (``other_frameworks``):

``"exclude"`` (default)
    older-framework rows are dropped and listed in the excluded table with the reason.
``"level-shift"``
    rows are kept, each framework gets its own level (intercept) and the slope is shared. This
    assumes the framework change moved the level but not the yearly rate of improvement. A
    region with one older-framework point gains nothing from it (the point is absorbed by its
    own level); a series with two or more (the national series, 2018-2020) adds slope information.
``"offset"``
    ``framework_offset`` (index points, stated by the user, e.g. from a published crosswalk) is
    added to every older-framework value, which is then treated as if scored under the current
    framework. No offset is estimated or assumed by the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy.special import expit

from living_lab.errors import InputError, ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK

OtherFrameworks = Literal["exclude", "level-shift", "offset"]
Scale = Literal["index", "logit", "logit-upper"]
OTHER_FRAMEWORKS: tuple[str, ...] = get_args(OtherFrameworks)
SCALES: tuple[str, ...] = get_args(Scale)

#: Bounds of the SPBE index.
LOW, HIGH = 1.0, 5.0
#: Published scores are rounded to 0.01, so a printed 1.00 means [1.000, 1.005). On a logit
#: scale values are moved this far inside its bounds; a printed bound is not an exact bound.
EDGE = 0.005
#: Series code given to a table without ``region_code`` (e.g. :func:`load_spbe_national`).
NATIONAL = "national"


@dataclass(frozen=True)
class Prepared:
    """Observations ready for fitting.

    Attributes
    ----------
    obs : rows used: ``region_code, year, index, framework, regime, value, adjusted``.
        ``value`` is the index used in the fit (``index`` plus the offset for adjusted rows);
        ``regime`` is the framework whose level the row shares.
    excluded : rows left out, with ``reason``.
    framework : the framework the forecasts are made in.
    """

    obs: pd.DataFrame
    excluded: pd.DataFrame
    framework: str
    other_frameworks: str
    framework_offset: float | None
    synthetic: bool


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name}: {value!r} is not supported; expected one of {list(allowed)}")


def prepare(
    spbe: pd.DataFrame,
    *,
    framework: str = DEFAULT_FRAMEWORK,
    other_frameworks: OtherFrameworks = "exclude",
    framework_offset: float | None = None,
) -> Prepared:
    """Check an SPBE table and split it into the rows a trend fit uses and the rows it leaves out.

    Parameters
    ----------
    spbe : a table with ``region_code`` (optional: without it the table is one series named
        ``"national"``), ``year``, ``index`` and ``framework`` (optional: without it every row
        is taken to be scored under ``framework``), e.g. :func:`living_lab.datasets.load_spbe`
        with ``framework=None``.
    framework : the framework the forecasts are made in.
    other_frameworks, framework_offset : what to do with rows of any other framework (see the
        module docstring).
    """
    check_choice("other_frameworks", other_frameworks, OTHER_FRAMEWORKS)
    if not isinstance(spbe, pd.DataFrame):
        raise ParameterError(f"spbe: expected a pandas DataFrame, got {type(spbe).__name__}")
    if other_frameworks == "offset":
        if framework_offset is None or not np.isfinite(float(framework_offset)):
            raise ParameterError(
                "framework_offset: other_frameworks='offset' needs a finite offset in index points"
            )
    elif framework_offset is not None:
        raise ParameterError(
            "framework_offset: only used with other_frameworks='offset'; "
            f"got other_frameworks={other_frameworks!r}"
        )
    for col in ("year", "index"):
        if col not in spbe.columns:
            raise InputError(
                f"missing column {col!r}; expected region_code, year, index", field=col
            )
    synthetic = bool(spbe.attrs.get("synthetic", False))
    df = pd.DataFrame(
        {
            "region_code": (
                spbe["region_code"].astype(str).to_numpy()
                if "region_code" in spbe.columns
                else np.full(len(spbe), NATIONAL)
            ),
            "year": spbe["year"].to_numpy(),
            "index": pd.to_numeric(spbe["index"], errors="coerce").to_numpy(dtype=float),
            "framework": (
                spbe["framework"].astype(str).to_numpy()
                if "framework" in spbe.columns
                else np.full(len(spbe), framework)
            ),
        }
    )
    if "framework" in spbe.columns and spbe["framework"].isna().any():
        pos = int(np.flatnonzero(spbe["framework"].isna().to_numpy())[0])
        raise InputError(
            f"framework missing (region {df['region_code'].iloc[pos]}, year "
            f"{spbe['year'].iloc[pos]}); expected a framework id such as {framework!r}, so that "
            "scores of different frameworks are never mixed",
            row=pos + 2,
            field="framework",
        )
    if "source" in spbe.columns:
        synthetic = synthetic or bool(
            spbe["source"].astype(str).str.contains("synthetic", case=False).any()
        )
    years = pd.to_numeric(df["year"], errors="coerce")
    bad = years.isna() | (years != np.round(years))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"year {spbe['year'].iloc[pos]!r} is not a whole year", row=pos + 2, field="year"
        )
    df["year"] = years.astype(int)
    bad_text = pd.to_numeric(spbe["index"], errors="coerce").isna() & spbe["index"].notna()
    if bad_text.any():
        pos = int(np.flatnonzero(bad_text.to_numpy())[0])
        raise InputError(
            f"index {spbe['index'].iloc[pos]!r} is not a number", row=pos + 2, field="index"
        )
    out_of_range = (df["index"] < LOW) | (df["index"] > HIGH)
    if out_of_range.any():
        pos = int(np.flatnonzero(out_of_range.to_numpy())[0])
        raise InputError(
            f"index {df['index'].iloc[pos]} outside the SPBE scale 1-5 "
            f"(region {df['region_code'].iloc[pos]}, year {df['year'].iloc[pos]})",
            row=pos + 2,
            field="index",
        )
    dup = df.duplicated(["region_code", "year"], keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"region {df['region_code'].iloc[pos]} year {df['year'].iloc[pos]} appears twice; "
            "expected one row per region and year",
            row=pos + 2,
            field="year",
        )

    reason = pd.Series(pd.NA, index=df.index, dtype="object")
    reason[df["index"].isna()] = "index missing"
    other = df["framework"] != framework
    if other_frameworks == "exclude":
        reason[other & reason.isna()] = "other framework (excluded)"
    df["regime"] = df["framework"]
    df["value"] = df["index"]
    df["adjusted"] = False
    if other_frameworks == "offset":
        df.loc[other, "value"] = (df.loc[other, "index"] + float(framework_offset)).clip(LOW, HIGH)
        df.loc[other, "regime"] = framework
        df.loc[other, "adjusted"] = True
    # A region needs at least one usable row under the forecast framework: its level there is
    # what every forecast starts from.
    usable = reason.isna()
    has_current = ((df["regime"] == framework) & usable).groupby(df["region_code"]).transform("any")
    reason[usable & ~has_current] = "no row under the forecast framework"
    used = reason.isna()
    obs = df[used].sort_values(["region_code", "year"], ignore_index=True)
    excluded = df[~used].assign(reason=reason[~used].astype(str))
    excluded = excluded.sort_values(["region_code", "year"], ignore_index=True)
    return Prepared(
        obs=obs,
        excluded=excluded,
        framework=framework,
        other_frameworks=other_frameworks,
        framework_offset=None if framework_offset is None else float(framework_offset),
        synthetic=synthetic,
    )


# --- the model scales ------------------------------------------------------------------------
#
# "index"        the index itself: a straight line in index points per year.
# "logit"        logit((index - 1) / 4): bounded at both ends of the scale, growth slows toward
#                5 and toward 1 alike.
# "logit-upper"  logit(index / 5): bounded at 5 only. Growth slows toward 5 as under "logit",
#                but near 1 it stays close to a straight line; a trend below 1 is censored to
#                1.00 (the lowest score published; four published scores are exactly 1.00).
#
# Forecast scores are censored to [1, 5] on every scale (see predictive.py).

#: Lower and upper asymptote of each bounded scale (index points).
BOUNDS: dict[str, tuple[float, float]] = {"logit": (1.0, 5.0), "logit-upper": (0.0, 5.0)}


def _p(y: np.ndarray, scale: Scale) -> np.ndarray:
    a, b = BOUNDS[scale]
    return (np.clip(y, a + EDGE, b - EDGE) - a) / (b - a)


def to_model(y: np.ndarray, scale: Scale) -> np.ndarray:
    """Index -> model scale (identity, or a logit with values kept ``EDGE`` inside its bounds)."""
    y = np.asarray(y, dtype=float)
    if scale == "index":
        return y
    p = _p(y, scale)
    return np.log(p) - np.log1p(-p)


def from_model(z: np.ndarray, scale: Scale) -> np.ndarray:
    """Model scale -> index (``a + (b - a) * expit(z)`` on a logit scale with bounds a, b)."""
    z = np.asarray(z, dtype=float)
    if scale == "index":
        return z
    a, b = BOUNDS[scale]
    return a + (b - a) * expit(z)


def dmodel_dindex(y: np.ndarray, scale: Scale) -> np.ndarray:
    """Derivative of the model scale with respect to the index (for the delta method)."""
    y = np.asarray(y, dtype=float)
    if scale == "index":
        return np.ones_like(y)
    a, b = BOUNDS[scale]
    p = _p(y, scale)
    return 1.0 / ((b - a) * p * (1.0 - p))


#: The delta method linearises the scale over the reach of the noise (about two noise SDs,
#: 0.3 index points). Closer to an asymptote than this its Gaussian on the model scale is far
#: too wide (a printed 1.00 would make a logit level unknowable and a forecast interval cover
#: the whole scale), so derivatives for the uncertainty of levels and of the common shock are
#: taken no closer. Estimation weights use the exact derivative.
DELTA_MARGIN = 0.25


def noise_factor(y: np.ndarray, scale: Scale) -> np.ndarray:
    """``dz/dy`` for converting index-scale noise to the model scale (delta method).

    Taken at ``y`` moved at least ``DELTA_MARGIN`` inside the scale's asymptotes.
    """
    y = np.asarray(y, dtype=float)
    if scale == "index":
        return np.ones_like(y)
    a, b = BOUNDS[scale]
    return dmodel_dindex(np.clip(y, a + DELTA_MARGIN, b - DELTA_MARGIN), scale)


def dindex_dmodel(z: np.ndarray, scale: Scale) -> np.ndarray:
    """Derivative of the index with respect to the model scale."""
    z = np.asarray(z, dtype=float)
    if scale == "index":
        return np.ones_like(z)
    a, b = BOUNDS[scale]
    e = np.exp(-np.abs(z))
    return (b - a) * e / (1.0 + e) ** 2


def index_to_model_open(c: np.ndarray, scale: Scale) -> np.ndarray:
    """Index -> model scale with -inf/+inf at or beyond the asymptotes (for probabilities)."""
    c = np.asarray(c, dtype=float)
    if scale == "index":
        return c
    a, b = BOUNDS[scale]
    p = (c - a) / (b - a)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log(p) - np.log1p(-p)
    z = np.where(p <= 0, -np.inf, z)
    return np.where(p >= 1, np.inf, z)
