#!/usr/bin/env python3
"""buckets-report.py — the Markdown report of bench/buckets.sh.

    buckets-report.py FACTS.tsv RESULTS.jsonl > REPORT.md

FACTS.tsv: KEY<TAB>VALUE... lines (machine, versions, datasets, options, phase times). RESULTS.jsonl: one JSON
object per timed run: {row, run, wall_s, bytes, sample, stdout, stderr} (row: lifeboat|rclone for the full
backup, nochange_first|nochange, rss_first|rss_nochange; sample: procsample.py's JSON; stdout: lifeboat's
--json summary; stderr: its event lines, which say what it read and uploaded).
"""

import json
import re
import statistics
import sys

from report_header import fmt, print_header

FULL_VS_RCLONE = 1.0
NOCHANGE_LIMIT_S = 10.0
NOCHANGE_AT_KEYS = 100_000
RSS_LIMIT_MB = 300
RSS_AT_KEYS = 1_000_000
SERVER = ("radosgw", "ceph-osd")

COMMITTED = re.compile(r"committed, (\d+) objects \((\d+) bytes\), (\d+) read, (\d+) new bytes stored, (\d+) of (\d+) index segments uploaded")


def count(n):
    return f"{n:,}".replace(",", " ")


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
        self.stderr = open(rec["stderr"], errors="replace").read()
        m = COMMITTED.search(self.stderr)
        self.committed = tuple(int(g) for g in m.groups()) if m else None

    def started(self, comm):
        return [p for p in self.procs if p["comm"] == comm and not p.get("preexisting")]

    def peak_mib(self, comm):
        rss = [p["hwm_kib"] / 1024 for p in self.started(comm)]
        return max(rss) if rss else 0.0

    def cpu(self, comm):
        return sum(p["cpu_s"] for p in self.started(comm))

    def server_cpu(self):
        return sum(p["cpu_s"] for p in self.procs if p["comm"] in SERVER)

    def threads(self, comm):
        for p in self.started(comm):
            if p["threads"]:
                return p["threads"]
        return []

    @property
    def reads(self):
        return self.committed[2] if self.committed else None

    @property
    def segments(self):
        return f"{self.committed[4]} of {self.committed[5]}" if self.committed else "?"


def main():
    facts, datasets, phases = {}, {}, {}
    with open(sys.argv[1]) as f:
        for line in f:
            key, *values = line.rstrip("\n").split("\t")
            if key == "dataset":
                datasets[values[0]] = json.loads(values[1])
            elif key == "phase_s":
                phases[values[0]] = int(values[1])
            else:
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
    total = int(facts["total_s"][0])
    transfers = facts["transfers"][0]
    mixed_bucket, nochange_bucket, rss_bucket = facts["buckets"]
    print_header(facts, f"Bucket snapshots: Lifeboat against `rclone copy` S3→S3 ({date[:10]}{', quick smoke run' if quick else ''})",
                 f"total {total // 60} min {total % 60} s" + "".join(f"; {name} phase {s // 60} min {s % 60} s" for name, s in phases.items()),
                 (("server", "S3 server"), ("rclone", "rclone"), ("lifeboat", "lifeboat")))

    p("## Datasets (kept in the radosgw between runs)")
    p()
    p("| phase | bucket | objects | bytes | what |")
    p("|---|---|---|---|---|")
    what = {
        "full": (mixed_bucket, "random (incompressible) bytes: `assets/` of 2 KB–8 MB (40 % 2–256 KiB, 30 % 256 KiB–4 MiB, "
                 "30 % 2–8 MiB) and `thumbs/` of 512 B–16 KiB; a Content-Type on each, user metadata on every 10th, tags on every 100th"),
        "nochange": (nochange_bucket, "`keys/k0000000`… of 64 random bytes each, the first one tagged"),
        "rss": (rss_bucket, "`keys/k0000000`… empty, the first one tagged"),
    }
    for phase, d in datasets.items():
        bucket, text = what[phase]
        p(f"| {phase} | `{bucket}` | {count(d['objects'])} | {fmt(d['bytes'] / 2**30, 2)} GiB | {text} |")
    p()

    full_bytes = datasets.get("full", {}).get("bytes", 0)
    full_objects = datasets.get("full", {}).get("objects", 0)
    if sel("lifeboat") or sel("rclone"):
        p("## Full backup")
        p()
        p(f"Median of the runs (each run in parentheses; spread = slowest / fastest); MiB/s and objects/s of the dataset; "
          f"peak RSS of the tool's own process (VmHWM, sampled every 0.25 s); CPU seconds of the tool and of the S3 server "
          f"(radosgw + ceph-osd); foreign load: the cores other people's processes used meanwhile. Both with {transfers} "
          f"objects in flight.")
        p()
        p("| contender | what runs | wall s (each run) | spread | MiB/s | objects/s | output | peak RSS MiB | CPU s | server CPU s | foreign load (cores) |")
        p("|---|---|---|---|---|---|---|---|---|---|---|")
        rows = {
            "lifeboat": ("`lifeboat backup buckets`", "lifeboat",
                         "listing, GET of every object (+ GetObjectTagging until the tag-count header is proven), SHA-256, "
                         "zstd probe, AES-256-GCM; small objects packed into ≤ 8 MiB packs, large ones packs of one; "
                         "a fresh local repository (key file), index and manifest"),
            "rclone": ("`rclone copy src: dst:`", "rclone",
                       f"listings of both, then GET + PUT (+ HEAD) of every object into a new bucket on the same server; "
                       f"`--transfers {transfers} --disable Copy`, two remotes: no server-side copy"),
        }
        for row, (name, comm, text) in rows.items():
            rs = sel(row)
            if not rs:
                continue
            wall = med(row)
            walls = [r.wall for r in rs]
            p(f"| {name} | {text} | **{fmt(wall, 2)}** ({', '.join(fmt(w, 2) for w in walls)}) | {max(walls) / min(walls):.2f} | "
              f"{fmt(full_bytes / 2**20 / wall)} | {fmt(full_objects / wall, 0)} | {fmt(statistics.median(r.bytes for r in rs) / 2**30, 2)} GiB | "
              f"{fmt(max(r.peak_mib(comm) for r in rs))} | {fmt(statistics.median(r.cpu(comm) for r in rs), 1)} | "
              f"{fmt(statistics.median(r.server_cpu() for r in rs), 1)} | {', '.join(fmt(r.foreign, 2) for r in rs)} |")
        p()

    if sel("nochange") or sel("nochange_first"):
        p("## No-change rerun")
        p()
        p("The first backup of the bucket (once), then reruns with nothing changed at the source, into the same repository.")
        p()
        p("| row | wall s (each run) | objects | read | index segments uploaded | peak RSS MiB | CPU s | server CPU s | foreign load (cores) |")
        p("|---|---|---|---|---|---|---|---|---|")
        for row, name in (("nochange_first", "first backup"), ("nochange", "no-change rerun")):
            rs = sel(row)
            if not rs:
                continue
            p(f"| {name} | **{fmt(med(row), 2)}** ({', '.join(fmt(r.wall, 2) for r in rs)}) | "
              f"{count(rs[0].committed[0]) if rs[0].committed else '?'} | {', '.join(count(r.reads) if r.reads is not None else '?' for r in rs)} | "
              f"{', '.join(r.segments for r in rs)} | {fmt(max(r.peak_mib('lifeboat') for r in rs))} | "
              f"{fmt(statistics.median(r.cpu('lifeboat') for r in rs), 1)} | {fmt(statistics.median(r.server_cpu() for r in rs), 1)} | "
              f"{', '.join(fmt(r.foreign, 2) for r in rs)} |")
        p()

    if sel("rss_first") or sel("rss_nochange"):
        p("## Memory at many keys")
        p()
        p("| row | wall s | objects | read | peak RSS MiB | CPU s | server CPU s | foreign load (cores) |")
        p("|---|---|---|---|---|---|---|---|")
        for row, name in (("rss_first", "first backup"), ("rss_nochange", "no-change rerun")):
            for r in sel(row):
                p(f"| {name} | {fmt(r.wall, 1)} | {count(r.committed[0]) if r.committed else '?'} | "
                  f"{count(r.reads) if r.reads is not None else '?'} | **{fmt(r.peak_mib('lifeboat'))}** | {fmt(r.cpu('lifeboat'), 1)} | "
                  f"{fmt(r.server_cpu(), 1)} | {fmt(r.foreign, 2)} |")
        p()

    p("## Targets (issue 10)")
    p()
    p("| target | measured | verdict |")
    p("|---|---|---|")
    lb, rc = med("lifeboat"), med("rclone")
    if lb and rc:
        ratio = lb / rc
        verdict = "met" if ratio <= FULL_VS_RCLONE else "missed"
        if quick:
            verdict = f"not judged (quick: {count(full_objects)} objects)"
        p(f"| full backup ≤ {FULL_VS_RCLONE}× `rclone copy`'s wall time | {fmt(lb, 2)} s / {fmt(rc, 2)} s = **{ratio:.2f}×** | {verdict} |")
    nc = sel("nochange")
    if nc:
        keys = datasets.get("nochange", {}).get("objects", 0)
        worst = max(r.wall for r in nc)
        verdict = "met" if med("nochange") <= NOCHANGE_LIMIT_S else "missed"
        if keys < NOCHANGE_AT_KEYS:
            verdict = f"not judged ({count(keys)} keys, the target is at {count(NOCHANGE_AT_KEYS)})"
        p(f"| no-change rerun of {count(NOCHANGE_AT_KEYS)} objects ≤ {fmt(NOCHANGE_LIMIT_S, 0)} s | median **{fmt(med('nochange'), 2)} s** "
          f"(slowest {fmt(worst, 2)} s) at {count(keys)} objects | {verdict} |")
    rss_runs = sel("rss_first") + sel("rss_nochange")
    if rss_runs:
        keys = datasets.get("rss", {}).get("objects", 0)
        peak = max(r.peak_mib("lifeboat") for r in rss_runs)
        verdict = "met" if peak * 1.048576 <= RSS_LIMIT_MB else "missed"
        if keys < RSS_AT_KEYS:
            verdict = f"not judged ({count(keys)} keys, the target is at {count(RSS_AT_KEYS)})"
        p(f"| peak RSS ≤ {RSS_LIMIT_MB} MB backing up {count(RSS_AT_KEYS)} keys | **{fmt(peak)} MiB** ({fmt(peak * 1.048576)} MB) "
          f"at {count(keys)} keys | {verdict} |")
    p()

    if sel("lifeboat"):
        p("## Where the time goes")
        p()
        for row, comm in (("lifeboat", "lifeboat"), ("rclone", "rclone")):
            for r in sel(row):
                threads = ", ".join(f"{name} {fmt(cpu, 1)}" for name, cpu in r.threads(comm)[:5])
                busy = r.sample["busy_s"] / r.wall if r.wall else 0
                p(f"- {row} run {r.run}: {fmt(r.wall, 2)} s wall; {fmt(r.cpu(comm), 1)} CPU s of its own, {fmt(r.server_cpu(), 1)} of the "
                  f"S3 server's; the machine was busy {fmt(busy, 2)} of {facts['nproc'][0]} cores on average"
                  + (f"; busiest threads (CPU s): {threads}" if threads else ""))
        p()

    p("## Method")
    p()
    p("- One S3 server: the devstack's Ceph radosgw (one OSD on a sparse file, bluestore), shared by the source buckets, "
      "rclone's targets and — as load — anything else that talks to it. Both contenders read the same unversioned "
      "source bucket. Its CPU (radosgw and ceph-osd) is counted in each run's server column; requests other people's tests "
      "sent to it meanwhile land there too, not in the foreign load.")
    p("- Lifeboat writes into a fresh local directory repository (encrypted, key file; `lifeboat init` untimed), fsyncing "
      "every pack, index object and the manifest. rclone writes into a new bucket of the same radosgw, through two remotes "
      "and `--disable Copy`, so every byte is read and written by rclone; its default checks (a HEAD after each upload) "
      "stay on. Each contender's result is checked after its run: the snapshot's object count and bytes, and a listing of "
      "rclone's copy, against the dataset.")
    p("- The contenders take turns and the order reverses every round. rclone's targets are deleted after their round "
      "(untimed); before each timed run the script waits (up to "
      f"{facts.get('quiet_wait_s', ['?'])[0]} s) for other people's processes to use ≤ {facts.get('noisy_cores', ['?'])[0]} "
      "cores — which also lets radosgw's garbage collection of the deleted copies finish — and records what they used either way.")
    p("- The no-change rows rerun `lifeboat backup buckets` into the repository of the first backup; the memory rows back "
      "up the bucket of empty keys into a fresh repository, then rerun it. Peak RSS is VmHWM of the lifeboat process.")


if __name__ == "__main__":
    main()
