#!/usr/bin/env bash
# The verdict of a test run, for scripts/test.sh: counts the results in dotnet test's TRX files, says on standard
# error why the run failed when it did, lists each failed test with the first lines of its message, and ends with one
# line "N passed, N failed, N skipped".
#
#   scripts/test-summary.sh --results DIR --log FILE --exit-code N [--filter EXPR] [--format-failed]
#
#   --results DIR     the directory dotnet test wrote its TRX files into
#   --log FILE        what dotnet test printed
#   --exit-code N     dotnet test's exit code
#   --filter EXPR     the filter the tests ran with, if any
#   --format-failed   the format check failed: it counts as one failed test
#
# Exits 1 when a test failed, when a test was skipped (no test here may skip: a test that cannot run must fail and
# say why), when no test ran, when dotnet test failed without a failed test (a build error), or when the format
# check failed; 2 on a usage error.
set -euo pipefail

usage() {
    echo "usage: $0 --results DIR --log FILE --exit-code N [--filter EXPR] [--format-failed]" >&2
    exit 2
}

results_dir="" log="" exit_code="" filter="" format_failed=false
while (($#)); do
    case $1 in
        --results | --log | --exit-code | --filter)
            (($# >= 2)) || usage
            case $1 in
                --results) results_dir=$2 ;;
                --log) log=$2 ;;
                --exit-code) exit_code=$2 ;;
                --filter) filter=$2 ;;
            esac
            shift 2
            ;;
        --format-failed)
            format_failed=true
            shift
            ;;
        *) usage ;;
    esac
done
if [ -z "$results_dir" ] || [ -z "$log" ] || ! [[ $exit_code =~ ^[0-9]+$ ]]; then
    usage
fi

# skipped_results TRX...: one line per test that did not run (skipped, inconclusive, not runnable).
skipped_results() {
    grep -ho '<UnitTestResult [^>]*outcome="\(NotExecuted\|Inconclusive\|NotRunnable\|Pending\)"[^>]*>' "$@" || true
}

# failed_results TRX...: each failed test's name (failed, error, timeout or aborted) and the first lines of its message,
# entities decoded. Printed just before the verdict so that a log cut to its last lines (as CI shows it) still says which
# test failed and why.
failed_results() {
    awk '
        function decode(text,    code) {
            gsub(/&lt;/, "<", text); gsub(/&gt;/, ">", text); gsub(/&quot;/, "\"", text); gsub(/&apos;/, "\047", text)
            # Character references (a carriage return, an escape) would only garble the line: shown as a space.
            gsub(/&#x?[0-9A-Fa-f]+;/, " ", text)
            gsub(/&amp;/, "\\&", text)
            return text
        }
        /<UnitTestResult / {
            in_result = 0; in_message = 0
            if ($0 !~ /outcome="(Failed|Error|Timeout|Aborted)"/) next
            name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
            print "  FAILED " decode(name)
            # A result written as one empty element has no message to follow.
            in_result = $0 !~ /\/>[ \t]*$/
            lines = 0
        }
        in_result && /<Message>/ { in_message = 1; sub(/.*<Message>/, "") }
        in_message {
            done = sub(/<\/Message>.*/, "")
            if (lines < 8) print "    " decode($0)
            else if (lines == 8) print "    ..."
            lines++
            if (done) in_message = 0
        }
        /<\/UnitTestResult>/ { in_result = 0; in_message = 0 }
    ' "$@"
}

# dotnet test's own summary is per project; CI wants one line for the whole run.
passed=0 failed=0 skipped=0 files=0
for trx in "$results_dir"/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    # A results file cut short (a crashed test host) may hold no counters: count what it has, never stop here.
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1 || true)
    value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    # The counters leave skipped tests out (total exceeds executed instead): count the results themselves.
    skipped=$((skipped + $(skipped_results "$trx" | wc -l)))
done
failed_tests=$failed

# dotnet test (VSTest) prints this for each test project in which the filter selects no test, and exits 0; it may
# write an empty TRX file for it, or none at all.
filter_selected_none() {
    [ -n "$filter" ] && [ -f "$log" ] && grep -q "No test matches the given testcase filter" "$log"
}

if [ $((passed + failed + skipped)) -eq 0 ]; then
    if filter_selected_none; then
        echo "no test ran: --filter '$filter' selects no test (dotnet test: \"No test matches the given testcase filter\")" >&2
    elif [ "$files" -eq 0 ]; then
        echo "no test ran, and dotnet test wrote no results" >&2
    else
        echo "no test ran" >&2
    fi
    failed=$((failed + 1))
fi
if [ "$exit_code" -ne 0 ] && [ "$failed_tests" -eq 0 ]; then
    if [ -f "$log" ] && grep -qE "Test host process crashed|[Tt]est [Rr]un [Aa]borted|The active test run was aborted" "$log"; then
        echo "dotnet test exited with $exit_code: a test host crashed or the run was aborted (see its output above)" >&2
    else
        echo "dotnet test exited with $exit_code though no test failed: the build probably failed (see its output above)" >&2
    fi
    [ "$failed" -ne 0 ] || failed=1
fi
if [ "$skipped" -ne 0 ]; then
    echo "$skipped test(s) skipped; a skipped test counts as a failure here:" >&2
    skipped_results "$results_dir"/*.trx | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/  \1/' >&2 || true
fi
if $format_failed; then
    echo "formatting check failed (dotnet format --verify-no-changes): counted as 1 failed" >&2
    failed=$((failed + 1))
fi

if [ "$failed_tests" -ne 0 ]; then
    echo "failed tests ($failed_tests):"
    listing=$(failed_results "$results_dir"/*.trx || true)
    echo "$listing" | head -n 200 || true
    if [ "$(echo "$listing" | wc -l)" -gt 200 ]; then
        echo "  ... (more in the TRX files in $results_dir)"
    fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$exit_code" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
    exit 1
fi
