"""The chain load test, short (bench/bench_chain.py): a few registers in two processes record
sales while their workers sync; nothing lost, nothing twice, every ledger as the central one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))


@pytest.mark.postgres
def test_a_few_registers_sync_every_sale_once(pg_available: bool) -> None:
    import bench_chain

    result = bench_chain.run(
        registers=3, processes=2, seconds=4.0, sale_every=0.5, members=5, idle=0.5, settle=8.0
    )
    assert result.sales >= 3 * 4  # each register kept selling: the counter never waited
    assert (result.lost, result.duplicated, result.ledgers_agree) == (0, 0, True)
    # each sale reached both other registers while they ran
    assert result.arrivals >= 2 * result.sales * 0.8
    assert result.changes > result.sales and result.max_connections >= 3
