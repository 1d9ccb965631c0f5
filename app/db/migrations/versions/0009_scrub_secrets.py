"""scrub secrets: the sync password older versions left in saved URLs and sync.setup rows

Before 0.x the sync address was saved with its password still inside (`URL.set(password=None)`
keeps it), in the `sync.url` setting and in the detail of the `sync.setup` audit row. This
revision takes the password out of both, on a register's SQLite file and on the central
PostgreSQL alike (the central schema is upgraded by the same migrations).

The audit rows are hash-chained. A scrubbed row keeps its hash, so the next row's link, the
running count and last hash in the settings, in every backup and on the central server stay
true; its detail gains `"scrubbed": {"seal": ...}`, the sha256 of "scrubbed:<kept hash>:<the
row's hash computed over its scrubbed detail>", which the chain's check accepts for the
actions that may be scrubbed (`sync.setup`) only. The same row scrubbed on two databases gets
the same detail and seal (nothing here depends on the moment or the database).

On SQLite, secure_delete is on while the rows change, so the old bytes are zeroed in the
file rather than left in free space. A register whose saved URL carried the password puts it
in the OS keyring (when the keyring has none for that account) so sync keeps working; without
a keyring, $DANGOL_SYNC_PASSWORD (or `sync setup` again) provides it.

The hash rule, the URL rule and the keyring's names are frozen here, as they were when this
revision was written. downgrade() puts nothing back: a secret is not restored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import URL, make_url

from app.db.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYRING_SERVICE = "dangol-sync"
SCRUBBABLE = ("sync.setup",)
# user:password@ after the scheme, for a URL the parser cannot read
_USERINFO = re.compile(r"(?P<head>://[^/:@?#]*):[^@/?#]*@")

audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Uuid()),
    sa.column("at", UTCDateTime()),
    sa.column("staff_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("target_id", sa.String()),
    sa.column("detail", sa.Text()),
    sa.column("register_id", sa.Uuid()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
settings = sa.table("settings", sa.column("key", sa.String()), sa.column("value", sa.Text()))


def without_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None: there was none)."""
    try:
        parsed = make_url(url)
    except Exception:
        match = _USERINFO.search(url)
        if match is None:
            return url, None
        secret = url[match.end("head") + 1 : match.end() - 1]
        return _USERINFO.sub(r"\g<head>@", url, count=1), secret
    if parsed.password is None:
        return url, None
    kept = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return kept.render_as_string(hide_password=False), str(parsed.password)


def _account(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.username or ''}@{parsed.host or ''}:{parsed.port or 5432}/{parsed.database}"


def _digest(row: sa.Row[tuple[object, ...]], detail: str | None) -> str:
    payload = json.dumps(
        [
            str(row.id),
            row.at.astimezone(UTC).isoformat(),
            str(row.staff_id) if row.staff_id else None,
            row.action,
            row.target_id,
            detail,
            str(row.register_id) if row.register_id else None,
            row.prev_hash,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _scrubbed_detail(row: sa.Row[tuple[object, ...]]) -> tuple[str, list[str]] | None:
    """The row's new detail (with its seal) and the secrets taken out; None: nothing to do."""
    try:
        detail = json.loads(str(row.detail))
    except ValueError:
        return None
    if not isinstance(detail, dict) or not isinstance(detail.get("url"), str):
        return None
    url, secret = without_password(detail["url"])
    if secret is None:
        return None
    detail = {key: value for key, value in detail.items() if key != "scrubbed"}
    detail["url"] = url
    now = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    seal = hashlib.sha256(f"scrubbed:{row.hash}:{_digest(row, now)}".encode()).hexdigest()
    detail["scrubbed"] = {"seal": seal}
    return json.dumps(detail, ensure_ascii=False, sort_keys=True), [secret]


def _keep_in_keyring(url: str, secret: str) -> None:
    """Where the password belongs; a PC without a keyring uses $DANGOL_SYNC_PASSWORD."""
    try:
        import keyring

        if keyring.get_password(KEYRING_SERVICE, _account(url)) is None:
            keyring.set_password(KEYRING_SERVICE, _account(url), secret)
    except Exception:
        return


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    secrets: set[str] = set()
    for key, value in bind.execute(
        sa.select(settings.c.key, settings.c.value).where(settings.c.key.like("sync.%"))
    ).all():
        try:
            url = json.loads(value)
        except ValueError:
            continue
        if not isinstance(url, str) or "://" not in url:
            continue
        kept, secret = without_password(url)
        if secret is None:
            continue
        secrets.add(secret)
        bind.execute(
            settings.update()
            .where(settings.c.key == key)
            .values(value=json.dumps(kept, ensure_ascii=False))
        )
        if sqlite and key == "sync.url":
            _keep_in_keyring(kept, secret)
    rows = bind.execute(sa.select(audit_log).where(audit_log.c.action.in_(SCRUBBABLE))).all()
    for row in rows:
        if not row.detail:
            continue
        done = _scrubbed_detail(row)
        if done is None:
            continue
        detail, found = done
        secrets.update(found)
        bind.execute(audit_log.update().where(audit_log.c.id == row.id).values(detail=detail))
    # a password copied into another sync setting (an error text, say) goes too
    for secret in (s for s in secrets if len(s) >= 4):
        for key, value in bind.execute(
            sa.select(settings.c.key, settings.c.value).where(settings.c.key.like("sync.%"))
        ).all():
            if secret in value:
                bind.execute(
                    settings.update()
                    .where(settings.c.key == key)
                    .values(value=value.replace(secret, "***"))
                )
    if sqlite:
        bind.exec_driver_sql("PRAGMA secure_delete = OFF")


def downgrade() -> None:
    """Nothing to undo: the password is not put back."""
