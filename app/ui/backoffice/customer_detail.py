"""One member's record: profile and consents, ledger with running balances, tiers, coupons,
visits, consent to messages by channel; edit the profile, merge another record in, withdraw,
erase, export (owner only)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.consent import CHANNELS, Consent
from app.domain.errors import Refused
from app.i18n import N_, codes
from app.services.consents import MemberConsents, consent_state, set_consent
from app.services.context import Context
from app.services.customer_admin import (
    CustomerDetail,
    FieldRefused,
    MergeResult,
    ProfileChange,
    customer_detail,
    erase_member,
    export_customer,
    merge_customers,
    resolve_merge_side,
    update_profile,
    withdraw_customer,
)
from app.services.ledger import NEVER
from app.ui.dialog_service import DialogService
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, t, won

# the consent tab's keys built at run time
_CONSENT_KEYS = (
    N_("detail.consent.col.channel"),
    N_("detail.consent.col.info"),
    N_("detail.consent.col.ad"),
    N_("detail.consent.col.night"),
    N_("detail.consent.grant_question"),
    N_("detail.consent.withdraw_question"),
    N_("detail.consent.grant_accept"),
    N_("detail.consent.withdraw_accept"),
)
_SOURCES = ("counter", "display", "import", "reply", "cli", "back_office", "demo", "none")


def ask_save_path(parent: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, t("detail.export_title"), suggested, "JSON (*.json)"
    )
    return path or None


def _error_label() -> QLabel:
    label = QLabel(objectName="fieldError", wordWrap=True)
    label.hide()
    return label


class CustomerDetailDialog(QDialog):
    """Built empty, filled when the record arrives from the database thread."""

    changed = Signal()  # something was written: the list should refresh
    loaded = Signal()

    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        customer_id: uuid.UUID,
        parent: QWidget,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("customerDetail")
        self.ctx, self.runner, self.customer_id = ctx, runner, customer_id
        self.detail: CustomerDetail | None = None
        # merge, withdraw and erase ask here, with buttons that say what they do
        self.dialogs = dialogs or DialogService()
        # replaced in tests: the file a person picks
        self.choose_path: Callable[[str], str | None] = lambda name: ask_save_path(self, name)
        self.resize(980, 700)
        self._build()
        self.reload()

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = QLabel(objectName="detailHeader", wordWrap=True)
        self.header.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.summary = QLabel(objectName="detailSummary", wordWrap=True)
        self.notice = QLabel(objectName="detailNotice", wordWrap=True)
        self.message = QLabel(objectName="detailMessage", wordWrap=True)
        self.tabs = QTabWidget(objectName="detailTabs")
        self.tabs.addTab(self._profile_tab(), t("detail.tab.profile"))
        self.ledger = self._table(
            "ledgerTable",
            ["at", "kind", "points", "balance", "stamps", "stamp_balance", "expires", "reason"],
        )
        self.tiers = self._table("tierTable", ["at", "from", "to", "reason"])
        self.coupons = self._table("couponTable", ["code", "value", "until", "used"])
        self.visits = self._table("visitTable", ["at", "amount"])
        for table, key in (
            (self.ledger, "ledger"),
            (self.tiers, "tiers"),
            (self.coupons, "coupons"),
            (self.visits, "visits"),
        ):
            self.tabs.addTab(table, t(f"detail.tab.{key}"))
        self.tabs.addTab(self._consent_tab(), t("detail.tab.consent"))
        layout = QVBoxLayout(self)
        for widget in (self.header, self.summary, self.notice):
            layout.addWidget(widget)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(self._merge_row())
        self.merge_error = _error_label()
        layout.addWidget(self.merge_error)
        layout.addLayout(self._action_row())
        layout.addWidget(self.message)

    def _profile_tab(self) -> QWidget:
        tab = QWidget()
        form = QFormLayout(tab)
        self.name_edit = QLineEdit(objectName="nameEdit")
        self.birthday_edit = QLineEdit(objectName="birthdayEdit", placeholderText="YYYY-MM-DD")
        self.phone_edit = QLineEdit(objectName="phoneEdit")
        self.marketing = QCheckBox(t("detail.marketing"), objectName="marketingConsent")
        self.errors = {name: _error_label() for name in ("name", "birthday", "phone")}
        for key, edit, name in (
            ("detail.name", self.name_edit, "name"),
            ("detail.birthday", self.birthday_edit, "birthday"),
            ("detail.phone", self.phone_edit, "phone"),
        ):
            form.addRow(t(key), edit)
            form.addRow("", self.errors[name])
        self.phone_hint = QLabel(objectName="hint")
        form.addRow("", self.phone_hint)
        form.addRow("", self.marketing)
        self.consents = QLabel(objectName="consents", wordWrap=True)
        form.addRow("", self.consents)
        self.save_button = QPushButton(t("detail.save"), objectName="saveProfile")
        self.save_button.clicked.connect(self.save_profile)
        form.addRow("", self.save_button)
        return tab

    def _consent_tab(self) -> QWidget:
        """Per channel: informational, advertising and night advertising, as the member said."""
        tab = QWidget(objectName="consentTab")
        layout = QVBoxLayout(tab)
        intro = QLabel(t("detail.consent.intro"), objectName="consentIntro", wordWrap=True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(12)
        for column, key in enumerate(("channel", "info", "ad", "night")):
            head = QLabel(t(f"detail.consent.col.{key}"))
            head.setStyleSheet("font-weight: bold;")
            grid.addWidget(head, 0, column)
        self.consent_boxes: dict[tuple[str, str, bool], QCheckBox] = {}
        for row, channel in enumerate(CHANNELS, start=1):
            grid.addWidget(QLabel(t(f"consent.channel.{channel}")), row, 0)
            for column, (purpose, night) in enumerate(
                (("info", False), ("ad", False), ("ad", True)), start=1
            ):
                box = QCheckBox(objectName=f"consent_{channel}_{'night' if night else purpose}")
                box.setMinimumHeight(44)  # a touch target
                box.clicked.connect(
                    lambda checked, c=channel, p=purpose, n=night: self._consent_clicked(
                        c, p, n, checked
                    )
                )
                self.consent_boxes[(channel, purpose, night)] = box
                grid.addWidget(box, row, column)
        layout.addLayout(grid)
        self.consent_notice = QLabel(objectName="consentNotice", wordWrap=True)
        layout.addWidget(self.consent_notice)
        # the 골목 제휴's consent (a shop in one): recorded with `dangol partner consent`
        self.partner_consent = QLabel(objectName="partnerConsent", wordWrap=True)
        self.partner_consent.hide()
        layout.addWidget(self.partner_consent)
        layout.addStretch(1)
        self.member_consents: MemberConsents | None = None
        return tab

    def _table(self, name: str, columns: Sequence[str]) -> QTableWidget:
        table = QTableWidget(0, len(columns), objectName=name)
        table.setHorizontalHeaderLabels([t(f"detail.col.{c}") for c in columns])
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _merge_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(t("detail.merge_label")))
        self.merge_edit = QLineEdit(objectName="mergeWho")
        row.addWidget(self.merge_edit, 1)
        self.merge_button = QPushButton(t("detail.merge"), objectName="mergeButton")
        self.merge_button.clicked.connect(self.merge_other)
        row.addWidget(self.merge_button)
        return row

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.export_button = QPushButton(t("detail.export"), objectName="exportButton")
        self.export_button.clicked.connect(self.export)
        self.withdraw_button = QPushButton(t("detail.withdraw"), objectName="withdrawButton")
        self.withdraw_button.clicked.connect(lambda: self._leave("withdraw"))
        self.erase_button = QPushButton(t("detail.erase"), objectName="eraseButton")
        self.erase_button.clicked.connect(lambda: self._leave("erase"))
        row.addWidget(self.export_button)
        row.addStretch(1)
        row.addWidget(self.withdraw_button)
        row.addWidget(self.erase_button)
        return row

    # --- showing -------------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.run(
            lambda: customer_detail(self.ctx, self.customer_id), self._show, self._failed
        )
        self.runner.run(
            lambda: consent_state(self.ctx, self.customer_id), self._show_consents, self._failed
        )

    def _when(self, moment: datetime | None) -> str:
        if moment is None or moment == NEVER:
            return ""
        return self.ctx.local(moment).strftime("%Y-%m-%d %H:%M")

    def _show(self, detail: CustomerDetail) -> None:
        self.detail = detail
        who = detail.name or detail.phone_masked or t("cust.no_name")
        self.setWindowTitle(t("detail.title", who=who))
        self.header.setText(f"{who}   {detail.phone_masked or ''}")
        self.summary.setText(
            t(
                "detail.summary",
                tier=detail.tier_name,
                points=detail.points,
                stamps=detail.stamps,
                enrolled=self.ctx.local_date(detail.enrolled_at).isoformat(),
            )
            + (
                "  ·  " + t("detail.expiring", points=detail.expiring_30d)
                if detail.expiring_30d
                else ""
            )
        )
        self._show_notice(detail)
        self._show_profile(detail)
        self._fill_ledger(detail)
        self._fill(
            self.tiers,
            [
                [
                    self._when(s.at),
                    s.from_name or s.from_code or "",
                    s.to_name or s.to_code,
                    codes.tier_reason(language(), s.reason),
                ]
                for s in detail.tier_history
            ],
        )
        self._fill(
            self.coupons,
            [
                [
                    c.code,
                    codes.coupon_text(language(), c.kind, c.value),
                    c.last_day.isoformat(),
                    t("detail.used.yes") if c.used else t("detail.used.no"),
                ]
                for c in detail.coupons
            ],
        )
        self._fill(self.visits, [[self._when(at), won(amount)] for at, amount in detail.visits])
        active = detail.status == "active"
        for widget in (
            self.save_button,
            self.merge_button,
            self.export_button,
            self.withdraw_button,
            self.erase_button,
        ):
            widget.setEnabled(active)
        self.loaded.emit()

    def _show_notice(self, detail: CustomerDetail) -> None:
        notes = []
        if detail.status != "active":
            notes.append(t("detail.state", status=t(f"cust.status.{detail.status}")))
        if detail.merged_into_id:
            notes.append(t("detail.merged_into"))
        if detail.absorbed:
            notes.append(t("detail.absorbed", n=len(detail.absorbed)))
        self.notice.setText("\n".join(notes))
        self.notice.setVisible(bool(notes))

    def _show_profile(self, detail: CustomerDetail) -> None:
        self.name_edit.setText(detail.name or "")
        self.birthday_edit.setText(detail.birthday.isoformat() if detail.birthday else "")
        self.phone_edit.clear()
        self.phone_edit.setPlaceholderText(detail.phone_masked or "")
        self.phone_hint.setText(t("detail.phone_hint", phone=detail.phone_masked or ""))
        self.marketing.setChecked(detail.marketing_consent_at is not None)
        none = t("detail.no_consent")
        self.consents.setText(
            "\n".join(
                [
                    t("detail.program_consent", at=self._when(detail.program_consent_at) or none),
                    t(
                        "detail.marketing_consent",
                        at=self._when(detail.marketing_consent_at) or none,
                    ),
                    t("detail.wording", version=detail.consent_wording_version or none),
                    t("detail.cards", cards=", ".join(detail.cards) or none),
                ]
            )
        )

    def _show_consents(self, state: MemberConsents) -> None:
        self.member_consents = state
        active = state.status == "active"
        by_key = {(c.channel, c.purpose, c.night): c for c in state.consents}
        for key, box in self.consent_boxes.items():
            consent = by_key[key]
            shown = consent.granted
            if key[1] == "info" and consent.withdrawn_at is None:
                shown = True  # informational messages go with the program consent
            box.setChecked(shown)
            box.setText(self._consent_text(consent))
            night_ok = not key[2] or by_key[(key[0], "ad", False)].granted
            box.setEnabled(active and night_ok)
        if state.notice_due_on is not None:
            last = self._when(state.last_notice_at) or t("detail.no_consent")
            self.consent_notice.setText(
                t("detail.consent.notice", due=state.notice_due_on.isoformat(), last=last)
            )
        else:
            self.consent_notice.setText(t("detail.consent.notice_none"))
        partner = state.partner
        self.partner_consent.setVisible(partner is not None)
        if partner is not None:
            if partner.granted and partner.at is not None:
                said = t("detail.partner.granted", at=self._when(partner.at))
            elif partner.at is not None:
                said = t("detail.partner.withdrawn", at=self._when(partner.at))
            else:
                said = t("detail.partner.never")
            self.partner_consent.setText(
                t("detail.partner.consent", coalition=partner.coalition, state=said)
            )

    def _consent_text(self, consent: Consent) -> str:
        if consent.granted and consent.granted_at is not None:
            source = consent.source or "none"
            how = t(f"consent.source.{source}") if source in _SOURCES else source
            return t("detail.consent.granted", at=self._when(consent.granted_at), how=how)
        if consent.withdrawn_at is not None:
            return t("detail.consent.withdrawn", at=self._when(consent.withdrawn_at))
        if consent.purpose == "info" and not consent.night:
            return t("detail.consent.info_default")
        return t("detail.consent.never")

    def _consent_clicked(self, channel: str, purpose: str, night: bool, checked: bool) -> None:
        """Nothing changes until the person confirms what the member said."""
        box = self.consent_boxes[(channel, purpose, night)]
        box.setChecked(not checked)  # the box shows what is recorded, not what was clicked
        what = t("consent.night") if night else t(f"consent.purpose.{purpose}")
        words = {"channel": t(f"consent.channel.{channel}"), "what": what}
        how = "grant" if checked else "withdraw"

        def record() -> MemberConsents:
            return set_consent(
                self.ctx,
                self.customer_id,
                channel,
                purpose,
                checked,
                night=night,
                source="back_office",
            )

        self.dialogs.confirm(
            self,
            t("detail.consent.title"),
            t(f"detail.consent.{how}_question", **words),
            t(f"detail.consent.{how}_accept"),
            t("detail.confirm_close"),
            lambda: self.runner.run(record, self._consent_recorded, self._failed),
            name="consentConfirm",
        )

    def _consent_recorded(self, state: MemberConsents) -> None:
        self._show_consents(state)
        self.message.setStyleSheet("")
        self.message.setText(t("detail.consent.saved"))
        self.changed.emit()
        self.reload()  # the profile's marketing box follows SMS advertising

    def _fill_ledger(self, detail: CustomerDetail) -> None:
        rows = [
            [
                self._when(line.at),
                codes.ledger_kind(language(), line.kind),
                f"{line.points:+,}" if line.points else "",
                f"{line.points_balance:,}",
                f"{line.stamps:+d}" if line.stamps else "",
                str(line.stamps_balance),
                self._when(line.expires_at)[:10],
                codes.ledger_reason(language(), line.reason),
            ]
            for line in reversed(detail.ledger)  # newest first, as a statement reads
        ]
        self._fill(self.ledger, rows)
        if not rows:
            self.ledger.setRowCount(1)
            self.ledger.setItem(0, 0, QTableWidgetItem(t("detail.no_ledger")))
            self.ledger.setSpan(0, 0, 1, self.ledger.columnCount())

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if value[:1] in "+-0123456789₩" and c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                table.setItem(r, c, item)

    def _failed(self, error: BaseException) -> None:
        self.message.setStyleSheet("color: #c92a2a;")
        if isinstance(error, Refused):
            self.message.setText(refusal(error))
        else:
            self.message.setText(t("error.unexpected", error=error))

    def _done(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.changed.emit()
        self.reload()

    # --- actions -------------------------------------------------------------------------

    def save_profile(self) -> None:
        for label in self.errors.values():
            label.hide()
        change = ProfileChange(
            name=self.name_edit.text(),
            birthday=self.birthday_edit.text(),
            marketing_consent=self.marketing.isChecked(),
            phone=self.phone_edit.text() or None,
        )
        self.runner.run(
            lambda: update_profile(self.ctx, self.customer_id, change),
            lambda changed: self._done(t("detail.saved") if changed else t("detail.unchanged")),
            self._profile_refused,
        )

    def _profile_refused(self, error: BaseException) -> None:
        if isinstance(error, FieldRefused) and error.field in self.errors:
            self.errors[error.field].setText(refusal(error))
            self.errors[error.field].show()
        else:
            self._failed(error)

    def merge_other(self) -> None:
        self.merge_error.hide()
        other = self.merge_edit.text().strip()
        if not other:
            return
        keep = self.customer_id

        def merge() -> MergeResult:
            return merge_customers(self.ctx, keep, resolve_merge_side(self.ctx, other))

        self._ask(
            "merge",
            t("detail.merge_confirm", other=other),
            lambda: self.runner.run(merge, self._merged, self._merge_refused),
        )

    def _ask(self, how: str, question: str, then: Callable[[], None]) -> None:
        """The question of `how` (merge, withdraw, erase); `then` only on its own button."""
        self.dialogs.confirm(
            self,
            t(f"detail.{how}"),
            question,
            t(f"detail.{how}_accept"),
            t("detail.confirm_close"),
            then,
            name=f"{how}Confirm",
        )

    def _merged(self, result: MergeResult) -> None:
        self.merge_edit.clear()
        self._done(t("detail.merged", points=result.points_moved, stamps=result.stamps_moved))

    def _merge_refused(self, error: BaseException) -> None:
        text = refusal(error) if isinstance(error, Refused) else t("error.unexpected", error=error)
        self.merge_error.setText(text)
        self.merge_error.show()

    def export(self) -> None:
        path = self.choose_path(f"member-{self.customer_id}.json")
        if not path:
            return
        self.runner.run(
            lambda: export_customer(self.ctx, self.customer_id, Path(path)),
            lambda _count: self._done(t("detail.exported", file=Path(path).name)),
            self._failed,
        )

    def _leave(self, how: str) -> None:
        action = withdraw_customer if how == "withdraw" else erase_member
        self._ask(
            how,
            t(f"detail.{how}_confirm"),
            lambda: self.runner.run(
                lambda: action(self.ctx, self.customer_id),
                lambda _id: self._done(t("detail.left")),
                self._failed,
            ),
        )
