"""`dangol sync ...`: set up cloud sync, sync now, its status and what needs the owner's eye."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from app.i18n import default_language, translate, translate_plural

Command = Callable[..., argparse.ArgumentParser]


def add_commands(command: Command) -> None:
    """Register `sync` and its actions with main's `command(name, help, sub)` helper."""
    top = command("sync", "cloud sync through PostgreSQL (no action: sync now)")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top))
    p = command("setup", "connect this register to the central PostgreSQL database", sub)
    p.add_argument("url", help="postgresql://user:password@host:5432/db?sslmode=require")
    p.add_argument("--store", metavar="NAME", help="the store this register belongs to")
    p.add_argument("--register", metavar="NAME", help="this register's name")
    joined = p.add_mutually_exclusive_group()
    joined.add_argument(
        "--business",
        metavar="ID",
        help="join this business on a central database that holds several (its id, as another "
        "register's setup printed it)",
    )
    joined.add_argument(
        "--new-business",
        action="store_true",
        help="start a new business on a central database that already holds others",
    )
    command("status", "in sync? changes waiting, last success, last error", sub)
    command("attention", "negative balances and refused duplicates", sub)
    command(
        "doctor", "check connection, schema version, clock skew and lag (exit 1: a problem)", sub
    )


@dataclass(frozen=True)
class SyncOutput:
    """What a sync command did, in the user's language."""

    kind: str
    result: Any
    lang: str

    def __str__(self) -> str:
        return "\n".join(_LINES[self.kind](self.result, self.lang))

    @property
    def failed(self) -> bool:
        """A doctor that found a problem: the command exits 1."""
        return self.kind == "doctor" and not self.result.healthy


def sync_json(output: SyncOutput, encode: Any) -> Any:
    """The --json of a sync command: a list (attention) comes as {"items": [...]}."""
    if isinstance(output.result, list):
        return {"items": encode(output.result)}
    return encode(output.result)


def _setup_lines(r: Any, lang: str) -> list[str]:
    if r.password_saved:
        saved = translate(lang, "cli.sync.password_saved")
    else:
        saved = translate(lang, "cli.sync.password_env")
    lines = [translate(lang, "cli.sync.setup", **asdict(r)), saved]
    if r.business:
        lines.append(translate(lang, "cli.sync.business", business=r.business))
    return lines


def _now_lines(r: Any, lang: str) -> list[str]:
    lines = [translate(lang, "cli.sync.synced", **asdict(r))]
    if r.rejected:
        lines.append(
            translate_plural(
                lang,
                "cli.sync.rejected",
                "cli.sync.rejected_plural",
                r.rejected,
                rejected=r.rejected,
            )
        )
    return lines


def _status_lines(r: Any, lang: str) -> list[str]:
    if not r.configured:
        return [translate(lang, "cli.sync.off")]
    never = translate(lang, "cli.sync.never")
    last = r.last_success.strftime("%Y-%m-%d %H:%M:%S UTC") if r.last_success else never
    if r.in_sync:
        lines = [translate(lang, "cli.sync.in_sync", url=r.url, pending=r.pending, last=last)]
    else:
        lines = [
            translate_plural(
                lang,
                "cli.sync.waiting",
                "cli.sync.waiting_plural",
                r.pending,
                url=r.url,
                pending=r.pending,
                last=last,
            )
        ]
    if r.last_error:
        lines.append(translate(lang, "cli.sync.error", error=r.last_error))
    return lines


def _attention_lines(items: Any, lang: str) -> list[str]:
    if not items:
        return [translate(lang, "cli.sync.nothing")]
    from app.services import fraud

    lines = []
    for item in items:
        if item.kind in fraud.KINDS:  # a fraud guard or a low rating: its own sentence
            lines.append(fraud.describe(item, lang))
            continue
        who = " ".join(x for x in (item.name_masked, item.phone_masked) if x) or str(
            item.customer_id
        )
        lines.append(
            translate(
                lang,
                f"cli.sync.{item.kind}",
                who=who,
                points=item.points,
                stamps=item.stamps,
                table=item.detail.get("table", ""),
                row=item.detail.get("row", ""),
            )
        )
    return lines


def _doctor_lines(r: Any, lang: str) -> list[str]:
    lines = [translate(lang, "cli.sync.doctor.url", url=r.url)]
    for check in r.checks:
        mark = "OK " if check.ok else "!! "
        figures = dict(check.figures)
        if check.name == "password":  # the OS's password store, by its name on that OS
            store = {"windows": "windows", "macos": "macos", "-": "none"}.get(figures["store"])
            if store is not None:
                figures["store"] = translate(lang, f"cli.sync.doctor.store.{store}")
        lines.append(
            mark + translate(lang, f"cli.sync.doctor.{check.name}.{check.state}", **figures)
        )
    if r.healthy:
        lines.append(translate(lang, "cli.sync.doctor.healthy"))
    else:
        lines.append(translate(lang, "cli.sync.doctor.problems"))
    return lines


_LINES = {
    "doctor": _doctor_lines,
    "setup": _setup_lines,
    "now": _now_lines,
    "status": _status_lines,
    "attention": _attention_lines,
}


def run(ctx: Any, key: str, args: argparse.Namespace) -> SyncOutput:
    """Dispatch `sync`, `sync setup`, `sync status`, `sync attention`."""
    lang = getattr(args, "lang", None) or default_language()
    action = ACTIONS.get(key, _now)
    return action(ctx, args, lang)


def _setup(ctx: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    result: Any = sync.setup_sync(
        ctx,
        args.url,
        store=args.store,
        register=args.register,
        business=getattr(args, "business", None),
        new_business=bool(getattr(args, "new_business", False)),
    )
    return SyncOutput("setup", result, lang)


def _status(ctx: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("status", sync.sync_status(ctx), lang)


def _attention(ctx: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("attention", sync.needs_attention(ctx), lang)


def _doctor(ctx: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("doctor", sync.doctor(ctx), lang)


def _now(ctx: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("now", sync.sync_now(ctx), lang)


# `sync` alone (or any other key) syncs now
ACTIONS = {
    "sync setup": _setup,
    "sync status": _status,
    "sync attention": _attention,
    "sync doctor": _doctor,
}
