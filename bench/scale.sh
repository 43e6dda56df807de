#!/usr/bin/env bash
# scale.sh — does dedup's cost per document stay flat as the corpus grows?
# Generates corpora of short documents (about 350 bytes each, so that ten
# million fit on a modest disk) at each size and prints, per size, time and
# peak memory per document, and the memory left once the per-document share
# is taken out (the fixed buffer).
#
# usage: bench/scale.sh [--out DIR] [--threads N] [DOCS...]   (default 100000 1000000 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out THREADS=""
SIZES=()
while [ $# -gt 0 ]; do
    case $1 in
        --out) OUT=$2; shift 2 ;;
        --threads) THREADS="--threads $2"; shift 2 ;;
        *) SIZES+=("$1"); shift ;;
    esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000 10000000)
[ -x build/reprint ] && [ -x build/gen_corpus ] || scripts/setup.sh >/dev/null
mkdir -p "$OUT"

printf "%-10s %8s %9s %10s %12s %10s %10s %8s\n" docs GB seconds "docs/s" "us/doc" "peak MB" "B/doc" "spilled"
for want in "${SIZES[@]}"; do
    corpus=$OUT/short-$want.jsonl
    # 347 bytes a document on average (gen_corpus short)
    [ -s "$corpus" ] || build/gen_corpus $((want * 347)) "$corpus" "$OUT/short-$want.truth.tsv" 42 short >/dev/null
    docs=$(wc -l < "$corpus")
    /usr/bin/time -f "%e %M" -o "$OUT/scale-time.txt" \
        build/reprint dedup -q $THREADS --stats "$OUT/scale-stats.json" "$corpus" > /dev/null
    read -r t kb < "$OUT/scale-time.txt"
    spilled=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['spilled_bytes'])" "$OUT/scale-stats.json")
    awk -v d="$docs" -v t="$t" -v kb="$kb" -v sz="$(stat -c %s "$corpus")" -v sp="$spilled" \
        'BEGIN { printf "%-10d %8.2f %9.2f %10.0f %12.2f %10.1f %10.1f %8d\n", d, sz / 1e9, t, d / t, t / d * 1e6, kb / 1024, kb * 1024 / d, sp }'
done
