"""An experiment's campaign or stamp goal, applied by every sale to its group by itself (issue 19
item 3), on real SQLite and PostgreSQL: sales of an A and a B member during and after it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.domain.errors import Refused
from app.domain.experiments import CampaignOffer, group_of
from app.services import customers, experiments, pos, redemptions, sales
from app.services.context import Context
from tests.conftest import START

DAY = timedelta(days=1)
LAST_DAY = START.date() + timedelta(days=6)
AFTER = START + 8 * DAY


def _members(ctx: Context, n: int) -> list[uuid.UUID]:
    ctx.fixed_now = START - timedelta(days=30)
    ids = [customers.enroll(ctx, f"010-4100-{i:04d}").id for i in range(n)]
    ctx.fixed_now = START
    return ids


def _sale(ctx: Context, who: uuid.UUID, at: datetime, amount: int = 10_000) -> sales.SaleResult:
    ctx.fixed_now = at
    return sales.record_sale(ctx, who, amount, with_slip=True)


def _one_of_each(line: experiments.ExperimentLine, ids: list[uuid.UUID]) -> tuple[uuid.UUID, ...]:
    groups = {who: group_of(line.id, who, line.treatment_percent) for who in ids}
    return next(w for w in ids if groups[w] == "A"), next(w for w in ids if groups[w] == "B")


def test_a_campaign_experiment_doubles_group_as_points_only_in_its_days(ctx: Context) -> None:
    ids = _members(ctx, 20)
    line = experiments.create_experiment(
        ctx,
        "두배 적립 실험",
        "campaign",
        START.date(),
        LAST_DAY,
        campaign=CampaignOffer(Decimal(2), 0),
    )
    a, b = _one_of_each(line, ids)
    during_a = _sale(ctx, a, START + timedelta(hours=1))
    during_b = _sale(ctx, b, START + timedelta(hours=1))
    # 2 % of 10,000 won = 200 points; A's doubled under the experiment's name, B's not
    assert (during_a.points_earned, during_a.campaign_points) == (400, 200)
    assert during_a.campaigns == ("두배 적립 실험",)
    assert (during_b.points_earned, during_b.campaign_points, during_b.campaigns) == (200, 0, ())
    assert during_a.slip is not None and during_a.slip.campaign_points == 200
    assert during_b.slip is not None and during_b.slip.campaign_points == 0
    after_a = _sale(ctx, a, AFTER)
    after_b = _sale(ctx, b, AFTER)
    assert (after_a.points_earned, after_a.campaigns) == (200, ())
    assert (after_b.points_earned, after_b.campaigns) == (200, ())
    assert (after_a.points, after_b.points) == (600, 400)
    # a void gives back exactly what the sale earned, the experiment's points with it
    ctx.fixed_now = START + timedelta(hours=2)
    second = _sale(ctx, a, START + timedelta(hours=2))
    sales.void_action(ctx, str(second.sale_id))
    assert customers.customer_status(ctx, a).points == 600


def test_a_variant_gives_b_its_own_bonus_and_a_planned_one_nothing_yet(ctx: Context) -> None:
    ids = _members(ctx, 20)
    line = experiments.create_experiment(
        ctx,
        "보너스 비교",
        "campaign",
        START.date() + DAY,
        LAST_DAY,
        design="variant",
        campaign=CampaignOffer(Decimal("1.5"), 0),
        campaign_b=CampaignOffer(Decimal(1), 100),
    )
    a, b = _one_of_each(line, ids)
    before_a, before_b = _sale(ctx, a, START), _sale(ctx, b, START)
    assert (before_a.points_earned, before_b.points_earned) == (200, 200)  # not started
    during_a = _sale(ctx, a, START + DAY)
    during_b = _sale(ctx, b, START + DAY)
    assert (during_a.points_earned, during_a.campaigns) == (300, ("보너스 비교",))
    assert (during_b.points_earned, during_b.campaigns) == (300, ("보너스 비교",))
    assert (during_a.campaign_points, during_b.campaign_points) == (100, 100)


def test_a_stamp_goal_experiment_gives_a_cards_its_goal_and_they_keep_it(ctx: Context) -> None:
    ids = _members(ctx, 20)
    line = experiments.create_experiment(
        ctx, "스탬프 3개", "stamp_goal", START.date(), LAST_DAY, stamp_goal=3
    )
    a, b = _one_of_each(line, ids)
    for day in range(2):  # two visits in the experiment: A's card (goal 3) is started then
        first_a = _sale(ctx, a, START + day * DAY)
        first_b = _sale(ctx, b, START + day * DAY)
    assert (first_a.stamps_on_card, first_a.stamp_goal) == (2, 3)
    assert (first_b.stamps_on_card, first_b.stamp_goal) == (2, 10)  # the program's goal
    # after the experiment the card keeps the goal it started with: the third stamp fills it
    third_a = _sale(ctx, a, AFTER)
    third_b = _sale(ctx, b, AFTER)
    assert (third_a.rewards_ready, third_a.stamps_on_card) == (1, 0)
    assert third_b.rewards_ready == 0 and (third_b.stamps_on_card, third_b.stamp_goal) == (3, 10)
    # the next card, started after the experiment, takes the program's goal
    fourth_a = _sale(ctx, a, AFTER + DAY)
    assert (fourth_a.rewards_ready, fourth_a.stamps_on_card, fourth_a.stamp_goal) == (1, 1, 10)
    ctx.fixed_now = AFTER + DAY
    used = redemptions.redeem_stamps(ctx, a)
    assert used.stamps_used == 3 and used.stamps == 1
    with pytest.raises(Refused):
        redemptions.redeem_stamps(ctx, b)  # 4 of 10: no reward
    # the report: both came back in the days (two visits of 10,000 each); the reward used after
    # the period is not counted as the period's redemption
    ga, gb = experiments.experiment_report(ctx, "스탬프 3개").groups
    assert (ga.returned, gb.returned, ga.spend, gb.spend) == (1, 1, 20_000, 20_000)
    assert (ga.redeemed, gb.redeemed) == (0, 0)


def test_the_report_counts_the_offers_outcome_from_the_ledger(ctx: Context) -> None:
    ids = _members(ctx, 40)
    line = experiments.create_experiment(
        ctx, "재방문 실험", "campaign", START.date(), LAST_DAY, campaign=CampaignOffer(bonus=1000)
    )
    groups = {who: group_of(line.id, who, 50) for who in ids}
    in_a = [w for w in ids if groups[w] == "A"]
    in_b = [w for w in ids if groups[w] == "B"]
    came_a, came_b = in_a[:4], in_b[:1]
    for who in came_a:
        result = _sale(ctx, who, START + DAY, 12_000)
        assert result.campaign_points == 1000
    for who in came_b:
        assert _sale(ctx, who, START + DAY, 12_000).campaign_points == 0
    _sale(ctx, in_b[1], AFTER, 50_000)  # after the period: not counted
    ctx.fixed_now = START + 2 * DAY
    redemptions.redeem_points(ctx, came_a[0], 1000)  # the bonus spent: a redemption of A
    report = experiments.experiment_report(ctx, "재방문 실험")
    ga, gb = report.groups
    assert (ga.members, gb.members) == (len(in_a), len(in_b))
    assert (ga.returned, gb.returned) == (4, 1)
    assert (ga.spend, gb.spend) == (48_000, 12_000)
    assert (ga.redeemed, gb.redeemed) == (1, 0)


def test_refusals_in_words_and_nothing_made(ctx: Context) -> None:
    _members(ctx, 2)
    cases = [
        (dict(kind="message", stamp_goal=3), "experiment.offer_kind"),
        (
            dict(kind="stamp_goal", stamp_goal=3, campaign=CampaignOffer(Decimal(2), 0)),
            "experiment.offer_kind",
        ),
        (dict(kind="stamp_goal", stamp_goal=0), "experiment.stamp_goal"),
        (dict(kind="stamp_goal", stamp_goal=3, stamp_goal_b=5), "experiment.b_offer_variant_only"),
    ]
    for params, code in cases:
        kind = params.pop("kind")
        with pytest.raises(Refused) as refused:
            experiments.create_experiment(ctx, "x", kind, START.date(), LAST_DAY, **params)
        assert refused.value.code == code
    assert experiments.list_experiments(ctx) == []


def test_the_pos_door_applies_it_and_a_partial_refund_takes_back_its_share(ctx: Context) -> None:
    ids = _members(ctx, 20)
    line = experiments.create_experiment(
        ctx,
        "POS 두배",
        "campaign",
        START.date(),
        LAST_DAY,
        campaign=CampaignOffer(Decimal(2), 0),
    )
    a, b = _one_of_each(line, ids)
    ctx.fixed_now = START + timedelta(hours=1)
    sold_a = pos.post_sale(ctx, "A-1", 10_000, customer_id=a, source="api").sale
    sold_b = pos.post_sale(ctx, "B-1", 10_000, customer_id=b, source="api").sale
    assert sold_a is not None and sold_b is not None
    assert (sold_a.points_earned, sold_a.campaigns) == (400, ("POS 두배",))
    assert (sold_b.points_earned, sold_b.campaigns) == (200, ())
    # half of it back: A's points fall by half of the doubled 400, B's by half of 200
    back_a = pos.refund(ctx, "A-1", "A-1-r", 5_000)
    back_b = pos.refund(ctx, "B-1", "B-1-r", 5_000)
    assert (back_a.points_reversed, back_b.points_reversed) == (200, 100)
