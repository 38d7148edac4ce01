"""The terminal app: class grid, pupil passport and curriculum tree over the service layer."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable
from functools import partial, wraps
from pathlib import Path

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from ..errors import DatabaseBusy, PassportError
from ..files import OutputRefused
from ..resources import styles_dir
from ..service import Service, database_fault
from ..shown import plural
from . import preferences
from .failures import LOG_NAME, ErrorScreen, summary, write_log
from .glyphs import Glyphs, choose
from .screens.base import ServiceScreen
from .screens.grid import GridScreen, View
from .screens.modals import PickScreen
from .screens.moderation import ModerationScreen
from .screens.passport import PassportScreen
from .screens.quitting import QuitWhileWaitingScreen
from .screens.start import StartScreen
from .screens.tracking import TrackingScreen
from .screens.tree import TreeScreen

DEFAULT_THEME = "textual-dark"
STYLES = ("global.tcss", "grid.tcss", "passport.tcss", "tree.tcss", "tracking.tcss", "start.tcss")
POLL_SECONDS = 1.0
# A change waits this long for another program's write lock while the app is frozen on it; then
# the app keeps the change and saves it as soon as the lock goes, waiting in the background for
# up to RETRY_SECONDS before it says the database is busy (Ctrl+R tries again).
BUSY_WAIT_S = 1.0
RETRY_SECONDS = 30.0


class DatabaseFree(Message):
    """The write lock another program held has gone: a kept change can be saved."""


class StillBusy(Message):
    """Another program held the write lock for as long as the app waited."""


class ReportWritten(Message):
    """A report was written to ``path``."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class PassportApp(App):
    """The Milestones Passport."""

    TITLE = "Milestones Passport"
    CSS_PATH = [styles_dir() / name for name in STYLES]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
        Binding("g", "grid", "Grid", show=False, id="app.grid"),
        Binding("ctrl+r", "retry", "Retry saving", show=False, id="app.retry"),
    ]

    def __init__(self, service: Service, glyphs: Glyphs, class_name: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.glyphs = glyphs
        self.start_class = class_name
        self.grid_screen: GridScreen | None = None
        self._seen_change = -1
        self.kept: list[Callable[[], object]] = []  # changes the busy database did not take yet
        self.retry_for = RETRY_SECONDS
        self._waiting = False

    # --- start-up --------------------------------------------------------------------------

    def on_mount(self) -> None:
        saved = preferences.saved_theme(self.service.user)
        self.theme = saved if saved in self.available_themes else DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self.keep_theme)
        self.service.set_busy_timeout(BUSY_WAIT_S)
        self._seen_change = self.service.others_changed()
        self.set_interval(POLL_SECONDS, self.poll_changes)
        if self.service.needs_start():  # an empty database: a family's first run
            self.push_screen(StartScreen(self.service), self.started)
            return
        self.open_first_grid()

    def keep_theme(self, theme) -> None:
        """The theme chosen (Ctrl+P, Theme) is kept for this login, for the next run."""
        preferences.save_theme(self.service.user, theme.name)

    def started(self, answer: tuple[int, str | None] | None) -> None:
        """The first-run steps ended: on to the child's passport (over the grid), or, if they were
        left, to the grid as it is."""
        self.open_first_grid()
        if answer is not None:
            pupil_id, curriculum_id = answer
            self.open_passport(pupil_id, curriculum_id)

    def open_first_grid(self) -> None:
        classes = [name for name, _ in self.service.classes()]
        if self.start_class and self.start_class not in classes:
            # a teacher sees only their own classes (and a mistyped class is not an error screen)
            self.notify(f"Class {self.start_class} is not one of yours.", severity="warning", markup=False)
            self.start_class = None
        if self.start_class or len(classes) <= 1:
            self.open_grid(self.start_class or (classes[0] if classes else None))
        else:
            self.push_screen(PickScreen("Which class?", self.class_choices()), self.open_grid)

    def class_choices(self) -> list[tuple[str, str]]:
        return [(name, f"{name}  ({plural(n, 'pupil')})") for name, n in self.service.classes()]

    def open_grid(self, class_name: str | None) -> None:
        """The class's grid, on the first subject and stage for its year group (read in the
        grid's worker)."""
        if self.grid_screen is None:
            self.grid_screen = GridScreen(self.service, self.glyphs, View(class_name))
            self.push_screen(self.grid_screen)
        else:
            self.grid_screen.set_view(class_name=class_name, curriculum_id=None, kind="stage", part=None)

    def open_passport(self, pupil_id: int, curriculum_id: str | None = None) -> None:
        cid = curriculum_id or (self.grid_screen.view.curriculum_id if self.grid_screen else None)
        self.push_screen(PassportScreen(self.service, self.glyphs, pupil_id, cid))

    def open_tracking(self) -> None:
        view = self.grid_screen.view if self.grid_screen else None
        self.push_screen(
            TrackingScreen(
                self.service,
                self.glyphs,
                view.class_name if view else None,
                view.curriculum_id if view else None,
            )
        )

    def open_moderation(self) -> None:
        view = self.grid_screen.view if self.grid_screen else None
        if view is None or view.curriculum_id is None:
            return
        self.push_screen(ModerationScreen(self.service, view.class_name, view.curriculum_id))

    def open_tree(self) -> None:
        """The curriculum tree, open at the grid's milestone (the cursor's column)."""
        grid = self.grid_screen
        start = grid.cursor_milestone() if grid is not None and grid.is_mounted else None
        self.push_screen(TreeScreen(self.service, grid.view.class_name if grid else None, start))

    def action_grid(self) -> None:
        while (
            self.grid_screen is not None
            and self.screen is not self.grid_screen
            and len(self.screen_stack) > 2
        ):
            self.pop_screen()

    # --- reports -----------------------------------------------------------------------------

    def write_report(self, name: str, make: Callable[[Service], str]) -> None:
        """Write the report ``make`` renders (given a service of its own) to
        ``reports/USER/NAME-DATE.html`` beside the database, in a worker, and say where. ``name``
        comes from data (a UPN, a class): the service makes it safe for a file name."""

        def run() -> None:
            with self.service.reopen() as service:
                html = make(service)
                try:
                    path = service.save_report(name, html)
                except OutputRefused as error:
                    raise PassportError(f"The report could not be written: {error}") from None
                except OSError as error:
                    raise PassportError(f"The report could not be written: {error}") from error
            self.post_message(ReportWritten(path))

        self.notify("Writing the report…", markup=False, timeout=2)
        self.run_worker(run, name="report", thread=True, exit_on_error=False)

    def on_report_written(self, message: ReportWritten) -> None:
        self.notify(report_notice(message.path, self.service.database_path), markup=False, timeout=8)

    # --- errors: a notice, or the error screen; the app carries on ------------------------------

    def handle_error(self, error: BaseException, retry: Callable[[], object] | None = None) -> None:
        """The one place an error ends up: a refusal or a problem the library names (a
        ``PassportError``, a fault of the database file among them) becomes a notice; anything
        else, an error screen with one line and the log file that holds the traceback. A change
        the busy database did not take (``retry``) is kept and saved when it is free."""
        error = database_fault(error, self.service.database_path) or error
        if isinstance(error, DatabaseBusy):
            self.database_busy(retry)
            return
        if isinstance(error, PassportError):
            self.notify("\n".join(error.lines()), severity="warning", markup=False, timeout=8)
            return
        log: Path | None = self.service.database_path.parent / LOG_NAME
        problem = None
        try:
            write_log(log, error, self.service.user)
        except OSError as failure:
            log, problem = None, str(failure)
        self.push_screen(ErrorScreen(summary(error), log, problem))

    # --- a busy database: the change is kept and saved when it is free -----------------------

    def save(self, change: Callable[[], object]) -> None:
        """Make a change to the database now; if another program holds the write lock, keep it
        and save it as soon as the lock goes (see ``database_busy``). While changes are kept, a
        new one waits behind them, so they are saved in the order they were made."""
        if self.kept:
            self.kept.append(change)
            if self._waiting:
                self.notify(
                    "Kept: saved after the changes waiting for the database.", markup=False, timeout=3
                )
            else:
                self.save_kept()
            return
        try:
            change()
        except Exception as error:
            self.handle_error(error, retry=change)

    def database_busy(self, retry: Callable[[], object] | None) -> None:
        if retry is None:
            self.notify(str(DatabaseBusy()), severity="warning", markup=False, timeout=8)
            return
        self.kept.append(retry)
        self.notify(
            "Another program is writing to the database: your change is kept and saved as soon as it is free.",
            severity="warning",
            markup=False,
            timeout=5,
        )
        if not self._waiting:
            self.wait_for_database()

    def wait_for_database(self) -> None:
        """Wait in the background (up to ``retry_for`` seconds) for the write lock to go."""
        self._waiting = True
        service, seconds = self.service, self.retry_for

        def wait() -> None:
            worker = get_current_worker()
            deadline = time.monotonic() + seconds
            free = False
            try:
                with service.reopen() as own:
                    # in short waits, so that quitting the app never waits for the lock
                    while not free and not worker.is_cancelled:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        free = own.wait_until_writable(min(left, 0.25))
            finally:  # even if the wait itself failed: the app must not wait for it forever
                self.post_message(DatabaseFree() if free else StillBusy())

        self.run_worker(wait, name="wait-for-database", thread=True, exit_on_error=False)

    def on_database_free(self, _: DatabaseFree) -> None:
        self._waiting = False
        self.save_kept()

    def save_kept(self) -> None:
        """Save the kept changes in the order they were made; if the database is busy again, the
        rest wait behind the first that could not be saved."""
        asked = self.quit_dialog()
        up = asked is not None and asked is not self.screen  # under another dialog: left up
        if asked is not None and not up:
            # the teacher asked to quit: the question is put again after the saving if changes
            # still wait; taken down first, so that a question a saved change asks (a reason to
            # override) comes above the grid and is not taken down with it
            asked.dismiss(False)
        changes, self.kept = self.kept, []
        for n, change in enumerate(changes):
            self.save(change)
            if self.kept:
                self.kept.extend(changes[n + 1 :])
                break
        if asked is None:
            return
        if not self.kept:
            if up:
                asked.waiting(0)
            self.notify("The changes that were waiting are saved.", markup=False, timeout=5)
        elif up:
            asked.waiting(len(self.kept))
        else:  # say what is left
            self.push_screen(QuitWhileWaitingScreen(len(self.kept)), self.quit_answered)

    def on_still_busy(self, _: StillBusy) -> None:
        self._waiting = False
        if self.quit_dialog() is not None:  # the teacher is waiting: keep trying
            self.wait_for_database()
            return
        self.notify(
            f"{DatabaseBusy()} (Ctrl+R saves your kept change)", severity="warning", markup=False, timeout=30
        )

    async def action_quit(self) -> None:
        """Quit at once; but while changes wait for a busy database, ask first (waiting, the
        default, goes on trying to save them)."""
        if not self.kept:
            self.exit()
            return
        if self.quit_dialog() is not None:
            return
        if not self._waiting:
            self.wait_for_database()
        # the notices of the changes kept ("Kept: saved after …") would cover the question at
        # 80×24; it says how many wait
        self.clear_notifications()
        self.push_screen(QuitWhileWaitingScreen(len(self.kept)), self.quit_answered)

    def quit_dialog(self) -> QuitWhileWaitingScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, QuitWhileWaitingScreen)), None)

    def quit_answered(self, lose: bool | None) -> None:
        if lose:
            lost = plural(len(self.kept), "change")
            self.exit(message=Text(f"{lost} not saved: the database was busy (another program was writing)."))

    def action_retry(self) -> None:
        """Try again to save the changes a busy database did not take."""
        if not self.kept:
            self.notify("Nothing is waiting to be saved.", markup=False, timeout=3)
            return
        self.save_kept()

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        """Every key's action, with its errors sent to ``handle_error``."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:
            self.handle_error(error)
            return True

    def push_screen(self, screen, callback=None, wait_for_dismiss=False, *, mode=None):
        """As ``App.push_screen``; errors in ``callback`` (what a dialog's answer does) go to
        ``handle_error``."""
        if callback is not None:
            callback = self._guard(callback)
        return super().push_screen(screen, callback, wait_for_dismiss, mode=mode)

    def _guard(self, callback: Callable) -> Callable:
        @wraps(callback)
        async def guarded(*args):
            try:
                result = callback(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception as error:
                # a dialog's answer (a reason, a comment) is kept if the database was busy
                retry = None if inspect.iscoroutinefunction(callback) else partial(callback, *args)
                self.handle_error(error, retry)

        return guarded

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.handle_error(event.worker.error)

    # --- live updates ----------------------------------------------------------------------

    def poll_changes(self) -> None:
        """Another user's change (another SSH session, the CLI) shows up within about a second:
        the screen on top re-reads what it shows, in a worker; screens underneath re-read when
        they are shown again."""
        change = self.service.others_changed()
        if change == self._seen_change:
            return
        self._seen_change = change
        if isinstance(self.screen, ServiceScreen):
            self.screen.data_changed()

    # --- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands, then each action of the screen once (not the cursor moves of
        its widgets), with what it does in words: the screen's help line for its key."""
        yield from super().get_system_commands(screen)
        said = help_lines(getattr(screen, "HELP", []))
        bindings = [(screen, b) for b in screen.BINDINGS]
        taken = {b.key for b in screen.BINDINGS}  # a screen's key hides the app's (g: target)
        bindings += [(self, b) for b in self.BINDINGS if b.action != "quit" and b.key not in taken]
        seen = set()
        for node, binding in bindings:
            if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
                continue
            if binding.action == "grid" and screen is self.grid_screen:
                continue
            seen.add(binding.action)
            key = KEY_NAMES.get(binding.key, binding.key)
            what = binding.tooltip or said.get(key) or PALETTE_HELP.get(binding.action, "")
            yield SystemCommand(
                f"{palette_title(binding.description)} ({key})",
                what[:1].upper() + what[1:],
                partial(node.run_action, binding.action),
            )


# what an action does, for the command palette, when the screen's help does not say it
PALETTE_HELP = {
    "help": "The keys of this screen",
    "grid": "Back to the class grid",
    "retry": "Save the changes kept while another program was writing to the database",
}
# a key as the screens' help names it
KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "asterisk": "*",
    "slash": "/",
    "question_mark": "?",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "ctrl+r": "Ctrl+R",
}


def report_notice(path: Path, database: Path) -> str:
    """Where a report went, in lines a notice does not break in the middle of a name: the folder
    (relative to the database's, where the reports are) on one line, the file name on its own."""
    try:
        folder = f"{path.parent.relative_to(database.parent).as_posix()}/ beside the database"
    except ValueError:
        folder = str(path.parent)
    return f"Report written to\n{folder}:\n{path.name}"


def palette_title(description: str) -> str:
    """A key bar's short word as a command's name: ``◂Window`` is the previous window."""
    if description.startswith("◂"):
        return f"Previous {description[1:].lower()}"
    if description.endswith("▸"):
        return f"Next {description[:-1].lower()}"
    return description


def help_lines(lines: list[tuple[str, str]]) -> dict[str, str]:
    """A screen's help as key → what it does; a line for several keys (``[ ]``) is each key's."""
    out: dict[str, str] = {}
    for keys, what in lines:
        for key in keys.split():
            out.setdefault(key, what)
    return out


def make_app(
    service: Service, *, ascii_only: bool | None = None, class_name: str | None = None
) -> PassportApp:
    """The one way the CLI and the tests build the app."""
    return PassportApp(service, choose(ascii_only), class_name)
