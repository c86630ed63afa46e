"""The Windows installer, built on Linux and checked under Wine (packaging/windows/build.sh).

build.sh builds dist/qoffice-setup-<version>.exe and then, in a fresh Wine prefix, refuses to
install on "Windows 7", installs silently, runs the installed qoffice-cli.exe (demo-data,
export-return, the workbook read back) and qoffice.exe offscreen (smoke report: Chinese title,
zh_CN), upgrades in place keeping the user's database, and uninstalls (program gone, data kept;
/REMOVEDATA removes it). Any failed check makes it exit non-zero.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="built with Wine on Linux")]

ROOT = Path(__file__).resolve().parent.parent
SIZE_GOAL_MB = 60


def _can_run() -> bool:
    # build.sh apt-installs Wine, NSIS and mingw when missing, which needs root.
    return shutil.which("wine") is not None and shutil.which("makensis") is not None or os.geteuid() == 0


def _pe_machine(path: Path) -> int:
    with path.open("rb") as fh:
        head = fh.read(4096)
    assert head[:2] == b"MZ"
    pe = struct.unpack_from("<I", head, 0x3C)[0]
    assert head[pe:pe + 4] == b"PE\0\0"
    return struct.unpack_from("<H", head, pe + 4)[0]


@pytest.mark.skipif(not _can_run(), reason="needs Wine and NSIS, or root to install them")
def test_windows_installer_under_wine():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    setup = ROOT / "dist" / f"qoffice-setup-{version}.exe"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "QOFFICE_", "WINE"))}
    result = subprocess.run(["bash", str(ROOT / "packaging" / "windows" / "build.sh")], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=3600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "ALL OK" in result.stdout
    assert "CHECK FAILED" not in output
    assert setup.exists()
    assert _pe_machine(setup) == 0x8664  # an amd64 stub: a 32-bit one "installs" nothing on 64-bit Wine
    assert setup.stat().st_size / 1048576 <= SIZE_GOAL_MB
