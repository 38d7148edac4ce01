"""Shared plumbing of the reports: the jinja2 environment, text filters, dates and atomic writes.

HTML templates are autoescaped; user text (names, titles, comments) also loses control
characters, and the Markdown filter backslash-escapes every character Markdown would act on, so a
name like ``[bold]Ann`` or ``<script>`` shows literally in both formats.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


def clean(text: object) -> str:
    """User text without control characters (an escape code is shown as what is left)."""
    return _CONTROL.sub("", "" if text is None else str(text))


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
        )
        env.filters["clean"] = clean
        env.filters["md"] = md
        env.filters["md_quote"] = md_quote
        env.filters["long_date"] = long_date
        _env = env
    return _env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
