"""Speed of ``living-lab reports`` against a plain papermill loop, measured in one run.

On the West Java cohort (27 kab/kota; quick: its first 4):

* **naive**: per region, one after the other, the same two files the runner writes: the
  ``papermill`` command line (``papermill notebooks/region_report.ipynb <code>.ipynb -r region
  <code>``: a fresh kernel, fresh imports and the cohort context computed inside the notebook)
  and then ``jupyter nbconvert --to html --no-input <code>.ipynb`` for the page a reviewer reads.
* **runner**: ``living-lab reports --regions <the same> --no-cohort-reports --force
  --formats html,ipynb`` with the default number of parallel processes (a warm fork server each,
  one forked process per report), the context computed once, the notebook and HTML (the naive
  side's two files), manifest and index written. Both are timed from the command line (process
  start included).
* **all**: ``living-lab reports --cohort all --force`` (every kab/kota with a result and the
  cohort-level reports, the default ``--formats html``); skipped in quick mode. ``all_mb`` is the
  size of its output folder; ``all_mb_html`` the same without any report notebook (equal to
  ``all_mb`` since notebooks are opt-in).
* **all without maps**: the same batch with ``--no-maps`` right after it, in the same run, so
  that ``maps_slowdown = all_s / all_s_nomaps`` compares like with like (issue 17: under 1.10).

Targets (issues 12, 14, 17): ``ratio = naive_s / runner_s >= 12``, ``all_s < 130``,
``all_mb < 150`` and ``maps_slowdown < 1.10`` on this 2-core machine. The last JSON line carries
``regions``, ``naive_s``, ``runner_s``, ``ratio``, ``all_regions``, ``all_s``, ``all_s_nomaps``,
``maps_slowdown``, ``all_mb`` and ``jobs``. Run: ``python -m benchmarks --only runner`` (or
``make bench``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from living_lab import paths
from living_lab.cohorts import load_cohort
from living_lab.report.params import default_jobs

RATIO_TARGET = 12.0
ALL_TARGET_S = 130.0
ALL_TARGET_MB = 150.0
MAPS_SLOWDOWN_TARGET = 1.10
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    # As a user's shell would run papermill: ipykernel then picks the inline backend.
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    return env


def _naive(codes: list[str], out: Path) -> tuple[float, int]:
    """Seconds for the papermill + nbconvert loop, and how many regions failed."""
    notebook = paths.NOTEBOOKS / "region_report.ipynb"
    failed = 0
    t0 = time.perf_counter()
    for code in codes:
        proc = subprocess.run(
            [
                str(BIN / "papermill"),
                str(notebook),
                str(out / f"{code}.ipynb"),
                "-r",
                "region",
                code,
            ]
            + ["--no-progress-bar", "--log-level", "ERROR"],
            env=_env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            proc = subprocess.run(
                [
                    str(BIN / "jupyter"),
                    "nbconvert",
                    "--to",
                    "html",
                    "--no-input",
                    "--log-level",
                    "ERROR",
                    str(out / f"{code}.ipynb"),
                ],
                env=_env(),
                capture_output=True,
                text=True,
            )
        failed += proc.returncode != 0
    return time.perf_counter() - t0, failed


def _megabytes(folder: Path, *, skip_suffix: str | None = None) -> float:
    """Size of the files under ``folder`` in MB (10^6 bytes), optionally without some files."""
    total = sum(
        p.stat().st_size
        for p in folder.rglob("*")
        if p.is_file()
        and not (skip_suffix and p.suffix == skip_suffix and p.parent.name in ("regions", "cohort"))
    )
    return total / 1e6


def _runner(args: list[str], out: Path) -> tuple[float, dict]:
    """Seconds for one ``living-lab reports`` command, and its manifest."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "living-lab"), "reports", "--out", str(out), "--force", "--no-progress", *args],
        env=_env(),
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    manifest_path = out / "manifest.json"
    manifest = (
        json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    )
    if proc.returncode not in (0, 1) or manifest.get("batch", {}).get("status") != "finished":
        raise RuntimeError(f"living-lab reports failed ({proc.returncode}): {proc.stderr.strip()}")
    return elapsed, manifest


def _ok(manifest: dict) -> tuple[int, int]:
    statuses = [e["status"] for e in manifest["regions"].values()]
    return sum(s == "ok" for s in statuses), len(statuses)


def run(quick: bool = False) -> dict:
    """Time the naive loop, the runner and (unless quick) the whole country; print and return."""
    codes = list(load_cohort("jawa-barat").regions)
    if quick:
        codes = codes[:4]
    jobs = default_jobs()
    work = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    try:
        (work / "naive").mkdir()
        naive_s, naive_failed = _naive(codes, work / "naive")
        print(
            f"naive papermill + nbconvert CLI, {len(codes)} regions one by one: {naive_s:.1f} s "
            f"({naive_s / len(codes):.2f} s/region, {naive_failed} failed)",
            flush=True,
        )
        runner_s, m = _runner(
            ["--regions", ",".join(codes), "--no-cohort-reports", "--formats", "html,ipynb"],
            work / "runner",
        )
        ok, n = _ok(m)
        ratio = naive_s / runner_s
        print(
            f"living-lab reports, {jobs} processes: {runner_s:.1f} s ({runner_s / n:.2f} s/region, "
            f"{ok}/{n} ok, HTML included) -> {ratio:.1f}x faster (target >= {RATIO_TARGET:g}x)",
            flush=True,
        )
        result: dict = {
            "regions": len(codes),
            "naive_s": round(naive_s, 1),
            "runner_s": round(runner_s, 1),
            "ratio": round(ratio, 1),
            "jobs": jobs,
            "naive_failed": naive_failed,
            "runner_ok": ok,
        }
        if not quick:
            all_s, m_all = _runner(["--cohort", "all"], work / "all")
            ok_all, n_all = _ok(m_all)
            all_mb = _megabytes(work / "all")
            all_mb_html = _megabytes(work / "all", skip_suffix=".ipynb")
            cohort_ok = sum(e["status"] == "ok" for e in m_all["cohort_reports"].values())
            print(
                f"living-lab reports --cohort all: {n_all} regions ({ok_all} ok) + "
                f"{cohort_ok}/{len(m_all['cohort_reports'])} cohort reports in {all_s:.1f} s "
                f"(target < {ALL_TARGET_S:g} s); {all_mb:.0f} MB written (target < "
                f"{ALL_TARGET_MB:g} MB; {all_mb_html:.0f} MB with --formats html)",
                flush=True,
            )
            shutil.rmtree(work / "all", ignore_errors=True)
            nomaps_s, m_nomaps = _runner(["--cohort", "all", "--no-maps"], work / "all-nomaps")
            ok_nomaps, _ = _ok(m_nomaps)
            slowdown = all_s / nomaps_s
            print(
                f"living-lab reports --cohort all --no-maps: {nomaps_s:.1f} s ({ok_nomaps} ok); "
                f"the maps cost {100 * (slowdown - 1):+.1f}% (target < "
                f"{100 * (MAPS_SLOWDOWN_TARGET - 1):.0f}%)",
                flush=True,
            )
            result.update(
                all_regions=n_all,
                all_s=round(all_s, 1),
                all_s_nomaps=round(nomaps_s, 1),
                maps_slowdown=round(slowdown, 3),
                all_ok=ok_all,
                all_mb=round(all_mb, 1),
                all_mb_html=round(all_mb_html, 1),
            )
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv)))
