#!/usr/bin/env bash
# e2e.sh — end-to-end tests of the reprint program on the sample corpus, on
# ../shared/seeds when it is present, and on bad input.
# usage: e2e.sh REPRINT_BINARY REPO_ROOT WORK_DIR
set -u
BIN=$1 ROOT=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

EX=$ROOT/examples/news.jsonl

# --- sample corpus: dedup removes the copies, keeps the rest in order, byte for byte
"$BIN" dedup -q "$EX" --clusters "$WORK/clusters.jsonl" > "$WORK/kept.jsonl"; rc=$?
check "dedup on the sample corpus exits 0" test $rc -eq 0
check "dedup keeps the expected documents in input order" python3 - "$WORK/kept.jsonl" <<'PY'
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
sys.exit(ids != ["wire-keldan", "review-feature", "baytimes-rewrite", "skarholm-reopens",
                 "kitchen-soup", "rovers-dalby", "battery-plant"])
PY
check "kept lines are input lines, byte for byte" python3 - "$EX" "$WORK/kept.jsonl" <<'PY'
import sys
src = open(sys.argv[1], 'rb').read().splitlines(keepends=True)
out = open(sys.argv[2], 'rb').read().splitlines(keepends=True)
it = iter(src)
sys.exit(not all(any(l == s for s in it) for l in out))
PY
check "clusters file names the wire story and its three copies" python3 - "$WORK/clusters.jsonl" <<'PY'
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (len(c) == 1 and c[0]["cluster"] == 1 and c[0]["representative"] == "wire-keldan"
         and c[0]["members"] == ["wire-keldan", "gazette-reprint", "northshore-wrapped", "islands-edited"]))
PY
"$BIN" dedup "$EX" --stats "$WORK/stats.json" > /dev/null 2> "$WORK/summary.txt"
check "summary accounts for every document" grep -q "read 10 documents: kept 7, removed 3 as duplicates (1 exact), rejected 0" "$WORK/summary.txt"
check "stats JSON accounts for every document" python3 - "$WORK/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(not (s["read"] == 10 == s["kept"] + s["removed"] + s["rejected"] and s["removed"] == 3))
PY
"$BIN" dedup --human -q "$EX" > "$WORK/human.txt"
check "human view shows the cluster" grep -q "removed  northshore-wrapped" "$WORK/human.txt"

# --- the same corpus through stdin, gzip and zstd gives the same output
"$BIN" dedup -q - < "$EX" > "$WORK/stdin.jsonl"
check "stdin gives the same corpus" cmp -s "$WORK/kept.jsonl" "$WORK/stdin.jsonl"
gzip -c "$EX" > "$WORK/news.jsonl.gz"; zstd -q -c "$EX" > "$WORK/news.jsonl.zst"
"$BIN" dedup -q "$WORK/news.jsonl.gz" > "$WORK/gz.jsonl"
check ".gz gives the same corpus" cmp -s "$WORK/kept.jsonl" "$WORK/gz.jsonl"
"$BIN" dedup -q "$WORK/news.jsonl.zst" > "$WORK/zst.jsonl"
check ".zst gives the same corpus" cmp -s "$WORK/kept.jsonl" "$WORK/zst.jsonl"
"$BIN" dedup -q - < "$WORK/news.jsonl.zst" > "$WORK/zstdin.jsonl"
check "compressed stdin gives the same corpus" cmp -s "$WORK/kept.jsonl" "$WORK/zstdin.jsonl"

"$BIN" pairs -q --json -t 0.5 "$EX" > "$WORK/pairs.jsonl"
check "pairs lists copies with scores" python3 - "$WORK/pairs.jsonl" <<'PY'
import json, sys
p = {(d["a"], d["b"]): d for d in map(json.loads, open(sys.argv[1]))}
e = p[("wire-keldan", "gazette-reprint")]
w = p[("wire-keldan", "northshore-wrapped")]
sys.exit(not (e["jaccard"] == 1.0 and w["containment_a"] == 1.0 and w["jaccard"] < 1.0
              and all(d["containment_a"] >= 0.5 or d["containment_b"] >= 0.5 for d in p.values())
              and not any("kitchen-soup" in k for k in p)))
PY

# --- the seeds, when present
SEEDS=$ROOT/../shared/seeds
if [ -d "$SEEDS" ]; then
    "$BIN" dedup -q --json "$SEEDS" > "$WORK/seeds-kept.jsonl"
    check "dedup keeps all five seeds" test "$(wc -l < "$WORK/seeds-kept.jsonl")" -eq 5
    "$BIN" pairs -q --json -t 0.1 "$SEEDS" > "$WORK/seed-pairs.jsonl"
    check "pairs --threshold 0.1 lists 000-001, 000-004, 001-004" python3 - "$WORK/seed-pairs.jsonl" <<'PY'
import json, sys
p = sorted((d["a"][:3], d["b"][:3]) for d in map(json.loads, open(sys.argv[1])))
sys.exit(p != [("000", "001"), ("000", "004"), ("001", "004")])
PY
    # copies that differ in quote style, whitespace, or a header and footer
    mkdir -p "$WORK/seedcopies"
    cp "$SEEDS"/*.txt "$WORK/seedcopies/"
    for f in "$SEEDS"/*.txt; do
        b=$(basename "$f" .txt)
        sed -e "s/[\"“”]/'/g" -e 's/’/'"'"'/g' -e 's/  */   /g' "$f" > "$WORK/seedcopies/${b}_quotes.txt"
        { echo "<div class=\"masthead\">The Evening Courier — Home | World | Politics | Subscribe</div>";
          echo; cat "$f"; echo;
          echo "Copyright 2026 The Evening Courier. Share this article. Sign up for our newsletter."; } > "$WORK/seedcopies/${b}_wrapped.txt"
    done
    "$BIN" dedup -q "$WORK/seedcopies" > "$WORK/copies-kept.jsonl"
    check "dedup removes quote-style and wrapped copies of the seeds" python3 - "$WORK/copies-kept.jsonl" <<'PY'
import json, sys
ids = sorted(json.loads(l)["id"] for l in open(sys.argv[1]))
sys.exit(len(ids) != 5 or any("_" in i.split("_", 1)[1] for i in ids))
PY
else
    echo "skip - ../shared/seeds not present"
fi

# --- bad input: named, exit codes, --skip-bad accounting
printf '{"id": 1, "text": "good words in a line"}\n{"id": 2, "text": "broken\n{"id": 3, "text": "other words"}\n' > "$WORK/broken.jsonl"
"$BIN" dedup -q "$WORK/broken.jsonl" > "$WORK/out.jsonl" 2> "$WORK/err.txt"; rc=$?
check "malformed JSON stops the run with exit 1" test $rc -eq 1
check "the error names file and line" grep -q "broken.jsonl:2: invalid JSON" "$WORK/err.txt"
"$BIN" dedup --skip-bad "$WORK/broken.jsonl" > "$WORK/out.jsonl" 2> "$WORK/err.txt"; rc=$?
check "--skip-bad goes on with exit 0" test $rc -eq 0
check "--skip-bad counts the rejection" grep -q "read 3 documents: kept 2, removed 0 as duplicates (0 exact), rejected 1 (invalid-json: 1)" "$WORK/err.txt"
check "--skip-bad output keeps the good lines" test "$(wc -l < "$WORK/out.jsonl")" -eq 2
"$BIN" dedup -q "$WORK/nope.jsonl" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "a missing file exits 3 and is named" bash -c "test $rc -eq 3 && grep -q 'nope.jsonl: cannot open' '$WORK/err.txt'"
"$BIN" dedup --threshold 2 "$EX" > /dev/null 2>&1; rc=$?
check "a bad option value exits 2" test $rc -eq 2
head -c 300 "$WORK/news.jsonl.gz" > "$WORK/cut.jsonl.gz"
"$BIN" dedup -q "$WORK/cut.jsonl.gz" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "a truncated .gz exits 1 and is named" bash -c "test $rc -eq 1 && grep -q 'cut.jsonl.gz: gzip data ends early' '$WORK/err.txt'"
"$BIN" dedup -q -o "$WORK/never.jsonl" "$WORK/broken.jsonl" 2> /dev/null
check "a failed run leaves no output file" test ! -e "$WORK/never.jsonl"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
