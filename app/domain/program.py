"""The owner's loyalty program: its public JSON shape, validated into typed values.

Decisions:

* Required sections: "points", "stamps", "tiers", "bonuses"; "campaigns" may be absent (none).
  In a campaign, "weekdays", "hours" and "tiers" may be absent (every day, all day, all tiers).
* Integer fields take int (or an integral Decimal/float); earn_percent and multiplier also take
  float (read through str(), 2.5 -> Decimal("2.5")) or str, with at most 2 decimal places so
  that to_json()'s floats read back exactly.
* expiry_months 0 means points never expire. min_redeem must be a multiple of redeem_unit
  (0 = no minimum beyond one unit). earn_percent is 0..100; a multiplier is 1..100.
* Upper bounds, so that no accepted program can overflow a date or a ledger integer: expiry
  <= 120 months, stamp goal <= 100, tier window <= 24 months, bonuses, redeem unit, minimum
  redemption and campaign bonus <= 10,000,000, a tier threshold <= 10,000,000,000 won; a
  document nested deeper than 8 levels is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.domain.calendar import impossible_day
from app.domain.errors import Refused

STAMP_PER = ("visit", "item", "none")  # "none": a points-only program, no stamp card
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
        return not self.tiers or tier_code in self.tiers


@dataclass(frozen=True)
class Program:
    points: PointsRules
    stamps: StampRules
    tiers: TierRules
    bonuses: Bonuses
    campaigns: tuple[Campaign, ...] = ()

    @classmethod
    def from_json(cls, data: object) -> Program:
        """Validate the public JSON shape; refuse with a code and the field path."""
        _check_depth(data)
        root = _section(data, "", ("points", "stamps", "tiers", "bonuses"), ("campaigns",))
        tiers = _tier_rules(root["tiers"])
        codes = frozenset(level.code for level in tiers.levels)
        campaigns = _list(root.get("campaigns", []), "campaigns")
        return cls(
            points=_points_rules(root["points"]),
            stamps=_stamp_rules(root["stamps"]),
            tiers=tiers,
            bonuses=_bonuses(root["bonuses"]),
            campaigns=tuple(
                _campaign(item, f"campaigns[{i}]", codes) for i, item in enumerate(campaigns)
            ),
        )

    def to_json(self) -> dict[str, object]:
        """The public JSON shape; Program.from_json(p.to_json()) == p."""
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
        }

    def tier(self, code: str) -> TierLevel:
        """The level with this code; an unknown code gets the lowest level."""
        for level in self.tiers.levels:
            if level.code == code:
                return level
        return self.tiers.levels[0]


def _campaign_json(campaign: Campaign) -> dict[str, object]:
    return {
        "name": campaign.name,
        "multiplier": _json_number(campaign.multiplier),
        "bonus": campaign.bonus,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "weekdays": sorted(campaign.weekdays),
        "hours": list(campaign.hours) if campaign.hours is not None else None,
        "tiers": sorted(campaign.tiers),
    }


def _json_number(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(str(value))


# --- reading the JSON -------------------------------------------------------------------------


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
    data: object, field: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise Refused("program.type", field=field or "program", expected="object")
    for key in data:
        if key not in required and key not in optional:
            raise Refused("program.unknown_key", field=_path(field, str(key)))
    for key in required:
        if key not in data:
            raise Refused("program.missing", field=_path(field, key))
    return data


def _list(value: object, field: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise Refused("program.type", field=field, expected="list")
    return list(value)


def _int(value: object, field: str, *, minimum: int = 0, maximum: int = MAX_BONUS) -> int:
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


def _points_rules(data: object) -> PointsRules:
    section = _section(data, "points", ("min_redeem", "redeem_unit", "expiry_months"))
    unit = _int(section["redeem_unit"], "points.redeem_unit", minimum=1)
    min_redeem = _int(section["min_redeem"], "points.min_redeem")
    if min_redeem % unit:
        raise Refused("program.min_redeem_unit", field="points.min_redeem", unit=unit)
    expiry = _int(section["expiry_months"], "points.expiry_months", maximum=MAX_EXPIRY_MONTHS)
    return PointsRules(min_redeem=min_redeem, redeem_unit=unit, expiry_months=expiry)


def _stamp_rules(data: object) -> StampRules:
    section = _section(data, "stamps", ("goal", "reward", "per"))
    goal = _int(section["goal"], "stamps.goal", maximum=MAX_STAMP_GOAL)
    if goal < 1:
        raise Refused("program.stamp_goal", field="stamps.goal")
    per = section["per"]
    if per not in STAMP_PER:
        raise Refused("program.stamp_per", field="stamps.per", value=str(per))
    return StampRules(goal=goal, reward=_text(section["reward"], "stamps.reward"), per=str(per))


def _tier_rules(data: object) -> TierRules:
    section = _section(data, "tiers", ("window_months", "levels"))
    window = _int(
        section["window_months"], "tiers.window_months", minimum=1, maximum=MAX_WINDOW_MONTHS
    )
    items = _list(section["levels"], "tiers.levels")
    if not items:
        raise Refused("program.tiers_empty", field="tiers.levels")
    levels = tuple(_tier_level(item, f"tiers.levels[{i}]") for i, item in enumerate(items))
    _check_tier_ladder(levels)
    return TierRules(window_months=window, levels=levels)


def _tier_level(data: object, field: str) -> TierLevel:
    section = _section(data, field, ("code", "name", "min_spend", "earn_percent"))
    percent = _decimal(section["earn_percent"], f"{field}.earn_percent")
    if percent > 100:
        raise Refused("program.earn_percent", field=f"{field}.earn_percent")
    return TierLevel(
        code=_text(section["code"], f"{field}.code"),
        name=_text(section["name"], f"{field}.name"),
        min_spend=_int(section["min_spend"], f"{field}.min_spend", maximum=MAX_MIN_SPEND),
        earn_percent=percent,
    )


def _check_tier_ladder(levels: tuple[TierLevel, ...]) -> None:
    if levels[0].min_spend != 0:
        raise Refused("program.tier_first", field="tiers.levels[0].min_spend")
    seen: set[str] = set()
    for i, level in enumerate(levels):
        if level.code in seen:
            raise Refused(
                "program.tier_duplicate", field=f"tiers.levels[{i}].code", tier=level.code
            )
        seen.add(level.code)
        if i and level.min_spend <= levels[i - 1].min_spend:
            raise Refused("program.tier_order", field=f"tiers.levels[{i}].min_spend")


def _bonuses(data: object) -> Bonuses:
    section = _section(data, "bonuses", ("signup", "birthday", "referral"))
    return Bonuses(
        signup=_int(section["signup"], "bonuses.signup"),
        birthday=_int(section["birthday"], "bonuses.birthday"),
        referral=_int(section["referral"], "bonuses.referral"),
    )


def _campaign(data: object, field: str, tier_codes: frozenset[str]) -> Campaign:
    section = _section(
        data, field, ("name", "multiplier", "bonus", "start", "end"), ("weekdays", "hours", "tiers")
    )
    multiplier = _decimal(section["multiplier"], f"{field}.multiplier")
    if not 1 <= multiplier <= MAX_MULTIPLIER:
        raise Refused("program.multiplier", field=f"{field}.multiplier", max=int(MAX_MULTIPLIER))
    start = _date(section["start"], f"{field}.start")
    end = _date(section["end"], f"{field}.end")
    if end < start:
        raise Refused("program.campaign_dates", field=f"{field}.end")
    return Campaign(
        name=_text(section["name"], f"{field}.name"),
        multiplier=multiplier,
        bonus=_int(section["bonus"], f"{field}.bonus"),
        start=start,
        end=end,
        weekdays=_weekdays(section.get("weekdays", []), f"{field}.weekdays"),
        hours=_hours(section.get("hours"), f"{field}.hours"),
        tiers=_campaign_tiers(section.get("tiers", []), f"{field}.tiers", tier_codes),
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
