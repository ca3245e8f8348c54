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

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("data", "regions", "peers", "template", "score", "plan", "audit", "reports")
#: Set (to anything but 0 or empty) to get tracebacks of unexpected errors, like ``--debug``.
DEBUG_ENV = "LIVING_LAB_DEBUG"


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a usage error printed as one line (and a pointer to ``--help``).

    Subcommand parsers inherit the class, so every command behaves the same way.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message)}; see '{self.prog} --help'\n")


def one_line(text: object) -> str:
    """``text`` on one line, terminal escape sequences and control characters removed (a
    message may quote user data)."""
    return terminal_text(text)


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="living-lab",
        description="Benchmark SPBE scores of Indonesian regions and link them to stunting and poverty.",
    )
    parser.add_argument("--version", action="version", version=f"living-lab {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help=f"show the traceback of an unexpected error (also: {DEBUG_ENV}=1)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"living_lab.commands.{name}").register(sub)
    return parser


def _debug(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    prog = f"living-lab {args.command}"
    try:
        return int(args.func(args) or 0)
    except LivingLabError as exc:
        # A file with several problems (a SchemaError) gets one line per problem.
        for line in getattr(exc, "lines", None) or [exc]:
            print(f"{prog}: error: {one_line(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # Not the user's input: a bug or a failure of the machine. One line, not a traceback,
        # but never silently: the hint says how to see the traceback for a report.
        if _debug(args):
            raise
        detail = one_line(exc) or "no message"
        print(
            f"{prog}: unexpected error ({type(exc).__name__}: {detail}); please report it; "
            f"rerun as 'living-lab --debug {args.command} ...' for the traceback",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
