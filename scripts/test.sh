#!/usr/bin/env bash
# Run the whole check: install (venv, PostgreSQL/Redis/Chromium/ClamAV if missing and root, npm
# packages), start throwaway PostgreSQL, Redis and clamd, migrate the test databases' template while
# the assets build and the linters (ruff, import contracts) run, then pytest.
# Arguments go to pytest, e.g. scripts/test.sh -x -k journey. Runs on two xdist workers unless TEST_WORKERS says otherwise.
# Exits with pytest's exit code (or the first failing step's).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
_test_started="$(date +%s)"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# Runs last on any exit (services.sh chains its own EXIT trap in front of this one).
trap 'echo "test.sh: finished in $(elapsed_since "$_test_started")"' EXIT

ensure_venv

# shellcheck source=scripts/services.sh
source scripts/services.sh
services_start

# The Django test suite fails loudly, instead of skipping, if PostgreSQL, Redis, Chromium or
# ClamAV is absent. Playwright's sync API runs an event loop in the test thread.
export COMMISSIONER_REQUIRE_SERVICES=1
export COMMISSIONER_REQUIRE_CLAMAV=1
export DJANGO_ALLOW_ASYNC_UNSAFE=true

# The xdist workers' databases are copies of one migrated template (tests/template_db.py): migrate
# it now, on the core the asset build and the linters leave idle, rather than while a worker waits.
template_pid=""
if [[ "${TEST_WORKERS:-2}" != "0" ]]; then
    .venv/bin/python -m tests.template_db &
    template_pid=$!
fi

scripts/build_assets.sh
echo "test.sh: ruff check"
.venv/bin/ruff check .
echo "test.sh: ruff format --check"
.venv/bin/ruff format --check .
echo "test.sh: lint-imports"
.venv/bin/lint-imports --no-cache
if [[ -n "$template_pid" ]]; then
    wait "$template_pid"
fi

set +e
# Two workers by default (the CI machine has two cores); TEST_WORKERS=0 runs in one process.
# worksteal: a worker that runs out of tests takes some of the other's (with the default `load`, one
# worker was often left running the last few minutes of the suite alone).
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
status=$?
set -e
exit "$status"
