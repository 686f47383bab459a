#!/usr/bin/env bash
# Builds the benchmarks and runs every case in its own process (so the peak
# RSS column belongs to that case alone), printing one table.
#   bench/run.sh [BUILD_DIR] [CASE_FILTER]   (defaults: build, every case)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
filter=${2:-}

if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" >/dev/null
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cmake --build "$build" --target bench -j"${JOBS:-2}" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi

printf '%-28s %-18s %10s %12s %8s\n' name size "time ms" ops/s "RSS MiB"
failed=0
for prog in bench_graph bench_split bench_load bench_engine; do
  exe=$build/bench/$prog
  for case in $("$exe" --list); do
    [[ -z $filter || $case == *$filter* ]] || continue
    if ! "$exe" "$case"; then
      printf '%-28s FAILED\n' "$case"
      failed=1
    fi
  done
done
exit $failed
