"""Issue 19's rules: RFM quintiles and segments, the experiment hash, Fisher's exact test on
published tables, lunar birthdays of known years, public holidays in a campaign rule."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.domain import rfm
from app.domain.errors import Refused
from app.domain.experiments import bucket, check_experiment, group_of
from app.domain.korean_calendar import (
    is_public_holiday,
    lunar_birthdays_in_solar_year,
    lunar_to_solar,
)
from app.domain.program import DEFAULT_PROGRAM, Program
from app.domain.stats import compare, fisher_exact, fisher_greater

KST = timezone(timedelta(hours=9))

# --- RFM ---------------------------------------------------------------------------------


def test_quintile_scores_split_distinct_values_in_fifths_and_keep_ties_together() -> None:
    assert rfm.scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert rfm.scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]) == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    # recency in days: the fewest days score 5
    assert rfm.scores([0, 30, 400], reverse=True) == [4, 2, 1]
    assert rfm.scores([7]) == [1]
    with pytest.raises(ValueError):
        rfm.score(0, 5)


@pytest.mark.parametrize(
    ("r", "f", "segment"),
    [
        (5, 5, "champions"),
        (4, 4, "champions"),
        (5, 3, "potential"),
        (4, 2, "potential"),
        (5, 1, "new"),
        (3, 5, "attention"),
        (3, 1, "attention"),
        (2, 3, "at_risk"),
        (1, 5, "at_risk"),
        (2, 2, "dormant"),
        (1, 1, "dormant"),
    ],
)
def test_the_documented_segment_mapping(r: int, f: int, segment: str) -> None:
    assert rfm.segment_of(r, f) == segment


def test_every_score_pair_has_a_known_segment() -> None:
    found = {rfm.segment_of(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert found == set(rfm.SEGMENTS)


# --- experiments ---------------------------------------------------------------------------

EXPERIMENT = uuid.UUID("0190a000-0000-7000-8000-000000000001")


def test_assignment_is_the_documented_hash_and_stable() -> None:
    member = uuid.UUID("0190a000-0000-7000-8000-0000000000aa")
    import hashlib

    digest = hashlib.sha256(f"{EXPERIMENT.hex}:{member.hex}".encode()).digest()
    assert bucket(EXPERIMENT, member) == int.from_bytes(digest[:8], "big") % 10_000
    assert bucket(EXPERIMENT, member) == 3452  # pinned: a change of the hash breaks reports
    assert {group_of(EXPERIMENT, member, 50) for _ in range(5)} == {"A"}
    assert group_of(EXPERIMENT, member, 35) == "A"  # bucket 3452 < 3500
    assert group_of(EXPERIMENT, member, 34) == "B"  # bucket 3452 >= 3400


def test_the_split_follows_the_percentage_and_differs_between_experiments() -> None:
    members = [uuid.UUID(int=i * 7919 + 13) for i in range(4000)]
    in_a = sum(group_of(EXPERIMENT, m, 30) == "A" for m in members)
    assert 1080 <= in_a <= 1320  # 30 % of 4,000, within about 4 standard deviations
    other = uuid.UUID("0190a000-0000-7000-8000-000000000002")
    same = sum(group_of(EXPERIMENT, m, 50) == group_of(other, m, 50) for m in members)
    assert 1800 <= same <= 2200  # independent splits agree about half the time


def test_an_experiment_that_cannot_run_is_refused() -> None:
    day = date(2026, 3, 1)
    assert check_experiment(" 쿠폰 테스트 ", "coupon", "holdout", 50, day, day) == "쿠폰 테스트"
    for args, code in (
        (("", "coupon", "holdout", 50, day, day), "experiment.name"),
        (("x", "lottery", "holdout", 50, day, day), "experiment.kind"),
        (("x", "coupon", "abtest", 50, day, day), "experiment.design"),
        (("x", "coupon", "holdout", 100, day, day), "experiment.percent"),
        (("x", "coupon", "holdout", 50, day, day - timedelta(days=1)), "experiment.dates"),
        (("x", "coupon", "holdout", 50, day, day + timedelta(days=400)), "experiment.too_long"),
    ):
        with pytest.raises(Refused) as refused:
            check_experiment(*args)
        assert refused.value.code == code


# --- Fisher's exact test on published tables -----------------------------------------------


def test_fisher_on_the_lady_tasting_tea() -> None:
    # Fisher (1935): 3 of 4 cups right each way; two-sided p = 17/35, one-sided 17/70
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(17 / 35, rel=1e-12)
    assert fisher_greater(3, 1, 1, 3) == pytest.approx(17 / 70, rel=1e-12)


@pytest.mark.parametrize(
    ("table", "p"),
    [
        ((1, 9, 11, 3), 0.002759456185220),  # Wikipedia's worked example (men/women dieting)
        ((6, 2, 1, 4), 0.102564102564103),  # SciPy's documentation example (= 4/39)
        ((8, 2, 1, 5), 0.034965034965035),  # R's fisher.test, same margins as scipy's second
        ((0, 5, 5, 0), 0.007936507936508),  # the most extreme 5 vs 5: 2 / C(10, 5)
        ((10, 10, 10, 10), 1.0),
    ],
)
def test_fisher_two_sided_values(table: tuple[int, int, int, int], p: float) -> None:
    assert fisher_exact(*table) == pytest.approx(p, rel=1e-9)


def test_fisher_is_symmetric_and_exact_on_large_counts() -> None:
    assert fisher_exact(12, 5, 3, 9) == pytest.approx(fisher_exact(9, 3, 5, 12), rel=1e-12)
    # between the normal approximation without (0.0123) and with Yates's correction (0.0141)
    assert 0.0123 < fisher_exact(300, 700, 250, 750) <= 0.0141


def test_the_verdict_says_when_the_sample_is_too_small() -> None:
    assert compare(10, 8, 10, 2).verdict == "too_small"  # p = 0.023, but ten a group
    assert compare(200, 60, 200, 30).verdict == "different"
    assert compare(200, 40, 200, 38).verdict == "no_difference"
    assert compare(200, 0, 200, 1).verdict == "too_small"  # one outcome in all
    assert compare(200, 60, 200, 30).difference_points == pytest.approx(15.0)


# --- the Korean calendar -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lunar", "solar"),
    [
        ((2024, 1, 1), date(2024, 2, 10)),  # 설날
        ((2025, 1, 1), date(2025, 1, 29)),
        ((2026, 1, 1), date(2026, 2, 17)),
        ((2024, 8, 15), date(2024, 9, 17)),  # 추석
        ((2025, 8, 15), date(2025, 10, 6)),
        ((2026, 8, 15), date(2026, 9, 25)),
        ((2026, 4, 8), date(2026, 5, 24)),  # 부처님오신날
    ],
)
def test_lunar_dates_of_known_years(lunar: tuple[int, int, int], solar: date) -> None:
    assert lunar_to_solar(*lunar) == solar


def test_a_lunar_birthday_falls_on_that_years_solar_date() -> None:
    born = date(1990, 8, 15)  # month and day read as lunar
    assert lunar_birthdays_in_solar_year(born, 2024) == [date(2024, 9, 17)]
    assert lunar_birthdays_in_solar_year(born, 2026) == [date(2026, 9, 25)]
    # a lunar 12/20 falls in the solar year after its lunar year began
    assert lunar_birthdays_in_solar_year(date(1990, 12, 20), 2026) == [date(2026, 2, 7)]
    # a lunar 30th in a year whose month has 29 days: the 29th
    assert lunar_to_solar(2026, 5, 30) is None
    assert lunar_birthdays_in_solar_year(date(1990, 5, 30), 2026) == [lunar_to_solar(2026, 5, 29)]


def test_public_holidays() -> None:
    assert is_public_holiday(date(2026, 9, 25))  # 추석
    assert is_public_holiday(date(2026, 3, 2))  # 삼일절's substitute holiday
    assert not is_public_holiday(date(2026, 9, 28))


def _holiday_campaign(on_holidays: str | None) -> Program:
    document = DEFAULT_PROGRAM.to_json()
    campaign: dict[str, object] = {
        "name": "명절 더블",
        "multiplier": 2,
        "bonus": 0,
        "start": "2026-09-01",
        "end": "2026-09-30",
    }
    if on_holidays is not None:
        campaign["holidays"] = on_holidays
    document["campaigns"] = [campaign]
    return Program.from_json(document)


def test_holidays_in_a_campaign_rule() -> None:
    chuseok = datetime(2026, 9, 25, 12, tzinfo=KST)
    monday = datetime(2026, 9, 28, 12, tzinfo=KST)
    only = _holiday_campaign("only").campaigns[0]
    never = _holiday_campaign("except").campaigns[0]
    plain = _holiday_campaign(None).campaigns[0]
    assert only.applies(chuseok, "BASIC") and not only.applies(monday, "BASIC")
    assert never.applies(monday, "BASIC") and not never.applies(chuseok, "BASIC")
    assert plain.applies(chuseok, "BASIC") and plain.applies(monday, "BASIC")
    # UTC on the evening before is already the holiday in Seoul: the local date decides
    assert only.applies(datetime(2026, 9, 24, 16, tzinfo=UTC).astimezone(KST), "BASIC")
    assert Program.from_json(_holiday_campaign("only").to_json()) == _holiday_campaign("only")
    assert "holidays" not in _holiday_campaign(None).to_json()["campaigns"][0]  # type: ignore[index]
    with pytest.raises(Refused) as refused:
        _holiday_campaign("sometimes")
    assert refused.value.code == "program.campaign_holidays"
