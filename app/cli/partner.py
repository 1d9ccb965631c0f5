"""`dangol partner ...`: a neighbourhood coalition (골목 제휴) of independent shops."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli.render import WordsAndData
from app.i18n import N_, default_language, translate

Command = Callable[..., argparse.ArgumentParser]
# the help texts' keys (app/cli/help.py finds them by the parser's paths)
HELP = (
    N_("cli.help.partner"),
    N_("cli.help.partner.create"),
    N_("cli.help.partner.join"),
    N_("cli.help.partner.list"),
    N_("cli.help.partner.consent"),
    N_("cli.help.partner.find"),
    N_("cli.help.partner.sale"),
    N_("cli.help.partner.send"),
    N_("cli.help.partner.close"),
    N_("cli.help.partner.settle"),
    N_("cli.help.partner.statement"),
    N_("cli.help.partner.ack"),
    N_("cli.help.opt.partner.create.value"),
    N_("cli.help.opt.partner.create.earn_rate"),
    N_("cli.help.opt.partner.create.offline_limit"),
    N_("cli.help.opt.shop"),
    N_("cli.help.opt.url"),
    N_("cli.help.opt.grant"),
    N_("cli.help.opt.withdraw"),
    N_("cli.help.opt.partner.consent.source"),
    N_("cli.help.opt.spend"),
    N_("cli.help.opt.month"),
    N_("cli.help.opt.partner.statement.pdf"),
    N_("cli.help.opt.partner.statement.csv"),
    N_("cli.help.opt.with_shop"),
    N_("cli.help.opt.partner.create.name"),
    N_("cli.help.opt.partner.join.code"),
    N_("cli.help.opt.partner.sale.amount"),
    N_("cli.help.opt.sale.partner_spend"),
)


def add_commands(command: Command) -> None:
    """Register `partner` and its actions with main's `command(name, help, sub)` helper."""
    top = command("partner", "a neighbourhood coalition of shops: shared partner points")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top), required=True)
    p = command("create", "start a coalition; prints the code the other shops join with", sub)
    p.add_argument("name", help="the coalition's name")
    p.add_argument("--value", required=True, metavar="WON", help="won per partner point")
    p.add_argument("--earn-rate", required=True, metavar="RATE", help="points per won (0.01)")
    p.add_argument("--offline-limit", type=int, default=1000, metavar="POINTS")
    p.add_argument("--shop", metavar="NAME", help="this shop's name in the coalition")
    p.add_argument("--url", help="the central PostgreSQL (default: the sync's)")
    p = command("join", "join a coalition with its code", sub)
    p.add_argument("code", help="the join code the first shop was given")
    p.add_argument("--shop", metavar="NAME")
    p.add_argument("--url")
    command("list", "the coalition, its terms and its shops", sub)
    p = command("consent", "the member's consent to the coalition", sub)
    p.add_argument("who", help="phone or card")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--grant", action="store_true")
    group.add_argument("--withdraw", action="store_true")
    p.add_argument("--source", default="cli")
    command("find", "a member of this shop or a partner, by phone or card", sub).add_argument("who")
    p = command("sale", "the partner side of a sale: spend, then earn on what is paid", sub)
    p.add_argument("who")
    p.add_argument("amount", type=int, help="the bill in won")
    p.add_argument("--spend", type=int, default=0, metavar="POINTS")
    command("send", "send what is queued to the coalition now", sub)
    for name, help_text in (
        ("close", "this shop has sent everything of a month that is over"),
        ("settle", "make the month's statements, once every shop closed it"),
        ("statement", "this shop's statements of a month (PDF, CSV)"),
        ("ack", "acknowledge the month's statements as this shop's owner"),
    ):
        p = command(name, help_text, sub)
        p.add_argument("--month", required=True, metavar="YYYY-MM")
        if name == "statement":
            p.add_argument("--pdf", type=Path, metavar="FILE")
            p.add_argument("--csv", type=Path, metavar="FILE")
        if name == "ack":
            p.add_argument("--with", dest="with_shop", metavar="SHOP")


def _data(value: Any) -> Any:
    return asdict(value)


def _program_words(info: Any, lang: str) -> list[str]:
    lines = [
        translate(
            lang,
            "cli.partner.program",
            name=info.name,
            value=info.point_value,
            rate=info.earn_rate,
            limit=info.offline_limit,
        )
    ]
    for shop in info.shops:
        closed = shop.closed_through or translate(lang, "cli.partner.not_closed")
        key = "cli.partner.shop_me" if shop.me else "cli.partner.shop"
        lines.append(translate(lang, key, name=shop.name, closed=closed))
    if not info.online:
        lines.append(translate(lang, "cli.partner.offline"))
    return lines


def _statement_words(views: Any, lang: str) -> list[str]:
    lines = []
    for v in views:
        if v.net > 0:
            verdict = translate(lang, "cli.partner.they_pay", other=v.other_shop, amount=v.net)
        elif v.net < 0:
            verdict = translate(lang, "cli.partner.we_pay", other=v.other_shop, amount=-v.net)
        else:
            verdict = translate(lang, "cli.partner.even")
        yes, no = translate(lang, "cli.partner.yes"), translate(lang, "cli.partner.no")
        lines.append(
            translate(
                lang,
                "cli.partner.statement",
                month=v.month,
                other=v.other_shop,
                ours=v.ours_spent_there,
                theirs=v.theirs_spent_here,
                verdict=verdict,
                us=yes if v.acked_by_us else no,
                them=yes if v.acked_by_them else no,
            )
        )
    return lines


def run(ctx: Any, key: str, args: argparse.Namespace) -> WordsAndData:
    from app.services import customers, partners

    lang = getattr(args, "lang", None) or default_language()
    action = key.split()[1]
    if action == "create":
        info = partners.create_program(
            ctx,
            args.name,
            point_value=args.value,
            earn_rate=args.earn_rate,
            offline_limit=args.offline_limit,
            shop_name=args.shop,
            url=args.url,
        )
        words = [translate(lang, "cli.partner.created", name=info.name, code=info.join_code)]
        return WordsAndData(_data(info), "\n".join(words + _program_words(info, lang)))
    if action == "join":
        info = partners.join_program(ctx, args.code, shop_name=args.shop, url=args.url)
        words = [translate(lang, "cli.partner.joined", name=info.name, shop=info.shop_name)]
        return WordsAndData(_data(info), "\n".join(words + _program_words(info, lang)))
    if action == "list":
        info = partners.list_program(ctx)
        return WordsAndData(_data(info), "\n".join(_program_words(info, lang)))
    if action == "consent":
        who = customers.resolve_customer(ctx, args.who)
        consent = partners.set_partner_consent(
            ctx, who, bool(args.grant), source=args.source, lang=lang
        )
        key_ = "cli.partner.consent_granted" if consent.granted else "cli.partner.consent_withdrawn"
        words = [consent.notice, translate(lang, key_)]
        if not consent.sent:
            words.append(translate(lang, "cli.partner.queued"))
        return WordsAndData(_data(consent), "\n".join(words))
    if action == "find":
        member = partners.find_member(ctx, args.who)
        words = [
            translate(
                lang,
                "cli.partner.member",
                home=member.home_shop,
                balance=member.balance,
                spendable=member.spendable,
            )
        ]
        if not member.online:
            words.append(translate(lang, "cli.partner.offline"))
        return WordsAndData(_data(member), "\n".join(words))
    if action == "sale":
        sale = partners.partner_sale(ctx, args.who, args.amount, spend=args.spend)
        words = [translate(lang, "cli.partner.sale", **asdict(sale))]
        if sale.queued:
            words.append(translate(lang, "cli.partner.queued"))
        return WordsAndData(_data(sale), "\n".join(words))
    if action == "send":
        sent = partners.send(ctx)
        return WordsAndData(_data(sent), translate(lang, "cli.partner.sent", **asdict(sent)))
    if action == "close":
        info = partners.close_month(ctx, args.month)
        words = [translate(lang, "cli.partner.closed", month=args.month)]
        return WordsAndData(_data(info), "\n".join(words + _program_words(info, lang)))
    if action in ("settle", "statement", "ack"):
        if action == "settle":
            result = partners.settle(ctx, args.month)
        elif action == "statement":
            for path in (args.pdf, args.csv):
                if path is not None and not path.parent.is_dir():
                    from app.domain.errors import Refused

                    raise Refused("file.folder_missing", folder=str(path.parent))
            result = partners.write_statements(
                ctx, args.month, pdf=args.pdf, csv_file=args.csv, lang=lang
            )
        else:
            result = partners.acknowledge(ctx, args.month, with_shop=args.with_shop)
        words = _statement_words(result.statements, lang)
        if not result.statements:
            words = [translate(lang, "cli.partner.none", month=args.month)]
        if result.files:
            words.append(translate(lang, "cli.partner.files", files=", ".join(result.files)))
        return WordsAndData(_data(result), "\n".join(words))
    from app.domain.errors import Refused

    raise Refused("cli.usage", detail=f"unknown command: {key}")
