"""At the counter, a campaign experiment's group A member: the sale dialog's preview and the
toast say the doubled points the sale earns; a group B member's say the program's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.domain.experiments import group_of
from app.services import customers, experiments
from tests.ui.conftest import settle
from tests.ui.test_counter_flows import press_ok, scan


def test_the_preview_and_toast_show_the_groups_offer(window, qtbot, shot) -> None:
    ctx, counter = window.ctx, window.counter
    members = [customers.enroll(ctx, f"010-6300-{i:04d}") for i in range(12)]
    today = ctx.local_date(ctx.now())
    line = experiments.create_experiment(
        ctx,
        "두배 적립",
        "campaign",
        today,
        today + timedelta(days=6),
        campaign=experiments.CampaignOffer(Decimal(2), 0),
    )
    a = next(m for m in members if group_of(line.id, m.id, 50) == "A")
    b = next(m for m in members if group_of(line.id, m.id, 50) == "B")
    for member, points in ((a, "480P"), (b, "240P")):
        scan(counter.search, member.card)
        settle(qtbot, window)
        assert counter.status is not None and counter.status.id == member.id
        counter.buttons["sale"].click()
        dialog = counter.dialog
        dialog.amount_edit.setText("12,000")
        assert points in dialog.preview.text()
        if member is a:
            shot(dialog, "dialog-sale-experiment")
        press_ok(dialog)
        settle(qtbot, window)
        assert counter.toast.text().startswith("+" + points)
        assert counter.status.points == int(points[:-1])
