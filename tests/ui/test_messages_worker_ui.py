"""The counter app runs the outbox's worker: a sale's receipt leaves without the counter waiting."""

from __future__ import annotations

import pytest

from app.services import customers, messages
from tests.messaging.solapi_standin import SolapiStandIn


@pytest.fixture
def standin():
    api = SolapiStandIn().start()
    yield api
    api.stop()


def test_the_counter_starts_the_worker_and_it_sends(
    app, sqlite_ctx, qtbot, standin, monkeypatch
) -> None:
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(sqlite_ctx, "KEY", "SECRET", "0212345678", base_url=standin.url)
    who = customers.enroll(sqlite_ctx, "010-1234-5678", name="김민준").id
    sqlite_ctx.fixed_now = None
    win = MainWindow(sqlite_ctx, "단골 카페", program_in_force(sqlite_ctx), require_sign_in=False)
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.message_worker is not None, timeout=5_000)
        from app.services import sales

        sales.record_sale(sqlite_ctx, who, 12000)
        win.counter.action_done.emit("")  # what the counter does after an action
        qtbot.waitUntil(lambda: len(standin.accepted) == 1, timeout=10_000)
    finally:
        win.close()
    assert win.message_worker is not None and not win.message_worker.alive
    assert [m.status for m in messages.log(sqlite_ctx)] == ["sent"]


def test_without_a_provider_no_worker_runs(window, qtbot) -> None:
    qtbot.wait(50)
    assert window.message_worker is None
