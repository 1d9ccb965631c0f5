"""insight: RFM scores, owner segments, experiments, lunar birthdays (issue 19)

rfm_scores is derived (the daily run rewrites it from sales); the other three tables hold the
owner's choices. None is synced yet (each register computes its RFM; experiments and lunar
birthdays are kept where they were set).

Revision ID: 0024
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rfm_scores",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.BigInteger(), nullable=False),
        sa.Column("r", sa.Integer(), nullable=False),
        sa.Column("f", sa.Integer(), nullable=False),
        sa.Column("m", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=12), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_rfm_scores_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_rfm_scores")),
    )
    op.create_index("ix_rfm_scores_rf", "rfm_scores", ["r", "f"], unique=False)
    op.create_index("ix_rfm_scores_segment", "rfm_scores", ["segment"], unique=False)
    op.create_table(
        "owner_segments",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_owner_segments_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_owner_segments_name")),
    )
    op.create_table(
        "experiments",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("design", sa.String(length=10), nullable=False),
        sa.Column("treatment_percent", sa.Integer(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("end_day", sa.Date(), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("design IN ('holdout', 'variant')", name=op.f("ck_experiments_design")),
        sa.CheckConstraint(
            "treatment_percent BETWEEN 1 AND 99", name=op.f("ck_experiments_treatment_percent")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_experiments_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
    )
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


def downgrade() -> None:
    op.drop_table("lunar_birthdays")
    op.drop_table("experiments")
    op.drop_table("owner_segments")
    op.drop_index("ix_rfm_scores_segment", table_name="rfm_scores")
    op.drop_index("ix_rfm_scores_rf", table_name="rfm_scores")
    op.drop_table("rfm_scores")
