"""Jinja2 templates of the pages the runner writes (package data in ``report/templates/``).

Every template is rendered with autoescape on: any value passed in is HTML-escaped where it
lands, so data-derived text (cohort titles, region names, errors) is text, never markup. The
only unescaped values are those the caller wraps in :class:`markupsafe.Markup` on purpose: the
page's own stylesheet and script, and HTML that another trusted renderer already produced
(nbconvert's cells).

>>> page = render_page("report.html.j2", lang="id", title="<b>x</b>", css="", body="<i>y</i>")
>>> "<title>&lt;b&gt;x&lt;/b&gt;</title>" in page, "&lt;i&gt;y&lt;/i&gt;" in page
(True, True)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment (autoescape on for every template)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("living_lab.report", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_page(name: str, **values: Any) -> str:
    """Render the template ``name`` with ``values`` (escaped unless :class:`Markup`)."""
    return environment().get_template(name).render(**values)


__all__ = ["environment", "render_page"]
