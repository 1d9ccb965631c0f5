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


def audited(shop) -> list[str]:
    with shop.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def enroll(shop, phone, **kw):
    return customers.enroll(shop, phone, **kw)


def walk(shop, filters, sort, limit):
    """Every page of a listing, following the keyset, as a list of ids."""
    ids, after = [], None
    while True:
        page = admin.browse_customers(shop, filters, sort, after, limit)
        ids += [row.id for row in page]
        if len(page) < limit:
            return ids
        after = page[-1].key


@pytest.fixture
def members(shop):
    names = ["박서준", None, "김민준", "김민준", None, "이서연", "가나다"]
    out = []
    for i, name in enumerate(names):
        shop.fixed_now += timedelta(minutes=1)
        out.append(enroll(shop, f"010-2000-{1000 + i}", name=name, marketing_consent=i % 2 == 0))
    return out


def test_pages_follow_the_key_in_every_order(shop, members) -> None:
    everyone = CustomerFilter()
    ids = [m.id for m in members]
    assert walk(shop, everyone, "oldest", 3) == ids
    assert walk(shop, everyone, "newest", 2) == ids[::-1]
    by_name = walk(shop, everyone, "name", 2)
    named = sorted(
        [(m.status.name, m.id) for m in members if m.status.name],
        key=lambda pair: (pair[0], str(pair[1]).replace("-", "")),
    )
    assert by_name[:5] == [i for _, i in named]
    assert by_name[5:] == [ids[1], ids[4]]  # the nameless follow in key order
    # the same page asked twice is the same page
    first = admin.browse_customers(shop, everyone, "name", None, 3)
    assert [r.id for r in first] == by_name[:3]


def test_filters_and_search(shop, members) -> None:
    consenting = walk(shop, CustomerFilter(marketing=True), "oldest", 50)
    assert consenting == [m.id for i, m in enumerate(members) if i % 2 == 0]
    assert walk(shop, CustomerFilter(marketing=False), "oldest", 50) == [
        m.id for i, m in enumerate(members) if i % 2
    ]
    assert walk(shop, CustomerFilter(query="김민"), "name", 50) == [members[2].id, members[3].id]
    assert walk(shop, CustomerFilter(query="1005"), "oldest", 50) == [members[5].id]
    assert walk(shop, CustomerFilter(query="010-2000-1006"), "oldest", 50) == [members[6].id]
    assert walk(shop, CustomerFilter(query=members[0].card), "oldest", 50) == [members[0].id]
    assert walk(shop, CustomerFilter(tier="GOLD"), "oldest", 50) == []
    with pytest.raises(Refused) as refused:
        admin.browse_customers(shop, CustomerFilter(query="12-3"), "oldest")
    assert refused.value.code == "query.invalid"
    with pytest.raises(Refused):
        admin.browse_customers(shop, CustomerFilter(), "tier")


def test_rows_carry_masked_data_and_balances(shop, members) -> None:
    sales.record_sale(shop, resolve_customer(shop, "010-2000-1002"), 100_000, items=3)
    row = next(
        r for r in admin.browse_customers(shop, CustomerFilter(), "oldest") if r.id == members[2].id
    )
    with shop.db.read() as session:
        expected = balances(session, members[2].id, shop.now())
    assert (row.points, row.stamps) == (expected.points, expected.stamps)
    assert row.stamps == 1 and row.points > 0  # one stamp a visit
    assert row.name_masked == "김*준" and row.phone_masked == "010-****-1002"
    assert row.last_visit == shop.now()


def test_marketing_renewal_list(shop) -> None:
    old = enroll(shop, "010-3000-0001", marketing_consent=True)
    enroll(shop, "010-3000-0002")  # never consented: nothing to renew
    shop.fixed_now += timedelta(days=400)
    recent = enroll(shop, "010-3000-0003", marketing_consent=True)
    shop.fixed_now += timedelta(days=400)  # 800 days after the first consent
    assert [r.id for r in admin.customers_due_for_renewal(shop)] == [old.id]
    shop.settings["marketing_renewal_months"] = 12
    assert [r.id for r in admin.customers_due_for_renewal(shop)] == [old.id, recent.id]


def test_edit_profile_each_change_audited(shop) -> None:
    member = enroll(shop, "010-4000-0001", name="김민준")
    shop.fixed_now += timedelta(days=3)
    changed = admin.update_profile(
        shop,
        member.id,
        ProfileChange(
            name="김민수", birthday="1991-02-03", marketing_consent=True, phone="010 4000 0009"
        ),
    )
    assert changed == ["name", "birthday", "phone", "marketing_consent"]
    detail = admin.customer_detail(shop, member.id)
    assert detail.name == "김민수" and detail.birthday.isoformat() == "1991-02-03"
    assert detail.marketing_consent_at == shop.now()
    assert detail.phone_masked == "010-****-0009"
    assert customers.find_customers(shop, "010-4000-0009")[0].id == member.id
    assert admin.update_profile(shop, member.id, ProfileChange(marketing_consent=False)) == [
        "marketing_consent"
    ]
    assert admin.customer_detail(shop, member.id).marketing_consent_at is None
    assert audited(shop).count("customer.update") == 5


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (ProfileChange(phone="010-123"), "phone", "phone.too_short"),
        (ProfileChange(phone="010-4000-0002"), "phone", "customer.exists"),
        (ProfileChange(name="김1"), "name", "customer.name_digits"),
        (ProfileChange(birthday="1990-13-01"), "birthday", "customer.birthday_invalid"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_written(shop, change, field, code) -> None:
    member = enroll(shop, "010-4000-0001", name="김민준")
    enroll(shop, "010-4000-0002")
    before = snapshot(shop)
    with pytest.raises(admin.FieldRefused) as refused:
        admin.update_profile(shop, member.id, change)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert snapshot(shop) == before


def test_merge_moves_lots_with_their_expiry_and_cards_follow(shop) -> None:
    keep = enroll(shop, "010-5000-0001", name="김민준")
    absorb = enroll(shop, "010-5000-0002", name="김민준")
    sales.record_sale(shop, resolve_customer(shop, "010-5000-0002"), 100_000, items=4)
    shop.fixed_now += timedelta(days=60)
    sales.record_sale(shop, resolve_customer(shop, "010-5000-0002"), 50_000, items=2)
    sales.record_sale(shop, resolve_customer(shop, "010-5000-0001"), 20_000, items=1)
    redemptions.redeem_points(shop, resolve_customer(shop, "010-5000-0002"), 1000)
    with shop.db.read() as session:
        lots_before = admin.unspent_lots(session, absorb.id)
        keep_lots_before = admin.unspent_lots(session, keep.id)
        gone = balances(session, absorb.id, shop.now())
        kept = balances(session, keep.id, shop.now())
    total_before = ledger_sum(shop, keep.id)[0] + ledger_sum(shop, absorb.id)[0]
    assert len(lots_before) >= 2

    result = admin.merge_customers(
        shop, resolve_customer(shop, "010-5000-0001"), resolve_customer(shop, "010-5000-0002")
    )

    assert result.points_moved == gone.points and result.stamps_moved == gone.stamps == 2
    with shop.db.read() as session:
        after = balances(session, keep.id, shop.now())
        assert admin.unspent_lots(session, absorb.id) == []
        moved_lots = admin.unspent_lots(session, keep.id)
    assert (after.points, after.stamps) == (kept.points + gone.points, kept.stamps + 2)
    merged = {}
    for at, points in keep_lots_before + lots_before:
        merged[at] = merged.get(at, 0) + points
    assert dict(moved_lots) == merged  # every expiry date survived
    assert ledger_sum(shop, absorb.id) == (0, 0)
    assert ledger_sum(shop, keep.id)[0] + ledger_sum(shop, absorb.id)[0] == total_before
    # both cards find the kept member; the absorbed record keeps no personal data
    for card in (keep.card, absorb.card):
        assert [c.id for c in customers.find_customers(shop, card)] == [keep.id]
    gone_detail = admin.browse_customers(shop, CustomerFilter(status="merged"), "oldest")
    assert [(r.id, r.name_masked, r.phone_masked) for r in gone_detail] == [(absorb.id, None, None)]
    detail = admin.customer_detail(shop, keep.id)
    assert detail.absorbed == [absorb.id]
    assert [amount for _, amount in detail.visits] == [20_000, 50_000, 100_000]
    assert customers.find_customers(shop, "010-5000-0002") == []


def test_merge_takes_the_higher_tier_and_coupons(shop) -> None:
    keep = enroll(shop, "010-5100-0001")
    absorb = enroll(shop, "010-5100-0002")
    sales.record_sale(shop, resolve_customer(shop, "010-5100-0002"), 700_000 * 3)
    coupon = issue_coupon(shop, resolve_customer(shop, "010-5100-0002"), "amount", 3000, 30)
    result = admin.merge_customers(
        shop, resolve_customer(shop, str(keep.id)), resolve_customer(shop, str(absorb.id))
    )
    detail = admin.customer_detail(shop, keep.id)
    assert result.tier == detail.tier != "BASIC"
    assert detail.tier_history[-1].reason == "merge"
    assert [c.code for c in detail.coupons] == [coupon.code]


def test_merge_refusals_write_nothing(shop) -> None:
    a = enroll(shop, "010-5200-0001")
    b = enroll(shop, "010-5200-0002")
    admin.withdraw_customer(shop, b.id)
    before = snapshot(shop)
    for keep, absorb, code in [
        (str(a.id), "010-5200-0001", "merge.same"),
        (str(a.id), str(b.id), "merge.inactive"),
        (str(b.id), str(a.id), "merge.inactive"),
    ]:
        with pytest.raises(Refused) as refused:
            admin.merge_customers(
                shop, admin.resolve_merge_side(shop, keep), admin.resolve_merge_side(shop, absorb)
            )
        assert refused.value.code == code
    shop.staff_role = "cashier"
    with pytest.raises(Refused) as refused:
        admin.merge_customers(
            shop, resolve_customer(shop, str(a.id)), admin.resolve_merge_side(shop, "010-5200-0009")
        )
    assert refused.value.code == "staff.owner_only"
    assert snapshot(shop) == before


def test_withdraw_destroys_personal_data_and_keeps_the_ledger(shop) -> None:
    member = enroll(shop, "010-6000-0001", name="김민준", birthday="1990-01-01")
    sales.record_sale(shop, resolve_customer(shop, "010-6000-0001"), 30_000)
    totals = ledger_sum(shop, member.id)
    admin.withdraw_customer(shop, member.id)
    detail = admin.customer_detail(shop, member.id)
    assert detail.status == "withdrawn" and detail.withdrawn_at == shop.now()
    assert (detail.name, detail.phone_masked, detail.birthday, detail.cards) == (
        None,
        None,
        None,
        [],
    )
    assert ledger_sum(shop, member.id) == totals
    with pytest.raises(Refused) as refused:
        customers.find_customers(shop, member.card)
    assert refused.value.code == "card.revoked"
    with pytest.raises(Refused) as refused:
        admin.withdraw_customer(shop, member.id)
    assert refused.value.code == "customer.inactive"


def test_erase_is_owner_only(shop) -> None:
    member = enroll(shop, "010-6100-0001", name="김민준")
    shop.staff_role = "cashier"
    with pytest.raises(Refused):
        admin.erase_member(shop, member.id)
    shop.staff_role = "owner"
    admin.erase_member(shop, member.id)
    assert admin.customer_detail(shop, member.id).status == "erased"


def test_export_one_customer(shop, tmp_path) -> None:
    member = enroll(shop, "010-7000-0001", name="김민준", marketing_consent=True)
    sales.record_sale(shop, resolve_customer(shop, "010-7000-0001"), 40_000, items=2)
    path = tmp_path / "member.json"
    count = admin.export_customer(shop, member.id, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"]["name"] == "김민준"
    assert data["profile"]["phone"] == "010-7000-0001"
    assert data["consents"]["marketing"] is not None and data["consents"]["program"]
    assert len(data["ledger"]) == count >= 1
    assert data["ledger"][-1]["points_balance"] == ledger_sum(shop, member.id)[0]
    assert data["visits"][0]["amount"] == 40_000
    assert data["tier_history"][0]["reason"] == "enroll"
    assert "customer.export_one" in audited(shop)


def test_cashier_cannot_open_a_record(shop) -> None:
    member = enroll(shop, "010-8000-0001")
    cashier = staff.add_staff(shop, "이알바", "cashier", "1234")
    staff.sign_in(shop, cashier.id, "1234")
    with pytest.raises(Refused) as refused:
        admin.customer_detail(shop, member.id)
    assert refused.value.code == "staff.owner_only"


def test_an_erased_record_still_shows_its_ledger_to_the_owner(shop) -> None:
    from app.services import customers, sales
    from app.services.customer_admin import customer_detail

    member = customers.enroll(shop, "010-1234-5678")
    sales.record_sale(shop, resolve_customer(shop, "010-1234-5678"), 10_000)
    customers.erase_customer(shop, resolve_customer(shop, "010-1234-5678"))
    detail = customer_detail(shop, member.id)
    assert detail.status == "erased"
    assert [(line.kind, line.points_balance) for line in detail.ledger] == [("earn", 200)]
