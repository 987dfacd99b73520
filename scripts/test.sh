#!/usr/bin/env bash
# Sets up everything the tests need (packages, PostgreSQL+PostGIS, Redis, Ceph radosgw on loopback)
# and runs the tests. Ends with one line "N passed, N failed, N skipped" counted from the TRX results.
#
#   scripts/test.sh [--filter EXPR] [--skip-format]
#
#   --filter EXPR, --filter=EXPR   run only the tests EXPR selects (dotnet test --filter syntax, e.g.
#                                  'FullyQualifiedName~PrivatePostgres')
#   --skip-format                  leave out the first step, the check that 'dotnet format' would change
#                                  nothing (a failure there is reported, the tests still run, and it
#                                  counts as one failed test)
#
# Exits non-zero when a test failed, when a test was skipped (no test here may skip: a test that
# cannot run must fail and say why), when no test ran, or when the format check failed.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--filter EXPR] [--skip-format]" >&2
    exit 2
}

filter=""
verify_format=true
while (($#)); do
    case $1 in
        --filter)
            (($# >= 2)) || usage
            filter=$2
            shift 2
            ;;
        --filter=*)
            filter=${1#--filter=}
            shift
            ;;
        --skip-format)
            verify_format=false
            shift
            ;;
        *) usage ;;
    esac
done

state_dir="${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}"
results_dir="$PWD/artifacts/test-results"

# Formatting first: it needs no servers, and its verdict is known before the long part starts.
format_failed=false
if $verify_format; then
    echo "checking formatting: dotnet format Lifeboat.slnx --verify-no-changes"
    if ! dotnet format Lifeboat.slnx --verify-no-changes; then
        format_failed=true
        echo "dotnet format found code that is not formatted (above); 'dotnet format Lifeboat.slnx' fixes it." >&2
        echo "The tests run anyway; the format check counts as 1 failed." >&2
    fi
fi

scripts/devstack.sh start
# shellcheck source=/dev/null
source "$state_dir/env.sh"

rm -rf "$results_dir"
mkdir -p "$results_dir"

# The CLI tests run the executable as it ships (Native AOT), not the JIT build: what the trimmer removed
# or what needs reflection fails here. Published whatever the filter: a filtered run may hold CLI tests.
cli_dir="$PWD/artifacts/lifeboat"
echo "publishing lifeboat (Native AOT) into $cli_dir"
if ! dotnet publish src/Lifeboat.Cli -c Release -o "$cli_dir" --nologo -v quiet; then
    echo "dotnet publish failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
export LIFEBOAT_TEST_CLI="$cli_dir/lifeboat"

filter_args=()
if [ -n "$filter" ]; then
    echo "running only the tests that --filter '$filter' selects"
    filter_args=(--filter "$filter")
fi

status=0
dotnet test Lifeboat.slnx -c Release "${filter_args[@]}" \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results_dir" || status=$?

# skipped_results TRX...: one line per test that did not run (skipped, inconclusive, not runnable).
skipped_results() {
    grep -ho '<UnitTestResult [^>]*outcome="\(NotExecuted\|Inconclusive\|NotRunnable\|Pending\)"[^>]*>' "$@" || true
}

# dotnet test's own summary is per project; CI wants one line for the whole run.
passed=0 failed=0 skipped=0 files=0
for trx in "$results_dir"/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    # The counters leave skipped tests out (total exceeds executed instead): count the results themselves.
    skipped=$((skipped + $(skipped_results "$trx" | wc -l)))
done

if [ "$files" -eq 0 ]; then
    echo "no test results were written (the build probably failed)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

if [ "$skipped" -ne 0 ]; then
    echo "$skipped test(s) skipped; a skipped test counts as a failure here:" >&2
    skipped_results "$results_dir"/*.trx | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/  \1/' >&2 || true
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
    echo "no test ran${filter:+: --filter '$filter' selects none}" >&2
    failed=1
fi
if $format_failed; then
    echo "formatting check failed (dotnet format --verify-no-changes): counted as 1 failed" >&2
    failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ]; then
    exit 1
fi
