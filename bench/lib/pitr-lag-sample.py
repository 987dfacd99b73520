#!/usr/bin/env python3
"""pitr-lag-sample.py — archive lag and the archiving tool's memory while pgbench writes.

    pitr-lag-sample.py OUT.json ARCHIVE_STATUS_DIR MARKER INTERVAL_S

Every INTERVAL_S, counts the segments PostgreSQL has finished and not yet archived (the *.ready
files in pg_wal/archive_status: the archive lag, in segments); five times as often, reads the peak
RSS (VmHWM) of every lifeboat or pgbackrest process whose command line holds MARKER (the mode's
own directory, so no one else's process counts), as archive_command's short-lived processes live
for a fraction of a second. Runs until SIGTERM, then writes OUT.json:

  ready:        the lag samples, in order
  interval_s:   INTERVAL_S
  processes:    how many distinct tool processes were seen
  peak_rss_kib: {comm: the largest VmHWM seen for a process of that name}
  cpu_s:        {comm: CPU seconds (user + system) of the processes seen, last reading of each}

A process that starts and ends between two readings is missed: the peak RSS is a lower bound for
the per-segment calls (the latency phase measures theirs exactly) and exact for a long-lived
background pusher.
"""

import json
import os
import sys
import time

from procfs import CLK, StopOnTerm, hwm_kib, parse_stat, read

TOOLS = ("lifeboat", "pgbackrest")


def ready_count(status_dir):
    try:
        return sum(1 for name in os.listdir(status_dir) if name.endswith(".ready"))
    except OSError:
        return 0


def tool_processes(marker):
    """(pid, comm, hwm_kib, cpu_ticks) of every tool process whose command line holds marker."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = read(f"/proc/{name}/stat")
        if stat is None:
            continue
        comm, _ppid, cpu = parse_stat(stat)
        if comm not in TOOLS:
            continue
        cmdline = read(f"/proc/{name}/cmdline") or b""
        if marker not in cmdline:
            continue
        yield int(name), comm, hwm_kib(name) or 0, cpu


def main():
    out_path, status_dir, marker, interval = sys.argv[1], sys.argv[2], sys.argv[3].encode(), float(sys.argv[4])
    stop = StopOnTerm()
    ready, seen = [], {}
    tick = interval / 5
    next_count = time.monotonic()
    while not stop.requested:
        for pid, comm, hwm, cpu in tool_processes(marker):
            rec = seen.setdefault(pid, {"comm": comm, "hwm": 0, "cpu": 0})
            rec["hwm"] = max(rec["hwm"], hwm)
            rec["cpu"] = cpu
        now = time.monotonic()
        if now >= next_count:
            ready.append(ready_count(status_dir))
            next_count += interval
        time.sleep(tick)
    peak, cpu = {}, {}
    for rec in seen.values():
        peak[rec["comm"]] = max(peak.get(rec["comm"], 0), rec["hwm"])
        cpu[rec["comm"]] = round(cpu.get(rec["comm"], 0) + rec["cpu"] / CLK, 2)
    with open(out_path, "w") as f:
        json.dump({"ready": ready, "interval_s": interval, "processes": len(seen), "peak_rss_kib": peak, "cpu_s": cpu}, f)


if __name__ == "__main__":
    main()
