#!/usr/bin/env bash
# The whole test suite: builds, starts PostgreSQL 15 and MariaDB 10.11 on
# loopback (scripts/test-servers.sh), runs every test with ctest, stops the
# servers. The ctest fixture newer_servers starts and stops PostgreSQL 17 and
# MariaDB 11.8 in podman (scripts/newer-servers.sh); the trap stops them too
# if ctest is interrupted. Extra arguments go to ctest (e.g. -R unit_).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/build.sh
eval "$("$root/scripts/test-servers.sh" start)"
trap '"$root/scripts/test-servers.sh" stop; "$root/scripts/newer-servers.sh" stop' EXIT
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 "$@"

# --- Sanitizers and fuzzing (scripts/sanitize.sh) -----------------------------
# The same suite built with ASan + UBSan in build-asan, then each fuzz target
# for a fixed time. SG_SANITIZE=0 skips it (for a quick local run).
if [ "${SG_SANITIZE:-1}" != 0 ]; then
    "$root/scripts/sanitize.sh" "$@"
fi
