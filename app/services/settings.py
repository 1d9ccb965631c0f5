"""The shop's settings the owner changes: language, sign-out time, void window, consent text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.db.settings import set_setting
from app.domain.daily_due import daily_time_ok
from app.domain.errors import Refused
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

DEFAULT_PROGRAM_CONSENT = (
    "[필수] 멤버십 운영을 위한 개인정보 수집·이용 동의: 휴대폰 번호(필수), 이름·생일(선택)을 "
    "포인트·스탬프 적립과 사용을 위해 탈퇴 시까지 보관합니다."
)
DEFAULT_MARKETING_CONSENT = (
    "[선택] 마케팅 정보 수신 동의: 할인·이벤트 소식을 문자로 받습니다. 동의하지 않아도 "
    "멤버십은 그대로 이용할 수 있습니다."
)

DEFAULTS: dict[str, Any] = {
    "language": "ko",
    "idle_minutes": 10,
    "void_window_minutes": 10,
    "consent_program_text": DEFAULT_PROGRAM_CONSENT,
    "consent_marketing_text": DEFAULT_MARKETING_CONSENT,
    "phone_mask": "middle",
    "auto_print_slip": False,
    "slip_footer": "오늘도 찾아주셔서 감사합니다. 또 만나요!",
    "printer": {"kind": "pdf", "width": 80, "device": ""},
    # with Google Wallet set up: a member's slip carries the save link's QR until they have a pass
    "slip_wallet_qr": True,
    # back office
    "backup_keep": 14,
    "backup_folder": "",  # empty: a "backups" folder next to the database file
    "logo_path": "",
    "consent_version": "1",
    "winback_days": 60,
    "marketing_renewal_months": 24,
    "daily_time": "",  # "HH:MM" local: the daily work runs then; empty: at the first quiet moment
    # the POS bridge
    "pos_pending_minutes": 30,  # a POS sale without a member waits this long, then lapses
    "pos_refund_money_only": False,  # True: a refund gives no redeemed points back
    "pos_api_enabled": False,  # the counter app runs the POS bridge's local API
    "pos_api_port": 8765,
    "pos_api_lan": False,  # True: listen on every network (0.0.0.0), not only this PC
    "tablet_enabled": False,  # a paired tablet may serve the check-in page (/checkin)
    # the visit rating after a sale (app/services/ratings.py)
    "rating_enabled": False,
    "rating_percent": 100,  # whole percent of sales asked, chosen by a stable hash of the sale
    "review_url": "",  # the shop's review page: shown as a QR after a high score only
    # the fraud guards in "needs attention" (app/services/fraud.py)
    "fraud_days": 7,  # how far back the guards look
    "fraud_earn_count": 3,  # this many earning sales on one number ...
    "fraud_earn_minutes": 30,  # ... within this many minutes
    "fraud_checkin_count": 3,  # this many check-ins without a sale on one number in fraud_days
    # the customer display (issue 16)
    "checkin_mode": False,  # the customer display is the customer's check-in screen
    "display_screen": "",  # the monitor it fills, by name; empty: any but the counter's
    "checkin_idle_seconds": 30,  # idle this long, the check-in screen forgets and asks again
    "checkins_used": False,  # set by the first check-in (not the owner's): sales look for one
    # set when the shop creates or joins a coalition: sales earn (and spend) partner points
    "partner_used": False,
}


def _whole(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def printer_ok(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) <= {"kind", "width", "device"}
        and value.get("kind", "pdf") in ("pdf", "escpos")
        and value.get("width", 80) in (58, 80)
        and isinstance(value.get("device", ""), str)
    )


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "language": lambda v: v in ("ko", "en"),
    "idle_minutes": lambda v: isinstance(v, int) and 1 <= v <= 240,
    "void_window_minutes": lambda v: isinstance(v, int) and 0 <= v <= 1440,
    "consent_program_text": lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 2000,
    "consent_marketing_text": lambda v: isinstance(v, str) and 0 < len(v.strip()) <= 2000,
    "phone_mask": lambda v: v in ("middle", "last"),
    "auto_print_slip": lambda v: isinstance(v, bool),
    "slip_footer": lambda v: isinstance(v, str) and len(v) <= 200,
    "printer": printer_ok,
    "slip_wallet_qr": lambda v: isinstance(v, bool),
    "backup_keep": lambda v: isinstance(v, int) and 1 <= v <= 365,
    "backup_folder": lambda v: isinstance(v, str) and len(v) <= 500,
    "logo_path": lambda v: isinstance(v, str) and len(v) <= 500,
    "consent_version": lambda v: isinstance(v, str) and 0 < len(v) <= 40,
    "winback_days": lambda v: isinstance(v, int) and 7 <= v <= 3650,
    "marketing_renewal_months": lambda v: isinstance(v, int) and 1 <= v <= 120,
    "daily_time": daily_time_ok,
    "pos_pending_minutes": lambda v: (
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1440
    ),
    "pos_refund_money_only": lambda v: isinstance(v, bool),
    "pos_api_enabled": lambda v: isinstance(v, bool),
    "pos_api_port": _whole(1024, 65535),  # below 1024 needs an administrator on most systems
    "pos_api_lan": lambda v: isinstance(v, bool),
    "tablet_enabled": lambda v: isinstance(v, bool),
    "rating_enabled": lambda v: isinstance(v, bool),
    "rating_percent": _whole(0, 100),
    "review_url": lambda v: (
        isinstance(v, str) and len(v) <= 500 and (v == "" or v.startswith(("https://", "http://")))
    ),
    "fraud_days": _whole(1, 90),
    "fraud_earn_count": _whole(2, 100),
    "fraud_earn_minutes": _whole(1, 1440),
    "fraud_checkin_count": _whole(1, 100),
    "checkin_mode": lambda v: isinstance(v, bool),
    "display_screen": lambda v: isinstance(v, str) and len(v) <= 200,
    "checkin_idle_seconds": _whole(5, 600),
}


def setting(ctx: Context, key: str) -> Any:
    return ctx.settings.get(key, DEFAULTS.get(key))


def update_settings(ctx: Context, **values: Any) -> None:
    """Owner only; each value checked before any is written."""
    require_owner(ctx)
    for key, value in values.items():
        check = _CHECKS.get(key)
        if check is None or not check(value):
            if key == "daily_time":  # typed by the owner: its own sentence, not the key
                raise Refused("settings.daily_time_invalid", value=str(value))
            if key == "review_url":  # typed by the owner too
                raise Refused("settings.review_url_invalid", maximum=500)
            raise Refused("settings.invalid", key=key)
    with ctx.db.write() as session:
        for key, value in values.items():
            set_setting(session, key, value)
        audit(ctx, session, "settings.update", detail={"keys": sorted(values)})
    ctx.settings.update(values)
