"""POS sales by ref, pending sales, partial refunds, redemptions by ref: SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import LedgerEntry, PosSale, Sale
from app.domain.errors import Refused
from app.services import customers, pos, program, sales, sync
from app.services.settings import update_settings
from tests.services.helpers import ledger_sum, snapshot

PHONE = "010-1234-5678"


def two_percent(ctx) -> None:
    """Every tier at 2 %, no campaign: the issue's figures."""
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)


def member(ctx, phone: str = PHONE):
    return customers.enroll(ctx, phone).id


def test_same_ref_is_the_same_sale(ctx) -> None:
    two_percent(ctx)
    who = member(ctx)
    second = member(ctx, "010-2222-3333")
    first = pos.post_sale(ctx, "30012398", 12_000, customer_id=who)
    assert first.created and first.sale is not None and first.sale.points_earned == 240
    before = snapshot(ctx)
    again = pos.post_sale(ctx, "30012398", 12_000, customer_id=who)
    assert not again.created
    assert again.sale is not None and again.sale.sale_id == first.sale.sale_id
    assert again.sale.points_earned == 240
    assert snapshot(ctx) == before  # nothing written the second time
    for other in ({"amount": 12_001, "customer_id": who}, {"amount": 12_000, "items": 2}):
        with pytest.raises(Refused) as refused:
            pos.post_sale(ctx, "30012398", **other)
        assert refused.value.code == "pos.ref_conflict"
    with pytest.raises(Refused) as refused:
        pos.post_sale(ctx, "30012398", 12_000, customer_id=second)
    assert refused.value.code == "pos.ref_conflict"
    assert snapshot(ctx) == before


@pytest.mark.parametrize("ref", ["", " ", "x" * 65, "영수증", "a b", None, 12])
def test_bad_refs_refused(ctx, ref) -> None:
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        pos.post_sale(ctx, ref, 1_000)
    assert refused.value.code == "pos.ref_invalid"
    assert snapshot(ctx) == before


def test_pending_then_attached_at_the_moment_of_sale(ctx) -> None:
    two_percent(ctx)
    rung_up = ctx.now()
    waiting = pos.post_sale(ctx, "R-1", 5_000, source="tap")
    assert waiting.created and waiting.sale is None and waiting.pos.status == "pending"
    assert [p.ref for p in pos.pending_sales(ctx)] == ["R-1"]
    who = member(ctx)
    ctx.fixed_now = rung_up + timedelta(minutes=5)
    attached = pos.attach_customer(ctx, "R-1", who)
    assert attached.pos.status == "posted" and attached.sale is not None
    assert attached.sale.points_earned == 100
    with ctx.db.read() as session:
        sale = session.get(Sale, attached.sale.sale_id)
        assert sale is not None and sale.occurred_at == rung_up
    assert pos.pending_sales(ctx) == []
    again = pos.attach_customer(ctx, "R-1", who)
    assert not again.created and again.sale is not None
    assert again.sale.sale_id == attached.sale.sale_id
    # posting the same receipt again with the member (the POS retried): the same sale
    retry = pos.post_sale(ctx, "R-1", 5_000, customer_id=who)
    assert not retry.created


def test_pending_sales_lapse_after_the_window(ctx) -> None:
    pos.post_sale(ctx, "R-2", 5_000)
    ctx.fixed_now = ctx.now() + timedelta(minutes=31)
    assert pos.pending_sales(ctx) == []
    who = member(ctx)
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        pos.attach_customer(ctx, "R-2", who)
    assert refused.value.code == "pos.lapsed"
    assert snapshot(ctx) == before
    update_settings(ctx, pos_pending_minutes=120)
    assert [p.ref for p in pos.pending_sales(ctx)] == ["R-2"]


def test_partial_refunds_add_up_to_the_whole(ctx) -> None:
    two_percent(ctx)
    who = member(ctx)
    pos.post_sale(ctx, "S1", 12_000, customer_id=who)
    start_points, start_stamps = ledger_sum(ctx, who)
    first = pos.refund(ctx, "S1", "S1-r1", 4_000)
    assert (first.points_reversed, first.stamps_reversed, first.remaining_amount) == (80, 0, 8_000)
    assert first.points == start_points - 80
    again = pos.refund(ctx, "S1", "S1-r1", 4_000)
    assert not again.created and again.points_reversed == 80 and again.points == first.points
    with pytest.raises(Refused) as refused:
        pos.refund(ctx, "S1", "S1-r2", 8_001)
    assert refused.value.code == "refund.over_remaining"
    rest = pos.refund(ctx, "S1", "S1-r2", 8_000)
    assert (rest.points_reversed, rest.stamps_reversed, rest.remaining_amount) == (160, 1, 0)
    assert ledger_sum(ctx, who) == (start_points - 240, start_stamps - 1)
    # the books: the refund rows cancel the sale's amount and the ledger reconciles
    with ctx.db.read() as session:
        total = session.scalar(select(func.sum(Sale.amount)).where(Sale.customer_id == who))
        kinds = session.scalars(
            select(LedgerEntry.kind).where(LedgerEntry.customer_id == who)
        ).all()
    assert total == 0 and kinds.count("refund") == 2
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(pos.pos_sale(ctx, "S1").sale_id))
    assert refused.value.code == "void.refunded"


def test_odd_amount_and_cancel_refunds_the_rest(ctx) -> None:
    two_percent(ctx)
    who = member(ctx)
    pos.post_sale(ctx, "S2", 12_345, customer_id=who)
    small = pos.refund(ctx, "S2", "S2-r1", 345)
    assert small.points_reversed == 6
    cancelled = pos.cancel(ctx, "S2")
    assert isinstance(cancelled, pos.RefundResult)
    assert cancelled.points_reversed == 240 and cancelled.remaining_amount == 0
    twice = pos.cancel(ctx, "S2")
    assert isinstance(twice, pos.RefundResult) and not twice.created
    assert ledger_sum(ctx, who)[0] == customers.customer_status(ctx, who).points


def test_a_pending_sale_cancelled_is_never_posted(ctx) -> None:
    pos.post_sale(ctx, "S3", 9_000)
    result = pos.cancel(ctx, "S3")
    assert isinstance(result, pos.PostResult) and result.pos.status == "cancelled"
    who = member(ctx)
    with pytest.raises(Refused) as refused:
        pos.attach_customer(ctx, "S3", who)
    assert refused.value.code == "pos.cancelled"


def test_redeemed_points_come_back_and_the_balance_may_go_below_zero(ctx) -> None:
    two_percent(ctx)
    who = member(ctx)
    opening = customers.customer_status(ctx, who).points
    pos.post_sale(ctx, "S4", 200_000, customer_id=who)  # 4,000P
    spent = pos.redeem(ctx, "U1", who, points=1_000, sale_ref="S4")
    assert spent.created and spent.redemption.points == opening + 3_000
    assert not pos.redeem(ctx, "U1", who, points=1_000, sale_ref="S4").created
    with pytest.raises(Refused) as refused:
        pos.redeem(ctx, "U1", who, points=900, sale_ref="S4")
    assert refused.value.code == "pos.ref_conflict"
    half = pos.refund(ctx, "S4", "S4-r1", 100_000)
    assert half.points_reversed == 2_000 and half.points_restored == 500
    assert half.points == opening + 1_500
    # spend all that is left, then refund the rest: the points it takes back were spent already
    pos.redeem(ctx, "U2", who, points=half.points)
    rest = pos.refund(ctx, "S4", "S4-r2", 100_000)
    assert rest.points_reversed == 2_000 and rest.points_restored == 500
    assert rest.points == -1_500 and rest.negative_balance
    assert ledger_sum(ctx, who)[0] == -1_500
    # the owner's needs-attention list shows it, sync or no sync
    listed = [i for i in sync.needs_attention(ctx) if i.kind == "negative_balance"]
    assert [(i.customer_id, i.points) for i in listed] == [(who, -1_500)]


def test_money_only_refunds_give_no_points_back(ctx) -> None:
    two_percent(ctx)
    update_settings(ctx, pos_refund_money_only=True)
    who = member(ctx)
    pos.post_sale(ctx, "S5", 100_000, customer_id=who)
    pos.redeem(ctx, "U5", who, points=1_000, sale_ref="S5")
    assert pos.refund(ctx, "S5", "S5-r1", 50_000).points_restored == 0


def test_refund_refusals_write_nothing(ctx) -> None:
    who = member(ctx)
    pos.post_sale(ctx, "S6", 10_000, customer_id=who)
    pos.post_sale(ctx, "S7", 10_000)
    before = snapshot(ctx)
    for args, code in (
        (("NOPE", "x-1", 1_000), "pos.unknown_ref"),
        (("S7", "x-2", 1_000), "pos.not_posted"),
        (("S6", "x-3", 0), "amount.not_positive"),
        (("S6", "x-4", 20_000), "refund.over_remaining"),
    ):
        with pytest.raises(Refused) as refused:
            pos.refund(ctx, *args)
        assert refused.value.code == code
    assert snapshot(ctx) == before


WORKER = textwrap.dedent(
    """
    import json, sys
    from app.domain.errors import Refused
    from app.services import pos
    from app.services.context import open_shop
    from app.services.customers import resolve_customer

    url, phone, ref = sys.argv[1], sys.argv[2], sys.argv[3]
    shop = open_shop(url, create=False)
    who = resolve_customer(shop, phone)
    results = []
    for _ in range(int(sys.argv[4])):
        r = pos.post_sale(shop, ref, 12_000, customer_id=who)
        results.append([r.created, str(r.sale.sale_id)])
    shop.close()
    print(json.dumps(results))
    """
)


def test_identical_requests_at_once_write_one_sale(ctx, db_url: str) -> None:
    """Many processes post the same ref at once: exactly one sale, every answer names it."""
    who = member(ctx)
    url = db_url
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, PHONE, "SAME-REF", "5"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(5)
    ]
    answers = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        answers += json.loads(out)
    assert len(answers) == 25
    assert sum(1 for created, _ in answers if created) == 1
    assert len({sale_id for _, sale_id in answers}) == 1
    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(PosSale)) == 1
        assert (
            session.scalar(select(func.count()).select_from(Sale).where(Sale.customer_id == who))
            == 1
        )


def test_a_pos_sale_voided_at_the_counter_waits_for_its_member_again(ctx) -> None:
    two_percent(ctx)
    wrong, right = member(ctx), member(ctx, "010-2222-3333")
    pos.post_sale(ctx, "W-1", 12_000)
    attached = pos.attach_customer(ctx, "W-1", wrong)
    assert attached.sale is not None
    sales.void_action(ctx, str(attached.sale.sale_id))
    assert ledger_sum(ctx, wrong)[0] == customers.customer_status(ctx, wrong).points
    assert [p.ref for p in pos.pending_sales(ctx)] == ["W-1"]
    again = pos.attach_customer(ctx, "W-1", right)
    assert again.sale is not None and again.sale.points_earned == 240
    assert pos.pos_sale(ctx, "W-1").customer_id == right
