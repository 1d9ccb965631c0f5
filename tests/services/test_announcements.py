"""The owner's announcement (kind campaign) to a chosen audience, and the coupon's reminder.

Against the Solapi stand-in on 127.0.0.1, through the real SDK: an announcement reaches only
members whose SMS advertising consent stands, carries the ad's marks, is held at night, is not
queued twice for the same text on the same day; a coupon a week from its end gets one
informational reminder from the daily run, an used one none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import Message
from app.domain.errors import Refused
from app.services import announcements, customers, daily, messages, owner, redemptions
from app.services.announcements import Audience
from tests.messaging.solapi_standin import SolapiStandIn


@pytest.fixture
def shop(ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    messages.set_rules(ctx, optout="080-123-4567")
    ctx.fixed_now = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
    return ctx


def rows(ctx: Any, kind: str) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).where(Message.kind == kind)))


def test_an_announcement_reaches_only_who_agreed_with_the_marks_of_an_ad(
    shop: Any, standin: SolapiStandIn
) -> None:
    yes = customers.enroll(shop, "010-1111-2222", name="김민준", marketing_consent=True).id
    customers.enroll(shop, "010-3333-4444", name="이서연", marketing_consent=False)
    planned = announcements.plan(shop, "이번 주말 신메뉴 출시! 아메리카노 1+1")
    assert (planned.chosen, planned.queued, planned.sent) == (2, 1, False)
    assert planned.excluded == {"no_ad_consent": 1}
    assert rows(shop, "campaign") == []  # a plan writes nothing

    done = announcements.announce(shop, "이번 주말 신메뉴 출시! 아메리카노 1+1")
    assert (done.queued, done.sent) == (1, True)
    (queued,) = rows(shop, "campaign")
    assert (queued.customer_id, queued.purpose, queued.channel) == (yes, "ad", "sms")
    messages.send_due(shop)
    (taken,) = standin.accepted
    assert taken["text"].startswith("(광고)내 가게\n이번 주말 신메뉴 출시!")
    assert taken["text"].endswith("무료수신거부 080-123-4567")

    again = announcements.announce(shop, "이번 주말 신메뉴 출시! 아메리카노 1+1")
    assert again.queued == 0 and again.excluded == {"already_sent": 1, "no_ad_consent": 1}
    assert len(rows(shop, "campaign")) == 1


def test_an_announcement_at_night_is_held_until_eight(shop: Any) -> None:
    customers.enroll(shop, "010-1111-2222", name="김민준", marketing_consent=True)
    shop.fixed_now = datetime(2026, 3, 12, 13, 30, tzinfo=UTC)  # 22:30 in Seoul
    done = announcements.announce(shop, "내일 오픈 10주년 행사")
    assert (done.queued, done.night) == (1, 1)
    messages.send_due(shop)
    (held,) = rows(shop, "campaign")
    assert held.status == "held" and held.send_after == datetime(2026, 3, 12, 23, 0, tzinfo=UTC)


def test_the_audience_narrows_by_tier_visit_and_birthday(shop: Any) -> None:
    from app.services import sales

    recent = customers.enroll(shop, "010-1111-2222", marketing_consent=True, birthday="1990-03-05")
    customers.enroll(shop, "010-3333-4444", marketing_consent=True)
    sales.record_sale(shop, recent.id, 5000)
    shop.fixed_now += timedelta(days=40)
    assert announcements.plan(shop, "x", Audience(visited_within_days=60)).chosen == 1
    assert announcements.plan(shop, "x", Audience(away_days=30)).chosen == 2  # never came too
    assert announcements.plan(shop, "x", Audience(visited_within_days=10)).chosen == 0
    assert announcements.plan(shop, "x", Audience(birthday_month=3)).chosen == 1
    assert announcements.plan(shop, "x", Audience(tier="no-such-tier")).chosen == 0


@pytest.mark.parametrize(
    ("text", "audience", "code"),
    [
        ("  ", Audience(), "announce.empty"),
        ("가" * 501, Audience(), "announce.too_long"),
        ("x", Audience(birthday_month=13), "announce.bad_filter"),
        ("x", Audience(away_days=0), "announce.bad_filter"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_queued(
    shop: Any, text: str, audience: Audience, code: str
) -> None:
    customers.enroll(shop, "010-1111-2222", marketing_consent=True)
    with pytest.raises(Refused) as refused:
        announcements.announce(shop, text, audience)
    assert refused.value.code == code
    assert rows(shop, "campaign") == []


def test_no_opt_out_number_no_announcement(shop: Any) -> None:
    messages.set_rules(shop, optout="")
    customers.enroll(shop, "010-1111-2222", marketing_consent=True)
    with pytest.raises(Refused) as refused:
        announcements.announce(shop, "신메뉴")
    assert refused.value.code == "winback.no_optout"


def test_a_coupon_a_week_from_its_end_is_reminded_once_and_a_used_one_never(shop: Any) -> None:
    who = customers.enroll(shop, "010-1111-2222", name="김민준").id
    other = customers.enroll(shop, "010-3333-4444", name="이서연").id
    kept = owner.issue_coupon(shop, who, "amount", 1000, 10)
    used = owner.issue_coupon(shop, other, "amount", 1000, 10)
    redemptions.redeem_coupon(shop, other, used.code)
    daily.run_daily(shop)
    assert rows(shop, "coupon_expiring") == []  # 10 days left: not yet
    shop.fixed_now += timedelta(days=3, hours=1)
    daily.run_daily(shop)
    (reminder,) = rows(shop, "coupon_expiring")
    assert reminder.customer_id == who and reminder.purpose == "info"
    assert kept.code in reminder.text and "김민준님" in reminder.text
    shop.fixed_now += timedelta(days=1)
    daily.run_daily(shop)
    assert len(rows(shop, "coupon_expiring")) == 1
