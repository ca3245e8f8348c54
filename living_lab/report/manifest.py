"""``manifest.json`` of a report folder, and the atomic writes every output goes through.

The manifest records, per report, its status (``ok``, ``failed``, ``skipped``), duration,
parameters, input hash and error; the index page and the next run read it. It is rewritten
after every finished report, always through :func:`atomic_write_text` (a temporary file in the
same folder, flushed and fsynced, then ``os.replace``), so at every moment it is either the
previous complete version or the new complete version, even if the run is killed.

The input hash of a report covers everything its output depends on: the notebook file, the
parameters (except the path of the shared context, which is derived from them), the cohort's
member list, the data version and the library fingerprint (version plus a hash of the package's
code and text). A re-run skips a report whose hash is unchanged and whose files are complete:
regular files with the size and SHA-256 recorded in its entry (``files``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from living_lab.report.outdir import OutputFolder, atomic_write

SCHEMA = 1
NAME = "manifest.json"


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part
    (:func:`living_lab.report.outdir.atomic_write` in the folder of ``path``).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(p, b"hello"); p.read_bytes()
    b'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        atomic_write(dir_fd, path.name, data, fsync=fsync)
    finally:
        os.close(dir_fd)


def atomic_write_text(path: Path, text: str, *, fsync: bool = True) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def input_hash(
    *,
    notebook: bytes,
    parameters: Mapping[str, Any],
    cohort_regions: tuple[str, ...],
    data_version: str,
    library_version: str,
) -> str:
    """SHA-256 over everything a report's content depends on (see the module docstring)."""
    payload = {
        "notebook": hashlib.sha256(notebook).hexdigest(),
        "parameters": {k: v for k, v in sorted(parameters.items()) if k != "context_path"},
        "cohort_regions": list(cohort_regions),
        "data_version": data_version,
        "library_version": library_version,
    }
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def read_manifest(path: Path | None = None, *, data: bytes | None = None) -> dict[str, Any] | None:
    """The manifest at ``path`` (or in ``data``), or None if absent or not a manifest we wrote."""
    try:
        raw = data if data is not None else Path(path).read_bytes()  # type: ignore[arg-type]
        data_ = json.loads(raw.decode("utf-8"))
    except (OSError, TypeError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    data = data_
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    if not isinstance(data.get("regions"), dict) or not isinstance(
        data.get("cohort_reports", {}), dict
    ):
        return None
    return data


class Manifest:
    """The manifest of one report folder, saved atomically on every :meth:`save`.

    Entries of reports not in this batch (e.g. regions of an earlier, larger run into the same
    folder) are kept, so the index keeps linking them.
    """

    def __init__(self, folder: Path | OutputFolder, header: Mapping[str, Any]) -> None:
        if isinstance(folder, OutputFolder):
            self.out: OutputFolder | None = folder
            self.path = folder.path / NAME
            previous = read_manifest(data=folder.read_bytes(NAME) or b"") or {}
        else:
            self.out = None
            self.path = Path(folder) / NAME
            previous = read_manifest(self.path) or {}
        #: The previous batch in this folder (its run id names its temporary files).
        self.previous_batch: dict[str, Any] = (
            previous["batch"] if isinstance(previous.get("batch"), dict) else {}
        )
        self.previous_regions: dict[str, dict[str, Any]] = dict(previous.get("regions", {}))
        self.previous_cohort: dict[str, dict[str, Any]] = dict(previous.get("cohort_reports", {}))
        self.data: dict[str, Any] = {
            "schema": SCHEMA,
            "created": previous.get("created", now_iso()),
            "updated": now_iso(),
            **header,
            "regions": dict(self.previous_regions),
            "cohort_reports": dict(self.previous_cohort),
        }

    @property
    def regions(self) -> dict[str, dict[str, Any]]:
        return self.data["regions"]

    @property
    def cohort_reports(self) -> dict[str, dict[str, Any]]:
        return self.data["cohort_reports"]

    def save(self) -> None:
        self.data["updated"] = now_iso()
        text = json.dumps(self.data, indent=1, ensure_ascii=False, default=str) + "\n"
        if self.out is not None:
            self.out.write_text(NAME, text)
        else:
            atomic_write_text(self.path, text)
