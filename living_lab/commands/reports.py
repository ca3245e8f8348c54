"""``living-lab reports``: region and cohort reports for a cohort, each in a fresh kernel forked
from a warm server.

Every value is taken as text and checked by :mod:`living_lab.report.params` before any kernel
starts, so a wrong one gives one line and exit status 2. The exit status is 1 when any report
failed (the others are still written), 2 when the output folder refused some files (disk full,
read-only, a folder or link where a file belongs: the finished ones are kept), and 130 when
interrupted by Ctrl-C or SIGTERM (any burst of them; the manifest is marked ``interrupted``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from living_lab.cli import text
from living_lab.escape import terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reports", help=text("reports.help"), description=text("reports.description")
    )
    who = p.add_argument_group(text("reports.group_which"))
    who.add_argument("--cohort", metavar=text("metavar.name"), help=text("reports.cohort_help"))
    who.add_argument("--regions", metavar=text("metavar.list"), help=text("reports.regions_help"))
    who.add_argument(
        "--no-cohort-reports",
        dest="cohort_reports",
        action="store_const",
        const=False,
        help=text("reports.no_cohort_help"),
    )
    what = p.add_argument_group(text("reports.group_parameters"))
    year = text("metavar.year")
    what.add_argument("--year", metavar=year, help=text("reports.year_help"))
    what.add_argument("--target", metavar="X", help=text("reports.target_help"))
    what.add_argument(
        "--target-year", dest="target_year", metavar=year, help=text("reports.target_year_help")
    )
    what.add_argument("--lang", metavar="id|en", help=text("reports.lang_help"))
    what.add_argument(
        "--no-maps",
        dest="maps",
        action="store_const",
        const=False,
        help=text("reports.no_maps_help"),
    )
    what.add_argument("--params", metavar=text("metavar.file"), help=text("reports.params_help"))
    run_ = p.add_argument_group(text("reports.group_running"))
    run_.add_argument("--out", metavar=text("metavar.dir"), help=text("reports.out_help"))
    run_.add_argument("--jobs", metavar="N", help=text("reports.jobs_help"))
    run_.add_argument("--force", action="store_const", const=True, help=text("reports.force_help"))
    run_.add_argument("--timeout", metavar="S", help=text("reports.timeout_help"))
    run_.add_argument("--executor", metavar="local|dask", help=text("reports.executor_help"))
    run_.add_argument(
        "--scheduler", metavar=text("metavar.address"), help=text("reports.scheduler_help")
    )
    run_.add_argument("--formats", metavar=text("metavar.list"), help=text("reports.formats_help"))
    run_.add_argument(
        "--notebooks", metavar=text("metavar.file"), help=text("reports.notebooks_help")
    )
    run_.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        default=None,
        help=text("reports.no_progress_help"),
    )

    p.set_defaults(func=run)


#: Options that are parameters (validated by living_lab.report.params), by argparse dest.
PARAMETER_OPTIONS = (
    "cohort",
    "regions",
    "year",
    "target",
    "target_year",
    "lang",
    "maps",
    "out",
    "jobs",
    "force",
    "timeout",
    "executor",
    "scheduler",
    "cohort_reports",
    "formats",
)


def run(args: argparse.Namespace) -> int:
    from living_lab.report.interrupts import INTERRUPTS

    # A scheduler's timeout (SIGTERM) stops the batch as cleanly as Ctrl-C, and a burst of
    # either stops it once: kernels killed, finished reports kept, manifest marked interrupted.
    INTERRUPTS.install()
    from living_lab.cli import cli_lang, one_line
    from living_lab.report.outdir import OutputFolderError
    from living_lab.schema import avoid_slow_imports
    from living_lab.text import t

    avoid_slow_imports()
    from living_lab.report.params import load_notebook_config, validate
    from living_lab.report.runner import run_batch

    cli: dict[str, Any] = {name: getattr(args, name, None) for name in PARAMETER_OPTIONS}
    config = load_notebook_config(args.notebooks)
    params = validate(cli, config=config, params_file=args.params)

    def announce() -> None:
        # After the folder is checked and locked, so that a refused folder is one line only.
        lang = cli_lang()
        print(
            t(
                "cli.reports.announce",
                lang,  # type: ignore[arg-type]
                n=len(params.regions),
                cohort=one_line(_cohort_title(params, lang)),
                cohort_id=one_line(params.cohort),
                jobs=params.jobs,
                where=t(f"cli.reports.where.{params.executor}", lang),  # type: ignore[arg-type]
                out=params.out,
            ),
            file=sys.stderr,
        )

    summary = run_batch(params, config=config, progress=args.progress, on_start=announce)
    print(summary.line(cli_lang()))
    if summary.write_error:
        raise OutputFolderError.keyed(
            "err.out.not_written",
            n=summary.not_written,
            detail=summary.write_error,
            fault=summary.write_fault,
            ok=summary.ok,
            out=params.out,
        )
    if summary.failures:
        keys = ", ".join(key for key, _ in summary.failures)
        print(
            terminal_text(
                t(
                    "cli.reports.failed",
                    cli_lang(),  # type: ignore[arg-type]
                    n=len(summary.failures),
                    keys=keys,
                    manifest=summary.manifest,
                )
            ),
            file=sys.stderr,
        )
    return summary.exit_code


def _cohort_title(params: Any, lang: str) -> str:
    """The cohort's title in ``lang`` (its ``title_en`` in English), for the command's own line."""
    if lang == "en":
        from living_lab.cohorts import load_cohort

        try:
            return load_cohort(params.cohort).title_en
        except Exception:  # a cohort given as a file path may not load twice; keep the title
            return str(params.cohort_title)
    return str(params.cohort_title)
