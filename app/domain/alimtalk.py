"""알림톡 templates: what they hold, and the checks a template passes before it is submitted.

Pure rules. A template belongs to one trigger kind (app.domain.messages.KINDS, plus the
two-yearly consent notice); it has a Kakao message type, a body with `#{변수}` placeholders,
up to five buttons, and the SMS/LMS text sent when the 알림톡 cannot be (not approved yet,
or not delivered). `check` returns every problem at once, each a refusal code with its
values (the sentence is the catalogue's, in both languages).

The rules encoded (Kakao's 알림톡 template review, as Solapi's and Kakao's guides state them):

* 알림톡 is informational only: no advertising word, no "(광고)", no invitation to come by
  for a coupon or a gift (`VISIT_PITCHES`); an advertising kind never goes by 알림톡.
* A notice about points, stamps or coupons carries its basis line: a line starting with "※"
  that tells why the customer receives it (their purchase, their points' validity, the
  membership terms they agreed to, the coupon they were given), e.g. "※ 이 메시지는 고객님의
  구매로 적립된 포인트 안내입니다." (Kakao's 알림톡 guide: point and coupon notices only to
  customers who agreed to the points' terms, naming that basis; its partners' 2026-04 notices:
  points only for paid purchases, coupons only for a clear act of the customer.)
* The body is at most 1,000 characters with every variable counted at its longest value;
  at most 40 variables; each `#{변수}` well formed and one the trigger fills.
* At most 5 buttons, each name at most 14 characters; a web-link button needs an http(s)
  mobile link. The channel-add button (AC) belongs to ad-bearing types and is refused.
* 부가정보형 has an extra text (at most 500 characters, no variables); 강조표기형 a title
  (at most 50 characters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from app.domain.messages import AD, AD_MARKERS, INFO, KINDS, text_type
from app.i18n import N_

# --- what a template is --------------------------------------------------------------------

BASIC: Final = "basic"  # 기본형
EXTRA: Final = "extra"  # 부가정보형
EMPHASIS: Final = "emphasis"  # 강조표기형
TEMPLATE_TYPES: Final = (BASIC, EXTRA, EMPHASIS)
# our type -> Solapi's (messageType, emphasizeType)
KAKAO_TYPES: Final = {BASIC: ("BA", "NONE"), EXTRA: ("EX", "NONE"), EMPHASIS: ("BA", "TEXT")}

# 웹링크, 앱링크, 배송조회, 봇키워드, 메시지전달 (AC 채널추가 is for ad-bearing types only)
BUTTON_TYPES: Final = ("WL", "AL", "DS", "BK", "MD")

DRAFT: Final = "draft"  # not submitted yet
REGISTERED: Final = "registered"  # 등록 (at the provider, waiting for review)
INSPECTING: Final = "inspecting"  # 검수 중
APPROVED: Final = "approved"  # 승인
REJECTED: Final = "rejected"  # 반려 (with the reason)
MISSING: Final = "missing"  # the provider knows no template under the id kept (deleted there)
STATUSES: Final = (DRAFT, REGISTERED, INSPECTING, APPROVED, REJECTED, MISSING)
# Kakao's words for them, as Solapi answers
KAKAO_STATUSES: Final = {
    "PENDING": REGISTERED,
    "INSPECTING": INSPECTING,
    "APPROVED": APPROVED,
    "REJECTED": REJECTED,
}

CONSENT_NOTICE: Final = "consent_notice"  # the two-yearly notice of consent (informational)

MAX_BODY: Final = 1000
MAX_VARIABLES: Final = 40
MAX_BUTTONS: Final = 5
MAX_BUTTON_NAME: Final = 14
MAX_EXTRA: Final = 500
MAX_EMPHASIS: Final = 50
MAX_FALLBACK_BYTES: Final = 2000  # an LMS, in EUC-KR


@dataclass(frozen=True)
class Button:
    type: str  # one of BUTTON_TYPES
    name: str
    link_mobile: str | None = None
    link_pc: str | None = None


@dataclass(frozen=True)
class Draft:
    """A template as written, before it is checked and submitted."""

    kind: str
    text: str  # the 알림톡 body with #{변수}
    fallback: str  # the SMS/LMS text with the same #{변수}
    template_type: str = BASIC
    extra: str | None = None  # 부가정보형's extra text
    emphasis_title: str | None = None  # 강조표기형's title
    buttons: tuple[Button, ...] = field(default=())


@dataclass(frozen=True)
class Problem:
    """Why a template cannot be submitted: a refusal code and its values."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)


# every refusal `check` and `submittable` give (the code is the catalogue's key)
PROBLEM_CODES: Final = (
    N_("alimtalk.empty"),
    N_("alimtalk.too_long"),
    N_("alimtalk.too_many_variables"),
    N_("alimtalk.ad_prefix"),
    N_("alimtalk.ad_word"),
    N_("alimtalk.visit_pitch"),
    N_("alimtalk.basis_missing"),
    N_("alimtalk.placeholder_malformed"),
    N_("alimtalk.placeholder_unknown"),
    N_("alimtalk.buttons_too_many"),
    N_("alimtalk.button_type"),
    N_("alimtalk.button_name"),
    N_("alimtalk.button_link"),
    N_("alimtalk.type_unknown"),
    N_("alimtalk.extra_length"),
    N_("alimtalk.extra_variables"),
    N_("alimtalk.emphasis_length"),
    N_("alimtalk.fallback_empty"),
    N_("alimtalk.fallback_too_long"),
    N_("alimtalk.fallback_ad"),
    N_("alimtalk.ad_kind"),
    N_("alimtalk.category_missing"),
    N_("alimtalk.category_format"),
)

# Kakao's template category: six digits, a group and its item (Solapi's example "003001").
# The list is the provider's (it changes); the format is all Dangol checks.
CATEGORY_FORMAT: Final = re.compile(r"[0-9]{6}")


# --- the variables each trigger fills, with their longest value -----------------------------

COMMON_VARIABLES: Final = {"상점": 30, "이름": 20}
VARIABLES: Final[dict[str, dict[str, int]]] = {
    "points_earned": {"적립": 9, "포인트": 11},
    "stamp_ready": {"보상": 30},
    "coupon_issued": {"쿠폰": 20, "기한": 7},
    "coupon_expiring": {"쿠폰": 20, "기한": 7},
    "pass_renewal": {"구독권": 30, "기한": 7},
    "points_expiring_30": {"소멸": 11, "날짜": 7},
    "points_expiring_7": {"소멸": 11, "날짜": 7},
    "birthday": {"보너스": 9},
    "winback": {"쿠폰": 20, "기한": 7},
    "campaign": {"내용": 500},
    CONSENT_NOTICE: {"동의일": 13, "동의내용": 40},
}
# kinds that tell of points, stamps or coupons: they carry the basis line
BASIS_KINDS: Final = frozenset(
    {
        "points_earned",
        "stamp_ready",
        "coupon_issued",
        "coupon_expiring",
        "pass_renewal",
        "points_expiring_30",
        "points_expiring_7",
    }
)
BASIS_WORDS: Final = (
    "적립",
    "발급",
    "지급",
    "구매",
    "결제",
    "유효기간",
    "소멸",
    "참여",
    "방문",
    "약관",  # Kakao's own example: points given under the terms the customer agreed to
    "계약",
    "동의",
)
# advertising beyond the Network Act's markers: 알림톡 may carry none of these
ALIMTALK_AD_WORDS: Final = (*AD_MARKERS, "신메뉴", "신상품", "증정", "혜택", "무료 제공")
# "come by and get it": a coupon or a gift for a visit is an invitation, not a notice
VISIT_PITCHES: Final = (
    "방문하시면",
    "방문해 주세요",
    "방문해주세요",
    "들러 주세요",
    "들러주세요",
    "오시면",
    "놀러 오세요",
    "찾아 주세요",
    "받으러 오세요",
)

_PLACEHOLDER = re.compile(r"#\{([^{}\s#]{1,20})\}")


def purpose_of(kind: str) -> str:
    """info or ad: the consent notice is informational, the others as app.domain.messages."""
    if kind == CONSENT_NOTICE:
        return INFO
    return KINDS[kind].purpose


def known_kinds() -> tuple[str, ...]:
    return (*KINDS, CONSENT_NOTICE)


def variables_of(kind: str) -> dict[str, int]:
    """Every variable the trigger fills, with its longest value (for the length check)."""
    return {**COMMON_VARIABLES, **VARIABLES.get(kind, {})}


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def malformed(text: str) -> str | None:
    """The first `#{` that does not open a well-formed placeholder (as written), or None."""
    for start in (m.start() for m in re.finditer(r"#\{", text)):
        if _PLACEHOLDER.match(text, start) is None:
            end = text.find("}", start)
            return text[start : end + 1 if 0 <= end < start + 25 else start + 12]
    return None


def longest(text: str, kind: str) -> int:
    """The body's length with every known variable at its longest value."""
    sizes = variables_of(kind)
    return len(_PLACEHOLDER.sub(lambda m: "가" * sizes.get(m.group(1), len(m.group(0))), text))


def ad_word(text: str) -> str | None:
    plain = text.replace(" ", "")
    for word in ALIMTALK_AD_WORDS:
        if word.replace(" ", "") in plain:
            return word
    return None


def visit_pitch(text: str) -> str | None:
    plain = text.replace(" ", "")
    for phrase in VISIT_PITCHES:
        if phrase.replace(" ", "") in plain:
            return phrase
    return None


def has_basis_line(text: str) -> bool:
    """A line starting with ※ that says of this message (or of the customer) why they get it:
    their purchase, the points' validity, the terms they agreed to, ..."""
    for line in text.splitlines():
        plain = line.replace(" ", "")
        about = "고객님" in plain or "이메시지는" in plain
        if plain.startswith("※") and about and any(w in plain for w in BASIS_WORDS):
            return True
    return False


def _placeholder_problems(text: str, kind: str) -> list[Problem]:
    problems: list[Problem] = []
    bad = malformed(text)
    if bad is not None:
        problems.append(Problem("alimtalk.placeholder_malformed", {"text": bad}))
    known = variables_of(kind)
    for name in dict.fromkeys(placeholders(text)):
        if name not in known:
            problems.append(Problem("alimtalk.placeholder_unknown", {"name": name}))
    return problems


def _button_problems(buttons: Sequence[Button]) -> list[Problem]:
    problems: list[Problem] = []
    if len(buttons) > MAX_BUTTONS:
        problems.append(Problem("alimtalk.buttons_too_many", {"maximum": MAX_BUTTONS}))
    for button in buttons:
        if button.type not in BUTTON_TYPES:
            problems.append(Problem("alimtalk.button_type", {"type": button.type}))
        if not button.name.strip() or len(button.name) > MAX_BUTTON_NAME:
            values = {"name": button.name, "maximum": MAX_BUTTON_NAME}
            problems.append(Problem("alimtalk.button_name", values))
        link = button.link_mobile or ""
        if button.type == "WL" and not re.match(r"https?://\S+$", link):
            problems.append(Problem("alimtalk.button_link", {"name": button.name}))
    return problems


def _type_problems(draft: Draft) -> list[Problem]:
    if draft.template_type not in TEMPLATE_TYPES:
        return [Problem("alimtalk.type_unknown", {"type": draft.template_type})]
    problems: list[Problem] = []
    if draft.template_type == EXTRA:
        extra = (draft.extra or "").strip()
        if not extra or len(extra) > MAX_EXTRA:
            problems.append(Problem("alimtalk.extra_length", {"maximum": MAX_EXTRA}))
        elif placeholders(extra) or malformed(extra):
            problems.append(Problem("alimtalk.extra_variables"))
    if draft.template_type == EMPHASIS:
        title = (draft.emphasis_title or "").strip()
        if not title or len(title) > MAX_EMPHASIS:
            problems.append(Problem("alimtalk.emphasis_length", {"maximum": MAX_EMPHASIS}))
    return problems


def _fallback_problems(draft: Draft, informational: bool) -> list[Problem]:
    text = draft.fallback
    if not text.strip():
        return [Problem("alimtalk.fallback_empty")]
    problems = _placeholder_problems(text, draft.kind)
    sized = _PLACEHOLDER.sub(
        lambda m: "가" * variables_of(draft.kind).get(m.group(1), 1), text
    ).encode("euc-kr", errors="replace")
    if len(sized) > MAX_FALLBACK_BYTES:
        values = {"maximum": MAX_FALLBACK_BYTES}
        problems.append(Problem("alimtalk.fallback_too_long", values))
    if informational and (word := ad_word(text)) is not None:
        problems.append(Problem("alimtalk.fallback_ad", {"word": word}))
    return problems


def check(draft: Draft) -> list[Problem]:
    """Every reason the template cannot be saved for its trigger or submitted (empty: fine).

    An advertising kind's template is only its SMS/LMS text (알림톡 carries no ads): its
    fallback is checked, and submitting it is refused (`alimtalk.ad_kind`)."""
    if draft.kind not in known_kinds():
        return [Problem("messages.kind_unknown", {"kind": draft.kind})]
    informational = purpose_of(draft.kind) == INFO
    if not informational:
        return _fallback_problems(draft, False)
    text = draft.text
    if not text.strip():
        return [Problem("alimtalk.empty")]
    problems = _placeholder_problems(text, draft.kind)
    names = placeholders(text)
    if len(names) > MAX_VARIABLES:
        problems.append(Problem("alimtalk.too_many_variables", {"maximum": MAX_VARIABLES}))
    length = longest(text, draft.kind)
    if length > MAX_BODY:
        problems.append(Problem("alimtalk.too_long", {"length": length, "maximum": MAX_BODY}))
    if "(광고)" in text.replace(" ", ""):
        problems.append(Problem("alimtalk.ad_prefix"))
    elif (word := ad_word(text)) is not None:
        problems.append(Problem("alimtalk.ad_word", {"word": word}))
    if (phrase := visit_pitch(text)) is not None:
        problems.append(Problem("alimtalk.visit_pitch", {"phrase": phrase}))
    if draft.kind in BASIS_KINDS and not has_basis_line(text):
        problems.append(Problem("alimtalk.basis_missing"))
    problems += _type_problems(draft)
    problems += _button_problems(draft.buttons)
    problems += _fallback_problems(draft, True)
    return problems


def category_problem(category: str | None, *, required: bool) -> Problem | None:
    """Why this category code cannot be kept or submitted: missing (only when `required`,
    as at submission: Kakao refuses a template without one) or not six digits."""
    code = (category or "").strip()
    if not code:
        return Problem("alimtalk.category_missing") if required else None
    if CATEGORY_FORMAT.fullmatch(code) is None:
        return Problem("alimtalk.category_format", {"value": code})
    return None


def submittable(kind: str) -> Problem | None:
    """Why no template of this kind goes to Kakao for review (an advertisement), or None."""
    if kind in known_kinds() and purpose_of(kind) == AD:
        return Problem("alimtalk.ad_kind", {"kind": kind})
    return None


def fallback_type(text: str) -> str:
    """SMS or LMS, as the fallback text would go."""
    return text_type(text)


# --- the defaults: frozen Korean texts, one per trigger --------------------------------------

CONSENT_NOTICE_TEXT: Final = (
    "[#{상점}] #{이름}님의 마케팅 정보 수신 동의 현황을 알려드립니다.\n"
    "동의 일자: #{동의일}\n"
    "동의 항목: #{동의내용}\n"
    "동의를 유지하시려면 따로 하실 일은 없으며, 철회를 원하시면 매장에 말씀해 주세요.\n"
    "※ 이 메시지는 정보통신망법에 따라 수신에 동의하신 고객님께 2년마다 발송되는 안내입니다."
)


# where the outbox's first texts lack a basis line Kakao accepts
DEFAULT_TEXTS: Final = {
    CONSENT_NOTICE: CONSENT_NOTICE_TEXT,
    "coupon_issued": (
        "[#{상점}] #{이름}님께 쿠폰이 발급되었습니다. 쿠폰 번호 #{쿠폰}, #{기한}까지 "
        "사용하실 수 있습니다.\n※ 이 메시지는 매장에서 고객님께 발급된 쿠폰의 안내입니다."
    ),
}


def default_draft(kind: str) -> Draft:
    """The template a trigger starts with: its text as app.domain.messages has it (or a
    fixed one where that lacks the basis line), the same words as the SMS/LMS fallback, a
    basic template without buttons."""
    text = DEFAULT_TEXTS.get(kind) or KINDS[kind].template
    return Draft(kind=kind, text=text, fallback=text)


def default_on(kind: str) -> bool:
    return True if kind == CONSENT_NOTICE else KINDS[kind].on
