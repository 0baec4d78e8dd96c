#!/usr/bin/env bash
# The load benchmark (`make bench`): build the council-scale data set on a throwaway PostgreSQL,
# serve it with gunicorn under production settings (PostgreSQL, Redis) on loopback, drive 8
# concurrent signed-in sessions with locust against the main pages and a bare floor view, and
# print per page: requests/s, p50, p95, p99, queries per request and p50/p95 as multiples of
# the floor's in the same run, once with the page cache on and once with it off; then time each
# page one request at a time (no load): from the page cache, as a page-cache miss with the shared
# filter forms kept, and with caching off. Results go to var/bench/*-<time>-*.json.
#
# Environment: BENCH_SCALE="--small" or "--national" (or any generate_scale_data options; default the
#              council-scale set), BENCH_DURATION=60s, BENCH_USERS=8, BENCH_WORKERS=4,
#              BENCH_LABEL="after indexes";
#              BENCH_OPEN_DATA=0 leaves out the open data build (`make bench-open-data` runs it alone);
#              BENCH_DATABASE_URL and BENCH_REDIS_URL: measure on a PostgreSQL and Redis already running
#              (migrated forward; the data set generated only if it is not there yet), so two versions
#              of the code can be measured on one data set without generating it twice.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
_bench_started="$(date +%s)"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
gunicorn_pid=""
stop_gunicorn() {
    if [[ -n "$gunicorn_pid" ]]; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        wait "$gunicorn_pid" 2>/dev/null || true
    fi
}
# Runs last on any exit (services.sh chains its own EXIT trap in front of this one).
trap 'stop_gunicorn; echo "bench.sh: finished in $(elapsed_since "$_bench_started")"' EXIT

ensure_venv
# Locust lives in its own environment: it patches the standard library with gevent on import, which
# must never happen inside the app's or the tests' processes.
if [[ ! -x .venv-bench/bin/locust ]] || [[ requirements-bench.txt -nt .venv-bench/.installed ]]; then
    echo "bench.sh: installing requirements-bench.txt into .venv-bench"
    python3 -m venv .venv-bench
    .venv-bench/bin/python -m pip install -q --disable-pip-version-check -r requirements-bench.txt
    touch .venv-bench/.installed
fi
scripts/build_assets.sh

if [[ -n "${BENCH_DATABASE_URL:-}" ]]; then
    export DATABASE_URL="$BENCH_DATABASE_URL" REDIS_URL="${BENCH_REDIS_URL:?BENCH_REDIS_URL too}"
    # shellcheck source=scripts/services.sh
    source scripts/services.sh  # for _services_free_port only: nothing is started
else
    # shellcheck source=scripts/services.sh
    source scripts/services.sh
    services_start
fi

py=.venv/bin/python
mkdir -p var/bench
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$(mktemp -d)"
export DJANGO_SETTINGS_MODULE=config.settings_bench
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export COMMISSIONER_VAR_DIR="$work/var"
export BENCH_TARGETS="$work/targets.json" BENCH_QUERIES="$work/queries.json"

echo "bench.sh: migrating"
"$py" manage.py migrate --noinput -v0
if "$py" -c 'import django; django.setup(); from demo.scale_data import already_generated as a; raise SystemExit(0 if a() else 1)'; then
    echo "bench.sh: the data set is already there"
else
    echo "bench.sh: generating the data set (${BENCH_SCALE:-council scale})"
    # shellcheck disable=SC2086
    "$py" manage.py generate_scale_data ${BENCH_SCALE:-}
fi
"$py" manage.py collectstatic --noinput -v0
"$py" scripts/bench/targets.py > "$BENCH_TARGETS"

# One load run: gunicorn with the page cache on (as in production) or off (every request renders),
# a 10 s warm-up, then the measured run; prints the table and writes var/bench/bench-<time>-<name>.json.
load_run() {
    local name="$1" cache_seconds="$2" port
    port="$(_services_free_port)"
    # The production configuration (its worker start-up and recycling), less the access log.
    COMMISSIONER_PAGE_CACHE_SECONDS="$cache_seconds" .venv/bin/gunicorn -c config/gunicorn_conf.py config.wsgi \
        --workers "${BENCH_WORKERS:-4}" --bind "127.0.0.1:$port" --log-level warning --access-logfile /dev/null \
        --pid "$work/gunicorn.pid" &
    gunicorn_pid=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/healthz/" >/dev/null 2>&1 && break
        sleep 0.2
    done
    local locust=(.venv-bench/bin/locust -f scripts/bench/locustfile.py --headless --host "http://127.0.0.1:$port"
                  -u "${BENCH_USERS:-8}" -r "${BENCH_USERS:-8}" --only-summary --loglevel WARNING)
    echo "bench.sh: [$name] warming up (10 s)"
    "${locust[@]}" -t 10s --csv "$work/warmup-$name" >/dev/null 2>&1 || true
    echo "bench.sh: [$name] measuring (${BENCH_DURATION:-60s}, ${BENCH_USERS:-8} sessions)"
    "${locust[@]}" -t "${BENCH_DURATION:-60s}" --csv "$work/run-$name" >/dev/null 2>&1 || true
    stop_gunicorn
    gunicorn_pid=""
    "$py" scripts/bench/report.py "$work/run-${name}_stats.csv" "$BENCH_QUERIES" "$BENCH_TARGETS" \
        "var/bench/bench-$stamp-$name.json" "${BENCH_LABEL:-} ($name)"
    rm -f "$BENCH_QUERIES"
}

load_run "page-cache-on" "${COMMISSIONER_PAGE_CACHE_SECONDS:-120}"
load_run "page-cache-off" 0

# The same pages one request at a time, in-process, with nothing else running: what each costs
# without queueing (the load runs saturate 2 cores, so there the floor queues too).
echo "bench.sh: one request at a time, page cache on"
"$py" scripts/bench/service_time.py "$BENCH_TARGETS" --json "var/bench/service-$stamp-page-cache-on.json"
echo "bench.sh: one request at a time, page cache on, a page of one's own every time (shared filter forms kept)"
"$py" scripts/bench/service_time.py "$BENCH_TARGETS" --page-miss --json "var/bench/service-$stamp-page-miss.json"
echo "bench.sh: one request at a time, a page of one's own every time, just after a return is sent (monitoring.returns changed)"
"$py" scripts/bench/service_time.py "$BENCH_TARGETS" --after-change monitoring.returns \
    --json "var/bench/service-$stamp-after-change.json"
echo "bench.sh: one request at a time, page cache off"
COMMISSIONER_PAGE_CACHE_SECONDS=0 "$py" scripts/bench/service_time.py "$BENCH_TARGETS" \
    --json "var/bench/service-$stamp-page-cache-off.json"

# The nightly open data build of every council on the same data: time, rows, bytes and peak RSS
# (scripts/bench_open_data.py; var/bench/open-data-<time>.json).
if [[ "${BENCH_OPEN_DATA:-1}" != 0 ]]; then
    echo "bench.sh: the nightly open data build of every council"
    "$py" scripts/bench_open_data.py --approve
fi
