"""Strings of the Reports, Win-back and Import pages of the back office."""

TEXTS: dict[str, dict[str, str]] = {
    # reports
    "reports.from": {"ko": "시작 월", "en": "From"},
    "reports.to": {"ko": "끝 월", "en": "To"},
    "reports.show": {"ko": "보기", "en": "Show"},
    "reports.last12": {"ko": "최근 12개월", "en": "Last 12 months"},
    "reports.pdf": {"ko": "PDF로 저장", "en": "Save as PDF"},
    "reports.csv": {"ko": "CSV로 저장", "en": "Save as CSV"},
    "reports.saved": {"ko": "저장했습니다: {file}", "en": "Saved: {file}"},
    "reports.loading": {"ko": "불러오는 중…", "en": "Loading…"},
    "reports.members": {"ko": "회원 수", "en": "Members"},
    "reports.new_members": {"ko": "신규 회원", "en": "New members"},
    "reports.active": {"ko": "활동 회원", "en": "Active members"},
    "reports.visits": {"ko": "방문", "en": "Visits"},
    "reports.average_spend": {"ko": "방문당 평균 결제", "en": "Average spend a visit"},
    "reports.frequency": {"ko": "활동 회원 월 방문", "en": "Visits per active member a month"},
    "reports.frequency_value": {"ko": "{n}회", "en": "{n}"},
    "reports.redemption_rate": {"ko": "포인트 사용률", "en": "Redemption rate"},
    "reports.liability": {"ko": "미사용 포인트(부채)", "en": "Outstanding points (liability)"},
    "reports.points": {
        "ko": "포인트 적립 / 사용 / 소멸",
        "en": "Points issued / redeemed / expired",
    },
    "reports.points_value": {
        "ko": "{issued} / {redeemed} / {expired}",
        "en": "{issued} / {redeemed} / {expired}",
    },
    "reports.chart_members": {"ko": "월별 신규·활동 회원", "en": "New and active members by month"},
    "reports.chart_visits": {"ko": "월별 방문", "en": "Visits by month"},
    "reports.chart_points": {"ko": "월별 포인트", "en": "Points by month"},
    "reports.chart_tiers": {"ko": "등급별 회원 ({month})", "en": "Members by tier ({month})"},
    "reports.members_total": {"ko": "회원 수", "en": "Members"},
    "reports.issued": {"ko": "적립", "en": "Issued"},
    "reports.redeemed": {"ko": "사용", "en": "Redeemed"},
    "reports.expired": {"ko": "소멸", "en": "Expired"},
    "reports.cohorts": {"ko": "가입 월별 재방문율", "en": "Retention by enrollment month"},
    "reports.cohort_month": {"ko": "가입 월", "en": "Enrolled"},
    "reports.cohort_size": {"ko": "인원", "en": "Members"},
    "reports.cohort_offset": {"ko": "+{n}개월", "en": "+{n} mo"},
    "reports.cohort_how": {
        "ko": "인원: 그 달에 가입한 회원 수(그 달의 신규 회원 수와 같으며, 이후 탈퇴·삭제되었거나 다른 회원으로 병합된 회원도 포함). "
        "+n개월: 그중 가입 n개월 뒤의 달에 한 번 이상 구매한 회원의 비율.",
        "en": "Members: everyone who enrolled that month (the month's new members, including "
        "those since withdrawn, erased or merged into another record). +n mo: the share of "
        "them who bought at least once in the n-th month after the one they enrolled in.",
    },
    "reports.churn": {
        "ko": "월 이탈률 {churn}% · 예상 유지 기간 {months}개월",
        "en": "Monthly churn {churn}% · expected stay {months} months",
    },
    "reports.clv": {"ko": "예상 고객 생애 가치 {won}", "en": "Estimated lifetime value {won}"},
    "reports.clv_how": {
        "ko": "활동 회원 한 명의 월평균 결제({monthly}) × "
        "예상 유지 기간(1 ÷ 월 이탈률, 최대 60개월). "
        "월 이탈률은 한 달에 활동한 회원 중 다음 달에 오지 않은 비율의 기간 평균입니다.",
        "en": "An active member's average monthly spend ({monthly}) × expected stay "
        "(1 ÷ monthly churn, at most 60 months). Churn is the share of a month's active "
        "members who did not come back the month after, over the period.",
    },
    "reports.top": {
        "ko": "우수 고객 (기간 결제액 순)",
        "en": "Top customers (spend in the period)",
    },
    "reports.top_name": {"ko": "이름", "en": "Name"},
    "reports.top_phone": {"ko": "전화번호", "en": "Phone"},
    "reports.top_spend": {"ko": "결제액", "en": "Spend"},
    "reports.top_visits": {"ko": "방문", "en": "Visits"},
    "reports.campaigns": {
        "ko": "캠페인 성과 (직전 같은 요일 기간 대비)",
        "en": "Campaigns against the weeks before",
    },
    "reports.campaign_name": {"ko": "캠페인", "en": "Campaign"},
    "reports.campaign_period": {"ko": "기간 (비교 기간)", "en": "Period (compared with)"},
    "reports.campaign_sales": {"ko": "매출", "en": "Sales"},
    "reports.campaign_visits": {"ko": "방문", "en": "Visits"},
    "reports.campaign_points": {"ko": "적립 포인트", "en": "Points earned"},
    "reports.campaign_cell": {
        "ko": "{during} ({before}, {change})",
        "en": "{during} ({before}, {change})",
    },
    "reports.no_campaigns": {
        "ko": "시작된 캠페인이 없습니다.",
        "en": "No campaign has started yet.",
    },
    "reports.unnamed": {"ko": "(이름 없음)", "en": "(no name)"},
    # win-back
    "winback.days": {"ko": "마지막 방문 후", "en": "No visit for"},
    "winback.days_suffix": {"ko": "일 넘은 회원", "en": "days or more"},
    "winback.find": {"ko": "찾기", "en": "Find"},
    "winback.summary": {
        "ko": "{n}명 · 마케팅 수신 동의 {consent}명 · 탈퇴 {withdrawn}명 제외",
        "en": "{n} members · {consent} accept marketing · {withdrawn} withdrawn left out",
    },
    "winback.shown": {
        "ko": "결제액이 큰 {shown}명을 표시합니다.",
        "en": "Showing the {shown} biggest spenders.",
    },
    "winback.name": {"ko": "이름", "en": "Name"},
    "winback.phone": {"ko": "전화번호", "en": "Phone"},
    "winback.last_visit": {"ko": "마지막 방문", "en": "Last visit"},
    "winback.total": {"ko": "총 결제액", "en": "Total spend"},
    "winback.visits": {"ko": "방문", "en": "Visits"},
    "winback.average": {"ko": "방문당 평균", "en": "Average a visit"},
    "winback.marketing": {"ko": "수신 동의", "en": "Marketing"},
    "winback.yes": {"ko": "예", "en": "yes"},
    "winback.no": {"ko": "아니오", "en": "no"},
    "winback.coupon_box": {"ko": "재방문 쿠폰 보내기", "en": "Come-back coupon"},
    "winback.kind": {"ko": "종류", "en": "Kind"},
    "winback.kind_amount": {"ko": "금액 할인(원)", "en": "Amount off (won)"},
    "winback.kind_percent": {"ko": "비율 할인(%)", "en": "Percent off"},
    "winback.kind_item": {"ko": "무료 상품", "en": "Free item"},
    "winback.value": {"ko": "값", "en": "Value"},
    "winback.valid_days": {"ko": "사용 기간(일)", "en": "Valid for (days)"},
    "winback.issue": {"ko": "모두에게 쿠폰 발행", "en": "Issue to all"},
    "winback.issued": {"ko": "쿠폰 {n}장을 발행했습니다.", "en": "{n} coupons issued."},
    "winback.export": {"ko": "문자 발송용 CSV 저장", "en": "Save CSV for SMS"},
    "winback.exported": {
        "ko": "{n}명을 저장했습니다 ({file}). "
        "제외: 수신 미동의·동의 갱신 필요 {no_consent}명, 탈퇴 {withdrawn}명. "
        "광고 문자는 '(광고)'로 시작하고 무료 수신거부를 넣어야 합니다.",
        "en": "{n} saved ({file}). Left out: {no_consent} without a current marketing consent, "
        "{withdrawn} withdrawn. Ads must start with '(광고)' and offer a free opt-out.",
    },
    "winback.need_search": {"ko": "먼저 '찾기'를 누르세요.", "en": "Press Find first."},
    # import
    "import.step_file": {"ko": "1. 파일 고르기", "en": "1. Pick the file"},
    "import.step_mapping": {"ko": "2. 열 맞추기", "en": "2. Match the columns"},
    "import.step_check": {"ko": "3. 확인", "en": "3. Check"},
    "import.step_done": {"ko": "4. 완료", "en": "4. Done"},
    "import.intro": {
        "ko": "종이 스탬프 카드나 다른 프로그램의 회원 목록(CSV)을 가져옵니다. "
        "첫 줄에 열 이름이 있어야 합니다. UTF-8과 CP949(엑셀) 모두 읽습니다.",
        "en": "Bring in paper stamp cards or another system's member list (CSV). The first "
        "line must name the columns. UTF-8 and CP949 (Excel) are both read.",
    },
    "import.browse": {"ko": "파일 찾기…", "en": "Browse…"},
    "import.path": {"ko": "CSV 파일 경로", "en": "CSV file path"},
    "import.next": {"ko": "다음", "en": "Next"},
    "import.back": {"ko": "이전", "en": "Back"},
    "import.encoding": {
        "ko": "인코딩: {encoding} · {n}줄",
        "en": "Encoding: {encoding} · {n} rows",
    },
    "import.field.phone": {"ko": "전화번호 (필수)", "en": "Phone (required)"},
    "import.field.name": {"ko": "이름", "en": "Name"},
    "import.field.birthday": {"ko": "생일", "en": "Birthday"},
    "import.field.marketing_consent": {"ko": "마케팅 수신 동의", "en": "Marketing consent"},
    "import.field.points": {"ko": "포인트", "en": "Points"},
    "import.field.stamps": {"ko": "스탬프", "en": "Stamps"},
    "import.none": {"ko": "(가져오지 않음)", "en": "(not imported)"},
    "import.preview": {"ko": "처음 몇 줄", "en": "First rows"},
    "import.check": {"ko": "검사하기", "en": "Check"},
    "import.good": {
        "ko": "{rows}줄 중 {good}줄은 가져올 수 있습니다. 잘못된 줄 {bad}개.",
        "en": "{good} of {rows} rows can be imported; {bad} bad.",
    },
    "import.line": {"ko": "줄", "en": "Line"},
    "import.reason": {"ko": "이유", "en": "Reason"},
    "import.skip_bad": {
        "ko": "올바른 줄만 가져오기 (잘못된 줄은 건너뜀)",
        "en": "Import only the good rows (skip the bad ones)",
    },
    "import.run": {"ko": "가져오기", "en": "Import"},
    "import.blocked": {
        "ko": "잘못된 줄이 {bad}개 있어 아무것도 가져오지 않았습니다. "
        "고치거나 '올바른 줄만 가져오기'를 선택하세요.",
        "en": "{bad} bad row(s): nothing was imported. "
        "Fix them, or tick 'import only the good rows'.",
    },
    "import.done": {"ko": "{n}명을 가져왔습니다.", "en": "{n} members imported."},
    "import.again": {"ko": "다른 파일 가져오기", "en": "Import another file"},
    "import.no_file": {"ko": "파일을 고르세요.", "en": "Pick a file."},
    "import.missing": {"ko": "파일이 없습니다: {path}", "en": "No such file: {path}"},
}
