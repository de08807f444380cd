# Two commands for everyone: `make run` (the demo on SQLite) and `make test`.
# DATABASE_URL=mysql://... works for both; it installs requirements-mysql.txt too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --build-constraint build-constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

ifneq (,$(findstring mysql,$(DATABASE_URL)))
MYSQL_REQ := requirements-mysql.txt
endif

.PHONY: run test install install-dev lint migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt requirements-mysql.txt build-constraints.txt
	$(PIP) -r requirements-dev.txt $(if $(MYSQL_REQ),-r $(MYSQL_REQ))
	touch $@

install: $(VENV)/.installed
ifneq (,$(MYSQL_REQ))
	$(PIP) -r $(MYSQL_REQ)
endif

migrate: install
	$(BIN)/python manage.py migrate --no-input

run: migrate
	# A working symptom checker for the demo: trains once (about two minutes), then reuses the
	# active model. Before seeding, so seed_demo can add example checks. Fails loudly.
	$(BIN)/python manage.py train_diagnosis_model --activate --if-missing
	@if $(BIN)/python manage.py shell -c "from accounts.models import User; import sys; sys.exit(0 if User.objects.exists() else 1)"; \
		then echo "Database already has data: not seeding."; \
		else $(BIN)/python manage.py seed_demo; fi
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# axe-core for the browser tests' accessibility checks (tests/browser); skipped without npm.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund && touch $@; \
		else echo "npm not found: the browser tests will skip their accessibility checks."; fi

lint: install
	$(BIN)/ruff check .

test: install lint node_modules/.installed
	# Security linter: no high-severity findings allowed in our code (tests excluded).
	$(BIN)/bandit -q -r accounts records appointments diagnosis clinic -x '*/tests/*' -lll
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
