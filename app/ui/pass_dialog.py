"""The passes at the counter (F12, 구독권): sell a plan of the program, or pause, resume or
cancel one of the member's open passes. A cancel shows the refund the plan's rule gives
before the cashier confirms it (the accept button says the amount)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.domain import passes as rules
from app.domain.errors import Refused
from app.domain.passes import PassPlan
from app.services.passes import PassView
from app.services.passes import check_ref as check_pass_ref
from app.ui.dialogs import TOUCH, FormDialog
from app.ui.panel import pass_line
from app.ui.text import refusal, t, won

MODES = ("sell", "pause", "resume", "cancel")


def benefit_text(plan: PassPlan | PassView) -> str:
    """What the pass gives, in words: "아메리카노 무료", "모든 품목 10% 할인"."""
    items = ", ".join(plan.items)
    if plan.benefit == "free_item":
        return t("passdesk.free", items=items)
    if items:
        return t("passdesk.percent", items=items, percent=plan.percent)
    return t("passdesk.percent_all", percent=plan.percent)


def plan_terms(plan: PassPlan) -> str:
    """A plan's price and terms in words, as the sell dialog shows them."""
    parts = [
        won(plan.price),
        t("passdesk.days", days=plan.days),
        benefit_text(plan),
        t("passdesk.per_day", n=plan.uses_per_day),
    ]
    if plan.hours:
        parts.append(t("panel.pass_hours", start=plan.hours[0], end=plan.hours[1]))
    parts.append(
        t("passdesk.refund_pro_rata") if plan.refund == "pro_rata" else t("passdesk.refund_none")
    )
    return " · ".join(parts)


def cancel_refund(view: PassView, today: date) -> tuple[int, int]:
    """(refund in won, days left) if the pass were cancelled today: the service's rule."""
    days_left = max(0, min(view.days, (view.end - today).days))
    return rules.refund_amount(view.refund_rule, view.price, view.days, days_left), days_left


class PassDialog(FormDialog):
    """The input is checked here (a plan chosen, the POS's payment reference typed, a pass
    chosen); the counter then runs the use case and, on a refusal, says it here in words
    (`show_refusal`), the dialog staying open and nothing written."""

    submitted = Signal()  # checked: the counter runs the use case

    def __init__(
        self,
        plans: tuple[PassPlan, ...],
        views: list[PassView],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(t("passdesk.title"), t("passdesk.accept_sell"), parent)
        self.setObjectName("passDialog")
        self.plans, self.views, self.today = plans, list(views), today
        self.setMinimumWidth(480)
        self.mode_buttons: dict[str, QRadioButton] = {}
        self.modes = QButtonGroup(self)
        modes = QHBoxLayout()
        labels = {
            "sell": t("passdesk.sell"),
            "pause": t("passdesk.pause"),
            "resume": t("passdesk.resume"),
            "cancel": t("passdesk.cancel"),
        }
        for mode in MODES:
            button = QRadioButton(labels[mode], objectName=f"passMode_{mode}")
            button.setMinimumHeight(TOUCH)
            self.modes.addButton(button)
            self.mode_buttons[mode] = button
            modes.addWidget(button)
        self.plan_box = QComboBox(objectName="passPlan")
        self.plan_box.setMinimumHeight(TOUCH)
        for plan in plans:
            self.plan_box.addItem(plan.name, plan.code)
        self.terms = QLabel(objectName="passTerms")
        self.terms.setWordWrap(True)
        self.pass_box = QComboBox(objectName="passChoice")
        self.pass_box.setMinimumHeight(TOUCH)
        for view in self.views:
            self.pass_box.addItem(pass_line(view), view.plan_code)
        self.note = QLabel(objectName="passNote")  # the refund a cancel gives, or the state
        self.note.setWordWrap(True)
        self.ref_edit = QLineEdit(objectName="passRef")
        self.ref_edit.setMinimumHeight(TOUCH)
        self.ref_edit.textChanged.connect(lambda _: self.error.hide())
        self.plan_box.currentIndexChanged.connect(lambda _: self._changed())
        self.pass_box.currentIndexChanged.connect(lambda _: self._changed())
        self.modes.buttonToggled.connect(lambda *_: self._changed())
        self.layout_.addLayout(modes)
        for widget in (self.plan_box, self.terms, self.pass_box, self.note, self.ref_edit):
            self.layout_.addWidget(widget)
        self.finish_layout()
        self.mode_buttons["sell"].setEnabled(bool(plans))
        for mode in ("pause", "resume", "cancel"):
            self.mode_buttons[mode].setEnabled(bool(self.views))
        first = "sell" if plans or not self.views else "pause"
        self.mode_buttons[first].setChecked(True)
        self._changed()

    # --- what is chosen ----------------------------------------------------------------

    @property
    def mode(self) -> str:
        return next((m for m, b in self.mode_buttons.items() if b.isChecked()), "sell")

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    @property
    def plan(self) -> PassPlan | None:
        code = self.plan_box.currentData()
        return next((p for p in self.plans if p.code == code), None)

    @property
    def view(self) -> PassView | None:
        index = self.pass_box.currentIndex()
        return self.views[index] if 0 <= index < len(self.views) else None

    @property
    def plan_code(self) -> str:
        chosen = self.plan if self.mode == "sell" else self.view
        if chosen is None:
            return ""
        return chosen.code if isinstance(chosen, PassPlan) else chosen.plan_code

    @property
    def ref(self) -> str | None:
        return check_pass_ref(self.ref_edit.text())

    @property
    def refund(self) -> int:
        view = self.view
        return cancel_refund(view, self.today)[0] if view is not None else 0

    def _changed(self) -> None:
        mode = self.mode
        selling = mode == "sell"
        self.plan_box.setVisible(selling)
        self.terms.setVisible(selling)
        self.pass_box.setVisible(not selling)
        self.ref_edit.setVisible(selling or (mode == "cancel" and self.refund > 0))
        self.ref_edit.setPlaceholderText(
            t("passdesk.pay_ref") if selling else t("passdesk.refund_ref")
        )
        plan, view = self.plan, self.view
        self.terms.setText(plan_terms(plan) if plan else "")
        note = ""
        if mode == "cancel" and view is not None:
            refund, days_left = cancel_refund(view, self.today)
            if refund:
                note = t("passdesk.cancel_refund", won=won(refund), left=days_left, days=view.days)
            else:
                note = t("passdesk.cancel_no_refund")
        elif view is not None and not selling:
            note = t("passdesk.status", status=t(f"pass.status.{view.status}"))
        self.note.setText(note)
        self.note.setVisible(bool(note))
        if selling:
            text = t("passdesk.accept_sell_price", price=won(plan.price)) if plan else ""
            text = text or t("passdesk.accept_sell")
        elif mode == "pause":
            text = t("passdesk.accept_pause")
        elif mode == "resume":
            text = t("passdesk.accept_resume")
        elif self.refund:
            text = t("passdesk.accept_cancel_refund", won=won(self.refund))
        else:
            text = t("passdesk.accept_cancel")
        self.accept_button.setText(text)
        self.error.hide()

    # --- checking ----------------------------------------------------------------------

    def check(self) -> None:
        mode = self.mode
        if mode == "sell":
            if self.plan is None:
                raise Refused("passdesk.no_plans")
            if self.ref is None:
                raise Refused("passdesk.ref_required")
            return
        view = self.view
        if view is None:
            raise Refused("pass.none")
        if mode == "pause" and view.status == "paused":
            raise Refused("passdesk.is_paused")
        if mode == "resume" and view.status != "paused":
            raise Refused("pass.not_paused")
        if mode == "cancel" and self.refund and self.ref is None:
            raise Refused("passdesk.refund_ref_required")

    def _try_accept(self) -> None:
        try:
            self.check()
        except Refused as refused:
            self.show_error(refusal(refused))
            return
        self.accept_button.setEnabled(False)  # one call at a time
        self.submitted.emit()

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.adjustSize()  # the reason's lines: the buttons stay inside the dialog

    def show_refusal(self, error: Refused) -> None:
        """The service said no: said here, the dialog stays open."""
        self.accept_button.setEnabled(True)
        self.show_error(refusal(error))
