"""The exception the rules raise when they refuse an input, and its Korean and English messages."""

from __future__ import annotations


class Refused(Exception):
    """Input refused by a rule; nothing is written.

    code is a message key, params fill its placeholders.
    """

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} {self.params}"

    def message(self, lang: str = "ko") -> str:
        """The user-facing sentence; falls back to English, then to the bare code."""
        texts = DOMAIN_MESSAGES.get(self.code)
        if texts is None:
            return str(self)
        template = texts.get(lang, texts["en"])
        try:
            return template.format(**self.params)
        except (KeyError, ValueError, IndexError):
            return str(self)


DOMAIN_MESSAGES: dict[str, dict[str, str]] = {
    # phone
    "phone.empty": {"ko": "휴대폰 번호를 입력하세요.", "en": "Enter a phone number."},
    "phone.invalid_chars": {
        "ko": "전화번호에 쓸 수 없는 문자가 있습니다: {char}",
        "en": "The phone number contains a character that is not allowed: {char}",
    },
    "phone.too_short": {
        "ko": "휴대폰 번호가 너무 짧습니다 (숫자 {digits}자리).",
        "en": "The phone number is too short ({digits} digits).",
    },
    "phone.too_long": {
        "ko": "휴대폰 번호가 너무 깁니다 (숫자 {digits}자리).",
        "en": "The phone number is too long ({digits} digits).",
    },
    "phone.not_korean": {
        "ko": "국내 전화번호만 등록할 수 있습니다.",
        "en": "Only Korean phone numbers can be used.",
    },
    "phone.retired_prefix": {
        "ko": "{prefix} 번호는 더 이상 쓰지 않습니다. 010 번호를 입력하세요.",
        "en": "{prefix} numbers are no longer in service. Enter the 010 number.",
    },
    "phone.not_mobile": {
        "ko": "010 휴대폰 번호를 입력하세요.",
        "en": "Enter a 010 mobile number.",
    },
    "phone.invalid": {
        "ko": "올바른 전화번호가 아닙니다.",
        "en": "This is not a valid phone number.",
    },
    # amounts
    "amount.invalid": {
        "ko": "금액을 숫자로 입력하세요 (입력: {text}).",
        "en": "Enter the amount in whole won (you typed: {text}).",
    },
    "amount.not_positive": {
        "ko": "금액은 0원보다 커야 합니다.",
        "en": "The amount must be more than 0 won.",
    },
    "amount.too_large": {
        "ko": "금액이 너무 큽니다 (최대 {max:,}원).",
        "en": "The amount is too large (at most ₩{max:,}).",
    },
    "items.invalid": {
        "ko": "수량은 1개 이상이어야 합니다.",
        "en": "The number of items must be at least 1.",
    },
    # redemption
    "redeem.not_positive": {
        "ko": "사용할 포인트를 입력하세요.",
        "en": "Enter the points to use.",
    },
    "redeem.below_minimum": {
        "ko": "포인트는 {minimum:,}점 이상부터 사용할 수 있습니다.",
        "en": "At least {minimum:,} points must be used at a time.",
    },
    "redeem.not_unit": {
        "ko": "포인트는 {unit:,}점 단위로 사용할 수 있습니다.",
        "en": "Points can be used in steps of {unit:,}.",
    },
    "redeem.insufficient": {
        "ko": "포인트가 부족합니다 (보유 {balance:,}점, 요청 {requested:,}점).",
        "en": "Not enough points (balance {balance:,}, requested {requested:,}).",
    },
    "redeem.stamps_insufficient": {
        "ko": "스탬프가 부족합니다 ({balance}/{goal}개).",
        "en": "Not enough stamps ({balance} of {goal}).",
    },
    # coupons
    "coupon.code_invalid": {
        "ko": "쿠폰 번호가 올바르지 않습니다: {text}",
        "en": "This coupon code is not valid: {text}",
    },
    "coupon.kind": {
        "ko": "알 수 없는 쿠폰 종류입니다: {kind}",
        "en": "Unknown coupon kind: {kind}",
    },
    "coupon.value": {
        "ko": "쿠폰 금액이 올바르지 않습니다 ({value}).",
        "en": "The coupon value is not valid ({value}).",
    },
    "coupon.percent_range": {
        "ko": "할인율은 1%에서 100% 사이여야 합니다 ({value}%).",
        "en": "The discount must be between 1% and 100% ({value}%).",
    },
    "coupon.days": {
        "ko": "유효기간은 1일에서 {max:,}일 사이여야 합니다 ({days}일).",
        "en": "Validity must be between 1 and {max:,} days ({days} days).",
    },
    "coupon.used": {
        "ko": "이미 사용한 쿠폰입니다 ({used_at} 사용).",
        "en": "This coupon was already used (on {used_at}).",
    },
    "coupon.not_yet_valid": {
        "ko": "아직 사용할 수 없는 쿠폰입니다 ({valid_from}부터 사용 가능).",
        "en": "This coupon cannot be used yet (valid from {valid_from}).",
    },
    "coupon.expired": {
        "ko": "유효기간이 지난 쿠폰입니다 ({valid_until}까지).",
        "en": "This coupon has expired (valid until {valid_until}).",
    },
    # program settings (shown to the owner)
    "program.type": {
        "ko": "설정 {field}의 형식이 올바르지 않습니다.",
        "en": "Setting {field} has the wrong type (expected {expected}).",
    },
    "program.missing": {
        "ko": "설정 {field} 항목이 없습니다.",
        "en": "Setting {field} is missing.",
    },
    "program.unknown_key": {
        "ko": "알 수 없는 설정 항목입니다: {field}",
        "en": "Unknown setting: {field}",
    },
    "program.negative": {
        "ko": "설정 {field}은(는) 0 이상이어야 합니다.",
        "en": "Setting {field} must not be negative.",
    },
    "program.too_small": {
        "ko": "설정 {field}은(는) {minimum} 이상이어야 합니다.",
        "en": "Setting {field} must be at least {minimum}.",
    },
    "program.precision": {
        "ko": "설정 {field}은(는) 소수점 {places}자리까지만 쓸 수 있습니다.",
        "en": "Setting {field} allows at most {places} decimal places.",
    },
    "program.empty_text": {
        "ko": "설정 {field}을(를) 입력하세요.",
        "en": "Setting {field} must not be empty.",
    },
    "program.date": {
        "ko": "설정 {field}의 날짜는 YYYY-MM-DD 형식이어야 합니다.",
        "en": "Setting {field} must be a date written YYYY-MM-DD.",
    },
    "program.stamp_goal": {
        "ko": "스탬프 목표 개수는 1개 이상이어야 합니다.",
        "en": "The stamp goal must be at least 1.",
    },
    "program.stamp_per": {
        "ko": "스탬프 적립 기준이 올바르지 않습니다: {value}",
        "en": "Stamps are given per visit, per item, or none; not {value}.",
    },
    "program.min_redeem_unit": {
        "ko": "최소 사용 포인트는 {unit:,}점 단위여야 합니다.",
        "en": "The minimum redemption must be a multiple of {unit:,} points.",
    },
    "program.tiers_empty": {
        "ko": "등급이 하나 이상 있어야 합니다.",
        "en": "There must be at least one tier.",
    },
    "program.tier_first": {
        "ko": "첫 번째 등급의 기준 금액은 0원이어야 합니다.",
        "en": "The first tier must start at 0 won.",
    },
    "program.tier_order": {
        "ko": "등급 기준 금액은 아래 등급보다 커야 합니다 ({field}).",
        "en": "Each tier threshold must be higher than the one below ({field}).",
    },
    "program.tier_duplicate": {
        "ko": "등급 코드가 중복되었습니다: {tier}",
        "en": "Duplicate tier code: {tier}",
    },
    "program.earn_percent": {
        "ko": "적립률은 100%를 넘을 수 없습니다 ({field}).",
        "en": "The earn rate cannot exceed 100% ({field}).",
    },
    "program.multiplier": {
        "ko": "포인트 배수는 1배에서 {max}배 사이여야 합니다 ({field}).",
        "en": "The multiplier must be between 1 and {max} ({field}).",
    },
    "program.campaign_dates": {
        "ko": "이벤트 종료일이 시작일보다 빠릅니다 ({field}).",
        "en": "The campaign ends before it starts ({field}).",
    },
    "program.campaign_hours": {
        "ko": "이벤트 시간은 0시에서 24시 사이, 시작이 끝보다 빨라야 합니다 ({field}).",
        "en": "Campaign hours must be within 0-24 with the start before the end ({field}).",
    },
    "program.campaign_weekday": {
        "ko": "요일은 0(월)에서 6(일) 사이여야 합니다 ({field}).",
        "en": "Weekdays must be 0 (Monday) to 6 (Sunday) ({field}).",
    },
    "program.campaign_tier": {
        "ko": "이벤트 대상 등급 {tier}이(가) 없습니다.",
        "en": "The campaign names an unknown tier: {tier}",
    },
}
