"""A POS refund that takes a balance below zero is on the owner's list without cloud sync."""

from __future__ import annotations

from decimal import Decimal

from app.services import customers, pos, program
from tests.ui.conftest import settle


def test_negative_balance_from_a_refund_is_listed_without_sync(window, qtbot, shot) -> None:
    ctx = window.ctx
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = str(Decimal(2))
    document["campaigns"] = []
    program.load_program(ctx, document)
    who = customers.enroll(ctx, "010-1234-5678", name="김단골").id
    pos.post_sale(ctx, "S-9", 100_000, customer_id=who)  # 2,000P
    points = customers.customer_status(ctx, who).points
    pos.redeem(ctx, "U-9", who, points=points - points % 100)
    pos.cancel(ctx, "S-9")
    assert customers.customer_status(ctx, who).points < 0

    window.backoffice_action.trigger()
    page = window.backoffice.page("page.sync")
    settle(qtbot, window)
    page.refresh()
    qtbot.waitUntil(
        lambda: "마이너스" in (page.attention.item(0, 0) or _Empty()).text(), timeout=5000
    )
    assert "010-****-5678" in page.attention.item(0, 1).text()
    assert page.attention.item(0, 2).text().startswith("-")
    shot(window.backoffice, "backoffice_attention_refund")


class _Empty:
    def text(self) -> str:
        return ""
