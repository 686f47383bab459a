#!/usr/bin/env bash
# The whole test suite: builds, starts PostgreSQL and MariaDB on loopback
# (scripts/test-servers.sh), runs every test with ctest, stops the servers.
# Extra arguments go to ctest (e.g. -R unit_).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/build.sh
eval "$("$root/scripts/test-servers.sh" start)"
trap '"$root/scripts/test-servers.sh" stop' EXIT
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 "$@"

# --- Sanitizers and fuzzing (scripts/sanitize.sh) -----------------------------
# The same suite built with ASan + UBSan in build-asan, then each fuzz target
# for a fixed time. SG_SANITIZE=0 skips it (for a quick local run).
if [ "${SG_SANITIZE:-1}" != 0 ]; then
    "$root/scripts/sanitize.sh" "$@"
fi
