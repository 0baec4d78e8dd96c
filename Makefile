# Commissioner developer commands. Everything installs what it needs on first use.

SHELL := /bin/bash
PYTHON := .venv/bin/python
RUFF := .venv/bin/ruff

.PHONY: run test bench bench-reminders screenshots assets lint format diagram venv clean distclean

## run: install everything and start the app with demo data at http://127.0.0.1:8000/
run:
	scripts/run.sh

## test: lint and the full test suite against throwaway PostgreSQL and Redis (ARGS go to pytest)
test:
	scripts/test.sh $(ARGS)

## bench: load-test the main pages on a council-scale data set against a bare floor view (BENCH_SCALE=--small to try it)
bench:
	scripts/bench.sh

## bench-reminders: time one reminder sweep over 100,000 due returns on a throwaway PostgreSQL (must be under 60 s)
bench-reminders: venv
	scripts/services.sh $(PYTHON) scripts/bench_reminders.py

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

## diagram: draw the commission state machine from the code (needs Graphviz's dot)
diagram: venv
	mkdir -p docs
	$(PYTHON) manage.py graph_transitions commissioning.Commission.state > docs/commission-states.dot
	dot -Tsvg docs/commission-states.dot -o docs/commission-states.svg

## clean: remove built assets and caches (keeps .venv, node_modules and var/)
clean:
	rm -rf static/build static/vendor staticfiles .pytest_cache .ruff_cache .hypothesis test-results
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

## distclean: clean, and also remove .venv, .venv-bench and node_modules
distclean: clean
	rm -rf .venv .venv-bench node_modules
