"""Experiments (issue 19): an offer to group A, nothing (holdout) or another offer (variant)
to group B, and the outcome read from the ledger over the period.

Who is in: the members active when the experiment was created (enrolled before it). Groups
come from the stable hash of app/domain/experiments.py, never stored. A coupon offer is issued
at creation to its group (source ``experiment``). A campaign offer (a multiplier and/or bonus
points, the experiment's name as the campaign's) and a stamp goal offer (the goal of the cards
started in the experiment's days) are applied by every sale, at every door, to the members of
the group that has it (the program state carries them: app/services/program.py); a message
offer is the owner's to send to group A (the report still compares the two groups).

The report: for each group, the members who came back (a purchase that still stands in the
period), their spend, and the members who redeemed something; the return and redemption
rates are compared with Fisher's exact test (app/domain/stats.py), which also says when the
groups are too small to tell.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased

from app.db.models import Customer, Experiment, Redemption, Sale
from app.domain.coupons import check_coupon_issue
from app.domain.errors import Refused
from app.domain.experiments import (
    APPLIED_KINDS,
    CampaignOffer,
    check_experiment,
    check_stamp_goal,
    group_of,
)
from app.domain.stats import Comparison, compare
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.figures import bump
from app.services.owner import add_coupon
from app.services.staff import require_owner

COUPON_SOURCE = "experiment"


@dataclass(frozen=True)
class CouponOffer:
    kind: str  # amount, percent, item
    value: int
    days: int


@dataclass(frozen=True)
class ExperimentLine:
    id: uuid.UUID
    name: str
    kind: str
    design: str
    treatment_percent: int
    start: date
    end: date
    status: str  # planned, running, ended
    offer: dict[str, object]
    coupons_issued: int = 0


def _status(today: date, start: date, end: date) -> str:
    return "planned" if today < start else "running" if today <= end else "ended"


def _line(ctx: Context, row: Experiment, issued: int = 0) -> ExperimentLine:
    return ExperimentLine(
        row.id,
        row.name,
        row.kind,
        row.design,
        row.treatment_percent,
        row.start_day,
        row.end_day,
        _status(ctx.local_date(ctx.now()), row.start_day, row.end_day),
        json.loads(row.offer or "{}"),
        issued,
    )


def _population(session: Session, row: Experiment) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Customer.id)
            .where(Customer.status == "active", Customer.enrolled_at < row.created_at)
            .order_by(Customer.id)
        )
    )


def create_experiment(
    ctx: Context,
    name: str,
    kind: str,
    start: date,
    end: date,
    *,
    design: str = "holdout",
    treatment_percent: int = 50,
    coupon: CouponOffer | None = None,
    coupon_b: CouponOffer | None = None,
    campaign: CampaignOffer | None = None,
    campaign_b: CampaignOffer | None = None,
    stamp_goal: int | None = None,
    stamp_goal_b: int | None = None,
) -> ExperimentLine:
    """Create the experiment (and issue its coupons to their groups) in one transaction.

    A campaign or stamp goal offer is applied by every sale in the experiment's days to the
    members of its group (app/services/program.py, app/services/stamps.py)."""
    require_owner(ctx)
    text = check_experiment(name, kind, design, treatment_percent, start, end)
    if start < ctx.local_date(ctx.now()):  # its outcome would count visits before the offer
        raise Refused("experiment.past_start", start=start.isoformat())
    if kind == "coupon" and coupon is None:
        raise Refused("experiment.no_coupon")
    # a campaign or stamp goal experiment without its offer is still the owner's to run by hand
    # (as before these offers were applied: the CLI's contract); with one, Dangol applies it
    if kind != "campaign" and (campaign is not None or campaign_b is not None):
        raise Refused("experiment.offer_kind", kind=kind)
    if kind != "stamp_goal" and (stamp_goal is not None or stamp_goal_b is not None):
        raise Refused("experiment.offer_kind", kind=kind)
    if coupon_b is not None and design != "variant":
        raise Refused("experiment.variant_only")
    if (campaign_b is not None or stamp_goal_b is not None) and design != "variant":
        raise Refused("experiment.b_offer_variant_only")
    for offer in (coupon, coupon_b):
        if offer is not None:
            check_coupon_issue(offer.kind, offer.value, offer.days)
    for goal in (stamp_goal, stamp_goal_b):
        if goal is not None:
            check_stamp_goal(goal)
    groups: dict[str, dict[str, object]] = {"A": {}, "B": {}}
    for group, coupon_offer, campaign_offer, goal in (
        ("A", coupon, campaign, stamp_goal),
        ("B", coupon_b, campaign_b, stamp_goal_b),
    ):
        if coupon_offer is not None:
            groups[group]["coupon"] = coupon_offer.__dict__
        if campaign_offer is not None:
            groups[group]["campaign"] = campaign_offer.to_json()
        if goal is not None:
            groups[group]["stamp_goal"] = goal
    offers: dict[str, object] = {group: part for group, part in groups.items() if part}
    applied = (campaign, campaign_b, stamp_goal, stamp_goal_b)
    if kind in APPLIED_KINDS and any(o is not None for o in applied):
        # the sale's window, as the shop's clock reads the days
        offers["window"] = {
            "from": datetime.combine(start, datetime.min.time(), tzinfo=ctx.zone).isoformat(),
            "until": datetime.combine(
                end + timedelta(days=1), datetime.min.time(), tzinfo=ctx.zone
            ).isoformat(),
        }
    now = ctx.now()
    with ctx.db.write() as session:
        row = Experiment(
            name=text,
            kind=kind,
            design=design,
            treatment_percent=treatment_percent,
            start_day=start,
            end_day=end,
            offer=json.dumps(offers, ensure_ascii=False, sort_keys=True),
            created_at=now,
            staff_id=ctx.staff_id,
            register_id=ctx.register_id,
        )
        session.add(row)
        session.flush()
        issued = 0
        for customer_id in _population(session, row):
            group = group_of(row.id, customer_id, treatment_percent)
            offer = coupon if group == "A" else coupon_b
            if offer is not None:
                add_coupon(
                    ctx,
                    session,
                    customer_id,
                    offer.kind,
                    offer.value,
                    offer.days,
                    COUPON_SOURCE,
                    now,
                )
                issued += 1
        if issued:
            bump(ctx, session, now, coupons_issued=issued)
        audit(
            ctx,
            session,
            "experiment.create",
            target=row.id,
            detail={
                "name": text,
                "kind": kind,
                "design": design,
                "treatment_percent": treatment_percent,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "coupons": issued,
                "offer": offers,
            },
        )
        return _line(ctx, row, issued)


def list_experiments(ctx: Context) -> list[ExperimentLine]:
    with ctx.db.read() as session:
        rows = session.scalars(select(Experiment).order_by(Experiment.created_at.desc())).all()
        return [_line(ctx, row) for row in rows]


@dataclass(frozen=True)
class GroupOutcome:
    group: str  # A or B
    members: int
    returned: int  # came back with a purchase in the period
    spend: int  # won over the period (net of voids and refunds)
    redeemed: int  # used points, a stamp reward or a coupon in the period

    @property
    def spend_per_member(self) -> int:
        return self.spend // self.members if self.members else 0


@dataclass(frozen=True)
class ExperimentReport:
    experiment: ExperimentLine
    groups: tuple[GroupOutcome, GroupOutcome]
    returned: Comparison  # A's return rate against B's
    redeemed: Comparison


def _resolve(session: Session, ref: str) -> Experiment:
    text = (ref or "").strip()
    try:
        row = session.get(Experiment, uuid.UUID(text))
    except ValueError:
        row = session.scalars(
            select(Experiment).where(Experiment.name == text).order_by(Experiment.created_at.desc())
        ).first()
    if row is None:
        raise Refused("experiment.unknown", ref=text)
    return row


def experiment_report(ctx: Context, ref: str) -> ExperimentReport:
    """The outcome so far (or over the whole period once it ended), group by group."""
    with ctx.db.read() as session:
        row = _resolve(session, ref)
        line = _line(ctx, row)
        start = datetime.combine(row.start_day, datetime.min.time(), tzinfo=ctx.zone)
        end = datetime.combine(
            row.end_day + timedelta(days=1), datetime.min.time(), tzinfo=ctx.zone
        )
        population = _population(session, row)
        void = aliased(Sale)
        visits = {
            customer_id: (int(n or 0), int(spend or 0))
            for customer_id, n, spend in session.execute(
                select(
                    Sale.customer_id,
                    func.sum(case((and_(Sale.amount > 0, void.id.is_(None)), 1), else_=0)),
                    func.sum(Sale.amount),
                )
                .outerjoin(void, void.reverses_id == Sale.id)
                .where(Sale.occurred_at >= start, Sale.occurred_at < end)
                .group_by(Sale.customer_id)
            )
        }
        voided = aliased(Redemption)
        redeemers = set(
            session.scalars(
                select(Redemption.customer_id)
                .distinct()
                .outerjoin(voided, voided.reverses_id == Redemption.id)
                .where(
                    Redemption.reverses_id.is_(None),
                    voided.id.is_(None),
                    Redemption.occurred_at >= start,
                    Redemption.occurred_at < end,
                )
            )
        )
    tallies = {"A": [0, 0, 0, 0], "B": [0, 0, 0, 0]}
    for customer_id in population:
        tally = tallies[group_of(row.id, customer_id, row.treatment_percent)]
        bought, spend = visits.get(customer_id, (0, 0))
        tally[0] += 1
        tally[1] += 1 if bought > 0 else 0
        tally[2] += spend
        tally[3] += 1 if customer_id in redeemers else 0
    a, b = (GroupOutcome(g, *tallies[g]) for g in ("A", "B"))
    return ExperimentReport(
        line,
        (a, b),
        compare(a.members, a.returned, b.members, b.returned),
        compare(a.members, a.redeemed, b.members, b.redeemed),
    )
