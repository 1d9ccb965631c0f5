"""Consent to messages, by channel and purpose, and the rules a sender follows (pure).

A member's consents are a history of events (grant, withdraw, notice), never edited: the
current state of each (channel, purpose, night) is the latest event about it. The rules of
the Network Act (정보통신망법 50조) as the sender applies them:

* a member who withdrew, was erased or merged into another record receives nothing;
* informational messages need the program consent (and no withdrawal of that channel's
  informational messages);
* an advertisement needs that channel's advertising consent;
* an advertisement between 21:00 and 08:00 (shop time) needs the night consent too,
  otherwise it is held until 08:00;
* every two years from consent, a member with advertising consent is due a notice of
  their consent status (정보통신망법 시행령 62조의3).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from app.domain.calendar import add_months
from app.domain.errors import Refused

CHANNELS = ("sms", "alimtalk", "friendtalk")  # SMS/LMS, 카카오 알림톡, 친구톡 (and other ads)
PURPOSES = ("info", "ad")
# "lms" and "mms" are the long and picture forms of a text message: the SMS consent holds
CHANNEL_ALIASES = {"lms": "sms", "mms": "sms"}
# how a consent was given or withdrawn ("demo" and None: recorded by older versions)
SOURCES = ("counter", "display", "import", "reply", "cli", "back_office")
ACTIONS = ("grant", "withdraw", "notice")
NIGHT_START = time(21, 0)
NIGHT_END = time(8, 0)
NOTICE_MONTHS = 24  # the law's two years

# why may_send said what it said (the outbox records it; the texts are `consent.reason.*`)
OK = "ok"
UNKNOWN_MEMBER = "unknown_member"
WITHDRAWN = "withdrawn"
ERASED = "erased"
MERGED = "merged"
NO_PROGRAM_CONSENT = "no_program_consent"
INFO_WITHDRAWN = "info_withdrawn"
NO_AD_CONSENT = "no_ad_consent"
NIGHT_HOLD = "night_hold"
REASONS = (
    OK,
    UNKNOWN_MEMBER,
    WITHDRAWN,
    ERASED,
    MERGED,
    NO_PROGRAM_CONSENT,
    INFO_WITHDRAWN,
    NO_AD_CONSENT,
    NIGHT_HOLD,
)

Key = tuple[str, str, bool]  # (channel, purpose, night)


def channel_of(text: str) -> str:
    """A channel name as typed ("SMS", "lms", "alimtalk"): one of CHANNELS, else refused."""
    value = text.strip().lower()
    value = CHANNEL_ALIASES.get(value, value)
    if value not in CHANNELS:
        raise Refused("consent.channel_unknown", channel=text, channels=", ".join(CHANNELS))
    return value


def purpose_of(text: str) -> str:
    value = text.strip().lower()
    if value not in PURPOSES:
        raise Refused("consent.purpose_unknown", purpose=text, purposes=", ".join(PURPOSES))
    return value


def source_of(text: str) -> str:
    value = text.strip().lower()
    if value not in SOURCES:
        raise Refused("consent.source_unknown", source=text, sources=", ".join(SOURCES))
    return value


def key_of(channel: str, purpose: str, night: bool) -> Key:
    """The consent a change is about; night is an advertising consent only."""
    if night and purpose != "ad":
        raise Refused("consent.night_is_ad")
    return (channel, purpose, night)


@dataclass(frozen=True)
class ConsentEvent:
    """One grant, withdrawal or notice, as stored."""

    action: str  # grant | withdraw | notice
    at: datetime
    channel: str | None = None  # None for a notice
    purpose: str | None = None
    night: bool = False
    source: str | None = None
    staff_id: uuid.UUID | None = None
    token: str | None = None

    @property
    def key(self) -> Key | None:
        if self.channel is None or self.purpose is None:
            return None
        return (self.channel, self.purpose, self.night)


@dataclass(frozen=True)
class Consent:
    """The current state of one consent: the latest event about it decides."""

    channel: str
    purpose: str
    night: bool
    granted: bool
    granted_at: datetime | None  # the latest grant (also when withdrawn since)
    withdrawn_at: datetime | None  # the withdrawal in force (None while granted)
    source: str | None  # of the deciding event
    staff_id: uuid.UUID | None
    token: str | None


@dataclass(frozen=True)
class ConsentState:
    """Every consent of a member (all keys present, never-given ones not granted)."""

    consents: Mapping[Key, Consent]
    last_notice_at: datetime | None

    def granted(self, channel: str, purpose: str, night: bool = False) -> bool:
        return self.consents[(channel, purpose, night)].granted

    def explicitly_withdrawn(self, channel: str, purpose: str) -> bool:
        return self.consents[(channel, purpose, False)].withdrawn_at is not None

    def ad_grants(self) -> list[Consent]:
        return [c for c in self.consents.values() if c.purpose == "ad" and c.granted]


ALL_KEYS: tuple[Key, ...] = tuple(
    [(c, p, False) for c in CHANNELS for p in PURPOSES] + [(c, "ad", True) for c in CHANNELS]
)


def current_state(events: Iterable[ConsentEvent]) -> ConsentState:
    """The state after these events, taken in time order (ties: in the order given)."""
    ordered = sorted(enumerate(events), key=lambda pair: (pair[1].at, pair[0]))
    latest: dict[Key, ConsentEvent] = {}
    last_grant: dict[Key, datetime] = {}
    last_notice: datetime | None = None
    for _, event in ordered:
        if event.action == "notice":
            last_notice = event.at
            continue
        key = event.key
        if key is None:
            continue
        latest[key] = event
        if event.action == "grant":
            last_grant[key] = event.at
    consents: dict[Key, Consent] = {}
    for key in ALL_KEYS:
        deciding = latest.get(key)
        granted = deciding is not None and deciding.action == "grant"
        consents[key] = Consent(
            channel=key[0],
            purpose=key[1],
            night=key[2],
            granted=granted,
            granted_at=last_grant.get(key),
            withdrawn_at=deciding.at if deciding is not None and not granted else None,
            source=deciding.source if deciding else None,
            staff_id=deciding.staff_id if deciding else None,
            token=deciding.token if deciding else None,
        )
    return ConsentState(consents, last_notice)


# --- the sending rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """What the rules need to know of a member."""

    status: str  # active | withdrawn | erased | merged
    program_consent: bool
    state: ConsentState


@dataclass(frozen=True)
class Decision:
    allowed: bool
    hold_until: datetime | None  # not now, but then (aware, UTC)
    reason: str


def is_night(local_moment: datetime) -> bool:
    """21:00 up to 08:00, read on the shop's clock."""
    clock = local_moment.timetz().replace(tzinfo=None)
    return clock >= NIGHT_START or clock < NIGHT_END


def next_morning(local_moment: datetime) -> datetime:
    """08:00 after a night moment: the same day before 08:00, else the next day."""
    day = local_moment.date()
    if local_moment.timetz().replace(tzinfo=None) >= NIGHT_END:
        day += timedelta(days=1)
    zone = local_moment.tzinfo
    return datetime.combine(day, NIGHT_END, tzinfo=zone)


def decide(
    recipient: Recipient | None, channel: str, purpose: str, when: datetime, zone: tzinfo
) -> Decision:
    """May a message of this purpose go to this member on this channel at `when`?"""
    channel = channel_of(channel)
    purpose = purpose_of(purpose)
    if when.tzinfo is None:
        raise ValueError("when must be an aware datetime")
    if recipient is None:
        return Decision(False, None, UNKNOWN_MEMBER)
    gone = {"withdrawn": WITHDRAWN, "erased": ERASED, "merged": MERGED}
    if recipient.status in gone:
        return Decision(False, None, gone[recipient.status])
    if recipient.status != "active":
        return Decision(False, None, UNKNOWN_MEMBER)
    if not recipient.program_consent:
        return Decision(False, None, NO_PROGRAM_CONSENT)
    state = recipient.state
    if purpose == "info":
        if state.explicitly_withdrawn(channel, "info"):
            return Decision(False, None, INFO_WITHDRAWN)
        return Decision(True, None, OK)
    if not state.granted(channel, "ad"):
        return Decision(False, None, NO_AD_CONSENT)
    local = when.astimezone(zone)
    if is_night(local) and not state.granted(channel, "ad", night=True):
        morning = next_morning(local)
        return Decision(False, morning.astimezone(UTC), NIGHT_HOLD)
    return Decision(True, None, OK)


# --- the two-yearly notice -------------------------------------------------------------------


def notice_due_on(state: ConsentState, zone: tzinfo) -> date | None:
    """The local day the next consent notice is due; None without advertising consent.

    Two years from the older of the advertising consents still in force, counted again from
    the last notice sent after it."""
    grants = [c.granted_at for c in state.ad_grants() if c.granted_at is not None]
    if not grants:
        return None
    days = []
    for granted_at in grants:
        since = granted_at
        if state.last_notice_at is not None and state.last_notice_at > since:
            since = state.last_notice_at
        days.append(add_months(since.astimezone(zone).date(), NOTICE_MONTHS))
    return min(days)
