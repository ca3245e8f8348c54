"""``living-lab plan``: the cheapest level (or domain) increases that reach a target index."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from living_lab import planner, selfassessment
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
from living_lab.commands.peers import _renamed
from living_lab.errors import ParameterError
from living_lab.framework import Framework, load_framework
from living_lab.scoring import _ranges, round_half_up
from living_lab.text import Lang, fewest_decimals, number, t


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help=text("plan.help"), description=text("plan.description"))
    p.add_argument("file", nargs="?", metavar=text("metavar.file"), help=text("plan.file_help"))
    src = p.add_argument_group(text("plan.group_domains"))
    src.add_argument("--domains", metavar="D1,D2,D3,D4", help=text("plan.domains_help"))
    src.add_argument("--region", metavar=text("metavar.region"), help=text("plan.region_help"))
    src.add_argument(
        "--year", type=int, default=2024, metavar=text("metavar.year"), help=text("plan.year_help")
    )
    p.add_argument("--target", required=True, metavar="X", help=text("plan.target_help"))
    p.add_argument("--costs", metavar=text("metavar.costs_file"), help=text("plan.costs_help"))
    p.add_argument("--caps", metavar=text("metavar.spec"), help=text("plan.caps_help"))
    p.add_argument(
        "--peers", default="province", metavar=text("metavar.group"), help=text("plan.peers_help")
    )
    p.add_argument("--allow-partial", action="store_true", help=text("plan.partial_help"))
    add_framework_option(p)
    add_output_options(p)
    p.set_defaults(func=run)


#: Earlier names of --peers values, still accepted.
_PEER_ALIASES = {"island_group": "island"}


def run(args: argparse.Namespace) -> int:
    fw = load_framework(args.framework)
    args.peers = _PEER_ALIASES.get(args.peers, args.peers)
    sources = [args.file is not None, args.domains is not None, args.region is not None]
    if sum(sources) != 1:
        raise ParameterError.keyed("err.plan.one_source")
    if args.file is not None:
        return _plan_file(args, fw)
    if args.costs:
        raise ParameterError.keyed("err.plan.costs_need_file")
    if args.region is not None:
        return _plan_region(args, fw)
    return _plan_domains(args, fw)


# --------------------------------------------------------------------------------------------
# Indicator level
# --------------------------------------------------------------------------------------------


def _plan_file(args: argparse.Namespace, fw: Framework) -> int:
    sa = selfassessment.read_self_assessment(
        args.file, framework=fw, allow_partial=args.allow_partial
    )
    levels = sa.levels.fillna(fw.scale_min)
    costs, caps = None, {}
    if args.costs:
        costs, caps = selfassessment.read_costs(args.costs, framework=fw)
    if args.caps:
        caps.update(_indicator_caps(args.caps, fw))
    plan = planner.plan_levels(levels, args.target, costs=costs, caps=caps or None, framework=fw)
    extra = {
        "synthetic": sa.synthetic,
        "source": Path(args.file).name,
        "missing_indicators": list(sa.missing),
        "missing_treatment": "counted as level 1 (lower bound)" if sa.missing else None,
    }
    if fw.confidence is not None:
        extra = {"framework_name": fw.name, "framework_confidence": fw.confidence, **extra}
    if args.format == "json":
        print_json({**plan.to_dict(), **extra})
    elif args.format == "csv":
        print_csv(plan.table.assign(synthetic=sa.synthetic))
    else:
        print(render_plan(plan, args.lang, synthetic=sa.synthetic, missing=sa.missing))
    return 0 if plan.reached else 1


def _indicator_caps(spec: str, fw: Framework) -> dict[int, Any]:
    path = Path(spec)
    if path.exists() or path.suffix.lower() in {".csv", ".xlsx", ".xlsm", ".txt"}:
        _, caps = selfassessment.read_costs(path, framework=fw)
        if not caps:
            raise ParameterError.keyed("err.plan.caps_no_values", path=path)
        return caps
    out: dict[int, Any] = {}
    for part in spec.replace(";", ",").split(","):
        key, sep, value = part.partition("=")
        if not sep:
            raise ParameterError.keyed("err.plan.caps_indicator", part=part.strip())
        _refuse_repeat(out, key, part, "indicator")
        out[key.strip()] = value.strip()
    return out


def _refuse_repeat(caps: dict, key: str, part: str, what: str) -> None:
    """An inline ``--caps`` naming one indicator or domain twice is refused, as a caps file is."""
    norm = key.strip().lower().lstrip("d").lstrip("0") or "0"
    for seen in caps:
        if (str(seen).strip().lower().lstrip("d").lstrip("0") or "0") == norm:
            raise ParameterError.keyed(
                f"err.plan.caps_twice.{what}",
                key=key.strip(),
                part=part.strip(),
                seen=f"{seen}={caps[seen]}",
            )


def _outcome_lines(plan: planner.Plan | planner.DomainPlan, lang: Lang) -> list[str]:
    """The current index, then either "already reached" (all there is to say) or the new index.

    A plan that cannot reach its target says so before its new (best reachable) index.
    """
    lines = [
        f"{t('plan_current', lang)}: {fmt2(plan.current_index, lang)} ({plan.current_predicate})"
    ]
    if plan.already_reached:
        key = "plan_top_band" if plan.target is None else "plan_already"
        lines.append(
            t(
                key,
                lang,
                target=_target_text(plan, lang),
                index=fmt2(plan.current_index, lang),
                predicate=plan.current_predicate,
            )
        )
        return lines
    if not plan.feasible:
        lines.append(
            t(
                "plan_infeasible",
                lang,
                target=_target_text(plan, lang),
                max_index=fmt2(plan.max_index, lang),
            )
        )
    lines.append(f"{t('plan_new', lang)}: {fmt2(plan.new_index, lang)} ({plan.new_predicate})")
    return lines


def render_plan(
    plan: planner.Plan, lang: Lang, *, synthetic: bool = False, missing: tuple[int, ...] = ()
) -> str:
    lines = []
    if synthetic:
        lines += [t("scoring_synthetic_note", lang), ""]
    lines.append(t("plan_heading", lang, target=_target_text(plan, lang)))
    fw = load_framework(plan.framework)
    if fw.confidence is not None:
        lines.append(f"{t('scoring_framework', lang)}: {fw.name}")
        lines.append(t(f"scoring_confidence_{fw.confidence}", lang))
    if missing:
        lines.append(t("plan_partial_note", lang, missing=_ranges(missing)))
    lines += _outcome_lines(plan, lang)
    if plan.already_reached:
        return "\n".join(lines)
    if plan.method == "greedy":
        lines.append(t("plan_summary_unit", lang, steps=plan.steps))
    else:
        lines.append(
            t(
                "plan_summary_cost",
                lang,
                steps=plan.steps,
                cost=number(plan.cost, lang, fewest_decimals(plan.cost)),
            )
        )
    lines.append("")
    tab = plan.table
    cols = {
        "ind": t("scoring_indicator", lang),
        "cur": t("plan_col_current", lang),
        "gain": t("plan_col_gain", lang),
    }
    shown = pd.DataFrame(
        {
            cols["ind"]: tab["indicator"].astype(str),
            "": [_short_name(n) for n in tab["name"]],
            # the top-level group: D(omain), or A(spect) where aspects are the top level
            fw.top_level[0].upper(): tab["domain"].astype(str),
            f"{cols['cur']} -> {t('plan_col_proposed', lang)}": [
                f"{c} -> {p}" for c, p in zip(tab["current"], tab["proposed"], strict=True)
            ],
            cols["gain"]: [number(g, lang, 4, sign=True) for g in tab["index_gain"]],
        }
    )
    if plan.method == "dp":
        shown[t("plan_col_cost", lang)] = [number(c, lang, fewest_decimals(c)) for c in tab["cost"]]
    lines.append(text_table(shown, right=(cols["gain"], t("plan_col_cost", lang))))
    if plan.notes:
        lines += [""] + [f"- {n}" for n in plan.notes_text(lang)]
    return "\n".join(lines)


def _target_text(plan: planner.Plan | planner.DomainPlan, lang: Lang = "id") -> str:
    if plan.target is None:
        return plan.target_label
    return number(plan.target, lang, 2) + (
        f" ({plan.target_label})" if plan.target_label != f"{plan.target:g}" else ""
    )


def _short_name(name: str, width: int = 58) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# --------------------------------------------------------------------------------------------
# Domain level
# --------------------------------------------------------------------------------------------


def _domain_caps(
    args: argparse.Namespace, fw: Framework, region_code: str | None
) -> tuple[Any, list[str], dict[str, Any]]:
    """``--caps`` as domain caps, with the header line and JSON fields it adds."""
    if not args.caps:
        return None, [], {}
    spec = args.caps.strip().lower()
    if spec in {"best-peer", "frontier"}:
        if region_code is None:
            raise ParameterError.keyed("err.plan.caps_need_region", spec=spec)
        from living_lab.peers import resolve_group

        try:
            grp = resolve_group(region_code, args.peers, year=args.year)
        except ParameterError as exc:
            raise _renamed(exc, "--peers") from None
        pc = planner.peer_caps(
            region_code,
            year=args.year,
            peers=list(grp.members),
            how="best" if spec == "best-peer" else "frontier",
        )
        extra = {
            "caps_from": {
                "how": pc.how,
                "peers": args.peers,
                "n_peers": pc.n_peers,
                "best_peer": pc.best_peer,
                "year": pc.year,
            }
        }
        return pc.caps, [_peer_line(pc, args.lang, grp.label(args.lang))], extra
    if "=" in spec:
        caps = {}
        for part in spec.replace(";", ",").split(","):
            key, _, value = part.partition("=")
            _refuse_repeat(caps, key, part, "domain")
            try:
                caps[key.strip()] = float(value.strip())
            except ValueError:
                raise ParameterError.keyed("err.plan.caps_domain", part=part.strip()) from None
        return caps, [], {}
    return parse_domains(args.caps, fw, option="--caps"), [], {}


def _plan_domains(args: argparse.Namespace, fw: Framework) -> int:
    domains = parse_domains(args.domains, fw)
    caps, header, extra = _domain_caps(args, fw, None)
    plan = planner.plan_domains(domains, args.target, caps=caps, framework=fw)
    if fw.confidence is not None:
        extra = {"framework_name": fw.name, "framework_confidence": fw.confidence, **extra}
    if args.format == "json":
        print_json({**plan.to_dict(), **extra})
    elif args.format == "csv":
        print_csv(plan.table)
    else:
        print(render_domain_plan(plan, args.lang, header=header))
    return 0 if plan.reached else 1


def _plan_region(args: argparse.Namespace, fw: Framework) -> int:
    """The region's improvement plan (the report's): focus, path by round, next predicate."""
    from living_lab.improvement import improvement_plan

    # Load inputs.
    region_code, _, header, extra = _published_domains(args.region, args.year, fw, args.lang)
    caps, cap_lines, cap_extra = _domain_caps(args, fw, region_code)
    # Process data.
    try:
        rp = improvement_plan(
            region_code,
            group=args.peers,
            target=args.target,
            year=args.year,
            caps=caps,
            partners=False,
        )
    except ParameterError as exc:
        raise _renamed(exc, "--peers") from None
    # Show outputs.
    if args.format == "json":
        out = {**rp.to_dict(args.lang), **extra, **cap_extra}
        if caps is not None:
            out["caps"] = {
                str(d.number): float(v)
                for d, v in zip(fw.domains, _cap_values(caps, fw), strict=True)
            }
        print_json(out)
    elif args.format == "csv":
        print_csv(rp.path.table().assign(region_code=region_code))
    else:
        print(render_region_plan(rp, args.lang, header=header + cap_lines))
    return 0 if rp.path.reached else 1


def _cap_values(caps: Any, fw: Framework) -> list[float]:
    from living_lab.planner import _domain_vector

    v = _domain_vector(caps, fw, "caps", allow_missing=True)
    return [fw.scale_max if pd.isna(x) else float(x) for x in v]


def render_region_plan(rp: Any, lang: Lang, *, header: list[str]) -> str:
    """The improvement plan of a region as text: one current index (the published one), the
    focus and why, the path by round and the next predicate."""
    fw = load_framework()
    names = {d.number: d.name for d in fw.domains}
    path = rp.path
    lines = [*header, t("plan_peer_group", lang, group=rp.group.label(lang), n=rp.group.n - 1)]
    if round_half_up(path.current_index) != round_half_up(rp.published_index):
        lines.append(t("plan_recomputed", lang, index=number(path.current_index, lang, 4)))
    if rp.focus_domains:
        top = rp.benchmark.iloc[0]
        lines.append(
            t(
                "plan_focus",
                lang,
                domains=", ".join(f"{d} {names[d]}" for d in rp.focus_domains),
                gain=number(top["realistic_gain"], lang, 3),
                frontier=fmt2(top["frontier"], lang),
            )
        )
    else:
        lines.append(t("plan_focus_none", lang))
    if path.target.value is not None:
        lines.append(t("plan_heading", lang, target=_resolved_text(path.target, lang)))
    if path.already_reached:
        key = "plan_top_band" if path.target.value is None else "plan_already"
        lines.append(
            t(
                key,
                lang,
                target=_resolved_text(path.target, lang),
                index=fmt2(rp.published_index, lang),
                predicate=fw.predicate(rp.published_index),
            )
        )
    else:
        key = "plan_rounds" if path.reached else "plan_rounds_short"
        lines.append(
            t(
                key,
                lang,
                n=path.n_rounds,
                domain=f"{path.first_domain} {names[path.first_domain]}"
                if path.first_domain
                else "-",
                new_index=fmt2(path.new_index, lang),
            )
        )
        lines.append("")
        tab = path.table()
        right = tuple(
            t(k, lang)
            for k in (
                "plan_col_current",
                "plan_col_proposed",
                "plan_col_increase",
                "plan_col_bound",
            )
        )
        shown = pd.DataFrame(
            {
                t("plan_col_round", lang): [
                    f"{r} ({y})" for r, y in zip(tab["round"], tab["year"], strict=True)
                ],
                t("scoring_domain", lang): [f"{d} {names[int(d)]}" for d in tab["domain"]],
                right[0]: [fmt2(v, lang) for v in tab["current"]],
                right[1]: [fmt2(v, lang) for v in tab["proposed"]],
                right[2]: [f"+{fmt2(v, lang)}" for v in tab["increase"]],
                right[3]: [fmt2(v, lang) for v in tab["bound"]],
                t("plan_new", lang): [number(v, lang, 3) for v in tab["index"]],
            }
        )
        lines.append(text_table(shown, right=(*right, t("plan_new", lang))))
    nxt = rp.next_path
    if nxt.target.value is not None and not nxt.already_reached:
        lines.append("")
        lines.append(
            t(
                "plan_next_rounds" if nxt.reached else "plan_next_short",
                lang,
                predicate=nxt.target.predicate,
                target=fmt2(nxt.target.value, lang),
                n=nxt.n_rounds,
            )
        )
    b = rp.bounds
    lines += [
        "",
        t(
            "plan_feasibility_note",
            lang,
            q=round(100 * b.quantile),
            from_year=b.from_year,
            to_year=b.to_year,
            n=b.n_regions,
        ),
    ]
    return "\n".join(lines)


def _resolved_text(rt: planner.ResolvedTarget, lang: Lang) -> str:
    if rt.value is None:
        return rt.label
    return number(rt.value, lang, 2) + (f" ({rt.label})" if rt.label != f"{rt.value:g}" else "")


def _published_domains(
    region: str, year: int, fw: Framework, lang: Lang
) -> tuple[str, list[float], list[str], dict[str, Any]]:
    from living_lab import datasets
    from living_lab.errors import UnknownRegionError
    from living_lab.regions import region_name, resolve_region

    try:
        code = resolve_region(region)
    except UnknownRegionError as exc:
        raise ParameterError.wrapping("--region", exc) from None
    spbe = datasets.load_spbe(framework=fw.id)
    if spbe.empty:
        raise ParameterError.keyed("err.plan.no_results", framework=fw.name, id=fw.id)
    rows = spbe[spbe["region_code"] == code]
    row = rows[rows["year"] == year]
    if row.empty:
        raise ParameterError.keyed(
            "err.plan.no_year", code=code, year=year, years=str(sorted(rows["year"]))
        )
    r = row.iloc[0]
    cols = fw.domain_columns
    if r[cols].isna().any():
        raise ParameterError.keyed("err.plan.no_domains", code=code, year=year)
    name = region_name(code)
    line = t(
        "plan_region",
        lang,
        name=name,
        code=code,
        year=year,
        index=fmt2(r["index"], lang),
        predicate=r["predicate"],
    )
    extra = {
        "region_code": code,
        "region_name": name,
        "year": year,
        "published_index": float(r["index"]),
    }
    return code, [float(r[c]) for c in cols], [line], extra


def _peer_line(pc: planner.PeerCaps, lang: Lang, group: str) -> str:
    if pc.how == "best":
        from living_lab import datasets
        from living_lab.regions import region_name

        spbe = datasets.load_spbe()
        idx = spbe.loc[
            (spbe["region_code"] == pc.best_peer) & (spbe["year"] == pc.year), "index"
        ].iloc[0]
        return t(
            "plan_caps_peer",
            lang,
            peer=region_name(pc.best_peer),
            peer_index=fmt2(idx, lang),
            n=pc.n_peers,
            group=group,
            year=pc.year,
        )
    return t("plan_caps_frontier", lang, n=pc.n_peers, group=group, year=pc.year)


def render_domain_plan(plan: planner.DomainPlan, lang: Lang, *, header: list[str]) -> str:
    lines = [*header, t("plan_heading", lang, target=_target_text(plan, lang))]
    lines += _outcome_lines(plan, lang)
    if plan.already_reached:
        return "\n".join(lines)
    lines.append(
        t(
            "plan_domain_summary",
            lang,
            total=fmt2(plan.total_increase, lang),
            resolution=number(plan.resolution, lang, fewest_decimals(plan.resolution)),
        )
    )
    lines.append("")
    tab = plan.table
    right = tuple(
        t(k, lang)
        for k in (
            "scoring_weight",
            "plan_col_current",
            "plan_col_cap",
            "plan_col_proposed",
            "plan_col_increase",
            "plan_col_gain",
        )
    )
    shown = pd.DataFrame(
        {
            t("scoring_domain", lang): tab["domain"].astype(str),
            "": tab["name"],
            right[0]: [number(w, lang, fewest_decimals(w)) for w in tab["weight_pct"]],
            right[1]: [fmt2(v, lang) for v in tab["current"]],
            right[2]: [fmt2(v, lang) for v in tab["cap"]],
            right[3]: [fmt2(v, lang) for v in tab["proposed"]],
            right[4]: [f"+{fmt2(v, lang)}" for v in tab["increase"]],
            right[5]: [f"+{number(v, lang, 4)}" for v in tab["index_gain"]],
        }
    )
    lines.append(text_table(shown, right=right))
    lines += ["", t("plan_domain_index_note", lang, index=number(plan.current_index, lang, 4))]
    if plan.notes:
        lines += [f"- {n}" for n in plan.notes_text(lang)]
    return "\n".join(lines)
