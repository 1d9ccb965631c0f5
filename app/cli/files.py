"""What the system says about a file the person named, as a refusal in their language."""

from __future__ import annotations

import errno
from pathlib import Path

from app.domain.errors import Refused

_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_refusal(exc: OSError, path: Path | str | None = None) -> Refused | None:
    """The reason in words (never the OS's English), or None for an error we cannot name.

    `path` is the file being read or written, for errors the system reports without it
    (a disk filling up half-way through a write)."""
    named = exc.filename if exc.filename is not None else path
    if named is None:
        return None
    where = str(named)
    if isinstance(exc, IsADirectoryError):
        return Refused("file.is_directory", path=where)
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return Refused("file.folder_missing", folder=str(Path(where).parent))
    if isinstance(exc, PermissionError) or exc.errno in _NO_PERMISSION:
        return Refused("file.no_permission", path=where)
    if exc.errno in _NO_SPACE:
        return Refused("file.no_space", path=where)
    if exc.errno == errno.EIO:
        return Refused("file.io_error", path=where)
    return None
