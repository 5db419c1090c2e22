#!/bin/sh
# Install the Debian/Ubuntu packages Arena needs. Usage: install-system.sh demo|test
#   demo: Python venv support and redis-server.
#   test: also PostgreSQL, Docker (docker.io), gVisor (runsc), debootstrap, and Chromium with CJK fonts
#         for the browser tests.
# Packages already present are left alone; apt-get runs only when something is missing.
set -eu

PROFILE="${1:-demo}"
say() { printf 'install-system: %s\n' "$*" >&2; }

need=""
want() { # want BINARY PACKAGE
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then need="$need $2"; fi
}
want_file() { # want_file PATH PACKAGE
    if [ ! -e "$1" ]; then need="$need $2"; fi
}
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need="$need python3-venv"
want redis-server redis-server
if [ "$PROFILE" = "test" ]; then
    want /usr/lib/postgresql/15/bin/postgres postgresql
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then need="$need postgresql"; fi
    want dockerd docker.io
    want runsc runsc
    want debootstrap debootstrap
    want chromium chromium
    want_file /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc fonts-noto-cjk
fi
need="$(printf '%s\n' $need | sort -u | tr '\n' ' ')"
if [ -z "$(echo "$need" | tr -d ' ')" ]; then
    say "everything for '$PROFILE' is installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    say "missing:$need — install them with your package manager"; exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
say "installing:$need"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
