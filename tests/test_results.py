"""The results layer: a cohort's results as CSV tables plus ``meta.json``, never pickle.

Round trips must be exact (a real context and a table of every supported dtype); files in an
output folder are untrusted: a tampered, foreign or code-carrying folder is refused with the
reason by the library and rebuilt by ``living-lab reports``, and nothing in it ever runs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from living_lab import results
from living_lab.errors import ParameterError
from living_lab.results import context
from living_lab.results import store as resultstore
from living_lab.results.store import ResultsError

YEAR = 2024


def assert_same(a: object, b: object, where: str = "ctx") -> None:
    """Exact equality, recursing into dataclasses, mappings and sequences."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), where
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=where)
        assert a.index.names == b.index.names and a.attrs == b.attrs, where
        return
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, obj=where)
        return
    assert type(a) is type(b), (where, type(a), type(b))
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, (where, a, b)


@pytest.fixture(scope="module")
def ctx(west_java_context) -> context.CohortContext:
    assert west_java_context.year == YEAR
    return west_java_context


@pytest.fixture
def saved(ctx, tmp_path) -> Path:
    folder = context.results_folder(tmp_path, "jawa-barat", YEAR)
    context.save_context(ctx, folder)
    return folder


def test_real_context_round_trips_exactly(ctx, saved):
    back = context.load_context(saved, key=ctx.key)
    assert_same(ctx, back)
    # The tables a researcher opens: one CSV per table, a meta.json, no pickle.
    names = sorted(p.name for p in saved.iterdir())
    assert "meta.json" in names and "table.csv" in names and "frontier.csv" in names
    assert all(n == "meta.json" or n.endswith(".csv") for n in names)
    table = pd.read_csv(saved / "table.csv", dtype={"region_code": str}).set_index("region_code")
    # Sumedang's published 2024 index (KemenPANRB, 4.51, "Memuaskan"), readable without the library.
    assert table.loc["3211", "index"] == 4.51 and table.loc["3211", "predicate"] == "Memuaskan"
    meta = json.loads((saved / "meta.json").read_text(encoding="utf-8"))
    assert (
        meta["key"] == ctx.key and meta["library_version"] and meta["schema"] == str(context.SCHEMA)
    )


def test_researcher_api_loads_without_a_notebook(ctx, saved):
    back = results.load(saved)
    assert_same(ctx, back)
    assert results.load(saved).table.loc["3211", "rank"] == ctx.table.loc["3211", "rank"]


@dataclasses.dataclass(frozen=True)
class Inner:
    label: str
    frame: pd.DataFrame


@dataclasses.dataclass(frozen=True)
class Outer:
    """A result type nobody wrote serialisation code for: it must round-trip generically."""

    name: str
    n: int
    x: float
    flag: bool
    nothing: None
    codes: tuple[str, ...]
    names: dict[str, str]
    inner: dict[str, Inner]
    series: pd.Series
    frame: pd.DataFrame
    optional: pd.DataFrame | None = None


def every_dtype() -> pd.DataFrame:
    n = 5
    df = pd.DataFrame(
        {
            "f": [0.1, 1 / 3, float("nan"), float("inf"), -0.0],
            "tiny": [1e-300, 5e-324, 2.0**53 + 1, -1.5, 123456789.123456789],
            "i": np.arange(n, dtype="int64"),
            "i32": np.arange(n, dtype="int32"),
            "Int": pd.array([1, None, 3, None, -7], dtype="Int64"),
            "b": [True, False, True, True, False],
            "bn": pd.array([True, None, False, None, True], dtype="boolean"),
            "cat": pd.Categorical(
                ["b", "a", None, "b", "c"], categories=["c", "b", "a"], ordered=True
            ),
            "s": pd.Series(["a,b", None, "", 'q"uote', "multi\nline"], dtype="str"),
            "o": pd.Series(["x", None, float("nan"), "", "é"], dtype=object),
            "mixed": pd.Series([1, "1", None, 2.5, True], dtype=object),
            # as linkage positions of a whole-country cohort hold them
            "mixed_na": pd.Series(
                [1.5, pd.NA, "x", pd.NaT, pd.Timestamp("2024-03-01")], dtype=object
            ),
            "when": pd.to_datetime(
                ["2024-01-01", None, "2025-06-30 12:00", "2020-02-29", None], format="ISO8601"
            ),
        }
    )
    df.index = pd.MultiIndex.from_arrays(
        [
            pd.Series(["3211", "3273", "3201", "3204", "3205"], dtype="str"),
            [2024, 2024, 2023, 2022, 2021],
        ],
        names=["region_code", "year"],
    )
    df.columns.name = "col"
    df.attrs = {"frontier": "max", "group": "cohort:x", "n": 3}
    return df


def test_every_supported_dtype_round_trips_exactly(tmp_path):
    obj = Outer(
        name="t",
        n=2,
        x=0.1 + 0.2,
        flag=False,
        nothing=None,
        codes=("3211", "3273"),
        names={"3211": "Sumedang"},
        inner={"a": Inner("l", pd.DataFrame({"x": [1.0]}, index=pd.Index(["r"], name="k")))},
        series=pd.Series([1.5, np.nan], index=pd.Index(["a", "b"], name="key"), name="share"),
        frame=every_dtype(),
        optional=pd.DataFrame(columns=["region_code", "domain"]).astype({"domain": "int64"}),
    )
    resultstore.write(obj, tmp_path / "r", key="k1")
    back = resultstore.read(tmp_path / "r", Outer, key="k1")
    assert_same(obj, back, "obj")
    assert str(back.frame["tiny"].iloc[1]) == "5e-324"


def corrupt(folder: Path, file: str, data: bytes) -> None:
    path = folder / file
    path.chmod(0o644)
    path.write_bytes(data)


def payload(marker: Path) -> bytes:
    """A pickle that writes ``marker`` when loaded (what an attacker would plant)."""

    class Payload:
        def __reduce__(self):
            return (pathlib.Path.write_text, (marker, "code ran"))

    return pickle.dumps(Payload())


def test_the_payload_is_live(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(payload(marker))  # noqa: S301 - proving the planted payload would run
    assert marker.read_text() == "code ran"


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda f, m: corrupt(f, "meta.json", payload(m)), "not valid JSON"),
        (lambda f, m: corrupt(f, "table.csv", payload(m)), "table.csv: has"),
        (
            lambda f, m: corrupt(
                f, "table.csv", (f / "table.csv").read_bytes().replace(b"4.51", b"4.99")
            ),
            "table.csv: checksum differs from meta.json",
        ),
        (lambda f, m: (f / "plans.csv").unlink(), "plans.csv: is missing"),
        (
            lambda f, m: ((f / "spbe.csv").unlink(), (f / "spbe.csv").symlink_to(f / "table.csv")),
            "spbe.csv: cannot be opened",
        ),
        (lambda f, m: corrupt(f, "meta.json", b"[" * 100000), "not valid JSON"),
        (
            lambda f, m: corrupt(
                f,
                "meta.json",
                (f / "meta.json").read_bytes().replace(b'"CohortContext"', b'"Payload"', 1),
            ),
            "holds a 'Payload', expected CohortContext",
        ),
        (
            lambda f, m: corrupt(
                f, "meta.json", (f / "meta.json").read_bytes().replace(b'"LinkFit"', b'"Popen"', 1)
            ),
            "type 'Popen' is not part of this result",
        ),
        (
            lambda f, m: corrupt(
                f,
                "meta.json",
                (f / "meta.json")
                .read_bytes()
                .replace(b'"dtype": "float64"', b'"dtype": "int64[pyarrow]"', 1),
            ),
            "meta.json does not describe a valid CohortContext",
        ),
    ],
    ids=[
        "pickle-as-meta",
        "pickle-as-table",
        "edited-value",
        "missing",
        "symlink",
        "deep-json",
        "foreign-type",
        "unknown-nested-type",
        "foreign-dtype",
    ],
)
def test_damaged_results_are_refused_with_the_reason_and_nothing_runs(
    ctx, saved, tmp_path, damage, reason
):
    marker = tmp_path / "ran"
    damage(saved, marker)
    with pytest.raises(ResultsError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        context.load_context(saved)
    with pytest.raises(ParameterError, match="it rebuilds the results folder"):
        context.get_context("jawa-barat", YEAR, 3.5, 2025, str(saved))
    assert not marker.exists()


def test_outdated_or_foreign_inputs_are_refused(ctx, saved):
    with pytest.raises(ResultsError, match="computed from other inputs"):
        context.load_context(saved, key=ctx.key + "x")
    # A field this library version does not know (or lacks) means another version wrote it.
    meta = json.loads((saved / "meta.json").read_text(encoding="utf-8"))
    meta["value"]["fields"]["extra"] = {"t": "int", "v": 1}
    corrupt(saved, "meta.json", json.dumps(meta).encode())
    with pytest.raises(ResultsError, match=r"unknown \['extra'\]"):
        context.load_context(saved)


def test_no_pickle_in_the_library():
    """No module of the package reads pickle (or any code-executing format) from disk."""
    pkg = Path(context.__file__).parents[1]
    for path in pkg.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for bad in (
            "pickle.load",
            "Unpickler",
            "read_pickle",
            "allow_pickle=True",
            "marshal.load",
            "shelve.open",
            "joblib.load",
            "cloudpickle",
            "unsafe_load",
            "full_load",
            "yaml.Loader",
            "UnsafeLoader",
        ):
            assert bad not in text, f"{path.relative_to(pkg)} uses {bad}"


def _plant(out: Path, marker: Path) -> Path:
    """Executable payloads at every old and new cache path of a batch writing to ``out``."""
    key = context.context_key("jawa-barat", YEAR, 3.5, 2025)
    old = out / "_context" / f"{key}.pkl"
    old.parent.mkdir(parents=True)
    old.write_bytes(payload(marker))
    folder = context.results_folder(out, "jawa-barat", YEAR)
    folder.mkdir(parents=True)
    (folder / "meta.json").write_bytes(payload(marker))
    (folder / "table.csv").write_bytes(payload(marker))
    (folder / f"{key}.pkl").write_bytes(payload(marker))
    return folder


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.kernel
def test_reports_rerun_rebuilds_planted_results_without_running_them(tmp_path):
    out = tmp_path / "out"
    marker = tmp_path / "ran"
    folder = _plant(out, marker)
    cli = str(Path(sys.executable).with_name("living-lab"))
    base = [cli, "reports", "--regions", "3211", "--out", str(out), "--jobs", "1"]
    run = [*base, "--no-cohort-reports", "--no-progress"]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    ctx = context.load_context(folder, key=context.context_key("jawa-barat", YEAR, 3.5, 2025))
    assert ctx.table.loc["3211", "index"] == 4.51
    assert not (folder / f"{context.context_key('jawa-barat', YEAR, 3.5, 2025)}.pkl").exists()
    # A results file tampered with between runs: --force rebuilds the folder.
    corrupt(folder, "table.csv", payload(marker))
    before = os.stat(folder / "meta.json").st_ino
    proc = subprocess.run(
        [*run, "--force"], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert os.stat(folder / "meta.json").st_ino != before
    assert context.load_context(folder).table.loc["3211", "index"] == 4.51
    assert not marker.exists()


def test_cohort_statistics_are_computed_in_the_results_step(ctx):
    """The figures the cohort pages print come from the results, recomputed here from the CSV
    with the csv and statistics modules (an independent path from the library's pandas code)."""
    import csv
    import statistics

    from living_lab import paths

    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region_code"] in ctx.regions]
    now = [float(r["index"]) for r in rows if int(r["year"]) == YEAR]
    stats = ctx.cohort_stats.loc["index"]
    assert (stats["median"], stats["min"], stats["max"], stats["n"]) == (
        statistics.median(now),
        min(now),
        max(now),
        27,
    )
    assert (stats["max"], stats["min"]) == (4.59, 2.94)  # Kota Bandung, Majalengka (KemenPANRB)
    share = ctx.share_observed.set_index("year").loc[YEAR]
    assert share["n"] == len(now) and share["share"] == sum(v >= 3.5 for v in now) / len(now)


def test_packed_results_travel_to_a_worker_intact(ctx, saved, tmp_path):
    """The Dask executor sends the folder as one message (resultstore.pack) and each worker
    writes it back (unpack); the copy is checked on load like any results folder."""
    copy = resultstore.unpack(resultstore.pack(saved), tmp_path / "worker" / saved.name)
    assert_same(ctx, context.load_context(copy, key=ctx.key))
    with pytest.raises(ResultsError, match="bad file name"):
        resultstore.unpack(
            json.dumps({"meta.json": "{}", "../x.csv": ""}).encode(), tmp_path / "w2"
        )
    assert not (tmp_path / "x.csv").exists()


def test_results_are_not_written_through_a_symbolic_link(ctx, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "results").symlink_to(elsewhere)
    with pytest.raises(ResultsError, match="symbolic link"):
        context.save_context(ctx, context.results_folder(out, "jawa-barat", YEAR))
    assert list(elsewhere.iterdir()) == []


def test_worker_cache_replaces_a_planted_payload(ctx, saved, tmp_path, monkeypatch):
    """A Dask worker keeps the results in <tmp>/living-lab-context-<uid>/<name>; a pickle
    planted there (old file name or new folder name) is replaced, never loaded."""
    import tempfile

    from living_lab.report import executors

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    marker = tmp_path / "ran"
    cache = tmp_path / f"living-lab-context-{os.getuid()}"
    cache.mkdir()
    (cache / saved.name).write_bytes(payload(marker))
    (cache / f"{ctx.key}.pkl").write_bytes(payload(marker))
    local = executors._context_file(saved.name, resultstore.pack(saved))
    assert_same(ctx, context.load_context(Path(local), key=ctx.key))
    assert not marker.exists()


@pytest.mark.slow
def test_whole_country_context_round_trips_exactly(tmp_path):
    """Every kabupaten/kota: larger tables, and object columns mixing numbers with pd.NA."""
    ctx = context.build_context("all", YEAR, 3.5, 2025)
    folder = context.results_folder(tmp_path, "all", YEAR)
    context.save_context(ctx, folder)
    assert_same(ctx, context.load_context(folder, key=ctx.key))
