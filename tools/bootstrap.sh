#!/usr/bin/env bash
# Install what qoffice needs on this machine, idempotently and quietly when already present:
# Debian packages for Qt's xcb/offscreen runtime, Xvfb and a CJK font, PostgreSQL for the server tests
# (tests/conftest.py starts its own throwaway cluster; as root only), icupkg and binutils for the frozen
# build's smaller ICU data (build.spec), then .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

APT_PKGS="xvfb xauth fonts-wqy-microhei libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 \
libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libx11-xcb1 libglib2.0-0 poppler-utils libreoffice-calc postgresql \
icu-devtools binutils ${QOFFICE_EXTRA_APT:-}"

if command -v dpkg-query >/dev/null 2>&1; then
  missing=""
  for p in $APT_PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bootstrap: apt-get install$missing"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
      echo "bootstrap: missing Debian packages (install them as root):$missing" >&2
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.qoffice-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing qoffice into .venv"
  log=.venv/pip-install.log
  # Quiet when it works; the whole pip output when it does not.
  if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test,dist]"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: pip install failed (log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
# Compile the gettext catalogs (.po -> .mo); cheap, and only when a .po is newer.
.venv/bin/python -m qoffice.i18n_build
