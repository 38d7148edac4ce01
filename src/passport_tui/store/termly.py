"""Termly records (DESIGN §2.7-§2.12): test scores, personal targets, moderation, the learning
plan's focus items and notes. Each keeps its history: the newest row (highest id) for a key is
the current one. A refused value is explained (``refusals``) and nothing is written."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ..errors import NotFound
from ..models import FocusItem, ModerationAction, ModerationEvent, Note, NoteKind, Target, TestScore
from .connection import Column, Connection, RowMap
from .refusals import ValueRefused, insert_row
from .times import iso_utc, parse_utc

_AT = Column("at", parse_utc, iso_utc)

TEST_SCORES = RowMap(
    TestScore,
    "test_scores",
    [
        Column("id"),
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("academic_year"),
        Column("term"),
        Column("score"),
        Column("by"),
        _AT,
        Column("note"),
    ],
)
TARGETS = RowMap(
    Target,
    "targets",
    [
        Column("id"),
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("academic_year"),
        Column("points"),
        Column(
            "milestones",
            lambda text: None if text is None else json.loads(text),
            lambda ids: None if ids is None else json.dumps(ids, ensure_ascii=False),
        ),
        Column(
            "due",
            lambda text: None if text is None else date.fromisoformat(text),
            lambda day: None if day is None else day.isoformat(),
        ),
        Column("reason"),
        Column("by"),
        _AT,
    ],
)
MODERATION = RowMap(
    ModerationEvent,
    "moderation",
    [
        Column("id"),
        Column("judgement_id"),
        Column("action", ModerationAction, str),  # str, not ModerationAction: the schema explains a bad one
        Column("by"),
        _AT,
        Column("note"),
    ],
)
FOCUS = RowMap(
    FocusItem,
    "focus",
    [
        Column("id"),
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("milestone_id"),
        Column("provision"),
        Column("by"),
        _AT,
        Column("active", bool, int),
    ],
)
NOTES = RowMap(
    Note,
    "notes",
    [
        Column("id"),
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("kind", NoteKind, str),
        Column("text"),
        Column("by"),
        _AT,
    ],
)


def _where(**equal: Any) -> tuple[str, list[Any]]:
    """``column = ?`` for each filter given (not None), joined with AND; and its parameters."""
    given = {column: value for column, value in equal.items() if value is not None}
    return " AND ".join(f"{column} = ?" for column in given) or "1", list(given.values())


class TermlyRecords(Connection):
    # -- writes -------------------------------------------------------------------------

    def add_test_score(self, score: TestScore) -> TestScore:
        """Record a termly test score; it supersedes any earlier one for the same pupil,
        curriculum, academic year and term (which is kept as history). Returns it with its id."""
        with self.transaction():
            id = insert_row(self.conn, "test_scores", TEST_SCORES.dump(score))
        return score.model_copy(update={"id": id})

    def add_test_scores(self, scores: Iterable[TestScore]) -> int:
        """Record many test scores in one transaction (all or nothing, with ``insert_all``);
        returns how many. A refusal names the first refused score by its position, from 1."""
        rows = [TEST_SCORES.dump(score) for score in scores]
        if not rows:
            return 0
        with self.transaction():
            try:
                with self.db.atomic():  # a savepoint: a refused batch leaves nothing behind
                    self.db["test_scores"].insert_all(rows, batch_size=500)
            except sqlite3.IntegrityError as e:
                self._name_refused(rows, e)
                raise
        return len(rows)

    def _name_refused(self, rows: list[dict[str, Any]], error: sqlite3.IntegrityError) -> None:
        """Find the first of ``rows`` the schema refuses (inserting them one by one inside a
        savepoint that is then rolled back) and raise its explained refusal, numbered."""
        refusal: Exception | None = None
        self.conn.execute("SAVEPOINT name_refused")
        try:
            for n, row in enumerate(rows, 1):
                try:
                    insert_row(self.conn, "test_scores", row)
                except (ValueRefused, NotFound) as e:
                    refusal = type(e)(f"Test score {n}: {e}")
                    break
        finally:
            self.conn.execute("ROLLBACK TO name_refused")
            self.conn.execute("RELEASE name_refused")
        if refusal is not None:
            raise refusal from error

    def set_target(self, target: Target) -> Target:
        """Set a pupil's personal target for a curriculum and academic year (the earlier ones
        stay as its history); one with neither points nor milestones puts the default back."""
        with self.transaction():
            id = insert_row(self.conn, "targets", TARGETS.dump(target))
        return target.model_copy(update={"id": id})

    def add_moderation(self, event: ModerationEvent) -> ModerationEvent:
        """Append an event to the moderation log of an achieved judgement."""
        with self.transaction():
            id = insert_row(self.conn, "moderation", MODERATION.dump(event))
        return event.model_copy(update={"id": id})

    def pin_focus(
        self,
        pupil_id: int,
        curriculum_id: str,
        milestone_id: str,
        *,
        by: str,
        at: datetime,
        provision: str | None = None,
    ) -> FocusItem:
        """Pin a milestone to a pupil's learning plan. Pinning one already pinned records the
        new provision note; it keeps its place in the plan."""
        item = FocusItem(
            pupil_id=pupil_id,
            curriculum_id=curriculum_id,
            milestone_id=milestone_id,
            provision=provision,
            by=by,
            at=at,
            active=True,
        )
        with self.transaction():
            id = insert_row(self.conn, "focus", FOCUS.dump(item))
        return item.model_copy(update={"id": id})

    def unpin_focus(
        self, pupil_id: int, curriculum_id: str, milestone_id: str, *, by: str, at: datetime
    ) -> FocusItem:
        """Take a milestone off a pupil's learning plan (appends an inactive item; the history
        is kept). Refused with NotFound if it is not pinned."""
        item = FocusItem(
            pupil_id=pupil_id,
            curriculum_id=curriculum_id,
            milestone_id=milestone_id,
            provision=None,
            by=by,
            at=at,
            active=False,
        )
        with self.transaction():
            row = self.conn.execute(
                "SELECT active FROM focus WHERE pupil_id = ? AND curriculum_id = ? AND milestone_id = ? "
                "ORDER BY id DESC LIMIT 1",
                (pupil_id, curriculum_id, milestone_id),
            ).fetchone()
            if row is None or not row[0]:
                raise NotFound(f"{milestone_id} ({curriculum_id}) is not pinned for pupil {pupil_id}.")
            id = insert_row(self.conn, "focus", FOCUS.dump(item))
        return item.model_copy(update={"id": id})

    def add_note(self, note: Note) -> Note:
        """Append a note or a teacher comment about a pupil."""
        with self.transaction():
            id = insert_row(self.conn, "notes", NOTES.dump(note))
        return note.model_copy(update={"id": id})

    # -- reads --------------------------------------------------------------------------

    def test_scores(
        self,
        pupil_id: int | None = None,
        curriculum_id: str | None = None,
        academic_year: int | None = None,
        term: int | None = None,
        *,
        history: bool = False,
    ) -> list[TestScore]:
        """Test scores matching the filters given, by pupil, curriculum, academic year, term:
        the latest for each (pupil, curriculum, year, term), or with ``history`` every one
        (oldest first within each)."""
        where, params = _where(
            pupil_id=pupil_id, curriculum_id=curriculum_id, academic_year=academic_year, term=term
        )
        if not history:
            where = (
                f"id IN (SELECT max(id) FROM test_scores WHERE {where} "
                "GROUP BY pupil_id, curriculum_id, academic_year, term)"
            )
        return self.read(
            TEST_SCORES, f"WHERE {where} ORDER BY pupil_id, curriculum_id, academic_year, term, id", params
        )

    def targets(self, pupil_id: int, curriculum_id: str | None = None) -> list[Target]:
        """A pupil's personal targets (in one curriculum, if given) with their history, oldest first."""
        where, params = _where(pupil_id=pupil_id, curriculum_id=curriculum_id)
        return self.read(TARGETS, f"WHERE {where} ORDER BY id", params)

    def current_targets(self, curriculum_id: str, academic_year: int) -> dict[int, Target]:
        """pupil id -> current personal target, for every pupil with one in this curriculum and
        academic year (one query for the whole school). A pupil left out has the default target
        (never set, or cleared)."""
        found = self.read(
            TARGETS,
            "WHERE id IN (SELECT max(id) FROM targets WHERE curriculum_id = ? AND academic_year = ? "
            "GROUP BY pupil_id) AND (points IS NOT NULL OR milestones IS NOT NULL) ORDER BY pupil_id",
            (curriculum_id, academic_year),
        )
        return {target.pupil_id: target for target in found}

    def current_target(self, pupil_id: int, curriculum_id: str, academic_year: int) -> Target | None:
        """A pupil's current personal target, or None for the default target."""
        target = self.read_one(
            TARGETS,
            "WHERE pupil_id = ? AND curriculum_id = ? AND academic_year = ? ORDER BY id DESC",
            (pupil_id, curriculum_id, academic_year),
        )
        return None if target is None or target.clears else target

    def moderation_events(self, judgement_ids: Iterable[int] | None = None) -> list[ModerationEvent]:
        """The moderation log (of these judgements, if given), oldest first."""
        if judgement_ids is None:
            return self.read(MODERATION, "ORDER BY id")
        return self.read(
            MODERATION,
            "WHERE judgement_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(sorted(set(judgement_ids))),),
        )

    def focus_items(
        self, pupil_id: int, curriculum_id: str | None = None, *, history: bool = False
    ) -> list[FocusItem]:
        """A pupil's learning plan (in one curriculum, if given): the items pinned now, each as
        last pinned (its provision note), oldest pin first. With ``history``, every pin and
        unpin, oldest first."""
        where, params = _where(pupil_id=pupil_id, curriculum_id=curriculum_id)
        items = self.read(FOCUS, f"WHERE {where} ORDER BY id", params)
        if history:
            return items
        current: dict[tuple[str, str], tuple[int, FocusItem]] = {}  # key -> (pinned since, item)
        for item in items:
            key = (item.curriculum_id, item.milestone_id)
            if not item.active:
                current.pop(key, None)
            else:
                since = current[key][0] if key in current else item.id or 0
                current[key] = (since, item)
        return [item for _, item in sorted(current.values(), key=lambda pinned: pinned[0])]

    def notes(self, pupil_id: int, kind: NoteKind | str | None = None) -> list[Note]:
        """A pupil's notes (of one kind, if given), oldest first."""
        where, params = _where(pupil_id=pupil_id, kind=None if kind is None else str(kind))
        return self.read(NOTES, f"WHERE {where} ORDER BY id", params)

    def curricula_of(self, pupil_ids: Iterable[int]) -> set[str]:
        """The ids of the curricula these pupils have anything in: judgements, test scores,
        targets, focus items, notes or personal outcomes, or that their own pathways name (what a
        passport file of them must carry)."""
        wanted = json.dumps(sorted(set(pupil_ids)))
        found: set[str] = set()
        for table in ("judgements", "test_scores", "targets", "focus", "notes", "outcomes", "pathways"):
            found.update(
                cid
                for (cid,) in self.conn.execute(
                    f"SELECT DISTINCT curriculum_id FROM {table} "
                    "WHERE pupil_id IN (SELECT value FROM json_each(?)) AND curriculum_id IS NOT NULL"
                    # a pathway may name a curriculum this database has not got: it is left out
                    + (" AND curriculum_id IN (SELECT id FROM curricula)" if table == "pathways" else ""),
                    (wanted,),
                )
            )
        return found
