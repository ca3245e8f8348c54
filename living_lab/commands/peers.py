"""``living-lab peers REGION``: standing among peers, rank interval, largest lever, partners."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from living_lab import peers
from living_lab.cli import cli_lang, text
from living_lab.errors import ParameterError
from living_lab.escape import terminal_block
from living_lab.improvement import improvement_plan
from living_lab.peers import data, render
from living_lab.peers.config import load_config
from living_lab.peers.uncertainty import DEFAULT_CONCENTRATION, DEFAULT_DRAWS
from living_lab.text import LANGS, t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "peers",
        help=text("peers.help"),
        description=text("peers.description"),
        epilog=text("peers.epilog"),
    )
    p.add_argument("region", metavar=text("metavar.region"), help=text("peers.region_help"))
    p.add_argument(
        "--domain", type=int, choices=[1, 2, 3, 4], default=None, help=text("peers.domain_help")
    )
    p.add_argument(
        "--group", metavar=text("metavar.name"), default="province", help=text("peers.group_help")
    )
    p.add_argument(
        "--partner-group",
        metavar=text("metavar.name"),
        default="all",
        help=text("peers.partner_group_help"),
    )
    year = text("metavar.year")
    p.add_argument("--year", type=int, default=None, metavar=year, help=text("peers.year_help"))
    p.add_argument(
        "--format", choices=["table", "json"], default="table", help=text("peers.format_help")
    )
    p.add_argument("--lang", choices=list(LANGS), default=cli_lang(), help=text("opt.lang_help"))
    p.add_argument("--partners", type=int, default=5, metavar="N", help=text("peers.partners_help"))
    p.add_argument(
        "--frontier",
        choices=["p90", "top3", "max"],
        default=None,
        help=text("peers.frontier_help", default=load_config().frontier),
    )
    p.add_argument(
        "--draws",
        type=int,
        default=DEFAULT_DRAWS,
        metavar="N",
        help=text("peers.draws_help", default=DEFAULT_DRAWS),
    )
    p.add_argument(
        "--concentration",
        type=float,
        default=DEFAULT_CONCENTRATION,
        metavar="C",
        help=text("peers.concentration_help", default=DEFAULT_CONCENTRATION),
    )
    p.add_argument("--seed", type=int, default=0, metavar="N", help=text("peers.seed_help"))
    p.add_argument(
        "--min-confidence",
        choices=["high", "medium", "low"],
        default="medium",
        help=text("peers.min_confidence_help"),
    )
    p.set_defaults(func=run)


#: More draws than this add nothing to a 5-95% rank interval and only cost time.
MAX_DRAWS = 100_000


def _check(args: argparse.Namespace) -> None:
    if args.partners < 1:
        raise ParameterError.keyed("err.peers.partners", value=args.partners)
    if not 1 <= args.draws <= MAX_DRAWS:
        raise ParameterError.keyed("err.peers.draws", value=args.draws, most=MAX_DRAWS)
    if args.seed < 0:
        raise ParameterError.keyed("err.peers.seed", value=args.seed)
    if not (args.concentration > 0 and math.isfinite(args.concentration)):
        value = args.concentration
        raise ParameterError.keyed(
            "err.peers.concentration", value=value if math.isfinite(value) else str(value)
        )


def _renamed(exc: ParameterError, option: str) -> ParameterError:
    """``exc`` naming the option the user typed instead of the library's ``group`` parameter."""
    if exc.key:
        if "param" not in exc.fields:
            return exc
        return ParameterError.keyed(exc.key, **{**exc.fields, "param": option})
    return ParameterError(str(exc).replace("group:", f"{option}:", 1))


def _json_default(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    if v is pd.NA:
        return None
    raise TypeError(f"not serialisable: {type(v).__name__}")


def run(args: argparse.Namespace) -> int:
    _check(args)
    lang = args.lang
    # Load inputs.
    year = data.check_year(args.year)
    code = data.evaluated_region(args.region, year)
    # Process data.
    try:
        st = peers.standing(
            code,
            group=args.group,
            year=year,
            n_draws=args.draws,
            concentration=args.concentration,
            seed=args.seed,
            min_confidence=args.min_confidence,
        )
    except ParameterError as exc:
        raise _renamed(exc, "--group") from None
    fg = peers.frontier_gap(
        code,
        group=args.group,
        year=year,
        frontier=args.frontier,
        min_confidence=args.min_confidence,
    )
    try:
        plan = improvement_plan(
            code, group=args.group, year=year, partners=False, frontier=args.frontier
        )
    except ParameterError as exc:
        raise _renamed(exc, "--group") from None
    domain = args.domain if args.domain is not None else (plan.focus_domains or (None,))[0]
    pr = None
    if domain is not None:
        try:
            pr = peers.study_partners(
                code,
                domain=domain,
                group=args.partner_group,
                year=year,
                n=args.partners,
                min_confidence=args.min_confidence,
            )
        except ParameterError as exc:
            # Errors about the partner search's group must name the option the user typed.
            raise _renamed(exc, "--partner-group") from None
        if args.domain is None:
            pr = replace(pr, domain_reason="focus")
    names = data.scores(year)["name"].to_dict()
    # Show outputs.
    if args.format == "json":
        out = {
            "standing": st.to_dict(lang),
            "frontier": {
                "method": fg.attrs["frontier"],
                "group": args.group,
                "potential_index": fg.attrs["potential_index"],
                "domains": fg.to_dict("records"),
            },
            "benchmark": [
                {k: data.plain(v) for k, v in row.items()}
                for row in plan.benchmark.to_dict("records")
            ],
            "focus_domains": list(plan.focus_domains),
            "focus_reason": plan.focus_reason,
            "partners": pr.to_dict(lang)
            if pr is not None
            else {"status": "no_focus", "domain": None, "partners": []},
        }
        print(json.dumps(out, ensure_ascii=False, indent=2, default=_json_default))
        return 0
    _echo(
        t(
            "peers_header",
            lang,
            name=st.name,
            code=code,
            year=year,
            group=st.group.label(lang),
            n=st.n,
        )
    )
    _echo()
    _echo(t("peers_title_standing", lang))
    _echo(render.text_table(render.standing_table(st, lang)))
    _echo()
    _echo(t("peers_title_interval", lang))
    for line in render.interval_lines(st, lang, names):
        _echo(f"  {line}")
    _echo()
    _echo(t("peers_title_frontier", lang))
    _echo(render.text_table(render.benchmark_table(plan.benchmark, lang, names)))
    _echo(f"  {render.focus_line(plan, lang)}")
    _echo()
    _echo(t("peers_title_partners", lang))
    if pr is None:
        _echo(f"  {t('peers_no_focus', lang)}")
    else:
        _echo(f"  {render.partners_line(pr, lang)}")
        if pr.status == "none_found":
            _echo(f"  {t('peers_none_found', lang)}")
        else:
            _echo(render.text_table(render.partners_table(pr, lang)))
    _echo()
    _echo(t("peers_notes", lang))
    notes = [
        t("peers_note_published_rank", lang),
        t("peers_note_domain_predicate", lang),
        *(n.text(lang) for n in (*st.group.notes, *st.notes, *(pr.notes if pr else ()))),
    ]
    for note in dict.fromkeys(notes):
        _echo(f"  - {note}")
    return 0


def _echo(text: object = "") -> None:
    """Print text output; names from the data cannot send escape sequences to the terminal."""
    print(terminal_block(text))
