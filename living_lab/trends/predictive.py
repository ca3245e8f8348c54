"""The predictive distribution of a published SPBE index in a future year.

Every forecast of the trend models has the same form::

    y = clip(h(L) + e, 1, 5),   L ~ N(m, V),   e ~ N(0, s2)

``L`` is the region's trend value in that year on the model scale (identity or logit), with
``V`` its uncertainty (level, slope, mean slope); ``h`` maps the model scale to the index;
``e`` is what moves a published score away from its trend on the index scale (the year's
noise and, if any, a common year shock) with variance ``s2``. Scores are published on [1, 5],
so the score is censored at the bounds and every quantile stays inside the scale.

On the index scale ``h(L) + e`` is normal and everything is closed-form. On a logit scale the
two parts are integrated numerically (Gauss-Hermite quadrature, 24 nodes) over whichever part is
narrower on the index scale, the other part analytically, so the answer stays accurate whether
the noise or the trend uncertainty dominates.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri

from living_lab.trends._data import (
    BOUNDS,
    HIGH,
    LOW,
    Scale,
    dindex_dmodel,
    from_model,
    index_to_model_open,
)

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(24)
_WEIGHTS = _WEIGHTS / np.sqrt(2.0 * np.pi)
_SQRT2PI = np.sqrt(2.0 * np.pi)


def _phi(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * x * x) / _SQRT2PI


def _broadcast(*arrays: np.ndarray) -> tuple[tuple[int, ...], list[np.ndarray]]:
    b = np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in arrays])
    return b[0].shape, [a.ravel() for a in b]


def _cdf_pdf_logit(
    c: np.ndarray, m: np.ndarray, v: np.ndarray, s: np.ndarray, scale: Scale
) -> tuple[np.ndarray, np.ndarray]:
    """P(h(L) + e <= c) and its density, flat arrays, a logit scale."""
    a, b = BOUNDS[scale]
    sd_l = np.sqrt(v)
    over_l = s >= sd_l * dindex_dmodel(m, scale)  # integrate over L, e analytic
    cdf = np.empty_like(c)
    pdf = np.empty_like(c)
    if over_l.any():
        i = over_l
        mu = from_model(m[i, None] + sd_l[i, None] * _NODES, scale)
        u = (c[i, None] - mu) / s[i, None]
        cdf[i] = ndtr(u) @ _WEIGHTS
        pdf[i] = (_phi(u) @ _WEIGHTS) / s[i]
    if (~over_l).any():
        i = ~over_l
        point = c[i, None] - s[i, None] * _NODES
        zq = index_to_model_open(point, scale)
        u = (zq - m[i, None]) / sd_l[i, None]
        cdf[i] = ndtr(u) @ _WEIGHTS
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p = (point - a) / (b - a)
            dz = 1.0 / ((b - a) * p * (1.0 - p))
            dens = _phi(u) * dz / sd_l[i, None]
        dens = np.where(np.isfinite(dens) & (p > 0) & (p < 1), dens, 0.0)
        pdf[i] = dens @ _WEIGHTS
    return cdf, pdf


def prob_at_least(
    c: np.ndarray | float, m: np.ndarray, v: np.ndarray, s2: np.ndarray, scale: Scale
) -> np.ndarray:
    """P(published score >= c), for c inside (1, 5]. Arrays broadcast."""
    shape, (c, m, v, s2) = _broadcast(c, m, v, s2)
    if scale == "index":
        out = ndtr((m - c) / np.sqrt(v + s2))
    else:
        out = 1.0 - _cdf_pdf_logit(c, m, v, np.sqrt(s2), scale)[0]
    return np.clip(out, 0.0, 1.0).reshape(shape)


def quantiles(
    q: np.ndarray | float, m: np.ndarray, v: np.ndarray, s2: np.ndarray, scale: Scale
) -> np.ndarray:
    """Quantiles of the published score (censored to [1, 5]). Arrays broadcast."""
    shape, (q, m, v, s2) = _broadcast(q, m, v, s2)
    if scale == "index":
        out = m + ndtri(q) * np.sqrt(v + s2)
        return np.clip(out, LOW, HIGH).reshape(shape)
    s = np.sqrt(s2)

    # Start from the exact quantile of the trend part combined in quadrature with the noise
    # (this keeps the skew of the logit scale), then solve ndtri(F(x)) = ndtri(q) by a
    # safeguarded Newton iteration (bisection whenever a step leaves the bracket). On the
    # probit scale the equation is nearly linear, so two or three steps usually suffice.
    zq = ndtri(q)
    centre = from_model(m, scale)
    d_trend = from_model(m + zq * np.sqrt(v), scale) - centre
    lo = np.full_like(m, min(LOW, BOUNDS[scale][0])) - 10.0 * s
    hi = np.full_like(m, HIGH) + 10.0 * s
    x = np.clip(centre + np.sign(zq) * np.sqrt(d_trend**2 + (zq * s) ** 2), lo, hi)
    # Quantiles beyond a bound are censored to it: no need to find them.
    f_low = _cdf_pdf_logit(np.full_like(m, LOW), m, v, s, scale)[0]
    f_high = _cdf_pdf_logit(np.full_like(m, HIGH), m, v, s, scale)[0]
    x = np.where(q <= f_low, LOW, np.where(q >= f_high, HIGH, x))
    active = (q > f_low) & (q < f_high)
    lo = np.where(active, np.maximum(lo, LOW), lo)
    hi = np.where(active, np.minimum(hi, HIGH), hi)
    x = np.where(active, np.clip(x, lo + 1e-9, hi - 1e-9), x)
    for _ in range(100):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        cdf, pdf = _cdf_pdf_logit(x[idx], m[idx], v[idx], s[idx], scale)
        below = cdf < q[idx]
        lo[idx] = np.where(below, x[idx], lo[idx])
        hi[idx] = np.where(below, hi[idx], x[idx])
        probit = ndtri(np.clip(cdf, 1e-300, 1.0 - 1e-16))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = x[idx] - (probit - zq[idx]) * _phi(probit) / pdf
        ok = np.isfinite(step) & (step > lo[idx]) & (step < hi[idx])
        new = np.where(ok, step, 0.5 * (lo[idx] + hi[idx]))
        # Scores are published to 0.01; 1e-7 index points is far below anything that shows.
        done = (np.abs(new - x[idx]) < 1e-7) | (hi[idx] - lo[idx] < 1e-7)
        x[idx] = new
        active[idx[done]] = False
    return np.clip(x, LOW, HIGH).reshape(shape)


def _censored_normal_mean(mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """E[clip(X, 1, 5)] for X ~ N(mu, sd^2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (LOW - mu) / sd
        b = (HIGH - mu) / sd
    fa, fb = ndtr(a), ndtr(b)
    out = LOW * fa + HIGH * (1.0 - fb) + mu * (fb - fa) + sd * (_phi(a) - _phi(b))
    return np.where(sd > 0, out, np.clip(mu, LOW, HIGH))


def mean(m: np.ndarray, v: np.ndarray, s2: np.ndarray, scale: Scale) -> np.ndarray:
    """Expected published score (censored to [1, 5]). Arrays broadcast."""
    shape, (m, v, s2) = _broadcast(m, v, s2)
    if scale == "index":
        return _censored_normal_mean(m, np.sqrt(v + s2)).reshape(shape)
    mu = from_model(m[:, None] + np.sqrt(v)[:, None] * _NODES, scale)
    out = _censored_normal_mean(mu, np.sqrt(s2)[:, None]) @ _WEIGHTS
    return out.reshape(shape)
