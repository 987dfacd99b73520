#!/usr/bin/env bash
# load-sample.sh — create a database and fill it with the platform-shaped sample data of
# scripts/sample-data.sql, about SIZE_MB of tables and indexes.
#
#   scripts/load-sample.sh [--replace] DBNAME SIZE_MB
#
# devstack.sh calls it for dev_platform; a benchmark can call it for its own database and size.
# Idempotent: a database that already holds a finished sample load is left alone (whatever its
# size); --replace drops and reloads it. A database that exists but holds other tables is never
# touched without --replace.
#
# Connects over TCP as a superuser (needed for CREATE EXTENSION postgis), by default to the
# devstack server; the LIFEBOAT_TEST_PG_* variables of devstack's env.sh point it elsewhere.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

PG_HOST=${LIFEBOAT_TEST_PG_HOST:-127.0.0.1}
PG_PORT=${LIFEBOAT_TEST_PG_PORT:-55432}
PG_USER=${LIFEBOAT_TEST_PG_USER:-devuser}
export PGPASSWORD=${LIFEBOAT_TEST_PG_PASSWORD:-devpass}
export PGCONNECT_TIMEOUT=10

# Debian's /usr/bin/psql is a wrapper that picks a version from the clusters it knows; call the
# PostgreSQL 15 client directly where it is installed.
PSQL=/usr/lib/postgresql/15/bin/psql
[[ -x $PSQL ]] || PSQL=psql

usage() {
    echo "usage: $0 [--replace] DBNAME SIZE_MB" >&2
    exit 2
}

log() { printf 'load-sample: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# psql_db DB [psql args...]: quiet, no ~/.psqlrc, stop at the first error.
psql_db() {
    local db=$1
    shift
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$db" "$@"
}

replace=false
args=()
for arg in "$@"; do
    case $arg in
        --replace) replace=true ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) args+=("$arg") ;;
    esac
done
((${#args[@]} == 2)) || usage
db=${args[0]}
size_mb=${args[1]}

# Plain identifiers only: the name is spliced into SQL below, and a benchmark has no need for more.
[[ $db =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "DBNAME must match [a-z_][a-z0-9_]*: '$db'"
if ! [[ $size_mb =~ ^[0-9]+$ ]] || ((size_mb < 1)); then
    die "SIZE_MB must be a whole number >= 1: '$size_mb'"
fi
[[ $db != postgres && $db != template0 && $db != template1 ]] || die "refusing to load into '$db'"

# loaded_size DB: prints the size_mb of a finished sample load, or nothing.
loaded_size() {
    psql_db "$1" -tA -c "select value from sample_info where key = 'size_mb'" 2>/dev/null || true
}

# user_table_count DB: tables other than PostGIS's own in schemas that are not system schemas.
user_table_count() {
    psql_db "$1" -tA -c "select count(*) from pg_tables
        where schemaname not in ('pg_catalog', 'information_schema')
          and tablename <> 'spatial_ref_sys'"
}

exists=$(psql_db postgres -tA -c "select 1 from pg_database where datname = '$db'")

if [[ $exists == 1 ]]; then
    if $replace; then
        log "dropping $db (--replace)"
        psql_db postgres -c "drop database \"$db\" with (force)"
        exists=
    else
        have=$(loaded_size "$db")
        if [[ -n $have ]]; then
            log "$db already holds sample data ($have MB); leaving it (use --replace to reload)"
            exit 0
        fi
        # An interrupted load rolls back completely (one transaction), which leaves an empty
        # database: load into it. Anything else is someone's data.
        [[ $(user_table_count "$db") == 0 ]] ||
            die "$db exists and holds tables that are not a finished sample load; use --replace to drop it"
    fi
fi

if [[ $exists != 1 ]]; then
    psql_db postgres -c "create database \"$db\" owner \"$PG_USER\""
fi

log "loading about $size_mb MB into $db"
start=$(date +%s.%N)
# One transaction: either the whole sample is there (with its sample_info row) or nothing is.
psql_db "$db" --single-transaction -v size_mb="$size_mb" -f "$SCRIPT_DIR/sample-data.sql"
loaded=$(date +%s.%N)
# VACUUM FREEZE ANALYZE now (~13 s for 2 GiB, against ~100 s of load) so the database is settled:
# hint bits and the visibility map set, statistics there. Otherwise the first reader (a dump in a
# benchmark, say) would pay for writing every page once more, and runs would not compare.
psql_db "$db" -c "vacuum (freeze, analyze)"
end=$(date +%s.%N)

psql_db "$db" -tA -F ' ' -c "
    select 'tables+indexes ' || pg_size_pretty(sum(pg_total_relation_size(c.oid)))
           || ', database ' || pg_size_pretty(pg_database_size(current_database()))
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and c.relname <> 'spatial_ref_sys'" |
    while read -r line; do log "$db: $line"; done
log "$(awk -v s="$start" -v l="$loaded" -v e="$end" 'BEGIN { printf "load %.1f s, vacuum %.1f s", l - s, e - l }')"
