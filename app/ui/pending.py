"""The POS at the counter: sales waiting for a member, and refunds that left a balance below zero.

``PosWatcher`` asks the database every couple of seconds through a ``ServiceRunner`` of its
own (so the cashier's actions never queue behind it and the "busy" sign does not flicker),
one short read (``pos_watch.counter_watch``). ``PendingStrip`` shows each pending sale as a
touch-sized button ("POS 12,000원 — 회원을 찾아 적립"); with a member on screen one press (or
F7 for the oldest) attaches it. ``RefundAlert`` names the member (masked) whose balance a POS
refund took below zero, until the cashier presses 확인.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import pos_watch
from app.services.context import Context
from app.services.pos import PosSaleView
from app.services.pos_watch import CounterWatch, NegativeRefund
from app.ui.tasks import ServiceRunner
from app.ui.text import t, tn, won

POLL_MS = 2000
SHOWN = 2  # buttons at most (a 600-px screen keeps room for the member); the rest counted
# a refund's clock is read before its transaction commits: look back this far, keep what was shown
LOOK_BACK = timedelta(minutes=2)
ATTACH_KEY = "F7"

_STYLE = """
QWidget#posPending { background: #e7f5ff; border: 1px solid #74c0fc; border-radius: 10px; }
QLabel#posPendingTitle { color: #1864ab; font-size: 14px; font-weight: bold; }
QPushButton#posPendingSale { font-size: 18px; text-align: left; padding: 8px 12px;
    background: white; border: 1px solid #74c0fc; }
QPushButton#posPendingSale[ready="true"] { background: #1c7ed6; color: white; border: none;
    font-weight: bold; }
QLabel#posPendingMore { color: #1864ab; font-size: 14px; }
QWidget#posRefundAlert { background: #c92a2a; border-radius: 10px; }
QLabel#posRefundText { color: white; font-size: 18px; font-weight: bold; padding: 4px; }
QPushButton#posRefundOk { background: white; color: #c92a2a; font-weight: bold; }
"""


class PendingStrip(QWidget):
    """One button a pending POS sale; pressing it asks to attach that sale to the member shown."""

    attach_requested = Signal(str)  # the POS ref

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("posPending")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.pending: list[PosSaleView] = []
        self.member: str | None = None  # how the member on screen is named, None: nobody
        self.zone: tzinfo | None = None  # the shop's zone for the times shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        self.title = QLabel(objectName="posPendingTitle")
        self.more = QLabel(objectName="posPendingMore")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.more)
        layout.addLayout(head)
        self.buttons: list[QPushButton] = []
        for _ in range(SHOWN):
            button = QPushButton(objectName="posPendingSale")
            button.setMinimumHeight(52)  # a finger's target
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search field keeps the keys
            button.clicked.connect(self._clicked)
            button.hide()
            self.buttons.append(button)
            layout.addWidget(button)
        self.hide()

    def show_pending(self, pending: list[PosSaleView]) -> None:
        self.pending = list(pending)
        self._render()

    def set_member(self, name: str | None) -> None:
        self.member = name
        self._render()

    def drop(self, ref: str) -> None:
        """Attached here: gone from the strip at once (the next look agrees)."""
        self.show_pending([p for p in self.pending if p.ref != ref])

    def first_ref(self) -> str | None:
        return self.pending[0].ref if self.pending else None

    def texts(self) -> list[str]:
        return [b.text() for b in self.buttons if not b.isHidden()]

    def _render(self) -> None:
        n = len(self.pending)
        self.title.setText(tn("pos.pending_title", "pos.pending_title_plural", n))
        for index, button in enumerate(self.buttons):
            if index >= len(self.pending):
                button.hide()
                continue
            sale = self.pending[index]
            button.setProperty("ref", sale.ref)
            button.setText(self._text(sale, first=index == 0))
            button.setProperty("ready", self.member is not None)
            button.style().unpolish(button)
            button.style().polish(button)
            button.show()
        extra = len(self.pending) - SHOWN
        self.more.setText(t("pos.pending_more", n=extra) if extra > 0 else "")
        self.more.setVisible(extra > 0)
        self.setVisible(bool(self.pending))

    def _text(self, sale: PosSaleView, *, first: bool) -> str:
        at = sale.received_at.astimezone(self.zone) if self.zone else sale.received_at
        amount, time = won(sale.amount), f"{at:%H:%M}"
        if self.member is None:
            return t("pos.pending_find", amount=amount, time=time)
        text = t("pos.pending_attach", amount=amount, time=time, name=self.member)
        return f"{text} · {ATTACH_KEY}" if first else text

    def _clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.attach_requested.emit(str(button.property("ref")))


class RefundAlert(QWidget):
    """A POS refund took a member below zero: said in red until the cashier presses 확인."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("posRefundAlert")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_STYLE)
        self.refunds: list[NegativeRefund] = []  # shown until 확인, the newest three
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel(objectName="posRefundText", wordWrap=True)
        self.ok = QPushButton(t("pos.refund_ok"), objectName="posRefundOk")
        self.ok.setMinimumSize(96, 48)
        self.ok.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ok.clicked.connect(self.dismiss)
        row.addWidget(self.text, 1)
        row.addWidget(self.ok)
        self.hide()

    def add(self, refund: NegativeRefund) -> None:
        self.refunds = [*self.refunds, refund][-3:]
        self.text.setText("\n".join(negative_refund_text(r) for r in self.refunds))
        self.show()

    def dismiss(self) -> None:
        self.refunds = []
        self.text.setText("")
        self.hide()


def negative_refund_text(refund: NegativeRefund) -> str:
    who = " ".join(p for p in (refund.name_masked, refund.phone_masked) if p) or t("cust.no_name")
    return t(
        "pos.refund_negative",
        who=who,
        amount=won(refund.amount),
        points=f"{refund.points:,}",
    )


class PosWatcher(QObject):
    """Looks for pending sales and refunds below zero every POLL_MS; one look at a time."""

    pending_changed = Signal(object)  # list[PosSaleView]
    negative_refund = Signal(object)  # NegativeRefund, each once
    checked_in = Signal(object)  # CheckInView made after the watch started, each once

    def __init__(self, ctx: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = ServiceRunner(self)
        self.pending: list[PosSaleView] = []
        self.since: datetime = ctx.now() - LOOK_BACK
        self.started: datetime = ctx.now()  # check-ins before the counter was up are not news
        self.shown: set[object] = set()
        self.looking = False
        self.timer = QTimer(self, interval=POLL_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.poll()

    def stop(self) -> None:
        self.timer.stop()
        self.runner.stop()

    def poll(self) -> None:
        if self.looking:  # the last look has not answered yet: no queue of looks
            return
        self.looking = True
        ctx, since = self.ctx, self.since
        self.runner.run(lambda: pos_watch.counter_watch(ctx, since), self._seen, self._failed)

    def _seen(self, watch: CounterWatch) -> None:
        self.looking = False
        self.since = watch.checked_at - LOOK_BACK
        if [p.ref for p in watch.pending] != [p.ref for p in self.pending]:
            self.pending = watch.pending
            self.pending_changed.emit(self.pending)
        for refund in watch.negative_refunds:
            if refund.refund_id not in self.shown:
                self.shown.add(refund.refund_id)
                self.negative_refund.emit(refund)
        for seen in watch.checkins:
            if seen.id not in self.shown and seen.at >= self.started:
                self.shown.add(seen.id)
                self.checked_in.emit(seen)

    def _failed(self, error: BaseException) -> None:
        # a busy or locked database: the next look tries again; the counter goes on
        self.looking = False
        import logging

        logging.getLogger("dangol").warning("POS watch: %s", error)
