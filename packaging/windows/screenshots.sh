#!/usr/bin/env bash
# Screenshots of the installer and uninstaller pages, run under Wine on a virtual screen (Xvfb),
# in Simplified Chinese: docs/screenshots/installer-*.png. Needs the setup.exe from build.sh and
# the Debian packages xvfb, xauth, xdotool, imagemagick (apt-installed as root when missing) and a
# zh_CN.UTF-8 locale (generated with localedef when missing).
# Usage: packaging/windows/screenshots.sh [setup.exe]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VERSION=$(python3 -c 'import tomllib;print(tomllib.load(open("'"$ROOT"'/pyproject.toml","rb"))["project"]["version"])')
SETUP=${1:-$ROOT/dist/qoffice-setup-$VERSION.exe}
CACHE=${QOFFICE_WIN_CACHE:-$HOME/.cache/qoffice-win}
W=${QOFFICE_WIN_WORK:-$CACHE/work}
OUT=$ROOT/docs/screenshots
mkdir -p "$OUT" "$W/home"

NEED=""
for p in xvfb xauth xdotool imagemagick; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || NEED="$NEED $p"
done
if [ -n "$NEED" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $NEED >/dev/null
fi
locale -a | grep -qi '^zh_CN.utf8$' || localedef -i zh_CN -f UTF-8 zh_CN.UTF-8

export WINEPREFIX=$W/prefix-shots WINEDEBUG=-all WINEARCH=win64 HOME=$W/home
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d"
export LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8
rm -rf "$WINEPREFIX"
wineboot -i >/dev/null 2>&1 || true
wineserver -w
wine winecfg -v win10 >/dev/null 2>&1; wineserver -w   # a fresh prefix may report an older Windows

cat > "$W/shots-inner.sh" <<'EOS'
#!/usr/bin/env bash
# Runs inside xvfb-run: drive the wizard with the keyboard and grab each page.
set -uo pipefail
SETUP=$1; OUT=$2; INST=$3
win() {  # the id of the newest visible window whose title matches $1
  for _ in $(seq 1 60); do
    id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | tail -1)
    [ -n "$id" ] && { echo "$id"; return 0; }
    sleep 1
  done
  return 1
}
shot() { sleep "${3:-2}"; import -window "$1" "$OUT/installer-$2.png" && echo "saved installer-$2.png"; }
next() { xdotool windowfocus "$1" 2>/dev/null; xdotool key --window "$1" Return; }

wine "$SETUP" >/dev/null 2>&1 &
id=$(win "安装") || { echo "installer window not found"; exit 1; }
shot "$id" 1-welcome
next "$id"; shot "$id" 2-components
next "$id"; shot "$id" 3-directory
next "$id"; shot "$id" 4-installing 1
id=$(win "安装") ; sleep 90; shot "$id" 5-finish  # thousands of small files: give the copy time
xdotool key --window "$id" space   # untick "run now"
next "$id"; wineserver -w

wine "$INST/Uninstall.exe" >/dev/null 2>&1 &
id=$(win "卸载") || { echo "uninstaller window not found"; exit 1; }
shot "$id" 6-uninstall-confirm
next "$id"; shot "$id" 7-uninstall-keep-data
EOS
chmod +x "$W/shots-inner.sh"
WUSER=$(id -un)
INST="C:\\users\\$WUSER\\AppData\\Local\\Programs\\qoffice"
timeout 600 xvfb-run -a -s "-screen 0 1024x768x24" "$W/shots-inner.sh" "$SETUP" "$OUT" "$INST" || true
wineserver -k 2>/dev/null || true
ls -la "$OUT"/installer-*.png
