#!/usr/bin/env bash
# Writes hash-field-expiry-7.4.rdb with a real Redis 7.4 server: hashes whose fields have their own expiry times
# (HEXPIRE and its kin, RDB 12 value types 24 and 25), in both encodings, beside plain hashes and other keys, in two
# databases. Beside it: what each key is (keys.tsv, the columns of make-rdb.sh) and the server's own DUMP of each key
# (dumps.tsv: database, key, payload in hex), which is the type byte and value exactly as the RDB holds them, then
# the payload's version and checksum. Run once, by hand, and commit the output:
#   REDIS_SERVER=/path/to/7.4/src/redis-server REDIS_CLI=/path/to/7.4/src/redis-cli ./make-hash-field-expiry-rdb.sh
# (the 7.4 server was built from the redis/redis tag 7.4.1 with `make MALLOC=libc BUILD_TLS=no`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${REDIS_SERVER:?set REDIS_SERVER to a redis-server 7.4 binary}
cli=${REDIS_CLI:?set REDIS_CLI to the redis-cli of the same build (HPEXPIREAT needs a 7.4 client only for its help)}
port=${PORT:-47312}
work=$(mktemp -d)
trap 'kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT

"$server" --port "$port" --bind 127.0.0.1 --dir "$work" --dbfilename dump.rdb --save '' \
    --appendonly no --daemonize yes --pidfile "$work/pid" --logfile "$work/log" --enable-debug-command yes
for _ in $(seq 50); do "$cli" -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
r() { "$cli" -p "$port" "$@" >/dev/null; }

far=4102444800000 # 2100-01-01 in ms: never expires while the tests run

# Listpack encoding (type 25): a few fields, some with times, one with a key expiry as well, integers among the values.
r hset hfe:small f1 v1 f2 v2 f3 v3 count 42
r hpexpireat hfe:small "$far" fields 2 f1 f3
r hpexpireat hfe:small $((far + 5000)) fields 1 count
r hset hfe:key-ttl-too a 1 b 2
r hpexpireat hfe:key-ttl-too $((far + 1)) fields 1 a
r pexpireat hfe:key-ttl-too $((far + 86400000))
# Hash table encoding (type 24): many fields, times spread over many values, most fields without one.
for i in $(seq 700); do echo "HSET hfe:big field-$i value-$i"; done | "$cli" -p "$port" >/dev/null
for i in $(seq 1 7 700); do echo "HPEXPIREAT hfe:big $((far + i * 1000)) FIELDS 1 field-$i"; done | "$cli" -p "$port" >/dev/null
# A long value turns even a small hash into a hash table.
r hset hfe:long-value short s long "$(printf 'abcdefghij%.0s' $(seq 80))"
r hpexpireat hfe:long-value "$far" fields 1 long
# Plain hashes beside them (types 16 and 4), and a string.
r hset hash:small a 1 b 2
for i in $(seq 600); do echo "HSET hash:big field-$i value-$i"; done | "$cli" -p "$port" >/dev/null
r set str:plain hello
"$cli" -p "$port" -n 2 hset db2:hfe x 1 y 2 >/dev/null
"$cli" -p "$port" -n 2 hpexpireat db2:hfe "$far" fields 1 y >/dev/null

r save
cp "$work/dump.rdb" "$here/hash-field-expiry-7.4.rdb"
: > "$here/hash-field-expiry-7.4.keys.tsv"
: > "$here/hash-field-expiry-7.4.dumps.tsv"
for db in 0 2; do
    "$cli" -p "$port" -n "$db" --scan | LC_ALL=C sort | while IFS= read -r key; do
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$key" "$("$cli" -p "$port" -n "$db" type "$key")" \
            "$("$cli" -p "$port" -n "$db" object encoding "$key")" "$("$cli" -p "$port" -n "$db" pexpiretime "$key")" \
            "$("$cli" -p "$port" -n "$db" debug digest-value "$key")" >> "$here/hash-field-expiry-7.4.keys.tsv"
        # --raw writes the payload's bytes and one newline, which is dropped.
        printf '%s\t%s\t%s\n' "$db" "$key" \
            "$("$cli" -p "$port" -n "$db" --raw dump "$key" | head -c -1 | od -An -v -tx1 | tr -d ' \n')" >> "$here/hash-field-expiry-7.4.dumps.tsv"
    done
done
"$cli" -p "$port" info server | grep -E '^redis_version' > "$here/hash-field-expiry-written-by.txt"
"$cli" -p "$port" shutdown nosave >/dev/null 2>&1 || true
ls -l "$here"/hash-field-expiry-7.4.*
