"""The slip for ESC/POS printers: drawn as a 1-bit raster with the bundled font (Hangul-safe).

Korean-model printers only know the 2,350 EUC-KR syllables and python-escpos's text() prints
"??" for Hangul, so the slip is sent as an image (GS v 0); raw CP949 text is the fast option.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from escpos.printer import Dummy
from PIL import Image, ImageDraw, ImageFont

from app.domain.slip import SlipData
from app.printing.fonts import pil_font
from app.printing.qr import QUIET_ZONE, qr_matrix
from app.printing.slip_layout import Block, Progress, Qr, Row, Rule, Stamps, Text, slip_blocks

DOTS = {58: 384, 80: 576}  # 8 dots per mm over the printable 48 / 72 mm
SIZES_PX = {
    58: {"title": 36, "big": 28, "body": 24, "small": 20},
    80: {"title": 44, "big": 32, "body": 28, "small": 22},
}
SIDE_PX = 4
MAX_HEIGHT_PX = 6000
ESC_INIT = b"\x1b@"
FS_KOREAN = b"\x1c&"  # double-byte (KS C 5601) mode on Korean models


@dataclass
class _Pen:
    """Where the next block goes on the raster."""

    draw: ImageDraw.ImageDraw
    width: int
    sizes: dict[str, int]
    y: int = 8


def _font(pen: _Pen, size: str, bold: bool) -> ImageFont.FreeTypeFont:
    return pil_font(pen.sizes[size], bold=bold)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break at spaces, and inside a word only when the word alone is too wide."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if font.getlength(line + ch) > width and line:
                lines.append(line)
                line = ""
            line += ch
    lines.append(line)
    return lines


def _text(pen: _Pen, block: Text) -> None:
    font = _font(pen, block.size, block.bold)
    usable = pen.width - 2 * SIDE_PX
    for line in _wrap(block.text, font, usable):
        x = SIDE_PX if block.align == "left" else (pen.width - font.getlength(line)) / 2
        pen.draw.text((x, pen.y), line, font=font, fill=0)
        pen.y += int(pen.sizes[block.size] * 1.3)


def _row(pen: _Pen, block: Row) -> None:
    label_font = _font(pen, block.size, False)
    value_font = _font(pen, block.size, block.bold)
    pen.draw.text((SIDE_PX, pen.y), block.label, font=label_font, fill=0)
    x = pen.width - SIDE_PX - value_font.getlength(block.value)
    pen.draw.text((x, pen.y), block.value, font=value_font, fill=0)
    pen.y += int(pen.sizes[block.size] * 1.35)


def _rule(pen: _Pen, block: Rule) -> None:
    pen.y += 8
    if block.heavy:
        pen.draw.rectangle((SIDE_PX, pen.y, pen.width - SIDE_PX, pen.y + 2), fill=0)
    else:
        for x in range(SIDE_PX, pen.width - SIDE_PX, 8):
            pen.draw.rectangle((x, pen.y, x + 3, pen.y + 1), fill=0)
    pen.y += 12


def _stamps(pen: _Pen, block: Stamps) -> None:
    diameter = 30 if pen.width == DOTS[58] else 38
    pitch = diameter + diameter // 3
    rows = max(1, -(-block.goal * pitch // (pen.width - 2 * SIDE_PX)))
    per_row = -(-block.goal // rows)
    x0 = (pen.width - per_row * pitch) // 2 + (pitch - diameter) // 2
    for i in range(block.goal):
        row, col = divmod(i, per_row)
        x, y = x0 + col * pitch, pen.y + row * pitch
        box = (x, y, x + diameter, y + diameter)
        pen.draw.ellipse(box, fill=0 if i < block.filled else 255, outline=0, width=3)
    pen.y += -(-block.goal // per_row) * pitch + 4


def _progress(pen: _Pen, block: Progress) -> None:
    height = 16
    left, right = SIDE_PX, pen.width - SIDE_PX
    top = pen.y + 4
    pen.draw.rounded_rectangle((left, top, right, top + height), radius=8, outline=0, width=2)
    filled = (right - left) * block.done // block.total if block.total else right - left
    if filled:
        box = (left, top, left + max(height, filled), top + height)
        pen.draw.rounded_rectangle(box, radius=8, fill=0)
    pen.y += height + 12


def _qr(pen: _Pen, block: Qr) -> None:
    """The link's QR in whole dots a module (3 on 58 mm, 4 on 80 mm), the caption under it."""
    matrix = qr_matrix(block.payload, "L")
    modules = len(matrix) + 2 * QUIET_ZONE
    dot = max(2, min(4, (pen.width - 2 * SIDE_PX) // modules))
    left = (pen.width - modules * dot) // 2 + QUIET_ZONE * dot
    top = pen.y + QUIET_ZONE * dot
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * dot, top + r * dot
                pen.draw.rectangle((x, y, x + dot - 1, y + dot - 1), fill=0)
    pen.y += modules * dot
    _text(pen, Text(block.caption, "small"))


_PAINTERS = {
    Text: _text,
    Row: _row,
    Rule: _rule,
    Stamps: _stamps,
    Progress: _progress,
    Qr: _qr,
}


def slip_image(slip: SlipData, width: int = 80) -> Image.Image:
    """The slip as a black-and-white image exactly as wide as the print head."""
    dots = DOTS[width]
    image = Image.new("L", (dots, MAX_HEIGHT_PX), 255)
    pen = _Pen(ImageDraw.Draw(image), dots, SIZES_PX[width])
    for block in slip_blocks(slip):
        paint_block(pen, block)
    pen.y += 24
    cropped = image.crop((0, 0, dots, min(pen.y, MAX_HEIGHT_PX)))
    # a hard threshold: thermal heads print dots, dithered grey text would look fuzzy
    return cropped.point(lambda v: 255 if v >= 128 else 0).convert("1")


def paint_block(pen: _Pen, block: Block) -> None:
    _PAINTERS[type(block)](pen, block)  # type: ignore[operator]


def _printer(width: int) -> Dummy:
    printer = Dummy()
    # the default profile's data is shared by every printer object: copy before setting
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = DOTS[width]
    printer.profile.profile_data = data
    return printer


def slip_escpos(slip: SlipData, width: int = 80, *, cut: bool = True) -> bytes:
    """ESC @, the slip as a raster image (GS v 0), a feed and a cut."""
    printer = _printer(width)
    printer._raw(ESC_INIT)
    printer.image(slip_image(slip, width), impl="bitImageRaster", center=False)
    if cut:
        printer.cut()
    return bytes(printer.output)


def _text_lines(slip: SlipData, columns: int) -> list[str]:
    lines: list[str] = []
    for block in slip_blocks(slip):
        if isinstance(block, Text):
            lines.append(block.text)
        elif isinstance(block, Row):
            gap = max(1, columns - _cells(block.label) - _cells(block.value))
            lines.append(block.label + " " * gap + block.value)
        elif isinstance(block, Rule):
            lines.append(("=" if block.heavy else "-") * columns)
        elif isinstance(block, Stamps):
            lines.append("●" * block.filled + "○" * (block.goal - block.filled))
    return lines


def _cells(text: str) -> int:
    """Columns a line takes on the printer: Hangul and symbols are double width."""
    return sum(1 if ch.isascii() else 2 for ch in text)


# CP949 has no U+20A9 (the won sign of an English slip, "₩12,500"); its full-width twin is in
_CP949_STAND_INS = str.maketrans({"\u20a9": "\uffe6"})


def slip_escpos_text(slip: SlipData, width: int = 80) -> bytes:
    """Raw CP949 text: faster, but syllables outside EUC-KR (똠, 뷁) print as "?"."""
    columns = 48 if width == 80 else 32
    body = ("\n".join(_text_lines(slip, columns)) + "\n").translate(_CP949_STAND_INS)
    printer = _printer(width)
    printer._raw(ESC_INIT + FS_KOREAN)
    printer._raw(body.encode("cp949", errors="replace"))
    printer.cut()
    return bytes(printer.output)


def send_to_device(data: bytes, device: str | Path) -> None:
    """Write raw bytes to a printer device or a file (e.g. /dev/usb/lp0, \\\\.\\COM3, out.bin)."""
    with open(device, "wb") as handle:
        handle.write(data)
