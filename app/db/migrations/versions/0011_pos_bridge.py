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


def _triggers_of(*tables: str) -> list[str]:
    """The SQL of the triggers on these tables (SQLite): a batch rebuild drops them, and a
    register that syncs must keep tracking its rows, so they are put back as they were."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    marks = ", ".join(f"'{t}'" for t in tables)
    rows = bind.execute(
        sa.text(f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})")
    )
    return [row[0] for row in rows if row[0]]


def _restore(triggers: list[str]) -> None:
    for statement in triggers:
        name = statement.split()[2]  # CREATE TRIGGER <name> ...
        op.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        op.execute(sa.text(statement))


def _ledger_kinds(kinds: str) -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ledger_entries_kind"), type_="check")
        batch_op.create_check_constraint("kind", kinds)


def upgrade() -> None:
    triggers = _triggers_of("ledger_entries", "sales")
    _ledger_kinds(NEW_KINDS)
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refund_of_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sales_refund_of_id"), ["refund_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sales_refund_of_id_sales"), "sales", ["refund_of_id"], ["id"]
        )
    _restore(triggers)
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
    triggers = _triggers_of("ledger_entries", "sales")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sales_refund_of_id_sales"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_sales_refund_of_id"))
        batch_op.drop_column("refund_of_id")
    _ledger_kinds(OLD_KINDS)
    _restore(triggers)
