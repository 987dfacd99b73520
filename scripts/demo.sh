#!/usr/bin/env bash
# The main job, from nothing: installs and starts a local sample platform (PostgreSQL 15 + PostGIS with
# the dev_platform database, Redis, an S3 server), builds lifeboat, backs the database up into a local
# encrypted repository, shows what a restore would do (--dry-run), restores it into a scratch database and
# shows the verification.
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
scripts/devstack.sh start
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

step "Done"
echo "Repository: $demo_dir/lifeboat-repo   Key file: $demo_dir/lifeboat-repo.key   Config: $demo_dir/lifeboat.yaml"
echo "Try: cd $demo_dir && $lifeboat list"
