"""The Windows installer, built on Linux and checked under Wine (packaging/windows/build.sh).

build.sh builds dist/qoffice-setup-<version>.exe and then, in a fresh Wine prefix, refuses to
install on "Windows 7", installs silently, runs the installed qoffice-cli.exe (demo-data,
export-return, the workbook read back) and qoffice.exe offscreen (smoke report: Chinese title,
zh_CN), upgrades in place keeping the user's database, and uninstalls (program gone, data kept;
/REMOVEDATA removes it). Any failed check makes it exit non-zero. Given a server (issue 16), the installed
qoffice-cli.exe also opens it: here the password/TLS test server of test_db_server_auth on 127.0.0.1
(hostssl only, scram-sha-256), verify-full with the test CA, the password as PGPASSWORD; a wrong password
and a wrong CA give their one line.
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

from tests.test_db_server_auth import CLERK, tls_server  # noqa: F401 (a module-scoped fixture)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="built with Wine on Linux")]

ROOT = Path(__file__).resolve().parent.parent
SIZE_GOAL_BYTES = 60_000_000  # issue 16: installer ≤ 60 MB (10^6 bytes)
WINE_PASSWORD = "Wine-密码-7x"


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
def test_windows_installer_under_wine(tls_server):  # noqa: F811
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    setup = ROOT / "dist" / f"qoffice-setup-{version}.exe"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "QOFFICE_", "WINE", "PG", "SSL_"))}
    # A password with 密码 in PGPASSWORD: qoffice reads it as Unicode (libpq's getenv() would get the ANSI
    # code page's bytes) and has psycopg quote it (Wine's isspace() takes byte 0xA0 of 码 for a space).
    tls_server["cluster"].admin(f"ALTER ROLE {CLERK} PASSWORD '{WINE_PASSWORD}'")
    env["QOFFICE_WIN_TEST_PG_URL"] = (f"postgresql://{CLERK}@127.0.0.1:{tls_server['port']}/qauth"
                                      "?sslmode=verify-full&sslrootcert=system&sslcertmode=disable")
    env["QOFFICE_WIN_TEST_PG_PASSWORD"] = WINE_PASSWORD
    env["QOFFICE_WIN_TEST_PG_CA"] = str(tls_server["certs"] / "ca.crt")
    env["QOFFICE_WIN_TEST_PG_WRONG_CA"] = str(tls_server["certs"] / "wrong_ca.crt")
    result = subprocess.run(["bash", str(ROOT / "packaging" / "windows" / "build.sh")], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=3600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "ALL OK" in result.stdout
    assert "CHECK FAILED" not in output
    assert "PostgreSQL over TLS: OK" in result.stdout and "role: clerk" in result.stdout
    assert setup.exists()
    assert _pe_machine(setup) == 0x8664  # an amd64 stub: a 32-bit one "installs" nothing on 64-bit Wine
    size = setup.stat().st_size
    print(f"installer {size} bytes ({size / 1048576:.1f} MiB)")
    assert size <= SIZE_GOAL_BYTES, size
