"""Every screen in both languages, on a shop with data in every list, read back for codes.

The walk opens the sign-in, the counter (empty and with a member), each counter dialog, the
void confirmation, F6's print preview, the phone-reveal PIN a cashier is asked, every
back-office page (the text painted inside the charts too: titles, axes, legends) and a
member's record with its withdraw and erase questions, the win-back question, the import
wizard with bad rows, the first-run wizard's pages, the customer display, the About box and
the crash dialog; it collects every text a person can read (labels, buttons, cells, headers,
tooltips, combo items, tab and window titles) and fails on an internal code (snake_case,
dotted.codes), an English word in Korean mode, or Hangul in English mode that is not the
owner's own text (names, tiers, the reward, consent wording). Screenshots of every screen land
in build/screenshots/words/<size>/ at the three screen sizes shops have (a window is resized to
each; a dialog keeps its own size unless the screen is smaller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCharts import QBarCategoryAxis, QCategoryAxis, QChartView
from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QToolBar,
    QWidget,
    QWizard,
)
from sqlalchemy import select

from app.db.models import LEDGER_KINDS, Customer
from app.services import demo, owner, redemptions, sales, settings, staff, store, transfer
from app.services.program import program_in_force
from app.ui import text
from tests.ui.conftest import SCREENSHOTS, settle

SHOTS = SCREENSHOTS / "words"
SIZES = (QSize(1024, 600), QSize(1366, 768), QSize(1920, 1080))
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
SNAKE = re.compile(r"(?<![\w./\\-])[a-z]+(?:_[a-z0-9]+)+(?![\w./\\-])")
DOTTED = re.compile(r"(?<![\w./\\-])[a-z]+\.[a-z_]+(?:\.[a-z_]+)*(?![\w./\\-])")
WORD = re.compile(r"(?<![\w.@/\\-])[A-Za-z][a-z]{2,}(?![\w.@/\\-])")
# English in a Korean screen that is a name, not a word: products, formats, units
NAMES = {
    "Dangol", "PostgreSQL", "SQLite", "Excel", "Windows", "Enter", "Esc", "Avery", "Formtec",
    "English",  # the language switch names English in English, as 한국어 is named in Korean
    "backups",  # the folder's name on disk
    "Solapi",  # the messaging provider
}  # fmt: skip
# the About box's parts and system: libraries, fonts and the OS as their makers name them
THEIR_NAMES = {"aboutParts", "aboutSystem"}
# a command to type, the same in every language (the command line's own words)
THEIR_NAMES |= {"messagesSetupCommand"}
# the system's own words about a missing library, in parentheses after our sentence
SYSTEM_DETAIL = re.compile(r"\([^()]*\.so[.\d]*:[^()]*\)")
FILE_LIKE = re.compile(r"\S+\.(?:sqlite|pdf|csv|json|png|bin|txt)\b|\S*[/\\]\S+|\S+@\S+")
# one-word codes that read like English: shown alone in a cell, they are a code in any language
BARE_CODES = set(LEDGER_KINDS) | {
    "owner",
    "cashier",
    "amount",
    "percent",
    "item",
    "pos",
    "info",
    "ad",
}


@dataclass
class Findings:
    lang: str
    owner_texts: set[str]
    problems: list[str] = field(default_factory=list)

    def check(self, screen: str, where: str, value: str) -> None:
        shown = re.sub(r"<[^>]+>", " ", value or "")  # rich text: the words, not the tags
        shown = FILE_LIKE.sub(" ", SYSTEM_DETAIL.sub(" ", shown)).replace("한국어", " ")
        for owned in sorted(self.owner_texts, key=len, reverse=True):
            shown = shown.replace(owned, " ")
        shown = re.sub(r"[가-힣]\*+[가-힣]?", " ", shown)  # a masked name
        codes = SNAKE.findall(shown) + DOTTED.findall(shown)
        if shown.strip() in BARE_CODES:
            codes.append(shown.strip())
        if codes:
            self.problems.append(f"{self.lang} {screen} {where}: code {codes} in {value!r}")
        if self.lang == "ko":
            words = [w for w in WORD.findall(shown) if w not in NAMES]
            if words:
                self.problems.append(f"ko {screen} {where}: English {words} in {value!r}")
        elif HANGUL.search(shown):
            self.problems.append(
                f"en {screen} {where}: Hangul {HANGUL.findall(shown)} in {value!r}"
            )


def texts_of(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for everything a person can read in `root` and its children."""
    found: list[tuple[str, str]] = [("title", root.windowTitle())]
    for widget in [root, *root.findChildren(QWidget)]:
        name = widget.objectName() or type(widget).__name__
        if name in THEIR_NAMES or (widget.parent() and widget.parent().objectName() in THEIR_NAMES):
            continue
        if widget.toolTip():
            found.append((f"{name}.tooltip", widget.toolTip()))
        if isinstance(widget, QLabel | QAbstractButton):
            found.append((name, widget.text()))
        elif isinstance(widget, QLineEdit):
            found += [(name, widget.text()), (f"{name}.placeholder", widget.placeholderText())]
        elif isinstance(widget, QComboBox):
            found += [(f"{name}[{i}]", widget.itemText(i)) for i in range(widget.count())]
        elif isinstance(widget, QGroupBox):
            found.append((name, widget.title()))
        elif isinstance(widget, QTabWidget):
            found += [(f"{name}.tab{i}", widget.tabText(i)) for i in range(widget.count())]
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            found.append((name, widget.toPlainText()))
        elif isinstance(widget, QListWidget):
            found += [(f"{name}[{i}]", widget.item(i).text()) for i in range(widget.count())]
        elif isinstance(widget, QToolBar):
            for action in widget.actions():
                found += [(f"{name}.action", action.text()), (f"{name}.tip", action.toolTip())]
        elif isinstance(widget, QWizard):
            for page_id in widget.pageIds():
                page = widget.page(page_id)
                found += [(f"page{page_id}", page.title()), (f"page{page_id}", page.subTitle())]
        elif isinstance(widget, QChartView):
            found += _chart_texts(name, widget)
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            found += _model_texts(name, widget)
        if isinstance(widget, QMainWindow) and widget.statusBar().currentMessage():
            found.append((f"{name}.status", widget.statusBar().currentMessage()))
    return [(where, value) for where, value in found if value]


def _chart_texts(name: str, view: QChartView) -> list[tuple[str, str]]:
    """What a chart paints: its title, its axes' titles and labels, its legend's entries."""
    chart = view.chart()
    found = [(f"{name}.title", chart.title())]
    for i, axis in enumerate(chart.axes()):
        found.append((f"{name}.axis{i}.title", axis.titleText()))
        if isinstance(axis, QBarCategoryAxis):
            found += [(f"{name}.axis{i}", label) for label in axis.categories()]
        elif isinstance(axis, QCategoryAxis):
            found += [(f"{name}.axis{i}", label) for label in axis.categoriesLabels()]
    for series in chart.series():
        found.append((f"{name}.series", series.name()))
    found += [(f"{name}.legend", marker.label()) for marker in chart.legend().markers()]
    return found


def _model_texts(name: str, view: QAbstractItemView) -> list[tuple[str, str]]:
    model = view.model()
    found = []
    root = QModelIndex()
    try:
        columns = model.columnCount(root)
    except TypeError:  # a list model (a combo's own): its items are read from the widget
        return found
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        if isinstance(header, str):
            found.append((f"{name}.header{column}", header))
    for row in range(min(model.rowCount(root), 60)):
        for column in range(columns):
            index = model.index(row, column, root)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    found.append((f"{name}[{row},{column}]", value))
    return found


# --- the shop ---------------------------------------------------------------------------------


def _bad_import(tmp: Path) -> Path:
    path = tmp / "paper-cards.csv"
    path.write_text(
        "전화번호,이름,포인트\n010-5555-0001,박종이,300\n010-12,짧은번호,10\n"
        "010-5555-0002,최종이,abc\n",
        encoding="utf-8-sig",
    )
    return path


@pytest.fixture
def shop(sqlite_ctx, tmp_path):
    """A café with 40 members and 120 days of sales, a void, expiries, coupons, a cashier,
    an import with bad rows and the audit rows all of that wrote; the clock a year on."""
    ctx = sqlite_ctx
    demo.build_demo(ctx, customers=40, days=120)
    member = ctx_member(ctx)
    owner.adjust_points(ctx, member, 500, "영수증 분실 보상")
    staff.add_staff(ctx, "이알바", "cashier", "1234")
    settings.update_settings(ctx, idle_minutes=15)
    mapping = {"phone": "전화번호", "name": "이름", "points": "포인트"}
    transfer.import_customers(ctx, _bad_import(tmp_path), skip_bad=True, mapping=mapping)
    ctx.fixed_now = ctx.now() + timedelta(days=370)  # a year on: the first points expire
    from app.services import daily

    daily.run_daily(ctx)
    ctx.fixed_now = ctx.now()
    owner.issue_coupon(ctx, member, "amount", 3000, 30)
    owner.issue_coupon(ctx, member, "percent", 10, 30)
    sale = sales.record_sale(ctx, member, 12_000, 1)
    sales.void_action(ctx, str(sale.sale_id))
    sales.record_sale(ctx, member, 90_000, 1)
    redemptions.redeem_points(ctx, member, 1_000)
    return ctx


def ctx_member(ctx):
    from app.services.customers import resolve_customer

    return resolve_customer(ctx, demo.SHOWCASE_PHONE)


def owner_texts(ctx) -> set[str]:
    """What the owner typed or the shop holds as data: shown as it is in either language."""
    program = program_in_force(ctx)
    found = {level.name for level in program.tiers.levels}
    found |= {program.stamps.reward, "영수증 분실 보상", "이알바", "단골 카페", "내 가게"}
    found |= {c.name for c in program.campaigns} if hasattr(program, "campaigns") else set()
    for key in ("consent_program_text", "consent_marketing_text", "slip_footer"):
        found.add(str(settings.setting(ctx, key)))
    with ctx.db.read() as session:
        found |= {n for n in session.scalars(select(Customer.name)) if n}
    profile = store.store_profile(ctx) if hasattr(store, "store_profile") else None
    for attr in ("name", "address"):
        value = getattr(profile, attr, None)
        if value:
            found.add(value)
    found |= {"박종이", "짧은번호", "최종이", "전화번호", "이름", "포인트", "abc"}  # the file's
    from app.services import message_templates

    for view in message_templates.list_templates(ctx):  # the messages' words, the owner's
        found |= {view.text, view.fallback}
    return {f for f in found if f}


# --- the walk ---------------------------------------------------------------------------------


class Walk:
    def __init__(self, lang: str, findings: Findings, qtbot, runner_owner) -> None:
        self.lang, self.findings, self.qtbot, self.idle = lang, findings, qtbot, runner_owner
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.seen: list[str] = []

    def look(self, screen: str, widget: QWidget, part: QWidget | None = None) -> None:
        """Read `part` (the page shown, default the whole widget) and save `widget`'s picture
        at each screen size: a window filling the screen, a dialog at its own size (no larger
        than the screen); the widget gets its size back after."""
        QApplication.processEvents()
        self.seen.append(screen)
        for where, value in texts_of(part or widget):
            self.findings.check(screen, where, value)
        own = widget.size()
        dialog = isinstance(widget, QDialog)
        for size in SIZES:
            folder = SHOTS / f"{size.width()}x{size.height()}"
            folder.mkdir(parents=True, exist_ok=True)
            widget.resize(own.boundedTo(size) if dialog else size)
            QApplication.processEvents()
            widget.grab().save(str(folder / f"{screen}-{self.lang}.png"))
        widget.resize(own)
        QApplication.processEvents()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_screen_speaks_the_language(app, shop, qtbot, lang, tmp_path):
    from app.ui.main_window import MainWindow

    text.set_language(lang)
    try:
        findings = Findings(lang, owner_texts(shop))
        win = MainWindow(shop, "단골 카페", program_in_force(shop), require_sign_in=True)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        qtbot.waitExposed(win)
        walk = Walk(lang, findings, qtbot, win)
        walk.look("signin", win)
        _walk_counter(walk, win, qtbot)
        _walk_backoffice(walk, win, qtbot, tmp_path)
        _walk_wizard(walk, shop, qtbot)
        _walk_about(walk, win, qtbot)
        _walk_crash(walk, findings, tmp_path)
        win.close()
        assert len(walk.seen) >= 25, walk.seen
        assert not findings.problems, "\n".join(findings.problems)
    finally:
        text.set_language("ko")


def _walk_counter(walk: Walk, win, qtbot) -> None:
    owner_member = next(m for m in staff.list_staff(win.ctx) if m.role == "owner")
    win.on_signed_in(owner_member)
    counter = win.counter
    walk.look("counter-empty", win)
    counter.search.setText(demo.SHOWCASE_PHONE[-4:])
    counter.lookup(demo.SHOWCASE_PHONE)
    settle(qtbot, win)
    assert counter.status is not None
    walk.look("counter-member", win)
    for button, screen in (("sale", "dialog-sale"), ("redeem", "dialog-redeem")):
        counter.buttons[button].click()
        if counter.dialog is not None:
            walk.look(screen, counter.dialog)
            counter.dialog.reject()
            settle(qtbot, win)
    counter.open_coupon()
    assert counter.dialog is not None  # the member holds two coupons
    if counter.dialog is not None:
        walk.look("dialog-coupon", counter.dialog)
        counter.dialog.reject()
        settle(qtbot, win)
    counter.record_sale(7_000)
    settle(qtbot, win)
    walk.look("counter-after-sale", win)
    _walk_print_preview(walk, win, qtbot)
    counter.void_last()
    box = win.dialogs.current if hasattr(win, "dialogs") else counter.dialog
    box = box or counter.dialog
    if box is not None:
        walk.look("dialog-void", box)
        box.reject()
        settle(qtbot, win)
    counter.clear()
    counter.search.setText("010-9999-8888")
    counter.lookup("010-9999-8888")
    settle(qtbot, win)
    walk.look("counter-no-match", win)
    counter.open_enroll()
    if counter.dialog is not None:
        walk.look("dialog-enroll", counter.dialog)
        counter.dialog.reject()
        settle(qtbot, win)
    win.toggle_display(True)
    win._mirror(counter.status)
    walk.look("display", win.display)
    counter.lookup(demo.SHOWCASE_PHONE)
    settle(qtbot, win)
    win._mirror(counter.status)
    walk.look("display-member", win.display)
    win.toggle_display(False)
    _walk_pin_reveal(walk, win, qtbot, owner_member)


def _walk_print_preview(walk: Walk, win, qtbot) -> None:
    """F6: Qt's print preview of the slip (modal: read and closed from inside its loop)."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    looked: list[QWidget] = []

    def look_and_close() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QPrintPreviewDialog) and widget.isVisible():
                walk.look("print-preview", widget)
                looked.append(widget)
                widget.reject()
                return
        QTimer.singleShot(50, look_and_close)

    QTimer.singleShot(50, look_and_close)
    win.counter.print_slip()
    qtbot.waitUntil(lambda: bool(looked), timeout=20_000)
    settle(qtbot, win)


def _walk_pin_reveal(walk: Walk, win, qtbot, owner_member) -> None:
    """A cashier's 번호 보기 asks for the owner's PIN."""
    cashier = next(m for m in staff.list_staff(win.ctx) if m.role == "cashier")
    win.ctx.staff_id, win.ctx.staff_role = cashier.id, cashier.role
    win.on_signed_in(cashier)
    walk.look("counter-cashier", win)
    counter = win.counter
    counter.lookup(demo.SHOWCASE_PHONE)
    settle(qtbot, win)
    counter.reveal_phone()
    assert counter.dialog is not None
    walk.look("dialog-reveal-pin", counter.dialog)
    counter.dialog.reject()
    settle(qtbot, win)
    win.ctx.staff_id, win.ctx.staff_role = owner_member.id, owner_member.role
    win.on_signed_in(owner_member)


def _walk_backoffice(walk: Walk, win, qtbot, tmp_path: Path) -> None:
    from app.ui.backoffice.window import PAGES

    win.open_backoffice()
    settle(qtbot, win)
    office = win.backoffice
    assert office is not None
    office.resize(1366, 768)
    for key, _, _ in PAGES:
        page = office.page(key)
        settle(qtbot, win)
        walk.look(key.replace(".", "-"), office, page)
        if key == "page.customers":
            from app.ui.backoffice.customer_detail import CustomerDetailDialog

            # the showcase member: sales, a void, an adjustment, coupons, expiry, tier steps
            detail = CustomerDetailDialog(win.ctx, win.runner, ctx_member(win.ctx), page)
            detail.resize(1024, 700)
            detail.show()
            qtbot.waitUntil(lambda d=detail: d.ledger.rowCount() > 5, timeout=10_000)
            assert detail.coupons.rowCount() >= 2
            for i in range(detail.tabs.count()):
                detail.tabs.setCurrentIndex(i)
                walk.look(f"member-detail-{i}", detail)
            for how in ("withdraw", "erase"):
                getattr(detail, f"{how}_button").click()
                qtbot.waitUntil(lambda d=detail: d.dialogs.current is not None, timeout=5_000)
                walk.look(f"member-{how}-question", detail.dialogs.current)
                detail.dialogs.current.reject()  # closed: nothing withdrawn or erased
                settle(qtbot, win)
            detail.close()
        if key == "page.staff" and walk.lang == "en":  # roles in words, not their codes
            roles = {page.table.item(r, 1).text() for r in range(page.table.rowCount())}
            assert roles == {"Owner", "Cashier"}, roles
            assert page.table.item(0, 0).text() == "Owner"  # the default owner's name too
        if key == "page.reports":  # the charts were read: axes and legends, not only titles
            painted = [t for n, v in page.charts.items() for _, t in _chart_texts(n, v) if t]
            assert len(painted) > 3 * len(page.charts), painted
        if key == "page.winback":
            page.issue_button.click()
            qtbot.waitUntil(lambda p=page: p.dialogs.current is not None, timeout=10_000)
            walk.look("winback-question", page.dialogs.current)
            page.dialogs.current.reject()  # closed: no coupon issued
            settle(qtbot, win)
        if key == "page.import":
            page.path.setText(str(_bad_import(tmp_path)))
            page.read_file()
            settle(qtbot, win)
            walk.look("import-mapping", office, page)
            page.check()
            settle(qtbot, win)
            walk.look("import-check", office, page)
        if key == "page.audit":
            audit = page
            audit.date_from.setDate(audit.date_from.date().addDays(-800))
            audit.search()
            settle(qtbot, win)
            assert audit.model.rowCount() > 10
            walk.look("page-audit-all", office, page)
            for page_no in range(1, min(audit.current.pages, 4) if audit.current else 1):
                audit.go(page_no)
                settle(qtbot, win)
                walk.look(f"page-audit-{page_no}", office, page)
    office.close()


def _walk_wizard(walk: Walk, ctx, qtbot) -> None:
    from app.ui.tasks import ServiceRunner
    from app.ui.wizard import SetupWizard

    runner = ServiceRunner()
    try:
        wiz = SetupWizard(ctx, runner, "내 가게")
        qtbot.addWidget(wiz)
        wiz.show()
        wiz.store.name.setText("단골 카페")
        next_button = wiz.button(QWizard.WizardButton.NextButton)
        for step in range(len(wiz.pageIds())):
            page = wiz.currentPage()
            if page is wiz.pin:
                wiz.pin.pin.setText("4821")
                wiz.pin.again.setText("4821")
            walk.look(f"wizard-{step}", wiz, page)
            if wiz.currentId() == wiz.pageIds()[-1]:
                break
            next_button.click()
            QApplication.processEvents()
        wiz.reject()
    finally:
        runner.stop()


def _walk_about(walk: Walk, win, qtbot) -> None:
    win.open_about()
    settle(qtbot, win)
    qtbot.waitUntil(lambda: getattr(win, "about", None) is not None, timeout=10_000)
    about: QDialog = win.about
    licences = about.findChild(QWidget, "licences")
    if licences is not None:
        licences.setObjectName("licences")  # library names and licences: as their authors wrote
    walk.look("about", about)
    about.close()


def _walk_crash(walk: Walk, findings: Findings, tmp_path: Path) -> None:
    """The crash dialog: our sentence around the error as Python words it (left as it is)."""
    from app.crash import CrashRecord
    from app.ui.about import CrashDialog

    summary = "ZeroDivisionError: division by zero"
    findings.owner_texts.add(summary)
    record = CrashRecord("sale", summary, summary + "\nTraceback ...", tmp_path / "crash.log")
    dialog = CrashDialog(record)
    walk.qtbot.addWidget(dialog)
    dialog.show()
    walk.look("crash", dialog)
    dialog.close()
