"""A synthetic district-sized pathway problem (sectors, forest sinks, hundreds of measures), for the
realistic-size test and ``bench/pathway.py``. Deterministic for a given seed."""

from __future__ import annotations

import numpy as np
import polars as pl

from dualcarbon.pathway import optimize, projection, targets
from dualcarbon.pathway.measures import Measure
from dualcarbon.pathway.targets import Goal

PARTIAL = 0.85  # most district measures are divisible (a share of buildings, vehicles ...); plants are not

SECTORS = {  # sector (used as the facility) → (activity key, category) of its sources
    "energy": [("fuel/raw_coal", "1.stationary"), ("fuel/natural_gas", "1.stationary")],
    "industry": [
        ("process/cement_clinker", "1.process"),
        ("fuel/raw_coal", "1.stationary"),
        ("electricity/grid", "2.electricity"),
    ],
    "transport": [("fuel/diesel", "1.mobile"), ("fuel/gasoline", "1.mobile")],
    "buildings": [
        ("electricity/grid", "2.electricity"),
        ("fuel/natural_gas", "1.stationary"),
        ("heat/purchased", "2.heat"),
    ],
    "waste": [("waste/landfill/msw", "3.5")],
}


def problem(n_measures: int = 200, n_years: int = 40, seed: int = 7, first_year: int = 2025) -> optimize.Inputs:
    """Sources of 5 sectors × 8 districts, growth per sector, ``n_measures`` measures (a few of them
    removals), a China-like goal (cuts against 2024, peak 2028, neutral in the last decade) with
    offsets allowed at a high price, over ``n_years`` years."""
    rng = np.random.default_rng(seed)
    rows = []
    for sector, keys in SECTORS.items():
        for d in range(8):
            for key, category in keys:
                scope = category.split(".")[0]
                rows.append((key, scope, category, f"{sector}-{d}", float(rng.uniform(5e3, 2e5))))
    sources = pl.DataFrame(rows, schema=["key", "scope", "category", "facility", "co2e_t"], orient="row")
    sources = sources.with_row_index("source").with_columns(pl.col("source").cast(pl.Int64))
    growth = {
        "default": 0.01,
        "facility:industry-0": -0.02,
        "fuel/diesel": {2025: 0.03, 2035: -0.02},
        "category:2.electricity": -0.03,
    }
    years = list(range(first_year, first_year + n_years))
    bau = projection.project(sources, growth, first_year - 1, years[-1])
    keys = sorted({k for ks in SECTORS.values() for k, _ in ks})
    measures = []
    for i in range(n_measures):
        mid = f"M{i:03d}"
        if i % 40 == 39:  # forest sinks and other removals
            measures.append(
                Measure(
                    mid,
                    f"造林{i}",
                    f"Afforestation {i}",
                    kind="removal",
                    potential_t=float(rng.uniform(2e3, 3e4)),
                    capex=float(rng.uniform(1e6, 2e7)),
                    opex=float(rng.uniform(1e5, 1e6)),
                    lifetime_years=30,
                    start_year=int(rng.integers(first_year, first_year + 10)),
                    ramp_up_years=5,
                )
            )
            continue
        pick = rng.integers(0, 4)
        if pick == 0:
            selector = str(rng.choice(keys))
        elif pick == 1:
            selector = f"facility:{rng.choice(list(SECTORS))}-{rng.integers(0, 8)}"
        elif pick == 2:
            selector = "category:" + str(rng.choice(["1.stationary", "1.mobile", "1.process", "2.electricity"]))
        else:
            selector = f"{rng.choice(keys)};facility:{rng.choice(list(SECTORS))}-{rng.integers(0, 8)}"
        share = float(rng.uniform(0.03, 0.3))
        measures.append(
            Measure(
                mid,
                f"措施{i}",
                f"Measure {i}",
                selector,
                share=share,
                capex=float(rng.lognormal(16, 1)),
                opex=float(rng.uniform(0, 2e6)),
                savings=float(rng.uniform(0, 3e6)),
                cost_per_t=float(rng.uniform(-50, 400)),
                lifetime_years=int(rng.integers(10, 30)),
                start_year=int(rng.integers(first_year, first_year + 15)),
                ramp_up_years=int(rng.integers(1, 5)),
                partial=bool(rng.random() < PARTIAL),
                excludes=(f"M{i - 1:03d}",) if i % 10 == 1 else (),
            )
        )
    base_t = float(sources["co2e_t"].sum())
    goal = Goal(
        template="none",
        name_zh="",
        name_en="",
        status="active",
        source="synthetic",
        base_year=first_year - 1,
        base_emissions_t=base_t,
        peak_year=first_year + 3,
        neutral_year=years[-1] - 5,
        annual_rate=None,
        annual_until_percent=100.0,
        cuts=(targets.CutSpec(first_year + 5, 20.0), targets.CutSpec(first_year + 15, 50.0)),
        offsets=True,
        residual_max_percent=None,
        removals_count=True,
    )
    caps = targets.caps(goal, years, base_t, {})
    return optimize.Inputs(
        sources,
        bau,
        measures,
        caps,
        years,
        discount_rate=0.05,
        removals_t={y: 2e4 for y in range(first_year - 1, years[-1] + 1)},
        offsets=True,
        offset_price=800.0,
        peak_year=goal.peak_year,
        time_limit_s=120.0,
        mip_gap=1e-4,
    )
