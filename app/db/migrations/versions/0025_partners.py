"""a neighbourhood coalition (골목 제휴): partner programs, partner-point entries, the
partner consent, what was sent and the accounts as last seen

Local tables only: the coalition's shared tables live in the central PostgreSQL's own
`partner` schema, made by app/sync/partners.py. Not synced between a shop's registers yet.

Revision ID: 0025
Revises: 0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_programs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("business_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("shop_name", sa.String(length=100), nullable=False),
        sa.Column("point_value", sa.String(length=20), nullable=False),
        sa.Column("earn_rate", sa.String(length=20), nullable=False),
        sa.Column("offline_limit", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_programs")),
    )
    op.create_table(
        "partner_entries",
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("kind IN ('earn', 'spend')", name=op.f("ck_partner_entries_kind")),
        sa.CheckConstraint("points > 0", name=op.f("ck_partner_entries_points")),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["partner_programs.id"],
            name=op.f("fk_partner_entries_coalition_id_partner_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_entries")),
    )
    op.create_index("ix_partner_entries_account", "partner_entries", ["coalition_id", "account_id"])
    op.create_table(
        "partner_consent_events",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("token_name", sa.String(length=50), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "action IN ('grant', 'withdraw')", name=op.f("ck_partner_consent_events_action")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_partner_consent_events_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["partner_programs.id"],
            name=op.f("fk_partner_consent_events_coalition_id_partner_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_consent_events")),
    )
    op.create_index(
        "ix_partner_consent_events_customer", "partner_consent_events", ["customer_id", "at"]
    )
    op.create_table(
        "partner_sent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_sent")),
    )
    op.create_table(
        "partner_seen",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column("home_name", sa.String(length=100), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("known_at", UTCDateTime(), nullable=False),
        sa.Column("lookup_key", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_seen")),
    )


def downgrade() -> None:
    op.drop_table("partner_seen")
    op.drop_table("partner_sent")
    op.drop_index("ix_partner_consent_events_customer", table_name="partner_consent_events")
    op.drop_table("partner_consent_events")
    op.drop_index("ix_partner_entries_account", table_name="partner_entries")
    op.drop_table("partner_entries")
    op.drop_table("partner_programs")
