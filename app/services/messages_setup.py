"""Refusals of the first-run setup (app/services/setup.py), in Korean and English."""

MESSAGES: dict[str, dict[str, str]] = {
    "setup.store_name_required": {
        "ko": "가게 이름을 입력하세요.",
        "en": "Enter the store's name.",
    },
    "setup.store_name_long": {
        "ko": "가게 이름은 {maximum}자 이내로 입력하세요.",
        "en": "The store's name can be at most {maximum} characters.",
    },
    "setup.pin_mismatch": {
        "ko": "두 PIN이 서로 다릅니다. 같은 PIN을 두 번 입력하세요.",
        "en": "The two PINs differ. Enter the same PIN twice.",
    },
    "setup.template": {
        "ko": "알 수 없는 적립 방식입니다: {template}",
        "en": "Unknown program template: {template}",
    },
    "setup.printer_device": {
        "ko": "영수증 프린터의 장치 경로를 입력하세요 (예: /dev/usb/lp0, COM3).",
        "en": "Enter the receipt printer's device path (e.g. /dev/usb/lp0, COM3).",
    },
    "setup.printer": {
        "ko": "프린터 설정이 올바르지 않습니다. 용지 폭은 {widths} mm 중에서 고르세요.",
        "en": "The printer choice is not valid. Pick a paper width of {widths} mm.",
    },
    "setup.already_done": {
        "ko": "처음 설정은 이미 끝났습니다. 바꾸려면 관리 화면의 설정을 쓰세요.",
        "en": "First-run setup is already done. Change things in the back office.",
    },
    "setup.shop_incomplete": {
        "ko": "가게 정보가 데이터베이스에 없습니다. 'dangol init'으로 다시 만드세요.",
        "en": "The store is missing from the database. Recreate it with 'dangol init'.",
    },
}
