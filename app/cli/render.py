"""What the command line prints: one JSON object with --json, short lines otherwise."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from app.domain.card import format_card_token
from app.domain.money import format_won
from app.i18n import codes, translate, translate_plural
from app.services.customers import last_valid_day
from app.services.encoding import Shape, Shapes, service_shapes, to_json

# small result types for commands whose service returns plain values


class WordsAndData(Mapping[str, Any]):
    """A command's answer as two faces: its JSON is its items (`--json`), its text the
    sentences in the user's language (`str()`)."""

    def __init__(self, data: dict[str, Any], text: str) -> None:
        self._data, self._text = data, text

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __str__(self) -> str:
        return self._text


@dataclass(frozen=True)
class Raw:
    data: dict[str, Any]


@dataclass(frozen=True)
class Init:
    ctx: Any


@dataclass(frozen=True)
class Sold:
    """A sale and who made it (masked), so the cashier sees it went to the right member."""

    sale: Any
    name: str | None
    phone_masked: str | None


@dataclass(frozen=True)
class Pending:
    """POS sales waiting for a member (`pos pending`)."""

    pending: list[Any]


@dataclass(frozen=True)
class Stopped:
    """`serve` or `tap` ended (Ctrl+C): what ran and where it listened."""

    command: str
    listened: str


@dataclass(frozen=True)
class Found:
    customers: list[Any]


@dataclass(frozen=True)
class Erased:
    id: uuid.UUID


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


@dataclass(frozen=True)
class Months:
    reports: list[Any]


@dataclass(frozen=True)
class Exported:
    rows: int
    file: str


# --- --json: the services' encoder, with the shapes of the command line's own results --------


def _init_json(r: Init, encode: Any) -> dict[str, Any]:
    ctx = r.ctx
    return {
        "database": str(ctx.db.path or ctx.db.engine.url.render_as_string()),
        "upgraded_from": ctx.upgraded_from,
        "backup": ctx.backup_path,
    }


def _ledger_extra(r: Ledger) -> dict[str, Any]:
    return {
        "points": r.points,
        "stamps": r.lines[-1].stamps_balance if r.lines else 0,
        "points_due_to_expire": r.due_to_expire,
        "points_usable": r.points - r.due_to_expire,
    }


@cache
def _json_shapes() -> Shapes:
    from app.cli.messages import MessagesOutput, messages_json
    from app.cli.printing import Printed, printed_json
    from app.cli.sync import SyncOutput, sync_json

    return {
        **service_shapes(),
        Raw: lambda r, encode: r.data,
        Init: _init_json,
        Sold: lambda r, encode: {
            **encode(r.sale),
            "name": r.name,
            "phone_masked": r.phone_masked,
        },
        Erased: Shape(extra=lambda r: {"status": "erased"}),
        Ledger: Shape(
            rename={"lines": "entries"}, omit=frozenset({"usable_points"}), extra=_ledger_extra
        ),
        Months: Shape(rename={"reports": "months"}),
        Printed: printed_json,
        SyncOutput: sync_json,
        MessagesOutput: messages_json,
    }


def as_json(result: Any, ctx: Any) -> dict[str, Any]:
    return to_json(result, ctx, _json_shapes())


def exit_code(result: Any) -> int:
    if getattr(result, "failed", False) is True:  # a check that found a problem (sync doctor)
        return 1
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
        return translate(lang, "cli.database_error", error=detail or type(exc).__name__)
    error = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return translate(lang, "cli.unexpected", error=error)


def usage(detail: str, lang: str) -> str:
    """argparse's own words (English) inside a sentence in the user's language."""
    return translate(lang, "cli.bad_command", detail=detail)


def _program(ctx: Any) -> Any:
    from app.services.program import program_in_force

    return program_in_force(ctx)


def _tier_name(ctx: Any, code: str | None) -> str:
    """A tier's name in the program in force (its code when the program no longer has it)."""
    names = {level.code: level.name for level in _program(ctx).tiers.levels}
    return names.get(code or "", code or "")


def _rewards_ready(ctx: Any, n: int, lang: str) -> str:
    reward = _program(ctx).stamps.reward
    return translate_plural(lang, "cli.rewards", "cli.rewards_plural", n, reward=reward)


def _status_lines(s: Any, ctx: Any, lang: str) -> list[str]:
    head = " ".join(x for x in [s.name or "", s.phone_masked or "", f"[{s.tier_name}]"] if x)
    if s.birthday_month:
        head += f"  🎂 {translate(lang, 'cli.birthday')}"
    points = f"{translate(lang, 'cli.points')}: {s.points:,}P"
    if s.points_expiring_30d:
        points += f" ({translate(lang, 'cli.expiring', points=f'{s.points_expiring_30d:,}P')})"
    stamps = f"{translate(lang, 'cli.stamps')}: {s.stamps_on_card}/{s.stamp_goal}"
    if s.rewards_ready:
        stamps += f" ({_rewards_ready(ctx, s.rewards_ready, lang)})"
    lines = [head, points, stamps]
    if s.next_tier:
        lines.append(
            f"{translate(lang, 'cli.tier')}: "
            + translate(
                lang,
                "cli.to_next",
                tier=_tier_name(ctx, s.next_tier),
                won=format_won(s.to_next_tier, lang),
            )
        )
    coupons = ", ".join(f"{c.code} ({codes.coupon_text(lang, c.kind, c.value)})" for c in s.coupons)
    lines.append(f"{translate(lang, 'cli.coupons')}: {coupons or translate(lang, 'cli.none')}")
    if s.card:
        lines.append(f"{translate(lang, 'cli.card')}: {format_card_token(s.card)}")
    return lines


def as_text(result: Any, ctx: Any, lang: str) -> str:
    """The short lines of a result, written by the function for its type (str() if none)."""
    writers = _text_writers()
    for cls in type(result).__mro__:
        if cls in writers:
            return writers[cls](result, ctx, lang)
    return str(result)


TextWriter = Callable[[Any, Any, str], str]


@cache
def _text_writers() -> dict[type, TextWriter]:
    from app.domain.dashboard import MonthlyReport
    from app.services.backup import BackupResult
    from app.services.backup_schedule import PurgeResult
    from app.services.customers import CustomerStatus, Enrollment
    from app.services.daily import DailyResult
    from app.services.demo import DemoResult
    from app.services.owner import AdjustResult, IssuedCoupon
    from app.services.pos import RefundResult
    from app.services.redemptions import RedemptionResult
    from app.services.sales import SaleResult, VoidResult
    from app.services.tokens import NewToken, Revoked, TokenList
    from app.services.transfer import ImportResult

    return {
        RefundResult: _refund_text,
        Pending: _pending_text,
        Stopped: lambda r, ctx, lang: translate(lang, "cli.stopped", command=r.command),
        Init: _init_text,
        Raw: _raw_text,
        DemoResult: _demo_text,
        CustomerStatus: lambda r, ctx, lang: "\n".join(_status_lines(r, ctx, lang)),
        Enrollment: _enrollment_text,
        Found: _found_text,
        Sold: _sold_text,
        SaleResult: _sale_text,
        RedemptionResult: _redemption_text,
        VoidResult: _void_text,
        AdjustResult: _adjust_text,
        IssuedCoupon: _coupon_text,
        Erased: lambda r, ctx, lang: translate(lang, "cli.erased", id=r.id),
        Ledger: _ledger_text,
        DailyResult: _daily_text,
        MonthlyReport: lambda r, ctx, lang: _report_text(r, ctx, lang),
        Months: lambda r, ctx, lang: "\n\n".join(_report_text(m, ctx, lang) for m in r.reports),
        Exported: lambda r, ctx, lang: translate_plural(
            lang, "cli.exported", "cli.exported_plural", r.rows, n=f"{r.rows:,}", file=r.file
        ),
        ImportResult: lambda r, ctx, lang: _import_text(r, lang),
        BackupResult: _backup_text,
        PurgeResult: _purge_text,
        NewToken: _new_token_text,
        TokenList: _tokens_text,
        Revoked: lambda r, ctx, lang: translate(lang, "cli.token.revoked", id=r.id, name=r.name),
    }


def _init_text(r: Any, ctx: Any, lang: str) -> str:
    out = [translate(lang, "cli.init", where=as_json(r, ctx)["database"])]
    if ctx.upgraded_from:
        out.append(translate(lang, "cli.upgraded", old=ctx.upgraded_from, copy=ctx.backup_path))
    return "\n".join(out)


def _raw_text(r: Any, ctx: Any, lang: str) -> str:
    import json

    return json.dumps(r.data, ensure_ascii=False, indent=2)


def _demo_text(r: Any, ctx: Any, lang: str) -> str:
    if not r.created:
        return (
            translate(lang, "cli.demo_exists", customers=f"{r.customers:,}")
            + "\n"
            + translate(lang, "cli.demo_try", last4=r.showcase_phone[-4:])
        )
    return (
        translate(
            lang,
            "cli.demo_created",
            customers=f"{r.customers:,}",
            sales=f"{r.sales:,}",
            redemptions=f"{r.redemptions:,}",
        )
        + "\n"
        + translate(lang, "cli.demo_try", last4=r.showcase_phone[-4:])
    )


def _enrollment_text(r: Any, ctx: Any, lang: str) -> str:
    return "\n".join(
        [
            f"{translate(lang, 'cli.enrolled')}: {r.phone_masked}",
            f"{translate(lang, 'cli.card')}: {format_card_token(r.card)}",
            f"{translate(lang, 'cli.points')}: {r.points:,}P",
        ]
    )


def _found_text(r: Any, ctx: Any, lang: str) -> str:
    if not r.customers:
        return translate(lang, "cli.no_match")
    blocks = [translate(lang, "cli.matches", n=f"{len(r.customers):,}")]
    stamps = translate(lang, "cli.stamps")
    for s in r.customers:
        blocks.append(
            f"- {s.name or translate(lang, 'cust.no_name')} {s.phone_masked} [{s.tier_name}] "
            f"{s.points:,}P · {stamps} {s.stamps_on_card}/{s.stamp_goal}"
            f"  id={s.id}"
        )
    return "\n".join(blocks)


def _sold_text(r: Any, ctx: Any, lang: str) -> str:
    who = " ".join(x for x in (r.name, r.phone_masked) if x)
    return "\n".join(filter(None, [who, as_text(r.sale, ctx, lang)]))


def _sale_text(r: Any, ctx: Any, lang: str) -> str:
    lines = [
        translate(
            lang,
            "cli.sale",
            amount=format_won(r.amount, lang),
            points=f"{r.points_earned:,}",
            stamps=f"{r.stamps_earned:,}",
        )
    ]
    if r.campaign_points:
        lines.append(
            translate(
                lang,
                "cli.campaign",
                names=", ".join(r.campaigns),
                points=f"{r.campaign_points:,}",
            )
        )
    if r.promoted_from:
        lines.append(
            translate(
                lang,
                "cli.promoted",
                old=_tier_name(ctx, r.promoted_from),
                new=_tier_name(ctx, r.tier),
            )
        )
    lines.append(
        translate(lang, "cli.now", points=f"{r.points:,}", card=r.stamps_on_card, goal=r.stamp_goal)
    )
    if r.status is not None and r.status.rewards_ready:
        lines.append(_rewards_ready(ctx, r.status.rewards_ready, lang))
    if r.partner is not None:
        lines.append(partner_sale_line(r.partner, lang))
    lines.append(f"sale_id: {r.sale_id}")
    return "\n".join(lines)


def partner_sale_line(part: Any, lang: str) -> str:
    """The coalition's points of a sale: spent (their won), earned, the balance after it."""
    return translate(
        lang,
        "cli.sale_partner",
        coalition=part.coalition,
        spent=f"{part.spent:,}",
        value=format_won(part.spent_value, lang),
        earned=f"{part.earned:,}",
        balance=f"{part.balance:,}",
    )


def _redemption_text(r: Any, ctx: Any, lang: str) -> str:
    if r.kind == "points":
        head = translate(lang, "cli.redeemed_points", points=f"{r.points_used:,}")
    elif r.kind == "stamps":
        head = translate(lang, "cli.redeemed_stamps", reward=r.reward)
    else:
        head = translate(lang, "cli.redeemed_coupon", code=(r.coupon or {}).get("code"))
    points, stamps = translate(lang, "cli.points"), translate(lang, "cli.stamps")
    return "\n".join(
        [
            head,
            f"{points}: {r.points:,}P · {stamps}: {r.stamps}",
            f"redemption_id: {r.redemption_id}",
        ]
    )


def _void_text(r: Any, ctx: Any, lang: str) -> str:
    text = translate(
        lang,
        "cli.voided",
        kind=codes.action_kind(lang, r.kind),
        points=f"{r.points_change:+,}",
        stamps=f"{r.stamps_change:+,}",
    )
    if r.partner is not None:
        earned, spent = r.partner
        text += "\n" + translate(
            lang, "cli.voided_partner", earned=f"{earned:,}", spent=f"{spent:,}"
        )
    return text


def _adjust_text(r: Any, ctx: Any, lang: str) -> str:
    return translate(lang, "cli.adjusted", points=f"{r.points_change:+,}", balance=f"{r.points:,}")


def _coupon_text(r: Any, ctx: Any, lang: str) -> str:
    return translate(
        lang,
        "cli.coupon_issued",
        code=r.code,
        coupon=codes.coupon_text(lang, r.kind, r.value),
        until=last_valid_day(ctx, r.valid_until).isoformat(),
    )


def _ledger_text(r: Any, ctx: Any, lang: str) -> str:
    rows = []
    for line in r.lines:
        rows.append(
            f"{ctx.local(line.at):%Y-%m-%d %H:%M}  {_pad(_entry_kind(lang, line.kind), 6)} "
            f"{line.points:>+8,}P {line.stamps:>+4}  = {line.points_balance:>9,}P "
            f"{line.stamps_balance:>4}  {codes.ledger_reason(lang, line.reason)}"
        )
    if r.due_to_expire:
        rows.append(
            translate(
                lang,
                "cli.ledger_due",
                points=f"{r.due_to_expire:,}",
                usable=f"{r.points - r.due_to_expire:,}",
            )
        )
    return "\n".join(rows) or translate(lang, "cli.none")


def _entry_kind(lang: str, kind: str) -> str:
    return codes.ledger_kind(lang, kind)


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` columns, a Hangul syllable counting two."""
    wide = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    return text + " " * max(0, width - len(text) - wide)


def _daily_text(r: Any, ctx: Any, lang: str) -> str:
    return translate(
        lang,
        "cli.daily",
        day=r.day,
        points=f"{r.expired_points:,}",
        customers=f"{r.expired_customers:,}",
        evaluated=f"{r.tiers_evaluated:,}",
        promoted=f"{r.promoted:,}",
        demoted=f"{r.demoted:,}",
        birthdays=f"{r.birthday_bonuses:,}",
    )


def _backup_text(r: Any, ctx: Any, lang: str) -> str:
    if r.previous_copy:
        return translate(lang, "cli.restored", path=r.path, copy=r.previous_copy)
    return translate(
        lang,
        "cli.backup",
        path=r.path,
        customers=f"{r.customers:,}",
        entries=f"{r.ledger_entries:,}",
    )


def _report_text(r: Any, ctx: Any, lang: str) -> str:
    data = asdict(r)
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
        lines.append(f"{translate(lang, f'cli.{key}')}: {text}")
    lines.append(f"{translate(lang, 'cli.redemption_rate')}: {r.redemption_rate * 100:.1f}%")
    lines.append(
        f"{translate(lang, 'cli.tier_counts')}: "
        + ", ".join(f"{_tier_name(ctx, k)} {v:,}" for k, v in r.tier_counts.items())
    )
    return "\n".join(lines)


def _import_text(r: Any, lang: str) -> str:
    from app.domain.errors import Refused
    from app.i18n import explain

    lines = [
        translate(lang, "cli.line", line=b.line, reason=explain(Refused(b.code, **b.params), lang))
        for b in r.bad
    ]
    if r.dry_run:
        lines.append(translate(lang, "cli.import_dry", rows=f"{r.rows:,}", bad=f"{len(r.bad):,}"))
    elif r.bad and not r.imported:
        lines.append(
            translate_plural(
                lang,
                "cli.import_refused",
                "cli.import_refused_plural",
                len(r.bad),
                bad=f"{len(r.bad):,}",
            )
        )
    else:
        lines.append(
            translate(lang, "cli.import_ok", imported=f"{r.imported:,}", rows=f"{r.rows:,}")
        )
    return "\n".join(lines)


def _purge_text(r: Any, ctx: Any, lang: str) -> str:
    lines = [
        translate_plural(
            lang,
            "cli.backup.purged",
            "cli.backup.purged_plural",
            len(r.files),
            days=r.older_than_days,
        )
    ]
    return "\n".join(lines + [f"  {name}" for name in r.files])


def _refund_text(r: Any, ctx: Any, lang: str) -> str:
    lines = [
        translate(
            lang,
            "cli.refunded",
            ref=r.ref,
            amount=format_won(r.amount, lang),
            points=f"{r.points_reversed:,}",
            remaining=format_won(r.remaining_amount, lang),
        )
    ]
    if r.stamps_reversed:
        lines.append(translate(lang, "cli.refund.stamps", stamps=f"{r.stamps_reversed:,}"))
    if r.points_restored:
        lines.append(translate(lang, "cli.refund.restored", points=f"{r.points_restored:,}"))
    lines.append(translate(lang, "cli.refund.balance", points=f"{r.points:,}"))
    if r.negative_balance:
        lines.append(translate(lang, "cli.refund.negative"))
    return "\n".join(lines)


def _pending_text(r: Any, ctx: Any, lang: str) -> str:
    if not r.pending:
        return translate(lang, "cli.pos.no_pending")
    return "\n".join(
        translate(
            lang,
            "cli.pos.pending_line",
            ref=p.ref,
            amount=format_won(p.amount, lang),
            at=ctx.local(p.received_at).strftime("%H:%M"),
            source=p.source,
        )
        for p in r.pending
    )


def _new_token_text(r: Any, ctx: Any, lang: str) -> str:
    return "\n".join(
        [
            translate(lang, "cli.token.created", id=r.id, name=r.name, scope=r.scope),
            r.token,
            translate(lang, "cli.token.shown_once"),
        ]
    )


def _tokens_text(r: Any, ctx: Any, lang: str) -> str:
    if not r.tokens:
        return translate(lang, "cli.token.none")
    lines = []
    for token in r.tokens:
        made = ctx.local(token.created_at).strftime("%Y-%m-%d %H:%M")
        if token.revoked_at is None:
            state = translate(lang, "cli.token.active")
        else:
            state = translate(
                lang,
                "cli.token.revoked_at",
                at=ctx.local(token.revoked_at).strftime("%Y-%m-%d %H:%M"),
            )
        lines.append(f"{token.id}  {token.name}  {token.scope}  {made}  {state}")
    return "\n".join(lines)
