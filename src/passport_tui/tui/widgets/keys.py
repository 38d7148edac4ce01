"""The key bar at the foot of each screen: the keys of the focused widget and its screen, as
Textual's Footer shows them, drawn as one line of text.

Textual's Footer mounts a widget per key and mounts them all again each time the bindings change
(several times while a screen opens): about half the time it takes to open the class grid. This
draws the same line and repaints only when it changes; a click on a key presses it."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

DIM = Style(dim=True)


class KeyBar(Widget):
    """The shown bindings of the screen's focus chain: ``key description`` pairs."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keys: list[tuple[str, str, str, bool]] = []  # key, shown as, description, enabled
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def bindings_changed(self, screen: Screen) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys = []
        seen = set()
        for active in screen.active_bindings.values():
            binding, enabled = active.binding, active.enabled
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append((binding.key, self.app.get_key_display(binding), binding.description, enabled))
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keybar--key")
        description_style = self.get_component_rich_style("keybar--description")
        text = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for key, shown, description, enabled in self.keys:
            start = text.cell_len
            text.append(f" {shown} ", key_style if enabled else key_style + DIM)
            if description:
                text.append(f"{description} ", description_style if enabled else description_style + DIM)
            self._spans.append((start, text.cell_len, key))
        return text

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
