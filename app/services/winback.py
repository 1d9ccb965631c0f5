"""Win-back: members who stopped coming, a come-back coupon for all of them, an SMS list.

A member is dormant when their last visit is more than N days ago (the owner picks N; the
setting winback_days is the default). The SMS list holds only those who opted in to
marketing, with a consent younger than the renewal period (korea.md: ads need prior opt-in,
re-confirmed every 2 years); the others are counted with the reason they were left out.

A win-back coupon is issued once: a member who already holds the same offer (a win-back
coupon of the same kind and value whose validity window has not ended) is skipped, however
often the owner clicks or runs it.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Result, case, func, select
from sqlalchemy.orm import Session

from app.db.models import Coupon, Customer, Sale
from app.domain.coupons import check_coupon_issue
from app.domain.csv_safe import safe_row
from app.domain.errors import Refused
from app.domain.phone import Phone, mask_name
from app.services import messages
from app.services.analytics import visit_count
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.figures import bump
from app.services.owner import add_coupon
from app.services.settings import setting
from app.services.staff import require_owner

MIN_DAYS, MAX_DAYS = 7, 3650
SMS_COLUMNS = ["phone", "name"]


@dataclass(frozen=True)
class Dormant:
    customer_id: uuid.UUID
    name: str  # masked
    phone: str  # masked
    last_visit: date  # local
    total_spend: int
    visits: int
    marketing: bool  # opted in, and the consent is still current

    @property
    def average_spend(self) -> int:
        return self.total_spend // self.visits if self.visits > 0 else 0


@dataclass(frozen=True)
class WinbackList:
    days: int
    members: list[Dormant]  # active members, biggest spenders first
    withdrawn: int  # dormant but withdrawn: no coupon, no message

    @property
    def with_consent(self) -> int:
        return sum(1 for m in self.members if m.marketing)


def check_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise Refused("winback.days", value=days, minimum=MIN_DAYS, maximum=MAX_DAYS)
    return days


def default_days(ctx: Context) -> int:
    return int(setting(ctx, "winback_days"))


def _cutoff(ctx: Context, days: int) -> datetime:
    return ctx.now() - timedelta(days=days)


def _consent_since(ctx: Context) -> datetime:
    """Consents older than this are due for renewal and do not count."""
    months = int(setting(ctx, "marketing_renewal_months"))
    return ctx.now() - timedelta(days=months * 365 // 12)


def _dormant_rows(
    session: Session, cutoff: datetime, statuses: tuple[str, ...]
) -> Result[Customer, Any, Any, Any]:
    """(customer, last visit, total spend, visits) of those whose last purchase is before cutoff."""
    last = func.max(case((Sale.amount > 0, Sale.occurred_at)))  # a void is no visit
    history = (
        select(
            Sale.customer_id.label("customer_id"),
            last.label("last_visit"),
            func.sum(Sale.amount).label("spend"),
            visit_count().label("visits"),
        )
        .group_by(Sale.customer_id)
        .having(last < cutoff)
        .subquery()
    )
    return session.execute(
        select(Customer, history.c.last_visit, history.c.spend, history.c.visits)
        .join(history, history.c.customer_id == Customer.id)
        .where(Customer.status.in_(statuses))
        .order_by(history.c.spend.desc(), Customer.id)
    )


def dormant_members(ctx: Context, days: int) -> WinbackList:
    """Members with no visit in `days` days, with what they used to spend."""
    days = check_days(days)
    style = ctx.settings.get("phone_mask", "middle")
    since = _consent_since(ctx)
    members, withdrawn = [], 0
    with ctx.db.read() as session:
        rows = _dormant_rows(session, _cutoff(ctx, days), ("active", "withdrawn"))
        for customer, last_visit, spend, visits in rows:
            if customer.status == "withdrawn":
                withdrawn += 1
                continue
            members.append(
                Dormant(
                    customer.id,
                    mask_name(customer.name) if customer.name else "",
                    Phone(customer.phone).masked(style) if customer.phone else "",
                    ctx.local_date(last_visit),
                    int(spend),
                    int(visits),
                    _may_advertise(customer, since),
                )
            )
    return WinbackList(days, members, withdrawn)


def _may_advertise(customer: Customer, since: datetime) -> bool:
    consent = customer.marketing_consent_at
    return consent is not None and consent >= since


@dataclass(frozen=True)
class WinbackOffer:
    """What issuing would do, for the owner to confirm first."""

    days: int
    kind: str
    value: int
    valid_days: int
    to_issue: int  # dormant members who do not hold this offer yet
    already: int  # dormant members who already hold it: skipped


@dataclass(frozen=True)
class WinbackIssued:
    issued: int
    skipped: int  # already held the same offer


LOCK_CHUNK = 500


def _holders(session: Session, kind: str, value: int, now: datetime) -> set[uuid.UUID]:
    """Members holding this win-back offer (same kind and value) within its validity window."""
    return set(
        session.scalars(
            select(Coupon.customer_id).where(
                Coupon.source == "winback",
                Coupon.kind == kind,
                Coupon.value == value,
                Coupon.valid_until > now,
            )
        )
    )


def _dormant_ids(ctx: Context, session: Session, days: int) -> list[uuid.UUID]:
    rows = _dormant_rows(session, _cutoff(ctx, days), ("active",)).all()
    if not rows:
        raise Refused("winback.nobody", days=days)
    return [customer.id for customer, *_ in rows]


def _lock(session: Session, ids: list[uuid.UUID]) -> None:
    """Lock the members' rows in id order (PostgreSQL), so two runs at once issue once."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), LOCK_CHUNK):
        chunk = ordered[start : start + LOCK_CHUNK]
        session.execute(
            select(Customer.id)
            .where(Customer.id.in_(chunk))
            .order_by(Customer.id)
            .with_for_update()
        ).all()


def winback_offer(ctx: Context, days: int, kind: str, value: int, valid_days: int) -> WinbackOffer:
    """How many would get the coupon and how many already hold it; writes nothing."""
    require_owner(ctx)
    days = check_days(days)
    check_coupon_issue(kind, value, valid_days)
    with ctx.db.read() as session:
        ids = _dormant_ids(ctx, session, days)
        held = _holders(session, kind, value, ctx.now())
    already = sum(1 for customer_id in ids if customer_id in held)
    return WinbackOffer(days, kind, value, valid_days, len(ids) - already, already)


def issue_winback_coupons(
    ctx: Context, days: int, kind: str, value: int, valid_days: int
) -> WinbackIssued:
    """A come-back coupon to every dormant member who does not hold it yet, in one transaction."""
    require_owner(ctx)
    days = check_days(days)
    check_coupon_issue(kind, value, valid_days)
    now = ctx.now()
    with ctx.db.write() as session:
        ids = _dormant_ids(ctx, session, days)
        _lock(session, ids)
        held = _holders(session, kind, value, now)  # read after the lock: sees a run just done
        new = [customer_id for customer_id in ids if customer_id not in held]
        skipped = len(ids) - len(new)
        if not new:
            return WinbackIssued(0, skipped)
        for customer_id in new:
            coupon = add_coupon(ctx, session, customer_id, kind, value, valid_days, "winback", now)
            messages.coupon_issued(ctx, session, coupon, "winback")
        bump(ctx, session, now, coupons_issued=len(new))
        audit(
            ctx,
            session,
            "winback.coupons",
            detail={
                "days": days,
                "kind": kind,
                "value": value,
                "valid_days": valid_days,
                "coupons": len(new),
                "skipped": skipped,
            },
        )
    return WinbackIssued(len(new), skipped)


@dataclass(frozen=True)
class SmsExport:
    written: int
    no_consent: int  # never opted in, or the consent is due for renewal
    withdrawn: int
    path: Path


def sms_file_name(ctx: Context) -> str:
    return f"winback_sms_{ctx.local_date(ctx.now()):%Y%m%d}.csv"


def export_sms_list(ctx: Context, days: int, path: Path) -> SmsExport:
    """phone,name of dormant members who may receive ads; the full numbers are the point.

    Only those with a current marketing consent are written; the export is audited.
    """
    require_owner(ctx)
    days = check_days(days)
    since = _consent_since(ctx)
    written = no_consent = withdrawn = 0
    with ctx.db.read() as session:
        rows = _dormant_rows(session, _cutoff(ctx, days), ("active", "withdrawn"))
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(safe_row(SMS_COLUMNS))
            for customer, *_ in rows:
                if customer.status == "withdrawn":
                    withdrawn += 1
                elif not customer.phone or not _may_advertise(customer, since):
                    no_consent += 1
                else:
                    writer.writerow(safe_row([customer.phone, customer.name or ""]))
                    written += 1
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            "winback.export",
            detail={
                "days": days,
                "rows": written,
                "no_consent": no_consent,
                "withdrawn": withdrawn,
                "file": path.name,
            },
        )
    return SmsExport(written, no_consent, withdrawn, path)


# --- sending the win-back message through the outbox ----------------------------------------

ALREADY = "already_queued"  # this coupon's message is queued or sent already
NO_COUPON = "no_coupon"  # no current win-back coupon for the message to name
NO_PHONE = "no_phone"


@dataclass(frozen=True)
class WinbackSendPlan:
    """Who of the chosen members would get the win-back message, and who not and why."""

    chosen: int
    to_send: int  # may receive it (some at 08:00: see held_night)
    held_night: int  # of those, held until 08:00 (no night advertising consent)
    excluded: dict[str, int]  # reason (a consent.reason.* or winback.reason.* code) -> members

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())


@dataclass(frozen=True)
class WinbackSent:
    queued: int
    held_night: int
    excluded: dict[str, int]


def _current_coupons(
    session: Session, ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Coupon]:
    """Each member's newest win-back coupon still valid."""
    found: dict[uuid.UUID, Coupon] = {}
    for start in range(0, len(ids), LOCK_CHUNK):
        chunk = ids[start : start + LOCK_CHUNK]
        for coupon in session.scalars(
            select(Coupon)
            .where(
                Coupon.customer_id.in_(chunk),
                Coupon.source == "winback",
                Coupon.valid_until > now,
            )
            .order_by(Coupon.issued_at, Coupon.id)
        ):
            found[coupon.customer_id] = coupon  # the newest wins
    return found


def _sort_out(
    ctx: Context, session: Session, ids: list[uuid.UUID], now: datetime
) -> tuple[list[tuple[uuid.UUID, Coupon]], int, dict[str, int]]:
    """(members who may get it with their coupon, how many of them at 08:00, the excluded by
    reason), as the sender's rules (consents.may_send) decide for an SMS advertisement now."""
    from app.db.models import Message
    from app.services.consents import may_send

    coupons = _current_coupons(session, ids, now)
    keys = {f"winback:{c.code}" for c in coupons.values()}
    queued = set()
    for start in range(0, len(keys), LOCK_CHUNK):
        chunk = sorted(keys)[start : start + LOCK_CHUNK]
        queued |= set(
            session.scalars(
                select(Message.idempotency_key).where(Message.idempotency_key.in_(chunk))
            )
        )
    allowed: list[tuple[uuid.UUID, Coupon]] = []
    night, excluded = 0, dict[str, int]()
    for customer_id in dict.fromkeys(ids):  # each member once, in the order chosen
        ok, hold, reason = may_send(ctx, session, customer_id, "sms", "ad", now)
        coupon = coupons.get(customer_id)
        if not ok and hold is None:
            why = reason
        elif coupon is None:
            why = NO_COUPON
        elif f"winback:{coupon.code}" in queued:
            why = ALREADY
        else:
            why = None
        if why is None and not _has_phone(session, customer_id):
            why = NO_PHONE
        if why is not None:
            excluded[why] = excluded.get(why, 0) + 1
            continue
        assert coupon is not None
        allowed.append((customer_id, coupon))
        night += 1 if hold is not None else 0
    return allowed, night, excluded


def _has_phone(session: Session, customer_id: uuid.UUID) -> bool:
    customer = session.get(Customer, customer_id)
    return customer is not None and bool(customer.phone)


def _check_can_send(ctx: Context, ids: list[uuid.UUID]) -> None:
    """A provider connected, the free opt-out number every ad carries set, someone chosen."""
    from app.domain.messages import is_free_number

    if not messages.configured(ctx):
        raise Refused("messages.no_provider")
    if not is_free_number(str(messages.rules(ctx)["optout"] or "")):
        raise Refused("winback.no_optout")
    if not ids:
        raise Refused("winback.none_chosen")


def winback_send_plan(ctx: Context, customer_ids: list[uuid.UUID]) -> WinbackSendPlan:
    """What sending the win-back message to these members would do; writes nothing."""
    require_owner(ctx)
    _check_can_send(ctx, customer_ids)
    with ctx.db.read() as session:
        allowed, night, excluded = _sort_out(ctx, session, customer_ids, ctx.now())
    return WinbackSendPlan(len(dict.fromkeys(customer_ids)), len(allowed), night, excluded)


def send_winback_messages(ctx: Context, customer_ids: list[uuid.UUID]) -> WinbackSent:
    """Queue the win-back message (naming each member's come-back coupon) for those of these
    members the rules allow, in one transaction; the worker sends them. Audited."""
    require_owner(ctx)
    _check_can_send(ctx, customer_ids)
    now = ctx.now()
    with ctx.db.write() as session:
        _lock(session, list(dict.fromkeys(customer_ids)))
        allowed, night, excluded = _sort_out(ctx, session, customer_ids, now)
        for customer_id, coupon in allowed:
            last_day = ctx.local(coupon.valid_until - timedelta(microseconds=1)).date()
            values = {"쿠폰": coupon.code, "기한": f"{last_day.month}월 {last_day.day}일"}
            messages.queue_chosen(
                ctx, session, customer_id, "winback", values, key=f"winback:{coupon.code}"
            )
        audit(
            ctx,
            session,
            "winback.messages",
            detail={"count": len(allowed), "skipped": sum(excluded.values())},
        )
    return WinbackSent(len(allowed), night, excluded)
