#!/usr/bin/env bash
# The main job, from nothing: installs and starts a local sample platform (PostgreSQL 15 + PostGIS with
# the dev_platform database, Redis, an S3 server), builds lifeboat, backs the database up into a local
# encrypted repository, restores it into a scratch database and shows the verification.
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="${LIFEBOAT_DEVSTACK_DIR:-/var/tmp/lifeboat-devstack}"
demo_dir="$PWD/artifacts/demo"
bin_dir="$PWD/artifacts/lifeboat"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Starting the sample platform (scripts/devstack.sh start)"
scripts/devstack.sh start
# shellcheck source=/dev/null
source "$state_dir/env.sh"

step "Building lifeboat (dotnet publish, Native AOT: about a minute on 2 cores -> $bin_dir/lifeboat)"
dotnet publish src/Lifeboat.Cli -c Release -o "$bin_dir" --nologo -v quiet
lifeboat="$bin_dir/lifeboat"

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

step "lifeboat backup postgres"
"$lifeboat" backup postgres

step "lifeboat list"
"$lifeboat" list

step "lifeboat restore postgres --backup latest --target-db dev_platform_restored --force"
"$lifeboat" restore postgres --backup latest --target-db dev_platform_restored --force

step "lifeboat check --read-data"
"$lifeboat" check --read-data

step "Done"
echo "Repository: $demo_dir/lifeboat-repo   Key file: $demo_dir/lifeboat-repo.key   Config: $demo_dir/lifeboat.yaml"
echo "Try: cd $demo_dir && $lifeboat list"
