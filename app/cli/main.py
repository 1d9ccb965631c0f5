"""The command line: how owners script Dangol and how a POS drives it (one door to the services)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from app.cli import render
from app.cli.files import os_refusal
from app.cli.help import argparse_words
from app.domain.errors import Refused
from app.domain.money import parse_won
from app.domain.program import read_program_text
from app.i18n import LANGUAGES, default_language, explain, translate
from app.services.customers import resolve_customer

EXIT_OK, EXIT_ERROR, EXIT_REFUSED = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as a refusal (exit 2) instead of exiting itself."""

    def error(self, message: str) -> NoReturn:
        raise Refused("cli.usage", detail=f"{self.prog}: {message}")


def _won(text: str) -> int:
    return parse_won(text)


def _int(text: str) -> int:
    try:
        return int(text.strip().replace(",", ""))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from exc


class _Version(argparse.Action):
    """`--version`: the version (first line), the database location and the bundled licences."""

    def __init__(self, option_strings: list[str], dest: str, db: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version, database, licences")
        self.db = db

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from app.services.setup import about_facts, about_lines

        print("\n".join(about_lines(about_facts(self.db))))
        parser.exit()


def build_parser(db: str | None = None, lang: str | None = None) -> Parser:
    """The whole command line; its help texts in `lang` (app/cli/help.py) when given."""
    common = Parser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help="SQLite file or SQLAlchemy URL (default: $DANGOL_DB or the user data folder)",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print one JSON object on stdout",
    )
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help="language of messages (default ko)",
    )

    parser = Parser(
        prog="dangol",
        parents=[common],
        description="Dangol (단골): the loyalty program at the counter.",
    )
    parser.add_argument("--version", action=_Version, db=db)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, help_text: str, sub_=sub) -> Parser:
        return sub_.add_parser(name, parents=[common], help=help_text)

    command("init", "create or upgrade the database")
    p = command("demo", "fill an empty database with a realistic demo shop")
    p.add_argument("--customers", type=_int, default=200)
    p.add_argument("--days", type=_int, default=90)

    program = command("program", "the loyalty program").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    command("show", "print the program as JSON", program)
    command("load", "validate a program file, then put it in force", program).add_argument(
        "file", type=Path
    )

    customer = command("customer", "members").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    p = command("add", "enroll a member", customer)
    p.add_argument("--phone", required=True)
    p.add_argument("--name")
    p.add_argument("--birthday", metavar="YYYY-MM-DD")
    p.add_argument("--marketing-consent", action="store_true")
    p.add_argument("--referrer", metavar="WHO")
    p.add_argument("--card", metavar="TOKEN", help="a blank card handed out at enrollment")
    command("find", "search by phone, last 4 digits, name or card", customer).add_argument("query")
    command("show", "a member's balances, tier and coupons", customer).add_argument("who")
    command("erase", "erase a member's personal data (ledger totals stay)", customer).add_argument(
        "who"
    )

    p = command("sale", "record today's purchase")
    p.add_argument("who")
    p.add_argument("--amount", type=_won, required=True)
    p.add_argument("--items", type=_int, default=1)
    p.add_argument(
        "--ref", help="the POS's receipt or approval number: the same ref again records nothing"
    )
    p.add_argument(
        "--wallet", type=_won, default=0, metavar="WON", help="won of it paid from the wallet"
    )
    p.add_argument(
        "--partner-spend",
        type=_int,
        default=0,
        metavar="POINTS",
        help="the coalition's partner points spent on it",
    )

    p = command("refund", "refund part (or the rest) of a POS sale, by its ref")
    p.add_argument("ref", metavar="REF")
    p.add_argument("--amount", type=_won, required=True)
    p.add_argument("--items", type=_int)
    p.add_argument("--ref", dest="refund_ref", metavar="REFUND_REF", required=True)

    p = command("redeem", "use points, the stamp reward or a coupon")
    p.add_argument("who")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--points", type=_int)
    how.add_argument("--stamps", action="store_true")
    how.add_argument("--coupon", metavar="CODE")

    command("void", "undo a sale or a redemption").add_argument("id")

    p = command("adjust", "owner's correction of points, with a reason")
    p.add_argument("who")
    p.add_argument("--points", type=_int, required=True)
    p.add_argument("--reason", required=True)

    coupon = command("coupon", "coupons").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    p = command("issue", "issue a coupon to a member", coupon)
    p.add_argument("who")
    p.add_argument("--kind", choices=["amount", "percent", "item"], required=True)
    p.add_argument("--value", type=_int, required=True)
    p.add_argument("--days", type=_int, required=True)

    command("ledger", "every entry of a member with the running balance").add_argument("who")
    command("run-daily", "expiry, tier evaluation and birthday bonuses (safe to repeat)")

    report = command("report", "reports").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    command("monthly", "one month's figures", report).add_argument("month", metavar="YYYY-MM")
    p = command("range", "month by month, e.g. a year", report)
    p.add_argument("first", metavar="YYYY-MM")
    p.add_argument("last", metavar="YYYY-MM")
    p = command("wallet", "the wallet: cashback and prepaid issued, spent, outstanding", report)
    p.add_argument("month", metavar="YYYY-MM", nargs="?", help="one month (default: all time)")

    export = command("export", "write a CSV").add_subparsers(
        dest="action", metavar="WHAT", parser_class=Parser, required=True
    )
    command("customers", "all active members", export).add_argument("file", type=Path)
    imp = command("import", "read a CSV").add_subparsers(
        dest="action", metavar="WHAT", parser_class=Parser, required=True
    )
    p = command("customers", "members from paper cards or another system", imp)
    p.add_argument("file", type=Path)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--skip-bad", action="store_true")

    p = command("backup", "a verified copy of the database (`backup purge --older-than DAYS`)")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--older-than",
        type=_int,
        metavar="DAYS",
        help="with `purge`: delete backups older than DAYS (0: all)",
    )
    command("restore", "replace the database with a backup").add_argument("file", type=Path)
    token = command("token", "scoped tokens for a POS (`DANGOL_TOKEN`)").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    p = command("create", "make a token (shown once)", token)
    p.add_argument("--name", required=True)
    p.add_argument("--scope", choices=["pos", "partner"], required=True)
    command("list", "every token, without the token itself", token)
    command("revoke", "stop a token at once", token).add_argument("which", metavar="ID_OR_NAME")
    p = command("serve", "the local HTTP API for the POS (until Ctrl+C)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_int, default=8765)
    p = command("tap", "pose as the receipt printer: pass every byte on, read each receipt")
    p.add_argument("--listen", default="127.0.0.1:9100", metavar="HOST:PORT")
    p.add_argument("--forward", required=True, metavar="HOST:PORT|DEVICE")
    pos_group = command("pos", "the POS bridge: tokens and pending sales").add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    command("pending", "POS sales waiting for a member", pos_group)
    pos_token = command("token", "tokens a POS sends (shown once)", pos_group).add_subparsers(
        dest="sub", metavar="ACTION", parser_class=Parser, required=True
    )
    command("add", "make a POS token (printed once)", pos_token).add_argument("name")
    command("list", "every POS token, without the token itself", pos_token)
    command("revoke", "stop a POS token at once", pos_token).add_argument("name")
    from app.cli import printing

    printing.add_commands(command)
    from app.cli import sync

    sync.add_commands(command)
    from app.cli import consent

    consent.add_commands(command)
    from app.cli import messages

    messages.add_commands(command)
    from app.cli import insight

    insight.add_commands(command)
    from app.cli import partner

    partner.add_commands(command)
    from app.cli import mobile_wallet

    mobile_wallet.add_commands(command)
    from app.cli import passes

    passes.add_commands(command)
    from app.cli import wallet

    wallet.add_commands(command)
    if lang is not None:
        from app.cli.help import localize

        localize(parser, lang)
    return parser


# --- running a command ---------------------------------------------------------------

Handler = Callable[[Any, argparse.Namespace], Any]


def _init(ctx: Any, args: argparse.Namespace) -> Any:
    return render.Init(ctx)


def _demo(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import demo

    result = demo.build_demo(ctx, args.customers, args.days)
    if not result.created:  # nothing was written: a refusal, not a success
        raise Refused("demo.has_members", customers=f"{result.customers:,}")
    return result


def _program_show(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import program

    return render.Raw(program.show_program(ctx))


def _program_load(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import program

    return render.Raw(program.load_program(ctx, _read_json(args.file)).to_json())


def _customer_add(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import customers

    return customers.enroll(
        ctx,
        args.phone,
        name=args.name,
        birthday=args.birthday,
        marketing_consent=args.marketing_consent,
        referrer_id=resolve_customer(ctx, args.referrer) if args.referrer else None,
        card_token=args.card,
        consent_source="cli",
    )


def _customer_find(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import customers

    return render.Found(customers.find_customers(ctx, args.query))


def _customer_show(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import customers

    return customers.customer_status(ctx, resolve_customer(ctx, args.who), log_view=True)


def _customer_erase(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import customers

    return render.Erased(customers.erase_customer(ctx, resolve_customer(ctx, args.who)))


def _sale(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import pos, sales

    sales.check_sale_input(args.amount, args.items)  # refused before the customer is looked up
    if args.ref is not None:  # the POS's number: idempotent, the same ref records nothing new
        posted = pos.post_sale(
            ctx,
            args.ref,
            args.amount,
            items=args.items,
            customer_id=resolve_customer(ctx, args.who),
            source="cli",
            token_name=ctx.token,
            from_wallet=args.wallet,
            partner_spend=args.partner_spend,
        )
        assert posted.sale is not None
        _push_partner(ctx, posted.sale)
        status = _status(ctx, posted.sale.customer_id)
        return render.Sold(posted.sale, status.name, status.phone_masked)
    sale = sales.record_sale(
        ctx,
        resolve_customer(ctx, args.who),
        args.amount,
        args.items,
        from_wallet=args.wallet,
        partner_spend=args.partner_spend,
    )
    _push_partner(ctx, sale)
    # who bought, masked, so the cashier can check it was the right member
    member = sale.status
    assert member is not None
    return render.Sold(sale, member.name, member.phone_masked)


def _push_partner(ctx: Any, sale: Any) -> None:
    """A sale's partner entries sent now (queued when the coalition cannot be reached)."""
    if sale.partner is not None and (sale.partner.earned or sale.partner.spent):
        from app.services import partners

        partners.push(ctx)


def _status(ctx: Any, customer_id: Any) -> Any:
    from app.services import customers

    return customers.customer_status(ctx, customer_id)


def _refund(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import pos

    return pos.refund(
        ctx, args.ref, args.refund_ref, args.amount, items=args.items, token_name=ctx.token
    )


def _pos_pending(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import pos

    return render.Pending(pos.pending_sales(ctx))


def _pos_token_add(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import tokens

    return tokens.create_token(ctx, args.name, "pos")


def _pos_token_revoke(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import tokens

    return tokens.revoke_token(ctx, args.name)


def _serve(ctx: Any, args: argparse.Namespace) -> Any:
    """The API until Ctrl+C (or SIGTERM): a line on stderr says where it listens."""
    from app.bridge.api import ApiServer

    if not 0 < args.port < 65536:
        raise Refused("api.bad_port", port=args.port)
    server = ApiServer(ctx, host=args.host, port=args.port)
    try:
        port = server.start()
    except OSError:
        raise Refused("api.cannot_listen", host=args.host, port=args.port) from None
    lang = getattr(args, "lang", None) or default_language()
    print(translate(lang, "cli.serve.listening", host=args.host, port=port), file=sys.stderr)
    _wait_for_stop()
    server.stop()
    return render.Stopped("serve", f"{args.host}:{port}")


def _tap(ctx: Any, args: argparse.Namespace) -> Any:
    import asyncio

    from app.bridge.receipts_in import post_receipt
    from app.bridge.tap import Address, Tap, is_device

    try:
        listen = Address.parse(args.listen)
        if not is_device(args.forward):
            Address.parse(args.forward)
    except ValueError:
        raise Refused("tap.bad_address", address=f"{args.listen} / {args.forward}") from None
    lang = getattr(args, "lang", None) or default_language()

    def on_receipt(data: bytes) -> None:
        outcome = post_receipt(ctx, data)
        print(
            translate(
                lang,
                "cli.tap.receipt",
                kind=translate(lang, f"cli.tap.kind.{outcome.kind}"),
                ref=outcome.ref or "-",
                amount=f"{outcome.amount:,}" if outcome.amount is not None else "-",
            ),
            file=sys.stderr,
            flush=True,
        )

    tap = Tap(listen, args.forward, on_receipt)

    async def run() -> None:
        try:
            await tap.start()
        except OSError:
            raise Refused("api.cannot_listen", host=listen.host, port=listen.port) from None
        print(
            translate(lang, "cli.tap.listening", listen=args.listen, forward=args.forward),
            file=sys.stderr,
            flush=True,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def wake() -> None:
            loop.call_soon_threadsafe(stop.set)

        _on_stop(wake)
        await stop.wait()
        await tap.close()

    asyncio.run(run())
    return render.Stopped("tap", args.listen)


def _on_stop(callback: Callable[[], None]) -> None:
    import signal

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: callback())


def _wait_for_stop() -> None:
    import threading

    stopped = threading.Event()
    _on_stop(stopped.set)
    while not stopped.wait(0.5):
        pass


def _redeem(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import redemptions

    if args.points is not None:
        return redemptions.redeem_points(ctx, resolve_customer(ctx, args.who), args.points)
    if args.stamps:
        return redemptions.redeem_stamps(ctx, resolve_customer(ctx, args.who))
    return redemptions.redeem_coupon(ctx, resolve_customer(ctx, args.who), args.coupon)


def _void(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import partners, sales

    voided = sales.void_action(ctx, args.id)
    if voided.partner is not None:  # the void's partner entries, sent now (or queued)
        partners.push(ctx)
    return voided


def _adjust(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import owner

    return owner.adjust_points(ctx, resolve_customer(ctx, args.who), args.points, args.reason)


def _coupon_issue(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import owner

    return owner.issue_coupon(
        ctx, resolve_customer(ctx, args.who), args.kind, args.value, args.days
    )


def _ledger(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import customers, owner

    customer_id, lines = owner.ledger_lines(ctx, resolve_customer(ctx, args.who))
    usable = customers.customer_status(ctx, customer_id).points
    return render.Ledger(customer_id, lines, usable)


def _run_daily(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import daily

    return daily.run_daily(ctx)


def _report_monthly(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import reports

    return reports.monthly_report(ctx, args.month)


def _report_range(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import reports

    return render.Months(reports.range_report(ctx, args.first, args.last))


def _export_customers(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import transfer

    if args.file.exists() and not args.file.is_dir():
        raise Refused("file.exists", path=str(args.file))
    target = _writable(args.file)
    try:
        return render.Exported(transfer.export_customers(ctx, target), str(args.file))
    except OSError as exc:  # a disk full half-way: no half file left, the reason in words
        target.unlink(missing_ok=True)
        raise os_refusal(exc, target) or exc from exc


def _import_customers(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import transfer

    return transfer.import_customers(
        ctx, _existing(args.file), dry_run=args.dry_run, skip_bad=args.skip_bad
    )


def _backup(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import backup

    if _is_purge(args):
        return _backup_purge(ctx, args)
    if args.older_than is not None:
        raise Refused("cli.usage", detail="backup: --older-than goes with `backup purge`")
    return backup.backup(ctx, args.file)


def _is_purge(args: argparse.Namespace) -> bool:
    return args.command == "backup" and str(args.file) == "purge"


def _backup_purge(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import backup_schedule

    if args.older_than is None:
        raise Refused("cli.usage", detail="backup purge: --older-than DAYS is required")
    return backup_schedule.purge_backups(ctx, args.older_than)


def _token_create(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import tokens

    return tokens.create_token(ctx, args.name, args.scope)


def _token_list(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import tokens

    return tokens.list_tokens(ctx)


def _token_revoke(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import tokens

    return tokens.revoke_token(ctx, args.which)


def _restore(ctx: Any, args: argparse.Namespace) -> Any:
    from app.services import backup

    return backup.restore(ctx, _existing(args.file))


def _print(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import printing

    return printing.run(ctx, _key(args), args)


def _sync(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import sync

    return sync.run(ctx, _key(args), args)


def _consent(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import consent

    return consent.run(ctx, _key(args), args)


def _pass(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import passes

    return passes.run(ctx, _key(args), args)


def _wallet(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import wallet

    return wallet.run(ctx, args)


def _report_wallet(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import wallet

    return wallet.report(ctx, args)


def _messages(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import messages

    return messages.run(ctx, _key(args), args)


def _insight(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import insight

    return insight.run(ctx, _key(args), args)


def _partner(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import partner

    return partner.run(ctx, _key(args), args)


def _mobile_wallet(ctx: Any, args: argparse.Namespace) -> Any:
    from app.cli import mobile_wallet

    return mobile_wallet.run(ctx, _key(args), args)


# "command action" (or the command alone) -> its handler; print and sync dispatch their actions
COMMANDS: dict[str, Handler] = {
    "init": _init,
    "demo": _demo,
    "program show": _program_show,
    "program load": _program_load,
    "customer add": _customer_add,
    "customer find": _customer_find,
    "customer show": _customer_show,
    "customer erase": _customer_erase,
    "sale": _sale,
    "redeem": _redeem,
    "void": _void,
    "adjust": _adjust,
    "coupon issue": _coupon_issue,
    "ledger": _ledger,
    "run-daily": _run_daily,
    "report monthly": _report_monthly,
    "report range": _report_range,
    "report wallet": _report_wallet,
    "wallet": _wallet,
    "export customers": _export_customers,
    "import customers": _import_customers,
    "backup": _backup,
    "restore": _restore,
    "refund": _refund,
    "serve": _serve,
    "tap": _tap,
    "pos pending": _pos_pending,
    "pos token add": _pos_token_add,
    "pos token list": _token_list,
    "pos token revoke": _pos_token_revoke,
    "token create": _token_create,
    "token list": _token_list,
    "token revoke": _token_revoke,
}
GROUPS: dict[str, Handler] = {
    "print": _print,
    "sync": _sync,
    "consent": _consent,
    "messages": _messages,
    "segment": _insight,
    "experiment": _insight,
    "kpi": _insight,
    "lunar-birthday": _insight,
    "partner": _partner,
    "wallet-card": _mobile_wallet,
    "pass": _pass,
}
# what only an owner may do in the window: once an owner PIN is set, the CLI asks for it
OWNER_ONLY = frozenset(
    {
        "adjust",
        "customer erase",
        "export customers",
        "restore",
        "program load",
        "sync setup",
        "coupon issue",
        "token create",
        "token list",
        "token revoke",
        "backup purge",
        "pos token add",
        "pos token list",
        "pos token revoke",
        "messages setup",
        "messages rules",
        "messages template set",
        "messages template submit",
        "messages announce",
        "segment save",
        "segment coupons",
        "experiment create",
        "partner create",
        "partner join",
        "partner close",
        "partner settle",
        "partner ack",
        "wallet-card google setup",
        "wallet-card apple setup",
        "wallet-card mail setup",
        "pass report",
    }
)


def _key(args: argparse.Namespace) -> str:
    parts = [args.command, getattr(args, "action", None), getattr(args, "sub", None)]
    return " ".join(part for part in parts if part)


def _run(ctx: Any, args: argparse.Namespace) -> Any:
    key = _key(args)
    handler = COMMANDS.get(key) or GROUPS.get(args.command)
    if handler is None:
        raise Refused("cli.usage", detail=f"unknown command: {key}")
    if _is_purge(args):
        key = "backup purge"
    token = os.environ.get("DANGOL_TOKEN")
    if token:  # a scoped token: only what its scope holds, whatever the PIN
        from app.services import staff

        staff.authorize(ctx, token, key)
        if ctx.token is None:  # DANGOL_TOKEN that is no token at all
            raise Refused("token.unknown")
    elif key in OWNER_ONLY:
        _act_as_owner(ctx, key)
    return handler(ctx, args)


def _act_as_owner(ctx: Any, key: str) -> None:
    """The one check before an owner-only command: the owner's PIN, then act as that owner."""
    from app.services import staff

    if not staff.owner_pin_set(ctx):
        return  # a shop without an owner PIN behaves as before
    credential = os.environ.get("DANGOL_PIN")
    if credential is None and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        credential = getpass.getpass("PIN: ")
    if credential is not None and credential.strip().startswith("dgl_"):
        raise Refused("cli.owner_pin")  # a token is never an owner's PIN
    staff.authorize(ctx, credential, key, owner_only=True)


def _existing(path: Path) -> Path:
    if path.is_dir():
        raise Refused("file.is_directory", path=str(path))
    if not path.is_file():
        raise Refused("file.not_found", path=str(path))
    return path


def _writable(path: Path) -> Path:
    """A new output file: its folder must exist (it is not made), and it is not a folder."""
    if path.is_dir():
        raise Refused("file.is_directory", path=str(path))
    if not path.parent.is_dir():
        raise Refused("file.folder_missing", folder=str(path.parent))
    return path


def _os_refusal(exc: OSError) -> Refused | None:
    """A file the person named that the system refuses: a refusal in words, not a crash."""
    return os_refusal(exc)


def _read_json(path: Path) -> object:
    try:
        text = _existing(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused("program.file_invalid", detail=str(exc)) from exc
    return read_program_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _early_lang(argv)
    try:
        with argparse_words(lang):
            parser = build_parser(_early_value(argv, "--db"), lang)
            try:
                args = parser.parse_args(argv)
            except SystemExit as done:  # --help, --version: printed, the exit code returned
                return done.code if isinstance(done.code, int) else EXIT_OK
            if not args.command:
                parser.print_help()
                return EXIT_OK
        lang = getattr(args, "lang", None) or lang
        from app.services.context import open_shop

        ctx = open_shop(getattr(args, "db", None), create=args.command in ("init", "demo"))
        try:
            result = _run(ctx, args)
            code = render.exit_code(result)
            if getattr(args, "json", False):
                print(json.dumps(render.as_json(result, ctx), ensure_ascii=False, default=str))
            # a refused result (an import with bad rows) gives its reasons on stderr
            if code == EXIT_REFUSED:
                print(render.as_text(result, ctx, lang), file=sys.stderr)
            elif not getattr(args, "json", False):
                print(render.as_text(result, ctx, lang))
            return code
        finally:
            ctx.close()
    except Refused as refused:
        if refused.code == "cli.usage":
            print(render.usage(str(refused.params.get("detail", "")), lang), file=sys.stderr)
        else:
            print(explain(refused, lang), file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return EXIT_ERROR
    except OSError as exc:
        named = _os_refusal(exc)
        if named is None:
            print(render.unexpected(exc, lang), file=sys.stderr)
            return EXIT_ERROR
        print(explain(named, lang), file=sys.stderr)
        return EXIT_REFUSED
    except Exception as exc:  # anything else: a short sentence, the details for the log
        print(render.unexpected(exc, lang), file=sys.stderr)
        if "DANGOL_DEBUG" in os.environ:
            traceback.print_exc()
        return EXIT_ERROR


def _early_value(argv: list[str], option: str) -> str | None:
    """An option's value before parsing (`--db X` or `--db=X`), wherever it stands."""
    for i, arg in enumerate(argv):
        if arg == option and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _early_lang(argv: list[str]) -> str:
    """The language before parsing, so that usage errors are in it too: --lang, DANGOL_LANG,
    then the shop's `language` setting (read, never created or upgraded; not for help)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    if "DANGOL_LANG" in os.environ or not argv or {"-h", "--help", "--version"} & set(argv):
        return default_language()
    from app.services.context import shop_language

    shop = shop_language(_early_value(argv, "--db"))
    return shop if shop in LANGUAGES else default_language()


if __name__ == "__main__":
    sys.exit(main())
