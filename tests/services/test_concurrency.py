"""Two processes on one database: no lost update, no point spent twice."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from app.services import customers, sales
from app.services.customers import resolve_customer
from tests.services.helpers import ledger_sum

PHONE = "010-1234-5678"

WORKER = textwrap.dedent(
    """
    import json, sys
    from app.domain.errors import Refused
    from app.services import redemptions, sales
    from app.services.context import open_shop

    url, phone, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    shop = open_shop(url, create=False)
    from app.services.customers import resolve_customer

    customer_id = resolve_customer(shop, phone)
    done = refused = 0
    if mode == "sales":
        for _ in range(25):
            sales.record_sale(shop, customer_id, 10_000)
            done += 1
    else:
        while True:
            try:
                redemptions.redeem_points(shop, customer_id, 1000)
                done += 1
            except Refused as exc:
                assert exc.code == "redeem.insufficient", exc.code
                break
    shop.close()
    print(json.dumps({"done": done}))
    """
)


def _run_pair(url: str, mode: str) -> list[int]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, PHONE, mode],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out)["done"])
    return results


def test_two_processes_never_lose_a_sale_nor_spend_twice(ctx, db_url: str) -> None:
    e = customers.enroll(ctx, PHONE)
    ctx.fixed_now = None  # the workers use the real clock; so do we from here
    assert _run_pair(db_url, "sales") == [25, 25]
    assert ledger_sum(ctx, e.id) == (50 * 200, 50)
    status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
    assert status.points == 10_000
    spent = _run_pair(db_url, "redeem")
    assert sum(spent) == 10  # 10,000 points in 1,000-point redemptions, each exactly once
    assert customers.customer_status(ctx, resolve_customer(ctx, PHONE)).points == 0
    assert ledger_sum(ctx, e.id)[0] == 0
    # the stamps earned by the 50 sales are all there too
    assert sales.record_sale(ctx, resolve_customer(ctx, PHONE), 1000).stamps == 51
