"""The output folder of a batch (``--out``): the only way the runner writes, reads back or deletes.

Everything in an output folder that the running batch did not just write is untrusted (a shared
folder may be writable by others). So :class:`OutputFolder`

- opens ``--out`` once and reaches every file through directory descriptors opened with
  ``O_NOFOLLOW``: a symbolic link anywhere below ``--out`` (``regions/``, ``cohort/``,
  ``manifest.json``, ...) is refused, never followed, so nothing lands outside the folder;
- replaces only regular files: a folder, device, FIFO or link where a report file belongs is an
  error naming that path, not something to overwrite;
- writes atomically (a temporary file in the same folder, fsynced, then renamed) and names its
  temporary files after the batch (``.<name>.<run id>.tmp``); at start it deletes only the
  temporary files of the previous batch recorded in the manifest, never other files;
- locks the folder itself (``flock`` on the folder's descriptor), so deleting a lock file
  cannot let a second run into a folder that is being written;
- turns environment faults (disk full, read-only file system, permission denied, not a folder)
  into :class:`OutputFolderError`: one line naming the path, exit status 2.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> with OutputFolder(root) as out:
...     record = out.write_bytes("regions/3211.html", b"<p>ok")
...     out.is_complete("regions/3211.html", record)
True
>>> (root / "regions" / "3211.html").read_bytes()
b'<p>ok'
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import stat
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from living_lab.errors import LivingLabError
from living_lab.text import t

#: Subfolders the runner writes into (temporary files are cleaned only there).
SUBFOLDERS = ("regions", "cohort", "_failed", "_context")
#: Files at the top of the folder the runner writes.
TOP_FILES = ("manifest.json", "index.html")
#: Largest file the runner reads back from an output folder (the manifest), bytes.
READ_LIMIT = 256 * 1024 * 1024
_RUN_ID = re.compile(r"^[0-9a-f]{12}$")

#: Environment faults with a text in the catalogue (``err.out.reason.<name>``).
_REASONS = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "quota",
    errno.EROFS: "read_only",
    errno.EACCES: "permission",
    errno.EPERM: "permission",
    errno.ENOTDIR: "not_folder",
    errno.EISDIR: "folder",
    errno.ELOOP: "link",
    errno.ENOENT: "missing",
    errno.EIO: "io",
}


class OutputFolderError(LivingLabError):
    """The output folder cannot be written as asked (environment fault or unsafe entry).

    A keyed error whose fields hold ``reason_key`` (an environment fault) or ``fault`` (a path
    and the error met there, shown as ``detail``) prints them in the language asked for too.
    """

    def localized(self, lang: str) -> str:
        if not self.key:
            return super().localized(lang)
        fields = dict(self.fields)
        if fields.get("reason_key"):
            fields["reason"] = t(fields["reason_key"], lang)  # type: ignore[arg-type]
        if fields.get("fault"):
            path, error = fields["fault"]
            fields["detail"] = describe(path, error, lang)
        return t(self.key, lang, **fields)  # type: ignore[arg-type]


def describe(path: Path, exc: BaseException, lang: str = "en") -> str:
    """``path: fault`` in ``lang``, for an environment fault or an unsafe entry met at ``path``."""
    if isinstance(exc, OutputFolderError):
        return exc.localized(lang).split(": ", 1)[-1]  # without the leading "out: "
    if isinstance(exc, OSError):
        return f"{path}: {reason(exc, lang)}"
    return f"{path}: {exc}"


def _reason_key(exc: OSError) -> str | None:
    name = _REASONS.get(exc.errno or 0)
    return f"err.out.reason.{name}" if name else None


def reason(exc: OSError, lang: str = "en") -> str:
    """A short description of an environment fault (``disk full``, ``read-only file system``)."""
    key = _reason_key(exc)
    return t(key, lang) if key else exc.strerror or exc.__class__.__name__  # type: ignore[arg-type]


def fault(path: Path, exc: OSError) -> OutputFolderError:
    """The error ``out: <path>: <fault>`` for an environment fault at ``path``."""
    return OutputFolderError.keyed(
        "err.out.fault", path=path, reason=reason(exc), reason_key=_reason_key(exc)
    )


def new_run_id() -> str:
    """A fresh batch id (names this batch's temporary files)."""
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class FileRecord:
    """Size and SHA-256 of a written file (kept in the manifest to check it is complete)."""

    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, value: Any) -> FileRecord | None:
        if not isinstance(value, dict):
            return None
        size, digest = value.get("size"), value.get("sha256")
        if isinstance(size, bool) or not isinstance(size, int) or not isinstance(digest, str):
            return None
        return cls(size, digest)


def _split(rel: str) -> list[str]:
    parts = rel.split("/")
    if not parts or any(p in ("", ".", "..") or "\0" in p for p in parts):
        raise ValueError(f"not a plain relative path: {rel!r}")
    return parts


def atomic_write(
    dir_fd: int, name: str, data: bytes, *, tmp: str | None = None, fsync: bool = True
) -> None:
    """Write ``data`` to ``name`` in the folder ``dir_fd`` so that readers see the old file or
    the new one, never a part: a temporary file ``tmp`` in the same folder (opened without
    following links), flushed and fsynced, then renamed over ``name``. The one implementation
    of atomic writes (:class:`OutputFolder` and :func:`living_lab.report.manifest.atomic_write_bytes`
    call it).

    Raises
    ------
    OSError : the old file, if any, is kept and the temporary file removed.
    """
    tmp = tmp or f".{name}.{uuid.uuid4().hex[:12]}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dir_fd)
        raise


class OutputFolder:
    """``--out``, opened for one batch (see the module docstring).

    Parameters
    ----------
    path : the folder; created (with its parents) when missing. ``--out`` itself may be a
        symbolic link to a folder (the user chose it); nothing below it may be.
    run_id : id of this batch, used in the names of its temporary files.
    """

    def __init__(self, path: Path, *, run_id: str | None = None) -> None:
        self.path = Path(path)
        self.run_id = run_id or new_run_id()
        if not _RUN_ID.match(self.run_id):
            raise ValueError(f"bad run id {self.run_id!r}")
        self._locked = False
        if os.path.islink(self.path) and not self.path.exists():
            raise OutputFolderError.keyed("err.out.dangling", path=self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except FileExistsError:
            raise OutputFolderError.keyed("err.out.not_folder", path=self.path) from None
        except OSError as exc:
            raise fault(self.path, exc) from None

    # -- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # also releases the lock
            self.fd = -1

    def lock(self) -> None:
        """Lock the folder for this batch (released by :meth:`close`).

        Raises
        ------
        OutputFolderError : another run holds the lock.
        """
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputFolderError.keyed("err.out.locked", path=self.path) from None
        self._locked = True

    def check(self, names: Iterable[str] = SUBFOLDERS + TOP_FILES) -> None:
        """Refuse a folder whose known entries are links or of the wrong kind; check it is writable.

        Raises
        ------
        OutputFolderError : one line naming the entry.
        """
        for name in names:
            try:
                st = os.lstat(name, dir_fd=self.fd)
            except FileNotFoundError:
                continue
            want_dir = name in SUBFOLDERS
            if stat.S_ISLNK(st.st_mode):
                raise OutputFolderError.keyed(
                    f"err.out.link.{'folder' if want_dir else 'file'}",
                    path=self.path / name,
                    out=self.path,
                )
            if want_dir and not stat.S_ISDIR(st.st_mode):
                raise OutputFolderError.keyed("err.out.entry_not_folder", path=self.path / name)
            if not want_dir and not stat.S_ISREG(st.st_mode):
                raise OutputFolderError.keyed("err.out.entry_not_file", path=self.path / name)
        probe = f".probe.{self.run_id}.tmp"
        try:
            fd = os.open(
                probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self.fd
            )
            os.close(fd)
            os.unlink(probe, dir_fd=self.fd)
        except OSError as exc:
            raise fault(self.path, exc) from None

    # -- paths ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _parent(self, rel: str, *, create: bool) -> Iterator[tuple[int, str]]:
        """Descriptor of the folder holding ``rel`` (links refused) and the file's name."""
        parts = _split(rel)
        fds: list[int] = []
        current = self.fd
        try:
            for i, part in enumerate(parts[:-1]):
                flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                try:
                    nxt = os.open(part, flags, dir_fd=current)
                except FileNotFoundError:
                    if not create:
                        raise
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=current)
                    nxt = os.open(part, flags, dir_fd=current)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                        where = self.path.joinpath(*parts[: i + 1])
                        raise OutputFolderError.keyed("err.out.on_the_way", path=where) from None
                    raise
                fds.append(nxt)
                current = nxt
            yield current, parts[-1]
        finally:
            for fd in fds:
                os.close(fd)

    def _check_replaceable(self, dfd: int, name: str, rel: str) -> None:
        try:
            st = os.lstat(name, dir_fd=dfd)
        except FileNotFoundError:
            return
        if not stat.S_ISREG(st.st_mode):
            kind = "folder" if stat.S_ISDIR(st.st_mode) else "special"
            raise OutputFolderError.keyed(f"err.out.replace.{kind}", path=self.path / rel)

    # -- writing --------------------------------------------------------------------------------

    def write_bytes(self, rel: str, data: bytes, *, fsync: bool = True) -> FileRecord:
        """Write ``data`` to ``rel`` atomically; return its size and checksum.

        Raises
        ------
        OutputFolderError : ``rel`` (or a folder on its way) is a link or not a regular file.
        OSError : an environment fault (disk full, ...); the old file, if any, is kept.
        """
        with self._parent(rel, create=True) as (dfd, name):
            self._check_replaceable(dfd, name, rel)
            atomic_write(dfd, name, data, tmp=f".{name}.{self.run_id}.tmp", fsync=fsync)
        return FileRecord(len(data), hashlib.sha256(data).hexdigest())

    def write_text(self, rel: str, text: str, *, fsync: bool = True) -> FileRecord:
        """:meth:`write_bytes` of UTF-8 text."""
        return self.write_bytes(rel, text.encode("utf-8"), fsync=fsync)

    def unlink(self, rel: str) -> None:
        """Delete the regular file ``rel`` if present (links and folders are left alone)."""
        try:
            with self._parent(rel, create=False) as (dfd, name):
                st = os.lstat(name, dir_fd=dfd)
                if stat.S_ISREG(st.st_mode):
                    os.unlink(name, dir_fd=dfd)
        except (FileNotFoundError, NotADirectoryError):
            return

    def ensure_folder(self, rel: str) -> Path:
        """Create the subfolder ``rel`` (no links on the way) and return its path."""
        with self._parent(f"{rel}/x", create=True):
            pass
        return self.path / rel

    # -- reading back ---------------------------------------------------------------------------

    def read_bytes(self, rel: str, limit: int = READ_LIMIT) -> bytes | None:
        """Content of the regular file ``rel``, or None (missing, a link, not a file, too big)."""
        try:
            with self._parent(rel, create=False) as (dfd, name):
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dfd)
                with os.fdopen(fd, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                        return None
                    return fh.read(limit + 1)[: limit + 1]
        except (OSError, OutputFolderError):
            return None

    def is_complete(self, rel: str, record: FileRecord | None) -> bool:
        """Whether ``rel`` is a regular file with the recorded size and checksum."""
        if record is None:
            return False
        data = self.read_bytes(rel, limit=max(record.size, 0))
        return (
            data is not None
            and len(data) == record.size
            and hashlib.sha256(data).hexdigest() == record.sha256
        )

    def remove_temp(self, run_ids: Iterable[str]) -> int:
        """Delete the temporary files batches ``run_ids`` left behind (nothing else)."""
        ids = [r for r in run_ids if isinstance(r, str) and _RUN_ID.match(r)]
        if not ids:
            return 0
        pattern = re.compile(r"^\..+\.(" + "|".join(ids) + r")\.tmp$")
        return sum(self.remove_matching(folder, pattern) for folder in ("", *SUBFOLDERS))

    def remove_matching(self, folder: str, pattern: re.Pattern[str]) -> int:
        """Delete the regular files of ``folder`` (``""``: the top) whose names match ``pattern``."""
        removed = 0
        try:
            ctx = (
                self._parent(f"{folder}/x", create=False)
                if folder
                else contextlib.nullcontext((self.fd, "x"))
            )
            with ctx as (dfd, _):
                for name in os.listdir(dfd):
                    if not pattern.match(name):
                        continue
                    with contextlib.suppress(OSError):
                        if stat.S_ISREG(os.lstat(name, dir_fd=dfd).st_mode):
                            os.unlink(name, dir_fd=dfd)
                            removed += 1
        except (OSError, OutputFolderError):
            return removed
        return removed


__all__ = [
    "FileRecord",
    "OutputFolder",
    "OutputFolderError",
    "atomic_write",
    "describe",
    "fault",
    "new_run_id",
    "reason",
]
