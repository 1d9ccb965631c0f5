"""The owner's own announcement to a chosen audience: a campaign, news of the shop.

An advertisement (kind ``campaign``): it goes by SMS/LMS only, with "(광고)", the store's name and
the free opt-out number added by the outbox, to members whose consent for advertising by SMS
stands, never at night without night consent (held until 08:00), within the frequency cap and
quiet hours — the rules of `consents.may_send` and the outbox decide, never the owner's memory.

The audience is a simple segment: every active member, or those of one tier, those who visited
within N days, those away for at least N days, those born in a month. The same text to the same
member on the same local day is one message however often it is sent (the idempotency key).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, Message, Sale
from app.domain.errors import Refused
from app.domain.messages import is_free_number
from app.domain.passes import check_pass_rule
from app.services import messages
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

KIND = "campaign"
MAX_TEXT = 500
ALREADY = "already_sent"
NO_PHONE = "no_phone"


@dataclass(frozen=True)
class Audience:
    """Who the announcement is for; every field left None widens it."""

    tier: str | None = None
    visited_within_days: int | None = None
    away_days: int | None = None
    birthday_month: int | None = None
    # issue 19: spend of at least this many won over the last year, and a named RFM segment
    min_spend: int | None = None
    rfm_segment: str | None = None
    # segpass: members holding an open pass (active or paused) today; pass_plan narrows it to
    # one plan code (app.domain.passes.PassState.open, in SQL: app.services.pass_sql)
    pass_holder: bool = False
    pass_plan: str | None = None


@dataclass(frozen=True)
class Announcement:
    """What an announcement did (or, planned, would do)."""

    chosen: int  # members in the audience
    queued: int  # who get it (of them, `night` at 08:00)
    night: int
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> members
    sent: bool = False  # False: only planned, nothing written


def _check(ctx: Context, text: str, audience: Audience) -> str:
    if not messages.configured(ctx):
        raise Refused("messages.no_provider")
    if not is_free_number(str(messages.rules(ctx)["optout"] or "")):
        raise Refused("winback.no_optout")
    body = (text or "").strip()
    if not body:
        raise Refused("announce.empty")
    if len(body) > MAX_TEXT:
        raise Refused("announce.too_long", maximum=MAX_TEXT, length=len(body))
    check_audience(audience)
    return body


def check_audience(audience: Audience) -> None:
    """Refuse a filter out of its range."""
    for name, value, low, high in (
        ("visited_within_days", audience.visited_within_days, 1, 3650),
        ("away_days", audience.away_days, 1, 3650),
        ("birthday_month", audience.birthday_month, 1, 12),
        ("min_spend", audience.min_spend, 0, 10_000_000_000),
    ):
        if value is not None and not low <= value <= high:
            raise Refused("announce.bad_filter", field=name, low=low, high=high)
    if audience.pass_plan is not None:
        check_pass_rule(audience.pass_plan)


def _members(ctx: Context, session: Session, audience: Audience, now: datetime) -> list[uuid.UUID]:
    return members_of(ctx, session, audience, now)


def members_of(
    ctx: Context, session: Session, audience: Audience, now: datetime, *, with_phone: bool = True
) -> list[uuid.UUID]:
    """The audience's member ids, in enrollment order (``with_phone``: only those with a
    number, as a message needs)."""
    query = select(Customer.id).where(Customer.status == "active")
    if with_phone:
        query = query.where(Customer.phone.is_not(None))
    if audience.rfm_segment is not None:
        from app.db.models import RfmScore

        query = query.where(
            select(RfmScore.customer_id)
            .where(RfmScore.customer_id == Customer.id, RfmScore.segment == audience.rfm_segment)
            .exists()
        )
    if audience.pass_holder or audience.pass_plan:
        from app.services.pass_sql import holds_open_pass

        query = query.where(holds_open_pass(Customer.id, ctx.local_date(now), audience.pass_plan))
    if audience.min_spend is not None:
        spent = (
            select(func.coalesce(func.sum(Sale.amount), 0))
            .where(Sale.customer_id == Customer.id, Sale.occurred_at >= now - timedelta(days=365))
            .scalar_subquery()
        )
        query = query.where(spent >= audience.min_spend)
    if audience.tier:
        query = query.where(Customer.tier_code == audience.tier)
    if audience.birthday_month is not None:
        query = query.where(extract("month", Customer.birthday) == audience.birthday_month)
    voided = select(Sale.reverses_id).where(Sale.reverses_id.is_not(None))
    last = (  # each member's last purchase that still stands (not voided)
        select(Sale.customer_id, func.max(Sale.occurred_at).label("at"))
        .where(Sale.amount > 0, Sale.id.not_in(voided))
        .group_by(Sale.customer_id)
        .subquery()
    )
    if audience.visited_within_days is not None:
        since = now - timedelta(days=audience.visited_within_days)
        query = query.join(last, last.c.customer_id == Customer.id).where(last.c.at >= since)
    if audience.away_days is not None:
        before = now - timedelta(days=audience.away_days)
        query = query.outerjoin(last, last.c.customer_id == Customer.id).where(
            (last.c.at < before) | last.c.at.is_(None)
        )
    return list(session.scalars(query.order_by(Customer.enrolled_at, Customer.id)))


def _key(ctx: Context, body: str, customer_id: uuid.UUID, now: datetime) -> str:
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"{KIND}:{digest}:{ctx.local_date(now).isoformat()}:{customer_id.hex}"


def _sort_out(
    ctx: Context, session: Session, ids: list[uuid.UUID], body: str, now: datetime
) -> tuple[list[uuid.UUID], int, dict[str, int]]:
    from app.services.consents import may_send

    keys = {_key(ctx, body, i, now) for i in ids}
    queued: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        queued |= set(
            session.scalars(
                select(Message.idempotency_key).where(Message.idempotency_key.in_(chunk))
            )
        )
    allowed: list[uuid.UUID] = []
    night, excluded = 0, dict[str, int]()
    for customer_id in ids:
        ok, hold, reason = may_send(ctx, session, customer_id, "sms", "ad", now)
        why = reason if not ok and hold is None else None
        if why is None and _key(ctx, body, customer_id, now) in queued:
            why = ALREADY
        if why is not None:
            excluded[why] = excluded.get(why, 0) + 1
            continue
        allowed.append(customer_id)
        night += 1 if hold is not None else 0
    return allowed, night, excluded


def plan(ctx: Context, text: str, audience: Audience | None = None) -> Announcement:
    """Who the announcement would reach and who not, and why; writes nothing."""
    require_owner(ctx)
    audience = audience or Audience()
    body = _check(ctx, text, audience)
    now = ctx.now()
    with ctx.db.read() as session:
        ids = _members(ctx, session, audience, now)
        allowed, night, excluded = _sort_out(ctx, session, ids, body, now)
    return Announcement(len(ids), len(allowed), night, excluded)


def announce(ctx: Context, text: str, audience: Audience | None = None) -> Announcement:
    """Queue the announcement for the audience's members the rules allow, in one transaction
    (the worker sends them); audited with the counts, never the members' numbers."""
    require_owner(ctx)
    audience = audience or Audience()
    body = _check(ctx, text, audience)
    now = ctx.now()
    with ctx.db.write() as session:
        ids = _members(ctx, session, audience, now)
        allowed, night, excluded = _sort_out(ctx, session, ids, body, now)
        for customer_id in allowed:
            key = _key(ctx, body, customer_id, now)
            messages.queue_chosen(ctx, session, customer_id, KIND, {"내용": body}, key=key)
        audit(
            ctx,
            session,
            "messages.announce",
            detail={
                "audience": len(ids),
                "queued": len(allowed),
                "skipped": len(ids) - len(allowed),
            },
        )
    return Announcement(len(ids), len(allowed), night, excluded, sent=True)
