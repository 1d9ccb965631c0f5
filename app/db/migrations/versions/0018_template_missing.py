"""message_templates.status may be `missing`: the provider knows no template under the id kept
(deleted at the provider, or a wrong id set by hand), so asking where every review stands
shows that template as such and goes on with the others.

Downgrade: a missing template becomes a draft again without its id (the older code knows no
such state; submitting it registers it anew).

Revision ID: 0018
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('draft', 'registered', 'inspecting', 'approved', 'rejected')"
NEW = "status IN ('draft', 'registered', 'inspecting', 'approved', 'rejected', 'missing')"


def _status_check(condition: str) -> None:
    with op.batch_alter_table("message_templates") as batch:
        batch.drop_constraint(op.f("ck_message_templates_status"), type_="check")
        batch.create_check_constraint(op.f("ck_message_templates_status"), condition)


def upgrade() -> None:
    _status_check(NEW)


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE message_templates SET status = 'draft', provider_template_id = NULL "
            "WHERE status = 'missing'"
        )
    )
    _status_check(OLD)
