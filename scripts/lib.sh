# Shared by scripts/test.sh and scripts/demo.sh (sourced, not run): messages, apt installs, the .venv.
# Expects VENV and PY to be set by the caller.

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mWARNING: %s\033[0m\n' "$*" >&2; }
die() {
    printf '\033[31mERROR: %s\033[0m\n' "$*" >&2
    exit 1
}
is_root() { [[ $(id -u) -eq 0 ]]; }

APT_UPDATED=0
apt_install() {
    if ! is_root; then
        warn "not running as root, so not installing Debian packages: $*"
        warn "install them yourself: sudo apt-get install -y --no-install-recommends $*"
        return 1
    fi
    command -v apt-get >/dev/null 2>&1 || {
        warn "apt-get not available; install these packages yourself: $*"
        return 1
    }
    say "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    if [[ $APT_UPDATED -eq 0 ]]; then
        apt-get update -q
        APT_UPDATED=1
    fi
    apt-get install -y -q --no-install-recommends "$@"
}

# --- Python venv -------------------------------------------------------------------------------------------

ensure_venv() {
    if [[ -x "$PY" ]] && "$PY" -c 'import sys' >/dev/null 2>&1; then
        :
    else
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
    local req=${1:-requirements-dev.txt}
    say "pip install -r $req"
    "$PY" -m pip install -q -r "$req" || die "pip install -r $req failed"
}

