"""Strings of the owner's back office window (pages add theirs in text_<page>.py files)."""

TEXTS: dict[str, dict[str, str]] = {
    "backoffice.title": {"ko": "관리 — {store}", "en": "Back office — {store}"},
    "backoffice.open": {"ko": "관리", "en": "Back office"},
    "backoffice.owner_only": {
        "ko": "관리 화면은 사장님(관리자)으로 로그인해야 열 수 있습니다.",
        "en": "Sign in as an owner to open the back office.",
    },
    "backoffice.coming": {
        "ko": "이 화면은 아직 준비 중입니다.",
        "en": "This page is not ready yet.",
    },
    "page.program": {"ko": "적립 규칙", "en": "Program"},
    "page.store": {"ko": "가게 정보", "en": "Store"},
    "page.staff": {"ko": "직원", "en": "Staff"},
    "page.settings": {"ko": "설정", "en": "Settings"},
    "page.customers": {"ko": "회원", "en": "Customers"},
    "page.reports": {"ko": "리포트", "en": "Reports"},
    "page.winback": {"ko": "재방문 유도", "en": "Win-back"},
    "page.import": {"ko": "가져오기", "en": "Import"},
    "page.backups": {"ko": "백업", "en": "Backups"},
    "page.audit": {"ko": "감사 기록", "en": "Audit log"},
}
