#!/usr/bin/env bash
# bench.sh — throughput and memory of `reprint dedup` and `reprint align`
# beside `wc -w` and `cat` on the same generated corpus, plus correctness
# checks against the generator's truth: recall of the injected
# near-duplicates and that dedup's output is a subsequence of its input;
# recall of every injected copy and excerpt by align, at the right place.
#
# Each timing is the fastest of BENCH_RUNS runs (default 3; wc -w and dedup
# take turns BENCH_RUNS + 2 times; stories runs once), peak memory the
# largest.
#
# A row with a goal (issue 21's, as a ratio to `wc -w`) says it and
# whether it was met; the run ends with bench/shapes.sh, the same rows on
# the other shapes of corpus, so that one command prints every goal.
#
# usage: bench/bench.sh [--size 1G] [--out DIR] [--no-timing] [--no-shapes]
#   --size       corpus size (K, M, G suffixes; default 1G)
#   --out        where the corpus and results go (default bench/out)
#   --no-timing  check correctness only (what CI runs)
#   --no-shapes  without bench/shapes.sh at the end
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=1G OUT=bench/out TIMING=1 SHAPES=1
while [ $# -gt 0 ]; do
    case $1 in
        --size) SIZE=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --no-timing) TIMING=0; shift ;;
        --no-shapes) SHAPES=0; shift ;;
        *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
bytes=$(numfmt --from=iec "$SIZE")
[ -x build/reprint ] && [ -x build/gen_corpus ] || scripts/setup.sh >/dev/null
mkdir -p "$OUT"
CORPUS=$OUT/corpus-$SIZE.jsonl TRUTH=$OUT/corpus-$SIZE.truth.tsv
[ -s "$CORPUS" ] || build/gen_corpus "$bytes" "$CORPUS" "$TRUTH"
docs=$(wc -l < "$CORPUS")
mb=$(awk -v b="$(stat -c %s "$CORPUS")" 'BEGIN { printf "%.1f", b / 1e6 }')

RUNS=${BENCH_RUNS:-3}
. bench/timeit.sh

# correctness: recall of injected duplicates, output is a subsequence of input
build/reprint dedup -q --clusters "$OUT/clusters.jsonl" --stats "$OUT/stats.json" "$CORPUS" > "$OUT/kept.jsonl"
python3 - "$CORPUS" "$OUT/kept.jsonl" "$TRUTH" "$OUT/stats.json" <<'PY'
import json, sys
corpus, kept, truth, stats = sys.argv[1:]
s = json.load(open(stats))
assert s["read"] == s["kept"] + s["removed"] + s["rejected"], s
kept_lines = open(kept, "rb").read().splitlines()
src = iter(open(corpus, "rb").read().splitlines())
assert all(any(l == x for x in src) for l in kept_lines), "output is not a subsequence of input"
kept_ids = {json.loads(l)["id"] for l in kept_lines}
dups = [l.split("\t") for l in open(truth).read().splitlines()]
dups = [d for d in dups if d[2] != "excerpt"]  # partial reuse: align's business
by_kind = {}
for d, srcid, kind in dups:
    hit = f"doc-{d}" not in kept_ids
    by_kind.setdefault(kind, [0, 0])
    by_kind[kind][0] += hit
    by_kind[kind][1] += 1
found = sum(v[0] for v in by_kind.values())
print(f"correctness: {s['read']} documents, {s['removed']} removed; "
      f"{found}/{len(dups)} injected near-duplicates removed (" +
      ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_kind.items())) + ")")
false_removals = s["removed"] - found
assert found >= 0.95 * len(dups), "recall of injected near-duplicates below 95%"
assert false_removals <= 0.001 * s["read"] + 1, f"{false_removals} documents removed that are no injected copy"
PY

# align: every injected copy and excerpt paired with its source, the excerpt
# as one passage of its own length
build/reprint align -q --json --stats "$OUT/align-stats.json" "$CORPUS" > "$OUT/aligned.jsonl"
python3 - "$CORPUS" "$OUT/aligned.jsonl" "$TRUTH" "$OUT/align-stats.json" <<'PY'
import json, sys
corpus, aligned, truth, stats = sys.argv[1:]
s = json.load(open(stats))
assert s["read"] == s["kept"] + s["removed"] + s["rejected"], s
pairs = {}
for l in open(aligned):
    d = json.loads(l)
    pairs[(d["a"], d["b"])] = d
by_kind = {}
for dup, src, kind in (l.split("\t") for l in open(truth).read().splitlines()):
    a, b = sorted((int(dup), int(src)))
    p = pairs.get((f"doc-{a}", f"doc-{b}"))
    ok = p is not None
    if ok and kind == "excerpt":
        ok = p["relation"] == "partially_derived" and len(p["passages"]) == 1 \
             and p["passages"][0]["words"] >= 15 and p["passages"][0]["identity"] == 1
    by_kind.setdefault(kind, [0, 0])
    by_kind[kind][0] += ok
    by_kind[kind][1] += 1
found = sum(v[0] for v in by_kind.values())
total = sum(v[1] for v in by_kind.values())
print(f"align correctness: {s['read']} documents, {s['aligned_pairs']} pairs share "
      f"{s['passages']} passages ({s['candidate_pairs']} candidates); {found}/{total} injected "
      "copies and excerpts found (" + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_kind.items())) + ")")
for k, v in by_kind.items():
    assert v[0] >= 0.95 * v[1], f"align recall of {k} below 95%"
PY
# align on templated pages (gen_corpus ... sites: 50 sites, each page in its
# site's navigation, byline, teasers and footer; copies on other sites):
# pairs that share only page furniture must not be reported
PAGES=$OUT/pages-$SIZE.jsonl PTRUTH=$OUT/pages-$SIZE.truth.tsv
[ -s "$PAGES" ] || build/gen_corpus "$bytes" "$PAGES" "$PTRUTH" 42 sites 2>/dev/null
build/reprint align -q --json "$PAGES" > "$OUT/pages-aligned.jsonl"
echo -n "align on templated pages: "
python3 bench/eval_sites.py "$OUT/pages-aligned.jsonl" "$PTRUTH" 0.99 0.99
build/reprint align -q --json --boilerplate off "$PAGES" > "$OUT/pages-aligned-off.jsonl"
echo -n "  the same with --boilerplate off: "
python3 bench/eval_sites.py "$OUT/pages-aligned-off.jsonl" "$PTRUTH"
[ "$TIMING" = 1 ] || exit 0

# wc -w and dedup on one thread and on all take turns, so that a change in
# the machine's speed during the run weighs on all three alike
t_wc="" t_rp1="" t_rp="" m_wc=0 m_rp1=0 m_rp=0
keep() { # name seconds kb: the fastest time, the largest peak
    local t=$2 m=$3 bt bm
    eval "bt=\${t_$1} bm=\${m_$1}"
    if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then bt=$t; fi
    [ "$m" -gt "$bm" ] && bm=$m
    eval "t_$1=$bt m_$1=$bm"
}
read -r t_cat m_cat < <(timeit cat "$CORPUS")
for _ in $(seq "$((RUNS + 2))"); do
    keep wc $(RUNS=1 timeit wc -w "$CORPUS")
    keep rp1 $(RUNS=1 timeit build/reprint dedup -q --threads 1 "$CORPUS")
    keep rp $(RUNS=1 timeit build/reprint dedup -q "$CORPUS")
done
cores=$(nproc)
echo
echo "corpus: $CORPUS ($mb MB, $docs documents), $cores cores"
printf "%-28s %9s %10s %12s %10s %12s %7s %5s\n" command seconds "MB/s" "docs/s" "peak MB" "vs wc -w" goal met
row() { # name seconds kb [goal: the most its time may be, in times wc -w's]
    awk -v n="$1" -v t="$2" -v m="$3" -v mb="$mb" -v d="$docs" -v w="$t_wc" -v g="${4:-}" \
    'BEGIN { t = (t < 0.01 ? 0.01 : t)
             met = g == "" ? "-" : (t / w <= g + 1e-9 ? "yes" : "NO")
             printf "%-28s %9.2f %10.1f %12.0f %10.1f %12.2f %7s %5s\n", n, t, mb / t, d / t, m / 1024, t / w,
                    g == "" ? "-" : "<= " g, met }'; }
row "cat > /dev/null" "$t_cat" "$m_cat"
row "wc -w" "$t_wc" "$m_wc"
row "reprint dedup --threads 1" "$t_rp1" "$m_rp1" 1.0
row "reprint dedup ($cores threads)" "$t_rp" "$m_rp" 0.5
read -r t_pr m_pr < <(timeit build/reprint pairs -q --json "$CORPUS")
row "reprint pairs" "$t_pr" "$m_pr" 1.0

# compressed input: what reading .zst / .gz adds, beside the decompressor alone
[ -s "$CORPUS.zst" ] || zstd -q -f "$CORPUS" -o "$CORPUS.zst"
[ -s "$CORPUS.gz" ] || gzip -c "$CORPUS" > "$CORPUS.gz"
# (taking turns with the decompressors and plain input, as above, against
# the drift)
t_zd="" t_rz="" t_gd="" t_rg="" t_rpz="" m_zd=0 m_rz=0 m_gd=0 m_rg=0 m_rpz=0
for _ in $(seq "$((RUNS + 2))"); do
    keep zd $(RUNS=1 timeit zstd -dc "$CORPUS.zst")
    keep rz $(RUNS=1 timeit build/reprint dedup -q "$CORPUS.zst")
    keep gd $(RUNS=1 timeit gzip -dc "$CORPUS.gz")
    keep rg $(RUNS=1 timeit build/reprint dedup -q "$CORPUS.gz")
    keep rpz $(RUNS=1 timeit build/reprint dedup -q "$CORPUS")
done
row "zstd -dc > /dev/null" "$t_zd" "$m_zd"
row "reprint dedup .zst" "$t_rz" "$m_rz"
row "gzip -dc > /dev/null" "$t_gd" "$m_gd"
row "reprint dedup .gz" "$t_rg" "$m_rg"
read -r t_al m_al < <(timeit build/reprint align -q --json --stats "$OUT/align-stats.json" "$CORPUS")
row "reprint align" "$t_al" "$m_al" 1.0
awk -v m="$m_al" -v d="$docs" 'BEGIN { b = m * 1024 / d
    printf "align: %.0f bytes a document at its peak (goal on 1 GB <= 300: %s; a fixed 25 MB or so weighs on smaller corpora)\n", b, b <= 300 ? "met" : "NOT met" }'
# --spin: the cost of matching by synonym class and stem, beside plain matching
read -r t_sd m_sd < <(timeit build/reprint dedup -q --spin "$CORPUS")
row "reprint dedup --spin" "$t_sd" "$m_sd"
read -r t_sa m_sa < <(timeit build/reprint align -q --spin --json "$CORPUS")
row "reprint align --spin" "$t_sa" "$m_sa"
read -r t_ap m_ap < <(timeit build/reprint align -q --json "$PAGES")
read -r t_ao m_ao < <(timeit build/reprint align -q --json --boilerplate off "$PAGES")
awk -v a="$t_ap" -v am="$m_ap" -v o="$t_ao" -v om="$m_ao" 'BEGIN {
    printf "align on the templated pages (same size): %.2f s, %.0f MB with boilerplate detection; %.2f s, %.0f MB without\n", a, am / 1024, o, om / 1024 }'
read -r t_st m_st < <(RUNS=1 timeit build/reprint stories -q --json "$CORPUS")
row "reprint stories" "$t_st" "$m_st" 3.0
awk -v d="$t_rp" -v sd="$t_sd" -v a="$t_al" -v sa="$t_sa" 'BEGIN {
    printf "--spin costs %.2fx plain dedup and %.2fx plain align\n", sd / d, sa / a }'
python3 - "$OUT/align-stats.json" "$t_al" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
t = float(sys.argv[2])
print(f"align: {s['candidate_pairs']} candidate pairs aligned in {s['align_seconds']:.2f} s "
      f"({s['candidate_pairs'] / max(s['align_seconds'], 1e-3):,.0f} pairs/s); "
      f"{s['aligned_pairs']} share {s['passages']} passages; end to end {t:.2f} s, "
      f"{s['read'] / max(t, 0.01):,.0f} docs/s")
PY
awk -v t1="$t_rp1" -v tn="$t_rp" -v c="$cores" -v w="$t_wc" -v z="$t_rz" -v zd="$t_zd" -v g="$t_rg" -v gd="$t_gd" -v p="$t_rpz" 'BEGIN {
    printf "dedup: %.2fx the throughput of one thread on %d; time / wc -w: %.2f on 1 thread, %.2f on %d\n", t1 / tn, c, t1 / w, tn / w, c
    printf "compressed input adds %.2f s (.zst; zstd -dc alone takes %.2f s) and %.2f s (.gz; gzip -dc alone %.2f s) to plain input (%.2f s in the same turns)\n", z - p, zd, g - p, gd, p
}'
if [ "$SHAPES" = 1 ]; then
    echo
    bench/shapes.sh --out "$OUT"
fi
