"""Registers (separate SQLite files) syncing through one PostgreSQL schema, and a TCP proxy
that cuts the connection after a number of bytes or goes silent (accepts, never answers)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from app.services import sync
from app.services.context import Context, open_shop
from app.sync import server
from tests.conftest import START


@pytest.fixture
def registers(
    pg_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Context]]:
    """make(name) -> a register of the same shop, set up for sync (store '본점')."""
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    opened: list[Context] = []

    def make(name: str, *, setup: bool = True, url: str | None = None) -> Context:
        ctx = open_shop(str(tmp_path / f"{name}.sqlite"), now=START)
        opened.append(ctx)
        if setup:
            sync.setup_sync(ctx, url or pg_url, store="본점", register=name)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()
    server.forget_engine(pg_url.split("?")[0])
    for url in list(server._engines):
        server.forget_engine(url)


def wait_until(condition: Callable[[], object], seconds: float = 10.0) -> bool:
    """True once condition() holds, False after `seconds` of asking every 20 ms."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def later(ctx: Context, **delta: float) -> None:
    """Move a register's clock forward."""
    assert ctx.fixed_now is not None
    ctx.fixed_now = ctx.fixed_now + timedelta(**delta)


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL; with cut_after set, drops every connection once
    that many bytes went to the server."""

    def __init__(self, target_port: int = 5432) -> None:
        self.target_port = target_port
        self.cut_after: int | None = None
        self.silent = False  # accepts and reads, forwards nothing either way
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._open += [client, upstream]
            sent = [0]
            threading.Thread(
                target=self._pipe, args=(client, upstream, sent, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, sent, False), daemon=True
            ).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, sent: list[int], up: bool) -> None:
        try:
            while data := src.recv(65536):
                while self.silent and not self._stopped:
                    time.sleep(0.05)
                if up:
                    sent[0] += len(data)
                    if self.cut_after is not None and sent[0] > self.cut_after:
                        raise OSError("cut")
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._stopped = True
        self.listener.close()
        for s in self._open:
            with contextlib.suppress(OSError):
                s.close()


@pytest.fixture
def proxy() -> Iterator[CuttingProxy]:
    p = CuttingProxy()
    yield p
    p.close()
