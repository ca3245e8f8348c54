"""Peer groups: whom a region is compared with.

Named groups come from ``params/peer_groups.yaml`` (``all``, ``kind``, ``province``, ``island``,
``grdp_tertile``, ``grdp_quintile``); every cohort file ``params/cohorts/<name>.yaml`` is a
group too, named ``cohort:<name>`` (or just ``<name>`` when that does not clash with a named
group; ``cohort:<path.yaml>`` loads a cohort file from elsewhere).

A group is evaluated in one evaluation year among the regions with a published SPBE result
that year, and always contains the focal region when it was evaluated (so a cohort the region
is not part of is compared with the region added).

Examples
--------
>>> members = peer_group("3211", "province", year=2024)
>>> len(members), "3273" in members
(27, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from living_lab import cohorts, datasets
from living_lab.datasets import Confidence
from living_lab.errors import ParameterError
from living_lab.peers import data
from living_lab.peers.config import GroupSpec, load_config
from living_lab.peers.notes import Note
from living_lab.regions import resolve_region
from living_lab.text import Lang, t

COHORT_PREFIX = "cohort:"


@dataclass(frozen=True)
class PeerGroup:
    """A resolved peer group of one region (or of none, for region-free groups) in one year.

    Attributes
    ----------
    name : the group name as given (``"province"``, ``"cohort:jawa-barat"``, ...).
    members : region codes, sorted; the focal region included when it was evaluated.
    region_code : the focal region, or None.
    year : evaluation year.
    detail : what defines the group for this region (e.g. ``{"value": "Jawa Barat"}``, or the
        GRDP class, its bounds and data year).
    notes : caveats to show with any result on this group (render with ``note.text(lang)``).
    """

    name: str
    members: tuple[str, ...]
    region_code: str | None
    year: int
    detail: dict = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def n(self) -> int:
        return len(self.members)

    def label(self, lang: Lang = "id") -> str:
        """Human-readable description of the group, in ``lang``."""
        d = self.detail
        if d.get("type") == "cohort":
            return t("peers_group_cohort", lang, title=d["title_en" if lang == "en" else "title"])
        key = f"peers_group_{self.name}"
        try:
            return t(key, lang, **d)
        except KeyError:
            spec = load_config().groups.get(self.name)
            return spec.description if spec else self.name


def available_groups() -> list[str]:
    """Names accepted as ``group``: the named groups, then ``cohort:<name>`` for each cohort file.

    >>> available_groups()[:3]
    ['all', 'kind', 'province']
    """
    named = list(load_config().groups)
    files = [c for c in cohorts.available_cohorts() if c != cohorts.ALL]
    return [*named, *(COHORT_PREFIX + c for c in files)]


def _spec(group: str) -> GroupSpec | str:
    """The named group spec, or the cohort name/path for a cohort group."""
    if not isinstance(group, str) or not group.strip():
        raise ParameterError(f"group: {group!r}; expected one of {available_groups()}")
    groups = load_config().groups
    if group in groups:
        return groups[group]
    name = group[len(COHORT_PREFIX) :] if group.startswith(COHORT_PREFIX) else group
    if name in cohorts.available_cohorts() or name.endswith((".yaml", ".yml")):
        return name
    raise ParameterError.keyed(
        "err.peers.unknown_group", param="group", group=group, groups=str(available_groups())
    )


@cache
def _registry() -> pd.DataFrame:
    """The region registry by code, read once per process (callers only read it)."""
    return datasets.load_regions().set_index("region_code")


def is_relative(group: str) -> bool:
    """True when membership depends on a focal region (province, kind, GRDP class, ...)."""
    spec = _spec(group)
    return isinstance(spec, GroupSpec) and spec.type != "all"


def resolve_group(
    region: str | int | None,
    group: str = "all",
    *,
    year: int | None = None,
    min_confidence: Confidence = "medium",
) -> PeerGroup:
    """Resolve ``group`` for ``region`` in ``year`` into a :class:`PeerGroup`.

    ``region`` may be None for groups that do not depend on a region (``all`` and cohorts).
    Raises :class:`~living_lab.errors.ParameterError` when the region has no value defining
    the group (e.g. no GRDP per capita at the requested confidence, as for Papua).
    """
    year = data.check_year(year)
    spec = _spec(group)
    code = resolve_region(region) if region is not None else None
    pool = data.scores_view(year).index  # read only
    detail: dict = {}
    notes: list[Note] = []
    if isinstance(spec, str):
        cohort = cohorts.load_cohort(spec)
        members = set(cohort.regions) & set(pool)
        detail = {"type": "cohort", "title": cohort.title, "title_en": cohort.title_en}
    elif spec.type == "all":
        members = set(pool)
        detail = {"type": "all"}
    else:
        if code is None:
            raise ParameterError(
                f"group: {group!r} depends on a region (same {spec.column or spec.indicator}); "
                "pass a region, or use 'all' or a cohort"
            )
        if spec.type == "same":
            regions = _registry()
            if spec.column not in regions.columns:
                raise ParameterError(
                    f"group: {group!r} uses column {spec.column!r}, which data/regions.csv lacks"
                )
            value = regions.at[code, spec.column]
            attr = regions.loc[pool, spec.column]
            members = set(attr.index[attr == value])
            shown = value
            if spec.column == "province_code":
                shown = regions.at[code, "province"]
            detail = {"type": "same", "column": spec.column, "value": shown}
        else:
            members, detail, qnotes = _quantile_members(code, spec, pool, year, min_confidence)
            notes.extend(qnotes)
    if code is not None and code in pool:
        members.add(code)
    return PeerGroup(
        name=group,
        members=tuple(sorted(members)),
        region_code=code,
        year=year,
        detail=detail,
        notes=tuple(notes),
    )


def _quantile_members(
    code: str, spec: GroupSpec, pool: pd.Index, year: int, min_confidence: Confidence
) -> tuple[set[str], dict, list[Note]]:
    assert spec.indicator is not None and spec.classes is not None
    feat = data.outcome_feature(
        spec.indicator,
        pool.union(pd.Index([code])),
        year=year,
        min_confidence=min_confidence,
        min_coverage=load_config().partners.min_coverage,
    )
    if feat.year is None:
        raise ParameterError(
            f"group: no year of {spec.indicator} covers enough evaluated regions at confidence "
            f">= {min_confidence} to form classes"
        )
    values = feat.values
    own = values.get(code)
    if own is None or pd.isna(own):
        raise ParameterError(
            f"group: {code} has no {spec.indicator} for {feat.year} at confidence >= "
            f"{min_confidence}, so it has no class in {spec.name!r}; use another group"
        )
    # Classes are formed among the evaluated regions only, so they split the compared set.
    in_pool = values.reindex(pool).dropna()
    if in_pool.nunique() < spec.classes:
        raise ParameterError(
            f"group: only {in_pool.nunique()} distinct {spec.indicator} values among the regions "
            f"evaluated in {year}; {spec.name!r} needs at least {spec.classes}"
        )
    classes = pd.qcut(in_pool, spec.classes, labels=False, duplicates="drop")
    if code not in in_pool.index:
        # The focal region was not evaluated: place it by its value among the class bounds.
        edges = pd.qcut(in_pool, spec.classes, retbins=True, duplicates="drop")[1]
        own_class = int(min(max(0, (edges[1:-1] <= own).sum()), len(edges) - 2))
    else:
        own_class = int(classes[code])
    members = set(classes.index[classes == own_class])
    lo = float(in_pool[classes == own_class].min())
    hi = float(in_pool[classes == own_class].max())
    detail = {
        "type": "quantile",
        "indicator": spec.indicator,
        "cls": own_class + 1,
        "classes": spec.classes,
        "lo": lo,
        "hi": hi,
        "data_year": feat.year,
    }
    missing = int(values.reindex(pool).isna().sum())
    notes = []
    if missing:
        notes.append(
            Note(
                "peers_note_no_class",
                {
                    "n": missing,
                    "indicator": spec.indicator,
                    "year": feat.year,
                    "confidence": min_confidence,
                },
            )
        )
    return members, detail, notes


def peer_group(
    region_code: str | int,
    group: str = "all",
    *,
    year: int | None = None,
    min_confidence: Confidence = "medium",
) -> list[str]:
    """Codes of the regions in ``region_code``'s peer group ``group`` evaluated in ``year``.

    Parameters
    ----------
    region_code : BPS code or name of the focal region.
    group : one of :func:`available_groups` (default ``"all"``).
    year : evaluation year (default: the latest).
    min_confidence : lowest confidence of outcome data used by economic-class groups.

    Returns
    -------
    Sorted region codes, including the focal region when it was evaluated in ``year``.
    """
    return list(resolve_group(region_code, group, year=year, min_confidence=min_confidence).members)
