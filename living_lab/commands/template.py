"""``living-lab template [FILE]``: write an empty (or a SYNTHETIC example) self-assessment."""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from living_lab import selfassessment
from living_lab.cli import cli_lang, text
from living_lab.commands._scoring_common import LANGS, add_framework_option
from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.text import t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template", help=text("template.help"), description=text("template.description")
    )
    p.add_argument("file", nargs="?", metavar=text("metavar.file"), help=text("template.file_help"))
    p.add_argument("--example", action="store_true", help=text("template.example_help"))
    p.add_argument(
        "--seed",
        type=int,
        default=selfassessment.DEFAULT_SEED,
        metavar=text("metavar.n"),
        help=text("template.seed_help"),
    )
    p.add_argument("--force", action="store_true", help=text("template.force_help"))
    add_framework_option(p)
    p.add_argument("--lang", choices=LANGS, default=cli_lang(), help=text("template.lang_help"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    if args.seed < 0:
        raise ParameterError.keyed("err.seed_negative", seed=args.seed)
    target = Path(args.file) if args.file else None
    if target is not None:
        kind = _not_regular(target)
        if kind == "folder":
            raise ParameterError.keyed("err.template.folder", path=target)
        if kind:
            raise ParameterError.keyed(f"err.template.{kind}", path=target)
        if target.exists() and not args.force:
            raise ParameterError.keyed("err.template.exists", path=target)
        if target.suffix.lower() == ".xls":
            raise ParameterError.keyed("err.template.xls")
        if not target.parent.exists():
            raise ParameterError.keyed("err.template.no_folder", folder=target.parent)
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
    regular file: "folder", or the key of what it is ("device", "fifo", "socket", "special");
    "" otherwise."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISFIFO(mode):
        return "fifo"
    return "socket" if stat.S_ISSOCK(mode) else "special"
