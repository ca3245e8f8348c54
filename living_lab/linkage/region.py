"""Where one region stands: its outcome against the model's expectation, and comparable regions.

For a region, :func:`region_view` gives its actual outcome, the value the model expects for a
region with its SPBE level, economy and kind (in its province, when the model has province
effects), a prediction interval, the difference (residual) and its rank among all regions of the
model, and its nearest comparable regions with their SPBE and outcomes. When the region lacks a
figure the model needs, the view says which one (``status="not_enough_data"``) instead of
guessing.

Examples
--------
>>> view = region_view("Sumedang")
>>> view.status, view.name
('ok', 'Kabupaten Sumedang')
>>> view.lo < view.expected < view.hi
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from living_lab import fmt
from living_lab.errors import ParameterError
from living_lab.linkage.data import better_direction, bundled_cross_section
from living_lab.linkage.results import LinkageResult, fit_cached
from living_lab.linkage.specs import LinkageSpec, Outcome, main_spec
from living_lab.regions import region_name, resolve_region
from living_lab.text import Lang, t

Status = Literal["ok", "not_enough_data"]
#: A region this far out on its side (share of the model's regions) is described as extreme.
EXTREME_SHARE = 0.05
#: ... and this far out as larger than most (still not "ordinary").
NOTABLE_SHARE = 0.10
#: Columns of :attr:`RegionView.peers`.
PEER_COLUMNS = (
    "region_code",
    "name",
    "province",
    "kind",
    "grdp_per_capita",
    "population",
    "spbe",
    "actual",
    "expected",
    "residual",
    "better_than_region",
    "distance",
)


def position(inside: bool, tail_share: float | None) -> str:
    """Where a region falls: ``outside`` its prediction interval, else ``extreme`` (among the
    :data:`EXTREME_SHARE` furthest from expectation on its side), ``notable`` (within
    :data:`NOTABLE_SHARE`) or ``ordinary``. Reports word their sentence from this, one rule."""
    if not inside:
        return "outside"
    if tail_share is not None and tail_share <= EXTREME_SHARE:
        return "extreme"
    if tail_share is not None and tail_share <= NOTABLE_SHARE:
        return "notable"
    return "ordinary"


_POSITION_KEYS = {
    "outside": "outside",
    "extreme": "inside_extreme",
    "notable": "inside_notable",
    "ordinary": "inside",
}


@dataclass(frozen=True)
class RegionView:
    """A region's position in a linkage model.

    Attributes
    ----------
    status : ``ok`` or ``not_enough_data`` (then ``missing`` says what is missing and the
        numbers are ``None``).
    actual, expected, lo, hi : observed outcome, leave-one-out expected value and its
        prediction interval (``level``).
    residual, residual_rank : actual minus expected; rank among the ``n`` regions of the model
        (1 = furthest on the good side: below expectation for stunting and poverty).
    tail_share : share of the model's regions at least as far from expectation on the same
        side (at most :data:`EXTREME_SHARE`: an extreme position, never called ordinary).
    spbe : the region's value of the model's SPBE measure.
    peers : nearest comparable regions (columns :data:`PEER_COLUMNS`); may be empty.
    peer_features : what the peers were matched on.
    """

    region_code: str
    name: str
    outcome: str
    status: Status
    actual: float | None
    expected: float | None
    lo: float | None
    hi: float | None
    residual: float | None
    residual_rank: int | None
    n: int
    spbe: float | None
    peers: pd.DataFrame
    result: LinkageResult = field(repr=False)
    missing: tuple[str, ...] = ()
    peer_features: tuple[str, ...] = ()
    same_province: bool = False
    level: float = 0.95
    tail_share: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def inside_interval(self) -> bool | None:
        """Whether the actual value lies inside the prediction interval."""
        if not self.ok:
            return None
        return bool(self.lo <= self.actual <= self.hi)  # type: ignore[operator]

    def message(self, lang: Lang = "id") -> str:
        """The view in one short paragraph (or the explicit "not enough data" sentence)."""
        res = self.result
        unit = t(f"linkage.outcome_unit_short.{self.outcome}", lang)
        if not self.ok:
            reasons = fmt.join([self._reason_text(r, lang) for r in self.missing], lang)
            text = t(
                "linkage.view.not_enough_data",
                lang,
                name=self.name,
                outcome=res.outcome_text(lang),
                reasons=reasons,
            )
            if len(self.peers):
                text += " " + t("linkage.view.peers_without_model", lang)
            return text
        side = "below" if (self.residual or 0) < 0 else "above"
        good = (side == "below") == (better_direction(self.outcome) == "lower")
        text = t(
            "linkage.view.ok",
            lang,
            name=self.name,
            outcome=res.outcome_text(lang),
            actual=fmt.num(self.actual, lang, 1),
            unit=unit,
            spbe=res.spbe_text(lang),
            spbe_value=fmt.num(self.spbe, lang, 2),
            context=t(
                "linkage.view.context_province"
                if res.spec.province_effects
                else "linkage.view.context",
                lang,
            ),
            expected=fmt.num(self.expected, lang, 1),
            level=int(round(self.level * 100)),
            lo=fmt.num(self.lo, lang, 1),
            hi=fmt.num(self.hi, lang, 1),
            residual=fmt.num(self.residual, lang, 1, signed=True),
            side=t(f"linkage.view.side.{side}.{'good' if good else 'bad'}", lang),
            rank=self.residual_rank,
            n=self.n,
        )
        pct = round(100 * (EXTREME_SHARE if self.extreme else NOTABLE_SHARE))
        text += " " + t(self.position_key, lang, pct=pct)
        text += " " + t("linkage.view.caveat", lang)
        return text

    @property
    def extreme(self) -> bool | None:
        """Whether the region is among the :data:`EXTREME_SHARE` furthest from expectation on
        its side, or outside its prediction interval."""
        if not self.ok:
            return None
        return position(bool(self.inside_interval), self.tail_share) in ("outside", "extreme")

    @property
    def position_key(self) -> str:
        """Text key of the sentence on where the region falls (never "ordinary" when extreme)."""
        return (
            f"linkage.view.{_POSITION_KEYS[position(bool(self.inside_interval), self.tail_share)]}"
        )

    def peers_text(self, lang: Lang = "id") -> str:
        """How the comparable regions were chosen."""
        if not self.peer_features:
            return t("linkage.view.no_peers", lang)
        feats = fmt.join([t(f"linkage.peer_feature.{f}", lang) for f in self.peer_features], lang)
        text = t("linkage.view.peers_criteria", lang, features=feats)
        if self.same_province:
            text += " " + t("linkage.view.peers_same_province", lang)
        if "population" in self.peer_features:
            text += " " + t("linkage.view.peers_population_low", lang)
        return text

    def peers_table(self, lang: Lang = "id") -> pd.DataFrame:
        """The peers with reader-facing headings and formatted numbers."""
        p = self.peers
        if p.empty:
            return pd.DataFrame()
        res = self.result
        cols = {
            "name": t("linkage.peer_col.name", lang),
            "province": t("linkage.peer_col.province", lang),
            "grdp_per_capita": t("linkage.peer_col.grdp", lang, year=res.spec.grdp_year),
            "population": t("linkage.peer_col.population", lang, year=res.spec.population_year),
            "spbe": res.spbe_text(lang),
            "actual": res.outcome_text(lang),
            "expected": t("linkage.peer_col.expected", lang),
            "residual": t("linkage.peer_col.residual", lang),
        }
        out = pd.DataFrame({label: p[col] for col, label in cols.items()})
        for col, digits in (
            ("grdp_per_capita", 0),
            ("population", 0),
            ("spbe", 2),
            ("actual", 1),
            ("expected", 1),
            ("residual", 1),
        ):
            out[cols[col]] = [
                fmt.num(v, lang, digits, signed=col == "residual") if pd.notna(v) else "–"
                for v in p[col]
            ]
        return out

    def _reason_text(self, reason: str, lang: Lang) -> str:
        return reason_text(self.result, reason, lang)

    def to_dict(self) -> dict[str, object]:
        """Plain data for report manifests."""
        return {
            "region_code": self.region_code,
            "outcome": self.outcome,
            "status": self.status,
            "actual": self.actual,
            "expected": self.expected,
            "lo": self.lo,
            "hi": self.hi,
            "residual": self.residual,
            "residual_rank": self.residual_rank,
            "n": self.n,
            "missing": list(self.missing),
            "peers": self.peers["region_code"].tolist(),
        }


def reason_text(res: LinkageResult, reason: str, lang: Lang = "id") -> str:
    """Why a region is not in a model, in words (``reason`` as in ``AnalysisFrame.excluded``)."""
    s = res.spec
    if reason.startswith("low:"):
        inner = reason.split(":", 1)[1]
        what = reason_text(res, inner, lang)
        return t("linkage.view.reason.low", lang, reason=what)
    if reason.startswith("filter:"):
        name = reason.split(":", 1)[1]
        return t("linkage.view.reason.filter", lang, filter=t(f"linkage.filter.{name}", lang))
    if reason == "y":
        return t("linkage.view.reason.missing", lang, what=res.outcome_text(lang))
    if reason == "spbe":
        return t("linkage.view.reason.missing", lang, what=res.spbe_text(lang))
    if reason in ("log_grdp_pc", "log_population", "baseline_outcome"):
        year = {
            "log_grdp_pc": s.grdp_year,
            "log_population": s.population_year,
            "baseline_outcome": s.base_year,
        }[reason]
        what = t(f"linkage.variable.{reason}", lang, year=year)
        return t("linkage.view.reason.missing", lang, what=what)
    return t(f"linkage.view.reason.{reason}", lang)


@lru_cache(maxsize=16)
def _bundled_features(spec: LinkageSpec, peer_population: bool) -> pd.DataFrame:
    cs = bundled_cross_section(spec)
    grdp = cs.get(f"grdp_per_capita_thousand_idr_{spec.grdp_year}")
    feats = cs[["region_code", "name", "kind", "province", "province_code"]].copy()
    feats["grdp_per_capita"] = grdp
    # Population 2025 is the only nationwide figure and is low confidence (reference date
    # unverified); for finding similar-sized regions an uncertain reference year does not
    # matter, so it is read at low confidence here and labelled as such in the output.
    low = bundled_cross_section(spec.replace(min_confidence="low"))
    pop = low.set_index("region_code").get(f"population_{spec.population_year}")
    feats["population"] = (
        feats["region_code"].map(pop) if (pop is not None and peer_population) else np.nan
    )
    return _log_features(feats)


def _log_features(feats: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        feats["f_grdp"] = np.log(
            pd.to_numeric(feats["grdp_per_capita"], errors="coerce").astype(float)
        )
        feats["f_population"] = np.log(
            pd.to_numeric(feats["population"], errors="coerce").astype(float)
        )
    return feats.set_index("region_code", drop=False)


def _features(res: LinkageResult, peer_population: bool) -> pd.DataFrame:
    """Matching features of every region: kind, province, log GRDP pc, log population."""
    spec = res.spec
    if res.sample.origin == "bundled":
        return _bundled_features(spec, peer_population)
    frame = res.sample.frame
    feats = frame[["region_code", "name", "kind", "province", "province_code"]].copy()
    feats["grdp_per_capita"] = np.exp(frame["log_grdp_pc"]) if "log_grdp_pc" in frame else np.nan
    has_pop = "log_population" in frame and peer_population
    feats["population"] = np.exp(frame["log_population"]) if has_pop else np.nan
    return _log_features(feats)


def _peer_pool(res: LinkageResult, peer_population: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(features of every region, candidate table of the regions in the model), memoised."""
    key = f"peer_pool:{peer_population}"
    if key not in res.cache:
        feats = _features(res, peer_population)
        loo = res.loo().set_index("region_code")[["actual", "expected", "residual"]]
        spbe = res.sample.frame.set_index("region_code")["spbe"]
        pool = feats[feats.index.isin(loo.index)].copy()
        pool["spbe"] = spbe.reindex(pool.index).to_numpy(dtype=float)
        pool = pool.join(loo)
        res.cache[key] = (feats, pool)
    return res.cache[key]


def _nearest(
    res: LinkageResult,
    region_code: str,
    n_peers: int,
    same_province: bool,
    peer_population: bool,
) -> tuple[tuple[pd.DataFrame, np.ndarray, np.ndarray] | None, tuple[str, ...]]:
    """The candidates of :func:`find_peers`, the positions of the ``n_peers`` nearest (nearest
    first) and every candidate's distance; ``None`` when there are none. And the features used."""
    feats, pool = _peer_pool(res, peer_population)
    if region_code not in feats.index:
        return None, ()
    me = feats.loc[region_code]
    mask = (pool["kind"] == me["kind"]).to_numpy() & (pool.index != region_code)
    if same_province:
        mask &= (pool["province_code"] == me["province_code"]).to_numpy()
    cand = pool[mask]
    used = tuple(
        name
        for name, col in (("grdp", "f_grdp"), ("population", "f_population"))
        if pd.notna(me[col]) and cand[col].notna().any()
    )
    if not used or cand.empty:
        return None, used
    cols = [f"f_{u}" for u in used]
    cand = cand.dropna(subset=cols)
    X = cand[cols].to_numpy(dtype=float)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    dist = np.sqrt((((X - me[cols].to_numpy(dtype=float)) / sd) ** 2).sum(axis=1))
    order = np.argsort(dist, kind="stable")[:n_peers]
    return (cand, order, dist), used


def peer_codes(res: LinkageResult, region_code: str, n_peers: int = 5) -> list[str]:
    """The codes of the regions :func:`find_peers` returns (defaults), nearest first, without
    building its table (for storing every region's peers)."""
    near, _ = _nearest(res, region_code, n_peers, False, True)
    if near is None:
        return []
    cand, order, _ = near
    return [str(c) for c in cand.index[order]]


def find_peers(
    res: LinkageResult,
    region_code: str,
    *,
    n_peers: int = 5,
    same_province: bool = False,
    peer_population: bool = True,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Nearest regions of the same kind among those in the model, by standardised distance in
    log GRDP per capita and log population (optionally only in the same province).

    Returns the peers (columns :data:`PEER_COLUMNS`, nearest first) and the features used
    (a feature the region lacks is not used; with none, no peers are returned).
    """
    near, used = _nearest(res, region_code, n_peers, same_province, peer_population)
    if near is None:
        return pd.DataFrame(columns=list(PEER_COLUMNS)), used
    cand, order, dist = near
    _, pool = _peer_pool(res, peer_population)
    computed_here = {"region_code", "distance", "better_than_region"}
    out = cand.iloc[order][[c for c in PEER_COLUMNS if c not in computed_here]].copy()
    out.insert(0, "region_code", out.index.to_numpy())
    for col in ("grdp_per_capita", "population"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    out["distance"] = dist[order]
    my_actual = pool["actual"].get(region_code, np.nan)
    lower_better = better_direction(res.spec.outcome) == "lower"
    if pd.notna(my_actual):
        better = out["actual"] < my_actual if lower_better else out["actual"] > my_actual
        out["better_than_region"] = better.astype("boolean")
    else:
        out["better_than_region"] = pd.array([pd.NA] * len(out), dtype="boolean")
    return out[list(PEER_COLUMNS)].reset_index(drop=True), used


def _result_for(outcome: Outcome, result: LinkageResult | None) -> LinkageResult:
    if result is None:
        return fit_cached(main_spec(outcome, "cross_section"))
    if not isinstance(result, LinkageResult):
        raise ParameterError(f"result: expected a LinkageResult, got {type(result).__name__}")
    if result.spec.design == "twfe":
        raise ParameterError(
            "result: the region view compares regions in one cross-section; pass a "
            "cross_section or change result (the twfe model has no single expected level)"
        )
    return result


def region_view(
    region_code: str,
    outcome: Outcome = "stunting_prevalence_pct",
    result: LinkageResult | None = None,
    *,
    n_peers: int = 5,
    same_province: bool = False,
    peer_population: bool = True,
    spec: LinkageSpec | None = None,
) -> RegionView:
    """The region's actual outcome, expected value with interval, residual, rank and peers.

    Parameters
    ----------
    region_code : BPS code or any name :func:`living_lab.regions.resolve_region` accepts.
    outcome : ``stunting_prevalence_pct`` or ``poverty_rate_pct`` (its main cross-section
        model is used unless ``result`` or ``spec`` is given).
    result : a fitted cross-section or change :class:`LinkageResult` to position the region in.
    n_peers, same_province : how many comparable regions, and whether only from the province.
    peer_population : also match on population (2025, low confidence; used only for matching).

    Returns
    -------
    RegionView
        ``status="ok"`` with numbers, or ``status="not_enough_data"`` naming what is missing.
    """
    if isinstance(n_peers, bool) or not isinstance(n_peers, int) or n_peers < 0:
        raise ParameterError(f"n_peers: {n_peers!r}; expected a whole number >= 0")
    if spec is not None and result is None:
        result = fit_cached(spec)
    res = _result_for(result.spec.outcome if result is not None else outcome, result)  # type: ignore[arg-type]
    af = res.sample
    if af.origin == "bundled":
        code = resolve_region(region_code)
        name = region_name(code)
    else:
        code = str(region_code)
        names = af.frame.set_index("region_code")["name"]
        name = str(names.get(code, code))
    loo = res.loo().set_index("region_code")
    peers, used = find_peers(
        res, code, n_peers=n_peers, same_province=same_province, peer_population=peer_population
    )
    common = dict(
        region_code=code,
        name=name,
        outcome=res.spec.outcome,
        n=res.n,
        peers=peers,
        result=res,
        peer_features=used,
        same_province=same_province,
        level=0.95,
    )
    if code not in loo.index:
        reason = af.excluded.get(code, "not_in_data")
        if code in af.low_confidence:
            reason = f"low:{reason}"
        return RegionView(
            status="not_enough_data",
            actual=None,
            expected=None,
            lo=None,
            hi=None,
            residual=None,
            residual_rank=None,
            spbe=None,
            missing=(reason,),
            **common,
        )  # type: ignore[arg-type]
    row = loo.loc[code]
    spbe = float(af.frame.set_index("region_code").loc[code, "spbe"])
    if pd.isna(row["expected"]):
        return RegionView(
            status="not_enough_data",
            actual=float(row["actual"]),
            expected=None,
            lo=None,
            hi=None,
            residual=None,
            residual_rank=None,
            spbe=spbe,
            missing=("alone_in_province",),
            **common,
        )  # type: ignore[arg-type]
    return RegionView(
        status="ok",
        actual=float(row["actual"]),
        expected=float(row["expected"]),
        lo=float(row["lo"]),
        hi=float(row["hi"]),
        residual=float(row["residual"]),
        residual_rank=int(row["residual_rank"]),
        spbe=spbe,
        tail_share=float(row["tail_share"]),
        **common,  # type: ignore[arg-type]
    )


def positions(
    regions: list[str] | tuple[str, ...],
    outcome: Outcome = "stunting_prevalence_pct",
    result: LinkageResult | None = None,
    *,
    lang: Lang = "id",
) -> pd.DataFrame:
    """One row per region: status, actual, expected, interval, residual, rank and ``position``
    (:func:`position`: outside, extreme, notable or ordinary) for cohorts.

    Regions without the model's data get their reason instead of numbers.
    """
    res = _result_for(outcome, result)
    loo = res.loo().set_index("region_code")
    rows = []
    for code in regions:
        code = resolve_region(code) if res.sample.origin == "bundled" else str(code)
        if code in loo.index and pd.notna(loo.loc[code, "expected"]):
            r = loo.loc[code]
            rows.append(
                {
                    "region_code": code,
                    "name": r["name"],
                    "status": "ok",
                    "actual": float(r["actual"]),
                    "expected": float(r["expected"]),
                    "lo": float(r["lo"]),
                    "hi": float(r["hi"]),
                    "residual": float(r["residual"]),
                    "residual_rank": int(r["residual_rank"]),
                    "n": res.n,
                    "position": position(
                        bool(r["lo"] <= r["actual"] <= r["hi"]), float(r["tail_share"])
                    ),
                    "note": "",
                }
            )
        else:
            reason = (
                "alone_in_province"
                if code in loo.index
                else res.sample.excluded.get(code, "not_in_data")
            )
            if code in res.sample.low_confidence:
                reason = f"low:{reason}"
            rows.append(
                {
                    "region_code": code,
                    "name": region_name(code) if res.sample.origin == "bundled" else code,
                    "status": "not_enough_data",
                    "actual": np.nan,
                    "expected": np.nan,
                    "lo": np.nan,
                    "hi": np.nan,
                    "residual": np.nan,
                    "residual_rank": pd.NA,
                    "n": res.n,
                    "position": "",
                    "note": reason_text(res, reason, lang),
                }
            )
    return pd.DataFrame(rows)
