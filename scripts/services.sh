#!/usr/bin/env bash
# Throwaway PostgreSQL, Redis and ClamAV (clamd) servers for a test run.
#
# As a library (what scripts/test.sh does):
#     source scripts/services.sh
#     services_start          # exports DATABASE_URL, REDIS_URL, COMMISSIONER_CLAMAV_SOCKET; stops all on EXIT
#     ...run the tests...
#     services_stop           # optional: the EXIT trap does it too
#
# As a command:
#     scripts/services.sh                 # start, print the URLs, wait for Ctrl-C
#     scripts/services.sh CMD [ARGS...]   # start, run CMD with the URLs exported, stop
#
# PostgreSQL and Redis listen on 127.0.0.1 only, on free ports, and clamd on a unix socket, with
# data in fresh temporary directories that are removed when they stop. clamd's signature database
# holds one signature, for the EICAR test file (there is no network for freshclam, and a full
# database takes a minute to load): it starts in well under a second. PostgreSQL runs with fsync off: never use it
# for data you want to keep. Also makes sure Debian's Chromium is installed (for the browser
# tests): as root, missing packages are installed with apt-get; otherwise it is an error.
#
# Exports: DATABASE_URL=postgres://postgres@127.0.0.1:PORT/commissioner
#          REDIS_URL=redis://127.0.0.1:PORT/0
#          COMMISSIONER_CLAMAV_SOCKET=/tmp/commissioner-clamd.XXXXXX/clamd.sock

# No `set -e` here: this file is sourced into other scripts; the functions check for errors
# themselves, return non-zero, and are safe to call from scripts that use `set -euo pipefail`.

_SERVICES_PG_DIR=""
_SERVICES_PG_BIN=""
_SERVICES_PG_AS_POSTGRES=0
_SERVICES_REDIS_DIR=""
_SERVICES_REDIS_PID=""
_SERVICES_CLAMD_DIR=""
_SERVICES_CLAMD_PID=""
_SERVICES_PREV_EXIT_TRAP=""
_SERVICES_TRAP_SET=0

_services_log() {
    echo "services.sh: $*" >&2
}

_services_pg_bindir() {
    local initdb
    initdb="$(find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)" || true
    if [[ -n "$initdb" ]]; then
        dirname "$initdb"
    fi
}

_services_missing_packages() {
    local missing=()
    [[ -n "$(_services_pg_bindir)" ]] || missing+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    command -v clamd >/dev/null 2>&1 || missing+=(clamav-daemon)
    echo "${missing[*]}"
}

# Install PostgreSQL, Redis, Chromium and ClamAV's daemon from Debian's packages if any is missing.
services_ensure_installed() {
    local missing
    missing="$(_services_missing_packages)"
    [[ -z "$missing" ]] && return 0
    if [[ "$(id -u)" -ne 0 ]]; then
        _services_log "missing: $missing"
        _services_log "install them first, e.g.: sudo apt-get install postgresql redis-server chromium clamav-daemon"
        return 1
    fi
    _services_log "installing missing packages ($missing) with apt-get"
    apt-get update -qq >/dev/null || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        postgresql redis-server chromium clamav-daemon >/dev/null || return 1
    missing="$(_services_missing_packages)"
    if [[ -n "$missing" ]]; then
        _services_log "still missing after apt-get install: $missing"
        return 1
    fi
}

_services_free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Run a PostgreSQL program as the `postgres` OS user when we are root (PostgreSQL refuses to
# run as root), directly otherwise. Runs from the data's parent directory so that the
# postgres user can always read its working directory.
_services_pg() {
    local prog="$1"
    shift
    if [[ "$_SERVICES_PG_AS_POSTGRES" -eq 1 ]]; then
        (cd "$_SERVICES_PG_DIR" && runuser -u postgres -- "$_SERVICES_PG_BIN/$prog" "$@")
    else
        (cd "$_SERVICES_PG_DIR" && "$_SERVICES_PG_BIN/$prog" "$@")
    fi
}

_services_start_postgres() {
    _SERVICES_PG_BIN="$(_services_pg_bindir)"
    if [[ -z "$_SERVICES_PG_BIN" ]]; then
        _services_log "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)"
        return 1
    fi
    _SERVICES_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/commissioner-pg.XXXXXX")" || return 1
    chmod 700 "$_SERVICES_PG_DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            _services_log "running as root but there is no 'postgres' OS user to run PostgreSQL"
            return 1
        fi
        chown postgres:postgres "$_SERVICES_PG_DIR"
        _SERVICES_PG_AS_POSTGRES=1
    else
        _SERVICES_PG_AS_POSTGRES=0
    fi

    local data="$_SERVICES_PG_DIR/data"
    if ! _services_pg initdb -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
        >"$_SERVICES_PG_DIR/initdb.log" 2>&1; then
        _services_log "initdb failed:"
        cat "$_SERVICES_PG_DIR/initdb.log" >&2 || true
        return 1
    fi

    local attempt port=""
    for attempt in 1 2 3 4 5; do
        port="$(_services_free_port)" || return 1
        # Appending keeps the file's owner (postgres); the last setting of a name wins.
        cat >>"$data/postgresql.conf" <<EOF

# --- commissioner test settings (attempt $attempt) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$_SERVICES_PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
logging_collector = off
EOF
        if _services_pg pg_ctl start -D "$data" -l "$_SERVICES_PG_DIR/postgres.log" -w -t 60 \
            >/dev/null 2>&1; then
            break
        fi
        port=""
        _services_log "PostgreSQL did not start (attempt $attempt); retrying on another port"
    done
    if [[ -z "$port" ]]; then
        _services_log "PostgreSQL failed to start; its log:"
        cat "$_SERVICES_PG_DIR/postgres.log" >&2 2>/dev/null || true
        return 1
    fi

    if ! "$_SERVICES_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres commissioner; then
        _services_log "createdb commissioner failed"
        return 1
    fi
    export DATABASE_URL="postgres://postgres@127.0.0.1:$port/commissioner"
}

_services_start_redis() {
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        _services_log "Redis is not installed (redis-server, redis-cli)"
        return 1
    fi
    _SERVICES_REDIS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/commissioner-redis.XXXXXX")" || return 1

    local attempt port="" _
    for attempt in 1 2 3 4 5; do
        port="$(_services_free_port)" || return 1
        rm -f "$_SERVICES_REDIS_DIR/redis.pid"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --daemonize yes --pidfile "$_SERVICES_REDIS_DIR/redis.pid" \
            --logfile "$_SERVICES_REDIS_DIR/redis.log" --dir "$_SERVICES_REDIS_DIR" \
            >/dev/null 2>&1 || true
        for _ in $(seq 1 100); do
            if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == "PONG" ]]; then
                _SERVICES_REDIS_PID="$(cat "$_SERVICES_REDIS_DIR/redis.pid" 2>/dev/null)" || true
                break 2
            fi
            sleep 0.1
        done
        # Did not answer: stop whatever started, try another port.
        if [[ -s "$_SERVICES_REDIS_DIR/redis.pid" ]]; then
            kill "$(cat "$_SERVICES_REDIS_DIR/redis.pid")" 2>/dev/null || true
        fi
        port=""
        _services_log "Redis did not start (attempt $attempt); retrying on another port"
    done
    if [[ -z "$port" ]]; then
        _services_log "Redis failed to start; its log:"
        cat "$_SERVICES_REDIS_DIR/redis.log" >&2 2>/dev/null || true
        return 1
    fi
    export REDIS_URL="redis://127.0.0.1:$port/0"
}

# The EICAR test file, in hex: the only thing the test clamd detects.
_SERVICES_EICAR_HEX="58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e444152442d414e544956495255532d544553542d46494c452124482b482a"

_services_clamd_ping() {
    python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(b"nPING\n")
sys.exit(0 if s.recv(16) == b"PONG\n" else 1)
EOF
}

_services_start_clamav() {
    if ! command -v clamd >/dev/null 2>&1; then
        _services_log "ClamAV's daemon is not installed (clamd)"
        return 1
    fi
    _SERVICES_CLAMD_DIR="$(mktemp -d "${TMPDIR:-/tmp}/commissioner-clamd.XXXXXX")" || return 1
    local dir="$_SERVICES_CLAMD_DIR" _
    mkdir -p "$dir/db" "$dir/tmp" || return 1
    # An extended (.ndb) signature: name, any file type, anywhere in the file, the bytes in hex.
    echo "Commissioner-Test-EICAR:0:*:$_SERVICES_EICAR_HEX" >"$dir/db/commissioner-eicar.ndb"
    cat >"$dir/clamd.conf" <<EOF
LocalSocket $dir/clamd.sock
DatabaseDirectory $dir/db
TemporaryDirectory $dir/tmp
LogFile $dir/clamd.log
Foreground yes
SelfCheck 0
MaxThreads 4
StreamMaxLength 64M
EOF
    clamd -c "$dir/clamd.conf" >"$dir/clamd.out" 2>&1 &
    _SERVICES_CLAMD_PID=$!
    for _ in $(seq 1 100); do
        if [[ -S "$dir/clamd.sock" ]] && _services_clamd_ping "$dir/clamd.sock"; then
            export COMMISSIONER_CLAMAV_SOCKET="$dir/clamd.sock"
            return 0
        fi
        kill -0 "$_SERVICES_CLAMD_PID" 2>/dev/null || break
        sleep 0.1
    done
    _services_log "clamd failed to start; its output:"
    cat "$dir/clamd.out" "$dir/clamd.log" >&2 2>/dev/null || true
    return 1
}

_services_keep_trap_command() {
    _SERVICES_PREV_EXIT_TRAP="$3"
}

_services_on_exit() {
    local status=$?
    services_stop
    if [[ -n "$_SERVICES_PREV_EXIT_TRAP" ]]; then
        eval "$_SERVICES_PREV_EXIT_TRAP"
    fi
    return "$status"
}

# Start the servers and export DATABASE_URL, REDIS_URL and COMMISSIONER_CLAMAV_SOCKET. Returns
# non-zero (after cleaning up) if any fails to start.
services_start() {
    services_ensure_installed || return 1

    if [[ "$_SERVICES_TRAP_SET" -eq 0 ]]; then
        # Keep any EXIT trap the calling script already had, and run it after ours.
        local prev
        prev="$(trap -p EXIT)"
        if [[ -n "$prev" ]]; then
            # `trap -p` prints: trap -- 'COMMAND' EXIT (quoted for re-use as shell input).
            eval "_services_keep_trap_command $prev"
        fi
        trap _services_on_exit EXIT
        # Make Ctrl-C and `kill` go through the EXIT trap too, unless the caller handles them.
        if [[ -z "$(trap -p INT)" ]]; then trap 'exit 130' INT; fi
        if [[ -z "$(trap -p TERM)" ]]; then trap 'exit 143' TERM; fi
        _SERVICES_TRAP_SET=1
    fi

    if ! _services_start_postgres || ! _services_start_redis || ! _services_start_clamav; then
        services_stop
        return 1
    fi
    _services_log "PostgreSQL at $DATABASE_URL"
    _services_log "Redis at $REDIS_URL"
    _services_log "ClamAV (EICAR signature only) at $COMMISSIONER_CLAMAV_SOCKET"
}

# Stop the servers and remove their directories. Safe to call more than once.
services_stop() {
    if [[ -n "$_SERVICES_PG_DIR" ]]; then
        if [[ -f "$_SERVICES_PG_DIR/data/postmaster.pid" ]]; then
            _services_pg pg_ctl stop -D "$_SERVICES_PG_DIR/data" -m immediate -w -t 30 \
                >/dev/null 2>&1 || _services_log "pg_ctl stop failed"
        fi
        rm -rf "$_SERVICES_PG_DIR"
        _SERVICES_PG_DIR=""
    fi
    if [[ -n "$_SERVICES_REDIS_DIR" ]]; then
        if [[ -n "$_SERVICES_REDIS_PID" ]] && kill -0 "$_SERVICES_REDIS_PID" 2>/dev/null; then
            kill "$_SERVICES_REDIS_PID" 2>/dev/null || true
            local _
            for _ in $(seq 1 50); do
                kill -0 "$_SERVICES_REDIS_PID" 2>/dev/null || break
                sleep 0.1
            done
            kill -9 "$_SERVICES_REDIS_PID" 2>/dev/null || true
        fi
        rm -rf "$_SERVICES_REDIS_DIR"
        _SERVICES_REDIS_DIR=""
        _SERVICES_REDIS_PID=""
    fi
    if [[ -n "$_SERVICES_CLAMD_DIR" ]]; then
        if [[ -n "$_SERVICES_CLAMD_PID" ]] && kill -0 "$_SERVICES_CLAMD_PID" 2>/dev/null; then
            kill "$_SERVICES_CLAMD_PID" 2>/dev/null || true
            wait "$_SERVICES_CLAMD_PID" 2>/dev/null || true
        fi
        rm -rf "$_SERVICES_CLAMD_DIR"
        _SERVICES_CLAMD_DIR=""
        _SERVICES_CLAMD_PID=""
    fi
    unset DATABASE_URL REDIS_URL COMMISSIONER_CLAMAV_SOCKET
}

# Executed rather than sourced: start, then run the given command (or wait), then stop.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -uo pipefail
    _services_sleep_pid=""
    trap 'if [[ -n "$_services_sleep_pid" ]]; then kill "$_services_sleep_pid" 2>/dev/null || true; fi' EXIT
    services_start || exit 1
    if [[ $# -gt 0 ]]; then
        "$@"
        exit $?
    fi
    echo "export DATABASE_URL=$DATABASE_URL"
    echo "export REDIS_URL=$REDIS_URL"
    echo "export COMMISSIONER_CLAMAV_SOCKET=$COMMISSIONER_CLAMAV_SOCKET"
    _services_log "running; press Ctrl-C to stop"
    # `wait` (unlike a foreground sleep) returns at once when INT/TERM arrive, so the trap runs.
    while true; do
        sleep 3600 &
        _services_sleep_pid=$!
        wait "$_services_sleep_pid" || true
    done
fi
