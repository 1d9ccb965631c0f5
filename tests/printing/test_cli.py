"""`dangol print ...` on a real SQLite file: files written, JSON answers, refusals exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import NOW, Cli
from tests.printing.conftest import (
    MASKED,
    PHONE,
    page_sizes_mm,
    pdf_text,
    read_qr_codes,
    render_pages,
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    for key in ("DANGOL_NOW", "DANGOL_DB", "DANGOL_LANG", "DANGOL_DEBUG"):
        monkeypatch.delenv(key, raising=False)
    runner = Cli(tmp_path / "shop.sqlite", monkeypatch, capsys)
    runner.now = NOW
    runner.ok("init")
    return runner


@pytest.fixture
def sale_id(cli: Cli) -> str:
    cli.ok("customer", "add", "--phone", PHONE, "--name", "김민준")
    return str(cli.ok("sale", PHONE, "--amount", "12,500")["sale_id"])


def test_print_slip_pdf_and_escpos(cli: Cli, sale_id: str, tmp_path: Path) -> None:
    pdf, raw = tmp_path / "slip.pdf", tmp_path / "slip.bin"
    answer = cli.ok(
        "print", "slip", sale_id, "--out", str(pdf), "--escpos", str(raw), "--width", "58"
    )
    assert answer == {
        "kind": "slip",
        "file": str(pdf),
        "pages": 1,
        "width": 58,
        "escpos": str(raw),
    }
    assert page_sizes_mm(pdf.read_bytes())[0][0] == 58.0
    assert MASKED in pdf_text(pdf.read_bytes())
    assert raw.read_bytes().startswith(b"\x1b@")
    # an existing file is replaced: printing again is normal
    assert cli.ok("print", "slip", sale_id, "--out", str(pdf))["width"] == 80


def test_print_slip_width_from_printer_settings(cli: Cli, sale_id: str, tmp_path: Path) -> None:
    from app.services.context import open_shop
    from tests.printing.conftest import set_shop_setting

    ctx = open_shop(str(cli.db), create=False)
    try:
        set_shop_setting(ctx, "printer", {"kind": "escpos", "width": 58, "device": ""})
    finally:
        ctx.close()
    answer = cli.ok("print", "slip", sale_id, "--escpos", str(tmp_path / "s.bin"))
    assert (answer["kind"], answer["width"]) == ("escpos", 58)
    assert answer["bytes"] == (tmp_path / "s.bin").stat().st_size


def test_print_card_and_sheets(cli: Cli, sale_id: str, tmp_path: Path) -> None:
    card = cli.ok("customer", "show", PHONE)["card"]
    out = tmp_path / "card.pdf"
    assert cli.ok("print", "card", PHONE, "--out", str(out)) == {
        "kind": "card",
        "file": str(out),
        "pages": 2,
        "cards": 1,
    }
    assert [f.text for f in read_qr_codes(render_pages(out.read_bytes())[0])] == [card]

    sheet = tmp_path / "all.pdf"
    answer = cli.ok("print", "cards", "--all", "--out", str(sheet), "--sheet", "J8414", "--backs")
    assert (answer["cards"], answer["pages"], answer["sheet"]) == (1, 2, "J8414")
    answer = cli.ok("print", "cards", "--who", PHONE, card, "--out", str(sheet))
    assert (answer["cards"], answer["pages"]) == (2, 1)


def test_print_blank_cards_then_enroll_with_one(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "blank.pdf"
    answer = cli.ok("print", "cards", "--blank", "11", "--out", str(out))
    assert (answer["cards"], answer["pages"]) == (11, 2)
    tokens = answer["tokens"]
    decoded = [f.text for page in render_pages(out.read_bytes()) for f in read_qr_codes(page)]
    assert sorted(decoded) == sorted(tokens)
    enrolled = cli.ok("customer", "add", "--phone", "010-5555-6666", "--card", tokens[3])
    assert enrolled["card"] == tokens[3]


def test_test_sheet_and_calibrate(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "test.pdf"
    assert cli.ok("print", "calibrate", "J8414", "--x", "0.5", "--y", "-1")["sheet"] == "J8414"
    answer = cli.ok("print", "test-sheet", "--sheet", "J8414", "--out", str(out))
    assert (answer["offset_x"], answer["offset_y"], answer["pages"]) == (0.5, -1.0, 1)
    assert "Y -1.0 mm" in pdf_text(out.read_bytes())


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["print", "slip", "not-an-id", "--out", "{tmp}/x.pdf"], "구매나 사용 기록이 없습니다"),
        (["print", "slip", "{sale}"], "--out"),
        (["print", "slip", "{sale}", "--out", "{tmp}"], "폴더입니다"),
        (["print", "slip", "{sale}", "--out", "{tmp}/no/x.pdf"], "폴더가 없습니다"),
        (["print", "slip", "{sale}", "--out", "{tmp}/x.pdf", "--width", "70"], "58 또는 80"),
        (["print", "card", "010-9999-8888", "--out", "{tmp}/x.pdf"], "회원이 없습니다"),
        (["print", "cards", "--blank", "0", "--out", "{tmp}/x.pdf"], "1장에서 1000장"),
        (["print", "cards", "--blank", "5000", "--out", "{tmp}/x.pdf"], "1장에서 1000장"),
        (
            ["print", "cards", "--all", "--sheet", "XX", "--out", "{tmp}/x.pdf"],
            "알 수 없는 카드 용지",
        ),
        (["print", "test-sheet", "--x", "30", "--out", "{tmp}/x.pdf"], "올바르지 않습니다"),
        (["print", "cards", "--out", "{tmp}/x.pdf"], "명령을 이해하지 못했습니다"),
    ],
)
def test_bad_input_exits_2(
    cli: Cli, sale_id: str, tmp_path: Path, args: list[str], reason: str
) -> None:
    argv = [a.format(tmp=tmp_path, sale=sale_id) for a in args]
    assert reason in cli.refused(*argv)
    assert not (tmp_path / "x.pdf").exists()


def test_refusals_in_english(cli: Cli, tmp_path: Path) -> None:
    err = cli.refused("print", "slip", "nope", "--out", str(tmp_path / "x.pdf"), "--lang", "en")
    assert "No sale or redemption" in err


def test_text_output_names_what_was_written(cli: Cli, tmp_path: Path) -> None:
    result = cli("print", "cards", "--blank", "2", "--out", str(tmp_path / "b.pdf"))
    assert result.code == 0
    first, *numbers = result.out.strip().splitlines()
    assert first == f"카드 용지 저장: {tmp_path / 'b.pdf'} (1쪽) · 카드 2장"
    # the numbers it made, as printed (four groups of four digits)
    assert numbers[0] == "만든 카드 번호:" and len(numbers) == 3
    assert all(len(n.split()) == 4 for n in numbers[1:])
