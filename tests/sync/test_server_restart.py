"""A central server that goes down and comes back: nothing lost, nothing twice.

The machine's own PostgreSQL is never touched: the test starts a throwaway cluster of its
own (initdb in a temporary folder, its own port) and stops and starts that one.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import Refused
from app.services import customers, sales, sync
from app.services.customers import resolve_customer
from app.sync import server

PHONE = "010-1234-5678"


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    return found[-1] or None


def _as_owner(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; the postgres system user runs them then
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnCluster:
    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not (self.initdb and self.pg_ctl):
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.dir = Path(tempfile.mkdtemp(prefix="dangol-pg-"))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        subprocess.run(
            _as_owner(
                [self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off"
        )
        subprocess.run(
            _as_owner(
                [
                    self.pg_ctl,
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.dir / "log"),
                    "-w",
                    *args,
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def remove(self) -> None:
        with_stop = (self.data / "postmaster.pid").exists()
        if with_stop:
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[OwnCluster]:
    own = OwnCluster()
    own.start()
    try:
        yield own
    finally:
        server.forget_engine(own.url)
        own.remove()


def test_sync_survives_a_server_restart(registers, cluster: OwnCluster) -> None:
    a, b = registers("A", url=cluster.url), registers("B", url=cluster.url)
    customers.enroll(a, PHONE)
    sales.record_sale(a, resolve_customer(a, PHONE), 10_000)
    sync.sync_now(a)
    sync.sync_now(b)
    assert customers.customer_status(b, resolve_customer(b, PHONE)).points == 200

    cluster.stop()
    sales.record_sale(
        a, resolve_customer(a, PHONE), 20_000
    )  # the counter goes on while the server is down
    with pytest.raises(Refused) as refused:
        sync.sync_now(a)
    assert refused.value.code == "sync.unreachable"
    status = sync.sync_status(a)
    assert status.pending > 0 and status.last_error and not status.in_sync

    cluster.start()
    for _ in range(3):  # the first try may meet a connection the restart broke
        try:
            sync.sync_now(a)
            break
        except Refused:
            continue
    sync.sync_now(b)
    assert sync.sync_status(a).in_sync
    for ctx in (a, b):
        status = customers.customer_status(ctx, resolve_customer(ctx, PHONE))
        assert status.points == 600 and status.stamps == 2
