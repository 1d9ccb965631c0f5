"""Which screen the customer's check-in display fills, and keeping it there when monitors come
and go.

The owner picks a screen by its name (the ``display_screen`` setting; empty: any screen but
the counter's). `ScreenKeeper` puts the display full screen on it; when that monitor is
unplugged, the display falls back to the counter's screen (placed by the caller's fallback,
beside the counter's controls), and when it is plugged back the display moves back. The list
of screens comes from a provider (``QGuiApplication.screens`` by default), so a test can hand
it a faked list and call `screens_changed` as Qt's ``screenAdded``/``screenRemoved`` would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QObject, QRect, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget


class ScreenLike(Protocol):
    """What the keeper needs of a screen (a QScreen, or a test's stand-in)."""

    def name(self) -> str: ...

    def geometry(self) -> QRect: ...


ScreensProvider = Callable[[], Sequence[ScreenLike]]


def qt_screens() -> Sequence[ScreenLike]:
    return list(QGuiApplication.screens())


def screen_names(provider: ScreensProvider = qt_screens) -> list[str]:
    """The names the owner picks from (a monitor's name as the system gives it)."""
    return [screen.name() for screen in provider()]


class ScreenKeeper(QObject):
    """Keeps `display` full screen on the chosen screen, else on the counter's (fallback)."""

    def __init__(
        self,
        display: QWidget,
        counter: QWidget,
        wanted: str,
        fallback: Callable[[], object],
        provider: ScreensProvider = qt_screens,
        *,
        watch: bool = True,
    ) -> None:
        super().__init__(display)
        self.display, self.counter = display, counter
        self.wanted = wanted
        self.fallback = fallback
        self.provider = provider
        self.on: ScreenLike | None = None  # the screen the display fills, None: the fallback
        app = QGuiApplication.instance()
        if watch and isinstance(app, QGuiApplication):
            # bound methods: Qt drops the connections when the keeper goes with its display
            app.screenAdded.connect(self._plugged)
            app.screenRemoved.connect(self._plugged)

    def _plugged(self, _screen: QScreen) -> None:
        # after Qt has updated its list (a screen is removed after the signal is sent)
        QTimer.singleShot(0, self, self.screens_changed)

    def choose(self, wanted: str) -> None:
        """The owner picked another screen (by name; empty: any but the counter's)."""
        self.wanted = wanted
        self.place()

    def target(self) -> ScreenLike | None:
        """The screen to fill: the wanted one if present, else (with no wish) the first that is
        not the counter's; None when only the counter's screen is there."""
        screens = list(self.provider())
        if self.wanted:
            named = [s for s in screens if s.name() == self.wanted]
            if named:
                return named[0]
        home = self._counter_screen(screens)
        others = [s for s in screens if s is not home and s.geometry() != _geometry(home)]
        if not others:
            return None
        if self.wanted:  # the wanted one is gone: the counter's screen, until it returns
            return None
        return others[0]

    def place(self) -> ScreenLike | None:
        """Put the display where it belongs now; returns the screen it fills (None: fallback)."""
        screen = self.target()
        self.on = screen
        if screen is None:
            self.display.showNormal()
            self.fallback()
            return None
        self.display.setGeometry(screen.geometry())
        handle = self.display.windowHandle()
        if isinstance(screen, QScreen) and handle is not None:
            handle.setScreen(screen)
            if self.display.isVisible():
                self.display.showFullScreen()
        return screen

    def screens_changed(self) -> None:
        """A monitor was plugged in or out: place the display again."""
        self.place()

    def _counter_screen(self, screens: list[ScreenLike]) -> ScreenLike | None:
        centre = self.counter.frameGeometry().center()
        for screen in screens:
            if screen.geometry().contains(centre):
                return screen
        return screens[0] if screens else None


def _geometry(screen: ScreenLike | None) -> QRect:
    return screen.geometry() if screen is not None else QRect()
