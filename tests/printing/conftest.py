"""Printing tests: a real SQLite shop with a member and a sale; PDFs read back as text, images."""

from __future__ import annotations

import os

from app.services.customers import resolve_customer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pypdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from app.db.models import Store
from app.db.settings import set_setting
from app.services import customers, sales
from app.services.context import Context

PHONE = "010-1234-5678"
MASKED = "010-****-5678"
STORE = "카페 단골 망원점"
POINTS_PER_MM = 72 / 25.4
DPI = 300


def mm(points: float) -> float:
    return float(points) / POINTS_PER_MM


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [(round(mm(p.mediabox.width), 1), round(mm(p.mediabox.height), 1)) for p in reader.pages]


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def render_pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72).to_pil() for i in range(len(document))]
    finally:
        document.close()


@dataclass(frozen=True)
class Found:
    """A decoded QR: its text and its centre and width in mm from the page's top-left."""

    text: str
    x: float
    y: float
    width: float
    ec_level: str


def read_qr_codes(image: Image.Image, dpi: int = DPI) -> list[Found]:
    found = []
    for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2):
        corners = [code.position.top_left, code.position.top_right]
        corners += [code.position.bottom_right, code.position.bottom_left]
        xs = [c.x for c in corners]
        ys = [c.y for c in corners]
        scale = 25.4 / dpi
        found.append(
            Found(
                code.text,
                sum(xs) / 4 * scale,
                sum(ys) / 4 * scale,
                (max(xs) - min(xs)) * scale,
                code.ec_level,
            )
        )
    return found


@pytest.fixture
def store_shop(sqlite_ctx: Context) -> Iterator[Context]:
    """The seeded shop with its name, business number, address and phone filled in."""
    with sqlite_ctx.db.write() as session:
        store = session.get(Store, sqlite_ctx.store_id)
        assert store is not None
        store.name = STORE
        store.business_number = "123-45-67890"
        store.address = "서울 마포구 망원로 12, 1층"
        store.phone = "02-333-4444"
    yield sqlite_ctx


@pytest.fixture
def member(store_shop: Context) -> customers.Enrollment:
    return customers.enroll(store_shop, PHONE, name="김민준")


@pytest.fixture
def sale(store_shop: Context, member: customers.Enrollment) -> sales.SaleResult:
    return sales.record_sale(store_shop, resolve_customer(store_shop, PHONE), 12_500)


def set_shop_setting(ctx: Context, key: str, value: object) -> None:
    with ctx.db.write() as session:
        set_setting(session, key, value)
    ctx.settings[key] = value
