"""Visit ratings travel with their sales between registers; an erased member's words go
everywhere."""

from __future__ import annotations

from app.services import customers, ratings, sales, sync
from app.services.customers import resolve_customer
from tests.sync.test_sync import sync_all

PHONE = "010-1234-5678"


def test_a_rating_at_one_register_is_counted_at_the_other(registers) -> None:
    a, b = registers("A"), registers("B")
    who = customers.enroll(a, PHONE, name="김단골").id
    sale = sales.record_sale(a, who, 10_000).sale_id
    ratings.record_rating(a, sale, 3, "자리가 좁아요")
    sync_all(a, b)
    (month,) = ratings.nps_by_month(b, 1)
    assert (month.answers, month.detractors) == (1, 1)
    assert [c.comment for c in ratings.comments(b, month.month)] == ["자리가 좁아요"]
    assert [i.kind for i in sync.needs_attention(b)] == ["low_rating"]  # the owner sees it there

    customers.erase_customer(a, resolve_customer(a, PHONE))
    sync_all(a, b)
    assert ratings.comments(b, month.month) == []  # the words are gone on B too
    assert ratings.nps_by_month(b, 1)[0].answers == 1  # the score still counts
