"""Subscription passes (구독권): the passes sold and their events, and the renewal reminder's
template (trigger kind pass_renewal, informational), seeded as 0019 seeded its kinds.

Both tables are immutable and synced: their insert triggers (as app/sync/tracking.py writes
them) are frozen here and created on SQLite.

Revision ID: 0021
Revises: 0019
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED = uuid.UUID("6d1f3c3e-2a55-4c55-9a57-0c0d7a1b0014")  # row ids: uuid5(SEEDED, kind)
RENEWAL = (
    "pass_renewal",
    "[#{상점}] #{이름}님, 구매하신 구독권(#{구독권})이 #{기한}에 끝납니다.\n"
    "※ 이 메시지는 구독권을 구매하신 고객님께 이용 기간 종료 3일 전에 발송되었습니다.",
)

TRIGGERS = (
    "CREATE TRIGGER sync_new_passes AFTER INSERT ON passes WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'passes', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END",
    "CREATE TRIGGER sync_new_pass_events AFTER INSERT ON pass_events WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'pass_events', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1;  END",
)

_TEMPLATES = sa.table(
    "message_templates",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("on", sa.Boolean()),
    sa.column("template_type", sa.String()),
    sa.column("text", sa.Text()),
    sa.column("buttons", sa.Text()),
    sa.column("fallback", sa.Text()),
    sa.column("status", sa.String()),
    sa.column("status_changed_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "passes",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("plan_code", sa.String(length=20), nullable=False),
        sa.Column("plan_name", sa.String(length=200), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("benefit", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("uses_per_day", sa.Integer(), nullable=False),
        sa.Column("hour_from", sa.Integer(), nullable=True),
        sa.Column("hour_to", sa.Integer(), nullable=True),
        sa.Column("refund_rule", sa.String(length=10), nullable=False),
        sa.Column("sold_at", UTCDateTime(), nullable=False),
        sa.Column("start_day", sa.Date(), nullable=False),
        sa.Column("pos_ref", sa.String(length=100), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "price >= 0 AND days >= 1 AND uses_per_day >= 1", name=op.f("ck_passes_terms")
        ),
        sa.CheckConstraint(
            "refund_rule IN ('none', 'pro_rata')", name=op.f("ck_passes_refund_rule")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_passes_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passes")),
    )
    op.create_index("ix_passes_customer_plan", "passes", ["customer_id", "plan_code"])
    op.create_table(
        "pass_events",
        sa.Column("pass_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column("staff_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('sold', 'used', 'paused', 'resumed', 'cancelled', 'refunded')",
            name=op.f("ck_pass_events_kind"),
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_pass_events_amount")),
        sa.ForeignKeyConstraint(
            ["pass_id"], ["passes.id"], name=op.f("fk_pass_events_pass_id_passes")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_pass_events_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pass_events")),
    )
    op.create_index("ix_pass_events_pass", "pass_events", ["pass_id", "at"])
    op.create_index("ix_pass_events_kind_day", "pass_events", ["kind", "day"])
    op.create_index(op.f("ix_pass_events_customer_id"), "pass_events", ["customer_id"])
    if op.get_bind().dialect.name == "sqlite":  # new tables: nothing to feed centrally yet
        for trigger in TRIGGERS:
            op.execute(sa.text(trigger))
    bind = op.get_bind()
    kind, text = RENEWAL
    if kind not in set(bind.scalars(sa.select(_TEMPLATES.c.kind))):
        now = datetime.now(UTC)
        op.bulk_insert(
            _TEMPLATES,
            [
                {
                    "id": uuid.uuid5(SEEDED, kind),
                    "kind": kind,
                    "on": True,
                    "template_type": "basic",
                    "text": text,
                    "buttons": "[]",
                    "fallback": text,
                    "status": "draft",
                    "status_changed_at": now,
                    "updated_at": now,
                }
            ],
        )


def downgrade() -> None:
    op.execute(
        _TEMPLATES.delete().where(_TEMPLATES.c.kind == RENEWAL[0], _TEMPLATES.c.status == "draft")
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_pass_events"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_passes"))
    op.drop_index(op.f("ix_pass_events_customer_id"), table_name="pass_events")
    op.drop_index("ix_pass_events_kind_day", table_name="pass_events")
    op.drop_index("ix_pass_events_pass", table_name="pass_events")
    op.drop_table("pass_events")
    op.drop_index("ix_passes_customer_plan", table_name="passes")
    op.drop_table("passes")
