"""``living-lab regions NAME ...``: resolve names or codes to BPS codes."""

from __future__ import annotations

import argparse

from living_lab import datasets
from living_lab.cli import add_lang_option, text
from living_lab.regions import resolve_region


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regions", help=text("regions.help"), description=text("regions.help"))
    p.add_argument(
        "names", nargs="+", metavar=text("metavar.name"), help=text("regions.names_help")
    )
    add_lang_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    regions = datasets.load_regions().set_index("region_code")
    # Resolve every name before printing any, so a bad one gives an error and no partial list.
    codes = [resolve_region(name) for name in args.names]
    for code in codes:
        row = regions.loc[code]
        print(f"{code}\t{row['kemendagri_code']}\t{row['name']}\t{row['province']}")
    return 0
