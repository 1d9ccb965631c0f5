"""The message rules that need no database: templates, ad form, quiet hours, backoff, prices."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.messages import (
    KINDS,
    ad_text,
    backoff,
    carries_ad,
    is_free_number,
    is_proper_ad,
    parse_quiet,
    quiet_until,
    render,
    template_problem,
    text_type,
    won,
)

SEOUL = ZoneInfo("Asia/Seoul")


def test_render_fills_known_placeholders_only() -> None:
    assert (
        render("#{이름}님 #{적립}P #{모름}", {"이름": "김", "적립": "120"}) == "김님 120P #{모름}"
    )


def test_no_default_informational_template_carries_an_ad() -> None:
    for kind in KINDS.values():
        assert template_problem(kind, kind.template) is None, kind.code
        if kind.purpose == "info":
            assert carries_ad(kind.template) is None, kind.code


def test_an_ad_word_is_found_even_spaced() -> None:
    assert carries_ad("이번 주 특 가 행사") == "특가"
    assert template_problem(KINDS["points_earned"], "적립! 이벤트 중") == "messages.info_has_ad"
    assert template_problem(KINDS["birthday"], "생일 이벤트") is None  # an ad may


def test_ad_text_has_the_marks_once() -> None:
    text = ad_text("생일 축하드려요", "단골 카페", "080-123-4567")
    assert text == "(광고)단골 카페\n생일 축하드려요\n무료수신거부 080-123-4567"
    assert ad_text(text, "단골 카페", "080-123-4567") == text
    assert is_proper_ad(text, "단골 카페", "080-123-4567")
    assert not is_proper_ad("생일 축하드려요", "단골 카페", "080-123-4567")


def test_free_numbers() -> None:
    assert is_free_number("080-123-4567") and is_free_number("0801234567")
    assert not is_free_number("010-1234-5678") and not is_free_number("")


def test_quiet_hours_across_midnight() -> None:
    start, end = parse_quiet("21:00-08:00") or (time(0), time(0))
    late = datetime(2026, 3, 12, 22, 30, tzinfo=SEOUL)
    early = datetime(2026, 3, 13, 7, 0, tzinfo=SEOUL)
    noon = datetime(2026, 3, 13, 12, 0, tzinfo=SEOUL)
    assert quiet_until(late, start, end) == datetime(2026, 3, 13, 8, 0, tzinfo=SEOUL)
    assert quiet_until(early, start, end) == datetime(2026, 3, 13, 8, 0, tzinfo=SEOUL)
    assert quiet_until(noon, start, end) is None
    assert parse_quiet("") is None
    for bad in ("25:00-08:00", "21:00", "08:00-08:00"):
        with pytest.raises(ValueError):
            parse_quiet(bad)


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(40) == timedelta(hours=6)


def test_prices_in_whole_won_and_sms_or_lms() -> None:
    assert (won(8.4), won("13.5"), won(27.3)) == (8, 14, 27)
    assert text_type("가" * 45) == "SMS" and text_type("가" * 46) == "LMS"
