"""The central database keeps the monthly figures (monthly_stats, customer_months) itself.

Every change to the central rows moves them in the same server transaction, by the rules a
register's pull follows (app.sync.figures.account_pulled; how an entry moves them is
app.domain.figures): a push by what it applied (after_push), the first upload of a register
or a second store's join by the feed rows it appended (after_upload). A central database of an
older version (figures absent) is rebuilt once from its rows, as a new register pulling the
whole feed would count them. A new register joining a non-empty central database then takes
the figures as they are (copy_on_first_pull) instead of recomputing them row by row.

How far the figures are kept is a mark in the central settings (KEPT_KEY: the feed number up
to which every row is counted), written in the same transaction as the figures.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, MetaData, Table, delete, func, select, text
from sqlalchemy.orm import Session

from app.db.figures import bump_rows
from app.db.models import (
    CustomerMonth,
    MonthlyStat,
    Register,
    Setting,
    Store,
    SyncChange,
    SyncOutbox,
)
from app.domain.figures import RETAINED, cohort_metric, shift_month
from app.sync.figures import LIVING, account_pulled
from app.sync.merge import Applied, Change, business_of, chunks, feed_top, of_business, table

KEPT_KEY = "sync.figures_kept"  # central settings: {"seq": feed number counted up to}
DEFAULT_ZONE = "Asia/Seoul"  # a shop without a "timezone" setting (as app.services.context)
REPLAY_CHUNK = 2000
# the tables whose rows move the figures (account_pulled reads these), in the order a pull
# applies them; tier changes are counted with their customer (see _replay)
COUNTED = ("customers", "coupons", "ledger_entries", "sales", "redemptions", "tier_changes")
# columns that hold the moment a register wrote a row (its clock, not the server's)
MOMENTS = ("at", "occurred_at", "changed_at", "enrolled_at", "issued_at", "erased_at")
# the unique keys of the figures' tables: the one place that names the conflict targets
FIGURE_KEYS = {
    "monthly_stats": ("month", "store_id", "metric"),
    "customer_months": ("customer_id", "month"),
}


# --- the hooks --------------------------------------------------------------------------------


def after_push(
    connection: Connection, applied: Applied, register_id: uuid.UUID | None, feed_rows: int
) -> None:
    """A push's rows, just applied and appended to the feed (feed_rows of them), counted."""
    top = feed_top(connection)
    kept = _kept(connection)
    if kept is None or _unkept_before(connection, kept, top - feed_rows):
        rebuild(connection, register_id)  # figures absent or behind: once, from the rows
    else:
        with _session(connection) as session:
            account_pulled(
                session,
                _zone(connection),
                _store(connection, register_id),
                _moment(applied),
                applied,
            )
    _set_kept(connection, top)


@dataclass
class Joined:
    """What an upload beside other data brought, for the figures (app.sync.upload fills it).

    Its rows are in temporary tables named `prefix` + table, its own figures (monthly_stats,
    customer_months, read in the same SQLite snapshot) too."""

    start: int  # the feed's top when the upload began (under the feed lock)
    zone: str  # the register's own time zone (its figures' months are in it)
    complete: bool = False  # every counted row it brought was new here (none skipped)
    merges: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    # central customer records as they were before the merge rule decided them (the losers)
    before: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    prefix: str = "up_"
    added: bool = False  # its figures were added in bulk (else its rows were counted)
    seconds: dict[str, float] = field(default_factory=dict)  # per part, for the benchmark


def after_upload(
    connection: Connection, register_id: uuid.UUID, joined: Joined | None = None
) -> None:
    """A register's whole database just uploaded (COPY): the feed rows it appended counted.

    Beside other data, when the figures were kept up to the upload and everything it brought
    is new here, the register's own figures are added in bulk (summed by key, months unioned)
    and only the members the merge rule merged across the stores are counted again."""
    top = feed_top(connection)
    kept = _kept(connection)
    if kept is None:
        rebuild(connection, register_id)
    elif top > kept:
        if joined is not None and _addable(connection, joined, kept):
            add_joined(connection, register_id, joined)
        else:
            _account_feed(connection, register_id, kept, top)
    _set_kept(connection, top)


def mark_kept(connection: Connection) -> None:
    """The figures were put in as they are with the rows (a business's first upload): kept up
    to the feed's top."""
    _set_kept(connection, feed_top(connection))


def copy_on_first_pull(session: Session, snapshot: Connection, register_id: uuid.UUID) -> bool:
    """A new register's first pull: the central figures replace its own, when the central
    database keeps them and holds rows of other registers, and nothing of this register is
    waiting to go (else they would miss it). True when copied (nothing to recompute then).

    snapshot is the pull's REPEATABLE READ read: its figures are exactly its feed's."""
    if _kept(snapshot) is None:
        return False
    c = SyncChange.__table__.c
    others = snapshot.scalar(
        select(
            select(c.seq)
            .where(*_mine(snapshot, "sync_changes"))
            .where(c.origin.is_(None) | (c.origin != register_id))
            .exists()
        )
    )
    if not others or session.scalar(select(SyncOutbox.seq).limit(1)) is not None:
        return False
    session.execute(delete(MonthlyStat))
    session.execute(delete(CustomerMonth))
    for name in FIGURE_KEYS:
        t = table(name)
        for part in _pages(snapshot, t, FIGURE_KEYS[name]):
            session.execute(t.insert(), part)
    return True


# --- counting ---------------------------------------------------------------------------------


def rebuild(connection: Connection, register_id: uuid.UUID | None = None) -> None:
    """Every central row counted from nothing, as a new register pulling the whole feed
    counts them (the figures of an upgraded central database, kept from then on)."""
    connection.execute(delete(MonthlyStat).where(*_mine(connection, "monthly_stats")))
    connection.execute(delete(CustomerMonth).where(*_mine(connection, "customer_months")))
    rows = {name: _all_rows(connection, name) for name in COUNTED}
    _replay(connection, register_id, rows, set())


def _account_feed(connection: Connection, register_id: uuid.UUID, kept: int, top: int) -> None:
    """The feed rows after the mark (an upload's), counted as a pull of them counts them.

    The upload brings new rows only; a customer already here that the upload changed is one
    the merge rule merged into an uploaded record (it was living: active, or withdrawn)."""
    c = SyncChange.__table__.c
    ids: dict[str, list[uuid.UUID]] = {}
    for tbl, row_id in connection.execute(
        select(c.tbl, c.row_id)
        .where(*_mine(connection, "sync_changes"))
        .where(c.seq > kept, c.seq <= top, c.tbl.in_(COUNTED))
    ):
        ids.setdefault(tbl, []).append(row_id)
    known: set[uuid.UUID] = set()
    for part in chunks(list(dict.fromkeys(ids.get("customers", [])))):
        known |= set(
            connection.scalars(
                select(c.row_id)
                .where(*_mine(connection, "sync_changes"))
                .where(c.tbl == "customers", c.seq <= kept, c.row_id.in_(part))
            )
        )
    rows = {
        name: _rows_by_id(connection, name, list(dict.fromkeys(ids.get(name, []))))
        for name in COUNTED
    }
    _replay(connection, register_id, rows, known)


# --- a store joining: its own figures added in bulk ------------------------------------------


def _addable(connection: Connection, joined: Joined, kept: int) -> bool:
    """The register's own figures are the central rule's for its rows: nothing before the
    upload left uncounted, every row it brought new here, its months in the central zone."""
    return joined.complete and joined.start == kept and joined.zone == _zone(connection).key


def add_joined(connection: Connection, register_id: uuid.UUID, joined: Joined) -> None:
    """The joining register's monthly_stats summed into the central ones by key, its
    customer_months unioned (one statement each), then the members merged across the stores
    counted again (what bulk cannot be right for: their records' figures depend on both)."""
    started = time.perf_counter()
    lead = "business_id, " if business_of(connection) is not None else ""
    keys = FIGURE_KEYS["monthly_stats"]
    columns = ", ".join(keys)
    connection.execute(
        text(
            f"INSERT INTO monthly_stats ({columns}, value) "
            f"SELECT {columns}, sum(value) FROM {joined.prefix}monthly_stats "
            f"GROUP BY {columns} HAVING sum(value) <> 0 ORDER BY {columns} "
            f"ON CONFLICT ({lead}{columns}) "
            "DO UPDATE SET value = monthly_stats.value + EXCLUDED.value"
        )
    )
    joined.seconds["stats summed"] = time.perf_counter() - started
    started = time.perf_counter()
    months = ", ".join(FIGURE_KEYS["customer_months"])
    connection.execute(
        text(
            f"INSERT INTO customer_months ({months}) "
            f"SELECT DISTINCT {months} FROM {joined.prefix}customer_months ORDER BY {months} "
            "ON CONFLICT DO NOTHING"
        )
    )
    joined.seconds["months unioned"] = time.perf_counter() - started
    joined.added = True
    if joined.merges:
        started = time.perf_counter()
        _recount_merged(connection, register_id, joined)
        joined.seconds[f"{len(joined.merges)} merged recounted"] = time.perf_counter() - started


_STAGED: dict[str, Table] = {}


def _staged(prefix: str, name: str) -> Table:
    """A temporary table of the upload (same columns as `name`), for typed reads."""
    key = prefix + name
    if key not in _STAGED:
        _STAGED[key] = table(name).to_metadata(MetaData(), name=key)
    return _STAGED[key]


def _recount_merged(connection: Connection, register_id: uuid.UUID, joined: Joined) -> None:
    """Each pair the merge rule made (a record brought in, one already here, same phone):
    what the register counted for its record and what the central figures counted for the
    other are taken away, and both records counted as a full rebuild counts them now (the
    merged one leaves, the sales of both are the living one's months). Their active months
    are written again from the sales, as the rebuild notes them."""
    zone, storeless = _zone(connection), _store(connection, register_id)
    ids = list(dict.fromkeys(i for pair in joined.merges for i in pair))
    c, up_c = table("customers"), _staged(joined.prefix, "customers")
    final: dict[uuid.UUID, dict[str, Any]] = {}
    brought: dict[uuid.UUID, dict[str, Any]] = {}
    for part in chunks(ids):
        final |= {
            r.id: dict(r._mapping)
            for r in connection.execute(
                select(c).where(*_mine(connection, "customers"), c.c.id.in_(part))
            )
        }
        brought |= {
            r.id: dict(r._mapping)
            for r in connection.execute(select(up_c).where(up_c.c.id.in_(part)))
        }
    # the record already here of each pair: whose sales were the ones not brought in
    here_of: dict[uuid.UUID, uuid.UUID] = {}
    for loser, winner in joined.merges:
        here = winner if loser in brought else loser
        for member in (loser, winner):
            here_of[member] = here
    tiers: dict[uuid.UUID, list[Any]] = {}
    t, s, up_s = table("tier_changes"), table("sales"), _staged(joined.prefix, "sales")
    sold_now: dict[uuid.UUID, list[Any]] = {}
    sold_before: dict[uuid.UUID, list[Any]] = {}
    for part in chunks(ids):
        for r in connection.execute(
            select(t.c.customer_id, t.c.from_code, t.c.to_code, t.c.changed_at).where(
                *_mine(connection, "tier_changes"), t.c.customer_id.in_(part)
            )
        ):
            tiers.setdefault(r.customer_id, []).append(r)
        for r in connection.execute(
            select(s.c.customer_id, s.c.occurred_at, s.c.store_id, up_s.c.customer_id.label("was"))
            .outerjoin(up_s, up_s.c.id == s.c.id)
            .where(*_mine(connection, "sales"), s.c.customer_id.in_(part), s.c.amount > 0)
        ):
            sold_now.setdefault(r.customer_id, []).append(r)
            was = r.was if r.was is not None else here_of.get(r.customer_id, r.customer_id)
            sold_before.setdefault(was, []).append(r)
    counted: dict[tuple[str, str, str], int] = {}
    for member in ids:
        before = brought.get(member) or joined.before.get(member) or final.get(member)
        if before is not None:
            _count_record(counted, zone, storeless, before, final, tiers, sold_before, -1)
        if member in final:
            _count_record(counted, zone, storeless, final[member], final, tiers, sold_now, 1)
    m = CustomerMonth.__table__.c
    for part in chunks(ids):
        connection.execute(
            delete(CustomerMonth).where(
                *_mine(connection, "customer_months"), m.customer_id.in_(part)
            )
        )
    noted = sorted(
        {(member, _month(zone, r.occurred_at)) for member, rows in sold_now.items() for r in rows}
    )
    if noted:
        connection.execute(
            table("customer_months").insert(),
            [{"customer_id": member, "month": month} for member, month in noted],
        )
    with _session(connection) as session:
        bump_rows(
            session,
            [
                {"month": month, "store_id": store, "metric": metric, "value": value}
                for (month, store, metric), value in sorted(counted.items())
                if value
            ],
        )


def _month(zone: ZoneInfo, moment: datetime) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")


def _count_record(
    counted: dict[tuple[str, str, str], int],
    zone: ZoneInfo,
    storeless: str,
    record: dict[str, Any],
    records: dict[uuid.UUID, dict[str, Any]],
    tiers: dict[uuid.UUID, list[Any]],
    sold: dict[uuid.UUID, list[Any]],
    sign: int,
) -> None:
    """What one customer record counts in a full rebuild (app.sync.figures' rules for a
    record arriving as it is, with its tier changes and its sales), times sign."""

    def add(moment: datetime, store: object, metric: str, value: int = 1) -> None:
        key = (_month(zone, moment), str(store) if store is not None else storeless, metric)
        counted[key] = counted.get(key, 0) + sign * value

    add(record["enrolled_at"], record["store_id"], "new_members")
    if record["status"] != LIVING:
        left = {"erased": record.get("erased_at"), "withdrawn": record.get("withdrawn_at")}.get(
            record["status"]
        )
        if record["status"] == "merged":
            winner = records.get(record["merged_into_id"])
            found = [record["enrolled_at"]] + ([winner["enrolled_at"]] if winner else [])
            left = max(found)
        add(left or record["enrolled_at"], None, "members_erased")
    else:
        for change in tiers.get(record["id"], []):
            if change.from_code != change.to_code:
                add(change.changed_at, None, f"tier:{change.to_code}")
                if change.from_code:
                    add(change.changed_at, None, f"tier:{change.from_code}", -1)
    first: dict[str, Any] = {}  # month -> the month's first sale (its store has the activity)
    for sale in sold.get(record["id"], []):
        month = _month(zone, sale.occurred_at)
        if month not in first or sale.occurred_at < first[month].occurred_at:
            first[month] = sale
    cohort = cohort_metric(_month(zone, record["enrolled_at"]))
    for month, sale in first.items():
        at = sale.occurred_at
        add(at, sale.store_id, "active_members")
        add(at, sale.store_id, cohort)
        if shift_month(month, -1) in first:
            add(at, sale.store_id, RETAINED)


def _replay(
    connection: Connection,
    register_id: uuid.UUID | None,
    rows: dict[str, Iterator[list[dict[str, Any]]]],
    known: set[uuid.UUID],
) -> None:
    """Rows counted by account_pulled in chunks: customers (with the tier changes of those
    arriving, as a pull counts a member's changes when the member arrives) and coupons first,
    then the entries, sales and redemptions; tier changes only of customers already here."""
    zone, store = _zone(connection), _store(connection, register_id)
    arrived: set[uuid.UUID] = set()
    with _session(connection) as session:
        moment = _latest_moment(connection)
        for name in COUNTED:
            for part in rows[name]:
                if name == "tier_changes":
                    part = [r for r in part if r["customer_id"] not in arrived]
                if name not in ("customers", "coupons"):
                    account_pulled(session, zone, store, moment, Applied(inserted={name: part}))
                    continue
                # a merged record has no moment of its own: it left when the later of the two
                # records existed (registers in sync count it then); the others at `moment`
                by_moment: dict[datetime, Applied] = {}
                for row in part:
                    before = None
                    if name == "customers" and row["id"] in known:
                        if row["status"] != "merged":
                            continue
                        before = {
                            **row,
                            "status": "withdrawn" if row.get("withdrawn_at") else "active",
                            "merged_into_id": None,
                        }
                    elif name == "customers":
                        arrived.add(row["id"])
                    at = moment
                    if name == "customers" and row["status"] == "merged":
                        at = _merged_moment(connection, row, moment)
                    applied = by_moment.setdefault(at, Applied())
                    if before is not None:
                        applied.merges.append((row["id"], row["merged_into_id"]))
                    applied.changed.append(Change(name, before, row))
                for at, applied in by_moment.items():
                    account_pulled(session, zone, store, at, applied)


def _merged_moment(connection: Connection, row: dict[str, Any], fallback: datetime) -> datetime:
    t = table("customers").c
    winner = connection.scalar(
        select(t.enrolled_at).where(*_mine(connection, "customers"), t.id == row["merged_into_id"])
    )
    found = [m for m in (row.get("enrolled_at"), winner) if isinstance(m, datetime)]
    return max(found) if found else fallback


# --- reading ----------------------------------------------------------------------------------


def _all_rows(connection: Connection, name: str) -> Iterator[list[dict[str, Any]]]:
    t = table(name)
    last: uuid.UUID | None = None
    while True:
        query = select(t).where(*_mine(connection, name)).order_by(t.c.id).limit(REPLAY_CHUNK)
        if last is not None:
            query = query.where(t.c.id > last)
        part = [dict(r._mapping) for r in connection.execute(query)]
        if not part:
            return
        last = part[-1]["id"]
        yield part


def _rows_by_id(
    connection: Connection, name: str, ids: list[uuid.UUID]
) -> Iterator[list[dict[str, Any]]]:
    t = table(name)
    for start in range(0, len(ids), REPLAY_CHUNK):
        part = ids[start : start + REPLAY_CHUNK]
        found: list[dict[str, Any]] = []
        for piece in chunks(part):
            found += [
                dict(r._mapping)
                for r in connection.execute(
                    select(t).where(*_mine(connection, name), t.c.id.in_(piece))
                )
            ]
        if found:
            yield found


def _pages(connection: Connection, t: Any, key: tuple[str, ...]) -> Iterator[list[dict[str, Any]]]:
    order = [t.c[k] for k in key]
    # yield_per on the statement: the pull's snapshot connection keeps its own options
    result = connection.execute(
        select(t)
        .where(*_mine(connection, t.name))
        .order_by(*order)
        .execution_options(yield_per=REPLAY_CHUNK)
    )
    for part in result.mappings().partitions(REPLAY_CHUNK):
        yield [dict(r) for r in part]


def _session(connection: Connection) -> Session:
    """An ORM session inside the caller's server transaction (it never commits it)."""
    return Session(bind=connection, autoflush=False)


def _mine(connection: Connection, name: str) -> list[Any]:
    """A central read kept to the connection's business (its feed, its rows, its figures)."""
    return of_business(business_of(connection), name)


def _setting(connection: Connection, key: str) -> Any:
    return connection.scalar(
        select(Setting.value).where(*_mine(connection, "settings"), Setting.key == key)
    )


def _kept(connection: Connection) -> int | None:
    value = _setting(connection, KEPT_KEY)
    return int(json.loads(value)["seq"]) if value else None


def _unkept_before(connection: Connection, kept: int, below: int) -> bool:
    """Feed rows after the mark and before this push's own: written by a program that did not
    keep the figures (an older register's upload)."""
    if below <= kept:
        return False
    c = SyncChange.__table__.c
    return bool(
        connection.scalar(
            select(
                select(c.seq)
                .where(*_mine(connection, "sync_changes"), c.seq > kept, c.seq <= below)
                .exists()
            )
        )
    )


# the one place naming the settings' conflict target: (business_id, key) on a central database
_SET_KEPT = {
    central: text(
        "INSERT INTO settings (key, value) VALUES (:key, :value) "
        f"ON CONFLICT ({'business_id, ' if central else ''}key) "
        "DO UPDATE SET value = EXCLUDED.value"
    )
    for central in (False, True)
}


def _set_kept(connection: Connection, seq: int) -> None:
    statement = _SET_KEPT[business_of(connection) is not None]
    connection.execute(statement, {"key": KEPT_KEY, "value": json.dumps({"seq": seq})})


def _zone(connection: Connection) -> ZoneInfo:
    value = _setting(connection, "timezone")
    return ZoneInfo(json.loads(value) if value else DEFAULT_ZONE)


def _store(connection: Connection, register_id: uuid.UUID | None) -> str:
    """Where figures without a store of their own go (a tier change, a merge): the store of
    the register whose rows moved them, as its own use cases file them; else the first store.
    Reports add the stores up, so every database shows the same totals."""
    found = None
    if register_id is not None:
        found = connection.scalar(
            select(Register.store_id).where(
                *_mine(connection, "registers"), Register.id == register_id
            )
        )
    if found is None:
        found = connection.scalar(
            select(Store.id).where(*_mine(connection, "stores")).order_by(Store.id).limit(1)
        )
    return str(found) if found is not None else ""


def _moment(applied: Applied) -> datetime:
    """The pushing register's clock as its rows show it: what a register's own `now` is for
    the figures that have no moment of their own (a record merged)."""
    found = [
        value
        for rows in applied.inserted.values()
        for row in rows
        for key in MOMENTS
        if isinstance(value := row.get(key), datetime)
    ]
    found += [
        value
        for change in applied.changed
        for key in MOMENTS
        if isinstance(value := change.after.get(key), datetime)
    ]
    return max(found) if found else datetime.now(UTC)


def _latest_moment(connection: Connection) -> datetime:
    """The newest moment a register wrote among the central rows (for a replay's `now`)."""
    t = table("audit_log")
    found = connection.scalar(select(func.max(t.c.at)).where(*_mine(connection, "audit_log")))
    return found if isinstance(found, datetime) else datetime.now(UTC)
