"""The benchmark scripts (``bench/``, docs/bench.md) on a 2,000-row ledger from ``bench/ledger.py``:
``speed.py --json`` records every documented figure for every line and all their totals agree; the
floor and the pandas baseline write the location-based rows of emissions.parquet, with its values;
``command.py`` survives a command that writes more to stderr than a pipe holds.

The scripts need the ``bench`` extra (numpy, pandas, duckdb; part of the ``test`` extra): without it
the tests are skipped on a developer's machine and fail under CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dualcarbon

BENCH = Path(__file__).resolve().parents[1] / "bench"
LINES = ["pandas", "floor", "query", "dualcarbon", "command"]
KEYS = {
    "rows",
    "seconds",
    "cpu_seconds",
    "rows_per_s",
    "peak_rss_gib",
    "ratio_vs_pandas",
    "ratio_vs_floor",
    "ratio_vs_query",
    "total_agrees",
    "total_location",
}


def _bench_extra_or_skip() -> None:
    missing = [name for name in ("numpy", "pandas", "duckdb") if importlib.util.find_spec(name) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must install the bench extra (missing: {', '.join(missing)})")
        pytest.skip(f"bench/ needs the bench extra: pip install -e '.[bench]' (missing: {', '.join(missing)})")


def _script(name: str):
    """bench/<name>.py as a module (bench/ is scripts, not a package)."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # speed.py imports command.py as its sibling
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    _bench_extra_or_skip()
    project = _script("ledger").write_project(tmp_path_factory.mktemp("bench") / "ledger", 2000, files=2)
    _script("speed").factor_table(project)
    return project


def _env() -> dict:
    """The child processes import this checkout's dualcarbon."""
    return {**os.environ, "PYTHONPATH": str(Path(dualcarbon.__file__).parents[1])}


@pytest.fixture(scope="module")
def speed_run(ledger, tmp_path_factory) -> tuple[dict, Path]:
    """``speed.py --json`` on the ledger, every line's outputs kept, the command writing emissions.parquet."""
    keep = tmp_path_factory.mktemp("outputs")
    args = [
        str(ledger),
        "--repeat",
        "1",
        "--json",
        "--skip-startup",
        "--keep",
        str(keep),
        "--",
        "--emissions",
        "parquet",
    ]
    done = subprocess.run(
        [sys.executable, str(BENCH / "speed.py"), *args], capture_output=True, text=True, timeout=600, env=_env()
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout), keep


def test_speed_records_every_figure_for_every_line_and_the_totals_agree(speed_run):
    record, _ = speed_run
    assert set(record) == set(LINES)
    for name in LINES:
        line = record[name]
        assert KEYS <= set(line), (name, KEYS - set(line))
        assert line["rows"] == 2000, name
        assert line["seconds"] > 0 and line["cpu_seconds"] > 0 and line["peak_rss_gib"] > 0, name
        assert line["rows_per_s"] == pytest.approx(2000 / line["seconds"]), name
        assert line["ratio_vs_floor"] == pytest.approx(line["seconds"] / record["floor"]["seconds"]), name
        assert line["ratio_vs_query"] == pytest.approx(line["seconds"] / record["query"]["seconds"]), name
        assert line["ratio_vs_pandas"] == pytest.approx(record["pandas"]["seconds"] / line["seconds"]), name
        assert line["total_agrees"] is True, (name, line["total_location"], record["floor"]["total_location"])
        assert line["total_location"] == pytest.approx(record["floor"]["total_location"], rel=1e-9), name
    # The same rows: the floor's and the baseline's are the command's less its market-based ones.
    assert record["pandas"]["emission_rows"] == record["floor"]["emission_rows"]
    for name in ("pandas", "floor"):
        assert set(record[name]["files_bytes"]) == {"emissions.parquet", "by_facility.csv", "by_month.csv"}
    assert record["command"]["emission_rows"] > record["floor"]["emission_rows"]
    assert record["command"]["args"] == ["--emissions", "parquet"]
    assert {"emissions.parquet", "summary.json", "report.html"} <= set(record["command"]["files_bytes"])


def test_the_floor_and_the_baseline_write_the_location_based_rows_of_emissions_parquet(speed_run):
    import polars as pl

    record, keep = speed_run
    columns = _script("speed").ROW_COLUMNS
    keys = ["id", "gas", "scope"]
    text = [pl.col(c).cast(pl.String) for c in ("facility", "activity", "unit", "region", "gas", "scope")]
    emissions = (
        pl.read_parquet(keep / "command" / "emissions.parquet")
        .filter(pl.col("scope2_method").cast(pl.String).fill_null("location") == "location")
        .with_columns(text)
        .select(columns)
        .sort(keys)
    )
    for name in ("floor", "pandas"):
        out = keep / name
        assert {p.name for p in out.iterdir()} == {"emissions.parquet", "by_facility.csv", "by_month.csv"}, name
        rows = pl.read_parquet(out / "emissions.parquet")
        assert rows.columns == columns, name
        assert record[name]["emission_rows"] == rows.height == emissions.height, name
        rows = rows.with_columns(text).sort(keys)
        same = ["id", "facility", "date", "activity", "quantity", "unit", "region", "gas", "scope"]
        assert rows.select(same).equals(emissions.select(same)), name
        for column in ("mass_t", "gwp", "co2e_t"):
            diff = (rows[column] - emissions[column]).abs() - 1e-9 * emissions[column].abs()
            assert diff.max() <= 1e-12, (name, column)
        by_facility = pl.read_csv(out / "by_facility.csv")
        assert by_facility["co2e_t"].sum() == pytest.approx(emissions["co2e_t"].sum(), rel=1e-9), name
        assert pl.read_csv(out / "by_month.csv").height == 72, name  # 2019-2024


def test_command_reads_a_long_stderr_without_blocking(tmp_path):
    """A command that writes more to stderr than a pipe holds (64 KiB) before it ends: command.py read
    its stderr only after the end, so the command blocked on a full pipe and the bench waited for ever
    (here: until the stand-in's alarm after 60 s, then failed)."""
    stand_in = tmp_path / "dualcarbon_stand_in.py"
    stand_in.write_text(
        textwrap.dedent(
            """
            import json, signal, sys
            from pathlib import Path

            signal.alarm(60)  # a blocked write ends here rather than never
            sys.stderr.write("! a warning of the run\\n" * 20_000)  # 460 kB
            sys.stderr.flush()
            out = Path(sys.argv[sys.argv.index("--out") + 1])
            out.mkdir(parents=True)
            totals = {"total_location": 1.5, "total_market": 1.25}
            summary = {"activity_rows": 3, "emission_rows": 4, "totals": totals}
            (out / "summary.json").write_text(json.dumps(summary))
            """
        ),
        encoding="utf-8",
    )
    result = _script("command").command(tmp_path, base=[sys.executable, str(stand_in)])
    assert (result["rows"], result["emission_rows"], result["total_location"]) == (3, 4, 1.5)
    assert set(result["files_bytes"]) == {"summary.json"}
