"""Self-assessment (penilaian mandiri) files: template, reader, synthetic example.

A self-assessment file lists the framework's indicators, one per row, with a ``level`` column
the region fills with 1-5. It can be CSV (UTF-8, comma/semicolon/tab) or XLSX (the sheet named
``penilaian_mandiri``; if that sheet is hidden, the one visible sheet with ``indicator`` and
``level`` columns; without it, the active sheet; a hidden sheet is never read). Only the ``indicator`` and ``level`` columns are read;
names, weights and notes are there for the person filling it in.

Reading checks every row and refuses, with one line naming the file, line and field:
non-integer levels, levels outside 1-5, duplicate indicators, unknown indicator numbers, and
(unless ``allow_partial``) indicators without a level. A level may also be written as its name
for the indicator's capability type (``Terdefinisi``, ``Transaksi``).

A partial file is scored only with ``allow_partial=True``: missing levels then count as
level 1, the floor of the scale (an indicator without evidence gets level 1), so the index is
a lower bound; the result also gives the index with the missing levels at 5, and names them.

:func:`synthetic_example` generates a filled file for demos and tests. Its levels are random
draws around the 2024 national domain averages; every row carries a ``synthetic`` column
saying so, and reading it back sets ``synthetic=True`` on the result.

Examples
--------
>>> df = template_frame()
>>> len(df), list(df.columns[:3])
(47, ['indicator', 'indicator_name', 'aspect'])
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from living_lab import validate
from living_lab.errors import InputError, ParameterError
from living_lab.framework import DEFAULT_FRAMEWORK, Framework, load_framework
from living_lab.scoring import ScoreResult, _ranges, score_levels
from living_lab.text import Lang, t

FileFormat = Literal["csv", "xlsx"]
#: Columns of the template, in order. ``level`` and ``note`` are for the user to fill.
TEMPLATE_COLUMNS = (
    "indicator",
    "indicator_name",
    "aspect",
    "aspect_name",
    "domain",
    "domain_name",
    "capability",
    "weight_pct",
    "level_guide",
    "level",
    "note",
)
#: Template column naming the outside assessment of an externally assessed indicator.
EXTERNAL_COLUMN = "assessed_by"
#: Column marking a generated (synthetic) file; any non-empty value marks it.
SYNTHETIC_COLUMN = "synthetic"
#: Sheet read from (and written to) an XLSX file, in Bahasa Indonesia; an English template
#: names it ``self_assessment`` (:func:`sheet_names`), and either name is read.
SHEET = "penilaian_mandiri"
#: Columns whose header is translated (``template.col.<name>`` in ``locales/*/template.yml``).
HEADER_COLUMNS = (
    *TEMPLATE_COLUMNS,
    "assessed_by",
    "synthetic",
    "cost",
    "cap",
    "cost_to_2",
    "cost_to_3",
    "cost_to_4",
    "cost_to_5",
)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: An XLSX sheet with more rows than this is refused (a self-assessment has one per indicator).
MAX_XLSX_ROWS = 10_000
DEFAULT_SEED = 2024


def headers(lang: Lang) -> dict[str, str]:
    """The template's column headers in ``lang``: column name -> header.

    Examples
    --------
    >>> headers("id")["level"], headers("en")["level"]
    ('tingkat', 'level')
    """
    return {c: t(f"template.col.{c}", lang) for c in HEADER_COLUMNS}


def sheet_names(lang: Lang) -> tuple[str, str]:
    """The XLSX sheets of the template in ``lang``: (the table, the notes)."""
    return t("template.sheet.main", lang), t("template.sheet.about", lang)


def _header_lookup() -> dict[str, str]:
    """Any language's header (case-folded) -> column name."""
    from living_lab.text import LANGS

    return {h.casefold(): c for lang in LANGS for c, h in headers(lang).items()}


def canonical_columns(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``df`` with the headers of either language renamed to the column names; a column named
    twice (``level`` and ``tingkat``) is refused."""
    lookup = _header_lookup()
    names = [lookup.get(str(c).strip().casefold(), c) for c in df.columns]
    for name in names:
        if names.count(name) > 1:
            raise InputError.keyed("err.sa.column_twice", file=path, row=1, column=name)
    return df.set_axis(names, axis=1)


def _framework(framework: str | Framework) -> Framework:
    return framework if isinstance(framework, Framework) else load_framework(framework)


def file_format(path: str | Path) -> FileFormat:
    """``"xlsx"`` for .xlsx/.xlsm names, ``"csv"`` otherwise."""
    return "xlsx" if Path(path).suffix.lower() in XLSX_SUFFIXES else "csv"


# --------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------


def template_frame(
    framework: str | Framework = DEFAULT_FRAMEWORK, lang: Lang = "id"
) -> pd.DataFrame:
    """The empty self-assessment: one row per indicator, ``level`` and ``note`` empty.

    A framework with externally assessed indicators gets one more column, ``assessed_by``,
    after ``level_guide``: the assessment (and agency) the level of such an indicator is taken
    from, empty for the indicators the region assesses itself.
    """
    fw = _framework(framework)
    table = fw.indicator_table()
    guide = {
        cap: " | ".join(f"{n} {name}" for n, name in sorted(names.items()))
        for cap, names in fw.levels_named(lang).items()
    }
    out = pd.DataFrame(
        {
            "indicator": table["indicator"],
            "indicator_name": table["indicator_name"],
            "aspect": table["aspect"],
            "aspect_name": table["aspect_name"],
            "domain": table["domain"],
            "domain_name": table["domain_name"],
            "capability": table["capability"].map(
                lambda cap: t(f"template.capability.{cap}", lang)
            ),
            "weight_pct": table["weight_pct"],
            "level_guide": table["capability"].map(guide),
            "level": pd.Series([None] * len(table), dtype=object),
            "note": pd.Series([None] * len(table), dtype=object),
        }
    )
    columns = list(TEMPLATE_COLUMNS)
    if fw.external_indicators:
        external = {
            i.number: t("template_external", lang, by=i.external[lang])
            for i in fw.external_indicators
        }
        out[EXTERNAL_COLUMN] = pd.Series(
            [external.get(int(n)) for n in table["indicator"]], dtype=object
        )
        columns.insert(columns.index("level_guide") + 1, EXTERNAL_COLUMN)
    return out[columns]


def write_table(
    df: pd.DataFrame,
    target: str | Path | IO[str] | None = None,
    *,
    fmt: FileFormat | None = None,
    synthetic_note: str | None = None,
    about: list[str] | None = None,
    lang: Lang = "id",
) -> None:
    """Write a self-assessment table as CSV (file or text stream; stdout by default) or XLSX.

    Column headers and sheet names are in ``lang`` (:func:`headers`, :func:`sheet_names`).
    XLSX gets a sheet ``penilaian_mandiri`` (``self_assessment`` in English; header frozen,
    ``level`` restricted to whole numbers 1-5) and a sheet ``keterangan`` (``notes``) with the
    lines of ``about`` (and the synthetic label, if any).
    """
    shown = df.rename(columns=headers(lang))
    if target is None or hasattr(target, "write"):
        if fmt == "xlsx":
            raise InputError("XLSX cannot be written to standard output; give a file name")
        stream = target if target is not None else sys.stdout
        shown.to_csv(stream, index=False, lineterminator="\n")
        return
    path = Path(target)
    fmt = fmt or file_format(path)
    with _atomic(path) as tmp:
        if fmt == "xlsx":
            _write_xlsx(df, tmp, synthetic_note=synthetic_note, about=about or [], lang=lang)
        else:
            # A byte-order mark lets spreadsheet programs recognise UTF-8 (indicator names).
            shown.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Write to a temporary file beside ``path`` and rename it into place when complete.

    An existing file is replaced only by a complete new one: a failure or an interruption
    while writing leaves it byte-identical and removes the temporary file. An error of the
    file system (disk full, no permission) becomes one :class:`InputError` line.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError.keyed(
            "err.file.cannot_write", file=path, reason=exc.strerror or exc
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        mode = path.stat().st_mode & 0o777 if path.exists() else _default_mode()
        os.chmod(tmp, mode)  # mkstemp makes 0600 files; keep the usual permissions
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError.keyed(
            "err.file.cannot_write", file=path, reason=exc.strerror or exc
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_xlsx(
    df: pd.DataFrame, path: Path, *, synthetic_note: str | None, about: list[str], lang: Lang
):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    main_sheet, about_sheet = sheet_names(lang)
    ws.title = main_sheet
    labels = headers(lang)
    ws.append([labels.get(c, c) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if _blank(v) else _plain(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B2"
    widths = {
        "indicator_name": 60,
        "aspect_name": 35,
        "domain_name": 25,
        "level_guide": 55,
        EXTERNAL_COLUMN: 45,
    }
    for k, col in enumerate(df.columns, start=1):
        letter = ws.cell(row=1, column=k).column_letter
        ws.column_dimensions[letter].width = widths.get(col, max(10, len(col) + 2))
    if "level" in df.columns:
        letter = ws.cell(row=1, column=list(df.columns).index("level") + 1).column_letter
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1="1",
            formula2="5",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=labels["level"],
            error=t("template.level_validation", lang),
        )
        dv.add(f"{letter}2:{letter}{len(df) + 1}")
        ws.add_data_validation(dv)
    info = wb.create_sheet(about_sheet)
    lines = ([synthetic_note] if synthetic_note else []) + about
    for line in lines:
        info.append([line])
    if synthetic_note:
        info["A1"].font = Font(bold=True, color="C00000")
    wb.save(path)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def about_lines(fw: Framework, lang: Lang = "id") -> list[str]:
    """Lines describing the template (for the XLSX ``keterangan`` sheet)."""
    lines = [f"{fw.name} — {fw.source}"]
    if fw.confidence is not None:
        lines.append(t(f"scoring_confidence_{fw.confidence}", lang))
    lines += [t("template_about_fill", lang), t("template_about_use", lang)]
    if fw.external_indicators:
        lines.append(t("template_about_external", lang))
    if fw.id != DEFAULT_FRAMEWORK:
        lines.append(t("template_about_framework", lang, framework=fw.id))
    return lines


def write_template(
    target: str | Path | IO[str] | None = None,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    fmt: FileFormat | None = None,
    lang: Lang = "id",
) -> pd.DataFrame:
    """Write the empty template (stdout without ``target``), its headers in ``lang``; returns
    what was written (under the column names of :data:`TEMPLATE_COLUMNS`)."""
    fw = _framework(framework)
    df = template_frame(fw, lang)
    write_table(df, target, fmt=fmt, about=about_lines(fw, lang), lang=lang)
    return df


# --------------------------------------------------------------------------------------------
# Synthetic example
# --------------------------------------------------------------------------------------------


def synthetic_levels(
    seed: int = DEFAULT_SEED,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    reference_year: int = 2024,
) -> pd.Series:
    """SYNTHETIC levels of one imaginary region (indicator number -> level).

    Each level is ``round(national mean of its domain in reference_year + region effect +
    indicator noise)`` clipped to 1-5, with region effect ~ N(0, 0.3) and noise ~ N(0, 0.8).
    The national domain means are published figures (``data/spbe_national.csv``); everything
    else is random. Not a model of any real region. A framework with no published national
    results at all (Pemdi, before its first round is published) is centred on the middle of
    its scale instead: no score of one framework is carried over to another.
    """
    from living_lab import datasets

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed: {seed!r}; expected a whole number 0 or more")
    fw = _framework(framework)
    nat = datasets.load_spbe_national()
    row = nat[(nat["year"] == reference_year) & (nat["framework"] == fw.id)]
    if not (nat["framework"] == fw.id).any():
        middle = (fw.scale_min + fw.scale_max) / 2
        means = {d.number: middle for d in fw.domains}
    elif row.empty:
        raise InputError(
            f"no national {fw.id} domain scores for {reference_year}; expected one of "
            f"{sorted(nat.loc[nat['framework'] == fw.id, 'year'])}",
            field="reference_year",
        )
    else:
        means = {d.number: float(row.iloc[0][f"d{d.number}"]) for d in fw.domains}
    rng = np.random.default_rng(seed)
    region = rng.normal(0.0, 0.3)
    inds = fw.indicators
    raw = np.array([means[i.domain] for i in inds]) + region + rng.normal(0.0, 0.8, len(inds))
    levels = np.clip(np.rint(raw), fw.scale_min, fw.scale_max).astype(int)
    return pd.Series(levels, index=pd.Index([i.number for i in inds], name="indicator"))


def synthetic_label(seed: int, lang: Lang = "id") -> str:
    """The label written into every row of a synthetic file."""
    return (
        f"{t('synthetic_label', lang)} (living_lab.selfassessment.synthetic_example, seed={seed})"
    )


def synthetic_example(
    seed: int = DEFAULT_SEED,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    lang: Lang = "id",
) -> pd.DataFrame:
    """A filled, SYNTHETIC self-assessment (the template plus levels and a ``synthetic`` column)."""
    fw = _framework(framework)
    df = template_frame(fw, lang)
    df["level"] = synthetic_levels(seed, framework=fw).to_numpy()
    df[SYNTHETIC_COLUMN] = synthetic_label(seed, lang)
    return df


def write_synthetic_example(
    target: str | Path | IO[str] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    fmt: FileFormat | None = None,
    lang: Lang = "id",
) -> pd.DataFrame:
    """Write :func:`synthetic_example` (stdout without ``target``); returns what was written."""
    fw = _framework(framework)
    df = synthetic_example(seed, framework=fw, lang=lang)
    write_table(
        df,
        target,
        fmt=fmt,
        synthetic_note=synthetic_label(seed, lang),
        about=about_lines(fw, lang),
        lang=lang,
    )
    return df


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or XLSX file into text cells plus a ``_line`` column (row number as shown).

    Headers of either language are renamed to the column names (``tingkat`` -> ``level``,
    :func:`canonical_columns`). Empty rows are skipped; every refusal is one line naming the
    file (and line).
    """
    return canonical_columns(_read_raw(path), Path(path))


def _read_raw(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    if path.suffix.lower() == ".xls":
        raise InputError.keyed("err.sa.xls", file=path)
    if file_format(path) == "xlsx":
        return _read_xlsx(path)
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(4) == b"PK\x03\x04":
                raise InputError.keyed("err.sa.xlsx_as_csv", file=path)
    return validate.read_user_csv(path)


def _read_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    validate.check_file(path, kind="XLSX")
    unreadable = (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        ValueError,
        EOFError,
    )
    try:
        with zipfile.ZipFile(path) as zf:
            # Sizes from the archive's directory: a small file may unpack to gigabytes.
            unpacked = sum(info.file_size for info in zf.infolist())
    except unreadable as exc:
        raise InputError.keyed(
            "err.sa.xlsx_unreadable", file=path, kind=type(exc).__name__
        ) from None
    if unpacked > validate.MAX_USER_FILE_BYTES:
        raise InputError.keyed(
            "err.sa.xlsx_unpacks",
            file=path,
            size=unpacked / 2**20,
            limit=validate.MAX_USER_FILE_BYTES / 2**20,
        )
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except unreadable as exc:
        raise InputError.keyed(
            "err.sa.xlsx_unreadable", file=path, kind=type(exc).__name__
        ) from None
    try:
        if not wb.worksheets:
            raise InputError.keyed("err.sa.no_sheet", file=path)
        ws = _pick_sheet(wb, path)
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_XLSX_ROWS:
                raise InputError.keyed("err.sa.too_many_rows", file=path, most=MAX_XLSX_ROWS)
    except unreadable as exc:
        raise InputError.keyed(
            "err.sa.xlsx_unreadable", file=path, kind=type(exc).__name__
        ) from None
    finally:
        wb.close()
    if not rows or not any(_cell_text(v) for v in rows[0]):
        raise InputError.keyed("err.sa.first_row_empty", file=path, row=1)
    header = [_cell_text(v) or "" for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError.keyed("err.csv.column_twice", column=dup, file=path, row=1)
    records, lines = [], []
    for line, row in enumerate(rows[1:], start=2):
        cells = [_cell_text(v) for v in row[: len(header)]]
        cells += [None] * (len(header) - len(cells))
        if not any(cells):
            continue
        records.append(cells)
        lines.append(line)
    if not records:
        raise InputError.keyed("err.csv.no_rows", file=path)
    df = pd.DataFrame(records, columns=header, dtype=object)
    df["_line"] = lines
    return df


def _pick_sheet(wb: Any, path: Path) -> Any:
    """The sheet a user means: the visible template sheet, else the visible filled copy of it,
    else the active (or first visible) sheet; a hidden sheet is never scored silently."""
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    names = ", ".join(repr(ws.title) for ws in wb.worksheets)
    if not visible:
        raise InputError.keyed("err.sa.all_hidden", file=path, names=names)
    from living_lab.text import LANGS

    sheet = next(
        (sheet_names(lang)[0] for lang in LANGS if sheet_names(lang)[0] in wb.sheetnames), None
    )
    if sheet is not None:
        if wb[sheet].sheet_state == "visible":
            return wb[sheet]
        copies = [ws for ws in visible if _looks_like_template(ws)]
        if len(copies) == 1:
            return copies[0]
        raise InputError.keyed("err.sa.sheet_hidden", file=path, sheet=sheet, names=names)
    active = wb.active
    return active if active is not None and active.sheet_state == "visible" else visible[0]


def _looks_like_template(ws: Any) -> bool:
    for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
        lookup = _header_lookup()
        header = {lookup.get((_cell_text(v) or "").strip().casefold()) for v in row}
        return {"indicator", "level"} <= header
    return False


def _cell_text(v: Any) -> str | None:
    """A spreadsheet cell as the text a CSV would hold (3.0 -> "3")."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    text = str(v).strip()
    return text or None


@dataclass(frozen=True, eq=False)
class SelfAssessment:
    """A read self-assessment.

    Attributes
    ----------
    levels : indicator number -> level (float; NaN where no level was given).
    missing : indicators without a level.
    synthetic : the file is labelled as a generated example.
    path : the file read.
    lines : indicator number -> line of the file it was read from.
    framework : id of the framework the file was read (and is scored) with.
    """

    levels: pd.Series
    missing: tuple[int, ...]
    synthetic: bool
    path: Path
    lines: Mapping[int, int]
    framework: str = DEFAULT_FRAMEWORK

    def score(self, *, allow_partial: bool = False) -> ScoreResult:
        """Score it (see :func:`living_lab.scoring.score_levels`) under the framework it was read with."""
        fw_levels = self.levels
        if self.missing and not allow_partial:
            raise _missing_error(self.missing, file=self.path)
        return score_levels(
            fw_levels,
            framework=self.framework,
            allow_partial=allow_partial,
            synthetic=self.synthetic,
            source=self.path.name,
        )


def _missing_error(
    missing: tuple[int, ...], *, file: Path, row: int | None = None, field: str | None = None
) -> InputError:
    return InputError.keyed(
        "err.sa.missing_levels", file=file, row=row, field=field, numbers=_ranges(missing)
    )


def read_self_assessment(
    path: str | Path,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    allow_partial: bool = False,
) -> SelfAssessment:
    """Read and check a filled self-assessment (CSV or XLSX).

    Parameters
    ----------
    path : the file.
    allow_partial : accept indicators without a level (reported in ``missing``); without it,
        any missing indicator is an error.

    Raises
    ------
    InputError
        One line naming the file, line and field: unreadable file, missing ``indicator`` or
        ``level`` column, unknown or duplicate indicator, a level that is not a whole number
        1-5 (or a level name), or missing levels without ``allow_partial``.
    """
    fw = _framework(framework)
    path = Path(path)
    raw = read_table(path)
    for col in ("indicator", "level"):
        if col not in raw.columns:
            raise InputError.keyed(f"err.sa.missing_column.{col}", file=path, row=1, column=col)
    _check_framework_of_file(raw, fw, path)
    numbers = [i.number for i in fw.indicators]
    by_number = {i.number: i for i in fw.indicators}
    name_to_level = {
        cap: {
            name.casefold(): n
            for lang in ("en", "id")  # Indonesian names win if a name is in both
            for n, name in fw.levels_named(lang)[cap].items()
        }
        for cap in fw.level_names
    }
    levels = pd.Series(np.nan, index=pd.Index(numbers, name="indicator"), name="level")
    lines: dict[int, int] = {}
    for ind_text, level_text, line in zip(
        raw["indicator"], raw["level"], raw["_line"], strict=True
    ):
        line = int(line)
        if ind_text is None:
            if level_text is not None:
                raise InputError.keyed(
                    "err.sa.level_without_indicator",
                    level=level_text,
                    first=numbers[0],
                    last=numbers[-1],
                    file=path,
                    row=line,
                    field="indicator",
                )
            continue
        n = _whole_number(ind_text)
        if n is None or n not in by_number:
            raise InputError.keyed(
                "err.sa.unknown_indicator",
                value=ind_text,
                first=numbers[0],
                last=numbers[-1],
                file=path,
                row=line,
                field="indicator",
            )
        if n in lines:
            raise InputError.keyed(
                "err.sa.indicator_twice",
                n=n,
                first_line=lines[n],
                file=path,
                row=line,
                field="indicator",
            )
        lines[n] = line
        if level_text is None:
            continue
        level = _whole_number(level_text)
        if level is None:
            level = name_to_level[by_number[n].capability].get(level_text.strip().casefold())
        if level is None or not fw.scale_min <= level <= fw.scale_max:
            names = fw.level_names[by_number[n].capability]
            raise InputError.keyed(
                "err.sa.bad_level",
                n=n,
                level=level_text,
                low=fw.scale_min,
                high=fw.scale_max,
                example=names[3],
                file=path,
                row=line,
                field="level",
            )
        levels[n] = level
    missing = tuple(int(n) for n in levels.index[levels.isna()])
    if missing and not allow_partial:
        first = next((lines[n] for n in missing if n in lines), None)
        raise _missing_error(missing, file=path, row=first, field="level")
    if len(missing) == len(numbers):
        raise InputError.keyed("err.sa.no_levels", file=path, field="level")
    synthetic = SYNTHETIC_COLUMN in raw.columns and raw[SYNTHETIC_COLUMN].notna().any()
    return SelfAssessment(levels, missing, bool(synthetic), path, lines, fw.id)


def _check_framework_of_file(raw: pd.DataFrame, fw: Framework, path: Path) -> None:
    """Refuse, in one line, a file written for another framework than ``fw``.

    A file is taken to be of another framework when its indicator names (the template's
    ``indicator_name`` column) match that framework's and not ``fw``'s on most named rows, or,
    without names, when its indicator numbers are exactly that framework's and not all of them
    are indicators of ``fw``. Files that match neither are left to the row checks.
    """
    from living_lab.framework import available_frameworks

    numbers = [_whole_number(v) if v is not None else None for v in raw["indicator"]]
    names = raw["indicator_name"] if "indicator_name" in raw.columns else None

    def fit(other: Framework) -> float:
        """Share of the file's rows consistent with ``other``."""
        by_number = {i.number: i.name.casefold() for i in other.indicators}
        if names is not None:
            pairs = [(n, v) for n, v in zip(numbers, names, strict=True) if v is not None]
            if pairs:
                return sum(by_number.get(n) == str(v).strip().casefold() for n, v in pairs) / len(
                    pairs
                )
        given = {n for n in numbers if n is not None}
        if not given:
            return 0.0
        if given == set(by_number):
            return 1.0
        return 0.5 if given <= set(by_number) else 0.0

    own = fit(fw)
    if own >= 0.5:
        return
    for other_id in available_frameworks():
        if other_id == fw.id:
            continue
        other = load_framework(other_id)
        if fit(other) > 0.5:
            raise InputError.keyed(
                "err.sa.other_framework",
                other=other.name,
                other_n=len(other.indicators),
                own=fw.name,
                own_n=len(fw.indicators),
                other_id=other.id,
                file=path,
            )


def _whole_number(text: str) -> int | None:
    """``"3"``, ``"3.0"``, ``"3,0"`` -> 3; anything else (``"3.5"``, ``"tiga"``) -> None."""
    s = str(text).strip().replace(",", ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return int(v) if np.isfinite(v) and v == int(v) else None


def score_file(
    path: str | Path,
    *,
    framework: str | Framework = DEFAULT_FRAMEWORK,
    allow_partial: bool = False,
) -> ScoreResult:
    """Read a self-assessment and score it (one call for notebooks).

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "example.csv")
    ...     _ = write_synthetic_example(p, seed=1)
    ...     res = score_file(p)
    >>> res.synthetic
    True
    """
    sa = read_self_assessment(path, framework=framework, allow_partial=allow_partial)
    return sa.score(allow_partial=allow_partial)


# --------------------------------------------------------------------------------------------
# Costs and caps files (for plans)
# --------------------------------------------------------------------------------------------


def read_costs(
    path: str | Path, *, framework: str | Framework = DEFAULT_FRAMEWORK
) -> tuple[pd.DataFrame | None, dict[int, int]]:
    """Read a costs/caps file for :func:`living_lab.planner.plan_levels`.

    Columns: ``indicator``, and ``cost`` (per level step) or ``cost_to_2`` .. ``cost_to_5``
    (cost of reaching each level from the one below), and/or ``cap`` (highest level allowed).
    Returns ``(costs table or None, caps)``; numbers are checked with file, line and field.
    """
    fw = _framework(framework)
    path = Path(path)
    raw = read_table(path)
    if "indicator" not in raw.columns:
        raise InputError.keyed("err.costs.no_indicator", file=path, row=1)
    top = int(fw.scale_max)
    step_cols = [f"cost_to_{k}" for k in range(int(fw.scale_min) + 1, top + 1)]
    cost_cols = (
        step_cols
        if all(c in raw.columns for c in step_cols)
        else ["cost"]
        if "cost" in raw.columns
        else []
    )
    if not cost_cols and "cap" not in raw.columns:
        raise InputError.keyed("err.costs.no_cost", file=path, row=1, steps=str(step_cols))
    numbers = [i.number for i in fw.indicators]
    rows, caps, seen = [], {}, {}
    for _, r in raw.iterrows():
        line = int(r["_line"])
        n = _whole_number(r["indicator"]) if r["indicator"] is not None else None
        if n is None or n not in numbers:
            raise InputError.keyed(
                "err.costs.unknown_indicator",
                value=r["indicator"],
                first=numbers[0],
                last=numbers[-1],
                file=path,
                row=line,
                field="indicator",
            )
        if n in seen:
            raise InputError.keyed(
                "err.costs.indicator_twice",
                n=n,
                first_line=seen[n],
                file=path,
                row=line,
                field="indicator",
            )
        seen[n] = line
        if cost_cols:
            values = []
            for c in cost_cols:
                try:
                    v = float(str(r[c]).replace(",", ".")) if r[c] is not None else np.nan
                except ValueError:
                    v = np.nan
                if not np.isfinite(v) or v < 0:
                    raise InputError.keyed(
                        "err.costs.bad_cost", value=r[c], file=path, row=line, field=c
                    )
                values.append(v)
            rows.append({"indicator": n, **dict(zip(cost_cols, values, strict=True))})
        if "cap" in raw.columns and r["cap"] is not None:
            cap = _whole_number(r["cap"])
            if cap is None or not fw.scale_min <= cap <= fw.scale_max:
                raise InputError.keyed(
                    "err.costs.bad_cap",
                    value=r["cap"],
                    low=fw.scale_min,
                    high=fw.scale_max,
                    file=path,
                    row=line,
                    field="cap",
                )
            caps[n] = cap
    costs = pd.DataFrame(rows) if cost_cols else None
    if costs is not None:
        absent = [n for n in numbers if n not in seen]
        if absent:
            raise InputError.keyed("err.costs.missing", numbers=_ranges(absent), file=path)
    return costs, caps
