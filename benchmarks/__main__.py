"""Run the benchmarks: ``python -m benchmarks [--quick] [--only NAME ...]`` (``make bench``).

Every ``benchmarks/bench_<topic>.py`` defines ``run(quick: bool = False) -> dict`` that prints its
figures and returns them. They run in name order, with ``bench_runner`` last; the harness ends
with one JSON line of the runner benchmark (``{"regions": N, "naive_s": ..., "runner_s": ...,
"ratio": ...}``) so scripts can read the headline from the last line. A benchmark that fails is
reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).parent
LAST = "runner"
#: Keys of the runner benchmark's closing JSON line, in order.
HEADLINE = (
    "regions",
    "naive_s",
    "runner_s",
    "ratio",
    "all_regions",
    "all_s",
    "all_s_nomaps",
    "maps_slowdown",
    "all_mb",
    "all_mb_html",
    "jobs",
)


def available() -> list[str]:
    """Benchmark names (``bench_<name>.py``), ``runner`` last."""
    names = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    return [n for n in names if n != LAST] + ([LAST] if LAST in names else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help=f"run only these (of: {', '.join(available())})"
    )
    args = parser.parse_args(argv)
    names = available()
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            print(
                f"python -m benchmarks: error: unknown benchmark(s) {unknown}; expected {names}",
                file=sys.stderr,
            )
            return 2
        names = [n for n in names if n in args.only]

    results: dict[str, dict] = {}
    failed: list[str] = []
    for name in names:
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            results[name] = module.run(quick=args.quick)
        except Exception:
            failed.append(name)
            traceback.print_exc()
        print(f"== {name}: {time.perf_counter() - t0:.1f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    if LAST in results:
        runner = results[LAST]
        print(json.dumps({k: runner[k] for k in HEADLINE if k in runner}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
