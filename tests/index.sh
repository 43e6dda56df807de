#!/usr/bin/env bash
# index.sh — `reprint index` and `reprint serve`:
#  - batch equivalence: the sample corpus, the seeds when present, a
#    generated corpus and generated pages of 50 sites (each site's
#    furniture around its articles and copies), indexed in 1, 3 and 10
#    batches; `index query` of every document answers exactly what `reprint
#    pairs` and `reprint align` report on the whole corpus (boilerplate
#    hidden, shown and not looked for; with --spin too), and after deletes
#    what they report without the deleted documents;
#  - get, delete, expire, stats, backup and compact, and parameters that
#    differ from the index's;
#  - crash safety: the writer killed (-9) at random moments of a long
#    ingest, 100 times; after each, the index opens, holds a prefix of the
#    input (commits are atomic and in order) whose texts are whole, and a
#    rerun completes it to the batch answer;
#  - HTTP: the API end to end with curl, each bad request's status, and a
#    bounded load test (10,000 requests from 8 concurrent clients, 0 errors).
# usage: index.sh REPRINT_BINARY GEN_CORPUS_BINARY REPO_ROOT WORK_DIR
set -u
BIN=$1 GEN=$2 ROOT=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK"
. "$(dirname "$0")/checks.sh"

"$GEN" 3000000 "$WORK/gen.jsonl" "$WORK/gen.tsv" 5 > /dev/null 2>&1
"$GEN" 2500000 "$WORK/sites.jsonl" "$WORK/sites.tsv" 7 sites > /dev/null 2>&1
corpora="$ROOT/examples/news.jsonl $WORK/gen.jsonl $WORK/sites.jsonl"
corpora="$corpora $(seeds_jsonl "$ROOT" "$WORK/seeds.jsonl")"

# equivalent CORPUS BATCHES [options]: indexed in BATCHES parts, every
# document's answers (each pair seen from both sides, once) = the batch run's
# (PAIROPTS: options of pairs only; ALIGNOPTS: of align and of the index's
# queries)
equivalent() {
    local corpus=$1 batches=$2; shift 2
    local db="$WORK/db.$batches" parts="$WORK/parts"
    rm -rf "$db" "$parts" && mkdir -p "$parts"
    split -n "l/$batches" -d -a 3 --additional-suffix=.jsonl "$corpus" "$parts/p."
    for p in "$parts"/p.*; do
        "$BIN" index add -q --db "$db" "$@" ${PAIROPTS:-} ${ALIGNOPTS:-} "$p" || { echo "# add $p failed"; return 1; }
    done
    "$BIN" index query -q --db "$db" --answer pairs "$@" ${PAIROPTS:-} ${ALIGNOPTS:-} "$corpus" | sort -u > "$WORK/iq.pairs"
    "$BIN" pairs -q --json "$@" ${PAIROPTS:-} "$corpus" | sort > "$WORK/bq.pairs"
    "$BIN" index query -q --db "$db" --answer align "$@" ${PAIROPTS:-} ${ALIGNOPTS:-} "$corpus" | sort -u > "$WORK/iq.align"
    "$BIN" align -q --json "$@" ${ALIGNOPTS:-} "$corpus" | sort > "$WORK/bq.align"
    if ! cmp -s "$WORK/iq.pairs" "$WORK/bq.pairs"; then
        echo "# pairs differ:"; diff "$WORK/iq.pairs" "$WORK/bq.pairs" | head -5 | cut -c1-300; return 1
    fi
    if ! cmp -s "$WORK/iq.align" "$WORK/bq.align"; then
        echo "# alignments differ:"; diff "$WORK/iq.align" "$WORK/bq.align" | head -5 | cut -c1-300; return 1
    fi
    [ -s "$WORK/bq.align" ] # pairs may be none at the threshold (the seeds: different articles)
}

for c in $corpora; do
    name=$(basename "$c")
    for b in 1 3 10; do
        check "$name in $b batches: index query = pairs and align" equivalent "$c" $b
    done
    check "$name --spin in 3 batches: the same" equivalent "$c" 3 --spin
done
for m in show off; do
    ALIGNOPTS="--boilerplate $m" check "sites.jsonl, boilerplate $m, in 3 batches: the same" equivalent "$WORK/sites.jsonl" 3
    ALIGNOPTS="--boilerplate $m" check "news.jsonl, boilerplate $m, in 3 batches: the same" equivalent "$ROOT/examples/news.jsonl" 3
done
# the pages of a site told by their URLs' host, or by a field named otherwise
python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l); d["outlet"] = d.pop("url").split("/")[2]
    print(json.dumps(d))' "$WORK/sites.jsonl" > "$WORK/outlets.jsonl"
ALIGNOPTS="--site-field outlet --site-pages 4" check "sites by --site-field, --site-pages 4, in 3 batches: the same" \
    equivalent "$WORK/outlets.jsonl" 3
# deletes: the answers are the batch's on what is left (site pages and word
# counts taken away with the documents)
deleted_equivalent() {
    local db="$WORK/db.del"
    rm -rf "$db"
    "$BIN" index add -q --db "$db" "$WORK/sites.jsonl" || return 1
    python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    (sys.stdout if i % 4 else sys.stderr).write(json.loads(l)["id"] + "\n" if i % 4 == 0 else l)' \
        "$WORK/sites.jsonl" > "$WORK/sites-left.jsonl" 2> "$WORK/sites-gone.txt"
    xargs "$BIN" index delete --db "$db" < "$WORK/sites-gone.txt" || return 1
    "$BIN" index query -q --db "$db" "$WORK/sites-left.jsonl" | sort -u > "$WORK/del.i"
    "$BIN" align -q --json "$WORK/sites-left.jsonl" | sort > "$WORK/del.b"
    cmp -s "$WORK/del.i" "$WORK/del.b" && [ -s "$WORK/del.b" ]
}
check "sites.jsonl less a quarter deleted: the batch's answers on the rest" deleted_equivalent
# four copies of the sample under other ids: sentence keys in more than 16
# documents, which pair each with the first only
for k in 1 2 3 4; do sed "s/\"id\": \"\([^\"]*\)\"/\"id\": \"\1-$k\"/" "$ROOT/examples/news.jsonl"; done > "$WORK/news4.jsonl"
PAIROPTS=--spin ALIGNOPTS=--rewrites check "news.jsonl x4 --rewrites (pairs: --spin, which it implies) in 3 batches: the same" equivalent "$WORK/news4.jsonl" 3
# two inputs of records without ids: named FILE:LINE by the index as by
# the batch commands (not by a line number that the second file repeats)
python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    d = json.loads(l); d.pop("id")
    open(sys.argv[2 + i % 2], "a").write(json.dumps(d) + "\n")' "$ROOT/examples/news.jsonl" "$WORK/noid-a.jsonl" "$WORK/noid-b.jsonl"
two_inputs() {
    rm -rf "$WORK/db.two"
    "$BIN" index add -q --db "$WORK/db.two" "$WORK/noid-a.jsonl" "$WORK/noid-b.jsonl" || return 1
    "$BIN" index query -q --db "$WORK/db.two" --answer align "$WORK/noid-a.jsonl" "$WORK/noid-b.jsonl" | sort -u > "$WORK/two.i"
    "$BIN" align -q --json "$WORK/noid-a.jsonl" "$WORK/noid-b.jsonl" | sort > "$WORK/two.b"
    cmp -s "$WORK/two.i" "$WORK/two.b" && [ -s "$WORK/two.b" ] &&
        test "$("$BIN" index stats --db "$WORK/db.two" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')" = "$(wc -l < "$ROOT/examples/news.jsonl")"
}
check "two inputs without ids: every record added, answers as align's on both" two_inputs
for c in $corpora; do
    PAIROPTS="--threshold 0.2" check "$(basename "$c"), pairs at containment 0.2, in 3 batches: the same" \
        equivalent "$c" 3
done
PAIROPTS="--measure jaccard --threshold 0.5" check "gen.jsonl, pairs at Jaccard 0.5, in 3 batches: the same" \
    equivalent "$WORK/gen.jsonl" 3
PAIROPTS="--size-ratio 2" check "gen.jsonl, pairs tuned for a text inside one twice its size, in 3 batches: the same" \
    equivalent "$WORK/gen.jsonl" 3

# ------------------------------------------------------------ the verbs
DB="$WORK/db"
NEWS="$ROOT/examples/news.jsonl"
rm -rf "$DB"
"$BIN" index add -q --db "$DB" "$NEWS"
n_news=$(wc -l < "$NEWS")
check "stats counts every document" test "$("$BIN" index stats --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["documents"])')" = "$n_news"
"$BIN" index add --db "$DB" "$NEWS" 2> "$WORK/again.err"
check "adding the same ids again: each reported, none added" grep -q "0 added, $n_news already indexed" "$WORK/again.err"
check "an index opened with other parameters is refused, naming the first" \
    sh -c "! '$BIN' index query --db '$DB' --ngram 4 '$NEWS' 2> '$WORK/mismatch.err' && grep -q 'ngram (--ngram) is 5 in the index, 4 asked' '$WORK/mismatch.err'"
rm -rf "$WORK/db.outlet"
"$BIN" index add -q --db "$WORK/db.outlet" --site-field outlet "$NEWS"
check "an index made with --site-field is refused without it (its documents' sites were read by it)" \
    sh -c "! '$BIN' index query --db '$WORK/db.outlet' '$NEWS' 2> '$WORK/outlet.err' && grep -q 'site and URL fields (--site-field, --url-field) are not those it was made with' '$WORK/outlet.err' && '$BIN' index query -q --db '$WORK/db.outlet' --site-field outlet '$NEWS' > /dev/null"
check "a directory without an index is refused" sh -c "! '$BIN' index stats --db '$WORK/none' 2>/dev/null"
first_id=$(head -1 "$NEWS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
first_text=$(head -1 "$NEWS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')
check "get returns the text as added" test "$("$BIN" index get --db "$DB" "$first_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')" = "$first_text"
check "index query --human: align's readable view" sh -c "'$BIN' index query -q --db '$DB' --human '$NEWS' | grep -q 'Pairs of documents sharing passages of 10+ words'"
check "index query --human --answer pairs: pairs' view" sh -c "'$BIN' index query -q --db '$DB' --human --answer pairs '$NEWS' | grep -q 'the most alike first'"
"$BIN" index backup --db "$DB" "$WORK/backup" 2> /dev/null
"$BIN" index query -q --db "$DB" --answer align "$NEWS" > "$WORK/before.align"
check "a backup answers as the index" sh -c "'$BIN' index query -q --db '$WORK/backup' --answer align '$NEWS' | cmp -s - '$WORK/before.align'"
"$BIN" index delete --db "$DB" "$first_id"
check "a deleted document is gone" sh -c "! '$BIN' index get --db '$DB' '$first_id' 2>/dev/null"
grep -v "\"$first_id\"" "$NEWS" > "$WORK/news-less.jsonl"
check "and in no answer" sh -c "! '$BIN' index query -q --db '$DB' --answer align '$WORK/news-less.jsonl' | grep -q '\"$first_id\"'"
check "deleting it again is an error" sh -c "! '$BIN' index delete --db '$DB' '$first_id' 2>/dev/null"
grep -v "\"$first_id\"" "$NEWS" > "$WORK/news-less.jsonl"
"$BIN" align -q --json "$WORK/news-less.jsonl" | sort > "$WORK/less.align"
log_before=$("$BIN" index stats --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_bytes"])')
"$BIN" index compact --db "$DB"
log_after=$("$BIN" index stats --db "$DB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_bytes"])')
check "compact drops the deleted text ($log_before -> $log_after bytes)" test "$log_after" -lt "$log_before"
check "after compact, the answers are the batch's without it" \
    sh -c "'$BIN' index query -q --db '$DB' --answer align '$WORK/news-less.jsonl' | sort -u | cmp -s - '$WORK/less.align'"
"$BIN" index add -q --db "$DB" "$NEWS" 2> /dev/null
check "expire --ttl 0 deletes everything" sh -c "'$BIN' index expire --db '$DB' --ttl 0 2>&1 | grep -q '$n_news deleted'"
check "a bad --ttl is a usage error" sh -c "'$BIN' index expire --db '$DB' --ttl soon 2>/dev/null; [ \$? -eq 2 ]"
printf '{"id": "a", "text": "old news of the harbour wall and the boats that used it", "date": "2001-01-01"}\n{"id": "b", "text": "new news of the harbour wall and the boats that use it now", "date": "2999-01-01"}\n' > "$WORK/dated.jsonl"
"$BIN" index add -q --db "$DB" "$WORK/dated.jsonl"
check "expire --by-date deletes by the date field" sh -c "'$BIN' index expire --db '$DB' --ttl 365d --by-date 2>&1 | grep -q '1 deleted' && '$BIN' index get --db '$DB' b > /dev/null"
printf '{"id": "x", "text": "fine text here"}\n{"id": "y", "text": 7}\n' > "$WORK/bad.jsonl"
"$BIN" index add --db "$DB" "$WORK/bad.jsonl" 2> "$WORK/bad.err"
check "a bad record stops add with exit 1" test $? = 1
check "  naming its file and line" grep -q 'bad.jsonl:2' "$WORK/bad.err"

# ---------------------------------------------------------- crash safety
CR="$WORK/crash"
rm -rf "$CR"
"$GEN" 12000000 "$WORK/long.jsonl" "$WORK/long.tsv" 9 > /dev/null 2>&1
n_long=$(wc -l < "$WORK/long.jsonl")
# made first (a kill before its first commit leaves no index, rightly)
head -10 "$WORK/long.jsonl" > "$WORK/long-head.jsonl"
"$BIN" index add -q --db "$CR" "$WORK/long-head.jsonl"
crash_once() { # kill -9 during an ingest; every acknowledged commit must be there
    "$BIN" index add --progress --db "$CR" --batch 25 "$WORK/long.jsonl" 2> "$WORK/acks" &
    local pid=$!
    sleep "0.0$((RANDOM % 9))$((RANDOM % 10))"
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    "$BIN" index stats --db "$CR" > "$WORK/crash.stats" 2> "$WORK/crash.err" || return 1
    local acked held
    acked=$(sed -n 's/.*index add: \([0-9]*\) added, committed/\1/p' "$WORK/acks" | tail -1)
    held=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["documents"])' "$WORK/crash.stats")
    acked_total=$((acked_total + ${acked:-0}))
    if [ "$held" -lt "$acked_total" ]; then echo "# $acked_total acknowledged, $held held" > "$WORK/crash.err"; return 1; fi
}
acked_total=10
crash_ok=1
for i in $(seq 1 100); do
    if ! crash_once; then crash_ok=0; echo "# kill $i: $(cat "$WORK/crash.err")"; break; fi
done
check "100 kills of the writer: the index opens every time, every acknowledged add in it" test $crash_ok = 1
held=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["documents"])' "$WORK/crash.stats")
echo "# after 100 kills: $held of $n_long documents held, $acked_total acknowledged"
prefix_whole() { # the documents held are the input's first ones, texts whole
    python3 - "$BIN" "$CR" "$WORK/long.jsonl" "$held" <<'PY'
import json, subprocess, sys
binary, db, path, held = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
docs = [json.loads(l) for l in open(path)]
ids = [str(d["id"]) for d in docs]
probe = sorted(set([0, held - 1, held // 2, held, held + 1, len(docs) - 1]))
for k in probe:
    if k < 0 or k >= len(docs): continue
    r = subprocess.run([binary, "index", "get", "--db", db, ids[k]], capture_output=True, text=True)
    if k < held:
        if r.returncode != 0 or json.loads(r.stdout)["text"] != docs[k]["text"]:
            sys.exit(f"document {k} of the held prefix is missing or damaged")
    elif r.returncode == 0:
        sys.exit(f"document {k}, past the held prefix, is there")
PY
}
check "what the index holds is a prefix of the input, texts whole" prefix_whole
"$BIN" index add -q --db "$CR" "$WORK/long.jsonl" 2> /dev/null
"$BIN" index query -q --db "$CR" --answer pairs "$WORK/long.jsonl" | sort -u > "$WORK/crash.pairs"
"$BIN" pairs -q --json "$WORK/long.jsonl" | sort > "$WORK/long.pairs"
check "completed after the kills, it answers as the batch run" cmp -s "$WORK/crash.pairs" "$WORK/long.pairs"

# ------------------------------------------------------------------ HTTP
if command -v curl > /dev/null; then
    HDB="$WORK/http"
    rm -rf "$HDB"
    "$BIN" serve --db "$HDB" --listen 127.0.0.1:0 --max-body 64K --threads 4 2> "$WORK/serve.err" &
    SERVER=$!
    port=""
    for _ in $(seq 1 50); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/serve.err")
        [ -n "$port" ] && break
        sleep 0.1
    done
    U="http://127.0.0.1:$port"
    code() { curl -s -o "$WORK/body" -w '%{http_code}' "$@"; }
    check "GET /v1/health: 200" test "$(code "$U/v1/health")" = 200
    head -5 "$NEWS" > "$WORK/five.jsonl"
    check "POST /v1/documents (JSONL of 5): 201" test "$(code -X POST --data-binary @"$WORK/five.jsonl" "$U/v1/documents")" = 201
    check "  and all 5 added" grep -q '"added": 5' "$WORK/body"
    check "the same again: 200, each one exists" sh -c "test \"\$(curl -s -o '$WORK/body' -w '%{http_code}' -X POST --data-binary @'$WORK/five.jsonl' '$U/v1/documents')\" = 200 && grep -q '\"exists\": 5' '$WORK/body'"
    one=$(sed -n 6p "$NEWS")
    first5=$(head -1 "$WORK/five.jsonl")
    check "a single existing document: 409" test "$(code -X POST --data-binary "$first5" "$U/v1/documents")" = 409
    "$BIN" index query -q --db "$HDB" --answer align "$NEWS" > "$WORK/cli.align" 2> /dev/null || true
    # the answers over HTTP are the CLI's lines
    http_answers() {
        curl -s -X POST --data-binary @"$NEWS" "$U/v1/query?answer=align" |
            python3 -c 'import json,sys; [print(json.dumps(a, separators=(", ", ": "), ensure_ascii=False)) for r in json.load(sys.stdin)["results"] for a in r["answers"]]' > "$WORK/http.align"
        python3 -c 'import json,sys; [print(json.dumps(json.loads(l), separators=(", ", ": "), ensure_ascii=False)) for l in open(sys.argv[1])]' "$WORK/cli.align" > "$WORK/cli.norm"
        cmp -s "$WORK/http.align" "$WORK/cli.norm" && [ -s "$WORK/http.align" ]
    }
    check "POST /v1/query answers what index query does" http_answers
    check "check then add (?query=1): answered, then added" sh -c "curl -s -X POST --data-binary '$(echo "$one" | sed "s/'/'\\\\''/g")' '$U/v1/documents?query=1' | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"results\"][0]; sys.exit(0 if r[\"status\"]==\"added\" and \"answers\" in r else 1)'"
    printf '{"id": "z", "text": "ok words"}\n{"id": ' > "$WORK/malformed"
    check "malformed JSON: 400" test "$(code -X POST --data-binary @"$WORK/malformed" "$U/v1/documents")" = 400
    check "  naming the line" grep -q 'line 2' "$WORK/body"
    check "  and nothing of that body added" test "$(code "$U/v1/documents/z")" = 404
    check "a text that is not a string: 400" test "$(code -X POST --data-binary '{"id": "q", "text": 5}' "$U/v1/documents")" = 400
    check "a missing id: 400" test "$(code -X POST --data-binary '{"text": "words"}' "$U/v1/documents")" = 400
    head -c 70000 /dev/zero | tr '\0' 'a' > "$WORK/huge"
    check "a body over --max-body: 413" test "$(code -X POST --data-binary @"$WORK/huge" "$U/v1/documents")" = 413
    check "GET /v1/documents/ID: 200 with its text" sh -c "test \"\$(curl -s -o '$WORK/body' -w '%{http_code}' '$U/v1/documents/$first_id')\" = 200 && grep -q 'text' '$WORK/body'"
    check "DELETE /v1/documents/ID: 200, then 404" sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' -X DELETE '$U/v1/documents/$first_id')\" = 200 && test \"\$(curl -s -o /dev/null -w '%{http_code}' -X DELETE '$U/v1/documents/$first_id')\" = 404"
    check "an unknown path: 404; a wrong method: 405" sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' '$U/v2/x')\" = 404 && test \"\$(curl -s -o /dev/null -w '%{http_code}' -X PUT '$U/v1/stats')\" = 405"
    # clients that stop half-way do not hold the server or add anything
    python3 - "$port" <<'PY' &
import socket, sys, time
port = int(sys.argv[1])
socks = []
for _ in range(20):  # a body announced and never sent, and headers never finished
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"POST /v1/documents HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\": \"half\""); socks.append(s)
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"GET /v1/hea"); socks.append(s)
time.sleep(1.5)
for s in socks: s.close()
PY
    HALF=$!
    sleep 0.3
    check "slow and broken clients: the server still answers" test "$(code --max-time 5 "$U/v1/health")" = 200
    wait $HALF
    check "  and the half-sent document was not added" test "$(code "$U/v1/documents/half")" = 404
    load() { # 10,000 requests from 8 clients: adds, queries, gets, deletes at once
        python3 - "$port" "$NEWS" <<'PY'
import http.client, json, sys, threading
port, news = int(sys.argv[1]), [json.loads(l) for l in open(sys.argv[2])]
errors, done, lock = [], [0], threading.Lock()
def client(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(1250):
        d = dict(news[(k * 1250 + i) % len(news)]); d["id"] = f"load-{k}-{i}"
        op = i % 4
        if op == 0: c.request("POST", "/v1/documents", json.dumps(d)); want = (201,)
        elif op == 1: c.request("POST", "/v1/query?answer=align", json.dumps(d)); want = (200,)
        elif op == 2: c.request("GET", f"/v1/documents/load-{k}-{i - 2}"); want = (200,)
        else: c.request("DELETE", f"/v1/documents/load-{k}-{i - 3}"); want = (200,)
        r = c.getresponse(); body = r.read()
        if r.status not in want:
            with lock: errors.append((op, r.status, body[:200]))
        with lock: done[0] += 1
ts = [threading.Thread(target=client, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(f"# load: {done[0]} requests, {len(errors)} errors {errors[:3]}")
sys.exit(0 if done[0] == 10000 and not errors else 1)
PY
    }
    check "load: 10,000 requests from 8 clients, 0 errors" load
    check "stats after the load: every add and delete accounted" sh -c "curl -s '$U/v1/stats' | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if s[\"added\"]-s[\"deleted\"]==s[\"documents\"] else 1)'"
    kill -TERM $SERVER
    wait $SERVER
    check "SIGTERM stops the server cleanly (exit 0)" test $? = 0
    # overload: one request in flight at most; the others are told 503
    "$BIN" serve --db "$HDB" --listen 127.0.0.1:0 --max-inflight 1 --threads 4 2> "$WORK/serve3.err" &
    SERVER=$!
    for _ in $(seq 1 50); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/serve3.err"); [ -n "$port" ] && break; sleep 0.1
    done
    overload() {
        python3 - "$port" "$NEWS" <<'PY'
import http.client, json, sys, threading
port, news = int(sys.argv[1]), open(sys.argv[2]).read()
codes, lock = {}, threading.Lock()
def client():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(40):
        c.request("POST", "/v1/query?answer=align", news.encode()); r = c.getresponse(); body = r.read()
        if r.status == 503: assert json.loads(body)["status"] == 503
        with lock: codes[r.status] = codes.get(r.status, 0) + 1
ts = [threading.Thread(target=client) for _ in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(f"# overload: {codes}")
sys.exit(0 if set(codes) <= {200, 503} and codes.get(503) and codes.get(200) else 1)
PY
    }
    check "more requests than --max-inflight: 503 for the excess, 200 for the rest" overload
    kill -TERM $SERVER; wait $SERVER
    printf 'a-secret-token-of-32-characters!\n' > "$WORK/token"
    check "listening off loopback without a token is refused" sh -c "! '$BIN' serve --db '$HDB' --listen 0.0.0.0:0 2>&1 | grep -q serving"
    "$BIN" serve --db "$HDB" --listen 127.0.0.1:0 --token-file "$WORK/token" 2> "$WORK/serve2.err" &
    SERVER=$!
    for _ in $(seq 1 50); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$WORK/serve2.err"); [ -n "$port" ] && break; sleep 0.1
    done
    check "with --token-file: 401 without the token" test "$(code "http://127.0.0.1:$port/v1/stats")" = 401
    check "  200 with it" test "$(code -H "Authorization: Bearer $(cat "$WORK/token")" "http://127.0.0.1:$port/v1/stats")" = 200
    kill -TERM $SERVER; wait $SERVER
else
    echo "skip - curl not installed"
fi

checks_done
