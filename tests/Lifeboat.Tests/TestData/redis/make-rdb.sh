#!/usr/bin/env bash
# Writes the RDB files in this directory with a real redis-server, so the parser is tested against the bytes the
# plan's Redis 7.2 writes (RDB 11) rather than what Debian's 7.0 writes (RDB 10). Run once, by hand, and commit
# the output:  REDIS_SERVER=/path/to/7.2/src/redis-server REDIS_CLI=redis-cli ./make-rdb.sh
# (the 7.2 server was built from the redis/redis tag 7.2.6 with `make MALLOC=libc BUILD_TLS=no`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${REDIS_SERVER:?set REDIS_SERVER to a redis-server 7.2 binary}
cli=${REDIS_CLI:-redis-cli}
port=${PORT:-47311}
work=$(mktemp -d)
trap 'kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

start() { # start EXTRA-CONFIG...
    "$server" --port "$port" --bind 127.0.0.1 --dir "$work" --dbfilename dump.rdb --save '' \
        --appendonly no --daemonize yes --pidfile "$work/pid" --logfile "$work/log" --enable-debug-command yes "$@"
    for _ in $(seq 50); do "$cli" -p "$port" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "redis-server did not start" >&2; cat "$work/log" >&2; exit 1
}
stop() { "$cli" -p "$port" shutdown nosave >/dev/null 2>&1 || true; sleep 0.3; }
r() { "$cli" -p "$port" "$@" >/dev/null; }

# Every type and encoding 7.2 writes, several databases, expiry times, a function library.
fill() {
    local far=4102444800000 # 2100-01-01 in ms: never expires while the tests run

    r set str:int 12345
    r set str:short hello
    r set str:long "$(printf 'abcdefghij%.0s' $(seq 100))" # compressible: LZF
    r set str:empty ""
    printf 'SET str:binary "\\x00\\x01\\xff\\xfe\\r\\n\\x00end"\r\n' | "$cli" -p "$port" >/dev/null
    r set str:neg -9223372036854775808
    r set str:ttl expiring PXAT "$far"
    r rpush list:small a b c 1 2 3
    for i in $(seq 600); do echo "RPUSH list:big element-$i-$(printf 'x%.0s' $(seq 20))"; done | "$cli" -p "$port" >/dev/null
    r rpush list:plain "$(head -c 12000 /dev/zero | tr '\0' 'p')" small-after-plain # > 8 KiB: a plain quicklist node
    r sadd set:int 1 2 3 100000 -5
    r sadd set:small red green blue
    for i in $(seq 300); do echo "SADD set:big member-$i"; done | "$cli" -p "$port" >/dev/null
    r zadd zset:small 1 a 2.5 b -3 c
    for i in $(seq 300); do echo "ZADD zset:big $i.25 member-$i"; done | "$cli" -p "$port" >/dev/null
    r hset hash:small f1 v1 f2 2 f3 v3
    for i in $(seq 700); do echo "HSET hash:big field-$i value-$i"; done | "$cli" -p "$port" >/dev/null
    r pexpireat hash:big "$far"
    for i in $(seq 50); do echo "XADD stream:events * n $i kind event"; done | "$cli" -p "$port" >/dev/null
    r xgroup create stream:events workers 0
    r xgroup create stream:events auditors '$'
    r xreadgroup group workers alice count 5 streams stream:events '>'
    r xreadgroup group workers bob count 3 streams stream:events '>'
    r xack stream:events workers "$("$cli" -p "$port" xrange stream:events - + count 1 | head -1)"
    r xadd stream:empty-after-trim '*' a 1
    r xtrim stream:empty-after-trim maxlen 0

    "$cli" -p "$port" -n 1 set db1:key one >/dev/null
    "$cli" -p "$port" -n 1 hset db1:hash a 1 >/dev/null

    "$cli" -p "$port" -n 5 rpush db5:list x y z >/dev/null
    printf '%s\n' "#!lua name=lifeboatlib" "redis.register_function('echo_one', function(keys, args) return args[1] end)" > "$work/lib.lua"
    "$cli" -p "$port" -x function load < "$work/lib.lua" >/dev/null
}

# What the files must hold: per database, each key with its type, encoding, absolute expiry (-1: none) and the
# server's digest of its value (DEBUG DIGEST-VALUE: computed over the logical content, not the encoding).
expected() {
    for db in 0 1 5; do
        "$cli" -p "$port" -n "$db" --scan | LC_ALL=C sort | while IFS= read -r key; do
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$key" "$("$cli" -p "$port" -n "$db" type "$key")" \
                "$("$cli" -p "$port" -n "$db" object encoding "$key")" "$("$cli" -p "$port" -n "$db" pexpiretime "$key")" \
                "$("$cli" -p "$port" -n "$db" debug digest-value "$key")"
        done
    done
}

start; fill; r save; cp "$work/dump.rdb" "$here/all-types-7.2.rdb"; expected > "$here/all-types-7.2.keys.tsv"
# The same data with LFU eviction: the file then carries a FREQ opcode before each key.
r config set maxmemory-policy allkeys-lfu; r save; cp "$work/dump.rdb" "$here/all-types-lfu-7.2.rdb"
r config set maxmemory-policy allkeys-lru; r save; cp "$work/dump.rdb" "$here/all-types-lru-7.2.rdb"
# Uncompressed strings and no checksum (rdbchecksum no writes a zero CRC).
r config set maxmemory-policy noeviction
stop; rm -f "$work/dump.rdb"; start --rdbcompression no --rdbchecksum no; fill; r save; cp "$work/dump.rdb" "$here/all-types-nocompress-nochecksum-7.2.rdb"
"$cli" -p "$port" info server | grep -E '^redis_version' > "$here/written-by.txt"
stop
ls -l "$here"/*.rdb
