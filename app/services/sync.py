"""Cloud sync use cases: set it up, test the connection, sync now, its status, what needs care.

The engine is app/sync (no Qt); these are the doors the command line and the screens use.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from app.db.models import (
    Customer,
    LedgerEntry,
    ProgramVersion,
    Register,
    Sale,
    Setting,
    Store,
    SyncClock,
    SyncConflict,
    SyncOutbox,
)
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.domain.phone import mask_name
from app.domain.plain_text import clean_line
from app.services import erasures
from app.services.audit_chain import audit, read_tip, tip_key
from app.services.context import Context
from app.services.customers import masked_phone
from app.services.ledger import BALANCES_STATEMENT, EXPIRING_SOON, balances_from_row
from app.services.staff import require_owner
from app.sync import central_figures, server
from app.sync import engine as sync_engine
from app.sync.background import SyncWorker as SyncWorker  # re-exported: the UI holds one
from app.sync.figures import account_pulled
from app.sync.merge import Applier, business_of, of_business
from app.sync.tracking import create_triggers, drop_triggers, missing_triggers
from app.sync.upload import upload_everything

URL_KEY, UPLOADED_KEY = "sync.url", "sync.uploaded"
LAST_OK_KEY, LAST_ERROR_KEY = "sync.last_ok", "sync.last_error"
LISTEN_KEY, LISTEN_ENV = "sync.listen", "DANGOL_SYNC_LISTEN"
# the business this register belongs to on the central database (migration 0027): learnt at
# setup, found again by the register's own central row when the central was upgraded
BUSINESS_KEY = "sync.business"
CENTRAL_CHECK_TIMEOUT_S = 1.5


@dataclass(frozen=True)
class SyncSetup:
    url: str
    store: str
    register: str
    password_saved: bool
    uploaded: int
    business: str = ""  # the central database's id of this register's business


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    merges: int
    rejected: int
    pending: int


@dataclass(frozen=True)
class SyncStatus:
    """What the counter's status bar shows: set up, in sync, waiting, last success, last error."""

    configured: bool
    url: str | None
    pending: int
    last_success: datetime | None
    last_error: str | None

    @property
    def in_sync(self) -> bool:
        return self.configured and self.pending == 0 and self.last_error is None


@dataclass(frozen=True)
class AttentionItem:
    """One thing sync could not settle by rule alone, for the owner to look at."""

    kind: str  # negative_balance | duplicate | duplicate_expiry | fraud.KINDS
    customer_id: uuid.UUID | None
    name_masked: str | None
    phone_masked: str | None
    points: int = 0
    stamps: int = 0
    detail: dict[str, Any] = field(default_factory=dict)


# --- setting up ------------------------------------------------------------------------------


def configured_url(ctx: Context) -> str | None:
    return ctx.settings.get(URL_KEY)


def _require_url(ctx: Context) -> str:
    url = configured_url(ctx)
    if not url:
        raise Refused("sync.not_set_up")
    return url


def _reachable(url: str) -> None:
    try:
        with server.central_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except (OperationalError, DBAPIError) as exc:
        server.forget_engine(url)
        raise Refused("sync.unreachable", detail=_first_line(exc)) from exc


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return lines[0][:160] if lines else type(exc).__name__


def setup_sync(
    ctx: Context,
    url: str,
    *,
    store: str | None = None,
    register: str | None = None,
    business: str | None = None,
    new_business: bool = False,
) -> SyncSetup:
    """Connect this register to the central database, upload it, and start tracking changes.

    The business: the one named (an id another register's setup gave), a new one with
    new_business, else the only one there is (the first register of a new central database
    creates it). All or nothing: when any step fails the register is left as it was (no
    address, no password, no audit entry, no tracking) and the refusal says sync was not set
    up."""
    require_owner(ctx)
    if not server.is_postgres(url.strip()):
        raise Refused("sync.not_postgres", url=url)
    if ctx.db.dialect != "sqlite":
        raise Refused("sync.local_not_sqlite")
    kept_url, password = server.split_password(url.strip())
    before = _local_state(ctx)
    made: list[uuid.UUID] = []  # a business this setup created centrally, gone again if it fails
    try:
        # without a keyring this process still connects; later ones read $DANGOL_SYNC_PASSWORD
        server.central_engine(kept_url, password)
        _reachable(kept_url)
        server.prepare_central(kept_url)
        chosen = _choose_business(ctx, kept_url, business, new_business, made)
        ctx.settings[BUSINESS_KEY] = str(chosen)
        central = server.central_engine(kept_url, business=chosen)
        store_name, register_name = _join(ctx, central, store, register)
        with ctx.db.write() as session:
            connection = session.connection()
            if missing_triggers(connection):
                create_triggers(connection)
            session.execute(
                update(SyncClock)
                .where(SyncClock.id == 1)
                .values(tracking=1, register_hex=ctx.register_id.hex)
            )
        ctx.settings.update({URL_KEY: kept_url, UPLOADED_KEY: False})
        uploaded = _upload_once(ctx, central)
        sync_now(ctx)
    except (Refused, OperationalError, DBAPIError) as exc:
        _undo_setup(ctx, before)
        for empty in made:
            server.drop_empty_business(kept_url, empty)
        server.forget_engine(kept_url)
        if isinstance(exc, Refused) and exc.code not in ("sync.unreachable", "sync.failed"):
            raise
        detail = exc.params.get("detail", "") if isinstance(exc, Refused) else _first_line(exc)
        raise Refused("sync.setup_failed", detail=detail) from exc
    saved = server.save_password(kept_url, password) if password else False
    with ctx.db.write() as session:
        set_setting(session, URL_KEY, kept_url)
        set_setting(session, BUSINESS_KEY, ctx.settings[BUSINESS_KEY])
        audit(ctx, session, "sync.setup", detail={"url": kept_url, "store": store_name})
    # the entry itself, now; if this is cut it simply waits for the next sync
    with contextlib.suppress(OperationalError, DBAPIError):
        sync_engine.push(ctx.db, central, ctx.register_id)
    return SyncSetup(
        kept_url, store_name, register_name, saved, uploaded, ctx.settings[BUSINESS_KEY]
    )


_confirmed: set[tuple[str, uuid.UUID]] = set()  # (url, business) found centrally this process


def _central_business(connection: Any, value: Any) -> uuid.UUID | None:
    try:
        business = uuid.UUID(str(value))
    except ValueError:
        return None
    found = connection.scalar(
        text("SELECT count(*) FROM businesses WHERE business_id = :b"), {"b": business}
    )
    return business if found else None


def _own_business(connection: Any, ctx: Context) -> uuid.UUID | None:
    """The business this register's own row is in centrally (an upgraded central database)."""
    found = list(
        connection.scalars(
            text("SELECT DISTINCT business_id FROM registers WHERE id = :r"),
            {"r": ctx.register_id},
        )
    )
    return found[0] if len(found) == 1 else None


def _choose_business(
    ctx: Context, url: str, named: str | None, new: bool, made: list[uuid.UUID]
) -> uuid.UUID:
    with server.central_engine(url).begin() as connection:
        if named:
            chosen = _central_business(connection, named.strip())
            if chosen is None:
                raise Refused("sync.business_unknown", business=named.strip())
            return chosen
        known = ctx.settings.get(BUSINESS_KEY)
        chosen = _central_business(connection, known) if known else None
        if chosen is None and not new:
            chosen = _own_business(connection, ctx)
        if chosen is None and not new:
            every = list(connection.scalars(text("SELECT business_id FROM businesses LIMIT 2")))
            if len(every) > 1:
                raise Refused("sync.business_choose")
            chosen = every[0] if every else None
        if chosen is None:
            chosen = server.new_business(connection)
            made.append(chosen)
        return chosen


def business_engine(ctx: Context, url: str) -> Any:
    """The central engine set to this register's business (found again when the central
    database was upgraded or restored without it)."""
    known = ctx.settings.get(BUSINESS_KEY)
    if known:
        business = uuid.UUID(str(known))
        if (url, business) in _confirmed:
            return server.central_engine(url, business=business)
    with server.central_engine(url).connect() as connection:
        found = _central_business(connection, known) if known else None
        if found is None:
            found = _own_business(connection, ctx)
    if found is None:
        raise Refused("sync.business_unknown", business=str(known or "-"))
    if str(found) != known:
        with ctx.db.write() as session:
            set_setting(session, BUSINESS_KEY, str(found))
        ctx.settings[BUSINESS_KEY] = str(found)
    _confirmed.add((url, found))
    return server.central_engine(url, business=found)


@dataclass(frozen=True)
class _Before:
    store_id: uuid.UUID
    store_name: str
    register_name: str
    setting_keys: frozenset[str]
    sync_settings: dict[str, Any]


def _local_state(ctx: Context) -> _Before:
    with ctx.db.read() as session:
        here = session.get(Store, ctx.store_id)
        me = session.get(Register, ctx.register_id)
        assert here is not None and me is not None
        keys = frozenset(session.scalars(select(Setting.key)))
        kept = {k: v for k, v in ctx.settings.items() if k.startswith("sync.")}
        return _Before(ctx.store_id, here.name, me.name, keys, kept)


def _undo_setup(ctx: Context, before: _Before) -> None:
    """A setup cut short: tracking off, its queue and settings gone, the names as they were."""
    with ctx.db.write() as session:
        if URL_KEY not in before.sync_settings:  # sync was off: it stays off
            session.execute(update(SyncClock).where(SyncClock.id == 1).values(tracking=0))
            session.execute(delete(SyncOutbox))
            drop_triggers(session.connection())
        me = session.get(Register, ctx.register_id)
        here = session.get(Store, before.store_id)
        if me is not None:
            me.name, me.store_id = before.register_name, before.store_id
        if here is not None:
            here.name = before.store_name
        set_setting(session, "store_id", str(before.store_id))
        session.execute(
            delete(Setting).where(
                Setting.key.like("sync.%"), Setting.key.not_in(before.setting_keys)
            )
        )
    ctx.store_id = before.store_id
    ctx.settings["store_id"] = str(before.store_id)
    for key in [k for k in ctx.settings if k.startswith("sync.")]:
        del ctx.settings[key]
    ctx.settings.update(before.sync_settings)


def _join(ctx: Context, central: Any, store: str | None, register: str | None) -> tuple[str, str]:
    """Name this register, join a store of that name if the shop already has one."""
    store = clean_line(store) if store else store
    register = clean_line(register) if register else register
    with central.connect() as connection:
        mine = business_of(connection)
        central_store = (
            connection.execute(
                select(Store.id).where(Store.name == store, *of_business(mine, "stores"))
            ).first()
            if store
            else None
        )
        central_programs = int(
            connection.scalar(
                select(func.count())
                .select_from(ProgramVersion)
                .where(*of_business(mine, "program_versions"))
            )
            or 0
        )
    with ctx.db.write() as session:
        here = session.get(Store, ctx.store_id)
        me = session.get(Register, ctx.register_id)
        assert here is not None and me is not None
        if register:
            me.name = clean_line(register)
        if central_store is not None and central_store.id != ctx.store_id:
            _adopt_store(ctx, session, me, central, central_store.id)
        elif store:
            here.name = clean_line(store)
        if central_programs:
            _drop_unused_seed_program(session)
        store_name = clean_line(store) if store else here.name
        return store_name, me.name


def _adopt_store(
    ctx: Context, session: Any, me: Register, central: Any, store_id: uuid.UUID
) -> None:
    """The register joins the existing store: its own seeded store stays, unused."""
    with central.connect() as connection:
        mine = of_business(business_of(connection), "stores")
        row = dict(
            connection.execute(select(Store).where(Store.id == store_id, *mine)).one()._mapping
        )
    connection = session.connection()
    connection.execute(update(SyncClock).where(SyncClock.id == 1).values(applying=1))
    Applier(connection).apply("stores", [row], {})
    connection.execute(update(SyncClock).where(SyncClock.id == 1).values(applying=0))
    me.store_id = store_id
    set_setting(session, "store_id", str(store_id))
    ctx.store_id = store_id
    ctx.settings["store_id"] = str(store_id)


def _drop_unused_seed_program(session: Any) -> None:
    """A new register's seed program would otherwise be the newest and replace the shop's."""
    versions = list(session.scalars(select(ProgramVersion)))
    used = session.scalar(select(func.count()).select_from(Sale))
    if len(versions) == 1 and not used:
        session.delete(versions[0])


def _upload_once(ctx: Context, central: Any) -> int:
    if ctx.settings.get(UPLOADED_KEY):
        return 0
    count = upload_everything(ctx.db, central, ctx.register_id)
    with ctx.db.write() as session:
        set_setting(session, UPLOADED_KEY, True)
    ctx.settings[UPLOADED_KEY] = True
    return count


def try_url(url: str) -> int:
    """Milliseconds for one round trip to a central database not yet set up (no writing)."""
    url = url.strip()
    if not server.is_postgres(url):
        raise Refused("sync.not_postgres", url=url)
    kept_url, password = server.split_password(url)
    server.central_engine(kept_url, password)
    started = time.perf_counter()
    _reachable(kept_url)
    return round((time.perf_counter() - started) * 1000)


def test_connection(ctx: Context) -> int:
    """Milliseconds for one round trip to the central database."""
    url = _require_url(ctx)
    started = time.perf_counter()
    _reachable(url)
    return round((time.perf_counter() - started) * 1000)


# --- syncing ---------------------------------------------------------------------------------


def sync_now(ctx: Context) -> SyncReport:
    """Push this register's changes, pull everyone else's; safe to repeat, safe to cut.
    One server connection for the whole run, closed after it (server.held)."""
    url = _require_url(ctx)
    with server.held(url, owner=str(ctx.register_id)):
        return _sync_held(ctx, url)


def _sync_held(ctx: Context, url: str) -> SyncReport:
    try:
        server.central_engine(url)
        server.ensure_central(url)  # an upgraded register brings the central schema along
        central = business_engine(ctx, url)
        _upload_once(ctx, central)
        pushed = sync_engine.push(ctx.db, central, ctx.register_id)
        pulled = sync_engine.pull(
            ctx.db, central, ctx.register_id, _figures(ctx), central_figures.copy_on_first_pull
        )
        # an erased member an older copy brought back is forgotten again (and that goes out)
        again = erasures.reapply(ctx, {}) if pulled.rows else 0
        if _changed_something(pushed, pulled) or again:
            _audit_run(ctx, pushed, pulled)
            sync_engine.push(ctx.db, central, ctx.register_id)  # the entry itself, now
    except OperationalError as exc:
        _remember(ctx, error=_first_line(exc))
        raise Refused("sync.unreachable", detail=_first_line(exc)) from exc
    except DBAPIError as exc:  # the server refused a batch: nothing was applied, say so
        _remember(ctx, error=_first_line(exc))
        raise Refused("sync.failed", detail=_first_line(exc)) from exc
    _remember(ctx, error=None)
    with ctx.db.read() as session:
        left = sync_engine.pending(session)
    if left == 0:  # every entry of ours is on the server: so is the newest, the tip's
        with contextlib.suppress(OperationalError, DBAPIError):
            _send_tip(ctx, central)
    return SyncReport(pushed.rows, pulled.rows, pulled.merges, pushed.rejected, left)


_sent_tips: dict[tuple[str, str], tuple[int, str]] = {}  # (url, key) -> the tip last sent
_KEEP_LARGER_TIP = text(  # the central key of settings leads with the business (0027)
    "INSERT INTO settings (key, value) VALUES (:key, :value) "
    "ON CONFLICT (business_id, key) DO UPDATE "
    "SET value = EXCLUDED.value WHERE (settings.value::json->>'count')::bigint "
    "< (EXCLUDED.value::json->>'count')::bigint"
)


def _send_tip(ctx: Context, central: Any) -> None:
    """The register's audit count and last hash kept centrally too (never made smaller), so a
    register cannot rewrite or cut its history alone."""
    key = tip_key(ctx.register_id)
    with ctx.db.read() as session:
        row = session.get(Setting, key)
        tip = read_tip(json.loads(row.value)) if row is not None else None
    url = configured_url(ctx) or ""
    if tip is None or _sent_tips.get((url, key)) == tip:
        return
    with central.begin() as connection:
        value = json.dumps({"count": tip[0], "hash": tip[1]})
        connection.execute(_KEEP_LARGER_TIP, {"key": key, "value": value})
    _sent_tips[(url, key)] = tip


def central_tips(ctx: Context) -> dict[str, tuple[int, str]] | None:
    """This register's audit count and last hash as the central server keeps them; None when
    sync is off or the server does not answer (the check then goes without)."""
    url = configured_url(ctx)
    if not url:
        return None
    key = tip_key(ctx.register_id)
    try:
        with business_engine(ctx, url).connect() as connection:
            connection.execute(text("SET statement_timeout = 3000"))
            value = connection.scalar(
                select(Setting.value).where(
                    Setting.key == key, *of_business(business_of(connection), "settings")
                )
            )
    except (OperationalError, DBAPIError, Refused):
        return None
    tip = read_tip(json.loads(value)) if value else None
    return {key: tip} if tip is not None else {}


def _changed_something(pushed: sync_engine.PushResult, pulled: sync_engine.PullResult) -> bool:
    """Rows moved either way other than the audit entries of sync runs (an idle poll, or the
    other registers' own run entries, leave no trace: no entry begets another)."""
    return bool(
        pushed.rows - pushed.noise or pulled.rows - pulled.noise or pulled.merges or pushed.rejected
    )


def _audit_run(
    ctx: Context, pushed: sync_engine.PushResult, pulled: sync_engine.PullResult
) -> None:
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            sync_engine.SYNC_RUN,
            detail={
                "pushed": pushed.rows - pushed.noise,
                "pulled": pulled.rows - pulled.noise,
                "merges": pulled.merges,
                "rejected": pushed.rejected,
            },
        )


def _figures(ctx: Context) -> Callable[[Any, Any], None]:
    def account(session: Any, applied: Any) -> None:
        account_pulled(session, ctx.zone, str(ctx.store_id), ctx.now(), applied)

    return account


def _remember(ctx: Context, *, error: str | None) -> None:
    values: dict[str, Any] = {LAST_ERROR_KEY: error}
    if error is None:
        values[LAST_OK_KEY] = ctx.now().isoformat()
    with ctx.db.write() as session:
        for key, value in values.items():
            set_setting(session, key, value)
    ctx.settings.update(values)


def sync_status(ctx: Context) -> SyncStatus:
    with ctx.db.read() as session:
        pending = sync_engine.pending(session)
    last_ok = ctx.settings.get(LAST_OK_KEY)
    return SyncStatus(
        configured=bool(configured_url(ctx)),
        url=configured_url(ctx),
        pending=pending,
        last_success=datetime.fromisoformat(last_ok) if last_ok else None,
        last_error=ctx.settings.get(LAST_ERROR_KEY),
    )


# --- what needs the owner's eye --------------------------------------------------------------


def needs_attention(ctx: Context) -> list[AttentionItem]:
    """Negative balances (points spent twice while offline), rows refused as duplicates, the
    fraud guards' findings and low visit ratings (app/services/fraud.py)."""
    from app.services import fraud  # it builds this module's AttentionItem: imported late

    require_owner(ctx)
    items: list[AttentionItem] = []
    with ctx.db.read() as session:
        e = LedgerEntry
        below = session.execute(
            select(e.customer_id, func.sum(e.points), func.sum(e.stamps))
            .group_by(e.customer_id)
            .having((func.sum(e.points) < 0) | (func.sum(e.stamps) < 0))
        ).all()
        for customer_id, points, stamps in below:
            customer = session.get(Customer, customer_id)
            items.append(_attention("negative_balance", ctx, customer, int(points), int(stamps)))
        for customer_id, excess, registers in duplicate_expiries(session):
            item = _attention(
                "duplicate_expiry", ctx, session.get(Customer, customer_id), excess, 0
            )
            items.append(
                AttentionItem(
                    item.kind,
                    item.customer_id,
                    item.name_masked,
                    item.phone_masked,
                    item.points,
                    detail={"registers": registers},
                )
            )
        for conflict in session.scalars(select(SyncConflict).order_by(SyncConflict.at)):
            items.append(
                AttentionItem(
                    conflict.kind,
                    None,
                    None,
                    None,
                    detail={"table": conflict.tbl, "row": str(conflict.row_id)},
                )
            )
        items.extend(fraud.attention_items(ctx, session))  # fraud guards and low ratings
        from app.services import passes  # a pass used too often on a day, at two registers

        items.extend(passes.overuse_items(ctx, session))
    return items


def duplicate_expiries(session: Any) -> list[tuple[uuid.UUID, int, list[str]]]:
    """Customers whose points expired more than once: two registers offline each wrote the
    expiry of the same lots. (customer, points expired too many, registers that wrote them).

    Found by replaying the customer's ledger in time order under the same rule the counter
    applies (FIFO: what is consumed comes out of the earliest-expiring lots): each expiry
    can take at most what was due at its moment; the rest was taken twice. Only customers
    with expiries from two registers or more are replayed."""
    e = LedgerEntry
    suspects = session.scalars(
        select(e.customer_id)
        .where(e.kind == "expire")
        .group_by(e.customer_id)
        .having(func.count(func.distinct(e.register_id)) > 1)
    ).all()
    found = []
    for customer_id in suspects:
        rows = session.execute(
            select(e.occurred_at, e.kind, e.points, e.expires_at, e.register_id)
            .where(e.customer_id == customer_id)
            .order_by(e.occurred_at, e.id)
        ).all()
        lots: list[tuple[datetime, int]] = []
        consumed = excess = 0
        registers: set[str] = set()
        for at, kind, points, expires_at, register_id in rows:
            if expires_at is not None:
                lots.append((expires_at, int(points)))
            elif kind != "expire":
                consumed -= int(points)
            else:
                due = max(0, sum(p for x, p in lots if x <= at) - max(consumed, 0))
                taken = min(-int(points), due)
                consumed += taken
                if -int(points) > taken:
                    excess += -int(points) - taken
                registers.add(register_id.hex if register_id else "")
        if excess > 0:
            found.append((customer_id, excess, sorted(registers)))
    return found


def _attention(
    kind: str, ctx: Context, customer: Customer | None, points: int, stamps: int
) -> AttentionItem:
    return AttentionItem(
        kind,
        customer.id if customer else None,
        mask_name(customer.name) if customer and customer.name else None,
        masked_phone(ctx, customer) if customer else None,
        points,
        stamps,
    )


# --- the redemption's online check -----------------------------------------------------------


def central_points(ctx: Context, customer_id: uuid.UUID) -> int | None:
    """The customer's usable points as the central database sees them plus this register's
    unsent entries; None when sync is off or the server does not answer quickly.

    The question runs in a thread given CENTRAL_CHECK_TIMEOUT_S: a server that accepts and
    never answers blocks a socket read no database timeout covers, so the counter stops
    waiting and the thread is left to end when its connection does."""
    url = configured_url(ctx)
    if not url:
        return None
    stuck = _stuck.get(url)
    if stuck is not None and stuck.is_alive():
        return None  # the last question is still unanswered: do not pile up another
    answer: dict[str, Any] = {}
    now = ctx.now()

    def ask() -> None:
        try:
            answer["points"] = _central_usable(ctx, url, customer_id, now)
        except (OperationalError, DBAPIError, Refused):
            answer["points"] = None
        except BaseException as exc:  # a fault of ours: raised on the caller's thread
            answer["error"] = exc

    worker = threading.Thread(target=ask, name="central-balance", daemon=True)
    worker.start()
    worker.join(CENTRAL_CHECK_TIMEOUT_S)
    if worker.is_alive():
        _stuck[url] = worker
        return None
    if "error" in answer:
        raise answer["error"]
    usable = answer.get("points")
    if usable is None:
        return None
    with ctx.db.read() as session:
        unsent = session.scalar(
            text(
                "SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE customer_id = :c "
                "AND id IN (SELECT row_id FROM sync_outbox WHERE tbl = 'ledger_entries')"
            ),
            {"c": customer_id.hex},
        )
    return int(usable) + int(unsent or 0)


_stuck: dict[str, threading.Thread] = {}  # per URL, a balance question left unanswered


def _central_usable(ctx: Context, url: str, customer_id: uuid.UUID, now: datetime) -> int:

    with business_engine(ctx, url).connect() as connection:
        connection.execute(text(f"SET statement_timeout = {int(CENTRAL_CHECK_TIMEOUT_S * 1000)}"))
        business = business_of(connection)
        mine = of_business(business, "customers")
        if connection.scalar(select(Customer.id).where(Customer.id == customer_id, *mine)) is None:
            return 0  # not a member of this business centrally (yet): its unsent entries only
        # the ledger's balance statement with this business's rows only (a shop file copied to
        # start another business has the same member ids there)
        row = connection.execute(
            BALANCES_STATEMENT.where(*of_business(business, "ledger_entries")),
            {"customer_id": customer_id, "now": now, "soon": now + EXPIRING_SOON},
        ).one()
        return balances_from_row(row).points


def check_central_points(ctx: Context, customer_id: uuid.UUID, points: int) -> None:
    """Refuse a redemption the central balance cannot cover (another store spent it online).
    Quietly passes when offline: the local balance check still applies."""
    usable = central_points(ctx, customer_id)
    if usable is not None and points > usable:
        raise Refused("sync.spent_elsewhere", points=points, balance=usable)


# --- running by itself -----------------------------------------------------------------------


def start_worker(ctx: Context, *, idle_seconds: float = 5.0) -> SyncWorker | None:
    """The background sync for an open shop (None when sync is not set up). Stop it on close."""
    url = configured_url(ctx)
    if not url:
        return None

    def has_pending() -> bool:
        with ctx.db.read() as session:
            return session.scalar(select(SyncOutbox.seq).limit(1)) is not None

    conninfo = None
    if listens(ctx):
        listen = server.central_engine(url).url
        conninfo = listen.set(drivername="postgresql").render_as_string(hide_password=False)

    def work() -> Any:
        done = sync_now(ctx)
        if ctx.settings.get("partner_used"):  # the coalition's queued entries go with it
            from app.services import partners

            with contextlib.suppress(Refused):  # sent with a later round
                partners.push(ctx)
        return done

    return SyncWorker(
        work,
        has_pending=has_pending,
        listen_url=conninfo,
        own_backend=lambda pid: server.own_backend(url, pid, owner=str(ctx.register_id)),
        idle_seconds=idle_seconds,
    ).start()


def listens(ctx: Context) -> bool:
    """Whether the worker waits on LISTEN/NOTIFY besides polling. Off with the setting
    sync.listen = "off" or DANGOL_SYNC_LISTEN=0: a central engine or pooler without
    LISTEN/NOTIFY (a distributed PostgreSQL, a transaction pooler) then works by polling
    every idle_seconds, and by pushing right after each action as always."""
    if os.environ.get(LISTEN_ENV, "").strip().lower() in ("0", "off", "no", "false"):
        return False
    return str(ctx.settings.get(LISTEN_KEY, "on")).lower() != "off"


# --- the doctor ------------------------------------------------------------------------------

CLOCK_SKEW_OK_S = 30.0  # the hybrid clocks order edits whatever the skew; past this, say so
LAG_OK_ROWS = 50_000  # feed rows not pulled yet before the doctor calls it behind


@dataclass(frozen=True)
class DoctorCheck:
    """One check of `sync doctor`: what (connection, schema, clock, lag), whether it is fine,
    and the figures its sentence gives."""

    name: str
    ok: bool
    state: str  # a word per name: ok / unreachable, same / behind / newer / empty, ...
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncDoctor:
    url: str
    checks: tuple[DoctorCheck, ...]

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks)


def _feed_top(connection: Any, ctx: Context) -> int:
    """The last number of this register's business's feed (of the whole feed on a central
    database older than migration 0027, which has one business)."""
    keyed = connection.scalar(text("SELECT to_regclass('businesses') IS NOT NULL"))
    if not keyed:
        return int(connection.scalar(text("SELECT coalesce(max(seq), 0) FROM sync_changes")) or 0)
    try:
        business = uuid.UUID(str(ctx.settings.get(BUSINESS_KEY)))
    except ValueError:
        return 0
    top = connection.scalar(
        text("SELECT coalesce(max(seq), 0) FROM sync_changes WHERE business_id = :b"),
        {"b": business},
    )
    return int(top or 0)


def doctor(ctx: Context) -> SyncDoctor:
    """Connection, schema version, clock skew and lag, each checked and said in words. Reads
    only: nothing is written here or on the server."""
    from app.db import migrate

    url = _require_url(ctx)
    checks: list[DoctorCheck] = []
    try:
        engine = server.central_engine(url)
        started = time.time()
        with engine.connect() as connection:
            server_epoch = float(
                connection.scalar(text("SELECT extract(epoch FROM clock_timestamp())")) or 0
            )
            ended = time.time()
            revision = migrate.current_revision(engine)
            top = _feed_top(connection, ctx) if revision is not None else 0
    except (OperationalError, DBAPIError) as exc:
        server.forget_engine(url)
        checks.append(DoctorCheck("connection", False, "unreachable", {"error": _first_line(exc)}))
        checks.append(_password_check(url))
        return SyncDoctor(url, tuple(checks))
    round_trip_ms = round((ended - started) * 1000, 1)
    checks.append(DoctorCheck("connection", True, "ok", {"ms": round_trip_ms}))
    head = migrate.head_revision()
    if revision is None:
        state, ok = "empty", False
    elif revision == head:
        state, ok = "same", True
    elif revision in migrate.known_revisions():
        state, ok = "behind", True  # the next sync upgrades it
    else:
        state, ok = "newer", False  # this register's program is older: update it
    checks.append(DoctorCheck("schema", ok, state, {"central": revision or "-", "register": head}))
    skew = server_epoch - (started + ended) / 2
    checks.append(
        DoctorCheck(
            "clock",
            abs(skew) <= CLOCK_SKEW_OK_S,
            "ok" if abs(skew) <= CLOCK_SKEW_OK_S else ("fast" if skew < 0 else "slow"),
            {"seconds": round(skew, 1), "off": round(abs(skew), 1)},
        )
    )
    with ctx.db.read() as session:
        pending = sync_engine.pending(session)
        pulled = sync_engine.watermark(session)
    behind = max(0, top - pulled)
    last_ok = ctx.settings.get(LAST_OK_KEY)
    age = round((ctx.now() - datetime.fromisoformat(last_ok)).total_seconds()) if last_ok else None
    lag_ok = behind <= LAG_OK_ROWS and age is not None
    checks.append(
        DoctorCheck(
            "lag",
            lag_ok,
            "ok" if lag_ok else ("never" if age is None else "behind"),
            {"pending": pending, "behind": behind, "seconds": age if age is not None else -1},
        )
    )
    checks.append(_password_check(url))
    return SyncDoctor(url, tuple(checks))


def _password_check(url: str) -> DoctorCheck:
    """Where the password is kept (the OS keyring: Windows' Credential Manager, the macOS
    keychain, ...; or $DANGOL_SYNC_PASSWORD). Known to this process only is a problem: the
    next start of Dangol could not connect."""
    source = server.password_source(url)
    store = server.keyring_store()
    return DoctorCheck(
        "password",
        source != "session",
        source,
        {"store": store or "-", "service": server.KEYRING_SERVICE},
    )
