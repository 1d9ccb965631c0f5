"""insight sync: lunar_birthdays gets an id (sync moves rows by id) and a `lunar` flag (the
sync never deletes: turning the option off is an update, which travels)

The id is derived from the member's id (uuid5 under a fixed namespace, the same as
app.services.birthdays.LUNAR_NAMESPACE, frozen here) so the same member's option set at two
registers is one row, merged field by field. owner_segments and experiments already have an id
and need no schema change. On SQLite the three tables' sync triggers are created here (frozen,
as app/sync/tracking.py makes them), so an upgraded file is found complete at its opening.

Revision ID: 0026
Revises: 0025
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LUNAR_NAMESPACE = uuid.UUID("5b0e6f1c-3a52-4d0b-9a57-6c1b7d2e9f40")
# the SQLite sync triggers of the three tables as app/sync/tracking.py makes them (frozen), so
# opening an upgraded or new file finds them in place and writes nothing
TRIGGERS = (
    "CREATE TRIGGER sync_new_owner_segments AFTER INSERT ON owner_segments WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, '*', hlc, register_hex FROM sync_clock WHERE id = 1; END",
    "CREATE TRIGGER sync_edit_owner_segments AFTER UPDATE ON owner_segments WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, 'name', hlc FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, 'name', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, 'rules', hlc FROM sync_clock WHERE id = 1 AND OLD.\"rules\" IS NOT NEW.\"rules\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, 'rules', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"rules\" IS NOT NEW.\"rules\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, 'created_at', hlc FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, 'created_at', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, 'staff_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"staff_id\" IS NOT NEW.\"staff_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, 'staff_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"staff_id\" IS NOT NEW.\"staff_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'owner_segments', NEW.id, 'register_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'owner_segments', NEW.id, 'register_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; END",
    "CREATE TRIGGER sync_new_experiments AFTER INSERT ON experiments WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'experiments', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END",
    "CREATE TRIGGER sync_new_lunar_birthdays AFTER INSERT ON lunar_birthdays WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'lunar_birthdays', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'lunar_birthdays', NEW.id, '*', hlc, register_hex FROM sync_clock WHERE id = 1; END",
    "CREATE TRIGGER sync_edit_lunar_birthdays AFTER UPDATE ON lunar_birthdays WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'lunar_birthdays', NEW.id, 'customer_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'lunar_birthdays', NEW.id, 'customer_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'lunar_birthdays', NEW.id, 'lunar', hlc FROM sync_clock WHERE id = 1 AND OLD.\"lunar\" IS NOT NEW.\"lunar\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'lunar_birthdays', NEW.id, 'lunar', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"lunar\" IS NOT NEW.\"lunar\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'lunar_birthdays', NEW.id, 'set_at', hlc FROM sync_clock WHERE id = 1 AND OLD.\"set_at\" IS NOT NEW.\"set_at\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'lunar_birthdays', NEW.id, 'set_at', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"set_at\" IS NOT NEW.\"set_at\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'lunar_birthdays', NEW.id, 'register_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'lunar_birthdays', NEW.id, 'register_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; END",
)


def _new_table() -> None:
    op.create_table(
        "lunar_birthdays",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("lunar", sa.Boolean(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_lunar_birthdays_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lunar_birthdays")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_lunar_birthdays_customer_id")),
    )


def _old_table() -> None:
    op.create_table(
        "lunar_birthdays",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_lunar_birthdays_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_lunar_birthdays")),
    )


def upgrade() -> None:
    old = sa.table(
        "lunar_birthdays",
        sa.column("customer_id", sa.Uuid()),
        sa.column("set_at", UTCDateTime()),
    )
    kept = list(op.get_bind().execute(sa.select(old.c.customer_id, old.c.set_at)))
    op.drop_table("lunar_birthdays")
    _new_table()
    new = sa.table(
        "lunar_birthdays",
        sa.column("id", sa.Uuid()),
        sa.column("customer_id", sa.Uuid()),
        sa.column("lunar", sa.Boolean()),
        sa.column("set_at", UTCDateTime()),
    )
    if kept:
        op.bulk_insert(
            new,
            [
                {
                    "id": uuid.uuid5(LUNAR_NAMESPACE, str(customer_id)),
                    "customer_id": customer_id,
                    "lunar": True,
                    "set_at": set_at,
                }
                for customer_id, set_at in kept
            ],
        )
    if op.get_bind().dialect.name == "sqlite":
        for name in ("owner_segments", "experiments", "lunar_birthdays"):
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS sync_new_{name}"))
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS sync_edit_{name}"))
        for trigger in TRIGGERS:
            op.execute(sa.text(trigger))


def downgrade() -> None:
    new = sa.table(
        "lunar_birthdays",
        sa.column("customer_id", sa.Uuid()),
        sa.column("lunar", sa.Boolean()),
        sa.column("set_at", UTCDateTime()),
    )
    kept = list(
        op.get_bind().execute(sa.select(new.c.customer_id, new.c.set_at).where(new.c.lunar))
    )
    if op.get_bind().dialect.name == "sqlite":  # (lunar_birthdays' go with the table)
        for name in ("owner_segments", "experiments"):
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS sync_new_{name}"))
            op.execute(sa.text(f"DROP TRIGGER IF EXISTS sync_edit_{name}"))
    op.drop_table("lunar_birthdays")
    _old_table()
    old = sa.table(
        "lunar_birthdays",
        sa.column("customer_id", sa.Uuid()),
        sa.column("set_at", UTCDateTime()),
    )
    if kept:
        op.bulk_insert(old, [{"customer_id": c, "set_at": s} for c, s in kept])
