"""The member's card in the phone's wallet: Google Wallet (a loyalty object kept up to date)
and Apple Wallet (a signed .pkpass store card).

Google: the owner sets up the issuer id and the service account's key file
(`setup_google`); the loyalty class (program name, logo, colour) is created then, or by the
worker when Google did not answer. `google_link` makes the "Save to Google Wallet" link of a
member (a signed JWT: no network at the counter) and queues the member's object. Each
object's row is its own outbox entry: `push_due`, run by the background worker, queues the
rows whose member's points or tier differ from what Google last got, and sends the due ones
(insert, or patch; retried with backoff when Google does not answer; a refusal is kept in
`last_error`). Nothing of it ever waits at the counter.

Apple: the owner's Pass Type ID certificate, its key and Apple's WWDR intermediate
(`setup_apple`); `apple_pass` builds a member's signed store card. Its barcode, like
Google's, is the card token the counter already resolves.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, CheckIn, Customer, MobileWalletPass
from app.db.settings import set_setting
from app.db.wallet_passes import requeue_member
from app.domain import mobile_wallet as mw
from app.domain.errors import Refused
from app.i18n import translate
from app.messaging.base import Rejected, Unreachable
from app.messaging.google_wallet import GoogleWalletClient, KeyFileInvalid, ServiceAccount, save_jwt
from app.messaging.wallet_secrets import load_secret, save_secret
from app.printing import apple_wallet
from app.services.audit_chain import audit
from app.services.cards import logo_path
from app.services.context import Context
from app.services.customers import lean_status, usable_customer
from app.services.ledger import balances_of_many
from app.services.staff import require_owner
from app.worker import Loop

GOOGLE_KEY = "mobile_wallet.google"
APPLE_KEY = "mobile_wallet.apple"
GOOGLE_SECRET = "google-service-account"
APPLE_SECRET = "apple-pass-key"
LEASE = timedelta(minutes=2)
BATCH = 50
SCAN_PAGE = 500
LINK_ACTION = "mobile_wallet.google_link"


def _folder(ctx: Context) -> Path:
    """Where a secret is kept without a keyring: beside the shop's SQLite file, else (a shop
    on PostgreSQL) the user's data folder."""
    path = ctx.db.path
    if path is not None:
        return path.parent
    from platformdirs import user_data_dir

    return Path(user_data_dir("dangol", appauthor=False))


def _language(ctx: Context) -> str:
    value = ctx.settings.get("language")
    return value if value in ("ko", "en") else "ko"


# --- Google: setup ---------------------------------------------------------------------


@dataclass(frozen=True)
class GoogleSetup:
    issuer_id: str
    class_id: str
    service_account: str
    secret_kept: str  # keyring | file | memory
    class_created: str  # created | updated | waiting (Google did not answer: the worker will)


def setup_google(
    ctx: Context,
    issuer_id: str,
    key_text: str,
    *,
    program_name: str | None = None,
    colour: str | None = None,
    logo_url: str | None = None,
    class_suffix: str = "dangol",
    base_url: str | None = None,
    token_url: str | None = None,
    origins: list[str] | None = None,
) -> GoogleSetup:
    """Keep the issuer and the key, and create (or update) the loyalty class."""
    require_owner(ctx)
    issuer_id = issuer_id.strip()
    if not issuer_id.isdigit():
        raise Refused("mobile_wallet.issuer_invalid", issuer=issuer_id)
    try:
        account = ServiceAccount.from_json(key_text)
    except KeyFileInvalid as exc:
        raise Refused("mobile_wallet.key_invalid", detail=str(exc)) from exc
    chosen_colour = (colour or mw.DEFAULT_COLOUR).upper()
    if not mw.valid_colour(chosen_colour):
        raise Refused("mobile_wallet.colour_invalid", colour=colour)
    if not mw.valid_id_part(class_suffix):
        raise Refused("mobile_wallet.suffix_invalid", suffix=class_suffix)
    if logo_url and not logo_url.startswith("https://"):
        raise Refused("mobile_wallet.logo_url_invalid", url=logo_url)
    value = {
        "issuer_id": issuer_id,
        "class_suffix": class_suffix,
        "service_account": account.client_email,
        "program_name": (program_name or "").strip() or None,
        "colour": chosen_colour,
        "logo_url": logo_url or None,
        "base_url": base_url or None,
        "token_url": token_url or None,
        "origins": list(origins or []),
        "class_pending": True,
    }
    class_ref = mw.class_id(issuer_id, class_suffix)
    client = _client(value, account)
    try:  # before anything is kept: a refused issuer or key changes nothing
        created = client.put_class(mw.loyalty_class(class_ref, _class_card(ctx, value)))
        value["class_pending"] = False
    except Unreachable:
        created = "waiting"
    except Rejected as exc:
        raise Refused(
            "mobile_wallet.google_refused", status=_status(exc), detail=_detail(exc)
        ) from exc
    finally:
        client.close()
    kept = save_secret(GOOGLE_SECRET, key_text, _folder(ctx))
    with ctx.db.write() as session:
        set_setting(session, GOOGLE_KEY, value)
        audit(
            ctx,
            session,
            "mobile_wallet.google_setup",
            detail={"issuer_id": issuer_id, "service_account": account.client_email},
        )
    ctx.settings[GOOGLE_KEY] = value
    return GoogleSetup(issuer_id, class_ref, account.client_email, kept, created)


def google_settings(ctx: Context) -> dict[str, Any] | None:
    value = ctx.settings.get(GOOGLE_KEY)
    return value if isinstance(value, dict) and value.get("issuer_id") else None


def google_configured(ctx: Context) -> bool:
    return google_settings(ctx) is not None


def _account(ctx: Context) -> ServiceAccount:
    text = load_secret(GOOGLE_SECRET, _folder(ctx))
    if not text:
        raise Refused("mobile_wallet.key_missing")
    try:
        return ServiceAccount.from_json(text)
    except KeyFileInvalid as exc:
        raise Refused("mobile_wallet.key_invalid", detail=str(exc)) from exc


def _client(value: dict[str, Any], account: ServiceAccount) -> GoogleWalletClient:
    return GoogleWalletClient(
        account, base_url=value.get("base_url"), token_url=value.get("token_url")
    )


def google_client(ctx: Context) -> GoogleWalletClient | None:
    value = google_settings(ctx)
    if value is None:
        return None
    return _client(value, _account(ctx))


def _program_name(ctx: Context, value: dict[str, Any], store: str) -> str:
    return value.get("program_name") or translate(
        _language(ctx), "mobile_wallet.program_name", store=store
    )


def _store_name(ctx: Context) -> str:
    from app.db.models import Store

    with ctx.db.read() as session:
        store = session.get(Store, ctx.store_id)
        return store.name if store is not None else ""


def _class_card(ctx: Context, value: dict[str, Any]) -> mw.WalletCard:
    store = _store_name(ctx)
    return mw.WalletCard(
        token="",
        store_name=store,
        program_name=_program_name(ctx, value, store),
        member_name=None,
        points=0,
        tier_code="",
        tier_name="",
        colour=value.get("colour") or mw.DEFAULT_COLOUR,
        logo_url=value.get("logo_url"),
        language=_language(ctx),
    )


def _labels(ctx: Context) -> tuple[str, str]:
    lang = _language(ctx)
    return translate(lang, "mobile_wallet.points"), translate(lang, "mobile_wallet.tier")


# --- Google: a member's link -----------------------------------------------------------


@dataclass(frozen=True)
class GoogleLink:
    customer_id: uuid.UUID
    token: str
    object_id: str
    url: str  # "Save to Google Wallet": the QR on the customer's screen opens it
    at: datetime | None = None  # when the counter made it (the JWT's iat)


def _member_card(
    ctx: Context, customer_id: uuid.UUID, value: dict[str, Any] | None = None
) -> mw.WalletCard:
    status = lean_status(ctx, customer_id, ctx.now())
    if not status.card:
        raise Refused("mobile_wallet.no_card")
    store = _store_name(ctx)
    value = value or {}
    return mw.WalletCard(
        token=status.card,
        store_name=store,
        program_name=_program_name(ctx, value, store),
        member_name=status.name_masked,
        points=status.points,
        tier_code=status.tier,
        tier_name=status.tier_name,
        colour=value.get("colour") or mw.DEFAULT_COLOUR,
        logo_url=value.get("logo_url"),
        language=_language(ctx),
    )


def _queued_pass(
    ctx: Context, customer_id: uuid.UUID, token: str, object_ref: str, now: datetime
) -> MobileWalletPass:
    """A member's Google object, new and waiting for the outbox to create it."""
    return MobileWalletPass(
        kind="google",
        customer_id=customer_id,
        token=token,
        object_id=object_ref,
        status="queued",
        inserted=False,
        send_after=now,
        attempts=0,
        created_at=now,
        register_id=ctx.register_id,
    )


def google_link(ctx: Context, customer_id: uuid.UUID) -> GoogleLink:
    """The member's "Save to Google Wallet" link; their object is queued for the worker."""
    value = google_settings(ctx)
    if value is None:
        raise Refused("mobile_wallet.google_off")
    account = _account(ctx)
    with ctx.db.read() as session:
        usable_customer(session, customer_id)
    card = _member_card(ctx, customer_id, value)
    issuer = value["issuer_id"]
    object_ref = mw.object_id(issuer, card.token)
    now = ctx.now().replace(microsecond=0)  # the JWT's iat and the audit's time: one second
    with ctx.db.write() as session:
        row = member_row(session, customer_id)
        known = row is not None and row.inserted  # Google has it: the link names it only
        if row is not None:
            object_ref = row.object_id  # a card replaced since keeps the member's object
            if row.token != card.token:  # (replaced before the outbox followed cards)
                requeue_member(session, customer_id, now, token=card.token)
        else:
            session.add(_queued_pass(ctx, customer_id, card.token, object_ref, now))
        # the tablet's page reads this row to show the same link (wallet_offer)
        audit(ctx, session, LINK_ACTION, target=customer_id, at=now)
    return _signed_link(ctx, value, account, customer_id, card, known, now, object_ref)


def member_row(session: Session, customer_id: uuid.UUID) -> MobileWalletPass | None:
    """The member's Google object (the first made, should a merge have brought another)."""
    return session.scalars(
        select(MobileWalletPass)
        .where(MobileWalletPass.kind == "google", MobileWalletPass.customer_id == customer_id)
        .order_by(MobileWalletPass.created_at)
        .limit(1)
    ).first()


def _signed_link(
    ctx: Context,
    value: dict[str, Any],
    account: ServiceAccount,
    customer_id: uuid.UUID,
    card: mw.WalletCard,
    known: bool,
    at: datetime,
    object_ref: str | None = None,
) -> GoogleLink:
    issuer = value["issuer_id"]
    object_ref = object_ref or mw.object_id(issuer, card.token)
    class_ref = mw.class_id(issuer, value.get("class_suffix", "dangol"))
    points_label, tier_label = _labels(ctx)
    body = mw.loyalty_object(object_ref, class_ref, card, points_label, tier_label)
    if known:  # a short JWT, a coarser QR; else the whole object: Google makes it on save
        body = {"id": object_ref, "classId": class_ref}
    claims = mw.save_claims(
        account.client_email, int(at.timestamp()), value.get("origins") or [], body
    )
    url = mw.SAVE_URL + save_jwt(account, claims)
    return GoogleLink(customer_id, card.token, object_ref, url, at)


def wallet_offer(ctx: Context, checkin_id: uuid.UUID) -> GoogleLink | None:
    """The save link the counter made for a checked-in member since their check-in (지갑에
    추가 pressed while a tablet is the customer's screen), None when there is none.

    Read only: the counter's `google_link` queued the object and audited the link; this
    signs the same claims again (the audit row's time as iat), so a page asking every second
    writes nothing. Without Google Wallet set up it reads nothing at all."""
    value = google_settings(ctx)
    if value is None:
        return None
    with ctx.db.read() as session:
        checkin = session.get(CheckIn, checkin_id)
        if checkin is None:
            return None
        customer_id = checkin.customer_id
        at = session.scalar(
            select(AuditEntry.at)
            .where(
                AuditEntry.at >= checkin.at.replace(microsecond=0),
                AuditEntry.action == LINK_ACTION,
                AuditEntry.target_id == str(customer_id),
            )
            .order_by(AuditEntry.at.desc())
            .limit(1)
        )
        if at is None:
            return None
        customer = session.get(Customer, customer_id)
        if customer is None or customer.status != "active":
            return None
    try:
        card = _member_card(ctx, customer_id, value)
        account = _account(ctx)
    except Refused:  # no card any more, the key gone: nothing to show
        return None
    with ctx.db.read() as session:
        row = member_row(session, customer_id)
        known = row is not None and row.inserted
        object_ref = row.object_id if row is not None else None
    return _signed_link(ctx, value, account, customer_id, card, known, at, object_ref)


def slip_link(ctx: Context, session: Session, customer_id: uuid.UUID, token: str) -> str | None:
    """The save link a slip carries (its lean object: a small QR), or None when the member's
    object is already at Google (made from a link before: Google does not tell an issuer who
    saved a pass, so the object's being there stands for it) or the key is not at hand.

    In the action's own transaction (a write), the member's object is queued too, so a pass
    saved from the paper gets its points and tier from the outbox (a slip read afterwards,
    `slips.slip_for`, queues it through `queue_member_object`). A slip never fails for the
    wallet: any refusal leaves the link off."""
    value = google_settings(ctx)
    if value is None:
        return None
    issuer = value["issuer_id"]
    row = member_row(session, customer_id)
    if row is not None and row.inserted:
        return None
    object_ref = row.object_id if row is not None else mw.object_id(issuer, token)
    try:
        account = _account(ctx)
    except Refused:
        return None
    now = ctx.now().replace(microsecond=0)
    if row is None and session.info.get("writing"):
        session.add(_queued_pass(ctx, customer_id, token, object_ref, now))
    class_ref = mw.class_id(issuer, value.get("class_suffix", "dangol"))
    body = mw.slip_object(object_ref, class_ref, token)
    claims = mw.save_claims(
        account.client_email, int(now.timestamp()), value.get("origins") or [], body
    )
    return mw.SAVE_URL + save_jwt(account, claims)


def queue_member_object(ctx: Context, customer_id: uuid.UUID) -> None:
    """The member's object queued for the worker when it has no row yet (a slip printed with
    the save link outside the action's transaction: a reprint, the counter's F6)."""
    value = google_settings(ctx)
    if value is None:
        return
    try:
        token = lean_status(ctx, customer_id, ctx.now()).card
    except Refused:
        return
    if not token:
        return
    now = ctx.now().replace(microsecond=0)
    with ctx.db.write() as session:
        if member_row(session, customer_id) is not None:
            return
        session.add(
            MobileWalletPass(
                kind="google",
                customer_id=customer_id,
                token=token,
                object_id=mw.object_id(value["issuer_id"], token),
                status="queued",
                inserted=False,
                send_after=now,
                attempts=0,
                created_at=now,
                register_id=ctx.register_id,
            )
        )


# --- Google: the outbox ----------------------------------------------------------------


@dataclass(frozen=True)
class PushReport:
    queued: int = 0  # rows found changed and queued by this run
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def queue_changes(ctx: Context) -> int:
    """Queue every object whose member's points, tier or state differ from what Google has."""
    queued = 0
    now = ctx.now()
    last: uuid.UUID | None = None
    while True:
        with ctx.db.read() as session:
            stmt = (
                select(MobileWalletPass, Customer.tier_code, Customer.status)
                .join(Customer, Customer.id == MobileWalletPass.customer_id)
                .where(MobileWalletPass.status.in_(("done", "failed")))
                .order_by(MobileWalletPass.id)
                .limit(SCAN_PAGE)
            )
            if last is not None:
                stmt = stmt.where(MobileWalletPass.id > last)
            rows = session.execute(stmt).all()
            if not rows:
                return queued
            last = rows[-1][0].id
            balances = balances_of_many(session, list({r[0].customer_id for r in rows}), now)
        changed = []
        for row, tier, status in rows:
            state = "ACTIVE" if status == "active" else "INACTIVE"
            points = balances[row.customer_id].points if row.customer_id in balances else 0
            if state == "INACTIVE":  # what an inactive object shows (see _push_card)
                points = 0
            if (row.pushed_points, row.pushed_tier, row.pushed_state or "ACTIVE") != (
                points,
                tier,
                state,
            ):
                changed.append(row.id)
        if changed:
            with ctx.db.write() as session:
                session.execute(
                    update(MobileWalletPass)
                    .where(
                        MobileWalletPass.id.in_(changed),
                        MobileWalletPass.status.in_(("done", "failed")),
                    )
                    .values(status="queued", attempts=0, send_after=now, last_error=None)
                )
            queued += len(changed)


def _recover(ctx: Context, now: datetime) -> None:
    with ctx.db.write() as session:
        session.execute(
            update(MobileWalletPass)
            .where(MobileWalletPass.status == "sending", MobileWalletPass.claimed_at < now - LEASE)
            .values(status="queued", claimed_at=None)
        )


def push_due(
    ctx: Context, client: GoogleWalletClient | None = None, *, limit: int = BATCH
) -> PushReport:
    """The worker's run: queue what changed, create the class if still pending, send what is due."""
    value = google_settings(ctx)
    if value is None:
        return PushReport()
    own = client is None
    client = client or _client(value, _account(ctx))
    try:
        return _push(ctx, value, client, limit)
    finally:
        if own:
            client.close()


def _push(
    ctx: Context, value: dict[str, Any], client: GoogleWalletClient, limit: int
) -> PushReport:
    queued = queue_changes(ctx)
    now = ctx.now()
    _recover(ctx, now)
    issuer = value["issuer_id"]
    class_ref = mw.class_id(issuer, value.get("class_suffix", "dangol"))
    if value.get("class_pending"):
        try:
            client.put_class(mw.loyalty_class(class_ref, _class_card(ctx, value)))
        except Unreachable as exc:
            return PushReport(queued=queued, errors=[str(exc)])
        except Rejected as exc:
            return PushReport(queued=queued, errors=[_detail(exc)])
        value = {**value, "class_pending": False}
        with ctx.db.write() as session:
            set_setting(session, GOOGLE_KEY, value)
        ctx.settings[GOOGLE_KEY] = value
    with ctx.db.read() as session:
        due = session.scalars(
            select(MobileWalletPass.id)
            .where(MobileWalletPass.status == "queued", MobileWalletPass.send_after <= now)
            .order_by(MobileWalletPass.send_after)
            .limit(limit)
        ).all()
    sent = retrying = failed = 0
    errors: list[str] = []
    points_label, tier_label = _labels(ctx)
    for pass_id in due:
        with ctx.db.write() as session:
            claimed = session.execute(
                update(MobileWalletPass)
                .where(MobileWalletPass.id == pass_id, MobileWalletPass.status == "queued")
                .values(status="sending", claimed_at=now)
            )
            if not getattr(claimed, "rowcount", 0):
                continue
            row = session.get(MobileWalletPass, pass_id)
            assert row is not None
            customer = session.get(Customer, row.customer_id)
            active = customer is not None and customer.status == "active"
            inserted, object_ref, customer_id = row.inserted, row.object_id, row.customer_id
        outcome: str
        try:
            card, state = _push_card(ctx, customer_id, active, row.token, value)
            body = mw.loyalty_object(object_ref, class_ref, card, points_label, tier_label)
            body["state"] = state
            patch = {**mw.object_patch(card, points_label, tier_label), "state": state}
            if state == "INACTIVE":  # an erased member's (masked) name leaves Google too
                patch["accountName"] = ""
            if inserted:
                client.patch_object(object_ref, patch, insert=body)
            else:
                client.insert_object(body, patch)
            outcome = "done"
        except Unreachable as exc:
            outcome, error = "retry", str(exc)
        except Rejected as exc:
            outcome, error = "failed", f"{_status(exc)} {_detail(exc)}".strip()
        except Refused as exc:  # the member has no card any more: kept, with the reason
            outcome, error = "failed", exc.code
        with ctx.db.write() as session:
            row = session.get(MobileWalletPass, pass_id)
            assert row is not None
            row.claimed_at = None
            if outcome == "done":
                row.status, row.inserted, row.attempts, row.last_error = "done", True, 0, None
                row.pushed_points, row.pushed_tier, row.pushed_state = (
                    card.points,
                    card.tier_code,
                    state,
                )
                row.pushed_at = ctx.now()
                sent += 1
                continue
            row.attempts += 1
            row.last_error = error[:300]
            errors.append(error)
            if outcome == "retry" and row.attempts < mw.MAX_ATTEMPTS:
                row.status, row.send_after = "queued", ctx.now() + mw.backoff(row.attempts)
                retrying += 1
            else:
                row.status = "failed"
                failed += 1
    return PushReport(queued, sent, retrying, failed, errors)


def _push_card(
    ctx: Context, customer_id: uuid.UUID, active: bool, token: str, value: dict[str, Any]
) -> tuple[mw.WalletCard, str]:
    if active:
        return _member_card(ctx, customer_id, value), "ACTIVE"
    # a member withdrawn or erased: the object stays, emptied and inactive
    with ctx.db.read() as session:
        customer = session.get(Customer, customer_id)
        tier = customer.tier_code if customer is not None else ""
    card = mw.WalletCard(token, _store_name(ctx), _program_name(ctx, value, ""), None, 0, tier, "")
    return card, "INACTIVE"


@dataclass(frozen=True)
class WalletPassLine:
    customer_id: uuid.UUID
    object_id: str
    status: str
    attempts: int
    last_error: str | None
    pushed_points: int | None
    pushed_tier: str | None
    pushed_at: datetime | None


def google_passes(ctx: Context, customer_id: uuid.UUID | None = None) -> list[WalletPassLine]:
    with ctx.db.read() as session:
        stmt = select(MobileWalletPass).order_by(MobileWalletPass.created_at)
        if customer_id is not None:
            stmt = stmt.where(MobileWalletPass.customer_id == customer_id)
        return [
            WalletPassLine(
                r.customer_id,
                r.object_id,
                r.status,
                r.attempts,
                r.last_error,
                r.pushed_points,
                r.pushed_tier,
                r.pushed_at,
            )
            for r in session.scalars(stmt)
        ]


def start_worker(ctx: Context, *, idle_seconds: float = 30.0) -> Loop | None:
    """The counter's background pusher of Google Wallet objects, when set up (else None)."""
    if not google_configured(ctx):
        return None
    return Loop(
        lambda: push_due(ctx),
        name="dangol-mobile-wallet",
        idle_seconds=idle_seconds,
        retry_seconds=60.0,
    ).start()


# --- Apple -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppleSetup:
    pass_type_id: str
    team_id: str
    certificate_subject: str
    not_after: datetime
    secret_kept: str


def setup_apple(
    ctx: Context,
    pass_type_id: str,
    team_id: str,
    certificate_pem: bytes,
    key_pem: bytes,
    wwdr_pem: bytes,
) -> AppleSetup:
    """Keep the Pass Type ID certificate and WWDR (settings) and the key (keyring)."""
    require_owner(ctx)
    if not pass_type_id.startswith("pass.") or not mw.valid_id_part(pass_type_id):
        raise Refused("mobile_wallet.pass_type_invalid", value=pass_type_id)
    if not (team_id.isalnum() and len(team_id) == 10):
        raise Refused("mobile_wallet.team_invalid", value=team_id)
    try:
        signer = apple_wallet.Signer.from_pem(certificate_pem, key_pem, wwdr_pem)
    except apple_wallet.SigningMaterialInvalid as exc:
        raise Refused("mobile_wallet.certificate_invalid", detail=str(exc)) from exc
    kept = save_secret(APPLE_SECRET, key_pem.decode(), _folder(ctx))
    value = {
        "pass_type_id": pass_type_id,
        "team_id": team_id.upper(),
        "certificate": certificate_pem.decode(),
        "wwdr": wwdr_pem.decode(),
    }
    with ctx.db.write() as session:
        set_setting(session, APPLE_KEY, value)
        audit(ctx, session, "mobile_wallet.apple_setup", detail={"pass_type_id": pass_type_id})
    ctx.settings[APPLE_KEY] = value
    cert = signer.certificate
    return AppleSetup(
        pass_type_id, team_id.upper(), cert.subject.rfc4514_string(), cert.not_valid_after_utc, kept
    )


@dataclass(frozen=True)
class ApplePass:
    customer_id: uuid.UUID
    token: str
    serial: str
    data: bytes  # the .pkpass


def apple_pass(ctx: Context, customer_id: uuid.UUID) -> ApplePass:
    """A member's signed store card (.pkpass), for the member to open from a link or e-mail."""
    made = _build_apple_pass(ctx, customer_id)
    with ctx.db.write() as session:
        audit(ctx, session, "mobile_wallet.apple_pass", target=customer_id)
    return made


PKPASS_TYPE = "application/vnd.apple.pkpass"


@dataclass(frozen=True)
class ApplePassMail:
    customer_id: uuid.UUID
    serial: str
    address: str
    message_id: str


def email_apple_pass(ctx: Context, customer_id: uuid.UUID, address: str) -> ApplePassMail:
    """The member's .pkpass by e-mail through the shop's SMTP server (Korean subject and body
    unless the shop speaks English); the iPhone opens the attachment in Wallet. Refused in
    words, nothing written, when it is not sent."""
    from app.services import shop_mail

    shop_mail.require_server(ctx)
    to = shop_mail.check_address(address)
    made = _build_apple_pass(ctx, customer_id)
    lang = _language(ctx)
    store = _store_name(ctx)
    message_id = shop_mail.send_mail(
        ctx,
        to,
        translate(lang, "mobile_wallet.mail_subject", store=store),
        translate(lang, "mobile_wallet.mail_body", store=store),
        ((translate(lang, "mobile_wallet.mail_file") + ".pkpass", PKPASS_TYPE, made.data),),
    )
    with ctx.db.write() as session:  # the address is the member's: not kept in the log
        audit(ctx, session, "mobile_wallet.apple_pass_email", target=customer_id)
    return ApplePassMail(customer_id, made.serial, to, message_id)


def _build_apple_pass(ctx: Context, customer_id: uuid.UUID) -> ApplePass:
    value = ctx.settings.get(APPLE_KEY)
    if not isinstance(value, dict) or not value.get("pass_type_id"):
        raise Refused("mobile_wallet.apple_off")
    key = load_secret(APPLE_SECRET, _folder(ctx))
    if not key:
        raise Refused("mobile_wallet.key_missing")
    try:
        signer = apple_wallet.Signer.from_pem(
            value["certificate"].encode(), key.encode(), value["wwdr"].encode()
        )
    except apple_wallet.SigningMaterialInvalid as exc:
        raise Refused("mobile_wallet.certificate_invalid", detail=str(exc)) from exc
    with ctx.db.read() as session:
        usable_customer(session, customer_id)
    google = google_settings(ctx) or {}
    card = _member_card(ctx, customer_id, google)
    lang = _language(ctx)
    serial = f"dangol-{card.token}"
    data = mw.pass_json(
        card,
        pass_type_id=value["pass_type_id"],
        team_id=value["team_id"],
        serial=serial,
        description=translate(lang, "mobile_wallet.description", store=card.store_name),
        points_label=translate(lang, "mobile_wallet.points"),
        tier_label=translate(lang, "mobile_wallet.tier"),
        member_label=translate(lang, "mobile_wallet.member"),
        card_label=translate(lang, "mobile_wallet.card_number"),
    )
    files = apple_wallet.images(card.colour, logo_path(ctx), card.store_name or "D")
    pkpass = apple_wallet.build_pkpass(data, files, signer)
    return ApplePass(customer_id, card.token, serial, pkpass)


def _status(exc: Rejected) -> str:
    return str(exc.args[0]) if exc.args else ""


def _detail(exc: BaseException) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else str(exc)
