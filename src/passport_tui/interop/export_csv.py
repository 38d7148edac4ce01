"""A window's tracking figures as CSV, for pasting into the school information system's
marksheets: one row per pupil per curriculum, a header row, CRLF line endings, UTF-8 with a byte
order mark by default (so Excel reads the names right), and every cell that a spreadsheet would
take for a formula (``=``, ``+``, ``-``, ``@``, or a tab or carriage return first) written with a
leading ``'`` so it shows as text and runs nothing. User text in a cell is shown as it is shown
everywhere (:func:`passport_tui.shown.plain`): control characters made visible, bidi controls
dropped, on one line.

A framework without points (the engagement model, small steps, PSP) has rows too: its points,
expected, target and progress cells are empty (no figure, never a 0), and its steps secured — in
all, this academic year and this window — are in the "Steps secured ..." columns, with a target of
milestones as "Target milestones secured" ("2 of 3"). Rows of a subject with points leave the
steps columns empty.

A pupil not assessed yet in a curriculum (no judgement of any kind there) has a row with only what
is known — the expected points, a personal target someone set — and empty points, target status,
progress, gaps and steps cells (never a 0), and "not assessed yet" in the flags cell."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from ..engine import NOT_ASSESSED_YET
from ..shown import plain

if TYPE_CHECKING:
    from ..service import Service, TrackingRow

__all__ = ["HEADER", "tracking_csv", "tracking_rows", "safe_cell"]

HEADER = [
    "UPN",
    "Surname",
    "Forename",
    "Class",
    "Year group",
    "Curriculum",
    "Window",
    "Points",
    "Expected",
    "Target",
    "Target status",
    "Progress this year",
    "Progress this window",
    "Gaps",
    "Flags",
    "Steps secured (all)",
    "Steps secured this year",
    "Steps secured this window",
    "Target milestones secured",
]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, control characters made visible and bidi controls dropped; user text that a
    spreadsheet would run as a formula gets a leading ``'``. Numbers (including negative
    progress) are written as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    shown = plain(text)  # a bidi control dropped may uncover a formula: both are checked
    return "'" + shown if text.startswith(_FORMULA_STARTS) or shown.startswith(_FORMULA_STARTS) else shown


def tracking_rows(rows: list[TrackingRow], window_key: str) -> list[list[str]]:
    """The data rows for ``rows`` (sorted by class, surname, forename, curriculum); the year group
    is the pupil's in that window, the gaps are counted."""
    ordered = sorted(
        rows,
        key=lambda r: (
            r.pupil.class_name or "",
            r.pupil.last_name.casefold(),
            r.pupil.first_name.casefold(),
            r.pupil.upn,
            r.curriculum_id,
        ),
    )
    out: list[list[str]] = []
    for r in ordered:
        s = r.standing
        p = r.pupil
        steps = r.steps
        out.append(
            [
                safe_cell(p.upn),
                safe_cell(p.last_name),
                safe_cell(p.first_name),
                safe_cell(p.class_name),
                safe_cell(s.year_group),
                safe_cell(r.curriculum_id),
                safe_cell(window_key),
                safe_cell(s.points),
                safe_cell(s.expected),
                safe_cell(s.target),
                safe_cell(s.target_status.value if s.target_status is not None else None),
                safe_cell(s.progress_this_year),
                safe_cell(s.progress_last_window),
                safe_cell(len(s.gaps) if s.assessed else None),
                safe_cell(";".join(f.value for f in s.flags) if s.assessed else NOT_ASSESSED_YET),
                safe_cell(steps.secured if steps else None),
                safe_cell(steps.this_year if steps else None),
                safe_cell(steps.this_window if steps else None),
                safe_cell(steps.target_words if steps else None),
            ]
        )
    return out


def tracking_csv(
    service: Service,
    *,
    window: str | None = None,
    class_name: str | None = None,
    year_group: int | None = None,
    bom: bool = True,
) -> str:
    """The tracking figures of a window (default: the current one) for a class, a year group or
    the whole school, as CSV text with CRLF line endings (and a BOM unless ``bom=False``).
    Frameworks without points give their steps secured instead of points."""
    key = service.window(window).key
    rows = service.tracking(class_name=class_name, year_group=year_group, window=window)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    writer.writerows(tracking_rows(rows, key))
    text = buffer.getvalue()
    return "\ufeff" + text if bom else text
