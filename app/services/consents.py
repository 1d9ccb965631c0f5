"""Consent to messages: record grants and withdrawals, show them, decide whether a message may
go, and list who is due the two-yearly consent notice (rules in app/domain/consent.py).

Every change is a new consent_events row (a withdrawal too) and an audit entry; SMS
advertising is mirrored in customers.marketing_consent_at / marketing_consent_source, which
the CSV export, the win-back list and the JSON key `marketing_consent` read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.locks import lock_customer
from app.db.models import ConsentEvent as ConsentRow
from app.db.models import Customer
from app.domain import consent as rules
from app.domain.calendar import add_months
from app.domain.consent import Consent, ConsentEvent, ConsentState
from app.domain.errors import Refused
from app.domain.phone import Phone
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.partners import PartnerConsentState, consent_state_in

CHUNK = 500


@dataclass(frozen=True)
class MemberConsents:
    """What `consent show` and the member's record show."""

    member_id: uuid.UUID
    phone_masked: str | None
    status: str
    program_consent_at: datetime | None
    consents: list[Consent]  # every channel × purpose, then night advertising per channel
    last_notice_at: datetime | None
    notice_due_on: date | None
    # the word on the shop's 골목 제휴 (a shop in one), apart from the messages' consents
    partner: PartnerConsentState | None = None


@dataclass(frozen=True)
class NoticeDue:
    """A member due the notice of their consent status (`consent due`)."""

    member_id: uuid.UUID
    phone_masked: str | None
    due_on: date
    consented_at: datetime  # the oldest advertising consent in force
    last_notice_at: datetime | None
    channels: list[str]  # channels with advertising consent
    night: bool  # night advertising consented on any of them


# --- reading -------------------------------------------------------------------------------


def _event(row: ConsentRow) -> ConsentEvent:
    return ConsentEvent(
        action=row.action,
        at=row.at,
        channel=row.channel,
        purpose=row.purpose,
        night=bool(row.night),
        source=row.source,
        staff_id=row.staff_id,
        token=row.token_name,
    )


def _rows_of(
    session: Session, customer_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ConsentEvent]]:
    found: dict[uuid.UUID, list[ConsentEvent]] = {cid: [] for cid in customer_ids}
    for start in range(0, len(customer_ids), CHUNK):
        chunk = list(customer_ids[start : start + CHUNK])
        for row in session.scalars(
            select(ConsentRow)
            .where(ConsentRow.customer_id.in_(chunk))
            .order_by(ConsentRow.at, ConsentRow.id)
        ):
            found[row.customer_id].append(_event(row))
    return found


def state_in(session: Session, customer_id: uuid.UUID) -> ConsentState:
    """The member's consents now, inside the caller's transaction."""
    return rules.current_state(_rows_of(session, [customer_id])[customer_id])


def _view(ctx: Context, session: Session, customer: Customer) -> MemberConsents:
    state = state_in(session, customer.id)
    due = rules.notice_due_on(state, ctx.zone) if customer.status == "active" else None
    return MemberConsents(
        member_id=customer.id,
        phone_masked=_masked(ctx, customer.phone),
        status=customer.status,
        program_consent_at=customer.program_consent_at,
        consents=[state.consents[key] for key in rules.ALL_KEYS],
        last_notice_at=state.last_notice_at,
        notice_due_on=due,
    )


def _masked(ctx: Context, national: str | None) -> str | None:
    return Phone(national).masked(ctx.settings.get("phone_mask", "middle")) if national else None


def _customer(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise Refused("customer.not_found", query=str(customer_id))
    return customer


def mirror_in(session: Session, customer: Customer) -> None:
    """customers.marketing_consent_at/_source as the events say SMS advertising stands (after
    a merge brought in another record's consents)."""
    session.flush()
    sms_ad = state_in(session, customer.id).consents[("sms", "ad", False)]
    customer.marketing_consent_at = sms_ad.granted_at if sms_ad.granted else None
    customer.marketing_consent_source = sms_ad.source if sms_ad.granted else None


def consent_state(ctx: Context, customer_id: uuid.UUID) -> MemberConsents:
    with ctx.db.read() as session:
        state = _view(ctx, session, _customer(session, customer_id))
        return replace(state, partner=consent_state_in(ctx, session, customer_id))


# --- changing ------------------------------------------------------------------------------


def record_in(
    ctx: Context,
    session: Session,
    customer: Customer,
    *,
    channel: str,
    purpose: str,
    grant: bool,
    at: datetime,
    source: str | None,
    night: bool = False,
) -> None:
    """Append one grant or withdrawal inside the caller's transaction, keeping the legacy
    marketing columns in step (SMS advertising). No audit: the caller audits its use case."""
    session.add(
        ConsentRow(
            customer_id=customer.id,
            action="grant" if grant else "withdraw",
            channel=channel,
            purpose=purpose,
            night=night,
            at=at,
            source=source,
            staff_id=ctx.staff_id,
            token_name=ctx.token,
            register_id=ctx.register_id,
        )
    )
    if (channel, purpose, night) == ("sms", "ad", False):
        customer.marketing_consent_at = at if grant else None
        customer.marketing_consent_source = source if grant else None


def apply_in(
    ctx: Context,
    session: Session,
    customer: Customer,
    *,
    channel: str,
    purpose: str,
    grant: bool,
    at: datetime,
    source: str,
    night: bool = False,
) -> list[rules.Key]:
    """One change the customer asked for, inside the caller's transaction: the consents it
    changed. Night consent is an advertising consent and needs that channel's advertising
    consent; withdrawing advertising withdraws night advertising with it."""
    state = state_in(session, customer.id)
    if night and grant and not state.granted(channel, "ad"):
        raise Refused("consent.night_needs_ad", channel=channel)
    changes = [(channel, purpose, night)]
    if purpose == "ad" and not night and not grant and state.granted(channel, "ad", True):
        changes.append((channel, "ad", True))
    for ch, pu, ni in changes:
        record_in(
            ctx,
            session,
            customer,
            channel=ch,
            purpose=pu,
            grant=grant,
            at=at,
            source=source,
            night=ni,
        )
    if grant and (channel, purpose, night) == ("sms", "ad", False):
        customer.consent_wording_version = str(ctx.settings.get("consent_version", "1"))
    return changes


def set_consent(
    ctx: Context,
    customer_id: uuid.UUID,
    channel: str,
    purpose: str,
    grant: bool,
    *,
    night: bool = False,
    source: str = "cli",
) -> MemberConsents:
    """What the customer said, recorded (a cashier may: it is the customer's word, audited)."""
    channel = rules.channel_of(channel)
    purpose = rules.purpose_of(purpose)
    source = rules.source_of(source)
    rules.key_of(channel, purpose, night)
    with ctx.db.write() as session:
        customer = _customer(session, customer_id)
        if customer.status != "active":
            raise Refused("customer.inactive", status=customer.status)
        customer = lock_customer(session, customer.id)
        changes = apply_in(
            ctx,
            session,
            customer,
            channel=channel,
            purpose=purpose,
            grant=grant,
            at=ctx.now(),
            source=source,
            night=night,
        )
        for ch, pu, ni in changes:
            detail = {"channel": ch, "purpose": pu, "night": ni, "granted": grant, "source": source}
            audit(ctx, session, "consent.set", target=customer.id, detail=detail)
        session.flush()
        return _view(ctx, session, customer)


def notice_sent(ctx: Context, customer_id: uuid.UUID, at: datetime) -> None:
    """The notice of the member's consent status went out at `at`: the two years start again."""
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    with ctx.db.write() as session:
        customer = _customer(session, customer_id)
        session.add(
            ConsentRow(
                customer_id=customer.id,
                action="notice",
                night=False,
                at=at.astimezone(UTC),
                source=None,
                staff_id=ctx.staff_id,
                token_name=ctx.token,
                register_id=ctx.register_id,
            )
        )
        audit(ctx, session, "consent.notice", target=customer.id, detail={"at": at.isoformat()})


# --- the two-yearly notice -------------------------------------------------------------------


def notice_due(ctx: Context, on: date | None = None) -> list[NoticeDue]:
    """Active members with advertising consent whose notice is due on or before `on`
    (default: today in the shop), the longest overdue first."""
    day = on or ctx.local_date(ctx.now())
    # a grant on or before this moment may be due (a margin for the end-of-month clamping)
    latest = add_months(day, -rules.NOTICE_MONTHS) + timedelta(days=2)
    cutoff = datetime.combine(latest, time(0), tzinfo=ctx.zone).astimezone(UTC)
    with ctx.db.read() as session:
        candidates = list(
            session.scalars(
                select(ConsentRow.customer_id)
                .join(Customer, Customer.id == ConsentRow.customer_id)
                .where(
                    ConsentRow.purpose == "ad",
                    ConsentRow.action == "grant",
                    ConsentRow.at < cutoff,
                    Customer.status == "active",
                )
                .distinct()
            )
        )
        events = _rows_of(session, candidates)
        phones = _phones(session, candidates)
    due: list[NoticeDue] = []
    for customer_id in candidates:
        state = rules.current_state(events[customer_id])
        due_on = rules.notice_due_on(state, ctx.zone)
        if due_on is None or due_on > day:
            continue
        grants = state.ad_grants()
        national = phones.get(customer_id)
        due.append(
            NoticeDue(
                member_id=customer_id,
                phone_masked=_masked(ctx, national),
                due_on=due_on,
                consented_at=min(c.granted_at for c in grants if c.granted_at is not None),
                last_notice_at=state.last_notice_at,
                channels=sorted({c.channel for c in grants}, key=rules.CHANNELS.index),
                night=any(c.night for c in grants),
            )
        )
    return sorted(due, key=lambda d: (d.due_on, str(d.member_id)))


def _phones(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    found: dict[uuid.UUID, str | None] = {}
    listed = list(ids)
    for start in range(0, len(listed), CHUNK):
        chunk = listed[start : start + CHUNK]
        for customer_id, phone in session.execute(
            select(Customer.id, Customer.phone).where(Customer.id.in_(chunk))
        ):
            found[customer_id] = phone
    return found


# --- the sender's rules ----------------------------------------------------------------------


def may_send(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    channel: str,
    purpose: str,
    when: datetime,
) -> tuple[bool, datetime | None, str]:
    """(allowed, hold_until, reason_code) for a message to this member, inside the caller's
    transaction: withdrawn, erased or merged members receive nothing; info needs the program
    consent; an ad that channel's ad consent, and at night (21:00–08:00 shop time) the night
    consent, else it is held until 08:00 (hold_until, UTC)."""
    customer = session.get(Customer, customer_id)
    recipient = None
    if customer is not None:
        recipient = rules.Recipient(
            status=customer.status,
            program_consent=customer.program_consent_at is not None,
            state=state_in(session, customer.id),
        )
    decision = rules.decide(recipient, channel, purpose, when, ctx.zone)
    return decision.allowed, decision.hold_until, decision.reason
