"""Fraud guards: patterns the owner should look at, listed in "needs attention".

Each rule reads the last `fraud_days` days (a setting, 7 by default) and returns items of
the same AttentionItem type sync's list uses; `describe` says what happened in words. A
guard accuses no one: it shows the owner where to look.

* ``fraud_rapid_earn``: `fraud_earn_count` earning sales or more (3) on one number within
  `fraud_earn_minutes` (30): points collected on someone's number for other people's buys.
* ``fraud_staff_own``: sales a staff member rang up on their own membership (the owner links
  a staff member to it: staff.customer_id, `link_staff_customer`).
* ``fraud_checkin_no_sale``: `fraud_checkin_count` check-ins (3) or more on one number with
  no sale attached (a sale within `pos_pending_minutes` fills a check-in's sale_id), once
  that window has passed (before, its sale may still be on its way).
* ``fraud_manual_sale``: sales typed in by hand on a day the POS bridge was connected. The
  bridge counts as connected on a local day when the POS sent a sale that day through the
  local API or the receipt tap (a `pos_sales` row of source api or tap received that day);
  a sale by hand is one no POS sale is attached to. One item per day and staff member.
* ``low_rating``: a visit rated 0–6 (app/services/ratings.py), for the owner alone.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import CheckIn, Customer, LedgerEntry, PosSale, Sale, Staff
from app.domain.errors import Refused
from app.domain.phone import mask_name
from app.i18n import translate, translate_plural
from app.services import ratings
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import masked_phone
from app.services.settings import setting
from app.services.staff import require_owner

if TYPE_CHECKING:
    from app.services.sync import AttentionItem

KINDS = (
    "fraud_rapid_earn",
    "fraud_staff_own",
    "fraud_checkin_no_sale",
    "fraud_manual_sale",
    "low_rating",
)
BRIDGE_SOURCES = ("api", "tap")


def attention_items(ctx: Context, session: Session) -> list[AttentionItem]:
    """Every guard's items, then the low ratings (the caller has checked it is the owner)."""
    since = ctx.now() - timedelta(days=int(setting(ctx, "fraud_days")))
    return [
        *rapid_earnings(ctx, session, since),
        *staff_own_number(ctx, session, since),
        *checkins_without_sale(ctx, session, since),
        *manual_sales(ctx, session, since),
        *ratings.low_score_items(ctx, session),
    ]


def _purchases(since: datetime) -> Any:
    """Sales that earn: purchases since the moment. Voids and refunds are rows of negated
    amounts, so `amount > 0` leaves them out; no test of reverses_id here: SQLite would then
    read through its unique index, nearly every row (the time index is the one to use)."""
    return (Sale.occurred_at >= since, Sale.amount > 0)


def _item(
    ctx: Context,
    kind: str,
    customer: Customer | None,
    points: int = 0,
    **detail: Any,
) -> AttentionItem:
    from app.services.sync import AttentionItem

    return AttentionItem(
        kind,
        customer.id if customer else None,
        mask_name(customer.name) if customer and customer.name else None,
        masked_phone(ctx, customer) if customer else None,
        points,
        detail=detail,
    )


def _earned(session: Session, sale_ids: list[uuid.UUID]) -> int:
    """The points these sales earned."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.sale_id.in_(sale_ids), LedgerEntry.kind == "earn"
        )
    )
    return int(total or 0)


def _stamp(ctx: Context, moment: datetime, *, since: datetime | None = None) -> str:
    """The local time "03-12 14:05"; only "14:05" when `since` fell on the same local day."""
    if since is not None and ctx.local_date(since) == ctx.local_date(moment):
        return ctx.local(moment).strftime("%H:%M")
    return ctx.local(moment).strftime("%m-%d %H:%M")


def rapid_earnings(ctx: Context, session: Session, since: datetime) -> list[AttentionItem]:
    """Numbers with fraud_earn_count earning sales or more inside fraud_earn_minutes.

    The numbers with that many purchases in the window are found in SQL (reading the window
    by the sales' time index), their purchases read in one query, and each number's densest
    stretch found in memory."""
    count = int(setting(ctx, "fraud_earn_count"))
    window = timedelta(minutes=int(setting(ctx, "fraud_earn_minutes")))
    # grouped by an expression, not the column: SQLite would otherwise walk the whole
    # (customer, time) index to group, rather than read the window by the time index
    number = func.coalesce(Sale.customer_id, Sale.customer_id)
    suspects = (
        select(number).where(*_purchases(since)).group_by(number).having(func.count() >= count)
    )
    history: dict[uuid.UUID, list[datetime]] = defaultdict(list)
    for customer_id, occurred in session.execute(
        select(Sale.customer_id, Sale.occurred_at).where(
            *_purchases(since), Sale.customer_id.in_(suspects)
        )
    ):
        history[customer_id].append(occurred)
    found = []
    for customer_id, moments in history.items():
        moments.sort()
        first, last, n = _densest(moments, window)
        if n >= count:
            found.append((first, last, n, customer_id))
    items = []
    for first, last, n, customer_id in sorted(found):  # the earliest burst first
        earned = session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.points), 0))
            .select_from(Sale)
            .join(LedgerEntry, LedgerEntry.sale_id == Sale.id)
            .where(Sale.customer_id == customer_id, *_purchases(first), Sale.occurred_at <= last)
            .where(LedgerEntry.kind == "earn")
        )
        items.append(
            _item(
                ctx,
                "fraud_rapid_earn",
                session.get(Customer, customer_id),
                int(earned or 0),
                count=n,
                minutes=int(window.total_seconds() // 60),
                first=_stamp(ctx, first),
                last=_stamp(ctx, last, since=first),
            )
        )
    return items


def _densest(moments: Sequence[datetime], window: timedelta) -> tuple[datetime, datetime, int]:
    """The stretch no longer than the window holding the most of the moments (in time order):
    its first and last moment and how many it holds."""
    best = (moments[0], moments[0], 1)
    start = 0
    for end in range(len(moments)):
        while moments[end] - moments[start] > window:
            start += 1
        if end - start + 1 > best[2]:
            best = (moments[start], moments[end], end - start + 1)
    return best


def staff_own_number(ctx: Context, session: Session, since: datetime) -> list[AttentionItem]:
    """Sales a staff member rang up on the membership linked to them."""
    rows = session.execute(
        select(Staff.name, Sale.customer_id, Sale.id)
        .join(Staff, Staff.id == Sale.staff_id)
        .where(Staff.customer_id == Sale.customer_id, *_purchases(since))
        .order_by(Staff.name, Sale.occurred_at)
    ).all()
    grouped: dict[tuple[str, uuid.UUID], list[uuid.UUID]] = defaultdict(list)
    for name, customer_id, sale_id in rows:
        grouped[(name, customer_id)].append(sale_id)
    return [
        _item(
            ctx,
            "fraud_staff_own",
            session.get(Customer, customer_id),
            _earned(session, sale_ids),
            staff=name,
            count=len(sale_ids),
        )
        for (name, customer_id), sale_ids in grouped.items()
    ]


def checkins_without_sale(ctx: Context, session: Session, since: datetime) -> list[AttentionItem]:
    """Numbers checked in fraud_checkin_count times or more with no sale attached."""
    count = int(setting(ctx, "fraud_checkin_count"))
    # the window a sale has to find its check-in (app/db/checkins.py link_sale_in)
    settled = ctx.now() - timedelta(minutes=int(setting(ctx, "pos_pending_minutes")))
    c = CheckIn
    rows = session.execute(
        select(c.customer_id, func.count())
        .where(c.sale_id.is_(None), c.customer_id.is_not(None))
        .where(c.at >= since, c.at <= settled)
        .group_by(c.customer_id)
        .having(func.count() >= count)
        .order_by(func.count().desc())
    ).all()
    days = int(setting(ctx, "fraud_days"))
    return [
        _item(
            ctx,
            "fraud_checkin_no_sale",
            session.get(Customer, customer_id),
            count=int(n),
            days=days,
        )
        for customer_id, n in rows
    ]


def manual_sales(ctx: Context, session: Session, since: datetime) -> list[AttentionItem]:
    """Sales by hand (no POS sale attached) on local days the POS bridge sent sales."""
    bridge_days: dict[str, int] = defaultdict(int)
    for (received,) in session.execute(
        select(PosSale.received_at).where(
            PosSale.received_at >= since, PosSale.source.in_(BRIDGE_SOURCES)
        )
    ):
        bridge_days[ctx.local_date(received).isoformat()] += 1
    if not bridge_days:
        return []
    by_hand: dict[tuple[str, str], int] = {}
    for day in sorted(bridge_days):
        start = datetime.combine(date.fromisoformat(day), time(0), tzinfo=ctx.zone)
        rows = session.execute(
            select(Staff.name, func.count())
            .select_from(Sale)
            .outerjoin(PosSale, PosSale.sale_id == Sale.id)
            .outerjoin(Staff, Staff.id == Sale.staff_id)
            .where(PosSale.id.is_(None), *_purchases(max(since, start)))
            .where(Sale.occurred_at < start + timedelta(days=1))
            .group_by(Staff.name)
        )
        for name, n in rows:
            by_hand[(day, name or "")] = int(n)
    return [
        _item(
            ctx,
            "fraud_manual_sale",
            None,
            day=day[5:],
            staff=name,
            count=n,
            pos=bridge_days[day],
        )
        for (day, name), n in sorted(by_hand.items())
    ]


def describe(item: AttentionItem, lang: str) -> str:
    """What happened, in a sentence of `lang`."""
    who = " ".join(x for x in (item.name_masked, item.phone_masked) if x) or "—"
    d = item.detail
    if item.kind == "low_rating":
        if d.get("comment"):
            return translate(
                lang,
                "attention.low_rating_comment",
                who=who,
                score=d["score"],
                at=d["at"],
                comment=d["comment"],
            )
        return translate(lang, "attention.low_rating", who=who, score=d["score"], at=d["at"])
    if item.kind == "fraud_rapid_earn":
        return translate_plural(
            lang,
            "attention.rapid_earn",
            "attention.rapid_earn_plural",
            int(d["count"]),
            who=who,
            minutes=d["minutes"],
            first=d["first"],
            last=d["last"],
            points=f"{item.points:,}",
        )
    if item.kind == "fraud_staff_own":
        return translate_plural(
            lang,
            "attention.staff_own",
            "attention.staff_own_plural",
            int(d["count"]),
            who=who,
            staff=d["staff"],
            points=f"{item.points:,}",
        )
    if item.kind == "fraud_checkin_no_sale":
        return translate_plural(
            lang,
            "attention.checkin_no_sale",
            "attention.checkin_no_sale_plural",
            int(d["count"]),
            who=who,
            days=d["days"],
        )
    if item.kind == "fraud_manual_sale":
        staff = d["staff"] or translate(lang, "attention.someone")
        return translate_plural(
            lang,
            "attention.manual_sale",
            "attention.manual_sale_plural",
            int(d["count"]),
            day=d["day"],
            staff=staff,
            pos=d["pos"],
        )
    raise ValueError(f"not a guard's item: {item.kind}")


def link_staff_customer(
    ctx: Context, staff_id: uuid.UUID, customer_id: uuid.UUID | None
) -> str | None:
    """Owner only: the staff member's own membership (None: no longer linked); returns its
    masked phone."""
    require_owner(ctx)
    with ctx.db.write() as session:
        member = session.get(Staff, staff_id)
        if member is None:
            raise Refused("staff.not_found")
        customer = session.get(Customer, customer_id) if customer_id is not None else None
        if customer_id is not None and customer is None:
            raise Refused("customer.not_found", query=str(customer_id))
        member.customer_id = customer_id
        audit(
            ctx,
            session,
            "staff.link_customer",
            target=staff_id,
            detail={"customer": str(customer_id) if customer_id else None},
        )
        return masked_phone(ctx, customer) if customer is not None else None


def linked_customer(ctx: Context, staff_id: uuid.UUID) -> str | None:
    """Owner only: the masked phone of the membership linked to this staff member, if any."""
    require_owner(ctx)
    with ctx.db.read() as session:
        member = session.get(Staff, staff_id)
        if member is None or member.customer_id is None:
            return None
        customer = session.get(Customer, member.customer_id)
        return masked_phone(ctx, customer) if customer is not None else None
