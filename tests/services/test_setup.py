"""First-run setup: the three templates, the choices applied in one go, refusals write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import __version__
from app.db.models import AuditEntry, Store
from app.domain.errors import Refused
from app.domain.program import Program
from app.services import customers, program, settings, setup, staff
from tests.services.helpers import snapshot

GOOD = {
    "store_name": "  단골 카페   역삼점 ",
    "pin": "4821",
    "pin_again": "4821",
    "template": "stamps",
    "printer": {"kind": "escpos", "width": 58, "device": "/dev/usb/lp0"},
}


def test_the_three_templates_are_sound_programs() -> None:
    stamps, points, both = (Program.from_json(setup.TEMPLATES[k]) for k in setup.TEMPLATES)
    assert set(setup.TEMPLATES) == {"stamps", "points", "both"}
    assert (stamps.stamps.goal, stamps.stamps.reward) == (10, "아메리카노 1잔")
    assert [level.earn_percent for level in stamps.tiers.levels] == [Decimal(0)]
    for four in (points, both):
        assert [level.earn_percent for level in four.tiers.levels] == [2, 3, 4, 5]
        assert [level.code for level in four.tiers.levels][-1] == "PLATINUM"


def test_a_new_shop_needs_setup_and_the_choices_are_applied(ctx) -> None:
    assert setup.needs_setup(ctx)
    result = setup.complete_setup(ctx, **GOOD)

    assert result.demo is None
    assert result.choices.store_name == "단골 카페 역삼점"
    with ctx.db.read() as session:
        assert session.get(Store, ctx.store_id).name == "단골 카페 역삼점"
        actions = list(session.scalars(select(AuditEntry.action)))
    assert {"staff.pin", "program.load", "setup.complete"} <= set(actions)
    assert program.show_program(ctx) == Program.from_json(setup.TEMPLATES["stamps"]).to_json()
    assert settings.setting(ctx, "printer") == GOOD["printer"]
    # the PIN signs the owner in
    assert staff.sign_in(ctx, ctx.staff_id, "4821").role == "owner"
    # never again: not for this shop object, nor for the database opened afresh
    assert not setup.needs_setup(ctx)
    with pytest.raises(Refused) as refused:
        setup.complete_setup(ctx, **GOOD)
    assert refused.value.code == "setup.already_done"


def test_the_stored_flag_survives_reopening(sqlite_ctx) -> None:
    from app.services.context import open_shop

    setup.complete_setup(sqlite_ctx, **{**GOOD, "template": "both"})
    again = open_shop(str(sqlite_ctx.db.path))
    try:
        assert not setup.needs_setup(again)
        assert again.settings["setup_done"] is True
    finally:
        again.close()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"pin_again": "4822"}, "setup.pin_mismatch"),
        ({"pin": "12", "pin_again": "12"}, "staff.pin_length"),
        ({"pin": "12a4", "pin_again": "12a4"}, "staff.pin_digits"),
        ({"store_name": "   "}, "setup.store_name_required"),
        ({"store_name": "가" * 61}, "setup.store_name_long"),
        ({"template": "coffee"}, "setup.template"),
        ({"printer": {"kind": "escpos", "width": 80, "device": " "}}, "setup.printer_device"),
        ({"printer": {"kind": "pdf", "width": 72, "device": ""}}, "setup.printer"),
        ({"printer": {"kind": "fax", "width": 80, "device": ""}}, "setup.printer"),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_written(ctx, change, code) -> None:
    before = snapshot(ctx)
    with pytest.raises(Refused) as refused:
        setup.complete_setup(ctx, **{**GOOD, **change})
    assert refused.value.code == code
    assert snapshot(ctx) == before
    assert setup.needs_setup(ctx)


def test_a_cashier_cannot_run_setup(ctx) -> None:
    ctx.staff_role = "cashier"
    with pytest.raises(Refused) as refused:
        setup.complete_setup(ctx, **GOOD)
    assert refused.value.code == "staff.owner_only"


def test_a_shop_already_in_use_is_not_asked(ctx) -> None:
    customers.enroll(ctx, "010-3333-4444")
    assert not setup.needs_setup(ctx)


def test_setup_with_a_demo_fills_the_shop_and_keeps_the_name(sqlite_ctx) -> None:
    from app.db.models import Customer

    result = setup.complete_setup(sqlite_ctx, **{**GOOD, "demo": True})
    assert result.demo is not None and result.demo.customers == 200
    with sqlite_ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 200
        assert session.get(Store, sqlite_ctx.store_id).name == "단골 카페 역삼점"


def test_about_facts_name_the_database_and_the_licences(tmp_path) -> None:
    facts = setup.about_facts(str(tmp_path / "shop.sqlite"))
    lines = setup.about_lines(facts)
    assert lines[0] == f"dangol {__version__}"
    assert facts.database == str(tmp_path / "shop.sqlite")
    text = "\n".join(lines)
    for expected in ("PySide6", "LGPL-3.0", "NanumGothic", "OFL-1.1", "SQLAlchemy", "MIT"):
        assert expected in text
    assert "ReportLab" in text and "BSD-3-Clause" in text


def test_about_facts_never_show_a_password() -> None:
    facts = setup.about_facts("postgresql+psycopg://shop:s3cret@db.example.kr/dangol")
    assert "s3cret" not in facts.database
    assert "db.example.kr/dangol" in facts.database
