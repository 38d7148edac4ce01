"""Shared plumbing of the reports: the jinja2 environment, text filters, dates and atomic writes.

User text (names, titles, comments) is shown by the rule that holds everywhere
(:func:`passport_tui.shown.plain`: control characters made visible, bidi controls dropped): the
report code passes it through :func:`clean`, and every value a template prints goes through it
again (the environment's ``finalize``), so a field added later cannot skip it. On top of that, HTML
templates are autoescaped and the Markdown filter backslash-escapes every character Markdown would
act on, so a name like ``[bold]Ann`` or ``<script>`` shows literally in both formats.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..shown import plain

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def clean(text: object) -> str:
    """User text as it is shown everywhere: control characters made visible (an escape code
    shows as ␛ and what follows), bidi controls dropped; line breaks kept."""
    return plain("" if text is None else str(text), multiline=True)


def _finalize(value: object) -> object:
    """What a template prints: text cleaned (markup the templates built stays markup)."""
    if isinstance(value, Markup):
        return Markup(clean(value))
    return clean(value) if isinstance(value, str) else value


def md(text: object) -> str:
    """User text for Markdown, on one line, with Markdown's special characters escaped."""
    one_line = " ".join(clean(text).split())
    return _MD_SPECIAL.sub(r"\\\1", one_line)


def md_quote(text: object) -> str:
    """User text (maybe several lines) as the body of a Markdown block quote."""
    lines = [md(line) for line in clean(text).splitlines() if line.strip()] or [""]
    return "\n> ".join(line + ("  " if i < len(lines) - 1 else "") for i, line in enumerate(lines))


def long_date(d: date) -> str:
    """``23 November 2026``."""
    return f"{d.day} {d:%B %Y}"


def months_before(d: date, months: int) -> date:
    """The same date ``months`` earlier (the month's last day when that date does not exist)."""
    index = d.year * 12 + d.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, monthrange(year, month)[1]))


def year_label(year_group: int) -> str:
    if year_group == 0:
        return "Reception"
    if year_group < 0:
        return "Nursery"
    return f"Year {year_group}"


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        env = Environment(
            loader=PackageLoader("passport_tui.reports", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_finalize,
        )
        env.filters["clean"] = clean
        env.filters["md"] = md
        env.filters["md_quote"] = md_quote
        env.filters["long_date"] = long_date
        _env = env
    return _env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
