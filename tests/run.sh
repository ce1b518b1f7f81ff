#!/usr/bin/env bash
# The test run behind `make test`: make sure Chromium and (when we can) PostgreSQL are there,
# then run every test. Browser and database tests never skip in CI (CI=true).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export COURSE_CHROMIUM=${COURSE_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$COURSE_CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Chromium (Debian package) for the browser tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium' (the browser tests need it)." >&2
    exit 1
  fi
fi

# npm installs configurable-http-proxy (JupyterHub's proxy) for tests/deploy into .cache/chp
if ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing npm (Debian package) for the JupyterHub test..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "Note: npm is missing, so the JupyterHub test is skipped (it fails in CI): 'sudo apt-get install npm'."
  fi
fi

if [ -z "${COURSE_TEST_PG_URL:-}" ] && [ "$(id -u)" = 0 ]; then
  if ! command -v pg_lsclusters >/dev/null; then
    echo "Installing PostgreSQL (Debian package) for the database tests..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  COURSE_TEST_PG_URL=$(bash tests/start-postgres.sh)
  export COURSE_TEST_PG_URL
fi
if [ -z "${COURSE_TEST_PG_URL:-}" ]; then
  echo "Note: COURSE_TEST_PG_URL is not set, so the PostgreSQL variants are skipped (they fail in CI)."
fi

"$BIN/ruff" check .

mkdir -p test-output
exec "$BIN/python" -m pytest "$@"
