"""Rank uncertainty of the SPBE index by Monte Carlo, after the OECD/JRC handbook.

The *Handbook on Constructing Composite Indicators: Methodology and User Guide* (OECD/JRC, 2008,
section 7, "Uncertainty and sensitivity analysis") propagates the uncertain inputs of a composite
index to each unit's rank and reports the median rank with an interval. Here the uncertain inputs
are:

* **Measurement noise.** A published index is read as the region's true standing plus noise:
  each draw adds ``N(0, noise_sd^2)`` to every region's index, independently. The default
  ``noise_sd`` is the trends model's noise (:data:`living_lab.trends.pooled.NOISE_PRIOR_SD`,
  0.15 index points: the SD of a published score around its region's own trend), so ranks and
  forecasts rest on one noise assumption. It is the largest of the uncertain inputs: on the
  bundled data it widens the median 5-95 % interval of West Java's 27 regions from about 3 to
  about 11 ranks. For a domain measure (``measure="d4"``) the noise of a single domain is not
  known and only rounding varies: that result is a *sensitivity to rounding*, not an
  uncertainty, and the settings say so (``varied``).
* **Aggregation.** Each draw picks, with equal chance, the official additive aggregation
  ``sum w_k x_k`` or the weighted geometric mean ``prod x_k ** w_k`` (the handbook's standard
  alternative; it rewards balanced domain scores). ``aggregations=("arithmetic",)`` keeps the
  official one only.
* **Domain weights.** Each draw takes weights from a Dirichlet distribution centred on a weighting
  scheme ``w`` with concentration ``c`` (parameters ``c * w``): the mean is ``w`` and the standard
  deviation of weight ``k`` is ``sqrt(w_k (1 - w_k) / (c + 1))``. At the default ``c = 100`` the
  official SPBE weights (13 / 25 / 16.5 / 45.5 %) vary with a standard deviation of 3.3, 4.3,
  3.7 and 4.9 points. When more frameworks exist in ``data/frameworks`` with the same domains
  (or ``alternative_weights`` are given), each draw first picks a scheme, all schemes equally
  likely, as the handbook treats a choice of weighting scheme.
* **Rounding of published scores.** Published domain scores carry two decimals. A domain whose
  indicator weights are all multiples of 0.01 of the domain weight can only take values that two
  decimals print exactly (under PermenPANRB 59/2020: D1 and D2, means of 10 levels); the others
  (D3, 11 levels; D4, unequal weights) are rounded, so their true value is drawn uniformly within
  +/- 0.005 of the printed one. The index is recomputed from the drawn domains, so the rounding
  of the published index plays no further role.

Ranks are 1 = best, computed in each draw with competition ranking (``method="min"``: equal values
share the best rank). ``official_rank`` is the rank of the index recomputed from the given domain
scores with the official weights and no noise: it can differ from the rank of the *published*
(rounded) index, which ties more often.

**Bands** group regions that cannot be told apart. Regions are taken in official-rank order; the
first opens band 1 and leads it; each next region joins the current band unless the band's leader
ranks strictly ahead of it in at least ``band_confidence`` (default 95 %) of the draws, in which
case it opens and leads a new band. Every member of a band is thus indistinguishable from the
band's top member at that level; bands are a reading aid, not a multiple-comparison test.

All randomness comes from ``numpy.random.default_rng(seed)``: the same inputs and seed give the
same table.

Examples
--------
>>> import pandas as pd
>>> s = pd.DataFrame({"d1": [3.0, 2.0], "d2": [3.0, 2.0], "d3": [3.0, 2.0], "d4": [3.0, 2.0]},
...                  index=pd.Index(["A", "B"], name="region_code"))
>>> rank_uncertainty(s, n_draws=200)[["region_code", "official_rank", "rank_p95", "band"]]
  region_code  official_rank  rank_p95  band
0           A              1         1     1
1           B              2         2     2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from living_lab.errors import ParameterError
from living_lab.framework import Framework, available_frameworks, load_framework
from living_lab.trends.pooled import NOISE_PRIOR_SD

#: Rounding noise: ``"framework"`` (from :func:`rounding_halfwidths`), one half-width for all
#: domains, one per domain, or ``None`` (none).
Rounding = Literal["framework"] | float | Sequence[float] | None
#: Other weighting schemes: ``"frameworks"`` (other framework files with the same domains), a
#: mapping of scheme name to weights, or ``None`` (official weights only).
AlternativeWeights = Mapping[str, Sequence[float]] | Literal["frameworks"] | None

Aggregation = Literal["arithmetic", "geometric"]
AGGREGATIONS: tuple[Aggregation, ...] = ("arithmetic", "geometric")

DEFAULT_CONCENTRATION = 100.0
#: Measurement noise of a published index (index points): the trends model's, one source.
DEFAULT_NOISE_SD = NOISE_PRIOR_SD
DEFAULT_DRAWS = 1000
#: Draws are simulated in blocks of this many to bound memory on large runs.
_BLOCK = 250
#: Index values are rounded to this many decimals before ranking, so that values equal in exact
#: arithmetic but not in floating point share a rank.
_RANK_DECIMALS = 10
#: Domain scores below this are raised to it before a geometric mean (a published domain score
#: below the 1-5 scale, e.g. 0, would otherwise send the region's geometric mean to zero).
_GEOMETRIC_FLOOR = 1.0


def rounding_halfwidths(framework: Framework | None = None) -> np.ndarray:
    """Half-width of the rounding interval of each published domain score.

    Zero for a domain whose every indicator weight, as a share of the domain weight, is a
    multiple of ``10 ** -rounding_decimals`` (its scores are printed exactly); otherwise half a
    unit of the last printed decimal.

    >>> rounding_halfwidths().tolist()
    [0.0, 0.0, 0.005, 0.005]
    """
    fw = framework or load_framework()
    step = 10.0 ** (-fw.rounding_decimals)
    out = []
    for d in fw.domains:
        shares = np.array([i.weight_pct / d.weight_pct for a in d.aspects for i in a.indicators])
        exact = np.allclose(shares / step, np.round(shares / step), atol=1e-9)
        out.append(0.0 if exact else step / 2)
    return np.array(out)


def _alternative_schemes(
    alternative_weights: AlternativeWeights,
    fw: Framework,
) -> dict[str, np.ndarray]:
    if alternative_weights is None:
        return {}
    k = len(fw.domains)
    if alternative_weights == "frameworks":
        out = {}
        for fid in available_frameworks():
            if fid == fw.id:
                continue
            other = load_framework(fid)
            if [d.number for d in other.domains] == [d.number for d in fw.domains]:
                out[fid] = other.domain_weights
        return out
    if not isinstance(alternative_weights, Mapping):
        raise ParameterError(
            "alternative_weights: expected a mapping name -> weights, 'frameworks' or None"
        )
    out = {}
    for name, w in alternative_weights.items():
        arr = np.asarray(w, dtype=float)
        if arr.shape != (k,) or np.any(arr <= 0) or not np.isfinite(arr).all():
            raise ParameterError(
                f"alternative_weights[{name!r}]: expected {k} positive weights, got {list(w)}"
            )
        out[str(name)] = arr / arr.sum()
    return out


def _check_scores(scores: pd.DataFrame, columns: list[str]) -> np.ndarray:
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError("scores: expected a DataFrame with domain columns d1..dK")
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise ParameterError(
            f"scores: missing column(s) {missing}; expected {columns} indexed by region_code"
        )
    if scores.index.has_duplicates:
        dup = scores.index[scores.index.duplicated()][0]
        raise ParameterError(f"scores: region {dup!r} appears more than once in the index")
    if len(scores) == 0:
        raise ParameterError("scores: no regions to rank")
    x = scores[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(x))
    if len(bad):
        r, c = bad[0]
        raise ParameterError(
            f"scores: region {scores.index[r]!r} has no numeric {columns[c]}; every domain "
            "score is needed to recompute the index (leave the region out instead)"
        )
    return x


def _ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = highest value) along the last axis."""
    return rankdata(-np.round(values, _RANK_DECIMALS), method="min", axis=-1).astype(np.int32)


def simulate_ranks(
    scores: pd.DataFrame,
    *,
    measure: str = "index",
    n_draws: int = DEFAULT_DRAWS,
    concentration: float | None = DEFAULT_CONCENTRATION,
    rounding: Rounding = "framework",
    alternative_weights: AlternativeWeights = "frameworks",
    seed: int = 0,
    framework: Framework | None = None,
    noise_sd: float | None = DEFAULT_NOISE_SD,
    aggregations: Sequence[Aggregation] = AGGREGATIONS,
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Draw ranks: returns (official ranks, rank matrix of shape (n_draws, n_regions), settings).

    ``measure`` is ``"index"`` (noise, weights, aggregation and rounding vary) or a domain
    column such as ``"d4"`` (only its rounding varies; weights and aggregation do not enter a
    domain score, and the noise of one domain is not known). ``settings["varied"]`` lists what
    varied: ``noise``, ``weights``, ``weighting_schemes``, ``aggregation``, ``rounding``.
    """
    fw = framework or load_framework()
    cols = fw.domain_columns
    if measure != "index" and measure not in cols:
        raise ParameterError(f"measure: {measure!r}; expected 'index' or one of {cols}")
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ParameterError(f"n_draws: {n_draws!r}; expected a positive integer")
    if concentration is not None and not (
        isinstance(concentration, int | float) and concentration > 0
    ):
        raise ParameterError(
            f"concentration: {concentration!r}; expected a positive number, or None/inf for "
            "fixed weights"
        )
    fixed_weights = concentration is None or np.isinf(concentration)
    if noise_sd is not None and not (
        isinstance(noise_sd, int | float) and np.isfinite(noise_sd) and noise_sd >= 0
    ):
        raise ParameterError(
            f"noise_sd: {noise_sd!r}; expected index points >= 0 (or None for no noise)"
        )
    aggs = tuple(dict.fromkeys(aggregations))
    if not aggs or any(a not in AGGREGATIONS for a in aggs):
        raise ParameterError(
            f"aggregations: {list(aggregations)!r}; expected one or more of {list(AGGREGATIONS)}"
        )
    x = _check_scores(scores, cols)
    if rounding is None:
        half = np.zeros(len(cols))
    elif isinstance(rounding, str):
        if rounding != "framework":
            raise ParameterError(f"rounding: {rounding!r}; expected 'framework', a number or None")
        half = rounding_halfwidths(fw)
    else:
        half = np.broadcast_to(np.asarray(rounding, dtype=float), (len(cols),)).copy()
        if np.any(half < 0) or not np.isfinite(half).all():
            raise ParameterError(f"rounding: {rounding!r}; expected half-widths >= 0")
    noise_index = 0.0 if noise_sd is None or measure != "index" else float(noise_sd)
    if measure != "index":
        aggs = ("arithmetic",)
    w0 = fw.domain_weights
    schemes = {fw.id: w0, **_alternative_schemes(alternative_weights, fw)}
    centres = np.array(list(schemes.values()))
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    col = None if measure == "index" else cols.index(measure)
    official = _ranks(np.einsum("nk,k->n", x, w0) if col is None else x[:, col])
    ranks = np.empty((n_draws, n), dtype=np.int32)
    for start in range(0, n_draws, _BLOCK):
        m = min(_BLOCK, n_draws - start)
        scheme = rng.integers(0, len(centres), size=m)
        if fixed_weights:
            w = centres[scheme]
        else:
            w = np.empty((m, len(cols)))
            for s in range(len(centres)):
                pick = scheme == s
                w[pick] = rng.dirichlet(concentration * centres[s], size=int(pick.sum()))
        if np.any(half > 0):
            noise = rng.uniform(-1.0, 1.0, size=(m, n, len(cols))) * half
            xs = x[None, :, :] + noise
        else:
            xs = np.broadcast_to(x, (m, n, len(cols)))
        if col is None:
            values = np.einsum("dnk,dk->dn", xs, w)
            if "geometric" in aggs:
                agg = rng.integers(0, len(aggs), size=m)
                geo = np.array([a == "geometric" for a in aggs])[agg]
                if geo.any():
                    logs = np.log(np.clip(xs[geo], _GEOMETRIC_FLOOR, None))
                    values[geo] = np.exp(np.einsum("dnk,dk->dn", logs, w[geo]))
            if noise_index > 0:
                values = values + rng.normal(0.0, noise_index, size=values.shape)
        else:
            values = xs[:, :, col]
        ranks[start : start + m] = _ranks(values)
    varied = [
        name
        for name, on in (
            ("noise", noise_index > 0),
            ("weights", col is None and not fixed_weights),
            ("weighting_schemes", col is None and len(schemes) > 1),
            ("aggregation", col is None and len(aggs) > 1),
            ("rounding", bool(np.any(half > 0))),
        )
        if on
    ]
    settings = {
        "measure": measure,
        "varied": varied,
        "noise_sd": noise_index,
        "aggregations": list(aggs),
        "n_draws": int(n_draws),
        "concentration": None if fixed_weights else float(concentration),
        "rounding_halfwidths": dict(zip(cols, half.tolist(), strict=True)),
        "schemes": {k: v.round(4).tolist() for k, v in schemes.items()},
        "seed": seed,
        "framework": fw.id,
        "n_regions": n,
    }
    return official, ranks, settings


def assign_bands(
    official: np.ndarray, ranks: np.ndarray, *, band_confidence: float = 0.95
) -> np.ndarray:
    """Band number (1 = top) of each region under the leader rule described in the module."""
    median = np.median(ranks, axis=0)
    order = np.lexsort((np.arange(len(official)), median, official))
    bands = np.empty(len(official), dtype=int)
    band, leader = 1, order[0]
    bands[leader] = 1
    for j in order[1:]:
        if np.mean(ranks[:, leader] < ranks[:, j]) >= band_confidence:
            band += 1
            leader = j
        bands[j] = band
    return bands


def rank_uncertainty(
    scores: pd.DataFrame,
    *,
    n_draws: int = DEFAULT_DRAWS,
    concentration: float | None = DEFAULT_CONCENTRATION,
    rounding: Rounding = "framework",
    alternative_weights: AlternativeWeights = "frameworks",
    seed: int = 0,
    band_confidence: float = 0.95,
    measure: str = "index",
    framework: Framework | None = None,
    noise_sd: float | None = DEFAULT_NOISE_SD,
    aggregations: Sequence[Aggregation] = AGGREGATIONS,
) -> pd.DataFrame:
    """Median rank, 5-95 % rank interval and band of each region, by Monte Carlo.

    Parameters
    ----------
    scores : domain scores ``d1``..``d4`` (as published) indexed by region_code; the regions
        ranked against each other (a peer group). Every score must be present.
    n_draws : number of Monte Carlo draws.
    concentration : Dirichlet concentration of the weights (larger = closer to the scheme's
        weights). ``None`` or ``inf`` keeps the weights fixed.
    rounding : ``"framework"`` (half-widths from :func:`rounding_halfwidths`: 0 for D1-D2, 0.005
        for D3-D4), one half-width for all domains (e.g. ``0.005``), one per domain, or ``None``
        for no rounding noise.
    alternative_weights : ``"frameworks"`` (other framework files with the same domains, if
        any), a mapping of scheme name to weights, or ``None`` (official weights only).
    seed : seed of the random generator.
    band_confidence : share of draws in which a band's leader must rank ahead of a region for
        that region to open a new band.
    measure : ``"index"`` or a domain column (then only rounding varies).
    noise_sd : measurement noise of a published index, index points (default: the trends
        model's :data:`~living_lab.trends.pooled.NOISE_PRIOR_SD`); ``None`` or 0 for none.
    aggregations : aggregations drawn with equal chance: ``"arithmetic"`` (official) and/or
        ``"geometric"``.

    Returns
    -------
    DataFrame sorted by official rank with columns region_code, official_index (recomputed,
    unrounded; for a domain measure the score), official_rank, median_rank, rank_p05,
    rank_p95, band, band_size. ``.attrs["settings"]`` records the inputs of the simulation.

    Notes
    -----
    With ``concentration=None``, ``rounding=None``, ``alternative_weights=None``,
    ``noise_sd=None`` and ``aggregations=("arithmetic",)`` every draw equals the official
    ranking, so the intervals collapse to the official ranks.
    """
    if not 0.5 < band_confidence < 1:
        raise ParameterError(f"band_confidence: {band_confidence!r}; expected a share in (0.5, 1)")
    fw = framework or load_framework()
    official, ranks, settings = simulate_ranks(
        scores,
        measure=measure,
        n_draws=n_draws,
        concentration=concentration,
        rounding=rounding,
        alternative_weights=alternative_weights,
        seed=seed,
        framework=fw,
        noise_sd=noise_sd,
        aggregations=aggregations,
    )
    x = scores[fw.domain_columns].to_numpy(dtype=float)
    value = x @ fw.domain_weights if measure == "index" else x[:, fw.domain_columns.index(measure)]
    bands = assign_bands(official, ranks, band_confidence=band_confidence)
    p05, p95 = np.quantile(ranks, [0.05, 0.95], axis=0, method="inverted_cdf")
    out = pd.DataFrame(
        {
            "region_code": scores.index.astype(str),
            "official_index": value,
            "official_rank": official.astype(int),
            "median_rank": np.median(ranks, axis=0),
            "rank_p05": p05.astype(int),
            "rank_p95": p95.astype(int),
            "band": bands,
        }
    )
    out["band_size"] = out.groupby("band")["band"].transform("size")
    settings["band_confidence"] = band_confidence
    out = out.sort_values(["official_rank", "median_rank", "region_code"], ignore_index=True)
    out.attrs["settings"] = settings
    return out
