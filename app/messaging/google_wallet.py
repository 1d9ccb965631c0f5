"""Google Wallet's REST API and the "Save to Google Wallet" JWT, with the owner's service account.

The service account's key file (JSON, as Google's console gives it) is kept in the OS keyring
(`credentials`), never in the database. Every call gets a bearer token from the key's
`token_uri` (the OAuth JWT-bearer grant, the assertion signed RS256 with PyJWT); the token is
kept until shortly before it expires. The API's base address and the token address can be set,
so the tests point them at a stand-in on 127.0.0.1.

A call that gets no answer, a 5xx or a 429 raises `Unreachable` (the outbox tries again
later); any other refusal raises `Rejected` with Google's status and message.
"""

from __future__ import annotations

import functools
import json
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import jwt

from app.messaging.base import Rejected, Unreachable

DEFAULT_BASE_URL = "https://walletobjects.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer"
API = "/walletobjects/v1"
TIMEOUT = 10.0
KEYRING_ACCOUNT = "google-wallet-service-account"


class KeyFileInvalid(ValueError):
    """The text is not a service account's key file (JSON with client_email and private_key)."""


@dataclass(frozen=True)
class ServiceAccount:
    client_email: str
    private_key: str  # PEM
    private_key_id: str | None
    token_uri: str

    @classmethod
    def from_json(cls, text: str) -> ServiceAccount:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise KeyFileInvalid(str(exc)) from exc
        if not isinstance(data, dict):
            raise KeyFileInvalid("not an object")
        email, key = data.get("client_email"), data.get("private_key")
        if not isinstance(email, str) or not isinstance(key, str) or "PRIVATE KEY" not in key:
            raise KeyFileInvalid("client_email or private_key missing")
        try:
            from cryptography.hazmat.primitives.serialization import load_pem_private_key

            load_pem_private_key(key.encode(), password=None)
        except Exception as exc:
            raise KeyFileInvalid(f"private_key: {exc}") from exc
        token_uri = data.get("token_uri")
        return cls(
            client_email=email,
            private_key=key,
            private_key_id=data.get("private_key_id")
            if isinstance(data.get("private_key_id"), str)
            else None,
            token_uri=token_uri
            if isinstance(token_uri, str) and token_uri
            else "https://oauth2.googleapis.com/token",
        )

    def sign(self, claims: dict[str, Any]) -> str:
        headers = {"kid": self.private_key_id} if self.private_key_id else None
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers=headers)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The certificate bundle is read once a process (0.5 s or more): every client shares it."""
    return httpx.create_ssl_context()


def save_jwt(account: ServiceAccount, claims: dict[str, Any]) -> str:
    """The signed JWT of a "Save to Google Wallet" link (claims from domain.save_claims)."""
    return account.sign(claims)


class GoogleWalletClient:
    """The few calls Dangol makes: the loyalty class and the members' loyalty objects."""

    def __init__(
        self,
        account: ServiceAccount,
        *,
        base_url: str | None = None,
        token_url: str | None = None,
        timeout: float = TIMEOUT,
        clock: Any = time.time,
    ) -> None:
        self.account = account
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.token_url = token_url or account.token_uri
        self.clock = clock
        self._http = httpx.Client(timeout=timeout, verify=_tls())
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    # --- the calls --------------------------------------------------------------------

    def put_class(self, body: dict[str, Any]) -> str:
        """Insert the loyalty class; one that exists (409) is patched: "created" or "updated"."""
        answer = self._call("POST", f"{API}/loyaltyClass", body)
        if answer.status_code == 409:
            self._ok(self._call("PATCH", f"{API}/loyaltyClass/{quote(body['id'])}", body))
            return "updated"
        self._ok(answer)
        return "created"

    def insert_object(self, body: dict[str, Any], patch: dict[str, Any]) -> str:
        """Insert a member's object; one that exists (409: saved by the member first, or
        inserted by another register) gets the patch instead: "created" or "updated"."""
        answer = self._call("POST", f"{API}/loyaltyObject", body)
        if answer.status_code == 409:
            self.patch_object(body["id"], patch, insert=None)
            return "updated"
        self._ok(answer)
        return "created"

    def patch_object(
        self, object_ref: str, patch: dict[str, Any], *, insert: dict[str, Any] | None
    ) -> str:
        """Patch an object's points and tier; one Google does not know (404) is inserted
        when `insert` is given: "updated" or "created"."""
        answer = self._call("PATCH", f"{API}/loyaltyObject/{quote(object_ref)}", patch)
        if answer.status_code == 404 and insert is not None:
            return self.insert_object(insert, patch)
        self._ok(answer)
        return "updated"

    # --- HTTP -------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._bearer()}"}
        try:
            answer = self._http.request(method, self.base_url + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 401:  # the token expired early or was revoked: once more
            self._token = None
            headers = {"Authorization": f"Bearer {self._bearer()}"}
            try:
                answer = self._http.request(
                    method, self.base_url + path, json=body, headers=headers
                )
            except httpx.HTTPError as exc:
                raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code >= 500 or answer.status_code == 429:
            raise Unreachable(f"HTTP {answer.status_code}")
        return answer

    @staticmethod
    def _ok(answer: httpx.Response) -> None:
        if answer.status_code >= 300:
            raise Rejected(str(answer.status_code), _message(answer))

    def _bearer(self) -> str:
        with self._lock:
            now = self.clock()
            if self._token is not None and self._token[1] - 60 > now:
                return self._token[0]
            issued = int(now)
            assertion = self.account.sign(
                {
                    "iss": self.account.client_email,
                    "scope": SCOPE,
                    "aud": self.token_url,
                    "iat": issued,
                    "exp": issued + 3600,
                }
            )
            try:
                answer = self._http.post(
                    self.token_url,
                    data={
                        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                        "assertion": assertion,
                    },
                )
            except httpx.HTTPError as exc:
                raise Unreachable(f"{type(exc).__name__}: {exc}") from exc
            if answer.status_code >= 500:
                raise Unreachable(f"token: HTTP {answer.status_code}")
            if answer.status_code != 200:
                raise Rejected(str(answer.status_code), "token: " + _message(answer))
            data = answer.json()
            token = data.get("access_token")
            if not isinstance(token, str):
                raise Rejected("token", "no access_token")
            self._token = (token, now + float(data.get("expires_in", 3600)))
            return token


def _message(answer: httpx.Response) -> str:
    try:
        data = answer.json()
    except ValueError:
        return answer.text[:200]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:200]
    return str(error or data)[:200]
