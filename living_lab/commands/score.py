"""``living-lab score FILE | --domains a,b,c,d``: SPBE index, predicate, domain and aspect scores."""

from __future__ import annotations

import argparse

import pandas as pd

from living_lab import selfassessment
from living_lab.cli import text
from living_lab.commands._scoring_common import (
    add_framework_option,
    add_output_options,
    fmt2,
    parse_domains,
    print_csv,
    print_json,
    text_table,
)
from living_lab.errors import ParameterError
from living_lab.framework import load_framework
from living_lab.scoring import ScoreResult, _ranges, round_half_up, score_from_domains
from living_lab.text import Lang, fewest_decimals, number, t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help=text("score.help"), description=text("score.description"))
    p.add_argument("file", nargs="?", metavar=text("metavar.file"), help=text("score.file_help"))
    p.add_argument("--domains", metavar="D1,D2,D3,D4", help=text("score.domains_help"))
    p.add_argument("--allow-partial", action="store_true", help=text("score.partial_help"))
    add_framework_option(p)
    add_output_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    if (args.file is None) == (args.domains is None):
        raise ParameterError.keyed("err.score.file_or_domains")
    if args.domains is not None:
        result = score_from_domains(parse_domains(args.domains, fw), framework=fw)
    else:
        result = selfassessment.score_file(
            args.file, framework=fw, allow_partial=args.allow_partial
        )
    if args.format == "json":
        print_json(result.to_dict())
    elif args.format == "csv":
        print_csv(score_rows(result))
    else:
        print(render(result, args.lang))
    return 0


def score_rows(result: ScoreResult) -> pd.DataFrame:
    """Long table of scores: level (index/domain/aspect), number, name, weight, score."""
    fw = result.framework_definition()
    rows = [
        {
            "level": "index",
            "number": None,
            "name": "SPBE" if fw.index_name is None else fw.index_name["id"],
            "weight_pct": 100.0,
            "score": round_half_up(result.index),
            "score_unrounded": result.index,
            "predicate": result.predicate,
        }
    ]
    for kind, table in _group_tables(result):
        for r in table.itertuples(index=False):
            rows.append(
                {
                    "level": kind,
                    "number": getattr(r, "aspect" if kind == "aspect" else "domain"),
                    "name": r.name,
                    "weight_pct": r.weight_pct,
                    "score": round_half_up(r.score),
                    "score_unrounded": r.score,
                    "predicate": None,
                }
            )
    out = pd.DataFrame(rows)
    out["number"] = out["number"].astype("Int64")
    out["synthetic"] = result.synthetic
    return out


def render(result: ScoreResult, lang: Lang) -> str:
    """The readable report of a score."""
    fw = result.framework_definition()
    lines = []
    if result.synthetic:
        lines += [t("scoring_synthetic_note", lang), ""]
    basis = (
        t("scoring_from_levels", lang, n=len(fw.indicators) - len(result.missing))
        if result.levels is not None
        else t(f"scoring_from_{fw.top_level}s", lang)
    )
    index_name = t("spbe_index", lang) if fw.index_name is None else fw.index_name[lang]
    lines.append(f"{index_name}: {fmt2(result.index, lang)}  {result.predicate}")
    lines.append(f"{t('scoring_framework', lang)}: {fw.name}, {basis}")
    if fw.confidence is not None:
        lines.append(t(f"scoring_confidence_{fw.confidence}", lang))
    if result.predicate != result.predicate_of_rounded:
        lines.append(
            t(
                "scoring_threshold_note",
                lang,
                printed=fmt2(result.index, lang),
                printed_predicate=result.predicate_of_rounded,
                unrounded=result.index,
                predicate=result.predicate,
            )
        )
    if result.missing:
        lines.append(
            t(
                "scoring_partial_note",
                lang,
                missing=_ranges(result.missing),
                upper=fmt2(result.index_upper, lang),
            )
        )
    for kind, table in _group_tables(result):
        lines += ["", t(f"scoring_{kind}s_heading", lang)]
        lines.append(_score_table(table, kind, lang))
    external = result.external_levels(lang)
    if len(external):
        lines += ["", t("scoring_external_heading", lang)]
        for e in external.itertuples(index=False):
            level = "" if pd.isna(e.level) else f" = {int(e.level)}"
            lines.append(f"  {e.indicator}. {e.name}{level}: {e.assessed_by}")
    lines += ["", t("scoring_rounding_note", lang, unrounded=result.index)]
    return "\n".join(lines)


def _group_tables(result: ScoreResult) -> list[tuple[str, pd.DataFrame]]:
    """The score tables to show, by kind: domains then aspects.

    In a framework whose top-level groups are its aspects the domain table repeats the aspect
    table, so only the aspects are shown (or, scored from group scores, the groups as aspects).
    """
    fw = result.framework_definition()
    aspects = result.aspect_table()
    groups = result.domain_table()
    if fw.top_level == "aspect":
        if aspects is not None:
            return [("aspect", aspects)]
        return [("aspect", groups.assign(aspect=groups["domain"]))]
    return [("domain", groups)] + ([] if aspects is None else [("aspect", aspects)])


def _score_table(table: pd.DataFrame, kind: str, lang: Lang) -> str:
    shown = pd.DataFrame(
        {
            t(f"scoring_{kind}", lang): table[kind].astype(str),
            "": table["name"],
            t("scoring_weight", lang): [
                number(w, lang, fewest_decimals(w)) for w in table["weight_pct"]
            ],
            t("scoring_score", lang): [fmt2(s, lang) for s in table["score"]],
        }
    )
    return text_table(shown, right=(t("scoring_weight", lang), t("scoring_score", lang)))
