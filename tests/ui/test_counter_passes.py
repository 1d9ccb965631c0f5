"""The counter with a subscription pass: the panel shows it and today's use, F11 uses it,
a second use the same day is refused in words; the pass's slip reads back from its PDF."""

from __future__ import annotations

import copy
import io

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.domain.program import DEFAULT_PROGRAM_JSON
from app.printing.slip_pdf import slip_pdf
from app.services import customers, passes
from app.services.program import load_program
from tests.services.helpers import snapshot
from tests.ui.conftest import settle
from tests.ui.counter_help import shot

PHONE = "010-1234-5678"
PLAN = {
    "code": "AM30",
    "name": "아메리카노 30일",
    "price": 39_000,
    "days": 30,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "refund": "pro_rata",
}


def test_the_panel_shows_the_pass_and_f11_uses_todays_entitlement(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    load_program(ctx, document)
    member = customers.enroll(ctx, PHONE, name="김민준")
    passes.sell(ctx, member.id, "AM30", ref="POS-1")
    counter.lookup(PHONE)
    settle(qtbot, window)
    panel = counter.panel
    assert panel.passes.isVisible() and "아메리카노 30일" in panel.passes.text()
    assert "오늘 0/1회 사용" in panel.passes.text()
    assert panel.pass_use.isEnabled() and "F11" in panel.pass_use.text()
    shot(window, "counter/pass-before-use")

    QTest.keyClick(counter.search, Qt.Key.Key_F11)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: "오늘 1/1회 사용" in panel.passes.text(), timeout=10_000)
    assert not panel.pass_use.isEnabled()
    assert counter.message.text() == "구독권 사용: 아메리카노 30일"
    shot(window, "counter/pass-used")

    before = snapshot(ctx)
    QTest.keyClick(counter.search, Qt.Key.Key_F11)
    settle(qtbot, window)
    assert "모두 사용했습니다" in counter.message.text()
    assert snapshot(ctx) == before
    shot(window, "counter/pass-used-up")

    counter.clear()
    settle(qtbot, window)
    assert not panel.passes.isVisible()


def test_the_slip_of_a_pass_use(sqlite_ctx) -> None:
    ctx = sqlite_ctx
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    load_program(ctx, document)
    who = customers.enroll(ctx, PHONE, name="김민준").id
    passes.sell(ctx, who, "AM30")
    slip = passes.pass_slip(ctx, passes.use(ctx, who))
    pdf = slip_pdf(slip, 80)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for words in ("구독권", "아메리카노 30일", "2026-03-12 ~", "2026-04-10", "1 / 1회", "김*준"):
        assert words in text, (words, text)
    assert "포인트" not in text  # a pass slip shows the pass, not balances
