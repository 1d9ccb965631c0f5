"""The provider's secret lives in the OS keyring (or an environment variable), never in the
database, the settings, the audit log or any output."""

from __future__ import annotations

import os

KEYRING_SERVICE = "dangol-messages"
SECRET_ENV = "DANGOL_SOLAPI_SECRET"

_given: dict[str, str] = {}  # set up in this process where no keyring exists


def save_secret(account: str, secret: str) -> bool:
    """Into the OS keyring; False when there is none (then $DANGOL_SOLAPI_SECRET is read)."""
    _given[account] = secret
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, secret)
        return True
    except Exception:
        return False


def load_secret(account: str) -> str | None:
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    if account in _given:
        return _given[account]
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, account)
    except Exception:
        return None
