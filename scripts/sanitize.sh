#!/usr/bin/env bash
# The sanitizer and fuzzing stage of the test suite (CONTRIBUTING.md):
#  1. builds everything with clang, ASan and UBSan in build-asan
#     (SCHEMAGATE_SANITIZE=ON, SCHEMAGATE_FUZZ=ON);
#  2. runs the whole ctest suite there: unit, integration and e2e, the e2e
#     scripts running the sanitized binary (ctest hands them SG_BIN of this
#     build). Every sanitizer report of every process goes to a file under
#     build-asan/sanitizer-reports/; any report fails the stage and is
#     printed, even when the test that caused it passed;
#  3. runs each libFuzzer target of tests/fuzz for SG_FUZZ_SECONDS (20).
# scripts/test.sh calls it after the normal run, with the test servers up;
# SG_SANITIZE=0 there skips it. Alone:
#   eval "$(scripts/test-servers.sh start)"; scripts/sanitize.sh [ctest args]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${ASAN_BUILD_DIR:-build-asan}
seconds=${SG_FUZZ_SECONDS:-20}
start=$(date +%s)

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
    -DSCHEMAGATE_SANITIZE=ON -DSCHEMAGATE_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
built=$(date +%s)

reports="$root/$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
common="log_path=$reports/report:print_summary=1"
export ASAN_OPTIONS="$common:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="$common:print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
# The differential test checks semantics, which the normal run covers with all
# its graphs; here a few graphs exercise the same code paths under sanitizers.
export SG_DIFF_GRAPHS=${SG_DIFF_GRAPHS:-3}
status=0
# The container, Helm and lint entries test the image, the chart and the
# scripts, not this build's binary: they ran in the normal suite already.
ctest --test-dir "$build" --output-on-failure --timeout 900 \
    -E '^(container_|helm_|lint_)' "$@" || status=$?
if compgen -G "$reports/report*" >/dev/null; then
    echo "=== sanitizer reports (build $build) ==="
    for f in "$reports"/report*; do
        echo "--- $f"
        cat "$f"
    done
    status=1
fi
tested=$(date +%s)
[ "$status" = 0 ] || { echo "sanitized suite failed"; exit "$status"; }

# Fuzzing: each target for a fixed time, from the seeds in tests/fuzz/seeds
# and the example migrations. A crash leaves its input in $build/fuzz-findings.
unset ASAN_OPTIONS UBSAN_OPTIONS
export LSAN_OPTIONS
findings="$root/$build/fuzz-findings"
mkdir -p "$findings"
for target in parse split url duration graph; do
    case $target in
        parse | split) seeds=(tests/fuzz/seeds/sql migrations) ;;
        *) seeds=("tests/fuzz/seeds/$target") ;;
    esac
    corpus=$(mktemp -d)
    log="$findings/$target.log"
    if "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$findings/$target-" \
        "$corpus" "${seeds[@]}" >"$log" 2>&1; then
        echo "fuzz_$target: ${seconds}s, $(grep -o 'number_of_executed_units: [0-9]*' "$log" | cut -d' ' -f2) inputs"
    else
        tail -n 60 "$log"
        echo "fuzz_$target failed: the input is in $findings"
        exit 1
    fi
    rm -rf "$corpus"
done
end=$(date +%s)
echo "sanitizers: build $((built - start))s, suite $((tested - built))s, fuzzing $((end - tested))s"
