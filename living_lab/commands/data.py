"""``living-lab data build|check``: rebuild or check the bundled tables."""

from __future__ import annotations

import argparse

from living_lab import build, datasets, paths
from living_lab.cli import add_lang_option, text


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help=text("data.help"), description=text("data.help"))
    p.add_argument("action", choices=["build", "check"], help=text("data.action_help"))
    add_lang_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "build":
        written = build.build_all()
        for name, path in written.items():
            n = sum(1 for _ in path.open(encoding="utf-8")) - 1
            print(
                text(
                    "data.rows_built",
                    name=f"{name:15s}",
                    n=f"{n:6d}",
                    path=path.relative_to(paths.ROOT),
                )
            )
        return 0
    # Load every table before printing: a failing check is one error line, not a partial list.
    counts = {name: len(datasets.load_table(name)) for name in build.BUILDERS}
    for name, n in counts.items():
        print(text("data.rows_ok", name=f"{name + '.csv':19s}", n=f"{n:6d}"))
    return 0
