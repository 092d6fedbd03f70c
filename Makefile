# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint format install install-dev test-tools translations migrate demo clean

# Installs are stamped so that a second `make run` reuses what is installed.
$(VENV)/.installed: requirements.txt
	@# Debian and Ubuntu ship Python without venv's pip bootstrap: a failed attempt leaves a
	@# half-made $(VENV), so it is removed, python3-venv installed when we may, and tried again.
	@if [ ! -x $(VENV)/bin/pip ]; then \
	  rm -rf $(VENV); \
	  if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = "0" ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi; \
	    if [ "$$sudo" != none ] && command -v apt-get >/dev/null; then \
	      echo "Installing Debian's python3-venv…"; \
	      $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq python3-venv >/dev/null; \
	      $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	    else \
	      echo "Could not create $(VENV): $(PYTHON) lacks venv. Ask an administrator for Debian's python3-venv package, then run make again."; \
	      exit 1; \
	    fi; \
	  fi; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@$(PY) manage.py compile_translations

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Debian packages the suite drives: Chromium for the browser journeys and GDAL's ogrinfo,
# which opens the GIS exports as QGIS would. Installed when missing and we are root;
# otherwise those tests are skipped with the reason (under CI=true, as .ci/run sets, they fail).
TEST_TOOLS := /usr/bin/chromium=chromium /usr/bin/ogrinfo=gdal-bin
test-tools:
	@missing=""; \
	for tool in $(TEST_TOOLS); do [ -x "$${tool%%=*}" ] || missing="$$missing $${tool#*=}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's$$missing for the tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing and not installable here:$$missing (their tests will be skipped, or fail under CI=true)."; \
	  fi; \
	fi

# The suite runs on every core (pytest-xdist; TEST_WORKERS=1 runs it in one process). Each
# worker has its own test database, temporary folders and Redis database (tests/conftest.py).
# The test databases are copies of a migrated template kept in data/ (on PostgreSQL, a
# test_<db>_template_<hash> database) and rebuilt only when a migration, what it reads or a
# package version changes; PYTEST_ARGS=--create-db rebuilds it (tests/migrated_template.py).
TEST_WORKERS ?= auto
test: install-dev test-tools
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint templates --lint

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
