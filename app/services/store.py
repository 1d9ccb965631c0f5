"""The store's profile (name, business number, address, phone) and the wording it shows."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from app.db.models import Store
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.services import settings
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

# The National Tax Service's weights for the check digit of a business registration number.
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_PHONE_CHARS = re.compile(r"[0-9+\-() ]{7,20}")
MAX_NAME, MAX_ADDRESS = 200, 300


@dataclass(frozen=True)
class StoreProfile:
    name: str
    business_number: str  # 10 digits, or "" when not given
    address: str
    phone: str


def business_number_ok(digits: str) -> bool:
    """The official check: weighted sum of the first nine digits decides the tenth."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    total = sum(w * n for w, n in zip(_BRN_WEIGHTS, numbers, strict=False))
    total += (numbers[8] * 5) // 10
    return (10 - total % 10) % 10 == numbers[9]


def parse_business_number(text: str) -> str:
    """'123-45-67890', '１２３４５６７８９０' or blank; refused when the check digit is wrong."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    if not cleaned:
        return ""
    digits = re.sub(r"[\s\-]", "", cleaned)
    if not digits.isdigit() or not digits.isascii() or len(digits) != 10:
        raise Refused("store.business_number_format")
    if not business_number_ok(digits):
        raise Refused("store.business_number_check")
    return digits


def format_business_number(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def store_name(ctx: Context) -> str:
    """The store's name for the window title ("Dangol" before it has one)."""
    with ctx.db.read() as session:
        store = session.get(Store, ctx.store_id)
        return store.name if store else "Dangol"


def store_profile(ctx: Context) -> StoreProfile:
    with ctx.db.read() as session:
        store = session.get(Store, ctx.store_id)
        if store is None:
            raise Refused("store.not_found")
        return StoreProfile(
            store.name, store.business_number or "", store.address or "", store.phone or ""
        )


def _checked_profile(profile: StoreProfile) -> StoreProfile:
    name = clean_line(profile.name)  # no bidi, zero-width or control characters
    if not name:
        raise Refused("store.name_required")
    if len(name) > MAX_NAME:
        raise Refused("store.too_long", maximum=MAX_NAME)
    address = clean_line(profile.address)
    if len(address) > MAX_ADDRESS:
        raise Refused("store.too_long", maximum=MAX_ADDRESS)
    phone = unicodedata.normalize("NFKC", profile.phone).strip()
    if phone and not _PHONE_CHARS.fullmatch(phone):
        raise Refused("store.phone")
    return StoreProfile(name, parse_business_number(profile.business_number), address, phone)


def next_consent_version(ctx: Context, program_text: str, marketing_text: str) -> str:
    """The wording version: unchanged wording keeps it, any change moves it on by one."""
    current = str(settings.setting(ctx, "consent_version"))
    same = (
        program_text.strip() == str(settings.setting(ctx, "consent_program_text")).strip()
        and marketing_text.strip() == str(settings.setting(ctx, "consent_marketing_text")).strip()
    )
    if same:
        return current
    return str(int(current) + 1) if current.isdigit() else f"{current}.1"


def save_store(ctx: Context, profile: StoreProfile, **texts: Any) -> StoreProfile:
    """Owner only. Everything is checked before anything is written; the wording goes through
    the settings (logo_path, slip_footer, consent_program_text, consent_marketing_text)."""
    require_owner(ctx)
    checked = _checked_profile(profile)
    values = dict(texts)
    if "consent_program_text" in values or "consent_marketing_text" in values:
        program_text = values.get("consent_program_text") or settings.setting(
            ctx, "consent_program_text"
        )
        marketing_text = values.get("consent_marketing_text") or settings.setting(
            ctx, "consent_marketing_text"
        )
        values["consent_version"] = next_consent_version(ctx, program_text, marketing_text)
    if values:
        settings.update_settings(ctx, **values)
    with ctx.db.write() as session:
        store = session.get(Store, ctx.store_id)
        if store is None:
            raise Refused("store.not_found")
        changed = sorted(
            field
            for field, old, new in (
                ("name", store.name, checked.name),
                ("business_number", store.business_number or "", checked.business_number),
                ("address", store.address or "", checked.address),
                ("phone", store.phone or "", checked.phone),
            )
            if old != new
        )
        store.name = checked.name
        store.business_number = checked.business_number or None
        store.address = checked.address or None
        store.phone = checked.phone or None
        audit(ctx, session, "store.update", target=store.id, detail={"fields": changed})
    return checked
