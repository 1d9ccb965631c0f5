"""`dangol consent ...`: a member's consents to messages, changing one, who is due the notice.

A cashier may record what the customer says (no owner PIN); every change is audited.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from app.cli.render import WordsAndData
from app.domain import consent as rules
from app.domain.errors import Refused
from app.i18n import N_, default_language, translate, translate_plural

Command = Callable[..., argparse.ArgumentParser]

# the words of the codes, shown by the CLI and the member's record (built as f"...{code}")
WORDS = (
    N_("consent.channel.sms"),
    N_("consent.channel.alimtalk"),
    N_("consent.channel.friendtalk"),
    N_("consent.purpose.info"),
    N_("consent.purpose.ad"),
    N_("consent.source.counter"),
    N_("consent.source.display"),
    N_("consent.source.import"),
    N_("consent.source.reply"),
    N_("consent.source.cli"),
    N_("consent.source.back_office"),
    N_("consent.source.demo"),
    N_("consent.reason.ok"),
    N_("consent.reason.unknown_member"),
    N_("consent.reason.withdrawn"),
    N_("consent.reason.erased"),
    N_("consent.reason.merged"),
    N_("consent.reason.no_program_consent"),
    N_("consent.reason.info_withdrawn"),
    N_("consent.reason.no_ad_consent"),
    N_("consent.reason.night_hold"),
    N_("cli.help.consent"),
    N_("cli.help.consent.show"),
    N_("cli.help.consent.set"),
    N_("cli.help.consent.due"),
    N_("cli.help.opt.consent.set.channel"),
    N_("cli.help.opt.consent.set.purpose"),
    N_("cli.help.opt.consent.set.grant"),
    N_("cli.help.opt.consent.set.withdraw"),
    N_("cli.help.opt.consent.set.night"),
    N_("cli.help.opt.consent.set.source"),
    N_("cli.help.opt.consent.due.on"),
)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid date: {text}") from exc


def add_commands(command: Command) -> None:
    """Register `consent` and its actions with main's `command(name, help, sub)` helper."""
    top = command("consent", "consent to messages by channel and purpose, and the notice")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    command("show", "a member's consents: each channel and purpose, night ads", sub).add_argument(
        "who"
    )
    p = command("set", "record a consent the member gives or withdraws", sub)
    p.add_argument("who")
    p.add_argument("--channel", required=True, choices=rules.CHANNELS)
    p.add_argument("--purpose", required=True, choices=rules.PURPOSES)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--grant", action="store_true", help="the member consents")
    how.add_argument("--withdraw", action="store_true", help="the member withdraws")
    p.add_argument("--night", action="store_true", help="night advertising (21:00-08:00)")
    p.add_argument("--source", default="cli", choices=rules.SOURCES, help="how it was given")
    p = command("due", "members due the two-yearly notice of their consent", sub)
    p.add_argument("--on", type=_day, metavar="YYYY-MM-DD", help="the day (default: today)")


ConsentOutput = WordsAndData  # what a consent command did: its items and its words


def run(ctx: Any, key: str, args: argparse.Namespace) -> ConsentOutput:
    lang = getattr(args, "lang", None) or default_language()
    if key == "consent show":
        return _show(ctx, args, lang)
    if key == "consent set":
        return _set(ctx, args, lang)
    if key == "consent due":
        return _due(ctx, args, lang)
    raise Refused("cli.usage", detail=f"unknown command: {key}")


def _show(ctx: Any, args: argparse.Namespace, lang: str) -> ConsentOutput:
    from app.services import consents
    from app.services.customers import resolve_customer

    return _member(ctx, consents.consent_state(ctx, resolve_customer(ctx, args.who)), lang)


def _set(ctx: Any, args: argparse.Namespace, lang: str) -> ConsentOutput:
    from app.services import consents
    from app.services.customers import resolve_customer

    state = consents.set_consent(
        ctx,
        resolve_customer(ctx, args.who),
        args.channel,
        args.purpose,
        bool(args.grant),
        night=args.night,
        source=args.source,
    )
    return _member(ctx, state, lang)


def _staff_names(ctx: Any) -> dict[Any, str]:
    from app.services.staff import list_staff

    return {s.id: s.name for s in list_staff(ctx, include_inactive=True)}


def _when(ctx: Any, moment: datetime | None) -> str:
    return ctx.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _member(ctx: Any, state: Any, lang: str) -> ConsentOutput:
    names = _staff_names(ctx)

    def entry(c: Any) -> dict[str, Any]:
        out = {
            "channel": c.channel,
            "purpose": c.purpose,
            "granted": c.granted,
            "granted_at": c.granted_at,
            "withdrawn_at": c.withdrawn_at,
            "source": c.source,
            "by": {"staff_id": c.staff_id, "token": c.token},
        }
        return out if not c.night else {k: v for k, v in out.items() if k != "purpose"}

    data = {
        "member_id": state.member_id,
        "phone_masked": state.phone_masked,
        "status": state.status,
        "program_consent_at": state.program_consent_at,
        "consents": [entry(c) for c in state.consents if not c.night],
        "night": [entry(c) for c in state.consents if c.night],
        "last_notice_at": state.last_notice_at,
        "notice_due_on": state.notice_due_on,
        # the coalition's consent (null: the shop is in no 골목 제휴)
        "partner": _partner_entry(state.partner),
    }
    who = state.phone_masked or str(state.member_id)
    lines = [translate(lang, "cli.consent.title", who=who)]
    for c in state.consents:
        what = (
            translate(lang, "consent.night")
            if c.night
            else translate(lang, f"consent.purpose.{c.purpose}")
        )
        lines.append(
            translate(
                lang,
                "cli.consent.line",
                channel=translate(lang, f"consent.channel.{c.channel}"),
                what=what,
                state=_state_text(ctx, c, lang, names),
            )
        )
    if state.notice_due_on is not None:
        last = _when(ctx, state.last_notice_at) or translate(lang, "cli.consent.never")
        lines.append(
            translate(lang, "cli.consent.notice", due=state.notice_due_on.isoformat(), last=last)
        )
    else:
        lines.append(translate(lang, "cli.consent.notice_none"))
    partner = state.partner
    if partner is not None:
        if partner.at is None:
            said = translate(lang, "cli.consent.never")
        else:
            by = names.get(partner.staff_id, "") if partner.staff_id else ""
            if partner.token:
                by = translate(lang, "cli.consent.by_token", name=partner.token)
            how = source_words(lang, partner.source) + (f", {by}" if by else "")
            key = "cli.consent.granted" if partner.granted else "cli.consent.withdrawn"
            said = translate(lang, key, at=_when(ctx, partner.at), how=how)
        lines.append(
            translate(lang, "cli.consent.partner", coalition=partner.coalition, state=said)
        )
    return ConsentOutput(data, "\n".join(lines))


def _partner_entry(partner: Any) -> dict[str, Any] | None:
    if partner is None:
        return None
    return {
        "coalition": partner.coalition,
        "granted": partner.granted,
        "at": partner.at,
        "source": partner.source,
        "by": {"staff_id": partner.staff_id, "token": partner.token},
    }


def source_words(lang: str, source: str | None) -> str:
    if source is None:
        return translate(lang, "consent.source.none")
    key = f"consent.source.{source}"
    return translate(lang, key) if source in (*rules.SOURCES, "demo") else source


def _state_text(ctx: Any, c: Any, lang: str, names: dict[Any, str]) -> str:
    if c.granted_at is None and c.withdrawn_at is None:
        if c.purpose == "info" and not c.night:
            return translate(lang, "cli.consent.info_default")
        return translate(lang, "cli.consent.never")
    by = names.get(c.staff_id, "") if c.staff_id else ""
    if c.token:
        by = translate(lang, "cli.consent.by_token", name=c.token)
    how = source_words(lang, c.source) + (f", {by}" if by else "")
    if c.granted:
        return translate(lang, "cli.consent.granted", at=_when(ctx, c.granted_at), how=how)
    return translate(lang, "cli.consent.withdrawn", at=_when(ctx, c.withdrawn_at), how=how)


def _due(ctx: Any, args: argparse.Namespace, lang: str) -> ConsentOutput:
    from app.services import consents

    on = args.on or ctx.local_date(ctx.now())
    due = consents.notice_due(ctx, on=on)
    data = {"on": on, "items": due}
    if not due:
        return ConsentOutput(data, translate(lang, "cli.consent.due_none", on=on.isoformat()))
    lines = [
        translate_plural(
            lang, "cli.consent.due", "cli.consent.due_plural", len(due), on=on.isoformat()
        )
    ]
    for d in due:
        channels = ", ".join(translate(lang, f"consent.channel.{c}") for c in d.channels)
        lines.append(
            translate(
                lang,
                "cli.consent.due_line",
                phone=d.phone_masked or str(d.member_id),
                due=d.due_on.isoformat(),
                since=ctx.local_date(d.consented_at).isoformat(),
                channels=channels,
            )
        )
    return ConsentOutput(data, "\n".join(lines))
