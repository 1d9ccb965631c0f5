"""Qt's own words (Yes, Cancel, context menus) in the counter's language, from qtbase .qm."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

_installed: QTranslator | None = None


def use_qt_language(lang: str) -> None:
    """Swap Qt's translator for `lang` (English is Qt's own, so none); no-op before the app."""
    global _installed
    app = QCoreApplication.instance()
    if app is None:
        return
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if lang == "en":
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(translator)
        _installed = translator
