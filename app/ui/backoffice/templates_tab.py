"""The Messages page's templates tab: each trigger's 알림톡 template with where Kakao's review
stands (등록, 검수 중, 승인, 반려 with the reason, or gone from the provider), its editor (type,
text, extra or title, buttons, Kakao's category code, the SMS/LMS fallback) whose refusals
are the checks' own sentences, submission for review, asking where the reviews stand, and a
preview with a member picked by phone.

Everything goes through app.services.message_templates on the ServiceRunner.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import alimtalk
from app.domain.alimtalk import Button
from app.domain.messages import AD
from app.i18n import N_
from app.services import message_templates
from app.services.context import Context
from app.services.customers import resolve_customer
from app.services.message_templates import Preview, TemplateView
from app.ui.backoffice.settings_page import error_text, field_error
from app.ui.tasks import ServiceRunner
from app.ui.text import t

BUTTON_ROWS = alimtalk.MAX_BUTTONS
WORDS = (
    N_("msgpage.tpl.status.draft"),
    N_("msgpage.tpl.status.registered"),
    N_("msgpage.tpl.status.inspecting"),
    N_("msgpage.tpl.status.approved"),
    N_("msgpage.tpl.status.rejected"),
    N_("msgpage.tpl.status.missing"),
    N_("msgpage.tpl.type.basic"),
    N_("msgpage.tpl.type.extra"),
    N_("msgpage.tpl.type.emphasis"),
    N_("msgpage.tpl.sends_as.alimtalk"),
    N_("msgpage.tpl.sends_as.sms"),
    N_("msgpage.tpl.sends_as.held"),
    N_("msgpage.tpl.sends_as.ad"),
    N_("msgpage.tpl.button.wl"),
    N_("msgpage.tpl.button.al"),
    N_("msgpage.tpl.button.ds"),
    N_("msgpage.tpl.button.bk"),
    N_("msgpage.tpl.button.md"),
    N_("msgpage.tpl.col.kind"),
    N_("msgpage.tpl.col.purpose"),
    N_("msgpage.tpl.col.status"),
    N_("msgpage.tpl.col.sends_as"),
    N_("msgpage.tpl.col.button_type"),
    N_("msgpage.tpl.col.button_name"),
    N_("msgpage.tpl.col.button_link"),
)


def status_words(view: TemplateView) -> str:
    """등록 / 검수 중 / 승인 / 반려: why (an advertisement is never reviewed)."""
    if view.purpose == AD:
        return t("msgpage.tpl.status.not_reviewed")
    words = t(f"msgpage.tpl.status.{view.status}")
    if view.status == alimtalk.REJECTED and view.status_reason:
        return t("msgpage.tpl.status.rejected_why", status=words, reason=view.status_reason)
    return words


def sends_as_words(view: TemplateView) -> str:
    if view.purpose == AD:
        return t("msgpage.tpl.sends_as.ad")
    return t(f"msgpage.tpl.sends_as.{view.sends_as}")


def problem_text(problem: alimtalk.Problem) -> str:
    return t(problem.code, **dict(problem.values))


class TemplatesTab(QWidget):
    changed = Signal(object)  # the templates as they are after a change: list[TemplateView]

    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("templatesTab")
        self.ctx, self.runner = ctx, runner
        self.views: list[TemplateView] = []
        self.current: TemplateView | None = None
        self.preview: Preview | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("msgpage.tpl.intro"), objectName="hint", wordWrap=True))
        self.table = QTableWidget(0, 4, objectName="templateTable")
        self.table.setHorizontalHeaderLabels(
            [t(f"msgpage.tpl.col.{c}") for c in ("kind", "purpose", "status", "sends_as")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(260)
        self.table.setWordWrap(True)  # a rejection's reason wraps, never cut
        header.sectionResized.connect(
            lambda *_: QTimer.singleShot(0, self.table, self.table.resizeRowsToContents)
        )
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table)
        actions = QHBoxLayout()
        self.refresh_button = QPushButton(t("msgpage.tpl.refresh"), objectName="templatesRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh_button.setMinimumHeight(44)
        actions.addWidget(self.refresh_button)
        self.message = QLabel(objectName="templatesMessage", wordWrap=True)
        actions.addWidget(self.message, 1)
        layout.addLayout(actions)
        self.editor = self._editor()
        self.editor.setEnabled(False)
        layout.addWidget(self.editor)
        layout.addWidget(self._preview_box())

    # --- the editor ---------------------------------------------------------------------------

    def _editor(self) -> QGroupBox:
        box = QGroupBox(t("msgpage.tpl.editor"))
        form = QFormLayout(box)
        self.kind_type = QComboBox(objectName="templateType")
        for name in alimtalk.TEMPLATE_TYPES:
            self.kind_type.addItem(t(f"msgpage.tpl.type.{name}"), name)
        self.kind_type.currentIndexChanged.connect(self._type_changed)
        self.text = QPlainTextEdit(objectName="templateText")
        self.text.setMinimumHeight(110)
        self.text.setMaximumHeight(180)
        self.extra = QLineEdit(objectName="templateExtra")
        self.title = QLineEdit(objectName="templateTitle")
        # Kakao's category code: six digits from the list in the provider's console
        self.category = QLineEdit(objectName="templateCategory")
        self.category.setPlaceholderText(t("msgpage.tpl.category_hint"))
        self.category.setMaxLength(6)
        self.category.setMinimumHeight(36)
        self.buttons = QTableWidget(BUTTON_ROWS, 3, objectName="templateButtons")
        self.buttons.setHorizontalHeaderLabels(
            [t(f"msgpage.tpl.col.{c}") for c in ("button_type", "button_name", "button_link")]
        )
        self.buttons.verticalHeader().setVisible(False)
        self.buttons.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row in range(BUTTON_ROWS):
            kind = QComboBox()
            kind.addItem(t("msgpage.tpl.button.none"), "")
            for code in alimtalk.BUTTON_TYPES:
                kind.addItem(t(f"msgpage.tpl.button.{code.lower()}"), code)
            self.buttons.setCellWidget(row, 0, kind)
        self.buttons.setMinimumHeight(200)
        self.fallback = QPlainTextEdit(objectName="templateFallback")
        self.fallback.setMinimumHeight(90)
        self.fallback.setMaximumHeight(180)
        self.variables = QLabel(objectName="hint", wordWrap=True)
        self.variables.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems = QLabel(objectName="templateProblems", wordWrap=True)
        self.problems.setStyleSheet("color: #b00020;")
        self.error = field_error("templateError")
        form.addRow(t("msgpage.tpl.type"), self.kind_type)
        form.addRow(t("msgpage.tpl.text"), self.text)
        form.addRow(t("msgpage.tpl.extra"), self.extra)
        form.addRow(t("msgpage.tpl.title"), self.title)
        form.addRow(t("msgpage.tpl.buttons"), self.buttons)
        form.addRow(t("msgpage.tpl.category"), self.category)
        form.addRow(t("msgpage.tpl.fallback"), self.fallback)
        form.addRow("", self.variables)
        form.addRow("", self.problems)
        form.addRow("", self.error)
        self.form = form
        actions = QHBoxLayout()
        self.save_button = QPushButton(t("msgpage.tpl.save"), objectName="templateSave")
        self.save_button.clicked.connect(self.save)
        self.submit_button = QPushButton(t("msgpage.tpl.submit"), objectName="templateSubmit")
        self.submit_button.clicked.connect(self.submit)
        for button in (self.save_button, self.submit_button):
            button.setMinimumSize(140, 44)
            actions.addWidget(button)
        actions.addStretch(1)
        form.addRow(actions)
        return box

    def _preview_box(self) -> QGroupBox:
        box = QGroupBox(t("msgpage.tpl.preview"))
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.preview_phone = QLineEdit(objectName="previewPhone")
        self.preview_phone.setPlaceholderText(t("msgpage.tpl.preview_phone"))
        self.preview_phone.setMinimumHeight(40)
        self.preview_phone.returnPressed.connect(self.show_preview)
        self.preview_button = QPushButton(t("msgpage.tpl.preview_show"), objectName="previewShow")
        self.preview_button.setMinimumSize(120, 40)
        self.preview_button.clicked.connect(self.show_preview)
        row.addWidget(self.preview_phone, 1)
        row.addWidget(self.preview_button)
        column.addLayout(row)
        self.preview_text = QLabel(objectName="previewText", wordWrap=True)
        self.preview_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.preview_text)
        self.preview_error = field_error("previewError")
        column.addWidget(self.preview_error)
        return box

    # --- the list ---------------------------------------------------------------------------

    def show_templates(self, views: list[TemplateView]) -> None:
        kept = self.current.kind if self.current is not None else None
        self.views = views
        self.table.blockSignals(True)
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            cells = (
                t(f"messages.kind.{view.kind}"),
                t(f"consent.purpose.{view.purpose}"),
                status_words(view),
                sends_as_words(view),
            )
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        if kept is not None:
            self.select(kept)

    def select(self, kind: str) -> None:
        """Select a trigger's template and fill the editor with it."""
        for row, view in enumerate(self.views):
            if view.kind == kind:
                self.table.selectRow(row)
                self._fill(view)
                return

    def _selected(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) == 1:
            self._fill(self.views[rows.pop()])

    def _fill(self, view: TemplateView) -> None:
        self.current = view
        self.editor.setEnabled(True)
        self.editor.setTitle(t("msgpage.tpl.editor_of", kind=t(f"messages.kind.{view.kind}")))
        self.error.hide()
        if self.preview is None or self.preview.kind != view.kind:  # another template's
            self.preview_text.setText("")
            self.preview_error.hide()
        info = view.purpose != AD
        self.kind_type.setCurrentIndex(max(0, self.kind_type.findData(view.template_type)))
        self.text.setPlainText(view.text)
        self.extra.setText(view.extra or "")
        self.title.setText(view.emphasis_title or "")
        self.category.setText(view.category or "")
        for row in range(BUTTON_ROWS):
            button = view.buttons[row] if row < len(view.buttons) else None
            kind = self.buttons.cellWidget(row, 0)
            assert isinstance(kind, QComboBox)
            kind.setCurrentIndex(max(0, kind.findData(button.type if button else "")))
            self.buttons.setItem(row, 1, QTableWidgetItem(button.name if button else ""))
            link = (button.link_mobile or "") if button else ""
            self.buttons.setItem(row, 2, QTableWidgetItem(link))
        self.fallback.setPlainText(view.fallback)
        names = " ".join(f"#{{{name}}}" for name in view.variables)
        self.variables.setText(t("msgpage.tpl.variables", names=names))
        self.problems.setText("\n".join(problem_text(p) for p in view.problems))
        # an advertisement has no 알림톡: only its SMS/LMS text, never submitted to Kakao
        for widget in (self.kind_type, self.text, self.buttons, self.category):
            self.form.setRowVisible(widget, info)
        self._type_changed()
        self.submit_button.setVisible(info)
        reviewing = view.status in (alimtalk.REGISTERED, alimtalk.INSPECTING, alimtalk.APPROVED)
        self.submit_button.setEnabled(info and not view.problems and not reviewing)

    def _type_changed(self) -> None:
        kind = self.kind_type.currentData()
        info = self.current is not None and self.current.purpose != AD
        self.form.setRowVisible(self.extra, info and kind == alimtalk.EXTRA)
        self.form.setRowVisible(self.title, info and kind == alimtalk.EMPHASIS)

    def _buttons(self) -> list[Button]:
        found = []
        for row in range(BUTTON_ROWS):
            kind = self.buttons.cellWidget(row, 0)
            assert isinstance(kind, QComboBox)
            name_item, link_item = self.buttons.item(row, 1), self.buttons.item(row, 2)
            name = name_item.text().strip() if name_item is not None else ""
            link = link_item.text().strip() if link_item is not None else ""
            if kind.currentData() or name or link:
                found.append(Button(str(kind.currentData() or ""), name, link or None))
        return found

    # --- actions ------------------------------------------------------------------------------

    def save(self) -> None:
        view = self.current
        if view is None:
            return
        self.error.hide()
        ctx, kind = self.ctx, view.kind
        changes: dict[str, Any] = {"fallback": self.fallback.toPlainText()}
        if view.purpose != AD:
            kind_type = str(self.kind_type.currentData())
            changes.update(
                text=self.text.toPlainText(),
                template_type=kind_type,
                buttons=self._buttons(),
                extra=self.extra.text() if kind_type == alimtalk.EXTRA else "",
                emphasis_title=self.title.text() if kind_type == alimtalk.EMPHASIS else "",
                category=self.category.text(),
            )
        self.save_button.setEnabled(False)
        self.runner.run(
            lambda: message_templates.set_template(ctx, kind, **changes),
            lambda saved: self._done(saved, t("msgpage.tpl.saved")),
            self._refused,
        )

    def submit(self) -> None:
        view = self.current
        if view is None:
            return
        self.error.hide()
        ctx, kind = self.ctx, view.kind
        self.submit_button.setEnabled(False)
        self.runner.run(
            lambda: message_templates.submit(ctx, kind),
            lambda sent: self._done(sent, t("msgpage.tpl.submitted")),
            self._refused,
        )

    def refresh(self) -> None:
        self.message.setText("")
        ctx = self.ctx
        self.refresh_button.setEnabled(False)
        self.runner.run(
            lambda: (message_templates.refresh_status(ctx), message_templates.list_templates(ctx)),
            self._refreshed,
            self._refresh_refused,
        )

    def _refreshed(self, result: tuple[list[TemplateView], list[TemplateView]]) -> None:
        asked, views = result
        self.refresh_button.setEnabled(True)
        self.message.setText(t("msgpage.tpl.refreshed", n=f"{len(asked):,}"))
        self.changed.emit(views)

    def _refresh_refused(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.message.setText(error_text(error))

    def _done(self, view: TemplateView, said: str) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(said)
        views = [view if v.kind == view.kind else v for v in self.views]
        self.current = view
        self.changed.emit(views)

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        if self.current is not None:
            self._fill_buttons_state(self.current)
        self.error.setText(error_text(error))
        self.error.show()

    def _fill_buttons_state(self, view: TemplateView) -> None:
        reviewing = view.status in (alimtalk.REGISTERED, alimtalk.INSPECTING, alimtalk.APPROVED)
        self.submit_button.setEnabled(view.purpose != AD and not view.problems and not reviewing)

    # --- the preview ------------------------------------------------------------------------

    def show_preview(self) -> None:
        view = self.current
        self.preview_error.hide()
        if view is None:
            self.preview_error.setText(t("msgpage.tpl.preview_pick"))
            self.preview_error.show()
            return
        ctx, kind, who = self.ctx, view.kind, self.preview_phone.text().strip()
        if not who:
            self.preview_error.setText(t("msgpage.tpl.preview_phone_needed"))
            self.preview_error.show()
            return
        self.runner.run(
            lambda: message_templates.preview(ctx, kind, resolve_customer(ctx, who)),
            self._previewed,
            self._preview_refused,
        )

    def _previewed(self, preview: Preview) -> None:
        self.preview = preview
        parts = [t("msgpage.tpl.preview_to", phone=preview.phone_masked or "—")]
        if preview.alimtalk is not None:
            parts += [t("msgpage.tpl.preview_alimtalk"), preview.alimtalk]
        parts += [t("msgpage.tpl.preview_fallback", type=preview.fallback_type), preview.fallback]
        self.preview_text.setText("\n".join(parts))

    def _preview_refused(self, error: BaseException) -> None:
        self.preview_text.setText("")
        self.preview_error.setText(error_text(error))
        self.preview_error.show()
