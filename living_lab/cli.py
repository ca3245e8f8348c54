"""The ``living-lab`` command line.

Each subcommand lives in ``living_lab/commands/<name>.py`` and exposes ``register(subparsers)``
(adding its parser with ``set_defaults(func=run)``) and ``run(args) -> int``.

What the user sees when something goes wrong is one line on standard error, never a
traceback (the table of cases is ``docs/bad_inputs.md``):

* exit 2 - bad input or usage: an error of the library (:class:`~living_lab.errors.LivingLabError`,
  naming the file, line, field or parameter) or an argument argparse refused;
* exit 1 - anything else (a bug or a failure of the machine): ``unexpected error (...)`` with
  a hint to rerun with ``--debug`` (or ``LIVING_LAB_DEBUG=1``), which shows the traceback;
* exit 130 - interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from living_lab import __version__
from living_lab.errors import LivingLabError
from living_lab.escape import terminal_text
from living_lab.text import LANGS, t

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("data", "regions", "peers", "template", "score", "plan", "audit", "reports")
#: Set (to anything but 0 or empty) to get tracebacks of unexpected errors, like ``--debug``.
DEBUG_ENV = "LIVING_LAB_DEBUG"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a usage error printed as one line (and a pointer to ``--help``).

    Subcommand parsers inherit the class, so every command behaves the same way.
    """

    def error(self, message: str) -> NoReturn:
        text = t("cli.usage_error", cli_lang(), prog=self.prog, message=one_line(message))  # type: ignore[arg-type]
        self.exit(2, text + "\n")


#: Language of the command line's own messages and help for this process (see :func:`cli_lang`).
_LANG: list[str] = ["id"]


def cli_lang() -> str:
    """The language of the command line's own messages: the ``--lang`` of the command line."""
    return _LANG[0]


def _argv_lang(argv: Sequence[str]) -> str:
    """``--lang en`` / ``--lang=en`` anywhere on the command line, else Indonesian."""
    for i, arg in enumerate(argv):
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    return "id"


def one_line(text: object) -> str:
    """``text`` on one line, terminal escape sequences and control characters removed (a
    message may quote user data)."""
    return terminal_text(text)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    lang = lang or cli_lang()
    parser = ArgumentParser(prog="living-lab", description=t("cli.description", lang))  # type: ignore[arg-type]
    parser.add_argument(
        "--version",
        action="version",
        version=f"living-lab {__version__}",
        help=t("cli.version_help", lang),  # type: ignore[arg-type]
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help=t("cli.debug_help", lang, env=DEBUG_ENV),  # type: ignore[arg-type]
    )
    parser.add_argument(
        "--lang",
        dest="cli_lang",
        choices=list(LANGS),
        default=None,
        help=t("cli.lang_help", lang),  # type: ignore[arg-type]
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"living_lab.commands.{name}").register(sub)
    return parser


def _debug(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _argv_lang(argv)
    _LANG[0] = lang
    parser = build_parser(lang)
    args = parser.parse_args(argv)
    given = [a for a in argv if a == "--lang" or a.startswith("--lang=")]
    if getattr(args, "cli_lang", None) and hasattr(args, "lang") and len(given) == 1:
        args.lang = args.cli_lang  # `living-lab --lang en peers ...`: one language for all
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    prog = f"living-lab {args.command}"
    try:
        return int(args.func(args) or 0)
    except LivingLabError as exc:
        # A file with several problems (a SchemaError) gets one line per problem.
        for line in getattr(exc, "lines", None) or [exc]:
            print(t("cli.error", lang, prog=prog, message=one_line(line)), file=sys.stderr)  # type: ignore[arg-type]
        return exc.exit_code
    except KeyboardInterrupt:
        print(t("cli.interrupted", lang, prog=prog), file=sys.stderr)  # type: ignore[arg-type]
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # Not the user's input: a bug or a failure of the machine. One line, not a traceback,
        # but never silently: the hint says how to see the traceback for a report.
        if _debug(args):
            raise
        detail = one_line(exc) or t("cli.no_message", lang)  # type: ignore[arg-type]
        print(
            t(
                "cli.unexpected",
                lang,  # type: ignore[arg-type]
                prog=prog,
                kind=type(exc).__name__,
                message=detail,
                command=args.command,
            ),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
