# Commissioner developer commands. Everything installs what it needs on first use.

SHELL := /bin/bash
PYTHON := .venv/bin/python
RUFF := .venv/bin/ruff

.PHONY: run test bench bench-cluster bench-reminders bench-open-data screenshots assets lint format diagram venv clean distclean

# The port `make run` serves on: make run PORT=8080 (or set PORT in the environment).
PORT ?= 8000

## run: install everything and start the app with demo data at http://127.0.0.1:$(PORT)/ (output in var/log/run.log)
run:
	@PORT=$(PORT) scripts/run.sh

## test: lint and the full test suite against throwaway PostgreSQL and Redis (ARGS go to pytest)
test:
	scripts/test.sh $(ARGS)

## bench: load-test the main pages on a council-scale data set against a bare floor view (BENCH_SCALE=--small to try it, --national for 400 councils)
bench:
	scripts/bench.sh

## bench-cluster: a PostgreSQL primary and streaming replica, Redis, two gunicorn servers and two Celery workers on 127.0.0.1: load on both, the replica serving read-only pages, a killed worker losing no reminder, the app serving with the replica stopped
bench-cluster:
	scripts/bench_cluster.sh

## bench-reminders: time one reminder sweep over 400,000 due returns (BENCH_REMINDER_RETURNS) on a throwaway PostgreSQL (must be under 60 s)
bench-reminders: venv
	BENCH_REMINDER_RETURNS=$(BENCH_REMINDER_RETURNS) scripts/services.sh $(PYTHON) scripts/bench_reminders.py

## bench-open-data: the nightly open data build of every council on a council-scale set (BENCH_SCALE=--small to try it): time, bytes, peak RSS (under 300 MB)
bench-open-data: venv
	scripts/services.sh bash -c '$(PYTHON) manage.py migrate -v0 && $(PYTHON) manage.py generate_scale_data $(BENCH_SCALE) && $(PYTHON) scripts/bench_open_data.py --approve'

## screenshots: refresh the README's dashboard screenshots in docs/screenshots/ (a browser journey on the demo data)
screenshots:
	COMMISSIONER_SCREENSHOTS=1 TEST_WORKERS=0 scripts/test.sh tests/test_journey_dashboards.py -k lands_on_their_dashboard

## assets: build static/build/app.css and copy vendored JS/images into static/vendor/
assets:
	scripts/build_assets.sh

venv:
	source scripts/lib.sh && ensure_venv

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .

format: venv
	$(RUFF) format .
	$(RUFF) check --fix .

# The state machines `make diagram` draws, as <file name in docs/state-machines/>:<app>.<Model>; each has
# an FSMField named `state`. commissioning/tests/test_diagram.py checks the drawings match the code.
STATE_MACHINES := commission:commissioning.Commission opportunity:commissioning.Opportunity \
	bid:commissioning.Bid evaluation:commissioning.Evaluation award:commissioning.Award \
	agreement:monitoring.Agreement monitoring-return:monitoring.MonitoringReturn notice:monitoring.Notice \
	programme:commissioning.Programme review:commissioning.Review deliverable:monitoring.Deliverable

## diagram: draw the eleven state machines from the code into docs/state-machines/ (a .dot and .svg each, and overview.*; needs only Graphviz's dot)
diagram: venv
	@command -v dot >/dev/null || { echo "make diagram needs Graphviz's dot: apt-get install graphviz" >&2; exit 1; }
	rm -rf docs/state-machines
	mkdir -p docs/state-machines
	for machine in $(STATE_MACHINES); do \
		PYTHONHASHSEED=0 $(PYTHON) manage.py graph_transitions $${machine#*:}.state \
			> docs/state-machines/$${machine%%:*}.dot || exit 1; \
	done
	PYTHONHASHSEED=0 $(PYTHON) manage.py graph_transitions \
		$(foreach machine,$(STATE_MACHINES),$(lastword $(subst :, ,$(machine))).state) > docs/state-machines/overview.dot
	for f in docs/state-machines/*.dot; do dot -Tsvg $$f -o $${f%.dot}.svg || exit 1; done

## clean: remove built assets and caches (keeps .venv, node_modules and var/)
clean:
	rm -rf static/build static/vendor staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

## distclean: clean, and also remove .venv, .venv-bench and node_modules
distclean: clean
	rm -rf .venv .venv-bench node_modules
