#!/usr/bin/env bash
# `make demo`: set up .venv, migrate the SQLite DB in var/, load reference data, seed demo data once (DEBUG off),
# then run the background worker (huey: outbox delivery, periodic scans) and serve on http://127.0.0.1:8000
# (override with DEMO_ADDR=host:port), in one command. Ctrl-C (or SIGTERM) stops both; if either dies, the other
# is stopped too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ADDR=${DEMO_ADDR:-127.0.0.1:8000}

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_venv requirements.txt

# The demo runs as a bureau would see it: DEBUG off, so a wrong URL shows the product's Chinese 404 page, not
# Django's debug page. Static files are still served: WhiteNoise finds them in static/ (WHITENOISE_USE_FINDERS in
# development), so no collectstatic is needed. DEBUG=1 make demo brings the debug pages back.
export DEBUG="${DEBUG:-0}"
mkdir -p var/staticfiles  # STATIC_ROOT; WhiteNoise warns if it is missing
say "migrate"
"$PY" manage.py migrate --noinput
say "load_divisions"
"$PY" manage.py load_divisions
say "load_holidays"
"$PY" manage.py load_holidays
say "seed_demo (only if there are no cases yet)"
"$PY" manage.py seed_demo --seed 1 --if-empty
# Issue 13: the triage model (type, risk, route suggestions) is trained once from the shipped corpus and the demo's
# closed cases, written to var/triage/ and made the active version shown to the city administrator.
if ! "$PY" manage.py shell -c "import sys; from triage.models import TriageModelVersion as V; sys.exit(0 if V.objects.filter(active=True).exists() else 1)" >/dev/null 2>&1; then
    say "train_triage (first run only, about a minute)"
    "$PY" manage.py train_triage --by "make demo"
fi

# The sandbox court (issue 11): seed_demo made its OAuth2 client and webhook endpoint and wrote the credentials to
# var/sandbox_court.json (never committed). Show them, and how to play the court against this server.
if [[ -f var/sandbox_court.json ]]; then
    say "沙箱法院（接口对接演示）"
    DEMO_ADDR=$ADDR "$PY" - <<'PYEOF'
import json
import os

c = json.load(open("var/sandbox_court.json", encoding="utf-8"))
print(f"  机构          {c['institution']}")
print(f"  客户端 ID     {c['client_id']}")
print(f"  客户端密钥    {c['client_secret']}")
print(f"  推送地址      {c['webhook_url']}")
print(f"  推送签名密钥  {c['webhook_secret']}")
print(f"  授权范围      {c['scopes']}")
print("  另开一个终端，扮演法院发送一件委派并接收推送（说明见 docs/api.md）：")
addr = os.environ["DEMO_ADDR"]
extra = "" if addr == "127.0.0.1:8000" else f" --base-url http://{addr}"
print(f"    .venv/bin/python scripts/court_client.py send{extra}")
PYEOF
fi

# Each child runs in its own process group (job control on), so that stopping it also stops what it started
# (runserver's autoreloader runs the server in a child process) and Ctrl-C reaches only this script, which then
# stops both in order.
set -m
CHILDREN=()
stop_children() {
    trap - INT TERM EXIT
    local pid
    for pid in "${CHILDREN[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do  # up to 5 s for a clean exit, then no mercy
        local alive=0
        for pid in "${CHILDREN[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
        [[ $alive -eq 0 ]] && break
        sleep 0.1
    done
    for pid in "${CHILDREN[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap 'stop_children; exit 130' INT
trap 'stop_children; exit 143' TERM
trap stop_children EXIT

say "worker: manage.py run_huey (outbox delivery, periodic scans)"
"$PY" manage.py run_huey &
CHILDREN+=($!)
say "serving on http://$ADDR/ (Ctrl-C stops the server and the worker)"
"$PY" manage.py runserver "$ADDR" &
CHILDREN+=($!)

set +e
wait -n "${CHILDREN[@]}"
rc=$?
set -e
warn "the worker or the web server stopped (exit $rc); stopping the other"
stop_children
exit "$rc"
