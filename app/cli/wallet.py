"""`dangol wallet WHO`, `dangol wallet spend WHO --won N`, `dangol wallet topup WHO --won N
--ref REF`, and `dangol report wallet [YYYY-MM]`: the wallet (적립금, 선불 충전)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from app.cli.render import WordsAndData
from app.domain.errors import Refused
from app.domain.money import format_won, parse_won
from app.i18n import N_, default_language, translate

Command = Callable[..., argparse.ArgumentParser]
ACTIONS = ("spend", "topup")
HELP_KEYS = (
    N_("cli.help.wallet"),
    N_("cli.help.opt.wallet.words"),
    N_("cli.help.opt.wallet.won"),
    N_("cli.help.opt.wallet.ref"),
    N_("cli.help.opt.wallet.paid_with"),
    N_("cli.help.report.wallet"),
    N_("cli.help.opt.report.wallet.month"),
    N_("cli.help.opt.sale.wallet"),
)


def add_commands(command: Command) -> None:
    p = command("wallet", "a member's wallet (cashback, prepaid); spend from it or top it up")
    p.add_argument(
        "words", nargs="+", metavar="[spend|topup] WHO", help="the member, after the action if any"
    )
    p.add_argument("--won", type=parse_won, help="won to spend or to top up")
    p.add_argument("--ref", help="a top-up's payment reference (card approval or receipt number)")
    p.add_argument(
        "--paid-with",
        default="card",
        choices=("card", "cash", "transfer", "other", "wallet"),
        help="how the top-up was paid (never the wallet itself)",
    )


def _parse(args: argparse.Namespace) -> tuple[str, str]:
    words = list(args.words)
    if len(words) == 1:
        return "show", words[0]
    if len(words) == 2 and words[0] in ACTIONS:
        return words[0], words[1]
    raise Refused("cli.usage", detail="wallet: [spend|topup] WHO")


def run(ctx: Any, args: argparse.Namespace) -> WordsAndData:
    from app.services import wallet
    from app.services.customers import resolve_customer

    lang = getattr(args, "lang", None) or default_language()
    action, who = _parse(args)
    if action == "show":
        if args.won is not None or args.ref is not None:
            raise Refused("cli.usage", detail="wallet WHO: --won and --ref go with spend or topup")
        status = wallet.wallet_status(ctx, resolve_customer(ctx, who))
        return WordsAndData(_status_json(status), status_text(status, lang))
    if args.won is None:
        raise Refused("cli.usage", detail=f"wallet {action}: --won N is required")
    if action == "spend":
        if args.ref is not None:
            raise Refused("cli.usage", detail="wallet spend: --ref goes with topup")
        done = wallet.spend(ctx, resolve_customer(ctx, who), args.won)
        text = translate(
            lang,
            "cli.wallet.spent",
            won=format_won(done.won, lang),
            cashback=format_won(done.cashback_part, lang),
            prepaid=format_won(done.prepaid_part, lang),
        )
    else:
        if args.ref is None:
            raise Refused("wallet.ref_missing")
        done = wallet.topup(ctx, resolve_customer(ctx, who), args.won, args.ref, args.paid_with)
        text = translate(
            lang, "cli.wallet.topped_up", won=format_won(done.won, lang), ref=done.ref or ""
        )
    data = {
        "kind": done.kind,
        "customer_id": str(done.customer_id),
        "entries": [str(i) for i in done.entry_ids],
        "won": done.won,
        "cashback_part": done.cashback_part,
        "prepaid_part": done.prepaid_part,
        "ref": done.ref,
        "wallet": _status_json(done.wallet),
    }
    return WordsAndData(data, text + "\n" + status_text(done.wallet, lang))


def _status_json(status: Any) -> dict[str, Any]:
    return {
        "customer_id": str(status.customer_id),
        "cashback": status.cashback,
        "prepaid": status.prepaid,
        "total": status.total,
        "cashback_expiring_30d": status.expiring_soon,
        "prepaid_limit": status.prepaid_limit,
    }


def status_text(status: Any, lang: str) -> str:
    lines = [
        translate(lang, "cli.wallet.cashback", won=format_won(status.cashback, lang)),
        translate(lang, "cli.wallet.prepaid", won=format_won(status.prepaid, lang)),
    ]
    if status.expiring_soon:
        lines[0] += " " + translate(
            lang, "cli.wallet.expiring", won=format_won(status.expiring_soon, lang)
        )
    return "\n".join(lines)


def report(ctx: Any, args: argparse.Namespace) -> WordsAndData:
    from app.services import wallet

    lang = getattr(args, "lang", None) or default_language()
    figures = wallet.wallet_report(ctx, args.month)

    def purse(p: Any) -> dict[str, int]:
        return {
            "issued": p.issued,
            "spent": p.spent,
            "expired": p.expired,
            "returned": p.returned,
            "outstanding": p.outstanding,
        }

    data = {
        "month": figures.month,
        "cashback": purse(figures.cashback),
        "prepaid": purse(figures.prepaid),
        "members": figures.members,
        "liability_won": figures.liability_won,
    }
    title = (
        translate(lang, "cli.wallet.report_month", month=figures.month)
        if figures.month
        else translate(lang, "cli.wallet.report_all")
    )
    lines = [title]
    purses = (
        (N_("cli.wallet.report_cashback"), figures.cashback),
        (N_("cli.wallet.report_prepaid"), figures.prepaid),
    )
    for key, p in purses:
        lines.append(
            translate(
                lang,
                key,
                issued=format_won(p.issued, lang),
                spent=format_won(p.spent, lang),
                expired=format_won(p.expired, lang),
                returned=format_won(p.returned, lang),
                outstanding=format_won(p.outstanding, lang),
            )
        )
    lines.append(
        translate(
            lang,
            "cli.wallet.report_total",
            won=format_won(figures.liability_won, lang),
            members=f"{figures.members:,}",
        )
    )
    return WordsAndData(data, "\n".join(lines))
