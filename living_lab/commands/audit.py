"""``living-lab audit``: consistency audit of the bundled published SPBE results."""

from __future__ import annotations

import argparse

from living_lab.audit import audit_published
from living_lab.commands._scoring_common import (
    add_output_options,
    print_csv,
    print_json,
    text_table,
)
from living_lab.text import t

DESCRIPTION = """\
Check every published SPBE result bundled in data/ (kabupaten/kota: spbe_index.csv; central
agencies and provinces: spbe_instansi.csv):

  domain     each printed domain score must be attainable from whole-number levels 1-5
             (warning otherwise, e.g. Kab. Banyuasin 2023 D4 = 0.30);
  index      the printed index must be the rounding of an index the printed domains allow
             (the exact unrounded domain values behind two printed decimals; error otherwise);
  predicate  the printed predicate must match the printed or the unrounded index. KemenPANRB's
             2024 tables judge the unrounded index, some 2023 rows the printed one: a
             predicate matching only one reading is info, with the reason; neither is an error.

Rows with a domain not published are reported as info (index not checked).

Output (--format): table (summary per table and year, then the findings), json
({"summary": [...], "findings": [...]}), csv (the findings; --all-rows: every row audited).

Exit status: 0 audit done (findings are reported, not a failure; --strict: 1 if any error);
2 invalid option.

Examples:
  living-lab audit
  living-lab audit --year 2024 --format csv > audit_2024.csv
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit",
        help="check published results: index vs domains, predicate vs index",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--year", type=int, help="only this evaluation year")
    p.add_argument(
        "--table",
        choices=["kabkota", "instansi", "all"],
        default="all",
        help="which published table (default all)",
    )
    p.add_argument("--all-rows", action="store_true", help="csv/json: every audited row")
    p.add_argument("--strict", action="store_true", help="exit 1 if any check is an error")
    add_output_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    tables = ("kabkota", "instansi") if args.table == "all" else (args.table,)
    res = audit_published(args.year, tables, lang=args.lang)
    if args.format == "json":
        out = {
            "summary": res.summary.to_dict(orient="records"),
            "findings": res.findings.to_dict(orient="records"),
        }
        if args.all_rows:
            out["rows"] = res.rows.to_dict(orient="records")
        print_json(out)
    elif args.format == "csv":
        print_csv(res.rows if args.all_rows else res.findings)
    else:
        lines = [t("audit_heading", args.lang), ""]
        for r in res.summary.itertuples(index=False):
            lines.append(
                t(
                    "audit_summary_line",
                    args.lang,
                    table=t(f"audit_table_{r.table}", args.lang),
                    year=r.year,
                    rows=r.rows,
                    checked=r.index_checked,
                    ok=r.ok,
                    info=r.info,
                    warning=r.warning,
                    error=r.error,
                )
            )
        lines.append("")
        if res.findings.empty:
            lines.append(t("audit_no_findings", args.lang))
        else:
            lines.append(t("audit_rows_heading", args.lang))
            shown = res.findings.assign(
                region_code=res.findings["region_code"].fillna(""),
                year=res.findings["year"].astype("Int64").astype(str),
            )[["year", "region_code", "name", "check", "severity", "detail"]]
            lines.append(text_table(shown))
        print("\n".join(lines))
    if args.strict and (res.findings["severity"] == "error").any():
        return 1
    return 0
