"""The main window: sign-in, then the counter; status bar, customer display, idle sign-out."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any, TypeGuard

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QToolButton,
)

from app.domain.daily_due import parse_daily_time
from app.domain.errors import Refused
from app.domain.program import Program
from app.domain.staff import StaffMember
from app.i18n import codes
from app.ui.checkin_screens import ScreenKeeper, ScreensProvider, qt_screens, screen_names
from app.ui.daily_runner import DailyRunner
from app.ui.screen_fit import fit_to_screen
from app.ui.signin import SignInScreen
from app.ui.tasks import ServiceRunner
from app.ui.text import language, refusal, set_language, t

if TYPE_CHECKING:
    from app.services.checkin import CheckInResult, CheckInView
    from app.services.context import Context
    from app.services.messages import MessageWorker
    from app.services.sync import SyncWorker
    from app.ui.checkin_display import CheckInDisplay
    from app.ui.counter import CounterScreen
    from app.ui.display import CustomerDisplay
    from app.ui.pending import PosWatcher
    from app.ui.pos_api import PosApi
    from app.worker import Loop


def _setting(ctx: Context, key: str) -> Any:
    """A setting of the open shop (the services load after the first screen, so: here)."""
    from app.services import settings

    return settings.setting(ctx, key)


def _is_checkin(display: object) -> TypeGuard[CheckInDisplay]:
    """Whether the customer's screen is in check-in mode (its module loads with the shop)."""
    from app.ui.checkin_display import CheckInDisplay

    return isinstance(display, CheckInDisplay)


def signed_in_text(member: StaffMember) -> str:
    """ "이알바 (직원)" in the status bar; the role once when the name is the role's words
    (the seeded owner in English: "Owner", not "Owner (Owner)")."""
    name = codes.staff_name(language(), member.name)
    role = codes.role(language(), member.role)
    if name.strip().casefold() == role.strip().casefold():
        return role
    return t("status.signed_in", name=name, role=role)


class MainWindow(QMainWindow):
    """The counter's window.

    Given the shop (`ctx` and its program), it is built whole. At start it can come first
    without them (`ctx` None, the staff as app.services.first_screen read them): the sign-in
    screen takes a PIN at once, and `attach` adds the counter, the status bar's workers and
    the toolbar's actions once the shop is open behind it (nothing here imports SQLAlchemy
    before that).
    """

    def __init__(
        self,
        ctx: Context | None,
        store_name: str,
        program: Program | None,
        *,
        require_sign_in: bool = True,
        staff: list[StaffMember] | None = None,
    ) -> None:
        super().__init__()
        self.attached = False
        self.setWindowTitle(t("app.title", store=store_name))
        self.runner = ServiceRunner(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.display: CustomerDisplay | CheckInDisplay | None = None
        self.display_keeper: ScreenKeeper | None = None  # check-in mode: its screen kept
        self.screens_provider: ScreensProvider = qt_screens  # a test hands in a faked list
        self.backoffice: QMainWindow | None = None
        self.store_name = store_name
        self.signin = SignInScreen(ctx, self.runner, staff=staff)
        self._add_signin()

        self.who = QLabel(objectName="who")
        self.member_at_counter: StaffMember | None = None  # who the status bar names
        self.busy = QLabel(objectName="busy")
        self.statusBar().addWidget(self.who)
        self.statusBar().addPermanentWidget(self.busy)
        self.sync_label = QLabel(objectName="syncStatus")
        self.statusBar().addPermanentWidget(self.sync_label)
        self.sync_worker: SyncWorker | None = None
        self._sync_timer = QTimer(self, interval=3000)
        self._sync_timer.timeout.connect(self.refresh_sync_status)
        self.message_worker: MessageWorker | None = None  # the outbox, sent in the background
        self.wallet_worker: Loop | None = None  # Google Wallet's object updates
        self.runner.busy_changed.connect(lambda b: self.busy.setText(t("busy") if b else ""))
        self.daily_label = QLabel(objectName="dailyStatus")
        self.statusBar().addPermanentWidget(self.daily_label)
        self.pos_label = QLabel(objectName="posStatus")
        self.pos_label.setContentsMargins(12, 0, 0, 0)
        self.pos_label.hide()
        self.statusBar().addPermanentWidget(self.pos_label)

        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self._build_toolbar()
        self.toolbar.setEnabled(False)  # its actions need the shop: enabled by attach()

        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self.sign_out)
        self.stack.setCurrentWidget(self.signin)
        self.resize(fit_to_screen(self, 1180, 760))
        if ctx is not None:
            assert program is not None
            self.attach(ctx, program, require_sign_in=require_sign_in)

    def attach(self, ctx: Context, program: Program, *, require_sign_in: bool = True) -> None:
        """The shop is open: the counter, the POS bridge, sync, messages, the day's work."""
        from app.ui.pending import PosWatcher
        from app.ui.pos_api import PosApi

        first = not self.attached
        self.ctx = ctx
        self.program = program  # read in the start-up path; refreshed off the UI thread
        # the POS bridge: pending sales and refunds watched, the local API when the owner wants it
        self.pos_watch: PosWatcher = PosWatcher(ctx, self)
        self.pos_api: PosApi = PosApi(ctx, self)
        self._build_screens(keep_signin=True)
        # after the first screen is up: sync never delays the start or the counter
        QTimer.singleShot(0, self.restart_sync)
        QTimer.singleShot(0, self._start_messages)
        self.daily = self._daily_runner()
        self.daily.status_changed.connect(self.daily_label.setText)
        QTimer.singleShot(0, self.daily.start)  # after the first screen, like sync
        self.pos_api.changed.connect(self._show_pos_status)
        QTimer.singleShot(0, self.restart_pos_api)  # after the first screen, like sync
        QTimer.singleShot(0, self.pos_watch.start)
        self.pos_watch.checked_in.connect(self._checked_in_elsewhere)
        self._show_camera()
        self._build_display_menu()
        self.toolbar.setEnabled(True)
        self.attached = True
        if first:
            self._watch_input()
        if not require_sign_in:
            self.stack.setCurrentWidget(self.counter)
            self.counter.focus_search()
        elif self.signin.ctx is None:  # the PIN typed before the shop was open is kept
            self.signin.attach(ctx)
            self.sign_out_action.setEnabled(False)
        else:
            self.sign_out()

    def _add_signin(self) -> None:
        self.stack.addWidget(self.signin)
        self.signin.signed_in.connect(self.on_signed_in)

    def _build_screens(self, *, keep_signin: bool = False) -> None:
        """The sign-in and counter screens, built anew when the language changes."""
        from app.ui.counter import CounterScreen

        old_counter = getattr(self, "counter", None)
        alerts = list(old_counter.pos_alert.refunds) if old_counter is not None else []
        old_signin = None if keep_signin else self.signin
        for old in (old_signin, old_counter):
            if old is not None:
                self.stack.removeWidget(old)
                old.deleteLater()
        if not keep_signin:
            self.signin = SignInScreen(self.ctx, self.runner)
            self._add_signin()
        self.counter: CounterScreen = CounterScreen(self.ctx, self.runner, self.program)
        self.stack.addWidget(self.counter)
        self.counter.status_shown.connect(self._mirror)
        self.counter.action_done.connect(self._mirror_action)
        self.counter.sale_done.connect(self._mirror_sale)
        self.counter.wallet_link.connect(self._mirror_wallet)
        self.pos_watch.pending_changed.connect(self.counter.show_pending)
        self.pos_watch.negative_refund.connect(self.counter.show_negative_refund)
        self.counter.pending_attached.connect(lambda _: self.pos_watch.poll())
        self.counter.show_pending(self.pos_watch.pending)  # a new screen shows what is known
        for refund in alerts:  # a warning not yet acknowledged stays, in the new language
            self.counter.pos_alert.add(refund)

    def _build_toolbar(self) -> None:
        self.toolbar.clear()
        self.sign_out_action = QAction(t("menu.signout"), self)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.display_action = QAction(t("menu.display"), self, checkable=True)
        self.display_action.setChecked(self.display is not None)
        self.display_action.toggled.connect(self.toggle_display)
        self.backoffice_action = QAction(t("backoffice.open"), self)
        self.backoffice_action.triggered.connect(self.open_backoffice)
        self.language_action = QAction(t("menu.language"), self)
        self.language_action.triggered.connect(self.switch_language)
        self.toolbar.addAction(self.sign_out_action)
        self.toolbar.addAction(self.display_action)
        if self.attached:  # its settings are the shop's: before attach() the menu waits
            self._build_display_menu()
        self.toolbar.addAction(self.backoffice_action)
        self.toolbar.addAction(self.language_action)
        self.about_action = QAction(t("menu.about"), self)
        self.about_action.triggered.connect(self.open_about)
        self.toolbar.addAction(self.about_action)
        self.camera_button = QPushButton(t("camera.scan"), objectName="cameraButton")
        self.camera_button.setVisible(False)  # until _show_camera has asked the system
        self.camera_button.clicked.connect(self.scan_with_camera)
        self.toolbar.addWidget(self.camera_button)
        if self.attached:
            self._show_camera()

    def _show_camera(self) -> None:
        """The scan button when a camera exists (asking loads QtMultimedia: not before the
        first screen), else its tooltip says why not."""
        from app.ui.camera import camera_available

        available, why = camera_available()
        self.camera_button.setVisible(available)
        why_not = f"{t('camera.none')} ({why})" if why else t("camera.none")
        self.camera_button.setToolTip("" if available else why_not)

    def switch_language(self) -> None:
        """Korean ⇄ English (an owner's setting), then the screens are built in it."""
        new = "en" if language() == "ko" else "ko"

        def done(in_force: object) -> None:
            assert isinstance(in_force, Program)
            self.program = in_force
            set_language(new)
            on_counter = self.stack.currentWidget() is self.counter
            self._build_screens()
            self._build_toolbar()
            if _is_checkin(self.display):  # the customer's screen in it too
                self.toggle_display(False)
                self.toggle_display(True)
            self.setWindowTitle(t("app.title", store=self.store_name))
            self.pos_api.retranslate()
            if (
                self.member_at_counter is not None
            ):  # the status bar's name and role in the new language
                self.who.setText(signed_in_text(self.member_at_counter))
            self.stack.setCurrentWidget(self.counter if on_counter else self.signin)
            self.sign_out_action.setEnabled(on_counter)
            if on_counter:
                self.counter.focus_search()
            self.daily.refresh()

        def failed(error: BaseException) -> None:
            self.statusBar().showMessage(
                refusal(error) if isinstance(error, Refused) else str(error), 8000
            )

        def change() -> Program:
            from app.services import settings
            from app.services.program import program_in_force

            settings.update_settings(self.ctx, language=new)
            return program_in_force(self.ctx)  # the screens are built anew with it

        self.runner.run(change, done, failed)

    def open_backoffice(self) -> None:
        """The owner's window; a cashier is told to let an owner sign in."""
        if self.ctx.staff_role != "owner":
            self.statusBar().showMessage(t("backoffice.owner_only"), 8000)
            return
        from app.ui.backoffice.window import BackOfficeWindow

        if self.backoffice is None:
            self.backoffice = BackOfficeWindow(self.ctx, self.runner, self.store_name, self)
            self.backoffice.destroyed.connect(lambda: setattr(self, "backoffice", None))
            self.backoffice.setup_finished.connect(self.reload_shop)
            self.backoffice.settings_saved.connect(self.restart_pos_api)
        self.backoffice.show()
        self.backoffice.raise_()

    def reload_shop(self) -> None:
        """After the setup wizard (reopened from the back office): its name and program."""
        from app.services.program import program_in_force
        from app.services.store import store_name

        def done(read: tuple[Program, str]) -> None:
            self.program, self.store_name = read
            on_counter = self.stack.currentWidget() is self.counter
            self._build_screens()
            self.setWindowTitle(t("app.title", store=self.store_name))
            self.stack.setCurrentWidget(self.counter if on_counter else self.signin)
            if on_counter:
                self.counter.focus_search()

        self.runner.run(lambda: (program_in_force(self.ctx), store_name(self.ctx)), done)

    def open_about(self) -> None:
        """The About box: version, database location, licences (read on the database thread)."""
        from app.services.setup import about_facts
        from app.ui.about import AboutBox

        target = self.ctx.db.url

        def show(facts: object) -> None:
            self.about = AboutBox(facts, self)  # type: ignore[arg-type]
            self.about.open()

        self.runner.run(lambda: about_facts(target), show)

    def _daily_runner(self) -> DailyRunner:
        """Expiry, tiers, birthdays, then the day's backup: by itself, at a quiet moment."""
        from app.services import backup_schedule, daily

        ctx = self.ctx

        def chosen() -> time | None:
            try:
                return parse_daily_time(_setting(ctx, "daily_time"))
            except ValueError:
                return None

        backup = (lambda: backup_schedule.daily_backup(ctx)) if ctx.db.path else None
        self.background = ServiceRunner(self)  # the backup copy never holds up the counter
        return DailyRunner(
            self.runner,
            run_daily=lambda: daily.run_daily(ctx),
            last_run=lambda: daily.last_run(ctx),
            local_now=lambda: ctx.local(ctx.now()),
            chosen_time=chosen,
            backup=backup,
            background=self.background,
            parent=self,
        )

    # --- the POS bridge ------------------------------------------------------------

    def restart_pos_api(self) -> None:
        """The local API as the owner set it (on, port, LAN); started off the UI thread."""
        from app.services.pos_watch import api_binding

        self.pos_api.apply(api_binding(self.ctx))

    def _show_pos_status(self, text: str) -> None:
        self.pos_label.setText(text)
        self.pos_label.setVisible(bool(text))

    # --- sync in the background -----------------------------------------------------

    def restart_sync(self) -> None:
        """Start (or restart after setup) the background sync when this register has one."""
        self._stop_sync()
        if not self.ctx.settings.get("sync.url"):
            self.sync_label.hide()
            return
        from app.services.sync import start_worker

        self.sync_worker = start_worker(self.ctx)
        self.counter.action_done.connect(self._poke_sync)
        self.sync_label.show()
        self._sync_timer.start()
        self.refresh_sync_status()

    def _poke_sync(self, *_: object) -> None:
        if self.sync_worker is not None:
            self.sync_worker.poke()

    def _stop_sync(self) -> None:
        self._sync_timer.stop()
        if self.sync_worker is not None:
            self.sync_worker.stop()
            self.sync_worker = None

    def refresh_sync_status(self) -> None:
        from app.services.sync import sync_status
        from app.ui.backoffice.sync_page import sync_status_text

        self.runner.run(
            lambda: sync_status(self.ctx),
            lambda status: self.sync_label.setText(sync_status_text(status, self.ctx)),
            lambda error: self.sync_label.setText(str(error)),
        )

    def _start_messages(self) -> None:
        """The outbox's worker, when a message provider is connected (no database call here)."""
        from app.services.messages import start_worker

        self.message_worker = start_worker(self.ctx)
        if self.message_worker is not None:
            self.counter.action_done.connect(self._poke_messages)
        if self.ctx.settings.get("mobile_wallet.google"):  # else nothing of it is imported
            from app.services import mobile_wallet

            self.wallet_worker = mobile_wallet.start_worker(self.ctx)  # Google Wallet's updates
            if self.wallet_worker is not None:
                self.counter.action_done.connect(self.wallet_worker.poke)

    def _poke_messages(self, *_: object) -> None:
        if self.message_worker is not None:
            self.message_worker.poke()

    # --- who is at the counter ----------------------------------------------------

    def on_signed_in(self, member: StaffMember) -> None:
        self.member_at_counter = member
        self.who.setText(signed_in_text(member))
        self.sign_out_action.setEnabled(True)
        self.stack.setCurrentWidget(self.counter)
        self.counter.clear()
        self._restart_idle()

    def sign_out(self) -> None:
        self.idle.stop()
        if self.backoffice is not None:
            self.backoffice.close()
            self.backoffice = None
        self.counter.clear()
        self.member_at_counter = None
        self.who.setText("")
        self.sign_out_action.setEnabled(False)
        self.signin.reload()
        self.stack.setCurrentWidget(self.signin)

    def _watch_input(self) -> None:
        self.installEventFilter(self)
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self._restart_idle()
            if self.attached:
                self.daily.poke()
        return False

    def _restart_idle(self) -> None:

        if self.attached and self.stack.currentWidget() is self.counter:
            self.idle.start(int(_setting(self.ctx, "idle_minutes")) * 60_000)

    # --- customer display and camera ----------------------------------------------

    def toggle_display(self, on: bool) -> None:
        if on and self.display is None:
            if _setting(self.ctx, "checkin_mode"):
                self._open_checkin_display()
                return
            from PySide6.QtGui import QGuiApplication

            from app.ui.display import CustomerDisplay, place_display

            single = len(QGuiApplication.screens()) < 2
            # one monitor: a tool window of the counter (above it, below its dialogs)
            self.display = CustomerDisplay(self.store_name, self if single else None)
            if single:
                self.display.setWindowFlag(Qt.WindowType.Tool, True)
            place_display(self.display, self, self.controls())
            self.display.show()
            self._mirror(self.counter.status)
        elif not on and self.display is not None:
            self.display.close()
            if _is_checkin(self.display):
                # with its screen keeper and its runner; by Qt on this thread, not a collector
                self.display.deleteLater()
            self.display = None
            self.display_keeper = None

    def _open_checkin_display(self) -> None:
        """Check-in mode: the customer's own screen, full screen on the screen the owner
        picked (else beside the counter's controls), kept there as monitors come and go."""
        value = lambda key: _setting(self.ctx, key)  # noqa: E731
        from app.ui.checkin_display import CheckInDisplay
        from app.ui.display import place_display

        display = CheckInDisplay(
            self.ctx,
            self.store_name,
            logo_path=str(value("logo_path") or ""),
            idle_seconds=int(value("checkin_idle_seconds")),
            consent_texts=(
                str(value("consent_program_text")),
                str(value("consent_marketing_text")),
            ),
        )
        display.checked_in.connect(self._customer_checked_in)
        self.display = display
        self.display_keeper = ScreenKeeper(
            display,
            self,
            str(value("display_screen") or ""),
            lambda: place_display(display, self, self.controls()),
            self.screens_provider,
        )
        display.show()
        self.display_keeper.place()

    def _customer_checked_in(self, result: CheckInResult) -> None:
        """A customer checked in on the display: the counter selects them at once."""
        if result.checkin_id is not None:
            self.pos_watch.shown.add(result.checkin_id)  # the watch need not tell it again
        if result.member is not None:
            self._select_member(result.member.customer_id)
        if result.sale is not None:
            self.pos_watch.poll()  # the pending sale it took leaves the strip

    def _checked_in_elsewhere(self, seen: CheckInView) -> None:
        """A check-in the watch found (a tablet's): the counter selects that member."""
        self._select_member(seen.customer_id)
        if seen.sale_id is not None:
            self.pos_watch.poll()

    def _select_member(self, customer_id: object) -> None:
        from app.services import customers

        ctx = self.ctx

        def shown(status: object) -> None:
            self.counter.show_status(status)  # type: ignore[arg-type]
            self.statusBar().showMessage(t("checkin.counter_selected"), 8000)

        def failed(error: BaseException) -> None:
            self.statusBar().showMessage(
                refusal(error) if isinstance(error, Refused) else str(error), 8000
            )

        self.runner.run(lambda: customers.customer_status(ctx, customer_id), shown, failed)  # type: ignore[arg-type]

    def _build_display_menu(self) -> None:
        """The owner's settings of the customer display, under its toolbar button: check-in
        mode, which screen, how long idle before the check-in screen asks again."""
        menu = QMenu(self)
        menu.setObjectName("displayMenu")
        self.checkin_action = menu.addAction(t("checkin.menu_mode"))
        self.checkin_action.setCheckable(True)
        self.checkin_action.setChecked(bool(_setting(self.ctx, "checkin_mode")))
        self.checkin_action.toggled.connect(lambda on: self._save_display(checkin_mode=on))
        self.screen_menu = menu.addMenu(t("checkin.menu_screen"))
        self.screen_menu.aboutToShow.connect(self._fill_screen_menu)
        self._fill_screen_menu()
        self.idle_menu = menu.addMenu(t("checkin.menu_idle"))
        chosen = int(_setting(self.ctx, "checkin_idle_seconds"))
        for seconds in sorted({15, 30, 60, 120, chosen}):
            action = self.idle_menu.addAction(t("checkin.seconds", n=seconds))
            action.setCheckable(True)
            action.setChecked(seconds == chosen)
            action.setData(seconds)
            action.triggered.connect(
                lambda _on=False, s=seconds: self._save_display(checkin_idle_seconds=s)
            )
        self.display_action.setMenu(menu)
        button = self.toolbar.widgetForAction(self.display_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

    def _fill_screen_menu(self) -> None:
        """ "자동" and each monitor there is now, the owner's pick ticked."""
        self.screen_menu.clear()
        chosen = str(_setting(self.ctx, "display_screen") or "")
        names = screen_names(self.screens_provider)
        if chosen and chosen not in names:
            names.append(chosen)  # picked before, unplugged now: still shown as the pick
        present = screen_names(self.screens_provider)
        for name in ["", *names]:
            text = name or t("checkin.screen_auto")
            if name and name not in present:
                text = t("checkin.screen_missing", name=name)
            action = self.screen_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(name == chosen)
            action.triggered.connect(lambda _on=False, n=name: self._save_display(display_screen=n))

    def _save_display(self, **values: object) -> None:
        """Owner only (a cashier is told); then the open display follows the new settings."""

        def saved(_: object) -> None:
            if "display_screen" in values and self.display_keeper is not None:
                self.display_keeper.choose(str(values["display_screen"]))
            if "checkin_idle_seconds" in values and _is_checkin(self.display):
                self.display.set_idle_seconds(int(str(values["checkin_idle_seconds"])))
            if "checkin_mode" in values and self.display is not None:
                self.toggle_display(False)  # the other kind of display, at once
                self.toggle_display(True)
            self.statusBar().showMessage(t("set.saved"), 5000)

        def failed(error: BaseException) -> None:
            self.checkin_action.blockSignals(True)
            self.checkin_action.setChecked(bool(_setting(self.ctx, "checkin_mode")))
            self.checkin_action.blockSignals(False)
            self.statusBar().showMessage(
                refusal(error) if isinstance(error, Refused) else str(error), 8000
            )

        ctx = self.ctx
        from app.services import settings

        self.runner.run(lambda: settings.update_settings(ctx, **values), saved, failed)

    def _mirror(self, status) -> None:
        if self.display is not None:
            self.display.show_customer(status)

    def controls(self) -> list[QRect]:
        """Global rectangles of everything the cashier touches (the display leaves them free)."""
        rects = self.counter.control_rects()
        for bar in (self.toolbar, self.statusBar()):
            rects.append(QRect(bar.mapToGlobal(QPoint(0, 0)), bar.size()))
        return rects

    def _mirror_wallet(self, url: str) -> None:
        """지갑에 추가: the save link's QR on the customer display (opened if it was off)."""
        if self.display is None:
            self.display_action.setChecked(True)
        show = getattr(self.display, "show_wallet_qr", None)
        if show is not None:
            show(url)

    def _mirror_sale(self, result: object) -> None:
        if self.display is not None:
            from app.services.sales import SaleResult

            assert isinstance(result, SaleResult)
            if _is_checkin(self.display):
                self.display.show_sale(
                    result.points_earned,
                    result.stamps,
                    result.stamp_goal,
                    self.program.stamps.enabled,
                    rewards_ready=result.rewards_ready,
                    stamps_earned=result.stamps_earned,
                )
                self.display.ask_rating(result.sale_id)  # branch nps: the visit's rating
                return
            self.display.show_sale(
                result.points_earned,
                result.stamps,
                result.stamp_goal,
                self.program.stamps.enabled,
            )

    def _mirror_action(self, text: str) -> None:
        if self.display is not None and self.counter.status is not None:
            self.display.show_customer(self.counter.status, text)

    def scan_with_camera(self) -> None:
        from app.ui.camera import CameraScanDialog

        dialog = CameraScanDialog(self)
        dialog.scanned.connect(lambda text: self.counter.lookup(text, True))
        dialog.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.display is not None:
            self.display.close()
            if _is_checkin(self.display):
                # a window of its own: Qt deletes it here, on this thread, not a collector
                self.display.deleteLater()
        self._stop_sync()
        if self.message_worker is not None:
            self.message_worker.stop()
        if self.wallet_worker is not None:
            self.wallet_worker.stop()
        if self.attached:
            self.daily.stop()
            self.pos_watch.stop()
            self.pos_api.shutdown()
            self.background.stop()
        self.runner.stop()
        super().closeEvent(event)
