"""A pupil's passport: points against expected and target, next steps, gaps, achieved, history."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from ...engine import Cell, last_stage_below, year_label
from ...errors import NotFound, PrerequisitesUnmet
from ...models import Judgement, Sen, by_another_school, is_passport_id
from ...service import CurriculumPassport, ErasedPupil, OutcomeView, PupilPassport, Service
from ...shown import plural
from ..failures import guarded
from ..glyphs import ASCII, Glyphs
from ..text import plain
from ..widgets.keys import KeyBar
from ..widgets.lists import WrappingOptionList
from .base import Read, ServiceScreen
from .grid import not_assessed_hint
from .modals import AskScreen, HelpScreen, ReasonScreen
from .plan_dialogs import BaselineChoice, BaselineScreen, OutcomeDraft, OutcomeScreen
from .pupil_dialogs import ErasePupilScreen, erased_notice

BARS = "▁▂▃▄▅▆▇█"


def groups_of(p) -> str:
    out = []
    if p.pupil_premium:
        out.append("pupil premium")
    if p.fsm:
        out.append("FSM")
    if p.eal:
        out.append("EAL")
    if p.sen is Sen.SUPPORT:
        out.append("SEN support")
    elif p.sen is Sen.EHCP:
        out.append("EHCP")
    out.extend(p.tags)
    return ", ".join(out)


def chart(cp: CurriculumPassport, ascii_only: bool) -> str:
    """Points at the end of each recent window and now, as a one-line bar chart with labels."""
    s = cp.standing
    if not s.assessed:  # no judgement yet: no points to chart
        return ""
    points = [
        (w.name.replace("Autumn", "Aut").replace("Spring", "Spr").replace("Summer", "Sum"), v)
        for w, v in s.history
    ]
    points.append(("now", s.points))
    values = [v for _, v in points if v is not None] + ([s.expected] if s.expected else [])
    if not values:
        return ""
    low, high = min(values), max(values)
    cells = []
    for label, v in points:
        if v is None:
            bar = " "
        elif ascii_only:
            bar = "#" * (1 + (v - low))
        else:
            bar = BARS[min(len(BARS) - 1, int((v - low) * (len(BARS) - 1) / max(1, high - low)))]
        cells.append(f"{label} {bar} {v if v is not None else '-'}")
    return "   ".join(cells)


class PassportLoaded(Read):
    """A pupil's passport was read, with their history, the age of each gap per subject, their
    personal outcomes and the names of other schools' staff in the history (by author)."""

    def __init__(
        self,
        passport: PupilPassport,
        history: list[Judgement],
        gap_ages: dict[str, dict[str, int]],
        outcomes: list[OutcomeView] | None = None,
        authors: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.passport = passport
        self.history = history
        self.gap_ages = gap_ages
        self.outcomes = outcomes or []
        self.authors = authors or {}


def load_passport(service: Service, pupil_id: int) -> PassportLoaded:
    passport = service.passport(pupil_id)
    ages = {
        cp.curriculum.id: dict(service.gap_ages(pupil_id, cp.curriculum.id))
        for cp in passport.curricula
        if cp.standing.gaps
    }
    outcomes = service.outcomes(pupil_id) if any(cp.outcomes for cp in passport.curricula) else []
    history = service.history(pupil_id)
    authors = service.author_names() if any(by_another_school(j.by) for j in history) else {}
    return PassportLoaded(passport, history, ages, outcomes, authors)


class BaselinePlanned(Read):
    """What a baseline on entry would record in one subject, stage by stage."""

    def __init__(self, curriculum_id: str, stages: list[tuple[str, str, int]]) -> None:
        super().__init__()
        self.curriculum_id = curriculum_id
        self.stages = stages


class BaselineRecorded(Read):
    """A baseline on entry was recorded: how many milestones, through which stage."""

    def __init__(self, curriculum_id: str, stage: str, recorded: int) -> None:
        super().__init__()
        self.curriculum_id = curriculum_id
        self.stage = stage
        self.recorded = recorded


STATUS_CELL = {
    "achieved": Cell.ACHIEVED,
    "revisit": Cell.REVISIT,
    "not yet": Cell.NOT_YET,
    "not assessed": Cell.NEXT,
}


class PassportScreen(ServiceScreen):
    """One pupil's passport, one curriculum at a time."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="passport.back"),
        Binding("a", "mark('achieved')", "Achieved", id="passport.achieved"),
        Binding("n", "mark('not-yet')", "Not yet", id="passport.not_yet"),
        Binding("left_square_bracket", "curriculum(-1)", "Previous subject", show=False, id="passport.prev"),
        Binding("right_square_bracket", "curriculum(1)", "Next subject", id="passport.next"),
        Binding(
            "1",
            "section('next')",
            "Next steps tab",
            show=False,
            id="passport.tab_next",
            tooltip="Show the next steps",
        ),
        Binding(
            "2",
            "section('gaps')",
            "Gaps tab",
            show=False,
            id="passport.tab_gaps",
            tooltip="Show the gaps, with how long each has been open",
        ),
        Binding(
            "3",
            "section('achieved')",
            "Achieved tab",
            show=False,
            id="passport.tab_achieved",
            tooltip="Show what is achieved, by stage",
        ),
        Binding(
            "4",
            "section('history')",
            "History tab",
            show=False,
            id="passport.tab_history",
            tooltip="Show every judgement in this subject, newest first",
        ),
        Binding(
            "5",
            "section('focus')",
            "Focus tab",
            show=False,
            id="passport.tab_focus",
            tooltip="Show the focus items pinned in this subject",
        ),
        Binding(
            "6",
            "section('outcomes')",
            "Outcomes tab",
            show=False,
            id="passport.tab_outcomes",
            tooltip="Show the personal outcomes from the EHCP or provision plan",
        ),
        Binding("o", "add_outcome", "Add outcome", show=False, id="passport.add_outcome"),
        Binding("b", "baseline", "Baseline", show=False, id="passport.baseline"),
        Binding("f", "pin", "Focus", id="passport.pin"),
        Binding("u", "unpin", "Unpin", show=False, id="passport.unpin"),
        Binding("s", "test", "Test", show=False, id="passport.test"),
        Binding("g", "target", "Target", show=False, id="passport.target"),
        Binding("r", "report", "Report", id="passport.report"),
        Binding("c", "comment", "Comment", show=False, id="passport.comment"),
        Binding("E", "erase", "Erase pupil", show=False, id="passport.erase"),
        Binding("question_mark", "help", "Help", id="passport.help"),
    ]

    HELP = [
        ("Esc", "back to the class grid"),
        ("a", "mark the highlighted next step, gap or personal outcome achieved"),
        ("n", "mark it not yet"),
        ("[ ]", "previous / next subject"),
        ("1 2 3 4 5 6", "next steps, gaps, achieved, history, focus, personal outcomes"),
        ("o", "add a personal outcome from the EHCP or provision plan, under an area of the subject"),
        ("b", "baseline on entry: record everything up to a stage as achieved, with a reason"),
        ("f", "pin the highlighted next step or gap as a focus item (asks the provision)"),
        ("u", "unpin the highlighted focus item"),
        ("s", "record this window's test score for the subject"),
        ("g", "set a personal target in points, with a reason (empty: back to the default)"),
        ("r", "write the parent report (HTML) for this pupil"),
        ("c", "the teacher's comment for the parent report"),
        ("E", "erase the pupil for good (admins): every record, with a reason; asks to confirm"),
        ("Tab", "move between the tabs and the list"),
        ("q", "quit"),
    ]

    def __init__(
        self, service: Service, glyphs: Glyphs, pupil_id: int, curriculum_id: str | None = None
    ) -> None:
        super().__init__(service)
        self.glyphs = glyphs
        self.pupil_id = pupil_id
        self.curriculum_id = curriculum_id
        self.passport: PupilPassport | None = None
        self.history: list[Judgement] = []
        self.authors: dict[str, str] = {}  # other schools' staff by name, by author as stored
        self.gap_ages: dict[str, dict[str, int]] = {}
        self.outcomes: list[OutcomeView] = []
        self.erased = False  # the pupil is gone: nothing to read again

    def compose(self) -> ComposeResult:
        yield Static(id="passport-title")
        yield Static(id="passport-points")
        yield Static(id="passport-chart")
        with TabbedContent(id="passport-tabs", initial="next"):
            with TabPane("Next steps", id="next"):
                yield WrappingOptionList(id="next-list")
            with TabPane("Gaps", id="gaps"):
                yield WrappingOptionList(id="gaps-list")
            with TabPane("Achieved", id="achieved"):
                yield WrappingOptionList(id="achieved-list")
            with TabPane("History", id="history"):
                yield WrappingOptionList(id="history-list")
            with TabPane("Focus", id="focus"):
                yield WrappingOptionList(id="focus-list")
            with TabPane("Outcomes", id="outcomes"):
                yield WrappingOptionList(id="outcomes-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#next-list", OptionList).focus()

    @property
    def current(self) -> CurriculumPassport | None:
        if not self.passport or not self.passport.curricula:
            return None
        for cp in self.passport.curricula:
            if cp.curriculum.id == self.curriculum_id:
                return cp
        return self.passport.curricula[0]

    def reload(self) -> None:
        if self.erased:
            return
        pupil_id = self.pupil_id
        self.read("passport", lambda service: load_passport(service, pupil_id))

    @guarded
    def on_passport_loaded(self, message: PassportLoaded) -> None:
        if not self.is_latest(message):
            return
        self.passport, self.history, self.gap_ages = message.passport, message.history, message.gap_ages
        self.authors = message.authors
        self.outcomes = message.outcomes
        self.show()

    def show(self) -> None:
        pp = self.passport
        if pp is None:
            return
        cp = self.current
        if cp is not None:
            self.curriculum_id = cp.curriculum.id
        p = pp.pupil
        groups = groups_of(p)
        kind = "id" if is_passport_id(p.upn) else "UPN"  # a family's child has the passport's own id
        title = f"{p.name}  ·  {kind} {p.upn}  ·  {year_label(pp.year_group)}"
        if p.class_name:
            title += f"  ·  Class {p.class_name}"
        if groups:
            title += f"  ·  {groups}"
        self.query_one("#passport-title", Static).update(Content(plain(title)))
        if cp is None:
            self.query_one("#passport-points", Static).update(Content("No curricula yet."))
            return
        s = cp.standing
        c = cp.curriculum
        if not s.assessed:  # nobody has judged the pupil in this subject: no figure to show
            line = f"{c.title}\n{not_assessed_hint(self.glyphs)}"
            if s.expected is not None:
                line += f"  ·  expected {s.expected} ({s.window.name})"
            if s.target is not None:
                line += f"  ·  personal target {s.target}"
        elif s.points is not None:
            line = (
                f"{c.title}\nPoints {s.points}  ·  expected {s.expected} ({s.window.name})  ·  "
                f"{'personal ' if s.target_is_personal else ''}target {s.target} "
                f"({s.target_status.value if s.target_status else '-'})"
            )
        else:
            line = f"{c.title}\n(no year-linked stages: personal targets only)"
        if s.flags:
            line += "  ·  " + ", ".join(f"{self.glyphs.flag[f]} {f.value}" for f in s.flags)
        self.query_one("#passport-points", Static).update(Content(plain(line, multiline=True)))
        self.query_one("#passport-chart", Static).update(Content(chart(cp, self.glyphs is ASCII)))
        self.fill(cp)

    def fill(self, cp: CurriculumPassport) -> None:
        c, s = cp.curriculum, cp.standing
        gaps = set(s.gaps)
        g = self.glyphs.cell

        def item(mid: str, prefix: str = "") -> Option:
            m = c.milestone_by_id[mid]
            return Option(
                Content(plain(f"{prefix}{mid}  {m.title}" + ("  (retired)" if m.retired else ""))), id=mid
            )

        nxt = self.query_one("#next-list", OptionList)
        nxt.clear_options()
        nxt.add_options(
            [item(m, f"{g[Cell.GAP] if m in gaps else g[Cell.NEXT]} ") for m in s.next]
            or [Option("No next steps.", disabled=True)]
        )
        gl = self.query_one("#gaps-list", OptionList)
        gl.clear_options()
        ages = self.gap_ages.get(c.id, {})
        gl.add_options(
            [item(m, f"{g[Cell.GAP]} {ages.get(m, 0):>4} days  ") for m in s.gaps]
            or [Option("No gaps." if s.assessed else "Not assessed yet: no gaps known.", disabled=True)]
        )
        fl = self.query_one("#focus-list", OptionList)
        fl.clear_options()
        focus = [f for f in (self.passport.focus if self.passport else []) if f.curriculum_id == c.id]
        fl.add_options(
            [
                Option(
                    Content(
                        plain(
                            f"◆ {f.milestone_id}  {c.milestone_by_id[f.milestone_id].title}"
                            + (f"\n    provision: {f.provision}" if f.provision else ""),
                            multiline=True,
                        )
                    ),
                    id=f.milestone_id,
                )
                for f in focus
                if f.milestone_id in c.milestone_by_id
            ]
            or [Option("No focus items: press f on a next step to pin one.", disabled=True)]
        )
        ach = self.query_one("#achieved-list", OptionList)
        ach.clear_options()
        by_stage: dict[str, list[str]] = {}
        for m in s.achieved:
            by_stage.setdefault(c.milestone_by_id[m].stage, []).append(m)
        options: list[Option] = []
        revisit = set(s.revisit)
        for st in c.stages:
            ms = by_stage.get(st.id)
            if not ms:
                continue
            total = len(c.counted(st.id, s.achieved_set))  # a retired milestone counts once achieved
            options.append(Option(Content(plain(f"{st.title}: {len(ms)} of {total}")), disabled=True))
            for m in ms:
                when = cp.achieved_on.get(m)
                mark = g[Cell.REVISIT] if m in revisit else g[Cell.ACHIEVED]
                options.append(item(m, f"{mark} {when.date().isoformat() if when else '':<10}  "))
        if cp.unlisted:
            options.append(
                Option(
                    Content(
                        plain(f"No longer in this curriculum: {', '.join(cp.unlisted)} (run passport doctor)")
                    ),
                    disabled=True,
                )
            )
        ach.add_options(options or [Option("Nothing achieved yet.", disabled=True)])
        hist = self.query_one("#history-list", OptionList)
        hist.clear_options()
        events = [e for e in self.history if e.curriculum_id == c.id]
        lines = []
        for e in reversed(events):
            extra = " — ".join(x for x in (e.reason, e.note) if x)
            mid = e.milestone_id
            if mid in c.curriculum.moved:
                mid = f"{mid} (now {c.curriculum.moved[mid]})"
            elif mid in c.retired:
                mid = f"{mid} (retired)"
            by = self.authors.get(e.by, e.by)
            text = f"{e.at.date().isoformat()}  {by}  {mid}  {e.verdict.value.replace('_', ' ')}"
            lines.append(Option(Content(plain(text + (f"  ({extra})" if extra else "")))))
        hist.add_options(lines or [Option("No judgements yet.", disabled=True)])
        out = self.query_one("#outcomes-list", OptionList)
        out.clear_options()
        out.add_options(self.outcome_options(c))
        for lst in (nxt, gl, ach, hist, fl, out):
            first = next(
                (i for i in range(lst.option_count) if not lst.get_option_at_index(i).disabled), None
            )
            lst.highlighted = first

    def outcome_options(self, c) -> list[Option]:
        """The pupil's personal outcomes in this subject, by area: each with its state, where it
        comes from, and (retired) when and why."""
        g = self.glyphs.cell
        mine = [v for v in self.outcomes if v.outcome.curriculum_id == c.id]
        heading = "Personal outcomes: from the EHCP or provision plan"
        if not mine:
            return [
                Option(Content(heading), disabled=True),
                Option(Content("None yet: press o to add one."), disabled=True),
            ]
        options = [
            Option(
                Content(
                    f"{heading} ({sum(v.status in ('achieved', 'revisit') for v in mine)} of {len(mine)} achieved)"
                ),
                disabled=True,
            )
        ]
        area = None
        for v in sorted(mine, key=lambda v: (c.order.get(v.outcome.id, 1 << 30), v.outcome.id)):
            if v.area_title != area:
                area = v.area_title
                options.append(Option(Content(plain(f"Area: {area}")), disabled=True))
            o = v.outcome
            when = f" {v.achieved_on}" if v.achieved_on else ""
            text = f"{g[STATUS_CELL[v.status]]} {o.id}  {o.title}  ({v.status}{when})"
            indent = "\u00a0" * 4  # a wrapped line keeps it
            if o.source:
                text += f"\n{indent}from {o.source}"
            if o.retired_at is not None:
                text += f"\n{indent}retired {o.retired_at.date().isoformat()}: {o.retired_reason}"
            options.append(Option(Content(plain(text, multiline=True)), id=o.id))
        return options

    # --- actions ---------------------------------------------------------------------------

    def highlighted_milestone(self) -> str | None:
        tabs = self.query_one(TabbedContent)
        if tabs.active not in ("next", "gaps", "outcomes"):
            return None
        lst = self.query_one(f"#{tabs.active}-list", OptionList)
        if lst.highlighted is None:
            return None
        return lst.get_option_at_index(lst.highlighted).id

    def action_mark(self, verdict: str, reason: str | None = None) -> None:
        mid = self.highlighted_milestone()
        if mid is None:
            self.notify("Highlight a next step, a gap or an outcome to judge it.", markup=False, timeout=3)
            return
        try:
            self.service.judge(self.pupil_id, mid, verdict, curriculum_id=self.curriculum_id, reason=reason)
        except PrerequisitesUnmet as refusal:
            self.app.push_screen(
                ReasonScreen("Prerequisites not yet achieved", str(refusal), "Reason for the override"),
                lambda r: r and self.action_mark(verdict, r),
            )
            return
        word = "achieved" if verdict == "achieved" else "not yet"
        self.notify(f"{mid} recorded {word}.", markup=False, timeout=3)
        self.reload()

    def action_pin(self) -> None:
        mid = self.highlighted_milestone()
        if mid is None:
            self.notify("Highlight a next step or a gap to pin it as a focus item.", markup=False, timeout=3)
            return

        def done(provision: str | None) -> None:
            if provision is None:
                return
            self.service.pin_focus(self.pupil_id, mid, provision=provision, curriculum_id=self.curriculum_id)
            self.notify(f"{mid} pinned as a focus item.", markup=False, timeout=3)
            self.reload()

        self.app.push_screen(
            AskScreen(
                f"Focus on {mid}",
                "The provision: what will be done, by whom (optional).",
                placeholder="Provision",
            ),
            done,
        )

    def action_unpin(self) -> None:
        tabs = self.query_one(TabbedContent)
        lst = self.query_one("#focus-list", OptionList)
        mid = None
        if tabs.active == "focus" and lst.highlighted is not None:
            mid = lst.get_option_at_index(lst.highlighted).id
        if not mid:
            self.notify("Open the focus tab (5) and highlight an item to unpin it.", markup=False, timeout=3)
            return
        self.service.unpin_focus(self.pupil_id, mid, self.curriculum_id)
        self.notify(f"{mid} unpinned.", markup=False, timeout=3)
        self.reload()

    def action_test(self) -> None:
        def done(value: str | None) -> None:
            if not value:
                return
            try:
                score = float(value.rstrip("%"))
            except ValueError:
                self.notify(f"{value!r} is not a percentage.", severity="warning", markup=False)
                return
            result = self.service.record_test(self.pupil_id, self.curriculum_id, score)
            depth = " (greater depth)" if result.greater_depth else ""
            self.notify(
                f"Test {result.score:g}%: point {result.test_point}{depth}; teacher assessment {result.teacher_points}.",
                markup=False,
            )
            self.reload()

        self.app.push_screen(
            AskScreen(
                "Test score", "This window's test score for the subject, in percent.", placeholder="e.g. 72"
            ),
            done,
        )

    def action_target(self) -> None:
        def done(value: str | None) -> None:
            if value is None:
                return
            points_text, _, reason = value.partition(" ")
            try:
                points = int(points_text) if points_text else None
            except ValueError:
                self.notify(
                    "Start with the target points, then the reason: e.g. 21 secure in class work.",
                    markup=False,
                )
                return
            self.service.set_target(
                self.pupil_id,
                self.curriculum_id,
                points=points,
                reason=reason or ("back to the default" if points is None else ""),
            )
            self.reload()

        self.app.push_screen(
            AskScreen(
                "Personal target",
                "The target points and the reason, e.g. '21 secure in class work, ready for more'. Empty goes back to the default target.",
                placeholder="points reason",
            ),
            done,
        )

    def action_report(self) -> None:
        if self.passport is None:
            return
        pupil_id = self.pupil_id

        def make(service: Service) -> str:
            from ...reports import parent_report

            return parent_report(service, [pupil_id], "html")

        self.app.write_report(self.passport.pupil.upn, make)

    def action_comment(self) -> None:
        def done(text: str | None) -> None:
            if text:
                self.service.add_teacher_comment(self.pupil_id, text)
                self.notify("Comment saved for the parent report.", markup=False, timeout=3)

        self.app.push_screen(
            AskScreen(
                "Teacher's comment",
                "A few sentences for the parent report.",
                placeholder="Comment",
                required=True,
            ),
            done,
        )

    def action_add_outcome(self) -> None:
        """Add a personal outcome under an area of the subject shown (a small dialog)."""
        cp = self.current
        if self.passport is None or cp is None:
            return
        c, pupil_id, name = cp.curriculum, self.pupil_id, self.passport.pupil.name

        def done(draft: OutcomeDraft | None) -> None:
            if draft is None:
                return
            o = self.service.add_outcome(
                pupil_id, c.id, area=draft.area, title=draft.title, source=draft.source
            )
            self.notify(plain(f"{o.id} added: {o.title}"), markup=False, timeout=4)
            self.reload()
            self.action_section("outcomes")

        self.app.push_screen(OutcomeScreen(name, c.title, [(s.id, s.title) for s in c.strands]), done)

    def action_baseline(self) -> None:
        """Baseline on entry in the subject shown: read what each stage would record (in a worker),
        then ask (``on_baseline_planned``)."""
        cp = self.current
        if cp is None:
            return
        pupil_id, cid = self.pupil_id, cp.curriculum.id
        self.read(
            "baseline-plan", lambda service: BaselinePlanned(cid, service.baseline_preview(pupil_id, cid))
        )

    @guarded
    def on_baseline_planned(self, message: BaselinePlanned) -> None:
        if not self.is_latest(message) or self.passport is None:
            return
        cp = next((x for x in self.passport.curricula if x.curriculum.id == message.curriculum_id), None)
        if cp is None:
            return
        offered = last_stage_below(cp.curriculum, self.passport.year_group)
        pupil_id, cid = self.pupil_id, message.curriculum_id

        def done(choice: BaselineChoice | None) -> None:
            if choice is None:
                return

            def record(service: Service) -> BaselineRecorded:
                done = service.baseline(pupil_id, cid, choice.stage, reason=choice.reason)
                return BaselineRecorded(cid, choice.stage, len(done))

            self.notify("Recording the baseline…", markup=False, timeout=2)
            self.read("baseline", record)

        self.app.push_screen(
            BaselineScreen(self.passport.pupil.name, cp.curriculum.title, message.stages, offered),
            done,
        )

    @guarded
    def on_baseline_recorded(self, message: BaselineRecorded) -> None:
        self.notify(
            f"Baseline recorded in {message.curriculum_id} through {message.stage}: "
            f"{plural(message.recorded, 'milestone')} achieved.",
            markup=False,
            timeout=6,
        )
        self.reload()

    def action_curriculum(self, step: int) -> None:
        if not self.passport or not self.passport.curricula:
            return
        ids = [cp.curriculum.id for cp in self.passport.curricula]
        i = ids.index(self.curriculum_id) if self.curriculum_id in ids else 0
        self.curriculum_id = ids[(i + step) % len(ids)]
        self.show()

    def action_section(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self.query_one(f"#{name}-list", OptionList).focus()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_erase(self) -> None:
        """Erase the pupil (admins): the service refuses anyone else before the dialog opens;
        the dialog asks a reason and the name typed again, and erases in a worker."""
        if self.passport is None:
            return
        pupil = self.service.check_erasure(self.pupil_id)
        judgements = len(self.history)
        self.app.push_screen(
            ErasePupilScreen(self.service, pupil, self.passport.year_group, judgements), self.pupil_erased
        )

    def pupil_erased(self, erased: ErasedPupil | None) -> None:
        """Back to the class grid (which reads its pupils again), and say what was done."""
        if erased is None:
            return
        self.app.notify(erased_notice(erased), markup=False, timeout=10)
        self.leave()

    def leave(self) -> None:
        """The pupil is gone: nothing to read again; back to the class grid."""
        self.erased = True
        if self.app.grid_screen is not None:
            self.app.action_grid()
        else:
            self.app.pop_screen()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that finds the pupil gone (erased in another session, or moved out of the
        teacher's classes) says so once and goes back to the grid; any other error goes on to
        ``ServiceScreen``'s handler."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, NotFound) and not self.erased:
            try:
                self.service.pupil(self.pupil_id)
            except NotFound:
                name = self.passport.pupil.name if self.passport else "The pupil"
                self.app.notify(
                    plain(f"{name} is no longer on the roll you see (erased, or moved to another class)."),
                    severity="warning",
                    markup=False,
                    timeout=10,
                )
                event.prevent_default()  # said: not the screens' notice of the error as well
                self.leave()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Pupil passport — keys", self.HELP))
