"""The daily work runs from the window by itself, at a quiet moment, and the status bar says so."""

from __future__ import annotations

from datetime import UTC, datetime, time

from PySide6.QtCore import Qt

from app.domain.errors import Refused
from app.services import customers, daily, sales, settings
from app.services.customers import resolve_customer
from app.ui.daily_runner import DailyRunner
from app.ui.tasks import ServiceRunner
from tests.ui.backoffice.test_pages_a import _open
from tests.ui.conftest import settle

SEOUL_9 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # any fixed aware moment


def quick(runner: DailyRunner, seconds: float = 0.3) -> None:
    """Seconds, not a minute, of quiet; checked often."""
    runner.quiet_seconds = seconds
    runner.timer.setInterval(30)


def test_the_window_runs_the_daily_work_at_a_quiet_moment(window, qtbot, shot) -> None:
    ctx = window.ctx
    # a lot earned 13 months ago has expired; nobody runs `dangol run-daily`
    ctx.fixed_now = datetime(2025, 2, 3, 3, 0, tzinfo=UTC)
    customers.enroll(ctx, "010-5555-0001")
    sales.record_sale(ctx, resolve_customer(ctx, "010-5555-0001"), 50_000)  # 1,000 P
    ctx.fixed_now = None
    settle(qtbot, window)
    assert window.daily_label.text() == "일일 작업: 아직 실행 전"
    assert daily.last_run(ctx) is None
    quick(window.daily)
    qtbot.waitUntil(
        lambda: window.daily_label.text().startswith("일일 작업: 오늘 "), timeout=10_000
    )
    local = ctx.local(ctx.now())
    assert window.daily_label.text() == f"일일 작업: 오늘 {window.daily.last:%H:%M}"
    assert window.daily.last.date() == local.date()
    assert customers.customer_status(ctx, resolve_customer(ctx, "010-5555-0001")).points == 0
    record = daily.day_record(ctx, local.date())
    assert record is not None and record["expired_points"] == 1000
    # the day's backup follows, on its own thread, in the folder next to the database
    folder = ctx.db.path.parent / "backups"
    qtbot.waitUntil(lambda: any(folder.glob("dangol-*-auto.sqlite*")), timeout=20_000)
    qtbot.waitUntil(lambda: window.background.idle, timeout=20_000)
    shot(window, "daily_status")
    # once a day: quiet again, it does not run again
    runs = len(record["runs"])
    qtbot.wait(300)
    assert len(daily.day_record(ctx, local.date())["runs"]) == runs


def test_typing_at_the_counter_keeps_it_waiting(window, qtbot) -> None:
    settle(qtbot, window)
    window.daily.poke()
    quick(window.daily, 0.6)
    search = window.counter.search
    for _ in range(12):  # a cashier typing: never a quiet moment
        qtbot.keyClick(search, Qt.Key.Key_1)
        qtbot.wait(100)
    assert not window.daily.running and daily.last_run(window.ctx) is None
    qtbot.waitUntil(lambda: daily.last_run(window.ctx) is not None, timeout=10_000)


def test_the_english_status_bar(window, qtbot) -> None:
    from app.ui.text import set_language

    settle(qtbot, window)
    set_language("en")
    try:
        quick(window.daily)
        qtbot.waitUntil(
            lambda: window.daily_label.text().startswith("Daily work: today "), timeout=10_000
        )
    finally:
        set_language("ko")


def _alone(qtbot, job, *, now=SEOUL_9, chosen=None, last=None):
    runner = ServiceRunner()
    daily_runner = DailyRunner(
        runner,
        run_daily=job,
        last_run=lambda: last,
        local_now=lambda: now,
        chosen_time=lambda: chosen,
        quiet_seconds=0.0,
        check_ms=20,
    )
    shown: list[str] = []
    daily_runner.status_changed.connect(shown.append)
    daily_runner.start()
    return runner, daily_runner, shown


def test_a_refusal_is_shown_in_words_and_retried_later(qtbot) -> None:
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        raise Refused("backup.sqlite_only")

    runner, alone, shown = _alone(qtbot, job)
    try:
        qtbot.waitUntil(lambda: bool(shown) and shown[-1].startswith("일일 작업 실패: "))
        assert shown[-1] == "일일 작업 실패: " + Refused("backup.sqlite_only").message("ko")
        qtbot.wait(200)
        assert len(calls) == 1  # not in a loop: again after retry_seconds
    finally:
        alone.stop()
        runner.stop()


def test_an_unexpected_error_is_a_short_sentence_and_goes_to_the_crash_log(
    qtbot, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("DANGOL_LOG_DIR", str(tmp_path))

    def job() -> None:
        raise RuntimeError("database disk image is malformed")

    runner, alone, shown = _alone(qtbot, job)
    try:
        qtbot.waitUntil(lambda: bool(shown) and shown[-1].startswith("일일 작업 실패: "))
        assert shown[-1] == (
            "일일 작업 실패: 예기치 못한 오류가 났습니다. 자세한 내용은 오류 기록에 남겼습니다."
        )
        logged = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
        assert "database disk image is malformed" in logged and "daily work" in logged
    finally:
        alone.stop()
        runner.stop()


def test_a_chosen_time_waits_for_it_and_a_late_start_catches_up(qtbot) -> None:
    calls: list[int] = []
    yesterday = datetime(2026, 3, 11, 21, 0, tzinfo=UTC)
    runner, early, shown = _alone(
        qtbot, lambda: calls.append(1), chosen=time(21, 30), last=yesterday
    )
    try:
        qtbot.waitUntil(lambda: early.timer.isActive())
        qtbot.wait(200)
        assert calls == [] and shown[-1] == "일일 작업: 어제 21:00"
    finally:
        early.stop()
        runner.stop()
    weeks_ago = datetime(2026, 1, 25, 21, 0, tzinfo=UTC)
    runner, late, shown = _alone(qtbot, lambda: calls.append(1), chosen=time(8, 0), last=weeks_ago)
    try:
        qtbot.waitUntil(lambda: calls == [1])
        qtbot.waitUntil(lambda: shown[-1] == "일일 작업: 오늘 09:00")
        assert shown == [
            "일일 작업: 2026-01-25 21:00",
            "일일 작업: 진행 중…",
            "일일 작업: 오늘 09:00",
        ]
    finally:
        late.stop()
        runner.stop()


def test_the_owner_chooses_the_time_in_the_settings_page(window, qtbot) -> None:
    page = _open(window, qtbot, "page.settings")
    assert not page.daily_at_time.isChecked() and not page.daily_time.isEnabled()
    page.daily_at_time.setChecked(True)
    page.daily_time.setTime(page.daily_time.time().fromString("21:30", "HH:mm"))
    page.save_button.click()
    settle(qtbot, window)
    assert settings.setting(window.ctx, "daily_time") == "21:30"
    page.daily_at_time.setChecked(False)
    page.save_button.click()
    settle(qtbot, window)
    assert settings.setting(window.ctx, "daily_time") == ""


def test_a_typed_time_that_is_not_one_is_refused_in_words(sqlite_ctx) -> None:
    before = settings.setting(sqlite_ctx, "daily_time")
    try:
        settings.update_settings(sqlite_ctx, daily_time="25:00")
    except Refused as refused:
        assert refused.message("ko") == (
            "일일 작업 시각이 올바르지 않습니다 (25:00). 00:00부터 23:59 사이로 적어 주세요."
        )
    else:
        raise AssertionError("25:00 was accepted")
    assert settings.setting(sqlite_ctx, "daily_time") == before
