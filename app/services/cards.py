"""Membership cards to print: a member's card, every member's, blank cards, sheet layouts."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Customer, MembershipCard
from app.db.settings import set_setting
from app.domain.card_face import CardData
from app.domain.errors import Refused
from app.domain.program import Program
from app.printing.sheets import (
    BUILT_IN,
    DEFAULT_SHEET,
    SheetLayout,
    layout_from_json,
    layout_to_json,
)
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.customers import _unused_token, active_card, usable_customer
from app.services.program import current_program
from app.services.slips import store_info
from app.services.staff import require_owner

MAX_BLANK_CARDS = 1000
MAX_PRINT_CARDS = 2000


def logo_path(ctx: Context) -> str | None:
    """The owner's logo if the setting points at a file that exists."""
    value = ctx.settings.get("logo_path")
    if isinstance(value, str) and value.strip() and Path(value).is_file():
        return value
    return None


def _card(
    ctx: Context, session: Session, token: str, name: str | None, program: Program
) -> CardData:
    return CardData(token, store_info(session, ctx), program, name, logo_path(ctx))


def card_for(ctx: Context, customer_id: uuid.UUID, *, with_name: bool = False) -> CardData:
    """A member's active card."""
    return cards_for(ctx, [customer_id], with_name=with_name)[0]


def cards_for(
    ctx: Context, customer_ids: list[uuid.UUID], *, with_name: bool = False
) -> list[CardData]:
    if len(customer_ids) > MAX_PRINT_CARDS:
        raise Refused("cards.too_many", count=len(customer_ids), maximum=MAX_PRINT_CARDS)
    with ctx.db.read() as session:
        _, program = current_program(session)
        out = []
        for customer_id in customer_ids:
            customer = usable_customer(session, customer_id)
            token = active_card(session, customer.id)
            if token is None:
                raise Refused("cards.no_card", query=str(customer_id))
            out.append(_card(ctx, session, token, _name(customer, with_name), program))
        return out


def _name(customer: Customer, with_name: bool) -> str | None:
    return customer.name if with_name else None


def cards_for_all(ctx: Context, *, with_name: bool = False) -> list[CardData]:
    """Every active member's active card, by enrollment."""
    with ctx.db.read() as session:
        _, program = current_program(session)
        rows = session.execute(
            select(MembershipCard.token, Customer)
            .join(Customer, Customer.id == MembershipCard.customer_id)
            .where(Customer.status == "active", MembershipCard.status == "active")
            .order_by(Customer.enrolled_at, Customer.id)
            .limit(MAX_PRINT_CARDS + 1)
        ).all()
        if len(rows) > MAX_PRINT_CARDS:
            raise Refused("cards.too_many", count=len(rows), maximum=MAX_PRINT_CARDS)
        if not rows:
            raise Refused("cards.none")
        return [_card(ctx, session, t, _name(c, with_name), program) for t, c in rows]


def create_blank_cards(ctx: Context, n: int) -> list[str]:
    """N new cards nobody holds yet (handed out and scanned at enrollment); owner only."""
    require_owner(ctx)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_BLANK_CARDS:
        raise Refused("cards.count_range", count=n, maximum=MAX_BLANK_CARDS)
    now = ctx.now()
    tokens: list[str] = []
    with ctx.db.write() as session:
        for _ in range(n):
            card = MembershipCard(
                token=_unused_token(session),
                customer_id=None,
                issued_at=now,
                register_id=ctx.register_id,
            )
            session.add(card)
            session.flush()  # the next token is checked against this one too
            tokens.append(card.token)
        audit(ctx, session, "card.blank_batch", detail={"count": n})
    return tokens


def blank_cards(ctx: Context, tokens: list[str]) -> list[CardData]:
    with ctx.db.read() as session:
        _, program = current_program(session)
        return [_card(ctx, session, token, None, program) for token in tokens]


# --- sheet layouts ---------------------------------------------------------------------


def sheet_layouts(ctx: Context) -> dict[str, SheetLayout]:
    """The built-in layouts with the owner's saved changes, plus the owner's own sheets."""
    layouts = dict(BUILT_IN)
    saved = ctx.settings.get("card_sheets")
    for name, data in (saved if isinstance(saved, dict) else {}).items():
        if not isinstance(data, dict):
            continue
        try:
            layouts[name] = layout_from_json(name, data, BUILT_IN.get(name))
        except ValueError:
            continue  # a damaged entry: the built-in (or nothing) rather than a crash
    return layouts


def sheet_layout(ctx: Context, name: str | None = None) -> SheetLayout:
    layouts = sheet_layouts(ctx)
    key = (name or DEFAULT_SHEET).strip().upper()
    layout = layouts.get(key) or layouts.get((name or "").strip())
    if layout is None:
        raise Refused("cards.sheet_unknown", sheet=name, known=", ".join(sorted(layouts)))
    return layout


def save_sheet_layout(ctx: Context, layout: SheetLayout) -> SheetLayout:
    """Keep a layout (margins, pitch, offsets) for its sheet type; owner only."""
    require_owner(ctx)
    problems = layout.problems()
    if problems:
        raise Refused("cards.sheet_invalid", sheet=layout.name, detail="; ".join(problems))
    saved = ctx.settings.get("card_sheets")
    sheets: dict[str, Any] = dict(saved) if isinstance(saved, dict) else {}
    sheets[layout.name] = layout_to_json(layout)
    with ctx.db.write() as session:
        set_setting(session, "card_sheets", sheets)
        audit(ctx, session, "settings.card_sheet", detail={"sheet": layout.name})
    ctx.settings["card_sheets"] = sheets
    return layout


def calibrate_sheet(ctx: Context, name: str, offset_x: float, offset_y: float) -> SheetLayout:
    """Save the X/Y offsets measured on the test page for this sheet type."""
    return save_sheet_layout(ctx, sheet_layout(ctx, name).with_offsets(offset_x, offset_y))
