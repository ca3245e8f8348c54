"""JupyterLab starts headless and answers, and the explore notebook runs on the project's kernel.

The server is started on a free local port with a random token, queried on ``/api/status`` and
``/api/kernelspecs``, and shut down through ``/api/shutdown`` (terminated if it does not stop).
The notebook is executed with nbclient on the ``python3`` kernel, which must be this virtual
environment's interpreter (``living_lab`` importable), not some other Python on the machine.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from living_lab import datasets, paths

pytestmark = [pytest.mark.server, pytest.mark.kernel, pytest.mark.integration]

JUPYTER = Path(sys.executable).with_name("jupyter")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str, data: bytes | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=data, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        return resp.status, json.loads(body) if body else {}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }
    log = (tmp / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            "--allow-root",  # CI runs as root
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={paths.NOTEBOOKS}",
            # Offline: no update checks, news or extension catalogue.
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"jupyter lab exited with {proc.returncode}: {(tmp / 'lab.log').read_text()[-2000:]}"
                )
            try:
                status, body = _get(f"{base}/api/status", token)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"jupyter lab did not answer in 90 s: {(tmp / 'lab.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)
        yield base, token, body
    finally:
        try:
            _get(f"{base}/api/shutdown", token, data=b"")
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def test_lab_answers_and_offers_the_project_kernel(lab):
    base, token, status = lab
    assert "started" in status and "kernels" in status
    _, specs = _get(f"{base}/api/kernelspecs", token)
    assert "python3" in specs["kernelspecs"]
    python3 = specs["kernelspecs"]["python3"]["spec"]
    assert python3["language"] == "python" and "ipykernel_launcher" in python3["argv"]
    # The server serves the project's own notebooks folder: the stored explore notebook.
    _, contents = _get(f"{base}/api/contents", token)
    names = {item["name"] for item in contents["content"]}
    assert {"explore.ipynb", "region_report.ipynb", "cohort_overview.ipynb"} <= names
    _, explore = _get(f"{base}/api/contents/explore.ipynb?content=1", token)
    stored = nbformat.read(paths.NOTEBOOKS / "explore.ipynb", as_version=4)
    assert [c["source"] for c in explore["content"]["cells"]] == [c.source for c in stored.cells]


def test_explore_runs_on_the_project_kernel(lab):
    nb = nbformat.read(paths.NOTEBOOKS / "explore.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys\nprint(sys.executable)"))
    NotebookClient(
        nb,
        kernel_name="python3",
        timeout=300,
        resources={"metadata": {"path": str(paths.NOTEBOOKS)}},
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stdout = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert "Kabupaten Sumedang 3211" in stdout
    assert Path(stdout.strip().splitlines()[-1]).resolve() == Path(sys.executable).resolve()
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 3  # trajectory, relation, map of a panel column
    # The scoring cell shows |recomputed - published| over every published index: all of them
    # agree within 0.01 (the published index is rounded to two decimals).
    scoring = next(c for c in nb.cells if "score_domains(spbe)" in c.source)
    shown = scoring.outputs[-1]["data"]["text/plain"]
    spbe = datasets.load_spbe()
    scorable = spbe[["d1", "d2", "d3", "d4", "index"]].notna().all(axis=1).sum()
    stats = {
        words[0]: float(words[1])
        for words in (line.split() for line in shown.splitlines())
        if len(words) == 2 and words[0] in {"count", "max"}
    }
    assert stats["count"] == scorable > 0, shown
    assert stats["max"] <= 0.01 + 1e-9, shown
