"""The outbox of messages to members: queued with the event, sent later by the worker.

* `queue_in` is called inside the use case's own transaction (a sale, a coupon, the daily
  run): the message exists exactly when the event does. One event, one message: its
  idempotency key is unique, and it travels to the provider with the message.
* `send_due` sends what is due. The rules are checked then, not only when queueing: the
  member still active, consent for the channel and purpose (app.services.consents.may_send
  once it is there), "(광고)", the store and a free opt-out on every advertisement, no
  advertising word in an informational text, the owner's quiet hours and the frequency cap.
* A message is claimed (status "sending") in its own transaction before the provider is
  called, so no other worker picks it; one left there by a crash is looked up at the
  provider by its key before it is ever sent again. A provider that does not answer leaves
  the message queued, retried with exponential backoff.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from app.db.models import Customer, LedgerEntry, Message, MessageTemplate, Store
from app.db.settings import set_setting
from app.domain import alimtalk
from app.domain.errors import Refused
from app.domain.expiry import remaining_to_expire
from app.domain.messages import (
    AD,
    ALIMTALK,
    DONE,
    INFO,
    KINDS,
    MAX_ATTEMPTS,
    MAX_TEMPLATE,
    SMS,
    WAITING,
    ad_text,
    backoff,
    carries_ad,
    is_free_number,
    is_proper_ad,
    parse_quiet,
    quiet_until,
    render,
    template_problem,
)
from app.domain.stamp_cards import StampCards
from app.messaging.base import Delivery, Outgoing, Provider, Rejected, Result, Unreachable
from app.messaging.credentials import load_secret, save_secret
from app.messaging.worker import MessageWorker as MessageWorker  # re-exported: the UI holds one
from app.services.audit_chain import audit
from app.services.consents import NoticeDue
from app.services.context import Context
from app.services.staff import require_owner

PROVIDER_KEY = "messages.provider"  # {"name", "api_key", "sender", "pf_id", "base_url"}
# before migration 0014 the triggers lived in this setting; now in message_templates
TRIGGERS_KEY = "messages.triggers"
RULES_KEY = "messages.rules"  # {"quiet": "HH:MM-HH:MM", "optout": "080...", "cap_day", ...}
FALLBACK, HOLD = "fallback", "hold"
DEFAULT_RULES: dict[str, Any] = {
    "quiet": "",  # the owner's quiet hours: nothing goes out then (held until they end)
    "optout": "",  # the free opt-out number printed on every advertisement (080...)
    "cap_day": 3,  # messages a member gets in 24 hours at most
    "cap_ads": 4,  # advertisements a member gets in 30 days at most
    # an informational message whose 알림톡 template is not approved: its SMS/LMS fallback
    # goes instead, or it is held until the template is approved
    "unapproved": FALLBACK,
}
UNAPPROVED_WAIT = timedelta(hours=1)  # a held message looks again for an approval this late
DELIVERY_WAIT = timedelta(minutes=1)  # a sent message's delivery is asked no more often
DELIVERY_GIVE_UP = timedelta(days=3)  # nor after this long (Solapi keeps reports 72 hours)
LEASE = timedelta(minutes=2)  # a message "sending" longer than this was left by a crash
BATCH = 50


# --- settings ----------------------------------------------------------------------------


def rules(ctx: Context) -> dict[str, Any]:
    stored = ctx.settings.get(RULES_KEY) or {}
    return {**DEFAULT_RULES, **(stored if isinstance(stored, dict) else {})}


def template_in(session: Session, kind: str, *, create: bool = True) -> MessageTemplate:
    """The trigger's template row; a kind without one (added after migration 0014) gets its
    default on first use (`create`), or an unsaved default when only reading."""
    row = session.scalars(select(MessageTemplate).where(MessageTemplate.kind == kind)).first()
    if row is not None:
        return row
    draft = alimtalk.default_draft(kind)
    now = datetime.now(UTC)
    row = MessageTemplate(
        kind=kind,
        on=alimtalk.default_on(kind),
        template_type=draft.template_type,
        text=draft.text,
        buttons="[]",
        fallback=draft.fallback,
        status=alimtalk.DRAFT,
        status_changed_at=now,
        updated_at=now,
    )
    if create:
        session.add(row)
        session.flush()
    return row


def approved_id(row: MessageTemplate) -> str | None:
    """The provider's id of the template when Kakao approved it: only then it goes as 알림톡."""
    if row.status == alimtalk.APPROVED and row.provider_template_id:
        return row.provider_template_id
    return None


def trigger(ctx: Context, kind: str) -> dict[str, Any]:
    """A trigger as the owner set it: on or off, its text, its approved 알림톡 template."""
    if kind not in alimtalk.known_kinds():
        raise Refused("messages.kind_unknown", kind=kind)
    with ctx.db.read() as session:
        row = template_in(session, kind, create=False)
        return {"on": row.on, "template": row.text, "template_id": approved_id(row)}


def set_trigger(
    ctx: Context,
    kind: str,
    *,
    on: bool | None = None,
    template: str | None = None,
    template_id: str | None = None,
) -> dict[str, Any]:
    """Owner only: a trigger on or off, its text (알림톡 and fallback alike), the id of a
    template already approved at the provider (registered there by hand). The templates'
    own use cases (app.services.message_templates) set each part on its own."""
    require_owner(ctx)
    if kind not in alimtalk.known_kinds():
        raise Refused("messages.kind_unknown", kind=kind)
    if on is False and kind == alimtalk.CONSENT_NOTICE:
        raise Refused("alimtalk.notice_required")
    if template is not None and kind in KINDS:
        problem = template_problem(KINDS[kind], template)
        if problem == "messages.info_has_ad":
            raise Refused("messages.info_has_ad", kind=kind)
        if problem is not None:
            raise Refused("messages.template_length", maximum=MAX_TEMPLATE)
    now = ctx.now()
    with ctx.db.write() as session:
        row = template_in(session, kind)
        if on is not None:
            row.on = on
        if template is not None and template != row.text:
            row.text = row.fallback = template
            row.status, row.status_reason, row.status_changed_at = alimtalk.DRAFT, None, now
            row.provider_template_id = None
        if template_id is not None:
            row.provider_template_id = template_id or None
            row.status = alimtalk.APPROVED if template_id else alimtalk.DRAFT
            row.status_reason, row.status_changed_at = None, now
        row.updated_at = now
        detail = {"kind": kind, "on": on, "template": template, "template_id": template_id}
        audit(
            ctx,
            session,
            "messages.trigger",
            detail={k: v for k, v in detail.items() if v is not None},
        )
        return {"on": row.on, "template": row.text, "template_id": approved_id(row)}


def set_rules(ctx: Context, **values: Any) -> dict[str, Any]:
    """Owner only: quiet hours, the free opt-out number, the frequency caps."""
    require_owner(ctx)
    for key, value in values.items():
        if key == "quiet":
            try:
                parse_quiet(str(value))
            except ValueError as exc:
                raise Refused("messages.quiet_invalid", value=str(value)) from exc
        elif key == "optout":
            if value and not is_free_number(str(value)):
                raise Refused("messages.optout_invalid", value=str(value))
        elif key == "unapproved":
            if value not in (FALLBACK, HOLD):
                raise Refused("messages.unapproved_invalid", value=str(value))
        elif key in ("cap_day", "cap_ads"):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
                raise Refused("messages.cap_invalid", value=str(value))
        else:
            raise Refused("settings.invalid", key=key)
    merged = {**rules(ctx), **values}
    with ctx.db.write() as session:
        set_setting(session, RULES_KEY, merged)
        audit(ctx, session, "messages.rules", detail=dict(values))
    ctx.settings[RULES_KEY] = merged
    return merged


@dataclass(frozen=True)
class ProviderSetup:
    provider: str
    sender: str
    pf_id: str | None
    secret_saved: bool  # in the OS keyring; else $DANGOL_SOLAPI_SECRET is read


def _account(api_key: str) -> str:
    return f"solapi:{api_key}"


def setup_provider(
    ctx: Context,
    api_key: str,
    api_secret: str,
    sender: str,
    *,
    pf_id: str | None = None,
    base_url: str | None = None,
) -> ProviderSetup:
    """Owner only: connect a Solapi account; the secret goes to the OS keyring, never the
    database. From then on the triggers queue messages and the counter's worker sends them."""
    require_owner(ctx)
    api_key, digits = api_key.strip(), re.sub(r"[\s-]", "", sender)
    if not api_key or not api_secret.strip():
        raise Refused("messages.key_required")
    if not re.fullmatch(r"0\d{7,11}", digits):  # a registered 발신번호: mobile or landline
        raise Refused("messages.sender_invalid", value=sender)
    sender = digits
    saved = save_secret(_account(api_key), api_secret.strip())
    value = {
        "name": "solapi",
        "api_key": api_key,
        "sender": sender,
        "pf_id": (pf_id or "").strip() or None,
        "base_url": base_url or None,
    }
    with ctx.db.write() as session:
        set_setting(session, PROVIDER_KEY, value)
        audit(
            ctx,
            session,
            "messages.setup",
            detail={"provider": "solapi", "sender": sender, "pf_id": value["pf_id"]},
        )
    ctx.settings[PROVIDER_KEY] = value
    return ProviderSetup("solapi", sender, value["pf_id"], saved)


def configured(ctx: Context) -> bool:
    return bool(ctx.settings.get(PROVIDER_KEY))


def provider_of(ctx: Context) -> Provider | None:
    """The provider the owner connected, or None (none set up, or its secret is missing)."""
    value = ctx.settings.get(PROVIDER_KEY)
    if not value:
        return None
    secret = load_secret(_account(value["api_key"]))
    if secret is None:
        return None
    from app.messaging.solapi import SolapiProvider

    return SolapiProvider(
        value["api_key"], secret, value["sender"], value.get("pf_id"), value.get("base_url")
    )


# --- queueing -----------------------------------------------------------------------------


def _store_name(ctx: Context, session: Session) -> str:
    store = session.get(Store, ctx.store_id)
    return store.name if store is not None else ""


def queue_in(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    kind: str,
    variables: dict[str, Any],
    *,
    key: str,
    when: datetime | None = None,
) -> Message | None:
    """A message of this kind to the member, in the caller's transaction.

    Nothing when no provider is connected, the trigger is off, or the member cannot receive
    anything (withdrawn, erased, no phone); the same key twice is the same message."""
    if not configured(ctx):
        return None
    purpose = alimtalk.purpose_of(kind)
    chosen = template_in(session, kind)
    if not chosen.on:
        return None
    customer = session.get(Customer, customer_id)
    if customer is None or customer.status != "active" or not customer.phone:
        return None
    existing = session.scalars(select(Message).where(Message.idempotency_key == key)).first()
    if existing is not None:
        return existing
    now = ctx.now()
    values = {
        "상점": _store_name(ctx, session),
        "이름": customer.name or "고객",
        **{name: str(value) for name, value in variables.items()},
    }
    # an advertisement goes by SMS/LMS only: its text is the template's fallback
    body = chosen.text if purpose == INFO else chosen.fallback
    message = Message(
        customer_id=customer.id,
        kind=kind,
        channel=ALIMTALK if purpose == INFO else SMS,
        purpose=purpose,
        template=body,
        variables=json.dumps(values, ensure_ascii=False),
        text=render(body, values),
        status="queued",
        send_after=when or now,
        attempts=0,
        idempotency_key=key,
        created_at=now,
        register_id=ctx.register_id,
    )
    session.add(message)
    return message


# --- the triggers: one call each from the use cases ----------------------------------------


def after_sale(
    ctx: Context,
    session: Session,
    sale_id: uuid.UUID,
    customer_id: uuid.UUID,
    earned: int,
    points: int,
    stamps_earned: int,
    cards: StampCards,
) -> None:
    """A sale's receipt of points, and "your reward is ready" when it completed a card."""
    if not configured(ctx):
        return
    if earned > 0:
        values = {"적립": f"{earned:,}", "포인트": f"{points:,}"}
        queue_in(ctx, session, customer_id, "points_earned", values, key=f"earned:{sale_id}")
    if stamps_earned > cards.filled and cards.ready:
        values = {"보상": cards.ready[-1].reward}
        queue_in(ctx, session, customer_id, "stamp_ready", values, key=f"stamps:{sale_id}")


class IssuedCoupon(Protocol):
    @property
    def customer_id(self) -> uuid.UUID: ...
    @property
    def code(self) -> str: ...
    @property
    def valid_until(self) -> datetime: ...


def coupon_issued(ctx: Context, session: Session, coupon: IssuedCoupon, kind: str) -> None:
    """A coupon given by the owner (informational) or by the win-back (an advertisement)."""
    if not configured(ctx):
        return
    last_day = ctx.local(coupon.valid_until - timedelta(microseconds=1)).date()
    values = {"쿠폰": coupon.code, "기한": f"{last_day.month}월 {last_day.day}일"}
    queue_in(ctx, session, coupon.customer_id, kind, values, key=f"{kind}:{coupon.code}")


def birthday(ctx: Context, session: Session, customer_id: uuid.UUID, year: int, bonus: int) -> None:
    """The birthday gift (an advertisement: it goes only with consent, never at night)."""
    values = {"보너스": f"{bonus:,}"}
    queue_in(ctx, session, customer_id, "birthday", values, key=f"birthday:{customer_id}:{year}")


REMINDERS = ((30, "points_expiring_30"), (7, "points_expiring_7"))


def expiry_reminders(ctx: Context, session: Session, now: datetime, since: datetime | None) -> int:
    """Points expiring in 30 and in 7 days: for lots whose expiry entered that horizon since
    the last daily run (or in the last day), once per member and day."""
    if not configured(ctx):
        return 0
    start = since if since is not None and since < now else now - timedelta(days=1)
    queued = 0
    for days, kind in REMINDERS:
        if not template_in(session, kind).on:
            continue
        low, high = start + timedelta(days=days), now + timedelta(days=days)
        e = LedgerEntry
        lot = e.expires_at.is_not(None)
        rows = session.execute(
            select(
                e.customer_id,
                func.coalesce(func.sum(case((lot, 0), else_=-e.points)), 0),
                func.coalesce(func.sum(case((lot & (e.expires_at <= low), e.points), else_=0)), 0),
                func.coalesce(func.sum(case((lot & (e.expires_at <= high), e.points), else_=0)), 0),
            )
            .join(Customer, Customer.id == e.customer_id)
            .where(
                Customer.status == "active",
                e.customer_id.in_(
                    select(LedgerEntry.customer_id).where(
                        LedgerEntry.expires_at > low,
                        LedgerEntry.expires_at <= high,
                        LedgerEntry.points > 0,
                    )
                ),
            )
            .group_by(e.customer_id)
        ).all()
        day = ctx.local_date(high)
        for customer_id, consumed, by_low, by_high in rows:
            used = max(0, int(consumed))
            amount = remaining_to_expire(max(0, int(by_high)), used) - remaining_to_expire(
                max(0, int(by_low)), used
            )
            if amount <= 0:
                continue
            values = {"소멸": f"{amount:,}", "날짜": f"{day.month}월 {day.day}일"}
            key = f"{kind}:{customer_id}:{day.isoformat()}"
            if queue_in(ctx, session, customer_id, kind, values, key=key) is not None:
                queued += 1
    return queued


CHANNEL_WORDS = {"sms": "문자", "alimtalk": "알림톡", "friendtalk": "친구톡"}


def notices_due(ctx: Context) -> list[NoticeDue]:
    """Members due the two-yearly notice of their consent (none when nothing can be sent)."""
    if not configured(ctx):
        return []
    from app.services.consents import notice_due

    return list(notice_due(ctx))


NOTICE_TRIES = 3  # a consent notice that failed is queued again the next day, this many in all


def _notice_key(ctx: Context, session: Session, member: NoticeDue) -> str | None:
    """The key of the notice to queue for this due date: the first (`consent_notice:<member>:
    <due date>`), or the next try (`...:<n>`) when the last one failed on an earlier day and
    fewer than NOTICE_TRIES were made; None when one is on its way, delivered or given up."""
    first = f"consent_notice:{member.member_id}:{member.due_on.isoformat()}"
    tried = list(
        session.scalars(
            select(Message)
            .where(
                (Message.idempotency_key == first)
                | Message.idempotency_key.startswith(f"{first}:", autoescape=True)
            )
            .order_by(Message.created_at.desc(), Message.attempts.desc())
        )
    )
    if not tried:
        return first
    last = tried[0]
    today = ctx.local_date(ctx.now())
    if last.status != "failed" or len(tried) >= NOTICE_TRIES:
        return None
    if ctx.local_date(last.created_at) >= today:
        return None  # failed today: again tomorrow
    return f"{first}:{len(tried) + 1}"


def consent_notices(ctx: Context, session: Session, due: list[NoticeDue]) -> int:
    """The notice of consent status, an informational message, for each member due: once per
    due date (the key names it), marked sent when the provider reports it delivered. One that
    failed (the carrier could not deliver it, the provider refused it) is queued again the
    next day, NOTICE_TRIES in all."""
    queued = 0
    for member in due:
        key = _notice_key(ctx, session, member)
        if key is None:
            continue
        consented = ctx.local(member.consented_at).date()
        what = ", ".join(CHANNEL_WORDS.get(c, c) for c in member.channels)
        values = {
            "동의일": f"{consented.year}년 {consented.month}월 {consented.day}일",
            "동의내용": f"{what} 마케팅 정보" + (" (야간 포함)" if member.night else ""),
        }
        if queue_in(ctx, session, member.member_id, alimtalk.CONSENT_NOTICE, values, key=key):
            queued += 1
    return queued


# --- the rules, when sending -----------------------------------------------------------

MaySend = Callable[..., tuple[bool, datetime | None, str | None]]


def _consent_rule() -> MaySend:
    """The consent rule: app.services.consents.may_send (per channel, purpose and night)."""
    from app.services.consents import may_send

    return may_send


@dataclass(frozen=True)
class Verdict:
    status: str  # ok, held, refused
    reason: str | None = None
    until: datetime | None = None
    text: str = ""
    channel: str = ""
    template_id: str | None = None  # the approved 알림톡 template it goes by
    fallback: str = ""  # the SMS/LMS text when the 알림톡 cannot be delivered


def check_rules(ctx: Context, session: Session, message: Message, now: datetime) -> Verdict:
    """Whether this message may go now, later (held) or never (refused), with its final text."""
    customer = session.get(Customer, message.customer_id)
    if customer is None or customer.status != "active" or not customer.phone:
        return Verdict("refused", "member_gone")
    channel = message.channel
    body = render(message.template, json.loads(message.variables))
    if message.purpose == AD:
        channel = SMS if channel == ALIMTALK else channel  # 알림톡 carries no advertising
        optout = str(rules(ctx)["optout"] or "")
        if not is_free_number(optout):
            return Verdict("refused", "no_optout")
        store = _store_name(ctx, session)
        text = ad_text(body, store, optout)
        if not is_proper_ad(text, store, optout):
            return Verdict("refused", "ad_form")
    else:
        row = template_in(session, message.kind)
        fallback = render(row.fallback, json.loads(message.variables))
        if carries_ad(body) or carries_ad(fallback):
            return Verdict("refused", "info_has_ad")
        text = body
        template_id = approved_id(row) if channel == ALIMTALK else None
        if channel == ALIMTALK and template_id is None:
            # only an approved template goes as 알림톡: else the fallback, or wait for approval
            if rules(ctx)["unapproved"] == HOLD:
                return Verdict("held", "template_not_approved", now + UNAPPROVED_WAIT)
            channel, text = SMS, fallback
    allowed, hold, reason = _consent_rule()(
        ctx, session, customer.id, channel, message.purpose, now
    )
    if not allowed:
        if hold is not None:
            return Verdict("held", reason, hold)
        return Verdict("refused", reason or "no_consent")
    setting = rules(ctx)
    try:
        quiet = parse_quiet(str(setting["quiet"] or ""))
    except ValueError:
        quiet = None
    if quiet is not None:
        until = quiet_until(ctx.local(now), *quiet)
        if until is not None:
            return Verdict("held", "quiet_hours", until)
    held = _over_cap(session, customer.id, now, timedelta(days=1), int(setting["cap_day"]), None)
    if held is None and message.purpose == AD:
        held = _over_cap(session, customer.id, now, timedelta(days=30), int(setting["cap_ads"]), AD)
    if held is not None:
        return Verdict("held", "cap", held)
    if message.purpose == AD:
        return Verdict("ok", text=text, channel=channel, fallback=text)
    return Verdict("ok", text=text, channel=channel, template_id=template_id, fallback=fallback)


def _over_cap(
    session: Session,
    customer_id: uuid.UUID,
    now: datetime,
    window: timedelta,
    cap: int,
    purpose: str | None,
) -> datetime | None:
    """When the member may get one more (the oldest in the window leaves it), if capped now."""
    stmt = select(Message.sent_at).where(
        Message.customer_id == customer_id,
        Message.status.in_(("sent", "fell_back", "sending")),
        Message.sent_at > now - window,
    )
    if purpose is not None:
        stmt = stmt.where(Message.purpose == purpose)
    sent = sorted(s for s in session.scalars(stmt) if s is not None)
    if len(sent) < cap:
        return None
    return sent[len(sent) - cap] + window


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageLine:
    """One message as the log and `send-due` show it."""

    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    channel: str
    purpose: str
    status: str
    send_after: datetime
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    cost_won: int | None
    text: str
    delivery: str | None = None  # what the provider reported: delivered, failed, fell_back
    delivered_at: datetime | None = None


def _line(m: Message) -> MessageLine:
    return MessageLine(
        m.id,
        m.customer_id,
        m.kind,
        m.channel,
        m.purpose,
        m.status,
        m.send_after,
        m.attempts,
        m.created_at,
        m.sent_at,
        m.last_error,
        m.cost_won,
        m.text,
        m.delivery,
        m.delivered_at,
    )


@dataclass(frozen=True)
class SendReport:
    messages: list[MessageLine]  # each message this run touched, as it is after it
    offline: bool  # the provider did not answer: the rest stays queued
    # sent messages whose delivery the provider reported in this run
    delivered: list[MessageLine] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(1 for m in self.messages if m.status in ("sent", "fell_back"))


def recover(ctx: Context) -> int:
    """Messages a crash left "sending" go back to the queue (looked up before any resend)."""
    now = ctx.now()
    with ctx.db.write() as session:
        result = session.execute(
            update(Message)
            .where(Message.status == "sending", Message.claimed_at < now - LEASE)
            .values(status="queued", send_after=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def send_due(ctx: Context, provider: Provider | None = None, *, limit: int = BATCH) -> SendReport:
    """Send what is due, one message at a time; stop at the first sign of being offline."""
    provider = provider or provider_of(ctx)
    if provider is None:
        raise Refused("messages.no_provider")
    recover(ctx)
    now = ctx.now()
    with ctx.db.read() as session:
        due = list(
            session.scalars(
                select(Message.id)
                .where(Message.status.in_(WAITING), Message.send_after <= now)
                .order_by(Message.send_after, Message.id)
                .limit(limit)
            )
        )
    touched: list[MessageLine] = []
    for message_id in due:
        line, offline = _send_one(ctx, provider, message_id)
        if line is not None:
            touched.append(line)
        if offline:
            return SendReport(touched, True)
    try:
        reported = check_deliveries(ctx, provider, limit=limit)
    except Unreachable:
        return SendReport(touched, True)
    return SendReport(touched, False, reported)


# --- what became of what was sent -----------------------------------------------------------


def check_deliveries(ctx: Context, provider: Provider, *, limit: int = BATCH) -> list[MessageLine]:
    """Ask the provider what became of messages it accepted (delivered, failed with the
    reason, fell back to SMS) and store it with the final cost; each right after it was
    sent, then at most once a minute, for three days. A consent notice
    delivered restarts the member's two years. Raises Unreachable when the provider does not
    answer (the rest is asked next time)."""
    now = ctx.now()
    with ctx.db.read() as session:
        waiting = list(
            session.execute(
                select(Message.id, Message.provider_message_id)
                .where(
                    Message.status.in_(("sent", "fell_back")),
                    Message.delivery.is_(None),
                    Message.provider_message_id.is_not(None),
                    Message.sent_at > now - DELIVERY_GIVE_UP,
                    Message.checked_at.is_(None) | (Message.checked_at <= now - DELIVERY_WAIT),
                )
                .order_by(Message.sent_at, Message.id)
                .limit(limit)
            )
        )
    reported: list[MessageLine] = []
    for message_id, provider_id in waiting:
        try:
            found = provider.delivery(str(provider_id))
        except Rejected:
            found = None
        line = _store_delivery(ctx, message_id, found)
        if line is not None:
            reported.append(line)
    return reported


def _store_delivery(
    ctx: Context, message_id: uuid.UUID, found: Delivery | None
) -> MessageLine | None:
    """The provider's report on one message; a line when it is final (else only checked_at)."""
    now = ctx.now()
    notice: tuple[uuid.UUID, datetime] | None = None
    with ctx.db.write() as session:
        message = session.get(Message, message_id)
        if message is None:
            return None
        message.checked_at = now
        if found is None or found.state == "pending":
            return None
        message.delivery = found.state
        if found.cost_won is not None:
            message.cost_won = found.cost_won
        if found.channel:
            message.channel = found.channel
        if found.state == "failed":
            message.status, message.last_error = "failed", found.error
        else:
            message.delivered_at = found.at or now
            if found.state == "fell_back":
                message.status = "fell_back"
            if message.kind == alimtalk.CONSENT_NOTICE:
                notice = (message.customer_id, message.delivered_at)
        line = _line(message)
    if notice is not None:
        from app.services.consents import notice_sent

        notice_sent(ctx, *notice)
    return line


def _send_one(
    ctx: Context, provider: Provider, message_id: uuid.UUID
) -> tuple[MessageLine | None, bool]:
    now = ctx.now()
    with ctx.db.write() as session:
        claimed = session.execute(
            update(Message)
            .where(Message.id == message_id, Message.status.in_(WAITING))
            .values(status="sending", claimed_at=now)
        )
        if not getattr(claimed, "rowcount", 0):
            return None, False  # another worker took it
        message = session.get(Message, message_id)
        assert message is not None
        verdict = check_rules(ctx, session, message, now)
        if verdict.status != "ok":
            message.status = "held" if verdict.status == "held" else "refused"
            message.last_error = verdict.reason
            message.claimed_at = None
            if verdict.until is not None:
                message.send_after = verdict.until
            return _line(message), False
        message.attempts += 1
        message.text, message.channel = verdict.text, verdict.channel
        customer = session.get(Customer, message.customer_id)
        assert customer is not None and customer.phone is not None
        variables = json.loads(message.variables)
        outgoing = Outgoing(
            key=message.idempotency_key,
            to=customer.phone,
            channel=message.channel,
            text=message.text,
            fallback_text=verdict.fallback or message.text,
            template_id=verdict.template_id,
            variables=variables,
            subject=variables.get("상점") or None,
        )
        tried_before, created = message.attempts > 1, message.created_at
    try:
        result = provider.find(outgoing, created) if tried_before else None
        if result is None:
            result = provider.send(outgoing)
    except Unreachable as exc:
        return _finish(ctx, message_id, None, f"unreachable: {exc}"[:300]), True
    except Rejected as exc:
        return _finish(ctx, message_id, Result("failed", error=str(exc)[:300]), None), False
    return _finish(ctx, message_id, result, None), False


def _finish(
    ctx: Context, message_id: uuid.UUID, result: Result | None, retry: str | None
) -> MessageLine:
    now = ctx.now()
    with ctx.db.write() as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.claimed_at = None
        if result is None:  # not answered: again later, or given up after many tries
            message.last_error = retry
            if message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
            else:
                message.status, message.send_after = "queued", now + backoff(message.attempts)
        else:
            message.status = result.status
            message.provider_message_id = result.provider_message_id
            message.cost_won = result.cost_won
            message.last_error = result.error
            if result.channel:
                message.channel = result.channel
            if result.status in ("sent", "fell_back"):
                message.sent_at = now
        return _line(message)


# --- what the owner sees ------------------------------------------------------------------


def queue(ctx: Context) -> list[MessageLine]:
    """Messages waiting (queued, held) or being sent, the next due first."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.status.not_in(DONE))
            .order_by(Message.send_after, Message.id)
            .limit(1000)
        )
        return [_line(m) for m in rows]


def log(ctx: Context, customer_id: uuid.UUID | None = None, limit: int = 200) -> list[MessageLine]:
    """Messages, newest first: all of them, or one member's."""
    with ctx.db.read() as session:
        stmt = select(Message).order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
        if customer_id is not None:
            stmt = stmt.where(Message.customer_id == customer_id)
        return [_line(m) for m in session.scalars(stmt)]


def month_cost(ctx: Context, month: str) -> int:
    """What the messages sent in a local month (YYYY-MM) cost, in won."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(Message.sent_at, Message.cost_won).where(Message.cost_won.is_not(None))
        )
        return sum(int(cost or 0) for at, cost in rows if at and ctx.month_of(at) == month)


def waiting_count(ctx: Context) -> int:
    with ctx.db.read() as session:
        return int(
            session.scalar(select(func.count(Message.id)).where(Message.status.in_(WAITING))) or 0
        )


def start_worker(ctx: Context, *, idle_seconds: float = 10.0) -> MessageWorker | None:
    """The counter's background sender, when a provider is connected (else None)."""
    if not configured(ctx):
        return None
    return MessageWorker(lambda: send_due(ctx), idle_seconds=idle_seconds).start()


# --- the back office's Messages page ---------------------------------------------------------


@dataclass(frozen=True)
class ProviderState:
    """Whether the shop can send: a provider connected, and its secret found on this PC."""

    configured: bool
    secret_found: bool
    sender: str | None
    pf_id: str | None


def provider_state(ctx: Context) -> ProviderState:
    value = ctx.settings.get(PROVIDER_KEY)
    if not value:
        return ProviderState(False, False, None, None)
    found = load_secret(_account(value["api_key"])) is not None
    return ProviderState(True, found, value.get("sender"), value.get("pf_id"))


@dataclass(frozen=True)
class LogRow:
    """A message in the month's log, with the member's masked phone (None once erased)."""

    message: MessageLine
    phone_masked: str | None


@dataclass(frozen=True)
class MonthLog:
    month: str  # YYYY-MM, local
    status: str | None  # the filter, None for all
    rows: list[LogRow]  # newest first, at most `limit`
    more: bool  # there were more than `limit` rows
    counts: dict[str, int]  # status -> messages of the month (whatever the filter)
    cost_won: int  # what the month's messages cost

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _month_range(ctx: Context, month: str) -> tuple[datetime, datetime]:
    """A local month (YYYY-MM) as [start, end) in UTC."""
    from datetime import UTC

    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise Refused("msgpage.month_invalid", value=month)
    year, number = int(match.group(1)), int(match.group(2))
    start = datetime(year, number, 1, tzinfo=ctx.zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=ctx.zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_log(ctx: Context, month: str, status: str | None = None, *, limit: int = 500) -> MonthLog:
    """The messages of a local month (by when they went, else when they were queued), newest
    first, optionally of one status; with the month's counts by status and its cost."""
    from app.domain.messages import STATUSES
    from app.domain.phone import Phone

    if status is not None and status not in STATUSES:
        raise Refused("msgpage.status_invalid", value=status)
    start, end = _month_range(ctx, month)
    at = func.coalesce(Message.sent_at, Message.created_at)
    in_month = (at >= start) & (at < end)
    style = ctx.settings.get("phone_mask", "middle")
    with ctx.db.read() as session:
        counts = {
            str(s): int(n)
            for s, n in session.execute(
                select(Message.status, func.count(Message.id))
                .where(in_month)
                .group_by(Message.status)
            )
        }
        cost = session.scalar(select(func.coalesce(func.sum(Message.cost_won), 0)).where(in_month))
        stmt = (
            select(Message, Customer.phone)
            .join(Customer, Customer.id == Message.customer_id)
            .where(in_month)
            .order_by(at.desc(), Message.id.desc())
            .limit(limit + 1)
        )
        if status is not None:
            stmt = stmt.where(Message.status == status)
        found = session.execute(stmt).all()
    rows = [LogRow(_line(m), Phone(phone).masked(style) if phone else None) for m, phone in found]
    return MonthLog(month, status, rows[:limit], len(rows) > limit, counts, int(cost or 0))


def queue_chosen(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    kind: str,
    variables: dict[str, Any],
    *,
    key: str,
) -> Message | None:
    """A message the owner chose to send now (the win-back page's 메시지 보내기), in the
    caller's transaction: as queue_in, with the trigger's template whether its automatic
    sending is on or off. The rules (consent, night, quiet hours, caps) still decide when
    sending."""
    row = template_in(session, kind)
    if row.on:
        return queue_in(ctx, session, customer_id, kind, variables, key=key)
    # queue_in's own checks and text for this one message, the row on in memory only: not
    # flushed meanwhile, put back before anything is written, so the trigger stays off
    with session.no_autoflush:
        row.on = True
        try:
            return queue_in(ctx, session, customer_id, kind, variables, key=key)
        finally:
            row.on = False


# --- coupons about to lapse --------------------------------------------------------------

COUPON_REMINDER_DAYS = 7


def coupon_reminders(ctx: Context, session: Session, now: datetime, since: datetime | None) -> int:
    """A coupon still unused whose last day comes in a week: one informational reminder, for
    coupons whose end entered that horizon since the last daily run (or in the last day)."""
    from app.db.models import Coupon
    from app.services.customers import coupon_use_counts

    if not configured(ctx) or not template_in(session, "coupon_expiring").on:
        return 0
    start = since if since is not None and since < now else now - timedelta(days=1)
    horizon = timedelta(days=COUPON_REMINDER_DAYS)
    coupons = list(
        session.scalars(
            select(Coupon)
            .join(Customer, Customer.id == Coupon.customer_id)
            .where(
                Customer.status == "active",
                Coupon.valid_from <= now,
                Coupon.valid_until > start + horizon,
                Coupon.valid_until <= now + horizon,
            )
            .order_by(Coupon.valid_until)
        )
    )
    used = coupon_use_counts(session, [c.id for c in coupons]) if coupons else {}
    queued = 0
    for coupon in coupons:
        if used.get(coupon.id, 0) > 0:
            continue
        last_day = ctx.local(coupon.valid_until - timedelta(microseconds=1)).date()
        values = {"쿠폰": coupon.code, "기한": f"{last_day.month}월 {last_day.day}일"}
        key = f"coupon_expiring:{coupon.code}"
        if queue_in(ctx, session, coupon.customer_id, "coupon_expiring", values, key=key):
            queued += 1
    return queued


# --- subscription passes about to end (passes18) -------------------------------------------

PASS_REMINDER_DAYS = 3


def pass_reminders(ctx: Context, session: Session, now: datetime, since: datetime | None) -> int:
    """An active pass whose last day comes in PASS_REMINDER_DAYS days: one informational
    reminder (pass_renewal), for passes whose end entered that horizon since the last daily
    run (or today); a paused pass waits (its end still moves)."""
    from app.services.passes import open_passes_ending

    if not configured(ctx) or not template_in(session, "pass_renewal").on:
        return 0
    today = ctx.local_date(now)
    first = ctx.local_date(since) if since is not None and since < now else today
    horizon = timedelta(days=PASS_REMINDER_DAYS)
    queued = 0
    for view in open_passes_ending(ctx, session, first + horizon, today + horizon, today):
        values = {"구독권": view.plan_name, "기한": f"{view.end.month}월 {view.end.day}일"}
        key = f"pass_renewal:{view.pass_id.hex}"
        if queue_in(ctx, session, view.customer_id, "pass_renewal", values, key=key):
            queued += 1
    return queued
