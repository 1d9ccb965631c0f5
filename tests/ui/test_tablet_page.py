"""The tablet section of the POS tokens page: off by default, turned on by the owner, a code
shown big that a tablet (here the service call the page makes) turns into a listed token; a
code whose dialog is closed unused stops. Screenshots in build/screenshots/tablet/ and, when
it can be made, /work/shots/tablet/ (both languages)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from app.domain.errors import Refused
from app.services import devices, settings, tokens
from app.ui.backoffice.tokens_page import TokensPage
from app.ui.tasks import ServiceRunner
from app.ui.text import set_language
from tests.ui.counter_help import shot


def look(widget, name: str) -> None:
    """The screenshot in the build folder (build/screenshots/tablet/)."""
    assert shot(widget, f"tablet/{name}").is_file()


@pytest.fixture
def page(app, sqlite_ctx, qtbot):
    runner = ServiceRunner()
    built = TokensPage(sqlite_ctx, runner)
    qtbot.addWidget(built)
    built.resize(1200, 760)
    built.show()
    qtbot.waitUntil(lambda: runner.idle, timeout=10_000)
    yield built
    runner.stop()


def settle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: page.runner.idle, timeout=10_000)


def as_tablet(ctx):
    return replace(ctx, token=None, allowed=None)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_off_by_default_on_then_a_code_pairs_a_tablet_listed_with_the_tokens(
    language, page, qtbot
) -> None:
    set_language(language)
    try:
        ctx = page.ctx
        section = page.tablet
        assert not section.enabled.isChecked() and not section.connect_button.isEnabled()
        section.enabled.setChecked(True)
        settle(qtbot, page)
        assert devices.tablet_enabled(ctx) and section.connect_button.isEnabled()
        # the bridge is off in a new shop: the section says what stands in the way
        assert section.where.isVisible() and ("POS" in section.where.text())
        settings.update_settings(ctx, pos_api_enabled=True)
        section.show_where()
        assert "127.0.0.1" in section.where.text()
        settings.update_settings(ctx, pos_api_lan=True)
        section.show_where()
        assert not section.where.isVisible()

        section.connect_button.click()
        settle(qtbot, page)
        dialog = section.dialog
        assert dialog is not None and dialog.isVisible()
        code = dialog.code.text().replace(" ", "")
        assert re.fullmatch(r"\d{6}", code)
        assert dialog.code.fontMetrics().height() >= 60  # shown big
        assert ":8765/checkin" in dialog.address.text()
        assert devices.pairing_state(ctx).waiting
        look(dialog, f"pairing-code-{language}")

        paired = devices.pair(as_tablet(ctx), code)  # what the tablet's page asks the bridge
        qtbot.waitUntil(lambda: dialog.paired_name is not None, timeout=10_000)
        assert paired.name in dialog.state.text()
        settle(qtbot, page)
        names = [page.table.item(row, 0).text() for row in range(page.table.rowCount())]
        assert paired.name in names
        look(dialog, f"pairing-done-{language}")
        dialog.close_button.click()
        settle(qtbot, page)
        look(page, f"tokens-page-with-tablet-{language}")
        info = next(t for t in tokens.list_tokens(ctx).tokens if t.name == paired.name)
        assert info.scope == "tablet" and info.active
    finally:
        set_language("ko")


def test_a_code_whose_dialog_is_closed_unused_stops_and_a_taken_name_is_said(page, qtbot):
    ctx = page.ctx
    section = page.tablet
    section.enabled.setChecked(True)
    settle(qtbot, page)
    section.connect_button.click()
    settle(qtbot, page)
    code = section.dialog.code.text().replace(" ", "")
    section.dialog.close_button.click()
    settle(qtbot, page)
    with pytest.raises(Refused) as stopped:
        devices.pair(as_tablet(ctx), code)
    assert stopped.value.code == "tablet.code_wrong"
    tokens.create_token(ctx, section.name.text(), "pos")  # the name is now taken
    section.connect_button.click()
    settle(qtbot, page)
    assert section.dialog is None and section.error.isVisible()
    assert section.name.text() in section.error.text()
