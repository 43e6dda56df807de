#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan) and
# runs each for a bounded time, starting from a copy of its seed corpus in
# fuzz/corpus. A crash, a sanitizer report or a broken invariant fails the
# run; the input that caused it is left in build-fuzz/findings/.
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
# FUZZ_SEED sets libFuzzer's random seed (default 1, so that a run is
# repeatable; 0 lets libFuzzer pick one).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
CC=clang cmake -S . -B build-fuzz -DREPRINT_FUZZ=ON -DREPRINT_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
mkdir -p build-fuzz/findings build-fuzz/tmp
status=0
for t in jsonl reader tokenize shingle align json_out signature group; do
    work=build-fuzz/corpus/$t log=build-fuzz/fuzz_$t.log
    rm -rf "$work" && mkdir -p "$work" && cp fuzz/corpus/$t/* "$work"/
    if TMPDIR=$PWD/build-fuzz/tmp build-fuzz/fuzz_$t -max_total_time="$SECS" -max_len=8192 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -seed="${FUZZ_SEED:-1}" \
        -artifact_prefix="build-fuzz/findings/$t-" "$work" > "$log" 2>&1; then
        runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz_$t: $runs executions in ${SECS} s, no finding (corpus $(ls "$work" | wc -l) inputs)"
    else
        echo "fuzz_$t: FINDING (input in build-fuzz/findings/)"
        grep -E "invariant|ERROR|runtime error|SUMMARY" "$log" | head -20
        status=1
    fi
done
exit $status
