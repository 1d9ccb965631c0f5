"""The shop's SMTP server (host, port, user, STARTTLS, the From address; the password in the
OS keyring like the wallets' secrets) and sending one e-mail through it.

Refused in words: no server set up, an address that is not one, a server that does not answer,
refuses the login or the message. Nothing is written when a mail is not sent."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from app.db.settings import set_setting
from app.domain.errors import Refused
from app.messaging import mail
from app.messaging.base import Rejected, Unreachable
from app.messaging.wallet_secrets import load_secret, save_secret
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.staff import require_owner

SMTP_KEY = "smtp"
SMTP_SECRET = "smtp-password"


def _folder(ctx: Context) -> Path:
    """Where the password is kept without a keyring (as the wallets' keys)."""
    path = ctx.db.path
    if path is not None:
        return path.parent
    from platformdirs import user_data_dir

    return Path(user_data_dir("dangol", appauthor=False))


@dataclass(frozen=True)
class SmtpSetup:
    host: str
    port: int
    user: str
    starttls: bool
    sender: str
    secret_kept: str  # keyring | file | memory | none (no password)


def check_address(address: str) -> str:
    """The address as typed, trimmed; refused in words when it is not one address."""
    cleaned = address.strip()
    if not mail.valid_address(cleaned):
        raise Refused("mail.address_invalid", address=address.strip()[:80])
    return cleaned


def setup_smtp(
    ctx: Context,
    host: str,
    port: int,
    sender: str,
    *,
    user: str = "",
    password: str = "",
    starttls: bool = True,
) -> SmtpSetup:
    """Owner only: keep the server (settings) and its password (keyring)."""
    require_owner(ctx)
    host = host.strip()
    if not host or any(c.isspace() for c in host) or len(host) > 253:
        raise Refused("mail.host_invalid", host=host[:80])
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise Refused("mail.port_invalid", port=str(port))
    sender = check_address(sender)
    user = user.strip()
    if user and not password:
        raise Refused("mail.password_missing", user=user)
    kept = save_secret(SMTP_SECRET, password, _folder(ctx)) if password else "none"
    value = {"host": host, "port": port, "user": user, "starttls": starttls, "sender": sender}
    with ctx.db.write() as session:
        set_setting(session, SMTP_KEY, value)
        audit(ctx, session, "settings.smtp")
    ctx.settings[SMTP_KEY] = value
    return SmtpSetup(host, port, user, starttls, sender, kept)


def smtp_server(ctx: Context) -> mail.SmtpServer | None:
    value = ctx.settings.get(SMTP_KEY)
    if not isinstance(value, dict) or not value.get("host"):
        return None
    return mail.SmtpServer(
        host=str(value["host"]),
        port=int(value.get("port") or 587),
        user=str(value.get("user") or ""),
        starttls=bool(value.get("starttls", True)),
        sender=str(value.get("sender") or ""),
    )


def require_server(ctx: Context) -> mail.SmtpServer:
    server = smtp_server(ctx)
    if server is None:
        raise Refused("mail.not_set_up")
    return server


def send_mail(
    ctx: Context,
    to: str,
    subject: str,
    body: str,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> str:
    """One message to one address, each attachment (file name, MIME type, bytes); the
    Message-ID sent. Refused in words when it is not sent."""
    server = require_server(ctx)
    to = check_address(to)
    password = (load_secret(SMTP_SECRET, _folder(ctx)) or "") if server.user else ""
    if server.user and not password:
        raise Refused("mail.password_missing", user=server.user)
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2])
    message.set_content(body)
    for name, mime, data in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    try:
        mail.send(server, password, message)
    except mail.LoginRefused as exc:
        raise Refused("mail.login_refused", user=server.user, detail=_detail(exc)) from exc
    except mail.TlsMissing as exc:
        raise Refused("mail.no_starttls", host=server.host) from exc
    except Rejected as exc:
        raise Refused("mail.rejected", code=_code(exc), detail=_detail(exc)) from exc
    except Unreachable as exc:
        raise Refused("mail.unreachable", host=server.host, port=server.port) from exc
    return str(message["Message-ID"])


def _code(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else ""


def _detail(exc: BaseException) -> str:
    return str(exc.args[1]) if len(exc.args) > 1 else str(exc)


def smtp_summary(ctx: Context) -> dict[str, Any] | None:
    """The server as the owner reads it back (never the password)."""
    server = smtp_server(ctx)
    if server is None:
        return None
    return {
        "host": server.host,
        "port": server.port,
        "user": server.user,
        "starttls": server.starttls,
        "sender": server.sender,
    }
