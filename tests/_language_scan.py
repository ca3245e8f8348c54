"""The language scan shared by the tests: words of the other language and code identifiers.

The curated lists live in ``tests/fixtures/language_scan.yml``. :func:`offences` finds them in a
text; :func:`command_line_text` first removes what a user types literally (option names, quoted
values, choice lists, example command lines, command names), which is the same in both
languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

SCAN = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "language_scan.yml").read_text(encoding="utf-8")
)
OTHER = {"id": SCAN["english_in_id"], "en": SCAN["indonesian_in_en"]}
#: The words checked in command-line text: the page lists plus the command line's own.
OTHER_CLI = {
    "id": SCAN["english_in_id"] + SCAN["english_in_id_cli"],
    "en": SCAN["indonesian_in_en"] + SCAN["indonesian_in_en_cli"],
}
#: The words of the report runner's failure sentences (checked where failures show).
OTHER_RUNNER = {"id": SCAN["english_in_id_runner"], "en": SCAN["indonesian_in_en_runner"]}


def without_proper_nouns(text: str) -> str:
    """``text`` without the names both editions print as they are (agencies, licences)."""
    for noun in SCAN["proper_nouns"]:
        text = text.replace(noun, " ")
    return text


def offences(
    text: str,
    lang: str,
    *,
    identifiers: bool = True,
    command_line: bool = False,
    runner: bool = False,
) -> list[str]:
    """Words of the other language (and, with ``identifiers``, code identifiers) in ``text``;
    ``command_line`` adds the command line's own words (``OTHER_CLI``), ``runner`` those of the
    runner's failure sentences (``OTHER_RUNNER``)."""
    text = without_proper_nouns(text)
    found = []
    words = (OTHER_CLI if command_line else OTHER)[lang] + (OTHER_RUNNER[lang] if runner else [])
    for word in words:
        for m in re.finditer(rf"(?<![\w/.-]){re.escape(word)}(?![\w/-])", text, flags=re.I):
            found.append(f"{word!r} in ...{text[max(0, m.start() - 50) : m.end() + 50]}...")
    for ident in SCAN["code_identifiers"] if identifiers else ():
        for m in re.finditer(re.escape(ident), text):
            found.append(f"{ident!r} in ...{text[max(0, m.start() - 50) : m.end() + 50]}...")
    return found


#: A file name or path (``regions.csv``, ``/tmp/sa.xlsx``): the same in both languages.
FILE_NAME = re.compile(r"[\w./~-]*\.(?:csv|xlsx|xlsm|xls|yaml|yml|json|html|ipynb|txt)\b")


def without_file_names(text: str) -> str:
    return FILE_NAME.sub(" ", text)


#: Command names (typed literally in either language).
COMMAND_NAMES = ("data", "regions", "peers", "template", "score", "plan", "audit", "reports")


def command_line_text(text: str) -> str:
    """Help or an error line without what the user types literally in either language: example
    lines (``living-lab ...``), option names (``--min-confidence``), quoted values
    (``'best-peer'``, ``"Kab. Sumedang"``, ``'all'``), choice lists (``{high,medium,low}``),
    ``<placeholders>``, ``cohort:NAME`` values and the command names."""
    text = re.sub(r"(?m)^\s*living-lab\b.*$", " ", text)
    text = re.sub(r"living-lab(?: \w+)?", " ", text)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = without_file_names(text)
    text = re.sub(r"\{[^{}\n]*\}", " ", text)
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", " ", text)
    text = re.sub(r"<[^<>\n]*>", " ", text)
    text = re.sub(r"(?<![\w-])--?[\w-]+", " ", text)
    text = re.sub(r"\bcohort:\S*", " ", text)
    text = re.sub(r"\b\w+\[\d+\]", " ", text)  # a parameter path: regions[1]
    text = re.sub(r"\b[a-z_]+=", " ", text)  # a column and its value: year=2023
    text = re.sub(r"\b[a-z_]+(?:/[a-z_]+)+\b", " ", text)  # a key of columns: region_code/year
    return re.sub(rf"(?m)^\s+(?:{'|'.join(COMMAND_NAMES)})\b", " ", text)
