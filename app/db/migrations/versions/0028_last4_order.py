"""the counter's last-4 and name searches each read one index range, in their order

The counter's search by the last 4 digits asks for the active members with those digits,
ORDER BY name, id, LIMIT 50 (app.services.customers.search and its lean path). Through
ix_customers_phone_last4 (phone_last4 alone) SQLite read each of the ~100 rows of a last-4 on
a 1,000,000-member shop from the table, dropped the inactive, sorted the rest (a temporary
B-tree) and kept 50. ix_customers_last4_active_name is (phone_last4, status, name, id) and
then the other columns the counter's record reads (CustomerRecord): the 50 rows are the first
50 entries of one index range, already in order, with no table lookup. It is not partial
(WHERE status = 'active'): the back office searches the last 4 digits over every status
(app.services.customer_admin) and finds them through its leading phone_last4, so it takes the
place of ix_customers_phone_last4, which is dropped. ix_customers_active_name,
(status, name, id), does the same for the search by a name's beginning (the active members
by name, id); ix_customers_name stays for the back office's lists by name over every status.

Plain CREATE INDEX (no batch operation: a rebuilt table would lose the sync triggers). On
the sync's central PostgreSQL (keyed by business since 0027) every index leads with
business_id: these do too.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LAST4 = (
    "phone_last4",
    "status",
    "name",
    "id",
    "phone",
    "birthday",
    "tier_code",
    "enrolled_at",
    "marketing_consent_at",
)
NAME = ("status", "name", "id")


def _keyed() -> bool:
    """The sync's central PostgreSQL after 0027: every key and index leads with business_id."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(bind.execute(text("SELECT to_regclass('businesses') IS NOT NULL")).scalar())


def _columns(columns: Sequence[str], keyed: bool) -> list[str]:
    return ["business_id", *columns] if keyed else list(columns)


def upgrade() -> None:
    keyed = _keyed()
    op.create_index("ix_customers_last4_active_name", "customers", _columns(LAST4, keyed))
    op.create_index("ix_customers_active_name", "customers", _columns(NAME, keyed))
    op.drop_index("ix_customers_phone_last4", table_name="customers")


def downgrade() -> None:
    keyed = _keyed()
    op.create_index("ix_customers_phone_last4", "customers", _columns(("phone_last4",), keyed))
    op.drop_index("ix_customers_active_name", table_name="customers")
    op.drop_index("ix_customers_last4_active_name", table_name="customers")
