# checks.sh — the harness of the shell tests (e2e.sh, report.sh, mpi.sh),
# sourced: each check counted and named as it passes or fails, and
# checks_done saying how many of each and failing when any did.
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
checks_done() {
    echo "# $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
# seeds_jsonl ROOT OUT: the seeds (text files beside the repository, when
# present) as one JSONL file OUT, whose path it prints; nothing without them
seeds_jsonl() {
    if [ ! -d "$1/../shared/seeds" ]; then
        echo "skip - ../shared/seeds not present" >&2
        return 0
    fi
    python3 - "$1/../shared/seeds" "$2" <<'PY'
import json, os, sys
d = sys.argv[1]
with open(sys.argv[2], "w") as out:
    for name in sorted(os.listdir(d)):
        out.write(json.dumps({"id": name, "text": open(os.path.join(d, name)).read()}) + "\n")
PY
    echo "$2"
}
