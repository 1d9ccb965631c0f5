"""Two more triggers' templates: a coupon a week from its end (informational) and the owner's
announcement (kind campaign, an advertisement sent only when the owner sends it).

Seeded as migration 0014 seeded the others, with the Korean texts frozen here; a shop that
already has a row of either kind (made on first use) keeps it.

Revision ID: 0019
Revises: 0018
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED = uuid.UUID("6d1f3c3e-2a55-4c55-9a57-0c0d7a1b0014")  # row ids: uuid5(SEEDED, kind)

DEFAULTS: tuple[tuple[str, bool, str], ...] = (
    (
        "coupon_expiring",
        True,
        "[#{상점}] #{이름}님, 쿠폰(#{쿠폰})은 #{기한}까지 사용하실 수 있습니다.\n"
        "※ 이 메시지는 쿠폰을 발급받으신 고객님께 사용 기한 7일 전에 발송되었습니다.",
    ),
    ("campaign", False, "#{내용}"),
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
    bind = op.get_bind()
    have = set(bind.scalars(sa.select(_TEMPLATES.c.kind)))
    now = datetime.now(UTC)
    rows = [
        {
            "id": uuid.uuid5(SEEDED, kind),
            "kind": kind,
            "on": on,
            "template_type": "basic",
            "text": text,
            "buttons": "[]",
            "fallback": text,
            "status": "draft",
            "status_changed_at": now,
            "updated_at": now,
        }
        for kind, on, text in DEFAULTS
        if kind not in have
    ]
    if rows:
        op.bulk_insert(_TEMPLATES, rows)


def downgrade() -> None:
    op.execute(
        _TEMPLATES.delete().where(
            _TEMPLATES.c.kind.in_([kind for kind, _, _ in DEFAULTS]),
            _TEMPLATES.c.status == "draft",
        )
    )
