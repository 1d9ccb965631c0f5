"""Segments (issue 19): RFM scores computed daily in SQL, the named segments they map to, and
the owner's own segments from rules, usable as the audience of coupons and announcements.

The RFM computation is three statements whatever the number of members (a DELETE, one
INSERT … SELECT with window functions, a count): see app/domain/rfm.py for the definitions.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import CTE, ColumnElement, and_, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from app.db.models import Customer, MemberPass, OwnerSegment, RfmScore, Sale
from app.domain import rfm
from app.domain.coupons import check_coupon_issue
from app.domain.errors import Refused
from app.domain.passes import check_pass_rule
from app.services.announcements import Audience, check_audience, members_of
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.figures import bump
from app.services.owner import add_coupon
from app.services.program import current_program
from app.services.staff import require_owner

COUPON_SOURCE = "segment"
# the owner's segments' ids come from their names: the same name saved at two registers is
# one synced row, its rules merged (latest wins) — never change it
SEGMENT_NAMESPACE = uuid.UUID("0b7c5d2e-61a4-4f3e-8d29-4e5f6a7b8c91")


def _segment_case(r: ColumnElement[int], f: ColumnElement[int]) -> ColumnElement[str]:
    """app.domain.rfm.segment_of as SQL (tests check the two agree)."""
    return case(
        (and_(r >= 4, f >= 4), literal("champions")),
        (and_(r >= 4, f >= 2), literal("potential")),
        (r >= 4, literal("new")),
        (and_(r <= 2, f >= 3), literal("at_risk")),
        (r <= 2, literal("dormant")),
        else_=literal("attention"),
    )


def _per_member(since: datetime, now: datetime) -> CTE:
    """Each member's last standing visit, visits and net spend over the window, set-based.

    A standing sale is a purchase (amount > 0) no void row points at; the spend is the sum of
    every row (refunds and voids negative). The year's rows are aggregated from
    ix_sales_customer_time alone (it covers customer, time and amount: no table row read, no
    look-up per sale); the few voided purchases are found from the void rows
    (uq_sales_reverses_id, non-null part) joined to their sale by key, and only their members'
    visits are corrected: visits minus the voided ones, the last visit re-read without them.
    """
    in_window = and_(Sale.occurred_at >= since, Sale.occurred_at <= now)
    void = aliased(Sale)
    voided = (
        select(Sale.id.label("id"), Sale.customer_id.label("customer_id"))
        .where(
            Sale.id.in_(select(void.reverses_id).where(void.reverses_id.is_not(None))),
            Sale.amount > 0,
            in_window,
        )
        .cte("voided")
    )
    void_counts = (
        select(voided.c.customer_id, func.count().label("voided"))
        .group_by(voided.c.customer_id)
        .cte("void_counts")
    )
    purchase = Sale.amount > 0
    everything = (
        select(
            Sale.customer_id.label("customer_id"),
            func.max(case((purchase, Sale.occurred_at))).label("last_at"),
            func.sum(case((purchase, 1), else_=0)).label("purchases"),
            func.sum(Sale.amount).label("monetary"),
        )
        # the window's start as an expression no index matches: SQLite then reads the covering
        # ix_sales_customer_time in order, rather than ix_sales_occurred_at and a table row a sale
        .where(func.coalesce(Sale.occurred_at, Sale.occurred_at) >= since, Sale.occurred_at <= now)
        .group_by(Sale.customer_id)
        .cte("everything")
    )
    relast = (
        select(Sale.customer_id.label("customer_id"), func.max(Sale.occurred_at).label("last_at"))
        .where(
            Sale.customer_id.in_(select(void_counts.c.customer_id)),
            purchase,
            in_window,
            Sale.id.not_in(select(voided.c.id)),
        )
        .group_by(Sale.customer_id)
        .cte("relast")
    )
    frequency = everything.c.purchases - func.coalesce(void_counts.c.voided, 0)
    return (
        select(
            everything.c.customer_id,
            case(
                (void_counts.c.customer_id.is_(None), everything.c.last_at),
                else_=relast.c.last_at,
            ).label("last_at"),
            frequency.label("frequency"),
            everything.c.monetary,
        )
        .outerjoin(void_counts, void_counts.c.customer_id == everything.c.customer_id)
        .outerjoin(relast, relast.c.customer_id == everything.c.customer_id)
        .where(frequency > 0)
        .cte("per")
    )


def compute_rfm(ctx: Context, session: Session, now: datetime) -> int:
    """Rewrite every member's RFM scores in the caller's transaction; returns how many."""
    today = ctx.local_date(now)
    per = _per_member(now - timedelta(days=rfm.WINDOW_DAYS), now)
    ranked = (
        select(
            per.c.customer_id,
            per.c.last_at,
            per.c.frequency,
            per.c.monetary,
            func.rank().over(order_by=per.c.last_at).label("rr"),
            func.rank().over(order_by=per.c.frequency).label("fr"),
            func.rank().over(order_by=per.c.monetary).label("mr"),
            func.count().over().label("n"),
        )
        .join(Customer, Customer.id == per.c.customer_id)
        .where(Customer.status == "active")
        .cte("ranked")
    )
    scored = select(
        ranked.c.customer_id,
        ranked.c.last_at,
        ranked.c.frequency,
        ranked.c.monetary,
        (1 + 5 * (ranked.c.rr - 1) // ranked.c.n).label("r"),
        (1 + 5 * (ranked.c.fr - 1) // ranked.c.n).label("f"),
        (1 + 5 * (ranked.c.mr - 1) // ranked.c.n).label("m"),
    ).cte("scored")
    session.execute(delete(RfmScore))
    session.execute(
        insert(RfmScore).from_select(
            [
                "customer_id",
                "last_at",
                "frequency",
                "monetary",
                "r",
                "f",
                "m",
                "segment",
                "computed_on",
            ],
            select(
                scored.c.customer_id,
                scored.c.last_at,
                scored.c.frequency,
                scored.c.monetary,
                scored.c.r,
                scored.c.f,
                scored.c.m,
                _segment_case(scored.c.r, scored.c.f),
                literal(today, RfmScore.computed_on.type),
            )
            # in key order: the primary key's index is appended to, not written all over (and
            # the next day's DELETE walks it in order too) — 21 s of the 1M shop's DELETE went
            .order_by(scored.c.customer_id),
        )
    )
    return int(session.scalar(select(func.count()).select_from(RfmScore)) or 0)


def refresh_rfm(ctx: Context) -> int:
    """Compute the RFM scores now (the daily run does it every day); owner only."""
    require_owner(ctx)
    with ctx.db.write() as session:
        now = ctx.now()
        count = compute_rfm(ctx, session, now)
        audit(ctx, session, "segments.rfm", detail={"scored": count})
    return count


def rfm_overview(ctx: Context) -> rfm.RfmOverview:
    """The R×F grid of counts and spend, the named segments, the unscored active members."""
    with ctx.db.read() as session:
        computed = session.scalar(select(func.max(RfmScore.computed_on)))
        grid = tuple(
            rfm.GridCell(int(r), int(f), int(n), int(spend or 0))
            for r, f, n, spend in session.execute(
                select(RfmScore.r, RfmScore.f, func.count(), func.sum(RfmScore.monetary))
                .group_by(RfmScore.r, RfmScore.f)
                .order_by(RfmScore.r.desc(), RfmScore.f)
            )
        )
        found = {
            code: (int(n), int(spend or 0))
            for code, n, spend in session.execute(
                select(RfmScore.segment, func.count(), func.sum(RfmScore.monetary)).group_by(
                    RfmScore.segment
                )
            )
        }
        active = int(session.scalar(select(func.count()).where(Customer.status == "active")) or 0)
    segments = tuple(rfm.SegmentCount(code, *found.get(code, (0, 0))) for code in rfm.SEGMENTS)
    scored = sum(cell.members for cell in grid)
    return rfm.RfmOverview(
        computed.isoformat() if isinstance(computed, date) else None,
        scored,
        max(0, active - scored),
        grid,
        segments,
    )


# --- the owner's own segments ------------------------------------------------------------

RULE_KEYS = (
    "tier",
    "visited_within_days",
    "away_days",
    "birthday_month",
    "min_spend",
    "rfm",
    "pass_holder",  # segpass: true (any plan) or a plan code
)


def audience_of_rules(rules: dict[str, object]) -> Audience:
    """The audience a segment's rules describe (unknown keys refused)."""
    for key in rules:
        if key not in RULE_KEYS:
            raise Refused("segment.bad_rule", rule=key)

    def number(key: str) -> int | None:
        value = rules.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise Refused("segment.bad_rule", rule=key)
        return value

    tier = rules.get("tier")
    code = rules.get("rfm")
    if code is not None and code not in rfm.SEGMENTS:
        raise Refused("segment.unknown_rfm", segment=str(code), segments=", ".join(rfm.SEGMENTS))
    holder = rules.get("pass_holder")
    plan = check_pass_rule(holder) if holder is not None else None
    audience = Audience(
        tier=str(tier) if tier else None,
        visited_within_days=number("visited_within_days"),
        away_days=number("away_days"),
        birthday_month=number("birthday_month"),
        min_spend=number("min_spend"),
        rfm_segment=str(code) if code else None,
        pass_holder=holder is not None,
        pass_plan=plan,
    )
    check_audience(audience)
    return audience


def rules_of_audience(audience: Audience) -> dict[str, object]:
    out: dict[str, object] = {
        "tier": audience.tier,
        "visited_within_days": audience.visited_within_days,
        "away_days": audience.away_days,
        "birthday_month": audience.birthday_month,
        "min_spend": audience.min_spend,
        "rfm": audience.rfm_segment,
        "pass_holder": audience.pass_plan or (True if audience.pass_holder else None),
    }
    return {key: value for key, value in out.items() if value is not None}


@dataclass(frozen=True)
class SegmentLine:
    """A segment as the list shows it: named RFM ones (``kind`` rfm) and the owner's (owner)."""

    kind: str  # "rfm" or "owner"
    code: str  # the RFM code, or the owner's segment name
    members: int
    spend: int  # won over the last year (RFM) / not computed (owner: 0)
    rules: dict[str, object]
    id: uuid.UUID | None = None


def save_segment(ctx: Context, name: str, audience: Audience) -> SegmentLine:
    """Keep a named segment of the owner's (its rules); the same name replaces the rules."""
    require_owner(ctx)
    check_audience(audience)
    text = (name or "").strip()
    if not text or len(text) > 60:
        raise Refused("segment.name")
    rules = rules_of_audience(audience)
    with ctx.db.write() as session:
        if audience.pass_plan is not None:
            _check_plan(session, audience.pass_plan)
        row = session.scalars(select(OwnerSegment).where(OwnerSegment.name == text)).first()
        if row is None:
            row = OwnerSegment(
                id=uuid.uuid5(SEGMENT_NAMESPACE, text),  # one name, one row at every register
                name=text,
                rules="{}",
                created_at=ctx.now(),
                staff_id=ctx.staff_id,
                register_id=ctx.register_id,
            )
            session.add(row)
        row.rules = json.dumps(rules, ensure_ascii=False, sort_keys=True)
        session.flush()
        count = len(members_of(ctx, session, audience, ctx.now(), with_phone=False))
        audit(ctx, session, "segments.save", target=row.id, detail={"name": text, **rules})
        return SegmentLine("owner", text, count, 0, rules, row.id)


def _check_plan(session: Session, code: str) -> None:
    """A plan code the program offers, or one members still hold passes of."""
    offered = {plan.code for plan in current_program(session)[1].passes}
    if code in offered:
        return
    sold = session.scalar(select(MemberPass.id).where(MemberPass.plan_code == code).limit(1))
    if sold is None:
        if not offered:  # no plan at all: nothing to list after "요금제:"
            raise Refused("segment.no_plans", plan=code)
        raise Refused("segment.unknown_plan", plan=code, plans=", ".join(sorted(offered)))


def owner_audience(ctx: Context, name: str) -> Audience:
    """The audience of the owner's segment of that name."""
    with ctx.db.read() as session:
        row = session.scalars(select(OwnerSegment).where(OwnerSegment.name == name.strip())).first()
        if row is None:
            raise Refused("segment.unknown", name=name)
        return audience_of_rules(json.loads(row.rules))


def list_segments(ctx: Context) -> list[SegmentLine]:
    """The named RFM segments with their members and spend, then the owner's segments."""
    overview = rfm_overview(ctx)
    lines = [
        SegmentLine("rfm", s.code, s.members, s.spend, {"rfm": s.code}) for s in overview.segments
    ]
    now = ctx.now()
    with ctx.db.read() as session:
        for row in session.scalars(select(OwnerSegment).order_by(OwnerSegment.name)):
            rules = json.loads(row.rules)
            audience = audience_of_rules(rules)
            count = len(members_of(ctx, session, audience, now, with_phone=False))
            lines.append(SegmentLine("owner", row.name, count, 0, rules, row.id))
    return lines


@dataclass(frozen=True)
class SegmentCoupons:
    issued: int
    members: int


def issue_segment_coupons(
    ctx: Context, audience: Audience, kind: str, value: int, days: int
) -> SegmentCoupons:
    """A coupon to every active member of the audience, in one transaction. No notice is
    queued: telling a segment of an offer is an advertisement, sent with `announce` to the
    same segment, within each member's consent."""
    require_owner(ctx)
    check_audience(audience)
    check_coupon_issue(kind, value, days)
    now = ctx.now()
    with ctx.db.write() as session:
        ids = members_of(ctx, session, audience, now, with_phone=False)
        if not ids:
            raise Refused("segment.nobody")
        for customer_id in ids:
            add_coupon(ctx, session, customer_id, kind, value, days, COUPON_SOURCE, now)
        bump(ctx, session, now, coupons_issued=len(ids))
        audit(
            ctx,
            session,
            "segments.coupons",
            detail={
                "kind": kind,
                "value": value,
                "days": days,
                "coupons": len(ids),
                **rules_of_audience(audience),
            },
        )
    return SegmentCoupons(len(ids), len(ids))
