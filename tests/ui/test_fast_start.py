"""Issue 17 item 4: the sign-in screen comes first, before SQLAlchemy, the models or the
services are imported; the shop opens behind it, and a PIN typed meanwhile is not lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.db.peek import head_revision
from app.services import settings, setup, staff
from app.services.first_screen import first_screen
from app.services.store import store_name

PRINTER = {"kind": "pdf", "width": 80, "device": ""}


def _ready(ctx) -> str:  # type: ignore[no-untyped-def]
    """A shop in use: set up (PIN 1357), a cashier, nothing left to ask at start."""
    setup.complete_setup(
        ctx,
        store_name="단골 베이커리",
        pin="1357",
        pin_again="1357",
        template="points",
        printer=PRINTER,
    )
    staff.add_staff(ctx, "김알바", "cashier", "2468")
    return str(ctx.db.path)


def test_the_first_screen_reads_what_the_services_read(sqlite_ctx) -> None:
    path = _ready(sqlite_ctx)
    settings.update_settings(sqlite_ctx, language="en")
    first = first_screen(path)
    assert first is not None
    assert first.store_name == store_name(sqlite_ctx) == "단골 베이커리"
    assert first.staff == staff.list_staff(sqlite_ctx)
    assert [m.role for m in first.staff] == ["owner", "cashier"]
    assert first.language == "en" == settings.setting(sqlite_ctx, "language")
    settings.update_settings(sqlite_ctx, language="ko")
    assert first_screen(path).language == "ko"  # type: ignore[union-attr]


def test_any_other_shop_opens_the_usual_way(sqlite_ctx, tmp_path: Path) -> None:
    path = str(sqlite_ctx.db.path)
    assert first_screen(path) is None  # new: the setup wizard comes first
    assert first_screen(str(tmp_path / "nothing-here.sqlite")) is None
    (tmp_path / "empty.sqlite").touch()
    assert first_screen(str(tmp_path / "empty.sqlite")) is None
    (tmp_path / "text.sqlite").write_text("not a database", encoding="utf-8")
    assert first_screen(str(tmp_path / "text.sqlite")) is None
    assert first_screen("postgresql://postgres@127.0.0.1:5432/test") is None
    _ready(sqlite_ctx)
    assert first_screen(path) is not None
    older = f"{int(head_revision()) - 1:04d}"
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (older,))
        assert first_screen(path) is None  # to upgrade (copied aside first): the usual way
    finally:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (head_revision(),))
        conn.close()


def _usual_way_asks_nothing(ctx) -> bool:  # type: ignore[no-untyped-def]
    """What app.ui.app.first_run would find: no wizard, no demo question."""
    from app.services.demo import has_members

    return not setup.needs_setup(ctx) and bool(ctx.settings.get("demo_offered") or has_members(ctx))


def test_it_decides_as_the_usual_way_would(sqlite_ctx) -> None:
    from app.services.customers import enroll
    from app.services.demo import mark_demo_offered

    path = str(sqlite_ctx.db.path)
    steps = [
        lambda: None,  # a new shop: the wizard
        lambda: staff.set_pin(sqlite_ctx, sqlite_ctx.staff_id, "1357"),  # no wizard; the demo?
        lambda: mark_demo_offered(sqlite_ctx),  # nothing left to ask
    ]
    seen = []
    for step in steps:
        step()
        ready = first_screen(path) is not None
        assert ready == _usual_way_asks_nothing(sqlite_ctx)
        seen.append(ready)
    assert seen == [False, False, True]
    sqlite_ctx.settings.pop("demo_offered")
    with sqlite_ctx.db.write() as session:
        from app.db.settings import set_setting

        set_setting(session, "demo_offered", False)
    assert first_screen(path) is None
    enroll(sqlite_ctx, "010-1234-5678")  # members: no demo question either
    assert first_screen(path) is not None
    assert _usual_way_asks_nothing(sqlite_ctx)


PROBE = """
import json, sys
import app.ui.app as gui

seen = {}
write = gui._write_ready


def ready(path):
    if not seen:  # the first screen takes input: what is loaded by then
        loaded = [m for m in sys.modules if m.startswith(("sqlalchemy", "alembic", "fastapi"))]
        light = ("app.services", "app.services.first_screen")  # the decision, no SQL library
        ours = [
            m
            for m in sys.modules
            if m.startswith(("app.db.models", "app.db.engine", "app.services")) and m not in light
        ]
        seen.update(first=sorted(loaded + ours))
    write(path)


gui._write_ready = ready
sys.argv = ["dangol", "--db", sys.argv[1]]
from app.launch import main

code = main()
seen.update(code=code, after="sqlalchemy" in sys.modules and "app.db.models" in sys.modules)
print(json.dumps(seen))
"""


def test_the_first_screen_comes_before_sqlalchemy_and_the_counter_after_it(
    sqlite_ctx, tmp_path: Path
) -> None:
    path = _ready(sqlite_ctx)
    sqlite_ctx.close()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "DANGOL_READY_FILE": str(tmp_path / "ready"),
        "DANGOL_WHOLE_FILE": str(tmp_path / "whole"),
    }
    env.pop("DANGOL_NOW", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, path],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == [], seen["first"]  # nothing of the database stack before
    assert seen["after"] is True  # ... and the shop was opened behind the first screen
    assert seen["code"] == 0
    first = float((tmp_path / "ready").read_text())
    whole = float((tmp_path / "whole").read_text())
    assert first <= whole


def test_a_pin_typed_before_the_shop_is_open_signs_in_once_it_is(app, sqlite_ctx, qtbot) -> None:
    from PySide6.QtCore import Qt

    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    sqlite_ctx.fixed_now = None
    peek = first_screen(_ready(sqlite_ctx))
    assert peek is not None
    window = MainWindow(None, peek.store_name, None, staff=peek.staff)
    qtbot.addWidget(window)
    window.show()
    try:
        signin = window.signin
        assert window.stack.currentWidget() is signin
        assert not window.toolbar.isEnabled()  # its actions need the shop
        assert signin.people.count() == 2
        assert signin.people.currentItem().text().startswith("사장님")
        qtbot.keyClicks(signin.pin, "1357")
        qtbot.keyClick(signin.pin, Qt.Key.Key_Return)
        assert not signin.button.isEnabled()  # kept, waiting for the shop
        assert signin.pin.text() == "1357"
        window.attach(sqlite_ctx, program_in_force(sqlite_ctx))
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.counter, timeout=10_000)
        assert window.toolbar.isEnabled()
        assert sqlite_ctx.staff_role == "owner"
        assert window.who.text()  # the status bar names who signed in
    finally:
        window.close()


def test_a_wrong_pin_typed_before_the_shop_is_open_is_refused_in_korean(
    app, sqlite_ctx, qtbot
) -> None:
    from PySide6.QtCore import Qt

    from app.services.program import program_in_force
    from app.ui.main_window import MainWindow

    sqlite_ctx.fixed_now = None
    peek = first_screen(_ready(sqlite_ctx))
    assert peek is not None
    window = MainWindow(None, peek.store_name, None, staff=peek.staff)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.keyClicks(window.signin.pin, "0000")
        qtbot.keyClick(window.signin.pin, Qt.Key.Key_Return)
        window.attach(sqlite_ctx, program_in_force(sqlite_ctx))
        qtbot.waitUntil(lambda: bool(window.signin.error.text()), timeout=10_000)
        assert window.stack.currentWidget() is window.signin
        assert any("\uac00" <= c <= "\ud7a3" for c in window.signin.error.text())
        assert window.signin.button.isEnabled()
    finally:
        window.close()
