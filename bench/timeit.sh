# timeit.sh — sourced by bench.sh and shapes.sh: timeit CMD... prints
# "seconds peak_kb", the fastest of $RUNS runs (a shared machine's speed
# varies by a third from run to run) and the largest peak; the command's
# stderr goes to $OUT/stderr.txt and is shown when it fails.
timeit() {
    local best="" kb=0 t m
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>"$OUT/stderr.txt" || {
            cat "$OUT/stderr.txt" >&2; return 1; }
        read -r t m < "$OUT/time.txt"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
        [ "$m" -gt "$kb" ] && kb=$m
    done
    echo "$best $kb"
}
