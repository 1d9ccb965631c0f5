"""`dangol wallet-card ...`: membership cards in the phone's wallet.

wallet-card google setup --issuer ID --key FILE [--program-name] [--colour] [--logo-url]
wallet-card google link WHO      the "Save to Google Wallet" link (a QR of it with --qr)
wallet-card google push          send the queued object updates now (the worker does it)
wallet-card google status [WHO]  the objects and where their updates stand
wallet-card apple setup --pass-type-id --team-id --cert FILE --key FILE --wwdr FILE
wallet-card apple pass WHO --out FILE.pkpass [--email ADDRESS]   (either or both)
wallet-card mail setup --host H --port N --from ADDRESS [--user U] [--no-starttls]
                                 the shop's SMTP server (password: DANGOL_SMTP_PASSWORD or asked)
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.render import WordsAndData
from app.domain.errors import Refused
from app.i18n import N_, default_language, translate

Command = Callable[..., argparse.ArgumentParser]

HELP_KEYS = (
    N_("cli.help.wallet_card"),
    N_("cli.help.wallet_card.google"),
    N_("cli.help.wallet_card.google.setup"),
    N_("cli.help.wallet_card.google.link"),
    N_("cli.help.wallet_card.google.push"),
    N_("cli.help.wallet_card.google.status"),
    N_("cli.help.wallet_card.apple"),
    N_("cli.help.wallet_card.apple.setup"),
    N_("cli.help.wallet_card.apple.pass"),
    N_("cli.help.opt.wallet_card.google.setup.issuer"),
    N_("cli.help.opt.wallet_card.google.setup.key"),
    N_("cli.help.opt.wallet_card.google.setup.program_name"),
    N_("cli.help.opt.wallet_card.google.setup.colour"),
    N_("cli.help.opt.wallet_card.google.setup.logo_url"),
    N_("cli.help.opt.wallet_card.google.setup.origin"),
    N_("cli.help.opt.wallet_card.google.setup.base_url"),
    N_("cli.help.opt.wallet_card.google.setup.token_url"),
    N_("cli.help.opt.wallet_card.google.link.qr"),
    N_("cli.help.opt.wallet_card.apple.setup.pass_type_id"),
    N_("cli.help.opt.wallet_card.apple.setup.team_id"),
    N_("cli.help.opt.wallet_card.apple.setup.cert"),
    N_("cli.help.opt.wallet_card.apple.setup.key"),
    N_("cli.help.opt.wallet_card.apple.setup.wwdr"),
    N_("cli.help.opt.wallet_card.apple.pass.out"),
    N_("cli.help.opt.wallet_card.apple.pass.email"),
    N_("cli.help.wallet_card.mail"),
    N_("cli.help.wallet_card.mail.setup"),
    N_("cli.help.opt.wallet_card.mail.setup.host"),
    N_("cli.help.opt.wallet_card.mail.setup.port"),
    N_("cli.help.opt.wallet_card.mail.setup.sender"),
    N_("cli.help.opt.wallet_card.mail.setup.user"),
    N_("cli.help.opt.wallet_card.mail.setup.starttls"),
)
KEPT_KEYS = (
    N_("cli.mobile_wallet.kept.keyring"),
    N_("cli.mobile_wallet.kept.file"),
    N_("cli.mobile_wallet.kept.memory"),
    N_("cli.mobile_wallet.class.created"),
    N_("cli.mobile_wallet.class.updated"),
    N_("cli.mobile_wallet.class.waiting"),
    N_("cli.mobile_wallet.mail_kept.keyring"),
    N_("cli.mobile_wallet.mail_kept.file"),
    N_("cli.mobile_wallet.mail_kept.memory"),
)
STATUS_KEYS = (
    N_("mobile_wallet.status.queued"),
    N_("mobile_wallet.status.sending"),
    N_("mobile_wallet.status.done"),
    N_("mobile_wallet.status.failed"),
)


def add_commands(command: Command) -> None:
    """Register `wallet-card` and its actions with main's `command(name, help, sub)` helper."""
    top = command("wallet-card", "membership cards in Google Wallet and Apple Wallet")
    kinds = top.add_subparsers(
        dest="action", metavar="WALLET", parser_class=type(top), required=True
    )
    google = command("google", "Google Wallet: setup, a member's link, updates", kinds)
    g = google.add_subparsers(dest="sub", metavar="ACTION", parser_class=type(top), required=True)
    p = command("setup", "the issuer id and the service account's key file (owner)", g)
    p.add_argument("--issuer", required=True, metavar="ID", help="the Google Wallet issuer id")
    p.add_argument("--key", required=True, type=Path, metavar="FILE", help="the key file (JSON)")
    p.add_argument("--program-name", help="the program's name on the card")
    p.add_argument("--colour", help="the card's colour, #RRGGBB")
    p.add_argument("--logo-url", help="the logo's public https address")
    p.add_argument("--origin", action="append", help="a web page that shows the save button")
    p.add_argument("--base-url", help=argparse.SUPPRESS)  # a test stand-in of the API
    p.add_argument("--token-url", help=argparse.SUPPRESS)
    p = command("link", 'a member\'s "Save to Google Wallet" link', g)
    p.add_argument("who", metavar="WHO")
    p.add_argument("--qr", type=Path, metavar="FILE.png", help="also a QR code of the link")
    command("push", "send the waiting card updates now", g)
    command("status", "the members' Google Wallet cards and their updates", g).add_argument(
        "who", nargs="?", metavar="WHO"
    )
    apple = command("apple", "Apple Wallet: setup, a member's .pkpass", kinds)
    a = apple.add_subparsers(dest="sub", metavar="ACTION", parser_class=type(top), required=True)
    p = command("setup", "the Pass Type ID certificate, its key and Apple's WWDR (owner)", a)
    p.add_argument("--pass-type-id", required=True, help="pass.com.example.shop")
    p.add_argument("--team-id", required=True, help="the 10-character team id")
    p.add_argument("--cert", required=True, type=Path, metavar="FILE", help="certificate (PEM)")
    p.add_argument("--key", required=True, type=Path, metavar="FILE", help="its key (PEM)")
    p.add_argument("--wwdr", required=True, type=Path, metavar="FILE", help="WWDR (PEM)")
    p = command("pass", "a member's signed store card (.pkpass)", a)
    p.add_argument("who", metavar="WHO")
    p.add_argument("--out", type=Path, metavar="FILE", help="the .pkpass to write")
    p.add_argument("--email", metavar="ADDRESS", help="e-mail it to the member (the shop's SMTP)")
    mail = command("mail", "the shop's e-mail server, for the passes sent by e-mail", kinds)
    m = mail.add_subparsers(dest="sub", metavar="ACTION", parser_class=type(top), required=True)
    p = command("setup", "the SMTP server, its user and the From address (owner)", m)
    p.add_argument("--host", required=True, help="the SMTP server's name")
    p.add_argument("--port", type=int, default=587, help="587 (STARTTLS), 465 (TLS) or 25")
    p.add_argument("--from", dest="sender", required=True, metavar="ADDRESS", help="From")
    p.add_argument("--user", default="", help="the sign-in name (none: no sign-in)")
    p.add_argument(
        "--no-starttls", dest="starttls", action="store_false", help="send without STARTTLS"
    )


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or default_language()


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise Refused("file.is_directory", path=str(path))
    if not path.is_file():
        raise Refused("file.not_found", path=str(path))
    return path.read_bytes()


def _writable(path: Path) -> Path:
    if path.is_dir():
        raise Refused("file.is_directory", path=str(path))
    if not path.parent.is_dir():
        raise Refused("file.folder_missing", folder=str(path.parent))
    return path


def run(ctx: Any, key: str, args: argparse.Namespace) -> WordsAndData:
    return ACTIONS[key](ctx, args, _lang(args))


def _google_setup(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet

    try:
        text = _read(args.key).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused("mobile_wallet.key_invalid", detail=str(exc)) from exc
    r = mobile_wallet.setup_google(
        ctx,
        args.issuer,
        text,
        program_name=args.program_name,
        colour=args.colour,
        logo_url=args.logo_url,
        base_url=args.base_url,
        token_url=args.token_url,
        origins=args.origin,
    )
    data = {
        "issuer_id": r.issuer_id,
        "class_id": r.class_id,
        "service_account": r.service_account,
        "secret_kept": r.secret_kept,
        "class": r.class_created,
    }
    lines = [
        translate(
            lang, "cli.mobile_wallet.google_setup", issuer=r.issuer_id, account=r.service_account
        ),
        translate(lang, f"cli.mobile_wallet.kept.{r.secret_kept}"),
        translate(lang, f"cli.mobile_wallet.class.{r.class_created}", class_id=r.class_id),
    ]
    return WordsAndData(data, "\n".join(lines))


def _google_link(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet
    from app.services.customers import resolve_customer

    qr = _writable(args.qr) if args.qr else None
    link = mobile_wallet.google_link(ctx, resolve_customer(ctx, args.who))
    data: dict[str, Any] = {
        "member_id": str(link.customer_id),
        "object_id": link.object_id,
        "url": link.url,
    }
    lines = [translate(lang, "cli.mobile_wallet.link"), link.url]
    if qr is not None:
        import qrcode

        with qr.open("wb") as out:
            qrcode.make(link.url, border=4).save(out)
        data["qr"] = str(qr)
        lines.append(translate(lang, "cli.mobile_wallet.qr_saved", file=str(qr)))
    return WordsAndData(data, "\n".join(lines))


def _google_push(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet

    if not mobile_wallet.google_configured(ctx):
        raise Refused("mobile_wallet.google_off")
    r = mobile_wallet.push_due(ctx)
    data = {
        "queued": r.queued,
        "sent": r.sent,
        "retrying": r.retrying,
        "failed": r.failed,
        "errors": r.errors,
    }
    lines = [
        translate(
            lang, "cli.mobile_wallet.pushed", sent=r.sent, retrying=r.retrying, failed=r.failed
        )
    ]
    lines += [f"  {e}" for e in r.errors[:5]]
    return WordsAndData(data, "\n".join(lines))


def _google_status(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet
    from app.services.customers import resolve_customer

    who = resolve_customer(ctx, args.who) if args.who else None
    rows = mobile_wallet.google_passes(ctx, who)
    items = [
        {
            "member_id": str(r.customer_id),
            "object_id": r.object_id,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "points": r.pushed_points,
            "tier": r.pushed_tier,
            "pushed_at": r.pushed_at.isoformat() if r.pushed_at else None,
        }
        for r in rows
    ]
    if not rows:
        return WordsAndData({"items": items}, translate(lang, "cli.mobile_wallet.none"))
    lines = [
        translate(
            lang,
            "cli.mobile_wallet.status_line",
            object_id=r.object_id,
            status=translate(lang, f"mobile_wallet.status.{r.status}"),
            points=r.pushed_points if r.pushed_points is not None else "-",
            tier=r.pushed_tier or "-",
        )
        + (f" ({r.last_error})" if r.last_error else "")
        for r in rows
    ]
    return WordsAndData({"items": items}, "\n".join(lines))


def _apple_setup(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet

    r = mobile_wallet.setup_apple(
        ctx, args.pass_type_id, args.team_id, _read(args.cert), _read(args.key), _read(args.wwdr)
    )
    data = {
        "pass_type_id": r.pass_type_id,
        "team_id": r.team_id,
        "certificate": r.certificate_subject,
        "not_after": r.not_after.isoformat(),
        "secret_kept": r.secret_kept,
    }
    lines = [
        translate(
            lang,
            "cli.mobile_wallet.apple_setup",
            pass_type_id=r.pass_type_id,
            team_id=r.team_id,
            until=r.not_after.date().isoformat(),
        ),
        translate(lang, f"cli.mobile_wallet.kept.{r.secret_kept}"),
    ]
    return WordsAndData(data, "\n".join(lines))


def _apple_pass(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    from app.services import mobile_wallet
    from app.services.customers import resolve_customer

    if args.out is None and args.email is None:
        raise Refused("mobile_wallet.pass_where")
    out = _writable(args.out) if args.out is not None else None
    who = resolve_customer(ctx, args.who)
    lines: list[str] = []
    data: dict[str, Any] = {"member_id": str(who), "serial": None, "file": None, "bytes": None}
    if args.email is not None:  # sent first: a refusal leaves no file behind either
        sent = mobile_wallet.email_apple_pass(ctx, who, args.email)
        data.update(serial=sent.serial, email=sent.address, message_id=sent.message_id)
        lines.append(translate(lang, "cli.mobile_wallet.apple_emailed", address=sent.address))
    if out is not None:
        r = mobile_wallet.apple_pass(ctx, who)
        out.write_bytes(r.data)
        data.update(serial=r.serial, file=str(out), bytes=len(r.data))
        lines.insert(0, translate(lang, "cli.mobile_wallet.apple_saved", file=str(out)))
    return WordsAndData(data, "\n".join(lines))


def _mail_setup(ctx: Any, args: argparse.Namespace, lang: str) -> WordsAndData:
    import os
    import sys

    from app.services import shop_mail

    password = os.environ.get("DANGOL_SMTP_PASSWORD")
    if password is None and args.user and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        password = getpass.getpass("SMTP password: ")
    r = shop_mail.setup_smtp(
        ctx,
        args.host,
        args.port,
        args.sender,
        user=args.user,
        password=password or "",
        starttls=args.starttls,
    )
    data = {
        "host": r.host,
        "port": r.port,
        "user": r.user,
        "starttls": r.starttls,
        "sender": r.sender,
        "secret_kept": r.secret_kept,
    }
    lines = [translate(lang, "cli.mobile_wallet.mail_setup", host=r.host, port=r.port)]
    if r.secret_kept != "none":
        lines.append(translate(lang, f"cli.mobile_wallet.mail_kept.{r.secret_kept}"))
    return WordsAndData(data, "\n".join(lines))


ACTIONS: dict[str, Callable[[Any, argparse.Namespace, str], WordsAndData]] = {
    "wallet-card google setup": _google_setup,
    "wallet-card google link": _google_link,
    "wallet-card google push": _google_push,
    "wallet-card google status": _google_status,
    "wallet-card apple setup": _apple_setup,
    "wallet-card apple pass": _apple_pass,
    "wallet-card mail setup": _mail_setup,
}
