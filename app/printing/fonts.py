"""The bundled NanumGothic faces: registered with ReportLab once per process, cached for Pillow."""

from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.resources import FONT_BOLD, FONT_REGULAR

REGULAR = "NanumGothic"
BOLD = "NanumGothic-Bold"

# How many faces this process has registered: the bench checks it stays at 2.
registrations = 0
_registered = False


def register_fonts() -> None:
    """Register both faces (embedded and subset in every PDF); later calls do nothing."""
    global _registered, registrations
    if _registered:
        return
    for name, path in ((REGULAR, FONT_REGULAR), (BOLD, FONT_BOLD)):
        pdfmetrics.registerFont(TTFont(name, str(path)))
        registrations += 1
    # <b> inside a Paragraph picks the bold face
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
    _registered = True


@lru_cache(maxsize=32)
def pil_font(size_px: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The same faces for raster slips, loaded once per size."""
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size_px)
