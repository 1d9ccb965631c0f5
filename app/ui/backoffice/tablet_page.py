"""The tablet as the customer's display: on or off, and pairing one with a code (owner only).

A section of the POS tokens page (a tablet's token is listed and revoked with the others).
"태블릿 연결" makes a six-digit code, valid ten minutes, shown big in a dialog with the address
the tablet opens; the dialog asks every two seconds whether the tablet used it, and a code
whose dialog is closed unused stops working (``app.services.devices``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bridge.checkin_web import lan_addresses
from app.services import devices, tokens
from app.services.context import Context
from app.services.devices import PairingCode, PairingState
from app.services.settings import setting
from app.ui.backoffice.settings_page import error_text, field_error
from app.ui.tasks import ServiceRunner
from app.ui.text import t

POLL_MS = 2000  # how often the code's dialog asks whether the tablet used it


def checkin_addresses(ctx: Context, found: list[str]) -> list[str]:
    """The addresses a tablet opens (``http://IP:PORT/checkin``); this PC's own off the LAN."""
    port = int(setting(ctx, "pos_api_port"))
    hosts = found if setting(ctx, "pos_api_lan") and found else ["127.0.0.1"]
    return [f"http://{host}:{port}/checkin" for host in hosts]


class PairingDialog(QDialog):
    """The code, big, with where to type it; it says when the tablet has paired."""

    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        made: PairingCode,
        addresses: list[str],
        on_paired: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.made = ctx, runner, made
        self.on_paired = on_paired
        self.paired_name: str | None = None
        self.setObjectName("tabletPairing")
        self.setWindowTitle(t("tablet.code_title", name=made.name))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("tablet.code_step_open"), wordWrap=True))
        self.address = QLabel("\n".join(addresses), objectName="tabletAddress")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setStyleSheet("font-size: 20px; font-weight: bold;")
        layout.addWidget(self.address)
        layout.addWidget(QLabel(t("tablet.code_step_type"), wordWrap=True))
        self.code = QLabel(f"{made.code[:3]} {made.code[3:]}", objectName="tabletCode")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # the style sheet's sizes win over setFont: the big size is set the same way
        self.code.setStyleSheet("font-size: 72px; font-weight: bold; letter-spacing: 8px;")
        self.code.setMinimumHeight(120)
        layout.addWidget(self.code)
        until = f"{ctx.local(made.expires_at):%H:%M}"
        self.state = QLabel(t("tablet.code_waiting", until=until), objectName="message")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.close_button = QPushButton(t("dialog.close"), objectName="closePairing")
        self.close_button.setMinimumSize(140, 48)
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        if self.runner.idle:
            self.runner.run(lambda: devices.pairing_state(self.ctx), self.show_state)

    def show_state(self, state: PairingState) -> None:
        if state.paired_name is not None:
            self.timer.stop()
            self.paired_name = state.paired_name
            self.code.setText("✓")
            self.state.setText(t("tablet.code_paired", name=state.paired_name))
            self.on_paired()
        elif not state.waiting:
            self.timer.stop()
            self.code.setText("— —")
            self.state.setText(t("tablet.code_over"))

    def done(self, result: int) -> None:
        self.timer.stop()
        if self.paired_name is None:  # closed unused: the code stops at once
            self.runner.run(lambda: devices.cancel_pairing(self.ctx))
        self.code.clear()
        super().done(result)


class TabletSection(QGroupBox):
    """The owner's switch for tablets and the "태블릿 연결" button."""

    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        on_paired: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(t("tablet.section"), parent)
        self.setObjectName("tabletSection")
        self.ctx, self.runner, self.on_paired = ctx, runner, on_paired
        self.dialog: PairingDialog | None = None
        self.found: list[str] = []
        column = QVBoxLayout(self)
        column.addWidget(QLabel(t("tablet.intro"), objectName="hint", wordWrap=True))
        self.enabled = QCheckBox(t("tablet.enabled"), objectName="tabletEnabled")
        self.enabled.setChecked(devices.tablet_enabled(ctx))
        self.enabled.toggled.connect(self.switch)
        column.addWidget(self.enabled)
        self.where = QLabel(objectName="fieldError", wordWrap=True)
        column.addWidget(self.where)
        column.addWidget(QLabel(t("tablet.name_label"), wordWrap=True))
        self.name = QLineEdit(objectName="tabletName")
        self.name.setMaxLength(tokens.MAX_NAME)
        self.name.setText(t("tablet.default_name"))
        self.name.setMinimumHeight(44)
        column.addWidget(self.name)
        self.error = field_error("tabletError")
        column.addWidget(self.error)
        self.connect_button = QPushButton(t("tablet.connect"), objectName="tabletConnect")
        self.connect_button.setMinimumHeight(48)
        self.connect_button.clicked.connect(self.connect_tablet)
        column.addWidget(self.connect_button)
        self.runner.run(lan_addresses, self._addresses_found)
        self.show_where()

    def _addresses_found(self, found: list[str]) -> None:
        self.found = found
        self.show_where()

    def show_where(self) -> None:
        """What stands between a tablet and the page: the bridge off, or on this PC only."""
        on = self.enabled.isChecked()
        if not setting(self.ctx, "pos_api_enabled"):
            words = t("tablet.api_off")
        elif not setting(self.ctx, "pos_api_lan"):
            words = t("tablet.lan_off")
        else:
            words = ""
        self.where.setText(words)
        self.where.setVisible(on and bool(words))
        self.connect_button.setEnabled(on)
        self.name.setEnabled(on)

    def switch(self, on: bool) -> None:
        self.error.hide()
        self.runner.run(
            lambda: devices.set_tablet_enabled(self.ctx, on),
            lambda _: self.show_where(),
            self._switch_failed,
        )

    def _switch_failed(self, error: BaseException) -> None:
        self.enabled.blockSignals(True)
        self.enabled.setChecked(devices.tablet_enabled(self.ctx))
        self.enabled.blockSignals(False)
        self._failed(error)

    def connect_tablet(self) -> None:
        self.error.hide()
        name = self.name.text()
        self.connect_button.setEnabled(False)
        self.runner.run(
            lambda: devices.start_pairing(self.ctx, name), self._code_made, self._failed
        )

    def _code_made(self, made: PairingCode) -> None:
        self.connect_button.setEnabled(True)
        self.dialog = PairingDialog(
            self.ctx,
            self.runner,
            made,
            checkin_addresses(self.ctx, self.found),
            self.on_paired,
            self,
        )
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self, _result: int) -> None:
        self.dialog = None

    def _failed(self, error: BaseException) -> None:
        self.connect_button.setEnabled(self.enabled.isChecked())
        self.error.setText(error_text(error))
        self.error.show()
