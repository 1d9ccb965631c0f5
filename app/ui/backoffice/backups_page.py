"""The backups page: the copies kept, one more now, and a restore that says what it will do."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import Refused
from app.services import backup_schedule, settings
from app.services.backup_schedule import BackupFile
from app.services.context import Context
from app.ui.backoffice.settings_page import error_text, field_error, page_title
from app.ui.dialog_service import DialogService
from app.ui.tasks import ServiceRunner
from app.ui.text import t

COLUMNS = ("when", "kind", "size", "customers", "entries")


def size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    return f"{max(1, size // 1024):,} KB"


def _count(value: int | None) -> str:
    return f"{value:,}" if value is not None else t("backups.unreadable")


class BackupsPage(QWidget):
    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.backups: list[BackupFile] = []
        # a restore and a purge ask first, with buttons that say what they do
        self.dialogs = dialogs or DialogService()
        self.inform = lambda text: QMessageBox.information(self, t("page.backups"), text)
        self._build()
        self.reload()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.backups")))
        self.where = QLabel(objectName="hint", wordWrap=True)
        layout.addWidget(self.where)
        self.table = QTableWidget(0, len(COLUMNS), objectName="backupTable")
        self.table.setHorizontalHeaderLabels([t(f"backups.col.{c}") for c in COLUMNS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton(t("backups.now"), objectName="backupNow")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(t("backups.restore"), objectName="restoreBackup")
        self.restore_button.clicked.connect(self.restore_selected)
        self.busy = QProgressBar(objectName="backupBusy")
        self.busy.setRange(0, 0)  # moving bar: the length of the work is unknown
        self.busy.setMaximumWidth(200)
        self.busy.hide()
        # the owner's purge: backups (and copies kept aside) older than so many days
        self.purge_days = QSpinBox(objectName="purgeDays")
        self.purge_days.setRange(0, 3650)
        self.purge_days.setValue(30)
        self.purge_days.setSuffix(t("backups.purge_days_suffix"))
        self.purge_button = QPushButton(t("backups.purge"), objectName="purgeBackups")
        self.purge_button.clicked.connect(self.purge_old)
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addSpacing(24)
        buttons.addWidget(self.purge_days)
        buttons.addWidget(self.purge_button)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.error = field_error("backupError")
        layout.addWidget(self.error)
        self.message = QLabel(objectName="message", wordWrap=True)
        layout.addWidget(self.message)

    # --- the list ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.run(
            lambda: backup_schedule.list_backups(self.ctx), self.show_backups, self._failed
        )

    def show_backups(self, backups: list[BackupFile]) -> None:
        self.backups = backups
        keep = settings.setting(self.ctx, "backup_keep")
        folder = backups[0].path.parent if backups else backup_schedule.backup_folder(self.ctx)
        self.where.setText(t("backups.where", folder=str(folder), keep=keep))
        self.table.setRowCount(len(backups))
        for row, made in enumerate(backups):
            cells = (
                made.made_at.strftime("%Y-%m-%d %H:%M"),
                t(f"backups.kind.{made.kind}"),
                size_text(made.bytes),
                _count(made.customers),
                _count(made.ledger_entries),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(str(made.path))
                self.table.setItem(row, column, item)

    def selected(self) -> BackupFile | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.backups[rows.pop()] if len(rows) == 1 else None

    # --- making and restoring ---------------------------------------------------------------

    def _working(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.backup_button.setEnabled(not on)
        self.restore_button.setEnabled(not on)
        self.purge_button.setEnabled(not on)
        if on:
            self.error.hide()
            self.message.setText(t("backups.working"))

    def backup_now(self) -> None:
        self._working(True)
        self.runner.run(lambda: backup_schedule.backup_now(self.ctx), self._made, self._failed)

    def _made(self, result: object) -> None:
        self._working(False)
        self.message.setText(t("backups.made", customers=f"{result.customers:,}"))  # type: ignore[attr-defined]
        self.reload()

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self._failed(Refused("backoffice.no_backup_chosen"))
            return
        question = t(
            "backups.confirm",
            when=chosen.made_at.strftime("%Y-%m-%d %H:%M"),
            customers=_count(chosen.customers),
            entries=_count(chosen.ledger_entries),
        )

        def restore() -> None:
            self._working(True)
            self.runner.run(
                lambda: backup_schedule.restore_backup(self.ctx, chosen.path),
                self._restored,
                self._failed,
            )

        self._ask("restore", t("backups.restore"), question, restore)

    def purge_old(self) -> None:
        days = self.purge_days.value()

        def purge() -> None:
            self._working(True)
            self.runner.run(
                lambda: backup_schedule.purge_backups(self.ctx, days), self._purged, self._failed
            )

        self._ask("purge", t("backups.purge"), t("backups.purge_confirm", days=days), purge)

    def _purged(self, result: object) -> None:
        self._working(False)
        files = getattr(result, "files", [])
        self.message.setText(t("backups.purged", n=len(files), days=self.purge_days.value()))
        self.reload()

    def _restored(self, _: object) -> None:
        """The data under every open screen changed: say so, close the back office, sign out."""
        self._working(False)
        self.inform(t("backups.restored"))
        main = self.window().parent()
        sign_out = getattr(main, "sign_out", None)
        if callable(sign_out):
            QTimer.singleShot(0, sign_out)
        else:
            QTimer.singleShot(0, self.window().close)

    def _failed(self, error: BaseException) -> None:
        self._working(False)
        self.message.setText("")
        self.error.setText(error_text(error))
        self.error.show()

    def _ask(self, how: str, title: str, question: str, then: Callable[[], None]) -> None:
        self.dialogs.confirm(
            self,
            title,
            question,
            t(f"backups.{how}_accept"),
            t("backups.confirm_close"),
            then,
            name=f"{how}Confirm",
        )
