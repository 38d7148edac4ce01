"""A dialog's one-line field whose Enter moves on to the next field at once."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class FieldInput(Input):
    """A dialog's field. Enter on a field with one after it moves the focus there at once, while
    the key is handled: keys typed straight after Enter (a quick typist over SSH, a paste) land
    in the next field, never at the end of this one, as when the move waited for the Submitted
    message. On the last field Enter submits, as an Input does. The binding has priority: the app
    runs it as it reads the key, before it hands the keys after it to the focused widget."""

    BINDINGS = [Binding("enter", "submit", "Next", show=False, priority=True)]

    def __init__(self, *args: object, next_field: str | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.next_field = next_field

    async def action_submit(self) -> None:
        if self.next_field is None:
            await super().action_submit()
            return
        self.screen.set_focus(self.screen.query_one(f"#{self.next_field}", Input))
