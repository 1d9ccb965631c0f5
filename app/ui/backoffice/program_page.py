"""The program page: every rule of the loyalty program, checked as it is typed, with history."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.earning import compute_earning
from app.domain.errors import Refused
from app.domain.money import parse_won
from app.domain.passes import BENEFITS, REFUND_RULES
from app.domain.program import MAX_BONUS, STAMP_PER, Program, ProgramProblems
from app.i18n import codes
from app.services import program as program_service
from app.services.context import Context
from app.services.program import ProgramChange
from app.ui.backoffice.settings_page import error_text, form_footer, page_title, spin
from app.ui.tasks import ServiceRunner
from app.ui.text import has_text, language, refusal, t, won

TIER_COLUMNS = ("code", "name", "min_spend", "earn_percent")
# the subscription plans' table (the program's optional "passes"; app/domain/passes.py)
PASS_COLUMNS = (
    "pass_code",
    "pass_name",
    "pass_price",
    "pass_days",
    "pass_benefit",
    "pass_percent",
    "pass_items",
    "pass_uses",
    "pass_hours",
    "pass_refund",
)
PASS_KEYS = frozenset(f"prog.col.{c}" for c in PASS_COLUMNS)
HISTORY_SHOWN = 4
CAMPAIGN_DAYS = 30  # a new campaign runs from today for this many days, until changed


# --- reading the tier table's cells and the campaign editors -----------------------------


def _number(text: str, label: str) -> int:
    """A whole number of won or points, as typed: "600,000", "600000원", "0"."""
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("원").replace(",", "")
    if not cleaned.isascii() or not cleaned.strip().isdigit():
        raise Refused("backoffice.number", field=label)
    return int(cleaned)


def field_label(path: str) -> str:
    """'tiers.levels[1].earn_percent' -> '등급 2행 · 적립률 (%)', for sentences an owner reads."""
    match = re.fullmatch(r"(tiers\.levels|campaigns|passes)\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?", path)
    if match is None:
        key = f"prog.field.{path}"
        return t(key) if has_text(key) else path
    n = int(match.group(2)) + 1
    if match.group(1) == "passes":  # a plan: its row and the plans' table's column
        column = match.group(3)
        where = t("prog.row", section=t("prog.passes"), n=n)
        if not column:
            return where
        key = "pass_uses" if column == "uses_per_day" else f"pass_{column}"
        return f"{where} · {t(f'prog.col.{key}')}" if f"prog.col.{key}" in PASS_KEYS else where
    if match.group(1) == "tiers.levels":
        where = t("prog.row", section=t("prog.tiers"), n=n)
    else:
        where = t("prog.campaign_n", n=n)
    column = match.group(3)
    return f"{where} · {t(f'prog.col.{column}')}" if column else where


def explain_program(error: Refused) -> str:
    """The refusal with the field's path put in the owner's words."""
    if isinstance(field := error.params.get("field"), str):
        label = field_label(field)
        text = refusal(Refused(error.code, **{**error.params, "field": label}))
        return text if label in text else f"{label}: {text}"  # where, even if not in the words
    return refusal(error)


def problems_text(problems: list[Refused]) -> str:
    """One problem as a sentence; several as a list, every one of them."""
    if len(problems) == 1:
        return explain_program(problems[0])
    lines = [t("prog.problems", n=len(problems))]
    lines += [f"• {explain_program(p)}" for p in problems]
    return "\n".join(lines)


def change_summary(change: ProgramChange) -> str:
    if change.first:
        return t("prog.history.first")
    if not change.changes:
        return t("prog.history.same")
    parts = [
        t("prog.history.change", field=field_label(path), before=_value(old), after=_value(new))
        for path, old, new in change.changes[:HISTORY_SHOWN]
    ]
    more = len(change.changes) - HISTORY_SHOWN
    if more > 0:
        parts.append(t("prog.history.more", n=more))
    return " · ".join(parts)


def _value(value: object) -> str:
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class EditableTable(QTableWidget):
    """A small table of text cells with rows the owner adds and removes."""

    def __init__(self, columns: tuple[str, ...], name: str) -> None:
        super().__init__(0, len(columns), objectName=name)
        self.columns = columns
        self.setHorizontalHeaderLabels([t(f"prog.col.{c}") for c in columns])
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setMinimumHeight(150)

    def set_rows(self, rows: list[dict[str, str]]) -> None:
        self.setRowCount(0)
        for row in rows:
            self.add_row(row)

    def add_row(self, values: dict[str, str] | None = None) -> None:
        index = self.rowCount()
        self.insertRow(index)
        for column, key in enumerate(self.columns):
            self.setItem(index, column, QTableWidgetItem((values or {}).get(key, "")))

    def remove_selected(self) -> None:
        for index in sorted({i.row() for i in self.selectedIndexes()}, reverse=True):
            self.removeRow(index)

    def cell(self, row: int, key: str) -> str:
        item = self.item(row, self.columns.index(key))
        return item.text().strip() if item is not None else ""


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _iso(edit: QDateEdit) -> str:
    return edit.date().toString("yyyy-MM-dd")


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit(objectName=name, calendarPopup=True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDateRange(QDate(2000, 1, 1), QDate(2099, 12, 31))
    edit.setMinimumSize(140, 44)
    return edit


def _hour_spin(name: str, minimum: int, maximum: int) -> QSpinBox:
    box = QSpinBox(objectName=name)
    box.setRange(minimum, maximum)
    box.setSuffix(t("prog.campaign.hour_suffix"))
    box.setToolTip(t("prog.campaign.hour_range", low=minimum, high=maximum))
    box.setMinimumSize(90, 44)
    return box


class CampaignEditor(QGroupBox):
    """One campaign: its name, multiplier and bonus typed; its dates, weekdays, hours and
    tiers picked. Every day / every tier is all boxes ticked (stored as an empty list)."""

    def __init__(self, on_change: Callable[[], None], on_remove: Callable[[CampaignEditor], None]):
        super().__init__()
        self.on_change = on_change
        self._loaded_days: list[int] = []
        self._loaded_tiers: list[str] = []
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        self.name = QLineEdit(objectName="campaignName")
        self.name.setPlaceholderText(t("prog.campaign.name_hint"))
        self.name.textChanged.connect(on_change)
        form.addRow(t("prog.col.name"), self.name)

        money = QHBoxLayout()
        self.multiplier = QLineEdit("2", objectName="campaignMultiplier")
        self.multiplier.setMaximumWidth(90)
        self.multiplier.setToolTip(t("prog.campaign.multiplier_hint"))
        self.multiplier.textChanged.connect(on_change)
        money.addWidget(self.multiplier)
        money.addWidget(QLabel(t("prog.campaign.times")))
        money.addSpacing(16)
        money.addWidget(QLabel(t("prog.col.bonus")))
        self.bonus = spin(0, MAX_BONUS, suffix=" P")
        self.bonus.setObjectName("campaignBonus")
        self.bonus.valueChanged.connect(on_change)
        money.addWidget(self.bonus)
        money.addStretch(1)
        form.addRow(t("prog.col.multiplier"), money)

        dates = QHBoxLayout()
        self.start = _date_edit("campaignStart")
        self.end = _date_edit("campaignEnd")
        for edit in (self.start, self.end):
            edit.dateChanged.connect(on_change)
        dates.addWidget(self.start)
        dates.addWidget(QLabel("~"))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form.addRow(t("prog.campaign.dates"), dates)

        days = QHBoxLayout()
        self.days: list[QCheckBox] = []
        for day in range(7):
            box = QCheckBox(t(f"weekday.{day}"), objectName=f"campaignDay{day}", checked=True)
            box.toggled.connect(on_change)
            self.days.append(box)
            days.addWidget(box)
        days.addStretch(1)
        form.addRow(t("prog.col.weekdays"), days)

        hours = QHBoxLayout()
        self.limit_hours = QCheckBox(t("prog.campaign.limit_hours"), objectName="campaignLimit")
        self.hour_from = _hour_spin("campaignFrom", 0, 23)
        self.hour_to = _hour_spin("campaignTo", 1, 24)
        self.hour_from.setValue(14)
        self.hour_to.setValue(17)
        self.limit_hours.toggled.connect(self._hours_shown)
        self.limit_hours.toggled.connect(on_change)
        self.hour_from.valueChanged.connect(on_change)
        self.hour_to.valueChanged.connect(on_change)
        hours.addWidget(self.limit_hours)
        hours.addWidget(self.hour_from)
        hours.addWidget(QLabel(t("prog.campaign.from")))
        hours.addWidget(self.hour_to)
        hours.addWidget(QLabel(t("prog.campaign.until")))
        hours.addStretch(1)
        self._hours_shown(False)
        form.addRow(t("prog.col.hours"), hours)

        self.tier_row = QHBoxLayout()
        self.tier_boxes: dict[str, QCheckBox] = {}
        tiers = QWidget()
        tiers.setLayout(self.tier_row)
        self.tier_row.setContentsMargins(0, 0, 0, 0)
        self.tier_row.addStretch(1)
        form.addRow(t("prog.col.tiers"), tiers)

        self.remove = QPushButton(t("prog.campaign.remove"), objectName="removeCampaign")
        self.remove.setMinimumHeight(44)
        self.remove.clicked.connect(lambda: on_remove(self))
        form.addRow("", self.remove)

    def _hours_shown(self, on: bool) -> None:
        self.hour_from.setEnabled(on)
        self.hour_to.setEnabled(on)

    def set_number(self, n: int) -> None:
        self.setTitle(t("prog.campaign_n", n=n))

    def set_tiers(self, tiers: list[tuple[str, str]]) -> None:
        """The program's tiers (code, name) as boxes; a campaign for every tier stays for every
        tier when one is added; a code the tiers no longer have stays shown (and is refused)."""
        every = bool(self.tier_boxes) and all(b.isChecked() for b in self.tier_boxes.values())
        chosen = {code for code, box in self.tier_boxes.items() if box.isChecked()}
        if not self.tier_boxes:
            every, chosen = not self._loaded_tiers, set(self._loaded_tiers)
        shown = list(tiers) + [(c, c) for c in sorted(chosen) if c not in dict(tiers)]
        if [(c, b.text()) for c, b in self.tier_boxes.items()] == shown:
            return
        for box in self.tier_boxes.values():
            self.tier_row.removeWidget(box)
            box.deleteLater()
        self.tier_boxes = {}
        for i, (code, name) in enumerate(shown):
            box = QCheckBox(name, objectName=f"campaignTier_{code}")
            box.setToolTip(code)
            box.setChecked(every or code in chosen)
            box.toggled.connect(self.on_change)
            self.tier_boxes[code] = box
            self.tier_row.insertWidget(i, box)

    def fill(self, campaign: dict[str, Any], tiers: list[tuple[str, str]]) -> None:
        self.name.setText(str(campaign.get("name", "")))
        self.multiplier.setText(str(campaign.get("multiplier", "")))
        self.bonus.setValue(int(campaign.get("bonus") or 0))
        for edit, key in ((self.start, "start"), (self.end, "end")):
            edit.setDate(_qdate(date.fromisoformat(str(campaign[key]))))
        self._loaded_days = sorted(campaign.get("weekdays") or [])
        for day, box in enumerate(self.days):
            box.setChecked(not self._loaded_days or day in self._loaded_days)
        hours = campaign.get("hours")
        self.limit_hours.setChecked(bool(hours))
        if hours:
            self.hour_from.setValue(int(hours[0]))
            self.hour_to.setValue(int(hours[1]))
        self._loaded_tiers = sorted(campaign.get("tiers") or [])
        self.set_tiers(tiers)

    def value(self, index: int, problems: list[Refused]) -> dict[str, Any]:
        """The campaign as the widgets say; no day or no tier ticked is a problem."""
        field = f"campaigns[{index}]"
        days = [day for day, box in enumerate(self.days) if box.isChecked()]
        if not days:
            problems.append(Refused("backoffice.campaign_no_day", field=f"{field}.weekdays"))
        if len(days) == 7:  # every day; a program that listed all seven keeps its list
            days = self._loaded_days if len(self._loaded_days) == 7 else []
        chosen = [code for code, box in self.tier_boxes.items() if box.isChecked()]
        if self.tier_boxes and not chosen:
            problems.append(Refused("backoffice.campaign_no_tier", field=f"{field}.tiers"))
        if chosen and len(chosen) == len(self.tier_boxes):
            chosen = self._loaded_tiers if set(self._loaded_tiers) == set(chosen) else []
        multiplier = self.multiplier.text().strip().removesuffix("배").strip()
        return {
            "name": self.name.text().strip(),
            "multiplier": multiplier.lower().removesuffix("x").strip(),
            "bonus": self.bonus.value(),
            "start": _iso(self.start),
            "end": _iso(self.end),
            "weekdays": days,
            "hours": [self.hour_from.value(), self.hour_to.value()]
            if self.limit_hours.isChecked()
            else None,
            "tiers": sorted(chosen),
        }


class CampaignList(QWidget):
    """The program's campaigns, one editor each, and a button for another."""

    def __init__(self, on_change: Callable[[], None], today: Callable[[], date]) -> None:
        super().__init__(objectName="campaigns")
        self.on_change, self.today = on_change, today
        self.editors: list[CampaignEditor] = []
        self.tiers: list[tuple[str, str]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.holder = QVBoxLayout()
        layout.addLayout(self.holder)
        self.empty = QLabel(t("prog.campaign.none"), objectName="hint")
        layout.addWidget(self.empty)
        self.add_button = QPushButton(t("prog.campaign.add"), objectName="addCampaign")
        self.add_button.setMinimumHeight(44)
        self.add_button.clicked.connect(self.add_new)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)

    def set_campaigns(self, campaigns: list[dict[str, Any]]) -> None:
        for editor in list(self.editors):
            self._drop(editor)
        for campaign in campaigns:
            self._append().fill(campaign, self.tiers)
        self._renumber()

    def add_new(self) -> CampaignEditor:
        today = self.today()
        editor = self._append()
        editor.fill(
            {
                "name": "",
                "multiplier": 2,
                "bonus": 0,
                "start": today.isoformat(),
                "end": (today + timedelta(days=CAMPAIGN_DAYS)).isoformat(),
            },
            self.tiers,
        )
        self._renumber()
        self.on_change()
        editor.name.setFocus()
        return editor

    def set_tiers(self, tiers: list[tuple[str, str]]) -> None:
        self.tiers = tiers
        for editor in self.editors:
            editor.blockSignals(True)
            editor.set_tiers(tiers)
            editor.blockSignals(False)

    def values(self, problems: list[Refused]) -> list[dict[str, Any]]:
        return [editor.value(i, problems) for i, editor in enumerate(self.editors)]

    def remove(self, editor: CampaignEditor) -> None:
        self._drop(editor)
        self._renumber()
        self.on_change()

    def _append(self) -> CampaignEditor:
        editor = CampaignEditor(self.on_change, self.remove)
        editor.setObjectName(f"campaign{len(self.editors)}")
        self.editors.append(editor)
        self.holder.addWidget(editor)
        editor.show()
        return editor

    def _drop(self, editor: CampaignEditor) -> None:
        self.editors.remove(editor)
        self.holder.removeWidget(editor)
        editor.hide()
        editor.deleteLater()

    def _renumber(self) -> None:
        for i, editor in enumerate(self.editors):
            editor.set_number(i + 1)
            editor.setObjectName(f"campaign{i}")
        self.empty.setVisible(not self.editors)


class ProgramPage(QWidget):
    """Edit, check, try and save the program; the history says who changed what, when."""

    def __init__(self, ctx: Context, runner: ServiceRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.program: Program | None = None
        self._filling = False
        self._build()
        self.saved: dict[str, Any] | None = None  # the program in force, as its JSON
        self.runner.run(lambda: program_service.show_program(ctx), self._fill_saved, self._failed)
        self.load_history()

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        outer = QHBoxLayout(self)
        self.form_scroll = scroll = QScrollArea(widgetResizable=True)
        form_holder = QWidget()
        self.form = QVBoxLayout(form_holder)
        self.form.addWidget(page_title(t("page.program")))
        self.form.addLayout(self._templates())
        self.form.addWidget(self._points_box())
        self.form.addWidget(self._stamps_box())
        self.form.addWidget(self._tiers_box())
        self.form.addWidget(self._bonus_box())
        self.form.addWidget(self._campaigns_box())
        self.form.addWidget(self._passes_box())
        self.form.addStretch(1)
        scroll.setWidget(form_holder)
        outer.addWidget(scroll, 3)
        outer.addLayout(self._side(), 2)

    def _templates(self) -> QVBoxLayout:
        """The label above its buttons, two a row: in one row they would not fit a 1024-pixel
        screen (in English least of all)."""
        column = QVBoxLayout()
        column.addWidget(QLabel(t("prog.template")))
        grid = QGridLayout()
        column.addLayout(grid)
        self.template_buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(program_service.PROGRAM_TEMPLATES):
            button = QPushButton(t(f"prog.template.{kind}"), objectName=f"template_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.apply_template(k))
            self.template_buttons[kind] = button
            grid.addWidget(button, i // 2, i % 2)
        grid.setColumnStretch(2, 1)
        return column

    def _box(self, key: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(t(key))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        return box, form

    def _spin(self, form: QFormLayout, path: str, maximum: int, suffix: str = "") -> QSpinBox:
        box = spin(0, maximum, suffix=suffix)
        box.setObjectName(path)
        box.valueChanged.connect(self.revalidate)
        form.addRow(t(f"prog.field.{path}"), box)
        return box

    def _points_box(self) -> QGroupBox:
        box, form = self._box("prog.points")
        self.min_redeem = self._spin(form, "points.min_redeem", 10_000_000, " P")
        self.redeem_unit = self._spin(form, "points.redeem_unit", 1_000_000, " P")
        self.expiry_months = self._spin(form, "points.expiry_months", 120)
        form.addRow("", QLabel(t("prog.expiry_hint"), objectName="hint"))
        return box

    def _stamps_box(self) -> QGroupBox:
        box, form = self._box("prog.stamps")
        self.stamp_goal = self._spin(form, "stamps.goal", 100)
        self.stamp_reward = QLineEdit(objectName="stamps.reward")
        self.stamp_reward.textChanged.connect(self.revalidate)
        form.addRow(t("prog.field.stamps.reward"), self.stamp_reward)
        self.stamp_per = QComboBox(objectName="stamps.per")
        for per in STAMP_PER:
            self.stamp_per.addItem(t(f"prog.per.{per}"), per)
        self.stamp_per.currentIndexChanged.connect(self.revalidate)
        form.addRow(t("prog.field.stamps.per"), self.stamp_per)
        return box

    def _tiers_box(self) -> QGroupBox:
        box, form = self._box("prog.tiers")
        self.window_months = self._spin(form, "tiers.window_months", 36)
        self.tiers = EditableTable(TIER_COLUMNS, "tierTable")
        self.tiers.itemChanged.connect(self.revalidate)
        form.addRow(self.tiers)
        form.addRow(self._row_buttons(self.tiers, "tier"))
        form.addRow(QLabel(t("prog.tiers_hint"), objectName="hint", wordWrap=True))
        return box

    def _bonus_box(self) -> QGroupBox:
        box, form = self._box("prog.bonuses")
        self.signup = self._spin(form, "bonuses.signup", 1_000_000, " P")
        self.birthday = self._spin(form, "bonuses.birthday", 1_000_000, " P")
        self.referral = self._spin(form, "bonuses.referral", 1_000_000, " P")
        return box

    def _campaigns_box(self) -> QGroupBox:
        box, form = self._box("prog.campaigns")
        self.campaigns = CampaignList(
            self.revalidate, lambda: self.ctx.local(self.ctx.now()).date()
        )
        form.addRow(self.campaigns)
        form.addRow(QLabel(t("prog.campaigns_hint"), objectName="hint", wordWrap=True))
        return box

    def _passes_box(self) -> QGroupBox:
        box, form = self._box("prog.passes")
        self.pass_plans = EditableTable(PASS_COLUMNS, "passTable")
        self.pass_plans.itemChanged.connect(self.revalidate)
        form.addRow(self.pass_plans)
        form.addRow(self._row_buttons(self.pass_plans, "pass"))
        form.addRow(QLabel(t("prog.passes_hint"), objectName="hint", wordWrap=True))
        return box

    def _plan_rows(self, plans: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [
            {
                "pass_code": str(plan.get("code", "")),
                "pass_name": str(plan.get("name", "")),
                "pass_price": _cell(plan.get("price", "")),
                "pass_days": _cell(plan.get("days", "")),
                "pass_benefit": _word("prog.pass_benefit", str(plan.get("benefit", ""))),
                "pass_percent": _cell(plan.get("percent", "")),
                "pass_items": ", ".join(str(i) for i in plan.get("items") or []),
                "pass_uses": _cell(plan.get("uses_per_day", "")),
                "pass_hours": "-".join(str(h) for h in plan.get("hours") or []),
                "pass_refund": _word("prog.pass_refund", str(plan.get("refund", ""))),
            }
            for plan in plans
        ]

    def _plan(self, row: int) -> dict[str, Any]:
        """A row of the plans' table as the program's JSON has it (blank cells left out)."""
        cell = self.pass_plans.cell
        path = f"passes[{row}]"
        plan: dict[str, Any] = {
            "code": cell(row, "pass_code"),
            "name": cell(row, "pass_name"),
            "price": self._whole(f"{path}.price", cell(row, "pass_price")),
            "days": self._whole(f"{path}.days", cell(row, "pass_days")),
            "benefit": _code("prog.pass_benefit", BENEFITS, cell(row, "pass_benefit")),
            "items": [i.strip() for i in cell(row, "pass_items").split(",") if i.strip()],
            "uses_per_day": self._whole(f"{path}.uses_per_day", cell(row, "pass_uses")),
            "refund": _code("prog.pass_refund", REFUND_RULES, cell(row, "pass_refund")),
        }
        if cell(row, "pass_percent"):
            plan["percent"] = self._whole(f"{path}.percent", cell(row, "pass_percent"))
        hours = cell(row, "pass_hours")
        if hours:
            parts = hours.replace("~", "-").split("-")
            plan["hours"] = [self._whole(f"{path}.hours", part) for part in parts]
        return plan

    def _row_buttons(self, table: EditableTable, name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        add = QPushButton(t("prog.add_row"), objectName=f"add_{name}")
        add.clicked.connect(lambda: (table.add_row(), self.revalidate()))
        remove = QPushButton(t("prog.remove_row"), objectName=f"remove_{name}")
        remove.clicked.connect(lambda: (table.remove_selected(), self.revalidate()))
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        return row

    def _side(self) -> QVBoxLayout:
        side = QVBoxLayout()
        example = QGroupBox(t("prog.example"))
        form = QFormLayout(example)
        self.example_amount = QLineEdit("12,000", objectName="exampleAmount")
        self.example_amount.textChanged.connect(self.update_example)
        self.example_tier = QComboBox(objectName="exampleTier")
        self.example_tier.currentIndexChanged.connect(self.update_example)
        form.addRow(t("prog.example.amount"), self.example_amount)
        form.addRow(t("prog.example.tier"), self.example_tier)
        self.example = QLabel(objectName="example", wordWrap=True)
        self.example.setStyleSheet("font-size: 20px; font-weight: bold; color: #2b8a3e;")
        # two lines of the result and a campaign's line, even where the column is squeezed
        self.example.setMinimumHeight(3 * 30)
        form.addRow(self.example)
        side.addWidget(example)
        footer = form_footer(
            side, "programError", t("prog.save"), "saveProgram", self.save, stacked=True
        )
        self.error, self.save_button, self.message = footer
        side.addWidget(QLabel(t("prog.history"), objectName="sectionTitle"))
        self.history = QTableWidget(0, 3, objectName="programHistory")
        self.history.setHorizontalHeaderLabels(
            [t("prog.history.when"), t("prog.history.who"), t("prog.history.what")]
        )
        header = self.history.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setVisible(False)
        self.history.setWordWrap(True)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        side.addWidget(self.history, 1)
        return side

    # --- form <-> document ----------------------------------------------------------------

    def _fill_saved(self, document: dict[str, Any]) -> None:
        self.saved = Program.from_json(document).to_json()
        self.fill(document)

    def fill(self, document: dict[str, Any]) -> None:
        """Put a program document into the form (from the database or a template)."""
        self._filling = True
        try:
            points, stamps = document["points"], document["stamps"]
            self.min_redeem.setValue(points["min_redeem"])
            self.redeem_unit.setValue(points["redeem_unit"])
            self.expiry_months.setValue(points["expiry_months"])
            self.stamp_goal.setValue(stamps["goal"])
            self.stamp_reward.setText(stamps["reward"])
            self.stamp_per.setCurrentIndex(max(0, self.stamp_per.findData(stamps["per"])))
            self.window_months.setValue(document["tiers"]["window_months"])
            self.tiers.set_rows(
                [
                    {k: _cell(level[k]) for k in TIER_COLUMNS}
                    for level in document["tiers"]["levels"]
                ]
            )
            bonuses = document["bonuses"]
            self.signup.setValue(bonuses["signup"])
            self.birthday.setValue(bonuses["birthday"])
            self.referral.setValue(bonuses["referral"])
            self.campaigns.set_tiers(self._tier_choices())
            self.campaigns.set_campaigns(list(document.get("campaigns") or []))
            self.pass_plans.set_rows(self._plan_rows(list(document.get("passes") or [])))
        finally:
            self._filling = False
        self.revalidate()

    def document(self) -> dict[str, Any]:
        """The program as the form says; cells that cannot be read are noted in
        `cell_problems` (their raw text is left in, and `cell_paths` says where)."""
        self.cell_problems: list[Refused] = []
        self.cell_paths: set[str] = set()
        return {
            "points": {
                "min_redeem": self.min_redeem.value(),
                "redeem_unit": self.redeem_unit.value(),
                "expiry_months": self.expiry_months.value(),
            },
            "stamps": {
                "goal": self.stamp_goal.value(),
                "reward": self.stamp_reward.text(),
                "per": self.stamp_per.currentData(),
            },
            "tiers": {
                "window_months": self.window_months.value(),
                "levels": [self._tier(row) for row in range(self.tiers.rowCount())],
            },
            "bonuses": {
                "signup": self.signup.value(),
                "birthday": self.birthday.value(),
                "referral": self.referral.value(),
            },
            "campaigns": self.campaigns.values(self.cell_problems),
        } | (  # no plans: no section, so the program is as it was without them
            {"passes": [self._plan(row) for row in range(self.pass_plans.rowCount())]}
            if self.pass_plans.rowCount()
            else {}
        )

    def _tier_choices(self) -> list[tuple[str, str]]:
        """The tiers a campaign can be for, as the tier table says now: (code, name)."""
        choices: dict[str, str] = {}
        for row in range(self.tiers.rowCount()):
            code = self.tiers.cell(row, "code").upper()
            if code:
                choices.setdefault(code, self.tiers.cell(row, "name") or code)
        return list(choices.items())

    def _read(self, path: str, read: Any, text: str) -> Any:
        """A cell read by `read`, or its text with the problem noted (every cell is read)."""
        try:
            return read(text)
        except Refused as problem:
            self.cell_problems.append(problem)
            self.cell_paths.add(path)
            return text

    def _whole(self, path: str, text: str) -> Any:
        return self._read(path, lambda x: _number(x, field_label(path)), text)

    def _tier(self, row: int) -> dict[str, Any]:
        cell = self.tiers.cell
        return {
            "code": cell(row, "code").upper(),
            "name": cell(row, "name"),
            "min_spend": self._whole(f"tiers.levels[{row}].min_spend", cell(row, "min_spend")),
            "earn_percent": cell(row, "earn_percent").removesuffix("%").strip(),
        }

    # --- checking, trying, saving -----------------------------------------------------------

    def problems(self) -> list[Refused]:
        """Every problem of the form at once: cells that cannot be read, then the program's
        rules (a cell already said to be wrong is not said twice)."""
        self.campaigns.set_tiers(self._tier_choices())
        document = self.document()
        found: list[Refused] = []
        try:
            self.program = Program.from_json(document)
        except ProgramProblems as refused:
            found = list(refused.problems)
        except Refused as refused:
            found = [refused]
        problems = self.cell_problems + [
            p for p in found if p.params.get("field") not in self.cell_paths
        ]
        if problems:
            self.program = None
        return problems

    def revalidate(self) -> None:
        if self._filling:
            return
        problems = self.problems()
        if problems:
            self.error.setText(problems_text(problems))
            self.error.show()
        else:
            self.error.hide()
        changed = self._changed()
        self.save_button.setEnabled(changed)
        if changed:
            self.message.setText("")  # "nothing changed" or "saved" no longer holds
        self._refresh_tiers()
        self.update_example()

    def _changed(self) -> bool:
        """Whether the form says something else than the program in force (a save that
        changes nothing would be a version, and a line of history, for nothing)."""
        return self.program is not None and self.program.to_json() != self.saved

    def _refresh_tiers(self) -> None:
        if self.program is None:
            return
        wanted = self.example_tier.currentData()
        self.example_tier.blockSignals(True)
        self.example_tier.clear()
        for level in self.program.tiers.levels:
            self.example_tier.addItem(level.name, level.code)
        index = self.example_tier.findData(wanted)
        self.example_tier.setCurrentIndex(index if index >= 0 else self.example_tier.count() - 1)
        self.example_tier.blockSignals(False)

    def update_example(self) -> None:
        """'12,000원 구매 → 골드 480P, 스탬프 +1' with the form's program, at this moment."""
        if self.program is None:
            self.example.setText("")
            return
        try:
            amount = parse_won(self.example_amount.text())
            tier = self.program.tier(self.example_tier.currentData() or "")
            earning = compute_earning(
                self.program,
                amount=amount,
                items=1,
                tier_code=tier.code,
                local_time=self.ctx.local(self.ctx.now()),
            )
        except Refused as error:
            self.example.setText(refusal(error))
            return
        text = t(
            "prog.example.result",
            amount=won(amount),
            tier=tier.name,
            points=f"{earning.total_points:,}",
            stamps=earning.stamps,
        )
        if earning.campaigns:
            text += "\n" + t("prog.example.campaigns", names=", ".join(earning.campaigns))
        self.example.setText(text)

    def apply_template(self, kind: str) -> None:
        """Fill the form from a template; nothing is saved until the owner presses Save."""
        self.fill(program_service.program_template(kind))
        self.message.setText(t("prog.template_applied", name=t(f"prog.template.{kind}")))

    def save(self) -> None:
        problems = self.problems()
        if problems:
            self.error.setText(problems_text(problems))
            self.error.show()
            return
        if not self._changed():
            self.message.setText(t("prog.unchanged"))
            return
        document = self.document()
        self.save_button.setEnabled(False)
        self.runner.run(
            lambda: program_service.load_program(self.ctx, document), self._saved, self._failed
        )

    def _saved(self, program: Program) -> None:
        self.saved = program.to_json()
        self.save_button.setEnabled(False)
        self.message.setText(t("prog.saved"))
        self.load_history()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(self.program is not None)
        text = explain_program(error) if isinstance(error, Refused) else error_text(error)
        self.error.setText(text)
        self.error.show()

    # --- history ---------------------------------------------------------------------------

    def load_history(self) -> None:
        self.runner.run(
            lambda: program_service.program_history(self.ctx), self.show_history, self._failed
        )

    def show_history(self, history: list[ProgramChange]) -> None:
        self.history.setRowCount(len(history))
        for row, change in enumerate(history):
            when = self.ctx.local(change.created_at).strftime("%Y-%m-%d %H:%M")
            cells = (when, codes.staff_name(language(), change.staff_name), change_summary(change))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.history.setItem(row, column, item)
        self.history.resizeRowsToContents()


def _word(prefix: str, code: str) -> str:
    """A plan's benefit or refund rule in the owner's words ("무료 품목", "환불 없음")."""
    key = f"{prefix}.{code}"
    return t(key) if has_text(key) else code


def _code(prefix: str, codes: tuple[str, ...], text: str) -> str:
    """The code of the words typed (or the code itself); anything else as typed, refused."""
    for code in codes:
        if text in (code, t(f"{prefix}.{code}")):
            return code
    return text


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
