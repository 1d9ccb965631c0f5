"""The member's record: consent to messages per channel, changed only after confirming."""

from __future__ import annotations

from sqlalchemy import select

from app.db.models import ConsentEvent
from app.services import consents, customers
from tests.ui.backoffice.confirm_help import answer
from tests.ui.backoffice.test_customers import open_detail
from tests.ui.conftest import settle

GRANT = ("동의 기록", "닫기")
WITHDRAW = ("철회 기록", "닫기")


def _events(ctx, customer_id) -> list[tuple[str, str, str, bool, str]]:
    with ctx.db.read() as session:
        return [
            (r.action, r.channel or "", r.purpose or "", r.night, r.source or "")
            for r in session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.customer_id == customer_id)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
        ]


def test_the_consent_tab_records_what_the_member_said(window, qtbot, shot) -> None:
    member = customers.enroll(window.ctx, "010-5555-1234", name="김민준", marketing_consent=True)
    _page, detail = open_detail(window, qtbot, "1234")
    detail.tabs.setCurrentIndex(detail.tabs.count() - 1)
    assert detail.tabs.tabText(detail.tabs.currentIndex()) == "수신 동의"
    boxes = detail.consent_boxes
    assert boxes[("sms", "ad", False)].isChecked()
    assert "카운터" in boxes[("sms", "ad", False)].text()
    assert boxes[("sms", "info", False)].isChecked()  # informational: the program consent
    assert not boxes[("alimtalk", "ad", False)].isChecked()
    assert not boxes[("alimtalk", "ad", True)].isEnabled()  # night needs the ad consent first
    assert "2년마다" in detail.consent_notice.text()

    # a click asks first; closing the question changes nothing
    boxes[("alimtalk", "ad", False)].click()
    assert not boxes[("alimtalk", "ad", False)].isChecked()
    asked = answer(qtbot, detail.dialogs, "consentConfirm", accept=False, buttons=GRANT)
    assert "카카오 알림톡 광고성" in asked and "직접 동의" in asked
    settle(qtbot, window)
    assert _events(window.ctx, member.id) == [("grant", "sms", "ad", False, "counter")]
    assert not boxes[("alimtalk", "ad", False)].isChecked()

    boxes[("alimtalk", "ad", False)].click()
    answer(qtbot, detail.dialogs, "consentConfirm", accept=True, buttons=GRANT)
    settle(qtbot, window)
    assert boxes[("alimtalk", "ad", False)].isChecked()
    assert boxes[("alimtalk", "ad", True)].isEnabled()
    assert detail.message.text() == "수신 동의를 기록했습니다."

    boxes[("sms", "ad", False)].click()
    asked = answer(qtbot, detail.dialogs, "consentConfirm", accept=True, buttons=WITHDRAW)
    assert "철회" in asked
    settle(qtbot, window)
    assert _events(window.ctx, member.id)[1:] == [
        ("grant", "alimtalk", "ad", False, "back_office"),
        ("withdraw", "sms", "ad", False, "back_office"),
    ]
    assert not boxes[("sms", "ad", False)].isChecked()
    assert "철회" in boxes[("sms", "ad", False)].text()
    assert not detail.marketing.isChecked()  # the profile's box follows SMS advertising
    state = consents.consent_state(window.ctx, member.id)
    assert [c.channel for c in state.consents if c.granted] == ["alimtalk"]
    shot(detail, "backoffice_customer_consents")
