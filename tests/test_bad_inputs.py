"""The bad-input matrix: every input the suite accepts, and the ways each can be wrong.

Each :class:`Case` is one row of ``docs/bad_inputs.md``: an input (a file kind or a command's
arguments), a way it is wrong, how it reaches the library (a ``living-lab`` command line run
in a folder holding the case's files, or a library call), the exact line the user sees and
the exit status. The same list drives the tests and the document, and a test checks that the
document is what the list renders, so the table cannot drift from behaviour. After changing a
case, rewrite the document with::

    .venv/bin/python tests/test_bad_inputs.py --write-docs

Every command-line case is run in-process (``living_lab.cli.main``) in a fresh folder that
also holds a previous output (``previous.json``); the test checks the exit status, that stderr
is exactly one line matching the message, that nothing was printed to stdout on failure, and
that every file in the folder is byte-identical afterwards with no file added. A few cases
run again through the installed ``living-lab`` script in a real subprocess, to show no
traceback reaches the user. Library cases check the exception type and its one-line message.

Messages are written with ``…`` standing for any text (a long list of expected values).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import require

from living_lab import cli, cohorts, datasets, framework, paths, regions, validate
from living_lab.framework import load_framework

FW = load_framework()
NUMBERS = [i.number for i in FW.indicators]
#: Levels of the good self-assessment: every level 1-5 occurs, index 2.93 (Baik).
LEVELS = {n: 1 + (n * 3) % 5 for n in NUMBERS}
DOCS = paths.ROOT / "docs" / "bad_inputs.md"
#: A file every command-line case finds beside its inputs; it must survive untouched.
PREVIOUS_OUTPUT = ("previous.json", b'{"index": 3.28, "predicate": "Baik"}\n')
#: Size of the generated "huge" files (sparse: no disk is used) - above every reader's limit.
HUGE = 60 * 1024 * 1024

Content = bytes | Callable[[Path], None]


# ---------------------------------------------------------------------------------------------
# File contents
# ---------------------------------------------------------------------------------------------


def csv_bytes(
    rows: list[list[object]], *, sep: str = ",", encoding: str = "utf-8", bom: bool = False
) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(encoding)


def sa_rows(
    levels: Mapping[int, object] | None = None, *, note: str = "", extra: bool = False
) -> list[list[object]]:
    """A self-assessment: indicator, level, note (indicator 4 carries ``note``)."""
    levels = LEVELS if levels is None else levels
    head = ["indicator", "level", "note"] + (["verified_by"] if extra else [])
    body = [
        [n, levels.get(n, ""), note if n == 4 else ""] + (["Dinas Kominfo"] if extra else [])
        for n in NUMBERS
    ]
    return [head, *body]


def sa(levels: Mapping[int, object] | None = None, **kw) -> bytes:
    return csv_bytes(sa_rows(levels, **{k: v for k, v in kw.items() if k in ("note", "extra")}))


def with_levels(**changes: object) -> dict[int, object]:
    """The good levels with some changed: ``with_levels(i5="tiga")``."""
    out: dict[int, object] = dict(LEVELS)
    for key, value in changes.items():
        out[int(key[1:])] = value
    return out


SA_GOOD = sa()
#: A Pemdi (PermenPANRB 8/2026) self-assessment as the template writes it: numbers and names.
PEMDI = load_framework("pemdi-2026")
SA_PEMDI = csv_bytes(
    [
        ["indicator", "indicator_name", "level"],
        *[[i.number, i.name, 3] for i in PEMDI.indicators],
    ]
)
SA_LATIN1 = csv_bytes(sa_rows(note="café"), encoding="latin-1")
SA_PARTIAL = csv_bytes(
    [["indicator", "level", "note"], *[[n, LEVELS[n] if n > 3 else "", ""] for n in NUMBERS]]
)


def sa_xlsx(rows: list[list[object]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "penilaian_mandiri"
        for row in rows:
            ws.append(row)
        wb.save(path)

    return write


def sa_xlsx_hidden_template(path: Path) -> None:
    """The template sheet hidden and two visible filled copies: which one is meant is unclear."""
    from openpyxl import Workbook

    wb = Workbook()
    for i, title in enumerate(["penilaian_mandiri", "A", "B"]):
        ws = wb.active if i == 0 else wb.create_sheet(title)
        ws.title = title
        for row in sa_rows():
            ws.append(row)
    wb["penilaian_mandiri"].sheet_state = "hidden"
    wb.active = 1
    wb.save(path)


def zip_bomb(path: Path) -> None:
    """A valid small XLSX plus a member that unpacks to 60 MB (compressed ~60 kB)."""
    sa_xlsx(sa_rows())(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", b"\0" * HUGE)


def huge(path: Path) -> None:
    """A sparse file above the size limit (its content is never read)."""
    with path.open("wb") as fh:
        fh.truncate(HUGE)


def costs(rows: list[list[object]] | None = None) -> bytes:
    return csv_bytes(rows or [["indicator", "cost"], *[[n, 1 + n % 3] for n in NUMBERS]])


def costs_with(**changes: object) -> bytes:
    rows = costs_rows()
    for key, value in changes.items():
        rows[int(key[1:])][1] = value
    return costs(rows)


def costs_rows() -> list[list[object]]:
    return [["indicator", "cost"], *[[n, 1 + n % 3] for n in NUMBERS]]


SPBE_HEADER = ["region", "year", "d1", "d2", "d3", "d4", "index"]
SPBE_ROWS = [
    ["Kab. Sumedang", 2025, "5.00", "4.40", "4.00", "4.70", "4.55"],
    ["Kota Bandung", 2025, "", "", "", "", "3.90"],
]


def spbe(rows: list[list[object]] | None = None, header: list[str] | None = None, **kw) -> bytes:
    return csv_bytes([header or SPBE_HEADER, *(SPBE_ROWS if rows is None else rows)], **kw)


def spbe_row(**changes: object) -> list[object]:
    row = dict(zip(SPBE_HEADER, SPBE_ROWS[0], strict=True))
    row.update(changes)
    return list(row.values())


def alias_bomb() -> bytes:
    """A "billion laughs" YAML file: 400 bytes whose aliases expand to 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return ("title: Uji\nregions: [3211]\n" + "\n".join(lines) + "\n").encode()


def deep_yaml(levels: int = 10_000) -> bytes:
    """A list nested ``levels`` deep (Python's parser stack would overflow)."""
    return b"year: " + b"[" * levels + b"]" * levels + b"\n"


def fifo(path: Path) -> None:
    """A named pipe where a file is expected: opening it to read would wait for a writer."""
    os.mkfifo(path)


COHORT_GOOD = "title: Uji coba\nregions:\n  - Kab. Sumedang\n  - Kota Bandung\n"


def framework_text() -> str:
    return (paths.FRAMEWORKS / f"{FW.id}.yaml").read_text(encoding="utf-8")


def framework_with(edit: Callable[[dict], None]) -> bytes:
    raw = yaml.safe_load(framework_text())
    edit(raw)
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False).encode()


def _set(path: str, value: object) -> Callable[[dict], None]:
    """Edit a framework mapping at ``domains.0.aspects.1.weight_pct`` style paths."""

    def edit(raw: dict) -> None:
        *parents, last = path.split(".")
        node: object = raw
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]  # type: ignore[index]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]  # type: ignore[union-attr]
        else:
            node[int(last) if isinstance(node, list) else last] = value  # type: ignore[index]

    return edit


_DELETE = object()


def shared_copy(corrupt: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """A copy of the raw source folder (``shared/``), optionally with one file corrupted."""

    def make(path: Path) -> None:
        shutil.copytree(paths.shared_data(), path)
        if corrupt:
            corrupt(path)

    return make


def rewrite(rel: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def corrupt(root: Path) -> None:
        target = root / rel
        target.write_bytes(fn(target.read_bytes()))

    return corrupt


def bundled_copy(corrupt: Callable[[Path], None] | None = None) -> Callable[[Path], None]:
    """A copy of ``data/`` (used as the bundled data folder), optionally corrupted."""

    def make(path: Path) -> None:
        shutil.copytree(paths.DATA, path)
        if corrupt:
            corrupt(path)

    return make


def drop_column(name: str) -> Callable[[bytes], bytes]:
    def fn(data: bytes) -> bytes:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        return df.drop(columns=name).to_csv(index=False).encode()

    return fn


def set_cell(row: int, column: str, value: str) -> Callable[[bytes], bytes]:
    def fn(data: bytes) -> bytes:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
        df.loc[row, column] = value
        return df.to_csv(index=False, lineterminator="\n").encode()

    return fn


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One row of the matrix.

    ``argv`` runs the command line (in a folder holding ``files``); ``call`` evaluates a library
    expression instead (names: ``datasets``, ``cohorts``, ``framework``, ``regions``,
    ``context``, ``Path``). ``message`` is the expected line (``…`` = any text; for the command
    line without the ``living-lab CMD: error:`` prefix, which is always there). ``status`` is the
    exit status (0 = accepted); a library case names the exception class in ``error``.
    ``same_as`` (accepted cases) gives files under the same names that must give the same
    output. ``env`` maps environment variables to paths inside the case folder; ``data_dir``
    uses a folder of the case as the bundled data folder; ``fault`` names a failure injected
    while the command runs (see ``FAULTS``).
    """

    input: str
    case: str
    files: Mapping[str, Content] = field(default_factory=dict)
    argv: tuple[str, ...] = ()
    call: str = ""
    message: str = ""
    status: int = 2
    error: str = ""
    same_as: Mapping[str, Content] | None = None
    same_argv: tuple[str, ...] = ()
    same_call: str = ""
    same_note: str = "same output as the plain UTF-8, comma-separated file"
    env: Mapping[str, str] = field(default_factory=dict)
    data_dir: str = ""
    needs_shared: bool = False
    fault: str = ""

    @property
    def id(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.input} {self.case}".lower()).strip("-")

    @property
    def command(self) -> str:
        if self.argv:
            return "living-lab " + " ".join(_quote(a) for a in self.argv)
        return self.call

    def expected_line(self) -> str:
        if not self.argv or not self.message:
            return self.message
        if self.message.startswith("living-lab"):
            return self.message
        # The matrix runs the command line in English (LIVING_LAB_LANG=en, see run_case);
        # test_bad_input_in_indonesian runs every case again in Indonesian, the default.
        return f"living-lab {self.argv[0]}: error: {self.message}"


def _quote(arg: str) -> str:
    return f"'{arg}'" if (not arg or re.search(r"[\s'\"|;]", arg)) else arg


#: The one line for a bare name a kabupaten and a kota share (regions.resolve_region).
AMBIGUOUS_BANDUNG = (
    "ambiguous region name 'Bandung': Kabupaten Bandung (3204) or Kota Bandung (3273); "
    'write "Kab." or "Kota" before the name'
)
SA = "self-assessment file (score/plan FILE)"
SAX = "self-assessment XLSX"
SPBE = "SPBE results file (load_spbe(extra=...), read_spbe_file)"
COSTS = "costs/caps file (plan --costs, --caps)"
COHORT = "cohort YAML file (load_cohort, peers --group cohort:FILE)"
FWK = "framework YAML file (parse_framework)"
NB = "notebook parameters (results.context.get_context)"
RAW = "raw source files (living-lab data build)"
BUNDLED = "bundled tables (living-lab data check, every loader)"
LIB = "library parameters"
REPORTS = "reports arguments and output folder (living-lab reports)"
READER = "any YAML, CSV or XLSX input: the reader's limits"
#: A notebook set whose timeout is infinite (YAML ``.inf``).
NOTEBOOKS_INF = (
    f"notebook_dir: {paths.ROOT / 'tests' / 'fixtures' / 'runner'}\n"
    "region_notebook: report.ipynb\ntimeout: .inf\n"
).encode()


def symlink_to(target: str) -> Callable[[Path], None]:
    """A symbolic link to ``target`` (relative to the link's folder)."""

    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def score(name: str = "sa.csv") -> tuple[str, ...]:
    return ("score", name, "--format", "json")


CASES: list[Case] = [
    # ---- self-assessment CSV through `living-lab score` ---------------------------------------
    Case(SA, "missing file", {}, score(), message="sa.csv: file not found"),
    Case(
        SA,
        "folder instead of a file",
        {"sa.csv/x": b""},
        score(),
        message="sa.csv: is a folder; expected a CSV file",
    ),
    Case(
        SA,
        "empty file",
        {"sa.csv": b""},
        score(),
        message="sa.csv: file is empty; expected a header line and rows",
    ),
    Case(
        SA,
        "header only",
        {"sa.csv": b"indicator,level,note\n"},
        score(),
        message="sa.csv: has a header but no data rows",
    ),
    Case(
        SA,
        "wrong encoding (Latin-1)",
        {"sa.csv": SA_LATIN1},
        score(),
        message="sa.csv, line 5: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
    ),
    Case(
        SA,
        "wrong encoding (UTF-16, Excel 'Unicode text')",
        {"sa.csv": b"\xff\xfe" + "indicator\tlevel\n1\t3\n".encode("utf-16-le")},
        score(),
        message="sa.csv: is UTF-16 text; save the file as CSV UTF-8",
    ),
    Case(
        SA,
        "UTF-8 with byte-order mark (accepted)",
        {"sa.csv": csv_bytes(sa_rows(note="café"), bom=True)},
        score(),
        status=0,
        same_as={"sa.csv": csv_bytes(sa_rows(note="café"))},
    ),
    Case(
        SA,
        "semicolon delimiter and decimal comma (accepted)",
        {
            "sa.csv": csv_bytes(
                [[c if not isinstance(c, int) else f"{c},0" for c in r] for r in sa_rows()],
                sep=";",
            )
        },
        score(),
        status=0,
        same_as={"sa.csv": SA_GOOD},
    ),
    Case(
        SA,
        "tab delimiter (accepted)",
        {"sa.csv": csv_bytes(sa_rows(), sep="\t")},
        score(),
        status=0,
        same_as={"sa.csv": SA_GOOD},
    ),
    Case(
        SA,
        "other delimiter (|)",
        {"sa.csv": csv_bytes(sa_rows(), sep="|")},
        score(),
        message="sa.csv, line 1: found one column ('indicator|level|note'); expected columns "
        "separated by comma, semicolon or tab",
    ),
    Case(
        SA,
        "extra columns (accepted: only indicator and level are read)",
        {"sa.csv": sa(extra=True)},
        score(),
        status=0,
        same_as={"sa.csv": SA_GOOD},
        same_note="same output as the file without the extra column",
    ),
    Case(
        SA,
        "missing column 'level'",
        {"sa.csv": csv_bytes([["indicator", "nilai"], *[[n, 3] for n in NUMBERS]])},
        score(),
        message="sa.csv, line 1: missing column 'level'; expected at least the columns "
        "'indicator' and 'level' (write a template with `living-lab template`)",
    ),
    Case(
        SA,
        "column named twice",
        {"sa.csv": b"indicator,level,level\n1,3,3\n"},
        score(),
        message="sa.csv, line 1: column 'level' appears twice in the header",
    ),
    Case(
        SA,
        "row with too many fields",
        {"sa.csv": SA_GOOD.replace(b"\n6,", b"\n6,4,x,")},
        score(),
        message="sa.csv, line 7: has 5 fields; expected 3 like the header (delimiter ',')",
    ),
    Case(
        SA,
        "unclosed quote",
        {"sa.csv": SA_GOOD.replace(b"\n6,", b'\n"6,')},
        score(),
        message="sa.csv, line 7: malformed CSV (unexpected end of data); …",
    ),
    Case(
        SA,
        "wrong type (level 'tiga')",
        {"sa.csv": sa(with_levels(i5="tiga"))},
        score(),
        message="sa.csv, line 6, field 'level': indicator 5: level 'tiga' is not valid; "
        "expected a whole number 1-5 (or a level name such as 'Terdefinisi')",
    ),
    Case(
        SA,
        "wrong type (level 3.5)",
        {"sa.csv": sa(with_levels(i5="3.5"))},
        score(),
        message="sa.csv, line 6, field 'level': indicator 5: level '3.5' is not valid; …",
    ),
    Case(
        SA,
        "level name of the other capability type",
        {"sa.csv": sa(with_levels(i1="Transaksi"))},
        score(),
        message="sa.csv, line 2, field 'level': indicator 1: level 'Transaksi' is not valid; "
        "expected a whole number 1-5 (or a level name such as 'Terdefinisi')",
    ),
    Case(
        SA,
        "level name (accepted)",
        {"sa.csv": sa(with_levels(i1="terdefinisi"))},
        score(),
        status=0,
        same_as={"sa.csv": sa(with_levels(i1=3))},
        same_note="same output as level 3 (Terdefinisi is level 3 of a process indicator)",
    ),
    Case(
        SA,
        "out-of-range level (6)",
        {"sa.csv": sa(with_levels(i47=6))},
        score(),
        message="sa.csv, line 48, field 'level': indicator 47: level '6' is not valid; …",
    ),
    Case(
        SA,
        "out-of-range level (0)",
        {"sa.csv": sa(with_levels(i2=0))},
        score(),
        message="sa.csv, line 3, field 'level': indicator 2: level '0' is not valid; …",
    ),
    Case(
        SA,
        "not-a-number level ('nan', 'inf')",
        {"sa.csv": sa(with_levels(i2="nan", i3="inf"))},
        score(),
        message="sa.csv, line 3, field 'level': indicator 2: level 'nan' is not valid; …",
    ),
    Case(
        SA,
        "duplicate key (indicator twice)",
        {"sa.csv": SA_GOOD + b"12,4,\n"},
        score(),
        message="sa.csv, line 49, field 'indicator': indicator 12 appears twice (first on "
        "line 13); each indicator once",
    ),
    Case(
        SA,
        "unknown indicator (48)",
        {"sa.csv": SA_GOOD + b"48,4,\n"},
        score(),
        message="sa.csv, line 49, field 'indicator': unknown indicator '48'; expected a number "
        "1-47",
    ),
    Case(
        SA,
        "indicator not a number",
        {"sa.csv": SA_GOOD.replace(b"\n9,", b"\nsembilan,")},
        score(),
        message="sa.csv, line 10, field 'indicator': unknown indicator 'sembilan'; expected a "
        "number 1-47",
    ),
    Case(
        SA,
        "missing levels without --allow-partial",
        {"sa.csv": SA_PARTIAL},
        score(),
        message="sa.csv, line 2, field 'level': no level for indicator(s) 1-3; fill every "
        "indicator with 1-5, or pass --allow-partial (missing levels then count as level 1, "
        "a lower bound)",
    ),
    Case(
        SA,
        "no level at all, with --allow-partial",
        {"sa.csv": sa(dict.fromkeys(NUMBERS, ""))},
        (*score(), "--allow-partial"),
        message="sa.csv, field 'level': no indicator has a level; nothing to score",
    ),
    Case(
        SA,
        "NUL bytes (binary file)",
        {"sa.csv": b"indicator,level\n1,\x003\n"},
        score(),
        message="sa.csv: contains NUL bytes; expected a text CSV file (is it a spreadsheet?)",
    ),
    Case(
        SA,
        "spreadsheet saved as .csv",
        {"sa.csv": sa_xlsx(sa_rows())},
        score(),
        message="sa.csv: is a spreadsheet (XLSX) file; give it the .xlsx extension",
    ),
    Case(
        SA,
        "XLSX: template sheet hidden, two visible copies",
        {"sa.xlsx": sa_xlsx_hidden_template},
        score("sa.xlsx"),
        message="sa.xlsx: sheet 'penilaian_mandiri' is hidden and no single visible sheet has the "
        "'indicator' and 'level' columns (sheets: 'penilaian_mandiri', 'A', 'B'); unhide the "
        "sheet you filled and delete the others",
    ),
    Case(
        SA,
        "huge file (60 MB)",
        {"sa.csv": huge},
        score(),
        message="sa.csv: file is 60 MB; expected at most 50 MB",
    ),
    Case(
        SA,
        "SPBE 59/2020 self-assessment scored as Pemdi",
        {"sa.csv": SA_GOOD},
        ("score", "sa.csv", "--framework", "pemdi-2026"),
        message="sa.csv: is a self-assessment of SPBE (PermenPANRB 59/2020) (47 indicators), not "
        "of Pemdi (PermenPANRB 8/2026) (20 indicators); score it with --framework "
        "permenpanrb-59-2020 (scores are never converted between frameworks)",
    ),
    Case(
        SA,
        "Pemdi self-assessment scored as SPBE 59/2020 (the default)",
        {"sa.csv": SA_PEMDI},
        ("score", "sa.csv"),
        message="sa.csv: is a self-assessment of Pemdi (PermenPANRB 8/2026) (20 indicators), not "
        "of SPBE (PermenPANRB 59/2020) (47 indicators); score it with --framework pemdi-2026 "
        "(scores are never converted between frameworks)",
    ),
    Case(
        SA,
        "Pemdi self-assessment planned as SPBE 59/2020",
        {"sa.csv": SA_PEMDI},
        ("plan", "sa.csv", "--target", "3.5"),
        message="sa.csv: is a self-assessment of Pemdi (PermenPANRB 8/2026) (20 indicators), not "
        "of SPBE (PermenPANRB 59/2020) (47 indicators); …",
    ),
    Case(
        SA,
        "Pemdi self-assessment with --framework pemdi-2026 (accepted)",
        {"sa.csv": SA_PEMDI},
        ("score", "sa.csv", "--framework", "pemdi-2026", "--format", "json"),
        status=0,
        same_note="scored under Pemdi (index 3.00, Baik; framework confidence medium)",
    ),
    Case(
        SA,
        "same reader through plan",
        {"sa.csv": sa(with_levels(i5=9))},
        ("plan", "sa.csv", "--target", "3.5"),
        message="sa.csv, line 6, field 'level': indicator 5: level '9' is not valid; …",
    ),
    # ---- self-assessment XLSX ----------------------------------------------------------------
    Case(
        SAX,
        "good spreadsheet (accepted)",
        {"sa.xlsx": sa_xlsx(sa_rows())},
        score("sa.xlsx"),
        status=0,
        same_as={"sa.xlsx": sa_xlsx([[str(c) for c in r] for r in sa_rows()])},
        same_note="same output as the sheet with every cell typed as text",
    ),
    Case(SAX, "missing file", {}, score("sa.xlsx"), message="sa.xlsx: file not found"),
    Case(
        SAX,
        "empty file",
        {"sa.xlsx": b""},
        score("sa.xlsx"),
        message="sa.xlsx: file is empty; expected an XLSX file",
    ),
    Case(
        SAX,
        "text file named .xlsx",
        {"sa.xlsx": SA_GOOD},
        score("sa.xlsx"),
        message="sa.xlsx: not a readable XLSX file (BadZipFile); save it again as .xlsx or CSV",
    ),
    Case(
        SAX,
        "empty sheet",
        {"sa.xlsx": sa_xlsx([])},
        score("sa.xlsx"),
        message="sa.xlsx, line 1: first row is empty; expected a header row",
    ),
    Case(
        SAX,
        "out-of-range level (9)",
        {"sa.xlsx": sa_xlsx(sa_rows(with_levels(i30=9)))},
        score("sa.xlsx"),
        message="sa.xlsx, line 31, field 'level': indicator 30: level '9' is not valid; …",
    ),
    Case(
        SAX,
        "wrong type (a date as level)",
        {"sa.xlsx": sa_xlsx(sa_rows(with_levels(i30=pd.Timestamp("2025-03-01").to_pydatetime())))},
        score("sa.xlsx"),
        message="sa.xlsx, line 31, field 'level': indicator 30: level '2025-03-01 00:00:00' is "
        "not valid; …",
    ),
    Case(
        SAX,
        "huge file (60 MB)",
        {"sa.xlsx": huge},
        score("sa.xlsx"),
        message="sa.xlsx: file is 60 MB; expected at most 50 MB",
    ),
    Case(
        SAX,
        "unpacks to 60 MB (zip bomb)",
        {"sa.xlsx": zip_bomb},
        score("sa.xlsx"),
        message="sa.xlsx: unpacks to 60 MB; expected at most 50 MB",
    ),
    Case(
        SAX,
        "old .xls format",
        {"sa.xls": b"\xd0\xcf\x11\xe0"},
        score("sa.xls"),
        message="sa.xls: old .xls format is not read; save the file as .xlsx or CSV",
    ),
    # ---- costs / caps files -----------------------------------------------------------------
    Case(
        COSTS,
        "missing file",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv: file not found",
    ),
    Case(
        COSTS,
        "empty file",
        {"sa.csv": SA_GOOD, "costs.csv": b""},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv: file is empty; expected a header line and rows",
    ),
    Case(
        COSTS,
        "wrong encoding (Latin-1)",
        {
            "sa.csv": SA_GOOD,
            "costs.csv": costs([["indicator", "cost", "note"], [1, 2, "café"]])
            .decode()
            .encode("latin-1"),
        },
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
    ),
    Case(
        COSTS,
        "semicolon delimiter and decimal comma (accepted)",
        {
            "sa.csv": SA_GOOD,
            "costs.csv": csv_bytes(
                [["indicator", "cost"], *[[n, f"{1 + n % 3},5"] for n in NUMBERS]], sep=";"
            ),
        },
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv", "--format", "json"),
        status=0,
        same_as={
            "sa.csv": SA_GOOD,
            "costs.csv": costs([["indicator", "cost"], *[[n, 1.5 + n % 3] for n in NUMBERS]]),
        },
    ),
    Case(
        COSTS,
        "missing cost column",
        {"sa.csv": SA_GOOD, "costs.csv": csv_bytes([["indicator", "harga"], [1, 2]])},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 1: expected a column 'cost' (per level step), columns "
        "['cost_to_2', 'cost_to_3', 'cost_to_4', 'cost_to_5'], or 'cap'",
    ),
    Case(
        COSTS,
        "wrong type (cost 'mahal')",
        {"sa.csv": SA_GOOD, "costs.csv": costs_with(i7="mahal")},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 8, field 'cost': 'mahal' is not a cost; expected a number >= 0",
    ),
    Case(
        COSTS,
        "out-of-range cost (negative)",
        {"sa.csv": SA_GOOD, "costs.csv": costs_with(i7="-1")},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 8, field 'cost': '-1' is not a cost; expected a number >= 0",
    ),
    Case(
        COSTS,
        "infinite cost",
        {"sa.csv": SA_GOOD, "costs.csv": costs_with(i7="inf")},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 8, field 'cost': 'inf' is not a cost; expected a number >= 0",
    ),
    Case(
        COSTS,
        "duplicate key (indicator twice)",
        {"sa.csv": SA_GOOD, "costs.csv": costs() + b"3,2\n"},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 49, field 'indicator': indicator 3 appears twice (first on "
        "line 4)",
    ),
    Case(
        COSTS,
        "unknown indicator",
        {"sa.csv": SA_GOOD, "costs.csv": costs() + b"99,2\n"},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv, line 49, field 'indicator': unknown indicator '99'; expected 1-47",
    ),
    Case(
        COSTS,
        "missing indicators",
        {"sa.csv": SA_GOOD, "costs.csv": costs(costs_rows()[:11])},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv: no cost for indicator(s) 11-47; give every indicator a cost (a "
        "'cap' equal to the current level keeps one out of the plan)",
    ),
    Case(
        COSTS,
        "out-of-range cap (6)",
        {"sa.csv": SA_GOOD, "caps.csv": csv_bytes([["indicator", "cap"], [11, 6]])},
        ("plan", "sa.csv", "--target", "3.5", "--caps", "caps.csv"),
        message="caps.csv, line 2, field 'cap': '6' is not a level; expected a whole number 1-5",
    ),
    Case(
        COSTS,
        "huge file (60 MB)",
        {"sa.csv": SA_GOOD, "costs.csv": huge},
        ("plan", "sa.csv", "--target", "3.5", "--costs", "costs.csv"),
        message="costs.csv: file is 60 MB; expected at most 50 MB",
    ),
    # ---- SPBE results files (library) --------------------------------------------------------
    Case(
        SPBE,
        "missing file",
        call='datasets.load_spbe(extra=["spbe.csv"])',
        error="InputError",
        message="spbe.csv: file not found",
    ),
    Case(
        SPBE,
        "empty file",
        {"spbe.csv": b""},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv: file is empty; expected a header line and rows",
    ),
    Case(
        SPBE,
        "wrong encoding (Latin-1)",
        {
            "spbe.csv": spbe(
                [[*SPBE_ROWS[0], "Laporan évaluasi"]], [*SPBE_HEADER, "source"], encoding="latin-1"
            )
        },
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
    ),
    Case(
        SPBE,
        "byte-order mark, semicolons, decimal commas (accepted)",
        {
            "spbe.csv": spbe(
                [
                    [str(c).replace(".", ",", 1) if "." in str(c)[-3:] else c for c in r]
                    for r in SPBE_ROWS
                ],
                sep=";",
                bom=True,
            )
        },
        call='datasets.read_spbe_file("spbe.csv")',
        status=0,
        same_as={"spbe.csv": spbe()},
    ),
    Case(
        SPBE,
        "tab delimiter (accepted)",
        {"spbe.csv": spbe(sep="\t")},
        call='datasets.read_spbe_file("spbe.csv")',
        status=0,
        same_as={"spbe.csv": spbe()},
    ),
    Case(
        SPBE,
        "other delimiter (|)",
        {"spbe.csv": spbe(sep="|")},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 1: found one column ('region|year|d1|d2|d3|d4|index'); "
        "expected columns separated by comma, semicolon or tab",
    ),
    Case(
        SPBE,
        "extra column",
        {"spbe.csv": spbe([[*r, "x"] for r in SPBE_ROWS], [*SPBE_HEADER, "catatan"])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 1: unexpected column(s) ['catatan']; expected columns "
        "['region_code', 'year', 'framework', 'd1', 'd2', 'd3', 'd4', 'index', 'predicate', "
        "'source']",
    ),
    Case(
        SPBE,
        "missing column 'index'",
        {"spbe.csv": spbe([r[:-1] for r in SPBE_ROWS], SPBE_HEADER[:-1])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 1: missing required column(s) ['index']; expected columns …",
    ),
    Case(
        SPBE,
        "missing region column",
        {"spbe.csv": spbe([r[1:] for r in SPBE_ROWS], SPBE_HEADER[1:])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 1: missing column 'region' (a name or BPS code) or 'region_code'",
    ),
    Case(
        SPBE,
        "wrong type (index 'empat')",
        {"spbe.csv": spbe([spbe_row(index="empat")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'index': 'empat' is not a number; expected a number",
    ),
    Case(
        SPBE,
        "wrong type (year 2025.5)",
        {"spbe.csv": spbe([spbe_row(year="2025.5")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'year': '2025.5' is not a whole number",
    ),
    Case(
        SPBE,
        "not-a-number score ('nan')",
        {"spbe.csv": spbe([spbe_row(d2="nan")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'd2': 'nan' is not a number; expected a number",
    ),
    Case(
        SPBE,
        "out-of-range index (5.5)",
        {"spbe.csv": spbe([spbe_row(index="5.5")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'index': 5.5 is out of range; expected 1 to 5",
    ),
    Case(
        SPBE,
        "out-of-range domain (inf)",
        {"spbe.csv": spbe([spbe_row(d4="inf")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'd4': inf is out of range; expected 0 to 5",
    ),
    Case(
        SPBE,
        "out-of-range year (1999)",
        {"spbe.csv": spbe([spbe_row(year=1999)])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'year': 1999 is out of range; expected 2018 to 2100",
    ),
    Case(
        SPBE,
        "index disagrees with its domains",
        {"spbe.csv": spbe([spbe_row(index="3.00")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'index': index 3.0 disagrees with its domains "
        "(weighted 4.549); expected agreement within 0.01",
    ),
    Case(
        SPBE,
        "predicate does not match the index",
        {"spbe.csv": spbe([[*SPBE_ROWS[1], "Memuaskan"]], [*SPBE_HEADER, "predicate"])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'predicate': predicate 'Memuaskan' does not match "
        "index 3.9; expected 'Sangat Baik'",
    ),
    Case(
        SPBE,
        "unknown framework",
        {"spbe.csv": spbe([[*SPBE_ROWS[1], "permenpanrb-1-2099"]], [*SPBE_HEADER, "framework"])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'framework': 'permenpanrb-1-2099' is not allowed; "
        "expected one of ['pemdi-2026', 'permenpanrb-5-2018', 'permenpanrb-59-2020']",
    ),
    Case(
        SPBE,
        "duplicate key (same region by name and code)",
        {"spbe.csv": spbe([SPBE_ROWS[0], spbe_row(region="3211")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 3: duplicate key (region_code=3211, year=2025); each "
        "region_code/year may appear once",
    ),
    Case(
        SPBE,
        "duplicate key across two files",
        {"a.csv": spbe(), "b.csv": spbe([SPBE_ROWS[1]])},
        call='datasets.load_spbe(extra=["a.csv", "b.csv"])',
        error="InputError",
        message="b.csv, field 'region_code': region 3273 year 2025 is also in a.csv; expected "
        "each region and year in one extra file",
    ),
    Case(
        SPBE,
        "unknown region",
        {"spbe.csv": spbe([SPBE_ROWS[0], spbe_row(region="Atlantis")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 3, field 'region': unknown region 'Atlantis'; closest "
        "matches: Kota Salatiga",
    ),
    Case(
        SPBE,
        "empty region",
        {"spbe.csv": spbe([spbe_row(region="")])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'region': empty region; expected a name or BPS code",
    ),
    Case(
        SPBE,
        "huge file (60 MB)",
        {"spbe.csv": huge},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv: file is 60 MB; expected at most 50 MB",
    ),
    Case(
        SPBE,
        "a single file name instead of a list (accepted)",
        {"spbe.csv": spbe()},
        call='datasets.load_spbe(extra="spbe.csv")',
        status=0,
        same_as={"spbe.csv": spbe()},
        same_call='datasets.load_spbe(extra=["spbe.csv"])',
        same_note='same table as extra=["spbe.csv"]',
    ),
    Case(
        SPBE,
        "a 2026 row under SPBE 59/2020 (the default framework)",
        {"spbe.csv": spbe([spbe_row(year=2026)])},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'framework': year 2026: SPBE (PermenPANRB 59/2020) "
        "applies to evaluation years 2021-2025; give framework pemdi-2026 for 2026 (a separate "
        "series; scores are never converted between frameworks)",
    ),
    Case(
        SPBE,
        "a Pemdi row before 2026",
        {"spbe.csv": b"region,year,framework,index\nKab. Sumedang,2025,pemdi-2026,3.80\n"},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'framework': year 2025: Pemdi (PermenPANRB 8/2026) "
        "applies to evaluation years 2026 onward; give framework permenpanrb-59-2020 for 2025 "
        "(a separate series; scores are never converted between frameworks)",
    ),
    Case(
        SPBE,
        "a Pemdi row with SPBE domain scores",
        {"spbe.csv": b"region,year,framework,d1,index\nKab. Sumedang,2026,pemdi-2026,3.5,3.80\n"},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'd1': d1 is given, but Pemdi (PermenPANRB 8/2026) has no "
        "SPBE domains; leave d1-d4 empty for its rows (index and predicate only)",
    ),
    Case(
        SPBE,
        "a Pemdi predicate judged on the 59/2020 bands",
        {
            "spbe.csv": b"region,year,framework,index,predicate\n"
            b"Kab. Sumedang,2026,pemdi-2026,4.10,Sangat Baik\n"
        },
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv, line 2, field 'predicate': predicate 'Sangat Baik' does not match "
        "index 4.1; expected 'Memuaskan'",
    ),
    Case(
        SPBE,
        "Pemdi results as their own series (accepted)",
        {"spbe.csv": b"region,year,framework,index\nKab. Sumedang,2026,pemdi-2026,3.80\n"},
        call='datasets.load_spbe(framework="pemdi-2026", extra=["spbe.csv"])',
        status=0,
        same_note="the Pemdi series (predicate from Pemdi's bands); not in load_spbe()",
    ),
    # ---- library parameters ----------------------------------------------------------------
    Case(
        LIB,
        "unknown framework in load_spbe",
        call='datasets.load_spbe(framework="permenpanrb-59-2021")',
        error="ParameterError",
        message="framework: unknown framework 'permenpanrb-59-2021'; expected one of "
        "['pemdi-2026', 'permenpanrb-5-2018', 'permenpanrb-59-2020'] or None",
    ),
    Case(
        LIB,
        "unknown min_confidence",
        call='datasets.load_outcomes(min_confidence="tinggi")',
        error="ParameterError",
        message="min_confidence: 'tinggi'; expected one of ['low', 'medium', 'high']",
    ),
    Case(
        LIB,
        "unknown region",
        call='regions.resolve_region("Kab. Sumedan")',
        error="UnknownRegionError",
        message="unknown region 'Kab. Sumedan'; closest matches: Kabupaten Sumedang, …",
    ),
    Case(
        LIB,
        "region name shared by a kabupaten and a kota",
        call='regions.resolve_region("Bandung")',
        error="UnknownRegionError",
        message=AMBIGUOUS_BANDUNG,
    ),
    # ---- cohort YAML -------------------------------------------------------------------------
    Case(
        COHORT,
        "missing file",
        {},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: file not found",
    ),
    Case(
        COHORT,
        "unknown cohort name",
        {},
        call='cohorts.load_cohort("jawa-barta")',
        error="ParameterError",
        message="cohort: unknown cohort 'jawa-barta'; expected one of ['all', 'jawa-barat'] or "
        "a YAML file",
    ),
    Case(
        COHORT,
        "empty file",
        {"cohort.yaml": b""},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: file is empty; expected a YAML mapping with 'title' and 'regions' "
        "or 'filter'",
    ),
    Case(
        COHORT,
        "wrong encoding (Latin-1)",
        {"cohort.yaml": "title: Uji coba (café)\nregions: [3211]\n".encode("latin-1")},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 1: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    Case(
        COHORT,
        "byte-order mark (accepted)",
        {"cohort.yaml": b"\xef\xbb\xbf" + COHORT_GOOD.encode()},
        call='cohorts.load_cohort("cohort.yaml")',
        status=0,
        same_as={"cohort.yaml": COHORT_GOOD.encode()},
        same_note="same result as the file without the byte-order mark",
    ),
    Case(
        COHORT,
        "not a mapping (a list)",
        {"cohort.yaml": b"- Kab. Sumedang\n- Kota Bandung\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: expected a YAML mapping with 'title' and 'regions' or 'filter', "
        "got ['Kab. Sumedang', 'Kota Bandung']",
    ),
    Case(
        COHORT,
        "YAML syntax error",
        {"cohort.yaml": b"title: Uji\nregions: [3211, 3273\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 3: not valid YAML (expected ',' or ']', but got '<stream end>')",
    ),
    Case(
        COHORT,
        "tab indentation",
        {"cohort.yaml": b"title: Uji\nregions:\n\t- 3211\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 3: not valid YAML (found character '\\t' that cannot start "
        "any token)",
    ),
    Case(
        COHORT,
        "duplicate key",
        {"cohort.yaml": (COHORT_GOOD + "regions: [3273]\n").encode()},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 5: key 'regions' appears twice (first on line 2); expected "
        "each key once",
    ),
    Case(
        COHORT,
        "unknown key",
        {"cohort.yaml": (COHORT_GOOD + "region_codes: [3273]\n").encode()},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 5, field 'region_codes': unknown key 'region_codes' (did you "
        "mean 'regions'?); expected one of description, filter, regions, source, title, title_en",
    ),
    Case(
        COHORT,
        "wrong type (regions is text)",
        {"cohort.yaml": b"title: Uji\nregions: Kab. Sumedang\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 2, field 'regions': expected a non-empty list of region names "
        "or codes, got 'Kab. Sumedang'",
    ),
    Case(
        COHORT,
        "wrong type (title is a list)",
        {"cohort.yaml": b"title: [Uji, coba]\nregions: [3211]\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 1, field 'title': expected a text value, got ['Uji', 'coba']",
    ),
    Case(
        COHORT,
        "both regions and filter",
        {"cohort.yaml": (COHORT_GOOD + "filter: {province_code: '32'}\n").encode()},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: expected exactly one of 'regions' (a list) or 'filter' (a mapping)",
    ),
    Case(
        COHORT,
        "unknown region",
        {"cohort.yaml": b"title: Uji\nregions: [Kab. Sumedang, Atlantis]\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 2, field 'regions[1]': unknown region 'Atlantis'; closest "
        "matches: Kota Salatiga",
    ),
    Case(
        COHORT,
        "unknown filter column",
        {"cohort.yaml": b"title: Uji\nfilter: {provinsi: Jawa Barat}\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 2, field 'filter.provinsi': unknown filter column 'provinsi'; "
        "expected one of …",
    ),
    Case(
        COHORT,
        "filter matching no region",
        {"cohort.yaml": b"title: Uji\nfilter: {province: Jawa Tengahh}\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 2, field 'filter': filter {'province': 'Jawa Tengahh'} "
        "matches no region",
    ),
    Case(
        COHORT,
        "huge file (60 MB)",
        {"cohort.yaml": huge},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: file is 60 MB; expected at most 5 MB for a YAML file",
    ),
    Case(
        COHORT,
        "duplicate key, through living-lab reports",
        {"cohort.yaml": (COHORT_GOOD + "regions: [3273]\n").encode(), "out/index.html": b"<p>old"},
        ("reports", "--cohort", "cohort.yaml", "--out", "out"),
        fault="no kernels",
        message="…cohort.yaml, line 5: key 'regions' appears twice (first on line 2); expected "
        "each key once",
    ),
    Case(
        COHORT,
        "not a mapping, through living-lab reports",
        {"cohort.yaml": b"[3211, 3273]\n", "out/index.html": b"<p>old"},
        ("reports", "--cohort", "cohort.yaml", "--out", "out"),
        fault="no kernels",
        message="…cohort.yaml: expected a YAML mapping with 'title' and 'regions' or 'filter', "
        "got [3211, 3273]",
    ),
    # ---- the reader's limits (every YAML, CSV and XLSX input) ----------------------------------
    Case(
        READER,
        "YAML alias bomb ('billion laughs') in a cohort file",
        {"cohort.yaml": alias_bomb()},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 8: expands to more than 200,000 values (through its aliases "
        "'*name'); expected a plain file",
    ),
    Case(
        READER,
        "YAML alias bomb as --params",
        {"p.yaml": alias_bomb().replace(b"title: Uji\nregions: [3211]\n", b"")},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml, line 6: expands to more than 200,000 values (through its aliases "
        "'*name'); expected a plain file",
    ),
    Case(
        READER,
        "YAML alias that contains itself",
        {"cohort.yaml": b"title: Uji\nregions: &r [3211, *r]\n"},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 2: an alias refers to the value that contains it; expected no "
        "self-reference",
    ),
    Case(
        READER,
        "YAML nested 10,000 levels deep as --params",
        {"p.yaml": deep_yaml()},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml, line 1: nested more than 50 levels deep; expected a flatter structure",
    ),
    Case(
        READER,
        "YAML nested 10,000 levels deep in a cohort file",
        {"cohort.yaml": b"title: Uji\nregions: [3211]\nx: " + deep_yaml()[6:]},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml, line 3: nested more than 50 levels deep; expected a flatter "
        "structure",
    ),
    Case(
        READER,
        "/dev/zero as --params (a device: endless, size 0)",
        {},
        ("reports", "--params", "/dev/zero", "--out", "out"),
        fault="no kernels",
        message="/dev/zero: is not a regular file (a device, pipe or socket); expected a YAML file",
    ),
    Case(
        READER,
        "/dev/zero as --notebooks",
        {},
        ("reports", "--notebooks", "/dev/zero", "--out", "out"),
        fault="no kernels",
        message="/dev/zero: is not a regular file (a device, pipe or socket); expected a YAML file",
    ),
    Case(
        READER,
        "a FIFO (named pipe) as --params",
        {"p.yaml": fifo},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml: is not a regular file (a device, pipe or socket); expected a YAML file",
    ),
    Case(
        READER,
        "a FIFO as a cohort file",
        {"cohort.yaml": fifo},
        ("peers", "3211", "--group", "cohort:cohort.yaml"),
        message="cohort.yaml: is not a regular file (a device, pipe or socket); expected a YAML "
        "file",
    ),
    Case(
        READER,
        "/dev/zero as a self-assessment",
        {},
        ("score", "/dev/zero"),
        message="…/dev/zero: is not a regular file (a device, pipe or socket); expected a CSV file",
    ),
    Case(
        READER,
        "a FIFO as a self-assessment XLSX",
        {"sa.xlsx": fifo},
        ("score", "sa.xlsx"),
        message="…sa.xlsx: is not a regular file (a device, pipe or socket); expected an XLSX file",
    ),
    Case(
        READER,
        "a FIFO as an SPBE results file",
        {"spbe.csv": fifo},
        call='datasets.read_spbe_file("spbe.csv")',
        error="InputError",
        message="spbe.csv: is not a regular file (a device, pipe or socket); expected a CSV file",
    ),
    # ---- framework YAML (library) -------------------------------------------------------------
    Case(
        FWK,
        "missing file",
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: file not found",
    ),
    Case(
        FWK,
        "unknown framework id",
        call='framework.load_framework("permenpanrb-59-2021")',
        error="ParameterError",
        message="framework: unknown framework 'permenpanrb-59-2021'; expected one of "
        "['pemdi-2026', 'permenpanrb-59-2020']",
    ),
    Case(
        FWK,
        "empty file",
        {"fw.yaml": b""},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: expected a YAML mapping at the top level",
    ),
    Case(
        FWK,
        "wrong encoding (Latin-1)",
        {
            "fw.yaml": framework_text()
            .replace("Kebijakan Internal SPBE", "Kébijakan", 1)
            .encode("latin-1", "replace")
        },
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, line …: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    Case(
        FWK,
        "byte-order mark (accepted)",
        {"fw.yaml": b"\xef\xbb\xbf" + framework_text().encode()},
        call='framework.parse_framework(Path("fw.yaml"))',
        status=0,
        same_as={"fw.yaml": framework_text().encode()},
        same_note="same result as the file without the byte-order mark",
    ),
    Case(
        FWK,
        "not a mapping",
        {"fw.yaml": b"- id: x\n"},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: expected a YAML mapping at the top level",
    ),
    Case(
        FWK,
        "duplicate key",
        {"fw.yaml": (framework_text() + "\nid: another\n").encode()},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, line …: key 'id' appears twice (first on line …); expected each key once",
    ),
    Case(
        FWK,
        "unknown key",
        {"fw.yaml": framework_with(_set("rounding_decimal", 2))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, field 'rounding_decimal': unknown key; expected one of …",
    ),
    Case(
        FWK,
        "missing key",
        {"fw.yaml": framework_with(_set("domains.1.aspects.0.weight_pct", _DELETE))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, field 'domains[1].aspects[0].weight_pct': missing; expected a number",
    ),
    Case(
        FWK,
        "wrong type (weight 'sepuluh')",
        {"fw.yaml": framework_with(_set("domains.0.aspects.0.indicators.2.weight_pct", "sepuluh"))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, field 'domains[0].aspects[0].indicators[2].weight_pct': 'sepuluh' is "
        "not a number",
    ),
    Case(
        FWK,
        "unknown capability type",
        {"fw.yaml": framework_with(_set("domains.0.aspects.0.indicators.2.capability", "proses"))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, field 'domains[0].aspects[0].indicators[2].capability': 'proses' is "
        "not allowed; expected one of ['process', 'service']",
    ),
    Case(
        FWK,
        "weights do not add up",
        {"fw.yaml": framework_with(_set("domains.0.aspects.0.indicators.2.weight_pct", 2.3))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: indicators of aspect 1 sum to 14, expected 13",
    ),
    Case(
        FWK,
        "out-of-range weight (negative)",
        {"fw.yaml": framework_with(_set("domains.0.aspects.0.indicators.2.weight_pct", -1.3))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml, field 'domains[0].aspects[0].indicators[2].weight_pct': -1.3 is out "
        "of range; expected a weight above 0",
    ),
    Case(
        FWK,
        "duplicate indicator number",
        {"fw.yaml": framework_with(_set("domains.0.aspects.0.indicators.2.number", 2))},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: indicator number 2 appears twice; expected unique numbers",
    ),
    Case(
        FWK,
        "huge file (60 MB)",
        {"fw.yaml": huge},
        call='framework.parse_framework(Path("fw.yaml"))',
        error="InputError",
        message="fw.yaml: file is 60 MB; expected at most 5 MB for a YAML file",
    ),
    # ---- notebook parameters (results.context.get_context) -----------------------------------
    Case(
        NB,
        "wrong type (year '2024')",
        call='context.get_context("jawa-barat", "2024", 3.5, 2025)',
        error="ParameterError",
        message="year: expected an integer, got '2024'",
    ),
    Case(
        NB,
        "out-of-range target (6)",
        call='context.get_context("jawa-barat", 2024, 6, 2025)',
        error="ParameterError",
        message="target: 6 is outside the SPBE scale; expected a number above 1 and at most 5",
    ),
    Case(
        NB,
        "not-a-number target (nan)",
        call='context.get_context("jawa-barat", 2024, float("nan"), 2025)',
        error="ParameterError",
        message="target: nan is outside the SPBE scale; expected a number above 1 and at most 5",
    ),
    Case(
        NB,
        "year without an evaluation",
        call='context.get_context("jawa-barat", 2019, 3.5, 2025)',
        error="ParameterError",
        message="year: no SPBE evaluation in 2019; expected one of [2021, 2022, 2023, 2024]",
    ),
    Case(
        NB,
        "target_year before year",
        call='context.get_context("jawa-barat", 2024, 3.5, 2020)',
        error="ParameterError",
        message="target_year: 2020 must be between year (2024) and 2034",
    ),
    Case(
        NB,
        "unknown language",
        call='context.get_context("jawa-barat", 2024, 3.5, 2025, lang="fr")',
        error="ParameterError",
        message="lang: 'fr' is not supported; expected one of ['id', 'en']",
    ),
    Case(
        NB,
        "unknown cohort",
        call='context.get_context("jawa-barta", 2024, 3.5, 2025)',
        error="ParameterError",
        message="cohort: unknown cohort 'jawa-barta'; expected one of ['all', 'jawa-barat'] or "
        "a YAML file",
    ),
    Case(
        NB,
        "unknown region",
        call='context.get_context("jawa-barat", 2024, 3.5, 2025, region="Atlantis")',
        error="UnknownRegionError",
        message="unknown region 'Atlantis'; closest matches: Kota Salatiga",
    ),
    Case(
        NB,
        "region outside the cohort",
        call='context.get_context("jawa-barat", 2024, 3.5, 2025, region="3171")',
        error="ParameterError",
        message="region: 3171 (Kota Administrasi Jakarta Selatan) is not in cohort 'jawa-barat'; "
        "pass a cohort that contains it (e.g. cohort='all')",
    ),
    Case(
        NB,
        "missing results folder",
        call='context.get_context("jawa-barat", 2024, 3.5, 2025, "results/none")',
        error="ParameterError",
        message="context_path: results/none: no results folder here; run `living-lab reports` "
        "again (it rebuilds the results folder) or leave context_path empty to compute the "
        "results here",
    ),
    # ---- score arguments --------------------------------------------------------------------
    Case(
        "score arguments",
        "neither FILE nor --domains",
        {},
        ("score",),
        message="give either FILE or --domains D1,D2,D3,D4 (not both, not neither)",
    ),
    Case(
        "score arguments",
        "both FILE and --domains",
        {"sa.csv": SA_GOOD},
        ("score", "sa.csv", "--domains", "3,3,3,3"),
        message="give either FILE or --domains D1,D2,D3,D4 (not both, not neither)",
    ),
    Case(
        "score arguments",
        "missing domain score",
        {},
        ("score", "--domains", "3.7,3.4,3.0"),
        message="--domains: got 3 value(s) in '3.7,3.4,3.0'; expected 4 domain scores "
        "separated by commas, e.g. 3.70,3.40,3.00,3.20",
    ),
    Case(
        "score arguments",
        "wrong type",
        {},
        ("score", "--domains", "3.7,tiga,3.0,3.2"),
        message="--domains: D2 = 'tiga' is not a number",
    ),
    Case(
        "score arguments",
        "out-of-range domain score",
        {},
        ("score", "--domains", "3.7,3.4,3.0,6"),
        message="--domains: D4 = 6 is outside 1-5; expected a domain score on the SPBE scale",
    ),
    Case(
        "score arguments",
        "not-a-number domain score",
        {},
        ("score", "--domains", "nan,3,3,3"),
        message="--domains: D1 = nan is outside 1-5; expected a domain score on the SPBE scale",
    ),
    Case(
        "score arguments",
        "semicolons and decimal commas (accepted)",
        {},
        ("score", "--domains", "3,70;3,40;3,00;3,20", "--format", "json"),
        status=0,
        same_argv=("score", "--domains", "3.70,3.40,3.00,3.20", "--format", "json"),
    ),
    Case(
        "score arguments",
        "unknown framework",
        {},
        ("score", "--domains", "3,3,3,3", "--framework", "59-2020"),
        message="framework: unknown framework '59-2020'; expected one of ['pemdi-2026', 'permenpanrb-59-2020']",
    ),
    Case(
        "score arguments",
        "unknown output format",
        {},
        ("score", "--domains", "3,3,3,3", "--format", "xml"),
        message="argument --format: invalid choice: 'xml' (choose from 'table', 'json', 'csv'); "
        "see 'living-lab score --help'",
    ),
    Case(
        "score arguments",
        "unknown option",
        {},
        ("score", "--domains", "3,3,3,3", "--bogus"),
        message="living-lab: error: unrecognized arguments: --bogus; see 'living-lab --help'",
    ),
    # ---- plan arguments ---------------------------------------------------------------------
    Case(
        "plan arguments",
        "no --target",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv"),
        message="the following arguments are required: --target; see 'living-lab plan --help'",
    ),
    Case(
        "plan arguments",
        "wrong type target",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "tinggi"),
        message="target: 'tinggi' is not a target; expected a number 1-5, 'next' or a predicate "
        "name (Kurang, Cukup, Baik, Sangat Baik, Memuaskan)",
    ),
    Case(
        "plan arguments",
        "out-of-range target",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "5.5"),
        message="target: 5.5 is outside 1-5; expected an SPBE index between 1 and 5",
    ),
    Case(
        "plan arguments",
        "not-a-number target",
        {},
        ("plan", "--domains", "3,3,3,3", "--target", "nan"),
        message="target: nan is outside 1-5; expected an SPBE index between 1 and 5",
    ),
    Case(
        "plan arguments",
        "two sources",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--domains", "3,3,3,3", "--target", "4"),
        message="give exactly one of FILE, --domains or --region",
    ),
    Case(
        "plan arguments",
        "unknown region",
        {},
        ("plan", "--region", "Atlantis", "--target", "4"),
        message="--region: unknown region 'Atlantis'; closest matches: Kota Salatiga",
    ),
    Case(
        "plan arguments",
        "year without a result",
        {},
        ("plan", "--region", "3211", "--year", "2019", "--target", "4.6"),
        message="--year: region 3211 has no published 2019 result; years: [2021, 2022, 2023, 2024]",
    ),
    Case(
        "plan arguments",
        "wrong type year",
        {},
        ("plan", "--region", "3211", "--year", "2024.0", "--target", "4.6"),
        message="argument --year: invalid int value: '2024.0'; see 'living-lab plan --help'",
    ),
    Case(
        "plan arguments",
        "--costs without FILE",
        {"costs.csv": costs()},
        ("plan", "--domains", "3,3,3,3", "--target", "4", "--costs", "costs.csv"),
        message="--costs: costs apply to indicator levels; give a FILE",
    ),
    Case(
        "plan arguments",
        "malformed --caps",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "3.5", "--caps", "11:3"),
        message="--caps: '11:3' is not INDICATOR=LEVEL; expected e.g. 11=3,32=4 or a file",
    ),
    Case(
        "plan arguments",
        "out-of-range --caps",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "3.5", "--caps", "11=7"),
        message="caps: indicator 11: '7' is not a level; expected a whole number 1-5",
    ),
    Case(
        "plan arguments",
        "indicator twice in --caps",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "3.5", "--caps", "11=3,11=5"),
        message="--caps: indicator '11' appears twice ('11=5' after 11=3); give each indicator once",
    ),
    Case(
        "plan arguments",
        "domain twice in --caps",
        {},
        ("plan", "--domains", "3,3,3,3", "--target", "4", "--caps", "d4=4.6,D4=4"),
        message="--caps: domain 'd4' appears twice ('d4=4' after d4=4.6); give each domain once",
    ),
    Case(
        "plan arguments",
        "unknown indicator in --caps",
        {"sa.csv": SA_GOOD},
        ("plan", "sa.csv", "--target", "3.5", "--caps", "99=3"),
        message="caps: unknown indicator '99'; expected 1-47",
    ),
    Case(
        "plan arguments",
        "--caps best-peer without --region",
        {},
        ("plan", "--domains", "3,3,3,3", "--target", "4", "--caps", "best-peer"),
        message="--caps best-peer: needs --region (whose peers?)",
    ),
    Case(
        "plan arguments",
        "unknown domain in --caps",
        {},
        ("plan", "--domains", "3,3,3,3", "--target", "4", "--caps", "d9=4"),
        message="caps: unknown domain 'd9'; expected 1-4 or d1-d4",
    ),
    # ---- template arguments -----------------------------------------------------------------
    Case(
        "template arguments",
        "existing FILE without --force",
        {"out.csv": b"indicator,level\n1,3\n"},
        ("template", "out.csv"),
        message="FILE: out.csv exists; choose another name or pass --force",
    ),
    Case(
        "template arguments",
        "FILE is a folder",
        {"out/x": b""},
        ("template", "out", "--force"),
        message="FILE: out is a folder; expected a file name",
    ),
    Case(
        "template arguments",
        "FILE is a FIFO (named pipe), with --force",
        {"out.csv": lambda p: os.mkfifo(p)},
        ("template", "out.csv", "--force"),
        message="FILE: out.csv is a FIFO (named pipe), not a regular file; it is never replaced "
        "(--force included); choose a file name",
    ),
    Case(
        "template arguments",
        "FILE is a device, with --force",
        {},
        ("template", "/dev/null", "--force"),
        message="FILE: /dev/null is a device, not a regular file; it is never replaced "
        "(--force included); choose a file name",
    ),
    Case(
        "template arguments",
        "FILE is a symbolic link to a device, with --force",
        {"out.csv": lambda p: p.symlink_to("/dev/null")},
        ("template", "out.csv", "--force"),
        message="FILE: out.csv is a device, not a regular file; it is never replaced "
        "(--force included); choose a file name",
    ),
    Case(
        "template arguments",
        "folder of FILE missing",
        {},
        ("template", "nowhere/out.csv"),
        message="FILE: folder nowhere does not exist",
    ),
    Case(
        "template arguments",
        "old .xls format",
        {},
        ("template", "out.xls"),
        message="FILE: the old .xls format is not written; use .xlsx or .csv",
    ),
    Case(
        "template arguments",
        "out-of-range --seed (over an existing file)",
        {"out.csv": b"indicator,level\n1,3\n"},
        ("template", "out.csv", "--example", "--seed", "-1", "--force"),
        message="--seed: -1; expected a whole number 0 or more",
    ),
    Case(
        "template arguments",
        "disk full while writing CSV (simulated)",
        {"out.csv": b"indicator,level\n1,3\n"},
        ("template", "out.csv", "--force"),
        fault="disk full",
        message="out.csv: cannot write (No space left on device); nothing was changed",
    ),
    Case(
        "template arguments",
        "disk full while writing XLSX (simulated)",
        {"out.xlsx": sa_xlsx(sa_rows())},
        ("template", "out.xlsx", "--force"),
        fault="disk full",
        message="out.xlsx: cannot write (No space left on device); nothing was changed",
    ),
    Case(
        "template arguments",
        "interrupted while writing (Ctrl-C, simulated)",
        {"out.csv": b"indicator,level\n1,3\n"},
        ("template", "out.csv", "--force"),
        fault="interrupt",
        status=130,
        message="living-lab template: interrupted",
    ),
    Case(
        "template arguments",
        "unknown framework",
        {},
        ("template", "--framework", "x"),
        message="framework: unknown framework 'x'; expected one of ['pemdi-2026', 'permenpanrb-59-2020']",
    ),
    Case(
        "template arguments",
        "unknown language",
        {},
        ("template", "--lang", "fr"),
        message="argument --lang: invalid choice: 'fr' (choose from 'id', 'en'); see "
        "'living-lab template --help'",
    ),
    # ---- peers arguments (living_lab/commands/peers.py) ------------------------------------
    Case(
        "peers arguments",
        "unknown region",
        {},
        ("peers", "Atlantis"),
        message="unknown region 'Atlantis'; closest matches: Kota Salatiga",
    ),
    Case(
        "peers arguments",
        "unknown group",
        {},
        ("peers", "3211", "--group", "provinsi"),
        message="--group: unknown peer group 'provinsi'; expected one of ['all', 'kind', "
        "'province', 'island', 'grdp_tertile', 'grdp_quintile', 'cohort:jawa-barat'] or "
        "cohort:<file.yaml>",
    ),
    Case(
        "peers arguments",
        "year without results",
        {},
        ("peers", "3211", "--year", "2019"),
        message="year: 2019 has no SPBE results; expected one of [2021, 2022, 2023, 2024]",
    ),
    Case(
        "peers arguments",
        "out-of-range --partners",
        {},
        ("peers", "3211", "--partners", "0"),
        message="--partners: 0; expected a positive integer",
    ),
    Case(
        "peers arguments",
        "not-a-number --concentration",
        {},
        ("peers", "3211", "--concentration", "nan"),
        message="--concentration: nan; expected a positive number",
    ),
    Case(
        "peers arguments",
        "unknown domain",
        {},
        ("peers", "3211", "--domain", "7"),
        message="argument --domain: invalid choice: 7 (choose from 1, 2, 3, 4); see "
        "'living-lab peers --help'",
    ),
    # ---- reports arguments and output folder (living_lab/report/outdir.py) ------------------
    Case(
        REPORTS,
        "year not a number",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--year", "abc"),
        fault="no kernels",
        message="year: expected an integer, got 'abc'",
    ),
    Case(
        REPORTS,
        "year without an evaluation",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--year", "2019"),
        fault="no kernels",
        message="year: no SPBE evaluation in 2019; expected one of [2021, 2022, 2023, 2024]",
    ),
    Case(
        REPORTS,
        "target outside the scale",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--target", "6"),
        fault="no kernels",
        message="target: 6 is outside the SPBE scale; expected a number above 1 and at most 5",
    ),
    Case(
        REPORTS,
        "target year too late",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--target-year", "2050"),
        fault="no kernels",
        message="target_year: 2050 must be between year (2024) and 2034",
    ),
    Case(
        REPORTS,
        "unknown language",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--lang", "fr"),
        fault="no kernels",
        message="lang: 'fr' is not supported; expected one of ['id', 'en']",
    ),
    Case(
        REPORTS,
        "unknown cohort",
        {},
        ("reports", "--cohort", "mars", "--out", "out"),
        fault="no kernels",
        message="cohort: unknown cohort 'mars'; expected one of […] or a YAML file",
    ),
    Case(
        REPORTS,
        "region outside the cohort",
        {},
        ("reports", "--cohort", "jawa-barat", "--regions", "1101", "--out", "out"),
        fault="no kernels",
        message="regions: 1101 (…) is not in cohort 'jawa-barat'; give a cohort that contains it "
        "(e.g. --cohort all)",
    ),
    Case(
        REPORTS,
        "jobs below 1",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--jobs", "-2"),
        fault="no kernels",
        message="jobs: expected 1 to 256 parallel processes, got -2",
    ),
    Case(
        REPORTS,
        "unknown file format",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--formats", "pdf"),
        fault="no kernels",
        message="formats: expected 'html' or 'html,ipynb' (each once), got 'pdf'",
    ),
    Case(
        REPORTS,
        "unknown executor",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--executor", "slurm"),
        fault="no kernels",
        message="executor: 'slurm' is not supported; expected one of ['local', 'dask']",
    ),
    Case(
        REPORTS,
        "dask executor without a scheduler",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--executor", "dask"),
        fault="no kernels",
        message="scheduler: --executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)",
    ),
    Case(
        REPORTS,
        "scheduler without the dask executor",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--scheduler", "tcp://127.0.0.1:9"),
        fault="no kernels",
        message="scheduler: only used with --executor dask",
    ),
    Case(
        REPORTS,
        "--out is a file",
        {"out": b"not a folder\n"},
        ("reports", "--regions", "3211", "--out", "out"),
        fault="no kernels",
        message="out: out exists and is not a folder",
    ),
    Case(
        REPORTS,
        "timeout too large",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--timeout", "1e300"),
        fault="no kernels",
        message="timeout: expected seconds above 0 and at most 86400 (one day), got 1e+300",
    ),
    Case(
        REPORTS,
        "timeout infinite",
        {},
        ("reports", "--regions", "3211", "--out", "out", "--timeout", "inf"),
        fault="no kernels",
        message="timeout: expected a number, got 'inf'",
    ),
    Case(
        REPORTS,
        "infinite timeout in the notebooks file",
        {"nb.yaml": NOTEBOOKS_INF},
        ("reports", "--regions", "3211", "--out", "out", "--notebooks", "nb.yaml"),
        fault="no kernels",
        message="nb.yaml, field 'timeout': expected a number of seconds above 0 and at most "
        "86400, got inf",
    ),
    Case(
        REPORTS,
        "empty --params file",
        {"p.yaml": b"# nothing set\n"},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml: file is empty; expected a mapping such as 'year: 2024'",
    ),
    Case(
        REPORTS,
        "--params file holding a list",
        {"p.yaml": b"- year\n- 2024\n"},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml: expected a mapping of parameter names to values (e.g. 'year: 2024'), "
        "got a list",
    ),
    Case(
        REPORTS,
        "--params key that is a number",
        {"p.yaml": b"1: 2\n"},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml: parameter names must be text, got 1",
    ),
    Case(
        REPORTS,
        "--params parameter given in both spellings",
        {"p.yaml": b"target-year: 2025\ntarget_year: 2025\n"},
        ("reports", "--params", "p.yaml", "--out", "out"),
        fault="no kernels",
        message="p.yaml, field 'target_year': parameter 'target_year' given twice",
    ),
    Case(
        REPORTS,
        "region notebook of the notebooks file missing",
        {"nb.yaml": b"notebook_dir: .\nregion_notebook: nope.ipynb\n"},
        ("reports", "--regions", "3211", "--out", "out", "--notebooks", "nb.yaml"),
        fault="no kernels",
        message="region notebook not found: …nope.ipynb",
    ),
    Case(
        REPORTS,
        "regions/ is a link out of the folder",
        {"elsewhere/keep.txt": b"keep", "out/regions": symlink_to("../elsewhere")},
        ("reports", "--regions", "3211", "--out", "out"),
        message="out: out/regions is a symbolic link; refusing to write through it (expected a "
        "folder inside out)",
    ),
    Case(
        REPORTS,
        "manifest.json is a link",
        {"elsewhere.json": b"{}", "out/manifest.json": symlink_to("../elsewhere.json")},
        ("reports", "--regions", "3211", "--out", "out"),
        message="out: out/manifest.json is a symbolic link; refusing to write through it "
        "(expected a file inside out)",
    ),
    Case(
        REPORTS,
        "a folder where manifest.json belongs",
        {"out/manifest.json/note.txt": b"x"},
        ("reports", "--regions", "3211", "--out", "out"),
        message="out: out/manifest.json is not a regular file; refusing to replace it",
    ),
    Case(
        REPORTS,
        "--out is a dangling link",
        {"out": symlink_to("gone")},
        ("reports", "--regions", "3211", "--out", "out"),
        message="out: out is a symbolic link to a folder that does not exist",
    ),
    Case(
        REPORTS,
        "--out on a read-only file system (simulated)",
        {"out/index.html": b"<p>old"},
        ("reports", "--regions", "3211", "--out", "out"),
        fault="read-only",
        message="out: out: read-only file system",
    ),
    Case(
        REPORTS,
        "scheduler address with an unknown scheme",
        {},
        (
            "reports",
            "--regions",
            "3211",
            "--out",
            "out",
            "--executor",
            "dask",
            "--scheduler",
            "bogus://x:1",
        ),
        message="scheduler: 'bogus://x:1' is not a Dask scheduler address (…); expected e.g. "
        "tcp://host:8786",
    ),
    Case(
        REPORTS,
        "scheduler not listening",
        {},
        (
            "reports",
            "--regions",
            "3211",
            "--out",
            "out",
            "--executor",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ),
        message="scheduler: cannot connect to tcp://127.0.0.1:9 (ConnectionRefusedError: …)",
    ),
    # ---- anything else: a bug -------------------------------------------------------------
    Case(
        "internal errors",
        "a bug inside a command (simulated)",
        {},
        ("score", "--domains", "3.70,3.40,3.00,3.20"),
        fault="bug",
        status=1,
        message="living-lab score: unexpected error (RuntimeError: simulated bug in "
        "score_from_domains); please report it; rerun as 'living-lab --debug score ...' for the "
        "traceback",
    ),
    # ---- audit, regions, data arguments -------------------------------------------------------
    Case(
        "audit arguments",
        "year without results",
        {},
        ("audit", "--year", "2019"),
        message="year: 2019; expected one of the published years [2021, 2022, 2023, 2024]",
    ),
    Case(
        "audit arguments",
        "wrong type year",
        {},
        ("audit", "--year", "last"),
        message="argument --year: invalid int value: 'last'; see 'living-lab audit --help'",
    ),
    Case(
        "audit arguments",
        "unknown table",
        {},
        ("audit", "--table", "provinsi"),
        message="argument --table: invalid choice: 'provinsi' (choose from 'kabkota', "
        "'instansi', 'all'); see 'living-lab audit --help'",
    ),
    Case(
        "regions arguments",
        "unknown region",
        {},
        ("regions", "Kab. Sumedang", "Atlantis"),
        message="unknown region 'Atlantis'; closest matches: Kota Salatiga",
    ),
    Case("regions arguments", "empty name", {}, ("regions", ""), message="empty region name ''"),
    Case(
        "regions arguments",
        "name shared by a kabupaten and a kota",
        {},
        ("regions", "Bandung"),
        message=AMBIGUOUS_BANDUNG,
    ),
    Case(
        REPORTS,
        "name shared by a kabupaten and a kota",
        {},
        ("reports", "--regions", "Sumedang,Bandung", "--out", "out"),
        fault="no kernels",
        message="regions[1]: " + AMBIGUOUS_BANDUNG,
    ),
    Case(
        "regions arguments",
        "unknown BPS code",
        {},
        ("regions", "3299"),
        message="unknown BPS code '3299'; closest matches: 3279 Kota Banjar, 3278 Kota "
        "Tasikmalaya, 3277 Kota Cimahi",
    ),
    Case(
        "regions arguments",
        "unknown Kemendagri code",
        {},
        ("regions", "32.99"),
        message="unknown Kemendagri code '32.99'; closest matches: 32.79 Kota Banjar, 32.78 Kota "
        "Tasikmalaya, 32.77 Kota Cimahi",
    ),
    Case(
        "regions arguments",
        "no name",
        {},
        ("regions",),
        message="the following arguments are required: NAME; see 'living-lab regions --help'",
    ),
    Case(
        "data arguments",
        "unknown action",
        {},
        ("data", "rebuild"),
        message="argument action: invalid choice: 'rebuild' (choose from 'build', 'check'); "
        "see 'living-lab data --help'",
    ),
    # ---- raw source files (data build) --------------------------------------------------------
    Case(
        RAW,
        "missing source folder",
        {"data": bundled_copy()},
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        message="raw source file not found: …shared/regions/region_codes.csv (set "
        "LIVING_LAB_SHARED to the shared/data folder)",
    ),
    Case(
        RAW,
        "empty source file",
        {
            "data": bundled_copy(),
            "shared": shared_copy(rewrite("spbe/spbe_national_series.csv", lambda b: b"")),
        },
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        needs_shared=True,
        message="…shared/spbe/spbe_national_series.csv: file is empty; expected a header line and rows",
    ),
    Case(
        RAW,
        "wrong encoding (Latin-1)",
        {
            "data": bundled_copy(),
            "shared": shared_copy(
                rewrite(
                    "regions/region_codes.csv",
                    lambda b: b.decode().replace("Sumedang", "Sum\u00e9dang", 1).encode("latin-1"),
                )
            ),
        },
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        needs_shared=True,
        message="…shared/regions/region_codes.csv, line …: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
    ),
    Case(
        RAW,
        "missing column",
        {
            "data": bundled_copy(),
            "shared": shared_copy(
                rewrite("outcomes/outcomes_panel.csv", drop_column("confidence"))
            ),
        },
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        needs_shared=True,
        message="…shared/outcomes/outcomes_panel.csv, line 1: missing column(s) ['confidence']; expected …",
    ),
    Case(
        RAW,
        "wrong type",
        {
            "data": bundled_copy(),
            "shared": shared_copy(
                rewrite("spbe/spbe_results_2023_2024.csv", set_cell(3, "indeks_spbe", "3,4x"))
            ),
        },
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        needs_shared=True,
        message="…shared/spbe/spbe_results_2023_2024.csv, line 5, field 'indeks_spbe': '3,4x' is not a number; expected a number",
    ),
    Case(
        RAW,
        "out-of-range value",
        {
            "data": bundled_copy(),
            "shared": shared_copy(
                rewrite("spbe/spbe_results_2023_2024.csv", set_cell(3, "indeks_spbe", "7.5"))
            ),
        },
        ("data", "build"),
        env={"LIVING_LAB_SHARED": "shared"},
        data_dir="data",
        needs_shared=True,
        message="…shared/spbe/spbe_results_2023_2024.csv, line 5, field 'indeks_spbe': 7.5 is out of range; expected 1 to 5",
    ),
    # ---- bundled tables (data check) ------------------------------------------------------
    Case(
        BUNDLED,
        "missing table",
        {"data": bundled_copy(lambda d: (d / "outcomes.csv").unlink())},
        ("data", "check"),
        data_dir="data",
        message="bundled table missing: …data/outcomes.csv (run `make data` to rebuild it)",
    ),
    Case(
        BUNDLED,
        "empty table",
        {"data": bundled_copy(lambda d: (d / "spbe_index.csv").write_bytes(b""))},
        ("data", "check"),
        data_dir="data",
        message="…data/spbe_index.csv: file is empty; expected a header line and rows",
    ),
    Case(
        BUNDLED,
        "wrong encoding (Latin-1)",
        {
            "data": bundled_copy(
                rewrite(
                    "regions.csv",
                    lambda b: b.decode().replace("Sumedang", "Sum\u00e9dang", 1).encode("latin-1"),
                )
            )
        },
        ("data", "check"),
        data_dir="data",
        message="…data/regions.csv, line …: not UTF-8 text (byte 0xe9); save the file as CSV UTF-8",
    ),
    Case(
        BUNDLED,
        "duplicate key",
        {
            "data": bundled_copy(
                rewrite("spbe_index.csv", lambda b: b + b.splitlines(keepends=True)[1])
            )
        },
        ("data", "check"),
        data_dir="data",
        message="…data/spbe_index.csv, line …: duplicate key (region_code=…, year=…); each region_code/year may appear once",
    ),
    Case(
        BUNDLED,
        "out-of-range value",
        {"data": bundled_copy(rewrite("spbe_index.csv", set_cell(0, "index", "5.01")))},
        ("data", "check"),
        data_dir="data",
        message="…data/spbe_index.csv, line 2, field 'index': 5.01 is out of range; expected 1 to 5",
    ),
    Case(
        BUNDLED,
        "metadata YAML with a duplicate key",
        {"data": bundled_copy(rewrite("spbe_index.meta.yml", lambda b: b + b"title: again\n"))},
        ("data", "check"),
        data_dir="data",
        message="…data/spbe_index.meta.yml, line …: key 'title' appears twice (first on line 1); "
        "expected each key once",
    ),
]


# ---------------------------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------------------------


def _fail_midway(exc: BaseException) -> Callable[[pytest.MonkeyPatch], None]:
    """Writers write half of their output, then fail with ``exc``."""

    def inject(monkeypatch: pytest.MonkeyPatch) -> None:
        from openpyxl import Workbook

        to_csv = pd.DataFrame.to_csv

        def broken_to_csv(self, path_or_buf=None, *args, **kwargs):
            if not isinstance(path_or_buf, str | Path):  # streams (stdout) are not files
                return to_csv(self, path_or_buf, *args, **kwargs)
            to_csv(self.iloc[: len(self) // 2], path_or_buf, *args, **kwargs)
            raise exc

        def broken_save(self, filename):
            Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
            raise exc

        monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
        monkeypatch.setattr(Workbook, "save", broken_save)

    return inject


def _bug(monkeypatch: pytest.MonkeyPatch) -> None:
    from living_lab.commands import score as score_command

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug in score_from_domains")

    monkeypatch.setattr(score_command, "score_from_domains", broken)


def _no_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad report parameters must be refused before any kernel or batch starts."""
    from living_lab.report import pool, runner

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel or a batch was started despite invalid input")

    monkeypatch.setattr(pool.ReportPool, "start", refuse)
    monkeypatch.setattr(pool.ReportHost, "start", refuse)
    monkeypatch.setattr(runner, "run_batch", refuse)


def _read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating anything fails as on a read-only mount (root ignores permission bits)."""
    real_open = os.open

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    def open_(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            refuse()
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", lambda *a, **k: refuse())


FAULTS: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "no kernels": _no_kernels,
    "read-only": _read_only,
    "disk full": _fail_midway(OSError(28, "No space left on device")),
    "interrupt": _fail_midway(KeyboardInterrupt()),
    "bug": _bug,
}


@dataclass
class Outcome:
    status: int | None  # exit status of the command line (None: library call)
    stdout: str
    stderr: str
    error: BaseException | None  # what a library call raised, or what escaped cli.main
    value: object = None  # what a library call returned


def materialise(files: Mapping[str, Content], folder: Path) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: size and content hash (sparse huge files: size and mtime)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = (
                hashlib.sha256(path.read_bytes()).hexdigest()
                if st.st_size < 1024 * 1024
                else str(st.st_mtime_ns)
            )
            out[str(path.relative_to(folder))] = (st.st_size, digest)
    return out


def _clear_caches() -> None:
    datasets._read_bundled.cache_clear()
    validate.load_schema.cache_clear()
    regions._index.cache_clear()


def namespace() -> dict[str, object]:
    from living_lab.results import context

    return {
        "datasets": datasets,
        "cohorts": cohorts,
        "framework": framework,
        "regions": regions,
        "context": context,
        "Path": Path,
    }


def run_case(
    case: Case, folder: Path, monkeypatch, capsys, *, argv=None, call=None, lang: str = "en"
) -> Outcome:
    """Run the case (its files already in ``folder``) and record what the user would see, with
    the command line in ``lang`` (chosen as a user would: ``LIVING_LAB_LANG``)."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv(cli.LANG_ENV, lang)
    for key, rel in case.env.items():
        monkeypatch.setenv(key, str(folder / rel))
    if case.fault:
        FAULTS[case.fault](monkeypatch)
    capsys.readouterr()
    argv = argv if argv is not None else case.argv
    if argv:
        error = None
        try:
            status = cli.main(list(argv))
        except SystemExit as exc:  # argparse (--help, usage errors)
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001 - recorded: it would reach the user
            status, error = None, exc
        out, err = capsys.readouterr()
        return Outcome(status, out, err, error)
    value, error = None, None
    try:
        value = eval(call or case.call, namespace())  # noqa: S307 - test-defined expressions
    except Exception as exc:  # noqa: BLE001
        error = exc
    out, err = capsys.readouterr()
    return Outcome(None, out, err, error, value)


def pattern(message: str) -> re.Pattern[str]:
    """``…`` matches any text; everything else literally."""
    return re.compile(".*?".join(re.escape(part) for part in message.split("…")), re.DOTALL)


@pytest.fixture
def data_folder(monkeypatch):
    """Use a case's folder as the bundled data folder; the real one is restored afterwards."""

    used = []

    def use(folder: Path) -> None:
        _clear_caches()
        monkeypatch.setattr(paths, "DATA", folder)
        used.append(folder)

    yield use
    if used:  # tables cached from the case's folder must not leak into other tests
        _clear_caches()


def _shared_available() -> bool:
    return (paths.shared_data() / "spbe" / "spbe_results_2023_2024.csv").exists()


def repo_data_state() -> dict[str, tuple[int, str]]:
    return snapshot(paths.DATA)


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch, capsys, data_folder):
    if case.needs_shared:
        require(_shared_available(), f"raw source data not found at {paths.shared_data()}")
    folder = tmp_path / "case"
    folder.mkdir()
    materialise(case.files, folder)
    if case.argv:
        materialise(dict([PREVIOUS_OUTPUT]), folder)
    if case.data_dir:
        data_folder(folder / case.data_dir)
    before = snapshot(folder)
    repo_before = repo_data_state() if case.argv[:1] == ("data",) else None
    got = run_case(case, folder, monkeypatch, capsys)

    if case.argv:
        assert got.error is None, f"exception reached the user: {got.error!r}"
        assert "Traceback" not in got.stderr
        assert got.status == case.status, got.stderr
        if case.status == 0:
            assert got.stderr == ""
        else:
            assert got.stdout == "", "a failing command printed output"
            lines = got.stderr.splitlines()
            assert len(lines) == 1, got.stderr
            assert pattern(case.expected_line()).fullmatch(lines[0]), lines[0]
        assert snapshot(folder) == before, "the command changed or added files"
        if repo_before is not None:
            assert repo_data_state() == repo_before, "data/ was modified"
    else:
        from living_lab import errors

        if case.status == 0:
            assert got.error is None, repr(got.error)
        else:
            assert isinstance(got.error, getattr(errors, case.error)), repr(got.error)
            message = str(got.error)
            assert "\n" not in message
            assert pattern(case.message).fullmatch(message), message
        assert snapshot(folder) == before, "the call changed or added files"

    if case.status == 0 and (case.same_as is not None or case.same_argv):
        ref = tmp_path / "reference"
        ref.mkdir()
        materialise(case.same_as or case.files, ref)
        want = run_case(
            case, ref, monkeypatch, capsys, argv=case.same_argv or None, call=case.same_call or None
        )
        if case.argv:
            assert want.status == 0 and want.stdout and got.stdout == want.stdout
        elif isinstance(got.value, pd.DataFrame):
            pd.testing.assert_frame_equal(got.value, want.value)
        else:
            assert got.value == want.value and got.value is not None


#: Command-line cases whose message is still English under the Indonesian frame: errors of
#: the library not yet given a message key (living_lab/locales/*/errors.yml). Each is expected
#: to fail the Indonesian scan below (strict: a case that becomes Indonesian must leave the list).
STILL_ENGLISH: frozenset[str] = frozenset()

CLI_ERROR_CASES = [c for c in CASES if c.argv and c.status != 0]


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(
            c,
            marks=pytest.mark.xfail(
                c.id in STILL_ENGLISH, reason="message not yet in the catalogue", strict=True
            ),
        )
        for c in CLI_ERROR_CASES
    ],
    ids=[c.id for c in CLI_ERROR_CASES],
)
def test_bad_input_in_indonesian(case: Case, tmp_path, monkeypatch, capsys, data_folder):
    """Every error a command-line user can meet, in Bahasa Indonesia (the default): the same
    exit status and one line as in English, the Indonesian frame, and no English word in it."""
    from _language_scan import command_line_text, offences

    if case.needs_shared:
        require(_shared_available(), f"raw source data not found at {paths.shared_data()}")
    folder = tmp_path / "case"
    folder.mkdir()
    materialise(case.files, folder)
    if case.data_dir:
        data_folder(folder / case.data_dir)
    got = run_case(case, folder, monkeypatch, capsys, lang="id")
    assert got.error is None and got.status == case.status, got.stderr
    lines = got.stderr.splitlines()
    assert len(lines) == 1 and got.stdout == "", got.stderr
    line = lines[0]
    frame = re.match(r"living-lab(?: \w+)?: (galat: |galat tak terduga |dihentikan)", line)
    assert frame, line
    # The message after the frame: file names and quoted user data are not words of a language.
    message = line[frame.end() :]
    assert not offences(command_line_text(message), "id", identifiers=False, command_line=True), (
        line
    )
    # A key of a YAML file is a "kunci", a column of a table a "kolom" (one term for each).
    assert not re.search(r"\.ya?ml(?:, baris \d+)?, kolom '", line), line
    assert not re.search(r"\.(?:csv|xlsx)(?:, baris \d+)?, kunci '", line), line


# Cases also run through the installed console script: no traceback reaches a real terminal.
SUBPROCESS_CASES = [
    "self-assessment-file-score-plan-file-wrong-encoding-latin-1",
    "self-assessment-xlsx-unpacks-to-60-mb-zip-bomb",
    "cohort-yaml-file-load-cohort-peers-group-cohort-file-duplicate-key",
    "template-arguments-existing-file-without-force",
    "plan-arguments-unknown-region",
    "score-arguments-unknown-option",
]


@pytest.mark.slow  # six interpreter start-ups; test_bad_input runs the same cases in-process
@pytest.mark.integration
@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_console_script_prints_one_line(case_id, tmp_path):
    case = next(c for c in CASES if c.id == case_id)
    exe = Path(sys.executable).parent / "living-lab"
    assert exe.exists(), "the living-lab console script is not installed in this environment"
    materialise({**case.files, PREVIOUS_OUTPUT[0]: PREVIOUS_OUTPUT[1]}, tmp_path)
    before = snapshot(tmp_path)
    env = {**os.environ, cli.LANG_ENV: "en", **{k: str(tmp_path / v) for k, v in case.env.items()}}
    proc = subprocess.run(
        [str(exe), *case.argv], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert proc.returncode == case.status
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and pattern(case.expected_line()).fullmatch(lines[0]), proc.stderr
    assert snapshot(tmp_path) == before


def test_debug_shows_the_traceback_of_an_unexpected_error(monkeypatch, capsys):
    _bug(monkeypatch)
    argv = ["score", "--domains", "3.70,3.40,3.00,3.20"]
    with pytest.raises(RuntimeError, match="simulated bug"):
        cli.main(["--debug", *argv])
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError, match="simulated bug"):
        cli.main(argv)
    monkeypatch.setenv(cli.DEBUG_ENV, "0")
    assert cli.main(argv) == 1
    assert "galat tak terduga (RuntimeError" in capsys.readouterr().err


def test_messages_quoting_user_data_stay_on_one_line(tmp_path, monkeypatch, capsys):
    # A region name with a newline and a terminal escape sequence, echoed in the error.
    monkeypatch.chdir(tmp_path)
    assert cli.main(["regions", "Atlantis\n\x1b[31mred"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert err.startswith("living-lab regions: galat: kabupaten/kota 'Atlantis\\n\\x1b[31mred'")


def test_peers_negative_seed_is_a_usage_error(capsys):
    assert cli.main(["peers", "3211", "--seed", "-1"]) == 2
    assert "--seed" in capsys.readouterr().err


def test_peers_draws_are_bounded(capsys):
    assert cli.main(["peers", "3211", "--draws", "100000000"]) == 2
    assert "--draws" in capsys.readouterr().err


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert set(SUBPROCESS_CASES) <= set(ids)


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------

DOC_HEAD = """\
# Bad inputs: what the user sees

Every input the suite accepts, the ways it can be wrong, and the one line the user gets. The
table is generated from the case list of `tests/test_bad_inputs.py`, which runs every row
(`make test`); a test fails if this file differs from what the list renders, so it cannot drift
from behaviour. To regenerate it after changing a case:

    .venv/bin/python tests/test_bad_inputs.py --write-docs

How to read it:

- **Command** is run in a folder holding the case's files (named as in the command). A library
  call raises the error class named in the status column; its message is the text shown.
- **What the user sees** is the complete line on standard error (`…` stands for text left out
  here, such as a long list of accepted values). Every line names the file and line, field or
  parameter, and what was expected.
- The lines are shown in English, as `--lang en` (or `LIVING_LAB_LANG=en`) prints them. By
  default the command line speaks Bahasa Indonesia: the same line reads
  `living-lab CMD: galat: …` with the message in Indonesian (`test_bad_input_in_indonesian`
  runs every case that way too).
- Every failing command prints exactly one line, nothing on standard output, no traceback, and
  leaves every existing file byte-identical (outputs are written to a temporary file and renamed
  into place only when complete).

Exit statuses of `living-lab`:

| Status | Meaning |
|---|---|
| 0 | done (an accepted input) |
| 1 | the command could not finish for a reason that is not the input: an internal error (one line, `unexpected error (…)`; rerun as `living-lab --debug COMMAND …` or with `LIVING_LAB_DEBUG=1` for the traceback, and report it). `plan` also exits 1 when the target cannot be reached within the caps, and `audit --strict` when a published row fails a check. |
| 2 | bad input or usage: the one line says what to fix. Also an environment fault (disk full, read-only or missing folder, a folder or link where a file belongs): `reports` keeps every report it finished and names how many were not written |
| 130 | interrupted (Ctrl-C; for `reports` also SIGTERM, and any burst of either); files being written are left as they were, the reports manifest is marked `interrupted` |

Sizes: a CSV or XLSX file above 50 MB (or an XLSX that unpacks to more), and a YAML file above
5 MB (a `--params` file: 1,000,000 bytes), is refused before it is parsed; the file is read with
that cap, so a file growing while read cannot get past it. Where a file is expected, a device
(`/dev/zero`), a named pipe or a socket is refused without being read. A YAML file may nest at
most 50 levels and expand, through its aliases (`*name`), to at most 200,000 values.
"""


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else ""


def render_docs() -> str:
    parts = [DOC_HEAD]
    groups: dict[str, list[Case]] = {}
    for case in CASES:
        groups.setdefault(case.input, []).append(case)
    for title, cases in groups.items():
        parts.append(f"\n## {title[0].upper()}{title[1:]}\n")
        parts.append("| Case | Command | What the user sees | Status |")
        parts.append("|---|---|---|---|")
        for c in cases:
            if c.status == 0:
                seen = f"accepted: {c.same_note}"
                if c.same_argv:
                    seen = "accepted: same output as `living-lab " + " ".join(c.same_argv) + "`"
                status = "0"
            else:
                seen = _cell(c.expected_line())
                status = str(c.status) if c.argv else c.error
            name = c.case.replace("|", "\\|")
            parts.append(f"| {name} | {_cell(c.command)} | {seen} | {status} |")
    return "\n".join(parts) + "\n"


def test_docs_table_is_current():
    assert DOCS.exists(), "docs/bad_inputs.md is missing: run tests/test_bad_inputs.py --write-docs"
    assert DOCS.read_text(encoding="utf-8") == render_docs(), (
        "docs/bad_inputs.md differs from the case list: run "
        ".venv/bin/python tests/test_bad_inputs.py --write-docs"
    )


if __name__ == "__main__":
    if "--write-docs" in sys.argv:
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(render_docs(), encoding="utf-8")
        print(f"wrote {DOCS}")
