"""The customer panel: who it is, tier progress, points, the stamp card, coupons, visits."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import codes
from app.services.customers import CouponView, CustomerStatus, last_valid_day
from app.services.passes import PassView
from app.services.wallet import WalletStatus
from app.ui.icons import IconLabel
from app.ui.text import language, t, tn, won

TIER_COLOURS = {"BASIC": "#8a8f98", "SILVER": "#7b8ca3", "GOLD": "#c99a2e", "PLATINUM": "#5b4b8a"}


class StampCard(QWidget):
    """N of goal stamps drawn as filled and empty circles, in rows of five (centred if asked)."""

    def __init__(self, parent: QWidget | None = None, *, centred: bool = False) -> None:
        super().__init__(parent)
        self.filled, self.goal = 0, 10
        self.centred = centred
        self.setMinimumHeight(84)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_stamps(self, filled: int, goal: int) -> None:
        self.filled, self.goal = filled, max(1, goal)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 84)

    def grid_rect(self) -> QRectF:
        """Where the circles are drawn (the tests check the grid is centred)."""
        per_row = min(self.goal, 5 if self.goal <= 10 else 10)
        rows = -(-self.goal // per_row)
        size = min((self.width() - 8) / per_row, (self.height() - 4) / rows) - 6
        width, height = per_row * (size + 6) - 6, rows * (size + 6) - 6
        if self.centred:
            return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
        return QRectF(4, 2, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        per_row = min(self.goal, 5 if self.goal <= 10 else 10)
        rows = -(-self.goal // per_row)
        size = min((self.width() - 8) / per_row, (self.height() - 4) / rows) - 6
        left, top = 4.0, 2.0
        if self.centred:  # the grid in the middle of the widget, as the texts around it
            left = (self.width() - (per_row * (size + 6) - 6)) / 2
            top = (self.height() - (rows * (size + 6) - 6)) / 2
        for i in range(self.goal):
            row, col = divmod(i, per_row)
            rect = QRectF(left + col * (size + 6), top + row * (size + 6), size, size)
            if i < self.filled:
                painter.setBrush(QColor("#d9480f"))
                painter.setPen(QPen(QColor("#d9480f"), 2))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor("#c8c8c8"), 2, Qt.PenStyle.DashLine))
            painter.drawEllipse(rect)
        painter.end()


class CustomerPanel(QFrame):
    """Shows one CustomerStatus; never the full phone number unless an owner revealed it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerPanel")
        self.status: CustomerStatus | None = None
        self.revealed = False
        self.name = QLabel(objectName="customerName")
        self.phone = QLabel(objectName="customerPhone")
        self.reveal = QPushButton(t("action.reveal"), objectName="revealButton")
        self.reveal.setMinimumHeight(44)
        self.reveal.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # 지갑에 추가 (Google Wallet set up): a rare action, beside the member's number; the
        # counter wires it and shows it (a ninth button in the action column did not fit 600 px)
        self.add_wallet = QPushButton(t("action.add_to_wallet"), objectName="addToWalletButton")
        self.add_wallet.setMinimumHeight(44)
        self.add_wallet.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.add_wallet.hide()
        self.tier = QLabel(objectName="tierBadge")
        self.birthday = IconLabel("cake", t("panel.birthday"), objectName="birthday")
        # a stamp reward waiting: a banner the cashier cannot miss
        self.reward_banner = QLabel(objectName="rewardBanner")
        self.reward_banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reward_banner.hide()
        self.progress = QProgressBar(objectName="tierProgress")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.next_tier = QLabel(objectName="nextTier")
        self.points = QLabel(objectName="points")
        self.expiring = QLabel(objectName="expiring")
        self.stamp_label = QLabel(objectName="stampLabel")
        self.stamps = StampCard()
        self.coupons = QLabel(objectName="coupons")
        self.coupons.setWordWrap(True)
        self.visits = QLabel(objectName="visits")
        # the member's subscription passes (구독권) and today's use, with the use key (F11)
        self.pass_title = QLabel(t("panel.passes"), objectName="sectionTitle")
        self.passes = QLabel(objectName="passes")
        self.passes.setWordWrap(True)
        self.pass_use = QPushButton(t("panel.pass_use"), objectName="passUseButton")
        self.pass_use.setMinimumHeight(44)
        self.pass_use.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # 구독권 F12: sell a plan, pause / resume / cancel a pass (a program with plans)
        passes_label = t("action.passes")
        self.pass_desk = QPushButton(f"{passes_label}  F12", objectName="passDeskButton")
        self.pass_desk.setMinimumHeight(44)
        self.pass_desk.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sells_passes = False
        self.pass_row = QWidget()
        pass_row = QHBoxLayout(self.pass_row)
        pass_row.setContentsMargins(0, 0, 0, 0)
        pass_row.addWidget(self.pass_use)
        pass_row.addWidget(self.pass_desk)
        pass_row.addStretch(1)
        self.pass_views: list[PassView] = []
        # the wallet (a program with cashback): shown by show_wallet, hidden otherwise
        self.wallet_title = QLabel(t("panel.wallet"), objectName="sectionTitle")
        self.wallet = QLabel(objectName="wallet")
        self.wallet_button = QPushButton(f"{t('action.wallet')}  F10", objectName="walletButton")
        self.wallet_button.setMinimumHeight(44)
        self.wallet_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.wallet_row = QWidget()
        wallet_row = QHBoxLayout(self.wallet_row)
        wallet_row.setContentsMargins(0, 0, 0, 0)
        wallet_row.addWidget(self.wallet)
        wallet_row.addSpacing(12)
        wallet_row.addWidget(self.wallet_button)
        wallet_row.addStretch(1)
        self.wallet_title.hide()
        self.wallet_row.hide()
        # the coalition's partner points (a shop in one, a consenting member): show_partner
        self.partner = QLabel(objectName="partnerPoints")
        self.partner.hide()
        self.empty = QLabel(t("panel.empty"), objectName="panelEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(self.name)
        head.addWidget(self.tier)
        head.addStretch(1)
        head.addWidget(self.birthday)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone)
        phone_row.addWidget(self.reveal)
        phone_row.addWidget(self.add_wallet)
        phone_row.addStretch(1)
        points_row = QHBoxLayout()
        points_row.addWidget(self.points)
        points_row.addSpacing(12)
        points_row.addWidget(self.expiring)
        points_row.addStretch(1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(head)
        body.addWidget(self.reward_banner)
        body.addLayout(phone_row)
        body.addWidget(self.progress)
        body.addWidget(self.next_tier)
        body.addSpacing(8)
        body.addWidget(QLabel(t("panel.points"), objectName="sectionTitle"))
        body.addLayout(points_row)
        body.addWidget(self.wallet_title)
        body.addWidget(self.wallet_row)
        body.addWidget(self.partner)
        body.addSpacing(8)
        body.addWidget(self.stamp_label)
        body.addWidget(self.stamps)
        body.addWidget(self.pass_title)
        body.addWidget(self.passes)
        body.addWidget(self.pass_row)
        body.addWidget(QLabel(t("panel.coupons"), objectName="sectionTitle"))
        body.addWidget(self.coupons)
        body.addWidget(QLabel(t("panel.visits"), objectName="sectionTitle"))
        body.addWidget(self.visits)
        body.addStretch(1)

        # on a small screen (1024×600) the panel scrolls instead of pushing the window taller
        self.scroller = QScrollArea(objectName="panelScroll")
        self.scroller.setWidget(self.body)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.viewport().setAutoFillBackground(False)
        self.body.setAutoFillBackground(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroller)
        self.show_status(None)
        self.show_passes([])

    def show_passes(self, views: list[PassView]) -> None:
        """The member's open passes: each with its period and today's uses; the use key is on
        while one of them has a use left today."""
        self.pass_views = list(views)
        for widget in (self.passes, self.pass_use):
            widget.setVisible(bool(views))
        for widget in (self.pass_title, self.pass_row):
            widget.setVisible(bool(views) or self.sells_passes)
        self.pass_desk.setVisible(self.sells_passes)
        self.passes.setText("\n".join(f"• {pass_line(v)}" for v in views))
        usable = usable_pass(views)
        self.pass_use.setEnabled(usable is not None)
        self.pass_use.setText(
            t("panel.pass_use_plan", plan=usable.plan_name) if usable else t("panel.pass_use")
        )

    def set_sells_passes(self, sells: bool) -> None:
        """The program has plans: the pass section (with 구독권 F12) shows even without one."""
        self.sells_passes = sells
        self.show_passes(self.pass_views)

    def show_status(
        self, status: CustomerStatus | None, *, zone=None, next_tier_name: str | None = None
    ) -> None:
        self.status = status
        self.empty.setVisible(status is None)
        self.scroller.setVisible(status is not None)
        self.revealed = False
        self.reveal.setText(t("action.reveal"))
        if status is None:
            self.reward_banner.hide()
            return
        self.name.setText(status.name or t("cust.no_name"))
        self.phone.setText(status.phone_masked or "")
        ready = status.rewards_ready if status.stamps_enabled else 0
        self.reward_banner.setText(
            tn("panel.reward_banner", "panel.reward_banner_plural", ready) if ready else ""
        )
        self.reward_banner.setVisible(ready > 0)
        colour = TIER_COLOURS.get(status.tier, "#555")
        self.tier.setText(status.tier_name)
        self.tier.setStyleSheet(
            f"background:{colour}; color:white; border-radius:10px; padding:2px 10px;"
        )
        self.birthday.setVisible(status.birthday_month)
        if status.next_tier:
            need = status.window_spend + status.to_next_tier
            self.progress.setRange(0, max(1, need))
            self.progress.setValue(min(status.window_spend, need))
            self.next_tier.setText(
                t(
                    "panel.next_tier",
                    tier=next_tier_name or status.next_tier,
                    won=won(status.to_next_tier),
                )
            )
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.next_tier.setText(t("panel.top_tier"))
        self.points.setText(f"{status.points:,}P")
        self.expiring.setText(
            t("panel.expiring", points=f"{status.points_expiring_30d:,}P")
            if status.points_expiring_30d
            else ""
        )
        on_card = status.stamps_on_card
        label = t("panel.stamps", n=on_card, goal=status.stamp_goal)
        if status.rewards_ready:
            label += "  ·  " + tn("panel.rewards", "panel.rewards_plural", status.rewards_ready)
        self.stamp_label.setText(label)
        self.stamps.set_stamps(on_card, status.stamp_goal)
        self.stamp_label.setVisible(status.stamps_enabled)
        self.stamps.setVisible(status.stamps_enabled)
        self.coupons.setText(
            "\n".join(f"• {coupon_line(c, zone)}" for c in status.coupons) or t("panel.no_coupons")
        )
        self.visits.setText(
            "\n".join(
                f"{(at.astimezone(zone) if zone else at):%m/%d %H:%M}  {won(amount)}"
                for at, amount in status.last_visits
            )
            or t("panel.no_visits")
        )

    def show_wallet(self, status: WalletStatus | None) -> None:
        """The member's cashback and prepaid balances; None hides the section (no wallet)."""
        self.wallet_title.setVisible(status is not None)
        self.wallet_row.setVisible(status is not None)
        if status is None:
            self.wallet.setText("")
            return
        self.wallet.setText(wallet_line(status))

    def show_partner(self, coalition: str | None, balance: int = 0) -> None:
        """ "골목 제휴 포인트 1,200P"; None hides it (no coalition, or no consent)."""
        self.partner.setVisible(coalition is not None)
        self.partner.setText(
            ""
            if coalition is None
            else t("panel.partner", coalition=coalition, points=f"{balance:,}")
        )

    def show_full_phone(self, phone: str) -> None:
        self.phone.setText(t("panel.full_phone", phone=phone))
        self.revealed = True
        self.reveal.setText(t("action.hide_phone"))

    def hide_full_phone(self) -> None:
        self.phone.setText(self.status.phone_masked or "" if self.status else "")
        self.revealed = False
        self.reveal.setText(t("action.reveal"))


def wallet_line(status: WalletStatus) -> str:
    """ "적립금 1,950원 · 선불 6,000원", and what of the cashback expires within 30 days."""
    line = t("wallet.line", cashback=won(status.cashback), prepaid=won(status.prepaid))
    if status.expiring_soon:
        line += "  " + t("wallet.expiring", won=won(status.expiring_soon))
    return line


class _Zone:
    """The shop's zone as `customers.last_valid_day` wants it (something with `local`)."""

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone) if self.zone else moment


def coupon_value_text(kind: str, value: int) -> str:
    """What a coupon is worth, in words: "3,000원 할인", "10% 할인" (app.i18n.codes says it)."""
    return codes.coupon_text(language(), kind, value)


def coupon_line(coupon: CouponView, zone: tzinfo | None) -> str:
    """A coupon as the panel and the picker show it: its value, its last day, its code."""
    last_day = last_valid_day(_Zone(zone), coupon.valid_until)
    until = t("coupon.until", date=last_day.isoformat())
    return f"{coupon_value_text(coupon.kind, coupon.value)}  ·  {until}  ·  {coupon.code}"


def usable_pass(views: list[PassView]) -> PassView | None:
    """The pass the use key uses: the first active one with a use left today."""
    return next((v for v in views if v.status == "active" and v.uses_left_today), None)


def pass_line(view: PassView) -> str:
    """A pass as the panel shows it: its plan, its state or today's uses, its last day."""
    if view.status == "active":
        state = t("panel.pass_today", used=view.uses_today, n=view.uses_per_day)
    else:
        state = t(f"pass.status.{view.status}")
    hours = t("panel.pass_hours", start=view.hours[0], end=view.hours[1]) if view.hours else ""
    until = t("panel.pass_until", day=view.end.isoformat())
    return "  ·  ".join(x for x in (view.plan_name, state, until, hours) if x)
