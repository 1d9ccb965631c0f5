"""A stand-in of Google Wallet's REST API (and of Google's OAuth token endpoint) on 127.0.0.1.

What it speaks (Google Wallet API reference, v1):
* `POST /token` with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an
  `assertion` (a JWT signed RS256 by the service account: iss = its e-mail, scope the wallet
  issuer's, aud this token address): checked with the account's public key; answers
  `access_token`, `expires_in`, `token_type`.
* `POST /walletobjects/v1/loyaltyClass` and `.../loyaltyObject`: insert; 409 when the id
  exists. `PATCH .../loyaltyClass/{id}` and `.../loyaltyObject/{id}`: merge the fields;
  404 when unknown. Every call needs `Authorization: Bearer <token>` (else 401).

What the tests make it do: answer 503 to the next N API calls (`fail_next`), or drop the
connection (`cut_next`). Every call is in `calls` as (method, path, body).
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt

SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
EMAIL = "dangol-wallet@shop-project.iam.gserviceaccount.com"


@functools.cache
def service_account() -> tuple[str, str]:
    """A service account's key file (JSON, as Google's console gives it) and its public key
    (PEM), made once per test run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    text = json.dumps(
        {
            "type": "service_account",
            "project_id": "shop-project",
            "private_key_id": "k1",
            "private_key": pem,
            "client_email": EMAIL,
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return text, public.decode()


class GoogleWalletStandIn:
    def __init__(self, public_key_pem: str, client_email: str) -> None:
        self.public_key_pem, self.client_email = public_key_pem, client_email
        self.classes: dict[str, dict[str, Any]] = {}
        self.objects: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.tokens: set[str] = set()
        self.fail_next = 0
        self.cut_next = 0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> GoogleWalletStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def api_calls(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _ in self.calls if p != "/token"]


def _handler(stand: GoogleWalletStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_POST(self) -> None:
            if self.path == "/token":
                self._token(self._body())
                return
            self._api("POST")

        def do_PATCH(self) -> None:
            self._api("PATCH")

        def _token(self, raw: bytes) -> None:
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            stand.calls.append(("POST", "/token", form))
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                self._answer(400, {"error": "unsupported_grant_type"})
                return
            try:
                claims = jwt.decode(
                    form.get("assertion", ""),
                    stand.public_key_pem,
                    algorithms=["RS256"],
                    audience=f"{stand.url}/token",
                    issuer=stand.client_email,
                )
            except jwt.PyJWTError as exc:
                self._answer(400, {"error": "invalid_grant", "error_description": str(exc)})
                return
            if claims.get("scope") != SCOPE:
                self._answer(400, {"error": "invalid_scope"})
                return
            token = uuid.uuid4().hex
            stand.tokens.add(token)
            self._answer(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

        def _api(self, method: str) -> None:
            raw = self._body()
            body = json.loads(raw or b"{}")
            path = self.path
            with stand.lock:
                stand.calls.append((method, path, body))
                if stand.cut_next:
                    stand.cut_next -= 1
                    self.close_connection = True
                    self.connection.close()
                    return
                if stand.fail_next:
                    stand.fail_next -= 1
                    self._answer(503, {"error": {"code": 503, "message": "Backend Error"}})
                    return
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in stand.tokens:
                    self._answer(401, {"error": {"code": 401, "message": "unauthenticated"}})
                    return
                prefix = "/walletobjects/v1/"
                if not path.startswith(prefix):
                    self._answer(404, {"error": {"code": 404, "message": "no such path"}})
                    return
                kind, _, ref = path[len(prefix) :].partition("/")
                store = {"loyaltyClass": stand.classes, "loyaltyObject": stand.objects}.get(kind)
                if store is None:
                    self._answer(404, {"error": {"code": 404, "message": "no such resource"}})
                    return
                if method == "POST":
                    if "id" not in body:
                        self._answer(400, {"error": {"code": 400, "message": "id missing"}})
                    elif body["id"] in store:
                        self._answer(409, {"error": {"code": 409, "message": "already exists"}})
                    elif kind == "loyaltyObject" and body.get("classId") not in stand.classes:
                        self._answer(404, {"error": {"code": 404, "message": "class not found"}})
                    else:
                        store[body["id"]] = body
                        self._answer(200, body)
                    return
                ref = unquote(ref)
                if ref not in store:
                    self._answer(404, {"error": {"code": 404, "message": "not found"}})
                    return
                store[ref] = {**store[ref], **body}
                self._answer(200, store[ref])

    return Handler
