"""The windows' texts in the language chosen at the counter; the sentences live in app.i18n."""

from __future__ import annotations

from typing import Any

from app.domain.errors import Refused
from app.i18n import LANGUAGES, explain, has_text, translate, translate_plural

_language = "ko"


def set_language(lang: str) -> None:
    global _language
    _language = lang if lang in LANGUAGES else "ko"
    from app.ui.qt_translation import use_qt_language  # Qt only once a window is shown

    use_qt_language(_language)


def language() -> str:
    return _language


def t(key: str, /, **params: Any) -> str:
    return translate(_language, key, **params)


def tn(key: str, plural_key: str, n: int, /, **params: Any) -> str:
    """The plural form `n` takes (English: "1 reward", "2 rewards"); `{n}` is n unless given."""
    return translate_plural(_language, key, plural_key, n, **params)


def refusal(error: Refused) -> str:
    return explain(error, _language)


def won(amount: int) -> str:
    return f"{amount:,}원" if _language == "ko" else f"₩{amount:,}"


__all__ = ["has_text", "language", "refusal", "set_language", "t", "tn", "won"]
