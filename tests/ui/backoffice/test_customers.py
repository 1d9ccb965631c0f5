"""The Customers page: a fetch-as-you-scroll model, search, the record window and its actions."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt

from app.db.models import Customer
from app.services import customers, sales
from app.services.customer_admin import CustomerFilter
from app.services.customers import resolve_customer
from app.ui.backoffice.customer_model import CustomerTableModel
from tests.services.helpers import snapshot
from tests.ui.backoffice.confirm_help import answer
from tests.ui.conftest import settle


class Jobs:
    """The runner's contract without a thread: jobs wait until drained, as on the real one."""

    def __init__(self) -> None:
        self.waiting: list = []

    def __call__(self, fn, on_done, on_error) -> None:
        self.waiting.append((fn, on_done, on_error))

    def drain(self) -> None:
        while self.waiting:
            fn, on_done, on_error = self.waiting.pop(0)
            try:
                result = fn()
            except Exception as error:  # handed over as the runner does
                on_error(error)
            else:
                on_done(result)


def fill(ctx, n):
    names = ["김민준", "이서연", "박지훈", None, "최수아"]
    out = []
    for i in range(n):
        ctx.fixed_now = (ctx.fixed_now or ctx.now()) + timedelta(seconds=1)
        out.append(customers.enroll(ctx, f"010-3{i:03d}-{i:04d}", name=names[i % 5]).id)
    ctx.fixed_now = None
    return out


def test_model_fetches_pages_in_a_stable_keyset_order(qtmodeltester, sqlite_ctx) -> None:
    ids = fill(sqlite_ctx, 23)
    jobs = Jobs()
    model = CustomerTableModel(sqlite_ctx, jobs, page_size=5)
    model.show_query(CustomerFilter(), "oldest")
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())  # one page asked
    jobs.drain()
    assert model.rowCount() == 5 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    jobs.drain()
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        jobs.drain()
    assert [model.customer_id(r) for r in range(model.rowCount())] == ids
    assert model.exhausted and model.rowCount() == 23
    # a page of an old query arriving late is dropped
    model.show_query(CustomerFilter(), "name")
    model.show_query(CustomerFilter(), "name")
    jobs.drain()
    assert model.rowCount() == 5
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        jobs.drain()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names[:5] == ["김*준"] * 5 and names[-1] == "이름 없음"
    assert len({r.id for r in model.rows}) == 23
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole)
    qtmodeltester.check(model)


def test_page_search_filter_and_screenshot(window, qtbot, shot) -> None:
    fill(window.ctx, 30)
    sales.record_sale(window.ctx, resolve_customer(window.ctx, "010-3002-0002"), 50_000)
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.customers")
    settle(qtbot, window)
    assert page.model.rowCount() == 30
    row = next(r for r in page.model.rows if r.phone_masked == "010-****-0002")
    assert row.points > 0 and row.last_visit is not None
    shot(window.backoffice, "backoffice_customers")
    page.search.setText("0002")
    page.refresh()
    settle(qtbot, window)
    assert [r.phone_masked for r in page.model.rows] == ["010-****-0002"]
    page.search.setText("12-3")
    page.refresh()
    settle(qtbot, window)
    assert page.error.isVisible() and page.model.rowCount() == 0
    page.search.setText("")
    page.marketing.setCurrentIndex(page.marketing.findData("yes"))
    settle(qtbot, window)
    assert page.model.rowCount() == 0
    page.renewal.setChecked(True)
    settle(qtbot, window)
    assert page.model.rowCount() == 0


def open_detail(window, qtbot, phone):
    window.backoffice_action.trigger()
    page = window.backoffice.page("page.customers")
    settle(qtbot, window)
    row = next(i for i, r in enumerate(page.model.rows) if r.phone_masked.endswith(phone[-4:]))
    page.open_row(page.model.index(row, 0))
    settle(qtbot, window)
    return page, page.detail


def test_detail_shows_the_ledger_with_running_balance(window, qtbot, shot) -> None:
    member = customers.enroll(window.ctx, "010-5555-1234", name="김민준", marketing_consent=True)
    sales.record_sale(window.ctx, resolve_customer(window.ctx, "010-5555-1234"), 30_000)
    sales.record_sale(window.ctx, resolve_customer(window.ctx, "010-5555-1234"), 70_000)
    _page, detail = open_detail(window, qtbot, "1234")
    assert detail.detail.id == member.id
    lines = detail.detail.ledger
    assert detail.ledger.rowCount() == len(lines) >= 2
    # newest first: the top line's balance is the whole ledger's
    assert detail.ledger.item(0, 3).text() == f"{lines[-1].points_balance:,}"
    assert detail.visits.rowCount() == 2 and detail.tiers.rowCount() == 1
    assert "마케팅 동의: 20" in detail.consents.text()
    detail.tabs.setCurrentIndex(1)
    shot(detail, "backoffice_customer_detail_ledger")
    detail.tabs.setCurrentIndex(0)
    shot(detail, "backoffice_customer_detail")


def test_bad_phone_is_shown_next_to_the_field_and_nothing_written(window, qtbot) -> None:
    customers.enroll(window.ctx, "010-5555-1234", name="김민준")
    customers.enroll(window.ctx, "010-5555-9999")
    _page, detail = open_detail(window, qtbot, "1234")
    before = snapshot(window.ctx)
    for bad in ("010-55", "010-5555-9999"):
        detail.phone_edit.setText(bad)
        detail.save_profile()
        settle(qtbot, window)
        assert detail.errors["phone"].isVisible()
        assert snapshot(window.ctx) == before
    assert "010-****-9999" in detail.errors["phone"].text()
    detail.phone_edit.setText("010 5555 4321")
    detail.name_edit.setText("김민수")
    detail.save_profile()
    settle(qtbot, window)
    assert detail.detail.name == "김민수" and detail.detail.phone_masked == "010-****-4321"
    assert not detail.errors["phone"].isVisible()


def test_merge_withdraw_and_export_from_the_record(window, qtbot, tmp_path) -> None:
    keep = customers.enroll(window.ctx, "010-6666-0001", name="김민준")
    gone = customers.enroll(window.ctx, "010-6666-0002", name="김민준")
    sales.record_sale(window.ctx, resolve_customer(window.ctx, "010-6666-0002"), 100_000)
    page, detail = open_detail(window, qtbot, "0001")
    points = detail.detail.points
    detail.merge_edit.setText("010-6666-0001")
    detail.merge_other()
    answer(qtbot, detail.dialogs, "mergeConfirm", accept=True, buttons=MERGE)
    settle(qtbot, window)
    assert detail.merge_error.isVisible()  # a record cannot absorb itself
    detail.merge_edit.setText(gone.card)
    detail.merge_other()
    asked = answer(qtbot, detail.dialogs, "mergeConfirm", accept=True, buttons=MERGE)
    assert gone.card in asked and "합칩니다" in asked
    settle(qtbot, window)
    assert detail.detail.points > points and detail.detail.absorbed == [gone.id]
    assert [c.id for c in customers.find_customers(window.ctx, gone.card)] == [keep.id]

    path = tmp_path / "one.json"
    detail.choose_path = lambda name: str(path)
    detail.export()
    settle(qtbot, window)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["profile"]["phone"] == "010-6666-0001"
    assert data["ledger"][-1]["points_balance"] == detail.detail.ledger[-1].points_balance

    detail.withdraw_button.click()
    answer(qtbot, detail.dialogs, "withdrawConfirm", accept=False, buttons=WITHDRAW)
    settle(qtbot, window)
    assert detail.detail.status == "active"
    detail.withdraw_button.click()
    answer(qtbot, detail.dialogs, "withdrawConfirm", accept=True, buttons=WITHDRAW)
    settle(qtbot, window)
    assert detail.detail.status == "withdrawn" and detail.detail.name is None
    assert not detail.withdraw_button.isEnabled()
    assert all(r.id != keep.id for r in page.model.rows)  # the list refreshed


MERGE = ("기록 합치기", "닫기")
WITHDRAW = ("탈퇴 처리", "닫기")
ERASE = ("회원 정보 삭제", "닫기")


def test_erasing_a_member_asks_with_buttons_that_say_so(window, qtbot, shot) -> None:
    member = customers.enroll(window.ctx, "010-7777-0001", name="이지우", birthday="1990-05-05")
    sales.record_sale(window.ctx, member.id, 20_000)
    _page, detail = open_detail(window, qtbot, "0001")
    before = snapshot(window.ctx)
    detail.erase_button.click()
    qtbot.waitUntil(lambda: detail.dialogs.current is not None, timeout=10_000)
    shot(detail.dialogs.current, "backoffice_erase_confirm")
    asked = answer(qtbot, detail.dialogs, "eraseConfirm", accept=False, buttons=ERASE)
    assert "되돌릴 수 없습니다" in asked
    settle(qtbot, window)
    assert snapshot(window.ctx) == before and detail.detail.name == "이지우"  # closed: kept

    detail.erase_button.click()
    answer(qtbot, detail.dialogs, "eraseConfirm", accept=True, buttons=ERASE)
    settle(qtbot, window)
    assert detail.detail.name is None and detail.detail.status != "active"
    with window.ctx.db.read() as session:
        row = session.get(Customer, member.id)
        assert (row.name, row.phone, row.birthday) == (None, None, None)
