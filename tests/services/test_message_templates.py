"""The triggers' 알림톡 templates against a stand-in of Solapi's documented API: seeded by
the migration, changed and checked, submitted for Kakao's review, the review's status asked
and stored; only an approved template goes as 알림톡 (else the fallback, or held); a preview
with a real member's values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select

from app.db.models import AuditEntry, Message, MessageTemplate
from app.domain.alimtalk import Button
from app.domain.errors import Refused
from app.services import customers, message_templates, messages, sales
from tests.messaging.solapi_standin import SolapiStandIn

PHONE = "010-1234-5678"
CATEGORY = "004001"  # six digits, the form of Kakao's category codes


@pytest.fixture
def shop(ctx: Any, standin: SolapiStandIn, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("DANGOL_SOLAPI_SECRET", "SECRET")
    messages.setup_provider(ctx, "KEY", "SECRET", "02-123-4567", pf_id="PF1", base_url=standin.url)
    return ctx


def _rows(ctx: Any) -> list[Message]:
    with ctx.db.read() as session:
        return list(session.scalars(select(Message).order_by(Message.created_at)))


def _audits(ctx: Any, action: str) -> int:
    with ctx.db.read() as session:
        return len(list(session.scalars(select(AuditEntry).where(AuditEntry.action == action))))


def test_every_trigger_has_its_seeded_template(ctx: Any) -> None:
    views = message_templates.list_templates(ctx)
    assert [v.kind for v in views][-1] == "consent_notice"
    assert {v.kind for v in views} >= {"points_earned", "winback", "birthday", "coupon_issued"}
    for view in views:
        assert view.status == "draft" and view.provider_template_id is None
        assert view.problems == [], (view.kind, view.problems)  # the defaults pass the checks
        assert view.fallback.strip()
    earned = message_templates.get(ctx, "points_earned")
    assert earned.purpose == "info" and earned.on and earned.template_type == "basic"
    assert "※ 이 메시지는" in earned.text and earned.sends_as == "sms"  # not approved yet
    assert earned.variables[:2] == ["상점", "이름"] and "적립" in earned.variables
    with ctx.db.read() as session:  # stored rows, not defaults made up at read time
        assert len(list(session.scalars(select(MessageTemplate)))) == len(views)


def test_set_checks_and_refuses_with_nothing_changed(ctx: Any) -> None:
    before = message_templates.get(ctx, "points_earned")
    for change, code in (
        (
            {"text": "#{이름}님 #{적립}P 적립! 이번 주 특가 세일\n※ 고객님의 구매로 적립"},
            "alimtalk.ad_word",
        ),
        ({"text": "(광고) #{이름}님"}, "alimtalk.ad_prefix"),
        ({"text": "#{이름}님, #{적립}P가 적립되었습니다."}, "alimtalk.basis_missing"),
        ({"text": "#{이름}님 #{전화}\n※ 고객님의 구매로 적립"}, "alimtalk.placeholder_unknown"),
        ({"buttons": [Button("WL", "가" * 15, "https://x.kr")]}, "alimtalk.button_name"),
        ({"buttons": [Button("BK", "확인")] * 6}, "alimtalk.buttons_too_many"),
        ({"fallback": " "}, "alimtalk.fallback_empty"),
    ):
        with pytest.raises(Refused) as refused:
            message_templates.set_template(ctx, "points_earned", **change)
        assert refused.value.code == code, change
    assert message_templates.get(ctx, "points_earned") == before
    with pytest.raises(Refused) as refused:
        message_templates.set_template(ctx, "consent_notice", on=False)
    assert refused.value.code == "alimtalk.notice_required"


def test_a_staff_member_cannot_change_a_template(ctx: Any) -> None:
    ctx.staff_role = "staff"
    with pytest.raises(Refused) as refused:
        message_templates.set_template(ctx, "points_earned", on=False)
    assert refused.value.code == "staff.owner_only"


def test_submit_review_and_status_with_when(shop: Any, standin: SolapiStandIn) -> None:
    text = (
        "[#{상점}] #{이름}님, #{적립}P 적립! 현재 #{포인트}P\n"
        "※ 이 메시지는 고객님의 구매로 적립된 포인트 안내입니다."
    )
    buttons = [Button("WL", "포인트 확인", "https://m.example.kr/points")]
    message_templates.set_template(
        shop, "points_earned", text=text, buttons=buttons, category="004001"
    )
    submitted = message_templates.submit(shop, "points_earned")
    assert submitted.status == "inspecting" and submitted.provider_template_id
    (held,) = standin.templates.values()
    assert held["content"] == text and held["channelId"] == "PF1"
    assert held["messageType"] == "BA" and held["emphasizeType"] == "NONE"
    assert held["categoryCode"] == "004001"
    assert held["buttons"] == [
        {"buttonType": "WL", "buttonName": "포인트 확인", "linkMo": "https://m.example.kr/points"}
    ]
    with pytest.raises(Refused) as refused:  # under review: not twice
        message_templates.submit(shop, "points_earned")
    assert refused.value.code == "alimtalk.already_submitted"
    assert len(standin.templates) == 1

    standin.review(held["templateId"], approved=False, reason="광고성 문구 포함")
    shop.fixed_now = shop.now().replace(hour=7)
    (rejected,) = message_templates.refresh_status(shop)
    assert (rejected.status, rejected.status_reason) == ("rejected", "광고성 문구 포함")
    assert rejected.status_changed_at == shop.now()
    assert _audits(shop, "messages.template_status") == 1
    message_templates.refresh_status(shop)  # nothing changed: nothing stored, nothing audited
    assert _audits(shop, "messages.template_status") == 1

    # a rejected one may go again: registered anew, reviewed anew
    again = message_templates.submit(shop, "points_earned")
    assert again.status == "inspecting" and again.provider_template_id != held["templateId"]
    assert again.provider_template_id is not None and len(standin.templates) == 2
    standin.review(again.provider_template_id, approved=True)
    (approved,) = message_templates.refresh_status(shop, "points_earned")
    assert approved.status == "approved" and approved.status_reason is None
    assert approved.sends_as == "alimtalk"


def test_an_advertisement_is_never_submitted(shop: Any, standin: SolapiStandIn) -> None:
    with pytest.raises(Refused) as refused:
        message_templates.submit(shop, "winback")
    assert refused.value.code == "alimtalk.ad_kind"
    assert standin.templates == {}


def test_submitting_without_a_provider_or_offline_is_refused(
    ctx: Any, shop: Any, standin: SolapiStandIn
) -> None:
    message_templates.set_template(shop, "points_earned", category=CATEGORY)
    standin.stop()
    with pytest.raises(Refused) as refused:
        message_templates.submit(shop, "points_earned")
    assert refused.value.code == "messages.provider_unreachable"
    assert message_templates.get(shop, "points_earned").status == "draft"


def test_only_an_approved_template_goes_as_alimtalk(shop: Any, standin: SolapiStandIn) -> None:
    who = customers.enroll(shop, PHONE, name="김민준").id
    message_templates.set_template(shop, "points_earned", category=CATEGORY)
    message_templates.submit(shop, "points_earned")  # 검수 중: not yet usable
    sales.record_sale(shop, who, 12000)
    messages.send_due(shop)
    (first,) = _rows(shop)
    assert (first.status, first.channel) == ("sent", "sms")
    (taken,) = standin.accepted
    assert "kakaoOptions" not in taken and taken["text"] == first.text

    (template_id,) = standin.templates
    standin.review(template_id, approved=True)
    message_templates.refresh_status(shop)
    sales.record_sale(shop, who, 8000)
    messages.send_due(shop)
    second = _rows(shop)[1]
    assert (second.status, second.channel) == ("sent", "alimtalk")
    kakao = standin.accepted[1]["kakaoOptions"]
    assert kakao["templateId"] == template_id and kakao["variables"]["#{이름}"] == "김민준"


def test_unapproved_can_be_held_instead(shop: Any, standin: SolapiStandIn) -> None:
    messages.set_rules(shop, unapproved="hold")
    sales.record_sale(shop, customers.enroll(shop, PHONE).id, 12000)
    messages.send_due(shop)
    (held,) = _rows(shop)
    assert (held.status, held.last_error) == ("held", "template_not_approved")
    assert standin.accepted == []
    with pytest.raises(Refused) as refused:
        messages.set_rules(shop, unapproved="later")
    assert refused.value.code == "messages.unapproved_invalid"


def test_changing_a_reviewed_text_makes_it_a_draft_again(shop: Any, standin: SolapiStandIn) -> None:
    message_templates.set_template(shop, "points_earned", category=CATEGORY)
    message_templates.submit(shop, "points_earned")
    (template_id,) = standin.templates
    standin.review(template_id, approved=True)
    message_templates.refresh_status(shop)
    kept = message_templates.set_template(shop, "points_earned", fallback="#{이름}님 적립 완료")
    assert kept.status == "approved"  # the fallback is not reviewed
    text = "#{이름}님, #{적립}P 적립되었습니다.\n※ 이 메시지는 고객님의 구매로 적립된 포인트 안내"
    changed = message_templates.set_template(shop, "points_earned", text=text)
    assert (changed.status, changed.provider_template_id, changed.sends_as) == (
        "draft",
        None,
        "sms",
    )
    assert _audits(shop, "messages.template") == 3  # the category, the fallback, the text


def test_preview_with_a_real_members_values(shop: Any) -> None:
    who = customers.enroll(shop, PHONE, name="김민준", marketing_consent=True).id
    sale = sales.record_sale(shop, who, 12000)
    shown = message_templates.preview(shop, "points_earned", who)
    assert shown.values["적립"] == f"{sale.points_earned:,}"  # the member's own last earning
    assert shown.phone_masked is not None and "5678" in shown.phone_masked
    assert "1234" not in shown.phone_masked
    assert shown.alimtalk is not None and "김민준님" in shown.alimtalk
    assert "#{" not in shown.alimtalk and "#{" not in shown.fallback
    points = shown.values["포인트"]
    assert points != "0" and f"현재 포인트: {points}P" in shown.alimtalk
    assert shown.sends_as == "sms" and shown.fallback_type in ("SMS", "LMS")
    notice = message_templates.preview(shop, "consent_notice", who)
    today = shop.local(shop.now()).date()
    assert notice.values["동의일"] == f"{today.year}년 {today.month}월 {today.day}일"
    assert notice.values["동의내용"] == "문자 마케팅 정보"
    ad = message_templates.preview(shop, "winback", who)
    assert ad.alimtalk is None and ad.fallback.startswith("(광고)")
    with pytest.raises(Refused):
        message_templates.preview(shop, "no_such_kind", who)


def test_a_kind_without_its_row_gets_its_default_on_first_use(shop: Any) -> None:
    with shop.db.write() as session:  # as for a trigger kind added after migration 0014
        session.execute(delete(MessageTemplate).where(MessageTemplate.kind == "stamp_ready"))
    assert message_templates.get(shop, "stamp_ready").text.startswith("[#{상점}]")
    with shop.db.read() as session:  # reading made nothing up in the database
        kinds = set(session.scalars(select(MessageTemplate.kind)))
    assert "stamp_ready" not in kinds
    message_templates.set_template(shop, "stamp_ready", on=False)
    with shop.db.read() as session:
        row = session.scalars(
            select(MessageTemplate).where(MessageTemplate.kind == "stamp_ready")
        ).one()
    assert row.on is False and row.status == "draft"


def test_a_template_without_its_category_is_refused_before_the_provider(
    shop: Any, standin: SolapiStandIn
) -> None:
    with pytest.raises(Refused) as refused:
        message_templates.submit(shop, "points_earned")
    assert refused.value.code == "alimtalk.category_missing"
    assert standin.requests == [] and standin.templates == {}  # never reached it
    for bad in ("abc", "12345", "1234567", "00100a"):
        with pytest.raises(Refused) as refused:
            message_templates.set_template(shop, "points_earned", category=bad)
        assert refused.value.code == "alimtalk.category_format"
    assert message_templates.get(shop, "points_earned").category is None  # nothing changed
    kept = message_templates.set_template(shop, "points_earned", category=" 004001 ")
    assert kept.category == "004001"


def test_the_standin_refuses_a_template_without_a_category_as_solapi_does(
    shop: Any, standin: SolapiStandIn
) -> None:
    from app.messaging.base import Rejected, TemplateSpec

    provider = messages.provider_of(shop)
    assert provider is not None
    spec = TemplateSpec(name="dangol-x", text="#{이름}님", message_type="BA", emphasize_type="NONE")
    with pytest.raises(Rejected) as refused:
        provider.submit_template(spec)
    assert "categoryCode" in str(refused.value) and standin.templates == {}


def test_one_template_unknown_at_the_provider_does_not_stop_the_others(
    shop: Any, standin: SolapiStandIn
) -> None:
    for kind in ("points_earned", "coupon_issued"):
        message_templates.set_template(shop, kind, category=CATEGORY)
        message_templates.submit(shop, kind)
    earned = message_templates.get(shop, "points_earned").provider_template_id
    coupon = message_templates.get(shop, "coupon_issued").provider_template_id
    assert earned and coupon
    del standin.templates[earned]  # deleted at the provider
    standin.review(coupon, approved=True)
    views = {v.kind: v for v in message_templates.refresh_status(shop)}
    assert views["points_earned"].status == "missing"
    assert views["points_earned"].sends_as == "sms"  # its fallback, as for any unapproved
    assert views["coupon_issued"].status == "approved"  # asked after the unknown one
    assert message_templates.get(shop, "points_earned").status == "missing"
    again = message_templates.submit(shop, "points_earned")  # may be submitted anew
    assert again.status == "inspecting" and again.provider_template_id != earned
