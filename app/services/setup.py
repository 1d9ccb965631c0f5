"""First run: the owner's choices (store name, PIN, program template, printer, demo) applied once.

Also what the About box and `dangol --version` tell: the version, where the database is, and
the licences of the parts bundled with the app.

TEMPLATES is the single source of the starting programs (the program editor offers them too).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from sqlalchemy import func, select

from app import __version__
from app.db.engine import resolve_url, sqlite_path
from app.db.models import Customer, Staff, Store
from app.db.settings import set_setting
from app.domain.errors import Refused
from app.domain.plain_text import clean_line
from app.domain.program import Program
from app.services.audit_chain import audit
from app.services.context import Context
from app.services.demo import DemoResult, build_demo
from app.services.first_screen import SETUP_DONE as SETUP_DONE  # one key, read there too
from app.services.program import PROGRAM_TEMPLATES, program_template, put_in_force
from app.services.settings import printer_ok
from app.services.staff import check_pin, hash_pin, require_owner

MAX_STORE_NAME = 60
PRINTER_WIDTHS = (58, 80)


# One source for the starting programs: the program editor offers the same ones.
TEMPLATES: dict[str, dict[str, Any]] = {kind: program_template(kind) for kind in PROGRAM_TEMPLATES}
for _name, _document in TEMPLATES.items():  # a broken template fails at import, not at a shop
    Program.from_json(_document)


@dataclass(frozen=True)
class SetupChoices:
    store_name: str
    template: str
    printer: dict[str, Any]
    demo: bool


@dataclass(frozen=True)
class SetupResult:
    choices: SetupChoices
    demo: DemoResult | None


# --- checks the wizard also runs page by page (no database) ----------------------------


def check_store_name(name: str) -> str:
    cleaned = clean_line(name or "")  # the same cleaner as every other name
    if not cleaned:
        raise Refused("setup.store_name_required")
    if len(cleaned) > MAX_STORE_NAME:
        raise Refused("setup.store_name_long", maximum=MAX_STORE_NAME)
    return cleaned


def check_owner_pin(pin: str, again: str) -> str:
    checked = check_pin(pin)
    if checked != (again or "").strip():
        raise Refused("setup.pin_mismatch")
    return checked


def check_template(template: str) -> str:
    if template not in TEMPLATES:
        raise Refused("setup.template", template=template)
    return template


def check_printer(kind: str, width: int, device: str = "") -> dict[str, Any]:
    printer = {"kind": kind, "width": width, "device": (device or "").strip()}
    if kind == "escpos" and not printer["device"]:
        raise Refused("setup.printer_device")
    if not printer_ok(printer):
        raise Refused("setup.printer", widths="/".join(map(str, PRINTER_WIDTHS)))
    return printer


# --- first run --------------------------------------------------------------------------


def needs_setup(ctx: Context) -> bool:
    """A new shop: never set up, the owner has no PIN yet and there are no members.

    A shop already in use before the wizard existed is not asked again.
    """
    if ctx.settings.get(SETUP_DONE):
        return False
    with ctx.db.read() as session:
        owner = session.get(Staff, ctx.staff_id)
        if owner is not None and owner.pin_hash is not None:
            return False
        return not session.scalar(select(func.count()).select_from(Customer))


def complete_setup(
    ctx: Context,
    *,
    store_name: str,
    pin: str,
    pin_again: str,
    template: str,
    printer: dict[str, Any],
    demo: bool = False,
) -> SetupResult:
    """Everything checked first; then one transaction; a demo shop, if asked for, after it."""
    require_owner(ctx)
    if ctx.settings.get(SETUP_DONE):
        raise Refused("setup.already_done")
    choices = SetupChoices(
        store_name=check_store_name(store_name),
        template=check_template(template),
        printer=check_printer(
            str(printer.get("kind", "")), printer.get("width", 0), printer.get("device", "")
        ),
        demo=bool(demo),
    )
    pin_hash = hash_pin(check_owner_pin(pin, pin_again))
    program = Program.from_json(TEMPLATES[choices.template])
    with ctx.db.write() as session:
        store = session.get(Store, ctx.store_id)
        owner = session.get(Staff, ctx.staff_id)
        if store is None or owner is None:
            raise Refused("setup.shop_incomplete")
        store.name = choices.store_name
        owner.pin_hash = pin_hash
        audit(ctx, session, "staff.pin", target=owner.id)
        put_in_force(ctx, session, program)
        set_setting(session, "printer", choices.printer)
        set_setting(session, SETUP_DONE, True)
        set_setting(session, "demo_offered", True)
        audit(
            ctx,
            session,
            "setup.complete",
            target=store.id,
            detail={"template": choices.template, "printer": choices.printer, "demo": demo},
        )
    ctx.settings.update({"printer": choices.printer, SETUP_DONE: True, "demo_offered": True})
    return SetupResult(choices, build_demo(ctx) if choices.demo else None)


# --- what the About box and `dangol --version` show --------------------------------------

# (distribution, shown name, licence): the parts a built app carries
BUNDLED_PARTS: tuple[tuple[str | None, str, str], ...] = (
    ("PySide6-Essentials", "Qt 6 / PySide6", "LGPL-3.0"),
    (None, "NanumGothic font (NAVER)", "OFL-1.1"),
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("alembic", "Alembic", "MIT"),
    ("reportlab", "ReportLab", "BSD-3-Clause"),
    ("pillow", "Pillow", "MIT-CMU"),
    ("qrcode", "qrcode", "BSD-3-Clause"),
    ("psycopg", "psycopg", "LGPL-3.0"),
    ("argon2-cffi", "argon2-cffi", "MIT"),
    ("platformdirs", "platformdirs", "MIT"),
    ("python-escpos", "python-escpos", "MIT"),
    ("zxing-cpp", "zxing-cpp", "Apache-2.0"),
    ("tzdata", "tzdata", "Apache-2.0"),
    (None, "Python", "PSF-2.0"),
)


@dataclass(frozen=True)
class BundledPart:
    name: str
    version: str
    licence: str


@dataclass(frozen=True)
class AboutFacts:
    version: str
    database: str
    system: str
    parts: tuple[BundledPart, ...]


def _part_version(distribution: str | None, name: str) -> str:
    if name == "Python":
        return platform.python_version()
    if distribution is None:
        return ""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def about_facts(target: str | None = None) -> AboutFacts:
    """The version, the database (a path, or a URL without its password) and the licences."""
    url = resolve_url(target)
    path = sqlite_path(url)
    if path is not None:
        database = str(path)
    else:
        from sqlalchemy.engine import make_url

        database = make_url(url).render_as_string(hide_password=True)
    parts = tuple(
        BundledPart(name, _part_version(dist, name), licence)
        for dist, name, licence in BUNDLED_PARTS
    )
    system = f"{platform.system()} {platform.release()} ({platform.machine()})"
    return AboutFacts(__version__, database, system, parts)


def about_lines(facts: AboutFacts) -> list[str]:
    """Plain lines for the command line (and the About box's "copy" text)."""
    lines = [f"dangol {facts.version}", f"database: {facts.database}", f"system: {facts.system}"]
    lines.append("bundled parts and licences:")
    for part in facts.parts:
        version = f" {part.version}" if part.version else ""
        lines.append(f"  {part.name}{version} — {part.licence}")
    return lines
