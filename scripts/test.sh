#!/usr/bin/env bash
# Run the whole check: install (venv, npm packages, PostgreSQL/Redis/Chromium/ClamAV if missing and
# root), build assets, start throwaway PostgreSQL, Redis and clamd, lint (ruff, import contracts), then pytest.
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
scripts/build_assets.sh

# shellcheck source=scripts/services.sh
source scripts/services.sh
services_start

# The Django test suite fails loudly, instead of skipping, if PostgreSQL, Redis, Chromium or
# ClamAV is absent. Playwright's sync API runs an event loop in the test thread.
export COMMISSIONER_REQUIRE_SERVICES=1
export COMMISSIONER_REQUIRE_CLAMAV=1
export DJANGO_ALLOW_ASYNC_UNSAFE=true

echo "test.sh: ruff check"
.venv/bin/ruff check .
echo "test.sh: ruff format --check"
.venv/bin/ruff format --check .
echo "test.sh: lint-imports"
.venv/bin/lint-imports --no-cache

set +e
# Two workers by default (the CI machine has two cores); TEST_WORKERS=0 runs in one process.
# worksteal: a worker that runs out of tests takes some of the other's (with the default `load`, one
# worker was often left running the last few minutes of the suite alone).
.venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --dist worksteal "$@"
status=$?
set -e
exit "$status"
