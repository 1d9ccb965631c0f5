"""The owner's segments, experiments and lunar birthdays travel between two registers through
the real PostgreSQL; RFM scores do not (each register derives them from the synced sales)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.db.models import LedgerEntry, RfmScore
from app.domain.program import DEFAULT_PROGRAM
from app.services import birthdays, customers, daily, experiments, program, sales, segments
from app.services.announcements import Audience
from app.services.context import Context
from app.sync.tracking import SYNCED_TABLES
from tests.conftest import START
from tests.sync.conftest import later
from tests.sync.test_sync import sync_all


def _bonus(ctx: Context, who: uuid.UUID) -> int:
    with ctx.db.read() as session:
        return int(
            session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                    LedgerEntry.customer_id == who, LedgerEntry.reason == "birthday"
                )
            )
        )


def test_segments_experiments_and_lunar_birthdays_reach_the_other_register(registers) -> None:
    assert "rfm_scores" not in SYNCED_TABLES
    a, b = registers("A"), registers("B")
    document = DEFAULT_PROGRAM.to_json()
    document["bonuses"] = {"signup": 0, "birthday": 1000, "referral": 0}
    program.load_program(a, document)
    ids = [customers.enroll(a, f"010-5100-{i:04d}").id for i in range(20)]
    moon = customers.enroll(a, "010-5200-0001", birthday="1990-08-15").id
    for who in ids[:5]:
        sales.record_sale(a, who, 12_000)
    later(a, minutes=1)  # the experiment's population: members enrolled before it
    line = experiments.create_experiment(
        a, "재방문 실험", "campaign", START.date(), START.date() + timedelta(days=13)
    )
    segments.save_segment(a, "큰손", Audience(min_spend=10_000))
    birthdays.set_lunar_birthday(a, moon, True)
    sync_all(a, b)

    # the experiment at B: the same groups, the same report
    report_a = experiments.experiment_report(a, "재방문 실험")
    report_b = experiments.experiment_report(b, str(line.id))
    assert report_b.groups == report_a.groups
    assert sum(g.members for g in report_b.groups) == 21
    # the segment at B, and its rules replaced at B come back to A (one row, merged)
    assert segments.owner_audience(b, "큰손") == Audience(min_spend=10_000)
    later(b, minutes=5)
    segments.save_segment(b, "큰손", Audience(min_spend=12_000, visited_within_days=30))
    segments.save_segment(a, "단골", Audience(visited_within_days=30))  # a new one meanwhile
    sync_all(a, b)
    sync_all(a, b)
    for register in (a, b):
        kept = {x.code: x.rules for x in segments.list_segments(register) if x.kind == "owner"}
        assert kept == {
            "큰손": {"min_spend": 12_000, "visited_within_days": 30},
            "단골": {"visited_within_days": 30},
        }
    # RFM is each register's own, from the same sales
    assert segments.refresh_rfm(b) == 5
    with a.db.read() as session:
        assert session.scalar(select(func.count()).select_from(RfmScore)) == 0

    # the lunar birthday set at A gives the bonus at B's daily run: September, not August
    for register in (a, b):
        register.fixed_now = datetime(2026, 8, 10, 3, tzinfo=UTC)
    daily.run_daily(b)
    assert _bonus(b, moon) == 0
    for register in (a, b):
        register.fixed_now = datetime(2026, 9, 10, 3, tzinfo=UTC)
    daily.run_daily(b)
    assert _bonus(b, moon) == 1000
    # turned off at B: A sees it off (an update travels; nothing is deleted)
    assert not birthdays.set_lunar_birthday(b, moon, False).lunar
    sync_all(a, b)
    with a.db.read() as session:
        from app.db.models import LunarBirthday

        row = session.scalars(select(LunarBirthday)).one()
    assert (row.customer_id, row.lunar, row.id) == (moon, False, birthdays.lunar_id(moon))
