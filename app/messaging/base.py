"""The one small interface every message provider implements (Solapi, later NHN Cloud, ...):
send a message, find one sent before a cut, ask what became of it, and submit an 알림톡
template for Kakao's review and ask where that review stands."""

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


@dataclass(frozen=True)
class Delivery:
    """What the provider says became of a message it accepted."""

    state: str  # pending (on its way), delivered, failed, fell_back (delivered by SMS/LMS)
    cost_won: int | None = None
    error: str | None = None
    channel: str | None = None  # the channel it went by in the end
    at: datetime | None = None  # when the provider last changed it


@dataclass(frozen=True)
class TemplateButton:
    type: str  # WL, AL, DS, BK, MD
    name: str
    link_mobile: str | None = None
    link_pc: str | None = None


@dataclass(frozen=True)
class TemplateSpec:
    """An 알림톡 template as it is submitted (checked before: app.domain.alimtalk.check)."""

    name: str  # the shop's name for it at the provider
    text: str
    message_type: str  # Kakao's BA, EX
    emphasize_type: str  # Kakao's NONE, TEXT
    extra: str | None = None
    emphasis_title: str | None = None
    buttons: tuple[TemplateButton, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class TemplateState:
    """Where Kakao's review of a template stands, as the provider reports it."""

    template_id: str
    status: str  # registered, inspecting, approved, rejected (app.domain.alimtalk.STATUSES)
    reason: str | None = None  # why it was rejected


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

    def delivery(self, provider_message_id: str) -> Delivery | None:
        """What became of a message it accepted (None: it knows no such message)."""
        ...

    def submit_template(self, spec: TemplateSpec) -> TemplateState:
        """Register the template and ask for Kakao's review; raises Rejected when refused."""
        ...

    def template_status(self, template_id: str) -> TemplateState:
        """Where the review of a submitted template stands; raises NotFound when the
        provider knows no template under this id."""
        ...


class Rejected(Exception):
    """The provider refused the request itself (bad key, unregistered sender, no balance):
    the message is not sent and trying again will not help."""


class NotFound(Rejected):
    """The provider knows nothing under this id (a template deleted there, a wrong id)."""
