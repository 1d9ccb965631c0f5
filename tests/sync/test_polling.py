"""Sync without LISTEN/NOTIFY (a central engine or pooler without it): the worker polls, and a
sale at one register still reaches the other."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from app.db.models import Sale
from app.services import customers, sales, sync
from app.services.customers import resolve_customer

PHONE = "01033330001"


def _sales(ctx) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Sale)) or 0)


def test_with_listen_off_the_workers_poll_and_a_sale_arrives(
    registers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(sync.LISTEN_ENV, "0")
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sync.sync_now(a)
    sync.sync_now(b)
    assert not sync.listens(a)
    workers = [sync.start_worker(ctx, idle_seconds=0.2) for ctx in (a, b)]
    try:
        assert all(w is not None and w.listen_url is None for w in workers)
        assert not [t for t in threading.enumerate() if t.name == "dangol-sync-listen"]
        sales.record_sale(a, resolve_customer(a, PHONE), 10_000)
        deadline = time.monotonic() + 10
        while _sales(b) == 0 and time.monotonic() < deadline:
            threading.Event().wait(0.02)
        assert _sales(b) == 1
    finally:
        for w in workers:
            if w is not None:
                w.stop()


def test_listen_is_on_unless_turned_off(registers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sync.LISTEN_ENV, raising=False)
    a = registers("A", setup=False)
    assert sync.listens(a)
    a.settings[sync.LISTEN_KEY] = "off"
    assert not sync.listens(a)
