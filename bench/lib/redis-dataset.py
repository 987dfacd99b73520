#!/usr/bin/env python3
"""redis-dataset.py — the RESP commands that fill bench/redis.sh's server, for `redis-cli --pipe`.

    redis-dataset.py MB | redis-cli -p PORT --pipe

About MB megabytes of values, shaped like a cache and a job queue rather than like DEBUG POPULATE
(whose zero-padded values LZF squeezes to nothing): 55 % strings, half of them random bytes (serialized,
already-compressed blobs: incompressible) and half JSON-like text; 15 % hashes (small ones as listpacks,
some of 2 000 fields as hash tables); 10 % lists (quicklists); 5 % sets (intsets and hash tables);
5 % sorted sets (listpacks and skiplists); 5 % streams, each with a consumer group and pending entries;
a tenth of the keys with a TTL (days ahead, so none expires during a run); a few keys in databases 1
and 2; a function library. (bench/redis.sh adds small keys with DEBUG POPULATE on top.)
Deterministic: the same MB gives the same commands.
"""

import random
import sys

OUT = sys.stdout.buffer
rng = random.Random(11)
POOL = rng.randbytes(16 << 20)  # slices of it are the random values: incompressible, cheap to make
WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
         "et dolore magna aliqua user order payment shipped pending cancelled session token cart item").split()
buf = []
buffered = 0


def cmd(*parts):
    global buffered
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        if isinstance(p, str):
            p = p.encode()
        elif isinstance(p, int):
            p = b"%d" % p
        out.append(b"$%d\r\n" % len(p))
        out.append(p)
        out.append(b"\r\n")
    data = b"".join(out)
    buf.append(data)
    buffered += len(data)
    if buffered > 1 << 20:
        flush()
    return len(data)


def flush():
    global buffered
    OUT.write(b"".join(buf))
    buf.clear()
    buffered = 0


def blob(n):
    at = rng.randrange(0, len(POOL) - n)
    return POOL[at:at + n]


def text(i, n):
    words = " ".join(rng.choice(WORDS) for _ in range(n // 6))
    return (f'{{"id":{i},"user":"user{i % 50000}","email":"user{i % 50000}@example.com",'
            f'"status":"{rng.choice(WORDS)}","total":{rng.randrange(100000) / 100},"note":"{words}"}}')


def maybe_ttl(key):
    if rng.random() < 0.1:
        cmd("EXPIRE", key, rng.randrange(2, 30) * 86400)


def strings(budget):
    i = 0
    while budget > 0:
        key = f"str:{i}"
        if i % 2:
            value = blob(rng.randrange(256, 4096))
        else:
            value = text(i, rng.randrange(200, 2000))
        budget -= cmd("SET", key, value)
        maybe_ttl(key)
        i += 1


def hashes(budget):
    i = 0
    while budget > 0:
        key = f"hash:{i}"
        fields = 2000 if i % 50 == 0 else 20
        args = []
        for f in range(fields):
            args += [f"field:{f}", text(f, 40) if f % 3 else b"%d" % rng.randrange(10**9)]
        budget -= cmd("HSET", key, *args)
        maybe_ttl(key)
        i += 1


def lists(budget):
    i = 0
    while budget > 0:
        key = f"list:{i}"
        items = [blob(rng.randrange(50, 400)) if j % 4 == 0 else text(j, 80) for j in range(200)]
        budget -= cmd("RPUSH", key, *items)
        maybe_ttl(key)
        i += 1


def sets(budget):
    i = 0
    while budget > 0:
        key = f"set:{i}"
        if i % 2:
            members = [rng.randrange(10**6) for _ in range(300)]
        else:
            members = [f"member:{rng.randrange(10**9)}" for _ in range(300)]
        budget -= cmd("SADD", key, *members)
        maybe_ttl(key)
        i += 1


def zsets(budget):
    i = 0
    while budget > 0:
        key = f"zset:{i}"
        size = 1000 if i % 10 == 0 else 50
        args = []
        for j in range(size):
            args += [b"%f" % rng.uniform(0, 10**6), f"player:{rng.randrange(10**9)}"]
        budget -= cmd("ZADD", key, *args)
        maybe_ttl(key)
        i += 1


def streams(budget):
    i = 0
    while budget > 0:
        key = f"stream:{i}"
        for j in range(200):
            budget -= cmd("XADD", key, "*", "event", rng.choice(WORDS), "order", j, "payload", text(j, 120))
        cmd("XGROUP", "CREATE", key, "workers", "0")
        cmd("XREADGROUP", "GROUP", "workers", "alice", "COUNT", 50, "STREAMS", key, ">")
        i += 1


def main():
    total = int(sys.argv[1]) * 1_000_000
    for share, fill in ((0.55, strings), (0.15, hashes), (0.10, lists), (0.05, sets), (0.05, zsets), (0.05, streams)):
        fill(int(total * share))
    for db in (1, 2):
        cmd("SELECT", db)
        for j in range(1000):
            cmd("SET", f"db{db}:{j}", text(j, 200))
    cmd("SELECT", 0)
    cmd("FUNCTION", "LOAD", "REPLACE", "#!lua name=benchlib\nredis.register_function('bench_ping', function() return 'pong' end)")
    flush()


if __name__ == "__main__":
    main()
