"""The use cases: the only API the CLI and the terminal app call.

Each call joins the store (what was recorded) and the engine (what the rules say). A judgement is
decided and appended inside one write transaction, so two teachers marking the same pupil at once
are both checked against the latest state.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from . import engine
from .curriculum import load_curriculum, save_curriculum
from .engine import Event, PupilRecord, Standing, TermDates
from .errors import Ambiguous, JudgementRefused, NotAllowed, NotFound, PassportError
from .models import Curriculum, Judgement, Milestone, Note, NoteKind, Pupil, Verdict
from .store import Store, iso_utc, resolve_db_path
from .termly import TermlyCycle

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .interop.oneroster import OneRosterImport
    from .interop.transfer import ImportSummary
    from .maintenance import BackupResult, Check, RestoreResult

VERDICT_WORDS = {
    "achieved": Verdict.ACHIEVED,
    "not-yet": Verdict.NOT_YET,
    "not_yet": Verdict.NOT_YET,
    "notyet": Verdict.NOT_YET,
    "retracted": Verdict.RETRACTED,
    "revisit": Verdict.REVISIT,
}


def current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container without passwd entry)
        return os.environ.get("USER", "teacher")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_event(j: Judgement) -> Event:
    return Event(
        j.id or 0,
        j.milestone_id,
        j.verdict.value,
        j.at,
        j.corrects,
        j.by,
        override=j.verdict is Verdict.ACHIEVED and j.reason is not None,
    )


def each_record(rows: Iterable[tuple]) -> Iterator[tuple[int, PupilRecord]]:
    """Fold the store's event rows ``(pupil_id, id, milestone, verdict, at, corrects)``, ordered by
    pupil then id, into one record per pupil, yielded pupil by pupil (so a whole school never sits
    in memory at once)."""
    current: int | None = None
    record = PupilRecord()
    for pupil_id, eid, milestone, verdict, at, corrects in rows:
        if pupil_id != current:
            if current is not None:
                yield current, record
            current, record = pupil_id, PupilRecord()
        # the store writes ISO-8601 with a UTC offset, so no time zone fix-up is needed here
        record.apply_row(
            eid, milestone, verdict, datetime.fromisoformat(at) if isinstance(at, str) else at, corrects
        )
    if current is not None:
        yield current, record


def fold_rows(rows: Iterable[tuple]) -> dict[int, PupilRecord]:
    """Every pupil's record from the store's event rows, as a dict."""
    return dict(each_record(rows))


@dataclass(slots=True)
class Outcome:
    """What happened to one judgement of a bulk action."""

    pupil: Pupil
    judgement: Judgement | None = None
    refusal: JudgementRefused | None = None
    already: bool = False  # already achieved (and not due a revisit): nothing recorded


@dataclass(slots=True)
class CurriculumPassport:
    curriculum: Curriculum
    standing: Standing
    achieved_on: dict[str, datetime] = field(default_factory=dict)


@dataclass(slots=True)
class PupilPassport:
    pupil: Pupil
    year_group: int
    today: date
    curricula: list[CurriculumPassport]
    focus: list = field(default_factory=list)


@dataclass(slots=True)
class GridLine:
    """One pupil's row of the class grid."""

    pupil: Pupil
    year_group: int
    cells: list[engine.Cell]
    points: int | None
    expected: int | None
    flags: list[engine.Flag]


@dataclass(slots=True)
class TrackingRow:
    """One pupil in one curriculum on the tracking table."""

    pupil: Pupil
    curriculum_id: str
    standing: Standing

    @property
    def needs_support(self) -> bool:
        """Falling behind, or stalled without being ahead."""
        flags = self.standing.flags
        Flag = engine.Flag  # noqa: N806
        return Flag.FALLING_BEHIND in flags or (Flag.STALLED in flags and Flag.EXCELLING not in flags)


@dataclass(slots=True)
class GroupAnalysis:
    """Each group against the rest in one curriculum, and the milestones where groups lag most."""

    curriculum_id: str
    window: engine.Window
    groups: list
    lags: list


class Service(TermlyCycle):
    """The Milestones Passport of one database, used by one person (``user``)."""

    def __init__(self, store: Store, user: str | None = None, clock: Callable[[], datetime] = utc_now):
        self.store = store
        self.user = user or current_user()
        self.clock = clock
        self.check_access()

    # --- who is using it (DESIGN §8: roles keep the workflow honest) ---------------------

    def check_access(self) -> None:
        """Once staff exist, only a known member of staff may use the database."""
        if self.store.staff() and self.store.staff_member(self.user) is None:
            raise NotAllowed(
                f"{self.user!r} is not a member of staff in this database; an admin can add you "
                "with 'passport staff add'."
            )

    @property
    def role(self) -> str:
        """admin, teacher or viewer; everyone is admin until staff are configured (a tutor, a family)."""
        me = self.store.staff_member(self.user)
        return me[2] if me else "admin"

    def my_classes(self) -> set[str] | None:
        """The classes a teacher teaches; None when the user may see every class."""
        me = self.store.staff_member(self.user)
        if me is None or me[2] != "teacher":
            return None
        return set(me[3])

    def require_admin(self, what: str) -> None:
        if self.role != "admin":
            raise NotAllowed(f"Only an admin can {what}.")

    def require_change(self) -> None:
        if self.role == "viewer":
            raise NotAllowed(f"{self.user} can view but not change anything.")

    def add_staff(self, username: str, name: str, role: str, classes: list[str] | None = None) -> None:
        """Add or change a member of staff (admins only, once staff exist). The first member added
        must be an admin, so the database never locks everyone out."""
        if role not in ("admin", "teacher", "viewer"):
            raise PassportError(f"A role is admin, teacher or viewer, not {role!r}.")
        if not self.store.staff():
            if role != "admin":
                raise PassportError(
                    "Add an admin first: once staff exist, only known staff can use the database."
                )
        else:
            self.require_admin("manage staff")
        self.store.put_staff(username, name, role, classes)

    def remove_staff(self, username: str) -> None:
        self.require_admin("manage staff")
        admins = [m for m in self.store.staff() if m[2] == "admin" and m[0] != username]
        if not admins:
            raise PassportError("That would leave no admin; add another admin first.")
        if not self.store.remove_staff(username):
            raise NotFound(f"No member of staff {username!r}.")

    @classmethod
    def open(cls, db: str | Path | None = None, user: str | None = None) -> Service:
        return cls(Store.open(resolve_db_path(str(db) if db is not None else None)), user)

    def reopen(self) -> Service:
        """The same database for the same person on a new connection (one per worker thread)."""
        return type(self)(Store.open(self.store.path), self.user, self.clock)

    @property
    def database_path(self) -> Path:
        return Path(self.store.path)

    def schema_version(self) -> int:
        return self.store.schema_version()

    def staff(self) -> list[tuple[str, str, str, list[str]]]:
        """Every member of staff: (username, name, role, classes)."""
        return self.store.staff()

    def others_changed(self) -> int:
        """A number that changes when another connection commits (not this one)."""
        return self.store.others_changed()

    def last_change(self) -> int:
        """A number that changes whenever anyone, this connection included, commits."""
        return self.store.last_change()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- time ----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().date()

    @property
    def terms(self) -> TermDates:
        value = self.store.get_setting("term_dates")
        if not value:
            return engine.DEFAULT_TERMS
        return TermDates(spring=tuple(value["spring"]), summer=tuple(value["summer"]))

    def set_term_dates(self, spring: tuple[int, int], summer: tuple[int, int]) -> TermDates:
        """The school's own window dates: when spring and summer start (autumn starts 1 September)."""
        self.require_admin("change the term dates")
        try:
            terms = TermDates(spring=spring, summer=summer)
        except ValueError as error:
            raise PassportError(f"Those term dates don't work: {error}.") from None
        self.store.set_setting("term_dates", {"spring": list(spring), "summer": list(summer)})
        return terms

    def window(self, key: str | None = None) -> engine.Window:
        """The current window, or the one named like ``2026-autumn``."""
        if key is None:
            return engine.window_of(self.today(), self.terms)
        try:
            return engine.parse_window(key, self.terms)
        except ValueError as error:
            raise PassportError(str(error)) from None

    def academic_year(self, on: date | None = None) -> int:
        return engine.academic_year_of(on or self.today())

    def year_group(self, pupil: Pupil, on: date | None = None) -> int:
        return pupil.year_group_in(self.academic_year(on))

    # --- curricula -----------------------------------------------------------------------

    def read_curriculum(self, path: str | Path) -> tuple[Curriculum, list[str]]:
        """A curriculum file: our TOML, or a CASE JSON package (with warnings about what a real
        package does that CASE does not allow)."""
        from .interop.case import looks_like_case, read_case

        if Path(path).suffix.lower() == ".json" or looks_like_case(path):
            return read_case(path)
        return load_curriculum(path), []

    def import_curriculum(self, path: str | Path) -> Curriculum:
        return self.import_curriculum_with_warnings(path)[0]

    def import_curriculum_with_warnings(self, path: str | Path) -> tuple[Curriculum, list[str]]:
        self.require_admin("import a curriculum")
        c, warnings = self.read_curriculum(path)
        with self.store.transaction():
            self.store.put_curriculum(c)
        return c, warnings

    def export_curriculum(self, curriculum_id: str, path: str | Path) -> Path:
        """Write a curriculum to a new file: CASE 1.1 JSON for a .json path, else our TOML."""
        c = self.curriculum(curriculum_id)
        if Path(path).suffix.lower() == ".json":
            from .interop.case import save_case

            save_case(c, path)
        else:
            save_curriculum(c, path)
        return Path(path)

    def curricula(self) -> list[Curriculum]:
        return self.store.curricula()

    def curriculum(self, curriculum_id: str) -> Curriculum:
        c = self.store.curriculum(curriculum_id)
        if c is None:
            known = ", ".join(x.id for x in self.store.curricula()) or "none yet"
            raise NotFound(f"No curriculum {curriculum_id!r} (known: {known}).")
        return c

    def milestone(self, milestone_id: str, curriculum_id: str | None = None) -> tuple[Curriculum, Milestone]:
        """Find a milestone by id; ``curriculum_id`` is needed only when the id is ambiguous."""
        if curriculum_id is not None:
            c = self.curriculum(curriculum_id)
            m = c.milestone_by_id.get(milestone_id)
            if m is None:
                raise NotFound(f"No milestone {milestone_id!r} in curriculum {curriculum_id!r}.")
            return c, m
        hits = [
            (c, c.milestone_by_id[milestone_id])
            for c in self.curricula()
            if milestone_id in c.milestone_by_id
        ]
        if not hits:
            raise NotFound(f"No milestone {milestone_id!r} in any curriculum.")
        if len(hits) > 1:
            names = ", ".join(c.id for c, _ in hits)
            raise Ambiguous(
                f"Milestone {milestone_id!r} is in several curricula ({names}); give --curriculum."
            )
        return hits[0]

    # --- pupils --------------------------------------------------------------------------

    def import_roster(self, path: str | Path, academic_year: int | None = None) -> tuple[int, int]:
        from .interop.roster import read_roster

        self.require_admin("import a roster")
        pupils = read_roster(path, academic_year if academic_year is not None else self.academic_year())
        with self.store.transaction():
            for p in pupils:
                # a roster without a class for a known pupil keeps the class they have
                if p.class_name is None and (known := self.store.pupil(p.upn)) is not None:
                    p.class_name = known.class_name
            return self.store.upsert_pupils(pupils)

    def pupils(self, class_name: str | None = None) -> list[Pupil]:
        """Pupils (of one class): a teacher sees only the pupils of their own classes."""
        mine = self.my_classes()
        if mine is not None and class_name is not None and class_name not in mine:
            raise NotAllowed(f"Class {class_name} is not one of {self.user}'s classes.")
        pupils = self.store.pupils(class_name)
        return pupils if mine is None else [p for p in pupils if p.class_name in mine]

    def classes(self) -> list[tuple[str, int]]:
        mine = self.my_classes()
        classes = self.store.classes()
        return classes if mine is None else [(c, n) for c, n in classes if c in mine]

    def pupil(self, key: str | int) -> Pupil:
        p = self.store.pupil(key)
        if p is None:
            raise NotFound(f"No pupil with UPN or id {str(key)!r}.")
        mine = self.my_classes()
        if mine is not None and p.class_name not in mine:
            raise NotAllowed(f"{p.name} is not in {self.user}'s classes.")
        return p

    # --- records -------------------------------------------------------------------------

    def record(self, pupil_id: int, curriculum_id: str) -> PupilRecord:
        return fold_rows(self.store.event_rows(curriculum_id, [pupil_id])).get(pupil_id, PupilRecord())

    def records(self, curriculum_id: str, pupil_ids: list[int] | None = None) -> dict[int, PupilRecord]:
        """Every listed pupil's record in one curriculum, folded from one pass over the log."""
        records = fold_rows(self.store.event_rows(curriculum_id, pupil_ids))
        for pid in pupil_ids or []:
            records.setdefault(pid, PupilRecord())
        return records

    def standings(
        self,
        c: Curriculum,
        pupils: list[Pupil] | None = None,
        *,
        detail: bool = False,
        on: date | None = None,
    ) -> Iterator[tuple[Pupil, Standing]]:
        """Every pupil's standing in one curriculum (all pupils by default), streamed from one
        pass over the log: points, expected, target, flags and gaps for the tracking lists.
        ``on`` a past date gives the figures as they stood then, from the events up to that day."""
        today = on or self.today()
        stand = self._stander(c, today, detail)
        for pupil, record in self._pupil_records(c, pupils, on=on, lean=not detail):
            yield pupil, stand(pupil, record)

    def _stander(
        self, c: Curriculum, today: date, detail: bool = False
    ) -> Callable[[Pupil, object], Standing]:
        """A function giving a pupil's standing from their record, with the personal targets and
        this window's greater-depth tests read once for the whole curriculum."""
        terms = self.terms
        w = engine.window_of(today, terms)
        targets = {
            pid: t.points
            for pid, t in self.store.current_targets(c.id, w.academic_year).items()
            if t.points is not None
        }
        depth = {
            t.pupil_id
            for t in self.store.test_scores(curriculum_id=c.id, academic_year=w.academic_year, term=w.term)
            if t.score >= 80
        }

        def stand(pupil: Pupil, record) -> Standing:
            return engine.standing(
                c,
                record,
                self.year_group(pupil, today),
                today,
                terms=terms,
                detail=detail,
                personal_target=targets.get(pupil.id),  # type: ignore[arg-type]
                greater_depth=pupil.id in depth,
            )

        return stand

    def _pupil_records(
        self, c: Curriculum, pupils: list[Pupil] | None, *, on: date | None = None, lean: bool = True
    ) -> Iterator[tuple[Pupil, PupilRecord | engine.FirstAchieved]]:
        """Each pupil's record in one curriculum from one pass over the log (pupils without events
        get an empty record last). ``lean`` uses the light record wherever it is exact."""
        everyone = pupils is None
        pupils = self.pupils() if pupils is None else pupils
        by_id = {p.id: p for p in pupils if p.id is not None}
        cutoff = iso_utc(datetime.combine(on + timedelta(days=1), time.min, tzinfo=UTC)) if on else None
        rows = self.store.event_rows(c.id, None if everyone else list(by_id))
        seen: set[int] = set()
        for pid, group in groupby(rows, key=itemgetter(0)):
            pupil = by_id.get(pid)
            if pupil is None:
                continue
            seen.add(pid)
            events = list(group)
            if cutoff is not None:
                events = [row for row in events if row[4] < cutoff]
            # the lean record is exact for a log without retractions; otherwise fold it all
            record = engine.lean_fold(events) if lean else None
            yield pupil, record if record is not None else fold_rows(events).get(pid, PupilRecord())
        for pid, pupil in by_id.items():
            if pid not in seen:
                yield pupil, PupilRecord()

    def tracking(
        self,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        window: str | None = None,
        curriculum_id: str | None = None,
    ) -> list[TrackingRow]:
        """Per pupil and curriculum: points, expected, target, progress and flags, for a class or a
        year group (or the school), now or at the end of a past window; who needs support first."""
        w = self.window(window)
        current = self.window()
        on = None if w == current else min(w.end, self.today())
        day = on or self.today()
        pupils = self.pupils(class_name)
        if year_group is not None:
            pupils = [p for p in pupils if self.year_group(p, day) == year_group]
        curricula = [self.curriculum(curriculum_id)] if curriculum_id else self.curricula()
        rows = [
            TrackingRow(p, c.id, s)
            for c in curricula
            for p, s in self.standings(c, pupils, on=on)
            if s.points is not None
        ]
        rows.sort(key=lambda r: (not r.needs_support, r.pupil.last_name, r.pupil.first_name, r.curriculum_id))
        return rows

    def group_analysis(
        self,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        window: str | None = None,
        curriculum_id: str | None = None,
        lags_per_group: int = 2,
    ) -> GroupAnalysis:
        """Pupil premium, FSM, EAL, SEN, gender and tags, each against the rest: count, mean points,
        progress, % at or above expected, % with gaps — and the same window a year earlier for the
        same pupils; plus the milestones where each group lags the rest most."""
        from .engine.groups import PupilFigures, group_analysis, milestone_lag

        if curriculum_id:
            c = self.curriculum(curriculum_id)
        else:
            curricula = self.curricula()
            if not curricula:
                raise NotFound("No curricula yet: import one first (passport curriculum import FILE).")
            c = curricula[0]
        w = self.window(window)
        current = self.window()

        def figures(win: engine.Window) -> list[PupilFigures]:
            on = None if win == current else min(win.end, self.today())
            pupils = self.pupils(class_name)
            if year_group is not None:  # the year group as it is in the window analysed
                pupils = [p for p in pupils if self.year_group(p, min(w.end, self.today())) == year_group]
            out = []
            for p, s in self.standings(c, pupils, on=on):
                out.append(
                    PupilFigures(
                        pupil=p,
                        points=s.points,
                        expected=s.expected,
                        points_at_start_of_year=s.points_start_of_year,
                        points_last_window=s.points_last_window,
                        has_gaps=bool(s.gaps),
                        achieved=s.achieved_set,
                    )
                )
            return out

        now = figures(w)
        year_ago = figures(engine.window(w.academic_year - 1, w.term, self.terms))
        rows = group_analysis(now, year_ago)
        milestones = [m.id for m in c.milestones]
        lags = []
        for row in rows:
            found = [lag for lag in milestone_lag(now, milestones, row.group) if lag.lag > 0]
            lags.extend(found[:lags_per_group])
        lags.sort(key=lambda lag: -lag.lag)
        return GroupAnalysis(c.id, w, rows, lags)

    def add_teacher_comment(self, pupil_key: str | int, text: str, curriculum_id: str | None = None) -> Note:
        """Record the teacher's comment for the parent report (the latest one is shown); with
        ``curriculum_id`` it belongs to that subject's section."""
        pupil = self.pupil(pupil_key)
        self.require_change()
        text = (text or "").strip()
        if not text:
            raise PassportError("A teacher comment needs some text.")
        if curriculum_id is not None:
            self.curriculum(curriculum_id)
        assert pupil.id is not None
        return self.store.add_note(
            Note(
                pupil_id=pupil.id,
                curriculum_id=curriculum_id,
                kind=NoteKind.TEACHER_COMMENT,
                text=text,
                by=self.user,
                at=self.now(),
            )
        )

    def history(self, pupil_key: str | int) -> list[Judgement]:
        return self.store.judgements(self.pupil(pupil_key).id)  # type: ignore[arg-type]

    # --- judging -------------------------------------------------------------------------

    def judge(
        self,
        pupil_key: str | int,
        milestone_id: str,
        verdict: str,
        *,
        curriculum_id: str | None = None,
        note: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
    ) -> Judgement:
        """Record one judgement (achieved, not yet, retracted, revisit) if the rules allow it."""
        pupil = self.pupil(pupil_key)
        c, m = self.milestone(milestone_id, curriculum_id)
        with self.store.transaction():
            return self._judge_one(pupil, c, m.id, VERDICT_WORDS[verdict], note, reason, at)

    def retract(
        self, pupil_key: str | int, milestone_id: str, reason: str, curriculum_id: str | None = None
    ) -> Judgement:
        return self.judge(pupil_key, milestone_id, "retracted", curriculum_id=curriculum_id, reason=reason)

    def judge_many(
        self,
        pupil_ids: list[int],
        curriculum_id: str,
        milestone_id: str,
        verdict: str,
        *,
        note: str | None = None,
        reason: str | None = None,
    ) -> list[Outcome]:
        """Mark one milestone for several pupils in one transaction; each refusal is reported, the
        others are recorded. Marking a column achieved skips pupils who already have it secured
        (unless it is due a revisit, when it is a re-confirmation)."""
        c, m = self.milestone(milestone_id, curriculum_id)
        v = VERDICT_WORDS[verdict]
        out: list[Outcome] = []
        with self.store.transaction():
            for pid in pupil_ids:
                pupil = self.pupil(pid)
                if v is Verdict.ACHIEVED and len(pupil_ids) > 1:
                    state = self.record(pid, c.id).get(m.id)
                    if state is not None and state.achieved and not state.revisit:
                        out.append(Outcome(pupil, already=True))
                        continue
                try:
                    out.append(Outcome(pupil, self._judge_one(pupil, c, m.id, v, note, reason, None)))
                except JudgementRefused as refusal:
                    out.append(Outcome(pupil, refusal=refusal))
        return out

    def _judge_one(
        self,
        pupil: Pupil,
        c: Curriculum,
        milestone_id: str,
        verdict: Verdict,
        note: str | None,
        reason: str | None,
        at: datetime | None,
    ) -> Judgement:
        assert pupil.id is not None
        self.require_change()
        now = self.now()
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        record = self.record(pupil.id, c.id)
        decision = engine.decide(
            c,
            record,
            milestone_id,
            verdict.value,
            now=now,
            at=at,
            reason=reason,
            actor=self.user,
            actor_is_admin=self.role == "admin",
        )
        return self.store.append_judgement(
            Judgement(
                pupil_id=pupil.id,
                curriculum_id=c.id,
                milestone_id=milestone_id,
                verdict=Verdict(decision.verdict),
                by=self.user,
                at=at or now,
                note=(note or "").strip() or None,
                reason=decision.reason,
                corrects=decision.corrects,
            )
        )

    # --- the passport --------------------------------------------------------------------

    def standing(self, pupil: Pupil, c: Curriculum, record: PupilRecord | None = None, **kw) -> Standing:
        """One pupil's standing in one curriculum now, with their personal target and this
        window's test."""
        assert pupil.id is not None
        today, terms = self.today(), self.terms
        w = engine.window_of(today, terms)
        if "personal_target" not in kw:
            target = self.store.current_target(pupil.id, c.id, w.academic_year)
            kw["personal_target"] = target.points if target is not None else None
        if "greater_depth" not in kw:
            tests = self.store.test_scores(pupil.id, c.id, w.academic_year, w.term)
            kw["greater_depth"] = any(t.score >= 80 for t in tests)
        return engine.standing(
            c,
            record if record is not None else self.record(pupil.id, c.id),
            self.year_group(pupil, today),
            today,
            terms=terms,
            **kw,
        )

    def passport(self, pupil_key: str | int, history_windows: int = 3) -> PupilPassport:
        pupil = self.pupil(pupil_key)
        assert pupil.id is not None
        out = []
        for c in self.curricula():
            rec = self.record(pupil.id, c.id)
            s = self.standing(pupil, c, rec, history_windows=history_windows)
            dates = {m: rec.milestones[m].achieved_at for m in s.achieved}
            out.append(CurriculumPassport(c, s, {k: v for k, v in dates.items() if v is not None}))
        return PupilPassport(
            pupil, self.year_group(pupil), self.today(), out, self.store.focus_items(pupil.id)
        )

    # --- the class grid ------------------------------------------------------------------

    def grid(self, pupils: list[Pupil], c: Curriculum, milestones: list[str]) -> list[GridLine]:
        """The class grid of ``pupils`` over ``milestones`` of curriculum ``c``, in the pupils' order,
        from one pass over their part of the log."""
        if not pupils:
            return []
        today = self.today()
        stand = self._stander(c, today)
        lines = {
            p.id: self._grid_line(p, c, record, milestones, stand)
            for p, record in self._pupil_records(c, pupils)
        }
        return [lines[p.id] for p in pupils if p.id in lines]

    def grid_line(self, pupil: Pupil, c: Curriculum, milestones: list[str]) -> GridLine:
        assert pupil.id is not None
        return self._grid_line(
            pupil, c, self.record(pupil.id, c.id), milestones, self._stander(c, self.today())
        )

    def _grid_line(self, pupil: Pupil, c: Curriculum, record, milestones: list[str], stand) -> GridLine:
        s = stand(pupil, record)
        cells = engine.cells(c, s.achieved_set, record.not_yet(), record.revisits(), s.year_group, milestones)
        return GridLine(pupil, s.year_group, cells, s.points, s.expected, s.flags)

    # --- doors for the command line ---------------------------------------------------------
    # Thin: each hands one use case of the ``passport`` command to the module that does it, so the
    # command line never reaches the store. Each belongs with its family of use cases
    # (maintenance, imports and transfer) when the service is split.

    @staticmethod
    def default_database_path() -> Path:
        """The database in the user's data folder, e.g. ``~/.local/share/passport/passport.db``."""
        from .store import default_db_path

        return default_db_path()

    @staticmethod
    def resolve_database_path(db: str | Path | None) -> Path:
        """``--db`` if given, else ``$PASSPORT_DB``, else :meth:`default_database_path`."""
        return resolve_db_path(str(db) if db is not None else None)

    def backup(self, dest: str | Path) -> BackupResult:
        """Copy the database to ``dest`` (a file, or a folder for a dated file), checked."""
        from . import maintenance

        return maintenance.backup(self.store, dest)

    @staticmethod
    def restore_backup(src: str | Path, db_path: str | Path) -> RestoreResult:
        """Replace the database file ``db_path`` (open nowhere) with the backup ``src``."""
        from . import maintenance

        return maintenance.restore(src, db_path)

    def doctor(self) -> tuple[list[Check], str]:
        """The database's health checks, and a one-line verdict on them."""
        from . import maintenance

        checks = maintenance.doctor(self.store)
        return checks, maintenance.verdict(checks)

    def import_oneroster(
        self, path: str | Path, academic_year: int | None = None, *, uk_grades: bool | None = None
    ) -> tuple[OneRosterImport, int, int]:
        """Import the students of a OneRoster set by UPN, in one transaction: what was read, and
        how many pupils were added and updated. A student with no class keeps the one they have."""
        from .interop.oneroster import read_oneroster

        self.require_admin("import a roster")
        result = read_oneroster(path, academic_year, default_year=self.academic_year(), uk_grades=uk_grades)
        with self.store.transaction():
            for p in result.pupils:
                if p.class_name is None and (known := self.store.pupil(p.upn)) is not None:
                    p.class_name = known.class_name
            added, updated = self.store.upsert_pupils(result.pupils)
        return result, added, updated

    def export_passports(
        self,
        path: str | Path,
        pupil_keys: Sequence[str | int] | None = None,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        school: str | None = None,
    ) -> dict:
        """Write the passport file of the pupils named, of ``class_name`` and/or ``year_group`` (every
        pupil if none is given) to ``path``; returns what was written."""
        from .interop.transfer import write_passport_file

        return write_passport_file(
            self, path, pupil_keys, class_name=class_name, year_group=year_group, school=school
        )

    def import_passports(self, path: str | Path) -> ImportSummary:
        """Merge a passport file from another school, in one transaction (admins only)."""
        from .interop.transfer import import_passports

        return import_passports(self, path)
