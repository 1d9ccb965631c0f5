"""`dangol messages ...`: the outbox (queue, log), sending what is due, connecting Solapi,
the sending rules (what a trigger without an approved template does), the triggers' 알림톡
templates (list, set, submit, status) and a preview for a member."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.cli.render import WordsAndData
from app.domain.errors import Refused
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
    "delivery",
    "delivered_at",
)
KIND_KEYS = (
    N_("messages.kind.points_earned"),
    N_("messages.kind.stamp_ready"),
    N_("messages.kind.coupon_issued"),
    N_("messages.kind.points_expiring_30"),
    N_("messages.kind.points_expiring_7"),
    N_("messages.kind.birthday"),
    N_("messages.kind.winback"),
    N_("messages.kind.coupon_expiring"),
    N_("messages.kind.pass_renewal"),
    N_("messages.kind.campaign"),
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
    N_("cli.help.messages.templates"),
    N_("cli.help.messages.template"),
    N_("cli.help.messages.template.set"),
    N_("cli.help.messages.template.submit"),
    N_("cli.help.messages.template.status"),
    N_("cli.help.messages.preview"),
    N_("cli.help.messages.announce"),
    N_("cli.help.opt.messages.announce.text"),
    N_("cli.help.opt.messages.announce.tier"),
    N_("cli.help.opt.messages.announce.visited_within"),
    N_("cli.help.opt.messages.announce.away_days"),
    N_("cli.help.opt.messages.announce.birthday_month"),
    N_("cli.help.opt.messages.announce.dry_run"),
    N_("cli.help.opt.messages.announce.segment"),
    N_("cli.messages.announced"),
    N_("cli.messages.announce_plan"),
    N_("cli.messages.announce_night"),
    N_("cli.messages.announce_excluded"),
    N_("cli.messages.announce_already"),
    N_("cli.help.opt.messages.template.set.kind"),
    N_("cli.help.opt.messages.template.set.text"),
    N_("cli.help.opt.messages.template.set.fallback"),
    N_("cli.help.opt.messages.template.set.template_type"),
    N_("cli.help.opt.messages.template.set.extra"),
    N_("cli.help.opt.messages.template.set.emphasis_title"),
    N_("cli.help.opt.messages.template.set.button"),
    N_("cli.help.opt.messages.template.set.no_buttons"),
    N_("cli.help.opt.messages.template.set.category"),
    N_("cli.help.opt.messages.template.set.on"),
    N_("cli.help.opt.messages.template.set.from_file"),
    N_("cli.help.opt.messages.template.submit.kind"),
    N_("cli.help.opt.messages.template.status.kind"),
    N_("cli.help.opt.messages.preview.kind"),
    N_("cli.help.opt.messages.preview.who"),
    N_("cli.help.messages.rules"),
    N_("cli.help.opt.messages.rules.unapproved"),
)
RULES_KEYS = (
    N_("cli.messages.rules_saved"),
    N_("cli.messages.unapproved.fallback"),
    N_("cli.messages.unapproved.hold"),
)
TEMPLATE_KEYS = (
    N_("cli.messages.template_status.draft"),
    N_("cli.messages.template_status.registered"),
    N_("cli.messages.template_status.inspecting"),
    N_("cli.messages.template_status.approved"),
    N_("cli.messages.template_status.rejected"),
    N_("cli.messages.template_status.missing"),
    N_("cli.messages.template_status.not_reviewed"),
    N_("cli.messages.sends_as.alimtalk"),
    N_("cli.messages.sends_as.sms"),
    N_("cli.messages.sends_as.held"),
    N_("cli.messages.delivery.delivered"),
    N_("cli.messages.delivery.failed"),
    N_("cli.messages.delivery.fell_back"),
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
    p = command("rules", "the sending rules (owner); with an option, change it", sub)
    p.add_argument(
        "--unapproved",
        choices=("fallback", "hold"),
        help="a template not approved yet: send its SMS/LMS fallback, or hold until approved",
    )
    command("templates", "every trigger's AlimTalk template and its review", sub)
    group = command("template", "one trigger's AlimTalk template: set, submit, status", sub)
    actions = group.add_subparsers(
        dest="sub", metavar="ACTION", parser_class=type(top), required=True
    )
    p = command("set", "change a template (owner); checked before it is saved", actions)
    p.add_argument("kind", metavar="KIND", help="the trigger (points_earned, winback, ...)")
    p.add_argument("--text", help="the AlimTalk text with #{variables}")
    p.add_argument("--fallback", help="the SMS/LMS text sent when AlimTalk cannot be")
    p.add_argument("--type", dest="template_type", choices=("basic", "extra", "emphasis"))
    p.add_argument("--extra", help="the extra text of an 'extra' template")
    p.add_argument("--emphasis", dest="emphasis_title", help="the title of an 'emphasis' one")
    p.add_argument(
        "--button", action="append", metavar="TYPE:NAME[:URL]", help="a button (up to 5)"
    )
    p.add_argument("--no-buttons", action="store_true", help="remove every button")
    p.add_argument("--category", help="Kakao's template category code")
    on_off = p.add_mutually_exclusive_group()
    on_off.add_argument("--on", dest="on", action="store_const", const=True, help="trigger on")
    on_off.add_argument("--off", dest="on", action="store_const", const=False, help="off")
    p.add_argument("--from", dest="from_file", type=Path, metavar="FILE", help="a JSON file")
    p = command("submit", "send the template to Kakao's review (owner)", actions)
    p.add_argument("kind", metavar="KIND", help="the trigger")
    p = command("status", "ask the provider where the review stands, and keep it", actions)
    p.add_argument("kind", metavar="KIND", nargs="?", help="one trigger (default: all)")
    p = command("announce", "the owner's announcement (an ad) to members who agreed", sub)
    p.add_argument("--text", required=True, help="what to say (the ad's marks are added)")
    p.add_argument("--tier", help="only members of this tier (its code)")
    p.add_argument("--visited-within", type=int, metavar="DAYS", help="visited in these days")
    p.add_argument("--away-days", type=int, metavar="DAYS", help="not seen for these days")
    p.add_argument("--birthday-month", type=int, metavar="MONTH", help="born in this month")
    p.add_argument("--segment", metavar="NAME", help="an RFM segment or the owner's segment")
    p.add_argument("--dry-run", action="store_true", help="say who would get it; send nothing")
    p = command("preview", "a trigger's message as a member would get it now", sub)
    p.add_argument("kind", metavar="KIND", help="the trigger")
    p.add_argument("who", help="the member (phone, last 4 digits, name or card)")


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
    def shown(messages: list[Any]) -> list[dict[str, Any]]:
        return [{key: encode(getattr(m, key)) for key in LINE_KEYS} for m in messages]

    extra = dict(output.extra)
    delivered = extra.pop("delivered", None)
    out = {"messages": shown(output.messages), **encode(extra)}
    if delivered is not None:  # what the provider reported in this run (never the text)
        out["delivered"] = shown(delivered)
    return out


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
    if getattr(m, "delivery", None):
        text += " · " + translate(lang, f"cli.messages.delivery.{m.delivery}")
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
    lines += [_line(m, out.ctx, out.lang) for m in out.extra.get("delivered") or []]
    if out.extra.get("offline"):
        lines.append(translate(out.lang, "cli.messages.offline"))
    return lines


def _setup_lines(out: MessagesOutput) -> list[str]:
    if out.extra["secret_saved"]:
        saved = translate(out.lang, "cli.messages.secret_saved")
    else:
        saved = translate(out.lang, "cli.messages.secret_env")
    return [translate(out.lang, "cli.messages.setup", sender=out.extra["sender"]), saved]


def _announce_lines(out: MessagesOutput) -> list[str]:
    x, lang = out.extra, out.lang
    head = "cli.messages.announced" if x["sent"] else "cli.messages.announce_plan"
    lines = [translate(lang, head, queued=x["queued"], chosen=x["chosen"])]
    if x["night"]:
        lines.append(translate(lang, "cli.messages.announce_night", n=x["night"]))
    for reason, n in sorted(x["excluded"].items()):
        key = "cli.messages.announce_already" if reason == "already_sent" else ""
        why = translate(lang, key or f"consent.reason.{reason}")
        lines.append(translate(lang, "cli.messages.announce_excluded", n=n, why=why))
    return lines


_LINES = {
    "queue": _list_lines,
    "log": _list_lines,
    "send": _sent_lines,
    "setup": _setup_lines,
    "announce": _announce_lines,
}


TemplatesOutput = WordsAndData  # what a template command did: its items and its words


def _review(view: Any, lang: str) -> str:
    """Where Kakao's review stands; an advertisement has none (it goes by SMS/LMS only)."""
    if view.purpose != "info":
        return translate(lang, "cli.messages.template_status.not_reviewed")
    return translate(lang, f"cli.messages.template_status.{view.status}")


def _on_off(on: bool, lang: str) -> str:
    return translate(lang, "cli.messages.on") if on else translate(lang, "cli.messages.off")


def _template_lines(view: Any, lang: str, full: bool = False) -> list[str]:
    """One template: its trigger, on/off, review and how it goes now (with the text if full)."""
    head = translate(
        lang,
        "cli.messages.template_line",
        kind=translate(lang, f"messages.kind.{view.kind}"),
        code=view.kind,
        state=_on_off(view.on, lang),
        status=_review(view, lang),
        sends=translate(lang, f"cli.messages.sends_as.{view.sends_as}"),
    )
    lines = [head]
    if view.status_reason:
        lines.append("  " + translate(lang, "cli.messages.rejected", reason=view.status_reason))
    for problem in view.problems:
        lines.append("  ! " + translate(lang, problem.code, **problem.values))
    if full:
        if view.purpose == "info":
            lines += ["  [AlimTalk]", *("    " + line for line in view.text.splitlines())]
        lines += [f"  [{view.fallback_type}]", *("    " + x for x in view.fallback.splitlines())]
        lines += [f"  [{b.type}] {b.name} {b.link_mobile or ''}".rstrip() for b in view.buttons]
    return lines


def _templates(ctx: Any, key: str, args: argparse.Namespace, lang: str) -> TemplatesOutput:
    from app.services import message_templates

    if key == "messages templates":
        views = message_templates.list_templates(ctx)
        lines = [line for v in views for line in _template_lines(v, lang)]
        return TemplatesOutput({"templates": views}, "\n".join(lines))
    if key == "messages template status":
        views = message_templates.refresh_status(ctx, args.kind)
        if not views:
            return TemplatesOutput(
                {"templates": []}, translate(lang, "cli.messages.none_submitted")
            )
        lines = [line for v in views for line in _template_lines(v, lang)]
        return TemplatesOutput({"templates": views}, "\n".join(lines))
    if key == "messages template submit":
        view = message_templates.submit(ctx, args.kind)
        said = translate(
            lang, "cli.messages.submitted", kind=translate(lang, f"messages.kind.{view.kind}")
        )
        return TemplatesOutput({"template": view}, "\n".join([said, *_template_lines(view, lang)]))
    view = message_templates.set_template(ctx, args.kind, **_changes(args))
    said = translate(
        lang, "cli.messages.template_saved", kind=translate(lang, f"messages.kind.{view.kind}")
    )
    lines = [said, *_template_lines(view, lang, full=True)]
    return TemplatesOutput({"template": view}, "\n".join(lines))


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """What `template set` changes: from --from FILE.json, then the options over it."""
    from app.domain.alimtalk import Button

    changes: dict[str, Any] = _from_file(args.from_file) if args.from_file else {}
    for name in ("text", "fallback", "template_type", "extra", "emphasis_title", "category"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.on is not None:
        changes["on"] = args.on
    if args.no_buttons:
        changes["buttons"] = []
    elif args.button:
        buttons = []
        for given in args.button:
            parts = given.split(":", 2)
            if len(parts) < 2:
                raise Refused("cli.messages.button_invalid", value=given)
            link = parts[2] if len(parts) > 2 else None
            buttons.append(Button(parts[0].strip().upper(), parts[1].strip(), link))
        changes["buttons"] = buttons
    return changes


FILE_KEYS = {"text", "fallback", "template_type", "extra", "emphasis_title", "category", "on"}


def _from_file(path: Path) -> dict[str, Any]:
    """A template as JSON: {"text", "fallback", "template_type", "extra", "emphasis_title",
    "category", "on", "buttons": [{"type", "name", "link_mobile", "link_pc"}]}."""
    from app.domain.alimtalk import Button

    if path.is_dir():
        raise Refused("file.is_directory", path=str(path))
    if not path.is_file():
        raise Refused("file.not_found", path=str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Refused("cli.messages.file_invalid", path=str(path), detail=str(exc)[:120]) from exc
    if not isinstance(data, dict):
        raise Refused("cli.messages.file_invalid", path=str(path), detail="not an object")
    unknown = sorted(set(data) - FILE_KEYS - {"buttons"})
    if unknown:
        raise Refused("cli.messages.file_invalid", path=str(path), detail=", ".join(unknown))
    changes = {k: v for k, v in data.items() if k in FILE_KEYS}
    for name, value in changes.items():
        wanted = bool if name == "on" else str
        if not isinstance(value, wanted):
            raise Refused("cli.messages.file_invalid", path=str(path), detail=name)
    if "buttons" in data:
        listed = data["buttons"]
        if not isinstance(listed, list) or not all(isinstance(b, dict) for b in listed):
            raise Refused("cli.messages.file_invalid", path=str(path), detail="buttons")
        changes["buttons"] = [
            Button(
                str(b.get("type", "")),
                str(b.get("name", "")),
                b.get("link_mobile") or None,
                b.get("link_pc") or None,
            )
            for b in listed
        ]
    return changes


def _preview(ctx: Any, args: argparse.Namespace, lang: str) -> TemplatesOutput:
    from app.services import message_templates
    from app.services.customers import resolve_customer

    shown = message_templates.preview(ctx, args.kind, resolve_customer(ctx, args.who))
    lines = [
        translate(
            lang,
            "cli.messages.preview_to",
            kind=translate(lang, f"messages.kind.{shown.kind}"),
            phone=shown.phone_masked or "-",
            sends=translate(lang, f"cli.messages.sends_as.{shown.sends_as}"),
        )
    ]
    if shown.alimtalk is not None:
        lines += ["[AlimTalk]", shown.alimtalk]
        lines += [f"[{b.type}] {b.name}" for b in shown.buttons]
    lines += [f"[{shown.fallback_type}]", shown.fallback]
    return TemplatesOutput({"preview": shown}, "\n".join(lines))


def _rules(ctx: Any, args: argparse.Namespace, lang: str) -> TemplatesOutput:
    """`messages rules`: the rules as they are, after changing the one given (owner)."""
    from app.services import messages

    changed = args.unapproved is not None
    shown = messages.set_rules(ctx, unapproved=args.unapproved) if changed else messages.rules(ctx)
    lines = [translate(lang, "cli.messages.rules_saved")] if changed else []
    lines.append(translate(lang, f"cli.messages.unapproved.{shown['unapproved']}"))
    return TemplatesOutput({"rules": shown}, "\n".join(lines))


def run(ctx: Any, key: str, args: argparse.Namespace) -> MessagesOutput | TemplatesOutput:
    from app.services import messages

    lang = getattr(args, "lang", None) or default_language()
    if key == "messages templates" or key.startswith("messages template "):
        return _templates(ctx, key, args, lang)
    if key == "messages preview":
        return _preview(ctx, args, lang)
    if key == "messages announce":
        from app.services import announcements

        audience = announcements.Audience(
            tier=args.tier,
            visited_within_days=args.visited_within,
            away_days=args.away_days,
            birthday_month=args.birthday_month,
        )
        if args.segment:  # issue 19: a segment's rules, narrowed by the filters given with it
            from dataclasses import replace

            from app.cli.insight import audience_by_name

            base = audience_by_name(ctx, args.segment)
            given = {k: v for k, v in audience.__dict__.items() if v is not None}
            audience = replace(base, **given)
        act = announcements.plan if args.dry_run else announcements.announce
        said = act(ctx, args.text, audience)
        counts: dict[str, Any] = {
            "chosen": said.chosen,
            "queued": said.queued,
            "night": said.night,
            "excluded": said.excluded,
            "sent": said.sent,
        }
        return MessagesOutput("announce", [], lang, ctx, counts)
    if key == "messages rules":
        return _rules(ctx, args, lang)
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
        extra: dict[str, Any] = {
            "sent": report.sent,
            "offline": report.offline,
            "delivered": report.delivered,
        }
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
