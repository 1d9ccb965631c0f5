"""Camera scanning: hidden where there is no camera; frames decoded with zxing-cpp."""

from __future__ import annotations

import qrcode
from PySide6.QtGui import QImage

from app.domain.card import new_card_token
from app.ui.camera import camera_available, decode_qr


def test_camera_button_follows_availability(window) -> None:
    available, why = camera_available()
    assert window.camera_button.isVisibleTo(window) == available
    if not available:  # the sentence in words; the system's own reason after it, when it gave one
        tip = window.camera_button.toolTip()
        assert "카메라" in tip and (not why or why in tip) and "no camera" not in tip


def test_a_frame_with_a_card_is_decoded(app) -> None:
    token = new_card_token()
    picture = qrcode.make(token, box_size=6, border=4).get_image().convert("RGB")
    data = picture.tobytes()
    frame = QImage(
        data, picture.width, picture.height, picture.width * 3, QImage.Format.Format_RGB888
    )
    assert decode_qr(frame) == token
    blank = QImage(320, 240, QImage.Format.Format_RGB888)
    blank.fill(0xFFFFFF)
    assert decode_qr(blank) is None
