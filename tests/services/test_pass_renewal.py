"""The renewal reminder of a subscription pass (trigger pass_renewal, informational): sent by
the daily run three days before the pass's end, once; a paused or cancelled pass gets none."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Message
from app.domain.program import DEFAULT_PROGRAM_JSON
from app.services import customers, daily, messages, passes
from app.services.program import load_program
from tests.messaging.solapi_standin import SolapiStandIn

PLAN = {
    "code": "W7",
    "name": "일주일 아메리카노",
    "price": 10_000,
    "days": 7,
    "benefit": "free_item",
    "items": ["아메리카노"],
    "uses_per_day": 1,
    "refund": "none",
}


@pytest.fixture
def shop(ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    document = copy.deepcopy(DEFAULT_PROGRAM_JSON)
    document["passes"] = [PLAN]
    load_program(ctx, document)  # at START, after the seeded program's version
    ctx.fixed_now = datetime(2026, 3, 12, 6, 0, tzinfo=UTC)  # 15:00 in Seoul
    return ctx


def rows(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).where(Message.kind == "pass_renewal")))


def test_a_pass_three_days_from_its_end_is_reminded_once(shop: Any) -> None:
    kept = customers.enroll(shop, "010-1111-2222", name="김민준").id
    paused = customers.enroll(shop, "010-3333-4444", name="이서연").id
    gone = customers.enroll(shop, "010-5555-6666", name="박지훈").id
    for who in (kept, paused, gone):
        passes.sell(shop, who, "W7")  # 03-12 .. 03-18
    passes.pause(shop, paused, "W7")
    passes.cancel(shop, gone, "W7")
    daily.run_daily(shop)
    assert rows(shop) == []  # six days left: not yet
    shop.fixed_now += timedelta(days=3)  # 03-15: the end is three days away
    daily.run_daily(shop)
    (reminder,) = rows(shop)
    assert reminder.customer_id == kept and reminder.purpose == "info"
    assert "일주일 아메리카노" in reminder.text and "3월 18일" in reminder.text
    assert "김민준님" in reminder.text
    shop.fixed_now += timedelta(days=1)
    daily.run_daily(shop)
    assert len(rows(shop)) == 1  # once
