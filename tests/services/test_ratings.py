"""The visit rating on a real database: who is asked, what is stored, NPS by month."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db.models import Sale, VisitRating
from app.domain.errors import Refused
from app.services import customers, ratings, sales, settings, staff, sync
from app.services.context import Context
from tests.conftest import START
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"


def _sale(ctx: Context, phone: str = PHONE, amount: int = 10_000) -> uuid.UUID:
    try:
        who = customers.resolve_customer(ctx, phone)
    except Refused:
        who = customers.enroll(ctx, phone, name="김단골").id
    return sales.record_sale(ctx, who, amount).sale_id


def test_asked_only_when_the_owner_turned_it_on(ctx: Context) -> None:
    sale = _sale(ctx)
    assert not ratings.should_ask(ctx, sale)  # off by default
    settings.update_settings(ctx, rating_enabled=True)
    assert ratings.should_ask(ctx, sale)
    ratings.record_rating(ctx, sale, 9)
    assert not ratings.should_ask(ctx, sale)  # answered: never asked twice
    later = _sale(ctx)
    ctx.fixed_now = START + ratings.RATE_WITHIN + timedelta(seconds=1)
    assert not ratings.should_ask(ctx, later)  # a day later: not asked any more


def test_the_sample_is_stable_and_near_the_rate(ctx: Context) -> None:
    settings.update_settings(ctx, rating_enabled=True, rating_percent=30)
    sale_ids = [_sale(ctx) for _ in range(40)]
    first = [ratings.should_ask(ctx, s) for s in sale_ids]
    assert first == [ratings.should_ask(ctx, s) for s in sale_ids]  # a retry asks the same
    assert 3 <= sum(first) <= 22  # 30 % of 40 = 12, give or take
    settings.update_settings(ctx, rating_percent=0)
    assert not any(ratings.should_ask(ctx, s) for s in sale_ids)


def test_a_void_is_not_rated(ctx: Context) -> None:
    settings.update_settings(ctx, rating_enabled=True)
    sale = _sale(ctx)
    sales.void_action(ctx, str(sale))
    with ctx.db.read() as session:
        void = session.scalars(select(Sale.id).where(Sale.reverses_id == sale)).one()
    assert not ratings.should_ask(ctx, void)
    with pytest.raises(Refused) as refused:
        ratings.record_rating(ctx, void, 5)
    assert refused.value.code == "rating.no_sale"


def test_the_rating_is_stored_with_the_sale(ctx: Context) -> None:
    sale = _sale(ctx)
    result = ratings.record_rating(ctx, sale, 7, "  커피가 맛있어요 ", source="display")
    assert (result.score, result.comment, result.review_url) == (7, "커피가 맛있어요", None)
    with ctx.db.read() as session:
        row = session.scalars(select(VisitRating)).one()
    assert (row.sale_id, row.score, row.comment, row.source) == (
        sale,
        7,
        "커피가 맛있어요",
        "display",
    )
    assert row.customer_id == customers.resolve_customer(ctx, PHONE)
    assert row.at == START


@pytest.mark.parametrize(
    ("score", "comment", "code"),
    [
        (11, None, "rating.score_range"),
        (-1, None, "rating.score_range"),
        ("9", None, "rating.score_range"),
        (5, "가" * 201, "rating.comment_long"),
    ],
)
def test_bad_input_is_refused_in_words_and_nothing_is_stored(
    ctx: Context, score: object, comment: str | None, code: str
) -> None:
    sale = _sale(ctx)
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        ratings.record_rating(ctx, sale, score, comment)
    assert refused.value.code == code
    assert refused.value.message("ko") != code and refused.value.message("en") != code
    assert snapshot(ctx) == before


def test_a_second_answer_and_an_unknown_sale_are_refused(ctx: Context) -> None:
    sale = _sale(ctx)
    ratings.record_rating(ctx, sale, 8)
    before = snapshot(ctx)
    for sale_id, code in ((sale, "rating.already"), (uuid.uuid4(), "rating.no_sale")):
        with pytest.raises(Refused) as refused:
            ratings.record_rating(ctx, sale_id, 8)
        assert refused.value.code == code
    with pytest.raises(Refused):
        ratings.record_rating(ctx, _sale(ctx), 8, source="website")
    assert snapshot(ctx)["visit_ratings"] == before["visit_ratings"]


def test_the_review_page_follows_a_high_score_only(ctx: Context) -> None:
    settings.update_settings(ctx, review_url="https://example.com/review/단골")
    assert ratings.record_rating(ctx, _sale(ctx), 10).review_url == (
        "https://example.com/review/단골"
    )
    assert ratings.record_rating(ctx, _sale(ctx), 9).review_url
    for low in (8, 6, 0):
        assert ratings.record_rating(ctx, _sale(ctx), low).review_url is None
    with pytest.raises(Refused):
        settings.update_settings(ctx, review_url="javascript:alert(1)")


def test_nps_by_month_with_the_warning_under_thirty(ctx: Context) -> None:
    # March (START's month): 3 promoters, 1 passive, 2 detractors; February: 30 promoters
    for score in (10, 9, 9, 7, 3, 0):
        ratings.record_rating(ctx, _sale(ctx), score, "또 올게요" if score == 3 else None)
    ctx.fixed_now = START - timedelta(days=20)  # 2026-02-20
    for _ in range(30):
        ratings.record_rating(ctx, _sale(ctx), 10)
    ctx.fixed_now = START
    months = ratings.nps_by_month(ctx, 3)
    assert [m.month for m in months] == ["2026-01", "2026-02", "2026-03"]
    january, february, march = months
    assert (january.answers, january.nps, january.few_answers) == (0, 0, True)
    assert (february.answers, february.nps, february.few_answers) == (30, 100, False)
    assert (march.answers, march.promoters, march.passives, march.detractors) == (6, 3, 1, 2)
    assert march.promoters_pct == Decimal("50.0") and march.detractors_pct == Decimal("33.3")
    assert march.nps == 17 and march.few_answers
    assert [m.month for m in ratings.nps_by_month(ctx, 1, last="2026-02")] == ["2026-02"]
    found = ratings.comments(ctx, "2026-03")
    assert [(c.score, c.comment) for c in found] == [(3, "또 올게요")]
    assert ratings.comments(ctx, "2026-02") == []
    for bad in ("2026-13", "march", "0000-01"):
        with pytest.raises(Refused):
            ratings.comments(ctx, bad)


def test_a_month_is_the_shops_local_month(ctx: Context) -> None:
    # 2026-03-31 23:30 in Seoul is still March there, April in no zone but UTC+9's neighbours
    ctx.fixed_now = START.replace(day=31, hour=14, minute=30)  # 23:30 KST
    ratings.record_rating(ctx, _sale(ctx), 10)
    ctx.fixed_now = START.replace(day=31, hour=15, minute=30)  # 00:30 KST, April 1st
    ratings.record_rating(ctx, _sale(ctx), 0)
    march, april = ratings.nps_by_month(ctx, 2)
    assert (march.month, march.nps, april.month, april.nps) == ("2026-03", 100, "2026-04", -100)


def test_the_report_is_the_owners(ctx: Context) -> None:
    cashier = staff.add_staff(ctx, "이직원", "cashier", "2468")
    ctx.staff_id, ctx.staff_role = cashier.id, "cashier"
    with pytest.raises(Refused):
        ratings.nps_by_month(ctx, 12)
    with pytest.raises(Refused):
        ratings.comments(ctx, "2026-03")
    ratings.record_rating(ctx, _sale(ctx), 10)  # the customer rates on the cashier's shift


def test_a_low_score_alerts_the_owner_in_needs_attention(ctx: Context) -> None:
    ratings.record_rating(ctx, _sale(ctx), 2, "너무 오래 기다렸어요")
    ratings.record_rating(ctx, _sale(ctx, "010-2222-3333"), 9)  # not an alert
    low = [i for i in sync.needs_attention(ctx) if i.kind == "low_rating"]
    assert len(low) == 1
    assert low[0].detail["score"] == 2 and "5678" in (low[0].phone_masked or "")
    from app.services import fraud

    sentence = fraud.describe(low[0], "ko")
    assert "2점" in sentence and "너무 오래 기다렸어요" in sentence and "5678" in sentence
    assert "rated the visit" in fraud.describe(low[0], "en")
    ctx.fixed_now = START + timedelta(days=ratings.LOW_SCORE_DAYS + 1)  # an old one goes
    assert not [i for i in sync.needs_attention(ctx) if i.kind == "low_rating"]


def test_erasing_a_member_takes_their_words_and_keeps_the_score(ctx: Context) -> None:
    sale = _sale(ctx)
    ratings.record_rating(ctx, sale, 4, "직원분 이름이 김OO였는데 불친절했어요")
    customers.erase_customer(ctx, customers.resolve_customer(ctx, PHONE))
    (march,) = ratings.nps_by_month(ctx, 1)
    assert (march.answers, march.detractors) == (1, 1)  # still counted
    assert ratings.comments(ctx, "2026-03") == []
    with ctx.db.read() as session:
        assert session.scalars(select(VisitRating.comment)).one() is None


def test_a_sale_long_past_is_not_rated(ctx: Context) -> None:
    sale = _sale(ctx)
    ctx.fixed_now = START + ratings.RATE_WITHIN + timedelta(minutes=1)
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        ratings.record_rating(ctx, sale, 10)
    assert refused.value.code == "rating.too_late" and "24" in refused.value.message("ko")
    assert snapshot(ctx) == before
    ctx.fixed_now = START + ratings.RATE_WITHIN
    assert ratings.record_rating(ctx, sale, 10).score == 10  # the last moment still counts
