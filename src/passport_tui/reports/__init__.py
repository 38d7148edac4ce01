"""Reports for parents (one pupil or a class) and for leaders and governors (the school), as
self-contained HTML or Markdown, from jinja2 templates. They only call the service."""

from __future__ import annotations

from .parent import class_parent_report, parent_report, pupil_report
from .school import school_report

__all__ = [
    "class_parent_report",
    "parent_report",
    "pupil_report",
    "school_report",
]
