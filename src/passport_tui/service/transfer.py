"""Transfer: pupils' passports moved between schools in the portable passport file.

Exporting gathers each chosen pupil's whole history (the user's classes only); importing merges a
file into this database in one transaction and never downgrades — the rules are in
``passport_tui.interop.transfer``, which reads and writes the file's format. The file is read and
checked there first, as a stream (``check_passport_file``), then merged a pupil at a time
(``passport_file_pupils``); the merge below then applies the rules that need this database:
prerequisites in the merged record, authors as the sending school's staff (their names, when the
file gives them, kept beside the log: :meth:`Transfer.author_names`), and pathways: the file
carries each pupil's own pathway; a pupil new here follows it, a pupil already here keeps this
school's and the summary warns when the file's holds a curriculum ours does not
(``Transfer._merge_pathway``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .. import files
from ..engine import Event, PupilRecord, year_label
from ..errors import NotFound
from ..models import Curriculum, Note, Pupil, Target, TestScore, Verdict, canonical_upn, named_author
from ..moments import iso_utc
from ..progress import Progress
from .outcomes import merge_file_outcomes
from .records import Records, as_event

if TYPE_CHECKING:
    from types import ModuleType

    from ..interop.transfer import FileEvent, FilePassport, ImportSummary


def fmt() -> ModuleType:
    """The passport file's format (its pydantic models load when a transfer runs, not at start-up)."""
    from ..interop import transfer

    return transfer


@dataclass(slots=True)
class PassportsWritten:
    """What an export wrote: how many pupils and judgement events, and the curricula carried."""

    pupils: int
    events: int
    curricula: list[str]


class Transfer(Records):
    def export_passports(
        self,
        pupil_keys: Sequence[str | int] | None = None,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        school: str | None = None,
    ) -> dict[str, Any]:
        """The passport file (as a JSON-ready dict) of the pupils named by UPN or id, plus those of
        ``class_name`` and/or ``year_group`` (their year group today); every pupil the user may see
        if none is given. All of it in memory: a whole school's goes to a file with
        :meth:`write_passport_file`, a pupil at a time."""
        passport_file = fmt()
        pupils = self._select(pupil_keys, class_name, year_group)
        entries = list(self._entries(pupils))
        curricula = [self.curriculum(cid) for cid in sorted(passport_file.curricula_used(entries))]
        return passport_file.passport_document(
            entries,
            curricula,
            exported_at=self.now(),
            school=school if school is not None else self.store.get_setting("school_name"),
            user=self.user,
            names=self._names_to_export(),
        )

    def _names_to_export(self) -> dict[str, str]:
        """The names a passport file may carry, by author: this school's staff (by login) and the
        other schools' staff earlier files named (by author as stored). Only those of the file's
        own authors go in it; nothing else about staff does."""
        names = self.store.author_names()
        names.update((login, name) for login, name, _role, _classes in self.store.staff() if name)
        return names

    def author_names(self) -> dict[str, str]:
        """How to show another school's member of staff whose passport file named them, by author
        as the log stores it: ``{"ms.hughes, Oak Primary": "Ms Hughes (Oak Primary)"}``. An author
        not in it is shown as stored (a file that named nobody: "ms.hughes, Oak Primary")."""
        return {by: named_author(by, name) for by, name in self.store.author_names().items()}

    def _entries(self, pupils: list[Pupil], progress: Progress | None = None) -> Iterator[dict[str, Any]]:
        """Each pupil's passport as the file carries it, read from the database one at a time."""
        store = self.store
        passport_file = fmt()
        own = store.pathways()  # pupils with a pathway of their own: the file carries it
        have = {c.id for c in store.curricula()} if own else set()
        for n, p in enumerate(pupils, start=1):
            assert p.id is not None
            yield passport_file.file_entry(
                p,
                store.judgements(p.id),
                store.test_scores(pupil_id=p.id, history=True),
                store.targets(p.id),
                store.focus_items(p.id, history=True),
                store.notes(p.id),
                store.outcomes(p.id),
                sorted(own.get(p.id, set()) & have),
            )
            if progress is not None:
                progress("Exporting passports", n, len(pupils))

    def export_passports_to(
        self,
        out: IO[str],
        pupil_keys: Sequence[str | int] | None = None,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        school: str | None = None,
        progress: Progress | None = None,
    ) -> PassportsWritten:
        """Write the passport file of :meth:`export_passports` to ``out`` as it is read, a pupil at
        a time (a whole school's file never held in memory)."""
        pupils = self._select(pupil_keys, class_name, year_group)
        used = self.store.curricula_of(p.id for p in pupils if p.id is not None)
        curricula = [self.curriculum(cid) for cid in sorted(used)]
        count, events = fmt().write_passport_stream(
            out,
            self._entries(pupils, progress),
            curricula,
            exported_at=self.now(),
            school=school if school is not None else self.store.get_setting("school_name"),
            user=self.user,
            names=self._names_to_export(),
        )
        return PassportsWritten(count, events, [c.id for c in curricula])

    def write_passport_file(
        self,
        path: str | Path,
        pupil_keys: Sequence[str | int] | None = None,
        *,
        class_name: str | None = None,
        year_group: int | None = None,
        school: str | None = None,
        force: bool = False,
        progress: Progress | None = None,
    ) -> PassportsWritten:
        """Export (see :meth:`export_passports_to`) to a new file at ``path`` (``force``: replace
        one that is there), under the user's :meth:`output_rules`, a pupil at a time: refused before
        anything is read if the file may not be written, and a failure part way leaves no file (and
        any earlier one as it was)."""
        with files.open_new(path, self.output_rules(force=force)) as out:
            return self.export_passports_to(
                out,
                pupil_keys,
                class_name=class_name,
                year_group=year_group,
                school=school,
                progress=progress,
            )

    def _select(
        self,
        pupil_keys: Sequence[str | int] | None,
        class_name: str | None,
        year_group: int | None,
    ) -> list[Pupil]:
        """The pupils named, plus those of the class and/or year group given; everyone if none is."""
        chosen: dict[int, Pupil] = {}
        for key in pupil_keys or []:
            p = self.pupil(key)
            chosen[p.id or 0] = p
        if class_name is not None or year_group is not None or not pupil_keys:
            for p in self.pupils(class_name):
                if year_group is None or self.year_group(p) == year_group:
                    chosen.setdefault(p.id or 0, p)
        if not chosen:
            what = []
            if class_name is not None:
                what.append(f"class {class_name}")
            if year_group is not None:
                what.append(year_label(year_group))
            raise NotFound(f"No pupils to export{' in ' + ' and '.join(what) if what else ''}.")
        return sorted(chosen.values(), key=lambda p: (p.last_name.casefold(), p.first_name.casefold(), p.id))

    def import_passports(self, path: str | Path, progress: Progress | None = None) -> ImportSummary:
        """Merge a passport file into this database, all in one transaction (see the module's
        docstring for the rules). A bad file raises ``PassportFileError`` and changes nothing.

        The file is read twice, as a stream, so memory holds one pupil at a time: first to check
        all of it (outside the write transaction), then to merge it pupil by pupil."""
        self.require_admin("import passports")
        name = str(path)
        store = self.store
        passport_file = fmt()
        here: dict[str, Curriculum | None] = {}

        def ours(cid: str) -> Curriculum | None:
            if cid not in here:
                here[cid] = store.curriculum(cid)
            return here[cid]

        size = Path(path).stat().st_size if Path(path).is_file() else None
        read = [0]

        def on_bytes(n: int) -> None:
            read[0] += n
            if progress is not None:
                progress("Checking the file", read[0], size)

        head = passport_file.check_passport_file(
            path,
            self.now(),
            check_pupil=lambda i, entry: passport_file.missing_here_in(i, entry, ours),
            on_bytes=on_bytes,
        )
        summary = passport_file.ImportSummary(name)
        school = passport_file.sending_school(head)
        found: list[tuple[int | None, str]] = []
        for i, c in enumerate(head.curricula):
            mine = ours(c.id)
            if mine is not None and mine.curriculum.version != c.curriculum.version:
                found.append(
                    (
                        None,
                        f"$.curricula[{i}]: curriculum {c.id} version {c.curriculum.version} differs from "
                        f"this database's version {mine.curriculum.version}; import version "
                        f"{c.curriculum.version} here first, or export the file against version "
                        f"{mine.curriculum.version}",
                    )
                )
        if found:
            raise passport_file.refuse(name, found)
        with store.transaction(), store.large_write(head.events):
            for c in head.curricula:
                if ours(c.id) is None:
                    store.put_curriculum(c)
                    summary.curricula_added.append(c.id)
            curricula = {c.id: ours(c.id) or c for c in head.curricula}
            known = {p.upn: p for p in store.pupils()}
            refused: list[tuple[int | None, str]] = []
            authors: dict[str, str] = {}  # the file's authors met so far: as the file names them -> as stored
            for i, entry in enumerate(passport_file.passport_file_pupils(path)):
                merge = _Merge(i, entry.pupil.upn, school, curricula, authors)
                with store.appends_batched():  # a pupil's events written together, folded once
                    self._import_pupil(entry, known, summary, merge)
                refused += [(None, m) for m in merge.refused]
                if progress is not None:
                    progress("Importing passports", i + 1, head.pupils)
            if refused:  # all or nothing: the transaction is rolled back
                raise passport_file.refuse(name, refused)
            # the names the file gives its authors, by author as stored (the log keeps the login);
            # a name for an author of nothing in the file names nobody, so it is not kept; a file
            # dated in the future counts as exported now (a later file may still name them anew)
            named = {authors[by]: n for by, n in head.staff.items() if by in authors}
            summary.staff_named = store.name_authors(named, iso_utc(min(head.exported_at, self.now())))
        return summary

    def _import_pupil(
        self, entry: FilePassport, known: dict[str, Pupil], summary: ImportSummary, merge: _Merge
    ) -> None:
        store = self.store
        fp = entry.pupil
        pupil = known.get(fp.upn) or known.get(canonical_upn(fp.upn))
        new = pupil is None
        if pupil is None:
            details = fp.model_dump(exclude={"class_name"})
            store.upsert_pupils([Pupil(**details)])
            found = store.pupil(fp.upn)
            assert found is not None
            pupil = found
            known[pupil.upn] = pupil
            summary.pupils_added.append(fp.upn)
        else:
            summary.pupils_matched.append(fp.upn)
            if (pupil.first_name, pupil.last_name) != (fp.first_name, fp.last_name) or (
                fp.dob is not None and pupil.dob is not None and fp.dob != pupil.dob
            ):
                summary.warnings.append(
                    f"{fp.upn}: the file names {fp.first_name} {fp.last_name}"
                    f"{f' (born {fp.dob})' if fp.dob else ''}; this school's record "
                    f"({pupil.name}{f', born {pupil.dob}' if pupil.dob else ''}) is kept"
                )
        assert pupil.id is not None
        self._merge_pathway(pupil, entry.pathway, new, summary)
        # before the events that refer to them
        entry = merge_file_outcomes(store, pupil, entry, summary, merge.author)
        self._merge_events(pupil, entry.events, summary, merge)
        self._merge_termly(pupil, entry, summary, merge)

    def _merge_pathway(self, pupil: Pupil, pathway: list[str], new: bool, summary: ImportSummary) -> None:
        """The file's pathway for the pupil (see the module's docstring): a pupil new here follows
        it; a pupil already here keeps this school's pathway, with a warning naming what the file's
        has and this school's has not."""
        if not pathway:
            return
        assert pupil.id is not None
        if new:
            self.store.set_pathway(pupil.id, pathway)
            summary.pathways_given.append(pupil.upn)
            return
        here = self.store.pathway(pupil.id)
        follows = here if here is not None else set(self.default_pathway())
        missing = [cid for cid in pathway if cid not in follows]
        if not missing:
            return
        upn = pupil.upn
        whose = "this school's pathway" if here is not None else "this school's default pathway"
        line = (
            f"{upn}: follows {', '.join(missing)} in the file; not here ({whose}: "
            f"{', '.join(sorted(follows)) or 'none'}) — `passport pathway add {upn} {' '.join(missing)}` "
            f"to add {'it' if len(missing) == 1 else 'them'}"
        )
        if follows - set(pathway):  # the file's pathway is not this one and more
            line += f", or `passport pathway set {upn} {' '.join(pathway)}` to follow the file's pathway"
        summary.warnings.append(line)

    def _merge_events(
        self, pupil: Pupil, events: list[FileEvent], summary: ImportSummary, merge: _Merge
    ) -> None:
        store = self.store
        assert pupil.id is not None
        passport_file = fmt()
        event_key = passport_file.event_key  # looked up once: it runs for every event
        author = merge.author
        file_live, file_corrected = passport_file.file_fold(events)
        # the file's own history as it stood at each event: a prerequisite achieved there is met
        # for the file's achievement, whatever this school did meanwhile
        theirs: dict[str, PupilRecord] = {}
        recorded_at = self.now()
        records: dict[str, PupilRecord] = {}
        here: dict[str, Counter[tuple[str, str, str, str, str]]] = {}
        achieved_here: dict[str, set[str]] = {}
        known: dict[str, set[tuple[str, str, str, str, str]]] = {}  # every event key here at the start
        for cid in dict.fromkeys(e.curriculum for e in events):
            record = PupilRecord()
            counts: Counter[tuple[str, str, str, str, str]] = Counter()
            moved = merge.curricula[cid].curriculum.moved
            for j in store.judgements(pupil.id, cid):
                record.apply(as_event(j, moved))
                counts[event_key(cid, j.milestone_id, j.verdict.value, j.by, iso_utc(j.at))] += 1
            records[cid], here[cid], achieved_here[cid] = record, counts, record.achieved()
            known[cid] = set(counts)
        imported: dict[int, int] = {}  # file position -> new database id
        imported_ids: set[int] = set()

        def left_out(e: FileEvent, why: str) -> None:
            summary.events_left_out += 1
            summary.kept.append(
                f"{pupil.upn} {e.curriculum} {e.milestone}: {e.verdict.value} of {e.at:%Y-%m-%d} {why}"
            )

        for p, e in enumerate(events):
            cid, mid = e.curriculum, e.milestone
            # a milestone the curriculum has moved since counts as the one it moved to
            now = merge.curricula[cid].curriculum.moved.get(mid, mid)
            record, counts = records[cid], here[cid]
            state = record.get(now)
            achieved_now = state is not None and state.achieved
            by = author(e.by)
            # nothing here yet (a new pupil, a new curriculum): no key to look for, none made
            key = event_key(cid, mid, e.verdict.value, by, iso_utc(e.at)) if known[cid] else None
            file_record = theirs.setdefault(cid, PupilRecord())
            # an achievement with a prerequisite achieved neither here (in the merged record) nor
            # in the file's own history at that point needs the file's override reason
            unmet: list[str] = []
            if e.verdict is Verdict.ACHIEVED and not achieved_now and not (e.reason or "").strip():
                milestone = merge.curricula[cid].milestone_by_id.get(now)
                unmet = [
                    r
                    for r in (milestone.requires if milestone is not None else [])
                    if not _achieved(record, r) and not _achieved(file_record, r)
                ]
            file_record.apply(
                Event(
                    p + 1,
                    now,
                    e.verdict.value,
                    e.at,
                    None if e.corrects is None else e.corrects + 1,
                    override=e.reason is not None,
                )
            )
            # an identical event here is the same event, unless the file's achievement is live and
            # ours is not any more: then it is added again, so an achievement in the file survives
            if (
                key is not None
                and counts[key] > 0
                and not (e.verdict is Verdict.ACHIEVED and p in file_live and not achieved_now)
            ):
                counts[key] -= 1
                summary.events_already_here += 1
                continue
            if (
                key is not None
                and key in known[cid]
                and not (e.verdict is Verdict.ACHIEVED and p in file_live and not achieved_now)
            ):
                # the same event (same verdict, author and moment) is already in this log: another
                # copy would say nothing new, and importing a file twice must add nothing
                summary.events_already_here += 1
                continue
            corrects: int | None = None
            if e.verdict is Verdict.ACHIEVED:
                if p in file_corrected and now in achieved_here[cid]:
                    left_out(e, "is retracted in the file; it is achieved here, so left out")
                    continue
                if unmet:
                    merge.refused.append(
                        passport_file.unmet_problem(merge.index, p, pupil.upn, cid, mid, unmet)
                    )
            elif e.verdict is Verdict.NOT_YET:
                first = state.achieved_at if state is not None else None
                # as when judging: a "not yet" from before the achievement is history, kept
                if achieved_now and not (first is not None and e.at < first):
                    left_out(e, "left out: it is achieved here and stays achieved")
                    continue
            elif e.verdict is Verdict.REVISIT:
                if not achieved_now:
                    left_out(e, "left out: it is not achieved here")
                    continue
            else:  # retracted
                target = imported.get(e.corrects) if e.corrects is not None else None
                victims = (
                    [] if state is None else [i for i, _ in state.live if target is not None and i <= target]
                )
                if target is None or mid in achieved_here[cid] or not set(victims) <= imported_ids:
                    left_out(e, "left out: it would retract an achievement of this school")
                    continue
                corrects = target
            # values the file's models have checked: appended as they are, no model per event
            eid = store.append_batched(
                pupil.id, cid, mid, e.verdict, by, e.at, e.note, e.reason, corrects, recorded_at
            )
            imported[p] = eid
            imported_ids.add(eid)
            record.apply(
                Event(
                    eid,
                    now,
                    e.verdict.value,
                    e.at,
                    corrects,
                    by,
                    override=e.verdict is Verdict.ACHIEVED and e.reason is not None,
                )
            )
            summary.events_added += 1

    def _merge_termly(self, pupil: Pupil, entry: FilePassport, summary: ImportSummary, merge: _Merge) -> None:
        """Test scores, targets, focus items and notes: each added unless already here. A test score,
        target or focus item older than ours for the same slot is left out, so ours stays current.
        Each keeps its author as the sending school's (``_Merge.author``)."""
        store = self.store
        target_key = fmt().target_key
        author = merge.author
        pid = pupil.id
        assert pid is not None

        scores = store.test_scores(pupil_id=pid, history=True)
        have = Counter(
            (t.curriculum_id, t.academic_year, t.term, t.score, t.by, iso_utc(t.at)) for t in scores
        )
        newest: dict[tuple[Any, ...], datetime] = {}
        for t in scores:
            slot = (t.curriculum_id, t.academic_year, t.term)
            newest[slot] = max(newest.get(slot, t.at), t.at)
        for s in entry.test_scores:
            key = (s.curriculum, s.academic_year, s.term, s.score, author(s.by), iso_utc(s.at))
            if have[key] > 0:
                have[key] -= 1
                continue
            slot = (s.curriculum, s.academic_year, s.term)
            if slot in newest and s.at <= newest[slot]:
                continue
            store.add_test_score(
                TestScore(
                    pupil_id=pid,
                    curriculum_id=s.curriculum,
                    academic_year=s.academic_year,
                    term=s.term,
                    score=s.score,
                    by=author(s.by),
                    at=s.at,
                    note=s.note,
                )
            )
            newest[slot] = s.at
            summary.test_scores_added += 1

        targets = store.targets(pid)
        have_t = Counter(
            target_key(t.curriculum_id, t.academic_year, t.points, t.milestones, t) for t in targets
        )
        newest = {}
        for t in targets:
            slot = (t.curriculum_id, t.academic_year)
            newest[slot] = max(newest.get(slot, t.at), t.at)
        for ft in entry.targets:
            ft = ft.model_copy(update={"by": author(ft.by)})
            key = target_key(ft.curriculum, ft.academic_year, ft.points, ft.milestones, ft)
            if have_t[key] > 0:
                have_t[key] -= 1
                continue
            slot = (ft.curriculum, ft.academic_year)
            if slot in newest and ft.at <= newest[slot]:
                continue
            store.set_target(
                Target(
                    pupil_id=pid,
                    curriculum_id=ft.curriculum,
                    academic_year=ft.academic_year,
                    points=ft.points,
                    milestones=ft.milestones,
                    due=ft.due,
                    reason=ft.reason,
                    by=ft.by,
                    at=ft.at,
                )
            )
            newest[slot] = ft.at
            summary.targets_added += 1

        focus = store.focus_items(pid, history=True)
        have_f = Counter(
            (f.curriculum_id, f.milestone_id, f.provision, f.active, f.by, iso_utc(f.at)) for f in focus
        )
        newest = {}
        pinned: dict[tuple[str, str], bool] = {}
        for f in focus:
            slot = (f.curriculum_id, f.milestone_id)
            newest[slot] = max(newest.get(slot, f.at), f.at)
            pinned[slot] = f.active
        for ff in entry.focus:
            ff = ff.model_copy(update={"by": author(ff.by)})
            key = (ff.curriculum, ff.milestone, ff.provision, ff.active, ff.by, iso_utc(ff.at))
            if have_f[key] > 0:
                have_f[key] -= 1
                continue
            slot = (ff.curriculum, ff.milestone)
            if slot in newest and ff.at <= newest[slot]:
                continue
            if ff.active:
                store.pin_focus(pid, ff.curriculum, ff.milestone, by=ff.by, at=ff.at, provision=ff.provision)
            elif pinned.get(slot):
                store.unpin_focus(pid, ff.curriculum, ff.milestone, by=ff.by, at=ff.at)
            else:
                continue  # unpinning what is not pinned here changes nothing
            pinned[slot] = ff.active
            newest[slot] = ff.at
            summary.focus_added += 1

        notes = store.notes(pid)
        have_n = Counter((n.curriculum_id, str(n.kind), n.text, n.by, iso_utc(n.at)) for n in notes)
        for fn in entry.notes:
            fn = fn.model_copy(update={"by": author(fn.by)})
            key = (fn.curriculum, str(fn.kind), fn.text, fn.by, iso_utc(fn.at))
            if have_n[key] > 0:
                have_n[key] -= 1
                continue
            store.add_note(
                Note(
                    pupil_id=pid, curriculum_id=fn.curriculum, kind=fn.kind, text=fn.text, by=fn.by, at=fn.at
                )
            )
            summary.notes_added += 1


def _achieved(record: PupilRecord, milestone: str) -> bool:
    state = record.get(milestone)
    return state is not None and state.achieved


class _Merge:
    """What merging one pupil's passport needs besides the pupil: where it is in the file, the
    curricula (ours where we have them), the sending school that names its authors, and the
    events it refuses (each a located line). ``authors`` (the file's authors as stored here, by
    ``by`` as the file gives it) is shared by the whole file: it ends holding every author met."""

    def __init__(
        self,
        index: int,
        upn: str,
        school: str,
        curricula: dict[str, Curriculum],
        authors: dict[str, str] | None = None,
    ):
        self.index = index
        self.upn = upn
        self.curricula = curricula
        self.refused: list[str] = []
        name = fmt().foreign_author
        known = {} if authors is None else authors
        self.author = lambda by: known.get(by) or known.setdefault(by, name(by, school))
