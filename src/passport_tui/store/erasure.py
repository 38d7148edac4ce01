"""Erasure of a pupil (UK GDPR: the right to erasure, and a school's retention period for
leavers), and the date a pupil left.

Erasure is the one way past the logs' append-only triggers (``schema.erasable_delete``). In one
``BEGIN IMMEDIATE`` transaction it writes a row of ``erasures`` naming the pupil (while that row
names them, the triggers let the pupil's judgements, notes and moderation rows go), deletes every
row about the pupil from every table that has a ``pupil_id`` column (moderation rows through
their judgement), then the pupil, then makes the erasure row forget the pupil: what stays is an
audit line without personal data (an opaque number, when, who, why, how many rows per table).

Erased means gone from the file: the deletes run with ``PRAGMA secure_delete`` on, so SQLite
overwrites the freed space with zeros, and a ``wal_checkpoint(TRUNCATE)`` afterwards copies the
pages into the database file and empties the WAL. A checkpoint that another open session stops
is reported (the data then stays in the WAL until the next checkpoint). A backup made before
still holds the pupil: the school erases backups under its own retention policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ..models import Pupil
from .connection import Connection
from .pupils import _ORDER, PUPILS
from .times import at_text


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure did: its number in the erasure log, the rows deleted per table, and
    whether the checkpoint emptied the WAL (False: another session holds it open)."""

    erasure: int
    tables: dict[str, int]
    checkpointed: bool

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(frozen=True, slots=True)
class ErasureLine:
    """A line of the erasure log: no personal data."""

    id: int
    at: str
    by: str
    reason: str
    rows: int
    tables: dict[str, int]


class ErasureRows(Connection):
    def pupil_tables(self) -> list[str]:
        """Every table with a ``pupil_id`` column (rows about a pupil), but the erasure log."""
        names = [
            name
            for (name,) in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return [
            name
            for name in names
            if name != "erasures"
            and any(row[1] == "pupil_id" for row in self.conn.execute(f'PRAGMA table_info("{name}")'))
        ]

    def erase_pupil(self, pupil_id: int, by: str, at: str, reason: str, *, checkpoint: bool = True) -> Erased:
        """Delete every row about the pupil and the pupil, in one transaction, leaving an audit
        line (see the module's notes). Raises if anything refuses: then nothing is deleted.
        ``checkpoint=False`` leaves the WAL to the caller (several erasures, one checkpoint)."""
        secure = int(self.conn.execute("PRAGMA secure_delete").fetchone()[0])
        self.conn.execute("PRAGMA secure_delete = ON")
        try:
            with self.transaction():
                tables = self._rows_about(pupil_id)
                erasure = self.conn.execute(
                    "INSERT INTO erasures (at, by, reason, rows, tables, pupil_id) VALUES (?, ?, ?, ?, ?, ?)",
                    (at_text(at), by, reason, sum(tables.values()), json.dumps(tables), pupil_id),
                ).lastrowid
                assert erasure is not None
                deleted = self._delete_about(pupil_id)
                if deleted != tables:  # pragma: no cover - the counts are taken in the same transaction
                    raise RuntimeError(f"erasure deleted {deleted}, expected {tables}")
                self.conn.execute("UPDATE erasures SET pupil_id = NULL WHERE id = ?", (erasure,))
        finally:
            self.conn.execute(f"PRAGMA secure_delete = {secure}")
        return Erased(erasure, tables, self.checkpoint() if checkpoint else False)

    def _rows_about(self, pupil_id: int) -> dict[str, int]:
        counts = {"moderation": self._moderation_rows(pupil_id, "SELECT count(*)")}
        for table in self.pupil_tables():
            if table != "pupils":
                (counts[table],) = self.conn.execute(
                    f'SELECT count(*) FROM "{table}" WHERE pupil_id = ?', (pupil_id,)
                ).fetchone()
        (counts["pupils"],) = self.conn.execute(
            "SELECT count(*) FROM pupils WHERE id = ?", (pupil_id,)
        ).fetchone()
        return {table: n for table, n in counts.items() if n}

    def _moderation_rows(self, pupil_id: int, verb: str) -> int:
        cursor = self.conn.execute(
            f"{verb} FROM moderation WHERE judgement_id IN (SELECT id FROM judgements WHERE pupil_id = ?)",
            (pupil_id,),
        )
        return cursor.fetchone()[0] if verb.startswith("SELECT") else cursor.rowcount

    def _delete_about(self, pupil_id: int) -> dict[str, int]:
        # moderation first (it points at judgements), then every table with a pupil_id, the pupil last
        deleted = {"moderation": self._moderation_rows(pupil_id, "DELETE")}
        for table in self.pupil_tables():
            if table != "pupils":
                deleted[table] = self.conn.execute(
                    f'DELETE FROM "{table}" WHERE pupil_id = ?', (pupil_id,)
                ).rowcount
        deleted["pupils"] = self.conn.execute("DELETE FROM pupils WHERE id = ?", (pupil_id,)).rowcount
        return {table: n for table, n in deleted.items() if n}

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it; False if another session stopped
        it part way (their open read keeps old pages in the WAL)."""
        if self.path is None:
            return True
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy == 0

    def erasure_log(self) -> list[ErasureLine]:
        """The erasure log, oldest first."""
        return [
            ErasureLine(i, at, by, reason, rows, json.loads(tables))
            for i, at, by, reason, rows, tables in self.conn.execute(
                "SELECT id, at, by, reason, rows, tables FROM erasures ORDER BY id"
            )
        ]

    # -- leavers -----------------------------------------------------------------------------

    def set_left(self, pupil_id: int, left_on: date | None) -> None:
        """Record the date a pupil left (None: back on roll)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE pupils SET left_on = ? WHERE id = ?",
                (left_on.isoformat() if left_on else None, pupil_id),
            )

    def left_on(self, pupil_id: int) -> date | None:
        row = self.conn.execute("SELECT left_on FROM pupils WHERE id = ?", (pupil_id,)).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def leavers(self, left_before: date | None = None) -> list[tuple[Pupil, date]]:
        """Pupils with a leaving date (before ``left_before``, if given), by name, with it."""
        where, params = "WHERE left_on IS NOT NULL", ()
        if left_before is not None:
            where, params = "WHERE left_on < ?", (left_before.isoformat(),)
        rows = self.conn.execute(f"SELECT id, left_on FROM pupils {where}", params).fetchall()
        left = {pupil_id: date.fromisoformat(on) for pupil_id, on in rows}
        if not left:
            return []
        pupils = self.read(
            PUPILS, f"WHERE id IN (SELECT value FROM json_each(?)) {_ORDER}", (json.dumps(list(left)),)
        )
        return [(p, left[p.id]) for p in pupils if p.id is not None]
