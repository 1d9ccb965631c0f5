"""What the system says about a named file, as a refusal in the user's language."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.cli.files import os_refusal
from tests.cli.conftest import assert_refused_in_both_languages


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "file.no_space"),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), "file.no_space"),
        (OSError(errno.EIO, "Input/output error"), "file.io_error"),
        (OSError(errno.EROFS, "Read-only file system"), "file.no_permission"),
        (PermissionError(errno.EACCES, "Permission denied"), "file.no_permission"),
    ],
)
def test_an_os_error_without_a_file_name_is_named_by_the_file_written(error, code):
    refused = os_refusal(error, Path("/media/usb/members.csv"))
    assert refused is not None and refused.code == code
    for lang in ("ko", "en"):
        text = refused.message(lang)
        assert "/media/usb/members.csv" in text and (error.strerror or "") not in text


def test_an_error_we_cannot_name_is_left_to_the_caller():
    assert os_refusal(OSError(errno.EINVAL, "Invalid argument"), "x.pdf") is None
    assert os_refusal(OSError(errno.ENOSPC, "No space left on device")) is None  # no file


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real 8 KB file system (tmpfs): writing more fills it. Needs the right to mount."""
    import subprocess

    folder = tmp_path / "usb"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_an_export_onto_a_full_disk_says_so_and_leaves_no_half_file(cli, small_disk):
    cli.ok("demo", "--customers", "120", "--days", "3")  # ~20 KB of members: more than 8 KB
    target = small_disk / "members.csv"
    assert_refused_in_both_languages(
        cli,
        ["export", "customers", str(target)],
        "디스크 공간이 부족해",
        "not enough disk space",
    )
    assert not target.exists()
