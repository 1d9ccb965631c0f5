"""The POS bridge's local API run by the counter app, when the owner turned "POS 연동" on.

Starting and stopping happen on a thread of their own (building the app and waiting for the
socket never holds up the Qt event loop); the server itself is uvicorn on its own thread
(``app.bridge.api.ApiServer``). A port another program holds is said in words in the status
bar, never a crash; the counter goes on without the API.
"""

from __future__ import annotations

import errno
import logging
import os
import socket

from PySide6.QtCore import QObject, Signal

from app.bridge.api import ApiServer
from app.i18n import N_
from app.services.context import Context
from app.ui.tasks import ServiceRunner
from app.ui.text import t

log = logging.getLogger("dangol")

Binding = tuple[str, int]


class PortInUse(OSError):
    pass


def port_free(host: str, port: int) -> bool:
    """Whether something already listens there (as uvicorn would bind: reuse on POSIX)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        if os.name == "posix":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    except OSError as exc:
        return exc.errno not in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1))
    finally:
        probe.close()
    return True


class PosApi(QObject):
    """The API's life at the counter: ``apply(binding)`` (None: off), ``shutdown()`` at quit."""

    changed = Signal(str)  # the status bar's text ("" when off)

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = ServiceRunner(self)
        self.server: ApiServer | None = None
        self.binding: Binding | None = None  # what is asked for
        self.listening: Binding | None = None  # where it listens now
        self.text = ""
        self._said: tuple[str, dict[str, object]] | None = None  # key and values, to retranslate

    def apply(self, binding: Binding | None) -> None:
        """Listen there (or stop); asking for what already runs changes nothing."""
        if binding == self.binding:
            return
        self.binding = binding
        if binding is not None:
            self._say(N_("pos.api_starting"), binding=binding)
        self.runner.run(lambda: self._switch(binding), self._switched, self._refused)

    def _switch(self, binding: Binding | None) -> Binding | None:
        """On the runner's thread: the old server stopped, the new one listening."""
        if self.server is not None:
            self.server.stop()
            self.server, self.listening = None, None
        if binding is None:
            return None
        host, port = binding
        # asked first: uvicorn, failing to bind, ends its thread with SystemExit and a log line
        if not port_free(host, port):
            raise PortInUse(port)
        server = ApiServer(self.ctx, host=host, port=port)
        try:
            bound = server.start()
        except (OSError, TimeoutError) as exc:
            server.stop()
            if not port_free(host, port):
                raise PortInUse(port) from exc
            raise
        self.server, self.listening = server, (host, bound)
        return self.listening

    def _switched(self, listening: Binding | None) -> None:
        if listening is None:
            self._say(None)
        else:
            self._say(N_("pos.api_on"), binding=listening)

    def _refused(self, error: BaseException) -> None:
        port = self.binding[1] if self.binding else 0
        log.warning("POS API did not start: %r", error)
        self.binding = None  # saving the settings again tries again
        if isinstance(error, PortInUse):
            self._say(N_("pos.api_port_in_use"), port=port)
        else:
            self._say(N_("pos.api_failed"), port=port, error=str(error) or type(error).__name__)

    def _say(self, key: str | None, **values: object) -> None:
        self._said = (key, values) if key else None
        self.retranslate()

    def retranslate(self) -> None:
        """The status in the language chosen now (the counter switched languages)."""
        if self._said is None:
            self.text = ""
        else:
            key, values = self._said
            binding = values.get("binding")
            if isinstance(binding, tuple):
                values = {"address": address(binding)}
            self.text = t(key, **values)
        self.changed.emit(self.text)

    def shutdown(self) -> None:
        """At quit: whatever is under way finishes, then the server stops (a few ms)."""
        self.runner.stop()
        if self.server is not None:
            self.server.stop()
            self.server, self.listening = None, None


def address(binding: Binding) -> str:
    host, port = binding
    if host == "0.0.0.0":
        return t("pos.api_lan_address", port=port)
    return f"{host}:{port}"
