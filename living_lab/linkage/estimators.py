"""Linear estimators of the linkage study.

* :func:`ols`: least squares (statsmodels ``OLS``) with heteroskedasticity-robust (HC1, HC3) or cluster-robust (CR1)
  variances. CR1 uses the usual small-sample factor G/(G-1) * (n-1)/(n-k) and t(G-1) critical
  values (as Stata and statsmodels do), the standard correction when clusters are few.
* :func:`wild_cluster_bootstrap`: the wild cluster *restricted* bootstrap (WCR; Cameron, Gelbach
  & Miller 2008, REStat 90(3)) with Rademacher or Webb (2023, Can. J. Econ. 56(3)) weights: a
  p-value for "coefficient = 0" and a confidence interval by test inversion, vectorised over the
  draws. Every bootstrap statistic is linear in the hypothesised value (Roodman, MacKinnon,
  Nielsen & Webb 2019, Stata Journal 19(1)), so the interval costs O(draws) per trial value.
* :func:`demean`: alternating projections that absorb region and year effects (two-way fixed
  effects on unbalanced panels).

The functions work on arrays. :func:`ols` delegates the fit and the robust variances to
statsmodels; the wild cluster bootstrap is the project's own numpy code, checked against
statsmodels refits of every bootstrap sample in ``tests/test_linkage.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import linalg, stats

from living_lab.errors import ParameterError
from living_lab.linkage._threads import single_threaded_blas

CovType = Literal["hc1", "hc3", "cluster"]
WeightType = Literal["rademacher", "webb", "auto"]
#: Below this many clusters Rademacher weights give too few distinct draws (2^G); use Webb's.
WEBB_BELOW = 12
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


@dataclass(frozen=True)
class OLSFit:
    """Coefficients and their variance from :func:`ols`."""

    names: tuple[str, ...]
    beta: np.ndarray
    vcov: np.ndarray
    resid: np.ndarray
    fitted: np.ndarray
    leverage: np.ndarray
    n: int
    k: int
    df_inference: int
    cov_type: CovType
    n_clusters: int | None
    r2: float
    ssr: float

    def index(self, name: str) -> int:
        return self.names.index(name)

    def se(self, name: str) -> float:
        j = self.index(name)
        return float(np.sqrt(self.vcov[j, j]))

    def ci(self, name: str, level: float = 0.95) -> tuple[float, float]:
        j = self.index(name)
        q = stats.t.ppf(0.5 + level / 2, self.df_inference)
        half = q * self.se(name)
        return float(self.beta[j] - half), float(self.beta[j] + half)

    def pvalue(self, name: str) -> float:
        tval = self.beta[self.index(name)] / self.se(name)
        return float(2 * stats.t.sf(abs(tval), self.df_inference))


def _cluster_codes(clusters: np.ndarray) -> tuple[np.ndarray, int]:
    _, codes = np.unique(np.asarray(clusters), return_inverse=True)
    return codes.ravel(), int(codes.max()) + 1


def _xtx_inverse(X: np.ndarray) -> np.ndarray:
    """(X'X)^-1 by Cholesky; refuses a rank-deficient design.

    Cholesky of the small k x k cross-product is used rather than a QR of X because LAPACK's
    blocked QR starts threads even for 500 x 40 designs, which on a shared machine costs more
    than the whole fit; the designs here are well conditioned (checked below).
    """
    xtx = X.T @ X
    scale = np.sqrt(np.clip(np.diag(xtx), 1e-300, None))
    try:
        L = np.linalg.cholesky(xtx / np.outer(scale, scale))
    except np.linalg.LinAlgError:
        L = None
    if L is None or np.abs(np.diag(L)).min() < 1e-7:
        raise ParameterError(
            "the model's variables are collinear in this sample (e.g. a control that does not vary, "
            "or a province whose regions are all of one kind with kota and province effects); "
            "drop a control or widen the sample"
        )
    Linv = linalg.solve_triangular(L, np.eye(L.shape[0]), lower=True)
    return (Linv.T @ Linv) / np.outer(scale, scale)


@single_threaded_blas()  # the whole call runs with one BLAS thread (see _threads)
def ols(
    X: np.ndarray,
    y: np.ndarray,
    names: tuple[str, ...] | list[str],
    *,
    cov_type: CovType = "cluster",
    clusters: np.ndarray | None = None,
    k_df: int | None = None,
    has_intercept: bool = True,
) -> OLSFit:
    """Least squares with a robust variance.

    Parameters
    ----------
    X, y : design (n x k, with the intercept column if any) and outcome.
    cov_type : ``hc1``, ``hc3`` or ``cluster`` (CR1; needs ``clusters``).
    k_df : number of parameters used in the small-sample factors (default ``k``); a
        within-transformed panel passes its regressors plus the year effects, because region
        effects nested in the clusters do not count (the fixest convention).
    has_intercept : whether R-squared is centred (for demeaned panels it is the within R2).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200); y = 1 + 2 * x + rng.normal(size=200)
    >>> fit = ols(np.column_stack([np.ones(200), x]), y, ["const", "x"], cov_type="hc1")
    >>> lo, hi = fit.ci("x")
    >>> bool(lo < 2 < hi)
    True
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = X.shape
    if n <= k:
        raise ParameterError(
            f"only {n} observations for {k} parameters; the model cannot be fitted"
        )
    xtx_inv = _xtx_inverse(X)  # refuses a collinear design with a clear message
    kk = k if k_df is None else k_df
    n_clusters = None
    # statsmodels fits and computes the robust variance (the field's reference
    # implementation); its small-sample factors count all k columns, so a within-transformed
    # panel (k_df < k) is rescaled by (n - k) / (n - k_df).
    from statsmodels.regression.linear_model import OLS  # imported on first fit (slow import)

    model = OLS(y, X)
    if cov_type == "hc1":
        res = model.fit(cov_type="HC1")
        df = n - kk
    elif cov_type == "hc3":
        res = model.fit(cov_type="HC3")
        df = n - kk
    elif cov_type == "cluster":
        if clusters is None:
            raise ParameterError("cov_type 'cluster' needs cluster labels")
        codes, G = _cluster_codes(clusters)
        if G < 2:
            raise ParameterError("cluster-robust errors need at least 2 clusters")
        res = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
        df = G - 1
        n_clusters = G
    else:
        raise ParameterError(f"cov_type: {cov_type!r}; expected 'hc1', 'hc3' or 'cluster'")
    vcov = np.asarray(res.cov_params())
    if cov_type != "hc3" and kk != k:
        vcov = vcov * (n - k) / (n - kk)
    beta = np.asarray(res.params)
    fitted = np.asarray(res.fittedvalues)
    e = y - fitted
    A = X @ xtx_inv  # row i is x_i'(X'X)^-1: the influence of observation i on beta
    h = np.einsum("ij,ij->i", A, X)
    ssr = float(e @ e)
    tss = float(((y - y.mean()) ** 2).sum()) if has_intercept else float(y @ y)
    return OLSFit(
        names=tuple(names),
        beta=beta,
        vcov=vcov,
        resid=e,
        fitted=fitted,
        leverage=h,
        n=n,
        k=kk,
        df_inference=int(df),
        cov_type=cov_type,
        n_clusters=n_clusters,
        r2=1 - ssr / tss if tss > 0 else float("nan"),
        ssr=ssr,
    )


@dataclass(frozen=True)
class WildBootstrap:
    """Result of :func:`wild_cluster_bootstrap` for one coefficient."""

    p: float
    ci_low: float
    ci_high: float
    draws: int
    weights: str
    seed: int
    n_clusters: int
    level: float
    #: Monte Carlo standard errors of ``ci_low``, ``ci_high`` (batch means over
    #: :data:`MC_BATCHES` batches of the draws; NaN with fewer than ``MC_BATCHES * 20`` draws or
    #: an unbounded end) and of ``p`` (binomial).
    mc_se_low: float = float("nan")
    mc_se_high: float = float("nan")
    mc_se_p: float = float("nan")


#: Batches of the bootstrap draws for the Monte Carlo error of the interval ends.
MC_BATCHES = 10


def draw_weights(
    n_draws: int, n_clusters: int, kind: WeightType, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """Cluster weights (draws x clusters): Rademacher (+-1) or Webb's six-point distribution."""
    if kind == "auto":
        kind = "webb" if n_clusters < WEBB_BELOW else "rademacher"
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(n_draws, n_clusters)), kind
    if kind == "webb":
        return rng.choice(_WEBB, size=(n_draws, n_clusters)), kind
    raise ParameterError(f"weights: {kind!r}; expected 'rademacher', 'webb' or 'auto'")


def _bootstrap_scores(
    W: np.ndarray,
    X: np.ndarray,
    xtx_inv: np.ndarray,
    a: np.ndarray,
    u0: np.ndarray,
    v: np.ndarray,
    codes: np.ndarray,
    G: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Numerators and cluster scores of every bootstrap draw, computed in cluster space.

    A draw's outcome is ``u(b0) * w[codes]``: its weights are constant within a cluster, so
    every product of the draws with an n-vector or n x m matrix first sums that matrix within
    clusters (G x m) and then multiplies the draws x G weights. This costs O(draws * G^2)
    instead of O(draws * n * (k + G)) and gives the same numbers up to rounding (1e-12).

    Returns ``N1, N2`` (draws; ``sum_i a_i w_i u0_i`` and the same with ``v``) and ``S1, S2``
    (draws x G; per cluster ``sum_i a_i r_i`` with ``r`` the draw's residual from the fit on X).
    """
    onehot = np.zeros((X.shape[0], G))
    onehot[np.arange(X.shape[0]), codes] = 1.0
    aH = a[:, None] * onehot  # n x G
    # residualising on X: r = E - E X (X'X)^-1 X', so r (a * onehot) = E aH - (E X) (X'X)^-1 X' aH
    back = xtx_inv @ (X.T @ aH)  # k x G

    def cluster_space(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        uH = onehot.T * u  # G x n: row g holds u on cluster g
        C = uH @ aH - (uH @ X) @ back  # G x G: draws' scores are W @ C
        return W @ (uH @ a), W @ C

    N1, S1 = cluster_space(u0)
    N2, S2 = cluster_space(v)
    return N1, N2, S1, S2


@single_threaded_blas()  # the whole call runs with one BLAS thread (see _threads)
def wild_cluster_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    clusters: np.ndarray,
    column: int,
    *,
    draws: int = 999,
    weights: WeightType = "auto",
    seed: int = 0,
    level: float = 0.95,
    k_df: int | None = None,
) -> WildBootstrap:
    """Wild cluster restricted bootstrap for coefficient ``column`` (WCR, symmetric t test).

    The null "coefficient = b0" is imposed, residuals of the restricted fit are flipped by a
    weight per cluster, and the CR1 t statistic of each bootstrap sample is compared with the
    observed one. The p-value is that of b0 = 0; the interval collects every b0 not rejected at
    ``1 - level`` (found by bisection). All draws are evaluated at once.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(30), 10); x = rng.normal(size=300) + rng.normal(size=30)[g]
    >>> y = 0.5 * x + rng.normal(size=300) + rng.normal(size=30)[g]
    >>> res = wild_cluster_bootstrap(np.column_stack([np.ones(300), x]), y, g, 1, draws=399)
    >>> res.ci_low < 0.5 < res.ci_high
    True
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n, k = X.shape
    codes, G = _cluster_codes(clusters)
    kk = k if k_df is None else k_df
    c = (G / (G - 1)) * ((n - 1) / (n - kk))
    xtx_inv = _xtx_inverse(X)
    a = (X @ xtx_inv)[:, column]  # beta_j = a'y
    beta_hat = float(a @ y)
    e = y - X @ (xtx_inv @ (X.T @ y))
    s_obs = np.bincount(codes, weights=a * e, minlength=G)
    se_hat = float(np.sqrt(c * (s_obs**2).sum()))

    # Restricted residuals are linear in b0: u(b0) = M_Z y - b0 M_Z x.
    Z = np.delete(X, column, axis=1)
    x = X[:, column]
    if Z.shape[1]:
        ztz_inv = _xtx_inverse(Z)
        u0 = y - Z @ (ztz_inv @ (Z.T @ y))
        v = x - Z @ (ztz_inv @ (Z.T @ x))
    else:
        u0, v = y.copy(), x.copy()

    rng = np.random.default_rng(seed)
    W, kind = draw_weights(draws, G, weights, rng)
    N1, N2, S1, S2 = _bootstrap_scores(W, X, xtx_inv, a, u0, v, codes, G)
    q11 = c * (S1 * S1).sum(axis=1)
    q12 = c * (S1 * S2).sum(axis=1)
    q22 = c * (S2 * S2).sum(axis=1)

    def pvalue(b0: float, rows: slice = slice(None)) -> float:
        num = N1[rows] - b0 * N2[rows]
        den = np.sqrt(np.clip(q11[rows] - 2 * b0 * q12[rows] + b0 * b0 * q22[rows], 1e-300, None))
        t_obs = abs(beta_hat - b0) / se_hat
        return np.count_nonzero(np.abs(num / den) >= t_obs - 1e-12) / num.size

    alpha = 1 - level

    def bound(direction: float, rows: slice = slice(None)) -> float:
        inside = beta_hat
        step = max(se_hat, 1e-12)
        outside = beta_hat + direction * 2 * step
        for _ in range(60):
            if pvalue(outside, rows) <= alpha:
                break
            inside, outside = outside, beta_hat + direction * 2 * abs(outside - beta_hat)
        else:
            return float(direction * np.inf)
        for _ in range(60):
            mid = (inside + outside) / 2
            if pvalue(mid, rows) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) < 1e-7 * step:
                break
        return float((inside + outside) / 2)

    def batch_se(direction: float) -> float:
        # Batch means: the ends from MC_BATCHES disjoint batches of the draws scatter with
        # sqrt(MC_BATCHES) times the Monte Carlo SE of the end from all draws.
        if draws < MC_BATCHES * 20:
            return float("nan")
        size = draws // MC_BATCHES
        ends = np.array(
            [bound(direction, slice(b * size, (b + 1) * size)) for b in range(MC_BATCHES)]
        )
        if not np.isfinite(ends).all():
            return float("nan")
        return float(ends.std(ddof=1) / np.sqrt(MC_BATCHES))

    p = pvalue(0.0)
    return WildBootstrap(
        p=p,
        ci_low=bound(-1.0),
        ci_high=bound(1.0),
        draws=draws,
        weights=kind,
        seed=seed,
        n_clusters=G,
        level=level,
        mc_se_low=batch_se(-1.0),
        mc_se_high=batch_se(1.0),
        mc_se_p=float(np.sqrt(p * (1 - p) / draws)),
    )


def demean(
    M: np.ndarray, groups: list[np.ndarray], *, tol: float = 1e-10, max_iter: int = 10_000
) -> np.ndarray:
    """Remove group means of several groupings at once (alternating projections).

    With ``groups=[region, year]`` this is the within transformation of two-way fixed effects;
    on an unbalanced panel it iterates until the largest change is below ``tol``.
    """
    out = np.array(M, dtype=float, copy=True)
    squeeze = out.ndim == 1
    if squeeze:
        out = out[:, None]
    coded = []
    for g in groups:
        codes, G = _cluster_codes(g)
        coded.append((codes, G, np.bincount(codes, minlength=G).astype(float)))
    for _ in range(max_iter):
        change = 0.0
        for codes, G, counts in coded:
            sums = np.zeros((G, out.shape[1]))
            np.add.at(sums, codes, out)
            means = sums / counts[:, None]
            out -= means[codes]
            change = max(change, float(np.abs(means).max()))
        if change < tol or len(coded) == 1:
            break
    return out[:, 0] if squeeze else out
