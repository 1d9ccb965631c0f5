"""The visit rating on the customer's screen: tap a score, add a comment, send or skip; the
review QR after a promoter's score only, read back from the screen with zxing-cpp."""

from __future__ import annotations

import zxingcpp
from PySide6.QtCore import Qt

from app.ui.rating import TOUCH, RatingPrompt

REVIEW = "https://m.place.example.com/restaurant/1234567/review"


def _prompt(app, qtbot) -> RatingPrompt:
    prompt = RatingPrompt()
    qtbot.addWidget(prompt)
    prompt.resize(1024, 600)
    prompt.show()
    qtbot.waitExposed(prompt)
    return prompt


def _qr_texts(prompt: RatingPrompt) -> list[str]:
    image = prompt.grab().toImage()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCodeModel2)
    return [code.text for code in found]


def test_tap_a_score_write_a_comment_and_send(app, qtbot, shot) -> None:
    prompt = _prompt(app, qtbot)
    assert prompt.findChild(type(prompt.comment), "ratingComment").maxLength() == 200
    shot(prompt, "rating_prompt")
    assert not prompt.send_button.isEnabled()  # nothing chosen yet: nothing to send
    for button in prompt.buttons:  # touch targets: a finger's width at least
        assert button.width() >= TOUCH and button.height() >= TOUCH
    qtbot.mouseClick(prompt.buttons[8], Qt.MouseButton.LeftButton)
    assert prompt.buttons[8].isChecked() and prompt.send_button.isEnabled()
    qtbot.mouseClick(prompt.buttons[3], Qt.MouseButton.LeftButton)  # changed their mind
    assert prompt.buttons[3].isChecked() and not prompt.buttons[8].isChecked()
    prompt.comment.insert("조금 기다렸어요")  # Hangul comes through the input method, whole
    qtbot.keyClicks(prompt.comment, " :)")
    shot(prompt, "rating_prompt_chosen")
    with qtbot.waitSignal(prompt.rated, timeout=1000) as sent:
        qtbot.mouseClick(prompt.send_button, Qt.MouseButton.LeftButton)
    assert sent.args == [3, "조금 기다렸어요 :)"]


def test_skip_sends_no_score(app, qtbot) -> None:
    prompt = _prompt(app, qtbot)
    rated: list[tuple[int, str]] = []
    prompt.rated.connect(lambda s, c: rated.append((s, c)))
    with qtbot.waitSignal(prompt.skipped, timeout=1000):
        qtbot.mouseClick(prompt.skip_button, Qt.MouseButton.LeftButton)
    assert rated == []


def test_the_scores_share_one_neutral_colour(app, qtbot) -> None:
    prompt = _prompt(app, qtbot)
    image = prompt.grab().toImage()
    colours = set()
    for button in prompt.buttons:
        centre = button.mapTo(prompt, button.rect().topLeft()) + button.rect().center() / 4
        colours.add(image.pixelColor(centre).name())
    assert len(colours) == 1, colours  # 0 is not red, 10 is not green
    (colour,) = colours
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    assert max(r, g, b) - min(r, g, b) < 20  # a grey, no hue to judge with


def test_a_high_score_shows_the_review_qr(app, qtbot, shot) -> None:
    prompt = _prompt(app, qtbot)
    qtbot.mouseClick(prompt.buttons[10], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(prompt.send_button, Qt.MouseButton.LeftButton)
    prompt.thank(REVIEW)
    assert prompt.review_qr.isVisible()
    shot(prompt, "rating_thanks_review")
    assert _qr_texts(prompt) == [REVIEW]
    prompt.reset()
    assert prompt.pages.currentIndex() == 0 and prompt.score is None
    assert not any(b.isChecked() for b in prompt.buttons) and prompt.comment.text() == ""


def test_a_low_score_never_shows_the_review_qr(app, qtbot, shot) -> None:
    prompt = _prompt(app, qtbot)
    qtbot.mouseClick(prompt.buttons[6], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(prompt.send_button, Qt.MouseButton.LeftButton)
    prompt.thank(REVIEW)  # even when the embedder passes the page by mistake
    assert not prompt.review_qr.isVisible()
    assert _qr_texts(prompt) == []
    shot(prompt, "rating_thanks")


def test_a_narrow_screen_gets_two_rows_of_scores(app, qtbot, shot) -> None:
    prompt = _prompt(app, qtbot)
    assert prompt.rows == 1
    prompt.resize(640, 480)
    qtbot.waitUntil(lambda: prompt.rows == 2, timeout=1000)
    app.processEvents()
    assert prompt.width() <= 640
    assert prompt.buttons[6].y() > prompt.buttons[5].y()  # 6-10 below 0-5
    for button in prompt.buttons:
        assert button.width() >= TOUCH and button.height() >= TOUCH
    shot(prompt, "rating_prompt_narrow")
    prompt.resize(1024, 600)
    qtbot.waitUntil(lambda: prompt.rows == 1, timeout=1000)


def test_a_review_page_with_hangul_in_its_address_reads_back(app, qtbot) -> None:
    prompt = _prompt(app, qtbot)
    qtbot.mouseClick(prompt.buttons[9], Qt.MouseButton.LeftButton)
    page = "https://example.com/가게/단골카페?리뷰=1"
    prompt.thank(page)
    assert _qr_texts(prompt) == [page]
