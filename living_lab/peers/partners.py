"""Study-visit partners: peers like the region in context that clearly lead it in a domain.

Rules (defaults in ``params/peer_groups.yaml``, section ``partners``):

1. **Domain**: the one asked for; by default the region's *largest lever* in the group
   (:func:`~living_lab.peers.frontier_gap`), or its lowest-scoring domain when it is at the
   frontier (within rounding) everywhere.
2. **Candidates**: the other members of the peer group (default ``all``) evaluated in the year
   whose score in the domain is *clearly higher*: ahead by more than :func:`clear_lead_margin`
   (the rounding of two published scores plus the measurement noise of two evaluations, the
   figures the uncertainty and trend models use; about 0.22 points) and by at least
   ``min_lead`` (0.10) points.
3. **Similarity in context**, computed only on the context both regions have: kind
   (kabupaten/kota; optionally province and island group) counts 0 when equal and 1 when not;
   log GRDP per capita and log population the difference in standard deviations across all
   regions with the value; each term weighted, summed, square-rooted. A numeric feature is used
   only when the focal region has it and at least ``min_coverage`` of the candidates have it
   for one common year; otherwise it is left out and a note says so. Population: the only
   figure for every region (Kemendagri 2025) is low confidence, so at the default
   ``min_confidence`` ("medium") population is used only where a medium-confidence series
   covers the pool (Jawa Barat, 2020). A candidate that shares fewer than
   ``min_shared_numeric`` numeric figures with the region (``params/peer_groups.yaml``; kind
   alone does not make two regions alike) gets no distance: its similarity is *unknown*, and
   ``unknown_reason`` says whether the region's or the candidate's figure is missing.
4. The ``n`` closest candidates are returned (candidates of unknown similarity after those of
   known distance, largest lead first) with their scores, lead, the context they were compared
   on (``shared_context``) and changes since their previous evaluation. If no peer clearly
   leads, ``status`` is ``"none_found"`` and the table is empty: an explicit answer, never a
   silent blank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from living_lab import datasets
from living_lab.datasets import Confidence
from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.peers import data
from living_lab.peers.config import NUMERIC_FEATURES, ContextFeature, FrontierMethod, load_config
from living_lab.peers.frontier import frontier_gap
from living_lab.peers.groups import PeerGroup, resolve_group
from living_lab.peers.notes import Note, TextKey
from living_lab.peers.uncertainty import rounding_halfwidths
from living_lab.text import Lang

Status = Literal["ok", "none_found"]
DomainReason = Literal["requested", "focus", "largest_lever", "lowest_score"]
_CATEGORICAL = {"kind": "kind", "province": "province_code", "island": "island_group"}
# Columns of PartnerResult.table, in order (the context values used follow them).
_TABLE_COLUMNS = (
    "region_code",
    "name",
    "kind",
    "province",
    "value",
    "lead",
    "previous_year",
    "previous_value",
    "change",
    "index",
    "index_change",
    "distance",
    "shared_context",
    "unknown_reason",
)


@dataclass(frozen=True)
class PartnerResult:
    """Study-visit partners of one region in one domain.

    Attributes
    ----------
    status : ``"ok"`` or ``"none_found"`` (no peer in the group clearly leads the region).
    domain : domain number; ``domain_reason`` says why it was chosen.
    table : partners, closest in context first: region_code, name, kind, province, value, lead,
        previous_year, previous_value, change, index, index_change, distance (NaN: similarity
        unknown), shared_context (the features the distance used, comma-separated),
        unknown_reason (``"own_missing"``, ``"candidate_missing"`` or ""), and the context
        values used (grdp, population); empty when none are found.
    features_used : context features in the distance; ``notes`` say what was left out and why.
    n_ahead : peers that clearly lead the region in the domain (before keeping the ``n`` closest).
    """

    status: Status
    region_code: str
    name: str
    domain: int
    domain_reason: DomainReason
    year: int
    group: PeerGroup
    value: float
    min_lead: float
    n_ahead: int
    features_used: tuple[str, ...]
    table: pd.DataFrame
    feature_years: dict[str, int] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    def to_dict(self, lang: Lang = "id") -> dict[str, Any]:
        """Plain-Python form for JSON output."""
        return {
            "status": self.status,
            "region_code": self.region_code,
            "name": self.name,
            "domain": self.domain,
            "domain_reason": self.domain_reason,
            "year": self.year,
            "group": self.group.name,
            "group_label": self.group.label(lang),
            "value": self.value,
            "min_lead": self.min_lead,
            "n_ahead": self.n_ahead,
            "features_used": list(self.features_used),
            "feature_years": self.feature_years,
            "partners": [
                {
                    **{k: data.plain(v) for k, v in row.items()},
                    "shared_context": [f for f in str(row["shared_context"]).split(",") if f],
                }
                for row in self.table.to_dict("records")
            ],
            "notes": [n.text(lang) for n in (*self.group.notes, *self.notes)],
        }


def clear_lead_margin(domain: int, *, noise_sd: float | None = None) -> float:
    """Smallest lead in a domain that is more than rounding and measurement noise.

    ``2 * h + sqrt(2) * noise_sd``: the rounding half-widths ``h`` of two published scores
    (:func:`~living_lab.peers.uncertainty.rounding_halfwidths`: 0 for D1-D2, 0.005 for D3-D4)
    plus one standard deviation of the difference of two independent noisy evaluations. The
    noise is the trend model's measurement noise of an evaluation
    (:data:`living_lab.trends.pooled.NOISE_PRIOR_SD`, 0.15 index points; a domain score, built
    from fewer indicators, is at least as noisy, so this is a lower bound). The same margin
    decides when a domain stands out against the benchmark (:mod:`living_lab.improvement`).

    >>> round(clear_lead_margin(4), 3)
    0.222
    """
    from living_lab.trends.pooled import NOISE_PRIOR_SD

    fw = load_framework()
    numbers = [d.number for d in fw.domains]
    if domain not in numbers:
        raise ParameterError(f"domain: {domain!r}; expected one of {numbers}")
    sd = NOISE_PRIOR_SD if noise_sd is None else float(noise_sd)
    h = float(rounding_halfwidths(fw)[numbers.index(domain)])
    return 2 * h + float(np.sqrt(2)) * sd


@cache
def _default_margin(domain: int) -> float:
    """:func:`clear_lead_margin` of a domain at the default noise, once per process (it depends
    only on the cached framework and the trend model's noise constant)."""
    return clear_lead_margin(domain)


def _pick_domain(
    code: str,
    domain: int | None,
    group: str,
    year: int,
    min_confidence: Confidence,
    frontier: FrontierMethod | None,
) -> tuple[int, DomainReason]:
    numbers = [d.number for d in load_framework().domains]
    if domain is not None:
        if (
            isinstance(domain, bool)
            or not isinstance(domain, int | np.integer)
            or domain not in numbers
        ):
            raise ParameterError(f"domain: {domain!r}; expected one of {numbers}")
        return int(domain), "requested"
    fg = frontier_gap(
        code, group=group, year=year, frontier=frontier, min_confidence=min_confidence
    )
    if fg["clear"].iloc[0] and fg["index_gain"].iloc[0] > 0:
        return int(fg["domain"].iloc[0]), "largest_lever"
    lowest = fg.sort_values(["value", "domain"]).iloc[0]
    return int(lowest["domain"]), "lowest_score"


@cache
def _attribute(year: int, column: str) -> np.ndarray:
    """A region attribute of the scores table of ``year`` as an array (read only)."""
    return data.scores_view(year)[column].to_numpy()


@dataclass(frozen=True)
class _PoolFeature:
    """:func:`~living_lab.peers.data.outcome_feature` of a pool (the peers ahead and the region)
    from arrays: the chosen year, coverage, confidence, the values of the peers ahead and the
    region's own value."""

    year: int | None
    coverage: float
    confidence: str
    values: np.ndarray
    own: float


@cache
def _feature_years(
    indicator: str, year: int, min_confidence: Confidence
) -> tuple[tuple[int, np.ndarray, np.ndarray, str], ...]:
    """Each data year of an indicator in the order :func:`~living_lab.peers.data.outcome_feature`
    tries them (latest at or before ``year``, then the earliest later), with whether each region
    of the scores table of ``year`` has a value and the values, aligned with that table."""
    by_year, confidence = data._indicator_by_year(indicator, min_confidence)
    index = data.scores_view(year).index
    before = sorted((y for y in by_year if y <= year), reverse=True)
    after = sorted(y for y in by_year if y > year)
    out = []
    for y in [*before, *after]:
        have = by_year[y].index[by_year[y].notna().to_numpy()]
        values = by_year[y].reindex(index).astype(float).to_numpy()
        out.append((y, index.isin(have), values, confidence[y]))
    return tuple(out)


def _pool_feature(
    indicator: str,
    year: int,
    min_confidence: Confidence,
    min_coverage: float,
    ahead_pos: np.ndarray,
    own_pos: int,
) -> _PoolFeature:
    """The same choice as :func:`~living_lab.peers.data.outcome_feature` for the pool of the
    peers ahead and the region: one common year, the first whose coverage of the pool reaches
    ``min_coverage``."""
    pool = np.append(ahead_pos, own_pos)
    coverage_seen = 0.0
    for y, has, values, confidence in _feature_years(indicator, year, min_confidence):
        cov = float(has[pool].mean())
        coverage_seen = max(coverage_seen, cov)
        if cov >= min_coverage and cov > 0:
            return _PoolFeature(y, cov, confidence, values[ahead_pos], values[own_pos])
    return _PoolFeature(
        None, coverage_seen, min_confidence, np.full(len(ahead_pos), np.nan), np.nan
    )


def _partner_table(
    year: int,
    measure: str,
    pos: np.ndarray,
    *,
    lead: np.ndarray,
    distance: np.ndarray,
    shared: list[str],
    unknown_reason: list[str],
    context: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The partners' table (:attr:`PartnerResult.table`) for the rows ``pos`` of the scores
    table of ``year``, with each partner's previous evaluation and the change since."""
    sc = data.scores_view(year)
    codes = [str(c) for c in sc.index[pos]]
    value = sc[measure].to_numpy(dtype=float)[pos]
    index = sc["index"].to_numpy(dtype=float)[pos]
    prev_year: list[Any] = []
    prev_value, prev_index = np.full(len(pos), np.nan), np.full(len(pos), np.nan)
    for i, c in enumerate(codes):
        prev = data.previous_year(c, year)
        prev_year.append(pd.NA if prev is None else prev)
        if prev is not None:
            ps = data.scores_view(prev)
            k = data.row_positions(prev)[c]
            v = ps[measure].iat[k]
            prev_value[i] = float(v) if pd.notna(v) else np.nan
            prev_index[i] = float(ps["index"].iat[k])
    # Text columns as the scores table holds them, lists where pandas infers the type (as the
    # table built from rows of the scores table did).
    attrs = {c: sc[c].iloc[pos].reset_index(drop=True) for c in ("name", "kind", "province")}
    table = pd.DataFrame(
        {
            "region_code": codes,
            **attrs,
            "value": value,
            "lead": lead,
            "previous_year": pd.array(prev_year, dtype="Int64"),
            "previous_value": prev_value,
            "change": value - prev_value,
            "index": index,
            "index_change": index - prev_index,
            "distance": distance,
            "shared_context": shared,
            "unknown_reason": unknown_reason,
        }
    )
    for f, v in context.items():
        table[f] = v
    return table


@cache
def _regions() -> pd.DataFrame:
    """The region registry by code, read once per process (the bundled table does not change
    while it runs; callers only read it)."""
    return datasets.load_regions().set_index("region_code")


@cache
def _log_sd(indicator: str, year: int, min_confidence: Confidence) -> float:
    """Scale of a numeric feature: SD of the log values across every region with the figure
    in ``year`` (NaN with fewer than two), computed once per indicator and year."""
    everyone = data.outcome_feature(
        indicator,
        _regions().index,
        year=year,
        min_confidence=min_confidence,
    )
    logs_all = np.log(everyone.values[everyone.values > 0])
    return float(logs_all.std(ddof=1)) if len(logs_all) > 1 else np.nan


def study_partners(
    region_code: str | int,
    *,
    domain: int | None = None,
    group: str = "all",
    year: int | None = None,
    n: int = 5,
    min_lead: float | None = None,
    match_on: Sequence[ContextFeature] | None = None,
    min_confidence: Confidence = "medium",
    lever_group: str | None = None,
    frontier: FrontierMethod | None = None,
) -> PartnerResult:
    """Peers most similar in context that clearly lead ``region_code`` in a domain.

    Parameters
    ----------
    region_code : BPS code or name.
    domain : domain number (1-4); default: the region's largest lever in ``group``.
    group : peer group searched (default ``"all"``: every evaluated kabupaten/kota).
    year : evaluation year (default: the latest).
    n : number of partners to return.
    min_lead : smallest lead in the domain that counts as clearly higher (default 0.10); never
        below :func:`clear_lead_margin`.
    match_on : context features (subset of kind, grdp, population, province, island).
    min_confidence : lowest confidence of the outcome data behind grdp and population.
    lever_group : group in which the largest lever is sought when ``domain`` is None (default:
        ``group``), e.g. the province while partners are searched nationwide.
    frontier : frontier rule of that lever (see :func:`~living_lab.peers.frontier_gap`).

    Examples
    --------
    >>> r = study_partners("3211", domain=4, year=2024)
    >>> r.status, bool((r.table["lead"] >= r.min_lead).all())
    ('ok', True)
    """
    cfg = load_config().partners
    year = data.check_year(year)
    code = data.evaluated_region(region_code, year)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ParameterError(f"n: {n!r}; expected a positive integer")
    features = tuple(cfg.match_on if match_on is None else match_on)
    for f in features:
        if f not in get_args(ContextFeature):
            raise ParameterError(
                f"match_on: unknown feature {f!r}; expected some of {list(get_args(ContextFeature))}"
            )
    dom, reason = _pick_domain(code, domain, lever_group or group, year, min_confidence, frontier)
    measure = f"d{dom}"
    margin = _default_margin(dom)
    lead_min = cfg.min_lead if min_lead is None else float(min_lead)
    if not np.isfinite(lead_min) or lead_min < 0:
        raise ParameterError(f"min_lead: {min_lead!r}; expected a number >= 0")
    lead_min = max(lead_min, margin)
    grp = resolve_group(code, group, year=year, min_confidence=min_confidence)
    sc = data.scores_view(year)
    at = data.row_positions(year)
    own_pos = at[code]
    values_of = sc[measure].to_numpy(dtype=float)
    own_value = float(values_of[own_pos])
    peer_pos = data.member_rows(year, grp.members, exclude=code)
    lead = values_of[peer_pos] - own_value
    # Ahead by more than the margin (a printed lead equal to it is not clear: 1e-9 absorbs
    # floating point, e.g. 3.3 - 3.2 < 0.1 in binary). Arrays over the peers ahead from here on
    # (in member order, i.e. by code), indexed like ``ahead_pos``.
    is_ahead = lead > lead_min + 1e-9
    ahead_pos = peer_pos[is_ahead]
    lead = lead[is_ahead]
    n_ahead = len(ahead_pos)
    notes: list[Note] = []
    used: list[str] = []
    feature_years: dict[str, int] = {}
    dist2 = np.zeros(n_ahead)
    # The context each peer shares with the region: (feature, which peers; None = all).
    shared: list[tuple[str, np.ndarray | None]] = []
    n_numeric = np.zeros(n_ahead, dtype=int)
    own_missing = False
    values: dict[str, np.ndarray] = {}
    for f in features:
        w = cfg.weights[f]
        if f in _CATEGORICAL:
            attr = _attribute(year, _CATEGORICAL[f])
            differs = attr[ahead_pos] != attr[own_pos]
            dist2 += w * differs.astype(float)
            used.append(f)
            shared.append((f, None))
            continue
        indicator = cfg.indicators[f]
        feat = _pool_feature(indicator, year, min_confidence, cfg.min_coverage, ahead_pos, own_pos)
        if feat.year is None:
            notes.append(
                Note(
                    f"peers_note_feature_unused_{f}",
                    {
                        "coverage": round(100 * feat.coverage),
                        "confidence": min_confidence,
                        "min_coverage": round(100 * cfg.min_coverage),
                    },
                )
            )
            continue
        own = feat.own
        if pd.isna(own):
            own_missing = True
            notes.append(
                Note(
                    "peers_note_feature_own_missing",
                    {
                        "feature": TextKey(f"peers_feature_{f}"),
                        "year": feat.year,
                        "confidence": min_confidence,
                    },
                )
            )
            continue
        sd = _log_sd(indicator, int(feat.year), min_confidence)
        v = feat.values
        z = (np.log(np.where(v > 0, v, np.nan)) - np.log(own)) / sd
        has = ~np.isnan(z)
        # Only context both regions have enters the distance.
        z2 = z**2
        dist2 += w * np.where(np.isnan(z2), 0.0, z2)
        n_numeric += has.astype(int)
        shared.append((f, has))
        if (~has).any():
            notes.append(
                Note(
                    "peers_note_feature_missing_candidates",
                    {
                        "n": int((~has).sum()),
                        "feature": TextKey(f"peers_feature_{f}"),
                        "year": feat.year,
                    },
                )
            )
        used.append(f)
        feature_years[f] = int(feat.year)
        values[f] = v
        if feat.confidence == "low":
            notes.append(
                Note(
                    "peers_note_feature_low_confidence",
                    {"feature": TextKey(f"peers_feature_{f}"), "year": feat.year},
                )
            )
    known = n_numeric >= cfg.min_shared_numeric
    distance = np.where(known, np.sqrt(dist2), np.nan)
    if n_ahead and not known.any():
        notes.append(Note("peers_note_similarity_unknown", {}))
    if n_ahead == 0:
        table = pd.DataFrame(columns=list(_TABLE_COLUMNS))
        status: Status = "none_found"
    else:
        # Known distances first (closest first), then unknown similarity by lead; ties by code
        # (the arrays are in code order and the sort is stable).
        missing = np.isnan(distance)
        top = np.lexsort((-lead, np.where(missing, 0.0, distance), missing))[:n]
        why_unknown = "own_missing" if own_missing or not values else "candidate_missing"
        table = _partner_table(
            year,
            measure,
            ahead_pos[top],
            lead=lead[top],
            distance=distance[top],
            shared=[",".join(f for f, has in shared if has is None or has[i]) for i in top],
            unknown_reason=["" if known[i] else why_unknown for i in top],
            context={f: values[f][top] for f in NUMERIC_FEATURES if f in values},
        )
        status = "ok"
    return PartnerResult(
        status=status,
        region_code=code,
        name=str(sc["name"].iat[own_pos]),
        domain=dom,
        domain_reason=reason,
        year=year,
        group=grp,
        value=own_value,
        min_lead=lead_min,
        n_ahead=n_ahead,
        features_used=tuple(used),
        table=table,
        feature_years=feature_years,
        notes=tuple(notes),
    )
