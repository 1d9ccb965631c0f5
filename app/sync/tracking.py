"""Which tables sync, in which order, and the SQLite triggers that record a register's changes."""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text

# Parents before children: a batch applied in this order never breaks a foreign key.
SYNCED_TABLES = (
    "stores",
    "registers",
    "staff",
    "customers",
    "membership_cards",
    "program_versions",
    "coupons",
    "sales",
    "redemptions",
    "ledger_entries",
    "wallet_entries",
    "tier_changes",
    "audit_log",
    "signin_attempts",
    "sync_conflicts",
    "consent_events",
    "visit_ratings",
    "passes",  # subscription passes: immutable, their state is their events
    "pass_events",
    # issue 19: the owner's choices travel; rfm_scores does not: it is derived from sales (which
    # sync) and rewritten whole by every register's daily run, so each computes the same
    "owner_segments",  # rules replaced under the same name: merged field by field
    "experiments",  # immutable: the groups hang on its id, the same everywhere
    "lunar_birthdays",  # one row per member (id from the member's), the flag turned on/off
)
# Rows that change after they are written: merged field by field, the latest clock wins.
MUTABLE_TABLES = frozenset(
    {
        "stores",
        "registers",
        "staff",
        "customers",
        "membership_cards",
        "coupons",
        "visit_ratings",  # a rating's comment is cleared when its member is erased
        "owner_segments",
        "lunar_birthdays",
    }
)
# Rows that belong to a customer and follow them when two records of one person merge.
FOLLOWS_CUSTOMER = (
    "sales",
    "redemptions",
    "ledger_entries",
    "wallet_entries",
    "membership_cards",
    "coupons",
    "consent_events",  # the person's latest word on a consent holds, on whichever record
    "visit_ratings",
    "passes",
    "pass_events",
)

_TRACKING = "(SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1)"
# max(wall clock, last + 1): never goes back, and a pulled clock pushes it forward
_TICK = (
    "UPDATE sync_clock SET hlc = max("
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1;"
)


def _insert_trigger(table: str) -> str:
    clock = ""
    if table in MUTABLE_TABLES:
        clock = (
            "INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) "
            f"SELECT '{table}', NEW.id, '*', hlc, register_hex FROM sync_clock WHERE id = 1;"
        )
    return (
        f"CREATE TRIGGER sync_new_{table} AFTER INSERT ON {table} WHEN {_TRACKING} BEGIN "
        f"{_TICK} "
        "INSERT INTO sync_outbox (tbl, row_id, field, hlc) "
        f"SELECT '{table}', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1; "
        f"{clock} END"
    )


def _update_trigger(table: str, columns: list[str]) -> str:
    steps = []
    for column in columns:
        changed = f'OLD."{column}" IS NOT NEW."{column}"'
        steps.append(
            "INSERT INTO sync_outbox (tbl, row_id, field, hlc) "
            f"SELECT '{table}', NEW.id, '{column}', hlc FROM sync_clock WHERE id = 1 AND {changed};"
        )
        steps.append(
            "INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) "
            f"SELECT '{table}', NEW.id, '{column}', hlc, register_hex FROM sync_clock "
            f"WHERE id = 1 AND {changed};"
        )
    return (
        f"CREATE TRIGGER sync_edit_{table} AFTER UPDATE ON {table} WHEN {_TRACKING} BEGIN "
        f"{_TICK} {' '.join(steps)} END"
    )


def trigger_statements(connection: Connection) -> list[str]:
    """The triggers for the tables as they are in this database (its real columns)."""
    inspector = inspect(connection)
    statements = []
    for table in SYNCED_TABLES:
        statements.append(_insert_trigger(table))
        if table in MUTABLE_TABLES:
            columns = [c["name"] for c in inspector.get_columns(table) if c["name"] != "id"]
            statements.append(_update_trigger(table, columns))
    return statements


def drop_triggers(connection: Connection) -> None:
    for table in SYNCED_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS sync_new_{table}"))
        connection.execute(text(f"DROP TRIGGER IF EXISTS sync_edit_{table}"))


def create_triggers(connection: Connection) -> None:
    """(Re)create every trigger. A later migration that rebuilds a synced table in batch mode
    drops its triggers with it: it must call this at its end (ensure_triggers repairs too)."""
    drop_triggers(connection)
    for statement in trigger_statements(connection):
        connection.execute(text(statement))


def missing_triggers(connection: Connection) -> list[str]:
    present = {
        row[0]
        for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    wanted = [f"sync_new_{t}" for t in SYNCED_TABLES] + [
        f"sync_edit_{t}" for t in SYNCED_TABLES if t in MUTABLE_TABLES
    ]
    return [name for name in wanted if name not in present]
