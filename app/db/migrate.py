"""Alembic migrations run from inside the app: create, upgrade, and back up before upgrading."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from app.db.engine import online_copy
from app.db.peek import MIGRATIONS
from app.db.peek import head_revision as head_revision  # the revision rule lives there
from app.db.peek import known_revisions as known_revisions

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head", *, central: bool = False) -> None:
    """central: the sync's central PostgreSQL (migration 0027 keys it by business; a shop
    database on PostgreSQL is one business and stays as it is)."""
    from alembic import command

    _migrate(engine, lambda config: command.upgrade(config, revision), central=central)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to an older schema (tests make 'older databases' this way)."""
    from alembic import command

    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step: Callable[[Config], None], *, central: bool = False) -> None:
    config = alembic_config()
    config.attributes["dangol.central"] = central
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None  # a connection just opened is never detached
        if sqlite:
            # Batch migrations rebuild tables; SQLite can only switch foreign keys off
            # outside a transaction, and they are checked as a whole before committing.
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")


def copy_aside(engine: Engine, path: Path, revision: str | None) -> Path:
    """The file before an upgrade, copied through the engine's own connection (never a second)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    destination = path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp}{path.suffix}")
    online_copy(engine, destination)
    return destination
