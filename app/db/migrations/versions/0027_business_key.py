"""the business as the leading key of every central table, and a change feed per business

The sync's central PostgreSQL only (migrated by app.sync.server.prepare_central, which says
so in the config's attributes; the table `businesses` marks a keyed database afterwards). On
SQLite, and in a shop's own database on PostgreSQL, one business is all there is: no change. Every table of the schema gets `business_id uuid NOT NULL` whose DEFAULT is the
connection's `dangol.business` setting (the central engine sets it when it connects), so an
INSERT or a COPY names no new column. Every primary key, unique key and index is rebuilt with
business_id first and every foreign key becomes (business_id, x_id) -> (business_id, id): a
distributed engine can shard by business and a push touches one shard.

The change feed is numbered per business: `sync_changes` keyed (business_id, seq), its
bigserial dropped; `sync_feed_heads` keeps each business's last number, taken with
UPDATE ... RETURNING under that row's lock (which serialises one business's pushes only).
`businesses` lists them. An upgraded central database that holds rows becomes ONE business (a
new id), its feed numbers kept, so its registers go on syncing from their watermarks.

Left as it is: `partner_programs`, a register's own copy of a coalition it joined (never
written centrally), whose `business_id` column already names the shop inside the coalition,
and the two foreign keys into it. The coalition's shared tables live in the `partner` schema.

Generic over the catalog (this file imports no live code): a later migration that adds a
table to the central schema must give it business_id in the same way.

Revision ID: 0027
Revises: 0026
"""

import uuid
from collections.abc import Sequence

from alembic import context, op
from sqlalchemy import text

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "business_id"
DEFAULT = "current_setting('dangol.business')::uuid"
NEW_TABLES = ("businesses", "sync_feed_heads")
LEFT_ALONE = ("alembic_version", "partner_programs")

_TABLES = (
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
)
# (table, constraint, type, columns, referenced table, referenced columns)
_CONSTRAINTS = (
    "SELECT r.relname, k.conname, k.contype, "
    "ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o) "
    "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o), "
    "f.relname, "
    "ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o) "
    "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o) "
    "FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = r.relnamespace LEFT JOIN pg_class f ON f.oid = k.confrelid "
    "WHERE n.nspname = current_schema() AND k.contype IN ('p', 'u', 'f') ORDER BY 1, 2"
)
_INDEXES = (
    "SELECT t.relname, x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
    "AND k.conrelid = i.indrelid) ORDER BY 1, 2"
)


def _cols(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _keyed_tables(bind) -> list[str]:
    skip = set(LEFT_ALONE) | set(NEW_TABLES)
    return [name for (name,) in bind.execute(text(_TABLES)) if name not in skip]


def _is_keyed(bind) -> bool:
    return bool(bind.execute(text("SELECT to_regclass('businesses') IS NOT NULL")).scalar())


def upgrade() -> None:
    bind = op.get_bind()
    # a shop's own database on PostgreSQL holds one business, like a register's SQLite file:
    # only the sync's central database (app.sync.server.prepare_central says so) is keyed
    if bind.dialect.name != "postgresql" or not context.config.attributes.get("dangol.central"):
        return
    tables = _keyed_tables(bind)
    holds_rows = any(
        bind.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{name}")')).scalar()
        for name in tables
        if name != "sync_clock"
    )
    business = uuid.uuid4() if holds_rows else None
    bind.execute(
        text(
            "CREATE TABLE businesses (business_id uuid PRIMARY KEY, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    )
    bind.execute(
        text(
            "CREATE TABLE sync_feed_heads (business_id uuid PRIMARY KEY "
            "REFERENCES businesses (business_id), seq bigint NOT NULL DEFAULT 0)"
        )
    )
    if business is not None:
        bind.execute(text("INSERT INTO businesses (business_id) VALUES (:b)"), {"b": business})
    constraints = bind.execute(text(_CONSTRAINTS)).all()
    indexes = bind.execute(text(_INDEXES)).all()
    # out of the way first: the foreign keys, then the keys and the indexes
    for owner, name, kind, *_ in constraints:
        if kind == "f" and owner in tables:
            bind.execute(text(f'ALTER TABLE "{owner}" DROP CONSTRAINT "{name}"'))
    for owner, name, kind, *_ in constraints:
        if kind in "pu" and owner in tables:
            bind.execute(text(f'ALTER TABLE "{owner}" DROP CONSTRAINT "{name}"'))
    for owner, name, _ in indexes:
        if owner in tables:
            bind.execute(text(f'DROP INDEX "{name}"'))
    for name in tables:
        # the rows there belong to the one business this database was (a constant default
        # fills them without rewriting the table), then new rows take the connection's
        if business is not None:
            bind.execute(
                text(
                    f'ALTER TABLE "{name}" ADD COLUMN {KEY} uuid NOT NULL '
                    f"DEFAULT '{business}'::uuid"
                )
            )
            bind.execute(text(f'ALTER TABLE "{name}" ALTER COLUMN {KEY} SET DEFAULT {DEFAULT}'))
        else:
            bind.execute(
                text(f'ALTER TABLE "{name}" ADD COLUMN {KEY} uuid NOT NULL DEFAULT {DEFAULT}')
            )
    # the feed: numbered per business from its head row, no sequence shared by all
    bind.execute(text("ALTER TABLE sync_changes ALTER COLUMN seq DROP DEFAULT"))
    bind.execute(text("DROP SEQUENCE IF EXISTS sync_changes_seq_seq"))
    if business is not None:
        bind.execute(
            text(
                "INSERT INTO sync_feed_heads (business_id, seq) "
                "SELECT :b, coalesce(max(seq), 0) FROM sync_changes"
            ),
            {"b": business},
        )
    for owner, name, kind, columns, *_ in constraints:
        if kind in "pu" and owner in tables:
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            bind.execute(
                text(
                    f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" '
                    f"{what} ({KEY}, {_cols(columns)})"
                )
            )
    for owner, _name, definition in indexes:
        if owner in tables:
            bind.execute(text(definition.replace(" USING btree (", f" USING btree ({KEY}, ", 1)))
    for owner, name, kind, columns, parent, parent_columns in constraints:
        if kind != "f" or owner not in tables:
            continue
        if parent in LEFT_ALONE:  # into a register's coalition copy: as it was
            bind.execute(
                text(
                    f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" FOREIGN KEY '
                    f'({_cols(columns)}) REFERENCES "{parent}" ({_cols(parent_columns)})'
                )
            )
            continue
        bind.execute(
            text(
                f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" FOREIGN KEY '
                f'({KEY}, {_cols(columns)}) REFERENCES "{parent}" ({KEY}, {_cols(parent_columns)})'
            )
        )
    for name in tables:  # the shard key reaches every row by a foreign key to its business
        bind.execute(
            text(
                f'ALTER TABLE "{name}" ADD CONSTRAINT "fk_{name}_business" FOREIGN KEY ({KEY}) '
                "REFERENCES businesses (business_id)"
            )
        )


def downgrade() -> None:
    """Back to one business per database: refused when the central one holds several."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not _is_keyed(bind):
        return
    count = bind.execute(text("SELECT count(*) FROM businesses")).scalar() or 0
    if count > 1:
        raise RuntimeError(f"the central database holds {count} businesses: no way back to one")
    tables = _keyed_tables(bind)
    constraints = [c for c in bind.execute(text(_CONSTRAINTS)).all() if c[0] in tables]
    indexes = [i for i in bind.execute(text(_INDEXES)).all() if i[0] in tables]
    for owner, name, kind, *_ in constraints:
        if kind == "f":
            bind.execute(text(f'ALTER TABLE "{owner}" DROP CONSTRAINT "{name}"'))
    for owner, name, kind, *_ in constraints:
        if kind in "pu":
            bind.execute(text(f'ALTER TABLE "{owner}" DROP CONSTRAINT "{name}"'))
    for _owner, name, _ in indexes:
        bind.execute(text(f'DROP INDEX "{name}"'))

    def without_key(columns: Sequence[str]) -> list[str]:
        return [c for c in columns if c != KEY]

    for name in tables:
        bind.execute(text(f'ALTER TABLE "{name}" DROP COLUMN {KEY}'))
    bind.execute(text("CREATE SEQUENCE sync_changes_seq_seq OWNED BY sync_changes.seq"))
    bind.execute(
        text(
            "SELECT setval('sync_changes_seq_seq', coalesce((SELECT max(seq) FROM sync_changes), "
            "0) + 1, false)"
        )
    )
    bind.execute(
        text(
            "ALTER TABLE sync_changes ALTER COLUMN seq SET DEFAULT nextval('sync_changes_seq_seq')"
        )
    )
    for owner, name, kind, columns, *_ in constraints:
        if kind in "pu":
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            bind.execute(
                text(
                    f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" '
                    f"{what} ({_cols(without_key(columns))})"
                )
            )
    for _owner, _name, definition in indexes:
        bind.execute(text(definition.replace(f" USING btree ({KEY}, ", " USING btree (", 1)))
    for owner, name, kind, columns, parent, parent_columns in constraints:
        if kind != "f" or parent in NEW_TABLES:
            continue
        bind.execute(
            text(
                f'ALTER TABLE "{owner}" ADD CONSTRAINT "{name}" FOREIGN KEY '
                f'({_cols(without_key(columns))}) REFERENCES "{parent}" '
                f"({_cols(without_key(parent_columns))})"
            )
        )
    bind.execute(text("DROP TABLE sync_feed_heads"))
    bind.execute(text("DROP TABLE businesses"))
