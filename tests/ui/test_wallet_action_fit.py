"""The counter at 1024×600 with Google Wallet set up: 지갑에 추가 joins the action column, and
every action button is shown whole (none cut off by the window's edge or squeezed under its
height), in Korean and English. Screenshots in build/screenshots/counter/fit/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QPushButton

from app.services import customers, mobile_wallet, sales
from app.ui.text import set_language
from tests.messaging.google_wallet_standin import EMAIL, GoogleWalletStandIn, service_account
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"


@pytest.fixture(params=["ko", "en"])
def lang(request: Any, app: Any) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language("ko")


@pytest.fixture
def google(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GoogleWalletStandIn]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    api = GoogleWalletStandIn(service_account()[1], EMAIL).start()
    yield api
    api.stop()


def clipped(root: Any, buttons: list[QPushButton]) -> list[str]:
    """Buttons shown cut: outside the window, under their own minimum height, or overlapping."""
    frame = QRect(QPoint(0, 0), root.size())
    said, rects = [], []
    for button in buttons:
        rect = QRect(button.mapTo(root, QPoint(0, 0)), button.size())
        if not frame.contains(rect):
            said.append(f"{button.objectName()} {rect} outside {frame}")
        if button.height() < max(button.minimumHeight(), 44):
            said.append(f"{button.objectName()} {button.height()} px high")
        if button.width() < button.minimumSizeHint().width():
            said.append(f"{button.objectName()} {button.width()} px wide")
        said += [f"{button.objectName()} overlaps {n}" for n, r in rects if r.intersects(rect)]
        rects.append((button.objectName(), rect))
    return said


def test_the_action_column_fits_1024x600_with_google_wallet(lang, sqlite_ctx, google, qtbot):
    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    ctx = sqlite_ctx
    ctx.fixed_now = None
    mobile_wallet.setup_google(
        ctx, "3388000000012345678", service_account()[0], base_url=google.url,
        token_url=f"{google.url}/token",
    )  # fmt: skip
    member = customers.enroll(ctx, PHONE, name="김민준")
    sales.record_sale(ctx, member.id, 12_000)
    window = MainWindow(ctx, "단골 카페", program_in_force(ctx), require_sign_in=False)
    qtbot.addWidget(window)
    window.show()
    try:
        window.resize(1024, 600)
        counter = window.counter
        counter.lookup(PHONE)
        settle(qtbot, window)
        QApplication.processEvents()
        shot(window, f"counter/fit/counter-wallet-{lang}-1024x600")
        assert window.width() <= 1024 and window.height() <= 600, window.size()
        assert window.minimumSizeHint().height() <= 600, window.minimumSizeHint()
        actions = [b for b in counter.buttons.values() if b.isVisible()]
        assert counter.add_wallet_button.isVisible()  # Google Wallet is set up
        actions.append(counter.add_wallet_button)
        assert len(actions) >= 9
        assert not clipped(window, actions), clipped(window, actions)
    finally:
        if window.wallet_worker is not None:
            window.wallet_worker.stop()
        window.close()
