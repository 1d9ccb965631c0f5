"""Cloud sync through a real PostgreSQL: registers converge, repeats and cuts are harmless."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from app.db.models import (
    Customer,
    LedgerEntry,
    MembershipCard,
    MonthlyStat,
    Sale,
    SyncChange,
    SyncOutbox,
)
from app.domain.errors import Refused
from app.services import customers, redemptions, sales, sync
from app.services.context import Context
from app.services.customers import resolve_customer
from app.services.encoding import to_json
from app.sync import engine as sync_engine
from app.sync import server
from app.sync.tracking import missing_triggers
from tests.services.helpers import snapshot
from tests.sync.conftest import CuttingProxy, later

PHONE = "01012345678"


def points(ctx: Context, who: str = PHONE) -> int:
    return customers.customer_status(ctx, resolve_customer(ctx, who)).points


def ledger_by_customer(ctx: Context) -> dict[uuid.UUID, tuple[int, int]]:
    with ctx.db.read() as session:
        rows = session.execute(
            select(
                LedgerEntry.customer_id, func.sum(LedgerEntry.points), func.sum(LedgerEntry.stamps)
            ).group_by(LedgerEntry.customer_id)
        ).all()
    return {c: (int(p), int(s)) for c, p, s in rows}


def stats(ctx: Context) -> dict[tuple[str, str], int]:
    """Monthly figures over all stores (each register keys by the store of the row)."""
    with ctx.db.read() as session:
        rows = session.execute(
            select(MonthlyStat.month, MonthlyStat.metric, func.sum(MonthlyStat.value)).group_by(
                MonthlyStat.month, MonthlyStat.metric
            )
        ).all()
    return {(m, k): int(v) for m, k, v in rows if int(v)}


def sync_all(*shops: Context) -> None:
    for _ in range(2):
        for ctx in shops:
            sync.sync_now(ctx)


def test_without_sync_nothing_is_tracked(sqlite_ctx: Context) -> None:
    with sqlite_ctx.db.read() as session:
        assert missing_triggers(session.connection()) == []
    customers.enroll(sqlite_ctx, PHONE)
    with sqlite_ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(SyncOutbox)) == 0
    assert not sync.sync_status(sqlite_ctx).configured
    with pytest.raises(Refused) as refused:
        sync.sync_now(sqlite_ctx)
    assert refused.value.code == "sync.not_set_up"


def test_bad_url_is_refused_and_nothing_written(sqlite_ctx: Context) -> None:
    before = snapshot(sqlite_ctx)
    with pytest.raises(Refused) as refused:
        sync.setup_sync(sqlite_ctx, "mysql://x@y/z")
    assert refused.value.code == "sync.not_postgres"
    with pytest.raises(Refused) as refused:
        sync.setup_sync(sqlite_ctx, "postgresql://postgres@127.0.0.1:1/none")
    assert (
        refused.value.code == "sync.setup_failed"
    )  # not "unreachable": that one promises to catch up
    assert snapshot(sqlite_ctx) == before
    assert not sync.sync_status(sqlite_ctx).configured


def test_a_sale_at_one_register_reaches_the_other_with_its_figures(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name="김철수")
    sync.sync_now(a)
    sync.sync_now(b)
    assert customers.customer_status(b, resolve_customer(b, PHONE)).name == "김철수"
    sales.record_sale(b, resolve_customer(b, PHONE), 100_000)
    sync_all(b, a)
    assert points(a) == points(b) == 2000
    assert ledger_by_customer(a) == ledger_by_customer(b)
    assert stats(a) == stats(b)
    assert stats(a)[("2026-03", "visits")] == 1
    assert stats(a)[("2026-03", "new_members")] == 1
    assert sync.sync_status(a).in_sync and sync.sync_status(b).in_sync


def test_pushing_the_same_batch_twice_changes_nothing(registers, pg_url: str) -> None:
    a = registers("A")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 50_000)
    with a.db.read() as session:
        entries = session.execute(select(SyncOutbox.tbl, SyncOutbox.row_id)).all()
        batch = sync_engine._batch(session.connection(), entries)
    central = sync.business_engine(a, a.settings["sync.url"])
    for _ in range(2):
        with central.begin() as connection:
            sync_engine.apply_on_server(connection, batch, a.register_id)
    sync.sync_now(a)
    with central.connect() as connection:
        feed = connection.execute(
            select(SyncChange.row_id, func.count()).group_by(SyncChange.row_id)
        ).all()
        sales_count = connection.scalar(select(func.count()).select_from(Sale))
        total = connection.scalar(select(func.sum(LedgerEntry.points)))
    assert all(n == 1 for _, n in feed)
    assert sales_count == 1
    assert total == points(a)


def test_a_connection_cut_mid_batch_loses_and_duplicates_nothing(
    registers, pg_url: str, proxy: CuttingProxy
) -> None:
    through_proxy = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    a, b = registers("A", url=through_proxy), registers("B")
    customers.enroll(a, PHONE)
    for i in range(40):
        later(a, minutes=10)
        sales.record_sale(a, resolve_customer(a, PHONE), 10_000 + i)
    server.forget_engine(a.settings["sync.url"])
    proxy.cut_after = 6_000  # well inside the push
    with pytest.raises(Refused) as refused:
        sync.sync_now(a)
    assert refused.value.code == "sync.unreachable"
    assert sync.sync_status(a).last_error
    assert sync.sync_status(a).pending > 0
    server.forget_engine(a.settings["sync.url"])
    proxy.cut_after = None
    sync_all(a, b)
    assert points(a) == points(b)
    with b.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 40
    assert ledger_by_customer(a) == ledger_by_customer(b)
    assert stats(a) == stats(b)
    assert sync.sync_status(a).in_sync


def test_a_week_offline_catches_up(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sync_all(a, b)
    for _day in range(7):
        for i in range(20):
            later(b, minutes=30)
            sales.record_sale(b, resolve_customer(b, PHONE), 5_000 + 100 * i)
            later(a, minutes=30)
            sales.record_sale(a, resolve_customer(a, PHONE), 3_000)
        later(a, hours=14)
        later(b, hours=14)
    sync_all(a, b)
    assert points(a) == points(b)
    assert ledger_by_customer(a) == ledger_by_customer(b)
    assert stats(a) == stats(b)
    with a.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Sale)) == 280


def test_same_phone_enrolled_offline_at_two_registers_becomes_one_customer(registers) -> None:
    a, b = registers("A"), registers("B")
    card_a = customers.enroll(a, PHONE, name="김철수").card
    card_b = customers.enroll(b, PHONE, name="김철수").card
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)
    sales.record_sale(b, resolve_customer(b, PHONE), 50_000)
    sync_all(a, b)
    seen = []
    for ctx in (a, b):
        with ctx.db.read() as session:
            living = session.scalars(select(Customer).where(Customer.status == "active")).all()
            merged = session.scalars(select(Customer).where(Customer.status == "merged")).all()
            assert len(living) == 1 and len(merged) == 1
            assert merged[0].merged_into_id == living[0].id
            assert living[0].id < merged[0].id
            seen.append(living[0].id)
            cards = session.scalars(select(MembershipCard.customer_id)).all()
            assert set(cards) == {living[0].id}
        # both cards still find the one customer, with both histories
        assert customers.customer_status(ctx, resolve_customer(ctx, card_a)).id == living[0].id
        assert customers.customer_status(ctx, resolve_customer(ctx, card_b)).id == living[0].id
        assert points(ctx) == 3000
    assert seen[0] == seen[1]
    assert ledger_by_customer(a) == ledger_by_customer(b)
    # the merged record leaves the member count on both: one person, one member, one tier
    assert stats(a) == stats(b)
    figures = stats(a)
    assert figures[("2026-03", "new_members")] == 2
    assert figures[("2026-03", "members_erased")] == 1
    assert figures[("2026-03", "tier:BASIC")] == 1


def test_points_spent_twice_offline_show_as_negative_balance(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)  # 2,000 points
    sync_all(a, b)
    redemptions.redeem_points(a, resolve_customer(a, PHONE), 1500)
    redemptions.redeem_points(b, resolve_customer(b, PHONE), 1500)
    sync_all(a, b)
    for ctx in (a, b):
        items = sync.needs_attention(ctx)
        assert [(i.kind, i.points) for i in items] == [("negative_balance", -1000)]
        assert items[0].phone_masked and "5678" in items[0].phone_masked
        assert points(ctx) == -1000


def test_online_redemption_checks_the_central_balance(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)
    sync_all(a, b)
    redemptions.redeem_points(a, resolve_customer(a, PHONE), 1500)
    sync.sync_now(a)  # b has not pulled yet: its own balance still says 2,000
    customer_id = customers.customer_status(b, resolve_customer(b, PHONE)).id
    assert sync.central_points(b, customer_id) == 500
    with pytest.raises(Refused) as refused:
        sync.check_central_points(b, customer_id, 1500)
    assert refused.value.code == "sync.spent_elsewhere"
    sync.check_central_points(b, customer_id, 500)
    # the counter's own redemption asks the server first and writes nothing when refused
    with pytest.raises(Refused) as refused:
        redemptions.redeem_points(b, resolve_customer(b, PHONE), 1500)
    assert refused.value.code == "sync.spent_elsewhere"
    assert customers.customer_status(b, resolve_customer(b, PHONE)).points == 2000


def test_profile_edits_resolve_field_by_field_to_the_latest(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name="김철수")
    sync_all(a, b)
    with a.db.write() as session:
        session.execute(text("UPDATE customers SET name = '김영희'"))
    with b.db.write() as session:
        session.execute(text("UPDATE customers SET birthday = '1990-05-01'"))
    with b.db.write() as session:  # b's name edit comes after a's on the clock
        session.execute(text("UPDATE customers SET name = '박영희'"))
    sync_all(a, b)
    for ctx in (a, b):
        status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
        assert status.name == "박영희"
    with a.db.read() as session:
        assert str(session.scalar(select(Customer.birthday))) == "1990-05-01"


def test_a_merged_customer_stays_merged_whatever_the_clocks(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name="갑")
    customers.enroll(b, PHONE, name="을")
    sync_all(a, b)
    with a.db.read() as session:
        loser = session.scalars(select(Customer).where(Customer.status == "merged")).one()
    # b edits the merged record's name later: the edit lands, the merge stays
    with b.db.write() as session:
        session.execute(text("UPDATE customers SET name = '병' WHERE id = :i"), {"i": loser.id.hex})
    sync_all(a, b)
    for ctx in (a, b):
        with ctx.db.read() as session:
            again = session.get(Customer, loser.id)
            assert again is not None
            assert (again.status, again.name, again.phone) == ("merged", "병", None)


def test_sync_status_in_words(registers) -> None:
    a = registers("A")
    customers.enroll(a, PHONE)
    status = sync.sync_status(a)
    assert status.configured and status.pending > 0 and not status.in_sync
    data = to_json(status, a)
    assert data["pending"] == status.pending
    sync.sync_now(a)
    assert sync.sync_status(a).in_sync
    assert json.dumps(to_json(sync.sync_status(a), a))


def test_points_expired_at_two_registers_are_listed_as_duplicate_expiry(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 100_000)  # 2,000 points, expiring a year later
    sync_all(a, b)
    # B's use A does not see: the two expiries differ (the same one would merge into one row,
    # tests/sync/test_offline_merges.py)
    redemptions.redeem_points(b, resolve_customer(b, PHONE), 1000)
    for ctx in (a, b):  # both offline past the expiry: each writes it
        later(ctx, days=400)
        sales.record_sale(ctx, resolve_customer(ctx, PHONE), 10_000)
    sync_all(a, b)
    for ctx in (a, b):
        found = [i for i in sync.needs_attention(ctx) if i.kind == "duplicate_expiry"]
        assert [(i.points, len(i.detail["registers"])) for i in found] == [(2000, 2)]
        assert found[0].phone_masked and "5678" in found[0].phone_masked
    # one register alone expiring once is no duplicate
    c = registers("C")
    customers.enroll(c, "01099998888")
    sales.record_sale(c, resolve_customer(c, "01099998888"), 100_000)
    later(c, days=400)
    sales.record_sale(c, resolve_customer(c, "01099998888"), 10_000)
    sync.sync_now(c)
    listed = [i.customer_id for i in sync.needs_attention(c) if i.kind == "duplicate_expiry"]
    assert listed == [
        customers.customer_status(c, resolve_customer(c, PHONE)).id
    ]  # a's and b's, not c's own


def _sync_runs(ctx: Context) -> int:
    with ctx.db.read() as session:
        return int(
            session.scalar(
                text(
                    "SELECT count(*) FROM audit_log WHERE action = 'sync.run' AND register_id = :r"
                ),
                {"r": ctx.register_id.hex},
            )
            or 0
        )


def test_a_sync_run_is_audited_only_when_it_changed_something(registers) -> None:
    a, b = registers("A"), registers("B")
    sync_all(a, b)
    runs = (_sync_runs(a), _sync_runs(b))
    sync_all(a, b)  # idle polls, including each other's run entries: no new entry
    sync_all(a, b)
    assert (_sync_runs(a), _sync_runs(b)) == runs
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 10_000)
    sync.sync_now(a)
    assert _sync_runs(a) == runs[0] + 1
    assert sync.sync_status(a).in_sync  # the run's own entry went up with it
    sync_all(b, a)
    assert _sync_runs(b) == runs[1] + 1  # b pulled the sale
    sync_all(a, b)
    assert (_sync_runs(a), _sync_runs(b)) == (runs[0] + 1, runs[1] + 1)
    with a.db.read() as session:
        detail = session.scalar(
            text(
                "SELECT detail FROM audit_log WHERE action = 'sync.run' AND register_id = :r "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"r": a.register_id.hex},
        )
    assert json.loads(detail)["pushed"] >= 3


def test_a_merge_counts_once_when_the_older_record_is_pushed_last(registers) -> None:
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE)  # the older record: it keeps the phone
    customers.enroll(b, PHONE)
    later(b, minutes=5)
    sales.record_sale(b, resolve_customer(b, PHONE), 20_000)
    sync.sync_now(b)  # the newer one reaches the server first
    sync.sync_now(a)  # the server merges b's record; b then pulls both records at once
    sync_all(b, a)
    assert stats(a) == stats(b)
    figures = stats(a)
    assert figures[("2026-03", "new_members")] == 2
    assert figures[("2026-03", "members_erased")] == 1
    assert figures[("2026-03", "tier:BASIC")] == 1
    assert figures[("2026-03", "active_members")] == 1


def test_a_register_whose_clock_runs_fast_does_not_win_a_later_edit(registers) -> None:
    """Register A's clock is two hours ahead. B changes the name after it has seen A's change:
    B's edit is the later one and must win everywhere, whatever A's wall clock says."""
    a, b = registers("A"), registers("B")
    customers.enroll(a, PHONE, name="김철수")
    sync_all(a, b)
    two_hours_ahead = (int(time.time() * 1000) + 2 * 3600 * 1000) * 1000
    with a.db.write() as session:
        session.execute(text("UPDATE sync_clock SET hlc = :h WHERE id = 1"), {"h": two_hours_ahead})
        session.execute(text("UPDATE customers SET name = '김영희'"))
    sync_all(a, b)  # b now knows a's edit (and its clock)
    with b.db.write() as session:
        session.execute(text("UPDATE customers SET name = '박영희'"))
    sync_all(a, b)
    for ctx in (a, b):
        assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).name == "박영희"
