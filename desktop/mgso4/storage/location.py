"""Where the record lives, and where it must not.

SQLite relies on the operating system's file locks. On network shares (SMB/CIFS, NFS) and on
folders kept in step by cloud-sync clients (OneDrive, Dropbox, Google Drive, iCloud) those locks
are unreliable or absent, and the sync client may replace the file under the app: the SQLite
documentation warns that the database can then be corrupted (https://sqlite.org/useovernet.html,
https://sqlite.org/howtocorrupt.html §2). The live record therefore refuses such places. Backups
are whole, verified copies written once, so they may go to a share.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from mgso4.settings import data_dir
from mgso4.storage.errors import UnsafeLocationError

APP_NAME = "mgso4-proforma"
LIVE_FILE_NAME = "record.sqlite3"
TRAINING_FILE_NAME = "training.sqlite3"
MOUNTS_FILE = Path("/proc/mounts")

#: File-system types whose locking SQLite cannot rely on (network file systems).
NETWORK_FS_TYPES = frozenset({"nfs", "nfs4", "cifs", "smb3", "smbfs"})
#: FUSE file systems that are local overlays, not network mounts (rootless container roots).
LOCAL_FUSE_TYPES = frozenset({"fuse.fuse-overlayfs"})

_CLOUD_EXACT = frozenset(
    {"dropbox", "google drive", "googledrive", "icloud drive", "iclouddrive", "com~apple~clouddocs"}
)
_CLOUD_PREFIX = ("onedrive", "dropbox (")


def default_db_path(training: bool = False) -> Path:
    """The record file in this user's data folder (platformdirs), not created here.

    Args:
        training: True for the training record, a separate file so practice entries never mix
            with the clinical record.
    """
    folder = data_dir()
    return folder / (TRAINING_FILE_NAME if training else LIVE_FILE_NAME)


@dataclass(frozen=True)
class Mount:
    """One line of /proc/mounts."""

    mount_point: str
    fs_type: str


_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _unescape_mount_field(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes (\040 etc.).
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), field)


def parse_mounts(text: str) -> list[Mount]:
    """Mount points and file-system types from the text of /proc/mounts."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            mounts.append(Mount(_unescape_mount_field(fields[1]), fields[2]))
    return mounts


def mount_for(path: PurePosixPath, mounts: list[Mount]) -> Mount | None:
    """The mount holding a path: the longest mount point that is a prefix of it."""
    best: Mount | None = None
    for mount in mounts:
        point = PurePosixPath(mount.mount_point)
        if (path == point or point in path.parents) and (
            best is None or len(point.parts) >= len(PurePosixPath(best.mount_point).parts)
        ):
            best = mount
    return best


def is_network_fs_type(fs_type: str) -> bool:
    """True for network file systems and FUSE mounts (sshfs, rclone, gvfs …)."""
    if fs_type in LOCAL_FUSE_TYPES:
        return False
    return fs_type in NETWORK_FS_TYPES or fs_type == "fuse" or fs_type.startswith("fuse.")


def is_unc_path(text: str) -> bool:
    r"""True for a Windows network path: ``\\server\share``, ``//server/share``, ``\\?\UNC\…``.

    ``\\?\C:\…`` (a long local path) and ``\\.\`` device paths are not network paths.
    """
    normalised = text.replace("/", "\\")
    if normalised.upper().startswith("\\\\?\\UNC\\"):
        return True
    if normalised.startswith("\\\\?\\") or normalised.startswith("\\\\.\\"):
        return False
    return normalised.startswith("\\\\") and len(normalised) > 2


def cloud_folder_in(path: PurePath) -> str | None:
    """The name of a cloud-synced folder the path lies in, if any (case-insensitive)."""
    for part in path.parts:
        lowered = part.lower()
        if lowered in _CLOUD_EXACT or lowered.startswith(_CLOUD_PREFIX):
            return part
    return None


def _windows_drive_is_remote(path: PureWindowsPath) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = path.drive
    if not drive or not drive.endswith(":"):
        return False
    drive_remote = 4  # DRIVE_REMOTE from GetDriveTypeW
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    return bool(kernel32.GetDriveTypeW(drive + "\\") == drive_remote)


def check_location(
    path: Path | str,
    *,
    mounts_file: Path = MOUNTS_FILE,
    drive_is_remote: Callable[[PureWindowsPath], bool] | None = None,
) -> None:
    """Refuse a live-record location on a network share or in a cloud-synced folder.

    Args:
        path: the live record file (it need not exist yet).
        mounts_file: where to read mounts from (Linux); injectable for tests. Missing → skipped.
        drive_is_remote: on Windows, whether a drive letter is a mapped network drive;
            injectable for tests (defaults to GetDriveTypeW on Windows).

    Raises:
        UnsafeLocationError: saying why and what to do.
    """
    text = str(path)
    advice = (
        "SQLite's file locking is unreliable there and the record can be corrupted or lost. "
        "Keep the record in a folder on this computer's own disk; backups may go to a share."
    )
    if is_unc_path(text):
        raise UnsafeLocationError(
            f"The record cannot be kept at {text}: that is a network share. {advice}"
        )
    # A Windows path splits on both separators, so this reads POSIX paths too. The path as
    # typed and the path its symbolic links lead to are both checked: a link in the home folder
    # to a folder inside OneDrive is still inside OneDrive.
    cloud = cloud_folder_in(PureWindowsPath(text)) or cloud_folder_in(
        PureWindowsPath(os.path.realpath(text))
    )
    if cloud is not None:
        raise UnsafeLocationError(
            f"The record cannot be kept at {text}: it is inside the cloud-synced folder "
            f"“{cloud}”, whose sync client can replace the file while the app is using it. "
            f"{advice}"
        )
    if sys.platform == "win32":  # pragma: no cover - Windows only
        remote = drive_is_remote or _windows_drive_is_remote
        if remote(PureWindowsPath(os.path.abspath(text))):
            raise UnsafeLocationError(
                f"The record cannot be kept at {text}: that drive is a mapped network share. "
                f"{advice}"
            )
        return
    if drive_is_remote is not None and drive_is_remote(PureWindowsPath(text)):
        raise UnsafeLocationError(
            f"The record cannot be kept at {text}: that drive is a mapped network share. {advice}"
        )
    try:
        mounts_text = mounts_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return  # no /proc (macOS, some containers): the name checks above still apply
    resolved = PurePosixPath(os.path.realpath(text))
    mount = mount_for(resolved, parse_mounts(mounts_text))
    if mount is not None and is_network_fs_type(mount.fs_type):
        raise UnsafeLocationError(
            f"The record cannot be kept at {text}: the folder is on a network or remote file "
            f"system ({mount.fs_type} mounted at {mount.mount_point}). {advice}"
        )
