"""A server that accepts connections but never answers: the counter's central balance check
gives up within its promised 1.5 s and the redemption goes through on the local rule."""

from __future__ import annotations

import time

from app.services import customers, redemptions, sales, sync
from app.services.customers import resolve_customer
from app.sync import server
from tests.sync.conftest import CuttingProxy

PHONE = "01012345678"
MARGIN_S = 0.5


def _timed_redemption(ctx, points: int) -> tuple[float, int]:
    started = time.perf_counter()
    result = redemptions.redeem_points(ctx, resolve_customer(ctx, PHONE), points)
    return time.perf_counter() - started, result.status.points


def test_a_silent_server_never_holds_a_redemption_past_the_promise(
    registers, pg_url: str, proxy: CuttingProxy
) -> None:
    a = registers("A", url=pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"))
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 500_000)  # 10,000 points
    sync.sync_now(a)
    took, left = _timed_redemption(a, 1000)  # answered: the pooled connection is warm
    assert left == 9000
    # a connection already in the pool, then a new one: neither gets an answer
    took_pooled, left_pooled = _silent_redemption(proxy, a)
    server.forget_engine(a.settings["sync.url"])
    took_new, left = _silent_redemption(proxy, a)
    limit = sync.CENTRAL_CHECK_TIMEOUT_S + MARGIN_S
    seen = f"answered {took:.2f} s, pooled {took_pooled:.2f} s, new {took_new:.2f} s"
    assert took_pooled <= limit and took_new <= limit, f"over {limit} s: {seen}"
    assert (left_pooled, left) == (8000, 7000), seen


def _silent_redemption(proxy: CuttingProxy, ctx) -> tuple[float, int]:
    proxy.silent = True
    try:
        return _timed_redemption(ctx, 1000)
    finally:
        proxy.silent = False  # the abandoned question gets its answer, its connection goes back
        for worker in list(sync._stuck.values()):
            worker.join(10)
            assert not worker.is_alive(), "the abandoned balance question never ended"
