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
import string
from functools import cache, lru_cache
from typing import Literal, get_args

from living_lab import paths
from living_lab.errors import ParameterError, register_catalogue
from living_lab.validate import read_yaml

#: The true minus sign (U+2212), used for every negative number a reader sees.
MINUS = "\u2212"

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
    return _formatter(lang).vformat(table[key], (), values) if values else table[key]


class _NumberFormatter(string.Formatter):
    """:meth:`str.format` whose numeric fields (``{x:.2f}``, ``{n:,.0f}``, ``{m:g}``) go through
    :func:`number`, so a placeholder in a locale file prints the language's number format."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, str) and format_spec and format_spec[-1] in "fgd":
            return value  # a number as the user typed it ("nan" in an error message)
        if (
            format_spec
            and format_spec[-1] in "fgd"
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ) or (format_spec and format_spec[-1] in "fgd" and hasattr(value, "dtype")):
            v = float(value)  # type: ignore[arg-type]
            group = "," in format_spec
            sign = "+" in format_spec
            kind = format_spec[-1]
            if kind == "f":
                digits = format_spec.rsplit(".", 1)[-1][:-1] if "." in format_spec else "6"
                return number(v, self.lang, int(digits or 0), group=group, sign=sign)
            if kind == "d":
                return number(v, self.lang, 0, group=group, sign=sign)
            return number(v, self.lang, fewest_decimals(v), group=group, sign=sign)
        return super().format_field(value, format_spec)


def fewest_decimals(v: float, most: int = 4) -> int:
    """The fewest decimals (up to ``most``) that show ``v`` as ``{v:g}`` would."""
    for d in range(most + 1):
        if abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)):
            return d
    return most


@cache
def _formatter(lang: str) -> _NumberFormatter:
    return _NumberFormatter(lang)


@cache
def _pattern(lang: str, decimals: int, group: bool) -> object:
    """The Babel number pattern of ``lang`` with a fixed number of decimals."""
    from babel.numbers import parse_pattern

    body = ("#,##0" if group else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return parse_pattern(body)


@cache
def _locale(lang: str) -> object:
    from babel import Locale

    return Locale.parse(lang)


@lru_cache(maxsize=8192)
def _digits(value: float, lang: str, decimals: int, group: bool) -> str:
    """A non-negative rounded number in the locale's pattern (Babel), remembered: a report
    formats a few hundred numbers, many of them repeated (years, targets, index values)."""
    return _pattern(lang, decimals, group).apply(value, _locale(lang))  # type: ignore[attr-defined]


def number(
    value: float, lang: str, decimals: int = 2, *, group: bool = False, sign: bool = False
) -> str:
    """A number as every page, figure and command prints it: the one number formatter.

    Decimal comma and ``.`` for thousands in Bahasa Indonesia, decimal point and ``,`` in
    English (Babel's locale symbols), the true minus sign, and ``sign=True`` for a change
    (``+0,37`` / ``\u22120,12`` / ``\u00b10,00``). ``group`` adds the thousands separator.
    Missing -> ``"–"``.

    Examples
    --------
    >>> number(2.9369, "id"), number(-0.61, "id"), number(-0.61, "en", 1)
    ('2,94', '\u22120,61', '\u22120.6')
    >>> number(19994, "id", 0, group=True), number(19994, "en", 0, group=True)
    ('19.994', '19,994')
    >>> number(0.37, "id", sign=True), number(-0.001, "en", sign=True)
    ('+0,37', '\u00b10.00')
    """
    if value is None or value != value:
        return "–"
    if lang not in LANGS:
        raise ParameterError(f"lang: {lang!r} is not supported; expected one of {list(LANGS)}")
    v = float(value)
    if math.isinf(v):
        return ("" if v > 0 else MINUS) + "\u221e"
    if abs(v) >= 1e15:
        # Beyond Babel's decimal precision; only a refused input (a target of 1e28) gets here.
        text = f"{abs(v):.6g}".replace(".", "," if lang == "id" else ".")
        return (MINUS if v < 0 else "+" if sign else "") + text
    rounded = round(v, decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0,00"
    text = _digits(abs(rounded), lang, max(int(decimals), 0), group)
    if rounded < 0:
        return MINUS + text
    if sign:
        return ("+" if rounded > 0 else "\u00b1") + text
    return text


def percent(value: float, lang: str, decimals: int = 0, *, sign: bool = False) -> str:
    """A value already in percent, with the one percent style of the reports (``"92%"``, no space).

    Examples
    --------
    >>> percent(17.04, "id", 1), percent(92, "en"), percent(-1.9, "id", 1, sign=True)
    ('17,0%', '92%', '\u22121,9%')
    """
    text = number(value, lang, decimals, sign=sign)
    return text if text == "–" else text + "%"


def tick_formatter(lang: str) -> object:
    """A matplotlib tick formatter printing axis numbers with :func:`number` (fewest decimals needed)."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v: float, _pos: object = None) -> str:
        return number(v, lang, fewest_decimals(v, 3))

    return FuncFormatter(fmt)


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


def _render_error(key: str, lang: str, fields: dict[str, object]) -> str:
    """A library error's message in ``lang`` (see :meth:`living_lab.errors.LivingLabError.keyed`)."""
    return t(key, lang, **fields)  # type: ignore[arg-type]


register_catalogue(_render_error)
