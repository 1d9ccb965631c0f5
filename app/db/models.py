"""The tables: stores, staff, customers, cards, sales, the ledger, coupons, tiers, audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin


class OriginMixin:
    """The register that created the row, so databases of several registers merge cleanly."""

    register_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class Store(IdMixin, OriginMixin, Base):
    __tablename__ = "stores"

    name: Mapped[str] = mapped_column(String(200))
    business_number: Mapped[str | None] = mapped_column(String(20), default=None)
    address: Mapped[str | None] = mapped_column(String(300), default=None)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    created_at: Mapped[datetime]


class Register(IdMixin, OriginMixin, Base):
    __tablename__ = "registers"

    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Staff(IdMixin, OriginMixin, Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("role IN ('owner', 'cashier')", name="role"),)

    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    pin_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # the staff member's own membership, when the owner links it (the fraud guard "staff
    # earning on their own number"); no foreign key: staff sync before customers
    customer_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SignInAttempt(IdMixin, OriginMixin, Base):
    """Every PIN tried at a register: five wrong in a row lock that person out for a while."""

    __tablename__ = "signin_attempts"
    __table_args__ = (Index("ix_signin_attempts_staff", "staff_id", "at"),)

    staff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime]
    success: Mapped[bool]


class Customer(IdMixin, OriginMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'withdrawn', 'erased', 'merged')", name="status"),
        # the counter's search by the last 4 digits (active, by name, id, LIMIT 50) is one
        # range of this index with no sort and no table lookup: it holds every column the
        # counter's record reads (services.customers.CustomerRecord); the back office's
        # search of any status goes by its leading phone_last4 (migration 0028)
        Index(
            "ix_customers_last4_active_name",
            "phone_last4",
            "status",
            "name",
            "id",
            "phone",
            "birthday",
            "tier_code",
            "enrolled_at",
            "marketing_consent_at",
        ),
        # the search by a name's beginning: the active members by name, id
        Index("ix_customers_active_name", "status", "name", "id"),
        Index("ix_customers_name", "name"),
        # the back office's filters page by key within a tier or a status, and list consents
        # due for renewal, over a million members
        Index("ix_customers_tier_status_id", "tier_code", "status", "id"),
        Index("ix_customers_status_id", "status", "id"),
        Index("ix_customers_marketing_consent_at", "marketing_consent_at"),
    )

    # National digits ("01012345678"); NULL once erased. Unique among the living.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    phone_last4: Mapped[str | None] = mapped_column(String(4))
    name: Mapped[str | None] = mapped_column(String(100), default=None)
    birthday: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(10), default="active")
    tier_code: Mapped[str] = mapped_column(String(20))
    enrolled_at: Mapped[datetime]
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    referrer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), default=None)
    program_consent_at: Mapped[datetime | None] = mapped_column(default=None)
    marketing_consent_at: Mapped[datetime | None] = mapped_column(default=None)
    consent_wording_version: Mapped[str | None] = mapped_column(String(40), default=None)
    # how each consent was given: "counter", "cli", "import", "back_office", "demo" (None:
    # recorded before the source was kept)
    program_consent_source: Mapped[str | None] = mapped_column(String(20), default=None)
    marketing_consent_source: Mapped[str | None] = mapped_column(String(20), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
    # Two records of one person merged: this one now lives on in the other.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), default=None
    )


class MembershipCard(IdMixin, OriginMixin, Base):
    __tablename__ = "membership_cards"
    __table_args__ = (CheckConstraint("status IN ('active', 'revoked')", name="status"),)

    # Random digits with a check digit: never the phone, never a sequence.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # NULL for a blank card printed ahead and handed out at enrollment.
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    issued_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class ProgramVersion(IdMixin, OriginMixin, Base):
    """Every program the owner ever loaded; the newest is in force, each action names its own."""

    __tablename__ = "program_versions"

    created_at: Mapped[datetime] = mapped_column(index=True)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    document: Mapped[str] = mapped_column(Text)


class Sale(IdMixin, OriginMixin, Base):
    """A visit with a purchase; a void is a new row with the negated amount."""

    __tablename__ = "sales"
    __table_args__ = (Index("ix_sales_customer_time", "customer_id", "occurred_at", "amount"),)

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[int] = mapped_column(Integer)
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    program_version_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("program_versions.id"))
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sales.id"), unique=True, default=None
    )
    # a partial or whole refund from the POS: a new row with the negated refunded amount
    refund_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sales.id"), index=True, default=None
    )


class Redemption(IdMixin, OriginMixin, Base):
    """Points, a stamp reward or a coupon used; a void is a new row pointing at it."""

    __tablename__ = "redemptions"
    __table_args__ = (
        CheckConstraint("kind IN ('points', 'stamps', 'coupon')", name="kind"),
        Index("ix_redemptions_coupon", "coupon_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    coupon_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coupons.id"), default=None)
    occurred_at: Mapped[datetime]
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("redemptions.id"), unique=True, default=None
    )


LEDGER_KINDS = ("earn", "bonus", "redeem", "expire", "adjust", "void", "refund")


class LedgerEntry(IdMixin, OriginMixin, Base):
    """One change of points or stamps. Rows are only ever appended; balances are sums."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('earn', 'bonus', 'redeem', 'expire', 'adjust', 'void', 'refund')",
            name="kind",
        ),
        # Balance and FIFO expiry are sums over this index alone.
        Index("ix_ledger_customer_expiry", "customer_id", "expires_at", "points", "stamps"),
        Index("ix_ledger_customer_time", "customer_id", "occurred_at"),
        Index("ix_ledger_expires_at", "expires_at"),
        # A bonus given once (signup, birthday of a year, referral) cannot be given twice.
        UniqueConstraint("customer_id", "once_key", name="uq_ledger_entries_once"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    stamps: Mapped[int] = mapped_column(Integer, default=0)
    occurred_at: Mapped[datetime]
    # Set on entries that add points (and on their voids): when the lot expires.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(300), default=None)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ledger_entries.id"), unique=True, default=None
    )
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"), index=True)
    redemption_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("redemptions.id"), index=True, default=None
    )
    once_key: Mapped[str | None] = mapped_column(String(60), default=None)


class Coupon(IdMixin, OriginMixin, Base):
    __tablename__ = "coupons"
    __table_args__ = (CheckConstraint("kind IN ('amount', 'percent', 'item')", name="kind"),)

    code: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[int] = mapped_column(BigInteger)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20), default="manual")
    issued_at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))


class TierChange(IdMixin, OriginMixin, Base):
    """Tier history: every promotion and demotion with its reason."""

    __tablename__ = "tier_changes"
    __table_args__ = (
        Index("ix_tier_changes_customer", "customer_id", "changed_at"),
        # One monthly evaluation per customer and month, however often the daily run runs.
        UniqueConstraint("customer_id", "period", name="uq_tier_changes_period"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    from_code: Mapped[str | None] = mapped_column(String(20))
    to_code: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(20))  # enroll, sale, evaluation, void, import
    changed_at: Mapped[datetime]
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"), default=None)
    period: Mapped[str | None] = mapped_column(String(7), default=None)
    window_spend: Mapped[int | None] = mapped_column(BigInteger, default=None)


class Setting(Base):
    """Shop settings as JSON values (time zone, masking style, this database's register)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(IdMixin, OriginMixin, Base):
    """Who looked up, changed, voided, exported or erased what; each row hashes the one before."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        # the chain's previous row is the newest of the same register
        Index("ix_audit_log_register_chain", "register_id", "id"),
    )

    at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(40), default=None)
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DailyRun(Base):
    """The last daily run of each local day, with what it did."""

    __tablename__ = "daily_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ran_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text)


class MonthlyStat(Base):
    """Figures kept up to date as entries are written, so reports never scan the ledger."""

    __tablename__ = "monthly_stats"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class CustomerMonth(Base):
    """A customer was active (made a purchase) in a local month."""

    __tablename__ = "customer_months"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)


# --- cloud sync (see app/sync) --------------------------------------------------------


class SyncClock(Base):
    """One row: this database's hybrid logical clock and whether changes are being tracked."""

    __tablename__ = "sync_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # microseconds-ish: max(wall clock in ms * 1000, last + 1), advanced past every pulled clock
    hlc: Mapped[int] = mapped_column(BigInteger, default=0)
    # 1 once sync is set up: the triggers write the outbox
    tracking: Mapped[int] = mapped_column(Integer, default=0)
    # 1 while pulled rows are applied: the triggers stay quiet
    applying: Mapped[int] = mapped_column(Integer, default=0)
    register_hex: Mapped[str] = mapped_column(String(32), default="")
    pulled_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class SyncOutbox(Base):
    """A change of this register not yet on the server (written by triggers, same transaction)."""

    __tablename__ = "sync_outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tbl: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID]
    # NULL: the row is new; else the column that changed
    field: Mapped[str | None] = mapped_column(String(40), default=None)
    hlc: Mapped[int] = mapped_column(BigInteger)


class SyncFieldClock(Base):
    """When a field of a mutable row last changed, and where: the latest (hlc, origin) wins."""

    __tablename__ = "sync_field_clocks"

    tbl: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # "*" is the row's creation: fields without a clock of their own have that one
    field: Mapped[str] = mapped_column(String(40), primary_key=True)
    hlc: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(32))


class SyncChange(Base):
    """Central database only: the feed registers pull from, numbered in commit order."""

    __tablename__ = "sync_changes"
    __table_args__ = (Index("ix_sync_changes_row", "tbl", "row_id"),)

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    tbl: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID]
    # the register that pushed it; NULL for what the server decided (merges, conflicts)
    origin: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SyncConflict(IdMixin, OriginMixin, Base):
    """Something sync could not merge silently: shown to the owner in the needs-attention list."""

    __tablename__ = "sync_conflicts"

    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    tbl: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[uuid.UUID]
    detail: Mapped[str | None] = mapped_column(Text, default=None)


class PosSale(IdMixin, OriginMixin, Base):
    """A sale the POS sent (local API, receipt tap, `sale --ref`), keyed by the POS's own ref.

    The same ref twice is the same sale: posting it again writes nothing. Without a customer
    it is pending until the cashier attaches one (or it lapses after the owner's window).
    """

    __tablename__ = "pos_sales"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'posted', 'lapsed', 'cancelled')", name="status"),
        Index("ix_pos_sales_status_received", "status", "received_at"),
    )

    ref: Mapped[str] = mapped_column(String(64), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[int] = mapped_column(Integer)
    items_detail: Mapped[str | None] = mapped_column(Text, default=None)  # the POS's items, JSON
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"))
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"), unique=True)
    tier_code: Mapped[str | None] = mapped_column(String(20), default=None)  # tier it earned at
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))  # api, tap, cli
    token_name: Mapped[str | None] = mapped_column(String(60), default=None)
    received_at: Mapped[datetime]
    posted_at: Mapped[datetime | None] = mapped_column(default=None)


class PosRefund(IdMixin, OriginMixin, Base):
    """One refund of a POS sale, keyed by the POS's refund ref; what it took back and gave back."""

    __tablename__ = "pos_refunds"

    refund_ref: Mapped[str] = mapped_column(String(64), unique=True)
    pos_sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pos_sales.id"), index=True)
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"))  # the refund row
    amount: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[int] = mapped_column(Integer)
    points_reversed: Mapped[int] = mapped_column(BigInteger)
    stamps_reversed: Mapped[int] = mapped_column(Integer)
    points_restored: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]
    token_name: Mapped[str | None] = mapped_column(String(60), default=None)


class PosRedemption(IdMixin, OriginMixin, Base):
    """A redemption the POS asked for, keyed by its ref (and the sale it was spent on)."""

    __tablename__ = "pos_redemptions"

    ref: Mapped[str] = mapped_column(String(64), unique=True)
    request: Mapped[str] = mapped_column(String(300))  # what was asked, to tell a retry apart
    redemption_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("redemptions.id"), unique=True)
    pos_sale_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pos_sales.id"), index=True, default=None
    )
    occurred_at: Mapped[datetime]


class ConsentEvent(IdMixin, OriginMixin, Base):
    """A grant or withdrawal of a consent to messages, or a consent notice sent (append-only).

    The current consent of (channel, purpose, night) is its latest grant or withdrawal
    (app/domain/consent.py); customers.marketing_consent_at mirrors SMS advertising.
    """

    __tablename__ = "consent_events"
    __table_args__ = (
        CheckConstraint("action IN ('grant', 'withdraw', 'notice')", name="action"),
        CheckConstraint(
            "channel IS NULL OR channel IN ('sms', 'alimtalk', 'friendtalk')", name="channel"
        ),
        CheckConstraint("purpose IS NULL OR purpose IN ('info', 'ad')", name="purpose"),
        # a grant or withdrawal names its consent; night is an advertising consent only
        CheckConstraint(
            "action = 'notice' OR (channel IS NOT NULL AND purpose IS NOT NULL)", name="names"
        ),
        CheckConstraint("NOT night OR purpose = 'ad'", name="night_ad"),
        Index("ix_consent_events_customer", "customer_id", "at"),
        # the two-yearly notice: advertising grants old enough
        Index("ix_consent_events_due", "purpose", "action", "at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    action: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str | None] = mapped_column(String(12), default=None)
    purpose: Mapped[str | None] = mapped_column(String(6), default=None)
    night: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime]
    # counter, display, import, reply, cli, back_office (None: recorded before it was kept)
    source: Mapped[str | None] = mapped_column(String(20), default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)
    token_name: Mapped[str | None] = mapped_column(String(60), default=None)


# --- messages to members (see app/services/messages.py) --------------------------------


class Message(IdMixin, OriginMixin, Base):
    """One message in the outbox: queued with the event that caused it, sent by the worker.

    Not synced: each register sends what it queued. The idempotency key names the event
    (one message per event, however often it is queued) and goes to the provider with it."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'held', 'sending', 'sent', 'failed', 'fell_back', 'refused')",
            name="status",
        ),
        CheckConstraint("purpose IN ('info', 'ad')", name="purpose"),
        Index("ix_messages_status_send_after", "status", "send_after"),
        Index("ix_messages_customer_created", "customer_id", "created_at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(12))  # alimtalk, sms, friendtalk
    purpose: Mapped[str] = mapped_column(String(5))  # info, ad
    template: Mapped[str] = mapped_column(Text)
    variables: Mapped[str] = mapped_column(Text)  # JSON
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    send_after: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    provider_message_id: Mapped[str | None] = mapped_column(String(64), default=None)
    cost_won: Mapped[int | None] = mapped_column(BigInteger, default=None)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    # when the worker took it (status sending): one left there by a crash is looked up later
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    # what the provider later said became of it: delivered, failed, fell_back (None: not asked
    # yet, or still on its way); when it was delivered, and when the provider was last asked
    delivery: Mapped[str | None] = mapped_column(String(10), default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_at: Mapped[datetime | None] = mapped_column(default=None)


# --- the visit rating (see app/services/ratings.py) -------------------------------------


class VisitRating(IdMixin, OriginMixin, Base):
    """The customer's 0–10 answer to "how was today's visit?", one per sale at most."""

    __tablename__ = "visit_ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 0 AND 10", name="score"),
        Index("ix_visit_ratings_at", "at"),
    )

    sale_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sales.id"), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(200), default=None)
    at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))  # display, tablet, counter


class CheckIn(IdMixin, OriginMixin, Base):
    """A customer who identified themselves on their own screen (the customer display, a tablet).

    ``sale_id`` is filled when a sale is recorded for that member within the POS's pending
    window (the owner's "check-ins with no sale" guard reads the rows where it stays empty).
    """

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("source IN ('display', 'tablet')", name="source"),
        Index("ix_checkins_customer_at", "customer_id", "at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(10))  # display, tablet
    device: Mapped[str | None] = mapped_column(String(60), default=None)
    sale_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sales.id"), default=None)


class MessageTemplate(IdMixin, OriginMixin, Base):
    """A trigger's template: on or off, its 알림톡 text, type and buttons, its SMS/LMS fallback,
    and where Kakao's review of it stands (app/domain/alimtalk.py has the rules).

    One row per trigger kind, seeded by migration 0014 (a kind added later gets its row on
    first use). Not synced: the provider account, hence the review, is this register's."""

    __tablename__ = "message_templates"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'registered', 'inspecting', 'approved', 'rejected', 'missing')",
            name="status",
        ),
        CheckConstraint("template_type IN ('basic', 'extra', 'emphasis')", name="template_type"),
    )

    kind: Mapped[str] = mapped_column(String(30), unique=True)
    on: Mapped[bool] = mapped_column(default=True)
    template_type: Mapped[str] = mapped_column(String(10), default="basic")
    text: Mapped[str] = mapped_column(Text)
    extra: Mapped[str | None] = mapped_column(Text, default=None)
    emphasis_title: Mapped[str | None] = mapped_column(String(50), default=None)
    buttons: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{type, name, links}]
    fallback: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(10), default=None)  # Kakao's category
    status: Mapped[str] = mapped_column(String(12), default="draft")
    status_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    status_changed_at: Mapped[datetime]
    provider_template_id: Mapped[str | None] = mapped_column(String(64), default=None)
    updated_at: Mapped[datetime]


# --- insight (issue 19: segments, experiments, lunar birthdays; see app/services/segments.py) --


class RfmScore(Base):
    """A member's RFM scores and named segment, recomputed as a whole by the daily run
    (derived from sales, so not synced: every register computes its own)."""

    __tablename__ = "rfm_scores"
    __table_args__ = (
        Index("ix_rfm_scores_rf", "r", "f"),
        Index("ix_rfm_scores_segment", "segment"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    last_at: Mapped[datetime]  # the last purchase that still stands
    frequency: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[int] = mapped_column(BigInteger)
    r: Mapped[int] = mapped_column(Integer)
    f: Mapped[int] = mapped_column(Integer)
    m: Mapped[int] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(12))
    computed_on: Mapped[date] = mapped_column(Date)


class OwnerSegment(IdMixin, OriginMixin, Base):
    """A segment the owner named, from rules (tier, last visit, spend, birthday month, RFM)."""

    __tablename__ = "owner_segments"

    name: Mapped[str] = mapped_column(String(60), unique=True)
    rules: Mapped[str] = mapped_column(Text)  # JSON: see app.domain.segments
    created_at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class Experiment(IdMixin, OriginMixin, Base):
    """An offer tested against a holdout or a second variant (app/domain/experiments.py)."""

    __tablename__ = "experiments"
    __table_args__ = (
        CheckConstraint("design IN ('holdout', 'variant')", name="design"),
        CheckConstraint("treatment_percent BETWEEN 1 AND 99", name="treatment_percent"),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(12))  # coupon, campaign, stamp_goal, message
    design: Mapped[str] = mapped_column(String(10))
    treatment_percent: Mapped[int] = mapped_column(Integer)
    start_day: Mapped[date] = mapped_column(Date)  # local, inclusive
    end_day: Mapped[date] = mapped_column(Date)  # local, inclusive
    offer: Mapped[str] = mapped_column(Text, default="{}")  # JSON: what A (and B) got
    created_at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"), default=None)


class LunarBirthday(IdMixin, OriginMixin, Base):
    """A member whose birthday (month and day in customers.birthday) is kept by the lunar
    calendar (``lunar``): the birthday bonus comes on that year's solar date. One row per
    member, its id derived from the member's (app.services.birthdays.lunar_id) so the option
    set at two registers is one synced row; turning it off is an update (the sync never
    deletes)."""

    __tablename__ = "lunar_birthdays"

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), unique=True)
    lunar: Mapped[bool] = mapped_column(Boolean, default=True)
    set_at: Mapped[datetime]


# --- the neighbourhood coalition (골목 제휴; rules in app/domain/partners.py) ----------------


class PartnerProgram(OriginMixin, Base):
    """A coalition this shop belongs to: what the owners agreed and how to reach the others.
    The id is the coalition's; the secret (the join code's second half) keys the lookups."""

    __tablename__ = "partner_programs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    business_id: Mapped[uuid.UUID]  # this shop in the coalition
    name: Mapped[str] = mapped_column(String(100))
    shop_name: Mapped[str] = mapped_column(String(100))
    point_value: Mapped[str] = mapped_column(String(20))  # a Decimal, as text
    earn_rate: Mapped[str] = mapped_column(String(20))
    offline_limit: Mapped[int]
    secret: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    joined_at: Mapped[datetime]


class PartnerEntry(IdMixin, OriginMixin, Base):
    """A partner-point earn or spend at this shop (append-only; a correction is a new entry).
    Queued here and sent to the coalition when it can be reached (partner_sent)."""

    __tablename__ = "partner_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('earn', 'spend')", name="kind"),
        CheckConstraint("points > 0", name="points"),
        Index("ix_partner_entries_account", "coalition_id", "account_id"),
    )

    coalition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_programs.id"))
    account_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(5))
    points: Mapped[int]
    amount: Mapped[int | None] = mapped_column(default=None)  # the sale's won, for an earn
    month: Mapped[str] = mapped_column(String(7))  # in the shop's zone
    at: Mapped[datetime]
    staff_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class PartnerConsentEvent(IdMixin, OriginMixin, Base):
    """A member's grant or withdrawal of consent to the coalition (append-only), recorded like
    consent_events: partners may find the member by phone or card only while it stands."""

    __tablename__ = "partner_consent_events"
    __table_args__ = (
        CheckConstraint("action IN ('grant', 'withdraw')", name="action"),
        Index("ix_partner_consent_events_customer", "customer_id", "at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    coalition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("partner_programs.id"))
    action: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    source: Mapped[str | None] = mapped_column(String(20), default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    token_name: Mapped[str | None] = mapped_column(String(50), default=None)


class PartnerSent(Base):
    """An entry or consent event the coalition has (the queue is what has no row here)."""

    __tablename__ = "partner_sent"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime]


class PartnerSeen(Base):
    """A partner account as this shop last saw it: its balance then (the offline rule)."""

    __tablename__ = "partner_seen"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the account
    coalition_id: Mapped[uuid.UUID]
    home_name: Mapped[str] = mapped_column(String(100))
    balance: Mapped[int]
    known_at: Mapped[datetime]
    lookup_key: Mapped[str | None] = mapped_column(String(64), default=None)  # found by it


# --- the member's card in the phone's wallet (see app/services/mobile_wallet.py) ----------


class MobileWalletPass(IdMixin, OriginMixin, Base):
    """A member's Google Wallet object, and its own outbox entry: `queued` whenever the points
    or the tier differ from what Google last got, sent by the background worker.

    Not synced (like messages): the register that made the link keeps the object up to date,
    and sees the other registers' sales after a sync."""

    __tablename__ = "mobile_wallet_passes"
    __table_args__ = (
        CheckConstraint("kind IN ('google')", name="kind"),
        CheckConstraint("status IN ('queued', 'sending', 'done', 'failed')", name="status"),
        Index("ix_mobile_wallet_passes_status_send_after", "status", "send_after"),
        UniqueConstraint("kind", "object_id", name="uq_mobile_wallet_passes_object"),
    )

    kind: Mapped[str] = mapped_column(String(10))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    token: Mapped[str] = mapped_column(String(32))  # the card token the barcode carries
    object_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    inserted: Mapped[bool] = mapped_column(default=False)  # Google has the object
    pushed_points: Mapped[int | None] = mapped_column(BigInteger, default=None)
    pushed_tier: Mapped[str | None] = mapped_column(String(20), default=None)
    pushed_state: Mapped[str | None] = mapped_column(String(10), default=None)
    send_after: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    pushed_at: Mapped[datetime | None] = mapped_column(default=None)


class MemberPass(IdMixin, OriginMixin, Base):
    """A subscription pass sold to a member, with its plan's terms as they were at the sale.

    Never updated: what happens to it is a `pass_events` row; its state is derived from them
    (app/domain/passes.py)."""

    __tablename__ = "passes"
    __table_args__ = (
        CheckConstraint("price >= 0 AND days >= 1 AND uses_per_day >= 1", name="terms"),
        CheckConstraint("refund_rule IN ('none', 'pro_rata')", name="refund_rule"),
        Index("ix_passes_customer_plan", "customer_id", "plan_code"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    plan_code: Mapped[str] = mapped_column(String(20))
    plan_name: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    benefit: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of item names
    uses_per_day: Mapped[int] = mapped_column(Integer)
    hour_from: Mapped[int | None] = mapped_column(Integer, default=None)
    hour_to: Mapped[int | None] = mapped_column(Integer, default=None)
    refund_rule: Mapped[str] = mapped_column(String(10))
    sold_at: Mapped[datetime]
    start_day: Mapped[date] = mapped_column(Date)
    pos_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class PassEventRow(IdMixin, OriginMixin, Base):
    """One thing that happened to a pass: sold, used, paused, resumed, cancelled, refunded."""

    __tablename__ = "pass_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('sold', 'used', 'paused', 'resumed', 'cancelled', 'refunded')", name="kind"
        ),
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_pass_events_pass", "pass_id", "at"),
        Index("ix_pass_events_kind_day", "kind", "day"),
    )

    pass_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("passes.id"))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)  # the shop's local day of `at`
    amount: Mapped[int] = mapped_column(Integer, default=0)  # won: price sold / refund
    ref: Mapped[str | None] = mapped_column(String(100), default=None)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(default=None)


class WalletEntry(IdMixin, OriginMixin, Base):
    """One change of a member's wallet (적립금 or 선불 충전), in won. Only ever appended;
    a purse's balance is the sum of its entries (app.domain.wallet)."""

    __tablename__ = "wallet_entries"
    __table_args__ = (
        CheckConstraint("purse IN ('cashback', 'prepaid')", name="purse"),
        CheckConstraint(
            "kind IN ('earn', 'spend', 'expire', 'topup', 'refund', 'restore', 'void', 'move')",
            name="kind",
        ),
        Index("ix_wallet_customer_time", "customer_id", "occurred_at"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    purse: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    won: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]
    # Set on cashback that adds (a lot): when it expires; None = never.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    store_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stores.id"))
    staff_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(300), default=None)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("wallet_entries.id"), unique=True, default=None
    )
    sale_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sales.id"), index=True, default=None
    )
    ref: Mapped[str | None] = mapped_column(String(60), default=None)  # a top-up's payment
