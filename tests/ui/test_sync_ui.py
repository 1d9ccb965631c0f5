"""Sync on screen: set up from the back office, then the status bar says where things stand."""

from __future__ import annotations

import pytest

from app.services import customers, sales
from app.services.customers import resolve_customer
from tests.ui.conftest import settle


@pytest.mark.postgres
def test_connect_from_the_back_office_then_the_status_bar_follows(window, qtbot, pg_url, shot):
    customers.enroll(window.ctx, "010-1234-5678")
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.sync")
    settle(qtbot, window)
    assert not page.now_button.isEnabled()

    page.url.setText("mysql://nope@127.0.0.1/x")
    page.test_button.click()
    settle(qtbot, window)
    assert "PostgreSQL" in page.message.text()

    page.url.setText(pg_url)
    page.test_button.click()
    settle(qtbot, window)
    assert "연결됨" in page.message.text()
    page.store.setText("단골 카페 본점")
    page.register.setText("카운터 1")
    page.setup_button.click()
    settle(qtbot, window)
    assert "연결했습니다" in page.message.text(), page.message.text()
    assert window.sync_worker is not None
    shot(page, "backoffice_sync")

    sales.record_sale(window.ctx, resolve_customer(window.ctx, "010-1234-5678"), 10_000)
    window.refresh_sync_status()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: "동기화됨" in window.sync_label.text(), timeout=15_000)
    window.refresh_sync_status()
    settle(qtbot, window)
    assert window.sync_label.isVisible()
    window.close()
    assert window.sync_worker is None


def test_a_failed_setup_from_the_back_office_says_nothing_was_saved(window, qtbot):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.sync")
    settle(qtbot, window)
    page.url.setText(f"postgresql://postgres@127.0.0.1:{port}/test")
    page.setup_button.click()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: "설정하지 않았습니다" in page.message.text(), timeout=15_000)
    assert window.ctx.settings.get("sync.url") is None
    assert window.sync_worker is None and not page.now_button.isEnabled()
