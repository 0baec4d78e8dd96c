#!/usr/bin/env bash
# Install and start Commissioner locally with demo data, in one command:
#   scripts/run.sh                 (or: make run; make run PORT=8080; PORT=8080 scripts/run.sh)
# Embedded by default: SQLite under var/ and Celery on a filesystem broker under var/celery,
# so no server is needed. Set DATABASE_URL and/or REDIS_URL to use PostgreSQL and/or Redis.
# The terminal shows only where to go and how to sign in: the installs, migrations, demo seeding,
# the worker and the server (requests, and the emails the console backend prints) write to
# var/log/run.log (the previous run's is kept as var/log/run.log.1).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

port="${PORT:-8000}"
host="${HOST:-127.0.0.1}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    echo "run.sh: PORT must be a number from 1 to 65535, not '$port'" >&2
    exit 2
fi
address="http://${host}:${port}/"

mkdir -p var/log
log=var/log/run.log
[[ -f "$log" ]] && mv -f "$log" "$log.1"
: >"$log"
started=$(date +%s)

py=.venv/bin/python
server_pid=""
celery_pid=""

# Runs a set-up step with its output in the log; on failure, shows the end of the log and stops.
step() {
    local what="$1"
    shift
    printf '%s\n' "==> $what: $*" >>"$log"
    if ! "$@" >>"$log" 2>&1; then
        echo "run.sh: $what failed. The end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}

stop() {
    local name pid
    for name in server celery; do
        pid="${name}_pid"
        pid="${!pid}"
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            # Celery's warm shutdown finishes the current task; give both a little time, then insist.
            for _ in $(seq 1 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    server_pid=""
    celery_pid=""
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if command -v curl >/dev/null 2>&1 && curl -s -o /dev/null --max-time 2 "$address"; then
    echo "run.sh: something already answers at $address: stop it, or choose another port (make run PORT=8080)" >&2
    exit 1
fi

echo "Setting up Commissioner (the first run installs everything and takes a few minutes); log: $log"
step "installing Python packages" ensure_venv
step "building the front end (needs Node.js 18+ and npm)" scripts/build_assets.sh
step "migrating the database" "$py" manage.py migrate --noinput
step "loading the demo data" "$py" manage.py seed_demo

# Worker with embedded beat scheduler (reminders), in the background.
.venv/bin/celery -A config worker -B --loglevel=info >>"$log" 2>&1 &
celery_pid=$!
"$py" manage.py runserver --noreload "${host}:${port}" >>"$log" 2>&1 &
server_pid=$!

# Wait until the server answers (or has stopped) before saying where it is.
for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run.sh: the server stopped. The end of $log:" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
    if "$py" scripts/answers.py "$address"; then
        break
    fi
    sleep 0.2
done

echo
echo "Commissioner is running at $address  (ready in $(elapsed_since "$started"))"
echo
"$py" manage.py demo_sign_ins 2>>"$log"
echo
echo "Log (set-up, server, worker and the emails the app sends): $log"
echo "Press Ctrl-C to stop."

# Not exec: the EXIT trap must still stop Celery when the server stops.
wait "$server_pid"
