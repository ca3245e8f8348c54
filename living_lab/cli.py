"""The ``living-lab`` command line.

Each subcommand lives in ``living_lab/commands/<name>.py`` and exposes ``register(subparsers)``
(adding its parser with ``set_defaults(func=run)``) and ``run(args) -> int``. Errors of the
library become one line on standard error and exit status 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from living_lab import __version__
from living_lab.errors import LivingLabError

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("data", "regions", "peers", "template", "score", "plan", "audit", "reports")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="living-lab",
        description="Benchmark SPBE scores of Indonesian regions and link them to stunting and poverty.",
    )
    parser.add_argument("--version", action="version", version=f"living-lab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"living_lab.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except LivingLabError as exc:
        print(f"living-lab {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"living-lab {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
