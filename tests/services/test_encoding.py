"""The one JSON encoder: its generic rules and the shapes of results no CLI test reaches."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from app.services.audit import ChainCheck
from app.services.encoding import to_json
from app.services.ledger import NEVER
from app.services.owner import LedgerLine
from app.services.sync import AttentionItem

SEOUL = timezone(timedelta(hours=9))
ID = uuid.UUID("12345678-1234-5678-1234-567812345678")
AT = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)


class Zone:
    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(SEOUL)


class Colour(enum.Enum):
    RED = "red"


def test_generic_rules() -> None:
    value = {"at": AT, "day": date(2026, 3, 1), "id": ID, "rate": Decimal("0.25")}
    assert to_json({**value, "c": Colour.RED, "t": (1, 2)}, Zone()) == {
        "at": "2026-03-12T14:00:00+09:00",
        "day": "2026-03-01",
        "id": str(ID),
        "rate": 0.25,
        "c": "red",
        "t": [1, 2],
    }


def test_attention_item_and_chain_check() -> None:
    item = AttentionItem("duplicate", ID, "김*골", "010-****-5678", detail={"table": "sales"})
    assert to_json(item, Zone()) == {
        "kind": "duplicate",
        "customer_id": str(ID),
        "name_masked": "김*골",
        "phone_masked": "010-****-5678",
        "points": 0,
        "stamps": 0,
        "detail": {"table": "sales"},
    }
    assert to_json(ChainCheck(True, 3, 1), Zone()) == {
        "intact": True,
        "rows": 3,
        "registers": 1,
        "first_broken": None,
        "truncated": False,
        "expected_rows": None,
    }


def test_ledger_line_never_expires_is_null() -> None:
    line = LedgerLine(ID, AT, "earn", 10, 1, 10, 1, None, NEVER, ID, None, None)
    data = to_json(line, Zone())
    assert data["expires_at"] is None
    assert data["reverses"] == str(ID) and "reverses_id" not in data
