"""Personal outcomes: milestones of one pupil from their EHCP or provision plan (table
``outcomes``, schema version 6). A row is added, edited and retired; it is deleted only while
nothing refers to it (no judgement, focus item or target), so a judged outcome keeps its history."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..errors import PassportError
from ..models import PersonalOutcome
from .connection import Column, Connection, RowMap
from .refusals import insert_row
from .times import iso_utc, parse_utc


def _optional_time(value: Any) -> Any:
    return None if value is None else parse_utc(value)


OUTCOMES = RowMap(
    PersonalOutcome,
    "outcomes",
    [
        Column("pupil_id"),
        Column("curriculum_id"),
        Column("id"),
        Column("area"),
        Column("title"),
        Column("source"),
        Column("requires", json.loads, lambda ids: json.dumps(list(ids), ensure_ascii=False)),
        Column("by"),
        Column("at", parse_utc, iso_utc),
        Column("retired_at", _optional_time, lambda t: None if t is None else iso_utc(t)),
        Column("retired_by"),
        Column("retired_reason"),
    ],
)
_ORDER = "ORDER BY pupil_id, at, rowid"


class OutcomeRows(Connection):
    def add_outcome(self, outcome: PersonalOutcome) -> PersonalOutcome:
        """Add a pupil's outcome (its id chosen by the caller, unique for the pupil and curriculum)."""
        with self.transaction():
            insert_row(self.conn, "outcomes", OUTCOMES.dump(outcome, with_id=True))
        return outcome

    def add_outcomes(self, outcomes: Iterable[PersonalOutcome]) -> int:
        """Add several outcomes in one transaction (all or nothing); returns how many."""
        n = 0
        with self.transaction():
            for o in outcomes:
                insert_row(self.conn, "outcomes", OUTCOMES.dump(o, with_id=True))
                n += 1
        return n

    def put_outcome(self, outcome: PersonalOutcome) -> PersonalOutcome:
        """Write an edited or retired outcome over the stored one (the same pupil, curriculum, id)."""
        values = OUTCOMES.dump(outcome, with_id=True)
        keys = ("pupil_id", "curriculum_id", "id")
        sets = ", ".join(f'"{k}" = :{k}' for k in values if k not in keys)
        with self.transaction():
            done = self.conn.execute(
                f"UPDATE outcomes SET {sets} WHERE pupil_id = :pupil_id AND curriculum_id = :curriculum_id "
                "AND id = :id",
                values,
            ).rowcount
        if not done:
            raise PassportError(f"No personal outcome {outcome.id} to change.")
        return outcome

    def outcomes(
        self, pupil_id: int | None = None, curriculum_id: str | None = None
    ) -> list[PersonalOutcome]:
        """Outcomes (of one pupil, in one curriculum, if given), retired ones too, oldest first."""
        given = {"pupil_id": pupil_id, "curriculum_id": curriculum_id}
        given = {k: v for k, v in given.items() if v is not None}
        where = " AND ".join(f"{k} = :{k}" for k in given)
        return self.read(OUTCOMES, f"{'WHERE ' + where if where else ''} {_ORDER}", given)

    def outcomes_by_pupil(
        self, curriculum_id: str, pupil_ids: Iterable[int] | None = None
    ) -> dict[int, list[PersonalOutcome]]:
        """Each pupil's outcomes in one curriculum (of ``pupil_ids``, if given), from one query."""
        out: dict[int, list[PersonalOutcome]] = {}
        if pupil_ids is None:
            rows = self.read(OUTCOMES, f"WHERE curriculum_id = ? {_ORDER}", (curriculum_id,))
        else:
            rows = self.read(
                OUTCOMES,
                f"WHERE curriculum_id = ? AND pupil_id IN (SELECT value FROM json_each(?)) {_ORDER}",
                (curriculum_id, json.dumps(sorted(set(pupil_ids)))),
            )
        for o in rows:
            out.setdefault(o.pupil_id, []).append(o)
        return out

    def outcome_references(self, pupil_id: int, curriculum_id: str, outcome_id: str) -> list[str]:
        """What refers to a pupil's outcome: "judgements", "focus items", "targets" (empty: none)."""
        found = []
        for table, what, where in (
            ("judgements", "judgements", "milestone_id = ?"),
            ("focus", "focus items", "milestone_id = ?"),
            ("targets", "targets", "EXISTS (SELECT 1 FROM json_each(targets.milestones) WHERE value = ?)"),
        ):
            hit = self.conn.execute(
                f"SELECT 1 FROM {table} WHERE pupil_id = ? AND curriculum_id = ? AND {where} LIMIT 1",
                (pupil_id, curriculum_id, outcome_id),
            ).fetchone()
            if hit is not None:
                found.append(what)
        return found

    def delete_outcome(self, pupil_id: int, curriculum_id: str, outcome_id: str) -> None:
        """Delete an outcome nothing refers to (one added by mistake); one with judgements, focus
        items or targets is refused (retire it instead), checked inside the same transaction."""
        with self.transaction():
            used = self.outcome_references(pupil_id, curriculum_id, outcome_id)
            if used:
                raise PassportError(
                    f"{outcome_id} has {' and '.join(used)} and cannot be deleted; retire it instead "
                    "(its history is kept)."
                )
            gone = self.conn.execute(
                "DELETE FROM outcomes WHERE pupil_id = ? AND curriculum_id = ? AND id = ?",
                (pupil_id, curriculum_id, outcome_id),
            ).rowcount
        if not gone:
            raise PassportError(f"No personal outcome {outcome_id} to delete.")
