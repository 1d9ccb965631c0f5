"""The coalition's arithmetic: settlement nets to zero, every point spent is accounted for,
FIFO over issuers, the offline rule, and the statements' hash chain."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import partners as rules
from app.domain.errors import Refused

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SHOPS = ["a", "b", "c", "d", "e"]

op = st.tuples(
    st.integers(0, 4),  # shop
    st.integers(0, 3),  # account
    st.sampled_from(rules.KINDS),
    st.integers(1, 400),
    st.integers(0, 89),  # day: three months
)


def _entries(ops, n_shops):  # type: ignore[no-untyped-def]
    entries = []
    for i, (shop, account, kind, points, day) in enumerate(ops):
        at = T0 + timedelta(days=day, seconds=i)
        entries.append(
            rules.Entry(
                f"{i:06d}",
                f"m{account}",
                SHOPS[shop % n_shops],
                kind,
                points,
                at,
                at.strftime("%Y-%m"),
            )
        )
    return entries


@settings(max_examples=100, deadline=None)
@given(
    st.lists(op, max_size=60),
    st.integers(2, 5),
    st.sampled_from([Decimal("1"), Decimal("0.7"), Decimal("2.5"), Decimal("13.33")]),
)
def test_any_earn_and_spend_across_shops_nets_to_zero(ops, n_shops, value) -> None:
    entries = _entries(ops, n_shops)
    shops = {s: s.upper() for s in SHOPS[:n_shops]}
    prev: dict = {}
    totals = dict.fromkeys(shops, 0)
    for month in ("2026-01", "2026-02", "2026-03"):
        statements = rules.settle("k", month, shops, entries, value, prev)
        assert len(statements) == n_shops * (n_shops - 1) // 2
        positions = {s: sum(x.position(s) for x in statements) for s in shops}
        assert sum(positions.values()) == 0
        for s in shops:
            totals[s] += positions[s]
        # every point spent this month is covered by an issuer or is the spender's own risk
        spent = sum(e.points for e in entries if e.month == month and e.kind == "spend")
        uses = [u for u in rules.allocate(entries) if u.month == month]
        assert sum(u.points for u in uses) == spent
        cross = sum(x.a_points_at_b + x.b_points_at_a for x in statements)
        assert cross == sum(u.points for u in uses if u.issuer != u.redeemer)
        for x in statements:
            assert x.net == x.a_owes_b - x.b_owes_a
            assert x.a_owes_b == rules.value_of(x.a_points_at_b, value)
            prev[(x.shop_a, x.shop_b)] = x.hash
    assert sum(totals.values()) == 0


def test_a_spend_takes_the_oldest_points_first_and_the_rest_is_the_spenders() -> None:
    at = [T0 + timedelta(hours=h) for h in range(4)]
    entries = [
        rules.Entry("1", "m", "a", "earn", 100, at[0], "2026-01"),
        rules.Entry("2", "m", "b", "earn", 50, at[1], "2026-01"),
        rules.Entry("3", "m", "c", "spend", 120, at[2], "2026-01"),
        rules.Entry("4", "m", "c", "spend", 60, at[3], "2026-01"),  # 30 beyond the balance
    ]
    assert rules.allocate(entries) == [
        rules.Use("2026-01", "c", "a", 100),
        rules.Use("2026-01", "c", "b", 20),
        rules.Use("2026-01", "c", "b", 30),
        rules.Use("2026-01", "c", "c", 30),
    ]
    (ab, ac, bc) = rules.settle(
        "k", "2026-01", {"a": "A", "b": "B", "c": "C"}, entries, Decimal("1.5")
    )
    assert (ab.net, ac.a_owes_b, bc.a_owes_b) == (0, 150, 75)


def test_the_offline_rule() -> None:
    kw = {"balance_known": 800, "unsent_net": -100, "unsent_spent": 100, "limit": 300}
    assert rules.spendable(online=True, **kw) == 700
    assert rules.spendable(online=False, **kw) == 200
    assert (
        rules.spendable(online=False, balance_known=50, unsent_net=0, unsent_spent=0, limit=300)
        == 50
    )


def test_terms_months_and_values() -> None:
    terms = rules.terms_of("1.5", "0.01", 500)
    assert terms.point_value == Decimal("1.5")
    assert rules.points_for(12_345, terms.earn_rate) == 123
    assert rules.value_of(3, Decimal("0.5")) == 2  # 1.5 rounds half up
    for bad in ("0", "-1", "abc", "NaN", "10001"):
        with pytest.raises(Refused):
            rules.terms_of(bad, "0.01", 0)
    with pytest.raises(Refused):
        rules.terms_of("1", "2", 0)
    assert rules.check_month(" 2026-03 ") == "2026-03"
    for bad in ("2026-13", "2026-3", "march"):
        with pytest.raises(Refused):
            rules.check_month(bad)


def _chain(n: int) -> list[rules.Statement]:
    shops = {"a": "가게A", "b": "가게B"}
    entries = [
        rules.Entry("1", "m", "a", "earn", 100, T0, "2026-01"),
        rules.Entry("2", "m", "b", "spend", 40, T0 + timedelta(days=40), "2026-02"),
    ]
    chain, prev = [], {}
    for month in [f"2026-{m:02d}" for m in range(1, n + 1)]:
        (s,) = rules.settle("k", month, shops, entries, Decimal(1), prev)
        prev[("a", "b")] = s.hash
        chain.append(s)
    return chain


def test_the_hash_chain_finds_any_change() -> None:
    chain = _chain(3)
    stored = [(s.body(), s.hash) for s in chain]
    assert rules.broken_link(stored) is None
    assert chain[1].net == 40 and chain[1].prev_hash == chain[0].hash
    # a changed amount, a re-hashed changed statement, a dropped month, a bad body
    changed = dataclasses.replace(chain[1], net=4)
    assert rules.broken_link([stored[0], (changed.body(), chain[1].hash), stored[2]]) == 1
    assert rules.broken_link([stored[0], (changed.body(), changed.hash), stored[2]]) == 2
    assert rules.broken_link([stored[0], stored[2]]) == 1
    assert rules.broken_link([("{not json", stored[0][1])]) == 0


# --- a void's entries and a merge's move (the counter's sale, a customer merge) ---------------


def _at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_voided_spend_gives_its_points_back_to_their_issuer_and_is_not_paid_for() -> None:
    spend = str(rules.sale_entry_id(uuid.UUID(int=7), "spend"))
    entries = [
        rules.Entry("e1", "m", "a", "earn", 100, _at(0), "2026-01"),
        rules.Entry(spend, "m", "b", "spend", 60, _at(1), "2026-01"),
        rules.Entry(str(rules.reversal_id(spend)), "m", "b", "earn", 60, _at(2), "2026-01"),
        rules.Entry("s2", "m", "c", "spend", 100, _at(3), "2026-01"),  # all of A's points again
    ]
    (ab, ac, bc) = rules.settle("k", "2026-01", {"a": "A", "b": "B", "c": "C"}, entries, Decimal(1))
    assert (ab.a_points_at_b, ac.a_points_at_b, bc.a_points_at_b) == (0, 100, 0)
    assert (ab.issued_a, ab.issued_b) == (100, 0)  # the void's earn is not issued
    assert rules.balance(entries) == 0


def test_a_voided_earn_is_not_issued_and_its_lot_is_gone() -> None:
    earn = str(rules.sale_entry_id(uuid.UUID(int=8), "earn"))
    entries = [
        rules.Entry("e1", "m", "a", "earn", 100, _at(0), "2026-01"),
        rules.Entry(earn, "m", "b", "earn", 50, _at(1), "2026-01"),
        rules.Entry(str(rules.reversal_id(earn)), "m", "b", "spend", 50, _at(2), "2026-01"),
        rules.Entry("s", "m", "c", "spend", 100, _at(3), "2026-01"),
    ]
    (ab, ac, bc) = rules.settle("k", "2026-01", {"a": "A", "b": "B", "c": "C"}, entries, Decimal(1))
    assert (ab.issued_a, ab.issued_b) == (100, 0)
    assert (ac.a_points_at_b, bc.a_points_at_b) == (100, 0)  # C spent A's points, none of B's


def test_a_void_in_a_later_month_nets_that_month() -> None:
    spend = str(rules.sale_entry_id(uuid.UUID(int=9), "spend"))
    entries = [
        rules.Entry("e1", "m", "a", "earn", 100, _at(0), "2026-01"),
        rules.Entry(spend, "m", "b", "spend", 40, _at(1), "2026-01"),
        rules.Entry(
            str(rules.reversal_id(spend)), "m", "b", "earn", 40, T0.replace(month=2), "2026-02"
        ),
    ]
    shops = {"a": "A", "b": "B"}
    (jan,) = rules.settle("k", "2026-01", shops, entries, Decimal(1))
    (feb,) = rules.settle("k", "2026-02", shops, entries, Decimal(1), {("a", "b"): jan.hash})
    assert (jan.a_points_at_b, jan.net, feb.a_points_at_b, feb.net) == (40, 40, -40, -40)
    assert jan.net + feb.net == 0


def test_a_merge_moves_the_points_with_their_issuers_and_issues_nothing() -> None:
    entries = [
        rules.Entry("e1", "old", "a", "earn", 100, _at(0), "2026-01"),
        rules.Entry("e2", "old", "b", "earn", 30, _at(1), "2026-01"),
        rules.Entry("out", "old", "a", "spend", 130, _at(2), "2026-01"),
        rules.Entry(str(rules.move_in_id("out")), "keep", "a", "earn", 130, _at(2), "2026-01"),
        rules.Entry("s", "keep", "c", "spend", 120, _at(3), "2026-01"),
    ]
    assert rules.allocate(entries) == [
        rules.Use("2026-01", "c", "a", 100),
        rules.Use("2026-01", "c", "b", 20),
    ]
    (ab, ac, bc) = rules.settle("k", "2026-01", {"a": "A", "b": "B", "c": "C"}, entries, Decimal(1))
    assert (ab.issued_a, ab.issued_b) == (100, 30)  # the move is neither issued nor spent
    assert (ac.a_points_at_b, bc.a_points_at_b) == (100, 20)


def test_a_refund_takes_back_the_earn_pro_rata_rounded_down() -> None:
    """rfm19: cumulative and rounded down, the refund of the rest takes the rest."""
    from app.domain.partners import refund_back

    assert refund_back(199, 20_000, 7_000, 0) == 69  # 69.65
    assert refund_back(199, 20_000, 10_000, 69) == 30  # 99.5 in all
    assert refund_back(199, 20_000, 20_000, 99) == 100
    assert refund_back(199, 20_000, 25_000, 99) == 100  # never more than was earned
    assert refund_back(199, 20_000, 20_000, 199) == 0
    assert refund_back(0, 20_000, 7_000, 0) == 0
    assert refund_back(3, 10_000, 3_333, 0) == 0  # 0.9999: nothing yet
