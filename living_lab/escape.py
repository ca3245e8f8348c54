r"""Data-derived text made safe for where it lands: HTML, Markdown cells, the terminal.

Every string that comes from data or from a user file (a cohort title, a region name, a file
name, an error quoting a value) goes through one of these before it is shown.

Examples
--------
>>> html_text('<b>"x"</b>')
'&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
>>> terminal_text("Kohort\x1b[2J\x1b]0;pwned\x07 baru\n")
'Kohort baru'
>>> markdown_text("<script>*x*</script> $5")
'&lt;script&gt;\\*x\\*&lt;/script&gt; \\$5'
"""

from __future__ import annotations

import html
import re

# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other ESC pairs,
# and their 8-bit C1 forms.
_SEQUENCE = re.compile(
    r"(\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(\x1b\]|\x9d)[^\x07\x1b\x9c]*(\x07|\x1b\\|\x9c)?"
    r"|(\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# Remaining control characters (C0, DEL, C1) and bidirectional overrides, which can reorder
# what a terminal shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$])")


def html_text(value: object) -> str:
    """``value`` as HTML text or attribute content (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def markdown_text(value: object) -> str:
    """``value`` as literal text inside a Markdown cell: no HTML, no emphasis, links or math."""
    return html_text(_MARKDOWN.sub(r"\\\1", terminal_text(value)))


def terminal_text(value: object) -> str:
    """``value`` on one line for a terminal: escape sequences and control characters removed."""
    text = _SEQUENCE.sub("", str(value))
    text = " ".join(text.split())
    return _CONTROL.sub("", text)


def terminal_block(value: object) -> str:
    """Multi-line terminal output: like :func:`terminal_text` per line, line breaks kept."""
    text = _SEQUENCE.sub("", str(value))
    return "\n".join(_CONTROL.sub("", line.replace("\t", "    ")) for line in text.split("\n"))
