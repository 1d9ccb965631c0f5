"""0018: a template's review may be `missing` (the provider knows no template under its id);
the downgrade makes such a template a draft again, without the id, under the old check."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services.context import open_shop
from tests.conftest import START

SET_MISSING = sa.text(
    "UPDATE message_templates SET status = 'missing', provider_template_id = 'KA01TPGONE' "
    "WHERE kind = 'points_earned'"
)


def _status(connection: sa.Connection) -> tuple[str, str | None]:
    row = connection.execute(
        sa.text(
            "SELECT status, provider_template_id FROM message_templates "
            "WHERE kind = 'points_earned'"
        )
    ).one()
    return str(row[0]), row[1]


def test_missing_is_kept_after_the_upgrade_and_made_a_draft_by_the_downgrade(
    db_url: str,
) -> None:
    open_shop(db_url, now=START).close()
    db = Database(resolve_url(db_url))
    try:
        migrate.downgrade(db.engine, "0016")
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(SET_MISSING)  # before 0018: refused by the check
        migrate.upgrade(db.engine)
        with db.engine.begin() as connection:
            connection.execute(SET_MISSING)
        with db.engine.connect() as connection:
            assert _status(connection) == ("missing", "KA01TPGONE")
            kinds = connection.execute(sa.text("SELECT count(*) FROM message_templates")).scalar()
        assert kinds == 11  # every row kept by the rebuild (0019 seeds two more, 0021 one)
        migrate.downgrade(db.engine, "0016")
        with db.engine.connect() as connection:
            assert _status(connection) == ("draft", None)
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(SET_MISSING)
        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.dispose()
