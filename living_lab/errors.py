"""Error types of the library.

Every error names what was wrong, where (file, row, field or parameter) and what would be
accepted. ``str(error)`` is English (for researchers in Python); the command line prints
:meth:`LivingLabError.localized` in its language as one line and exits with status 2.

An error made with :meth:`LivingLabError.keyed` carries a message key of the locale catalogue
(``living_lab/locales/{id,en}/errors.yml``) and the values the message quotes, so the same error
reads in Bahasa Indonesia or English; an error made from a plain message prints that message in
either language.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

_E = TypeVar("_E", bound="LivingLabError")

#: Renders a catalogue text: ``render(key, lang, fields) -> str`` (KeyError for an unknown key).
#: :mod:`living_lab.text` registers it when imported, and the package imports ``text`` first
#: (``living_lab/__init__.py``); this module cannot import ``text``, which raises its errors.
_RENDER: list[Callable[[str, str, dict[str, Any]], str]] = []


def register_catalogue(render: Callable[[str, str, dict[str, Any]], str]) -> None:
    """Set the function that renders message keys (called once, by :mod:`living_lab.text`)."""
    _RENDER[:] = [render]


def _text(key: str, lang: str, fields: dict[str, Any]) -> str:
    return _RENDER[0](key, lang, fields)


class LivingLabError(Exception):
    """Base class of every error the library raises on purpose.

    Attributes
    ----------
    key : message key in the locale catalogue, or None for an error made from a plain message.
    fields : the values the message quotes (file names, numbers, accepted values).
    """

    exit_code = 2
    key: str | None = None
    fields: dict[str, Any] = {}

    @classmethod
    def keyed(cls: type[_E], key: str, /, **fields: Any) -> _E:
        """The error whose message is the catalogue text ``key`` with ``fields``.

        Examples
        --------
        >>> e = ParameterError.keyed("err.seed_negative", seed=-1)
        >>> str(e)
        '--seed: -1; expected a whole number 0 or more'
        >>> e.localized("id")
        '--seed: -1; harus bilangan bulat 0 atau lebih'
        """
        error = cls(_text(key, "en", fields))
        error.key, error.fields = key, fields
        return error

    @classmethod
    def wrapping(cls: type[_E], prefix: str, error: LivingLabError, /) -> _E:
        """The error ``"<prefix>: <error>"`` (an option name before a library error), which
        prints ``error`` in the language asked for."""
        wrapper = cls(f"{prefix}: {error}")
        wrapper.inner, wrapper.prefix = error, prefix
        return wrapper

    inner: LivingLabError | None = None
    prefix: str = ""

    def localized(self, lang: str) -> str:
        """The message in ``lang`` (``str(self)`` if the error has no message key)."""
        if self.inner is not None:
            return f"{self.prefix}: {self.inner.localized(lang)}"
        return _text(self.key, lang, self.fields) if self.key else str(self)


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

    @classmethod
    def keyed(  # type: ignore[override]
        cls,
        key: str,
        /,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        **fields: Any,
    ) -> InputError:
        """The error at ``file``, ``row``, ``field`` whose message is the catalogue text ``key``."""
        error = cls(_text(key, "en", fields), file=file, row=row, field=field)
        error.key, error.fields = key, fields
        return error

    def _format(
        self, lang: str = "en", message: str | None = None, *, key: bool | None = None
    ) -> str:
        """``file, line N, field 'x': message`` in ``lang``; ``key``: the field is a key of a
        mapping (default: when the file is a YAML file), not a column of a table."""
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(_text("err.where.line", lang, {"row": self.row}))
        if self.field:
            # A key of a YAML file is not a column of a table (Indonesian: "kunci", not "kolom").
            kind = "key" if (_is_yaml(self.file) if key is None else key) else "field"
            where.append(_text(f"err.where.{kind}", lang, {"field": _column(self.field, lang)}))
        prefix = ", ".join(where)
        message = self.message if message is None else message
        return f"{prefix}: {message}" if prefix else message

    @classmethod
    def at(
        cls,
        error: Exception,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> InputError:
        """``error`` (a region lookup, say) placed at ``file``, ``row``, ``field``."""
        placed = cls(str(error), file=file, row=row, field=field)
        if isinstance(error, LivingLabError):
            placed.inner = error
        return placed

    def localized(self, lang: str) -> str:
        if self.inner is not None:
            return self._format(lang, self.inner.localized(lang))
        # A plain message is English: its place stays English too (one language per line).
        return self._format(lang, _text(self.key, lang, self.fields)) if self.key else str(self)


def _is_yaml(file: str | None) -> bool:
    """Whether ``file`` names a YAML file (its fields are keys, not table columns)."""
    return bool(file) and Path(str(file)).suffix.lower() in (".yaml", ".yml")


def _column(name: str, lang: str) -> str:
    """A self-assessment template column under its header in ``lang``; other names as they are."""
    try:
        return _text(f"template.col.{name}", lang, {})
    except KeyError:
        return name


class UnknownRegionError(LivingLabError):
    """A region name or code could not be resolved to exactly one kabupaten/kota.

    ``reason``: ``"unknown"`` (a name), ``"empty"``, ``"bps_code"``, ``"kemendagri_code"``,
    ``"ambiguous"`` (several regions answer; ``suggestions`` are they), or ``"shared_name"`` (a
    bare name of a kabupaten and a kota; ``candidates`` are both, as "Name (code)").
    """

    def __init__(
        self,
        query: str,
        suggestions: list[str],
        *,
        reason: str = "unknown",
        candidates: list[str] | None = None,
    ) -> None:
        self.query = query
        self.suggestions = suggestions
        self.reason = reason
        self.candidates = candidates or []
        self.key = f"err.region.{reason}"
        self.fields = {"query": query, "suggestions": ", ".join(suggestions)}
        super().__init__(self.localized("en"))

    def localized(self, lang: str) -> str:
        fields = dict(self.fields)
        fields["candidates"] = _text("err.or", lang, {}).join(self.candidates)
        text = _text(self.key or "err.region.unknown", lang, fields)
        if self.suggestions and self.reason != "shared_name":
            text += _text("err.region.closest", lang, fields)
        return text


class ParameterError(LivingLabError):
    """A report or command parameter is unknown, of the wrong type, or out of range."""


class DataMissingError(LivingLabError):
    """A bundled dataset or the raw source folder is absent."""
