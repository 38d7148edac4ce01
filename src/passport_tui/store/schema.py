"""The schema: tables, indexes and triggers, declared through sqlite-utils' table API, and the
migrations that take a file from one version to the next (``PRAGMA user_version``).

``MIGRATIONS[n]`` takes a database at version ``n`` to ``n + 1``; a new file runs them all, so a
migrated file and a new one have the same schema. Each step gets the plain ``sqlite3``
connection (inside the caller's transaction) and works on it as a ``sqlite_utils.Database``.
Append a step for a change, never edit one: files in schools were made by the old steps (the
first three steps once wrote their tables as hand-written SQL; the tables and constraints are the
same, and ``tests/data/schema-v1.db`` and ``schema-v3.db`` are files made that way).

Tables, primary and foreign keys, NOT NULL, defaults and indexes go through ``db[table].create``
and ``create_index``. CHECK constraints, which its ``create`` cannot declare, are written by the
same builder (``Database.create_table_sql`` with its ``Check`` constraints; ``transform`` keeps
them since sqlite-utils 4.2). Each is named, so a refusal can be explained (``refusals.py``).
Triggers are plain SQL: the logs' append-only triggers (with the one way past them, erasure), and nothing else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import PassportError

if TYPE_CHECKING:
    from sqlite_utils import Database

APPEND_ONLY = "the judgement log is append-only"
MODERATION_APPEND_ONLY = "the moderation log is append-only"
NOTES_APPEND_ONLY = "notes are append-only"


def database(conn: sqlite3.Connection) -> Database:
    """A connection as a ``sqlite_utils.Database`` (imports sqlite-utils; runs no plugins)."""
    from sqlite_utils import Database

    return Database(conn, execute_plugins=False)


def create_table(
    db: Database,
    name: str,
    columns: dict[str, Any],
    *,
    pk: str | Sequence[str],
    foreign_keys: Iterable[Any] = (),
    not_null: Iterable[str] = (),
    defaults: dict[str, Any] | None = None,
    checks: Iterable[tuple[str, str, str]] = (),
) -> None:
    """Create a table with the table API. ``checks`` are ``(name, column, expression)`` CHECK
    constraints (column ``""`` for a table constraint), which ``db[name].create`` has no argument
    for: such a table is created from ``create_table_sql`` with them added."""
    checks = list(checks)
    if not checks:
        db[name].create(
            columns, pk=pk, foreign_keys=list(foreign_keys), not_null=set(not_null), defaults=defaults or {}
        )
        return
    from sqlite_utils.db import Check

    db.execute(
        db.create_table_sql(
            name,
            columns,
            pk=pk,
            foreign_keys=list(foreign_keys),
            not_null=set(not_null),
            defaults=defaults or {},
            _checks=[Check(expression, name=check, column=column) for check, column, expression in checks],
        )
    )


def append_only(table: str, message: str) -> list[str]:
    """Triggers that refuse UPDATE, DELETE and reusing an id (INSERT OR REPLACE) on ``table``:
    the refusal holds even in the ``sqlite3`` shell. INSERT OR REPLACE deletes the old row without
    firing DELETE triggers unless recursive_triggers is on (it is off in the shell), hence the
    third trigger."""
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
    ]


APPEND_ONLY_TABLES = (
    ("judgements", APPEND_ONLY),
    ("moderation", MODERATION_APPEND_ONLY),
    ("notes", NOTES_APPEND_ONLY),
)

# Since version 9 a log's DELETE trigger lets a row go only while an erasure of its pupil is under
# way: a row of ``erasures`` naming the pupil, which exists only inside the erasure's own
# transaction (it forgets the pupil before it commits). Every other DELETE is refused as before.
ERASING = {
    "judgements": "SELECT 1 FROM erasures WHERE pupil_id = OLD.pupil_id",
    "notes": "SELECT 1 FROM erasures WHERE pupil_id = OLD.pupil_id",
    "moderation": (
        "SELECT 1 FROM erasures AS e JOIN judgements AS j ON j.pupil_id = e.pupil_id WHERE j.id = OLD.judgement_id"
    ),
}
ERASURES_APPEND_ONLY = "the erasure log is append-only"


def erasable_delete(table: str, message: str) -> str:
    """The DELETE trigger of a log since version 9: refused unless its pupil is being erased."""
    return f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        WHEN NOT EXISTS ({ERASING[table]})
        BEGIN SELECT RAISE(ABORT, '{message}'); END"""


def erasures_triggers() -> list[str]:
    """The erasure log keeps its rows: no DELETE, and no UPDATE but the one that forgets the
    pupil at the end of the erasure (``pupil_id`` to NULL, every other column as it was)."""
    m = ERASURES_APPEND_ONLY
    return [
        f"""CREATE TRIGGER erasures_no_update BEFORE UPDATE ON erasures
        WHEN OLD.pupil_id IS NULL OR NEW.pupil_id IS NOT NULL OR NEW.id IS NOT OLD.id
        OR NEW.at IS NOT OLD.at OR NEW.by IS NOT OLD.by OR NEW.reason IS NOT OLD.reason
        OR NEW.rows IS NOT OLD.rows OR NEW.tables IS NOT OLD.tables
        BEGIN SELECT RAISE(ABORT, '{m}'); END""",
        f"""CREATE TRIGGER erasures_no_delete BEFORE DELETE ON erasures
        BEGIN SELECT RAISE(ABORT, '{m}'); END""",
        f"""CREATE TRIGGER erasures_no_replace BEFORE INSERT ON erasures
        WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM erasures WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{m}'); END""",
    ]


def append_only_triggers() -> dict[str, str]:
    """Every append-only trigger the schema makes (as of the current version), by name: the SQL
    that creates it."""
    statements = []
    for table, message in APPEND_ONLY_TABLES:
        for statement in append_only(table, message):
            if statement.split(None, 3)[2] == f"{table}_no_delete":
                statement = erasable_delete(table, message)
            statements.append(statement)
    statements += erasures_triggers()
    return {statement.split(None, 3)[2]: statement for statement in statements}


def _same_sql(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def trigger_problems(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """The append-only triggers that are missing, and those whose SQL is not what the schema
    makes (one replaced by a no-op, say): (missing, changed), by name."""
    present = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    missing, changed = [], []
    for name, sql in append_only_triggers().items():
        if name not in present:
            missing.append(name)
        elif not _same_sql(present[name] or "", sql):
            changed.append(name)
    return missing, changed


def restore_triggers(conn: sqlite3.Connection) -> list[str]:
    """Create again every append-only trigger that is missing or changed; returns their names.
    The caller holds the write transaction."""
    missing, changed = trigger_problems(conn)
    expected = append_only_triggers()
    for name in changed:
        conn.execute(f'DROP TRIGGER "{name}"')
    for name in [*missing, *changed]:
        conn.execute(expected[name])
    return sorted([*missing, *changed], key=list(expected).index)


# --- version 1: curricula, pupils, the judgement log, settings -------------------------


def _migrate_to_1(conn: sqlite3.Connection) -> None:
    db = database(conn)
    # body: the whole curriculum as JSON (Curriculum.model_dump_json); imported_at: ISO UTC
    create_table(
        db,
        "curricula",
        {"id": str, "version": str, "title": str, "source": str, "body": str, "imported_at": str},
        pk="id",
        not_null=["version", "title", "body", "imported_at"],
    )
    # position: file order within the curriculum
    create_table(
        db,
        "milestones",
        {"curriculum_id": str, "id": str, "stage": str, "strand": str, "title": str, "position": int},
        pk=("curriculum_id", "id"),
        foreign_keys=[("curriculum_id", "curricula", "id")],
        not_null=["curriculum_id", "id", "stage", "strand", "title", "position"],
    )
    # year_group: in academic_year (the calendar year it starts in); tags: a JSON list
    create_table(
        db,
        "pupils",
        {
            "id": int,
            "upn": str,
            "first_name": str,
            "last_name": str,
            "year_group": int,
            "academic_year": int,
            "class_name": str,
            "gender": str,
            "pupil_premium": int,
            "eal": int,
            "sen": str,
            "fsm": int,
            "dob": str,
            "tags": str,
        },
        pk="id",
        not_null=[
            "upn",
            "first_name",
            "last_name",
            "year_group",
            "academic_year",
            "pupil_premium",
            "eal",
            "sen",
            "fsm",
            "tags",
        ],
        defaults={"pupil_premium": 0, "eal": 0, "sen": "none", "fsm": 0, "tags": "[]"},
        checks=[("pupil_sen", "sen", "sen IN ('none', 'support', 'ehcp')")],
    )
    db["pupils"].create_index(["upn"], index_name="pupils_upn", unique=True)
    db["pupils"].create_index(["class_name"], index_name="pupils_class")
    # at: ISO UTC, when the judgement takes effect (may be back-dated); recorded_at: when written.
    # The verdict CHECK is spelt out with OR: SQLite evaluates an IN list in a CHECK slowly
    # (2 s per 1M rows).
    create_table(
        db,
        "judgements",
        {
            "id": int,
            "pupil_id": int,
            "curriculum_id": str,
            "milestone_id": str,
            "verdict": str,
            "by": str,
            "at": str,
            "note": str,
            "reason": str,
            "corrects": int,
            "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("pupil_id", "pupils", "id"), ("corrects", "judgements", "id")],
        not_null=["pupil_id", "curriculum_id", "milestone_id", "verdict", "by", "at", "recorded_at"],
        checks=[
            (
                "judgement_verdict",
                "verdict",
                "verdict = 'achieved' OR verdict = 'not_yet' OR verdict = 'retracted' OR verdict = 'revisit'",
            )
        ],
    )
    # (pupil_id, curriculum_id, id) plus the columns of Store.event_rows, which it then covers
    db["judgements"].create_index(
        ["pupil_id", "curriculum_id", "id", "milestone_id", "verdict", "at", "corrects"],
        index_name="judgements_pupil",
    )
    db["judgements"].create_index(["curriculum_id", "milestone_id"], index_name="judgements_milestone")
    for statement in append_only("judgements", APPEND_ONLY):
        db.execute(statement)
    # value: JSON
    create_table(db, "settings", {"key": str, "value": str}, pk="key")


# --- version 2: termly records (DESIGN §2.7-§2.12) ---------------------------------------
# Each keeps its history: the newest row (highest id) for a key is the current one.


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    db = database(conn)
    pupil = ("pupil_id", "pupils", "id")
    # academic_year: the calendar year it starts in; term: 1 autumn, 2 spring, 3 summer;
    # score: percent; at: ISO UTC, when it was recorded
    create_table(
        db,
        "test_scores",
        {
            "id": int,
            "pupil_id": int,
            "curriculum_id": str,
            "academic_year": int,
            "term": int,
            "score": float,
            "by": str,
            "at": str,
            "note": str,
        },
        pk="id",
        foreign_keys=[pupil],
        not_null=["pupil_id", "curriculum_id", "academic_year", "term", "score", "by", "at"],
        checks=[
            ("test_score_term", "term", "term IN (1, 2, 3)"),
            ("test_score_percent", "score", "score BETWEEN 0 AND 100"),
        ],
    )
    db["test_scores"].create_index(
        ["curriculum_id", "academic_year", "term", "pupil_id", "id"], index_name="test_scores_school"
    )
    db["test_scores"].create_index(
        ["pupil_id", "curriculum_id", "academic_year", "term", "id"], index_name="test_scores_pupil"
    )
    # points and milestones both NULL: back to the default target; milestones: a JSON list of
    # milestone ids; due: an ISO date ('+0 days' normalises 30 Feb, which date() alone lets
    # through); at: ISO UTC, when it was set
    create_table(
        db,
        "targets",
        {
            "id": int,
            "pupil_id": int,
            "curriculum_id": str,
            "academic_year": int,
            "points": int,
            "milestones": str,
            "due": str,
            "reason": str,
            "by": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[pupil],
        not_null=["pupil_id", "curriculum_id", "academic_year", "reason", "by", "at"],
        checks=[
            ("target_points", "points", "points IS NULL OR (typeof(points) = 'integer' AND points >= 0)"),
            (
                "target_milestones",
                "milestones",
                "milestones IS NULL OR CASE WHEN json_valid(milestones) THEN json_type(milestones) = 'array' "
                "AND json_array_length(milestones) > 0 ELSE 0 END",
            ),
            ("target_due", "due", "due IS NULL OR date(due, '+0 days') IS due"),
            ("target_reason", "reason", "trim(reason, char(32, 9, 10, 13)) <> ''"),
        ],
    )
    db["targets"].create_index(
        ["curriculum_id", "academic_year", "pupil_id", "id"], index_name="targets_school"
    )
    db["targets"].create_index(["pupil_id", "curriculum_id", "id"], index_name="targets_pupil")
    create_table(
        db,
        "moderation",
        {"id": int, "judgement_id": int, "action": str, "by": str, "at": str, "note": str},
        pk="id",
        foreign_keys=[("judgement_id", "judgements", "id")],
        not_null=["judgement_id", "action", "by", "at"],
        checks=[("moderation_action", "action", "action IN ('sampled', 'confirmed', 'queried', 'resolved')")],
    )
    db["moderation"].create_index(["judgement_id", "id"], index_name="moderation_judgement")
    for statement in append_only("moderation", MODERATION_APPEND_ONLY):
        db.execute(statement)
    # active: 1 pinned, 0 unpinned
    create_table(
        db,
        "focus",
        {
            "id": int,
            "pupil_id": int,
            "curriculum_id": str,
            "milestone_id": str,
            "provision": str,
            "by": str,
            "at": str,
            "active": int,
        },
        pk="id",
        foreign_keys=[pupil],
        not_null=["pupil_id", "curriculum_id", "milestone_id", "by", "at", "active"],
        checks=[("focus_active", "active", "active IN (0, 1)")],
    )
    db["focus"].create_index(["pupil_id", "curriculum_id", "milestone_id", "id"], index_name="focus_pupil")
    create_table(
        db,
        "notes",
        {"id": int, "pupil_id": int, "curriculum_id": str, "kind": str, "text": str, "by": str, "at": str},
        pk="id",
        foreign_keys=[pupil],
        not_null=["pupil_id", "kind", "text", "by", "at"],
        checks=[
            ("note_kind", "kind", "kind IN ('teacher comment', 'note')"),
            ("note_text", "text", "trim(text, char(32, 9, 10, 13)) <> ''"),
        ],
    )
    db["notes"].create_index(["pupil_id", "kind", "id"], index_name="notes_pupil")
    for statement in append_only("notes", NOTES_APPEND_ONLY):
        db.execute(statement)


# --- version 3: staff and the classes they teach -----------------------------------------


def _migrate_to_3(conn: sqlite3.Connection) -> None:
    from sqlite_utils.db import ForeignKey

    db = database(conn)
    create_table(
        db,
        "staff",
        {"username": str, "name": str, "role": str},
        pk="username",
        not_null=["name", "role"],
        checks=[("staff_role", "role", "role IN ('admin', 'teacher', 'viewer')")],
    )
    create_table(
        db,
        "staff_classes",
        {"username": str, "class_name": str},
        pk=("username", "class_name"),
        foreign_keys=[ForeignKey("staff_classes", "username", "staff", "username", on_delete="CASCADE")],
        not_null=["username", "class_name"],
    )


# --- version 4: each pupil's current standing per curriculum, projected from the log ---------


def _migrate_to_4(conn: sqlite3.Connection) -> None:
    from .projections import create_projections_table, rebuild

    create_projections_table(database(conn))
    rebuild(conn)


# --- version 5: pathways, the curricula each pupil follows ------------------------------------


def _migrate_to_5(conn: sqlite3.Connection) -> None:
    from sqlite_utils.db import ForeignKey

    # a pupil with no row follows the school's default curricula; a curriculum id is not a foreign
    # key, so re-importing a curriculum (a new version) keeps who follows it
    create_table(
        database(conn),
        "pathways",
        {"pupil_id": int, "curriculum_id": str},
        pk=("pupil_id", "curriculum_id"),
        foreign_keys=[ForeignKey("pathways", "pupil_id", "pupils", "id", on_delete="CASCADE")],
        not_null=["pupil_id", "curriculum_id"],
    )


# --- version 6: UPNs in their canonical form (capitals), so lookups ignore case ----------------


def _migrate_to_6(conn: sqlite3.Connection) -> None:
    from ..models import canonical_upn

    rows = conn.execute("SELECT id, upn FROM pupils ORDER BY id").fetchall()
    taken = {upn for _, upn in rows}
    for pupil_id, upn in rows:
        canonical = canonical_upn(upn)
        # two pupils whose UPNs differ only in case both stay as they are (the first found by a
        # lookup in capitals, the other by its exact UPN or its id): merging them is a person's call
        if canonical != upn and canonical not in taken:
            conn.execute("UPDATE pupils SET upn = ? WHERE id = ?", (canonical, pupil_id))
            taken.discard(upn)
            taken.add(canonical)


# --- version 7: curricula that change safely: moved and retired milestones ---------------------


def _migrate_to_7(conn: sqlite3.Connection) -> None:
    db = database(conn)
    # old: the id of a milestone a new version of the curriculum left out; new: the milestone its
    # judgements count as from then on (the log keeps the old id; folding reads it as the new one)
    create_table(
        db,
        "milestone_moves",
        {"curriculum_id": str, "old": str, "new": str},
        pk=("curriculum_id", "old"),
        foreign_keys=[("curriculum_id", "curricula", "id")],
        not_null=["curriculum_id", "old", "new"],
    )
    # retired: 1 for a milestone no longer taught, kept with its history
    db["milestones"].add_column("retired", int, not_null_default=0)


# --- version 8: personal outcomes, milestones of one pupil from their EHCP or provision plan ----


def _migrate_to_8(conn: sqlite3.Connection) -> None:
    from sqlite_utils.db import ForeignKey

    # id: e.g. PO-1, unique among the pupil's outcomes in the curriculum; area: a strand id of the
    # curriculum; requires: a JSON list of the curriculum's own milestone ids; at, retired_at: ISO
    # UTC. A curriculum id is not a foreign key (as for pathways): re-importing a curriculum keeps
    # them. Retiring fills the three retired_ columns; the row stays, with its judgements.
    create_table(
        database(conn),
        "outcomes",
        {
            "pupil_id": int,
            "curriculum_id": str,
            "id": str,
            "area": str,
            "title": str,
            "source": str,
            "requires": str,
            "by": str,
            "at": str,
            "retired_at": str,
            "retired_by": str,
            "retired_reason": str,
        },
        pk=("pupil_id", "curriculum_id", "id"),
        foreign_keys=[ForeignKey("outcomes", "pupil_id", "pupils", "id", on_delete="CASCADE")],
        not_null=["pupil_id", "curriculum_id", "id", "area", "title", "requires", "by", "at"],
        defaults={"requires": "[]"},
        checks=[
            (
                "outcome_id",
                "id",
                "id <> '' AND instr(id, ' ') = 0 AND instr(id, char(9)) = 0 AND instr(id, char(10)) = 0 "
                "AND instr(id, char(13)) = 0",
            ),
            ("outcome_title", "title", "trim(title, char(32, 9, 10, 13)) <> ''"),
            (
                "outcome_requires",
                "requires",
                "CASE WHEN json_valid(requires) THEN json_type(requires) = 'array' ELSE 0 END",
            ),
            (
                "outcome_retired",
                "",
                "(retired_at IS NULL) = (retired_by IS NULL) AND (retired_at IS NULL) = (retired_reason IS NULL)",
            ),
        ],
    )


# --- version 9: erasure of a pupil (UK GDPR) and leavers -----------------------------------------


def _migrate_to_9(conn: sqlite3.Connection) -> None:
    db = database(conn)
    # The audit line of an erasure, without personal data: id (an opaque number), at (ISO UTC),
    # by (the admin's login), reason, rows (how many were deleted) and tables (a JSON object
    # table -> rows). pupil_id names the pupil only inside the erasure's transaction: the logs'
    # DELETE triggers let that pupil's rows go while it does; it is NULL once committed.
    create_table(
        db,
        "erasures",
        {"id": int, "at": str, "by": str, "reason": str, "rows": int, "tables": str, "pupil_id": int},
        pk="id",
        not_null=["at", "by", "reason", "rows", "tables"],
        checks=[("erasure_reason", "reason", "trim(reason, char(32, 9, 10, 13)) <> ''")],
    )
    db["erasures"].create_index(["pupil_id"], index_name="erasures_pupil")
    for statement in erasures_triggers():
        db.execute(statement)
    for table, message in APPEND_ONLY_TABLES:
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        db.execute(erasable_delete(table, message))
    # left_on: the ISO date a pupil left the school (NULL while they are on roll), set by
    # 'pupils edit --left'; leavers past the school's retention period may be erased
    db.execute(
        "ALTER TABLE pupils ADD COLUMN left_on TEXT CONSTRAINT pupil_left_on "
        "CHECK (left_on IS NULL OR date(left_on, '+0 days') IS left_on)"
    )


# --- version 10: the names of other schools' staff, as passport files named them -------------


def _migrate_to_10(conn: sqlite3.Connection) -> None:
    db = database(conn)
    # by: an author as the logs store one a passport file brought ("ms.hughes, Oak Primary", never
    # a login here); name: their name as the sending school set it ("Ms Hughes"); named_at: when
    # the file that named them was exported (ISO UTC; a file exported later names them anew)
    create_table(
        db,
        "author_names",
        {"by": str, "name": str, "named_at": str},
        pk="by",
        not_null=["by", "name", "named_at"],
        checks=[("author_names_by", "by", "instr(by, ',') > 0")],
    )


# --- version 11: the judgements of a baseline on entry, found without reading the log -------------

# A baseline on entry is where a pupil started, never progress (engine.entry): its judgements are the
# achieved ones whose note starts "Baseline on entry". A partial index holds only those, so the
# progress figures find a curriculum's few baselines at once: by pupil, then by time, so a pupil's
# baselines since a moment are one range. A query uses it only when its WHERE holds these same
# terms (``JudgementLog.baseline_entries``).
BASELINE_WHERE = "verdict = 'achieved' AND substr(note, 1, 17) = 'Baseline on entry'"


def _migrate_to_11(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE INDEX judgements_baseline ON judgements (curriculum_id, pupil_id, at, milestone_id) "
        f"WHERE {BASELINE_WHERE}"
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_1,
    _migrate_to_2,
    _migrate_to_3,
    _migrate_to_4,
    _migrate_to_5,
    _migrate_to_6,
    _migrate_to_7,
    _migrate_to_8,
    _migrate_to_9,
    _migrate_to_10,
    _migrate_to_11,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, where: object) -> None:
    """Bring the file to ``SCHEMA_VERSION`` in one ``BEGIN IMMEDIATE`` transaction (a new file
    runs every step). A file at the current version costs one pragma read and no import of
    sqlite-utils; a file from a newer passport is refused (``where`` names it)."""
    version = _version(conn)
    if version > SCHEMA_VERSION:
        raise PassportError(
            f"{where} was written by a newer passport (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade passport to open it."
        )
    if version == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _version(conn)  # another process may have migrated meanwhile
        for migration in MIGRATIONS[version:]:
            migration(conn)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
