"""Subscription passes (구독권): the owner's plans, and a sold pass's state derived from its events.

Decisions:

* A plan (the program JSON's optional `passes` list, parsed in app/domain/program.py) has a
  code, a name, a price in won, a period in days, a benefit ("free_item": the listed items
  are free; "percent_off": `percent` off the listed items, all items when none are listed),
  how many uses a day, optional hours [from, to) in the shop's zone, and a refund rule
  ("none", or "pro_rata" by the days left).
* A sold pass keeps the terms of its plan at the sale (a later program does not change it).
* Its state is derived from its events only (sold, used, paused, resumed, cancelled,
  refunded), replayed in time order; nothing about a pass is ever updated in place.
* Days are local days of the shop's zone. A pass sold on day S for D days runs S..S+D-1; a
  pause from day P resumed on day R moves the end by R-P days (the days it could not be used);
  while it is paused its end moves day by day.
* Pro rata refund: the days left are the days after today up to the end (today counts as
  begun), at most the plan's days; refund = price * days_left / days, the ratio a Decimal,
  rounded down to the won (the shop never refunds more than the unused share).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from app.domain.errors import Refused

BENEFITS = ("free_item", "percent_off")
REFUND_RULES = ("none", "pro_rata")
EVENT_KINDS = ("sold", "used", "paused", "resumed", "cancelled", "refunded")
MAX_PASS_DAYS = 366
MAX_USES_PER_DAY = 20
MAX_PASS_PRICE = 10_000_000
MAX_PLANS = 50


@dataclass(frozen=True)
class PassPlan:
    code: str
    name: str
    price: int  # won
    days: int
    benefit: str  # "free_item" | "percent_off"
    percent: int  # percent_off only; 0 for a free item
    items: tuple[str, ...]  # which items; empty with percent_off = every item
    uses_per_day: int
    hours: tuple[int, int] | None  # [from, to) local hours; None = all day
    refund: str  # "none" | "pro_rata"

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "name": self.name,
            "price": self.price,
            "days": self.days,
            "benefit": self.benefit,
        }
        if self.benefit == "percent_off":
            out["percent"] = self.percent
        out.update(
            {
                "items": list(self.items),
                "uses_per_day": self.uses_per_day,
                "hours": list(self.hours) if self.hours is not None else None,
                "refund": self.refund,
            }
        )
        return out


@dataclass(frozen=True)
class PassEvent:
    kind: str
    at: datetime  # aware UTC
    day: date  # the shop's local day of `at`
    amount: int = 0  # won: the price (sold) or the refund (refunded)


@dataclass(frozen=True)
class PassState:
    """What a pass is on `today`, from its events."""

    status: str  # "active" | "paused" | "cancelled" | "ended"
    start: date
    end: date  # last day it can be used (moved by pauses)
    paused_days: int
    uses_today: int
    uses_total: int
    uses_by_day: dict[date, int] = field(default_factory=dict)
    paid: int = 0
    refunded: int = 0
    paused_since: date | None = None
    cancelled_on: date | None = None

    @property
    def open(self) -> bool:
        """Counts as the member's pass of its plan (one at most): active or paused."""
        return self.status in ("active", "paused")

    def days_left(self, today: date, days: int) -> int:
        """Days after today up to the end, at most the plan's days (today counts as begun)."""
        return max(0, min(days, (self.end - today).days))


def derive(events: Iterable[PassEvent], days: int, today: date) -> PassState:
    """Replay a pass's events (any order: sorted by time here) into its state on `today`."""
    ordered = sorted(events, key=lambda e: (e.at, EVENT_KINDS.index(e.kind)))
    if not ordered or ordered[0].kind != "sold":
        raise ValueError("a pass starts with its sale")
    start = ordered[0].day
    paused_days = 0
    paused_since: date | None = None
    cancelled = False
    cancelled_on: date | None = None
    paid = refunded = 0
    uses: dict[date, int] = {}
    for event in ordered:
        if event.kind == "sold":
            paid += event.amount
        elif event.kind == "used":
            uses[event.day] = uses.get(event.day, 0) + 1
        elif event.kind == "paused" and paused_since is None:
            paused_since = event.day
        elif event.kind == "resumed" and paused_since is not None:
            paused_days += (event.day - paused_since).days
            paused_since = None
        elif event.kind == "cancelled":
            cancelled, cancelled_on = True, event.day
            if paused_since is not None:  # cancelled while paused: the pause ends with it
                paused_days += (event.day - paused_since).days
                paused_since = None
        elif event.kind == "refunded":
            refunded += event.amount
    still = (today - paused_since).days if paused_since is not None and not cancelled else 0
    end = start + timedelta(days=days - 1 + paused_days + max(0, still))
    if cancelled:
        status = "cancelled"
    elif paused_since is not None:
        status = "paused"
    elif today > end:
        status = "ended"
    else:
        status = "active"
    return PassState(
        status=status,
        start=start,
        end=end,
        paused_days=paused_days + max(0, still),
        uses_today=uses.get(today, 0),
        uses_total=sum(uses.values()),
        uses_by_day=uses,
        paid=paid,
        refunded=refunded,
        paused_since=paused_since if not cancelled else None,
        cancelled_on=cancelled_on,
    )


def entitled(state: PassState, uses_per_day: int, today: date) -> int:
    """Uses the member could have had up to today: each day from the start to the end (or the
    cancel, or today) that was not paused, times the day's allowance."""
    last = min(state.end, today, state.cancelled_on or today)
    return max(0, (last - state.start).days + 1 - state.paused_days) * uses_per_day


def check_use(
    state: PassState, uses_per_day: int, hours: tuple[int, int] | None, local: datetime
) -> None:
    """Refused in words when today's entitlement cannot be used at this local time."""
    if state.status == "cancelled":
        raise Refused("pass.cancelled")
    if state.status == "paused":
        raise Refused("pass.paused")
    if local.date() < state.start or state.status == "ended":
        raise Refused("pass.ended", end=state.end.isoformat())
    if hours is not None and not hours[0] <= local.hour < hours[1]:
        raise Refused("pass.outside_hours", start=hours[0], end=hours[1])
    if state.uses_today >= uses_per_day:
        raise Refused("pass.used_up", n=uses_per_day)


def refund_amount(rule: str, price: int, days: int, days_left: int) -> int:
    """The refund of a cancelled pass: 0 under "none"; pro rata rounded down to the won."""
    if rule == "none" or days_left <= 0 or price <= 0:
        return 0
    # price × left ÷ days in one division: a ratio rounded first (1/22 to 28 digits) times
    # the price can fall just short of a whole won (22 × 1/22 gave 0, not 1)
    share = Decimal(price) * Decimal(min(days_left, days)) / Decimal(days)
    return int(share.to_integral_value(rounding=ROUND_DOWN))


def overuse(uses_by_day: dict[date, int], uses_per_day: int) -> dict[date, int]:
    """Days a pass was used beyond its allowance (two registers offline): day -> uses too many."""
    return {day: n - uses_per_day for day, n in sorted(uses_by_day.items()) if n > uses_per_day}


PLAN_CODE_MAX = 20  # passes.plan_code


def check_pass_rule(plan: object) -> str | None:
    """The "pass holder" segment rule's value (issue 19): True for any plan, or a plan code.
    Returns the plan code (None: any plan); refuses anything else."""
    if plan is True:
        return None
    if isinstance(plan, str) and plan.strip() and len(plan.strip()) <= PLAN_CODE_MAX:
        return plan.strip()
    raise Refused("segment.bad_pass_rule", maximum=PLAN_CODE_MAX)
