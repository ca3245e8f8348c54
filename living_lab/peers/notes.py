"""Caveats attached to peer-benchmarking results, rendered in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from living_lab.text import Lang, t


@dataclass(frozen=True)
class TextKey:
    """A value of a note that is itself text to translate (e.g. a feature name)."""

    key: str


@dataclass(frozen=True)
class Note:
    """A caveat: a text key of ``locales/<lang>/peers.yml`` and the values it is formatted with."""

    key: str
    values: dict = field(default_factory=dict)

    def text(self, lang: Lang = "id") -> str:
        values = {
            k: t(v.key, lang) if isinstance(v, TextKey) else v for k, v in self.values.items()
        }
        return t(self.key, lang, **values)
