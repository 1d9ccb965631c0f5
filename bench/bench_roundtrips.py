"""Database round trips of one sale at the counter, counted with SQLAlchemy's event hooks.

    .venv/bin/python bench/bench_roundtrips.py [--members 50] [--sales 200]

On a small generated shop (SQLite file in a temporary folder, auto_print_slip on), one sale
as the counter screen makes it: the sale, then whatever the screen asks for to show the new
balances and to print the slip. Counts the transactions opened, the SQL statements, the times
the program in force is read and the times a customer's balances are summed.
Works against the code before issue 10 (services take a WHO string, the screen reloads the
customer and renders the slip itself) and after it (services take an id and return all).
"""

from __future__ import annotations

import argparse
import inspect
import random
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event

from app.services import customers, sales
from app.services.customers import resolve_customer

try:  # after issue 10
    from app.services.context import open_shop
except ImportError:  # before it
    from app.services.shop import open_shop  # type: ignore[no-redef]

PROGRAM = re.compile(r"\bFROM program_versions\b")
# the FIFO sums of app.services.ledger.balances: four sums over one customer's ledger
BALANCES = re.compile(r"sum\(ledger_entries\.points\).*sum\(ledger_entries\.stamps\)", re.S)


class Counts:
    def __init__(self) -> None:
        self.on = False
        self.figures: Counter[str] = Counter()

    def statement(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not self.on:
            return
        self.figures["statements"] += 1
        if PROGRAM.search(statement):
            self.figures["program reads"] += 1
        if BALANCES.search(statement):
            self.figures["balance sums"] += 1

    def begin(self, conn):  # type: ignore[no-untyped-def]
        if self.on:
            self.figures["transactions"] += 1


def build(path: Path, members: int, sales_count: int, seed: int = 7) -> list[str]:
    start = datetime(2025, 3, 1, 10, tzinfo=UTC)
    ctx = open_shop(str(path), now=start, use_env_clock=False)
    rng = random.Random(seed)
    ids = []
    for n in range(members):
        enrolled = customers.enroll(ctx, f"010{rng.randrange(2000, 9999)}{n:04d}", name="손님")
        ids.append(str(enrolled.id))
    for n in range(sales_count):
        ctx.fixed_now = start + timedelta(minutes=5 * n)
        _sale(ctx, rng.choice(ids), rng.randrange(1, 60) * 1000)
    ctx.settings["auto_print_slip"] = True
    ctx.close()
    return ids


def _new_api() -> bool:
    return "customer_id" in inspect.signature(sales.record_sale).parameters


def _sale(ctx, who: str, amount: int):  # type: ignore[no-untyped-def]
    import uuid

    if _new_api():
        return sales.record_sale(ctx, resolve_customer(ctx, uuid.UUID(who)), amount)
    return sales.record_sale(ctx, resolve_customer(ctx, who), amount)


def counter_sale(ctx, who: str, amount: int) -> None:  # type: ignore[no-untyped-def]
    """What the counter screen runs for one sale, the slip printed automatically."""
    import uuid

    if _new_api():
        from app.services.slips import render_slip

        result = sales.record_sale(
            ctx, resolve_customer(ctx, uuid.UUID(who)), amount, with_slip=True
        )
        assert result.status is not None and result.slip is not None
        render_slip(ctx, result.slip)
        return
    from app.ui.slip_printer import render_slip as old_render_slip

    result = sales.record_sale(ctx, resolve_customer(ctx, who), amount)
    old_render_slip(ctx, str(result.sale_id))  # _done: auto_print_slip
    customers.customer_status(ctx, resolve_customer(ctx, who))  # _done: refresh()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.sqlite"
        ids = build(path, args.members, args.sales)
        ctx = open_shop(str(path), now=datetime(2025, 4, 1, 12, tzinfo=UTC), use_env_clock=False)
        ctx.settings["auto_print_slip"] = True
        counts = Counts()
        event.listen(ctx.db.engine, "before_cursor_execute", counts.statement)
        event.listen(ctx.db.engine, "begin", counts.begin)
        rng = random.Random(11)
        counter_sale(ctx, rng.choice(ids), 12_000)  # warm: caches and compiled statements
        counts.on = True
        for _ in range(args.repeat):
            counter_sale(ctx, rng.choice(ids), rng.randrange(1, 60) * 1000)
        counts.on = False
        api = "ids, one call" if _new_api() else "WHO strings, sale + status + slip"
        print(f"one counter sale ({api}), mean of {args.repeat}:")
        for key in ("transactions", "statements", "program reads", "balance sums"):
            print(f"  {key:14} {counts.figures[key] / args.repeat:g}")
        if _new_api():
            print(f"statements of one use case (issue 17), mean of {args.repeat}:")
            print(f"  {'':24} {'statements':>10} {'program reads':>14} {'balance sums':>13}")
            for name, figures in use_cases(ctx, ids, counts, args.repeat, rng).items():
                line = (figures[k] / args.repeat for k in ("statements", PROGRAM_READS, SUMS))
                print(f"  {name:24} {next(line):10g} {next(line):14g} {next(line):13g}")
        ctx.close()


PROGRAM_READS, SUMS = "program reads", "balance sums"


def use_cases(ctx, ids, counts, repeat, rng):  # type: ignore[no-untyped-def]
    """A sale, a points redemption and a void, each counted alone (BEGIN counted, COMMIT not)."""
    import uuid

    from app.services import redemptions

    out = {}
    for name in ("sale (record_sale)", "redemption (points)", "void of a sale"):
        totals: Counter[str] = Counter()
        for _ in range(repeat):
            who = uuid.UUID(rng.choice(ids))
            if name.startswith("redemption"):
                sales.record_sale(ctx, who, 100_000)  # enough points to spend
            if name.startswith("void"):
                sale_id = sales.record_sale(ctx, who, 30_000).sale_id
            counts.figures.clear()
            counts.on = True
            if name.startswith("sale"):
                sales.record_sale(ctx, who, rng.randrange(1, 60) * 1000)
            elif name.startswith("redemption"):
                redemptions.redeem_points(ctx, who, 1000)
            else:
                sales.void_action(ctx, str(sale_id))
            counts.on = False
            totals.update(counts.figures)
        out[name] = totals
    return out


if __name__ == "__main__":
    main()
