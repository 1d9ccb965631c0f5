"""CSV import and export, backup and restore, through the command line."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.conftest import PHONE, assert_refused_in_both_languages, snapshot

HEADER = "phone,name,birthday,marketing_consent,points,stamps\n"
MIXED = (
    HEADER
    + "010-2222-3333,이손님,1990-05-01,y,1500,3\n"  # line 2: good
    + "010-123,박손님,,n,,\n"  # line 3: phone too short
    + "010-3333-4444,최손님,1990-13-01,n,,\n"  # line 4: no such date
    + "010 4444 5555,정손님,,예,200,\n"  # line 5: good
    + "01022223333,중복,,n,,\n"  # line 6: same number as line 2
    + "010-5555-6666,강손님,,n,abc,\n"  # line 7: points not a number
)


def write(tmp_path, text, encoding="utf-8", name="members.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(ctx, tmp_path):
    path = write(tmp_path, MIXED)
    before = snapshot(ctx.db)
    code, out, err = ctx("import", "customers", path)
    assert code == 2
    assert out == ""
    for line in (
        "3번째 줄: 휴대폰 번호가 너무 짧습니다",
        "4번째 줄: 생일",
        "6번째 줄: 같은 번호가 2번째",
        "7번째 줄: 포인트 값은",  # the field in words, not its code
    ):
        assert line in err, err
    assert "2번째 줄:" not in err and "5번째 줄" not in err
    assert "아무것도 가져오지 않았습니다" in err
    assert snapshot(ctx.db) == before

    english = ctx("import", "customers", path, "--json", "--lang", "en")
    assert english.code == 2
    assert [b["line"] for b in english.json["bad_rows"]] == [3, 4, 6, 7]
    assert english.json["imported"] == 0
    assert "line 3: The phone number is too short" in english.err
    assert snapshot(ctx.db) == before


def test_skip_bad_imports_only_the_good_rows(ctx, tmp_path):
    result = ctx("import", "customers", write(tmp_path, MIXED), "--skip-bad", "--json")
    assert result.code == 0
    assert (result.json["rows"], result.json["imported"]) == (6, 2)
    assert [b["line"] for b in result.json["bad_rows"]] == [3, 4, 6, 7]
    assert snapshot(ctx.db)["customers"] == 3

    first = ctx.ok("customer", "show", "010-2222-3333")
    assert (first["name"], first["points"], first["stamps"]) == ("이손님", 1500, 3)
    assert first["marketing_consent"] is True
    second = ctx.ok("customer", "show", "01044445555")
    assert (second["name"], second["points"], second["marketing_consent"]) == ("정손님", 200, True)
    for missing in ("010-3333-4444", "010-5555-6666"):
        assert "해당하는 회원이 없습니다" in ctx.refused("customer", "show", missing)

    code, _, _ = ctx("import", "customers", write(tmp_path, MIXED, name="again.csv"), "--skip-bad")
    assert code == 2  # every row is bad now: the two good ones are members already
    assert snapshot(ctx.db)["customers"] == 3


def test_dry_run_imports_nothing(ctx, tmp_path):
    good = write(tmp_path, HEADER + "010-2222-3333,이손님,,y,100,\n", name="good.csv")
    before = snapshot(ctx.db)
    dry = ctx.ok("import", "customers", good, "--dry-run")
    assert (dry["rows"], dry["imported"], dry["dry_run"], dry["bad_rows"]) == (1, 0, True, [])
    code, out, _ = ctx("import", "customers", good, "--dry-run")
    assert code == 0 and "아무것도 저장하지 않았습니다" in out
    bad = ctx("import", "customers", write(tmp_path, MIXED), "--dry-run", "--skip-bad")
    assert bad.code == 2 and "3번째 줄" in bad.err
    assert snapshot(ctx.db) == before
    assert ctx.ok("import", "customers", good)["imported"] == 1


def test_a_cp949_file_with_korean_names(ctx, tmp_path):
    text = HEADER + "010-2222-3333,홍길동,,예,,\r\n010-3333-4444,김철수,1985-02-03,아니오,,\r\n"
    path = write(tmp_path, text, encoding="cp949")
    assert ctx.ok("import", "customers", path)["imported"] == 2
    hong = ctx.ok("customer", "show", "010-2222-3333")
    assert (hong["name"], hong["marketing_consent"]) == ("홍길동", True)
    assert ctx.ok("customer", "show", "01033334444")["name"] == "김철수"
    assert [c["name"] for c in ctx.ok("customer", "find", "홍")["customers"]] == ["홍길동"]


@pytest.mark.parametrize(
    ("content", "ko", "en"),
    [
        (b"name,points\n\xea\xb9\x80,1\n", "'phone' 열", "'phone' column"),
        ("phone\n010-2222-3333\n".encode("utf-16"), "UTF-8 또는 CP949", "UTF-8 or CP949"),
    ],
    ids=["no phone column", "utf-16"],
)
def test_an_unreadable_file_is_refused(ctx, tmp_path, content, ko, en):
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    assert_refused_in_both_languages(ctx, ["import", "customers", str(path)], ko, en)


def test_backup_then_restore(ctx, tmp_path):
    ctx.ok("sale", PHONE, "--amount", "12000")
    backup_file = tmp_path / "backups" / "shop-backup.sqlite"
    made = ctx.ok("backup", str(backup_file))
    assert made["path"] == str(backup_file.resolve())
    assert (made["customers"], made["ledger_entries"]) == (1, 1)
    assert made["bytes"] == backup_file.stat().st_size > 0

    ctx.ok("sale", PHONE, "--amount", "50000")
    ctx.ok("customer", "add", "--phone", "010-2222-3333")
    assert ctx.ok("customer", "show", PHONE)["points"] == 1240

    restored = ctx.ok("restore", str(backup_file))
    assert ctx.ok("customer", "show", PHONE)["points"] == 240
    assert "해당하는 회원이 없습니다" in ctx.refused("customer", "show", "010-2222-3333")
    # the state before the restore was kept aside, whole
    aside = sqlite3.connect(restored["previous_copy"])
    try:
        assert aside.execute("SELECT count(*) FROM customers").fetchone()[0] == 2
    finally:
        aside.close()

    assert "이미 있는 파일에는 백업하지 않습니다" in ctx.refused("backup", str(backup_file))
    code, out, _ = ctx("backup", str(tmp_path / "second.sqlite"))
    assert code == 0 and "백업 완료" in out and "무결성 확인" in out


def damaged_files(tmp_path, good):
    """A text file, a backup cut short, a backup with a page overwritten, a foreign SQLite."""
    text = tmp_path / "notes.txt"
    text.write_text("안녕하세요\n", encoding="utf-8")
    data = good.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(data[: len(data) // 3])
    scribbled = tmp_path / "scribbled.sqlite"
    scribbled.write_bytes(data[:4096] + b"\xa5" * 8192 + data[4096 + 8192 :])
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    return {
        "text file": (text, "단골 데이터베이스 파일이 아닙니다", "Not a Dangol database file"),
        "cut short": (cut, "손상된 백업 파일", "damaged"),
        "scribbled": (scribbled, "손상된 백업 파일", "damaged"),
        "foreign": (foreign, "손상된 백업 파일", "damaged"),
        "missing": (tmp_path / "nope.sqlite", "파일이 없습니다", "No such file"),
    }


def test_a_damaged_backup_is_not_restored(ctx, tmp_path):
    good = tmp_path / "good.sqlite"
    ctx.ok("backup", str(good))
    ctx.ok("sale", PHONE, "--amount", "12000")
    for name, (path, ko, en) in damaged_files(tmp_path, good).items():
        try:
            assert_refused_in_both_languages(ctx, ["restore", str(path)], ko, en)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
    assert not list(ctx.db.parent.glob("*before-restore*"))  # not even the copy aside
    assert ctx.ok("customer", "show", PHONE)["points"] == 240
