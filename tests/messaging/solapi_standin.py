"""A stand-in of Solapi's documented HTTP API on 127.0.0.1, for the tests.

What it speaks (from Solapi's API reference and the `solapi` SDK 5.0.3 that calls it):
* `POST /messages/v4/send-many/detail` with `{"messages": [...], "allowDuplicates", "agent"}`
  and the `Authorization: HMAC-SHA256 ApiKey=..., Date=..., salt=..., signature=...` header
  (signature = HMAC-SHA256(secret, date + salt), hex); answers `groupInfo`, `messageList`
  and `failedMessageList`; a request with a wrong signature gets 401 and an `errorCode`.
* `GET /messages/v4/list-old?to=...&startDate=...` (or `?messageId=...`): the messages it
  holds, by message id, each with its status code (4000 delivered unless a test says
  otherwise with `report`), `replacement` when an 알림톡 went by SMS instead.
* `GET /messages/v4/groups/{groupId}`: the group's charge (`balance.sum`: what was charged
  after the report; nothing for a failed message, the SMS price for a replaced 알림톡).
* 알림톡 templates (the SDK has no calls for them; the endpoints of Solapi's API reference):
  `POST /kakao/v2/templates` (PENDING), `PUT /kakao/v2/templates/{id}/inspection`
  (INSPECTING), `GET /kakao/v2/templates/{id}`; a test approves or rejects one (`review`).
  A send naming a template it holds that is not APPROVED is refused (3040), as Kakao does.

What the tests make it do: refuse an 알림톡 template (`refuse_templates`), lose its answer
after taking a message (`cut_after_accept`), or drop the connection before reading anything
(`cut_before`). Every message it took is in `accepted`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PRICES = {"SMS": 8.4, "LMS": 27.3, "ATA": 13.0}
AUTH = re.compile(
    r"HMAC-SHA256 ApiKey=(?P<key>[^,]+), Date=(?P<date>[^,]+), "
    r"salt=(?P<salt>[^,]+), signature=(?P<sig>[0-9a-f]{64})"
)


class SolapiStandIn:
    def __init__(self, api_key: str = "KEY", api_secret: str = "SECRET") -> None:
        self.api_key, self.api_secret = api_key, api_secret
        self.accepted: list[dict[str, Any]] = []  # every message taken, as sent
        self.requests: list[str] = []  # "POST /path" of every request that arrived
        self.refuse_templates: set[str] = set()
        self.cut_after_accept = 0  # the next N sends: take the message, then hang up
        self.cut_before = 0  # the next N requests: hang up before reading them
        self.templates: dict[str, dict[str, Any]] = {}  # templateId -> as Solapi answers
        self.reports: dict[str, dict[str, Any]] = {}  # messageId -> statusCode, replacement
        self.groups: dict[str, float] = {}  # groupId -> what it was charged when taken
        self.lock = threading.Lock()
        handler = _handler(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SolapiStandIn:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent_to(self, to: str) -> list[dict[str, Any]]:
        return [m for m in self.accepted if m["to"] == to]

    def review(self, template_id: str, approved: bool, reason: str = "") -> None:
        """Kakao's review of a template: approved, or rejected with the reviewer's comment."""
        template = self.templates[template_id]
        template["status"] = "APPROVED" if approved else "REJECTED"
        if not approved:
            template["comments"].append(
                {"isAdmin": True, "content": reason, "dateCreated": "2026-03-13T01:00:00Z"}
            )

    def report(
        self, message_id: str, code: str, replacement: bool = False, at: str | None = None
    ) -> None:
        """What the carrier later said of a message: 3000 on its way, 4000 delivered, ..."""
        self.reports[message_id] = {"statusCode": code, "replacement": replacement, "at": at}

    def create_template(self, body: dict[str, Any]) -> dict[str, Any]:
        template_id = "KA01TP" + uuid.uuid4().hex[:20].upper()
        template = {
            **body,
            "templateId": template_id,
            "status": "PENDING",
            "comments": [],
            "dateCreated": "2026-03-12T05:00:00.000Z",
        }
        self.templates[template_id] = template
        return template

    # --- the API ---------------------------------------------------------------------

    def authorized(self, header: str) -> bool:
        match = AUTH.fullmatch(header or "")
        if match is None or match["key"] != self.api_key:
            return False
        expected = hmac.new(
            self.api_secret.encode(), (match["date"] + match["salt"]).encode(), hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(expected, match["sig"])

    def send_many(self, body: dict[str, Any]) -> dict[str, Any]:
        group_id = "G4V" + uuid.uuid4().hex[:20].upper()
        taken, failed = [], []
        requested = 0.0
        for message in body["messages"]:
            kakao = message.get("kakaoOptions")
            kind = "ATA" if kakao else message.get("type") or "SMS"
            message_id = "M4V" + uuid.uuid4().hex[:20].upper()
            base = {
                "to": message["to"],
                "from": message.get("from"),
                "type": kind,
                "country": "82",
                "messageId": message_id,
                "accountId": "ACC",
                "customFields": message.get("customFields"),
            }
            held = self.templates.get(str((kakao or {}).get("templateId")))
            unapproved = held is not None and held["status"] != "APPROVED"
            if kakao and (kakao.get("templateId") in self.refuse_templates or unapproved):
                failed.append({**base, "statusCode": "3040", "statusMessage": "템플릿 미승인"})
                continue
            if not message.get("from"):
                failed.append({**base, "statusCode": "1062", "statusMessage": "발신번호 없음"})
                continue
            stored = {**message, "type": kind, "messageId": message_id, "groupId": group_id}
            with self.lock:
                self.accepted.append(stored)
                self.groups[group_id] = self.groups.get(group_id, 0) + PRICES.get(kind, 0)
            requested += PRICES.get(kind, 0)
            taken.append(
                {
                    "messageId": message_id,
                    "statusCode": "2000",
                    "statusMessage": "정상 접수(이통사로 접수 예정) ",
                    "customFields": message.get("customFields"),
                }
            )
        total = len(body["messages"])
        cash = {"requested": round(requested, 1), "replacement": 0, "refund": 0, "sum": 0}
        return {
            "failedMessageList": failed,
            "messageList": taken,
            "groupInfo": {
                "count": {
                    "total": total,
                    "sentTotal": 0,
                    "sentSuccess": 0,
                    "sentPending": 0,
                    "sentReplacement": 0,
                    "refund": 0,
                    "registeredFailed": len(failed),
                    "registeredSuccess": len(taken),
                },
                "countForCharge": {},
                "balance": cash,
                "point": {"requested": 0, "replacement": 0, "refund": 0, "sum": 0},
                "app": {"profit": {}, "appId": None},
                "log": [],
                "status": "SENDING",
                "allowDuplicates": bool(body.get("allowDuplicates")),
                "isRefunded": False,
                "accountId": "ACC",
                "masterAccountId": None,
                "apiVersion": "4",
                "groupId": group_id,
                "price": {},
                "dateCreated": "2026-03-12T05:00:00.000Z",
                "dateUpdated": "2026-03-12T05:00:00.000Z",
            },
        }

    def list_messages(self, query: dict[str, list[str]]) -> dict[str, Any]:
        to = (query.get("to") or [None])[0]
        wanted = (query.get("messageId") or [None])[0]
        found = {}
        for m in self.accepted:
            if (to is not None and m["to"] != to) or wanted not in (None, m["messageId"]):
                continue
            report = self.reports.get(m["messageId"], {"statusCode": "4000"})
            replaced = bool(report.get("replacement"))
            found[m["messageId"]] = {
                "to": m["to"],
                "from": m.get("from"),
                "text": m.get("text"),
                "type": "SMS" if replaced else m["type"],
                "messageId": m["messageId"],
                "groupId": m["groupId"],
                "customFields": m.get("customFields"),
                "statusCode": report["statusCode"],
                "statusMessage": "수신 완료" if report["statusCode"] == "4000" else "전송 실패",
                "replacement": replaced,
                **({"dateUpdated": report["at"]} if report.get("at") else {}),
            }
        return {"limit": 50, "messageList": found, "startKey": None, "nextKey": None}

    def group(self, group_id: str) -> dict[str, Any] | None:
        if group_id not in self.groups:
            return None
        charged = self.groups[group_id]
        codes = [
            self.reports.get(m["messageId"], {"statusCode": "4000"})
            for m in self.accepted
            if m["groupId"] == group_id
        ]
        if codes and all(c["statusCode"] not in ("2000", "3000", "4000") for c in codes):
            charged = 0.0  # failed: refunded
        elif any(c.get("replacement") for c in codes):
            charged = PRICES["SMS"]
        cash = {"requested": charged, "replacement": 0, "refund": 0, "sum": charged}
        return {"groupId": group_id, "balance": cash, "point": {"sum": 0}, "status": "COMPLETE"}


def _handler(api: SolapiStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _hang_up(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        def _reply(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _gate(self) -> bool:
            api.requests.append(f"{self.command} {urlparse(self.path).path}")
            if api.cut_before > 0:
                api.cut_before -= 1
                self._hang_up()
                return False
            if not api.authorized(self.headers.get("Authorization", "")):
                self._reply(401, {"errorCode": "InvalidApiKey", "errorMessage": "bad key"})
                return False
            return True

        def _body(self) -> dict[str, Any]:
            size = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(size) or b"{}") if size else {}

        def do_PUT(self) -> None:
            self._body()
            if not self._gate():
                return
            match = re.fullmatch(
                r"/kakao/v2/templates/([^/]+)/inspection", urlparse(self.path).path
            )
            template = api.templates.get(match.group(1)) if match else None
            if template is None:
                self._reply(404, {"errorCode": "NotFound", "errorMessage": self.path})
                return
            if template["status"] not in ("PENDING", "REJECTED"):
                self._reply(400, {"errorCode": "InvalidStatus", "errorMessage": "검수 중"})
                return
            template["status"] = "INSPECTING"
            self._reply(200, template)

        def do_POST(self) -> None:
            body = self._body()
            if not self._gate():
                return
            if urlparse(self.path).path == "/kakao/v2/templates":
                if not body.get("channelId") or not body.get("content"):
                    self._reply(400, {"errorCode": "ValidationError", "errorMessage": "content"})
                    return
                if not re.fullmatch(r"[0-9]{6}", str(body.get("categoryCode") or "")):
                    # as a real account answers a template without Kakao's category
                    message = "categoryCode is required"
                    self._reply(400, {"errorCode": "ValidationError", "errorMessage": message})
                    return
                self._reply(200, api.create_template(body))
                return
            if urlparse(self.path).path != "/messages/v4/send-many/detail":
                self._reply(404, {"errorCode": "NotFound", "errorMessage": self.path})
                return
            answer = api.send_many(body)
            if api.cut_after_accept > 0:
                api.cut_after_accept -= 1
                self._hang_up()  # it took the messages; the answer is lost
                return
            self._reply(200, answer)

        def do_GET(self) -> None:
            if not self._gate():
                return
            parsed = urlparse(self.path)
            found: dict[str, Any] | None = None
            if parsed.path.startswith("/kakao/v2/templates/"):
                found = api.templates.get(parsed.path.rsplit("/", 1)[-1])
            elif parsed.path.startswith("/messages/v4/groups/"):
                found = api.group(parsed.path.rsplit("/", 1)[-1])
            if found is not None:
                self._reply(200, found)
                return
            if parsed.path != "/messages/v4/list-old":
                self._reply(404, {"errorCode": "NotFound", "errorMessage": self.path})
                return
            self._reply(200, api.list_messages(parse_qs(parsed.query)))

    return Handler
