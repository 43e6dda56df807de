#!/usr/bin/env bash
# hostile.sh BIN SOURCE_DIR WORK — a battery of hostile inputs, each run as
# dedup, dedup --skip-bad, pairs and align (and stories on a few), under a
# time limit. What must hold for every run: it ends (no hang), by one of
# the documented exit codes (0, 1 bad input, 2 usage, 3 I/O), never by a
# crash or a sanitizer report; it leaves nothing in its --tmp-dir; a run
# that exits 0 accounts for every document (read = kept + removed +
# rejected). Under the sanitizer build (CTest runs it there too) the same
# battery checks memory and undefined behaviour.
set -u
BIN=$1 SRC=$2 WORK=$3
EX=$SRC/examples/news.jsonl
rm -rf "$WORK"; mkdir -p "$WORK/in" "$WORK/tmp"
cd "$WORK/in"
# --- the inputs
cp "$EX" good.jsonl
printf '' > empty.jsonl
printf '\n\n   \n' > blank.jsonl
head -c 3000 "$EX" > cut.jsonl                         # a line cut short
gzip -c "$EX" | head -c 2000 > cut.jsonl.gz            # a truncated gzip member
zstd -q -c "$EX" | head -c 1500 > cut.jsonl.zst        # a truncated zstd frame
printf '\x1f\x8b\x08\x00garbage' > fake.jsonl.gz       # a gzip header, then garbage
iconv -f UTF-8 -t UTF-16 < "$EX" > utf16.jsonl 2>/dev/null
{ head -n 3 "$EX"; printf '\xef\xbb\xbf'; tail -n +4 "$EX"; } > bom-mid.jsonl
printf '{"id": 1, "text": "a\\u0000b c d e f g h"}\n{"id": 2, "text": "\\ud800 lone"}\n' > escapes.jsonl
printf '{"id": [1], "text": "x y z"}\n{"id": {"a": 1}, "text": "x y z"}\n{"text": 5}\n[1,2]\nnull\n"str"\n' > shapes.jsonl
printf '{"id": 1, "text": "%s"}\n' "$(head -c 200000 /dev/zero | tr '\0' 'a')" > longword.jsonl
{ printf '{"id": 1, "text": "'; yes 'word ' | head -c 3000000 | tr -d '\n'; printf '"}\n'; cat "$EX"; } > longline.jsonl
yes 'word ' | head -c 20000000 | gzip -1 > bomb.txt.gz
printf 'binary\0data\0here' > binary.txt
printf '\xc3\x28 invalid utf-8 \xff\xfe text' > badutf8.txt
head -c 100000 /dev/urandom > random.bin
python3 -c "print('{' * 100000)" > deep.jsonl
python3 -c "
import json
print(json.dumps({'id': 'dup', 'text': 'same words here and there'}))
print(json.dumps({'id': 'dup', 'text': 'same words here and there'}))
print(json.dumps({'id': 'x' * 100000, 'text': 'an id of a hundred thousand bytes then some words'}))
print(json.dumps({'id': 'q', 'text': ' '.join(['w%d' % (i % 7) for i in range(50000)])}))
" > odd.jsonl
mkdir -p dir/sub; cp "$EX" dir/; ln -sfn .. dir/sub/up; ln -sfn nowhere dir/broken; cp binary.txt dir/
cd "$WORK"
fail=0 runs=0
run_case() { # name, args...: one run, checked
    local name=$1; shift
    runs=$((runs + 1))
    timeout 60 "$BIN" "$@" --tmp-dir "$WORK/tmp" --stats "$WORK/stats.json" > "$WORK/out" 2> "$WORK/err"
    local rc=$?
    local bad=""
    case $rc in 0|1|2|3) ;; 124) bad="hung (killed after 60 s)" ;; *) bad="exit $rc" ;; esac
    if grep -q "Sanitizer\|runtime error\|AddressSanitizer\|LeakSanitizer" "$WORK/err"; then bad="sanitizer report"; fi
    if [ -n "$(ls -A "$WORK/tmp")" ]; then bad="left $(ls "$WORK/tmp" | head -1) in --tmp-dir"; rm -rf "$WORK/tmp"/*; fi
    if [ $rc -eq 0 ] && [ -s "$WORK/stats.json" ]; then
        python3 - "$WORK/stats.json" <<'PY' || bad="read != kept + removed + rejected"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(s["read"] != s["kept"] + s["removed"] + s["rejected"])
PY
    fi
    rm -f "$WORK/stats.json"
    if [ -n "$bad" ]; then
        echo "FAIL - $name: $bad"; sed -n 1,5p "$WORK/err"; fail=1
    fi
}
for f in good.jsonl empty.jsonl blank.jsonl cut.jsonl cut.jsonl.gz cut.jsonl.zst fake.jsonl.gz \
         utf16.jsonl bom-mid.jsonl escapes.jsonl shapes.jsonl longword.jsonl longline.jsonl \
         bomb.txt.gz binary.txt badutf8.txt random.bin deep.jsonl odd.jsonl dir; do
    run_case "dedup $f" dedup -q --max-doc-bytes 1M "in/$f"
    run_case "dedup --skip-bad $f" dedup -q --skip-bad --max-doc-bytes 1M "in/$f"
    run_case "pairs --skip-bad $f" pairs -q --skip-bad "in/$f"
    run_case "align --skip-bad $f" align -q --skip-bad "in/$f"
done
for f in good.jsonl odd.jsonl dir; do
    run_case "stories --skip-bad $f" stories -q --skip-bad "in/$f"
    run_case "align --spin --skip-bad $f" align -q --spin --skip-bad "in/$f"
done
run_case "stdin of random bytes" dedup -q --skip-bad - < in/random.bin
run_case "a missing file" dedup -q in/no-such-file.jsonl
run_case "a bad option" dedup -q --no-such-option in/good.jsonl
run_case "a bad value" align -q --min-words 1 in/good.jsonl
# interrupted at a few points of a run over a compressed input
gzip -c in/longline.jsonl > in/int.jsonl.gz
for at in 0.05 0.2 0.5; do
    runs=$((runs + 1))
    "$BIN" dedup -q --skip-bad --tmp-dir "$WORK/tmp" -o "$WORK/int-out.jsonl" --clusters "$WORK/int-cl.jsonl" in/int.jsonl.gz 2> "$WORK/err" &
    pid=$!; sleep $at; kill -INT $pid 2>/dev/null; wait $pid
    if [ -n "$(ls -A "$WORK/tmp")" ] || ls "$WORK"/int-out.jsonl.tmp-* "$WORK"/int-cl.jsonl.tmp-* > /dev/null 2>&1; then
        echo "FAIL - SIGINT after $at s left files behind"; fail=1; rm -rf "$WORK/tmp"/*
    fi
    rm -f "$WORK"/int-out.jsonl* "$WORK"/int-cl.jsonl*
done
echo "$runs hostile runs, $([ $fail -eq 0 ] && echo "all as documented" || echo "some failed")"
exit $fail
