"""``living-lab template [FILE]``: write an empty (or a SYNTHETIC example) self-assessment."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from living_lab import selfassessment
from living_lab.commands._scoring_common import LANGS
from living_lab.errors import ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK, available_frameworks, load_framework
from living_lab.text import t

DESCRIPTION = """\
Write the self-assessment (penilaian mandiri) template: one row per indicator of the framework
with its number, name, aspect, domain, capability type, weight and level names, and an empty
'level' column to fill with 1-5. Without FILE the CSV goes to standard output; a FILE ending in
.xlsx is written as a spreadsheet (the level column only accepts whole numbers 1-5), any other
name as CSV (UTF-8). An existing FILE is not overwritten unless --force is given, and then
only by a complete new file (a failed or interrupted write leaves it as it was).

--framework pemdi-2026 writes the template of the Pemdi framework (PermenPANRB 8/2026, from
the 2026 round: 20 indicators in 7 aspects; transcription confidence medium), with a column
'assessed_by' marking the four indicators whose level comes from another agency's assessment.

--example writes a filled SYNTHETIC self-assessment instead (random levels around the 2024
national domain averages, or for Pemdi, which has no published results yet, around 3, the
middle of the scale; every row is labelled synthetic), for trying out score and plan.

Examples:
  living-lab template > penilaian.csv
  living-lab template penilaian.xlsx
  living-lab template --example contoh.csv && living-lab plan contoh.csv --target 3.5
  living-lab template pemdi.xlsx --framework pemdi-2026
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template",
        help="write the self-assessment template (CSV or XLSX), or a synthetic example",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "file", nargs="?", metavar="FILE", help="output file (.csv or .xlsx); stdout if omitted"
    )
    p.add_argument(
        "--example", action="store_true", help="write a filled SYNTHETIC example instead"
    )
    p.add_argument(
        "--seed",
        type=int,
        default=selfassessment.DEFAULT_SEED,
        help="random seed of --example (default %(default)s)",
    )
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument(
        "--framework",
        default=DEFAULT_FRAMEWORK,
        help=f"framework id (default {DEFAULT_FRAMEWORK}; available: {', '.join(available_frameworks())})",
    )
    p.add_argument(
        "--lang", choices=LANGS, default="id", help="language of messages and labels (default id)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    if args.seed < 0:
        raise ParameterError(f"--seed: {args.seed}; expected a whole number 0 or more")
    target = Path(args.file) if args.file else None
    if target is not None:
        kind = _not_regular(target)
        if kind == "folder":
            raise ParameterError(f"FILE: {target} is a folder; expected a file name")
        if kind:
            raise ParameterError(
                f"FILE: {target} is {kind}, not a regular file; it is never replaced "
                "(--force included); choose a file name"
            )
        if target.exists() and not args.force:
            raise ParameterError(f"FILE: {target} exists; choose another name or pass --force")
        if target.suffix.lower() == ".xls":
            raise ParameterError("FILE: the old .xls format is not written; use .xlsx or .csv")
        if not target.parent.exists():
            raise ParameterError(f"FILE: folder {target.parent} does not exist")
    if args.example:
        df = selfassessment.write_synthetic_example(
            target, seed=args.seed, framework=fw, lang=args.lang
        )
        if target is not None:
            print(t("example_written", args.lang, path=target, seed=args.seed))
    else:
        df = selfassessment.write_template(target, framework=fw, lang=args.lang)
        if target is not None:
            print(t("template_written", args.lang, path=target, n=len(df)))
    if target is not None and fw.confidence is not None:
        print(f"{t('scoring_framework', args.lang)}: {fw.name}")
        print(t(f"scoring_confidence_{fw.confidence}", args.lang))
    return 0


def _not_regular(path: Path) -> str:
    """What ``path`` (or what a symbolic link there points to) is, if it exists and is not a
    regular file: "folder", "a device", "a FIFO (named pipe)", "a socket"; "" otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"
