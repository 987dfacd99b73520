#!/usr/bin/env bash
# buckets.sh — Lifeboat's bucket snapshots against `rclone copy` S3→S3, side by side, on one dataset in
# one radosgw, in one run: a full backup, a no-change rerun over many keys, and peak memory at a million
# keys. See bench/README.md for what each row means.
#
#   bench/buckets.sh [--quick] [--large N] [--small N] [--nochange-keys N] [--rss-keys N] [--runs N]
#                    [--transfers N] [--only LIST] [--no-build] [--keep] [--note TEXT] [--out FILE]
#
#   --quick            smoke run: 50 + 1,000 objects (100 MiB), 5,000 keys unchanged, 20,000 keys for
#                      memory, 1 run (a few minutes once the datasets exist)
#   --large N          objects of 2 KB–8 MB in the full-backup dataset (default 1000: 1.85 GiB)
#   --small N          objects of 512 B–16 KiB beside them (default 20000: 88 MiB)
#   --nochange-keys N  objects of the no-change rerun's bucket (default 100000)
#   --rss-keys N       empty objects of the memory phase's bucket (default 1000000)
#   --runs N           timed runs of each full-backup contender and of the no-change rerun (default 3)
#   --transfers N      objects in flight, for both: lifeboat's transfers and rclone's --transfers (default 8)
#   --only LIST        only these phases (comma-separated: full nochange rss)
#   --no-build         use the lifeboat already published in bench/work/bin
#   --keep             keep bench/work/buckets/run (repositories, configs, logs) and rclone's target buckets
#   --note TEXT        a line for the results file (e.g. what else ran on the machine)
#   --out FILE         results file (default bench/results/buckets-<UTC date>.md, -quick.md for --quick)
#
# Needs the devstack's radosgw (scripts/devstack.sh start; its env.sh names the endpoint and keys), python3,
# jq and Debian's rclone (installed with apt-get when missing, which needs root). The source buckets
# (lb-bench-mixed-*, lb-bench-keys-*) are written once by lib/buckets-dataset.py and kept in the radosgw
# for the next run: the million-key one takes ~45 min of PUTs. rclone's targets (lb-bench-rclone-*) and
# lifeboat's repositories (local directories) are new in every run and removed at its end.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=$BENCH_DIR/work
LIB=$BENCH_DIR/lib
# shellcheck source=lib/machine.sh
source "$LIB/machine.sh"

INVOCATION=$(invocation_line bench/buckets.sh "BUCKETS_BENCH_NOISY_CORES BUCKETS_BENCH_QUIET_WAIT_S" "$@")

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

LARGE=1000
SMALL=20000
NOCHANGE_KEYS=100000
RSS_KEYS=1000000
RUNS=3
TRANSFERS=8
ONLY=
BUILD=true
KEEP=false
OUT=
NOTE=
QUICK=false
# The machine is shared: before each timed run the script waits (up to QUIET_WAIT_S) for other
# people's processes to use at most NOISY_CORES, and records what they used during the run either way.
NOISY_CORES=${BUCKETS_BENCH_NOISY_CORES:-0.5}
QUIET_WAIT_S=${BUCKETS_BENCH_QUIET_WAIT_S:-120}

usage() {
    sed -n '5,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while (($#)); do
    case $1 in
        --quick) QUICK=true; LARGE=50; SMALL=1000; NOCHANGE_KEYS=5000; RSS_KEYS=20000; RUNS=1
            QUIET_WAIT_S=${BUCKETS_BENCH_QUIET_WAIT_S:-0}; shift ;;
        --large) LARGE=${2:?}; shift 2 ;;
        --small) SMALL=${2:?}; shift 2 ;;
        --nochange-keys) NOCHANGE_KEYS=${2:?}; shift 2 ;;
        --rss-keys) RSS_KEYS=${2:?}; shift 2 ;;
        --runs) RUNS=${2:?}; shift 2 ;;
        --transfers) TRANSFERS=${2:?}; shift 2 ;;
        --only) ONLY=,${2:?},; shift 2 ;;
        --no-build) BUILD=false; shift ;;
        --keep) KEEP=true; shift ;;
        --note) NOTE=${2?}; shift 2 ;;
        --out) OUT=$(realpath -m -- "${2:?}"); shift 2 ;;   # absolute: main cd's to bench/work/buckets
        -h | --help) usage ;;
        *) echo "buckets-bench: unknown argument '$1'" >&2; usage ;;
    esac
done
for n in "$LARGE" "$NOCHANGE_KEYS" "$RSS_KEYS" "$RUNS" "$TRANSFERS"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || usage
done
[[ $SMALL =~ ^[0-9]+$ ]] || usage
((TRANSFERS <= 64)) || usage
if [[ -n $ONLY ]]; then
    for phase in ${ONLY//,/ }; do
        [[ $phase =~ ^(full|nochange|rss)$ ]] || { echo "buckets-bench: --only takes full, nochange and rss, not '$phase'" >&2; exit 2; }
    done
fi

# want PHASE: selected by --only (or no --only given).
want() { [[ -z $ONLY || $ONLY == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------------
# Layout: local files under bench/work/buckets (gitignored), source buckets in the radosgw
# ---------------------------------------------------------------------------------------------

LB_BIN=$WORK/bin
LB=$LB_BIN/lifeboat
BUCKETS_WORK=$WORK/buckets
RUN=$BUCKETS_WORK/run          # repositories, configs, rclone.conf; new every run
OUTD=$BUCKETS_WORK/out         # samples, logs, results.jsonl; new every run
RESULTS=$OUTD/results.jsonl
DEVSTACK_ENV=${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}/env.sh

MIXED_BUCKET=lb-bench-mixed-$LARGE-$SMALL
NOCHANGE_BUCKET=lb-bench-keys-$NOCHANGE_KEYS-64
RSS_BUCKET=lb-bench-keys-$RSS_KEYS-0
RCLONE_PREFIX=lb-bench-rclone-
# What lifeboat reads the source's keys from (its config names the variables, never the values).
export LB_BENCH_S3_ACCESS_KEY LB_BENCH_S3_SECRET_KEY

log() { printf '%s buckets-bench: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Preflight: the S3 server, the tools
# ---------------------------------------------------------------------------------------------

# s3_settings: the devstack's endpoint and keys (its env.sh), unless the environment names them already.
s3_settings() {
    if [[ -z ${LIFEBOAT_TEST_S3_ENDPOINT:-} ]]; then
        [[ -r $DEVSTACK_ENV ]] || die "no S3 endpoint: start the devstack (scripts/devstack.sh start), which writes $DEVSTACK_ENV"
        # shellcheck source=/dev/null
        source "$DEVSTACK_ENV"
    fi
    S3_ENDPOINT=${LIFEBOAT_TEST_S3_ENDPOINT:?}
    S3_REGION=${LIFEBOAT_TEST_S3_REGION:-us-east-1}
    LB_BENCH_S3_ACCESS_KEY=${LIFEBOAT_TEST_S3_ACCESS_KEY:?}
    LB_BENCH_S3_SECRET_KEY=${LIFEBOAT_TEST_S3_SECRET_KEY:?}
}

# dataset ARGS...: lib/buckets-dataset.py against the benchmark's S3 server.
dataset() {
    S3_ENDPOINT=$S3_ENDPOINT S3_ACCESS_KEY=$LB_BENCH_S3_ACCESS_KEY S3_SECRET_KEY=$LB_BENCH_S3_SECRET_KEY \
        S3_REGION=$S3_REGION python3 "$LIB/buckets-dataset.py" "$@"
}

# rclone_run ARGS...: Debian's rclone on the benchmark's config. AWS_CA_BUNDLE is dropped: some
# environments export it for their HTTPS proxies, and rclone 1.60 then refuses a plain-http endpoint.
rclone_run() { env -u AWS_CA_BUNDLE rclone --config "$RUN/rclone.conf" "$@"; }

install_tools() {
    local missing=()
    command -v rclone >/dev/null || missing+=(rclone)
    command -v jq >/dev/null || missing+=(jq)
    ((${#missing[@]})) || return 0
    [[ $(id -u) -eq 0 ]] || die "${missing[*]} missing: install with apt-get (as root), or run this as root"
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get could not install ${missing[*]}"
}

preflight() {
    install_tools
    local tool
    for tool in rclone jq python3 dotnet curl; do
        command -v "$tool" >/dev/null || die "$tool is missing"
    done
    s3_settings
    dataset count lb-bench-probe-does-not-exist >/dev/null 2>&1 ||
        die "the S3 endpoint $S3_ENDPOINT does not answer (scripts/devstack.sh status; start it with scripts/devstack.sh start)"
}

rclone_config() {
    local remote
    : >"$RUN/rclone.conf"
    chmod 600 "$RUN/rclone.conf"
    # Two remotes on the same server: rclone copies server-side only within one remote, and
    # --disable Copy rules it out as well, so every byte goes through rclone (as it goes through lifeboat).
    for remote in src dst; do
        cat >>"$RUN/rclone.conf" <<EOF
[$remote]
type = s3
provider = Ceph
endpoint = $S3_ENDPOINT
region = $S3_REGION
access_key_id = $LB_BENCH_S3_ACCESS_KEY
secret_access_key = $LB_BENCH_S3_SECRET_KEY

EOF
    done
}

# ---------------------------------------------------------------------------------------------
# Measuring (as bench/redis.sh, on machine.sh's timed_run)
# ---------------------------------------------------------------------------------------------

record() { printf '%s\n' "$1" >>"$RESULTS"; }

# timed ROW RUN FUNCTION ARGS...: one timed run of FUNCTION, watched by procsample.py with the S3
# server's processes (radosgw, ceph-osd) counted as the run's. FUNCTION prints the output's size in
# bytes on fd 3 (or nothing).
timed() {
    local row=$1 run=$2
    shift 2
    local dir=$OUTD/$row-$run rc=0
    # No PostgreSQL process is the run's: a database and cluster regex that match nothing.
    timed_run "$dir" '(?!)' '^(radosgw|ceph-osd)$' '(?!)' "$@" || rc=$?
    if ((rc != 0)); then
        tail -n 20 "$dir/stderr" >&2
        die "$row (run $run) failed with exit code $rc; logs in $dir"
    fi
    record "$(jq -cn --arg row "$row" --argjson run "$run" --argjson wall "$TIMED_WALL" \
        --arg bytes "$(cat "$dir/out_bytes")" --arg sample "$dir/sample.json" --arg stdout "$dir/stdout" --arg stderr "$dir/stderr" \
        '{row: $row, run: $run, wall_s: $wall, bytes: ($bytes | tonumber? // 0), sample: $sample, stdout: $stdout, stderr: $stderr}')"
    log "$row run $run: ${TIMED_WALL} s (foreign load $(jq -r '(.foreign_s / .wall_s * 100 | round) / 100' "$dir/sample.json") cores)"
}

# ---------------------------------------------------------------------------------------------
# Datasets: written once, kept in the radosgw
# ---------------------------------------------------------------------------------------------

# ensure_dataset NAME ARGS...: lib/buckets-dataset.py ARGS (untimed), which lists the bucket, uploads
# only what is missing, and prints the dataset's objects and bytes; saved as $OUTD/dataset-NAME.json.
ensure_dataset() {
    local name=$1
    shift
    log "dataset $name: s3://$2 (lib/buckets-dataset.py $*; untimed, uploads only what the bucket lacks)"
    dataset "$@" >"$OUTD/dataset-$name.json" || die "writing the dataset s3://$2 failed"
    log "dataset $name: $(jq -r '"\(.objects) objects, \(.bytes) bytes, \(.uploaded) uploaded now in \(.seconds) s"' "$OUTD/dataset-$name.json")"
}

dataset_field() { jq -r ".$2" "$OUTD/dataset-$1.json"; }

# ---------------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------------

# lb_config DIR BUCKET: lifeboat with a fresh local directory repository, encrypted with a key file,
# and the bucket as its source `bench`; initialised (untimed).
lb_config() {
    local dir=$1 bucket=$2 conf
    mkdir -p "$dir"
    conf=$dir/lifeboat.yaml
    cat >"$conf" <<EOF
# Written by bench/buckets.sh.
repository:
  url: $dir/repo
  encryption: { keyFile: $dir/repo.key }
buckets:
  - name: bench
    endpoint: $S3_ENDPOINT
    region: $S3_REGION
    bucket: $bucket
    accessKeyEnv: LB_BENCH_S3_ACCESS_KEY
    secretKeyEnv: LB_BENCH_S3_SECRET_KEY
    transfers: $TRANSFERS
EOF
    "$LB" --config "$conf" -q init >/dev/null || die "lifeboat init failed with $conf"
    echo "$conf"
}

# row_lifeboat CONF: lifeboat backup buckets into the config's repository; its summary (--json) on
# stdout, its events (what it read, what it uploaded) on stderr, the repository's size on fd 3.
row_lifeboat() {
    local conf=$1
    "$LB" --config "$conf" backup buckets --name bench --json
    du -sb "$(dirname "$conf")/repo" | cut -f1 >&3
}

# row_rclone TARGET: rclone copy of the whole dataset into a new bucket of the same server, every byte
# through rclone (GET, then PUT; no server-side copy), with as many transfers as lifeboat.
row_rclone() {
    rclone_run copy "src:$MIXED_BUCKET" "dst:$1" --transfers "$TRANSFERS" --disable Copy --stats-one-line --stats 30s -v
    dataset_field full bytes >&3
}

# check_lifeboat ROW RUN WANT_OBJECTS WANT_BYTES: the snapshot holds what the bucket holds.
check_lifeboat() {
    local summary=$OUTD/$1-$2/stdout bytes
    bytes=$(jq -r '.sizeBytes' "$summary")
    [[ $bytes == "$4" ]] || die "$1 run $2: the snapshot holds $bytes bytes, the bucket $4 (see $summary)"
    grep -q "committed, $3 objects" "$OUTD/$1-$2/stderr" ||
        die "$1 run $2: the snapshot does not hold the bucket's $3 objects (see $OUTD/$1-$2/stderr)"
}

check_rclone() {
    local got
    got=$(dataset count "$1" | jq -r '"\(.objects) \(.bytes)"')
    [[ $got == "$(dataset_field full objects) $(dataset_field full bytes)" ]] ||
        die "rclone's copy s3://$1 holds $got (objects bytes), the dataset $(dataset_field full objects) $(dataset_field full bytes)"
}

drop_rclone_target() {
    $KEEP && return 0
    rclone_run purge "dst:$1" >/dev/null 2>&1 || log "could not delete rclone's target s3://$1 (left for the next run)"
}

# Phase full: lifeboat backup buckets (fresh repository) and rclone copy (fresh bucket) take turns,
# the order reversing every round.
phase_full() {
    ensure_dataset full mixed "$MIXED_BUCKET" "$LARGE" "$SMALL"
    local objects bytes run conf target
    objects=$(dataset_field full objects)
    bytes=$(dataset_field full bytes)
    # Warm-up, untimed: one listing, so neither contender is the first to touch the bucket's index.
    dataset count "$MIXED_BUCKET" >/dev/null
    for ((run = 1; run <= RUNS; run++)); do
        conf=$(lb_config "$RUN/full-$run" "$MIXED_BUCKET")
        target=$RCLONE_PREFIX$run
        if ((run % 2)); then
            timed lifeboat "$run" row_lifeboat "$conf"
            timed rclone "$run" row_rclone "$target"
        else
            timed rclone "$run" row_rclone "$target"
            timed lifeboat "$run" row_lifeboat "$conf"
        fi
        check_lifeboat lifeboat "$run" "$objects" "$bytes"
        check_rclone "$target"
        # Keep the disks from filling: the next round writes its own copies.
        $KEEP || rm -rf "$RUN/full-$run/repo"
        drop_rclone_target "$target"
    done
}

# Phase nochange: the first backup of the keys bucket (timed, once), then reruns with nothing changed.
phase_nochange() {
    ensure_dataset nochange keys "$NOCHANGE_BUCKET" "$NOCHANGE_KEYS" 64
    local conf run objects bytes
    objects=$(dataset_field nochange objects)
    bytes=$(dataset_field nochange bytes)
    conf=$(lb_config "$RUN/nochange" "$NOCHANGE_BUCKET")
    timed nochange_first 1 row_lifeboat "$conf"
    check_lifeboat nochange_first 1 "$objects" "$bytes"
    for ((run = 1; run <= RUNS; run++)); do
        timed nochange "$run" row_lifeboat "$conf"
        check_lifeboat nochange "$run" "$objects" "$bytes"
    done
    $KEEP || rm -rf "$RUN/nochange/repo"
}

# Phase rss: the first backup of the bucket of empty keys, then one rerun with nothing changed; the
# peak RSS of both.
phase_rss() {
    ensure_dataset rss keys "$RSS_BUCKET" "$RSS_KEYS" 0
    local conf
    conf=$(lb_config "$RUN/rss" "$RSS_BUCKET")
    timed rss_first 1 row_lifeboat "$conf"
    check_lifeboat rss_first 1 "$(dataset_field rss objects)" 0
    timed rss_nochange 1 row_lifeboat "$conf"
    check_lifeboat rss_nochange 1 "$(dataset_field rss objects)" 0
    $KEEP || rm -rf "$RUN/rss/repo"
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

facts() {
    machine_facts "$BUCKETS_WORK" "; lifeboat's repositories, its spill files and the radosgw's OSD share it"
    printf 'server\t%s\n' "Ceph radosgw $(radosgw --version 2>/dev/null | sed -n 's/^ceph version \([^ ]*\).*/\1/p') (one OSD, bluestore; the devstack's) at $S3_ENDPOINT"
    printf 'rclone\t%s\n' "$(rclone version 2>/dev/null | head -1) (Debian package $(dpkg-query -W -f '${Version}' rclone 2>/dev/null || echo '?'))"
    printf 'lifeboat\t%s\n' "$("$LB" --version) (git $(git -C "$REPO_ROOT" rev-parse --short HEAD)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src || echo ', src modified'), dotnet publish -c Release, Native AOT), .NET SDK $(dotnet --version)"
    printf 'load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'invocation\t%s\n' "$INVOCATION"
    printf 'runs\t%s\n' "$RUNS"
    printf 'transfers\t%s\n' "$TRANSFERS"
    printf 'quick\t%s\n' "$QUICK"
    printf 'note\t%s\n' "${NOTE//$'\t'/ }"
    printf 'noisy_cores\t%s\n' "$NOISY_CORES"
    printf 'quiet_wait_s\t%s\n' "$QUIET_WAIT_S"
    printf 'buckets\t%s\t%s\t%s\n' "$MIXED_BUCKET" "$NOCHANGE_BUCKET" "$RSS_BUCKET"
}

# leftover_targets: rclone targets a killed run left behind.
leftover_targets() { rclone_run lsf --dirs-only "dst:" 2>/dev/null | sed -n "s|^\(${RCLONE_PREFIX}[0-9]*\)/\$|\1|p"; }

# On any exit, also a failed one: remove what this run wrote (never the kept source buckets).
cleanup() {
    local target
    if [[ -e $RUN/rclone.conf ]] && ! $KEEP; then
        for target in $(leftover_targets); do drop_rclone_target "$target"; done
    fi
    $KEEP || rm -rf "$RUN"
}

main() {
    preflight
    mkdir -p "$BUCKETS_WORK" "$BENCH_DIR/results"
    cd "$BUCKETS_WORK"
    trap cleanup EXIT
    local started=$SECONDS target phase
    local suffix=
    ! $QUICK || suffix=-quick
    OUT=${OUT:-$BENCH_DIR/results/buckets-$(date -u +%Y-%m-%d)$suffix.md}
    rm -rf "$RUN" "$OUTD"
    mkdir -p "$RUN" "$OUTD"
    rclone_config
    for target in $(leftover_targets); do
        log "deleting s3://$target, left by an earlier run"
        rclone_run purge "dst:$target" >/dev/null 2>&1 || die "could not delete s3://$target"
    done

    build_lifeboat
    facts >"$OUTD/facts.tsv"
    for phase in full nochange rss; do
        want "$phase" || continue
        local t0=$SECONDS
        "phase_$phase"
        printf 'phase_s\t%s\t%s\n' "$phase" $((SECONDS - t0)) >>"$OUTD/facts.tsv"
    done
    for phase in full nochange rss; do
        [[ -e $OUTD/dataset-$phase.json ]] && printf 'dataset\t%s\t%s\n' "$phase" "$(cat "$OUTD/dataset-$phase.json")" >>"$OUTD/facts.tsv"
    done

    printf 'total_s\t%s\n' $((SECONDS - started)) >>"$OUTD/facts.tsv"
    printf 'load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUTD/facts.tsv"
    python3 "$LIB/buckets-report.py" "$OUTD/facts.tsv" "$RESULTS" >"$OUT"
    log "done in $((SECONDS - started)) s; results in ${OUT#"$REPO_ROOT"/}"
}

main
