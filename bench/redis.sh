#!/usr/bin/env bash
# redis.sh — Lifeboat's Redis snapshot against redis-cli --rdb, side by side, on one dataset in one run,
# and the time a server takes to come back on the RDB. See bench/README.md for what each row means.
#
#   bench/redis.sh [--quick] [--size MB] [--populate N] [--runs N] [--port P] [--no-build] [--keep]
#                  [--note TEXT] [--out FILE]
#
#   --quick          smoke run: a 100 MB dataset, 1 run (a few minutes)
#   --size MB        megabytes of values written by lib/redis-dataset.py (default 800; with --populate's
#                    small keys, used_memory comes to ~1.2 GB)
#   --populate N     small keys added with DEBUG POPULATE (default 1000000; --quick: 100000)
#   --runs N         timed runs of each row (default 3)
#   --port P         port of the benchmark's own redis-server (default 56479; the restarted one uses P+1,
#                    a restore target P+2)
#   --no-build       use the lifeboat already published in bench/work/bin
#   --keep           keep bench/work/redis/run (repositories, RDB files, logs)
#   --note TEXT      a line for the results file (e.g. what else ran on the machine)
#   --out FILE       results file (default bench/results/redis-<UTC date>.md, -quick.md for --quick)
#
# Needs redis-server and redis-cli 7 (Debian's), python3, jq, GNU time; no root. Leaves every other
# server alone: it runs its own redis-server on the dataset in bench/work/redis/dataset-<MB>-<N>
# (generated once, kept as its dump.rdb for the next run; `rm -rf bench/work/redis` reclaims it).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$BENCH_DIR/work
LIB=$BENCH_DIR/lib
# shellcheck source=lib/machine.sh
source "$LIB/machine.sh"

INVOCATION=$(invocation_line bench/redis.sh "REDIS_BENCH_NOISY_CORES REDIS_BENCH_QUIET_WAIT_S" "$@")

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

SIZE_MB=800
POPULATE=1000000
RUNS=3
PORT=56479
BUILD=true
KEEP=false
OUT=
NOTE=
QUICK=false
# The machine is shared: before each timed run the script waits (up to QUIET_WAIT_S) for other
# people's processes to use at most NOISY_CORES, and records what they used during the run either way.
NOISY_CORES=${REDIS_BENCH_NOISY_CORES:-0.5}
QUIET_WAIT_S=${REDIS_BENCH_QUIET_WAIT_S:-120}

usage() {
    sed -n '3,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while (($#)); do
    case $1 in
        --quick) QUICK=true; SIZE_MB=100; POPULATE=100000; RUNS=1
            QUIET_WAIT_S=${REDIS_BENCH_QUIET_WAIT_S:-0}; shift ;;
        --size) SIZE_MB=${2:?}; shift 2 ;;
        --populate) POPULATE=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --port) PORT=${2:?}; shift 2 ;;
        --no-build) BUILD=false; shift ;;
        --keep) KEEP=true; shift ;;
        --note) NOTE=${2?}; shift 2 ;;
        --out) OUT=$(realpath -m -- "${2:?}"); shift 2 ;;
        -h | --help) usage ;;
        *) echo "redis-bench: unknown argument '$1'" >&2; usage ;;
    esac
done
for n in "$SIZE_MB" "$RUNS" "$PORT"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || usage
done
[[ $POPULATE =~ ^[0-9]+$ ]] || usage

# ---------------------------------------------------------------------------------------------
# Layout: everything under bench/work/redis (gitignored)
# ---------------------------------------------------------------------------------------------

LB_BIN=$WORK/bin
LB=$LB_BIN/lifeboat
REDIS_WORK=$WORK/redis
DATASET=$REDIS_WORK/dataset-$SIZE_MB-$POPULATE   # the source server's directory; its dump.rdb is kept between runs
RUN=$REDIS_WORK/run                              # repositories, RDB files, restarted servers; new every run
OUTD=$REDIS_WORK/out                             # samples, logs, results.jsonl; new every run
RESULTS=$OUTD/results.jsonl
RESTART_PORT=$((PORT + 1))
TARGET_PORT=$((PORT + 2))
SOURCE_PID=

log() { printf '%s redis-bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }

preflight() {
    local tool
    for tool in redis-server redis-cli python3 jq dotnet /usr/bin/time ss; do
        command -v "$tool" >/dev/null || die "$tool is missing"
    done
    if ! [[ $(redis-server --version) =~ v=([0-9]+) ]] || ((BASH_REMATCH[1] < 7)); then
        die "redis-server 7 or later is needed (rdb-only replicas)"
    fi
}

# ---------------------------------------------------------------------------------------------
# Measuring (as bench/pg-pitr.sh)
# ---------------------------------------------------------------------------------------------

record() { printf '%s\n' "$1" >>"$RESULTS"; }

# timed ROW RUN FUNCTION ARGS...: one timed run of FUNCTION (machine.sh's timed_run: every process it
# starts, their peak RSS and CPU, and the machine's foreign load). FUNCTION prints the output's size in
# bytes on fd 3 (or nothing).
timed() {
    local row=$1 run=$2
    shift 2
    local dir=$OUTD/$row-$run rc=0
    # No PostgreSQL process is the run's: a database and cluster regex that match nothing.
    timed_run "$dir" '(?!)' '' '(?!)' "$@" || rc=$?
    if ((rc != 0)); then
        tail -n 20 "$dir/stderr" >&2
        die "$row (run $run) failed with exit code $rc; logs in $dir"
    fi
    record "$(jq -cn --arg row "$row" --argjson run "$run" --argjson wall "$TIMED_WALL" \
        --arg bytes "$(cat "$dir/out_bytes")" --arg sample "$dir/sample.json" --arg stdout "$dir/stdout" \
        '{row: $row, run: $run, wall_s: $wall, bytes: ($bytes | tonumber? // 0), sample: $sample, stdout: $stdout}')"
    log "$row run $run: ${TIMED_WALL} s (foreign load $(jq -r '(.foreign_s / .wall_s * 100 | round) / 100' "$dir/sample.json") cores)"
}

# ---------------------------------------------------------------------------------------------
# Servers of the benchmark's own
# ---------------------------------------------------------------------------------------------

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

# server_config DIR PORT: a redis.conf for a server of the benchmark's in DIR. Diskless replication
# (Redis 7's default) without its 5 s wait for more replicas, which would pad every snapshot alike;
# nothing saved unless asked.
server_config() {
    cat >"$1/redis.conf" <<EOF
# Written by bench/redis.sh.
bind 127.0.0.1
port $2
protected-mode yes
daemonize no
dir $1
dbfilename dump.rdb
logfile $1/redis.log
save ""
appendonly no
repl-diskless-sync yes
repl-diskless-sync-delay 0
enable-debug-command local
EOF
}

# wait_loaded PORT [TIMEOUT_S]: until the server answers PING and INFO says it is not loading.
wait_loaded() {
    local port=$1 timeout=${2:-900} waited=0
    while :; do
        if [[ $(cli "$port" PING 2>/dev/null) == PONG ]] &&
            cli "$port" INFO persistence 2>/dev/null | grep -q '^loading:0'; then
            return 0
        fi
        ((waited < timeout * 20)) || return 1
        sleep 0.05
        waited=$((waited + 1))
    done
}

keys_of() { cli "$1" INFO keyspace | tr -d '\r' | sed -n 's/^db[0-9]*:keys=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }'; }

start_source() {
    port_free "$PORT" || die "port $PORT is taken; pass --port with a free one (P+1 and P+2 are used too)"
    port_free "$RESTART_PORT" || die "port $RESTART_PORT is taken; pass another --port"
    port_free "$TARGET_PORT" || die "port $TARGET_PORT is taken; pass another --port"
    mkdir -p "$DATASET"
    server_config "$DATASET" "$PORT"
    redis-server "$DATASET/redis.conf" >/dev/null 2>&1 &
    SOURCE_PID=$!
    wait_loaded "$PORT" || die "the benchmark's redis-server did not come up; see $DATASET/redis.log"
}

# ensure_dataset: the dataset, generated once (lib/redis-dataset.py, then DEBUG POPULATE) and saved
# as the source server's dump.rdb, which later runs start from.
ensure_dataset() {
    if [[ -e $DATASET/complete ]]; then
        log "dataset $(basename "$DATASET") loaded from its dump.rdb ($(keys_of "$PORT") keys)"
        return 0
    fi
    log "generating the dataset: $SIZE_MB MB of values of every type (lib/redis-dataset.py), then DEBUG POPULATE $POPULATE (untimed, once)"
    cli "$PORT" FLUSHALL >/dev/null
    python3 "$LIB/redis-dataset.py" "$SIZE_MB" | cli "$PORT" --pipe >"$OUTD/dataset.log" 2>&1 ||
        die "loading the dataset failed; see $OUTD/dataset.log"
    grep -q 'errors: 0' "$OUTD/dataset.log" || die "the dataset's commands had errors; see $OUTD/dataset.log"
    ((POPULATE == 0)) || cli "$PORT" DEBUG POPULATE "$POPULATE" pop 100 >/dev/null
    cli "$PORT" SAVE >/dev/null
    touch "$DATASET/complete"
}

stop_pid() {
    [[ -n ${1:-} ]] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    wait "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------------

# (a) redis-cli --rdb FILE: SYNC with rdb-only, the RDB written to a file, fsynced by redis-cli itself.
row_redis_cli() {
    local file=$RUN/cli-$1.rdb
    redis-cli -h 127.0.0.1 -p "$PORT" --rdb "$file" >/dev/null
    stat -c %s "$file" >&3
}

# lb_config RUN: lifeboat with a fresh local directory repository, encrypted with a key file; initialised.
lb_config() {
    local dir=$RUN/lifeboat-$1 conf
    mkdir -p "$dir"
    conf=$dir/lifeboat.yaml
    cat >"$conf" <<EOF
# Written by bench/redis.sh.
repository:
  url: $dir/repo
  encryption: { keyFile: $dir/repo.key }
redis:
  - { name: bench, host: 127.0.0.1, port: $PORT }
EOF
    "$LB" --config "$conf" -q init >/dev/null || die "lifeboat init failed with $conf"
    echo "$conf"
}

# (b) lifeboat backup redis: the same SYNC, the RDB checked (header, CRC64) and stored through zstd and
# AES-256-GCM into the repository (fsynced), then the manifest. Prints its --json summary.
row_lifeboat() {
    local conf=$1
    "$LB" --config "$conf" backup redis --name bench --json
    du -sb "$(dirname "$conf")/repo" | cut -f1 >&3
}

# (c) restart on the RDB: redis-server started on the file redis-cli wrote, until it answers PING with
# the dataset loaded (INFO persistence loading:0). The file was just written: it is in the page cache.
row_restart() {
    local dir=$RUN/restart-$1
    redis-server "$dir/redis.conf" >/dev/null 2>&1 &
    echo $! >"$dir/pid"
    wait_loaded "$RESTART_PORT" || { echo "the restarted server did not load; see $dir/redis.log" >&2; return 1; }
    keys_of "$RESTART_PORT" >"$dir/keys"
    stat -c %s "$dir/dump.rdb" >&3
}

prepare_restart() {
    local dir=$RUN/restart-$1
    mkdir -p "$dir"
    server_config "$dir" "$RESTART_PORT"
    ln "$RUN/cli-$1.rdb" "$dir/dump.rdb"
}

finish_restart() {
    local dir=$RUN/restart-$1 keys
    keys=$(cat "$dir/keys")
    stop_pid "$(cat "$dir/pid")"
    [[ $keys == "$SOURCE_KEYS" ]] || die "the restarted server holds $keys keys, the source $SOURCE_KEYS"
}

# (d) lifeboat restore redis --to-server: the run's backup replayed into an empty redis-server of the
# benchmark's (started untimed before the row), verify pass and pipelined RESTORE included. Prints
# lifeboat's --json summary; the RDB's size goes on fd 3.
prepare_to_server() {
    local dir=$RUN/target-$1
    mkdir -p "$dir"
    server_config "$dir" "$TARGET_PORT"
    redis-server "$dir/redis.conf" >/dev/null 2>&1 &
    echo $! >"$dir/pid"
    wait_loaded "$TARGET_PORT" 60 || die "the restore target did not come up; see $dir/redis.log"
}

row_to_server() {
    local conf=$1 run=$2
    "$LB" --config "$conf" restore redis --name bench --backup latest --to-server "127.0.0.1:$TARGET_PORT" --json
    stat -c %s "$RUN/cli-$run.rdb" >&3
}

finish_to_server() {
    local dir=$RUN/target-$1 keys
    keys=$(keys_of "$TARGET_PORT")
    stop_pid "$(cat "$dir/pid")"
    rm -f "$dir/pid"
    [[ $keys == "$SOURCE_KEYS" ]] || die "the restore target holds $keys keys, the source $SOURCE_KEYS"
}

run_round() {
    local run=$1 conf
    conf=$(lb_config "$run")
    # Contenders take turns; the order reverses every round.
    if ((run % 2)); then
        timed redis_cli "$run" row_redis_cli "$run"
        timed lifeboat "$run" row_lifeboat "$conf"
    else
        timed lifeboat "$run" row_lifeboat "$conf"
        timed redis_cli "$run" row_redis_cli "$run"
    fi
    prepare_restart "$run"
    timed restart "$run" row_restart "$run"
    finish_restart "$run"
    prepare_to_server "$run"
    timed to_server "$run" row_to_server "$conf" "$run"
    finish_to_server "$run"
    # Keep the disk from filling: the next round writes its own copies.
    $KEEP || rm -rf "$RUN/lifeboat-$run/repo" "$RUN/cli-$run.rdb" "$RUN/restart-$run/dump.rdb"
}

# ---------------------------------------------------------------------------------------------
# Setup and report
# ---------------------------------------------------------------------------------------------

build_lifeboat() {
    if $BUILD || [[ ! -x $LB ]]; then
        log "publishing lifeboat (Release, Native AOT) into ${LB_BIN#"$REPO_ROOT"/}"
        rm -rf "$LB_BIN"
        dotnet publish "$REPO_ROOT/src/Lifeboat.Cli" -c Release -o "$LB_BIN" --nologo -v quiet >"$WORK/publish.log" 2>&1 ||
            { tail -n 30 "$WORK/publish.log" >&2; die "dotnet publish failed"; }
    fi
    "$LB" --version >/dev/null || die "$LB does not run"
}

info_field() { cli "$PORT" INFO "$1" | tr -d '\r' | sed -n "s/^$2:\(.*\)/\1/p"; }

facts() {
    machine_facts "$REDIS_WORK" "; the source server's files, the RDB files and the repositories share it"
    printf 'server\t%s\n' "Redis $(info_field server redis_version) ($(redis-server --version | sed 's/^Redis server //')); repl-diskless-sync yes, repl-diskless-sync-delay 0, rdbcompression $(cli "$PORT" CONFIG GET rdbcompression | tail -1), rdbchecksum $(cli "$PORT" CONFIG GET rdbchecksum | tail -1)"
    printf 'dataset\t%s\t%s\t%s\t%s\t%s\n' "$SIZE_MB" "$POPULATE" "$SOURCE_KEYS" "$(info_field memory used_memory)" "$(stat -c %s "$DATASET/dump.rdb")"
    printf 'keyspace\t%s\n' "$(cli "$PORT" INFO keyspace | tr -d '\r' | grep '^db' | tr '\n' ' ')"
    printf 'redis_cli\t%s\n' "$(redis-cli --version)"
    printf 'lifeboat\t%s\n' "$("$LB" --version) (git $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src || echo ', src modified'), dotnet publish -c Release, Native AOT), .NET SDK $(dotnet --version)"
    printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'invocation\t%s\n' "$INVOCATION"
    printf 'runs\t%s\n' "$RUNS"
    printf 'quick\t%s\n' "$QUICK"
    printf 'note\t%s\n' "${NOTE//$'\t'/ }"
    printf 'noisy_cores\t%s\n' "$NOISY_CORES"
    printf 'quiet_wait_s\t%s\n' "$QUIET_WAIT_S"
}

# On any exit, also a failed one: stop the servers this run started, never anything else.
cleanup() {
    local pidfile
    for pidfile in "$RUN"/restart-*/pid "$RUN"/target-*/pid; do
        [[ -e $pidfile ]] && stop_pid "$(cat "$pidfile")"
    done
    stop_pid "$SOURCE_PID"
    $KEEP || rm -rf "$RUN"
}

main() {
    preflight
    mkdir -p "$REDIS_WORK" "$BENCH_DIR/results"
    cd "$REDIS_WORK"
    trap cleanup EXIT
    local started=$SECONDS run
    local suffix=
    ! $QUICK || suffix=-quick
    OUT=${OUT:-$BENCH_DIR/results/redis-$(date -u +%Y-%m-%d)$suffix.md}
    rm -rf "$RUN" "$OUTD"
    mkdir -p "$RUN" "$OUTD"

    build_lifeboat
    start_source
    ensure_dataset
    SOURCE_KEYS=$(keys_of "$PORT")
    facts >"$OUTD/facts.tsv"

    for ((run = 1; run <= RUNS; run++)); do
        run_round "$run"
    done

    printf 'total_s\t%s\n' $((SECONDS - started)) >>"$OUTD/facts.tsv"
    printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUTD/facts.tsv"
    python3 "$LIB/redis-report.py" "$OUTD/facts.tsv" "$RESULTS" >"$OUT"
    log "done in $((SECONDS - started)) s; results in ${OUT#"$REPO_ROOT"/}"
}

main
