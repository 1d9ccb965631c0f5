"""Strings of the back office's Customers page and a member's record window."""

TEXTS: dict[str, dict[str, str]] = {
    "cust.search": {
        "ko": "전화번호 · 뒤 4자리 · 이름 · 카드 번호",
        "en": "Phone · last 4 digits · name · card number",
    },
    "cust.sort": {"ko": "정렬", "en": "Sort"},
    "cust.sort.newest": {"ko": "최근 가입순", "en": "Newest first"},
    "cust.sort.oldest": {"ko": "오래된 가입순", "en": "Oldest first"},
    "cust.sort.name": {"ko": "이름순", "en": "By name"},
    "cust.tier": {"ko": "등급", "en": "Tier"},
    "cust.status": {"ko": "상태", "en": "Status"},
    "cust.marketing": {"ko": "마케팅 동의", "en": "Marketing"},
    "cust.any": {"ko": "전체", "en": "All"},
    "cust.marketing.yes": {"ko": "동의", "en": "Consented"},
    "cust.marketing.no": {"ko": "미동의", "en": "Not consented"},
    "cust.status.active": {"ko": "이용 중", "en": "Active"},
    "cust.status.withdrawn": {"ko": "탈퇴", "en": "Withdrawn"},
    "cust.status.erased": {"ko": "삭제됨", "en": "Erased"},
    "cust.status.merged": {"ko": "합쳐짐", "en": "Merged"},
    "cust.renewal": {"ko": "마케팅 동의 재확인 대상", "en": "Marketing consent due for renewal"},
    "cust.renewal_tip": {
        "ko": "마케팅 동의 후 {months}개월이 지난 회원 (2년마다 다시 확인)",
        "en": "Consent older than {months} months (renew every 2 years)",
    },
    "cust.shown": {
        "ko": "{n:,}명 표시 · 아래로 내리면 더 불러옵니다",
        "en": "{n:,} shown · scroll for more",
    },
    "cust.shown_all": {"ko": "{n:,}명 (모두 표시)", "en": "{n:,} (all shown)"},
    "cust.loading": {"ko": "불러오는 중…", "en": "Loading…"},
    "cust.open": {"ko": "회원 열기", "en": "Open member"},
    "cust.open_hint": {
        "ko": "두 번 클릭하면 회원 정보를 엽니다.",
        "en": "Double-click a member to open it.",
    },
    "cust.col.name": {"ko": "이름", "en": "Name"},
    "cust.col.phone": {"ko": "전화번호", "en": "Phone"},
    "cust.col.tier": {"ko": "등급", "en": "Tier"},
    "cust.col.points": {"ko": "포인트", "en": "Points"},
    "cust.col.stamps": {"ko": "스탬프", "en": "Stamps"},
    "cust.col.last_visit": {"ko": "최근 방문", "en": "Last visit"},
    "cust.col.enrolled": {"ko": "가입일", "en": "Enrolled"},
    "cust.col.status": {"ko": "상태", "en": "Status"},
    "cust.no_name": {"ko": "(이름 없음)", "en": "(no name)"},
    "cust.none": {"ko": "—", "en": "—"},
    # the record window
    "detail.title": {"ko": "회원 정보 — {who}", "en": "Member — {who}"},
    "detail.summary": {
        "ko": "{tier} · 포인트 {points:,}P · 스탬프 {stamps} · 가입 {enrolled}",
        "en": "{tier} · {points:,} points · {stamps} stamps · joined {enrolled}",
    },
    "detail.expiring": {
        "ko": "30일 내 소멸 예정 {points:,}P",
        "en": "{points:,}P expire within 30 days",
    },
    "detail.state": {"ko": "이 기록은 '{status}' 상태입니다.", "en": "This record is '{status}'."},
    "detail.merged_into": {
        "ko": "이 기록은 다른 회원 기록에 합쳐졌습니다.",
        "en": "This record was merged into another member.",
    },
    "detail.absorbed": {
        "ko": "합쳐진 기록 {n}개의 방문도 함께 보입니다.",
        "en": "Visits of {n} merged record(s) are shown too.",
    },
    "detail.tab.profile": {"ko": "프로필 · 동의", "en": "Profile · consents"},
    "detail.tab.ledger": {"ko": "포인트 내역", "en": "Ledger"},
    "detail.tab.tiers": {"ko": "등급 이력", "en": "Tier history"},
    "detail.tab.coupons": {"ko": "쿠폰", "en": "Coupons"},
    "detail.tab.visits": {"ko": "최근 방문", "en": "Last visits"},
    "detail.name": {"ko": "이름", "en": "Name"},
    "detail.birthday": {"ko": "생일 (YYYY-MM-DD)", "en": "Birthday (YYYY-MM-DD)"},
    "detail.phone": {"ko": "전화번호 변경", "en": "Change phone"},
    "detail.phone_hint": {
        "ko": "지금 번호: {phone} · 바꿀 때만 새 번호를 입력",
        "en": "Now: {phone} · type a new number only to change it",
    },
    "detail.marketing": {"ko": "마케팅 정보 수신 동의", "en": "Marketing messages consent"},
    "detail.program_consent": {"ko": "멤버십 동의: {at}", "en": "Membership consent: {at}"},
    "detail.marketing_consent": {"ko": "마케팅 동의: {at}", "en": "Marketing consent: {at}"},
    "detail.no_consent": {"ko": "없음", "en": "none"},
    "detail.wording": {
        "ko": "동의 문구 버전: {version}",
        "en": "Consent wording version: {version}",
    },
    "detail.cards": {"ko": "카드: {cards}", "en": "Cards: {cards}"},
    "detail.save": {"ko": "프로필 저장", "en": "Save profile"},
    "detail.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "detail.unchanged": {"ko": "바뀐 내용이 없습니다.", "en": "Nothing changed."},
    "detail.col.at": {"ko": "일시", "en": "When"},
    "detail.col.kind": {"ko": "종류", "en": "Kind"},
    "detail.col.points": {"ko": "포인트", "en": "Points"},
    "detail.col.balance": {"ko": "포인트 잔액", "en": "Points balance"},
    "detail.col.stamps": {"ko": "스탬프", "en": "Stamps"},
    "detail.col.stamp_balance": {"ko": "스탬프 잔액", "en": "Stamps balance"},
    "detail.col.reason": {"ko": "사유", "en": "Reason"},
    "detail.col.expires": {"ko": "소멸일", "en": "Expires"},
    "detail.col.from": {"ko": "이전 등급", "en": "From"},
    "detail.col.to": {"ko": "새 등급", "en": "To"},
    "detail.col.code": {"ko": "쿠폰 번호", "en": "Code"},
    "detail.col.value": {"ko": "혜택", "en": "Value"},
    "detail.col.until": {"ko": "사용 기한", "en": "Valid until"},
    "detail.col.used": {"ko": "사용", "en": "Used"},
    "detail.col.amount": {"ko": "결제 금액", "en": "Amount"},
    "detail.used.yes": {"ko": "사용함", "en": "used"},
    "detail.used.no": {"ko": "미사용", "en": "not used"},
    "detail.kind.earn": {"ko": "적립", "en": "earn"},
    "detail.kind.bonus": {"ko": "보너스", "en": "bonus"},
    "detail.kind.redeem": {"ko": "사용", "en": "redeem"},
    "detail.kind.expire": {"ko": "소멸", "en": "expire"},
    "detail.kind.adjust": {"ko": "조정", "en": "adjust"},
    "detail.kind.void": {"ko": "취소", "en": "void"},
    "detail.no_ledger": {
        "ko": "포인트·스탬프 내역이 아직 없습니다.",
        "en": "No points or stamps yet.",
    },
    "detail.merge_label": {
        "ko": "같은 사람의 다른 기록을 이 회원에 합치기 (전화번호 또는 카드 번호)",
        "en": "Merge another record of this person into this one (phone or card)",
    },
    "detail.merge": {"ko": "합치기", "en": "Merge"},
    "detail.merge_confirm": {
        "ko": (
            "'{other}' 기록을 이 회원에 합칩니다. "
            "포인트·스탬프·카드·쿠폰이 옮겨지고, 그 기록의 개인정보는 지워집니다. 계속할까요?"
        ),
        "en": (
            "Merge '{other}' into this member? Points, stamps, cards and coupons "
            "move over and that record's personal data is cleared."
        ),
    },
    "detail.merged": {
        "ko": "합쳤습니다: 포인트 {points:,}P · 스탬프 {stamps} 옮김",
        "en": "Merged: {points:,} points and {stamps} stamps moved",
    },
    "detail.export": {"ko": "개인정보 내보내기 (JSON)", "en": "Export data (JSON)"},
    "detail.export_title": {"ko": "회원 정보 내보내기", "en": "Export member data"},
    "detail.exported": {"ko": "{file} 파일로 내보냈습니다.", "en": "Exported to {file}."},
    "detail.withdraw": {"ko": "탈퇴 처리", "en": "Withdraw"},
    "detail.withdraw_confirm": {
        "ko": (
            "탈퇴 처리하면 이름·전화번호·생일이 즉시 파기되고 카드가 정지됩니다. "
            "되돌릴 수 없습니다. 계속할까요?"
        ),
        "en": (
            "Withdrawing destroys the name, phone and birthday now and "
            "stops the cards. This cannot be undone. Continue?"
        ),
    },
    "detail.erase": {"ko": "개인정보 삭제", "en": "Erase"},
    "detail.erase_confirm": {
        "ko": (
            "이 회원의 개인정보를 완전히 삭제합니다 (포인트 합계 기록은 남음). "
            "되돌릴 수 없습니다. 계속할까요?"
        ),
        "en": (
            "Erase this member's personal data for good (ledger totals "
            "stay). This cannot be undone. Continue?"
        ),
    },
    "detail.left": {"ko": "처리했습니다.", "en": "Done."},
}
