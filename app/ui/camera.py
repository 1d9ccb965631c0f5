"""Scanning a QR card with a camera, where one exists (QtMultimedia frames, zxing-cpp)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.ui.text import t


def camera_available() -> tuple[bool, str]:
    """(available, why not): no camera (why: empty, the sentence says it), or the system's
    words on the multimedia libraries that are missing."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:  # the Addons wheel or a system library is missing
        return False, str(exc)
    try:
        return (True, "") if QMediaDevices.videoInputs() else (False, "")
    except RuntimeError as exc:
        return False, str(exc)


def decode_qr(image: QImage) -> str | None:
    """The text of the first QR code in a frame, or None."""
    import zxingcpp
    from PIL import Image

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = bytes(gray.constBits())[: stride * height]
    picture = Image.frombuffer("L", (width, height), data, "raw", "L", stride, 1)
    # QR Model 2 only, what cards, slips and wallet passes carry: zxing-cpp 3's QRCode is a
    # set that takes in Micro QR too (M1: a few digits, no error correction), and a test once
    # read "8084" off a printed card sheet beside its cards' codes: here, a last-4 search
    model2 = zxingcpp.BarcodeFormat.QRCodeModel2
    results = zxingcpp.read_barcodes(picture, formats=model2)  # type: ignore[arg-type]
    return results[0].text if results else None


class CameraScanDialog(QDialog):
    """Shows the camera and closes with `scanned(text)` at the first QR code it reads."""

    scanned = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QVideoSink

        self.setWindowTitle(t("camera.scan"))
        self.preview = QLabel(objectName="cameraPreview")
        self.preview.setMinimumSize(480, 360)
        QVBoxLayout(self).addWidget(self.preview)
        self._frames = 0
        self.camera = QCamera(self)
        self.sink = QVideoSink(self)
        self.session = QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setVideoSink(self.sink)
        self.sink.videoFrameChanged.connect(self._frame)
        self.finished.connect(self.camera.stop)
        self.camera.start()

    def _frame(self, frame) -> None:
        from PySide6.QtGui import QPixmap

        image = frame.toImage()
        self.preview.setPixmap(QPixmap.fromImage(image).scaled(self.preview.size()))
        self._frames += 1
        if self._frames % 3:  # decoding every third frame is plenty and keeps the UI fluid
            return
        text = decode_qr(image)
        if text:
            self.scanned.emit(text)
            self.accept()
