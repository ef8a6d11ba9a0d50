#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests.
#
#   scripts/pg_cluster.sh start [--] CMD [ARGS...]
#       initdb a fresh cluster in a temp dir, start it on 127.0.0.1:<free port> with trust auth and
#       durability switched off, create database "tiaojie", export
#       DATABASE_URL=postgres://postgres@127.0.0.1:<port>/tiaojie, run CMD, then always stop the
#       server and delete the temp dir. Exits with CMD's status.
#   scripts/pg_cluster.sh start
#       same, but without CMD: print DATABASE_URL and keep the cluster up until Ctrl-C.
#
# initdb/postgres refuse to run as root, so as root the server runs as the `postgres` system user
# (or `nobody` if there is none). Binaries: PG_BIN if set, else pg_ctl on PATH, else the newest
# /usr/lib/postgresql/*/bin.
set -euo pipefail

log() { echo "pg_cluster: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

find_pg_bin() {
    local cand
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/initdb" ]] || die "PG_BIN=$PG_BIN has no pg_ctl/initdb"
        echo "$PG_BIN"
        return
    fi
    for cand in pg_ctl initdb; do
        if cand=$(command -v "$cand" 2>/dev/null); then
            cand=$(dirname "$(readlink -f "$cand")")
            if [[ -x "$cand/pg_ctl" && -x "$cand/initdb" && -x "$cand/postgres" ]]; then
                echo "$cand"
                return
            fi
        fi
    done
    cand=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$cand" && -x "$cand/pg_ctl" && -x "$cand/initdb" ]]; then
        echo "$cand"
        return
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15 or set PG_BIN"
}

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

cmd=${1:-}
case "$cmd" in
start | run) shift ;;
-h | --help | help | "")
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [[ -n "$cmd" ]] && exit 0 || exit 2
    ;;
*) die "unknown command '$cmd' (expected: start [--] CMD...)" ;;
esac
[[ "${1:-}" == "--" ]] && shift

PG_BIN=$(find_pg_bin)

# As root, run the server as an unprivileged user.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    if id -u postgres >/dev/null 2>&1; then
        pg_user=postgres
    else
        pg_user=nobody
    fi
    runuser=$(command -v runuser || ls /usr/sbin/runuser /sbin/runuser 2>/dev/null | head -n 1 || true)
    [[ -n "$runuser" ]] || die "running as root needs runuser (util-linux) to drop privileges"
    as_pg=("$runuser" -u "$pg_user" --)
fi

orig_dir=$PWD
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiaojie-pg.XXXXXX")
data="$tmp/data"
started=0
sleeper=

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null
    if [[ $started -eq 1 ]]; then
        (cd "$tmp" && "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1) ||
            log "warning: pg_ctl stop failed"
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ ${#as_pg[@]} -gt 0 ]] && chown "$pg_user" "$tmp"
cd "$tmp" # the server user may not be able to read the caller's cwd

"${as_pg[@]}" "$PG_BIN/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions \
    >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    die "initdb failed"
}

pg_opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp"
pg_opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
port=
for attempt in 1 2 3; do
    port=$(free_port)
    if "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 -s \
        -o "$pg_opts -p $port" start; then
        started=1
        break
    fi
    log "start on port $port failed (attempt $attempt)"
    tail -n 20 "$tmp/server.log" >&2 || true
done
[[ $started -eq 1 ]] || die "could not start PostgreSQL"

psql="$PG_BIN/psql"
[[ -x "$psql" ]] || psql=psql
"$psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE tiaojie" >/dev/null || die "could not create database tiaojie"

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/tiaojie"
log "PostgreSQL $("$PG_BIN/postgres" -V | awk '{print $3}') up at $DATABASE_URL (data in $tmp)"

cd "$orig_dir"
if [[ $# -eq 0 ]]; then
    log "no command given; press Ctrl-C to stop and delete the cluster"
    echo "DATABASE_URL=$DATABASE_URL"
    while true; do
        sleep 3600 &
        sleeper=$!
        wait "$sleeper" || true
    done
fi

set +e
"$@"
rc=$?
set -e
exit "$rc"
