"""``manifest.json`` of a report folder, and the atomic writes every output goes through.

The manifest records, per report, its status (``ok``, ``failed``, ``skipped``), duration,
parameters, input hash and error; the index page and the next run read it. It is rewritten
after every finished report, always through :func:`atomic_write_text` (a temporary file in the
same folder, flushed and fsynced, then ``os.replace``), so at every moment it is either the
previous complete version or the new complete version, even if the run is killed.

The input hash of a report covers everything its output depends on: the notebook file, the
parameters (except the path of the shared context, which is derived from them), the cohort's
member list, the data version and the library fingerprint (version plus a hash of the package's
code and text). A re-run skips a report whose hash is unchanged and whose files are present.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from living_lab.errors import ParameterError

SCHEMA = 1
#: Names of temporary files (same pattern as ``context.save_context``), cleaned up at start.
TMP_GLOB = ".*.tmp"


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write_bytes(p, b"hello"); p.read_bytes()
    b'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str, *, fsync: bool = True) -> None:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), fsync=fsync)


def remove_stale_temp(folder: Path) -> int:
    """Delete temporary files an interrupted run left in ``folder`` and its report subfolders."""
    removed = 0
    for sub in (
        folder,
        folder / "regions",
        folder / "cohort",
        folder / "_context",
        folder / "_failed",
    ):
        if not sub.is_dir():
            continue
        for tmp in sub.glob(TMP_GLOB):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a report folder (two runs writing one folder would mix)."""
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / ".lock"
    fh = lock_path.open("a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParameterError(
                f"out: {folder} is being written by another `living-lab reports` run; "
                "wait for it or choose another --out"
            ) from None
        yield
    finally:
        fh.close()


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


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest at ``path``, or None if there is none or it is not a manifest we wrote."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
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

    def __init__(self, folder: Path, header: Mapping[str, Any]) -> None:
        self.path = Path(folder) / "manifest.json"
        previous = read_manifest(self.path) or {}
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
        text = json.dumps(self.data, indent=1, ensure_ascii=False, default=str)
        atomic_write_text(self.path, text + "\n")
