#!/usr/bin/env bash
# test.sh — set up, build, and run the whole test suite twice: a release
# build, then a build with AddressSanitizer and UndefinedBehaviorSanitizer;
# then a build without the spinner's libraries; then the HTML report in
# headless Chromium (screenshots kept in build/report-shots);
# then every fuzz target for FUZZ_SECONDS (default 60) each, and the
# benchmark's correctness checks on a small corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
echo "== tests (release build)"
(cd build && ctest --output-on-failure -j2)
echo "== tests (ASan + UBSan build)"
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DREPRINT_SANITIZE=ON >/dev/null
cmake --build build-sanitize -j"$(nproc)" >/dev/null
(cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2)
echo "== a build without WordNet and libstemmer (REPRINT_WITH_SPIN=OFF)"
cmake -S . -B build-nospin -DREPRINT_WITH_SPIN=OFF >/dev/null
cmake --build build-nospin -j"$(nproc)" >/dev/null
bash tests/nospin.sh build-nospin/reprint "$PWD"
echo "== the HTML report in headless Chromium (Debian's chromium, driven by playwright-core)"
bash scripts/browser-setup.sh
node tests/browser/report.mjs build/reprint "$PWD" build/report-shots
echo "== fuzzing (${FUZZ_SECONDS:-60} s a target, clang libFuzzer + ASan + UBSan)"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
echo "== benchmark smoke run (correctness only)"
bench/bench.sh --size 20M --out build/bench-smoke --no-timing
echo "== every shape of corpus, small, against its truth (correctness only)"
bench/shapes.sh --scale 0.005 --out build/shapes-smoke --no-timing
echo "== all passed: both builds' tests, the build without the spinner, the report in Chromium, the fuzz targets and the benchmark checks on every shape"
