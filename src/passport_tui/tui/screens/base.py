"""The screens' common ground: reads that may take longer than a frame run in thread workers, each
on its own connection to the database, and post what they read as a message; only the screen's
message handlers touch widgets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import count

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from ...service import Service

_reads = count(1)


class Read(Message, bubble=False):
    """Something a worker read, for the screen that asked (it does not bubble up to the app);
    ``read_id`` says which read it came from."""

    read_id: tuple[str, int] = ("", 0)

    def __init_subclass__(cls, bubble: bool | None = False, **kwargs) -> None:
        super().__init_subclass__(bubble=bubble, **kwargs)


class ServiceScreen(Screen):
    """A screen over the service."""

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self._latest: dict[str, int] = {}
        self._loaded_change = -1

    # --- reading in the background -------------------------------------------------------

    def read(self, name: str, job: Callable[[Service], Read | Iterable[Read]]) -> Worker:
        """Run ``job`` in a thread worker with a new connection to the same database (closed when
        it is done) and post the message(s) it returns to this screen. A newer read of the same
        ``name`` supersedes an older one: see ``is_latest``."""
        read_id = (name, next(_reads))
        self._latest[name] = read_id[1]
        self._loaded_change = self.service.last_change()

        def run() -> None:
            worker = get_current_worker()
            with self.service.reopen() as service:
                result = job(service)
                for message in [result] if isinstance(result, Message) else result:
                    if worker.is_cancelled:
                        return
                    message.read_id = read_id
                    self.post_message(message)

        return self.run_worker(run, name=name, group=name, exclusive=True, thread=True, exit_on_error=False)

    def is_latest(self, message: Read) -> bool:
        """Whether ``message`` comes from the latest read of its kind (an older one is dropped)."""
        name, number = message.read_id
        return self._latest.get(name) == number

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.app.handle_error(event.worker.error)

    # --- keeping up with the database ----------------------------------------------------

    def reload(self) -> None:
        """Re-read what the screen shows."""

    def data_changed(self) -> None:
        """Someone changed the database (another connection, or this app on another screen):
        re-read what is on screen."""
        self.reload()

    def on_screen_resume(self) -> None:
        if self._loaded_change != -1 and self.service.last_change() != self._loaded_change:
            self.data_changed()
