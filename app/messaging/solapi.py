"""Solapi through its Python SDK (`solapi`): 알림톡 with SMS/LMS fallback, and plain SMS/LMS.

Solapi replaces an undelivered 알림톡 by an SMS itself when the message carries a text and
`disableSms` is false (대체 발송); when it refuses the 알림톡 outright at registration (a
template not approved, no channel), this provider sends the fallback text as SMS/LMS itself.
Each message carries the outbox's idempotency key in its `customFields`, so a message whose
answer was lost (a cut, a crash) is found again before anything is sent a second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from app.domain.messages import ALIMTALK, text_type, won
from app.messaging.base import Outgoing, Rejected, Result, Unreachable

DEFAULT_BASE_URL = "https://api.solapi.com"
KEY_FIELD = "dangolKey"
ACCEPTED = "2000"  # 정상 접수
DELIVERED = "4000"  # 수신 완료


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
                    variables=message.variables or {},
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
