"""Rows the schema refuses, explained: a named CHECK, a NOT NULL or a foreign key that failed
becomes the library's error with a sentence a teacher can act on, and nothing is written."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..errors import NotFound, PassportError


class ValueRefused(PassportError):
    """A value the schema refuses (a CHECK or NOT NULL constraint); nothing was written."""


# A named CHECK constraint of the schema -> the sentence that explains its refusal, formatted
# with the values of the refused row.
CHECKS: dict[str, str] = {
    "test_score_term": "A test score's term is 1 (autumn), 2 (spring) or 3 (summer), not {term!r}.",
    "test_score_percent": "A test score is a percent from 0 to 100, not {score!r}.",
    "target_points": "A target's points are a whole number, 0 or more, not {points!r}.",
    "target_milestones": "A milestone target lists one or more milestone ids, not {milestones}.",
    "target_due": "A target's due date is a date (YYYY-MM-DD), not {due!r}.",
    "target_reason": "A personal target needs a reason.",
    "moderation_action": "A moderation action is sampled, confirmed, queried or resolved, not {action!r}.",
    "focus_active": "A focus item is pinned (1) or unpinned (0), not {active!r}.",
    "note_kind": "A note is a 'teacher comment' or a 'note', not {kind!r}.",
    "note_text": "A note needs some text.",
    "outcome_id": "A personal outcome's id is a word without spaces, not {id!r}.",
    "outcome_title": "A personal outcome needs a title.",
    "outcome_requires": "A personal outcome's prerequisites are a list of milestone ids.",
    "outcome_retired": "A retired personal outcome needs who retired it, when and why.",
    "author_names_by": 'A name is kept only for another school\'s author ("ms.x, Oak Primary"), not {by!r}.',
}
THING = {
    "test_scores": "A test score",
    "targets": "A target",
    "moderation": "A moderation event",
    "focus": "A focus item",
    "notes": "A note",
    "outcomes": "A personal outcome",
    "author_names": "An author's name",
}
COLUMN_WORDS = {"by": "the member of staff", "at": "a time"}


def insert_row(conn: sqlite3.Connection, table: str, values: dict[str, Any]) -> int:
    """Insert one row; a refused one raises ValueRefused or NotFound, explained. Returns its id."""
    columns = ", ".join(f'"{column}"' for column in values)
    marks = ", ".join(f":{column}" for column in values)
    try:
        cursor = conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    except sqlite3.IntegrityError as e:
        refusal = explain(conn, e, table, values)
        if refusal is None:
            raise
        raise refusal from e
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def explain(
    conn: sqlite3.Connection, error: sqlite3.IntegrityError, table: str, values: dict[str, Any]
) -> PassportError | None:
    """The library's error for a constraint that refused ``values``, if it is one of ours."""
    text = str(error)
    thing = THING.get(table, table)
    if text.startswith("CHECK constraint failed: "):
        template = CHECKS.get(text.removeprefix("CHECK constraint failed: "))
        if template is None:
            return ValueRefused(f"{thing} was refused ({text}).")
        return ValueRefused(template.format(**values))
    if text.startswith("NOT NULL constraint failed: "):
        column = text.rsplit(".", 1)[-1]
        return ValueRefused(f"{thing} needs {COLUMN_WORDS.get(column, 'a ' + column)}.")
    if "FOREIGN KEY" in text:
        for column, parent, what in (
            ("pupil_id", "pupils", "pupil with id"),
            ("judgement_id", "judgements", "judgement"),
        ):
            if column not in values:
                continue
            found = conn.execute(f"SELECT 1 FROM {parent} WHERE id = ?", (values[column],))
            if found.fetchone() is None:
                return NotFound(f"There is no {what} {values[column]}.")
    return None
