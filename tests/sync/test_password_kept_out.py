"""The sync password is never written down: not in the settings, not in the audit log,
not in what `sync setup` or `sync status` say (the server here trusts local connections,
so the password in the URL is carried and ignored, as a managed server's would be used)."""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import AuditEntry, Setting
from app.services import sync
from app.services.encoding import to_json
from app.sync import server

SECRET = "s3cret-pw"


def _with_password(pg_url: str) -> str:
    return pg_url.replace("postgres@", f"postgres:{SECRET}@", 1)


def test_split_password_really_takes_it_out() -> None:
    kept, password = server.split_password(
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:5432/test?sslmode=require"
    )
    assert password == SECRET
    assert SECRET not in kept
    assert kept == "postgresql+psycopg://postgres@127.0.0.1:5432/test?sslmode=require"


def test_setup_keeps_the_password_out_of_settings_audit_and_output(registers, pg_url) -> None:
    a = registers("A", setup=False)
    done = sync.setup_sync(a, _with_password(pg_url), store="본점", register="A")
    status = sync.sync_status(a)
    with a.db.read() as session:
        values = [str(v) for v in session.scalars(select(Setting.value))]
        audit = [f"{e.action} {e.detail}" for e in session.scalars(select(AuditEntry))]
    assert not [v for v in values if SECRET in v], values
    assert not [line for line in audit if SECRET in line], audit
    assert SECRET not in str(to_json(done, a)), done
    assert SECRET not in str(to_json(status, a)), status
