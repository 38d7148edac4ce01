"""Erasure of a pupil (UK GDPR) and leavers past the retention period (issue 12): every row about
the pupil goes, in one transaction, through the one audited path past the append-only triggers;
everyone else's rows stay exactly as they were; the pupil's name is gone from the file's bytes.

The school is tests/staffed_school.py's: Ava (4O) has judgements (overrides and her own), a test
score, a target, a focus item, a teacher's comment, a personal outcome and moderation rows; a
pathway, a note and a rename are added here.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_tui.cli import cli
from passport_tui.errors import NotAllowed, PassportError
from passport_tui.models import Note, NoteKind
from passport_tui.service import Service
from passport_tui.store import APPEND_ONLY, MODERATION_APPEND_ONLY, NOTES_APPEND_ONLY, Store
from tests.staffed_school import AVA, CURRICULUM, OLLY, PIA, STAFF, School, build_school

SECRETS = (  # Ava's words: none may be left in the file's bytes after her erasure
    AVA,
    "Ashby",
    "Ashbourne",  # her name before the rename below
    "Ava counts with confidence.",
    "Asks an adult for help when stuck",
    "daily practice with Mr Lee",
    "Counts on in fours at home",
    "family holiday in May",
)


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> School:
    built = build_school(tmp_path_factory.mktemp("erasure"))
    with Service(Store.open(built.db), user="head") as head:
        head.set_pathway(AVA, [CURRICULUM])
        head.edit_pupil(AVA, name="Ava Ashbourne")
        head.edit_pupil(AVA, name="Ava Ashby")
        ava = head.pupil(AVA)
        assert ava.id is not None
        head.store.add_note(
            Note(
                pupil_id=ava.id,
                kind=NoteKind.NOTE,
                text="Counts on in fours at home",
                by="head",
                at=head.now(),
            )
        )
        head.judge(AVA, "4NPV-3", "not_yet", curriculum_id=CURRICULUM, note="Ashby family holiday in May")
        head.store.checkpoint()
    return built


def rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema), in rowid order."""
    with closing(sqlite3.connect(db)) as conn:
        tables = [
            t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        out = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
        out["sqlite_master"] = conn.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
    return out


def about(db: Path, pupil_id: int) -> dict[str, list[tuple]]:
    """The rows about one pupil: every table with a pupil_id, moderation through its judgements."""
    with closing(sqlite3.connect(db)) as conn:
        out = {}
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            if table == "pupils":
                out[table] = conn.execute("SELECT * FROM pupils WHERE id = ?", (pupil_id,)).fetchall()
            elif table == "moderation":
                out[table] = conn.execute(
                    "SELECT * FROM moderation WHERE judgement_id IN (SELECT id FROM judgements WHERE pupil_id = ?)",
                    (pupil_id,),
                ).fetchall()
            elif "pupil_id" in columns and table != "erasures":
                out[table] = conn.execute(
                    f'SELECT * FROM "{table}" WHERE pupil_id = ?', (pupil_id,)
                ).fetchall()
    return out


def pupil_id(db: Path, upn: str) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT id FROM pupils WHERE upn = ?", (upn,)).fetchone()[0]


def passport(db: Path, who: str, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "--as", STAFF[who], *args])


def file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def test_erase_removes_every_row_about_the_pupil_and_nothing_else(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    ava = pupil_id(db, AVA)
    mine = about(db, ava)
    # the school holds something of hers in every kind of record
    for table in ("pupils", "judgements", "notes", "test_scores", "targets", "focus", "moderation"):
        assert mine[table], table
    for table in ("pathways", "projections", "outcomes"):
        assert mine[table], table
    before = rows(db)
    data = file_bytes(db)
    assert [s for s in SECRETS if s.encode() not in data] == ["Ashbourne"]  # overwritten in place

    result = passport(db, "admin", "pupils", "erase", AVA, "--reason", "erasure request", "--yes")
    assert result.exit_code == 0, result.output
    assert f"Erased Ava Ashby ({AVA}): {sum(map(len, mine.values()))} rows" in result.output

    after = rows(db)
    assert all(not found for found in about(db, ava).values())
    for table, kept in before.items():
        if table == "erasures":
            continue
        gone = set(mine.get(table, []))
        assert after[table] == [row for row in kept if row not in gone], table  # others untouched, in order
    # no value anywhere names her, and her words are gone from the file's bytes (no WAL left)
    for table, found in after.items():
        for row in found:
            assert not any(s in str(row) for s in SECRETS), (table, row)
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    data = file_bytes(db)
    assert [s for s in SECRETS if s.encode() in data] == []
    # the audit line: an opaque number, when, who, why and how many rows; nothing personal
    (line,) = after["erasures"]
    erasure_id, at, by, reason, count, tables, named = line
    assert (erasure_id, by, reason, named) == (1, "head", "erasure request", None)
    assert count == sum(json.loads(tables).values()) == sum(map(len, mine.values()))
    assert json.loads(tables)["judgements"] == len(mine["judgements"])
    assert at.startswith(date.today().isoformat()[:4])


def test_after_an_erasure_the_database_is_healthy_and_the_others_work(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    with Service(Store.open(db), user="head") as head:
        head.erase_pupil(AVA, "erasure request")
        checks = head.doctor()
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        assert head.store.stale_projections() == []
        with pytest.raises(PassportError, match="No pupil"):
            head.pupil(AVA)
        head.judge(OLLY, "3NPV-2", "achieved", curriculum_id=CURRICULUM, reason="secure in class")
        assert [line.reason for line in head.erasure_log()] == ["erasure request"]


@pytest.mark.parametrize(
    ("table", "message"),
    [("judgements", APPEND_ONLY), ("notes", NOTES_APPEND_ONLY), ("moderation", MODERATION_APPEND_ONLY)],
)
def test_an_ordinary_delete_is_still_refused(school: School, tmp_path: Path, table: str, message: str):
    """As in the sqlite3 shell (no foreign keys, no recursive triggers): before and after an
    erasure, of another pupil's rows and of all rows."""
    db = school.copy_to(tmp_path)
    with Service(Store.open(db), user="head") as head:
        head.erase_pupil(OLLY, "erasure request")
    ava = pupil_id(db, AVA)
    with closing(sqlite3.connect(db)) as raw:
        for sql, args in (
            (f"DELETE FROM {table}", ()),
            (f"DELETE FROM {table} WHERE rowid IN (SELECT min(rowid) FROM {table})", ()),
        ):
            with pytest.raises(sqlite3.IntegrityError, match=message):
                raw.execute(sql, args)
        if table != "moderation":
            with pytest.raises(sqlite3.IntegrityError, match=message):
                raw.execute(f"DELETE FROM {table} WHERE pupil_id = ?", (ava,))


def test_the_erasure_log_keeps_its_lines(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    with Service(Store.open(db), user="head") as head:
        head.erase_pupil(OLLY, "erasure request")
    with closing(sqlite3.connect(db)) as raw:
        for sql in (
            "DELETE FROM erasures",
            "UPDATE erasures SET reason = 'x'",
            "UPDATE erasures SET pupil_id = 3",
            "INSERT OR REPLACE INTO erasures (id, at, by, reason, rows, tables) VALUES (1, 'a', 'b', 'c', 0, '{}')",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="the erasure log is append-only"):
                raw.execute(sql)


def test_a_failed_erasure_leaves_everything(school: School, tmp_path: Path):
    """A row the erasure does not know points at one of the pupil's judgements: the foreign key
    stops it part way, and the whole transaction goes back."""
    db = school.copy_to(tmp_path)
    ava = pupil_id(db, AVA)
    with closing(sqlite3.connect(db)) as raw, raw:
        raw.execute("CREATE TABLE evidence (judgement_id INTEGER REFERENCES judgements(id))")
        raw.execute("INSERT INTO evidence SELECT id FROM judgements WHERE pupil_id = ? LIMIT 1", (ava,))
    before = rows(db)
    with Service(Store.open(db), user="head") as head, pytest.raises(sqlite3.IntegrityError):
        head.erase_pupil(AVA, "erasure request")
    assert rows(db) == before


@pytest.mark.parametrize("who", ["ms.o", "view", "mr.p"])
def test_only_an_admin_erases(school: School, tmp_path: Path, who: str):
    db = school.copy_to(tmp_path)
    before = rows(db)
    with Service(Store.open(db), user=who) as svc:
        with pytest.raises(NotAllowed, match="Only an admin can erase a pupil"):
            svc.erase_pupil(AVA, "erasure request")
        with pytest.raises(NotAllowed, match="Only an admin can erase a pupil"):
            svc.check_erasure(AVA)  # before a reason is asked for
        with pytest.raises(NotAllowed):
            svc.leavers()
        with pytest.raises(NotAllowed):
            svc.erase_leavers("2100-01-01")
        with pytest.raises(PassportError):  # mr.p: not his class, as a pupil that does not exist
            svc.edit_pupil(AVA, left="2020-07-20")
    assert rows(db) == before


def test_the_checks_before_the_reason_and_with_it(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    before = rows(db)
    with Service(Store.open(db), user="head") as head:
        assert head.check_erasure(AVA).upn == AVA  # no reason yet: admin and a known pupil
        with pytest.raises(PassportError, match="^Reason: the reason is kept after the erasure"):
            head.check_erasure(AVA, "Ava moved away")
        with pytest.raises(PassportError, match="^Reason: give a reason"):
            head.check_erasure(AVA, "  ")
    assert rows(db) == before


def test_erase_asks_first_and_refuses_without_a_terminal(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    before = rows(db)
    result = passport(db, "admin", "pupils", "erase", AVA, "--reason", "erasure request")
    assert result.exit_code == 1
    assert "pass --yes" in result.output
    # a reason naming her is refused before anything is asked or written
    result = passport(db, "admin", "pupils", "erase", AVA, "--reason", "Ava Ashby's parents asked", "--yes")
    assert result.exit_code == 1 and "may not hold the pupil's name" in result.output
    assert rows(db) == before


def test_leavers_and_the_retention_period(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    assert passport(db, "admin", "pupils", "edit", OLLY, "--left", "20/07/2019").exit_code == 0
    assert passport(db, "admin", "pupils", "edit", PIA, "--left", "2026-07-22").exit_code == 0
    edited = passport(db, "admin", "pupils", "edit", AVA, "--left", "2026-07-22")
    assert "Changed the leaving date of Ava Ashby" in edited.output
    assert passport(db, "admin", "pupils", "edit", AVA, "--left", "").exit_code == 0  # back on roll

    listed = passport(db, "admin", "pupils", "leavers")
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        f"{OLLY}  Oakes, Olly  left 2019-07-20  4O",
        f"{PIA}  Patel, Pia  left 2026-07-22  6P",
        "2 pupils left.",
    ]
    old = passport(db, "admin", "pupils", "leavers", "--left-before", "2020-09-01", "--json")
    assert [(x["upn"], x["left_on"]) for x in json.loads(old.output)] == [(OLLY, "2019-07-20")]

    refused = passport(db, "admin", "pupils", "leavers", "--erase", "--yes")
    assert refused.exit_code == 1 and "--left-before" in refused.output
    refused = passport(db, "admin", "pupils", "leavers", "--left-before", "2999-01-01", "--erase", "--yes")
    assert refused.exit_code == 1 and "in the future" in refused.output
    refused = passport(db, "admin", "pupils", "leavers", "--left-before", "2020-09-01", "--erase")
    assert refused.exit_code == 1 and "pass --yes" in refused.output

    olly = pupil_id(db, OLLY)
    erased = passport(db, "admin", "pupils", "leavers", "--left-before", "2020-09-01", "--erase", "--yes")
    assert erased.exit_code == 0, erased.output
    assert erased.output.splitlines()[-1] == "Erased 1 pupil who left before 2020-09-01."
    assert all(not found for found in about(db, olly).values())
    with Service(Store.open(db), user="head") as head:
        assert [x.pupil.upn for x in head.leavers()] == [PIA]
        assert head.pupil(AVA).upn == AVA
        (line,) = head.erasure_log()
        assert line.reason == "retention period: left before 2020-09-01"
    assert b"Oakes" not in file_bytes(db)


def test_a_bad_leaving_date_is_one_line_and_changes_nothing(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    before = rows(db)
    result = passport(db, "admin", "pupils", "edit", AVA, "--name", "Ava Bee", "--left", "31/02/2020")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "passport: Left: '31/02/2020' is not a date (YYYY-MM-DD or DD/MM/YYYY)."
    ]
    assert rows(db) == before


def test_erasure_overwrites_the_freed_space_whatever_sqlite_was_built_with(school: School, tmp_path: Path):
    """Some builds of SQLite zero deleted rows by default (Debian's), others do not: with
    secure_delete off on the connection, the erasure still turns it on for itself."""
    db = school.copy_to(tmp_path)
    with Service(Store.open(db), user="head") as head:
        head.store.conn.execute("PRAGMA secure_delete = OFF")
        done = head.erase_pupil(AVA, "erasure request")
        assert done.erased.checkpointed
        assert head.store.conn.execute("PRAGMA secure_delete").fetchone() == (0,)  # as it was
    data = file_bytes(db)
    assert [s for s in SECRETS if s.encode() in data] == []


@pytest.mark.slow  # over 2.5 s on the 2-core machine
def test_a_session_that_holds_the_wal_open_is_reported(school: School, tmp_path: Path):
    db = school.copy_to(tmp_path)
    with closing(sqlite3.connect(db, isolation_level=None)) as reader:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM judgements").fetchone()  # an open read: a snapshot
        with Service(Store.open(db), user="head") as head:
            done = head.erase_pupil(AVA, "erasure request")
        assert not done.erased.checkpointed
        reader.execute("COMMIT")
    with Store.open(db) as store:
        assert store.checkpoint()
    assert [s for s in SECRETS if s.encode() in file_bytes(db)] == []
