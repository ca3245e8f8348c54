"""Every generated page and the command line speak one language, with no code identifiers.

A small batch (two regions, the cohort overview and the linkage study) is run once per language
with the project's real notebooks; the pages it writes (region reports, cohort overview, linkage
study, index) and the output of a few commands are scanned for words of the other language and
for code identifiers (curated lists in ``tests/fixtures/language_scan.yml``). The number format is
checked too: decimal comma and the true minus sign in Indonesian, decimal point in English.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _language_scan import (
    command_line_text,
    offences,
    without_file_names,
    without_proper_nouns,
)

from living_lab import cli
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.runner import run_batch
from living_lab.text import number, percent, probability, t

#: A decimal point in Indonesian text: after a leading 0, or before other than three digits
#: (three digits after a point group thousands: "9.999").
DECIMAL_POINT = re.compile(r"(?<![\d.])(?:0\.\d+|\d+\.(?:\d{1,2}|\d{4,}))(?![\d.])")


def visible_text(page: str, lang: str) -> str:
    """What a reader sees (and hears: alt text and the tab title) of an HTML page, without the
    terms marked as the other language (``<i lang="en">``: the glossary's equivalents)."""
    other = "en" if lang == "id" else "id"
    alts = " ".join(re.findall(r'\balt="([^"]*)"', page))
    title = " ".join(re.findall(r"<title>(.*?)</title>", page, flags=re.S))
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    body = re.sub(rf'<(\w+)[^>]*\blang="{other}"[^>]*>.*?</\1>', " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(" ".join([title, body, alts]))


def test_scan_finds_what_it_should():
    # The scanner itself: a planted word of the other language and a code name are caught.
    assert offences("Indeks naik, the index rose", "id")
    assert offences("The index rose dan turun", "en")
    assert offences("Perhitungan: living_lab.peers.frontier_gap", "id")
    assert not offences("Indeks SPBE Kabupaten Sumedang naik 0,37 poin.", "id")
    # The runner's words, where failures show.
    assert offences("gagal: 3204: cell 3: ValueError", "id", runner=True)
    assert offences("failed: 3204: sel 3 gagal: ValueError", "en", runner=True)
    assert not offences("failed: 3204: cell 3: ValueError", "en", runner=True)


def test_one_number_formatter():
    assert number(2.9369, "id", 4) == "2,9369" and number(2.9369, "en", 4) == "2.9369"
    assert number(-0.61, "id") == "\u22120,61" and number(-0.61, "en") == "\u22120.61"
    assert number(19994, "id", 0, group=True) == "19.994"
    assert percent(92, "id") == "92%" and percent(17.04, "id", 1) == "17,0%"
    assert probability(0.999996) == ">99%" and probability(0.004) == "<1%"
    # Numeric placeholders of a locale string follow the language too (the methods detail).
    # ({sigma:.2f} in the locale file; it printed "0.23" in Indonesian before.)
    assert "galat, 0,23 poin" in t("trends_methods_noise_data", "id", sigma=0.2261, df=1)
    assert "SD, 0.23 index" in t("trends_methods_noise_data", "en", sigma=0.2261, df=1)


@pytest.fixture(scope="module", params=["id", "en"])
def batch(request, tmp_path_factory) -> tuple[str, Path]:
    lang = request.param
    config = load_notebook_config()
    out = tmp_path_factory.mktemp(f"reports_{lang}")
    params = validate(
        {"out": str(out), "regions": "3211,Kota Bandung", "lang": lang, "jobs": "2"},
        config=config,
    )
    summary = run_batch(params, config=config, progress=False, echo=lambda s: None)
    assert summary.failed == 0, summary.failures
    return lang, out


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.integration
def test_every_page_kind_speaks_one_language_without_code_names(batch):
    lang, out = batch
    pages = {
        "region report": out / "regions" / "3211.html",
        "region report (city)": out / "regions" / "3273.html",
        "cohort overview": out / "cohort" / "cohort_overview.html",
        "linkage study": out / "cohort" / "linkage_study.html",
        "index": out / "index.html",
    }
    problems = []
    for kind, path in pages.items():
        assert path.is_file(), f"{kind}: {path} not written"
        text = visible_text(path.read_text(encoding="utf-8"), lang)
        problems += [f"{kind}: {o}" for o in offences(text, lang)]
        # Numbers: Indonesian pages use the decimal comma (a point only groups thousands:
        # "9.999"), and no page uses a hyphen as the minus sign of a number.
        if lang == "id":
            problems += [
                f"{kind}: decimal point {m}"
                for m in DECIMAL_POINT.findall(without_proper_nouns(text))
            ]
        problems += [
            f"{kind}: hyphen minus {m}" for m in re.findall(r"(?<![\w/–-])-\d+[.,]\d+", text)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_command_output_speaks_one_language(lang, capsys):
    runs = [
        ["--lang", lang, "regions", "Sumedang"],
        ["data", "check", "--lang", lang],
        ["plan", "--region", "3211", "--target", "next", "--lang", lang],
        ["peers", "3211", "--lang", lang],
        ["--lang", lang, "peers", "3211", "--year", "2024"],
        ["plan", "--domains", "3.70;3.40;3.00;3.20", "--target", "3.5", "--lang", lang],
        ["plan", "--region", "3211", "--target", "4.6", "--caps", "best-peer", "--lang", lang],
        ["plan", "--region", "3204", "--target", "3.5", "--lang", lang],
    ]
    problems = []
    for argv in runs:
        cli.main(argv)
        captured = capsys.readouterr()
        text = captured.out + captured.err
        assert text.strip(), argv
        problems += [f"{' '.join(argv)}: {o}" for o in offences(without_file_names(text), lang)]
        # `regions` prints codes ("32.11" is a Kemendagri code), no measured numbers.
        if lang == "id" and "regions" not in argv:
            problems += [f"{argv}: decimal point {m}" for m in DECIMAL_POINT.findall(text)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_audit_findings_speak_one_language(lang, capsys):
    """The audit's findings table: its headers, checks, severities and the numbers in its details
    (Kab. Banyuasin 2023 prints D4 = 0.30 in the KemenPANRB report, below the 1-5 scale)."""
    assert cli.main(["audit", "--year", "2023", "--lang", lang]) == 0
    out = capsys.readouterr().out
    table = out.split(t("audit_rows_heading", lang))[1]  # type: ignore[arg-type]
    header = table.strip().splitlines()[0].split()
    assert (
        header
        == {
            "id": ["tahun", "kode", "nama", "pemeriksaan", "kategori", "keterangan"],
            "en": ["year", "code", "name", "check", "severity", "detail"],
        }[lang]
    )
    banyuasin = next(line for line in table.splitlines() if "Banyuasin" in line)
    assert {"id": "peringatan", "en": "warning"}[lang] in banyuasin.split()
    assert {"id": "D4 = 0,30", "en": "D4 = 0.30"}[lang] in banyuasin, banyuasin
    problems = offences(without_file_names(table), lang, command_line=True)
    if lang == "id":
        problems += [f"decimal point {m}" for m in DECIMAL_POINT.findall(table)]
    assert not problems, "\n".join(problems)


#: The progress and closing lines of `living-lab reports` for 2 processes, 29 reports made, one
#: unchanged, 105.08 s: the words a civil servant reads, and the language's decimal separator.
REPORTS_LINES = {
    "id": (
        "2 proses paralel di komputer ini",
        "29 berhasil, 1 tidak berubah, 0 gagal",
        "105,1 detik",
    ),
    "en": (
        "2 parallel process(es) on this computer",
        "29 succeeded, 1 unchanged, 0 failed",
        "105.1 seconds",
    ),
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_progress_lines_speak_one_language(lang, tmp_path, monkeypatch, capsys):
    """The command's own lines around a batch (the batch itself is replaced by its summary)."""
    from living_lab.report import runner

    def batch(params, *, config, progress, on_start):
        on_start()
        out = Path(params.out)
        return runner.BatchSummary(
            out, out / "manifest.json", out / "index.html", ok=29, skipped=1, duration_s=105.08
        )

    monkeypatch.setattr(runner, "run_batch", batch)
    argv = ["--lang", lang, "reports", "--regions", "3211,3273", "--jobs", "2"]
    assert cli.main([*argv, "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    captured = capsys.readouterr()
    announce, summary = captured.err.strip(), captured.out.strip()
    assert "\n" not in announce and "\n" not in summary, (announce, summary)
    for part in REPORTS_LINES[lang]:
        assert part in announce + " " + summary, (part, announce, summary)
    scanned = command_line_text(without_file_names(announce + "\n" + summary))
    assert not offences(scanned, lang, identifiers=False, command_line=True), (announce, summary)
    if lang == "id":
        assert not DECIMAL_POINT.findall(summary), summary
        assert "kernel" not in announce + summary


class _Executor:
    """Stands in for the kernels: every task succeeds at once with a small page, or (``fatal``)
    no kernel can start at all, as the pool says it."""

    def __init__(self, fatal: bool = False) -> None:
        self.fatal = fatal

    def start(self) -> None: ...

    def set_context(self, path) -> None: ...

    def run(self, tasks, on_result, *, should_stop) -> None:
        from living_lab.report.pool import PoolError, TaskResult

        if self.fatal:
            raise PoolError(
                "could not start the fork server: RuntimeError: fork server stopped (exit status 1)"
            )
        for task in tasks:
            on_result(
                TaskResult(id=task.id, status="ok", attempts=1, duration_s=0.1, html="<p>ok</p>")
            )

    def interrupt(self) -> None: ...

    def close(self) -> None: ...


@pytest.fixture
def plain_notebooks(tmp_path):
    """A notebook set with a region notebook that needs no cohort results (so no context is
    built) and a cohort notebook that is not there."""
    import nbformat

    folder = tmp_path / "set"
    folder.mkdir()
    cell = nbformat.v4.new_code_cell(
        'region = "3211"\nlang = "id"', metadata={"tags": ["parameters"]}
    )
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": kernel})
    nbformat.write(nb, folder / "plain.ipynb")
    (folder / "notebooks.yaml").write_text(
        "notebook_dir: .\nregion_notebook: plain.ipynb\ncohort_notebooks: [gone.ipynb]\n"
    )
    return folder / "notebooks.yaml"


def _scan_cli(text: str, lang: str) -> list[str]:
    found = offences(command_line_text(without_file_names(text)), lang, command_line=True)
    if lang == "id":
        found += [f"decimal point {m}" for m in DECIMAL_POINT.findall(text)]
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_batch_messages_speak_one_language(lang, plain_notebooks, tmp_path, monkeypatch, capsys):
    """The runner's own lines in the reports' language: the progress bar (its rate in the
    language's number format and words, no "1.23it/s"), a missing notebook, an index page that
    cannot be written, and a batch whose kernels cannot start."""
    import errno

    from living_lab.report import executors, index_page

    monkeypatch.setattr(executors, "make_executor", lambda *a, **k: _Executor())
    config = load_notebook_config(plain_notebooks)
    messages: list[str] = []
    params = validate(
        {"out": str(tmp_path / "out"), "regions": "3211,3273,3204", "lang": lang}, config=config
    )
    summary = run_batch(params, config=config, progress=True, echo=messages.append)
    bar = capsys.readouterr().err
    assert (summary.ok, summary.failed) == (3, 1), summary
    words = {"id": ("laporan: 100%", "berhasil 3 gagal 1 sisa 0", "laporan/detik"),
             "en": ("reports: 100%", "ok 3 failed 1 left 0", "reports/s")}[lang]  # fmt: skip
    for part in words:
        assert part in bar, (part, bar)
    assert not re.search(r"it/s|nb/s|s/it|s/nb", bar), bar
    # The rate's number: "12,3 laporan/detik" in Indonesian, "12.3 reports/s" in English.
    rate = re.search(r"(\d+)([.,])\d (?:laporan/detik|reports/s)", bar)
    assert rate and rate.group(2) == {"id": ",", "en": "."}[lang], bar
    # The missing notebook's error, as the manifest and the index page carry it.
    failed = json.loads((tmp_path / "out" / "manifest.json").read_text())["cohort_reports"]
    failed = failed["gone"]["error"]
    assert {"id": "notebook tidak ditemukan", "en": "notebook not found"}[lang] in failed
    problems = _scan_cli(bar.replace("\r", "\n") + "\n" + failed, lang)

    # The index page cannot be written (disk full): said once, in the language, the batch done.
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(index_page, "write_index", full)
    messages.clear()
    params = validate(
        {"out": str(tmp_path / "out"), "regions": "3211", "lang": lang, "force": "true"},
        config=config,
    )
    summary = run_batch(params, config=config, progress=False, echo=messages.append)
    assert summary.index_error and summary.exit_code == 1
    line = one_line_of(messages, "index.html")
    expected = {"id": "tidak dapat ditulis", "en": "not written"}[lang]
    assert expected in line and {"id": "disk penuh", "en": "disk full"}[lang] in line, line
    problems += _scan_cli(line, lang)

    # No kernel can start: the command says so in one line of its language and exits 1.
    monkeypatch.setattr(executors, "make_executor", lambda *a, **k: _Executor(fatal=True))
    argv = ["--lang", lang, "reports", "--regions", "3211", "--notebooks", str(plain_notebooks)]
    assert cli.main([*argv, "--out", str(tmp_path / "out2"), "--no-progress"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    frame = {"id": "living-lab reports: galat: ", "en": "living-lab reports: error: "}[lang]
    assert err[-1].startswith(frame), err
    message = err[-1].removeprefix(frame)
    start = {"id": "tidak ada laporan yang dapat dijalankan", "en": "no report could run"}[lang]
    assert message.startswith(start) and "fork server stopped (exit status 1)" in message, message
    # The quoted machine error is the pool's and stays as Python gives it.
    problems += _scan_cli(message.split(" (RuntimeError")[0], lang)
    assert not problems, "\n".join(problems)


#: Every failure the runner records (living_lab.report.failures), with values such as it meets.
FAILURES = [
    ("cell", {"cell": 3, "ename": "ValueError", "evalue": "QUOTED"}),
    ("timeout", {"seconds": 4.2, "cell": 3, "limit": 2.5, "attempts": 2}),
    ("timeout", {"seconds": 600.4, "limit": 600}),
    ("died", {"cell": 3, "exit_status": 1, "attempts": 2}),
    ("died", {"cell": 2, "signal": "SIGKILL"}),
    ("died", {"signal": "SIGSEGV"}),
    ("died_starting", {"exit_status": 127}),
    ("not_started", {"detail": "QUOTED"}),
    ("unexpected", {"cell": 4, "detail": "QUOTED"}),
    ("host", {"detail": "QUOTED", "attempts": 2}),
    ("render", {"detail": "QUOTED"}),
    ("fork_server", {"detail": "QUOTED"}),
    ("worker_died", {}),
    ("worker_died", {"exit_status": 1}),
    ("worker_silent", {"seconds": 1230}),
    ("dask", {"detail": "QUOTED", "attempts": 2}),
]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_failure_sentence_speaks_one_language(lang):
    """Each failure the runner records, in each language: no word of the other language around
    the quoted words (the notebook's or the machine's, here QUOTED), and numbers in the language's
    format."""
    from living_lab.report.failures import KINDS, Failure

    assert {kind for kind, _ in FAILURES} == KINDS  # every kind is checked
    problems = []
    for kind, fields in FAILURES:
        text = Failure(kind, fields).text(lang)
        assert ("QUOTED" in text) == ("QUOTED" in fields.values()), text
        problems += [f"{kind}: {o}" for o in offences(text, lang, runner=True)]
        problems += [f"{kind}: {o}" for o in _scan_cli(text, lang)]
    assert not problems, "\n".join(problems)
    expected = {
        "id": "waktu habis setelah 4 detik di sel 3 (batas 2,5 detik); proses dihentikan"
        " (setelah 2 kali percobaan)",
        "en": "timed out after 4 s in cell 3 (limit 2.5 s); process killed (after 2 attempts)",
    }[lang]
    assert Failure(*FAILURES[1]).text(lang) == expected


@pytest.mark.kernel
@pytest.mark.parametrize("lang", ["id", "en"])
def test_failed_reports_speak_one_language(lang, tmp_path, monkeypatch):
    """A batch with a failing, a hung and a dying region (the runner's fixture notebooks): the
    index page and the command line say each failure in the batch's language around the
    notebook's own words; the manifest keeps the English text and the structured failure."""
    runner = Path(__file__).parent / "fixtures" / "runner"
    monkeypatch.setenv("LIVING_LAB_TEST_MARKERS", str(tmp_path))
    config = load_notebook_config(runner / "notebooks.yaml")
    out = tmp_path / "out"
    params = validate(
        {
            "out": str(out),
            "regions": "3204,3205,3206,3211",
            "lang": lang,
            "timeout": "3",
            "jobs": "2",
            "cohort_reports": "false",
        },
        config=config,
    )
    messages: list[str] = []
    summary = run_batch(params, config=config, progress=False, echo=messages.append)
    assert (summary.ok, summary.failed) == (1, 3), summary.failures
    quoted = "ValueError: deliberate failure for region 3204"  # the notebook's own words
    expected = {
        "id": [
            rf"sel 3 gagal: {quoted}",
            r"waktu habis setelah \d+ detik di sel 3 \(batas 3 detik\); proses dihentikan"
            r" \(setelah 2 kali percobaan\)",
            r"proses laporan berhenti tiba-tiba di sel 3 \(kode keluar 1\)"
            r" \(setelah 2 kali percobaan\)",
        ],
        "en": [
            rf"cell 3: {quoted}",
            r"timed out after \d+ s in cell 3 \(limit 3 s\); process killed"
            r" \(after 2 attempts\)",
            r"report process died in cell 3 \(exit status 1\) \(after 2 attempts\)",
        ],
    }[lang]
    page = visible_text((out / "index.html").read_text(encoding="utf-8"), lang)
    cli_lines = [one_line_of(messages, code) for code in ("3204", "3205", "3206")]
    for pattern, line in zip(expected, cli_lines, strict=True):
        assert re.search(pattern, page), (pattern, page)
        assert re.search(pattern, line), (pattern, line)
    problems = offences(page.replace(quoted, " "), lang, runner=True)
    for line in cli_lines:
        problems += _scan_cli(line.replace(quoted, " "), lang)
        problems += offences(command_line_text(line.replace(quoted, " ")), lang, runner=True)
    assert not problems, "\n".join(problems)
    # The manifest: English text for logs, and the failure as data, whatever the language.
    regions = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["regions"]
    assert regions["3206"]["error"] == (
        "report process died in cell 3 (exit status 1) (after 2 attempts)"
    )
    assert [regions[c]["error_key"] for c in ("3204", "3205", "3206")] == [
        "failure.cell",
        "failure.timeout",
        "failure.died",
    ]


def one_line_of(lines: list[str], needle: str) -> str:
    """The one line among ``lines`` (or inside them) that mentions ``needle``."""
    found = [ln for text in lines for ln in text.splitlines() if needle in ln]
    assert len(found) == 1, (needle, lines)
    return found[0]


# ---------------------------------------------------------------------------------------------
# The command line's help, argparse's words and the self-assessment template
# ---------------------------------------------------------------------------------------------

#: argparse's own words in each language, and those of the other that must not appear.
ARGPARSE_WORDS = {
    "id": (("penggunaan:", "opsi:", "tampilkan bantuan ini"), ("usage:", "options:", "show this")),
    "en": (("usage:", "options:", "show this help message"), ("penggunaan:", "opsi:", "bantuan")),
}


def help_pages(capsys, lang: str) -> dict[str, str]:
    """``living-lab --help`` and every subcommand's ``--help`` in ``lang``."""
    pages = {}
    for argv in [[], *([c] for c in cli.COMMANDS)]:
        with pytest.raises(SystemExit) as exc:
            cli.main([*argv, "--help", "--lang", lang])
        assert exc.value.code == 0
        pages[" ".join(["living-lab", *argv])] = capsys.readouterr().out
    return pages


def help_offences(pages: dict[str, str], lang: str) -> list[str]:
    found = []
    for name, text in pages.items():
        words, others = ARGPARSE_WORDS[lang]
        found += [f"{name}: no {w!r}" for w in words if w not in text]
        found += [f"{name}: {w!r}" for w in others if w in text]
        scanned = command_line_text(text)
        found += [
            f"{name}: {o}" for o in offences(scanned, lang, identifiers=False, command_line=True)
        ]
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_help_of_every_command_speaks_one_language(lang, capsys):
    pages = help_pages(capsys, lang)
    assert len(pages) == 1 + len(cli.COMMANDS)
    assert not help_offences(pages, lang), "\n".join(help_offences(pages, lang))


def test_help_scan_fails_on_a_planted_english_word(capsys, monkeypatch):
    # The help test above would fail if an Indonesian help text held an English word: plant
    # one in the catalogue (the one source of the help) and scan again.
    from living_lab.text import strings

    planted = strings("id")["cli.peers.group_help"] + " for the standing"
    monkeypatch.setitem(strings("id"), "cli.peers.group_help", planted)
    problems = help_offences(help_pages(capsys, "id"), "id")
    assert any("living-lab peers: 'the'" in p for p in problems), problems
    assert all(p.startswith("living-lab peers:") for p in problems), problems


def test_language_is_chosen_before_parsing(monkeypatch, capsys):
    # --lang anywhere on the command line, else LIVING_LAB_LANG, else Indonesian; the usage
    # error of argparse itself follows it and stays one line with exit 2.
    monkeypatch.delenv(cli.LANG_ENV, raising=False)
    assert cli.choose_lang(["peers", "3211", "--lang=en"]) == "en"
    assert cli.choose_lang(["--lang", "en", "peers"]) == "en"
    assert cli.choose_lang(["peers", "3211"]) == "id"
    monkeypatch.setenv(cli.LANG_ENV, "en")
    assert cli.choose_lang(["peers"]) == "en" and cli.choose_lang(["--lang", "id"]) == "id"
    for lang, words in (("en", "invalid int value: 'x'"), ("id", "bukan bilangan bulat")):
        monkeypatch.setenv(cli.LANG_ENV, lang)
        with pytest.raises(SystemExit) as exc:
            cli.main(["audit", "--year", "x"])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and err.count("\n") == 1 and words in err
    monkeypatch.setenv(cli.LANG_ENV, "fr")
    assert cli.main(["regions", "3211"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("living-lab: galat: LIVING_LAB_LANG=fr") and err.count("\n") == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_template_headers_and_sheets_speak_one_language(lang, tmp_path, capsys):
    import io

    from openpyxl import load_workbook

    from living_lab import selfassessment

    buf = io.StringIO()
    selfassessment.write_template(buf, lang=lang)
    header = buf.getvalue().splitlines()[0]
    words = header.replace("_", " ").replace(",", " ")
    assert not offences(words, lang, identifiers=False, command_line=True), header
    path = tmp_path / "t.xlsx"
    selfassessment.write_template(path, lang=lang)
    wb = load_workbook(path)
    sheet_text = " ".join(wb.sheetnames).replace("_", " ")
    assert not offences(sheet_text, lang, identifiers=False, command_line=True), wb.sheetnames
    (dv,) = wb.worksheets[0].data_validations.dataValidation
    assert not offences(f"{dv.errorTitle} {dv.error}", lang, command_line=True), dv.error
    # Read back with either language's headers: the same levels and index.
    filled = tmp_path / f"filled_{lang}.csv"
    df = pd.read_csv(io.StringIO(buf.getvalue()), dtype=str)
    df[selfassessment.headers(lang)["level"]] = "3"
    df.to_csv(filled, index=False)
    assert selfassessment.score_file(filled).index == pytest.approx(3.0)
    # The score of that file as the command prints it: numbers in the language's format (the
    # weight of domain 3, Manajemen SPBE, is 16.5% in PermenPANRB 59/2020).
    cli.main(["score", str(filled), "--lang", lang])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert re.search(rf"Manajemen SPBE\s+{re.escape(number(16.5, lang, 1))}\s", out), out
    if lang == "id":
        # (In English the domain and aspect names stay the regulation's Indonesian names.)
        problems = offences(without_file_names(out), lang, command_line=True)
        problems += [f"decimal point {m}" for m in DECIMAL_POINT.findall(out)]
        assert not problems, "\n".join(problems)
