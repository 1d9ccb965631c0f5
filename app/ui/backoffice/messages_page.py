"""Messages: the triggers on or off with their words, the log with delivery results and the
month's cost, who is due the two-yearly consent notice, and the provider's connection.

Everything is read and written through the ServiceRunner (app.services.messages and
app.services.consents); the page shows a clear state while no provider is connected, with
the setup dialog (the same `setup_provider` as `dangol messages setup`).
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import alimtalk
from app.domain.consent import REASONS as CONSENT_REASONS
from app.domain.messages import AD, STATUSES
from app.i18n import N_
from app.services import consents, message_templates, messages
from app.services.consents import NoticeDue
from app.services.context import Context
from app.services.message_templates import TemplateView
from app.services.messages import LogRow, MessageLine, MonthLog, ProviderState
from app.ui.backoffice.announce_tab import AnnounceTab
from app.ui.backoffice.reports_page import fill, table
from app.ui.backoffice.settings_page import error_text, field_error, page_title
from app.ui.backoffice.templates_tab import TemplatesTab
from app.ui.tasks import ServiceRunner
from app.ui.text import t, won

MONTHS_SHOWN = 12
SETUP_COMMAND = "dangol messages setup --api-key … --sender …"
RESULT = 5  # the log's column that says what became of a message: it takes the room left
# why the outbox did not send (Message.last_error) when it is its own code, not the consent's
OUTBOX_REASONS = {
    "member_gone": N_("msgpage.reason.member_gone"),
    "no_optout": N_("msgpage.reason.no_optout"),
    "ad_form": N_("msgpage.reason.ad_form"),
    "info_has_ad": N_("msgpage.reason.info_has_ad"),
    "no_consent": N_("msgpage.reason.no_consent"),
    "quiet_hours": N_("msgpage.reason.quiet_hours"),
    "cap": N_("msgpage.reason.cap"),
    "night_hold": N_("msgpage.reason.night_hold"),  # the status already says until when
}
# what an informational trigger does while its 알림톡 template is not approved
UNAPPROVED_WORDS = (
    N_("msgpage.rules.unapproved.fallback"),
    N_("msgpage.rules.unapproved.hold"),
)
COLUMNS = (
    N_("msgpage.log.col.at"),
    N_("msgpage.log.col.member"),
    N_("msgpage.log.col.kind"),
    N_("msgpage.log.col.channel"),
    N_("msgpage.log.col.purpose"),
    N_("msgpage.log.col.status"),
    N_("msgpage.log.col.cost"),
    N_("msgpage.notice.col.member"),
    N_("msgpage.notice.col.due"),
    N_("msgpage.notice.col.consented"),
    N_("msgpage.notice.col.last"),
    N_("msgpage.notice.col.channels"),
)
STATUS_WORDS = (
    N_("msgpage.status.queued"),
    N_("msgpage.status.held"),
    N_("msgpage.status.sending"),
    N_("msgpage.status.sent"),
    N_("msgpage.status.failed"),
    N_("msgpage.status.fell_back"),
    N_("msgpage.status.refused"),
    N_("msgpage.status.sent_pending"),
    N_("msgpage.status.fell_back_pending"),
)


def reason_text(code: str | None) -> str:
    """Why a message waits, failed or was not sent, in words (a provider's own words as
    they came: they are its explanation)."""
    if not code:
        return t("msgpage.reason.none")
    if code in OUTBOX_REASONS:
        return t(OUTBOX_REASONS[code])
    if code in CONSENT_REASONS:
        return t(f"consent.reason.{code}")
    if code.startswith("unreachable"):  # the outbox's "unreachable: <the system's words>"
        return t("msgpage.reason.unreachable")
    return code


def status_text(ctx: Context, line: MessageLine) -> str:
    """A message's status as a sentence: delivered, failed with why, fell back to SMS, held
    until when, refused with why; a message the provider took and has not reported on yet
    says so."""
    until = f"{ctx.local(line.send_after):%m-%d %H:%M}"
    key = f"msgpage.status.{line.status}"
    if line.status in ("sent", "fell_back") and line.delivery is None:
        key += "_pending"
    return t(key, until=until, reason=reason_text(line.last_error))


def moment(ctx: Context, at: datetime | None) -> str:
    return f"{ctx.local(at):%Y-%m-%d %H:%M}" if at is not None else "—"


def months_back(today: date, n: int) -> list[str]:
    """This month and the n - 1 before it, as YYYY-MM, newest first."""
    found, year, month = [], today.year, today.month
    for _ in range(n):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


class ProviderDialog(QDialog):
    """Connect a Solapi account: API key, secret (to the OS keyring), sender number, pfId."""

    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.setObjectName("providerDialog")
        self.setWindowTitle(t("msgpage.setup.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("msgpage.setup.intro"), objectName="hint", wordWrap=True))
        form = QFormLayout()
        self.api_key = QLineEdit(objectName="setupApiKey")
        self.secret = QLineEdit(objectName="setupSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.sender_number = QLineEdit(objectName="setupSender")
        self.sender_number.setPlaceholderText(t("msgpage.setup.sender_hint"))
        self.pf_id = QLineEdit(objectName="setupPfId")
        for label, field in (
            (N_("msgpage.setup.api_key"), self.api_key),
            (N_("msgpage.setup.secret"), self.secret),
            (N_("msgpage.setup.sender"), self.sender_number),
            (N_("msgpage.setup.pf_id"), self.pf_id),
        ):
            field.setMinimumHeight(40)
            field.setMinimumWidth(280)
            form.addRow(t(label), field)
        layout.addLayout(form)
        self.error = field_error("setupError")
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton(t("msgpage.setup.save"), objectName="setupSave")
        self.save_button.clicked.connect(self.save)
        close = QPushButton(t("dialog.close"), objectName="setupClose")
        close.clicked.connect(self.reject)
        for button in (self.save_button, close):
            button.setMinimumSize(120, 44)
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def save(self) -> None:
        self.error.hide()
        ctx = self.ctx
        key, secret, sender = self.api_key.text(), self.secret.text(), self.sender_number.text()
        pf_id = self.pf_id.text() or None
        self.save_button.setEnabled(False)
        self.runner.run(
            lambda: messages.setup_provider(ctx, key, secret, sender, pf_id=pf_id),
            self._saved,
            self._refused,
        )

    def _saved(self, _: messages.ProviderSetup) -> None:
        self.secret.clear()  # nothing of it stays in the window
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(error_text(error))
        self.error.show()


class MessagesPage(QWidget):
    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.state: ProviderState | None = None
        self.log: MonthLog | None = None
        self.due: list[NoticeDue] = []
        self.switches: dict[str, QCheckBox] = {}
        self.dialog: ProviderDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(page_title(t("page.messages")))
        layout.addWidget(self._provider_bar())
        self.tabs = QTabWidget(objectName="messagesTabs")
        self.tabs.addTab(self._triggers_tab(), t("msgpage.tab.triggers"))
        self.tabs.addTab(self._log_tab(), t("msgpage.tab.log"))
        self.tabs.addTab(self._notice_tab(), t("msgpage.tab.notice"))
        self.templates = TemplatesTab(ctx, runner, self)
        self.templates.changed.connect(self.show_templates)
        self.tabs.insertTab(1, self.templates, t("msgpage.tab.templates"))
        self.announce = AnnounceTab(ctx, runner, self)
        self.tabs.addTab(self.announce, t("msgpage.tab.announce"))
        layout.addWidget(self.tabs, 1)
        self.reload()

    def reload(self) -> None:
        """Read everything the page shows (one job each, in order, off the UI thread)."""
        ctx = self.ctx
        self.runner.run(lambda: messages.provider_state(ctx), self._show_provider, self._failed)
        self.runner.run(
            lambda: message_templates.list_templates(ctx), self.show_templates, self._failed
        )
        self.runner.run(lambda: messages.rules(ctx), self._show_rules, self._failed)
        self.load_log()
        self.runner.run(lambda: consents.notice_due(ctx), self._show_due, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))

    # --- the provider ---------------------------------------------------------------------

    def _provider_bar(self) -> QFrame:
        bar = QFrame(objectName="messagesProvider")
        bar.setFrameShape(QFrame.Shape.StyledPanel)
        row = QHBoxLayout(bar)
        column = QVBoxLayout()
        self.provider_title = QLabel(objectName="providerTitle", wordWrap=True)
        self.provider_how = QLabel(objectName="hint", wordWrap=True)
        column.addWidget(self.provider_title)
        column.addWidget(self.provider_how)
        # the command line's words are the same in every language
        self.setup_command = QLabel(SETUP_COMMAND, objectName="messagesSetupCommand")
        self.setup_command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setup_command.setStyleSheet("font-family: monospace;")
        column.addWidget(self.setup_command)
        row.addLayout(column, 1)
        self.setup_button = QPushButton(t("msgpage.setup.open"), objectName="messagesSetup")
        self.setup_button.setMinimumSize(140, 44)
        self.setup_button.clicked.connect(self.open_setup)
        row.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignTop)
        self.message = QLabel(objectName="messagesMessage", wordWrap=True)
        column.addWidget(self.message)
        return bar

    def _show_provider(self, state: ProviderState) -> None:
        self.state = state
        self.setup_command.setVisible(not state.configured)
        if not state.configured:
            self.provider_title.setText(t("msgpage.provider.none"))
            self.provider_how.setText(t("msgpage.provider.how"))
            self.setup_button.setText(t("msgpage.setup.open"))
        elif not state.secret_found:
            self.provider_title.setText(t("msgpage.provider.no_secret"))
            self.provider_how.setText(t("msgpage.provider.no_secret_how"))
            self.setup_button.setText(t("msgpage.setup.again"))
        else:
            self.provider_title.setText(t("msgpage.provider.connected", sender=state.sender or "—"))
            channel = state.pf_id or t("msgpage.provider.no_channel")
            self.provider_how.setText(t("msgpage.provider.channel", channel=channel))
            self.setup_button.setText(t("msgpage.setup.again"))
        self.provider_title.setProperty("state", "ok" if state.secret_found else "warning")
        self.provider_title.setStyleSheet(
            "font-weight: bold;" + ("" if state.secret_found else " color: #b00020;")
        )

    def open_setup(self) -> None:
        self.dialog = ProviderDialog(self.ctx, self.runner, self)
        self.dialog.accepted.connect(self._connected)
        self.dialog.open()

    def _connected(self) -> None:
        self.message.setText(t("msgpage.setup.done"))
        self.reload()

    # --- the triggers and the rules -----------------------------------------------------------

    def _triggers_tab(self) -> QWidget:
        tab = QWidget(objectName="triggersTab")
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(t("msgpage.triggers.intro"), objectName="hint", wordWrap=True))
        self.trigger_grid = QGridLayout()
        self.trigger_grid.setColumnStretch(2, 1)
        layout.addLayout(self.trigger_grid)
        self.trigger_error = field_error("triggerError")
        layout.addWidget(self.trigger_error)
        layout.addWidget(self._rules_box())
        layout.addStretch(1)
        return tab

    def show_templates(self, found: list[TemplateView]) -> None:
        """The triggers' switches and words, and the templates tab's list."""
        self._show_triggers(found)
        self.templates.show_templates(found)

    def _show_triggers(self, found: list[TemplateView]) -> None:
        while self.trigger_grid.count():
            item = self.trigger_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.switches = {}
        for row, view in enumerate(found):
            switch = QCheckBox(t(f"messages.kind.{view.kind}"), objectName=f"trigger_{view.kind}")
            switch.setChecked(view.on)
            switch.setMinimumHeight(36)
            if view.kind == alimtalk.CONSENT_NOTICE:  # the law's notice: always on
                switch.setEnabled(False)
                switch.setToolTip(t("msgpage.triggers.notice_required"))
            switch.toggled.connect(lambda on, kind=view.kind: self.set_on(kind, on))
            self.switches[view.kind] = switch
            purpose = QLabel(t(f"consent.purpose.{view.purpose}"), objectName="triggerPurpose")
            # an advertisement goes by SMS/LMS only: its words are the fallback's
            shown = view.fallback if view.purpose == AD else view.text
            words = QLabel(shown, objectName="triggerText", wordWrap=True)
            words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.trigger_grid.addWidget(switch, row, 0, Qt.AlignmentFlag.AlignTop)
            self.trigger_grid.addWidget(purpose, row, 1, Qt.AlignmentFlag.AlignTop)
            self.trigger_grid.addWidget(words, row, 2)

    def set_on(self, kind: str, on: bool) -> None:
        self.trigger_error.hide()
        ctx = self.ctx
        self.runner.run(
            lambda: messages.set_trigger(ctx, kind, on=on),
            lambda _: self._trigger_set(kind, on),
            lambda error: self._trigger_refused(kind, not on, error),
        )

    def _trigger_set(self, kind: str, on: bool) -> None:
        name = t(f"messages.kind.{kind}")
        if on:
            self.message.setText(t("msgpage.trigger_on", kind=name))
        else:
            self.message.setText(t("msgpage.trigger_off", kind=name))

    def _trigger_refused(self, kind: str, was: bool, error: BaseException) -> None:
        switch = self.switches.get(kind)
        if switch is not None:
            switch.blockSignals(True)
            switch.setChecked(was)
            switch.blockSignals(False)
        self.trigger_error.setText(error_text(error))
        self.trigger_error.show()

    def _rules_box(self) -> QGroupBox:
        box = QGroupBox(t("msgpage.rules.title"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.optout = QLineEdit(objectName="rulesOptout")
        self.optout.setPlaceholderText("080-000-0000")
        self.quiet = QLineEdit(objectName="rulesQuiet")
        self.quiet.setPlaceholderText("21:00-08:00")
        for field in (self.optout, self.quiet):
            field.setMinimumSize(200, 40)
        self.cap_day = QSpinBox(objectName="rulesCapDay", minimum=1, maximum=100)
        self.cap_ads = QSpinBox(objectName="rulesCapAds", minimum=1, maximum=100)
        # an informational trigger whose 알림톡 template is not approved yet
        self.unapproved = QComboBox(objectName="rulesUnapproved")
        for choice in (messages.FALLBACK, messages.HOLD):
            self.unapproved.addItem(t(f"msgpage.rules.unapproved.{choice}"), choice)
        self.unapproved.setMinimumHeight(40)
        form.addRow(t("msgpage.rules.optout"), self.optout)
        form.addRow(t("msgpage.rules.quiet"), self.quiet)
        form.addRow(t("msgpage.rules.cap_day"), self.cap_day)
        form.addRow(t("msgpage.rules.cap_ads"), self.cap_ads)
        form.addRow(t("msgpage.rules.unapproved"), self.unapproved)
        form.addRow(QLabel(t("msgpage.rules.hint"), objectName="hint", wordWrap=True))
        self.rules_error = field_error("rulesError")
        self.rules_button = QPushButton(t("msgpage.rules.save"), objectName="rulesSave")
        self.rules_button.setMinimumSize(120, 44)
        self.rules_button.clicked.connect(self.save_rules)
        form.addRow(self.rules_button, self.rules_error)
        return box

    def _show_rules(self, values: dict[str, object]) -> None:
        self.optout.setText(str(values.get("optout") or ""))
        self.quiet.setText(str(values.get("quiet") or ""))
        self.cap_day.setValue(int(str(values.get("cap_day") or 3)))
        self.cap_ads.setValue(int(str(values.get("cap_ads") or 4)))
        found = self.unapproved.findData(values.get("unapproved") or messages.FALLBACK)
        self.unapproved.setCurrentIndex(max(0, found))

    def save_rules(self) -> None:
        self.rules_error.hide()
        ctx = self.ctx
        values = {
            "optout": self.optout.text().strip(),
            "quiet": self.quiet.text().strip(),
            "cap_day": self.cap_day.value(),
            "cap_ads": self.cap_ads.value(),
            "unapproved": str(self.unapproved.currentData()),
        }
        self.rules_button.setEnabled(False)
        self.runner.run(
            lambda: messages.set_rules(ctx, **values), self._rules_saved, self._rules_refused
        )

    def _rules_saved(self, values: dict[str, object]) -> None:
        self.rules_button.setEnabled(True)
        self._show_rules(values)
        self.message.setText(t("msgpage.rules.saved"))

    def _rules_refused(self, error: BaseException) -> None:
        self.rules_button.setEnabled(True)
        self.rules_error.setText(error_text(error))
        self.rules_error.show()

    # --- the log ----------------------------------------------------------------------------

    def _log_tab(self) -> QWidget:
        tab = QWidget(objectName="logTab")
        layout = QVBoxLayout(tab)
        bar = QHBoxLayout()
        self.month = QComboBox(objectName="logMonth")
        for month in months_back(self.ctx.local_date(self.ctx.now()), MONTHS_SHOWN):
            self.month.addItem(month, month)
        self.status = QComboBox(objectName="logStatus")
        self.status.addItem(t("msgpage.log.all"), None)
        for status in STATUSES:
            self.status.addItem(t(f"messages.status.{status}"), status)
        for combo in (self.month, self.status):
            combo.setMinimumHeight(40)
            combo.currentIndexChanged.connect(self.load_log)
        bar.addWidget(QLabel(t("msgpage.log.month")))
        bar.addWidget(self.month)
        bar.addWidget(QLabel(t("msgpage.log.status")))
        bar.addWidget(self.status)
        self.log_refresh = QPushButton(t("msgpage.log.refresh"), objectName="logRefresh")
        self.log_refresh.setMinimumHeight(40)
        self.log_refresh.clicked.connect(self.load_log)
        bar.addWidget(self.log_refresh)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.log_summary = QLabel(objectName="logSummary", wordWrap=True)
        layout.addWidget(self.log_summary)
        self.log_table = table(
            "logTable",
            [
                t(f"msgpage.log.col.{c}")
                for c in ("at", "member", "kind", "channel", "purpose", "status", "cost")
            ],
            fit=False,
        )
        self.log_table.setMinimumHeight(260)
        header = self.log_table.horizontalHeader()
        for column in range(self.log_table.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RESULT, QHeaderView.ResizeMode.Stretch)
        # the result wraps, never cut: rows grow again whenever the column's width changes
        self.log_table.setWordWrap(True)
        self.log_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.sectionResized.connect(self._rows_later)
        layout.addWidget(self.log_table, 1)
        self.log_empty = QLabel(objectName="hint", wordWrap=True)
        layout.addWidget(self.log_empty)
        return tab

    def _rows_later(self, *_: object) -> None:
        """Fit the rows to their wrapped text once the header has settled its widths."""
        # the table as the timer's context: a call still due when the window goes is dropped
        QTimer.singleShot(0, self.log_table, self.log_table.resizeRowsToContents)

    def load_log(self) -> None:
        ctx, month, status = self.ctx, self.month.currentData(), self.status.currentData()
        self.runner.run(
            lambda: messages.month_log(ctx, month, status), self._show_log, self._failed
        )

    def _show_log(self, found: MonthLog) -> None:
        self.log = found
        counts = " · ".join(
            t("msgpage.log.count", status=t(f"messages.status.{s}"), n=f"{found.counts[s]:,}")
            for s in STATUSES
            if found.counts.get(s)
        )
        summary = t(
            "msgpage.log.summary", month=found.month, n=f"{found.total:,}", cost=won(found.cost_won)
        )
        self.log_summary.setText(f"{summary} · {counts}" if counts else summary)
        fill(self.log_table, [self._row(r) for r in found.rows], text_columns=6)
        if found.more:
            self.log_empty.setText(t("msgpage.log.more", shown=f"{len(found.rows):,}"))
        elif not found.rows:
            self.log_empty.setText(t("msgpage.log.none"))
        else:
            self.log_empty.setText("")

    def _row(self, row: LogRow) -> list[str]:
        m = row.message
        return [
            moment(self.ctx, m.sent_at or m.created_at),
            row.phone_masked or t("msgpage.log.erased"),
            t(f"messages.kind.{m.kind}"),
            t(f"consent.channel.{m.channel}"),
            t(f"consent.purpose.{m.purpose}"),
            status_text(self.ctx, m),
            won(m.cost_won) if m.cost_won is not None else "—",
        ]

    # --- the two-yearly notice ------------------------------------------------------------------

    def _notice_tab(self) -> QWidget:
        tab = QWidget(objectName="noticeTab")
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel(t("msgpage.notice.intro"), objectName="hint", wordWrap=True))
        self.notice_summary = QLabel(objectName="noticeSummary", wordWrap=True)
        layout.addWidget(self.notice_summary)
        self.notice_table = table(
            "noticeTable",
            [
                t(f"msgpage.notice.col.{c}")
                for c in ("member", "due", "consented", "last", "channels")
            ],
            fit=False,
        )
        self.notice_table.setMinimumHeight(260)
        layout.addWidget(self.notice_table, 1)
        return tab

    def _show_due(self, due: list[NoticeDue]) -> None:
        self.due = due
        today = self.ctx.local_date(self.ctx.now())
        overdue = sum(1 for d in due if d.due_on < today)
        if due:
            self.notice_summary.setText(
                t("msgpage.notice.summary", n=f"{len(due):,}", overdue=f"{overdue:,}")
            )
        else:
            self.notice_summary.setText(t("msgpage.notice.none"))
        rows = []
        for d in due:
            channels = ", ".join(t(f"consent.channel.{c}") for c in d.channels)
            if d.night:
                channels += " · " + t("consent.night")
            rows.append(
                [
                    d.phone_masked or t("msgpage.log.erased"),
                    d.due_on.isoformat(),
                    f"{self.ctx.local_date(d.consented_at).isoformat()}",
                    self.ctx.local_date(d.last_notice_at).isoformat()
                    if d.last_notice_at is not None
                    else t("msgpage.notice.never"),
                    channels,
                ]
            )
        fill(self.notice_table, rows, text_columns=5)
