#!/usr/bin/env bash
# `make demo`: set up .venv, migrate the SQLite DB in var/, load reference data, seed demo data once,
# then serve on http://127.0.0.1:8000 (override with DEMO_ADDR=host:port).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ADDR=${DEMO_ADDR:-127.0.0.1:8000}

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() {
    printf '\033[31mERROR: %s\033[0m\n' "$*" >&2
    exit 1
}

apt_install() {
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "Not root (or no apt-get): please install these Debian packages yourself: $*" >&2
        return 1
    fi
    say "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "$@"
}

if ! { [[ -x "$PY" ]] && "$PY" -c 'import sys' >/dev/null 2>&1; }; then
    if ! command -v python3 >/dev/null 2>&1; then
        apt_install python3 python3-venv || die "python3 is required"
    fi
    say "creating .venv"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV"; then
        # Debian ships venv/ensurepip separately.
        rm -rf "$VENV"
        apt_install python3-venv || die "python3 -m venv failed; install python3-venv"
        python3 -m venv "$VENV" || die "python3 -m venv failed"
    fi
fi

say "pip install -r requirements.txt"
"$PY" -m pip install -q -r requirements.txt

mkdir -p var/staticfiles  # STATIC_ROOT; WhiteNoise warns if it is missing
say "migrate"
"$PY" manage.py migrate --noinput
say "load_divisions"
"$PY" manage.py load_divisions
say "load_holidays"
"$PY" manage.py load_holidays
say "seed_demo (only if there are no cases yet)"
"$PY" manage.py seed_demo --seed 1 --if-empty

say "serving on http://$ADDR/ (Ctrl-C to stop)"
exec "$PY" manage.py runserver "$ADDR"
