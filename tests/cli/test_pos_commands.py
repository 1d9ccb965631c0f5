"""The POS bridge's commands: sale --ref, refund, pos pending, pos token, serve and tap."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.conftest import PHONE, Cli, snapshot
from tests.escpos import escpos, sample


def test_sale_with_a_ref_is_recorded_once(funded: Cli) -> None:
    first = funded.ok("sale", PHONE, "--amount", "12000", "--ref", "30012398")
    before = snapshot(funded.db)
    again = funded.ok("sale", PHONE, "--amount", "12000", "--ref", "30012398")
    assert again["sale_id"] == first["sale_id"] and again["points_earned"] == first["points_earned"]
    assert snapshot(funded.db) == before
    refused = funded.refused("sale", PHONE, "--amount", "9000", "--ref", "30012398")
    assert "30012398" in refused and "다른 내용" in refused
    assert snapshot(funded.db) == before


def test_refund_by_ref_in_text_and_json(funded: Cli) -> None:
    sold = funded.ok("sale", PHONE, "--amount", "12000", "--ref", "S-1")
    part = funded.ok("refund", "S-1", "--amount", "4000", "--ref", "S-1-R1")
    assert part["points_reversed"] == sold["points_earned"] // 3
    assert part["remaining_amount"] == 8000 and part["negative_balance"] is False
    text = funded("refund", "S-1", "--amount", "8000", "--ref", "S-1-R2")
    assert text.code == 0 and "환불 S-1" in text.out and "남은 결제 0원" in text.out
    over = funded.refused("refund", "S-1", "--amount", "1", "--ref", "S-1-R3")
    assert "0원" in over
    unknown = funded.refused("refund", "NOPE", "--amount", "1000", "--ref", "X-1")
    assert "NOPE" in unknown
    ledger = funded("ledger", PHONE).out
    assert "POS 환불" in ledger and " refund " not in ledger  # the entry's kind in words


def test_pos_pending_and_tokens(funded: Cli) -> None:
    assert funded.ok("pos", "pending") == {"pending": []}
    assert "없습니다" in funded("pos", "pending").out
    made = funded.ok("pos", "token", "add", "카운터 POS")
    assert made["name"] == "카운터 POS" and made["token"].startswith("dgl_pos_")
    listed = funded.ok("pos", "token", "list")["tokens"]
    assert [t["name"] for t in listed] == ["카운터 POS"] and made["token"] not in json.dumps(listed)
    # the token may sell and refund, and list what waits; nothing else
    env = {"DANGOL_TOKEN": made["token"]}
    assert funded("sale", PHONE, "--amount", "5000", "--ref", "T-1", env=env).code == 0
    assert funded("refund", "T-1", "--amount", "1000", "--ref", "T-1-R", env=env).code == 0
    assert funded("pos", "pending", env=env).code == 0
    assert funded("pos", "token", "list", env=env).code == 2
    funded.ok("pos", "token", "revoke", "카운터 POS")
    assert funded("sale", PHONE, "--amount", "5000", "--ref", "T-2", env=env).code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dangol(db: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGOL_")}
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
    )


def _wait_line(proc: subprocess.Popen[str], needle: str, timeout: float = 30) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if needle in line:
            return line
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {proc.stderr.read()}")
    raise AssertionError(f"no line with {needle!r}")


def test_serve_answers_over_http_and_stops_on_sigterm(funded: Cli) -> None:
    token = funded.ok("pos", "token", "add", "POS1")["token"]
    port = _free_port()
    proc = _dangol(funded.db, "serve", "--port", str(port))
    try:
        _wait_line(proc, f"127.0.0.1:{port}")
        health = httpx.get(f"http://127.0.0.1:{port}/v1/health")
        assert health.json()["ok"] is True
        sale = httpx.post(
            f"http://127.0.0.1:{port}/v1/sales",
            json={"ref": "H-1", "amount": 12_000, "who": PHONE},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sale.status_code == 201, sale.text
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert funded.ok("pos", "pending") == {"pending": []}


def test_serve_on_a_busy_port_is_a_refusal(funded: Cli) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _dangol(funded.db, "serve", "--port", str(port))
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and str(port) in err and "Traceback" not in err


def test_tap_passes_the_receipt_on_and_records_it_pending(funded: Cli) -> None:
    printer = socket.socket()
    printer.bind(("127.0.0.1", 0))
    printer.listen()
    printer_port = printer.getsockname()[1]
    listen = _free_port()
    proc = _dangol(
        funded.db,
        "tap",
        "--listen",
        f"127.0.0.1:{listen}",
        "--forward",
        f"127.0.0.1:{printer_port}",
    )
    receipt = escpos(sample("card-sale.txt"))
    try:
        _wait_line(proc, f"127.0.0.1:{listen}")
        with socket.create_connection(("127.0.0.1", listen)) as pos_side:
            pos_side.sendall(receipt)
            pos_side.shutdown(socket.SHUT_WR)
            printer.settimeout(10)
            conn, _ = printer.accept()
            received = b""
            with conn:
                while chunk := conn.recv(65536):
                    received += chunk
        assert received == receipt
        line = _wait_line(proc, "30012398")
        assert "20,500" in line and "적립 대기" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
        printer.close()
    pending = funded.ok("pos", "pending")["pending"]
    assert [(p["ref"], p["amount"], p["source"]) for p in pending] == [("30012398", 20_500, "tap")]
