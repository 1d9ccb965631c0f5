"""The command line speaks the shop's language when neither --lang nor DANGOL_LANG says
otherwise; it reads that setting without opening the shop for real (no upgrade, nothing made,
not for --help); the placeholders and value checks of its usage are in the language too."""

from __future__ import annotations

from app.db import migrate
from app.db.engine import Database, resolve_url
from app.services import settings
from app.services.context import open_shop, shop_language
from tests.cli.conftest import PHONE


def _english_shop(cli) -> None:
    assert cli("init").code == 0
    assert cli("customer", "add", "--phone", PHONE).code == 0
    ctx = open_shop(str(cli.db))
    try:
        settings.update_settings(ctx, language="en")
    finally:
        ctx.close()


def test_an_english_shop_speaks_english_unless_told_otherwise(cli) -> None:
    _english_shop(cli)
    shown = cli("customer", "show", PHONE)
    assert shown.code == 0 and "Points" in shown.out and "포인트" not in shown.out, shown
    bad = cli("sale", PHONE, "--amount", "1000", "--items", "abc")
    assert bad.code == 2 and "not a whole number: abc" in bad.err and "정수" not in bad.err
    # --lang and DANGOL_LANG still win
    assert "포인트" in cli("--lang", "ko", "customer", "show", PHONE).out
    assert "포인트" in cli("customer", "show", PHONE, env={"DANGOL_LANG": "ko"}).out


def test_a_korean_shop_and_its_usage_words(cli) -> None:
    assert cli("init").code == 0
    bad = cli("sale", PHONE, "--amount", "1000", "--items", "abc")
    assert bad.code == 2 and "--items: 정수로 써야 합니다: abc" in bad.err, bad
    assert "not a whole" not in bad.err
    mm = cli("print", "calibrate", "L7414", "--x", "왼쪽", "--y", "1")
    assert mm.code == 2 and "밀리미터 숫자로 써야 합니다: 왼쪽" in mm.err, mm
    missing = cli("sale")
    assert "다음 항목이 필요합니다: 회원, --amount" in missing.err, missing

    help_ko = cli("customer", "add", "--help").out
    assert "--referrer 회원" in help_ko and "--phone 전화번호" in help_ko
    assert "WHO" not in help_ko and "PHONE" not in help_ko
    assert "--amount 금액" in cli("sale", "--help").out
    help_en = cli("--lang", "en", "customer", "add", "--help").out
    assert "--referrer WHO" in help_en and "--phone PHONE" in help_en


def test_the_language_is_read_without_upgrading_or_making_a_database(cli, tmp_path) -> None:
    missing = tmp_path / "none.sqlite"
    assert shop_language(str(missing)) is None and not missing.exists()
    assert cli("--db", str(missing), "--help", db=False).code == 0
    assert cli("--db", str(missing), "sale", "--items", "x", db=False).code == 2
    assert not missing.exists()  # a usage error made no database

    _english_shop(cli)
    assert shop_language(str(cli.db)) == "en"
    db = Database(resolve_url(str(cli.db)))
    try:
        migrate.downgrade(db.engine, "0006")  # an older version's file, the language in it
        bad = cli("sale", PHONE, "--amount", "1000", "--items", "abc")
        assert bad.code == 2 and "정수로 써야 합니다" in bad.err  # not at head: Korean
        assert cli("--help").code == 0
        assert migrate.current_revision(db.engine) == "0006"  # nothing upgraded to ask
    finally:
        db.dispose()
