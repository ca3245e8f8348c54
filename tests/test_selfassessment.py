"""Self-assessment files: template, round trips in CSV and XLSX, validation, synthetic example."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from living_lab.errors import InputError
from living_lab.framework import load_framework
from living_lab.scoring import score_levels
from living_lab.selfassessment import (
    SYNTHETIC_COLUMN,
    TEMPLATE_COLUMNS,
    headers,
    read_costs,
    read_self_assessment,
    score_file,
    synthetic_example,
    synthetic_levels,
    template_frame,
    write_synthetic_example,
    write_table,
    write_template,
)

FW = load_framework()
NUMBERS = [i.number for i in FW.indicators]


def filled(levels: dict[int, object] | None = None) -> pd.DataFrame:
    df = template_frame()
    rng = np.random.default_rng(3)
    values = levels or dict(zip(NUMBERS, rng.integers(1, 6, 47).tolist(), strict=True))
    df["level"] = df["indicator"].map(values).astype(object)
    return df


def write_csv(tmp_path, df: pd.DataFrame, name: str = "sa.csv", **kw) -> str:
    path = tmp_path / name
    df.to_csv(path, index=False, **kw)
    return path


# ---------------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------------


def test_template_lists_every_indicator_with_an_empty_level():
    assert set(template_frame()["capability"]) == {"proses", "layanan"}
    df = template_frame(lang="en")
    assert list(df.columns) == list(TEMPLATE_COLUMNS)
    assert df["indicator"].tolist() == NUMBERS
    assert df["level"].isna().all()
    table = FW.indicator_table()
    assert (df["indicator_name"] == table["indicator_name"]).all()
    assert (df["aspect"] == table["aspect"]).all() and (df["domain"] == table["domain"]).all()
    proc = df.loc[df["capability"] == "process", "level_guide"].iloc[0]
    serv = df.loc[df["capability"] == "service", "level_guide"].iloc[0]
    assert "3 Terdefinisi" in proc and "3 Transaksi" in serv


def test_template_to_a_stream_is_csv():
    buf = io.StringIO()
    write_template(buf)
    back = pd.read_csv(io.StringIO(buf.getvalue()))
    assert len(back) == 47 and list(back.columns) == [headers("id")[c] for c in TEMPLATE_COLUMNS]
    assert list(back.columns)[:2] == ["indikator", "nama_indikator"] and "tingkat" in back
    buf = io.StringIO()
    write_template(buf, lang="en")
    back = pd.read_csv(io.StringIO(buf.getvalue()))
    assert list(back.columns) == list(TEMPLATE_COLUMNS)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip(tmp_path, suffix):
    df = filled()
    path = tmp_path / f"sa{suffix}"
    write_table(df, path)
    sa = read_self_assessment(path)
    assert sa.levels.astype(int).tolist() == df["level"].astype(int).tolist()
    assert sa.missing == () and not sa.synthetic
    assert sa.lines[1] == 2 and sa.lines[47] == 48
    expected = score_levels(dict(zip(NUMBERS, df["level"], strict=True)))
    assert score_file(path).index == pytest.approx(expected.index)


def test_xlsx_template_restricts_the_level_column(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path)
    wb = load_workbook(path)
    ws = wb["penilaian_mandiri"]
    header = [c.value for c in ws[1]]
    col = ws.cell(row=1, column=header.index("tingkat") + 1).column_letter
    (dv,) = ws.data_validations.dataValidation
    assert dv.type == "whole" and (dv.formula1, dv.formula2) == ("1", "5")
    assert str(dv.sqref) == f"{col}2:{col}48"
    assert "keterangan" in wb.sheetnames


def test_semicolon_csv_with_bom_and_decimal_comma_is_read(tmp_path):
    df = filled()
    df["level"] = df["level"].map(lambda v: f"{v},0")
    path = write_csv(tmp_path, df, sep=";", encoding="utf-8-sig")
    assert read_self_assessment(path).levels.tolist() == [float(v[0]) for v in df["level"]]


def test_level_names_are_accepted_for_the_right_capability(tmp_path):
    df = filled(dict.fromkeys(NUMBERS, 2))
    df.loc[df["indicator"] == 11, "level"] = "Terdefinisi"  # process
    df.loc[df["indicator"] == 33, "level"] = "transaksi"  # service, any case
    sa = read_self_assessment(write_csv(tmp_path, df))
    assert sa.levels[11] == 3 and sa.levels[33] == 3
    df.loc[df["indicator"] == 33, "level"] = "Terdefinisi"  # a process name on a service
    with pytest.raises(InputError, match="line 34, field 'level': indicator 33"):
        read_self_assessment(write_csv(tmp_path, df, "b.csv"))


# ---------------------------------------------------------------------------------------------
# Validation: one line naming file, line and field
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "indicator, value, message",
    [
        (5, 7, r"sa\.csv, line 6, field 'level': indicator 5: level '7' is not valid; expected a whole number 1-5"),
        (5, 0, r"line 6, field 'level': indicator 5: level '0'"),
        (12, 3.5, r"line 13, field 'level': indicator 12: level '3.5'"),
        (40, "tiga", r"line 41, field 'level': indicator 40: level 'tiga'"),
    ],
)  # fmt: skip
def test_bad_levels_name_the_line_and_indicator(tmp_path, indicator, value, message):
    df = filled()
    df.loc[df["indicator"] == indicator, "level"] = value
    with pytest.raises(InputError, match=message):
        read_self_assessment(write_csv(tmp_path, df))


def test_duplicate_unknown_and_missing_indicators(tmp_path):
    df = filled()
    dup = pd.concat([df, df.iloc[[3]]], ignore_index=True)
    with pytest.raises(
        InputError,
        match=r"line 49, field 'indicator': indicator 4 appears twice \(first on line 5\)",
    ):
        read_self_assessment(write_csv(tmp_path, dup, "dup.csv"))
    unknown = df.copy()
    unknown.loc[10, "indicator"] = 48
    with pytest.raises(
        InputError,
        match=r"line 12, field 'indicator': unknown indicator '48'; expected a number 1-47",
    ):
        read_self_assessment(write_csv(tmp_path, unknown, "unknown.csv"))
    missing = df.drop(index=[20, 21, 22])
    with pytest.raises(InputError, match=r"no level for indicator\(s\) 21-23; .*--allow-partial"):
        read_self_assessment(write_csv(tmp_path, missing, "missing.csv"))


def test_empty_levels_need_allow_partial(tmp_path):
    df = filled(dict.fromkeys(NUMBERS, 3))
    df.loc[df["indicator"].isin([8, 42]), "level"] = None
    path = write_csv(tmp_path, df)
    with pytest.raises(
        InputError, match=r"line 9, field 'level': no level for indicator\(s\) 8, 42"
    ):
        read_self_assessment(path)
    res = score_file(path, allow_partial=True)
    assert res.missing == (8, 42)
    assert res.index == pytest.approx(
        score_levels({**dict.fromkeys(NUMBERS, 3), 8: 1, 42: 1}).index
    )
    assert res.index_upper == pytest.approx(
        score_levels({**dict.fromkeys(NUMBERS, 3), 8: 5, 42: 5}).index
    )
    empty = template_frame()
    with pytest.raises(InputError, match="no indicator has a level"):
        read_self_assessment(write_csv(tmp_path, empty, "empty.csv"), allow_partial=True)


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "a.csv", "file is empty"),
        (b"indicator,lvl\n1,3\n", "a.csv", "line 1: missing column 'level'"),
        (b"indicator,level\n1,3\n\xff\xfe,3\n", "a.csv", "not UTF-8"),
        (b"PK\x03\x04garbage", "a.csv", "is a spreadsheet"),
        (b"not a zip file", "a.xlsx", "not a readable XLSX file"),
        (b"whatever", "a.xls", "old .xls format"),
    ],
)
def test_unreadable_files_are_one_clear_line(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read_self_assessment(path)
    assert "\n" not in str(err.value) and name in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_self_assessment(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="file not found"):
        read_self_assessment(tmp_path / "nope.xlsx")


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path):
    df = filled()
    df.loc[df["indicator"] == 30, "level"] = 9
    path = tmp_path / "sa.xlsx"
    write_table(df, path)
    with pytest.raises(
        InputError, match=r"sa\.xlsx, line 31, field 'level': indicator 30: level '9'"
    ):
        read_self_assessment(path)


# ---------------------------------------------------------------------------------------------
# Synthetic example
# ---------------------------------------------------------------------------------------------


def test_synthetic_example_is_labelled_everywhere(tmp_path):
    df = synthetic_example(seed=5)
    assert df[SYNTHETIC_COLUMN].str.contains("SINTETIS").all()
    assert df["level"].between(1, 5).all()
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"ex{suffix}"
        write_synthetic_example(path, seed=5)
        res = score_file(path)
        assert res.synthetic and res.to_dict()["synthetic"] is True
        assert res.levels.tolist() == df["level"].tolist()
    wb = load_workbook(tmp_path / "ex.xlsx")
    assert "SINTETIS" in wb["keterangan"]["A1"].value


def test_synthetic_levels_are_seeded():
    assert synthetic_levels(1).equals(synthetic_levels(1))
    assert not synthetic_levels(1).equals(synthetic_levels(2))


def test_synthetic_levels_centre_on_the_national_domain_means():
    # Known truth of the generator: before clipping to 1-5, the mean level of a domain is the
    # national 2024 domain score (D1 3.36, D2 2.62, D4 3.78; D3 1.86 sits near the floor, so
    # clipping lifts it and it is left out). 300 seeds x ~10 indicators.
    draws = pd.DataFrame({s: synthetic_levels(s) for s in range(300)})
    by_domain = draws.groupby(FW.indicator_table().set_index("indicator")["domain"]).mean()
    means = by_domain.mean(axis=1)
    assert means[1] == pytest.approx(3.36, abs=0.1)
    assert means[2] == pytest.approx(2.62, abs=0.1)
    assert means[4] == pytest.approx(3.78, abs=0.12)


# ---------------------------------------------------------------------------------------------
# Costs files
# ---------------------------------------------------------------------------------------------


def test_costs_file_per_step_and_caps(tmp_path):
    path = tmp_path / "costs.csv"
    pd.DataFrame({"indicator": NUMBERS, "cost": range(1, 48), "cap": [4] * 47}).to_csv(
        path, index=False
    )
    costs, caps = read_costs(path)
    assert costs["cost"].tolist() == list(range(1, 48)) and caps == dict.fromkeys(NUMBERS, 4)


def test_costs_file_errors(tmp_path):
    path = tmp_path / "costs.csv"
    pd.DataFrame({"indicator": NUMBERS[:-1], "cost": [1] * 46}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"no cost for indicator\(s\) 47"):
        read_costs(path)
    pd.DataFrame({"indicator": NUMBERS, "cost": [1] * 46 + ["x"]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"line 48, field 'cost': 'x' is not a cost"):
        read_costs(path)
    pd.DataFrame({"indicator": NUMBERS, "price": [1] * 47}).to_csv(path, index=False)
    with pytest.raises(InputError, match="expected a column 'cost'"):
        read_costs(path)


# ---------------------------------------------------------------------------------------------
# Which sheet of a workbook is read (issue 15: a hidden sheet was scored silently)


def _workbook(path, sheets, active: int) -> None:
    """Write ``sheets`` = [(title, levels or None for a note sheet, state)]."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, level, state in sheets:
        ws = wb.create_sheet(title)
        if level is None:
            ws.append(["catatan"])
        else:
            ws.append(["indicator", "level"])
            for n in NUMBERS:
                ws.append([n, level])
        ws.sheet_state = state
    wb.active = active
    wb.save(path)


def test_hidden_template_sheet_is_not_scored_when_a_visible_copy_is_filled(tmp_path):
    path = tmp_path / "sa.xlsx"
    sheets = [("penilaian_mandiri", 3, "hidden"), ("keterangan", None, "visible")]
    _workbook(path, [*sheets, ("Salinan", 5, "visible")], active=2)
    # Every indicator at 5 gives the top of the scale; the hidden sheet (all 3) would give 3.00.
    assert score_file(path).index == pytest.approx(5.0)


def test_hidden_first_sheet_is_skipped_for_the_active_visible_one(tmp_path):
    path = tmp_path / "sa.xlsx"
    _workbook(path, [("Lama", 2, "hidden"), ("Baru", 4, "visible")], active=1)
    assert score_file(path).index == pytest.approx(4.0)


def test_hidden_template_with_two_filled_copies_is_refused_naming_the_sheets(tmp_path):
    path = tmp_path / "sa.xlsx"
    sheets = [("penilaian_mandiri", 3, "hidden"), ("A", 4, "visible"), ("B", 5, "visible")]
    _workbook(path, sheets, active=1)
    with pytest.raises(InputError, match=r"sheet 'penilaian_mandiri' is hidden .*'A', 'B'"):
        read_self_assessment(path)
