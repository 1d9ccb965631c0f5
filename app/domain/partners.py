"""A neighbourhood coalition (골목 제휴): the rules of partner points and their settlement (pure).

Two to ten independent shops agree on the value of a partner point (won, Decimal), how many
partner points a won of sale earns, and how many points a member may spend at a shop that
cannot reach the central database. Partner points are a balance of their own, apart from
each shop's points: append-only entries (earn, spend) of an account, the balance their sum.

Who pays: the shop that issued the points pays the shop where they were spent their value.
A spend takes the oldest points first (FIFO over the account's entries in time order); the
part of a spend no earned point covers (spent offline beyond the balance) is the spending
shop's own risk: it is allocated to that shop itself, so nobody pays for it.

Each month each pair of shops gets one statement: the points each issued in the month, the
points of each spent at the other, their value in won (rounded half up, per direction) and
the net amount one owes the other. Statements of a pair are hash-chained month to month.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from app.domain.errors import Refused

MIN_SHOPS, MAX_SHOPS = 2, 10
MAX_POINT_VALUE = Decimal("10000")
MAX_EARN_RATE = Decimal("1")
KINDS = ("earn", "spend")
GENESIS = "0" * 64  # the "previous hash" of a pair's first statement


@dataclass(frozen=True)
class Terms:
    """What the owners agreed."""

    point_value: Decimal  # won per partner point
    earn_rate: Decimal  # partner points per won of sale
    offline_limit: int  # points a member may spend at a shop that cannot reach the others


def _decimal(text: str | Decimal) -> Decimal | None:
    """The number written, or None when it is none (or not finite)."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def terms_of(point_value: str | Decimal, earn_rate: str | Decimal, offline_limit: int) -> Terms:
    value = _decimal(point_value)
    if value is None or not Decimal(0) < value <= MAX_POINT_VALUE:
        raise Refused("partner.value_invalid", value=str(point_value))
    rate = _decimal(earn_rate)
    if rate is None or not Decimal(0) <= rate <= MAX_EARN_RATE:
        raise Refused("partner.rate_invalid", value=str(earn_rate))
    if isinstance(offline_limit, bool) or not 0 <= offline_limit <= 1_000_000:
        raise Refused("partner.limit_invalid", value=str(offline_limit))
    return Terms(point_value=value, earn_rate=rate, offline_limit=offline_limit)


def points_for(amount: int, rate: Decimal) -> int:
    """Partner points a sale of `amount` won earns (rounded down)."""
    return int((Decimal(amount) * rate).to_integral_value(rounding=ROUND_FLOOR))


def value_of(points: int, point_value: Decimal) -> int:
    """The won value of points, rounded half up to the won."""
    return int((Decimal(points) * point_value).to_integral_value(rounding=ROUND_HALF_UP))


def check_month(text: str) -> str:
    """'YYYY-MM', else refused."""
    value = text.strip()
    ok = len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()
    if not ok or not 1 <= int(value[5:]) <= 12:
        raise Refused("partner.month_invalid", month=text)
    return value


def lookup_key(secret: str, kind: str, value: str) -> str:
    """What the central database keeps of a phone or a card: an HMAC with the coalition's
    secret (the join code), never the number itself."""
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


# --- balances and the offline rule ----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One partner-point entry as the central database holds it."""

    entry_id: str
    account: str
    shop: str  # where it happened (the issuer of an earn, the redeemer of a spend)
    kind: str  # earn | spend
    points: int
    at: datetime
    month: str


def balance(entries: Iterable[Entry]) -> int:
    return sum(e.points if e.kind == "earn" else -e.points for e in entries)


def spendable(
    *, online: bool, balance_known: int, unsent_net: int, unsent_spent: int, limit: int
) -> int:
    """Points a member may spend now. Online: the central balance plus this shop's entries
    not yet sent. Offline: the balance as last known plus the unsent entries, and at most
    `limit` points spent offline (unsent spends count against it)."""
    available = max(0, balance_known + unsent_net)
    if online:
        return available
    return max(0, min(available, limit - unsent_spent))


# --- allocation and settlement --------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """Part of a spend, paid for by the shop that issued those points."""

    month: str
    redeemer: str
    issuer: str
    points: int


def allocate(entries: Iterable[Entry]) -> list[Use]:
    """Every spend split over the earned points it used, oldest first, per account."""
    by_account: dict[str, list[Entry]] = {}
    for entry in entries:
        by_account.setdefault(entry.account, []).append(entry)
    uses: list[Use] = []
    for account in sorted(by_account):
        lots: list[list[object]] = []  # [issuer, points left], oldest first
        for entry in sorted(by_account[account], key=lambda e: (e.at, e.entry_id)):
            if entry.kind == "earn":
                lots.append([entry.shop, entry.points])
                continue
            wanted = entry.points
            while wanted and lots:
                issuer, left = lots[0]
                take = min(wanted, int(left))  # type: ignore[call-overload]
                uses.append(Use(entry.month, entry.shop, str(issuer), take))
                wanted -= take
                if take == left:
                    lots.pop(0)
                else:
                    lots[0][1] = int(left) - take  # type: ignore[call-overload]
            if wanted:  # spent beyond the balance (offline): the spending shop's own risk
                uses.append(Use(entry.month, entry.shop, entry.shop, wanted))
    return uses


@dataclass(frozen=True)
class Statement:
    """A month between two shops (shop_a < shop_b as ids), the amounts in won."""

    coalition: str
    month: str
    shop_a: str
    shop_b: str
    name_a: str
    name_b: str
    point_value: str  # the Decimal as text
    issued_a: int  # partner points shop A issued this month (to anyone)
    issued_b: int
    a_points_at_b: int  # points issued by A spent at B this month
    b_points_at_a: int
    a_owes_b: int  # value of a_points_at_b
    b_owes_a: int
    net: int  # > 0: A pays B that much; < 0: B pays A
    prev_hash: str = GENESIS

    def body(self) -> str:
        """The canonical text the hash covers (everything but the hash itself)."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.body().encode()).hexdigest()

    def position(self, shop: str) -> int:
        """What `shop` is owed by this statement (negative: what it owes)."""
        if shop == self.shop_a:
            return -self.net
        if shop == self.shop_b:
            return self.net
        return 0

    def other(self, shop: str) -> str:
        return self.shop_b if shop == self.shop_a else self.shop_a


def settle(
    coalition: str,
    month: str,
    shops: dict[str, str],
    entries: Sequence[Entry],
    point_value: Decimal,
    prev_hashes: dict[tuple[str, str], str] | None = None,
) -> list[Statement]:
    """The statements of `month` for every pair of `shops` (id -> name), from all entries up
    to that month (earlier earns are spent first)."""
    prev_hashes = prev_hashes or {}
    upto = [e for e in entries if e.month <= month]
    cross: dict[tuple[str, str], int] = {}  # (issuer, redeemer) -> points
    for use in allocate(upto):
        if use.month == month and use.issuer != use.redeemer:
            cross[(use.issuer, use.redeemer)] = (
                cross.get((use.issuer, use.redeemer), 0) + use.points
            )
    issued: dict[str, int] = {}
    for e in upto:
        if e.month == month and e.kind == "earn":
            issued[e.shop] = issued.get(e.shop, 0) + e.points
    ids = sorted(shops)
    statements = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            a_at_b, b_at_a = cross.get((a, b), 0), cross.get((b, a), 0)
            a_owes, b_owes = value_of(a_at_b, point_value), value_of(b_at_a, point_value)
            statements.append(
                Statement(
                    coalition=coalition,
                    month=month,
                    shop_a=a,
                    shop_b=b,
                    name_a=shops[a],
                    name_b=shops[b],
                    point_value=str(point_value),
                    issued_a=issued.get(a, 0),
                    issued_b=issued.get(b, 0),
                    a_points_at_b=a_at_b,
                    b_points_at_a=b_at_a,
                    a_owes_b=a_owes,
                    b_owes_a=b_owes,
                    net=a_owes - b_owes,
                    prev_hash=prev_hashes.get((a, b), GENESIS),
                )
            )
    return statements


def statement_of(body: str) -> Statement:
    return Statement(**json.loads(body))


def broken_link(chain: Sequence[tuple[str, str]]) -> int | None:
    """The index of the first statement of a pair's chain (oldest first, each (body, stored
    hash)) whose body does not hash to its stored hash or does not name the previous hash;
    None when the chain holds."""
    previous = GENESIS
    for index, (body, stored) in enumerate(chain):
        try:
            statement = statement_of(body)
        except (ValueError, TypeError):
            return index
        if statement.hash != stored or statement.prev_hash != previous:
            return index
        previous = stored
    return None


CSV_FIELDS = (
    "month",
    "shop_a",
    "shop_b",
    "point_value",
    "issued_a",
    "issued_b",
    "a_points_at_b",
    "b_points_at_a",
    "a_owes_b",
    "b_owes_a",
    "net",
    "payer",
    "payee",
    "amount",
    "prev_hash",
    "hash",
)


def payer_payee(s: Statement) -> tuple[str, str, int]:
    """(payer name, payee name, amount); an even month has no payer."""
    if s.net > 0:
        return s.name_a, s.name_b, s.net
    if s.net < 0:
        return s.name_b, s.name_a, -s.net
    return "", "", 0
