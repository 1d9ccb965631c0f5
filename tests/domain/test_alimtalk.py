"""The checks an 알림톡 template passes before it is submitted (app/domain/alimtalk.py)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from app.domain import alimtalk
from app.domain.alimtalk import Button, Draft, check, default_draft

BASIS = "※ 이 메시지는 고객님의 구매로 적립된 포인트 안내입니다."


def _codes(draft: Draft) -> list[str]:
    return [p.code for p in check(draft)]


def _earned(text: str, **kw: object) -> Draft:
    return replace(default_draft("points_earned"), text=text, **kw)  # type: ignore[arg-type]


def test_every_default_passes_and_every_kind_has_one() -> None:
    for kind in alimtalk.known_kinds():
        draft = default_draft(kind)
        assert check(draft) == [], kind
        for name in alimtalk.placeholders(draft.text):
            assert name in alimtalk.variables_of(kind), (kind, name)


def test_informational_only() -> None:
    assert _codes(_earned(f"(광고) #{{이름}}님 적립\n{BASIS}")) == ["alimtalk.ad_prefix"]
    (problem,) = check(_earned(f"#{{이름}}님, 이번 주 특가!\n{BASIS}"))
    assert (problem.code, problem.values) == ("alimtalk.ad_word", {"word": "특가"})
    assert _codes(_earned(f"#{{이름}}님 신메뉴 출시\n{BASIS}")) == ["alimtalk.ad_word"]


def test_no_coupon_for_a_visit() -> None:
    text = f"#{{이름}}님, 이번 주에 방문하시면 쿠폰을 드려요.\n{BASIS}"
    (problem,) = check(_earned(text))
    assert problem.code == "alimtalk.visit_pitch" and problem.values["phrase"] == "방문하시면"
    assert _codes(_earned(f"#{{이름}}님, 들러주세요\n{BASIS}")) == ["alimtalk.visit_pitch"]


def test_the_basis_line_for_points_stamps_and_coupons() -> None:
    bare = "#{이름}님, #{적립}P가 적립되었습니다."
    for kind in ("points_earned", "coupon_issued", "points_expiring_7", "stamp_ready"):
        draft = replace(default_draft(kind), text=bare.replace("#{적립}", "10"))
        assert "alimtalk.basis_missing" in _codes(draft), kind
    assert _codes(_earned(bare + "\n※ 감사합니다")) == ["alimtalk.basis_missing"]  # no basis
    assert _codes(_earned(bare + "\n이 메시지는 고객님의 구매로 적립")) == [
        "alimtalk.basis_missing"
    ]
    assert check(_earned(bare + "\n" + BASIS)) == []
    # the basis may be the membership terms the customer agreed to (as Kakao's guide has it)
    terms = "\n※ 이 메시지는 멤버십 약관 동의에 따라 지급된 포인트의 안내입니다."
    assert check(_earned(bare + terms)) == []
    assert _codes(_earned(bare + "\n※ 포인트 지급 안내")) == ["alimtalk.basis_missing"]
    # the consent notice tells of no points: it needs none
    notice = replace(default_draft("consent_notice"), text="#{이름}님 동의일 #{동의일}")
    assert check(notice) == []


def test_length_counts_each_variable_at_its_longest() -> None:
    room = alimtalk.MAX_BODY - len(BASIS) - 1
    longest_name = alimtalk.variables_of("points_earned")["이름"]
    fits = "가" * (room - longest_name) + "#{이름}\n" + BASIS
    assert alimtalk.longest(fits, "points_earned") == alimtalk.MAX_BODY
    assert check(_earned(fits)) == []
    over = "가" + fits
    (problem,) = check(_earned(over))
    assert problem.code == "alimtalk.too_long"
    assert problem.values == {"length": alimtalk.MAX_BODY + 1, "maximum": alimtalk.MAX_BODY}
    # written short, long at its longest value: still too long
    assert len(over) < alimtalk.MAX_BODY + longest_name


def test_placeholders_well_formed_and_known() -> None:
    (bad,) = check(_earned(f"#{{이름님, 적립\n{BASIS}"))
    assert bad.code == "alimtalk.placeholder_malformed"
    assert _codes(_earned(f"#{{}}님\n{BASIS}")) == ["alimtalk.placeholder_malformed"]
    assert _codes(_earned(f"#{{이 름}}님\n{BASIS}")) == ["alimtalk.placeholder_malformed"]
    (unknown,) = check(_earned(f"#{{쿠폰}} #{{이름}}\n{BASIS}"))
    assert (unknown.code, unknown.values) == ("alimtalk.placeholder_unknown", {"name": "쿠폰"})
    fallback = replace(_earned(f"#{{이름}}\n{BASIS}"), fallback="#{전화} 적립")
    assert _codes(fallback) == ["alimtalk.placeholder_unknown"]


def test_buttons() -> None:
    ok = Button("WL", "가" * alimtalk.MAX_BUTTON_NAME, "https://m.example.kr")
    assert check(_earned(f"#{{이름}}\n{BASIS}", buttons=(ok,) * 5)) == []
    assert _codes(_earned(f"#{{이름}}\n{BASIS}", buttons=(ok,) * 6)) == [
        "alimtalk.buttons_too_many"
    ]
    long_name = Button("BK", "가" * (alimtalk.MAX_BUTTON_NAME + 1))
    assert _codes(_earned(f"#{{이름}}\n{BASIS}", buttons=(long_name,))) == ["alimtalk.button_name"]
    no_link = Button("WL", "보기", "ftp://x")
    assert _codes(_earned(f"#{{이름}}\n{BASIS}", buttons=(no_link,))) == ["alimtalk.button_link"]
    channel_add = Button("AC", "채널 추가")  # an ad-bearing button
    assert _codes(_earned(f"#{{이름}}\n{BASIS}", buttons=(channel_add,))) == [
        "alimtalk.button_type"
    ]


def test_types_need_their_parts() -> None:
    text = f"#{{이름}}\n{BASIS}"
    assert _codes(_earned(text, template_type="extra")) == ["alimtalk.extra_length"]
    assert check(_earned(text, template_type="extra", extra="영업시간 10:00-22:00")) == []
    with_var = _earned(text, template_type="extra", extra="#{이름}님")
    assert _codes(with_var) == ["alimtalk.extra_variables"]
    assert _codes(_earned(text, template_type="emphasis")) == ["alimtalk.emphasis_length"]
    assert check(_earned(text, template_type="emphasis", emphasis_title="1,200P 적립")) == []
    assert _codes(_earned(text, template_type="wide")) == ["alimtalk.type_unknown"]
    assert alimtalk.KAKAO_TYPES["emphasis"] == ("BA", "TEXT")


def test_the_fallback() -> None:
    text = f"#{{이름}}\n{BASIS}"
    assert _codes(_earned(text, fallback="")) == ["alimtalk.fallback_empty"]
    assert _codes(_earned(text, fallback="가" * 1001)) == ["alimtalk.fallback_too_long"]
    assert _codes(_earned(text, fallback="주말 세일")) == ["alimtalk.fallback_ad"]


def test_an_advertisement_is_only_its_sms_text() -> None:
    winback = default_draft("winback")
    assert check(winback) == []  # its words are an ad, and it goes by SMS with (광고)
    problem = alimtalk.submittable("winback")
    assert problem is not None and problem.code == "alimtalk.ad_kind"
    assert alimtalk.submittable("points_earned") is None


def test_every_refusal_has_its_key() -> None:
    drafts = [
        _earned(""),
        _earned("(광고) 세일 방문하시면 #{x #{전화}" * 30, buttons=(Button("AC", ""),) * 6),
        _earned("x", template_type="extra", fallback=""),
    ]
    for draft in drafts:
        for problem in check(draft):
            assert problem.code in alimtalk.PROBLEM_CODES, problem.code


@given(st.text(alphabet="가나다#{}이름적립 ※\n", max_size=80))
def test_check_never_fails_on_any_text(text: str) -> None:
    for problem in check(_earned(text)):
        assert problem.code in alimtalk.PROBLEM_CODES
