"""E-mail through the shop's own SMTP server (smtplib, the standard library): the message is
built by the caller; this connects (STARTTLS when asked, implicit TLS on port 465), signs in
when a user is set, sends, and says what went wrong as `Unreachable` (try later) or `Rejected`
(the server refused: the address, the sender, the login or the message)."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from app.messaging.base import Rejected, Unreachable

TIMEOUT = 20.0  # seconds: a server that does not answer is said so, the counter never hangs
# one address as a person types it: no display name, no spaces, one @, a dotted domain
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def valid_address(address: str) -> bool:
    return len(address) <= 254 and bool(_ADDRESS.match(address))


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    user: str  # empty: no sign-in (a relay on the shop's network)
    starttls: bool
    sender: str  # the From address


class LoginRefused(Rejected):
    """The server did not take the user and password."""


class TlsMissing(Rejected):
    """STARTTLS was asked for and the server does not offer it: nothing was sent in clear."""


def send(server: SmtpServer, password: str, message: EmailMessage) -> None:
    """Send one message; raises Unreachable or Rejected (with the server's code and words)."""
    try:
        if server.port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        with client:
            client.ehlo()
            if server.starttls and server.port != 465:
                if not client.has_extn("starttls"):
                    raise TlsMissing("STARTTLS", "the server does not offer STARTTLS")
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if server.user:
                client.login(server.user, password)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise LoginRefused(str(exc.smtp_code), _words(exc.smtp_error)) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        code, words = next(iter(exc.recipients.values()), (0, b""))
        raise Rejected(str(code), _words(words)) from exc
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        raise Rejected(str(exc.smtp_code), _words(exc.smtp_error)) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise Rejected("", str(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, cut, TLS failed
        raise Unreachable(f"{type(exc).__name__}: {exc}") from exc


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]
