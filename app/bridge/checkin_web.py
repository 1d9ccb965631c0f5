"""The check-in as a web page for a tablet on the shop's Wi-Fi: ``/checkin`` on the POS bridge.

The page is plain HTML, CSS and JavaScript from ``resources/web/checkin/`` (no framework, no
file from elsewhere: its Content-Security-Policy allows this server only); its sentences come
from our catalogues (``GET /checkin/texts?lang=ko``), so there is one catalogue.

Off by default (the setting ``tablet_enabled``). A tablet pairs once with the six-digit code
the owner shows in the back office (``POST /checkin/pair``) and keeps the device token it gets;
every other call sends it as ``Authorization: Bearer TOKEN`` (a token of the ``tablet`` scope:
check-in only, nothing of the POS's). Bad codes and bad tokens slow their sender down like the
POS's bad tokens. Answers never hold a full phone number, a name (its first letter only) or a
customer's id: a check-in is named to the page by an opaque visit handle, good while the
screen shows that customer.

After the moment of a sale the page asks the visit's rating when ``ratings.should_ask`` says
so (``"ask_rating"`` in the sale's answer): the same question as the counter's display, the
answer posted with the visit's handle (``POST /checkin/rate``, stored with source "tablet"),
the thanks with the shop's review QR after a promoter's score (an SVG this server draws).

Errors are ``{"error": CODE, "message": TEXT}`` in the page's language (``Accept-Language``).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import qrcode
import qrcode.constants
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

from app.domain.consent import CHANNELS
from app.domain.errors import Refused
from app.domain.nps import MAX_COMMENT
from app.i18n import LANGUAGES, N_, catalogue
from app.resources import FONT_BOLD, FONT_REGULAR, ICON, RESOURCES
from app.services import checkin, devices, mobile_wallet, ratings, store
from app.services.context import Context
from app.services.settings import setting

WEB = RESOURCES / "web" / "checkin"
# the page's files, by the name in the address: nothing else under WEB is served
FILES = {
    "": (WEB / "index.html", "text/html; charset=utf-8"),
    "app.js": (WEB / "app.js", "text/javascript; charset=utf-8"),
    "style.css": (WEB / "style.css", "text/css; charset=utf-8"),
    "icon.png": (ICON, "image/png"),  # the tab's and the home screen's icon
    # the app's Korean font: a tablet without one still shows Hangul
    "font.ttf": (FONT_REGULAR, "font/ttf"),
    "font-bold.ttf": (FONT_BOLD, "font/ttf"),
}
# only this server: no outside script, style, font or image; no frame around the page
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
VISIT_SECONDS = 600  # a visit handle is good this long after its check-in
IDLE_SECONDS = 30  # the page goes back to the prompt after this long untouched
STATUS_OF = {
    "tablet.off": 403,
    "token.unknown": 401,
    "token.not_allowed": 403,
    "tablet.code_form": 400,
    "tablet.code_wrong": 401,
    "tablet.code_expired": 401,
    "api.malformed": 400,
    "tablet.visit_unknown": 404,
}

# every sentence the page shows (the keys go to the page whole: the page fills {placeholders})
TEXT_KEYS = (
    N_("tabletweb.title"),
    N_("tabletweb.prompt"),
    N_("tabletweb.prompt_hint"),
    N_("tabletweb.ok"),
    N_("tabletweb.clear"),
    N_("tabletweb.back"),
    N_("tabletweb.cancel"),
    N_("tabletweb.language"),
    N_("tabletweb.pair_title"),
    N_("tabletweb.pair_hint"),
    N_("tabletweb.pair_button"),
    N_("tabletweb.paired"),
    N_("tabletweb.unpaired"),
    N_("tabletweb.off"),
    N_("tabletweb.local_only"),
    N_("tabletweb.offline"),
    N_("tabletweb.welcome"),
    N_("tabletweb.welcome_anonymous"),
    N_("tabletweb.points"),
    N_("tabletweb.stamps"),
    N_("tabletweb.reward_ready"),
    N_("tabletweb.coupons"),
    N_("tabletweb.done"),
    N_("tabletweb.pick"),
    N_("tabletweb.unknown"),
    N_("tabletweb.unknown_no_join"),
    N_("tabletweb.join_offer"),
    N_("tabletweb.join_yes"),
    N_("tabletweb.join_no"),
    N_("tabletweb.join_title"),
    N_("tabletweb.consent_program"),
    N_("tabletweb.consent_marketing"),
    N_("tabletweb.consent_channels"),
    N_("tabletweb.consent_night"),
    N_("tabletweb.required"),
    N_("tabletweb.optional"),
    N_("tabletweb.join_button"),
    N_("tabletweb.joined"),
    N_("tabletweb.sale_points"),
    N_("tabletweb.sale_stamp"),
    N_("tabletweb.sale_thanks"),
    N_("tabletweb.balance"),
    # 지갑에 추가 at the counter: the save link's QR (the counter display's hint under it)
    N_("tabletweb.wallet_title"),
    N_("tabletweb.wallet_open"),
    N_("display.wallet_hint"),
    # the visit's rating: the keys of the counter's display (app/ui/rating.py)
    N_("rating.question"),
    N_("rating.low_end"),
    N_("rating.high_end"),
    N_("rating.comment_hint"),
    N_("rating.skip"),
    N_("rating.send"),
    N_("rating.thanks"),
    N_("rating.review_note"),
    *(f"consent.channel.{channel}" for channel in CHANNELS),
)


class Slowing(Protocol):
    """The bridge's guard against guessing (``app.bridge.api.Guard``)."""

    def delay(self, client: str) -> float: ...

    def failed(self, client: str) -> None: ...

    def succeeded(self, client: str) -> None: ...


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PairIn(_Body):
    code: str = Field(max_length=20)


class RateIn(_Body):
    visit: str = Field(max_length=64)
    score: int  # 0–10: outside it is refused in words by ratings.record_rating
    comment: str | None = Field(default=None, max_length=1000)  # over 200: refused in words


class LookupIn(_Body):
    number: str = Field(max_length=20)


class ChooseIn(_Body):
    choice: str = Field(max_length=64)


class ChannelsIn(_Body):
    sms: bool = False
    alimtalk: bool = False
    friendtalk: bool = False


class ConsentsIn(_Body):
    program: bool = False
    marketing: bool = False
    channels: ChannelsIn = Field(default_factory=ChannelsIn)
    night: bool = False


class JoinIn(_Body):
    phone: str = Field(max_length=20)
    consents: ConsentsIn


@dataclass(frozen=True)
class Visit:
    """A check-in the page may ask about (the sale's moment), by its handle, for a while."""

    checkin_id: uuid.UUID
    device: str
    until: float  # time.monotonic()


class Visits:
    """Handles of the check-ins shown on tablets now: opaque to the page, good for a while,
    each only for the tablet that made it."""

    def __init__(self) -> None:
        self._visits: dict[str, Visit] = {}
        self._lock = threading.Lock()

    def add(self, checkin_id: uuid.UUID, device: str) -> str:
        handle = secrets.token_urlsafe(12)
        now = time.monotonic()
        with self._lock:
            for old in [h for h, v in self._visits.items() if v.until <= now]:
                del self._visits[old]
            self._visits[handle] = Visit(checkin_id, device, now + VISIT_SECONDS)
        return handle

    def get(self, handle: str, device: str) -> uuid.UUID:
        with self._lock:
            visit = self._visits.get(handle)
        if visit is None or visit.device != device or visit.until <= time.monotonic():
            raise Refused("tablet.visit_unknown")
        return visit.checkin_id


def language_of(request: Request) -> str:
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "ko"


def refusal(request: Request, refused: Refused) -> JSONResponse:
    return JSONResponse(
        {"error": refused.code, "message": refused.message(language_of(request))},
        status_code=STATUS_OF.get(refused.code, 422),
    )


def page_texts(lang: str) -> dict[str, str]:
    """The page's sentences in ``lang``, their {placeholders} left for the page to fill."""
    found = catalogue(lang if lang in LANGUAGES else "ko")
    return {key: found.gettext(key) for key in TEXT_KEYS}


def lan_addresses() -> list[str]:
    """This PC's addresses on the shop's network, as a tablet would type them (best effort;
    nothing is sent: a UDP socket only asks the system which address it would use)."""
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))
        found.append(str(probe.getsockname()[0]))
    except OSError:
        pass
    finally:
        probe.close()
    try:
        for address in socket.gethostbyname_ex(socket.gethostname())[2]:
            if address not in found:
                found.append(address)
    except OSError:
        pass
    return [a for a in found if not a.startswith("127.")]


@cache
def web_font(path: Path) -> bytes:
    """The app's TrueType font as a browser takes it: without the tables of a hinting editor
    (``TSI0``..``TSI5``, NanumGothic has an empty ``TSI3``), which Chromium's font sanitizer
    refuses whole. The other tables are copied as they are, each at a 4-byte boundary."""
    data = path.read_bytes()
    version, count = struct.unpack(">IH", data[:6])
    tables = []
    for i in range(count):
        tag, checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        if not tag.startswith(b"TSI"):
            tables.append((tag, checksum, data[offset : offset + length]))
    power = 1 << (len(tables).bit_length() - 1)
    header = struct.pack(
        ">IHHHH",
        version,
        len(tables),
        power * 16,
        power.bit_length() - 1,
        (len(tables) - power) * 16,
    )
    offset = len(header) + 16 * len(tables)
    directory, bodies = [], []
    for tag, checksum, body in tables:
        directory.append(struct.pack(">4sIII", tag, checksum, offset, len(body)))
        padded = body + b"\0" * (-len(body) % 4)
        bodies.append(padded)
        offset += len(padded)
    return header + b"".join(directory) + b"".join(bodies)


def _token_of(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def member_json(
    result: checkin.CheckInResult, handle: str | None, ask_rating: bool = False
) -> dict[str, Any]:
    """A check-in's answer as the page shows it: never the id, the full number or the name."""
    body: dict[str, Any] = {"kind": result.kind}
    if result.kind == checkin.MEMBER and result.member is not None:
        card = result.member
        body.update(
            visit=handle,
            phone_masked=card.phone_masked,
            initial=card.initial,
            points=card.points,
            stamps_enabled=card.stamps_enabled,
            stamps=card.stamps,
            stamp_goal=card.stamp_goal,
            rewards_ready=card.rewards_ready,
            stamp_reward=card.stamp_reward,
            coupons=card.coupons,
            tier=card.tier_name,
            enrolled=result.enrolled,
            sale=attached_json(result, ask_rating) if result.sale is not None else None,
        )
    elif result.kind == checkin.CHOICES:
        body["choices"] = [
            {"choice": c.token, "phone_masked": c.phone_masked, "initial": c.initial}
            for c in result.choices
        ]
    elif result.kind == checkin.UNKNOWN:
        body.update(can_join=result.can_join, phone_masked=result.phone_masked)
    return body


def qr_svg(payload: str) -> str:
    """The payload's QR as an SVG (level M, a quiet zone of 4 modules), black on white, one
    unit per module: the page shows it as an image, nothing fetched from elsewhere."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    side = len(matrix)
    path = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" '
        f'shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def qr_data_url(payload: str) -> str:
    """The QR's SVG as a data: address for an <img> (the page's policy allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(payload).encode()).decode()


def wallet_json(link: mobile_wallet.GoogleLink | None) -> dict[str, Any] | None:
    """지갑에 추가 pressed at the counter: the save link, its QR, and when it was made (the
    page shows each link once)."""
    if link is None:
        return None
    return {
        "url": link.url,
        "qr": qr_data_url(link.url),
        "at": link.at.isoformat() if link.at is not None else None,
    }


def sale_json(sale: devices.VisitSale) -> dict[str, Any]:
    """The moment of a sale: what it earned, where the member stands now, and whether the
    visit's rating follows."""
    return {
        "ask_rating": sale.ask_rating,
        "points_earned": sale.points_earned,
        "stamps_added": sale.stamps_added,
        "points": sale.points,
        "stamps_on_card": sale.stamps_on_card,
        "stamp_goal": sale.stamp_goal,
        "rewards_ready": sale.rewards_ready,
        "stamp_reward": sale.stamp_reward,
    }


def attached_json(result: checkin.CheckInResult, ask_rating: bool = False) -> dict[str, Any]:
    """A POS sale that waited and was attached by the check-in: earned by it, balances after."""
    sale, card = result.sale, result.member
    assert sale is not None and card is not None
    return sale_json(
        devices.VisitSale(
            points_earned=sale.points_earned,
            stamps_added=sale.stamps_earned,
            points=card.points,
            stamps_on_card=card.stamps,
            stamp_goal=card.stamp_goal,
            rewards_ready=card.rewards_ready,
            stamp_reward=card.stamp_reward,
            ask_rating=ask_rating,
        )
    )


def router(shop: Context, guard: Slowing) -> APIRouter:
    """The page and its JSON calls over one open shop (each call on its own copy of it)."""
    web = APIRouter(include_in_schema=False)
    visits = Visits()

    def serve(name: str) -> Response:
        path, media = FILES[name]
        cache = "max-age=86400" if name == "icon.png" else "no-cache"
        return FileResponse(
            path,
            media_type=media,
            headers={"Content-Security-Policy": POLICY, "Cache-Control": cache},
        )

    @web.get("/checkin")
    async def page() -> Response:
        return serve("")

    @web.get("/checkin/app.js")
    async def script() -> Response:
        return serve("app.js")

    @web.get("/checkin/style.css")
    async def style() -> Response:
        return serve("style.css")

    @web.get("/checkin/icon.png")
    async def icon() -> Response:
        return serve("icon.png")

    @web.get("/checkin/{name}.ttf")
    async def font(name: str) -> Response:
        if f"{name}.ttf" not in FILES:
            raise HTTPException(404)
        path, media = FILES[f"{name}.ttf"]
        body = await asyncio.to_thread(web_font, path)
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=86400"})

    @web.get("/checkin/texts")
    async def texts(lang: str = "ko") -> Response:
        lang = lang if lang in LANGUAGES else "ko"
        return JSONResponse({"lang": lang, "texts": page_texts(lang)})

    @web.get("/checkin/status")
    async def status(request: Request) -> Response:
        """Whether the tablet is on, reachable from the LAN, and (with a token) paired."""
        token = _token_of(request)

        def work() -> dict[str, Any]:
            ctx = replace(shop, token=None, allowed=None)
            paired: bool | None = None
            if token is not None and devices.tablet_enabled(ctx):
                try:
                    devices.device_of(ctx, token)
                    paired = True
                except Refused:
                    paired = False
            return {
                "enabled": devices.tablet_enabled(ctx),
                "lan": bool(setting(ctx, "pos_api_lan")),
                "store": store.store_name(ctx),
                "idle_seconds": int(setting(ctx, "checkin_idle_seconds") or IDLE_SECONDS),
                "paired": paired,
                "comment_max": MAX_COMMENT,  # the rating's comment, in characters
            }

        return JSONResponse(await asyncio.to_thread(work))

    @web.post("/checkin/pair")
    async def pair(request: Request, body: PairIn) -> Response:
        client = _client(request)
        wait = guard.delay(client)
        if wait:
            await asyncio.sleep(wait)
        ctx = replace(shop, token=None, allowed=None)
        try:
            made = await asyncio.to_thread(devices.pair, ctx, body.code)
        except Refused as refused:
            if refused.code != "tablet.off":
                guard.failed(client)
            return refusal(request, refused)
        guard.succeeded(client)
        return JSONResponse({"token": made.token, "name": made.name}, status_code=201)

    async def as_device(
        request: Request,
        work: Callable[[Context, str], dict[str, Any]],
        action: str = "checkin",
    ) -> Response:
        """The work for the tablet's token, off the event loop; refusals become errors."""
        client = _client(request)
        wait = guard.delay(client)
        if wait:
            await asyncio.sleep(wait)
        token = _token_of(request) or ""

        def run() -> dict[str, Any]:
            ctx = replace(shop, token=None, allowed=None)
            info = devices.device_of(ctx, token, action)
            guard.succeeded(client)
            return work(ctx, info.id)

        try:
            return JSONResponse(await asyncio.to_thread(run))
        except Refused as refused:
            if refused.code == "token.unknown":
                guard.failed(client)
            return refusal(request, refused)

    def answer(ctx: Context, device: str, result: checkin.CheckInResult) -> dict[str, Any]:
        if result.kind == checkin.REFUSED and result.refusal is not None:
            raise result.refusal
        handle = None
        if result.kind == checkin.MEMBER and result.checkin_id is not None:
            handle = visits.add(result.checkin_id, device)
        ask = result.sale is not None and ratings.should_ask(ctx, result.sale.sale_id)
        return member_json(result, handle, ask)

    @web.post("/checkin/lookup")
    async def lookup(request: Request, body: LookupIn) -> Response:
        def work(ctx: Context, device: str) -> dict[str, Any]:
            found = checkin.check_in(ctx, body.number, source="tablet", device=ctx.token)
            return answer(ctx, device, found)

        return await as_device(request, work)

    @web.post("/checkin/choose")
    async def choose(request: Request, body: ChooseIn) -> Response:
        def work(ctx: Context, device: str) -> dict[str, Any]:
            return answer(ctx, device, checkin.choose(ctx, body.choice))

        return await as_device(request, work)

    @web.get("/checkin/consents")
    async def consents(request: Request) -> Response:
        """The store's own wording of the consents, as the customer reads them before joining."""

        def work(ctx: Context, _device: str) -> dict[str, Any]:
            return {
                "program": str(setting(ctx, "consent_program_text")),
                "marketing": str(setting(ctx, "consent_marketing_text")),
                "channels": list(CHANNELS),
            }

        return await as_device(request, work)

    @web.post("/checkin/join")
    async def join(request: Request, body: JoinIn) -> Response:
        def work(ctx: Context, device: str) -> dict[str, Any]:
            choices = body.consents.model_dump()
            found = checkin.enroll_at_display(
                ctx, body.phone, choices, source="tablet", device=ctx.token
            )
            return answer(ctx, device, found)

        return await as_device(request, work)

    @web.get("/checkin/moment")
    async def moment(request: Request, visit: str = "") -> Response:
        """The sale the counter recorded for the member checked in, once there is one; and the
        save link when the cashier pressed 지갑에 추가 for them since their check-in."""

        def work(ctx: Context, device: str) -> dict[str, Any]:
            checkin_id = visits.get(visit, device)
            sale = devices.visit_sale(ctx, checkin_id)
            return {
                "sale": sale_json(sale) if sale is not None else None,
                "wallet": wallet_json(mobile_wallet.wallet_offer(ctx, checkin_id)),
            }

        return await as_device(request, work)

    @web.post("/checkin/rate")
    async def rate(request: Request, body: RateIn) -> Response:
        """The customer's answer to the visit's rating; the review QR after a 9 or a 10."""

        def work(ctx: Context, device: str) -> dict[str, Any]:
            result = devices.rate_visit(
                ctx, visits.get(body.visit, device), body.score, body.comment
            )
            url = result.review_url
            return {"score": result.score, "review_qr": qr_data_url(url) if url else None}

        return await as_device(request, work, "rate")

    return web
