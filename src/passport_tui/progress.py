"""Long work says how far it has got: the service calls a ``Progress`` callback, which the command
line turns into a progress bar on a terminal (and nothing otherwise). The service knows nothing of
terminals, and the callback nothing of the work."""

from __future__ import annotations

from collections.abc import Callable

# (what is being done, how much of it is done, out of how much — None when not known)
Progress = Callable[[str, int, int | None], None]
