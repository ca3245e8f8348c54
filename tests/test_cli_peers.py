"""``living-lab peers``: output for Sumedang, JSON form, languages and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from living_lab import datasets
from living_lab.cli import main

SUMEDANG = "3211"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["peers", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_output_for_sumedang(capsys):
    code, out, err = _run(capsys, SUMEDANG, "--draws", "300")
    assert code == 0 and err == ""
    assert "Kabupaten Sumedang (3211)" in out and "n = 27" in out
    # The published 2024 index (KemenPANRB) and its change since 2023 (4.14 -> 4.51).
    # Indonesian output (the default): decimal comma.
    assert "4,51" in out and "+0,37" in out
    for heading in [
        "Posisi di antara pembanding",
        "Rentang peringkat",
        "Celah ke patokan kelompok",
        "Mitra studi banding",
        "Catatan",
    ]:
        assert heading in out
    assert "Monte Carlo: 300 tarikan" in out
    # Sumedang is level with its province's benchmark everywhere: no focus, so no partners.
    assert "Tidak ada domain yang menonjol" in out
    code, out, _ = _run(capsys, SUMEDANG, "--draws", "100", "--domain", "4")
    assert code == 0 and "Jumlah penduduk tidak dipakai" in out  # 2025 count is low confidence


def test_json_output_is_consistent(capsys):
    code, out, _ = _run(
        capsys,
        "Kab. Sumedang",
        "--format",
        "json",
        "--draws",
        "200",
        "--domain",
        "4",
        "--lang",
        "en",
    )
    assert code == 0
    doc = json.loads(out)
    st = doc["standing"]
    assert st["region_code"] == SUMEDANG and st["n"] == 27 and st["year"] == 2024
    index = next(m for m in st["measures"] if m["measure"] == "index")
    assert index["value"] == pytest.approx(4.51) and index["predicate"] == "Memuaskan"
    assert index["rank_p05"] <= index["median_rank"] <= index["rank_p95"]
    assert [d["domain"] for d in doc["frontier"]["domains"]][0] in {1, 2, 3, 4}
    partners = doc["partners"]
    assert partners["domain"] == 4 and partners["domain_reason"] == "requested"
    spbe = datasets.load_spbe()
    d4 = spbe[spbe["year"] == 2024].set_index("region_code")["d4"]
    for p in partners["partners"]:
        assert d4[p["region_code"]] > d4[SUMEDANG] + partners["min_lead"] - 1e-9
        assert "kind" in p["shared_context"] and p["distance"] is not None
    assert doc["focus_domains"] == []  # nothing stands out for Sumedang in Jawa Barat


def test_english_and_other_group(capsys):
    code, out, _ = _run(
        capsys,
        SUMEDANG,
        "--lang",
        "en",
        "--group",
        "grdp_tertile",
        "--year",
        "2023",
        "--draws",
        "200",
    )
    assert code == 0
    assert "SPBE 2023" in out and "same GRDP-per-capita class" in out
    assert "Standing among peers" in out and "since 2022" in out


def test_low_confidence_adds_population_and_says_so(capsys):
    code, out, _ = _run(
        capsys, SUMEDANG, "--min-confidence", "low", "--lang", "en", "--draws", "100",
        "--domain", "4",
    )  # fmt: skip
    assert code == 0 and "population 2025" in out
    assert "The population figures of 2025 are low confidence" in out


def test_none_found_is_explicit(capsys):
    code, out, _ = _run(
        capsys, SUMEDANG, "--domain", "1", "--partner-group", "province", "--draws", "100"
    )
    assert code == 0 and "Tidak ditemukan" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["Atlantis"], "unknown region"),
        ([SUMEDANG, "--group", "neighbours"], "unknown peer group"),
        ([SUMEDANG, "--year", "2019"], "year"),
        (["3101"], "no SPBE result"),
        ([SUMEDANG, "--draws", "0"], "--draws"),
        ([SUMEDANG, "--partners", "0"], "--partners"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    code, out, err = _run(capsys, *argv, "--lang", "en")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in err


@pytest.mark.parametrize(
    "argv", [[SUMEDANG, "--domain", "7"], [SUMEDANG, "--year", "x"], [SUMEDANG, "--format", "xml"]]
)
def test_argparse_rejections_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["peers", *argv, "--lang", "en"])
    assert exc.value.code == 2
    assert "invalid" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["peers", *argv])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "galat: argumen" in err and err.count("\n") == 1


def test_help_documents_the_sections(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["peers", "--help", "--lang", "en"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for word in [
        "standing",
        "lever",
        "partners",
        "--domain",
        "--group",
        "--year",
        "--format",
        "OECD/JRC",
        "exits with status 2",
    ]:
        assert word in out
    with pytest.raises(SystemExit):
        main(["peers", "--help"])
    out = capsys.readouterr().out
    for word in ["posisi", "daya ungkit", "mitra", "--domain", "OECD/JRC", "status 2"]:
        assert word in out


@pytest.mark.slow  # two interpreter start-ups; the in-process tests above cover the output
@pytest.mark.integration
def test_command_runs_from_the_shell():
    proc = subprocess.run(
        [sys.executable, "-m", "living_lab.cli", "peers", SUMEDANG, "--draws", "100"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Kabupaten Sumedang" in proc.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "living_lab.cli", "peers", "Atlantis"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
