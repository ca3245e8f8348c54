"""How far a domain score can realistically rise in one evaluation round, from the data.

The bound of a yearly gain is read off the published changes between the two latest
evaluations (2023 -> 2024 in the bundled data) of the regions evaluated in both. For each
domain, the starting scores are split into level bands (1-2, 2-3, 3-4, 4-5 by default,
``params/improvement.yaml``); the bound of a band is a high quantile (0.9) of the changes of the
regions that started there: a gain that one region in ten starting at that level achieved. A
band with too few regions for one domain uses the changes of all four domains in that band
(``pooled`` says so). A bound is never negative, and is floored to the published precision
(0.01), so a path never assumes more than the data show. Because the bands follow the starting
level, the effort of a step grows with its level as the data show it (e.g. Tata Kelola rising
from level 1 to 2 is about three times easier than rising from 4 to 5). Where a higher band's
quantile exceeds a lower band's (a small band, or the pooled fallback), the lower band's bound is
kept: a step is never assumed to get easier as the level rises (``raw_bound`` keeps the data's
value).

Raising every domain at its own bound in the same year happens to almost no region, so the
*index* gain of a round is bounded the same way: the quantile of the published index changes of
the regions that started in the same index band (``index_bound``). These changes are also the
"experience of the group" shown to a region with a single evaluation, which has no trend of its
own.

Examples
--------
>>> b = gain_bounds()
>>> (b.from_year, b.to_year), b.bound(1, 1.2) > b.bound(1, 4.6)
((2023, 2024), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from living_lab import datasets
from living_lab.errors import ParameterError
from living_lab.framework import Framework, load_framework
from living_lab.improvement.settings import Settings, load_settings

#: Precision of published domain scores; bounds are floored to it.
RESOLUTION = 0.01


@dataclass(frozen=True, eq=False)
class GainBounds:
    """Feasibility bounds of one evaluation round, per domain and starting level band.

    Attributes
    ----------
    table : one row per domain and band: ``domain``, ``band`` (0-based), ``lo``, ``hi`` (starting
        scores ``lo <= s < hi``; the last band includes ``hi``), ``n`` (regions behind the bound),
        ``median``, ``raw_bound`` (the ``quantile`` of their changes, >= 0, floored to 0.01),
        ``bound`` (``raw_bound``, but never above a lower band's bound) and ``pooled`` (the
        band's changes of all domains were used).
    index_table : the same for the index (``domain`` 0): what regions starting at a similar
        index achieved in one round, with ``p10``, ``p90`` and ``bound`` (the quantile, floored to
        0.01, never above a lower band's).
    from_year, to_year : the two evaluations compared; ``n_regions`` regions were in both.
    quantile : the quantile used.
    """

    table: pd.DataFrame
    index_table: pd.DataFrame
    from_year: int
    to_year: int
    n_regions: int
    quantile: float

    @cached_property
    def _lookup(self) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        edges = self.index_table["lo"].to_numpy(dtype=float)
        by_domain = {
            int(d): g.sort_values("band")["bound"].to_numpy(dtype=float)
            for d, g in self.table.groupby("domain")
        }
        return edges, by_domain

    def band_of(self, score: float) -> int:
        """0-based level band of a starting score."""
        edges = self._lookup[0]
        k = int(np.searchsorted(edges, float(score), side="right")) - 1
        return min(max(k, 0), len(edges) - 1)

    def bound(self, domain: int, score: float) -> float:
        """Largest realistic gain in ``domain`` in one round, starting at ``score``."""
        by_domain = self._lookup[1]
        if domain not in by_domain:
            raise ParameterError(f"domain: {domain!r}; expected one of {sorted(by_domain)}")
        return float(by_domain[domain][self.band_of(score)])

    def index_bound(self, index: float) -> float:
        """Largest realistic index gain in one round, starting at ``index``."""
        return float(self.index_table["bound"].iloc[self.band_of(index)])

    def experience(self, index: float) -> pd.Series:
        """What regions starting at a similar index achieved in one round (``index_table`` row)."""
        return self.index_table.iloc[self.band_of(index)]


def _changes(spbe: pd.DataFrame, from_year: int, to_year: int, cols: list[str]) -> pd.DataFrame:
    a = spbe[spbe["year"] == from_year].set_index("region_code")[cols].astype(float)
    b = spbe[spbe["year"] == to_year].set_index("region_code")[cols].astype(float)
    both = a.index.intersection(b.index)
    a, b = a.loc[both].dropna(), b.loc[both].dropna()
    both = a.index.intersection(b.index)
    return pd.concat({"start": a.loc[both], "change": b.loc[both] - a.loc[both]}, axis=1)


def _floor(x: float) -> float:
    return math.floor(round(x / RESOLUTION, 6)) * RESOLUTION if np.isfinite(x) else float("nan")


def gain_bounds(
    spbe: pd.DataFrame | None = None,
    *,
    framework: Framework | None = None,
    settings: Settings | None = None,
) -> GainBounds:
    """Feasibility bounds from published results (default: the bundled SPBE table).

    Parameters
    ----------
    spbe : SPBE rows (``region_code``, ``year``, ``d1``..``d4``, ``index``); the two latest years
        with results for more than one region are compared.
    framework, settings : default: the current framework and ``params/improvement.yaml``.
    """
    fw = framework or load_framework()
    cfg = settings or load_settings()
    if spbe is None:
        spbe = datasets.load_spbe(framework=fw.id)
    counts = spbe.groupby("year").size()
    years = sorted(int(y) for y in counts[counts > 1].index)
    if len(years) < 2:
        raise ParameterError("spbe: need two evaluation years with results for several regions")
    y0, y1 = years[-2], years[-1]
    cols = fw.domain_columns
    ch = _changes(spbe, y0, y1, [*cols, "index"])
    edges = list(cfg.level_edges)
    bands = list(zip(edges[:-1], edges[1:], strict=True))

    def in_band(start: pd.Series, k: int) -> pd.Series:
        lo, hi = bands[k]
        last = k == len(bands) - 1
        return (start >= lo if k else start > -np.inf) & (start <= hi if last else start < hi)

    def stats(changes: pd.Series) -> dict[str, float]:
        if changes.empty:
            return {"n": 0, "median": np.nan, "p10": np.nan, "q": np.nan}
        return {
            "n": len(changes),
            "median": float(changes.median()),
            "p10": float(changes.quantile(0.1)),
            "q": float(changes.quantile(cfg.quantile)),
        }

    rows = []
    for k, (lo, hi) in enumerate(bands):
        pooled_changes = pd.concat(
            [ch[("change", c)][in_band(ch[("start", c)], k)] for c in cols], ignore_index=True
        )
        for d, c in zip(fw.domains, cols, strict=True):
            own = ch[("change", c)][in_band(ch[("start", c)], k)]
            pooled = len(own) < cfg.min_regions
            s = stats(pooled_changes if pooled else own)
            rows.append(
                {
                    "domain": d.number,
                    "band": k,
                    "lo": lo,
                    "hi": hi,
                    "n": s["n"],
                    "median": s["median"],
                    "raw_bound": max(_floor(s["q"]), 0.0) if s["n"] else 0.0,
                    "pooled": pooled,
                }
            )
    table = pd.DataFrame(rows).sort_values(["domain", "band"], ignore_index=True)
    table["bound"] = table.groupby("domain")["raw_bound"].cummin()
    index_rows = []
    for k, (lo, hi) in enumerate(bands):
        s = stats(ch[("change", "index")][in_band(ch[("start", "index")], k)])
        index_rows.append(
            {
                "domain": 0,
                "band": k,
                "lo": lo,
                "hi": hi,
                "n": s["n"],
                "median": s["median"],
                "p10": s["p10"],
                "p90": s["q"],
            }
        )
    index_table = pd.DataFrame(index_rows)
    index_table["bound"] = (
        index_table["p90"].map(lambda q: max(_floor(q), 0.0)).fillna(0.0).cummin()
    )
    return GainBounds(
        table=table,
        index_table=index_table,
        from_year=y0,
        to_year=y1,
        n_regions=len(ch),
        quantile=cfg.quantile,
    )
