#!/usr/bin/env bash
# report.sh — the HTML report's size and speed (a benchmark, not a test):
# a generated news-like corpus with more than PAIRS pairs, the report of its
# PAIRS pairs of highest coverage (time and peak memory of `reprint report`,
# the file's size), then how fast the page opens and reacts in headless
# Chromium (bench/report_load.mjs: medians of 5 loads).
# usage: bench/report.sh [PAIRS] [OUT_DIR]     (default 1000, bench/out)
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${1:-1000} OUT=${2:-bench/out}
[ -x build/reprint ] && [ -x build/gen_corpus ] || scripts/setup.sh >/dev/null
bash scripts/browser-setup.sh
mkdir -p "$OUT"
# 30 MB of the generator's corpus has some 1,350 aligned pairs; more for more
bytes=$(( (PAIRS * 30000000 + 999) / 1000 ))
CORPUS=$OUT/report-corpus-$PAIRS.jsonl
[ -s "$CORPUS" ] || build/gen_corpus "$bytes" "$CORPUS" "$OUT/report-corpus-$PAIRS.truth.tsv" 11 >/dev/null
PAGE=$OUT/report-$PAIRS.html
/usr/bin/time -f "%e %M" -o "$OUT/report-time.txt" \
    build/reprint report -q --spin --max-pairs "$PAIRS" "$CORPUS" -o "$PAGE"
read -r secs kb < "$OUT/report-time.txt"
echo "corpus: $(wc -l < "$CORPUS") documents, $(du -m "$CORPUS" | cut -f1) MB"
echo "reprint report --spin --max-pairs $PAIRS: ${secs} s, peak $((kb / 1024)) MB," \
     "page $(awk -v b="$(stat -c %s "$PAGE")" 'BEGIN { printf "%.1f", b / 1e6 }') MB"
node bench/report_load.mjs "$PAGE" 5
