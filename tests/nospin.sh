#!/usr/bin/env bash
# nospin.sh BIN SOURCE_DIR — a reprint built with REPRINT_WITH_SPIN=OFF
# (no WordNet, no libstemmer): dedup, pairs and align give exactly what the
# full build gives (the digests in tests/same_output.sha256), and what needs
# the spinner (--spin, --rewrites, stories) is refused with exit 2 and says
# why.
set -u
BIN=$1 SRC=$2
EX=$SRC/examples/news.jsonl
fail=0
for cmd in dedup pairs align; do
    got=$("$BIN" "$cmd" -q --json "$EX" | sha256sum | cut -c1-16)
    want=$(grep "^news.jsonl $cmd plain t1 " "$SRC/tests/same_output.sha256" | awk '{print $6}')
    if [ "$got" != "$want" ]; then echo "FAIL - $cmd differs from the full build"; fail=1; fi
done
for args in "align --spin" "align --rewrites" "dedup --spin" "stories"; do
    # shellcheck disable=SC2086
    "$BIN" $args "$EX" > /dev/null 2> /tmp/nospin-err.$$
    rc=$?
    if [ $rc -ne 2 ] || ! grep -q "REPRINT_WITH_SPIN=OFF" /tmp/nospin-err.$$; then
        echo "FAIL - $args: exit $rc, $(head -c 200 /tmp/nospin-err.$$)"; fail=1
    fi
done
# the report: its pairs without stories, which the page says are missing and why
page=$(mktemp "${TMPDIR:-/tmp}/nospin-report.XXXXXX")
if ! "$BIN" report -q "$EX" -o "$page" || ! grep -q '"stories_note": "this reprint was built without WordNet' "$page" ||
    ! grep -q '"pairs_total": 10,' "$page"; then
    echo "FAIL - report without the spinner"; fail=1
fi
rm -f "$page" /tmp/nospin-err.$$
[ $fail = 0 ] && echo "without the spinner: dedup, pairs and align as the full build; --spin, --rewrites and stories refused, saying why; report without stories, saying why"
exit $fail
