"""A sale's slip under a program with cashback: what came from the wallet, what it earned
back, and both balances, on the PDF read back and in the ESC/POS text."""

from __future__ import annotations

from app.printing.escpos import slip_escpos_text
from app.printing.slip_pdf import slip_pdf
from app.services import customers, program, sales, wallet
from app.services.context import Context
from tests.printing.conftest import PHONE, pdf_text, render_pages


def test_the_slip_prints_the_wallet(store_shop: Context) -> None:
    plain_who = customers.enroll(store_shop, "010-2222-3333").id
    plain = sales.record_sale(store_shop, plain_who, 10_000, with_slip=True).slip
    assert plain is not None and plain.wallet is None
    assert "적립금" not in pdf_text(slip_pdf(plain))  # no cashback: the slip as before

    shape = program.show_program(store_shop)
    shape["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(store_shop, shape)
    who = customers.enroll(store_shop, PHONE, name="김민준").id
    wallet.topup(store_shop, who, 20_000, "CARD-7")
    sold = sales.record_sale(store_shop, who, 12_500, from_wallet=2_500, with_slip=True)
    slip = sold.slip
    assert slip is not None and slip.wallet is not None
    assert (slip.wallet.spent, slip.wallet.cashback_earned) == (2_500, 500)
    assert (slip.wallet.cashback, slip.wallet.prepaid) == (500, 17_500)
    pdf = slip_pdf(slip)
    text = pdf_text(pdf)
    for line in ("지갑 사용", "-2,500원", "적립금 적립", "+500원", "적립금 잔액", "17,500원"):
        assert line in text, line
    render_pages(pdf, dpi=150)[0].save("/tmp/wallet18-slip.png")
    paper = slip_escpos_text(slip).decode("cp949", errors="replace")
    assert "선불 잔액" in paper and "17,500원" in paper


def test_an_english_slip_spells_every_amount_in_won_the_english_way(store_shop: Context) -> None:
    """A slip in English writes ₩12,500, not 12,500원: the purchase, the wallet's part and both
    balances (each amount of the layout went through format_won without the slip's language)."""
    from dataclasses import replace

    shape = program.show_program(store_shop)
    shape["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(store_shop, shape)
    who = customers.enroll(store_shop, PHONE, name="Kim").id
    wallet.topup(store_shop, who, 20_000, "CARD-7")
    slip = sales.record_sale(store_shop, who, 12_500, from_wallet=2_500, with_slip=True).slip
    assert slip is not None
    english = replace(slip, language="en")
    text = pdf_text(slip_pdf(english))
    render_pages(slip_pdf(english), dpi=150)[0].save("/tmp/en-wallet-slip.png")
    for amount in ("₩12,500", "-₩2,500", "+₩500", "₩17,500"):
        assert amount in text, (amount, text)
    import re

    assert not re.search(r"\d원", text), text  # (the shop's own name, 망원점, has one)
    paper = slip_escpos_text(english).decode("cp949", errors="replace")
    assert not re.search(r"\d원", paper) and "￦12,500" in paper, paper  # CP949 has no ₩
