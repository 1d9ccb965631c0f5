"""Customers to and from CSV: every bad row reported with its line, all or nothing by default."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db.models import AuditEntry, Customer, LedgerEntry, MembershipCard
from app.domain.csv_safe import restore, safe_row
from app.domain.errors import Refused
from app.domain.expiry import fifo_remaining
from app.domain.member_file import format_cards, format_lots, parse_cards, parse_lots, parse_moment
from app.domain.numbers import parse_count
from app.domain.phone import Phone, parse_phone
from app.domain.program import Program
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import (
    CONSENT_SOURCES,
    NewMember,
    clean_name,
    enroll_many,
    parse_birthday,
    refuse_existing_phones,
)
from app.services.figures import bump
from app.services.ledger import NEVER, append_entry, lot_expiry
from app.services.program import current_program
from app.services.sales import change_tier

# The columns of the first export format: kept first and in this order, never renamed.
EXPORT_COLUMNS_V1 = [
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
# What a move to another PC needs besides: every card, each lot's expiry, the consents' dates.
EXPORT_COLUMNS = [
    *EXPORT_COLUMNS_V1,
    "cards",
    "point_lots",
    "program_consent_at",
    "marketing_consent_at",
    "consent_wording_version",
    "program_consent_source",
    "marketing_consent_source",
]
IMPORT_COLUMNS = {"phone", "name", "birthday", "marketing_consent", "points", "stamps"} | set(
    EXPORT_COLUMNS
)
# Rows written per transaction: short enough that a sale waiting for the lock gets in quickly.
BATCH_ROWS = 400
# ...written CHUNK_ROWS at a time with a few statements for all of them (enroll_many).
CHUNK_ROWS = 50
# ...and a batch ends sooner when it has held the lock this long (a slow disk, a busy PC).
BATCH_SECONDS = 0.25
# A pause between batches on SQLite longer than its busy handler's longest sleep (100 ms),
# so a waiting sale always sees the lock free.
YIELD_SECONDS = 0.105
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
        cards: dict[uuid.UUID, list[str]] = defaultdict(list)
        for cid, token in session.execute(
            select(MembershipCard.customer_id, MembershipCard.token)
            .where(MembershipCard.status == "active", MembershipCard.customer_id.is_not(None))
            .order_by(MembershipCard.issued_at, MembershipCard.id)
        ):
            if cid is not None:
                cards[cid].append(token)
        lots = _unspent_lots_of_all(session)
        count = 0
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(safe_row(EXPORT_COLUMNS))
            for c in session.scalars(
                select(Customer).where(Customer.status == "active").order_by(Customer.enrolled_at)
            ).yield_per(5000):
                points, stamps = totals.get(c.id, (0, 0))
                held = cards.get(c.id, [])
                writer.writerow(
                    safe_row(
                        [
                            Phone(c.phone).display() if c.phone else "",
                            c.name or "",
                            c.birthday.isoformat() if c.birthday else "",
                            "y" if c.marketing_consent_at else "n",
                            points,
                            stamps,
                            c.tier_code,
                            held[0] if held else "",
                            ctx.local(c.enrolled_at).isoformat(),
                            format_cards(held),
                            format_lots(
                                [(None if at == NEVER else at, n) for at, n in lots.get(c.id, [])]
                            ),
                            _moment_text(ctx, c.program_consent_at),
                            _moment_text(ctx, c.marketing_consent_at),
                            c.consent_wording_version or "",
                            c.program_consent_source or "",
                            c.marketing_consent_source or "",
                        ]
                    )
                )
                count += 1
    with ctx.db.write() as session:
        audit(ctx, session, "customers.export", detail={"rows": count, "file": path.name})
    return count


def _moment_text(ctx: Context, moment: datetime | None) -> str:
    return ctx.local(moment).isoformat() if moment is not None else ""


def _unspent_lots_of_all(session: Session) -> dict[uuid.UUID, list[tuple[datetime, int]]]:
    """Every customer's lots still holding points after FIFO consumption, in two grouped reads."""
    e = LedgerEntry
    lots: dict[uuid.UUID, list[tuple[datetime, int]]] = defaultdict(list)
    for cid, at, points in session.execute(
        select(e.customer_id, e.expires_at, func.sum(e.points))
        .where(e.expires_at.is_not(None))
        .group_by(e.customer_id, e.expires_at)
    ):
        if at is not None and int(points) > 0:
            lots[cid].append((at, int(points)))
    consumed = dict(
        session.execute(
            select(e.customer_id, func.sum(e.points))
            .where(e.expires_at.is_(None))
            .group_by(e.customer_id)
        ).all()
    )
    return {
        cid: fifo_remaining(held, max(0, -int(consumed.get(cid) or 0)))
        for cid, held in lots.items()
    }


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
    # rows an earlier run of the same file already wrote (recognized, not written again)
    already_imported: int = 0


@dataclass(frozen=True)
class _Row:
    line: int
    phone: str
    name: str | None
    birthday: str | None
    marketing: bool
    points: int
    stamps: int
    tier: str | None = None
    cards: tuple[str, ...] = ()
    # None: one lot earned today; otherwise each lot with its own expiry (None: never)
    lots: tuple[tuple[datetime | None, int], ...] | None = None
    enrolled_at: datetime | None = None
    program_consent_at: datetime | None = None
    marketing_consent_at: datetime | None = None
    wording: str | None = None
    # how the consents were given where the file comes from; None: "import"
    program_source: str | None = None
    marketing_source: str | None = None


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
    value = value.strip().replace(",", "").replace("，", "")
    if not value:
        return 0
    number = parse_count(value)
    if number is None:
        raise Refused("import.count_invalid", column=field_name, value=value)
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
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Check every row first; write all good rows, or none if any is bad (unless skip_bad).

    Without a mapping the header must use the field names (the command line's format);
    with one, mapping[field] names the file's column that holds it. The good rows are written
    in batches of BATCH_ROWS, each its own transaction recording its lines, so sales get in
    between and a second run of the same file recognizes the rows the first one wrote.
    `progress` hears the number of rows written after each batch.
    """
    data = path.read_bytes()
    text = decode(data)[0]
    digest = hashlib.sha256(data).hexdigest()
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
    seen_cards: dict[str, int] = {}
    with ctx.db.read() as session:
        existing = set(session.scalars(select(Customer.phone).where(Customer.phone.is_not(None))))
        # a card nobody holds yet may become an imported member's; any other is someone's
        blank = set(
            session.scalars(
                select(MembershipCard.token).where(
                    MembershipCard.customer_id.is_(None), MembershipCard.status == "active"
                )
            )
        )
        taken = set(session.scalars(select(MembershipCard.token))) - blank
        done_lines = _lines_written_before(session, digest)
        _, program = current_program(session)
    tiers = {level.code for level in program.tiers.levels}
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
        if line in done_lines:
            result.already_imported += 1
            continue
        if None in raw or any(v is None for v in raw.values()):
            result.bad.append(BadRow(line, "import.column_count", {}))
            continue
        raw = {key: restore(value) for key, value in raw.items()}  # undo the export's marks
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
            row = _parse_row(ctx, raw, line, phone.national, now, tiers)
            for token in row.cards:
                if token in taken:
                    raise Refused("import.card_taken", last4=token[-4:])
                if token in seen_cards:
                    raise Refused("import.card_twice", last4=token[-4:], other=seen_cards[token])
        except Refused as refused:
            result.bad.append(BadRow(line, refused.code, dict(refused.params)))
            continue
        seen[phone.national] = line
        seen_cards.update(dict.fromkeys(row.cards, line))
        good.append(row)
    if dry_run or (result.bad and not skip_bad):
        return result
    pause = YIELD_SECONDS if ctx.db.path is not None else 0.0
    written = 0
    while written < len(good):
        if written and pause:
            time.sleep(pause)
        lines: list[int] = []
        try:
            with ctx.db.write() as session:
                started = time.monotonic()
                batch = good[written : written + BATCH_ROWS]
                for at in range(0, len(batch), CHUNK_ROWS):
                    chunk = batch[at : at + CHUNK_ROWS]
                    _write_rows(ctx, session, chunk, now, program)
                    lines.extend(row.line for row in chunk)
                    if time.monotonic() - started > BATCH_SECONDS:
                        break
                audit(
                    ctx,
                    session,
                    "customers.import.batch",
                    detail={"file_sha256": digest, "lines": lines},
                )
        except (Refused, SQLAlchemyError) as exc:
            raise Refused(
                "import.partial",
                imported=result.imported,
                rows=len(good),
                line=good[written].line,  # the first row of the batch that was not written
                file=path.name,
            ) from exc
        written += len(lines)
        result.imported += len(lines)
        if progress is not None:
            progress(result.imported)
    with ctx.db.write() as session:
        audit(
            ctx,
            session,
            "customers.import",
            detail={
                "file": path.name,
                "imported": result.imported,
                "bad": len(result.bad),
                "already_imported": result.already_imported,
            },
        )
    return result


def _lines_written_before(session: Session, digest: str) -> set[int]:
    """The lines of this very file (by its SHA-256) that earlier runs committed."""
    lines: set[int] = set()
    for detail in session.scalars(
        select(AuditEntry.detail).where(
            AuditEntry.action == "customers.import.batch", AuditEntry.detail.contains(digest)
        )
    ):
        parsed = json.loads(detail or "{}")
        if parsed.get("file_sha256") == digest:
            lines.update(int(n) for n in parsed.get("lines", []))
    return lines


def _parse_row(
    ctx: Context, raw: dict[str, str], line: int, phone: str, now: datetime, tiers: set[str]
) -> _Row:
    name = clean_name(raw.get("name"))
    parse_birthday(raw.get("birthday") or None, ctx.local_date(now))
    points = _count(raw.get("points", ""), "points")
    lots: tuple[tuple[datetime | None, int], ...] | None = None
    if (raw.get("point_lots") or "").strip():
        lots = tuple(parse_lots(raw["point_lots"], MAX_OPENING_POINTS))
        total = sum(n for _, n in lots)
        if (raw.get("points") or "").strip() and total != points:
            raise Refused("import.lots_mismatch", lots=total, points=points)
        if total > MAX_OPENING_POINTS:
            raise Refused("import.count_too_large", column="point_lots", maximum=MAX_OPENING_POINTS)
        points = total
    tier = (raw.get("tier") or "").strip() or None
    if tier is not None and tier not in tiers:
        raise Refused("import.tier_unknown", tier=tier[:20])
    cards = parse_cards(raw.get("card") or "")
    cards += [t for t in parse_cards(raw.get("cards") or "") if t not in cards]
    moments = {
        column: parse_moment(raw.get(column) or "", column, ctx.zone)
        for column in ("enrolled_at", "program_consent_at", "marketing_consent_at")
    }
    consent_text = raw.get("marketing_consent", "")
    marketing = (
        _yes_no(consent_text)
        if consent_text.strip() or moments["marketing_consent_at"] is None
        else True
    )
    wording = (raw.get("consent_wording_version") or "").strip()[:40] or None
    sources = {
        column: _consent_source(raw.get(column) or "")
        for column in ("program_consent_source", "marketing_consent_source")
    }
    return _Row(
        line,
        phone,
        name,
        (raw.get("birthday") or "").strip() or None,
        marketing,
        points,
        _count(raw.get("stamps", ""), "stamps"),
        tier=tier,
        cards=tuple(cards),
        lots=lots,
        enrolled_at=moments["enrolled_at"],
        program_consent_at=moments["program_consent_at"],
        marketing_consent_at=moments["marketing_consent_at"] if marketing else None,
        wording=wording,
        program_source=sources["program_consent_source"],
        marketing_source=sources["marketing_consent_source"] if marketing else None,
    )


def _consent_source(value: str) -> str | None:
    """A source the export wrote (CONSENT_SOURCES), or None when the file has none."""
    value = value.strip().lower()
    if not value:
        return None
    if value not in CONSENT_SOURCES:
        raise Refused("import.consent_source_invalid", value=value[:20])
    return value


def _write_rows(
    ctx: Context, session: Session, rows: list[_Row], now: datetime, program: Program
) -> None:
    """Members as the file has them: cards, consents, tier, and each lot as opening entry.

    A few statements for all the rows (enroll_many); a refusal writes none of them."""
    tokens = [token for row in rows for token in row.cards]
    known = (
        set(session.scalars(select(MembershipCard.token).where(MembershipCard.token.in_(tokens))))
        if tokens
        else set()
    )
    # a card the target never saw arrives as a blank card, then becomes this member's
    session.add_all(
        MembershipCard(token=token, issued_at=now, register_id=ctx.register_id)
        for token in dict.fromkeys(tokens)
        if token not in known
    )
    session.flush()
    today = ctx.local_date(now)
    phones = [Phone(row.phone) for row in rows]
    refuse_existing_phones(session, phones)
    members = [
        NewMember(
            phone,
            name=row.name,
            birthday=parse_birthday(row.birthday, today),
            marketing_consent=row.marketing,
            card_token=row.cards[0] if row.cards else None,
            consent_source="import",
            marketing_consent_at=row.marketing_consent_at,
            marketing_source=row.marketing_source,
        )
        for phone, row in zip(phones, rows, strict=True)
    ]
    enrolled = enroll_many(ctx, session, members, now=now)
    others = [token for row in rows for token in row.cards[1:]]
    held = (
        {
            card.token: card
            for card in session.scalars(
                select(MembershipCard).where(MembershipCard.token.in_(others))
            )
        }
        if others
        else {}
    )
    figures: Counter[str] = Counter()
    for row, (customer, _) in zip(rows, enrolled, strict=True):
        for token in row.cards[1:]:
            card = held[token]
            if card.customer_id is not None or card.status != "active":
                raise Refused("import.card_taken", last4=token[-4:])
            card.customer_id = customer.id
        if row.enrolled_at is not None:
            customer.enrolled_at = row.enrolled_at
        if row.program_consent_at is not None:
            customer.program_consent_at = row.program_consent_at
        if row.marketing_consent_at is not None:
            customer.marketing_consent_at = row.marketing_consent_at
        if row.wording is not None:
            customer.consent_wording_version = row.wording
        if row.program_source is not None:
            customer.program_consent_source = row.program_source
        if row.marketing_source is not None and customer.marketing_consent_at is not None:
            customer.marketing_consent_source = row.marketing_source
        if row.tier is not None and row.tier != customer.tier_code:
            change_tier(ctx, session, customer, row.tier, "import", now, figures=figures)
        lots: list[tuple[datetime | None, int]]
        if row.lots is not None:
            lots = [(NEVER if at is None else at, n) for at, n in row.lots]
        else:
            lots = [(lot_expiry(ctx, program, now), row.points)] if row.points else []
        if row.stamps and not lots:
            lots = [(lot_expiry(ctx, program, now), 0)]
        for i, (expires_at, points) in enumerate(lots):
            append_entry(
                ctx,
                session,
                customer_id=customer.id,
                kind="adjust",
                at=now,
                points=points,
                stamps=row.stamps if i == 0 else 0,
                expires_at=expires_at,
                reason="opening balance (import)",
                figures=figures,
            )
    bump(ctx, session, now, **figures)
