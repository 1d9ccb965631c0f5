"""What the first screen needs from a shop's file, read with the standard library alone.

Opening a shop the usual way imports SQLAlchemy, the models and the services (most of a
second on a till); the sign-in screen needs only the shop's name, its staff and its language.
`peek_shop` reads those, and what decides whether the file can be used as it is, with one
read-only `sqlite3` connection in one snapshot (app.services.first_screen decides). Also
here, so that neither needs SQLAlchemy: the revision rule of the migrations and the default
database path.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from app.domain.staff import StaffMember

APP_NAME = "dangol"
MIGRATIONS = Path(__file__).with_name("migrations")
# Revisions are numbered 0001, 0002, ... in a single line, and the file names start with them:
# opening an up-to-date database never has to import Alembic (a tenth of a second at start).
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def default_database_path() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "dangol.sqlite"


def known_revisions() -> set[str]:
    return {
        match.group(1)
        for path in (MIGRATIONS / "versions").iterdir()
        if (match := _REVISION_FILE.match(path.name))
    }


def head_revision() -> str:
    return max(known_revisions())


def sqlite_file(target: str | None) -> Path | None:
    """The file a `--db` target (or DANGOL_DB, or the default) names; None for a URL."""
    target = target or os.environ.get("DANGOL_DB") or str(default_database_path())
    if "://" in target:
        return None
    return Path(target).expanduser().resolve()


@dataclass(frozen=True)
class ShopPeek:
    path: Path
    revision: str | None  # alembic_version (None: none there)
    settings: dict[str, Any]  # every setting, decoded; empty before the shop was seeded
    owner_has_pin: bool
    has_members: bool  # any customer row at all
    store_name: str | None
    staff: list[StaffMember]  # active staff, as app.services.staff.list_staff orders them


def peek_shop(target: str | None) -> ShopPeek | None:
    """The facts of a SQLite shop's file, or None when it is not one that can be read now."""
    path = sqlite_file(target)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, path)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None  # not ours, damaged, older: the usual way explains it in words
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, path: Path) -> ShopPeek:
    conn.execute("BEGIN")  # one snapshot for every read below
    version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    settings: dict[str, Any] = {
        key: json.loads(value) for key, value in conn.execute("SELECT key, value FROM settings")
    }
    owner_pin = store = None
    if "owner_staff_id" in settings:
        owner = uuid.UUID(settings["owner_staff_id"]).hex
        owner_pin = conn.execute("SELECT pin_hash FROM staff WHERE id = ?", (owner,)).fetchone()
    if "store_id" in settings:
        store_id = uuid.UUID(settings["store_id"]).hex
        store = conn.execute("SELECT name FROM stores WHERE id = ?", (store_id,)).fetchone()
    staff = [
        StaffMember(uuid.UUID(row[0]), row[1], row[2], bool(row[3]), row[4] is not None)
        for row in conn.execute(
            "SELECT id, name, role, active, pin_hash FROM staff WHERE active = 1"
            " ORDER BY role DESC, name"
        )
    ]
    return ShopPeek(
        path=path,
        revision=version[0] if version else None,
        settings=settings,
        owner_has_pin=bool(owner_pin and owner_pin[0] is not None),
        has_members=conn.execute("SELECT 1 FROM customers LIMIT 1").fetchone() is not None,
        store_name=store[0] if store else None,
        staff=staff,
    )
