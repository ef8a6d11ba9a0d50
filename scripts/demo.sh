#!/usr/bin/env bash
# `make demo`: set up .venv, migrate the SQLite DB in var/, load reference data, seed demo data once,
# then serve on http://127.0.0.1:8000 (override with DEMO_ADDR=host:port).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ADDR=${DEMO_ADDR:-127.0.0.1:8000}

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_venv requirements.txt

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
