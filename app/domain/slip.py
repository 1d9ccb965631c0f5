"""What a loyalty slip says (the renderers' contract) and the printer it goes to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

DEFAULT_FOOTER = "오늘도 찾아주셔서 감사합니다 :)"


@dataclass(frozen=True)
class StoreInfo:
    name: str
    business_number: str | None = None
    address: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class IssuedCouponLine:
    code: str  # "ABCD-EFGH"
    kind: str  # amount | percent | item
    value: int
    last_day: str  # ISO date, the last day it can be used


@dataclass(frozen=True)
class PassLine:
    """A subscription pass on a slip of kind "pass": what was done and where the pass stands."""

    action: str  # sold | used | paused | resumed | cancelled
    plan_name: str
    status: str  # active | paused | cancelled | ended
    start: str  # ISO dates, local
    end: str
    uses_today: int
    uses_per_day: int
    price: int = 0  # won, on a sale
    refund: int = 0  # won, on a cancel


@dataclass(frozen=True)
class SlipWallet:
    """The wallet on a sale's slip (a program with cashback): won, after the sale."""

    cashback_earned: int = 0
    spent: int = 0  # paid from the wallet toward this sale
    cashback: int = 0  # balances after the sale
    prepaid: int = 0


@dataclass(frozen=True)
class SlipData:
    """Everything a slip shows; the renderers need nothing else (no database)."""

    action_id: uuid.UUID
    kind: str  # sale | points | stamps | coupon | sale_void | redemption_void | pass
    store: StoreInfo
    at: datetime  # local time of the action
    customer_name: str | None  # masked ("김*준")
    phone_masked: str | None
    amount: int = 0  # won of the purchase (or of the voided purchase)
    points_change: int = 0  # + earned, - used or taken back
    campaign_points: int = 0  # part of points_change from campaigns
    stamps_change: int = 0
    reward: str | None = None
    coupon_used: str | None = None
    points: int = 0  # balances after the action
    stamps: int = 0
    stamp_goal: int = 10
    stamps_enabled: bool = True
    points_expiring_30d: int = 0
    tier_name: str = ""
    next_tier_name: str | None = None
    to_next_tier: int = 0
    window_spend: int = 0
    next_tier_spend: int = 0
    promoted: bool = False
    coupons_issued: tuple[IssuedCouponLine, ...] = ()
    footer: str = DEFAULT_FOOTER
    reprint: bool = False  # later actions exist: balances are those right after this one
    language: str = "ko"  # the customer's paper: Korean unless the owner prints in English
    # the card as the customer's stamp cards say (each keeps the goal it was started with):
    # stamps on the card shown, of stamp_goal, and the rewards ready; None: from stamps / goal
    card_filled: int | None = None
    card_rewards: int | None = None
    pass_line: PassLine | None = None  # kind "pass" only: the subscription pass
    wallet: SlipWallet | None = None  # a sale under a program with cashback
    # a sale of a member of the shop's coalition (골목 제휴): partner points, after the sale
    partner_earned: int = 0
    partner_spent: int = 0
    partner_balance: int | None = None  # None: not a coalition member's sale
    # "Save to Google Wallet" for a member with no pass yet (the owner's slip_wallet_qr)
    wallet_link: str | None = None

    @property
    def stamps_on_card(self) -> int:
        """Stamps toward the next reward; a completed card shows full until the reward is used."""
        if self.card_filled is not None:
            return self.card_filled
        on_card = self.stamps % self.stamp_goal
        return self.stamp_goal if on_card == 0 and self.stamps > 0 else on_card

    @property
    def rewards_ready(self) -> int:
        if self.card_rewards is not None:
            return self.card_rewards
        return self.stamps // self.stamp_goal


@dataclass(frozen=True)
class PrinterSettings:
    kind: str = "pdf"
    width: int = 80
    device: str = ""
