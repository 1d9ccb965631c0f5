"""The counter screen: one search field, the customer panel, and the cashier's actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from app.domain.earning import compute_earning
from app.domain.errors import Refused
from app.domain.program import Program
from app.domain.query import classify_query
from app.domain.redemption import max_redeemable
from app.domain.slip import PrinterSettings, SlipData
from app.services import (
    customers,
    partners,
    passes,
    pos,
    redemptions,
    sales,
    settings,
    slips,
    staff,
    wallet,
)
from app.services.context import Context
from app.services.customers import CouponView, CustomerStatus
from app.ui.dialog_service import DialogService
from app.ui.dialogs import CouponDialog, EnrollDialog, PinDialog, RedeemDialog, SaleDialog
from app.ui.panel import CustomerPanel, coupon_value_text
from app.ui.pending import ATTACH_KEY, PendingStrip, RefundAlert
from app.ui.search import SearchField
from app.ui.slip_printer import SlipPrinter
from app.ui.tasks import ServiceRunner
from app.ui.text import refusal, t, tn, won
from app.ui.wallet_dialog import WalletDialog

if TYPE_CHECKING:
    from app.ui.pass_dialog import PassDialog

TOAST_SECONDS = 12


class CounterScreen(QWidget):
    """What the cashier sees all day. Every database call goes through the runner."""

    status_shown = Signal(object)  # CustomerStatus | None, after the panel is updated
    action_done = Signal(str)  # the confirmation text
    sale_done = Signal(object)  # sales.SaleResult: the customer display shows the moment
    wallet_link = Signal(str)  # 지갑에 추가: the save link, for the customer's screen
    pending_attached = Signal(str)  # a POS sale's ref, attached here: look again at once

    def __init__(
        self,
        ctx: Context,
        runner: ServiceRunner,
        program: Program,
        parent: QWidget | None = None,
        slip_printer: SlipPrinter | None = None,
        dialogs: DialogService | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.dialogs = dialogs or DialogService()
        self.slip_printer = slip_printer or SlipPrinter(self)
        self.program = program  # passed in: building the screen reads no database
        self.status: CustomerStatus | None = None
        self.wallet: wallet.WalletStatus | None = None  # the member's, when the program has one
        self.partner: partners.PartnerStanding | None = None  # a coalition's consenting member
        self._partner_push: ServiceRunner | None = None  # sends partner entries, off the counter
        self.last_action: tuple[str, str] | None = None  # (id, what it was)
        self.dialog: QDialog | None = None  # a form or a confirmation (a QMessageBox)
        self._build()
        self._shortcuts()

    # --- layout -------------------------------------------------------------------

    def _build(self) -> None:
        self.search = SearchField(objectName="search")
        self.search.setPlaceholderText(t("search.placeholder"))
        self.search.submitted.connect(self.lookup)
        self.search.cleared.connect(self.clear)
        self.hint = QLabel(counter_hint(self.program), objectName="hint")
        self.hint.setWordWrap(True)
        self.message = QLabel(objectName="message")
        self.message.setWordWrap(True)
        self.enroll_offer = QPushButton(t("search.enroll_offer"), objectName="enrollOffer")
        self.enroll_offer.clicked.connect(self.open_enroll)
        self.enroll_offer.hide()
        self.matches = QListWidget(objectName="matches")
        self.matches.itemActivated.connect(self._pick_match)
        self.matches.hide()
        self.panel = CustomerPanel()
        self.panel.reveal.clicked.connect(self.reveal_phone)
        self.panel.pass_use.clicked.connect(self.use_pass)
        self.panel.pass_desk.clicked.connect(self.open_passes)
        self.panel.set_sells_passes(bool(self.program.passes))
        # the POS bridge (app/ui/pending.py): sales waiting for a member, refunds below zero
        self.pos_alert = RefundAlert()
        self.pos_strip = PendingStrip()
        self.pos_strip.zone = self.ctx.zone
        self.pos_strip.attach_requested.connect(self.attach_pending)

        self.toast = QLabel(objectName="toast")
        self.undo = QPushButton(t("action.undo"), objectName="undoButton")
        self.undo.clicked.connect(self.void_last)
        self._toast_timer = QTimer(self, singleShot=True, interval=TOAST_SECONDS * 1000)
        self._toast_timer.timeout.connect(self._hide_toast)
        toast_row = QHBoxLayout()
        toast_row.addWidget(self.toast, 1)
        toast_row.addWidget(self.undo)
        self.toast_box = QWidget(objectName="toastBox")
        self.toast_box.setLayout(toast_row)
        self.toast_box.hide()

        self.buttons: dict[str, QPushButton] = {}
        actions = QVBoxLayout()
        for key, shortcut, slot in [
            ("sale", "F2", self.open_sale),
            ("redeem", "F3", self.open_redeem),
            ("stamps", "F4", self.redeem_stamps),
            ("coupon", "F5", self.open_coupon),
            ("print", "F6", lambda: self.print_slip()),
            ("void", "F8", self.void_last),
            ("enroll", "F9", self.open_enroll),
            ("clear", "Esc", self.clear),
        ]:
            button = QPushButton(f"{t('action.' + key)}\n{shortcut}", objectName=f"{key}Button")
            button.setMinimumSize(150, 52)  # eight of them fit 600 px; >= 44 px for a finger
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(slot)
            self.buttons[key] = button
            actions.addWidget(button)
            if key == "redeem":
                # why F3 is off (below the minimum), right under it
                self.redeem_reason = QLabel(objectName="buttonReason")
                self.redeem_reason.setWordWrap(True)
                self.redeem_reason.setMaximumWidth(150)
                self.redeem_reason.hide()
                actions.addWidget(self.redeem_reason)
        actions.addStretch(1)
        # 지갑에 추가 (Google Wallet set up): the save link as a QR on the customer's screen;
        # on the panel beside the member's number, as the other rare actions are
        self.add_wallet_button = self.panel.add_wallet
        self.add_wallet_button.clicked.connect(self.add_to_wallet)
        # the wallet's button sits on the panel, beside the wallet (a ninth here would not fit)
        self.buttons["wallet"] = self.panel.wallet_button
        self.panel.wallet_button.clicked.connect(self.open_wallet)

        left = QVBoxLayout()
        left.addWidget(self.pos_alert)
        left.addWidget(self.search)
        left.addWidget(self.hint)
        left.addWidget(self.message)
        left.addWidget(self.enroll_offer)
        left.addWidget(self.pos_strip)
        # several matches take the panel's place (a name can match dozens)
        left.addWidget(self.matches, 3)
        left.addWidget(self.panel, 3)
        left.addWidget(self.toast_box)
        row = QHBoxLayout(self)
        row.addLayout(left, 1)
        row.addLayout(actions)
        self._update_buttons()

    def _shortcuts(self) -> None:
        for keys, slot in [
            ("F2", self.open_sale),
            ("F3", self.open_redeem),
            ("F4", self.redeem_stamps),
            ("F5", self.open_coupon),
            ("F6", self.print_slip),
            ("F11", self.use_pass),
            ("F10", self.open_wallet),
            ("F12", self.open_passes),
            ("F8", self.void_last),
            ("F9", self.open_enroll),
            (ATTACH_KEY, self.attach_first_pending),
        ]:
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
            return
        if self.matches.isVisible() and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.matches.setFocus()
            self.matches.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- finding ------------------------------------------------------------------

    def lookup(self, text: str, scanned: bool = False) -> None:
        self._say("")
        self.enroll_offer.hide()
        self.runner.run(
            lambda: customers.find_for_counter(self.ctx, text),
            lambda found: self._found(text, *found, scanned),
            self._failed,
        )

    def _found(
        self,
        text: str,
        status: CustomerStatus | None,
        matches: list[customers.Match],
        scanned: bool,
    ) -> None:
        self._hide_matches()
        if status is not None:
            self.show_status(status)
            if scanned:
                self._say(t("scan.read"))
            return
        self.show_status(None)
        if not matches:
            self._say(t("search.none", query=text), error=True)
            self.enroll_offer.setVisible(classify_query(text).kind == "phone")
            return
        self._say(tn("search.many", "search.many_plural", len(matches)))
        for match in matches:
            item = QListWidgetItem(self.match_text(match))
            item.setData(Qt.ItemDataRole.UserRole, match)
            self.matches.addItem(item)
        self.matches.setCurrentRow(0)
        self.panel.hide()
        self.matches.show()
        self.matches.setFocus()

    def match_text(self, match: customers.Match) -> str:
        """One line a person can tell apart: name, masked number, last visit, points."""
        visit = (
            t("search.match_visit", date=f"{self.ctx.local(match.last_visit):%Y-%m-%d}")
            if match.last_visit is not None
            else t("search.match_no_visit")
        )
        parts = [match.name_masked or t("cust.no_name"), match.phone_masked or ""]
        parts += [match.tier_name, visit, f"{match.points:,}P"]
        return "  ·  ".join(part for part in parts if part)

    def _hide_matches(self) -> None:
        self.matches.clear()
        self.matches.hide()
        self.panel.show()

    def _pick_match(self, item: QListWidgetItem) -> None:
        customer_id = item.data(Qt.ItemDataRole.UserRole).id
        self.matches.hide()  # kept until the next search: the list is only put away
        self.panel.show()
        self._say("")
        self.runner.run(
            lambda: customers.customer_status(self.ctx, customer_id),
            self.show_status,
            self._failed,
        )
        self.focus_search()

    def show_status(self, status: CustomerStatus | None) -> None:
        self.status = status
        next_name = (
            self.program.tier(status.next_tier).name if status and status.next_tier else None
        )
        self.panel.show_status(status, zone=self.ctx.zone, next_tier_name=next_name)
        self._load_passes(status)
        self._read_wallet(status)
        self._read_partner(status)
        self.pos_strip.set_member(member_label(status))
        self._update_buttons()
        self.status_shown.emit(status)

    def _load_passes(self, status: CustomerStatus | None) -> None:
        """The member's open passes, read through the runner (none shown meanwhile)."""
        if status is None or status.id != getattr(self, "_passes_of", None):
            self.panel.show_passes([])
        self._passes_of = status.id if status is not None else None
        if status is None:
            return
        customer_id = status.id

        def shown(views: list[passes.PassView]) -> None:
            if self._passes_of == customer_id:  # still the member on screen
                self.panel.show_passes(views)
                self._passes_shown = customer_id

        self.runner.run(
            lambda: passes.member_passes(self.ctx, customer_id, open_only=True),
            shown,
            self._failed,
        )

    def use_pass(self) -> None:
        """F11: use today's entitlement of the member's pass (the first one with a use left)."""
        from app.ui.panel import usable_pass

        if self.status is None or self.dialog is not None:
            return
        views = self.panel.pass_views
        chosen = usable_pass(views) or (views[0] if views else None)
        if chosen is None:
            self._say(t("pass.none"), error=True)
            return
        customer_id, plan = self.status.id, chosen.plan_code

        def done(result: passes.PassResult) -> None:
            text = t("done.pass_used", plan=result.view.plan_name)
            if settings.setting(self.ctx, "auto_print_slip"):  # the slip made on the runner
                self._deliver(
                    lambda: slips.render_slip(self.ctx, passes.pass_slip(self.ctx, result)), True
                )
            self._say(text)  # not the toast: its undo is for sales and redemptions
            self.action_done.emit(text)
            self._load_passes(self.status)

        self.runner.run(lambda: passes.use(self.ctx, customer_id, plan), done, self._failed)

    def open_passes(self) -> None:
        """F12 (구독권): sell one of the program's plans, or pause / resume / cancel one of the
        member's open passes (as the panel shows them)."""
        from app.ui.pass_dialog import PassDialog

        if self.status is None or self.dialog is not None or not self.program.passes:
            return
        if getattr(self, "_passes_shown", None) != self.status.id:
            return  # the member's passes still being read: F12 again in a moment
        today = self.ctx.local_date(self.ctx.now())
        dialog = PassDialog(self.program.passes, self.panel.pass_views, today, self)
        dialog.submitted.connect(lambda: self.pass_action(dialog))
        self._open(dialog, lambda: None)

    def pass_action(self, dialog: PassDialog) -> None:
        """The dialog's action through the runner; a refusal is said in the dialog (which stays
        open, nothing written), a success closes it, says it, prints its slip, and the panel
        reads the member's passes again."""
        assert self.status is not None
        customer_id = self.status.id
        mode, code, ref = dialog.mode, dialog.plan_code, dialog.ref

        def work() -> passes.PassResult:
            if mode == "sell":
                return passes.sell(self.ctx, customer_id, code, ref)
            if mode == "pause":
                return passes.pause(self.ctx, customer_id, code)
            if mode == "resume":
                return passes.resume(self.ctx, customer_id, code)
            return passes.cancel(self.ctx, customer_id, code, ref)

        def done(result: passes.PassResult) -> None:
            plan = result.view.plan_name
            if result.action == "sold":
                text = t("done.pass_sold", plan=plan, price=won(result.view.price))
            elif result.action == "paused":
                text = t("done.pass_paused", plan=plan)
            elif result.action == "resumed":
                text = t("done.pass_resumed", plan=plan, day=result.view.end.isoformat())
            elif result.refund:
                text = t("done.pass_cancelled_refund", plan=plan, won=won(result.refund))
            else:
                text = t("done.pass_cancelled", plan=plan)
            if isValid(dialog) and dialog.isVisible():  # (closed meanwhile: already gone)
                dialog.accept()
            if settings.setting(self.ctx, "auto_print_slip"):  # the slip made on the runner
                self._deliver(
                    lambda: slips.render_slip(self.ctx, passes.pass_slip(self.ctx, result)), True
                )
            self._say(text)  # not the toast: its undo is for sales and redemptions
            self.action_done.emit(text)
            self._load_passes(self.status)

        def failed(error: BaseException) -> None:
            shown = isValid(dialog) and dialog.isVisible()
            if isinstance(error, Refused) and shown:
                dialog.show_refusal(error)
                return
            if shown:
                dialog.reject()
            self._failed(error)

        self.runner.run(work, done, failed)

    def refresh(self, after: Callable[[], None] | None = None) -> None:
        if self.status is None:
            return
        customer_id = self.status.id

        def done(status: CustomerStatus) -> None:
            self.show_status(status)
            if after:
                after()

        self.runner.run(
            lambda: customers.customer_status(self.ctx, customer_id), done, self._failed
        )

    def clear(self) -> None:
        self.search.clear()
        self._hide_matches()
        self.enroll_offer.hide()
        self._say("")
        self.show_status(None)
        self.focus_search()

    def _update_buttons(self) -> None:
        has = self.status is not None
        for key in ("sale", "redeem", "stamps", "coupon", "wallet"):
            self.buttons[key].setEnabled(has)
        reason = ""
        if has and self.status is not None:
            self.buttons["stamps"].setEnabled(self.status.rewards_ready > 0)
            self.buttons["coupon"].setEnabled(bool(self.status.coupons))
            rules = self.program.points
            if max_redeemable(self.status.points, rules) <= 0:
                self.buttons["redeem"].setEnabled(False)
                reason = t(
                    "redeem.button_reason",
                    minimum=f"{rules.min_redeem:,}",
                    points=f"{self.status.points:,}",
                )
        self.redeem_reason.setText(reason)
        self.redeem_reason.setVisible(bool(reason))
        self.buttons["redeem"].setToolTip(reason)
        self.buttons["stamps"].setVisible(self.program.stamps.enabled)
        self.buttons["void"].setEnabled(self.last_action is not None)
        self.buttons["print"].setEnabled(self.last_action is not None)
        self.add_wallet_button.setEnabled(has)
        self.add_wallet_button.setVisible(bool(self.ctx.settings.get("mobile_wallet.google")))

    # --- actions ------------------------------------------------------------------

    def _open(self, dialog: QDialog, on_accept: Callable[[], None]) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None
        # back to the counter, ready to type (some window managers leave the focus nowhere)
        self.window().activateWindow()
        self.focus_search()

    def _preview(self, amount: int, items: int) -> tuple[int, int]:
        tier = self.status.tier if self.status else "BASIC"
        program = self.program
        if self.status is not None and self.status.offers:  # the member's experiment campaigns
            program = replace(program, campaigns=program.campaigns + self.status.offers)
        earning = compute_earning(
            program,
            amount=amount,
            items=items,
            tier_code=tier,
            local_time=self.ctx.local(self.ctx.now()),
        )
        return earning.total_points, earning.stamps

    def open_sale(self) -> None:
        if self.status is None or self.dialog is not None:
            return
        partner = (
            self.partner if self.partner and self.partner.customer_id == self.status.id else None
        )
        dialog = SaleDialog(
            self.program,
            self.status.tier,
            self,
            preview=self._preview,
            partner=(partner.coalition, partner.balance) if partner else None,
        )
        self._open(
            dialog,
            lambda: self.record_sale(dialog.amount, dialog.items.value(), dialog.partner_spend),
        )

    def record_sale(self, amount: int, items: int = 1, partner_spend: int = 0) -> None:
        assert self.status is not None
        customer_id = self.status.id
        with_slip = bool(settings.setting(self.ctx, "auto_print_slip"))
        self.runner.run(
            lambda: sales.record_sale(
                self.ctx,
                customer_id,
                amount,
                items,
                with_slip=with_slip,
                partner_spend=partner_spend,
            ),
            self._sale_done,
            self._failed,
        )

    def _sale_done(self, result: sales.SaleResult) -> None:
        points = f"{result.points_earned:,}"
        if self.program.stamps.enabled:
            n = result.stamps_on_card
            text = t("done.sale", points=points, n=n, goal=result.stamp_goal)
        else:
            text = t("done.sale_points", points=points)
        if result.promoted_from:
            text += t("done.promoted", tier=self.program.tier(result.tier).name)
        part = result.partner
        if part is not None:
            text += t(
                "done.partner",
                earned=f"{part.earned:,}",
                spent=f"{part.spent:,}",
                balance=f"{part.balance:,}",
            )
            self._show_partner(
                partners.PartnerStanding(result.customer_id, part.coalition, part.balance)
            )
            self.push_partner()
        self._done(str(result.sale_id), text, result.status, result.slip)
        self.sale_done.emit(result)

    # --- the coalition's partner points (a shop in a 골목 제휴) ---------------------------

    def _read_partner(self, status: CustomerStatus | None) -> None:
        if status is None or status.id != getattr(self.partner, "customer_id", None):
            self._show_partner(None)
        if status is None or not self.ctx.settings.get(partners.USED):
            return
        customer_id = status.id
        self.runner.run(
            lambda: partners.standing(self.ctx, customer_id),
            lambda found: self._show_partner(found, customer_id),
            self._failed,
        )

    def _show_partner(
        self, found: partners.PartnerStanding | None, of: uuid.UUID | None = None
    ) -> None:
        if of is not None and (self.status is None or self.status.id != of):
            return  # another member is shown by now
        self.partner = found
        self.panel.show_partner(found.coalition if found else None, found.balance if found else 0)

    def push_partner(self) -> None:
        """The queued partner entries sent on a runner of their own: the counter never waits
        on the central database (unreachable: they stay queued for the next push)."""
        if self._partner_push is None:
            self._partner_push = ServiceRunner(self)
        self._partner_push.run(lambda: partners.push(self.ctx), None, lambda _error: None)

    # --- the wallet (적립금, 선불): only a program with a cashback section -------------

    def _read_wallet(self, status: CustomerStatus | None) -> None:
        self.wallet = None
        self.panel.show_wallet(None)
        if status is None or self.program.cashback is None:
            return
        customer_id = status.id

        def shown(found: wallet.WalletStatus) -> None:
            if self.status is not None and self.status.id == found.customer_id:
                self.wallet = found
                self.panel.show_wallet(found)

        self.runner.run(lambda: wallet.wallet_status(self.ctx, customer_id), shown, self._failed)

    def open_wallet(self) -> None:
        rules = self.program.cashback
        if self.status is None or self.dialog is not None or rules is None:
            return
        if self.wallet is None or self.wallet.customer_id != self.status.id:
            return  # still being read: F10 again in a moment
        dialog = WalletDialog(rules, self.wallet, self)
        self._open(dialog, lambda: self.wallet_action(dialog.kind, dialog.won, dialog))

    def wallet_action(self, kind: str, amount: int, dialog: WalletDialog | None = None) -> None:
        assert self.status is not None
        customer_id = self.status.id
        ref, method = (dialog.ref, dialog.method) if dialog and kind == "topup" else ("", "")

        def work() -> wallet.WalletResult:
            if kind == "topup":
                return wallet.topup(self.ctx, customer_id, amount, ref, method)
            return wallet.spend(self.ctx, customer_id, amount)

        def done(result: wallet.WalletResult) -> None:
            self.wallet = result.wallet
            self.panel.show_wallet(result.wallet)
            said = {"won": won(result.won), "balance": won(result.wallet.total)}
            if result.kind == "topup":
                text = t("done.wallet_topup", **said)
            else:
                text = t("done.wallet_spend", **said)
            self.toast.setText(text)
            self.undo.hide()  # F8 undoes sales and redemptions, not this (it is not last_action)
            self.toast_box.show()
            self._toast_timer.start()
            self._say("")
            self.action_done.emit(text)

        self.runner.run(work, done, self._failed)

    # --- the POS bridge -------------------------------------------------------------

    def show_pending(self, pending: list[pos.PosSaleView]) -> None:
        """The POS's sales waiting for a member (from the window's PosWatcher)."""
        self.pos_strip.show_pending(pending)

    def show_negative_refund(self, refund: object) -> None:
        from app.services.pos_watch import NegativeRefund

        assert isinstance(refund, NegativeRefund)
        self.pos_alert.add(refund)
        if self.status is not None and self.status.id == refund.customer_id:
            self.refresh()  # the member on screen: their balance as it is now

    def attach_first_pending(self) -> None:
        """F7: the oldest pending POS sale to the member on screen."""
        ref = self.pos_strip.first_ref()
        if ref is not None:
            self.attach_pending(ref)

    def attach_pending(self, ref: str) -> None:
        """A pending POS sale to the member on screen, shown like a sale typed here."""
        if self.dialog is not None:
            return
        if self.status is None:
            self._say(t("pos.find_first"), error=True)
            self.focus_search()
            return
        customer_id = self.status.id

        def done(result: pos.PostResult) -> None:
            self.pos_strip.drop(ref)
            self.pending_attached.emit(ref)
            if result.sale is not None:
                self._sale_done(result.sale)

        def failed(error: BaseException) -> None:
            self.pending_attached.emit(ref)  # lapsed or cancelled meanwhile: look again
            self._failed(error)

        self.runner.run(lambda: pos.attach_customer(self.ctx, ref, customer_id), done, failed)
        self.focus_search()

    def open_redeem(self) -> None:
        if self.status is None or self.dialog is not None:
            return
        if not self.buttons["redeem"].isEnabled():  # F3 below the minimum: the reason, no dialog
            self._say(self.redeem_reason.text(), error=True)
            return
        dialog = RedeemDialog(self.program, self.status.points, self)
        self._open(dialog, lambda: self.redeem_points(dialog.points))

    def redeem_points(self, points: int) -> None:
        assert self.status is not None
        customer_id = self.status.id
        self.runner.run(
            lambda: redemptions.redeem_points(self.ctx, customer_id, points),
            lambda r: self._done(
                str(r.redemption_id),
                t("done.redeem", points=f"{r.points_used:,}", balance=f"{r.points:,}"),
                r.status,
            ),
            self._failed,
        )

    def redeem_stamps(self) -> None:
        """F4: the stamp reward, after the cashier says yes (it takes the stamps off the card)."""
        if self.status is None or self.dialog is not None:
            return
        if self.status.rewards_ready <= 0:
            self._say(
                t(
                    "redeem.stamps_insufficient",
                    balance=self.status.stamps,
                    goal=self.status.stamp_goal,
                ),
                error=True,
            )
            return
        customer_id = self.status.id
        self.dialog = self.dialogs.confirm(
            self,
            t("stamps.confirm_title"),
            t(
                "stamps.confirm",
                reward=self.program.stamps.reward,
                goal=self.status.stamp_goal,
            ),
            t("stamps.confirm_accept"),
            t("dialog.close"),
            lambda: self._after_confirm(lambda: self._redeem_stamps(customer_id)),
            self._dialog_closed,
            name="stampsConfirm",
            accept_is_default=True,
        )

    def _after_confirm(self, then: Callable[[], None]) -> None:
        self._dialog_closed()
        then()

    def _redeem_stamps(self, customer_id: uuid.UUID) -> None:
        self.runner.run(
            lambda: redemptions.redeem_stamps(self.ctx, customer_id),
            lambda r: self._done(str(r.redemption_id), t("done.stamps", reward=r.reward), r.status),
            self._failed,
        )

    def open_coupon(self) -> None:
        if self.status is None or not self.status.coupons or self.dialog is not None:
            return
        dialog = CouponDialog(self.status.coupons, self, zone=self.ctx.zone)
        self._open(dialog, lambda: self.use_coupon(dialog.code))

    def use_coupon(self, code: str) -> None:
        assert self.status is not None
        customer_id = self.status.id
        coupon = next((c for c in self.status.coupons if c.code == code), None)
        self.runner.run(
            lambda: redemptions.redeem_coupon(self.ctx, customer_id, code),
            lambda r: self._done(str(r.redemption_id), coupon_done_text(code, coupon), r.status),
            self._failed,
        )

    def void_last(self) -> None:
        if self.last_action is None:
            self._say(t("void.nothing"), error=True)
            return
        if self.dialog is not None:
            return
        action_id, what = self.last_action
        # the buttons say what they do: "거래 취소" voids, "닫기" leaves it as it is
        self.dialog = self.dialogs.confirm(
            self,
            t("void.title"),
            t("void.question", what=what),
            t("void.confirm_accept"),
            t("dialog.close"),
            lambda: self._after_confirm(lambda: self._void(action_id)),
            self._dialog_closed,
            name="voidConfirm",
        )

    def _void(self, action_id: str) -> None:
        def done(result: sales.VoidResult) -> None:
            self.last_action = None
            self._hide_toast()
            self._say(t("done.void", points=result.points_change, stamps=result.stamps_change))
            if result.partner is not None:
                self.push_partner()  # the panel's partner line is read again with the status
            self.action_done.emit(self.message.text())
            self._show_after(result.status)

        self.runner.run(lambda: sales.void_action(self.ctx, action_id), done, self._failed)

    def open_enroll(self) -> None:
        if self.dialog is not None:
            return
        text = self.search.text().strip()
        phone = text if classify_query(text).kind == "phone" else ""
        dialog = EnrollDialog(
            phone,
            settings.setting(self.ctx, "consent_program_text"),
            settings.setting(self.ctx, "consent_marketing_text"),
            bool(self.ctx.settings.get("allow_landline")),
            self,
            today=self.ctx.local_date(self.ctx.now()),
        )
        self._open(dialog, lambda: self.enroll(dialog))

    def enroll(self, dialog: EnrollDialog) -> None:
        phone, name = dialog.phone_edit.text(), dialog.name_edit.text() or None
        birthday = dialog.birthday_edit.text().strip() or None
        marketing = dialog.marketing_consent.isChecked()

        def done(result: customers.Enrollment) -> None:
            self.enroll_offer.hide()
            self.search.setText(result.phone_masked)
            self.show_status(result.status)
            self._say(t("done.enroll", phone=result.phone_masked))
            self.action_done.emit(self.message.text())

        self.runner.run(
            lambda: customers.enroll(
                self.ctx, phone, name=name, birthday=birthday, marketing_consent=marketing
            ),
            done,
            self._failed,
        )

    def reveal_phone(self) -> None:
        """번호 보기; once shown the same button hides it again (번호 숨기기)."""
        if self.status is None:
            return
        if self.panel.revealed:
            self.panel.hide_full_phone()
            return
        customer_id = self.status.id
        if self.ctx.staff_role == "owner":
            self._reveal(customer_id, None)
            return
        dialog = PinDialog(t("signin.owner_pin"), self)
        self._open(dialog, lambda: self._reveal(customer_id, dialog.pin))

    def _reveal(self, customer_id: uuid.UUID, pin: str | None) -> None:
        self.runner.run(
            lambda: staff.reveal_phone(self.ctx, customer_id, pin),
            self.panel.show_full_phone,
            self._failed,
        )

    def add_to_wallet(self) -> None:
        """지갑에 추가: the member's "Save to Google Wallet" link (signed here, no network),
        shown as a QR code on the customer's screen; their card is queued for Google."""
        if self.status is None:
            return
        from app.services import mobile_wallet

        customer_id = self.status.id

        def done(link: mobile_wallet.GoogleLink) -> None:
            self.wallet_link.emit(link.url)
            self._say(t("counter.wallet_shown"))

        self.runner.run(
            lambda: mobile_wallet.google_link(self.ctx, customer_id), done, self._failed
        )

    # --- feedback -----------------------------------------------------------------

    def print_slip(self, *, automatic: bool = False) -> None:
        """The slip of the last action: a preview to print from, or straight out when automatic."""
        if self.last_action is None:
            self._say(t("void.nothing"), error=True)
            return
        action_id = self.last_action[0]
        self._deliver(lambda: slips.render_action_slip(self.ctx, action_id), automatic)

    def _deliver(
        self, render: Callable[[], tuple[bytes, PrinterSettings]], automatic: bool
    ) -> None:
        self.runner.run(
            render,
            lambda made: self.slip_printer.deliver(made[0], made[1], automatic=automatic),
            self._failed,
        )

    def _done(
        self,
        action_id: str,
        text: str,
        status: CustomerStatus | None = None,
        slip: SlipData | None = None,
    ) -> None:
        """After an action: what it returned is shown (and printed); nothing is read again."""
        self.last_action = (action_id, text)
        if settings.setting(self.ctx, "auto_print_slip"):
            if slip is not None:
                self._deliver(lambda: slips.render_slip(self.ctx, slip), True)
            else:
                self.print_slip(automatic=True)
        self.toast.setText(text)
        self.undo.show()
        self.toast_box.show()
        self._toast_timer.start()
        self._say("")
        self.action_done.emit(text)
        self._show_after(status)

    def _show_after(self, status: CustomerStatus | None) -> None:
        """The status an action returned, or (an older caller) read again."""
        if status is not None:
            self.show_status(status)
        else:
            self.refresh()

    def _hide_toast(self) -> None:
        self.toast_box.hide()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, Refused):
            self._say(refusal(error), error=True)
        else:
            self._say(t("error.unexpected", error=type(error).__name__), error=True)
            import logging

            logging.getLogger("dangol").exception("counter action failed", exc_info=error)
        self._update_buttons()

    def control_rects(self) -> list[QRect]:
        """Global rectangles of the counter's controls: search, messages, every action button,
        the list of matches, and the band at the bottom where the toast and its undo appear."""
        widgets: list[QWidget] = [self.search, self.hint, self.message, self.enroll_offer]
        widgets += list(self.buttons.values())
        widgets += [self.pos_alert, self.pos_strip]
        widgets += [b for b in (self.panel.reveal, self.add_wallet_button) if b.isVisible()]
        rects = [QRect(w.mapToGlobal(QPoint(0, 0)), w.size()) for w in widgets if w.isVisible()]
        if self.matches.isVisible():
            rects.append(QRect(self.matches.mapToGlobal(QPoint(0, 0)), self.matches.size()))
        band = max(self.toast_box.sizeHint().height(), 64) + 12
        bottom_left = self.mapToGlobal(QPoint(0, self.height() - band))
        rects.append(QRect(bottom_left.x(), bottom_left.y(), self.width(), band))
        return rects

    def current(self) -> dict[str, Any]:
        """For tests and the customer display: what the screen shows now."""
        return {
            "status": self.status,
            "message": self.message.text(),
            "toast": self.toast.text() if self.toast_box.isVisible() else "",
        }


def counter_hint(program: Program) -> str:
    """The key hint under the search box: F10 with a wallet, F11 and F12 with plans."""
    text = t("search.hint")
    if program.cashback is not None:
        text += t("search.hint_wallet")
    if program.passes:
        text += t("search.hint_passes")
    return text


def member_label(status: CustomerStatus | None) -> str | None:
    """How the POS strip names the member on screen (as the panel does), else the number."""
    if status is None:
        return None
    return status.name or status.phone_masked or t("cust.no_name")


def coupon_done_text(code: str, coupon: CouponView | None) -> str:
    """After a coupon: which one, and what the cashier takes off the bill ("3,000원 할인하세요")."""
    text = t("done.coupon", code=code)
    if coupon is None:
        return text
    if coupon.kind in ("amount", "percent"):
        return text + " · " + t("coupon.take_off", off=coupon_value_text(coupon.kind, coupon.value))
    return text + " · " + t("coupon.hand_over")
