"""The owner turns the visit rating on, sets its share, the review page and the guards' limits."""

from __future__ import annotations

from app.services import settings
from tests.services.helpers import snapshot
from tests.ui.conftest import settle


def test_rating_and_guard_settings_are_saved(window, qtbot, shot) -> None:
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.settings")
    settle(qtbot, window)
    assert not page.rating_enabled.isChecked() and not page.rating_percent.isEnabled()
    assert (page.fraud_earn_count.value(), page.fraud_earn_minutes.value()) == (3, 30)
    page.rating_enabled.setChecked(True)
    assert page.rating_percent.isEnabled()
    page.rating_percent.setValue(25)
    page.review_url.setText(" https://m.place.example.com/1234/review ")
    page.fraud_earn_count.setValue(4)
    page.fraud_earn_minutes.setValue(60)
    page.fraud_checkin_count.setValue(5)
    page.fraud_days.setValue(14)
    page.save_button.click()
    settle(qtbot, window)
    assert page.message.text() == "설정을 저장했습니다."
    value = lambda key: settings.setting(window.ctx, key)  # noqa: E731
    assert value("rating_enabled") is True and value("rating_percent") == 25
    assert value("review_url") == "https://m.place.example.com/1234/review"
    assert [value(k) for k in ("fraud_earn_count", "fraud_earn_minutes")] == [4, 60]
    assert [value(k) for k in ("fraud_checkin_count", "fraud_days")] == [5, 14]
    shot(window.backoffice, "backoffice_settings_rating")
    window.backoffice.resize(1200, 800)
    shot(window.backoffice, "backoffice_settings_rating_wide")

    before = snapshot(window.ctx)
    page.review_url.setText("www.example.com")  # no scheme: refused in words
    page.save_button.click()
    settle(qtbot, window)
    assert page.error.isVisible() and "https://" in page.error.text()
    assert snapshot(window.ctx) == before
