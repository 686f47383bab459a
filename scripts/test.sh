#!/usr/bin/env bash
# The whole test suite: builds, starts PostgreSQL and MariaDB on loopback
# (scripts/test-servers.sh), runs every test with ctest, stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
eval "$(scripts/test-servers.sh start)"
trap 'scripts/test-servers.sh stop' EXIT
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 "$@"
