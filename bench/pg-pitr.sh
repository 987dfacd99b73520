#!/usr/bin/env bash
# pg-pitr.sh — Lifeboat's point-in-time recovery against pgBackRest (Debian's), side by side, on one
# sample database, in one run: base backup, PITR restore, per-segment WAL push latency and archive
# lag under pgbench. See bench/README.md for what each row means.
#
#   bench/pg-pitr.sh [--quick] [--size MB] [--runs N] [--segments N] [--lag-seconds S]
#                    [--load-seconds S] [--scale N] [--only LIST] [--port P] [--no-build] [--keep]
#                    [--note TEXT] [--out FILE]
#
#   --quick          smoke run: 256 MB sample, 1 run, 8 segments, 20 s of pgbench (a few minutes)
#   --size MB        sample database (default 2048 → bench_platform, as bench/pg-logical.sh)
#   --runs N         timed runs of every base backup and restore (default 2)
#   --segments N     WAL segments each tool pushes one by one for the latency rows (default 40)
#   --lag-seconds S  pgbench -c 4 time per archive-lag row (default 180)
#   --load-seconds S pgbench time between the base backups and the PITR target (default 60)
#   --scale N        pgbench scale of the write load's database (default 10: ~160 MB beside the sample)
#   --only LIST      only these phases (comma-separated: backup restore latency lag); restore needs backup
#   --port P         port of the benchmark's own PostgreSQL (default 55470; restores use P+1)
#   --no-build       use the lifeboat already published in bench/work/bin
#   --keep           keep bench/work/pitr/run (repositories, configs, logs)
#   --note TEXT      a line for the results file (e.g. what else ran on the machine)
#   --out FILE       results file (default bench/results/pg-pitr-<UTC date>.md)
#
# Runs as root (it installs pgBackRest, and runs PostgreSQL, pgBackRest and lifeboat as the
# postgres OS user). Does not touch the devstack: it initdb's its own PostgreSQL 15 cluster in
# bench/work/pitr/cluster (own port and socket directory), loads the sample into it once
# (scripts/load-sample.sh) and keeps it for the next run; `rm -rf bench/work/pitr` reclaims it.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$BENCH_DIR/work
LIB=$BENCH_DIR/lib
# shellcheck source=lib/machine.sh
source "$LIB/machine.sh"

INVOCATION=$(invocation_line bench/pg-pitr.sh "PG_PITR_NOISY_CORES PG_PITR_QUIET_WAIT_S" "$@")

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

SIZE_MB=2048
RUNS=2
SEGMENTS=40
LAG_S=180
LOAD_S=60
SCALE=10
ONLY=
PORT=55470
BUILD=true
KEEP=false
OUT=
NOTE=
QUICK=false
# The machine is shared: before each timed base backup or restore the script waits (up to
# QUIET_WAIT_S) for other people's processes to use at most NOISY_CORES, and records what they
# used during the run either way.
NOISY_CORES=${PG_PITR_NOISY_CORES:-0.5}
QUIET_WAIT_S=${PG_PITR_QUIET_WAIT_S:-120}

usage() {
    sed -n '3,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while (($#)); do
    case $1 in
        --quick) QUICK=true; SIZE_MB=256; RUNS=1; SEGMENTS=8; LAG_S=20; LOAD_S=20
            QUIET_WAIT_S=${PG_PITR_QUIET_WAIT_S:-0}; shift ;;
        --size) SIZE_MB=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --segments) SEGMENTS=${2:?}; shift 2 ;;
        --lag-seconds) LAG_S=${2:?}; shift 2 ;;
        --load-seconds) LOAD_S=${2:?}; shift 2 ;;
        --scale) SCALE=${2:?}; shift 2 ;;
        --only) ONLY=,${2:?},; shift 2 ;;
        --port) PORT=${2:?}; shift 2 ;;
        --no-build) BUILD=false; shift ;;
        --keep) KEEP=true; shift ;;
        --note) NOTE=${2?}; shift 2 ;;
        --out) OUT=$(realpath -m -- "${2:?}"); shift 2 ;;   # absolute: main cd's to bench/work/pitr
        -h | --help) usage ;;
        *) echo "pg-pitr: unknown argument '$1'" >&2; usage ;;
    esac
done
for n in "$SIZE_MB" "$RUNS" "$SEGMENTS" "$LAG_S" "$LOAD_S" "$SCALE" "$PORT"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || usage
done
if [[ -n $ONLY && $ONLY == *,restore,* && $ONLY != *,backup,* ]]; then
    echo "pg-pitr: the restore phase restores the backup phase's backups: --only restore needs backup too" >&2
    exit 2
fi

# want PHASE: selected by --only (or no --only given).
want() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

case $SIZE_MB in
    2048) DB=bench_platform ;;
    *) DB=bench_platform_${SIZE_MB}m ;;
esac
PGBENCH_DB=bench_pgbench

# ---------------------------------------------------------------------------------------------
# Layout: everything under bench/work/pitr (gitignored)
# ---------------------------------------------------------------------------------------------

PGBIN=/usr/lib/postgresql/15/bin
LB_BIN=$WORK/bin
LB=$LB_BIN/lifeboat
PITR=$WORK/pitr
CLUSTER=$PITR/cluster           # the benchmark's PostgreSQL, kept between runs (the sample takes minutes to load)
DATA=$CLUSTER/data
SOCK=$CLUSTER/sock
RUN=$PITR/run                   # owned by postgres: repositories, configs, spools, restored clusters; new every run
OUTD=$PITR/out                  # owned by root: samples, logs, results.jsonl; new every run
RESULTS=$OUTD/results.jsonl
RESTORE_PORT=$((PORT + 1))
STANZA=bench
LB_SOURCE=bench
export LB_BENCH_PASSPHRASE=lifeboat-bench-passphrase-not-a-secret

log() { printf '%s pg-pitr: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# as_pg CMD...: run CMD as the postgres OS user. setpriv, not runuser/su: no PAM session, so a
# per-segment latency is not inflated by the benchmark's own wrapper (both tools pay the same ~1 ms).
as_pg() {
    setpriv --reuid=postgres --regid=postgres --init-groups \
        env HOME=/var/lib/postgresql USER=postgres LOGNAME=postgres "$@"
}

# psql_b [ARGS...]: the benchmark cluster, over its socket, as postgres.
psql_b() { "$PGBIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres "$@"; }

# ---------------------------------------------------------------------------------------------
# Preflight: tools (installed from Debian when missing)
# ---------------------------------------------------------------------------------------------

install_tools() {
    local missing=()
    command -v pgbackrest >/dev/null || missing+=(pgbackrest)
    command -v zstd >/dev/null || missing+=(zstd)
    command -v jq >/dev/null || missing+=(jq)
    [[ -x /usr/bin/time ]] || missing+=(time)
    [[ -x $PGBIN/pgbench && -x $PGBIN/initdb ]] || missing+=(postgresql-15)
    [[ -d /usr/share/postgresql/15/extension && -n $(compgen -G '/usr/share/postgresql/15/extension/postgis--*.sql') ]] ||
        missing+=(postgresql-15-postgis-3)
    ((${#missing[@]})) || return 0
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get could not install ${missing[*]}"
}

preflight() {
    [[ $(id -u) -eq 0 ]] || die "run as root: the benchmark installs pgBackRest and runs PostgreSQL and both tools as the postgres OS user"
    install_tools
    local tool
    for tool in pgbackrest zstd jq python3 setpriv dotnet /usr/bin/time "$PGBIN/pg_basebackup" "$PGBIN/pgbench"; do
        command -v "$tool" >/dev/null || die "$tool is missing"
    done
    id postgres >/dev/null 2>&1 || die "there is no postgres OS user (apt-get install postgresql-15 creates it)"
}

# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

# record JSON: one result line for the report.
record() { printf '%s\n' "$1" >>"$RESULTS"; }

# timed PHASE TOOL RUN FUNCTION ARGS...: one timed run of FUNCTION (machine.sh's timed_run: every
# process it starts, their peak RSS and CPU, and the machine's foreign load). FUNCTION prints the
# output's size in bytes on fd 3 (or nothing).
timed() {
    local phase=$1 tool=$2 run=$3
    shift 3
    local dir=$OUTD/$phase-$tool-$run rc=0
    # Beside the run's own processes: the benchmark cluster's helpers and walsenders (the ps title
    # of a physical walsender reads "walsender postgres ...", which the database regex catches), so a
    # base backup over the replication protocol counts the server's side of it. Nobody else's server.
    timed_run "$dir" '^postgres$' '' '^lifeboat-bench-pitr$' "$@" || rc=$?
    if ((rc != 0)); then
        tail -n 20 "$dir/stderr" >&2
        die "$phase $tool (run $run) failed with exit code $rc; logs in $dir"
    fi
    record "$(jq -cn --arg phase "$phase" --arg tool "$tool" --argjson run "$run" --argjson wall "$TIMED_WALL" \
        --arg bytes "$(cat "$dir/out_bytes")" --arg sample "$dir/sample.json" \
        '{phase: $phase, tool: $tool, run: $run, wall_s: $wall, bytes: ($bytes | tonumber? // 0), sample: $sample}')"
    log "$phase $tool run $run: ${TIMED_WALL} s (foreign load $(jq -r '(.foreign_s / .wall_s * 100 | round) / 100' "$dir/sample.json") cores)"
}

# ---------------------------------------------------------------------------------------------
# The benchmark's own PostgreSQL 15 cluster
# ---------------------------------------------------------------------------------------------

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

cluster_running() { [[ -e $DATA/postmaster.pid ]] && as_pg "$PGBIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

ensure_cluster() {
    if [[ ! -s $DATA/PG_VERSION ]]; then
        log "initdb of the benchmark's own cluster in ${DATA#"$REPO_ROOT"/}"
        rm -rf "$CLUSTER"
        mkdir -p "$CLUSTER" "$SOCK"
        chown -R postgres:postgres "$CLUSTER"
        # trust on the socket and 127.0.0.1 only (initdb's default pg_hba.conf, replication included).
        as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$CLUSTER/initdb.log" ||
            die "initdb failed; see $CLUSTER/initdb.log"
        echo "include = 'bench.conf'" >>"$DATA/postgresql.conf"
    fi
    # The devstack's memory settings, so the comparison runs on a server like the one the project tests.
    cat >"$DATA/bench.conf" <<EOF
# Written by bench/pg-pitr.sh on every run.
cluster_name = 'lifeboat-bench-pitr'
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
shared_buffers = 256MB
max_wal_size = 1GB
wal_level = replica
max_wal_senders = 10
archive_mode = on
archive_command = '/bin/true'
log_checkpoints = on
EOF
    chown postgres:postgres "$DATA/bench.conf"
    if ! cluster_running; then
        port_free "$PORT" || die "port $PORT is taken; pass --port with a free one (the restores use port+1)"
        as_pg "$PGBIN/pg_ctl" -D "$DATA" -l "$CLUSTER/postgres.log" -w -t 300 start >/dev/null ||
            die "the benchmark cluster did not start; see $CLUSTER/postgres.log"
    fi
    # A run starts by discarding what the last one left unarchived: every repository is new.
    psql_b -d postgres -c 'ALTER SYSTEM RESET archive_command' -c 'SELECT pg_reload_conf()' >/dev/null
    port_free "$RESTORE_PORT" || die "port $RESTORE_PORT (for the restored clusters) is taken; pass another --port"
}

stop_cluster() {
    cluster_running || return 0
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || log "could not stop the benchmark cluster"
}

# ensure_sample: the sample database (scripts/load-sample.sh, idempotent) and pgbench's database.
ensure_sample() {
    # load-sample.sh connects over TCP with a password; the cluster trusts 127.0.0.1, so any will do.
    LIFEBOAT_TEST_PG_HOST=127.0.0.1 LIFEBOAT_TEST_PG_PORT=$PORT LIFEBOAT_TEST_PG_USER=postgres LIFEBOAT_TEST_PG_PASSWORD=unused \
        "$REPO_ROOT/scripts/load-sample.sh" "$DB" "$SIZE_MB"
    local have other
    # A base backup copies the whole cluster: another size's sample from an earlier run would ride along.
    for other in $(psql_b -d postgres -c "select datname from pg_database where datname ~ '^bench_platform' and datname <> '$DB'"); do
        log "dropping $other (an earlier run's sample of another size) from the benchmark cluster"
        psql_b -d postgres -c "DROP DATABASE \"$other\""
    done
    have=$(psql_b -d "$DB" -c "select value from sample_info where key = 'size_mb'")
    [[ $have == "$SIZE_MB" ]] || die "$DB holds a $have MB sample, not $SIZE_MB MB"
    have=$(psql_b -d postgres -c "select 1 from pg_database where datname = '$PGBENCH_DB'")
    if [[ $have == 1 ]]; then
        have=$(psql_b -d "$PGBENCH_DB" -c "select count(*) from pgbench_branches" 2>/dev/null || true)
        [[ $have == "$SCALE" ]] && return 0
        psql_b -d postgres -c "DROP DATABASE $PGBENCH_DB"
    fi
    log "pgbench -i -s $SCALE into $PGBENCH_DB (untimed)"
    psql_b -d postgres -c "CREATE DATABASE $PGBENCH_DB"
    "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -i -q -s "$SCALE" "$PGBENCH_DB" >"$OUTD/pgbench-init.log" 2>&1 ||
        die "pgbench -i failed; see $OUTD/pgbench-init.log"
}

# set_archive_command CMD: PostgreSQL rereads it on reload; archive_mode stays on.
set_archive_command() {
    local quoted=${1//\'/\'\'}
    psql_b -d postgres -c "ALTER SYSTEM SET archive_command = '$quoted'" -c 'SELECT pg_reload_conf()' >/dev/null
    sleep 0.5   # the archiver picks up the reload on its next loop
}

ready_count() { find "$DATA/pg_wal/archive_status" -name '*.ready' | wc -l; }

# wait_archived [TIMEOUT_S]: switch to a new segment and wait until nothing waits to be archived.
wait_archived() {
    local timeout=${1:-600} waited=0
    psql_b -d postgres -c 'SELECT pg_switch_wal()' >/dev/null
    while (($(ready_count) > 0)); do
        if ((waited >= timeout * 10)); then
            die "archiving stalls: $(ready_count) segments still .ready after $timeout s; pg_stat_archiver: $(psql_b -d postgres -c 'select failed_count, last_failed_wal from pg_stat_archiver')"
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

# ---------------------------------------------------------------------------------------------
# Tool configurations (all under $RUN, owned by postgres)
# ---------------------------------------------------------------------------------------------

CIPHER_PASS=

# pgbr_config NAME ASYNC: pgBackRest as a user configures it (full backups, zstd, 2 processes,
# AES-256-CBC, a local repository; the archive's spool for async push and get), its own repository
# $RUN/NAME/repo, stanza "bench". Prints the config file's path.
pgbr_config() {
    local name=$1 async=$2 dir=$RUN/$1 conf
    conf=$dir/pgbackrest-$([[ $async == y ]] && echo async || echo sync).conf
    as_pg mkdir -p "$dir/repo" "$dir/spool" "$dir/log" "$dir/lock"
    as_pg tee "$conf" >/dev/null <<EOF
# Written by bench/pg-pitr.sh.
[global]
repo1-path=$dir/repo
repo1-retention-full=$((RUNS > 2 ? RUNS : 2))
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$CIPHER_PASS
compress-type=zst
process-max=2
start-fast=y
archive-async=$async
spool-path=$dir/spool
log-path=$dir/log
lock-path=$dir/lock
log-level-console=warn
log-level-file=info

[$STANZA]
pg1-path=$DATA
pg1-port=$PORT
pg1-socket-path=$SOCK
EOF
    as_pg chmod 600 "$conf"
    echo "$conf"
}

pgbr_stanza_create() {
    as_pg pgbackrest --config="$1" --stanza="$STANZA" stanza-create >/dev/null ||
        die "pgbackrest stanza-create failed with $1"
}

# lb_config NAME key|passphrase: lifeboat with a local directory repository $RUN/NAME/repo,
# encrypted with a key file or a passphrase (from LB_BENCH_PASSPHRASE); initialised. Prints its path.
lb_config() {
    local name=$1 secret=$2 dir=$RUN/$1 conf encryption
    conf=$dir/lifeboat.yaml
    as_pg mkdir -p "$dir"
    if [[ $secret == key ]]; then
        encryption="{ keyFile: $dir/repo.key }"
    else
        encryption="{ passphraseEnv: LB_BENCH_PASSPHRASE }"
    fi
    as_pg tee "$conf" >/dev/null <<EOF
# Written by bench/pg-pitr.sh.
repository:
  url: $dir/repo
  encryption: $encryption
postgres:
  - { name: $LB_SOURCE, host: 127.0.0.1, port: $PORT, database: $DB, user: postgres, binDir: $PGBIN }
EOF
    as_pg "$LB" --config "$conf" -q init >/dev/null || die "lifeboat init failed with $conf"
    echo "$conf"
}

pgbr_push_command() { echo "pgbackrest --config=$1 --stanza=$STANZA archive-push %p"; }

# lb_push_command CONFIG [SPOOL]: with SPOOL, the asynchronous mode (background pusher).
lb_push_command() {
    if [[ -n ${2:-} ]]; then
        echo "$LB --config $1 --quiet wal-push --async --spool-dir $2 --name $LB_SOURCE %p"
    else
        echo "$LB --config $1 --quiet wal-push --name $LB_SOURCE %p"
    fi
}

# await_background MARKER: wait (up to 90 s) for the asynchronous pushers whose command line holds
# MARKER (a directory of this run) to exit, then end what is left of them by pid: lifeboat's pusher
# idles 60 s before it exits by itself. Only processes started for this run match.
await_background() {
    local marker=$1 pids waited
    for ((waited = 0; waited < 90; waited++)); do
        pids=$(background_pids "$marker")
        [[ -z $pids ]] && return 0
        # lifeboat's pusher has nothing more to do once its spool is idle: no need to wait 60 s.
        [[ $waited -ge 5 ]] && break
        sleep 1
    done
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 1
}

background_pids() {
    local marker=$1 pid
    for pid in $(pgrep -u postgres -x lifeboat; pgrep -u postgres -x pgbackrest); do
        if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$marker"; then echo "$pid"; fi
    done
}

# ---------------------------------------------------------------------------------------------
# Base backups
# ---------------------------------------------------------------------------------------------

MAIN_LB=
MAIN_PGBR=
MAIN_PGBR_ASYNC=

backup_lifeboat() {
    as_pg "$LB" --config "$MAIN_LB" --json backup postgres --physical >"$OUTD/lifeboat-backup-$1.json"
    jq -r '.storedBytes // empty' "$OUTD/lifeboat-backup-$1.json" >&3
}

backup_pgbackrest() {
    as_pg pgbackrest --config="$MAIN_PGBR" --stanza="$STANZA" backup --type=full
    as_pg pgbackrest --config="$MAIN_PGBR" --stanza="$STANZA" --output=json info |
        jq -r '.[0].backup[-1].info.repository.delta' >&3
}

# The limit: PostgreSQL's own tool, through zstd on both cores, to a file made durable. -X none:
# with -D - the WAL cannot be streamed beside the tar, and the archive holds it anyway.
backup_basebackup() {
    local file=$OUTD/base.tar.zst
    as_pg "$PGBIN/pg_basebackup" -h "$SOCK" -p "$PORT" -U postgres -Ft -D - -X none --checkpoint=fast 2>"$OUTD/pg_basebackup.log" |
        zstd -q -T2 >"$file"
    sync "$file"
    stat -c %s "$file" >&3
    rm -f "$file"
}

phase_backup() {
    MAIN_LB=$(lb_config main-lifeboat key)
    MAIN_PGBR=$(pgbr_config main-pgbackrest n)
    MAIN_PGBR_ASYNC=$(pgbr_config main-pgbackrest y)
    pgbr_stanza_create "$MAIN_PGBR"
    # Both archives get the same WAL from the same cluster: the PITR restores replay the same segments.
    set_archive_command "$(pgbr_push_command "$MAIN_PGBR") && $(lb_push_command "$MAIN_LB")"
    wait_archived 120
    as_pg pgbackrest --config="$MAIN_PGBR" --stanza="$STANZA" check >/dev/null || die "pgbackrest check failed"

    # Page cache: the cluster's files are read once, untimed, so every contender reads them from memory.
    log "warm-up: reading the cluster's files once (untimed)"
    tar -cf - -C "$DATA" . 2>/dev/null | cat >/dev/null

    local run order tool
    for ((run = 1; run <= RUNS; run++)); do
        order=(lifeboat pgbackrest basebackup)
        ((run % 2 == 0)) && order=(basebackup pgbackrest lifeboat)
        for tool in "${order[@]}"; do
            psql_b -d postgres -c CHECKPOINT
            timed backup "$tool" "$run" "backup_$tool" "$run"
        done
    done
}

# ---------------------------------------------------------------------------------------------
# PITR restores
# ---------------------------------------------------------------------------------------------

TARGET_TIME=
TARGET_CHECK=

# The content a recovery to TARGET_TIME must show: pgbench's history and balances.
content_check() {
    "$PGBIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -h "$1" -p "$2" -U postgres -d "$PGBENCH_DB" \
        -c "select count(*) || '/' || coalesce(sum(delta), 0) || '/' || (select sum(abalance) from pgbench_accounts) from pgbench_history"
}

# Writes after the base backups, a target between two bursts of writes, and all of it archived.
pitr_prepare() {
    log "pgbench -c 4 for $LOAD_S s, then the target, then 5 s more (untimed)"
    "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -n -c 4 -j 2 -T "$LOAD_S" "$PGBENCH_DB" >"$OUTD/pitr-load.log" 2>&1
    # Milliseconds: pgBackRest takes no finer time; pgbench has stopped, so no commit is that close.
    TARGET_TIME=$(psql_b -d postgres -c "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')")
    TARGET_CHECK=$(content_check "$SOCK" "$PORT")
    sleep 1
    "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -n -c 4 -j 2 -T 5 "$PGBENCH_DB" >>"$OUTD/pitr-load.log" 2>&1
    wait_archived 600
    log "target $TARGET_TIME UTC (content $TARGET_CHECK)"
}

# wait_promoted PID LOG: until the restored server accepts connections and has left recovery
# (polled every 0.1 s; pg_isready alone would accept a hot standby still replaying).
wait_promoted() {
    local pid=$1 logfile=$2 state
    while :; do
        state=$("$PGBIN/psql" -X -q -tA -h "$RUN/sock-restore" -p "$RESTORE_PORT" -U postgres -d postgres \
            -c 'select pg_is_in_recovery()' 2>/dev/null || true)
        [[ $state == f ]] && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$logfile" >&2
            return 1
        fi
        sleep 0.1
    done
}

# start_restored PGDATA: the restored cluster on its own port and socket, archiving off (both tools
# were told so too), as a child of this shell so the sampler sees its restore_command processes.
start_restored() {
    local dir=$1
    as_pg mkdir -p "$RUN/sock-restore"
    as_pg "$PGBIN/postgres" -D "$dir" -p "$RESTORE_PORT" -k "$RUN/sock-restore" -c archive_mode=off \
        -c cluster_name=lifeboat-bench-restored >"$dir.log" 2>&1 &
    wait_promoted $! "$dir.log"
}

restore_lifeboat() {
    local dir=$RUN/restore-lifeboat
    as_pg "$LB" --config "$MAIN_LB" restore pitr --name "$LB_SOURCE" --data-dir "$dir" --target-time "${TARGET_TIME/ /T}Z"
    start_restored "$dir"
}

restore_pgbackrest() {
    local dir=$RUN/restore-pgbackrest
    # archive-get is asynchronous (the async config's restore_command prefetches into the spool).
    as_pg pgbackrest --config="$MAIN_PGBR_ASYNC" --stanza="$STANZA" --pg1-path="$dir" restore \
        --type=time --target="$TARGET_TIME+00" --target-action=promote --archive-mode=off
    start_restored "$dir"
}

stop_restored() {
    local dir=$1
    [[ -e $dir/postmaster.pid ]] && as_pg "$PGBIN/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir" "$dir.log"
}

phase_restore() {
    pitr_prepare
    local run tool order got
    for ((run = 1; run <= RUNS; run++)); do
        order=(lifeboat pgbackrest)
        ((run % 2 == 0)) && order=(pgbackrest lifeboat)
        for tool in "${order[@]}"; do
            stop_restored "$RUN/restore-$tool"
            as_pg rm -rf "$RUN/main-pgbackrest/spool/archive/$STANZA/in"
            psql_b -d postgres -c CHECKPOINT
            timed restore "$tool" "$run" "restore_$tool"
            got=$(content_check "$RUN/sock-restore" "$RESTORE_PORT")
            record "$(jq -cn --arg tool "$tool" --argjson run "$run" --arg want "$TARGET_CHECK" --arg got "$got" \
                '{phase: "restore-content", tool: $tool, run: $run, want: $want, got: $got}')"
            [[ $got == "$TARGET_CHECK" ]] || log "WARNING: $tool's restore shows $got, not the target's $TARGET_CHECK"
            stop_restored "$RUN/restore-$tool"
        done
    done
}

# ---------------------------------------------------------------------------------------------
# Per-segment push latency
# ---------------------------------------------------------------------------------------------

# ref_*: not contenders, the floors a per-segment call stands on: a process start of each tool, and
# zstd -3 on one core over the same segment (both tools compress each segment on one thread).
LAT_MODES=(pgbackrest_sync pgbackrest_async lifeboat_key_sync lifeboat_key_async lifeboat_pass_sync lifeboat_pass_async
    ref_lifeboat_version ref_pgbackrest_version ref_zstd)

# Real segments: pgbench's writes, each segment filled by the load (not cut short by a switch),
# copied out by a plain archive_command.
make_segments() {
    local segs=$RUN/segments
    as_pg mkdir -p "$segs"
    set_archive_command "test ! -f $segs/%f && cp %p $segs/%f"
    wait_archived 60
    as_pg find "$segs" -type f -delete
    log "writing $((SEGMENTS + 1)) WAL segments with updates of pgbench's accounts (untimed)"
    # pgbench's own transactions write WAL too slowly on a small machine to fill many segments in a
    # few seconds; its accounts updated in batches give the same kind of WAL (heap updates, index
    # entries, full-page images after the checkpoint) much faster.
    local from=1 accounts
    accounts=$((SCALE * 100000))
    psql_b -d postgres -c CHECKPOINT
    while (($(find "$segs" -name '0*' -size 16M | wc -l) < SEGMENTS + 1)); do
        psql_b -d "$PGBENCH_DB" -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid BETWEEN $from AND $((from + 49999))"
        from=$((from + 50000 > accounts ? 1 : from + 50000))
    done
    wait_archived 60
    set_archive_command /bin/true
    # The newest segment was cut short by the switch: leave it out.
    find "$segs" -name '0*' -size 16M | sort | head -n "$SEGMENTS" >"$OUTD/segments.list"
}

# A pg_wal of its own per mode (PostgreSQL's layout: the segment, archive_status/SEG.ready), so an
# asynchronous pusher reads ahead only its own files; pgBackRest also reads pg_control there.
lat_setup() {
    local mode=$1 dir=$RUN/lat-$1 conf
    as_pg mkdir -p "$dir/pgdata/global" "$dir/pgdata/pg_wal/archive_status"
    as_pg cp "$DATA/global/pg_control" "$dir/pgdata/global/"
    case $mode in
        pgbackrest_sync) conf=$(pgbr_config "lat-$mode" n) ;;
        pgbackrest_async) conf=$(pgbr_config "lat-$mode" y) ;;
        lifeboat_key_*) conf=$(lb_config "lat-$mode" key) ;;
        lifeboat_pass_*) conf=$(lb_config "lat-$mode" passphrase) ;;
        ref_*) conf= ;;
    esac
    if [[ $mode == pgbackrest_* ]]; then
        pgbr_stanza_create "$conf"
        as_pg sed -i "s|^pg1-path=.*|pg1-path=$dir/pgdata|" "$conf"
    fi
    echo "$conf"
}

# lat_push MODE CONF SEGMENT: one timed call, as PostgreSQL would make it (from the data directory,
# %p relative), its wall time, peak RSS and CPU time (user + system) appended to the mode's file.
lat_push() {
    local mode=$1 conf=$2 seg=$3 dir=$RUN/lat-$1/pgdata name t0 t1 cmd
    name=$(basename "$seg")
    as_pg cp "$seg" "$dir/pg_wal/$name"
    as_pg touch "$dir/pg_wal/archive_status/$name.ready"
    case $mode in
        pgbackrest_*) cmd=(pgbackrest --config="$conf" --stanza="$STANZA" archive-push "pg_wal/$name") ;;
        lifeboat_*_sync) cmd=("$LB" --config "$conf" --quiet wal-push --name "$LB_SOURCE" "pg_wal/$name") ;;
        lifeboat_*_async) cmd=("$LB" --config "$conf" --quiet wal-push --async --spool-dir "$RUN/lat-$mode/spool" --name "$LB_SOURCE" "pg_wal/$name") ;;
        ref_lifeboat_version) cmd=("$LB" --version) ;;
        ref_pgbackrest_version) cmd=(pgbackrest version) ;;
        ref_zstd) cmd=(zstd -q -3 -T1 -f "pg_wal/$name" -o /dev/null) ;;
    esac
    t0=$(date +%s%N)
    # GNU time outside: setpriv and env exec into the tool, so %M is the tool's own peak RSS.
    # umask 077 as PostgreSQL's archiver has it (the postmaster sets it).
    (cd "$dir" && umask 077 && /usr/bin/time -f '%M %U %S' -o "$OUTD/lat-rss" setpriv --reuid=postgres --regid=postgres --init-groups \
        env HOME=/var/lib/postgresql USER=postgres LOGNAME=postgres "${cmd[@]}") >>"$OUTD/lat-$mode.log" 2>&1 ||
        die "$mode: pushing $name failed; see $OUTD/lat-$mode.log"
    t1=$(date +%s%N)
    as_pg mv "$dir/pg_wal/archive_status/$name.ready" "$dir/pg_wal/archive_status/$name.done"
    as_pg rm -f "$dir/pg_wal/$name"
    printf '%s\t%s\t%s\n' "$name" "$(((t1 - t0) / 1000))" "$(tail -n 1 "$OUTD/lat-rss" | tr ' ' '\t')" >>"$OUTD/lat-$mode.tsv"
}

phase_latency() {
    make_segments
    local mode seg i=0 order
    declare -A conf
    for mode in "${LAT_MODES[@]}"; do conf[$mode]=$(lat_setup "$mode"); done
    log "pushing ${SEGMENTS} segments one by one, each tool in each mode, interleaved"
    # Interleaved, the order reversed every other segment: a busy moment hits every mode alike.
    while read -r seg; do
        order=("${LAT_MODES[@]}")
        ((i++ % 2 == 1)) && mapfile -t order < <(printf '%s\n' "${LAT_MODES[@]}" | tac)
        for mode in "${order[@]}"; do
            sync
            lat_push "$mode" "${conf[$mode]}" "$seg"
        done
    done <"$OUTD/segments.list"
    for mode in "${LAT_MODES[@]}"; do
        record "$(jq -cn --arg mode "$mode" --rawfile tsv "$OUTD/lat-$mode.tsv" \
            '{phase: "latency", mode: $mode, calls: [$tsv | split("\n")[] | select(length > 0) | split("\t") | {segment: .[0], us: (.[1] | tonumber), rss_kib: (.[2] | tonumber), cpu_s: ((.[3] | tonumber) + (.[4] | tonumber))}]}')"
    done
    await_background "$RUN/lat-"
    # Background pushers' peak RSS (the pusher does the work in async mode), from their logs' processes: see lag.
}

# ---------------------------------------------------------------------------------------------
# Archive lag under pgbench
# ---------------------------------------------------------------------------------------------

LAG_MODES=(pgbackrest_sync lifeboat_sync pgbackrest_async lifeboat_async)

phase_lag() {
    local mode conf cmd dir spid lsn0 lsn1 arch0 arch1 t0 drain
    for mode in "${LAG_MODES[@]}"; do
        dir=$RUN/lag-$mode
        case $mode in
            pgbackrest_sync) conf=$(pgbr_config "lag-$mode" n); pgbr_stanza_create "$conf"; cmd=$(pgbr_push_command "$conf") ;;
            pgbackrest_async) conf=$(pgbr_config "lag-$mode" y); pgbr_stanza_create "$conf"; cmd=$(pgbr_push_command "$conf") ;;
            lifeboat_sync) conf=$(lb_config "lag-$mode" key); cmd=$(lb_push_command "$conf") ;;
            lifeboat_async) conf=$(lb_config "lag-$mode" key); cmd=$(lb_push_command "$conf" "$dir/spool") ;;
        esac
        set_archive_command "$cmd"
        wait_archived 120
        psql_b -d postgres -c CHECKPOINT
        wait_quiet
        read -r lsn0 arch0 < <(psql_b -d postgres -F ' ' -c 'select pg_current_wal_lsn(), archived_count from pg_stat_archiver')
        python3 "$LIB/pitr-lag-sample.py" "$OUTD/lag-$mode.json" "$DATA/pg_wal/archive_status" "$dir" 1.0 &
        spid=$!
        log "lag $mode: pgbench -c 4 for $LAG_S s"
        "$PGBIN/pgbench" -h "$SOCK" -p "$PORT" -U postgres -n -c 4 -j 2 -T "$LAG_S" "$PGBENCH_DB" >"$OUTD/lag-$mode.pgbench" 2>&1
        read -r lsn1 < <(psql_b -d postgres -c 'select pg_current_wal_lsn()')
        # Drain: how long after the load the archive is complete again.
        t0=$(date +%s%N)
        while (($(ready_count) > 0)); do sleep 0.1; done
        drain=$((($(date +%s%N) - t0) / 1000000))
        kill -TERM "$spid"
        wait "$spid" || true
        read -r arch1 < <(psql_b -d postgres -c "select archived_count || ' ' || failed_count from pg_stat_archiver")
        record "$(jq -c --arg mode "$mode" --arg lsn0 "$lsn0" --arg lsn1 "$lsn1" --argjson arch0 "$arch0" --arg arch1 "$arch1" \
            --argjson drain_ms "$drain" --arg tps "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUTD/lag-$mode.pgbench" | head -1)" \
            --argjson seconds "$LAG_S" \
            '{phase: "lag", mode: $mode, seconds: $seconds, lsn0: $lsn0, lsn1: $lsn1, archived: (($arch1 | split(" ")[0] | tonumber) - $arch0),
              failed: ($arch1 | split(" ")[1] | tonumber), drain_ms: $drain_ms, tps: ($tps | tonumber? // null), samples: .}' \
            "$OUTD/lag-$mode.json")"
        await_background "$dir"
        log "lag $mode: max $(jq -r '.ready | max' "$OUTD/lag-$mode.json") segments waiting; drained in $drain ms"
    done
    set_archive_command /bin/true
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
    as_pg "$LB" --version >/dev/null || die "the postgres OS user cannot run $LB (check the directories' permissions)"
}

facts() {
    machine_facts "$PITR" "; the cluster, both repositories and the restores share it"
    printf 'server\t%s\n' "$(psql_b -d postgres -c "select version()" | cut -d, -f1); shared_buffers $(psql_b -d postgres -c 'show shared_buffers'), max_wal_size $(psql_b -d postgres -c 'show max_wal_size')"
    printf 'database\t%s\t%s\t%s\n' "$DB" "$SIZE_MB" "$(psql_b -d postgres -c "select pg_database_size('$DB')")"
    printf 'cluster_bytes\t%s\n' "$(psql_b -d postgres -c "select sum(pg_database_size(datname)) from pg_database")"
    printf 'pgbench_db\t%s (scale %s)\n' "$PGBENCH_DB" "$SCALE"
    printf 'pgbackrest\t%s\n' "$(pgbackrest version) (Debian package $(dpkg-query -W -f '${Version}' pgbackrest))"
    printf 'zstd\t%s\n' "$(zstd --version)"
    printf 'lifeboat\t%s\n' "$("$LB" --version) (git $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src || echo ', src modified'), dotnet publish -c Release, Native AOT), .NET SDK $(dotnet --version)"
    printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'invocation\t%s\n' "$INVOCATION"
    printf 'runs\t%s\n' "$RUNS"
    printf 'segments\t%s\n' "$SEGMENTS"
    printf 'lag_s\t%s\n' "$LAG_S"
    printf 'load_s\t%s\n' "$LOAD_S"
    printf 'quick\t%s\n' "$QUICK"
    printf 'note\t%s\n' "${NOTE//$'\t'/ }"
    printf 'noisy_cores\t%s\n' "$NOISY_CORES"
    printf 'quiet_wait_s\t%s\n' "$QUIET_WAIT_S"
}

# On any exit, also a failed one: stop what this run started (the restored servers, the
# benchmark cluster, background pushers of this run), never anything else.
cleanup() {
    local tool
    for tool in lifeboat pgbackrest; do
        [[ -e $RUN/restore-$tool/postmaster.pid ]] && as_pg "$PGBIN/pg_ctl" -D "$RUN/restore-$tool" -m immediate -w stop >/dev/null 2>&1
    done
    [[ -d $RUN ]] && for pid in $(background_pids "$RUN/"); do kill -TERM "$pid" 2>/dev/null || true; done
    stop_cluster
    $KEEP || rm -rf "$RUN"
}

main() {
    preflight
    mkdir -p "$PITR" "$BENCH_DIR/results"
    chmod 755 "$PITR"
    cd "$PITR"
    trap cleanup EXIT
    local started=$SECONDS
    OUT=${OUT:-$BENCH_DIR/results/pg-pitr-$(date -u +%Y-%m-%d).md}
    rm -rf "$RUN" "$OUTD"
    mkdir -p "$RUN" "$OUTD"
    chown postgres:postgres "$RUN"
    chmod 700 "$RUN"
    CIPHER_PASS=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')

    build_lifeboat
    ensure_cluster
    ensure_sample
    facts >"$OUTD/facts.tsv"

    if want backup; then phase_backup; fi
    if want restore; then phase_restore; fi
    if want latency; then phase_latency; fi
    if want lag; then phase_lag; fi

    printf 'total_s\t%s\n' $((SECONDS - started)) >>"$OUTD/facts.tsv"
    printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUTD/facts.tsv"
    python3 "$LIB/pg-pitr-report.py" "$OUTD/facts.tsv" "$RESULTS" >"$OUT"
    log "done in $((SECONDS - started)) s; results in ${OUT#"$REPO_ROOT"/}"
}

main
