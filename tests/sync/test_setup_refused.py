"""A `sync setup` that fails saves nothing and says so: no address kept, no audit entry
claiming a setup, no tracking left on, exit 2 with the refusal in the user's language."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from sqlalchemy import select

from app.db.models import AuditEntry, Setting, SyncClock, SyncOutbox
from app.domain.errors import Refused
from app.services import customers, sync
from tests.sync.conftest import CuttingProxy
from tests.sync.test_cli import dangol


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _left_behind(db) -> tuple[list[str], list[str]]:
    with sqlite3.connect(db) as connection:
        found = connection.execute("SELECT key FROM settings WHERE key LIKE 'sync.%'")
        keys = [r[0] for r in found]
        actions = [r[0] for r in connection.execute("SELECT action FROM audit_log")]
    return keys, [a for a in actions if a.startswith("sync")]


@pytest.mark.parametrize(("lang", "words"), [("ko", "설정하지 않았습니다"), ("en", "not set up")])
def test_setup_against_no_server_exits_2_and_saves_nothing(tmp_path, lang, words) -> None:
    db = tmp_path / "shop.sqlite"
    assert dangol(db, "init").returncode == 0
    url = f"postgresql://postgres:secret@127.0.0.1:{_closed_port()}/test"
    done = dangol(db, "--lang", lang, "sync", "setup", url)
    said = done.stderr + done.stdout
    assert done.returncode == 2, said
    assert words in done.stderr and "Traceback" not in said, said
    assert "once" not in said and "자동으로 맞춥니다" not in said, said  # no promise to sync later
    assert _left_behind(db) == ([], []), said
    status = dangol(db, "sync", "status")
    assert "off" in status.stdout, status.stdout


def test_setup_cut_during_the_upload_saves_nothing(
    registers, pg_url: str, proxy: CuttingProxy
) -> None:
    a = registers("A", setup=False)
    for i in range(30):
        customers.enroll(a, f"0105555{i:04d}")
    proxy.cut_after = 40_000  # past the schema check, inside the upload
    with pytest.raises(Refused) as refused:
        sync.setup_sync(a, pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
    assert refused.value.code == "sync.setup_failed", refused.value
    with a.db.read() as session:
        keys = list(session.scalars(select(Setting.key).where(Setting.key.like("sync.%"))))
        setups = list(
            session.scalars(select(AuditEntry.action).where(AuditEntry.action == "sync.setup"))
        )
        tracking = session.scalar(select(SyncClock.tracking))
        queued = session.scalar(select(SyncOutbox.seq).limit(1))
    assert (keys, setups, tracking, queued) == ([], [], 0, None)
    assert sync.configured_url(a) is None
    proxy.cut_after = None  # the same setup, now whole, works
    done = sync.setup_sync(a, pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
    assert done.uploaded > 30


def test_a_failed_setup_takes_back_the_business_it_created(
    registers, pg_url: str, proxy: CuttingProxy
) -> None:
    """`--new-business` creates a business centrally before the upload; when the upload is cut
    the business goes again (nothing points at it), while a business with rows stays."""
    from sqlalchemy import text

    from app.sync import server

    b = registers("B")  # the central's first business, with rows
    a = registers("A", setup=False)
    for i in range(30):
        customers.enroll(a, f"0105556{i:04d}")

    def businesses() -> set[str]:
        with server.central_engine(pg_url).connect() as connection:
            return {str(r) for r in connection.scalars(text("SELECT business_id FROM businesses"))}

    before = businesses()
    assert b.settings[sync.BUSINESS_KEY] in before
    proxy.cut_after = 40_000
    cut_url = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    with pytest.raises(Refused) as refused:
        sync.setup_sync(a, cut_url, new_business=True)
    assert refused.value.code == "sync.setup_failed", refused.value
    assert businesses() == before  # the new, empty business is gone again
    assert sync.BUSINESS_KEY not in a.settings or not a.settings[sync.BUSINESS_KEY]
    import uuid

    kept = uuid.UUID(b.settings[sync.BUSINESS_KEY])
    assert server.drop_empty_business(pg_url, kept) is False  # rows point at it: it stays
    assert businesses() == before
    proxy.cut_after = None
    done = sync.setup_sync(a, cut_url, new_business=True)
    assert done.business not in before and businesses() == before | {done.business}
