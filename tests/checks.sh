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
