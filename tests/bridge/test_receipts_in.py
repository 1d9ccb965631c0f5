"""Receipts through the tap into the shop: pending sales, reprints, cancels, refunds."""

from __future__ import annotations

from app.bridge.receipts_in import post_receipt
from app.services import customers, pos
from tests.escpos import escpos, sample
from tests.services.helpers import snapshot


def test_a_sale_receipt_waits_for_its_member_and_a_reprint_is_not_a_second_sale(ctx):
    sale = escpos(sample("card-sale.txt"))
    first = post_receipt(ctx, sale)
    assert (first.kind, first.ref, first.amount) == ("pending", "30012398", 20_500)
    before = snapshot(ctx)
    assert post_receipt(ctx, sale).kind == "repeat"
    assert snapshot(ctx) == before
    assert [(p.ref, p.amount, p.source) for p in pos.pending_sales(ctx)] == [
        ("30012398", 20_500, "tap")
    ]


def test_a_cancel_receipt_cancels_the_sale_it_names(ctx):
    post_receipt(ctx, escpos(sample("card-sale.txt")))
    outcome = post_receipt(ctx, escpos(sample("card-cancel.txt")))
    assert (outcome.kind, outcome.ref) == ("cancelled", "30012398")
    assert pos.pos_sale(ctx, "30012398").status == "cancelled"
    assert pos.pending_sales(ctx) == []


def test_a_posted_sale_is_refunded_by_a_partial_cancel_receipt(ctx):
    who = customers.enroll(ctx, "010-1234-5678").id
    post_receipt(ctx, escpos(sample("card-sale.txt")))
    pos.attach_customer(ctx, "30012398", who)
    partial = sample("card-cancel.txt").replace("-20,500", "-5,000")
    outcome = post_receipt(ctx, escpos(partial))
    assert (outcome.kind, outcome.amount) == ("refunded", 5_000)
    assert pos.pos_sale(ctx, "30012398").status == "posted"
    # the whole cancel afterwards takes back the rest
    assert (
        post_receipt(ctx, escpos(sample("card-cancel.txt").replace("30019876", "30019999"))).kind
        == "cancelled"
    )


def test_what_cannot_be_read_changes_nothing(ctx):
    before = snapshot(ctx)
    assert post_receipt(ctx, escpos("주방 주문서\n김치찌개 2\n")).kind == "unreadable"
    orphan = sample("card-cancel.txt").replace("30012398", "99999999")
    assert post_receipt(ctx, escpos(orphan)).kind == "unknown_sale"
    assert snapshot(ctx) == before
