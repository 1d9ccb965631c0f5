"""The member's .pkpass by e-mail through the shop's SMTP server, against a small SMTP server on
127.0.0.1 (tests/messaging/smtp_standin.py): the message read back with the email package,
its Korean subject and body, the attachment unzipped and its manifest checked; the refusals in
words (no server, a malformed address, the server refusing), with nothing written."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry
from app.domain.errors import Refused
from app.services import customers, mobile_wallet, sales, shop_mail
from app.services.context import Context
from tests.messaging.smtp_standin import SmtpStandIn
from tests.printing.pass_chain import PASS_TYPE_ID, pass_chain
from tests.services.helpers import snapshot

ADDRESS = "minjun.kim@example.test"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpStandIn]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    server = SmtpStandIn(password="s3cret-pw").start()
    yield server
    server.stop()


@pytest.fixture
def shop(ctx: Context) -> tuple[Context, Any]:
    chain = pass_chain()
    mobile_wallet.setup_apple(
        ctx, PASS_TYPE_ID, "AB12CD34EF", chain["cert"], chain["key"], chain["wwdr"]
    )
    member = customers.enroll(ctx, "010-1234-5678", name="김민준")
    sales.record_sale(ctx, member.id, 20_000)
    return ctx, member.id


def _set_up(ctx: Context, server: SmtpStandIn, **changes: Any) -> None:
    values: dict[str, Any] = {
        "user": server.user,
        "password": server.password,
        "starttls": False,
    }
    values.update(changes)
    shop_mail.setup_smtp(ctx, "127.0.0.1", server.port, "shop@example.test", **values)


def _read(raw: bytes) -> EmailMessage:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_pass_goes_by_mail_with_korean_words_and_the_pkpass_attached(shop, smtp):
    ctx, member = shop
    _set_up(ctx, smtp)
    status = customers.customer_status(ctx, member)

    sent = mobile_wallet.email_apple_pass(ctx, member, f"  {ADDRESS} ")

    assert sent.address == ADDRESS and smtp.logins == [smtp.user]
    (received,) = smtp.messages
    assert received.sender == "shop@example.test" and received.recipients == [ADDRESS]
    message = _read(received.data)
    assert message["To"] == ADDRESS and message["From"] == "shop@example.test"
    assert message["Message-ID"] == sent.message_id
    assert str(message["Subject"]).endswith("멤버십 카드")
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Apple 지갑에 카드가 추가" in body.get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/vnd.apple.pkpass"
    assert str(attachment.get_filename()).endswith(".pkpass")
    archive = zipfile.ZipFile(io.BytesIO(attachment.get_content()))
    manifest = json.loads(archive.read("manifest.json"))
    assert set(manifest) == set(archive.namelist()) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert hashlib.sha1(archive.read(name)).hexdigest() == digest
    data = json.loads(archive.read("pass.json"))
    assert data["barcodes"][0]["message"] == status.card
    assert data["storeCard"]["primaryFields"][0]["value"] == status.points > 0
    with ctx.db.read() as session:
        logged = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "mobile_wallet.apple_pass_email")
        ).all()
    assert len(logged) == 1 and ADDRESS not in (logged[0].detail or "")  # not kept in the log


def _refused(ctx: Context, smtp: SmtpStandIn, member: Any, address: str = ADDRESS) -> Refused:
    before = snapshot(ctx)
    with pytest.raises(Refused) as caught:
        mobile_wallet.email_apple_pass(ctx, member, address)
    assert snapshot(ctx) == before and smtp.messages == []
    return caught.value


def test_refused_in_words_and_nothing_written(shop, smtp):
    ctx, member = shop
    no_server = _refused(ctx, smtp, member)
    assert no_server.code == "mail.not_set_up" and "SMTP" in no_server.message("ko")

    _set_up(ctx, smtp)
    for malformed in ("kim@", "kim minjun@example.test", "kim@example", f"{ADDRESS}\r\nBcc: x@y.z"):
        said = _refused(ctx, smtp, member, malformed)
        assert said.code == "mail.address_invalid" and "이메일 주소가 아닙니다" in said.message(
            "ko"
        )

    smtp.refuse_rcpt.add(ADDRESS)
    said = _refused(ctx, smtp, member)
    assert said.code == "mail.rejected" and "550" in said.message("ko")
    assert "User unknown" in said.message("en")
    smtp.refuse_rcpt.clear()
    smtp.refuse_data = True
    said = _refused(ctx, smtp, member)
    assert said.code == "mail.rejected" and "554" in said.message("ko")
    smtp.refuse_data = False

    _set_up(ctx, smtp, password="wrong-pw")
    said = _refused(ctx, smtp, member)
    assert said.code == "mail.login_refused" and "로그인을 거부" in said.message("ko")

    _set_up(ctx, smtp, starttls=True)  # asked for, not offered: nothing goes in clear
    said = _refused(ctx, smtp, member)
    assert said.code == "mail.no_starttls" and "--no-starttls" in said.message("ko")

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    shop_mail.setup_smtp(ctx, "127.0.0.1", closed, "shop@example.test", starttls=False)
    said = _refused(ctx, smtp, member)
    assert said.code == "mail.unreachable" and f"127.0.0.1:{closed}" in said.message("ko")

    _set_up(ctx, smtp)  # all well again: it goes
    mobile_wallet.email_apple_pass(ctx, member, ADDRESS)
    assert len(smtp.messages) == 1


def test_the_smtp_setup_checks_what_it_keeps(ctx, smtp):
    for host, port, sender, code in (
        ("", 587, "shop@example.test", "mail.host_invalid"),
        ("smtp example", 587, "shop@example.test", "mail.host_invalid"),
        ("smtp.example.test", 0, "shop@example.test", "mail.port_invalid"),
        ("smtp.example.test", 587, "shop", "mail.address_invalid"),
    ):
        with pytest.raises(Refused) as refused:
            shop_mail.setup_smtp(ctx, host, port, sender)
        assert refused.value.code == code
    with pytest.raises(Refused) as refused:
        shop_mail.setup_smtp(ctx, "smtp.example.test", 587, "shop@example.test", user="u")
    assert refused.value.code == "mail.password_missing"
    assert shop_mail.smtp_summary(ctx) is None
    _set_up(ctx, smtp)
    kept = shop_mail.smtp_summary(ctx)
    assert kept is not None and kept["user"] == smtp.user and "password" not in kept
    assert smtp.password not in json.dumps(ctx.settings.get("smtp"))
