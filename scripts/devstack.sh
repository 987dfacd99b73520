#!/usr/bin/env bash
# devstack.sh — install and run the real servers Lifeboat's integration tests talk to:
# PostgreSQL 15 + PostGIS, Redis 7 and an S3 endpoint (one-node Ceph radosgw), all on
# 127.0.0.1 on private ports, all state under one directory outside the repository.
#
#   scripts/devstack.sh start [--size MB]   install what is missing, start what is not running,
#                                           load dev_platform (about MB MB, default 50) if absent
#   scripts/devstack.sh stop                stop all three
#   scripts/devstack.sh status              one line per service; exit 1 if any is down
#   scripts/devstack.sh env                 print the env.sh that start wrote
#   scripts/devstack.sh reset-archive       start the server's WAL archive over (it only grows:
#                                           about 100 MB per run of the CLI tests, 60 MB per demo)
#
# State and logs: ${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}. No container engine and no
# systemd here, so every daemon runs from that directory, started and stopped by this script.
# Safe to rerun: an "already running" start only probes; after a reboot (state kept, processes
# gone) start brings the same data back up. Needs root for apt-get and for running initdb as
# the postgres user; status and env do not.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=$(realpath -m "${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}")
LOG_DIR=$DIR/log
RUN_DIR=$DIR/run

# Ports: private, high, and all on 127.0.0.1, so the stack never meets a system service or a
# Debian default cluster (PostgreSQL 5432, Redis 6379, Ceph 6789/3300). LIFEBOAT_DEVSTACK_PORT_OFFSET
# (with its own LIFEBOAT_DEVSTACK_DIR) runs a second stack beside the first, e.g. to try a change
# to this script without restarting the servers other test runs use.
PORT_OFFSET=${LIFEBOAT_DEVSTACK_PORT_OFFSET:-0}
if ! [[ $PORT_OFFSET =~ ^[0-9]{1,4}$ ]] || ((PORT_OFFSET > 8000)); then
    echo "devstack: error: LIFEBOAT_DEVSTACK_PORT_OFFSET takes a whole number from 0 to 8000" >&2
    exit 2
fi
PG_PORT=$((55432 + PORT_OFFSET))
REDIS_PORT=$((56379 + PORT_OFFSET))
MON_PORT=$((56789 + PORT_OFFSET))
OSD_PORT_MIN=$((56800 + PORT_OFFSET))
OSD_PORT_MAX=$((56899 + PORT_OFFSET))
S3_PORT=$((56900 + PORT_OFFSET))

PG_USER=devuser
PG_PASSWORD=devpass
PG_DATABASE=dev_platform
S3_ACCESS_KEY=lifeboat-test
S3_SECRET_KEY=lifeboat-test-secret
S3_REGION=us-east-1

PG_BIN=/usr/lib/postgresql/15/bin
PG_ROOT=$DIR/postgres
PG_DATA=$PG_ROOT/data
PG_SOCKET_DIR=$PG_ROOT/run
PG_LOG=$LOG_DIR/postgresql.log

REDIS_ROOT=$DIR/redis
REDIS_CONF=$REDIS_ROOT/redis.conf
REDIS_PID=$RUN_DIR/redis.pid
REDIS_LOG=$LOG_DIR/redis.log

CEPH_ROOT=$DIR/ceph
CEPH_CONF=$CEPH_ROOT/ceph.conf
CEPH_INITIALIZED=$CEPH_ROOT/initialized
RGW_NAME=client.rgw.lifeboat
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# WAL archiving (issue 9): the server archives every WAL file through lifeboat into a repository
# of its own, so the demo's point-in-time recovery and the tests run on the real path. See
# write_wal_push for how it behaves before lifeboat is published.
ARCHIVE_DIR=$DIR/archive
ARCHIVE_CONFIG=$ARCHIVE_DIR/lifeboat.yaml
ARCHIVE_SOURCE=$PG_DATABASE
WAL_PUSH=$DIR/wal-push.sh
# The executable archive_command runs: where demo.sh and test.sh publish it, in the checkout whose
# devstack.sh last ran start (demo.sh passes its own when LIFEBOAT_DEMO_BIN_DIR moves it). It can be
# republished under a running push: dotnet publish replaces the file, it does not write into it.
LIFEBOAT_BIN=${LIFEBOAT_DEVSTACK_LIFEBOAT:-$(dirname "$SCRIPT_DIR")/artifacts/lifeboat/lifeboat}

ENV_FILE=$DIR/env.sh
DEFAULT_SIZE_MB=50

# gcc, libc6-dev and binutils link the Native AOT lifeboat executable that demo.sh and test.sh publish.
PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-client-15 redis-server
    ceph-mon ceph-osd radosgw ceph-common curl zstd gcc libc6-dev binutils)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

log() { printf 'devstack: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# log_tail FILE: the end of a daemon's log, to go with an error.
log_tail() {
    local file=$1
    [[ -r $file ]] || return 0
    printf -- '--- last lines of %s ---\n' "$file" >&2
    tail -n 25 "$file" >&2
    printf -- '---\n' >&2
}

# pid_alive PID [COMM]: the process exists, is not a zombie, and (if given) runs COMM.
# PID 1 on these machines may not reap orphans, so a stopped daemon can linger as <defunct>
# (state Z), which kill -0 still reports as alive. COMM guards against a stale pid file whose
# number now belongs to an unrelated process (after a reboot, say).
pid_alive() {
    local pid=$1 comm=${2:-} key value state='' actual=''
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    # Builtins only (no awk/cat): an "already running" start runs this for every daemon.
    while read -r key value _; do
        if [[ $key == State: ]]; then
            state=$value
            break
        fi
    done 2>/dev/null <"/proc/$pid/status" || return 1
    [[ -n $state && $state != Z ]] || return 1
    [[ -z $comm ]] && return 0
    read -r actual 2>/dev/null <"/proc/$pid/comm" || return 1
    [[ $actual == "$comm" ]]
}

# pidfile_pid FILE: the first line of a pid file, or nothing.
pidfile_pid() {
    local pid=''
    [[ -r $1 ]] && read -r pid 2>/dev/null <"$1"
    echo "${pid//[[:space:]]/}"
}

# pidfile_alive FILE COMM
pidfile_alive() {
    local pid
    pid=$(pidfile_pid "$1")
    [[ -n $pid ]] && pid_alive "$pid" "$2"
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds; fail after SECONDS.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

not_alive() { ! pid_alive "$@"; }

# stop_pid NAME PID COMM: SIGTERM, wait up to 30 s, then SIGKILL. Every daemon here exits within
# a second or two on SIGTERM; the KILL is only for a wedged one, so stop stays bounded.
stop_pid() {
    local name=$1 pid=$2 comm=$3
    pid_alive "$pid" "$comm" || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for 30 not_alive "$pid" "$comm"; then
        log "$name did not stop within 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        wait_for 10 not_alive "$pid" "$comm" || die "$name (pid $pid) does not die"
    fi
}

require_root() {
    ((EUID == 0)) || die "'$1' needs root (apt-get, and running PostgreSQL as the postgres user)"
}

# Only one start or stop at a time (CI and a developer, or two test runs). The lock is an open
# file descriptor, so every daemon must be started with it closed (9>&-), or the daemon would
# hold the lock for its whole life.
take_lock() {
    mkdir -p "$DIR"
    exec 9>"$DIR/devstack.lock"
    flock -w 900 9 || die "another devstack start/stop holds $DIR/devstack.lock"
}

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------

missing_packages() {
    # One dpkg-query for all (it prints nothing for a package it has never heard of).
    local pkg status
    status=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true)
    for pkg in "${PACKAGES[@]}"; do
        [[ $'\n'$status$'\n' == *$'\n'"$pkg installed"$'\n'* ]] || echo "$pkg"
    done
}

# apt_get ARGS...: non-interactive, waiting for the dpkg lock (another apt-get may be installing
# these very packages right now), output to the log.
apt_get() {
    local try
    for try in $(seq 1 60); do
        if DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 "$@" \
            </dev/null >>"$LOG_DIR/apt.log" 2>&1 9>&-; then
            return 0
        fi
        # The lists lock of 'apt-get update' is not covered by DPkg::Lock::Timeout everywhere.
        if tail -n 5 "$LOG_DIR/apt.log" | grep -q 'Could not get lock'; then
            ((try == 1)) && log "apt is busy (another apt-get or dpkg); waiting"
            sleep 10
            continue
        fi
        log_tail "$LOG_DIR/apt.log"
        die "apt-get $* failed"
    done
    die "apt stayed locked for 10 minutes"
}

ensure_packages() {
    local missing
    missing=$(missing_packages)
    [[ -n $missing ]] || return 0
    log "installing $(echo "$missing" | tr '\n' ' ')(log: $LOG_DIR/apt.log)"
    apt_get update
    apt_get install -y --no-install-recommends "${PACKAGES[@]}"
    missing=$(missing_packages)
    [[ -z $missing ]] || die "still not installed: $missing"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

# as_postgres CMD...: initdb and the server refuse to run as root.
as_postgres() { runuser -u postgres -- "$@"; }

# psql over the private Unix socket as the postgres superuser (peer auth), SQL on stdin, for
# administration that must work whatever the tests did to devuser. Extra psql options may follow.
pg_admin_psql() {
    as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" \
        -U postgres -d postgres "$@"
}

pg_pid() { pidfile_pid "$PG_DATA/postmaster.pid"; }
pg_alive() { pidfile_alive "$PG_DATA/postmaster.pid" postgres; }
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }
pg_running() { pg_alive && pg_ready; }

# pg_write_config: (re)writes the devstack's settings; PG_CONFIG_CHANGED says whether they changed.
pg_write_config() {
    # Rewritten on every start so changes to this script reach existing clusters (pg_apply_config
    # reloads or restarts a running server for them). Other settings go in lifeboat-local.conf,
    # which the cluster's postgresql.conf includes after this file.
    cat >"$PG_DATA/lifeboat-devstack.conf.new" <<EOF
# Written by scripts/devstack.sh on every start; put overrides in lifeboat-local.conf.
cluster_name = 'lifeboat-devstack'
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 100
shared_buffers = 256MB
password_encryption = scram-sha-256

# Ready for physical backups and replication (pg_basebackup, pg_receivewal, PITR).
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
# WAL archived through 'lifeboat wal-push --async' as RUNBOOK §2.1 sets it up on a database host
# ($WAL_PUSH, into $ARCHIVE_DIR). The plan's archive_timeout bounds the RPO at 5 minutes; a
# switch is forced only after WAL was written, so an idle server adds no segment and a quiet one
# at most 12 an hour (16 MiB each in pg_wal while they wait to be archived).
archive_mode = on
archive_timeout = 300
archive_command = '"$WAL_PUSH" %p'
# max_wal_size stays at the default 1GB, as in the plan's postgis image: pg_wal keeps up to that
# much in recycled segments after a big load (a 2 GiB sample load fills it).

log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
timezone = 'UTC'
EOF
    chown postgres:postgres "$PG_DATA/lifeboat-devstack.conf.new"
    PG_CONFIG_CHANGED=false
    if cmp -s "$PG_DATA/lifeboat-devstack.conf.new" "$PG_DATA/lifeboat-devstack.conf"; then
        rm -f "$PG_DATA/lifeboat-devstack.conf.new"
        return 0
    fi
    mv "$PG_DATA/lifeboat-devstack.conf.new" "$PG_DATA/lifeboat-devstack.conf"
    PG_CONFIG_CHANGED=true
}

pg_init() {
    # The rename below is the commit point: a data directory with PG_VERSION is a cluster.
    [[ -s $PG_DATA/PG_VERSION ]] && return 0
    log "creating PostgreSQL cluster in $PG_DATA"
    install -d -o postgres -g postgres -m 0700 "$PG_ROOT"
    # initdb into a scratch directory and rename at the end: an interrupted initdb must not
    # leave something that looks like a cluster. An archive of an earlier cluster goes too: it
    # would refuse this one's WAL (another system identifier), and its backups restore nothing here.
    rm -rf "$PG_DATA" "$PG_DATA.new" "$ARCHIVE_DIR"
    # The bootstrap superuser 'postgres' gets no password: the script reaches it over the Unix
    # socket with peer authentication; TCP clients use devuser.
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA.new" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >>"$LOG_DIR/initdb.log" 2>&1 9>&- ||
        { log_tail "$LOG_DIR/initdb.log"; die "initdb failed"; }
    cat >"$PG_DATA.new/pg_hba.conf" <<'EOF'
# Written by scripts/devstack.sh at initdb. TCP on loopback only, passwords as SCRAM.
# TYPE  DATABASE     USER      ADDRESS        METHOD
local   all          postgres                 peer
local   replication  postgres                 peer
local   all          all                      scram-sha-256
host    all          all       127.0.0.1/32   scram-sha-256
host    replication  all       127.0.0.1/32   scram-sha-256
EOF
    cat >>"$PG_DATA.new/postgresql.conf" <<'EOF'

# Lifeboat devstack: settings of scripts/devstack.sh, then local overrides (later wins).
include = 'lifeboat-devstack.conf'
include_if_exists = 'lifeboat-local.conf'
EOF
    mv "$PG_DATA.new" "$PG_DATA"
    pg_write_config
}

# A postmaster that died without cleaning up leaves postmaster.pid and the socket lock files.
# PostgreSQL checks the PID in them with kill(0), which also succeeds for a zombie or for an
# unrelated process that got the same PID after a reboot, and then refuses to start. We know
# better (pid_alive), so remove them.
pg_clear_stale_locks() {
    local f pid
    for f in "$PG_DATA/postmaster.pid" "$PG_SOCKET_DIR"/.s.PGSQL.*.lock; do
        [[ -e $f ]] || continue
        pid=$(pidfile_pid "$f")
        if ! pid_alive "${pid:-x}" postgres; then
            log "removing stale $(basename "$f") (pid ${pid:-?} is gone)"
            rm -f "$f"
        fi
    done
}

pg_ensure_user() {
    # At every server start, and whenever devuser cannot log in: recreate devuser if a test
    # dropped it, and reset its password. Superuser, as in the postgis image the plan uses, so
    # it can CREATE EXTENSION postgis; REPLICATION for pg_basebackup and pg_receivewal.
    pg_admin_psql <<EOF
SELECT format('CREATE ROLE %I LOGIN', '$PG_USER')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') \\gexec
ALTER ROLE "$PG_USER" WITH LOGIN SUPERUSER REPLICATION PASSWORD '$PG_PASSWORD';
EOF
}

# pg_apply_config: brings a running server to the settings pg_write_config wrote. A reload
# takes most of them; one that only a restart applies (archive_mode, on an older devstack)
# restarts the server, which cuts the sessions open on it.
pg_apply_config() {
    pg_write_config
    if $PG_CONFIG_CHANGED; then
        pg_admin_psql -o /dev/null <<<'SELECT pg_reload_conf()'
    fi
    # pg_file_settings reads the files now and marks a value that differs from a setting only a
    # restart changes; no waiting for the reload to reach every process.
    local pending
    pending=$(pg_admin_psql -tA <<<"SELECT string_agg(DISTINCT name, ', ') FROM pg_file_settings
        WHERE error = 'setting could not be applied'")
    [[ -n $pending ]] || return 0
    log "restarting PostgreSQL (pid $(pg_pid)) to apply $pending"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t 120 -s restart \
        </dev/null >>"$LOG_DIR/pg_ctl.log" 2>&1 9>&- ||
        { log_tail "$LOG_DIR/pg_ctl.log"; log_tail "$PG_LOG"; die "PostgreSQL did not restart"; }
    wait_for 30 pg_ready || { log_tail "$PG_LOG"; die "PostgreSQL does not accept TCP connections after its restart"; }
}

pg_start() {
    pg_init
    archive_prepare
    if pg_running; then
        pg_apply_config
        log "PostgreSQL already running (pid $(pg_pid), port $PG_PORT)"
    else
        if pg_alive; then
            # Running but not accepting connections yet: crash recovery after an unclean stop,
            # or a start in progress. Give it time rather than starting a second one.
            log "PostgreSQL (pid $(pg_pid)) runs but is not ready yet; waiting"
            wait_for 300 pg_ready ||
                { log_tail "$PG_LOG"; die "PostgreSQL (pid $(pg_pid)) does not accept connections on 127.0.0.1:$PG_PORT"; }
            return 0
        fi
        pg_write_config
        install -d -o postgres -g postgres -m 0700 "$PG_SOCKET_DIR"
        pg_clear_stale_locks
        touch "$PG_LOG"
        chown postgres:postgres "$PG_LOG"
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        # pg_ctl puts the postmaster in its own session (setsid), so it outlives this shell.
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 120 -s start \
            </dev/null >>"$LOG_DIR/pg_ctl.log" 2>&1 9>&- ||
            { log_tail "$LOG_DIR/pg_ctl.log"; log_tail "$PG_LOG"; die "PostgreSQL did not start"; }
        wait_for 30 pg_ready || { log_tail "$PG_LOG"; die "PostgreSQL does not accept TCP connections"; }
        pg_ensure_user
    fi
}

pg_stop() {
    pg_alive || { pg_clear_stale_locks; return 0; }
    log "stopping PostgreSQL (pid $(pg_pid))"
    # fast: roll back open transactions and shut down cleanly (a checkpoint, no crash recovery
    # at the next start). pg_ctl waits for postmaster.pid to go, which works with zombies too.
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 -s stop 9>&-; then
        log "PostgreSQL did not stop within 60 s; immediate shutdown"
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 -s stop 9>&- || true
    fi
    local pid
    pid=$(pg_pid)
    [[ -z $pid ]] || stop_pid PostgreSQL "$pid" postgres
}

# pg_archiver_status: what pg_stat_archiver says, in a few words (nothing if devuser cannot log in).
pg_archiver_status() {
    PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -tA -h 127.0.0.1 -p "$PG_PORT" \
        -U "$PG_USER" -d postgres -c "SELECT format('archive: %s archived (last %s), %s failed (last %s)',
            archived_count, coalesce(last_archived_wal, '-'), failed_count, coalesce(last_failed_wal, '-'))
        FROM pg_stat_archiver" 2>/dev/null || true
}

# pg_sample_ready: devuser can log in over TCP and dev_platform holds a finished sample load.
# One psql call: the whole check of an "already running" start.
pg_sample_ready() {
    [[ -n $(PGPASSWORD=$PG_PASSWORD PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -tA -h 127.0.0.1 \
        -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" \
        -c "select value from sample_info where key = 'size_mb'" 2>/dev/null) ]]
}

pg_load_sample() {
    LIFEBOAT_TEST_PG_HOST=127.0.0.1 LIFEBOAT_TEST_PG_PORT=$PG_PORT \
        LIFEBOAT_TEST_PG_USER=$PG_USER LIFEBOAT_TEST_PG_PASSWORD=$PG_PASSWORD \
        "$SCRIPT_DIR/load-sample.sh" "$PG_DATABASE" "$1" 9>&-
}

# pg_ensure_sample SIZE_MB: devuser and dev_platform, each only if missing.
pg_ensure_sample() {
    if pg_sample_ready; then
        log "$PG_DATABASE holds sample data"
        return 0
    fi
    pg_ensure_user
    pg_load_sample "$1"
}

# ---------------------------------------------------------------------------------------------
# WAL archive
# ---------------------------------------------------------------------------------------------

# archive_prepare: the archive's directory and configuration, and the wrapper archive_command
# runs. RUNBOOK §2.1: every process that writes a directory repository runs as one OS user, the
# server's; so the directory belongs to postgres and demo.sh runs its base backup as postgres.
archive_prepare() {
    # archive_command is a shell command inside a quoted setting: keep its path plain.
    [[ $WAL_PUSH =~ ^[A-Za-z0-9/._+-]+$ ]] ||
        die "LIFEBOAT_DEVSTACK_DIR '$DIR' may hold only letters, digits and / . _ + - (archive_command names a file in it)"
    [[ $LIFEBOAT_BIN != *"'"* ]] || die "the lifeboat path '$LIFEBOAT_BIN' holds a quote, which archive_command's wrapper cannot take"
    install -d -o postgres -g postgres -m 0700 "$ARCHIVE_DIR"
    # No secret in it: the password is named (the variable of env.sh), not written.
    cat >"$ARCHIVE_CONFIG.new" <<EOF
# Written by scripts/devstack.sh on every start: the devstack PostgreSQL's WAL archive, written
# by its archive_command ($WAL_PUSH) and by base backups, all as the postgres OS user.
repository:
  url: $ARCHIVE_DIR/repo
  encryption:
    keyFile: $ARCHIVE_DIR/repo.key
postgres:
  - name: $ARCHIVE_SOURCE
    host: 127.0.0.1
    port: $PG_PORT
    database: $PG_DATABASE
    user: $PG_USER
    passwordEnv: LIFEBOAT_TEST_PG_PASSWORD
EOF
    chown postgres:postgres "$ARCHIVE_CONFIG.new"
    mv "$ARCHIVE_CONFIG.new" "$ARCHIVE_CONFIG"
    write_wal_push
}

# write_wal_push: the archive_command. Before lifeboat is published (a fresh CI machine: test.sh
# starts the devstack, then publishes) it fails at once with one line: PostgreSQL keeps the file
# and tries again (three times, then after a minute or at the next segment), so nothing is lost,
# the log gets a few lines a minute and pg_wal only what the server writes meanwhile. The first
# push that finds an executable creates the repository and its key. --async as RUNBOOK §2.1
# recommends: the background pusher keeps up with a test run's bursts of WAL.
write_wal_push() {
    cat >"$WAL_PUSH.new" <<EOF
#!/bin/sh
# Written by scripts/devstack.sh on every start: the devstack PostgreSQL's archive_command, run by
# the server as the postgres OS user (see write_wal_push in devstack.sh for why it works so).
#   wal-push.sh PATH     archive the WAL file PATH (%p) into $ARCHIVE_DIR/repo
#   wal-push.sh --init   only create that repository if it does not exist yet
set -u
lifeboat='$LIFEBOAT_BIN'
archive='$ARCHIVE_DIR'
if [ ! -x "\$lifeboat" ]; then
    echo "devstack wal-push.sh: no lifeboat at \$lifeboat yet (scripts/demo.sh or scripts/test.sh publishes it); PostgreSQL keeps the WAL and retries" >&2
    exit 1
fi
if [ ! -e "\$archive/repo/config" ]; then
    # Under a lock: demo.sh may ask for the repository while the server pushes its first file.
    flock "\$archive/init.lock" sh -c '[ -e "\$2/repo/config" ] || "\$1" --config "\$2/lifeboat.yaml" --quiet init' \\
        sh "\$lifeboat" "\$archive" >&2 || exit 1
fi
[ "\${1:-}" = --init ] && exit 0
exec "\$lifeboat" --config "\$archive/lifeboat.yaml" --quiet wal-push --async --spool-dir "\$archive/spool" \\
    --name '$ARCHIVE_SOURCE' "\$1"
EOF
    chmod 0755 "$WAL_PUSH.new"
    # A rename: the server may be running the old one right now.
    mv "$WAL_PUSH.new" "$WAL_PUSH"
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------

redis_alive() { pidfile_alive "$REDIS_PID" redis-server; }
# redis_ping: the server answers PING. A NOAUTH error counts: a test may have set a password
# with CONFIG SET requirepass, and the server is still up.
redis_ping() {
    local reply
    reply=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) || return 1
    [[ $reply == PONG || $reply == NOAUTH* ]]
}

redis_start() {
    if redis_alive; then
        # Up, or still loading a dump.rdb that a test saved (PING answers LOADING meanwhile).
        wait_for 60 redis_ping ||
            { log_tail "$REDIS_LOG"; die "Redis (pid $(pidfile_pid "$REDIS_PID")) does not answer PING on port $REDIS_PORT"; }
        log "Redis already running (pid $(pidfile_pid "$REDIS_PID"), port $REDIS_PORT)"
        return 0
    fi
    mkdir -p "$REDIS_ROOT/data"
    # No password (tests that need AUTH set it themselves with CONFIG SET or their own server);
    # loopback only with protected mode on. No automatic snapshots (save ""), no AOF: tests that
    # back Redis up trigger BGSAVE or enable AOF themselves.
    cat >"$REDIS_CONF" <<EOF
# Written by scripts/devstack.sh on every start.
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile "$REDIS_PID"
logfile "$REDIS_LOG"
dir "$REDIS_ROOT/data"
save ""
appendonly no
EOF
    rm -f "$REDIS_PID"
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    # daemonize: redis forks, calls setsid and writes its pid file, then the parent exits.
    redis-server "$REDIS_CONF" </dev/null >>"$REDIS_LOG" 2>&1 9>&- ||
        { log_tail "$REDIS_LOG"; die "redis-server failed to start"; }
    wait_for 20 redis_ping || { log_tail "$REDIS_LOG"; die "Redis does not answer PING on port $REDIS_PORT"; }
}

redis_stop() {
    local pid
    pid=$(pidfile_pid "$REDIS_PID")
    # SIGTERM rather than 'redis-cli shutdown', which fails once a test has set a password.
    # With save "" nothing is written on the way out.
    [[ -z $pid ]] || stop_pid Redis "$pid" redis-server
    rm -f "$REDIS_PID"
}

# ---------------------------------------------------------------------------------------------
# Ceph radosgw (see shared/S3-TEST-SERVER.md for why each setting is there)
# ---------------------------------------------------------------------------------------------

ceph_cli() { ceph -c "$CEPH_CONF" --connect-timeout 10 "$@"; }

# Names are ceph's $name: mon.a, osd.0, client.rgw.lifeboat.
ceph_pidfile() { echo "$CEPH_ROOT/run/$1.pid"; }
ceph_comm() {
    case $1 in
        mon.*) echo ceph-mon ;;
        osd.*) echo ceph-osd ;;
        *) echo radosgw ;;
    esac
}
ceph_alive() { pidfile_alive "$(ceph_pidfile "$1")" "$(ceph_comm "$1")"; }
ceph_log() { echo "$LOG_DIR/ceph-$1.log"; }

s3_probe() {
    # A signed ListBuckets: proves radosgw serves and knows the test user. --noproxy: never send
    # loopback traffic through a proxy the environment may define.
    local body
    body=$(curl -sS --noproxy '*' --max-time 5 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
        -u "$S3_ACCESS_KEY:$S3_SECRET_KEY" -H "x-amz-content-sha256: $EMPTY_SHA256" \
        -w '\n%{http_code}' "http://127.0.0.1:$S3_PORT/" 2>/dev/null) || return 1
    [[ ${body##*$'\n'} == 200 && $body == *ListAllMyBucketsResult* ]]
}

ceph_write_config() {
    local fsid
    fsid=$(<"$CEPH_ROOT/fsid")
    # Rewritten on every start so changes here reach an existing cluster. All paths absolute:
    # the daemons chdir to /.
    cat >"$CEPH_CONF" <<EOF
# Written by scripts/devstack.sh on every start.
[global]
fsid = $fsid
mon initial members = a
mon host = [v2:127.0.0.1:$MON_PORT]
public network = 127.0.0.0/8
ms bind msgr1 = false
ms bind msgr2 = true
ms bind port min = $OSD_PORT_MIN
ms bind port max = $OSD_PORT_MAX
# No cephx: a throwaway loopback cluster. An empty keyring keeps tools out of /etc/ceph.
auth cluster required = none
auth service required = none
auth client required = none
keyring = $CEPH_ROOT/keyring
run dir = $CEPH_ROOT/run
crash dir = $CEPH_ROOT/crash
pid file = $CEPH_ROOT/run/\$name.pid
admin socket = $CEPH_ROOT/run/\$name.asok
log file = $LOG_DIR/ceph-\$name.log
mon cluster log file = $LOG_DIR/ceph-cluster.log
# One OSD: one replica, few PGs, no autoscaler (there is no mgr).
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
# The host disk may be fuller than Ceph likes.
mon data avail warn = 2
mon data avail crit = 1

[mon]
mon data = $CEPH_ROOT/mon.\$id
# radosgw creates 7 pools at first start; at the default 1 s per map proposal that is ~10 s more.
paxos propose interval = 0.1

[osd]
osd data = $CEPH_ROOT/osd.\$id
osd objectstore = bluestore
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd crush update on start = false
# 30 GiB sparse file; it only takes the space the data needs.
bluestore block create = true
bluestore block size = 32212254720
osd memory target = 1073741824

[$RGW_NAME]
# tcp_nodelay: without it every GET/LIST on a reused connection stalls ~45 ms.
rgw frontends = beast endpoint=127.0.0.1:$S3_PORT tcp_nodelay=1
# radosgw's built-in defaults ask for a secure, cephx-authenticated mon connection; with auth
# none it would never connect (log: get_initial_auth_request returned -13).
ms mon client mode = crc
# Free the space of deleted/overwritten objects after a minute instead of two hours.
rgw gc obj min wait = 60
rgw gc processor period = 60
EOF
}

# ceph_daemon NAME CMD...: start a ceph daemon unless it runs. Each forks; its parent exits once
# the child is initialised and has written its pid file. setsid -w: the daemon gets its own
# session (it must outlive this shell and its process group) and we still wait for the parent.
ceph_daemon() {
    local name=$1
    shift
    ceph_alive "$name" && return 0
    rm -f "$(ceph_pidfile "$name")"
    log "starting ceph $name"
    setsid -w "$@" -c "$CEPH_CONF" </dev/null >>"$(ceph_log "$name")" 2>&1 9>&- ||
        { log_tail "$(ceph_log "$name")"; die "ceph $name failed to start"; }
    wait_for 20 ceph_alive "$name" || { log_tail "$(ceph_log "$name")"; die "ceph $name exited after starting"; }
}

osd_up() { ceph_cli osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'; }

ceph_wait_osd_up() {
    wait_for 90 osd_up || { log_tail "$(ceph_log osd.0)"; die "ceph osd.0 did not come up"; }
}

# Stop whatever runs from a previous, unfinished first start; then wipe it.
ceph_reset() {
    ceph_stop
    rm -rf "$CEPH_ROOT"
}

ceph_init() {
    [[ -e $CEPH_INITIALIZED ]] && return 0
    if [[ -e $CEPH_ROOT ]]; then
        log "unfinished Ceph setup in $CEPH_ROOT; starting it over"
        ceph_reset
    fi
    log "creating Ceph cluster in $CEPH_ROOT"
    # ceph-osd --mkfs creates its files but not the osd data directory itself.
    mkdir -p "$CEPH_ROOT/run" "$CEPH_ROOT/crash" "$CEPH_ROOT/osd.0"
    : >"$CEPH_ROOT/keyring"
    cat /proc/sys/kernel/random/uuid >"$CEPH_ROOT/fsid"
    ceph_write_config
    local ceph_setup_log=$LOG_DIR/ceph-setup.log
    {
        monmaptool --create --fsid "$(<"$CEPH_ROOT/fsid")" --addv a "[v2:127.0.0.1:$MON_PORT]" \
            "$CEPH_ROOT/monmap" &&
            ceph-mon -c "$CEPH_CONF" -i a --mkfs --monmap "$CEPH_ROOT/monmap"
    } </dev/null >>"$ceph_setup_log" 2>&1 9>&- || { log_tail "$ceph_setup_log"; die "ceph mon mkfs failed"; }
    ceph_daemon mon.a ceph-mon -i a

    local osd_uuid osd_id
    osd_uuid=$(cat /proc/sys/kernel/random/uuid)
    osd_id=$(ceph_cli osd new "$osd_uuid" 2>>"$ceph_setup_log") ||
        { log_tail "$ceph_setup_log"; die "ceph osd new failed"; }
    [[ $osd_id == 0 ]] || die "ceph osd new gave id '$osd_id', expected 0"
    # crush by hand, since 'osd crush update on start' is off. Weight must be > 0, or the PGs
    # never go active and radosgw hangs.
    {
        ceph-osd -c "$CEPH_CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" &&
            ceph_cli osd crush add-bucket node1 host &&
            ceph_cli osd crush move node1 root=default &&
            ceph_cli osd crush add osd.0 1.0 host=node1
    } </dev/null >>"$ceph_setup_log" 2>&1 9>&- || { log_tail "$ceph_setup_log"; die "ceph osd setup failed"; }
    ceph_daemon osd.0 ceph-osd -i 0
    ceph_wait_osd_up
    radosgw-admin -c "$CEPH_CONF" user create --uid=lifeboat-test --display-name="Lifeboat tests" \
        --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" \
        </dev/null >>"$ceph_setup_log" 2>&1 9>&- || { log_tail "$ceph_setup_log"; die "radosgw-admin user create failed"; }
    touch "$CEPH_INITIALIZED"
}

ceph_start() {
    if ceph_alive mon.a && ceph_alive osd.0 && ceph_alive "$RGW_NAME" && s3_probe; then
        log "S3 (radosgw) already running on 127.0.0.1:$S3_PORT"
        return 0
    fi
    ceph_init
    ceph_write_config
    ceph_daemon mon.a ceph-mon -i a
    ceph_daemon osd.0 ceph-osd -i 0
    if ! ceph_alive "$RGW_NAME"; then
        # radosgw started before the OSD is up blocks on its pools; wait here with a bound.
        ceph_wait_osd_up
        ceph_daemon "$RGW_NAME" radosgw -n "$RGW_NAME"
    fi
    # The first start creates radosgw's pools, which takes a few seconds.
    wait_for 120 s3_probe || {
        log_tail "$(ceph_log "$RGW_NAME")"
        die "S3 endpoint http://127.0.0.1:$S3_PORT does not answer a signed ListBuckets"
    }
    log "S3 (radosgw) ready on 127.0.0.1:$S3_PORT"
}

ceph_stop() {
    # radosgw, then the OSD, then the monitor: each one's clients go first.
    local name pid
    for name in "$RGW_NAME" osd.0 mon.a; do
        pid=$(pidfile_pid "$(ceph_pidfile "$name")")
        [[ -z $pid ]] || stop_pid "ceph $name" "$pid" "$(ceph_comm "$name")"
        rm -f "$(ceph_pidfile "$name")"
    done
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

write_env() {
    cat >"$ENV_FILE.new" <<EOF
# Written by scripts/devstack.sh start: source it to point Lifeboat's tests at the devstack.
export LIFEBOAT_TEST_PG_HOST=127.0.0.1
export LIFEBOAT_TEST_PG_PORT=$PG_PORT
export LIFEBOAT_TEST_PG_USER=$PG_USER
export LIFEBOAT_TEST_PG_PASSWORD=$PG_PASSWORD
export LIFEBOAT_TEST_PG_DATABASE=$PG_DATABASE
export LIFEBOAT_TEST_REDIS_HOST=127.0.0.1
export LIFEBOAT_TEST_REDIS_PORT=$REDIS_PORT
export LIFEBOAT_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export LIFEBOAT_TEST_S3_ACCESS_KEY=$S3_ACCESS_KEY
export LIFEBOAT_TEST_S3_SECRET_KEY=$S3_SECRET_KEY
export LIFEBOAT_TEST_S3_REGION=$S3_REGION
# The server archives its WAL through lifeboat with this configuration (as the postgres OS user).
export LIFEBOAT_DEVSTACK_ARCHIVE_CONFIG=$ARCHIVE_CONFIG
EOF
    mv "$ENV_FILE.new" "$ENV_FILE"
}

cmd_start() {
    local size_mb=$1
    require_root start
    take_lock
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    ensure_packages
    pg_start
    redis_start
    ceph_start
    pg_ensure_sample "$size_mb"
    write_env
    log "all services up; environment ($ENV_FILE):"
    cat "$ENV_FILE"
}

cmd_stop() {
    require_root stop
    take_lock
    ceph_stop
    redis_stop
    pg_stop
    log "all services stopped"
}

# cmd_reset_archive: the archive is removed with the server stopped, and only once the old
# archive's background pusher has exited: it would go on pushing the next WAL files, with the old
# repository's key, into the new one. Its base backups go with it.
cmd_reset_archive() {
    require_root reset-archive
    take_lock
    mkdir -p "$LOG_DIR" "$RUN_DIR"
    pg_stop
    local lock
    for lock in "$ARCHIVE_DIR"/spool/*/pusher.lock; do
        [[ -e $lock ]] || continue
        flock -n "$lock" true 9>&- && continue
        log "waiting for the archive's background pusher to exit (it stays a minute after its last file)"
        flock -w 120 "$lock" true 9>&- || die "a background pusher still holds $lock after 2 minutes"
    done
    rm -rf "$ARCHIVE_DIR"
    log "removed the WAL archive in $ARCHIVE_DIR; the next WAL file starts a new one"
    pg_start
}

cmd_status() {
    local down=0 pid
    # pg_ready alone: the data directory (and so postmaster.pid) is readable by root only.
    if pg_ready; then
        pid=$(pg_pid 2>/dev/null || true)
        printf '%-10s up    127.0.0.1:%s  pid %s  %s\n' postgres "$PG_PORT" "${pid:-?}" "$(pg_archiver_status)"
    else
        printf '%-10s down  127.0.0.1:%s\n' postgres "$PG_PORT"
        down=1
    fi
    if redis_alive && redis_ping; then
        printf '%-10s up    127.0.0.1:%s  pid %s\n' redis "$REDIS_PORT" "$(pidfile_pid "$REDIS_PID")"
    else
        printf '%-10s down  127.0.0.1:%s\n' redis "$REDIS_PORT"
        down=1
    fi
    local pids=() name
    for name in mon.a osd.0 "$RGW_NAME"; do
        if ceph_alive "$name"; then
            pids+=("$(ceph_comm "$name"):$(pidfile_pid "$(ceph_pidfile "$name")")")
        else
            pids+=("$(ceph_comm "$name"):down")
        fi
    done
    if ceph_alive mon.a && ceph_alive osd.0 && ceph_alive "$RGW_NAME" && s3_probe; then
        printf '%-10s up    http://127.0.0.1:%s  %s\n' s3 "$S3_PORT" "${pids[*]}"
    else
        printf '%-10s down  http://127.0.0.1:%s  %s\n' s3 "$S3_PORT" "${pids[*]}"
        down=1
    fi
    return "$down"
}

cmd_env() {
    [[ -r $ENV_FILE ]] || die "no $ENV_FILE yet; run '$0 start'"
    cat "$ENV_FILE"
}

usage() {
    cat >&2 <<EOF
usage: $0 start [--size MB] | stop | status | env | reset-archive
state and logs in $DIR (LIFEBOAT_DEVSTACK_DIR)
EOF
    exit 2
}

main() {
    (($# >= 1)) || usage
    local cmd=$1 size_mb=$DEFAULT_SIZE_MB
    shift
    while (($#)); do
        case $1 in
            --size)
                (($# >= 2)) || usage
                size_mb=$2
                shift 2
                ;;
            --size=*)
                size_mb=${1#--size=}
                shift
                ;;
            *) usage ;;
        esac
    done
    if ! [[ $size_mb =~ ^[0-9]+$ ]] || ((size_mb < 1)); then
        die "--size takes a whole number of MB >= 1"
    fi
    case $cmd in
        start) cmd_start "$size_mb" ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        env) cmd_env ;;
        reset-archive) cmd_reset_archive ;;
        *) usage ;;
    esac
}

main "$@"
