# Development tasks of the netbox_decommission plugin. `make help` lists them.
#
# NetBox (pinned in requirements-dev.txt) runs from .venv with the configuration dev/netbox_configuration.py;
# its instance files (static files, media) live in the git-ignored .dev/. PostgreSQL and Redis are the
# machine's own when they answer, otherwise private ones that dev/services.py starts under .dev/: `make
# services` records the choice in .dev/services.env, which every target that talks to NetBox sources first.

SHELL := /bin/bash

# The first Python >= 3.12 among these (NetBox 4.7 needs 3.12); `make venv PYTHON=/path/to/python3` overrides.
PYTHON_CANDIDATES ?= python3.13 python3.12 python3 /root/.pyenv/versions/3.12.1/bin/python3
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 \
	&& exec "$$p" -c 'import sys; print(sys.executable)'; done)

VENV := .venv
VENV_STAMP := $(VENV)/.installed
DEV := .dev
SERVICES_ENV := $(DEV)/services.env
STATIC_STAMP := $(DEV)/netbox/static/.collected

# Everything that runs NetBox (manage.py commands, the dev scripts, pytest) gets this environment.
NETBOX_ENV := PYTHONPATH=dev NETBOX_CONFIGURATION=netbox_configuration NETBOX_ROOT=$(CURDIR)/$(DEV)/netbox
NETBOX := $(NETBOX_ENV) $(VENV)/bin/netbox
WITH_SERVICES := set -e; . ./$(SERVICES_ENV);

DEMO_ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# REUSE_DB=1 keeps the test database between runs (faster); by default it is made anew.
PYTEST_DB := $(if $(filter 1,$(REUSE_DB)),--reuse-db,--create-db)
LINT_PATHS := netbox_decommission tests dev benchmarks loadtest
# The benchmark's own database, cloned on every run from <name>_template (migrated on the first run).
BENCH_DB ?= netbox_decommission_bench

.PHONY: help venv services tools demo test test-pinned test-matrix test-fast bench lint migrations clean load docs dist

help:
	@echo 'make venv        create .venv: NetBox from requirements-dev.txt and the plugin (editable)'
	@echo 'make services    find or start PostgreSQL and Redis; writes $(SERVICES_ENV)'
	@echo 'make demo        migrate, load demo data, serve NetBox at http://$(DEMO_ADDR)/ with an RQ worker'
	@echo '                 (Redis databases of its own, as every instance: python dev/instance_redis.py show)'
	@echo 'make test        make test-pinned and make test-matrix side by side (what CI runs)'
	@echo 'make test-pinned ruff, the migrations check and pytest on the pinned NetBox (PYTEST_ARGS=..., REUSE_DB=1)'
	@echo 'make test-matrix the compatibility tests on every other pinned NetBox 4.7.x, fast paths on and off'
	@echo '                 (dev/netbox_matrix.py; MATRIX_RELEASES=4.7.0 ... for some only)'
	@echo 'make test-fast   make test-pinned without the slow families (browser, load, docs, backup, crawl, embedded_services)'
	@echo 'make bench       the plugin against NetBox'"'"'s own costs, DEBUG off; writes benchmarks/results.json'
	@echo 'make lint        ruff only'
	@echo 'make migrations  make the plugin'"'"'s migrations'
	@echo 'make clean       stop the private services, remove .venv and .dev'
	@echo 'make load        concurrent API clients against gunicorn (4 workers), DEBUG off; writes loadtest/results.json'
	@echo 'make docs        the documentation site (mkdocs.yml) into $(DEV)/site, the stage diagram redrawn first'
	@echo 'make dist        the sdist and the wheel into dist/, built from a clean export of the checkout'

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt setup.py
	@if [ ! -x $(VENV)/bin/python ]; then \
		python='$(PYTHON)'; \
		if [ -z "$$python" ]; then \
			echo 'No Python >= 3.12 found (tried: $(PYTHON_CANDIDATES)); run make PYTHON=/path/to/python3.12' >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$python"; \
		"$$python" -m venv $(VENV); \
	fi
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	$(VENV)/bin/python -m pip install --disable-pip-version-check --quiet -e .[pades]
	@touch $@

# Always runs (a service may have stopped since the last time); takes well under a second when all is up. A file of
# its own to write into first: `make test` runs two makes that both come here.
services: venv
	@mkdir -p $(DEV)
	@$(VENV)/bin/python dev/services.py env > $(SERVICES_ENV).$$$$.tmp && mv $(SERVICES_ENV).$$$$.tmp $(SERVICES_ENV)

$(STATIC_STAMP): $(VENV_STAMP) $(shell find netbox_decommission/static -type f 2>/dev/null)
	$(NETBOX) collectstatic --no-input --verbosity 0
	@touch $@

# `netbox migrate` (when a migration is pending: it runs NetBox's post-migrate handlers even with none), dev/bootstrap.py
# and dev/demo_data.py in one interpreter, as NetBox takes seconds to start. System checks run once, in runserver.
DEMO_PREPARE := import django, runpy; django.setup(); \
	from django.core.management import call_command; \
	from django.db import connection; \
	from django.db.migrations.executor import MigrationExecutor; \
	executor = MigrationExecutor(connection); \
	plan = executor.migration_plan(executor.loader.graph.leaf_nodes()); \
	call_command("migrate", interactive=False, skip_checks=True) if plan else print("Migrations: none to apply"); \
	runpy.run_path("dev/bootstrap.py"); \
	runpy.run_path("dev/demo_data.py")

# When `make demo` started (read once, as make reads this file): dev/demo_served.py prints how long it took to serve
# the login page.
DEMO_STARTED := $(shell date +%s)
# The server runs in the foreground; Ctrl-C stops it and the RQ worker. While it starts, dev/instance_redis.py waits
# until the worker serves the demo's queues and prints them with its Redis databases, or says loudly that it does not
# (with the end of its log): the demo is served either way.
demo: services $(STATIC_STAMP)
	@$(WITH_SERVICES) $(NETBOX_ENV) DJANGO_SETTINGS_MODULE=netbox.settings DEMO_ADDR=$(DEMO_ADDR) \
		$(VENV)/bin/python -c '$(DEMO_PREPARE)'
	@$(WITH_SERVICES) \
	$(NETBOX) rqworker >$(DEV)/rqworker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	echo; \
	echo "NetBox:    http://$(DEMO_ADDR)/   (login admin / admin)"; \
	echo "API token: $$(cat $(DEV)/api-token)   (header: Authorization: Bearer <token>)"; \
	echo "People:    orlova (requester), ivanov (head), petrov (responsible), sidorov, kozlova (executors);"; \
	echo "           each logs in with the username as password; API tokens in $(DEV)/tokens/<username>"; \
	echo; \
	{ $(NETBOX_ENV) $(VENV)/bin/python dev/instance_redis.py check-worker $$worker $(DEV)/rqworker.log || true; } & \
	checked=$$!; \
	$(VENV)/bin/python dev/demo_served.py $(DEMO_STARTED) http://$(DEMO_ADDR)/login/ & served=$$!; \
	trap 'kill $$worker $$checked $$served 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(NETBOX) runserver $(DEMO_ADDR) --insecure

# Debian packages the tests need, installed with apt-get when missing and we may (root on Debian/Ubuntu); otherwise
# the message says what to install. $(call apt_tool,command,package,what needs it)
define apt_tool
	@command -v $(1) >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo 'Installing $(2) ($(3))'; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null \
			|| { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; }; \
		else \
			echo '$(1) is missing ($(3)): install it; e.g. apt-get install $(2) / brew install $(2)' >&2; \
			exit 1; \
		fi; \
	}
endef

tools:
	$(call apt_tool,xgettext,gettext,the translation test extracts the plugin strings with it)
	$(call apt_tool,chromium,chromium,the browser tests in tests/e2e drive it with Playwright)

# The whole suite on the pinned release and the release matrix at the same time: the pinned suite keeps one processor
# busy and leaves the other waiting on PostgreSQL, which the matrix's installs, migrations and tests use (together
# they take two thirds of the time one after the other). The matrix's output goes to $(MATRIX_LOG), shown at the end.
MATRIX_LOG := $(DEV)/matrix-run.log
test: services tools venv
	@mkdir -p $(DEV); \
	$(MAKE) --no-print-directory test-matrix >$(MATRIX_LOG) 2>&1 & matrix=$$!; \
	trap 'kill $$matrix 2>/dev/null' EXIT; \
	echo "The release matrix runs alongside, its output in $(MATRIX_LOG)"; \
	pinned=0; $(MAKE) --no-print-directory test-pinned || pinned=$$?; \
	echo "Waiting for the release matrix ($(MATRIX_LOG))"; \
	matrix_status=0; wait $$matrix || matrix_status=$$?; trap - EXIT; \
	cat $(MATRIX_LOG); \
	echo "pinned suite: $$( [ $$pinned = 0 ] && echo passed || echo "FAILED ($$pinned)" ); release matrix: $$( [ $$matrix_status = 0 ] && echo passed || echo "FAILED ($$matrix_status)" )"; \
	[ $$pinned = 0 ] && [ $$matrix_status = 0 ]

test-pinned: services tools
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(WITH_SERVICES) $(NETBOX) makemigrations netbox_decommission --check --dry-run
	@echo '$(NETBOX_ENV) $(VENV)/bin/pytest $(PYTEST_DB) $(PYTEST_ARGS)'
	@$(WITH_SERVICES) status=0; \
	$(NETBOX_ENV) $(VENV)/bin/pytest $(PYTEST_DB) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo 'pytest collected no tests: that counts as a failure' >&2; fi; \
	exit $$status

# The core alone, for a quick round while developing: the slow families are marked in the tests (pyproject.toml).
FAST_MARKERS := not browser and not load and not docs and not backup and not crawl and not embedded_services
test-fast:
	@$(MAKE) --no-print-directory test-pinned PYTEST_ARGS="-m '$(FAST_MARKERS)' $(PYTEST_ARGS)"

# The tests marked compat on each release of netbox_decommission/compat/netbox_releases.json but the pinned one, in
# environments of their own under $(DEV)/matrix/. A NetBox release on the package index that the file does not list
# is reported, without failing the build: it is pinned once the matrix passes on it (docs/development.md).
MATRIX_RELEASES ?=
test-matrix: services
	-@$(VENV)/bin/python dev/netbox_matrix.py check-index
	@$(WITH_SERVICES) $(VENV)/bin/python dev/netbox_matrix.py run $(MATRIX_RELEASES)

# DEBUG off, on a database of its own (BENCH_DB); BENCH_REPEAT=n repetitions (default 3), BENCH_RENDERS=n PDFs,
# BENCH_ONLY=step,... some steps only (the method names in benchmarks/run.py; results.json is then left alone).
bench: services
	@$(WITH_SERVICES) $(NETBOX_ENV) NETBOX_DB_NAME=$(BENCH_DB) NETBOX_DEBUG=0 DJANGO_SETTINGS_MODULE=netbox.settings \
		$(VENV)/bin/python -m benchmarks.run

lint: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)

migrations: services
	$(WITH_SERVICES) $(NETBOX) makemigrations netbox_decommission

clean:
	@if [ -f dev/services.py ]; then \
		$$( [ -x $(VENV)/bin/python ] && echo $(VENV)/bin/python || echo python3 ) dev/services.py stop; \
	fi
	rm -rf $(VENV) $(DEV)

# Concurrent REST clients against NetBox under gunicorn on 127.0.0.1, on a database of its own (LOAD_DB), cloned on
# every run from <name>_template (migrated on the first run). LOAD_MIX=walk|readers|both (default both, one phase
# after the other), LOAD_SECONDS=n per mix (default 150), LOAD_CLIENTS=n (16).
LOAD_DB ?= netbox_decommission_load
load: services
	@$(WITH_SERVICES) $(NETBOX_ENV) NETBOX_DB_NAME=$(LOAD_DB) NETBOX_DEBUG=0 DJANGO_SETTINGS_MODULE=netbox.settings \
		$(VENV)/bin/python -m loadtest.run

# The stage diagram is drawn from the workflow's tables (Django set up, no database needed), then the site is built
# strictly: a broken link, a missing image or a page left out of the nav stops it.
docs: venv
	$(NETBOX_ENV) DJANGO_SETTINGS_MODULE=netbox.settings $(VENV)/bin/python dev/workflow_docs.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --site-dir $(DEV)/site

# From a clean export (dev/package.py): what git tracks, not what lies around in the checkout.
dist: venv
	@$(VENV)/bin/python dev/package.py dist
