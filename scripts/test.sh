#!/usr/bin/env bash
# Sets up everything the tests need (packages, PostgreSQL+PostGIS, Redis, Ceph radosgw on loopback)
# and runs the tests. Ends with one line "N passed, N failed, N skipped" counted from the TRX results.
#
#   scripts/test.sh [--filter EXPR] [--skip-format]
#
#   --filter EXPR, --filter=EXPR   run only the tests EXPR selects (dotnet test --filter syntax, e.g.
#                                  'FullyQualifiedName~PrivatePostgres'); an empty EXPR is a usage error
#   --skip-format                  leave out the first step, the check that 'dotnet format' would change
#                                  nothing (a failure there is reported, the tests still run, and it
#                                  counts as one failed test)
#
# Exits non-zero when a test failed, when a test was skipped (no test here may skip: a test that
# cannot run must fail and say why), when no test ran (a filter that selects none says so), when
# the build failed, or when the format check failed. scripts/test-summary.sh gives the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--filter EXPR] [--skip-format]" >&2
    exit 2
}

# dotnet test takes an empty filter as none and runs every test: not what a caller who passed one meant.
require_filter() {
    if [ -z "$1" ]; then
        echo "--filter needs an expression; leave --filter out to run every test" >&2
        usage
    fi
}

filter=""
verify_format=true
while (($#)); do
    case $1 in
        --filter)
            (($# >= 2)) || usage
            require_filter "$2"
            filter=$2
            shift 2
            ;;
        --filter=*)
            require_filter "${1#--filter=}"
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
test_log="$results_dir/dotnet-test.log"

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

if ! scripts/devstack.sh start; then
    echo "the test servers could not be started (scripts/devstack.sh start, above); no test ran" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
# shellcheck source=/dev/null
source "$state_dir/env.sh"

rm -rf "$results_dir"
mkdir -p "$results_dir"

# The CLI tests run the executable as it ships (Native AOT), not the JIT build: what the trimmer removed
# or what needs reflection fails here. Published whatever the filter: a filtered run may hold CLI tests.
cli_dir="$PWD/artifacts/lifeboat"
echo "publishing lifeboat (Native AOT) into $cli_dir"
if ! dotnet publish src/Lifeboat.Cli -c Release -o "$cli_dir" --nologo -v quiet; then
    echo "dotnet publish failed: no test ran" >&2
    failed=1
    if $format_failed; then
        echo "formatting check failed (dotnet format --verify-no-changes): counted as 1 failed" >&2
        failed=2
    fi
    echo "0 passed, $failed failed, 0 skipped"
    exit 1
fi
export LIFEBOAT_TEST_CLI="$cli_dir/lifeboat"

filter_args=()
if [ -n "$filter" ]; then
    echo "running only the tests that --filter '$filter' selects"
    filter_args=(--filter "$filter")
fi

# The output is kept as well as shown: it tells a filter that selects no test from a failed build.
status=0
dotnet test Lifeboat.slnx -c Release "${filter_args[@]}" \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results_dir" 2>&1 | tee "$test_log" || status=$?

summary_args=(--results "$results_dir" --log "$test_log" --exit-code "$status")
if [ -n "$filter" ]; then
    summary_args+=(--filter "$filter")
fi
if $format_failed; then
    summary_args+=(--format-failed)
fi
exec scripts/test-summary.sh "${summary_args[@]}"
