"""`dangol print ...`: slips (PDF or ESC/POS), membership cards, card sheets and the test page."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.cli.files import os_refusal
from app.domain.card import format_card_token
from app.domain.errors import Refused
from app.i18n import default_language, has_text, translate, translate_plural
from app.services.customers import resolve_customer

Command = Callable[..., argparse.ArgumentParser]


def _mm(text: str) -> float:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of millimetres: {text}") from exc


def _count(text: str) -> int:
    try:
        return int(text.strip().replace(",", ""))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from exc


def add_commands(command: Command) -> None:
    """Register `print` and its actions with main's `command(name, help, sub)` helper."""
    top = command("print", "slips, membership cards and card sheets (PDF or ESC/POS)")
    sub = top.add_subparsers(dest="action", metavar="WHAT", parser_class=type(top), required=True)
    p = command("slip", "the loyalty slip of a sale or redemption", sub)
    p.add_argument("id")
    p.add_argument("--out", type=Path, metavar="FILE.pdf")
    p.add_argument("--escpos", type=Path, metavar="FILE.bin")
    p.add_argument("--width", type=_count, help="paper width, 58 or 80 mm (default: settings)")
    p.add_argument("--text", action="store_true", help="ESC/POS as CP949 text, not an image")

    p = command("card", "one member's card at CR80 size (front and back)", sub)
    p.add_argument("who")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--with-name", action="store_true", help="print the member's name")
    p.add_argument("--front-only", action="store_true")

    p = command("cards", "cards on A4 business-card sheets, 10 a page", sub)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every active member")
    which.add_argument("--blank", type=_count, metavar="N", help="N new unassigned cards")
    which.add_argument("--who", nargs="+", metavar="WHO")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--sheet", help="sheet type, e.g. L7414 or J8414 (default L7414)")
    p.add_argument("--backs", action="store_true", help="add the backs, for duplex")
    p.add_argument("--with-name", action="store_true")

    p = command("test-sheet", "the alignment page: cut outlines of a sheet type", sub)
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--sheet")
    p.add_argument("--x", type=_mm, help="try an X offset in mm without saving it")
    p.add_argument("--y", type=_mm, help="try a Y offset in mm without saving it")

    p = command("calibrate", "save X/Y offsets (mm) for a sheet type", sub)
    p.add_argument("sheet")
    p.add_argument("--x", type=_mm, required=True)
    p.add_argument("--y", type=_mm, required=True)


@dataclass(frozen=True)
class Printed:
    """What a print command wrote."""

    kind: str  # slip | escpos | card | cards | test-sheet | calibrate
    file: str | None
    pages: int = 0
    cards: int = 0
    size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    lang: str = "ko"

    def __str__(self) -> str:
        lang = self.lang
        if self.kind == "calibrate":
            return translate(lang, "cli.print.calibrated", **self.extra)
        if self.kind == "escpos":
            return translate_plural(
                lang,
                "cli.print.escpos",
                "cli.print.escpos_plural",
                self.size,
                file=self.file,
                size=self.size,
            )
        key = f"cli.print.kind.{self.kind}"
        kind = translate(lang, key) if has_text(key) else self.kind
        line = translate_plural(
            lang,
            "cli.print.written",
            "cli.print.written_plural",
            self.pages,
            kind=kind,
            file=self.file,
            pages=self.pages,
        )
        if self.cards:
            line += " · " + translate_plural(
                lang,
                "cli.print.cards",
                "cli.print.cards_plural",
                self.cards,
                cards=f"{self.cards:,}",
            )
        tokens = self.extra.get("tokens") or []
        if tokens:  # blank cards: the numbers made, as printed, to hand out or to check
            line += "\n" + translate(lang, "cli.print.blank_numbers")
            line += "".join(f"\n  {format_card_token(token)}" for token in tokens)
        return line


def printed_json(printed: Printed, encode: Any) -> dict[str, Any]:
    """The --json of a print command: cards and bytes only where they mean something."""
    out: dict[str, Any] = {"kind": printed.kind, "file": printed.file, "pages": printed.pages}
    if printed.kind in ("card", "cards"):
        out["cards"] = printed.cards
    if printed.size:
        out["bytes"] = printed.size
    return {**out, **encode(printed.extra)}


def writable(path: Path) -> Path:
    """An output path: an existing file is replaced, a folder or a missing folder refused."""
    if path.is_dir():
        raise Refused("print.out_is_directory", path=str(path))
    if not path.parent.resolve().is_dir():
        raise Refused("print.out_folder_missing", path=str(path))
    return path


def write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        # the reason in the user's language, never the system's English text
        raise os_refusal(exc, path) or Refused("print.write_failed", path=str(path)) from exc


def run(ctx: Any, key: str, args: argparse.Namespace) -> Printed:
    """Dispatch `print <action>`."""
    lang = getattr(args, "lang", None) or default_language()
    handlers = {
        "print slip": _slip,
        "print card": _card,
        "print cards": _cards,
        "print test-sheet": _test_sheet,
        "print calibrate": _calibrate,
    }
    handler = handlers.get(key)
    if handler is None:
        raise Refused("cli.usage", detail=f"unknown command: {key}")
    return handler(ctx, args, lang)


def _slip(ctx: Any, args: argparse.Namespace, lang: str) -> Printed:
    from app.services.slips import PAPER_WIDTHS, printer_settings, slip_document, slip_for

    if args.out is None and args.escpos is None:
        raise Refused("print.no_output")
    width = args.width if args.width is not None else printer_settings(ctx).width
    if width not in PAPER_WIDTHS:
        raise Refused("print.width", width=width)
    for target in (args.out, args.escpos):
        if target is not None:
            writable(target)
    slip = slip_for(ctx, args.id)
    result = Printed("slip", None, lang=lang)
    if args.out is not None:
        write(args.out, slip_document(slip, "pdf", width))
        result = Printed("slip", str(args.out), pages=1, extra={"width": width}, lang=lang)
    if args.escpos is not None:
        data = slip_document(slip, "escpos", width, text=args.text)
        write(args.escpos, data)
        if args.out is None:
            extra = {"width": width}
            return Printed("escpos", str(args.escpos), size=len(data), extra=extra, lang=lang)
        result.extra["escpos"] = str(args.escpos)
    return result


def _card(ctx: Any, args: argparse.Namespace, lang: str) -> Printed:
    from app.printing.card import card_pdf
    from app.services.cards import card_for

    out = writable(args.out)
    card = card_for(ctx, resolve_customer(ctx, args.who), with_name=args.with_name)
    write(out, card_pdf(card, back=not args.front_only))
    pages = 1 if args.front_only else 2
    return Printed("card", str(out), pages=pages, cards=1, lang=lang)


def _cards(ctx: Any, args: argparse.Namespace, lang: str) -> Printed:
    from app.printing.sheet_pdf import pages_needed, sheet_pdf
    from app.services import cards

    out = writable(args.out)
    layout = cards.sheet_layout(ctx, args.sheet)
    extra: dict[str, Any] = {"sheet": layout.name}
    if args.all:
        batch = cards.cards_for_all(ctx, with_name=args.with_name)
    elif args.who:
        batch = cards.cards_for(
            ctx, [resolve_customer(ctx, w) for w in args.who], with_name=args.with_name
        )
    else:
        tokens = cards.create_blank_cards(ctx, args.blank)
        batch = cards.blank_cards(ctx, tokens)
        extra["tokens"] = tokens
    write(out, sheet_pdf(batch, layout, backs=args.backs))
    pages = pages_needed(len(batch), layout) * (2 if args.backs else 1)
    return Printed("cards", str(out), pages=pages, cards=len(batch), extra=extra, lang=lang)


def _test_sheet(ctx: Any, args: argparse.Namespace, lang: str) -> Printed:
    from app.printing.sheet_pdf import alignment_page_pdf
    from app.services.cards import sheet_layout

    out = writable(args.out)
    layout = sheet_layout(ctx, args.sheet)
    if args.x is not None or args.y is not None:
        x = layout.offset_x if args.x is None else args.x
        y = layout.offset_y if args.y is None else args.y
        layout = layout.with_offsets(x, y)
        problems = layout.problems()
        if problems:
            raise Refused("cards.sheet_invalid", sheet=layout.name, detail="; ".join(problems))
    write(out, alignment_page_pdf(layout))
    extra = {"sheet": layout.name, "offset_x": layout.offset_x, "offset_y": layout.offset_y}
    return Printed("test-sheet", str(out), pages=1, extra=extra, lang=lang)


def _calibrate(ctx: Any, args: argparse.Namespace, lang: str) -> Printed:
    from app.services.cards import calibrate_sheet

    layout = calibrate_sheet(ctx, args.sheet, args.x, args.y)
    extra = {"sheet": layout.name, "x": layout.offset_x, "y": layout.offset_y}
    return Printed("calibrate", None, extra=extra, lang=lang)
