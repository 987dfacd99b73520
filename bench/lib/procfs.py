"""procfs.py — what the benchmark's /proc samplers (procsample.py, pitr-lag-sample.py) read alike:
a process's stat line and peak memory, the clock tick, and a stop flag SIGTERM sets.

Imported, never run: a sampler in this directory finds it next to itself (python3 puts a script's
own directory first on sys.path).
"""

import os
import signal

CLK = os.sysconf("SC_CLK_TCK")


def read(path):
    """The bytes of a /proc file, or None when the process has gone (or the file cannot be read)."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def parse_stat(raw):
    """(comm, ppid, cpu_ticks) from a /proc/PID/stat or /proc/PID/task/TID/stat line."""
    # comm is in parentheses and may contain spaces or parentheses itself: split at the last ')'.
    close = raw.rfind(b")")
    comm = raw[raw.find(b"(") + 1:close].decode(errors="replace")
    fields = raw[close + 2:].split()
    # fields[0] is state (field 3 of stat), so field N of proc(5) is fields[N - 3].
    return comm, int(fields[1]), int(fields[11]) + int(fields[12])


def hwm_kib(pid):
    """The peak RSS (VmHWM, KiB) of a process; None when it has gone, 0 when it has none (a kernel thread)."""
    raw = read(f"/proc/{pid}/status")
    if raw is None:
        return None
    for line in raw.split(b"\n"):
        if line.startswith(b"VmHWM:"):
            return int(line.split()[1])
    return 0


class StopOnTerm:
    """Set once SIGTERM arrives: a sampler runs until its caller stops it, then writes what it saw."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGTERM, self._on_term)

    def _on_term(self, _signum, _frame):
        self.requested = True
