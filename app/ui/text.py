"""Every string of the windows, in Korean (the default) and English."""

from __future__ import annotations

from app.domain.errors import Refused
from app.i18n import explain

TEXTS: dict[str, dict[str, str]] = {
    "app.title": {"ko": "단골 — {store}", "en": "Dangol — {store}"},
    "search.placeholder": {
        "ko": "전화번호 · 뒤 4자리 · 이름 · 카드 스캔",
        "en": "Phone · last 4 digits · name · scan a card",
    },
    "search.hint": {
        "ko": "Enter 찾기 · Esc 지우기 · F2 적립 · F3 포인트 사용 · F4 스탬프 보상 · F6 출력 · F9 가입",
        "en": "Enter find · Esc clear · F2 sale · F3 use points · F4 stamp reward · F6 print · F9 enroll",
    },
    "search.none": {"ko": "'{query}' 회원이 없습니다.", "en": "No member matches '{query}'."},
    "search.many": {
        "ko": "{n}명이 있습니다. ↑↓로 고르고 Enter를 누르세요.",
        "en": "{n} members match. Pick one with ↑↓ and Enter.",
    },
    "search.enroll_offer": {"ko": "이 번호로 가입 (F9)", "en": "Enroll this number (F9)"},
    "scan.read": {"ko": "카드를 읽었습니다.", "en": "Card read."},
    "action.sale": {"ko": "적립", "en": "Sale"},
    "action.redeem": {"ko": "포인트 사용", "en": "Use points"},
    "action.stamps": {"ko": "스탬프 보상", "en": "Stamp reward"},
    "action.coupon": {"ko": "쿠폰 사용", "en": "Use coupon"},
    "action.void": {"ko": "직전 취소", "en": "Void last"},
    "action.print": {"ko": "영수증 출력", "en": "Print slip"},
    "action.enroll": {"ko": "신규 가입", "en": "Enroll"},
    "action.clear": {"ko": "지우기", "en": "Clear"},
    "action.undo": {"ko": "되돌리기", "en": "Undo"},
    "action.reveal": {"ko": "번호 보기", "en": "Show number"},
    "panel.empty": {
        "ko": "회원을 찾으면 여기에 포인트와 스탬프가 보입니다.",
        "en": "Find a member to see their points and stamps here.",
    },
    "panel.points": {"ko": "포인트", "en": "Points"},
    "panel.expiring": {"ko": "30일 내 소멸 {points}", "en": "{points} expire within 30 days"},
    "panel.stamps": {"ko": "스탬프 {n}/{goal}", "en": "Stamps {n}/{goal}"},
    "panel.rewards": {"ko": "보상 {n}개 사용 가능", "en": "{n} reward(s) ready"},
    "panel.next_tier": {"ko": "{tier}까지 {won}", "en": "{won} to {tier}"},
    "panel.top_tier": {"ko": "최고 등급", "en": "Top tier"},
    "panel.coupons": {"ko": "쿠폰", "en": "Coupons"},
    "panel.no_coupons": {"ko": "사용 가능한 쿠폰 없음", "en": "No coupons"},
    "panel.birthday": {"ko": "🎂 이번 달 생일", "en": "🎂 Birthday this month"},
    "panel.visits": {"ko": "최근 방문", "en": "Last visits"},
    "panel.no_visits": {"ko": "아직 방문 기록 없음", "en": "No visits yet"},
    "panel.full_phone": {"ko": "전체 번호: {phone}", "en": "Full number: {phone}"},
    "sale.title": {"ko": "구매 적립", "en": "Record a sale"},
    "sale.amount": {"ko": "결제 금액 (원)", "en": "Amount paid (won)"},
    "sale.items": {"ko": "수량 (스탬프)", "en": "Items (stamps)"},
    "sale.preview": {
        "ko": "예상 적립 {points}P · 스탬프 +{stamps}",
        "en": "Earns {points}P · stamps +{stamps}",
    },
    "redeem.title": {"ko": "포인트 사용", "en": "Use points"},
    "redeem.points": {"ko": "사용할 포인트", "en": "Points to use"},
    "redeem.rules": {
        "ko": "보유 {balance}P · 최소 {minimum}P · {unit}P 단위",
        "en": "Balance {balance}P · minimum {minimum}P · in steps of {unit}P",
    },
    "redeem.all": {"ko": "모두 사용 ({points}P)", "en": "Use all ({points}P)"},
    "coupon.title": {"ko": "쿠폰 사용", "en": "Use a coupon"},
    "coupon.pick": {"ko": "사용할 쿠폰을 고르세요.", "en": "Pick the coupon to use."},
    "enroll.title": {"ko": "신규 가입", "en": "Enroll a member"},
    "enroll.phone": {"ko": "휴대폰 번호", "en": "Mobile number"},
    "enroll.name": {"ko": "이름 (선택)", "en": "Name (optional)"},
    "enroll.birthday": {"ko": "생일 (선택, YYYY-MM-DD)", "en": "Birthday (optional, YYYY-MM-DD)"},
    "enroll.program_consent": {
        "ko": "[필수] 멤버십 개인정보 수집·이용에 동의합니다",
        "en": "[Required] I agree to the membership data use",
    },
    "enroll.marketing_consent": {
        "ko": "[선택] 마케팅 정보 수신에 동의합니다",
        "en": "[Optional] I agree to receive marketing messages",
    },
    "enroll.consent_needed": {
        "ko": "멤버십 가입에는 필수 동의가 필요합니다.",
        "en": "The required consent is needed to join.",
    },
    "void.title": {"ko": "직전 거래 취소", "en": "Void the last action"},
    "void.question": {"ko": "이 거래를 취소할까요?\n{what}", "en": "Void this?\n{what}"},
    "void.nothing": {"ko": "취소할 거래가 없습니다.", "en": "Nothing to void."},
    "ok": {"ko": "확인", "en": "OK"},
    "cancel": {"ko": "취소", "en": "Cancel"},
    "done.sale": {"ko": "+{points}P · 스탬프 {n}/{goal}", "en": "+{points}P · stamps {n}/{goal}"},
    "done.sale_points": {"ko": "+{points}P 적립", "en": "+{points}P earned"},
    "done.promoted": {"ko": " · {tier} 등급으로 상승!", "en": " · now {tier}!"},
    "done.redeem": {
        "ko": "-{points}P 사용 · 잔액 {balance}P",
        "en": "-{points}P used · balance {balance}P",
    },
    "done.stamps": {"ko": "스탬프 보상: {reward}", "en": "Stamp reward: {reward}"},
    "done.coupon": {"ko": "쿠폰 {code} 사용", "en": "Coupon {code} used"},
    "done.void": {
        "ko": "취소했습니다 ({points:+d}P, 스탬프 {stamps:+d})",
        "en": "Voided ({points:+d}P, stamps {stamps:+d})",
    },
    "done.enroll": {"ko": "가입 완료 · {phone}", "en": "Enrolled · {phone}"},
    "signin.title": {"ko": "직원 로그인", "en": "Staff sign-in"},
    "signin.who": {"ko": "누구세요?", "en": "Who is at the counter?"},
    "signin.pin": {"ko": "PIN", "en": "PIN"},
    "signin.button": {"ko": "로그인", "en": "Sign in"},
    "signin.no_pin": {
        "ko": "PIN이 아직 없습니다. 처음 쓸 PIN(4~8자리)을 입력하세요.",
        "en": "No PIN yet: enter the PIN (4–8 digits) to use from now on.",
    },
    "signin.owner_needed": {"ko": "사장님 확인", "en": "Owner approval"},
    "signin.owner_pin": {"ko": "사장님 PIN을 입력하세요.", "en": "Enter an owner's PIN."},
    "status.signed_in": {"ko": "{name} ({role})", "en": "{name} ({role})"},
    "role.owner": {"ko": "관리자", "en": "owner"},
    "role.cashier": {"ko": "직원", "en": "cashier"},
    "menu.signout": {"ko": "로그아웃", "en": "Sign out"},
    "menu.display": {"ko": "고객용 화면", "en": "Customer display"},
    "menu.language": {"ko": "English", "en": "한국어"},
    "demo.question": {
        "ko": "처음 실행입니다. 연습용 데모 가게(회원 200명)를 만들까요?",
        "en": "First start. Create a demo shop (200 members) to practise with?",
    },
    "display.welcome": {"ko": "어서 오세요!", "en": "Welcome!"},
    "display.hello": {"ko": "{name}님, 반갑습니다", "en": "Hello, {name}"},
    "display.member": {"ko": "회원님, 반갑습니다", "en": "Hello!"},
    "camera.none": {
        "ko": "카메라가 없거나 카메라 기능을 쓸 수 없습니다.",
        "en": "No camera, or the camera libraries are missing.",
    },
    "camera.scan": {"ko": "카메라로 스캔", "en": "Scan with camera"},
    "error.unexpected": {
        "ko": "처리하지 못했습니다: {error}. 다시 시도하세요.",
        "en": "That did not work: {error}. Please try again.",
    },
    "busy": {"ko": "처리 중…", "en": "Working…"},
}


def _merge_area_catalogs() -> None:
    """Each area of the windows may keep its strings in app/ui/text_*.py (a TEXTS dict)."""
    import importlib
    import pkgutil

    import app.ui

    for info in pkgutil.iter_modules(app.ui.__path__):
        if info.name.startswith("text_"):
            TEXTS.update(importlib.import_module(f"app.ui.{info.name}").TEXTS)


_merge_area_catalogs()
_language = "ko"


def set_language(lang: str) -> None:
    global _language
    _language = lang if lang in ("ko", "en") else "ko"


def language() -> str:
    return _language


def t(key: str, **params: object) -> str:
    texts = TEXTS[key]
    return (texts.get(_language) or texts["en"]).format(**params)


def refusal(error: Refused) -> str:
    return explain(error, _language)


def won(amount: int) -> str:
    return f"{amount:,}원" if _language == "ko" else f"₩{amount:,}"
