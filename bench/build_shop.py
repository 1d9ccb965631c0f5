"""Build a realistic, reproducible loyalty shop in a SQLite file for the benchmarks.

Default: 1,000,000 customers and exactly 5,000,000 ledger entries in bench/data/shop-1m.sqlite.

    .venv/bin/python bench/build_shop.py [--customers N] [--entries M] [--out PATH]
                                         [--seed S] [--now ISO]

How:

* The schema comes from the app itself: ``open_shop`` creates, migrates and seeds the file
  (store, register, owner, program). The seeded ids are then pinned to seeded values so that
  the same ``--seed`` and ``--now`` give the same file.
* Everything else is generated in chunks of customers (in enrollment = id order) and written
  with the stdlib ``sqlite3`` module by a writer thread while the next chunk is generated
  (SQLite releases the GIL while it works), with ``synchronous=OFF`` and ``journal_mode=OFF``.
  Secondary indexes of the bulk tables are read from ``sqlite_master``, dropped, and created
  again with their exact original SQL after the load. WAL is restored at the end.
* Rows use SQLAlchemy's storage formats on SQLite: UUIDs as 32 lowercase hex digits (UUIDv7,
  48-bit millisecond timestamp of the row's moment, a build-wide counter in the random bits
  so ids are unique), datetimes as naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``, dates as ISO.
* Each customer's history is simulated the way the services write it: a sale settles expired
  points first (an ``expire`` entry, as ``settle_expiry`` does), then a ``sales`` row and an
  ``earn`` entry (2 % of the amount, 1 stamp, lot expiry = local date + 12 months, next local
  midnight); points redemptions never exceed the usable (FIFO) balance and stamp rewards take
  10 stamps, each with its ``redemptions`` row. A customer whose 3-month spend at the last sale
  reaches a higher tier is promoted there (a ``tier_changes`` row with reason ``sale``).
  ``monthly_stats`` are summed while generating, as bump()/mark_active() add them (also the
  ``cohort:<local month of enrollment>`` and ``retained_members`` figures mark_active()
  keeps for cohort retention); ``--verify`` recomputes them with SQL aggregates over the
  loaded rows. ``customer_months`` is written as each customer's set of active local months.
* Not written: audit_log rows (the hash chain of 1M enrollments), coupons, voids, bonuses
  (the default program has no signup bonus), and no daily run has expired lots in bulk
  (``balances()`` reports what is due but not yet written as ``due_now``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import sqlite3
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from multiprocessing.queues import Queue
from pathlib import Path

from app.domain.calendar import add_months
from app.domain.program import DEFAULT_PROGRAM
from app.domain.tiers import sale_window_start, tier_for_spend

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "shop-1m.sqlite"
SPECIAL_PHONE = "01099990001"  # the regular with exactly 5,000 entries (if the scale allows)
SPECIAL_ENTRIES = 5000
HISTORY_DAYS = 426  # ~14 months of history before "now"
SEOUL_OFFSET_US = 9 * 3600 * 1_000_000  # Asia/Seoul has had no DST since 1988
DAY_US = 86_400 * 1_000_000
HOUR_US = 3600 * 1_000_000
OPEN_HOUR, CLOSE_HOUR = 8, 21
CHUNK_ENTRIES = 50_000  # ledger entries per chunk: bounds the memory of a chunk in flight
ROWS_PER_INSERT = 50  # rows per multi-row INSERT
SQLITE_CACHE_KIB = 112 * 1024  # page cache during the load
INDEX_CACHE_KIB = 64 * 1024  # during the index rebuild, whose sorts need memory too
SOFT_HEAP_LIMIT = 160 * 1024 * 1024  # all SQLite memory, advisory
BULK_TABLES = ("customers", "membership_cards", "tier_changes", "sales", "ledger_entries")
BULK_TABLES += ("redemptions", "customer_months")
# the metrics mark_active() keeps for cohort retention (app.services.figures)
COHORT_PREFIX, RETAINED = "cohort:", "retained_members"

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍전고문양손배백허유남심노하곽성차주우구민진"
GIVEN_NAMES = (
    "민준서연도윤하은지호수아예준지우시우서윤주원지민하준"
    "채원유진현우다은준서은서건우영희철수미영성민지훈"
)
GIVEN = [GIVEN_NAMES[i : i + 2] for i in range(0, len(GIVEN_NAMES), 2)]
PRICES = (4500, 5000, 5500, 6000, 6500, 9000, 11000, 12500, 15000, 24000, 32000)
RARE_WEIGHTS = (15, 30, 20, 15, 10, 10)  # 0..5 entries: most customers come rarely
REGULARS_PER_MILLION = 300
REGULAR_SHARE = 0.13  # of all entries
OCCASIONAL_SHARE = 0.10  # of customers: 6+ entries

PROGRAM = DEFAULT_PROGRAM
EARN_PERCENT = 2  # the BASIC rate: every sale is earned at BASIC (promotion is at the last)
STAMP_GOAL = PROGRAM.stamps.goal
STAMP_REWARD = PROGRAM.stamps.reward
MIN_REDEEM = PROGRAM.points.min_redeem
REDEEM_UNIT = PROGRAM.points.redeem_unit
EXPIRY_MONTHS = PROGRAM.points.expiry_months


@dataclass(frozen=True)
class RowKind:
    """One shape of row: the columns bound per row, in tuple order, and the fixed ones.

    Fixed values (the seeded store, staff, register, program; kinds, reasons, NULLs) are
    written into the INSERT as literals: binding them for every row costs more than the
    rest of the insert.
    """

    table: str
    bound: tuple[str, ...]
    fixed: tuple[tuple[str, object], ...] = ()

    def sql(self, seeds: Seeds, rows: int = 1) -> str:
        """INSERT of `rows` rows at once (their bound values flattened, in order)."""
        fixed = [(column, seeds.resolve(value)) for column, value in self.fixed]
        columns = ", ".join([*self.bound, *(column for column, _ in fixed)])
        values = ", ".join(["?"] * len(self.bound) + [_literal(value) for _, value in fixed])
        return f"INSERT INTO {self.table} ({columns}) VALUES " + ", ".join([f"({values})"] * rows)


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


STORE, STAFF, REGISTER, PROGRAM_VERSION = "$store", "$staff", "$register", "$program"
_SOURCE = (("store_id", STORE), ("staff_id", STAFF), ("register_id", REGISTER))
_LEDGER_NULLS = (("reverses_id", None), ("once_key", None))

ROW_KINDS: dict[str, RowKind] = {
    "customers": RowKind(
        "customers",
        (
            "id",
            "phone",
            "phone_last4",
            "name",
            "birthday",
            "tier_code",
            "enrolled_at",
            "program_consent_at",
            "marketing_consent_at",
        ),
        (
            ("status", "active"),
            ("store_id", STORE),
            ("referrer_id", None),
            ("consent_wording_version", "1"),
            ("withdrawn_at", None),
            ("erased_at", None),
            ("register_id", REGISTER),
        ),
    ),
    "membership_cards": RowKind(
        "membership_cards",
        ("id", "token", "customer_id", "issued_at"),
        (("status", "active"), ("revoked_at", None), ("register_id", REGISTER)),
    ),
    "tier_enroll": RowKind(
        "tier_changes",
        ("id", "customer_id", "changed_at"),
        (
            ("from_code", None),
            ("to_code", "BASIC"),
            ("reason", "enroll"),
            ("sale_id", None),
            ("period", None),
            ("window_spend", None),
            ("register_id", REGISTER),
        ),
    ),
    "tier_sale": RowKind(
        "tier_changes",
        ("id", "customer_id", "to_code", "changed_at", "sale_id", "window_spend"),
        (("from_code", "BASIC"), ("reason", "sale"), ("period", None), ("register_id", REGISTER)),
    ),
    "sales": RowKind(
        "sales",
        ("id", "customer_id", "occurred_at", "amount", "items"),
        (*_SOURCE, ("program_version_id", PROGRAM_VERSION), ("reverses_id", None)),
    ),
    "earn": RowKind(
        "ledger_entries",
        ("id", "customer_id", "points", "occurred_at", "expires_at", "sale_id"),
        (
            ("kind", "earn"),
            ("stamps", 1),
            ("reason", "purchase"),
            ("redemption_id", None),
            *_SOURCE,
            *_LEDGER_NULLS,
        ),
    ),
    "redeem_points": RowKind(
        "ledger_entries",
        ("id", "customer_id", "points", "occurred_at", "redemption_id"),
        (
            ("kind", "redeem"),
            ("stamps", 0),
            ("expires_at", None),
            ("reason", "points used"),
            ("sale_id", None),
            *_SOURCE,
            *_LEDGER_NULLS,
        ),
    ),
    "redeem_stamps": RowKind(
        "ledger_entries",
        ("id", "customer_id", "occurred_at", "redemption_id"),
        (
            ("kind", "redeem"),
            ("points", 0),
            ("stamps", -STAMP_GOAL),
            ("expires_at", None),
            ("reason", STAMP_REWARD),
            ("sale_id", None),
            *_SOURCE,
            *_LEDGER_NULLS,
        ),
    ),
    "expire": RowKind(
        "ledger_entries",
        ("id", "customer_id", "points", "occurred_at"),
        (
            ("kind", "expire"),
            ("stamps", 0),
            ("expires_at", None),
            ("reason", "expired"),
            ("sale_id", None),
            ("redemption_id", None),
            *_SOURCE,
            *_LEDGER_NULLS,
        ),
    ),
    "redemptions": RowKind(
        "redemptions",
        ("id", "customer_id", "kind", "points", "stamps", "occurred_at"),
        (("coupon_id", None), *_SOURCE, ("reverses_id", None)),
    ),
    "customer_months": RowKind("customer_months", ("customer_id", "month")),
}


def max_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- ids, times, tokens ------------------------------------------------------------------


class IdMaker:
    """UUIDv7 as SQLAlchemy stores them on SQLite: 32 hex digits, no dashes.

    48-bit ms timestamp, version 7, 12 random bits, variant 10, then a 32-bit build-wide
    counter and 30 random bits: time-ordered and unique without remembering what was issued.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._counter = 0

    def at(self, moment_us: int) -> str:
        self._counter += 1
        bits = self._rng.getrandbits(42)
        value = (
            ((moment_us // 1000) << 80)
            | (0x7 << 76)
            | ((bits >> 30) << 64)
            | (0b10 << 62)
            | (self._counter << 30)
            | (bits & 0x3FFF_FFFF)
        )
        return f"{value:032x}"


def dashed(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


class Calendar:
    """Microseconds since the epoch (UTC) to the stored text, local months and lot expiry."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._months: dict[int, str] = {}
        self._expiry: dict[int, str] = {}

    def text(self, us: int) -> str:
        day, rest = divmod(us, DAY_US)
        day_text = self._days.get(day)
        if day_text is None:
            day_text = self._days[day] = _utc(day * DAY_US).strftime("%Y-%m-%d")
        seconds, micro = divmod(rest, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return f"{day_text} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"

    def month(self, us: int) -> str:
        local_day = (us + SEOUL_OFFSET_US) // DAY_US
        month = self._months.get(local_day)
        if month is None:
            month = self._months[local_day] = _utc(local_day * DAY_US).strftime("%Y-%m")
        return month

    def expiry(self, us: int) -> str:
        """lot_expiry(): local date + 12 months, expiring at the next local midnight."""
        local_day = (us + SEOUL_OFFSET_US) // DAY_US
        text = self._expiry.get(local_day)
        if text is None:
            last = add_months(_utc(local_day * DAY_US).date(), EXPIRY_MONTHS)
            midnight_local = datetime.combine(last + timedelta(days=1), datetime.min.time())
            moment = midnight_local.replace(tzinfo=UTC) - timedelta(hours=9)
            text = self._expiry[local_day] = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        return text


_PREVIOUS: dict[str, str] = {}


def previous_month(month: str) -> str:
    """The "YYYY-MM" before a month (shift_month(month, -1) in app.domain.figures)."""
    before = _PREVIOUS.get(month)
    if before is None:
        year, number = int(month[:4]), int(month[5:7])
        before = f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"
        _PREVIOUS[month] = before
    return before


def _utc(us: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)


def to_us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _luhn_tables() -> tuple[list[int], list[int]]:
    """Luhn sums of 3-digit groups: the group's last digit doubled (even) or not (odd)."""

    def doubled(d: int) -> int:
        return d * 2 - 9 if d * 2 > 9 else d * 2

    even = [doubled(g % 10) + (g // 10) % 10 + doubled(g // 100) for g in range(1000)]
    odd = [g % 10 + doubled((g // 10) % 10) + g // 100 for g in range(1000)]
    return even, odd


LUHN_EVEN, LUHN_ODD = _luhn_tables()
TOKEN_SPACE = 9 * 10**14  # 15-digit payloads starting 1-9
TOKEN_STEP = 614_889_782_588_491  # prime, coprime with TOKEN_SPACE: i -> payload is a bijection


def card_token(index: int, offset: int) -> str:
    """A unique 16-digit token: 15 scrambled digits (first 1-9) and the Luhn check digit."""
    payload = 10**14 + (index * TOKEN_STEP + offset) % TOKEN_SPACE
    total, rest, parity = 0, payload, 0
    while rest:
        rest, group = divmod(rest, 1000)
        total += (LUHN_EVEN if parity == 0 else LUHN_ODD)[group]
        parity ^= 1
    return f"{payload}{(10 - total % 10) % 10}"


# --- the plan: who comes how often --------------------------------------------------------


@dataclass
class Plan:
    customers: int
    entries: int
    now_us: int
    start_us: int
    counts: array  # ledger entries per customer, by enrollment order
    regulars: set[int]
    phones: list[int]  # 8 digits after 010, unique
    token_offset: int


def make_plan(rng: random.Random, customers: int, entries: int, now: datetime) -> Plan:
    counts = array("I", rng.choices(range(6), weights=RARE_WEIGHTS, k=customers))
    special = min(SPECIAL_ENTRIES, entries // 4)
    n_regulars = min(customers, max(1, round(REGULARS_PER_MILLION * customers / 1_000_000)))
    early = max(n_regulars, customers // 10)
    regulars = {0, *rng.sample(range(1, early), n_regulars - 1)} if early > 1 else {0}
    regular_budget = int(entries * REGULAR_SHARE) if n_regulars > 1 else special
    counts[0] = special
    others = sorted(regulars - {0})
    for i in others:
        counts[i] = max(1, (regular_budget - special) // len(others))
    occasional = [
        i for i in range(customers) if i not in regulars and rng.random() < OCCASIONAL_SHARE
    ]
    rest = entries - sum(counts) + sum(counts[i] for i in occasional)
    mean = max(6, rest // max(1, len(occasional)))
    for i in occasional:
        counts[i] = rng.randint(6, 2 * mean - 6) if mean > 6 else 6
    _fix_total(rng, counts, entries, special)
    phones = _phones(rng, customers)
    now_us = to_us(now)
    return Plan(
        customers=customers,
        entries=entries,
        now_us=now_us,
        start_us=now_us - HISTORY_DAYS * DAY_US,
        counts=counts,
        regulars=regulars,
        phones=phones,
        token_offset=rng.randrange(TOKEN_SPACE),
    )


def _fix_total(rng: random.Random, counts: array, entries: int, special: int) -> None:
    """Nudge random customers (never the special one) until the total is exact."""
    diff = entries - sum(counts)
    n = len(counts)
    if n == 1:
        counts[0] = entries
        return
    while diff:
        i = rng.randrange(1, n)
        if diff > 0:
            step = min(diff, 1 + diff // n)
            counts[i] += step
            diff -= step
        elif counts[i] > 0:
            step = min(-diff, counts[i], 1 + (-diff) // n)
            counts[i] -= step
            diff += step
    assert counts[0] == special


def _phones(rng: random.Random, customers: int) -> list[int]:
    """Unique 010 numbers, the first the special one: last 4 digits uniform (~N/10,000 each)."""
    special = int(SPECIAL_PHONE[3:]) - 10_000_000
    picked = rng.sample(range(90_000_000 - 1), customers)  # skip the special number:
    picked = [p + 1 if p >= special else p for p in picked]  # values above it move up one
    picked[0] = special
    return [10_000_000 + p for p in picked]


# --- one customer's history -----------------------------------------------------------------


class Chunk(dict[str, list[tuple]]):
    """Rows of a run of customers, by row kind (see ROW_KINDS)."""

    def __init__(self) -> None:
        super().__init__((kind, []) for kind in ROW_KINDS)


@dataclass
class Seeds:
    """The ids open_shop seeded (pinned), as stored."""

    store: str
    register: str
    staff: str
    program: str

    def resolve(self, value: object) -> object:
        names = {STORE: self.store, STAFF: self.staff, REGISTER: self.register}
        names[PROGRAM_VERSION] = self.program
        return names.get(value, value) if isinstance(value, str) else value


@dataclass
class Wallet:
    """A customer's FIFO state: lots (expiry, points), what is consumed and what expired."""

    lots: list[tuple[int, int]] = field(default_factory=list)
    next_lot: int = 0
    earned: int = 0
    consumed: int = 0  # redeemed + expired (entries without expires_at)
    due_lots: int = 0  # points of lots whose expiry has passed
    stamps: int = 0

    def advance(self, now_us: int) -> None:
        lots = self.lots
        while self.next_lot < len(lots) and lots[self.next_lot][0] <= now_us:
            self.due_lots += lots[self.next_lot][1]
            self.next_lot += 1

    @property
    def due(self) -> int:
        return max(0, self.due_lots - self.consumed)

    @property
    def usable(self) -> int:
        return self.earned - max(self.consumed, self.due_lots)


class Generator:
    """Turns the plan into rows, customer by customer, in enrollment (= id) order."""

    def __init__(self, plan: Plan, seeds: Seeds, rng: random.Random) -> None:
        self.plan = plan
        self.seeds = seeds
        self.rng = rng
        self.ids = IdMaker(rng)
        self.cal = Calendar()
        self.expiry_us: dict[int, int] = {}
        self.promoted = 0
        self.figures: Counter[tuple[str, str]] = Counter()

    def bump(self, moment: int, deltas: dict[str, int]) -> None:
        """bump(): the month's running figures, as the services add to them."""
        month = self.cal.month(moment)
        for metric, value in deltas.items():
            if value:
                self.figures[month, metric] += value

    def chunks(self) -> Iterator[Chunk]:
        chunk, size = Chunk(), 0
        for index in range(self.plan.customers):
            size += self.customer(chunk, index)
            if size >= CHUNK_ENTRIES:
                yield chunk
                chunk, size = Chunk(), 0
        if chunk["customers"]:
            yield chunk

    def enrolled_us(self, index: int) -> int:
        """A steady stream of enrollments in opening hours, monotone in the index."""
        plan = self.plan
        position = index / plan.customers * (HISTORY_DAYS - 1)
        day = int(position)
        local = day * DAY_US + OPEN_HOUR * HOUR_US
        local += int((position - day) * (CLOSE_HOUR - OPEN_HOUR) * HOUR_US)
        local_midnight_start = (plan.start_us + SEOUL_OFFSET_US) // DAY_US * DAY_US
        return local_midnight_start + local - SEOUL_OFFSET_US + self.rng.randrange(1000)

    def visit_times(self, enrolled: int, count: int) -> list[int]:
        """Random moments in opening hours from enrollment to yesterday, sorted."""
        rng = self.rng
        first_day = (enrolled + SEOUL_OFFSET_US) // DAY_US
        last_day = (self.plan.now_us + SEOUL_OFFSET_US) // DAY_US - 1
        span = (CLOSE_HOUR - OPEN_HOUR) * HOUR_US
        times = []
        for _ in range(count):
            day = rng.randint(first_day, last_day)
            moment = day * DAY_US + OPEN_HOUR * HOUR_US + rng.randrange(span) - SEOUL_OFFSET_US
            if moment <= enrolled:
                moment = enrolled + rng.randrange(1, 600_000_000)
            times.append(moment)
        times.sort()
        return times

    def customer(self, chunk: Chunk, index: int) -> int:
        plan, rng, ids, cal = self.plan, self.rng, self.ids, self.cal
        enrolled = self.enrolled_us(index)
        customer_id = ids.at(enrolled)
        sales: list[tuple[int, int, str]] = []  # (moment, amount, sale id)
        months = self.history(chunk, customer_id, enrolled, index, sales)
        tier, spend, promotion = self.tier_after(sales)
        at = cal.text(enrolled)
        phone = plan.phones[index]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) if rng.random() < 0.5 else None
        birthday = self.birthday() if rng.random() < 0.3 else None
        marketing = at if rng.random() < 0.6 else None
        last4 = f"{phone % 10_000:04d}"
        chunk["customers"].append(
            (customer_id, f"010{phone}", last4, name, birthday, tier, at, at, marketing)
        )
        token = card_token(index, plan.token_offset)
        chunk["membership_cards"].append((ids.at(enrolled), token, customer_id, at))
        chunk["tier_enroll"].append((ids.at(enrolled), customer_id, at))
        self.bump(enrolled, {"new_members": 1, "tier:BASIC": 1})
        if promotion is not None:
            moment, sale_id = promotion
            chunk["tier_sale"].append(
                (ids.at(moment), customer_id, tier, cal.text(moment), sale_id, spend)
            )
            self.bump(moment, {"tier:BASIC": -1, f"tier:{tier}": 1})
            self.promoted += 1
        chunk["customer_months"].extend((customer_id, month) for month in sorted(months))
        cohort = COHORT_PREFIX + cal.month(enrolled)
        for month in months:  # mark_active(): once per customer and month
            self.figures[month, "active_members"] += 1
            self.figures[month, cohort] += 1
            if previous_month(month) in months:
                self.figures[month, RETAINED] += 1
        return plan.counts[index] + 1

    def history(
        self,
        chunk: Chunk,
        customer_id: str,
        enrolled: int,
        index: int,
        sales: list[tuple[int, int, str]],
    ) -> set[str]:
        """Exactly counts[index] ledger entries: sales (after settling expiry), redemptions."""
        rng, cal = self.rng, self.cal
        count = self.plan.counts[index]
        regular = index in self.plan.regulars
        wallet = Wallet()
        months: set[str] = set()
        redeem_chance = 0.05 if regular else 0.2
        written = 0
        for moment in self.visit_times(enrolled, count):
            if written >= count:
                break
            wallet.advance(moment)
            at = cal.text(moment)
            if wallet.stamps >= STAMP_GOAL and rng.random() < 0.5:
                self.redeem(chunk, customer_id, moment, at, 0, STAMP_GOAL)
                wallet.stamps -= STAMP_GOAL
                self.bump(moment, {"stamps_net": -STAMP_GOAL, "stamps_redeemed": STAMP_GOAL})
                written += 1
                continue
            if wallet.due:  # settle_expiry() before a sale or a points redemption
                chunk["expire"].append((self.ids.at(moment), customer_id, -wallet.due, at))
                self.bump(moment, {"points_net": -wallet.due, "points_expired": wallet.due})
                wallet.consumed += wallet.due
                written += 1
                if written >= count:
                    break
            usable = wallet.usable
            if usable >= MIN_REDEEM and rng.random() < redeem_chance:
                points = usable // REDEEM_UNIT * REDEEM_UNIT if rng.random() < 0.5 else MIN_REDEEM
                self.redeem(chunk, customer_id, moment, at, points, 0)
                wallet.consumed += points
                self.bump(moment, {"points_net": -points, "points_redeemed": points})
            else:
                amount = rng.choice(PRICES) * (rng.randint(1, 3) if regular else 1)
                points = amount * EARN_PERCENT // 100
                sales.append((moment, amount, self.sale(chunk, customer_id, moment, at, amount)))
                wallet.lots.append((self._expiry_us(moment), points))
                wallet.earned += points
                wallet.stamps += 1
                self.bump(
                    moment,
                    {"visits": 1, "sales_amount": amount, "points_net": points}
                    | {"points_issued": points, "stamps_net": 1, "stamps_issued": 1},
                )
                months.add(cal.month(moment))
            written += 1
        return months

    def _expiry_us(self, moment: int) -> int:
        local_day = (moment + SEOUL_OFFSET_US) // DAY_US
        value = self.expiry_us.get(local_day)
        if value is None:
            text = self.cal.expiry(moment)
            value = self.expiry_us[local_day] = to_us(
                datetime.fromisoformat(text).replace(tzinfo=UTC)
            )
        return value

    def sale(self, chunk: Chunk, customer_id: str, moment: int, at: str, amount: int) -> str:
        """record_sale_in(): a sales row and its earn entry (BASIC rate, one stamp)."""
        sale_id = self.ids.at(moment)
        items = self.rng.randint(1, 3)
        chunk["sales"].append((sale_id, customer_id, at, amount, items))
        points = amount * EARN_PERCENT // 100
        expires = self.cal.expiry(moment)
        chunk["earn"].append((self.ids.at(moment), customer_id, points, at, expires, sale_id))
        return sale_id

    def redeem(
        self, chunk: Chunk, customer_id: str, moment: int, at: str, points: int, stamps: int
    ) -> None:
        """redeem_points_in() / redeem_stamps_in(): a redemptions row and its redeem entry."""
        redemption_id = self.ids.at(moment)
        kind = "points" if points else "stamps"
        chunk["redemptions"].append((redemption_id, customer_id, kind, points, stamps, at))
        entry_id = self.ids.at(moment)
        if points:
            chunk["redeem_points"].append((entry_id, customer_id, -points, at, redemption_id))
        else:
            chunk["redeem_stamps"].append((entry_id, customer_id, at, redemption_id))

    def tier_after(
        self, sales: list[tuple[int, int, str]]
    ) -> tuple[str, int | None, tuple[int, str] | None]:
        """The tier a promotion at the last sale gives (3-month window spend, sale rule)."""
        if not sales or sum(amount for _, amount, _ in sales) < PROGRAM.tiers.levels[1].min_spend:
            return "BASIC", None, None
        last, _, sale_id = sales[-1]
        local_day = _utc(last + SEOUL_OFFSET_US).date()
        start_day = sale_window_start(local_day, PROGRAM.tiers.window_months)
        start = to_us(datetime.combine(start_day, datetime.min.time(), tzinfo=UTC))
        start -= SEOUL_OFFSET_US
        spend = sum(amount for moment, amount, _ in sales if moment >= start)
        tier = tier_for_spend(PROGRAM.tiers.levels, spend).code
        if tier == "BASIC":
            return "BASIC", None, None
        return tier, spend, (last, sale_id)

    def birthday(self) -> str:
        born = date(self.rng.randint(1955, 2006), 1, 1) + timedelta(days=self.rng.randrange(365))
        return born.isoformat()


# --- the database -----------------------------------------------------------------------


def create_schema(path: Path, now: datetime, seed: int) -> Seeds:
    """The app's own migrations and seed, in a child process (SQLAlchemy and Alembic stay out
    of the writer's memory), then the seeded ids pinned for reproducibility."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(_create_schema, (path, now, seed))


def _create_schema(path: Path, now: datetime, seed: int) -> Seeds:
    from app.services.context import open_shop

    rng = random.Random(f"{seed}:schema")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx = open_shop(str(path), now=now, use_env_clock=False)
    old = {
        "stores": ctx.store_id.hex,
        "registers": ctx.register_id.hex,
        "staff": ctx.staff_id.hex,
    }
    ctx.close()
    ids = IdMaker(rng)
    moment = to_us(now)
    new = {table: ids.at(moment) for table in old}
    db = sqlite3.connect(path)
    try:
        old["program_versions"] = db.execute("SELECT id FROM program_versions").fetchone()[0]
        new["program_versions"] = ids.at(moment)
        _pin_ids(db, old, new)
        db.commit()
    finally:
        db.close()
    return Seeds(new["stores"], new["registers"], new["staff"], new["program_versions"])


def _pin_ids(db: sqlite3.Connection, old: dict[str, str], new: dict[str, str]) -> None:
    """Replace the random seeded ids everywhere they are referenced."""
    references = {
        "stores": [("stores", "id"), ("registers", "store_id"), ("staff", "store_id")],
        "registers": [(t, "register_id") for t in ("stores", "registers", "staff")]
        + [("program_versions", "register_id"), ("registers", "id")],
        "staff": [("staff", "id"), ("program_versions", "staff_id")],
        "program_versions": [("program_versions", "id")],
    }
    for kind, places in references.items():
        for table, column in places:
            db.execute(
                f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new[kind], old[kind])
            )
    settings = {"store_id": "stores", "register_id": "registers", "owner_staff_id": "staff"}
    for key, kind in settings.items():
        db.execute(
            "UPDATE settings SET value = ? WHERE key = ?", (json.dumps(dashed(new[kind])), key)
        )


def bulk_connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode = OFF").fetchall()
    db.execute("PRAGMA synchronous = OFF")
    db.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    db.execute(f"PRAGMA soft_heap_limit = {SOFT_HEAP_LIMIT}").fetchall()
    db.execute("PRAGMA temp_store = FILE")
    db.execute("PRAGMA foreign_keys = OFF")
    return db


def drop_secondary_indexes(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The CREATE INDEX statements of the bulk tables, read from sqlite_master, then dropped."""
    marks = ", ".join("?" for _ in BULK_TABLES)
    rows = db.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        BULK_TABLES,
    ).fetchall()
    for name, _ in rows:
        db.execute(f'DROP INDEX "{name}"')
    return rows


def recreate_indexes(db: sqlite3.Connection, indexes: list[tuple[str, str]]) -> None:
    """The dropped indexes again, with their original SQL.

    A smaller page cache leaves room for the sorter (worker threads would each take as much
    again, for no gain on two cores).
    """
    db.execute(f"PRAGMA cache_size = -{INDEX_CACHE_KIB}")
    db.execute("PRAGMA shrink_memory")
    for name, sql in indexes:
        started = time.perf_counter()
        db.execute(sql)
        print(f"    {name:<34} {time.perf_counter() - started:5.1f} s", flush=True)


class Writer:
    """Inserts chunks, each in one transaction, sorted by key so the indexes grow in order.

    Rows go ROWS_PER_INSERT at a time in one multi-row INSERT: a third faster than one
    statement step per row.
    """

    def __init__(self, db: sqlite3.Connection, seeds: Seeds) -> None:
        self.db = db
        self.one = {name: kind.sql(seeds) for name, kind in ROW_KINDS.items()}
        self.many = {name: kind.sql(seeds, ROWS_PER_INSERT) for name, kind in ROW_KINDS.items()}
        self.rows: dict[str, int] = dict.fromkeys(BULK_TABLES, 0)
        self.busy_s = 0.0

    def write(self, chunk: Chunk) -> None:
        started = time.perf_counter()
        self.db.execute("BEGIN")
        for name in list(chunk):
            rows = chunk.pop(name)
            rows.sort()  # by id (or customer): the primary key grows, no random page writes
            self.insert(name, rows)
            self.rows[ROW_KINDS[name].table] += len(rows)
        self.db.execute("COMMIT")
        self.busy_s += time.perf_counter() - started

    def insert(self, name: str, rows: list[tuple]) -> None:
        step = ROWS_PER_INSERT
        whole = len(rows) - len(rows) % step
        batches = (tuple(chain.from_iterable(rows[i : i + step])) for i in range(0, whole, step))
        self.db.executemany(self.many[name], batches)
        self.db.executemany(self.one[name], rows[whole:])


@dataclass
class Produced:
    """What the generating process reports once every chunk is sent."""

    special_entries: int
    promoted: int
    rss_mb: float
    figures: dict[tuple[str, str], int]


def produce(args: argparse.Namespace, seeds: Seeds, now: datetime, outbox: Queue) -> None:
    """In a child process: plan and generate, chunk by chunk, into the queue."""
    rng = random.Random(f"{args.seed}:data")
    plan = make_plan(rng, args.customers, args.entries, now)
    generator = Generator(plan, seeds, rng)
    for chunk in generator.chunks():
        outbox.put(chunk)
    outbox.put(Produced(plan.counts[0], generator.promoted, max_rss_mb(), generator.figures))


def load(
    db: sqlite3.Connection, args: argparse.Namespace, seeds: Seeds, now: datetime
) -> tuple[Writer, Produced]:
    """Generation runs in a second process (the GIL would serialize threads) while we write."""
    context = multiprocessing.get_context("fork")
    outbox = context.Queue(maxsize=2)
    child = context.Process(target=produce, args=(args, seeds, now, outbox), daemon=True)
    child.start()
    writer = Writer(db, seeds)
    try:
        while isinstance(item := outbox.get(), Chunk):
            writer.write(item)  # empties the chunk before the next one is read
    finally:
        child.join(timeout=5)
    if child.exitcode != 0:
        raise RuntimeError(f"the generating process failed (exit code {child.exitcode})")
    return writer, item


LOCAL_MONTH = "strftime('%Y-%m', {}, '+9 hours')"
LEDGER_SUMS = (
    ("points_net", "SUM(points)"),
    ("stamps_net", "SUM(stamps)"),
    ("points_issued", "SUM(CASE WHEN kind = 'earn' AND points > 0 THEN points ELSE 0 END)"),
    ("stamps_issued", "SUM(CASE WHEN kind = 'earn' AND stamps > 0 THEN stamps ELSE 0 END)"),
    ("points_redeemed", "-SUM(CASE WHEN kind = 'redeem' THEN points ELSE 0 END)"),
    ("stamps_redeemed", "-SUM(CASE WHEN kind = 'redeem' THEN stamps ELSE 0 END)"),
    ("points_expired", "-SUM(CASE WHEN kind = 'expire' THEN points ELSE 0 END)"),
)


def _figure_queries() -> list[str]:
    """(month, metric, value) rows as enroll_in, record_sale_in and append_entry bump them."""
    enrolled = LOCAL_MONTH.format("enrolled_at")
    changed = LOCAL_MONTH.format("changed_at")
    occurred = LOCAL_MONTH.format("occurred_at")
    return [
        f"SELECT {enrolled}, 'new_members', COUNT(*) FROM customers GROUP BY 1",
        f"SELECT {enrolled}, 'tier:BASIC', COUNT(*) FROM customers GROUP BY 1",
        f"SELECT {changed}, 'tier:' || from_code, -COUNT(*) FROM tier_changes "
        "WHERE reason = 'sale' GROUP BY 1, from_code",
        f"SELECT {changed}, 'tier:' || to_code, COUNT(*) FROM tier_changes "
        "WHERE reason = 'sale' GROUP BY 1, to_code",
        "SELECT month, 'active_members', COUNT(*) FROM customer_months GROUP BY month",
        f"SELECT m.month, '{COHORT_PREFIX}' || {LOCAL_MONTH.format('c.enrolled_at')}, COUNT(*) "
        "FROM customer_months AS m JOIN customers AS c ON c.id = m.customer_id GROUP BY 1, 2",
        f"SELECT m.month, '{RETAINED}', COUNT(*) FROM customer_months AS m "
        "JOIN customer_months AS b ON b.customer_id = m.customer_id "
        "AND b.month = strftime('%Y-%m', m.month || '-01', '-1 month') GROUP BY 1",
        f"SELECT {occurred}, 'visits', COUNT(*) FROM sales GROUP BY 1",
        f"SELECT {occurred}, 'sales_amount', SUM(amount) FROM sales GROUP BY 1",
        *(f"SELECT month, '{name}', {name} FROM temp.ledger_months" for name, _ in LEDGER_SUMS),
    ]


def write_monthly_stats(
    db: sqlite3.Connection, store_id: str, figures: dict[tuple[str, str], int]
) -> int:
    """The running figures bump()/mark_active() kept while the history was generated."""
    rows = [(month, store_id, metric, value) for (month, metric), value in sorted(figures.items())]
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO monthly_stats (month, store_id, metric, value) VALUES (?, ?, ?, ?)", rows
    )
    db.execute("COMMIT")
    return len(rows)


def verify_monthly_stats(db: sqlite3.Connection) -> list[str]:
    """Recompute every figure with SQL aggregates over the loaded rows; list the differences."""
    sums = ", ".join(f"{expr} AS {name}" for name, expr in LEDGER_SUMS)
    occurred = LOCAL_MONTH.format("occurred_at")
    db.execute(  # one pass over the ledger
        f"CREATE TEMP TABLE ledger_months AS SELECT {occurred} AS month, {sums} "
        "FROM ledger_entries GROUP BY 1"
    )
    db.execute("CREATE TEMP TABLE figures (month TEXT, metric TEXT, value INTEGER)")
    for sql in _figure_queries():
        db.execute(f"INSERT INTO temp.figures (month, metric, value) {sql}")
    differences = db.execute(
        "SELECT f.month, f.metric, f.value, s.value FROM "
        "(SELECT month, metric, SUM(value) AS value FROM temp.figures GROUP BY 1, 2) AS f "
        "FULL JOIN (SELECT month, metric, SUM(value) AS value FROM monthly_stats "
        "GROUP BY 1, 2) AS s USING (month, metric) "
        "WHERE COALESCE(f.value, 0) != COALESCE(s.value, 0)"
    ).fetchall()
    db.execute("DROP TABLE temp.figures")
    db.execute("DROP TABLE temp.ledger_months")
    return [f"{m} {metric}: SQL {sql} != stored {stored}" for m, metric, sql, stored in differences]


def finish(db: sqlite3.Connection, path: Path) -> None:
    """Back to the app's journal mode; the build's pragmas end with the bulk connection."""
    db.close()
    db = sqlite3.connect(path, isolation_level=None)
    try:
        (mode,) = db.execute("PRAGMA journal_mode = WAL").fetchall()[0]
        assert mode == "wal", mode
    finally:
        db.close()


# --- main --------------------------------------------------------------------------------


class Phases:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.rows: list[tuple[str, float]] = []

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.rows.append((name, now - self.last))
        print(f"  {name:<34} {now - self.last:7.1f} s   max RSS {max_rss_mb():6.0f} MB", flush=True)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--verify", action="store_true", help="check monthly_stats against SQL aggregates"
    )
    parser.add_argument(
        "--now",
        default=None,
        help="ISO moment the history ends at (default: today 00:00 Asia/Seoul)",
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.entries < 0:
        parser.error("--customers must be >= 1 and --entries >= 0")
    return args


def resolve_now(text: str | None) -> datetime:
    if text:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC) - timedelta(hours=9)
        return moment.astimezone(UTC)
    local_today = (datetime.now(UTC) + timedelta(hours=9)).date()
    return datetime.combine(local_today, datetime.min.time(), tzinfo=UTC) - timedelta(hours=9)


def build(args: argparse.Namespace) -> None:
    now = resolve_now(args.now)
    path = args.out.resolve()
    print(f"building {path}: {args.customers:,} customers, {args.entries:,} entries")
    print(f"  seed {args.seed}, history ends {now.isoformat()}", flush=True)
    phases = Phases()
    seeds = create_schema(path, now, args.seed)
    phases.done("schema (app migrations + seed)")
    db = bulk_connect(path)
    indexes = drop_secondary_indexes(db)
    writer, produced = load(db, args, seeds, now)
    phases.done(f"generate + insert (writer {writer.busy_s:.0f} s busy)")
    recreate_indexes(db, indexes)
    phases.done(f"recreate {len(indexes)} indexes")
    stats = write_monthly_stats(db, dashed(seeds.store), produced.figures)
    phases.done(f"monthly_stats ({stats} rows)")
    if args.verify:
        differences = verify_monthly_stats(db)
        print("\n".join(differences) or "  monthly_stats match the SQL aggregates")
        phases.done("verify monthly_stats (SQL)")
    finish(db, path)
    phases.done("WAL restored")
    report(path, writer, produced, phases)


def report(path: Path, writer: Writer, produced: Produced, phases: Phases) -> None:
    total_rows = sum(writer.rows.values())
    print("rows:")
    for table, count in writer.rows.items():
        print(f"  {table:<18} {count:>12,}")
    print(f"  {'(tier promotions)':<18} {produced.promoted:>12,}")
    print(f"total {phases.total:.1f} s, {total_rows / phases.total:,.0f} rows/s overall")
    print(f"max RSS {max_rss_mb():.0f} MB (this process), {produced.rss_mb:.0f} MB (generator)")
    print(f"file {path.stat().st_size / 1e9:.2f} GB")
    phone = f"010-{SPECIAL_PHONE[3:7]}-{SPECIAL_PHONE[7:]}"
    print(f"regular with {produced.special_entries:,} entries: {phone}")


def main(argv: list[str] | None = None) -> int:
    build(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
