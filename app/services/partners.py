"""A neighbourhood coalition (골목 제휴): create or join one, the member's partner consent,
partner points at the counter, closing a month, the monthly settlement and its statements.

Each shop keeps its own database; the coalition meets in the central PostgreSQL's `partner`
schema (app/sync/partners.py). What a shop sends there has no personal data. Earning and
spending are written here first (partner_entries, append-only) and sent when the central
database answers; a spend needs the central balance, or offline the balance as last seen
with at most the coalition's offline limit spent. A month is settled once every shop has
closed it (sent all its entries of that month), one statement per pair of shops.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from app.db.base import new_id
from app.db.locks import lock_customer
from app.db.models import (
    Customer,
    MembershipCard,
    PartnerConsentEvent,
    PartnerEntry,
    PartnerProgram,
    PartnerSeen,
    PartnerSent,
    Sale,
    Store,
)
from app.db.settings import load_settings, set_setting
from app.domain import partners as rules
from app.domain.consent import source_of
from app.domain.csv_safe import safe_row
from app.domain.errors import Refused
from app.domain.query import classify_query
from app.i18n import translate
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner
from app.sync import partners as central
from app.sync import server

ACCOUNT_NAMESPACE = uuid.UUID("5b1d9a52-7a43-4d0e-9a51-3f0c6c1e2a19")
# Set when this shop creates or joins a coalition: the counter's sale looks for partner points
# only then (a shop without a coalition runs no partner statement in its sale or void).
USED = "partner_used"


@dataclass(frozen=True)
class PartnerShop:
    business_id: uuid.UUID
    name: str
    closed_through: str | None
    me: bool


@dataclass(frozen=True)
class PartnerProgramInfo:
    """What `partner create/join/list` show; the join code only to the shop that made it."""

    coalition_id: uuid.UUID
    name: str
    business_id: uuid.UUID
    shop_name: str
    point_value: str
    earn_rate: str
    offline_limit: int
    online: bool
    shops: list[PartnerShop] = field(default_factory=list)
    join_code: str | None = None


@dataclass(frozen=True)
class PartnerMember:
    """A member as the counter sees them: no personal data of another shop's member."""

    account_id: uuid.UUID
    home_shop: str
    own: bool  # this shop's own customer
    customer_id: uuid.UUID | None
    balance: int
    spendable: int
    online: bool


@dataclass(frozen=True)
class PartnerConsent:
    customer_id: uuid.UUID
    granted: bool
    at: datetime | None
    notice: str  # what the member was told (the consent's own notice text)
    sent: bool  # the coalition has it (else: sent when it can be reached)


@dataclass(frozen=True)
class PartnerSale:
    account_id: uuid.UUID
    earned: int
    spent: int
    spent_value: int  # won the spent points are worth
    balance: int
    queued: int  # entries of this shop not sent yet


@dataclass(frozen=True)
class PartnerSendResult:
    accounts: int
    entries: int


@dataclass(frozen=True)
class StatementView:
    """One pair's statement of a month, from this shop's side."""

    month: str
    other_shop: str
    other_id: uuid.UUID
    issued_here: int
    issued_there: int
    ours_spent_there: int  # our points spent at the other shop
    theirs_spent_here: int
    we_owe: int
    they_owe: int
    net: int  # > 0: the other shop pays us; < 0: we pay them
    hash: str
    prev_hash: str
    acked_by_us: bool
    acked_by_them: bool


@dataclass(frozen=True)
class Settlement:
    month: str
    statements: list[StatementView]
    made: int  # statements made now (0: they were there)
    files: list[str] = field(default_factory=list)


# --- connecting ---------------------------------------------------------------------------


def _engine(url: str):  # type: ignore[no-untyped-def]
    return server.central_engine(url)


@contextmanager
def _central(program: PartnerProgram | str) -> Iterator[Connection]:
    """One central transaction; an unreachable server is a refusal in words."""
    url = program if isinstance(program, str) else program.url
    try:
        engine = _engine(url)
        with engine.begin() as connection:
            yield connection
    except (OperationalError, DBAPIError) as exc:
        lost = isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False)
        if not lost:
            raise
        server.forget_engine(url)
        raise Refused("partner.unreachable") from exc


def _reachable(program: PartnerProgram) -> bool:
    try:
        with _central(program) as c:
            c.exec_driver_sql("SELECT 1")
        return True
    except Refused:
        return False


def _program_in(session: Session) -> PartnerProgram:
    program = session.scalars(select(PartnerProgram)).first()
    if program is None:
        raise Refused("partner.not_member")
    return program


def _terms(program: PartnerProgram) -> rules.Terms:
    return rules.Terms(
        Decimal(program.point_value), Decimal(program.earn_rate), program.offline_limit
    )


def _connect(url: str) -> str:
    if not server.is_postgres(url.strip()):
        raise Refused("sync.not_postgres", url=url)
    kept, password = server.split_password(url.strip())
    server.central_engine(kept, password)
    if password is not None:
        server.save_password(kept, password)
    try:
        central.ensure_schema(_engine(kept))
    except (OperationalError, DBAPIError) as exc:
        server.forget_engine(kept)
        raise Refused("partner.unreachable") from exc
    return kept


def _default_url(ctx: Context, url: str | None) -> str:
    url = url or ctx.settings.get("sync.url")
    if not url:
        raise Refused("partner.no_url")
    return str(url)


# --- create, join, list -------------------------------------------------------------------


def _shop_name(ctx: Context, given: str | None) -> str:
    name = (given or "").strip()
    if not name:
        with ctx.db.read() as session:
            store = session.get(Store, ctx.store_id)
            name = store.name.strip() if store else ""
    if not name:
        raise Refused("partner.shop_name_missing")
    return name[:100]


def create_program(
    ctx: Context,
    name: str,
    *,
    point_value: str,
    earn_rate: str,
    offline_limit: int = 1000,
    shop_name: str | None = None,
    url: str | None = None,
) -> PartnerProgramInfo:
    """Start a coalition with this shop as its first member; the join code goes to the others."""
    require_owner(ctx)
    terms = rules.terms_of(point_value, earn_rate, offline_limit)
    name = name.strip()[:100]
    if not name:
        raise Refused("partner.name_missing")
    shop = _shop_name(ctx, shop_name)
    with ctx.db.read() as session:
        if session.scalars(select(PartnerProgram)).first() is not None:
            raise Refused("partner.already_member")
    kept = _connect(_default_url(ctx, url))
    coalition, business, secret = uuid.uuid4(), uuid.uuid4(), secrets.token_hex(16)
    now = ctx.now()
    with _central(kept) as c:
        central.create_coalition(c, coalition, name, terms, _check(secret), now)
        central.add_shop(c, coalition, business, shop, now)
    with ctx.db.write() as session:
        program = _store(session, coalition, business, name, shop, terms, secret, kept, now, ctx)
        audit(ctx, session, "partner.create", target=coalition, detail={"name": name})
    info = _info(ctx, program, online=True)
    return PartnerProgramInfo(**{**info.__dict__, "join_code": f"{coalition.hex}-{secret}"})


def _check(secret: str) -> str:
    return hashlib.sha256(f"dangol-partner:{secret}".encode()).hexdigest()


def _store(
    session: Session,
    coalition: uuid.UUID,
    business: uuid.UUID,
    name: str,
    shop: str,
    terms: rules.Terms,
    secret: str,
    url: str,
    now: datetime,
    ctx: Context,
) -> PartnerProgram:
    program = PartnerProgram(
        id=coalition,
        business_id=business,
        name=name,
        shop_name=shop,
        point_value=str(terms.point_value),
        earn_rate=str(terms.earn_rate),
        offline_limit=terms.offline_limit,
        secret=secret,
        url=url,
        joined_at=now,
        register_id=ctx.register_id,
    )
    session.add(program)
    session.flush()
    mark_used(ctx, session)
    return program


def mark_used(ctx: Context, session: Session) -> None:
    """From now on this shop's sales earn (and may spend) partner points."""
    if not ctx.settings.get(USED):
        set_setting(session, USED, True)
        ctx.settings[USED] = True  # shared by the shop's contexts in this process


def join_program(
    ctx: Context, code: str, *, shop_name: str | None = None, url: str | None = None
) -> PartnerProgramInfo:
    """Join with the code the coalition's first shop was given; at most ten shops."""
    require_owner(ctx)
    hex_id, _, secret = code.strip().partition("-")
    try:
        coalition = uuid.UUID(hex=hex_id)
    except ValueError as exc:
        raise Refused("partner.code_invalid") from exc
    shop = _shop_name(ctx, shop_name)
    with ctx.db.read() as session:
        if session.scalars(select(PartnerProgram)).first() is not None:
            raise Refused("partner.already_member")
    kept = _connect(_default_url(ctx, url))
    business, now = uuid.uuid4(), ctx.now()
    with _central(kept) as c:
        row = central.coalition(c, coalition, lock=True)
        if row is None or row["secret_check"] != _check(secret):
            raise Refused("partner.code_invalid")
        members = central.shops(c, coalition)
        if len(members) >= rules.MAX_SHOPS:
            raise Refused("partner.full", max=rules.MAX_SHOPS)
        if any(m["name"] == shop for m in members):
            raise Refused("partner.shop_name_taken", name=shop)
        central.add_shop(c, coalition, business, shop, now)
        terms = rules.Terms(
            central.as_decimal(row["point_value"]).normalize(),
            central.as_decimal(row["earn_rate"]).normalize(),
            int(row["offline_limit"]),
        )
    with ctx.db.write() as session:
        program = _store(
            session, coalition, business, row["name"], shop, terms, secret, kept, now, ctx
        )
        audit(ctx, session, "partner.join", target=coalition, detail={"shop": shop})
    return _info(ctx, program, online=True)


def _info(ctx: Context, program: PartnerProgram, *, online: bool) -> PartnerProgramInfo:
    shops: list[PartnerShop] = []
    if online:
        try:
            with _central(program) as c:
                rows = central.shops(c, program.id)
            shops = [
                PartnerShop(
                    r["business_id"],
                    r["name"],
                    r["closed_through"],
                    r["business_id"] == program.business_id,
                )
                for r in rows
            ]
        except Refused:
            online = False
    return PartnerProgramInfo(
        coalition_id=program.id,
        name=program.name,
        business_id=program.business_id,
        shop_name=program.shop_name,
        point_value=program.point_value,
        earn_rate=program.earn_rate,
        offline_limit=program.offline_limit,
        online=online,
        shops=shops,
    )


def list_program(ctx: Context) -> PartnerProgramInfo:
    with ctx.db.read() as session:
        program = _program_in(session)
        session.expunge(program)
    if not ctx.settings.get(USED):  # a shop that joined before the counter's sale knew of it
        with ctx.db.write() as session:
            mark_used(ctx, session)
    return _info(ctx, program, online=True)


# --- the member's consent -----------------------------------------------------------------


def consent_notice(ctx: Context, lang: str) -> str:
    """The notice a member hears before consenting: who sees what, and the value."""
    with ctx.db.read() as session:
        program = _program_in(session)
        name, value = program.name, program.point_value
        session.expunge(program)
    shops = [s.name for s in _info(ctx, program, online=True).shops] or [program.shop_name]
    return translate(
        lang, "partner.consent_notice", coalition=name, shops=", ".join(shops), value=value
    )


def _consent_granted(
    session: Session, customer_id: uuid.UUID, coalition: uuid.UUID
) -> tuple[bool, datetime | None]:
    row = session.scalars(
        select(PartnerConsentEvent)
        .where(
            PartnerConsentEvent.customer_id == customer_id,
            PartnerConsentEvent.coalition_id == coalition,
        )
        .order_by(PartnerConsentEvent.at.desc(), PartnerConsentEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return False, None
    return row.action == "grant", row.at


def account_of(program: PartnerProgram, customer_id: uuid.UUID) -> uuid.UUID:
    """A home customer's partner account: the same id on every register of this shop."""
    return uuid.uuid5(ACCOUNT_NAMESPACE, f"{program.id}:{program.business_id}:{customer_id}")


def set_partner_consent(
    ctx: Context, customer_id: uuid.UUID, grant: bool, *, source: str = "cli", lang: str = "ko"
) -> PartnerConsent:
    """The member's word on the coalition, recorded (append-only, audited) and sent."""
    source = source_of(source)
    notice = consent_notice(ctx, lang)
    with ctx.db.write() as session:
        program = _program_in(session)
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise Refused("customer.not_found", query=str(customer_id))
        if grant and customer.status != "active":
            raise Refused("customer.inactive", status=customer.status)
        lock_customer(session, customer.id)
        now = ctx.now()
        session.add(
            PartnerConsentEvent(
                customer_id=customer.id,
                coalition_id=program.id,
                action="grant" if grant else "withdraw",
                at=now,
                source=source,
                staff_id=ctx.staff_id,
                token_name=ctx.token,
                register_id=ctx.register_id,
            )
        )
        audit(
            ctx,
            session,
            "partner.consent",
            target=customer.id,
            detail={"granted": grant, "source": source},
        )
    sent = _try_send(ctx)
    return PartnerConsent(customer_id, grant, now, notice, sent)


def withdraw_in(ctx: Context, session: Session, customer_id: uuid.UUID) -> None:
    """A member erased or withdrawn from this shop: their partner consent withdrawn too,
    inside the caller's transaction (sent with the next send)."""
    program = session.scalars(select(PartnerProgram)).first()
    if program is None or not _consent_granted(session, customer_id, program.id)[0]:
        return
    session.add(
        PartnerConsentEvent(
            customer_id=customer_id,
            coalition_id=program.id,
            action="withdraw",
            at=ctx.now(),
            source="cli",
            staff_id=ctx.staff_id,
            token_name=ctx.token,
            register_id=ctx.register_id,
        )
    )


# --- sending what is queued ---------------------------------------------------------------


def _unsent(session: Session, model: type) -> list:  # type: ignore[type-arg]
    return list(
        session.scalars(
            select(model)
            .where(~model.id.in_(select(PartnerSent.id)))  # type: ignore[attr-defined]
            .order_by(model.at, model.id)  # type: ignore[attr-defined]
        )
    )


def send(ctx: Context) -> PartnerSendResult:
    """Everything queued to the coalition: consents (with the lookup keys), then entries."""
    with ctx.db.read() as session:
        program = _program_in(session)
        consents = _unsent(session, PartnerConsentEvent)
        entries = _unsent(session, PartnerEntry)
        keys: dict[uuid.UUID, list[str]] = {}
        for event in consents:
            keys[event.customer_id] = _keys_of(session, program, event.customer_id)
        session.expunge_all()
    with _central(program) as c:
        for event in consents:
            central.put_account(
                c,
                program.id,
                account_of(program, event.customer_id),
                program.business_id,
                event.action == "grant",
                event.at,
                keys[event.customer_id] if event.action == "grant" else (),
            )
        central.put_entries(
            c,
            program.id,
            [
                {
                    "id": e.id,
                    "shop": program.business_id,
                    "account": e.account_id,
                    "kind": e.kind,
                    "points": e.points,
                    "month": e.month,
                    "at": e.at,
                }
                for e in entries
            ],
        )
    now = ctx.now()
    with ctx.db.write() as session:
        for row in [*consents, *entries]:
            if session.get(PartnerSent, row.id) is None:
                session.add(PartnerSent(id=row.id, at=now))
                if isinstance(row, PartnerEntry):  # the balance last seen holds it now
                    seen = session.get(PartnerSeen, row.account_id)
                    if seen is not None:
                        seen.balance += row.points if row.kind == "earn" else -row.points
    return PartnerSendResult(accounts=len(consents), entries=len(entries))


def _try_send(ctx: Context) -> bool:
    try:
        send(ctx)
        return True
    except Refused as refused:
        if refused.code != "partner.unreachable":
            raise
        return False


def _keys_of(session: Session, program: PartnerProgram, customer_id: uuid.UUID) -> list[str]:
    customer = session.get(Customer, customer_id)
    keys = []
    if customer is not None and customer.phone:
        keys.append(rules.lookup_key(program.secret, "phone", customer.phone))
    for token in session.scalars(
        select(MembershipCard.token).where(
            MembershipCard.customer_id == customer_id, MembershipCard.status == "active"
        )
    ):
        keys.append(rules.lookup_key(program.secret, "card", token))
    return keys


# --- the counter: find a member, earn and spend -------------------------------------------


def _unsent_of(session: Session, account: uuid.UUID) -> tuple[int, int]:
    """(net, spent) of this shop's entries of the account not sent yet."""
    rows = session.execute(
        select(PartnerEntry.kind, func.sum(PartnerEntry.points))
        .where(PartnerEntry.account_id == account, ~PartnerEntry.id.in_(select(PartnerSent.id)))
        .group_by(PartnerEntry.kind)
    ).all()
    sums = {kind: int(total or 0) for kind, total in rows}
    return sums.get("earn", 0) - sums.get("spend", 0), sums.get("spend", 0)


def _local_sum(session: Session, account: uuid.UUID) -> int:
    rows = session.execute(
        select(PartnerEntry.kind, func.sum(PartnerEntry.points))
        .where(PartnerEntry.account_id == account)
        .group_by(PartnerEntry.kind)
    ).all()
    sums = {kind: int(total or 0) for kind, total in rows}
    return sums.get("earn", 0) - sums.get("spend", 0)


def find_member(ctx: Context, who: str) -> PartnerMember:
    """By phone or card: this shop's own consenting customer, else a partner's consenting
    member (the central database must answer: a partner's member is never found offline
    unless this shop served them before)."""
    query = classify_query(who)
    if query.kind not in ("phone", "card"):
        raise Refused("partner.find_how", query=who)
    with ctx.db.read() as session:
        program = _program_in(session)
        session.expunge(program)
        own = _own_customer(session, query.kind, query.value)
        if own is not None and _consent_granted(session, own, program.id)[0]:
            account = account_of(program, own)
            return _member(ctx, program, account, program.shop_name, True, own)
    key = rules.lookup_key(program.secret, query.kind, query.value)
    try:
        with _central(program) as c:
            found = central.find_account(c, program.id, key)
    except Refused:
        with ctx.db.read() as session:  # offline: a member this shop served before
            seen = session.scalars(select(PartnerSeen).where(PartnerSeen.lookup_key == key)).first()
            if seen is None:
                raise Refused("partner.lookup_offline") from None
            account, home = seen.id, seen.home_name
        return _member(ctx, program, account, home, False, None)
    if found is None:
        with ctx.db.write() as session:  # withdrawn (or never there): no offline spending either
            session.execute(delete(PartnerSeen).where(PartnerSeen.lookup_key == key))
        raise Refused("partner.member_not_found", query=who)
    return _member(ctx, program, found["account_id"], found["home_name"], False, None, key)


def _own_customer(session: Session, kind: str, value: str) -> uuid.UUID | None:
    if kind == "phone":
        return session.scalars(
            select(Customer.id).where(Customer.phone == value, Customer.status == "active")
        ).first()
    return session.scalars(
        select(MembershipCard.customer_id).where(
            MembershipCard.token == value, MembershipCard.status == "active"
        )
    ).first()


def _member(
    ctx: Context,
    program: PartnerProgram,
    account: uuid.UUID,
    home: str,
    own: bool,
    customer: uuid.UUID | None,
    key: str | None = None,
) -> PartnerMember:
    return _member_and_central(ctx, program, account, home, own, customer, key)[0]


def _member_and_central(
    ctx: Context,
    program: PartnerProgram,
    account: uuid.UUID,
    home: str,
    own: bool,
    customer: uuid.UUID | None,
    key: str | None = None,
    *,
    remember: bool = True,
) -> tuple[PartnerMember, int]:
    """The member with what they may spend now (the central balance and what is not sent
    yet, under the offline limit), and the central balance read (0 when offline)."""
    central, online = _balance(ctx, program, account, home, key, remember=remember)
    with ctx.db.read() as session:
        net, spent = _unsent_of(session, account)
    can = rules.spendable(
        online=online,
        balance_known=central,
        unsent_net=net,
        unsent_spent=spent,
        limit=program.offline_limit,
    )
    return PartnerMember(account, home, own, customer, central + net, can, online), central


def _balance(
    ctx: Context,
    program: PartnerProgram,
    account: uuid.UUID,
    home: str,
    key: str | None = None,
    *,
    remember: bool = True,
) -> tuple[int, bool]:
    """The central balance (entries sent) and True; offline the one last seen and False.
    `remember`: keep the central balance as the one last seen (False: the caller does)."""
    try:
        with _central(program) as c:
            if not central.consented(c, program.id, account) and not _is_own_account(
                ctx, program, account
            ):
                raise Refused("partner.member_not_found", query=str(account))
            balance = central.balance(c, program.id, account)
    except Refused as refused:
        if refused.code != "partner.unreachable":
            raise
        with ctx.db.read() as session:
            seen = session.get(PartnerSeen, account)
            if seen is None:
                if _is_own_account(ctx, program, account):
                    # sent entries of our own member, as we wrote them (partners' not known)
                    net, _ = _unsent_of(session, account)
                    return _local_sum(session, account) - net, False
                raise Refused("partner.lookup_offline") from None
            return seen.balance, False
    if not remember:
        return balance, True
    with ctx.db.write() as session:
        seen = session.get(PartnerSeen, account)
        if seen is None:
            session.add(
                PartnerSeen(
                    id=account,
                    coalition_id=program.id,
                    home_name=home,
                    balance=balance,
                    known_at=ctx.now(),
                    lookup_key=key,
                )
            )
        else:
            seen.balance, seen.known_at = balance, ctx.now()
            seen.lookup_key = key or seen.lookup_key
    return balance, True


def _is_own_account(ctx: Context, program: PartnerProgram, account: uuid.UUID) -> bool:
    with ctx.db.read() as session:
        customers = session.scalars(
            select(PartnerConsentEvent.customer_id)
            .where(PartnerConsentEvent.coalition_id == program.id)
            .distinct()
        )
        return any(account_of(program, c) == account for c in customers)


def partner_sale(ctx: Context, who: str, amount: int, *, spend: int = 0) -> PartnerSale:
    """The partner side of a counter sale: spend partner points (the value comes off the
    bill) and earn on the amount paid. Written here first, then sent (queued when offline)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise Refused("amount.not_positive")
    if isinstance(spend, bool) or spend < 0:
        raise Refused("partner.spend_invalid")
    member = find_member(ctx, who)
    with ctx.db.write() as session:
        program = _program_in(session)
        terms = _terms(program)
        if member.own:
            assert member.customer_id is not None
            lock_customer(session, member.customer_id)
            if not _consent_granted(session, member.customer_id, program.id)[0]:
                raise Refused("partner.no_consent")
        value = rules.value_of(spend, terms.point_value)
        if spend > member.spendable:
            raise Refused("partner.not_enough", points=spend, available=member.spendable)
        if value > amount:
            raise Refused("partner.spend_over_bill", value=value, amount=amount)
        paid = amount - value
        earned = rules.points_for(paid, terms.earn_rate)
        now = ctx.now()
        month = ctx.month_of(now)
        for kind, points in (("spend", spend), ("earn", earned)):
            if points:
                session.add(
                    PartnerEntry(
                        coalition_id=program.id,
                        account_id=member.account_id,
                        kind=kind,
                        points=points,
                        amount=paid if kind == "earn" else None,
                        month=month,
                        at=now,
                        staff_id=ctx.staff_id,
                        register_id=ctx.register_id,
                    )
                )
        audit(
            ctx,
            session,
            "partner.sale",
            target=member.account_id,
            detail={"amount": amount, "spent": spend, "earned": earned},
        )
    _try_send(ctx)
    with ctx.db.read() as session:
        queued = len(_unsent(session, PartnerEntry))
    return PartnerSale(
        member.account_id, earned, spend, value, member.balance - spend + earned, queued
    )


# --- closing a month and settling it ------------------------------------------------------


def close_month(ctx: Context, month: str) -> PartnerProgramInfo:
    """This shop has sent every entry of `month` (a month that is over): mark it closed."""
    require_owner(ctx)
    month = rules.check_month(month)
    if month >= ctx.month_of(ctx.now()):
        raise Refused("partner.month_open", month=month)
    send(ctx)
    with ctx.db.write() as session:
        program = _program_in(session)
        left = session.scalar(
            select(func.count())
            .select_from(PartnerEntry)
            .where(PartnerEntry.month <= month, ~PartnerEntry.id.in_(select(PartnerSent.id)))
        )
        if left:
            raise Refused("partner.unsent", n=left)
        with _central(program) as c:
            central.close_through(c, program.id, program.business_id, month)
        audit(ctx, session, "partner.close", target=program.id, detail={"month": month})
        session.expunge(program)
    return _info(ctx, program, online=True)


def settle(ctx: Context, month: str) -> Settlement:
    """The month's statements for every pair, once every shop has closed it (made once:
    settling again returns the same statements)."""
    require_owner(ctx)
    month = rules.check_month(month)
    with ctx.db.write() as session:
        program = _program_in(session)
        session.expunge(program)
        made = 0
        with _central(program) as c:
            central.settle_lock(c, program.id)
            row = central.coalition(c, program.id)
            assert row is not None
            shops = central.shops(c, program.id)
            waiting = [s["name"] for s in shops if (s["closed_through"] or "") < month]
            if waiting:
                raise Refused("partner.waiting", month=month, shops=", ".join(waiting))
            stored = central.statements(c, program.id, month=month)
            _verify(stored)
            if not any(s["month"] == month for s in stored):
                prev: dict[tuple[str, str], str] = {}
                for s in stored:  # oldest first: the last one of a pair is its previous
                    prev[(str(s["shop_a"]), str(s["shop_b"]))] = s["hash"]
                names = {str(s["business_id"]): s["name"] for s in shops}
                statements = rules.settle(
                    str(program.id),
                    month,
                    names,
                    central.entries_upto(c, program.id, month),
                    central.as_decimal(row["point_value"]),
                    prev,
                )
                central.put_statements(c, program.id, statements, ctx.now())
                made = len(statements)
        if made:
            audit(
                ctx,
                session,
                "partner.settle",
                target=program.id,
                detail={"month": month, "statements": made},
            )
    return Settlement(month, statement_views(ctx, month), made)


def _verify(stored: Sequence[dict]) -> None:  # type: ignore[type-arg]
    chains: dict[tuple[str, str], list[dict]] = {}  # type: ignore[type-arg]
    for s in stored:
        chains.setdefault((str(s["shop_a"]), str(s["shop_b"])), []).append(s)
    for chain in chains.values():
        bad = rules.broken_link([(s["body"], s["hash"]) for s in chain])
        if bad is not None:
            raise Refused("partner.chain_broken", month=chain[bad]["month"])


def _mine(
    ctx: Context, month: str
) -> tuple[PartnerProgram, list[tuple[rules.Statement, list[str]]]]:
    with ctx.db.read() as session:
        program = _program_in(session)
        session.expunge(program)
    with _central(program) as c:
        stored = central.statements(c, program.id, month=month)
    _verify(stored)
    me = str(program.business_id)
    # what this owner acknowledged is remembered here too: a statement rewritten centrally
    # with its chain hashed again still differs from the hash acknowledged
    with ctx.db.read() as session:
        acked_here = {k: v for k, v in load_settings(session).items() if k.startswith(ACK_KEY)}
    for s in stored:
        remembered = acked_here.get(_ack_key(s["month"], str(s["shop_a"]), str(s["shop_b"])))
        if remembered is not None and remembered != s["hash"]:
            raise Refused("partner.chain_broken", month=s["month"])
    found = []
    for s in stored:
        if s["month"] == month and me in (str(s["shop_a"]), str(s["shop_b"])):
            found.append((rules.statement_of(s["body"]), list(s["acked"] or [])))
    return program, found


ACK_KEY = "partner.acked."


def _ack_key(month: str, shop_a: str, shop_b: str) -> str:
    return f"{ACK_KEY}{month}.{shop_a}.{shop_b}"


def _view(statement: rules.Statement, me: str, acked: list[str]) -> StatementView:
    a_side = statement.shop_a == me
    other = statement.other(me)
    return StatementView(
        month=statement.month,
        other_shop=statement.name_b if a_side else statement.name_a,
        other_id=uuid.UUID(other),
        issued_here=statement.issued_a if a_side else statement.issued_b,
        issued_there=statement.issued_b if a_side else statement.issued_a,
        ours_spent_there=statement.a_points_at_b if a_side else statement.b_points_at_a,
        theirs_spent_here=statement.b_points_at_a if a_side else statement.a_points_at_b,
        we_owe=statement.a_owes_b if a_side else statement.b_owes_a,
        they_owe=statement.b_owes_a if a_side else statement.a_owes_b,
        net=statement.position(me),
        hash=statement.hash,
        prev_hash=statement.prev_hash,
        acked_by_us=me in acked,
        acked_by_them=other in acked,
    )


def statement_views(ctx: Context, month: str) -> list[StatementView]:
    program, found = _mine(ctx, rules.check_month(month))
    me = str(program.business_id)
    return [_view(s, me, acked) for s, acked in found]


def write_statements(
    ctx: Context,
    month: str,
    *,
    pdf: Path | None = None,
    csv_file: Path | None = None,
    lang: str = "ko",
) -> Settlement:
    """This shop's statements of the month, as a PDF (one page a pair) and/or a CSV."""
    program, found = _mine(ctx, rules.check_month(month))
    if not found:
        raise Refused("partner.no_statement", month=month)
    me = str(program.business_id)
    files = []
    if pdf is not None:
        from app.printing.partner_pdf import render_statements

        pdf.write_bytes(render_statements([s for s, _ in found], program.shop_name, lang))
        files.append(str(pdf))
    if csv_file is not None:
        csv_file.write_text(statements_csv([s for s, _ in found]), encoding="utf-8-sig")
        files.append(str(csv_file))
    return Settlement(month, [_view(s, me, acked) for s, acked in found], 0, files)


def statements_csv(statements: Sequence[rules.Statement]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(safe_row(rules.CSV_FIELDS))
    for s in statements:
        payer, payee, amount = rules.payer_payee(s)
        writer.writerow(
            safe_row(
                (
                    s.month,
                    s.name_a,
                    s.name_b,
                    s.point_value,
                    s.issued_a,
                    s.issued_b,
                    s.a_points_at_b,
                    s.b_points_at_a,
                    s.a_owes_b,
                    s.b_owes_a,
                    s.net,
                    payer,
                    payee,
                    amount,
                    s.prev_hash,
                    s.hash,
                )
            )
        )
    return out.getvalue()


def acknowledge(ctx: Context, month: str, *, with_shop: str | None = None) -> Settlement:
    """This owner acknowledges the month's statements (with one shop, or all of them): the
    acknowledgement names the hash it saw, after the chain is checked."""
    require_owner(ctx)
    program, found = _mine(ctx, rules.check_month(month))
    me = str(program.business_id)
    if with_shop:
        found = [
            (s, a)
            for s, a in found
            if with_shop.strip() in (s.name_a, s.name_b, s.other(me))
            and with_shop.strip() != program.shop_name
        ]
    if not found:
        raise Refused("partner.no_statement", month=month)
    now = ctx.now()
    with ctx.db.write() as session:
        with _central(program) as c:
            for statement, _ in found:
                central.put_ack(c, program.id, statement, program.business_id, statement.hash, now)
        for statement, _ in found:
            set_setting(
                session,
                _ack_key(statement.month, statement.shop_a, statement.shop_b),
                statement.hash,
            )
            audit(
                ctx,
                session,
                "partner.ack",
                target=program.id,
                detail={"month": month, "other": statement.other(me), "hash": statement.hash},
            )
    return Settlement(month, statement_views(ctx, month), 0)


# --- the counter's own sale (app/services/sales.py): partner points with the shop's ------


@dataclass(frozen=True)
class SpendPlan:
    """A partner spend asked for at a sale, with the member as read before its transaction
    (the central balance, or offline the balance last seen and the offline limit)."""

    spend: int
    member: PartnerMember | None  # None: no coalition or no consent (the sale says which)
    central: int | None = None  # the central balance read (None: offline), kept by the sale


@dataclass(frozen=True)
class SalePartner:
    """The partner side of a counter sale (SaleResult.partner)."""

    account_id: uuid.UUID
    coalition: str
    earned: int
    spent: int
    spent_value: int  # won the spent points took off the bill
    balance: int  # after the sale, as this shop knows it
    online: bool  # the balance came from the central database just before the sale


def check_spend(spend: object) -> int:
    if isinstance(spend, bool) or not isinstance(spend, int) or spend < 0:
        raise Refused("partner.spend_invalid")
    return spend


def customer_member(ctx: Context, customer_id: uuid.UUID) -> PartnerMember | None:
    """This shop's own customer as the coalition sees them (balance, what they may spend);
    None when the shop has no coalition or the customer has not consented. Reads the central
    database (or offline, what this shop last saw): never inside a sale's transaction."""
    with ctx.db.read() as session:
        program = session.scalars(select(PartnerProgram)).first()
        if program is None:
            return None
        session.expunge(program)
        if not _consent_granted(session, customer_id, program.id)[0]:
            return None
    account = account_of(program, customer_id)
    return _member(ctx, program, account, program.shop_name, True, customer_id)


def plan_spend(ctx: Context, customer_id: uuid.UUID | None, spend: int) -> SpendPlan | None:
    """Before a sale's transaction: the member's partner balance when points are to be spent.
    Writes nothing (the balance seen is kept by the sale's own transaction)."""
    if not check_spend(spend):
        return None
    if customer_id is None:
        raise Refused("partner.needs_member")
    with ctx.db.read() as session:
        program = session.scalars(select(PartnerProgram)).first()
        if program is None or not _consent_granted(session, customer_id, program.id)[0]:
            return SpendPlan(spend, None)  # the sale refuses it in words
        session.expunge(program)
    account = account_of(program, customer_id)
    member, central = _member_and_central(
        ctx, program, account, program.shop_name, True, customer_id, remember=False
    )
    return SpendPlan(spend, member, central if member.online else None)


def sale_in(
    ctx: Context,
    session: Session,
    customer_id: uuid.UUID,
    sale_id: uuid.UUID,
    amount: int,
    now: datetime,
    plan: SpendPlan | None,
) -> SalePartner | None:
    """The partner entries of a counter sale, in its transaction (queued; sent afterwards,
    see push): the spend asked for (its value comes off the bill) and what the rest earns.
    None when the shop has no coalition or the member has not consented (then a spend is
    refused, in words)."""
    spend = plan.spend if plan is not None else 0
    program = session.scalars(select(PartnerProgram)).first()
    if program is None:
        if spend:
            raise Refused("partner.not_member")
        return None
    if not _consent_granted(session, customer_id, program.id)[0]:
        if spend:
            raise Refused("partner.no_consent")
        return None
    terms = _terms(program)
    account = account_of(program, customer_id)
    value = rules.value_of(spend, terms.point_value)
    member = plan.member if plan is not None else None
    if spend:
        available = member.spendable if member is not None else 0
        if spend > available:
            raise Refused("partner.not_enough", points=spend, available=available)
        if value > amount:
            raise Refused("partner.spend_over_bill", value=value, amount=amount)
    paid = amount - value
    earned = rules.points_for(paid, terms.earn_rate)
    month = ctx.month_of(now)
    for kind, points in (("spend", spend), ("earn", earned)):
        if points:
            session.add(
                PartnerEntry(
                    id=rules.sale_entry_id(sale_id, kind),
                    coalition_id=program.id,
                    account_id=account,
                    kind=kind,
                    points=points,
                    amount=paid if kind == "earn" else None,
                    month=month,
                    at=now,
                    staff_id=ctx.staff_id,
                    register_id=ctx.register_id,
                )
            )
    if plan is not None and plan.central is not None:  # the balance seen, for the offline rule
        seen = session.get(PartnerSeen, account)
        if seen is None:
            session.add(
                PartnerSeen(
                    id=account,
                    coalition_id=program.id,
                    home_name=program.shop_name,
                    balance=plan.central,
                    known_at=now,
                )
            )
        else:
            seen.balance, seen.known_at = plan.central, now
    if spend or earned:
        audit(
            ctx,
            session,
            "partner.sale",
            target=account,
            detail={"sale": str(sale_id), "amount": amount, "spent": spend, "earned": earned},
        )
        session.flush()
    if member is not None:
        balance, online = member.balance - spend + earned, member.online
    else:
        balance, online = _known_balance(session, account), False
    return SalePartner(account, program.name, earned, spend, value, balance, online)


def _known_balance(session: Session, account: uuid.UUID) -> int:
    """The balance as this shop knows it without asking: the one last seen (with this shop's
    entries sent since) and what is queued; never seen: this shop's own entries."""
    seen = session.get(PartnerSeen, account)
    if seen is None:
        return _local_sum(session, account)
    return seen.balance + _unsent_of(session, account)[0]


def void_sale_in(
    ctx: Context, session: Session, sale_id: uuid.UUID, now: datetime
) -> tuple[int, int] | None:
    """A voided sale's partner entries undone by new ones (append-only, queued like any):
    (points earned taken back, points spent given back); None when it had none."""
    found = [
        session.get(PartnerEntry, rules.sale_entry_id(sale_id, kind)) for kind in ("earn", "spend")
    ]
    earned = spent = 0
    for entry in found:
        if entry is None or session.get(PartnerEntry, rules.reversal_id(entry.id)) is not None:
            continue
        session.add(
            PartnerEntry(
                id=rules.reversal_id(entry.id),
                coalition_id=entry.coalition_id,
                account_id=entry.account_id,
                kind="spend" if entry.kind == "earn" else "earn",
                points=entry.points,
                amount=None,
                month=ctx.month_of(now),
                at=now,
                staff_id=ctx.staff_id,
                register_id=ctx.register_id,
            )
        )
        if entry.kind == "earn":
            earned = entry.points
        else:
            spent = entry.points
        account = entry.account_id
    if not earned and not spent:
        return None
    audit(
        ctx,
        session,
        "partner.void",
        target=account,
        detail={"sale": str(sale_id), "earned": earned, "spent": spent},
    )
    return earned, spent


def refund_sale_in(
    ctx: Context,
    session: Session,
    sale_id: uuid.UUID,
    refund_id: uuid.UUID,
    sale_amount: int,
    refunded_total: int,
    now: datetime,
) -> int | None:
    """A POS refund (part or the rest of a sale) takes back the sale's partner earn pro rata
    by a new `spend` entry (append-only, queued like any, its id from the refund's row):
    points taken back; None when the sale earned none here or its earn was voided."""
    earn = session.get(PartnerEntry, rules.sale_entry_id(sale_id, "earn"))
    if earn is None or session.get(PartnerEntry, rules.reversal_id(earn.id)) is not None:
        return None
    earlier = session.scalars(
        select(Sale.id).where(Sale.refund_of_id == sale_id, Sale.id != refund_id)
    ).all()
    already = 0
    if earlier:
        already = int(
            session.scalar(
                select(func.coalesce(func.sum(PartnerEntry.points), 0)).where(
                    PartnerEntry.id.in_([rules.sale_entry_id(r, "refund") for r in earlier])
                )
            )
            or 0
        )
    back = rules.refund_back(earn.points, sale_amount, refunded_total, already)
    if not back:
        return 0
    session.add(
        PartnerEntry(
            id=rules.sale_entry_id(refund_id, "refund"),
            coalition_id=earn.coalition_id,
            account_id=earn.account_id,
            kind="spend",
            points=back,
            amount=None,
            month=ctx.month_of(now),
            at=now,
            staff_id=ctx.staff_id,
            register_id=ctx.register_id,
        )
    )
    audit(
        ctx,
        session,
        "partner.refund",
        target=earn.account_id,
        detail={"sale": str(sale_id), "refund": str(refund_id), "earned_back": back},
    )
    return back


def push(ctx: Context) -> bool:
    """Send what is queued, after a sale's transaction (False: unreachable, still queued)."""
    if not ctx.settings.get(USED):
        return False
    with ctx.db.read() as session:
        if session.scalars(select(PartnerProgram.id)).first() is None:
            return False
    return _try_send(ctx)


@dataclass(frozen=True)
class PartnerStanding:
    """The counter's line of a consenting member: the coalition and the balance as this shop
    knows it (read locally: the counter never waits on the central database for it)."""

    customer_id: uuid.UUID
    coalition: str
    balance: int


def standing(ctx: Context, customer_id: uuid.UUID) -> PartnerStanding | None:
    """None for a shop without a coalition (no statement) or a member who has not consented."""
    if not ctx.settings.get(USED):
        return None
    with ctx.db.read() as session:
        program = session.scalars(select(PartnerProgram)).first()
        if program is None or not _consent_granted(session, customer_id, program.id)[0]:
            return None
        balance = _known_balance(session, account_of(program, customer_id))
        return PartnerStanding(customer_id, program.name, balance)


# --- a customer merge (app/services/customer_admin.py) and the consent's state -------------


def merge_balance(ctx: Context, absorb_id: uuid.UUID) -> int | None:
    """Before a merge's transaction: the absorbed member's partner balance (the central one,
    or offline as this shop knows it); None when the shop has no coalition."""
    if not ctx.settings.get(USED):
        return None
    with ctx.db.read() as session:
        program = session.scalars(select(PartnerProgram)).first()
        if program is None:
            return None
        session.expunge(program)
        had = session.scalars(
            select(PartnerConsentEvent.id).where(PartnerConsentEvent.customer_id == absorb_id)
        ).first()
    if had is None:  # never in the coalition: no account, no entries
        return 0
    account = account_of(program, absorb_id)
    try:
        balance, _ = _balance(ctx, program, account, program.shop_name)
    except Refused:
        with ctx.db.read() as session:
            return _known_balance(session, account)
    with ctx.db.read() as session:
        return balance + _unsent_of(session, account)[0]


def merge_in(
    ctx: Context,
    session: Session,
    absorb_id: uuid.UUID,
    keep_id: uuid.UUID,
    balance: int | None,
    now: datetime,
) -> int:
    """Inside the merge's transaction: the absorbed member's partner points move to the
    keeper's account (a pair of entries that keeps their issuers, see rules.move_in_id), and
    the person's latest word on the coalition holds for the keeper. Returns the points moved."""
    program = session.scalars(select(PartnerProgram)).first()
    if program is None or balance is None:
        return 0
    absorbed, absorbed_at = _consent_granted(session, absorb_id, program.id)
    kept, kept_at = _consent_granted(session, keep_id, program.id)
    moved = max(0, balance)
    if moved:
        out_id = new_id()
        month = ctx.month_of(now)
        for entry_id, customer, kind in (
            (out_id, absorb_id, "spend"),
            (rules.move_in_id(out_id), keep_id, "earn"),
        ):
            session.add(
                PartnerEntry(
                    id=entry_id,
                    coalition_id=program.id,
                    account_id=account_of(program, customer),
                    kind=kind,
                    points=moved,
                    month=month,
                    at=now,
                    staff_id=ctx.staff_id,
                    register_id=ctx.register_id,
                )
            )
    # the later word of the two records is the person's: a grant goes to the keeper
    if absorbed and not kept and (kept_at is None or (absorbed_at and absorbed_at > kept_at)):
        _consent_event(ctx, session, program, keep_id, "grant", now)
    if absorbed:  # partners no longer find the absorbed record
        _consent_event(ctx, session, program, absorb_id, "withdraw", now)
    if moved or absorbed:
        audit(
            ctx,
            session,
            "partner.merge",
            target=account_of(program, keep_id),
            detail={"points": moved, "consent_moved": absorbed},
        )
    return moved


def _consent_event(
    ctx: Context,
    session: Session,
    program: PartnerProgram,
    customer_id: uuid.UUID,
    action: str,
    now: datetime,
) -> None:
    session.add(
        PartnerConsentEvent(
            customer_id=customer_id,
            coalition_id=program.id,
            action=action,
            at=now,
            source="back_office",
            staff_id=ctx.staff_id,
            token_name=ctx.token,
            register_id=ctx.register_id,
        )
    )


@dataclass(frozen=True)
class PartnerConsentState:
    """The member's word on the coalition, as `consent show` and the record's consent tab
    show it."""

    coalition: str
    granted: bool
    at: datetime | None
    source: str | None
    staff_id: uuid.UUID | None
    token: str | None


def consent_state_in(
    ctx: Context, session: Session, customer_id: uuid.UUID
) -> PartnerConsentState | None:
    """None for a shop without a coalition (and then no statement is run)."""
    if not ctx.settings.get(USED):
        return None
    program = session.scalars(select(PartnerProgram)).first()
    if program is None:
        return None
    row = session.scalars(
        select(PartnerConsentEvent)
        .where(
            PartnerConsentEvent.customer_id == customer_id,
            PartnerConsentEvent.coalition_id == program.id,
        )
        .order_by(PartnerConsentEvent.at.desc(), PartnerConsentEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return PartnerConsentState(program.name, False, None, None, None, None)
    return PartnerConsentState(
        program.name, row.action == "grant", row.at, row.source, row.staff_id, row.token_name
    )
