"""Receipts read out of ESC/POS bytes: the amount paid, the key, cancels and reprints."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.receipts import ReceiptPatterns, printable_text, read_receipt
from tests.escpos import escpos, sample


def test_text_survives_the_commands():
    text = sample("card-sale.txt")
    assert printable_text(escpos(text)).splitlines() == text.splitlines()


def test_card_sale():
    receipt = read_receipt(escpos(sample("card-sale.txt")))
    assert (receipt.amount, receipt.ref, receipt.cancel, receipt.reprint) == (
        20_500,
        "30012398",
        False,
        False,
    )
    assert receipt.usable


def test_card_cancel_names_the_original():
    receipt = read_receipt(escpos(sample("card-cancel.txt")))
    assert receipt.cancel
    assert receipt.original_ref == "30012398"
    assert receipt.ref == "30019876"
    assert receipt.amount == 20_500  # the list total, as a positive amount


def test_cash_with_discount_earns_on_what_was_paid():
    receipt = read_receipt(escpos(sample("cash-discount.txt"), logo=False))
    assert receipt.amount == 34_200  # 결제금액, not 총액 38,000
    assert receipt.ref == "123456789"  # the cash receipt's approval number


def test_two_payments_and_a_reprint():
    receipt = read_receipt(escpos(sample("two-payments-reprint.txt")))
    assert receipt.amount == 14_400
    assert receipt.ref == "77120045"
    assert receipt.reprint and not receipt.cancel


def test_no_approval_number_falls_back_to_the_receipt_number():
    receipt = read_receipt(escpos(sample("no-approval.txt"), qr=False))
    assert receipt.amount == 5_000
    assert receipt.ref == "20260520-1-88"


def test_patterns_are_settings():
    text = "합계 9,000\n포인트적립대상 8,000\n주문번호: A-10023\n"
    assert read_receipt(text).amount == 9_000
    patterns = ReceiptPatterns.from_json(
        {"paid": ["포인트 적립 대상"], "receipt_number": ["주문번호"]}
    )
    receipt = read_receipt(text, patterns)
    assert (receipt.amount, receipt.ref) == (8_000, "A-10023")
    assert ReceiptPatterns.from_json(patterns.to_json()) == patterns
    with pytest.raises(ValueError):
        ReceiptPatterns.from_json({"paid": "받을금액"})
    with pytest.raises(ValueError):
        ReceiptPatterns.from_json({"nonsense": ["x"]})


def test_a_receipt_with_nothing_to_read_is_not_usable():
    receipt = read_receipt(escpos("주방 주문서\n김치찌개 2\n"))
    assert not receipt.usable and receipt.amount is None and receipt.ref is None


@given(st.binary(max_size=2_000))
def test_any_bytes_read_without_crashing(data):
    receipt = read_receipt(data)
    assert receipt.amount is None or receipt.amount >= 0
