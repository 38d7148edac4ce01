"""Curricula: each kept whole as JSON, with its milestones also as rows (for queries and tools
such as Datasette). Parsed curricula are cached per connection and re-read when the stored one
changes (its version or import time), also when another connection replaced it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..models import Curriculum
from .connection import Connection
from .times import now_text


class CurriculumRows(Connection):
    def __init__(self, conn: sqlite3.Connection, path: Path | None = None):
        super().__init__(conn, path)
        # curriculum id -> ((id, version, imported_at) when parsed, the parsed curriculum)
        self._curricula: dict[str, tuple[tuple[str, str, str], Curriculum]] = {}

    def put_curriculum(self, c: Curriculum) -> None:
        """Add a curriculum, or replace the one with its id (its milestone rows with it)."""
        header = c.curriculum
        with self.transaction():
            self.conn.execute(
                "INSERT INTO curricula (id, version, title, source, body, imported_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, "
                "title = excluded.title, source = excluded.source, body = excluded.body, "
                "imported_at = excluded.imported_at",
                (header.id, header.version, header.title, header.source, c.model_dump_json(), now_text()),
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
                }
                for i, m in enumerate(c.milestones)
            )
        self._curricula.pop(header.id, None)

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
