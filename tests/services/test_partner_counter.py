"""Partner points in the counter's own sale (record_sale, the POS's sale), its void, a customer
merge, the consent's state and the `partner` token scope: two shops on their own SQLite files
meeting in a real PostgreSQL database (tests/services/test_partners.py's fixtures)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.db.models import PartnerEntry, Sale
from app.domain.errors import Refused
from app.services import (
    consents,
    customer_admin,
    customers,
    partners,
    pos,
    sales,
    slips,
    staff,
    tokens,
)
from app.services.context import Context
from tests.services.helpers import snapshot
from tests.services.test_partners import (  # noqa: F401  (the fixtures)
    APRIL,
    _coalition,
    _move,
    coalition_url,
    shops,
)

pytestmark = pytest.mark.postgres
PHONE = "010-1234-5678"


def _member(ctx: Context, phone: str = PHONE, *, consent: bool = True):  # type: ignore[no-untyped-def]
    member = customers.enroll(ctx, phone).id
    if consent:
        partners.set_partner_consent(ctx, member, True, source="counter")
    return member


def _later(*contexts: Context, minutes: int = 1) -> None:
    """The clocks move on between steps (entries are ordered by time, as they are in a shop)."""
    for ctx in contexts:
        assert ctx.fixed_now is not None
        ctx.fixed_now += timedelta(minutes=minutes)


def _entries(ctx: Context) -> int:
    with ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(PartnerEntry)) or 0)


def _refused(code: str, call) -> Refused:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused) as refused:
        call()
    assert refused.value.code == code
    return refused.value


def test_the_counter_sale_earns_and_spends_partner_points(shops, coalition_url) -> None:  # noqa: F811
    a, b = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    assert a.settings.get(partners.USED) and b.settings.get(partners.USED)
    member = _member(a)
    sold = sales.record_sale(a, member, 50_000, with_slip=True)
    assert sold.partner is not None
    assert (sold.partner.earned, sold.partner.spent, sold.partner.balance) == (500, 0, 500)
    assert sold.points_earned > 0  # the shop's own points as before
    # the slip shows the partner balance, on paper
    assert sold.slip is not None and sold.slip.partner_balance == 500
    pdf, _ = slips.render_slip(a, sold.slip)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "제휴 포인트 적립" in text and "제휴 포인트 잔액" in text and "500P" in text
    # sent afterwards (the doors push): the other shop sees the balance
    assert partners.push(a)
    assert partners.find_member(b, PHONE).balance == 500

    spent = sales.record_sale(a, member, 10_000, partner_spend=300)
    assert spent.partner is not None
    assert (spent.partner.spent, spent.partner.spent_value, spent.partner.earned) == (300, 300, 97)
    assert spent.partner.balance == 297 and spent.partner.online
    assert partners.standing(a, member) == partners.PartnerStanding(member, "골목 제휴", 297)
    partners.push(a)
    assert partners.find_member(b, PHONE).balance == 297

    # the POS's sale (the API's and `sale --ref`): the same partner part
    posted = pos.post_sale(a, "R-1", 20_000, customer_id=member, partner_spend=100)
    assert posted.sale is not None and posted.sale.partner is not None
    assert (posted.sale.partner.spent, posted.sale.partner.earned) == (100, 199)


def test_refusals_change_nothing_and_say_why(shops, coalition_url) -> None:  # noqa: F811
    a, _ = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    member = _member(a)
    sales.record_sale(a, member, 20_000)  # 200 partner points
    partners.push(a)
    stranger = _member(a, "010-9999-0000", consent=False)
    before = snapshot(a)
    over = _refused(
        "partner.not_enough", lambda: sales.record_sale(a, member, 50_000, partner_spend=201)
    )
    assert "200" in over.message("ko") and "제휴 포인트가 부족합니다" in over.message("ko")
    negative = _refused(
        "partner.spend_invalid", lambda: sales.record_sale(a, member, 50_000, partner_spend=-5)
    )
    assert "0 이상" in negative.message("ko")
    no_consent = _refused(
        "partner.no_consent", lambda: sales.record_sale(a, stranger, 50_000, partner_spend=10)
    )
    assert "동의하지 않았습니다" in no_consent.message("ko")
    over_bill = _refused(
        "partner.spend_over_bill", lambda: sales.record_sale(a, member, 100, partner_spend=150)
    )
    assert over_bill.params == {"value": 150, "amount": 100}
    assert snapshot(a) == before  # no sale, no entry, nothing
    # a member who did not consent earns no partner points (and the sale goes through)
    plain = sales.record_sale(a, stranger, 10_000)
    assert plain.partner is None
    # a shop in no coalition: a spend is refused in words, a plain sale has no partner part
    alone = shops("혼자가게")
    lone = customers.enroll(alone, "010-3333-4444").id
    before = snapshot(alone)
    refused = _refused(
        "partner.not_member", lambda: sales.record_sale(alone, lone, 10_000, partner_spend=1)
    )
    assert "제휴에 참여하지 않았습니다" in refused.message("ko")
    assert snapshot(alone) == before
    assert sales.record_sale(alone, lone, 10_000).partner is None
    assert not alone.settings.get(partners.USED)


def test_a_void_reverses_the_partner_earn_and_spend_by_new_entries(shops, coalition_url) -> None:  # noqa: F811
    a, b = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    member = _member(a)
    sales.record_sale(a, member, 50_000)  # 500
    partners.push(a)
    _later(a, b)
    # the member spends 200 of A's points at B
    partners.partner_sale(b, PHONE, 10_000, spend=200)  # B: spend 200, earn 98
    _later(a, b)
    sale = sales.record_sale(a, member, 10_000, partner_spend=100)  # spend 100, earn 99
    partners.push(a)
    _later(a, b)
    assert partners.find_member(a, PHONE).balance == 500 - 200 + 98 - 100 + 99
    entries = _entries(a)
    voided = sales.void_action(a, str(sale.sale_id))
    assert voided.partner == (99, 100)
    assert _entries(a) == entries + 2  # append-only: two new entries, none changed
    again = _refused("void.already", lambda: sales.void_action(a, str(sale.sale_id)))
    assert again.code == "void.already"
    assert partners.push(a)
    assert partners.find_member(b, PHONE).balance == 500 - 200 + 98
    # the settlement counts neither the voided earn nor the voided spend
    _move(a, b, to=APRIL)
    partners.close_month(a, "2026-03")
    partners.close_month(b, "2026-03")
    (view,) = partners.settle(a, "2026-03").statements
    assert (view.issued_here, view.issued_there) == (500, 98)
    assert (view.ours_spent_there, view.theirs_spent_here, view.net) == (200, 0, -200)


def test_a_merge_moves_the_partner_points_and_the_consent(shops, coalition_url) -> None:  # noqa: F811
    a, b = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    keeper = _member(a, "010-1111-2222", consent=False)
    absorbed = _member(a, PHONE)
    sales.record_sale(a, absorbed, 40_000)  # 400 partner points on the record merged away
    partners.push(a)
    _later(a, b)
    merged = customer_admin.merge_customers(a, keeper, absorbed)
    _later(a, b)
    assert merged.partner_points_moved == 400
    # the keeper now has the points and the word on the coalition; partners find them
    assert partners.standing(a, keeper) == partners.PartnerStanding(keeper, "골목 제휴", 400)
    found = partners.find_member(b, "010-1111-2222")
    assert found.balance == 400
    # the absorbed record's number no longer finds anyone at the partner
    _refused("partner.member_not_found", lambda: partners.find_member(b, PHONE))
    # spent at B, the points are still A's to pay for (the move kept their issuer)
    partners.partner_sale(b, "010-1111-2222", 10_000, spend=300)
    _move(a, b, to=APRIL)
    partners.close_month(a, "2026-03")
    partners.close_month(b, "2026-03")
    (view,) = partners.settle(a, "2026-03").statements
    assert (view.issued_here, view.ours_spent_there, view.net) == (400, 300, -300)


def test_the_consent_state_and_the_partner_token(shops, coalition_url) -> None:  # noqa: F811
    (a,) = _coalition(shops, coalition_url, "가나베이커리")
    member = _member(a, consent=False)
    state = consents.consent_state(a, member).partner
    assert state is not None and (state.coalition, state.granted, state.at) == (
        "골목 제휴",
        False,
        None,
    )
    partners.set_partner_consent(a, member, True, source="counter")
    state = consents.consent_state(a, member).partner
    assert state is not None and state.granted and state.source == "counter"
    # a shop in no coalition: no partner part (and no statement for it)
    alone = shops("혼자가게")
    assert consents.consent_state(alone, customers.enroll(alone, PHONE).id).partner is None

    # the `partner` scope: the counter's partner commands, nothing else
    made = tokens.create_token(a, "제휴 단말", "partner")
    ctx = a
    for action in ("sale", "partner settle", "partner create", "customer show", "void"):
        refused = _refused(
            "token.not_allowed", lambda a=action: staff.authorize(ctx, made.token, a)
        )
        assert "제휴 단말" in refused.message("ko")
        # what this token may do, not what a POS token may
        assert "제휴 토큰은" in refused.message("ko") and "POS" not in refused.message("ko")
        assert "a partner token finds members" in refused.message("en")
    for action in ("partner sale", "partner find", "partner consent", "partner send"):
        staff.authorize(a, made.token, action)
    assert a.token is not None and "제휴 단말" in a.token
    with a.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 0


def test_a_pos_refund_takes_the_partner_earn_back_pro_rata(shops, coalition_url) -> None:  # noqa: F811
    """rfm19: `dangol refund` / the API's refunds: the earn comes back pro rata of the amount
    refunded (rounded down), by new entries; the refund of the rest takes the rest back."""
    a, b = _coalition(shops, coalition_url, "가나베이커리", "다라꽃집")
    member = _member(a)
    sales.record_sale(a, member, 50_000)  # 500
    _later(a, b)
    posted = pos.post_sale(a, "R-9", 20_000, customer_id=member, partner_spend=100)
    assert posted.sale is not None and posted.sale.partner is not None
    assert (posted.sale.partner.spent, posted.sale.partner.earned) == (100, 199)
    assert partners.push(a)
    assert partners.find_member(b, PHONE).balance == 500 - 100 + 199
    _later(a, b)
    entries = _entries(a)
    pos.refund(a, "R-9", "RF-1", 7_000)  # 199 × 7,000 / 20,000 = 69.65: 69 back
    assert _entries(a) == entries + 1
    assert partners.push(a)
    assert partners.find_member(b, PHONE).balance == 500 - 100 + 199 - 69
    again = pos.refund(a, "R-9", "RF-1", 7_000)  # the same refund ref: nothing more
    assert not again.created and _entries(a) == entries + 1
    _later(a, b)
    pos.refund(a, "R-9", "RF-2", 3_000)  # 10,000 of 20,000 refunded: 99 in all, 30 more
    _later(a, b)
    pos.cancel(a, "R-9")  # the rest refunded: the rest of the earn (100) back
    assert _entries(a) == entries + 3
    assert partners.push(a)
    assert partners.find_member(b, PHONE).balance == 500 - 100
    with a.db.read() as session:
        backs = session.scalars(
            select(PartnerEntry.points)
            .where(PartnerEntry.kind == "spend")
            .order_by(PartnerEntry.at)
        ).all()
    assert backs == [100, 69, 30, 100]  # the sale's spend, then the three refunds' take-backs
    # a member who did not consent earned nothing: a refund writes no partner entry
    other = _member(a, "010-1234-9999", consent=False)
    pos.post_sale(a, "R-10", 10_000, customer_id=other)
    before = _entries(a)
    pos.refund(a, "R-10", "RF-3", 4_000)
    assert _entries(a) == before
