"""The wallet's entries travel between registers like the ledger: immutable, merged once."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db.models import WalletEntry
from app.services import customers, program, sales, wallet
from app.services.customers import resolve_customer
from tests.sync.test_sync import sync_all

PHONE = "010-1234-5678"


def _entries(ctx) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(WalletEntry)) or 0)


def test_cashback_and_prepaid_at_two_registers_add_up_on_both(registers) -> None:
    a, b = registers("A"), registers("B")
    document = program.show_program(a)
    document["cashback"] = {"percent": {"BASIC": 5}, "prepaid_limit": 100_000}
    program.load_program(a, document)
    who = customers.enroll(a, PHONE, name="김단골").id
    sales.record_sale(a, who, 10_000)  # 500 cashback at A
    wallet.topup(a, who, 20_000, "A-1")
    sync_all(a, b)
    member = resolve_customer(b, PHONE)
    assert wallet.wallet_status(b, member).total == 20_500
    spent = wallet.spend(b, member, 1_000)  # at B: the cashback, then 500 prepaid
    assert (spent.cashback_part, spent.prepaid_part) == (500, 500)
    sales.record_sale(a, who, 20_000)  # meanwhile at A: 1,000 more
    sync_all(a, b)
    sync_all(a, b)  # twice: nothing doubles
    for ctx in (a, b):
        status = wallet.wallet_status(ctx, who)
        assert (status.cashback, status.prepaid) == (1_000, 19_500)
        assert _entries(ctx) == 5
    report = wallet.wallet_report(b)
    assert (report.cashback.issued, report.prepaid.issued, report.liability_won) == (
        1_500,
        20_000,
        20_500,
    )
