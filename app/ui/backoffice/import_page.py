"""Import wizard: a CSV from paper cards or another system, mapped, checked, then imported."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.i18n import codes
from app.services import transfer
from app.services.context import Context
from app.ui.backoffice.reports_page import fill, table
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t

ERROR_STYLE = "color: #b00020;"


def _step(title: str) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    heading = QLabel(t(title))
    heading.setStyleSheet("font-size: 16px; font-weight: bold;")
    layout.addWidget(heading)
    return page, layout


class ImportPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.preview: transfer.ImportPreview | None = None
        self.checked: transfer.ImportResult | None = None
        self.steps = QStackedWidget(objectName="importSteps")
        for build in (self._file_step, self._mapping_step, self._check_step, self._done_step):
            self.steps.addWidget(build())
        QVBoxLayout(self).addWidget(self.steps)

    # --- 1. the file --------------------------------------------------------------------

    def _file_step(self) -> QWidget:
        page, layout = _step("import.step_file")
        layout.addWidget(QLabel(t("import.intro"), wordWrap=True))
        row = QHBoxLayout()
        self.path = QLineEdit(objectName="importPath", placeholderText=t("import.path"))
        browse = QPushButton(t("import.browse"))
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.file_error = QLabel(objectName="importFileError", wordWrap=True)
        self.file_error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.file_error)
        self.read_button = QPushButton(t("import.next"), objectName="importRead")
        self.read_button.clicked.connect(self.read_file)
        layout.addWidget(self.read_button)
        layout.addStretch(1)
        return page

    def ask_open_path(self) -> Path | None:
        """The file to read (tests replace this)."""
        name, _ = QFileDialog.getOpenFileName(self, t("import.browse"), "", "CSV (*.csv *.txt)")
        return Path(name) if name else None

    def _browse(self) -> None:
        path = self.ask_open_path()
        if path is not None:
            self.path.setText(str(path))

    def read_file(self) -> None:
        self.file_error.setText("")
        text = self.path.text().strip()
        if not text:
            self.file_error.setText(t("import.no_file"))
            return
        path = Path(text)
        if not path.is_file():
            self.file_error.setText(t("import.missing", path=text))
            return
        self.runner.run(
            lambda: transfer.preview_file(path),
            self._show_preview,
            lambda e: self.file_error.setText(_explain(e)),
        )

    # --- 2. the columns -----------------------------------------------------------------

    def _mapping_step(self) -> QWidget:
        page, layout = _step("import.step_mapping")
        self.encoding = QLabel(objectName="importEncoding")
        layout.addWidget(self.encoding)
        form = QFormLayout()
        self.columns: dict[str, QComboBox] = {}
        for field_name in transfer.IMPORT_FIELDS:
            combo = QComboBox(objectName=f"map_{field_name}")
            combo.setMinimumWidth(220)
            self.columns[field_name] = combo
            form.addRow(t(f"import.field.{field_name}"), combo)
        layout.addLayout(form)
        layout.addWidget(QLabel(t("import.preview")))
        self.sample = table("importSample", [])
        layout.addWidget(self.sample, 1)
        self.mapping_error = QLabel(objectName="importMappingError", wordWrap=True)
        self.mapping_error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.mapping_error)
        layout.addLayout(self._buttons(0, "import.check", "importCheck", self.check))
        return page

    def _buttons(self, back_to: int, label: str, name: str, action) -> QHBoxLayout:
        row = QHBoxLayout()
        back = QPushButton(t("import.back"))
        back.clicked.connect(lambda: self.steps.setCurrentIndex(back_to))
        go = QPushButton(t(label), objectName=name)
        go.clicked.connect(action)
        row.addWidget(back)
        row.addStretch(1)
        row.addWidget(go)
        return row

    def _show_preview(self, preview: transfer.ImportPreview) -> None:
        self.preview = preview
        self.encoding.setText(
            t(
                "import.encoding_found",
                encoding=codes.encoding(language(), preview.encoding),
                n=preview.total_rows,
            )
        )
        for field_name, combo in self.columns.items():
            combo.clear()
            combo.addItem(t("import.none"), "")
            for column in preview.header:
                combo.addItem(column, column)
            combo.setCurrentIndex(max(0, combo.findData(preview.guess.get(field_name, ""))))
        self.sample.setColumnCount(len(preview.header))
        self.sample.setHorizontalHeaderLabels(preview.header)
        fill(self.sample, preview.rows, text_columns=len(preview.header))
        self.mapping_error.setText("")
        self.steps.setCurrentIndex(1)

    def mapping(self) -> dict[str, str]:
        return {f: c.currentData() for f, c in self.columns.items() if c.currentData()}

    def check(self) -> None:
        """A dry run: every row checked, nothing written."""
        self.mapping_error.setText("")
        ctx, path, mapping = self.ctx, Path(self.path.text().strip()), self.mapping()
        self.runner.run(
            lambda: transfer.import_customers(ctx, path, dry_run=True, mapping=mapping),
            self._show_check,
            lambda e: self.mapping_error.setText(_explain(e)),
        )

    # --- 3. the check -------------------------------------------------------------------

    def _check_step(self) -> QWidget:
        page, layout = _step("import.step_check")
        self.verdict = QLabel(objectName="importVerdict", wordWrap=True)
        layout.addWidget(self.verdict)
        self.bad = table("importBadRows", [t("import.line"), t("import.reason")], fit=False)
        self.bad.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.bad, 1)
        self.skip_bad = QCheckBox(t("import.skip_bad"), objectName="importSkipBad")
        layout.addWidget(self.skip_bad)
        self.run_error = QLabel(objectName="importRunError", wordWrap=True)
        self.run_error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.run_error)
        layout.addLayout(self._buttons(1, "import.run", "importRun", self.run_import))
        return page

    def _show_check(self, result: transfer.ImportResult) -> None:
        self.checked = result
        good = result.rows - len(result.bad)
        self.verdict.setText(t("import.good", rows=result.rows, good=good, bad=len(result.bad)))
        fill(
            self.bad,
            [[str(b.line), refusal(Refused(b.code, **b.params))] for b in result.bad],
            text_columns=2,
        )
        self.skip_bad.setChecked(False)
        self.skip_bad.setVisible(bool(result.bad))
        self.run_error.setText("")
        self.steps.setCurrentIndex(2)

    def run_import(self) -> None:
        ctx, path, mapping = self.ctx, Path(self.path.text().strip()), self.mapping()
        skip = self.skip_bad.isChecked()
        self.runner.run(
            lambda: transfer.import_customers(ctx, path, skip_bad=skip, mapping=mapping),
            self._imported,
            lambda e: self.run_error.setText(_explain(e)),
        )

    def _imported(self, result: transfer.ImportResult) -> None:
        if result.bad and not self.skip_bad.isChecked():
            self.run_error.setText(t("import.blocked", bad=len(result.bad)))
            return
        self.done.setText(t("import.done", n=f"{result.imported:,}"))
        self.steps.setCurrentIndex(3)

    # --- 4. done ------------------------------------------------------------------------

    def _done_step(self) -> QWidget:
        page, layout = _step("import.step_done")
        self.done = QLabel(objectName="importDone")
        self.done.setStyleSheet("font-size: 15px;")
        layout.addWidget(self.done)
        again = QPushButton(t("import.again"), objectName="importAgain")
        again.clicked.connect(lambda: self.steps.setCurrentIndex(0))
        layout.addWidget(again)
        layout.addStretch(1)
        return page


def _explain(error: BaseException) -> str:
    return refusal(error) if isinstance(error, Refused) else t("error.unexpected", error=error)
