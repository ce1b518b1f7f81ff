#!/usr/bin/env bash
# Start a PostgreSQL server of the test run's own and print the URL the tests should use:
#   export COURSE_TEST_PG_URL=$(bash tests/start-postgres.sh)   # ... and afterwards:
#   bash tests/stop-postgres.sh                                 # stops it, deletes its files
#
# Its own data directory (.cache/test-postgres/, or COURSE_TEST_PG_DIR; a temporary folder
# linked from there when the server's user cannot reach the checkout), its own free port on
# 127.0.0.1 only, no Unix socket, its own superuser "course" with a password generated here.
# The machine's PostgreSQL clusters (Debian's "main" and any other) are never started, stopped
# or changed. Needs PostgreSQL's server programs (Debian: apt-get install postgresql). As root
# the server runs as the "postgres" system user (PostgreSQL refuses to run as root).
# Run again while the server is up, it prints the same URL.
set -euo pipefail
# Only the URL goes to stdout (callers capture it); every message goes to stderr.
exec 3>&1 1>&2  # the server must not inherit fd 3, or $(...) never ends: see the 3>&- below
cd "$(dirname "$0")/.."
link=${COURSE_TEST_PG_DIR:-$PWD/.cache/test-postgres}
trap 'echo "tests/start-postgres.sh failed (line $LINENO); files in $link" >&2' ERR
state=$(readlink -m "$link")  # the folder itself, not a link the server's user cannot follow
data=$state/data

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] && command -v pg_ctl >/dev/null; then
  bindir=$(dirname "$(command -v pg_ctl)")
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL's server programs are missing (Debian: apt-get install postgresql)." >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  owner=postgres
  id -u "$owner" >/dev/null 2>&1 || { echo "as root, the 'postgres' user must exist" >&2; exit 1; }
  as_owner() { runuser -u "$owner" -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

if [ -s "$state/url" ] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  cat "$state/url" >&3
  exit 0
fi

if [ ! -s "$state/url" ]; then
  rm -rf "$state" "$link"
  mkdir -p "$(dirname "$link")"
  if as_owner test -x "$(dirname "$link")"; then
    mkdir -m 700 "$link"
  else  # the server's user cannot reach the checkout (e.g. under /root): a temporary folder
    ln -s "$(mktemp -d "${TMPDIR:-/tmp}/course-test-postgres.XXXXXX")" "$link"
  fi
  state=$(readlink -m "$link")
  data=$state/data
  password=$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf '%s\n' "$password" >"$state/password"
  chown -R "$owner" "$state/"
  as_owner "$bindir/initdb" -D "$data" -U course --pwfile="$state/password" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 3>&- \
    || { cat "$state/initdb.log" >&2; exit 1; }
  echo "$port" >"$state/port"
  echo "postgresql+psycopg://course:$password@127.0.0.1:$port/coursetest" >"$state/url"
  chown "$owner" "$state/port" "$state/url"
  fresh=1
fi

port=$(cat "$state/port")
as_owner "$bindir/pg_ctl" -D "$data" -l "$state/server.log" -w -t 120 \
  -o "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" \
  start >/dev/null 3>&- || { tail -n 20 "$state/server.log" >&2; exit 1; }
if [ -n "${fresh:-}" ]; then
  PGPASSWORD=$(cat "$state/password") "$bindir/createdb" -h 127.0.0.1 -p "$port" -U course coursetest
fi
echo "PostgreSQL for the tests: 127.0.0.1:$port, data in $data" >&2
cat "$state/url" >&3
