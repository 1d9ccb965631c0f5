"""Files shipped with the app: the Korean font (embedded in PDFs and the UI), icons, styles."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
FONTS = RESOURCES / "fonts"
FONT_REGULAR = FONTS / "NanumGothic.ttf"
FONT_BOLD = FONTS / "NanumGothicBold.ttf"
