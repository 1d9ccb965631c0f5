"""A stamp card keeps the goal and reward it was started with (issue 13, item 3)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import Refused
from app.domain.redemption import stamp_reward_to_use
from app.domain.stamp_cards import (
    CardTerms,
    StampMove,
    cards_from_balance,
    replay_stamp_cards,
    terms_timeline,
)

TEN = CardTerms(10, "아메리카노 1잔")
EIGHT = CardTerms(8, "라떼 1잔")
_keys = itertools.count()


def earn(n: int, terms: CardTerms) -> StampMove:
    return StampMove(next(_keys), n, terms)


def reward(goal: int, terms: CardTerms, key: int | None = None) -> StampMove:
    return StampMove(next(_keys) if key is None else key, -goal, terms, reward_used=True)


def test_a_card_in_progress_finishes_at_the_goal_it_was_started_with() -> None:
    moves = [earn(1, TEN), earn(1, TEN), earn(1, TEN)]
    cards = replay_stamp_cards(moves, EIGHT)  # the goal is 8 now
    assert (cards.filled, cards.current) == (3, TEN)  # 3/10, not 3/8
    moves += [earn(1, EIGHT) for _ in range(5)]  # five visits after the change
    cards = replay_stamp_cards(moves, EIGHT)
    assert (cards.filled, cards.current.goal, cards.rewards_ready) == (8, 10, 0)  # 8/10, no reward
    moves += [earn(1, EIGHT), earn(1, EIGHT)]
    cards = replay_stamp_cards(moves, EIGHT)
    assert cards.ready == (TEN,) and cards.filled == 0
    # the next card is started after the change: it has the new goal and reward
    assert cards.current == EIGHT
    assert stamp_reward_to_use(cards) == TEN  # 10 stamps for the Americano promised


def test_stamps_past_the_goal_start_the_next_card_with_the_terms_of_that_moment() -> None:
    cards = replay_stamp_cards([earn(9, TEN), earn(3, EIGHT)], EIGHT)
    assert cards.ready == (TEN,)
    assert (cards.filled, cards.current) == (2, EIGHT)
    assert cards.balance == 12


def test_a_card_not_started_gets_the_terms_in_force_now() -> None:
    cards = replay_stamp_cards([earn(10, TEN), reward(10, TEN)], EIGHT)
    assert (cards.ready, cards.filled, cards.current) == ((), 0, EIGHT)
    assert replay_stamp_cards([], EIGHT).current == EIGHT


def test_a_reward_uses_the_oldest_card_and_its_void_gives_that_card_back() -> None:
    moves = [earn(10, TEN), earn(8, EIGHT), earn(3, EIGHT)]
    cards = replay_stamp_cards(moves, EIGHT)
    assert cards.ready == (TEN, EIGHT) and cards.filled == 3
    used = reward(10, EIGHT)
    cards = replay_stamp_cards([*moves, used], EIGHT)
    assert cards.ready == (EIGHT,) and cards.filled == 3
    void = StampMove(next(_keys), 10, EIGHT, restores=used.key)
    cards = replay_stamp_cards([*moves, used, void], EIGHT)
    assert cards.ready == (TEN, EIGHT) and cards.filled == 3


def test_a_voided_sale_reopens_the_card_it_completed() -> None:
    moves = [earn(9, TEN), earn(1, EIGHT)]
    assert replay_stamp_cards(moves, EIGHT).ready == (TEN,)
    cards = replay_stamp_cards([*moves, earn(-1, EIGHT)], EIGHT)
    assert (cards.ready, cards.filled, cards.current) == ((), 9, TEN)


def test_a_reward_of_a_size_no_card_has_comes_off_the_oldest_stamps() -> None:
    # before cards kept their goal, a reward took the goal in force: 8 stamps of a 10-card
    cards = replay_stamp_cards([earn(3, TEN), earn(5, EIGHT), reward(8, EIGHT)], EIGHT)
    assert (cards.balance, cards.ready, cards.filled) == (0, (), 0)
    cards = replay_stamp_cards([earn(10, TEN), earn(3, EIGHT), reward(8, EIGHT)], EIGHT)
    assert cards.balance == 5 and cards.rewards_ready == 0


def test_no_reward_without_a_completed_card_says_the_cards_own_goal() -> None:
    cards = replay_stamp_cards([earn(3, TEN)], EIGHT)
    with pytest.raises(Refused) as refused:
        stamp_reward_to_use(cards)
    assert refused.value.params == {"balance": 3, "goal": 10}


def test_a_slip_shows_a_completed_card_full_with_its_own_goal() -> None:
    assert replay_stamp_cards([earn(10, TEN)], EIGHT).shown == (10, 10)
    assert replay_stamp_cards([earn(11, TEN)], EIGHT).shown == (1, 10)
    assert replay_stamp_cards([earn(3, TEN)], EIGHT).shown == (3, 10)
    assert replay_stamp_cards([], EIGHT).shown == (0, 8)


@pytest.mark.parametrize("seed", range(30))
def test_with_terms_that_never_changed_the_replay_is_balance_and_goal(seed: int) -> None:
    rng = random.Random(seed)
    moves: list[StampMove] = []
    balance = 0
    for _ in range(60):
        roll = rng.random()
        if roll < 0.6:
            n = rng.randint(1, 12)
        elif roll < 0.8 and balance >= TEN.goal:
            moves.append(reward(TEN.goal, TEN))
            balance -= TEN.goal
            continue
        else:
            n = -rng.randint(0, balance)
        moves.append(earn(n, TEN))
        balance += n
        assert replay_stamp_cards(moves, TEN) == cards_from_balance(balance, TEN)


@pytest.mark.parametrize("seed", range(30))
def test_the_replay_always_accounts_for_every_stamp(seed: int) -> None:
    rng = random.Random(seed)
    terms = [TEN, EIGHT, CardTerms(3, "쿠키")]
    moves: list[StampMove] = []
    balance = 0
    for _ in range(80):
        now = rng.choice(terms)
        cards = replay_stamp_cards(moves, now)
        if cards.ready and rng.random() < 0.3:
            moves.append(reward(cards.ready[0].goal, now))
            balance -= cards.ready[0].goal
        else:
            n = rng.randint(1, 9) if rng.random() < 0.75 else -rng.randint(0, balance)
            moves.append(earn(n, now))
            balance += n
        cards = replay_stamp_cards(moves, now)
        assert cards.balance == balance
        assert 0 <= cards.filled < cards.current.goal


def test_the_terms_in_force_at_a_moment() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    timeline = terms_timeline([(t0 + timedelta(days=10), EIGHT), (t0, TEN)])
    assert timeline.at(t0 - timedelta(days=1)) == TEN  # before the first version: the first
    assert timeline.at(t0 + timedelta(days=9)) == TEN
    assert timeline.at(t0 + timedelta(days=10)) == EIGHT
    assert not timeline.constant
    assert terms_timeline([(t0, TEN), (t0 + timedelta(days=1), TEN)]).constant


def test_a_goal_below_one_is_no_card() -> None:
    with pytest.raises(ValueError):
        CardTerms(0, "x")
