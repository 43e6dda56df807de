#!/usr/bin/env bash
# shapes.sh — reprint on every shape of corpus beside `wc -w` on the same
# file, each row with its goal (issue 21): short posts, near-copies of a
# few templates (clusters of thousands), records of three words, and long
# documents strung from a shared pool of passages. Each shape's
# correctness is checked against its generator's truth first
# (check_shapes.py); then, unless --no-timing, each command is timed
# (fastest of BENCH_RUNS, default 3; peak memory the largest).
#
# usage: bench/shapes.sh [--scale F] [--out DIR] [--no-timing]
#   --scale      the shapes' sizes times F (default 1: 2 million short posts,
#                900,000 near-copies, 1 million three-word records, 10,000
#                pool documents; CI runs 0.005, the pool at least 500)
#   --out        where the corpora go (default bench/out)
#   --no-timing  the correctness checks only (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=1 OUT=bench/out TIMING=1
while [ $# -gt 0 ]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --no-timing) TIMING=0; shift ;;
        *) echo "shapes.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x build/reprint ] && [ -x build/gen_corpus ] || scripts/setup.sh >/dev/null
mkdir -p "$OUT"
n() { awk -v s="$SCALE" -v n="$1" -v min="${2:-100}" 'BEGIN { v = int(n * s); print (v < min ? min : v) }'; }
R=build/reprint

# ---------------------------------------------------------------- corpora
SHORT=$OUT/shape-short-$SCALE.jsonl COPIES=$OUT/shape-copies-$SCALE.jsonl
THREE=$OUT/shape-three-$SCALE.jsonl POOL=$OUT/shape-pool-$SCALE.jsonl
[ -s "$SHORT" ] || build/gen_corpus $(($(n 2000000) * 347)) "$SHORT" "$SHORT.truth.tsv" 42 short >/dev/null
[ -s "$COPIES" ] || python3 bench/gen_copies.py "$(n 900000)" "$COPIES" "$COPIES.truth.tsv"
[ -s "$THREE" ] || python3 - "$(n 1000000)" "$THREE" <<'PY'
# three words a record from 5,000; a tenth repeat an earlier record exactly
import random, sys
random.seed(3)
n = int(sys.argv[1]); out = open(sys.argv[2], "w")
vocab = ["w%d" % i for i in range(5000)]
texts = []
for i in range(n):
    t = random.choice(texts) if texts and random.random() < 0.1 else " ".join(random.choices(vocab, k=3))
    texts.append(t)
    out.write('{"id": %d, "text": "%s"}\n' % (i, t))
PY
[ -s "$POOL" ] || python3 bench/gen_pool.py "$(n 10000 500)" "$POOL" 2000 10 "$POOL.truth.jsonl"

# ------------------------------------------------------------ correctness
$R dedup -q --stats "$OUT/s.json" "$SHORT" > "$OUT/kept.jsonl"
python3 bench/check_shapes.py short "$SHORT" "$SHORT.truth.tsv" "$OUT/kept.jsonl" "$OUT/s.json"
$R dedup -q --stats "$OUT/s.json" "$COPIES" > "$OUT/kept.jsonl"
python3 bench/check_shapes.py copies "$COPIES.truth.tsv" "$OUT/kept.jsonl" "$OUT/s.json"
$R dedup -q --stats "$OUT/s.json" "$THREE" > "$OUT/kept.jsonl"
python3 bench/check_shapes.py three "$THREE" "$OUT/kept.jsonl" "$OUT/s.json"
$R dedup -q --stats "$OUT/s.json" "$POOL" > "$OUT/kept.jsonl"
$R align -q --groups --json "$POOL" > "$OUT/groups.jsonl"
python3 bench/check_shapes.py pool "$POOL.truth.jsonl" "$OUT/kept.jsonl" "$OUT/s.json" "$OUT/groups.jsonl"
[ "$TIMING" = 1 ] || exit 0

# ----------------------------------------------------------------- timing
RUNS=${BENCH_RUNS:-3}
. bench/timeit.sh
printf "%-12s %-30s %9s %11s %9s %9s %7s %5s\n" shape command seconds "docs/s" "peak MB" "/ wc -w" goal met
row() { # shape command goal(ratio or -) file: timed beside wc -w ($WC s) on $DOCS documents
    local shape=$1 cmd=$2 goal=$3 file=$4 t m
    read -r t m < <(timeit $cmd "$file")
    awk -v s="$shape" -v c="${cmd#build/}" -v g="$goal" -v t="$t" -v m="$m" -v w="$WC" -v d="$DOCS" 'BEGIN {
        t = (t < 0.01 ? 0.01 : t); w = (w < 0.01 ? 0.01 : w); r = t / w
        met = g == "-" ? "-" : (r <= g ? "yes" : "NO")
        printf "%-12s %-30s %9.2f %11.0f %9.1f %9.2f %7s %5s\n", s, c, t, d / t, m / 1024, r, (g == "-" ? "-" : "<= " g), met }'
}
for shape in short copies three pool; do
    case $shape in short) f=$SHORT ;; copies) f=$COPIES ;; three) f=$THREE ;; pool) f=$POOL ;; esac
    DOCS=$(wc -l < "$f")
    read -r WC _ < <(timeit wc -w "$f")
    row "$shape" "wc -w" - "$f"
    row "$shape" "$R dedup -q" 0.5 "$f"
    row "$shape" "$R dedup -q --threads 1" 1.0 "$f"
    row "$shape" "$R pairs -q" 1.0 "$f"
    case $shape in
        short) row "$shape" "$R align -q --json" - "$f" ;;
        pool) # the wide containment search (a text inside one twice its
              # length), whose chance candidates the sample test refuses
              row "$shape" "$R pairs -q --size-ratio 2" - "$f"
              row "$shape" "$R align -q --json --groups" - "$f" ;;
    esac
done
