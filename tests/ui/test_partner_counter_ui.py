"""The coalition's points at the counter: the panel's line, the sale dialog's "제휴 포인트 사용",
a refusal in words that changes nothing, the toast, and F8 giving the points back (a real
PostgreSQL database for the coalition, tests/services/test_partners.py's fixture)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from app.services import customers, partners, sales
from tests.services.helpers import snapshot
from tests.services.test_partners import coalition_url  # noqa: F401  (the fixture)
from tests.ui.conftest import settle
from tests.ui.test_screen_fit import check

pytestmark = pytest.mark.postgres
PHONE = "010-4321-8765"


def _pushed(qtbot, counter) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: counter._partner_push is None or counter._partner_push.idle, timeout=10_000
    )


def test_the_counter_sale_spends_partner_points(window, qtbot, shot, coalition_url) -> None:  # noqa: F811
    ctx, counter = window.ctx, window.counter
    partners.create_program(
        ctx,
        "연남동 골목",
        point_value="1",
        earn_rate="0.01",
        shop_name="단골 카페",
        url=coalition_url,
    )
    member = customers.enroll(ctx, PHONE, name="이서연").id
    partners.set_partner_consent(ctx, member, True, source="counter")
    sales.record_sale(ctx, member, 50_000)  # 500 partner points
    partners.push(ctx)

    counter.search.setText(PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert counter.panel.partner.isVisible()
    assert counter.panel.partner.text() == "연남동 골목 제휴 포인트 500P"
    shot(window, "partner19-counter-panel")
    check(window, (1024, 600), "counter with partner points")

    counter.open_sale()
    dialog = counter.dialog
    assert dialog.partner_edit.isVisible()
    label = dialog.findChild(type(counter.panel.partner), "partnerSpendLabel")
    assert label is not None and "제휴 포인트 사용" in label.text() and "500P" in label.text()
    dialog.amount_edit.setText("10,000")
    dialog.partner_edit.setText("999")
    shot(dialog, "partner19-sale-dialog")
    before = snapshot(ctx)
    dialog.accept_button.click()  # more than the balance: the sale refuses it, in words
    settle(qtbot, window)
    assert "제휴 포인트가 부족합니다" in counter.message.text() and "500" in counter.message.text()
    assert snapshot(ctx) == before  # nothing written
    shot(window, "partner19-refused")

    counter.open_sale()
    dialog = counter.dialog
    dialog.amount_edit.setText("10,000")
    dialog.partner_edit.setText("300")
    dialog.accept_button.click()
    settle(qtbot, window)
    assert "사용 300P" in counter.toast.text() and "잔액 297P" in counter.toast.text()
    assert counter.panel.partner.text() == "연남동 골목 제휴 포인트 297P"
    shot(window, "partner19-after-sale")
    _pushed(qtbot, counter)
    assert partners.customer_member(ctx, member).balance == 297  # type: ignore[union-attr]

    counter.void_last()  # F8: the confirmation, then the void gives the partner points back
    counter.dialog.findChild(QPushButton, "voidConfirmAccept").click()  # type: ignore[union-attr]
    settle(qtbot, window)
    assert "취소했습니다" in counter.message.text()
    assert counter.panel.partner.text() == "연남동 골목 제휴 포인트 500P"
    _pushed(qtbot, counter)
    assert partners.customer_member(ctx, member).balance == 500  # type: ignore[union-attr]


def test_no_partner_field_for_a_shop_without_a_coalition(window, qtbot) -> None:
    ctx, counter = window.ctx, window.counter
    customers.enroll(ctx, PHONE)
    counter.search.setText(PHONE)
    counter.lookup(PHONE)
    settle(qtbot, window)
    assert not counter.panel.partner.isVisible()
    counter.open_sale()
    assert not counter.dialog.partner_edit.isVisible()
    assert counter.dialog.partner_spend == 0


def test_the_consent_tab_lists_the_partner_consent(window, qtbot, shot, coalition_url) -> None:  # noqa: F811
    from tests.ui.backoffice.test_customers import open_detail

    ctx = window.ctx
    partners.create_program(
        ctx,
        "연남동 골목",
        point_value="1",
        earn_rate="0.01",
        shop_name="단골 카페",
        url=coalition_url,
    )
    member = customers.enroll(ctx, PHONE, name="이서연").id
    partners.set_partner_consent(ctx, member, True, source="counter")
    _page, detail = open_detail(window, qtbot, PHONE)
    detail.tabs.setCurrentWidget(detail.findChild(QWidget, "consentTab"))
    label = detail.partner_consent
    assert label.isVisible()
    assert label.text().startswith("골목 제휴(연남동 골목) 동의: ") and "동의함" in label.text()
    shot(detail, "partner19-consent-tab")
