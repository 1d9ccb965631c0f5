"""0014: every trigger gets its template row; what the owner set in `messages.triggers` before
(on/off, a text, an approved template's id) is carried over; the outbox gets delivery columns."""

from __future__ import annotations

import json

from sqlalchemy import inspect, select, text

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.db.models import MessageTemplate
from app.domain import alimtalk
from app.services.context import open_shop
from tests.conftest import START


def _back_to_0013(db_url: str, triggers: dict[str, object]) -> None:
    open_shop(db_url, now=START).close()
    db = Database(resolve_url(db_url))
    try:
        migrate.downgrade(db.engine, "0013")
        assert "message_templates" not in inspect(db.engine).get_table_names()
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO settings (key, value) VALUES ('messages.triggers', :v)"),
                {"v": json.dumps(triggers, ensure_ascii=False)},
            )
    finally:
        db.dispose()


def test_seeded_and_carried_over(db_url: str) -> None:
    _back_to_0013(
        db_url,
        {
            "points_earned": {"template_id": "TPL_EARNED"},
            "winback": {"on": True, "template": "#{이름}님 다시 뵙고 싶어요 #{쿠폰}"},
            "stamp_ready": {"on": False},
        },
    )
    ctx = open_shop(db_url, now=START)
    try:
        with ctx.db.read() as session:
            rows = {r.kind: r for r in session.scalars(select(MessageTemplate))}
        assert set(rows) == set(alimtalk.known_kinds())
        earned = rows["points_earned"]
        assert (earned.status, earned.provider_template_id, earned.on) == (
            "approved",
            "TPL_EARNED",
            True,
        )
        assert earned.text == alimtalk.default_draft("points_earned").text
        winback = rows["winback"]
        assert (
            winback.on and winback.text == winback.fallback == "#{이름}님 다시 뵙고 싶어요 #{쿠폰}"
        )
        assert winback.status == "draft" and winback.provider_template_id is None
        assert rows["stamp_ready"].on is False
        assert rows["birthday"].on is False and rows["consent_notice"].on is True
        # the frozen texts are today's defaults
        for kind in ("coupon_issued", "consent_notice", "points_expiring_7"):
            assert rows[kind].text == alimtalk.default_draft(kind).text, kind
        assert all(r.buttons == "[]" and r.template_type == "basic" for r in rows.values())
        columns = {c["name"] for c in inspect(ctx.db.engine).get_columns("messages")}
        assert {"delivery", "delivered_at", "checked_at"} <= columns
    finally:
        ctx.close()


def test_down_and_up_again(db_url: str) -> None:
    open_shop(db_url, now=START).close()
    db = Database(resolve_url(db_url))
    try:
        migrate.downgrade(db.engine, "0013")
        columns = {c["name"] for c in inspect(db.engine).get_columns("messages")}
        assert "delivery" not in columns
        migrate.upgrade(db.engine)
        with db.engine.connect() as connection:
            count = connection.execute(text("SELECT COUNT(*) FROM message_templates")).scalar()
        assert count == len(alimtalk.known_kinds())
    finally:
        db.dispose()
