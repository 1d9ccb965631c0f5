"""Win-back: members who stopped coming, a come-back coupon for all, the win-back message sent
through the outbox to those who may receive it, and a CSV for shops with another SMS service."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.i18n import N_
from app.services import winback
from app.services.context import Context
from app.ui.backoffice.reports_page import fill, table
from app.ui.dialog_service import DialogService
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t, won

SHOWN = 500
KINDS = ("amount", "percent", "item")


class WinbackPage(QWidget):
    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.dialogs = dialogs or DialogService()
        self.found: winback.WinbackList | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(self._search_bar())
        self.summary = QLabel(objectName="winbackSummary", wordWrap=True)
        layout.addWidget(self.summary)
        self.list = table(
            "winbackTable",
            [
                t(f"winback.{k}")
                for k in ("name", "phone", "last_visit", "total", "visits", "average", "marketing")
            ],
            fit=False,  # hundreds of lapsed members scroll in the list, the page stays on screen
        )
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.list, 1)
        boxes = QHBoxLayout()
        boxes.addWidget(self._coupon_box(), 1)
        boxes.addWidget(self._send_box(), 1)
        layout.addLayout(boxes)
        export = QHBoxLayout()
        self.export_button = QPushButton(t("winback.export"), objectName="winbackExport")
        self.export_button.clicked.connect(self.export)
        export.addWidget(self.export_button)
        export.addWidget(QLabel(t("winback.export_hint"), objectName="hint", wordWrap=True), 1)
        layout.addLayout(export)
        self.message = QLabel(objectName="winbackMessage", wordWrap=True)
        layout.addWidget(self.message)
        self.find()

    def _search_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.days = QSpinBox(objectName="winbackDays", minimum=1, maximum=9999)
        self.days.setValue(winback.default_days(self.ctx))
        self.days_error = QLabel(objectName="winbackDaysError", wordWrap=True)
        self.days_error.setStyleSheet("color: #b00020;")
        find = QPushButton(t("winback.find"), objectName="winbackFind")
        find.clicked.connect(self.find)
        bar.addWidget(QLabel(t("winback.days_label")))
        bar.addWidget(self.days)
        bar.addWidget(QLabel(t("winback.days_suffix")))
        bar.addWidget(find)
        bar.addWidget(self.days_error, 1)
        return bar

    def _coupon_box(self) -> QGroupBox:
        box = QGroupBox(t("winback.coupon_box"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.kind = QComboBox(objectName="winbackKind")
        for kind in KINDS:
            self.kind.addItem(t(f"winback.kind_{kind}"), kind)
        self.value = QLineEdit("3000", objectName="winbackValue")
        self.value.setMinimumWidth(160)
        self.valid_days = QSpinBox(objectName="winbackValidDays", minimum=0, maximum=99999)
        self.valid_days.setValue(30)
        self.coupon_error = QLabel(objectName="winbackCouponError", wordWrap=True)
        self.coupon_error.setStyleSheet("color: #b00020;")
        self.issue_button = QPushButton(t("winback.issue"), objectName="winbackIssue")
        self.issue_button.clicked.connect(self.issue)
        form.addRow(t("winback.kind"), self.kind)
        form.addRow(t("winback.value"), self.value)
        form.addRow(t("winback.valid_days"), self.valid_days)
        form.addRow(self.issue_button, self.coupon_error)
        return box

    def _send_box(self) -> QGroupBox:
        box = QGroupBox(t("winback.send_box"))
        column = QVBoxLayout(box)
        column.addWidget(QLabel(t("winback.send_hint"), objectName="hint", wordWrap=True))
        self.send_button = QPushButton(t("winback.send"), objectName="winbackSend")
        self.send_button.setMinimumHeight(44)
        self.send_button.clicked.connect(self.send)
        column.addWidget(self.send_button)
        self.progress = QProgressBar(objectName="winbackProgress")
        self.progress.setRange(0, 0)  # busy: one transaction, no steps to count
        self.progress.setFormat(t("winback.sending"))
        self.progress.setTextVisible(True)
        self.progress.hide()
        column.addWidget(self.progress)
        self.send_error = QLabel(objectName="winbackSendError", wordWrap=True)
        self.send_error.setStyleSheet("color: #b00020;")
        column.addWidget(self.send_error)
        column.addStretch(1)
        return box

    # --- the list -----------------------------------------------------------------------

    def find(self) -> None:  # type: ignore[override]  # the page's search, not QWidget.find(id)
        self.days_error.setText("")
        ctx, days = self.ctx, self.days.value()
        self.runner.run(lambda: winback.dormant_members(ctx, days), self._show, self._days_refused)

    def _days_refused(self, error: BaseException) -> None:
        self.days_error.setText(_explain(error))

    def _show(self, found: winback.WinbackList) -> None:
        self.found = found
        shown = found.members[:SHOWN]
        text = t(
            "winback.summary",
            n=f"{len(found.members):,}",
            consent=f"{found.with_consent:,}",
            withdrawn=f"{found.withdrawn:,}",
        )
        if len(found.members) > SHOWN:
            text += " " + t("winback.shown", shown=SHOWN)
        self.summary.setText(text)
        fill(
            self.list,
            [
                [
                    m.name or t("cust.no_name"),
                    m.phone,
                    m.last_visit.isoformat(),
                    won(m.total_spend),
                    f"{m.visits:,}",
                    won(m.average_spend),
                    t("winback.yes") if m.marketing else t("winback.no"),
                ]
                for m in shown
            ],
            text_columns=2,
        )

    # --- coupons and the SMS list -----------------------------------------------------

    def issue(self) -> None:
        """Count first, ask with the count and the value, then issue to those who lack it."""
        self.coupon_error.setText("")
        self.message.setText("")
        text = self.value.text().strip().replace(",", "")
        value = int(text) if text.isdigit() else -1
        ctx, days = self.ctx, self.days.value()
        kind, valid = self.kind.currentData(), self.valid_days.value()
        self.issue_button.setEnabled(False)  # one question at a time: no second click meanwhile
        self.runner.run(
            lambda: winback.winback_offer(ctx, days, kind, value, valid),
            self._ask,
            self._issue_refused,
        )

    def _ask(self, offer: winback.WinbackOffer) -> None:
        if offer.to_issue == 0:
            self.issue_button.setEnabled(True)
            self.message.setText(t("winback.all_skipped", skipped=f"{offer.already:,}"))
            return
        question = t(
            "winback.confirm",
            n=f"{offer.to_issue:,}",
            offer=_offer_text(offer.kind, offer.value),
            valid_days=offer.valid_days,
        )
        if offer.already:
            question += " " + t("winback.confirm_skip", skipped=f"{offer.already:,}")
        self.dialogs.confirm(
            self,
            t("winback.coupon_box"),
            question,
            t("winback.confirm_issue"),
            t("winback.confirm_close"),
            lambda: self._issue(offer),
            lambda: self.issue_button.setEnabled(True),
            name="winbackConfirm",
        )

    def _issue(self, offer: winback.WinbackOffer) -> None:
        ctx = self.ctx
        self.runner.run(
            lambda: winback.issue_winback_coupons(
                ctx, offer.days, offer.kind, offer.value, offer.valid_days
            ),
            self._issued,
            self._issue_refused,
        )

    def _issue_refused(self, error: BaseException) -> None:
        self.issue_button.setEnabled(True)
        self.coupon_error.setText(_explain(error))

    def _issued(self, result: winback.WinbackIssued) -> None:
        self.issue_button.setEnabled(True)
        text = t("winback.issued", n=f"{result.issued:,}")
        if result.skipped:
            text += " " + t("winback.skipped", skipped=f"{result.skipped:,}")
        self.message.setText(text)

    # --- the win-back message -------------------------------------------------------------

    def chosen(self) -> list[uuid.UUID]:
        """The members selected in the list, or every member found when none is selected."""
        if self.found is None:
            return []
        rows = sorted({index.row() for index in self.list.selectedIndexes()})
        if not rows:
            return [m.customer_id for m in self.found.members]
        return [self.found.members[r].customer_id for r in rows if r < len(self.found.members)]

    def send(self) -> None:
        """Count who would receive it and who not (and why) first, then ask, then queue."""
        self.send_error.setText("")
        self.message.setText("")
        ids, ctx = self.chosen(), self.ctx
        self.send_button.setEnabled(False)
        self.runner.run(
            lambda: winback.winback_send_plan(ctx, ids),
            lambda plan: self._ask_send(plan, ids),
            self._send_refused,
        )

    def _ask_send(self, plan: winback.WinbackSendPlan, ids: list[uuid.UUID]) -> None:
        left_out = excluded_text(plan.excluded)
        if plan.to_send == 0:
            self.send_button.setEnabled(True)
            self.send_error.setText(t("winback.send_nobody", excluded=left_out))
            return
        question = t("winback.send_confirm", n=f"{plan.to_send:,}", chosen=f"{plan.chosen:,}")
        if plan.held_night:
            question += "\n" + t("winback.send_night", n=f"{plan.held_night:,}")
        if plan.excluded:
            question += "\n" + t(
                "winback.send_excluded", n=f"{plan.excluded_total:,}", excluded=left_out
            )
        self.dialogs.confirm(
            self,
            t("winback.send_box"),
            question,
            t("winback.send_accept"),
            t("winback.confirm_close"),
            lambda: self._send(ids),
            lambda: self.send_button.setEnabled(True),
            name="winbackSendConfirm",
        )

    def _send(self, ids: list[uuid.UUID]) -> None:
        ctx = self.ctx
        self.progress.show()
        self.runner.run(
            lambda: winback.send_winback_messages(ctx, ids), self._sent, self._send_refused
        )

    def _send_refused(self, error: BaseException) -> None:
        self.progress.hide()
        self.send_button.setEnabled(True)
        self.send_error.setText(_explain(error))

    def _sent(self, result: winback.WinbackSent) -> None:
        self.progress.hide()
        self.send_button.setEnabled(True)
        text = t("winback.sent", n=f"{result.queued:,}")
        if result.held_night:
            text += " " + t("winback.send_night", n=f"{result.held_night:,}")
        if result.excluded:
            text += " " + t(
                "winback.send_excluded",
                n=f"{sum(result.excluded.values()):,}",
                excluded=excluded_text(result.excluded),
            )
        self.message.setText(text)

    def ask_save_path(self, suggested: str) -> Path | None:
        """The file to write (tests replace this)."""
        name, _ = QFileDialog.getSaveFileName(self, t("winback.export"), suggested, "CSV (*.csv)")
        return Path(name) if name else None

    def export(self) -> None:
        path = self.ask_save_path(winback.sms_file_name(self.ctx))
        if path is None:
            return
        ctx, days = self.ctx, self.days.value()
        self.runner.run(
            lambda: winback.export_sms_list(ctx, days, path),
            self._exported,
            lambda error: self.message.setText(_explain(error)),
        )

    def _exported(self, result: winback.SmsExport) -> None:
        self.message.setText(
            t(
                "winback.exported",
                n=f"{result.written:,}",
                file=result.path.name,
                no_consent=f"{result.no_consent:,}",
                withdrawn=f"{result.withdrawn:,}",
            )
        )


def _offer_text(kind: str, value: int) -> str:
    if kind == "amount":
        return won(value)
    if kind == "percent":
        return f"{value}%"
    return t("winback.offer_item")


def _explain(error: BaseException) -> str:
    return refusal(error) if isinstance(error, Refused) else t("error.unexpected", error=error)


# the reasons a member does not get the win-back message (the consent's are consent.reason.*)
SEND_REASONS = {
    winback.ALREADY: N_("winback.reason.already_queued"),
    winback.NO_COUPON: N_("winback.reason.no_coupon"),
    winback.NO_PHONE: N_("winback.reason.no_phone"),
}


def excluded_text(excluded: dict[str, int]) -> str:
    """'광고 수신 동의 없음 3명, 쿠폰 없음 1명': who is left out and why, the most first."""
    parts = []
    for code, n in sorted(excluded.items(), key=lambda item: (-item[1], item[0])):
        why = t(SEND_REASONS[code]) if code in SEND_REASONS else t(f"consent.reason.{code}")
        parts.append(t("winback.send_reason", reason=why, n=f"{n:,}"))
    return ", ".join(parts)
