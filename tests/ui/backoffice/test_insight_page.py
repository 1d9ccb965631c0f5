"""The KPIs and segments page: the month's KPIs against the month before, the RFM grid with
counts and spend, the named segments, an experiment's result; in Korean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QApplication

from app.services import customers, experiments, ratings, sales
from tests.ui.conftest import settle


def _cell(table, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""


def _history(ctx) -> None:
    """Thirty members over two months, some coming back; one rating a month."""
    now = datetime.now(UTC)
    first = ctx.local_date(now).replace(day=1)  # this local month and the one before
    this_month = datetime.combine(first, datetime.min.time(), tzinfo=ctx.zone)
    before = this_month - timedelta(days=20)
    into = (now - this_month) / 100  # sales this month fall between its start and now
    try:
        ctx.fixed_now = before - timedelta(days=5)
        ids = [customers.enroll(ctx, f"010-6100-{i:04d}").id for i in range(30)]
        for i, who in enumerate(ids):
            ctx.fixed_now = before + timedelta(minutes=i)
            sale = sales.record_sale(ctx, who, 5_000 + 1_000 * i).sale_id
            if i == 0:
                ratings.record_rating(ctx, sale, 9)
        for i, who in enumerate(ids[:12]):
            for k in range(i % 4 + 1):
                ctx.fixed_now = this_month + into * (1 + i * 4 + k)
                sales.record_sale(ctx, who, 12_000)
        ctx.fixed_now = now - into
        experiments.create_experiment(
            ctx,
            "재방문 쿠폰",
            "coupon",
            ctx.local_date(now),
            ctx.local_date(now) + timedelta(days=13),
            coupon=experiments.CouponOffer("amount", 1000, 14),
        )
    finally:
        ctx.fixed_now = None


def test_the_page_shows_kpis_the_rfm_grid_and_experiments(window, qtbot, shot) -> None:
    from app.services import segments

    ctx = window.ctx
    _history(ctx)
    segments.refresh_rfm(ctx)
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.insight")
    window.backoffice.resize(1280, 1000)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: page.arrived == {"kpis", "rfm", "experiments"}, timeout=10_000)
    assert page.cards["members"][0].text() == "30"
    assert page.cards["active_members"][0].text() == "12"
    assert "전월 30" in page.cards["active_members"][1].text()  # all 30 bought last month
    assert page.cards["retention"][0].text() == "40.0%"  # 12 of last month's 30
    assert page.cards["nps"][0].text() == "—"  # no rating this month
    assert page.board is not None and page.board.get("nps").previous == 100
    overview = page.overview
    assert overview is not None and overview.scored == 30
    # the grid: R5 first, F1..F5 across; each cell "n명 · spend"
    assert [_cell(page.grid, r, 0) for r in range(5)] == ["R5", "R4", "R3", "R2", "R1"]
    total = 0
    for r in range(5):
        for f in range(1, 6):
            text = _cell(page.grid, r, f)
            if text != "·":
                total += int(text.split("명")[0].replace(",", ""))
    assert total == 30
    names = [_cell(page.segment_table, r, 0) for r in range(page.segment_table.rowCount())]
    assert names == ["충성 고객", "잠재 충성", "신규", "관심 필요", "이탈 위험", "휴면"]
    assert _cell(page.experiment_table, 0, 0) == "재방문 쿠폰"
    assert "진행 중" in _cell(page.experiment_table, 0, 1)
    assert "표본이 너무 작아" in _cell(page.experiment_table, 0, 4)  # 19 and 11 members: too few
    QApplication.processEvents()
    shot(window.backoffice, "backoffice_insight")
    page.content.parentWidget().parentWidget().parentWidget().verticalScrollBar().setValue(10_000)
    QApplication.processEvents()
    shot(window.backoffice, "backoffice_insight_bottom")


def test_the_new_experiment_form_starts_a_campaign_for_group_a(window, qtbot, shot) -> None:
    """The form: a refusal in words (a multiplier of 1) makes nothing; then a variant campaign
    is created, listed, and a member's sale in its days gets their group's offer."""
    from app.domain.experiments import group_of

    ctx = window.ctx
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.insight")
    window.backoffice.resize(1280, 1000)
    settle(qtbot, window)
    multiplier_a, _, goal_a = page.offer_fields["A"]
    multiplier_b, bonus_b, _ = page.offer_fields["B"]
    # a campaign: its fields shown, the stamp goal's and group B's hidden (holdout)
    assert page.experiment_kind.currentData() == "campaign"
    assert not multiplier_a.isHidden() and goal_a.isHidden() and multiplier_b.isHidden()
    page.experiment_name.setText("두배 실험")
    multiplier_a.setText("1")
    page.experiment_create.click()
    settle(qtbot, window)
    assert "1보다 크고" in page.message.text()
    assert experiments.list_experiments(ctx) == []
    page.experiment_design.setCurrentIndex(page.experiment_design.findData("variant"))
    assert not multiplier_b.isHidden() and not bonus_b.isHidden()
    multiplier_a.setText("2")
    bonus_b.setValue(100)
    page.experiment_create.click()
    settle(qtbot, window)
    qtbot.waitUntil(lambda: _cell(page.experiment_table, 0, 0) == "두배 실험", timeout=10_000)
    assert "두배 실험" in page.message.text()
    (line,) = experiments.list_experiments(ctx)
    assert (line.kind, line.design) == ("campaign", "variant")
    assert line.offer["A"] == {"campaign": {"multiplier": "2", "bonus": 0}}
    assert line.offer["B"] == {"campaign": {"multiplier": "1", "bonus": 100}}
    who = customers.enroll(ctx, "010-6200-0001").id
    earned = sales.record_sale(ctx, who, 10_000)
    assert earned.points_earned == (400 if group_of(line.id, who, 50) == "A" else 300)
    assert earned.campaigns == ("두배 실험",)
    page.experiment_kind.setCurrentIndex(page.experiment_kind.findData("stamp_goal"))
    assert multiplier_a.isHidden() and not goal_a.isHidden()
    page.experiment_kind.setCurrentIndex(page.experiment_kind.findData("campaign"))
    scroll = page.content.parentWidget().parentWidget().parentWidget()
    scroll.verticalScrollBar().setValue(10_000)
    QApplication.processEvents()
    shot(window.backoffice, "backoffice_experiment_form")
