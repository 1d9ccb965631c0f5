"""message_templates: each trigger's 알림톡 template, fallback and review; delivery results

One row per trigger kind, seeded with the Korean texts below (frozen here: later changes to
the code's defaults do not change what this revision wrote). What an owner set before in the
setting `messages.triggers` (on/off, a text, the id of a template approved at the provider)
is carried into the rows. The outbox's messages get what the provider reported after
sending: `delivery`, `delivered_at`, `checked_at`.

Revision ID: 0014
Revises: 0013
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED = uuid.UUID("6d1f3c3e-2a55-4c55-9a57-0c0d7a1b0014")  # row ids: uuid5(SEEDED, kind)

# (kind, on, text): the 알림톡 text is also the first SMS/LMS fallback
DEFAULTS: tuple[tuple[str, bool, str], ...] = (
    (
        "points_earned",
        True,
        "[#{상점}] #{이름}님, #{적립}P가 적립되었습니다. 현재 포인트: #{포인트}P\n"
        "※ 이 메시지는 고객님의 멤버십 적립 내역에 따라 발송되었습니다.",
    ),
    (
        "stamp_ready",
        True,
        "[#{상점}] #{이름}님, 스탬프를 다 모으셨어요! 다음 방문 때 '#{보상}'을 받으실 수 "
        "있습니다.\n※ 이 메시지는 고객님의 스탬프 적립 내역에 따라 발송되었습니다.",
    ),
    (
        "coupon_issued",
        True,
        "[#{상점}] #{이름}님께 쿠폰이 발급되었습니다. 쿠폰 번호 #{쿠폰}, #{기한}까지 "
        "사용하실 수 있습니다.\n※ 이 메시지는 매장에서 고객님께 발급된 쿠폰의 안내입니다.",
    ),
    (
        "points_expiring_30",
        True,
        "[#{상점}] #{이름}님, 포인트 #{소멸}P가 #{날짜}에 소멸될 예정입니다.\n"
        "※ 이 메시지는 고객님의 포인트 유효기간에 따라 발송되었습니다.",
    ),
    (
        "points_expiring_7",
        True,
        "[#{상점}] #{이름}님, 포인트 #{소멸}P가 일주일 뒤 #{날짜}에 소멸됩니다.\n"
        "※ 이 메시지는 고객님의 포인트 유효기간에 따라 발송되었습니다.",
    ),
    (
        "birthday",
        False,
        "#{이름}님, 생일 축하드려요! 생일 선물로 #{보너스}P를 드렸습니다. 이번 달에 들러 주세요.",
    ),
    (
        "winback",
        False,
        "#{이름}님, 오랜만이에요! 다시 오시면 쓰실 수 있는 쿠폰(#{쿠폰})을 드렸어요. "
        "#{기한}까지 사용하실 수 있습니다.",
    ),
    (
        "consent_notice",
        True,
        "[#{상점}] #{이름}님의 마케팅 정보 수신 동의 현황을 알려드립니다.\n"
        "동의 일자: #{동의일}\n"
        "동의 항목: #{동의내용}\n"
        "동의를 유지하시려면 따로 하실 일은 없으며, 철회를 원하시면 매장에 말씀해 주세요.\n"
        "※ 이 메시지는 정보통신망법에 따라 수신에 동의하신 고객님께 2년마다 발송되는 안내입니다.",
    ),
)


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("on", sa.Boolean(), nullable=False),
        sa.Column("template_type", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("emphasis_title", sa.String(length=50), nullable=True),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("fallback", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.String(length=500), nullable=True),
        sa.Column("status_changed_at", UTCDateTime(), nullable=False),
        sa.Column("provider_template_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'registered', 'inspecting', 'approved', 'rejected')",
            name=op.f("ck_message_templates_status"),
        ),
        sa.CheckConstraint(
            "template_type IN ('basic', 'extra', 'emphasis')",
            name=op.f("ck_message_templates_template_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint("kind", name=op.f("uq_message_templates_kind")),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("delivery", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("delivered_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("checked_at", UTCDateTime(), nullable=True))
    _seed()


def _stored_triggers() -> dict[str, dict[str, object]]:
    settings = sa.table("settings", sa.column("key", sa.String()), sa.column("value", sa.Text()))
    value = op.get_bind().scalar(
        sa.select(settings.c.value).where(settings.c.key == "messages.triggers")
    )
    try:
        stored = json.loads(value) if value else {}
    except ValueError:
        stored = {}
    return stored if isinstance(stored, dict) else {}


def _seed() -> None:
    templates = sa.table(
        "message_templates",
        sa.column("id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("on", sa.Boolean()),
        sa.column("template_type", sa.String()),
        sa.column("text", sa.Text()),
        sa.column("buttons", sa.Text()),
        sa.column("fallback", sa.Text()),
        sa.column("status", sa.String()),
        sa.column("status_reason", sa.String()),
        sa.column("status_changed_at", UTCDateTime()),
        sa.column("provider_template_id", sa.String()),
        sa.column("updated_at", UTCDateTime()),
    )
    now = datetime.now(UTC)
    stored = _stored_triggers()
    rows: list[dict[str, object]] = []
    for kind, on, text in DEFAULTS:
        chosen = stored.get(kind) if isinstance(stored.get(kind), dict) else {}
        assert isinstance(chosen, dict)
        body = str(chosen.get("template") or text)
        template_id = str(chosen.get("template_id") or "") or None
        rows.append(
            {
                "id": uuid.uuid5(SEEDED, kind),
                "kind": kind,
                "on": bool(chosen.get("on", on)),
                "template_type": "basic",
                "text": body,
                "buttons": "[]",
                "fallback": body,
                # a template id the owner gave was sent as 알림톡 before: it stays approved
                "status": "approved" if template_id else "draft",
                "status_reason": None,
                "status_changed_at": now,
                "provider_template_id": template_id,
                "updated_at": now,
            }
        )
    op.bulk_insert(templates, rows)


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("checked_at")
        batch.drop_column("delivered_at")
        batch.drop_column("delivery")
    op.drop_table("message_templates")
