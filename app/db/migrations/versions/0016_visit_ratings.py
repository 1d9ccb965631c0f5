"""visit ratings and the staff member's own membership

The customer's 0–10 answer after a sale (one per sale; synced with its change triggers,
so a comment cleared with its member is cleared on every register), and staff.customer_id:
the owner links a staff member to their own membership, so earning on it is shown in "needs
attention". The column is added without rebuilding the table (a batch operation would
drop the sync triggers) and the change trigger of staff is re-created for it.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db.base import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# app/sync/tracking.py's change trigger of staff for its columns after and before this
# revision, frozen: a migration runs the same SQL forever, whatever the live code becomes.
EDIT_TRIGGER = "CREATE TRIGGER sync_edit_staff AFTER UPDATE ON staff WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'store_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"store_id\" IS NOT NEW.\"store_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'store_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"store_id\" IS NOT NEW.\"store_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'name', hlc FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'name', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'role', hlc FROM sync_clock WHERE id = 1 AND OLD.\"role\" IS NOT NEW.\"role\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'role', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"role\" IS NOT NEW.\"role\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'pin_hash', hlc FROM sync_clock WHERE id = 1 AND OLD.\"pin_hash\" IS NOT NEW.\"pin_hash\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'pin_hash', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"pin_hash\" IS NOT NEW.\"pin_hash\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'active', hlc FROM sync_clock WHERE id = 1 AND OLD.\"active\" IS NOT NEW.\"active\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'active', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"active\" IS NOT NEW.\"active\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'created_at', hlc FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'created_at', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'register_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'register_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'customer_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'customer_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; END"
OLD_EDIT_TRIGGER = "CREATE TRIGGER sync_edit_staff AFTER UPDATE ON staff WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'store_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"store_id\" IS NOT NEW.\"store_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'store_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"store_id\" IS NOT NEW.\"store_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'name', hlc FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'name', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"name\" IS NOT NEW.\"name\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'role', hlc FROM sync_clock WHERE id = 1 AND OLD.\"role\" IS NOT NEW.\"role\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'role', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"role\" IS NOT NEW.\"role\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'pin_hash', hlc FROM sync_clock WHERE id = 1 AND OLD.\"pin_hash\" IS NOT NEW.\"pin_hash\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'pin_hash', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"pin_hash\" IS NOT NEW.\"pin_hash\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'active', hlc FROM sync_clock WHERE id = 1 AND OLD.\"active\" IS NOT NEW.\"active\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'active', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"active\" IS NOT NEW.\"active\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'created_at', hlc FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'created_at', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"created_at\" IS NOT NEW.\"created_at\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'staff', NEW.id, 'register_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'staff', NEW.id, 'register_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; END"


# the change triggers of visit_ratings as app/sync/tracking.py writes them for its columns
# (a mutable table: a comment is cleared when its member is erased), frozen
RATING_TRIGGERS = (
    "CREATE TRIGGER sync_new_visit_ratings AFTER INSERT ON visit_ratings WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, NULL, hlc FROM sync_clock WHERE id = 1; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, '*', hlc, register_hex FROM sync_clock WHERE id = 1; END",
    "CREATE TRIGGER sync_edit_visit_ratings AFTER UPDATE ON visit_ratings WHEN (SELECT tracking = 1 AND applying = 0 FROM sync_clock WHERE id = 1) BEGIN UPDATE sync_clock SET hlc = max(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 1000, hlc + 1) WHERE id = 1; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'sale_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"sale_id\" IS NOT NEW.\"sale_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'sale_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"sale_id\" IS NOT NEW.\"sale_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'customer_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'customer_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"customer_id\" IS NOT NEW.\"customer_id\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'score', hlc FROM sync_clock WHERE id = 1 AND OLD.\"score\" IS NOT NEW.\"score\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'score', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"score\" IS NOT NEW.\"score\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'comment', hlc FROM sync_clock WHERE id = 1 AND OLD.\"comment\" IS NOT NEW.\"comment\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'comment', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"comment\" IS NOT NEW.\"comment\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'at', hlc FROM sync_clock WHERE id = 1 AND OLD.\"at\" IS NOT NEW.\"at\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'at', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"at\" IS NOT NEW.\"at\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'source', hlc FROM sync_clock WHERE id = 1 AND OLD.\"source\" IS NOT NEW.\"source\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'source', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"source\" IS NOT NEW.\"source\"; INSERT INTO sync_outbox (tbl, row_id, field, hlc) SELECT 'visit_ratings', NEW.id, 'register_id', hlc FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; INSERT OR REPLACE INTO sync_field_clocks (tbl, row_id, field, hlc, origin) SELECT 'visit_ratings', NEW.id, 'register_id', hlc, register_hex FROM sync_clock WHERE id = 1 AND OLD.\"register_id\" IS NOT NEW.\"register_id\"; END",
)


def _has_edit_trigger() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return False
    found = bind.execute(
        sa.text(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'sync_edit_staff'"
        )
    ).scalar()
    return found == 1


def upgrade() -> None:
    op.create_table(
        "visit_ratings",
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=200), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("register_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_visit_ratings_score")),
        sa.ForeignKeyConstraint(
            ["sale_id"], ["sales.id"], name=op.f("fk_visit_ratings_sale_id_sales")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_visit_ratings_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_ratings")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_visit_ratings_sale_id")),
    )
    op.create_index("ix_visit_ratings_at", "visit_ratings", ["at"], unique=False)
    op.create_index(
        op.f("ix_visit_ratings_customer_id"), "visit_ratings", ["customer_id"], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":  # the table is new: nothing to feed centrally
        for trigger in RATING_TRIGGERS:
            op.execute(sa.text(trigger))
    # plain ADD COLUMN: a batch operation would rebuild the table and drop the sync triggers
    op.add_column("staff", sa.Column("customer_id", sa.Uuid(), nullable=True))
    if _has_edit_trigger():
        op.execute("DROP TRIGGER sync_edit_staff")
        op.execute(EDIT_TRIGGER)


def downgrade() -> None:
    trigger = _has_edit_trigger()
    if trigger:
        op.execute("DROP TRIGGER sync_edit_staff")
    op.drop_column("staff", "customer_id")
    if trigger:
        op.execute(OLD_EDIT_TRIGGER)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_edit_visit_ratings"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS sync_new_visit_ratings"))
    op.drop_index(op.f("ix_visit_ratings_customer_id"), table_name="visit_ratings")
    op.drop_index("ix_visit_ratings_at", table_name="visit_ratings")
    op.drop_table("visit_ratings")
