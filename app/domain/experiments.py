"""Experiments: an offer tested against a holdout or a second variant (issue 19).

**Assignment** is a stable hash, so every register, every run and every later report puts a
member in the same group without storing the assignment: the first 8 bytes of
``SHA-256("<experiment id hex>:<member id hex>")`` read as a big-endian integer, modulo 10,000,
give a bucket 0–9,999; a bucket below ``treatment_percent × 100`` is group ``A`` (gets the
offer), the rest is ``B`` (the holdout, which gets nothing, or the second variant). A new
experiment has a new id, hence an independent split.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.errors import Refused
from app.domain.program import Campaign

KINDS = ("coupon", "campaign", "stamp_goal", "message")
DESIGNS = ("holdout", "variant")
MAX_DAYS = 366
BUCKETS = 10_000


def bucket(experiment_id: uuid.UUID, customer_id: uuid.UUID) -> int:
    """The member's bucket 0..9999 in this experiment (the documented hash)."""
    digest = hashlib.sha256(f"{experiment_id.hex}:{customer_id.hex}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def group_of(experiment_id: uuid.UUID, customer_id: uuid.UUID, treatment_percent: int) -> str:
    """``"A"`` (the offer) or ``"B"`` (holdout or second variant)."""
    return "A" if bucket(experiment_id, customer_id) < treatment_percent * 100 else "B"


def check_experiment(
    name: str, kind: str, design: str, treatment_percent: int, start: date, end: date
) -> str:
    """The experiment's name, trimmed; refuses what cannot be run."""
    text = (name or "").strip()
    if not text or len(text) > 100:
        raise Refused("experiment.name")
    if kind not in KINDS:
        raise Refused("experiment.kind", kind=kind, kinds=", ".join(KINDS))
    if design not in DESIGNS:
        raise Refused("experiment.design", design=design)
    if not 1 <= treatment_percent <= 99:
        raise Refused("experiment.percent")
    if end < start:
        raise Refused("experiment.dates")
    if (end - start).days + 1 > MAX_DAYS:
        raise Refused("experiment.too_long", maximum=MAX_DAYS)
    return text


# --- offers Dangol applies by itself: a campaign or a stamp goal for one group -----------------

APPLIED_KINDS = ("campaign", "stamp_goal")
MAX_MULTIPLIER = Decimal(100)
MAX_BONUS = 10_000_000
MAX_STAMP_GOAL = 100


@dataclass(frozen=True)
class CampaignOffer:
    """A group's campaign: its best multiplier (1 = none) and flat bonus points per sale."""

    multiplier: Decimal = Decimal(1)
    bonus: int = 0

    def to_json(self) -> dict[str, object]:
        return {"multiplier": str(self.multiplier), "bonus": self.bonus}


def check_campaign_offer(multiplier: Decimal | None, bonus: int | None) -> CampaignOffer:
    """A multiplier above 1 (at most 100), a bonus of whole points, or both."""
    if multiplier is not None and not (Decimal(1) < multiplier <= MAX_MULTIPLIER):
        raise Refused("experiment.multiplier", max=int(MAX_MULTIPLIER))
    if bonus is not None and not 0 <= bonus <= MAX_BONUS:
        raise Refused("experiment.bonus", max=f"{MAX_BONUS:,}")
    offer = CampaignOffer(multiplier or Decimal(1), bonus or 0)
    if offer.multiplier == 1 and offer.bonus == 0:
        raise Refused("experiment.empty_campaign")
    return offer


def check_stamp_goal(goal: int) -> int:
    if not 1 <= goal <= MAX_STAMP_GOAL:
        raise Refused("experiment.stamp_goal", max=MAX_STAMP_GOAL)
    return goal


@dataclass(frozen=True)
class AppliedExperiment:
    """An experiment whose offer the sale applies: a campaign (its name on the slip) or a stamp
    goal for the cards started in [starts, ends) to the members of each group with an offer."""

    id: uuid.UUID
    name: str
    kind: str  # campaign, stamp_goal
    treatment_percent: int
    start: date  # local, inclusive
    end: date  # local, inclusive
    starts: datetime  # the start day's local midnight (aware)
    ends: datetime  # the local midnight after the end day (aware)
    campaigns: dict[str, CampaignOffer]  # by group
    goals: dict[str, int]  # by group

    @classmethod
    def from_row(
        cls,
        id: uuid.UUID,
        name: str,
        kind: str,
        treatment_percent: int,
        start: date,
        end: date,
        offer: dict[str, object],
    ) -> AppliedExperiment | None:
        """From the stored offer JSON; None for an experiment with nothing to apply."""
        if kind not in APPLIED_KINDS:
            return None
        window = offer.get("window")
        if not isinstance(window, dict):
            return None
        campaigns: dict[str, CampaignOffer] = {}
        goals: dict[str, int] = {}
        for group in ("A", "B"):
            part = offer.get(group)
            if not isinstance(part, dict):
                continue
            campaign = part.get("campaign")
            if isinstance(campaign, dict):
                campaigns[group] = CampaignOffer(
                    Decimal(str(campaign.get("multiplier", 1))), int(campaign.get("bonus", 0))
                )
            goal = part.get("stamp_goal")
            if isinstance(goal, int):
                goals[group] = goal
        if not campaigns and not goals:
            return None
        return cls(
            id,
            name,
            kind,
            treatment_percent,
            start,
            end,
            datetime.fromisoformat(str(window["from"])),
            datetime.fromisoformat(str(window["until"])),
            campaigns,
            goals,
        )

    def group(self, customer_id: uuid.UUID) -> str:
        return group_of(self.id, customer_id, self.treatment_percent)

    def campaign_for(self, customer_id: uuid.UUID) -> Campaign | None:
        """The member's group's campaign over the experiment's days (None: no offer)."""
        offer = self.campaigns.get(self.group(customer_id)) if self.campaigns else None
        if offer is None:
            return None
        return Campaign(
            name=self.name,
            multiplier=offer.multiplier,
            bonus=offer.bonus,
            start=self.start,
            end=self.end,
            weekdays=frozenset(),
            hours=None,
            tiers=frozenset(),
        )

    def goal_for(self, customer_id: uuid.UUID) -> int | None:
        """The stamp goal of the member's cards started in the window (None: the program's)."""
        return self.goals.get(self.group(customer_id)) if self.goals else None


def experiment_campaigns(
    experiments: tuple[AppliedExperiment, ...], customer_id: uuid.UUID
) -> tuple[Campaign, ...]:
    """The campaigns of the member's groups (each still checks the sale's day)."""
    found = (e.campaign_for(customer_id) for e in experiments if e.campaigns)
    return tuple(c for c in found if c is not None)


GoalWindow = tuple[datetime, datetime, int]  # [from, until): cards started then need this goal


def goal_windows(
    experiments: tuple[AppliedExperiment, ...], customer_id: uuid.UUID
) -> tuple[GoalWindow, ...]:
    """When the member's new cards take a group's stamp goal instead of the program's."""
    windows = []
    for e in experiments:
        goal = e.goal_for(customer_id) if e.goals else None
        if goal is not None:
            windows.append((e.starts, e.ends, goal))
    return tuple(windows)


def goal_at(windows: tuple[GoalWindow, ...], moment: datetime) -> int | None:
    """The experiment's goal for a card started at this moment (the first window holding it)."""
    for starts, ends, goal in windows:
        if starts <= moment < ends:
            return goal
    return None
