"""``living-lab audit``: consistency audit of the bundled published SPBE results."""

from __future__ import annotations

import argparse

from living_lab.audit import audit_published
from living_lab.cli import text
from living_lab.commands._scoring_common import (
    add_output_options,
    print_csv,
    print_json,
    text_table,
)
from living_lab.text import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help=text("audit.help"), description=text("audit.description"))
    p.add_argument("--year", type=int, metavar=text("metavar.year"), help=text("audit.year_help"))
    p.add_argument(
        "--table",
        choices=["kabkota", "instansi", "all"],
        default="all",
        help=text("audit.table_help"),
    )
    p.add_argument("--all-rows", action="store_true", help=text("audit.all_rows_help"))
    p.add_argument("--strict", action="store_true", help=text("audit.strict_help"))
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
            f = res.findings
            shown = f.assign(
                region_code=f["region_code"].fillna(""),
                year=f["year"].astype("Int64").astype(str),
                # The table is read, not parsed (that is --format csv/json): its words in the
                # language too.
                check=[t(f"audit_check_{v}", args.lang) for v in f["check"]],
                severity=[t(f"audit_severity_{v}", args.lang) for v in f["severity"]],
            )[["year", "region_code", "name", "check", "severity", "detail"]]
            shown.columns = [t(f"audit_col_{c}", args.lang) for c in shown.columns]
            lines.append(text_table(shown))
        print("\n".join(lines))
    if args.strict and (res.findings["severity"] == "error").any():
        return 1
    return 0
