"""``living-lab reports``: region and cohort reports for a cohort, in warm kernels.

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

from living_lab.escape import terminal_text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "reports",
        help="run the region reports (and cohort reports) of a cohort into an HTML folder",
        description=(
            "Execute the parameterised report notebooks for every region of a cohort in warm "
            "kernels and write DIR/index.html, DIR/regions/<code>.html|.ipynb, DIR/cohort/ and "
            "DIR/manifest.json. Unchanged reports are skipped unless --force. Exit status: 0 "
            "done, 1 a report failed, 2 bad input or files not written, 130 interrupted "
            "(Ctrl-C or SIGTERM)."
        ),
    )
    who = p.add_argument_group("which reports")
    who.add_argument(
        "--cohort",
        metavar="NAME",
        help="cohort name (params/cohorts/), 'all', or a cohort YAML file (default: jawa-barat)",
    )
    who.add_argument(
        "--regions",
        metavar="LIST",
        help="comma-separated region codes or names, e.g. '3211,Kota Bandung'",
    )
    who.add_argument(
        "--no-cohort-reports",
        dest="cohort_reports",
        action="store_const",
        const=False,
        help="skip the cohort-level notebooks",
    )
    what = p.add_argument_group("report parameters")
    what.add_argument("--year", metavar="Y", help="SPBE evaluation year (default: 2024)")
    what.add_argument("--target", metavar="X", help="SPBE index target, 1 to 5 (default: 3.5)")
    what.add_argument(
        "--target-year",
        dest="target_year",
        metavar="Y",
        help="year the target should be reached (default: 2025)",
    )
    what.add_argument("--lang", metavar="id|en", help="report language (default: id)")
    what.add_argument(
        "--params",
        metavar="FILE",
        help="YAML file setting any of these options (command line wins)",
    )
    run_ = p.add_argument_group("running")
    run_.add_argument("--out", metavar="DIR", help="output folder (default: reports)")
    run_.add_argument("--jobs", metavar="N", help="kernels run at once (default: number of cores)")
    run_.add_argument(
        "--force", action="store_const", const=True, help="re-run reports even when unchanged"
    )
    run_.add_argument(
        "--timeout",
        metavar="S",
        help="wall-clock seconds per notebook before its kernel is killed (default: 600)",
    )
    run_.add_argument("--executor", metavar="local|dask", help="where to run (default: local)")
    run_.add_argument(
        "--scheduler", metavar="ADDRESS", help="Dask scheduler address for --executor dask"
    )
    run_.add_argument(
        "--formats",
        metavar="LIST",
        help="files per report: 'html' (for reviewers) or 'html,ipynb' to keep the executed "
        "notebook too (default: html,ipynb)",
    )
    run_.add_argument(
        "--notebooks", metavar="FILE", help="notebook set to run (default: params/notebooks.yaml)"
    )
    run_.add_argument(
        "--no-progress", dest="progress", action="store_false", default=None, help="no progress bar"
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
    from living_lab.report.pool import avoid_slow_imports
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
                executor=params.executor,
                out=params.out,
            ),
            file=sys.stderr,
        )

    summary = run_batch(params, config=config, progress=args.progress, on_start=announce)
    print(summary.line())
    if summary.write_error:
        raise OutputFolderError(
            f"out: {summary.not_written} finished report(s) not written ({summary.write_error}); "
            f"{summary.ok} written and kept in {params.out}"
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
