"""The user's language for refusals and messages outside Qt: Korean first, English second."""

from __future__ import annotations

import importlib
import os
import pkgutil

import app.services
from app.domain.errors import DOMAIN_MESSAGES, Refused
from app.services.messages import SERVICE_MESSAGES

LANGUAGES = ("ko", "en")


def _catalogs() -> dict[str, dict[str, str]]:
    """The rules' messages, the services' own, and each area's `messages_*.py` catalog."""
    merged = {**DOMAIN_MESSAGES, **SERVICE_MESSAGES}
    for info in pkgutil.iter_modules(app.services.__path__):
        if info.name.startswith("messages_"):
            module = importlib.import_module(f"app.services.{info.name}")
            merged.update(module.MESSAGES)
    return merged


MESSAGES = _catalogs()


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
