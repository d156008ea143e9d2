"""Synthetic activity ledgers for the benchmarks: a project folder with Parquet activities.

Realistic shape, not realistic values: thousands of organisations and facilities over six
years, the bundled activity keys with their real unit mix (kWh and 万千瓦时, t and kg, m3 and
万立方米, therm, USD and 元), regions that exercise the fallback chain (provinces → grid →
country, eGRID subregions → US), a share of Tier 2 overrides and Scope 2 instruments.

    python bench/ledger.py OUT_DIR --rows 10_000_000 [--files 8] [--seed 1]
    python bench/ledger.py OUT_DIR --rows 200_000_000 --files 40   # out-of-core: 5 M rows a file
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import polars as pl

YEARS = list(range(2019, 2025))
CN_REGIONS = ["CN-HE", "CN-BJ", "CN-GD", "CN-HL", "CN-SX", "CN-NM", "CN-LN", "CN-TJ", "CN-NCG", "CN-ECG", "CN"]
US_REGIONS = ["US-CAMX", "US-NYCW", "US-ERCT", "US-RFCE", "US-SRSO", "US"]

# (activity as users type it, unit, typical quantity per row, regions, share of rows)
MIX = [
    ("外购电力", "万千瓦时", 50.0, CN_REGIONS, 0.16),
    ("electricity/grid", "kWh", 400_000.0, CN_REGIONS, 0.08),
    ("electricity/grid", "kWh", 300_000.0, US_REGIONS, 0.10),
    ("天然气", "万立方米", 20.0, CN_REGIONS, 0.08),
    ("天然气", "立方米", 150_000.0, CN_REGIONS, 0.06),
    ("natural gas", "therm", 20_000.0, US_REGIONS, 0.08),
    ("柴油", "吨", 30.0, CN_REGIONS, 0.08),
    ("fuel/diesel", "kg", 25_000.0, CN_REGIONS, 0.04),
    ("原煤", "吨", 2_000.0, CN_REGIONS, 0.08),
    ("fuel/gasoline", "t", 10.0, CN_REGIONS, 0.04),
    ("spend/naics/327310", "USD", 200_000.0, US_REGIONS, 0.08),
    ("spend/naics/331110", "USD", 500_000.0, US_REGIONS, 0.06),
    ("freight/road/truck", "short ton-mile", 80_000.0, US_REGIONS, 0.06),
]

TOML = """[organization]
name = "Synthetic ledger"
country = "CN"
sector = "1.A.2"

[period]
start = 2019-01-01
end = 2024-12-31

[method]
gwp = "AR5"
factor_sets = ["gbt32150", "cn_mee_grid", "egrid", "us_epa_hub", "ipcc2006", "useeio"]
"""


def ledger(rows: int, seed: int = 1, organisations: int = 2000, first_id: int = 0) -> pl.DataFrame:
    """``rows`` activity rows in the project format (all columns as users would give them)."""
    rng = np.random.default_rng(seed)
    shares = np.array([m[4] for m in MIX])
    pick = rng.choice(len(MIX), size=rows, p=shares / shares.sum())
    activity = np.array([m[0] for m in MIX], dtype=object)[pick]
    unit = np.array([m[1] for m in MIX], dtype=object)[pick]
    scale = np.array([m[2] for m in MIX])[pick]
    org = rng.integers(0, organisations, size=rows)
    facility = org * 8 + rng.integers(0, 8, size=rows)
    # A facility stays where it is: its region (of the activity's country) follows from its number.
    region = np.empty(rows, dtype=object)
    for i, m in enumerate(MIX):
        sel = pick == i
        region[sel] = np.array(m[3], dtype=object)[facility[sel] % len(m[3])]
    year = np.array(YEARS)[rng.integers(0, len(YEARS), size=rows)]
    month = rng.integers(1, 13, size=rows)
    quantity = np.round(scale * rng.lognormal(0.0, 0.6, size=rows), 3)
    # Tier 2: a measured NCV on 30 % of the raw-coal rows.
    coal = activity == "原煤"
    tier2 = coal & (rng.random(rows) < 0.3)
    ncv = np.where(tier2, np.round(rng.normal(21.0, 1.2, size=rows), 2), np.nan)
    frame = pl.DataFrame(
        {
            "id": np.arange(first_id, first_id + rows),
            "facility": facility,
            "year": year,
            "month": month,
            "activity": activity.astype(str),
            "quantity": quantity,
            "unit": unit.astype(str),
            "region": region.astype(str),
            "ncv": ncv,
        }
    )
    return frame.select(
        pl.format("L{}", pl.col("id")).alias("id"),
        pl.format("F{}", pl.col("facility")).alias("facility"),
        pl.date(pl.col("year"), pl.col("month"), 1).dt.month_end().alias("date"),
        "activity",
        "quantity",
        "unit",
        "region",
        pl.col("ncv").fill_nan(None),
        pl.when(pl.col("ncv").is_not_nan()).then(pl.lit("GJ/t")).otherwise(None).alias("ncv_unit"),
    )


def credits(frame: pl.DataFrame, seed: int = 1, n: int = 500) -> pl.DataFrame:
    """Certificates for a sample of (facility, year) with Chinese electricity."""
    rng = np.random.default_rng(seed + 1)
    elec = (
        frame.filter(pl.col("activity") == "外购电力")
        .select("facility", pl.col("date").dt.year().alias("vintage"))
        .unique()
        .sort("facility", "vintage")
    )
    sample = elec.sample(min(n, elec.height), seed=seed)
    return sample.with_row_index("i").select(
        pl.format("GEC-{}", pl.col("i")).alias("id"),
        pl.lit("GEC").alias("type"),
        pl.Series(np.round(rng.uniform(100, 2000, sample.height), 1)).alias("quantity"),
        pl.lit("MWh").alias("unit"),
        "facility",
        pl.lit("CN").alias("region"),
        pl.col("vintage").cast(pl.String),
        pl.lit("retired").alias("status"),
    )


def write_project(out: Path, rows: int, files: int = 8, seed: int = 1) -> Path:
    """A complete project folder: dualcarbon.toml, activities/part-*.parquet, credits.csv.

    Each file is generated on its own (seed + file number), so memory stays that of one file.
    """
    if out.exists():
        shutil.rmtree(out)
    (out / "activities").mkdir(parents=True)
    (out / "dualcarbon.toml").write_text(TOML, encoding="utf-8")
    step = -(-rows // files)
    for k in range(files):
        n = min(step, rows - k * step)
        if n <= 0:
            break
        frame = ledger(n, seed + k, first_id=k * step)
        frame.write_parquet(out / "activities" / f"part-{k:03d}.parquet")
        if k == 0:
            credits(frame, seed).write_csv(out / "credits.csv")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_project(args.out, args.rows, args.files, args.seed)
    print(f"wrote {args.rows:,} rows to {args.out}")


if __name__ == "__main__":
    main()
