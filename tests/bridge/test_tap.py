"""The tap between a fake POS and a fake printer, over real sockets: bytes pass unchanged and
at once, receipts are read off the side, and nothing the reading does reaches the printer."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.bridge.tap import Address, ReceiptCutter, Tap
from app.domain.receipts import read_receipt
from tests.escpos import CUT, escpos, sample

STATUS_ASK = b"\x10\x04\x01"  # DLE EOT 1: the POS asks the printer's status
STATUS_OK = b"\x16"


class FakePrinter:
    """A network receipt printer on a free port: keeps every byte, answers status requests."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.first_byte_at: float | None = None
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            if self.first_byte_at is None:
                self.first_byte_at = time.perf_counter()
            self.received += data
            if STATUS_ASK in data:
                writer.write(STATUS_OK)
                await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def pos_prints(port: int, *chunks: bytes, ask_status: bool = False) -> bytes:
    """A POS printing: connect, send, (ask status), close; returns what the 'printer' answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answer = b""
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
    if ask_status:
        writer.write(STATUS_ASK)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(1), timeout=2)
    writer.write_eof()
    await reader.read()  # until the tap closes after the printer did
    writer.close()
    await writer.wait_closed()
    return answer


def run_with_tap(scenario, *, on_receipt, printer: bool = True, forward: str | None = None):
    async def main():
        fake = FakePrinter()
        port = await fake.start() if printer else 1  # port 1: nobody listens there
        tap = Tap(Address("127.0.0.1", 0), forward or f"127.0.0.1:{port}", on_receipt, pause=0.3)
        await tap.start()
        try:
            return await scenario(tap, fake)
        finally:
            await tap.close()
            await fake.close() if printer else None

    return asyncio.run(main())


def test_bytes_arrive_byte_for_byte_and_receipts_are_read():
    receipts = []
    sale = escpos(sample("card-sale.txt"))
    cancel = escpos(sample("card-cancel.txt"))

    async def scenario(tap, printer):
        # the sale arrives in awkward pieces: a command split across two network reads
        answer = await pos_prints(tap.port, sale[:7], sale[7:300], sale[300:], ask_status=True)
        await pos_prints(tap.port, cancel)
        await asyncio.to_thread(tap.worker.drain)
        return answer, bytes(printer.received)

    answer, printed = run_with_tap(scenario, on_receipt=lambda b: receipts.append(read_receipt(b)))
    assert printed == sale + STATUS_ASK + cancel
    assert answer == STATUS_OK  # the printer's status reaches the POS
    assert [(r.amount, r.ref, r.cancel, r.original_ref) for r in receipts] == [
        (20_500, "30012398", False, None),
        (20_500, "30019876", True, "30012398"),
    ]


def test_two_receipts_on_one_connection_are_two_and_a_logo_is_not_a_cut():
    receipts = []
    logo_with_cut_bytes = b"\x1dv0\x00\x02\x00\x02\x00" + b"\x1dV\x1dV"  # raster data "GS V GS V"
    first = escpos(sample("card-sale.txt")).replace(b"\x1b@", b"\x1b@" + logo_with_cut_bytes, 1)
    second = escpos(sample("two-payments-reprint.txt"))

    async def scenario(tap, printer):
        await pos_prints(tap.port, first + second)
        await asyncio.to_thread(tap.worker.drain)
        return bytes(printer.received)

    printed = run_with_tap(scenario, on_receipt=lambda b: receipts.append(read_receipt(b)))
    assert printed == first + second
    assert [(r.ref, r.reprint) for r in receipts] == [("30012398", False), ("77120045", True)]


def test_a_receipt_without_a_cut_ends_at_a_pause():
    receipts = []
    text = escpos(sample("no-approval.txt")).removesuffix(CUT)

    async def scenario(tap, printer):
        _reader, writer = await asyncio.open_connection("127.0.0.1", tap.port)
        writer.write(text)
        await writer.drain()
        await asyncio.sleep(0.8)  # the POS keeps the line open but has finished
        await asyncio.to_thread(tap.worker.drain)
        seen = list(receipts)
        writer.close()
        await writer.wait_closed()
        return seen

    seen = run_with_tap(scenario, on_receipt=lambda b: receipts.append(read_receipt(b)))
    assert [(r.amount, r.ref) for r in seen] == [(5_000, "20260520-1-88")]


def test_slow_or_failing_reading_never_delays_the_printer():
    gate = threading.Event()
    calls = []

    def busy_database(receipt: bytes) -> None:
        calls.append(len(receipt))
        if len(calls) == 1:
            raise RuntimeError("the database is locked")
        gate.wait(timeout=5)  # a reading that takes seconds

    sale = escpos(sample("card-sale.txt"))

    async def scenario(tap, printer):
        await pos_prints(tap.port, sale)
        started = time.perf_counter()
        await pos_prints(tap.port, sale)
        elapsed = time.perf_counter() - started
        gate.set()
        await asyncio.to_thread(tap.worker.drain)
        return elapsed, bytes(printer.received), tap.worker.failed

    elapsed, printed, failed = run_with_tap(scenario, on_receipt=busy_database)
    assert printed == sale + sale
    assert elapsed < 1.0  # the second receipt printed while the first reading was stuck
    assert failed == 1 and len(calls) == 2


def test_printer_off_the_receipt_is_still_read():
    receipts = []

    async def scenario(tap, printer):
        await pos_prints(tap.port, escpos(sample("card-sale.txt")))
        await asyncio.to_thread(tap.worker.drain)

    run_with_tap(scenario, on_receipt=lambda b: receipts.append(read_receipt(b)), printer=False)
    assert [r.ref for r in receipts] == ["30012398"]


def test_a_device_printer_gets_the_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    receipts = []
    sale = escpos(sample("cash-discount.txt"))

    async def scenario(tap, printer):
        await pos_prints(tap.port, sale)
        await asyncio.to_thread(tap.worker.drain)

    run_with_tap(
        scenario, on_receipt=lambda b: receipts.append(read_receipt(b)), forward=str(device)
    )
    assert device.read_bytes() == sale
    assert [r.amount for r in receipts] == [34_200]


def test_cutter_waits_for_a_split_command():
    cutter = ReceiptCutter()
    sale = escpos(sample("card-sale.txt"))
    pieces = [sale[i : i + 5] for i in range(0, len(sale), 5)]
    out = [r for piece in pieces for r in cutter.feed(piece)]
    assert out == [sale] and cutter.flush() is None


def test_addresses():
    assert Address.parse("192.168.0.50:9100") == Address("192.168.0.50", 9100)
    assert Address.parse("printer.local") == Address("printer.local", 9100)
    with pytest.raises(ValueError):
        Address.parse("host:99999")
