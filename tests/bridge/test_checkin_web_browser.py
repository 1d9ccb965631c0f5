"""The tablet's check-in page in a real headless Chromium (Debian's chromium + chromium-driver,
driven by selenium): pair with the code, type a number, see the points and the moment of the
sale; join with the consents the customer taps. Screenshots at tablet sizes go to
``$DANGOL_SHOTS`` (default build/screenshots/tablet-web) when that folder can be made.

In CI (``CI`` set) a missing browser fails the test; elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bridge.api import ApiServer
from app.services import consents, customers, devices, program, sales, settings, tokens

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
PHONE = "010-1234-5678"
WAIT = 10  # seconds a step may take in the browser


def _browser_missing() -> str | None:
    for path in (CHROMIUM, DRIVER):
        if not os.path.exists(path):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the test extra)"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the tablet page's browser test must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # root in CI
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--lang=ko-KR",
        "--window-size=1280,800",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ko-KR,ko"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    tablet(driver, 1280, 800)
    yield driver
    driver.quit()


@pytest.fixture
def shop(sqlite_ctx) -> Iterator[tuple[Any, str]]:
    ctx = sqlite_ctx
    document = program.show_program(ctx)
    for level in document["tiers"]["levels"]:
        level["earn_percent"] = "2"
    document["campaigns"] = []
    program.load_program(ctx, document)
    member = customers.enroll(ctx, PHONE, name="김단골")
    sales.record_sale(ctx, member.id, 62_000)  # 1,240 points
    devices.set_tablet_enabled(ctx, True)
    server = ApiServer(ctx, port=0)
    port = server.start()
    yield ctx, f"http://127.0.0.1:{port}/checkin"
    server.stop()


def tablet(driver: Any, width: int, height: int) -> None:
    """The page's viewport exactly a tablet's screen (a window's size would include its frame)."""
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})


def shots() -> Path | None:
    folder = Path(
        os.environ.get(
            "DANGOL_SHOTS",
            Path(__file__).resolve().parents[2] / "build" / "screenshots" / "tablet-web",
        )
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def shoot(driver: Any, name: str) -> None:
    folder = shots()
    if folder is not None:
        driver.save_screenshot(str(folder / f"{name}.png"))


def visible(driver: Any, screen: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(
        seen.visibility_of_element_located((By.ID, f"screen-{screen}"))
    )


def tap_digits(section: Any, digits: str) -> None:
    from selenium.webdriver.common.by import By

    for digit in digits:
        section.find_element(By.CSS_SELECTOR, f'.key[data-key="{digit}"]').click()


def tap(section: Any, key: str) -> None:
    from selenium.webdriver.common.by import By

    section.find_element(By.CSS_SELECTOR, f'.key[data-key="{key}"]').click()


def text_of(driver: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, element_id).text)


def wait_text(driver: Any, element_id: str, part: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT).until(seen.text_to_be_present_in_element((By.ID, element_id), part))


def pair_in_browser(ctx: Any, driver: Any, url: str) -> None:
    driver.get(url)
    pairing = visible(driver, "pair")
    assert "6자리 코드" in pairing.text
    code = devices.start_pairing(ctx, "계산대 태블릿").code
    tap_digits(pairing, code)
    assert text_of(driver, "pair-code") == code
    tap(pairing, "ok")
    visible(driver, "prompt")
    faces = driver.execute_async_script(  # the app's Korean font, served by the PC, in use
        "const done = arguments[0]; document.fonts.ready.then("
        "() => done([...document.fonts].map(f => f.status)))"
    )
    assert faces == ["loaded", "loaded"]
    stored = driver.execute_script("return localStorage.getItem('dangol.tablet.token')")
    assert str(stored).startswith("dgl_tablet_")


def test_pair_type_a_number_see_the_points_and_the_sale(shop, browser):
    ctx, url = shop
    driver = browser
    driver.get(url)
    visible(driver, "pair")
    shoot(driver, "01-pair-1280x800")
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    assert "번호 입력" in prompt.text
    assert "LAN에서도 받기" in text_of(driver, "notice")  # the bridge listens on this PC only
    tap_digits(prompt, "12")  # too short: said in words, nothing else happens
    tap(prompt, "ok")
    wait_text(driver, "prompt-error", "번호")
    shoot(driver, "02-refused-1280x800")
    tap(prompt, "clear")
    assert not driver.find_element("id", "prompt-error").is_displayed()
    tap_digits(prompt, "0101234")
    assert text_of(driver, "number") == "010-••••"  # the middle digits hidden as typed
    tap_digits(prompt, "5678")
    assert text_of(driver, "number") == "010-••••-5678"
    shoot(driver, "02-typing-1280x800")
    tap(prompt, "ok")
    member = visible(driver, "member")
    wait_text(driver, "member-points", "1,240P")
    assert "김○○" in text_of(driver, "member-welcome")
    assert "5678" in text_of(driver, "member-phone") and "1234" not in member.text
    assert "김단골" not in driver.page_source and "01012345678" not in driver.page_source
    shoot(driver, "03-member-1280x800")
    tablet(driver, 800, 1280)
    shoot(driver, "03-member-800x1280")
    customer = customers.resolve_customer(ctx, PHONE)
    sales.record_sale(ctx, customer, 12_000)  # the counter records the sale: 240 points
    visible(driver, "moment")
    wait_text(driver, "moment-points", "+240P 적립")
    assert text_of(driver, "moment-balance") == "보유 1,480P"
    assert "스탬프 +1 · 2/10" in text_of(driver, "moment-stamps")
    shoot(driver, "04-moment-800x1280")
    # the device token revoked: the page goes back to pairing on its next call
    driver.find_element("css selector", "#screen-moment").click()
    tokens.revoke_token(ctx, "계산대 태블릿")
    driver.execute_script("reset()")
    prompt = visible(driver, "prompt")
    tap_digits(prompt, "5678")
    tap(prompt, "ok")
    visible(driver, "pair")
    wait_text(driver, "pair-error", "해지")
    assert driver.execute_script("return localStorage.getItem('dangol.tablet.token')") is None


def test_join_with_the_consents_the_customer_taps_and_english(shop, browser):
    from selenium.webdriver.common.by import By

    ctx, url = shop
    driver = browser
    settings.update_settings(ctx, pos_api_lan=True)  # as a shop with a tablet has it
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    assert not driver.find_element(By.ID, "notice").is_displayed()
    shoot(driver, "05-prompt-1280x800")
    tablet(driver, 800, 1280)
    shoot(driver, "05-prompt-800x1280")
    tablet(driver, 1280, 800)
    tap_digits(prompt, "01055550101")
    tap(prompt, "ok")
    unknown = visible(driver, "unknown")
    assert "가입하지 않은 번호" in unknown.text
    shoot(driver, "06-unknown-1280x800")
    driver.find_element(By.ID, "join-yes").click()
    join = visible(driver, "join")
    assert "[필수]" in join.text  # the store's own wording
    boxes = join.find_elements(By.CSS_SELECTOR, "input[type=checkbox]")
    assert boxes and not any(box.is_selected() for box in boxes)  # nothing ticked for them
    join_button = driver.find_element(By.ID, "join-button")
    assert not join_button.is_enabled()  # the program consent is required
    driver.find_element(By.ID, "consent-program").click()
    driver.find_element(By.ID, "consent-marketing").click()
    driver.find_element(By.ID, "consent-channel-sms").click()
    driver.find_element(By.ID, "consent-night").click()
    shoot(driver, "07-join-1280x800")
    tablet(driver, 800, 1280)
    shoot(driver, "07-join-800x1280")
    join_button.click()
    visible(driver, "member")
    wait_text(driver, "member-welcome", "가입되었습니다")
    shoot(driver, "08-joined-800x1280")
    member = customers.resolve_customer(ctx, "010-5555-0101")
    state = consents.consent_state(ctx, member)
    granted = {(c.channel, c.night) for c in state.consents if c.granted and c.purpose == "ad"}
    assert granted == {("sms", False), ("sms", True)}
    assert state.program_consent_at is not None
    # the next customer reads English: the toggle, then several matches to pick from
    customers.enroll(ctx, "010-7777-0101", name="이단골")
    driver.find_element(By.ID, "member-done").click()
    prompt = visible(driver, "prompt")
    driver.find_element(By.ID, "language").click()
    wait_text(driver, "screen-prompt", "Enter your number")
    tablet(driver, 1280, 800)
    shoot(driver, "09-prompt-en-1280x800")
    tap_digits(prompt, "0101")
    tap(prompt, "ok")
    pick = visible(driver, "pick")
    assert "Which number is yours?" in pick.text
    choices = pick.find_elements(By.CSS_SELECTOR, ".choice")
    assert len(choices) == 2 and "이단골" not in pick.text
    shoot(driver, "10-pick-en-1280x800")
    next(c for c in choices if "이" in c.text).click()
    visible(driver, "member")
    wait_text(driver, "member-points", "0 P")


def test_untouched_for_the_idle_seconds_the_page_forgets_the_customer(shop, browser):
    ctx, url = shop
    driver = browser
    ctx.settings["checkin_idle_seconds"] = 2  # the owner's setting, short for the test
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    tap_digits(prompt, "5678")
    tap(prompt, "ok")
    visible(driver, "member")
    wait_text(driver, "member-points", "1,240P")
    prompt = visible(driver, "prompt")  # about two seconds later, by itself
    assert text_of(driver, "member-points") == "" and text_of(driver, "number").strip() == ""
    assert "5678" not in driver.find_element("css selector", "main").text


def test_turned_off_the_page_says_so_and_comes_back_when_turned_on(shop, browser):
    ctx, url = shop
    driver = browser
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    devices.set_tablet_enabled(ctx, False)
    tap_digits(prompt, "5678")
    tap(prompt, "ok")
    off = visible(driver, "off")
    assert (
        "꺼져 있습니다" in off.text
        and "1,240" not in driver.find_element("css selector", "main").text
    )
    shoot(driver, "11-off-1280x800")
    devices.set_tablet_enabled(ctx, True)
    visible(driver, "prompt")  # the page asks again every few seconds
    assert driver.execute_script("return localStorage.getItem('dangol.tablet.token')")


def test_a_ready_reward_is_shown_with_the_points(shop, browser):
    ctx, url = shop
    driver = browser
    regular = customers.enroll(ctx, "010-2222-3333", name="박단골")
    for _ in range(10):  # a stamp a visit: the tenth completes the card
        sales.record_sale(ctx, regular.id, 1_000)
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    tap_digits(prompt, "3333")
    tap(prompt, "ok")
    visible(driver, "member")
    wait_text(driver, "member-reward", "받을 수 있는 보상 1개")
    assert "박○○" in text_of(driver, "member-welcome")
    shoot(driver, "12-reward-1280x800")


def test_after_the_moment_the_tablet_asks_the_rating_and_a_nine_shows_the_review_qr(shop, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
    from sqlalchemy import select

    from app.db.models import VisitRating

    ctx, url = shop
    driver = browser
    settings.update_settings(
        ctx, rating_enabled=True, rating_percent=100, review_url="https://example.test/r"
    )
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    tap_digits(prompt, "5678")
    tap(prompt, "ok")
    visible(driver, "member")
    customer = customers.resolve_customer(ctx, PHONE)
    made = sales.record_sale(ctx, customer, 12_000)  # the sale at the counter
    visible(driver, "moment")
    wait_text(driver, "moment-points", "+240P 적립")
    rating = WebDriverWait(driver, 20).until(  # the moment's seconds, then the question
        seen.visibility_of_element_located((By.ID, "screen-rating"))
    )
    assert "오늘 방문은 어떠셨나요?" in rating.text and "건너뛰기" in rating.text
    scores = rating.find_elements(By.CSS_SELECTOR, ".score")
    assert [s.text for s in scores] == [str(n) for n in range(11)]
    colours = {s.value_of_css_property("background-color") for s in scores}
    assert len(colours) == 1  # one neutral colour: the screen does not judge
    assert len({s.location["y"] for s in scores}) == 1  # wide: one row
    assert all(s.size["width"] >= 56 and s.size["height"] >= 56 for s in scores)
    placeholder = driver.find_element(By.ID, "rating-comment").get_attribute("placeholder")
    assert "200자" in str(placeholder)
    shoot(driver, "13-rating-1280x800")
    tablet(driver, 800, 1280)
    rows = sorted({s.location["y"] for s in scores})
    assert len(rows) == 2 and scores[5].location["y"] == rows[0] == scores[0].location["y"]
    assert scores[6].location["y"] == rows[1]  # narrow: 0–5 above 6–10
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 800
    assert not driver.find_element(By.ID, "rating-send").is_enabled()
    scores[9].click()
    assert "chosen" in str(scores[9].get_attribute("class"))
    driver.find_element(By.ID, "rating-comment").send_keys("친절해요")
    shoot(driver, "13-rating-800x1280")
    driver.find_element(By.ID, "rating-send").click()
    thanks = visible(driver, "thanks")
    assert "소중한 의견 감사합니다!" in thanks.text
    qr = driver.find_element(By.ID, "review-qr")
    assert qr.is_displayed() and str(qr.get_attribute("src")).startswith("data:image/svg+xml")
    assert driver.execute_script("return arguments[0].naturalWidth > 0", qr)  # it is drawn
    shoot(driver, "14-thanks-800x1280")
    tablet(driver, 1280, 800)
    shoot(driver, "14-thanks-1280x800")
    with ctx.db.read() as session:
        stored = [
            (r.sale_id, r.score, r.comment, r.source) for r in session.scalars(select(VisitRating))
        ]
    assert stored == [(made.sale_id, 9, "친절해요", "tablet")]
    WebDriverWait(driver, 20).until(seen.visibility_of_element_located((By.ID, "screen-prompt")))
    assert text_of(driver, "member-points") == ""  # back to the prompt, the customer forgotten


def test_skipping_the_rating_stores_nothing_and_goes_back_to_the_prompt(shop, browser):
    from selenium.webdriver.common.by import By

    ctx, url = shop
    driver = browser
    settings.update_settings(ctx, rating_enabled=True, rating_percent=100)
    pair_in_browser(ctx, driver, url)
    prompt = visible(driver, "prompt")
    tap_digits(prompt, "5678")
    tap(prompt, "ok")
    visible(driver, "member")
    sales.record_sale(ctx, customers.resolve_customer(ctx, PHONE), 12_000)
    visible(driver, "moment")
    driver.execute_script("endMoment()")  # the moment's seconds, at once
    visible(driver, "rating")
    driver.find_element(By.ID, "language").click()  # the customer reads English
    wait_text(driver, "screen-rating", "How was your visit today?")
    assert "Skip" in text_of(driver, "screen-rating")
    tablet(driver, 800, 1280)
    shoot(driver, "15-rating-en-800x1280")
    driver.find_element(By.ID, "rating-skip").click()
    visible(driver, "prompt")
    from sqlalchemy import func, select

    from app.db.models import VisitRating

    with ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(VisitRating)) == 0
