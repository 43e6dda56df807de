#!/usr/bin/env bash
# mpi.sh — dedup (or align) on ranks of mpirun against one process, on one machine
# (a benchmark): wall time and peak memory (of the largest rank) of
#   1 process x 1 thread, 1 process x 2 threads,
#   2 ranks x 1 thread (strong scaling: the same corpus),
#   and, for weak scaling, 1 rank x 1 thread on half the corpus against
#   2 ranks x 1 thread on all of it,
# the parallel efficiency, the bytes each rank exchanged per document, and
# a check that every run wrote the same bytes. Each timing is the fastest
# of RUNS (default 3).
# Every run writes -o FILE (the ranks each their part, in place).
# usage: bench/mpi.sh CORPUS.jsonl [RUNS] [dedup|align]
# MPIRUN_ARGS (default "--mca pml ob1") go to mpirun: on one machine the
# ob1 messaging layer (shared memory, TCP) starts in half the time of the
# default search, which probes for fabrics first (0.43 -> 0.22 s on the
# sample); on an InfiniBand cluster leave it empty (UCX).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=$1 RUNS=${2:-3} CMD=${3:-dedup}
read -r -a MPIARGS <<< "${MPIRUN_ARGS---mca pml ob1}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
best() { # prints "seconds peak_kb" of the fastest of RUNS runs of "$@" (which write $OUT/o.jsonl)
    local b="" kb=0
    for _ in $(seq "$RUNS"); do
        rm -f "$OUT/o.jsonl"
        /usr/bin/time -f "%e %M" -o "$OUT/t" "$@" > /dev/null 2> "$OUT/err"
        read -r s k < "$OUT/t"
        if [ -z "$b" ] || awk -v a="$s" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$s; fi
        [ "$k" -gt "$kb" ] && kb=$k
    done
    echo "$b $kb"
}
docs=$(wc -l < "$CORPUS")
half=$OUT/half.jsonl
head -c $(( $(stat -c %s "$CORPUS") / 2 )) "$CORPUS" | head -n -1 > "$half"

read -r wc_s _ < <(best wc -w "$CORPUS")
O=$OUT/o.jsonl
read -r p1 m1 < <(best build/reprint "$CMD" -q --threads 1 "$CORPUS" -o "$O"); sha_p1=$(sha256sum < "$O")
read -r p2 m2 < <(best build/reprint "$CMD" -q --threads 2 "$CORPUS" -o "$O"); sha_p2=$(sha256sum < "$O")
read -r r2 mr2 < <(best mpirun "${MPIARGS[@]}" -n 2 build/reprint "$CMD" -q --threads 1 "$CORPUS" --stats "$OUT/stats.json" -o "$O")
sha_r2=$(sha256sum < "$O")
read -r h1 _ < <(best build/reprint "$CMD" -q --threads 1 "$half" -o "$O")
read -r launch _ < <(best mpirun "${MPIARGS[@]}" -n 2 build/reprint "$CMD" -q --threads 1 examples/news.jsonl -o "$O")
[ "$sha_p1" = "$sha_p2" ] && [ "$sha_p1" = "$sha_r2" ] || { echo "mpi.sh: outputs differ" >&2; exit 1; }
python3 - "$CMD" "$OUT/stats.json" "$docs" "$wc_s" "$p1" "$m1" "$p2" "$m2" "$r2" "$mr2" "$h1" "$launch" <<'PY'
import json, sys
cmd = sys.argv[1]
s = json.load(open(sys.argv[2]))
docs = int(sys.argv[3])
wc, p1, m1, p2, m2, r2, mr2, h1, launch = (float(x) for x in sys.argv[4:])
print(f"reprint {cmd}, corpus: {docs} documents; wc -w {wc:.2f} s; every run wrote the same bytes")
print(f"1 process x 1 thread : {p1:6.2f} s  {m1/1024:6.0f} MB  ({p1/wc:.2f} x wc -w)")
print(f"1 process x 2 threads: {p2:6.2f} s  {m2/1024:6.0f} MB  (speed-up {p1/p2:.2f}, efficiency {p1/p2/2:.0%})")
print(f"2 ranks x 1 thread   : {r2:6.2f} s  {mr2/1024:6.0f} MB a rank at most  (speed-up {p1/r2:.2f}, "
      f"strong-scaling efficiency {p1/r2/2:.0%})")
print(f"weak scaling: 1 rank on half {h1:.2f} s, 2 ranks on all {r2:.2f} s: efficiency {h1/r2:.0%}")
print(f"mpirun's own start and end (2 ranks on the 13-line sample): {launch:.2f} s; without it, strong-scaling "
      f"efficiency {p1/(r2-launch)/2:.0%}")
for r in s["ranks"]:
    t = r["seconds"]
    if cmd == "align":
        print(f"  rank {r['rank']}: {r['records']} records, {r['bytes_sent']/max(1, r['records']):.1f} bytes sent a record; "
              f"fingerprints {t['sign']:.2f} s, index sent {t['bands']:.2f}, candidates {t['candidates']:.2f} "
              f"({r['candidates']} pairs), collect and align {t['verify']:.2f} ({r['ghosts']} ghosts)")
        continue
    print(f"  rank {r['rank']}: {r['records']} records, {r['bytes_sent']/max(1, r['records']):.1f} bytes sent a record; "
          f"sign {t['sign']:.2f} s, exact {t['exact']:.2f}, bands {t['bands']:.2f}, "
          f"candidates {t['candidates']:.2f}, verify {t['verify']:.2f}, cluster {t['cluster']:.2f}")
print(f"exchanged {s['bytes_exchanged']/1e6:.1f} MB, {s['bytes_exchanged']/docs:.1f} bytes a document; "
      f"imbalance {s['imbalance']:.3f}; write {s['write_seconds']:.2f} s")
PY
