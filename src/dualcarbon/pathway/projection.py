"""Business as usual: base-year sources grown year by year, their totals, and the peak year.

BAU_j(y) = E_j(y0) · Π_{t = y0+1..y} (1 + g_j(t)): compound annual growth of each source j from
the inventory year y0, the usual form of a baseline-scenario projection (GHG Protocol Mitigation
Goal Standard, baseline scenario goals; second-hand, chapter not verified). The growth rate of a
source is the one of the most specific selector that names it (sources.Term.rank), else
``default``, else 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dualcarbon.pathway import sources as src
from dualcarbon.sums import exact_sum

DEFAULT = "default"


def _rate_in(spec: float | dict[int, float], year: int) -> float:
    """A constant rate, or a step schedule {year: rate} (the first rate also applies before its year)."""
    if not isinstance(spec, dict):
        return float(spec)
    steps = sorted(spec.items())
    rate = steps[0][1]
    for start, value in steps:
        if year >= start:
            rate = value
    return float(rate)


def check_growth(growth: dict[str, float | dict[int, float]]) -> list[tuple[str, str]]:
    """Problems of ``[pathway] growth`` as (key, expected): bad selectors, rates of -100 % or less."""
    problems = []
    for key, spec in growth.items():
        if key != DEFAULT:
            try:
                src.parse(key)
            except ValueError as exc:
                problems.append((key, str(exc)))
        values = spec.values() if isinstance(spec, dict) else [spec]
        if any(v <= -1 for v in values):
            problems.append((key, "expected a growth rate above -1 (-100 %), e.g. 0.02 for +2 % a year"))
        if isinstance(spec, dict) and not spec:
            problems.append((key, "expected a rate or {year = rate, ...}"))
    return problems


def growth_key(sources: pl.DataFrame, growth: dict) -> pl.Series:
    """For each source, the growth key that applies to it (the most specific), or ``default``/null."""
    ranked = sorted(
        ((term.rank, key, term) for key in growth if key != DEFAULT for term in src.parse(key)),
        key=lambda r: r[0],
        reverse=True,
    )
    picks: list[pl.Expr] = [pl.when(term.expr()).then(pl.lit(key)) for _, key, term in ranked]
    if DEFAULT in growth:
        picks.append(pl.lit(DEFAULT))
    if not picks:
        return pl.Series("growth_key", [None] * sources.height, dtype=pl.String)
    return sources.select(pl.coalesce(picks).cast(pl.String).alias("growth_key"))["growth_key"]


def project(sources: pl.DataFrame, growth: dict, inventory_year: int, end_year: int) -> pl.DataFrame:
    """BAU by source and year, from the inventory year to ``end_year``: columns source, year, bau_t."""
    years = list(range(inventory_year, end_year + 1))
    keys = sources.with_columns(growth_key(sources, growth)).select("source", "co2e_t", "growth_key")
    rates = pl.DataFrame(
        [(k, y, _rate_in(spec, y) if y > inventory_year else 0.0) for k, spec in growth.items() for y in years],
        schema={"growth_key": pl.String, "year": pl.Int64, "rate": pl.Float64},
        orient="row",
    )
    grid = keys.join(pl.DataFrame({"year": years}, schema={"year": pl.Int64}), how="cross")
    return (
        grid.join(rates, on=["growth_key", "year"], how="left")
        .with_columns(pl.col("rate").fill_null(0.0))
        .sort("source", "year")
        .with_columns((pl.col("co2e_t") * (1 + pl.col("rate")).cum_prod().over("source")).alias("bau_t"))
        .select("source", "year", "bau_t")
    )


def totals(bau: pl.DataFrame, sources: pl.DataFrame, selector: str | None = None) -> dict[int, float]:
    """BAU per year of the sources a selector names (all when None)."""
    named = sources.filter(src.mask(selector)).select("source")
    per_year = bau.join(named, on="source").group_by("year").agg(exact_sum("bau_t"))
    years = bau["year"].unique().sort().to_list()
    found = dict(per_year.iter_rows())
    return {y: float(found.get(y, 0.0)) for y in years}


@dataclass(frozen=True)
class Peak:
    """The year of the highest emissions of a series; ``reached`` is False when it is the last year
    (emissions still rising at the end of the horizon, so no peak can be claimed)."""

    year: int
    emissions_t: float
    reached: bool


def peak(series: dict[int, float]) -> Peak:
    """Peak detection: the first year of the maximum (a plateau peaks at its start)."""
    years = sorted(series)
    top = max(series[y] for y in years)
    tol = 1e-9 * max(abs(top), 1.0)
    year = next(y for y in years if series[y] >= top - tol)
    return Peak(year, series[year], reached=year < years[-1] or len(years) == 1)


def extend(known: dict[int, float], growth: float | dict[int, float] | None, years: list[int]) -> dict[int, float]:
    """A series such as GDP at constant prices over ``years``: the known values; between two known
    years, constant growth (log-linear interpolation); after the last known year, compounded
    ``growth`` (a rate or a step schedule, as ``[pathway] growth``). Years before the first known one,
    or after the last without ``growth``, are left out."""
    points = sorted((y, v) for y, v in known.items() if v is not None and v > 0)
    if not points:
        return {}
    out: dict[int, float] = {}
    last_year, last_value = points[-1]
    value = last_value
    for y in range(points[0][0], max([*years, last_year]) + 1):
        if y in known:
            out[y] = float(known[y])
        elif y < last_year:
            (y0, v0), (y1, v1) = next((a, b) for a, b in zip(points, points[1:], strict=False) if a[0] < y < b[0])
            out[y] = v0 * (v1 / v0) ** ((y - y0) / (y1 - y0))
        elif growth is not None:
            value *= 1 + _rate_in(growth, y)
            out[y] = value
    return {y: v for y, v in out.items() if y in set(years)}
