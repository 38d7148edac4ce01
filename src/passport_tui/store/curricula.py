"""Curricula: each kept whole as JSON, with its milestones also as rows (for queries and tools
such as Datasette) and its moved milestones in ``milestone_moves`` (which the log's reads follow).
Parsed curricula are cached per connection and re-read when the stored one changes (its version
or import time), also when another connection replaced it. A new version is stored only as
``engine.revision`` allows: no milestone with judgements is silently dropped or re-meant."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CurriculumChangeRefused
from ..models import Curriculum
from .projections import ProjectionRows
from .times import now_text

if TYPE_CHECKING:
    from ..engine.revision import Revision


class CurriculumRows(ProjectionRows):
    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        super().__init__(conn, path)
        # curriculum id -> ((id, version, imported_at) when parsed, the parsed curriculum)
        self._curricula: dict[str, tuple[tuple[str, str, str], Curriculum]] = {}

    def put_curriculum(self, c: Curriculum) -> Revision:
        """Add a curriculum, or replace the one with its id (its milestone rows and moves with it),
        as ``engine.revision`` allows: a version that would drop or re-mean a milestone with
        judgements, without saying in ``moved`` or ``retired`` what became of it, is refused
        (``CurriculumChangeRefused``, nothing written). What is stored carries over the stored
        version's moves and retired milestones; the projections of pupils with judgements on a
        milestone moved now are folded again. Returns the revision (what is stored and warnings)."""
        from ..engine.revision import refusal_lines, revise

        header = c.curriculum
        with self.transaction():
            revision = revise(self.curriculum(header.id), c, self.judgement_counts(header.id))
            if revision.refused:
                raise CurriculumChangeRefused(refusal_lines(c, revision.refused))
            stored = revision.curriculum
            self.conn.execute(
                "INSERT INTO curricula (id, version, title, source, body, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                "title = excluded.title, source = excluded.source, body = excluded.body, "
                "imported_at = excluded.imported_at",
                (
                    header.id,
                    header.version,
                    header.title,
                    header.source,
                    stored.model_dump_json(),
                    now_text(),
                ),
            )
            self.conn.execute("DELETE FROM milestones WHERE curriculum_id = ?", (header.id,))
            self.db["milestones"].insert_all(
                {
                    "curriculum_id": header.id,
                    "id": m.id,
                    "stage": m.stage,
                    "strand": m.strand,
                    "title": m.title,
                    "position": i,
                    "retired": int(m.retired),
                }
                for i, m in enumerate(stored.milestones)
            )
            self.conn.execute("DELETE FROM milestone_moves WHERE curriculum_id = ?", (header.id,))
            self.conn.executemany(
                "INSERT INTO milestone_moves (curriculum_id, old, new) VALUES (?, ?, ?)",
                [(header.id, old, new) for old, new in stored.curriculum.moved.items()],
            )
            if revision.moved:
                pupils = self.conn.execute(
                    "SELECT DISTINCT pupil_id FROM judgements WHERE curriculum_id = ? "
                    "AND milestone_id IN (SELECT value FROM json_each(?))",
                    (header.id, json.dumps(sorted(revision.moved))),
                ).fetchall()
                self._refresh_projections((pupil_id, header.id) for (pupil_id,) in pupils)
        self._curricula.pop(header.id, None)
        return revision

    def judgement_counts(self, curriculum_id: str) -> dict[str, int]:
        """How many events of the log name each milestone id of a curriculum (the id as recorded)."""
        return dict(
            self.conn.execute(
                "SELECT milestone_id, count(*) FROM judgements WHERE curriculum_id = ? GROUP BY milestone_id",
                (curriculum_id,),
            ).fetchall()
        )

    def orphan_judgements(self) -> list[tuple[str, str, int]]:
        """``(curriculum_id, milestone_id, events)`` for each milestone id the log names that is
        neither a milestone of its stored curriculum nor moved to one nor the pupil's own personal
        outcome: judgements that count for nothing. Empty when every judgement is read."""
        return self.conn.execute(
            "SELECT curriculum_id, milestone_id, sum(n) FROM (SELECT pupil_id, curriculum_id, milestone_id, "
            "count(*) AS n FROM judgements GROUP BY pupil_id, curriculum_id, milestone_id) AS g WHERE NOT "
            "EXISTS (SELECT 1 FROM milestones AS m WHERE m.curriculum_id = g.curriculum_id AND "
            "m.id = g.milestone_id) AND NOT EXISTS (SELECT 1 FROM milestone_moves AS mv WHERE "
            "mv.curriculum_id = g.curriculum_id AND mv.old = g.milestone_id) AND NOT EXISTS (SELECT 1 FROM "
            "outcomes AS o WHERE o.pupil_id = g.pupil_id AND o.curriculum_id = g.curriculum_id AND "
            "o.id = g.milestone_id) GROUP BY curriculum_id, milestone_id ORDER BY curriculum_id, milestone_id"
        ).fetchall()

    def curricula(self) -> list[Curriculum]:
        """Every curriculum, ordered by id. The objects are cached and shared: do not mutate them."""
        rows = self.conn.execute("SELECT id, version, imported_at FROM curricula ORDER BY id").fetchall()
        return [self._cached_curriculum(row) for row in rows]

    def curriculum(self, id: str) -> Curriculum | None:
        """The curriculum with this id, or None (cached and shared, as ``curricula``)."""
        row = self.conn.execute(
            "SELECT id, version, imported_at FROM curricula WHERE id = ?", (id,)
        ).fetchone()
        return None if row is None else self._cached_curriculum(row)

    def _cached_curriculum(self, key: tuple[str, str, str]) -> Curriculum:
        cache = self._curricula
        hit = cache.get(key[0])
        if hit is not None and hit[0] == key:
            return hit[1]
        (body,) = self.conn.execute("SELECT body FROM curricula WHERE id = ?", (key[0],)).fetchone()
        parsed = Curriculum.model_validate_json(body)
        cache[key[0]] = (key, parsed)
        return parsed
