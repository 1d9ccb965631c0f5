"""The first upload of a register's whole database: PostgreSQL COPY, then one merge per table.

Rows are streamed from SQLite into a temporary table with COPY (the fast path), then moved
into the real table in the same transaction: rows already there (a repeated upload) are
skipped, and a customer whose phone another register enrolled first goes through the
ordinary merge so the two records become one.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine, text

from app.db.engine import Database
from app.sync.engine import CHANNEL, FEED_LOCK
from app.sync.merge import Applier, table
from app.sync.tracking import SYNCED_TABLES

COPY_BATCH = 10_000


def _columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns]


def _copy_table(sqlite_cursor: Any, pg: Any, name: str) -> int:
    columns = _columns(name)
    quoted = ", ".join(f'"{c}"' for c in columns)
    pg.execute(f"CREATE TEMP TABLE up_{name} (LIKE {name} INCLUDING DEFAULTS) ON COMMIT DROP")
    sqlite_cursor.execute(f"SELECT {quoted} FROM {name}")
    count = 0
    with pg.cursor() as cursor, cursor.copy(f"COPY up_{name} ({quoted}) FROM STDIN") as copy:
        while rows := sqlite_cursor.fetchmany(COPY_BATCH):
            for row in rows:
                copy.write_row(row)
            count += len(rows)
    return count


def _move_in(pg: Any, name: str, register_id: uuid.UUID) -> None:
    columns = ", ".join(f'"{c}"' for c in _columns(name))
    skip_phones = ""
    if name == "customers":
        # a phone held centrally by another record: those go through the merge rule
        skip_phones = (
            " AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.phone = u.phone AND c.id <> u.id)"
        )
    pg.execute(
        f"WITH moved AS (INSERT INTO {name} ({columns}) "
        f"SELECT {columns} FROM up_{name} u "
        f"WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE t.id = u.id){skip_phones} "
        "ON CONFLICT DO NOTHING RETURNING id) "
        "INSERT INTO sync_changes (tbl, row_id, origin) "
        f"SELECT '{name}', id, %s FROM moved",
        (register_id,),
    )


def _colliding_customers(pg: Any) -> list[dict[str, Any]]:
    cursor = pg.execute(
        "SELECT u.* FROM up_customers u WHERE NOT EXISTS "
        "(SELECT 1 FROM customers t WHERE t.id = u.id)"
    )
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def upload_everything(local: Database, server: Engine, register_id: uuid.UUID) -> int:
    """Every synced row of this database to the central one, in one server transaction."""
    raw_local = local.engine.raw_connection()
    try:
        sqlite_cursor = raw_local.cursor()
        with server.begin() as connection:
            connection.execute(text(FEED_LOCK))
            connection.execute(text("SET LOCAL timezone = 'UTC'"))
            pg = connection.connection.driver_connection
            total = 0
            merges: list[tuple[uuid.UUID, uuid.UUID]] = []
            for name in SYNCED_TABLES:
                total += _copy_table(sqlite_cursor, pg, name)
                _move_in(pg, name, register_id)
                if name == "customers":
                    merges = _merge_colliding(connection, pg, register_id)
            # rows copied after their customer merged follow it like any other
            applier = Applier(connection)
            for loser, winner in merges:
                applier.rehome(loser, winner)
            connection.execute(text(f"NOTIFY {CHANNEL}"))
        sqlite_cursor.close()
        return total
    finally:
        raw_local.close()


def _merge_colliding(
    connection: Any, pg: Any, register_id: uuid.UUID
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    from app.sync.engine import append_feed

    rows = _colliding_customers(pg)
    if not rows:
        return []
    applier = Applier(connection)
    applier.apply("customers", rows, {})
    append_feed(
        connection,
        [
            {
                "tbl": "customers",
                "row_id": c.after["id"],
                "origin": None if c.decided_here else register_id,
            }
            for c in applier.applied.changed
        ],
    )
    return applier.applied.merges
