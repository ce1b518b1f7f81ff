#!/usr/bin/env bash
# Stop the tests' own PostgreSQL server (tests/start-postgres.sh) and delete its files.
# Does nothing if it is not there; never touches the machine's own clusters.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${COURSE_TEST_PG_DIR:-$PWD/.cache/test-postgres}
[ -d "$state/data" ] || { rm -rf "$(readlink -m "$state")" "$state"; exit 0; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$bindir" ] || bindir=$(dirname "$(command -v pg_ctl)")
if [ "$(id -u)" = 0 ]; then
  runuser -u postgres -- "$bindir/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
else
  "$bindir/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
fi
rm -rf "$(readlink -m "$state")" "$state"
