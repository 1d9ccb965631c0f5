"""Strings of the first-run wizard, the About box and the error dialog (Korean, then English)."""

TEXTS: dict[str, dict[str, str]] = {
    # --- the first-run wizard ---
    "wizard.title": {"ko": "단골 처음 설정", "en": "Dangol first-run setup"},
    "wizard.next": {"ko": "다음", "en": "Next"},
    "wizard.back": {"ko": "이전", "en": "Back"},
    "wizard.finish": {"ko": "시작하기", "en": "Start"},
    "wizard.cancel": {"ko": "나중에", "en": "Later"},
    "wizard.store.title": {"ko": "가게 이름", "en": "Your store"},
    "wizard.store.subtitle": {
        "ko": "가게 이름은 창 제목과 적립 영수증에 나옵니다.",
        "en": "The name appears in the window title and on loyalty slips.",
    },
    "wizard.store.name": {"ko": "가게 이름", "en": "Store name"},
    "wizard.store.placeholder": {"ko": "예: 단골 카페 역삼점", "en": "e.g. Dangol Café Yeoksam"},
    "wizard.pin.title": {"ko": "사장님 PIN", "en": "Owner PIN"},
    "wizard.pin.subtitle": {
        "ko": "로그인과 관리 화면에 쓰는 4~8자리 숫자입니다. 직원에게 알려 주지 마세요.",
        "en": "4–8 digits to sign in and open the back office. Keep it from your staff.",
    },
    "wizard.pin.first": {"ko": "PIN", "en": "PIN"},
    "wizard.pin.again": {"ko": "PIN 다시 입력", "en": "PIN again"},
    "wizard.program.title": {"ko": "적립 방식", "en": "Loyalty program"},
    "wizard.program.subtitle": {
        "ko": "가게에 맞는 방식을 고르세요. 목표 개수·적립률·보상은 나중에 바꿀 수 있습니다.",
        "en": "Pick what suits your shop. Goals, rates and rewards can be changed later.",
    },
    "wizard.program.stamps": {
        "ko": "카페 스탬프 카드 — 10개 모으면 아메리카노 1잔 (포인트 없음)",
        "en": "Café stamp card — 10 stamps earn an Americano (no points)",
    },
    "wizard.program.points": {
        "ko": "포인트 적립 — 결제 금액의 2~5 %, 등급 4단계 (베이직·실버·골드·플래티넘)",
        "en": "Points — 2–5 % of each purchase, four tiers (Basic to Platinum)",
    },
    "wizard.program.both": {
        "ko": "둘 다 — 스탬프 10개 + 포인트 2~5 %",
        "en": "Both — 10-stamp card plus 2–5 % points",
    },
    "wizard.printer.title": {"ko": "영수증 출력", "en": "Printing slips"},
    "wizard.printer.subtitle": {
        "ko": "적립 영수증을 어디로 보낼지 고르세요.",
        "en": "Choose where loyalty slips go.",
    },
    "wizard.printer.pdf": {
        "ko": "PDF · 일반 프린터 (설치된 프린터 드라이버로 출력)",
        "en": "PDF · any printer (through its installed driver)",
    },
    "wizard.printer.escpos": {
        "ko": "영수증 프린터에 직접 보내기 (ESC/POS)",
        "en": "Straight to a receipt printer (ESC/POS)",
    },
    "wizard.printer.device": {"ko": "장치 경로", "en": "Device path"},
    "wizard.printer.device_hint": {
        "ko": "예: /dev/usb/lp0 또는 COM3",
        "en": "e.g. /dev/usb/lp0 or COM3",
    },
    "wizard.printer.width": {"ko": "용지 폭", "en": "Paper width"},
    "wizard.printer.mm": {"ko": "{mm} mm", "en": "{mm} mm"},
    "wizard.demo.title": {"ko": "마지막 단계", "en": "Last step"},
    "wizard.demo.subtitle": {
        "ko": "연습용 데모 회원을 만들 수 있습니다.",
        "en": "You can create demo members to practise with.",
    },
    "wizard.demo.check": {
        "ko": "연습용 데모 회원 만들기 (200명, 최근 90일 거래)",
        "en": "Create demo members (200, with 90 days of sales)",
    },
    "wizard.summary": {
        "ko": "가게: {store}\n적립 방식: {program}\n출력: {printer}",
        "en": "Store: {store}\nProgram: {program}\nPrinting: {printer}",
    },
    "wizard.later": {
        "ko": "모든 선택은 나중에 [관리] 화면에서 바꿀 수 있습니다.",
        "en": "Every choice can be changed later in the back office.",
    },
    "wizard.saving": {
        "ko": "저장하는 중… (데모는 몇 초 걸립니다)",
        "en": "Saving… (a demo takes a few seconds)",
    },
    # --- the About box ---
    "menu.about": {"ko": "정보", "en": "About"},
    "about.title": {"ko": "단골 정보", "en": "About Dangol"},
    "about.heading": {"ko": "단골 {version}", "en": "Dangol {version}"},
    "about.tagline": {
        "ko": "가게 카운터의 단골 적립 — 스탬프 · 포인트 · 등급",
        "en": "The loyalty program at the counter — stamps · points · tiers",
    },
    "about.database": {"ko": "데이터베이스", "en": "Database"},
    "about.system": {"ko": "시스템", "en": "System"},
    "about.logs": {"ko": "오류 기록", "en": "Error log"},
    "about.parts": {
        "ko": "함께 들어 있는 구성 요소와 라이선스",
        "en": "Bundled parts and licences",
    },
    "about.part": {"ko": "구성 요소", "en": "Part"},
    "about.part_version": {"ko": "버전", "en": "Version"},
    "about.licence": {"ko": "라이선스", "en": "Licence"},
    "about.copy": {"ko": "정보 복사", "en": "Copy details"},
    "about.copied": {"ko": "복사했습니다.", "en": "Copied."},
    "about.close": {"ko": "닫기", "en": "Close"},
    # --- an unexpected error ---
    "crash.title": {"ko": "오류", "en": "Error"},
    "crash.sentence": {
        "ko": "작업 하나를 마치지 못했습니다 ({error}). 프로그램은 그대로 쓸 수 있습니다.",
        "en": "One action could not be finished ({error}). You can keep using the program.",
    },
    "crash.logged": {
        "ko": "자세한 내용을 기록했습니다: {path}",
        "en": "The details were written to {path}",
    },
    "crash.not_logged": {
        "ko": "기록 파일을 쓸 수 없었습니다. [자세한 내용 복사]로 내용을 보관하세요.",
        "en": "The log could not be written. Keep the details with [Copy details].",
    },
    "crash.copy": {"ko": "자세한 내용 복사", "en": "Copy details"},
}
