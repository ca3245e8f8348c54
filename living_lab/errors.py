"""Error types of the library.

Every error names what was wrong, where (file, row, field or parameter) and what would be
accepted. The command line prints ``str(error)`` as one line and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class LivingLabError(Exception):
    """Base class of every error the library raises on purpose."""

    exit_code = 2


class InputError(LivingLabError):
    """A user-supplied file or value is malformed.

    Parameters
    ----------
    message : what is wrong and what was expected.
    file, row, field : where; any may be omitted. ``row`` is the 1-based line number in the file
        (the header is line 1), as a spreadsheet or editor shows it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"line {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class UnknownRegionError(LivingLabError):
    """A region name or code could not be resolved to exactly one kabupaten/kota."""

    def __init__(
        self,
        query: str,
        suggestions: list[str],
        *,
        reason: str = "unknown region",
        detail: str | None = None,
    ) -> None:
        self.query = query
        self.suggestions = suggestions
        if detail is not None:
            super().__init__(f"{reason} {query!r}: {detail}")
            return
        hint = f"; closest matches: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"{reason} {query!r}{hint}")


class ParameterError(LivingLabError):
    """A report or command parameter is unknown, of the wrong type, or out of range."""


class DataMissingError(LivingLabError):
    """A bundled dataset or the raw source folder is absent."""
