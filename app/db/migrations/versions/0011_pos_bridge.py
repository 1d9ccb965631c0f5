"""pos bridge: sales keyed by the POS's ref, pending sales, refunds, redemptions by ref

Revision ID: 0011
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('earn', 'bonus', 'redeem', 'expire', 'adjust', 'void')"
NEW_KINDS = "kind IN ('earn', 'bonus', 'redeem', 'expire', 'adjust', 'void', 'refund')"
# The ledger's sync trigger as app/sync/tracking.py wrote it at this revision, frozen: a
# rebuilt table loses its triggers, and a register that syncs must keep tracking its ledger.
LEDGER_TRIGGER = (
    "CREATE TRIGGER sync_new_ledger_entries AFTER INSERT ON ledger_entries WHEN (SELECT "
    "tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET "
    "hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) "
    "WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'ledger_entries', "
    "NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END"
)


def _ledger_kinds(kinds: str) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    had_trigger = sqlite and bool(
        bind.execute(
            sa.text(
                "SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
                "AND name = 'sync_new_ledger_entries'"
            )
        ).first()
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ledger_entries_kind"), type_="check")
        batch_op.create_check_constraint("kind", kinds)
    if had_trigger:
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_ledger_entries"))
        op.execute(sa.text(LEDGER_TRIGGER))


def upgrade() -> None:
    _ledger_kinds(NEW_KINDS)
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_of_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sales_refund_of_id"), ["refund_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sales_refund_of_id_sales"), "sales", ["refund_of_id"], ["id"]
        )
    op.create_table(
        "pos_sales",
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("items_detail", sa.Text(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("tier_code", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("token_name", sa.String(length=60), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'posted', 'lapsed', 'cancelled')",
            name=op.f("ck_pos_sales_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_pos_sales_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"], name=op.f("fk_pos_sales_sale_id_sales")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_sales")),
        sa.UniqueConstraint("ref", name=op.f("uq_pos_sales_ref")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_pos_sales_sale_id")),
    )
    op.create_index(
        "ix_pos_sales_status_received", "pos_sales", ["status", "received_at"], unique=False
    )
    op.create_table(
        "pos_refunds",
        sa.Column("refund_ref", sa.String(length=64), nullable=False),
        sa.Column("pos_sale_id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("points_reversed", sa.BigInteger(), nullable=False),
        sa.Column("stamps_reversed", sa.Integer(), nullable=False),
        sa.Column("points_restored", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("token_name", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pos_sale_id"], ["pos_sales.id"], name=op.f("fk_pos_refunds_pos_sale_id_pos_sales")
        ),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_pos_refunds_sale_id_sales")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_refunds")),
        sa.UniqueConstraint("refund_ref", name=op.f("uq_pos_refunds_refund_ref")),
    )
    op.create_index(
        op.f("ix_pos_refunds_pos_sale_id"), "pos_refunds", ["pos_sale_id"], unique=False
    )
    op.create_table(
        "pos_redemptions",
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("request", sa.String(length=300), nullable=False),
        sa.Column("redemption_id", sa.Uuid(), nullable=False),
        sa.Column("pos_sale_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["pos_sale_id"],
            ["pos_sales.id"],
            name=op.f("fk_pos_redemptions_pos_sale_id_pos_sales"),
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
            name=op.f("fk_pos_redemptions_redemption_id_redemptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_redemptions")),
        sa.UniqueConstraint("ref", name=op.f("uq_pos_redemptions_ref")),
        sa.UniqueConstraint("redemption_id", name=op.f("uq_pos_redemptions_redemption_id")),
    )
    op.create_index(
        op.f("ix_pos_redemptions_pos_sale_id"), "pos_redemptions", ["pos_sale_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pos_redemptions_pos_sale_id"), table_name="pos_redemptions")
    op.drop_table("pos_redemptions")
    op.drop_index(op.f("ix_pos_refunds_pos_sale_id"), table_name="pos_refunds")
    op.drop_table("pos_refunds")
    op.drop_index("ix_pos_sales_status_received", table_name="pos_sales")
    op.drop_table("pos_sales")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sales_refund_of_id_sales"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sales_refund_of_id"))
        batch_op.drop_column("refund_of_id")
    _ledger_kinds(OLD_KINDS)
