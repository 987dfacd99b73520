#!/usr/bin/env python3
"""procsample.py — sample /proc while one benchmark command runs, for the CPU split and peak memory
of every process involved, including the ones /usr/bin/time cannot see separately.

    procsample.py OUT.json ROOT_PID INTERVAL_S DB_REGEX READY_FILE [COMM_REGEX [CLUSTER_REGEX]]

Touches READY_FILE after its first sample (so the caller starts the timed command only then, and
nothing of the command's start is missed), runs until SIGTERM, then writes OUT.json:

  processes: one entry per process that belonged to the run: the descendants of ROOT_PID (the
             benchmark's shell; the sampler leaves itself out), PostgreSQL backends connected to a
             database whose name matches DB_REGEX, and the server's own helpers (checkpointer,
             walwriter, background writer, autovacuum), processes whose comm matches COMM_REGEX
             (e.g. the S3 server: radosgw, ceph-osd) — with CLUSTER_REGEX, only the backends and helpers
             of the servers whose cluster_name it matches (a benchmark's own server among others) —
             each with its comm, label, peak RSS (VmHWM,
             KiB) and CPU seconds (user + system) — and, for processes with several threads, the
             CPU seconds of each thread, largest first
  busy_s:    CPU seconds the whole machine spent busy during the run (from /proc/stat)
  foreign_s: busy_s minus what the processes above used: other people's work on the same cores
  wall_s:    how long the sampler ran

Why sample at all: a parent's rusage folds its children in (lifeboat's /usr/bin/time figure is the
largest of lifeboat and its pg_dump), the PostgreSQL backend that serves pg_dump is nobody's child,
and a machine shared with other engineers needs its foreign load measured, not guessed.

VmHWM and CPU time only grow, so the last sample of a process is its result; what a process does in
its last interval (INTERVAL_S, default 0.25 s) before exiting is missed, so short-lived processes
and the very end are slightly under-counted. The sampler reads a few hundred small files per tick
(~1 % of one core) and accounts its own CPU out of foreign_s.
"""

import json
import os
import re
import sys
import time

from procfs import CLK, StopOnTerm, hwm_kib, parse_stat, read

BACKEND_RE = re.compile(rb"^postgres: [^:]+: \S+ (\S+) ")
AUX_RE = re.compile(rb"^postgres: [^:]+: (checkpointer|walwriter|background writer|autovacuum|logical replication)")
CLUSTER_RE = re.compile(rb"^postgres: ([^:]+): ")


def machine_busy_ticks():
    raw = read("/proc/stat")
    parts = raw.split(b"\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in parts[:8])
    return user + nice + system + irq + softirq + steal


def main():
    out_path, root, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    db_re, ready_file = re.compile(sys.argv[4]), sys.argv[5]
    comm_re = re.compile(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[6] else None
    cluster_re = re.compile(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[7] else None
    ready = False
    stop = StopOnTerm()
    me = os.getpid()

    seen = {}  # pid -> record
    first = True  # processes already there at the first sample (a server the run talks to) count from then on
    busy0 = machine_busy_ticks()
    t0 = time.monotonic()
    self_ticks = 0

    while True:
        procs = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            raw = read(f"/proc/{pid}/stat")
            if raw is None:
                continue
            try:
                procs[pid] = parse_stat(raw)
            except (ValueError, IndexError):
                continue

        # Descendants of the root, by walking ppid links (a process may appear between reads; fine).
        children = {}
        for pid, (_comm, ppid, _cpu) in procs.items():
            children.setdefault(ppid, []).append(pid)
        tracked = {}
        stack = list(children.get(root, []))
        while stack:
            pid = stack.pop()
            if pid == me:
                continue  # our own CPU is self_ticks
            tracked[pid] = None
            stack.extend(children.get(pid, []))
        descendants = set(tracked)
        for pid, (comm, _ppid, _cpu) in procs.items():
            if pid in tracked:
                continue
            if comm_re is not None and comm_re.search(comm):
                tracked[pid] = comm
                continue
            if comm != "postgres":
                continue
            cmdline = read(f"/proc/{pid}/cmdline") or b""
            if cluster_re is not None:
                m = CLUSTER_RE.match(cmdline)
                if not m or not cluster_re.search(m.group(1).decode(errors="replace")):
                    continue
            m = BACKEND_RE.match(cmdline)
            if m and db_re.search(m.group(1).decode(errors="replace")):
                tracked[pid] = "postgres backend " + m.group(1).decode()
                continue
            m = AUX_RE.match(cmdline)
            if m:
                tracked[pid] = "postgres " + m.group(1).decode()

        for pid, label in tracked.items():
            comm, _ppid, cpu = procs[pid]
            hwm = hwm_kib(pid)
            if hwm is None:
                continue  # exited since the listing
            rec = seen.get(pid)
            if rec is None:
                rec = seen[pid] = {"pid": pid, "comm": comm, "label": label or comm, "hwm_kib": 0,
                                   "cpu_ticks0": cpu, "cpu_ticks": cpu, "threads": {},
                                   "external": pid not in descendants, "preexisting": first}
            rec["comm"] = comm
            rec["hwm_kib"] = max(rec["hwm_kib"], hwm)
            rec["cpu_ticks"] = cpu
            # Per-thread CPU for multi-threaded programs (lifeboat, restic, zstd -T2): which thread
            # is the bottleneck tells pipe/hash/encrypt (one thread) from compression (workers).
            try:
                tids = os.listdir(f"/proc/{pid}/task") if not rec["external"] else []
            except OSError:
                tids = []
            if len(tids) > 1:
                for tid in tids:
                    traw = read(f"/proc/{pid}/task/{tid}/stat")
                    if traw is None:
                        continue
                    tcomm, _tp, tcpu = parse_stat(traw)
                    rec["threads"][tid] = (tcomm, tcpu)

        mine = read(f"/proc/{me}/stat")
        if mine is not None:
            self_ticks = parse_stat(mine)[2]
        first = False
        if not ready:
            with open(ready_file, "w"):
                pass
            ready = True
        if stop.requested:
            break
        time.sleep(interval)

    wall = time.monotonic() - t0
    busy = (machine_busy_ticks() - busy0) / CLK
    processes = []
    used = self_ticks / CLK
    for rec in seen.values():
        # Backends and servers ran before the run started, and so may a descendant (a server the benchmark's shell
        # started earlier): count only this run's CPU. Descendants that started during the run: all of their CPU.
        base = rec["cpu_ticks0"] if rec["external"] or rec["preexisting"] else 0
        cpu_s = (rec["cpu_ticks"] - base) / CLK
        used += cpu_s
        threads = sorted(([tcomm, round(tcpu / CLK, 2)] for tcomm, tcpu in rec["threads"].values()),
                         key=lambda t: -t[1])
        processes.append({"pid": rec["pid"], "comm": rec["comm"], "label": rec["label"], "preexisting": rec["preexisting"],
                          "hwm_kib": rec["hwm_kib"], "cpu_s": round(cpu_s, 2),
                          "threads": [t for t in threads if t[1] > 0]})
    result = {"wall_s": round(wall, 3), "busy_s": round(busy, 2), "sampler_s": round(self_ticks / CLK, 2),
              "foreign_s": round(max(0.0, busy - used), 2), "processes": processes}
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
