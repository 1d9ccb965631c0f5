"""The one small interface every message provider implements (Solapi, later NHN Cloud, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message as the provider gets it: the text is final (rules already applied)."""

    key: str  # the outbox's idempotency key: the provider keeps it with the message
    to: str  # national digits
    channel: str  # alimtalk, sms, friendtalk
    text: str  # the 알림톡 text, or the SMS/LMS text
    fallback_text: str  # what goes by SMS/LMS when 알림톡 cannot be delivered
    template_id: str | None = None  # the approved 알림톡 template at the provider
    variables: dict[str, str] | None = None
    subject: str | None = None  # an LMS subject


@dataclass(frozen=True)
class Result:
    """What became of one message at the provider."""

    status: str  # sent, fell_back (went by SMS instead of 알림톡), failed
    provider_message_id: str | None = None
    cost_won: int | None = None
    error: str | None = None
    channel: str | None = None  # the channel it really went by


class Unreachable(Exception):
    """The provider did not answer (offline, cut connection, its server down): try later."""


class Provider(Protocol):
    name: str

    def send(self, message: Outgoing) -> Result:
        """Hand one message over; raises Unreachable when it may not have arrived."""
        ...

    def find(self, message: Outgoing, since: datetime) -> Result | None:
        """The message the provider already holds under this key (sent before a crash or a
        cut), or None: asked before a message is sent again, so nothing goes twice."""
        ...


class Rejected(Exception):
    """The provider refused the request itself (bad key, unregistered sender, no balance):
    the message is not sent and trying again will not help."""
