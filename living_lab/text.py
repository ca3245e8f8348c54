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

from functools import cache
from pathlib import Path
from typing import Literal, get_args

import yaml

from living_lab.errors import ParameterError

Lang = Literal["id", "en"]
LANGS: tuple[str, ...] = get_args(Lang)
_LOCALES = Path(__file__).parent / "locales"


@cache
def strings(lang: Lang) -> dict[str, str]:
    """Every string of a language, merged from its topic files."""
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not supported; expected one of {list(LANGS)}")
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
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
