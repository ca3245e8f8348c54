"""Consistency audit of published SPBE results: domains, index and predicate of each row.

Published tables print every score with two decimals, so "the index agrees with its domains"
needs care. This audit uses what the framework implies about the unrounded values:

1. **Domains.** A domain score is a weighted mean of whole-number levels, so only finitely
   many exact values exist (D1 and D2 in steps of 0.1; D3 = k/11; D4 = (11a + 12b)/182 under
   PermenPANRB 59/2020). :func:`domain_values` lists them; a printed domain that no
   attainable value rounds to is a *warning* (e.g. Kab. Banyuasin 2023, D4 printed 0.30,
   below level 1).
2. **Index.** The unrounded index lies between the weighted sums of the smallest and largest
   attainable domain values behind the printed ones. A printed index that no value in that
   interval rounds to is an *error*.
3. **Predicate.** KemenPANRB's 2024 tables judge the predicate on the unrounded index (Kab.
   Pacitan 3.4985, printed 3.50, "Baik"), while some 2023 rows judge the printed one (Kab.
   Nias Barat 2023: unrounded at most 1.7975, printed 1.80, "Cukup"). A predicate matching
   either reading but not both is *info* with the reason; matching neither is an *error*.

Rows missing a domain skip check 2 (reported as *info*); their predicate is checked against the
printed index +- half a unit of the last digit.

Examples
--------
>>> res = audit_published(year=2024, tables=("kabkota",), lang="en")
>>> int(res.summary["error"].sum())
0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK, Framework, available_frameworks, load_framework
from living_lab.scoring import round_half_up
from living_lab.text import Lang, number, t

Severity = Literal["ok", "info", "warning", "error"]
PublishedTable = Literal["kabkota", "instansi"]
SEVERITIES: tuple[Severity, ...] = ("ok", "info", "warning", "error")
_EPS = 1e-9


# --------------------------------------------------------------------------------------------
# Attainable domain values
# --------------------------------------------------------------------------------------------


@cache
def domain_values(framework_id: str, domain: int) -> np.ndarray:
    """Every exact score domain ``domain`` can take with whole-number levels (sorted).

    >>> v = domain_values("permenpanrb-59-2020", 3)
    >>> len(v), float(v[1]).__round__(4)
    (45, 1.0909)
    """
    fw = load_framework(framework_id)
    d = next((x for x in fw.domains if x.number == domain), None)
    if d is None:
        raise ParameterError(
            f"domain: {domain!r}; expected one of {[x.number for x in fw.domains]}"
        )
    weights = [Fraction(repr(i.weight_pct)) for a in d.aspects for i in a.indicators]
    den = math.lcm(*(w.denominator for w in weights))
    ints = [int(w * den) for w in weights]
    g = math.gcd(*ints)
    ints = [v // g for v in ints]
    lo, hi = int(fw.scale_min), int(fw.scale_max)
    reachable = np.zeros(1, dtype=bool)
    reachable[0] = True
    for w in ints:
        nxt = np.zeros(len(reachable) + w * hi, dtype=bool)
        for level in range(lo, hi + 1):
            nxt[w * level : w * level + len(reachable)] |= reachable
        reachable = nxt
    sums = np.flatnonzero(reachable)
    return sums / sum(ints)


def _attainable_range(
    fw: Framework, domain: int, printed: float, half: float
) -> tuple[float, float]:
    """Smallest and largest attainable exact value printed as ``printed`` (NaN if none)."""
    v = domain_values(fw.id, domain)
    ok = v[(v >= printed - half - _EPS) & (v <= printed + half + _EPS)]
    return (float(ok[0]), float(ok[-1])) if len(ok) else (np.nan, np.nan)


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AuditResult:
    """Outcome of an audit.

    Attributes
    ----------
    rows : one row per audited row: table, year, region_code, name, d1-d4, index, predicate,
        recomputed (weighted sum of the printed domains), unrounded_lo/hi (interval of the exact
        index), domain_status, index_status, predicate_status.
    findings : one row per non-"ok" check: table, year, region_code, name, check, severity,
        published, expected, detail.
    summary : per table and year: rows, index_checked, and counts of rows by worst severity.
    """

    rows: pd.DataFrame
    findings: pd.DataFrame
    summary: pd.DataFrame
    lang: Lang


def _fmt(x: float, nd: int = 2) -> str:
    """A number of the ``published``/``expected`` columns (data: a decimal point)."""
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def _num(x: float, lang: Lang, nd: int = 2) -> str:
    """A number in a finding's ``detail`` (text a reader reads: the language's number format)."""
    return number(x, lang, nd)


def audit_results(
    df: pd.DataFrame,
    *,
    table: str = "custom",
    framework: str | Framework = DEFAULT_FRAMEWORK,
    name_col: str | None = "name",
    lang: Lang = "id",
) -> AuditResult:
    """Audit a table of published results (columns d1..d4, index, and optionally predicate,
    year, region_code, name, framework).

    Rows whose ``framework`` column names a framework without a definition file are reported
    as not checked; the others are checked against ``framework``'s weights and bands (or
    their own framework when the column names a defined one).
    """
    base_fw = framework if isinstance(framework, Framework) else load_framework(framework)
    needed = [*base_fw.domain_columns, "index"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ParameterError(f"audit: missing column(s) {missing}; expected {needed}")
    defined = set(available_frameworks())
    rows, findings = [], []
    for _, r in df.iterrows():
        fid = r.get("framework", base_fw.id) or base_fw.id
        key = {
            "table": table,
            "year": int(r["year"]) if "year" in r and pd.notna(r["year"]) else None,
            "region_code": r.get("region_code"),
            "name": r.get(name_col) if name_col else None,
        }
        if fid not in defined:
            findings.append(
                {
                    **key,
                    "check": "framework",
                    "severity": "info",
                    "published": fid,
                    "expected": "",
                    "detail": t("audit_framework_undefined", lang, framework=fid),
                }
            )
            rows.append(
                {**key, "domain_status": "info", "index_status": "info", "predicate_status": "info"}
            )
            continue
        fw = base_fw if fid == base_fw.id else load_framework(fid)
        row, found = _audit_row(r, fw, key, lang)
        rows.append(row)
        findings.extend(found)
    rows_df = pd.DataFrame(rows)
    cols = [
        "table",
        "year",
        "region_code",
        "name",
        "check",
        "severity",
        "published",
        "expected",
        "detail",
    ]
    findings_df = pd.DataFrame(findings, columns=cols)
    return AuditResult(rows_df, findings_df, _summary(rows_df), lang)


def _audit_row(r: pd.Series, fw: Framework, key: dict, lang: Lang) -> tuple[dict, list[dict]]:
    half = 0.5 * 10.0 ** (-fw.rounding_decimals)
    cols = fw.domain_columns
    w = fw.domain_weights
    dom = np.array([float(r[c]) if pd.notna(r[c]) else np.nan for c in cols])
    printed = float(r["index"])
    given = r.get("predicate") if "predicate" in r and pd.notna(r.get("predicate")) else None
    found: list[dict] = []

    def finding(check: str, severity: Severity, published: str, expected: str, detail: str):
        found.append(
            {
                **key,
                "check": check,
                "severity": severity,
                "published": published,
                "expected": expected,
                "detail": detail,
            }
        )

    # 1. Domains: attainable exact values behind each printed one.
    lo_d, hi_d = np.full(len(cols), np.nan), np.full(len(cols), np.nan)
    domain_status: Severity = "ok"
    for k, d in enumerate(fw.domains):
        if np.isnan(dom[k]):
            continue
        lo_d[k], hi_d[k] = _attainable_range(fw, d.number, dom[k], half)
        if np.isnan(lo_d[k]):
            domain_status = "warning"
            values = domain_values(fw.id, d.number)
            nearest = float(values[np.argmin(np.abs(values - dom[k]))])
            finding(
                "domain",
                "warning",
                _fmt(dom[k]),
                _fmt(nearest, 4),
                t(
                    "audit_domain_unattainable",
                    lang,
                    domain=d.number,
                    value=_num(dom[k], lang),
                    lo=_num(fw.scale_min, lang, 0),
                    hi=_num(fw.scale_max, lang, 0),
                    nearest=_num(nearest, lang, 4),
                ),
            )
            # Fall back on the printed value +- rounding for the index check.
            lo_d[k], hi_d[k] = dom[k] - half, dom[k] + half

    # 2. Index vs domains.
    complete = not np.isnan(dom).any()
    recomputed = float(dom @ w) if complete else np.nan
    if complete:
        lo, hi = float(lo_d @ w), float(hi_d @ w)
        if printed < lo - half - _EPS or printed > hi + half + _EPS:
            index_status: Severity = "error"
            finding(
                "index",
                "error",
                _fmt(printed),
                _fmt(round_half_up((lo + hi) / 2)),
                t(
                    "audit_index_mismatch",
                    lang,
                    published=_num(printed, lang),
                    lo=_num(lo, lang, 4),
                    hi=_num(hi, lang, 4),
                    recomputed=_num(recomputed, lang, 4),
                ),
            )
        else:
            index_status = "ok"
    else:
        index_status = "info"
        absent = ", ".join(
            f"D{d.number}" for d, v in zip(fw.domains, dom, strict=True) if np.isnan(v)
        )
        finding("index", "info", _fmt(printed), "", t("audit_incomplete", lang, domains=absent))
        lo, hi = printed - half, printed + half - _EPS

    # 3. Predicate vs index (unrounded interval and printed value).
    predicate_status: Severity = "ok"
    if given is not None:
        by_printed = fw.predicate(printed)
        by_unrounded = {fw.predicate(lo), fw.predicate(hi)}
        unr = (
            _num(lo, lang, 4) if abs(hi - lo) < 5e-5 else f"{_num(lo, lang, 4)}-{_num(hi, lang, 4)}"
        )
        if given == by_printed and given in by_unrounded:
            pass
        elif given in by_unrounded:
            predicate_status = "info"
            finding(
                "predicate",
                "info",
                given,
                by_printed,
                t(
                    "audit_predicate_unrounded",
                    lang,
                    given=given,
                    unrounded=unr,
                    published=_num(printed, lang),
                    printed_predicate=by_printed,
                ),
            )
        elif given == by_printed:
            predicate_status = "info"
            finding(
                "predicate",
                "info",
                given,
                "/".join(sorted(by_unrounded)),
                t(
                    "audit_predicate_printed",
                    lang,
                    given=given,
                    unrounded=unr,
                    published=_num(printed, lang),
                    unrounded_predicate="/".join(sorted(by_unrounded)),
                ),
            )
        else:
            predicate_status = "error"
            finding(
                "predicate",
                "error",
                given,
                by_printed,
                t(
                    "audit_predicate_mismatch",
                    lang,
                    given=given,
                    published=_num(printed, lang),
                    printed_predicate=by_printed,
                    unrounded=unr,
                ),
            )
    row = {
        **key,
        **{c: dom[k] for k, c in enumerate(cols)},
        "index": printed,
        "predicate": given,
        "recomputed": recomputed,
        "unrounded_lo": lo if complete else np.nan,
        "unrounded_hi": hi if complete else np.nan,
        "domain_status": domain_status,
        "index_status": index_status,
        "predicate_status": predicate_status,
    }
    return row, found


def _summary(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["table", "year", "rows", "index_checked", *SEVERITIES])
    rank = {s: k for k, s in enumerate(SEVERITIES)}
    status = rows[["domain_status", "index_status", "predicate_status"]]
    worst = status.apply(lambda c: c.map(rank)).max(axis=1).map(dict(enumerate(SEVERITIES)))
    rows = rows.assign(_worst=worst, _checked=rows["index_status"] != "info")
    out = []
    for (table, year), g in rows.groupby(["table", "year"], sort=True, dropna=False):
        counts = g["_worst"].value_counts()
        out.append(
            {
                "table": table,
                "year": year,
                "rows": len(g),
                "index_checked": int(g["_checked"].sum()),
                **{s: int(counts.get(s, 0)) for s in SEVERITIES},
            }
        )
    return pd.DataFrame(out)


def published_table(name: PublishedTable, year: int | None = None) -> pd.DataFrame:
    """A bundled published table ready for :func:`audit_results` (with a ``name`` column)."""
    from living_lab import datasets

    if name == "kabkota":
        df = datasets.load_spbe()
        names = datasets.load_regions().set_index("region_code")["name"]
        df["name"] = df["region_code"].map(names)
    elif name == "instansi":
        df = datasets.load_spbe_instansi()
        df["region_code"] = None
        df["framework"] = DEFAULT_FRAMEWORK
    else:
        raise ParameterError(f"table: {name!r}; expected 'kabkota' or 'instansi'")
    if year is not None:
        df = df[df["year"] == year]
    return df.reset_index(drop=True)


def audit_published(
    year: int | None = None,
    tables: Sequence[PublishedTable] = ("kabkota", "instansi"),
    *,
    lang: Lang = "id",
) -> AuditResult:
    """Audit the bundled published results (kabupaten/kota and central/provincial rows)."""
    from living_lab import datasets

    years = sorted(set(datasets.load_spbe()["year"]) | set(datasets.load_spbe_instansi()["year"]))
    if year is not None and year not in years:
        raise ParameterError.keyed("err.audit.year", year=year, years=str(years))
    parts = [audit_results(published_table(n, year), table=n, lang=lang) for n in tables]
    return AuditResult(
        rows=pd.concat([p.rows for p in parts], ignore_index=True),
        findings=pd.concat([p.findings for p in parts], ignore_index=True),
        summary=pd.concat([p.summary for p in parts], ignore_index=True),
        lang=lang,
    )
