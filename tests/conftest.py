"""Shared fixtures: real SQLite files and a real PostgreSQL, one fresh schema per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

PG_BASE = os.environ.get("DANGOL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    """None when PostgreSQL answers, else why not."""
    import psycopg

    try:
        with psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3
        ):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


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
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return str(tmp_path / "shop.sqlite")
    return request.getfixturevalue("pg_url")  # type: ignore[no-any-return]


# A Thursday afternoon in Seoul, outside any campaign.
START = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)  # 14:00 KST


@pytest.fixture
def shop(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from app.services.context import open_shop

    monkeypatch.delenv("DANGOL_NOW", raising=False)
    shop = open_shop(db_url, now=START)
    yield shop
    shop.close()


@pytest.fixture
def sqlite_shop(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from app.services.context import open_shop

    monkeypatch.delenv("DANGOL_NOW", raising=False)
    shop = open_shop(str(tmp_path / "shop.sqlite"), now=START)
    yield shop
    shop.close()
