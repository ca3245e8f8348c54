"""Resolve what users type and what sources print to a region's BPS code.

Accepted forms: a BPS code (``"3211"``), a Kemendagri code (``"32.11"`` style, looked up, never
read as a BPS code), an official or printed name (``"Kabupaten Sumedang"``, ``"KABUPATEN SUMEDANG"``,
``"Pemerintah Kab. Sumedang"``), a short name (``"Sumedang"``) and ``"Kota Bandung"`` vs
``"Kab. Bandung"``. A bare name shared by a kabupaten and a kota (``"Bandung"``) is refused,
naming both candidates on one line: BPS tables read it as the kabupaten, while most people
mean the city, so guessing either way could silently report on the wrong government (and a
refusal costs one retyped word).

Spellings live in ``data/region_aliases.csv``; add a row there to teach a new one.

Examples
--------
>>> resolve_region("Kab. Sumedang")
'3211'
>>> resolve_region("Kota Bandung"), resolve_region("Kab. Bandung")
('3273', '3204')
>>> resolve_region("Bandung")
Traceback (most recent call last):
...
living_lab.errors.UnknownRegionError: ambiguous region name 'Bandung': Kabupaten Bandung (3204) or Kota Bandung (3273); write "Kab." or "Kota" before the name
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from living_lab import tables
from living_lab.errors import UnknownRegionError

_KIND_PREFIX = re.compile(
    r"^(?:pemerintah\s+)?(?P<kind>kabupaten\s+administrasi|kota\s+administrasi|kabupaten|kab\.?|kota|kot\.?)\s+",
)
_PREFIX_KIND = {"kabupaten": "kabupaten", "kab": "kabupaten", "kota": "kota", "kot": "kota"}


def _fold(text: str) -> str:
    text = text.lower().replace("\u00a0", " ")
    text = re.sub(r"[\"'`’.,()\-_/]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def split_name(name: str) -> tuple[str | None, str]:
    """Split a printed name into (kind or None, folded core name)."""
    text = re.sub(r"\s+", " ", name.strip().lower())
    text = re.sub(r"^pemerintah\s+", "", text)
    m = _KIND_PREFIX.match(text + " ")
    kind = None
    if m:
        word = m.group("kind").split()[0].rstrip(".")
        kind = _PREFIX_KIND[word]
        text = text[m.end() :] if m.end() <= len(text) else ""
    return kind, _fold(text)


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, str]
    by_kemendagri: dict[str, str]
    by_alias: dict[str, set[str]]
    by_core: dict[tuple[str, str], set[str]]
    names: dict[str, str]
    kinds: dict[str, str]


@cache
def _index() -> _Index:
    regions = tables.load_regions()
    aliases = tables.load_region_aliases()
    by_alias: dict[str, set[str]] = {}
    by_core: dict[tuple[str, str], set[str]] = {}
    kinds = dict(zip(regions["region_code"], regions["kind"], strict=True))
    for alias, code in zip(aliases["alias"], aliases["region_code"], strict=True):
        by_alias.setdefault(_fold(alias), set()).add(code)
        kind, core = split_name(alias)
        by_core.setdefault((kind or "", core), set()).add(code)
        # Each region also answers to its bare core name under its own kind.
        by_core.setdefault((kinds[code], core), set()).add(code)
    return _Index(
        by_code={c: c for c in regions["region_code"]},
        by_kemendagri=dict(zip(regions["kemendagri_code"], regions["region_code"], strict=True)),
        by_alias=by_alias,
        by_core=by_core,
        names=dict(zip(regions["region_code"], regions["name"], strict=True)),
        kinds=kinds,
    )


def resolve_region(query: str | int) -> str:
    """Return the BPS code of one kabupaten/kota, or raise :class:`UnknownRegionError`.

    The error lists the closest official names, so a typo gets a useful answer.
    """
    idx = _index()
    raw = str(query).strip()
    if not raw:
        raise UnknownRegionError(raw, [], reason="empty")
    if re.fullmatch(r"\d{4}", raw):
        if raw in idx.by_code:
            return raw
        raise UnknownRegionError(raw, _suggest_code(raw), reason="bps_code")
    if re.fullmatch(r"\d{2}\.\d{2}", raw):
        if raw in idx.by_kemendagri:
            return idx.by_kemendagri[raw]
        raise UnknownRegionError(raw, _suggest_kemendagri(raw), reason="kemendagri_code")
    kind, core = split_name(raw)
    if kind is None:
        _refuse_shared_name(raw, core)
    codes = idx.by_alias.get(_fold(raw))
    if codes and len(codes) == 1:
        return next(iter(codes))
    if kind:
        codes = {c for c in idx.by_core.get((kind, core), set()) if idx.kinds[c] == kind}
    else:
        found = (
            idx.by_core.get(("", core), set())
            | idx.by_core.get(("kabupaten", core), set())
            | idx.by_core.get(("kota", core), set())
        )
        kab = {c for c in found if idx.kinds[c] == "kabupaten"}
        codes = kab or found
    if len(codes) == 1:
        return next(iter(codes))
    if len(codes) > 1:
        raise UnknownRegionError(raw, sorted(idx.names[c] for c in codes), reason="ambiguous")
    raise UnknownRegionError(raw, suggest(raw))


def shared_name_candidates(core: str) -> list[str]:
    """Codes of the kabupaten and the kota answering to the bare core name ``core`` (else [])."""
    idx = _index()
    found = idx.by_core.get(("kabupaten", core), set()) | idx.by_core.get(("kota", core), set())
    kinds = {idx.kinds[c] for c in found}
    return sorted(found) if kinds == {"kabupaten", "kota"} else []


def _refuse_shared_name(raw: str, core: str) -> None:
    """Raise for a bare name shared by a kabupaten and a kota, naming both on one line."""
    codes = shared_name_candidates(core)
    if not codes:
        return
    idx = _index()
    names = [f"{idx.names[c]} ({c})" for c in codes]
    raise UnknownRegionError(
        raw,
        [idx.names[c] for c in codes],
        reason="shared_name",
        candidates=names,
    )


def resolve_regions(queries: Iterable[str | int]) -> list[str]:
    """Resolve many names or codes, keeping their order and dropping repeats."""
    out: list[str] = []
    for q in queries:
        code = resolve_region(q)
        if code not in out:
            out.append(code)
    return out


def suggest(query: str, n: int = 5) -> list[str]:
    """Official names closest to ``query``."""
    idx = _index()
    kind, core = split_name(query)
    cores = {}
    for code, name in idx.names.items():
        if kind and idx.kinds[code] != kind:
            continue
        cores.setdefault(split_name(name)[1], []).append(name)
    close = difflib.get_close_matches(core, list(cores), n=n, cutoff=0.6)
    return [name for c in close for name in cores[c]][:n]


def _suggest_code(code: str) -> list[str]:
    idx = _index()
    near = [c for c in idx.by_code if c[:2] == code[:2]]
    near = sorted(near, key=lambda c: abs(int(c) - int(code)))[:3]
    return [f"{c} {idx.names[c]}" for c in near]


def _suggest_kemendagri(code: str) -> list[str]:
    idx = _index()
    near = [k for k in idx.by_kemendagri if k[:3] == code[:3]]
    near = sorted(near, key=lambda k: abs(int(k[3:]) - int(code[3:])))[:3]
    return [f"{k} {idx.names[idx.by_kemendagri[k]]}" for k in near]


def region_name(code: str) -> str:
    """Official name of a region code."""
    return _index().names[resolve_region(code)]


def resolve_column(df: pd.DataFrame, column: str, *, file: str) -> pd.Series:
    """Resolve a column of names or codes, raising an error that names the file and line."""
    from living_lab.errors import InputError

    out = []
    for pos, value in enumerate(df[column]):
        try:
            out.append(resolve_region(value) if value is not None else None)
        except UnknownRegionError as exc:
            line = int(df["_line"].iloc[pos]) if "_line" in df.columns else pos + 2
            raise InputError.at(exc, file=file, row=line, field=column) from None
        if out[-1] is None:
            line = int(df["_line"].iloc[pos]) if "_line" in df.columns else pos + 2
            raise InputError(
                "empty region; expected a name or BPS code", file=file, row=line, field=column
            )
    return pd.Series(out, index=df.index, dtype=object)
