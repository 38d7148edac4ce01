"""Staff (who may do what, and which classes they teach) and the school's settings."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .connection import Connection
from .refusals import explain

StaffMember = tuple[str, str, str, list[str]]  # (username, name, role, classes taught)


class StaffRows(Connection):
    # -- settings -------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A setting's value (stored as JSON), or ``default`` when it was never set."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    # -- staff ----------------------------------------------------------------------------

    def staff(self) -> list[StaffMember]:
        """Every member of staff: (username, name, role, classes taught), by username."""
        classes: dict[str, list[str]] = {}
        for username, class_name in self.conn.execute(
            "SELECT username, class_name FROM staff_classes ORDER BY class_name"
        ):
            classes.setdefault(username, []).append(class_name)
        return [
            (u, n, r, classes.get(u, []))
            for u, n, r in self.conn.execute("SELECT username, name, role FROM staff ORDER BY username")
        ]

    def staff_member(self, username: str) -> StaffMember | None:
        """One member of staff, as ``staff`` lists them, or None."""
        row = self.conn.execute(
            "SELECT username, name, role FROM staff WHERE username = ?", (username,)
        ).fetchone()
        if row is None:
            return None
        classes = [
            c
            for (c,) in self.conn.execute(
                "SELECT class_name FROM staff_classes WHERE username = ? ORDER BY class_name", (username,)
            )
        ]
        return (row[0], row[1], row[2], classes)

    def put_staff(self, username: str, name: str, role: str, classes: list[str] | None = None) -> None:
        """Add or change a member of staff; ``classes`` (when given) replaces the classes they teach."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO staff (username, name, role) VALUES (?, ?, ?) "
                "ON CONFLICT (username) DO UPDATE SET name = excluded.name, role = excluded.role",
                (username, name, role),
            )
            if classes is not None:
                self.conn.execute("DELETE FROM staff_classes WHERE username = ?", (username,))
                if classes:
                    self.db["staff_classes"].insert_all(
                        {"username": username, "class_name": c} for c in dict.fromkeys(classes)
                    )

    def remove_staff(self, username: str) -> bool:
        """Remove a member of staff and their classes; False if there was no such member."""
        with self.transaction():
            self.conn.execute("DELETE FROM staff_classes WHERE username = ?", (username,))
            return self.conn.execute("DELETE FROM staff WHERE username = ?", (username,)).rowcount > 0

    # -- other schools' staff, as passport files named them --------------------------------

    def author_names(self) -> dict[str, str]:
        """The name of each author a passport file brought whose file named them, by author as the
        logs store it: ``{"ms.hughes, Oak Primary": "Ms Hughes"}``."""
        return dict(self.conn.execute('SELECT "by", name FROM author_names ORDER BY "by"'))

    def name_authors(self, names: dict[str, str], named_at: str) -> int:
        """Record the names a passport file exported at ``named_at`` (ISO UTC) gives its authors
        (``by`` as the logs store it: each holds a comma). A name from a file exported earlier than
        the one that named the author before is left as it is. Returns how many names changed."""
        if not names:
            return 0
        known = {
            by: (name, at)
            for by, name, at in self.conn.execute('SELECT "by", name, named_at FROM author_names')
        }
        rows = [
            (by, name, named_at) for by, name in names.items() if by not in known or named_at > known[by][1]
        ]
        with self.transaction():
            for by, name, at in rows:
                try:
                    self.conn.execute(
                        'INSERT INTO author_names ("by", name, named_at) VALUES (?, ?, ?) '
                        'ON CONFLICT ("by") DO UPDATE SET name = excluded.name, named_at = excluded.named_at',
                        (by, name, at),
                    )
                except sqlite3.IntegrityError as e:
                    refusal = explain(self.conn, e, "author_names", {"by": by, "name": name, "named_at": at})
                    if refusal is None:
                        raise
                    raise refusal from e
        return sum(1 for by, name, _ in rows if by not in known or known[by][0] != name)
