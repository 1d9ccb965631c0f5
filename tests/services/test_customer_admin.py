"""The owner's customer list and record on SQLite and PostgreSQL: browse, edit, merge, leave."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry
from app.domain.errors import Refused
from app.services import customer_admin as admin
from app.services import customers, redemptions, sales, staff
from app.services.customer_admin import CustomerFilter, ProfileChange
from app.services.customers import resolve_customer
from app.services.ledger import balances
from app.services.owner import issue_coupon
from tests.services.helpers import ledger_sum, snapshot


def audited(ctx) -> list[str]:
    with ctx.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def enroll(ctx, phone, **kw):
    return customers.enroll(ctx, phone, **kw)


def walk(ctx, filters, sort, limit):
    """Every page of a listing, following the keyset, as a list of ids."""
    ids, after = [], None
    while True:
        page = admin.browse_customers(ctx, filters, sort, after, limit)
        ids += [row.id for row in page]
        if len(page) < limit:
            return ids
        after = page[-1].key


@pytest.fixture
def members(ctx):
    names = ["박서준", None, "김민준", "김민준", None, "이서연", "가나다"]
    out = []
    for i, name in enumerate(names):
        ctx.fixed_now += timedelta(minutes=1)
        out.append(enroll(ctx, f"010-2000-{1000 + i}", name=name, marketing_consent=i % 2 == 0))
    return out


def test_pages_follow_the_key_in_every_order(ctx, members) -> None:
    everyone = CustomerFilter()
    ids = [m.id for m in members]
    assert walk(ctx, everyone, "oldest", 3) == ids
    assert walk(ctx, everyone, "newest", 2) == ids[::-1]
    by_name = walk(ctx, everyone, "name", 2)
    named = sorted(
        [(m.status.name, m.id) for m in members if m.status.name],
        key=lambda pair: (pair[0], str(pair[1]).replace("-", "")),
    )
    assert by_name[:5] == [i for _, i in named]
    assert by_name[5:] == [ids[1], ids[4]]  # the nameless follow in key order
    # the same page asked twice is the same page
    first = admin.browse_customers(ctx, everyone, "name", None, 3)
    assert [r.id for r in first] == by_name[:3]


def test_filters_and_search(ctx, members) -> None:
    consenting = walk(ctx, CustomerFilter(marketing=True), "oldest", 50)
    assert consenting == [m.id for i, m in enumerate(members) if i % 2 == 0]
    assert walk(ctx, CustomerFilter(marketing=False), "oldest", 50) == [
        m.id for i, m in enumerate(members) if i % 2
    ]
    assert walk(ctx, CustomerFilter(query="김민"), "name", 50) == [members[2].id, members[3].id]
    assert walk(ctx, CustomerFilter(query="1005"), "oldest", 50) == [members[5].id]
    assert walk(ctx, CustomerFilter(query="010-2000-1006"), "oldest", 50) == [members[6].id]
    assert walk(ctx, CustomerFilter(query=members[0].card), "oldest", 50) == [members[0].id]
    assert walk(ctx, CustomerFilter(tier="GOLD"), "oldest", 50) == []
    with pytest.raises(Refused) as refused:
        admin.browse_customers(ctx, CustomerFilter(query="12-3"), "oldest")
    assert refused.value.code == "query.invalid"
    with pytest.raises(Refused):
        admin.browse_customers(ctx, CustomerFilter(), "tier")


def test_rows_carry_masked_data_and_balances(ctx, members) -> None:
    sales.record_sale(ctx, resolve_customer(ctx, "010-2000-1002"), 100_000, items=3)
    row = next(
        r for r in admin.browse_customers(ctx, CustomerFilter(), "oldest") if r.id == members[2].id
    )
    with ctx.db.read() as session:
        expected = balances(session, members[2].id, ctx.now())
    assert (row.points, row.stamps) == (expected.points, expected.stamps)
    assert row.stamps == 1 and row.points > 0  # one stamp a visit
    assert row.name_masked == "김*준" and row.phone_masked == "010-****-1002"
    assert row.last_visit == ctx.now()


def test_marketing_renewal_list(ctx) -> None:
    old = enroll(ctx, "010-3000-0001", marketing_consent=True)
    enroll(ctx, "010-3000-0002")  # never consented: nothing to renew
    ctx.fixed_now += timedelta(days=400)
    recent = enroll(ctx, "010-3000-0003", marketing_consent=True)
    ctx.fixed_now += timedelta(days=400)  # 800 days after the first consent
    assert [r.id for r in admin.customers_due_for_renewal(ctx)] == [old.id]
    ctx.settings["marketing_renewal_months"] = 12
    assert [r.id for r in admin.customers_due_for_renewal(ctx)] == [old.id, recent.id]


def test_edit_profile_each_change_audited(ctx) -> None:
    member = enroll(ctx, "010-4000-0001", name="김민준")
    ctx.fixed_now += timedelta(days=3)
    changed = admin.update_profile(
        ctx,
        member.id,
        ProfileChange(
            name="김민수", birthday="1991-02-03", marketing_consent=True, phone="010 4000 0009"
        ),
    )
    assert changed == ["name", "birthday", "phone", "marketing_consent"]
    detail = admin.customer_detail(ctx, member.id)
    assert detail.name == "김민수" and detail.birthday.isoformat() == "1991-02-03"
    assert detail.marketing_consent_at == ctx.now()
    assert detail.phone_masked == "010-****-0009"
    assert customers.find_customers(ctx, "010-4000-0009")[0].id == member.id
    assert admin.update_profile(ctx, member.id, ProfileChange(marketing_consent=False)) == [
        "marketing_consent"
    ]
    assert admin.customer_detail(ctx, member.id).marketing_consent_at is None
    assert audited(ctx).count("customer.update") == 5


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (ProfileChange(phone="010-123"), "phone", "phone.too_short"),
        (ProfileChange(phone="010-4000-0002"), "phone", "customer.exists"),
        (ProfileChange(name="김1"), "name", "customer.name_digits"),
        (ProfileChange(birthday="1990-13-01"), "birthday", "customer.birthday_invalid"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_written(ctx, change, field, code) -> None:
    member = enroll(ctx, "010-4000-0001", name="김민준")
    enroll(ctx, "010-4000-0002")
    before = snapshot(ctx)
    with pytest.raises(admin.FieldRefused) as refused:
        admin.update_profile(ctx, member.id, change)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert snapshot(ctx) == before


def test_merge_moves_lots_with_their_expiry_and_cards_follow(ctx) -> None:
    keep = enroll(ctx, "010-5000-0001", name="김민준")
    absorb = enroll(ctx, "010-5000-0002", name="김민준")
    sales.record_sale(ctx, resolve_customer(ctx, "010-5000-0002"), 100_000, items=4)
    ctx.fixed_now += timedelta(days=60)
    sales.record_sale(ctx, resolve_customer(ctx, "010-5000-0002"), 50_000, items=2)
    sales.record_sale(ctx, resolve_customer(ctx, "010-5000-0001"), 20_000, items=1)
    redemptions.redeem_points(ctx, resolve_customer(ctx, "010-5000-0002"), 1000)
    with ctx.db.read() as session:
        lots_before = admin.unspent_lots(session, absorb.id)
        keep_lots_before = admin.unspent_lots(session, keep.id)
        gone = balances(session, absorb.id, ctx.now())
        kept = balances(session, keep.id, ctx.now())
    total_before = ledger_sum(ctx, keep.id)[0] + ledger_sum(ctx, absorb.id)[0]
    assert len(lots_before) >= 2

    result = admin.merge_customers(
        ctx, resolve_customer(ctx, "010-5000-0001"), resolve_customer(ctx, "010-5000-0002")
    )

    assert result.points_moved == gone.points and result.stamps_moved == gone.stamps == 2
    with ctx.db.read() as session:
        after = balances(session, keep.id, ctx.now())
        assert admin.unspent_lots(session, absorb.id) == []
        moved_lots = admin.unspent_lots(session, keep.id)
    assert (after.points, after.stamps) == (kept.points + gone.points, kept.stamps + 2)
    merged = {}
    for at, points in keep_lots_before + lots_before:
        merged[at] = merged.get(at, 0) + points
    assert dict(moved_lots) == merged  # every expiry date survived
    assert ledger_sum(ctx, absorb.id) == (0, 0)
    assert ledger_sum(ctx, keep.id)[0] + ledger_sum(ctx, absorb.id)[0] == total_before
    # both cards find the kept member; the absorbed record keeps no personal data
    for card in (keep.card, absorb.card):
        assert [c.id for c in customers.find_customers(ctx, card)] == [keep.id]
    gone_detail = admin.browse_customers(ctx, CustomerFilter(status="merged"), "oldest")
    assert [(r.id, r.name_masked, r.phone_masked) for r in gone_detail] == [(absorb.id, None, None)]
    detail = admin.customer_detail(ctx, keep.id)
    assert detail.absorbed == [absorb.id]
    assert [amount for _, amount in detail.visits] == [20_000, 50_000, 100_000]
    assert customers.find_customers(ctx, "010-5000-0002") == []


def test_merge_takes_the_higher_tier_and_coupons(ctx) -> None:
    keep = enroll(ctx, "010-5100-0001")
    absorb = enroll(ctx, "010-5100-0002")
    sales.record_sale(ctx, resolve_customer(ctx, "010-5100-0002"), 700_000 * 3)
    coupon = issue_coupon(ctx, resolve_customer(ctx, "010-5100-0002"), "amount", 3000, 30)
    result = admin.merge_customers(
        ctx, resolve_customer(ctx, str(keep.id)), resolve_customer(ctx, str(absorb.id))
    )
    detail = admin.customer_detail(ctx, keep.id)
    assert result.tier == detail.tier != "BASIC"
    assert detail.tier_history[-1].reason == "merge"
    assert [c.code for c in detail.coupons] == [coupon.code]


def test_merge_refusals_write_nothing(ctx) -> None:
    a = enroll(ctx, "010-5200-0001")
    b = enroll(ctx, "010-5200-0002")
    admin.withdraw_customer(ctx, b.id)
    before = snapshot(ctx)
    for keep, absorb, code in [
        (str(a.id), "010-5200-0001", "merge.same"),
        (str(a.id), str(b.id), "merge.inactive"),
        (str(b.id), str(a.id), "merge.inactive"),
    ]:
        with pytest.raises(Refused) as refused:
            admin.merge_customers(
                ctx, admin.resolve_merge_side(ctx, keep), admin.resolve_merge_side(ctx, absorb)
            )
        assert refused.value.code == code
    ctx.staff_role = "cashier"
    with pytest.raises(Refused) as refused:
        admin.merge_customers(
            ctx, resolve_customer(ctx, str(a.id)), admin.resolve_merge_side(ctx, "010-5200-0009")
        )
    assert refused.value.code == "staff.owner_only"
    assert snapshot(ctx) == before


def test_withdraw_destroys_personal_data_and_keeps_the_ledger(ctx) -> None:
    member = enroll(ctx, "010-6000-0001", name="김민준", birthday="1990-01-01")
    sales.record_sale(ctx, resolve_customer(ctx, "010-6000-0001"), 30_000)
    totals = ledger_sum(ctx, member.id)
    admin.withdraw_customer(ctx, member.id)
    detail = admin.customer_detail(ctx, member.id)
    assert detail.status == "withdrawn" and detail.withdrawn_at == ctx.now()
    assert (detail.name, detail.phone_masked, detail.birthday, detail.cards) == (
        None,
        None,
        None,
        [],
    )
    assert ledger_sum(ctx, member.id) == totals
    with pytest.raises(Refused) as refused:
        customers.find_customers(ctx, member.card)
    assert refused.value.code == "card.revoked"
    with pytest.raises(Refused) as refused:
        admin.withdraw_customer(ctx, member.id)
    assert refused.value.code == "customer.inactive"


def test_erase_is_owner_only(ctx) -> None:
    member = enroll(ctx, "010-6100-0001", name="김민준")
    ctx.staff_role = "cashier"
    with pytest.raises(Refused):
        admin.erase_member(ctx, member.id)
    ctx.staff_role = "owner"
    admin.erase_member(ctx, member.id)
    assert admin.customer_detail(ctx, member.id).status == "erased"


def test_export_one_customer(ctx, tmp_path) -> None:
    member = enroll(ctx, "010-7000-0001", name="김민준", marketing_consent=True)
    sales.record_sale(ctx, resolve_customer(ctx, "010-7000-0001"), 40_000, items=2)
    path = tmp_path / "member.json"
    count = admin.export_customer(ctx, member.id, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "김민준"
    assert data["profile"]["phone"] == "010-7000-0001"
    assert data["consents"]["marketing"] is not None and data["consents"]["program"]
    assert len(data["ledger"]) == count >= 1
    assert data["ledger"][-1]["points_balance"] == ledger_sum(ctx, member.id)[0]
    assert data["visits"][0]["amount"] == 40_000
    assert data["tier_history"][0]["reason"] == "enroll"
    assert "customer.export_one" in audited(ctx)


def test_cashier_cannot_open_a_record(ctx) -> None:
    member = enroll(ctx, "010-8000-0001")
    cashier = staff.add_staff(ctx, "이알바", "cashier", "1234")
    staff.sign_in(ctx, cashier.id, "1234")
    with pytest.raises(Refused) as refused:
        admin.customer_detail(ctx, member.id)
    assert refused.value.code == "staff.owner_only"


def test_an_erased_record_still_shows_its_ledger_to_the_owner(ctx) -> None:
    from app.services import customers, sales
    from app.services.customer_admin import customer_detail

    member = customers.enroll(ctx, "010-1234-5678")
    sales.record_sale(ctx, resolve_customer(ctx, "010-1234-5678"), 10_000)
    customers.erase_customer(ctx, resolve_customer(ctx, "010-1234-5678"))
    detail = customer_detail(ctx, member.id)
    assert detail.status == "erased"
    assert [(line.kind, line.points_balance) for line in detail.ledger] == [("earn", 200)]
