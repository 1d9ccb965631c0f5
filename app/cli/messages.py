"""`dangol messages ...`: the outbox (queue, log), sending what is due, connecting Solapi."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.i18n import N_, default_language, translate, translate_plural

Command = Callable[..., argparse.ArgumentParser]

# the JSON of one message (never its text: it names the member)
LINE_KEYS = (
    "id",
    "member_id",
    "kind",
    "channel",
    "purpose",
    "status",
    "send_after",
    "attempts",
    "created_at",
    "sent_at",
    "last_error",
    "cost_won",
)
KIND_KEYS = (
    N_("messages.kind.points_earned"),
    N_("messages.kind.stamp_ready"),
    N_("messages.kind.coupon_issued"),
    N_("messages.kind.points_expiring_30"),
    N_("messages.kind.points_expiring_7"),
    N_("messages.kind.birthday"),
    N_("messages.kind.winback"),
    N_("messages.kind.consent_notice"),
)
HELP_KEYS = (
    N_("cli.help.messages"),
    N_("cli.help.messages.queue"),
    N_("cli.help.messages.log"),
    N_("cli.help.messages.send_due"),
    N_("cli.help.messages.setup"),
    N_("cli.help.opt.messages.setup.api_key"),
    N_("cli.help.opt.messages.setup.sender"),
    N_("cli.help.opt.messages.setup.pf_id"),
    N_("cli.help.opt.messages.setup.base_url"),
)
STATUS_KEYS = (
    N_("messages.status.queued"),
    N_("messages.status.held"),
    N_("messages.status.sending"),
    N_("messages.status.sent"),
    N_("messages.status.failed"),
    N_("messages.status.fell_back"),
    N_("messages.status.refused"),
)


def add_commands(command: Command) -> None:
    """Register `messages` and its actions with main's `command(name, help, sub)` helper."""
    top = command("messages", "messages to members: the outbox, sending, the provider")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    command("queue", "messages waiting to be sent, the next first", sub)
    command("log", "messages sent or refused, newest first", sub).add_argument(
        "who", nargs="?", help="one member (phone, last 4 digits, name or card)"
    )
    command("send-due", "send what is due now (the counter's worker does it by itself)", sub)
    p = command("setup", "connect a Solapi account (the secret goes to the OS keyring)", sub)
    p.add_argument("--api-key", required=True)
    p.add_argument("--sender", required=True, help="the registered sender number (발신번호)")
    p.add_argument("--pf-id", help="the Kakao channel's pfId, for AlimTalk")
    p.add_argument("--base-url", help=argparse.SUPPRESS)  # a test stand-in of the API


@dataclass(frozen=True)
class MessagesOutput:
    """What a messages command did, in the user's language."""

    kind: str
    messages: list[Any]
    lang: str
    ctx: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "\n".join(_LINES[self.kind](self))


def messages_json(output: MessagesOutput, encode: Any) -> Any:
    lines = [{key: encode(getattr(m, key)) for key in LINE_KEYS} for m in output.messages]
    return {"messages": lines, **encode(output.extra)}


def _line(m: Any, ctx: Any, lang: str) -> str:
    at = ctx.local(m.sent_at or m.send_after).strftime("%Y-%m-%d %H:%M")
    text = translate(
        lang,
        "cli.messages.line",
        at=at,
        kind=translate(lang, f"messages.kind.{m.kind}"),
        channel=m.channel,
        status=translate(lang, f"messages.status.{m.status}"),
    )
    if m.last_error and m.status != "sent":
        text += f" ({m.last_error})"
    return text


def _list_lines(out: MessagesOutput) -> list[str]:
    if not out.messages:
        return [translate(out.lang, "cli.messages.none")]
    return [_line(m, out.ctx, out.lang) for m in out.messages]


def _sent_lines(out: MessagesOutput) -> list[str]:
    sent = int(out.extra.get("sent", 0))
    lines = [translate_plural(out.lang, "cli.messages.sent", "cli.messages.sent_plural", sent)]
    lines += [_line(m, out.ctx, out.lang) for m in out.messages]
    if out.extra.get("offline"):
        lines.append(translate(out.lang, "cli.messages.offline"))
    return lines


def _setup_lines(out: MessagesOutput) -> list[str]:
    if out.extra["secret_saved"]:
        saved = translate(out.lang, "cli.messages.secret_saved")
    else:
        saved = translate(out.lang, "cli.messages.secret_env")
    return [translate(out.lang, "cli.messages.setup", sender=out.extra["sender"]), saved]


_LINES = {"queue": _list_lines, "log": _list_lines, "send": _sent_lines, "setup": _setup_lines}


def run(ctx: Any, key: str, args: argparse.Namespace) -> MessagesOutput:
    from app.services import messages

    lang = getattr(args, "lang", None) or default_language()
    if key == "messages queue":
        return MessagesOutput("queue", messages.queue(ctx), lang, ctx)
    if key == "messages log":
        who = None
        if args.who:
            from app.services.customers import resolve_customer

            who = resolve_customer(ctx, args.who)
        return MessagesOutput("log", messages.log(ctx, who), lang, ctx)
    if key == "messages send-due":
        report = messages.send_due(ctx)
        extra: dict[str, Any] = {"sent": report.sent, "offline": report.offline}
        return MessagesOutput("send", report.messages, lang, ctx, extra)
    secret = os.environ.get("DANGOL_SOLAPI_SECRET")
    if secret is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        secret = getpass.getpass("Solapi API secret: ")
    done = messages.setup_provider(
        ctx, args.api_key, secret or "", args.sender, pf_id=args.pf_id, base_url=args.base_url
    )
    extra = {"provider": done.provider, "sender": done.sender, "secret_saved": done.secret_saved}
    return MessagesOutput("setup", [], lang, ctx, extra)
