"""A stamp card keeps its promise: the goal and reward it was started with, whatever changes later.

The ledger holds only stamp deltas; the cards are derived by replaying them in order with the
program's stamp terms (goal, reward) in force at each move:

* A card starts with its first stamp and takes the terms of that moment; stamps beyond its goal
  complete it and start the next card with the terms of the move that overflowed.
* A stamp reward uses the oldest completed card (its own goal of stamps, its own reward); a void
  of that reward gives that same card back.
* Any other removal (a voided sale, a negative adjustment, a merge) takes stamps back from the
  card in progress, reopening the latest completed card when it needs more.

With terms that never changed this is exactly balance // goal rewards and balance % goal on the
card, which is what `cards_from_balance` gives without a replay.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CardTerms:
    """What a stamp card promises: `goal` stamps earn `reward`."""

    goal: int
    reward: str

    def __post_init__(self) -> None:
        if self.goal < 1:
            raise ValueError(f"a stamp card needs a goal of at least 1, not {self.goal}")


@dataclass(frozen=True)
class StampMove:
    """One ledger entry that changes stamps, with the terms in force when it happened."""

    key: Hashable  # the entry's id
    stamps: int
    terms: CardTerms
    reward_used: bool = False  # a stamp reward redeemed (stamps < 0)
    restores: Hashable | None = None  # a void of a reward: the key of the entry it reverses


@dataclass(frozen=True)
class StampCards:
    """The completed cards waiting for their reward (oldest first) and the card being filled."""

    ready: tuple[CardTerms, ...]
    current: CardTerms  # the card in progress; when nothing is on it, the terms a new one gets
    filled: int  # stamps on the card in progress (0 <= filled < current.goal)

    @property
    def rewards_ready(self) -> int:
        return len(self.ready)

    @property
    def balance(self) -> int:
        return sum(card.goal for card in self.ready) + self.filled

    @property
    def next_reward(self) -> CardTerms | None:
        """The card a stamp reward uses now: the oldest completed one."""
        return self.ready[0] if self.ready else None

    @property
    def shown(self) -> tuple[int, int]:
        """(filled, goal) for a slip: a just-completed card shows full until its reward is used."""
        if self.filled == 0 and self.ready:
            last = self.ready[-1]
            return last.goal, last.goal
        return self.filled, self.current.goal


def cards_from_balance(balance: int, terms: CardTerms) -> StampCards:
    """The cards when every stamp was earned under the same terms."""
    balance = max(balance, 0)
    return StampCards((terms,) * (balance // terms.goal), terms, balance % terms.goal)


def replay_stamp_cards(moves: Iterable[StampMove], terms_now: CardTerms) -> StampCards:
    """The cards after these moves (in the order they happened); new cards get `terms_now`."""
    replay = _Replay()
    for move in moves:
        replay.apply(move)
    return StampCards(tuple(replay.ready), replay.current or terms_now, replay.filled)


class _Replay:
    def __init__(self) -> None:
        self.ready: list[CardTerms] = []
        self.current: CardTerms | None = None  # None: nothing on the card in progress yet
        self.filled = 0
        self.used: dict[Hashable, CardTerms] = {}  # rewards used, by entry, for their voids

    def apply(self, move: StampMove) -> None:
        if move.stamps > 0:
            restored = self.used.pop(move.restores, None) if move.restores is not None else None
            if restored is not None and restored.goal == move.stamps:
                self.ready.insert(0, restored)
            else:
                self.add(move.stamps, move.terms)
        elif move.stamps < 0 and move.reward_used:
            n = -move.stamps
            match = next((i for i, card in enumerate(self.ready) if card.goal == n), None)
            if match is not None:
                self.used[move.key] = self.ready.pop(match)
            else:
                self.take_oldest(n)
        elif move.stamps < 0:
            self.take(-move.stamps)

    def add(self, n: int, terms: CardTerms) -> None:
        if self.current is None:
            self.current = terms
        self.filled += n
        while self.current is not None and self.filled >= self.current.goal:
            self.ready.append(self.current)
            self.filled -= self.current.goal
            self.current = terms if self.filled else None

    def take(self, n: int) -> None:
        """Stamps taken back: off the card in progress, reopening completed cards if need be."""
        self.filled -= n
        while self.filled < 0 and self.ready:
            self.current = self.ready.pop()
            self.filled += self.current.goal
        if self.filled <= 0:
            self.filled, self.current = 0, None

    def take_oldest(self, n: int) -> None:
        """A reward of another size than any completed card (recorded before cards kept their
        goal): the stamps come off the oldest cards, and what is left of a card goes back on."""
        while n and self.ready:
            card = self.ready.pop(0)
            if n >= card.goal:
                n -= card.goal
            else:
                self.add(card.goal - n, card)
                n = 0
        if n:
            self.take(n)


@dataclass(frozen=True)
class TermsTimeline:
    """The stamp terms of every program version, by the moment it was put in force."""

    moments: tuple[datetime, ...]  # ascending
    terms: tuple[CardTerms, ...]

    def at(self, moment: datetime) -> CardTerms:
        """The terms in force at `moment`; before the first version, the first version's."""
        i = bisect.bisect_right(self.moments, moment) - 1
        return self.terms[max(i, 0)]

    @property
    def constant(self) -> bool:
        return len(set(self.terms)) <= 1


def terms_timeline(versions: Sequence[tuple[datetime, CardTerms]]) -> TermsTimeline:
    ordered = sorted(versions, key=lambda v: v[0])
    return TermsTimeline(tuple(m for m, _ in ordered), tuple(t for _, t in ordered))
