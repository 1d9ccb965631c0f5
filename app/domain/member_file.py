"""The member file's newer columns -- point lots, card lists, moments -- written and read back.

A lot is "points@expiry" with the expiry an aware ISO moment in UTC, or "never"; lots are
separated by ";". Cards are 16-digit tokens separated by spaces. Moments are ISO 8601 with
their offset; one without an offset is read in the shop's zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from app.domain.calendar import impossible_day
from app.domain.card import is_valid_card_token
from app.domain.errors import Refused
from app.domain.moments import check_clock

NEVER_TEXT = "never"
LOT_SEPARATOR = ";"
MAX_LOTS = 1000


def format_lots(lots: Sequence[tuple[datetime | None, int]]) -> str:
    """Unspent lots, oldest expiry first; None is a lot that never expires."""
    parts = []
    for expires_at, points in lots:
        when = NEVER_TEXT if expires_at is None else expires_at.astimezone(UTC).isoformat()
        parts.append(f"{points}@{when}")
    return LOT_SEPARATOR.join(parts)


def parse_lots(text: str, maximum: int) -> list[tuple[datetime | None, int]]:
    """The lots of a point_lots cell; each a positive whole number at most `maximum`."""
    lots: list[tuple[datetime | None, int]] = []
    cell = text.strip()
    if not cell:
        return lots
    parts = cell.split(LOT_SEPARATOR)
    if len(parts) > MAX_LOTS:
        raise Refused("import.lots_invalid", value=cell[:40])
    for part in parts:
        amount, at, when = part.strip().partition("@")
        amount = amount.strip()
        if not at or not (amount.isascii() and amount.isdigit()) or int(amount) <= 0:
            raise Refused("import.lots_invalid", value=part.strip()[:40])
        if int(amount) > maximum:
            raise Refused("import.count_too_large", column="point_lots", maximum=maximum)
        when = when.strip()
        if when.lower() == NEVER_TEXT:
            lots.append((None, int(amount)))
            continue
        try:
            moment = datetime.fromisoformat(when)
        except ValueError as exc:
            raise Refused("import.lots_invalid", value=part.strip()[:40]) from exc
        if moment.tzinfo is None:
            raise Refused("import.lots_invalid", value=part.strip()[:40])
        lots.append((moment.astimezone(UTC), int(amount)))
    return lots


def format_cards(tokens: Sequence[str]) -> str:
    return " ".join(tokens)


def parse_cards(text: str) -> list[str]:
    """The card tokens of a cell, in order, each once; spaces or ";" between them."""
    tokens: list[str] = []
    for token in text.replace(LOT_SEPARATOR, " ").split():
        if not is_valid_card_token(token):
            raise Refused("import.card_invalid", value=token[:20])
        if token not in tokens:
            tokens.append(token)
    return tokens


def parse_moment(text: str, column: str, zone: ZoneInfo) -> datetime | None:
    """An aware UTC moment from an ISO cell (empty: None); without an offset it is local time."""
    cell = text.strip()
    if not cell:
        return None
    try:
        moment = datetime.fromisoformat(cell)
    except ValueError as exc:
        day = impossible_day(cell)
        if day is not None:
            raise Refused("date.not_exist", value=day) from exc
        raise Refused("import.moment_invalid", column=column, value=cell[:40]) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return check_clock(moment, cell)
    except Refused as exc:
        raise Refused(
            "import.moment_out_of_range",
            column=column,
            value=exc.params["value"],
            earliest=exc.params["earliest"],
            latest=exc.params["latest"],
        ) from None
