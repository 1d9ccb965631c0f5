"""Shared fixtures: real SQLite files and a real PostgreSQL, one fresh schema per test."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.services.context import Context
    from tests.messaging.solapi_standin import SolapiStandIn

PG_BASE = os.environ.get("DANGOL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    connection = None
    try:
        # autocommit and an explicit close: the connection never outlives the check (a `with`
        # block commits first and, when that fails, leaves the connection for the collector)
        connection = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test",
            connect_timeout=10,
            autocommit=True,
        )
        return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    finally:
        if connection is not None:
            connection.close()


@pytest.fixture(scope="session")
def pg_available() -> bool:
    reason = _pg_reachable()
    if reason is None:
        return True
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI and is not reachable: {reason}")
    pytest.skip(f"PostgreSQL at 127.0.0.1:5432 not reachable: {reason}")


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "shop.sqlite")
    return str(request.getfixturevalue("pg_url"))


# A Thursday afternoon in Seoul, outside any campaign.
START = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 KST


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated and seeded at START, once a session: tests get copies of it."""
    from app.services.context import open_shop

    path = tmp_path_factory.mktemp("template") / "shop.sqlite"
    open_shop(str(path), now=START, use_env_clock=False).close()
    return path


def _fresh_copy(template: Path, target: Path) -> str:
    """The template at target (with its WAL files if any): what open_shop would have built."""
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return str(target)


@pytest.fixture
def ctx(db_url: str, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    from app.services.context import open_shop

    monkeypatch.delenv("DANGOL_NOW", raising=False)
    if not db_url.startswith("postgresql"):
        # a PostgreSQL schema cannot be copied cheaply: there every test still migrates
        _fresh_copy(migrated_sqlite, Path(db_url))
    ctx = open_shop(db_url, now=START)
    yield ctx
    ctx.close()


@pytest.fixture
def sqlite_ctx(
    tmp_path: Path, migrated_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Context]:
    from app.services.context import open_shop

    monkeypatch.delenv("DANGOL_NOW", raising=False)
    ctx = open_shop(_fresh_copy(migrated_sqlite, tmp_path / "shop.sqlite"), now=START)
    yield ctx
    ctx.close()


@pytest.fixture
def standin() -> Iterator[SolapiStandIn]:
    """A stand-in of Solapi's HTTP API on 127.0.0.1 (the SDK is pointed at its `url`)."""
    from tests.messaging.solapi_standin import SolapiStandIn

    api = SolapiStandIn().start()
    yield api
    api.stop()
