"""Check-in on the customer's own screen, SQLite and PostgreSQL: the member, several last-4
matches, an unknown number, refusals; the pending POS sale attached; joining with consents."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.db.models import AuditEntry, CheckIn, ConsentEvent, Customer, PosSale
from app.services import checkin, customers, pos, sales
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"


def _rows(ctx) -> list[CheckIn]:
    with ctx.db.read() as session:
        rows = list(session.scalars(select(CheckIn).order_by(CheckIn.at, CheckIn.id)))
        for row in rows:
            session.expunge(row)
        return rows


def test_a_member_checks_in_with_the_full_number(ctx) -> None:
    who = customers.enroll(ctx, PHONE, name="김단골").id
    result = checkin.check_in(ctx, "01012345678", "display", "counter display")
    assert result.kind == checkin.MEMBER and result.member is not None
    card = result.member
    assert card.customer_id == who
    assert card.phone_masked == "010-****-5678" and card.initial == "김"
    assert card.points == customers.customer_status(ctx, who).points
    assert (card.stamps, card.stamp_goal, card.rewards_ready, card.coupons) == (0, 10, 0, 0)
    assert result.sale is None and result.pos_ref is None
    (row,) = _rows(ctx)
    assert (row.customer_id, row.source, row.device, row.sale_id) == (
        who,
        "display",
        "counter display",
        None,
    )
    assert row.id == result.checkin_id and row.at == ctx.now()
    # nothing on the card names the person in full
    assert "김단골" not in repr(card) and "12345678" not in repr(card)


def test_last_4_with_one_member_checks_in_and_with_several_offers_choices(ctx) -> None:
    alone = customers.enroll(ctx, "010-1111-2222", name="이하나").id
    result = checkin.check_in(ctx, "2222", "tablet", "tab-1")
    assert result.kind == checkin.MEMBER and result.member.customer_id == alone

    first = customers.enroll(ctx, "010-2000-5678", name="박첫째").id
    second = customers.enroll(ctx, "010-3000-5678", name="최둘째").id
    before = snapshot(ctx)
    offer = checkin.check_in(ctx, "5678", "tablet", "tab-1")
    assert offer.kind == checkin.CHOICES and snapshot(ctx) == before  # nothing written yet
    assert [(c.phone_masked, c.initial) for c in offer.choices] == [
        ("010-****-5678", "박"),
        ("010-****-5678", "최"),
    ]
    text = repr(offer)
    for secret in ("박첫째", "최둘째", "20005678", "30005678", str(first), str(second)):
        assert secret not in text
    chosen = checkin.choose(ctx, offer.choices[1].token)
    assert chosen.kind == checkin.MEMBER and chosen.member.customer_id == second
    assert _rows(ctx)[-1].source == "tablet" and _rows(ctx)[-1].device == "tab-1"
    # a token is good once, and the other token of the same offer went with it
    for choice in offer.choices:
        again = checkin.choose(ctx, choice.token)
        assert again.kind == checkin.REFUSED
        assert again.refusal.code == "checkin.choice_unknown"


def test_a_choice_token_lapses(ctx) -> None:
    customers.enroll(ctx, "010-2000-5678")
    customers.enroll(ctx, "010-3000-5678")
    offer = checkin.check_in(ctx, "5678")
    ctx.fixed_now = ctx.now() + timedelta(seconds=checkin.CHOICE_SECONDS + 1)
    late = checkin.choose(ctx, offer.choices[0].token)
    assert late.kind == checkin.REFUSED and late.refusal.code == "checkin.choice_unknown"
    assert _rows(ctx) == []


def test_unknown_numbers_and_refusals_write_nothing(ctx) -> None:
    customers.enroll(ctx, PHONE)
    before = snapshot(ctx)
    unknown = checkin.check_in(ctx, "010-9876-5432")
    assert unknown.kind == checkin.UNKNOWN and unknown.can_join
    assert unknown.phone_masked == "010-****-5432"
    last4 = checkin.check_in(ctx, "9999")
    assert last4.kind == checkin.UNKNOWN and not last4.can_join  # joining needs the full number
    for typed, code in [
        ("", "phone.empty"),
        ("12", "phone.too_short"),
        ("0101234567890", "phone.too_long"),
        ("02-123-4567", "phone.not_mobile"),
        ("abcd", "checkin.digits_only"),
        ("010 1234 567８", "checkin.digits_only"),
    ]:
        result = checkin.check_in(ctx, typed)
        assert result.kind == checkin.REFUSED, typed
        assert result.refusal.code == code, typed
        assert result.refusal.message("ko") and result.refusal.message("en")
    assert snapshot(ctx) == before


def test_too_many_last_4_matches_ask_for_the_full_number(ctx) -> None:
    for n in range(checkin.MAX_CHOICES + 1):
        customers.enroll(ctx, f"010-{2000 + n}-5678")
    result = checkin.check_in(ctx, "5678")
    assert result.kind == checkin.REFUSED
    assert result.refusal.code == "checkin.too_many_matches"


def test_the_oldest_pending_pos_sale_is_attached_in_the_same_transaction(ctx) -> None:
    who = customers.enroll(ctx, PHONE, name="김단골").id
    pos.post_sale(ctx, "R-1", 10_000)
    ctx.fixed_now = ctx.now() + timedelta(seconds=30)
    pos.post_sale(ctx, "R-2", 20_000)
    result = checkin.check_in(ctx, "5678", "display")
    assert result.kind == checkin.MEMBER and result.pos_ref == "R-1"
    assert result.sale is not None and result.sale.amount == 10_000
    # the card shows the points after the sale
    assert result.member.points == customers.customer_status(ctx, who).points
    assert pos.pos_sale(ctx, "R-1").customer_id == who
    assert pos.pos_sale(ctx, "R-2").status == "pending"
    (row,) = _rows(ctx)
    assert row.sale_id == result.sale.sale_id


def test_a_lapsed_pending_sale_is_not_attached(ctx) -> None:
    customers.enroll(ctx, PHONE)
    pos.post_sale(ctx, "OLD", 10_000)
    ctx.fixed_now = ctx.now() + timedelta(minutes=31)
    result = checkin.check_in(ctx, PHONE)
    assert result.kind == checkin.MEMBER and result.sale is None
    with ctx.db.read() as session:
        assert session.scalars(select(PosSale.customer_id)).one() is None


def test_a_sale_after_the_check_in_fills_its_sale_id_within_the_window(ctx) -> None:
    who = customers.enroll(ctx, PHONE).id
    checkin.check_in(ctx, PHONE)
    ctx.fixed_now = ctx.now() + timedelta(minutes=2)
    sale = sales.record_sale(ctx, who, 15_000)
    (row,) = _rows(ctx)
    assert row.sale_id == sale.sale_id
    # a second sale does not take a check-in that already has one
    sales.record_sale(ctx, who, 5_000)
    assert _rows(ctx)[0].sale_id == sale.sale_id
    # a check-in whose sale comes after the window stays without one
    checkin.check_in(ctx, PHONE)
    ctx.fixed_now = ctx.now() + timedelta(minutes=31)
    sales.record_sale(ctx, who, 5_000)
    assert _rows(ctx)[1].sale_id is None


def test_latest_checkins_tell_the_counter(ctx) -> None:
    who = customers.enroll(ctx, PHONE).id
    since = ctx.now() - timedelta(seconds=1)
    assert checkin.latest_checkins(ctx, since) == []
    result = checkin.check_in(ctx, PHONE, "tablet", "tab-1")
    (seen,) = checkin.latest_checkins(ctx, since)
    assert (seen.id, seen.customer_id, seen.source, seen.device) == (
        result.checkin_id,
        who,
        "tablet",
        "tab-1",
    )
    assert checkin.latest_checkins(ctx, seen.at) == []


def _consents(ctx, customer_id) -> list[tuple[str, str, bool, str, str | None]]:
    with ctx.db.read() as session:
        return [
            (e.action, e.channel, e.night, e.source, e.at)
            for e in session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.customer_id == customer_id)
                .order_by(ConsentEvent.channel, ConsentEvent.night)
            )
        ]


def test_joining_records_each_consent_with_its_time_and_source(ctx) -> None:
    pos.post_sale(ctx, "R-9", 30_000)
    choices = {
        "program": True,
        "marketing": True,
        "channels": {"sms": True, "alimtalk": True, "friendtalk": False},
        "night": True,
    }
    result = checkin.enroll_at_display(ctx, "010-5555-6666", choices, "display", "front")
    assert result.kind == checkin.MEMBER and result.enrolled
    who = result.member.customer_id
    assert result.pos_ref == "R-9"  # the sale waiting at the POS is the new member's
    now = ctx.now()
    assert _consents(ctx, who) == [
        ("grant", "alimtalk", False, "display", now),
        ("grant", "alimtalk", True, "display", now),
        ("grant", "sms", False, "display", now),
        ("grant", "sms", True, "display", now),
    ]
    with ctx.db.read() as session:
        customer = session.get(Customer, who)
        assert customer.program_consent_at == now
        assert customer.program_consent_source == "display"
        assert customer.marketing_consent_source == "display"
        actions = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(who)))
        )
    assert actions.count("consent.set") == 4 and "checkin.enroll" in actions
    assert "customer.enroll" in actions


def test_joining_without_marketing_records_only_the_program_consent(ctx) -> None:
    result = checkin.enroll_at_display(ctx, "01055556666", {"program": True})
    who = result.member.customer_id
    assert _consents(ctx, who) == []
    with ctx.db.read() as session:
        customer = session.get(Customer, who)
        assert customer.program_consent_source == "display"
        assert customer.marketing_consent_at is None


def test_joining_is_refused_without_the_customers_program_consent(ctx) -> None:
    customers.enroll(ctx, PHONE)
    before = snapshot(ctx)
    cases = [
        ({}, "checkin.program_consent_required"),
        ({"program": False, "marketing": True}, "checkin.program_consent_required"),
        ({"program": "yes"}, "checkin.consents_invalid"),
        ({"program": True, "marketing": True}, "checkin.marketing_needs_channel"),
        ({"program": True, "night": True}, "checkin.night_needs_marketing"),
        (
            {"program": True, "marketing": True, "channels": {"fax": True}},
            "consent.channel_unknown",
        ),
    ]
    for choices, code in cases:
        result = checkin.enroll_at_display(ctx, "010-5555-6666", choices)
        assert result.kind == checkin.REFUSED and result.refusal.code == code, choices
    taken = checkin.enroll_at_display(ctx, PHONE, {"program": True})
    assert taken.refusal.code == "customer.exists"
    assert snapshot(ctx) == before


def test_a_shop_without_check_ins_spends_nothing_on_them_per_sale(ctx) -> None:
    from sqlalchemy import event

    who = customers.enroll(ctx, PHONE).id
    sales.record_sale(ctx, who, 5_000)
    statements: list[str] = []
    event.listen(ctx.db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    sales.record_sale(ctx, who, 5_000)
    assert not [s for s in statements if "checkins" in s]
    checkin.check_in(ctx, PHONE)  # the first check-in: from now on a sale looks for it
    statements.clear()
    sales.record_sale(ctx, who, 5_000)
    assert [s for s in statements if "checkins" in s]
    # another process opening the shop knows it too
    from app.services.context import open_shop

    other = open_shop(str(ctx.db.url))
    try:
        assert other.settings.get(checkin.USED) is True
    finally:
        other.close()


def test_a_retired_number_checks_in_but_cannot_join(ctx) -> None:
    from app.services.customers import enroll_in

    with ctx.db.write() as session:  # as an import of an old member file does
        enroll_in(ctx, session, "011-234-5678", now=ctx.now(), allow_legacy=True)
    member = checkin.check_in(ctx, "0112345678")
    assert member.kind == checkin.MEMBER and member.member.phone_masked.endswith("5678")
    unknown = checkin.check_in(ctx, "0113456789")
    assert unknown.kind == checkin.UNKNOWN and not unknown.can_join


def test_a_second_check_in_does_not_take_the_next_customers_sale(ctx) -> None:
    who = customers.enroll(ctx, PHONE).id
    pos.post_sale(ctx, "MINE", 10_000)
    assert checkin.check_in(ctx, PHONE).pos_ref == "MINE"
    ctx.fixed_now = ctx.now() + timedelta(minutes=1)
    pos.post_sale(ctx, "NEXT", 8_000)  # the next customer's, rung up without a member
    again = checkin.check_in(ctx, PHONE)
    assert again.kind == checkin.MEMBER and again.sale is None
    assert pos.pos_sale(ctx, "NEXT").status == "pending"
    # after the window, a new visit takes a waiting sale again
    ctx.fixed_now = ctx.now() + timedelta(minutes=31)
    pos.post_sale(ctx, "LATER", 5_000)
    assert checkin.check_in(ctx, PHONE).pos_ref == "LATER"
    assert pos.pos_sale(ctx, "LATER").customer_id == who
