"""Speed of the cohort context build (what a batch computes once before its reports).

``run()`` builds, each in a fresh Python process (so no cache of an earlier build helps), the
context of the West Java cohort and (full run) of ``all`` for 2024 with target 3.5 by 2025, the
same call the runner makes, and reports the seconds of the build alone (imports excluded) and
of its largest part, the improvement plans of every evaluated region
(:func:`living_lab.improvement.plan_tables`).

Run: ``python -m benchmarks --only context`` (``--quick``: West Java only).
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = """
import json, sys, time
from living_lab.improvement import tables
from living_lab.results.context import build_context
spent = []
inner = tables.plan_tables
def timed(*a, **k):
    t0 = time.perf_counter()
    try:
        return inner(*a, **k)
    finally:
        spent.append(time.perf_counter() - t0)
tables.plan_tables = timed
import living_lab.improvement as improvement
improvement.plan_tables = timed
t0 = time.perf_counter()
ctx = build_context(sys.argv[1], 2024, 3.5, 2025)
total = time.perf_counter() - t0
print(json.dumps({"build_s": total, "plans_s": sum(spent) if spent else None}))
"""


def _build(cohort: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, cohort], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> dict:
    """Time the context builds; print and return the figures (seconds)."""
    figures: dict[str, float | None] = {}
    for cohort in ["jawa-barat"] if quick else ["jawa-barat", "all"]:
        r = _build(cohort)
        key = cohort.replace("-", "_")
        figures[f"{key}_build_s"] = round(r["build_s"], 2)
        # None when the build no longer calls plan_tables through the module attribute.
        figures[f"{key}_plans_s"] = None if r["plans_s"] is None else round(r["plans_s"], 2)
    for k, v in figures.items():
        print(f"context  {k:24s} {v}")
    return figures


if __name__ == "__main__":
    run()
