"""The tablet's check-in over real sockets: off by default, pairing with a one-time code, the
device token (its scope, revoked), the check-in, several matches, joining with consents, the
moment of a sale; never a full number, a name or an id in an answer."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import httpx
import pytest

from app.bridge.api import ApiServer
from app.bridge.checkin_web import TEXT_KEYS, WEB
from app.services import customers, devices, program, sales, tokens
from tests.services.helpers import snapshot

PHONE = "010-1234-5678"
DIGITS = "01012345678"


@pytest.fixture
def shop(ctx):
    """A shop with one member holding points, a POS token, and the API listening."""
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)
    member = customers.enroll(ctx, PHONE, name="김단골")
    sales.record_sale(ctx, member.id, 62_000)  # 1,240 points
    server = ApiServer(ctx, port=0)
    port = server.start()
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    yield ctx, client, member.id
    client.close()
    server.stop()


def paired(ctx, client) -> str:
    """The tablet on, a code shown and typed: the device token."""
    devices.set_tablet_enabled(ctx, True)
    code = devices.start_pairing(ctx, "계산대 태블릿").code
    answer = client.post("/checkin/pair", json={"code": code})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def no_secrets(text: str, *secrets: str) -> None:
    for secret in (DIGITS, "1234-5678", "김단골", *secrets):
        assert secret not in text


def test_off_by_default_the_page_is_served_but_nothing_answers(shop):
    ctx, client, _ = shop
    status = client.get("/checkin/status").json()
    assert status["enabled"] is False and status["lan"] is False
    before = snapshot(ctx)
    refused = client.post("/checkin/pair", json={"code": "123456"})
    assert refused.status_code == 403 and refused.json()["error"] == "tablet.off"
    assert "꺼져" in refused.json()["message"]
    lookup = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer("dgl_x"))
    assert lookup.status_code == 403
    with pytest.raises(Exception) as no_code:
        devices.start_pairing(ctx, "태블릿")
    assert getattr(no_code.value, "code", None) == "tablet.off"
    assert snapshot(ctx) == before


def test_the_page_loads_nothing_from_elsewhere(shop):
    _, client, _ = shop
    page = client.get("/checkin")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    for name in ("app.js", "style.css"):
        served = client.get(f"/checkin/{name}")
        assert served.status_code == 200
        assert served.text == (WEB / name).read_text(encoding="utf-8")
    for path in WEB.iterdir():  # no address of another server in any file of the page
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text()), path
    assert client.get("/checkin/font.ttf").content[:4] == b"\x00\x01\x00\x00"
    assert client.get("/checkin/other.ttf").status_code == 404
    assert client.get("/checkin/../pyproject.toml").status_code == 404


def test_the_page_texts_come_from_the_catalogues_in_both_languages(shop):
    _, client, _ = shop
    korean = client.get("/checkin/texts", params={"lang": "ko"}).json()
    english = client.get("/checkin/texts", params={"lang": "en"}).json()
    assert set(korean["texts"]) == set(english["texts"]) == set(TEXT_KEYS)
    assert korean["texts"]["tabletweb.prompt"] == "번호 입력"
    assert english["texts"]["tabletweb.prompt"] == "Enter your number"
    assert all(value and value != key for key, value in english["texts"].items())
    assert client.get("/checkin/texts", params={"lang": "xx"}).json()["lang"] == "ko"


def test_pairing_with_the_code_gives_a_tablet_token_listed_with_the_others(shop):
    ctx, client, _ = shop
    devices.set_tablet_enabled(ctx, True)
    made = devices.start_pairing(ctx, "계산대 태블릿")
    assert re.fullmatch(r"\d{6}", made.code)
    assert made.expires_at == ctx.now() + timedelta(minutes=10)
    with ctx.db.read() as session:  # the code is kept as a digest only
        from app.db.models import Setting

        stored = session.get(Setting, devices.PAIRING_KEY)
        assert stored is not None and made.code not in stored.value
    wrong = "000000" if made.code != "000000" else "111111"
    refused = client.post("/checkin/pair", json={"code": wrong})
    assert refused.status_code == 401 and refused.json()["error"] == "tablet.code_wrong"
    form = client.post("/checkin/pair", json={"code": "12a"}, headers={"Accept-Language": "en"})
    assert form.status_code == 400 and "6 digits" in form.json()["message"]
    assert devices.pairing_state(ctx).waiting
    answer = client.post("/checkin/pair", json={"code": made.code})
    assert answer.status_code == 201
    token = answer.json()["token"]
    assert token.startswith("dgl_tablet_") and answer.json()["name"] == "계산대 태블릿"
    assert devices.pairing_state(ctx).paired_name == "계산대 태블릿"
    again = client.post("/checkin/pair", json={"code": made.code})
    assert again.status_code == 401  # a code pairs one tablet
    listed = {t.name: t for t in tokens.list_tokens(ctx).tokens}
    assert listed["계산대 태블릿"].scope == "tablet" and listed["계산대 태블릿"].active
    status = client.get("/checkin/status", headers=bearer(token)).json()
    assert status["enabled"] and status["paired"] is True


def test_an_expired_code_and_a_code_mistyped_too_often_pair_nothing(shop):
    ctx, client, _ = shop
    devices.set_tablet_enabled(ctx, True)
    made = devices.start_pairing(ctx, "태블릿 A")
    start = ctx.fixed_now
    ctx.fixed_now = start + timedelta(minutes=10, seconds=1)
    late = client.post("/checkin/pair", json={"code": made.code})
    assert late.status_code == 401 and late.json()["error"] == "tablet.code_expired"
    ctx.fixed_now = start
    made = devices.start_pairing(ctx, "태블릿 A")
    wrong = f"{(int(made.code) + 1) % 1_000_000:06d}"
    for _ in range(devices.MAX_TRIES):
        assert client.post("/checkin/pair", json={"code": wrong}).status_code == 401
    burnt = client.post("/checkin/pair", json={"code": made.code})
    assert burnt.status_code == 401 and burnt.json()["error"] == "tablet.code_expired"
    assert not devices.pairing_state(ctx).waiting
    assert all(t.scope != "tablet" for t in tokens.list_tokens(ctx).tokens)


def test_bad_codes_are_slowed_down_like_bad_tokens(shop):
    ctx, client, _ = shop
    devices.set_tablet_enabled(ctx, True)
    timings = []
    for _ in range(6):
        started = time.perf_counter()
        client.post("/checkin/pair", json={"code": "999999"})
        timings.append(time.perf_counter() - started)
    assert max(timings[:3]) < 0.25 and timings[-1] >= 0.9


def test_a_number_checks_in_and_shows_points_without_the_number_or_the_name(shop):
    ctx, client, customer_id = shop
    token = paired(ctx, client)
    answer = client.post("/checkin/lookup", json={"number": PHONE}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "member" and body["points"] == 1_240
    assert body["initial"] == "김" and body["phone_masked"].endswith("5678")
    assert body["visit"] and body["sale"] is None
    no_secrets(answer.text, str(customer_id))
    from app.services import checkin

    seen = checkin.latest_checkins(ctx, ctx.now() - timedelta(seconds=1))
    assert [(c.customer_id, c.source) for c in seen] == [(customer_id, "tablet")]
    assert seen[0].device and "계산대 태블릿" in seen[0].device
    malformed = client.post("/checkin/lookup", json={"number": "12"}, headers=bearer(token))
    assert malformed.status_code == 422 and malformed.json()["message"]


def test_the_tablet_token_is_for_the_check_in_only_and_a_revoked_one_stops(shop):
    ctx, client, _ = shop
    token = paired(ctx, client)
    sale = client.post("/v1/sales", json={"ref": "T1", "amount": 1000}, headers=bearer(token))
    assert sale.status_code == 403 and sale.json()["error"] == "token.not_allowed"
    pos_token = tokens.create_token(ctx, "카운터 POS", "pos").token
    pos = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(pos_token))
    assert pos.status_code == 403 and pos.json()["error"] == "token.not_allowed"
    tokens.revoke_token(ctx, "계산대 태블릿")
    gone = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token))
    assert gone.status_code == 401 and gone.json()["error"] == "token.unknown"
    assert client.get("/checkin/status", headers=bearer(token)).json()["paired"] is False


def test_turning_the_tablet_off_stops_a_paired_tablet(shop):
    ctx, client, _ = shop
    token = paired(ctx, client)
    devices.set_tablet_enabled(ctx, False)
    off = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token))
    assert off.status_code == 403 and off.json()["error"] == "tablet.off"


def test_several_members_for_the_last_four_digits_pick_one(shop):
    ctx, client, _ = shop
    other = customers.enroll(ctx, "010-9999-5678", name="이단골")
    token = paired(ctx, client)
    answer = client.post("/checkin/lookup", json={"number": "5678"}, headers=bearer(token))
    body = answer.json()
    assert body["kind"] == "choices" and len(body["choices"]) == 2
    no_secrets(answer.text, "이단골", "01099995678", str(other.id))
    mine = next(c for c in body["choices"] if c["initial"] == "이")
    chosen = client.post("/checkin/choose", json={"choice": mine["choice"]}, headers=bearer(token))
    assert chosen.status_code == 200 and chosen.json()["kind"] == "member"
    assert chosen.json()["initial"] == "이" and chosen.json()["points"] == 0
    reused = client.post("/checkin/choose", json={"choice": mine["choice"]}, headers=bearer(token))
    assert reused.status_code == 422 and reused.json()["error"] == "checkin.choice_unknown"


def test_an_unknown_number_joins_with_the_consents_the_customer_chose(shop):
    ctx, client, _ = shop
    token = paired(ctx, client)
    new = "010-5555-0101"
    unknown = client.post("/checkin/lookup", json={"number": new}, headers=bearer(token))
    assert unknown.json() == {
        "kind": "unknown",
        "can_join": True,
        "phone_masked": unknown.json()["phone_masked"],
    }
    assert "55550101" not in unknown.text
    wording = client.get("/checkin/consents", headers=bearer(token)).json()
    assert wording["program"].startswith("[필수]") and "sms" in wording["channels"]
    before = snapshot(ctx)
    no_program = client.post(
        "/checkin/join",
        json={"phone": new, "consents": {"program": False, "marketing": True}},
        headers=bearer(token),
    )
    assert no_program.status_code == 422
    assert no_program.json()["error"] == "checkin.program_consent_required"
    odd = client.post(
        "/checkin/join",
        json={"phone": new, "consents": {"program": "yes"}},
        headers=bearer(token),
    )
    assert odd.status_code == 400 and odd.json()["error"] == "api.malformed"
    assert snapshot(ctx) == before
    consents = {
        "program": True,
        "marketing": True,
        "channels": {"sms": True, "alimtalk": False, "friendtalk": False},
        "night": True,
    }
    joined = client.post(
        "/checkin/join", json={"phone": new, "consents": consents}, headers=bearer(token)
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["kind"] == "member" and joined.json()["enrolled"] is True
    from app.services import consents as consent_service

    member = customers.resolve_customer(ctx, new)
    state = consent_service.consent_state(ctx, member)
    granted = {(c.channel, c.purpose, c.night): c for c in state.consents if c.granted}
    assert set(granted) >= {("sms", "ad", False), ("sms", "ad", True)}
    assert ("alimtalk", "ad", False) not in granted
    assert all(c.source == "display" and c.granted_at == ctx.now() for c in granted.values())
    assert state.program_consent_at == ctx.now()


def test_the_moment_of_the_sale_the_counter_records_for_the_member(shop):
    ctx, client, customer_id = shop
    token = paired(ctx, client)
    body = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token)).json()
    visit = body["visit"]
    waiting = client.get("/checkin/moment", params={"visit": visit}, headers=bearer(token))
    assert waiting.status_code == 200 and waiting.json() == {"sale": None, "wallet": None}
    sales.record_sale(ctx, customer_id, 12_000)  # the counter's sale: 240 points
    moment = client.get("/checkin/moment", params={"visit": visit}, headers=bearer(token))
    sale = moment.json()["sale"]
    assert sale["points_earned"] == 240 and sale["points"] == 1_480
    no_secrets(moment.text, str(customer_id))
    unknown = client.get("/checkin/moment", params={"visit": "nope"}, headers=bearer(token))
    assert unknown.status_code == 404 and unknown.json()["error"] == "tablet.visit_unknown"


def test_a_visit_handle_is_only_for_the_tablet_that_checked_in(shop):
    ctx, client, _ = shop
    first = paired(ctx, client)
    code = devices.start_pairing(ctx, "두 번째 태블릿").code
    second = client.post("/checkin/pair", json={"code": code}).json()["token"]
    visit = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(first))
    handle = visit.json()["visit"]
    other = client.get("/checkin/moment", params={"visit": handle}, headers=bearer(second))
    assert other.status_code == 404


def test_an_attached_pending_pos_sale_shows_at_once(shop):
    ctx, client, _ = shop
    token = paired(ctx, client)
    pos_token = tokens.create_token(ctx, "카운터 POS", "pos").token
    pending = client.post(
        "/v1/sales", json={"ref": "P-77", "amount": 5_000}, headers=bearer(pos_token)
    )
    assert pending.status_code == 202
    body = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token)).json()
    assert body["sale"]["points_earned"] == 100 and body["points"] == 1_340
    assert json.dumps(body).count("P-77") == 0  # the POS's ref is the counter's business


def test_bound_to_the_lan_a_tablet_reaches_the_page_at_the_pcs_address(ctx):
    from app.bridge.checkin_web import lan_addresses
    from app.services import settings

    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this machine has no network address but 127.0.0.1")
    settings.update_settings(ctx, pos_api_enabled=True, pos_api_lan=True)
    server = ApiServer(ctx, host="0.0.0.0", port=0)
    port = server.start()
    try:
        page = httpx.get(f"http://{addresses[0]}:{port}/checkin", timeout=10)
        assert page.status_code == 200 and "/checkin/app.js" in page.text
        status = httpx.get(f"http://{addresses[0]}:{port}/checkin/status", timeout=10).json()
        assert status["lan"] is True and status["enabled"] is False
    finally:
        server.stop()


def rating_on(ctx, review_url: str = "https://example.test/review") -> None:
    from app.services import settings

    settings.update_settings(ctx, rating_enabled=True, rating_percent=100, review_url=review_url)


def stored_ratings(ctx):
    from sqlalchemy import select

    from app.db.models import VisitRating

    with ctx.db.read() as session:
        return [
            (r.sale_id, r.score, r.comment, r.source) for r in session.scalars(select(VisitRating))
        ]


def test_after_the_moment_the_tablet_asks_the_rating_and_stores_it_from_the_tablet(shop):
    ctx, client, customer_id = shop
    rating_on(ctx)
    token = paired(ctx, client)
    visit = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token))
    handle = visit.json()["visit"]
    made = sales.record_sale(ctx, customer_id, 12_000)
    moment = client.get("/checkin/moment", params={"visit": handle}, headers=bearer(token))
    assert moment.json()["sale"]["ask_rating"] is True
    before = snapshot(ctx)
    for bad, code in (
        ({"score": 11}, "rating.score_range"),
        ({"score": 9, "comment": "가" * 201}, "rating.comment_long"),
    ):
        refused = client.post("/checkin/rate", json={"visit": handle, **bad}, headers=bearer(token))
        assert refused.status_code == 422 and refused.json()["error"] == code
        assert refused.json()["message"] and "Traceback" not in refused.text
    odd = client.post("/checkin/rate", json={"visit": handle, "score": True}, headers=bearer(token))
    assert odd.status_code == 400 and odd.json()["error"] == "api.malformed"
    assert snapshot(ctx) == before and stored_ratings(ctx) == []
    rated = client.post(
        "/checkin/rate",
        json={"visit": handle, "score": 9, "comment": " 커피가 맛있어요 "},
        headers=bearer(token),
    )
    assert rated.status_code == 200, rated.text
    assert stored_ratings(ctx) == [(made.sale_id, 9, "커피가 맛있어요", "tablet")]
    qr = rated.json()["review_qr"]
    assert qr.startswith("data:image/svg+xml;base64,")
    import base64

    svg = base64.b64decode(qr.split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "<path" in svg and "example.test" not in svg
    again = client.post("/checkin/rate", json={"visit": handle, "score": 3}, headers=bearer(token))
    assert again.status_code == 422 and again.json()["error"] == "rating.already"
    no_secrets(rated.text + moment.text, str(customer_id), str(made.sale_id))
    # the tablet may check in and rate, and still no more than that
    sale = client.post("/v1/sales", json={"ref": "T2", "amount": 1000}, headers=bearer(token))
    assert sale.status_code == 403 and sale.json()["error"] == "token.not_allowed"
    assert tokens.SCOPES["tablet"] == frozenset({"checkin", "rate"})


def test_a_lower_score_gets_no_review_qr_and_a_pos_token_cannot_rate(shop):
    ctx, client, customer_id = shop
    rating_on(ctx)
    token = paired(ctx, client)
    handle = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token))
    handle = handle.json()["visit"]
    pos_token = tokens.create_token(ctx, "카운터 POS", "pos").token
    no_sale = client.post(
        "/checkin/rate", json={"visit": handle, "score": 8}, headers=bearer(token)
    )
    assert no_sale.status_code == 422 and no_sale.json()["error"] == "rating.no_sale"
    sales.record_sale(ctx, customer_id, 12_000)
    pos = client.post(
        "/checkin/rate", json={"visit": handle, "score": 8}, headers=bearer(pos_token)
    )
    assert pos.status_code == 403 and pos.json()["error"] == "token.not_allowed"
    other = client.post("/checkin/rate", json={"visit": "nope", "score": 8}, headers=bearer(token))
    assert other.status_code == 404 and other.json()["error"] == "tablet.visit_unknown"
    rated = client.post("/checkin/rate", json={"visit": handle, "score": 8}, headers=bearer(token))
    assert rated.status_code == 200 and rated.json() == {"score": 8, "review_qr": None}
    assert [r[1:] for r in stored_ratings(ctx)] == [(8, None, "tablet")]


def test_with_the_rating_off_the_moment_asks_nothing(shop):
    ctx, client, customer_id = shop
    token = paired(ctx, client)
    handle = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token))
    sales.record_sale(ctx, customer_id, 12_000)
    moment = client.get(
        "/checkin/moment", params={"visit": handle.json()["visit"]}, headers=bearer(token)
    )
    assert moment.json()["sale"]["ask_rating"] is False


def test_an_attached_pending_sale_says_whether_its_rating_follows(shop):
    ctx, client, _ = shop
    rating_on(ctx)
    token = paired(ctx, client)
    pos_token = tokens.create_token(ctx, "카운터 POS", "pos").token
    client.post("/v1/sales", json={"ref": "P-78", "amount": 5_000}, headers=bearer(pos_token))
    body = client.post("/checkin/lookup", json={"number": DIGITS}, headers=bearer(token)).json()
    assert body["sale"]["ask_rating"] is True
    rated = client.post(
        "/checkin/rate", json={"visit": body["visit"], "score": 10}, headers=bearer(token)
    )
    assert rated.status_code == 200 and rated.json()["review_qr"]


def test_the_review_qr_draws_every_dark_module_of_the_url_and_nothing_else():
    import qrcode

    from app.bridge.checkin_web import qr_svg

    url = "https://example.test/review?place=단골"
    svg = qr_svg(url)
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", svg)}
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    dark = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert drawn == dark and len(dark) > 100
    assert f'viewBox="0 0 {len(matrix)} {len(matrix)}"' in svg
    assert all(not row[0] and not row[3] for row in matrix[:4])  # the quiet zone stays white
