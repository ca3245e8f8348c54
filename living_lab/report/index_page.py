"""The ``index.html`` of a report folder: a sortable cohort table linking every report.

The page is one self-contained file (inline CSS and a few lines of inline JavaScript for
sorting; no CDN, works offline from ``file://``). Statuses and links come from the runner's
``manifest.json``; the numbers shown (index, predicate, rank, change) come from the data
(:mod:`living_lab.datasets` via :func:`living_lab.results.context.cohort_table`), never from the
manifest. The page is the autoescaping Jinja2 template ``templates/index.html.j2``: every
string that comes from data or from the manifest (names, errors, titles) is HTML-escaped where
it lands, with no hand-escaping here; links are built from validated region codes and notebook stems only, and only to
files that exist in the folder, so a hostile manifest can neither inject markup nor point
outside the folder.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> manifest = {"cohort": "jawa-barat", "year": 2024, "lang": "en", "target": 3.5,
...             "target_year": 2025, "regions": {"3211": {"status": "failed",
...             "error": "<script>alert(1)</script>"}}}
>>> page = write_index(manifest, out).read_text()
>>> "<script>alert(1)" in page, "&lt;script&gt;alert(1)&lt;/script&gt;" in page
(False, True)
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from babel.dates import format_date
from markupsafe import Markup

from living_lab.cohorts import load_cohort
from living_lab.errors import LivingLabError
from living_lab.framework import load_framework
from living_lab.plots import style
from living_lab.plots.maps import index_map_html
from living_lab.report.failures import manifest_failure_text
from living_lab.report.outdir import OutputFolder
from living_lab.report.pages import render_page
from living_lab.report.sections import missing, num, signed
from living_lab.results.context import cohort_table, never_evaluated
from living_lab.text import t

_CODE = re.compile(r"^\d{4}$")
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: Longest error text shown in the table cell (the full text is in a collapsible block).
ERROR_PREVIEW = 240

INDEX_CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f6f6f4;color:#222;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:1180px;margin:0 auto;background:#fff;padding:24px 32px 40px;min-height:100vh;box-shadow:0 0 0 1px #e8e8e4}
h1{font-size:1.6em;margin:.1em 0}h2{font-size:1.2em;margin:1.4em 0 .4em}
.sub{color:#555;margin:.2em 0 .8em}.meta{color:#777;font-size:.85em}
.counts{display:flex;gap:10px;margin:.8em 0}.counts span{padding:4px 10px;border-radius:6px;background:#f0f0ee}
.counts .bad{background:#fdecea;color:#7a1f16}
.current{margin:.8em 0;padding:6px 10px;border-left:4px solid #0072b2;background:#eef5fb}
table{border-collapse:collapse;width:100%;font-size:.93em}
th,td{border-bottom:1px solid #e6e6e6;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f1;position:sticky;top:0}
th button{all:unset;cursor:pointer;font-weight:600}th button:focus{outline:2px solid #1d5fa7}
th[aria-sort=ascending] button::after{content:" \\25B2";font-size:.7em}
th[aria-sort=descending] button::after{content:" \\25BC";font-size:.7em}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{background:#fff6f5}.status-failed{color:#b34700;font-weight:600}
.status-ok{color:#0072b2}.status-skipped{color:#555}
.ll-pred{display:inline-block;padding:0 .45em;border-radius:4px;font-weight:600;font-size:.92em}
details pre{white-space:pre-wrap;font-size:.8em;background:#f7f7f7;padding:6px;max-height:20em;overflow:auto}
a{color:#1d5fa7}.good{color:#0072b2}.bad{color:#b34700}.na{color:#777;font-style:italic;font-size:.9em}
input[type=search]{font:inherit;padding:2px 6px;border:1px solid #ccc;border-radius:4px;width:16em}
p,li,summary{overflow-wrap:anywhere}svg{max-width:100%;height:auto}
@media (max-width:700px){
main{padding:12px 10px 28px}.counts{flex-wrap:wrap}input[type=search]{width:100%}
.table-box{overflow-x:auto;max-width:100%}
#regions th:nth-child(2),#regions td:nth-child(2),#regions th:nth-child(3),#regions td:nth-child(3){display:none}
}
@page{size:A4;margin:14mm 12mm}
@media print{
body{background:#fff;font-size:10pt}main{box-shadow:none;padding:0;max-width:none;min-height:0}
.meta label{display:none}th{position:static}tr{break-inside:avoid}
table{font-size:8.5pt}td,th{overflow-wrap:anywhere}
details::details-content{content-visibility:visible!important;display:block!important;height:auto!important}
details pre{max-height:none;overflow:visible}
}
"""

# Sorting: numbers by their data-v value, text by locale; empty values always last.
SORT_JS = """
var filter = document.getElementById("filter");
if (filter) filter.addEventListener("input", function () {
  var q = filter.value.trim().toLowerCase();
  document.querySelectorAll("#regions tbody tr").forEach(function (row) {
    row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
  });
});
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col];
        var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent.trim();
        var n = parseFloat(v);
        return v === "" ? null : (isNaN(n) || /[^0-9.eE+\\-]/.test(v) ? v.toLowerCase() : n);
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null) return y === null ? 0 : 1;
        if (y === null) return -1;
        var c = (typeof x === "number" && typeof y === "number") ? x - y : String(x).localeCompare(String(y));
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""


def _data_numbers(manifest: Mapping[str, Any], codes: list[str]) -> pd.DataFrame:
    """Index, predicate, rank and change of the manifest's regions, from the data.

    Ranks are within the manifest's cohort when it loads (as in the reports), else within the
    regions listed.
    """
    year, target = manifest.get("year"), manifest.get("target")
    if not isinstance(year, int) or isinstance(year, bool):
        # A notebook set without a year parameter: no data numbers to show beside its reports.
        return pd.DataFrame()
    target = float(target) if isinstance(target, int | float) else 3.5
    try:
        cohort_regions = tuple(load_cohort(str(manifest.get("cohort", ""))).regions)
    except (LivingLabError, OSError, ValueError):
        cohort_regions = ()
    valid = tuple(c for c in codes if _CODE.match(c))
    # Regions never evaluated join the cohort's table unranked (as in their reports).
    extra = tuple(c for c in valid if c not in cohort_regions and _known(c) and never_evaluated(c))
    outside = set(valid) - set(cohort_regions) - set(extra)
    base = cohort_regions + extra if cohort_regions and not outside else valid
    try:
        table, _, _ = cohort_table(base, year, target)
    except (LivingLabError, KeyError, IndexError):
        known = tuple(c for c in valid if _known(c))
        table = cohort_table(known, year, target)[0] if known else pd.DataFrame()
    return table


def _known(code: str) -> bool:
    from living_lab import datasets

    return code in set(datasets.load_regions()["region_code"])


def _href(out_dir: Path, rel: str) -> str | None:
    """``rel`` if that file exists inside ``out_dir`` (a link target), else None."""
    target = (out_dir / rel).resolve()
    if out_dir.resolve() in target.parents and target.is_file():
        return rel
    return None


def _status_text(status: str, lang: str, made: str = "") -> str:
    """Status of a report; a finished or unchanged one says when it was made."""
    if made and status == "ok":
        return t("report.index.made", lang, date=made)
    if made and status == "skipped":
        return t("report.index.current_made", lang, date=made)
    key = f"report.index.status_{status}"
    try:
        return t(key, lang)
    except KeyError:
        return status


def made_date(value: object, lang: str) -> str:
    """The calendar date (UTC) of a manifest timestamp in the page's language, or ''.

    >>> made_date("2026-12-02T07:10:00+00:00", "id"), made_date("2026-12-02T07:10:00+00:00", "en")
    ('2 Desember 2026', '2 December 2026')
    >>> made_date("<b>", "id"), made_date(None, "en")
    ('', '')
    """
    if not isinstance(value, str):
        return ""
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC)
    return format_date(stamp.date(), format="d MMMM y", locale=lang)


def _current_note(
    made: list[str], counts: Mapping[str, int], lang: str, checked: str, *, cohort_current: bool
) -> str:
    """The sentence of a batch that re-made nothing: every region report is current, made on
    which date(s), checked when; '' when any report (cohort reports too) was made or failed."""
    if counts["ok"] or counts["failed"] or not counts["skipped"] or not cohort_current:
        return ""
    dates = [d for d in made if d]
    days = sorted(set(dates), key=dates.index)
    if not days:
        when = ""
    elif len(days) == 1:
        when = t("report.index.made_on", lang, date=days[0])
    else:
        when = t("report.index.made_between", lang, first=days[0], last=days[-1])
    return t("report.index.all_current", lang, n=counts["skipped"], made=when, checked=checked)


def _predicate_colour(predicate: str) -> str:
    fw = load_framework()
    colours = {p.name: c for p, c in zip(fw.predicates, style.BANDS, strict=True)}
    return colours.get(predicate, "#eee")


def _sort_value(value: object) -> str:
    return "" if missing(value) else f"{float(value):.6g}"  # type: ignore[arg-type]


def _region_row(
    code: str, entry: Mapping[str, Any], numbers: pd.DataFrame, out_dir: Path, lang: str, year: Any
) -> dict[str, Any]:
    """One row of the regions table: plain values; the template escapes them."""
    status = str(entry.get("status", "pending"))
    valid = bool(_CODE.match(code))
    r = numbers.loc[code] if valid and code in numbers.index else None
    name = str(r["name"]) if r is not None else str(entry.get("name", code))
    link_ok = valid and status in ("ok", "skipped")
    error = _error_text(entry, lang)
    made = made_date(entry.get("finished"), lang) if link_ok else ""
    row: dict[str, Any] = {
        "code": code,
        "name": name,
        "status": status,
        "made": made,
        "status_text": _status_text(status, lang, made),
        "href": _href(out_dir, f"regions/{code}.html") if link_ok else None,
        "error": first_line(error) if status == "failed" and error else "",
        "data": r is not None,
    }
    if r is None:
        return row
    pred, change = r["predicate"], r["change"]
    row.update(
        province=str(r["province"]),
        index_na=missing(r["index"]),
        index_v=_sort_value(r["index"]),
        index_text=(
            t("report.index.never_evaluated", lang)
            if missing(r["latest_index"])
            else t("report.index.not_evaluated", lang, year=year)
        )
        if missing(r["index"])
        else num(r["index"], lang),
        predicate="" if missing(pred) else str(pred),
        predicate_bg="" if missing(pred) else _predicate_colour(str(pred)),
        rank_v=_sort_value(r["rank"]),
        rank_text="\u2013" if missing(r["rank"]) else f"{int(r['rank'])} / {int(r['n_ranked'])}",
        change_v=_sort_value(change),
        change_text="\u2013" if missing(change) else signed(change, lang),
        change_cls=None
        if missing(change)
        else "good"
        if change > 0
        else "bad"
        if change < 0
        else "",
    )
    return row


def render_index(manifest: Mapping[str, Any], out_dir: Path) -> str:
    """The HTML of the index page (see :func:`write_index`).

    Everything from the manifest and the data is escaped by the template; the one trusted
    block is the map (:func:`living_lab.plots.maps.index_map_html`, SVG this package draws,
    escaping its own text), placed above the table.
    """
    out_dir = Path(out_dir)
    lang = manifest.get("lang", "id")
    lang = lang if lang in ("id", "en") else "id"
    year = manifest.get("year") or ""
    regions: Mapping[str, Any] = manifest.get("regions", {}) or {}
    codes = [str(c) for c in regions]
    numbers = _data_numbers(manifest, codes)

    def tr(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    rows, failed = [], []
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    for code, raw in zip(codes, regions.values(), strict=True):
        entry = raw if isinstance(raw, Mapping) else {}
        row = _region_row(code, entry, numbers, out_dir, lang, year)
        if row["status"] in counts:
            counts[row["status"]] += 1
        rows.append(row)
        if row["error"]:
            text = _error_text(entry, lang)
            failed.append({"code": code, "name": row["name"], "first": row["error"], "text": text})

    cohort_items = []
    for stem, raw in (manifest.get("cohort_reports", {}) or {}).items():
        entry = raw if isinstance(raw, Mapping) else {}
        status = str(entry.get("status", "pending"))
        try:
            label = t(f"report.index.cohort.{stem}", lang)
        except KeyError:
            label = str(stem).replace("_", " ")
        linkable = _STEM.match(str(stem)) and status in ("ok", "skipped")
        cohort_items.append(
            {
                "label": label,
                "href": _href(out_dir, f"cohort/{stem}.html") if linkable else None,
                "status": status,
                "status_text": _status_text(
                    status, lang, made_date(entry.get("finished"), lang) if linkable else ""
                ),
                "error": _error_text(entry, lang) if status == "failed" else "",
            }
        )

    current_note = _current_note(
        [r["made"] for r in rows],
        counts,
        lang,
        made_date(manifest.get("updated"), lang),
        cohort_current=all(item["status"] == "skipped" for item in cohort_items),
    )
    cohort_title = (
        (manifest.get("cohort_title_en") if lang == "en" else None)
        or manifest.get("cohort_title")
        or manifest.get("cohort", "")
    )
    target = manifest.get("target") or ""
    return render_page(
        "index.html.j2",
        lang=lang,
        css=Markup(INDEX_CSS),
        js=Markup(SORT_JS),
        # A batch run with --no-maps (manifest "maps": false) has no map on its index either.
        extra_html=Markup(
            index_map_html(numbers, regions, out_dir, year=year, lang=lang)
            if manifest.get("maps", True) is not False
            else ""
        ),
        heading=tr("report.index.title"),
        cohort_title=str(cohort_title),
        subtitle=tr(
            "report.index.subtitle",
            cohort=cohort_title,
            year=year,
            target=num(target, lang) if isinstance(target, int | float) else target,
            target_year=manifest.get("target_year") or "",
        ),
        generated=tr(
            "report.index.generated",
            updated=manifest.get("updated", manifest.get("created", "")),
            data_version=manifest.get("data_version", ""),
            library_version=manifest.get("library_version", ""),
        ),
        current_note=current_note,
        counts=[
            {"label": tr("report.index.count_ok"), "n": counts["ok"], "bad": False},
            {
                "label": tr("report.index.status_failed"),
                "n": counts["failed"],
                "bad": bool(counts["failed"]),
            },
            {"label": tr("report.index.count_skipped"), "n": counts["skipped"], "bad": False},
        ],
        cohort_heading=tr("report.index.cohort_reports"),
        cohort_items=cohort_items,
        failed_label=tr("report.index.status_failed"),
        filter_label=tr("report.index.filter"),
        sort_hint=tr("report.index.sort_hint"),
        headers=[
            tr("report.index.col_region"),
            tr("report.index.col_code"),
            tr("report.index.col_province"),
            tr("report.index.col_index", year=year),
            t("predicate", lang),
            tr("report.index.col_rank"),
            tr("report.index.col_change"),
            tr("report.index.col_status"),
            tr("report.index.col_report"),
        ],
        rows=rows,
        open_label=tr("report.index.open"),
        failed_heading=tr("report.index.failed_heading"),
        failed=failed,
    )


def _error_text(entry: Mapping[str, Any], lang: str) -> str:
    """A failed report's error in the page's language: its structured failure (``error_key``,
    ``error_fields``) through the catalogue; else the ``error`` text as recorded ('' if none)."""
    said = manifest_failure_text(entry, lang)
    if said is not None:
        return said
    error = entry.get("error")
    return str(error) if error else ""


def first_line(text: str) -> str:
    """First non-empty line of an error, shortened for a summary."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:ERROR_PREVIEW]
    return ""


def write_index(manifest: Mapping[str, Any], out_dir: Path | OutputFolder) -> Path:
    """Write ``out_dir/index.html`` atomically and return its path.

    Parameters
    ----------
    manifest : the runner's manifest (schema in ``notes/report-contract.md``): cohort, year,
        lang, target, target_year, regions (code -> status, error, ...), cohort_reports.
    out_dir : the report folder (a batch passes its open
        :class:`~living_lab.report.outdir.OutputFolder`); links point to
        ``regions/<code>.html`` and ``cohort/<stem>.html`` inside it, only where those files
        exist.
    """
    if isinstance(out_dir, OutputFolder):
        out_dir.write_text("index.html", render_index(manifest, out_dir.path))
        return out_dir.path / "index.html"
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = render_index(manifest, out_dir)
    path = out_dir / "index.html"
    fd, tmp = tempfile.mkstemp(prefix=".index.html.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(page)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the page is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
