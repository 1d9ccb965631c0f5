"""The store page: name, business number, address, phone, logo, slip footer, consent wording."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.services import settings, store
from app.services.context import Context
from app.services.store import StoreProfile
from app.ui.backoffice.settings_page import error_text, field_error, form_footer, page_title
from app.ui.tasks import ServiceRunner
from app.ui.text import t

LOGO_SIZE = 120
# which field a refusal belongs next to
_FIELD_OF = {
    "store.business_number_format": "business_number",
    "store.business_number_check": "business_number",
    "store.name_required": "name",
    "store.phone": "phone",
}
# the phone's label key differs from its refusal code (store.phone)
_LABEL_OF = {"phone": "store.phone_label"}


class StorePage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.choose_logo = lambda: QFileDialog.getOpenFileName(
            self, t("store.logo"), "", t("store.logo_filter")
        )[0]
        self._build()
        self.fill_texts()
        self.runner.run(lambda: store.store_profile(ctx), self.fill_profile, self._failed)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.store")))
        row = QHBoxLayout()
        row.addWidget(self._profile_box(), 3)
        row.addWidget(self._logo_box(), 2)
        layout.addLayout(row)
        layout.addWidget(self._wording_box(), 1)
        footer = form_footer(layout, "storeError", t("store.save"), "saveStore", self.save)
        self.error, self.save_button, self.message = footer

    def _profile_box(self) -> QGroupBox:
        box = QGroupBox(t("store.profile"))
        form = QFormLayout(box)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        for key, hint in (
            ("name", ""),
            ("business_number", "123-45-67890"),
            ("address", ""),
            ("phone", "02-123-4567"),
        ):
            edit = QLineEdit(objectName=f"store_{key}")
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(lambda _, k=key: self.errors[k].hide())
            error = field_error(f"store_{key}")
            self.edits[key], self.errors[key] = edit, error
            column = QVBoxLayout()
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(t(_LABEL_OF.get(key, f"store.{key}")), column)
        self.edits["business_number"].editingFinished.connect(self._tidy_business_number)
        return box

    def _logo_box(self) -> QGroupBox:
        box = QGroupBox(t("store.logo"))
        column = QVBoxLayout(box)
        self.logo_preview = QLabel(t("store.no_logo"), objectName="logoPreview")
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setMinimumSize(LOGO_SIZE + 20, LOGO_SIZE + 20)
        self.logo_preview.setStyleSheet("border: 1px dashed #ccc; color: #999;")
        self.logo_path = QLineEdit(objectName="logoPath", readOnly=True)
        pick = QPushButton(t("store.pick_logo"), objectName="pickLogo")
        pick.clicked.connect(self._pick_logo)
        clear = QPushButton(t("store.clear_logo"), objectName="clearLogo")
        clear.clicked.connect(lambda: self.set_logo(""))
        buttons = QHBoxLayout()
        buttons.addWidget(pick)
        buttons.addWidget(clear)
        column.addWidget(self.logo_preview, 1)
        column.addWidget(self.logo_path)
        column.addLayout(buttons)
        return box

    def _wording_box(self) -> QGroupBox:
        box = QGroupBox(t("store.wording"))
        form = QFormLayout(box)
        self.slip_footer = QLineEdit(objectName="slipFooter")
        self.consent_program = QPlainTextEdit(objectName="consentProgram")
        self.consent_marketing = QPlainTextEdit(objectName="consentMarketing")
        for edit in (self.consent_program, self.consent_marketing):
            edit.setMinimumHeight(70)
        self.consent_version = QLabel(objectName="consentVersion")
        form.addRow(t("store.slip_footer"), self.slip_footer)
        form.addRow(t("store.consent_program"), self.consent_program)
        form.addRow(t("store.consent_marketing"), self.consent_marketing)
        form.addRow("", self.consent_version)
        return box

    # --- filling ---------------------------------------------------------------------------

    def fill_profile(self, profile: StoreProfile) -> None:
        self.edits["name"].setText(profile.name)
        self.edits["business_number"].setText(store.format_business_number(profile.business_number))
        self.edits["address"].setText(profile.address)
        self.edits["phone"].setText(profile.phone)

    def fill_texts(self) -> None:
        value = lambda key: str(settings.setting(self.ctx, key) or "")  # noqa: E731
        self.slip_footer.setText(value("slip_footer"))
        self.consent_program.setPlainText(value("consent_program_text"))
        self.consent_marketing.setPlainText(value("consent_marketing_text"))
        self.consent_version.setText(t("store.consent_version", version=value("consent_version")))
        self.set_logo(value("logo_path"))

    def set_logo(self, path: str) -> None:
        """Show the chosen picture; a file that is not a picture is refused next to it."""
        self.logo_path.setText(path)
        pixmap = QPixmap(path) if path else QPixmap()
        if pixmap.isNull():
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(t("store.bad_logo") if path else t("store.no_logo"))
            return
        self.logo_preview.setPixmap(
            pixmap.scaled(
                LOGO_SIZE,
                LOGO_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def _pick_logo(self) -> None:
        chosen = self.choose_logo()
        if chosen:
            self.set_logo(str(Path(chosen)))

    def _tidy_business_number(self) -> None:
        """Show 123-45-67890 as soon as the field is left, or say what is wrong."""
        edit = self.edits["business_number"]
        try:
            digits = store.parse_business_number(edit.text())
        except Refused as error:
            self._show_refusal(error)
            return
        edit.setText(store.format_business_number(digits))

    # --- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        for label in (self.error, *self.errors.values()):
            label.hide()
        if self.logo_path.text() and QPixmap(self.logo_path.text()).isNull():
            self.error.setText(t("store.bad_logo"))
            self.error.show()
            return
        profile = StoreProfile(*(self.edits[k].text() for k in self.edits))
        texts = {
            "logo_path": self.logo_path.text(),
            "slip_footer": self.slip_footer.text(),
            "consent_program_text": self.consent_program.toPlainText(),
            "consent_marketing_text": self.consent_marketing.toPlainText(),
        }
        self.save_button.setEnabled(False)
        self.runner.run(
            lambda: store.save_store(self.ctx, profile, **texts), self._saved, self._failed
        )

    def _saved(self, profile: StoreProfile) -> None:
        self.save_button.setEnabled(True)
        self.fill_profile(profile)
        self.fill_texts()
        self.message.setText(t("store.saved"))

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(error, Refused):
            self._show_refusal(error)
        else:
            self.error.setText(error_text(error))
            self.error.show()

    def _show_refusal(self, error: Refused) -> None:
        label = self.errors.get(_FIELD_OF.get(error.code, ""), self.error)
        label.setText(error_text(error))
        label.show()
