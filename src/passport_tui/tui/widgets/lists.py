"""An option list whose wrapped options keep every line when a scroll bar comes or goes.

Textual's OptionList counts each option's lines at the width it has when the options are added.
When the new options overflow, a scroll bar appears and the width shrinks, but the counts are not
made again: the last line of a wrapped option is lost (it can no longer be scrolled to), as after
a next step is marked in the passport. This one counts them again whenever the width changes."""

from __future__ import annotations

from textual.widgets import OptionList


class WrappingOptionList(OptionList):
    """An ``OptionList`` that counts its options' lines again when its width changes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._counted_width: int | None = None

    def _update_lines(self) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._counted_width:
            if self._counted_width is not None:
                self._line_cache.clear()
                self._option_render_cache.clear()
            self._counted_width = width
        super()._update_lines()
