"""The wallet's arithmetic: cashback of a sale, FIFO lots, the spending order, refunds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import Refused
from app.domain.program import DEFAULT_PROGRAM_JSON, Program
from app.domain.wallet import (
    CashbackRules,
    Move,
    cashback_for,
    check_topup,
    refund_wallet,
    split_spend,
    wallet_balance,
)

T0 = datetime(2026, 3, 12, 5, 0, tzinfo=UTC)


def rules(**changes: object) -> CashbackRules:
    base: dict[str, object] = {
        "percent": (("BASIC", Decimal("2.5")), ("GOLD", Decimal(5))),
        "flat": 0,
        "max_per_sale": 0,
        "min_purchase": 0,
        "expiry_months": 12,
        "prepaid_limit": 100_000,
    }
    return CashbackRules(**{**base, **changes})  # type: ignore[arg-type]


def test_cashback_of_a_sale_exactly() -> None:
    assert cashback_for(rules(), "BASIC", 10_000) == 250
    assert cashback_for(rules(), "BASIC", 10_039) == 250  # floor of 250.975
    assert cashback_for(rules(), "GOLD", 10_000, 4_000) == 300  # none on the wallet part
    assert cashback_for(rules(), "SILVER", 10_000) == 0  # a tier the section omits
    assert cashback_for(rules(flat=500), "SILVER", 10_000) == 500
    assert cashback_for(rules(max_per_sale=200), "GOLD", 10_000) == 200
    assert cashback_for(rules(min_purchase=10_000), "GOLD", 9_999) == 0
    assert cashback_for(rules(min_purchase=10_000), "GOLD", 12_000, 2_001) == 0
    assert cashback_for(rules(flat=500), "GOLD", 1_000, 1_000) == 0  # all from the wallet


amounts = st.integers(min_value=0, max_value=10_000_000)
percents = st.decimals(min_value=0, max_value=100, places=2)


@settings(max_examples=200, deadline=None)
@given(amounts, amounts, percents, st.integers(0, 5_000), st.integers(0, 50_000))
def test_cashback_is_bounded_and_never_falls_as_the_base_grows(
    a: int, b: int, percent: Decimal, flat: int, cap: int
) -> None:
    r = rules(percent=(("BASIC", percent),), flat=flat, max_per_sale=cap)
    low, high = sorted((a, b))
    assert 0 <= cashback_for(r, "BASIC", low) <= cashback_for(r, "BASIC", high)
    won = cashback_for(r, "BASIC", high)
    assert won <= high * percent / 100 + flat
    if cap:
        assert won <= cap
    assert cashback_for(r, "BASIC", high, high) == 0


moves = st.lists(
    st.tuples(
        st.sampled_from(["cashback", "prepaid"]),
        st.integers(-5_000, 5_000),
        st.integers(0, 400),  # days after T0 it happened
        st.one_of(st.none(), st.integers(1, 400)),  # days the lot lives
    ),
    max_size=30,
)


def _moves(raw: list[tuple[str, int, int, int | None]]) -> list[Move]:
    out = []
    for purse, won, day, life in sorted(raw, key=lambda m: m[2]):
        at = T0 + timedelta(days=day)
        expires = at + timedelta(days=life) if life is not None and won > 0 else None
        out.append(Move(purse if won else "prepaid", won, at, expires))
    return out


@settings(max_examples=150, deadline=None)
@given(moves, st.integers(0, 900))
def test_balances_reconcile_with_the_sum_of_the_entries(raw: list, day: int) -> None:
    ms = _moves(raw)
    now = T0 + timedelta(days=day)
    bal = wallet_balance(ms, now)
    assert bal.cashback_sum == sum(m.won for m in ms if m.purse == "cashback")
    assert bal.prepaid_sum == bal.prepaid == sum(m.won for m in ms if m.purse == "prepaid")
    assert bal.cashback + bal.cashback_due == bal.cashback_sum
    assert 0 <= bal.cashback_due <= sum(m.won for m in ms if m.purse == "cashback" and m.won > 0)
    assert bal.expiring_soon >= 0
    # writing what is due as its expire entry leaves the usable balance as it was
    settled = wallet_balance([*ms, Move("cashback", -bal.cashback_due, now)], now)
    if bal.cashback_due:
        assert settled.cashback == bal.cashback and settled.cashback_due == 0


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 100_000), st.integers(0, 100_000), st.integers(1, 250_000))
def test_a_spend_takes_cashback_first_then_prepaid_and_never_more(
    cashback: int, prepaid: int, won: int
) -> None:
    ms = [Move("cashback", cashback, T0, None), Move("prepaid", prepaid, T0)]
    bal = wallet_balance([m for m in ms if m.won], T0)
    if won > cashback + prepaid:
        with pytest.raises(Refused) as refused:
            split_spend(bal, won)
        assert refused.value.code == "wallet.not_enough"
        return
    split = split_spend(bal, won)
    assert split.cashback + split.prepaid == won
    assert split.cashback == min(cashback, won)
    assert 0 <= split.prepaid <= prepaid


def test_lots_expire_oldest_due_first_and_a_spend_takes_the_soonest() -> None:
    soon, late = T0 + timedelta(days=10), T0 + timedelta(days=100)
    ms = [
        Move("cashback", 500, T0, late),
        Move("cashback", 300, T0 + timedelta(days=1), soon),
        Move("cashback", 200, T0 + timedelta(days=2), None),  # never expires: spent last
        Move("cashback", -400, T0 + timedelta(days=3)),  # 300 of the soon lot, 100 of the late
    ]
    assert wallet_balance(ms, T0 + timedelta(days=11)).cashback_due == 0
    at = late + timedelta(seconds=1)
    bal = wallet_balance(ms, at)
    assert (bal.cashback_due, bal.cashback) == (400, 200)
    # a debt (a refund after the money was spent) is paid by the next lot first
    debt = [Move("cashback", 100, T0, None), Move("cashback", -300, T0), Move("cashback", 500, T0)]
    assert wallet_balance(debt, T0).cashback == 300


def test_a_top_up_respects_the_limit_and_needs_one() -> None:
    bal = wallet_balance([Move("prepaid", 90_000, T0)], T0)
    check_topup(rules(), bal, 10_000)
    with pytest.raises(Refused) as refused:
        check_topup(rules(), bal, 10_001)
    assert refused.value.code == "wallet.topup_limit" and refused.value.params["room"] == 10_000
    for off in (None, rules(prepaid_limit=0)):
        with pytest.raises(Refused) as refused:
            check_topup(off, bal, 1)
        assert refused.value.code == "wallet.topup_off"


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 2_000_000),
    st.data(),
    percents,
    st.integers(0, 3_000),
    st.integers(0, 5_000),
)
def test_partial_refunds_add_up_to_the_whole_and_never_go_negative(
    amount: int, data: st.DataObject, percent: Decimal, flat: int, minimum: int
) -> None:
    r = rules(percent=(("BASIC", percent),), flat=flat, min_purchase=minimum)
    wallet_part = data.draw(st.integers(0, amount))
    spent_cashback = data.draw(st.integers(0, wallet_part))
    spent_prepaid = wallet_part - spent_cashback
    earned = cashback_for(r, "BASIC", amount, wallet_part)
    cuts = (
        sorted(data.draw(st.lists(st.integers(1, amount - 1), max_size=4, unique=True)))
        if amount > 1
        else []
    )
    steps = [b - a for a, b in zip([0, *cuts], [*cuts, amount], strict=True)]
    refunded = reversed_ = back_c = back_p = 0
    for step in steps:
        effect = refund_wallet(
            sale_amount=amount,
            refunded_before=refunded,
            refund_amount=step,
            earned=earned,
            reversed_before=reversed_,
            spent_cashback=spent_cashback,
            spent_prepaid=spent_prepaid,
            restored_cashback_before=back_c,
            restored_prepaid_before=back_p,
            earn=lambda left, w: cashback_for(r, "BASIC", left, w),
        )
        assert min(effect.cashback_reversed, effect.cashback_restored) >= 0
        assert effect.prepaid_restored >= 0
        refunded += step
        reversed_ += effect.cashback_reversed
        back_c += effect.cashback_restored
        back_p += effect.prepaid_restored
        if refunded < amount:  # what a sale of the rest, with its wallet part left, earns
            left = wallet_part - back_c - back_p
            assert earned - reversed_ == min(
                earned, cashback_for(r, "BASIC", amount - refunded, left)
            )
    assert (reversed_, back_c, back_p) == (earned, spent_cashback, spent_prepaid)


def _program(cashback: object) -> Program:
    return Program.from_json({**DEFAULT_PROGRAM_JSON, "cashback": cashback})


def test_the_program_section_reads_back_and_is_absent_without_a_wallet() -> None:
    plain = Program.from_json(DEFAULT_PROGRAM_JSON)
    assert plain.cashback is None and "cashback" not in plain.to_json()
    program = _program({"percent": {"BASIC": 1, "GOLD": 2.5}, "prepaid_limit": 300_000})
    assert program.cashback is not None
    assert program.cashback.rate("GOLD") == Decimal("2.5")
    assert program.cashback.expiry_months == 0 and program.cashback.max_per_sale == 0
    assert Program.from_json(program.to_json()) == program


@pytest.mark.parametrize(
    ("section", "code", "field"),
    [
        ({}, "program.missing", "cashback.percent"),
        ([], "program.type", "cashback"),
        ({"flat": 100, "bonus": 1}, "program.unknown_key", "cashback.bonus"),
        ({"percent": {"DIAMOND": 1}}, "program.cashback_tier", "cashback.percent.DIAMOND"),
        ({"percent": {"BASIC": 101}}, "program.earn_percent", "cashback.percent.BASIC"),
        ({"percent": {"BASIC": "1.234"}}, "program.precision", "cashback.percent.BASIC"),
        ({"percent": [1]}, "program.type", "cashback.percent"),
        ({"flat": -1}, "program.negative", "cashback.flat"),
        ({"flat": 1, "max_per_sale": 1.5}, "program.type", "cashback.max_per_sale"),
        ({"flat": 1, "expiry_months": 121}, "program.too_large", "cashback.expiry_months"),
        ({"flat": 1, "prepaid_limit": 100_000_001}, "program.too_large", "cashback.prepaid_limit"),
    ],
)
def test_bad_sections_are_refused_in_words(section: object, code: str, field: str) -> None:
    with pytest.raises(Refused) as refused:
        _program(section)
    assert refused.value.code == code
    assert refused.value.params["field"] == field
    assert field in refused.value.message("ko")
