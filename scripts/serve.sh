#!/usr/bin/env bash
# Serve Hongling: gunicorn for pages and API, plus the background worker for imports and reports.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
WORKERS="${WORKERS:-2}"
.venv/bin/python manage.py db_worker --queue-name "*" >>"${HONGLING_DATA_DIR:-data}/worker.log" 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "红领 正在运行: http://${HOST}:${PORT}/  (Ctrl+C 停止)"
HOST="${HOST}" PORT="${PORT}" WORKERS="${WORKERS}" .venv/bin/gunicorn -c deploy/gunicorn.conf.py
