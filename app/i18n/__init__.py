"""Every sentence a person sees, one gettext catalogue a language, for every layer.

Keys are the msgids (`panel.points`, a refusal's code); the catalogues are
resources/translations/<lang>/LC_MESSAGES/dangol.po, compiled to the .mo files read here
with the standard library (see docs/architecture.md, "Texts and translations").
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from typing import Any, Protocol

from app.i18n.particles import ParticleFormatter, uses_particles
from app.resources import RESOURCES

LANGUAGES = ("ko", "en")
DOMAIN = "dangol"
TRANSLATIONS = RESOURCES / "translations"
_FALLBACK = "en"
_FORMATTER = ParticleFormatter()


class _Refusal(Protocol):
    code: str
    params: dict[str, Any]


class _Missing(gettext.NullTranslations):
    """The end of the fallback chain: a key in no catalogue is a bug, not a sentence."""

    def gettext(self, message: str) -> str:
        raise KeyError(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        raise KeyError(msgid1)


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English for an unknown one), falling back to English."""
    lang = lang if lang in LANGUAGES else _FALLBACK
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as mo:
        found = gettext.GNUTranslations(mo)
    found.add_fallback(_Missing() if lang == _FALLBACK else catalogue(_FALLBACK))
    return found


def default_language() -> str:
    lang = os.environ.get("DANGOL_LANG", "ko")
    return lang if lang in LANGUAGES else "ko"


def N_(key: str) -> str:
    """Marks a key that the code builds or passes around, so extraction finds it."""
    return key


def fill(template: str, params: dict[str, Any]) -> str:
    """str.format, with Korean particles chosen after a value (`{name:은}`)."""
    if uses_particles(template):
        return _FORMATTER.format(template, **params)
    return template.format(**params)


def translate(lang: str, key: str, /, **params: Any) -> str:
    """The sentence of `key` in `lang`, its {placeholders} filled; KeyError for an unknown key."""
    return fill(catalogue(lang).gettext(key), params)


def translate_plural(lang: str, key: str, plural_key: str, n: int, /, **params: Any) -> str:
    """The sentence of `key` in the plural form `n` takes in `lang`; `{n}` is n unless given."""
    params.setdefault("n", n)
    return fill(catalogue(lang).ngettext(key, plural_key, n), params)


def has_text(key: str) -> bool:
    try:
        catalogue(_FALLBACK).gettext(key)
    except KeyError:
        return False
    return True


def explain(refused: _Refusal, lang: str) -> str:
    """A refusal's sentence in `lang`, the codes among its values in words (app.i18n.codes);
    the bare code when it has none or it cannot be filled."""
    from app.i18n.codes import refusal_params  # codes builds on this module

    try:
        return translate(lang, refused.code, **refusal_params(refused.code, refused.params, lang))
    except (KeyError, IndexError, ValueError):
        return str(refused)
