"""Why a report failed, as data: a catalogue key and the values its sentence quotes.

The runner's workers (:mod:`living_lab.report.pool`, :mod:`living_lab.report.executors`)
describe each failure where it happens as a :class:`Failure`. ``manifest.json`` keeps it
(``error_key``, ``error_fields``) beside the English ``error`` text (for logs), and the index page
and the command line say it in their own language through the catalogue
(``living_lab/locales/{id,en}/failures.yml``). The words of a failing notebook (an exception's
name and message) and of the machine (``RuntimeError: ...``) are quoted as they are; only the
sentence around them is translated.

Examples
--------
>>> f = Failure("cell", {"cell": 3, "ename": "ValueError", "evalue": "bad year"})
>>> f.text("en"), f.text("id")
('cell 3: ValueError: bad year', 'sel 3 gagal: ValueError: bad year')
>>> died = Failure("died", {"cell": 3, "exit_status": 1}).retried(2)
>>> died.text("en")
'report process died in cell 3 (exit status 1) (after 2 attempts)'
>>> died.text("id")
'proses laporan berhenti tiba-tiba di sel 3 (kode keluar 1) (setelah 2 kali percobaan)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from living_lab.text import t

#: Catalogue prefix of the failure sentences.
PREFIX = "failure."
#: The sentences a failure can be (the other ``failure.*`` texts are parts of them).
KINDS = frozenset(
    {
        "cell",
        "timeout",
        "died",
        "died_starting",
        "not_started",
        "unexpected",
        "host",
        "render",
        "fork_server",
        "worker_died",
        "worker_silent",
        "dask",
    }
)
_KEY = re.compile(r"^failure\.([a-z_]+)$")


@dataclass(frozen=True)
class Failure:
    """One failed report: ``kind`` (a sentence of the catalogue, see :data:`KINDS`) and the
    values it quotes.

    Optional fields add parts to the sentence: ``cell`` (where it stopped), ``exit_status`` or
    ``signal`` (how the process ended), ``attempts`` (when more than one was made).
    """

    kind: str
    fields: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The failure as one sentence in ``lang``."""
        return failure_text(self.kind, self.fields, lang)

    def retried(self, attempts: int) -> Failure:
        """The same failure after ``attempts`` attempts."""
        return Failure(self.kind, {**self.fields, "attempts": attempts})

    def manifest_fields(self) -> dict[str, Any]:
        """``error_key`` and ``error_fields`` of a manifest entry."""
        return {"error_key": PREFIX + self.kind, "error_fields": dict(self.fields)}


def shortened(value: object, limit: int = 300) -> str:
    """``value`` as text on one line, cut to ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exception_detail(exc: BaseException, limit: int = 300) -> str:
    """``"ExceptionName: message"`` on one line (the machine's own words, quoted as they are)."""
    return f"{exc.__class__.__name__}: {shortened(exc, limit)}"


def failure_text(kind: str, fields: Mapping[str, Any], lang: str) -> str:
    """The sentence of failure ``kind`` with ``fields`` in ``lang``.

    Raises
    ------
    KeyError : an unknown kind, or a field the sentence needs is missing.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    values = dict(fields)
    cell = fields.get("cell")
    values["where"] = "" if cell is None else t(PREFIX + "where", lang, cell=cell)  # type: ignore[arg-type]
    end = ""
    if fields.get("exit_status") is not None:
        end = t(PREFIX + "exit_status", lang, code=fields["exit_status"])  # type: ignore[arg-type]
    elif fields.get("signal") is not None:
        part = "killed_oom" if fields["signal"] == "SIGKILL" else "killed"
        end = t(PREFIX + part, lang, signal=fields["signal"])  # type: ignore[arg-type]
    values["end"] = end
    text = t(PREFIX + kind, lang, **values)  # type: ignore[arg-type]
    attempts = fields.get("attempts")
    if isinstance(attempts, int) and attempts > 1:
        text += t(PREFIX + "after", lang, n=attempts)  # type: ignore[arg-type]
    return text


def manifest_failure_text(entry: Mapping[str, Any], lang: str) -> str | None:
    """The failure of a manifest entry in ``lang``, from its ``error_key`` and ``error_fields``;
    None when the entry has none or they are not a failure this package writes (the manifest is
    read back from disk: any other key, or fields of another shape, are ignored)."""
    key, fields = entry.get("error_key"), entry.get("error_fields")
    if not isinstance(key, str) or not isinstance(fields, Mapping):
        return None
    match = _KEY.match(key)
    if match is None or match.group(1) not in KINDS:
        return None
    if not all(
        isinstance(k, str) and isinstance(v, (str, int, float)) and not isinstance(v, bool)
        for k, v in fields.items()
    ):
        return None
    try:
        return failure_text(match.group(1), fields, lang)
    except (KeyError, ValueError, IndexError, TypeError, AttributeError):
        return None
