"""The first-run wizard: store name, owner PIN, program template, printer, demo; shown once.

Each page checks its fields when Next is pressed (the same checks as the service, no database)
and says what is wrong beside the field. Finish applies every choice with one service call,
`app.services.setup.complete_setup`, on the database thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.errors import Refused
from app.services import setup
from app.services.context import Context
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t

TEMPLATE_ORDER = ("stamps", "points", "both")


def _error_label() -> QLabel:
    label = QLabel(objectName="fieldError")
    label.setWordWrap(True)
    return label


class _Page(QWizardPage):
    """A page with a title, a subtitle and an error line under its fields."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.setObjectName(f"wizard.{key}")
        self.setTitle(t(f"wizard.{key}.title"))
        self.setSubTitle(t(f"wizard.{key}.subtitle"))
        self.body = QVBoxLayout(self)
        self.error = _error_label()

    def refuse(self, error: Refused) -> bool:
        self.error.setText(refusal(error))
        return False

    def checked(self, check: Any) -> bool:
        """Run a check; a refusal is shown under the fields and keeps the wizard on this page."""
        try:
            check()
        except Refused as error:
            return self.refuse(error)
        self.error.clear()
        return True


class StorePage(_Page):
    def __init__(self, store_name: str) -> None:
        super().__init__("store")
        self.name = QLineEdit(store_name, objectName="storeName")
        self.name.setPlaceholderText(t("wizard.store.placeholder"))
        self.name.textEdited.connect(lambda _: self.error.clear())
        form = QFormLayout()
        form.addRow(t("wizard.store.name"), self.name)
        self.body.addLayout(form)
        self.body.addWidget(self.error)
        self.body.addStretch()
        # what "나중에" does, said before anyone presses it
        self.later = QLabel(t("wizard.later_hint"), objectName="hint")
        self.later.setWordWrap(True)
        self.body.addWidget(self.later)

    def validatePage(self) -> bool:
        return self.checked(lambda: setup.check_store_name(self.name.text()))


class PinPage(_Page):
    def __init__(self) -> None:
        super().__init__("pin")
        self.pin = self._pin_field("ownerPin")
        self.again = self._pin_field("ownerPinAgain")
        form = QFormLayout()
        form.addRow(t("wizard.pin.first"), self.pin)
        form.addRow(t("wizard.pin.again"), self.again)
        self.body.addLayout(form)
        self.body.addWidget(self.error)
        self.body.addStretch()

    def _pin_field(self, name: str) -> QLineEdit:
        field = QLineEdit(objectName=name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(8)
        field.textEdited.connect(lambda _: self.error.clear())
        return field

    def validatePage(self) -> bool:
        ok = self.checked(lambda: setup.check_owner_pin(self.pin.text(), self.again.text()))
        if not ok:
            self.again.clear()
            self.again.setFocus()
        return ok


class ProgramPage(_Page):
    def __init__(self) -> None:
        super().__init__("program")
        self.choice = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for name in TEMPLATE_ORDER:
            button = QRadioButton(t(f"wizard.program.{name}"), objectName=f"template.{name}")
            self.buttons[name] = button
            self.choice.addButton(button)
            self.body.addWidget(button)
        self.buttons["both"].setChecked(True)
        self.body.addWidget(self.error)
        self.body.addStretch()

    def template(self) -> str:
        return next(name for name, button in self.buttons.items() if button.isChecked())


class PrinterPage(_Page):
    def __init__(self) -> None:
        super().__init__("printer")
        self.pdf = QRadioButton(t("wizard.printer.pdf"), objectName="printerPdf")
        self.escpos = QRadioButton(t("wizard.printer.escpos"), objectName="printerEscpos")
        self.pdf.setChecked(True)
        self.device = QLineEdit(objectName="printerDevice")
        self.device.setPlaceholderText(t("wizard.printer.device_hint"))
        self.device.textEdited.connect(lambda _: self.error.clear())
        self.widths: dict[int, QRadioButton] = {}
        width_row = QHBoxLayout()
        for mm in setup.PRINTER_WIDTHS:
            self.widths[mm] = QRadioButton(t("wizard.printer.mm", mm=mm), objectName=f"width{mm}")
            width_row.addWidget(self.widths[mm])
        width_row.addStretch()
        self.widths[80].setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.pdf)
        kinds.addButton(self.escpos)
        widths = QButtonGroup(self)
        for button in self.widths.values():
            widths.addButton(button)
        self.escpos.toggled.connect(self._show_device)
        self._lay_out(width_row)
        self._show_device(False)

    def _lay_out(self, width_row: QHBoxLayout) -> None:
        self.body.addWidget(self.pdf)
        self.body.addWidget(self.escpos)
        form = QFormLayout()
        form.setContentsMargins(28, 0, 0, 0)
        form.addRow(t("wizard.printer.device"), self.device)
        self.device_form = QWidget()
        self.device_form.setLayout(form)
        self.body.addWidget(self.device_form)
        widths = QFormLayout()
        holder = QWidget()
        holder.setLayout(width_row)
        widths.addRow(t("wizard.printer.width"), holder)
        self.body.addLayout(widths)
        self.body.addWidget(self.error)
        self.body.addStretch()

    def _show_device(self, on: bool) -> None:
        self.device_form.setEnabled(on)
        self.error.clear()

    def printer(self) -> dict[str, Any]:
        width = next(mm for mm, button in self.widths.items() if button.isChecked())
        kind = "escpos" if self.escpos.isChecked() else "pdf"
        return {"kind": kind, "width": width, "device": self.device.text().strip()}

    def validatePage(self) -> bool:
        choice = self.printer()
        return self.checked(lambda: setup.check_printer(**choice))


class DemoPage(_Page):
    """The last page: start empty, or with a demo shop to practise on (two clear choices)."""

    def __init__(self) -> None:
        super().__init__("demo")
        self.empty = QRadioButton(t("wizard.demo.empty"), objectName="demoEmpty")
        self.demo = QRadioButton(t("wizard.demo.check"), objectName="demo")
        self.empty.setChecked(True)
        choice = QButtonGroup(self)
        choice.addButton(self.empty)
        choice.addButton(self.demo)
        self.demo_note = QLabel(t("wizard.demo.note"), objectName="hint")
        self.demo_note.setWordWrap(True)
        self.demo_note.setContentsMargins(34, 0, 0, 0)
        self.summary = QLabel(objectName="wizardSummary")
        self.summary.setWordWrap(True)
        self.later = QLabel(t("wizard.later"), objectName="hint")
        self.later.setWordWrap(True)
        self.saving = QLabel(objectName="hint")
        self.body.addWidget(self.empty)
        self.body.addWidget(self.demo)
        self.body.addWidget(self.demo_note)
        self.body.addSpacing(16)
        self.body.addWidget(self.summary)
        self.body.addWidget(self.later)
        self.body.addWidget(self.saving)
        self.body.addWidget(self.error)
        self.body.addStretch()


class SetupWizard(QWizard):
    """Shown on a new shop's first start; accepted only once the choices are saved."""

    def __init__(
        self, ctx: Context, runner: ServiceRunner, store_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.result_: setup.SetupResult | None = None
        self.setObjectName("setupWizard")
        self.setWindowTitle(t("wizard.title"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        for button, key in (
            (QWizard.WizardButton.NextButton, "wizard.next"),
            (QWizard.WizardButton.BackButton, "wizard.back"),
            (QWizard.WizardButton.FinishButton, "wizard.finish"),
            (QWizard.WizardButton.CancelButton, "wizard.cancel"),
        ):
            self.setButtonText(button, t(key))
            self.button(button).setMinimumHeight(44)  # a touch target
        self.store = StorePage("" if store_name == "내 가게" else store_name)
        self.pin = PinPage()
        self.program = ProgramPage()
        self.printer = PrinterPage()
        self.last = DemoPage()
        for page in (self.store, self.pin, self.program, self.printer, self.last):
            self.addPage(page)
        self.currentIdChanged.connect(self._entered)
        self.resize(680, 460)

    def _entered(self, _: int) -> None:
        if self.currentPage() is self.last:
            printer = self.printer.printer()
            where = (
                t("wizard.printer.pdf")
                if printer["kind"] == "pdf"
                else f"ESC/POS {printer['device']}"
            )
            self.last.summary.setText(
                t(
                    "wizard.summary",
                    store=setup.check_store_name(self.store.name.text()),
                    program=t(f"wizard.program.{self.program.template()}"),
                    printer=f"{where} · {printer['width']} mm",
                )
            )

    def choices(self) -> dict[str, Any]:
        return {
            "store_name": self.store.name.text(),
            "pin": self.pin.pin.text(),
            "pin_again": self.pin.again.text(),
            "template": self.program.template(),
            "printer": self.printer.printer(),
            "demo": self.last.demo.isChecked(),
        }

    def accept(self) -> None:
        """Finish: save on the database thread; close only when it is saved."""
        if self.result_ is not None:
            super().accept()
            return
        choices = self.choices()
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.last.error.clear()
        self.last.saving.setText(t("wizard.saving"))
        self.runner.run(
            lambda: setup.complete_setup(self.ctx, **choices), self._saved, self._failed
        )

    def _saved(self, result: setup.SetupResult) -> None:
        self.result_ = result
        super().accept()

    def _failed(self, error: BaseException) -> None:
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.last.saving.clear()
        if not isinstance(error, Refused):
            raise error  # the crash handler logs it and shows the copy button
        self.last.error.setText(refusal(error))
