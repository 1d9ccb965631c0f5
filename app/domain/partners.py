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
import uuid
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
# A counter sale's entries and their voids have ids derived from what they belong to, so the
# central database needs no column to tell a void from a sale: the entry of kind `earn` or
# `spend` whose id is reversal_id(X) undoes entry X (a void's new entry, append-only).
SALE_ENTRY_NAMESPACE = uuid.UUID("0f6a3c1e-93d4-4b8e-8a0e-6c2f4d1b7e55")
REVERSAL_NAMESPACE = uuid.UUID("7c9e2b44-1d5a-4f63-b0c8-2e8d9a6f4c31")


def sale_entry_id(sale_id: uuid.UUID, kind: str) -> uuid.UUID:
    """The partner entry (earn or spend) of a counter sale: one of each kind at most."""
    return uuid.uuid5(SALE_ENTRY_NAMESPACE, f"{sale_id}:{kind}")


def reversal_id(entry_id: uuid.UUID | str) -> uuid.UUID:
    """The id of the entry that undoes `entry_id` (a void): at most one."""
    return uuid.uuid5(REVERSAL_NAMESPACE, str(entry_id).lower())


MOVE_NAMESPACE = uuid.UUID("3a8d5f60-2b7e-4c19-9f4a-d1e6b0c7a283")


def move_in_id(move_out_id: uuid.UUID | str) -> uuid.UUID:
    """A customer merge moves an account's points to the keeper's: a `spend` on the absorbed
    account (id X) and an `earn` on the keeper's with id move_in_id(X). The pair is neither
    issued nor redeemed: the points keep their issuers (see allocate)."""
    return uuid.uuid5(MOVE_NAMESPACE, str(move_out_id).lower())


def moves_of(entries: Iterable[Entry]) -> dict[str, Entry]:
    """A move's `earn` entry id (lower case) -> its `spend` on the absorbed account."""
    by_id = {e.entry_id.lower(): e for e in entries}
    found: dict[str, Entry] = {}
    for key, entry in by_id.items():
        move_in = str(move_in_id(key))
        if move_in in by_id and entry.kind == "spend":
            found[move_in] = entry
    return found


def voids_of(entries: Iterable[Entry]) -> dict[str, Entry]:
    """A void's entry id (lower case) -> the entry it undoes, among the entries given."""
    by_id = {e.entry_id.lower(): e for e in entries}
    found: dict[str, Entry] = {}
    for key, entry in by_id.items():
        void = str(reversal_id(key))
        if void in by_id:
            found[void] = entry
    return found


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


def refund_back(earned: int, sale_amount: int, refunded_total: int, already_back: int) -> int:
    """Partner points a POS refund takes back of a sale's earn: the earn pro rata of all that
    is refunded so far (rounded down, Decimal), less what the earlier refunds took back; the
    whole refund takes back the rest, never more than was earned."""
    if earned <= 0 or sale_amount <= 0:
        return 0
    share = min(Decimal(refunded_total), Decimal(sale_amount)) / Decimal(sale_amount)
    due = int((Decimal(earned) * share).to_integral_value(rounding=ROUND_FLOOR))
    if refunded_total >= sale_amount:
        due = earned
    return max(0, min(due, earned) - already_back)


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
    """Every spend split over the earned points it used, oldest first, per account.

    A void's entry (see reversal_id) undoes its entry: the void of a spend gives the points
    back to the lots they came from (a negative use in the void's month), the void of an earn
    takes what is left of that earn's lot (and, when part of it was spent already, the rest
    from the oldest lots: those points are gone, nobody pays for them)."""
    entries = list(entries)
    undoes = voids_of(entries)
    moves = moves_of(entries)  # move-in id -> move-out
    moved_out = {e.entry_id.lower() for e in moves.values()}
    uses: list[Use] = []
    all_lots: dict[str, list[list[object]]] = {}  # account -> [issuer, left, earn id], oldest first
    # spend id -> (issuer, points) it used; issuer None: beyond the balance (no lot)
    taken: dict[str, list[tuple[str | None, int]]] = {}
    carried: dict[str, list[list[object]]] = {}  # move-in id -> the lots on their way

    def order(e: Entry) -> tuple[datetime, bool, str]:  # a move's earn after its spend
        return (e.at, e.entry_id.lower() in moves, e.entry_id)

    for entry in sorted(entries, key=order):
        lots = all_lots.setdefault(entry.account, [])
        key = entry.entry_id.lower()
        if key in moves:  # a merge: the absorbed account's lots join the keeper's
            lots.extend(carried.pop(key, []))
            continue
        undone = undoes.get(key)
        if undone is not None and undone.kind == "spend":  # a void gives a spend back
            back = taken.pop(undone.entry_id.lower(), [])
            for giver, points in reversed(back):
                if giver is not None:
                    lots.insert(0, [giver, points, None])
                uses.append(Use(entry.month, undone.shop, giver or undone.shop, -points))
            continue
        if entry.kind == "earn":
            lots.append([entry.shop, entry.points, key])
            continue
        wanted = entry.points
        if key in moved_out:  # the points leave with their issuers, oldest first
            bucket = carried.setdefault(str(move_in_id(key)), [])
            while wanted and lots:
                take = min(wanted, int(lots[0][1]))  # type: ignore[call-overload]
                bucket.append([lots[0][0], take, lots[0][2]])
                lots[0][1] = int(lots[0][1]) - take  # type: ignore[call-overload]
                wanted -= take
                if not lots[0][1]:
                    lots.pop(0)
            continue
        if undone is not None:  # a void takes its earn back: that lot first, no use
            for lot in lots:
                if lot[2] == undone.entry_id.lower():
                    take = min(wanted, int(lot[1]))  # type: ignore[call-overload]
                    lot[1] = int(lot[1]) - take  # type: ignore[call-overload]
                    wanted -= take
            lots[:] = [lot for lot in lots if lot[1]]
            while wanted and lots:
                take = min(wanted, int(lots[0][1]))  # type: ignore[call-overload]
                lots[0][1] = int(lots[0][1]) - take  # type: ignore[call-overload]
                wanted -= take
                if not lots[0][1]:
                    lots.pop(0)
            continue
        used = taken.setdefault(key, [])
        while wanted and lots:
            issuer, left, _ = lots[0]
            take = min(wanted, int(left))  # type: ignore[call-overload]
            uses.append(Use(entry.month, entry.shop, str(issuer), take))
            used.append((str(issuer), take))
            wanted -= take
            if take == left:
                lots.pop(0)
            else:
                lots[0][1] = int(left) - take  # type: ignore[call-overload]
        if wanted:  # spent beyond the balance (offline): the spending shop's own risk
            uses.append(Use(entry.month, entry.shop, entry.shop, wanted))
            used.append((None, wanted))
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
    voids = voids_of(upto)
    moves = moves_of(upto)
    moving = set(moves) | {e.entry_id.lower() for e in moves.values()}
    for e in upto:
        if e.month != month or e.entry_id.lower() in moving:  # a merge issues nothing
            continue
        undone = voids.get(e.entry_id.lower())
        if undone is None and e.kind == "earn":
            issued[e.shop] = issued.get(e.shop, 0) + e.points
        elif undone is not None and undone.kind == "earn":  # an earn voided: not issued
            issued[e.shop] = issued.get(e.shop, 0) - e.points
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
