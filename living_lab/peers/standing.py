"""A region's standing in its peer group: rank, percentile and predicate, index and each domain.

Definitions (the tests check them against a direct computation):

* **rank**: competition ranking, 1 = highest score; equal published values share the best rank
  (``pandas.Series.rank(ascending=False, method="min")``), and the next rank skips accordingly.
  ``tied`` counts the other peers with exactly the same value.
* **percentile**: the share of the *other* peers that score strictly lower, in percent:
  ``100 * #(peers below) / (n - 1)``; 100 = ahead of every peer, 0 = no peer below; undefined
  (NaN) in a group of one.
* **predicate**: for the index, as published by KemenPANRB (judged on the unrounded index); for a
  domain, the regulation's predicate bands applied to the domain score (a reading aid: the
  regulation assigns predicates to the index).
* **change**: against the region's previous evaluation year, in value and in rank within the same
  named group as it was that year (members can differ between years: both ``n`` are shown).
  ``rank_change`` is positive when the region moved up.
* **rank interval**: median rank and 5-95 % interval from :func:`~living_lab.peers.rank_uncertainty`
  over the group (index: measurement noise, weights, aggregation and rounding vary; domains:
  rounding only), and the region's band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from living_lab.datasets import Confidence
from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.peers import data
from living_lab.peers.groups import PeerGroup, resolve_group
from living_lab.peers.notes import Note
from living_lab.peers.uncertainty import DEFAULT_CONCENTRATION, DEFAULT_DRAWS, rank_uncertainty
from living_lab.text import Lang, t

MEASURE_INDEX = "index"


def rank_table(values: pd.Series) -> pd.DataFrame:
    """Rank, n, percentile and ties of every value in ``values`` (NaN values are not ranked).

    >>> rank_table(pd.Series([3.0, 4.0, 4.0, 2.0], index=list("abcd")))
       value  rank  n  percentile  tied
    a    3.0     3  4   33.333333     0
    b    4.0     1  4   66.666667     1
    c    4.0     1  4   66.666667     1
    d    2.0     4  4    0.000000     0
    """
    v = pd.to_numeric(values, errors="coerce").astype(float)
    ok = v.dropna()
    n = len(ok)
    out = pd.DataFrame(index=values.index)
    out["value"] = v
    rank = ok.rank(ascending=False, method="min")
    out["rank"] = rank.reindex(values.index).astype("Int64")
    out["n"] = n
    below = ok.rank(ascending=True, method="min") - 1
    pct = 100.0 * below / (n - 1) if n > 1 else below * np.nan
    out["percentile"] = pct.reindex(values.index)
    out["tied"] = (ok.map(ok.value_counts()) - 1).reindex(values.index).astype("Int64")
    return out


def measure_label(measure: str, lang: Lang = "id") -> str:
    """Short label of ``"index"`` or a domain column, e.g. ``"D4 Layanan"``."""
    if measure == MEASURE_INDEX:
        return t("spbe_index", lang)
    return t(f"peers_domain_{measure[1:]}", lang)


@dataclass(frozen=True)
class Standing:
    """Standing of one region in one peer group and year.

    Attributes
    ----------
    table : one row per measure (``index``, ``d1``..``d4``) with value, rank, n, percentile,
        tied, predicate, previous_value, change, previous_rank, previous_n, rank_change,
        median_rank, rank_p05, rank_p95, band, band_size.
    uncertainty : the group-wide Monte Carlo table of the index (see
        :func:`~living_lab.peers.rank_uncertainty`), or None when not computed.
    """

    region_code: str
    name: str
    year: int
    previous_year: int | None
    group: PeerGroup
    table: pd.DataFrame
    uncertainty: pd.DataFrame | None = None
    notes: tuple[Note, ...] = field(default=())

    @property
    def n(self) -> int:
        return self.group.n

    def band_members(self) -> list[str]:
        """Other regions of the region's index band (cannot be told apart from it)."""
        if self.uncertainty is None:
            return []
        u = self.uncertainty.set_index("region_code")
        band = u.at[self.region_code, "band"]
        return [c for c in u.index[u["band"] == band] if c != self.region_code]

    def to_dict(self, lang: Lang = "id") -> dict[str, Any]:
        """Plain-Python form for JSON output."""
        rows = []
        for measure, row in self.table.iterrows():
            rec = {"measure": measure, "label": measure_label(str(measure), lang)}
            rec.update({k: data.plain(v) for k, v in row.items()})
            rows.append(rec)
        return {
            "region_code": self.region_code,
            "name": self.name,
            "year": self.year,
            "previous_year": self.previous_year,
            "group": self.group.name,
            "group_label": self.group.label(lang),
            "n": self.n,
            "measures": rows,
            "band_members": self.band_members(),
            "uncertainty_settings": (
                self.uncertainty.attrs.get("settings") if self.uncertainty is not None else None
            ),
            "notes": [n.text(lang) for n in (*self.group.notes, *self.notes)],
        }


def _measures() -> list[str]:
    return [MEASURE_INDEX, *load_framework().domain_columns]


def _ranks_in(group: PeerGroup, code: str) -> pd.DataFrame:
    """Rank rows of ``code`` for every measure among ``group`` in its year."""
    sc = data.scores(group.year).loc[list(group.members)]
    rows = {}
    for m in _measures():
        rows[m] = rank_table(sc[m]).loc[code]
    return pd.DataFrame(rows).T


def standing(
    region_code: str | int,
    *,
    group: str = "province",
    year: int | None = None,
    uncertainty: bool = True,
    n_draws: int = DEFAULT_DRAWS,
    concentration: float | None = DEFAULT_CONCENTRATION,
    seed: int = 0,
    min_confidence: Confidence = "medium",
) -> Standing:
    """Where a region stands among its peers, for the index and each domain.

    Parameters
    ----------
    region_code : BPS code or name.
    group : peer group (see :func:`~living_lab.peers.available_groups`).
    year : evaluation year (default: the latest).
    uncertainty : also compute rank intervals and bands by Monte Carlo.
    n_draws, concentration, seed : passed to :func:`~living_lab.peers.rank_uncertainty`.
    min_confidence : lowest confidence of outcome data for economic-class groups.

    Examples
    --------
    >>> s = standing("3211", group="province", year=2024)
    >>> row = s.table.loc["index"]
    >>> float(row["value"]), int(row["rank"]), int(row["n"])
    (4.51, 2, 27)
    """
    year = data.check_year(year)
    code = data.evaluated_region(region_code, year)
    grp = resolve_group(code, group, year=year, min_confidence=min_confidence)
    fw = load_framework()
    sc = data.scores(year).loc[list(grp.members)]
    table = _ranks_in(grp, code)
    table["predicate"] = [
        sc.at[code, "predicate"]
        if m == MEASURE_INDEX and isinstance(sc.at[code, "predicate"], str)
        else fw.predicate(float(table.at[m, "value"]))
        if pd.notna(table.at[m, "value"])
        else None
        for m in table.index
    ]
    notes: list[Note] = []
    prev = data.previous_year(code, year)
    table["previous_value"] = np.nan
    table["previous_rank"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["previous_n"] = pd.array([pd.NA] * len(table), dtype="Int64")
    if prev is not None:
        prev_scores = data.scores(prev)
        for m in table.index:
            table.at[m, "previous_value"] = prev_scores.at[code, m]
        try:
            prev_grp = resolve_group(code, group, year=prev, min_confidence=min_confidence)
        except ParameterError:
            prev_grp = None
        if prev_grp is not None and prev_grp.n > 1:
            prev_ranks = _ranks_in(prev_grp, code)
            table["previous_rank"] = prev_ranks["rank"].astype("Int64")
            table["previous_n"] = prev_ranks["n"].astype("Int64")
        else:
            notes.append(Note("peers_note_no_previous_rank", {"year": prev}))
    table["change"] = table["value"] - table["previous_value"]
    table["rank_change"] = (table["previous_rank"] - table["rank"]).astype("Int64")
    for col in ["median_rank", "rank_p05", "rank_p95", "band", "band_size"]:
        table[col] = np.nan
    ru = None
    if uncertainty and grp.n > 1:
        ru = rank_uncertainty(sc, n_draws=n_draws, concentration=concentration, seed=seed)
        for m in table.index:
            u = (
                ru
                if m == MEASURE_INDEX
                else rank_uncertainty(sc, measure=m, n_draws=n_draws, seed=seed)
            )
            row = u.set_index("region_code").loc[code]
            for col in ["median_rank", "rank_p05", "rank_p95", "band", "band_size"]:
                table.at[m, col] = row[col]
    for col in ["rank", "n", "tied", "rank_p05", "rank_p95", "band", "band_size"]:
        table[col] = pd.to_numeric(table[col]).astype("Int64")
    table["value"] = table["value"].astype(float)
    table["percentile"] = table["percentile"].astype(float)
    table.index.name = "measure"
    name = str(sc.at[code, "name"])
    return Standing(
        region_code=code,
        name=name,
        year=year,
        previous_year=prev,
        group=grp,
        table=table,
        uncertainty=ru,
        notes=tuple(notes),
    )
