"""The terminal app: class grid, pupil passport and curriculum tree over the service layer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import partial

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from ..errors import PassportError
from ..files import write_atomically
from ..models import Curriculum
from ..resources import styles_dir
from ..service import Service
from .glyphs import Glyphs, choose
from .screens.grid import GridScreen, View
from .screens.modals import PickScreen
from .screens.moderation import ModerationScreen
from .screens.passport import PassportScreen
from .screens.tracking import TrackingScreen
from .screens.tree import TreeScreen

STYLES = ("global.tcss", "grid.tcss", "passport.tcss", "tree.tcss", "tracking.tcss")
POLL_SECONDS = 1.0


class PassportApp(App):
    """The Milestones Passport."""

    TITLE = "Milestones Passport"
    CSS_PATH = [styles_dir() / name for name in STYLES]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
        Binding("g", "grid", "Grid", show=False, id="app.grid"),
    ]

    def __init__(self, service: Service, glyphs: Glyphs, class_name: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.glyphs = glyphs
        self.start_class = class_name
        self.grid_screen: GridScreen | None = None
        self._seen_change = -1

    # --- start-up --------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self._seen_change = self.service.others_changed()
        self.set_interval(POLL_SECONDS, self.poll_changes)
        classes = [name for name, _ in self.service.classes()]
        if not self.service.curricula():
            self.notify(
                "No curricula yet: import one with 'passport curriculum import FILE' (or try 'passport demo').",
                severity="warning",
                markup=False,
                timeout=30,
            )
            return
        if self.start_class and self.start_class not in classes:
            # a teacher sees only their own classes (and a mistyped class is not an error screen)
            self.notify(f"Class {self.start_class} is not one of yours.", severity="warning", markup=False)
            self.start_class = None
        if self.start_class or len(classes) <= 1:
            self.open_grid(self.start_class or (classes[0] if classes else None))
        else:
            self.push_screen(PickScreen("Which class?", self.class_choices()), self.open_grid)

    def class_choices(self) -> list[tuple[str, str]]:
        return [(name, f"{name}  ({n} pupils)") for name, n in self.service.classes()]

    def default_stage(self, c: Curriculum, class_name: str | None) -> str:
        """The stage of the class's most common year group (the first stage otherwise)."""
        years = Counter(self.service.year_group(p) for p in self.service.pupils(class_name))
        for year, _ in years.most_common():
            for s in c.stages:
                if year in s.year_list:
                    return s.id
        return c.stages[0].id if c.stages else ""

    def default_curriculum(self, class_name: str | None) -> Curriculum:
        """The first subject with a stage for the class's year group (else the first subject)."""
        curricula = self.service.curricula()
        years = {self.service.year_group(p) for p in self.service.pupils(class_name)}
        for c in curricula:
            if any(y in s.year_list for s in c.stages for y in years):
                return c
        return curricula[0]

    def open_grid(self, class_name: str | None) -> None:
        c = self.default_curriculum(class_name)
        view = View(class_name, c.id, "stage", self.default_stage(c, class_name))
        if self.grid_screen is None:
            self.grid_screen = GridScreen(self.service, self.glyphs, view)
            self.push_screen(self.grid_screen)
        else:
            self.grid_screen.view = view
            self.grid_screen.reload()

    def pick_class(self, screen: GridScreen) -> None:
        def done(name: str | None) -> None:
            if name:
                c = screen.curriculum
                screen.set_view(class_name=name, part=self.default_stage(c, name))

        self.push_screen(PickScreen("Class", self.class_choices(), screen.view.class_name), done)

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
        if view is None:
            return
        self.push_screen(ModerationScreen(self.service, view.class_name, view.curriculum_id))

    def write_report(self, name: str, make: Callable[[], str]) -> None:
        """Write a report made by ``make`` to ``reports/NAME-DATE.html`` beside the database and
        say where; a failure is shown, never raised."""
        path = (
            self.service.database_path.parent / "reports" / f"{name}-{self.service.today().isoformat()}.html"
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, make())
        except (OSError, PassportError) as error:
            self.notify(f"The report could not be written: {error}", severity="error", markup=False)
            return
        self.notify(f"Report written to {path}", markup=False, timeout=8)

    def open_tree(self) -> None:
        self.push_screen(
            TreeScreen(self.service, self.grid_screen.view.class_name if self.grid_screen else None)
        )

    def action_grid(self) -> None:
        while (
            self.grid_screen is not None
            and self.screen is not self.grid_screen
            and len(self.screen_stack) > 2
        ):
            self.pop_screen()

    # --- live updates ----------------------------------------------------------------------

    def poll_changes(self) -> None:
        """Another user's change (another SSH session, the CLI) shows up within about a second."""
        change = self.service.others_changed()
        if change == self._seen_change:
            return
        self._seen_change = change
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()  # screens underneath re-read when they are shown again

    # --- command palette -------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for node in (screen, *screen.query("*")):
            for binding in getattr(node, "BINDINGS", []):
                if not isinstance(binding, Binding) or binding.action in seen or not binding.description:
                    continue
                seen.add(binding.action)
                yield SystemCommand(
                    f"{binding.description} ({binding.key.replace('_', ' ')})",
                    binding.tooltip or binding.description,
                    partial(node.run_action, binding.action),
                )


def make_app(
    service: Service, *, ascii_only: bool | None = None, class_name: str | None = None
) -> PassportApp:
    """The one way the CLI and the tests build the app."""
    return PassportApp(service, choose(ascii_only), class_name)
