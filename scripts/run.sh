#!/usr/bin/env bash
# Install and start Commissioner locally with demo data, in one command:
#   scripts/run.sh                 (or: make run; PORT=8080 scripts/run.sh)
# Embedded by default: SQLite under var/ and Celery on a filesystem broker under var/celery,
# so no server is needed. Set DATABASE_URL and/or REDIS_URL to use PostgreSQL and/or Redis.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

ensure_venv
scripts/build_assets.sh
mkdir -p var

py=.venv/bin/python
"$py" manage.py migrate --noinput
"$py" manage.py seed_demo

port="${PORT:-8000}"

celery_pid=""
stop_celery() {
    if [[ -n "$celery_pid" ]] && kill -0 "$celery_pid" 2>/dev/null; then
        echo "run.sh: stopping Celery (pid $celery_pid)"
        kill -TERM "$celery_pid" 2>/dev/null || true
        # Warm shutdown finishes the current task; give it a little time, then insist.
        for _ in $(seq 1 100); do
            kill -0 "$celery_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$celery_pid" 2>/dev/null || true
    fi
    celery_pid=""
}
trap stop_celery EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Worker with embedded beat scheduler (reminders), in the background.
.venv/bin/celery -A config worker -B --loglevel=info &
celery_pid=$!

echo
echo "Commissioner is running at http://127.0.0.1:${port}/"
echo "demo logins: see README"
echo "Press Ctrl-C to stop."
echo

# Not exec: the EXIT trap must still run to stop Celery when the server stops.
"$py" manage.py runserver "127.0.0.1:${port}"
