# welcomeday: `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
# make run is development, explicitly: the demo data and the mail outbox page exist only there.
DEV := APP_ENV=development
STAMP := $(VENV)/.installed
SYSTEM_STAMP := var/.system-packages
ICAL_JS := tests/agendas/ical_js/node_modules/ical.js/package.json
# Debian packages: fonts for badges and PDFs in any script, poppler for rendering PDFs in tests, Chromium for
# browser tests, Node for the second calendar parser and the self-hosted front-end packages.
SYSTEM_PACKAGES := fonts-noto-core fonts-noto-cjk fonts-noto-ui-core fonts-noto-color-emoji fonts-dejavu-core poppler-utils \
	chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup system test test-postgres bench clean translations translations-update lock lock-upgrade

run: setup
	$(DEV) $(FLASK) db upgrade
	$(DEV) $(FLASK) demo
	$(DEV) $(FLASK) run --host $(HOST) --port $(PORT)

setup: $(SYSTEM_STAMP) $(STAMP) $(ICAL_JS) translations

# Mozilla's calendar parser (ical.js, pinned by its package-lock.json), the second parser the calendar tests compare
# every feed with (tests/agendas/conftest.py installs it too when it is missing; without npm those tests skip).
$(ICAL_JS): tests/agendas/ical_js/package-lock.json | $(SYSTEM_STAMP)
	@if command -v npm >/dev/null; then cd tests/agendas/ical_js && npm ci --no-audit --no-fund --silent; \
	else echo "warning: npm missing; the ical.js calendar checks will skip"; fi

$(SYSTEM_STAMP):
	@mkdir -p var
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done; \
	  command -v npm >/dev/null || echo nodejs npm); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  elif command -v sudo >/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "warning: missing system packages ($$missing); PDF and browser tests will say why they skip"; \
	  fi; \
	fi
	@touch $@

# The exact versions of requirements.lock (what CI tests), then the project itself without resolving again.
$(STAMP): setup.cfg pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e '.[test,dev]' --config-settings editable_mode=compat
	@touch $@

# requirements.lock from setup.cfg (with the test and dev extras) by uv: `make lock` keeps the locked versions
# that still fit setup.cfg and resolves only what changed; `make lock-upgrade` takes the newest within its bounds.
UV := $(VENV)/bin/uv
LOCK := $(UV) pip compile -q --universal --python-version 3.11 --extra test --extra dev --no-emit-index-url \
	--no-emit-find-links --custom-compile-command "make lock" setup.cfg -o requirements.lock
$(UV):
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q 'uv>=0.13,<0.14'

lock: $(UV)
	$(LOCK)

lock-upgrade: $(UV)
	$(LOCK) --upgrade

translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(VENV)/bin/pybabel -q compile -d translations; fi

# Re-extract every string (Python, HTML and e-mail templates; see babel.cfg) and merge it into the German and
# Dutch catalogues; new strings arrive empty, and tests/test_translations.py lists them until they are translated.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k ngettext:1,2
translations-update: $(STAMP)
	$(VENV)/bin/pybabel -q extract --no-location --omit-header -F babel.cfg $(BABEL_KEYWORDS) -o var/messages.pot .
	@for lang in de nl; do \
	  if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(VENV)/bin/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i var/messages.pot -d translations -l $$lang; \
	  else $(VENV)/bin/pybabel -q init -i var/messages.pot -d translations -l $$lang; fi; done
	$(VENV)/bin/pybabel -q compile -d translations

# The whole suite on SQLite, or on the database in TEST_DATABASE_URL (.ci/run runs both).
test: setup
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS); status=$$?; [ $$status -eq 5 ] && exit 1; exit $$status

test-postgres: setup
	@db=welcomeday_test_$$$$; \
	psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $$db" || exit 1; \
	TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$$db $(MAKE) --no-print-directory test; status=$$?; \
	psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $$db WITH (FORCE)"; exit $$status

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var/cache var/welcomeday.db .pytest_cache
