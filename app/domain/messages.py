"""Messages to members: the kinds, their templates, and the rules a message's text obeys.

Pure: the outbox (app/services/messages.py) queues and sends; this module says what a text
of each kind says, whether it is an advertisement, and how an advertisement must be written
(Network Act art. 50: "(광고)" first, the sender's name, a free way to opt out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

INFO: Final = "info"
AD: Final = "ad"
PURPOSES: Final = (INFO, AD)

ALIMTALK: Final = "alimtalk"
SMS: Final = "sms"  # SMS or LMS, by length
FRIENDTALK: Final = "friendtalk"
CHANNELS: Final = (ALIMTALK, SMS, FRIENDTALK)

STATUSES: Final = ("queued", "held", "sending", "sent", "failed", "fell_back", "refused")
WAITING: Final = ("queued", "held")
DONE: Final = ("sent", "failed", "fell_back", "refused")


@dataclass(frozen=True)
class Kind:
    code: str
    purpose: str
    template: str  # Korean, with #{변수} placeholders
    on: bool  # the trigger's default


# The informational kinds go by 알림톡 (SMS when it cannot); the ads by SMS/LMS only:
# 알림톡 may carry no advertisement at all.
KINDS: Final[dict[str, Kind]] = {
    k.code: k
    for k in (
        Kind(
            "points_earned",
            INFO,
            "[#{상점}] #{이름}님, #{적립}P가 적립되었습니다. 현재 포인트: #{포인트}P\n"
            "※ 이 메시지는 고객님의 멤버십 적립 내역에 따라 발송되었습니다.",
            True,
        ),
        Kind(
            "stamp_ready",
            INFO,
            "[#{상점}] #{이름}님, 스탬프를 다 모으셨어요! 다음 방문 때 '#{보상}'을 받으실 수 "
            "있습니다.\n※ 이 메시지는 고객님의 스탬프 적립 내역에 따라 발송되었습니다.",
            True,
        ),
        Kind(
            "coupon_issued",
            INFO,
            "[#{상점}] #{이름}님께 쿠폰이 발급되었습니다. 쿠폰 번호 #{쿠폰}, #{기한}까지 "
            "사용하실 수 있습니다.\n※ 이 메시지는 쿠폰을 받으신 고객님께 발송되었습니다.",
            True,
        ),
        Kind(
            "points_expiring_30",
            INFO,
            "[#{상점}] #{이름}님, 포인트 #{소멸}P가 #{날짜}에 소멸될 예정입니다.\n"
            "※ 이 메시지는 고객님의 포인트 유효기간에 따라 발송되었습니다.",
            True,
        ),
        Kind(
            "points_expiring_7",
            INFO,
            "[#{상점}] #{이름}님, 포인트 #{소멸}P가 일주일 뒤 #{날짜}에 소멸됩니다.\n"
            "※ 이 메시지는 고객님의 포인트 유효기간에 따라 발송되었습니다.",
            True,
        ),
        Kind(
            "coupon_expiring",
            INFO,
            "[#{상점}] #{이름}님, 쿠폰(#{쿠폰})은 #{기한}까지 사용하실 수 있습니다.\n"
            "※ 이 메시지는 쿠폰을 발급받으신 고객님께 사용 기한 7일 전에 발송되었습니다.",
            True,
        ),
        Kind(
            "birthday",
            AD,
            "#{이름}님, 생일 축하드려요! 생일 선물로 #{보너스}P를 드렸습니다. "
            "이번 달에 들러 주세요.",
            False,
        ),
        Kind(
            "winback",
            AD,
            "#{이름}님, 오랜만이에요! 다시 오시면 쓰실 수 있는 쿠폰(#{쿠폰})을 드렸어요. "
            "#{기한}까지 사용하실 수 있습니다.",
            False,
        ),
        # a subscription pass ends in 3 days (passes18): what the member bought, no pitch
        Kind(
            "pass_renewal",
            INFO,
            "[#{상점}] #{이름}님, 구매하신 구독권(#{구독권})이 #{기한}에 끝납니다.\n"
            "※ 이 메시지는 구독권을 구매하신 고객님께 이용 기간 종료 3일 전에 발송되었습니다.",
            True,
        ),
        # the owner's own announcement (a campaign, news of the shop) to the members chosen:
        # never automatic, sent by `announcements.announce` with the rules of every ad
        Kind("campaign", AD, "#{내용}", False),
    )
}

# Words that make a text an advertisement: an informational message may carry none of them.
AD_MARKERS: Final = ("(광고)", "광고", "이벤트", "특가", "세일", "프로모션", "수신거부", "할인행사")
MAX_TEMPLATE = 1000
_PLACEHOLDER = re.compile(r"#\{([^{}\s]{1,20})\}")
SMS_BYTES = 90  # beyond this in EUC-KR an SMS is an LMS
LMS_BYTES = 2000


def placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def render(template: str, variables: dict[str, str]) -> str:
    """#{변수} filled from `variables`; an unknown one is left as it is (the check finds it)."""
    return _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), template)


def carries_ad(text: str) -> str | None:
    """The first advertising word in the text, or None."""
    plain = text.replace(" ", "")
    for marker in AD_MARKERS:
        if marker.replace(" ", "") in plain:
            return marker
    return None


def template_problem(kind: Kind, template: str) -> str | None:
    """Why a template cannot be used for this kind (a refusal code), or None."""
    if not template.strip() or len(template) > MAX_TEMPLATE:
        return "messages.template_length"
    if kind.purpose == INFO and carries_ad(template):
        return "messages.info_has_ad"
    return None


def ad_text(body: str, store: str, optout: str) -> str:
    """An advertisement as the law wants it: "(광고)" and the store first, the free opt-out last."""
    head = f"(광고){store}"
    text = body.strip()
    if not text.startswith("(광고)"):
        text = f"{head}\n{text}"
    tail = f"무료수신거부 {optout}"
    if tail not in text:
        text = f"{text}\n{tail}"
    return text


def is_proper_ad(text: str, store: str, optout: str) -> bool:
    return text.startswith(f"(광고){store}") and f"무료수신거부 {optout}" in text


def is_free_number(number: str) -> bool:
    """A free opt-out number: 080 (toll-free) with 7 or 8 digits after it."""
    digits = re.sub(r"[\s-]", "", number)
    return bool(re.fullmatch(r"080\d{7,8}", digits))


def text_type(text: str) -> str:
    """SMS (90 bytes in EUC-KR) or LMS."""
    try:
        size = len(text.encode("euc-kr"))
    except UnicodeEncodeError:
        size = len(text.encode("utf-8"))
    return "SMS" if size <= SMS_BYTES else "LMS"


def parse_quiet(value: str) -> tuple[time, time] | None:
    """ "21:00-08:00" -> (21:00, 08:00); "" -> None (no quiet hours). ValueError when garbled."""
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if match is None:
        raise ValueError(value)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) == (h2, m2):
        raise ValueError(value)
    return time(h1, m1), time(h2, m2)


def quiet_until(local: datetime, start: time, end: time) -> datetime | None:
    """When a window [start, end) that holds the local moment ends (it may span midnight)."""
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    moment = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if moment <= local:
        moment += timedelta(days=1)
    return moment


NIGHT = (time(21, 0), time(8, 0))  # advertising at night needs its own consent

BACKOFF_FIRST = 30  # seconds
BACKOFF_MAX = 6 * 3600
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most 6 hours."""
    seconds = BACKOFF_FIRST * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, BACKOFF_MAX))


def won(amount: Decimal | float | int | str) -> int:
    """A provider's price (often fractional won, such as 8.4) to whole won, half up."""
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
