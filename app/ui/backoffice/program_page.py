"""The program page: every rule of the loyalty program, checked as it is typed, with history."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
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
from app.domain.program import STAMP_PER, Program, ProgramProblems
from app.i18n import codes
from app.services import program as program_service
from app.services.context import Context
from app.services.program import ProgramChange
from app.ui.backoffice.settings_page import error_text, form_footer, page_title, spin
from app.ui.tasks import ServiceRunner
from app.ui.text import has_text, language, refusal, t, won

TIER_COLUMNS = ("code", "name", "min_spend", "earn_percent")
CAMPAIGN_COLUMNS = ("name", "multiplier", "bonus", "start", "end", "weekdays", "hours", "tiers")
WEEKDAYS = {"ko": "월화수목금토일", "en": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
HISTORY_SHOWN = 4


# --- reading and writing the cells of the two tables ---------------------------------------


def _number(text: str, label: str) -> int:
    """A whole number of won or points, as typed: "600,000", "600000원", "0"."""
    cleaned = unicodedata.normalize("NFKC", text).strip().removesuffix("원").replace(",", "")
    if not cleaned.isascii() or not cleaned.strip().isdigit():
        raise Refused("backoffice.number", field=label)
    return int(cleaned)


def parse_weekdays(text: str) -> list[int]:
    """'월 화 수', '월,수', 'mon tue' or blank (every day) -> [0, 1, 2]."""
    days: list[int] = []
    for token in re.split(r"[\s,·/]+", text.strip().lower()):
        if not token:
            continue
        if token in WEEKDAYS["en"]:
            days.append(WEEKDAYS["en"].index(token))
            continue
        for char in token:
            if char not in WEEKDAYS["ko"]:
                raise Refused("backoffice.weekdays")
            days.append(WEEKDAYS["ko"].index(char))
    return sorted(set(days))


def show_weekdays(days: list[int]) -> str:
    if language() == "ko":
        return " ".join(WEEKDAYS["ko"][d] for d in days)
    return " ".join(WEEKDAYS["en"][d].title() for d in days)


def parse_hours(text: str) -> list[int] | None:
    """'14-17' -> [14, 17]; blank -> all day."""
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})\s*[-~]\s*(\d{1,2})", text)
    if match is None:
        raise Refused("backoffice.hours")
    return [int(match.group(1)), int(match.group(2))]


def field_label(path: str) -> str:
    """'tiers.levels[1].earn_percent' -> '등급 2행 · 적립률 (%)', for sentences an owner reads."""
    match = re.fullmatch(r"(tiers\.levels|campaigns)\[(\d+)\](?:\.(\w+))?(?:\[\d+\])?", path)
    if match is None:
        key = f"prog.field.{path}"
        return t(key) if has_text(key) else path
    section = "prog.tiers" if match.group(1) == "tiers.levels" else "prog.campaigns"
    where = t("prog.row", section=t(section), n=int(match.group(2)) + 1)
    column = match.group(3)
    return f"{where} · {t(f'prog.col.{column}')}" if column else where


def explain_program(error: Refused) -> str:
    """The refusal with the field's path put in the owner's words."""
    if isinstance(field := error.params.get("field"), str):
        params = {**error.params, "field": field_label(field)}
        return refusal(Refused(error.code, **params))
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
        scroll = QScrollArea(widgetResizable=True)
        form_holder = QWidget()
        self.form = QVBoxLayout(form_holder)
        self.form.addWidget(page_title(t("page.program")))
        self.form.addLayout(self._templates())
        self.form.addWidget(self._points_box())
        self.form.addWidget(self._stamps_box())
        self.form.addWidget(self._tiers_box())
        self.form.addWidget(self._bonus_box())
        self.form.addWidget(self._campaigns_box())
        self.form.addStretch(1)
        scroll.setWidget(form_holder)
        outer.addWidget(scroll, 3)
        outer.addLayout(self._side(), 2)

    def _templates(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel(t("prog.template")))
        self.template_buttons: dict[str, QPushButton] = {}
        for kind in program_service.PROGRAM_TEMPLATES:
            button = QPushButton(t(f"prog.template.{kind}"), objectName=f"template_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.apply_template(k))
            self.template_buttons[kind] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

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
        self.campaigns = EditableTable(CAMPAIGN_COLUMNS, "campaignTable")
        self.campaigns.itemChanged.connect(self.revalidate)
        form.addRow(self.campaigns)
        form.addRow(self._row_buttons(self.campaigns, "campaign"))
        form.addRow(QLabel(t("prog.campaigns_hint"), objectName="hint", wordWrap=True))
        return box

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
            self.campaigns.set_rows([_campaign_cells(c) for c in document.get("campaigns", [])])
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
            "campaigns": [self._campaign(row) for row in range(self.campaigns.rowCount())],
        }

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

    def _campaign(self, row: int) -> dict[str, Any]:
        cell = self.campaigns.cell
        tiers = [c.strip().upper() for c in re.split(r"[,\s]+", cell(row, "tiers")) if c.strip()]
        return {
            "name": cell(row, "name"),
            "multiplier": cell(row, "multiplier").removesuffix("배").lower().removesuffix("x"),
            "bonus": self._whole(f"campaigns[{row}].bonus", cell(row, "bonus") or "0"),
            "start": cell(row, "start"),
            "end": cell(row, "end"),
            "weekdays": self._read(
                f"campaigns[{row}].weekdays", parse_weekdays, cell(row, "weekdays")
            ),
            "hours": self._read(f"campaigns[{row}].hours", parse_hours, cell(row, "hours")),
            "tiers": tiers,
        }

    # --- checking, trying, saving -----------------------------------------------------------

    def problems(self) -> list[Refused]:
        """Every problem of the form at once: cells that cannot be read, then the program's
        rules (a cell already said to be wrong is not said twice)."""
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


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _campaign_cells(campaign: dict[str, Any]) -> dict[str, str]:
    hours = campaign.get("hours")
    return {
        "name": str(campaign["name"]),
        "multiplier": str(campaign["multiplier"]),
        "bonus": _cell(campaign.get("bonus", 0)),
        "start": str(campaign["start"]),
        "end": str(campaign["end"]),
        "weekdays": show_weekdays(list(campaign.get("weekdays") or [])),
        "hours": f"{hours[0]}-{hours[1]}" if hours else "",
        "tiers": ", ".join(campaign.get("tiers") or []),
    }
