"""The command line's text output and --help speak the user's language: codes in words,
numbers with separators, the blank cards' numbers, a ready reward said (issue 13 points 1, 9)."""

from __future__ import annotations

import argparse
import re

import pytest

from app.cli.help import command_key, localize, option_keys, walk
from app.cli.main import build_parser
from app.domain.card import format_card_token
from app.i18n import has_text
from tests.cli.conftest import PHONE

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
# a code a person should never read: snake_case, dotted.codes, 'void sale <id>'
CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\b|\bvoid (?:sale|redemption)\b")
# what an English screen may still show in Korean: the owner's own texts of the default shop
OWNER_TEXTS = ("김단골", "아메리카노 1잔", "베이직", "실버", "골드", "플래티넘", "정정")


def _no_hangul_but_owner_texts(text: str) -> None:
    for owned in OWNER_TEXTS:
        text = text.replace(owned, "")
    assert not HANGUL.search(text), text


def test_blank_cards_list_the_numbers_they_made(cli):
    cli.ok("init")
    out = cli("print", "cards", "--blank", "3", "--out", str(cli.db.parent / "b.pdf"))
    assert out.code == 0, out
    numbers = re.findall(r"^  (\d{4} \d{4} \d{4} \d{4})$", out.out, re.MULTILINE)
    assert len(numbers) == 3 and "만든 카드 번호" in out.out
    # each number as printed is a card the shop knows (accepted for enrollment)
    member = cli.ok("customer", "add", "--phone", "010-4444-5555", "--card", numbers[1])
    assert format_card_token(member["card"]) == numbers[1]
    english = cli(
        "--lang", "en", "print", "cards", "--blank", "1", "--out", str(cli.db.parent / "c.pdf")
    )
    assert "Card numbers made:" in english.out and re.search(r"^  \d{4} \d{4}", english.out, re.M)


def test_a_sale_at_the_goal_says_the_reward_is_ready(ctx):
    for _ in range(9):
        out = ctx("sale", PHONE, "--amount", "5000").out
        assert "보상" not in out
    out = ctx("sale", PHONE, "--amount", "5000").out
    assert "보상 1개 사용 가능: 아메리카노 1잔" in out, out
    assert "1 reward ready: 아메리카노 1잔" in ctx("--lang", "en", "customer", "show", PHONE).out


def test_numbers_carry_separators(ctx):
    out = ctx("sale", PHONE, "--amount", "4570000").out
    assert "+137,100P" in out or "+137,110P" in out or re.search(r"\+\d{1,3}(,\d{3})+P", out), out
    assert re.search(r"현재 \d{1,3}(,\d{3})+P", out), out
    adjusted = ctx("adjust", PHONE, "--points", "-1500", "--reason", "정정").out
    assert "-1,500P" in adjusted, adjusted


def test_codes_are_words_in_the_text_output(funded):
    issued = funded("coupon", "issue", PHONE, "--kind", "amount", "--value", "3000", "--days", "30")
    assert "3,000원 할인" in issued.out and "amount" not in issued.out
    sale = funded.ok("sale", PHONE, "--amount", "6000")
    voided = funded("void", sale["sale_id"]).out
    assert "(구매)" in voided and "sale" not in voided, voided
    funded("adjust", PHONE, "--points", "100", "--reason", "정정")
    for lang in ("ko", "en"):
        for args in (["ledger", PHONE], ["customer", "show", PHONE], ["customer", "find", "5678"]):
            out = funded("--lang", lang, *args).out
            shown = re.sub(r"id=[0-9a-f-]{36}", "", out)
            assert not CODE.search(shown), (args, out)
            if lang == "en":
                _no_hangul_but_owner_texts(shown)
    ledger = funded("ledger", PHONE).out
    assert "구매 적립" in ledger and "구매 취소" in ledger and "정정" in ledger
    assert "Sale voided" in funded("--lang", "en", "ledger", PHONE).out


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    return sorted({path for path, _, action in walk(parser) if action is None})


def test_every_command_and_option_has_its_words():
    """A command or option added without a sentence in the catalogue fails here."""
    for path, _, action in walk(build_parser()):
        if action is None or isinstance(action, argparse._SubParsersAction._ChoicesPseudoAction):
            assert has_text(command_key(path)), f"no cli.help key for {path!r}"
        elif action.option_strings or action.help:
            assert any(k and has_text(k) for k in option_keys(path, action.dest)), (
                f"no cli.help.opt key for {path!r} {action.dest!r}"
            )


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_help_is_in_the_chosen_language(cli, lang):
    for path in _commands(build_parser()):
        out = cli("--lang", lang, *path.split(), "--help")
        assert out.code == 0, out
        if lang == "ko":
            assert out.out.startswith("사용법: ") and "옵션:" in out.out, out.out
            assert "show this help" not in out.out
        else:
            assert out.out.startswith("usage: ") and not HANGUL.search(
                out.out.replace("단골", "")
            ), out.out


def test_every_help_text_is_korean_in_korean():
    for path, owner, action in walk(build_parser(lang="ko")):
        text = owner.description if action is None else action.help
        if action is None and not path:
            continue  # the top: "단골: ..." checked with the output
        assert text and HANGUL.search(text), (path, getattr(action, "dest", None), text)


def test_argparse_own_refusals_are_in_the_language(cli):
    ko = cli("sale").err
    assert "다음 항목이 필요합니다" in ko and "required" not in ko
    en = cli("--lang", "en", "sale").err
    assert "the following arguments are required" in en


def test_localize_keeps_english_when_asked():
    parser = localize(build_parser(), "en")
    assert "record today's purchase" in parser.format_help()
