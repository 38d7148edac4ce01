"""The ``passport`` command. Every command goes through the service layer; refusals and bad files
print one line each to stderr and exit 1; usage errors exit 2. The terminal app is imported only by
the commands that open it, so scripted commands never pay for Textual."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
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
    click.echo(f"Database ready: {svc.store.path} (schema version {svc.store.schema_version()})")


@cli.command()
@click.option("--no-tui", is_flag=True, help="Build the demo and print a summary without opening the app.")
@click.option("--seed", default=2026, show_default=True, help="Seed of the demo's random choices.")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, seed: int) -> None:
    """Build a realistic demo school (sample curricula, 3 classes, ~80 pupils, a year of
    judgements) and open the app on it.

    Without --db the demo goes into its own file (demo.db in your data folder), rebuilt each time;
    a database that already has pupils is never touched."""
    from .demo import build_demo
    from .store import default_db_path

    root = ctx.find_root().obj
    if root["db"] is None:
        path = default_db_path().with_name("demo.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        root["db"] = str(path)
    svc = service(ctx)
    if svc.pupils():
        raise click.ClickException(f"{svc.store.path} already has pupils; the demo needs an empty database.")
    summary = build_demo(svc, seed=seed)
    click.echo(f"Demo school built in {svc.store.path}")
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
    """Validate curriculum files and report every problem as FILE:LINE: message."""
    from .curriculum import load_curriculum
    from .errors import CurriculumError

    bad = 0
    for f in files:
        try:
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
    """Import (or replace) a curriculum from a TOML file."""
    c = service(ctx).import_curriculum(file)
    click.echo(f"Imported {c.id} {c.curriculum.version}: {len(c.milestones)} milestones")


@curriculum.command("export")
@click.argument("curriculum_id", metavar="ID")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (TOML).")
@click.pass_context
def curriculum_export(ctx: click.Context, curriculum_id: str, output: str) -> None:
    """Write a curriculum to a new TOML file."""
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
    added, updated = service(ctx).import_roster(file, academic_year)
    click.echo(f"Imported {file}: {added} pupils added, {updated} updated")


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
    entries = []
    for cp in pp.curricula:
        s = cp.standing
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
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def gaps(ctx: click.Context, pupil: str, as_json: bool) -> None:
    """A pupil's gaps: milestones not secured that later learning depends on or that lie below
    their year group."""
    _print_items(ctx, pupil, "gaps", as_json)


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

        def num(v):
            return "-" if v is None else str(v)

        click.echo(
            f"{d['name'][:26]:<26} {d['year_group']:>2} {d['curriculum'][:12]:<12} {num(d['points']):>3} "
            f"{num(d['expected']):>3} {num(d['target']):>3} {num(d['progress_this_year']):>3} "
            f"{num(d['progress_last_window']):>4} {d['gaps']:>4}  {', '.join(d['flags'])}"
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


def main() -> None:
    cli(prog_name="passport")


if __name__ == "__main__":
    main()
