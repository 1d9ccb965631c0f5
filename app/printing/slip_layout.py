"""A slip as blocks (text, label-value rows, rules, stamp marks), shared by PDF and raster."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.money import format_won
from app.domain.slip import SlipData

WEEKDAYS = "월화수목금토일"
MAX_STAMP_MARKS = 30  # beyond this the marks would be too small; the count is printed instead
SLIP_TITLE = "멤버십 적립 안내"
NOT_A_RECEIPT = "본 안내는 영수증이 아닙니다"
COUPON_KINDS = {"amount": "{value}원 할인", "percent": "{value}% 할인", "item": "상품 교환"}


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


Block = Text | Row | Rule | Stamps | Progress


def points_text(points: int, signed: bool = False) -> str:
    return f"{points:+,}P" if signed else f"{points:,}P"


def local_time_text(slip: SlipData) -> str:
    at = slip.at
    return f"{at:%Y-%m-%d}({WEEKDAYS[at.weekday()]}) {at:%H:%M}"


def slip_blocks(slip: SlipData) -> list[Block]:
    """The slip from top to bottom."""
    return [
        *_header(slip),
        Rule(heavy=True),
        *_who(slip),
        Rule(),
        *_action(slip),
        Rule(),
        *_balances(slip),
        *_coupons(slip),
        Rule(heavy=True),
        Text(slip.footer, "body"),
        Text(NOT_A_RECEIPT, "small"),
    ]


def _header(slip: SlipData) -> list[Block]:
    store = slip.store
    blocks: list[Block] = [Text(store.name, "title", bold=True)]
    if store.address:
        blocks.append(Text(store.address, "small"))
    details = [
        f"사업자 {store.business_number}" if store.business_number else "",
        f"☎ {store.phone}" if store.phone else "",
    ]
    if any(details):
        blocks.append(Text("  ".join(d for d in details if d), "small"))
    return blocks


def _title(slip: SlipData) -> str:
    if slip.kind in ("sale_void", "redemption_void"):
        return "멤버십 취소 안내"
    if slip.kind in ("points", "stamps", "coupon"):
        return "멤버십 사용 안내"
    return SLIP_TITLE


def _who(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [Text(_title(slip), "big", bold=True)]
    if slip.reprint:
        blocks.append(Text("(재발행)", "small"))
    blocks.append(Text(local_time_text(slip), "body"))
    member = " ".join(x for x in (slip.customer_name, slip.phone_masked) if x)
    if member:
        blocks.append(Text(f"{member} 님", "body"))
    return blocks


def _action(slip: SlipData) -> list[Block]:
    if slip.kind == "sale":
        return _sale_action(slip)
    if slip.kind == "sale_void":
        return [
            Row("취소한 구매", format_won(slip.amount)),
            Row("포인트", points_text(slip.points_change, signed=True)),
            Row("스탬프", f"{slip.stamps_change:+d}"),
        ]
    if slip.kind == "points":
        return [Row("포인트 사용", points_text(slip.points_change, signed=True), bold=True)]
    if slip.kind == "stamps":
        return [
            Row("스탬프 보상", slip.reward or "-", bold=True),
            Row("스탬프 사용", f"{slip.stamps_change:+d}"),
        ]
    if slip.kind == "coupon":
        return [Row("쿠폰 사용", slip.coupon_used or "-", bold=True)]
    return [
        Row("사용 취소", slip.coupon_used or slip.reward or "-"),
        Row("포인트", points_text(slip.points_change, signed=True)),
        Row("스탬프", f"{slip.stamps_change:+d}"),
    ]


def _sale_action(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [Row("구매 금액", format_won(slip.amount))]
    if slip.points_change or slip.stamps_change:
        blocks.append(Row("적립 포인트", points_text(slip.points_change, signed=True), bold=True))
        if slip.campaign_points:
            blocks.append(Row("└ 이벤트 적립", points_text(slip.campaign_points, signed=True)))
        if slip.stamps_enabled:
            blocks.append(Row("적립 스탬프", f"+{slip.stamps_change}", bold=True))
    else:
        blocks.append(Text("이번 구매는 적립 기준에 미치지 않아 적립되지 않았습니다.", "small"))
    return blocks


def _balances(slip: SlipData) -> list[Block]:
    blocks: list[Block] = [Row("포인트 잔액", points_text(slip.points), bold=True, size="big")]
    if slip.points_expiring_30d:
        blocks.append(Row("30일 내 소멸", points_text(slip.points_expiring_30d)))
    if slip.stamps_enabled:
        blocks.append(Row("스탬프", f"{slip.stamps_on_card} / {slip.stamp_goal}", bold=True))
        if slip.stamp_goal <= MAX_STAMP_MARKS:
            blocks.append(Stamps(slip.stamps_on_card, slip.stamp_goal))
    if slip.stamps_enabled and slip.rewards_ready:
        blocks.append(Text(f"스탬프 보상 {slip.rewards_ready}개 사용 가능!", "body", True))
    blocks.extend(_tier(slip))
    return blocks


def _tier(slip: SlipData) -> list[Block]:
    if not slip.tier_name:
        return []
    blocks: list[Block] = [Row("회원 등급", slip.tier_name, bold=True)]
    if slip.promoted:
        blocks.append(Text(f"축하해요! {slip.tier_name} 등급이 되었어요", "body", bold=True))
    if slip.next_tier_name and slip.next_tier_spend:
        blocks.append(Progress(min(slip.window_spend, slip.next_tier_spend), slip.next_tier_spend))
        blocks.append(
            Text(f"{slip.next_tier_name}까지 {format_won(slip.to_next_tier)} 남았어요", "small")
        )
    return blocks


def coupon_text(kind: str, value: int) -> str:
    return COUPON_KINDS.get(kind, "{value}").format(value=f"{value:,}")


def _coupons(slip: SlipData) -> list[Block]:
    if not slip.coupons_issued:
        return []
    blocks: list[Block] = [Rule(), Text("쿠폰이 발급되었어요", "big", bold=True)]
    for coupon in slip.coupons_issued:
        blocks.append(Row(coupon.code, coupon_text(coupon.kind, coupon.value), bold=True))
        blocks.append(Row("", f"{coupon.last_day}까지"))
    return blocks
