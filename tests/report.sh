#!/usr/bin/env bash
# report.sh — `reprint report` without a browser: the JSON the page embeds
# is what `reprint align` and `reprint stories` print (the library's
# writers), the texts are the inputs', the word marks lie inside their
# passages and say what the texts show, no text can leave the data element,
# the page names nothing outside itself, and bad input fails with its place.
# (tests/browser/report.mjs then drives the page in Chromium.)
# usage: report.sh REPRINT_BINARY REPO_ROOT WORK_DIR
set -u
BIN=$1 ROOT=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
. "$(dirname "$0")/checks.sh"

EX=$ROOT/examples/news.jsonl
FIX=$ROOT/tests/data/report.jsonl
SEEDS=$ROOT/../shared/seeds

# The checks every report must pass, against the align and stories output
# of the same inputs: page, align.jsonl, stories.jsonl, inputs...
cat > "$WORK/check.py" <<'PY'
import json, re, sys

page, align, stories = sys.argv[1:4]
html = open(page, encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="reprint-data">(.*?)</script>', html, re.S)
assert m, "no data element"
raw = m.group(1)
# no text can end the element or open markup: '<', '>' and '&' are escaped
assert not set("<>&") & set(raw), "unescaped markup characters in the data"
data = json.loads(raw)
outside = html[:m.start()] + html[m.end():]
# self-contained: nothing fetched from elsewhere
assert not re.search(r'(src|href)\s*=\s*["\']?(https?:|//)', outside, re.I), "a link out"
assert "@import" not in outside and "url(http" not in outside
assert "default-src 'none'" in outside, "no Content-Security-Policy"
assert len(re.findall(r"<script", outside)) == 2, "a script element that is not the page's"

want = [json.loads(l) for l in open(align, encoding="utf-8") if l.strip()]
assert data["alignments"] == want, "alignments differ from reprint align's"
assert data["pairs_total"] == len(want)
assert len(data["pair_docs"]) == len(want) == len(data["marks"])
want_st = sorted((json.loads(l) for l in open(stories, encoding="utf-8") if l.strip()),
                 key=lambda s: s["story"])
assert sorted(data["stories"], key=lambda s: s["story"]) == want_st, "stories differ"
docs = data["documents"]
for s in data["stories"]:
    ids = [d["id"] for d in docs if d["story"] == s["story"]]
    assert sorted(map(json.dumps, ids)) == sorted(map(json.dumps, s["members"])), s

for al, (ia, ib), marks in zip(data["alignments"], data["pair_docs"], data["marks"]):
    a, b = docs[ia], docs[ib]
    assert a["id"] == al["a"] and b["id"] == al["b"], "pair_docs name other documents"
    assert len(marks) == len(al["passages"])
    for p, mk in zip(al["passages"], marks):
        for side, doc in (("a", a), ("b", b)):
            s, e = p[side]
            cps = doc["text"]  # a Python str indexes code points, as the offsets do
            assert 0 <= s < e <= len(cps), (doc["id"], s, e)
            flat = mk[side]
            assert len(flat) % 3 == 0
            for k in range(0, len(flat), 3):
                ws, we, kind = flat[k:k + 3]
                assert s <= ws < we <= e, ("mark outside its passage", doc["id"], ws, we, s, e)
                assert kind in (1, 2, 3)
                assert cps[ws:we].strip(), "a mark on no word"
        if p["kind"] == "verbatim":
            assert not mk["a"] and not mk["b"], "marks in a verbatim passage"
        if p["kind"] in ("verbatim", "edited", "spun"):
            assert all(k != 3 for k in mk["a"][2::3] + mk["b"][2::3])

# the texts are the inputs' own
texts = {}
for path in sys.argv[4:]:
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        texts.setdefault(json.dumps(r["id"]), r)
for d in docs:
    r = texts.get(json.dumps(d["id"]))
    if r is None:
        continue  # a text file's document (the seeds)
    if d["text"] is not None:
        assert d["text"] == r["text"], d["id"]
    assert d["date"] == r.get("date"), d["id"]
print("ok", len(want), "pairs,", len(data["stories"]), "stories")
PY
page_ok() { python3 "$WORK/check.py" "$@" > "$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; return 1; }; }
data_of() { python3 - "$1" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
print(json.dumps(json.loads(re.search(r'id="reprint-data">(.*?)</script>', html, re.S).group(1))))
PY
}

# --- the sample corpus
"$BIN" align --json "$EX" > "$WORK/news-align.jsonl" 2>/dev/null
"$BIN" stories --json "$EX" > "$WORK/news-stories.jsonl" 2>/dev/null
"$BIN" report -q "$EX" -o "$WORK/news.html"; rc=$?
check "report of the sample corpus exits 0" test $rc -eq 0
check "its page embeds align's and stories' lines, the inputs' texts, marks inside passages" \
    page_ok "$WORK/news.html" "$WORK/news-align.jsonl" "$WORK/news-stories.jsonl" "$EX"
check "the page is readable by others (0666 less the umask)" \
    test "$(umask 022; "$BIN" report -q "$EX" -o "$WORK/mode.html"; stat -c %a "$WORK/mode.html")" = 644

# --- made-up documents: a spun copy, a copy in a hostile page, hostile text
"$BIN" align --json --spin "$FIX" > "$WORK/fix-align.jsonl" 2>/dev/null
"$BIN" stories --json "$FIX" > "$WORK/fix-stories.jsonl" 2>/dev/null
"$BIN" report -q --spin "$FIX" -o "$WORK/fix.html"; rc=$?
check "report --spin of the made-up documents exits 0" test $rc -eq 0
check "its page passes the same checks" \
    page_ok "$WORK/fix.html" "$WORK/fix-align.jsonl" "$WORK/fix-stories.jsonl" "$FIX"
check "the spinner's swaps are marked spun, its other edits changed, the rest identical" python3 - "$WORK/fix.html" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(re.search(r'id="reprint-data">(.*?)</script>', html, re.S).group(1))
k = next(i for i, al in enumerate(d["alignments"]) if (al["a"], al["b"]) == ("tarn-wire", "tarn-spun"))
docs = d["documents"]
a, b = (docs[i]["text"] for i in d["pair_docs"][k])
mk = d["marks"][k][0]
def words(text, flat, kind):
    return [text[flat[i]:flat[i + 1]] for i in range(0, len(flat), 3) if flat[i + 2] == kind]
spun_a, spun_b = words(a, mk["a"], 2), words(b, mk["b"], 2)
changed_a = words(a, mk["a"], 1)
assert spun_a.count("said") == 3 and spun_b.count("stated") == 3, (spun_a, spun_b)
assert "two" in spun_a and "2" in spun_b and "difficult" in spun_b, spun_b
assert "Drivers" in changed_a and "customers" in changed_a, changed_a
assert "bridge" not in spun_a + changed_a
PY
check "no hostile text is outside the data element, and none of it unescaped" python3 - "$WORK/fix.html" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'id="reprint-data">(.*?)</script>', html, re.S)
outside = html[:m.start()] + html[m.end():]
assert "__pwned" in m.group(1) and "__pwned" not in outside
assert "\\u003cscript\\u003ewindow.__pwned" in m.group(1)
PY

# --- --from a saved align output gives the same page data
"$BIN" report -q --from "$WORK/fix-align.jsonl" --texts "$FIX" -o "$WORK/from.html"; rc=$?
check "report --from a saved align output exits 0" test $rc -eq 0
check "and embeds the same pairs, documents, marks and stories" python3 - "$WORK/fix.html" "$WORK/from.html" <<'PY'
import json, re, sys
def data(p):
    html = open(p, encoding="utf-8").read()
    return json.loads(re.search(r'id="reprint-data">(.*?)</script>', html, re.S).group(1))
x, y = data(sys.argv[1]), data(sys.argv[2])
assert y["from"].endswith("fix-align.jsonl") and y["stats"] is None
for k in ("alignments", "pair_docs", "marks", "documents", "stories", "pairs_total"):
    assert x[k] == y[k], k
PY

# --- a cut to the pairs of highest coverage, counted
"$BIN" report --spin --max-pairs 2 "$FIX" -o "$WORK/cut.html" 2> "$WORK/cut.err"; rc=$?
check "report --max-pairs 2 exits 0 and says what it cut" \
    bash -c "test $rc -eq 0 && grep -q '2 of 4 pairs shown (the 2 of lowest coverage cut by --max-pairs 2' '$WORK/cut.err'"
check "the page keeps the 2 of highest coverage, in output order, and counts all 4" python3 - "$WORK/cut.html" "$WORK/fix-align.jsonl" <<'PY'
import json, re, sys
d = json.loads(re.search(r'id="reprint-data">(.*?)</script>', open(sys.argv[1]).read(), re.S).group(1))
allp = [json.loads(l) for l in open(sys.argv[2])]
top = sorted(range(len(allp)), key=lambda i: (-max(allp[i]["coverage_a"], allp[i]["coverage_b"]), i))[:2]
assert d["alignments"] == [allp[i] for i in sorted(top)] and d["pairs_total"] == 4
PY

# --- nothing to show is still a page
printf '{"id": 1, "text": "one lonely document"}\n' > "$WORK/one.jsonl"
"$BIN" report -q "$WORK/one.jsonl" -o "$WORK/one.html"; rc=$?
check "a corpus without pairs makes a page with none" \
    bash -c "test $rc -eq 0 && grep -q '\"alignments\": \[\]' '$WORK/one.html'"

# --- bad input names its place; nothing is left behind
head -1 "$WORK/fix-align.jsonl" > "$WORK/bad-align.jsonl"
echo '{"a": "tarn-wire", "b": "x", "passages": "none"}' >> "$WORK/bad-align.jsonl"
"$BIN" report -q --from "$WORK/bad-align.jsonl" "$FIX" -o "$WORK/bad.html" 2> "$WORK/bad.err"; rc=$?
check "a line that is not align's fails with exit 1, naming file:line" \
    bash -c "test $rc -eq 1 && grep -q 'bad-align.jsonl:2: not an alignment line' '$WORK/bad.err'"
check "and leaves no page, whole or partial" bash -c "! ls '$WORK'/bad.html* 2>/dev/null | grep -q ."
"$BIN" report -q --from "$WORK/fix-align.jsonl" "$EX" -o "$WORK/wrong.html" 2> "$WORK/wrong.err"; rc=$?
check "--from with texts that lack its documents fails with exit 1, naming one" \
    bash -c "test $rc -eq 1 && grep -q 'not found in the inputs, tarn-wire among them' '$WORK/wrong.err'"
"$BIN" report -q --texts "$EX" -o "$WORK/u.html" 2>/dev/null; rc=$?
check "--texts without --from is a usage error" test $rc -eq 2
"$BIN" report -q --json "$EX" -o "$WORK/u.html" 2>/dev/null; rc=$?
check "align's --json is not an option of report" test $rc -eq 2

# --- the seeds, when present
if [ -d "$SEEDS" ]; then
    "$BIN" align --json "$SEEDS" > "$WORK/seeds-align.jsonl" 2>/dev/null
    "$BIN" stories --json "$SEEDS" > "$WORK/seeds-stories.jsonl" 2>/dev/null
    "$BIN" report -q "$SEEDS" -o "$WORK/seeds.html"; rc=$?
    check "report of the seeds exits 0" test $rc -eq 0
    check "its page passes the same checks" \
        page_ok "$WORK/seeds.html" "$WORK/seeds-align.jsonl" "$WORK/seeds-stories.jsonl"
else
    echo "skip - ../shared/seeds not present"
fi

checks_done
