"""The owner's loyalty program: its public JSON shape, validated into typed values.

Decisions:

* Required sections: "points", "stamps", "tiers", "bonuses"; "campaigns" may be absent (none).
  In a campaign, "weekdays", "hours" and "tiers" may be absent (every day, all day, all tiers).
* A campaign's optional "holidays" (issue 19): "only" (Korean public holidays only) or "except"
  (never on them); absent = holidays are days like any other, and to_json() leaves it out.
* Integer fields take int (or an integral Decimal/float); earn_percent and multiplier also take
  float (read through str(), 2.5 -> Decimal("2.5")) or str, with at most 2 decimal places so
  that to_json()'s floats read back exactly.
* expiry_months 0 means points never expire. min_redeem must be a multiple of redeem_unit
  (0 = no minimum beyond one unit). earn_percent is 0..100; a multiplier is 1..100.
* "passes" (subscription plans, app/domain/passes.py) may be absent (none); to_json() then
  leaves it out, so a program without plans reads and writes exactly as before.
* Upper bounds, so that no accepted program can overflow a date or a ledger integer: expiry
  <= 120 months, stamp goal <= 100, tier window <= 24 months, bonuses, redeem unit, minimum
  redemption and campaign bonus <= 10,000,000, a tier threshold <= 10,000,000,000 won; a
  document nested deeper than 8 levels is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from app.domain.calendar import impossible_day
from app.domain.errors import Refused
from app.domain.passes import (
    BENEFITS,
    MAX_PASS_DAYS,
    MAX_PASS_PRICE,
    MAX_PLANS,
    MAX_USES_PER_DAY,
    REFUND_RULES,
    PassPlan,
)
from app.domain.wallet import MAX_WALLET_WON, CashbackRules

STAMP_PER = ("visit", "item", "none")
CAMPAIGN_HOLIDAYS = ("only", "except")  # "none": a points-only program, no stamp card
MAX_DECIMAL_PLACES = 2
MAX_MULTIPLIER = Decimal(100)
# bounds so that no accepted program can overflow a date or a ledger integer in a sale or a run
MAX_EXPIRY_MONTHS = 120
MAX_BONUS = 10_000_000  # bonuses, redeem unit, minimum redemption, campaign bonus (points)
MAX_MIN_SPEND = 10_000_000_000  # a tier threshold, won over its window
MAX_STAMP_GOAL = 100
MAX_WINDOW_MONTHS = 24
MAX_PROGRAM_DEPTH = 8  # the public shape is 4 deep; anything deeper is not a program

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_T = TypeVar("_T")


@dataclass(frozen=True)
class PointsRules:
    min_redeem: int
    redeem_unit: int
    expiry_months: int  # 0 = never


@dataclass(frozen=True)
class StampRules:
    goal: int
    reward: str
    per: str  # "visit" | "item" | "none"

    @property
    def enabled(self) -> bool:
        return self.per != "none"


@dataclass(frozen=True)
class TierLevel:
    code: str
    name: str
    min_spend: int  # won over the whole window
    earn_percent: Decimal


@dataclass(frozen=True)
class TierRules:
    window_months: int
    levels: tuple[TierLevel, ...]  # sorted by min_spend; the first has min_spend 0


@dataclass(frozen=True)
class Bonuses:
    signup: int
    birthday: int
    referral: int


@dataclass(frozen=True)
class Campaign:
    name: str
    multiplier: Decimal
    bonus: int
    start: date  # inclusive, local
    end: date  # inclusive, local
    weekdays: frozenset[int]  # 0 = Monday; empty = every day
    hours: tuple[int, int] | None  # [from, to) local hours; None = all day
    tiers: frozenset[str]  # empty = all tiers
    holidays: str | None = None  # "only" / "except" Korean public holidays; None = ignore them

    def applies(self, local_time: datetime, tier_code: str) -> bool:
        """Whether a sale at this local wall-clock time, by a customer of this tier, qualifies."""
        if local_time.tzinfo is None:
            raise ValueError("local_time must be timezone-aware")
        if not self.start <= local_time.date() <= self.end:
            return False
        if self.weekdays and local_time.weekday() not in self.weekdays:
            return False
        if self.hours is not None and not self.hours[0] <= local_time.hour < self.hours[1]:
            return False
        if self.holidays is not None:
            from app.domain.korean_calendar import is_public_holiday

            if is_public_holiday(local_time.date()) != (self.holidays == "only"):
                return False
        return not self.tiers or tier_code in self.tiers


@dataclass(frozen=True)
class Program:
    points: PointsRules
    stamps: StampRules
    tiers: TierRules
    bonuses: Bonuses
    campaigns: tuple[Campaign, ...] = ()
    passes: tuple[PassPlan, ...] = ()  # subscription plans; absent from the JSON = none
    cashback: CashbackRules | None = None  # the wallet (적립금, 선불 충전); None = no wallet

    @classmethod
    def from_json(cls, data: object) -> Program:
        """Validate the public JSON shape; refuse with every problem found (ProgramProblems:
        the first problem's code and field, and all of them in `problems`)."""
        _check_depth(data)
        found = _Problems()
        required = ("points", "stamps", "tiers", "bonuses")
        root = _section(data, "", required, ("campaigns", "passes", "cashback"), found)
        tiers = found.get(_tier_rules, root["tiers"], found) if "tiers" in root else None
        codes = frozenset(level.code for level in tiers.levels) if tiers else None
        campaigns = found.get(_list, root.get("campaigns", []), "campaigns") or []
        points = found.get(_points_rules, root["points"], found) if "points" in root else None
        stamps = found.get(_stamp_rules, root["stamps"], found) if "stamps" in root else None
        bonuses = found.get(_bonuses, root["bonuses"], found) if "bonuses" in root else None
        checked = [
            found.get(_campaign, item, f"campaigns[{i}]", codes, found)
            for i, item in enumerate(campaigns)
        ]
        plans = found.get(_pass_plans, root.get("passes", []), found) or ()
        cashback = found.field(root, "cashback", _cashback_rules, codes, found)
        found.raise_any()
        assert points and stamps and tiers and bonuses  # else a problem was raised above
        return cls(
            points=points,
            stamps=stamps,
            tiers=tiers,
            bonuses=bonuses,
            campaigns=tuple(c for c in checked if c is not None),
            passes=plans,
            cashback=cashback,
        )

    def to_json(self) -> dict[str, object]:
        """The public JSON shape; Program.from_json(p.to_json()) == p."""
        shape = self._to_json()
        if self.cashback is not None:  # only a program with a wallet has the section
            shape["cashback"] = self.cashback.to_json()
        return shape

    def _to_json(self) -> dict[str, object]:
        return {
            "points": {
                "min_redeem": self.points.min_redeem,
                "redeem_unit": self.points.redeem_unit,
                "expiry_months": self.points.expiry_months,
            },
            "stamps": {
                "goal": self.stamps.goal,
                "reward": self.stamps.reward,
                "per": self.stamps.per,
            },
            "tiers": {
                "window_months": self.tiers.window_months,
                "levels": [
                    {
                        "code": level.code,
                        "name": level.name,
                        "min_spend": level.min_spend,
                        "earn_percent": _json_number(level.earn_percent),
                    }
                    for level in self.tiers.levels
                ],
            },
            "bonuses": {
                "signup": self.bonuses.signup,
                "birthday": self.bonuses.birthday,
                "referral": self.bonuses.referral,
            },
            "campaigns": [_campaign_json(c) for c in self.campaigns],
        } | ({"passes": [plan.to_json() for plan in self.passes]} if self.passes else {})

    def plan(self, code: str) -> PassPlan | None:
        """The subscription plan with this code (None when the program has none such)."""
        return next((plan for plan in self.passes if plan.code == code), None)

    def tier(self, code: str) -> TierLevel:
        """The level with this code; an unknown code gets the lowest level."""
        for level in self.tiers.levels:
            if level.code == code:
                return level
        return self.tiers.levels[0]


def _campaign_json(campaign: Campaign) -> dict[str, object]:
    out: dict[str, object] = {
        "name": campaign.name,
        "multiplier": _json_number(campaign.multiplier),
        "bonus": campaign.bonus,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "weekdays": sorted(campaign.weekdays),
        "hours": list(campaign.hours) if campaign.hours is not None else None,
        "tiers": sorted(campaign.tiers),
    }
    if campaign.holidays is not None:
        out["holidays"] = campaign.holidays
    return out


def _json_number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(str(value))


# --- reading the JSON -------------------------------------------------------------------------


class ProgramProblems(Refused):
    """A program refused for one or more problems: the first one's code and fields (what a
    single refusal said before), and every problem, in the document's order, in `problems`."""

    def __init__(self, problems: list[Refused]) -> None:
        super().__init__(problems[0].code, **problems[0].params)
        self.problems = tuple(problems)


class _Problems:
    """Every problem of a document, each field checked on its own so that one does not hide
    the next."""

    def __init__(self) -> None:
        self.problems: list[Refused] = []

    def get(self, check: Callable[..., _T], *args: object) -> _T | None:
        try:
            return check(*args)
        except ProgramProblems as many:
            self.problems.extend(many.problems)
        except Refused as problem:
            self.problems.append(problem)
        return None

    def field(
        self, section: Mapping[str, object], key: str, check: Callable[..., _T], *args: object
    ) -> _T | None:
        """The checked value of `key` (None when it is missing, already noted, or refused)."""
        return self.get(check, section[key], *args) if key in section else None

    def add(self, problem: Refused) -> None:
        self.problems.append(problem)

    def mark(self) -> int:
        return len(self.problems)

    def clean_since(self, mark: int) -> bool:
        return len(self.problems) == mark

    def raise_any(self) -> None:
        if self.problems:
            raise ProgramProblems(self.problems)


def read_program_text(text: str) -> object:
    """A program file's JSON, refused in words when too deeply nested (json.loads would recurse)."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_PROGRAM_DEPTH:
                raise Refused("program.too_deep", maximum=MAX_PROGRAM_DEPTH)
        elif ch in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise Refused("program.file_invalid", detail=str(exc)) from exc


def _check_depth(data: object) -> None:
    """Refuse a document nested deeper than any program, without recursing into it."""
    level: list[object] = [data]
    for _ in range(MAX_PROGRAM_DEPTH):
        level = [
            child
            for item in level
            if isinstance(item, Mapping | list | tuple)
            for child in (item.values() if isinstance(item, Mapping) else item)
        ]
        if not level:
            return
    if any(isinstance(item, Mapping | list | tuple) for item in level):
        raise Refused("program.too_deep", maximum=MAX_PROGRAM_DEPTH)


def _path(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _section(
    data: object,
    field: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    found: _Problems | None = None,
) -> Mapping[str, object]:
    """The object at `field`; an unknown or missing key is a problem (raised at once, or noted
    in `found` and the rest of the object still read)."""
    if not isinstance(data, Mapping):
        raise Refused("program.type", field=field or "program", expected="object")
    problems = []
    for key in data:
        if key not in required and key not in optional:
            problems.append(Refused("program.unknown_key", field=_path(field, str(key))))
    for key in required:
        if key not in data:
            problems.append(Refused("program.missing", field=_path(field, key)))
    if problems and found is None:
        raise problems[0]
    for problem in problems:
        assert found is not None
        found.add(problem)
    return data


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise Refused("program.type", field=field, expected="list")
    return list(value)


def _int(value: object, field: str, minimum: int = 0, maximum: int = MAX_BONUS) -> int:
    """A whole number in minimum..maximum; integral Decimal/float accepted, bool refused."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        raise Refused("program.type", field=field, expected="integer")
    if isinstance(value, int):
        number = value
    else:
        exact = Decimal(str(value)) if isinstance(value, float) else value
        if not exact.is_finite() or exact != exact.to_integral_value():
            raise Refused("program.type", field=field, expected="integer")
        number = int(exact)
    if number < 0:
        raise Refused("program.negative", field=field)
    if number < minimum:
        raise Refused("program.too_small", field=field, minimum=minimum)
    if number > maximum:
        raise Refused("program.too_large", field=field, maximum=f"{maximum:,}")
    return number


def _decimal(value: object, field: str) -> Decimal:
    """A rate: int, Decimal, float (through str) or str, with at most 2 decimal places."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise Refused("program.type", field=field, expected="number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise Refused("program.type", field=field, expected="number") from None
    if not number.is_finite():
        raise Refused("program.type", field=field, expected="number")
    if number < 0:
        raise Refused("program.negative", field=field)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise Refused("program.precision", field=field, places=MAX_DECIMAL_PLACES)
    return number


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise Refused("program.type", field=field, expected="text")
    text = value.strip()
    if not text:
        raise Refused("program.empty_text", field=field)
    return text


def _date(value: object, field: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise Refused("program.date", field=field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        if impossible_day(value):  # the right shape, a day the calendar lacks
            raise Refused("program.date_not_exist", field=field, value=value) from None
        raise Refused("program.date", field=field) from None


def _points_rules(data: object, found: _Problems) -> PointsRules | None:
    mark = found.mark()
    section = _section(data, "points", ("min_redeem", "redeem_unit", "expiry_months"), (), found)
    unit = found.field(section, "redeem_unit", _int, "points.redeem_unit", 1)
    min_redeem = found.field(section, "min_redeem", _int, "points.min_redeem")
    if unit is not None and min_redeem is not None and min_redeem % unit:
        found.add(Refused("program.min_redeem_unit", field="points.min_redeem", unit=unit))
    expiry = found.field(
        section, "expiry_months", _int, "points.expiry_months", 0, MAX_EXPIRY_MONTHS
    )
    if not found.clean_since(mark):
        return None
    assert unit is not None and min_redeem is not None and expiry is not None
    return PointsRules(min_redeem=min_redeem, redeem_unit=unit, expiry_months=expiry)


def _stamp_goal(value: object) -> int:
    goal = _int(value, "stamps.goal", maximum=MAX_STAMP_GOAL)
    if goal < 1:
        raise Refused("program.stamp_goal", field="stamps.goal")
    return goal


def _stamp_per(value: object) -> str:
    if value not in STAMP_PER:
        raise Refused("program.stamp_per", field="stamps.per", value=str(value))
    return str(value)


def _stamp_rules(data: object, found: _Problems) -> StampRules | None:
    mark = found.mark()
    section = _section(data, "stamps", ("goal", "reward", "per"), (), found)
    goal = found.field(section, "goal", _stamp_goal)
    per = found.field(section, "per", _stamp_per)
    reward = found.field(section, "reward", _text, "stamps.reward")
    if not found.clean_since(mark):
        return None
    assert goal is not None and per is not None and reward is not None
    return StampRules(goal=goal, reward=reward, per=per)


def _tier_rules(data: object, found: _Problems) -> TierRules | None:
    mark = found.mark()
    section = _section(data, "tiers", ("window_months", "levels"), (), found)
    window = found.field(
        section, "window_months", _int, "tiers.window_months", 1, MAX_WINDOW_MONTHS
    )
    items = found.field(section, "levels", _list, "tiers.levels")
    levels: list[TierLevel | None] = []
    if items is not None and not items:
        found.add(Refused("program.tiers_empty", field="tiers.levels"))
    for i, item in enumerate(items or []):
        levels.append(found.get(_tier_level, item, f"tiers.levels[{i}]", found))
    _check_tier_ladder(levels, found)
    if not found.clean_since(mark):
        return None
    assert window is not None
    return TierRules(window_months=window, levels=tuple(lv for lv in levels if lv is not None))


def _earn_percent(value: object, field: str) -> Decimal:
    percent = _decimal(value, field)
    if percent > 100:
        raise Refused("program.earn_percent", field=field)
    return percent


def _tier_level(data: object, field: str, found: _Problems) -> TierLevel | None:
    mark = found.mark()
    section = _section(data, field, ("code", "name", "min_spend", "earn_percent"), (), found)
    code = found.field(section, "code", _text, f"{field}.code")
    name = found.field(section, "name", _text, f"{field}.name")
    min_spend = found.field(section, "min_spend", _int, f"{field}.min_spend", 0, MAX_MIN_SPEND)
    percent = found.field(section, "earn_percent", _earn_percent, f"{field}.earn_percent")
    if not found.clean_since(mark):
        return None
    assert code is not None and name is not None and min_spend is not None
    assert percent is not None
    return TierLevel(code=code, name=name, min_spend=min_spend, earn_percent=percent)


def _check_tier_ladder(levels: list[TierLevel | None], found: _Problems) -> None:
    """The first level starts at 0, codes are unique, thresholds rise: every break noted."""
    if levels and levels[0] is not None and levels[0].min_spend != 0:
        found.add(Refused("program.tier_first", field="tiers.levels[0].min_spend"))
    seen: set[str] = set()
    previous: TierLevel | None = None
    for i, level in enumerate(levels):
        if level is None:
            previous = None  # a broken row: the order is checked again from the next one
            continue
        if level.code in seen:
            found.add(
                Refused("program.tier_duplicate", field=f"tiers.levels[{i}].code", tier=level.code)
            )
        seen.add(level.code)
        if previous is not None and level.min_spend <= previous.min_spend:
            found.add(Refused("program.tier_order", field=f"tiers.levels[{i}].min_spend"))
        previous = level


def _bonuses(data: object, found: _Problems) -> Bonuses | None:
    mark = found.mark()
    section = _section(data, "bonuses", ("signup", "birthday", "referral"), (), found)
    signup = found.field(section, "signup", _int, "bonuses.signup")
    birthday = found.field(section, "birthday", _int, "bonuses.birthday")
    referral = found.field(section, "referral", _int, "bonuses.referral")
    if not found.clean_since(mark):
        return None
    assert signup is not None and birthday is not None and referral is not None
    return Bonuses(signup=signup, birthday=birthday, referral=referral)


def _multiplier(value: object, field: str) -> Decimal:
    multiplier = _decimal(value, field)
    if not 1 <= multiplier <= MAX_MULTIPLIER:
        raise Refused("program.multiplier", field=field, max=int(MAX_MULTIPLIER))
    return multiplier


def _campaign(
    data: object, field: str, tier_codes: frozenset[str] | None, found: _Problems
) -> Campaign | None:
    mark = found.mark()
    section = _section(
        data,
        field,
        ("name", "multiplier", "bonus", "start", "end"),
        ("weekdays", "hours", "tiers", "holidays"),
        found,
    )
    name = found.field(section, "name", _text, f"{field}.name")
    multiplier = found.field(section, "multiplier", _multiplier, f"{field}.multiplier")
    bonus = found.field(section, "bonus", _int, f"{field}.bonus")
    start = found.field(section, "start", _date, f"{field}.start")
    end = found.field(section, "end", _date, f"{field}.end")
    if start is not None and end is not None and end < start:
        found.add(Refused("program.campaign_dates", field=f"{field}.end"))
    weekdays = found.get(_weekdays, section.get("weekdays", []), f"{field}.weekdays")
    hours = found.get(_hours, section.get("hours"), f"{field}.hours")
    on_holidays = section.get("holidays")
    if on_holidays is not None and on_holidays not in CAMPAIGN_HOLIDAYS:
        found.add(Refused("program.campaign_holidays", field=f"{field}.holidays"))
    tiers = (
        found.get(_campaign_tiers, section.get("tiers", []), f"{field}.tiers", tier_codes)
        if tier_codes is not None
        else None  # the tiers are broken: that is the problem said, not each campaign's codes
    )
    if not found.clean_since(mark) or tier_codes is None:
        return None
    assert name is not None and multiplier is not None and bonus is not None
    assert start is not None and end is not None and weekdays is not None and tiers is not None
    return Campaign(
        name=name,
        multiplier=multiplier,
        bonus=bonus,
        start=start,
        end=end,
        weekdays=weekdays,
        hours=hours,
        tiers=tiers,
        holidays=str(on_holidays) if on_holidays is not None else None,
    )


def _weekdays(value: object, field: str) -> frozenset[int]:
    days = [_int(day, f"{field}[{i}]") for i, day in enumerate(_list(value, field))]
    for i, day in enumerate(days):
        if day > 6:
            raise Refused("program.campaign_weekday", field=f"{field}[{i}]")
    return frozenset(days)


def _hours(value: object, field: str) -> tuple[int, int] | None:
    if value is None:
        return None
    pair = _list(value, field)
    if len(pair) != 2:
        raise Refused("program.campaign_hours", field=field)
    start, end = (_int(hour, f"{field}[{i}]") for i, hour in enumerate(pair))
    if not 0 <= start < end <= 24:
        raise Refused("program.campaign_hours", field=field)
    return (start, end)


def _campaign_tiers(value: object, field: str, tier_codes: frozenset[str]) -> frozenset[str]:
    codes = [_text(code, f"{field}[{i}]") for i, code in enumerate(_list(value, field))]
    for i, code in enumerate(codes):
        if code not in tier_codes:
            raise Refused("program.campaign_tier", field=f"{field}[{i}]", tier=code)
    return frozenset(codes)


# --- the subscription plans (the optional "passes" list; rules in app/domain/passes.py) ---

_PLAN_CODE = re.compile(r"[A-Za-z0-9_-]{1,20}")
_PLAN_KEYS = ("code", "name", "price", "days", "benefit", "uses_per_day", "refund")


def _pass_plans(value: object, found: _Problems) -> tuple[PassPlan, ...]:
    plans = _list(value, "passes")
    if len(plans) > MAX_PLANS:
        raise Refused("program.too_large", field="passes", maximum=f"{MAX_PLANS:,}")
    checked = [found.get(_pass_plan, item, f"passes[{i}]", found) for i, item in enumerate(plans)]
    seen: set[str] = set()
    for i, plan in enumerate(checked):
        if plan is not None and plan.code in seen:
            found.add(Refused("program.pass_code_twice", field=f"passes[{i}].code", code=plan.code))
        if plan is not None:
            seen.add(plan.code)
    return tuple(plan for plan in checked if plan is not None)


def _pass_plan(data: object, field: str, found: _Problems) -> PassPlan | None:
    mark = found.mark()
    section = _section(data, field, _PLAN_KEYS, ("percent", "items", "hours"), found)
    code = found.field(section, "code", _text, f"{field}.code")
    if code is not None and not _PLAN_CODE.fullmatch(code):
        found.add(Refused("program.pass_code", field=f"{field}.code"))
    name = found.field(section, "name", _text, f"{field}.name")
    price = found.field(section, "price", _int, f"{field}.price", 0, MAX_PASS_PRICE)
    days = found.field(section, "days", _int, f"{field}.days", 1, MAX_PASS_DAYS)
    uses = found.field(section, "uses_per_day", _int, f"{field}.uses_per_day", 1, MAX_USES_PER_DAY)
    benefit = section.get("benefit")
    if "benefit" in section and benefit not in BENEFITS:
        found.add(Refused("program.pass_benefit", field=f"{field}.benefit", value=str(benefit)))
    refund = section.get("refund")
    if "refund" in section and refund not in REFUND_RULES:
        found.add(Refused("program.pass_refund", field=f"{field}.refund", value=str(refund)))
    percent = 0
    if benefit == "percent_off":
        if "percent" not in section:
            found.add(Refused("program.missing", field=f"{field}.percent"))
        else:
            percent = found.field(section, "percent", _int, f"{field}.percent", 1, 100) or 0
    elif "percent" in section:
        found.add(Refused("program.unknown_key", field=f"{field}.percent"))
    raw_items = found.get(_list, section.get("items", []), f"{field}.items") or []
    items = [found.get(_text, item, f"{field}.items[{i}]") for i, item in enumerate(raw_items)]
    if benefit == "free_item" and not raw_items:
        found.add(Refused("program.pass_free_item", field=f"{field}.items"))
    hours = found.get(_pass_hours, section.get("hours"), f"{field}.hours")
    if not found.clean_since(mark):
        return None
    assert code and name and price is not None and days and uses
    return PassPlan(
        code=code,
        name=name,
        price=price,
        days=days,
        benefit=str(benefit),
        percent=percent,
        items=tuple(item for item in items if item),
        uses_per_day=uses,
        hours=hours,
        refund=str(refund),
    )


def _pass_hours(value: object, field: str) -> tuple[int, int] | None:
    try:
        return _hours(value, field)
    except Refused as problem:
        if problem.code == "program.campaign_hours":
            raise Refused("program.pass_hours", field=field) from None
        raise


def _cashback_rules(
    data: object, tier_codes: frozenset[str] | None, found: _Problems
) -> CashbackRules | None:
    """The optional "cashback" section (the wallet); every key but "percent" or "flat" may be
    absent (0). "percent" maps tier codes to a rate (0..100); a tier it omits earns 0 %."""
    mark = found.mark()
    keys = ("percent", "flat", "max_per_sale", "min_purchase", "expiry_months", "prepaid_limit")
    section = _section(data, "cashback", (), keys, found)
    rates = found.get(_cashback_percent, section.get("percent", {}), tier_codes)
    flat = found.get(_int, section.get("flat", 0), "cashback.flat", 0, MAX_BONUS)
    cap = found.get(_int, section.get("max_per_sale", 0), "cashback.max_per_sale", 0, MAX_BONUS)
    minimum = found.get(_int, section.get("min_purchase", 0), "cashback.min_purchase", 0, MAX_BONUS)
    expiry = found.get(
        _int, section.get("expiry_months", 0), "cashback.expiry_months", 0, MAX_EXPIRY_MONTHS
    )
    limit = found.get(
        _int, section.get("prepaid_limit", 0), "cashback.prepaid_limit", 0, MAX_WALLET_WON
    )
    if "percent" not in section and "flat" not in section:
        found.add(Refused("program.missing", field="cashback.percent"))
    if not found.clean_since(mark):
        return None
    assert rates is not None and flat is not None and cap is not None and minimum is not None
    assert expiry is not None and limit is not None
    return CashbackRules(
        percent=rates,
        flat=flat,
        max_per_sale=cap,
        min_purchase=minimum,
        expiry_months=expiry,
        prepaid_limit=limit,
    )


def _cashback_percent(
    value: object, tier_codes: frozenset[str] | None
) -> tuple[tuple[str, Decimal], ...]:
    if not isinstance(value, Mapping):
        raise Refused("program.type", field="cashback.percent", expected="object")
    rates = []
    for code, rate in value.items():
        field = f"cashback.percent.{code}"
        if tier_codes is not None and code not in tier_codes:
            raise Refused("program.cashback_tier", field=field, tier=str(code))
        rates.append((str(code), _earn_percent(rate, field)))
    return tuple(rates)


DEFAULT_PROGRAM_JSON: dict[str, object] = {
    "points": {"min_redeem": 1000, "redeem_unit": 100, "expiry_months": 12},
    "stamps": {"goal": 10, "reward": "아메리카노 1잔", "per": "visit"},
    "tiers": {
        "window_months": 3,
        "levels": [
            {"code": "BASIC", "name": "베이직", "min_spend": 0, "earn_percent": 2},
            {"code": "SILVER", "name": "실버", "min_spend": 600000, "earn_percent": 3},
            {"code": "GOLD", "name": "골드", "min_spend": 1500000, "earn_percent": 4},
            {"code": "PLATINUM", "name": "플래티넘", "min_spend": 3000000, "earn_percent": 5},
        ],
    },
    "bonuses": {"signup": 0, "birthday": 0, "referral": 0},
    "campaigns": [],
}

DEFAULT_PROGRAM: Program = Program.from_json(DEFAULT_PROGRAM_JSON)
