"""A slip as blocks (text, label-value rows, rules, stamp marks), shared by PDF and raster."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.money import format_won
from app.domain.slip import SlipData
from app.i18n import translate

MAX_STAMP_MARKS = 30  # beyond this the marks would be too small; the count is printed instead


@dataclass(frozen=True)
class Text:
    text: str
    size: str = "body"  # title | big | body | small
    bold: bool = False
    align: str = "center"  # center | left


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    bold: bool = False
    size: str = "body"


@dataclass(frozen=True)
class Rule:
    heavy: bool = False


@dataclass(frozen=True)
class Stamps:
    filled: int
    goal: int


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


@dataclass(frozen=True)
class Qr:
    """A QR code with a line under it (the slip's "Save to Google Wallet" link)."""

    payload: str
    caption: str


Block = Text | Row | Rule | Stamps | Progress | Qr


def points_text(points: int, signed: bool = False) -> str:
    return f"{points:+,}P" if signed else f"{points:,}P"


def slip_title(slip: SlipData) -> str:
    """The document's title (also the PDF's metadata title)."""
    return translate(slip.language, "slip.title")


def local_time_text(slip: SlipData) -> str:
    at = slip.at
    weekday = translate(slip.language, "slip.weekdays").split()[at.weekday()]
    return f"{at:%Y-%m-%d}({weekday}) {at:%H:%M}"


def slip_blocks(slip: SlipData) -> list[Block]:
    """The slip from top to bottom."""
    return [
        *_header(slip),
        Rule(heavy=True),
        *_who(slip),
        Rule(),
        *_action(slip),
        Rule(),
        *(_balances(slip) if slip.pass_line is None else _pass(slip)),
        *_coupons(slip),
        *_wallet_link(slip),
        Rule(heavy=True),
        Text(slip.footer, "body"),
        Text(translate(slip.language, "slip.not_a_receipt"), "small"),
    ]


def _header(slip: SlipData) -> list[Block]:
    store = slip.store
    blocks: list[Block] = [Text(store.name, "title", bold=True)]
    if store.address:
        blocks.append(Text(store.address, "small"))
    details = [
        translate(slip.language, "slip.business_number", number=store.business_number)
        if store.business_number
        else "",
        f"☎ {store.phone}" if store.phone else "",
    ]
    if any(details):
        blocks.append(Text("  ".join(d for d in details if d), "small"))
    return blocks


def _title(slip: SlipData) -> str:
    if slip.kind in ("sale_void", "redemption_void"):
        return translate(slip.language, "slip.title_void")
    if slip.kind in ("points", "stamps", "coupon"):
        return translate(slip.language, "slip.title_use")
    if slip.kind == "pass":
        return translate(slip.language, "slip.title_pass")
    return slip_title(slip)


def _who(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [Text(_title(slip), "big", bold=True)]
    if slip.reprint:
        blocks.append(Text(translate(slip.language, "slip.reprint"), "small"))
    blocks.append(Text(local_time_text(slip), "body"))
    member = " ".join(x for x in (slip.customer_name, slip.phone_masked) if x)
    if member:
        blocks.append(Text(translate(slip.language, "slip.member", member=member), "body"))
    return blocks


def _action(slip: SlipData) -> list[Block]:
    if slip.pass_line is not None:
        line = slip.pass_line
        blocks: list[Block] = [
            Row(translate(slip.language, f"slip.pass.{line.action}"), line.plan_name, bold=True)
        ]
        if line.action == "sold":
            blocks.append(
                Row(
                    translate(slip.language, "slip.pass.price"),
                    format_won(line.price, slip.language),
                )
            )
        if line.action == "cancelled":
            blocks.append(
                Row(
                    translate(slip.language, "slip.pass.refund"),
                    format_won(line.refund, slip.language),
                )
            )
        return blocks
    if slip.kind == "sale":
        return _sale_action(slip)
    if slip.kind == "sale_void":
        return [
            Row(
                translate(slip.language, "slip.voided_purchase"),
                format_won(slip.amount, slip.language),
            ),
            Row(
                translate(slip.language, "slip.points"),
                points_text(slip.points_change, signed=True),
            ),
            Row(translate(slip.language, "slip.stamps"), f"{slip.stamps_change:+d}"),
        ]
    if slip.kind == "points":
        return [
            Row(
                translate(slip.language, "slip.points_used"),
                points_text(slip.points_change, signed=True),
                bold=True,
            )
        ]
    if slip.kind == "stamps":
        return [
            Row(translate(slip.language, "slip.stamp_reward"), slip.reward or "-", bold=True),
            Row(translate(slip.language, "slip.stamps_used"), f"{slip.stamps_change:+d}"),
        ]
    if slip.kind == "coupon":
        return [
            Row(translate(slip.language, "slip.coupon_used"), slip.coupon_used or "-", bold=True)
        ]
    return [
        Row(translate(slip.language, "slip.use_voided"), slip.coupon_used or slip.reward or "-"),
        Row(translate(slip.language, "slip.points"), points_text(slip.points_change, signed=True)),
        Row(translate(slip.language, "slip.stamps"), f"{slip.stamps_change:+d}"),
    ]


def _sale_action(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [
        Row(translate(slip.language, "slip.purchase"), format_won(slip.amount, slip.language))
    ]
    if slip.points_change or slip.stamps_change:
        blocks.append(
            Row(
                translate(slip.language, "slip.points_earned"),
                points_text(slip.points_change, signed=True),
                bold=True,
            )
        )
        if slip.campaign_points:
            blocks.append(
                Row(
                    translate(slip.language, "slip.campaign_points"),
                    points_text(slip.campaign_points, signed=True),
                )
            )
        if slip.stamps_enabled:
            blocks.append(
                Row(
                    translate(slip.language, "slip.stamps_earned"),
                    f"+{slip.stamps_change}",
                    bold=True,
                )
            )
    else:
        blocks.append(Text(translate(slip.language, "slip.below_minimum"), "small"))
    return blocks + _wallet_action(slip)


def _wallet_action(slip: SlipData) -> list[Block]:
    """A sale's wallet part (a program with cashback): paid from it, and cashback earned."""
    wallet = slip.wallet
    if wallet is None:
        return []
    blocks: list[Block] = []
    if wallet.spent:
        blocks.append(
            Row(
                translate(slip.language, "slip.wallet_spent"),
                format_won(-wallet.spent, slip.language),
            )
        )
    blocks.append(
        Row(
            translate(slip.language, "slip.cashback_earned"),
            "+" + format_won(wallet.cashback_earned, slip.language),
            bold=True,
        )
    )
    return blocks


def _wallet_balances(slip: SlipData) -> list[Block]:
    wallet = slip.wallet
    if wallet is None:
        return []
    blocks: list[Block] = [
        Row(
            translate(slip.language, "slip.cashback_balance"),
            format_won(wallet.cashback, slip.language),
            True,
        )
    ]
    if wallet.prepaid:
        blocks.append(
            Row(
                translate(slip.language, "slip.prepaid_balance"),
                format_won(wallet.prepaid, slip.language),
            )
        )
    return blocks


def _partner_lines(slip: SlipData) -> list[Block]:
    """The coalition's points of a member's sale: spent, earned, the balance after it."""
    if slip.partner_balance is None:
        return []
    lang = slip.language
    blocks: list[Block] = []
    if slip.partner_spent:
        blocks.append(
            Row(translate(lang, "slip.partner_spent"), points_text(-slip.partner_spent, True))
        )
    if slip.partner_earned:
        blocks.append(
            Row(translate(lang, "slip.partner_earned"), points_text(slip.partner_earned, True))
        )
    blocks.append(Row(translate(lang, "slip.partner_balance"), points_text(slip.partner_balance)))
    return blocks


def _balances(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [
        Row(
            translate(slip.language, "slip.points_balance"),
            points_text(slip.points),
            bold=True,
            size="big",
        )
    ]
    if slip.points_expiring_30d:
        blocks.append(
            Row(translate(slip.language, "slip.expiring"), points_text(slip.points_expiring_30d))
        )
    blocks.extend(_wallet_balances(slip))
    blocks.extend(_partner_lines(slip))
    if slip.stamps_enabled:
        blocks.append(
            Row(
                translate(slip.language, "slip.stamps"),
                f"{slip.stamps_on_card} / {slip.stamp_goal}",
                bold=True,
            )
        )
        if slip.stamp_goal <= MAX_STAMP_MARKS:
            blocks.append(Stamps(slip.stamps_on_card, slip.stamp_goal))
    if slip.stamps_enabled and slip.rewards_ready:
        blocks.append(
            Text(translate(slip.language, "slip.rewards_ready", n=slip.rewards_ready), "body", True)
        )
    blocks.extend(_tier(slip))
    return blocks


def _pass(slip: SlipData) -> list[Block]:
    """Where the pass stands after the action (instead of the points and stamps)."""
    line = slip.pass_line
    assert line is not None
    lang = slip.language
    blocks: list[Block] = [
        Row(translate(lang, "slip.pass.status"), translate(lang, f"pass.status.{line.status}")),
        Row(translate(lang, "slip.pass.period"), f"{line.start} ~ {line.end}"),
    ]
    if line.status == "active":
        blocks.append(
            Row(
                translate(lang, "slip.pass.today"),
                translate(lang, "slip.pass.uses", used=line.uses_today, n=line.uses_per_day),
                bold=True,
                size="big",
            )
        )
    return blocks


def _tier(slip: SlipData) -> list[Block]:
    if not slip.tier_name:
        return []
    blocks: list[Block] = [Row(translate(slip.language, "slip.tier"), slip.tier_name, bold=True)]
    if slip.promoted:
        blocks.append(
            Text(translate(slip.language, "slip.promoted", tier=slip.tier_name), "body", bold=True)
        )
    if slip.next_tier_name and slip.next_tier_spend:
        blocks.append(Progress(min(slip.window_spend, slip.next_tier_spend), slip.next_tier_spend))
        blocks.append(
            Text(
                translate(
                    slip.language,
                    "slip.to_next_tier",
                    tier=slip.next_tier_name,
                    won=format_won(slip.to_next_tier, slip.language),
                ),
                "small",
            )
        )
    return blocks


def _wallet_link(slip: SlipData) -> list[Block]:
    if not slip.wallet_link:
        return []
    return [Rule(), Qr(slip.wallet_link, translate(slip.language, "slip.wallet_link"))]


def coupon_text(kind: str, value: int, lang: str = "ko") -> str:
    if kind not in ("amount", "percent", "item"):
        return f"{value:,}"
    return translate(lang, f"slip.coupon.{kind}", value=f"{value:,}")


def _coupons(slip: SlipData) -> list[Block]:
    if not slip.coupons_issued:
        return []
    blocks: list[Block] = [
        Rule(),
        Text(translate(slip.language, "slip.coupons_issued"), "big", bold=True),
    ]
    for coupon in slip.coupons_issued:
        blocks.append(
            Row(coupon.code, coupon_text(coupon.kind, coupon.value, slip.language), bold=True)
        )
        blocks.append(Row("", translate(slip.language, "slip.valid_until", day=coupon.last_day)))
    return blocks
