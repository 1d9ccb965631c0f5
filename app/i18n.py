"""The user's language for refusals and messages outside Qt: Korean first, English second."""

from __future__ import annotations

import os

from app.domain.errors import DOMAIN_MESSAGES, Refused
from app.services.messages import SERVICE_MESSAGES

LANGUAGES = ("ko", "en")
MESSAGES = {**DOMAIN_MESSAGES, **SERVICE_MESSAGES}


def default_language() -> str:
    lang = os.environ.get("DANGOL_LANG", "ko")
    return lang if lang in LANGUAGES else "ko"


def explain(refused: Refused, lang: str) -> str:
    texts = MESSAGES.get(refused.code)
    if texts is None:
        return str(refused)
    template = texts.get(lang) or texts["en"]
    try:
        return template.format(**refused.params)
    except (KeyError, IndexError, ValueError):
        return str(refused)
