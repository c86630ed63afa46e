"""A database on a network share gets a warning (SQLite's locking is unreliable over the network)."""
from __future__ import annotations

import pytest

from qoffice import i18n
from qoffice.db.sqlite import DRIVE_REMOTE, is_network_path, network_share_warning

DRIVE_FIXED = 3


@pytest.mark.parametrize("path", [r"\\server\share\qoffice.db", "//server/share/qoffice.db",
                                  r"\\?\UNC\server\share\qoffice.db", r"\\fileserver\质量办\数据\qoffice.db"])
def test_unc_paths_warn_on_every_platform(path):
    for windows in (True, False):
        msg = network_share_warning(path, windows=windows, drive_type=lambda root: DRIVE_FIXED, mounts="")
        assert msg and "网络驱动器" in msg and "本机" in msg and path in msg


@pytest.mark.parametrize("path", [r"C:\Users\clerk\AppData\Local\qoffice\qoffice.db", r"\\?\C:\data\qoffice.db",
                                  "D:/data/qoffice.db"])
def test_local_windows_drives_do_not_warn(path):
    assert network_share_warning(path, windows=True, drive_type=lambda root: DRIVE_FIXED) is None


def test_mapped_network_drive_warns_and_the_right_root_is_asked():
    asked = []

    def drive_type(root):
        asked.append(root)
        return DRIVE_REMOTE if root == "Z:\\" else DRIVE_FIXED

    assert network_share_warning(r"z:\共享\qoffice.db", windows=True, drive_type=drive_type)
    assert network_share_warning(r"C:\data\qoffice.db", windows=True, drive_type=drive_type) is None
    assert asked == ["Z:\\", "C:\\"]


def test_linux_network_mounts_warn_local_ones_do_not():
    mounts = ("/dev/sda1 / ext4 rw 0 0\n"
              "//nas/office /mnt/office cifs rw 0 0\n"
              "nas:/export /srv/nfs nfs4 rw 0 0\n"
              "/dev/sdb1 /mnt/office/local ext4 rw 0 0\n")
    kw = {"windows": False, "mounts": mounts}
    assert is_network_path("/mnt/office/q.db", **kw)
    assert is_network_path("/srv/nfs/deep/q.db", **kw)
    assert not is_network_path("/mnt/office/local/q.db", **kw)  # the longest mount point wins
    assert not is_network_path("/home/clerk/q.db", **kw)
    assert not is_network_path("/mnt/officex/q.db", **kw)


def test_this_machines_temp_folder_is_local(tmp_path):
    assert network_share_warning(tmp_path / "q.db") is None


def test_warning_is_translated():
    i18n.set_language("en")
    try:
        assert "network drive" in network_share_warning("//srv/s/q.db", windows=False, mounts="")
    finally:
        i18n.set_language("zh_CN")
