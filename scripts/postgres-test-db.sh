#!/usr/bin/env bash
# Makes a local PostgreSQL server available for the PostgreSQL variant of the storage tests and prints its URL.
# Installs Debian's postgresql package if it is missing and starts its cluster. Used by .ci/run.
set -euo pipefail
if ! command -v pg_lsclusters > /dev/null; then
  apt-get update -qq > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -n 1)
# Only the URL may reach stdout: the caller captures it (pg_ctlcluster prints notes such as "Removed stale pid file.").
[ "$status" = online ] || pg_ctlcluster "$version" "$cluster" start >&2
for _ in $(seq 1 30); do pg_isready -q -p "$port" && break; sleep 1; done
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_roles WHERE rolname='petition'\" | grep -q 1 \
  || psql -q -p $port -c \"CREATE ROLE petition LOGIN SUPERUSER PASSWORD 'petition'\"" > /dev/null
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_database WHERE datname='petition_test'\" | grep -q 1 \
  || createdb -p $port -O petition petition_test" > /dev/null
echo "postgresql+psycopg://petition:petition@127.0.0.1:$port/petition_test"
