"""What the command line prints: one JSON object with --json, short lines otherwise."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.domain.card import format_card_token
from app.domain.money import format_won

LABELS: dict[str, dict[str, str]] = {
    "ko": {
        "init": "데이터베이스 준비 완료: {where}",
        "upgraded": "이전 버전({old})에서 업그레이드했습니다. 원본 사본: {copy}",
        "demo_created": "데모 가게를 만들었습니다: 회원 {customers}명, 구매 {sales}건, 사용 {redemptions}건.",
        "demo_exists": "이미 회원이 {customers}명 있어 데모를 만들지 않았습니다.",
        "demo_try": "찾아보기: dangol customer find {last4}",
        "points": "포인트",
        "stamps": "스탬프",
        "tier": "등급",
        "card": "카드",
        "expiring": "30일 내 소멸 예정 {points}",
        "rewards": "보상 {n}개 사용 가능: {reward}",
        "to_next": "{tier}까지 {won}",
        "coupons": "쿠폰",
        "none": "없음",
        "birthday": "이번 달 생일",
        "enrolled": "가입 완료",
        "no_match": "일치하는 회원이 없습니다.",
        "matches": "{n}명 찾음",
        "sale": "구매 {amount} → +{points}P · 스탬프 +{stamps}",
        "campaign": "캠페인 {names} +{points}P",
        "promoted": "등급 상승: {old} → {new}",
        "now": "현재 {points}P · 스탬프 {card}/{goal}",
        "redeemed_points": "{points}P 사용",
        "redeemed_stamps": "스탬프 보상 사용: {reward}",
        "redeemed_coupon": "쿠폰 {code} 사용",
        "voided": "취소 완료 ({kind}): 포인트 {points:+d}, 스탬프 {stamps:+d}",
        "adjusted": "조정 {points:+d}P → 잔액 {balance}P",
        "coupon_issued": "쿠폰 발급: {code} ({kind} {value}, {until}까지)",
        "erased": "개인정보를 삭제했습니다 (원장은 보존): {id}",
        "exported": "{n}명을 {file}에 내보냈습니다.",
        "import_ok": "{imported}명을 가져왔습니다 (전체 {rows}줄).",
        "import_dry": "점검만 했습니다: {rows}줄 중 문제 {bad}줄. 아무것도 저장하지 않았습니다.",
        "import_refused": "문제가 있는 줄이 {bad}개라 아무것도 가져오지 않았습니다 (--skip-bad로 나머지만 가져올 수 있습니다).",
        "line": "{line}번째 줄: {reason}",
        "backup": "백업 완료: {path} (회원 {customers}명, 원장 {entries}건, 무결성 확인)",
        "restored": "복원 완료: {path}. 복원 전 상태는 {copy}에 보관했습니다.",
        "daily": "일일 작업 ({day}): 소멸 {points}P ({customers}명), 등급 평가 {evaluated}명 (상승 {promoted}, 하락 {demoted}), 생일 보너스 {birthdays}명",
        "ledger_due": "소멸 대기 -{points}P (다음 적립·사용 또는 일일 작업 때 기록됩니다) → 사용 가능 {usable}P",
        "unexpected": "예기치 않은 오류가 발생했습니다 ({error}). 아무것도 저장되지 않았습니다.",
        "database_error": "데이터베이스를 사용할 수 없습니다 ({error}). 아무것도 저장되지 않았습니다.",
        "usage": "명령을 이해하지 못했습니다: {detail} (도움말: dangol --help)",
        "members": "회원",
        "new_members": "신규",
        "active_members": "활동",
        "visits": "방문",
        "sales_amount": "매출",
        "points_issued": "적립",
        "points_redeemed": "사용",
        "points_expired": "소멸",
        "points_outstanding": "미사용 포인트(부채)",
        "redemption_rate": "사용률",
        "tier_counts": "등급별",
    },
    "en": {
        "init": "Database ready: {where}",
        "upgraded": "Upgraded from version {old}; the original was copied to {copy}",
        "demo_created": "Demo shop created: {customers} members, {sales} sales, {redemptions} redemptions.",
        "demo_exists": "The shop already has {customers} members; no demo was added.",
        "demo_try": "Try: dangol customer find {last4}",
        "points": "Points",
        "stamps": "Stamps",
        "tier": "Tier",
        "card": "Card",
        "expiring": "{points} expiring within 30 days",
        "rewards": "{n} reward(s) ready: {reward}",
        "to_next": "{won} to {tier}",
        "coupons": "Coupons",
        "none": "none",
        "birthday": "birthday this month",
        "enrolled": "Enrolled",
        "no_match": "No member matches.",
        "matches": "{n} found",
        "sale": "Purchase {amount} → +{points}P · stamps +{stamps}",
        "campaign": "Campaign {names} +{points}P",
        "promoted": "Tier up: {old} → {new}",
        "now": "Now {points}P · stamps {card}/{goal}",
        "redeemed_points": "{points}P used",
        "redeemed_stamps": "Stamp reward used: {reward}",
        "redeemed_coupon": "Coupon {code} used",
        "voided": "Voided ({kind}): points {points:+d}, stamps {stamps:+d}",
        "adjusted": "Adjusted {points:+d}P → balance {balance}P",
        "coupon_issued": "Coupon issued: {code} ({kind} {value}, until {until})",
        "erased": "Personal data erased (ledger kept): {id}",
        "exported": "Exported {n} members to {file}.",
        "import_ok": "Imported {imported} members ({rows} lines).",
        "import_dry": "Checked only: {bad} of {rows} lines have problems. Nothing was saved.",
        "import_refused": "{bad} lines have problems, so nothing was imported (--skip-bad imports the rest).",
        "line": "line {line}: {reason}",
        "backup": "Backup written: {path} ({customers} members, {entries} entries, verified)",
        "restored": "Restored {path}. The state before was kept in {copy}.",
        "daily": "Daily run ({day}): expired {points}P ({customers} members), tiers evaluated {evaluated} (up {promoted}, down {demoted}), birthday bonuses {birthdays}",
        "ledger_due": "Due to expire -{points}P (written at the next action or daily run) → usable {usable}P",
        "unexpected": "Unexpected error ({error}). Nothing was saved.",
        "database_error": "The database cannot be used ({error}). Nothing was saved.",
        "usage": "Invalid command line: {detail} (see dangol --help)",
        "members": "members",
        "new_members": "new",
        "active_members": "active",
        "visits": "visits",
        "sales_amount": "sales",
        "points_issued": "points issued",
        "points_redeemed": "redeemed",
        "points_expired": "expired",
        "points_outstanding": "outstanding (liability)",
        "redemption_rate": "redemption rate",
        "tier_counts": "tiers",
    },
}


def t(lang: str, key: str, **params: Any) -> str:
    return LABELS.get(lang, LABELS["en"])[key].format(**params)


# small result types for commands whose service returns plain values


@dataclass(frozen=True)
class Raw:
    data: dict[str, Any]

    def to_json(self, shop: Any) -> dict[str, Any]:
        return self.data


@dataclass(frozen=True)
class Init:
    shop: Any

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {
            "database": str(shop.db.path or shop.db.engine.url.render_as_string()),
            "upgraded_from": shop.upgraded_from,
            "backup": shop.backup_path,
        }


@dataclass(frozen=True)
class Sold:
    """A sale and who made it (masked), so the cashier sees it went to the right member."""

    sale: Any
    name: str | None
    phone_masked: str | None

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {**self.sale.to_json(shop), "name": self.name, "phone_masked": self.phone_masked}


@dataclass(frozen=True)
class Found:
    customers: list[Any]

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {"customers": [c.to_json(shop) for c in self.customers]}


@dataclass(frozen=True)
class Erased:
    id: uuid.UUID

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {"id": str(self.id), "status": "erased"}


@dataclass(frozen=True)
class Ledger:
    customer_id: uuid.UUID
    lines: list[Any]
    usable_points: int | None = None  # the ledger sum less what expired but is not written yet

    @property
    def points(self) -> int:
        return self.lines[-1].points_balance if self.lines else 0

    @property
    def due_to_expire(self) -> int:
        return 0 if self.usable_points is None else self.points - self.usable_points

    def to_json(self, shop: Any) -> dict[str, Any]:
        last = self.lines[-1] if self.lines else None
        return {
            "customer_id": str(self.customer_id),
            "entries": [line.to_json(shop) for line in self.lines],
            "points": self.points,
            "stamps": last.stamps_balance if last else 0,
            "points_due_to_expire": self.due_to_expire,
            "points_usable": self.points - self.due_to_expire,
        }


@dataclass(frozen=True)
class Months:
    reports: list[Any]

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {"months": [r.to_json(shop) for r in self.reports]}


@dataclass(frozen=True)
class Exported:
    rows: int
    file: str

    def to_json(self, shop: Any) -> dict[str, Any]:
        return {"rows": self.rows, "file": self.file}


def as_json(result: Any, shop: Any) -> dict[str, Any]:
    return result.to_json(shop)  # type: ignore[no-any-return]


def exit_code(result: Any) -> int:
    # an import that refused its rows (or found bad ones in a dry run) says so in its exit code
    bad = getattr(result, "bad", None)
    if bad and not (getattr(result, "imported", 0) and not getattr(result, "dry_run", False)):
        return 2
    return 0


MAX_ERROR_DETAIL = 160


def unexpected(exc: BaseException, lang: str) -> str:
    """One line: what went wrong in short (the first line of the error, without the driver's
    class in parentheses that SQLAlchemy puts first)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    lines = str(exc).strip().splitlines()
    detail = re.sub(r"^\([\w.]+\)\s*", "", lines[0].strip()) if lines else ""
    if len(detail) > MAX_ERROR_DETAIL:
        detail = detail[: MAX_ERROR_DETAIL - 1].rstrip() + "…"
    if isinstance(exc, OperationalError | InterfaceError):
        return t(lang, "database_error", error=detail or type(exc).__name__)
    error = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return t(lang, "unexpected", error=error)


def usage(detail: str, lang: str) -> str:
    """argparse's own words (English) inside a sentence in the user's language."""
    return t(lang, "usage", detail=detail)


def _status_lines(s: Any, lang: str) -> list[str]:
    head = " ".join(
        x for x in [s.name or "", s.phone_masked or "", f"[{s.tier_name} {s.tier}]"] if x
    )
    if s.birthday_month:
        head += f"  🎂 {t(lang, 'birthday')}"
    points = f"{t(lang, 'points')}: {s.points:,}P"
    if s.points_expiring_30d:
        points += f" ({t(lang, 'expiring', points=f'{s.points_expiring_30d:,}P')})"
    stamps = f"{t(lang, 'stamps')}: {s.stamps % s.stamp_goal}/{s.stamp_goal}"
    if s.rewards_ready:
        stamps += f" ({t(lang, 'rewards', n=s.rewards_ready, reward='')})".replace(": )", ")")
    lines = [head, points, stamps]
    if s.next_tier:
        lines.append(
            f"{t(lang, 'tier')}: "
            + t(lang, "to_next", tier=s.next_tier, won=format_won(s.to_next_tier, lang))
        )
    coupons = ", ".join(f"{c.code} ({c.kind} {c.value})" for c in s.coupons)
    lines.append(f"{t(lang, 'coupons')}: {coupons or t(lang, 'none')}")
    if s.card:
        lines.append(f"{t(lang, 'card')}: {format_card_token(s.card)}")
    return lines


def as_text(result: Any, shop: Any, lang: str) -> str:
    from app.domain.dashboard import MonthlyReport
    from app.services.backup import BackupResult
    from app.services.customers import CustomerStatus, Enrollment
    from app.services.daily import DailyResult
    from app.services.demo import DemoResult
    from app.services.owner import AdjustResult, IssuedCoupon
    from app.services.redemptions import RedemptionResult
    from app.services.sales import SaleResult, VoidResult
    from app.services.transfer import ImportResult

    r = result
    if isinstance(r, Init):
        out = [t(lang, "init", where=r.to_json(shop)["database"])]
        if shop.upgraded_from:
            out.append(t(lang, "upgraded", old=shop.upgraded_from, copy=shop.backup_path))
        return "\n".join(out)
    if isinstance(r, Raw):
        import json

        return json.dumps(r.data, ensure_ascii=False, indent=2)
    if isinstance(r, DemoResult):
        if not r.created:
            return (
                t(lang, "demo_exists", customers=r.customers)
                + "\n"
                + t(lang, "demo_try", last4=r.showcase_phone[-4:])
            )
        return (
            t(lang, "demo_created", customers=r.customers, sales=r.sales, redemptions=r.redemptions)
            + "\n"
            + t(lang, "demo_try", last4=r.showcase_phone[-4:])
        )
    if isinstance(r, CustomerStatus):
        return "\n".join(_status_lines(r, lang))
    if isinstance(r, Enrollment):
        return "\n".join(
            [
                f"{t(lang, 'enrolled')}: {r.phone_masked}",
                f"{t(lang, 'card')}: {format_card_token(r.card)}",
                f"{t(lang, 'points')}: {r.points:,}P",
            ]
        )
    if isinstance(r, Found):
        if not r.customers:
            return t(lang, "no_match")
        blocks = [t(lang, "matches", n=len(r.customers))]
        for s in r.customers:
            blocks.append(
                f"- {s.name or ''} {s.phone_masked} [{s.tier}] "
                f"{s.points:,}P · {t(lang, 'stamps')} {s.stamps % s.stamp_goal}/{s.stamp_goal}"
                f"  id={s.id}"
            )
        return "\n".join(blocks)
    if isinstance(r, Sold):
        who = " ".join(x for x in (r.name, r.phone_masked) if x)
        return "\n".join(filter(None, [who, as_text(r.sale, shop, lang)]))
    if isinstance(r, SaleResult):
        lines = [
            t(
                lang,
                "sale",
                amount=format_won(r.amount, lang),
                points=r.points_earned,
                stamps=r.stamps_earned,
            )
        ]
        if r.campaign_points:
            lines.append(
                t(lang, "campaign", names=", ".join(r.campaigns), points=r.campaign_points)
            )
        if r.promoted_from:
            lines.append(t(lang, "promoted", old=r.promoted_from, new=r.tier))
        lines.append(
            t(lang, "now", points=f"{r.points:,}", card=r.stamps % r.stamp_goal, goal=r.stamp_goal)
        )
        lines.append(f"sale_id: {r.sale_id}")
        return "\n".join(lines)
    if isinstance(r, RedemptionResult):
        if r.kind == "points":
            head = t(lang, "redeemed_points", points=f"{r.points_used:,}")
        elif r.kind == "stamps":
            head = t(lang, "redeemed_stamps", reward=r.reward)
        else:
            head = t(lang, "redeemed_coupon", code=(r.coupon or {}).get("code"))
        return "\n".join(
            [
                head,
                f"{t(lang, 'points')}: {r.points:,}P · {t(lang, 'stamps')}: {r.stamps}",
                f"redemption_id: {r.redemption_id}",
            ]
        )
    if isinstance(r, VoidResult):
        return t(lang, "voided", kind=r.kind, points=r.points_change, stamps=r.stamps_change)
    if isinstance(r, AdjustResult):
        return t(lang, "adjusted", points=r.points_change, balance=f"{r.points:,}")
    if isinstance(r, IssuedCoupon):
        return t(
            lang,
            "coupon_issued",
            code=r.code,
            kind=r.kind,
            value=r.value,
            # valid_until is exclusive (local midnight): show the last day it can be used
            until=shop.local(r.valid_until - timedelta(microseconds=1)).date().isoformat(),
        )
    if isinstance(r, Erased):
        return t(lang, "erased", id=r.id)
    if isinstance(r, Ledger):
        rows = []
        for line in r.lines:
            rows.append(
                f"{shop.local(line.at):%Y-%m-%d %H:%M}  {line.kind:<6} "
                f"{line.points:>+8,}P {line.stamps:>+4}  = {line.points_balance:>9,}P "
                f"{line.stamps_balance:>4}  {line.reason or ''}"
            )
        if r.due_to_expire:
            rows.append(
                t(
                    lang,
                    "ledger_due",
                    points=f"{r.due_to_expire:,}",
                    usable=f"{r.points - r.due_to_expire:,}",
                )
            )
        return "\n".join(rows) or t(lang, "none")
    if isinstance(r, DailyResult):
        return t(
            lang,
            "daily",
            day=r.day,
            points=r.expired_points,
            customers=r.expired_customers,
            evaluated=r.tiers_evaluated,
            promoted=r.promoted,
            demoted=r.demoted,
            birthdays=r.birthday_bonuses,
        )
    if isinstance(r, MonthlyReport):
        return _report_text(r, lang)
    if isinstance(r, Months):
        return "\n\n".join(_report_text(m, lang) for m in r.reports)
    if isinstance(r, Exported):
        return t(lang, "exported", n=r.rows, file=r.file)
    if isinstance(r, ImportResult):
        return _import_text(r, lang)
    if isinstance(r, BackupResult):
        if r.previous_copy:
            return t(lang, "restored", path=r.path, copy=r.previous_copy)
        return t(lang, "backup", path=r.path, customers=r.customers, entries=r.ledger_entries)
    return str(r)


def _report_text(r: Any, lang: str) -> str:
    data = r.to_json()
    lines = [f"== {r.month} =="]
    for key in (
        "members",
        "new_members",
        "active_members",
        "visits",
        "sales_amount",
        "points_issued",
        "points_redeemed",
        "points_expired",
        "points_outstanding",
    ):
        value = data[key]
        text = format_won(value, lang) if key == "sales_amount" else f"{value:,}"
        lines.append(f"{t(lang, key)}: {text}")
    lines.append(f"{t(lang, 'redemption_rate')}: {r.redemption_rate * 100:.1f}%")
    lines.append(
        f"{t(lang, 'tier_counts')}: " + ", ".join(f"{k} {v:,}" for k, v in r.tier_counts.items())
    )
    return "\n".join(lines)


def _import_text(r: Any, lang: str) -> str:
    from app.domain.errors import Refused
    from app.i18n import explain

    lines = [
        t(lang, "line", line=b.line, reason=explain(Refused(b.code, **b.params), lang))
        for b in r.bad
    ]
    if r.dry_run:
        lines.append(t(lang, "import_dry", rows=r.rows, bad=len(r.bad)))
    elif r.bad and not r.imported:
        lines.append(t(lang, "import_refused", bad=len(r.bad)))
    else:
        lines.append(t(lang, "import_ok", imported=r.imported, rows=r.rows))
    return "\n".join(lines)
