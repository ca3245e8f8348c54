"""Options and output helpers shared by the template, score, plan and audit commands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np
import pandas as pd

from living_lab.errors import ParameterError
from living_lab.framework import Framework
from living_lab.text import LANGS

FORMATS = ("table", "json", "csv")


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--format`` and ``--lang`` (its default: the command line's language)."""
    from living_lab.cli import cli_lang, text

    p.add_argument("--format", choices=FORMATS, default="table", help=text("opt.format_help"))
    p.add_argument("--lang", choices=LANGS, default=cli_lang(), help=text("opt.lang_help"))


def add_framework_option(p: argparse.ArgumentParser) -> None:
    """``--framework ID`` (default: the SPBE framework of PermenPANRB 59/2020)."""
    from living_lab.cli import text
    from living_lab.framework import DEFAULT_FRAMEWORK, available_frameworks

    p.add_argument(
        "--framework",
        default=DEFAULT_FRAMEWORK,
        metavar="ID",
        help=text(
            "opt.framework_help",
            default=DEFAULT_FRAMEWORK,
            available=", ".join(available_frameworks()),
        ),
    )


def parse_domains(text: str, fw: Framework, *, option: str = "--domains") -> list[float]:
    """``"3.70,3.40,3.00,3.20"`` (or ``"3,70;3,40;3,00;3,20"``) -> four floats in 1-5."""
    parts = text.split(";") if ";" in text else text.split(",")
    n = len(fw.domains)
    # The framework's top-level groups: SPBE domains (D1..D4), or aspects (A1..) in Pemdi.
    group, letter = fw.top_level, fw.top_level[0].upper()
    example = "3.70,3.40,3.00,3.20" if n == 4 else ",".join(["3.00"] * n)
    if len(parts) != n:
        raise ParameterError.keyed(
            f"err.domains.count.{group}",
            option=option,
            got=len(parts),
            text=text,
            n=n,
            example=example,
            example_id=example.replace(",", ";").replace(".", ","),
        )
    out = []
    for d, part in zip(fw.domains, parts, strict=True):
        try:
            v = float(part.strip().replace(",", "."))
        except ValueError:
            raise ParameterError.keyed(
                "err.domains.not_number",
                option=option,
                code=f"{letter}{d.number}",
                value=part.strip(),
            ) from None
        if not fw.scale_min <= v <= fw.scale_max:
            raise ParameterError.keyed(
                f"err.domains.range.{group}",
                option=option,
                code=f"{letter}{d.number}",
                value=v if np.isfinite(v) else part.strip(),
                low=fw.scale_min,
                high=fw.scale_max,
                scale="SPBE" if fw.index_name is None else fw.index_name["en"].split()[0],
            )
        out.append(v)
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if v is pd.NA:
        return None
    return v


def print_json(obj: Any) -> None:
    print(json.dumps(_jsonable(obj), ensure_ascii=False, indent=2))


def print_csv(df: pd.DataFrame) -> None:
    df.to_csv(sys.stdout, index=False, lineterminator="\n")


def fmt2(x: float, lang: str = "id") -> str:
    """Two decimals, half up, as published, in the language's number format."""
    from living_lab.scoring import round_half_up
    from living_lab.text import number

    return number(round_half_up(float(x)), lang, 2)


def text_table(df: pd.DataFrame, right: tuple[str, ...] = ()) -> str:
    """A plain aligned table with a dashed rule under the header; ``right`` columns right-aligned."""
    cells = [[str(c) for c in df.columns]] + [
        ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in row]
        for row in df.itertuples(index=False)
    ]
    widths = [max(len(r[k]) for r in cells) for k in range(len(df.columns))]
    numeric = [c in right or pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]

    def line(r: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(r, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])
