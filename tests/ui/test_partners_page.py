"""The coalition's back-office page: terms and shops, closing, settling, saving, acknowledging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.services import customers, partners
from app.services.context import open_shop
from tests.conftest import START, _fresh_copy
from tests.services.test_partners import coalition_url  # noqa: F401  (the fixture)
from tests.ui.conftest import settle

pytestmark = pytest.mark.postgres


def test_the_page_settles_a_month_and_saves_the_statement(
    window,
    qtbot,
    shot,
    coalition_url,  # noqa: F811
    tmp_path,
    migrated_sqlite,
) -> None:
    here = window.ctx
    here.fixed_now = START
    code = partners.create_program(
        here,
        "연남동 골목",
        point_value="1",
        earn_rate="0.01",
        shop_name="단골 카페",
        url=coalition_url,
    ).join_code
    other = open_shop(_fresh_copy(migrated_sqlite, tmp_path / "b.sqlite"), now=START)
    try:
        partners.join_program(other, code, shop_name="연남 서점", url=coalition_url)
        member = customers.enroll(other, "010-5555-6666").id
        partners.set_partner_consent(other, member, True)
        partners.partner_sale(other, "010-5555-6666", 80_000)
        partners.partner_sale(here, "010-5555-6666", 10_000, spend=450)
        other.fixed_now = START + timedelta(days=25)
        partners.close_month(other, "2026-03")
    finally:
        other.close()
    here.fixed_now = START + timedelta(days=25)
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.partners")
    settle(qtbot, window)
    assert "연남동 골목" in page.terms.text() and page.shops.rowCount() == 2
    page.month.setText("2026-03")
    page.settle_button.click()
    settle(qtbot, window)
    assert "단골 카페" in page.message.text()  # still waiting for this shop's closing
    page.close_button.click()
    settle(qtbot, window)
    page.settle_button.click()
    settle(qtbot, window)
    settle(qtbot, window)
    assert page.statements.rowCount() == 1
    assert page.statements.item(0, 3).text() == "450원 받음"
    page.ack_button.click()
    settle(qtbot, window)
    settle(qtbot, window)
    assert page.statements.item(0, 4).text() == "우리 예 · 상대 아니요"
    page.save(str(tmp_path / "s.pdf"))
    settle(qtbot, window)
    assert "연남 서점" in PdfReader(tmp_path / "s.pdf").pages[0].extract_text()
    assert (tmp_path / "s.csv").exists()
    shot(page, "backoffice_partners")
