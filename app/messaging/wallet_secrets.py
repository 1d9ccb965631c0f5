"""The mobile wallets' secrets (Google's service-account key file, the Apple pass key): in
the OS keyring; where there is none, in a file of the data folder only its owner may read
(mode 0600). Never in the database, the settings, the audit log or any output."""

from __future__ import annotations

import os
from pathlib import Path

KEYRING_SERVICE = "dangol-mobile-wallet"

_given: dict[str, str] = {}  # set up in this process


def _file(folder: Path, account: str) -> Path:
    return folder / f".{account}.secret"


def save_secret(account: str, secret: str, folder: Path | None) -> str:
    """Keep the secret: "keyring", or "file" (in `folder`, owner-only) when no keyring works."""
    _given[account] = secret
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, account, secret)
        if folder is not None:
            _file(folder, account).unlink(missing_ok=True)
        return "keyring"
    except Exception:
        if folder is None:
            return "memory"
    path = _file(folder, account)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secret)
    os.chmod(path, 0o600)  # an older file with wider rights is narrowed too
    return "file"


def load_secret(account: str, folder: Path | None) -> str | None:
    if account in _given:
        return _given[account]
    try:
        import keyring

        found = keyring.get_password(KEYRING_SERVICE, account)
        if found:
            _given[account] = found  # a slip asks for it at each sale: the keyring once
            return found
    except Exception:
        pass
    if folder is not None:
        path = _file(folder, account)
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None
