"""Staff and store names go through the hidden-character cleaner; a clock from code is checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.services import setup, staff, store
from app.services.context import open_shop

HIDDEN = "\u202e김\u200b철\u2066수\u0007"


def test_a_staff_name_loses_bidi_zero_width_and_control_characters(sqlite_ctx) -> None:
    member = staff.add_staff(sqlite_ctx, HIDDEN, "cashier", "2468")
    assert member.name == "김철수"
    assert [s.name for s in staff.list_staff(sqlite_ctx) if s.id == member.id] == ["김철수"]


def test_a_name_of_hidden_characters_only_is_no_name(sqlite_ctx) -> None:
    with pytest.raises(Refused) as refused:
        staff.add_staff(sqlite_ctx, "\u200b\u202e", "cashier", "2468")
    assert refused.value.code == "staff.name_required"


def test_the_store_name_and_address_are_cleaned(sqlite_ctx) -> None:
    profile = store.StoreProfile("\u202e단골\u200b 카페", "", "서울\u2067 중구", "")
    saved = store.save_store(sqlite_ctx, profile)
    assert (saved.name, saved.address) == ("단골 카페", "서울 중구")
    assert store.store_name(sqlite_ctx) == "단골 카페"


def test_the_first_run_store_name_is_cleaned() -> None:
    assert setup.check_store_name("\u202e빵\u200b집") == "빵집"


@pytest.mark.parametrize("year", [1999, 2100, 2126])
def test_open_shop_refuses_a_clock_from_code_outside_the_sane_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, year: int
) -> None:
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    with pytest.raises(Refused) as refused:
        open_shop(str(tmp_path / "shop.sqlite"), now=datetime(year, 6, 1, tzinfo=UTC))
    assert refused.value.code == "clock.out_of_range"


def test_open_shop_takes_a_clock_from_code_inside_the_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANGOL_NOW", raising=False)
    moment = datetime(2099, 12, 31, 12, tzinfo=UTC)
    ctx = open_shop(str(tmp_path / "shop.sqlite"), now=moment)
    try:
        assert ctx.now() == moment
    finally:
        ctx.close()
