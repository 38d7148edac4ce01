"""Pupils: the roster, matched by UPN (in its canonical form: capitals, see
``models.canonical_upn``), pupils added and edited one at a time, and the classes they make."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..models import Pupil, Sen, canonical_upn, is_passport_id
from .connection import Column, Connection, RowMap


def _json_list(text: str | None) -> list[Any]:
    return json.loads(text) if text else []


def _json_text(items: list[Any]) -> str:
    return json.dumps(items, ensure_ascii=False)


PUPILS = RowMap(
    Pupil,
    "pupils",
    [
        Column("id"),
        Column("upn"),
        Column("first_name"),
        Column("last_name"),
        Column("year_group"),
        Column("academic_year"),
        Column("class_name"),
        Column("gender"),
        Column("pupil_premium", bool, int),
        Column("eal", bool, int),
        Column("sen", Sen, lambda sen: Sen(sen).value),
        Column("fsm", bool, int),
        Column("dob", lambda d: date.fromisoformat(d) if d else None, lambda d: d.isoformat() if d else None),
        Column("tags", _json_list, _json_text),
    ],
    validate=True,
)
_ORDER = "ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id"
_UPDATE = "UPDATE pupils SET {} WHERE upn = :upn".format(
    ", ".join(f"{name} = :{name}" for name in PUPILS.names if name not in ("id", "upn"))
)
_UPDATE_BY_ID = "UPDATE pupils SET {} WHERE id = :id".format(
    ", ".join(f"{name} = :{name}" for name in PUPILS.names if name != "id")
)


class PupilRows(Connection):
    def upsert_pupils(self, pupils: list[Pupil]) -> tuple[int, int]:
        """Add new pupils and update known ones, matched by canonical UPN (a known pupil keeps its id;
        an ``id`` on the given pupils is ignored). Returns (added, updated); a known pupil
        whose record is unchanged counts as neither. New pupils go in with ``insert_all``."""
        updated = 0
        with self.transaction():
            upns = json.dumps([canonical_upn(p.upn) for p in pupils])
            where = "WHERE upn IN (SELECT value FROM json_each(?))"
            known = {row["upn"]: row for row in self.query(f"{PUPILS.select} {where}", (upns,))}
            new: dict[str, dict[str, Any]] = {}
            for p in pupils:
                values = PUPILS.dump(p)
                upn = values["upn"] = canonical_upn(p.upn)
                if upn in new:  # the same UPN twice: the later row updates the earlier
                    updated += new[upn] != values
                    new[upn] = values
                    continue
                stored = known.get(upn)
                if stored is None:
                    new[upn] = values
                elif any(stored[column] != value for column, value in values.items()):
                    self.conn.execute(_UPDATE, values)
                    known[upn] = {**values, "id": stored["id"]}
                    updated += 1
            if new:
                self.db["pupils"].insert_all(new.values())
        return len(new), updated

    def pupils(self, class_name: str | None = None) -> list[Pupil]:
        """Pupils (of one class, if given) by last name, then first name."""
        if class_name is None:
            return self.read(PUPILS, _ORDER)
        return self.read(PUPILS, f"WHERE class_name = ? {_ORDER}", (class_name,))

    def add_pupil(self, pupil: Pupil) -> Pupil:
        """Add one pupil (the caller has checked that the UPN is free); returns it with its id."""
        with self.transaction():
            cursor = self.conn.execute(
                f"INSERT INTO pupils ({', '.join(PUPILS.names[1:])}) "
                f"VALUES ({', '.join(':' + n for n in PUPILS.names[1:])})",
                PUPILS.dump(pupil),
            )
        return pupil.model_copy(update={"id": cursor.lastrowid})

    def update_pupil(self, pupil: Pupil) -> None:
        """Write a known pupil's record, UPN included, by id (their judgements hang on the id)."""
        assert pupil.id is not None
        with self.transaction():
            self.conn.execute(_UPDATE_BY_ID, PUPILS.dump(pupil, with_id=True))

    def next_passport_id(self) -> str:
        """The next of the passport's own pupil ids (``P0001``, …) for a pupil without a UPN:
        one past the highest in use, so an id is never given twice."""
        highest = 0
        for (upn,) in self.conn.execute("SELECT upn FROM pupils WHERE upn GLOB 'P[0-9][0-9][0-9][0-9]*'"):
            if is_passport_id(upn):
                highest = max(highest, int(upn[1:]))
        return f"P{highest + 1:04d}"

    def pupil(self, key: str | int) -> Pupil | None:
        """The pupil with this UPN (in any case), else with this id. The UPN as typed is tried
        first: two UPNs that differ only in case from before UPNs were kept in capitals are both
        still there (the migration to capitals leaves them), each found by its own spelling."""
        found = self.read_one(PUPILS, "WHERE upn = ?", (str(key),))
        if found is None and str(key) != canonical_upn(str(key)):
            found = self.read_one(PUPILS, "WHERE upn = ?", (canonical_upn(str(key)),))
        if found is None:
            try:
                pupil_id = int(key)
            except ValueError:
                return None
            found = self.read_one(PUPILS, "WHERE id = ?", (pupil_id,))
        return found

    def has_pupils(self) -> bool:
        return self.conn.execute("SELECT 1 FROM pupils LIMIT 1").fetchone() is not None

    def classes(self) -> list[tuple[str, int]]:
        """(class name, number of pupils), by class name; pupils with no class are left out."""
        return self.conn.execute(
            "SELECT class_name, count(*) FROM pupils WHERE class_name IS NOT NULL "
            "GROUP BY class_name ORDER BY class_name"
        ).fetchall()

    # -- pathways -----------------------------------------------------------------------------

    def pathways(self) -> dict[int, set[str]]:
        """The curricula each pupil with a pathway of their own follows (pupils without one
        follow the school's defaults)."""
        out: dict[int, set[str]] = {}
        for pupil_id, curriculum_id in self.conn.execute("SELECT pupil_id, curriculum_id FROM pathways"):
            out.setdefault(pupil_id, set()).add(curriculum_id)
        return out

    def pathway(self, pupil_id: int) -> set[str] | None:
        """The curricula one pupil follows by a pathway of their own; None when they have none
        (they follow the school's defaults)."""
        rows = self.conn.execute("SELECT curriculum_id FROM pathways WHERE pupil_id = ?", (pupil_id,))
        return {cid for (cid,) in rows} or None

    def set_pathway(self, pupil_id: int, curriculum_ids: list[str]) -> None:
        """Replace a pupil's pathway (an empty list goes back to the school's defaults)."""
        with self.transaction():
            self.conn.execute("DELETE FROM pathways WHERE pupil_id = ?", (pupil_id,))
            self.conn.executemany(
                "INSERT INTO pathways (pupil_id, curriculum_id) VALUES (?, ?)",
                [(pupil_id, cid) for cid in dict.fromkeys(curriculum_ids)],
            )
