#!/usr/bin/env bash
# The main job, from nothing: installs and starts a local sample platform (PostgreSQL 15 + PostGIS with
# the dev_platform database, Redis, an S3 server), builds lifeboat, backs the database up into a local
# encrypted repository, shows what a restore would do (--dry-run), restores it into a scratch database and
# shows the verification.
#
# Then point-in-time recovery on the real path: the devstack server archives its WAL through lifeboat
# (archive_command, see scripts/devstack.sh). The demo takes a base backup, changes a small database of its
# own (pitr_demo), notes the moment T between two changes, recovers the cluster to T into a scratch data
# directory, starts it on a free port and shows that its content is the content at T. Base backup and recovery
# use the devstack's archive configuration and run as the postgres OS user, as everything that writes that
# repository must (RUNBOOK §2.1). Ctrl-C stops and removes the scratch cluster.
#
# The executable is published once and reused while nothing under src/ (a file, or a directory whose files were
# added, removed or renamed) is newer than it.
#   scripts/demo.sh --build-only   builds (or reuses) the executable and stops there
#   LIFEBOAT_DEMO_BIN_DIR          where the executable goes (default: artifacts/lifeboat)
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}"
demo_dir="$PWD/artifacts/demo"
bin_dir="${LIFEBOAT_DEMO_BIN_DIR:-$PWD/artifacts/lifeboat}"
lifeboat="$bin_dir/lifeboat"
build_only=false
case "${1:-}" in
    "") ;;
    --build-only) build_only=true ;;
    *) echo "usage: scripts/demo.sh [--build-only]" >&2; exit 2 ;;
esac

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# Why the executable must be (re)built, or nothing when it is newer than everything it is built from. Directories
# count too: removing or renaming a file changes only its directory's time, and a build without it differs.
build_reason() {
    if [ ! -x "$lifeboat" ]; then
        echo "there is no $lifeboat yet"
        return
    fi
    local inputs=(src) newer
    for file in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json nuget.config NuGet.Config; do
        [ -e "$file" ] && inputs+=("$file")
    done
    newer=$(find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type f -newer "$lifeboat" -print -quit)
    if [ -n "$newer" ]; then
        echo "$newer is newer than $lifeboat"
        return 0
    fi
    newer=$(find "${inputs[@]}" \( -name bin -o -name obj \) -prune -o -type d -newer "$lifeboat" -print -quit)
    [ -n "$newer" ] && echo "a file in $newer was added, removed or renamed after $lifeboat was built"
    return 0
}

# A line every 15 s while the build runs: the native link step prints nothing for a minute. It stops with the
# script however that ends, and by itself should the script be killed outright.
heartbeat() {
    local parent=$1 started=$SECONDS next=15
    while kill -0 "$parent" 2>/dev/null; do
        sleep 1
        if (( SECONDS - started >= next )); then
            echo "    ... still building ($((SECONDS - started)) s)"
            next=$((next + 15))
        fi
    done
}

# dotnet publish runs in the foreground, so Ctrl-C reaches it (a background job of a script ignores SIGINT and
# would build on), its own lines indented as they come.
publish() {
    heartbeat $$ &
    heartbeat_pid=$!
    trap 'kill "$heartbeat_pid" 2>/dev/null || true' EXIT
    dotnet publish src/Lifeboat.Cli -c Release -o "$bin_dir" --nologo -v minimal -tl:off 2>&1 | sed -u 's/^/    /'
    kill "$heartbeat_pid" 2>/dev/null || true
    wait "$heartbeat_pid" 2>/dev/null || true
    trap - EXIT
}

reason=$(build_reason)
if [ -n "$reason" ]; then
    step "Building lifeboat, because $reason (dotnet publish, Native AOT: a few minutes on 2 cores -> $lifeboat)"
    publish
else
    step "Reusing $lifeboat: no source file is newer than it"
fi
if $build_only; then
    exit 0
fi

step "Starting the sample platform (scripts/devstack.sh start)"
# The server's archive_command runs this very executable.
LIFEBOAT_DEVSTACK_LIFEBOAT="$lifeboat" scripts/devstack.sh start
# shellcheck source=/dev/null
source "$state_dir/env.sh"

mkdir -p "$demo_dir"
cd "$demo_dir"
# The database password reaches lifeboat through the environment variable the config names.
export POSTGRES_PASSWORD="$LIFEBOAT_TEST_PG_PASSWORD"
cat > lifeboat.yaml <<YAML
# Written by scripts/demo.sh. The repository defaults to ./lifeboat-repo beside this file,
# encrypted with the key file ./lifeboat-repo.key (created by 'lifeboat init').
postgres:
  - name: dev_platform
    host: $LIFEBOAT_TEST_PG_HOST
    port: $LIFEBOAT_TEST_PG_PORT
    database: dev_platform
    user: $LIFEBOAT_TEST_PG_USER
    passwordEnv: POSTGRES_PASSWORD
YAML

if [ ! -e lifeboat-repo/config ]; then
    step "lifeboat init"
    "$lifeboat" init
fi

step "lifeboat backup postgres --dry-run"
"$lifeboat" backup postgres --dry-run

step "lifeboat backup postgres"
"$lifeboat" backup postgres

step "lifeboat list"
"$lifeboat" list

step "lifeboat restore postgres --backup latest --target-db dev_platform_restored --force --dry-run"
"$lifeboat" restore postgres --backup latest --target-db dev_platform_restored --force --dry-run

step "lifeboat restore postgres --backup latest --target-db dev_platform_restored --force"
"$lifeboat" restore postgres --backup latest --target-db dev_platform_restored --force

step "lifeboat check --read-data"
"$lifeboat" check --read-data

# ---------------------------------------------------------------------------------------------------------------
# Point-in-time recovery
# ---------------------------------------------------------------------------------------------------------------

pg_bin=/usr/lib/postgresql/15/bin
archive_config="$LIFEBOAT_DEVSTACK_ARCHIVE_CONFIG"
# Outside the checkout: the postgres OS user owns the scratch cluster, and a checkout under /root is closed to it.
pitr_dir="$state_dir/demo-pitr"
pitr_data="$pitr_dir/data"

# as_postgres CMD...: as the server's OS user, from / (the demo's directory may be closed to it). The password
# variable the archive configuration names comes along: runuser keeps the environment.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# sql DB QUERY [PORT]: one value (or nothing) from a query, as devuser over TCP.
sql() {
    PGPASSWORD="$LIFEBOAT_TEST_PG_PASSWORD" PGOPTIONS="-c client_min_messages=warning" "$pg_bin/psql" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 \
        -p "${3:-$LIFEBOAT_TEST_PG_PORT}" -U "$LIFEBOAT_TEST_PG_USER" -d "$1" -c "$2"
}

# per_table EXPR [PORT]: for each table of pitr_demo (whichever exist), "name value" with EXPR computed over its
# rows t, joined by ", ". query_to_xml: a table dropped later must not break the query that names it.
per_table() {
    local expr=${1//\'/\'\'}
    sql pitr_demo "SELECT string_agg(c.relname || ' ' || (xpath('/row/v/text()', query_to_xml(
            format('SELECT $expr AS v FROM %I t', c.relname), false, true, '')))[1]::text, ', ' ORDER BY c.relname)
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'" "${2:-}"
}
summary() { per_table "count(*) || ' rows'" "${1:-}"; }
# The content: a checksum per table over all its rows (not counts), and one over those.
content() { per_table "md5(string_agg(t::text, ',' ORDER BY t::text))" "${1:-}" | md5sum | cut -c1-32; }

# A port nothing listens on, near the devstack's.
free_port() {
    local port
    for port in $(seq $((LIFEBOAT_TEST_PG_PORT + 100)) $((LIFEBOAT_TEST_PG_PORT + 199))); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "no free port in $((LIFEBOAT_TEST_PG_PORT + 100))-$((LIFEBOAT_TEST_PG_PORT + 199))" >&2
    return 1
}

# The scratch cluster never outlives the demo, however it ends (Ctrl-C included).
remove_scratch_cluster() {
    if [ -e "$pitr_data/postmaster.pid" ]; then
        as_postgres "$pg_bin/pg_ctl" -D "$pitr_data" -m immediate -w -t 30 -s stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pitr_dir"
}
trap remove_scratch_cluster EXIT
trap 'exit 130' INT TERM

remove_scratch_cluster
step "Point-in-time recovery: the server archives its WAL with '$state_dir/wal-push.sh %p' (lifeboat wal-push --async)"
# The archive's repository appears with the server's first archived file; before a base backup, make sure it is there.
as_postgres "$state_dir/wal-push.sh" --init
sql postgres "DROP DATABASE IF EXISTS pitr_demo WITH (FORCE)" >/dev/null
sql postgres "CREATE DATABASE pitr_demo" >/dev/null
sql pitr_demo "CREATE TABLE orders (id int PRIMARY KEY, item text, qty int);
    INSERT INTO orders SELECT g, 'item ' || g, g % 7 + 1 FROM generate_series(1, 1000) g;
    CREATE TABLE audit (id int PRIMARY KEY, note text);
    INSERT INTO audit SELECT g, md5(g::text) FROM generate_series(1, 200) g" >/dev/null
echo "pitr_demo: $(summary)"

step "lifeboat backup postgres --physical   (as postgres, with $archive_config)"
as_postgres "$lifeboat" --config "$archive_config" backup postgres --physical

step "Changes after the base backup; T is the moment between them"
sql pitr_demo "INSERT INTO orders SELECT g, 'item ' || g, 1 FROM generate_series(1001, 1500) g;
    UPDATE orders SET qty = qty + 10 WHERE id <= 100" >/dev/null
at_t=$(content)
echo "before T: 500 orders added, 100 updated -> $(summary), checksum $at_t"
target=$(sql postgres "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
echo "T = $target"
sql pitr_demo "INSERT INTO orders SELECT g, 'late ' || g, 1 FROM generate_series(1501, 2000) g;
    DELETE FROM orders WHERE id % 10 = 0; DROP TABLE audit" >/dev/null
echo "after T:  500 more orders, every tenth deleted, audit dropped -> $(summary), checksum $(content)"
# The later changes reach the archive too: the recovery must be able to tell that it stops before them.
segment=$(sql postgres "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 1 300); do
    [ "$(sql postgres "SELECT coalesce(last_archived_wal, '') >= '$segment' FROM pg_stat_archiver")" = t ] && break
    sleep 0.1
done
echo "archived up to $segment: $(sql postgres "SELECT format('%s archived, %s failed', archived_count, failed_count) FROM pg_stat_archiver")"

step "lifeboat restore pitr --target-time $target --data-dir $pitr_data   (as postgres)"
install -d -o postgres -g postgres -m 0700 "$pitr_dir"
as_postgres "$lifeboat" --config "$archive_config" restore pitr --target-time "$target" --data-dir "$pitr_data"

pitr_port=$(free_port)
step "Starting the recovered cluster on 127.0.0.1:$pitr_port (pg_ctl, as postgres)"
# Its own socket directory and port; the archive_mode = 'off' restore pitr wrote keeps it out of the archive.
as_postgres "$pg_bin/pg_ctl" -D "$pitr_data" -l "$pitr_dir/postgresql.log" -w -t 120 -s \
    -o "-p $pitr_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pitr_dir -c cluster_name=lifeboat-demo-pitr" start
# pg_ctl returns once it accepts connections; recovery ends with the promotion.
for _ in $(seq 1 600); do
    [ "$(sql postgres "SELECT pg_is_in_recovery()" "$pitr_port" 2>/dev/null)" = f ] && break
    sleep 0.1
done
grep -E "recovery stopping|last completed transaction|selected new timeline" "$pitr_dir/postgresql.log" | sed 's/^/    /' || true
recovered=$(content "$pitr_port")
echo "recovered: $(summary "$pitr_port"), checksum $recovered"
if [ "$recovered" != "$at_t" ]; then
    echo "demo: the recovered content differs from the content at T ($at_t)" >&2
    exit 1
fi
echo "the recovered cluster holds exactly the content of T: the dropped table is back, the later rows are not"

step "Stopping and removing the recovered cluster"
as_postgres "$pg_bin/pg_ctl" -D "$pitr_data" -m fast -w -t 60 -s stop
remove_scratch_cluster

step "Done"
echo "Repository: $demo_dir/lifeboat-repo   Key file: $demo_dir/lifeboat-repo.key   Config: $demo_dir/lifeboat.yaml"
echo "WAL archive and base backups: $archive_config (as postgres: runuser -u postgres -- $lifeboat --config $archive_config list)"
echo "Try: cd $demo_dir && $lifeboat list"
