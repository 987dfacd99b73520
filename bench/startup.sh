#!/usr/bin/env bash
# Start-up cost of the published lifeboat executable. PostgreSQL will run it once per WAL segment
# (archive_command) and a CronJob once per backup, so this fixed cost is paid thousands of times a day.
#
# Usage: bench/startup.sh [--runs N] [--compare-jit]
#   --runs N        repetitions per command (default 30; the backup rows use N/3)
#   --compare-jit   also publish the JIT build (framework-dependent, ReadyToRun) and time it alongside
#
# Rows: 'lifeboat --version'; 'lifeboat list' on a repository with a few backups; 'lifeboat backup
# postgres' of an empty database into a local repository, next to 'pg_dump -Fc -Z0' of the same
# database, the floor any backup of it pays. The backup rows need the devstack (scripts/devstack.sh start).
# Prints a Markdown table: min, median and max wall time, and the peak RSS of one run.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=30 compare_jit=0
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --compare-jit) compare_jit=1; shift ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

work="$PWD/bench/work/startup"
rm -rf "$work"
mkdir -p "$work"
aot="$work/aot" jit="$work/jit"
dotnet publish src/Lifeboat.Cli -c Release -o "$aot" --nologo -v quiet
if [ "$compare_jit" -eq 1 ]; then
    dotnet publish src/Lifeboat.Cli -c Release -o "$jit" --nologo -v quiet \
        -p:PublishAot=false -p:PublishReadyToRun=true -p:SelfContained=false -p:TieredCompilation=false
fi

state_dir="${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}"
# shellcheck source=/dev/null
source "$state_dir/env.sh"
export PGPASSWORD="$LIFEBOAT_TEST_PG_PASSWORD"
pgbin=/usr/lib/postgresql/15/bin
pg=(-h "$LIFEBOAT_TEST_PG_HOST" -p "$LIFEBOAT_TEST_PG_PORT" -U "$LIFEBOAT_TEST_PG_USER")
"$pgbin/psql" "${pg[@]}" -d postgres -qc "DROP DATABASE IF EXISTS bench_startup_empty" -c "CREATE DATABASE bench_startup_empty" >/dev/null 2>&1

config="$work/lifeboat.yaml"
cat > "$config" <<YAML
repository:
  url: $work/repo
  encryption: { keyFile: $work/repo.key }
postgres:
  - { name: empty, host: $LIFEBOAT_TEST_PG_HOST, port: $LIFEBOAT_TEST_PG_PORT, database: bench_startup_empty, user: $LIFEBOAT_TEST_PG_USER, passwordEnv: PGPASSWORD, binDir: $pgbin }
YAML
"$aot/lifeboat" --config "$config" init >/dev/null
for _ in 1 2 3 4 5; do "$aot/lifeboat" --config "$config" backup postgres >/dev/null 2>&1; done

# measure LABEL REPETITIONS COMMAND...: one warm-up run, then REPETITIONS timed runs and one under GNU time.
measure() {
    local label="$1" reps="$2"; shift 2
    "$@" >/dev/null 2>&1
    local times=()
    for _ in $(seq "$reps"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    local sorted min max median rss
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    min=$(echo "$sorted" | head -1)
    max=$(echo "$sorted" | tail -1)
    median=$(echo "$sorted" | sed -n "$(( (reps + 1) / 2 ))p")
    /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
    rss=$(tail -1 "$work/rss")
    printf '| %s | %s ms | %s ms | %s ms | %s MB |\n' "$label" "$min" "$median" "$max" "$(( rss / 1024 ))"
}

backup_runs=$(( runs / 3 > 0 ? runs / 3 : 1 ))
echo "Start-up, $runs runs per row ($backup_runs for backups); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | min | median | max | peak RSS |"
echo "|---|---|---|---|---|"
builds=(aot)
[ "$compare_jit" -eq 1 ] && builds+=(jit)
# Listing first, for every build, so each lists the same five backups.
for build in "${builds[@]}"; do
    measure "$build: lifeboat --version" "$runs" "$work/$build/lifeboat" --version
done
for build in "${builds[@]}"; do
    measure "$build: lifeboat list (5 backups)" "$runs" "$work/$build/lifeboat" --config "$config" list
done
for build in "${builds[@]}"; do
    measure "$build: lifeboat backup postgres (empty database)" "$backup_runs" "$work/$build/lifeboat" --config "$config" backup postgres
done
# To a pipe, as Lifeboat runs it (pg_dump -f /dev/null fails: it fsyncs its output file).
measure "pg_dump -Fc -Z0 (same empty database, into a pipe)" "$backup_runs" \
    sh -c '"$0" "$@" | cat >/dev/null' "$pgbin/pg_dump" "${pg[@]}" -Fc -Z0 bench_startup_empty
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
