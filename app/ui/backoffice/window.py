"""The back office window: one tab a page, each page built the first time it is shown."""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.context import Context
from app.ui.backoffice.settings_page import SettingsPage
from app.ui.screen_fit import fit_to_screen
from app.ui.tasks import ServiceRunner
from app.ui.text import t

# (title key, module, class): every page is `Page(shop, runner, parent)` and knows nothing
# of the others; a page whose module is not there yet shows a placeholder.
PAGES = [
    ("page.program", "app.ui.backoffice.program_page", "ProgramPage"),
    ("page.store", "app.ui.backoffice.store_page", "StorePage"),
    ("page.staff", "app.ui.backoffice.staff_page", "StaffPage"),
    ("page.settings", "app.ui.backoffice.settings_page", "SettingsPage"),
    ("page.tokens", "app.ui.backoffice.tokens_page", "TokensPage"),
    ("page.customers", "app.ui.backoffice.customers_page", "CustomersPage"),
    ("page.reports", "app.ui.backoffice.reports_page", "ReportsPage"),
    ("page.insight", "app.ui.backoffice.insight_page", "InsightPage"),
    ("page.winback", "app.ui.backoffice.winback_page", "WinbackPage"),
    ("page.messages", "app.ui.backoffice.messages_page", "MessagesPage"),
    ("page.import", "app.ui.backoffice.import_page", "ImportPage"),
    ("page.backups", "app.ui.backoffice.backups_page", "BackupsPage"),
    ("page.sync", "app.ui.backoffice.sync_page", "SyncPage"),
    ("page.partners", "app.ui.backoffice.partners_page", "PartnersPage"),
    ("page.audit", "app.ui.backoffice.audit_page", "AuditPage"),
]


class BackOfficeWindow(QMainWindow):
    setup_finished = Signal()  # the first-run wizard, put off and reopened here, was finished
    settings_saved = Signal()  # the settings page saved: the counter applies what it runs

    def __init__(
        self, ctx: Context, runner: ServiceRunner, store_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx, self.runner = ctx, runner
        self.store_name = store_name
        self.setObjectName("backOffice")
        self.setWindowTitle(t("backoffice.title", store=store_name))
        self.tabs = QTabWidget(objectName="backOfficeTabs")
        self.pages: dict[str, QWidget] = {}
        for key, _, _ in PAGES:
            holder = QWidget()
            holder.setObjectName(key)
            self.tabs.addTab(holder, t(key))
        self.tabs.currentChanged.connect(self._build_page)
        # the first-run wizard, when the owner chose "나중에": reopened from here until finished
        self.setup_button = QPushButton(t("backoffice.reopen_wizard"), objectName="reopenWizard")
        self.setup_button.setMinimumHeight(44)
        self.setup_button.clicked.connect(self.open_wizard)
        self.setup_bar = QWidget(objectName="setupBar")
        bar = QHBoxLayout(self.setup_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(QLabel(t("backoffice.setup_pending")), 1)
        bar.addWidget(self.setup_button)
        self.setup_bar.setVisible(not ctx.settings.get("setup_done"))
        self.wizard: QWidget | None = None
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.setup_bar)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.resize(fit_to_screen(self, 1200, 800))  # a 768-px-high screen shows it whole
        self._build_page(0)

    def open_wizard(self) -> None:
        from app.ui.wizard import SetupWizard

        wizard = SetupWizard(self.ctx, self.runner, self.store_name, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.accepted.connect(self._wizard_done)
        self.wizard = wizard
        wizard.open()

    def _wizard_done(self) -> None:
        self.setup_bar.hide()
        self.setup_finished.emit()

    def page(self, key: str) -> QWidget:
        """The page of a tab, built now if it was not yet (tests open pages this way)."""
        index = [k for k, _, _ in PAGES].index(key)
        self.tabs.setCurrentIndex(index)
        self._build_page(index)
        return self.pages[key]

    def _build_page(self, index: int) -> None:
        key, module_name, class_name = PAGES[index]
        if key in self.pages:
            return
        try:
            page_class = getattr(importlib.import_module(module_name), class_name)
        except ModuleNotFoundError:
            page: QWidget = QLabel(t("backoffice.coming"), alignment=Qt.AlignmentFlag.AlignCenter)
        else:
            page = page_class(self.ctx, self.runner, self)
            if isinstance(page, SettingsPage):
                page.settings_saved.connect(self.settings_saved)
        self.pages[key] = page
        # a page taller than a small screen (1024×600) scrolls; the window stays on the screen
        scroll = QScrollArea(objectName="pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, scroll, t(key))
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
