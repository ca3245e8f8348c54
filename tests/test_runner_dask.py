"""``--executor dask``: the same batch on a Dask cluster (a LocalCluster of two processes).

Each worker keeps its own warm kernel; executed notebooks and HTML come back to the client,
which writes them, so the output folder looks exactly as with the local executor.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from _nbcompare import merge_streams
from conftest import require

from living_lab import paths
from living_lab.report.executors import DaskExecutor, LocalExecutor
from living_lab.report.params import load_notebook_config, validate
from living_lab.report.runner import host_options, run_batch

pytestmark = [pytest.mark.kernel, pytest.mark.server, pytest.mark.slow, pytest.mark.integration]

FIXTURES = paths.ROOT / "tests" / "fixtures" / "runner"
CONFIG = load_notebook_config(FIXTURES / "notebooks.yaml")


def outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Every cell's outputs, kernel PIDs in warning file names masked."""
    return [
        re.sub(r"ipykernel_\d+", "ipykernel_PID", json.dumps(merge_streams(c.get("outputs", []))))
        for c in nb.cells
    ]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require(
        importlib.util.find_spec("distributed") is not None,
        "dask.distributed not installed (pip install 'living_lab[dask]')",
    )
    import distributed

    patch = pytest.MonkeyPatch()
    patch.setenv("LIVING_LAB_TEST_MARKERS", str(tmp_path_factory.mktemp("markers")))
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    ) as cl:
        yield cl
    patch.undo()


def test_dask_batch_writes_the_same_reports_as_the_local_pool(cluster, tmp_path):
    options = host_options(CONFIG)
    dask_out, local_out = tmp_path / "dask", tmp_path / "local"
    params = validate(
        {
            "out": str(dask_out),
            "regions": "3211,3273,3204",
            "formats": "html,ipynb",
            "executor": "dask",
            "scheduler": cluster.scheduler_address,
        },
        config=CONFIG,
    )
    executor = DaskExecutor(cluster.scheduler_address, options)
    summary = run_batch(
        params, config=CONFIG, executor=executor, progress=False, echo=lambda s: None
    )
    executor.close()
    assert (summary.ok, summary.failed) == (3, 1)  # two regions, the cohort notebook; 3204 raises

    m = json.loads((dask_out / "manifest.json").read_text())
    assert m["batch"]["executor"] == "dask"
    assert m["regions"]["3204"]["error"] == "cell 3: ValueError: deliberate failure for region 3204"
    workers = {m["regions"][c]["worker"] for c in ("3211", "3273")}
    assert all(w.split(":")[-1].isdigit() for w in workers)  # host:pid of the Dask worker
    for code in ("3211", "3273"):
        nb = nbformat.read(dask_out / "regions" / f"{code}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["region"] == code
        assert "data:image/png;base64," in (dask_out / "regions" / f"{code}.html").read_text()

    # The same reports from the local pool: same outputs, cell by cell.
    local = LocalExecutor(1, options)
    local_params = validate(
        {"out": str(local_out), "regions": "3273,3211", "formats": "html,ipynb"}, config=CONFIG
    )
    run_batch(local_params, config=CONFIG, executor=local, progress=False, echo=lambda s: None)
    local.close()
    for code in ("3211", "3273"):
        a = nbformat.read(dask_out / "regions" / f"{code}.ipynb", as_version=4)
        b = nbformat.read(local_out / "regions" / f"{code}.ipynb", as_version=4)
        assert outputs(a) == outputs(b)


def test_dask_worker_kernels_are_warm_and_recover_from_a_dead_kernel(cluster, tmp_path):
    params = validate(
        {
            "out": str(tmp_path / "out"),
            "regions": "3206,3201,3202,3203",
            "executor": "dask",
            "scheduler": cluster.scheduler_address,
            "cohort_reports": "false",
        },
        config=CONFIG,
    )
    executor = DaskExecutor(cluster.scheduler_address, host_options(CONFIG))
    summary = run_batch(
        params, config=CONFIG, executor=executor, progress=False, echo=lambda s: None
    )
    executor.close()
    assert (summary.ok, summary.failed) == (3, 1)
    regions = json.loads((tmp_path / "out" / "manifest.json").read_text())["regions"]
    assert (
        regions["3206"]["error"]
        == "report process died in cell 3 (exit status 1) (after 2 attempts)"
    )
    # Warm: no healthy region paid for a kernel start (they ran on kernels started before).
    starts = [regions[c]["timings"].get("start_s", 0) for c in ("3201", "3202", "3203")]
    assert sum(s > 0.5 for s in starts) <= 2  # at most the first task on each of the two workers


def test_an_unreachable_scheduler_is_one_line(tmp_path):
    from living_lab.errors import ParameterError

    executor = DaskExecutor("tcp://127.0.0.1:9", host_options(CONFIG), timeout=2)
    with pytest.raises(ParameterError, match=r"^scheduler: cannot connect to tcp://127.0.0.1:9 "):
        executor.start()


# --------------------------------------------------------------------------------------------
# A real cluster: `dask scheduler` and `dask worker` as separate processes on loopback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    table = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout
    pairs = [tuple(map(int, line.split())) for line in table.splitlines()]
    return [child for child, parent in pairs if parent == pid]


@pytest.fixture
def real_cluster(tmp_path):
    require(
        importlib.util.find_spec("distributed") is not None,
        "dask.distributed not installed (pip install 'living_lab[dask]')",
    )
    import distributed

    dask = Path(sys.executable).parent / "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LIVING_LAB_TEST_MARKERS": str(tmp_path),
        "LIVING_LAB_TEST_SLEEP": "1.5",
    }
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                [
                    str(dask),
                    "worker",
                    address,
                    "--nthreads",
                    "1",
                    "--nworkers",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                **quiet,
            )
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with distributed.Client(address, timeout=5) as client:
                    if len(client.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the dask cluster did not start")
            time.sleep(1)
        yield address, procs
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_killed_dask_worker_loses_no_report(real_cluster, tmp_path):
    address, procs = real_cluster
    out = tmp_path / "out"
    regions = "3201,3202,3203,3208,3209,3210,3211,3212"
    params = validate(
        {
            "out": str(out),
            "regions": regions,
            "formats": "html,ipynb",
            "executor": "dask",
            "scheduler": address,
            "cohort_reports": False,
        },
        config=CONFIG,
    )
    killed: list[int] = []

    def kill_a_worker_mid_batch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                m = json.loads((out / "manifest.json").read_text())
            except (OSError, ValueError):
                continue
            if any(e.get("status") == "ok" for e in m.get("regions", {}).values()):
                # The worker process under the first nanny (the nanny restarts it).
                for pid in _children(procs[1].pid):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                return

    killer = threading.Thread(target=kill_a_worker_mid_batch)
    killer.start()
    summary = run_batch(params, config=CONFIG, progress=False, echo=lambda s: None)
    killer.join()
    assert killed, "no worker was killed"
    assert (summary.ok, summary.failed) == (8, 0), summary.failures
    m = json.loads((out / "manifest.json").read_text())
    assert m["batch"]["status"] == "finished"
    for code in regions.split(","):
        nb = nbformat.read(out / "regions" / f"{code}.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters["region"] == code
    assert not list(out.rglob(".*.tmp"))


@pytest.mark.parametrize("address", ["bogus://x:1", "tcp://127.0.0.1:9"])
def test_a_bad_scheduler_address_fails_fast_before_anything_is_written(tmp_path, address):
    from living_lab.errors import ParameterError

    out = tmp_path / "out"
    params = validate(
        {"out": str(out), "regions": "3211", "executor": "dask", "scheduler": address},
        config=CONFIG,
    )
    t0 = time.monotonic()
    with pytest.raises(ParameterError, match=r"^scheduler: "):
        run_batch(params, config=CONFIG, progress=False, echo=lambda s: None)
    assert time.monotonic() - t0 < 10
    assert not out.exists()
