"""The receipt-printer tap: poses as the shop's network receipt printer for a POS with no API.

Every byte the POS sends goes on to the real printer at once and unchanged, and every byte
the printer answers (status) goes back to the POS; a copy of what the POS sent is cut into
receipts (at a paper cut, or when the POS closes the connection or pauses) and handed to
``on_receipt`` on a worker thread of its own. Reading the copy can fail, be slow or find the
database busy: the bytes to the printer never wait for it.

``forward`` is ``HOST:PORT`` (a network printer, usually port 9100) or a device path (a
serial or USB printer's device file, written as it comes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.domain.receipts import find_cut, printable_text

log = logging.getLogger(__name__)

PAUSE_SECONDS = 1.5  # a POS that stops sending for this long has finished its receipt
MAX_RECEIPT_BYTES = 4 * 1024 * 1024  # a copy larger than this is dropped, not read


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, default_port: int = 9100) -> Address:
        host, sep, port = text.rpartition(":")
        if not sep:
            return cls(text, default_port)
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"not a port: {port!r}")
        return cls(host.strip("[]") or "127.0.0.1", int(port))


def is_device(forward: str) -> bool:
    """A device path (/dev/usb/lp0, COM3, \\\\.\\COM3) rather than HOST:PORT."""
    return forward.startswith(("/", "\\\\")) or forward.upper().startswith("COM")


class ReceiptCutter:
    """Cuts the stream of one connection into receipts: at each paper cut, and at the end.

    The stream is walked command by command (``find_cut``), so bytes of a logo or a QR code
    that happen to read GS V are not a cut, and a command split across two reads is waited for.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.scanned = 0
        self.overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        if self.overflow:
            return []
        self.buffer += data
        done: list[bytes] = []
        while True:
            end, self.scanned = find_cut(bytes(self.buffer), self.scanned)
            if end is None:
                break
            receipt = bytes(self.buffer[:end])
            del self.buffer[:end]
            self.scanned = 0
            if _has_content(receipt):
                done.append(receipt)
        if len(self.buffer) > MAX_RECEIPT_BYTES:
            self.overflow = True  # not a receipt: dropped until the connection ends
            self.buffer.clear()
            self.scanned = 0
        return done

    def flush(self) -> bytes | None:
        receipt = bytes(self.buffer)
        overflow = self.overflow
        self.buffer.clear()
        self.scanned = 0
        self.overflow = False
        if overflow or not _has_content(receipt):
            return None
        return receipt


def _has_content(receipt: bytes) -> bool:
    """Text to read, not only commands (an init, a status request, a cut)."""
    return bool(printable_text(receipt).strip())


class ReceiptWorker:
    """Reads receipts off the relay's path: a queue and one thread that calls ``on_receipt``."""

    def __init__(self, on_receipt: Callable[[bytes], None]) -> None:
        self._on_receipt = on_receipt
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="dangol-tap-receipts", daemon=True)
        self.handled = 0
        self.failed = 0
        self._thread.start()

    def put(self, receipt: bytes) -> None:
        self._queue.put_nowait(receipt)

    def _run(self) -> None:
        while True:
            receipt = self._queue.get()
            try:
                if receipt is None:
                    return
                try:
                    self._on_receipt(receipt)
                    self.handled += 1
                except Exception:  # a receipt that cannot be read never stops the tap
                    self.failed += 1
                    log.exception("receipt not read (%d bytes)", len(receipt))
            finally:
                self._queue.task_done()

    def drain(self) -> None:
        """Wait until every receipt handed over so far is handled (tests, shutdown)."""
        self._queue.join()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)


class Tap:
    """The relay: ``await tap.start()`` then ``await tap.serve_forever()`` (or use ``run``)."""

    def __init__(
        self,
        listen: Address,
        forward: str,
        on_receipt: Callable[[bytes], None],
        *,
        pause: float = PAUSE_SECONDS,
    ) -> None:
        self.listen = listen
        self.forward = forward
        self.pause = pause
        self.worker = ReceiptWorker(on_receipt)
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.connections = 0

    @property
    def port(self) -> int:
        """The port really listened on (``listen.port`` 0 asks the system for a free one)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._serve_pos, self.listen.host, self.listen.port
        )

    async def serve_forever(self) -> None:
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening, let the receipts being printed finish (2 s at most), stop reading."""
        if self._server is not None:
            self._server.close()
        if self._handlers:
            _, late = await asyncio.wait(self._handlers, timeout=2)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        self.worker.stop()

    async def _serve_pos(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        cutter = ReceiptCutter()
        try:
            if is_device(self.forward):
                await self._to_device(reader, cutter)
            else:
                await self._to_printer(reader, writer, cutter)
        finally:
            rest = cutter.flush()
            if rest:
                self.worker.put(rest)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _copy(self, cutter: ReceiptCutter, data: bytes) -> None:
        try:
            for receipt in cutter.feed(data):
                self.worker.put(receipt)
        except Exception:  # the copy is ours; its trouble never reaches the printer
            log.exception("receipt copy failed")

    async def _read(self, reader: asyncio.StreamReader, cutter: ReceiptCutter) -> bytes:
        """The next bytes from the POS; a pause ends the receipt being read (not the link)."""
        while True:
            try:
                return await asyncio.wait_for(reader.read(65536), timeout=self.pause)
            except TimeoutError:
                rest = cutter.flush()
                if rest:
                    self.worker.put(rest)

    async def _to_printer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, cutter: ReceiptCutter
    ) -> None:
        target = Address.parse(self.forward)
        try:
            printer_reader, printer_writer = await asyncio.open_connection(target.host, target.port)
        except OSError:
            log.warning("printer %s unreachable: the POS is told by a closed line", self.forward)
            # the receipt is still read, so a sale is not lost while the printer is off
            while data := await self._read(reader, cutter):
                self._copy(cutter, data)
            return

        async def back() -> None:  # the printer's status answers, back to the POS
            try:
                while data := await printer_reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass

        answers = asyncio.create_task(back())
        try:
            while data := await self._read(reader, cutter):
                printer_writer.write(data)  # first the printer, then the copy
                await printer_writer.drain()
                self._copy(cutter, data)
        except (ConnectionError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                printer_writer.write_eof()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(answers, timeout=2)
            answers.cancel()
            printer_writer.close()
            with contextlib.suppress(Exception):
                await printer_writer.wait_closed()

    async def _to_device(self, reader: asyncio.StreamReader, cutter: ReceiptCutter) -> None:
        device = Path(self.forward)
        loop = asyncio.get_running_loop()
        handle = await loop.run_in_executor(None, lambda: open(device, "ab", buffering=0))  # noqa: SIM115
        try:
            while data := await self._read(reader, cutter):
                await loop.run_in_executor(None, handle.write, data)
                self._copy(cutter, data)
        finally:
            handle.close()


def run(tap: Tap, ready: Callable[[int], None] | None = None) -> None:
    """Run the tap until interrupted (the CLI's `dangol tap`)."""

    async def main() -> None:
        await tap.start()
        if ready is not None:
            ready(tap.port)
        try:
            await tap.serve_forever()
        finally:
            await tap.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
