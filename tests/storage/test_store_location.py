"""Where the live record may live: never on a network share or in a cloud-synced folder."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from mgso4.storage import Store, UnsafeLocationError, check_location, default_db_path
from mgso4.storage.location import is_unc_path, parse_mounts

MOUNTS = """\
/dev/vda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
tmpfs /tmp tmpfs rw 0 0
//filer/maternity /mnt/maternity cifs rw,vers=3.0 0 0
filer:/export/records /srv/nfs nfs4 rw 0 0
filer:/export/old /srv/nfs3 nfs rw 0 0
//filer/smb3 /srv/smb3 smb3 rw 0 0
//filer/legacy /srv/smbfs smbfs rw 0 0
user@host:/data /home/sam/remote fuse.sshfs rw 0 0
gdrive: /home/sam/rclone fuse.rclone rw 0 0
/dev/vdb1 /mnt/maternity/local-disk ext4 rw 0 0
//filer/ward\\0407 /mnt/ward\\0407 cifs rw 0 0
/dev/sdb1 /media/usb fuseblk rw 0 0
fuse-overlayfs /srv/container fuse.fuse-overlayfs rw 0 0
"""


@pytest.fixture
def mounts_file(tmp_path: Path) -> Path:
    """A fake /proc/mounts."""
    path = tmp_path / "mounts"
    path.write_text(MOUNTS, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("path", "fs_type"),
    [
        ("/mnt/maternity/record.sqlite3", "cifs"),
        ("/srv/nfs/mgso4/record.sqlite3", "nfs4"),
        ("/srv/nfs3/record.sqlite3", "nfs"),
        ("/srv/smb3/record.sqlite3", "smb3"),
        ("/srv/smbfs/record.sqlite3", "smbfs"),
        ("/home/sam/remote/record.sqlite3", "fuse.sshfs"),
        ("/home/sam/rclone/record.sqlite3", "fuse.rclone"),
        ("/mnt/ward 7/record.sqlite3", "cifs"),
    ],
)
def test_network_mounts_are_refused_for_the_live_record(
    mounts_file: Path, path: str, fs_type: str
) -> None:
    with pytest.raises(UnsafeLocationError) as refused:
        check_location(path, mounts_file=mounts_file)

    message = str(refused.value)
    assert fs_type in message
    assert "locking is unreliable" in message
    assert "this computer's own disk" in message
    assert "backups may go to a share" in message


@pytest.mark.parametrize(
    "path",
    [
        "/home/sam/.local/share/mgso4-proforma/record.sqlite3",
        "/tmp/record.sqlite3",
        "/mnt/maternity/local-disk/record.sqlite3",  # a local disk mounted inside a share
        "/media/usb/record.sqlite3",  # fuseblk: a local NTFS disk
        "/srv/container/record.sqlite3",  # a rootless container's own root
        "/srv/nfs-not-a-mount/record.sqlite3",  # a name that starts like a mount point
    ],
)
def test_local_disks_are_accepted(mounts_file: Path, path: str) -> None:
    check_location(path, mounts_file=mounts_file)


def test_mount_points_with_escaped_spaces_are_read() -> None:
    assert parse_mounts("//f/w /mnt/ward\\0407 cifs rw 0 0")[0].mount_point == "/mnt/ward 7"


@pytest.mark.parametrize(
    "path",
    [
        r"\\filer\maternity\record.sqlite3",
        "//filer/maternity/record.sqlite3",
        r"\\?\UNC\filer\maternity\record.sqlite3",
    ],
)
def test_unc_paths_are_refused(path: str, mounts_file: Path) -> None:
    with pytest.raises(UnsafeLocationError, match="network share"):
        check_location(path, mounts_file=mounts_file)


@pytest.mark.parametrize("path", [r"\\?\C:\Users\sam\record.sqlite3", r"\\.\PhysicalDrive0"])
def test_long_local_and_device_paths_are_not_unc(path: str) -> None:
    assert not is_unc_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "/home/sam/OneDrive/record.sqlite3",
        "/home/sam/OneDrive - Sussex NHS Trust/mgso4/record.sqlite3",
        r"C:\Users\sam\OneDrive - NHS\record.sqlite3",
        "/Users/sam/Dropbox/record.sqlite3",
        "/Users/sam/Dropbox (Personal)/record.sqlite3",
        r"G:\Google Drive\record.sqlite3",
        "/Users/sam/GoogleDrive/record.sqlite3",
        r"C:\Users\sam\iCloudDrive\record.sqlite3",
        "/Users/sam/Library/Mobile Documents/com~apple~CloudDocs/record.sqlite3",
        "/home/sam/onedrive/record.sqlite3",
    ],
)
def test_cloud_synced_folders_are_refused(path: str, mounts_file: Path) -> None:
    with pytest.raises(UnsafeLocationError, match="cloud-synced folder"):
        check_location(path, mounts_file=mounts_file)


@pytest.mark.parametrize(
    "path", ["/home/sam/NotOneDrive/record.sqlite3", "/home/sam/Dropboxes/record.sqlite3"]
)
def test_folders_merely_resembling_cloud_names_are_accepted(path: str, mounts_file: Path) -> None:
    check_location(path, mounts_file=mounts_file)


def test_a_mapped_network_drive_is_refused() -> None:
    def drive_is_remote(path: PureWindowsPath) -> bool:
        return path.drive.upper() == "Z:"

    with pytest.raises(UnsafeLocationError, match="mapped network share"):
        check_location(r"Z:\records\record.sqlite3", drive_is_remote=drive_is_remote)


def test_without_a_mounts_table_only_the_name_checks_apply(tmp_path: Path) -> None:
    check_location("/srv/nfs/record.sqlite3", mounts_file=tmp_path / "no-such-file")

    with pytest.raises(UnsafeLocationError):
        check_location("/srv/OneDrive/record.sqlite3", mounts_file=tmp_path / "no-such-file")


def test_store_refuses_to_create_a_record_in_a_cloud_folder(tmp_path: Path) -> None:
    target = tmp_path / "OneDrive" / "record.sqlite3"

    with pytest.raises(UnsafeLocationError):
        Store.open(target)

    assert not target.parent.exists()


def test_store_checks_the_location_by_default(tmp_path: Path) -> None:
    fake_mounts = tmp_path / "mounts"
    fake_mounts.write_text(f"//filer/x {tmp_path} cifs rw 0 0\n", encoding="utf-8")

    with pytest.raises(UnsafeLocationError, match="cifs"):
        Store.open(tmp_path / "record.sqlite3", mounts_file=fake_mounts)

    assert not (tmp_path / "record.sqlite3").exists()


def test_a_read_only_viewer_may_open_a_copy_on_a_share(tmp_path: Path) -> None:
    with Store.open(tmp_path / "record.sqlite3", check_location_safe=False):
        pass
    fake_mounts = tmp_path / "mounts"
    fake_mounts.write_text(f"//filer/x {tmp_path} cifs rw 0 0\n", encoding="utf-8")

    with Store.open(tmp_path / "record.sqlite3", readonly=True, mounts_file=fake_mounts) as view:
        assert view.counts()["events"] == 0


def test_default_paths_are_separate_files_in_the_app_data_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MGSO4_DATA_DIR")
    live, training = default_db_path(), default_db_path(training=True)

    assert live.name == "record.sqlite3"
    assert training.name == "training.sqlite3"
    assert live.parent == training.parent
    assert "mgso4-proforma" in live.parent.parts[-1]
