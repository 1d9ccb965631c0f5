"""Pre-cut A4 business-card sheets: where each card sits, built-in layouts, calibration offsets."""

from __future__ import annotations

from dataclasses import dataclass, replace

A4 = (210.0, 297.0)
MAX_OFFSET_MM = 10.0


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres from the page's top-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def contains(self, other: Box, tolerance: float = 1e-6) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def contains_point(self, x: float, y: float) -> bool:
        return self.x <= x <= self.right and self.y <= y <= self.bottom

    def inset(self, margin: float) -> Box:
        return Box(
            self.x + margin, self.y + margin, self.width - 2 * margin, self.height - 2 * margin
        )


@dataclass(frozen=True)
class SheetLayout:
    """Cards in rows and columns; offsets move everything (the printer's feed error)."""

    name: str
    card_width: float
    card_height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float
    columns: int = 2
    rows: int = 5
    page_width: float = A4[0]
    page_height: float = A4[1]
    offset_x: float = 0.0  # + moves right
    offset_y: float = 0.0  # + moves down

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell(self, index: int) -> Box:
        """Where card `index` (0 = top left, row by row) is cut, offsets applied."""
        row, column = divmod(index % self.per_page, self.columns)
        return Box(
            self.left + self.offset_x + column * self.pitch_x,
            self.top + self.offset_y + row * self.pitch_y,
            self.card_width,
            self.card_height,
        )

    def mirrored_cell(self, index: int) -> Box:
        """The same card on the back of the sheet, turned over on its long edge."""
        box = self.cell(index)
        return replace(box, x=self.page_width - box.right)

    def cells(self) -> list[Box]:
        return [self.cell(i) for i in range(self.per_page)]

    def with_offsets(self, x: float, y: float) -> SheetLayout:
        return replace(self, offset_x=x, offset_y=y)

    def problems(self) -> list[str]:
        """What makes this layout unusable (empty when it is fine)."""
        found = []
        if min(self.card_width, self.card_height, self.columns, self.rows) <= 0:
            found.append("sizes must be positive")
        if self.pitch_x < self.card_width or self.pitch_y < self.card_height:
            found.append("cards overlap (pitch smaller than the card)")
        if abs(self.offset_x) > MAX_OFFSET_MM or abs(self.offset_y) > MAX_OFFSET_MM:
            found.append(f"offsets beyond ±{MAX_OFFSET_MM:g} mm")
        page = Box(0, 0, self.page_width, self.page_height)
        if not found and not all(page.contains(cell) for cell in self.cells()):
            found.append("cards fall off the page")
        return found


BUILT_IN: dict[str, SheetLayout] = {
    # 90 x 52 mm, no gutters (Avery L7414 type)
    "L7414": SheetLayout("L7414", 90.0, 52.0, left=15.0, top=18.5, pitch_x=90.0, pitch_y=52.0),
    # 87 x 50.8 mm, a 6.1 mm gutter between the columns (Avery J8414 type)
    "J8414": SheetLayout("J8414", 87.0, 50.8, left=14.8, top=20.4, pitch_x=93.1, pitch_y=50.8),
}
DEFAULT_SHEET = "L7414"

LAYOUT_FIELDS = (
    "card_width",
    "card_height",
    "left",
    "top",
    "pitch_x",
    "pitch_y",
    "columns",
    "rows",
    "page_width",
    "page_height",
    "offset_x",
    "offset_y",
)


def layout_to_json(layout: SheetLayout) -> dict[str, float | int]:
    return {name: getattr(layout, name) for name in LAYOUT_FIELDS}


def layout_from_json(name: str, data: dict[str, object], base: SheetLayout | None) -> SheetLayout:
    """A saved layout over its built-in base; ValueError on a non-number."""
    values: dict[str, float | int] = layout_to_json(base) if base else {}
    for key in LAYOUT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(key)
        values[key] = int(value) if key in ("columns", "rows") else float(value)
    missing = [key for key in LAYOUT_FIELDS[:6] if key not in values]
    if missing:
        raise ValueError(", ".join(missing))
    return SheetLayout(name=name, **values)  # type: ignore[arg-type]
