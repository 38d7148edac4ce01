"""The ``passport`` command. Every command goes through the service layer; refusals and bad files
print one line each to stderr and exit 1; usage errors exit 2. The terminal app is imported only by
the commands that open it, so scripted commands never pay for Textual."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from typing import Any

import click

from .errors import PassportError
from .service import Service

JSON_HELP = "Print JSON instead of text."


class PassportGroup(click.Group):
    """Turns the library's errors into one line each on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PassportError as error:
            for line in error.lines():
                click.echo(f"passport: {line}", err=True)
            ctx.exit(1)


def service(ctx: click.Context) -> Service:
    obj = ctx.find_root().obj
    if obj.get("service") is None:
        obj["service"] = Service.open(obj["db"], obj["as"])
        ctx.find_root().call_on_close(obj["service"].close)
    return obj["service"]


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def parse_at(value: str | None) -> datetime | None:
    """``--at``: an ISO date (noon UTC that day) or date-time (UTC unless it says otherwise)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime(d.year, d.month, d.day, 12, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date like 2026-03-14") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.group(cls=PassportGroup, invoke_without_command=True)
@click.option(
    "--db",
    envvar="PASSPORT_DB",
    type=click.Path(dir_okay=False),
    help="Database file (default: your data folder; or PASSPORT_DB).",
)
@click.option("--as", "as_", metavar="STAFF", help="Act as this staff member (for a forced SSH command).")
@click.option("--class", "class_name", metavar="CLASS", help="Open the app on this class's grid.")
@click.option(
    "--ascii",
    "ascii_only",
    is_flag=True,
    default=None,
    help="ASCII glyphs (auto when the locale is not UTF-8).",
)
@click.option("--no-mouse", is_flag=True, help="Do not ask the terminal for mouse events (slow links).")
@click.version_option(package_name="passport-tui")
@click.pass_context
def cli(ctx: click.Context, db, as_, class_name, ascii_only, no_mouse) -> None:
    """The Milestones Passport: key learning milestones, gaps, next steps and termly tracking.

    With no command, opens the terminal app."""
    ctx.obj = {
        "db": db,
        "as": as_,
        "service": None,
        "class": class_name,
        "ascii": ascii_only,
        "mouse": not no_mouse,
    }
    if ctx.invoked_subcommand is None:
        open_app(ctx)


def open_app(ctx: click.Context) -> None:
    """Open the terminal app (Textual is imported only here)."""
    from .tui.app import make_app

    obj = ctx.find_root().obj
    app = make_app(service(ctx), ascii_only=obj["ascii"], class_name=obj["class"])
    app.run(mouse=obj["mouse"])


# --- set-up --------------------------------------------------------------------------------


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create an empty database (or check an existing one opens)."""
    svc = service(ctx)
    click.echo(f"Database ready: {svc.database_path} (schema version {svc.schema_version()})")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Build the demo and print a summary without opening the app.")
@click.option("--seed", default=2026, show_default=True, help="Seed of the demo's random choices.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, seed: int) -> None:
    """Build a realistic demo school (sample curricula, 3 classes, ~80 pupils, a year of
    judgements) and open the app on it.

    Without --db the demo goes into its own file (demo.db in your data folder), rebuilt each time;
    a database that already has pupils is never touched."""
    from .service.demo import build_demo, fresh_demo_file

    root = ctx.find_root().obj
    if root["db"] is None:
        root["db"] = str(fresh_demo_file())
    svc = service(ctx)
    summary = build_demo(svc, seed=seed)
    click.echo(f"Demo school built in {svc.database_path}")
    click.echo(f"  curricula: {', '.join(summary.curricula)}")
    for name, year, n in summary.classes:
        click.echo(f"  class {name}: Year {year}, {n} pupils")
    click.echo(f"  {summary.judgements} judgements from {summary.first_day} to {summary.last_day}")
    if not no_tui:
        open_app(ctx)


# --- curricula -----------------------------------------------------------------------------


@cli.group(cls=PassportGroup)
def curriculum() -> None:
    """Check, import, export and list curricula."""


@curriculum.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def curriculum_check(files: tuple[str, ...]) -> None:
    """Validate curriculum files (TOML, or CASE JSON) and report every problem as FILE:LINE: message."""
    from .curriculum import load_curriculum
    from .errors import CurriculumError
    from .interop.case import looks_like_case, read_case

    bad = 0
    for f in files:
        try:
            if f.lower().endswith(".json") or looks_like_case(f):
                c, warnings = read_case(f)
                for line in warnings:
                    click.echo(line, err=True)
            else:
                c = load_curriculum(f)
        except CurriculumError as error:
            bad += 1
            for line in error.lines():
                click.echo(line, err=True)
        else:
            click.echo(f"{f}: ok ({c.id}: {len(c.stages)} stages, {len(c.milestones)} milestones)")
    if bad:
        sys.exit(1)


@curriculum.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def curriculum_import(ctx: click.Context, file: str) -> None:
    """Import (or replace) a curriculum from a TOML file or a CASE JSON package (warnings about the
    package on stderr)."""
    c, warnings = service(ctx).import_curriculum_with_warnings(file)
    for line in warnings:
        click.echo(line, err=True)
    click.echo(f"Imported {c.id} {c.curriculum.version}: {len(c.milestones)} milestones")


@curriculum.command("export")
@click.argument("curriculum_id", metavar="ID")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (TOML).")
@click.pass_context
def curriculum_export(ctx: click.Context, curriculum_id: str, output: str) -> None:
    """Write a curriculum to a new file: TOML, or CASE 1.1 JSON when FILE ends in .json."""
    path = service(ctx).export_curriculum(curriculum_id, output)
    click.echo(f"Wrote {path}")


@curriculum.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def curriculum_list(ctx: click.Context, as_json: bool) -> None:
    """List the curricula in the database."""
    rows = [
        {
            "id": c.id,
            "title": c.title,
            "version": c.curriculum.version,
            "stages": [s.id for s in c.stages],
            "milestones": len(c.milestones),
        }
        for c in service(ctx).curricula()
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No curricula yet: passport curriculum import FILE")
    for r in rows:
        click.echo(f"{r['id']}  {r['version']}  {r['milestones']} milestones  {r['title']}")


# --- pupils --------------------------------------------------------------------------------


@cli.group(cls=PassportGroup)
def pupils() -> None:
    """Import and list pupils."""


@pupils.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--academic-year", type=int, help="Academic year the file's year groups are for (default: this one)."
)
@click.pass_context
def pupils_import(ctx: click.Context, file: str, academic_year: int | None) -> None:
    """Import a roster CSV from the school's information system (updates pupils by UPN)."""
    done = service(ctx).import_roster(file, academic_year)
    for warning in done.warnings:
        click.echo(f"{warning} (warning)", err=True)
    click.echo(f"Imported {file}: {done.added} pupils added, {done.updated} updated")


@pupils.command("list")
@click.option("--class", "class_name", help="Only this class.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def pupils_list(ctx: click.Context, class_name: str | None, as_json: bool) -> None:
    """List pupils, by class."""
    svc = service(ctx)
    rows = []
    for p in svc.pupils(class_name):
        d = p.model_dump(mode="json")
        d["year_group"] = svc.year_group(p)
        d.pop("academic_year")
        rows.append(d)
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        groups = ",".join(
            g for g, on in (("PP", r["pupil_premium"]), ("EAL", r["eal"]), ("FSM", r["fsm"])) if on
        )
        sen = "" if r["sen"] == "none" else f"SEN:{r['sen']}"
        click.echo(
            f"{r['upn']:<14} {r['last_name']}, {r['first_name']}  Y{r['year_group']}  "
            f"{r['class_name'] or '-'}  {' '.join(x for x in (groups, sen) if x)}".rstrip()
        )


# --- judgements ----------------------------------------------------------------------------


@cli.command()
@click.argument("pupil")
@click.argument("milestone")
@click.argument("verdict", type=click.Choice(["achieved", "not-yet"]))
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.option("--note", help="Evidence or a note kept with the judgement.")
@click.option(
    "--override", metavar="REASON", help="Record achieved although prerequisites are unmet, with this reason."
)
@click.option("--at", "at_", metavar="ISODATE", help="Back-date the judgement (e.g. 2026-03-14).")
@click.pass_context
def judge(ctx, pupil, milestone, verdict, curriculum_id, note, override, at_) -> None:
    """Record one judgement: PUPIL (UPN or id) has achieved MILESTONE, or not yet."""
    j = service(ctx).judge(
        pupil, milestone, verdict, curriculum_id=curriculum_id, note=note, reason=override, at=parse_at(at_)
    )
    extra = f" (override: {j.reason})" if j.reason else ""
    click.echo(f"Recorded {j.milestone_id} {j.verdict.value.replace('_', ' ')} for {pupil}{extra}")


@cli.command()
@click.argument("pupil")
@click.argument("milestone")
@click.option("--reason", required=True, help="Why the earlier 'achieved' was an error.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def retract(ctx, pupil, milestone, reason, curriculum_id) -> None:
    """Correct an 'achieved' recorded in error (audited; the history keeps both)."""
    j = service(ctx).retract(pupil, milestone, reason, curriculum_id)
    click.echo(f"Retracted {j.milestone_id} for {pupil}: {j.reason}")


def _items(svc: Service, pp, key: str) -> list[dict[str, str]]:
    out = []
    for cp in pp.curricula:
        for mid in getattr(cp.standing, key):
            out.append(
                {
                    "curriculum": cp.curriculum.id,
                    "milestone": mid,
                    "title": cp.curriculum.milestone_by_id[mid].title,
                }
            )
    return out


@cli.command()
@click.argument("pupil")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def show(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """A pupil's passport: per curriculum, achieved (with dates), next steps, gaps, points,
    expected, target and flags."""
    svc = service(ctx)
    pp = svc.passport(pupil)
    p = pp.pupil
    tests = {t.curriculum_id: t for t in svc.test_results(pupils=[p])}
    entries = []
    for cp in pp.curricula:
        s = cp.standing
        t = tests.get(cp.curriculum.id)
        entries.append(
            {
                "id": cp.curriculum.id,
                "title": cp.curriculum.title,
                "achieved": s.achieved,
                "achieved_on": {m: d.date().isoformat() for m, d in cp.achieved_on.items()},
                "next": s.next,
                "gaps": s.gaps,
                "revisit": s.revisit,
                "points": s.points,
                "expected": s.expected,
                "target": s.target,
                "target_status": s.target_status.value if s.target_status else None,
                "flags": [f.value for f in s.flags],
                "window": s.window.key,
                "points_by_window": {w.key: v for w, v in s.history},
                "focus": [
                    {"milestone": f.milestone_id, "provision": f.provision}
                    for f in pp.focus
                    if f.curriculum_id == cp.curriculum.id
                ],
                "test": None
                if t is None
                else {
                    "window": t.window.key,
                    "score": t.score,
                    "test_point": t.test_point,
                    "greater_depth": t.greater_depth,
                },
            }
        )
    if as_json:
        emit_json(
            {
                "pupil": {
                    "id": p.id,
                    "upn": p.upn,
                    "name": p.name,
                    "year_group": pp.year_group,
                    "class": p.class_name,
                },
                "curricula": entries,
            }
        )
        return
    click.echo(f"{p.name} ({p.upn}) — Year {pp.year_group}, class {p.class_name or '-'}")
    for cp, e in zip(pp.curricula, entries, strict=True):
        c = cp.curriculum
        click.echo(f"\n{c.title}")
        if e["points"] is not None:
            click.echo(
                f"  points {e['points']}, expected {e['expected']} ({cp.standing.window.name}), "
                f"target {e['target']} ({e['target_status']})"
            )
        click.echo(f"  flags: {', '.join(e['flags']) or 'none'}")
        if e["test"] is not None:
            click.echo(f"  test: {_test_words(tests[c.id])}")
        for f in e["focus"]:
            click.echo(f"  focus: {f['milestone']}" + (f" — {f['provision']}" if f["provision"] else ""))
        click.echo(f"  achieved: {len(e['achieved'])} of {len(c.milestones)} milestones")
        for label, ids in (("gaps", e["gaps"]), ("next steps", e["next"][:5])):
            click.echo(f"  {label}:" + ("" if ids else " none"))
            for mid in ids[:10]:
                click.echo(f"    {mid}  {c.milestone_by_id[mid].title}")
            if len(ids) > 10:
                click.echo(f"    … and {len(ids) - 10} more")


@cli.command("next")
@click.argument("pupil")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def next_(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """A pupil's next steps: gaps first, then in curriculum order."""
    _print_items(ctx, pupil, "next", as_json)


@cli.command()
@click.argument("pupil")
@click.option("--age", is_flag=True, help="With how many days each gap has been open, oldest first.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def gaps(ctx: click.Context, pupil: str, age: bool, as_json: bool) -> None:
    """A pupil's gaps: milestones not secured that later learning depends on or that lie below
    their year group. With --age, how long each has been open, oldest first (a gap that lingers
    needs attention)."""
    if not age:
        _print_items(ctx, pupil, "gaps", as_json)
        return
    svc = service(ctx)
    items = []
    for c in svc.curricula():
        for mid, days in svc.gap_ages(pupil, c.id):
            items.append(
                {
                    "curriculum": c.id,
                    "milestone": mid,
                    "title": c.milestone_by_id[mid].title,
                    "days_open": days,
                }
            )
    items.sort(key=lambda i: -i["days_open"])  # stable: curriculum order within the same age
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("none")
    for i in items:
        click.echo(f"{_days(i['days_open']):>10}  {i['curriculum']}  {i['milestone']}  {i['title']}")


def _print_items(ctx: click.Context, pupil: str, key: str, as_json: bool) -> None:
    svc = service(ctx)
    items = _items(svc, svc.passport(pupil, history_windows=0), key)
    if as_json:
        emit_json(items)
        return
    if not items:
        click.echo("none")
    for i in items:
        click.echo(f"{i['curriculum']}  {i['milestone']}  {i['title']}")


@cli.command()
@click.argument("pupil")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def history(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """Every judgement of a pupil, oldest first, with who and when."""
    events = service(ctx).history(pupil)
    if as_json:
        emit_json([e.model_dump(mode="json") for e in events])
        return
    for e in events:
        extra = " — ".join(x for x in (e.reason, e.note) if x)
        click.echo(
            f"{e.at.isoformat(timespec='minutes')}  {e.by:<12} {e.curriculum_id}  {e.milestone_id}  "
            f"{e.verdict.value}" + (f"  {extra}" if extra else "")
        )


# --- the termly cycle ------------------------------------------------------------------------


@cli.command()
@click.argument("pupil")
@click.argument("milestone")
@click.option("--note", help="Why retention is in doubt.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def revisit(ctx, pupil, milestone, note, curriculum_id) -> None:
    """Mark an achieved milestone for a retention check: it stays achieved and is listed until
    re-confirmed (judge it achieved again)."""
    j = service(ctx).judge(pupil, milestone, "revisit", curriculum_id=curriculum_id, note=note)
    click.echo(f"{j.milestone_id} marked for revisit for {pupil}")


def _tracking_json(r) -> dict[str, Any]:
    s = r.standing
    return {
        "upn": r.pupil.upn,
        "name": r.pupil.name,
        "class": r.pupil.class_name,
        "year_group": s.year_group,
        "curriculum": r.curriculum_id,
        "window": s.window.key,
        "points": s.points,
        "expected": s.expected,
        "target": s.target,
        "target_status": s.target_status.value if s.target_status else None,
        "progress_this_year": s.progress_this_year,
        "progress_last_window": s.progress_last_window,
        "gaps": len(s.gaps),
        "flags": [f.value for f in s.flags],
    }


@cli.command()
@click.option("--class", "class_name", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--window", help="A past window, like 2026-autumn (default: the current one).")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def tracking(ctx, class_name, year_group, window, curriculum_id, as_json) -> None:
    """Points, expected, target, progress and flags per pupil and subject; who needs support
    (falling behind or stalled) first."""
    rows = service(ctx).tracking(
        class_name=class_name, year_group=year_group, window=window, curriculum_id=curriculum_id
    )
    data = [_tracking_json(r) for r in rows]
    if as_json:
        emit_json(data)
        return
    if not data:
        click.echo("No pupils with points for that choice.")
        return
    click.echo(
        f"{'pupil':<26} {'yr':>2} {'subject':<12} {'pts':>3} {'exp':>3} {'tgt':>3} {'+yr':>3} {'+win':>4} {'gaps':>4}  flags"
    )
    for d in data:
        click.echo(
            f"{d['name'][:26]:<26} {d['year_group']:>2} {d['curriculum'][:12]:<12} {_num(d['points']):>3} "
            f"{_num(d['expected']):>3} {_num(d['target']):>3} {_num(d['progress_this_year']):>3} "
            f"{_num(d['progress_last_window']):>4} {d['gaps']:>4}  {', '.join(d['flags'])}"
        )


@cli.group(cls=PassportGroup)
def settings() -> None:
    """The school's settings: term dates."""


def _month_day(value: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in value.split("-"))
        date(2001, month, day)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month and day like 01-05") from None
    return month, day


@settings.command("terms")
@click.option("--spring", required=True, help="First day of the spring window, MM-DD (default 01-01).")
@click.option("--summer", required=True, help="First day of the summer window, MM-DD (default 04-01).")
@click.pass_context
def settings_terms(ctx, spring, summer) -> None:
    """Set the school's assessment windows (autumn always starts on 1 September)."""
    svc = service(ctx)
    svc.set_term_dates(_month_day(spring), _month_day(summer))
    for w in engine_windows(svc):
        click.echo(f"{w.name}: {w.start} to {w.end}")


@settings.command("show")
@click.pass_context
def settings_show(ctx) -> None:
    """Show the windows of this academic year and the current one."""
    svc = service(ctx)
    current = svc.window()
    for w in engine_windows(svc):
        click.echo(f"{w.name}: {w.start} to {w.end}" + ("  (current)" if w == current else ""))


def engine_windows(svc: Service):
    from .engine import windows_of_year

    return windows_of_year(svc.academic_year(), svc.terms)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _signed(n: int) -> str:
    return f"{n:+d}" if n else "0"


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# --- termly tests (§2.7) ---------------------------------------------------------------------


@cli.group("test", cls=PassportGroup)
def tests_group() -> None:
    """Termly test scores, and the points they give beside the teacher-assessed points."""


def _score(value: str) -> float:
    try:
        return float(value.strip().rstrip("%"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a percentage like 72 or 72%") from None


def _test_words(r) -> str:
    """E.g. ``85% in Autumn 2026/27: test point 10 (greater depth)``."""
    point = (
        "no test point (no expected points for this pupil)"
        if r.test_point is None
        else f"test point {r.test_point}" + (" (greater depth)" if r.greater_depth else "")
    )
    return f"{r.score:g}% in {r.window.name}: {point}"


def _test_json(r) -> dict[str, Any]:
    return {
        "upn": r.pupil.upn,
        "name": r.pupil.name,
        "class": r.pupil.class_name,
        "curriculum": r.curriculum_id,
        "window": r.window.key,
        "score": r.score,
        "test_point": r.test_point,
        "greater_depth": r.greater_depth,
        "teacher_points": r.teacher_points,
        "expected": r.expected,
        "disagreement": r.disagreement,
        "disagrees": r.disagrees,
    }


@tests_group.command("record")
@click.argument("pupil")
@click.argument("curriculum_id", metavar="CURRICULUM")
@click.argument("score")
@click.option("--window", help="The window the test is for, like 2026-autumn (default: the current one).")
@click.option("--note", help="A note kept with the score (e.g. which paper).")
@click.pass_context
def tests_record(ctx, pupil, curriculum_id, score, window, note) -> None:
    """Record PUPIL's termly test SCORE (a percent) in CURRICULUM. Prints the point the score
    gives (80%+ expected and greater depth, 60-80% expected, 50-60% one below, 35-50% two below,
    under 35% three below) beside the teacher-assessed points. A later score for the same window
    replaces it; the history is kept."""
    r = service(ctx).record_test(pupil, curriculum_id, _score(score), window=window, note=note)
    click.echo(f"Recorded {r.pupil.name} ({r.pupil.upn}), {r.curriculum_id}: {_test_words(r)}")
    click.echo(
        f"  teacher-assessed points {_num(r.teacher_points)}, expected {_num(r.expected)}"
        + (f"; teacher − test = {_signed(r.disagreement)}" if r.disagreement is not None else "")
        + ("  (!) they disagree: worth a look" if r.disagrees else "")
    )


@tests_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--curriculum", "curriculum_id", help="Curriculum of every row (else a Curriculum column).")
@click.option("--window", help="Window of rows without a Window column, like 2026-autumn (default: now).")
@click.pass_context
def tests_import(ctx, file, curriculum_id, window) -> None:
    """Import test scores from a CSV with columns UPN and Score (and Curriculum, Window unless
    given). One transaction: every bad row is reported as FILE:ROW: message and nothing is
    written."""
    n = service(ctx).import_tests(file, curriculum_id=curriculum_id, window=window)
    click.echo(f"Imported {file}: {n} test scores")


@tests_group.command("list")
@click.option("--class", "class_name", help="Only this class.")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@click.option("--window", help="A window like 2026-autumn (default: the current one).")
@click.option("--disagreements", is_flag=True, help="Only where teacher and test differ by 2 points or more.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def tests_list(ctx, class_name, curriculum_id, window, disagreements, as_json) -> None:
    """Each pupil's test score in a window: the test point (and greater depth) beside the
    teacher-assessed points and the expected points, with the disagreement (teacher − test).
    Disagreements of 2 points or more come first, marked with !."""
    rows = service(ctx).test_results(curriculum_id=curriculum_id, window=window, class_name=class_name)
    if disagreements:
        rows = [r for r in rows if r.disagrees]
    data = [_test_json(r) for r in rows]
    if as_json:
        emit_json(data)
        return
    if not data:
        click.echo("No test scores for that choice." if not disagreements else "No disagreements.")
        return
    click.echo(
        f"  {'pupil':<26} {'subject':<12} {'score':>5} {'test':>4} {'gd':>2} {'teach':>5} {'exp':>3} {'diff':>4}"
    )
    for d in data:
        diff = "-" if d["disagreement"] is None else _signed(d["disagreement"])
        click.echo(
            f"{'!' if d['disagrees'] else ' '} {d['name'][:26]:<26} {d['curriculum'][:12]:<12} "
            f"{_num(d['score']) + '%':>5} {_num(d['test_point']):>4} {'GD' if d['greater_depth'] else '':>2} "
            f"{_num(d['teacher_points']):>5} {_num(d['expected']):>3} {diff:>4}"
        )


# --- targets (§2.8) --------------------------------------------------------------------------


@cli.group(cls=PassportGroup)
def target() -> None:
    """Personal targets (points, or milestones by a date) with a reason, and their history."""


def _target_what(points: int | None, milestones: list[str] | None, due: date | None) -> str:
    if milestones:
        return f"milestones {', '.join(milestones)}" + (f" by {due.isoformat()}" if due else "")
    if points is not None:
        return f"{points} points"
    return "the default target"


def _target_json(v) -> dict[str, Any]:
    return {
        "upn": v.pupil.upn,
        "name": v.pupil.name,
        "curriculum": v.curriculum_id,
        "points": v.points,
        "milestones": v.milestones,
        "due": v.due.isoformat() if v.due else None,
        "personal": v.personal,
        "status": v.status,
        "reason": v.reason,
        "history": [
            {
                "academic_year": t.academic_year,
                "points": t.points,
                "milestones": t.milestones,
                "due": t.due.isoformat() if t.due else None,
                "default": t.clears,
                "reason": t.reason,
                "by": t.by,
                "at": t.at.isoformat(),
            }
            for t in v.history
        ],
    }


def _print_target(v, history: bool = True) -> None:
    if v.points is None and not v.milestones:
        current = "no target (no points in this curriculum)"
    else:
        current = _target_what(v.points, v.milestones, v.due)
    kind = f"personal: {v.reason}" if v.personal else "default"
    click.echo(f"{v.pupil.name} ({v.pupil.upn}), {v.curriculum_id}: {current} ({kind}) — {v.status}")
    if history and v.history:
        click.echo("  history:")
        for t in v.history:
            click.echo(
                f"    {t.at.date().isoformat()}  {t.by:<12} {_target_what(t.points, t.milestones, t.due)}"
                f" — {t.reason}"
            )


@target.command("set")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--points", type=int, help="A points target.")
@click.option("--milestones", metavar="ID,ID", help="A set of milestones to secure, comma-separated.")
@click.option(
    "--due", type=click.DateTime(formats=["%Y-%m-%d"]), help="When the milestones are due (YYYY-MM-DD)."
)
@click.option("--reason", required=True, help="Why this pupil has a personal target.")
@click.pass_context
def target_set(ctx, pupil, curriculum_id, points, milestones, due, reason) -> None:
    """Set a personal target for PUPIL in a curriculum: --points N, or --milestones ID,ID with an
    optional --due date, with a --reason. The earlier targets stay in the history."""
    ids = [m.strip() for m in (milestones or "").split(",") if m.strip()]
    if (points is None) == (not ids):
        raise click.UsageError("Give either --points or --milestones (one of them).")
    if due is not None and not ids:
        raise click.UsageError("--due goes with --milestones.")
    v = service(ctx).set_target(
        pupil,
        curriculum_id,
        reason=reason,
        points=points,
        milestones=ids or None,
        due=due.date() if due else None,
    )
    _print_target(v, history=False)


@target.command("clear")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--reason", required=True, help="Why the personal target goes.")
@click.pass_context
def target_clear(ctx, pupil, curriculum_id, reason) -> None:
    """Put PUPIL back on the default target (the end-of-year point of their year group) in a
    curriculum; the personal target stays in the history."""
    v = service(ctx).set_target(pupil, curriculum_id, reason=reason)
    _print_target(v, history=False)


@target.command("show")
@click.argument("pupil")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def target_show(ctx, pupil, curriculum_id, as_json) -> None:
    """PUPIL's current target (personal or the default), whether it is met, on track or off
    track, and the history of personal targets with who set each, when and why."""
    svc = service(ctx)
    ids = [curriculum_id] if curriculum_id else [c.id for c in svc.curricula()]
    views = [svc.target(pupil, cid) for cid in ids]
    if as_json:
        emit_json([_target_json(v) for v in views])
        return
    if not views:
        click.echo("No curricula yet: passport curriculum import FILE")
    for v in views:
        _print_target(v)


# --- groups (§2.10) --------------------------------------------------------------------------


def _figures_json(f) -> dict[str, Any] | None:
    if f is None:
        return None
    return {
        "n": f.count,
        "with_points": f.measured,
        "mean_points": f.mean_points,
        "pct_at_expected": f.pct_at_expected,
        "progress_this_year": f.mean_progress_year,
        "progress_last_window": f.mean_progress_window,
        "pct_with_gaps": f.pct_with_gaps,
    }


def _groups_json(a) -> dict[str, Any]:
    return {
        "curriculum": a.curriculum_id,
        "window": a.window.key,
        "groups": [
            {
                "group": r.group,
                "group_figures": _figures_json(r.members),
                "rest": _figures_json(r.rest),
                "points_gap": r.points_gap,
                "at_expected_gap": r.at_expected_gap,
                "year_ago": _figures_json(r.year_ago),
                "rest_year_ago": _figures_json(r.rest_year_ago),
            }
            for r in a.groups
        ],
        "lags": [
            {
                "group": lag.group,
                "milestone": lag.milestone,
                "group_pct": lag.group_pct,
                "rest_pct": lag.rest_pct,
                "lag": lag.lag,
                "text": lag.describe(),
            }
            for lag in a.lags
        ],
    }


@cli.command()
@click.option("--class", "class_name", help="Only this class.")
@click.option("--year", "year_group", type=int, help="Only this year group.")
@click.option("--window", help="A past window, like 2026-autumn (default: the current one).")
@click.option("--curriculum", "curriculum_id", help="Only this curriculum (default: each in turn).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def groups(ctx, class_name, year_group, window, curriculum_id, as_json) -> None:
    """Group analysis: pupil premium, FSM, EAL, SEN, girls, boys and tags, each against the rest
    (figures as group/rest): pupils, mean points, % at or above expected, progress this year,
    % with gaps, and the group's mean points a year ago; then the milestones where groups lag
    the rest most."""
    svc = service(ctx)
    # points, expectations and so group comparisons exist only for subjects with year-linked stages
    ids = [curriculum_id] if curriculum_id else [c.id for c in svc.curricula() if c.year_linked_stages]
    analyses = [
        svc.group_analysis(class_name=class_name, year_group=year_group, window=window, curriculum_id=cid)
        for cid in ids
    ]
    if as_json:
        emit_json([_groups_json(a) for a in analyses])
        return
    if not analyses:
        click.echo("No curricula yet: passport curriculum import FILE")

    def pair(a: Any, b: Any) -> str:
        def one(x: Any) -> str:
            return f"{x:.1f}" if isinstance(x, float) else _num(x)

        return f"{one(a)}/{one(b)}"

    for i, a in enumerate(analyses):
        if i:
            click.echo("")
        click.echo(f"{a.curriculum_id} — {a.window.name} (each figure: group/rest)")
        if not a.groups:
            click.echo("  no groups among these pupils")
            continue
        click.echo(
            f"  {'group':<17} {'n':>5} {'points':>9} {'% at exp':>10} {'+year':>9} "
            f"{'% gaps':>10} {'pts yr ago':>10}"
        )
        for r in a.groups:
            m, rest = r.members, r.rest
            ago = pair(r.year_ago.mean_points, r.rest_year_ago.mean_points) if r.year_ago else "-"
            click.echo(
                f"  {r.group[:17]:<17} {pair(m.count, rest.count):>5} "
                f"{pair(m.mean_points, rest.mean_points):>9} "
                f"{pair(m.pct_at_expected, rest.pct_at_expected):>10} "
                f"{pair(m.mean_progress_year, rest.mean_progress_year):>9} "
                f"{pair(m.pct_with_gaps, rest.pct_with_gaps):>10} {ago:>10}"
            )
        click.echo(
            "  where groups lag most:" + ("" if a.lags else " nowhere (or groups too small to compare)")
        )
        for lag in a.lags:
            click.echo(f"    {lag.describe()}")


# --- moderation (§2.11) ----------------------------------------------------------------------


@cli.group(cls=PassportGroup)
def moderation() -> None:
    """A second member of staff confirms or queries achieved judgements, from a random sample."""


def _moderation_json(item) -> dict[str, Any]:
    j, st = item.judgement, item.state
    return {
        "judgement_id": j.id,
        "upn": item.pupil.upn,
        "name": item.pupil.name,
        "class": item.pupil.class_name,
        "curriculum": j.curriculum_id,
        "milestone": j.milestone_id,
        "recorded_by": j.by,
        "recorded_at": j.at.isoformat(),
        "status": st.status.value,
        "sampled": st.sampled,
        "confirmed_by": list(st.confirmed_by),
        "query": st.query,
        "queried_by": st.queried_by,
        "resolution": st.resolution,
        "resolved_by": st.resolved_by,
    }


def _print_moderation(items) -> None:
    click.echo(f"{'id':>6}  {'pupil':<24} {'milestone':<10} {'recorded by':<12} {'status':<9}  query")
    for item in items:
        d = _moderation_json(item)
        note = f"{d['query']} ({d['queried_by']})" if d["query"] else ""
        if d["status"] == "resolved" and d["resolution"]:
            note += f" → {d['resolution']} ({d['resolved_by']})"
        click.echo(
            f"{d['judgement_id']:>6}  {d['name'][:24]:<24} {d['milestone'][:10]:<10} "
            f"{d['recorded_by'][:12]:<12} {d['status']:<9}  {note}".rstrip()
        )


@moderation.command("sample")
@click.option("--class", "class_name", required=True, help="The class to sample.")
@click.option("--curriculum", "curriculum_id", required=True, help="Curriculum id.")
@click.option("--window", help="A window like 2026-autumn (default: the current one).")
@click.option("--size", default=10, show_default=True, type=click.IntRange(min=1), help="How many to draw.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def moderation_sample(ctx, class_name, curriculum_id, window, size, as_json) -> None:
    """Draw a random sample of a class's achieved judgements in a window, spread across pupils
    and staff, for moderation. The draw is recorded; judgements already drawn or moderated are
    left out, so drawing again adds more."""
    svc = service(ctx)
    items = svc.draw_moderation_sample(
        class_name=class_name, curriculum_id=curriculum_id, window=window, size=size
    )
    if as_json:
        emit_json([_moderation_json(i) for i in items])
        return
    w = svc.window(window)
    if not items:
        click.echo(
            f"No achieved judgements of class {class_name} in {curriculum_id}, {w.name} left to sample."
        )
        return
    click.echo(f"Drew {len(items)} judgements of class {class_name} in {curriculum_id}, {w.name}:")
    _print_moderation(items)


def _moderate(ctx: click.Context, judgement_id: int, action: str, note: str | None) -> None:
    item = service(ctx).moderate(judgement_id, action, note)
    d = _moderation_json(item)
    click.echo(f"Judgement {judgement_id} ({d['name']}, {d['milestone']}): {d['status']}")


@moderation.command("confirm")
@click.argument("judgement_id", type=int)
@click.pass_context
def moderation_confirm(ctx, judgement_id) -> None:
    """Confirm an achieved judgement (by someone other than the member of staff who recorded it)."""
    _moderate(ctx, judgement_id, "confirm", None)


@moderation.command("query")
@click.argument("judgement_id", type=int)
@click.option("--note", required=True, help="What is in doubt (required).")
@click.pass_context
def moderation_query(ctx, judgement_id, note) -> None:
    """Query an achieved judgement with a note; it stays on the moderation list until resolved.
    The judgement itself is not changed."""
    _moderate(ctx, judgement_id, "query", note)


@moderation.command("resolve")
@click.argument("judgement_id", type=int)
@click.option("--note", required=True, help="How the query was settled (required).")
@click.pass_context
def moderation_resolve(ctx, judgement_id, note) -> None:
    """Resolve the open query on a judgement with a note (retract the judgement separately if
    the query found it was an error)."""
    _moderate(ctx, judgement_id, "resolve", note)


@moderation.command("list")
@click.option("--class", "class_name", help="Only this class.")
@click.option("--open", "open_only", is_flag=True, help="Only those still to settle: pending or queried.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def moderation_list(ctx, class_name, open_only, as_json) -> None:
    """Moderated and sampled judgements: id, pupil, milestone, who recorded it, status and the
    query note. Queried ones come first and stay listed until resolved."""
    items = service(ctx).moderation(class_name=class_name)
    if open_only:
        items = [i for i in items if i.state.status.value in ("pending", "queried")]
    if as_json:
        emit_json([_moderation_json(i) for i in items])
        return
    if not items:
        click.echo("Nothing to moderate." if open_only else "Nothing sampled or moderated yet.")
        return
    _print_moderation(items)


# --- individual learning plan (§2.12) --------------------------------------------------------


@cli.group(cls=PassportGroup)
def focus() -> None:
    """A pupil's current focus: a few next steps pinned with a provision note."""


def _focus_json(svc: Service, f) -> dict[str, Any]:
    c = svc.curriculum(f.curriculum_id)
    m = c.milestone_by_id.get(f.milestone_id)
    return {
        "curriculum": f.curriculum_id,
        "milestone": f.milestone_id,
        "title": m.title if m else None,
        "provision": f.provision,
        "by": f.by,
        "at": f.at.isoformat(),
    }


def _print_focus(svc: Service, items) -> None:
    if not items:
        click.echo("No focus items.")
    for f in items:
        d = _focus_json(svc, f)
        click.echo(
            f"{d['curriculum']}  {d['milestone']}  {d['title'] or ''}"
            + (f" — {d['provision']}" if d["provision"] else "")
        )


@focus.command("pin")
@click.argument("pupil")
@click.argument("milestone")
@click.option("--provision", help="What will be done: the provision note.")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def focus_pin(ctx, pupil, milestone, provision, curriculum_id) -> None:
    """Pin MILESTONE (a next step or a gap) as PUPIL's current focus, with a provision note; it
    shows on the passport and in the parent report. Pinning again updates the note."""
    svc = service(ctx)
    _print_focus(svc, svc.pin_focus(pupil, milestone, provision=provision, curriculum_id=curriculum_id))


@focus.command("unpin")
@click.argument("pupil")
@click.argument("milestone")
@click.option("--curriculum", "curriculum_id", help="Curriculum id, when the milestone id is in several.")
@click.pass_context
def focus_unpin(ctx, pupil, milestone, curriculum_id) -> None:
    """Take MILESTONE off PUPIL's current focus (the history is kept)."""
    svc = service(ctx)
    _print_focus(svc, svc.unpin_focus(pupil, milestone, curriculum_id))


@focus.command("list")
@click.argument("pupil")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def focus_list(ctx, pupil, as_json) -> None:
    """PUPIL's current focus items, oldest pin first, with their provision notes."""
    svc = service(ctx)
    items = svc.focus(pupil)
    if as_json:
        emit_json([_focus_json(svc, f) for f in items])
        return
    _print_focus(svc, items)


# --- staff -----------------------------------------------------------------------------------


@cli.group(cls=PassportGroup)
def staff() -> None:
    """Staff and their roles. Until the first member is added anyone may use the database (a
    tutor, a family); after that only known staff can: admins manage curricula, rosters, staff and
    settings, teachers judge the pupils of their own classes, viewers change nothing."""


@staff.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The person's name.")
@click.option(
    "--role", type=click.Choice(["admin", "teacher", "viewer"]), required=True, help="What they may do."
)
@click.option("--class", "classes", multiple=True, help="A class they teach (repeat for several).")
@click.pass_context
def staff_add(ctx, username, name, role, classes) -> None:
    """Add a member of staff, or change one (their OS login, or the name a forced SSH command
    passes with --as). The first one added must be an admin."""
    service(ctx).add_staff(username, name, role, list(classes) if classes else None)
    click.echo(f"{username}: {role}" + (f", teaching {', '.join(classes)}" if classes else ""))


@staff.command("remove")
@click.argument("username")
@click.pass_context
def staff_remove(ctx, username) -> None:
    """Remove a member of staff (never the last admin)."""
    service(ctx).remove_staff(username)
    click.echo(f"Removed {username}")


@staff.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def staff_list(ctx, as_json) -> None:
    """List the staff, their roles and classes."""
    rows = [{"username": u, "name": n, "role": r, "classes": c} for u, n, r, c in service(ctx).staff()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No staff yet: anyone who can open the database may use it.")
    for r in rows:
        click.echo(f"{r['username']:<16} {r['role']:<8} {r['name']}  {' '.join(r['classes'])}".rstrip())


def _register_commands() -> None:
    """Commands kept in their own modules (reports, transfer, rosters and exports)."""
    from .commands.maintenance import backup, doctor, restore
    from .commands.report import comment, report
    from .commands.roster import export, oneroster
    from .commands.transfer import transfer

    cli.add_command(report)
    cli.add_command(comment)
    cli.add_command(transfer)
    cli.add_command(export)
    cli.add_command(backup)
    cli.add_command(restore)
    cli.add_command(doctor)
    pupils.add_command(oneroster)


_register_commands()


def main() -> None:
    cli(prog_name="passport")


if __name__ == "__main__":
    main()
