#!/usr/bin/env bash
# cli_options.sh BIN REPO — the options table (cli/options.c) is the one
# source of the parser, --help and the manual page: the committed man page
# is what the table makes, every option a command's --help lists is one it
# parses, and an option of another command is refused, naming it.
set -u
BIN=$1 REPO=$2
fail=0
check() { local what=$1; shift; if "$@"; then echo "ok   - $what"; else echo "FAIL - $what"; fail=1; fi; }

check "docs/reprint.1 is what 'reprint help --man' makes (regenerate: reprint help --man > docs/reprint.1)" \
    bash -c "'$BIN' help --man | cmp -s - '$REPO/docs/reprint.1'"
check "the man page is valid troff" bash -c "! command -v groff > /dev/null || test -z \"\$(groff -man -Tutf8 -ww -z '$REPO/docs/reprint.1' 2>&1)\""

sample() { # a valid value for an option's metavar
    case $2 in
        X) echo 0.5 ;; N | B | R) echo 3 ;; LIMIT) echo 64M ;; FILE) echo /dev/null ;; DIR) echo /tmp ;;
        F) [ "$1" = --format ] && echo jsonl || echo field ;;
        M) [ "$1" = --boilerplate ] && echo show || echo containment ;;
        *) echo "?" ;;
    esac
}
for cmd in dedup pairs align stories; do
    listed=0 bad=0
    while read -r name metavar; do
        listed=$((listed + 1))
        if [ -z "$metavar" ] || [ "${metavar#-}" != "$metavar" ]; then
            args=("$name")
        else
            args=("$name" "$(sample "$name" "$metavar")")
        fi
        # --version stops the parse after the option was read: 0 means it took it
        if ! "$BIN" "$cmd" "${args[@]}" --version > /dev/null 2>&1; then
            echo "  $cmd refuses ${args[*]}" >&2
            bad=$((bad + 1))
        fi
    done < <("$BIN" help "$cmd" | grep -oE '^  (-[a-z], |    )--[a-z-]+( [A-Z]+)?' | sed -E 's/^ *(-[a-z], )? *//')
    check "$cmd parses all $listed options its --help lists" test "$listed" -gt 10 -a "$bad" -eq 0
done

"$BIN" stories --threshold 0.5 x > /dev/null 2> /tmp/cli_options.$$; rc=$?
check "an option of another command is refused, naming it" bash -c "test $rc -eq 2 && grep -q 'not an option of stories' /tmp/cli_options.$$"
"$BIN" dedup --frobnicate x > /dev/null 2> /tmp/cli_options.$$; rc=$?
check "an unknown option is a usage error" bash -c "test $rc -eq 2 && grep -q 'unknown option: --frobnicate' /tmp/cli_options.$$"
"$BIN" align --min-words 1 x > /dev/null 2> /tmp/cli_options.$$; rc=$?
check "a value out of the table's bounds is refused" bash -c "test $rc -eq 2 && grep -q \"invalid value '1' for --min-words\" /tmp/cli_options.$$"
"$BIN" dedup --threshold > /dev/null 2> /tmp/cli_options.$$; rc=$?
check "a missing value says what it needs" bash -c "test $rc -eq 2 && grep -q 'needs a value' /tmp/cli_options.$$"
rm -f /tmp/cli_options.$$
exit $fail
