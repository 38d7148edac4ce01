"""A small school with staff, for the authorisation tests: one real database file and the input
files the commands read.

Class 4O (Year 4): Ava Ashby and Olly Oakes. Class 6P (Year 6): Pia Patel. One curriculum, the
key maths milestones from sample_curricula/ (year-linked, so points, tests and points targets
apply; each Year 4 number and place value milestone requires its Year 3 one).
Staff: ``head`` (admin), ``ms.o`` (teacher of 4O), ``mr.p`` (teacher of 6P) and ``view``
(viewer).

What is recorded, all on today's real date (the CLI runs on the real clock):

- Ava: 3NPV-1, 3NPV-2 and 3NPV-3 achieved by ``supply`` (a supply teacher who has since
  left, with overrides: their earlier prerequisites are gaps); 4NPV-2 achieved by ``ms.o`` (so she
  may retract it); a test score of 65, a personal target of 21 points, 4NPV-3 pinned as a focus
  item, a teacher's comment and a personal outcome (PO-1, not yet judged), all by ``ms.o``. Her Year 4 grid's columns are 4NPV-1 (open: it
  needs 3NPV-1), 4NPV-2 (achieved), 4NPV-3, 4NPV-4 (it needs 3NPV-4, not achieved),
  then the other Year 4 milestones.
- Olly: 3NPV-1 achieved by ``supply``.
- Pia: 5NPV-1 achieved by ``supply``; a test score of 70 by ``mr.p``.
- Moderation: in 4O, one of supply's judgements sampled and pending, another sampled and queried
  by ``head``; the others (and ms.o's 4NPV-2) are left to sample. Pia's 5NPV-1 sampled and
  pending. ``supply`` is not a member of staff, so any member of staff may moderate their
  judgements.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from passport_tui.curriculum import load_curriculum
from passport_tui.engine import academic_year_of
from passport_tui.models import Pupil
from passport_tui.service import Service, utc_now
from passport_tui.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_curricula"

CURRICULUM = "key-maths"
AVA = "K801200000001"  # 4O
OLLY = "K801200000002"  # 4O
PIA = "K801200000003"  # 6P
NOBODY = "K801299999999"  # no such pupil
NEW_PUPIL = "K801200000009"  # only in the roster and passport files

STAFF = {
    "admin": "head",
    "teacher": "ms.o",  # teaches 4O, Ava's class
    "other": "mr.p",  # teaches 6P only
    "viewer": "view",
    "unknown": "stranger",  # not a member of staff
}

OVERRIDE = "secure in class work"


@dataclass(frozen=True)
class School:
    """The built database (checkpointed, one file) and the files commands read."""

    db: Path
    curriculum_file: Path  # a curriculum the database does not have yet
    roster_csv: Path
    oneroster_set: Path
    test_scores_csv: Path  # Ava's score only
    passport_file: Path  # a new pupil from another school
    backup: Path  # a backup of ``db``, to restore
    pending_id: int  # Ava's sampled judgement, not yet moderated
    queried_id: int  # Ava's sampled judgement with an open query
    pia_judgement_id: int  # Pia's sampled judgement (another class)

    def copy_to(self, folder: Path) -> Path:
        """A fresh copy of the database in ``folder``, so that each case starts from the same state."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "school.db"
        shutil.copyfile(self.db, path)
        path.chmod(0o600)
        return path


def pupils(year: int) -> list[Pupil]:
    def pupil(upn: str, first: str, last: str, year_group: int, class_name: str, **kw) -> Pupil:
        return Pupil(
            upn=upn,
            first_name=first,
            last_name=last,
            year_group=year_group,
            academic_year=year,
            class_name=class_name,
            **kw,
        )

    return [
        pupil(AVA, "Ava", "Ashby", 4, "4O", gender="F", pupil_premium=True),
        pupil(OLLY, "Olly", "Oakes", 4, "4O", gender="M"),
        pupil(PIA, "Pia", "Patel", 6, "6P", gender="F", eal=True),
    ]


def build_school(folder: Path) -> School:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "school.db"
    year = academic_year_of(utc_now().date())

    # before any staff exist, anyone may use the database: a supply teacher's judgements
    with Service(Store.open(db), user="supply") as supply:
        with supply.store.transaction():
            supply.store.put_curriculum(load_curriculum(SAMPLES / "key-maths.toml"))
            supply.store.upsert_pupils(pupils(year))
        for upn, milestone in (
            (AVA, "3NPV-1"),
            (AVA, "3NPV-2"),
            (AVA, "3NPV-3"),
            (OLLY, "3NPV-1"),
            (PIA, "5NPV-1"),
        ):
            supply.judge(upn, milestone, "achieved", curriculum_id=CURRICULUM, reason=OVERRIDE)

        supply.add_staff("head", "Mrs Head", "admin")
    with Service(Store.open(db), user="head") as head:
        head.add_staff("ms.o", "Ms Owusu", "teacher", ["4O"])
        head.add_staff("mr.p", "Mr Price", "teacher", ["6P"])
        head.add_staff("view", "A Governor", "viewer")
        # drawn while every achieved judgement is supply's, so any member of staff may moderate
        drawn = head.draw_moderation_sample(class_name="4O", curriculum_id=CURRICULUM, size=2)
        pending_id, queried_id = (item.judgement.id for item in drawn)
        head.moderate(queried_id, "query", "Where is the evidence?")
        (pia,) = head.draw_moderation_sample(class_name="6P", curriculum_id=CURRICULUM, size=1)
    with Service(Store.open(db), user="ms.o") as teacher:
        teacher.judge(AVA, "4NPV-2", "achieved", curriculum_id=CURRICULUM)
        teacher.record_test(AVA, CURRICULUM, 65)
        teacher.set_target(AVA, CURRICULUM, reason="ready for more", points=21)
        teacher.pin_focus(AVA, "4NPV-3", provision="daily practice with Mr Lee", curriculum_id=CURRICULUM)
        teacher.add_teacher_comment(AVA, "Ava counts with confidence.")
        teacher.add_outcome(
            AVA,
            CURRICULUM,
            area="npv",
            title="Asks an adult for help when stuck",
            source="SEN support plan",
        )
    with Service(Store.open(db), user="mr.p") as other:
        other.record_test(PIA, CURRICULUM, 70)
        other.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    files = folder / "files"
    files.mkdir()
    curriculum_file = files / "engagement-model.toml"
    shutil.copyfile(SAMPLES / "engagement-model.toml", curriculum_file)
    roster = files / "roster.csv"
    roster.write_text(
        f"UPN,Forename,Surname,Year,Class\n{AVA},Ava,Ashby,4,4O\n{NEW_PUPIL},Noor,Nash,4,4O\n",
        encoding="utf-8",
    )
    scores = files / "scores.csv"
    scores.write_text(f"UPN,Score,Curriculum\n{AVA},81,{CURRICULUM}\n", encoding="utf-8")
    oneroster_set = write_oneroster_set(files / "oneroster", year)
    passport_file = write_passport_file(files, year)
    backup = files / "backup.db"
    from passport_tui.service import maintenance

    with Store.open(db) as store:
        maintenance.backup(store, backup)
    assert pia.judgement.id is not None
    assert_one_file(db)
    return School(
        db=db,
        curriculum_file=curriculum_file,
        roster_csv=roster,
        oneroster_set=oneroster_set,
        test_scores_csv=scores,
        passport_file=passport_file,
        backup=backup,
        pending_id=pending_id,  # type: ignore[arg-type]
        queried_id=queried_id,  # type: ignore[arg-type]
        pia_judgement_id=pia.judgement.id,
    )


def build_empty_school(folder: Path) -> Path:
    """The same classes, pupils and staff with nothing recorded yet (the first day of term)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "school.db"
    with Service(Store.open(db), user="head") as head:
        with head.store.transaction():
            head.store.put_curriculum(load_curriculum(SAMPLES / "key-maths.toml"))
            head.store.upsert_pupils(pupils(academic_year_of(utc_now().date())))
        head.add_staff("head", "Mrs Head", "admin")
        head.add_staff("ms.o", "Ms Owusu", "teacher", ["4O"])
        head.add_staff("mr.p", "Mr Price", "teacher", ["6P"])
        head.add_staff("view", "A Governor", "viewer")
        head.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert_one_file(db)
    return db


def assert_one_file(db: Path) -> None:
    """Everything is in the database file itself (no write-ahead log left), so a copy is whole."""
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def write_oneroster_set(folder: Path, year: int) -> Path:
    """A OneRoster 1.2 set with one UK school, class 4O and a new pupil in it."""
    files = {
        "manifest.csv": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n",
        "orgs.csv": (
            "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata.country\n"
            "org-1,active,2025-08-01,Hawthorn Primary,school,123456,,GB\n"
        ),
        "academicSessions.csv": (
            "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
            f"as-1,active,2025-08-01,{year}/{(year + 1) % 100:02d},schoolYear,"
            f"{year}-09-01,{year + 1}-07-31,,{year + 1}\n"
        ),
        "users.csv": (
            "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
            "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
            f"u-1,active,2025-08-01,true,noor,,Noor,Nash,,{NEW_PUPIL},,,,,04,\n"
        ),
        "roles.csv": (
            "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId\n"
            "r-1,active,2025-08-01,u-1,primary,student,,,org-1\n"
        ),
        "classes.csv": (
            "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
            "location,schoolSourcedId,termSourcedIds\n"
            "c-4o,active,2025-08-01,4O,04,course-1,4O,homeroom,,org-1,as-1\n"
        ),
        "enrollments.csv": (
            "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary\n"
            "e-1,active,2025-08-01,c-4o,org-1,u-1,student,false\n"
        ),
    }
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def write_passport_file(folder: Path, year: int) -> Path:
    """A passport file from another school: one new pupil with one judgement."""
    other = folder / "other-school.db"
    with Service(Store.open(other), user="their.teacher") as svc:
        with svc.store.transaction():
            svc.store.put_curriculum(load_curriculum(SAMPLES / "key-maths.toml"))
            svc.store.upsert_pupils(
                [
                    Pupil(
                        upn=NEW_PUPIL,
                        first_name="Noor",
                        last_name="Nash",
                        year_group=4,
                        academic_year=year,
                        class_name="4N",
                    )
                ]
            )
        svc.judge(NEW_PUPIL, "R-NUM-1", "achieved", curriculum_id=CURRICULUM)
        path = folder / "noor.passport.json"
        svc.write_passport_file(path, [NEW_PUPIL], school="Elm Primary")
    return path
