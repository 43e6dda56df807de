#!/usr/bin/env bash
# index.sh — the persistent index (a benchmark): ingest rate (documents a
# second, durable: every commit synced), index bytes a document beside the
# compressed texts, and query latency p50/p99 in process and over HTTP, on
# an index of DOCS generated articles (the last 2,000 held out and asked
# as new arrivals), with passage fingerprints and --pairs-only.
# usage: bench/index.sh [DOCS] (default 100000; the README's figures are
# for 100000 and 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
DOCS=${1:-100000}
[ -x build/reprint ] && [ -x build/gen_corpus ] && [ -x build/index_latency ] || scripts/setup.sh > /dev/null
W=$(mktemp -d -p "${TMPDIR:-/tmp}")
trap 'kill $SERVER 2> /dev/null || true; rm -rf "$W"' EXIT
SERVER=
# gen_corpus writes about 2,400 bytes an article
build/gen_corpus $((DOCS * 2500 + 4800000)) "$W/all.jsonl" "$W/truth.tsv" 17 > /dev/null 2>&1
total=$(wc -l < "$W/all.jsonl")
[ "$total" -gt "$DOCS" ] && total=$DOCS
head -n "$((total - 2000))" "$W/all.jsonl" > "$W/index.jsonl"
sed -n "$((total - 1999)),$((total))p" "$W/all.jsonl" > "$W/new.jsonl"
n=$(wc -l < "$W/index.jsonl")
echo "index of $n articles ($(du -h "$W/index.jsonl" | cut -f1)), 2000 new ones asked"
for mode in passages pairs-only; do
    db="$W/db-$mode"
    opt=""; [ "$mode" = pairs-only ] && opt=--pairs-only
    /usr/bin/time -f "%e %M" -o "$W/t" build/reprint index add -q --db "$db" $opt "$W/index.jsonl"
    read -r secs kb < "$W/t"
    build/reprint index stats --db "$db" > "$W/stats.json"
    python3 - "$W/stats.json" "$secs" "$kb" "$mode" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); secs = float(sys.argv[2]); kb = int(sys.argv[3])
live = s["db_bytes"] - s["free_bytes"]
print(f"{sys.argv[4]}: ingest {s['documents'] / secs:,.0f} articles/s ({secs:.1f} s, peak RSS {kb // 1024} MB, "
      f"the mapped database's pages included); "
      f"index {live / s['documents']:,.0f} B an article ({s['postings'] / s['documents']:.0f} postings), "
      f"file {s['db_bytes'] / s['documents']:,.0f} B with free pages; texts {s['log_bytes'] / s['documents']:,.0f} B compressed "
      f"({s['text_bytes'] / s['documents']:,.0f} B raw)")
PY
    answer=align; [ "$mode" = pairs-only ] && answer=pairs
    echo "  in process: $(build/index_latency "$db" "$W/new.jsonl" $answer)"
    build/reprint serve --db "$db" --listen 127.0.0.1:0 --threads 4 2> "$W/serve.err" &
    SERVER=$!
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$W/serve.err"); [ -n "$port" ] && break; sleep 0.1
    done
    python3 - "$port" "$W/new.jsonl" "$answer" <<'PY'
import http.client, sys, threading, time
port, lines, answer = int(sys.argv[1]), open(sys.argv[2]).read().splitlines(), sys.argv[3]
lat, lock = [], threading.Lock()
def client(k):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for line in lines[k::4]:
        t = time.perf_counter(); c.request("POST", f"/v1/query?answer={answer}", line.encode())
        r = c.getresponse(); r.read(); assert r.status == 200
        with lock: lat.append((time.perf_counter() - t) * 1e3)
t0 = time.perf_counter()
ts = [threading.Thread(target=client, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
lat.sort(); n = len(lat)
print(f"  over HTTP (4 clients): p50 {lat[n // 2]:.3f} ms, p99 {lat[n * 99 // 100]:.3f} ms, "
      f"{n / (time.perf_counter() - t0):,.0f} queries/s")
PY
    kill $SERVER; wait $SERVER 2> /dev/null || true; SERVER=
done
