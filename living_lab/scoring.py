"""SPBE scores from indicator levels or domain scores, following the regulation's formulas.

PermenPANRB 59/2020, Lampiran Bab II.B.4 (Penghitungan Nilai Indeks) defines three weighted
means (weights ``B`` in percent):

* aspect index  = (1 / BA_i) * sum_j NI_ij * BI_ij   (indicator levels NI, indicator weights BI)
* domain index  = (1 / BD_i) * sum_j NA_ij * BA_ij   (aspect indices NA, aspect weights BA)
* SPBE index    = (1 / 100)  * sum_j ND_j  * BD_j    (domain indices ND, domain weights BD)

and Tabel 13 the predicate bands. Every function here keeps full precision; published tables
print two decimals, which :func:`round_half_up` reproduces for display. Predicates are judged
on the unrounded index, as KemenPANRB's 2024 tables do (Kab. Pacitan: 3.4985, printed 3.50, is
"Baik").

Two entry points:

* :func:`score_levels` scores one region (a mapping indicator number -> level) and returns a
  :class:`ScoreResult`;
* :func:`score_frame` scores many regions at once (one row per region, one column per
  indicator) and :func:`score_domains` turns domain scores into the index, both vectorised.

Examples
--------
>>> round_half_up(score_domains([3.70, 3.40, 3.00, 3.20]))
3.28
>>> res = score_levels({i: 3 for i in range(1, 48)})
>>> res.index, res.predicate
(3.0, 'Baik')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from living_lab.errors import InputError, ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK, Framework, load_framework

#: A one-region set of levels: indicator number -> level, or the levels in indicator order.
Levels = Mapping[int, Any] | Sequence[Any] | pd.Series | np.ndarray
#: Column names accepted for an indicator in :func:`score_frame`: 11, "11", "i11", "indicator_11".
_INDICATOR_COLUMN = re.compile(r"^(?:i|ind|indicator_?|indikator_?)?(\d+)$", re.IGNORECASE)


def _framework(framework: str | Framework) -> Framework:
    return framework if isinstance(framework, Framework) else load_framework(framework)


# --------------------------------------------------------------------------------------------
# Weight matrices
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightMatrices:
    """The regulation's formulas as matrices, for one framework.

    ``aspects = levels @ indicator_to_aspect``; ``domains = aspects @ aspect_to_domain``;
    ``index = domains @ domain_weights``. ``index_weights`` (indicator weight / 100) gives the
    index straight from the levels, and is what the planner uses.
    """

    indicators: np.ndarray  # indicator numbers, in framework order
    aspects: np.ndarray  # aspect numbers
    domains: np.ndarray  # domain numbers
    indicator_to_aspect: np.ndarray  # (n_indicators, n_aspects): BI_ij / BA_i
    aspect_to_domain: np.ndarray  # (n_aspects, n_domains): BA_ij / BD_i
    domain_weights: np.ndarray  # (n_domains,): BD_j / 100
    index_weights: np.ndarray  # (n_indicators,): BI / 100
    indicator_domain: np.ndarray  # domain number of each indicator
    indicator_aspect: np.ndarray  # aspect number of each indicator


def weight_matrices(framework: str | Framework = DEFAULT_FRAMEWORK) -> WeightMatrices:
    """Build the aggregation matrices of a framework from its weights."""
    fw = _framework(framework)
    inds, aspects, domains = fw.indicators, fw.aspects, fw.domains
    a_pos = {a.number: k for k, a in enumerate(aspects)}
    d_pos = {d.number: k for k, d in enumerate(domains)}
    i2a = np.zeros((len(inds), len(aspects)))
    for k, ind in enumerate(inds):
        aspect = aspects[a_pos[ind.aspect]]
        i2a[k, a_pos[ind.aspect]] = ind.weight_pct / aspect.weight_pct
    a2d = np.zeros((len(aspects), len(domains)))
    for k, a in enumerate(aspects):
        a2d[k, d_pos[a.domain]] = a.weight_pct / domains[d_pos[a.domain]].weight_pct
    total = sum(d.weight_pct for d in domains)
    return WeightMatrices(
        indicators=np.array([i.number for i in inds]),
        aspects=np.array([a.number for a in aspects]),
        domains=np.array([d.number for d in domains]),
        indicator_to_aspect=i2a,
        aspect_to_domain=a2d,
        domain_weights=np.array([d.weight_pct for d in domains]) / total,
        index_weights=np.array([i.weight_pct for i in inds]) / total,
        indicator_domain=np.array([i.domain for i in inds]),
        indicator_aspect=np.array([i.aspect for i in inds]),
    )


# --------------------------------------------------------------------------------------------
# Rounding and predicates
# --------------------------------------------------------------------------------------------


def round_half_up(x: Any, decimals: int = 2) -> Any:
    """Round as a printed table does (0.005 -> 0.01), robust to binary floating point.

    ``round(3.4985, 2)`` in Python gives 3.5 only by luck of representation and
    ``round(2.675, 2)`` gives 2.67; published tables round half up. A scalar in gives a float
    out, an array or Series gives the same type back; NaN stays NaN.

    >>> round_half_up(2.675), round_half_up(3.4985), round_half_up(3.28199999)
    (2.68, 3.5, 3.28)
    """
    scale = 10.0**decimals
    # The tiny offset absorbs representation error (2.675 is stored as 2.67499999...).
    f = lambda v: np.floor(np.asarray(v, dtype=float) * scale + 0.5 + 1e-9) / scale  # noqa: E731
    if isinstance(x, pd.Series):
        return pd.Series(f(x.to_numpy(dtype=float)), index=x.index, name=x.name)
    if isinstance(x, pd.DataFrame):
        return x.apply(lambda s: round_half_up(s, decimals) if s.dtype.kind == "f" else s)
    if np.ndim(x) == 0:
        return float(f(x))
    return f(x)


# --------------------------------------------------------------------------------------------
# Domain scores -> index
# --------------------------------------------------------------------------------------------


def score_domains(
    domain_scores: pd.DataFrame | Sequence[float] | np.ndarray | Mapping[Any, float],
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> Any:
    """SPBE index from domain scores (the regulation's Tabel 12), at full precision.

    Parameters
    ----------
    domain_scores : a DataFrame with columns ``d1``..``d4`` (one row per region/year; other
        columns are ignored), a 2-D array ``(n, 4)``, one region's 4 scores as a sequence, or a
        mapping ``{1: 3.7, 2: 3.4, ...}`` / ``{"d1": 3.7, ...}``.
    framework : framework id or object.

    Returns
    -------
    A Series (DataFrame in, same index), an array (2-D in) or a float (one region). A region
    with a missing domain gets NaN: the index of incomplete domains is not known.

    Scores must lie in 0-5. The scale is 1-5, but published tables contain a domain of 0.30
    (Kab. Banyuasin 2023, D4, as printed), so the floor accepted here is 0.

    Examples
    --------
    >>> round_half_up(score_domains([3.70, 3.40, 3.00, 3.20]))  # Lampiran, Tabel 12
    3.28
    """
    fw = _framework(framework)
    w = fw.domain_weights
    cols = fw.domain_columns
    if isinstance(domain_scores, pd.DataFrame):
        missing = [c for c in cols if c not in domain_scores.columns]
        if missing:
            raise ParameterError(
                f"domain_scores: missing column(s) {missing}; expected columns {cols}"
            )
        raw = domain_scores[cols]
        x = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        # Empty cells are missing domains (index NaN); text that is not a number is an error.
        notnum = np.isnan(x) & raw.notna().to_numpy()
        if notnum.any():
            r, c = (int(v[0]) for v in np.nonzero(notnum))
            raise ParameterError(
                f"domain_scores: row {domain_scores.index[r]!r}, {cols[c]} = "
                f"{_show(raw.iat[r, c])} is not a number; expected a domain score"
            )
        _check_domain_range(x, fw, labels=domain_scores.index)
        return pd.Series(x @ w, index=domain_scores.index, name="index")
    if isinstance(domain_scores, Mapping):
        x = _as_floats([_domain_value(domain_scores, d.number) for d in fw.domains])
    else:
        x = _as_floats(domain_scores)
    if x.shape[-1:] != (len(w),) or x.ndim > 2:
        raise ParameterError(
            f"domain_scores: expected {len(w)} domain scores per region, got shape {x.shape}"
        )
    _check_domain_range(np.atleast_2d(x), fw)
    out = x @ w
    return float(out) if x.ndim == 1 else out


def _as_floats(values: Any) -> np.ndarray:
    """Domain scores as a float array, or a ParameterError (text, None, huge integers...)."""
    try:
        if isinstance(values, str | bytes) or any(
            isinstance(v, bool | np.bool_) for v in np.ravel(np.asarray(values, dtype=object))
        ):
            raise TypeError("not a number")
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ParameterError(f"domain_scores: expected numbers, got {_show(values)}") from exc


def _show(value: Any, width: int = 60) -> str:
    """``repr`` cut to ``width`` characters, so an error about a huge value stays one short line."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _domain_value(scores: Mapping[Any, float], number: int) -> float:
    for key in (number, str(number), f"d{number}", f"D{number}"):
        if key in scores:
            return scores[key]
    raise ParameterError(f"domain_scores: no score for domain {number}; expected keys 1-4 or d1-d4")


def _check_domain_range(x: np.ndarray, fw: Framework, labels: Any = None) -> None:
    bad = ~np.isnan(x) & ((x < 0) | (x > fw.scale_max))
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        where = f"row {labels[r]!r}, " if labels is not None else ""
        raise ParameterError(
            f"domain_scores: {where}d{fw.domains[c].number} = {x[r, c]:g} is outside "
            f"0-{fw.scale_max:g}; expected a domain score on the 1-{fw.scale_max:g} scale"
        )


# --------------------------------------------------------------------------------------------
# Indicator levels -> aspects, domains, index (vectorised)
# --------------------------------------------------------------------------------------------


def _indicator_of_column(col: Any) -> int | None:
    if isinstance(col, int | np.integer):
        return int(col)
    m = _INDICATOR_COLUMN.match(str(col).strip())
    return int(m.group(1)) if m else None


def level_matrix(
    levels: pd.DataFrame, *, framework: str | Framework = DEFAULT_FRAMEWORK
) -> np.ndarray:
    """Check a wide table of levels and return it as an ``(n, 47)`` float array (NaN = missing).

    Columns are matched to indicators by number (``11``, ``"11"``, ``"i11"``, ``"indicator_11"``);
    columns that do not name an indicator are ignored, every indicator must have a column.
    Present levels must be whole numbers 1-5; an error names the row and the indicator.
    """
    fw = _framework(framework)
    numbers = [i.number for i in fw.indicators]
    by_number: dict[int, Any] = {}
    for col in levels.columns:
        n = _indicator_of_column(col)
        if n is None:
            continue
        if n not in numbers:
            raise ParameterError(
                f"levels: column {col!r} names indicator {n}, which {fw.name} does not have; "
                f"expected indicators {numbers[0]}-{numbers[-1]}"
            )
        if n in by_number:
            raise ParameterError(
                f"levels: indicator {n} has two columns ({by_number[n]!r}, {col!r})"
            )
        by_number[n] = col
    absent = [n for n in numbers if n not in by_number]
    if absent:
        raise ParameterError(
            f"levels: no column for indicator(s) {_ranges(absent)}; expected one column per indicator"
        )
    raw = levels[[by_number[n] for n in numbers]]
    x = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    notnum = np.isnan(x) & raw.notna().to_numpy()
    lo, hi = fw.scale_min, fw.scale_max
    bad = notnum | (~np.isnan(x) & ((x < lo) | (x > hi) | (x != np.round(x))))
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        raise ParameterError(
            f"levels: row {levels.index[r]!r}, indicator {numbers[c]}: {raw.iat[r, c]!r} is not a "
            f"level; expected a whole number {lo:g}-{hi:g}"
        )
    return x


def score_frame(
    levels: pd.DataFrame,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    decimals: int | None = None,
) -> pd.DataFrame:
    """Score many regions at once: one row per region, one column per indicator.

    Parameters
    ----------
    levels : wide table of levels (see :func:`level_matrix` for accepted column names). A
        missing level (NaN) makes its aspect, domain and the index NaN: the score is unknown,
        not guessed. Use :func:`score_levels` with ``allow_partial=True`` for an explicit
        treatment of missing levels.
    decimals : round the scores for display (half up); ``None`` keeps full precision.

    Returns
    -------
    DataFrame with the input's index and columns ``a1``..``a8``, ``d1``..``d4``, ``index``,
    ``predicate`` (judged on the unrounded index).

    Examples
    --------
    >>> cols = [f"i{n}" for n in range(1, 48)]
    >>> df = pd.DataFrame([[2] * 47, [4] * 47], columns=cols, index=["A", "B"])
    >>> score_frame(df)[["d4", "index", "predicate"]]
        d4  index    predicate
    A  2.0    2.0        Cukup
    B  4.0    4.0  Sangat Baik
    """
    fw = _framework(framework)
    wm = weight_matrices(fw)
    x = level_matrix(levels, framework=fw)
    aspects = _nan_matmul(x, wm.indicator_to_aspect)
    domains = _nan_matmul(aspects, wm.aspect_to_domain)
    index = _nan_matmul(domains, wm.domain_weights[:, None])[:, 0]
    out = pd.DataFrame(
        np.column_stack([aspects, domains, index]),
        index=levels.index,
        columns=[f"a{a}" for a in wm.aspects] + [f"d{d}" for d in wm.domains] + ["index"],
    )
    if decimals is not None:
        out = round_half_up(out, decimals)
    out["predicate"] = pd.Series(fw.predicates_of(index), index=levels.index, dtype=object)
    return out


def _nan_matmul(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m`` where an output is NaN only if an input it weighs is NaN (not all of them)."""
    missing = np.isnan(x)
    if not missing.any():
        return x @ m
    out = np.where(missing, 0.0, x) @ m
    out[(missing.astype(float) @ (m != 0)) > 0] = np.nan
    return out


# --------------------------------------------------------------------------------------------
# One region
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Scores of one region from its indicator levels (or from its domain scores).

    Attributes
    ----------
    index : SPBE index, full precision. Display with :func:`round_half_up` (``index_rounded``).
    predicate : judged on the unrounded index.
    domains : domain number -> score (full precision).
    aspects : aspect number -> score; ``None`` when scored from domain scores only.
    levels : indicator number -> level used (after the treatment of missing levels); ``None``
        when scored from domain scores.
    missing : indicators without a level in the input (only with ``allow_partial``).
    missing_treatment : how missing levels were treated, or ``None``.
    index_upper : with missing levels, the index if every missing one were at the top level;
        the true index lies between ``index`` and ``index_upper``.
    synthetic : True when the input was labelled synthetic (a generated example).
    framework : framework id.
    source : where the levels came from (a file name), if known.
    """

    index: float
    predicate: str
    domains: pd.Series
    aspects: pd.Series | None
    levels: pd.Series | None
    framework: str
    missing: tuple[int, ...] = ()
    missing_treatment: str | None = None
    index_upper: float | None = None
    synthetic: bool = False
    source: str | None = None
    decimals: int = field(default=2, repr=False)
    framework_def: Framework | None = field(default=None, repr=False)

    def framework_definition(self) -> Framework:
        """The framework object the scores were computed with."""
        return self.framework_def or load_framework(self.framework)

    @property
    def index_rounded(self) -> float:
        """The index as a published table would print it."""
        return round_half_up(self.index, self.decimals)

    @property
    def predicate_of_rounded(self) -> str:
        """The predicate a reader of the printed index would expect (may differ at a threshold)."""
        return self.framework_definition().predicate(self.index_rounded)

    def domain_table(self) -> pd.DataFrame:
        """Domains with names, weights and scores (full precision)."""
        fw = self.framework_definition()
        return pd.DataFrame(
            {
                "domain": [d.number for d in fw.domains],
                "name": [d.name for d in fw.domains],
                "weight_pct": [d.weight_pct for d in fw.domains],
                "score": self.domains.to_numpy(dtype=float),
            }
        )

    def aspect_table(self) -> pd.DataFrame | None:
        """Aspects with names, domain, weights and scores; ``None`` if not known."""
        if self.aspects is None:
            return None
        fw = self.framework_definition()
        return pd.DataFrame(
            {
                "aspect": [a.number for a in fw.aspects],
                "name": [a.name for a in fw.aspects],
                "domain": [a.domain for a in fw.aspects],
                "weight_pct": [a.weight_pct for a in fw.aspects],
                "score": self.aspects.to_numpy(dtype=float),
            }
        )

    def external_levels(self, lang: str = "id") -> pd.DataFrame:
        """Indicators whose level comes from an assessment by another agency, with the level used.

        Columns ``indicator, name, level, assessed_by`` (``level`` is NaN when scored from domain
        scores). Empty for a framework without externally assessed indicators.
        """
        fw = self.framework_definition()
        inds = fw.external_indicators
        return pd.DataFrame(
            {
                "indicator": [i.number for i in inds],
                "name": [i.name for i in inds],
                "level": [
                    float(self.levels[i.number]) if self.levels is not None else np.nan
                    for i in inds
                ],
                "assessed_by": [i.external[lang if lang in i.external else "id"] for i in inds],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: scores rounded as published, plus the unrounded index.

        A framework with a stated transcription confidence adds ``framework_name`` and
        ``framework_confidence``; one with externally assessed indicators adds
        ``external_levels`` (indicator, name, level, assessed_by).
        """
        r = lambda v: round_half_up(float(v), self.decimals)  # noqa: E731
        aspects = self.aspect_table()
        fw = self.framework_definition()
        about: dict[str, Any] = {}
        if fw.confidence is not None:
            about = {"framework_name": fw.name, "framework_confidence": fw.confidence}
        if fw.external_indicators:
            ext = self.external_levels("en")
            about["external_levels"] = [
                {
                    "indicator": int(e.indicator),
                    "name": e.name,
                    "level": None if np.isnan(e.level) else int(e.level),
                    "assessed_by": e.assessed_by,
                }
                for e in ext.itertuples(index=False)
            ]
        return {
            "framework": self.framework,
            **about,
            "index": r(self.index),
            "index_unrounded": float(self.index),
            "predicate": self.predicate,
            "predicate_basis": "unrounded index",
            "domains": [
                {**row, "score": r(row["score"])}
                for row in self.domain_table().to_dict(orient="records")
            ],
            "aspects": None
            if aspects is None
            else [{**row, "score": r(row["score"])} for row in aspects.to_dict(orient="records")],
            "levels": None
            if self.levels is None
            else {str(k): int(v) for k, v in self.levels.items()},
            "missing_indicators": list(self.missing),
            "missing_treatment": self.missing_treatment,
            "index_upper": None if self.index_upper is None else r(self.index_upper),
            "synthetic": self.synthetic,
            "source": self.source,
        }


def levels_series(levels: Levels, *, framework: str | Framework = DEFAULT_FRAMEWORK) -> pd.Series:
    """Normalise one region's levels to a float Series indexed by indicator number (NaN = missing).

    Accepts a mapping or Series keyed by indicator number, or a sequence in indicator order
    (then it must have one entry per indicator). Unknown indicators, non-integer levels and
    levels outside the scale raise :class:`~living_lab.errors.ParameterError`.
    """
    fw = _framework(framework)
    numbers = [i.number for i in fw.indicators]
    if isinstance(levels, pd.Series | Mapping):
        items = list(levels.items())
    else:
        seq = list(levels)
        if len(seq) != len(numbers):
            raise ParameterError(
                f"levels: got {len(seq)} levels; expected {len(numbers)} (one per indicator, in "
                "order) or a mapping indicator number -> level"
            )
        items = list(zip(numbers, seq, strict=True))
    out = pd.Series(np.nan, index=pd.Index(numbers, name="indicator"), name="level")
    seen: dict[int, Any] = {}
    for key, value in items:
        n = None if isinstance(key, bool) else _indicator_of_column(key)
        if n not in out.index:
            raise ParameterError(
                f"levels: unknown indicator {_show(key)}; expected {numbers[0]}-{numbers[-1]}"
            )
        if n in seen:
            raise ParameterError(
                f"levels: indicator {n} is given twice ({_show(seen[n])} and {_show(key)}); "
                "expected each indicator once"
            )
        seen[n] = key
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        try:
            # True is not a level, though float(True) is 1.0.
            v = np.nan if isinstance(value, bool | np.bool_) else float(value)
        except (TypeError, ValueError, OverflowError):
            v = np.nan
        if not np.isfinite(v) or v != round(v) or not fw.scale_min <= v <= fw.scale_max:
            raise ParameterError(
                f"levels: indicator {n}: {_show(value)} is not a level; expected a whole number "
                f"{fw.scale_min:g}-{fw.scale_max:g}"
            )
        out[n] = v
    return out


def score_levels(
    levels: Levels,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    allow_partial: bool = False,
    synthetic: bool = False,
    source: str | None = None,
) -> ScoreResult:
    """Score one region from its indicator levels.

    Parameters
    ----------
    levels : indicator number -> level (1-5), or 47 levels in indicator order.
    allow_partial : without it, a missing level is an error. With it, a missing level counts
        as level 1 (the floor of the scale, which an indicator without evidence gets), so the
        index is a lower bound; ``index_upper`` gives the index with the missing levels at 5.
    synthetic, source : labels carried into the result (see :class:`ScoreResult`).

    Examples
    --------
    >>> lv = {i: 3 for i in range(1, 48)} | {11: 3, 12: 4, 13: 3, 14: 2}  # Tabel 10
    >>> round_half_up(score_levels(lv).aspects[2])
    3.0
    """
    fw = _framework(framework)
    s = levels_series(levels, framework=fw)
    missing = tuple(int(n) for n in s.index[s.isna()])
    treatment = None
    upper = None
    if missing:
        if not allow_partial:
            raise InputError(
                f"no level for indicator(s) {_ranges(missing)}; fill every indicator "
                "(or allow a partial assessment explicitly)",
                file=source,
            )
        if len(missing) == len(s):
            raise InputError("no indicator has a level; nothing to score", file=source)
        treatment = f"missing levels counted as level {fw.scale_min:g} (lower bound)"
        upper_levels = s.fillna(fw.scale_max)
        s = s.fillna(fw.scale_min)
        upper = float(upper_levels.to_numpy() @ weight_matrices(fw).index_weights)
    wm = weight_matrices(fw)
    x = s.to_numpy(dtype=float)
    aspects = x @ wm.indicator_to_aspect
    domains = aspects @ wm.aspect_to_domain
    index = float(domains @ wm.domain_weights)
    return ScoreResult(
        index=index,
        predicate=fw.predicate(index),
        domains=pd.Series(domains, index=pd.Index(wm.domains, name="domain"), name="score"),
        aspects=pd.Series(aspects, index=pd.Index(wm.aspects, name="aspect"), name="score"),
        levels=s.astype(int),
        framework=fw.id,
        missing=missing,
        missing_treatment=treatment,
        index_upper=upper,
        synthetic=synthetic,
        source=source,
        decimals=fw.rounding_decimals,
        framework_def=fw,
    )


def score_from_domains(
    domain_scores: Sequence[float] | Mapping[Any, float],
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
) -> ScoreResult:
    """A :class:`ScoreResult` from one region's domain scores (aspects and levels unknown)."""
    fw = _framework(framework)
    if isinstance(domain_scores, Mapping):
        values = [_domain_value(domain_scores, d.number) for d in fw.domains]
    else:
        values = list(domain_scores)
    x = _as_floats(values)
    if x.ndim != 1:
        raise ParameterError(
            f"domain_scores: expected one region's {len(fw.domains)} domain scores, got shape "
            f"{x.shape} (score many regions with score_domains)"
        )
    if np.isnan(x).any():
        raise ParameterError("domain_scores: every domain needs a score")
    index = score_domains(x, framework=fw)
    return ScoreResult(
        index=index,
        predicate=fw.predicate(index),
        domains=pd.Series(x, index=pd.Index([d.number for d in fw.domains], name="domain")),
        aspects=None,
        levels=None,
        framework=fw.id,
        decimals=fw.rounding_decimals,
        framework_def=fw,
    )


def _ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 7]`` -> ``"1-3, 7"`` for short, readable error lines."""
    nums = sorted(numbers)
    parts: list[str] = []
    start = prev = nums[0]
    for n in [*nums[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
