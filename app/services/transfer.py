"""Customers to and from CSV: every bad row reported with its line, all or nothing by default."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.db.models import Customer, LedgerEntry, MembershipCard
from app.domain.errors import Refused
from app.domain.phone import Phone, parse_phone
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import clean_name, enroll_in, parse_birthday
from app.services.ledger import append_entry, lot_expiry
from app.services.program import current_program

EXPORT_COLUMNS = [
    "phone",
    "name",
    "birthday",
    "marketing_consent",
    "points",
    "stamps",
    "tier",
    "card",
    "enrolled_at",
]
IMPORT_COLUMNS = {"phone", "name", "birthday", "marketing_consent", "points", "stamps"}
YES = {"1", "y", "yes", "true", "o", "예", "네", "동의", "t"}
NO = {"", "0", "n", "no", "false", "x", "아니오", "아니요", "미동의", "f"}
MAX_OPENING_POINTS = 10_000_000


def export_customers(ctx: Context, path: Path) -> int:
    """Active customers with their balances; the file holds personal data, so it is audited."""
    with ctx.db.read() as session:
        totals = {
            cid: (int(p), int(s))
            for cid, p, s in session.execute(
                select(
                    LedgerEntry.customer_id,
                    func.sum(LedgerEntry.points),
                    func.sum(LedgerEntry.stamps),
                ).group_by(LedgerEntry.customer_id)
            )
        }
        cards = dict(
            session.execute(
                select(MembershipCard.customer_id, MembershipCard.token).where(
                    MembershipCard.status == "active", MembershipCard.customer_id.is_not(None)
                )
            ).all()
        )
        count = 0
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(EXPORT_COLUMNS)
            for c in session.scalars(
                select(Customer).where(Customer.status == "active").order_by(Customer.enrolled_at)
            ).yield_per(5000):
                points, stamps = totals.get(c.id, (0, 0))
                writer.writerow(
                    [
                        Phone(c.phone).display() if c.phone else "",
                        c.name or "",
                        c.birthday.isoformat() if c.birthday else "",
                        "y" if c.marketing_consent_at else "n",
                        points,
                        stamps,
                        c.tier_code,
                        cards.get(c.id, ""),
                        ctx.local(c.enrolled_at).isoformat(),
                    ]
                )
                count += 1
    with ctx.db.write() as session:
        audit(ctx, session, "customers.export", detail={"rows": count, "file": path.name})
    return count


@dataclass(frozen=True)
class BadRow:
    line: int
    code: str
    params: dict[str, Any]


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    bad: list[BadRow] = field(default_factory=list)
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    phone: str
    name: str | None
    birthday: str | None
    marketing: bool
    points: int
    stamps: int


ENCODINGS = ("utf-8-sig", "cp949")


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 (with or without BOM) first, then CP949."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise Refused("import.encoding")


def read_text(path: Path) -> str:
    return decode(path.read_bytes())[0]


# --- mapping the columns of another system's file -------------------------------------

IMPORT_FIELDS = ("phone", "name", "birthday", "marketing_consent", "points", "stamps")
# Words a header may use for each field, matched after lower-casing and removing spaces.
_GUESSES = {
    "phone": ("phone", "mobile", "tel", "휴대폰", "핸드폰", "전화", "연락처", "번호"),
    "name": ("name", "이름", "성명", "고객명", "회원명"),
    "birthday": ("birthday", "birth", "생일", "생년월일"),
    "marketing_consent": ("marketing", "consent", "sms", "마케팅", "수신", "광고", "동의"),
    "points": ("points", "point", "포인트", "적립금", "마일리지"),
    "stamps": ("stamps", "stamp", "스탬프", "도장"),
}


def guess_mapping(header: list[str]) -> dict[str, str]:
    """field -> column of the file: an exact field name first, then a known word in it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    keys = {column: column.replace(" ", "").lower() for column in header}
    for exact in (True, False):
        for field_name in IMPORT_FIELDS:
            if field_name in mapping:
                continue
            for column, key in keys.items():
                if column in taken:
                    continue
                if (key == field_name) if exact else any(w in key for w in _GUESSES[field_name]):
                    mapping[field_name] = column
                    taken.add(column)
                    break
    return mapping


def check_mapping(header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """A mapping the owner picked: known fields, columns of this file, each column once."""
    chosen = {f: c for f, c in mapping.items() if c}
    for field_name, column in chosen.items():
        if field_name not in IMPORT_FIELDS:
            raise Refused("import.mapping_field", field=field_name)
        if column not in header:
            raise Refused("import.mapping_unknown_column", column=column)
    if "phone" not in chosen:
        raise Refused("import.mapping_no_phone")
    columns = list(chosen.values())
    for column in columns:
        if columns.count(column) > 1:
            raise Refused("import.mapping_twice", column=column)
    return chosen


@dataclass(frozen=True)
class ImportPreview:
    encoding: str
    header: list[str]
    guess: dict[str, str]
    rows: list[list[str]]  # the first rows as they are in the file
    total_rows: int


def preview_file(path: Path, rows: int = 5) -> ImportPreview:
    """What the import wizard shows before anything is checked or written."""
    text, encoding = decode(path.read_bytes())
    records = list(csv.reader(io.StringIO(text)))
    if not records or not any(cell.strip() for cell in records[0]):
        raise Refused("import.empty")
    header = [h.strip() for h in records[0]]
    body = [r for r in records[1:] if any(cell.strip() for cell in r)]
    return ImportPreview(encoding, header, guess_mapping(header), body[:rows], len(body))


def _mapped_header(raw: list[str], mapping: dict[str, str]) -> tuple[list[str], list[str]]:
    """The file's header renamed to field names; unmapped columns get names no field has."""
    by_column = {column: field_name for field_name, column in mapping.items()}
    header = [by_column.get(h, f"-{i}") for i, h in enumerate(raw)]
    return header, [h for h in raw if h not in by_column]


def _count(value: str, field_name: str) -> int:
    value = value.strip().replace(",", "")
    if not value:
        return 0
    if not value.isdigit():
        raise Refused("import.count_invalid", column=field_name, value=value)
    number = int(value)
    if number > MAX_OPENING_POINTS:
        raise Refused("import.count_too_large", column=field_name, maximum=MAX_OPENING_POINTS)
    return number


def _yes_no(value: str) -> bool:
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    raise Refused("import.consent_invalid", value=value)


def import_customers(
    ctx: Context,
    path: Path,
    *,
    dry_run: bool = False,
    skip_bad: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Check every row first; write all good rows, or none if any is bad (unless skip_bad).

    Without a mapping the header must use the field names (the command line's format);
    with one, mapping[field] names the file's column that holds it.
    """
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    if mapping is None:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "phone" not in header:
            raise Refused("import.no_phone_column")
        ignored = [h for h in header if h not in IMPORT_COLUMNS]
    else:
        names = [h.strip() for h in (reader.fieldnames or [])]
        header, ignored = _mapped_header(names, check_mapping(names, mapping))
    reader.fieldnames = header
    result = ImportResult(dry_run=dry_run, ignored_columns=ignored)
    now = ctx.now()
    good: list[_Row] = []
    seen: dict[str, int] = {}
    with ctx.db.read() as session:
        existing = set(session.scalars(select(Customer.phone).where(Customer.phone.is_not(None))))
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.bad.append(BadRow(line, "import.csv_broken", {"detail": str(exc)}))
            break
        result.rows += 1
        if None in raw or any(v is None for v in raw.values()):
            result.bad.append(BadRow(line, "import.column_count", {}))
            continue
        try:
            phone = parse_phone(
                raw["phone"],
                allow_landline=bool(ctx.settings.get("allow_landline")),
                allow_legacy=True,
            )
            if phone.national in existing:
                raise Refused("customer.exists", phone=phone.masked())
            if phone.national in seen:
                raise Refused("import.duplicate", other=seen[phone.national])
            name = clean_name(raw.get("name"))
            parse_birthday(raw.get("birthday") or None, ctx.local_date(now))
            row = _Row(
                line,
                phone.national,
                name,
                (raw.get("birthday") or "").strip() or None,
                _yes_no(raw.get("marketing_consent", "")),
                _count(raw.get("points", ""), "points"),
                _count(raw.get("stamps", ""), "stamps"),
            )
        except Refused as refused:
            result.bad.append(BadRow(line, refused.code, dict(refused.params)))
            continue
        seen[phone.national] = line
        good.append(row)
    if dry_run or (result.bad and not skip_bad):
        return result
    with ctx.db.write() as session:
        _, program = current_program(session)
        expires = lot_expiry(ctx, program, now)
        for row in good:
            customer, _ = enroll_in(
                ctx,
                session,
                row.phone,
                now=now,
                name=row.name,
                birthday=row.birthday,
                marketing_consent=row.marketing,
                allow_legacy=True,
                welcome_bonus=False,
            )
            if row.points or row.stamps:
                append_entry(
                    ctx,
                    session,
                    customer_id=customer.id,
                    kind="adjust",
                    at=now,
                    points=row.points,
                    stamps=row.stamps,
                    expires_at=expires,
                    reason="opening balance (import)",
                )
            result.imported += 1
        audit(
            ctx,
            session,
            "customers.import",
            detail={"file": path.name, "imported": result.imported, "bad": len(result.bad)},
        )
    return result
