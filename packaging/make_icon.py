"""Draws Dangol's icon: "단" in the bundled NanumGothic Bold on an orange rounded square.

    .venv/bin/python packaging/make_icon.py

Writes what the app and the Linux desktop show to resources/icons (dangol.png, 512 px, and
dangol.svg, the same drawing as vector) and the installers' icons to packaging/icons
(dangol.ico for Windows, dangol.icns for macOS).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.resources import FONT_BOLD, ICONS

INSTALLER_ICONS = Path(__file__).resolve().parent / "icons"
ORANGE = (242, 125, 38, 255)
SIZE = 512

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <rect x="16" y="16" width="480" height="480" rx="104" ry="104" fill="#f27d26"/>
  <text x="256" y="262" text-anchor="middle" dominant-baseline="central"
        font-family="NanumGothic, 'Nanum Gothic', sans-serif" font-weight="bold"
        font-size="330" fill="#ffffff">단</text>
</svg>
"""


def draw(size: int = SIZE) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin, radius = size // 32, size * 13 // 64
    pen.rounded_rectangle((margin, margin, size - margin, size - margin), radius, fill=ORANGE)
    font = ImageFont.truetype(str(FONT_BOLD), size * 330 // 512)
    pen.text((size / 2, size * 0.51), "단", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    ICONS.mkdir(exist_ok=True)
    INSTALLER_ICONS.mkdir(exist_ok=True)
    image = draw()
    image.save(ICONS / "dangol.png")
    (ICONS / "dangol.svg").write_text(SVG, encoding="utf-8")
    sizes = [(16, 16), (32, 32), (48, 48), (64, 64), (256, 256)]
    image.save(INSTALLER_ICONS / "dangol.ico", sizes=sizes)
    image.save(INSTALLER_ICONS / "dangol.icns")
    print(f"icons written to {ICONS} and {INSTALLER_ICONS}")


if __name__ == "__main__":
    main()
