"""Card sheets: layout geometry, every card inside its cut lines, QR codes found in their cells."""

from __future__ import annotations

import pytest

from app.domain.errors import Refused
from app.printing.card import CR80, SAFE_MM, front_layout, scale_of
from app.printing.sheet_pdf import alignment_page_pdf, pages_needed, sheet_pdf
from app.printing.sheets import BUILT_IN, Box, SheetLayout
from app.services import cards
from app.services.context import Context
from tests.printing.conftest import page_sizes_mm, pdf_text, read_qr_codes, render_pages

A4_MM = (210.0, 297.0)


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_built_in_cells_tile_the_page(name: str) -> None:
    layout = BUILT_IN[name]
    page = Box(0, 0, *A4_MM)
    cells = layout.cells()
    assert len(cells) == 10 and layout.problems() == []
    assert all(page.contains(cell) for cell in cells)
    for i, a in enumerate(cells):
        for b in cells[i + 1 :]:
            overlap_x = min(a.right, b.right) - max(a.x, b.x)
            overlap_y = min(a.bottom, b.bottom) - max(a.y, b.y)
            assert overlap_x <= 1e-9 or overlap_y <= 1e-9


def test_built_in_numbers_from_korea_md() -> None:
    l7414, j8414 = BUILT_IN["L7414"], BUILT_IN["J8414"]
    assert (l7414.cell(0).x, l7414.cell(0).y, l7414.cell(1).x) == (15.0, 18.5, 105.0)
    assert l7414.cell(9).bottom == pytest.approx(297 - 18.5)
    assert (j8414.cell(0).x, j8414.cell(0).y) == (14.8, 20.4)
    assert j8414.cell(1).x == pytest.approx(14.8 + 93.1)
    assert (j8414.card_width, j8414.card_height) == (87.0, 50.8)


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_every_part_of_each_card_is_inside_its_cut_lines(store_shop: Context, name: str) -> None:
    layout = BUILT_IN[name].with_offsets(1.5, -2.0)
    card = cards.blank_cards(store_shop, ["4539148803436467"])[0]
    for cell in layout.cells():
        boxes = front_layout(card, cell)
        safe = cell.inset(SAFE_MM * scale_of(cell.width, cell.height))
        for part, box in boxes.items():
            assert cell.contains(box), (part, box, cell)
            if part != "qr":  # the QR's white margin may use the safe band
                assert safe.contains(box), (part, box, safe)


def test_cr80_front_inside_the_card(store_shop: Context) -> None:
    card = cards.blank_cards(store_shop, ["4539148803436467"])[0]
    whole = Box(0, 0, *CR80)
    assert all(whole.contains(b) for b in front_layout(card, whole).values())


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_sheet_qr_codes_decode_in_their_cells(store_shop: Context, name: str) -> None:
    layout = BUILT_IN[name].with_offsets(0.8, -1.2)
    tokens = cards.create_blank_cards(store_shop, 12)
    pdf = sheet_pdf(cards.blank_cards(store_shop, tokens), layout)
    assert page_sizes_mm(pdf) == [A4_MM, A4_MM]
    assert pages_needed(12, layout) == 2
    pages = render_pages(pdf)
    for page_number, image in enumerate(pages):
        on_page = tokens[page_number * 10 : page_number * 10 + 10]
        found = {f.text: f for f in read_qr_codes(image)}
        assert sorted(found) == sorted(on_page)
        for index, token in enumerate(on_page):
            code = found[token]
            cell = layout.cell(index)
            expected = front_layout(cards.blank_cards(store_shop, [token])[0], cell)["code"]
            assert cell.contains_point(code.x, code.y), (token, code, cell)
            # within half a millimetre of where the geometry says the symbol is
            centre = (expected.x + expected.width / 2, expected.y + expected.height / 2)
            assert abs(code.x - centre[0]) < 0.5 and abs(code.y - centre[1]) < 0.5


def test_backs_follow_each_page_mirrored(store_shop: Context) -> None:
    layout = BUILT_IN["J8414"]
    batch = cards.blank_cards(store_shop, cards.create_blank_cards(store_shop, 3))
    pdf = sheet_pdf(batch, layout, backs=True)
    assert len(page_sizes_mm(pdf)) == 2
    assert "이용 안내" in pdf_text(pdf)
    # card 1 (top left) has its back at the top right once the sheet is turned over
    mirrored = layout.mirrored_cell(0)
    assert mirrored.right == pytest.approx(A4_MM[0] - layout.cell(0).x)
    assert mirrored.y == layout.cell(0).y


def test_alignment_page_shows_outlines_and_offsets() -> None:
    layout = BUILT_IN["L7414"].with_offsets(0.5, -1.0)
    pdf = alignment_page_pdf(layout)
    assert page_sizes_mm(pdf) == [A4_MM]
    text = pdf_text(pdf)
    assert "L7414" in text and "X +0.5 mm" in text and "Y -1.0 mm" in text
    assert "100 mm" in text
    image = render_pages(pdf, dpi=150)[0].convert("RGB")
    # the red cut line of cell 1's left edge, half way down the cell
    cell = layout.cell(0)
    x = round(cell.x / 25.4 * 150)
    y = round((cell.y + cell.height / 2) / 25.4 * 150)
    reds = [image.getpixel((x + dx, y)) for dx in range(-2, 3)]
    assert any(r > 150 and g < 120 and b < 120 for r, g, b in reds)


def test_layouts_saved_per_sheet_type(store_shop: Context) -> None:
    saved = cards.calibrate_sheet(store_shop, "j8414", 0.6, -1.4)
    assert (saved.name, saved.offset_x, saved.offset_y) == ("J8414", 0.6, -1.4)
    assert store_shop.settings["card_sheets"]["J8414"]["offset_x"] == 0.6
    # survives reopening and leaves the other sheet alone
    from app.services.context import open_shop

    again = open_shop(str(store_shop.db.path), now=store_shop.now())
    try:
        assert cards.sheet_layout(again, "J8414").offset_y == -1.4
        assert cards.sheet_layout(again, "L7414").offset_x == 0.0
    finally:
        again.close()
    custom = SheetLayout("MY10", 85.0, 54.0, left=17.0, top=13.5, pitch_x=91.0, pitch_y=54.0)
    cards.save_sheet_layout(store_shop, custom)
    assert cards.sheet_layout(store_shop, "MY10") == custom


@pytest.mark.parametrize(
    ("layout", "code"),
    [
        (BUILT_IN["L7414"].with_offsets(11, 0), "cards.sheet_invalid"),
        (
            SheetLayout("BAD", 90, 52, left=15, top=18.5, pitch_x=80, pitch_y=52),
            "cards.sheet_invalid",
        ),
        (
            SheetLayout("OFF", 90, 52, left=40, top=18.5, pitch_x=90, pitch_y=52),
            "cards.sheet_invalid",
        ),
    ],
)
def test_unusable_layouts_refused(store_shop: Context, layout: SheetLayout, code: str) -> None:
    with pytest.raises(Refused) as refused:
        cards.save_sheet_layout(store_shop, layout)
    assert refused.value.code == code


def test_unknown_sheet_refused(store_shop: Context) -> None:
    with pytest.raises(Refused) as refused:
        cards.sheet_layout(store_shop, "A4-99")
    assert refused.value.code == "cards.sheet_unknown"


def test_damaged_saved_layout_falls_back(store_shop: Context) -> None:
    from tests.printing.conftest import set_shop_setting

    set_shop_setting(store_shop, "card_sheets", {"L7414": {"left": "wide"}, "X": 3})
    assert cards.sheet_layout(store_shop, "L7414") == BUILT_IN["L7414"]
