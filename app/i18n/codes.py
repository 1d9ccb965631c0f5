"""Internal codes a person can see, in words: the one table from a code to its sentence.

The database keeps codes (a ledger reason "void sale <id>", an audit action "redeem.points",
a coupon kind "amount", a role "cashier"); screens, slips and the command line's text show
them through these functions, in the language passed. A code this version does not know is
shown as it is (an owner's own text: an adjustment reason, a stamp reward, a tier name).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from app.i18n import N_, has_text, translate

# --- ledger reasons ---------------------------------------------------------------------------

LEDGER_REASONS = {
    "purchase": N_("code.reason.purchase"),
    "expired": N_("code.reason.expired"),
    "birthday": N_("code.reason.birthday"),
    "points used": N_("code.reason.points_used"),
    "enroll": N_("code.reason.enroll"),
    "signup": N_("code.reason.signup"),
    "referral": N_("code.reason.referral"),
    "merge": N_("code.reason.merge"),
    "merge in": N_("code.reason.merge_in"),
    "merge out": N_("code.reason.merge_out"),
    "opening balance (import)": N_("code.reason.opening_balance"),
    "refund": N_("code.reason.refund"),
    "refund points back": N_("code.reason.refund_points_back"),
}
_VOID = re.compile(r"void (sale|redemption)(?: [0-9a-fA-F-]{36})?")
_VOID_KEYS = {"sale": N_("code.reason.void_sale"), "redemption": N_("code.reason.void_redemption")}
_CAMPAIGN = "campaign: "


def ledger_reason(lang: str, reason: str | None) -> str:
    """'purchase' -> '구매 적립', 'void sale <id>' -> '구매 취소'; an owner's reason as typed."""
    if not reason:
        return ""
    if reason in LEDGER_REASONS:
        return translate(lang, LEDGER_REASONS[reason])
    void = _VOID.fullmatch(reason)
    if void:
        return translate(lang, _VOID_KEYS[void.group(1)])
    if reason.startswith(_CAMPAIGN):
        return translate(lang, "code.reason.campaign", names=reason[len(_CAMPAIGN) :])
    return reason


LEDGER_KINDS = {
    "earn": N_("detail.kind.earn"),
    "bonus": N_("detail.kind.bonus"),
    "redeem": N_("detail.kind.redeem"),
    "expire": N_("detail.kind.expire"),
    "void": N_("detail.kind.void"),
    "adjust": N_("detail.kind.adjust"),
    "refund": N_("detail.kind.refund"),
}


def ledger_kind(lang: str, kind: str) -> str:
    """A ledger entry's kind in words ('earn' -> '적립' / 'Earned'); an unknown one as it is."""
    return translate(lang, LEDGER_KINDS[kind]) if kind in LEDGER_KINDS else kind


# --- tier changes ---------------------------------------------------------------------------

TIER_REASONS = {
    "enroll": N_("code.tier_reason.enroll"),
    "sale": N_("code.tier_reason.sale"),
    "void": N_("code.tier_reason.void"),
    "evaluation": N_("code.tier_reason.evaluation"),
    "import": N_("code.tier_reason.import"),
    "merge": N_("code.tier_reason.merge"),
    "refund": N_("code.tier_reason.refund"),
}


def tier_reason(lang: str, reason: str | None) -> str:
    if not reason:
        return ""
    return translate(lang, TIER_REASONS[reason]) if reason in TIER_REASONS else reason


# --- coupons, redemptions, roles ------------------------------------------------------------

COUPON_KINDS = {
    "amount": N_("code.coupon.amount"),
    "percent": N_("code.coupon.percent"),
    "item": N_("code.coupon.item"),
}
COUPON_KIND_NAMES = {
    "amount": N_("code.coupon_kind.amount"),
    "percent": N_("code.coupon_kind.percent"),
    "item": N_("code.coupon_kind.item"),
}


def coupon_text(lang: str, kind: str, value: int) -> str:
    """What a coupon gives: 'amount', 3000 -> '3,000원 할인' / '₩3,000 off'; '10% 할인'."""
    if kind not in COUPON_KINDS:
        return f"{kind} {value:,}"
    return translate(lang, COUPON_KINDS[kind], value=f"{value:,}")


def coupon_kind(lang: str, kind: str) -> str:
    """The kind alone: 'amount' -> '금액 할인'."""
    return translate(lang, COUPON_KIND_NAMES[kind]) if kind in COUPON_KIND_NAMES else kind


REDEMPTION_KINDS = {
    "points": N_("code.redemption.points"),
    "stamps": N_("code.redemption.stamps"),
    "coupon": N_("code.redemption.coupon"),
    "sale": N_("code.redemption.sale"),
}


def action_kind(lang: str, kind: str) -> str:
    """What was voided or redeemed: 'sale' -> '구매', 'points' -> '포인트 사용'."""
    return translate(lang, REDEMPTION_KINDS[kind]) if kind in REDEMPTION_KINDS else kind


ROLES = {"owner": N_("role.owner"), "cashier": N_("role.cashier")}


def role(lang: str, code: str) -> str:
    return translate(lang, ROLES[code]) if code in ROLES else code


# the name the first start gives the owner (services/context.py) until they type their own
DEFAULT_OWNER_NAME = "사장님"


def staff_name(lang: str, name: str | None) -> str:
    """A staff member's name; the owner's default name in the language shown ('Owner')."""
    if not name:
        return "—"
    return translate(lang, "code.default_owner") if name == DEFAULT_OWNER_NAME else name


# --- import fields and encodings ------------------------------------------------------------

FIELDS = {
    "phone": N_("code.field.phone"),
    "name": N_("code.field.name"),
    "birthday": N_("code.field.birthday"),
    "marketing_consent": N_("code.field.marketing_consent"),
    "points": N_("code.field.points"),
    "stamps": N_("code.field.stamps"),
    "tier": N_("code.field.tier"),
    "card": N_("code.field.card"),
    "point_lots": N_("code.field.point_lots"),
    "program_consent_at": N_("code.field.program_consent_at"),
    "marketing_consent_at": N_("code.field.marketing_consent_at"),
    "enrolled_at": N_("code.field.enrolled_at"),
}


def field(lang: str, code: str) -> str:
    """A member file's field: 'points' -> '포인트'; a column the owner named as it is."""
    return translate(lang, FIELDS[code]) if code in FIELDS else code


ENCODINGS = {
    "utf-8-sig": N_("code.encoding.utf_8_sig"),
    "utf-8": N_("code.encoding.utf_8"),
    "cp949": N_("code.encoding.cp949"),
    "euc-kr": N_("code.encoding.cp949"),
}


def encoding(lang: str, code: str) -> str:
    """'utf-8-sig' -> 'UTF-8 (BOM)', 'cp949' -> 'CP949 (EUC-KR)'."""
    key = ENCODINGS.get(code.lower().replace("_", "-"))
    return translate(lang, key) if key else code.upper()


# refusals whose parameters carry a field code, not the owner's text: shown in words
_FIELD_PARAMS = {
    "import.count_invalid": "column",
    "import.count_too_large": "column",
    "import.moment_invalid": "column",
    "import.moment_out_of_range": "column",
    "import.mapping_field": "field",
}


def refusal_params(code: str, params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A refusal's parameters with the codes among them in words ('points' -> '포인트')."""
    shown = dict(params)
    name = _FIELD_PARAMS.get(code)
    if name and isinstance(shown.get(name), str):
        shown[name] = field(lang, shown[name])
    expected = shown.get("expected")
    if code == "program.type" and isinstance(expected, str) and expected in _VALUE_TYPES:
        shown["expected"] = translate(lang, f"code.type.{expected}")
    if code.startswith("alimtalk."):  # a trigger and a review status in words
        kind, status = shown.get("kind"), shown.get("status")
        if isinstance(kind, str) and has_text(f"messages.kind.{kind}"):
            shown["kind"] = translate(lang, f"messages.kind.{kind}")
        if isinstance(status, str) and has_text(f"cli.messages.template_status.{status}"):
            shown["status"] = translate(lang, f"cli.messages.template_status.{status}")
    if code == "token.not_allowed":  # what the token's own scope may do, in words
        scope = shown.get("scope")
        key = f"token.allows.{scope}"
        shown["allows"] = translate(lang, key if has_text(key) else "token.allows.pos")
    return shown


# what each token scope may do, in a refusal of what it may not
TOKEN_ALLOWS = (N_("token.allows.pos"), N_("token.allows.tablet"), N_("token.allows.partner"))


# what a program's value should have been ("number 필요" -> "숫자 필요")
_VALUE_TYPES = frozenset(
    key.removeprefix("code.type.")
    for key in (
        N_("code.type.object"),
        N_("code.type.list"),
        N_("code.type.integer"),
        N_("code.type.number"),
        N_("code.type.text"),
    )
)


# --- the audit log ----------------------------------------------------------------------------

AUDIT_ACTIONS = (
    N_("audit.action.pos.pending"),
    N_("audit.action.pos.sale"),
    N_("audit.action.pos.cancel"),
    N_("audit.action.pos.refund"),
    N_("audit.action.pos.redeem"),
    N_("audit.action.backup.purge"),
    N_("audit.action.token.create"),
    N_("audit.action.token.revoke"),
    N_("audit.action.sale.record"),
    N_("audit.action.backup.create"),
    N_("audit.action.backup.prune"),
    N_("audit.action.backup.restore"),
    N_("audit.action.card.blank_batch"),
    N_("audit.action.card.reissue"),
    N_("audit.action.clock.override"),
    N_("audit.action.consent.set"),
    N_("audit.action.consent.notice"),
    N_("audit.action.coupon.issue"),
    N_("audit.action.customer.enroll"),
    N_("audit.action.customer.erase"),
    N_("audit.action.customer.erase_again"),
    N_("audit.action.customer.export_one"),
    N_("audit.action.customer.merge"),
    N_("audit.action.customer.reveal_phone"),
    N_("audit.action.customer.update"),
    N_("audit.action.customer.view"),
    N_("audit.action.customer.withdraw"),
    N_("audit.action.customers.export"),
    N_("audit.action.customers.import"),
    N_("audit.action.customers.import.batch"),
    N_("audit.action.daily.run"),
    N_("audit.action.ledger.adjust"),
    N_("audit.action.program.load"),
    N_("audit.action.redeem.coupon"),
    N_("audit.action.redeem.points"),
    N_("audit.action.redeem.stamps"),
    N_("audit.action.redemption.void"),
    N_("audit.action.report.export_csv"),
    N_("audit.action.report.export_pdf"),
    N_("audit.action.sale.void"),
    N_("audit.action.settings.card_sheet"),
    N_("audit.action.settings.update"),
    N_("audit.action.setup.complete"),
    N_("audit.action.staff.add"),
    N_("audit.action.staff.disable"),
    N_("audit.action.staff.enable"),
    N_("audit.action.staff.pin"),
    N_("audit.action.staff.pin_wrong"),
    N_("audit.action.staff.sign_in"),
    N_("audit.action.store.update"),
    N_("audit.action.sync.run"),
    N_("audit.action.sync.setup"),
    N_("audit.action.winback.coupons"),
    N_("audit.action.winback.export"),
    N_("audit.action.winback.messages"),
    # outbox
    N_("audit.action.messages.setup"),
    N_("audit.action.messages.trigger"),
    N_("audit.action.messages.rules"),
    # nps: the visit rating, the staff member's own membership
    N_("audit.action.rating.record"),
    N_("audit.action.staff.link_customer"),
    # checkin: joining on the customer's own screen
    N_("audit.action.checkin.enroll"),
    # tablet: a tablet paired with the owner's one-time code
    N_("audit.action.tablet.code"),
    N_("audit.action.tablet.pair"),
    N_("audit.action.messages.template"),
    N_("audit.action.messages.template_submit"),
    N_("audit.action.messages.template_status"),
    N_("audit.action.messages.announce"),
    # insight (issue 19): segments, experiments, KPIs, lunar birthdays
    N_("audit.action.segments.rfm"),
    N_("audit.action.segments.save"),
    N_("audit.action.segments.coupons"),
    N_("audit.action.experiment.create"),
    N_("audit.action.kpis.export_csv"),
    N_("audit.action.customer.lunar_birthday"),
    N_("audit.action.partner.create"),
    N_("audit.action.partner.join"),
    N_("audit.action.partner.consent"),
    N_("audit.action.partner.sale"),
    N_("audit.action.partner.close"),
    N_("audit.action.partner.settle"),
    N_("audit.action.partner.ack"),
    N_("audit.action.partner.void"),
    N_("audit.action.partner.refund"),  # rfm19: a POS refund takes the partner earn back
    N_("audit.action.partner.merge"),
    # mwallet21: membership cards in Google Wallet and Apple Wallet
    N_("audit.action.mobile_wallet.google_setup"),
    N_("audit.action.mobile_wallet.google_link"),
    N_("audit.action.mobile_wallet.apple_setup"),
    N_("audit.action.mobile_wallet.apple_pass"),
    N_("audit.action.mobile_wallet.apple_pass_email"),  # wallet21
    N_("audit.action.settings.smtp"),  # wallet21: the shop's SMTP server
    # wallet: spending it at the counter, a prepaid top-up
    N_("audit.action.wallet.spend"),
    N_("audit.action.wallet.topup"),
)
_KNOWN_ACTIONS = frozenset(key.removeprefix("audit.action.") for key in AUDIT_ACTIONS)

_AREA_KEYS = (
    N_("audit.area.backup"),
    N_("audit.area.card"),
    N_("audit.area.pos"),
    N_("audit.area.token"),
    N_("audit.area.clock"),
    N_("audit.area.consent"),
    N_("audit.area.coupon"),
    N_("audit.area.customer"),
    N_("audit.area.customers"),
    N_("audit.area.daily"),
    N_("audit.area.ledger"),
    N_("audit.area.program"),
    N_("audit.area.redeem"),
    N_("audit.area.redemption"),
    N_("audit.area.report"),
    N_("audit.area.sale"),
    N_("audit.area.settings"),
    N_("audit.area.setup"),
    N_("audit.area.staff"),
    N_("audit.area.store"),
    N_("audit.area.sync"),
    N_("audit.area.winback"),
    N_("audit.area.messages"),  # outbox
    N_("audit.area.rating"),  # nps
    N_("audit.area.checkin"),  # the customer's own screen
    N_("audit.area.tablet"),  # tablets as the customer's screen
    N_("audit.area.segments"),  # insight (issue 19)
    N_("audit.area.experiment"),
    N_("audit.area.kpis"),
    N_("audit.area.partner"),  # the neighbourhood coalition
    N_("audit.area.mobile_wallet"),  # mwallet21: cards in the phone's wallet
    N_("audit.area.wallet"),  # cashback and prepaid money
)
AUDIT_AREAS = {key.removeprefix("audit.area."): key for key in _AREA_KEYS}


def audit_action(lang: str, action: str) -> str:
    """'staff.add' -> '직원 추가'; an action this version does not know shows as it is."""
    if action in _KNOWN_ACTIONS:
        return translate(lang, f"audit.action.{action}")
    return action


def audit_area(lang: str, area: str) -> str:
    """The first part of an action ('customer'), for the filter: '회원 전체'."""
    return translate(lang, AUDIT_AREAS[area]) if area in AUDIT_AREAS else area


AUDIT_DETAILS = {
    "absorbed": None,  # an internal id
    "customer": None,
    "program_version": None,
    "approved_by": None,
    "row": None,
    "file_sha256": None,
    "tier_period": None,  # the same month as tier_periods
    "amount": N_("audit.detail.amount"),
    "already_imported": N_("audit.detail.already_imported"),
    "bad": N_("audit.detail.bad"),
    "code": N_("audit.detail.code"),
    "count": N_("audit.detail.count"),
    "coupon": N_("audit.detail.coupon"),
    "coupons": N_("audit.detail.coupons"),
    "days": N_("audit.detail.days"),
    "demo": N_("audit.detail.demo"),
    "fields": N_("audit.detail.fields"),
    "file": N_("audit.detail.file"),
    "files": N_("audit.detail.files"),
    "first": N_("audit.detail.first"),
    "for": N_("audit.detail.for"),
    "imported": N_("audit.detail.imported"),
    "keep": N_("audit.detail.keep"),
    "keys": N_("audit.detail.keys"),
    "kind": N_("audit.detail.kind"),
    "last": N_("audit.detail.last"),
    "ledger_entries": N_("audit.detail.ledger_entries"),
    "lines": N_("audit.detail.lines"),
    "lots": N_("audit.detail.lots"),
    "marketing_consent": N_("audit.detail.marketing_consent"),
    "merges": N_("audit.detail.merges"),
    "no_consent": N_("audit.detail.no_consent"),
    "now": N_("audit.detail.now"),
    "points": N_("audit.detail.points"),
    "previous_copy": N_("audit.detail.previous_copy"),
    "printer": N_("audit.detail.printer"),
    "pulled": N_("audit.detail.pulled"),
    "pushed": N_("audit.detail.pushed"),
    "reason": N_("audit.detail.reason"),
    "registers": N_("audit.detail.registers"),
    "rejected": N_("audit.detail.rejected"),
    "role": N_("audit.detail.role"),
    "rows": N_("audit.detail.rows"),
    "sheet": N_("audit.detail.sheet"),
    "skipped": N_("audit.detail.skipped"),
    "stamps": N_("audit.detail.stamps"),
    "store": N_("audit.detail.store"),
    "table": N_("audit.detail.table"),
    "template": N_("audit.detail.template"),
    "url": N_("audit.detail.url"),
    "valid_days": N_("audit.detail.valid_days"),
    "value": N_("audit.detail.value"),
    "withdrawn": N_("audit.detail.withdrawn"),
    "day": N_("audit.detail.day"),
    "expired_customers": N_("audit.detail.expired_customers"),
    "expired_points": N_("audit.detail.expired_points"),
    "tier_periods": N_("audit.detail.tier_periods"),
    "tiers_evaluated": N_("audit.detail.tiers_evaluated"),
    "promoted": N_("audit.detail.promoted"),
    "demoted": N_("audit.detail.demoted"),
    "birthday_bonuses": N_("audit.detail.birthday_bonuses"),
    "caught_up_from": N_("audit.detail.caught_up_from"),
    # consent.set / consent.notice
    "channel": N_("audit.detail.channel"),
    "purpose": N_("audit.detail.purpose"),
    "night": N_("audit.detail.night"),
    "granted": N_("audit.detail.granted"),
    "source": N_("audit.detail.source"),
    "at": N_("audit.detail.at"),
    # mobile_wallet.google_setup / apple_setup (mwallet21)
    "issuer_id": N_("audit.detail.issuer_id"),
    "service_account": N_("audit.detail.service_account"),
    "pass_type_id": N_("audit.detail.pass_type_id"),
    # the daily run's RFM scores (insight19); the wallet's spend and top-up (wallet18)
    "rfm_scored": N_("audit.detail.rfm_scored"),
    "ref": N_("audit.detail.ref"),
    "won": N_("audit.detail.won"),
    "cashback": N_("audit.detail.cashback"),
    "prepaid": N_("audit.detail.prepaid"),
    "paid_with": N_("audit.detail.paid_with"),
}
TEMPLATES = {
    "stamps": N_("prog.template.stamps"),
    "points": N_("prog.template.points"),
    "both": N_("prog.template.both"),
}
PRINTERS = {"pdf": N_("code.printer.pdf"), "escpos": N_("code.printer.escpos")}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _yes_no(lang: str, value: object) -> str:
    return translate(lang, "audit.yes") if value else translate(lang, "audit.no")


def _file_name(value: object) -> str:
    text = str(value)
    return re.split(r"[\\/]", text)[-1] or text


def _purpose(lang: str, value: object) -> str:
    text = str(value)
    if text.startswith("cli "):
        return translate(lang, "code.for_cli", command=text[4:])
    if text in _KNOWN_ACTIONS:
        return audit_action(lang, text)
    if f"staff.{text}" in _KNOWN_ACTIONS:
        return audit_action(lang, f"staff.{text}")
    return text


def _listed(lang: str, value: object, one: Callable[[str, str], str]) -> str:
    items = value if isinstance(value, list) else [value]
    return ", ".join(one(lang, str(item)) for item in items)


def _setting_key(lang: str, key: str) -> str:
    return translate(lang, SETTING_KEYS[key]) if key in SETTING_KEYS else key


def _store_field(lang: str, key: str) -> str:
    return translate(lang, STORE_FIELDS[key]) if key in STORE_FIELDS else key


SETTING_KEYS = {
    "language": N_("code.setting.language"),
    "idle_minutes": N_("code.setting.idle_minutes"),
    "void_window_minutes": N_("code.setting.void_window_minutes"),
    "consent_program_text": N_("code.setting.consent_program_text"),
    "consent_marketing_text": N_("code.setting.consent_marketing_text"),
    "phone_mask": N_("code.setting.phone_mask"),
    "auto_print_slip": N_("code.setting.auto_print_slip"),
    "slip_footer": N_("code.setting.slip_footer"),
    "printer": N_("code.setting.printer"),
    "backup_keep": N_("code.setting.backup_keep"),
    "backup_folder": N_("code.setting.backup_folder"),
    "logo_path": N_("code.setting.logo_path"),
    "consent_version": N_("code.setting.consent_version"),
    "winback_days": N_("code.setting.winback_days"),
    "marketing_renewal_months": N_("code.setting.marketing_renewal_months"),
    "daily_time": N_("code.setting.daily_time"),
    "demo_offered": N_("code.setting.demo_offered"),
    "card_sheet": N_("code.setting.card_sheet"),
}
STORE_FIELDS = {
    "name": N_("store.name"),
    "address": N_("store.address"),
    "phone": N_("store.phone_label"),
    "business_number": N_("store.business_number"),
}


def _value(lang: str, key: str, value: object) -> str:
    if key == "role":
        return role(lang, str(value))
    if key == "kind":
        text = str(value)
        return coupon_kind(lang, text) if text in COUPON_KINDS else action_kind(lang, text)
    if key == "template":
        return translate(lang, TEMPLATES[str(value)]) if value in TEMPLATES else str(value)
    if key == "printer":
        return translate(lang, PRINTERS[str(value)]) if value in PRINTERS else str(value)
    if key == "for":
        return _purpose(lang, value)
    if key in ("channel", "purpose", "source") and has_text(f"consent.{key}.{value}"):
        return translate(lang, f"consent.{key}.{value}")
    if key == "keys":
        return _listed(lang, value, _setting_key)
    if key == "fields":
        return _listed(lang, value, _store_field)
    if key in ("file", "previous_copy"):
        return _file_name(value)
    if key == "files":
        return ", ".join(_file_name(v) for v in value) if isinstance(value, list) else str(value)
    if key == "amount" and isinstance(value, int):
        return translate(lang, "code.won", amount=f"{value:,}")
    if isinstance(value, bool):
        return _yes_no(lang, value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def audit_detail(lang: str, detail: Mapping[str, Any] | None) -> list[str]:
    """The detail of an audit row in words, 'label: value' each; internal ids left out."""
    if not detail:
        return []
    detail = dict(detail)
    parts = []
    if "kind" in detail and detail.get("kind") in COUPON_KINDS and "value" in detail:
        coupon = coupon_text(lang, str(detail.pop("kind")), int(detail.pop("value")))
        parts.append(f"{translate(lang, 'audit.detail.coupon')}: {coupon}")
    for key, value in detail.items():
        if value is None or (isinstance(value, str) and _UUID.fullmatch(value)):
            continue
        if key in AUDIT_DETAILS and AUDIT_DETAILS[key] is None:
            continue
        label_key = AUDIT_DETAILS.get(key)
        label = translate(lang, label_key) if label_key else key
        parts.append(f"{label}: {_value(lang, key, value)}")
    return parts
