"""Finding, enrolling, showing and erasing customers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Uuid, bindparam, case, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from app.db.base import UTCDateTime, new_id
from app.db.lean import Lean, LeanConnection, Processor, lean_connection
from app.db.locks import lock_customer
from app.db.models import (
    Coupon,
    Customer,
    LedgerEntry,
    MembershipCard,
    Message,
    Redemption,
    Sale,
    TierChange,
    VisitRating,
)
from app.db.wallet_passes import requeue_member
from app.domain.calendar import impossible_day
from app.domain.card import is_valid_card_token, new_card_token, normalize_card_token
from app.domain.errors import Refused
from app.domain.experiments import AppliedExperiment, experiment_campaigns, goal_windows
from app.domain.phone import Phone, mask_name, parse_phone
from app.domain.plain_text import clean_line
from app.domain.program import Campaign, Program
from app.domain.query import classify_query
from app.domain.stamp_cards import StampCards, cards_from_balance, replay_stamp_cards
from app.domain.tiers import progress_to_next, sale_window_start
from app.services import consents
from app.services.audit_chain import audit, audit_many
from app.services.context import Context
from app.services.encoding import Zoned
from app.services.erasures import record_erasure
from app.services.figures import bump
from app.services.ledger import (
    Balances,
    LedgerSums,
    append_entry,
    balances,
    balances_of_many,
    lot_expiry,
)
from app.services.ledger_position import position_sums
from app.services.program import ProgramState, current_program, program_state_lean
from app.services.stamps import (
    MOVES,
    card_terms,
    moves_of,
    needs_replay,
    new_card_terms,
    stamp_cards,
)

MAX_MATCHES = 50
# How a consent was given; an export carries it, an import keeps it (issue 15 adds "display"
# for the customer's own screen and "reply" for a message answered).
CONSENT_SOURCES = ("counter", "cli", "display", "import", "back_office", "demo", "reply")
MAX_NAME_LENGTH = 50


@dataclass(frozen=True)
class CouponView:
    code: str
    kind: str
    value: int
    valid_until: datetime


@dataclass(frozen=True)
class CustomerStatus:
    """What the counter shows about a customer."""

    id: uuid.UUID
    name: str | None
    name_masked: str | None
    phone_masked: str | None
    last4: str | None
    status: str
    tier: str
    tier_name: str
    next_tier: str | None
    to_next_tier: int
    window_spend: int
    points: int
    points_expiring_30d: int
    stamps: int  # the balance: every stamp not yet used for a reward
    stamp_goal: int  # the goal of the card in progress (the one it was started with)
    rewards_ready: int
    card: str | None
    birthday_month: bool
    enrolled_at: datetime
    marketing_consent: bool
    coupons: list[CouponView] = field(default_factory=list)
    last_visits: list[tuple[datetime, int]] = field(default_factory=list)
    stamps_enabled: bool = True  # False for a points-only program (stamps per "none")
    stamps_on_card: int = 0  # stamps on the card in progress, toward stamp_goal
    stamp_reward: str = ""  # what the next reward is (a completed card's, else this card's)
    # the campaigns of the member's experiment groups (issue 19): the sale dialog's preview
    # earns by them as the sale will (each still checks its days)
    offers: tuple[Campaign, ...] = ()


def last_valid_day(ctx: Zoned, valid_until: datetime) -> date:
    """Coupons are valid until an exclusive moment; people want the last day they can use it."""
    return ctx.local(valid_until - timedelta(microseconds=1)).date()


def phone_of(customer: Customer | CustomerRecord | CustomerRow) -> Phone | None:
    return Phone(customer.phone) if customer.phone else None


def masked_phone(ctx: Context, customer: Customer | CustomerRecord | CustomerRow) -> str | None:
    phone = phone_of(customer)
    return phone.masked(ctx.settings.get("phone_mask", "middle")) if phone else None


# --- finding -------------------------------------------------------------------------


def resolve_who(session: Session, who: str) -> Customer:
    """WHO on the command line: a full phone number, a scanned card, or a customer id."""
    text = who.strip()
    try:
        return _by_id(session, uuid.UUID(text))
    except ValueError:
        pass
    query = classify_query(text)
    if query.kind == "phone":
        customer = session.scalars(
            select(Customer).where(Customer.phone == query.value)
        ).one_or_none()
    elif query.kind == "card":
        customer = _by_card(session, query.value)
    elif query.kind in ("last4", "name"):
        raise Refused("who.ambiguous", query=text)
    else:
        # a malformed phone number says what is wrong with it
        parse_phone(text, allow_landline=True, allow_legacy=True)
        raise Refused("query.invalid", query=text)
    if customer is None:
        raise Refused("customer.not_found", query=text)
    return _usable(customer)


def resolve_customer(ctx: Context, who: str | uuid.UUID) -> uuid.UUID:
    """What a person typed (phone, scanned card, id) to the customer id the services take."""
    if isinstance(who, uuid.UUID):
        return who
    return lean_resolve(ctx, who).id


def usable_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    """The customer a use case acts on: it exists and is an active member."""
    return _by_id(session, customer_id)


def lock_usable_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    """usable_customer and lock_customer in one statement: the row a write acts on."""
    customer = session.scalars(_LOCKED_CUSTOMER, {"id": customer_id}).one_or_none()
    if customer is None:
        raise Refused("customer.not_found", query=str(customer_id))
    return _usable(customer)


_LOCKED_CUSTOMER = (
    select(Customer).where(Customer.id == bindparam("id", type_=Uuid())).with_for_update()
)


def _by_id(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise Refused("customer.not_found", query=str(customer_id))
    return _usable(customer)


def _usable(customer: Customer) -> Customer:
    if customer.status != "active":
        raise Refused("customer.inactive", status=customer.status)
    return customer


def _by_card(session: Session, token: str) -> Customer | None:
    card = session.scalars(select(MembershipCard).where(MembershipCard.token == token)).first()
    if card is None:
        return None
    if card.status != "active":
        raise Refused("card.revoked")
    if card.customer_id is None:
        raise Refused("card.blank")
    return session.get(Customer, card.customer_id)


def find_customers(ctx: Context, query_text: str) -> list[CustomerStatus]:
    """The one search field: full phone, last 4 digits, name prefix, or a scanned card."""
    with ctx.db.read() as session:
        return [status_of(ctx, session, c, ctx.now()) for c in search(session, query_text)]


@dataclass(frozen=True)
class Match:
    """One line of the counter's list when several members match (last 4 digits, a name)."""

    id: uuid.UUID
    name_masked: str | None
    phone_masked: str | None
    tier: str
    tier_name: str
    points: int
    last_visit: datetime | None = None  # the last purchase that still stands


def last_visits_of_many(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    """Each member's last purchase (voided ones and their voids left out), in one query.

    As recent_visits: purchases are the rows of a positive amount (voids and refunds are
    negative), through the customer's index; `reverses_id IS NULL` made SQLite walk the
    unique index of reverses_id over every sale of the shop (143 ms at 100,000 members)."""
    rows = session.execute(
        select(Sale.customer_id, func.max(Sale.occurred_at))
        .where(
            Sale.customer_id.in_(ids),
            Sale.amount > 0,
            ~exists().where(_VOID.reverses_id == Sale.id),
        )
        .group_by(Sale.customer_id)
    )
    return {customer_id: at for customer_id, at in rows}


def find_for_counter(ctx: Context, query_text: str) -> tuple[CustomerStatus | None, list[Match]]:
    """One match: its full status. Several: a light list (one query for all their points)."""
    found = lean_search(ctx, query_text)
    if len(found) == 1:
        return lean_status(ctx, found[0].id, ctx.now()), []
    if not found:
        return None, []
    with ctx.db.read() as session:
        _, program = current_program(session)
        balances = balances_of_many(session, [c.id for c in found], ctx.now())
        visits = last_visits_of_many(session, [c.id for c in found])
        return None, [
            Match(
                c.id,
                mask_name(c.name) if c.name else None,
                masked_phone(ctx, c),
                c.tier_code,
                program.tier(c.tier_code).name,
                balances[c.id].points if c.id in balances else 0,
                visits.get(c.id),
            )
            for c in found
        ]


def search(session: Session, query_text: str) -> list[Customer]:
    query = classify_query(query_text)
    active = Customer.status == "active"
    if query.kind == "phone":
        stmt = select(Customer).where(Customer.phone == query.value, active)
    elif query.kind == "last4":
        stmt = (
            select(Customer)
            .where(Customer.phone_last4 == query.value, active)
            .order_by(Customer.name, Customer.id)
            .limit(MAX_MATCHES)
        )
    elif query.kind == "card":
        customer = _by_card(session, query.value)
        return [customer] if customer is not None and customer.status == "active" else []
    elif query.kind == "name":
        # a prefix range keeps the name index usable on SQLite and PostgreSQL alike
        stmt = (
            select(Customer)
            .where(Customer.name >= query.value, Customer.name < query.value + "\uffff", active)
            .order_by(Customer.name, Customer.id)
            .limit(MAX_MATCHES)
        )
    else:
        raise Refused("query.invalid", query=query_text)
    return list(session.scalars(stmt))


def customer_status(
    ctx: Context, customer_id: uuid.UUID, *, log_view: bool = False
) -> CustomerStatus:
    if log_view:
        with ctx.db.write() as session:
            customer = usable_customer(session, customer_id)
            audit(ctx, session, "customer.view", target=customer.id)
            return status_of(ctx, session, customer, ctx.now())
    return lean_status(ctx, customer_id, ctx.now())


# The counter's status is asked for on every lookup: its statements are built once.
_CUSTOMER = bindparam("customer_id", type_=Uuid())
_WINDOW_SPEND = select(func.coalesce(func.sum(Sale.amount), 0)).where(
    Sale.customer_id == _CUSTOMER,
    Sale.occurred_at >= bindparam("start", type_=UTCDateTime()),
)
_USABLE_COUPONS = (
    select(Coupon)
    .where(
        Coupon.customer_id == _CUSTOMER,
        Coupon.valid_from <= bindparam("now", type_=UTCDateTime()),
        Coupon.valid_until > bindparam("now", type_=UTCDateTime()),
    )
    .order_by(Coupon.valid_until)
)
_ACTIVE_CARD = (
    select(MembershipCard.token)
    .where(MembershipCard.customer_id == _CUSTOMER, MembershipCard.status == "active")
    .order_by(MembershipCard.issued_at.desc())
    .limit(1)
)
_VOID = aliased(Sale)
_RECENT_VISITS = (
    select(Sale.occurred_at, Sale.amount)
    .where(
        Sale.customer_id == _CUSTOMER,
        Sale.amount > 0,
        # through the unique index on reverses_id: a regular has thousands of sales
        ~exists().where(_VOID.reverses_id == Sale.id),
    )
    .order_by(Sale.occurred_at.desc())
    .limit(bindparam("limit"))
)


def window_start(ctx: Context, program: Program, now: datetime) -> datetime:
    """The first moment of the tier window that ends now (local midnight)."""
    start_day = sale_window_start(ctx.local_date(now), program.tiers.window_months)
    return datetime.combine(start_day, datetime.min.time(), tzinfo=ctx.zone)


def window_spend(
    ctx: Context, session: Session, program: Program, customer_id: uuid.UUID, now: datetime
) -> int:
    start = window_start(ctx, program, now)
    spend = session.scalar(_WINDOW_SPEND, {"customer_id": customer_id, "start": start})
    return int(spend or 0)


def usable_coupons(session: Session, customer_id: uuid.UUID, now: datetime) -> list[Coupon]:
    coupons = list(session.scalars(_USABLE_COUPONS, {"customer_id": customer_id, "now": now}))
    if not coupons:
        return []
    used = coupon_use_counts(session, [c.id for c in coupons])
    return [c for c in coupons if used.get(c.id, 0) <= 0]


def coupon_use_counts(session: Session, coupon_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Uses of each coupon, net of voided uses (a void row points at the use it undoes)."""
    rows = session.execute(
        select(Redemption.coupon_id, Redemption.reverses_id).where(
            Redemption.coupon_id.in_(coupon_ids)
        )
    ).all()
    counts: dict[uuid.UUID, int] = {}
    for coupon_id, reverses in rows:
        assert coupon_id is not None  # the query picks rows of these coupons only
        counts[coupon_id] = counts.get(coupon_id, 0) + (-1 if reverses else 1)
    return counts


def active_card(session: Session, customer_id: uuid.UUID) -> str | None:
    return session.scalars(_ACTIVE_CARD, {"customer_id": customer_id}).first()


def status_of(
    ctx: Context,
    session: Session,
    customer: Customer,
    now: datetime,
    *,
    program: Program | None = None,
    bal: Balances | None = None,
    spend: int | None = None,
    cards: StampCards | None = None,
) -> CustomerStatus:
    """The counter's view of a customer; what the caller already read is passed in, not re-read."""
    if program is None:
        _, program = current_program(session)
    if bal is None:
        bal = balances(session, customer.id, now)
    if spend is None:
        spend = window_spend(ctx, session, program, customer.id, now)
    if cards is None:
        cards = stamp_cards(session, customer.id, balance=bal.stamps, program=program)
    return _status(
        ctx,
        customer,
        now,
        program=program,
        bal=bal,
        spend=spend,
        cards=cards,
        card=active_card(session, customer.id),
        coupons=[
            CouponView(c.code, c.kind, c.value, c.valid_until)
            for c in usable_coupons(session, customer.id, now)
        ],
        visits=recent_visits(session, customer.id),
    )


def _status(
    ctx: Context,
    customer: Customer | CustomerRecord,
    now: datetime,
    *,
    program: Program,
    bal: Balances,
    spend: int,
    cards: StampCards,
    card: str | None,
    coupons: list[CouponView],
    visits: list[tuple[datetime, int]],
    experiments: tuple[AppliedExperiment, ...] = (),
) -> CustomerStatus:
    """The counter's view from what was read, by the ORM path or the lean one alike."""
    tier = program.tier(customer.tier_code)
    next_level, remaining = progress_to_next(program.tiers.levels, tier.code, spend)
    today = ctx.local_date(now)
    return CustomerStatus(
        id=customer.id,
        name=customer.name,
        name_masked=mask_name(customer.name) if customer.name else None,
        phone_masked=masked_phone(ctx, customer),
        last4=customer.phone_last4,
        status=customer.status,
        tier=tier.code,
        tier_name=tier.name,
        next_tier=next_level.code if next_level else None,
        to_next_tier=remaining,
        window_spend=spend,
        points=bal.points,
        points_expiring_30d=bal.expiring_30d,
        stamps=bal.stamps,
        stamp_goal=cards.current.goal,
        rewards_ready=cards.rewards_ready,
        card=card,
        birthday_month=bool(customer.birthday and customer.birthday.month == today.month),
        enrolled_at=customer.enrolled_at,
        marketing_consent=customer.marketing_consent_at is not None,
        coupons=coupons,
        last_visits=visits,
        stamps_enabled=program.stamps.enabled,
        stamps_on_card=cards.filled,
        stamp_reward=(cards.next_reward or cards.current).reward,
        offers=experiment_campaigns(experiments, customer.id) if experiments else (),
    )


def recent_visits(
    session: Session, customer_id: uuid.UUID, limit: int = 5
) -> list[tuple[datetime, int]]:
    """The last purchases that still stand (voided ones and their voids left out)."""
    rows = session.execute(_RECENT_VISITS, {"customer_id": customer_id, "limit": limit})
    return [(at, int(amount)) for at, amount in rows]


# --- the counter's lean path ---------------------------------------------------------
#
# A lookup and a status are what a cashier waits on: they run as lean statements (built once,
# on the driver's cursor, no Session: app.db.lean) giving CustomerRecord rows, and return
# exactly what the ORM path above returns (tests/services/test_lean_counter.py holds them
# to it). resolve_customer, find_for_counter and customer_status go this way, so the
# counter, the CLI and the POS API all get it.


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """The columns of a customer the counter reads: a plain row, not an ORM object."""

    id: uuid.UUID
    phone: str | None
    phone_last4: str | None
    name: str | None
    birthday: date | None
    status: str
    tier_code: str
    enrolled_at: datetime
    marketing_consent_at: datetime | None


class CustomerRow:
    """A customer the search field found (lean_search): CustomerRecord's columns, each one
    decoded when it is read.

    A last-4 search gives up to 50 members; the counter's list of them reads each one's id,
    name, phone and tier (find_for_counter), never their dates. Decoding every row's id,
    birthday and two timestamps up front, into a frozen record, cost ~3 us a row: 0.15 ms of
    a last-4 search, twice the query's own time. A row keeps the driver's values and the
    statement's result processors (app.db.lean: the conversions the ORM makes, so a column
    reads as the ORM's attribute does) and decodes a column when it is read, the id once.
    `record()` decodes them all; a row equals the CustomerRecord of the same values, and
    tests/services/test_last4_order.py holds its values to the ORM search's.
    """

    __slots__ = ("_decoders", "_id", "_raw")

    def __init__(self, raw: Sequence[Any], decoders: Sequence[Processor]) -> None:
        self._raw = raw
        self._decoders = decoders
        self._id: uuid.UUID | None = None

    def _decoded(self, index: int) -> Any:
        value = self._raw[index]
        process = self._decoders[index]
        return value if value is None or process is None else process(value)

    @property
    def id(self) -> uuid.UUID:
        found = self._id
        if found is None:
            found = self._id = self._decoded(0)
        return found

    # the text columns come from the driver as they are (test_lean_rows_have_the_orm_types)
    @property
    def phone(self) -> str | None:
        return self._raw[1]  # type: ignore[no-any-return]

    @property
    def phone_last4(self) -> str | None:
        return self._raw[2]  # type: ignore[no-any-return]

    @property
    def name(self) -> str | None:
        return self._raw[3]  # type: ignore[no-any-return]

    @property
    def birthday(self) -> date | None:
        return self._decoded(4)  # type: ignore[no-any-return]

    @property
    def status(self) -> str:
        return self._raw[5]  # type: ignore[no-any-return]

    @property
    def tier_code(self) -> str:
        return self._raw[6]  # type: ignore[no-any-return]

    @property
    def enrolled_at(self) -> datetime:
        return self._decoded(7)  # type: ignore[no-any-return]

    @property
    def marketing_consent_at(self) -> datetime | None:
        return self._decoded(8)  # type: ignore[no-any-return]

    def record(self) -> CustomerRecord:
        """Every column decoded: the record the other lean reads give (through the columns'
        own properties, so a ListedRow's rest is read as for any of them)."""
        return CustomerRecord(
            self.id,
            self.phone,
            self.phone_last4,
            self.name,
            self.birthday,
            self.status,
            self.tier_code,
            self.enrolled_at,
            self.marketing_consent_at,
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CustomerRow):
            return self.record() == other.record()
        if isinstance(other, CustomerRecord):
            return self.record() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.record())

    def __repr__(self) -> str:
        return "CustomerRow" + repr(self.record()).removeprefix("CustomerRecord")


class ListedRow(CustomerRow):
    """A row of a list of matches (a last 4, a name): the columns the counter's list shows
    (id, phone, name, tier) come with the search; the rest of the record comes from
    `_Rest`, read for the whole list when any of its rows is first asked for one of them.

    The counter never asks (find_for_counter reads the list's columns); a caller that does
    (`record()`, a test) costs the list one more statement, the same search's range. The
    rest is then as the database holds it at that moment: a member changed in between
    (withdrawn, merged) is read by its id, so every row still gives its own record."""

    __slots__ = ("_rest",)

    def __init__(self, listed: Sequence[Any], rest: _Rest) -> None:
        # _raw: the _LISTED columns, id first; no more is set, for 50 rows cost 50 of these
        # (0.013 ms with CustomerRow's __init__ and its id slot set, half without)
        self._raw = listed
        self._rest = rest

    @property
    def id(self) -> uuid.UUID:
        try:
            return self._id  # type: ignore[return-value]
        except AttributeError:  # decoded once, when first read
            raw = self._raw[0]
            process = self._rest.id_decoder
            found: uuid.UUID = raw if process is None else process(raw)
            self._id = found
            return found

    @property
    def phone(self) -> str | None:
        return self._raw[1]  # type: ignore[no-any-return]

    @property
    def name(self) -> str | None:
        return self._raw[2]  # type: ignore[no-any-return]

    @property
    def tier_code(self) -> str:
        return self._raw[3]  # type: ignore[no-any-return]

    @property
    def phone_last4(self) -> str | None:
        return self._rest.value(self, 1)  # type: ignore[no-any-return]

    @property
    def birthday(self) -> date | None:
        return self._rest.value(self, 2)  # type: ignore[no-any-return]

    @property
    def status(self) -> str:
        return self._rest.value(self, 3)  # type: ignore[no-any-return]

    @property
    def enrolled_at(self) -> datetime:
        return self._rest.value(self, 4)  # type: ignore[no-any-return]

    @property
    def marketing_consent_at(self) -> datetime | None:
        return self._rest.value(self, 5)  # type: ignore[no-any-return]


class _Rest:
    """The _REST columns of one list's members, read by the list's own search on the first
    ask and kept by the driver's id; a member that search no longer finds, by its id."""

    __slots__ = ("_by_id", "_decoders", "_engine", "_lean", "_params", "id_decoder")

    def __init__(
        self, engine: Engine, lean: Lean, params: dict[str, Any], id_decoder: Processor
    ) -> None:
        self.id_decoder = id_decoder  # the list's id column's, for its rows' ids
        self._engine = engine
        self._lean = lean
        self._params = params
        self._by_id: dict[Any, Sequence[Any]] | None = None
        self._decoders: Sequence[Processor] = ()

    def value(self, row: ListedRow, index: int) -> Any:
        by_id = self._by_id
        if by_id is None:
            with lean_connection(self._engine) as connection:
                rows = self._lean.raw_rows(connection, **self._params)
                self._decoders = self._lean.decoders(connection.dialect)
            by_id = self._by_id = {found[0]: found for found in rows}
        raw_id = row._raw[0]
        found = by_id.get(raw_id)
        if found is None:  # changed since the list was read (its status, its name)
            with lean_connection(self._engine) as connection:
                (found,) = _LEAN_REST_BY_ID.raw_rows(connection, id=row.id)
            by_id[raw_id] = found
        value = found[index]
        process = self._decoders[index]
        return value if value is None or process is None else process(value)


_RECORD = (
    Customer.id,
    Customer.phone,
    Customer.phone_last4,
    Customer.name,
    Customer.birthday,
    Customer.status,
    Customer.tier_code,
    Customer.enrolled_at,
    Customer.marketing_consent_at,
)
_ID = bindparam("id", type_=Uuid())
_LEAN_BY_ID = Lean(select(*_RECORD).where(Customer.id == _ID))
_LEAN_BY_PHONE = Lean(select(*_RECORD).where(Customer.phone == bindparam("phone")))
# the row a write acts on, locked for its transaction (PostgreSQL; SQLite holds the write lock)
_LEAN_LOCKED = Lean(select(*_RECORD).where(Customer.id == _ID).with_for_update())
# A list of matches (a last 4, a name): the search reads what the counter's list shows of
# each (_LISTED), and the rest of the records (_REST) is read for the whole list, by the
# same search, when a row is first asked for one of them (ListedRow). Reading all nine
# columns of 50 rows is most of a last-4 search's time in SQLite itself (~0.1 us a column
# a row: 0.06 ms of the 1M shop's 0.09 ms; the list's four, 0.034 ms).
_LISTED = (Customer.id, Customer.phone, Customer.name, Customer.tier_code)
_REST = (
    Customer.id,
    Customer.phone_last4,
    Customer.birthday,
    Customer.status,
    Customer.enrolled_at,
    Customer.marketing_consent_at,
)


def _by_last4(*columns: Any) -> Lean:
    return Lean(
        select(*columns)
        .where(Customer.phone_last4 == bindparam("last4"), Customer.status == "active")
        .order_by(Customer.name, Customer.id)
        .limit(MAX_MATCHES)
    )


def _by_name(*columns: Any) -> Lean:
    return Lean(
        select(*columns)
        .where(
            Customer.name >= bindparam("start"),
            Customer.name < bindparam("end"),
            Customer.status == "active",
        )
        .order_by(Customer.name, Customer.id)
        .limit(MAX_MATCHES)
    )


# one range of ix_customers_last4_active_name, in order, no table lookup (0028), both
_LEAN_LIST_BY_LAST4, _LEAN_REST_BY_LAST4 = _by_last4(*_LISTED), _by_last4(*_REST)
_LEAN_LIST_BY_NAME, _LEAN_REST_BY_NAME = _by_name(*_LISTED), _by_name(*_REST)
_LEAN_REST_BY_ID = Lean(select(*_REST).where(Customer.id == _ID))
# a card and its holder in one statement (a blank card has none: the customer columns are NULL)
_LEAN_BY_CARD = Lean(
    select(MembershipCard.status, MembershipCard.customer_id, *_RECORD)
    .select_from(MembershipCard)
    .outerjoin(Customer, Customer.id == MembershipCard.customer_id)
    .where(MembershipCard.token == bindparam("token"))
    .limit(1)
)


def _record(row: tuple[Any, ...] | None) -> CustomerRecord | None:
    return None if row is None else CustomerRecord(*row)


def _lean_card(connection: LeanConnection, token: str) -> CustomerRow | None:
    """_by_card's answer and refusals, from one statement."""
    found = _LEAN_BY_CARD.raw_rows(connection, token=token)
    if not found:
        return None
    row = found[0]
    card_status, holder = row[0], row[1]
    if card_status != "active":
        raise Refused("card.revoked")
    if holder is None:
        raise Refused("card.blank")
    if row[2] is None:
        return None
    return CustomerRow(row[2:], _LEAN_BY_CARD.decoders(connection.dialect)[2:])


def lean_search(ctx: Context, query_text: str) -> list[CustomerRow]:
    """search() on the lean path: the active customers the one search field finds, as rows
    that decode a column when it is read (CustomerRow; `record()` for all of it). A list
    (a last 4, a name) comes as ListedRows: the list's columns now, the rest when asked."""
    query = classify_query(query_text)
    with lean_connection(ctx.db.engine) as connection:
        if query.kind == "card":
            card = _lean_card(connection, query.value)
            return [card] if card is not None and card.status == "active" else []
        if query.kind == "phone":  # the one number's holder, if an active member
            rows = _LEAN_BY_PHONE.raw_rows(connection, phone=query.value)
            decoders = _LEAN_BY_PHONE.decoders(connection.dialect)  # the statement's own
            found = [CustomerRow(row, decoders) for row in rows]
            return [row for row in found if row.status == "active"]
        if query.kind == "last4":
            listed, rest, params = _LEAN_LIST_BY_LAST4, _LEAN_REST_BY_LAST4, {"last4": query.value}
        elif query.kind == "name":
            listed, rest = _LEAN_LIST_BY_NAME, _LEAN_REST_BY_NAME
            params = {"start": query.value, "end": query.value + "\uffff"}
        else:
            raise Refused("query.invalid", query=query_text)
        rows = listed.raw_rows(connection, **params)
        decoders = listed.decoders(connection.dialect)
    if not rows:
        return []
    rests = _Rest(ctx.db.engine, rest, params, decoders[0])
    return [ListedRow(row, rests) for row in rows]


def lean_resolve(ctx: Context, who: str) -> CustomerRecord:
    """resolve_who() on the lean path: the usable customer a phone, a card or an id names."""
    text = who.strip()
    key = _as_id(text)
    with lean_connection(ctx.db.engine) as connection:
        if key is not None:
            found = _record(_LEAN_BY_ID.first(connection, id=key))
            if found is None:
                raise Refused("customer.not_found", query=str(key))
            return _usable_record(found)
        query = classify_query(text)
        if query.kind == "phone":
            found = _record(_LEAN_BY_PHONE.first(connection, phone=query.value))
        elif query.kind == "card":
            card = _lean_card(connection, query.value)
            found = card.record() if card is not None else None
        elif query.kind in ("last4", "name"):
            raise Refused("who.ambiguous", query=text)
        else:
            parse_phone(text, allow_landline=True, allow_legacy=True)
            raise Refused("query.invalid", query=text)
    if found is None:
        raise Refused("customer.not_found", query=text)
    return _usable_record(found)


def _as_id(text: str) -> uuid.UUID | None:
    """The customer id a text spells, if it is one (32 hex digits at least: never a phone)."""
    if len(text) < 32:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _usable_record(customer: CustomerRecord) -> CustomerRecord:
    if customer.status != "active":
        raise Refused("customer.inactive", status=customer.status)
    return customer


_LEAN_CARD = Lean(_ACTIVE_CARD)
# the window's spend and the card in one statement (a status, a redemption's, a void's)
_LEAN_SPEND_AND_CARD = Lean(select(_WINDOW_SPEND.scalar_subquery(), _ACTIVE_CARD.scalar_subquery()))
_LEAN_SPEND = Lean(_WINDOW_SPEND)
_LEAN_VISITS = Lean(_RECENT_VISITS)
_USES = aliased(Redemption)
# a coupon with its net uses (a void row points at the use it undoes): usable when none
_LEAN_COUPONS = Lean(
    _USABLE_COUPONS.with_only_columns(
        Coupon.code,
        Coupon.kind,
        Coupon.value,
        Coupon.valid_until,
        select(func.coalesce(func.sum(case((_USES.reverses_id.is_(None), 1), else_=-1)), 0))
        .where(_USES.coupon_id == Coupon.id)
        .scalar_subquery(),
    )
)
_LEAN_MOVES = Lean(MOVES)


def lean_status(ctx: Context, customer_id: uuid.UUID, now: datetime) -> CustomerStatus:
    """status_of(usable_customer(id)) on the lean path: one read snapshot, no Session."""
    with lean_connection(ctx.db.engine, snapshot=True) as connection:
        found = _record(_LEAN_BY_ID.first(connection, id=customer_id))
        if found is None:
            raise Refused("customer.not_found", query=str(customer_id))
        customer = _usable_record(found)
        state = program_state_lean(connection)
        program = state.program
        bal = position_sums(connection, customer.id, now).balances()  # bounded for regulars
        spend, card = _lean_spend_and_card(ctx, connection, program, customer.id, now)
        terms_now = card_terms(program)
        windows = goal_windows(state.experiments, customer.id) if state.experiments else ()
        if needs_replay(state, terms_now, windows):
            assert state.timeline is not None
            rows = _LEAN_MOVES.rows(connection, customer_id=customer.id)
            cards = replay_stamp_cards(
                moves_of(rows, state.versions, state.timeline, windows),
                new_card_terms(terms_now, windows, now),
            )
        else:
            cards = cards_from_balance(bal.stamps, terms_now)
        coupons, visits = _lean_coupons_visits(connection, customer.id, now)
    return _status(
        ctx,
        customer,
        now,
        program=program,
        bal=bal,
        spend=spend,
        cards=cards,
        card=card,
        coupons=coupons,
        visits=visits,
        experiments=state.experiments,
    )


def _lean_spend_and_card(
    ctx: Context,
    connection: LeanConnection,
    program: Program,
    customer_id: uuid.UUID,
    now: datetime,
) -> tuple[int, str | None]:
    """window_spend and active_card by one lean read."""
    row = _LEAN_SPEND_AND_CARD.first(
        connection, customer_id=customer_id, start=window_start(ctx, program, now)
    )
    assert row is not None  # a SELECT of two scalar subqueries always has its row
    return int(row[0] or 0), row[1]


def _lean_extras(
    connection: LeanConnection, customer_id: uuid.UUID, now: datetime
) -> tuple[str | None, list[CouponView], list[tuple[datetime, int]]]:
    """The status's card, usable coupons and last visits: three lean reads."""
    card = _LEAN_CARD.first(connection, customer_id=customer_id)
    coupons, visits = _lean_coupons_visits(connection, customer_id, now)
    return card[0] if card else None, coupons, visits


def _lean_coupons_visits(
    connection: LeanConnection, customer_id: uuid.UUID, now: datetime
) -> tuple[list[CouponView], list[tuple[datetime, int]]]:
    """The status's usable coupons and last visits: two lean reads."""
    coupons = [
        CouponView(code, kind, value, valid_until)
        for code, kind, value, valid_until, uses in _LEAN_COUPONS.rows(
            connection, customer_id=customer_id, now=now
        )
        if uses <= 0
    ]
    visits = _LEAN_VISITS.rows(connection, customer_id=customer_id, limit=5)
    return coupons, [(at, int(amount)) for at, amount in visits]


def lean_lock_usable(
    session: Session, connection: LeanConnection, customer_id: uuid.UUID
) -> CustomerRecord:
    """lock_usable_customer on the write's lean connection: the same row, locked the same way
    (FOR UPDATE on PostgreSQL), checked the same way, as a plain record, not an ORM object.

    What the Session holds unflushed goes in first, as the ORM query's autoflush did. A
    write that changes the customer's row (a promotion) takes the ORM object then
    (`customer_object`); tests/services/test_lean_lock.py holds the two reads together."""
    found = lean_lock(session, connection, customer_id)
    if found is None:
        raise Refused("customer.not_found", query=str(customer_id))
    return _usable_record(found)


def lean_lock(
    session: Session, connection: LeanConnection, customer_id: uuid.UUID
) -> CustomerRecord | None:
    """lock_customer on the write's lean connection, as a record (None: no such row)."""
    session.flush()
    return _record(_LEAN_LOCKED.first(connection, id=customer_id))


def customer_object(session: Session, customer: Customer | CustomerRecord) -> Customer:
    """The Session's object of a customer read as a record (no statement if it holds it)."""
    if isinstance(customer, Customer):
        return customer
    found = session.get(Customer, customer.id)
    assert found is not None  # locked by this transaction: it cannot have gone
    return found


def lean_sums(connection: LeanConnection, customer_id: uuid.UUID, now: datetime) -> LedgerSums:
    """ledger_sums on a lean connection (a sale's, through session_lean): a regular's kept
    position brought up to date, or the sums of the whole ledger (app.services.ledger_position).
    """
    return position_sums(connection, customer_id, now)


def lean_window_spend(
    ctx: Context,
    connection: LeanConnection,
    program: Program,
    customer_id: uuid.UUID,
    now: datetime,
) -> int:
    """window_spend on a lean connection."""
    row = _LEAN_SPEND.first(
        connection, customer_id=customer_id, start=window_start(ctx, program, now)
    )
    return int(row[0] or 0) if row else 0


def lean_status_after(
    ctx: Context,
    session: Session,
    connection: LeanConnection,
    customer: Customer | CustomerRecord,
    now: datetime,
    *,
    state: ProgramState,
    bal: Balances,
) -> CustomerStatus:
    """The status after a write (a redemption, a void): status_of with the balances the write
    carried forward, its other reads (the window's spend among them) lean on the write's
    connection, after its rows. Rows the Session holds unflushed are not seen: flush first."""
    program = state.program
    spend, card = _lean_spend_and_card(ctx, connection, program, customer.id, now)
    cards = stamp_cards(session, customer.id, balance=bal.stamps, program=program, state=state)
    coupons, visits = _lean_coupons_visits(connection, customer.id, now)
    return _status(
        ctx,
        customer,
        now,
        program=program,
        bal=bal,
        spend=spend,
        cards=cards,
        card=card,
        coupons=coupons,
        visits=visits,
        experiments=state.experiments,
    )


def lean_status_in(
    ctx: Context,
    connection: LeanConnection,
    customer: Customer | CustomerRecord,
    now: datetime,
    *,
    program: Program,
    bal: Balances,
    spend: int,
    cards: StampCards,
    experiments: tuple[AppliedExperiment, ...] = (),
) -> CustomerStatus:
    """status_of with what a sale read already, its other reads lean on the sale's connection."""
    card, coupons, visits = _lean_extras(connection, customer.id, now)
    return _status(
        ctx,
        customer,
        now,
        program=program,
        bal=bal,
        spend=spend,
        cards=cards,
        card=card,
        coupons=coupons,
        visits=visits,
        experiments=experiments,
    )


# --- enrolling ----------------------------------------------------------------------


@dataclass(frozen=True)
class Enrollment:
    id: uuid.UUID
    card: str
    phone_masked: str
    points: int
    status: CustomerStatus


def clean_name(name: str | None) -> str | None:
    if name is None:
        return None
    name = clean_line(name)
    if not name:
        return None
    if len(name) > MAX_NAME_LENGTH:
        raise Refused("customer.name_too_long", maximum=MAX_NAME_LENGTH)
    if any(ch.isdigit() for ch in name):
        raise Refused("customer.name_digits")
    return name


def parse_birthday(value: str | date | None, today: date) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        typed = value.strip()
        try:
            value = date.fromisoformat(typed)
        except ValueError as exc:
            if impossible_day(typed) == typed:  # the right shape, a day the calendar lacks
                raise Refused("date.not_exist", value=typed) from exc
            raise Refused("customer.birthday_invalid", value=typed) from exc
    if value > today or value.year < 1900:
        raise Refused("customer.birthday_range", value=value.isoformat())
    return value


def enroll(
    ctx: Context,
    phone: str,
    *,
    name: str | None = None,
    birthday: str | date | None = None,
    marketing_consent: bool = False,
    referrer_id: uuid.UUID | None = None,
    card_token: str | None = None,
    consent_source: str = "counter",
) -> Enrollment:
    with ctx.db.write() as session:
        customer, card = enroll_in(
            ctx,
            session,
            phone,
            now=ctx.now(),
            name=name,
            birthday=birthday,
            marketing_consent=marketing_consent,
            referrer_id=referrer_id,
            card_token=card_token,
            consent_source=consent_source,
        )
        session.flush()
        status = status_of(ctx, session, customer, ctx.now())
        return Enrollment(customer.id, card, status.phone_masked or "", status.points, status)


@dataclass(frozen=True)
class NewMember:
    """One member to enroll, already checked: a parsed phone, a clean name, a real birthday."""

    phone: Phone
    name: str | None = None
    birthday: date | None = None
    marketing_consent: bool = False
    card_token: str | None = None  # a blank card the member takes; None: a new card is made
    consent_source: str = "counter"  # how the consents were given (CONSENT_SOURCES)
    # an import keeps when and how the marketing consent was first given
    marketing_consent_at: datetime | None = None
    marketing_source: str | None = None


def enroll_in(
    ctx: Context,
    session: Session,
    phone_text: str,
    *,
    now: datetime,
    name: str | None = None,
    birthday: str | date | None = None,
    marketing_consent: bool = False,
    referrer_id: uuid.UUID | None = None,
    card_token: str | None = None,
    allow_legacy: bool = False,
    welcome_bonus: bool = True,
    consent_source: str = "counter",
) -> tuple[Customer, str]:
    """Enroll inside a transaction: checks everything before writing anything."""
    phone = parse_phone(
        phone_text,
        allow_landline=bool(ctx.settings.get("allow_landline")),
        allow_legacy=allow_legacy,
    )
    member = NewMember(
        phone,
        name=clean_name(name),
        birthday=parse_birthday(birthday, ctx.local_date(now)),
        marketing_consent=marketing_consent,
        card_token=card_token,
        consent_source=consent_source,
    )
    refuse_existing_phones(session, [phone])
    referrer_customer = usable_customer(session, referrer_id) if referrer_id else None
    ((customer, token),) = enroll_many(
        ctx,
        session,
        [member],
        now=now,
        referrer_id=referrer_customer.id if referrer_customer else None,
    )
    _, program = current_program(session)
    expires = lot_expiry(ctx, program, now)
    if welcome_bonus and program.bonuses.signup > 0:
        append_entry(
            ctx,
            session,
            customer_id=customer.id,
            kind="bonus",
            at=now,
            points=program.bonuses.signup,
            expires_at=expires,
            reason="signup",
            once_key="signup",
        )
    if referrer_customer is not None and program.bonuses.referral > 0:
        lock_customer(session, referrer_customer.id)
        append_entry(
            ctx,
            session,
            customer_id=customer.id,
            kind="bonus",
            at=now,
            points=program.bonuses.referral,
            expires_at=expires,
            reason="referral",
            once_key="referred",
        )
        append_entry(
            ctx,
            session,
            customer_id=referrer_customer.id,
            kind="bonus",
            at=now,
            points=program.bonuses.referral,
            expires_at=expires,
            reason="referral",
            once_key=f"referral:{customer.id}",
        )
    return customer, token


def refuse_existing_phones(session: Session, phones: list[Phone]) -> None:
    """customer.exists for the first of these numbers a customer already has (one query)."""
    taken = set(
        session.scalars(
            select(Customer.phone).where(Customer.phone.in_([p.national for p in phones]))
        )
    )
    for phone in phones:
        if phone.national in taken:
            raise Refused("customer.exists", phone=phone.masked())
        taken.add(phone.national)  # the same number twice in one batch


def enroll_many(
    ctx: Context,
    session: Session,
    members: list[NewMember],
    *,
    now: datetime,
    referrer_id: uuid.UUID | None = None,
) -> list[tuple[Customer, str]]:
    """Enroll members inside a transaction with a few statements for all of them.

    Each is what enroll_in writes without bonuses: the customer in the program's first tier,
    a card (the blank one given, or a new one), the tier change, the month's figures and the
    audit row. Everything is checked before anything is written; a refusal writes nothing.
    The caller has checked that no customer has these phones (refuse_existing_phones).
    """
    if not members:
        return []
    cards = _cards_for_enrollment(session, [m.card_token for m in members])
    fresh = _unused_tokens(session, sum(1 for card in cards if card is None))
    version_id, program = current_program(session)
    base_tier = program.tiers.levels[0].code
    wording = ctx.settings.get("consent_version", "1")
    customers: list[Customer] = []
    for member in members:
        customer = Customer(
            phone=member.phone.national,
            phone_last4=member.phone.last4,
            name=member.name,
            birthday=member.birthday,
            status="active",
            tier_code=base_tier,
            enrolled_at=now,
            store_id=ctx.store_id,
            referrer_id=referrer_id,
            program_consent_at=now,
            consent_wording_version=wording,
            program_consent_source=member.consent_source,
            register_id=ctx.register_id,
        )
        customer.id = new_id()
        customers.append(customer)
    session.add_all(customers)
    session.flush()  # the customers before the rows that point at them
    for customer, member in zip(customers, members, strict=True):
        if member.marketing_consent:  # the enrolment form's consent is to SMS advertising
            consents.record_in(
                ctx,
                session,
                customer,
                channel="sms",
                purpose="ad",
                grant=True,
                at=member.marketing_consent_at or now,
                source=member.marketing_source or member.consent_source,
            )
    enrolled: list[tuple[Customer, str]] = []
    for customer, card in zip(customers, cards, strict=True):
        if card is None:
            card = MembershipCard(token=fresh.pop(), issued_at=now)
            session.add(card)
        card.customer_id = customer.id
        card.register_id = card.register_id or ctx.register_id
        session.add(
            TierChange(
                customer_id=customer.id,
                from_code=None,
                to_code=base_tier,
                reason="enroll",
                changed_at=now,
                register_id=ctx.register_id,
            )
        )
        enrolled.append((customer, card.token))
    bump(ctx, session, now, new_members=len(members), **{f"tier:{base_tier}": len(members)})
    audit_many(
        ctx,
        session,
        [
            (
                "customer.enroll",
                customer.id,
                {
                    "marketing_consent": member.marketing_consent,
                    "program_version": str(version_id),
                },
            )
            for customer, member in zip(customers, members, strict=True)
        ],
        at=now,
    )
    return enrolled


def _unused_tokens(session: Session, n: int) -> list[str]:
    """n new card numbers no card has (one query for all of them, again for a rare clash)."""
    tokens: set[str] = set()
    while len(tokens) < n:
        wanted = {new_card_token() for _ in range(n - len(tokens))}
        clash = set(
            session.scalars(select(MembershipCard.token).where(MembershipCard.token.in_(wanted)))
        )
        tokens |= wanted - clash
    return sorted(tokens)


def _cards_for_enrollment(
    session: Session, tokens: list[str | None]
) -> list[MembershipCard | None]:
    """The blank card each member scanned (None: none), checked as _card_for_enrollment does."""
    typed = [normalize_card_token(t) if t is not None else None for t in tokens]
    for token in typed:
        if token is not None and not is_valid_card_token(token):
            raise Refused("card.invalid")
    wanted = [t for t in typed if t is not None]
    found = (
        {
            card.token: card
            for card in session.scalars(
                select(MembershipCard).where(MembershipCard.token.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    chosen: list[MembershipCard | None] = []
    given: set[str] = set()
    for token in typed:
        if token is None:
            chosen.append(None)
            continue
        card = found.get(token)
        if card is None:
            raise Refused("card.unknown")
        if card.status != "active":
            raise Refused("card.revoked")
        if card.customer_id is not None or token in given:
            raise Refused("card.taken")
        given.add(token)
        chosen.append(card)
    return chosen


def _unused_token(session: Session) -> str:
    while True:
        token = new_card_token()
        if (
            session.scalars(select(MembershipCard.id).where(MembershipCard.token == token)).first()
            is None
        ):
            return token


def _card_for_enrollment(session: Session, token: str | None) -> MembershipCard | None:
    """A blank card scanned at enrollment becomes the new customer's card."""
    if token is None:
        return None
    token = normalize_card_token(token)
    if not is_valid_card_token(token):
        raise Refused("card.invalid")
    card = session.scalars(select(MembershipCard).where(MembershipCard.token == token)).first()
    if card is None:
        raise Refused("card.unknown")
    if card.status != "active":
        raise Refused("card.revoked")
    if card.customer_id is not None:
        raise Refused("card.taken")
    return card


# --- erasing ------------------------------------------------------------------------


def erase_customer(ctx: Context, customer_id: uuid.UUID) -> uuid.UUID:
    """Personal data gone for good; the ledger and its totals stay."""
    with ctx.db.write() as session:
        customer = lock_customer(session, usable_customer(session, customer_id).id)
        forget_person(ctx, session, customer, "erased")
        audit(ctx, session, "customer.erase", target=customer.id)
        return customer.id


def forget_person(
    ctx: Context, session: Session, customer: Customer, status: str, *, register: bool = True
) -> None:
    """Erasure or withdrawal: the person's data destroyed now, cards stopped, ledger kept.

    Reports count members as enrolled less erased, so either way the member leaves the count.
    """
    now = ctx.now()
    if register:  # a restore re-applies the register, so an old backup keeps them forgotten
        record_erasure(session, customer.id, now, status)
    clear_personal_data(customer)
    customer.status = status
    if status == "withdrawn":
        customer.withdrawn_at = now
    else:
        customer.erased_at = now
    session.execute(
        update(MembershipCard)
        .where(MembershipCard.customer_id == customer.id, MembershipCard.status == "active")
        .values(status="revoked", revoked_at=now)
    )
    # the messages written to them held their name and numbers: the texts go, the log stays,
    # and nothing still waiting is sent
    session.execute(
        update(Message).where(Message.customer_id == customer.id).values(text="", variables="{}")
    )
    session.execute(
        update(Message)
        .where(Message.customer_id == customer.id, Message.status.in_(("queued", "held")))
        .values(status="refused", last_error=status)
    )
    from app.services.partners import withdraw_in  # the coalition no longer finds them

    withdraw_in(ctx, session, customer.id)
    # their words in a visit rating go with them; the score stays in its month's NPS
    session.execute(
        update(VisitRating).where(VisitRating.customer_id == customer.id).values(comment=None)
    )
    bump(ctx, session, now, members_erased=1, **{f"tier:{customer.tier_code}": -1})


def clear_personal_data(customer: Customer) -> None:
    customer.phone = None
    customer.phone_last4 = None
    customer.name = None
    customer.birthday = None
    customer.marketing_consent_at = None
    customer.marketing_consent_source = None


def ledger_count(session: Session, customer_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.customer_id == customer_id)
        )
        or 0
    )


# --- cards --------------------------------------------------------------------------


def reissue_card(ctx: Context, customer_id: uuid.UUID, card_token: str | None = None) -> str:
    """Revoke the member's cards (a lost card stops working) and give a new one."""
    with ctx.db.write() as session:
        customer = lock_customer(session, usable_customer(session, customer_id).id)
        now = ctx.now()
        replacement = _card_for_enrollment(session, card_token)
        for card in session.scalars(
            select(MembershipCard).where(
                MembershipCard.customer_id == customer.id, MembershipCard.status == "active"
            )
        ):
            card.status = "revoked"
            card.revoked_at = now
        if replacement is None:
            replacement = MembershipCard(
                token=_unused_token(session), issued_at=now, register_id=ctx.register_id
            )
            session.add(replacement)
        replacement.customer_id = customer.id
        # the member's pass in Google Wallet keeps its object; its barcode moves to the new card
        requeue_member(session, customer.id, now, token=replacement.token)
        audit(ctx, session, "card.reissue", target=customer.id)
        return replacement.token
