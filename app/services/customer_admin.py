"""The owner's customer list and record: browse a million members, edit, merge, withdraw, export.

Browsing is keyset-paginated (never OFFSET) in orders an index serves:

- "newest" / "oldest": the primary key. Keys are UUIDv7, time-ordered, so key order is the
  order of enrollment in the database (an imported member counts from the import).
- "name": ix_customers_name; members without a name follow, in key order.

Tier has no index, so it is a filter, not an order.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.db.locks import lock_customer
from app.db.models import (
    ConsentEvent,
    Coupon,
    Customer,
    LedgerEntry,
    MembershipCard,
    Sale,
    TierChange,
)
from app.db.wallet_passes import requeue_member
from app.domain.calendar import add_months
from app.domain.errors import Refused
from app.domain.expiry import fifo_remaining
from app.domain.phone import Phone, mask_name, parse_phone
from app.domain.query import classify_query
from app.services import consents, partners, settings, wallet
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import (
    clean_name,
    clear_personal_data,
    coupon_use_counts,
    erase_customer,
    forget_person,
    last_valid_day,
    masked_phone,
    parse_birthday,
    recent_visits,
    resolve_customer,
    usable_customer,
)
from app.services.encoding import to_json
from app.services.figures import bump
from app.services.ledger import NEVER, append_entry, balances, balances_of_many, settle_expiry
from app.services.owner import LedgerLine, ledger_lines_of
from app.services.program import current_program
from app.services.staff import require_owner

SORTS = ("newest", "oldest", "name")
STATUSES = ("active", "withdrawn", "erased", "merged")
PAGE_SIZE = 200
MAX_PAGE = 1000
VISITS_SHOWN = 20

# (phase, name, id): phase 0 walks the order's index; phase 1 (name order only) the nameless.
BrowseKey = tuple[int, str | None, uuid.UUID]
T = TypeVar("T")


@dataclass(frozen=True)
class CustomerFilter:
    """What the owner narrowed the list to; the empty filter is every active member."""

    query: str = ""
    tier: str | None = None
    status: str | None = "active"  # None: any status
    marketing: bool | None = None
    renewal_due: bool = False


@dataclass(frozen=True)
class CustomerRow:
    """One line of the list: masked, with balances from one grouped query per page."""

    id: uuid.UUID
    key: BrowseKey
    name_masked: str | None
    phone_masked: str | None
    tier: str
    tier_name: str
    points: int
    stamps: int
    last_visit: datetime | None
    enrolled_at: datetime
    status: str
    marketing_consent_at: datetime | None


class FieldRefused(Refused):
    """A refusal that names the form field it belongs to, so the screen can show it there."""

    def __init__(self, field_name: str, refused: Refused) -> None:
        super().__init__(refused.code, **refused.params)
        self.field = field_name


# --- browsing -----------------------------------------------------------------------------


def browse_customers(
    ctx: Context,
    filters: CustomerFilter,
    sort: str = "newest",
    after_key: BrowseKey | None = None,
    limit: int = PAGE_SIZE,
) -> list[CustomerRow]:
    """The next page after `after_key` (None: the first page), by keyset, never by OFFSET."""
    if sort not in SORTS:
        raise Refused("customers.sort_unknown", sort=sort)
    if filters.status is not None and filters.status not in STATUSES:
        raise Refused("customers.status_unknown", status=filters.status)
    limit = max(1, min(limit, MAX_PAGE))
    with ctx.db.read() as session:
        conditions = _conditions(ctx, session, filters)
        if conditions is None:
            return []
        found = _page(session, conditions, sort, after_key, limit)
        return _rows(ctx, session, found, sort)


def customers_due_for_renewal(
    ctx: Context, after_key: BrowseKey | None = None, limit: int = PAGE_SIZE
) -> list[CustomerRow]:
    """Members whose marketing consent is older than the renewal period (default 24 months)."""
    return browse_customers(ctx, CustomerFilter(renewal_due=True), "oldest", after_key, limit)


def renewal_cutoff(ctx: Context) -> datetime:
    """Consent given before this moment is due to be confirmed again."""
    months = int(settings.setting(ctx, "marketing_renewal_months"))
    day = add_months(ctx.local_date(ctx.now()), -months)
    return datetime.combine(day, time(0), tzinfo=ctx.zone).astimezone(UTC)


def _conditions(
    ctx: Context, session: Session, filters: CustomerFilter
) -> list[ColumnElement[bool]] | None:
    """WHERE clauses of the filter; None when the search can match nobody."""
    found: list[ColumnElement[bool]] = []
    if filters.status is not None:
        found.append(Customer.status == filters.status)
    if filters.tier:
        found.append(Customer.tier_code == filters.tier)
    if filters.marketing is True:
        found.append(Customer.marketing_consent_at.is_not(None))
    elif filters.marketing is False:
        found.append(Customer.marketing_consent_at.is_(None))
    if filters.renewal_due:
        found.append(Customer.marketing_consent_at < renewal_cutoff(ctx))
    text = filters.query.strip()
    if text:
        matched = _query_condition(session, text)
        if matched is None:
            return None
        found.append(matched)
    return found


def _query_condition(session: Session, text: str) -> ColumnElement[bool] | None:
    """The counter's search (app.services.customers.search) as a condition, for any status."""
    query = classify_query(text)
    if query.kind == "phone":
        return Customer.phone == query.value
    if query.kind == "last4":
        return Customer.phone_last4 == query.value
    if query.kind == "name":
        # a prefix range keeps the name index usable on SQLite and PostgreSQL alike
        return (Customer.name >= query.value) & (Customer.name < query.value + "\uffff")
    if query.kind == "card":
        owner = session.scalars(
            select(MembershipCard.customer_id).where(MembershipCard.token == query.value)
        ).first()
        return None if owner is None else Customer.id == owner
    raise Refused("query.invalid", query=text)


def _page(
    session: Session,
    conditions: list[ColumnElement[bool]],
    sort: str,
    after: BrowseKey | None,
    limit: int,
) -> list[tuple[Customer, int]]:
    if sort == "newest":
        stmt = select(Customer).where(*conditions).order_by(Customer.id.desc())
        if after is not None:
            stmt = stmt.where(Customer.id < after[2])
        return [(c, 0) for c in session.scalars(stmt.limit(limit))]
    if sort == "oldest":
        stmt = select(Customer).where(*conditions).order_by(Customer.id)
        if after is not None:
            stmt = stmt.where(Customer.id > after[2])
        return [(c, 0) for c in session.scalars(stmt.limit(limit))]
    return _page_by_name(session, conditions, after, limit)


def _page_by_name(
    session: Session,
    conditions: list[ColumnElement[bool]],
    after: BrowseKey | None,
    limit: int,
) -> list[tuple[Customer, int]]:
    """Named members by (name, id), then the nameless by id: NULLs sort differently per engine."""
    found: list[tuple[Customer, int]] = []
    if after is None or after[0] == 0:
        stmt = select(Customer).where(*conditions, Customer.name.is_not(None))
        if after is not None:
            stmt = stmt.where(tuple_(Customer.name, Customer.id) > tuple_(after[1], after[2]))
        stmt = stmt.order_by(Customer.name, Customer.id).limit(limit)
        found = [(c, 0) for c in session.scalars(stmt)]
        after = None
    if len(found) < limit:
        stmt = select(Customer).where(*conditions, Customer.name.is_(None))
        if after is not None:
            stmt = stmt.where(Customer.id > after[2])
        stmt = stmt.order_by(Customer.id).limit(limit - len(found))
        found += [(c, 1) for c in session.scalars(stmt)]
    return found


def page_balances(
    session: Session, ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, tuple[int, int]]:
    """Usable points and stamps of a page of customers (app.services.ledger's FIFO sums)."""
    return {cid: (b.points, b.stamps) for cid, b in balances_of_many(session, ids, now).items()}


def _last_visits(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    if not ids:
        return {}
    rows = session.execute(
        select(Sale.customer_id, func.max(Sale.occurred_at))
        .where(Sale.customer_id.in_(ids), Sale.amount > 0)
        .group_by(Sale.customer_id)
    )
    return {customer_id: at for customer_id, at in rows}


def _rows(
    ctx: Context, session: Session, found: list[tuple[Customer, int]], sort: str
) -> list[CustomerRow]:
    ids = [c.id for c, _ in found]
    totals = page_balances(session, ids, ctx.now())
    visits = _last_visits(session, ids)
    _, program = current_program(session)
    rows = []
    for customer, phase in found:
        points, stamps = totals.get(customer.id, (0, 0))
        rows.append(
            CustomerRow(
                id=customer.id,
                key=(phase, customer.name if sort == "name" else None, customer.id),
                name_masked=mask_name(customer.name) if customer.name else None,
                phone_masked=masked_phone(ctx, customer),
                tier=customer.tier_code,
                tier_name=program.tier(customer.tier_code).name,
                points=points,
                stamps=stamps,
                last_visit=visits.get(customer.id),
                enrolled_at=customer.enrolled_at,
                status=customer.status,
                marketing_consent_at=customer.marketing_consent_at,
            )
        )
    return rows


# --- one customer -------------------------------------------------------------------------


@dataclass(frozen=True)
class TierStep:
    at: datetime
    from_code: str | None
    to_code: str
    reason: str
    from_name: str | None = None  # the tier's name in the program in force (the code if gone)
    to_name: str | None = None


@dataclass(frozen=True)
class CouponLine:
    code: str
    kind: str
    value: int
    issued_at: datetime
    last_day: date
    source: str
    used: bool


@dataclass(frozen=True)
class CustomerDetail:
    """Everything about one member the owner may see, for the detail window and the export."""

    id: uuid.UUID
    status: str
    name: str | None
    phone_masked: str | None
    birthday: date | None
    tier: str
    tier_name: str
    enrolled_at: datetime
    program_consent_at: datetime | None
    marketing_consent_at: datetime | None
    consent_wording_version: str | None
    withdrawn_at: datetime | None
    erased_at: datetime | None
    merged_into_id: uuid.UUID | None
    points: int
    stamps: int
    expiring_30d: int
    cards: list[str]
    ledger: list[LedgerLine] = field(default_factory=list)
    tier_history: list[TierStep] = field(default_factory=list)
    coupons: list[CouponLine] = field(default_factory=list)
    visits: list[tuple[datetime, int]] = field(default_factory=list)
    absorbed: list[uuid.UUID] = field(default_factory=list)
    program_consent_source: str | None = None  # how the consent was given (CONSENT_SOURCES)
    marketing_consent_source: str | None = None


def customer_detail(ctx: Context, customer_id: uuid.UUID) -> CustomerDetail:
    """One member's whole record; opening it is logged (who looked up whom)."""
    require_owner(ctx)
    with ctx.db.write() as session:
        customer = _get(session, customer_id)
        detail = _detail(ctx, session, customer)
        audit(ctx, session, "customer.view", target=customer.id)
    # withdrawn, erased and merged records keep their ledger: the owner sees it too
    return replace(detail, ledger=ledger_lines_of(ctx, customer_id))


def _get(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise Refused("customer.not_found", query=str(customer_id))
    return customer


def _detail(ctx: Context, session: Session, customer: Customer) -> CustomerDetail:
    now = ctx.now()
    _, program = current_program(session)
    bal = balances(session, customer.id, now)
    absorbed = list(
        session.scalars(select(Customer.id).where(Customer.merged_into_id == customer.id))
    )
    return CustomerDetail(
        id=customer.id,
        status=customer.status,
        name=customer.name,
        phone_masked=masked_phone(ctx, customer),
        birthday=customer.birthday,
        tier=customer.tier_code,
        tier_name=program.tier(customer.tier_code).name,
        enrolled_at=customer.enrolled_at,
        program_consent_at=customer.program_consent_at,
        marketing_consent_at=customer.marketing_consent_at,
        consent_wording_version=customer.consent_wording_version,
        program_consent_source=customer.program_consent_source,
        marketing_consent_source=customer.marketing_consent_source,
        withdrawn_at=customer.withdrawn_at,
        erased_at=customer.erased_at,
        merged_into_id=customer.merged_into_id,
        points=bal.points,
        stamps=bal.stamps,
        expiring_30d=bal.expiring_30d,
        cards=list(
            session.scalars(
                select(MembershipCard.token)
                .where(MembershipCard.customer_id == customer.id, MembershipCard.status == "active")
                .order_by(MembershipCard.issued_at)
            )
        ),
        tier_history=_tier_history(
            session, customer.id, {level.code: level.name for level in program.tiers.levels}
        ),
        coupons=_coupons(ctx, session, customer.id),
        visits=_visits(session, [customer.id, *absorbed], VISITS_SHOWN),
        absorbed=absorbed,
    )


def _tier_history(
    session: Session, customer_id: uuid.UUID, names: dict[str, str] | None = None
) -> list[TierStep]:
    rows = session.scalars(
        select(TierChange)
        .where(TierChange.customer_id == customer_id)
        .order_by(TierChange.changed_at, TierChange.id)
    )
    names = names or {}
    return [
        TierStep(
            r.changed_at,
            r.from_code,
            r.to_code,
            r.reason,
            names.get(r.from_code, r.from_code) if r.from_code else None,
            names.get(r.to_code, r.to_code),
        )
        for r in rows
    ]


def _coupons(ctx: Context, session: Session, customer_id: uuid.UUID) -> list[CouponLine]:
    coupons = list(
        session.scalars(
            select(Coupon).where(Coupon.customer_id == customer_id).order_by(Coupon.issued_at)
        )
    )
    used = coupon_use_counts(session, [c.id for c in coupons]) if coupons else {}
    return [
        CouponLine(
            c.code,
            c.kind,
            c.value,
            c.issued_at,
            last_valid_day(ctx, c.valid_until),
            c.source,
            used.get(c.id, 0) > 0,
        )
        for c in coupons
    ]


def _visits(session: Session, ids: list[uuid.UUID], limit: int) -> list[tuple[datetime, int]]:
    """Purchases that still stand, of the member and of the records merged into them."""
    visits = [v for customer_id in ids for v in recent_visits(session, customer_id, limit)]
    return sorted(visits, key=lambda v: v[0], reverse=True)[:limit]


# --- editing the profile --------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChange:
    """The form's values; None leaves a field as it is (an empty name or birthday clears it)."""

    name: str | None = None
    birthday: str | None = None
    marketing_consent: bool | None = None
    phone: str | None = None


def _checked(field_name: str, check: Callable[[], T]) -> T:
    try:
        return check()
    except Refused as refused:
        raise FieldRefused(field_name, refused) from refused


def update_profile(ctx: Context, customer_id: uuid.UUID, change: ProfileChange) -> list[str]:
    """Owner only; every field checked before anything is written; each change audited."""
    require_owner(ctx)
    now = ctx.now()
    name = _checked("name", lambda: clean_name(change.name)) if change.name is not None else None
    born = (
        _checked("birthday", lambda: parse_birthday(change.birthday, ctx.local_date(now)))
        if change.birthday is not None
        else None
    )
    phone = _checked("phone", lambda: _new_phone(ctx, change.phone))
    with ctx.db.write() as session:
        customer = lock_customer(session, _active(session, customer_id).id)
        if phone is not None and phone.national != customer.phone:
            _checked("phone", lambda: _phone_free(session, phone))
        consenting = customer.marketing_consent_at is not None
        changed = _apply(ctx, customer, change, name, born, phone, now)
        if "marketing_consent" in changed:  # the profile's box is SMS advertising (issue 15)
            consents.apply_in(
                ctx,
                session,
                customer,
                channel="sms",
                purpose="ad",
                grant=not consenting,
                at=now,
                source="back_office",
            )
        for what in changed:
            detail: dict[str, Any] = {"field": what}
            if what == "marketing_consent":
                detail["on"] = customer.marketing_consent_at is not None
            audit(ctx, session, "customer.update", target=customer.id, detail=detail)
        return changed


def _new_phone(ctx: Context, text: str | None) -> Phone | None:
    if text is None or not text.strip():
        return None
    return parse_phone(text, allow_landline=bool(ctx.settings.get("allow_landline")))


def _phone_free(session: Session, phone: Phone) -> None:
    taken = session.scalars(select(Customer.id).where(Customer.phone == phone.national)).first()
    if taken is not None:
        raise Refused("customer.exists", phone=phone.masked())


def _apply(
    ctx: Context,
    customer: Customer,
    change: ProfileChange,
    name: str | None,
    born: date | None,
    phone: Phone | None,
    now: datetime,
) -> list[str]:
    changed = []
    if change.name is not None and name != customer.name:
        customer.name = name
        changed.append("name")
    if change.birthday is not None and born != customer.birthday:
        customer.birthday = born
        changed.append("birthday")
    if phone is not None and phone.national != customer.phone:
        customer.phone, customer.phone_last4 = phone.national, phone.last4
        changed.append("phone")
    consenting = customer.marketing_consent_at is not None
    if change.marketing_consent is not None and change.marketing_consent != consenting:
        # consent given now is dated now and tied to the wording the shop shows now
        customer.marketing_consent_at = now if change.marketing_consent else None
        customer.marketing_consent_source = "back_office" if change.marketing_consent else None
        if change.marketing_consent:
            customer.consent_wording_version = str(settings.setting(ctx, "consent_version"))
        changed.append("marketing_consent")
    return changed


def _active(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = _get(session, customer_id)
    if customer.status != "active":
        raise Refused("customer.inactive", status=customer.status)
    return customer


# --- merging two records of one person ------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    kept_id: uuid.UUID
    absorbed_id: uuid.UUID
    points_moved: int
    stamps_moved: int
    lots_moved: int
    tier: str
    partner_points_moved: int = 0  # the coalition's points (a shop in a 골목 제휴)


def merge_customers(ctx: Context, keep_id: uuid.UUID, absorb_id: uuid.UUID) -> MergeResult:
    """Fold one record into the other in one transaction; the ledger only grows."""
    require_owner(ctx)
    # the coalition's balance of the absorbed record, read before the transaction (a shop in
    # a 골목 제휴 only: none is read otherwise)
    partner_balance = partners.merge_balance(ctx, absorb_id) if keep_id != absorb_id else None
    with ctx.db.write() as session:
        keep = _merge_side(session, keep_id)
        absorb = _merge_side(session, absorb_id)
        if keep.id == absorb.id:
            raise Refused("merge.same")
        # lock in key order so two registers merging crosswise cannot deadlock
        for customer_id in sorted((keep.id, absorb.id)):
            lock_customer(session, customer_id)
        now = ctx.now()
        for customer_id in (keep.id, absorb.id):
            settle_expiry(ctx, session, customer_id, now)
        lots, stamps = _move_balances(ctx, session, absorb.id, keep.id, now)
        wallet.move_in(ctx, session, absorb.id, keep.id, now)  # the wallet follows the person
        # so do the partner points and the word on the coalition (sent with the next push)
        partner_moved = partners.merge_in(ctx, session, absorb.id, keep.id, partner_balance, now)
        tier = _higher_tier(ctx, session, keep, absorb, now)
        _repoint(session, absorb.id, keep.id)
        # the absorbed record's passes in Google Wallet: the keeper's points and card from now on
        requeue_member(session, absorb.id, now, into=keep.id)
        consents.mirror_in(session, keep)
        _retire_absorbed(absorb, keep.id)
        bump(ctx, session, now, members_erased=1, **{f"tier:{absorb.tier_code}": -1})
        points = sum(p for _, p in lots)
        audit(
            ctx,
            session,
            "customer.merge",
            target=keep.id,
            detail={
                "absorbed": str(absorb.id),
                "points": points,
                "stamps": stamps,
                "lots": len(lots),
            },
        )
        result = MergeResult(keep.id, absorb.id, points, stamps, len(lots), tier, partner_moved)
    if partner_balance is not None:
        partners.push(ctx)  # unreachable: queued
    return result


def resolve_merge_side(ctx: Context, who: str) -> uuid.UUID:
    """The record typed as the other side of a merge; one no longer active is refused as such."""
    require_owner(ctx)  # merging is the owner's: a cashier is told so before any lookup
    try:
        return resolve_customer(ctx, who)
    except Refused as refused:
        if refused.code == "customer.inactive":
            raise Refused("merge.inactive", status=refused.params["status"]) from refused
        raise


def _merge_side(session: Session, customer_id: uuid.UUID) -> Customer:
    try:
        customer = usable_customer(session, customer_id)
    except Refused as refused:
        if refused.code == "customer.inactive":
            raise Refused("merge.inactive", status=refused.params["status"]) from refused
        raise
    return customer


def unspent_lots(session: Session, customer_id: uuid.UUID) -> list[tuple[datetime, int]]:
    """The customer's lots still holding points after FIFO consumption, oldest expiry first."""
    e = LedgerEntry
    lot_rows = session.execute(
        select(e.expires_at, func.sum(e.points))
        .where(e.customer_id == customer_id, e.expires_at.is_not(None))
        .group_by(e.expires_at)
    ).all()
    consumed = -int(
        session.scalar(
            select(func.coalesce(func.sum(e.points), 0)).where(
                e.customer_id == customer_id, e.expires_at.is_(None)
            )
        )
        or 0
    )
    lots = [(at, int(points)) for at, points in lot_rows if at is not None and int(points) > 0]
    return fifo_remaining(lots, max(0, consumed))


def _move_balances(
    ctx: Context, session: Session, source: uuid.UUID, target: uuid.UUID, now: datetime
) -> tuple[list[tuple[datetime, int]], int]:
    """Each unspent lot leaves the source and joins the target with the same expiry moment."""
    lots = unspent_lots(session, source)
    for expires_at, points in lots:
        for customer_id, sign, way in ((source, -1, "out"), (target, 1, "in")):
            append_entry(
                ctx,
                session,
                customer_id=customer_id,
                kind="adjust",
                at=now,
                points=sign * points,
                expires_at=expires_at,
                reason=f"merge {way}",
            )
    stamps = balances(session, source, now).stamps
    if stamps > 0:
        for customer_id, sign, way in ((source, -1, "out"), (target, 1, "in")):
            append_entry(
                ctx,
                session,
                customer_id=customer_id,
                kind="adjust",
                at=now,
                stamps=sign * stamps,
                reason=f"merge {way}",
            )
    moved = sum(p for _, p in lots)
    # a move is neither issued nor removed: take back what the two adjustments counted
    bump(
        ctx,
        session,
        now,
        points_issued=-moved,
        points_removed=-moved,
        stamps_issued=-max(stamps, 0),
        stamps_removed=-max(stamps, 0),
    )
    session.flush()
    return lots, max(stamps, 0)


def _higher_tier(
    ctx: Context, session: Session, keep: Customer, absorb: Customer, now: datetime
) -> str:
    _, program = current_program(session)
    order = [level.code for level in program.tiers.levels]
    rank = {code: i for i, code in enumerate(order)}
    if rank.get(absorb.tier_code, 0) > rank.get(keep.tier_code, 0):
        session.add(
            TierChange(
                customer_id=keep.id,
                from_code=keep.tier_code,
                to_code=absorb.tier_code,
                reason="merge",
                changed_at=now,
                register_id=ctx.register_id,
            )
        )
        bump(ctx, session, now, **{f"tier:{keep.tier_code}": -1, f"tier:{absorb.tier_code}": 1})
        keep.tier_code = absorb.tier_code
    return keep.tier_code


def _repoint(session: Session, source: uuid.UUID, target: uuid.UUID) -> None:
    """Cards, coupons, consents and passes follow the person; records merged earlier now point
    at the keeper."""
    session.execute(
        update(MembershipCard)
        .where(MembershipCard.customer_id == source)
        .values(customer_id=target)
    )
    session.execute(update(Coupon).where(Coupon.customer_id == source).values(customer_id=target))
    # consents too, as sync re-homes them: the person's latest word on each one holds
    session.execute(
        update(ConsentEvent).where(ConsentEvent.customer_id == source).values(customer_id=target)
    )
    # subscription passes follow the person too, as sync re-homes them (passes18)
    from app.db.models import MemberPass, PassEventRow

    for model in (MemberPass, PassEventRow):
        session.execute(update(model).where(model.customer_id == source).values(customer_id=target))
    session.execute(
        update(Customer).where(Customer.merged_into_id == source).values(merged_into_id=target)
    )


def _retire_absorbed(absorbed: Customer, kept_id: uuid.UUID) -> None:
    clear_personal_data(absorbed)
    absorbed.status = "merged"
    absorbed.merged_into_id = kept_id


# --- leaving --------------------------------------------------------------------------------


def withdraw_customer(ctx: Context, customer_id: uuid.UUID) -> uuid.UUID:
    """The member leaves: personal data destroyed now, cards stop, the ledger totals stay."""
    require_owner(ctx)
    with ctx.db.write() as session:
        customer = lock_customer(session, _active(session, customer_id).id)
        forget_person(ctx, session, customer, "withdrawn")
        audit(ctx, session, "customer.withdraw", target=customer.id)
        return customer.id


def erase_member(ctx: Context, customer_id: uuid.UUID) -> uuid.UUID:
    """Owner only: app.services.customers.erase_customer for a member picked in the list."""
    require_owner(ctx)
    return erase_customer(ctx, customer_id)


# --- the PIPA access request ----------------------------------------------------------------


def export_customer(ctx: Context, customer_id: uuid.UUID, path: Path) -> int:
    """Write one member's data as UTF-8 JSON; returns the number of ledger entries written."""
    require_owner(ctx)
    with ctx.db.read() as session:
        customer = _active(session, customer_id)
        phone = Phone(customer.phone).display() if customer.phone else None
        detail = _detail(ctx, session, customer)
        visits = _visits(session, [customer.id, *detail.absorbed], 1_000_000)
    lines = ledger_lines_of(ctx, customer_id)
    document = _export_document(ctx, detail, phone, lines, visits)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            "customer.export_one",
            target=customer_id,
            detail={"file": path.name, "ledger_entries": len(lines)},
        )
    return len(lines)


def _moment(ctx: Context, at: datetime | None) -> str | None:
    return ctx.local(at).isoformat() if at is not None and at != NEVER else None


def _export_document(
    ctx: Context,
    detail: CustomerDetail,
    phone: str | None,
    lines: list[LedgerLine],
    visits: list[tuple[datetime, int]],
) -> dict[str, Any]:
    return {
        "exported_at": _moment(ctx, ctx.now()),
        "profile": {
            "id": str(detail.id),
            "name": detail.name,
            "phone": phone,
            "birthday": detail.birthday.isoformat() if detail.birthday else None,
            "tier": detail.tier,
            "enrolled_at": _moment(ctx, detail.enrolled_at),
            "cards": detail.cards,
            "points": detail.points,
            "stamps": detail.stamps,
        },
        "consents": {
            "program": _moment(ctx, detail.program_consent_at),
            "marketing": _moment(ctx, detail.marketing_consent_at),
            "wording_version": detail.consent_wording_version,
            "program_source": detail.program_consent_source,
            "marketing_source": detail.marketing_consent_source,
        },
        "ledger": to_json(lines, ctx),
        "coupons": [
            {
                "code": c.code,
                "kind": c.kind,
                "value": c.value,
                "issued_at": _moment(ctx, c.issued_at),
                "last_day": c.last_day.isoformat(),
                "source": c.source,
                "used": c.used,
            }
            for c in detail.coupons
        ],
        "visits": [{"at": _moment(ctx, at), "amount": amount} for at, amount in visits],
        "tier_history": [
            {
                "at": _moment(ctx, step.at),
                "from": step.from_code,
                "to": step.to_code,
                "reason": step.reason,
            }
            for step in detail.tier_history
        ],
    }


def tier_choices(ctx: Context) -> list[tuple[str, str]]:
    """The program's tiers, lowest first, as (code, name) for the list's filter."""
    with ctx.db.read() as session:
        _, program = current_program(session)
        return [(level.code, level.name) for level in program.tiers.levels]
