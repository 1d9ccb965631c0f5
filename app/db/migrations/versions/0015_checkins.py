"""checkins: a customer identified on their own screen (the customer display, a tablet)

One row per check-in; sale_id is filled when a sale is recorded for that member within the
POS's pending window. Local to the register (not synced), as the POS's pending sales are.

Revision ID: 0015
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("device", sa.String(length=60), nullable=True),
        sa.Column("sale_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("source IN ('display', 'tablet')", name=op.f("ck_checkins_source")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_checkins_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"], name=op.f("fk_checkins_sale_id_sales")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    op.create_index("ix_checkins_customer_at", "checkins", ["customer_id", "at"], unique=False)
    op.create_index(op.f("ix_checkins_at"), "checkins", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_checkins_at"), table_name="checkins")
    op.drop_index("ix_checkins_customer_at", table_name="checkins")
    op.drop_table("checkins")
