"""The two catalogues hold exactly the keys the code uses, with the same placeholders, compiled."""

from __future__ import annotations

import hashlib
import io
import re
import string
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["babel"]
# a particle spelled out for both cases instead of chosen: {name:은} does that
HEDGED_PARTICLE = re.compile(r"\((은|는|이|가|을|를|과|와|으)\)")


def _po(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "dangol.po", "rb") as po:
        return read_po(po, locale=lang)


CATALOGUES = {lang: _po(lang) for lang in LANGUAGES}


def _extracted() -> set[str | tuple[str, str]]:
    keywords = parse_keywords(CONFIG["extract_messages"]["keywords"].split())
    found = extract_from_dir(str(ROOT / "app"), method_map=[("**.py", "python")], keywords=keywords)
    return {message for _, _, message, _, _ in found}


def _ids(lang: str) -> set[str | tuple[str, str]]:
    return {message.id for message in CATALOGUES[lang] if message.id}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_the_code_uses_is_in_both_catalogues_and_no_other():
    extracted = _extracted()
    assert len(extracted) > 700
    for lang in LANGUAGES:
        assert extracted - _ids(lang) == set(), f"{lang}: keys in the code but not translated"
        assert _ids(lang) - extracted == set(), f"{lang}: keys no code uses (or not marked N_)"


def test_both_languages_have_the_same_keys():
    assert _ids("ko") == _ids("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_sentence_is_empty_or_fuzzy(lang: str):
    for message in CATALOGUES[lang]:
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{lang}: {message.id} is empty"
        assert not message.fuzzy, f"{lang}: {message.id} is fuzzy"


def test_plural_forms_follow_each_language():
    assert CATALOGUES["ko"].num_plurals == 1
    assert CATALOGUES["en"].num_plurals == 2
    for lang in LANGUAGES:
        for message in CATALOGUES[lang]:
            if message.pluralizable:
                assert len(message.string) == CATALOGUES[lang].num_plurals, message.id


def test_every_message_has_the_same_placeholders_in_both_languages():
    english = {message.id: message for message in CATALOGUES["en"] if message.id}
    for message in CATALOGUES["ko"]:
        if not message.id:
            continue
        korean = message.string if isinstance(message.string, tuple) else (message.string,)
        other = english[message.id].string
        for form in other if isinstance(other, tuple) else (other,):
            for ko in korean:
                assert _fields(ko) == _fields(form), f"{message.id}: {ko!r} vs {form!r}"


def test_korean_particles_are_chosen_not_hedged():
    for message in CATALOGUES["ko"]:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        for form in forms:
            assert not HEDGED_PARTICLE.search(form), f"{message.id}: {form}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_po(lang: str):
    compiled = io.BytesIO()
    write_mo(compiled, CATALOGUES[lang])
    committed = (TRANSLATIONS / lang / "LC_MESSAGES" / "dangol.mo").read_bytes()
    # compared by digest: pytest's diff of two ~400 KB byte strings takes many minutes
    digest = hashlib.sha256
    stale = digest(committed).hexdigest() != digest(compiled.getvalue()).hexdigest()
    assert not stale, "stale .mo: run `pybabel compile`"
