"""Back office: connect this register to the central database, see the state, settle conflicts."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.services import fraud, sync
from app.services.context import Context
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t


def sync_status_text(status: sync.SyncStatus, ctx: Context) -> str:
    """One line for the status bar and this page: in sync or how much waits, and why not."""
    when = (
        ctx.local(status.last_success).strftime("%m/%d %H:%M")
        if status.last_success
        else t("sync.status.never")
    )
    if status.in_sync:
        return t("sync.status.ok", time=when)
    text = t("sync.status.pending", n=status.pending, time=when)
    if status.last_error:
        error = status.last_error
        if any(w in error.lower() for w in ("connect", "refused", "timeout", "timed out")):
            error = t("sync.error.unreachable")
        text += t("sync.status.error", error=error)
    return text


class SyncPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        explain = QLabel(t("sync.explain"), objectName="syncExplain")
        explain.setWordWrap(True)
        self.url = QLineEdit(objectName="syncUrl")
        self.url.setPlaceholderText("postgresql://dangol:…@db.example:5432/dangol?sslmode=require")
        self.store = QLineEdit(objectName="syncStore")
        self.register = QLineEdit(objectName="syncRegister")
        self.test_button = QPushButton(t("sync.test"), objectName="syncTest")
        self.setup_button = QPushButton(t("sync.setup"), objectName="syncSetup")
        self.now_button = QPushButton(t("sync.now"), objectName="syncNow")
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.state = QLabel(objectName="syncState")
        self.attention = QTableWidget(0, 3, objectName="syncAttention")
        self.attention.setHorizontalHeaderLabels(
            [t("sync.col.what"), t("sync.col.who"), t("sync.col.points")]
        )
        self.attention.horizontalHeader().setStretchLastSection(True)
        self.attention.setColumnWidth(0, 360)
        self.attention.setColumnWidth(1, 220)

        form = QFormLayout()
        form.addRow(t("sync.url"), self.url)
        form.addRow(t("sync.store"), self.store)
        form.addRow(t("sync.register"), self.register)
        buttons = QHBoxLayout()
        for button in (self.test_button, self.setup_button, self.now_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        connect = QGroupBox(t("sync.title"))
        box = QVBoxLayout(connect)
        box.addWidget(explain)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.message)
        state = QGroupBox(t("sync.state"))
        QVBoxLayout(state).addWidget(self.state)
        attention = QGroupBox(t("sync.attention"))
        QVBoxLayout(attention).addWidget(self.attention)
        layout = QVBoxLayout(self)
        layout.addWidget(connect)
        layout.addWidget(state)
        layout.addWidget(attention, 1)

        self.test_button.clicked.connect(self.test)
        self.setup_button.clicked.connect(self.set_up)
        self.now_button.clicked.connect(self.sync_now)
        self.url.setText(sync.configured_url(ctx) or "")
        self.refresh()

    def _say(self, text: str) -> None:
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        self._say(refusal(error) if isinstance(error, Refused) else str(error))
        self.refresh()

    def test(self) -> None:
        url = self.url.text()
        self.runner.run(
            lambda: sync.try_url(url), lambda ms: self._say(t("sync.tested", ms=ms)), self._failed
        )

    def set_up(self) -> None:
        url, store = self.url.text(), self.store.text().strip() or None
        register = self.register.text().strip() or None

        def done(result: sync.SyncSetup) -> None:
            self._say(
                t("sync.set_up", store=result.store, register=result.register, rows=result.uploaded)
            )
            self.url.setText(result.url)
            window = self.window().parent()
            if window is not None and hasattr(window, "restart_sync"):
                window.restart_sync()
            self.refresh()

        self.runner.run(
            lambda: sync.setup_sync(self.ctx, url, store=store, register=register),
            done,
            self._failed,
        )

    def sync_now(self) -> None:
        def done(report: sync.SyncReport) -> None:
            self._say(
                t("sync.synced", pushed=report.pushed, pulled=report.pulled, left=report.pending)
            )
            self.refresh()

        self.runner.run(lambda: sync.sync_now(self.ctx), done, self._failed)

    def refresh(self) -> None:
        ctx = self.ctx

        def load() -> tuple[sync.SyncStatus, list[sync.AttentionItem]]:
            status = sync.sync_status(ctx)
            # negative balances come from POS refunds too, with or without sync
            return status, sync.needs_attention(ctx)

        self.runner.run(load, lambda result: self._show(*result), self._failed_quietly)

    def _failed_quietly(self, error: BaseException) -> None:
        self.state.setText(refusal(error) if isinstance(error, Refused) else str(error))

    def _show(self, status: sync.SyncStatus, items: list[sync.AttentionItem]) -> None:
        self.now_button.setEnabled(status.configured)
        self.state.setText(sync_status_text(status, self.ctx) if status.configured else "—")
        self.attention.setRowCount(max(1, len(items)))
        if not items:
            self.attention.setItem(0, 0, QTableWidgetItem(t("sync.attention.none")))
            self.attention.setItem(0, 1, QTableWidgetItem(""))
            self.attention.setItem(0, 2, QTableWidgetItem(""))
            return
        for row, item in enumerate(items):
            who = " ".join(x for x in (item.name_masked, item.phone_masked) if x)
            # a fraud guard's or a low rating's item says what happened in a sentence
            what = (
                fraud.describe(item, language())
                if item.kind in fraud.KINDS
                else t(f"sync.kind.{item.kind}")
            )
            cell = QTableWidgetItem(what)
            cell.setToolTip(what)
            self.attention.setItem(row, 0, cell)
            self.attention.setItem(row, 1, QTableWidgetItem(who))
            self.attention.setItem(row, 2, QTableWidgetItem(f"{item.points:,}P"))
        self.attention.resizeRowsToContents()
