"""The visit rating: whether to ask after a sale, the answer stored with it, NPS by month.

The owner turns the question on (`rating_enabled`) and picks the share of sales asked
(`rating_percent`, whole percent). The customer answers 0–10 on their own screen, with an
optional comment of up to 200 characters, or skips. A low score (0–6) is shown to the owner
alone, in "needs attention" (`low_score_items`); it is never sent anywhere. A high score
(9–10) may show the shop's review page (`review_url`) as a QR: never after a lower score.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Customer, Sale, VisitRating
from app.domain import nps
from app.domain.errors import Refused
from app.domain.phone import mask_name
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import masked_phone
from app.services.settings import setting
from app.services.staff import require_owner

if TYPE_CHECKING:
    from app.services.sync import AttentionItem

SOURCES = ("display", "tablet", "counter")
LOW_SCORE_DAYS = 14  # a low score stays in "needs attention" this many days
MAX_MONTHS = 120
RATE_WITHIN = timedelta(hours=24)  # a sale is rated within this long, or not at all


@dataclass(frozen=True)
class RatingResult:
    """The answer stored, and whether the customer's screen may show the review QR."""

    rating_id: uuid.UUID
    sale_id: uuid.UUID
    score: int
    comment: str | None
    review_url: str | None  # set only after a promoter's score (9–10) when the shop has one


@dataclass(frozen=True)
class RatingComment:
    at: datetime
    score: int
    comment: str


def _rateable(session: Session, sale_id: uuid.UUID) -> Sale | None:
    """The sale, when it is a purchase (not a void or a refund row)."""
    sale = session.get(Sale, sale_id)
    if sale is None or sale.amount <= 0 or sale.reverses_id or sale.refund_of_id:
        return None
    return sale


def should_ask(ctx: Context, sale_id: uuid.UUID) -> bool:
    """Ask this sale's customer? The question is on, the sale is a purchase of the last
    RATE_WITHIN not yet rated, and it falls in the sample (a stable hash of its id: a retry
    asks the same)."""
    if not setting(ctx, "rating_enabled"):
        return False
    if not nps.sampled(str(sale_id), int(setting(ctx, "rating_percent"))):
        return False
    with ctx.db.read() as session:
        sale = _rateable(session, sale_id)
        if sale is None or ctx.now() - sale.occurred_at > RATE_WITHIN:
            return False
        rated = session.scalar(select(VisitRating.id).where(VisitRating.sale_id == sale_id))
    return rated is None


def record_rating(
    ctx: Context,
    sale_id: uuid.UUID,
    score: object,
    comment: str | None = None,
    *,
    source: str = "display",
) -> RatingResult:
    """Store the customer's answer with the sale; refused in words (nothing stored) for a
    score outside 0–10, a comment over 200 characters, an unknown sale, a second answer, or
    a sale older than RATE_WITHIN."""
    ctx.require("rate")
    score, text = nps.check_rating(score, comment)
    if source not in SOURCES:
        raise Refused("rating.source", source=source)
    now = ctx.now()
    with ctx.db.write() as session:
        sale = _rateable(session, sale_id)
        if sale is None:
            raise Refused("rating.no_sale")
        if session.scalar(select(VisitRating.id).where(VisitRating.sale_id == sale_id)):
            raise Refused("rating.already")
        if now - sale.occurred_at > RATE_WITHIN:  # the visit of today, not one long past
            raise Refused("rating.too_late", hours=int(RATE_WITHIN.total_seconds() // 3600))
        rating = VisitRating(
            sale_id=sale.id,
            customer_id=sale.customer_id,
            score=score,
            comment=text,
            at=now,
            source=source,
            register_id=ctx.register_id,
        )
        session.add(rating)
        session.flush()
        # the score, not the comment: the audit log is no place for a customer's words
        audit(ctx, session, "rating.record", target=sale.id, detail={"score": score})
    url = str(setting(ctx, "review_url") or "")
    show_review = nps.category(score) == "promoter" and bool(url)
    return RatingResult(rating.id, sale_id, score, text, url if show_review else None)


def _month_bounds(ctx: Context, month: str) -> tuple[datetime, datetime]:
    """The UTC instants that start this local month and the next."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=ctx.zone)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ctx.zone)
    return start, following


def _check_month(month: str) -> None:
    parts = month.split("-")
    if (
        len(parts) != 2
        or not all(p.isdigit() and p.isascii() for p in parts)
        or not 1970 <= int(parts[0]) <= 9998
        or not 1 <= int(parts[1]) <= 12
    ):
        raise Refused("rating.month", month=month)


def _months_back(ctx: Context, months: int, last: str | None) -> list[str]:
    """`months` local months, oldest first, ending with `last` (default: this month)."""
    if last is None:
        here = ctx.local(ctx.now())
        year, month = here.year, here.month
    else:
        _check_month(last)
        year, month = (int(part) for part in last.split("-"))
    found = []
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def nps_by_month(ctx: Context, months: int = 12, *, last: str | None = None) -> list[nps.NpsMonth]:
    """Owner only: `months` local months ending with `last` (default: this month), oldest
    first, each with its answers, shares and NPS; under 30 answers `few_answers` is set."""
    require_owner(ctx)
    if not 1 <= months <= MAX_MONTHS:
        raise Refused("rating.months", maximum=MAX_MONTHS)
    wanted = _months_back(ctx, months, last)
    start, _ = _month_bounds(ctx, wanted[0])
    _, end = _month_bounds(ctx, wanted[-1])
    scores: dict[str, list[int]] = {m: [] for m in wanted}
    with ctx.db.read() as session:
        rows = session.execute(
            select(VisitRating.at, VisitRating.score).where(
                VisitRating.at >= start, VisitRating.at < end
            )
        ).all()
    for at, score in rows:
        month = ctx.month_of(at)
        if month in scores:
            scores[month].append(int(score))
    return [nps.tally(m, scores[m]) for m in wanted]


def comments(ctx: Context, month: str) -> list[RatingComment]:
    """Owner only: the comments of a local month ("2026-03"), newest first."""
    require_owner(ctx)
    _check_month(month)
    start, end = _month_bounds(ctx, month)
    with ctx.db.read() as session:
        rows = session.execute(
            select(VisitRating.at, VisitRating.score, VisitRating.comment)
            .where(VisitRating.at >= start, VisitRating.at < end)
            .where(VisitRating.comment.is_not(None))
            .order_by(VisitRating.at.desc())
        ).all()
    return [RatingComment(at, int(score), str(text)) for at, score, text in rows]


def low_score_items(ctx: Context, session: Session) -> list[AttentionItem]:
    """The detractors' answers (0–6) of the last LOW_SCORE_DAYS days, for the owner alone."""
    from app.services.sync import AttentionItem

    since = ctx.now() - timedelta(days=LOW_SCORE_DAYS)
    rows = session.execute(
        select(VisitRating, Customer)
        .join(Customer, Customer.id == VisitRating.customer_id)
        .where(VisitRating.at >= since, VisitRating.score <= nps.DETRACTOR_TO)
        .order_by(VisitRating.at.desc())
    ).all()
    return [
        AttentionItem(
            "low_rating",
            customer.id,
            mask_name(customer.name) if customer.name else None,
            masked_phone(ctx, customer),
            detail={
                "score": rating.score,
                "comment": rating.comment or "",
                "at": ctx.local(rating.at).strftime("%m-%d %H:%M"),
                "sale": str(rating.sale_id),
            },
        )
        for rating, customer in rows
    ]
