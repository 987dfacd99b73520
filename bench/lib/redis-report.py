#!/usr/bin/env python3
"""redis-report.py — the Markdown report of bench/redis.sh.

    redis-report.py FACTS.tsv RESULTS.jsonl > REPORT.md

FACTS.tsv: KEY<TAB>VALUE... lines (machine, versions, dataset, options). RESULTS.jsonl: one JSON object
per timed run: {row: redis_cli|lifeboat|restart|to_server, run, wall_s, bytes, sample, stdout} (sample:
procsample.py's JSON; stdout: what the row printed, lifeboat's --json summary).
"""

import json
import statistics
import sys

from report_header import fmt, print_header

BACKUP_VS_REDIS_CLI = 1.0
RSS_LIMIT_MB = 200

ROWS = {
    "redis_cli": ("`redis-cli --rdb FILE`", "redis-cli",
                  "SYNC (rdb-only), the RDB written to a file and fsynced"),
    "lifeboat": ("`lifeboat backup redis`", "lifeboat",
                 "the same SYNC; header and CRC64 checked as it streams, keys counted; zstd level -2 + AES-256-GCM + SHA-256 into a fresh local repository (fsynced), then the manifest"),
    "restart": ("restart on the RDB", "redis-server",
                "`redis-server` started on redis-cli's file until PING answers and INFO says loading:0 (the file is in the page cache)"),
    "to_server": ("`lifeboat restore redis --to-server`", "lifeboat",
                  "the run's backup read, decrypted and checked whole (CRC64), then read again and replayed into an empty "
                  "running redis-server as pipelined `RESTORE … ABSTTL` (server CPU: the target's)"),
}


def load(path):
    with open(path) as f:
        return json.load(f)


class Run:
    """One timed run, with what the sampler saw."""

    def __init__(self, rec):
        self.row, self.run, self.wall, self.bytes = rec["row"], rec["run"], rec["wall_s"], rec["bytes"]
        self.sample = load(rec["sample"])
        self.procs = self.sample["processes"]
        self.foreign = self.sample["foreign_s"] / self.sample["wall_s"] if self.sample["wall_s"] else 0
        self.stdout = open(rec["stdout"]).read()

    def started(self, comm):
        """The processes named comm that the run started (not the source server, whose peak RSS is its whole life's)."""
        return [p for p in self.procs if p["comm"] == comm and not p.get("preexisting")]

    def peak_mib(self, comm):
        rss = [p["hwm_kib"] / 1024 for p in self.started(comm)]
        return max(rss) if rss else 0.0

    def cpu(self, comm):
        return sum(p["cpu_s"] for p in self.started(comm))

    def server_cpu(self):
        """CPU seconds the source server spent on the run: its main process and the fork that wrote the RDB."""
        return sum(p["cpu_s"] for p in self.procs if p["comm"] == "redis-server")

    def threads(self, comm):
        for p in self.procs:
            if p["comm"] == comm and p["threads"]:
                return p["threads"]
        return []


def main():
    facts = {}
    with open(sys.argv[1]) as f:
        for line in f:
            key, *values = line.rstrip("\n").split("\t")
            facts[key] = values
    runs = [Run(json.loads(line)) for line in open(sys.argv[2]) if line.strip()]

    def sel(row):
        return sorted((r for r in runs if r.row == row), key=lambda r: r.run)

    def med(row, key=lambda r: r.wall):
        rs = sel(row)
        return statistics.median(key(r) for r in rs) if rs else None

    p = print
    date = facts["date"][0]
    quick = facts.get("quick", ["false"])[0] == "true"
    size_mb, populate, keys, used_memory, dump_bytes = facts["dataset"]
    total = int(facts["total_s"][0])
    print_header(facts, f"Redis snapshots: Lifeboat against `redis-cli --rdb` ({date[:10]}{', quick smoke run' if quick else ''})",
                 f"total {total // 60} min {total % 60} s",
                 (("server", "server"), ("redis_cli", "redis-cli"), ("lifeboat", "lifeboat")))
    p("## Dataset")
    p()
    p(f"{fmt(int(keys), 0)} keys, `used_memory` {fmt(int(used_memory) / 1e6)} MB, RDB {fmt(int(dump_bytes) / 1e6)} MB "
      f"(`bench/lib/redis-dataset.py {size_mb}`: strings — half random bytes, half JSON-like text — hashes, lists, "
      f"sets, sorted sets, streams with consumer groups and pending entries, a tenth with TTLs, databases 0–2, a "
      f"function library; then `DEBUG POPULATE {populate} pop 100`). Keyspace: `{facts['keyspace'][0].strip()}`.")
    p()

    p("## Results")
    p()
    p("Median of the runs; MB/s of the RDB's size; peak RSS of the tool's own process (VmHWM, sampled every 0.25 s); "
      "CPU seconds of the tool (user + system; for the restart row, the restarted server); server CPU: the source "
      "server's, its fork that writes the RDB included (for the --to-server row, the target's); foreign load: the cores other people's processes used meanwhile.")
    p()
    p("| row | what runs | wall s (each run) | MB/s | output MB | peak RSS MiB | CPU s | server CPU s | foreign load (cores) |")
    p("|---|---|---|---|---|---|---|---|---|")
    rdb_bytes = None
    for row, (name, comm, what) in ROWS.items():
        rs = sel(row)
        if not rs:
            continue
        wall = med(row)
        if row == "redis_cli":
            rdb_bytes = statistics.median(r.bytes for r in rs)
        each = ", ".join(fmt(r.wall, 2) for r in rs)
        rate = fmt(rdb_bytes / 1e6 / wall) if rdb_bytes else "—"
        p(f"| {name} | {what} | **{fmt(wall, 2)}** ({each}) | {rate} | {fmt(statistics.median(r.bytes for r in rs) / 1e6)} | "
          f"{fmt(max(r.peak_mib(comm) for r in rs))} | {fmt(statistics.median(r.cpu(comm) for r in rs), 2)} | "
          f"{fmt(statistics.median(r.server_cpu() for r in rs), 2) if row != 'restart' else '—'} | "
          f"{', '.join(fmt(r.foreign, 2) for r in rs)} |")
    p()

    lb, rc = med("lifeboat"), med("redis_cli")
    lb_rss = max((r.peak_mib("lifeboat") for r in sel("lifeboat")), default=0)
    p("## Targets (issue 11)")
    p()
    p("| target | measured | verdict |")
    p("|---|---|---|")
    if lb and rc:
        ratio = lb / rc
        p(f"| backup ≤ {BACKUP_VS_REDIS_CLI}× `redis-cli --rdb`'s wall time | {fmt(lb, 2)} s / {fmt(rc, 2)} s = **{ratio:.2f}×** | "
          f"{'met' if ratio <= BACKUP_VS_REDIS_CLI else 'missed'} |")
    p(f"| lifeboat's peak RSS ≤ {RSS_LIMIT_MB} MB | {fmt(lb_rss)} MiB ({fmt(lb_rss * 1.048576)} MB) | "
      f"{'met' if lb_rss * 1.048576 <= RSS_LIMIT_MB else 'missed'} |")
    p()

    p("## Where lifeboat's time goes")
    p()
    for r in sel("lifeboat"):
        summary = json.loads(r.stdout) if r.stdout.strip().startswith("{") else {}
        threads = ", ".join(f"{name} {fmt(cpu, 2)}" for name, cpu in r.threads("lifeboat")[:6])
        p(f"- run {r.run}: {fmt(r.wall, 2)} s wall, {fmt(r.cpu('lifeboat'), 2)} CPU s; RDB {fmt(summary.get('rdbBytes', 0) / 1e6)} MB "
          f"stored as {fmt(summary.get('storedBytes', r.bytes) / 1e6)} MB; busiest threads (CPU s): {threads}")
    p()
    p("## Method")
    p()
    p("- One redis-server of the benchmark's own (Debian's), on the dataset, with diskless replication (Redis 7's "
      "default) and `repl-diskless-sync-delay 0` (the default 5 s wait for more replicas would pad both contenders alike). "
      "Both contenders take the RDB the same way: a replica connection with `REPLCONF rdb-only 1`, so each run forks the "
      "server once and the fork streams the RDB straight to the socket; the fork's work (RDB encoding, LZF) is the same for both.")
    p("- The contenders take turns and the order reverses every round; every repository is fresh (`lifeboat init`, untimed); "
      "both outputs end fsynced (redis-cli fsyncs its file; lifeboat fsyncs every object and the manifest).")
    p("- The restart row starts a second redis-server on the file `redis-cli --rdb` just wrote (a hard link, in the page cache) "
      "and polls every 50 ms until it answers `PING` and `INFO persistence` says `loading:0`; its key count is checked against the source's.")
    p("- The --to-server row starts an empty redis-server (untimed) and restores the round's lifeboat backup into it; "
      "the time runs until lifeboat exits, after its own key-count check against the manifest; the script then checks the "
      "target's key count against the source's.")
    p(f"- Before each timed run the script waits (up to {facts.get('quiet_wait_s', ['?'])[0]} s) for other people's processes to use "
      f"≤ {facts.get('noisy_cores', ['?'])[0]} cores, and records what they used during the run either way (foreign load).")


if __name__ == "__main__":
    main()
