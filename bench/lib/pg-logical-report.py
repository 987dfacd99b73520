#!/usr/bin/env python3
"""pg-logical-report.py FACTS.tsv INDEX.tsv [STAGES.tsv] — the Markdown results of bench/pg-logical.sh on stdout.

Reads, for every kept attempt, the run directory's /usr/bin/time -v files (time.NAME), the
procsample.py samples (sample.json) and lifeboat's --json output, and turns them into the tables
and verdicts. Units: MB = 10^6 bytes, MB/s likewise; RSS in MB too (GNU time's KiB × 1024 / 10^6).
"""

import json
import os
import re
import statistics
import sys

# The targets.
BACKUP_VS_LIMIT = 1.05
RESTORE_VS_PG_RESTORE = 1.10
RSS_LIMIT_MB = 200.0

NAMES = {
    ("backup", "pgdump_z0"): "reference: `pg_dump -Fc -Z0 -f file` (no compression)",
    ("backup", "gzip"): "(a) plan: `pg_dump -Fc \\| gzip > file`",
    ("backup", "zstd"): "(b) limit: `pg_dump -Fc -Z0 \\| zstd -3 -T2 > file`",
    ("backup", "restic"): "(c) `pg_dump -Fc -Z0 \\| restic backup --stdin` (local repo)",
    ("backup", "lifeboat_local"): "(d) `lifeboat backup postgres` → local directory repo",
    ("backup", "zstd_s3"): "(f) S3 limit: `pg_dump -Fc -Z0 \\| zstd -3 -T2 \\| rclone rcat` → radosgw",
    ("backup", "lifeboat_s3"): "(e) `lifeboat backup postgres` → S3 repo (radosgw)",
    ("restore", "pg_restore_z0"): "`createdb` + `pg_restore -j2` from the `-Fc -Z0` file",
    ("restore", "pg_restore_fc"): "`createdb` + `pg_restore -j2` from the plan's `-Fc` (zlib) file",
    ("restore", "lifeboat_j2"): "`lifeboat restore postgres --jobs 2` (local repo, tables spooled as they arrive, default spool place)",
    ("restore", "lifeboat_j1"): "`lifeboat restore postgres --jobs 1` (local repo, streamed)",
}
ORDER = list(NAMES)


def mb(n):
    return n / 1e6


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def parse_time(path):
    """GNU time -v: peak RSS (KiB), user and system seconds."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("Maximum resident set size"):
                out["rss_kib"] = int(line.rsplit(":", 1)[1])
            elif line.startswith("User time"):
                out["user"] = float(line.rsplit(":", 1)[1])
            elif line.startswith("System time"):
                out["sys"] = float(line.rsplit(":", 1)[1])
    return out


class Run:
    def __init__(self, fields):
        (self.phase, self.contender, self.label, run, attempt, wall, out_bytes, load1, foreign, self.dir) = fields
        self.run, self.attempt = int(run), int(attempt)
        self.wall, self.out_bytes = float(wall), int(out_bytes or 0)
        self.load1, self.foreign = float(load1), float(foreign)
        self.times = {}
        for name in os.listdir(self.dir):
            if name.startswith("time."):
                self.times[name[5:]] = parse_time(os.path.join(self.dir, name))
        with open(os.path.join(self.dir, "sample.json")) as f:
            self.sample = json.load(f)
        self.summary = None
        stdout = os.path.join(self.dir, "stdout")
        if os.path.exists(stdout):
            text = open(stdout).read().strip()
            if text.startswith("{"):
                try:
                    self.summary = json.loads(text.splitlines()[-1])
                except json.JSONDecodeError:
                    pass

    # Peak RSS per /usr/bin/time: the largest wrapped process (for lifeboat this folds in its
    # pg_dump / pg_restore children, which is why the sampled figure below exists).
    def peak_time(self):
        name, t = max(self.times.items(), key=lambda kv: kv[1].get("rss_kib", 0))
        return name, t["rss_kib"] * 1024 / 1e6

    def sum_time_rss(self):
        return sum(t.get("rss_kib", 0) for n, t in self.times.items() if n != "sync") * 1024 / 1e6

    def groups(self):
        """Sampled CPU seconds and peak RSS (MB) per kind of process."""
        g = {}
        for p in self.sample["processes"]:
            label = p["label"]
            if label.startswith("postgres backend"):
                label = "postgres backends"
            elif label in ("time", "bash", "sync", "python3"):
                continue
            cpu, rss = g.get(label, (0.0, 0.0))
            g[label] = (cpu + p["cpu_s"], max(rss, p["hwm_kib"] * 1024 / 1e6))
        return g

    def lifeboat_own(self):
        procs = [p for p in self.sample["processes"] if p["comm"] == "lifeboat"]
        if not procs:
            return None
        p = max(procs, key=lambda q: q["hwm_kib"])
        return p["hwm_kib"] * 1024 / 1e6, p["cpu_s"], p["threads"]


def load(index_path):
    runs, keep = [], set()
    with open(index_path) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "keep":
                keep.add(fields[1])
            else:
                runs.append(Run(fields))
    for r in runs:
        r.kept = r.dir in keep
    return runs


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    facts = {}
    with open(sys.argv[1]) as f:
        for line in f:
            k, *v = line.rstrip("\n").split("\t")
            facts[k] = v
    runs = load(sys.argv[2])
    kept = [r for r in runs if r.kept]

    def sel(phase, contender, label):
        return sorted((r for r in kept if (r.phase, r.contender, r.label) == (phase, contender, label)), key=lambda r: r.run)

    db = {"1x": (facts["db1"][0], int(facts["db1"][1]), int(facts["db1"][2]))}
    if "db2" in facts:
        db["2x"] = (facts["db2"][0], int(facts["db2"][1]), int(facts["db2"][2]))

    # The dump size: pg_dump -Fc -Z0's output (the plaintext every contender compresses), else
    # the plaintext size lifeboat recorded in its manifest.
    dump = {}
    for label in db:
        z0 = sel("backup", "pgdump_z0", label)
        lb = [r.summary["sizeBytes"] for r in sel("backup", "lifeboat_local", label) if r.summary]
        dump[label] = z0[0].out_bytes if z0 else (lb[0] if lb else 0)

    p = print
    date = facts["date"][0]
    p(f"# PostgreSQL logical backup and restore: Lifeboat against the baseline tools ({date[:10]})")
    p()
    p(f"Run {date} by `{facts['invocation'][0]}` (total {int(facts['total_s'][0]) // 60} min "
      f"{int(facts['total_s'][0]) % 60} s). Reproduce on a machine with the devstack running "
      "(`scripts/devstack.sh start`):")
    p()
    p("```bash")
    p(facts["invocation"][0] + "    # add --keep to keep the per-run logs in bench/work/")
    p("```")
    p()
    p("## Machine")
    p()
    p("| | |")
    p("|---|---|")
    for key, title in [("nproc", "cores (nproc)"), ("memory", "memory"), ("cpu", "CPU (/proc/cpuinfo)"),
                       ("disk", "disk"), ("kernel", "kernel"), ("server", "server"), ("pg_dump", "pg_dump / pg_restore"),
                       ("zstd", "zstd"), ("gzip", "gzip"), ("restic", "restic"), ("rclone", "rclone"), ("lifeboat", "lifeboat")]:
        if key in facts:
            p(f"| {title} | {facts[key][0]} |")
    for label, (name, size_mb, size) in db.items():
        p(f"| database {label} | `{name}`: sample load of {size_mb} MB, pg_database_size {fmt(mb(size), 0)} MB; "
          f"`pg_dump -Fc -Z0` archive {fmt(mb(dump[label]), 0) if dump[label] else '(not measured in this run)'} MB |")
    p(f"| load average | before {facts['load_before'][0]}, after {facts['load_after'][0]} (1, 5, 15 min) |")
    p()

    # ---- verdicts -----------------------------------------------------------------------------
    def med_wall(phase, contender, label):
        return median([r.wall for r in sel(phase, contender, label)])

    verdicts = []
    b = med_wall("backup", "zstd", "1x")
    for c in ("lifeboat_local", "lifeboat_s3"):
        if sel("backup", c, "1x") and sel("backup", "zstd", "1x"):
            d = med_wall("backup", c, "1x")
            verdicts.append((f"backup ({'local' if c.endswith('local') else 'S3'}) ≤ {BACKUP_VS_LIMIT}× the limit pipeline (b)",
                             f"{fmt(d)} s vs {fmt(b)} s = {d / b:.2f}×", d <= BACKUP_VS_LIMIT * b))
    if sel("backup", "lifeboat_s3", "1x") and sel("backup", "zstd_s3", "1x"):
        f = med_wall("backup", "zstd_s3", "1x")
        d = med_wall("backup", "lifeboat_s3", "1x")
        verdicts.append((f"backup (S3) ≤ {BACKUP_VS_LIMIT}× the S3 limit pipeline (f), same server", f"{fmt(d)} s vs {fmt(f)} s = {d / f:.2f}×",
                         d <= BACKUP_VS_LIMIT * f))
    rc = med_wall("backup", "restic", "1x")
    for c in ("lifeboat_local", "lifeboat_s3"):
        if sel("backup", c, "1x") and sel("backup", "restic", "1x"):
            d = med_wall("backup", c, "1x")
            verdicts.append((f"backup ({'local' if c.endswith('local') else 'S3'}) faster than restic (c)",
                             f"{fmt(d)} s vs {fmt(rc)} s = {d / rc:.2f}×", d < rc))
    if sel("restore", "pg_restore_z0", "1x") and sel("restore", "lifeboat_j2", "1x"):
        pr = med_wall("restore", "pg_restore_z0", "1x")
        lr = med_wall("restore", "lifeboat_j2", "1x")
        verdicts.append((f"restore `--jobs 2` ≤ {RESTORE_VS_PG_RESTORE}× `pg_restore -j2`",
                         f"{fmt(lr)} s vs {fmt(pr)} s = {lr / pr:.2f}×", lr <= RESTORE_VS_PG_RESTORE * pr))
    for label in db:
        own = [(r.lifeboat_own()[0], r) for r in kept if r.label == label and r.lifeboat_own()]
        if not own:
            continue
        worst, r = max(own, key=lambda x: x[0])
        verdicts.append((f"lifeboat peak RSS ≤ {fmt(RSS_LIMIT_MB, 0)} MB at {label} ({fmt(mb(db[label][2]), 0)} MB database)",
                         f"largest {fmt(worst)} MB ({r.phase} {r.contender}), over {len(own)} lifeboat runs", worst <= RSS_LIMIT_MB))
    p("## Targets")
    p()
    p("| target | measured (medians) | verdict |")
    p("|---|---|---|")
    for what, measured, ok in verdicts:
        p(f"| {what} | {measured} | {'**met**' if ok else '**missed**'} |")
    p()

    # ---- main tables -----------------------------------------------------------------------------
    def table(phase, label):
        rows = [c for (ph, c) in ORDER if ph == phase and sel(phase, c, label)]
        if not rows:
            return
        name, size_mb, size = db[label]
        p(f"### {phase.capitalize()}, {label}: `{name}` ({fmt(mb(size), 0)} MB database, {fmt(mb(dump[label]), 0)} MB dump)")
        p()
        if phase == "backup":
            p("| contender | wall s, median (runs) | DB MB/s | dump MB/s | output MB | ratio | peak RSS MB, largest process (time -v) | lifeboat's own peak RSS MB | CPU s, all processes | foreign load, cores |")
            p("|---|---|---|---|---|---|---|---|---|---|")
        else:
            p("| contender | wall s, median (runs) | DB MB/s | dump MB/s | peak RSS MB, largest process (time -v) | lifeboat's own peak RSS MB | CPU s, all processes | foreign load, cores |")
            p("|---|---|---|---|---|---|---|---|")
        for c in rows:
            rs = sel(phase, c, label)
            w = median([r.wall for r in rs])
            walls = ", ".join(fmt(r.wall) for r in rs)
            peaks = [r.peak_time() for r in rs]
            pk = max(peaks, key=lambda x: x[1])
            own = [r.lifeboat_own()[0] for r in rs if r.lifeboat_own()]
            own_s = fmt(max(own)) if own else "—"
            cpu = median([sum(v[0] for v in r.groups().values()) for r in rs])
            foreign = ", ".join(fmt(r.foreign, 2) for r in rs)
            cells = [NAMES[(phase, c)], f"**{fmt(w)}** ({walls})", fmt(mb(size) / w, 0),
                     fmt(mb(dump[label]) / w, 0) if dump[label] else "—"]
            if phase == "backup":
                out = median([r.out_bytes for r in rs])
                cells += [fmt(mb(out), 0), f"{dump[label] / out:.2f}" if out and dump[label] else "—"]
            cells += [f"{fmt(pk[1])} ({pk[0]})", own_s, fmt(cpu), foreign]
            p("| " + " | ".join(cells) + " |")
        p()

    p("## Results")
    p()
    p("Wall time is the median of the runs (each run's value in parentheses). MB = 10^6 bytes. "
      "DB MB/s = pg_database_size / wall; dump MB/s = size of the `pg_dump -Fc -Z0` archive / wall; "
      "ratio = that archive's size / output size. Peak RSS (time -v) is GNU time's \"Maximum resident "
      "set size\" of the largest process of the pipeline (each process wrapped on its own; pg_restore "
      "and lifeboat include the children they reap, so lifeboat's figure is max(lifeboat, pg_dump or "
      "pg_restore)). Lifeboat's own peak RSS is the VmHWM of the lifeboat process alone, sampled from "
      "/proc every 0.25 s. CPU s is user + system seconds of every process of the run, including "
      "the PostgreSQL backends serving it (sampled). Foreign load is the CPU other people's processes "
      "used on the machine during the run, in cores (2 = the whole machine).")
    p()
    for label in db:
        table("backup", label)
        table("restore", label)

    # ---- CPU split -----------------------------------------------------------------------------
    p("## Where the CPU goes (sampled, kept runs, median per process kind)")
    p()
    p("CPU seconds per process kind (summed over processes of that kind) and its largest peak RSS "
      "(MB; a PostgreSQL backend's RSS counts the shared buffers it touched, so it is not its own memory); "
      "for lifeboat also every thread that used at least 0.2 s. `.NET TP Worker` threads are .NET's "
      "thread pool, where lifeboat's copy loop, SHA-256, AES-GCM and file or network writes run; a "
      "thread created by another inherits its name, so zstd's worker threads show under their creator's name.")
    p()
    p("| run | wall s | CPU s per process (peak RSS MB) | lifeboat's threads ≥ 0.2 s, CPU s each (run closest to the median) |")
    p("|---|---|---|---|")
    for label in db:
        for (phase, c) in ORDER:
            rs = sel(phase, c, label)
            if not rs:
                continue
            kinds = {}
            for r in rs:
                for k, (cpu, rss) in r.groups().items():
                    kinds.setdefault(k, []).append((cpu, rss))
            parts = [f"{k} {fmt(median([x[0] for x in v]))} ({fmt(max(x[1] for x in v), 0)})"
                     for k, v in sorted(kinds.items(), key=lambda kv: -median([x[0] for x in kv[1]]))
                     if median([x[0] for x in v]) >= 0.05 or k == "lifeboat"]
            # Threads of one run (the one closest to the median wall time): thread identities do
            # not carry across runs, and one saturated thread is the point to see.
            mid = min(rs, key=lambda r: abs(r.wall - median([q.wall for q in rs])))
            own = mid.lifeboat_own()
            tparts = ", ".join(f"{t} {fmt(c)}" for t, c in own[2] if c >= 0.2) if own else "—"
            p(f"| {phase} {c} {label} | {fmt(median([r.wall for r in rs]))} | {'; '.join(parts)} | {tparts} |")
    p()

    # ---- stage profile ---------------------------------------------------------------------------
    if len(sys.argv) > 3 and os.path.exists(sys.argv[3]) and os.path.getsize(sys.argv[3]) > 0:
        p("## Stage profile: lifeboat's backup data path, one stage at a time")
        p()
        p("`bench/stages` (lifeboat's own `EnvelopeWriter`, and the same libraries it uses: ZstdSharp, "
          "`AesGcm`, `IncrementalHash`) and the native tools, on the 1x run's `pg_dump -Fc -Z0` archive "
          "read from the page cache, output discarded; no pg_dump, no PostgreSQL, no disk writes. CPU s is "
          "user + system of the whole process; CPU s/GB normalises by the input. Run once, after the "
          "timed runs, on a machine quiet by the same rule.")
        p()
        p("| stage | what it does | wall s | CPU s | MB/s in | CPU s per GB in | output MB |")
        p("|---|---|---|---|---|---|---|")
        what = {
            "lifeboat read": "FileStream reads, 1 MiB buffer",
            "lifeboat child-read": "`cat FILE` as a child process, its stdout copied with CopyToAsync (1 MiB), as lifeboat reads pg_dump",
            "lifeboat sha256": "SHA-256 of the plaintext (`IncrementalHash`, as EnvelopeWriter)",
            "lifeboat zstd-w2": "ZstdSharp (managed port of zstd) level 3, 2 workers, as ZstdCompressingStream",
            "lifeboat zstd-w0": "the same on the calling thread (no workers)",
            "lifeboat aesgcm": "AES-256-GCM in place, 1 MiB chunks, over as many bytes as zstd-w2 produced",
            "lifeboat envelope": "`EnvelopeWriter` (level 3, 1 MiB chunks, 2 workers): SHA-256 + zstd + AES-GCM, lifeboat's work per byte",
            "lifeboat envelope-w0": "the same, zstd on the calling thread",
            "lifeboat envelope-z0": "`EnvelopeWriter` with compression off: SHA-256 + AES-GCM of the plaintext",
            "lifeboat child-envelope": "child-read into the envelope: lifeboat's backup minus pg_dump, PostgreSQL and the file",
            "lifeboat child-read-sync": "the same pipe read with blocking reads (CopyTo), as a dedicated reader thread would",
            "lifeboat child-envelope-sync": "child-read-sync into the envelope",
            "native cat": "`cat FILE \\| wc -c`",
            "native sha256sum": "`sha256sum FILE` (coreutils)",
            "native zstd -3 -T2": "`zstd -3 -T2` (libzstd 1.5.4, C)",
            "native zstd -3 -T1": "`zstd -3 -T1`",
        }
        with open(sys.argv[3]) as f:
            for line in f:
                stage, bytes_in, bytes_out, wall, cpu = line.rstrip("\n").split("\t")
                bi, wall, cpu = int(bytes_in), float(wall), float(cpu)
                bo = int(bytes_out or 0)
                p(f"| {stage} | {what.get(stage, '')} | {fmt(wall, 2)} | {fmt(cpu, 2)} | {fmt(mb(bi) / wall, 0)} | "
                  f"{fmt(cpu / (bi / 1e9), 2)} | {fmt(mb(bo), 0) if bo > 100 else '—'} |")
        p()

    noisy = [r for r in runs if not r.kept]
    p("## Method")
    p()
    p(f"- Each contender ran {facts['runs'][0]} times; contenders take turns (round robin), and the order is "
      "reversed on every other round, so none always runs right after the same neighbour.")
    p("- Page cache: the database is dumped once to /dev/null, untimed, before the first timed run, so every "
      "backup reads it from memory (shared_buffers + page cache); the machine has far more RAM than the data. "
      "Before every run, `sync` (untimed) writes back what the previous run left dirty; before every restore, "
      "a `CHECKPOINT` (untimed).")
    p("- Backups end durable: the pipelines' timing includes `sync FILE` (fsync) of their output, as lifeboat "
      "fsyncs its object and restic's local backend its files. Every repository is fresh (initialised untimed), "
      "so restic's deduplication gets no help from an earlier run.")
    p("- Restores go into a database that does not exist yet; pg_restore's timing includes `createdb`, as "
      "lifeboat's includes creating its staging database and PostGIS, verifying every table's row count "
      "against the manifest and the rename. Every restored database is dropped after its run (untimed).")
    p("- The `-Fc -Z0` file pg_restore reads is the reference row's output; the `-Fc` (zlib) file is the "
      "plan's output, gunzipped untimed. Lifeboat restores from the run-1 repository of (d).")
    p(f"- Shared machine: before each run the script waits (up to {facts['quiet_wait_s'][0]} s) until other processes use "
      f"≤ {facts['noisy_cores'][0]} cores; a run during which they used more is repeated once and the quieter "
      f"attempt kept. {len(noisy)} attempt(s) were discarded that way"
      + (": " + ", ".join(f"{r.phase} {r.contender} {r.label} run {r.run} ({fmt(r.foreign, 2)} cores)" for r in noisy) if noisy else "")
      + ".")
    p("- Peak RSS: `/usr/bin/time -v` wraps every process of a pipeline separately; the table shows the largest. "
      "Summing a pipeline's processes' peaks (they run concurrently) would give at most: "
      + ("; ".join(f"{c} {fmt(max(r.sum_time_rss() for r in sel('backup', c, '1x')), 0)} MB"
                   for (ph, c) in ORDER if ph == "backup" and sel("backup", c, "1x")) or "(no backups in this run)") + ".")




if __name__ == "__main__":
    main()
