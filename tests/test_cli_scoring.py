"""End to end: ``living-lab template | score | plan | audit`` through ``living_lab.cli.main``,
and once through the installed console script."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from living_lab.cli import main
from living_lab.framework import load_framework
from living_lab.scoring import score_levels
from living_lab.selfassessment import template_frame

pytestmark = pytest.mark.integration
FW = load_framework()
NUMBERS = [i.number for i in FW.indicators]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def worked_example_levels() -> dict[int, int]:
    """Levels giving the Lampiran's worked example for domains 1-3: D1 3.70 (sum 37),
    D2 3.40 from aspects 3.00 / 4.00 / 3.00 (Tabel 10-11), D3 3.00; D4 all at 3."""
    lv = dict.fromkeys(NUMBERS, 3)
    lv.update(dict(zip(range(1, 11), [4] * 7 + [3] * 3, strict=True)))
    lv.update({11: 3, 12: 4, 13: 3, 14: 2, 15: 4, 16: 4, 17: 4, 18: 4, 19: 3, 20: 3})
    return lv


def write_levels(path: Path, levels: dict[int, object]) -> Path:
    df = template_frame()
    df["level"] = df["indicator"].map(levels).astype(object)
    df.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------------------------------------
# template
# ---------------------------------------------------------------------------------------------


def test_template_to_stdout(capsys):
    code, out, _ = run(capsys, "template")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert df["indikator"].tolist() == NUMBERS and df["tingkat"].isna().all()
    code, out, _ = run(capsys, "template", "--lang", "en")
    df = pd.read_csv(io.StringIO(out))
    assert df["indicator"].tolist() == NUMBERS and df["level"].isna().all()


@pytest.mark.parametrize("name", ["t.csv", "t.xlsx"])
def test_template_to_file_and_no_overwrite(capsys, tmp_path, name):
    path = tmp_path / name
    code, out, _ = run(capsys, "template", str(path))
    assert code == 0 and path.exists() and "47" in out
    if name.endswith(".xlsx"):
        assert path.read_bytes()[:2] == b"PK"
    code, _, err = run(capsys, "template", str(path))
    assert code == 2 and "sudah ada" in err and err.count("\n") == 1
    code, _, err = run(capsys, "template", str(path), "--lang", "en")
    assert code == 2 and "exists" in err and err.count("\n") == 1
    assert run(capsys, "template", str(path), "--force")[0] == 0


def test_template_example_is_synthetic(capsys, tmp_path):
    path = tmp_path / "ex.csv"
    code, out, _ = run(capsys, "template", "--example", str(path), "--lang", "en")
    assert code == 0 and "SYNTHETIC" in out
    code, out, _ = run(capsys, "score", str(path), "--lang", "en")
    assert code == 0 and out.startswith("SYNTHETIC DATA")


# ---------------------------------------------------------------------------------------------
# score
# ---------------------------------------------------------------------------------------------


def test_score_json_reproduces_the_worked_example(capsys, tmp_path):
    path = write_levels(tmp_path / "sa.csv", worked_example_levels())
    code, out, _ = run(capsys, "score", str(path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"index", "predicate", "domains", "aspects"} <= set(data)
    assert [d["score"] for d in data["domains"]][:3] == [3.70, 3.40, 3.00]  # Tabel 11-12
    assert [a["score"] for a in data["aspects"]][1:4] == [3.00, 4.00, 3.00]  # Tabel 10-11
    # D4 = 3.00 here (not the example's 3.20): 0.13*3.7 + 0.25*3.4 + 0.165*3 + 0.455*3
    assert data["index_unrounded"] == pytest.approx(0.481 + 0.85 + 0.495 + 1.365)
    assert data["index"] == 3.19 and data["predicate"] == "Baik"
    assert data["synthetic"] is False and data["missing_indicators"] == []


def test_score_table_and_csv(capsys, tmp_path):
    lv = worked_example_levels()
    path = write_levels(tmp_path / "sa.csv", lv)
    code, out, _ = run(capsys, "score", str(path), "--lang", "en")
    assert code == 0
    assert "SPBE index: 3.19  Baik" in out and "Kebijakan Internal SPBE" in out
    code, out, _ = run(capsys, "score", str(path), "--format", "csv")
    df = pd.read_csv(io.StringIO(out))
    assert list(df["level"].value_counts().sort_index().items()) == [
        ("aspect", 8),
        ("domain", 4),
        ("index", 1),
    ]
    assert df.loc[df["level"] == "index", "score_unrounded"].item() == pytest.approx(
        score_levels(lv).index
    )


def test_score_domains_worked_example(capsys):
    code, out, _ = run(capsys, "score", "--domains", "3.70,3.40,3.00,3.20")
    assert code == 0 and "3,28" in out and "Baik" in out  # Indonesian: decimal comma
    code, out, _ = run(capsys, "score", "--domains", "3,70;3,40;3,00;3,20", "--format", "json")
    data = json.loads(out)
    assert data["index"] == 3.28 and data["aspects"] is None


def test_score_partial_needs_the_flag(capsys, tmp_path):
    lv = {**dict.fromkeys(NUMBERS, 3), 21: None, 22: None}
    path = write_levels(tmp_path / "part.csv", lv)
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and "21-22" in err and "--allow-partial" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "score", str(path), "--allow-partial", "--lang", "en")
    assert code == 0 and "PARTIAL ASSESSMENT" in out and "21-22" in out
    data = json.loads(run(capsys, "score", str(path), "--allow-partial", "--format", "json")[1])
    assert data["missing_indicators"] == [21, 22] and "level 1" in data["missing_treatment"]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({7: 7}, "line 8, field 'level': indicator 7: level '7' is not valid"),
        ({7: 2.5}, "line 8, field 'level': indicator 7: level '2.5'"),
    ],
)
def test_score_bad_levels_exit_2_with_one_line(capsys, tmp_path, change, expected):
    path = write_levels(tmp_path / "bad.csv", {**dict.fromkeys(NUMBERS, 3), **change})
    code, out, err = run(capsys, "score", str(path), "--lang", "en")
    assert code == 2 and out == ""
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err
    code, out, err = run(capsys, "score", str(path))  # Indonesian, the default
    assert code == 2 and "baris 8, kolom 'tingkat': indikator 7: tingkat" in err


def test_score_duplicate_and_unknown_indicator(capsys, tmp_path):
    df = template_frame()
    df["level"] = 3
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[0]]]).to_csv(path, index=False)
    code, _, err = run(capsys, "score", str(path), "--lang", "en")
    assert code == 2 and "indicator 1 appears twice" in err
    df.loc[46, "indicator"] = 99
    df.to_csv(path, index=False)
    code, _, err = run(capsys, "score", str(path), "--lang", "en")
    assert code == 2 and "line 48, field 'indicator': unknown indicator '99'" in err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["score"], "give either FILE or --domains"),
        (["score", "--domains", "3.7,3.4,3.0"], "expected 4 domain scores"),
        (["score", "--domains", "3.7,3.4,3.0,6"], "D4 = 6 is outside 1-5"),
        (["score", "/no/such/file.csv"], "file not found"),
    ],
)
def test_score_usage_errors(capsys, argv, expected):
    code, _, err = run(capsys, *argv, "--lang", "en")
    assert code == 2 and expected in err and err.count("\n") == 1


# ---------------------------------------------------------------------------------------------
# plan
# ---------------------------------------------------------------------------------------------


def test_plan_file_to_target(capsys, tmp_path):
    lv = worked_example_levels()  # index 3.191
    path = write_levels(tmp_path / "sa.csv", lv)
    code, out, _ = run(capsys, "plan", str(path), "--target", "3.5", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["reached"] and data["new_index_unrounded"] >= 3.5
    new = dict(lv)
    for step in data["plan"]:
        assert new[step["indicator"]] == step["current"] < step["proposed"]
        new[step["indicator"]] = step["proposed"]
    assert score_levels(new).index >= 3.5  # re-scored independently of the planner
    assert data["steps"] == sum(s["steps"] for s in data["plan"])
    code, out, _ = run(capsys, "plan", str(path), "--target", "3.5", "--lang", "en")
    assert code == 0 and "Path to target 3.50" in out and "3.19 (Baik)" in out


def test_plan_with_costs_and_caps(capsys, tmp_path):
    path = write_levels(tmp_path / "sa.csv", dict.fromkeys(NUMBERS, 3))
    costs = tmp_path / "costs.csv"
    pd.DataFrame({"indicator": NUMBERS, "cost": [10 if n >= 32 else 1 for n in NUMBERS]}).to_csv(
        costs, index=False
    )
    code, out, _ = run(
        capsys, "plan", str(path), "--target", "3.03", "--costs", str(costs), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["method"] == "dp" and data["cost"] == 2
    code, out, _ = run(
        capsys, "plan", str(path), "--target", "3.1", "--caps", "11=3,12=3", "--format", "csv"
    )
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and not table["indicator"].isin([11, 12]).any()


def test_plan_already_reached_and_unreachable(capsys, tmp_path):
    path = write_levels(tmp_path / "sa.csv", dict.fromkeys(NUMBERS, 4))
    code, out, _ = run(capsys, "plan", str(path), "--target", "3.5", "--lang", "en")
    assert code == 0 and "already reached" in out
    caps = ",".join(f"{n}=4" for n in NUMBERS)
    code, out, _ = run(capsys, "plan", str(path), "--target", "4.5", "--caps", caps, "--lang", "en")
    assert code == 1 and "cannot be reached" in out


def test_plan_domains_and_region(capsys):
    code, out, _ = run(
        capsys, "plan", "--domains", "3.70,3.40,3.00,3.20", "--target", "3.5", "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["reached"] and data["new_index_unrounded"] >= 3.5
    code, out, _ = run(
        capsys, "plan", "--region", "Kab. Sumedang", "--target", "4.6", "--caps", "best-peer",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert code in (0, 1) and data["region_code"] == "3211" and data["caps_from"]["how"] == "best"
    caps = {int(d): c for d, c in data["caps"].items()}
    for r in data["rounds"]:  # a domain already above its cap stays where it is
        for d in r["domains"]:
            assert d["proposed"] <= max(caps[d["domain"]], d["current"]) + 1e-9
            assert d["proposed"] > d["current"]


@pytest.mark.parametrize("target", ["5.5", "0", "abc"])
def test_plan_target_outside_the_scale_exits_2(capsys, tmp_path, target):
    path = write_levels(tmp_path / "sa.csv", dict.fromkeys(NUMBERS, 3))
    code, _, err = run(capsys, "plan", str(path), "--target", target)
    assert code == 2 and "target" in err and err.count("\n") == 1


def test_plan_usage_errors(capsys, tmp_path):
    path = write_levels(tmp_path / "sa.csv", dict.fromkeys(NUMBERS, 3))
    en = ("--lang", "en")
    code, _, err = run(capsys, "plan", str(path), "--domains", "3,3,3,3", "--target", "3.5", *en)
    assert code == 2 and "exactly one of FILE" in err
    code, _, err = run(
        capsys, "plan", "--domains", "3,3,3,3", "--target", "3.5", "--caps", "best-peer", *en
    )
    assert code == 2 and "needs --region" in err
    code, _, err = run(capsys, "plan", str(path), "--target", "3.5", "--caps", "11:3", *en)
    assert code == 2 and "INDICATOR=LEVEL" in err
    # The same errors in Indonesian, the default.
    code, _, err = run(capsys, "plan", str(path), "--target", "3.5", "--caps", "11:3")
    assert code == 2 and "INDIKATOR=TINGKAT" in err and "galat:" in err


# ---------------------------------------------------------------------------------------------
# audit, help, console script
# ---------------------------------------------------------------------------------------------


def test_audit_command(capsys):
    code, out, _ = run(capsys, "audit", "--year", "2024", "--format", "json")
    data = json.loads(out)
    assert code == 0 and sum(s["error"] for s in data["summary"]) == 0
    pacitan = [f for f in data["findings"] if f["region_code"] == "3501"]
    assert pacitan and pacitan[0]["severity"] == "info"
    code, out, _ = run(capsys, "audit", "--lang", "en", "--table", "kabkota")
    assert code == 0 and "Kabupaten Pacitan" in out and "unrounded index 3.4985" in out


@pytest.mark.parametrize("lang, examples", [("id", "Contoh:"), ("en", "Examples:")])
@pytest.mark.parametrize("command", ["template", "score", "plan", "audit"])
def test_every_command_has_documented_help(capsys, command, lang, examples):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help", "--lang", lang])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and examples in out and f"living-lab {command}" in out


def test_console_script(tmp_path):
    exe = shutil.which("living-lab", path=str(Path(sys.executable).parent))
    assert exe, "the living-lab console script is not installed in this environment"
    proc = subprocess.run(
        [exe, "score", "--domains", "3.70,3.40,3.00,3.20", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["index"] == 3.28
