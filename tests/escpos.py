"""ESC/POS bytes as a Korean POS sends them, built from the sample receipt texts."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "domain" / "receipts"
ESC_INIT = b"\x1b@"
CUT = b"\x1dV\x42\x03"


def escpos(text: str, *, logo: bool = True, qr: bool = True) -> bytes:
    """Bytes as a Korean POS sends them: init, a raster logo, sizes, FS & around Korean, a cut."""
    out = bytearray(ESC_INIT)
    if logo:  # GS v 0: 4 bytes wide, 3 rows, with bytes that look like commands and line feeds
        out += b"\x1dv0\x00\x04\x00\x03\x00" + bytes([0x0A, 0x1B, 0x40, 0x1D] * 3)
    for number, line in enumerate(text.splitlines()):
        out += b"\x1ba" + bytes([1 if number == 0 else 0])
        if number == 0:
            out += b"\x1d!\x11"
        out += b"\x1c&" + line.encode("cp949") + b"\x1c."
        if number == 0:
            out += b"\x1d!\x00"
        out += b"\n"
    if qr:  # GS ( k: store a QR payload, then print it
        payload = b"https://example.invalid/r/0042\n"
        size = len(payload) + 3
        out += b"\x1d(k" + bytes([size % 256, size // 256]) + b"\x31\x50\x30" + payload
        out += b"\x1d(k\x03\x00\x31\x51\x30"
    out += b"\x1bd\x04" + CUT
    return bytes(out)


def sample(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")
