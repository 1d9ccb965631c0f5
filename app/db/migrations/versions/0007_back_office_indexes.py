"""back office indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 19:08:34.192892
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain CREATE INDEX: a batch operation could rebuild the table and drop the sync triggers
    op.create_index("ix_customers_marketing_consent_at", "customers", ["marketing_consent_at"])
    op.create_index("ix_customers_status_id", "customers", ["status", "id"])
    op.create_index("ix_customers_tier_status_id", "customers", ["tier_code", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_tier_status_id", table_name="customers")
    op.drop_index("ix_customers_status_id", table_name="customers")
    op.drop_index("ix_customers_marketing_consent_at", table_name="customers")
