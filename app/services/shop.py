"""Opening a shop's database (create, upgrade, seed) and what every use case shares."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, inspect, select, text
from sqlalchemy.orm import Session

from app.db import migrate
from app.db.base import new_id
from app.db.engine import Database, resolve_url
from app.db.models import (
    AuditEntry,
    Customer,
    CustomerMonth,
    MonthlyStat,
    ProgramVersion,
    Register,
    Setting,
    Staff,
    Store,
)
from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM, Program

DEFAULT_ZONE = "Asia/Seoul"
GENESIS_HASH = "0" * 64


@dataclass
class Shop:
    """An open database and who is acting: the first argument of every use case."""

    db: Database
    store_id: uuid.UUID
    register_id: uuid.UUID
    staff_id: uuid.UUID
    zone: ZoneInfo
    # The command line acts as the owner; the counter screen as whoever signed in.
    staff_role: str = "owner"
    fixed_now: datetime | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    upgraded_from: str | None = None
    backup_path: str | None = None

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def month_of(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m")

    def close(self) -> None:
        self.db.dispose()


def parse_now(text_value: str) -> datetime:
    """DANGOL_NOW: an ISO 8601 moment; without an offset it is the shop's local time."""
    try:
        moment = datetime.fromisoformat(text_value.strip())
    except ValueError as exc:
        raise Refused("clock.invalid", value=text_value) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_ZONE))
    return moment.astimezone(UTC)


def database_exists(db: Database) -> bool:
    path = db.path
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return False
    return inspect(db.engine).has_table("alembic_version")


def ensure_schema(db: Database) -> tuple[str | None, str | None]:
    """Create or upgrade the schema; an older SQLite file is first copied aside.

    Returns (revision it was at, path of the copy) when it upgraded.
    """
    head = migrate.head_revision()
    current = migrate.current_revision(db.engine) if database_exists(db) else None
    if current == head:
        return None, None
    if current is not None and current not in migrate.known_revisions():
        raise Refused("db.newer_version", revision=current)
    copy = None
    if current is not None and db.path is not None:
        copy = str(migrate.copy_aside(db.path, current))
    migrate.upgrade(db.engine)
    return current, copy


def open_shop(
    target: str | None = None,
    *,
    create: bool = True,
    now: datetime | None = None,
    use_env_clock: bool = True,
) -> Shop:
    """Open (and if needed create, upgrade and seed) the database at a path or URL."""
    db = Database(resolve_url(target))
    try:
        if not create and not database_exists(db):
            raise Refused("db.missing", target=db.path or db.url)
        previous, copy = ensure_schema(db)
        if now is None and use_env_clock and os.environ.get("DANGOL_NOW"):
            now = parse_now(os.environ["DANGOL_NOW"])
        with db.write() as session:
            settings = _load_settings(session)
            if "register_id" not in settings:
                settings = _seed(session, now or datetime.now(UTC))
        shop = Shop(
            db=db,
            store_id=uuid.UUID(settings["store_id"]),
            register_id=uuid.UUID(settings["register_id"]),
            staff_id=uuid.UUID(settings["owner_staff_id"]),
            zone=ZoneInfo(settings.get("timezone", DEFAULT_ZONE)),
            fixed_now=now,
            settings=settings,
            upgraded_from=previous,
            backup_path=copy,
        )
        if now is not None and use_env_clock and os.environ.get("DANGOL_NOW"):
            with db.write() as session:
                audit(shop, session, "clock.override", detail={"now": now.isoformat()})
        return shop
    except BaseException:
        db.dispose()
        raise


def _load_settings(session: Session) -> dict[str, Any]:
    return {row.key: json.loads(row.value) for row in session.scalars(select(Setting))}


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    encoded = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(Setting(key=key, value=encoded))
    else:
        row.value = encoded


def _seed(session: Session, now: datetime) -> dict[str, Any]:
    """A new database: one store, one register, the owner, the seed program."""
    store = Store(name="내 가게", created_at=now)
    session.add(store)
    session.flush()
    register = Register(store_id=store.id, name="카운터 1", created_at=now)
    session.add(register)
    session.flush()
    store.register_id = register.id
    register.register_id = register.id
    owner = Staff(
        store_id=store.id, name="사장님", role="owner", created_at=now, register_id=register.id
    )
    session.add(owner)
    session.flush()
    session.add(
        ProgramVersion(
            created_at=now,
            staff_id=owner.id,
            document=json.dumps(DEFAULT_PROGRAM.to_json(), ensure_ascii=False),
            register_id=register.id,
        )
    )
    values = {
        "store_id": str(store.id),
        "register_id": str(register.id),
        "owner_staff_id": str(owner.id),
        "timezone": DEFAULT_ZONE,
        "phone_mask": "middle",
        "allow_landline": False,
    }
    for key, value in values.items():
        set_setting(session, key, value)
    session.flush()
    return values


# --- the program in force -------------------------------------------------------------


def current_program(session: Session) -> tuple[uuid.UUID, Program]:
    row = session.execute(_NEWEST_PROGRAM).first()
    if row is None:
        return uuid.UUID(int=0), DEFAULT_PROGRAM
    return row.id, _parse_program(row.document)


_NEWEST_PROGRAM = (
    select(ProgramVersion.id, ProgramVersion.document)
    .order_by(ProgramVersion.created_at.desc(), ProgramVersion.id.desc())
    .limit(1)
)


_PROGRAM_CACHE: dict[str, Program] = {}


def _parse_program(document: str) -> Program:
    program = _PROGRAM_CACHE.get(document)
    if program is None:
        program = Program.from_json(json.loads(document))
        _PROGRAM_CACHE[document] = program
    return program


# --- locking, audit and running figures -----------------------------------------------


def lock_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    """The customer row, locked for this transaction (PostgreSQL); SQLite holds the write lock."""
    customer = session.scalars(
        select(Customer).where(Customer.id == customer_id).with_for_update()
    ).one()
    return customer


def audit(
    shop: Shop,
    session: Session,
    action: str,
    *,
    target: object | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append to the audit log; each row carries the hash of this register's previous row."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('dangol.audit'))"))
    prev = session.scalars(
        select(AuditEntry.hash)
        .where(AuditEntry.register_id == shop.register_id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    entry = AuditEntry(
        at=at or shop.now(),
        staff_id=shop.staff_id,
        action=action,
        target_id=str(target) if target is not None else None,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
        prev_hash=prev or GENESIS_HASH,
        register_id=shop.register_id,
        hash="",
    )
    entry.id = new_id()  # the id is part of the hash
    entry.hash = audit_hash(entry)
    session.add(entry)


def audit_hash(entry: AuditEntry) -> str:
    payload = json.dumps(
        [
            str(entry.id),
            entry.at.astimezone(UTC).isoformat(),
            str(entry.staff_id) if entry.staff_id else None,
            entry.action,
            entry.target_id,
            entry.detail,
            str(entry.register_id) if entry.register_id else None,
            entry.prev_hash,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _insert_for(session: Session) -> Callable[..., Any]:
    return _dialect_insert(session.get_bind().dialect.name)


def _dialect_insert(dialect: str) -> Callable[..., Any]:
    # imported when first needed: a shop on SQLite never loads the PostgreSQL dialect
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _bump_statement(insert: Callable[..., Any]) -> Any:
    stmt = insert(MonthlyStat.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["month", "store_id", "metric"],
        set_={"value": MonthlyStat.__table__.c.value + stmt.excluded.value},
    )


# One statement per dialect, run as executemany: compiled once, cached by SQLAlchemy.
_BUMP: dict[str, Any] = {}


def bump(shop: Shop, session: Session, moment: datetime, **deltas: int) -> None:
    """Add to this month's running figures (kept so reports never scan the ledger)."""
    month, store = shop.month_of(moment), str(shop.store_id)
    rows = [
        {"month": month, "store_id": store, "metric": k, "value": v} for k, v in deltas.items() if v
    ]
    bump_rows(session, rows)


def bump_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection = session.connection()
        name = connection.dialect.name
        if name not in _BUMP:
            _BUMP[name] = _bump_statement(_dialect_insert(name))
        connection.execute(_BUMP[name], rows)


# Kept with active_members as customers become active in a month (see mark_active):
COHORT_PREFIX = "cohort:"  # + local month of enrollment: the cohort's members active that month
RETAINED = "retained_members"  # active this month and the month before


def cohort_metric(enrolled_month: str) -> str:
    """The metric counting, month by month, the active members enrolled in a local month."""
    return COHORT_PREFIX + enrolled_month


def shift_month(month: str, step: int) -> str:
    """A "YYYY-MM" month moved by a number of months."""
    year, number = divmod(int(month[:4]) * 12 + int(month[5:7]) - 1 + step, 12)
    return f"{year:04d}-{number + 1:02d}"


_OTHER_MONTH = CustomerMonth.__table__.alias("other_month")


def _active_in(customer_id: uuid.UUID, month: str) -> Select[Any]:
    other = _OTHER_MONTH.c
    return select(other.month).where(other.customer_id == customer_id, other.month == month)


def first_active(session: Session, customer_id: uuid.UUID, month: str) -> tuple[bool, bool] | None:
    """Note a customer as active in a local month (customer_months), in one statement.

    None when it was noted already; else whether the customer was also active the month
    before and the month after (a purchase recorded late can fall before a later month).
    """
    insert = _insert_for(session)
    stmt = (
        insert(CustomerMonth)
        .values(customer_id=customer_id, month=month)
        .on_conflict_do_nothing(index_elements=["customer_id", "month"])
        .returning(
            CustomerMonth.month,
            _active_in(customer_id, shift_month(month, -1)).exists(),
            _active_in(customer_id, shift_month(month, 1)).exists(),
        )
    )
    row = session.execute(stmt).first()
    return None if row is None else (bool(row[1]), bool(row[2]))


def activity_rows(
    month: str, store: str, enrolled_month: str, before: bool, after: bool
) -> list[dict[str, Any]]:
    """The figures a customer's first activity in a month moves (rows for bump_rows).

    active_members and the enrollment cohort in that month; retained_members in that month
    when the customer was active the month before, and in the month after when active then.
    """
    deltas = [(month, "active_members"), (month, cohort_metric(enrolled_month))]
    if before:
        deltas.append((month, RETAINED))
    if after:
        deltas.append((shift_month(month, 1), RETAINED))
    return [{"month": m, "store_id": store, "metric": k, "value": 1} for m, k in deltas]


def mark_active(shop: Shop, session: Session, customer: Customer, moment: datetime) -> None:
    """Count a customer once as active in the month of a purchase.

    The first purchase of the month adds to active_members, to cohort:<the customer's local
    month of enrollment> and, when the customer was active the month before, to
    retained_members: the cohort table and churn of the Reports page read these figures.
    The caller holds the customer row (record_sale_in locks it), so this is one INSERT and
    one bump, with no lookup.
    """
    month = shop.month_of(moment)
    neighbours = first_active(session, customer.id, month)
    if neighbours is not None:
        enrolled = shop.month_of(customer.enrolled_at)
        store = str(shop.store_id)
        bump_rows(session, activity_rows(month, store, enrolled, *neighbours))
