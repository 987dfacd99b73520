#!/usr/bin/env bash
# Start-up time of the published lifeboat executable: PostgreSQL will run it once per WAL segment
# (archive_command), so every millisecond here is paid thousands of times a day.
# Usage: bench/startup.sh [RUNS]   (default 30). Prints min, median and max wall time of 'lifeboat --version'.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
out="$PWD/artifacts/lifeboat"
dotnet publish src/Lifeboat.Cli -c Release -o "$out" --nologo -v quiet
"$out/lifeboat" --version >/dev/null   # warm the page cache once

times=()
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$out/lifeboat" --version >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
min=$(echo "$sorted" | head -1)
max=$(echo "$sorted" | tail -1)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
echo "lifeboat --version over $runs runs: min ${min} ms, median ${median} ms, max ${max} ms (load: $(cut -d' ' -f1-3 /proc/loadavg))"
