"""the wallet: cashback (적립금) and prepaid (선불 충전) entries

One append-only table of won, per member and purse; synced like the ledger (an immutable
table: its insert trigger only, frozen here as app/sync/tracking.py writes it).

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSERT_TRIGGER = "CREATE TRIGGER sync_new_wallet_entries AFTER INSERT ON wallet_entries WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'wallet_entries', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END"


def upgrade() -> None:
    op.create_table(
        "wallet_entries",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("purse", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("won", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("store_id", sa.Uuid(), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("reverses_id", sa.Uuid(), nullable=True),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("ref", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "purse IN ('cashback', 'prepaid')", name=op.f("ck_wallet_entries_purse")
        ),
        sa.CheckConstraint(
            "kind IN ('earn', 'spend', 'expire', 'topup', 'refund', 'restore', 'void', 'move')",
            name=op.f("ck_wallet_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_wallet_entries_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["wallet_entries.id"],
            name=op.f("fk_wallet_entries_reverses_id_wallet_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_wallet_entries_sale_id_sales")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_wallet_entries_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_wallet_entries_store_id_stores")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entries")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_wallet_entries_reverses_id")),
    )
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wallet_customer_time", ["customer_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_wallet_entries_sale_id"), ["sale_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":  # the table is new: nothing to feed centrally
        op.execute(sa.text(INSERT_TRIGGER))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_wallet_entries"))
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_entries_sale_id"))
        batch_op.drop_index("ix_wallet_customer_time")
    op.drop_table("wallet_entries")
