"""Hostile data end to end (issue 7): names with HTML/JS, quotes and path pieces never inject or escape.

A cohort file whose title is a script tag and whose file name carries quotes and a Python statement
goes through the real runner and the real report notebooks. The reports must show the title as
text, parameters must reach the notebook as plain string literals, and nothing may be written
outside the output folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from living_lab.errors import LivingLabError
from living_lab.report import params as report_params

HOSTILE_TITLE = "<script>alert('x')</script> \"Kohort\" ../../etc & $x^2$"
# A file name that would be code if it were pasted into the notebook unquoted.
HOSTILE_STEM = "evil\"'); import os; os._exit(3); ('"


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    base = tmp_path_factory.mktemp("hostile")
    cohort = base / f"{HOSTILE_STEM}.yaml"
    cohort.write_text(
        f"title: {json.dumps(HOSTILE_TITLE)}\n"
        'description: "<img src=x onerror=alert(1)>"\n'
        "regions: [Sumedang, Kota Bandung]\n",
        encoding="utf-8",
    )
    out = base / "out"
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("living-lab")),
            "reports",
            "--cohort",
            str(cohort),
            "--out",
            str(out),
            "--jobs",
            "1",
            "--no-cohort-reports",
            "--no-progress",
            "--formats",
            "html,ipynb",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=base,
    )
    return base, out, proc


@pytest.mark.kernel
@pytest.mark.integration
def test_hostile_cohort_runs_and_stays_inside_the_output_folder(hostile_batch):
    base, out, proc = hostile_batch
    assert proc.returncode == 0, proc.stderr[-2000:]
    written = {p.relative_to(base) for p in base.rglob("*") if p.is_file()}
    outside = {p for p in written if p.parts[0] != "out" and not p.name.endswith(".yaml")}
    assert outside == set(), f"files written outside the output folder: {outside}"
    # File names come from validated region codes only.
    assert {p.name for p in (out / "regions").iterdir()} == {
        "3211.csv",
        "3211.html",
        "3211.ipynb",
        "3273.csv",
        "3273.html",
        "3273.ipynb",
    }


@pytest.mark.kernel
@pytest.mark.integration
def test_hostile_title_is_text_not_markup(hostile_batch):
    _, out, _ = hostile_batch
    pages = [out / "index.html", out / "regions" / "3211.html", out / "regions" / "3273.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", ""), page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in index  # shown, escaped


@pytest.mark.kernel
@pytest.mark.integration
def test_parameters_reach_the_notebook_as_literals(hostile_batch):
    _, out, _ = hostile_batch
    nb = nbformat.read(out / "regions" / "3211.ipynb", as_version=4)
    recorded = nb.metadata.papermill.parameters
    assert recorded["region"] == "3211"
    assert Path(recorded["cohort"]).name == f"{HOSTILE_STEM}.yaml"
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    # The statement in the file name stays inside a string literal: executing the injected cell
    # defines the parameters and nothing else.
    namespace: dict = {}
    exec(compile(injected.source, "<injected>", "exec"), {}, namespace)  # noqa: S102 - the point of the test
    assert namespace["cohort"] == recorded["cohort"]


@pytest.mark.parametrize(
    "value",
    [
        "3211'); import os; os._exit(1) #",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "3211\nimport os",
    ],
)
def test_hostile_region_values_are_refused_before_any_kernel(value):
    config = report_params.load_notebook_config()
    with pytest.raises(LivingLabError) as err:
        report_params.validate({"regions": value}, config=config)
    assert "\n" not in str(err.value).strip()


@pytest.mark.parametrize("key", ["lang", "cohort"])
def test_hostile_closed_parameters_are_refused(key):
    config = report_params.load_notebook_config()
    with pytest.raises(LivingLabError):
        report_params.validate({key: "id'); import os; os._exit(1) #"}, config=config)


# ---------------------------------------------------------------------------------------------
# One escaping helper per destination (living_lab.escape), used by every page kind and command

ESCAPE_TITLE = "Kohort \x1b[2J\x1b]0;judul palsu\x07<script>alert(1)</script> *x* $y$"


def _escape_cohort(tmp_path: Path) -> Path:
    path = tmp_path / "escape.yaml"
    # YAML's "\e" is ESC: the title clears the screen and retitles the terminal if printed raw.
    path.write_text(
        'title: "Kohort \\e[2J\\e]0;judul palsu\\a<script>alert(1)</script> *x* $y$"\n'
        "regions: [Sumedang, Kota Bandung, Kabupaten Bandung]\n",
        encoding="utf-8",
    )
    from living_lab.cohorts import load_cohort

    assert load_cohort(path).title == ESCAPE_TITLE
    return path


def test_escape_helpers():
    from living_lab import escape

    assert escape.terminal_text(ESCAPE_TITLE) == "Kohort <script>alert(1)</script> *x* $y$"
    assert escape.terminal_text("a\x9b31mb\u202ec\x00d\ne") == "abcd e"
    assert escape.terminal_block("a\x1b[31m\nb\x07") == "a\nb"
    assert escape.html_text(ESCAPE_TITLE).count("<") == 0
    md = escape.markdown_text("<b>*x*</b> [l](u) $m$ 'q'")
    assert md == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\[l\\]\\(u\\) \\$m\\$ &#x27;q&#x27;"


def test_linkage_study_title_is_escaped(tmp_path):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from living_lab.report.linkage_params import check_study_params
    from living_lab.report.linkage_sections import LinkageStudy

    params = check_study_params(cohort=str(_escape_cohort(tmp_path)), lang="id")
    header = LinkageStudy(params=params).header()
    page = "".join(markdown2html_mistune(h.data) for h in header)
    assert "<script" not in page and "\x1b" not in page
    subtitle = markdown2html_mistune(header[1].data)
    assert "kohort: Kohort &lt;script&gt;alert(1)&lt;/script&gt; *x* $y$</p>" in subtitle
    assert "<em>" not in subtitle


def test_peers_output_strips_terminal_escapes(tmp_path, capsys):
    from living_lab.cli import main

    cohort = _escape_cohort(tmp_path)
    assert main(["peers", "3211", "--group", f"cohort:{cohort}"]) == 0
    out = capsys.readouterr().out
    assert "Sumedang" in out and "\x1b" not in out and "\x07" not in out


def test_reports_banner_strips_terminal_escapes(tmp_path, monkeypatch, capsys):
    from living_lab.cli import main
    from living_lab.report import runner

    class Summary:
        failures = [("3211", "boom \x1b[2J")]
        exit_code = 1
        manifest = tmp_path / "out" / "manifest.json"
        write_error = None
        not_written = ok = 0

        @staticmethod
        def line(lang: str = "en") -> str:
            return "0 ok, 1 failed"

    def fake_batch(*args, on_start=None, **kwargs):
        if on_start is not None:
            on_start()
        return Summary()

    monkeypatch.setattr(runner, "run_batch", fake_batch)
    cohort = _escape_cohort(tmp_path)
    argv = ["reports", "--cohort", str(cohort), "--out", str(tmp_path / "out"), "--no-progress"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert "Kohort <script>alert(1)</script>" in captured.err
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err + captured.out
