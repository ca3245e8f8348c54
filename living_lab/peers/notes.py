"""Caveats attached to peer-benchmarking results, rendered in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from living_lab.text import Lang, t


@dataclass(frozen=True)
class Note:
    """A caveat: a text key of ``locales/<lang>/peers.yml`` and the values it is formatted with."""

    key: str
    values: dict = field(default_factory=dict)

    def text(self, lang: Lang = "id") -> str:
        return t(self.key, lang, **self.values)
