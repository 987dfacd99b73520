#!/usr/bin/env bash
# pg-logical.sh — Lifeboat's PostgreSQL logical backup and restore against the tools it replaces,
# side by side, on one sample database, in one run. See bench/README.md for what each row means.
#
#   bench/pg-logical.sh [--quick] [--size MB] [--size2 MB] [--runs N] [--no-s3] [--no-build]
#                       [--no-stages] [--only LIST] [--keep] [--out FILE]
#
#   --size MB    sample database for the comparison (default 2048 → database bench_platform)
#   --size2 MB   the memory check at twice the size (default 4096 → bench_platform_4g; 0 skips it)
#   --quick      smoke run: 256 / 512 MB (databases bench_platform_256m / bench_platform_512m)
#   --runs N     timed runs of every contender (default 2; the table shows the median and each run)
#   --no-s3      leave out the S3 contender (e.g. when the radosgw is down)
#   --no-build   use the lifeboat already published in bench/work/bin
#   --no-stages  skip the stage profile (lifeboat's data path stage by stage, bench/stages)
#   --only LIST  only these contenders (comma-separated: pgdump_z0 gzip zstd restic lifeboat_local
#                zstd_s3 lifeboat_s3 pg_restore_z0 pg_restore_fc lifeboat_j2 lifeboat_j1 stages), e.g. to
#                re-run the ones a busy machine disturbed; restore inputs are then made untimed
#   --keep       keep bench/work/run-* (per-run logs, /usr/bin/time and /proc samples)
#   --out FILE   results file (default bench/results/pg-logical-<UTC date>.md)
#
# Needs: root or a user that may read other processes' /proc (for the PostgreSQL backend's CPU),
# the devstack servers (scripts/devstack.sh start), pg_dump/pg_restore 15, zstd, gzip, restic,
# GNU time (/usr/bin/time), python3, jq, curl, the .NET SDK. Everything it writes goes to
# bench/work/ (gitignored) and the results file; the databases it creates are named bench_* and are
# dropped again; the S3 bucket it creates is emptied and deleted at the end.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$BENCH_DIR/work
LIB=$BENCH_DIR/lib
# shellcheck source=lib/machine.sh
source "$LIB/machine.sh"
INVOCATION="bench/pg-logical.sh $*"

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

SIZE_MB=2048
SIZE2_MB=4096
RUNS=2
WITH_S3=true
BUILD=true
STAGES=true
ONLY=
KEEP=false
OUT=
# (Both can be set from the environment: PG_LOGICAL_NOISY_CORES, PG_LOGICAL_QUIET_WAIT_S.)
# A run is "noisy" when other people's processes used more than this many cores on average while
# it ran (measured by procsample.py from /proc/stat). A noisy run is repeated once; the quieter of
# the two attempts is kept and both are logged. Before each run we wait (up to QUIET_WAIT_S) for
# the machine to be quieter than this, because the 2 cores are shared with other engineers' builds.
NOISY_CORES=${PG_LOGICAL_NOISY_CORES:-0.5}
QUIET_WAIT_S=${PG_LOGICAL_QUIET_WAIT_S:-240}

usage() {
    sed -n '3,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while (($#)); do
    case $1 in
        --quick) SIZE_MB=256; SIZE2_MB=512; shift ;;
        --size) SIZE_MB=${2:?}; shift 2 ;;
        --size2) SIZE2_MB=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --no-s3) WITH_S3=false; shift ;;
        --no-build) BUILD=false; shift ;;
        --no-stages) STAGES=false; shift ;;
        --only) ONLY=,${2:?},; shift 2 ;;
        --keep) KEEP=true; shift ;;
        --out) OUT=$(realpath -m -- "${2:?}"); shift 2 ;;   # absolute: main cd's to bench/work
        -h | --help) usage ;;
        *) echo "pg-logical: unknown argument '$1'" >&2; usage ;;
    esac
done
[[ $SIZE_MB =~ ^[1-9][0-9]*$ && $SIZE2_MB =~ ^[0-9]+$ && $RUNS =~ ^[1-9][0-9]*$ ]] || usage

# want CONTENDER: selected by --only (or no --only given).
want() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

# bench_platform and bench_platform_4g for the default sizes; other sizes get their own database, so a quick run
# never meets (or reloads) the 2 GiB one. load-sample.sh leaves an existing finished load alone.
db_for_size() {
    case $1 in
        2048) echo bench_platform ;;
        4096) echo bench_platform_4g ;;
        *) echo "bench_platform_${1}m" ;;
    esac
}
DB1=$(db_for_size "$SIZE_MB")
DB2=
if ((SIZE2_MB > 0)); then DB2=$(db_for_size "$SIZE2_MB"); fi

# ---------------------------------------------------------------------------------------------
# Environment: the devstack servers
# ---------------------------------------------------------------------------------------------

# shellcheck disable=SC1091
[[ -r /var/tmp/lifeboat-devstack/env.sh ]] && source /var/tmp/lifeboat-devstack/env.sh
PG_HOST=${LIFEBOAT_TEST_PG_HOST:-127.0.0.1}
PG_PORT=${LIFEBOAT_TEST_PG_PORT:-55432}
PG_USER=${LIFEBOAT_TEST_PG_USER:-devuser}
export PGPASSWORD=${LIFEBOAT_TEST_PG_PASSWORD:-devpass}
# Lifeboat reads the password from the variable its config names (passwordEnv), never from the file.
export PGPASSWORD_BENCH=$PGPASSWORD
S3_ENDPOINT=${LIFEBOAT_TEST_S3_ENDPOINT:-http://127.0.0.1:56900}
export LIFEBOAT_TEST_S3_ACCESS_KEY=${LIFEBOAT_TEST_S3_ACCESS_KEY:-lifeboat-test}
export LIFEBOAT_TEST_S3_SECRET_KEY=${LIFEBOAT_TEST_S3_SECRET_KEY:-lifeboat-test-secret}
S3_REGION=${LIFEBOAT_TEST_S3_REGION:-us-east-1}
export RESTIC_PASSWORD=lifeboat-bench-not-a-secret

# Every contender uses the same PostgreSQL 15 binaries. /usr/bin/pg_dump is Debian's Perl
# wrapper, which would add a Perl start-up to some contenders and not others.
PGBIN=/usr/lib/postgresql/15/bin
PGCONN=(-h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --no-password)
LB_BIN=$WORK/bin
LB=$LB_BIN/lifeboat

log() { printf '%s pg-logical: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

psql_q() { "$PGBIN/psql" -X -q -tA -v ON_ERROR_STOP=1 "${PGCONN[@]}" "$@"; }

# The peers come from Debian, as the project's other scripts install what they need: a fresh machine has none.
install_peers() {
    local missing=()
    command -v restic >/dev/null || missing+=(restic)
    command -v rclone >/dev/null || missing+=(rclone)
    command -v zstd >/dev/null || missing+=(zstd)
    command -v jq >/dev/null || missing+=(jq)
    [[ -x /usr/bin/time ]] || missing+=(time)
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]]; then
        log "missing: ${missing[*]} (not root, so not installing them)"
        return 0
    fi
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get could not install ${missing[*]}"
}

preflight() {
    local tool
    install_peers
    for tool in "$PGBIN/pg_dump" "$PGBIN/pg_restore" "$PGBIN/psql" /usr/bin/time zstd gzip restic python3 jq curl dotnet; do
        command -v "$tool" >/dev/null || die "$tool is missing (apt-get install postgresql-client-15 zstd gzip restic time python3 jq curl)"
    done
    if $WITH_S3 && want zstd_s3; then
        command -v rclone >/dev/null || die "rclone is missing (apt-get install rclone), or leave out zstd_s3 with --only"
    fi
    "$PGBIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 5 ||
        die "PostgreSQL does not answer on $PG_HOST:$PG_PORT; run scripts/devstack.sh start"
    if $WITH_S3; then
        s3_curl GET / >/dev/null || die "S3 does not answer on $S3_ENDPOINT; run scripts/devstack.sh start, or pass --no-s3"
    fi
}

# ---------------------------------------------------------------------------------------------
# S3 (only to delete the benchmark's own bucket at the end; lifeboat creates it)
# ---------------------------------------------------------------------------------------------

EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# s3_curl METHOD PATH: a SigV4-signed request with an empty body; prints the response body.
s3_curl() {
    curl -sS --fail --noproxy '*' --max-time 60 -X "$1" --aws-sigv4 "aws:amz:$S3_REGION:s3" \
        -u "$LIFEBOAT_TEST_S3_ACCESS_KEY:$LIFEBOAT_TEST_S3_SECRET_KEY" \
        -H "x-amz-content-sha256: $EMPTY_SHA256" "$S3_ENDPOINT$2"
}

# s3_delete_bucket BUCKET: every object, then the bucket. Lifeboat's keys are plain
# ([a-z0-9/._-]), so neither the listing's XML nor the URL needs escaping.
s3_delete_bucket() {
    local bucket=$1 keys key
    while :; do
        keys=$(s3_curl GET "/$bucket?list-type=2&max-keys=1000") || return 1
        keys=$(grep -o '<Key>[^<]*</Key>' <<<"$keys" | sed 's/<[^>]*>//g' || true)
        [[ -n $keys ]] || break
        while read -r key; do s3_curl DELETE "/$bucket/$key" >/dev/null; done <<<"$keys"
    done
    s3_curl DELETE "/$bucket" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------

# tv NAME CMD...: run CMD under GNU time -v into the current run's directory: peak RSS ("Maximum
# resident set size") and user/system CPU of that one process (plus any children it reaps).
tv() {
    local name=$1
    shift
    /usr/bin/time -v -o "$RUN_DIR/time.$name" "$@"
}

INDEX=$WORK/index.tsv   # one line per attempt; the report reads it

# MEASURE_DB_RE=REGEX [MEASURE_COMM_RE=REGEX] measure PHASE CONTENDER SIZE_LABEL RUN FUNCTION ARGS...:
# one timed attempt (or two, when the first was noisy). FUNCTION runs in a subshell, with RUN_DIR
# and ATTEMPT set, and must print the output's size in bytes on fd 3 (or nothing). Wall time is
# taken around the subshell; procsample.py watches it, its descendants, the PostgreSQL backends of
# the databases MEASURE_DB_RE matches (the dumped one, or the restore target and lifeboat's
# staging database) and the processes whose name MEASURE_COMM_RE matches (the S3 server).
measure() {
    local phase=$1 contender=$2 label=$3 run=$4
    shift 4
    local attempt best_dir='' best_foreign=''
    for attempt in 1 2; do
        ATTEMPT=$attempt
        RUN_DIR=$WORK/run-$phase-$contender-$label-$run-$attempt
        rm -rf "$RUN_DIR"
        mkdir -p "$RUN_DIR"
        run_setup "$phase" "$@"
        wait_quiet
        local load1 t0 t1 pid spid rc=0 i
        load1=$(cut -d' ' -f1 /proc/loadavg)
        # The sampler starts first and watches this shell's descendants, so the command's first
        # moments are seen too; it says when it has taken its first sample.
        # (BASHPID read here: inside the backgrounded command it would be the sampler's own pid.)
        local shell_pid=$BASHPID
        python3 "$LIB/procsample.py" "$RUN_DIR/sample.json" "$shell_pid" 0.25 "${MEASURE_DB_RE:?}" "$RUN_DIR/sampler.ready" \
            "${MEASURE_COMM_RE:-}" &
        spid=$!
        for ((i = 0; i < 200; i++)); do
            [[ -e $RUN_DIR/sampler.ready ]] && break
            sleep 0.05
        done
        [[ -e $RUN_DIR/sampler.ready ]] || die "procsample.py did not start"
        t0=$(date +%s.%N)
        ( "$@" 3>"$RUN_DIR/out_bytes" ) >"$RUN_DIR/stdout" 2>"$RUN_DIR/stderr" &
        pid=$!
        wait "$pid" || rc=$?
        t1=$(date +%s.%N)
        kill -TERM "$spid" 2>/dev/null || true
        wait "$spid" || true
        if ((rc != 0)); then
            tail -n 20 "$RUN_DIR/stderr" >&2
            die "$phase $contender ($label, run $run) failed with exit code $rc; logs in $RUN_DIR"
        fi
        local wall foreign out_bytes
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        foreign=$(jq -r '(.foreign_s / .wall_s * 100 | round) / 100' "$RUN_DIR/sample.json")
        out_bytes=$(cat "$RUN_DIR/out_bytes")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$contender" "$label" "$run" "$attempt" \
            "$wall" "${out_bytes:-0}" "$load1" "$foreign" "$RUN_DIR" >>"$INDEX"
        log "$phase $contender $label run $run: ${wall} s, foreign load $foreign cores (load avg $load1)"
        run_cleanup "$phase" "$@"
        if [[ -z $best_foreign ]] || awk -v a="$foreign" -v b="$best_foreign" 'BEGIN { exit !(a < b) }'; then
            best_foreign=$foreign
            best_dir=$RUN_DIR
        fi
        awk -v c="$foreign" -v t="$NOISY_CORES" 'BEGIN { exit !(c > t) }' || break
        ((attempt == 1)) && log "that run was noisy (others used $foreign cores); repeating it once"
    done
    # The report uses the kept attempt of each run; the other one stays in the index, marked.
    printf 'keep\t%s\n' "$best_dir" >>"$INDEX"
}

# Untimed work around each attempt: a clean start for every contender.
run_setup() {
    local phase=$1
    shift
    # Write back what earlier runs left dirty, so one run's output is not flushed on the next one's time.
    sync
    if [[ $phase == restore ]]; then
        # Each restore starts right after a checkpoint, so none pays for the previous one's WAL.
        psql_q -d postgres -c 'CHECKPOINT'
    fi
    # contender-specific: a fresh repository for the repository-based backups
    case $1 in
        backup_restic) rm -rf "$WORK/restic-repo" "$WORK/restic-cache"
            restic -q -r "$WORK/restic-repo" init --repository-version 2 >/dev/null ;;
        backup_lifeboat_local) rm -rf "$WORK/lb-repo-$2"
            LIFEBOAT_repository__url=$WORK/lb-repo-$2 "$LB" --config "$WORK/lifeboat.yaml" -q init ;;
        backup_lifeboat_s3)
            # A prefix per attempt: a repeated attempt must not meet the first one's repository.
            LIFEBOAT_repository__url=s3://$S3_BUCKET/$2-a$ATTEMPT "$LB" --config "$WORK/lifeboat-s3.yaml" -q init ;;
    esac
}

run_cleanup() {
    local phase=$1
    shift
    case $1 in
        restore_*) psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" ;;
        backup_restic) rm -rf "$WORK/restic-repo" "$WORK/restic-cache" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Contenders. Each runs in measure's subshell and prints its output size on fd 3.
# Backups end with the output fsync'ed: Lifeboat fsyncs its object before publishing it, restic's
# local backend fsyncs its files, so the plain pipelines pay for durability too (sync FILE).
# ---------------------------------------------------------------------------------------------

file_size() { stat -c %s "$1"; }

# Reference, not a contender: pg_dump alone, no compression, and the uncompressed custom-format
# file (written with -f, so its TOC has data offsets) that pg_restore reads below. It writes and
# fsyncs the whole uncompressed archive, so on a slow disk it is not a floor for the other rows.
backup_pgdump_z0() {
    local db=$1
    tv pg_dump "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$db" -f "$WORK/$db.Z0.dump"
    tv sync sync "$WORK/$db.Z0.dump"
    file_size "$WORK/$db.Z0.dump" >&3
}

# (a) The plan: pg_dump -Fc (zlib level 6 inside pg_dump) | gzip (level 6 again).
backup_gzip() {
    local db=$1
    tv pg_dump "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -d "$db" | tv gzip gzip >"$WORK/$db.Fc.dump.gz"
    tv sync sync "$WORK/$db.Fc.dump.gz"
    file_size "$WORK/$db.Fc.dump.gz" >&3
}

# (b) The practical limit: pg_dump uncompressed, zstd -3 on both cores, to a file.
backup_zstd() {
    local db=$1
    tv pg_dump "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$db" | tv zstd zstd -q -3 -T2 >"$WORK/$db.Z0.dump.zst"
    tv sync sync "$WORK/$db.Z0.dump.zst"
    file_size "$WORK/$db.Z0.dump.zst" >&3
}

# (c) restic 0.14 from stdin into a fresh local repository (format 2: zstd compression "auto",
# AES-256 + Poly1305, content-defined chunking and dedup). GOMAXPROCS defaults to both cores.
backup_restic() {
    local db=$1
    tv pg_dump "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$db" |
        tv restic restic -q -r "$WORK/restic-repo" --cache-dir "$WORK/restic-cache" \
            backup --stdin --stdin-filename "$db.dump"
    du -sb "$WORK/restic-repo" | cut -f1 >&3
}

# (f) The practical limit to S3: the limit pipeline (b) streamed into the same radosgw by rclone
# (Debian's), multipart with lifeboat's part size and parts in flight (8 MiB, 2), so the row shows
# what the S3 server itself costs on this machine.
backup_zstd_s3() {
    local db=$1 key=zstd-$RUN_LABEL-a$ATTEMPT.dump.zst
    tv pg_dump "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$db" | tv zstd zstd -q -3 -T2 |
        tv rclone env -u AWS_CA_BUNDLE rclone rcat --s3-chunk-size 8M --s3-upload-concurrency 2 "benchs3:$S3_BUCKET/$key"
    env -u AWS_CA_BUNDLE rclone size --json "benchs3:$S3_BUCKET/$key" | jq -r .bytes >&3
}

# (d) lifeboat into a fresh local directory repository (pg_dump -Fc -Z0 as its child, zstd -3
# with 2 workers, AES-256-GCM, SHA-256 of the plaintext, fsync, manifest).
backup_lifeboat_local() {
    local repo=$1 db=$2
    LIFEBOAT_repository__url=$WORK/lb-repo-$repo LIFEBOAT_postgres__0__database=$db \
        tv lifeboat "$LB" --config "$WORK/lifeboat.yaml" --json backup postgres
    du -sb "$WORK/lb-repo-$repo" | cut -f1 >&3
}

# (e) lifeboat into a fresh S3 repository on the radosgw (multipart, 8 MiB parts, 2 in flight).
backup_lifeboat_s3() {
    local prefix=$1 db=$2
    LIFEBOAT_repository__url=s3://$S3_BUCKET/$prefix-a$ATTEMPT LIFEBOAT_postgres__0__database=$db \
        tv lifeboat "$LB" --config "$WORK/lifeboat-s3.yaml" --json backup postgres >"$RUN_DIR/summary.json"
    cat "$RUN_DIR/summary.json"
    jq -r .storedBytes "$RUN_DIR/summary.json" >&3
}

# Restores. Every target is a database that does not exist yet; each is dropped after its run.
# pg_restore gets the plan's options; createdb is inside the timing because lifeboat creates its
# staging database (and PostGIS) inside its own.
restore_pg_restore() {
    local target=$1 file=$2
    tv createdb "$PGBIN/createdb" "${PGCONN[@]}" -T template0 "$target"
    tv pg_restore "$PGBIN/pg_restore" "${PGCONN[@]}" -j2 --no-owner --no-privileges -d "$target" "$file"
}

# lifeboat restore: staging database + PostGIS; with --jobs > 1 the archive is rewritten table by table
# as it is decrypted, into lifeboat's default spool place (/dev/shm when the archive fits in memory with
# room to spare, else $TMPDIR), and pg_restore --jobs starts on each table once its file is complete
# (with --jobs 1 it is streamed through a pipe); then the row count of every table against the
# manifest, and the rename into place.
restore_lifeboat() {
    local target=$1 repo=$2 jobs=$3 db=$4
    LIFEBOAT_repository__url=$WORK/lb-repo-$repo LIFEBOAT_postgres__0__database=$db \
        tv lifeboat "$LB" --config "$WORK/lifeboat.yaml" --json restore postgres \
        --jobs "$jobs" --target-db "$target" --force
}

# ---------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------

build_lifeboat() {
    if $BUILD || [[ ! -x $LB ]]; then
        log "publishing lifeboat (Release) into $LB_BIN"
        rm -rf "$LB_BIN"
        dotnet publish "$REPO_ROOT/src/Lifeboat.Cli" -c Release -o "$LB_BIN" --nologo -v quiet >"$WORK/publish.log" 2>&1 ||
            { tail -n 30 "$WORK/publish.log" >&2; die "dotnet publish failed"; }
    fi
    "$LB" --version >/dev/null || die "$LB does not run"
    if $STAGES; then
        log "publishing bench/stages into $WORK/stages"
        dotnet publish "$BENCH_DIR/stages" -c Release -o "$WORK/stages" --nologo -v quiet >"$WORK/publish-stages.log" 2>&1 ||
            { tail -n 30 "$WORK/publish-stages.log" >&2; die "dotnet publish bench/stages failed"; }
    fi
}

# stage_profile FILE: lifeboat's backup data path one stage at a time on the real archive (no
# pg_dump, no PostgreSQL, output discarded), beside the native tools doing the same work, to tell
# which stage costs what. Lines: stage, bytes in, bytes out, wall s, CPU s (user+sys).
stage_profile() {
    local file=$1 t
    wait_quiet
    log "stage profile on $(basename "$file")"
    "$WORK/stages/stages" "$file" | awk -F'\t' 'NR > 1 { print "lifeboat " $1 "\t" $2 "\t" $3 "\t" $4 "\t" $5 }'
    # Native counterparts: GNU time reports elapsed, user, system; output sizes via wc.
    native() {
        local name=$1 out
        shift
        out=$( { /usr/bin/time -f '%e %U %S' "$@" | wc -c; } 2>&1 )
        # out: "<bytes>\n<elapsed> <user> <system>" (wc first, then time on stderr) in either order
        awk -v name="$name" -v bytes_in="$(stat -c %s "$file")" '
            NF == 1 { bytes = $1 } NF == 3 { e = $1; c = $2 + $3 }
            END { printf "native %s\t%s\t%s\t%.2f\t%.2f\n", name, bytes_in, bytes, e, c }' <<<"$out"
    }
    native cat cat "$file"
    native sha256sum sha256sum "$file"
    for t in 2 1; do native "zstd -3 -T$t" zstd -q -3 -T"$t" -c "$file"; done
}

write_configs() {
    # Generated, not committed: paths are this machine's. The repository URL and the database are
    # overridden per run through LIFEBOAT_repository__url / LIFEBOAT_postgres__0__database.
    local common
    common=$(cat <<EOF
postgres:
  - { name: bench, host: $PG_HOST, port: $PG_PORT, database: $DB1, user: $PG_USER, passwordEnv: PGPASSWORD_BENCH, binDir: $PGBIN }
EOF
)
    cat >"$WORK/lifeboat.yaml" <<EOF
# Written by bench/pg-logical.sh.
repository:
  url: $WORK/lb-repo
  encryption: { keyFile: $WORK/repo.key }
$common
EOF
    cat >"$WORK/lifeboat-s3.yaml" <<EOF
# Written by bench/pg-logical.sh.
repository:
  url: s3://$S3_BUCKET/bench
  s3: { endpoint: $S3_ENDPOINT, region: $S3_REGION, accessKeyEnv: LIFEBOAT_TEST_S3_ACCESS_KEY, secretKeyEnv: LIFEBOAT_TEST_S3_SECRET_KEY }
  encryption: { keyFile: $WORK/repo.key }
$common
EOF
}

# ensure_sample DB SIZE_MB: load it unless a finished load of that size is there.
ensure_sample() {
    local db=$1 size=$2 have
    LIFEBOAT_TEST_PG_HOST=$PG_HOST LIFEBOAT_TEST_PG_PORT=$PG_PORT LIFEBOAT_TEST_PG_USER=$PG_USER \
        LIFEBOAT_TEST_PG_PASSWORD=$PGPASSWORD "$REPO_ROOT/scripts/load-sample.sh" "$db" "$size"
    have=$(psql_q -d "$db" -c "select value from sample_info where key = 'size_mb'")
    [[ $have == "$size" ]] ||
        die "$db holds a $have MB sample, not $size MB; reload it with scripts/load-sample.sh --replace $db $size"
}

facts() {
    # Machine and tool facts for the report, as KEY<TAB>VALUE lines.
    machine_facts "$WORK" ", virtio block device; same disk holds the PostgreSQL data, the Ceph OSD and bench/work"
    printf 'pg_dump\t%s\n' "$("$PGBIN/pg_dump" --version)"
    printf 'server\t%s\n' "$(psql_q -d "$DB1" -c "select version()" | cut -d, -f1); PostGIS $(psql_q -d "$DB1" -c "select extversion from pg_extension where extname = 'postgis'"); shared_buffers $(psql_q -d postgres -c 'show shared_buffers')"
    printf 'zstd\t%s\n' "$(zstd --version)"
    printf 'gzip\t%s\n' "$(gzip --version | head -1)"
    printf 'restic\t%s\n' "$(restic version)"
    printf 'rclone\t%s\n' "$(rclone version 2>/dev/null | head -1 || echo '(not installed)')"
    printf 'lifeboat\t%s\n' "lifeboat $("$LB" --version) (git $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src || echo ', src modified'), dotnet publish -c Release, Native AOT), .NET SDK $(dotnet --version)"
    printf 'db1\t%s\t%s\t%s\n' "$DB1" "$SIZE_MB" "$(psql_q -d postgres -c "select pg_database_size('$DB1')")"
    [[ -z $DB2 ]] || printf 'db2\t%s\t%s\t%s\n' "$DB2" "$SIZE2_MB" "$(psql_q -d postgres -c "select pg_database_size('$DB2')")"
    printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'invocation\t%s\n' "$INVOCATION"
    printf 'runs\t%s\n' "$RUNS"
    printf 'noisy_cores\t%s\n' "$NOISY_CORES"
    printf 'quiet_wait_s\t%s\n' "$QUIET_WAIT_S"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

# prepare_restore_inputs DB LABEL CONTENDER...: with --only, a restore's input may not have been
# made by a timed backup; make it now, untimed, the same way (pg_dump -f for the -Z0 file, through
# a pipe for the plan's -Fc file, lifeboat backup for the repository).
prepare_restore_inputs() {
    local db=$1 label=$2 c
    shift 2
    for c in "$@"; do
        case $c in
            pg_restore_z0) [[ -e $WORK/$db.Z0.dump ]] ||
                "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$db" -f "$WORK/$db.Z0.dump" ;;
            pg_restore_fc) [[ -e $WORK/$db.Fc.dump ]] ||
                "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -d "$db" | cat >"$WORK/$db.Fc.dump" ;;
            lifeboat_j1 | lifeboat_j2)
                if [[ ! -d $WORK/lb-repo-$label-1 ]]; then
                    log "making the $label lifeboat repository for the restores (untimed)"
                    LIFEBOAT_repository__url=$WORK/lb-repo-$label-1 "$LB" --config "$WORK/lifeboat.yaml" -q init
                    LIFEBOAT_repository__url=$WORK/lb-repo-$label-1 LIFEBOAT_postgres__0__database=$db \
                        "$LB" --config "$WORK/lifeboat.yaml" -q backup postgres
                fi ;;
        esac
    done
}

# The radosgw and its OSD do the S3 contender's server-side work on the same two cores; the
# sampler counts their CPU as the run's (not as foreign load) in the S3 runs.
S3_SERVER_RE='^(radosgw|ceph-osd)$'
S3_BUCKET=

# rclone's remote "benchs3" for contender (f), from the environment: no config file is written.
# (rclone is run without AWS_CA_BUNDLE: its S3 backend refuses a CA bundle on a plain-HTTP endpoint.)
export RCLONE_CONFIG_BENCHS3_TYPE=s3 RCLONE_CONFIG_BENCHS3_PROVIDER=Ceph RCLONE_CONFIG_BENCHS3_ENDPOINT=$S3_ENDPOINT \
    RCLONE_CONFIG_BENCHS3_REGION=$S3_REGION RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID=$LIFEBOAT_TEST_S3_ACCESS_KEY \
    RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY=$LIFEBOAT_TEST_S3_SECRET_KEY RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE=true

# On any exit, also a failed one: drop what this run created on the shared servers.
cleanup() {
    local db
    for db in $(psql_q -d postgres -c "select datname from pg_database where datname ~ '^bench_r_.*_$$'" 2>/dev/null); do
        psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
    done
    if [[ -n $S3_BUCKET ]] && s3_curl HEAD "/$S3_BUCKET" >/dev/null 2>&1; then
        s3_delete_bucket "$S3_BUCKET" || log "could not delete s3://$S3_BUCKET; delete it by hand"
    fi
}

main() {
    trap cleanup EXIT
    mkdir -p "$WORK" "$BENCH_DIR/results"
    cd "$WORK"
    preflight
    local started=$SECONDS stamp
    stamp=$(date -u +%Y%m%d%H%M%S)
    S3_BUCKET=lifeboat-bench-$stamp-$$
    OUT=${OUT:-$BENCH_DIR/results/pg-logical-$(date -u +%Y-%m-%d).md}
    # Leftovers of an interrupted earlier run (our own names only).
    rm -rf "$WORK"/run-* "$WORK"/lb-repo-* "$WORK"/restic-* "$WORK"/spool "$WORK"/*.dump "$WORK"/*.dump.* "$INDEX" "$WORK/stages.tsv"

    build_lifeboat
    write_configs
    ensure_sample "$DB1" "$SIZE_MB"
    [[ -z $DB2 ]] || ensure_sample "$DB2" "$SIZE2_MB"
    facts >"$WORK/facts.tsv"

    # Page cache: the database is read once, untimed, before anything is timed, so every contender
    # reads it from memory (2 + 4 GiB fit in RAM several times over). The order of contenders is
    # reversed on every other round, so no contender always follows the same neighbour.
    log "warm-up: pg_dump of $DB1 to /dev/null (untimed)"
    "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$DB1" >/dev/null

    local backups=() run order c
    for c in pgdump_z0 gzip zstd restic lifeboat_local zstd_s3 lifeboat_s3; do
        [[ $c == *_s3 ]] && ! $WITH_S3 && continue
        want "$c" && backups+=("$c")
    done
    for ((run = 1; run <= RUNS && ${#backups[@]} > 0; run++)); do
        order=("${backups[@]}")
        ((run % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${backups[@]}" | tac)
        for c in "${order[@]}"; do
            case $c in
                lifeboat_local) MEASURE_DB_RE="^$DB1\$" measure backup "$c" 1x "$run" backup_lifeboat_local "1x-$run" "$DB1" ;;
                lifeboat_s3) MEASURE_DB_RE="^$DB1\$" MEASURE_COMM_RE="$S3_SERVER_RE" measure backup "$c" 1x "$run" backup_lifeboat_s3 "1x-$run" "$DB1" ;;
                zstd_s3) RUN_LABEL=1x-$run MEASURE_DB_RE="^$DB1\$" MEASURE_COMM_RE="$S3_SERVER_RE" measure backup "$c" 1x "$run" backup_zstd_s3 "$DB1" ;;
                *) MEASURE_DB_RE="^$DB1\$" measure backup "$c" 1x "$run" "backup_$c" "$DB1" ;;
            esac
            # The repositories of run 1 feed the restores; later ones are only measured.
            ((run == 1)) || rm -rf "$WORK/lb-repo-1x-$run"
        done
    done
    # The plan's compressed -Fc archive, for the optional pg_restore row (gunzip is not timed).
    [[ ! -e $WORK/$DB1.Fc.dump.gz ]] || gzip -dc "$WORK/$DB1.Fc.dump.gz" >"$WORK/$DB1.Fc.dump"
    rm -f "$WORK/$DB1.Z0.dump.zst" "$WORK/$DB1.Fc.dump.gz"

    local restores=()
    for c in pg_restore_z0 lifeboat_j2 pg_restore_fc lifeboat_j1; do
        want "$c" && restores+=("$c")
    done
    local inputs=("${restores[@]}")
    want stages && $STAGES && inputs+=(pg_restore_z0)   # the stage profile reads the -Z0 file
    prepare_restore_inputs "$DB1" 1x "${inputs[@]}"
    for ((run = 1; run <= RUNS && ${#restores[@]} > 0; run++)); do
        order=("${restores[@]}")
        ((run % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${restores[@]}" | tac)
        for c in "${order[@]}"; do
            local target=bench_r_${c}_$$
            case $c in
                pg_restore_z0) MEASURE_DB_RE="^$target" measure restore "$c" 1x "$run" restore_pg_restore "$target" "$WORK/$DB1.Z0.dump" ;;
                pg_restore_fc) MEASURE_DB_RE="^$target" measure restore "$c" 1x "$run" restore_pg_restore "$target" "$WORK/$DB1.Fc.dump" ;;
                lifeboat_j2) MEASURE_DB_RE="^$target" measure restore "$c" 1x "$run" restore_lifeboat "$target" 1x-1 2 "$DB1" ;;
                lifeboat_j1) MEASURE_DB_RE="^$target" measure restore "$c" 1x "$run" restore_lifeboat "$target" 1x-1 1 "$DB1" ;;
            esac
        done
    done
    if $STAGES && want stages; then
        stage_profile "$WORK/$DB1.Z0.dump" >"$WORK/stages.tsv"
    fi
    rm -rf "$WORK/lb-repo-1x-1" "$WORK/$DB1".*

    local twice=()
    for c in zstd lifeboat_local lifeboat_s3; do
        [[ $c == lifeboat_s3 ]] && ! $WITH_S3 && continue
        want "$c" && twice+=("$c")
    done
    if [[ -n $DB2 ]] && { ((${#twice[@]} > 0)) || want lifeboat_j2; }; then
        # Twice the size: is lifeboat's memory flat? The limit pipeline runs beside it for the time
        # ratio; lifeboat's restore runs once (its RSS is the point, not its time).
        log "warm-up: pg_dump of $DB2 to /dev/null (untimed)"
        "$PGBIN/pg_dump" "${PGCONN[@]}" -Fc -Z0 -d "$DB2" >/dev/null
        for ((run = 1; run <= RUNS && ${#twice[@]} > 0; run++)); do
            order=("${twice[@]}")
            ((run % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${order[@]}" | tac)
            for c in "${order[@]}"; do
                case $c in
                    zstd) MEASURE_DB_RE="^$DB2\$" measure backup zstd 2x "$run" backup_zstd "$DB2"
                        rm -f "$WORK/$DB2.Z0.dump.zst" ;;
                    lifeboat_local) MEASURE_DB_RE="^$DB2\$" measure backup lifeboat_local 2x "$run" backup_lifeboat_local "2x-$run" "$DB2"
                        ((run == 1)) || rm -rf "$WORK/lb-repo-2x-$run" ;;
                    lifeboat_s3) MEASURE_DB_RE="^$DB2\$" MEASURE_COMM_RE="$S3_SERVER_RE" measure backup lifeboat_s3 2x "$run" backup_lifeboat_s3 "2x-$run" "$DB2" ;;
                esac
            done
        done
        if want lifeboat_j2; then
            prepare_restore_inputs "$DB2" 2x lifeboat_j2
            MEASURE_DB_RE="^bench_r_lifeboat_j2_2x_$$" measure restore lifeboat_j2 2x 1 restore_lifeboat "bench_r_lifeboat_j2_2x_$$" 2x-1 2 "$DB2"
        fi
        rm -rf "$WORK/lb-repo-2x-1"
    fi

    printf 'total_s\t%s\n' $((SECONDS - started)) >>"$WORK/facts.tsv"
    printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/facts.tsv"

    python3 "$LIB/pg-logical-report.py" "$WORK/facts.tsv" "$INDEX" "$WORK/stages.tsv" >"$OUT"
    $KEEP || rm -rf "$WORK"/run-*
    log "done in $((SECONDS - started)) s; results in ${OUT#"$REPO_ROOT"/}"
}

main
