#!/usr/bin/env bash
# with_newer.sh COMMAND...: runs COMMAND against the newer servers
# (PostgreSQL 17, MariaDB 11.8; scripts/newer-servers.sh, started by the ctest
# fixture newer_servers): their SG_TEST_* variables replace the host servers',
# and the runtime image's pg_dump/pg_restore 17 and mariadb-dump come first on
# PATH (tests/container/build_images.sh). Exit 77 (skipped) when the servers
# or the image's tools are missing; exit 1 instead when CI=true.
set -euo pipefail
env_file=${SG_NEW_SERVER_DIR:-/tmp/schemagate-newer-servers}/env
tools=${SG_CONTAINER_OUT:?}/tools/bin
missing=
[ -s "$env_file" ] || missing="the newer servers are not running ($env_file; scripts/newer-servers.sh start)"
[ -x "$tools/pg_dump" ] || missing="${missing:+$missing; }the runtime image's tools are missing ($tools; tests/container/build_images.sh)"
if [ -n "$missing" ]; then
    echo "$missing" >&2
    [ "${CI:-}" = true ] && exit 1
    exit 77
fi
# shellcheck disable=SC1090
. "$env_file"
export PATH="$tools:$PATH"
echo "against PostgreSQL $SG_TEST_PG_MAJOR ($SG_TEST_PG_PORT) and MariaDB $SG_TEST_MARIADB_MAJOR ($SG_TEST_MYSQL_PORT), $(pg_dump --version)" >&2
exec "$@"
