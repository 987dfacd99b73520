#!/usr/bin/env python3
"""pg-pitr-report.py — the Markdown report of bench/pg-pitr.sh.

    pg-pitr-report.py FACTS.tsv RESULTS.jsonl > REPORT.md

FACTS.tsv: KEY<TAB>VALUE... lines (machine, versions, options). RESULTS.jsonl: one JSON object per
measurement: {phase: backup|restore, tool, run, wall_s, bytes, sample} (sample: procsample.py's
JSON), {phase: restore-content, tool, run, want, got}, {phase: latency, mode, calls: [{segment,
us, rss_kib}]}, {phase: lag, mode, seconds, lsn0, lsn1, archived, failed, drain_ms, tps, samples}.
"""

import json
import statistics
import sys

BACKUP_VS_PGBACKREST = 1.0
RESTORE_VS_PGBACKREST = 1.0
PUSH_P50_MS = 100
LAG_SEGMENTS = 5
RSS_LIMIT_MB = 200
SEGMENT = 16 * 1024 * 1024

TOOL_NAMES = {
    "lifeboat": "lifeboat",
    "pgbackrest": "pgBackRest",
    "basebackup": "limit: `pg_basebackup -Ft -D - -X none \\| zstd -T2 > file`",
}
BACKUP_CMD = {
    "lifeboat": "`lifeboat backup postgres --physical` (replication protocol, zstd -3 on 2 workers, AES-256-GCM, waits for the WAL archived)",
    "pgbackrest": "`pgbackrest backup --type=full` (process-max=2, zst level 3, aes-256-cbc, start-fast, waits for the WAL archived)",
    "basebackup": "`pg_basebackup -Ft -D - -X none --checkpoint=fast \\| zstd -q -T2 > file; sync file`",
}
RESTORE_CMD = {
    "lifeboat": "`lifeboat restore pitr --target-time T` + `postgres` (restore_command: `lifeboat wal-fetch`)",
    "pgbackrest": "`pgbackrest restore --type=time --target=T --target-action=promote` + `postgres` (restore_command: `pgbackrest archive-get`, archive-async=y)",
}
MODE_NAMES = {
    "pgbackrest_sync": "pgBackRest `archive-push`",
    "pgbackrest_async": "pgBackRest `archive-push`, archive-async=y",
    "lifeboat_key_sync": "lifeboat `wal-push`, key file",
    "lifeboat_key_async": "lifeboat `wal-push --async`, key file",
    "lifeboat_pass_sync": "lifeboat `wal-push`, passphrase",
    "lifeboat_pass_async": "lifeboat `wal-push --async`, passphrase",
    "lifeboat_sync": "lifeboat `wal-push`, key file",
    "lifeboat_async": "lifeboat `wal-push --async`, key file",
    "ref_pgbackrest_version": "floor: `pgbackrest version` (a process start)",
    "ref_lifeboat_version": "floor: `lifeboat --version` (a process start)",
    "ref_zstd": "floor: `zstd -3 -T1` over the segment to /dev/null",
}


def fmt(x, digits=1):
    return f"{x:,.{digits}f}".replace(",", " ")


def mb(n):
    return n / 1e6


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(-(-p * len(s) // 100)) - 1))
    return s[k]


def lsn(text):
    hi, lo = text.split("/")
    return (int(hi, 16) << 32) + int(lo, 16)


def load(path):
    with open(path) as f:
        return json.load(f)


class Run:
    """One timed base backup or restore, with what the sampler saw."""

    def __init__(self, rec):
        self.tool, self.run, self.wall, self.bytes = rec["tool"], rec["run"], rec["wall_s"], rec["bytes"]
        self.sample = load(rec["sample"])
        self.procs = self.sample["processes"]
        self.foreign = self.sample["foreign_s"] / self.sample["wall_s"] if self.sample["wall_s"] else 0

    def by_comm(self):
        """{comm: (CPU s, largest peak RSS MiB, sum of peaks MiB, processes)}."""
        out = {}
        for p in self.procs:
            comm = p["comm"]
            if p["label"].startswith("postgres ") and p["label"] != "postgres":
                comm = "postgres (server)"
            cpu, peak, total, n = out.get(comm, (0.0, 0.0, 0.0, 0))
            rss = p["hwm_kib"] / 1024
            out[comm] = (cpu + p["cpu_s"], max(peak, rss), total + rss, n + 1)
        return out

    def cpu_total(self):
        return sum(p["cpu_s"] for p in self.procs)

    def tool_peak(self, comm):
        """(largest peak RSS MiB of one process named comm, sum over them, how many)."""
        rss = [p["hwm_kib"] / 1024 for p in self.procs if p["comm"] == comm]
        return (max(rss), sum(rss), len(rss)) if rss else (0.0, 0.0, 0)


def main():
    facts = {}
    with open(sys.argv[1]) as f:
        for line in f:
            key, *values = line.rstrip("\n").split("\t")
            facts[key] = values
    records = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
    runs = {ph: [Run(r) for r in records if r["phase"] == ph] for ph in ("backup", "restore")}
    contents = [r for r in records if r["phase"] == "restore-content"]
    latency = {r["mode"]: r["calls"] for r in records if r["phase"] == "latency"}
    lag = {r["mode"]: r for r in records if r["phase"] == "lag"}

    def sel(phase, tool):
        return sorted((r for r in runs[phase] if r.tool == tool), key=lambda r: r.run)

    def med(phase, tool):
        rs = sel(phase, tool)
        return statistics.median(r.wall for r in rs) if rs else None

    p = print
    date = facts["date"][0]
    db_name, db_mb, db_bytes = facts["database"][0], facts["database"][1], int(facts["database"][2])
    cluster_bytes = int(facts["cluster_bytes"][0])
    quick = facts.get("quick", ["false"])[0] == "true"
    p(f"# PostgreSQL point-in-time recovery: Lifeboat against pgBackRest ({date[:10]}{', quick smoke run' if quick else ''})")
    p()
    total = int(facts["total_s"][0])
    p(f"Run {date} by `{facts['invocation'][0]}` (total {total // 60} min {total % 60} s), as root, on a machine "
      "with Debian's PostgreSQL 15 (the script installs pgBackRest and what else is missing, and runs its own "
      "PostgreSQL cluster; the devstack is not touched):")
    p()
    p("```bash")
    p(facts["invocation"][0])
    p("```")
    p()
    if "note" in facts and facts["note"][0]:
        p(f"**Note:** {facts['note'][0]}")
        p()
    p("## Machine")
    p()
    p("| | |")
    p("|---|---|")
    for key, title in [("nproc", "cores (nproc)"), ("memory", "memory"), ("cpu", "CPU"), ("disk", "disk"),
                       ("kernel", "kernel"), ("server", "server (the benchmark's own cluster)"),
                       ("pgbackrest", "pgBackRest"), ("zstd", "zstd"), ("lifeboat", "lifeboat")]:
        if key in facts:
            p(f"| {title} | {facts[key][0]} |")
    p(f"| database | `{db_name}`: sample load of {db_mb} MB (`scripts/load-sample.sh`), pg_database_size "
      f"{fmt(mb(db_bytes), 0)} MB; whole cluster {fmt(mb(cluster_bytes), 0)} MB (with `{facts['pgbench_db'][0]}` for the write load) |")
    p(f"| load average | before {facts['load_before'][0]}, after {facts['load_after'][0]} (1, 5, 15 min) |")
    p()

    # ---- verdicts ------------------------------------------------------------------------------
    verdicts = []
    for phase, limit in (("backup", BACKUP_VS_PGBACKREST), ("restore", RESTORE_VS_PGBACKREST)):
        lb, pb = med(phase, "lifeboat"), med(phase, "pgbackrest")
        if lb is not None and pb is not None:
            what = "base backup" if phase == "backup" else "PITR restore, until the server accepts connections and has left recovery"
            verdicts.append((f"{what} ≤ {limit}× pgBackRest", f"{fmt(lb)} s vs {fmt(pb)} s = {lb / pb:.2f}×", lb <= limit * pb))
    for mode in ("lifeboat_key_sync", "lifeboat_key_async", "lifeboat_pass_sync", "lifeboat_pass_async"):
        if mode in latency:
            p50 = percentile([c["us"] for c in latency[mode]], 50) / 1000
            verdicts.append((f"{MODE_NAMES[mode]}: p50 ≤ {PUSH_P50_MS} ms per segment", f"{fmt(p50)} ms", p50 <= PUSH_P50_MS))
    for mode in ("lifeboat_sync", "lifeboat_async"):
        if mode in lag:
            worst = max(lag[mode]["samples"]["ready"] or [0])
            verdicts.append((f"archive lag ≤ {LAG_SEGMENTS} segments under `pgbench -c 4` ({MODE_NAMES[mode]})",
                             f"max {worst} segments waiting", worst <= LAG_SEGMENTS))
    rss = []
    for phase in ("backup", "restore"):
        for r in sel(phase, "lifeboat"):
            peak = r.tool_peak("lifeboat")[0]
            if peak:
                rss.append((peak, f"{phase} run {r.run}"))
    for mode, calls in latency.items():
        if mode.startswith("lifeboat"):
            rss.append((max(c["rss_kib"] for c in calls) / 1024, f"wal-push call ({mode})"))
    for mode, rec in lag.items():
        if mode.startswith("lifeboat") and rec["samples"]["peak_rss_kib"].get("lifeboat"):
            rss.append((rec["samples"]["peak_rss_kib"]["lifeboat"] / 1024, f"archiving under load ({mode})"))
    if rss:
        worst = max(rss)
        verdicts.append((f"lifeboat peak RSS ≤ {RSS_LIMIT_MB} MB (every lifeboat process of the run)",
                         f"largest {fmt(worst[0])} MiB ({worst[1]})", worst[0] * 1.048576 <= RSS_LIMIT_MB))
    bad = [c for c in contents if c["got"] != c["want"]]
    if contents:
        verdicts.append(("both restores show the target's content (pgbench history count / sum / balances)",
                         f"{len(contents) - len(bad)} of {len(contents)} restores match `{contents[0]['want']}`", not bad))
    p("## Targets")
    p()
    p("| target | measured (medians) | verdict |")
    p("|---|---|---|")
    for what, measured, ok in verdicts:
        p(f"| {what} | {measured} | {'**met**' if ok else '**missed**'} |")
    p()

    # ---- base backups ------------------------------------------------------------------------------
    if runs["backup"]:
        p(f"## Base backup of the whole cluster ({fmt(mb(cluster_bytes), 0)} MB)")
        p()
        p("Wall time: median of the runs (each run in parentheses). MB = 10^6 bytes; MB/s = cluster size / wall. "
          "Peak RSS: VmHWM sampled from /proc every 0.25 s; for pgBackRest, its largest process and the sum over its "
          "main and local (worker) processes. CPU s: user + system of every process of the run, the server's walsender "
          "and helpers included. Foreign load: other people's CPU use during the run, in cores (2 = the whole machine).")
        p()
        p("| contender | what runs | wall s, median (runs) | MB/s | output MB | peak RSS MiB, largest process | CPU s per process kind | foreign load, cores |")
        p("|---|---|---|---|---|---|---|---|")
        for tool in ("lifeboat", "pgbackrest", "basebackup"):
            rs = sel("backup", tool)
            if not rs:
                continue
            w = statistics.median(r.wall for r in rs)
            comms = {}
            for r in rs:
                for comm, (cpu, peak, summed, n) in r.by_comm().items():
                    c = comms.setdefault(comm, [[], 0.0, 0.0])
                    c[0].append(cpu)
                    c[1] = max(c[1], peak)
                    c[2] = max(c[2], summed)
            main_comm = {"lifeboat": "lifeboat", "pgbackrest": "pgbackrest", "basebackup": "pg_basebackup"}[tool]
            peaks = ", ".join(f"{k} {fmt(v[1])}" + (f" (sum {fmt(v[2])})" if k == "pgbackrest" and v[2] > v[1] else "")
                              for k, v in sorted(comms.items(), key=lambda kv: kv[0] != main_comm)
                              if k in ("lifeboat", "pgbackrest", "pg_basebackup", "zstd"))
            cpu = "; ".join(f"{k} {fmt(statistics.median(v[0]))}" for k, v in sorted(comms.items(), key=lambda kv: -statistics.median(kv[1][0]))
                            if statistics.median(v[0]) >= 0.05)
            out = statistics.median(r.bytes for r in rs)
            p(f"| {TOOL_NAMES[tool]} | {BACKUP_CMD[tool]} | **{fmt(w)}** ({', '.join(fmt(r.wall) for r in rs)}) | "
              f"{fmt(mb(cluster_bytes) / w, 0)} | {fmt(mb(out), 0) if out else '—'} | {peaks} | {cpu} | "
              f"{', '.join(fmt(r.foreign, 2) for r in rs)} |")
        p()

    # ---- restores ------------------------------------------------------------------------------------
    if runs["restore"]:
        seg_note = ""
        p("## PITR restore to the same target, until the server accepts connections and has left recovery")
        p()
        p("Both from the newest base backup of the run above (taken back to back, no writes between them), replaying "
          f"the same WAL: `pgbench -c 4` for {facts['load_s'][0]} s after the backups, the target, 5 s more writes; "
          "every segment archived into both repositories by one archive_command. Timed from the restore command's "
          "start to the first `select pg_is_in_recovery()` answering `f` (polled every 0.1 s) on the restored server, "
          "started as `postgres -D DIR -p PORT` by the benchmark with archive_mode off." + seg_note)
        p()
        p("| contender | what runs | wall s, median (runs) | peak RSS MiB, per program | CPU s per process kind | content at the target | foreign load, cores |")
        p("|---|---|---|---|---|---|---|")
        for tool in ("lifeboat", "pgbackrest"):
            rs = sel("restore", tool)
            if not rs:
                continue
            w = statistics.median(r.wall for r in rs)
            comms = {}
            for r in rs:
                for comm, (cpu, peak, summed, n) in r.by_comm().items():
                    c = comms.setdefault(comm, [[], 0.0, 0])
                    c[0].append(cpu)
                    c[1] = max(c[1], peak)
                    c[2] = max(c[2], n)
            peaks = ", ".join(f"{k} {fmt(v[1])} ({v[2]} processes)" for k, v in sorted(comms.items()) if k in ("lifeboat", "pgbackrest"))
            cpu = "; ".join(f"{k} {fmt(statistics.median(v[0]))}" for k, v in sorted(comms.items(), key=lambda kv: -statistics.median(kv[1][0]))
                            if statistics.median(v[0]) >= 0.05)
            ok = [c for c in contents if c["tool"] == tool]
            content = "matches" if ok and all(c["got"] == c["want"] for c in ok) else "**differs**: " + ", ".join(c["got"] for c in ok)
            p(f"| {TOOL_NAMES[tool]} | {RESTORE_CMD[tool]} | **{fmt(w)}** ({', '.join(fmt(r.wall) for r in rs)}) | {peaks} | {cpu} | "
              f"{content} | {', '.join(fmt(r.foreign, 2) for r in rs)} |")
        p()

    # ---- latency -------------------------------------------------------------------------------------
    if latency:
        n = len(latency.get("lifeboat_key_sync") or next(iter(latency.values())))
        p(f"## Per-segment push latency ({n} real 16 MiB segments, one call each)")
        p()
        p("Segments written by pgbench (each filled by the load, none cut short by a switch), copied out, then pushed "
          "one by one from the command line as PostgreSQL's archiver does: from a data directory of the mode's own "
          "(`pg_wal/SEG` relative, `archive_status/SEG.ready` beside it, renamed `.done` after success), into a "
          "fresh repository and stanza per mode. The modes take turns segment by segment (order reversed every other "
          "segment), so a busy moment on the shared machine hits all alike. Only one segment is ever waiting, so the "
          "asynchronous modes show the latency of a lone segment (their background process finds no read-ahead work); "
          "the lag rows below show them under load. Wall time from the parent's clock (the benchmark's `setpriv` to the "
          "postgres user included, ~1 ms for every mode). CPU and peak RSS: GNU time's user + system time and maximum "
          "resident set size of the call itself (10 ms resolution; in the asynchronous modes the background process "
          "does the work, and its memory shows in the lag rows). On a busy machine the wall times wait for a core; the "
          "CPU column does not.")
        p()
        p("| mode | p50 ms | p95 ms | max ms | mean ms | segments/s one at a time | CPU ms per call, median | peak RSS MiB per call |")
        p("|---|---|---|---|---|---|---|---|")
        for mode in ("pgbackrest_sync", "lifeboat_key_sync", "lifeboat_pass_sync", "pgbackrest_async", "lifeboat_key_async",
                     "lifeboat_pass_async", "ref_pgbackrest_version", "ref_lifeboat_version", "ref_zstd"):
            if mode not in latency:
                continue
            ms = [c["us"] / 1000 for c in latency[mode]]
            p(f"| {MODE_NAMES[mode]} | **{fmt(percentile(ms, 50))}** | {fmt(percentile(ms, 95))} | {fmt(max(ms))} | "
              f"{fmt(statistics.mean(ms))} | {fmt(1000 / statistics.mean(ms), 1)} | "
              f"{fmt(statistics.median(c.get('cpu_s', 0) for c in latency[mode]) * 1000, 0)} | {fmt(max(c['rss_kib'] for c in latency[mode]) / 1024)} |")
        p()

    # ---- lag -----------------------------------------------------------------------------------------
    if lag:
        secs = next(iter(lag.values()))["seconds"]
        p(f"## Archive lag under `pgbench -c 4 -j 2` for {secs} s")
        p()
        p("archive_command set to each tool in turn (fresh repository or stanza each). Lag = the segments PostgreSQL "
          "finished and has not archived yet (`pg_wal/archive_status/*.ready`), sampled every second. Drain: "
          "after pgbench ends, until none is left. Peak RSS and CPU: the tool's processes (matched by their "
          "command line), sampled every 0.2 s, so short-lived calls may be missed (a lower bound; exact for a "
          "background pusher).")
        p()
        p("| mode | tps | WAL written MB (segments) | archived | failed | lag max | lag p95 | lag mean | drain s | tool peak RSS MiB | tool CPU s |")
        p("|---|---|---|---|---|---|---|---|---|---|---|")
        for mode in ("pgbackrest_sync", "lifeboat_sync", "pgbackrest_async", "lifeboat_async"):
            if mode not in lag:
                continue
            r = lag[mode]
            ready = r["samples"]["ready"] or [0]
            wal = lsn(r["lsn1"]) - lsn(r["lsn0"])
            peaks = ", ".join(f"{k} {fmt(v / 1024)}" for k, v in r["samples"]["peak_rss_kib"].items()) or "—"
            cpu = ", ".join(f"{k} {fmt(v)}" for k, v in r["samples"]["cpu_s"].items()) or "—"
            p(f"| {MODE_NAMES[mode]} | {fmt(r['tps'] or 0, 0)} | {fmt(mb(wal), 0)} ({wal / SEGMENT:.0f}) | {r['archived']} | {r['failed']} | "
              f"**{max(ready)}** | {percentile(ready, 95)} | {fmt(statistics.mean(ready))} | {fmt(r['drain_ms'] / 1000)} | {peaks} | {cpu} |")
        p()

    # ---- method --------------------------------------------------------------------------------------
    p("## Method")
    p()
    p("- One PostgreSQL 15 cluster of the benchmark's own (initdb in `bench/work/pitr/cluster`, its own port and "
      "socket directory, the devstack's shared_buffers and max_wal_size, `archive_mode = on`), run as the postgres "
      "OS user; pgBackRest and lifeboat run as that user too (as `archive_command` does), each with its own local "
      "repository: pgBackRest with `compress-type=zst`, `process-max=2`, `repo1-cipher-type=aes-256-cbc`, "
      "`start-fast=y` (lifeboat's base backup asks for a fast checkpoint too), `archive-async` and a spool where "
      "stated; lifeboat with a key file (and a passphrase where stated).")
    p("- Base backups: the cluster's files are read once, untimed, before the first run, so every contender reads "
      "them from the page cache; `CHECKPOINT` and `sync` (untimed) before each run; the order of contenders reverses "
      "every other round. Both tools' backups end only once the WAL they need is archived; archive_command pushes "
      "every segment into both archives (pgBackRest's, then lifeboat's), the same for both. The limit pipeline "
      "skips WAL (`-X none`) and ends with `sync FILE`.")
    p(f"- Shared machine: before each timed backup and restore the script waits (up to {facts['quiet_wait_s'][0]} s) "
      f"for other processes to use ≤ {facts['noisy_cores'][0]} cores, then runs regardless; the foreign-load "
      "column says what they used while it ran.")
    p("- Every figure comes from this one run; `bench/work/pitr/out` (kept with `--keep`) has the raw samples.")


if __name__ == "__main__":
    main()
