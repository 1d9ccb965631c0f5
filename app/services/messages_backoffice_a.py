"""Refusals of the back office's program, store, staff, settings, backup and audit pages."""

MESSAGES: dict[str, dict[str, str]] = {
    "store.business_number_format": {
        "ko": "사업자등록번호는 숫자 10자리입니다 (예: 123-45-67890).",
        "en": "A business registration number has 10 digits (e.g. 123-45-67890).",
    },
    "store.business_number_check": {
        "ko": "사업자등록번호가 올바르지 않습니다. 숫자를 다시 확인하세요.",
        "en": "This business registration number is not valid; check the digits.",
    },
    "store.name_required": {"ko": "가게 이름을 입력하세요.", "en": "Enter the store's name."},
    "store.too_long": {
        "ko": "{maximum}자까지 입력할 수 있습니다.",
        "en": "At most {maximum} characters.",
    },
    "store.phone": {
        "ko": "전화번호는 숫자와 -만 쓸 수 있습니다 (예: 02-123-4567).",
        "en": "A phone number is digits and dashes (e.g. 02-123-4567).",
    },
    "store.not_found": {
        "ko": "가게 정보를 찾을 수 없습니다.",
        "en": "The store's record is missing.",
    },
    "backoffice.number": {
        "ko": "{field}: 숫자를 입력하세요.",
        "en": "{field}: enter a number.",
    },
    "backoffice.weekdays": {
        "ko": "요일은 월 화 수 목 금 토 일 중에서 쓰세요 (예: 월 화 수).",
        "en": "Weekdays are Mon Tue Wed Thu Fri Sat Sun (e.g. Mon Tue).",
    },
    "backoffice.hours": {
        "ko": "시간은 14-17처럼 시작-끝 시각으로 쓰세요.",
        "en": "Hours are written start-end, e.g. 14-17.",
    },
    "backoffice.no_backup_chosen": {
        "ko": "복원할 백업을 목록에서 고르세요.",
        "en": "Pick the backup to restore from the list.",
    },
    "backoffice.pin_mismatch": {
        "ko": "두 PIN이 같지 않습니다.",
        "en": "The two PINs differ.",
    },
}
