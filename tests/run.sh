#!/usr/bin/env bash
# The test run behind `make test`: make sure Chromium, npm and PostgreSQL's programs are there,
# start a PostgreSQL server of the run's own, run every test, stop the server again.
# Browser and database tests never skip in CI (CI=true).
#
# What this changes on the machine, and nothing else:
# - as root, Debian packages that are missing: chromium and fonts-dejavu-core (browser tests),
#   npm (the JupyterHub test's proxy), postgresql (database tests), each with
#   --no-install-recommends; not as root, it says what to install and goes on without;
# - inside the checkout only: .cache/ (the proxy from npm, the test PostgreSQL while it runs)
#   and test-output/ (screenshots, logs and the artefacts of a failed browser test).
# The test PostgreSQL is stopped and deleted at the end, however the run ends; the machine's
# own PostgreSQL clusters are never started, stopped or changed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export COURSE_CHROMIUM=${COURSE_CHROMIUM:-/usr/bin/chromium}

have_postgres() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; }

missing=()
[ -x "$COURSE_CHROMIUM" ] || missing+=(chromium fonts-dejavu-core)
command -v npm >/dev/null || missing+=(npm)
[ -n "${COURSE_TEST_PG_URL:-}" ] || have_postgres || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages the tests need: ${missing[*]} (no recommended extras)..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "Missing for some tests: ${missing[*]}." >&2
    echo "  Install with: sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    # without npm or PostgreSQL their tests are skipped (failed in CI); without a browser
    # every browser test would fail, so stop here
    [ -x "$COURSE_CHROMIUM" ] || exit 1
  fi
fi

if [ -z "${COURSE_TEST_PG_URL:-}" ] && have_postgres; then
  trap 'bash tests/stop-postgres.sh' EXIT
  COURSE_TEST_PG_URL=$(bash tests/start-postgres.sh) \
    || { echo "Could not start the tests' PostgreSQL server (see above)." >&2; exit 1; }
  export COURSE_TEST_PG_URL
fi
if [ -z "${COURSE_TEST_PG_URL:-}" ]; then
  echo "Note: no PostgreSQL, so the PostgreSQL variants are skipped (they fail in CI)."
fi

"$BIN/ruff" check .

mkdir -p test-output
"$BIN/python" -m pytest "$@"
