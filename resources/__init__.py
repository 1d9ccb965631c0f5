"""Files shipped with the app: the Korean font (embedded in PDFs and the UI), icons, styles.

This folder is the top-level resources/ of the repository, installed as the package
app.resources (see [tool.setuptools.package-dir] in pyproject.toml).
"""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
FONTS = RESOURCES / "fonts"
FONT_REGULAR = FONTS / "NanumGothic.ttf"
FONT_BOLD = FONTS / "NanumGothicBold.ttf"
ICONS = RESOURCES / "icons"
ICON = ICONS / "dangol.png"
