#!/usr/bin/env bash
# Start a real PostgreSQL server for the tests and print the URL they should use.
# Needs Debian's postgresql package and root (CI runs as root). Idempotent.
set -euo pipefail
# Only the URL goes to stdout (callers capture it); every server message goes to stderr.
exec 3>&1 1>&2  # the server must not inherit fd 3, or $(...) never ends: see the 3>&- below
command -v pg_lsclusters >/dev/null || { echo "postgresql is not installed (apt-get install postgresql)" >&2; exit 1; }
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main >/dev/null 3>&-
fi
if ! pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start 3>&-
fi
port=$(pg_lsclusters -h | awk '$1=="'"$version"'" && $2=="main" {print $3}')
runuser -u postgres -- psql -q -p "$port" -c "ALTER USER postgres PASSWORD 'postgres'" >/dev/null
runuser -u postgres -- psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='coursetest'" | grep -q 1 \
  || runuser -u postgres -- createdb -p "$port" coursetest
echo "postgresql+psycopg://postgres:postgres@127.0.0.1:$port/coursetest" >&3
