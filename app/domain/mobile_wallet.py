"""Membership cards in the phone's wallet (Google Wallet, Apple Wallet): what a card says.

Pure values and the JSON shapes Google's Wallet API and Apple's pass.json take; the signing
and the HTTP calls are the adapters' (app.messaging.google_wallet, app.printing.apple_wallet).
The barcode of either pass is the membership card's token, so the counter finds the member
from a scanned pass exactly as from a printed card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

SAVE_URL = "https://pay.google.com/gp/v/save/"  # the "Save to Google Wallet" link: + the JWT
DEFAULT_COLOUR = "#1F4E79"
BACKOFF_FIRST = 30  # seconds
BACKOFF_MAX = 6 * 3600
MAX_ATTEMPTS = 12  # then the update waits for the next change (or `push` by hand)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_ID_PART = re.compile(r"^[A-Za-z0-9._-]{1,60}$")


@dataclass(frozen=True)
class WalletCard:
    """One member's card as a wallet shows it."""

    token: str  # the membership card's token: the barcode
    store_name: str
    program_name: str
    member_name: str | None  # masked (김○○) or None: a pass is seen on a lock screen
    points: int
    tier_code: str
    tier_name: str
    colour: str = DEFAULT_COLOUR
    logo_url: str | None = None  # Google fetches the logo from a public address
    language: str = "ko"


def valid_colour(value: str) -> bool:
    return bool(_COLOUR.match(value))


def valid_id_part(value: str) -> bool:
    """Google's ids are `issuer.suffix`: the suffix of letters, digits, '.', '_' and '-'."""
    return bool(_ID_PART.match(value))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most 6 hours."""
    seconds = BACKOFF_FIRST * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, BACKOFF_MAX))


# --- Google Wallet: the loyalty class, the loyalty object, the save JWT's claims -----------


def class_id(issuer_id: str, suffix: str) -> str:
    return f"{issuer_id}.{suffix}"


def object_id(issuer_id: str, token: str) -> str:
    """A member's object, named by the card they had when it was made: a new card (a lost one
    replaced) keeps the object, whose barcode moves to the new token."""
    return f"{issuer_id}.dangol-{token}"


def loyalty_class(class_ref: str, card: WalletCard) -> dict[str, Any]:
    """Google's LoyaltyClass resource: the program's name, logo and colour."""
    body: dict[str, Any] = {
        "id": class_ref,
        "issuerName": card.store_name[:100],
        "programName": card.program_name[:100],
        "hexBackgroundColor": card.colour,
        "reviewStatus": "UNDER_REVIEW",
        "countryCode": "KR",
        "localizedProgramName": _localized(card.program_name, card.language),
    }
    if card.logo_url:
        body["programLogo"] = {
            "sourceUri": {"uri": card.logo_url},
            "contentDescription": _localized(card.store_name, card.language),
        }
    return body


def loyalty_object(
    object_ref: str, class_ref: str, card: WalletCard, points_label: str, tier_label: str
) -> dict[str, Any]:
    """Google's LoyaltyObject resource: the card token as the barcode, points and tier."""
    body: dict[str, Any] = {
        "id": object_ref,
        "classId": class_ref,
        "state": "ACTIVE",
        "accountId": card.token,
        "barcode": {"type": "QR_CODE", "value": card.token, "alternateText": card.token},
        "loyaltyPoints": {"label": points_label, "balance": {"int": card.points}},
        "textModulesData": [{"id": "tier", "header": tier_label, "body": card.tier_name}],
    }
    if card.member_name:
        body["accountName"] = card.member_name
    return body


def slip_object(object_ref: str, class_ref: str, token: str) -> dict[str, Any]:
    """The least a LoyaltyObject may be (id, class, state) and its barcode: what a slip's save
    link carries, so its QR stays small enough for the paper. Google makes the object from it
    on save; the points and the tier come with the outbox's update of it."""
    return {
        "id": object_ref,
        "classId": class_ref,
        "state": "ACTIVE",
        "barcode": {"type": "QR_CODE", "value": token, "alternateText": token},
    }


def object_patch(card: WalletCard, points_label: str, tier_label: str) -> dict[str, Any]:
    """What changes on an object when the member's points, tier or card change."""
    return {
        "accountId": card.token,
        "barcode": {"type": "QR_CODE", "value": card.token, "alternateText": card.token},
        "loyaltyPoints": {"label": points_label, "balance": {"int": card.points}},
        "textModulesData": [{"id": "tier", "header": tier_label, "body": card.tier_name}],
    }


def save_claims(
    service_account: str,
    issued_at: int,
    origins: list[str],
    loyalty_object_body: dict[str, Any],
) -> dict[str, Any]:
    """The claims of the "Save to Google Wallet" JWT (typ savetowallet, aud google).

    The object goes whole: Google creates it on save when the background insert has not
    reached it yet (offline at the counter), and keeps the one that exists otherwise."""
    return {
        "iss": service_account,
        "aud": "google",
        "typ": "savetowallet",
        "iat": issued_at,
        "origins": origins,
        "payload": {"loyaltyObjects": [loyalty_object_body]},
    }


def _localized(text: str, language: str) -> dict[str, Any]:
    return {"defaultValue": {"language": "ko-KR" if language == "ko" else "en-US", "value": text}}


# --- Apple Wallet: pass.json of a store card ------------------------------------------------


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def pass_json(
    card: WalletCard,
    *,
    pass_type_id: str,
    team_id: str,
    serial: str,
    description: str,
    points_label: str,
    tier_label: str,
    member_label: str,
    card_label: str,
) -> dict[str, Any]:
    """Apple's pass.json of a store card, the card token as its QR barcode."""
    back = [{"key": "token", "label": card_label, "value": card.token}]
    secondary = [{"key": "tier", "label": tier_label, "value": card.tier_name}]
    if card.member_name:
        secondary.append({"key": "name", "label": member_label, "value": card.member_name})
    barcode = {
        "format": "PKBarcodeFormatQR",
        "message": card.token,
        "messageEncoding": "iso-8859-1",
        "altText": card.token,
    }
    return {
        "formatVersion": 1,
        "passTypeIdentifier": pass_type_id,
        "serialNumber": serial,
        "teamIdentifier": team_id,
        "organizationName": card.store_name,
        "description": description,
        "logoText": card.program_name,
        "backgroundColor": _rgb(card.colour),
        "foregroundColor": "rgb(255, 255, 255)",
        "labelColor": "rgb(230, 230, 230)",
        "storeCard": {
            "primaryFields": [
                {
                    "key": "points",
                    "label": points_label,
                    "value": card.points,
                    "numberStyle": "PKNumberStyleDecimal",
                }
            ],
            "secondaryFields": secondary,
            "backFields": back,
        },
        "barcodes": [barcode],
        "barcode": barcode,  # iOS 8 and older read the single one
    }
