"""The exception the rules raise when they refuse an input; its sentences are in app.i18n."""

from __future__ import annotations

from app.i18n import explain


class Refused(Exception):
    """Input refused by a rule; nothing is written.

    code is a message key, params fill its placeholders.
    """

    def __init__(self, code: str, /, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        return f"{self.code} {self.params}"

    def message(self, lang: str = "ko") -> str:
        """The user-facing sentence; falls back to English, then to the bare code."""
        return explain(self, lang)
