#!/usr/bin/env bash
# `make bench-cluster`: the app on more than one machine, all on 127.0.0.1. Starts a PostgreSQL primary
# and a streaming replica (pg_basebackup -R), Redis, two gunicorn servers on different ports (production
# settings, DATABASE_REPLICA_URLS naming the replica) and two Celery workers; builds a small data set; then
# shows, with a PASS or FAIL line each:
#   a. load on both servers at once, with no errors;
#   b. the replica serving the read-only pages (the header the replica middleware adds, and the
#      standby's own pg_stat_database counters), the primary the rest and a person's own writes;
#   c. both workers taking reminders, one killed with SIGKILL mid-run, and every reminder emailed once;
#   d. the app still serving, read-only pages included, once the replica is stopped.
# Exits non-zero on any FAIL. Everything runs in fresh temporary folders and stops on exit.
#
# Environment: BENCH_CLUSTER_SCALE="--small" (generate_scale_data options), BENCH_CLUSTER_SECONDS=20,
#              BENCH_CLUSTER_SESSIONS=4 (per server), BENCH_CLUSTER_WORKERS=2 (gunicorn workers per
#              server), BENCH_CLUSTER_REMINDERS=3000 (reminders emailed in check c).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
_cluster_started="$(date +%s)"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/services.sh
source scripts/services.sh

py=.venv/bin/python
work="$(mktemp -d "${TMPDIR:-/tmp}/commissioner-cluster.XXXXXX")"
failures=0
pids=()
replica_data=""

log() { echo "bench-cluster: $*"; }
# One value from a SQL query: psql_value PORT SQL.
psql_value() { "$_SERVICES_PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d commissioner -Atc "$2"; }

cluster_stop() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        # A Celery worker finishes its task first; do not wait for long.
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
    if [[ -n "$replica_data" && -f "$replica_data/postmaster.pid" ]]; then
        _services_pg pg_ctl stop -D "$replica_data" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}

# Record one check's outcome (the checks print their own PASS/FAIL lines).
check() {
    if ! "$@"; then
        failures=$((failures + 1))
    fi
}

ensure_venv
services_start
# Stop the servers, workers and replica before services.sh removes the primary and Redis.
trap 'status=$?; cluster_stop; _services_on_exit; log "finished in $(elapsed_since "$_cluster_started")"; exit $status' EXIT

# --- PostgreSQL: the primary from services.sh, set up for streaming replication, and a standby ---------
primary_port="${DATABASE_URL##*:}"
primary_port="${primary_port%%/*}"
primary_data="$_SERVICES_PG_DIR/data"
cat >>"$primary_data/postgresql.conf" <<EOF

# --- bench-cluster: streaming replication ---
wal_level = replica
max_wal_senders = 5
hot_standby = on
EOF
echo "host replication postgres 127.0.0.1/32 trust" >>"$primary_data/pg_hba.conf"
_services_pg pg_ctl restart -D "$primary_data" -l "$_SERVICES_PG_DIR/postgres.log" -w -t 60 -m fast >/dev/null
log "primary PostgreSQL on port $primary_port (wal_level $(psql_value "$primary_port" 'SHOW wal_level'))"

replica_port="$(_services_free_port)"
replica_data="$_SERVICES_PG_DIR/replica"
_services_pg pg_basebackup -h 127.0.0.1 -p "$primary_port" -U postgres -D "$replica_data" -R -X stream -c fast
cat >>"$replica_data/postgresql.conf" <<EOF

# --- bench-cluster: the standby ---
port = $replica_port
EOF
_services_pg pg_ctl start -D "$replica_data" -l "$_SERVICES_PG_DIR/replica.log" -w -t 60 >/dev/null
log "streaming replica on port $replica_port (in recovery: $(psql_value "$replica_port" 'SELECT pg_is_in_recovery()'), \
primary's senders: $(psql_value "$primary_port" 'SELECT count(*) FROM pg_stat_replication'))"
replica_url="postgres://postgres@127.0.0.1:$replica_port/commissioner"

# --- The app's environment: production settings, as scripts/bench.sh --------------------------------
export DJANGO_SETTINGS_MODULE=config.settings_bench
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export COMMISSIONER_VAR_DIR="$work/var"
export DJANGO_STATIC_ROOT="$work/static"
export DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export BENCH_TARGETS="$work/targets.json"
mkdir -p "$COMMISSIONER_VAR_DIR"

log "migrating"
"$py" manage.py migrate --noinput -v0
log "generating the data set (${BENCH_CLUSTER_SCALE:---small})"
# shellcheck disable=SC2086
"$py" manage.py generate_scale_data ${BENCH_CLUSTER_SCALE:---small} >"$work/generate.log"
tail -n 3 "$work/generate.log" | sed 's/^/bench-cluster:   /'
scripts/build_assets.sh >/dev/null
"$py" manage.py collectstatic --noinput -v0
"$py" scripts/bench/targets.py >"$BENCH_TARGETS"
replication_status() {
    psql_value "$primary_port" "SELECT 'replica ' || state || ', replay lag ' || coalesce(replay_lag::text, '0') || \
', ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) || ' bytes of WAL behind' FROM pg_stat_replication"
}
log "after loading the data: $(replication_status)"

# --- Two web servers, two workers --------------------------------------------------------------------
servers=()
for n in 1 2; do
    port="$(_services_free_port)"
    DATABASE_REPLICA_URLS="$replica_url" .venv/bin/gunicorn -c config/gunicorn_conf.py config.wsgi \
        --bind "127.0.0.1:$port" --workers "${BENCH_CLUSTER_WORKERS:-2}" --log-level warning \
        --access-logfile /dev/null --error-logfile "$work/gunicorn-$n.log" &
    pids+=($!)
    servers+=("http://127.0.0.1:$port")
done
mail_args=()
worker_pids=()
for name in worker1 worker2; do
    mkdir -p "$work/mail-$name"
    BENCH_EMAIL_DIR="$work/mail-$name" .venv/bin/celery -A config worker -n "$name@%h" -c 2 \
        --loglevel WARNING --logfile "$work/celery-$name.log" >"$work/celery-$name.out" 2>&1 &
    pids+=($!)
    worker_pids+=($!)
    mail_args+=(--mail-dir "$name=$work/mail-$name")
done
for server in "${servers[@]}"; do
    for _ in $(seq 1 150); do
        curl -fsS "$server/healthz/" >/dev/null 2>&1 && break
        sleep 0.2
    done
done
log "web servers at ${servers[*]}; Celery workers worker1 (pid ${worker_pids[0]}) and worker2 (pid ${worker_pids[1]})"
answering=0
for _ in $(seq 1 30); do
    answering="$(.venv/bin/celery -A config inspect ping --timeout 2 2>/dev/null | grep -c pong || true)"
    [[ "$answering" -ge 2 ]] && break
    sleep 1
done
log "$answering Celery workers answer a ping"

# --- a. Load on both servers at once -----------------------------------------------------------------
log "a. ${BENCH_CLUSTER_SECONDS:-20} s of load on both servers at once (${BENCH_CLUSTER_SESSIONS:-4} sessions each)"
check "$py" scripts/bench/cluster.py load "$BENCH_TARGETS" "${servers[@]}" \
    --seconds "${BENCH_CLUSTER_SECONDS:-20}" --sessions "${BENCH_CLUSTER_SESSIONS:-4}"

log "after the load: $(replication_status)"

# --- b. The replica serving the read-only pages --------------------------------------------------------
log "b. which database each page reads from"
check "$py" scripts/bench/cluster.py replica "$BENCH_TARGETS" "${servers[@]}" --replica-dsn "$replica_url"

# --- c. Reminders on two workers, one killed -----------------------------------------------------------
log "c. reminders on two workers; worker1 is killed with SIGKILL mid-run"
check "$py" scripts/bench/cluster_reminders.py --emails "${BENCH_CLUSTER_REMINDERS:-3000}" \
    --victim "${worker_pids[0]}" "${mail_args[@]}"

# --- d. The replica stops ------------------------------------------------------------------------------
log "d. stopping the replica (pg_ctl stop -m fast)"
_services_pg pg_ctl stop -D "$replica_data" -m fast -w -t 30 >/dev/null
check "$py" scripts/bench/cluster.py survive "$BENCH_TARGETS" "${servers[@]}"
if grep -q "Internal Server Error\|Traceback" "$work"/gunicorn-*.log; then
    echo "FAIL: server errors: the gunicorn logs have tracebacks:"
    grep -m 5 -A 3 "Internal Server Error\|Traceback" "$work"/gunicorn-*.log || true
    failures=$((failures + 1))
else
    echo "PASS: server errors: none in either gunicorn's log"
fi

log "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
if [[ "$failures" -gt 0 ]]; then
    log "FAILED: $failures check(s)"
    exit 1
fi
log "all checks passed"
