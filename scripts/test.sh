#!/usr/bin/env bash
# Sets up everything the tests need (packages, PostgreSQL+PostGIS, Redis, Ceph radosgw on loopback)
# and runs every test. Ends with one line "N passed, N failed, N skipped" counted from the TRX results.
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}"
results_dir="$PWD/artifacts/test-results"

scripts/devstack.sh start
# shellcheck source=/dev/null
source "$state_dir/env.sh"

rm -rf "$results_dir"
mkdir -p "$results_dir"

# The CLI tests run the executable as it ships (Native AOT), not the JIT build: what the trimmer removed
# or what needs reflection fails here.
cli_dir="$PWD/artifacts/lifeboat"
echo "publishing lifeboat (Native AOT) into $cli_dir"
if ! dotnet publish src/Lifeboat.Cli -c Release -o "$cli_dir" --nologo -v quiet; then
    echo "dotnet publish failed" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
export LIFEBOAT_TEST_CLI="$cli_dir/lifeboat"

status=0
dotnet test Lifeboat.slnx -c Release \
    --logger "trx" --logger "console;verbosity=normal" \
    --results-directory "$results_dir" || status=$?

# dotnet test's own summary is per project; CI wants one line for the whole run.
passed=0 failed=0 skipped=0 files=0
for trx in "$results_dir"/*.trx; do
    [ -e "$trx" ] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    skipped=$((skipped + $(value notExecuted)))
done

if [ "$files" -eq 0 ]; then
    echo "no test results were written (the build probably failed)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
    exit 1
fi
