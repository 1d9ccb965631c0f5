"""The customer checks in on their own screen (the customer display, a tablet): they type their
phone number, or its last 4 digits, and see their points; an unknown number may join there.

Every check-in is a ``checkins`` row (source ``display`` or ``tablet``, the device's name)
and, in the same transaction, attaches the oldest pending POS sale to that member
(``pos.attach_oldest_pending_in``) unless a check-in of theirs within the POS's pending window
already took one; a later sale for the member within that window fills the row's ``sale_id``
(``app.db.checkins.link_sale_in``, from the sale itself).

What a customer's screen may show: the masked number, the name's first letter, points,
stamps, ready rewards, the number of coupons. Never a full number or a name: with several
members sharing the last 4 digits, each is a one-time choice token, its masked number and
initial. The customer id in `MemberCard` is for the counter (to select the member); a web
page should not send it to the tablet.

Consents given on the customer's screen are recorded with the source ``display`` (the
customer's own tap, never the cashier's), each with its time, and audited.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import CheckIn, Customer
from app.db.settings import set_setting
from app.domain import consent as consent_rules
from app.domain.errors import Refused
from app.domain.phone import Phone, parse_phone
from app.services import consents, pos
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import enroll_in, masked_phone, status_of
from app.services.sales import SaleResult

SOURCES = ("display", "tablet")
# the consent source of whatever the customer taps on their own screen (app.domain.consent)
CONSENT_SOURCE = "display"
MAX_CHOICES = 5  # more members sharing the last 4 digits: the customer types the full number
CHOICE_SECONDS = 180  # a choice token is good for this long, once
MAX_DEVICE = 60
# set with the shop's first check-in: until then a sale spends no statement looking for one
USED = "checkins_used"

# kinds of a CheckInResult
MEMBER = "member"
CHOICES = "choices"
UNKNOWN = "unknown"
REFUSED = "refused"


@dataclass(frozen=True)
class MemberCard:
    """What the customer's own screen shows of a member (and the counter's id to select)."""

    customer_id: uuid.UUID  # for the counter only; never shown, not for a web page
    phone_masked: str
    initial: str | None  # the name's first letter ("김"), None without a name
    points: int
    stamps_enabled: bool
    stamps: int  # on the card in progress
    stamp_goal: int
    rewards_ready: int
    stamp_reward: str  # what the next reward is
    coupons: int  # usable coupons
    tier_name: str


@dataclass(frozen=True)
class Choice:
    """One of several members sharing the last 4 digits: a token, never the number or name."""

    token: str
    phone_masked: str
    initial: str | None


@dataclass(frozen=True)
class CheckInResult:
    kind: str  # member | choices | unknown | refused
    member: MemberCard | None = None  # member
    choices: tuple[Choice, ...] = ()  # choices
    checkin_id: uuid.UUID | None = None  # member: the row written
    at: datetime | None = None  # member: when
    sale: SaleResult | None = None  # member: the pending POS sale attached now, if one waited
    pos_ref: str | None = None  # that sale's POS ref
    enrolled: bool = False  # member: joined just now (enroll_at_display)
    can_join: bool = False  # unknown: a full, valid number, so joining may be offered
    phone_masked: str | None = None  # unknown: the number typed, masked
    refusal: Refused | None = None  # refused: the reason (refusal.message(lang))


@dataclass(frozen=True)
class CheckInView:
    """A check-in as the counter learns of it (one made on a tablet, say)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    at: datetime
    source: str
    device: str | None
    sale_id: uuid.UUID | None


# --- the choice tokens: one offer of several members, good once, for a few minutes -----------


@dataclass(frozen=True)
class _Offer:
    store_id: uuid.UUID
    customer_ids: Mapping[str, uuid.UUID]  # token -> member
    source: str
    device: str | None
    expires_at: datetime


_offers: dict[str, _Offer] = {}  # token -> the offer it belongs to
_offers_lock = threading.Lock()  # the counter's runner and the API thread both call in


def _remember(offer: _Offer, now: datetime) -> None:
    with _offers_lock:
        for token in [t for t, o in _offers.items() if o.expires_at <= now]:
            del _offers[token]
        for token in offer.customer_ids:
            _offers[token] = offer


def _take(ctx: Context, token: str) -> tuple[_Offer, uuid.UUID]:
    """The offer and member of a token; the whole offer is used up. Refused when unknown."""
    with _offers_lock:
        offer = _offers.get(token) if isinstance(token, str) else None
        if offer is None or offer.store_id != ctx.store_id:
            raise Refused("checkin.choice_unknown")
        for other in offer.customer_ids:
            _offers.pop(other, None)
    if offer.expires_at <= ctx.now():
        raise Refused("checkin.choice_unknown")
    return offer, offer.customer_ids[token]


# --- checking in ---------------------------------------------------------------------------


def _check_source(source: str, device: str | None) -> tuple[str, str | None]:
    if source == "customer_display":
        source = "display"
    if source not in SOURCES:
        raise ValueError(f"unknown check-in source {source!r}")
    if device is not None:
        device = device.strip()[:MAX_DEVICE] or None
    return source, device


def _digits(number: object) -> str:
    """What the customer typed, digits only (a keypad sends digits; a web page might not)."""
    if not isinstance(number, str):
        raise Refused("phone.empty")
    text = number.strip().replace("-", "").replace(" ", "")
    if not text:
        raise Refused("phone.empty")
    if not text.isdigit() or not text.isascii():
        raise Refused("checkin.digits_only")
    return text


def check_in(
    ctx: Context, number: str, source: str = "display", device: str | None = None
) -> CheckInResult:
    """The customer typed their full phone number or its last 4 digits.

    One member: checked in (a row, the oldest pending POS sale attached), in one transaction.
    Several for the last 4: choice tokens (`choose`). None: `unknown` (joining offered for a
    full, valid number). Malformed: `refused` with the reason; nothing is written."""
    source, device = _check_source(source, device)
    try:
        digits = _digits(number)
        if len(digits) == 4:
            return _by_last4(ctx, digits, source, device)
        landline = bool(ctx.settings.get("allow_landline"))
        # a member imported with a retired 011-style number still checks in with it
        phone = parse_phone(digits, allow_landline=landline, allow_legacy=True)
    except Refused as refused:
        return CheckInResult(REFUSED, refusal=refused)
    with ctx.db.write() as session:
        customer = session.scalars(
            select(Customer).where(Customer.phone == phone.national, Customer.status == "active")
        ).one_or_none()
        if customer is None:
            taken = session.scalar(select(Customer.id).where(Customer.phone == phone.national))
            # a withdrawn or merged record keeps the number, a retired number cannot join
            can_join = taken is None and _may_join(phone, landline)
            return CheckInResult(UNKNOWN, can_join=can_join, phone_masked=_mask(ctx, phone))
        return _check_in_member(ctx, session, customer, source, device)


def _may_join(phone: Phone, landline: bool) -> bool:
    try:
        parse_phone(phone.national, allow_landline=landline)
    except Refused:
        return False
    return True


def _mask(ctx: Context, phone: Phone) -> str:
    return phone.masked(ctx.settings.get("phone_mask", "middle"))


def _by_last4(ctx: Context, last4: str, source: str, device: str | None) -> CheckInResult:
    with ctx.db.write() as session:
        found = list(
            session.scalars(
                select(Customer)
                .where(Customer.phone_last4 == last4, Customer.status == "active")
                .order_by(Customer.enrolled_at, Customer.id)
                .limit(MAX_CHOICES + 1)
            )
        )
        if not found:
            return CheckInResult(UNKNOWN)
        if len(found) == 1:
            return _check_in_member(ctx, session, found[0], source, device)
        if len(found) > MAX_CHOICES:
            return CheckInResult(REFUSED, refusal=Refused("checkin.too_many_matches"))
        tokens = {secrets.token_urlsafe(12): customer for customer in found}
        choices = tuple(
            Choice(token, masked_phone(ctx, c) or "", _initial(c.name))
            for token, c in tokens.items()
        )
    now = ctx.now()
    offer = _Offer(
        ctx.store_id,
        {token: c.id for token, c in tokens.items()},
        source,
        device,
        now + timedelta(seconds=CHOICE_SECONDS),
    )
    _remember(offer, now)
    return CheckInResult(CHOICES, choices=choices)


def choose(ctx: Context, choice_token: str) -> CheckInResult:
    """The customer picked one of several members on their screen: that one checks in.

    A token is good once (the other tokens of the same offer go with it), for a few minutes;
    otherwise `refused` (``checkin.choice_unknown``)."""
    try:
        offer, customer_id = _take(ctx, choice_token)
    except Refused as refused:
        return CheckInResult(REFUSED, refusal=refused)
    with ctx.db.write() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.status != "active":
            return CheckInResult(REFUSED, refusal=Refused("checkin.choice_unknown"))
        return _check_in_member(ctx, session, customer, offer.source, offer.device)


def _check_in_member(
    ctx: Context,
    session: Session,
    customer: Customer,
    source: str,
    device: str | None,
    *,
    enrolled: bool = False,
) -> CheckInResult:
    """The row, the oldest pending POS sale attached (which fills the row's sale_id), and
    what the screen shows after it; inside the caller's transaction."""
    now = ctx.now()
    row = CheckIn(
        customer_id=customer.id,
        at=now,
        source=source,
        device=device,
        register_id=ctx.register_id,
    )
    session.add(row)
    if not ctx.settings.get(USED):  # from now on a sale looks for its check-in
        set_setting(session, USED, True)
        ctx.settings[USED] = True  # shared by the shop's contexts in this process
    session.flush()  # the row before the sale that links itself to it
    posted = None
    if not _took_a_sale(ctx, session, customer.id, now):
        posted = pos.attach_oldest_pending_in(ctx, session, customer.id, token_name=device)
    session.flush()
    status = status_of(ctx, session, customer, now)
    member = MemberCard(
        customer_id=customer.id,
        phone_masked=status.phone_masked or "",
        initial=_initial(customer.name),
        points=status.points,
        stamps_enabled=status.stamps_enabled,
        stamps=status.stamps_on_card,
        stamp_goal=status.stamp_goal,
        rewards_ready=status.rewards_ready,
        stamp_reward=status.stamp_reward,
        coupons=len(status.coupons),
        tier_name=status.tier_name,
    )
    return CheckInResult(
        MEMBER,
        member=member,
        checkin_id=row.id,
        at=now,
        sale=posted.sale if posted is not None else None,
        pos_ref=posted.pos.ref if posted is not None else None,
        enrolled=enrolled,
    )


def _took_a_sale(ctx: Context, session: Session, customer_id: uuid.UUID, now: datetime) -> bool:
    """Did a check-in of this member within the POS's window already take a sale? Then a
    second check-in takes none of the waiting sales (they are someone else's, most likely;
    the cashier attaches one by hand if it is theirs)."""
    since = now - pos.pending_window(ctx)
    found = session.scalar(
        select(CheckIn.id)
        .where(
            CheckIn.customer_id == customer_id,
            CheckIn.sale_id.is_not(None),
            CheckIn.at > since,
        )
        .limit(1)
    )
    return found is not None


def _initial(name: str | None) -> str | None:
    name = (name or "").strip()
    return name[0] if name else None


# --- joining on the customer's screen --------------------------------------------------------


def _channels_of(consent_choices: Mapping[str, object]) -> list[str]:
    """The marketing channels ticked, in the model's order; unknown channels refused."""
    raw = consent_choices.get("channels") or {}
    if not isinstance(raw, Mapping):
        raise Refused("checkin.consents_invalid")
    ticked = []
    for name, on in raw.items():
        channel = consent_rules.channel_of(str(name))
        if not isinstance(on, bool):
            raise Refused("checkin.consents_invalid")
        if on:
            ticked.append(channel)
    return [c for c in consent_rules.CHANNELS if c in ticked]


def enroll_at_display(
    ctx: Context,
    phone: str,
    consent_choices: Mapping[str, object],
    source: str = "display",
    device: str | None = None,
) -> CheckInResult:
    """The customer joins on their own screen with the consents they tapped, and is checked in.

    ``consent_choices``: ``{"program": bool (required), "marketing": bool, "channels":
    {"sms": bool, "alimtalk": bool, "friendtalk": bool}, "night": bool}``. Marketing needs at
    least one channel; night-time messages need marketing. Each consent is recorded with its
    time and the source ``display``, and audited. Refused (nothing written) without the
    program consent or with a malformed choice; the check-in's own source is ``source``."""
    source, device = _check_source(source, device)
    try:
        program, marketing, night = (
            consent_choices.get(key, False) for key in ("program", "marketing", "night")
        )
        if not all(isinstance(v, bool) for v in (program, marketing, night)):
            raise Refused("checkin.consents_invalid")
        if program is not True:
            raise Refused("checkin.program_consent_required")
        channels = _channels_of(consent_choices) if marketing else []
        if marketing and not channels:
            raise Refused("checkin.marketing_needs_channel")
        if night and not marketing:
            raise Refused("checkin.night_needs_marketing")
        digits = _digits(phone)
        with ctx.db.write() as session:
            now = ctx.now()
            customer, _card = enroll_in(
                ctx, session, digits, now=now, consent_source=CONSENT_SOURCE
            )
            _record_consents(ctx, session, customer, channels, bool(night), now)
            return _check_in_member(ctx, session, customer, source, device, enrolled=True)
    except Refused as refused:
        return CheckInResult(REFUSED, refusal=refused)


def _record_consents(
    ctx: Context,
    session: Session,
    customer: Customer,
    channels: list[str],
    night: bool,
    now: datetime,
) -> None:
    """Each advertising consent the customer tapped, then night-time per channel; audited
    (the joining with its program consent, then each consent)."""
    detail_join = {"source": CONSENT_SOURCE, "marketing_consent": bool(channels), "night": night}
    audit(ctx, session, "checkin.enroll", target=customer.id, detail=detail_join)
    changes = [(channel, False) for channel in channels]
    changes += [(channel, True) for channel in channels if night]
    for channel, at_night in changes:
        consents.record_in(
            ctx,
            session,
            customer,
            channel=channel,
            purpose="ad",
            grant=True,
            at=now,
            source=CONSENT_SOURCE,
            night=at_night,
        )
        detail = {
            "channel": channel,
            "purpose": "ad",
            "night": at_night,
            "granted": True,
            "source": CONSENT_SOURCE,
        }
        audit(ctx, session, "consent.set", target=customer.id, detail=detail)


# --- the counter learns of check-ins made elsewhere -----------------------------------------


def latest_checkins(ctx: Context, since: datetime) -> list[CheckInView]:
    """Check-ins after ``since``, oldest first (the counter polls this with its watcher and
    selects the member of the newest one it has not shown)."""
    with ctx.db.read() as session:
        rows = session.scalars(
            select(CheckIn).where(CheckIn.at > since).order_by(CheckIn.at, CheckIn.id)
        ).all()
        return [CheckInView(r.id, r.customer_id, r.at, r.source, r.device, r.sale_id) for r in rows]
