"""The owner's announcement (an advertisement by SMS) from the back office: the text, who it is
for (a segment, a tier, recent or lapsed visitors, a birthday month), how many it reaches and
why the others not, and only then, asked once more with the count, queued through the outbox.

The same `announcements.plan` and `announcements.announce` as `dangol messages announce`; the
rules of consent, night hold and the frequency cap are theirs. "보내기" is enabled only by a
count made for exactly the text and audience on screen: a change asks for a new count.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_
from app.services import announcements, segments
from app.services.announcements import Announcement, Audience
from app.services.context import Context
from app.services.customer_admin import tier_choices
from app.ui.backoffice.settings_page import error_text
from app.ui.dialog_service import DialogService
from app.ui.tasks import ServiceRunner
from app.ui.text import t

ALREADY = announcements.ALREADY


class AnnounceTab(QWidget):
    """The Messages page's "공지 보내기" tab."""

    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        parent: QWidget | None = None,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent, objectName="announceTab")
        self.ctx, self.runner = ctx, runner
        self.dialogs = dialogs or DialogService()
        self.counted: tuple[str, Audience] | None = None  # what the shown count was made for
        self.plan: Announcement | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(t("announce.ui.intro"), objectName="hint", wordWrap=True))
        self.text = QPlainTextEdit(objectName="announceText")
        self.text.setPlaceholderText(t("announce.ui.placeholder"))
        self.text.setMinimumHeight(110)
        self.text.textChanged.connect(self._changed)
        layout.addWidget(self.text)
        self.length = QLabel(objectName="announceLength")
        layout.addWidget(self.length)
        layout.addLayout(self._audience_form())
        buttons = QHBoxLayout()
        self.count_button = QPushButton(t("announce.ui.count"), objectName="announceCount")
        self.count_button.clicked.connect(self.count)
        self.send_button = QPushButton(t("announce.ui.send"), objectName="announceSend")
        self.send_button.setMinimumHeight(44)
        self.send_button.clicked.connect(self.send)
        for button in (self.count_button, self.send_button):
            button.setMinimumHeight(44)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.summary = QLabel(objectName="announceSummary", wordWrap=True)
        layout.addWidget(self.summary)
        self.error = QLabel(objectName="announceError", wordWrap=True)
        self.error.setStyleSheet("color: #b00020;")
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._changed()
        self.runner.run(self._choices, self._fill, self._failed)

    def _audience_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.segment = QComboBox(objectName="announceSegment")
        self.segment.addItem(t("announce.ui.everyone"), None)
        self.tier = QComboBox(objectName="announceTier")
        self.tier.addItem(t("cust.any"), None)
        self.visited = QSpinBox(objectName="announceVisited", minimum=0, maximum=3650)
        self.visited.setSpecialValueText(t("announce.ui.no_condition"))
        self.visited.setSuffix(t("announce.ui.days"))
        self.away = QSpinBox(objectName="announceAway", minimum=0, maximum=3650)
        self.away.setSpecialValueText(t("announce.ui.no_condition"))
        self.away.setSuffix(t("announce.ui.days"))
        self.month = QComboBox(objectName="announceMonth")
        self.month.addItem(t("cust.any"), None)
        for month in range(1, 13):
            self.month.addItem(t("announce.ui.month", month=month), month)
        for widget in (self.segment, self.tier, self.month):
            widget.setMinimumWidth(200)
            widget.currentIndexChanged.connect(self._changed)
        for spin in (self.visited, self.away):
            spin.setMinimumWidth(200)
            spin.valueChanged.connect(self._changed)
        form.addRow(t("announce.ui.segment"), self.segment)
        form.addRow(t("announce.ui.tier"), self.tier)
        form.addRow(t("announce.ui.visited"), self.visited)
        form.addRow(t("announce.ui.away"), self.away)
        form.addRow(t("announce.ui.birthday"), self.month)
        return form

    def _choices(self) -> tuple[list[tuple[str, str]], list[segments.SegmentLine]]:
        return tier_choices(self.ctx), segments.list_segments(self.ctx)

    def _fill(self, found: tuple[list[tuple[str, str]], list[segments.SegmentLine]]) -> None:
        tiers, lines = found
        for code, name in tiers:
            self.tier.addItem(name, code)
        for line in lines:
            name = t(f"segment.rfm.{line.code}") if line.kind == "rfm" else line.code
            self.segment.addItem(name, (line.kind, line.code))

    # --- what is on screen ----------------------------------------------------------------

    def body(self) -> str:
        return self.text.toPlainText().strip()

    def filters(self) -> Audience:
        """The filters on screen (a segment's own rules are added in the service's thread)."""
        return Audience(
            tier=self.tier.currentData(),
            visited_within_days=self.visited.value() or None,
            away_days=self.away.value() or None,
            birthday_month=self.month.currentData(),
        )

    def _audience(self, chosen: Any, filters: Audience) -> Audience:
        """The segment's rules narrowed by the filters given beside it (as the CLI does)."""
        if chosen is None:
            return filters
        kind, code = chosen
        base = (
            Audience(rfm_segment=code) if kind == "rfm" else segments.owner_audience(self.ctx, code)
        )
        given = {k: v for k, v in filters.__dict__.items() if v not in (None, False)}
        return replace(base, **given)

    def _changed(self, *_: object) -> None:
        n = len(self.body())
        self.length.setText(t("announce.ui.length", n=n, maximum=announcements.MAX_TEXT))
        self.length.setStyleSheet("color: #b00020;" if n > announcements.MAX_TEXT else "")
        if self.counted is not None and self.counted != (self.body(), self._key()):
            self.counted, self.plan = None, None
            self.summary.setText(t("announce.ui.recount"))
        self.send_button.setEnabled(self.plan is not None and self.plan.queued > 0)

    def _key(self) -> Audience:
        """The audience on screen as a comparable value (segment in its rfm/owner field)."""
        chosen = self.segment.currentData()
        key = self.filters()
        if chosen is None:
            return key
        kind, code = chosen
        return replace(key, rfm_segment=f"{kind}:{code}")

    # --- count, then send -----------------------------------------------------------------

    def count(self) -> None:
        self.error.setText("")
        body, chosen, filters, key = (
            self.body(),
            self.segment.currentData(),
            self.filters(),
            self._key(),
        )
        self.count_button.setEnabled(False)

        def plan() -> Announcement:
            return announcements.plan(self.ctx, body, self._audience(chosen, filters))

        self.runner.run(plan, lambda found: self._counted(found, body, key), self._failed)

    def _counted(self, found: Announcement, body: str, key: Audience) -> None:
        self.count_button.setEnabled(True)
        if (body, key) != (self.body(), self._key()):
            return  # the text or the audience changed while counting: that count is not theirs
        self.counted, self.plan = (body, key), found
        self.summary.setText("\n".join(self._lines(found)))
        self._changed()

    def _lines(self, found: Announcement) -> list[str]:
        head = N_("announce.ui.sent") if found.sent else N_("announce.ui.planned")
        lines = [t(head, chosen=f"{found.chosen:,}", queued=f"{found.queued:,}")]
        if found.night:
            lines.append(t("announce.ui.night", n=f"{found.night:,}"))
        for reason, n in sorted(found.excluded.items()):
            why = t("cli.messages.announce_already") if reason == ALREADY else None
            why = why or t(f"consent.reason.{reason}")
            lines.append(t("announce.ui.excluded", n=f"{n:,}", why=why))
        if not found.sent and found.queued == 0:
            lines.append(t("announce.ui.nobody"))
        return lines

    def send(self) -> None:
        if self.plan is None or self.counted is None or self.plan.queued == 0:
            return
        body = self.counted[0]
        chosen, filters = self.segment.currentData(), self.filters()
        question = t("announce.ui.confirm", queued=f"{self.plan.queued:,}", text=body)
        self.send_button.setEnabled(False)

        def announce() -> Announcement:
            return announcements.announce(self.ctx, body, self._audience(chosen, filters))

        def go() -> None:
            self.runner.run(announce, self._sent, self._failed)

        self.dialogs.confirm(
            self,
            t("announce.ui.confirm_title"),
            question,
            t("announce.ui.confirm_yes"),
            t("announce.ui.confirm_no"),
            go,
            self._changed,
            name="announceConfirm",
        )

    def _sent(self, done: Announcement) -> None:
        self.counted, self.plan = None, None
        self.summary.setText("\n".join(self._lines(done)))
        self._changed()

    def _failed(self, error: BaseException) -> None:
        self.count_button.setEnabled(True)
        self.error.setText(error_text(error))
        self._changed()
