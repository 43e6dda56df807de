#!/usr/bin/env bash
# e2e.sh — end-to-end tests of the reprint program on the sample corpus, on
# ../shared/seeds when it is present, and on bad input.
# usage: e2e.sh REPRINT_BINARY REPO_ROOT WORK_DIR
set -u
BIN=$1 ROOT=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
. "$(dirname "$0")/checks.sh"

EX=$ROOT/examples/news.jsonl

# --- sample corpus: dedup removes the copies, keeps the rest in order, byte for byte
"$BIN" dedup -q "$EX" --clusters "$WORK/clusters.jsonl" > "$WORK/kept.jsonl"; rc=$?
check "dedup on the sample corpus exits 0" test $rc -eq 0
check "dedup keeps the expected documents in input order" python3 - "$WORK/kept.jsonl" <<'PY'
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
sys.exit(ids != ["wire-keldan", "review-feature", "baytimes-rewrite", "skarholm-reopens",
                 "kitchen-soup", "rovers-dalby", "battery-plant", "bay-ferry-storm",
                 "varnby-keeper-museum", "bay-council-harbour"])
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
check "summary accounts for every document" grep -q "read 13 documents: kept 10, removed 3 as duplicates (1 exact), rejected 0" "$WORK/summary.txt"
check "stats JSON accounts for every document" python3 - "$WORK/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(not (s["read"] == 13 == s["kept"] + s["removed"] + s["rejected"] and s["removed"] == 3))
PY
check "stats JSON times every dedup stage" python3 - "$WORK/stats.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["seconds"]
sys.exit(not (sorted(t) == ["align", "candidates", "collect", "first_pass", "verify", "write"]
              and all(0 <= v < 60 for v in t.values()) and t["first_pass"] > 0))
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
# a zstd skippable frame first (zstd -dc reads past it), then two frames
{ printf '\x5a\x2a\x4d\x18\x04\x00\x00\x00meta'; head -n 4 "$EX" | zstd -q -c; tail -n +5 "$EX" | zstd -q -c; } > "$WORK/skippable.jsonl.zst"
"$BIN" dedup -q "$WORK/skippable.jsonl.zst" > "$WORK/skippable.jsonl"
check "a .zst led by a skippable frame gives the same corpus" cmp -s "$WORK/kept.jsonl" "$WORK/skippable.jsonl"

# --- command-line habits: --opt=value, help COMMAND, COMMAND --version, counts in words
"$BIN" dedup -q --threshold=0.8 "$EX" > "$WORK/eq.jsonl"; "$BIN" dedup -q --threshold 0.8 "$EX" > "$WORK/sp.jsonl"
check "--threshold=0.8 is --threshold 0.8" cmp -s "$WORK/eq.jsonl" "$WORK/sp.jsonl"
"$BIN" dedup -q --json=yes "$EX" > /dev/null 2>&1; rc=$?
check "a flag given a value is exit 2" test $rc -eq 2
check "reprint help dedup shows dedup's options" bash -c "'$BIN' help dedup | grep -q -- '--threshold'"
check "reprint dedup --version prints the version" bash -c "'$BIN' dedup --version | grep -q '^reprint [0-9]'"
head -n 1 "$EX" > "$WORK/one.jsonl"
"$BIN" dedup "$WORK/one.jsonl" > /dev/null 2> "$WORK/one-err.txt"
check "one document, one cluster: in the singular" bash -c "grep -q 'read 1 document:' '$WORK/one-err.txt' && grep -q '; 0 clusters' '$WORK/one-err.txt'"

# --- a directory with a link loop, a second way to a directory, a broken
# link and a FIFO: each document read once, every skipped entry named
mkdir -p "$WORK/loopdir/sub"; cp "$EX" "$WORK/loopdir/"
ln -sfn . "$WORK/loopdir/loop"; ln -sfn ../sub "$WORK/loopdir/sub/again"; ln -sfn nowhere "$WORK/loopdir/broken"
rm -f "$WORK/loopdir/pipe"; mkfifo "$WORK/loopdir/pipe"
timeout 60 "$BIN" dedup "$WORK/loopdir" > "$WORK/loop-kept.jsonl" 2> "$WORK/loop-err.txt"; rc=$?
check "a directory with a link loop and a FIFO is read once, exit 0" bash -c "test $rc -eq 0 && cmp -s '$WORK/kept.jsonl' '$WORK/loop-kept.jsonl'"
check "the walk names what it skipped" bash -c "grep -q 'loop: a directory already walked' '$WORK/loop-err.txt' && grep -q 'broken: a broken link' '$WORK/loop-err.txt' && grep -q 'pipe: not a regular file' '$WORK/loop-err.txt' && grep -q '4 directory entries not read' '$WORK/loop-err.txt'"

# --- messages of their real cause; every output path reports a write error
"$BIN" dedup -q --tmp-dir "$WORK/no-such-dir" "$EX" > /dev/null 2> "$WORK/tmp-err.txt"; rc=$?
check "a missing --tmp-dir is named, exit 3 (not 'out of memory')" bash -c "test $rc -eq 3 && grep -q 'cannot create a temporary file in .*no-such-dir' '$WORK/tmp-err.txt' && ! grep -q 'out of memory' '$WORK/tmp-err.txt'"
"$BIN" align -q --tmp-dir "$WORK/no-such-dir" "$EX" > /dev/null 2> "$WORK/tmp-err2.txt"; rc=$?
check "align with a missing --tmp-dir: the same" bash -c "test $rc -eq 3 && grep -q 'cannot create a temporary file' '$WORK/tmp-err2.txt'"
if [ -w /dev/full ]; then
    for cmd in dedup pairs align stories; do
        "$BIN" $cmd -q --human "$EX" > /dev/full 2>/dev/null; rc=$?
        check "$cmd's readable view to a full disk is exit 3" test $rc -eq 3
    done
fi
"$BIN" dedup -q - - < "$EX" > /dev/null 2> "$WORK/twice.txt"; rc=$?
check "stdin given twice is a usage error" bash -c "test $rc -eq 2 && grep -q 'given 2 times' '$WORK/twice.txt'"

# --- a named pipe and a process substitution are read once and kept for
# the later passes, like stdin (a pipe's later pass hung, or read nothing)
rm -f "$WORK/fifo"; mkfifo "$WORK/fifo"
(cat "$EX" > "$WORK/fifo" &)
timeout 60 "$BIN" dedup -q --format jsonl "$WORK/fifo" > "$WORK/fifo-kept.jsonl"; rc=$?
check "a named pipe gives the same corpus, exit 0" bash -c "test $rc -eq 0 && cmp -s '$WORK/kept.jsonl' '$WORK/fifo-kept.jsonl'"
timeout 60 bash -c "'$BIN' dedup -q <(cat '$EX') > '$WORK/procsub.jsonl'"; rc=$?
check "a process substitution gives the same corpus, exit 0" bash -c "test $rc -eq 0 && cmp -s '$WORK/kept.jsonl' '$WORK/procsub.jsonl'"

# --- a compressed bomb is not inflated past --max-doc-bytes
yes "word " | head -c 50000000 | gzip -1 > "$WORK/bomb.txt.gz"
"$BIN" dedup -q --max-doc-bytes 1M "$WORK/bomb.txt.gz" > /dev/null 2> "$WORK/bomb-err.txt"; rc=$?
check "a 50 MB text in a .gz stops at --max-doc-bytes 1M, exit 1" bash -c "test $rc -eq 1 && grep -q 'more than 1048576 bytes (decompressed; not read further)' '$WORK/bomb-err.txt'"
{ printf '{"id": "bomb", "text": "'; yes "word " | head -c 50000000 | tr -d '\n'; printf '"}\n'; cat "$EX"; } | gzip -1 > "$WORK/bomb.jsonl.gz"
"$BIN" dedup -q --max-doc-bytes 1M "$WORK/bomb.jsonl.gz" > /dev/null 2> "$WORK/bomb-err2.txt"; rc=$?
check "a 50 MB JSONL line in a .gz stops the run at the limit" bash -c "test $rc -eq 1 && grep -q 'bomb.jsonl.gz:1: document of more than 1048576 bytes' '$WORK/bomb-err2.txt'"
"$BIN" dedup --skip-bad --max-doc-bytes 1M "$WORK/bomb.jsonl.gz" > "$WORK/bomb-kept.jsonl" 2> "$WORK/bomb-err3.txt"; rc=$?
check "with --skip-bad it is rejected and the rest read" bash -c "test $rc -eq 0 && cmp -s '$WORK/kept.jsonl' '$WORK/bomb-kept.jsonl' && grep -q 'read 14 documents: kept 10, removed 3 as duplicates (1 exact), rejected 1 (too-large: 1)' '$WORK/bomb-err3.txt'"

# --- an interrupted run leaves nothing: its output held by a pipe nobody
# reads, the clusters written but not committed, the spool of a compressed
# input in --tmp-dir; then SIGINT
GEN="$(dirname "$BIN")/gen_corpus"
if [ -x "$GEN" ]; then
    "$GEN" 8000000 "$WORK/int.jsonl" "$WORK/int.tsv" 2>/dev/null; gzip -1 -f "$WORK/int.jsonl"
    rm -rf "$WORK/itmp" "$WORK/int-out" "$WORK"/int-clusters*; mkdir -p "$WORK/itmp"; mkfifo "$WORK/int-out"
    "$BIN" dedup -q --tmp-dir "$WORK/itmp" --clusters "$WORK/int-clusters.jsonl" "$WORK/int.jsonl.gz" > "$WORK/int-out" &
    pid=$!
    exec 3< "$WORK/int-out"  # opened, never read: the run blocks writing the corpus
    for _ in $(seq 100); do ls "$WORK"/int-clusters.jsonl.tmp-* > /dev/null 2>&1 && break; sleep 0.1; done
    check "while it runs, --tmp-dir holds no named file (spools are unlinked at creation)" test -z "$(ls -A "$WORK/itmp")"
    check "while it runs, the clusters are under a temporary name" bash -c "ls '$WORK'/int-clusters.jsonl.tmp-* > /dev/null 2>&1 && test ! -e '$WORK/int-clusters.jsonl'"
    kill -INT $pid; wait $pid; rc=$?; exec 3<&-
    check "SIGINT ends the run by the signal" test $rc -eq 130
    check "and leaves no temporary output nor clusters" bash -c "! ls '$WORK'/int-clusters* > /dev/null 2>&1 && test -z \"\$(ls -A '$WORK/itmp')\""
fi

# --- ids are written as they were read, numbers too; a null id is the line number
printf '%s\n' '{"id": -0, "text": "alpha one two three four five six seven"}' \
    '{"id": 1e5, "text": "alpha one two three four five six seven"}' \
    '{"id": 1e400, "text": "alpha one two three four five six seven"}' \
    '{"id": 12345678901234567890, "text": "alpha one two three four five six seven"}' \
    '{"id": 1.50, "text": "alpha one two three four five six seven"}' \
    '{"id": null, "text": "alpha one two three four five six seven"}' > "$WORK/ids.jsonl"
"$BIN" dedup -q --clusters "$WORK/ids-clusters.jsonl" "$WORK/ids.jsonl" > /dev/null; rc=$?
check "numeric ids are written as read, big ones accepted, a null id is the line" bash -c "test $rc -eq 0 && grep -qF '{\"cluster\": 1, \"representative\": -0, \"members\": [-0, 1e5, 1e400, 12345678901234567890, 1.50, 6]}' '$WORK/ids-clusters.jsonl'"

# --- a JSON error says what the bytes look like when they look like another encoding
iconv -f UTF-8 -t UTF-16 < "$EX" > "$WORK/utf16.jsonl" 2>/dev/null
"$BIN" dedup -q "$WORK/utf16.jsonl" > /dev/null 2> "$WORK/u16-err.txt"
check "UTF-16 input is named as such" grep -q "looks like UTF-16" "$WORK/u16-err.txt"
{ head -n 3 "$EX"; printf '\357\273\277'; tail -n +4 "$EX"; } > "$WORK/bom-mid.jsonl"
"$BIN" dedup -q "$WORK/bom-mid.jsonl" > /dev/null 2> "$WORK/bom-mid-err.txt"
check "a byte order mark inside a file is named as such" grep -q "bom-mid.jsonl:4: .*a byte order mark inside the file" "$WORK/bom-mid-err.txt"

# --- JSONL is known by its first line, whatever the file's name
cp "$EX" "$WORK/corpus.txt"; cp "$EX" "$WORK/data"
"$BIN" dedup -q "$WORK/corpus.txt" > "$WORK/sniff-txt.jsonl"
check "JSONL in a file named .txt is read as JSONL" cmp -s "$WORK/kept.jsonl" "$WORK/sniff-txt.jsonl"
"$BIN" dedup -q "$WORK/data" > "$WORK/sniff-data.jsonl"
check "JSONL in a file without an extension is read as JSONL" cmp -s "$WORK/kept.jsonl" "$WORK/sniff-data.jsonl"
"$BIN" dedup -q --format text "$WORK/corpus.txt" > "$WORK/forced-text.jsonl"
check "--format text reads it as one document" test "$(wc -l < "$WORK/forced-text.jsonl")" -eq 1
printf '{ a text that opens with a brace\nand is no JSON\n' > "$WORK/brace.txt"
"$BIN" dedup -q "$WORK/brace.txt" > "$WORK/brace.jsonl"; rc=$?
check "a text file that opens with a brace stays one text document" bash -c "test $rc -eq 0 && test \$(wc -l < '$WORK/brace.jsonl') -eq 1"

# --- a file that starts with a byte order mark: its first line read again
# by offset (its near-copy needs its words) is still line 1, mark and all
{ printf '\357\273\277'; head -n 3 "$EX"; sed -n 1p "$EX" | sed 's/"id": "wire-keldan"/"id": "near"/; s/"text": "Storm/"text": "Update: Storm/'; } > "$WORK/bom.jsonl"
"$BIN" pairs -q --json "$WORK/bom.jsonl" > "$WORK/bom-pairs.jsonl"; rc=$?
check "a byte order mark does not stop a later pass" test $rc -eq 0
check "the BOM-led first line pairs with its near-copy" grep -q '"b": "near"' "$WORK/bom-pairs.jsonl"

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

# a text inside another twice, four and eight times its length (50 of each,
# words drawn at random): pairs --size-ratio 2 finds it inside one twice
# its length every time and nearly always inside one four times; tuned for
# one size (the default), more than a tenth of the first are missed
python3 - "$WORK/inside.jsonl" <<'PY'
import json, random, sys
random.seed(5)
vocab = [f"w{i}" for i in range(20000)]
with open(sys.argv[1], "w") as out:
    for k in range(50):
        small = [random.choice(vocab) for _ in range(100)]
        out.write(json.dumps({"id": f"s{k}", "text": " ".join(small)}) + "\n")
        for ratio in (2, 4, 8):
            extra = [random.choice(vocab) for _ in range(100 * (ratio - 1))]
            big = extra[:len(extra) // 2] + small + extra[len(extra) // 2:]
            out.write(json.dumps({"id": f"s{k}-in{ratio}", "text": " ".join(big)}) + "\n")
PY
inside() { # FILE: how many of each ratio were found, as 2:N 4:N 8:N
    python3 - "$1" <<'PY'
import json, sys
found = {"2": 0, "4": 0, "8": 0}
for d in map(json.loads, open(sys.argv[1])):
    if d["b"].startswith(d["a"] + "-in") and d["containment_a"] == 1.0:
        found[d["b"].split("-in")[1]] += 1
print(" ".join(f"{k}:{v}" for k, v in found.items()))
PY
}
"$BIN" pairs -q --json --size-ratio 2 "$WORK/inside.jsonl" > "$WORK/inside-2.jsonl"
"$BIN" pairs -q --json "$WORK/inside.jsonl" > "$WORK/inside-1.jsonl"
found2=$(inside "$WORK/inside-2.jsonl") found1=$(inside "$WORK/inside-1.jsonl")
echo "# found with --size-ratio 2: $found2; tuned for one size: $found1"
check "pairs --size-ratio 2 finds a text inside one twice its length 50 times in 50, inside one four times 45 or more" \
    python3 -c "import sys; f = dict(x.split(':') for x in sys.argv[1].split()); sys.exit(not (int(f['2']) == 50 and int(f['4']) >= 45))" "$found2"
check "tuned for one size, it misses some inside one twice its length" \
    python3 -c "import sys; f = dict(x.split(':') for x in sys.argv[1].split()); sys.exit(not int(f['2']) < 50)" "$found1"

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
# --- align: the passages the sample corpus shares, with offsets a Python str agrees with
"$BIN" align -q --stats "$WORK/align-stats.json" "$EX" > "$WORK/align.jsonl"; rc=$?
check "align on the sample corpus exits 0" test $rc -eq 0
check "stats JSON times every align stage" python3 - "$WORK/align-stats.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["seconds"]
sys.exit(not (all(t[k] > 0 for k in ("first_pass", "candidates", "collect", "align"))
              and t["verify"] == t["write"] == 0))
PY
check "align reports the expected pairs, relations and sources" python3 - "$EX" "$WORK/align.jsonl" <<'PY'
import json, sys
docs = {d["id"]: d for d in map(json.loads, open(sys.argv[1]))}
p = {(d["a"], d["b"]): d for d in map(json.loads, open(sys.argv[2]))}
copies = ["wire-keldan", "gazette-reprint", "northshore-wrapped", "islands-edited"]
want = {(a, b) for i, a in enumerate(copies) for b in copies[i + 1:]}
want |= {(c, "review-feature") if c != "islands-edited" else ("review-feature", c) for c in copies}
assert set(p) == want, sorted(set(p) ^ want)
assert p[("wire-keldan", "gazette-reprint")]["relation"] == "exact"
w = p[("wire-keldan", "northshore-wrapped")]
assert w["relation"] == "near_duplicate" and w["source"] == "wire-keldan" and w["coverage_a"] == 1
r = p[("wire-keldan", "review-feature")]
assert r["relation"] == "partially_derived" and r["source"] == "wire-keldan"
# its first two quotes are one passage across the wire's sentence it dropped
assert r["source_evidence"] == "date" and len(r["passages"]) == 2
assert r["passages"][0]["words"] == 110 and r["passages"][0]["identity"] < 0.8
for (a, b), d in p.items():
    for ps in d["passages"]:
        ta = docs[a]["text"][ps["a"][0]:ps["a"][1]]
        tb = docs[b]["text"][ps["b"][0]:ps["b"][1]]
        assert ps["words"] >= 10 and 0.6 <= ps["identity"] <= 1, ps
        # offsets index the original texts: a passage begins and ends on a word
        assert ta[0].isalnum() and ta[-1].isalnum() and tb[0].isalnum() and tb[-1].isalnum(), (ta, tb)
        if ps["identity"] == 1:
            norm = lambda t: " ".join(t.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "-").split())
            assert norm(ta).lower() == norm(tb).lower(), (ta, tb)
PY
"$BIN" align --human -q "$EX" > "$WORK/align.txt"
check "align's readable view shows passages side by side" grep -q "passage: 110 words, identity 0.78" "$WORK/align.txt"
for c in dedup pairs align stories; do
    "$BIN" "$c" --human "$EX" > "$WORK/view-$c.txt" 2> "$WORK/view-$c-err.txt"
done
check "one accounting per run: on stderr, once, and not again in the readable views" \
    bash -c 'for c in dedup pairs align stories; do
                 [ "$(grep -c "^reprint $c: read 13 documents" "$0/view-$c-err.txt")" = 1 ] || exit 1
                 ! grep -q "13 documents\|^reprint $c:" "$0/view-$c.txt" || exit 1
             done' "$WORK"
check "align's readable view marks words that differ" grep -q "\[" "$WORK/align.txt"
python3 - "$EX" "$WORK" <<'PY'
import json, sys
docs = {d["id"]: d for d in map(json.loads, open(sys.argv[1]))}
open(sys.argv[2] + "/a.txt", "w").write(docs["wire-keldan"]["text"])
open(sys.argv[2] + "/b.txt", "w").write(docs["review-feature"]["text"])
PY
"$BIN" align --human "$WORK/a.txt" "$WORK/b.txt" > "$WORK/two.txt" 2> "$WORK/two-err.txt"
check "align A B on two files shows their two passages" test "$(grep -c '^  [a-z]* passage:' "$WORK/two.txt")" -eq 2
check "align summary accounts for the documents" bash -c "grep -q 'read 2 documents: compared 2, rejected 0; 1 pair shares 2 passages' '$WORK/two-err.txt' && grep -q '1 pair shares 2 passages' '$WORK/two-err.txt'"
"$BIN" align -q --json - < "$EX" > "$WORK/align-stdin.jsonl"
check "align reads stdin the same" cmp -s "$WORK/align.jsonl" "$WORK/align-stdin.jsonl"
timeout 60 bash -c "'$BIN' align -q <(cat '$EX') > '$WORK/procsub-align.jsonl'"; rc=$?
check "align reads a process substitution as a file" bash -c "test $rc -eq 0 && cmp -s '$WORK/align.jsonl' '$WORK/procsub-align.jsonl'"
"$BIN" align -q --min-words 50 "$EX" > "$WORK/align50.jsonl"
check "--min-words 50 drops the shorter passages" python3 - "$WORK/align50.jsonl" <<'PY'
import json, sys
p = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (p and all(ps["words"] >= 50 for d in p for ps in d["passages"])
              and not any(d["b"] == "review-feature" for d in p)))
PY
"$BIN" align -q --min-words 1 "$EX" > /dev/null 2>&1; rc=$?
check "align rejects --min-words 1 with exit 2" test $rc -eq 2

# --- align --groups: one line per reused passage, offsets a Python str agrees with
"$BIN" align -q --groups "$EX" > "$WORK/groups.jsonl"; rc=$?
check "align --groups on the sample corpus exits 0" test $rc -eq 0
check "align --groups: the wire story's group, its members' spans, the likely first" python3 - "$EX" "$WORK/groups.jsonl" "$WORK/align.jsonl" <<'PY'
import json, sys
docs = {d["id"]: d["text"] for d in map(json.loads, open(sys.argv[1]))}
groups = [json.loads(l) for l in open(sys.argv[2])]
pairs = [json.loads(l) for l in open(sys.argv[3])]
assert [g["group"] for g in groups] == list(range(len(groups)))
g = groups[0]
ids = [m["id"] for m in g["members"]]
assert ids[0] == "wire-keldan" and {"gazette-reprint", "northshore-wrapped", "islands-edited"} <= set(ids), ids
assert g["earliest"] == "wire-keldan", g
assert g["documents"] == len(set(ids))
# every member's span is a stretch of its text one of align's passages covers
for m in g["members"]:
    s, e = m["span"]
    assert 0 <= s < e <= len(docs[m["id"]])
    sides = [(p["a"] if al["a"] == m["id"] else p["b"]) for al in pairs for p in al["passages"] if m["id"] in (al["a"], al["b"])]
    assert any(a < e and s < b for a, b in sides), (m, sides)
# every document align pairs with the wire story is in its group
partners = {al["b"] for al in pairs if al["a"] == "wire-keldan"} | {al["a"] for al in pairs if al["b"] == "wire-keldan"}
assert partners <= set(ids), (partners, ids)
PY
"$BIN" align --groups --human -q "$EX" > "$WORK/groups.txt"
check "align --groups --human: a group with its members and an excerpt" bash -c "grep -q 'group 1: 5 documents, likely first wire-keldan' '$WORK/groups.txt' && grep -q '^  \"Storm topples' '$WORK/groups.txt'"
"$BIN" align --groups "$ROOT/examples/news.jsonl" 2> "$WORK/groups-err.txt" > /dev/null
check "align --groups: the summary counts the groups" grep -q "^reprint align: 1 reuse group$" "$WORK/groups-err.txt"
"$BIN" align -q --max-partners 1 --stats "$WORK/cut-stats.json" "$EX" > "$WORK/cut.jsonl" 2> "$WORK/cut-err.txt"
check "align --max-partners 1: one partner a document, the rest counted" python3 - "$WORK/cut.jsonl" "$WORK/cut-stats.json" "$WORK/align.jsonl" <<'PY'
import json, sys, collections
cut = [json.loads(l) for l in open(sys.argv[1])]
stats = json.load(open(sys.argv[2]))
full = [json.loads(l) for l in open(sys.argv[3])]
per = collections.Counter(al["a"] for al in cut)
assert max(per.values()) == 1, per
assert stats["cut_pairs"] >= len(full) - len(cut) > 0, (stats["cut_pairs"], len(full), len(cut))
assert all(al in full for al in cut)
PY
"$BIN" align --max-partners 1 "$EX" 2> "$WORK/cut-err.txt" > /dev/null
check "align --max-partners: the cut is said, never silent" grep -q "candidate pairs\? not aligned: past a document's 1 later partners" "$WORK/cut-err.txt"

# --- align: a site's footer on its pages is furniture, not reuse
python3 - "$WORK/site.jsonl" <<'PY'
import json, random, sys
random.seed(7)
foot = "Copyright 2026 The Harbour Lantern Media Group. All rights reserved. Share this story and sign up for our weekly newsletter today."
with open(sys.argv[1], "w") as f:
    for k in range(4):
        body = " ".join("w%d" % random.randrange(100000) for _ in range(60))
        f.write(json.dumps({"id": k, "url": "https://www.lantern.example/%d" % k, "text": body + "\n\n" + foot}) + "\n")
    # a page of another site: one site alone tells nothing of what sites repeat
    body = " ".join("w%d" % random.randrange(100000) for _ in range(60))
    f.write(json.dumps({"id": 4, "url": "https://beacon.example/1", "text": body}) + "\n")
PY
"$BIN" align -q --json "$WORK/site.jsonl" > "$WORK/site-hide.jsonl"
check "align: pages sharing only their site's footer are not a pair" test ! -s "$WORK/site-hide.jsonl"
"$BIN" align -q --json --boilerplate show --stats "$WORK/site-stats.json" "$WORK/site.jsonl" > "$WORK/site-show.jsonl"
check "align --boilerplate show flags the footer in every pair" python3 - "$WORK/site-show.jsonl" "$WORK/site-stats.json" <<'PY'
import json, sys
p = [json.loads(l) for l in open(sys.argv[1])]
s = json.load(open(sys.argv[2]))
sys.exit(not (len(p) == 6 and all(ps.get("boilerplate") for d in p for ps in d["passages"])
              and all(d["coverage_a"] == 0 for d in p) and s["boilerplate_pairs"] == 6
              and s["boilerplate_fingerprints"] > 0))
PY
"$BIN" align -q --human --boilerplate show "$WORK/site.jsonl" > "$WORK/site-show.txt"
check "align's readable view marks boilerplate passages" grep -q "(boilerplate: not counted)" "$WORK/site-show.txt"
"$BIN" align -q --json --boilerplate off "$WORK/site.jsonl" > "$WORK/site-off.jsonl"
check "align --boilerplate off reports the footer as reuse" bash -c "test \$(wc -l < '$WORK/site-off.jsonl') -eq 6 && ! grep -q boilerplate '$WORK/site-off.jsonl'"
"$BIN" align -q --boilerplate maybe "$WORK/site.jsonl" > /dev/null 2>&1; rc=$?
check "align rejects --boilerplate maybe with exit 2" test $rc -eq 2

# --- bad input: named, exit codes, --skip-bad accounting
printf '{"id": 1, "text": "good words in a line"}\n{"id": 2, "text": "broken\n{"id": 3, "text": "other words"}\n' > "$WORK/broken.jsonl"
"$BIN" dedup -q "$WORK/broken.jsonl" > "$WORK/out.jsonl" 2> "$WORK/err.txt"; rc=$?
check "malformed JSON stops the run with exit 1" test $rc -eq 1
check "the error names file and line" grep -q "broken.jsonl:2: invalid JSON" "$WORK/err.txt"
"$BIN" dedup --skip-bad "$WORK/broken.jsonl" > "$WORK/out.jsonl" 2> "$WORK/err.txt"; rc=$?
check "--skip-bad goes on with exit 0" test $rc -eq 0
check "--skip-bad counts the rejection" grep -q "read 3 documents: kept 2, removed 0 as duplicates (0 exact), rejected 1 (invalid-json: 1)" "$WORK/err.txt"
check "--skip-bad output keeps the good lines" test "$(wc -l < "$WORK/out.jsonl")" -eq 2
"$BIN" align --skip-bad "$WORK/broken.jsonl" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "align --skip-bad counts the rejection" bash -c "test $rc -eq 0 && grep -q 'read 3 documents: compared 2, rejected 1 (invalid-json: 1)' '$WORK/err.txt'"
"$BIN" align -q "$WORK/broken.jsonl" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "align stops at bad input with exit 1, naming it" bash -c "test $rc -eq 1 && grep -q 'broken.jsonl:2: invalid JSON' '$WORK/err.txt'"
"$BIN" dedup -q "$WORK/nope.jsonl" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "a missing file exits 3 and is named" bash -c "test $rc -eq 3 && grep -q 'nope.jsonl: cannot open' '$WORK/err.txt'"
"$BIN" dedup --threshold 2 "$EX" > /dev/null 2>&1; rc=$?
check "a bad option value exits 2" test $rc -eq 2
head -c 300 "$WORK/news.jsonl.gz" > "$WORK/cut.jsonl.gz"
"$BIN" dedup -q "$WORK/cut.jsonl.gz" > /dev/null 2> "$WORK/err.txt"; rc=$?
check "a truncated .gz exits 1 and is named" bash -c "test $rc -eq 1 && grep -q 'cut.jsonl.gz: gzip data ends early' '$WORK/err.txt'"
for k in $(seq 40); do sed "s/\"id\": \"/\"id\": \"$k-/" "$EX"; done | gzip -c > "$WORK/many.jsonl.gz"
head -c $(($(stat -c %s "$WORK/many.jsonl.gz") / 2)) "$WORK/many.jsonl.gz" > "$WORK/half.jsonl.gz"
"$BIN" dedup --skip-bad "$WORK/half.jsonl.gz" > "$WORK/half-kept.jsonl" 2> "$WORK/err.txt"; rc=$?
check "--skip-bad reads a truncated .gz up to the damage, in every pass" bash -c "test $rc -eq 0 && test -s '$WORK/half-kept.jsonl' && grep -q 'truncated-input: 1' '$WORK/err.txt'"
"$BIN" dedup -q --tmp-dir "$WORK" "$WORK/news.jsonl.gz" > /dev/null
check "the decompressed spool of a .gz input is removed after the run" test -z "$(ls "$WORK" | grep '^reprint-decoded-')"
if [ -w /dev/full ]; then
    for c in dedup pairs align; do
        "$BIN" $c -q -o /dev/full "$EX" 2> "$WORK/full.txt"; rc=$?
        check "$c on a full device exits 3 and says so" bash -c "test $rc -eq 3 && grep -q 'No space left on device' '$WORK/full.txt'"
    done
fi
"$BIN" dedup -q -o "$WORK/never.jsonl" "$WORK/broken.jsonl" 2> /dev/null
check "a failed run leaves no output file" test ! -e "$WORK/never.jsonl"

# --- threads and memory limit change nothing in the output
"$BIN" dedup -q --threads 1 --clusters "$WORK/c1.jsonl" "$EX" > "$WORK/t1.jsonl"
"$BIN" dedup -q --threads 3 --memory 1M --clusters "$WORK/c3.jsonl" "$EX" > "$WORK/t3.jsonl"
check "dedup on 1 and 3 threads, with --memory, writes the same corpus and clusters" \
    bash -c "cmp -s '$WORK/t1.jsonl' '$WORK/t3.jsonl' && cmp -s '$WORK/c1.jsonl' '$WORK/c3.jsonl' && cmp -s '$WORK/t1.jsonl' '$WORK/kept.jsonl'"
python3 - "$WORK/reposts.jsonl" <<'PY'
import random, sys
r = random.Random(5)
base = [[f"w{r.randrange(4000)}" for _ in range(60)] for _ in range(2)]
texts = []
for i in range(260):
    w = list(base[i % 2]); w[r.randrange(60)] = f"x{r.randrange(4000)}"
    texts.append(" ".join(w))
texts += texts[::13]  # exact copies: each takes every pair of its first
with open(sys.argv[1], "w") as f:
    for i, t in enumerate(texts):
        f.write('{"id": "r%d", "text": "%s"}\n' % (i, t))
PY
"$BIN" pairs -q "$WORK/reposts.jsonl" > "$WORK/p-all.jsonl"
"$BIN" pairs -q --memory 1M --stats "$WORK/p-mem.json" "$WORK/reposts.jsonl" > "$WORK/p-mem.jsonl"
check "pairs with --memory writes its similar pairs to a file past it, and lists the same" \
    bash -c "test \$(wc -l < '$WORK/p-all.jsonl') -gt 15000 && cmp -s '$WORK/p-all.jsonl' '$WORK/p-mem.jsonl' && grep -q '\"spilled_bytes\": [1-9]' '$WORK/p-mem.json'"
"$BIN" align -q --json --threads 1 "$EX" > "$WORK/a1.jsonl"
"$BIN" align -q --json --threads 2 "$EX" > "$WORK/a2.jsonl"
check "align on 1 and 2 threads reports the same" cmp -s "$WORK/a1.jsonl" "$WORK/a2.jsonl"
"$BIN" dedup -q --threads 0 "$EX" > /dev/null 2>&1; rc=$?
check "--threads 0 is a usage error" test $rc -eq 2

# --- disguised reuse and stories
python3 - "$EX" "$WORK/spun.jsonl" <<'PY'
import json, sys
# a hand-spun copy of the wire story: synonyms, word forms, a number in digits
d = json.loads(open(sys.argv[1]).readline())
t = d["text"]
for a, b in [("collapsed", "crumbled"), ("said", "stated"), ("stone tower", "rock tower"),
             ("early", "premature"), ("winter storm", "wintertime storm"), ("drove", "pushed"),
             ("boats", "vessels"), ("No one was hurt", "Nobody was injured"), ("two", "2"),
             ("moved", "relocated"), ("village", "small town"), ("heard", "perceived")]:
    t = t.replace(a, b)
with open(sys.argv[2], "w") as f:
    f.write(json.dumps(d) + "\n")
    f.write(json.dumps({"id": "spun-wire", "text": t}) + "\n")
PY
"$BIN" align -q --json --spin "$WORK/spun.jsonl" > "$WORK/spun-align.jsonl"; rc=$?
check "align --spin calls the hand-spun copy spun, with its changed words counted" python3 - "$WORK/spun-align.jsonl" <<'PY'
import json, sys
al = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not (len(al) == 1 and al[0]["relation"] == "spun" and al[0]["coverage_b"] > 0.9
              and any(p["differ"] > 0.03 for p in al[0]["passages"])))
PY
"$BIN" align -q --json "$WORK/spun.jsonl" > "$WORK/plain-align.jsonl"
check "plain align does not call it spun" bash -c "! grep -q '\"spun\"' '$WORK/plain-align.jsonl'"
"$BIN" align -q --json --spin "$EX" > "$WORK/spin-sample.jsonl"
"$BIN" align -q --json --rewrites "$EX" > "$WORK/rewrites-sample.jsonl"; rc=$?
check "align --rewrites on the sample: the pairs --spin finds, no other, each passage with its kind" \
    python3 - "$WORK/spin-sample.jsonl" "$WORK/rewrites-sample.jsonl" "$rc" <<'PY'
import json, sys
pairs = lambda f: {(d["a"], d["b"]) for d in map(json.loads, open(f))}
kinds = {p.get("kind") for l in open(sys.argv[2]) for p in json.loads(l)["passages"]}
sys.exit(not (sys.argv[3] == "0" and pairs(sys.argv[1]) == pairs(sys.argv[2]) and kinds
              and kinds <= {"verbatim", "edited", "spun", "rewritten", "summary"}))
PY
"$BIN" stories --json "$EX" > "$WORK/stories.jsonl" 2> "$WORK/stories-err.txt"; rc=$?
check "stories groups the Keldan versions and nothing from other events" python3 - "$WORK/stories.jsonl" <<'PY'
import json, sys
st = [json.loads(l) for l in open(sys.argv[1])]
k = [s for s in st if "wire-keldan" in s["members"]]
sys.exit(not (len(k) == 1 and {"gazette-reprint", "northshore-wrapped", "islands-edited",
              "baytimes-rewrite"} <= set(k[0]["members"])
              and not {"skarholm-reopens", "bay-ferry-storm", "bay-council-harbour",
                       "varnby-keeper-museum"} & set(k[0]["members"])
              and "Keldan" in k[0]["terms"] and all(s["story"] == i + 1 for i, s in enumerate(st))))
PY
check "stories accounts for every document" grep -q "read 13 documents: compared 13, rejected 0" "$WORK/stories-err.txt"
"$BIN" stories --human "$EX" > "$WORK/stories.txt" 2>/dev/null
check "the stories view shows who copies whom" grep -q "islands-edited <- wire-keldan: near_duplicate" "$WORK/stories.txt"
if [ -d "$SEEDS" ]; then
    "$BIN" stories -q --json "$SEEDS" > "$WORK/seed-stories.jsonl"
    check "the five seeds are one story" python3 -c "
import json, sys
st = [json.loads(l) for l in open('$WORK/seed-stories.jsonl')]
sys.exit(not (len(st) == 1 and len(st[0]['members']) == 5))"
fi

checks_done
