"""`dangol sync ...`: set up cloud sync, sync now, its status and what needs the owner's eye."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from app.i18n import default_language

Command = Callable[..., argparse.ArgumentParser]

TEXTS = {
    "ko": {
        "setup": "동기화 설정 완료: {url} · 매장 {store} · 계산대 {register} · "
        "올린 행 {uploaded:,}",
        "password_saved": "비밀번호는 운영체제 키링에 저장했습니다.",
        "password_env": "키링이 없어 비밀번호를 저장하지 않았습니다. DANGOL_SYNC_PASSWORD에 "
        "넣어 주세요.",
        "synced": "동기화 완료: 보냄 {pushed:,} · 받음 {pulled:,} · 병합 {merges} · 남은 변경 "
        "{pending:,}",
        "rejected": "중복으로 거부된 행 {rejected}건: 'dangol sync attention'에서 확인하세요.",
        "off": "동기화가 꺼져 있습니다 (이 계산대만 사용).",
        "in_sync": "동기화됨 · {url} · 마지막 성공 {last}",
        "waiting": "보낼 변경 {pending:,}건 · {url} · 마지막 성공 {last}",
        "error": "마지막 오류: {error}",
        "never": "없음",
        "nothing": "확인할 항목이 없습니다.",
        "negative_balance": "잔액 음수: {who} 포인트 {points:,} · 스탬프 {stamps}",
        "duplicate": "중복 거부: {table} {row}",
    },
    "en": {
        "setup": "Sync set up: {url} · store {store} · register {register} · "
        "{uploaded:,} rows uploaded",
        "password_saved": "The password is kept in the OS keyring.",
        "password_env": "No keyring here: the password was not kept. Put it in "
        "DANGOL_SYNC_PASSWORD.",
        "synced": "Synced: {pushed:,} sent · {pulled:,} received · {merges} merged · "
        "{pending:,} left",
        "rejected": "{rejected} rows refused as duplicates: see 'dangol sync attention'.",
        "off": "Sync is off (this register works alone).",
        "in_sync": "In sync · {url} · last success {last}",
        "waiting": "{pending:,} changes to send · {url} · last success {last}",
        "error": "Last error: {error}",
        "never": "never",
        "nothing": "Nothing needs attention.",
        "negative_balance": "Negative balance: {who} points {points:,} · stamps {stamps}",
        "duplicate": "Refused as duplicate: {table} {row}",
    },
}


def add_commands(command: Command) -> None:
    """Register `sync` and its actions with main's `command(name, help, sub)` helper."""
    top = command("sync", "cloud sync through PostgreSQL (no action: sync now)")
    sub = top.add_subparsers(dest="action", metavar="ACTION", parser_class=type(top))
    p = command("setup", "connect this register to the central PostgreSQL database", sub)
    p.add_argument("url", help="postgresql://user:password@host:5432/db?sslmode=require")
    p.add_argument("--store", metavar="NAME", help="the store this register belongs to")
    p.add_argument("--register", metavar="NAME", help="this register's name")
    command("status", "in sync? changes waiting, last success, last error", sub)
    command("attention", "negative balances and refused duplicates", sub)


@dataclass(frozen=True)
class SyncOutput:
    """What a sync command did, in the user's language."""

    kind: str
    result: Any
    lang: str

    def __str__(self) -> str:
        texts = TEXTS.get(self.lang, TEXTS["en"])
        return "\n".join(_LINES[self.kind](self.result, texts))


def sync_json(output: SyncOutput, encode: Any) -> Any:
    """The --json of a sync command: a list (attention) comes as {"items": [...]}."""
    if isinstance(output.result, list):
        return {"items": encode(output.result)}
    return encode(output.result)


def _setup_lines(r: Any, texts: dict[str, str]) -> list[str]:
    saved = texts["password_saved"] if r.password_saved else texts["password_env"]
    return [texts["setup"].format(**asdict(r)), saved]


def _now_lines(r: Any, texts: dict[str, str]) -> list[str]:
    lines = [texts["synced"].format(**asdict(r))]
    if r.rejected:
        lines.append(texts["rejected"].format(rejected=r.rejected))
    return lines


def _status_lines(r: Any, texts: dict[str, str]) -> list[str]:
    if not r.configured:
        return [texts["off"]]
    last = r.last_success.strftime("%Y-%m-%d %H:%M:%S UTC") if r.last_success else texts["never"]
    key = "in_sync" if r.in_sync else "waiting"
    lines = [texts[key].format(url=r.url, pending=r.pending, last=last)]
    if r.last_error:
        lines.append(texts["error"].format(error=r.last_error))
    return lines


def _attention_lines(items: Any, texts: dict[str, str]) -> list[str]:
    if not items:
        return [texts["nothing"]]
    lines = []
    for item in items:
        who = " ".join(x for x in (item.name_masked, item.phone_masked) if x) or str(
            item.customer_id
        )
        lines.append(
            texts[item.kind].format(
                who=who,
                points=item.points,
                stamps=item.stamps,
                table=item.detail.get("table", ""),
                row=item.detail.get("row", ""),
            )
        )
    return lines


_LINES = {
    "setup": _setup_lines,
    "now": _now_lines,
    "status": _status_lines,
    "attention": _attention_lines,
}


def run(shop: Any, key: str, args: argparse.Namespace) -> SyncOutput:
    """Dispatch `sync`, `sync setup`, `sync status`, `sync attention`."""
    lang = getattr(args, "lang", None) or default_language()
    action = ACTIONS.get(key, _now)
    return action(shop, args, lang)


def _setup(shop: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    result: Any = sync.setup_sync(shop, args.url, store=args.store, register=args.register)
    return SyncOutput("setup", result, lang)


def _status(shop: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("status", sync.sync_status(shop), lang)


def _attention(shop: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("attention", sync.needs_attention(shop), lang)


def _now(shop: Any, args: argparse.Namespace, lang: str) -> SyncOutput:
    from app.services import sync

    return SyncOutput("now", sync.sync_now(shop), lang)


# `sync` alone (or any other key) syncs now
ACTIONS = {"sync setup": _setup, "sync status": _status, "sync attention": _attention}
