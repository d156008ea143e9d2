"""End-to-end speed of ``dualcarbon run`` and of its engine against a pandas baseline and DuckDB floors.

    python bench/ledger.py ledger --rows 1_000_000      # once per size
    python bench/speed.py ledger [--repeat 3] [--json] [--skip-pandas] [--skip-engine] [--skip-startup]
    python bench/speed.py ledger -- --emissions csv    # options after -- go to dualcarbon run
    python bench/speed.py ledger --keep outputs        # each line's outputs of the last round kept

Five lines on the same Parquet ledger, each run in a fresh process (so peak RSS is its own), median
of ``--repeat`` rounds, the lines taking turns within a round (a slow phase of a shared machine
falls on all of them alike):

* ``command``: the whole ``dualcarbon run`` as a user runs it, a subprocess writing every output
  (emissions.parquet, summary.json, inventory.csv, report.html) to a temporary folder
  (``bench/command.py``: start-up included, peak RSS of the process tree). Its location-based
  total is read from the summary.json it wrote.
* ``dualcarbon``: the engine path alone, in process: read Parquet → validate → ``engine.compute`` →
  facility shares → ``inventory.summarize`` (no report, no files written).
* ``pandas``: a straightforward pandas implementation of the row-level work (factor join per
  (activity, unit, region, year, gas) with the region fallback already resolved, GWP, Tier 2 NCV
  override) that writes what the floor writes: every activity row × gas to one zstd Parquet file,
  and the sums by facility and scope and by month to two CSV files.
* ``floor``: the same work in DuckDB: one ``COPY`` of every activity row × gas (the
  location-based rows of emissions.parquet, ``ROW_COLUMNS``) to one zstd Parquet file, then the sums
  of that file by facility and scope and by month to two CSV files: what any tool must at least do
  to give the user the command's row-level and summed results. The command's target is against it.
* ``query``: the bare query floor: the same joins and sums as one DuckDB query that writes
  nothing (``GROUPING SETS``); the engine path's ``ratio_vs_query`` is against it.

The baseline and the floors share a factor table that dualcarbon's own resolution builds once,
untimed, from the ledger's distinct requests. Each line reports ``rows``, ``seconds``,
``cpu_seconds`` (user + system of the timed interval; the command's process tree),
``rows_per_s``, ``peak_rss_gib``, ``ratio_vs_pandas`` (pandas time / its time), ``ratio_vs_floor``
and ``ratio_vs_query`` (its time / that floor's time) and ``total_agrees``: its location-based total
against the floor's, relative 1e-9 (market-based instruments are outside the baseline's shape).
Outputs go to temporary folders (under ``TMPDIR``) removed after each run, or with ``--keep DIR`` to
DIR/<line> (the last round's).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The row-level columns the floor and the baseline write: emissions.parquet's, for what they compute.
ROW_COLUMNS = [
    "id",
    "facility",
    "date",
    "activity",
    "quantity",
    "unit",
    "region",
    "gas",
    "scope",
    "mass_t",
    "gwp",
    "co2e_t",
]
FACTOR_KEYS = ["activity", "unit", "region", "year", "has_ncv"]
LINES = ["pandas", "floor", "query", "dualcarbon", "command"]  # the order of a round


# -- the factor table shared by the baseline and the floors -------------------------------
def factor_table(project: Path) -> Path:
    """(activity, unit, region, year, has_ncv) → per gas and scope the mass, GWP and CO2e per quantity
    unit, from dualcarbon itself.

    For rows with a measured NCV the factor is per (quantity × NCV), so the baseline multiplies
    quantity × ncv × factor. CO2e has its own factor, not mass × GWP: spend-based factors give the
    CO2e of the publisher's own CO2e factor, which the rounded per-gas factors miss by up to 0.1 %.
    """
    import polars as pl

    from dualcarbon import engine
    from dualcarbon.project.load import load

    out = project / "bench_factors.parquet"
    if out.exists() and "co2e_per_unit" in pl.read_parquet_schema(out):
        return out  # (a table without the column predates it: made again)
    p = load(project)
    acts = p.activities
    acts = acts.with_columns(pl.col("ncv_gj_per_base").is_not_null().alias("has_ncv"))
    # One unit of the row's own quantity; for measured-NCV rows also NCV = 1 (the ledger writes
    # raw coal in t with NCV in GJ/t, so NCV 1 is 1 GJ per base unit).
    reps = (
        acts.group_by(FACTOR_KEYS)
        .agg(pl.all().first())
        .with_columns(  # activities are groups: one per request here
            (pl.col("quantity_base") / pl.col("quantity")).alias("quantity_base"),
            pl.lit(1.0).alias("quantity"),
            pl.when(pl.col("has_ncv")).then(1.0).alias("ncv_gj_per_base"),
        )
    )
    reps = reps.drop("_idx").with_row_index("_idx")
    result = engine.compute(reps, p.library, p.settings, None, p.spend)
    e = result.emissions.filter(pl.col("scope2_method").is_null() | (pl.col("scope2_method") == "location"))
    table = e.join(reps.select("_idx", *FACTOR_KEYS), on="_idx").select(
        *FACTOR_KEYS,
        "gas",
        "scope",
        pl.col("mass_t").alias("mass_per_unit"),
        "gwp",
        pl.col("co2e_t").alias("co2e_per_unit"),
    )
    table.write_parquet(out)
    return out


# -- clocks -----------------------------------------------------------------------------------
def _clock() -> tuple[float, float]:
    """Wall and CPU (user + system, all threads of this process) seconds now."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime


def _since(start: tuple[float, float]) -> dict:
    wall, cpu = _clock()
    return {"seconds": wall - start[0], "cpu_seconds": cpu - start[1]}


# -- the lines run in a child process ----------------------------------------------------------
def run_ours(project: Path, out: Path) -> dict:
    """The engine path: everything ``dualcarbon run`` computes, nothing it writes (``out`` unused)."""
    from dualcarbon.project.job import calculate
    from dualcarbon.project.load import load

    start = _clock()
    p = load(project)
    _, inv = calculate(p)
    timed = _since(start)
    s = inv.summary
    return {
        **timed,
        "rows": s["activity_rows"],
        "total_location": s["totals"]["total_location"],
        "facilities": s["facilities"],  # by_facility lists the largest only (inventory.TOP)
        "months": len(s["by_month"]),
    }


PANDAS_SLICE_ROWS = 2_000_000  # rows converted to Arrow at a time when writing the Parquet file


def run_pandas(project: Path, out: Path) -> dict:
    """The baseline: every row × gas in memory, written to ``out``/emissions.parquet (zstd) a slice at a
    time (with NumPy object strings, converting the whole frame to Arrow at once would hold a second
    copy of it), the sums to CSV."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = _clock()
    files = sorted((project / "activities").glob("*.parquet"))
    read = ["id", "facility", "date", "activity", "quantity", "unit", "region", "ncv"]  # not ncv_unit
    acts = pd.concat([pd.read_parquet(f, columns=read) for f in files], ignore_index=True)
    factors = pd.read_parquet(project / "bench_factors.parquet")
    dates = pd.to_datetime(acts["date"])
    acts["year"] = dates.dt.year.astype("int32")
    acts["month"] = dates.dt.to_period("M")
    acts["has_ncv"] = acts["ncv"].notna()
    rows = acts.merge(factors, on=FACTOR_KEYS, how="inner")
    scale = rows["ncv"].where(rows["has_ncv"], 1.0)
    rows["mass_t"] = rows["quantity"] * scale * rows["mass_per_unit"]
    rows["co2e_t"] = rows["quantity"] * scale * rows["co2e_per_unit"]
    by_facility = rows.groupby(["facility", "scope"])["co2e_t"].sum()
    by_month = rows.groupby("month")["co2e_t"].sum()
    writer = None
    for at in range(0, len(rows), PANDAS_SLICE_ROWS):
        part = pa.Table.from_pandas(rows.iloc[at : at + PANDAS_SLICE_ROWS][ROW_COLUMNS], preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(out / "emissions.parquet", part.schema, compression="zstd")
        writer.write_table(part)
    if writer is not None:
        writer.close()
    by_facility.to_csv(out / "by_facility.csv")
    by_month.to_csv(out / "by_month.csv")
    timed = _since(start)
    return {
        **timed,
        "rows": len(acts),
        "emission_rows": len(rows),
        "total_location": float(by_facility.sum()),
        "facilities": int(by_facility.index.get_level_values(0).nunique()),
        "months": len(by_month),
    }


def _literal(path: Path) -> str:
    """A path as an SQL string literal (COPY … TO takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def _joined(project: Path) -> str:
    """Every activity row × gas of the ledger, location-based: ROW_COLUMNS (the same rows and values as
    emissions.parquet's rows other than market-based ones)."""
    scaled = "a.quantity * CASE WHEN a.ncv IS NULL THEN 1 ELSE a.ncv END"  # × NCV for Tier 2 rows
    return f"""
        SELECT a.id, a.facility, a.date, a.activity, a.quantity, a.unit, a.region, f.gas, f.scope,
               {scaled} * f.mass_per_unit AS mass_t, f.gwp, {scaled} * f.co2e_per_unit AS co2e_t
        FROM read_parquet({_literal(project / "activities" / "*.parquet")}) a
        JOIN read_parquet({_literal(project / "bench_factors.parquet")}) f
          ON a.activity = f.activity AND a.unit = f.unit AND a.region = f.region
         AND year(a.date) = f.year AND (a.ncv IS NOT NULL) = f.has_ncv
    """


def run_floor(project: Path, out: Path) -> dict:
    """The floor: the rows to ``out``/emissions.parquet (zstd), then the sums of that file by facility
    and scope and by month to CSV. The sums read back three columns of the file just written, the
    cheaper of the two ways (joining the ledger again costs what the bare query does)."""
    import duckdb

    rows_file = out / "emissions.parquet"
    start = _clock()
    con = duckdb.connect()
    emission_rows = con.execute(
        f"COPY ({_joined(project)}) TO {_literal(rows_file)} (FORMAT parquet, COMPRESSION zstd)"
    ).fetchone()[0]
    written = f"read_parquet({_literal(rows_file)})"
    con.execute(
        f"COPY (SELECT facility, scope, sum(co2e_t) AS co2e_t FROM {written} GROUP BY ALL ORDER BY ALL)"
        f" TO {_literal(out / 'by_facility.csv')} (FORMAT csv, HEADER)"
    )
    con.execute(
        f"COPY (SELECT strftime(date, '%Y-%m') AS month, sum(co2e_t) AS co2e_t FROM {written} GROUP BY ALL"
        f" ORDER BY ALL) TO {_literal(out / 'by_month.csv')} (FORMAT csv, HEADER)"
    )
    timed = _since(start)
    # Figures of what was written, read back untimed.
    facilities, total = con.execute(
        f"SELECT count(DISTINCT facility), sum(co2e_t) FROM read_csv({_literal(out / 'by_facility.csv')})"
    ).fetchone()
    months = con.execute(f"SELECT count(*) FROM read_csv({_literal(out / 'by_month.csv')})").fetchone()[0]
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet({_literal(project / 'activities' / '*.parquet')})"
    ).fetchone()[0]
    return {
        **timed,
        "rows": rows,
        "emission_rows": emission_rows,
        "total_location": float(total),
        "facilities": facilities,
        "months": months,
    }


def run_query(project: Path, out: Path) -> dict:
    """The bare query floor: the same joins and sums, nothing written (``out`` unused)."""
    import duckdb

    start = _clock()
    con = duckdb.connect()
    sums = con.execute(
        f"""
        SELECT facility, scope, month, sum(co2e_t) AS co2e_t FROM (
          SELECT facility, scope, date_trunc('month', date) AS month, co2e_t FROM ({_joined(project)})
        ) GROUP BY GROUPING SETS ((facility, scope), (month))
        """
    ).fetchall()
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet({_literal(project / 'activities' / '*.parquet')})"
    ).fetchone()[0]
    timed = _since(start)
    return {
        **timed,
        "rows": rows,
        "total_location": float(sum(r[3] for r in sums if r[0] is not None)),
        "facilities": len({r[0] for r in sums if r[0] is not None}),
        "months": sum(1 for r in sums if r[2] is not None),
    }


RUNNERS = {"dualcarbon": run_ours, "pandas": run_pandas, "floor": run_floor, "query": run_query}


def _peak_rss_gib() -> float:
    """This process's peak RSS: VmHWM (reset by exec), not ru_maxrss (which Linux carries over
    from the parent across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _outputs(name: str, keep: Path | None) -> Path:
    """A line's output folder: empty, in ``keep`` (kept) or a temporary one (removed after the run)."""
    if keep is None:
        return Path(tempfile.mkdtemp(prefix=f"dualcarbon-bench-{name}-"))
    out = keep / name
    shutil.rmtree(out, ignore_errors=True)  # the last round's outputs are kept
    out.mkdir(parents=True)
    return out


def _child(name: str, project: str, keep: str = "") -> None:
    out = _outputs(name, Path(keep) if keep else None)
    try:
        result = RUNNERS[name](Path(project), out)
        if any(out.iterdir()):
            result["files_bytes"] = {p.name: p.stat().st_size for p in sorted(out.iterdir())}
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
    result["peak_rss_gib"] = _peak_rss_gib()
    print(json.dumps(result))


def _import_command() -> None:
    """bench/command.py importable as ``command`` (it is when this runs as a script, not when imported)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))


def _run_once(name: str, project: Path, extra: list[str], keep: Path | None = None) -> dict:
    if name == "command":
        _import_command()
        from command import command

        return command(project, extra, keep=_outputs(name, keep) if keep else None)
    child = [sys.executable, __file__, "--child", name, str(project), str(keep or "")]
    out = subprocess.run(child, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(
    names: list[str], project: Path, repeat: int, extra: list[str] | None = None, keep: Path | None = None
) -> dict[str, dict]:
    """Median seconds and CPU seconds of ``repeat`` rounds and the largest peak; each round runs every
    line once, in turn, so a slow phase of a noisy machine falls on all of them alike rather than on
    whichever happened to run then. ``extra``: options of ``dualcarbon run``; ``keep``: a folder that
    keeps each line's outputs of the last round (in ``keep``/<line>)."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            runs[name].append(_run_once(name, project, extra or [], keep))
    results = {}
    for name, rs in runs.items():
        seconds = statistics.median(r["seconds"] for r in rs)
        results[name] = {
            **rs[0],  # a line's own figures (the command's files, emission rows, …) from its first run
            "rows": rs[0]["rows"],
            "seconds": seconds,
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in rs),
            "rows_per_s": rs[0]["rows"] / seconds,
            "peak_rss_gib": max(r["peak_rss_gib"] for r in rs),
            "total_location": rs[0]["total_location"],
        }
        if name == "command":
            results[name]["max_single_rss_gib"] = max(r["max_single_rss_gib"] for r in rs)
            results[name]["repeat"] = repeat
    return results


def compare(results: dict[str, dict]) -> None:
    """Each line's ratios to the baseline and the two floors, and whether its total agrees with the floor's."""
    base, floor, query = results.get("pandas"), results["floor"], results["query"]
    for r in results.values():
        r["ratio_vs_pandas"] = base["seconds"] / r["seconds"] if base else None  # > 1: faster than pandas
        r["ratio_vs_floor"] = r["seconds"] / floor["seconds"]  # its time / the floor's time
        r["ratio_vs_query"] = r["seconds"] / query["seconds"]  # its time / the bare query's time
        r["total_agrees"] = abs(r["total_location"] - floor["total_location"]) <= 1e-9 * abs(floor["total_location"])


def startup(repeat: int = 5) -> dict:
    """Median wall time of ``dualcarbon --help`` and of ``dualcarbon run`` on the smallest example."""
    _import_command()
    from command import dualcarbon

    exe = dualcarbon()

    def timed(args: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([*exe, "init", f"{tmp}/ex", "--example", "us-office"], capture_output=True, check=True)
        return {"help_s": timed([*exe, "--help"]), "run_us_office_s": timed([*exe, "run", f"{tmp}/ex"])}


def table(results: dict[str, dict]) -> str:
    lines = [
        f"{'line':<11}{'rows':>12}{'seconds':>10}{'CPU s':>9}{'rows/s':>13}{'peak GiB':>10}"
        f"{'vs pandas':>11}{'vs floor':>10}{'vs query':>10}  totals"
    ]
    for name in LINES:
        r = results.get(name)
        if r is None:
            continue
        vs_pandas = f"{r['ratio_vs_pandas']:>10.2f}x" if r["ratio_vs_pandas"] else f"{'-':>11}"
        lines.append(
            f"{name:<11}{r['rows']:>12,}{r['seconds']:>10.2f}{r['cpu_seconds']:>9.2f}{r['rows_per_s']:>13,.0f}"
            f"{r['peak_rss_gib']:>10.2f}{vs_pandas}{r['ratio_vs_floor']:>9.2f}x{r['ratio_vs_query']:>9.2f}x"
            f"  {'agree' if r['total_agrees'] else 'DIFFER'}"
        )
    if "command" in results:
        _import_command()
        from command import describe

        lines.append(describe(results["command"]))
    if "startup" in results:
        s = results["startup"]
        lines.append(
            f"startup: dualcarbon --help {s['help_s']:.2f} s, run us-office {s['run_us_office_s']:.2f} s (medians)"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
        return
    argv, extra = sys.argv[1:], []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description="dualcarbon end-to-end benchmark")
    parser.add_argument("project", type=Path, help="a ledger folder written by bench/ledger.py")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--skip-engine",
        "--skip-ours",
        dest="skip_engine",
        action="store_true",
        help="no engine-path line (the command and the floors only, e.g. at 200 M rows)",
    )
    parser.add_argument(
        "--skip-pandas",
        action="store_true",
        help="no pandas baseline (it holds every row × gas in memory: about 1.2 GiB per million rows)",
    )
    parser.add_argument("--skip-startup", action="store_true", help="no start-up timings")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep each line's outputs of the last round in DIR/<line>"
    )
    # The command is timed by default now; the old switch is still accepted so old scripts run.
    parser.add_argument("--command", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    factor_table(args.project)
    names = [n for n in LINES if not (n == "pandas" and args.skip_pandas or n == "dualcarbon" and args.skip_engine)]
    results = measure(names, args.project, args.repeat, extra, args.keep.resolve() if args.keep else None)
    compare(results)
    if not args.skip_startup:
        results["startup"] = startup()
    print(json.dumps(results, indent=2) if args.json else table(results))


if __name__ == "__main__":
    main()
