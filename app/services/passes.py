"""Subscription passes at the counter: sell, use today's entitlement, pause, resume, cancel.

Each use case is one transaction that appends one or two `pass_events` rows (never updates a
row), audited; the pass's state is derived from its events (app/domain/passes.py). A member
holds at most one open (active or paused) pass per plan. A pass sale is its own use case: it
is not a loyalty sale and earns nothing.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Customer, MemberPass, PassEventRow
from app.domain import passes as rules
from app.domain.errors import Refused
from app.domain.passes import PassEvent, PassPlan, PassState
from app.domain.phone import mask_name
from app.domain.plain_text import clean_line
from app.domain.slip import PassLine, SlipData
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import lock_usable_customer, masked_phone
from app.services.program import current_program

if TYPE_CHECKING:
    from app.services.sync import AttentionItem

MAX_REF = 100


@dataclass(frozen=True)
class PassView:
    """A pass as the counter, the slip and the doors show it (on the shop's local `today`)."""

    pass_id: uuid.UUID
    customer_id: uuid.UUID
    plan_code: str
    plan_name: str
    price: int
    days: int
    benefit: str
    percent: int
    items: tuple[str, ...]
    uses_per_day: int
    hours: tuple[int, int] | None
    refund_rule: str
    status: str  # active | paused | cancelled | ended
    start: date
    end: date
    uses_today: int
    uses_total: int
    paid: int
    refunded: int
    pos_ref: str | None

    @property
    def uses_left_today(self) -> int:
        return max(0, self.uses_per_day - self.uses_today) if self.status == "active" else 0

    def to_json(self) -> dict[str, object]:
        return {
            "pass_id": str(self.pass_id),
            "customer_id": str(self.customer_id),
            "plan": self.plan_code,
            "plan_name": self.plan_name,
            "price": self.price,
            "days": self.days,
            "benefit": self.benefit,
            "percent": self.percent,
            "items": list(self.items),
            "uses_per_day": self.uses_per_day,
            "hours": list(self.hours) if self.hours else None,
            "refund_rule": self.refund_rule,
            "status": self.status,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "uses_today": self.uses_today,
            "uses_left_today": self.uses_left_today,
            "uses_total": self.uses_total,
            "paid": self.paid,
            "refunded": self.refunded,
            "pos_ref": self.pos_ref,
        }


@dataclass(frozen=True)
class PassResult:
    """What an action did: the event(s) appended and the pass after it."""

    action: str  # sold | used | paused | resumed | cancelled
    event_id: uuid.UUID
    view: PassView
    refund: int = 0  # won, on a cancel
    name_masked: str | None = None
    phone_masked: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action,
            "event_id": str(self.event_id),
            "refund": self.refund,
            "pass": self.view.to_json(),
        }


# --- reading ---------------------------------------------------------------------------------


def _events(session: Session, pass_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[PassEvent]]:
    found: dict[uuid.UUID, list[PassEvent]] = {i: [] for i in pass_ids}
    if not pass_ids:
        return found
    e = PassEventRow
    rows = session.execute(
        select(e.pass_id, e.kind, e.at, e.day, e.amount).where(e.pass_id.in_(pass_ids))
    ).all()
    for pass_id, kind, at, day, amount in rows:
        found[pass_id].append(PassEvent(kind, at, day, int(amount)))
    return found


def _view(row: MemberPass, state: PassState) -> PassView:
    hours = (row.hour_from, row.hour_to) if row.hour_from is not None else None
    return PassView(
        pass_id=row.id,
        customer_id=row.customer_id,
        plan_code=row.plan_code,
        plan_name=row.plan_name,
        price=row.price,
        days=row.days,
        benefit=row.benefit,
        percent=row.percent,
        items=tuple(json.loads(row.items)),
        uses_per_day=row.uses_per_day,
        hours=hours,  # type: ignore[arg-type]
        refund_rule=row.refund_rule,
        status=state.status,
        start=state.start,
        end=state.end,
        uses_today=state.uses_today,
        uses_total=state.uses_total,
        paid=state.paid,
        refunded=state.refunded,
        pos_ref=row.pos_ref,
    )


def views_in(
    ctx: Context, session: Session, customer_id: uuid.UUID, today: date | None = None
) -> list[PassView]:
    """Every pass of a member, newest first, each with its state on `today` (local)."""
    today = today or ctx.local_date(ctx.now())
    rows = list(
        session.scalars(
            select(MemberPass)
            .where(MemberPass.customer_id == customer_id)
            .order_by(MemberPass.sold_at.desc(), MemberPass.id.desc())
        )
    )
    events = _events(session, [r.id for r in rows])
    return [_view(r, rules.derive(events[r.id], r.days, today)) for r in rows]


def member_passes(
    ctx: Context, customer_id: uuid.UUID, *, open_only: bool = False
) -> list[PassView]:
    """A member's passes (the counter panel shows the open ones)."""
    with ctx.db.read() as session:
        found = views_in(ctx, session, customer_id)
    return [v for v in found if v.status in ("active", "paused")] if open_only else found


def plans(ctx: Context) -> tuple[PassPlan, ...]:
    """The plans of the program in force."""
    with ctx.db.read() as session:
        return current_program(session)[1].passes


# --- acting ------------------------------------------------------------------------------------


def _plan(session: Session, code: str) -> PassPlan:
    plan = current_program(session)[1].plan(code.strip())
    if plan is None:
        raise Refused("pass.no_plan", plan=code.strip())
    return plan


def _open_pass(
    ctx: Context, session: Session, customer_id: uuid.UUID, plan_code: str | None, today: date
) -> tuple[MemberPass, PassState]:
    """The member's open pass of this plan (or their only open pass when no plan is named)."""
    rows = list(
        session.scalars(
            select(MemberPass)
            .where(MemberPass.customer_id == customer_id)
            .where(*([MemberPass.plan_code == plan_code.strip()] if plan_code else []))
            .order_by(MemberPass.sold_at.desc())
        )
    )
    events = _events(session, [r.id for r in rows])
    found = [(r, rules.derive(events[r.id], r.days, today)) for r in rows]
    opened = [(r, s) for r, s in found if s.open]
    if not opened:
        raise (
            Refused("pass.none_plan", plan=plan_code.strip()) if plan_code else Refused("pass.none")
        )
    if len(opened) > 1 and plan_code is None:
        raise Refused("pass.which", plans=", ".join(sorted({r.plan_code for r, _ in opened})))
    return opened[0]


def _append(
    ctx: Context,
    session: Session,
    row: MemberPass,
    kind: str,
    now: datetime,
    amount: int = 0,
    ref: str | None = None,
) -> PassEventRow:
    event = PassEventRow(
        pass_id=row.id,
        customer_id=row.customer_id,
        kind=kind,
        at=now,
        day=ctx.local_date(now),
        amount=amount,
        ref=ref,
        staff_id=ctx.staff_id,
        register_id=ctx.register_id,
    )
    session.add(event)
    return event


def _result(
    ctx: Context,
    session: Session,
    customer: Customer,
    row: MemberPass,
    action: str,
    event: PassEventRow,
    refund: int = 0,
) -> PassResult:
    session.flush()
    today = ctx.local_date(ctx.now())
    state = rules.derive(_events(session, [row.id])[row.id], row.days, today)
    audit(
        ctx,
        session,
        f"pass.{action}",
        target=row.id,
        detail={"plan": row.plan_code, "refund": refund} if refund else {"plan": row.plan_code},
    )
    return PassResult(
        action,
        event.id,
        _view(row, state),
        refund,
        mask_name(customer.name) if customer.name else None,
        masked_phone(ctx, customer),
    )


def _check_ref(ref: str | None) -> str | None:
    if ref is None:
        return None
    text = clean_line(ref).strip()
    if not text:
        return None
    if len(text) > MAX_REF:
        raise Refused("pass.ref_too_long", maximum=MAX_REF)
    return text


def check_ref(ref: str | None) -> str | None:
    """A payment or refund reference as it is kept (None when blank); the counter's pass
    dialog checks it by this same rule before anything is sent."""
    return _check_ref(ref)


def sell(
    ctx: Context, customer_id: uuid.UUID, plan_code: str, ref: str | None = None
) -> PassResult:
    """Sell a pass of this plan (paid at the POS: its payment reference is kept). Refused when
    the plan is unknown or the member already holds an open pass of it."""
    ctx.require("pass")
    pos_ref = _check_ref(ref)
    now = ctx.now()
    today = ctx.local_date(now)
    with ctx.db.write() as session:
        customer = lock_usable_customer(session, customer_id)
        plan = _plan(session, plan_code)
        try:
            held, _ = _open_pass(ctx, session, customer.id, plan.code, today)
        except Refused:
            held = None
        if held is not None:
            raise Refused("pass.already", plan=plan.name)
        row = MemberPass(
            customer_id=customer.id,
            plan_code=plan.code,
            plan_name=plan.name,
            price=plan.price,
            days=plan.days,
            benefit=plan.benefit,
            percent=plan.percent,
            items=json.dumps(list(plan.items), ensure_ascii=False),
            uses_per_day=plan.uses_per_day,
            hour_from=plan.hours[0] if plan.hours else None,
            hour_to=plan.hours[1] if plan.hours else None,
            refund_rule=plan.refund,
            sold_at=now,
            start_day=today,
            pos_ref=pos_ref,
            staff_id=ctx.staff_id,
            register_id=ctx.register_id,
        )
        session.add(row)
        session.flush()
        event = _append(ctx, session, row, "sold", now, plan.price, pos_ref)
        return _result(ctx, session, customer, row, "sold", event)


def use(ctx: Context, customer_id: uuid.UUID, plan_code: str | None = None) -> PassResult:
    """Use today's entitlement once: refused outside the plan's hours, once the day's uses are
    used up, while paused, after its end or once cancelled (the reason in words)."""
    ctx.require("pass")
    now = ctx.now()
    with ctx.db.write() as session:
        customer = lock_usable_customer(session, customer_id)
        row, state = _open_pass(ctx, session, customer.id, plan_code, ctx.local_date(now))
        hours = (row.hour_from, row.hour_to) if row.hour_from is not None else None
        rules.check_use(state, row.uses_per_day, hours, ctx.local(now))  # type: ignore[arg-type]
        event = _append(ctx, session, row, "used", now)
        return _result(ctx, session, customer, row, "used", event)


def pause(ctx: Context, customer_id: uuid.UUID, plan_code: str | None = None) -> PassResult:
    """Pause from today: the end moves by the days until it is resumed."""
    ctx.require("pass")
    now = ctx.now()
    with ctx.db.write() as session:
        customer = lock_usable_customer(session, customer_id)
        row, state = _open_pass(ctx, session, customer.id, plan_code, ctx.local_date(now))
        if state.status == "paused":
            raise Refused("pass.already_paused", since=str(state.paused_since))
        event = _append(ctx, session, row, "paused", now)
        return _result(ctx, session, customer, row, "paused", event)


def resume(ctx: Context, customer_id: uuid.UUID, plan_code: str | None = None) -> PassResult:
    ctx.require("pass")
    now = ctx.now()
    with ctx.db.write() as session:
        customer = lock_usable_customer(session, customer_id)
        row, state = _open_pass(ctx, session, customer.id, plan_code, ctx.local_date(now))
        if state.status != "paused":
            raise Refused("pass.not_paused")
        event = _append(ctx, session, row, "resumed", now)
        return _result(ctx, session, customer, row, "resumed", event)


def cancel(
    ctx: Context, customer_id: uuid.UUID, plan_code: str | None = None, ref: str | None = None
) -> PassResult:
    """Cancel an open pass; the plan's refund rule decides the refund (a `refunded` event with
    the amount, rounded down to the won; nothing under "none")."""
    ctx.require("pass")
    refund_ref = _check_ref(ref)
    now = ctx.now()
    today = ctx.local_date(now)
    with ctx.db.write() as session:
        customer = lock_usable_customer(session, customer_id)
        row, state = _open_pass(ctx, session, customer.id, plan_code, today)
        amount = rules.refund_amount(
            row.refund_rule, row.price, row.days, state.days_left(today, row.days)
        )
        event = _append(ctx, session, row, "cancelled", now, ref=refund_ref)
        if amount:
            _append(ctx, session, row, "refunded", now, amount, refund_ref)
        return _result(ctx, session, customer, row, "cancelled", event, amount)


# --- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassMonth:
    month: str  # "2026-03", local
    new: int  # passes sold
    lapsed: int  # passes that ended or were cancelled
    revenue: int  # won: sold minus refunded
    uses: int


@dataclass(frozen=True)
class PassReport:
    """Owner's figures of the subscription passes (days and months in the shop's zone)."""

    active: int  # open passes today (active or paused)
    paused: int
    months: tuple[PassMonth, ...]
    uses: int  # every use so far
    entitled: int  # uses the passes allowed up to today
    breakage: int  # entitled uses not taken (paid, unused)
    breakage_won: int  # their share of what was paid, rounded down
    revenue: int  # won, all time: sold minus refunded

    @property
    def use_rate(self) -> Decimal:
        """Uses over entitled uses, as a percent with one decimal (0 without any)."""
        if not self.entitled:
            return Decimal(0)
        return (Decimal(self.uses) * 100 / Decimal(self.entitled)).quantize(Decimal("0.1"))

    def to_json(self) -> dict[str, object]:
        return {
            "active": self.active,
            "paused": self.paused,
            "uses": self.uses,
            "entitled": self.entitled,
            "use_rate": str(self.use_rate),
            "breakage": self.breakage,
            "breakage_won": self.breakage_won,
            "revenue": self.revenue,
            "months": [
                {
                    "month": m.month,
                    "new": m.new,
                    "lapsed": m.lapsed,
                    "revenue": m.revenue,
                    "uses": m.uses,
                }
                for m in self.months
            ],
        }


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _months_between(first: str, last: str) -> list[str]:
    for text in (first, last):
        parts = text.split("-")
        if (
            len(parts) != 2
            or not all(p.isdigit() and p.isascii() for p in parts)
            or not 1970 <= int(parts[0]) <= 9998
            or not 1 <= int(parts[1]) <= 12
        ):
            raise Refused("pass.report_month", month=text)
    year, month = (int(p) for p in first.split("-"))
    found: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(found) < 120:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not found:
        raise Refused("report.range_order", first=first, last=last)  # the reports' own words
    return found


def pass_report(ctx: Context, first: str | None = None, last: str | None = None) -> PassReport:
    """Owner only: active passes today, new and lapsed per month, use rate, breakage, revenue."""
    from app.services.staff import require_owner

    require_owner(ctx)
    today = ctx.local_date(ctx.now())
    last = last or _month(today)
    first = first or last
    months = _months_between(first, last)
    per: dict[str, dict[str, int]] = {
        m: {"new": 0, "lapsed": 0, "revenue": 0, "uses": 0} for m in months
    }
    active = paused = uses = entitled = breakage = breakage_won = revenue = 0
    with ctx.db.read() as session:
        rows = list(session.scalars(select(MemberPass)))
        events = _events(session, [r.id for r in rows])
    for row in rows:
        state = rules.derive(events[row.id], row.days, today)
        active += state.open
        paused += state.status == "paused"
        allowed = rules.entitled(state, row.uses_per_day, today)
        used = min(state.uses_total, allowed) if allowed else state.uses_total
        uses += state.uses_total
        entitled += allowed
        revenue += state.paid - state.refunded
        if not state.open:  # breakage is known once a pass is over
            missed = max(0, allowed - used)
            breakage += missed
            full = row.days * row.uses_per_day
            kept = state.paid - state.refunded
            breakage_won += int(
                (
                    Decimal(kept) * Decimal(missed) / Decimal(max(full, allowed, 1))
                ).to_integral_value(rounding=ROUND_DOWN)
            )
        for event in events[row.id]:
            bucket = per.get(_month(event.day))
            if bucket is None:
                continue
            if event.kind == "sold":
                bucket["new"] += 1
                bucket["revenue"] += event.amount
            elif event.kind == "refunded":
                bucket["revenue"] -= event.amount
            elif event.kind == "used":
                bucket["uses"] += 1
        gone = state.cancelled_on if state.status == "cancelled" else None
        if state.status == "ended":
            gone = state.end
        if gone is not None and _month(gone) in per:
            per[_month(gone)]["lapsed"] += 1
    return PassReport(
        active=active,
        paused=paused,
        months=tuple(PassMonth(m, **per[m]) for m in months),
        uses=uses,
        entitled=entitled,
        breakage=breakage,
        breakage_won=breakage_won,
        revenue=revenue,
    )


# --- two registers offline -------------------------------------------------------------------


def overuse_items(ctx: Context, session: Session) -> list[AttentionItem]:
    """Passes used on one day beyond their daily allowance: two registers, offline, each let
    the member use it (each alone was right). For "needs attention": points = the uses too
    many; detail table = the plan's name and row = the local day (the words of the CLI and the
    back office name those two), plus the pass's id."""
    from app.services.sync import AttentionItem

    e, p = PassEventRow, MemberPass
    rows = session.execute(
        select(e.pass_id, e.day, func.count(), p.uses_per_day, p.plan_name, p.customer_id)
        .join(p, p.id == e.pass_id)
        .where(e.kind == "used")
        .group_by(e.pass_id, e.day, p.uses_per_day, p.plan_name, p.customer_id)
        .having(func.count() > p.uses_per_day)
        .order_by(e.day)
    ).all()
    items = []
    for pass_id, day, count, allowed, plan_name, customer_id in rows:
        customer = session.get(Customer, customer_id)
        items.append(
            AttentionItem(
                "pass_overuse",
                customer_id,
                mask_name(customer.name) if customer and customer.name else None,
                masked_phone(ctx, customer) if customer else None,
                points=int(count) - int(allowed),
                detail={"table": plan_name, "row": day.isoformat(), "pass": str(pass_id)},
            )
        )
    return items


def open_passes_ending(
    ctx: Context, session: Session, after: date, through: date, today: date
) -> list[PassView]:
    """Active passes (not paused) whose last day is after `after` and at most `through`, among
    members who are active; for the renewal reminder."""
    rows = list(
        session.scalars(
            select(MemberPass)
            .join(Customer, Customer.id == MemberPass.customer_id)
            .where(Customer.status == "active")
        )
    )
    events = _events(session, [r.id for r in rows])
    found = []
    for row in rows:
        state = rules.derive(events[row.id], row.days, today)
        if state.status == "active" and after < state.end <= through:
            found.append(_view(row, state))
    return found


# --- the slip ----------------------------------------------------------------------------------


def pass_slip(ctx: Context, result: PassResult) -> SlipData:
    """The slip of a pass action (kind "pass"): the member, the action, the pass's state."""
    from app.services.slips import slip_footer, store_info

    view = result.view
    with ctx.db.read() as session:
        store = store_info(session, ctx)
    return SlipData(
        action_id=result.event_id,
        kind="pass",
        store=store,
        at=ctx.local(ctx.now()),
        customer_name=result.name_masked,
        phone_masked=result.phone_masked,
        footer=slip_footer(ctx),
        pass_line=PassLine(
            action=result.action,
            plan_name=view.plan_name,
            status=view.status,
            start=view.start.isoformat(),
            end=view.end.isoformat(),
            uses_today=view.uses_today,
            uses_per_day=view.uses_per_day,
            price=view.price if result.action == "sold" else 0,
            refund=result.refund,
        ),
    )
