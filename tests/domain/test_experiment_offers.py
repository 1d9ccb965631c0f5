"""The offer an experiment's group gets by itself (issue 19 item 3): a campaign or a stamp goal,
decided by the stable hash alone."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.earning import compute_earning
from app.domain.errors import Refused
from app.domain.experiments import (
    AppliedExperiment,
    CampaignOffer,
    check_campaign_offer,
    check_stamp_goal,
    experiment_campaigns,
    goal_at,
    goal_windows,
    group_of,
)
from app.domain.program import DEFAULT_PROGRAM

ZONE = ZoneInfo("Asia/Seoul")
START, END = date(2026, 3, 12), date(2026, 3, 25)
FROM = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # 2026-03-12 00:00 KST
UNTIL = datetime(2026, 3, 25, 15, 0, tzinfo=UTC)  # 2026-03-26 00:00 KST


def _experiment(
    experiment_id: uuid.UUID,
    kind: str = "campaign",
    percent: int = 50,
    offer_b: dict[str, object] | None = None,
) -> AppliedExperiment:
    part: dict[str, object] = (
        {"campaign": {"multiplier": "2", "bonus": 0}} if kind == "campaign" else {"stamp_goal": 4}
    )
    offer: dict[str, object] = {
        "A": part,
        "window": {"from": FROM.isoformat(), "until": UNTIL.isoformat()},
    }
    if offer_b is not None:
        offer["B"] = offer_b
    found = AppliedExperiment.from_row(experiment_id, "봄 실험", kind, percent, START, END, offer)
    assert found is not None
    return found


@settings(max_examples=200, deadline=None)
@given(st.uuids(), st.uuids(), st.integers(1, 99))
def test_the_group_is_stable_and_b_never_gets_as_offer(
    experiment_id: uuid.UUID, customer_id: uuid.UUID, percent: int
) -> None:
    experiment = _experiment(experiment_id, percent=percent)
    group = experiment.group(customer_id)
    assert group == group_of(experiment_id, customer_id, percent) == experiment.group(customer_id)
    campaigns = experiment_campaigns((experiment,), customer_id)
    goals = _experiment(experiment_id, "stamp_goal", percent)
    if group == "A":
        assert [c.multiplier for c in campaigns] == [Decimal(2)]
        assert goal_windows((goals,), customer_id) == ((FROM, UNTIL, 4),)
    else:  # the holdout gets nothing
        assert campaigns == ()
        assert goal_windows((goals,), customer_id) == ()


@settings(max_examples=100, deadline=None)
@given(st.uuids(), st.uuids())
def test_a_variant_gives_each_group_its_own_offer(
    experiment_id: uuid.UUID, customer_id: uuid.UUID
) -> None:
    experiment = _experiment(experiment_id, offer_b={"campaign": {"multiplier": 1, "bonus": 50}})
    (campaign,) = experiment_campaigns((experiment,), customer_id)
    if experiment.group(customer_id) == "A":
        assert (campaign.multiplier, campaign.bonus) == (Decimal(2), 0)
    else:
        assert (campaign.multiplier, campaign.bonus) == (Decimal(1), 50)


def test_the_campaign_earns_only_in_the_experiments_days() -> None:
    experiment = _experiment(uuid.UUID(int=7), percent=99)
    member = next(uuid.UUID(int=n) for n in range(100) if experiment.group(uuid.UUID(int=n)) == "A")
    (campaign,) = experiment_campaigns((experiment,), member)
    program = dataclasses.replace(DEFAULT_PROGRAM, campaigns=(*DEFAULT_PROGRAM.campaigns, campaign))

    def earned(moment: datetime) -> tuple[int, tuple[str, ...]]:
        local = moment.astimezone(ZONE)
        earning = compute_earning(
            program, amount=10_000, items=1, tier_code="BASIC", local_time=local
        )
        return earning.total_points, earning.campaigns

    assert earned(FROM) == (400, ("봄 실험",))  # 2 % of 10,000 doubled, under its name
    assert earned(UNTIL - timedelta(seconds=1)) == (400, ("봄 실험",))
    assert earned(UNTIL) == (200, ())
    assert earned(FROM - timedelta(seconds=1)) == (200, ())


def test_a_goal_window_holds_its_days_only() -> None:
    windows = ((FROM, UNTIL, 4),)
    assert goal_at(windows, FROM) == 4
    assert goal_at(windows, UNTIL - timedelta(microseconds=1)) == 4
    assert goal_at(windows, UNTIL) is None
    assert goal_at(windows, FROM - timedelta(microseconds=1)) is None


def test_refusals_of_an_offer() -> None:
    for multiplier in (Decimal(1), Decimal("0.5"), Decimal(101)):
        with pytest.raises(Refused) as refused:
            check_campaign_offer(multiplier, None)
        assert refused.value.code == "experiment.multiplier"
    with pytest.raises(Refused) as refused:
        check_campaign_offer(None, -1)
    assert refused.value.code == "experiment.bonus"
    with pytest.raises(Refused) as refused:
        check_campaign_offer(None, 0)
    assert refused.value.code == "experiment.empty_campaign"
    assert check_campaign_offer(Decimal("1.5"), None) == CampaignOffer(Decimal("1.5"), 0)
    assert check_campaign_offer(None, 300) == CampaignOffer(Decimal(1), 300)
    for goal in (0, 101):
        with pytest.raises(Refused) as refused:
            check_stamp_goal(goal)
        assert refused.value.code == "experiment.stamp_goal"
    assert check_stamp_goal(5) == 5


def test_an_experiment_without_an_applied_offer_is_left_out() -> None:
    window = {"from": FROM.isoformat(), "until": UNTIL.isoformat()}
    coupon = {"A": {"coupon": {"kind": "amount", "value": 1000, "days": 14}}}
    assert AppliedExperiment.from_row(uuid.uuid4(), "x", "coupon", 50, START, END, coupon) is None
    assert (
        AppliedExperiment.from_row(
            uuid.uuid4(), "x", "campaign", 50, START, END, {"window": window}
        )
        is None
    )


def test_an_offer_that_cannot_be_read_applies_nothing_and_stops_no_sale() -> None:
    from app.services.program import _applied

    good = {
        "A": {"stamp_goal": 4},
        "window": {"from": FROM.isoformat(), "until": UNTIL.isoformat()},
    }
    row = [uuid.uuid4(), "x", "stamp_goal", 50, START, END]
    assert _applied([*row, json.dumps(good)]) is not None
    for bad in ("{", "[]", '{"A": {"stamp_goal": 4}, "window": {"from": "soon"}}'):
        assert _applied([*row, bad]) is None
