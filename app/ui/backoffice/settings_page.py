"""The settings page: language, sign-out time, void window, printer, masking, backups, POS.

It also holds the few widgets the other back office pages share (title, error line, spin box).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.services import settings
from app.services.context import Context
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t

# --- shared by the back office pages --------------------------------------------------------


def page_title(text: str) -> QLabel:
    return QLabel(text, objectName="screenTitle")


def field_error(name: str = "fieldError") -> QLabel:
    """A red sentence under a field, hidden until there is something to say."""
    label = QLabel(objectName="fieldError", wordWrap=True)
    label.setAccessibleName(name)
    label.setProperty("errorFor", name)
    label.hide()
    return label


class FormFooter(NamedTuple):
    error: QLabel
    save_button: QPushButton
    message: QLabel


def form_footer(
    layout: QBoxLayout,
    error_name: str,
    save_text: str,
    save_name: str,
    on_save: Callable[[], None],
    *,
    stacked: bool = False,
) -> FormFooter:
    """Under a form: the error line, then the save button and the status line (in a row,
    or one under the other in a narrow side column)."""
    error = field_error(error_name)
    layout.addWidget(error)
    save_button = QPushButton(save_text, objectName=save_name)
    save_button.clicked.connect(on_save)
    message = QLabel(objectName="message", wordWrap=True)
    if stacked:
        layout.addWidget(save_button)
        layout.addWidget(message)
    else:
        buttons = QHBoxLayout()
        buttons.addWidget(save_button)
        buttons.addWidget(message, 1)
        layout.addLayout(buttons)
    return FormFooter(error, save_button, message)


def error_text(error: BaseException) -> str:
    if isinstance(error, Refused):
        return refusal(error)
    return t("error.unexpected", error=error)


def spin(minimum: int, maximum: int, *, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setGroupSeparatorShown(True)
    box.setSuffix(suffix)
    box.setMinimumWidth(140)
    return box


def combo(options: list[tuple[str, Any]], name: str) -> QComboBox:
    box = QComboBox(objectName=name)
    for label, value in options:
        box.addItem(label, value)
    return box


def select_data(box: QComboBox, value: Any) -> None:
    index = box.findData(value)
    box.setCurrentIndex(index if index >= 0 else 0)


def _labelled(text: str, field: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(QLabel(text))
    row.addWidget(field)
    row.addStretch(1)
    return row


# --- the page ---------------------------------------------------------------------------------


class SettingsPage(QWidget):
    """Every value goes through settings.update_settings (owner only, checked, audited)."""

    settings_saved = Signal()  # the counter then runs the POS API as set here

    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.choose_folder = lambda: QFileDialog.getExistingDirectory(self, t("set.backup_folder"))
        self._build()
        self.fill()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.settings")))
        row = QHBoxLayout()
        row.addWidget(self._counter_box(), 1)
        row.addWidget(self._printer_box(), 1)
        layout.addLayout(row)
        lower = QHBoxLayout()
        column = QVBoxLayout()
        column.addWidget(self._backup_box())
        column.addWidget(self._daily_box())
        column.addWidget(self._rating_box())
        column.addStretch(1)
        lower.addLayout(column, 1)
        lower.addWidget(self._pos_box(), 1)
        layout.addLayout(lower)
        footer = form_footer(layout, "settingsError", t("set.save"), "saveSettings", self.save)
        self.error, self.save_button, self.message = footer
        layout.addStretch(1)

    def _counter_box(self) -> QGroupBox:
        box = QGroupBox(t("set.counter"))
        form = QFormLayout(box)
        self.language = combo([("한국어", "ko"), ("English", "en")], "language")
        self.idle_minutes = spin(1, 240, suffix=t("set.minutes"))
        self.void_window = spin(0, 1440, suffix=t("set.minutes"))
        self.phone_mask = combo(
            [(t("set.mask.middle"), "middle"), (t("set.mask.last"), "last")], "phoneMask"
        )
        form.addRow(t("set.language"), self.language)
        form.addRow(t("set.idle_minutes"), self.idle_minutes)
        form.addRow(t("set.void_window"), self.void_window)
        form.addRow(t("set.phone_mask"), self.phone_mask)
        form.addRow(QLabel(t("set.language_hint"), objectName="hint", wordWrap=True))
        return box

    def _printer_box(self) -> QGroupBox:
        box = QGroupBox(t("set.printer"))
        form = QFormLayout(box)
        self.printer_kind = combo(
            [(t("set.printer.pdf"), "pdf"), (t("set.printer.escpos"), "escpos")], "printerKind"
        )
        self.printer_width = combo([("80 mm", 80), ("58 mm", 58)], "printerWidth")
        self.printer_device = QLineEdit(objectName="printerDevice")
        self.printer_device.setPlaceholderText(t("set.printer.device_hint"))
        self.auto_print = QCheckBox(t("set.auto_print"), objectName="autoPrint")
        form.addRow(t("set.printer.kind"), self.printer_kind)
        form.addRow(t("set.printer.width"), self.printer_width)
        form.addRow(t("set.printer.device"), self.printer_device)
        form.addRow(self.auto_print)
        # with Google Wallet set up: the save link's QR on a member's slip until they have a pass
        self.slip_wallet_qr = QCheckBox(t("set.slip_wallet_qr"), objectName="slipWalletQr")
        self.slip_wallet_qr.setToolTip(t("set.slip_wallet_qr_hint"))
        form.addRow(self.slip_wallet_qr)
        return box

    def _backup_box(self) -> QGroupBox:
        box = QGroupBox(t("set.backups"))
        form = QFormLayout(box)
        self.backup_keep = spin(1, 365, suffix=t("set.copies"))
        self.backup_folder = QLineEdit(objectName="backupFolder")
        self.backup_folder.setPlaceholderText(t("set.backup_folder_default"))
        browse = QPushButton(t("set.browse"), objectName="browseFolder")
        browse.clicked.connect(self._browse)
        folder = QHBoxLayout()
        folder.addWidget(self.backup_folder, 1)
        folder.addWidget(browse)
        form.addRow(t("set.backup_keep"), self.backup_keep)
        form.addRow(t("set.backup_folder"), folder)
        return box

    def _daily_box(self) -> QGroupBox:
        """When the daily work (expiry, tiers, birthdays, backup) runs by itself."""
        box = QGroupBox(t("set.daily"))
        form = QFormLayout(box)
        self.daily_at_time = QCheckBox(t("set.daily_at_time"), objectName="dailyAtTime")
        self.daily_time = QTimeEdit(objectName="dailyTime")
        self.daily_time.setDisplayFormat("HH:mm")
        self.daily_at_time.toggled.connect(self.daily_time.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.daily_at_time)
        row.addWidget(self.daily_time)
        row.addStretch(1)
        form.addRow(t("set.daily_time"), row)
        form.addRow(QLabel(t("set.daily_hint"), objectName="hint", wordWrap=True))
        return box

    def _rating_box(self) -> QGroupBox:
        """The visit rating after a sale and the fraud guards' thresholds (issue 16)."""
        box = QGroupBox(t("set.rating"))
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: field below
        self.rating_enabled = QCheckBox(t("set.rating_enabled"), objectName="ratingEnabled")
        self.rating_percent = spin(0, 100, suffix=" %")
        self.rating_percent.setObjectName("ratingPercent")
        self.rating_enabled.toggled.connect(self.rating_percent.setEnabled)
        asked = QHBoxLayout()
        asked.addWidget(self.rating_enabled)
        asked.addWidget(self.rating_percent)
        asked.addStretch(1)
        self.review_url = QLineEdit(objectName="reviewUrl")
        self.review_url.setPlaceholderText("https://")
        self.fraud_earn_count = spin(2, 100, suffix=t("set.times"))
        self.fraud_earn_minutes = spin(1, 1440, suffix=t("set.minutes"))
        rapid = QHBoxLayout()
        rapid.addWidget(self.fraud_earn_minutes)
        rapid.addWidget(self.fraud_earn_count)
        rapid.addStretch(1)
        self.fraud_checkin_count = spin(1, 100, suffix=t("set.times"))
        self.fraud_days = spin(1, 90, suffix=t("set.days"))
        form.addRow(t("set.rating_asked"), asked)
        form.addRow(t("set.review_url"), self.review_url)
        form.addRow(t("set.fraud_rapid"), rapid)
        form.addRow(t("set.fraud_checkins"), self.fraud_checkin_count)
        form.addRow(t("set.fraud_days"), self.fraud_days)
        return box

    def _pos_box(self) -> QGroupBox:
        """POS 연동: the local API the POS calls (issue 14), and how its sales are treated."""
        box = QGroupBox(t("set.pos"))
        column = QVBoxLayout(box)  # not a form: the wrapped warning keeps its height here
        self.pos_enabled = QCheckBox(t("set.pos_enabled"), objectName="posApiEnabled")
        self.pos_port = spin(1024, 65535)
        self.pos_port.setObjectName("posApiPort")
        self.pos_port.setGroupSeparatorShown(False)  # a port is a number, not an amount
        self.pos_lan = QCheckBox(t("set.pos_lan"), objectName="posApiLan")
        self.pos_lan_warning = QLabel(t("set.pos_lan_warning"), objectName="fieldError")
        self.pos_lan_warning.setWordWrap(True)
        # its height at the narrowest the box gets: a window at its least height keeps it whole
        self.pos_lan_warning.ensurePolished()
        warning = self.pos_lan_warning
        spare = warning.fontMetrics().lineSpacing()  # the style sheet's size draws a little taller
        warning.setMinimumHeight(warning.heightForWidth(400) + spare)
        warning.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.pos_lan.toggled.connect(self._pos_lan_toggled)
        self.pos_pending = spin(1, 1440, suffix=t("set.minutes"))
        self.pos_pending.setObjectName("posPendingMinutes")
        self.pos_money_only = QCheckBox(t("set.pos_money_only"), objectName="posMoneyOnly")
        self.pos_enabled.toggled.connect(self._pos_enabled_toggled)
        column.addWidget(self.pos_enabled)
        column.addLayout(_labelled(t("set.pos_port"), self.pos_port))
        column.addWidget(self.pos_lan)
        column.addWidget(self.pos_lan_warning)
        column.addLayout(_labelled(t("set.pos_pending"), self.pos_pending))
        column.addWidget(self.pos_money_only)
        column.addWidget(QLabel(t("set.pos_hint"), objectName="hint", wordWrap=True))
        return box

    def _pos_lan_toggled(self, on: bool) -> None:
        self.pos_lan_warning.setVisible(on)

    def _pos_enabled_toggled(self, on: bool) -> None:
        self.pos_port.setEnabled(on)
        self.pos_lan.setEnabled(on)

    def _browse(self) -> None:
        chosen = self.choose_folder()
        if chosen:
            self.backup_folder.setText(chosen)

    def fill(self) -> None:
        """The values in force (kept in memory by the shop, no database call needed)."""
        value = lambda key: settings.setting(self.ctx, key)  # noqa: E731
        select_data(self.language, value("language"))
        self.idle_minutes.setValue(int(value("idle_minutes")))
        self.void_window.setValue(int(value("void_window_minutes")))
        select_data(self.phone_mask, value("phone_mask"))
        printer = {**settings.DEFAULTS["printer"], **(value("printer") or {})}
        select_data(self.printer_kind, printer["kind"])
        select_data(self.printer_width, printer["width"])
        self.printer_device.setText(printer["device"])
        self.auto_print.setChecked(bool(value("auto_print_slip")))
        self.slip_wallet_qr.setChecked(bool(value("slip_wallet_qr")))
        self.slip_wallet_qr.setEnabled(bool(self.ctx.settings.get("mobile_wallet.google")))
        self.backup_keep.setValue(int(value("backup_keep")))
        self.backup_folder.setText(str(value("backup_folder") or ""))
        chosen = str(value("daily_time") or "")
        at = QTime.fromString(chosen, "HH:mm") if chosen else QTime(9, 0)
        self.daily_time.setTime(at if at.isValid() else QTime(9, 0))
        self.daily_at_time.setChecked(bool(chosen))
        self.daily_time.setEnabled(bool(chosen))
        self.pos_enabled.setChecked(bool(value("pos_api_enabled")))
        self.pos_port.setValue(int(value("pos_api_port")))
        self.pos_lan.setChecked(bool(value("pos_api_lan")))
        self.pos_pending.setValue(int(value("pos_pending_minutes")))
        self.pos_money_only.setChecked(bool(value("pos_refund_money_only")))
        self.rating_enabled.setChecked(bool(value("rating_enabled")))
        self.rating_percent.setValue(int(value("rating_percent")))
        self.rating_percent.setEnabled(self.rating_enabled.isChecked())
        self.review_url.setText(str(value("review_url") or ""))
        self.fraud_earn_count.setValue(int(value("fraud_earn_count")))
        self.fraud_earn_minutes.setValue(int(value("fraud_earn_minutes")))
        self.fraud_checkin_count.setValue(int(value("fraud_checkin_count")))
        self.fraud_days.setValue(int(value("fraud_days")))
        self._pos_lan_toggled(self.pos_lan.isChecked())
        self._pos_enabled_toggled(self.pos_enabled.isChecked())

    def values(self) -> dict[str, Any]:
        return {
            "language": self.language.currentData(),
            "idle_minutes": self.idle_minutes.value(),
            "void_window_minutes": self.void_window.value(),
            "phone_mask": self.phone_mask.currentData(),
            "printer": {
                "kind": self.printer_kind.currentData(),
                "width": self.printer_width.currentData(),
                "device": self.printer_device.text().strip(),
            },
            "auto_print_slip": self.auto_print.isChecked(),
            "slip_wallet_qr": self.slip_wallet_qr.isChecked(),
            "backup_keep": self.backup_keep.value(),
            "backup_folder": self.backup_folder.text().strip(),
            "daily_time": (
                self.daily_time.time().toString("HH:mm") if self.daily_at_time.isChecked() else ""
            ),
            "pos_api_enabled": self.pos_enabled.isChecked(),
            "pos_api_port": self.pos_port.value(),
            "pos_api_lan": self.pos_lan.isChecked(),
            "pos_pending_minutes": self.pos_pending.value(),
            "pos_refund_money_only": self.pos_money_only.isChecked(),
            "rating_enabled": self.rating_enabled.isChecked(),
            "rating_percent": self.rating_percent.value(),
            "review_url": self.review_url.text().strip(),
            "fraud_earn_count": self.fraud_earn_count.value(),
            "fraud_earn_minutes": self.fraud_earn_minutes.value(),
            "fraud_checkin_count": self.fraud_checkin_count.value(),
            "fraud_days": self.fraud_days.value(),
        }

    def save(self) -> None:
        values = self.values()
        self.error.hide()
        self.save_button.setEnabled(False)
        self.runner.run(
            lambda: settings.update_settings(self.ctx, **values), self._saved, self._failed
        )

    def _saved(self, _: object) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(t("set.saved"))
        self.settings_saved.emit()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(error_text(error))
        self.error.show()
