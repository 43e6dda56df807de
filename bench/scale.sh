#!/usr/bin/env bash
# scale.sh — does each command's cost per document stay flat as the corpus
# grows? Generates corpora of short documents (about 350 bytes each, so that
# ten million fit on a modest disk) at each size and prints, per size and
# command, time and peak memory per document beside `wc -w` on the same file,
# and what was spilled to temporary files. With --memory, every command runs
# under that limit: its peak is then the limit's share plus a fixed part
# and what the command still holds per document (bench/README.md says which).
#
# usage: bench/scale.sh [--out DIR] [--threads N] [--memory LIMIT]
#                       [--commands "dedup pairs align stories"] [DOCS...]
#        (default: dedup alone, at 100000 1000000 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out THREADS="" MEMORY="" COMMANDS="dedup"
SIZES=()
while [ $# -gt 0 ]; do
    case $1 in
        --out) OUT=$2; shift 2 ;;
        --threads) THREADS="--threads $2"; shift 2 ;;
        --memory) MEMORY="--memory $2"; shift 2 ;;
        --commands) COMMANDS=$2; shift 2 ;;
        *) SIZES+=("$1"); shift ;;
    esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000 10000000)
[ -x build/reprint ] && [ -x build/gen_corpus ] || scripts/setup.sh >/dev/null
mkdir -p "$OUT"

printf "%-8s %-10s %7s %9s %10s %9s %9s %8s %11s %8s\n" command docs GB seconds "docs/s" "us/doc" "peak MB" "B/doc" spilled_MB "/ wc -w"
for want in "${SIZES[@]}"; do
    corpus=$OUT/short-$want.jsonl
    # 347 bytes a document on average (gen_corpus short)
    [ -s "$corpus" ] || build/gen_corpus $((want * 347)) "$corpus" "$OUT/short-$want.truth.tsv" 42 short >/dev/null
    docs=$(wc -l < "$corpus")
    size=$(stat -c %s "$corpus")
    /usr/bin/time -f "%e" -o "$OUT/scale-time.txt" wc -w "$corpus" > /dev/null
    wc_t=$(cat "$OUT/scale-time.txt")
    for cmd in $COMMANDS; do
        extra=""
        [ "$cmd" = align ] && extra="--json"
        /usr/bin/time -f "%e %M" -o "$OUT/scale-time.txt" \
            build/reprint "$cmd" -q $THREADS $MEMORY $extra --stats "$OUT/scale-stats.json" "$corpus" > /dev/null
        read -r t kb < "$OUT/scale-time.txt"
        spilled=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['spilled_bytes'])" "$OUT/scale-stats.json")
        awk -v c="$cmd" -v d="$docs" -v t="$t" -v kb="$kb" -v sz="$size" -v sp="$spilled" -v w="$wc_t" \
            'BEGIN { printf "%-8s %-10d %7.2f %9.2f %10.0f %9.2f %9.1f %8.1f %11.1f %8.2f\n", c, d, sz / 1e9, t, d / t, t / d * 1e6, kb / 1024, kb * 1024 / d, sp / 1e6, t / w }'
    done
done
