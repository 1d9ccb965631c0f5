"""The triggers' 알림톡 templates: list, read, change, submit for Kakao's review, ask where the
review stands, and preview with a real member's values.

A template changes only through `set_template` (owner only, checked by
app.domain.alimtalk.check, audited). Changing what Kakao reviews (the text, the type, its
extra or title, the buttons) makes it a draft again: the approved one at the provider no
longer matches, so the trigger sends its SMS/LMS fallback until the new one is approved.
The fallback, the category and on/off change without a new review.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Customer, LedgerEntry, MessageTemplate
from app.domain import alimtalk
from app.domain.alimtalk import Button, Draft, Problem
from app.domain.errors import Refused
from app.domain.messages import INFO, ad_text, render
from app.domain.phone import Phone
from app.messaging.base import Provider, TemplateButton, TemplateSpec, TemplateState
from app.services import messages
from app.services.audit_chain import audit
from app.services.consents import state_in
from app.services.context import Context
from app.services.ledger import balances
from app.services.staff import require_owner

# what a preview fills in when the member has no such value (an example, as a slip shows)
EXAMPLES: dict[str, str] = {
    "적립": "1,200",
    "보상": "아메리카노 1잔",
    "쿠폰": "A1B2C3",
    "기한": "12월 31일",
    "소멸": "3,000",
    "날짜": "12월 31일",
    "보너스": "2,000",
    "동의일": "2024년 12월 1일",
    "동의내용": "문자 마케팅 정보",
}


@dataclass(frozen=True)
class TemplateView:
    """A trigger's template as the back office and `messages templates` show it."""

    kind: str
    purpose: str  # info (알림톡 with SMS/LMS fallback) or ad (SMS/LMS only)
    on: bool
    template_type: str  # basic 기본형, extra 부가정보형, emphasis 강조표기형
    text: str  # the 알림톡 body with #{변수}
    extra: str | None
    emphasis_title: str | None
    buttons: list[Button]
    fallback: str  # the SMS/LMS text
    fallback_type: str  # SMS or LMS (at the variables' longest)
    category: str | None  # Kakao's template category code
    status: str  # draft, registered, inspecting, approved, rejected, missing (at the provider)
    status_reason: str | None  # why Kakao rejected it
    status_changed_at: datetime
    provider_template_id: str | None
    variables: list[str]  # the #{변수} this trigger fills
    problems: list[Problem]  # what the checks say now (empty: may be submitted)
    sends_as: str  # alimtalk (approved), sms (the fallback) or held (waits for approval)


@dataclass(frozen=True)
class Preview:
    """What a member would receive now: the 알림톡 and the fallback, filled in."""

    kind: str
    member_id: uuid.UUID
    phone_masked: str | None  # as it would be sent to, masked as the shop masks phones
    sends_as: str  # alimtalk, sms or held (see TemplateView.sends_as)
    alimtalk: str | None  # the 알림톡 text (None for an advertisement: SMS/LMS only)
    fallback: str  # the SMS/LMS text, an advertisement with "(광고)", store and opt-out
    fallback_type: str  # SMS or LMS
    buttons: list[Button]
    values: dict[str, str]  # every variable as filled (the member's own, else an example)


# --- reading -------------------------------------------------------------------------------


def _buttons(row: MessageTemplate) -> list[Button]:
    try:
        stored = json.loads(row.buttons or "[]")
    except ValueError:
        stored = []
    return [
        Button(
            str(b.get("type", "")),
            str(b.get("name", "")),
            b.get("link_mobile") or None,
            b.get("link_pc") or None,
        )
        for b in stored
        if isinstance(b, dict)
    ]


def _draft(row: MessageTemplate) -> Draft:
    return Draft(
        kind=row.kind,
        text=row.text,
        fallback=row.fallback,
        template_type=row.template_type,
        extra=row.extra,
        emphasis_title=row.emphasis_title,
        buttons=tuple(_buttons(row)),
    )


def _members_own(ctx: Context, session: Session, customer_id: uuid.UUID) -> dict[str, str]:
    """The member's last earning and their advertising consent, where they have them."""
    found: dict[str, str] = {}
    earned = session.scalar(
        select(LedgerEntry.points)
        .where(LedgerEntry.customer_id == customer_id, LedgerEntry.kind == "earn")
        .order_by(LedgerEntry.occurred_at.desc())
        .limit(1)
    )
    if earned:
        found["적립"] = f"{int(earned):,}"
    grants = [c for c in state_in(session, customer_id).ad_grants() if c.granted_at]
    if grants:
        day = ctx.local(min(c.granted_at for c in grants if c.granted_at is not None)).date()
        found["동의일"] = f"{day.year}년 {day.month}월 {day.day}일"
        what = ", ".join(
            dict.fromkeys(messages.CHANNEL_WORDS.get(c.channel, c.channel) for c in grants)
        )
        night = " (야간 포함)" if any(c.night for c in grants) else ""
        found["동의내용"] = f"{what} 마케팅 정보{night}"
    return found


def _sends_as(ctx: Context, row: MessageTemplate) -> str:
    """alimtalk when approved, else the fallback by SMS/LMS or held (the owner's rule);
    an advertisement always by SMS/LMS."""
    if alimtalk.purpose_of(row.kind) != INFO:
        return "sms"
    if messages.approved_id(row) is not None:
        return "alimtalk"
    return "held" if messages.rules(ctx)["unapproved"] == messages.HOLD else "sms"


def _view(ctx: Context, row: MessageTemplate) -> TemplateView:
    draft = _draft(row)
    longest = alimtalk.variables_of(row.kind)
    sized = render(row.fallback, {name: "가" * size for name, size in longest.items()})
    return TemplateView(
        kind=row.kind,
        purpose=alimtalk.purpose_of(row.kind),
        on=row.on,
        template_type=row.template_type,
        text=row.text,
        extra=row.extra,
        emphasis_title=row.emphasis_title,
        buttons=list(draft.buttons),
        fallback=row.fallback,
        fallback_type=alimtalk.fallback_type(sized),
        category=row.category,
        status=row.status,
        status_reason=row.status_reason,
        status_changed_at=row.status_changed_at,
        provider_template_id=row.provider_template_id,
        variables=list(longest),
        problems=alimtalk.check(draft),
        sends_as=_sends_as(ctx, row),
    )


def _known(kind: str) -> str:
    if kind not in alimtalk.known_kinds():
        raise Refused("messages.kind_unknown", kind=kind)
    return kind


def list_templates(ctx: Context) -> list[TemplateView]:
    """Every trigger's template, in the order of app.domain.messages.KINDS, then the notice."""
    with ctx.db.read() as session:
        return [
            _view(ctx, messages.template_in(session, k, create=False))
            for k in alimtalk.known_kinds()
        ]


def get(ctx: Context, kind: str) -> TemplateView:
    with ctx.db.read() as session:
        return _view(ctx, messages.template_in(session, _known(kind), create=False))


# --- changing ------------------------------------------------------------------------------

_REVIEWED = ("text", "template_type", "extra", "emphasis_title", "buttons")


def set_template(
    ctx: Context,
    kind: str,
    *,
    text: str | None = None,
    fallback: str | None = None,
    template_type: str | None = None,
    extra: str | None = None,
    emphasis_title: str | None = None,
    buttons: list[Button] | None = None,
    category: str | None = None,
    on: bool | None = None,
) -> TemplateView:
    """Owner only: change any part of a trigger's template (None: as it is). Refused with
    the first problem the checks find (nothing changed); a change to what Kakao reviews
    makes the template a draft again."""
    require_owner(ctx)
    _known(kind)
    if on is False and kind == alimtalk.CONSENT_NOTICE:
        raise Refused("alimtalk.notice_required")
    now = ctx.now()
    with ctx.db.write() as session:
        row = messages.template_in(session, kind)
        before = _draft(row)
        changes: dict[str, Any] = {
            "text": text,
            "fallback": fallback,
            "template_type": template_type,
            "extra": extra,
            "emphasis_title": emphasis_title,
            "buttons": tuple(buttons) if buttons is not None else None,
        }
        wanted = replace(before, **{k: v for k, v in changes.items() if v is not None})
        problems = alimtalk.check(wanted)
        if problems:
            raise Refused(problems[0].code, **problems[0].values)
        if category is not None and (bad := alimtalk.category_problem(category, required=False)):
            raise Refused(bad.code, **bad.values)
        reviewed = any(getattr(before, f) != getattr(wanted, f) for f in _REVIEWED)
        row.text, row.fallback = wanted.text, wanted.fallback
        row.template_type, row.extra = wanted.template_type, wanted.extra or None
        row.emphasis_title = wanted.emphasis_title or None
        row.buttons = json.dumps([b.__dict__ for b in wanted.buttons], ensure_ascii=False)
        if category is not None:
            row.category = category.strip() or None
        if on is not None:
            row.on = on
        if reviewed and row.status != alimtalk.DRAFT:
            row.status, row.status_reason, row.status_changed_at = alimtalk.DRAFT, None, now
            row.provider_template_id = None
        row.updated_at = now
        detail = {k: v for k, v in changes.items() if v is not None and k != "buttons"}
        if buttons is not None:
            detail["buttons"] = len(buttons)
        audit(ctx, session, "messages.template", detail={"kind": kind, "on": on, **detail})
        return _view(ctx, row)


# --- Kakao's review --------------------------------------------------------------------------


def _provider(ctx: Context, provider: Provider | None) -> Provider:
    found = provider or messages.provider_of(ctx)
    if found is None:
        raise Refused("messages.no_provider")
    return found


def _store_state(ctx: Context, kind: str, state: TemplateState, action: str) -> TemplateView:
    now = ctx.now()
    with ctx.db.write() as session:
        row = messages.template_in(session, kind)
        changed = (row.status, row.status_reason) != (state.status, state.reason)
        row.provider_template_id = state.template_id
        if changed or action == "submit":
            row.status, row.status_reason, row.status_changed_at = (
                state.status,
                state.reason,
                now,
            )
            detail = {"kind": kind, "status": state.status, "template_id": state.template_id}
            audit(ctx, session, f"messages.template_{action}", detail=detail)
        return _view(ctx, row)


def submit(ctx: Context, kind: str, provider: Provider | None = None) -> TemplateView:
    """Owner only: send the template to Kakao's review through the provider (registered,
    then 검수 중). Refused for an advertisement, a template the checks refuse, one already
    under review or approved, or when the provider refuses it (its words kept)."""
    require_owner(ctx)
    _known(kind)
    ad = alimtalk.submittable(kind)
    if ad is not None:
        raise Refused(ad.code, **ad.values)
    with ctx.db.read() as session:
        row = messages.template_in(session, kind, create=False)
        draft, status, category = _draft(row), row.status, row.category
    problems = alimtalk.check(draft)
    if problems:
        raise Refused(problems[0].code, **problems[0].values)
    if status in (alimtalk.REGISTERED, alimtalk.INSPECTING, alimtalk.APPROVED):
        raise Refused("alimtalk.already_submitted", kind=kind, status=status)
    unfit = alimtalk.category_problem(category, required=True)  # Kakao refuses it without
    if unfit is not None:
        raise Refused(unfit.code, **unfit.values)
    message_type, emphasize_type = alimtalk.KAKAO_TYPES[draft.template_type]
    spec = TemplateSpec(
        name=f"dangol-{kind}",
        text=draft.text,
        message_type=message_type,
        emphasize_type=emphasize_type,
        extra=draft.extra,
        emphasis_title=draft.emphasis_title,
        buttons=tuple(
            TemplateButton(b.type, b.name, b.link_mobile, b.link_pc) for b in draft.buttons
        ),
        category=category,
    )
    state = _ask(lambda p: p.submit_template(spec), _provider(ctx, provider))
    return _store_state(ctx, kind, state, "submit")


def refresh_status(
    ctx: Context, kind: str | None = None, provider: Provider | None = None
) -> list[TemplateView]:
    """Ask the provider where the review of each submitted template stands (or one kind's)
    and store what changed, with when; returns the templates asked about."""
    kinds = [_known(kind)] if kind is not None else list(alimtalk.known_kinds())
    with ctx.db.read() as session:
        asked = [
            (row.kind, row.provider_template_id)
            for row in session.scalars(
                select(MessageTemplate).where(
                    MessageTemplate.kind.in_(kinds),
                    MessageTemplate.provider_template_id.is_not(None),
                )
            )
        ]
    if kind is not None and not asked:
        raise Refused("alimtalk.not_submitted", kind=kind)
    found = _provider(ctx, provider)
    views = []
    for name, template_id in asked:
        state = _ask(lambda p, t=str(template_id): p.template_status(t), found, str(template_id))
        views.append(_store_state(ctx, name, state, "status"))
    order = {k: i for i, k in enumerate(alimtalk.known_kinds())}
    return sorted(views, key=lambda v: order[v.kind])


def _ask(call: Any, provider: Provider, asked_id: str | None = None) -> TemplateState:
    """The provider's answer; asking about a template (`asked_id`) the provider does not
    know is that template's own state (missing), so the others are still asked."""
    from app.messaging.base import NotFound, Rejected, Unreachable

    try:
        state: TemplateState = call(provider)
    except NotFound as exc:
        if asked_id is None:
            raise Refused("messages.provider_refused", reason=str(exc)[:200]) from exc
        return TemplateState(asked_id, alimtalk.MISSING, None)
    except Unreachable as exc:
        raise Refused("messages.provider_unreachable") from exc
    except Rejected as exc:
        raise Refused("messages.provider_refused", reason=str(exc)[:200]) from exc
    return state


# --- preview -------------------------------------------------------------------------------


def preview(ctx: Context, kind: str, customer_id: uuid.UUID) -> Preview:
    """The template filled with this member's values (name, store, points; an example for
    what only the event knows, such as a coupon's code), as it would be sent now."""
    _known(kind)
    with ctx.db.read() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise Refused("customer.not_found", query=str(customer_id))
        row = messages.template_in(session, kind, create=False)
        held = balances(session, customer_id, ctx.now())
        own = _members_own(ctx, session, customer_id)
        store = messages._store_name(ctx, session)
        values = {
            **EXAMPLES,
            "상점": store,
            "이름": customer.name or "고객",
            "포인트": f"{held.points:,}",
            **({"소멸": f"{held.expiring_30d:,}"} if held.expiring_30d else {}),
            **own,
        }
        view = _view(ctx, row)
        mask = ctx.settings.get("phone_mask", "middle")
        phone = Phone(customer.phone).masked(mask) if customer.phone else None
    known = {name: values.get(name, "") for name in alimtalk.variables_of(kind)}
    fallback = render(row.fallback, known)
    if view.purpose != INFO:  # as the sender writes every advertisement
        fallback = ad_text(fallback, store, str(messages.rules(ctx)["optout"] or "080-…"))
    return Preview(
        kind=kind,
        member_id=customer_id,
        phone_masked=phone,
        sends_as=view.sends_as,
        alimtalk=render(row.text, known) if view.purpose == INFO else None,
        fallback=fallback,
        fallback_type=alimtalk.fallback_type(fallback),
        buttons=view.buttons,
        values=known,
    )
