"""End-to-end speed of the inventory engine against a pandas baseline and a bare DuckDB floor.

    python bench/ledger.py ledger --rows 1_000_000      # once per size
    python bench/speed.py ledger [--repeat 3] [--json] [--skip-ours] [--command]

Three measurements on the same Parquet ledger, each in a fresh process (so peak RSS is its own),
median of ``--repeat`` rounds, the engines taking turns within a round:

* ``dualcarbon``: read Parquet → validate → ``engine.compute`` → ``inventory.summarize``
  (everything ``dualcarbon run`` does except writing files).
* ``pandas``: a straightforward pandas implementation of the row-level work: unit multiplier
  join, factor join per (key, region, year, gas) with the region fallback already resolved,
  GWP, Tier 2 NCV override, and the aggregations the summary needs at the least (by facility
  and scope, by month). It uses the same resolved factor table as the floor (built once,
  untimed, from dualcarbon's own resolution on the distinct requests).
* ``floor``: the same joins and aggregations as one DuckDB SQL query over the Parquet files
  (``GROUPING SETS``), with nothing else: no validation, no trace, no market-based method.

``--command`` also times the whole ``dualcarbon run`` command as a user runs it, writing every
output (``bench/command.py``: a subprocess, peak RSS of its process tree, output sizes), under the
key ``command`` of ``--json``.

The location-based total of all three must agree (relative 1e-9); market-based instruments
are outside the baseline's shape and are not compared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


# -- the factor table shared by the baseline and the floor ---------------------------------
def factor_table(project: Path) -> Path:
    """(activity, unit, region, year, has_ncv) → per-gas co2e per quantity unit, from dualcarbon itself.

    For rows with a measured NCV the factor is per (quantity × NCV), so the baseline multiplies
    quantity × ncv × factor.
    """
    import polars as pl

    from dualcarbon import engine
    from dualcarbon.project.load import load

    out = project / "bench_factors.parquet"
    if out.exists():
        return out
    p = load(project)
    acts = p.activities
    keys = ["activity", "unit", "region", "year", "has_ncv"]
    acts = acts.with_columns(pl.col("ncv_gj_per_base").is_not_null().alias("has_ncv"))
    # One unit of the row's own quantity; for measured-NCV rows also NCV = 1 (the ledger writes
    # raw coal in t with NCV in GJ/t, so NCV 1 is 1 GJ per base unit).
    reps = (
        acts.group_by(keys)
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
    table = e.join(reps.select("_idx", *keys), on="_idx").select(
        *keys, "gas", "scope", pl.col("mass_t").alias("mass_per_unit"), "gwp"
    )
    table.write_parquet(out)
    return out


# -- the three implementations (each run in its own process) ---------------------------------
def run_ours(project: str) -> dict:
    from dualcarbon.project.job import calculate
    from dualcarbon.project.load import load

    t0 = time.perf_counter()
    p = load(project)
    _, inv = calculate(p)
    seconds = time.perf_counter() - t0
    s = inv.summary
    return {
        "seconds": seconds,
        "rows": s["activity_rows"],
        "total_location": s["totals"]["total_location"],
        "facilities": s["facilities"],  # by_facility lists the largest only (inventory.TOP)
        "months": len(s["by_month"]),
    }


def run_pandas(project: str) -> dict:
    import pandas as pd

    root = Path(project)
    t0 = time.perf_counter()
    acts = pd.concat([pd.read_parquet(f) for f in sorted((root / "activities").glob("*.parquet"))], ignore_index=True)
    factors = pd.read_parquet(root / "bench_factors.parquet")
    dates = pd.to_datetime(acts["date"])
    acts["year"] = dates.dt.year.astype("int32")
    acts["month"] = dates.dt.to_period("M")
    acts["has_ncv"] = acts["ncv"].notna()
    rows = acts.merge(factors, on=["activity", "unit", "region", "year", "has_ncv"], how="inner")
    scale = rows["ncv"].where(rows["has_ncv"], 1.0)
    rows["co2e_t"] = rows["quantity"] * scale * rows["mass_per_unit"] * rows["gwp"]
    by_facility = rows.groupby(["facility", "scope"])["co2e_t"].sum()
    by_month = rows.groupby("month")["co2e_t"].sum()
    return {
        "seconds": time.perf_counter() - t0,
        "rows": len(acts),
        "total_location": float(by_facility.sum()),
        "facilities": int(by_facility.index.get_level_values(0).nunique()),
        "months": len(by_month),
    }


def run_floor(project: str) -> dict:
    import duckdb

    root = Path(project)
    t0 = time.perf_counter()
    con = duckdb.connect()
    sums = con.execute(
        """
        SELECT facility, scope, month, sum(co2e_t) AS co2e_t FROM (
          SELECT a.facility, f.scope, date_trunc('month', a.date) AS month,
                 a.quantity * CASE WHEN a.ncv IS NULL THEN 1 ELSE a.ncv END * f.mass_per_unit * f.gwp AS co2e_t
          FROM read_parquet(?) a
          JOIN read_parquet(?) f
            ON a.activity = f.activity AND a.unit = f.unit AND a.region = f.region
           AND year(a.date) = f.year AND (a.ncv IS NOT NULL) = f.has_ncv
        ) GROUP BY GROUPING SETS ((facility, scope), (month))
        """,
        [str(root / "activities" / "*.parquet"), str(root / "bench_factors.parquet")],
    ).fetchall()
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(root / "activities" / "*.parquet")]).fetchone()[0]
    total = sum(r[3] for r in sums if r[0] is not None)
    return {
        "seconds": time.perf_counter() - t0,
        "rows": rows,
        "total_location": float(total),
        "facilities": len({r[0] for r in sums if r[0] is not None}),
        "months": sum(1 for r in sums if r[2] is not None),
    }


RUNNERS = {"dualcarbon": run_ours, "pandas": run_pandas, "floor": run_floor}


def _peak_rss_gib(resource) -> float:
    """This process's peak RSS: VmHWM (reset by exec), not ru_maxrss (which Linux carries over
    from the parent across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _child(name: str, project: str) -> None:
    import resource

    result = RUNNERS[name](project)
    result["peak_rss_gib"] = _peak_rss_gib(resource)
    print(json.dumps(result))


def _run_once(name: str, project: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(project)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(names: list[str], project: Path, repeat: int) -> dict[str, dict]:
    """Median of ``repeat`` rounds; each round runs every engine once, in turn, so a slow phase of a
    noisy machine falls on all of them alike rather than on whichever happened to run then."""
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            runs[name].append(_run_once(name, project))
    results = {}
    for name, rs in runs.items():
        seconds = statistics.median(r["seconds"] for r in rs)
        results[name] = {
            "rows": rs[0]["rows"],
            "seconds": seconds,
            "rows_per_s": rs[0]["rows"] / seconds,
            "peak_rss_gib": max(r["peak_rss_gib"] for r in rs),
            "total_location": rs[0]["total_location"],
        }
    return results


def startup(repeat: int = 5) -> dict:
    """Median wall time of ``dualcarbon --help`` and of ``dualcarbon run`` on the smallest example."""
    import shutil
    import tempfile

    exe = shutil.which("dualcarbon") or "dualcarbon"

    def timed(args: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(args, capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([exe, "init", f"{tmp}/ex", "--example", "us-office"], capture_output=True, check=True)
        return {"help_s": timed([exe, "--help"]), "run_us_office_s": timed([exe, "run", f"{tmp}/ex"])}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description="dualcarbon end-to-end benchmark")
    parser.add_argument("project", type=Path, help="a ledger folder written by bench/ledger.py")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--skip-ours", action="store_true", help="only the baseline and the floor")
    parser.add_argument(
        "--skip-pandas",
        action="store_true",
        help="no pandas baseline (it holds every row in memory: about 1.2 GB per million rows)",
    )
    parser.add_argument(
        "--command",
        action="store_true",
        help="also time the whole 'dualcarbon run' command, outputs written (bench/command.py)",
    )
    args = parser.parse_args()
    factor_table(args.project)
    names = ([] if args.skip_pandas else ["pandas"]) + ["floor"] + ([] if args.skip_ours else ["dualcarbon"])
    results = measure(names, args.project, args.repeat)
    base, floor = results.get("pandas"), results["floor"]
    for r in results.values():
        r["ratio_vs_pandas"] = base["seconds"] / r["seconds"] if base else None  # > 1: faster than pandas
        r["ratio_vs_floor"] = r["seconds"] / floor["seconds"]  # our time / floor time
        r["total_agrees"] = abs(r["total_location"] - floor["total_location"]) <= 1e-9 * abs(floor["total_location"])
    results["startup"] = startup()
    if args.command:
        sys.path.insert(0, str(HERE))
        from command import measure as measure_command

        whole = measure_command(args.project, args.repeat)
        whole["total_agrees"] = abs(whole["total_location"] - floor["total_location"]) <= 1e-9 * abs(
            floor["total_location"]
        )
        results["command"] = whole
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{'engine':<11}{'rows':>12}{'seconds':>10}{'rows/s':>14}{'peak GiB':>10}{'vs pandas':>11}{'vs floor':>10}  totals"
    )
    for name in names:
        r = results[name]
        vs_pandas = f"{r['ratio_vs_pandas']:>10.2f}x" if r["ratio_vs_pandas"] else f"{'-':>11}"
        print(
            f"{name:<11}{r['rows']:>12,}{r['seconds']:>10.2f}{r['rows_per_s']:>14,.0f}{r['peak_rss_gib']:>10.2f}"
            f"{vs_pandas}{r['ratio_vs_floor']:>9.2f}x  {'agree' if r['total_agrees'] else 'DIFFER'}"
        )
    if "command" in results:
        from command import describe

        c = results["command"]
        print(f"{describe(c)}; totals {'agree' if c['total_agrees'] else 'DIFFER'}")
    s = results["startup"]
    print(f"startup: dualcarbon --help {s['help_s']:.2f} s, run us-office {s['run_us_office_s']:.2f} s (medians)")


if __name__ == "__main__":
    main()
