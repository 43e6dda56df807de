#!/usr/bin/env bash
# mpi.sh — `mpirun -n N reprint dedup` (and `pairs`, `align`) writes what one
# process writes, byte for byte, for N = 1, 2, 3 and 7 (oversubscribed on this machine): on the
# sample corpus, the seeds when present and a generated corpus, with and
# without --spin, through exchanges forced into many rounds and tiny counts,
# to stdout and to -o FILE; bad input fails every rank with one message;
# --stats says what each rank did.
# usage: mpi.sh REPRINT_BINARY GEN_CORPUS_BINARY REPO_ROOT WORK_DIR
set -u
BIN=$1 GEN=$2 ROOT=$3 WORK=$4
rm -rf "$WORK" && mkdir -p "$WORK"
. "$(dirname "$0")/checks.sh"

# CI runs as root; the ranks are this machine's own processes
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# ob1 at once: the default search probes fabric layers first, 0.2 s a run
MPIRUN="timeout 300 mpirun --oversubscribe --mca pml ob1"

"$GEN" 6000000 "$WORK/gen.jsonl" "$WORK/gen.tsv" 3 > /dev/null 2>&1
corpora="$ROOT/examples/news.jsonl $WORK/gen.jsonl"
corpora="$corpora $(seeds_jsonl "$ROOT" "$WORK/seeds.jsonl")"

same() { # name, then the options: one process, and 1, 2, 3 and 7 ranks, compared ($CMD, dedup)
    local name=$1 cmd=${CMD:-dedup}; shift
    "$BIN" "$cmd" -q "$@" > "$WORK/one.jsonl" 2> "$WORK/one.err"
    local want; want=$(sha256sum < "$WORK/one.jsonl")
    for n in 1 2 3 7; do
        $MPIRUN -n $n "$BIN" "$cmd" -q "$@" > "$WORK/ranks.jsonl" 2> "$WORK/ranks.err"
        local rc=$?
        if [ $rc -ne 0 ] || [ "$(sha256sum < "$WORK/ranks.jsonl")" != "$want" ]; then
            echo "# $n ranks: exit $rc, $(head -c 300 "$WORK/ranks.err")"
            return 1
        fi
    done
    [ -s "$WORK/one.jsonl" ]
}

for c in $corpora; do
    name=$(basename "$c")
    check "$name: 1, 2, 3 and 7 ranks write one process's output" same "$name" --threads 1 "$c"
    check "$name --spin: the same" same "$name" --spin --threads 1 "$c"
done
check "gen.jsonl, threshold 0.5, two threads a rank: the same" same gen --threshold 0.5 "$WORK/gen.jsonl"
# pairs: every similar pair, exact copies' included, listed on rank 0
for c in $corpora; do
    name=$(basename "$c")
    CMD=pairs check "pairs of $name (containment >= 0.05): 1, 2, 3 and 7 ranks list one process's" same "$name" --threads 1 \
        --threshold 0.05 "$c"
done
CMD=pairs check "pairs --spin --measure jaccard of gen.jsonl: the same" same gen --spin --measure jaccard \
    --threshold 0.5 "$WORK/gen.jsonl"

# --clusters: listed on rank 0 as one process lists them
"$BIN" dedup -q --threads 1 --threshold 0.5 "$WORK/gen.jsonl" --clusters "$WORK/c1.jsonl" > /dev/null
same_clusters() {
    for n in 2 3 7; do
        $MPIRUN -n $n "$BIN" dedup -q --threads 1 --threshold 0.5 "$WORK/gen.jsonl" --clusters "$WORK/cn.jsonl" > /dev/null 2>&1 &&
            cmp -s "$WORK/c1.jsonl" "$WORK/cn.jsonl" || { echo "# $n ranks"; return 1; }
    done
    [ "$(wc -l < "$WORK/c1.jsonl")" -gt 10 ]
}
check "--clusters on 2, 3 and 7 ranks: one process's clusters file" same_clusters

# exchanges forced into many small rounds, counts far below MPI's int
export REPRINT_MPI_ROUND_BYTES=2048 REPRINT_MPI_MAX_COUNT=96
"$BIN" dedup -q --threads 1 "$WORK/gen.jsonl" > "$WORK/one.jsonl"
$MPIRUN -x REPRINT_MPI_ROUND_BYTES -x REPRINT_MPI_MAX_COUNT -n 3 "$BIN" dedup --threads 1 \
    "$WORK/gen.jsonl" --stats "$WORK/stats.json" > "$WORK/ranks.jsonl" 2> "$WORK/ranks.err"
check "rounds of 2 KB and counts of 96 bytes: the same output" cmp -s "$WORK/one.jsonl" "$WORK/ranks.jsonl"
unset REPRINT_MPI_ROUND_BYTES REPRINT_MPI_MAX_COUNT
check "--stats accounts for every document and says what each rank did" python3 - "$WORK/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["read"] == s["kept"] + s["removed"] + s["rejected"]
r = s["ranks"]
assert len(r) == 3 and [x["rank"] for x in r] == [0, 1, 2]
assert r[0]["first_record"] == 0 and r[1]["first_record"] == r[0]["records"]
assert sum(x["records"] for x in r) == s["read"]
assert all(x["bytes_sent"] > 0 and x["exchanges"] > 0 for x in r)
assert s["rounds"] > 100, s["rounds"]
assert s["imbalance"] >= 1 and s["bytes_exchanged"] == sum(x["bytes_sent"] for x in r)
PY
check "the summary says where the time went" grep -q "3 ranks: .* MB exchanged" "$WORK/ranks.err"

# the clusters by label propagation among the ranks, not on rank 0
"$BIN" dedup -q --threads 1 --threshold 0.5 "$WORK/gen.jsonl" > "$WORK/one-lp.jsonl"
REPRINT_MPI_GATHER_EDGES=1 $MPIRUN -x REPRINT_MPI_GATHER_EDGES -n 3 "$BIN" dedup --threads 1 --threshold 0.5 \
    "$WORK/gen.jsonl" --stats "$WORK/stats-lp.json" > "$WORK/ranks.jsonl" 2>/dev/null
check "clusters by label propagation: the same output, in more than one round" bash -c \
    "cmp -s '$WORK/one-lp.jsonl' '$WORK/ranks.jsonl' && python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not s[\"ranks\"][0][\"cluster_rounds\"] > 1)' '$WORK/stats-lp.json'"

# a rank lost mid-run: the rerun with the same --checkpoint resumes from
# the last stage every rank finished, and writes the same output
"$BIN" dedup -q --threads 1 "$WORK/gen.jsonl" > "$WORK/one.jsonl"
for stage in 1 2; do
    rm -rf "$WORK/ck" && mkdir "$WORK/ck"
    REPRINT_MPI_DIE_AFTER=$stage $MPIRUN -x REPRINT_MPI_DIE_AFTER -n 3 "$BIN" dedup -q --threads 1 \
        --checkpoint "$WORK/ck" "$WORK/gen.jsonl" > /dev/null 2>&1
    rc=$?
    $MPIRUN -n 3 "$BIN" dedup --threads 1 --checkpoint "$WORK/ck" "$WORK/gen.jsonl" \
        --stats "$WORK/resumed.json" > "$WORK/ranks.jsonl" 2> "$WORK/resumed.err"
    check "rank 1 lost after stage $stage (exit $rc): the rerun resumes there and writes the same output" \
        bash -c "test $rc -ne 0 && cmp -s '$WORK/one.jsonl' '$WORK/ranks.jsonl' && grep -q 'resumed from the checkpoint' '$WORK/resumed.err' &&
                 python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(not all(r[\"resumed_stage\"] == $stage for r in s[\"ranks\"]))' '$WORK/resumed.json'"
done
"$BIN" dedup -q --threads 1 --threshold 0.5 "$WORK/gen.jsonl" > "$WORK/one-lp.jsonl"
$MPIRUN -n 3 "$BIN" dedup --threads 1 --threshold 0.5 --checkpoint "$WORK/ck" "$WORK/gen.jsonl" \
    --stats "$WORK/other.json" > "$WORK/ranks.jsonl" 2>/dev/null
check "a checkpoint of other parameters is not used" bash -c "cmp -s '$WORK/one-lp.jsonl' '$WORK/ranks.jsonl' &&
    python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(any(r[\"resumed_stage\"] for r in s[\"ranks\"]))' '$WORK/other.json'"
rm -rf "$WORK/ck" && mkdir "$WORK/ck"
"$BIN" dedup -q --threads 1 --checkpoint "$WORK/ck" "$WORK/gen.jsonl" > /dev/null
"$BIN" dedup -q --threads 1 --checkpoint "$WORK/ck" "$WORK/gen.jsonl" > "$WORK/ranks.jsonl"
check "one process with --checkpoint: the rerun reads it back, the same output" \
    bash -c "cmp -s '$WORK/one.jsonl' '$WORK/ranks.jsonl' && test -s '$WORK/ck/rank-0-of-1.pairs'"

# -o FILE: each rank writes its part in place, whole or not at all
$MPIRUN -n 7 "$BIN" dedup -q --threads 1 "$WORK/gen.jsonl" -o "$WORK/out.jsonl"
check "-o FILE: the same output, and no temporary file left" \
    bash -c "cmp -s '$WORK/one.jsonl' '$WORK/out.jsonl' && ! ls '$WORK'/out.jsonl.tmp-* 2>/dev/null | grep -q ."

# bad input: every rank stops, one says where
cp "$WORK/gen.jsonl" "$WORK/bad.jsonl"
printf '{"id": "x", oops}\n' >> "$WORK/bad.jsonl"
head -c 3000000 "$WORK/gen.jsonl" | tail -n 20 >> "$WORK/bad.jsonl"
$MPIRUN -n 3 "$BIN" dedup -q --threads 1 "$WORK/bad.jsonl" > /dev/null 2> "$WORK/bad.err"
rc=$?
check "bad input without --skip-bad: exit 1, the line named once" \
    bash -c "test $rc -eq 1 && test \$(grep -c 'bad.jsonl:[0-9]*:' '$WORK/bad.err') -eq 1"
"$BIN" dedup -q --skip-bad --threads 1 "$WORK/bad.jsonl" 2>/dev/null > "$WORK/one.jsonl"
$MPIRUN -n 3 "$BIN" dedup -q --skip-bad --threads 1 "$WORK/bad.jsonl" 2>/dev/null > "$WORK/ranks.jsonl"
check "with --skip-bad: the same output as one process" cmp -s "$WORK/one.jsonl" "$WORK/ranks.jsonl"

# align: each rank aligns the pairs of its first documents, rank 0 writes
# them all in rank order: one process's alignments, byte for byte
"$GEN" 2500000 "$WORK/sites.jsonl" "$WORK/sites.tsv" 7 sites > /dev/null 2>&1
for c in $corpora "$WORK/sites.jsonl"; do
    name=$(basename "$c")
    CMD=align check "align $name: 1, 2, 3 and 7 ranks write one process's alignments" same "$name" --threads 1 "$c"
done
CMD=align check "align --spin of gen.jsonl, two threads a rank: the same" same gen --spin "$WORK/gen.jsonl"
rw=$(seeds_jsonl "$ROOT" "$WORK/seeds.jsonl" 2> /dev/null)
CMD=align check "align --rewrites of the seeds (or the sample): the same" same rw --rewrites --threads 1 \
    "${rw:-$ROOT/examples/news.jsonl}"
for m in show off; do
    CMD=align check "align sites.jsonl --boilerplate $m: the same" same sites --boilerplate $m --threads 1 \
        "$WORK/sites.jsonl"
done
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line); d["outlet"] = d.pop("url").split("/")[2]
    print(json.dumps(d))' "$WORK/sites.jsonl" > "$WORK/outlets.jsonl"
CMD=align check "align by --site-field outlet, --site-pages 4: the same" same outlets --site-field outlet \
    --site-pages 4 --threads 1 "$WORK/outlets.jsonl"
python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1])):
    d = json.loads(line); d.pop("id", None)
    print(json.dumps(d))
    if i % 50 == 7: print("")
    if i % 97 == 3: print("{bad")' "$WORK/gen.jsonl" > "$WORK/noid.jsonl"
CMD=align check "align of id-less records among blank and bad lines (--skip-bad): the same names" same noid \
    --skip-bad --threads 1 "$WORK/noid.jsonl"
CMD=align check "align --max-partners 2 (pairs cut at the owner of their first document): the same" same cut \
    --max-partners 2 --threads 1 "$WORK/gen.jsonl"
# align --groups: every rank's alignments grouped on rank 0 in pair order
CMD=align check "align --groups of gen.jsonl: one process's groups" same groups --groups --threads 1 "$WORK/gen.jsonl"
CMD=align check "align --groups of templated sites (boilerplate shown): the same" same groups-sites --groups \
    --boilerplate show --threads 1 "$WORK/sites.jsonl"
# (one rank is one process, whose terminal under mpirun is colored: 2, 3, 7)
check "align --groups --human (excerpts gathered): one process's view" bash -c "
    '$BIN' align -q --groups --human --threads 1 '$ROOT/examples/news.jsonl' > '$WORK/gh1.txt' &&
    grep -q '^group 1: 5 documents' '$WORK/gh1.txt' &&
    for n in 2 3 7; do $MPIRUN -n \$n '$BIN' align -q --groups --human --threads 1 '$ROOT/examples/news.jsonl' \
        > '$WORK/ghn.txt' 2> /dev/null && cmp -s '$WORK/gh1.txt' '$WORK/ghn.txt' || exit 1; done"
"$BIN" align -q --threads 1 "$WORK/sites.jsonl" --stats "$WORK/align1.json" > "$WORK/one.jsonl"
REPRINT_MPI_ROUND_BYTES=2048 REPRINT_MPI_MAX_COUNT=96 $MPIRUN -x REPRINT_MPI_ROUND_BYTES -x REPRINT_MPI_MAX_COUNT \
    -n 3 "$BIN" align --threads 1 "$WORK/sites.jsonl" --stats "$WORK/align3.json" -o "$WORK/align3.jsonl" \
    2> "$WORK/align3.err"
check "align in rounds of 2 KB and counts of 96 bytes, to -o FILE: the same alignments" \
    cmp -s "$WORK/one.jsonl" "$WORK/align3.jsonl"
check "align --stats: one process's counts, and what each rank did" python3 - "$WORK/align1.json" \
    "$WORK/align3.json" <<'PY'
import json, sys
one, ranks = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k, v in one.items():
    if "seconds" not in k and k != "threads":
        assert ranks[k] == v, (k, v, ranks[k])
r = ranks["ranks"]
assert len(r) == 3 and sum(x["records"] for x in r) == one["read"]
assert sum(x["ghosts"] for x in r) > 0 and ranks["rounds"] > 100
PY
check "align: the summary says where the time went" grep -q "reprint align: 3 ranks: .* MB exchanged" "$WORK/align3.err"
# pairs: a rank lost after its first stage, the rerun resumes there
"$BIN" pairs -q --threads 1 --threshold 0.3 "$WORK/gen.jsonl" > "$WORK/pairs1.jsonl"
rm -rf "$WORK/ck" && mkdir "$WORK/ck"
REPRINT_MPI_DIE_AFTER=1 $MPIRUN -x REPRINT_MPI_DIE_AFTER -n 3 "$BIN" pairs -q --threads 1 --threshold 0.3 \
    --checkpoint "$WORK/ck" "$WORK/gen.jsonl" > /dev/null 2>&1
rc=$?
$MPIRUN -n 3 "$BIN" pairs -q --threads 1 --threshold 0.3 --checkpoint "$WORK/ck" "$WORK/gen.jsonl" > "$WORK/ranks.jsonl"
rm -rf "$WORK/ck1" && mkdir "$WORK/ck1"
"$BIN" pairs -q --threads 1 --threshold 0.3 --checkpoint "$WORK/ck1" "$WORK/gen.jsonl" > /dev/null
"$BIN" pairs -q --threads 1 --threshold 0.3 --checkpoint "$WORK/ck1" "$WORK/gen.jsonl" > "$WORK/pairs-again.jsonl"
check "pairs: rank 1 lost after stage 1 (exit $rc), the rerun lists one process's pairs; one process resumes too" \
    bash -c "test $rc -ne 0 && cmp -s '$WORK/pairs1.jsonl' '$WORK/ranks.jsonl' && cmp -s '$WORK/pairs1.jsonl' '$WORK/pairs-again.jsonl' &&
             test -s '$WORK/ck1/rank-0-of-1.pairs' && test \$(wc -l < '$WORK/pairs1.jsonl') -gt 20"

# align --human: each rank shows its alignments, rank 0's part under the title
human_same() {
    local c=$1
    "$BIN" align -q --human --threads 1 "$c" > "$WORK/h1.txt" || return 1
    for n in 2 3 7; do
        $MPIRUN -n $n "$BIN" align -q --human --threads 1 "$c" > "$WORK/hn.txt" 2> /dev/null &&
            cmp -s "$WORK/h1.txt" "$WORK/hn.txt" || { echo "# $n ranks"; return 1; }
    done
    grep -q "Pairs of documents sharing passages" "$WORK/h1.txt"
}
check "align --human on 2, 3 and 7 ranks: one process's readable view (sample)" human_same "$ROOT/examples/news.jsonl"
check "align --human on 2, 3 and 7 ranks: one process's readable view (templated sites)" human_same "$WORK/sites.jsonl"
printf '{"id": "alone", "text": "nothing here is shared with anything"}\n' > "$WORK/alone.jsonl"
check "align --human with nothing shared: none, said once" human_same "$WORK/alone.jsonl"
# dedup and pairs --human: the clusters and the pairs shown on rank 0
view_same() { # command corpus
    local cmd=$1 c=$2
    "$BIN" "$cmd" -q --human --skip-bad --threads 1 "$c" > "$WORK/v1.txt" 2> /dev/null || return 1
    for n in 2 3 7; do
        $MPIRUN -n $n "$BIN" "$cmd" -q --human --skip-bad --threads 1 "$c" > "$WORK/vn.txt" 2> /dev/null &&
            cmp -s "$WORK/v1.txt" "$WORK/vn.txt" || { echo "# $cmd, $n ranks"; return 1; }
    done
    [ "$(wc -l < "$WORK/v1.txt")" -gt 5 ]
}
check "dedup --human on 2, 3 and 7 ranks: one process's clusters view" view_same dedup "$WORK/noid.jsonl"
check "pairs --human on 2, 3 and 7 ranks: one process's pairs view" view_same pairs "$WORK/noid.jsonl"

# align: a rank lost after each of its two stages, the rerun resumes there
for stage in 1 2; do
    rm -rf "$WORK/ck" && mkdir "$WORK/ck"
    REPRINT_MPI_DIE_AFTER=$stage $MPIRUN -x REPRINT_MPI_DIE_AFTER -n 3 "$BIN" align -q --threads 1 \
        --checkpoint "$WORK/ck" "$WORK/sites.jsonl" > /dev/null 2>&1
    rc=$?
    $MPIRUN -n 3 "$BIN" align --threads 1 --checkpoint "$WORK/ck" "$WORK/sites.jsonl" \
        --stats "$WORK/resumed.json" > "$WORK/ranks.jsonl" 2> "$WORK/resumed.err"
    check "align: rank 1 lost after stage $stage (exit $rc): the rerun resumes there, the same alignments and counts" \
        bash -c "test $rc -ne 0 && cmp -s '$WORK/one.jsonl' '$WORK/ranks.jsonl' && grep -q 'align: resumed from the checkpoint' '$WORK/resumed.err' &&
                 python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); o=json.load(open(sys.argv[2]));
sys.exit(not (all(r[\"resumed_stage\"] == $stage for r in s[\"ranks\"]) and all(s[k] == v for k, v in o.items() if \"seconds\" not in k and k != \"threads\")))' '$WORK/resumed.json' '$WORK/align1.json'"
done
rm -rf "$WORK/ck" && mkdir "$WORK/ck"
"$BIN" align -q --threads 1 --checkpoint "$WORK/ck" "$WORK/sites.jsonl" > /dev/null
"$BIN" align -q --threads 1 --checkpoint "$WORK/ck" "$WORK/sites.jsonl" > "$WORK/ranks.jsonl"
check "align, one process with --checkpoint: the rerun reads it back, the same alignments" \
    bash -c "cmp -s '$WORK/one.jsonl' '$WORK/ranks.jsonl' && test -s '$WORK/ck/rank-0-of-1.candidates'"
$MPIRUN -n 3 "$BIN" align -q --threads 1 "$WORK/bad.jsonl" > /dev/null 2> "$WORK/bad.err"
rc=$?
check "align of bad input without --skip-bad: exit 1, the line named once" \
    bash -c "test $rc -eq 1 && test \$(grep -c 'bad.jsonl:[0-9]*:' '$WORK/bad.err') -eq 1"

# several files: one run of bytes divided among the ranks, whatever the
# files' sizes (an empty one, one whose last line has no newline)
python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines(keepends=True)
cut = [0, len(lines) // 5, len(lines) // 5, len(lines) * 3 // 5, len(lines) * 3 // 5 + 9, len(lines)]
for k in range(5):
    part = "".join(lines[cut[k]:cut[k + 1]])
    open(sys.argv[2] + "/part%d.jsonl" % k, "w").write(part[:-1] if k == 3 else part)' \
    "$WORK/noid.jsonl" "$WORK"
parts="$WORK/part0.jsonl $WORK/part1.jsonl $WORK/part2.jsonl $WORK/part3.jsonl $WORK/part4.jsonl"
check "dedup of five files (id-less records, blank and bad lines): one process's output" same parts \
    --skip-bad --threads 1 $parts
CMD=pairs check "pairs of five files: one process's pairs, named by file and line" same parts --skip-bad \
    --threads 1 --threshold 0.3 $parts
CMD=align check "align of five files: one process's alignments" same parts --skip-bad --threads 1 $parts
CMD=align check "align --groups of five files: one process's groups" same parts --groups --skip-bad --threads 1 $parts
"$BIN" dedup -q --skip-bad --threads 1 $parts > "$WORK/one.jsonl" 2> /dev/null
$MPIRUN -n 7 "$BIN" dedup -q --skip-bad --threads 1 $parts -o "$WORK/out.jsonl" 2> /dev/null
check "dedup of five files to -o FILE on 7 ranks: the same output" cmp -s "$WORK/one.jsonl" "$WORK/out.jsonl"
lost_and_resumed() { # align of the files on 3 ranks, rank 1 lost after stage 2, then rerun: one process's
    "$BIN" align -q --skip-bad --threads 1 "$@" > "$WORK/one.jsonl" 2> /dev/null
    rm -rf "$WORK/ck" && mkdir "$WORK/ck"
    REPRINT_MPI_DIE_AFTER=2 $MPIRUN -x REPRINT_MPI_DIE_AFTER -n 3 "$BIN" align -q --skip-bad --threads 1 \
        --checkpoint "$WORK/ck" "$@" > /dev/null 2>&1 && { echo "# no rank was lost"; return 1; }
    $MPIRUN -n 3 "$BIN" align --skip-bad --threads 1 --checkpoint "$WORK/ck" "$@" > "$WORK/ranks.jsonl" \
        2> "$WORK/resumed.err"
    cmp -s "$WORK/one.jsonl" "$WORK/ranks.jsonl" && grep -q 'resumed from the checkpoint' "$WORK/resumed.err"
}
check "align of five files, rank 1 lost after stage 2: the rerun resumes, the same alignments" lost_and_resumed $parts
swapped="$WORK/part0.jsonl $WORK/part2.jsonl $WORK/part1.jsonl $WORK/part3.jsonl $WORK/part4.jsonl"
"$BIN" align -q --skip-bad --threads 1 $swapped > "$WORK/one.jsonl" 2> /dev/null
$MPIRUN -n 3 "$BIN" align --skip-bad --threads 1 --checkpoint "$WORK/ck" $swapped > "$WORK/ranks.jsonl" 2> "$WORK/other.err"
check "a checkpoint of the files in another order is not used" \
    bash -c "cmp -s '$WORK/one.jsonl' '$WORK/ranks.jsonl' && ! grep -q 'resumed' '$WORK/other.err'"
# compressed files: each decompressed once, by one rank, where every rank
# reads it; removed at the end, or kept in the checkpoint directory
gzip -c "$WORK/part1.jsonl" > "$WORK/part1.jsonl.gz" # empty
gzip -c "$WORK/part2.jsonl" > "$WORK/part2.jsonl.gz"
zstd -q -c "$WORK/part3.jsonl" > "$WORK/part3.jsonl.zst"
packed="$WORK/part0.jsonl $WORK/part1.jsonl.gz $WORK/part2.jsonl.gz $WORK/part3.jsonl.zst $WORK/part4.jsonl"
mkdir -p "$WORK/tmp"
check "dedup of gzip and zstd files among plain ones: one process's output" same packed \
    --skip-bad --threads 1 --tmp-dir "$WORK/tmp" $packed
CMD=align check "align of gzip and zstd files: one process's alignments" same packed --skip-bad --threads 1 \
    --tmp-dir "$WORK/tmp" $packed
check "no decompressed file is left behind" bash -c "test -z \"\$(ls -A '$WORK/tmp')\""
check "align of compressed files, rank 1 lost after stage 2: the rerun resumes, the same alignments" \
    lost_and_resumed $packed
check "the three decompressed inputs are kept in the checkpoint directory for the rerun" \
    test "$(ls "$WORK/ck"/input-*.jsonl | wc -l)" -eq 3
head -c 3000 "$WORK/part2.jsonl.gz" > "$WORK/cut.jsonl.gz"
$MPIRUN -n 2 "$BIN" dedup -q --skip-bad --threads 1 --tmp-dir "$WORK/tmp" "$WORK/part0.jsonl" "$WORK/cut.jsonl.gz" \
    > /dev/null 2> "$WORK/gz.err"
rc=$?
check "a truncated compressed input under mpirun: exit 1, named once, nothing left behind" \
    bash -c "test $rc -eq 1 && test \$(grep -c 'cut.jsonl.gz: gzip data ends early' '$WORK/gz.err') -eq 1 &&
             test -z \"\$(ls -A '$WORK/tmp')\""
$MPIRUN -n 2 "$BIN" dedup -q --threads 1 "$WORK/part0.jsonl" "$WORK" > /dev/null 2> "$WORK/dir.err"
rc=$?
check "a directory under mpirun: a usage error naming it, said once" \
    bash -c "test $rc -eq 2 && test \$(grep -c 'a distributed run reads JSONL files' '$WORK/dir.err') -eq 1"

# what is not distributed yet says so
$MPIRUN -n 2 "$BIN" stories "$ROOT/examples/news.jsonl" > /dev/null 2> "$WORK/stories.err"
rc=$?
check "stories under mpirun: a usage error, said once" \
    bash -c "test $rc -eq 2 && test \$(grep -c 'only dedup, pairs and align run distributed' '$WORK/stories.err') -eq 1"

checks_done
