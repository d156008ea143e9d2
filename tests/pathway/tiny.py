"""Small pathway problems whose optimum can be worked out by hand (one or two sources)."""

from __future__ import annotations

import polars as pl

from dualcarbon.pathway import optimize, projection
from dualcarbon.pathway.measures import Measure
from dualcarbon.pathway.targets import Cap


def sources(*rows: tuple[str, float]) -> pl.DataFrame:
    """Sources of the inventory year: (activity key, t CO2e), all Scope 1 stationary."""
    return pl.DataFrame(
        {
            "source": list(range(len(rows))),
            "key": [k for k, _ in rows],
            "scope": ["1"] * len(rows),
            "category": ["1.stationary"] * len(rows),
            "facility": [""] * len(rows),
            "co2e_t": [float(t) for _, t in rows],
        }
    )


def cut(years, fraction: float, base_t: float, covers: str | None = None) -> list[Cap]:
    """A cap of ``fraction`` × base in each of ``years``."""
    return [Cap(y, "cut", fraction, "base", covers, base_t, covers is None, "cut") for y in years]


def solve(
    src: pl.DataFrame,
    measures: list[Measure],
    caps: list[Cap],
    years: list[int],
    growth: dict | None = None,
    inventory_year: int = 2024,
    **kw,
) -> optimize.Plan:
    bau = projection.project(src, growth or {}, inventory_year, years[-1])
    return optimize.solve(optimize.Inputs(src, bau, measures, caps, years, **{"discount_rate": 0.0, **kw}))


def chosen(plan: optimize.Plan) -> dict[str, tuple[int, float]]:
    """{measure id: (start year, adoption)} of the chosen measures."""
    rows = plan.measures.filter(pl.col("chosen")).select("id", "start_year", "adoption").rows()
    return {i: (s, round(a, 6)) for i, s, a in rows}


__all__ = ["Measure", "Cap", "sources", "cut", "solve", "chosen"]
