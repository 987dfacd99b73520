"""The opening of a results file, alike for every benchmark: title, when and how it ran, the note, and the
machine with the versions of what was compared. Imported by the *-report.py scripts beside it."""

MACHINE_ROWS = (("cpu", "CPU"), ("nproc", "cores"), ("memory", "memory"), ("disk", "disk"), ("kernel", "kernel"))
LOAD_ROWS = (("load_before", "load average before"), ("load_after", "load average after"))


def fmt(x, digits=1):
    return f"{x:,.{digits}f}".replace(",", " ")


def print_header(facts, title, durations, versions):
    """Prints the header. durations: the text inside "(total …)"; versions: (fact key, label) rows of the tools."""
    p = print
    p(f"# {title}")
    p()
    p(f"Run {facts['date'][0]} ({durations}) by:")
    p()
    p("```bash")
    p(facts["invocation"][0])
    p("```")
    p()
    if facts.get("note", [""])[0]:
        p(f"**Note:** {facts['note'][0]}")
        p()
    p("## Machine and versions")
    p()
    p("| | |")
    p("|---|---|")
    for key, label in MACHINE_ROWS + tuple(versions) + LOAD_ROWS:
        if key in facts:
            p(f"| {label} | {facts[key][0]} |")
    p()
