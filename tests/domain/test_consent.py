"""Consent by channel and purpose, and the rules the sender follows (one test a rule)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import consent as rules
from app.domain.consent import ConsentEvent, Recipient, current_state, decide, notice_due_on
from app.domain.errors import Refused

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 in Seoul


def grant(channel: str, purpose: str, at: datetime = T0, night: bool = False) -> ConsentEvent:
    return ConsentEvent("grant", at, channel, purpose, night, source="counter")


def withdraw(channel: str, purpose: str, at: datetime, night: bool = False) -> ConsentEvent:
    return ConsentEvent("withdraw", at, channel, purpose, night, source="reply")


def member(*events: ConsentEvent, status: str = "active", program: bool = True) -> Recipient:
    return Recipient(status=status, program_consent=program, state=current_state(events))


def seoul(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SEOUL)


# --- the state is the latest event -------------------------------------------------------


def test_nothing_is_granted_before_any_event() -> None:
    state = current_state([])
    assert set(state.consents) == set(rules.ALL_KEYS)
    assert not any(c.granted for c in state.consents.values())
    assert state.last_notice_at is None


def test_a_withdrawal_is_a_new_event_and_the_latest_decides() -> None:
    later = T0 + timedelta(days=3)
    state = current_state([withdraw("sms", "ad", later), grant("sms", "ad")])  # any order given
    sms_ad = state.consents[("sms", "ad", False)]
    assert not sms_ad.granted
    assert sms_ad.granted_at == T0  # when it was given stays visible
    assert sms_ad.withdrawn_at == later
    assert sms_ad.source == "reply"
    again = current_state(
        [
            grant("sms", "ad"),
            withdraw("sms", "ad", later),
            grant("sms", "ad", later + timedelta(days=1)),
        ]
    )
    assert again.granted("sms", "ad") and again.consents[("sms", "ad", False)].withdrawn_at is None


def test_consents_are_per_channel_and_purpose() -> None:
    state = current_state([grant("alimtalk", "ad")])
    assert state.granted("alimtalk", "ad")
    assert not state.granted("sms", "ad")
    assert not state.granted("friendtalk", "ad")
    assert not state.granted("alimtalk", "ad", night=True)


def test_night_is_an_advertising_consent_only() -> None:
    with pytest.raises(Refused) as refused:
        rules.key_of("sms", "info", True)
    assert refused.value.code == "consent.night_is_ad"


def test_channel_names_as_typed() -> None:
    assert rules.channel_of(" SMS ") == "sms"
    assert rules.channel_of("lms") == "sms"  # a long text message is still a text message
    with pytest.raises(Refused) as refused:
        rules.channel_of("fax")
    assert refused.value.code == "consent.channel_unknown"
    with pytest.raises(Refused):
        rules.purpose_of("spam")
    with pytest.raises(Refused):
        rules.source_of("guess")


# --- the sending rules -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["withdrawn", "erased", "merged"])
@pytest.mark.parametrize("purpose", ["info", "ad"])
def test_a_member_who_left_receives_nothing_info_included(status: str, purpose: str) -> None:
    everything = [grant(c, p) for c in rules.CHANNELS for p in rules.PURPOSES]
    decision = decide(member(*everything, status=status), "sms", purpose, seoul(14), SEOUL)
    assert decision == rules.Decision(False, None, status)


def test_an_unknown_member_receives_nothing() -> None:
    assert decide(None, "sms", "info", seoul(14), SEOUL).reason == rules.UNKNOWN_MEMBER


def test_info_goes_to_an_active_member_with_the_program_consent() -> None:
    decision = decide(member(), "alimtalk", "info", seoul(23), SEOUL)  # info: night or day
    assert decision == rules.Decision(True, None, rules.OK)


def test_info_needs_the_program_consent() -> None:
    decision = decide(member(program=False), "alimtalk", "info", seoul(14), SEOUL)
    assert decision == rules.Decision(False, None, rules.NO_PROGRAM_CONSENT)


def test_info_withdrawn_on_a_channel_stops_it_there_only() -> None:
    m = member(withdraw("sms", "info", T0))
    assert decide(m, "sms", "info", seoul(14), SEOUL).reason == rules.INFO_WITHDRAWN
    assert decide(m, "alimtalk", "info", seoul(14), SEOUL).allowed


def test_no_ad_without_that_channels_ad_consent() -> None:
    m = member(grant("alimtalk", "ad"))
    assert decide(m, "sms", "ad", seoul(14), SEOUL) == rules.Decision(
        False, None, rules.NO_AD_CONSENT
    )
    assert decide(m, "alimtalk", "ad", seoul(14), SEOUL) == rules.Decision(True, None, rules.OK)


def test_a_withdrawn_ad_consent_stops_ads() -> None:
    m = member(grant("sms", "ad"), withdraw("sms", "ad", T0 + timedelta(hours=1)))
    assert decide(m, "sms", "ad", seoul(15), SEOUL).reason == rules.NO_AD_CONSENT


def test_an_ad_at_night_without_night_consent_is_held_until_eight() -> None:
    m = member(grant("sms", "ad"))
    evening = decide(m, "sms", "ad", seoul(22, 30), SEOUL)
    assert evening == rules.Decision(False, datetime(2026, 3, 13, 8, 0, tzinfo=SEOUL), "night_hold")
    assert evening.hold_until is not None and evening.hold_until.tzinfo == UTC
    early = decide(m, "sms", "ad", seoul(3, 15), SEOUL)
    assert early.hold_until == datetime(2026, 3, 12, 8, 0, tzinfo=SEOUL)  # the same morning


def test_an_ad_at_night_goes_with_night_consent() -> None:
    m = member(grant("sms", "ad"), grant("sms", "ad", night=True))
    assert decide(m, "sms", "ad", seoul(23), SEOUL) == rules.Decision(True, None, rules.OK)
    # night consent on one channel is not night consent on another
    m2 = member(grant("sms", "ad"), grant("alimtalk", "ad"), grant("alimtalk", "ad", night=True))
    assert decide(m2, "sms", "ad", seoul(23), SEOUL).reason == rules.NIGHT_HOLD


def test_night_consent_without_ad_consent_sends_no_ad() -> None:
    m = member(grant("sms", "ad", night=True))
    assert decide(m, "sms", "ad", seoul(23), SEOUL).reason == rules.NO_AD_CONSENT


@pytest.mark.parametrize(
    ("hour", "minute", "night"),
    [(20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (7, 59, True), (8, 0, False)],
)
def test_the_night_is_21_to_8_on_the_shops_clock(hour: int, minute: int, night: bool) -> None:
    m = member(grant("sms", "ad"))
    moment = seoul(hour, minute).astimezone(UTC)  # given in UTC, read in Seoul
    assert decide(m, "sms", "ad", moment, SEOUL).allowed is not night


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_a_held_ad_waits_for_the_next_eight_oclock(naive: datetime) -> None:
    when = naive.replace(tzinfo=UTC)
    decision = decide(member(grant("sms", "ad")), "sms", "ad", when, SEOUL)
    local = when.astimezone(SEOUL)
    assert decision.allowed is not rules.is_night(local)
    if decision.hold_until is not None:
        held = decision.hold_until.astimezone(SEOUL)
        assert (held.hour, held.minute, held.second) == (8, 0, 0)
        assert when < decision.hold_until <= when + timedelta(hours=11)
        assert not rules.is_night(held)


def test_a_naive_moment_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        decide(member(), "sms", "info", datetime(2026, 3, 12, 14), SEOUL)


# --- the two-yearly notice -------------------------------------------------------------------


def test_the_notice_is_due_two_years_after_the_ad_consent() -> None:
    state = current_state([grant("sms", "ad")])
    assert notice_due_on(state, SEOUL) == date(2028, 3, 12)


def test_no_notice_without_ad_consent() -> None:
    assert notice_due_on(current_state([grant("sms", "info")]), SEOUL) is None
    gone = current_state([grant("sms", "ad"), withdraw("sms", "ad", T0 + timedelta(days=1))])
    assert notice_due_on(gone, SEOUL) is None


def test_a_notice_sent_starts_the_two_years_again() -> None:
    sent = datetime(2028, 3, 13, 1, 0, tzinfo=UTC)
    state = current_state([grant("sms", "ad"), ConsentEvent("notice", sent)])
    assert state.last_notice_at == sent
    assert notice_due_on(state, SEOUL) == date(2030, 3, 13)


def test_the_oldest_ad_consent_sets_the_day_and_the_local_date_counts() -> None:
    late_evening = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)  # 2026-03-01 01:00 in Seoul
    state = current_state([grant("alimtalk", "ad", T0), grant("sms", "ad", late_evening)])
    assert notice_due_on(state, SEOUL) == date(2028, 3, 1)
    leap = current_state([grant("sms", "ad", datetime(2028, 2, 29, 3, 0, tzinfo=UTC))])
    assert notice_due_on(leap, SEOUL) == date(2030, 2, 28)
