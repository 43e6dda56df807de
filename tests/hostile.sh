#!/usr/bin/env bash
# hostile.sh BIN SOURCE_DIR WORK — a battery of hostile inputs (47 of them, plus
# stdin, FIFOs, process substitution, a missing tmp dir, files that cannot
# grow and interrupts), each run as
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
# more shapes of JSONL and of text that real crawls hold
python3 - <<'PY'
import json, random
w = lambda n: " ".join("w%d" % (i % 13) for i in range(n))
def lines(name, rows, end="\n"):
    with open(name, "w", newline="") as f:
        for r in rows: f.write(r + end)
lines("crlf.jsonl", [json.dumps({"id": i, "text": w(30)}) for i in range(5)], "\r\n")
with open("no-final-newline.jsonl", "w") as f: f.write(json.dumps({"id": 1, "text": w(20)}))
lines("ids.jsonl", ['{"id": null, "text": "%s"}' % w(12), '{"id": -0, "text": "%s"}' % w(12),
                    '{"id": 1e5, "text": "%s"}' % w(12), '{"id": 1e400, "text": "%s"}' % w(12),
                    '{"id": 12345678901234567890, "text": "%s"}' % w(12), '{"id": true, "text": "x y"}',
                    '{"id": "", "text": "%s"}' % w(12), '{"id": "a\\nb", "text": "%s"}' % w(12)])
lines("texts.jsonl", ['{"id": 1, "text": ""}', '{"id": 2, "text": "   \\t  "}', '{"id": 3, "text": "!!! ... ???"}',
                      '{"id": 4, "text": {"nested": "x"}}', '{"id": 5, "text": null}', '{"id": 6}',
                      '{"id": 7, "text": "a \\"quoted\\" \\\\ back \\/ slash"}'])
lines("escapes2.jsonl", ['{"id": 1, "text": "bad \\x escape"}', '{"id": 2, "text": "\\udc00 low alone"}',
                         '{"id": 3, "text": "\\ud83d\\ude00 a pair"}', '{"id": 4, "te\\u0078t": "escaped key"}',
                         '{"id": 5, "text": "raw\ttab and \x01 control"}'])
lines("garbage.jsonl", ['{"id": 1, "text": "a b c"} trailing', '{"id": 2, "text": "x"}{"id": 3, "text": "y"}',
                        '{"id": 4, "text": "one", "text": "two"}', '{"id": 5,, "text": "z"}', '{', '}'])
lines("unicode.jsonl", [json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate([
    "caf\u00e9 cafe\u0301 na\u00efve \u00c5ngstr\u00f6m", "\u05e9\u05dc\u05d5\u05dd \u0639\u0627\u0644\u0645 right to left",
    "\U0001F600 \U0001F44D\U0001F3FD emoji and skin tones", "zero\u200bwidth\u200d joiners\u00a0nbsp",
    "\u4e2d\u6587\u6587\u672c \u65e5\u672c\u8a9e\u306e\u6587", "\ufeff bom inside \u2028 line sep \u0085 next line"])])
with open("overlong.jsonl", "wb") as f:
    f.write(b'{"id": 1, "text": "over\xc0\xaflong \xed\xa0\x80 surrogate bytes"}\n')
    f.write(b'{"id": 2, "text": "good words after the bad ones"}\n')
lines("tiny-many.jsonl", [json.dumps({"id": i, "text": "w%d" % (i % 1000)}) for i in range(5000)])
lines("fields.jsonl", [json.dumps(dict({"id": i, "text": w(15)}, **{"f%d" % k: [k, {"x": k}] for k in range(300)})) for i in range(3)])
lines("sameall.jsonl", [json.dumps({"id": i, "text": w(40)}) for i in range(500)])
random.seed(3)
with open("nowords.txt", "w") as f: f.write("... --- !!! ??? *** ;;; ((( )))\n" * 50)
with open("cr-only.txt", "w", newline="") as f: f.write("line one\rline two\rline three\r")
PY
printf '\xef\xbb\xbf' > bom-start.jsonl; cat "$EX" >> bom-start.jsonl
cp "$EX" data                                          # JSONL without a telling name
{ gzip -c "$EX"; gzip -c "$EX"; } > members.jsonl.gz  # concatenated gzip members
{ zstd -q -c "$EX"; zstd -q -c "$EX"; } > frames.jsonl.zst
{ printf '\x50\x2a\x4d\x18\x04\x00\x00\x00skip'; zstd -q -c "$EX"; } > skippable.jsonl.zst
gzip -c "$EX" > not-gz-name.jsonl                      # compressed, named as plain
: > empty.txt
mkdir -p emptydir manydir
for i in $(seq 300); do echo "file $i has w$((i % 9)) words like w$((i % 5)) and more" > "manydir/f$i.txt"; done
cp "$EX" "name with spaces.jsonl"
mkdir -p dir/sub; cp "$EX" dir/; ln -sfn .. dir/sub/up; ln -sfn nowhere dir/broken; cp binary.txt dir/
cd "$WORK"
fail=0 runs=0
run_case() { # name, args...: one run, checked; "--sh CMD ARGS..." runs a command of its own
    local name=$1; shift
    runs=$((runs + 1))
    if [ "$1" = --sh ]; then
        shift
        timeout 60 "$@" > "$WORK/out" 2> "$WORK/err"
    else
        timeout 60 "$BIN" "$@" --tmp-dir "$WORK/tmp" --stats "$WORK/stats.json" > "$WORK/out" 2> "$WORK/err"
    fi
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
         bomb.txt.gz binary.txt badutf8.txt random.bin deep.jsonl odd.jsonl dir \
         crlf.jsonl no-final-newline.jsonl ids.jsonl texts.jsonl escapes2.jsonl garbage.jsonl \
         unicode.jsonl overlong.jsonl tiny-many.jsonl fields.jsonl sameall.jsonl nowords.txt \
         cr-only.txt bom-start.jsonl data members.jsonl.gz frames.jsonl.zst skippable.jsonl.zst \
         not-gz-name.jsonl empty.txt emptydir manydir "name with spaces.jsonl"; do
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
run_case "stdin empty" dedup -q - < /dev/null
run_case "stdin plain text" align -q --skip-bad - < in/nowords.txt
run_case "/dev/null" pairs -q /dev/null
run_case "a FIFO" --sh bash -c 'mkfifo "$0/ff" && { cat "$1" > "$0/ff" & } && "$2" dedup -q --tmp-dir "$3" --format jsonl "$0/ff"; r=$?; rm -f "$0/ff"; exit $r' "$WORK/in" "$EX" "$BIN" "$WORK/tmp"
run_case "process substitution" --sh bash -c '"$0" pairs -q --tmp-dir "$2" <(cat "$1")' "$BIN" "$EX" "$WORK/tmp"
run_case "the same file twice" dedup -q in/good.jsonl in/good.jsonl
run_case "a directory and a file in it" align -q --skip-bad in/dir in/dir/news.jsonl
gzip -c in/good.jsonl > in/good.jsonl.gz
run_case "--tmp-dir missing" --sh "$BIN" dedup -q --tmp-dir "$WORK/no/such/dir" in/good.jsonl.gz
run_case "rewrites on the odd inputs" align -q --rewrites --skip-bad in/odd.jsonl in/unicode.jsonl in/garbage.jsonl
# temporary files and outputs that cannot grow past a size (ulimit -f: a
# write past it fails, EFBIG): each command, spilling under --memory 1M,
# stops at whichever file meets the limit first, by exit 3 with a message
# naming the temporary directory or the output, and leaves nothing behind
python3 "$SRC/bench/gen_copies.py" 10000 in/copies.jsonl
for cmd in dedup pairs align stories; do
    for kb in 16 256 1024 2048; do
        runs=$((runs + 1))
        ( trap '' XFSZ; ulimit -f $kb
          exec timeout 60 "$BIN" $cmd -q --memory 1M --tmp-dir "$WORK/tmp" -o "$WORK/capped.jsonl" in/copies.jsonl ) 2> "$WORK/err"
        rc=$?
        bad=""
        if [ $rc -eq 0 ]; then
            [ $kb -gt 16 ] || bad="exit 0 with its files held to 16 KiB" # every command writes more
        elif [ $rc -ne 3 ]; then
            bad="exit $rc"
        elif ! grep -q "cannot write a temporary file in $WORK/tmp\|$WORK/capped.jsonl: cannot write" "$WORK/err"; then
            bad="no message naming the file: $(head -c 200 "$WORK/err")"
        fi
        if grep -q "Sanitizer\|runtime error" "$WORK/err"; then bad="sanitizer report"; fi
        if [ -n "$(ls -A "$WORK/tmp")" ]; then bad="left $(ls "$WORK/tmp" | head -1) in --tmp-dir"; rm -rf "$WORK/tmp"/*; fi
        if [ $rc -ne 0 ] && ls "$WORK"/capped.jsonl* > /dev/null 2>&1; then bad="left its output behind"; fi
        rm -f "$WORK"/capped.jsonl*
        if [ -n "$bad" ]; then echo "FAIL - $cmd under ulimit -f $kb: $bad"; fail=1; fi
    done
done
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
