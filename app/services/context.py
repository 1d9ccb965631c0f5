"""Who is acting, in which store and register, by which clock: opening a shop's database."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import (
    ProgramVersion,
    Register,
    Staff,
    Store,
)
from app.db.settings import load_settings, set_setting
from app.domain.calendar import impossible_day
from app.domain.errors import Refused
from app.domain.moments import check_clock
from app.domain.program import DEFAULT_PROGRAM

DEFAULT_ZONE = "Asia/Seoul"


@dataclass
class Context:
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
    # acting for a scoped token: its name for the audit, and the actions its scope allows
    token: str | None = None
    allowed: frozenset[str] | None = None

    def require(self, action: str) -> None:
        """Refused when the shop acts for a token whose scope does not hold this action."""
        if self.allowed is not None and action not in self.allowed:
            raise Refused(
                "token.not_allowed",
                token=self.token or "",
                action=action,
                scope=self.staff_role or "",
            )

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
    """DANGOL_NOW: an ISO 8601 moment in 2000..2100; without an offset, the shop's local time."""
    try:
        moment = datetime.fromisoformat(text_value.strip())
    except ValueError as exc:
        day = impossible_day(text_value)
        if day is not None:
            raise Refused("date.not_exist", value=day) from exc
        raise Refused("clock.invalid", value=text_value) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(DEFAULT_ZONE))
    return check_clock(moment, text_value.strip())


def database_exists(db: Database) -> bool:
    path = db.path
    if path is not None and (not path.exists() or path.stat().st_size == 0):
        return False
    return inspect(db.engine).has_table("alembic_version")


def shop_language(target: str | None = None) -> str | None:
    """The shop's `language` setting, read without creating, upgrading or seeding anything.

    None when there is no database there yet, it is not at this version's schema (it would be
    upgraded by the command itself), it holds no language, or it cannot be read now."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        db = Database(resolve_url(target))
    except (SQLAlchemyError, OSError, ValueError):
        return None
    try:
        if not database_exists(db):
            return None
        if migrate.current_revision(db.engine) != migrate.head_revision():
            return None
        with db.read() as session:
            value = load_settings(session).get("language")
        return value if isinstance(value, str) else None
    except (SQLAlchemyError, OSError, ValueError):
        return None
    finally:
        db.dispose()


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
        copy = str(migrate.copy_aside(db.engine, db.path, current))
    migrate.upgrade(db.engine)
    restore_sync_triggers(db)  # a new file too: its migrations may have rebuilt a table
    return current, copy


def restore_sync_triggers(db: Database) -> None:
    """After an upgrade of a register that syncs: its change triggers as the tables now are.

    A migration that rebuilds a synced table in batch mode (SQLite's copy-and-rename) drops
    the table's triggers with it, and a column it added would not be tracked by the old ones;
    every trigger is therefore created again from the tables' real columns, by itself, so no
    migration has to remember to. (A register that does not sync has them too, quiet.)"""
    if db.dialect != "sqlite":
        return
    from sqlalchemy import text

    from app.sync.tracking import create_triggers, trigger_statements

    with db.engine.connect() as connection:
        if not inspect(connection).has_table("sync_clock"):
            return
        stored = {
            row[0]
            for row in connection.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
            )
        }
        if set(trigger_statements(connection)) <= stored:
            return  # every one there as the tables are: nothing written
    with db.write() as session:
        create_triggers(session.connection())


def open_shop(
    target: str | None = None,
    *,
    create: bool = True,
    now: datetime | None = None,
    use_env_clock: bool = True,
) -> Context:
    """Open (and if needed create, upgrade and seed) the database at a path or URL."""
    db = Database(resolve_url(target))
    try:
        if not create and not database_exists(db):
            raise Refused("db.missing", target=db.path or db.url)
        previous, copy = ensure_schema(db)
        if now is None and use_env_clock and os.environ.get("DANGOL_NOW"):
            now = parse_now(os.environ["DANGOL_NOW"])
        elif now is not None:  # a clock given by code: the same sane range as DANGOL_NOW
            check_clock(now, now.isoformat())
        with db.write() as session:
            settings = load_settings(session)
            if "register_id" not in settings:
                settings = _seed(session, now or datetime.now(UTC))
        ctx = Context(
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
            from app.services.audit_chain import audit  # the chain's rows name this context

            with db.write() as session:
                audit(ctx, session, "clock.override", detail={"now": now.isoformat()})
        return ctx
    except BaseException:
        db.dispose()
        raise


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
