"""the member's card in the phone's wallet: mobile_wallet_passes

One row per Google Wallet object (a member's card token), which is also its outbox entry:
queued when the points or the tier differ from what Google last got, sent by the worker.
Not synced: no change triggers.

Revision ID: 0023
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mobile_wallet_passes",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("inserted", sa.Boolean(), nullable=False),
        sa.Column("pushed_points", sa.BigInteger(), nullable=True),
        sa.Column("pushed_tier", sa.String(length=20), nullable=True),
        sa.Column("pushed_state", sa.String(length=10), nullable=True),
        sa.Column("send_after", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("pushed_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("kind IN ('google')", name=op.f("ck_mobile_wallet_passes_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'sending', 'done', 'failed')",
            name=op.f("ck_mobile_wallet_passes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_mobile_wallet_passes_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mobile_wallet_passes")),
        sa.UniqueConstraint("kind", "object_id", name="uq_mobile_wallet_passes_object"),
    )
    op.create_index(
        "ix_mobile_wallet_passes_status_send_after",
        "mobile_wallet_passes",
        ["status", "send_after"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mobile_wallet_passes_customer_id"),
        "mobile_wallet_passes",
        ["customer_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_mobile_wallet_passes_customer_id"), table_name="mobile_wallet_passes")
    op.drop_index("ix_mobile_wallet_passes_status_send_after", table_name="mobile_wallet_passes")
    op.drop_table("mobile_wallet_passes")
