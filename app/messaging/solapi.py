"""Solapi through its Python SDK (`solapi`): 알림톡 with SMS/LMS fallback, and plain SMS/LMS.

Solapi replaces an undelivered 알림톡 by an SMS itself when the message carries a text and
`disableSms` is false (대체 발송); when it refuses the 알림톡 outright at registration (a
template not approved, no channel), this provider sends the fallback text as SMS/LMS itself.
Each message carries the outbox's idempotency key in its `customFields`, so a message whose
answer was lost (a cut, a crash) is found again before anything is sent a second time.

The SDK (5.0.3) has no calls for 알림톡 templates nor a message's own status, so those go to
Solapi's documented HTTP endpoints through the SDK's own fetcher (its HMAC auth, its errors):
`POST /kakao/v2/templates` (register), `PUT /kakao/v2/templates/{id}/inspection` (ask for
Kakao's review), `GET /kakao/v2/templates/{id}` (status, the reviewer's comments),
`GET /messages/v4/list-old?messageId=...` (a message's status code) and
`GET /messages/v4/groups/{groupId}` (what it was charged: one message per group).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from app.domain.alimtalk import KAKAO_STATUSES
from app.domain.messages import ALIMTALK, text_type, won
from app.messaging.base import (
    Delivery,
    NotFound,
    Outgoing,
    Rejected,
    Result,
    TemplateSpec,
    TemplateState,
    Unreachable,
)

DEFAULT_BASE_URL = "https://api.solapi.com"
KEY_FIELD = "dangolKey"
ACCEPTED = "2000"  # 정상 접수
DELIVERED = "4000"  # 수신 완료
PENDING_CODES = ("2000", "3000")  # 접수, 이통사로 접수 중: still on its way


class SolapiProvider:
    name = "solapi"

    def __init__(
        self,
        api_key: str,
        api_secret: str,
        sender: str,
        pf_id: str | None = None,
        base_url: str | None = None,
    ) -> None:
        from solapi import SolapiMessageService

        self.service = SolapiMessageService(api_key=api_key, api_secret=api_secret)
        self.service.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.sender = sender
        self.pf_id = pf_id

    # --- sending ---------------------------------------------------------------------

    def send(self, message: Outgoing) -> Result:
        from solapi.error.MessageNotReceiveError import MessageNotReceivedError

        kakao = message.channel == ALIMTALK and bool(self.pf_id and message.template_id)
        try:
            response = self._call(lambda: self.service.send(self._request(message, kakao)))
        except MessageNotReceivedError as refused:
            reason = _reason(refused.failed_messages)
            if not kakao:
                return Result("failed", error=reason, channel="sms")
            # 알림톡 refused at registration: the fallback text by SMS/LMS, by us
            try:
                response = self._call(lambda: self.service.send(self._request(message, False)))
            except MessageNotReceivedError as again:
                return Result("failed", error=_reason(again.failed_messages), channel="sms")
            return _result(response, "fell_back", "sms", reason)
        return _result(response, "sent", ALIMTALK if kakao else "sms", None)

    def _request(self, message: Outgoing, kakao: bool) -> Any:
        from solapi.model import KakaoOption, RequestMessage

        fields = {KEY_FIELD: message.key}
        if kakao:
            return RequestMessage(
                from_=self.sender,
                to=message.to,
                text=message.fallback_text,  # Solapi's own SMS replacement uses this text
                kakao_options=KakaoOption(
                    pf_id=self.pf_id,
                    template_id=message.template_id,
                    # Solapi names each variable as it appears in the template: "#{이름}"
                    variables={f"#{{{k}}}": v for k, v in (message.variables or {}).items()},
                    disable_sms=False,
                ),
                custom_fields=fields,
            )
        text = message.fallback_text if message.channel == ALIMTALK else message.text
        kind = text_type(text)
        return RequestMessage(
            from_=self.sender,
            to=message.to,
            text=text,
            type=kind,
            subject=message.subject if kind == "LMS" else None,
            custom_fields=fields,
        )

    # --- finding what was sent before a cut or a crash ----------------------------------

    def find(self, message: Outgoing, since: datetime) -> Result | None:
        from solapi.model.request.messages.get_messages import GetMessagesRequest

        query = GetMessagesRequest(
            to=message.to,
            limit=50,
            start_date=(since - timedelta(minutes=5)).isoformat(),
        )
        listed = self._call(lambda: self.service.get_messages(query))
        for message_id, found in listed.message_list.items():
            if (found.custom_fields or {}).get(KEY_FIELD) == message.key:
                kind = str(found.type.value if hasattr(found.type, "value") else found.type)
                went = ALIMTALK if kind == "ATA" else "sms"
                status = "sent" if went == ALIMTALK or message.channel != ALIMTALK else "fell_back"
                return Result(status, provider_message_id=message_id, channel=went)
        return None

    # --- what became of a message ---------------------------------------------------------

    def delivery(self, provider_message_id: str) -> Delivery | None:
        """The message's status code at Solapi: 4000 delivered, 2000/3000 still on its way,
        anything else failed (with Solapi's words); an 알림톡 Solapi replaced by an SMS/LMS
        (`replacement`, or its type no longer ATA) fell back. The cost is its group's final
        charge (balance and points, after refunds), once it is no longer on its way."""
        listed = self._fetch("GET", f"/messages/v4/list-old?messageId={provider_message_id}")
        found = (listed.get("messageList") or {}).get(provider_message_id)
        if not isinstance(found, dict):
            return None
        code = str(found.get("statusCode") or "")
        kind = str(found.get("type") or "")
        went = ALIMTALK if kind == "ATA" and not found.get("replacement") else "sms"
        if code in PENDING_CODES or not code:
            return Delivery("pending", channel=went)
        cost = self._group_cost(str(found.get("groupId") or ""))
        at = _moment(found.get("dateUpdated"))
        if code == DELIVERED:
            state = "fell_back" if found.get("replacement") else "delivered"
            return Delivery(state, cost, None, went, at)
        reason = f"{code}: {found.get('statusMessage') or found.get('reason') or ''}".strip()
        return Delivery("failed", cost, reason[:300], went, at)

    def _group_cost(self, group_id: str) -> int | None:
        if not group_id:
            return None
        group = self._fetch("GET", f"/messages/v4/groups/{group_id}")
        balance, point = group.get("balance") or {}, group.get("point") or {}
        return won(balance.get("sum") or 0) + won(point.get("sum") or 0)

    # --- 알림톡 templates -------------------------------------------------------------------

    def submit_template(self, spec: TemplateSpec) -> TemplateState:
        """Register the template on the Kakao channel, then ask for Kakao's review."""
        if not self.pf_id:
            raise Rejected("no Kakao channel (pfId) set up")
        body: dict[str, Any] = {
            "channelId": self.pf_id,
            "name": spec.name,
            "content": spec.text,
            "messageType": spec.message_type,
            "emphasizeType": spec.emphasize_type,
            "securityFlag": False,
            "buttons": [
                {
                    "buttonType": b.type,
                    "buttonName": b.name,
                    **({"linkMo": b.link_mobile} if b.link_mobile else {}),
                    **({"linkPc": b.link_pc} if b.link_pc else {}),
                }
                for b in spec.buttons
            ],
        }
        if spec.category:
            body["categoryCode"] = spec.category
        if spec.extra:
            body["extra"] = spec.extra
        if spec.emphasis_title:
            body["emphasizeTitle"] = spec.emphasis_title
        created = self._fetch("POST", "/kakao/v2/templates", body)
        template_id = str(created.get("templateId") or "")
        if not template_id:
            raise Rejected("no templateId in Solapi's answer")
        inspected = self._fetch("PUT", f"/kakao/v2/templates/{template_id}/inspection")
        return _template_state(template_id, inspected)

    def template_status(self, template_id: str) -> TemplateState:
        return _template_state(
            template_id, self._fetch("GET", f"/kakao/v2/templates/{template_id}")
        )

    def _fetch(self, method: str, path: str, data: Any = None) -> dict[str, Any]:
        from solapi.lib.fetcher import RequestMethod, default_fetcher

        request = {"method": RequestMethod(method), "url": f"{self.service.base_url}{path}"}
        answer = self._call(lambda: default_fetcher(self.service.auth_info, request, data))
        return answer if isinstance(answer, dict) else {}

    @staticmethod
    def _call(call: Any) -> Any:
        """The SDK's call; no answer (or the server's own trouble) is Unreachable."""
        from solapi.error.MessageNotReceiveError import MessageNotReceivedError

        try:
            return call()
        except httpx.TransportError as exc:
            raise Unreachable(type(exc).__name__) from exc
        except MessageNotReceivedError:
            raise
        except Exception as exc:
            code = str(exc.args[0]) if exc.args else ""
            detail = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
            if code == "UnknownError":  # a 5xx: Solapi's trouble, not the message's
                raise Unreachable(detail[:200]) from exc
            if code == "NotFound":  # no such template (or message) at Solapi
                raise NotFound(f"{code}: {detail}"[:300]) from exc
            raise Rejected(f"{code}: {detail}"[:300]) from exc


def _reason(failed: list[Any]) -> str:
    if not failed:
        return "refused"
    first = failed[0]
    return f"{first.status_code}: {first.status_message}"[:300]


def _result(response: Any, status: str, channel: str, error: str | None) -> Result:
    items = response.message_list or []
    message_id = items[0].message_id if items else None
    info = response.group_info
    cost = won(info.balance.requested) + won(info.point.requested)
    return Result(status, message_id, cost, error, channel)


def _template_state(template_id: str, answer: dict[str, Any]) -> TemplateState:
    """Solapi's template (PENDING, INSPECTING, APPROVED, REJECTED; the reviewer's comments)."""
    status = KAKAO_STATUSES.get(str(answer.get("status") or "").upper(), "registered")
    reason = None
    if status == "rejected":
        comments = [c for c in answer.get("comments") or [] if isinstance(c, dict)]
        reason = str(comments[-1].get("content") or "")[:500] if comments else None
    return TemplateState(template_id, status, reason or None)


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
