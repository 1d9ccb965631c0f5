"""consent events: consent by channel and purpose, night advertising, notices (append-only)

Today's single marketing flag becomes one event: SMS advertising granted at its date, with
its source. The event's id is derived from the customer's id, so every register and the
central database make the same row (sync takes an id it has for the same row), and it is
written before the change trigger exists: a register sends nothing for it. The central
database also puts the migrated rows in its change feed, for registers set up later.

Revision ID: 0012
Revises: 0011
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# uuid5 namespace of the migrated marketing flags (fixed forever)
MIGRATED = uuid.UUID("5b0c7f0e-2d1a-4f43-9a51-0c6e6a1d0012")
BATCH = 5000

# the insert trigger as app/sync/tracking.py writes it for this table, frozen
TRIGGER = (
    "CREATE TRIGGER sync_new_consent_events AFTER INSERT ON consent_events WHEN "
    "(SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN "
    "UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    " * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) "
    "SELECT 'consent_events', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END"
)


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=True),
        sa.Column("purpose", sa.String(length=6), nullable=True),
        sa.Column("night", sa.Boolean(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("token_name", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "action IN ('grant', 'withdraw', 'notice')", name=op.f("ck_consent_events_action")
        ),
        sa.CheckConstraint(
            "channel IS NULL OR channel IN ('sms', 'alimtalk', 'friendtalk')",
            name=op.f("ck_consent_events_channel"),
        ),
        sa.CheckConstraint(
            "purpose IS NULL OR purpose IN ('info', 'ad')", name=op.f("ck_consent_events_purpose")
        ),
        sa.CheckConstraint(
            "action = 'notice' OR (channel IS NOT NULL AND purpose IS NOT NULL)",
            name=op.f("ck_consent_events_names"),
        ),
        sa.CheckConstraint("NOT night OR purpose = 'ad'", name=op.f("ck_consent_events_night_ad")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_consent_events_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_consent_events_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    op.create_index(
        "ix_consent_events_customer", "consent_events", ["customer_id", "at"], unique=False
    )
    op.create_index(
        "ix_consent_events_due", "consent_events", ["purpose", "action", "at"], unique=False
    )
    _migrate_marketing_flags()
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text(TRIGGER))
    else:
        # the central database: a register set up later pulls the migrated rows from the feed
        op.execute(
            sa.text(
                "INSERT INTO sync_changes (tbl, row_id, origin) "
                "SELECT 'consent_events', id, NULL FROM consent_events ORDER BY id"
            )
        )


def _migrate_marketing_flags() -> None:
    customers = sa.table(
        "customers",
        sa.column("id", sa.Uuid()),
        sa.column("marketing_consent_at", UTCDateTime()),
        sa.column("marketing_consent_source", sa.String()),
        sa.column("register_id", sa.Uuid()),
    )
    events = sa.table(
        "consent_events",
        sa.column("id", sa.Uuid()),
        sa.column("customer_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("channel", sa.String()),
        sa.column("purpose", sa.String()),
        sa.column("night", sa.Boolean()),
        sa.column("at", UTCDateTime()),
        sa.column("source", sa.String()),
        sa.column("staff_id", sa.Uuid()),
        sa.column("token_name", sa.String()),
        sa.column("register_id", sa.Uuid()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            customers.c.id,
            customers.c.marketing_consent_at,
            customers.c.marketing_consent_source,
            customers.c.register_id,
        )
        .where(customers.c.marketing_consent_at.is_not(None))
        .order_by(customers.c.id)
    ).all()
    batch: list[dict[str, object]] = []
    for customer_id, at, source, register_id in rows:
        batch.append(
            {
                "id": uuid.uuid5(MIGRATED, str(customer_id)),
                "customer_id": customer_id,
                "action": "grant",
                "channel": "sms",
                "purpose": "ad",
                "night": False,
                "at": at,
                "source": source,
                "staff_id": None,
                "token_name": None,
                "register_id": register_id,
            }
        )
        if len(batch) >= BATCH:
            bind.execute(events.insert(), batch)
            batch = []
    if batch:
        bind.execute(events.insert(), batch)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_consent_events"))
    else:
        op.execute(sa.text("DELETE FROM sync_changes WHERE tbl = 'consent_events'"))
    op.drop_index("ix_consent_events_due", table_name="consent_events")
    op.drop_index("ix_consent_events_customer", table_name="consent_events")
    op.drop_table("consent_events")
