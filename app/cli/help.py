"""`--help` in the chosen language: the words of every command and option, and argparse's own.

The parser is built with English texts; `localize` walks it and puts the catalogue's sentence
in each place that has one (`cli.help.<command path>`, `cli.help.opt.<command path>.<dest>`,
then `cli.help.opt.<dest>`) and each placeholder of a value (`WHO`, `AMOUNT`: `cli.metavar.*`),
and `argparse_words` makes argparse's own words ("usage:", "options", "the following arguments
are required") and the value checks' refusals ("not a whole number") speak the same language.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from app.i18n import N_, has_text, translate

COMMAND_KEYS = (
    N_("cli.help.dangol"),
    N_("cli.help.init"),
    N_("cli.help.demo"),
    N_("cli.help.program"),
    N_("cli.help.program.show"),
    N_("cli.help.program.load"),
    N_("cli.help.customer"),
    N_("cli.help.customer.add"),
    N_("cli.help.customer.find"),
    N_("cli.help.customer.show"),
    N_("cli.help.customer.erase"),
    N_("cli.help.sale"),
    N_("cli.help.redeem"),
    N_("cli.help.void"),
    N_("cli.help.adjust"),
    N_("cli.help.coupon"),
    N_("cli.help.coupon.issue"),
    N_("cli.help.ledger"),
    N_("cli.help.run_daily"),
    N_("cli.help.report"),
    N_("cli.help.report.monthly"),
    N_("cli.help.report.range"),
    N_("cli.help.export"),
    N_("cli.help.export.customers"),
    N_("cli.help.import"),
    N_("cli.help.import.customers"),
    N_("cli.help.backup"),
    N_("cli.help.restore"),
    N_("cli.help.print"),
    N_("cli.help.print.slip"),
    N_("cli.help.print.card"),
    N_("cli.help.print.cards"),
    N_("cli.help.print.test_sheet"),
    N_("cli.help.print.calibrate"),
    N_("cli.help.sync"),
    N_("cli.help.sync.setup"),
    N_("cli.help.sync.status"),
    N_("cli.help.sync.attention"),
    N_("cli.help.sync.doctor"),
    N_("cli.help.refund"),
    N_("cli.help.token"),
    N_("cli.help.token.create"),
    N_("cli.help.token.list"),
    N_("cli.help.token.revoke"),
    N_("cli.help.serve"),
    N_("cli.help.tap"),
    N_("cli.help.pos"),
    N_("cli.help.pos.pending"),
    N_("cli.help.pos.token"),
    N_("cli.help.pos.token.add"),
    N_("cli.help.pos.token.list"),
    N_("cli.help.pos.token.revoke"),
)
OPTION_KEYS = (
    N_("cli.help.opt.db"),
    N_("cli.help.opt.json"),
    N_("cli.help.opt.lang"),
    N_("cli.help.opt.version"),
    N_("cli.help.opt.who"),
    N_("cli.help.opt.file"),
    N_("cli.help.opt.out"),
    N_("cli.help.opt.sheet"),
    N_("cli.help.opt.with_name"),
    N_("cli.help.opt.x"),
    N_("cli.help.opt.y"),
    N_("cli.help.opt.demo.customers"),
    N_("cli.help.opt.demo.days"),
    N_("cli.help.opt.program.load.file"),
    N_("cli.help.opt.customer.add.phone"),
    N_("cli.help.opt.customer.add.name"),
    N_("cli.help.opt.customer.add.birthday"),
    N_("cli.help.opt.customer.add.marketing_consent"),
    N_("cli.help.opt.customer.add.referrer"),
    N_("cli.help.opt.customer.add.card"),
    N_("cli.help.opt.customer.find.query"),
    N_("cli.help.opt.sale.amount"),
    N_("cli.help.opt.sale.items"),
    N_("cli.help.opt.redeem.points"),
    N_("cli.help.opt.redeem.stamps"),
    N_("cli.help.opt.redeem.coupon"),
    N_("cli.help.opt.void.id"),
    N_("cli.help.opt.adjust.points"),
    N_("cli.help.opt.adjust.reason"),
    N_("cli.help.opt.coupon.issue.kind"),
    N_("cli.help.opt.coupon.issue.value"),
    N_("cli.help.opt.coupon.issue.days"),
    N_("cli.help.opt.report.monthly.month"),
    N_("cli.help.opt.report.range.first"),
    N_("cli.help.opt.report.range.last"),
    N_("cli.help.opt.import.customers.dry_run"),
    N_("cli.help.opt.import.customers.skip_bad"),
    N_("cli.help.opt.print.slip.id"),
    N_("cli.help.opt.print.slip.escpos"),
    N_("cli.help.opt.print.slip.width"),
    N_("cli.help.opt.print.slip.text"),
    N_("cli.help.opt.print.card.front_only"),
    N_("cli.help.opt.print.cards.all"),
    N_("cli.help.opt.print.cards.blank"),
    N_("cli.help.opt.print.cards.who"),
    N_("cli.help.opt.print.cards.backs"),
    N_("cli.help.opt.print.calibrate.sheet"),
    N_("cli.help.opt.sync.setup.url"),
    N_("cli.help.opt.sync.setup.store"),
    N_("cli.help.opt.sync.setup.register"),
    N_("cli.help.opt.sync.setup.business"),
    N_("cli.help.opt.sync.setup.new_business"),
    N_("cli.help.opt.sale.ref"),
    N_("cli.help.opt.refund.ref"),
    N_("cli.help.opt.refund.amount"),
    N_("cli.help.opt.refund.items"),
    N_("cli.help.opt.refund.refund_ref"),
    N_("cli.help.opt.serve.host"),
    N_("cli.help.opt.serve.port"),
    N_("cli.help.opt.tap.listen"),
    N_("cli.help.opt.tap.forward"),
    N_("cli.help.opt.pos.token.add.name"),
    N_("cli.help.opt.pos.token.revoke.name"),
    N_("cli.help.opt.token.create.name"),
    N_("cli.help.opt.token.create.scope"),
    N_("cli.help.opt.token.revoke.which"),
    N_("cli.help.opt.backup.older_than"),
)


def _key(path: str) -> str:
    return path.replace(" ", ".").replace("-", "_")


def command_key(path: str) -> str:
    return f"cli.help.{_key(path) or 'dangol'}"


def option_keys(path: str, dest: str) -> tuple[str, str]:
    """The key for this command's option, then the one any command's option of that name uses."""
    dest = _key(dest)
    return (f"cli.help.opt.{_key(path)}.{dest}" if path else "", f"cli.help.opt.{dest}")


def walk(
    parser: argparse.ArgumentParser, path: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser, argparse.Action | None]]:
    """(command path, its parser, an action) for every option and sub-command, depth first;
    a command itself comes as (path, parser, None)."""
    yield path, parser, None
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                sub_path = f"{path} {choice.dest}".strip()
                yield sub_path, parser, choice
                yield from walk(action.choices[choice.dest], sub_path)
        elif not isinstance(action, argparse._HelpAction):
            yield path, parser, action


# the placeholders of values in usage lines and help, as argparse shows them (a metavar, or
# an option's dest in capitals, a positional's dest); ones not listed (X, YYYY-MM) stay as they are
METAVAR_KEYS = (
    N_("cli.metavar.ACTION"),
    N_("cli.metavar.AMOUNT"),
    N_("cli.metavar.CODE"),
    N_("cli.metavar.COMMAND"),
    N_("cli.metavar.CUSTOMERS"),
    N_("cli.metavar.DAYS"),
    N_("cli.metavar.FILE.bin"),
    N_("cli.metavar.FILE.pdf"),
    N_("cli.metavar.ID_OR_NAME"),
    N_("cli.metavar.ITEMS"),
    N_("cli.metavar.N"),
    N_("cli.metavar.NAME"),
    N_("cli.metavar.PATH_OR_URL"),
    N_("cli.metavar.PHONE"),
    N_("cli.metavar.POINTS"),
    N_("cli.metavar.REASON"),
    N_("cli.metavar.SHEET"),
    N_("cli.metavar.TOKEN"),
    N_("cli.metavar.VALUE"),
    N_("cli.metavar.WHAT"),
    N_("cli.metavar.WHO"),
    N_("cli.metavar.WIDTH"),
    N_("cli.metavar.file"),
    N_("cli.metavar.id"),
    N_("cli.metavar.query"),
    N_("cli.metavar.sheet"),
    N_("cli.metavar.who"),
)


def shown_metavar(action: argparse.Action) -> str | None:
    """The placeholder argparse writes for this action's value (None: it takes no value, or
    its choices are written instead)."""
    if action.nargs == 0 or (action.choices is not None and action.metavar is None):
        return None
    if isinstance(action.metavar, str):
        return action.metavar
    return action.dest.upper() if action.option_strings else action.dest


def _localize_metavar(action: argparse.Action, lang: str) -> None:
    metavar = shown_metavar(action)
    if metavar is not None and has_text(f"cli.metavar.{metavar}"):
        action.metavar = translate(lang, f"cli.metavar.{metavar}")


def localize(parser: argparse.ArgumentParser, lang: str) -> argparse.ArgumentParser:
    """Every help text, description and value placeholder that has words in the catalogue,
    in `lang`."""
    for path, owner, action in walk(parser):
        if action is None:
            if has_text(command_key(path)):
                owner.description = translate(lang, command_key(path))
            for own in owner._actions:
                if isinstance(own, argparse._SubParsersAction):
                    _localize_metavar(own, lang)
            continue
        if not isinstance(action, argparse._SubParsersAction._ChoicesPseudoAction):
            _localize_metavar(action, lang)
        if isinstance(action, argparse._SubParsersAction._ChoicesPseudoAction):
            if has_text(command_key(path)):
                action.help = translate(lang, command_key(path))
        else:
            for key in option_keys(path, action.dest):
                if key and has_text(key):
                    action.help = translate(lang, key)
                    break
    return parser


# argparse's own words (Python 3.11) -> their keys; anything else stays as argparse says it
ARGPARSE_WORDS = {
    "usage: ": N_("cli.argparse.usage"),
    "positional arguments": N_("cli.argparse.positional"),
    "options": N_("cli.argparse.options"),
    "show this help message and exit": N_("cli.argparse.help"),
    "the following arguments are required: %s": N_("cli.argparse.required"),
    "one of the arguments %s is required": N_("cli.argparse.one_of"),
    "unrecognized arguments: %s": N_("cli.argparse.unrecognized"),
    "invalid choice: %(value)r (choose from %(choices)s)": N_("cli.argparse.invalid_choice"),
    "argument %(argument_name)s: %(message)s": N_("cli.argparse.argument"),
    "expected one argument": N_("cli.argparse.expected_one"),
    "expected at least one argument": N_("cli.argparse.expected_some"),
    "not allowed with argument %s": N_("cli.argparse.not_allowed_with"),
    "invalid %(type)s value: %(value)r": N_("cli.argparse.invalid_value"),
    "ambiguous option: %(option)s could match %(matches)s": N_("cli.argparse.ambiguous"),
}


# the value checks' own refusals (the `type=` functions of app/cli) -> their keys
TYPE_REFUSALS = {
    re.compile(r"not a whole number: (?P<value>.*)", re.DOTALL): N_("cli.argparse.not_whole"),
    re.compile(r"not a number of millimetres: (?P<value>.*)", re.DOTALL): N_("cli.argparse.not_mm"),
}
ARGUMENT_MESSAGE = "argument %(argument_name)s: %(message)s"


def type_refusal(message: str, lang: str) -> str:
    """'not a whole number: abc' in `lang`; any other message as it is."""
    for pattern, key in TYPE_REFUSALS.items():
        if match := pattern.fullmatch(message):
            return translate(lang, key, value=match.group("value"))
    return message


class _ArgumentFormat(str):
    """argparse's 'argument X: message' in `lang`, its message too when it is a value check's
    refusal (argparse fills the format with `%` after asking for the words)."""

    lang = "ko"

    def __mod__(self, values: Any) -> str:
        if isinstance(values, Mapping) and isinstance(values.get("message"), str):
            values = {**values, "message": type_refusal(values["message"], self.lang)}
        return str.__mod__(self, values)


@contextmanager
def argparse_words(lang: str) -> Iterator[None]:
    """argparse's own words in `lang` while parsing and printing help (its `_` put back after).

    The keys' sentences keep argparse's %-placeholders, so argparse fills them as before."""
    before: Callable[[str], str] = argparse._  # type: ignore[attr-defined]

    def words(message: str) -> str:
        key = ARGPARSE_WORDS.get(message)
        if message == ARGUMENT_MESSAGE:
            shown = _ArgumentFormat(translate(lang, key) if key else before(message))
            shown.lang = lang
            return shown
        return translate(lang, key) if key else before(message)

    argparse._ = words  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._ = before  # type: ignore[attr-defined]
