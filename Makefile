# The two commands: `make run` and `make test`. Both set up everything they need.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests and the benchmark run with production-like settings (DEBUG off).
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=testserver,localhost,127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	WHITENOISE_USE_FINDERS=1 SECURE_HSTS_SECONDS=0

.PHONY: run test bench setup lint messages clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) messages

messages: $(STAMP)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v 0

PORT ?= 8000

run: setup
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py load_demo 127.0.0.1:$(PORT)
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(VENV)/bin/mypy
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run -v 0
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

# make bench PROFILE=board (or board500, board500_change, edit, poll, healthz, pdf, pdf500, all):
# where one request's time goes instead of the throughput figures.
bench: setup
	$(TEST_ENV) PROFILE=$(PROFILE) $(PY) tests/bench.py

clean:
	rm -rf $(VENV) staticfiles
