"""The central database: its address (password kept in the OS keyring), engine and schema."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import QueuePool
from sqlalchemy.util import queue as sa_queue

from app.db.base import BUSINESS_INFO

KEYRING_SERVICE = "dangol-sync"
PASSWORD_ENV = "DANGOL_SYNC_PASSWORD"
CONNECT_TIMEOUT_S = 5

_engines: dict[str, Engine] = {}  # per central URL, and per (URL, business)
_passwords: dict[str, str] = {}  # given at setup, for this process when there is no keyring
_lock = threading.Lock()
_prepared: set[str] = set()  # central URLs this process found (or made) up to date
# Connections: a register keeps none of the pool's between syncs (a chain of a hundred
# registers fits a stock server's max_connections = 100; with LISTEN on, the listener's is
# its one). A sync holds its one connection from its push to its pull (`held`); a check
# outside a sync (a redemption's balance, the doctor) gets its own and closes it after.
POOL_SIZE = 1
MAX_OVERFLOW = 4  # a redemption's check or the doctor beside a running sync
_holds: dict[str, int] = {}  # per URL: syncs running in this process
# per URL and register: server process ids of the register's connections in this process,
# with when they were last used. Keyed by the register too: several registers in one process
# (a test's, bench_chain's ten a process) share the URL's pool, and one's push is another's news
_backends: dict[tuple[str, str | None], dict[int, float]] = {}
_owner: ContextVar[str | None] = ContextVar("dangol_sync_owner", default=None)
OWN_NOTICE_WINDOW_S = 10.0  # a push's notice arrives within this of its commit


def split_password(url: str) -> tuple[str, str | None]:
    """The URL as it is kept in the settings (no password) and the password it carried."""
    parsed = make_url(url)
    password = parsed.password
    # URL.set(password=None) means "leave it as it is": build the URL again without it
    kept = URL.create(
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return kept.render_as_string(hide_password=False), (
        str(password) if password is not None else None
    )


def is_postgres(url: str) -> bool:
    try:
        return make_url(url).get_backend_name() == "postgresql"
    except Exception:
        return False


def with_driver(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _account(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.username or ''}@{parsed.host or ''}:{parsed.port or 5432}/{parsed.database}"


def save_password(url: str, password: str) -> bool:
    """Into the OS keyring; False when there is none (then $DANGOL_SYNC_PASSWORD is read)."""
    try:
        import keyring  # not every shop PC has a keyring backend

        keyring.set_password(KEYRING_SERVICE, _account(url), password)
        return True
    except Exception:
        return False


def load_password(url: str) -> str | None:
    if url in _passwords:
        return _passwords[url]
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, _account(url))
    except Exception:
        return None


def keyring_store() -> str:
    """Which password store the OS offers: 'windows' (the Credential Manager), 'macos' (the
    login keychain), another backend's own name (Secret Service, KWallet), or '' for none."""
    try:
        import keyring

        ring = keyring.get_keyring()
    except Exception:
        return ""
    module = type(ring).__module__
    if module.startswith("keyring.backends.Windows"):
        return "windows"
    if module.startswith("keyring.backends.macOS"):
        return "macos"
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return ""
    if module.startswith("keyring.backends.chainer") and not getattr(ring, "backends", None):
        return ""
    return str(getattr(ring, "name", "") or type(ring).__name__)


def password_source(url: str) -> str:
    """Where the password for url comes from when a register connects: 'env'
    ($DANGOL_SYNC_PASSWORD), 'keyring', 'session' (given to this process only, kept nowhere)
    or 'none' (the address needs none, or it is missing)."""
    if os.environ.get(PASSWORD_ENV):
        return "env"
    try:
        import keyring

        if keyring.get_password(KEYRING_SERVICE, _account(url)) is not None:
            return "keyring"
    except Exception:
        pass
    return "session" if url in _passwords else "none"


# the connection's business: the DEFAULT of every central table's business_id reads it, and
# every central read of the sync filters by it (app.sync.merge.business_of)
BUSINESS_SETTING = "dangol.business"


def central_engine(
    url: str, password: str | None = None, *, business: uuid.UUID | None = None
) -> Engine:
    """One pooled engine per central URL (and per business: its connections are set to it);
    fails fast when the server does not answer."""
    if password is not None:
        _passwords[url] = password
        forget_engine(url)
    key = url if business is None else f"{url}#{business}"
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            full = with_driver(url)
            password = load_password(url)
            if password is not None and full.password is None:
                full = full.set(password=password)
            # no pre-ping: a connection never waits in the pool outside a sync (closed when
            # returned), so the ping would only cost a round trip per step of a sync
            engine = create_engine(
                full,
                pool_size=POOL_SIZE,
                max_overflow=MAX_OVERFLOW,
                poolclass=_SyncPool,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
            )
            if business is not None:
                _set_business(engine, business)
            _watch_pool(engine, url)
            _engines[key] = engine
        return engine


def _set_business(engine: Engine, business: uuid.UUID) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", (BUSINESS_SETTING, str(business)))
        dbapi_connection.commit()
        record.info[BUSINESS_INFO] = business


_NEW_BUSINESS = (
    "WITH made AS (INSERT INTO businesses (business_id) VALUES (:b) RETURNING business_id) "
    "INSERT INTO sync_feed_heads (business_id, seq) SELECT business_id, 0 FROM made"
)


def new_business(connection: Any, business: uuid.UUID | None = None) -> uuid.UUID:
    """A business of its own on the central database (migration 0027), its feed at 0."""
    from sqlalchemy import text

    business = business or uuid.uuid4()
    connection.execute(text(_NEW_BUSINESS), {"b": business})
    return business


def drop_empty_business(url: str, business: uuid.UUID) -> bool:
    """Take back a business a failed setup created, if nothing of it reached the central
    database (its feed still at 0, no row pointing at it); a business with rows stays."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        with central_engine(url).begin() as connection:
            gone = connection.execute(
                text("DELETE FROM sync_feed_heads WHERE business_id = :b AND seq = 0"),
                {"b": business},
            ).rowcount
            if gone:  # another table's row still naming it refuses the delete (foreign key)
                connection.execute(
                    text("DELETE FROM businesses WHERE business_id = :b"), {"b": business}
                )
            return bool(gone)
    except DBAPIError:  # referenced, or the server is gone: it stays, as it was before
        return False


def _watch_pool(engine: Engine, url: str) -> None:
    def remember(dbapi_connection: Any) -> None:
        pid = getattr(getattr(dbapi_connection, "info", None), "backend_pid", None)
        if pid:
            pids = _backends.setdefault((url, _owner.get()), {})
            now = time.monotonic()
            pids[int(pid)] = now
            for old in [p for p, used in pids.items() if now - used > OWN_NOTICE_WINDOW_S]:
                pids.pop(old, None)

    @event.listens_for(engine, "checkout")
    def note_backend(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        remember(dbapi_connection)

    @event.listens_for(engine, "checkin")
    def close_unless_held(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is None:
            return
        remember(dbapi_connection)
        if not _holds.get(url):
            record.close()  # the record reconnects at its next checkout


@contextmanager
def held(url: str, owner: str | None = None) -> Iterator[None]:
    """A sync's steps share one connection; when the last sync of this process for the URL
    ends, the pool's connection is closed (none is kept between syncs). `owner` (the
    register) is who the connections taken meanwhile on this thread belong to (own_backend)."""
    with _lock:
        _holds[url] = _holds.get(url, 0) + 1
    token = _owner.set(owner)
    try:
        yield
    finally:
        _owner.reset(token)
        with _lock:
            _holds[url] -= 1
            last = _holds[url] == 0
            engines = [e for k, e in _engines.items() if k == url or k.startswith(f"{url}#")]
        if last:
            for engine in engines:  # the plain engine and the business's
                close_idle(engine)


class _SyncPool(QueuePool):
    """SQLAlchemy's queue pool that can close the connections waiting in it."""

    def close_idle(self) -> None:
        taken = []
        try:
            while True:  # each entry taken out of the queue, so no other thread gets it meanwhile
                try:
                    taken.append(self._pool.get(False))
                except sa_queue.Empty:
                    break
            for record in taken:
                record.close()  # the entry reconnects at its next checkout
        finally:
            for record in taken:
                self._pool.put(record, False)


def close_idle(engine: Engine) -> None:
    """Close the connections waiting in the engine's pool."""
    if isinstance(engine.pool, _SyncPool):
        engine.pool.close_idle()


def own_backend(url: str, pid: int, owner: str | None = None) -> bool:
    """Whether a server process id is one of the register's (`owner`, as given to `held`)
    recent connections to the URL in this process: a notice it sent itself by its own push."""
    used = _backends.get((url, owner), {}).get(pid)
    return used is not None and time.monotonic() - used <= OWN_NOTICE_WINDOW_S


def forget_engine(url: str) -> None:
    with _lock:
        keys = [k for k in _engines if k == url or k.startswith(f"{url}#")]
        engines = [_engines.pop(k) for k in keys]
        _prepared.discard(url)
    for engine in engines:
        engine.dispose()


SCHEMA_LOCK = "hashtext('dangol.schema')"


def prepare_central(url: str, *, newer_ok: bool = False) -> None:
    """Create or upgrade the central schema with the same migrations as the registers (so
    what a migration does to a register's rows, such as scrubbing a secret, it does to the
    central copies too). One register at a time: the others wait on an advisory lock.
    A central schema newer than this version is refused, or left alone with newer_ok."""
    from sqlalchemy import text

    from app.db import migrate
    from app.domain.errors import Refused

    engine = central_engine(url)
    with engine.connect() as lock:
        lock.execute(text(f"SELECT pg_advisory_lock({SCHEMA_LOCK})"))
        lock.commit()
        try:
            current = migrate.current_revision(engine)
            if current is not None and current not in migrate.known_revisions():
                if newer_ok:
                    return
                raise Refused("sync.server_newer", revision=current)
            if current != migrate.head_revision():
                migrate.upgrade(engine, central=True)
            _prepared.add(url)
        finally:
            lock.execute(text(f"SELECT pg_advisory_unlock({SCHEMA_LOCK})"))
            lock.commit()


def ensure_central(url: str) -> None:
    """Before a sync: the central schema is upgraded once a process, when it is behind."""
    if url not in _prepared:
        prepare_central(url, newer_ok=True)
