"""The coalition's shared tables in the central PostgreSQL (schema `partner`), no Qt.

Every key starts with the coalition id. What a shop sends here holds no personal data: an
account is a random id, a phone or a card is an HMAC keyed with the coalition's secret
(app/domain/partners.lookup_key), found only while the member's consent stands. The schema
is made here with CREATE ... IF NOT EXISTS (it is not one of the sync's migrated tables)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text

from app.domain import partners as rules

SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('dangol.partner.schema'))"

DDL = (
    "CREATE SCHEMA IF NOT EXISTS partner",
    """CREATE TABLE IF NOT EXISTS partner.coalitions (
        coalition_id uuid PRIMARY KEY,
        name text NOT NULL,
        point_value numeric(14, 4) NOT NULL CHECK (point_value > 0),
        earn_rate numeric(10, 6) NOT NULL CHECK (earn_rate >= 0),
        offline_limit integer NOT NULL CHECK (offline_limit >= 0),
        secret_check text NOT NULL,
        created_at timestamptz NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS partner.shops (
        coalition_id uuid NOT NULL REFERENCES partner.coalitions,
        business_id uuid NOT NULL,
        name text NOT NULL,
        joined_at timestamptz NOT NULL,
        closed_through text,
        PRIMARY KEY (coalition_id, business_id))""",
    """CREATE TABLE IF NOT EXISTS partner.accounts (
        coalition_id uuid NOT NULL REFERENCES partner.coalitions,
        account_id uuid NOT NULL,
        home_id uuid NOT NULL,
        consented boolean NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (coalition_id, account_id))""",
    """CREATE TABLE IF NOT EXISTS partner.account_keys (
        coalition_id uuid NOT NULL,
        lookup_key text NOT NULL,
        account_id uuid NOT NULL,
        PRIMARY KEY (coalition_id, lookup_key),
        FOREIGN KEY (coalition_id, account_id) REFERENCES partner.accounts)""",
    """CREATE TABLE IF NOT EXISTS partner.entries (
        coalition_id uuid NOT NULL,
        entry_id uuid NOT NULL,
        business_id uuid NOT NULL,
        account_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('earn', 'spend')),
        points integer NOT NULL CHECK (points > 0),
        month text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (coalition_id, entry_id),
        FOREIGN KEY (coalition_id, business_id) REFERENCES partner.shops,
        FOREIGN KEY (coalition_id, account_id) REFERENCES partner.accounts)""",
    "CREATE INDEX IF NOT EXISTS entries_account ON partner.entries (coalition_id, account_id)",
    "CREATE INDEX IF NOT EXISTS entries_month ON partner.entries (coalition_id, month)",
    """CREATE TABLE IF NOT EXISTS partner.statements (
        coalition_id uuid NOT NULL,
        shop_a uuid NOT NULL,
        shop_b uuid NOT NULL,
        month text NOT NULL,
        body text NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (coalition_id, shop_a, shop_b, month))""",
    """CREATE TABLE IF NOT EXISTS partner.acks (
        coalition_id uuid NOT NULL,
        shop_a uuid NOT NULL,
        shop_b uuid NOT NULL,
        month text NOT NULL,
        business_id uuid NOT NULL,
        hash text NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (coalition_id, shop_a, shop_b, month, business_id),
        FOREIGN KEY (coalition_id, shop_a, shop_b, month) REFERENCES partner.statements)""",
)


def ensure_schema(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text(SCHEMA_LOCK))
        for statement in DDL:
            connection.execute(text(statement))


# --- the coalition and its shops -------------------------------------------------------------


def create_coalition(
    c: Connection,
    coalition: uuid.UUID,
    name: str,
    terms: rules.Terms,
    secret_check: str,
    at: datetime,
) -> None:
    c.execute(
        text(
            "INSERT INTO partner.coalitions VALUES (:id, :name, :value, :rate, :limit, :check, :at)"
        ),
        {
            "id": coalition,
            "name": name,
            "value": terms.point_value,
            "rate": terms.earn_rate,
            "limit": terms.offline_limit,
            "check": secret_check,
            "at": at,
        },
    )


def coalition(c: Connection, coalition: uuid.UUID, *, lock: bool = False) -> dict[str, Any] | None:
    row = (
        c.execute(
            text(
                "SELECT * FROM partner.coalitions WHERE coalition_id = :id"
                + (" FOR UPDATE" if lock else "")
            ),
            {"id": coalition},
        )
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None


def add_shop(c: Connection, coalition: uuid.UUID, business: uuid.UUID, name: str, at: datetime):
    c.execute(
        text("INSERT INTO partner.shops VALUES (:c, :b, :name, :at, NULL)"),
        {"c": coalition, "b": business, "name": name, "at": at},
    )


def shops(c: Connection, coalition: uuid.UUID) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in c.execute(
            text("SELECT * FROM partner.shops WHERE coalition_id = :c ORDER BY joined_at, name"),
            {"c": coalition},
        ).mappings()
    ]


def close_through(c: Connection, coalition: uuid.UUID, business: uuid.UUID, month: str) -> None:
    c.execute(
        text(
            "UPDATE partner.shops SET closed_through = :m WHERE coalition_id = :c"
            " AND business_id = :b AND (closed_through IS NULL OR closed_through < :m)"
        ),
        {"c": coalition, "b": business, "m": month},
    )


# --- accounts and the consent ---------------------------------------------------------------


def put_account(
    c: Connection,
    coalition: uuid.UUID,
    account: uuid.UUID,
    home: uuid.UUID,
    consented: bool,
    at: datetime,
    keys: Iterable[str],
) -> None:
    """The account's consent as of `at` (a later word already here wins), and its keys."""
    c.execute(
        text(
            "INSERT INTO partner.accounts VALUES (:c, :a, :h, :ok, :at)"
            " ON CONFLICT (coalition_id, account_id) DO UPDATE SET consented = EXCLUDED.consented,"
            " changed_at = EXCLUDED.changed_at"
            " WHERE partner.accounts.changed_at <= EXCLUDED.changed_at"
        ),
        {"c": coalition, "a": account, "h": home, "ok": consented, "at": at},
    )
    for key in keys:
        c.execute(
            text(
                "INSERT INTO partner.account_keys VALUES (:c, :k, :a)"
                " ON CONFLICT (coalition_id, lookup_key)"
                " DO UPDATE SET account_id = EXCLUDED.account_id"
            ),
            {"c": coalition, "k": key, "a": account},
        )


def find_account(c: Connection, coalition: uuid.UUID, key: str) -> dict[str, Any] | None:
    """The consented account a lookup key names, with its home shop's name; None otherwise."""
    row = (
        c.execute(
            text(
                "SELECT a.account_id, a.home_id, s.name AS home_name FROM partner.account_keys k"
                " JOIN partner.accounts a USING (coalition_id, account_id)"
                " JOIN partner.shops s ON s.coalition_id = a.coalition_id"
                " AND s.business_id = a.home_id"
                " WHERE k.coalition_id = :c AND k.lookup_key = :k AND a.consented"
            ),
            {"c": coalition, "k": key},
        )
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None


def consented(c: Connection, coalition: uuid.UUID, account: uuid.UUID) -> bool:
    return bool(
        c.execute(
            text(
                "SELECT consented FROM partner.accounts WHERE coalition_id = :c AND account_id = :a"
            ),
            {"c": coalition, "a": account},
        ).scalar()
    )


# --- entries ----------------------------------------------------------------------------------


def put_entries(c: Connection, coalition: uuid.UUID, rows: Sequence[dict[str, Any]]) -> None:
    """Idempotent: an entry sent twice is stored once."""
    if rows:
        c.execute(
            text(
                "INSERT INTO partner.entries VALUES (:c, :id, :shop, :account, :kind, :points,"
                " :month, :at) ON CONFLICT DO NOTHING"
            ),
            [{"c": coalition, **row} for row in rows],
        )


def balance(c: Connection, coalition: uuid.UUID, account: uuid.UUID) -> int:
    return int(
        c.execute(
            text(
                "SELECT coalesce(sum(CASE kind WHEN 'earn' THEN points ELSE -points END), 0)"
                " FROM partner.entries WHERE coalition_id = :c AND account_id = :a"
            ),
            {"c": coalition, "a": account},
        ).scalar_one()
    )


def entries_upto(c: Connection, coalition: uuid.UUID, month: str) -> list[rules.Entry]:
    return [
        rules.Entry(
            entry_id=str(r.entry_id),
            account=str(r.account_id),
            shop=str(r.business_id),
            kind=r.kind,
            points=r.points,
            at=r.at,
            month=r.month,
        )
        for r in c.execute(
            text(
                "SELECT entry_id, account_id, business_id, kind, points, at, month"
                " FROM partner.entries WHERE coalition_id = :c AND month <= :m"
            ),
            {"c": coalition, "m": month},
        )
    ]


# --- statements --------------------------------------------------------------------------------


def statements(
    c: Connection, coalition: uuid.UUID, *, month: str | None = None
) -> list[dict[str, Any]]:
    """Stored statements (with who acknowledged them), oldest month first."""
    rows = c.execute(
        text(
            "SELECT s.*, coalesce((SELECT array_agg(a.business_id::text ORDER BY a.at)"
            " FROM partner.acks a WHERE a.coalition_id = s.coalition_id AND a.shop_a = s.shop_a"
            " AND a.shop_b = s.shop_b AND a.month = s.month AND a.hash = s.hash), '{}') AS acked"
            " FROM partner.statements s WHERE s.coalition_id = :c"
            + (" AND s.month <= :m" if month else "")
            + " ORDER BY s.month, s.shop_a, s.shop_b"
        ),
        {"c": coalition, "m": month},
    ).mappings()
    return [dict(r) for r in rows]


def put_statements(
    c: Connection, coalition: uuid.UUID, made: Sequence[rules.Statement], at: datetime
) -> None:
    c.execute(
        text(
            "INSERT INTO partner.statements VALUES (:c, :a, :b, :m, :body, :hash, :at)"
            " ON CONFLICT DO NOTHING"
        ),
        [
            {
                "c": coalition,
                "a": s.shop_a,
                "b": s.shop_b,
                "m": s.month,
                "body": s.body(),
                "hash": s.hash,
                "at": at,
            }
            for s in made
        ],
    )


def put_ack(
    c: Connection,
    coalition: uuid.UUID,
    statement: rules.Statement,
    business: uuid.UUID,
    hash_: str,
    at: datetime,
) -> None:
    c.execute(
        text(
            "INSERT INTO partner.acks VALUES (:c, :a, :b, :m, :who, :hash, :at)"
            " ON CONFLICT DO NOTHING"
        ),
        {
            "c": coalition,
            "a": statement.shop_a,
            "b": statement.shop_b,
            "m": statement.month,
            "who": business,
            "hash": hash_,
            "at": at,
        },
    )


def settle_lock(c: Connection, coalition: uuid.UUID) -> None:
    """One settlement of a coalition at a time."""
    c.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"partner:{coalition}"})


def as_decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
