"""The wallet (적립금, 선불 충전) at the counter: SQLite and PostgreSQL, every rule and refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.models import WalletEntry
from app.domain.errors import Refused
from app.services import customers, daily, pos, program, sales, wallet
from app.services.encoding import to_json
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"
CASHBACK = {
    "percent": {"BASIC": 5, "SILVER": "5.5"},
    "max_per_sale": 2000,
    "min_purchase": 5000,
    "expiry_months": 1,
    "prepaid_limit": 100_000,
}


def with_cashback(ctx, **changes) -> None:
    document = program.show_program(ctx)
    document["campaigns"] = []
    document["cashback"] = {**CASHBACK, **changes}
    program.load_program(ctx, document)


def entry_sums(ctx, customer_id) -> dict[str, int]:
    """The plain sums of the member's wallet entries, purse by purse."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(WalletEntry.purse, func.sum(WalletEntry.won))
            .where(WalletEntry.customer_id == customer_id)
            .group_by(WalletEntry.purse)
        ).all()
    return {r[0]: int(r[1]) for r in rows}


def reconciles(ctx, customer_id) -> wallet.WalletStatus:
    status = wallet.wallet_status(ctx, customer_id)
    sums = entry_sums(ctx, customer_id)
    assert sums.get("prepaid", 0) == status.prepaid
    due = sums.get("cashback", 0) - status.cashback
    assert due >= 0  # only what expired and is not written yet
    return status


def test_sales_earn_cashback_by_rate_cap_and_minimum(ctx) -> None:
    plain = customers.enroll(ctx, "010-9999-0000").id
    before = sales.record_sale(ctx, plain, 10_000)
    assert before.wallet is None  # no cashback section: no wallet, no new keys
    assert "wallet" not in to_json(before, ctx) and "cashback_earned" not in to_json(before, ctx)
    with pytest.raises(Refused) as refused:
        sales.record_sale(ctx, plain, 10_000, from_wallet=1000)
    assert refused.value.code == "wallet.off"

    with_cashback(ctx)
    who = customers.enroll(ctx, PHONE).id
    assert sales.record_sale(ctx, who, 10_000).wallet.cashback_earned == 500  # 5 %
    assert sales.record_sale(ctx, who, 4_999).wallet.cashback_earned == 0  # under the minimum
    capped = sales.record_sale(ctx, who, 100_000)
    assert capped.wallet.cashback_earned == 2000  # the cap, not 5,000
    assert capped.wallet.wallet.cashback == 2500
    # 1,000 of 10,000 from the wallet: cashback first, and nothing earned on that part
    paid = sales.record_sale(ctx, who, 10_000, from_wallet=1000)
    assert (paid.wallet.spent_cashback, paid.wallet.spent_prepaid) == (1000, 0)
    assert paid.wallet.cashback_earned == 450  # 5 % of 9,000
    shown = to_json(paid, ctx)
    assert shown["wallet_spent"] == 1000 and shown["cashback_earned"] == 450
    assert shown["wallet"]["cashback"] == 1950 and shown["wallet"]["total"] == 1950
    assert reconciles(ctx, who).cashback == 1950
    before = snapshot(ctx)
    for amount, part, code in (
        (10_000, 10_001, "wallet.over_sale"),
        (10_000, 5_000, "wallet.not_enough"),
        (10_000, -1, "wallet.won_not_positive"),
    ):
        with pytest.raises(Refused) as refused:
            sales.record_sale(ctx, who, amount, from_wallet=part)
        assert refused.value.code == code
    assert snapshot(ctx) == before  # a refused sale writes nothing, its sale row neither


def test_spend_and_topup_in_order_with_their_refusals_and_a_shop_without(ctx) -> None:
    with_cashback(ctx)
    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 20_000)  # 1,000 cashback
    top = wallet.topup(ctx, who, 50_000, " 30012398 ", "card")
    assert top.ref == "30012398" and top.wallet.prepaid == 50_000 and top.wallet.total == 51_000
    before = snapshot(ctx)
    for args, code in (
        ((who, 10_000, "30012398"), "wallet.ref_used"),
        ((who, 10_000, "B-1", "wallet"), "wallet.topup_from_wallet"),
        ((who, 10_000, "B-1", "coupon"), "wallet.paid_with"),
        ((who, 50_001, "B-1"), "wallet.topup_limit"),
        ((who, 0, "B-1"), "wallet.won_not_positive"),
        ((who, 10_000, "  "), "wallet.ref_missing"),
    ):
        with pytest.raises(Refused) as refused:
            wallet.topup(ctx, *args)
        assert refused.value.code == code, args
    with pytest.raises(Refused) as refused:
        wallet.spend(ctx, who, 51_001)
    assert refused.value.code == "wallet.not_enough"
    assert refused.value.params == {"won": 51_001, "balance": 51_000}
    assert snapshot(ctx) == before
    spent = wallet.spend(ctx, who, 1_500)  # cashback first, then prepaid
    assert (spent.cashback_part, spent.prepaid_part) == (1000, 500)
    assert (spent.wallet.cashback, spent.wallet.prepaid) == (0, 49_500)
    assert wallet.topup(ctx, who, 50_500, "B-2", "cash").wallet.prepaid == 100_000  # the limit
    status = reconciles(ctx, who)
    assert (status.cashback, status.prepaid) == (0, 100_000)
    # a shop that stops selling top-ups, then drops the wallet: refused in words
    with_cashback(ctx, prepaid_limit=0)
    with pytest.raises(Refused) as refused:
        wallet.topup(ctx, who, 1000, "R1")
    assert refused.value.code == "wallet.topup_off"
    assert "선불 충전" in refused.value.message("ko")
    document = program.show_program(ctx)
    del document["cashback"]
    program.load_program(ctx, document)
    for call in (lambda: wallet.wallet_status(ctx, who), lambda: wallet.spend(ctx, who, 100)):
        with pytest.raises(Refused) as refused:
            call()
        assert refused.value.code == "wallet.off"


def test_cashback_expires_first_in_first_out_and_prepaid_never(ctx) -> None:
    with_cashback(ctx)  # expiry_months 1
    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 10_000)  # 500, expires after a month
    wallet.topup(ctx, who, 10_000, "T1")
    later = replace(ctx, fixed_now=ctx.now() + timedelta(days=20))
    sales.record_sale(later, who, 20_000)  # 1,000, expires later
    soon = wallet.wallet_status(later, who)
    assert soon.cashback == 1500 and soon.expiring_soon == 500
    # the spend takes the lot that expires soonest: after its expiry, the later lot is whole
    wallet.spend(later, who, 300)
    after = replace(ctx, fixed_now=ctx.now() + timedelta(days=40))
    status = wallet.wallet_status(after, who)
    assert (status.cashback, status.prepaid) == (1000, 10_000)  # 200 of the first lot expired
    wallet.spend(after, who, 1200)  # writes the expiry first, then 1,000 cashback + 200 prepaid
    with after.db.read() as session:
        kinds = session.scalars(
            select(WalletEntry.kind).where(WalletEntry.customer_id == who).order_by(WalletEntry.id)
        ).all()
    assert kinds[-3:] == ["expire", "spend", "spend"]
    status = reconciles(after, who)
    assert (status.cashback, status.prepaid) == (0, 9_800)
    sales.record_sale(after, who, 20_000)  # 1,000 more, expiring a month after day 40
    lapsed = replace(ctx, fixed_now=ctx.now() + timedelta(days=80))
    daily.run_daily(lapsed)  # nobody touches the wallet: the daily run writes the expiry
    with after.db.read() as session:
        expiries = session.scalars(
            select(WalletEntry.won).where(WalletEntry.kind == "expire").order_by(WalletEntry.id)
        ).all()
    assert expiries == [-200, -1000]
    report = wallet.wallet_report(lapsed)
    assert report.cashback.expired == 1200 and report.cashback.issued == 2500
    assert report.prepaid.issued == 10_000 and report.prepaid.expired == 0
    assert (report.cashback.outstanding, report.prepaid.outstanding) == (0, 9_800)
    assert report.liability_won == 9_800 and report.members == 1


def test_a_void_gives_back_exactly_and_refuses_when_the_cashback_is_spent(ctx) -> None:
    with_cashback(ctx)
    who = customers.enroll(ctx, PHONE).id
    wallet.topup(ctx, who, 5_000, "T1")
    sale = sales.record_sale(ctx, who, 10_000, from_wallet=2_000)  # all prepaid, earns 400
    assert sale.wallet.spent_prepaid == 2_000 and sale.wallet.cashback_earned == 400
    sales.void_action(ctx, str(sale.sale_id))
    status = reconciles(ctx, who)
    assert (status.cashback, status.prepaid) == (0, 5_000)
    spent = sales.record_sale(ctx, who, 10_000)  # 500
    wallet.spend(ctx, who, 5_100)  # its cashback and more
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        sales.void_action(ctx, str(spent.sale_id))
    assert refused.value.code == "wallet.void_spent"
    assert snapshot(ctx) == before


def test_partial_refunds_take_back_cashback_as_for_points_and_add_up(ctx) -> None:
    with_cashback(ctx, max_per_sale=0, min_purchase=0)
    who = customers.enroll(ctx, PHONE).id
    wallet.topup(ctx, who, 3_000, "T1")
    posted = pos.post_sale(ctx, "R-100", 20_000, customer_id=who, from_wallet=3_000)
    assert posted.sale is not None and posted.sale.wallet is not None
    assert posted.sale.wallet.cashback_earned == 850  # 5 % of 17,000
    repeat = pos.post_sale(ctx, "R-100", 20_000, customer_id=who, from_wallet=3_000)
    assert not repeat.created and repeat.sale is not None and repeat.sale.wallet is not None
    assert (repeat.sale.wallet.spent_prepaid, repeat.sale.wallet.cashback_earned) == (3_000, 850)
    first = pos.refund(ctx, "R-100", "R-100-1", 5_000)
    assert first.wallet is not None
    assert (first.wallet.cashback_reversed, first.wallet.prepaid_restored) == (213, 750)
    shown = to_json(first, ctx)
    assert (shown["cashback_reversed"], shown["prepaid_restored"]) == (213, 750)
    again = pos.refund(ctx, "R-100", "R-100-1", 5_000)  # the same refund ref: the same answer
    assert not again.created and again.wallet == first.wallet
    # 15,000 remain, 3,000 x 5,000 / 20,000 = 750 of the wallet back: keeps 5 % of 12,750
    mid = reconciles(ctx, who)
    assert mid.prepaid == 750
    assert mid.cashback == 637  # floor(12,750 x 5 %)
    pos.refund(ctx, "R-100", "R-100-2", 15_000)  # the rest: everything back, exactly
    end = reconciles(ctx, who)
    assert (end.cashback, end.prepaid) == (0, 3_000)
    with pytest.raises(Refused) as refused:
        pos.post_sale(ctx, "R-101", 1_000, from_wallet=100)
    assert refused.value.code == "wallet.needs_member"


def test_a_merge_moves_the_wallet_lot_by_lot_to_the_record_that_stays(ctx) -> None:
    from app.services import customer_admin

    with_cashback(ctx)
    keep = customers.enroll(ctx, PHONE).id
    absorb = customers.enroll(ctx, "010-2222-3333").id
    sales.record_sale(ctx, absorb, 10_000)  # 500, expires in a month
    wallet.topup(ctx, absorb, 7_000, "T1")
    sales.record_sale(ctx, keep, 20_000)  # 1,000
    customer_admin.merge_customers(ctx, keep, absorb)
    status = reconciles(ctx, keep)
    assert (status.cashback, status.prepaid) == (1_500, 7_000)
    assert entry_sums(ctx, absorb) == {"cashback": 0, "prepaid": 0}
    later = replace(ctx, fixed_now=ctx.now() + timedelta(days=40))  # both lots kept expiry
    assert wallet.wallet_status(later, keep).cashback == 0
    assert wallet.wallet_report(ctx).liability_won == 8_500
