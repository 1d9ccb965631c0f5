"""Dangol next to a peer: Tryton's point of sale, the same lookups and a sale, alternating.

    .venv/bin/python bench/peer_tryton.py --tryton /path/to/tryton-venv SHOP [SHOP ...]
        [--work DIR] [--parties 5000] [--lookups 300] [--sales 60] [--seed 1]

This script installs nothing. Give it a virtualenv that already holds Tryton, e.g. one made
outside the repository with `python3 -m venv V && V/bin/pip install trytond
trytond-sale-point proteus`. It starts that venv's Python on this same file (`--worker`),
which builds (once, 4-7 minutes here, kept in --work) a Tryton database on the SQLite
backend with the sale_point module, a company, a chart of accounts, a fiscal year, one
product, one POS with a cash payment method and `--parties` parties, each with a 010
mobile number.

Then, for each Dangol SHOP (a file made by bench/build_shop.py, e.g. the 5,000- and the
1,000,000-customer shops; the sale writes into it), the cases run alternating in turns of
`--block` inputs (1: input by input), Dangol in this process and Tryton in the worker, each
timed in its own process (`time.perf_counter`, the pipe between them not counted). Put
--work on another file system than the shops (e.g. /dev/shm) or Dangol's fsync at each
sale also flushes what Tryton wrote (Tryton's backend does not fsync a commit):

* exact phone: Dangol `lean_search(ctx, "010-xxxx-xxxx")`; Tryton
  `Party.find([("contact_mechanisms.value", "=", phone)])` through proteus (in-process, no
  network: the model layer a Tryton client calls);
* last 4 digits: `lean_search(ctx, "5678")`; `Party.find([("contact_mechanisms.value",
  "like", "%5678")], limit=50)`;
* last 4, 50 shown: where both sides find a full list and read what the counter shows of
  each match (its name and number). Random digits find ~0.5 of Tryton's 5,000 parties but
  ~100 of a 1M shop's members (50 shown), so the case above compares different work there.
  Tryton's database also holds `CROWD` parties whose numbers end in the same four digits
  (`CROWD_LAST4`, not otherwise counted), and on a shop where Dangol's random digits find a
  full list of 50, Tryton is asked for those digits and must also return 50; each side then
  reads the 50 names and numbers (Dangol's rows and proteus' records both read lazily);
* a sale: Dangol `record_sale(ctx, customer, amount)` (sale, points and stamps entries,
  figures; committed with synchronous=FULL); Tryton a `sale.point.sale` for the party with
  one product line (Tryton's POS sale names no customer: it has no loyalty), saved, then
  paid in cash through the `pay` wizard (state `done`; not posted to the accounts).
  Tryton's SQLite backend commits with synchronous=NORMAL, Dangol with FULL.

Prints each side's p50 and the ratio Tryton p50 / Dangol p50 (targets: lookups ≥ 100×,
sale ≥ 50×). The two do different work: Tryton's sale also computes taxes and prices and
keeps a POS journal; Dangol's also writes the loyalty ledger and monthly figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

LOOKUP_TARGET = 100.0
SALE_TARGET = 50.0
CROWD = 100  # Tryton parties sharing the last four digits below (a crowded last 4, as at 1M)
CROWD_LAST4 = "7000"
CROWD_NAME = "혼잡"
FULL_LIST = 50  # what both sides return at most (Dangol's MAX_MATCHES)


# --- the Tryton side (runs in the Tryton venv: imports nothing of Dangol) ----------------------


def worker(work: Path, parties: int, seed: int) -> None:
    """Build or reopen the Tryton database, then answer timed requests on stdin/stdout."""
    work.mkdir(parents=True, exist_ok=True)
    os.environ["TRYTOND_DATABASE_URI"] = os.environ["TRYTOND_DATABASE__URI"] = "sqlite://"
    os.environ["TRYTOND_DATABASE__PATH"] = str(work)
    os.environ["DB_NAME"] = "peer"
    started = time.perf_counter()
    from proteus import Model

    built = work / "peer.built"  # the database below is whole: modules, shop, parties
    if built.exists():
        from proteus import config as proteus_config

        proteus_config.set_trytond("peer")
    else:  # Tryton's own test tools: a new database with the modules activated (~4-7 min)
        from trytond.modules.account.tests.tools import create_chart
        from trytond.modules.company.tests.tools import create_company
        from trytond.tests.tools import activate_modules

        activate_modules("sale_point", create_company, create_chart)
    pos, cash, goods = _shop(Model)
    Party = Model.get("party.party")
    have = len(Party.find([("contact_mechanisms.value", "like", "010-%")]))
    phones = _phones(parties, seed)
    if have < parties:
        for start in range(have, parties, 500):
            batch = []
            for index in range(start, min(start + 500, parties)):
                party = Party(name=f"고객 {index:05d}")
                mechanism = party.contact_mechanisms.new()
                mechanism.type = "mobile"
                mechanism.value = phones[index]
                batch.append(party)
            Party.save(batch)
    crowd = len(Party.find([("name", "like", f"{CROWD_NAME} %")]))
    if crowd < CROWD:  # 010-1000-7000, 010-1001-7000, ...: a random number only by chance
        batch = []
        for index in range(crowd, CROWD):
            party = Party(name=f"{CROWD_NAME} {index:03d}")
            mechanism = party.contact_mechanisms.new()
            mechanism.type = "mobile"
            mechanism.value = f"010-{1000 + index:04d}-{CROWD_LAST4}"
            batch.append(party)
        Party.save(batch)
    built.touch()
    _send({"ready": True, "build_s": time.perf_counter() - started, "parties": parties})
    Sale = Model.get("sale.point.sale")
    for line in sys.stdin:
        request = json.loads(line)
        op, arg = request["op"], request.get("arg")
        began = time.perf_counter()
        if op == "phone":
            found = Party.find([("contact_mechanisms.value", "=", arg)])
            answer: Any = len(found)
        elif op == "last4":
            found = Party.find([("contact_mechanisms.value", "like", f"%{arg}")], limit=50)
            answer = len(found)
        elif op == "last4_shown":  # what a counter's list shows of each match
            found = Party.find([("contact_mechanisms.value", "like", f"%{arg}")], limit=50)
            answer = len([(party.name, party.mobile) for party in found])
        elif op == "sale":  # Tryton's POS sale names no customer
            sale = Sale(point=pos)
            item = sale.lines.new()
            item.product = goods
            item.quantity = 1
            item.unit_price = item.unit_gross_price = _decimal(arg)
            sale.save()
            payment = sale.click("pay")
            payment.form.method = cash
            payment.execute("pay")
            answer = sale.state
        elif op == "phones":
            answer = phones
        else:
            answer = None
        _send({"ms": (time.perf_counter() - began) * 1000, "answer": answer})


def _decimal(value: object) -> Any:
    from decimal import Decimal

    return Decimal(str(value))


def _phones(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    numbers = rng.sample(range(10_000_000, 100_000_000), n)
    return [f"010-{str(x)[:4]}-{str(x)[4:]}" for x in numbers]


def _shop(Model: Any) -> tuple[Any, Any, Any]:
    """The fiscal year, a product, a POS and its cash method (made the first time only)."""
    from decimal import Decimal

    POS = Model.get("sale.point")
    PaymentMethod = Model.get("sale.point.payment.method")
    Product = Model.get("product.product")
    found = POS.find([("name", "=", "POS")])
    if found:
        (cash,) = PaymentMethod.find([("name", "=", "Cash")])
        (goods,) = Product.find([("name", "=", "Americano")])
        return found[0], cash, goods
    from trytond.modules.account.tests.tools import create_fiscalyear, get_accounts
    from trytond.modules.account_invoice.tests.tools import set_fiscalyear_invoice_sequences

    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear())
    fiscalyear.click("create_period")
    accounts = get_accounts()
    category = Model.get("product.category")(name="Drinks")
    category.accounting = True
    category.account_revenue = accounts["revenue"]
    category.save()
    (unit,) = Model.get("product.uom").find([("name", "=", "Unit")])
    template = Model.get("product.template")()
    template.name = "Americano"
    template.default_uom = unit
    template.type = "goods"
    template.salable = True
    template.account_category = category
    template.gross_price = Decimal("4500")
    template.save()
    (goods,) = template.products
    (journal,) = Model.get("account.journal").find([("type", "=", "revenue")], limit=1)
    Location = Model.get("stock.location")
    pos = POS(name="POS")
    pos.journal = journal
    sequence = Model.get("ir.sequence.strict")(name="POS", company=pos.company)
    (sequence.sequence_type,) = Model.get("ir.sequence.type").find([("name", "=", "POS")])
    sequence.save()
    pos.sequence = sequence
    (pos.storage_location,) = Location.find([("code", "=", "STO")])
    (pos.customer_location,) = Location.find([("code", "=", "CUS")])
    pos.save()
    cash = PaymentMethod(name="Cash")
    cash.account = accounts["cash"]
    cash.cash = True
    cash.save()
    return pos, cash, goods


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


# --- the Dangol side ------------------------------------------------------------------------


class Peer:
    """The Tryton worker process, one request at a time."""

    def __init__(self, python: Path, args: argparse.Namespace) -> None:
        command = [str(python), str(Path(__file__).resolve()), "--worker", "--work", str(args.work)]
        command += ["--parties", str(args.parties), "--seed", str(args.seed)]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the Tryton worker stopped (exit {self.process.wait()})")
        return dict(json.loads(line))

    def ask(self, op: str, arg: object = None, **more: object) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, "arg": arg, **more}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def compare(peer: Peer, shop: Path, args: argparse.Namespace) -> list[tuple[str, float, float]]:
    """Dangol on one shop and Tryton alternating: (case, dangol p50 ms, tryton p50 ms)."""
    import sqlite3
    import uuid

    from app.services.context import open_shop
    from app.services.customers import lean_search
    from app.services.sales import record_sale

    rng = random.Random(args.seed)
    raw = sqlite3.connect(f"file:{shop}?mode=ro", uri=True)
    (count,) = raw.execute("SELECT MAX(rowid) FROM customers").fetchone()
    picked = [
        (row[0], uuid.UUID(hex=row[1]))
        for _ in range(args.lookups + args.sales)
        for row in raw.execute(
            "SELECT phone, id FROM customers WHERE rowid = ? AND status = 'active'",
            (rng.randint(1, count),),
        )
    ]
    raw.close()
    tryton_phones = list(peer.ask("phones")["answer"])
    ctx = open_shop(str(shop), create=False, use_env_clock=False)
    out = []
    try:

        def dashed(national: str) -> str:
            return f"{national[:3]}-{national[3:7]}-{national[7:]}"

        phone_pairs = [(dashed(p), rng.choice(tryton_phones)) for p, _ in picked[: args.lookups]]
        out.append(
            alternate(
                "exact phone",
                lambda pair: lean_search(ctx, pair[0]),
                lambda pair: _expect(peer.ask("phone", pair[1]), 1),  # one party found
                phone_pairs,
                args.block,
            )
        )
        digits = [f"{rng.randrange(10_000):04d}" for _ in range(args.lookups)]
        out.append(
            alternate(
                "last 4 digits",
                lambda d: lean_search(ctx, d),
                lambda d: peer.ask("last4", d),
                digits,
                args.block,
            )
        )
        full = [d for d in digits if len(lean_search(ctx, d)) == FULL_LIST]
        if len(full) >= len(digits) // 2:  # a crowded shop: the same size of answer
            out.append(
                alternate(
                    "last 4, 50 shown",
                    lambda d: _shown(lean_search(ctx, d)),
                    lambda d: _expect(peer.ask("last4_shown", CROWD_LAST4), FULL_LIST),
                    full,
                    args.block,
                )
            )
        sales = [(who, rng.choice((4500, 6000, 12500))) for _, who in picked[args.lookups :]]
        out.append(
            alternate(
                "sale",
                lambda s: record_sale(ctx, s[0], s[1]),
                lambda s: _expect(peer.ask("sale", s[1]), "done"),  # paid
                sales,
                args.block,
            )
        )
    finally:
        ctx.close()
    return out


def _expect(reply: dict[str, Any], answer: object) -> dict[str, Any]:
    if reply["answer"] != answer:
        raise SystemExit(f"Tryton answered {reply['answer']!r}, not {answer!r}")
    return reply


def _shown(found: list[Any]) -> list[tuple[Any, Any]]:
    """What the counter's list shows of each match: its name and number."""
    if len(found) != FULL_LIST:
        raise SystemExit(f"Dangol found {len(found)}, not {FULL_LIST}")
    return [(row.name, row.phone) for row in found]


def alternate(
    name: str, ours: Any, theirs: Any, inputs: list[Any], block: int
) -> tuple[str, float, float]:
    """Dangol's calls and Tryton's in turns of `block` inputs, after three untimed of each.

    Turns of one input each put every call behind the other process's work: its caches
    cold, its fsync behind the other's dirty pages. Short turns keep both under the same
    load of the machine, each running as it does in use (a process of its own, warm)."""
    for item in inputs[:3]:
        ours(item)
        theirs(item)
    mine, peer = [], []
    rest = inputs[3:]
    for start in range(0, len(rest), block):
        turn = rest[start : start + block]
        for item in turn:
            began = time.perf_counter()
            ours(item)
            mine.append((time.perf_counter() - began) * 1000)
        for item in turn:
            peer.append(float(theirs(item)["ms"]))
    return name, statistics.median(mine), statistics.median(peer)


def render(shop: Path, rows: list[tuple[str, float, float]]) -> str:
    lines = [f"{shop.name}: Dangol vs Tryton 8.2 sale_point (p50, ms)"]
    lines.append(f"  {'case':<16}{'dangol':>10}{'tryton':>10}{'tryton/dangol':>15}   target")
    for name, mine, peer in rows:
        target = SALE_TARGET if name == "sale" else LOOKUP_TARGET
        verdict = "PASS" if peer / mine >= target else "FAIL"
        lines.append(
            f"  {name:<16}{mine:>10.3f}{peer:>10.2f}{peer / mine:>14.0f}x   ≥ {target:g}x {verdict}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shops", nargs="*", type=Path, help="Dangol shops (they get sales)")
    parser.add_argument("--tryton", type=Path, help="a virtualenv that holds Tryton")
    parser.add_argument("--work", type=Path, default=Path("bench/data/tryton"))
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--sales", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--block", type=int, default=20, help="inputs per turn of each side")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    if args.worker:
        worker(args.work, args.parties, args.seed)
        return 0
    if args.tryton is None or not args.shops:
        raise SystemExit("give --tryton VENV and at least one Dangol shop (see --help)")
    python = args.tryton / "bin" / "python"
    if not python.exists():
        raise SystemExit(f"{python} is missing: make the venv first (see --help)")
    peer = Peer(python, args)
    print(
        f"Tryton database ready in {peer.ready['build_s']:.1f} s "
        f"({peer.ready['parties']:,} parties, in {args.work})",
        file=sys.stderr,
    )
    from warm import warm  # bench/warm.py: the shop in the page cache, as in use

    try:
        for shop in args.shops:
            print(f"{shop.name}: page cache warmed in {warm(shop):.1f} s", file=sys.stderr)
            print(render(shop, compare(peer, shop.resolve(), args)))
    finally:
        peer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
