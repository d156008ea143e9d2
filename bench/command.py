"""The whole ``dualcarbon run`` command as a user runs it: wall time, peak RSS of its process tree,
and the size of every file it writes.

    python bench/command.py ledger-10m [--repeat 1] [--json] [-- --emissions parquet ...]

The command runs as a subprocess (the ``dualcarbon`` beside the Python running this, else the one
on PATH, else ``dualcarbon.cli.app`` run by this Python) writing to a temporary folder that is
removed afterwards (its stderr too, shown if it fails). ``bench/speed.py`` runs it as its
``command`` line, beside the engine path, the pandas baseline and the floors. Its memory is sampled every 20 ms from /proc: the peak of the summed resident sets of the process and all its
descendants (Dask workers, Chromium for ``--pdf``), and, as a check, the kernel's high-water mark
of the largest single process (``ru_maxrss`` from ``wait4``), and the CPU seconds (user + system)
of the process tree, a steadier figure than wall time on a shared machine. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_rss_bytes(pid: int) -> int:
    """Summed resident set of ``pid`` and its descendants, from /proc/*/statm."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
        todo.extend(tree.get(p, []))
    return total


def dualcarbon() -> list[str]:
    """How to start the ``dualcarbon`` command: the one beside the Python running this, else the one on
    PATH, else ``dualcarbon.cli.app`` run by this Python."""
    beside = Path(sys.executable).with_name("dualcarbon")
    exe = str(beside) if beside.exists() else shutil.which("dualcarbon")
    return [exe] if exe else [sys.executable, "-c", "from dualcarbon.cli import app; app()"]


def command(
    project: Path, extra: list[str] | None = None, keep: Path | None = None, base: list[str] | None = None
) -> dict:
    """Run ``dualcarbon run project`` once; figures of the run and of what it wrote.

    ``base``: the command line that starts dualcarbon (``dualcarbon()`` if not given)."""
    tmp = Path(tempfile.mkdtemp(prefix="dualcarbon-bench-"))
    out = keep or tmp / "out"
    try:
        args = [*(base or dualcarbon()), "run", str(project), "--out", str(out), *(extra or [])]
        t0 = time.perf_counter()
        # stderr to a file, not a pipe: nobody reads a pipe until the command ends, and a command
        # that warns more than a pipe holds (64 KiB) would wait for ever to write the rest.
        with open(tmp / "stderr.txt", "w+b") as err:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
            figures = _wait(proc, t0)
            err.seek(0)
            stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            raise RuntimeError(f"dualcarbon run exited {proc.returncode}: {stderr[-2000:]}")
        files = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()}
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        return {
            "rows": summary["activity_rows"],
            "emission_rows": summary["emission_rows"],
            **figures,
            "files_bytes": files,
            "total_location": summary["totals"]["total_location"],
            "total_market": summary["totals"]["total_market"],
            "args": extra or [],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _wait(proc: subprocess.Popen, t0: float) -> dict:
    """Wait for ``proc``, sampling its tree's resident set; wall and CPU seconds and peaks."""
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": seconds,
        # the process's and its waited-for descendants' CPU (the kernel adds those to the parent's)
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_gib": peak / 2**30,
        "max_single_rss_gib": usage.ru_maxrss * 1024 / 2**30,
    }


def measure(project: Path, repeat: int = 1, extra: list[str] | None = None) -> dict:
    """Median wall time and the largest peak of ``repeat`` runs."""
    runs = [command(project, extra) for _ in range(repeat)]
    result = dict(runs[0])
    result["seconds"] = statistics.median(r["seconds"] for r in runs)
    result["cpu_seconds"] = statistics.median(r["cpu_seconds"] for r in runs)
    result["peak_rss_gib"] = max(r["peak_rss_gib"] for r in runs)
    result["max_single_rss_gib"] = max(r["max_single_rss_gib"] for r in runs)
    result["repeat"] = repeat
    return result


def describe(r: dict) -> str:
    files = ", ".join(f"{name} {size / 1e6:,.1f} MB" for name, size in r["files_bytes"].items())
    return (
        f"{' '.join(['dualcarbon run', *r['args']])}: {r['rows']:,} rows, {r['seconds']:.1f} s "
        f"({r['cpu_seconds']:.1f} s CPU), "
        f"peak RSS {r['peak_rss_gib']:.2f} GiB (process tree), {files}"
    )


def main() -> None:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description="time the whole dualcarbon run command")
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.project, args.repeat, extra)
    print(json.dumps(result, indent=2) if args.json else describe(result))


if __name__ == "__main__":
    main()
