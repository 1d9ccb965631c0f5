"""Reading a Korean POS receipt out of the ESC/POS bytes a POS sends to its printer.

The tap passes every byte on untouched; this module only reads a copy. The bytes are
CP949 text (Korean in double-byte mode between ``FS &`` and ``FS .``) mixed with printer
commands (size, alignment, cut, logos as raster images, barcodes, QR codes). ``printable_text``
drops the commands and decodes the text; ``read_receipt`` finds the amount paid, the
approval or receipt number and whether it is a cancel receipt, by label patterns that are
settings (``ReceiptPatterns``) with defaults that read common Korean POS receipts.

The amount a loyalty program earns on is the amount paid (받을금액 / 결제금액), not the
list total before discounts; the list total (합계금액) is only used when nothing else is
printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10

# Commands with a fixed number of parameter bytes after their second byte.
_ESC_FIXED = {
    0x40: 0,  # ESC @ initialise
    0x21: 1,  # ESC ! print mode
    0x61: 1,  # ESC a alignment
    0x45: 1,  # ESC E emphasis
    0x47: 1,  # ESC G double strike
    0x2D: 1,  # ESC - underline
    0x4D: 1,  # ESC M font
    0x52: 1,  # ESC R international set
    0x74: 1,  # ESC t code table
    0x64: 1,  # ESC d feed n lines
    0x4A: 1,  # ESC J feed
    0x32: 0,  # ESC 2 default line spacing
    0x33: 1,  # ESC 3 line spacing
    0x20: 1,  # ESC SP character spacing
    0x24: 2,  # ESC $ absolute position
    0x5C: 2,  # ESC \ relative position
    0x56: 1,  # ESC V rotation
    0x7B: 1,  # ESC { upside down
    0x63: 2,  # ESC c 3/4/5 sensors
    0x70: 3,  # ESC p drawer kick
    0x69: 0,  # ESC i cut
    0x6D: 0,  # ESC m cut
    0x3D: 1,  # ESC = peripheral
    0x4C: 0,  # ESC L page mode
    0x53: 0,  # ESC S standard mode
    0x54: 1,  # ESC T print direction
    0x55: 1,  # ESC U unidirectional
    0x25: 1,  # ESC % user-defined set
}
_GS_FIXED = {
    0x21: 1,  # GS ! size
    0x42: 1,  # GS B reverse
    0x48: 1,  # GS H HRI position
    0x66: 1,  # GS f HRI font
    0x68: 1,  # GS h barcode height
    0x77: 1,  # GS w barcode width
    0x4C: 2,  # GS L left margin
    0x57: 2,  # GS W print area width
    0x50: 2,  # GS P motion units
    0x61: 1,  # GS a status back
    0x72: 1,  # GS r status
    0x49: 1,  # GS I printer id
    0x62: 1,  # GS b smoothing
    0x2F: 1,  # GS / print downloaded image
    0x3A: 0,  # GS : macro
}
_FS_FIXED = {
    0x26: 0,  # FS & double-byte mode on
    0x2E: 0,  # FS . double-byte mode off
    0x21: 1,  # FS ! double-byte print mode
    0x2D: 1,  # FS - double-byte underline
    0x43: 1,  # FS C code system
    0x53: 2,  # FS S spacing
    0x57: 1,  # FS W quadruple size
    0x70: 2,  # FS p print NV image
}


def _skip_command(data: bytes, i: int) -> int:
    """The index just after the printer command at ``data[i]``; beyond the end when incomplete."""
    lead = data[i]
    if i + 1 >= len(data):
        return len(data) + 1  # the command's second byte has not come yet
    op = data[i + 1]
    n = len(data)
    if lead == ESC:
        if op in (0x2A, 0x26) and i + 4 >= n:
            return n + 1
        if op == 0x2A:  # ESC * m nL nH: bit image, columns × (8 or 24 dots)
            m, nl, nh = data[i + 2], data[i + 3], data[i + 4]
            width = nl + 256 * nh
            return i + 5 + width * (3 if m in (32, 33) else 1)
        if op == 0x26:  # ESC & y c1 c2 [x d1..d(y*x)]...: user characters
            y, c1, c2 = data[i + 2], data[i + 3], data[i + 4]
            j = i + 5
            for _ in range(max(0, c2 - c1 + 1)):
                if j >= n:
                    return n + 1
                j += 1 + y * data[j]
            return j
        return i + 2 + _ESC_FIXED.get(op, 0)
    if lead == GS:
        header = {0x56: 3, 0x76: 8, 0x28: 5, 0x38: 7, 0x6B: 3, 0x2A: 4}.get(op, 0)
        if i + header > n:
            return n + 1  # the command's size fields have not come yet
        if op == 0x56:  # GS V m [n]: cut; m 65/66 and 97..105 take one more byte
            if data[i + 2] in (65, 66, 97, 98, 103, 104):
                return i + 4
            return i + 3
        if op == 0x76:  # GS v 0 m xL xH yL yH d...: raster image
            xl, xh, yl, yh = data[i + 4], data[i + 5], data[i + 6], data[i + 7]
            return i + 8 + (xl + 256 * xh) * (yl + 256 * yh)
        if op in (0x28, 0x38):  # GS ( x pL pH ... / GS 8 L p1..p4 ...: sized
            if op == 0x38:
                size = int.from_bytes(data[i + 3 : i + 7], "little")
                return i + 7 + size
            size = data[i + 3] + 256 * data[i + 4]
            return i + 5 + size
        if op == 0x6B:  # GS k m ...: barcode
            m = data[i + 2]
            if m <= 6:  # NUL-terminated data
                end = data.find(b"\x00", i + 3)
                return n + 1 if end < 0 else end + 1
            if i + 3 < n:
                return i + 4 + data[i + 3]
            return n + 1
        if op == 0x2A:  # GS * x y d...: downloaded image
            return i + 4 + data[i + 2] * data[i + 3] * 8
        return i + 2 + _GS_FIXED.get(op, 0)
    if lead == FS:
        if op == 0x32 and i + 3 < n:  # FS 2 c1 c2 d1..d72: user-defined Kanji
            return i + 4 + 72
        if op == 0x71 and i + 2 < n:  # FS q n [xL xH yL yH d...]...: define NV images
            j = i + 3
            for _ in range(data[i + 2]):
                if j + 3 >= n:
                    return n + 1
                x = data[j] + 256 * data[j + 1]
                y = data[j + 2] + 256 * data[j + 3]
                j += 4 + x * y * 8
            return j
        return i + 2 + _FS_FIXED.get(op, 0)
    if lead == DLE:  # DLE EOT n / DLE ENQ n / DLE DC4 fn a b: real-time commands
        if op == 0x14:
            return i + 5
        return i + 3
    return i + 1


def printable_text(data: bytes, encoding: str = "cp949") -> str:
    """The receipt's text: printer commands dropped, CP949 decoded, lines kept."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        byte = data[i]
        if byte in (ESC, GS, FS, DLE):
            i = min(n, _skip_command(data, i))
            continue
        if byte == 0x0A:
            out.append(0x0A)
        elif byte == 0x09:
            out.append(0x20)
        elif byte >= 0x20 and byte != 0x7F:
            out.append(byte)
        # CR, FF, other control bytes: no text
        i += 1
    return out.decode(encoding, errors="replace")


def find_cut(data: bytes, start: int = 0) -> tuple[int | None, int]:
    """Where the first paper cut (GS V) after ``start`` ends, walking the commands (so a logo's
    bytes are never taken for one), and where to go on from when more bytes arrive."""
    i, n = start, len(data)
    while i < n:
        if data[i] in (ESC, GS, FS, DLE):
            end = _skip_command(data, i)
            if end > n:
                return None, i  # a command cut in two by the network: wait for the rest
            if data[i] == GS and data[i + 1] == 0x56:
                return end, end
            i = end
        else:
            i += 1
    return None, n


@dataclass(frozen=True)
class ReceiptPatterns:
    """Labels a receipt's lines are read by; a setting, with defaults for common POS software.

    Labels are compared with the spaces inside them removed ("부    가    세" is 부가세), in the
    order given: the first label found wins.
    """

    paid: tuple[str, ...] = ("받을금액", "결제금액", "결제액", "받은금액", "청구금액", "실결제금액")
    total: tuple[str, ...] = ("합계금액", "합계", "총액", "총금액", "판매금액")
    approval: tuple[str, ...] = ("취소승인번호", "승인번호", "현금영수증승인번호")
    receipt_number: tuple[str, ...] = ("영수증번호", "거래번호", "전표번호")
    original: tuple[str, ...] = ("원승인번호", "원거래승인번호", "원영수증번호", "원거래번호")
    cancel: tuple[str, ...] = ("취소영수증", "반품영수증", "환불영수증", "신용카드취소", "결제취소")
    reprint: tuple[str, ...] = ("재발행", "재출력", "재인쇄", "영수증재발행")

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ReceiptPatterns:
        """Patterns from the settings; a key left out keeps its default; a bad value is refused."""
        values: dict[str, tuple[str, ...]] = {}
        known = {f for f in cls.__dataclass_fields__}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown receipt pattern {key!r}")
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() for v in value
            ):
                raise ValueError(f"receipt pattern {key!r} must be a list of labels")
            values[key] = tuple(_squeeze(v) for v in value)
        return cls(**values)

    def to_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Receipt:
    """What a receipt says: the amount paid, its key and whether it cancels another."""

    amount: int | None  # won paid (positive), None when no amount line was read
    ref: str | None  # the approval number, else the receipt number; the sale's key
    cancel: bool  # a cancel/refund receipt
    original_ref: str | None  # on a cancel receipt: the number of the sale it cancels
    reprint: bool
    text: str = field(repr=False, default="")

    @property
    def usable(self) -> bool:
        return self.amount is not None and self.ref is not None


_AMOUNT = re.compile(r"(-?)\s*(?:₩|\\)?\s*(\d{1,3}(?:,\d{3})+|\d+)\s*원?\s*$")
_NUMBER = re.compile(r"[:：]?\s*([0-9A-Za-z][0-9A-Za-z\-]{3,})")
_RECEIPT_NO = re.compile(
    r"(\d{4})[-./](\d{2})[-./](\d{2}).*?POS\s*[:#]?\s*(\w+).*?No\s*[.:#]?\s*(\d+)", re.I
)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _labelled(line: str, labels: tuple[str, ...]) -> str | None:
    """The label a line starts with (spaces ignored), longest first among equals."""
    squeezed = _squeeze(line)
    for label in labels:
        if squeezed.startswith(label):
            return label
    return None


def _amount_of(line: str) -> int | None:
    match = _AMOUNT.search(unicodedata.normalize("NFKC", line).strip())
    if not match:
        return None
    return int(match.group(2).replace(",", ""))


def _value_after(line: str, label: str) -> str | None:
    """The number printed after a label ("승인번호: 30012398" → "30012398")."""
    text = unicodedata.normalize("NFKC", line)
    # find where the label ends in the unsqueezed line: walk its characters
    position = 0
    for char in label:
        position = text.find(char, position)
        if position < 0:
            return None
        position += 1
    match = _NUMBER.search(text[position:])
    return match.group(1) if match else None


def read_receipt(data: bytes | str, patterns: ReceiptPatterns | None = None) -> Receipt:
    """Read one receipt (its ESC/POS bytes, or text already decoded)."""
    patterns = patterns or ReceiptPatterns()
    text = printable_text(data) if isinstance(data, bytes) else data
    lines = [line for line in text.splitlines() if line.strip()]
    paid: int | None = None
    total: int | None = None
    approval: str | None = None
    receipt_number: str | None = None
    original: str | None = None
    cancel = False
    reprint = False
    for line in lines:
        squeezed = _squeeze(line)
        if any(word in squeezed for word in patterns.cancel):
            cancel = True
        if any(word in squeezed for word in patterns.reprint):
            reprint = True
        label = _labelled(line, patterns.original)
        if label:
            original = original or _value_after(line, label)
            continue
        label = _labelled(line, patterns.approval)
        if label:
            approval = approval or _value_after(line, label)
            continue
        label = _labelled(line, patterns.receipt_number)
        if label:
            receipt_number = receipt_number or _value_after(line, label)
            continue
        if paid is None and _labelled(line, patterns.paid):
            paid = _amount_of(line)
            continue
        if total is None and _labelled(line, patterns.total):
            total = _amount_of(line)
    if receipt_number is None:
        for line in lines:
            match = _RECEIPT_NO.search(line)
            if match:
                year, month, day, pos, number = match.groups()
                receipt_number = f"{year}{month}{day}-{pos}-{number}"
                break
    return Receipt(
        amount=paid if paid is not None else total,
        ref=approval or receipt_number,
        cancel=cancel,
        original_ref=original,
        reprint=reprint,
        text=text,
    )
