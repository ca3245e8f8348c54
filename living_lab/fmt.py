"""Number formatting for report text: decimal comma in Bahasa Indonesia, point in English."""

from __future__ import annotations

import math

from living_lab.text import Lang, number


def num(x: float | None, lang: Lang = "id", digits: int = 2, *, signed: bool = False) -> str:
    """``-0.61`` -> ``"−0,61"`` (id) or ``"−0.61"`` (en), true minus sign; missing -> ``"–"``.

    The one formatter :func:`living_lab.text.number`, with thousands separators.

    Examples
    --------
    >>> num(-0.6123, "id"), num(1234.5, "en", 1), num(0.5, "id", signed=True)
    ('\u22120,61', '1,234.5', '+0,50')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return number(x, lang, digits, group=True, sign=signed)


def pval(p: float | None, lang: Lang = "id") -> str:
    """A p-value as text: ``"p = 0,46"``, or ``"p < 0,001"`` when very small."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –"
    if p < 0.001:
        return f"p < {num(0.001, lang, 3)}"
    return f"p = {num(p, lang, 3 if p < 0.01 else 2)}"


def interval(lo: float, hi: float, lang: Lang = "id", digits: int = 2) -> str:
    """``"-2,27 s.d. 1,05"`` (id) or ``"-2.27 to 1.05"`` (en)."""
    sep = " s.d. " if lang == "id" else " to "
    return f"{num(lo, lang, digits)}{sep}{num(hi, lang, digits)}"


def join(items: list[str], lang: Lang = "id") -> str:
    """``a, b dan c`` / ``a, b and c``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    word = " dan " if lang == "id" else " and "
    return ", ".join(items[:-1]) + word + items[-1]
