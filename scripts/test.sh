#!/usr/bin/env bash
# Test runner behind `make test`, `make test-sqlite`, `make test-pg`.
#
#   scripts/test.sh all               system deps + .venv + migrations check + pytest on SQLite and PostgreSQL side by
#                                     side (TEST_SEQUENTIAL=1: one after the other, output on the terminal)
#   scripts/test.sh sqlite | pg       the same for one database
#   scripts/test.sh deps              only install system packages and the dev venv
#   scripts/test.sh venv              only create .venv and pip install -r requirements-dev.txt
#   scripts/test.sh migrations-check  only `manage.py makemigrations --check --dry-run`
#
# Extra pytest arguments come from PYTEST_ARGS (shell-quoted), e.g. PYTEST_ARGS='-k "holiday and not e2e"'.
# Logs: test-output/pytest-<db>.log. System packages are installed with apt only when missing and only as root.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
OUT="$ROOT/test-output"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

# --- Debian packages ---------------------------------------------------------------------------------------

have_pg_server() {
    command -v initdb >/dev/null 2>&1 || command -v pg_ctl >/dev/null 2>&1 ||
        compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

have_cjk_font() {
    # No `grep -q`: with pipefail, fc-list could die of SIGPIPE and turn a hit into a miss.
    if command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep 'Noto Sans CJK' >/dev/null; then
        return 0
    fi
    dpkg -s fonts-noto-cjk >/dev/null 2>&1
}

ensure_system_packages() { # $1: 1 if PostgreSQL is needed
    local missing=()
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    have_cjk_font || missing+=(fonts-noto-cjk)
    command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils) # PDF pages rendered to PNG in browser tests
    if [[ $1 -eq 1 ]] && ! have_pg_server; then missing+=(postgresql-15); fi
    if [[ ${#missing[@]} -gt 0 ]]; then
        apt_install "${missing[@]}" || warn "continuing without: ${missing[*]} (tests that need them will fail)"
    fi
}

# --- steps -------------------------------------------------------------------------------------------------

MIG_STATUS="not run"
migrations_check() {
    say "manage.py makemigrations --check --dry-run"
    # Checked against a throwaway in-memory SQLite DB so a stale var/ demo database cannot interfere.
    if env -u DATABASE_URL TIAOJIE_ENV=test SQLITE_PATH=:memory: "$PY" manage.py makemigrations --check --dry-run; then
        MIG_STATUS=ok
    else
        MIG_STATUS=FAIL
        warn "model changes without migrations (or manage.py is broken); run: .venv/bin/python manage.py makemigrations"
    fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }

PYTEST_EXTRA=()
if [[ -n "${PYTEST_ARGS:-}" ]]; then
    eval "PYTEST_EXTRA=($PYTEST_ARGS)" || die "cannot parse PYTEST_ARGS: $PYTEST_ARGS"
fi

declare -A RESULT_STATUS=() RESULT_LINE=() RESULT_VENDOR=() RESULT_TIME=()
RUN_ORDER=()

# run_pytest LABEL [WRAPPER...]: run the suite (through WRAPPER, e.g. the PG cluster script), record results.
run_pytest() {
    local label=$1
    shift
    local log="$OUT/pytest-$label.log" vendor_file="$OUT/db-vendor-$label.txt"
    local color=()
    [[ -t 1 ]] && color=(--color=yes)
    mkdir -p "$OUT"
    rm -f "$vendor_file"
    say "pytest on $label ${PYTEST_EXTRA[*]}"
    local t0 rc
    t0=$(now_ms)
    set +e
    env -u DATABASE_URL TIAOJIE_ENV=test TIAOJIE_DB_VENDOR_FILE="$vendor_file" \
        "$@" "$PY" -m pytest "${color[@]}" "${PYTEST_EXTRA[@]}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    record_result "$label" "$rc" "$t0"
}

# run_pytest_quiet LABEL [WRAPPER...]: the same, output only to the log (for the two databases run side by side);
# the exit code and the wall time go to files that record_result reads once both have finished.
run_pytest_quiet() {
    local label=$1
    shift
    local log="$OUT/pytest-$label.log" vendor_file="$OUT/db-vendor-$label.txt" t0 rc
    mkdir -p "$OUT"
    rm -f "$vendor_file" "$OUT/rc-$label" "$OUT/t0-$label"
    t0=$(now_ms)
    echo "$t0" >"$OUT/t0-$label"
    set +e
    env -u DATABASE_URL TIAOJIE_ENV=test TIAOJIE_DB_VENDOR_FILE="$vendor_file" \
        "$@" "$PY" -m pytest "${PYTEST_EXTRA[@]}" >"$log" 2>&1
    rc=$?
    set -e
    echo "$rc $(now_ms)" >"$OUT/rc-$label"
}

# run_both_in_parallel: SQLite and PostgreSQL side by side (each process has its own test database, live-server
# port and temporary files), then each log's failures and summary line.
run_both_in_parallel() {
    say "pytest on sqlite and postgresql side by side ${PYTEST_EXTRA[*]} (logs: $OUT/pytest-{sqlite,postgresql}.log)"
    run_pytest_quiet sqlite &
    local pid_sqlite=$!
    run_pytest_quiet postgresql bash "$ROOT/scripts/pg_cluster.sh" start -- &
    local pid_pg=$!
    wait "$pid_sqlite" || true
    wait "$pid_pg" || true
    local label rc end t0
    for label in sqlite postgresql; do
        read -r rc end <"$OUT/rc-$label" || { rc=99 end=$(now_ms); }
        t0=$(cat "$OUT/t0-$label")
        if [[ $rc -ne 0 ]]; then
            printf '\n\033[1m--- %s: failures (from %s) ---\033[0m\n' "$label" "$OUT/pytest-$label.log"
            sed -n '/= FAILURES =\|= ERRORS =/,$p' "$OUT/pytest-$label.log" | tail -n 200
        fi
        record_result "$label" "$rc" "$t0" "$end"
    done
}

# record_result LABEL RC T0 [END]
record_result() {
    local label=$1 rc=$2 t0=$3 end=${4:-$(now_ms)}
    local log="$OUT/pytest-$label.log" vendor_file="$OUT/db-vendor-$label.txt"
    RUN_ORDER+=("$label")
    RESULT_TIME[$label]=$(fmt_ms $((end - t0)))
    if [[ $rc -eq 0 ]]; then RESULT_STATUS[$label]=ok; else RESULT_STATUS[$label]="FAIL (exit $rc)"; fi
    # pytest's final line, e.g. "===== 12 passed, 1 skipped in 3.21s =====" (also with -q, without the rulers).
    RESULT_LINE[$label]=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
        grep -E '(passed|failed|error|skipped|deselected|xfailed|xpassed|warning|no tests ran).* in [0-9.]+s( \([0-9:]+\))?( =+)?$' |
        tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)
    [[ -n "${RESULT_LINE[$label]}" ]] || RESULT_LINE[$label]="(no pytest summary line; see $log)"
    if [[ -s "$vendor_file" ]]; then
        RESULT_VENDOR[$label]=$(head -n 1 "$vendor_file")
    else
        RESULT_VENDOR[$label]="not checked (tests/test_db_vendor.py did not run)"
    fi
}

summary() {
    local total=$1 failed=0 label
    printf '\n\033[1m%s\033[0m\n' "================================ test summary ================================"
    printf '%-18s %s\n' "migrations-check" "$MIG_STATUS"
    [[ "$MIG_STATUS" == ok ]] || failed=1
    for label in "${RUN_ORDER[@]}"; do
        printf '%-18s %s: %s  [%s wall]\n' "pytest $label" "${RESULT_STATUS[$label]}" "${RESULT_LINE[$label]}" \
            "${RESULT_TIME[$label]}"
        printf '%-18s db: %s\n' "" "${RESULT_VENDOR[$label]}"
        [[ "${RESULT_STATUS[$label]}" == ok ]] || failed=1
    done
    printf '%-18s %s\n' "total" "$(fmt_ms "$total")"
    if [[ $failed -eq 0 ]]; then
        printf '\033[32mALL OK\033[0m\n'
    else
        printf '\033[31mFAILED\033[0m\n'
    fi
    return $failed
}

main() {
    local mode=${1:-all} t0
    t0=$(now_ms)
    case "$mode" in
    venv)
        ensure_venv
        return
        ;;
    deps)
        ensure_system_packages 1
        ensure_venv
        return
        ;;
    migrations-check)
        ensure_venv
        migrations_check
        [[ "$MIG_STATUS" == ok ]]
        return
        ;;
    all | sqlite | pg) ;;
    *) die "unknown mode '$mode' (all|sqlite|pg|deps|venv|migrations-check)" ;;
    esac

    ensure_system_packages "$([[ $mode == sqlite ]] && echo 0 || echo 1)"
    ensure_venv
    mkdir -p var/staticfiles # STATIC_ROOT; WhiteNoise warns when it does not exist
    migrations_check
    if [[ $mode == all && ${TEST_SEQUENTIAL:-0} != 1 ]]; then
        # Side by side: the whole run takes as long as the slower database, not the sum (TEST_SEQUENTIAL=1 to
        # run one after the other with the output on the terminal).
        run_both_in_parallel
    else
        if [[ $mode == all || $mode == sqlite ]]; then
            run_pytest sqlite
        fi
        if [[ $mode == all || $mode == pg ]]; then
            run_pytest postgresql bash "$ROOT/scripts/pg_cluster.sh" start --
        fi
    fi
    summary $(($(now_ms) - t0))
}

main "$@"
