"""The local HTTP/JSON API a POS calls: sales by its own ref, pending sales, refunds, redemptions.

Built on FastAPI (its OpenAPI document at ``/openapi.json``) and served by uvicorn on a thread
of its own (``ApiServer``), so neither the counter's Qt event loop nor the API waits for the
other; the use cases run on worker threads, but for the plain sale, which the ``Gate`` in
front answers on the loop's thread (the hot path). Every endpoint calls the same services as
the CLI and the window, with the same JSON keys as the CLI's ``--json`` output, plus those
named in the README.

- Every request but ``GET /v1/health`` needs ``Authorization: Bearer TOKEN`` (a ``pos`` token
  from ``dangol pos token add``), else 401; a client that keeps sending bad tokens is slowed
  down (each answer waits longer, up to ``MAX_DELAY``); every call acts for the token and the
  audit log names it.
- Errors are ``{"error": CODE, "message": TEXT}`` in the language of ``Accept-Language``
  (Korean by default): 400 malformed, 401, 403 outside the token's scope, 404 unknown ref or
  customer, 409 a ref reused for another request, 413 a body over 64 KB, 422 refused by the
  program's rules. A refused request writes nothing.
"""

from __future__ import annotations

import asyncio
import errno
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

import app as package
from app.bridge import checkin_web
from app.domain.errors import Refused
from app.i18n import N_
from app.services import customers, passes, pos, staff, tokens, wallet
from app.services.context import Context
from app.services.encoding import to_json

# the API's own refusals (the services' come with their codes)
API_CODES = (N_("api.unauthorized"), N_("api.too_large"), N_("api.malformed"), N_("api.not_found"))
MAX_BODY = 64 * 1024
# a token checked against the database is trusted this long without reading it again (a revoke
# in this process forgets it at once; one made by another process, e.g. the CLI, within this)
TOKEN_MEMORY = 1.0
MAX_DELAY = 5.0  # seconds: the longest a client that keeps guessing tokens waits per answer
FREE_FAILURES = 3  # bad tokens a client may send before its answers slow down

# What status a refusal answers with; any other refusal is the program's rules saying no (422).
STATUS_OF = {
    "pos.ref_conflict": 409,
    "pos.unknown_ref": 404,
    "customer.not_found": 404,
    "token.unknown": 401,
    "token.not_allowed": 403,
    "api.unauthorized": 401,
    "api.too_large": 413,
    "api.malformed": 400,
    "api.not_found": 404,
    "pos.ref_invalid": 400,
    "wallet.ref_used": 409,
}


def language_of(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "ko"


def error(request: Request, code: str, status: int | None = None, **params: Any) -> JSONResponse:
    return refusal(request, Refused(code, **params), status)


def refusal(request: Request, refused: Refused, status: int | None = None) -> JSONResponse:
    code = refused.code
    return JSONResponse(
        {"error": code, "message": refused.message(language_of(request))},
        status_code=status or STATUS_OF.get(code, 422),
    )


# --- request bodies ---------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SaleIn(_Body):
    ref: str = Field(max_length=64)
    amount: int
    items: int | list[Any] | None = None  # a count, or the POS's item lines (kept, counted)
    who: str | None = Field(default=None, max_length=100)
    wallet: int | None = None  # won of it paid from the member's wallet (needs `who`)
    partner_spend: int | None = None  # the coalition's partner points spent on it (needs `who`)


class WalletSpendIn(_Body):
    won: int


class WalletTopupIn(_Body):
    won: int
    ref: str = Field(max_length=64)
    paid_with: str = Field(default="card", max_length=20)


class AttachIn(_Body):
    who: str = Field(max_length=100)


class RefundIn(_Body):
    refund_ref: str = Field(max_length=64)
    amount: int
    items: int | list[Any] | None = None


class RedemptionIn(_Body):
    ref: str = Field(max_length=64)
    who: str = Field(max_length=100)
    points: int | None = None
    stamps: bool | None = None
    coupon: str | None = Field(default=None, max_length=40)
    sale_ref: str | None = Field(default=None, max_length=64)


class PassIn(_Body):
    who: str = Field(max_length=100)
    plan: str | None = Field(default=None, max_length=20)  # needed to sell, or with two passes
    ref: str | None = Field(default=None, max_length=64)  # the POS's payment (or refund) ref


def _count(items: int | list[Any] | None) -> tuple[int | None, list[Any] | None]:
    if items is None:
        return None, None
    if isinstance(items, list):
        total = 0
        for line in items:
            quantity = line.get("qty", line.get("quantity", 1)) if isinstance(line, dict) else 1
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                raise Refused("items.invalid")
            total += quantity
        return max(total, 1), items
    return items, None


# --- what the endpoints share ---------------------------------------------------------------


def answer(
    request: Request, action: str, work: Callable[[Context], Any], status: int = 200
) -> Response:
    """The use case for the request's token, on this thread; a refusal becomes its error."""
    ctx: Context = request.state.ctx
    ctx.require(action)
    try:
        result = work(ctx)
    except Refused as refused:
        return refusal(request, refused)
    if isinstance(result, Response):
        return result
    return JSONResponse(result, status_code=status)


async def act(
    request: Request, action: str, work: Callable[[Context], Any], status: int = 200
) -> Response:
    """``answer`` off the event loop, on a worker thread: the loop serves others meanwhile."""
    return await asyncio.to_thread(answer, request, action, work, status)


def _who_of(ctx: Context, who: str | None) -> uuid.UUID | None:
    return None if who is None else customers.resolve_customer(ctx, who)


def _sale_json(ctx: Context, result: pos.PostResult) -> JSONResponse:
    body: dict[str, Any] = {"ref": result.pos.ref, "status": result.pos.status}
    if result.sale is None:
        return JSONResponse(body, status_code=202 if result.pos.status == "pending" else 200)
    body.update(to_json(result.sale, ctx))
    # the sale's own transaction read the member after it; a repeat reads them now
    member = result.sale.status or customers.customer_status(ctx, result.sale.customer_id)
    body.update(name=member.name, phone_masked=member.phone_masked)
    return JSONResponse(body, status_code=201 if result.created else 200)


def record_sale(ctx: Context, body: SaleIn) -> JSONResponse:
    """POST /v1/sales: the POS's sale by its ref, for the member it names or pending."""
    count, detail = _count(body.items)
    result = pos.post_sale(
        ctx,
        body.ref,
        body.amount,
        items=count or 1,
        customer_id=_who_of(ctx, body.who),
        items_detail=detail,
        source="api",
        token_name=ctx.token,
        from_wallet=body.wallet or 0,
        partner_spend=body.partner_spend or 0,
    )
    return _sale_json(ctx, result)


# --- the hot path: a well-formed sale without FastAPI's machinery ----------------------------

JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
SALE_KEYS = frozenset(SaleIn.model_fields)


def plain_sale(body: bytes) -> SaleIn | None:
    """The sale when the body is the plain well-formed case: a JSON object of SaleIn's keys,
    each of its exact type and length (SaleIn's limits; tests/bridge/test_api.py holds the two
    to accepting the same bodies). None for anything else, which then takes FastAPI's
    route and pydantic's strict check, so a malformed body is refused as it always was (same
    status, code and field); this only ever accepts what that check accepts."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if type(data) is not dict or not SALE_KEYS.issuperset(data) or "wallet" in data:
        return None  # a sale with a wallet part takes FastAPI's route
    if "partner_spend" in data:
        return None  # so does one spending partner points
    ref, amount = data.get("ref"), data.get("amount")
    items, who = data.get("items"), data.get("who")
    if type(ref) is not str or len(ref) > 64 or type(amount) is not int:
        return None
    if items is not None and type(items) is not int and type(items) is not list:
        return None
    if who is not None and (type(who) is not str or len(who) > 100):
        return None
    return SaleIn.model_construct(ref=ref, amount=amount, items=items, who=who)


def _is_json_post(scope: Any, path: str) -> bool:
    """A POST to this path whose (first) Content-Type is plain JSON."""
    if scope["method"] != "POST" or scope["path"] != path:
        return False
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value).strip().lower() in JSON_TYPES
    return False


# --- the shop for one request -----------------------------------------------------------------


class Guard:
    """Bad tokens slow their sender down: after a few, each answer waits longer."""

    def __init__(self) -> None:
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def delay(self, client: str) -> float:
        with self._lock:
            failures = self._failures.get(client, 0)
        if failures < FREE_FAILURES:
            return 0.0
        return float(min(MAX_DELAY, 0.25 * 2 ** (failures - FREE_FAILURES)))

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client] = self._failures.get(client, 0) + 1

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def _token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _action_of(path: str) -> str:
    """The action a path asks of a token's scope."""
    if path.startswith("/v1/passes") or path.endswith("/passes"):
        return "pass"  # subscription passes: the scope's "pass" action
    if path.endswith("/refunds") or path.endswith("/cancel"):
        return "refund"
    if path.startswith("/v1/redemptions") or path.endswith("/wallet/spend"):
        return "redeem"
    return "sale"


def create_app(shop: Context) -> Gate:
    """The API over one open shop, as served: the ``Gate`` in front of the FastAPI app (which
    the Gate's plain sales skip); each request acts on its own copy of the shop's context."""
    api = FastAPI(
        title="Dangol POS bridge",
        version=package.__version__,
        description="Sales, refunds and redemptions from the point of sale, by the POS's own refs.",
    )

    @api.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        return error(request, "api.malformed", field=where)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return error(request, "api.not_found", path=request.url.path)
        return error(request, "api.malformed", status=exc.status_code, field="request")

    @api.get("/v1/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "version": package.__version__}

    @api.get("/v1/customers")
    async def find(request: Request, q: str = "") -> Response:
        def work(ctx: Context) -> Any:
            found = customers.find_customers(ctx, q)
            return {"customers": to_json(found, ctx)}

        return await act(request, "sale", work)

    @api.get("/v1/customers/{who}")
    async def show(request: Request, who: str) -> Response:
        def work(ctx: Context) -> Any:
            return to_json(
                customers.customer_status(ctx, customers.resolve_customer(ctx, who)), ctx
            )

        return await act(request, "sale", work)

    @api.post("/v1/sales")
    async def post_sale(request: Request, body: SaleIn) -> Response:
        return await act(request, "sale", partial(record_sale, body=body))

    @api.get("/v1/sales/pending")
    async def pending(request: Request) -> Response:
        def work(ctx: Context) -> Any:
            return {"pending": [pending_json(ctx, p) for p in pos.pending_sales(ctx)]}

        return await act(request, "sale", work)

    @api.post("/v1/sales/{ref}/customer")
    async def attach(request: Request, ref: str, body: AttachIn) -> Response:
        def work(ctx: Context) -> Any:
            customer = customers.resolve_customer(ctx, body.who)
            return _sale_json(ctx, pos.attach_customer(ctx, ref, customer, token_name=ctx.token))

        return await act(request, "sale", work)

    @api.post("/v1/sales/{ref}/refunds")
    async def refund(request: Request, ref: str, body: RefundIn) -> Response:
        def work(ctx: Context) -> Any:
            count, _ = _count(body.items)
            result = pos.refund(
                ctx, ref, body.refund_ref, body.amount, items=count, token_name=ctx.token
            )
            return JSONResponse(
                refund_json(ctx, result), status_code=201 if result.created else 200
            )

        return await act(request, "refund", work)

    @api.post("/v1/sales/{ref}/cancel")
    async def cancel(request: Request, ref: str) -> Response:
        def work(ctx: Context) -> Any:
            result = pos.cancel(ctx, ref, token_name=ctx.token)
            if isinstance(result, pos.RefundResult):
                return {**refund_json(ctx, result), "status": "cancelled"}
            return {"ref": result.pos.ref, "status": result.pos.status}

        return await act(request, "refund", work)

    @api.post("/v1/redemptions")
    async def redeem(request: Request, body: RedemptionIn) -> Response:
        def work(ctx: Context) -> Any:
            result = pos.redeem(
                ctx,
                body.ref,
                customers.resolve_customer(ctx, body.who),
                points=body.points,
                stamps=bool(body.stamps),
                coupon=body.coupon,
                sale_ref=body.sale_ref,
                token_name=ctx.token,
            )
            data = {"ref": result.ref, **to_json(result.redemption, ctx)}
            return JSONResponse(data, status_code=201 if result.created else 200)

        return await act(request, "redeem", work)

    @api.get("/v1/passes/plans")
    async def pass_plans(request: Request) -> Response:
        def work(ctx: Context) -> Any:
            return {"plans": [plan.to_json() for plan in passes.plans(ctx)]}

        return await act(request, "pass", work)

    @api.get("/v1/customers/{who}/passes")
    async def member_passes(request: Request, who: str) -> Response:
        def work(ctx: Context) -> Any:
            found = passes.member_passes(ctx, customers.resolve_customer(ctx, who))
            return {"passes": [view.to_json() for view in found]}

        return await act(request, "pass", work)

    @api.post("/v1/passes")
    async def sell_pass(request: Request, body: PassIn) -> Response:
        def work(ctx: Context) -> Any:
            if body.plan is None:
                raise Refused("api.malformed", field="plan")
            who = customers.resolve_customer(ctx, body.who)
            result = passes.sell(ctx, who, body.plan, ref=body.ref)
            return JSONResponse(result.to_json(), status_code=201)

        return await act(request, "pass", work)

    def _pass_action(name: str) -> Callable[..., Any]:
        async def endpoint(request: Request, body: PassIn) -> Response:
            def work(ctx: Context) -> Any:
                who = customers.resolve_customer(ctx, body.who)
                if name == "cancel":
                    return passes.cancel(ctx, who, body.plan, ref=body.ref).to_json()
                return getattr(passes, name)(ctx, who, body.plan).to_json()

            return await act(request, "pass", work)

        endpoint.__name__ = f"pass_{name}"
        return endpoint

    for name in ("use", "pause", "resume", "cancel"):
        api.post(f"/v1/passes/{name}", summary=f"Pass: {name}")(_pass_action(name))

    @api.get("/v1/customers/{who}/wallet")
    async def wallet_show(request: Request, who: str) -> Response:
        def work(ctx: Context) -> Any:
            status = wallet.wallet_status(ctx, customers.resolve_customer(ctx, who))
            return to_json(status, ctx)

        return await act(request, "sale", work)

    @api.post("/v1/customers/{who}/wallet/spend")
    async def wallet_spend(request: Request, who: str, body: WalletSpendIn) -> Response:
        def work(ctx: Context) -> Any:
            done = wallet.spend(ctx, customers.resolve_customer(ctx, who), body.won)
            return JSONResponse(to_json(done, ctx), status_code=201)

        return await act(request, "redeem", work)

    @api.post("/v1/customers/{who}/wallet/topup")
    async def wallet_topup(request: Request, who: str, body: WalletTopupIn) -> Response:
        def work(ctx: Context) -> Any:
            customer = customers.resolve_customer(ctx, who)
            done = wallet.topup(ctx, customer, body.won, body.ref, body.paid_with)
            return JSONResponse(to_json(done, ctx), status_code=201)

        return await act(request, "sale", work)

    guard = Guard()  # one slow-down for bad POS tokens and the tablet's bad codes
    api.include_router(checkin_web.router(shop, guard))  # the tablet's page: /checkin
    return Gate(api, shop=shop, guard=guard)


class Gate:
    """In front of the app (plain ASGI, one pass): the body's declared size, the token for the
    action the path asks (so a stranger learns nothing, not even whether the body was well
    formed), then the body read whole, at most MAX_BODY (also one sent in chunks without a
    length). The request's own copy of the shop is ``request.state.ctx``.

    A plain well-formed ``POST /v1/sales`` (``plain_sale``) is answered here, through the same
    ``answer`` and ``record_sale`` as FastAPI's route but without FastAPI's middleware,
    routing, dependency solving and validation, and on the event loop's own thread: the two
    thread hops to a worker and back cost a sale more than all the rest of HTTP on a busy
    machine (bench/RESULTS.md). Sales wait for one another on the database's write lock
    anyway; what waits for a sale on this thread are the requests that arrive during it (a
    sale's time, ~10 ms; longer only while that sale itself waits for the write lock, up to the
    busy timeout). Every other request, a malformed sale too, goes on to FastAPI, whose routes
    run their use cases on worker threads (``act``)."""

    def __init__(self, app: Any, shop: Context, guard: Guard) -> None:
        self.app = app
        self.shop = shop
        self.guard = guard
        self._memory: dict[str, tuple[float, int, Context]] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            await error(request, "api.too_large", maximum=MAX_BODY // 1024)(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/v1/") and path != "/v1/health":
            refused = await self.authenticate(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                too_large = error(request, "api.too_large", maximum=MAX_BODY // 1024)
                await too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sale = plain_sale(body) if _is_json_post(scope, "/v1/sales") else None
        if sale is not None:  # on the loop's own thread: see the class's note
            await answer(request, "sale", partial(record_sale, body=sale))(scope, receive, send)
            return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def authenticate(self, request: Request) -> Response | None:
        """The token checked for the action the path asks; bad tokens slow their sender."""
        client = request.client.host if request.client else "?"
        wait = self.guard.delay(client)
        if wait:
            await asyncio.sleep(wait)
        token = _token_of(request)
        if token is None:
            self.guard.failed(client)
            return error(request, "api.unauthorized")
        action = _action_of(request.scope["path"])
        ctx = self._remembered(token)
        try:
            if ctx is None:
                ctx = replace(self.shop, token=None, allowed=None)
                await asyncio.to_thread(self._check, ctx, token, action)
            else:
                ctx.require(action)
        except Refused as refused:
            if refused.code == "token.unknown":
                self.guard.failed(client)
            return refusal(request, refused)
        self.guard.succeeded(client)
        request.scope.setdefault("state", {})["ctx"] = ctx
        return None

    def _check(self, ctx: Context, token: str, action: str) -> None:
        """The database's word on the token (off the event loop), remembered a moment."""
        if not tokens.is_token(token):  # a PIN or anything else is not a POS's credential
            raise Refused("token.unknown")
        generation = tokens.GENERATION[0]
        staff.authorize(ctx, token, action, door="api")
        self._memory[token] = (time.monotonic(), generation, ctx)

    def _remembered(self, token: str) -> Context | None:
        seen = self._memory.get(token)
        if seen is None:
            return None
        at, generation, checked = seen
        if generation != tokens.GENERATION[0] or time.monotonic() - at > TOKEN_MEMORY:
            self._memory.pop(token, None)
            return None
        return replace(checked)  # the request's own copy, acting for the same token


def pending_json(ctx: Context, view: pos.PosSaleView) -> dict[str, Any]:
    """A waiting sale as `pos pending --json` lists it: ref, amount, items, received_at, source."""
    data: dict[str, Any] = to_json(view, ctx)
    return data


def refund_json(ctx: Context, result: pos.RefundResult) -> dict[str, Any]:
    """A refund as `refund --json` answers it."""
    data: dict[str, Any] = to_json(result, ctx)
    return data


class ApiServer:
    """uvicorn on a thread of its own: ``start()`` returns once it listens, ``stop()`` ends it."""

    def __init__(self, shop: Context, host: str = "127.0.0.1", port: int = 8765) -> None:
        import uvicorn

        self.config = uvicorn.Config(
            create_app(shop),
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            proxy_headers=False,  # no proxy in front: X-Forwarded-For must not name the client
            limit_concurrency=200,
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(self.config)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="dangol-api", daemon=True)

    def _run(self) -> None:
        # uvicorn ends its thread with SystemExit when it cannot bind: kept for start() to say
        try:
            self.server.run()
        except (SystemExit, OSError) as exc:
            self.failure = exc

    def start(self, timeout: float = 10.0) -> int:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise OSError(
                    errno.EADDRINUSE,
                    f"the API could not listen on {self.config.host}:{self.config.port}",
                )
            if time.monotonic() > deadline:
                raise TimeoutError("the API did not start")
            time.sleep(0.01)
        return self.port

    @property
    def port(self) -> int:
        for server in self.server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self.config.port)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
