# machine.sh — the machine a benchmark runs on: what it is (for the results file), how busy other
# people keep it (the 2 cores are shared), and one timed run watched by procsample.py. Sourced by
# pg-logical.sh, pg-pitr.sh, redis.sh and buckets.sh, which define log, die, NOISY_CORES and
# QUIET_WAIT_S before calling wait_quiet or timed_run.
# shellcheck shell=bash

MACHINE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# machine_facts DIR DISK_NOTE: the machine as KEY<TAB>VALUE lines (date, nproc, memory, cpu, disk,
# kernel); the disk is the one holding DIR, DISK_NOTE what else shares it (inside its parentheses, its
# own punctuation first).
machine_facts() {
    local dir=$1 disk_note=$2 dev
    dev=$(findmnt -n -o SOURCE --target "$dir")
    printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'memory\t%s\n' "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) ($(grep -m1 -o -w -e sha_ni /proc/cpuinfo || echo 'no sha_ni'), $(grep -m1 -o -w -e aes /proc/cpuinfo || echo 'no aes-ni'), $(sed -n 's/^cpu MHz[[:space:]]*: //p' /proc/cpuinfo | head -1) MHz)"
    printf 'disk\t%s\n' "$dev ($(findmnt -n -o FSTYPE --target "$dir"), $(lsblk -dn -o SIZE,ROTA "$dev" 2>/dev/null | awk '{ print $1 ", " ($2 == 1 ? "rotational" : "non-rotational") }')$disk_note)"
    printf 'kernel\t%s\n' "$(uname -r)"
}

# shell_words ARGS...: ARGS as one line a shell reads back the same (the results file's exact command).
shell_words() {
    local a out=()
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./,=:@+-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
    done
    printf '%s' "${out[*]}"
}

# invocation_line SCRIPT "VAR..." ARGS...: how the benchmark was started, for its results file: SCRIPT with
# ARGS, preceded by those of the environment variables VAR that are set.
invocation_line() {
    local line var
    line=$(shell_words "$1" "${@:3}")
    for var in $2; do
        [[ -z ${!var:-} ]] || line="$var=$(shell_words "${!var}") $line"
    done
    printf '%s' "$line"
}

CLK_TCK=$(getconf CLK_TCK)

busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# busy_cores SECONDS: how many cores the machine kept busy over SECONDS. Called only between runs,
# when nothing of ours runs, so it is other people's load.
busy_cores() {
    local b0 b1
    b0=$(busy_ticks)
    sleep "$1"
    b1=$(busy_ticks)
    awk -v d=$((b1 - b0)) -v s="$1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", d / hz / s }'
}

# wait_quiet: start a timed run only when other work leaves the cores (almost) free, or after
# QUIET_WAIT_S regardless (the result records the load either way); QUIET_WAIT_S=0 does not wait.
wait_quiet() {
    local waited=0 cores
    ((QUIET_WAIT_S > 0)) || return 0
    while :; do
        cores=$(busy_cores 3)
        awk -v c="$cores" -v t="$NOISY_CORES" 'BEGIN { exit !(c <= t) }' && return 0
        if ((waited >= QUIET_WAIT_S)); then
            log "other processes still use $cores cores after ${waited} s of waiting; running anyway (recorded)"
            return 0
        fi
        ((waited == 0)) && log "other processes use $cores cores; waiting for a quieter machine (up to ${QUIET_WAIT_S} s)"
        sleep 10
        waited=$((waited + 13))
    done
}

# timed_run DIR DB_REGEX COMM_REGEX CLUSTER_REGEX FUNCTION ARGS...: one timed run of FUNCTION in a
# subshell, after sync and wait_quiet, watched by procsample.py: DIR/sample.json holds every process
# the run started and those the regexes name (see procsample.py), their peak RSS and CPU, and the
# machine's foreign load. FUNCTION's stdout and stderr go to DIR/stdout and DIR/stderr, what it
# prints on fd 3 (the output's size in bytes, or nothing) to DIR/out_bytes. Sets TIMED_WALL (seconds,
# two decimals) and returns FUNCTION's exit code; the caller records the run and reports a failure.
timed_run() {
    local dir=$1 db_re=$2 comm_re=$3 cluster_re=$4
    shift 4
    local t0 t1 spid pid rc=0 i
    mkdir -p "$dir"
    sync
    wait_quiet
    # BASHPID read first: in the backgrounded command's own words it would be the sampler's pid.
    local shell_pid=$BASHPID
    python3 "$MACHINE_LIB/procsample.py" "$dir/sample.json" "$shell_pid" 0.25 "$db_re" "$dir/sampler.ready" "$comm_re" \
        "$cluster_re" &
    spid=$!
    for ((i = 0; i < 200; i++)); do
        [[ -e $dir/sampler.ready ]] && break
        sleep 0.05
    done
    [[ -e $dir/sampler.ready ]] || die "procsample.py did not start"
    t0=$(date +%s.%N)
    ( "$@" 3>"$dir/out_bytes" ) >"$dir/stdout" 2>"$dir/stderr" &
    pid=$!
    wait "$pid" || rc=$?
    t1=$(date +%s.%N)
    kill -TERM "$spid" 2>/dev/null || true
    wait "$spid" || true
    # shellcheck disable=SC2034 # read by the caller
    TIMED_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    return "$rc"
}
