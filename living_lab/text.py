"""User-facing text of reports and figures, in Bahasa Indonesia (default) or English.

Strings live in ``living_lab/locales/<lang>/*.yml`` (one file per topic: ``report.yml``,
``linkage.yml``, ...); every file of a language is merged, and a key must not appear in two
files. ``t("key", lang, **values)`` formats a string with :meth:`str.format`.

Examples
--------
>>> t("lang_name", "id"), t("lang_name", "en")
('Bahasa Indonesia', 'English')
"""

from __future__ import annotations

import math
from functools import cache
from typing import Literal, get_args

from living_lab import paths
from living_lab.errors import ParameterError
from living_lab.validate import read_yaml

Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
_LOCALES = paths.LOCALES


@cache
def strings(lang: Lang) -> dict[str, str]:
    """Every string of a language, merged from its topic files."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not supported; expected one of {list(LANGS)}")
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.yml")):
        data = read_yaml(path) or {}
        clash = set(data) & set(merged)
        if clash:
            raise ValueError(f"{path}: keys defined in another file too: {sorted(clash)}")
        merged.update({str(k): str(v) for k, v in data.items()})
    return merged


def t(key: str, lang: Lang = "id", /, **values: object) -> str:
    """The string ``key`` in ``lang``, formatted with ``values``."""
    table = strings(lang)
    if key not in table:
        raise KeyError(f"no text {key!r} for language {lang!r} in {_LOCALES / lang}")
    return table[key].format(**values) if values else table[key]


def probability(p: float) -> str:
    """An estimated probability as a whole percentage, never a certainty.

    A model's probability is never exactly 0 or 1, and "0%" or "100%" would read as one, so
    anything that rounds to 0 or 100 prints as ``"<1%"`` or ``">99%"``. The same text serves
    both languages (a whole number has no decimal mark). Missing -> ``"–"``.

    Examples
    --------
    >>> [probability(p) for p in (0.999996, 0.9951, 0.986, 0.5, 0.005, 0.0049, 0.0)]
    ['>99%', '>99%', '99%', '50%', '1%', '<1%', '<1%']
    """
    if p is None or p != p:
        return "–"
    pct = math.floor(100.0 * float(p) + 0.5)
    if pct >= 100:
        return ">99%"
    if pct <= 0:
        return "<1%"
    return f"{pct}%"
